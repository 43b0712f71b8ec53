# SPDX-License-Identifier: GPL-2.0-or-later
# An unprivileged user counts their own processes (user space only at
# perf_event_paranoid 2) and gets an explanation for what they may not count.
. "$srcdir/tests/lib.sh"

[ "$(id -u)" -eq 0 ] || skip_all "needs root to switch to an unprivileged user"
paranoid=$(cat /proc/sys/kernel/perf_event_paranoid)
[ "$paranoid" -le 2 ] || skip_all "perf_event_paranoid is $paranoid: unprivileged counting is off"
need_as_nobody

# the build tree may not be readable by nobody: copy what runs
dir=$T_TMP/bin
mkdir "$dir"
cp "$PMUPROF" "$WORKLOADS/burn" "$WORKLOADS/pages" "$dir/"
chmod 755 "$T_TMP" "$dir"

run as_nobody "$dir/pmuprof" stat -x, -e task-clock,page-faults -- "$dir/burn" 1 100
is "unprivileged: exit status" "$RC" 0
if [ "$paranoid" -ge 2 ]; then
	like "paranoid 2: task-clock counted in user space" "$(cat "$ERR")" '^[0-9.]+,msec,task-clock:u,'
	like "paranoid 2: the fallback is explained" "$(cat "$ERR")" \
		'^pmuprof: note: kernel.perf_event_paranoid is 2: counting user space only'
	tc=$(awk -F, '$3 == "task-clock:u" { print $1 }' "$ERR")
	within "paranoid 2: task-clock still covers the workload" "$tc" 105 15
	pf=$(awk -F, '$3 == "page-faults:u" { print $1 }' "$ERR")
	ok "paranoid 2: page faults counted ($pf)" [ "${pf:-0}" -gt 0 ]
else
	like "task-clock counted" "$(cat "$ERR")" '^[0-9.]+,msec,task-clock,'
fi

if [ "$paranoid" -ge 1 ]; then
	run as_nobody "$dir/pmuprof" stat -a --duration 0.1
	is "unprivileged -a: exit status" "$RC" 1
	like "unprivileged -a: the message explains paranoid and CAP_PERFMON" "$(cat "$ERR")" \
		"^pmuprof: cannot count all CPUs: permission denied: counting all CPUs needs CAP_PERFMON \(or root\) or kernel.perf_event_paranoid <= 0 \(it is $paranoid here; as root: sysctl -w kernel.perf_event_paranoid=0\)$"
fi

run as_nobody "$dir/pmuprof" stat -p 1 --duration 0.1
is "another user's process: exit status" "$RC" 1
like "another user's process: the message names it and says what to do" "$(cat "$ERR")" \
	'^pmuprof: cannot count process 1: permission denied: .*CAP_PERFMON.*kernel.perf_event_paranoid'

# refused, unlike an event this machine lacks (cycles without a PMU): the
# command does not run
run as_nobody "$dir/pmuprof" stat -p 1 -e cycles,task-clock -- sh -c 'echo ran'
is "every event refused: exit status" "$RC" 1
is "every event refused: the command did not run" "$(cat "$OUT")" ""
like "every event refused: the refusal is explained" "$(cat "$ERR")" \
	'^pmuprof: cannot count process 1: permission denied: '

run as_nobody "$dir/pmuprof" stat -o /root/pmuprof-denied.txt -- true
is "unwritable -o as nobody: exit status" "$RC" 1
is "unwritable -o as nobody: message" "$(cat "$ERR")" \
	"pmuprof: cannot open '/root/pmuprof-denied.txt' for writing: Permission denied"

# record as an unprivileged user: user space only, ring buffers fitted to
# kernel.perf_event_mlock_kb instead of failing
chmod 1777 "$T_TMP"
run as_nobody "$dir/pmuprof" record -o "$T_TMP/nobody.data" -m 4096 -- "$dir/burn" 1 100
is "unprivileged record: exit status" "$RC" 0
if [ "$paranoid" -ge 2 ]; then
	like "unprivileged record: user space only is said" "$(cat "$ERR")" \
		'^pmuprof: note: kernel.perf_event_paranoid is 2: sampling user space only'
fi
like "unprivileged record: -m 4096 fitted to perf_event_mlock_kb" "$(cat "$ERR")" \
	'^pmuprof: note: ring buffers of [0-9]+ pages per CPU, not 4096: that is what kernel.perf_event_mlock_kb and RLIMIT_MEMLOCK allow$'
run as_nobody "$dir/pmuprof" report -i "$T_TMP/nobody.data" --no-children
like "unprivileged report: the hot function" "$(grep -v '^#' "$OUT" | head -1)" '\[\.\] burn$'

done_testing
