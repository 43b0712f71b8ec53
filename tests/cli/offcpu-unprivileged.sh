#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# record --off-cpu as an unprivileged user on their own program (perf_event_paranoid 2: no
# context-switch samples): the waiting stacks are read from outside (off-cpu: remote), the
# waits longer than the threshold keep their functions' off-CPU (and blocked) time within
# 5% or 3 ms of tests/workload/offcpu's own figures, every thread's on-CPU plus off-CPU
# time stays within 2% of its lifetime (waits without a stack keep their durations), and
# the header says how much time has no stack. Attached (-p) to one's own waiting process,
# the open wait is closed at the end; another user's process is refused with the reason.
. "$srcdir/tests/lib.sh"
. "$srcdir/tests/offcpu-lib.sh"

[ "$(id -u)" -eq 0 ] || skip_all "needs root to switch to an unprivileged user"
paranoid=$(cat /proc/sys/kernel/perf_event_paranoid)
[ "$paranoid" -ge 2 ] ||
	skip_all "perf_event_paranoid is $paranoid: an unprivileged user may sample context switches here"
need_as_nobody

# the build tree may not be readable by nobody: copy what runs; nobody writes in home/
dir=$T_TMP/bin
mkdir "$dir" "$T_TMP/home"
cp "$PMUPROF" "$WORKLOADS/offcpu" "$dir/"
chmod 755 "$T_TMP" "$dir"
chown nobody "$T_TMP/home"
D=$T_TMP/home/o.data
TRUTH=$T_TMP/home/truth

run as_nobody "$dir/pmuprof" record -q --off-cpu -e cpu-clock -o "$D" -- "$dir/offcpu" \
	--truth "$TRUTH"
is "unprivileged record --off-cpu: exit status" "$RC" 0
[ "$RC" -eq 0 ] || { fail "unprivileged record --off-cpu failed" "$(cat "$ERR")"; done_testing; }
note_lost "$D"
like "the fallback is explained" "$(cat "$ERR")" \
	'^pmuprof: note: kernel.perf_event_paranoid is 2: .*--off-cpu reads the stacks .* from outside'
hdr=$("$PMUPROF" report -i "$D" --header)
like "header: stacks read from outside" "$hdr" '^off-cpu +remote$'
like "header: the threshold for a stack" "$hdr" '^off-cpu-min-stack-ns +[1-9][0-9]*$'
like "header: stacks read from outside counted" "$hdr" '^off-cpu-stack-remote +[1-9][0-9]*$'
like "header: time without a stack shown" "$hdr" '^off-cpu-ns-stack-none +[0-9]+$'
like "header: lost records shown" "$hdr" '^lost-ring +[0-9]+$'
# these functions only block, each wait 30 ms or more, far above the threshold (2 ms by
# default); hold_lock also burns, and a preemption shorter than the threshold keeps its
# length but no stack: its blocked part (40 ms sleeps) is what must be found there (the
# blocked parts allow for waits that ended before record's reader ran, kept without a stack)
check_functions "$D" "$TRUTH" "unprivileged: " sleep_here wait_for_lock read_pipe idle_until
check_blocked_remote "$D" "$TRUTH" "unprivileged: " hold_lock sleep_here wait_for_lock read_pipe
# at perf_event_paranoid 2 the CPU samples are of user mode only: a burning thread's time in
# the kernel (page faults, its clock reads; more under ASan) is not sampled, and has come
# to 2.1% of its lifetime: 3% here, 2% as root (offcpu.sh)
check_threads "$D" "$TRUTH" "unprivileged: " 3

# attached to one's own waiting process: its wait is closed at the end of the recording
run as_nobody sh -c "sleep 2 & exec \"$dir/pmuprof\" record -q --off-cpu -e cpu-clock \
	-o \"$D\" -p \$! --duration 0.3"
is "unprivileged -p: exit status" "$RC" 0
hdr=$("$PMUPROF" report -i "$D" --header)
like "unprivileged -p: the open wait closed at the end" "$hdr" '^off-cpu-closed-at-end +[1-9]'
near "unprivileged -p: the wait's length" \
	"$(printf '%s\n' "$hdr" | awk '$1 == "off-cpu-ns" { print $2 / 1000 }')" 300000000 5 3
# another user's process: refused, saying why
run as_nobody "$dir/pmuprof" record -q --off-cpu -e cpu-clock -o "$D" -p 1 --duration 0.2
is "another user's process: exit status" "$RC" 1
like "another user's process: the message says why" "$(cat "$ERR")" \
	'^pmuprof: cannot sample process 1 .*permission denied'

done_testing
