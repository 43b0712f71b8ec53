# SPDX-License-Identifier: GPL-2.0-or-later
# pmuprof stat -p, -t, -a and --per-thread on a running process.
. "$srcdir/tests/lib.sh"

run_pmuprof stat -e task-clock -- true
[ "$RC" -eq 0 ] || skip_all "perf_event_open is not usable here: $(cat "$ERR")"

"$WORKLOADS/burn" 2 forever &
bpid=$!
trap 'kill $bpid 2>/dev/null; rm -rf "$T_TMP"' EXIT
# wait until both threads exist
for i in 1 2 3 4 5 6 7 8 9 10; do
	[ "$(ls /proc/$bpid/task | wc -l)" -ge 2 ] && break
	sleep 0.1
done

run_pmuprof stat -p $bpid --duration 0.5 -x, -e task-clock,context-switches
is "-p: exit status" "$RC" 0
tc=$(csv_value task-clock "$ERR")
# two spinning threads for 0.5 s: at most 1000 ms of CPU, and surely some
ok "-p: task-clock is positive and at most 2 CPUs x 0.5 s ($tc ms)" \
	awk -v t="$tc" 'BEGIN { exit !(t > 0 && t <= 1050) }'

run_pmuprof stat -p $bpid --duration 0.3 --per-thread -x, -e task-clock
is "--per-thread: exit status" "$RC" 0
is "--per-thread: one line per thread" "$(grep -c "^burn-[0-9]*,.*task-clock" "$ERR")" 2
like "--per-thread: the main thread is named comm-tid" "$(cat "$ERR")" "^burn-$bpid,"

tid=$(ls /proc/$bpid/task | grep -v "^$bpid\$" | head -1)
run_pmuprof stat -t "$tid" --duration 0.3 -x, -e task-clock
is "-t: exit status" "$RC" 0
tc=$(csv_value task-clock "$ERR")
ok "-t: one thread counts at most one CPU x 0.3 s ($tc ms)" \
	awk -v t="$tc" 'BEGIN { exit !(t > 0 && t <= 320) }'

run_pmuprof stat -a --duration 0.3 -e task-clock,context-switches
is "-a: exit status" "$RC" 0
like "-a: heading" "$(cat "$ERR")" 'Performance counter stats for all CPUs:'
like "-a: counts" "$(cat "$ERR")" 'msec task-clock'

# -a with a command: the command sets how long to count
run_pmuprof stat -a -x, -e task-clock -- sleep 0.2
is "-a with a command: exit status" "$RC" 0
ncpu=$(getconf _NPROCESSORS_ONLN)
tc=$(csv_value task-clock "$ERR")
ok "-a with a command: about $ncpu CPUs x 0.2 s ($tc ms)" \
	awk -v t="$tc" -v n="$ncpu" 'BEGIN { exit !(t >= n * 150 && t <= n * 400) }'

# Ctrl-C (SIGINT) ends an attach and prints the totals
signal_pmuprof INT stat -p $bpid -e task-clock
is "SIGINT ends -p with status 0" "$RC" 0
like "and prints totals" "$(cat "$ERR")" 'msec task-clock'

kill $bpid
wait $bpid 2>/dev/null

# -p ends by itself when the process exits
"$WORKLOADS/burn" 1 300 &
bpid=$!
run_pmuprof stat -p $bpid -x, -e task-clock
is "-p ends when the process exits" "$RC" 0
tc=$(csv_value task-clock "$ERR")
ok "-p of a short process: counted ($tc ms)" awk -v t="$tc" 'BEGIN { exit !(t > 0 && t <= 340) }'

done_testing
