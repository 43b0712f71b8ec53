# SPDX-License-Identifier: GPL-2.0-or-later
# pmuprof stat and perf stat count the same workloads alike. The tight numbers
# for README come from contrib/bench/stat-agreement.sh (medians of many runs);
# this test checks single runs with room for noise.
. "$srcdir/tests/lib.sh"

command -v perf >/dev/null || skip_all "perf is not installed (Debian: apt-get install linux-perf)"
perf stat -e task-clock true >/dev/null 2>&1 || skip_all "perf stat does not run here"
run_pmuprof stat -e task-clock -- true
[ "$RC" -eq 0 ] || skip_all "perf_event_open is not usable here: $(cat "$ERR")"

# page faults: the same program, the same count within a few (both without
# address randomization, which moves a count by a few faults)
for n in 0 5000; do
	$NORAND perf stat -x, -e page-faults -- "$WORKLOADS/pages" $n 2>"$T_TMP/perf" >/dev/null
	p=$(awk -F, '$3 ~ /^page-faults/ { print $1; exit }' "$T_TMP/perf")
	run $NORAND "$PMUPROF" stat -x, -e page-faults -- "$WORKLOADS/pages" $n
	m=$(csv_value page-faults "$ERR")
	within "page-faults for pages $n agree with perf stat" "$m" "$p" 5
done

# task-clock on a CPU-bound run: the design fixes it at 400 ms of thread CPU
# time, so both tools should be close to that and to each other
perf stat -x, -e task-clock -- "$WORKLOADS/burn" 2 200 2>"$T_TMP/perf" >/dev/null
p=$(awk -F, '$3 ~ /^task-clock/ { print $1; exit }' "$T_TMP/perf")
run_pmuprof stat -x, -e task-clock -- "$WORKLOADS/burn" 2 200
m=$(csv_value task-clock "$ERR")
tol=$(awk -v p="$p" 'BEGIN { print p * 0.05 }')
within "task-clock agrees with perf stat within 5% on one run" "$m" "$p" "$tol"

done_testing
