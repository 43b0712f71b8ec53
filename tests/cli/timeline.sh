#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# pmuprof timeline against what the workloads measure themselves:
# - tests/workload/ticker (a timerfd every 100 ms, about 20 us of CPU in on_tick) recorded
#   with record --off-cpu for 2 s: a burst holds every tick, the bursts recur at 100 ms
#   (within 2%) for as many ticks (within one), in on_tick; each tick's burst is on a CPU
#   for at least the CPU time on_tick measured, and all bursts together for at most the
#   CPU time the kernel gave the thread (the burst also holds the poll and read calls and
#   the switches, which the workload does not time: the two are the bounds it measures);
#   a tick at the very end shares the exit's burst, which is not of the series; where the
#   recording has wakeups, the delay of the bursts after the timer; without off-CPU data,
#   the period of its samples' bursts and what is missing
# - as root, two SIGUSR1 sent by a sender outside: marked in the lane and listed with
#   their sender, at the time of their kill(2) within 1 ms
# - tests/workload/phase (phase_work on a CPU from 1 s to 1.3 s): the phase's burst starts
#   and ends within 20 ms of the times the workload printed; without off-CPU data its
#   samples' bursts lie within it and cover most of it; report --time over that range has
#   phase_work on top of its CPU samples
# - the options' errors, the labels of a recording without off-CPU data, --time, --tid
. "$srcdir/tests/lib.sh"

cd "$T_TMP" || exit 1

# ---- usage
# a format named but not built in (another branch brings it) says so
run_pmuprof timeline --format heatmap
is "--format heatmap (not built in): exit status" "$RC" 2
like "--format heatmap (not built in): message" "$(cat "$ERR")" \
	'^pmuprof: timeline --format heatmap is not built into this pmuprof: use --format text'
expect_error "--format of no format" 2 \
	"pmuprof: --format takes text, trace or heatmap, not 'pdf'" timeline --format pdf
expect_error "--width too narrow" 2 \
	"pmuprof: --width takes a number of columns from 40 to 1000, not '10'" timeline --width 10
expect_error "--gap without a unit" 2 \
	"pmuprof: --gap takes a length of time with its unit (500us, 2ms, 1s), not '5'" \
	timeline --gap 5
run_pmuprof timeline -i missing.data
is "a missing file: exit status" "$RC" 1
like "a missing file: message" "$(cat "$ERR")" "^pmuprof: cannot open 'missing.data'"

# bursts FILE: the burst lines of a timeline as "START LENGTH_NS ON_NS FUNCTION" (seconds
# from the recording's start)
bursts() {
	awk 'function ns(v, u) {
		return v * (u == "s" ? 1e9 : u == "ms" ? 1e6 : u == "us" ? 1e3 : 1)
	}
	/^  +[0-9]+\.[0-9]+ +[0-9.]+ [mun]?s / {
		len = ns($2, $3)
		if ($4 == "-") { on = ns($5, $6); f = $7 } else { on = ns($6, $7); f = $8 }
		printf "%s %.0f %.0f %s\n", $1, len, on, f
	}' "$1"
}
# origin FILE: the recording's start in CLOCK_MONOTONIC ns, from the timeline's head
origin() {
	awk '/^times in seconds from the recording.s start, CLOCK_MONOTONIC / {
		split($NF == "s" ? $(NF - 1) : $NF, a, "."); printf "%s%s\n", a[1], a[2]; exit
	}' "$1"
}

# ---- the ticker
"$PMUPROF" record -q --off-cpu -e cpu-clock -F 20000 -o tick.data -- "$WORKLOADS/ticker" -s 2 \
	--truth truth >/dev/null 2>"$ERR"
is "ticker: recorded" "$?" 0
run_pmuprof timeline -i tick.data --bursts 0 --width 100
is "ticker: exit status" "$RC" 0
cp "$OUT" tick.txt
like "ticker: one lane, named" "$(cat tick.txt)" "^[0-9]+ ticker [ .,:=+*#@-]+$"
like "ticker: the legend" "$(cat tick.txt)" \
	"^each column is .*: the share of it on a CPU, '.' none, ',' up to"
like "ticker: an axis in ms" "$(cat tick.txt)" "^time \(ms\) +0 +500 +1000 +1500( +2000)?$"
ticks=$(grep -c '^tick ' truth)
ok "ticker: the workload ticked ($ticks)" test "${ticks:-0}" -ge 15
recur=$(grep '^  every ' tick.txt)
like "ticker: a period in on_tick" "$recur" \
	'^  every [0-9.]+ ms \(±[0-9.]+\), (starting [0-9.]+ [mun]?s after the timer, )?[0-9.]+ [mun]?s on CPU in on_tick \([0-9]+ samples in [0-9]+ bursts'
period=$(printf '%s\n' "$recur" | awk '{ print $2 }')
within "ticker: the period within 2% of 100 ms" "$period" 100 2
n=$(printf '%s\n' "$recur" | sed -n 's/.* samples in \([0-9]*\) bursts.*/\1/p')
within "ticker: periodic bursts for every tick, within one" "$n" "$ticks" 1
# where the recording has wakeups (root, tracefs), the bursts start after the timer's
if "$PMUPROF" report -i tick.data --header | grep -Eq '^off-cpu-events +signals wakeups$'; then
	like "ticker: the delay after the timer, from its wakeups" "$recur" \
		', starting [0-9.]+ [mun]?s after the timer, '
else
	like "ticker: without wakeup records, says the delay is unknown" "$(cat tick.txt)" \
		'no wakeup records: how long after its timer or waker each burst starts$'
fi
bursts tick.txt >bursts
o=$(origin tick.txt)
ok "ticker: the recording's start is shown ($o)" test -n "$o"
# each tick: the burst that holds its start, at least its CPU time, none twice
awk -v o="$o" -v s="$(awk '$1 == "start" { print $2 }' truth)" '
	NR == FNR { bs[n] = $1 * 1e9; bl[n] = $2; bo[n] = $3; n++; next }
	$1 == "tick" {
		at = s + $3 - o; found = -1
		for (i = 0; i < n; i++)
			if (bs[i] <= at + 1000 && at <= bs[i] + bl[i] + 1000) found = i
		if (found < 0) { printf "tick %d at %.6f s: no burst\n", $2, at / 1e9; bad++; next }
		if (used[found]++) { printf "tick %d: its burst holds another\n", $2; bad++ }
		if (bo[found] * 1.01 + 1000 < $4) {
			printf "tick %d: burst on CPU %d ns < on_tick %d ns\n", $2, bo[found], $4
			bad++
		}
		matched++
	}
	END { printf "%d %d\n", matched, bad }' bursts truth >match
set -- $(tail -n 1 match)
is "ticker: every tick in a burst of its own, on CPU at least on_tick's time" "$1 $2" "$ticks 0"
[ "$2" = 0 ] || sed 's/^/# /' match
sum=$(awk '{ t += $3 } END { printf "%.0f", t }' bursts)
cpu=$(awk '$1 == "cpu" { print $2 }' truth)
ok "ticker: the bursts' on-CPU time ($sum ns) is at most the thread's CPU time ($cpu ns)" \
	awk -v a="$sum" -v b="$cpu" 'BEGIN { exit !(a > 0 && a <= b * 1.02) }'

# --time and --tid
tid=$(awk '/^[0-9]+ ticker /{ print $1; exit }' tick.txt)
run_pmuprof timeline -i tick.data --time 0.5,1 --tid "$tid" --width 60
is "ticker --time --tid: exit status" "$RC" 0
like "ticker --time: the range" "$(cat "$OUT")" ': 0.500000 s to 1.000000 s, 500 ms, 1 thread$'
n=$(bursts "$OUT" | wc -l)
within "ticker --time 0.5,1: five bursts" "$n" 5 1
run_pmuprof timeline -i tick.data --tid 1 --width 60
like "ticker --tid of no thread: says so" "$(cat "$OUT")" '^no samples in this range$'

# ---- the ticker without off-CPU data: bursts of samples, their period, what is missing
"$PMUPROF" record -q -e cpu-clock -F 20000 -o tick-cpu.data -- "$WORKLOADS/ticker" -s 2 \
	--truth truth-cpu >/dev/null 2>"$ERR"
is "ticker without off-CPU data: recorded" "$?" 0
run_pmuprof timeline -i tick-cpu.data
recur=$(grep '^  every ' "$OUT")
like "ticker without off-CPU data: a period of its samples" "$recur" \
	'^  every [0-9.]+ ms \(±[0-9.]+\), [0-9.]+ [mun]?s of CPU samples in on_tick '
within "ticker without off-CPU data: the period within 2% of 100 ms" \
	"$(printf '%s\n' "$recur" | awk '{ print $2 }')" 100 2
like "ticker without off-CPU data: no wakeups, and why" "$(cat "$OUT")" \
	'the recording has no signals or wakeups: record --off-cpu records them where permitted\)$'

# ---- signals (as root, where the kernel's tracepoints are readable): the ticker sent two
# SIGUSR1 by a sender that takes CLOCK_MONOTONIC just before and after each kill(2)
if [ "$(id -u)" -ne 0 ]; then
	skip "signals in the timeline" "needs root to read the kernel's tracepoints"
elif ! command -v python3 >/dev/null; then
	skip "signals in the timeline" "needs python3 to send signals at known times"
elif ! [ -r /sys/kernel/tracing/events/signal/signal_generate/format ] &&
	! [ -r /sys/kernel/debug/tracing/events/signal/signal_generate/format ]; then
	skip "signals in the timeline" "no tracefs mounted (mount -t tracefs nodev /sys/kernel/tracing)"
else
	cat >send.py <<'EOF'
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
	python3 send.py ready sent &
	spid=$!
	"$PMUPROF" record -q --off-cpu -e cpu-clock -F 20000 -o sig.data -- "$WORKLOADS/ticker" \
		-s 2 --ready ready --truth sig-truth >/dev/null 2>"$ERR"
	wait $spid
	run_pmuprof timeline -i sig.data --width 100
	is "signals: exit status" "$RC" 0
	is "signals: both marked in the lane" \
		"$(awk '/^[0-9]+ ticker / { print $3 }' "$OUT" | tr -cd '!' | wc -c)" 2
	sender=$(sed -n 1p sent)
	sigs=$(grep -E '^ +[0-9]+\.[0-9]{6}  SIGUSR1 sent by ' "$OUT")
	is "signals: both listed" "$(printf '%s\n' "$sigs" | grep -c .)" 2
	o=$(origin "$OUT")
	for i in 1 2; do
		line=$(printf '%s\n' "$sigs" | sed -n "${i}p")
		like "signal $i: sent by the sender" "$line" "sent by $sender\$"
		# how far the signal lies outside the interval its kill was made in, in ms
		within "signal $i: at the time it was sent (ms outside the kill)" \
			"$(printf '%s\n' "$line" | awk -v o="$o" -v range="$(sed -n "$((i + 1))p" sent)" '{
				split(range, r, " "); t = o / 1e6 + $1 * 1000
				lo = r[1] / 1e6; hi = r[2] / 1e6
				d = t < lo ? lo - t : t > hi ? t - hi : 0
				printf "%.3f", d }')" 0 1
	done
fi

# ---- the phase
phase_check() { # LABEL FILE TRUTH
	run_pmuprof timeline -i "$2" --bursts 0
	is "phase$1: exit status" "$RC" 0
	cp "$OUT" "$2.txt"
	o=$(origin "$2.txt")
	set -- "$1" "$2" "$3" $(awk -v o="$o" '$1 == "start" { s = $2 }
		$1 == "phase" { printf "%.6f %.6f\n", (s + $2 - o) / 1e9, (s + $3 - o) / 1e9 }' "$3")
	# from its first burst to its last (preemptions longer than the gap split it when
	# there is no off-CPU data to tell them from waits)
	b=$(bursts "$2.txt" | awk '$4 == "phase_work" { if (!n++) s = $1; e = $1 + $2 / 1e9 }
		END { if (n) printf "%s %.6f\n", s, e }')
	PHASE_FROM=$4
	PHASE_TO=$5
	PHASE_BURSTS=$b
}
# phase_placed LABEL: the phase's bursts start and end within 20 ms of the phase
phase_placed() {
	within "phase$1: starts where it did" "${PHASE_BURSTS% *}" "$PHASE_FROM" 0.02
	within "phase$1: ends where it did" "${PHASE_BURSTS#* }" "$PHASE_TO" 0.02
}
"$PMUPROF" record -q --off-cpu -e cpu-clock -F 1000 -o phase.data -- "$WORKLOADS/phase" \
	>phase.truth 2>"$ERR"
is "phase: recorded" "$?" 0
phase_check "" phase.data phase.truth
phase_placed ""
# on a busy machine the phase may wait for a CPU longer than it runs: its CPU samples
run_pmuprof report -i phase.data --time "$PHASE_FROM,$PHASE_TO" --view cpu --stdio \
	--no-children -g none
like "phase: report --time over it has phase_work on top of the CPU view" \
	"$(grep -v '^#' "$OUT" | grep -v '^$' | head -n 1)" '\[\.\] phase_work$'

"$PMUPROF" record -q -e cpu-clock -F 1000 -o phase-cpu.data -- "$WORKLOADS/phase" \
	>phase-cpu.truth 2>"$ERR"
is "phase without off-CPU data: recorded" "$?" 0
phase_check " without off-CPU data" phase-cpu.data phase-cpu.truth
# samples alone cannot tell a preempted phase from its end (a busy machine may keep it off
# the CPU for its last tens of ms): its samples lie within it, two periods either side,
# and cover most of it
ok "phase without off-CPU data: its samples within the phase ($PHASE_BURSTS; $PHASE_FROM $PHASE_TO)" \
	awk -v b="$PHASE_BURSTS" -v f="$PHASE_FROM" -v t="$PHASE_TO" 'BEGIN {
		split(b, x, " "); exit !(x[1] >= f - 0.002 && x[2] <= t + 0.002 && x[2] - x[1] >= 0.15) }'
like "phase without off-CPU data: says what is missing" "$(cat phase-cpu.data.txt)" \
	"^no off-CPU data \(record --off-cpu records when each thread ran and waited\):"
like "phase without off-CPU data: bursts of samples, labelled" "$(cat phase-cpu.data.txt)" \
	'^bursts: runs of CPU samples less than 10.0 ms apart;$'

done_testing
