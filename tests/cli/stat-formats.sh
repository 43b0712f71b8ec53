# SPDX-License-Identifier: GPL-2.0-or-later
# Machine-readable and interval output of pmuprof stat.
. "$srcdir/tests/lib.sh"

run_pmuprof stat -e task-clock -- true
[ "$RC" -eq 0 ] || skip_all "perf_event_open is not usable here: $(cat "$ERR")"

# CSV: value,unit,event,running-ns,running-pct,metric-value,metric-unit,note
run_pmuprof stat -x, -- "$WORKLOADS/burn" 1 20
is "CSV: exit status" "$RC" 0
is "CSV: every line has 8 fields" "$(awk -F, 'NF != 8' "$ERR")" ""
like "CSV: task-clock" "$(cat "$ERR")" '^[0-9]+\.[0-9]{2},msec,task-clock,[0-9]+,100\.00,[0-9.]+,CPUs utilized,$'
run_pmuprof stat -x';' -e page-faults -- true
like "CSV: another separator" "$(cat "$ERR")" '^[0-9]+;;page-faults;[0-9]+;100\.00;'
run_pmuprof stat -x, -r 2 -e page-faults -- true
like "CSV with -r: a stddev column" "$(cat "$ERR")" '^[0-9]+,,page-faults,[0-9.]+%,[0-9]+,100\.00,'

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
print("summary", rows[-1]["exit-status"], rows[-1]["runs"], "elapsed-s" in rows[-1])
print("cycles", rows[2]["status"], rows[2]["value"])
PY
	out=$(cat "$T_TMP/json.txt")
	like "JSON: one counter per event, then the summary" "$out" '^types counter,counter,counter,summary$'
	like "JSON: task-clock fields" "$out" '^tc task-clock counted msec float 100(\.0)? CPUs utilized$'
	like "JSON: summary has the exit status" "$out" '^summary 4 1 True$'
	if [ ! -e /sys/bus/event_source/devices/cpu ]; then
		like "JSON: unsupported is null" "$out" '^cycles not-supported None$'
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

done_testing
