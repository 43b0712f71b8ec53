#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# timeline --format trace (Chrome trace event JSON) of two recordings with --off-cpu: the
# ticker (a timer every 100 ms, on_tick, two SIGUSR1 sent by this script) and the blocking
# workload (tests/workload/offcpu). Each file's structure (tests/trace-check.py check: every
# event's fields, ts never going back on a thread, complete events not overlapping on a
# thread, flows paired) and what it says: the ticker's one thread and a wait in wait_loop per
# tick and signal, together as long as the workload measured, its samples and its spans on
# CPU in on_tick, every sample within an on-CPU span; each blocking function of offcpu named
# by off-CPU events whose durations sum to its off-CPU time in report; the signals with
# their sender, the timer's wakeups and the writer waking the reader, when the recording
# has them (root: the test needs it anyway). Then both files opened in a real consumer:
# speedscope's release build (contrib/install-speedscope.sh) served by python3's
# http.server to headless chromium (tests/speedscope-harness.html walks through its
# profiles): a profile per thread named by its process and thread, and in its sandwich
# view exactly the file's events of that thread, by name and args, with their durations.
. "$srcdir/tests/lib.sh"
. "$srcdir/tests/offcpu-lib.sh"

command -v python3 >/dev/null || skip_all "python3 is needed to read the trace files"
[ "$(id -u)" -eq 0 ] ||
	skip_all "needs root for the context-switch samples of record --off-cpu"
top=$(cd "$srcdir" && pwd)
check="python3 $top/tests/trace-check.py"
cd "$T_TMP" || exit 1

# ---- the ticker, sent two SIGUSR1 while it runs
"$PMUPROF" record -q --off-cpu -e cpu-clock -F 20000 -o ticker.data -- "$WORKLOADS/ticker" \
	-s 2 --ready ready --truth ticker.truth >"$OUT" 2>"$ERR" &
rpid=$!
for _ in $(seq 200); do
	[ -e ready ] && break
	sleep 0.05
done
tpid=$(cat ready 2>/dev/null)
if [ -n "$tpid" ]; then
	sleep 0.4
	kill -USR1 "$tpid"
	sleep 0.5
	kill -USR1 "$tpid"
fi
RC=0
wait $rpid || RC=$?
is "ticker: recorded" "$RC" 0
[ "$RC" -eq 0 ] || { fail "record --off-cpu failed" "$(cat "$ERR")"; done_testing; }

run_pmuprof timeline -i ticker.data --format trace -o ticker.json
is "ticker: exit status" "$RC" 0
is "ticker: nothing on stdout with -o" "$(cat "$OUT")" ""
run $check check ticker.json
is "ticker: structure" "$RC" 0
[ "$RC" -eq 0 ] || fail "ticker: faults" "$(cat "$OUT")"

tick_pid=$(awk '$1 == "pid" { print $2 }' ticker.truth)
ticks=$(awk '$1 == "ticks" { print $2 }' ticker.truth)
nsig=$(awk '$1 == "signal" { n++ } END { print n + 0 }' ticker.truth)
is "ticker: one thread, named" "$($check threads ticker.json)" "$tick_pid $tick_pid ticker"
$check spans ticker.json off-cpu >ticker.off
waits=$(awk '$2 == "wait_loop" && $3 == "blocked" { n++ } END { print n + 0 }' ticker.off)
within "ticker: a wait in wait_loop per tick and signal" "$waits" $((ticks + nsig)) 1
# the workload's wall time in wait_loop minus its CPU time there: its time off CPU
want=$(awk '$1 == "wait" { print $2 - $3 }' ticker.truth)
got=$(awk '$5 ~ /(^|;)wait_loop(;|$)/ { t += $4 } END { print t + 0 }' ticker.off)
near "ticker: the waits under wait_loop last as long as its time off CPU" \
	"$(awk -v g="$got" 'BEGIN { printf "%.0f", g / 1000 }')" "$want" 2 3
$check instants ticker.json cpu-sample >ticker.samples
ok "ticker: samples in on_tick, with their stacks" grep -q '"on_tick"' ticker.samples
# a tick's span is named by where its user-mode samples are: most ticks get one
$check spans ticker.json on-cpu >ticker.on
named=$(awk '$2 == "on_tick" { n++ } END { print n + 0 }' ticker.on)
ok "ticker: on-CPU spans named on_tick ($named of $ticks ticks)" test "$named" -gt 0
is "ticker: every CPU sample within an on-CPU span of its thread" \
	"$($check samples ticker.json | awk '{ print $2 }')" 0

# signals and wakeups: what the recording has of them, if the timeline passes them on
$check instants ticker.json signal >ticker.signals
$check instants ticker.json wakeup >ticker.wakeups
if [ -s ticker.signals ]; then
	start=$($check start ticker.json)
	sender=$(awk '$1 == "signal" { print $4; exit }' ticker.truth)
	is "ticker: both SIGUSR1 sent, from this script to the ticker" \
		"$(awk '$3 == "SIGUSR1" && /"event": "sent"/ && /"sender_pid": '"$sender"',/ &&
			/"receiver_pid": '"$tick_pid"',/ { n++ } END { print n + 0 }' ticker.signals)" 2
	# each sent before the ticker read it, and not long before (its wakeup's latency)
	tstart=$(awk '$1 == "start" { print $2 }' ticker.truth)
	for i in 0 1; do
		read_at=$(awk -v i=$i -v s="$tstart" '$1 == "signal" && $2 == i { printf "%.0f\n", s + $3 }' \
			ticker.truth)
		sent_at=$(awk -v i=$i -v s="$start" '$3 == "SIGUSR1" && /"event": "sent"/ {
			if (n++ == i) printf "%.0f\n", s + $2 }' ticker.signals)
		ok "ticker: signal $i sent before the ticker read it, within 50 ms" \
			awk -v a="$sent_at" -v b="$read_at" 'BEGIN { exit !(a != "" && a <= b && b - a < 5e7) }'
	done
	ok "ticker: woken by its timer: wakeups from outside the timeline" \
		test "$(wc -l <ticker.wakeups)" -ge "$ticks"
else
	if "$PMUPROF" script -i ticker.data 2>/dev/null | grep -q 'signal:signal_generate'; then
		why="the recording has its signals, but timeline does not hand them to the model"
	else
		why="the recording has no signals ($("$PMUPROF" report -i ticker.data --header |
			grep -i 'off-cpu-events' || echo 'no note'))"
	fi
	skip "ticker: the signals, with their sender" "$why"
	skip "ticker: the wakeups" "$why"
fi

# ---- the blocking workload
run_pmuprof record -q --off-cpu -e cpu-clock -o off.data -- "$WORKLOADS/offcpu" --truth off.truth
is "offcpu: recorded" "$RC" 0
run_pmuprof timeline -i off.data --format trace -o off.json
is "offcpu: exit status" "$RC" 0
run $check check off.json
is "offcpu: structure" "$RC" 0
[ "$RC" -eq 0 ] || fail "offcpu: faults" "$(cat "$OUT")"
threads=$($check threads off.json | awk '{ print $3 }' | sort | tr '\n' ' ')
is "offcpu: its threads, named" "$threads" "burner0 holder offcpu reader sleeper waiter writer "
$check spans off.json off-cpu >off.spans
folded off.data off-cpu >off.folded
for fn in sleep_here hold_lock wait_for_lock read_pipe; do
	named=$(awk -v f="$fn" '$2 == f { n++ } END { print n + 0 }' off.spans)
	ok "offcpu: off-CPU events named $fn ($named)" test "$named" -gt 0
	got=$(awk -v f="$fn" '{ n = split($5, s, ";"); for (i = 1; i <= n; i++) if (s[i] == f) {
		t += $4; break } } END { printf "%.0f", t / 1000 }' off.spans)
	# report's folded lines are in microseconds, rounded each
	lines=$(awk -v f="$fn" '{ s = $0; sub(/ [0-9]+$/, "", s); n = split(s, a, ";")
		for (i = 1; i <= n; i++) if (a[i] == f) { c++; break } } END { print c + 1 }' off.folded)
	within "offcpu: the off-CPU events under $fn sum to its off-CPU time in report (us)" \
		"$got" "$(us_under "$fn" <off.folded)" "$lines"
done
if [ -n "$($check instants off.json wakeup)$($check flows off.json wakeup)" ]; then
	wtid=$(awk '$1 == "thread" && $2 == "writer" { print $3 }' off.truth)
	rtid=$(awk '$1 == "thread" && $2 == "reader" { print $3 }' off.truth)
	ok "offcpu: the writer wakes the reader (a flow between their tracks)" \
		sh -c "$check flows off.json wakeup | grep -q '^$wtid $rtid '"
else
	skip "offcpu: the writer wakes the reader" "the timeline has no wakeups"
fi

# ---- speedscope in headless chromium
ssdir=$(sh "$top/contrib/install-speedscope.sh" --dir)
if ! command -v chromium >/dev/null; then
	skip "speedscope shows the files" "chromium is not installed (contrib/install-deps.sh --test)"
	done_testing
fi
if [ ! -f "$ssdir/index.html" ]; then
	skip "speedscope shows the files" \
		"speedscope is not installed in $ssdir (contrib/install-speedscope.sh)"
	done_testing
fi
mkdir www
ln -s "$ssdir" www/ss
cp "$top/tests/speedscope-harness.html" ticker.json off.json www/
# port 0: the kernel picks a free one, which the server prints
(cd www && exec python3 -u -m http.server 0 --bind 127.0.0.1 >../http.out 2>../http.err) &
hpid=$!
port=
for _ in $(seq 100); do
	port=$(sed -n 's/^Serving HTTP on .* port \([0-9]*\) .*/\1/p' http.out)
	[ -n "$port" ] && break
	sleep 0.05
done
ok "an HTTP server for the files" test -n "$port"
for f in ticker off; do
	# the sandbox needs user namespaces that a container may not give root
	timeout 120 chromium --headless --no-sandbox --disable-gpu --no-first-run \
		--user-data-dir="$T_TMP/chromium" --virtual-time-budget=30000 \
		--dump-dom "http://127.0.0.1:$port/speedscope-harness.html#$f.json" \
		>"$f.dom" 2>"$f.chromium.err"
	run $check shown "$f.json" "$f.dom"
	is "speedscope shows $f.json as the file says" "$RC" 0
	[ "$RC" -eq 0 ] || fail "speedscope: $f.json" "$(cat "$OUT")" "$(tail -5 "$f.chromium.err")"
	cp "$OUT" "$f.shown"
done
like "speedscope: the ticker's profile, named" "$(cat ticker.shown)" "^$tick_pid ticker [0-9]+$"
for t in sleeper holder waiter writer reader burner0; do
	like "speedscope: a profile of $t" "$(cat off.shown)" "^[0-9]+ $t [0-9]+$"
done
# what a reader looks for, in the page itself: a row of the sandwich view per frame
like "speedscope: the ticker's waits in wait_loop" "$(cat ticker.dom)" \
	'	wait_loop \{"state":"blocked","stack":\[.*"wait_loop","main"'
like "speedscope: the ticks, on CPU in on_tick" "$(cat ticker.dom)" '	on_tick \{"state":"running"\}'
like "speedscope: sleeper's waits in sleep_here" "$(cat off.dom)" \
	'	sleep_here \{"state":"blocked"'
kill "$hpid"
wait "$hpid" 2>/dev/null
done_testing
