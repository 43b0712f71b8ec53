# SPDX-License-Identifier: GPL-2.0-or-later
# Machine-readable and interval output of pmuprof stat.
. "$srcdir/tests/lib.sh"

run_pmuprof stat -e task-clock -- true
[ "$RC" -eq 0 ] || skip_all "perf_event_open is not usable here: $(cat "$ERR")"

# CSV: perf stat -x's seven fields, value,unit,event,running-ns,running-pct,
# metric-value,metric-unit, and nothing after them
run_pmuprof stat -x, -- "$WORKLOADS/burn" 1 20
is "CSV: exit status" "$RC" 0
is "CSV: every line has perf's 7 fields" "$(awk -F, 'NF != 7' "$ERR")" ""
like "CSV: task-clock" "$(cat "$ERR")" '^[0-9]+\.[0-9]{2},msec,task-clock,[0-9]+,100\.00,[0-9.]+,CPUs utilized$'
run_pmuprof stat -x';' -e page-faults -- true
like "CSV: another separator" "$(cat "$ERR")" '^[0-9]+;;page-faults;[0-9]+;100\.00;'
run_pmuprof stat -x, -r 2 -e page-faults -- true
like "CSV with -r: a deviation field after the event" "$(cat "$ERR")" '^[0-9]+,,page-faults,[0-9.]+%,[0-9]+,100\.00,,$'
run_pmuprof stat -x, -I 100 -e task-clock -- "$WORKLOADS/burn" 1 150
is "CSV with -I: a time stamp, then perf's 7 fields" "$(awk -F, 'NF != 8' "$ERR")" ""

# --csv-notes: one more field, last, with pmuprof's note
run_pmuprof stat -x, --csv-notes -e task-clock,page-faults,cycles -- true
is "--csv-notes: exit status" "$RC" 0
like "--csv-notes: an empty note" "$(cat "$ERR")" '^[0-9.]+,msec,task-clock,[0-9]+,100\.00,[0-9.]+,CPUs utilized,$'
if [ ! -e /sys/bus/event_source/devices/cpu ]; then
	like "--csv-notes: why an event is not supported" "$(cat "$ERR")" \
		"^<not supported>,,cycles,0,0\.00,,,no such event on this machine "
fi
expect_error "--csv-notes without -x" 2 \
	"pmuprof: --csv-notes adds a field to -x's lines: give -x SEP too" stat --csv-notes -- true

# JSON lines: each line parses, counters then a summary
run_pmuprof stat --json -e task-clock,page-faults,cycles -- sh -c 'exit 4'
is "JSON: exit status passes through" "$RC" 4
if command -v python3 >/dev/null; then
	python3 - "$ERR" <<'PY' >"$T_TMP/json.txt" 2>&1
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
print("types", ",".join(r["type"] for r in rows))
tc = rows[0]
print("tc", tc["event"], tc["status"], tc["unit"], type(tc["value"]).__name__, tc["running-pct"], tc["metric-unit"])
print("perf", type(tc["counter-value"]).__name__, type(tc["event-runtime"]).__name__, tc["pcnt-running"])
print("summary", rows[-1]["exit-status"], rows[-1]["runs"], "elapsed-s" in rows[-1])
print("cycles", rows[2]["status"], rows[2]["value"], rows[2]["counter-value"], rows[2]["metric-unit"] == "")
PY
	out=$(cat "$T_TMP/json.txt")
	like "JSON: one counter per event, then the summary" "$out" '^types counter,counter,counter,summary$'
	like "JSON: task-clock fields" "$out" '^tc task-clock counted msec float 100(\.0)? CPUs utilized$'
	like "JSON: perf's keys with perf's types" "$out" '^perf str int 100(\.0)?$'
	like "JSON: summary has the exit status" "$out" '^summary 4 1 True$'
	if [ ! -e /sys/bus/event_source/devices/cpu ]; then
		like "JSON: unsupported is null" "$out" '^cycles not-supported None <not supported> True$'
	fi
else
	fail "JSON: python3 is needed to parse the output (apt-get install python3)"
fi

# -I: one block per interval, timestamps increasing, deltas adding up
run_pmuprof stat -I 100 -x, -e task-clock -- "$WORKLOADS/burn" 1 450
n=$(grep -c 'task-clock' "$ERR")
ok "-I 100 over ~450 ms: at least 3 intervals ($n)" [ "$n" -ge 3 ]
is "-I: timestamps increase" "$(awk -F, 'p != "" && $1 <= p { print "not increasing at " $1 } { p = $1 }' "$ERR")" ""
sum=$(awk -F, '{ s += $2 } END { print s }' "$ERR")
within "-I: the intervals add up to the CPU time burnt" "$sum" 470 30
run_pmuprof stat -I 100 -e task-clock -- "$WORKLOADS/burn" 1 150
like "-I text: a header" "$(head -1 "$ERR")" '^# +time +counts unit events$'
like "-I text: timestamped rows" "$(cat "$ERR")" '^ +0\.1[0-9]+ +[0-9.,]+ msec task-clock'

# thousands separators, and --no-big-num
run_pmuprof stat -e page-faults -- "$WORKLOADS/pages" 2000
like "big numbers get separators" "$(cat "$ERR")" ' 2,[0-9]{3} +page-faults'
run_pmuprof stat --no-big-num -e page-faults -- "$WORKLOADS/pages" 2000
like "--no-big-num" "$(cat "$ERR")" ' 2[0-9]{3} +page-faults'

# The layout against perf stat's own on the same events: per line, the
# number of fields, which are empty, which numeric, and the event's name.
# shape FILE: one line per CSV row, "N" numeric, "-" empty, "T" text, and the
# event field (the third after any leading time stamp and thread) as it is.
shape() {
	awk -F, -v lead="${2:-0}" '{
		s = ""
		for (i = 1; i <= NF; i++) {
			f = $i
			if (f == "") c = "-"
			else if (f ~ /^ *-?[0-9]+(\.[0-9]+)?%?$/) c = "N"
			else if (i == lead + 3) c = f
			else c = "T"
			s = s (i > 1 ? "," : "") c
		}
		print s
	}' "$1"
}
# same_shape DESC LEAD PERF-ARGS...: perf stat -x, and pmuprof stat -x, alike
same_shape() {
	desc=$1
	lead=$2
	shift 2
	perf stat -x, "$@" 2>"$T_TMP/perf.csv" >/dev/null
	run_pmuprof stat -x, "$@"
	shape "$T_TMP/perf.csv" "$lead" >"$T_TMP/perf.shape"
	shape "$ERR" "$lead" >"$T_TMP/pmuprof.shape"
	is "$desc: perf's fields ($(head -1 "$T_TMP/perf.shape"))" \
		"$(cat "$T_TMP/pmuprof.shape")" "$(cat "$T_TMP/perf.shape")"
}
# same_keys DESC ROWS PERF-ARGS...: perf stat --json's keys, in its order and
# with its types, are in pmuprof's rows; ROWS "all" for as many rows, else
# the rows both have (intervals can differ by one)
same_keys() {
	desc=$1
	rows=$2
	shift 2
	perf stat --json "$@" 2>"$T_TMP/perf.json" >/dev/null
	run_pmuprof stat --json "$@"
	python3 - "$T_TMP/perf.json" "$ERR" "$rows" <<'PY' >"$T_TMP/keys.txt" 2>&1
import json, sys
perf = [json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")]
ours = [r for r in map(json.loads, open(sys.argv[2])) if r["type"] == "counter"]
if (sys.argv[3] == "all" and len(perf) != len(ours)) or not perf or not ours:
    print("rows: perf %d, pmuprof %d" % (len(perf), len(ours)))
for p, o in zip(perf, ours):
    keys = [k for k in o if k in p]
    if keys != list(p):
        print("%s: perf's keys %s, pmuprof's %s" % (p["event"], list(p), keys))
    for k in p:
        if k in o and type(p[k]) != type(o[k]) and not (
                isinstance(p[k], (int, float)) and isinstance(o[k], (int, float))):
            print("%s: %s is %s in perf, %s in pmuprof" % (p["event"], k,
                  type(p[k]).__name__, type(o[k]).__name__))
    if p["counter-value"].startswith("<") and p["counter-value"] != o["counter-value"]:
        print("%s: counter-value %s in perf, %s in pmuprof" % (p["event"],
              p["counter-value"], o["counter-value"]))
PY
	is "$desc" "$(cat "$T_TMP/keys.txt")" ""
}

if ! command -v perf >/dev/null; then
	why="perf is not installed (Debian: apt-get install linux-perf)"
elif ! perf stat -e task-clock true >/dev/null 2>&1; then
	why="perf stat does not run here: $(perf stat -e task-clock true 2>&1 >/dev/null | head -1)"
else
	why=
fi
if [ -n "$why" ]; then
	for d in "CSV like perf" "CSV -r like perf" "CSV <not supported> like perf" \
		"CSV -I like perf" "CSV --per-thread like perf" "JSON keys like perf" \
		"JSON -r keys like perf" "JSON -I keys like perf"; do
		skip "$d" "$why"
	done
else
	same_shape "CSV like perf" 0 -e task-clock,page-faults,context-switches -- true
	same_shape "CSV -r like perf" 0 -r 2 -e task-clock,page-faults,context-switches -- true
	same_shape "CSV <not supported> like perf" 0 -e cycles,task-clock -- true
	# the first interval only: later ones may be <not counted> in one and not the other
	perf stat -x, -I 100 -e task-clock,page-faults -- "$WORKLOADS/burn" 1 250 \
		2>"$T_TMP/perf.csv" >/dev/null
	run_pmuprof stat -x, -I 100 -e task-clock,page-faults -- "$WORKLOADS/burn" 1 250
	is "CSV -I like perf" "$(head -2 "$ERR" >"$T_TMP/m" && shape "$T_TMP/m" 1)" \
		"$(head -2 "$T_TMP/perf.csv" >"$T_TMP/p" && shape "$T_TMP/p" 1)"
	"$WORKLOADS/burn" 1 forever &
	bpid=$!
	same_shape "CSV --per-thread like perf" 1 --per-thread -p $bpid -e task-clock,page-faults \
		-- sleep 0.2
	kill $bpid
	wait $bpid 2>/dev/null
	if command -v python3 >/dev/null; then
		same_keys "JSON keys like perf" all -e task-clock,page-faults,cycles -- true
		same_keys "JSON -r keys like perf" all -r 2 -e task-clock,page-faults,cycles -- true
		same_keys "JSON -I keys like perf" some -I 100 -e task-clock -- "$WORKLOADS/burn" 1 150
	else
		fail "JSON keys like perf: python3 is needed (apt-get install python3)"
	fi
fi

done_testing
