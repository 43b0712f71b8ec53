#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# record --off-cpu records signals and wakeups of the profiled threads (as root): while
# tests/workload/ticker runs, a sender outside the program sends it two SIGUSR1 with
# kill(2), taking CLOCK_MONOTONIC (the file's clock) just before and after each; script
# shows both generations with their sender and receiver within 1 ms of the send, and the
# ticker's wakeups by its timer about every 100 ms; the header says they were recorded.
# As nobody (where raw tracepoint data is not theirs to read), record still succeeds, with
# a note on stderr and the header saying what is missing.
. "$srcdir/tests/lib.sh"

[ "$(id -u)" -eq 0 ] || skip_all "needs root to read the kernel's tracepoints on every CPU"
command -v python3 >/dev/null || skip_all "needs python3 to send signals at known times"
if ! [ -r /sys/kernel/tracing/events/signal/signal_generate/format ] &&
	! [ -r /sys/kernel/debug/tracing/events/signal/signal_generate/format ]; then
	skip_all "no tracefs mounted (mount -t tracefs nodev /sys/kernel/tracing)"
fi

D=$T_TMP/t.data
TRUTH=$T_TMP/truth
READY=$T_TMP/ready
SENT=$T_TMP/sent

# the sender: waits for the ticker's timer to run, then two SIGUSR1 0.6 s apart, each
# between two readings of CLOCK_MONOTONIC; prints its own pid, then "BEFORE AFTER" (ns)
cat >"$T_TMP/send.py" <<'EOF'
import os, signal, sys, time
ready, out = sys.argv[1], sys.argv[2]
deadline = time.monotonic() + 10
while time.monotonic() < deadline:
    try:
        with open(ready) as f:
            pid = int(f.read().split()[0])
        break
    except (OSError, ValueError, IndexError):
        time.sleep(0.01)
else:
    sys.exit("the ticker never became ready")
lines = [str(os.getpid())]
for delay in (0.5, 0.6):
    time.sleep(delay)
    t0 = time.clock_gettime_ns(time.CLOCK_MONOTONIC)
    os.kill(pid, signal.SIGUSR1)
    t1 = time.clock_gettime_ns(time.CLOCK_MONOTONIC)
    lines.append("%d %d" % (t0, t1))
with open(out, "w") as f:
    f.write("\n".join(lines) + "\n")
EOF

python3 "$T_TMP/send.py" "$READY" "$SENT" &
spid=$!
run_pmuprof record --off-cpu -e cpu-clock -o "$D" -- "$WORKLOADS/ticker" -s 2 --ready "$READY" \
	--truth "$TRUTH"
wait $spid
is "record: exit status" "$RC" 0
[ -s "$SENT" ] || { fail "the signals were not sent"; done_testing; }
like "record's summary counts signals and wakeups" "$(cat "$ERR")" \
	'off CPU: .*; [1-9][0-9]* signals, [1-9][0-9]* wakeups \]$'
hdr=$("$PMUPROF" report -i "$D" --header)
like "header: signals and wakeups recorded" "$hdr" '^off-cpu-events +signals wakeups$'
like "header: signals counted" "$hdr" '^off-cpu-signals +[2-9]$'
like "header: wakeups counted" "$hdr" '^off-cpu-wakeups +[1-9][0-9]+$'

tpid=$(awk '$1 == "pid" { print $2 }' "$TRUTH")
sender=$(sed -n 1p "$SENT")
run_pmuprof script -i "$D"
is "script: exit status" "$RC" 0
gens=$(grep -E ": signal:signal_generate: sig=10 .* pid=$tpid " "$OUT")
is "script: two generations of SIGUSR1 to the ticker" "$(printf '%s\n' "$gens" | grep -c .)" 2
for i in 1 2; do
	line=$(printf '%s\n' "$gens" | sed -n "${i}p")
	is "signal $i: sent by the sender's thread, named" \
		"$(printf '%s\n' "$line" | awk '{ print $1, $2 }')" "python3 $sender"
	like "signal $i: received by the ticker" "$line" "comm=ticker pid=$tpid grp=1 res=0\$"
	# how far the generation lies outside the interval the kill was made in, in ms
	out=$(printf '%s\n' "$line" | awk -v range="$(sed -n "$((i + 1))p" "$SENT")" '{
		t = $4; sub(/:$/, "", t)
		split(range, r, " ")
		ms = t * 1000; lo = r[1] / 1e6; hi = r[2] / 1e6
		d = ms < lo ? lo - ms : ms > hi ? ms - hi : 0
		printf "%.3f", d }')
	within "signal $i: generated when it was sent (ms outside the kill)" "$out" 0 1
done

# the ticker's wakeups: its timer's (from whatever ran, often the idle task) about every
# 100 ms; the median gap between them is the period
gaps=$(grep -E ": sched:sched_wakeup: comm=ticker pid=$tpid " "$OUT" | awk '{
	t = $4; sub(/:$/, "", t)
	if (n++) printf "%.3f\n", (t - last) * 1000
	last = t }' | sort -n)
ngaps=$(printf '%s\n' "$gaps" | grep -c .)
ok "wakeups of the ticker: one per tick or more ($ngaps gaps)" [ "$ngaps" -ge 15 ]
median=$(printf '%s\n' "$gaps" | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }')
within "wakeups of the ticker: median gap (ms)" "$median" 100 5
# script --tid keeps the events that concern the thread, and only them
run_pmuprof script -i "$D" --tid "$tpid"
like "script --tid: the ticker's wakeups" "$(cat "$OUT")" "sched:sched_wakeup: comm=ticker pid=$tpid "
is "script --tid: every wakeup shown woke the ticker or was its doing" \
	"$(grep -E ': sched:sched_wakeup(_new)?: ' "$OUT" | awk -v t="$tpid" \
		'$2 != t && $0 !~ (" pid=" t " ") { n++ } END { print n + 0 }')" 0

# as nobody: the tracepoints are not theirs to read (paranoid above -1, tracefs root's)
need_as_nobody
paranoid=$(cat /proc/sys/kernel/perf_event_paranoid)
if [ "$paranoid" -ge 0 ]; then
	dir=$T_TMP/bin
	mkdir "$dir" "$T_TMP/home"
	cp "$PMUPROF" "$WORKLOADS/ticker" "$dir/"
	chmod 755 "$T_TMP" "$dir"
	chown nobody "$T_TMP/home"
	run as_nobody "$dir/pmuprof" record --off-cpu -e cpu-clock -o "$T_TMP/home/n.data" -- \
		"$dir/ticker" -s 0.3
	is "as nobody: record succeeds" "$RC" 0
	like "as nobody: a one-line note says what is missing" "$(cat "$ERR")" \
		'^pmuprof: note: --off-cpu records no signals or wakeups: .*(paranoid|root)'
	like "as nobody: the summary says so" "$(cat "$ERR")" \
		'; signals and wakeups not recorded \]$'
	like "as nobody: the header says what is missing and how to get it" \
		"$("$PMUPROF" report -i "$T_TMP/home/n.data" --header)" \
		'^off-cpu-events +none: .*(root|CAP_PERFMON).*perf_event_paranoid'
else
	skip "as nobody: a note" "perf_event_paranoid is $paranoid: nobody may read tracepoints"
fi
done_testing
