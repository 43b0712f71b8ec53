#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# pmuprof compare on tests/workload/spin: the pmu and ctimer samplers
# attribute the CPU time the kernel accounted within 10% at 100 Hz with one
# and two busy threads, and split it between threads as the kernel did; the
# JSON, the table and the SVG chart carry what a reader needs.
. "$srcdir/tests/lib.sh"

command -v python3 >/dev/null || skip_all "python3 is needed to read the JSON"
SPIN=$WORKLOADS/spin

# field JSON-FILE SAMPLER EXPR: a value of the sampler's median run
field() {
	python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
for s in d["samplers"]:
    if s["sampler"] == sys.argv[2]:
        m = s["median"]
        print(eval(sys.argv[3]))
' "$@"
}

for t in 1 2; do
	J=$T_TMP/cmp-$t.json
	run_pmuprof compare -F 100 --samplers pmu,ctimer --json -- "$SPIN" -t "$t" -s 1
	is "$t thread(s): exit status" "$RC" 0
	cp "$OUT" "$J"
	ok "$t thread(s): JSON parses" python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$J"
	for s in pmu ctimer; do
		within "$s, $t busy thread(s), 100 Hz: CPU attributed vs kernel (%)" \
			"$(field "$J" $s 'round(m["error_pct"], 2)')" 0 10
		within "$s, $t busy thread(s): true CPU from the kernel (s)" \
			"$(field "$J" $s 'round(m["true_cpu_s"], 3)')" "$t" 0.1
	done
	if [ "$t" = 2 ]; then
		for s in pmu ctimer; do
			within "$s: two equal threads split like the kernel (largest error, pp)" \
				"$(field "$J" $s 'round(m["max_share_error_pp"], 2)')" 0 10
			is "$s: the two workers are the busiest threads" \
				"$(field "$J" $s 'sum(1 for t in m["threads"][:2] if abs(t["true_cpu_s"] - 1) < 0.1)')" 2
		done
	fi
done

# all three, kept recordings, the chart, the table
run_pmuprof compare -F 100 -o "$T_TMP/keep" --svg "$T_TMP/c.svg" -- "$SPIN" -t 2 -s 0.5
is "all samplers: exit status" "$RC" 0
for s in pmu itimer ctimer; do
	like "table has a $s row" "$(cat "$OUT")" "^$s +[0-9]+ "
	ok "$s recording kept" test -s "$T_TMP/keep/$s-1.data"
done
like "table has the thread section" "$(cat "$OUT")" "^threads:"
like "table shows the unweighted ctimer row" "$(cat "$OUT")" "^ +unweighted"
like "progress on stderr" "$(cat "$ERR")" "run 4 of 4: ctimer"
run_pmuprof report -i "$T_TMP/keep/itimer-1.data" --no-children
like "a kept recording reads with report" "$(cat "$OUT")" "spin_worker"
like "SVG chart written" "$(head -c 200 "$T_TMP/c.svg")" "<svg"
like "SVG names the samplers" "$(cat "$T_TMP/c.svg")" "ctimer"

run_pmuprof compare -F 100 --samplers itimer,ctimer --json -- "$SPIN" -t 1 -s 0.3
J=$T_TMP/tvd.json
cp "$OUT" "$J"
is "without pmu there is no TVD" "$(field "$J" ctimer 'm["tvd_vs_pmu"]')" None
is "the samplers asked for, in order" \
	"$(python3 -c 'import json,sys; print(",".join(s["sampler"] for s in json.load(open(sys.argv[1]))["samplers"]))' "$J")" \
	"itimer,ctimer"

# a command that fails without a profiler is no baseline
run_pmuprof compare --samplers ctimer -- sh -c 'echo broken >&2; exit 3'
is "failing command: its status" "$RC" 3
like "failing command: message" "$(cat "$ERR")" "failed without a profiler \(exit status 3\)"
like "failing command: its stderr shown" "$(cat "$ERR")" "broken"

run_pmuprof compare
is "no command: usage error" "$RC" 2
run_pmuprof compare --samplers pmu,bogus -- true
is "unknown sampler: usage error" "$RC" 2
like "unknown sampler: message" "$(cat "$ERR")" "--samplers takes a list of pmu, itimer and ctimer, not 'bogus'"

done_testing
