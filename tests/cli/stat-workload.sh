# SPDX-License-Identifier: GPL-2.0-or-later
# pmuprof stat on workloads whose CPU time and page faults are known by design.
. "$srcdir/tests/lib.sh"

run_pmuprof stat -e task-clock -- true
[ "$RC" -eq 0 ] || skip_all "perf_event_open is not usable here: $(cat "$ERR")"

# burn 2 250: two threads, each 250 ms of its own CPU time (CLOCK_THREAD_CPUTIME_ID).
# task-clock follows both threads (the second is created after exec) and
# adds only process start-up, so it lands near [500, 550] ms; a loaded
# machine has been seen a fraction of a percent below (499 ms).
run_pmuprof stat -x, -e task-clock,page-faults -- "$WORKLOADS/burn" 2 250
is "burn: exit status" "$RC" 0
tc=$(csv_value task-clock "$ERR")
within "task-clock covers both threads" "$tc" 525 35

# pages N touches N fresh pages: N more faults than pages 0 (without address
# randomization: with it the two counts move apart by a few, 2997..3005 seen)
run $NORAND "$PMUPROF" stat -x, -e page-faults -- "$WORKLOADS/pages" 0
base=$(csv_value page-faults "$ERR")
run $NORAND "$PMUPROF" stat -x, -e page-faults -- "$WORKLOADS/pages" 3000
touched=$(csv_value page-faults "$ERR")
within "page-faults: pages 3000 takes 3000 more faults than pages 0" "$((touched - base))" 3000 3

# the default event set, like perf stat's
run_pmuprof stat -- "$WORKLOADS/burn" 1 20
out=$(cat "$ERR")
for e in task-clock context-switches cpu-migrations page-faults cycles instructions branches branch-misses; do
	like "default set has $e" "$out" " $e( |$)"
done
like "heading names the command" "$out" "Performance counter stats for '$WORKLOADS/burn 1 20':"
like "CPUs utilized" "$out" 'msec task-clock +# +[0-9.]+ CPUs utilized'
like "page-faults rate" "$out" 'page-faults +# +[0-9.]+ [KMG]?/sec'
like "elapsed time" "$out" '[0-9]+\.[0-9]{9} seconds time elapsed'
like "user time" "$out" '[0-9]+\.[0-9]{9} seconds user'
if [ ! -e /sys/bus/event_source/devices/cpu ]; then
	like "no PMU: cycles is <not supported>" "$out" '<not supported> +cycles'
	like "no PMU: the reason is given" "$out" '<not supported>: cycles, instructions, branches, branch-misses: no such event on this machine'
fi

# exit status passes through
run_pmuprof stat -e task-clock -- sh -c 'exit 3'
is "workload exit status passes through" "$RC" 3
run_pmuprof stat -e task-clock -- sh -c 'kill -TERM $$'
is "killed by SIGTERM: 128 + 15" "$RC" 143
like "counts are still printed" "$(cat "$ERR")" 'msec task-clock'

# the workload's own arguments are left alone, stdout stays the workload's
run_pmuprof stat -e task-clock -- sh -c 'echo "$1"' sh -e
is "options after the command belong to it" "$(cat "$OUT")" "-e"
run_pmuprof stat -e task-clock echo -x,
is "no -- needed before a command" "$(cat "$OUT")" "-x,"

# -o writes the results to a file, not stderr
run_pmuprof stat -o "$T_TMP/stat.txt" -e task-clock -- true
is "-o: exit status" "$RC" 0
is "-o: nothing on stderr" "$(cat "$ERR")" ""
like "-o: the file has the counts" "$(cat "$T_TMP/stat.txt")" 'msec task-clock'

# -r N: means and relative standard deviation
run_pmuprof stat -r 3 -e task-clock,page-faults -- "$WORKLOADS/burn" 1 20
out=$(cat "$ERR")
like "-r: heading counts the runs" "$out" '\(3 runs\):'
like "-r: task-clock has a deviation" "$out" 'task-clock .*\( \+- +[0-9.]+% \)'
like "-r: elapsed has a deviation" "$out" 'seconds time elapsed +\( \+- +[0-9.]+% \)'

# groups are read together
run_pmuprof stat -x, -e '{task-clock,page-faults},context-switches' -- "$WORKLOADS/burn" 1 20
is "group: exit status" "$RC" 0
is "group: three lines" "$(grep -c . "$ERR")" 3
like "group: page-faults counted" "$(cat "$ERR")" '^[0-9]+,,page-faults,[0-9]+,100\.00,'

# SIGTERM sent to pmuprof with kill(1) is forwarded to the workload, and the
# counts are printed. (Not SIGINT: a shell starts background jobs with SIGINT
# ignored, and the workload inherits that.)
signal_pmuprof TERM stat -e task-clock -- sleep 30
is "SIGTERM to pmuprof reaches the workload (143)" "$RC" 143
like "and the counts are printed" "$(cat "$ERR")" 'msec task-clock'

done_testing
