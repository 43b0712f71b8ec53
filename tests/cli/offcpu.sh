#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# record --off-cpu against workloads that measure themselves (tests/workload/offcpu and
# ticker): each function's off-CPU time in report --view off-cpu within 5% or 3 ms of the
# workload's own figure (its wall time minus its CPU time), and the blocked part of it as
# close to the time the workload timed around its blocking calls; 99% of the off-CPU time
# in stacks that unwind to main or start_thread; each thread's on-CPU plus off-CPU time in
# --view wall within 2% of the lifetime it measured; with more busy threads than CPUs,
# runnable time appears and the per-thread sums still hold; a timer-driven program shows
# at least 99% of its wall time off-CPU under its wait loop. As root the kernel samples
# each switch-out (off-cpu: switch); the summary, header and report head show the lost
# records. The unprivileged case is tests/cli/offcpu-unprivileged.sh.
. "$srcdir/tests/lib.sh"
. "$srcdir/tests/offcpu-lib.sh"

[ "$(id -u)" -eq 0 ] ||
	skip_all "needs root for the context-switch samples (offcpu-unprivileged.sh tests the rest)"

D=$T_TMP/o.data
TRUTH=$T_TMP/truth

# 1. the blocking workload on an otherwise idle pair of CPUs
run_pmuprof record --off-cpu -e cpu-clock -o "$D" -- "$WORKLOADS/offcpu" --truth "$TRUTH"
is "record --off-cpu: exit status" "$RC" 0
[ "$RC" -eq 0 ] || { fail "record --off-cpu failed" "$(cat "$ERR")"; done_testing; }
note_lost "$D"
like "record's summary: lost records shown" "$(cat "$ERR")" '^\[ pmuprof record: .*; [0-9]+ lost'
like "record's summary: the waits" "$(cat "$ERR")" '^\[ pmuprof record: off CPU: [0-9]+ waits'
hdr=$("$PMUPROF" report -i "$D" --header)
like "header: the kernel sampled the switches" "$hdr" '^off-cpu +switch$'
like "header: off-CPU samples counted" "$hdr" '^off-cpu-samples +[1-9][0-9]*$'
like "header: lost records shown" "$hdr" '^lost-ring +[0-9]+$'
like "report head: lost records shown" "$("$PMUPROF" report -i "$D" 2>&1 | head -20)" \
	'^# lost: [0-9]+'
# the checks below mean something only if the workload waited as designed (10 rounds of
# 100 ms: sleep_here and read_pipe most of each, hold_lock 40 ms, wait_for_lock 30 ms)
for fn in sleep_here read_pipe hold_lock wait_for_lock; do
	ns=$(awk -v f="$fn" '$1 == "func" && $2 == f { n += $4 } END { print n + 0 }' "$TRUTH")
	ok "workload: $fn waited ($ns ns)" test "$ns" -ge 100000000
done
check_functions "$D" "$TRUTH" "" sleep_here hold_lock wait_for_lock read_pipe idle_until \
	burn_cpu write_late
check_blocked "$D" "$TRUTH" "" sleep_here wait_for_lock read_pipe
check_roots "$D" ""
check_threads "$D" "$TRUTH" ""
blocked=$(folded "$D" off-cpu | us_under "[off-cpu: blocked]")
ok "blocked time under its marker frame (${blocked} us)" test "$blocked" -gt 0

# 2. four burners on two CPUs: they queue for the CPUs
run_pmuprof record -q --off-cpu -e cpu-clock -o "$D" -- "$WORKLOADS/offcpu" -s 0.5 -b 4 \
	--truth "$TRUTH"
is "oversubscribed: exit status" "$RC" 0
note_lost "$D"
runnable=$(folded "$D" off-cpu | us_under "[off-cpu: runnable]")
burn_runnable=$(folded "$D" off-cpu --symbol burn_cpu | us_under "[off-cpu: runnable]")
ok "oversubscribed: runnable time present (${runnable} us)" test "$runnable" -gt 0
ok "oversubscribed: runnable time in burn_cpu (${burn_runnable} us)" test "$burn_runnable" -gt 0
check_functions "$D" "$TRUTH" "oversubscribed: " burn_cpu sleep_here read_pipe
check_threads "$D" "$TRUTH" "oversubscribed: "

# 3. the ticker, sent two SIGUSR1 while it runs: it waits nearly all its life (2 s, so
# that the start, preempted on a loaded machine, weighs little)
rm -f "$T_TMP/ready"
"$PMUPROF" record -q --off-cpu -e cpu-clock -o "$D" -- "$WORKLOADS/ticker" -s 2 \
	--ready "$T_TMP/ready" --truth "$TRUTH" >"$OUT" 2>"$ERR" &
rpid=$!
for _ in $(seq 100); do
	[ -e "$T_TMP/ready" ] && break
	sleep 0.05
done
tpid=$(cat "$T_TMP/ready" 2>/dev/null)
if [ -n "$tpid" ]; then
	sleep 0.25
	kill -USR1 "$tpid"
	sleep 0.2
	kill -USR1 "$tpid"
fi
RC=0
wait $rpid || RC=$?
is "ticker: exit status" "$RC" 0
note_lost "$D"
is "ticker: both signals received" "$(grep -c '^signal ' "$TRUTH")" 2
wall=$(folded "$D" wall | us_total)
waiting=$(folded "$D" off-cpu | us_under wait_loop)
ok "ticker: off-CPU under wait_loop is at least 99% of wall time ($waiting of $wall us)" \
	awk -v a="$waiting" -v b="$wall" 'BEGIN { exit !(b > 0 && a >= 0.99 * b) }'
# what was not under wait_loop, the largest first, for a failure's log
folded "$D" wall | grep -v ';wait_loop;' | awk '{ print $NF, $0 }' | sort -rn | head -5 |
	cut -c1-300 | sed 's/^/# outside wait_loop: /'
set -- $(awk '$1 == "wait" { print $2, $3 }' "$TRUTH")
near "ticker: wait_loop off-CPU" "$waiting" $(($1 - $2)) 5 3
near "ticker: the thread's wall time" "$wall" "$(awk '$1 == "lifetime" { print $2 }' "$TRUTH")" 2 0

done_testing
