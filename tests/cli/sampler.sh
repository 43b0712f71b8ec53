#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The timer samplers (record --sampler itimer|ctimer) on tests/workload/spin:
# threads created late, fork, exec, _exit and SIGKILL keep their samples;
# a program's own SIGPROF handler and SIGPROF from outside are told apart
# from the sampler's; programs the shim cannot enter are refused.
. "$srcdir/tests/lib.sh"

SPIN=$WORKLOADS/spin
D=$T_TMP/s.data

# funcs FILE: "function samples" lines of a flat report
funcs() {
	"$PMUPROF" report -i "$1" --no-children -g none -s sym --percent-limit 0 2>/dev/null |
		awk '/^ +[0-9.]+%/ { print $NF, $2 }'
}

# samples_of FILE FUNC: samples whose leaf is FUNC
samples_of() {
	funcs "$1" | awk -v f="$2" '$1 == f { n += $2 } END { print n + 0 }'
}

# expect DESC N: samples of 0.5 s of CPU at 100 Hz. A thread timer's count
# is exact to a few samples; a process-wide timer's is not (it gave 62 and
# 42 under the suite's load; compare measures by how much): for it, the
# point is that the process was sampled at all
expect() {
	if [ "$s" = ctimer ]; then
		within "$1" "$2" 50 10
	else
		ok "$1 ($2 samples)" test "$2" -ge 25
	fi
}

for s in itimer ctimer; do
	# two threads created 0.3 s after the program started: the interposed
	# pthread_create arms their timers (ctimer) and gives them rings
	run_pmuprof record -q --sampler "$s" -F 100 -o "$D" -- "$SPIN" -t 2 -s 0.5 --late 300
	is "$s: late threads: exit status" "$RC" 0
	n0=$(samples_of "$D" spin_worker0)
	n1=$(samples_of "$D" spin_worker1)
	if [ "$s" = ctimer ]; then
		within "$s: late thread 0 sampled" "$n0" 50 10
		within "$s: late thread 1 sampled" "$n1" 50 10
	else
		# a process-wide timer splits unevenly (what compare measures): both
		# threads are sampled, and together they get the process's samples
		ok "$s: both late threads sampled ($n0, $n1)" test "$n0" -ge 10 -a "$n1" -ge 10
		ok "$s: late threads together ($((n0 + n1)))" test $((n0 + n1)) -ge 50
	fi

	# fork then exec in the child: the child re-arms, the exec'd image loads
	# the shim again (a SIGPROF pending across the exec must not kill it)
	run_pmuprof record -q --sampler "$s" -F 100 -o "$D" -- "$SPIN" -t 1 -s 0.5 --fork --exec
	is "$s: fork+exec: exit status" "$RC" 0
	expect "$s: parent sampled" "$(samples_of "$D" spin_worker0)"
	expect "$s: exec'd child sampled" "$(samples_of "$D" spin_execed)"
	run_pmuprof record -q --sampler "$s" -F 100 -o "$D" -- "$SPIN" -t 1 -s 0.5 --fork
	expect "$s: forked child sampled" "$(samples_of "$D" spin_forked)"
	run_pmuprof record -q --sampler "$s" -F 100 -o "$D" -- "$SPIN" -t 1 -s 0.5 --exec
	expect "$s: exec'd program sampled" "$(samples_of "$D" spin_execed)"

	# the samples live in memory pmuprof shares: no exit path loses them
	run_pmuprof record -q --sampler "$s" -F 100 -o "$D" -- "$SPIN" -t 1 -s 0.5 --sigkill
	is "$s: SIGKILL: the program's status passes through" "$RC" 137
	expect "$s: SIGKILL'd program keeps its samples" "$(samples_of "$D" spin_worker0)"
	run_pmuprof record -q --sampler "$s" -F 100 -o "$D" -- "$SPIN" -t 1 -s 0.5 --exit-fast
	expect "$s: _exit keeps the samples" "$(samples_of "$D" spin_worker0)"

	# a program with its own profiler: detected, labelled in the output and the file
	run_pmuprof record -q --sampler "$s" -F 100 -o "$D" -- "$SPIN" -t 1 -s 0.5 --own-sigprof
	is "$s: own SIGPROF: exit status" "$RC" 0
	like "$s: own SIGPROF handler: warned" "$(cat "$ERR")" \
		"warning: $s sampler: the program installed its own SIGPROF handler"
	like "$s: own SIGPROF handler: in the file" \
		"$("$PMUPROF" report -i "$D" --header)" "^conflict .*own SIGPROF handler"
	like "$s: own SIGPROF handler: in the report" \
		"$("$PMUPROF" report -i "$D" --no-children 2>&1 | head -8)" "^# warning: .*own SIGPROF"
	expect "$s: own SIGPROF: sampler unaffected" "$(samples_of "$D" spin_worker0)"
done

# ctimer leaves ITIMER_PROF to the program and passes its signals on; itimer
# owns ITIMER_PROF and keeps the program's setting from changing the rate
run_pmuprof record -q --sampler ctimer -F 100 -o "$D" -- "$SPIN" -t 1 -s 0.5 --own-sigprof
n=$(sed -n 's/^own-sigprof: \([0-9]*\) signals/\1/p' "$ERR")
# (its own ITIMER_PROF: a process-wide timer, so not an exact count)
ok "ctimer: the program's own handler still gets its signals ($n)" test "${n:-0}" -ge 25
like "ctimer: other SIGPROFs counted" "$("$PMUPROF" report -i "$D" --header)" \
	"^foreign-signals +[1-9]"

# SIGPROF sent by someone else is not a sample, and does not kill the program
"$PMUPROF" record -q --sampler ctimer -F 100 -o "$D" -- "$SPIN" -t 1 -s 1 >"$OUT" 2>"$ERR" &
rpid=$!
sleep 0.5
# only this record's child: other tests run spin at the same time
pkill -PROF -P "$rpid" -x spin
wait "$rpid"
is "kill -PROF: the program survives" "$?" 0
like "kill -PROF: counted, not sampled" "$("$PMUPROF" report -i "$D" --header)" \
	"^foreign-signals +1$"

# overruns: above the kernel's tick rate a thread timer merges expirations
# into one signal; weighting by them restores the CPU time
run_pmuprof record --sampler ctimer -F 1000 -o "$D" -- "$SPIN" -t 1 -s 1
over=$("$PMUPROF" report -i "$D" --header | awk '$1 == "timer-overruns" { print $2 }')
ok "ctimer above the tick rate: overruns recorded ($over)" test "${over:-0}" -gt 100
weight=$("$PMUPROF" report -i "$D" --header | awk '$1 == "weight" { print $2 / 1e9 }')
within "ctimer above the tick rate: weighted CPU time" "$weight" 1.0 0.1

# the same records as every sampler: report, script and exports read them
run_pmuprof script -i "$D"
like "script reads timer samples" "$(grep -c 'spin_worker0' "$OUT")" "^[1-9][0-9]+$"
run_pmuprof report -i "$D" --format folded
like "folded export of timer samples" "$(cat "$OUT")" "^spin;.*spin_worker0 [0-9]+$"

# programs the shim cannot enter
run_pmuprof record --sampler ctimer -o "$D.static" -- "$WORKLOADS/spin-static" -s 0.1
is "static program: exit status" "$RC" 1
like "static program: message" "$(cat "$ERR")" \
	"'.*spin-static' is statically linked: --sampler ctimer runs inside the program through LD_PRELOAD.*use --sampler pmu"
ok "static program: no file left" test ! -e "$D.static"

# options that mean nothing to a timer sampler
for args in "-p 1" "-a" "-e cycles" "-c 1000" "--call-graph fp"; do
	# shellcheck disable=SC2086
	run_pmuprof record --sampler itimer $args -o "$D.x" -- "$SPIN" -s 0.1
	is "itimer with $args: usage error" "$RC" 2
done
run_pmuprof record --sampler bogus -- "$SPIN" -s 0.1
is "unknown sampler: exit status" "$RC" 2
like "unknown sampler: message" "$(cat "$ERR")" "--sampler takes pmu, itimer or ctimer, not 'bogus'"

PMUPROF_SHIM=/nonexistent/libpmuprof-shim.so run_pmuprof record --sampler ctimer -o "$D.x" -- "$SPIN" -s 0.1
is "missing shim library: exit status" "$RC" 1
like "missing shim library: message" "$(cat "$ERR")" "cannot find libpmuprof-shim.so"

done_testing
