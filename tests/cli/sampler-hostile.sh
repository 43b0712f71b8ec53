#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The timer samplers against a program that attacks them (tests/workload/
# shim-attack): whatever it does to the memory it shares with pmuprof,
# record survives, passes on the program's exit status, keeps the samples
# taken before the attack in a file report reads, and says what it
# abandoned; a program that blocks SIGPROF where the shim cannot see it is
# named, not silently left out of the profile.
. "$srcdir/tests/lib.sh"

ATTACK=$WORKLOADS/shim-attack
D=$T_TMP/h.data

# samples_of FILE FUNC: samples whose leaf is FUNC
samples_of() {
	"$PMUPROF" report -i "$1" --no-children -g none -s sym --percent-limit 0 2>/dev/null |
		awk -v f="$2" '/^ +[0-9.]+%/ && $NF == f { n += $2 } END { print n + 0 }'
}

for s in itimer ctimer; do
	for m in shrink ring-bytes map-bytes slots; do
		run_pmuprof record -q --sampler "$s" -F 100 -o "$D" -- "$ATTACK" "$m"
		is "$s $m: the program's exit status" "$RC" 7
		run_pmuprof report -i "$D" --header
		is "$s $m: the file reads" "$RC" 0
		# 0.3 s at 100 Hz before the attack: about 30, but a loaded machine
		# merges expirations into fewer signals; the point is that they are there
		n=$(samples_of "$D" attack_before)
		ok "$s $m: the samples before the attack are kept ($n)" test "$n" -ge 5
	done

	# the memory keeps its size: the program cannot shrink it
	run_pmuprof record -q --sampler "$s" -F 100 -o "$D" -- "$ATTACK" shrink
	like "$s shrink: refused" "$(cat "$ERR")" "shim-attack: shrink: Operation not permitted"

	# rings whose bounds the program rewrote are abandoned, and said so
	for m in ring-bytes slots; do
		run_pmuprof record -q --sampler "$s" -F 100 -o "$D" -- "$ATTACK" "$m"
		like "$s $m: warned" "$(cat "$ERR")" \
			"warning: $s sampler: .*ring\(s\) held damaged records"
		like "$s $m: in the file" "$("$PMUPROF" report -i "$D" --header)" \
			"^conflict .*ring\(s\) held damaged records"
	done

	# SIGPROF blocked with the raw system call: no signal, yet 0.5 s of CPU
	run_pmuprof record -q --sampler "$s" -F 100 -o "$D" -- "$ATTACK" raw-block
	is "$s raw-block: the program's exit status" "$RC" 7
	like "$s raw-block: warned" "$(cat "$ERR")" \
		"warning: $s sampler: .*1 thread\(s\) used 0\.[4-6][0-9] s of CPU but received none"
	like "$s raw-block: in the file" "$("$PMUPROF" report -i "$D" --header)" \
		"^conflict .*thread\(s\) used .* s of CPU but received none of the sampler's signals"
	like "$s raw-block: in the report" \
		"$("$PMUPROF" report -i "$D" --no-children 2>&1 | head -8)" \
		"^# warning: .*received none of the sampler's signals"
done

# one thread of two blocks it: a thread timer tells which (a process timer
# only knows the process got its signals)
run_pmuprof record -q --sampler ctimer -F 100 -o "$D" -- "$ATTACK" raw-block-thread
is "ctimer raw-block-thread: the program's exit status" "$RC" 7
like "ctimer raw-block-thread: warned" "$(cat "$ERR")" \
	"warning: ctimer sampler: .*1 thread\(s\) used 0\.[2-4][0-9] s of CPU but received none"
n=$(samples_of "$D" attack_before)
ok "ctimer raw-block-thread: the other thread is sampled ($n)" test "$n" -ge 5

# a well-behaved program is not suspected
run_pmuprof record -q --sampler ctimer -F 100 -o "$D" -- "$WORKLOADS/spin" -t 2 -s 0.3
unlike "no false alarm" "$(cat "$ERR")" "received none"

done_testing
