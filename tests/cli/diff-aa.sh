#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# pmuprof diff on A/A pairs that are certain: recordings written by
# contrib/bench/gen-procs of one program in phases (a and b alternating,
# phase lengths from a seed, every 10th sample in c). Two seeds are two runs
# of the same program whose phases fall differently: a model of independent
# samples flags a and b in every pair below; diff must flag nothing, in the
# text, and colour nothing in the flame graph. The same program with c
# doubled (every 5th sample) must still be found changed, with one recording
# of each build and with two (OLD... -- NEW...). No sampling here:
# the files, and so the results, are the same on every machine.
. "$srcdir/tests/lib.sh"

gen=$WORKLOADS/../../contrib/bench/gen-procs
[ -x "$gen" ] || skip_all "contrib/bench/gen-procs is not built (make check builds it)"
cd "$T_TMP" || exit 1
for seed in 1 2 3 4; do
	"$gen" phases "$seed" 10 "a$seed.data" || exit 1
done
"$gen" phases 2 5 c.data || exit 1

for pair in "1 2" "3 4" "1 3" "2 4" "4 1"; do
	set -- $pair
	run_pmuprof diff --limit 0 "a$1.data" "a$2.data"
	is "A/A $1-$2: exit status" "$RC" 0
	is "A/A $1-$2: no row flagged" "$(grep -c '^  \* ' "$OUT")" 0
	is "A/A $1-$2: every table says 0 significant" \
		"$(grep -Ec '^# 0 of [0-9]+ rows? significant; intervals at' "$OUT")" 3
done
text=$(cat "$OUT")
like "the header says what significant means" "$text" '5% false discovery'
like "... and where the variance comes from" "$text" 'over 20 \(old\) and 20 \(new\) blocks'
# a and b moved by some points: shown with --all, their intervals hold 0
run_pmuprof diff --all --limit 0 a1.data a2.data
row=$(sed -n '/^# self:/,/^# total:/p' "$OUT" | grep ' libphases.so+0x2080 (')
like "--all: b's A/A change is shown, within its interval" "$row" \
	'^ +[-+][0-9.]+pp  \[ *-[0-9.]+, *\+[0-9.]+\] '

run_pmuprof diff --format svg -o aa.svg a1.data a2.data
is "A/A svg: exit status" "$RC" 0
frames=$(grep -c '<g class="f"' aa.svg)
is "A/A svg: every frame within the noise" "$(grep -c 'within the noise</title>' aa.svg)" "$frames"
is "A/A svg: every frame in the grey of noise" \
	"$(grep '<g class="f"' aa.svg | grep -c 'fill="rgb(226,226,222)"')" "$frames"

# ---- a real change is still found ----
run_pmuprof diff a1.data c.data
is "change: exit status" "$RC" 0
sed -n '/^# self:/,/^# total:/p' "$OUT" >self.out
like "change: c grew by 10pp, significant" "$(cat self.out)" \
	'^  \*  \+10\.00pp  \[ *\+[0-9.]+, *\+[0-9.]+\] .* libphases.so\+0x30c0 \(libphases.so\)$'
like "change: its stack too" "$(cat "$OUT")" '^  \*  \+10\.00pp .* phases;libphases.so\+0x30c0$'
run_pmuprof diff --format svg -o c.svg a1.data c.data
like "change: c's frame is not noise in the flame graph" \
	"$(grep '<title>libphases.so+0x30c0' c.svg)" 'change \+10\.00pp'
unlike "change: ... and is coloured" "$(grep '<title>libphases.so+0x30c0' c.svg)" \
	'within the noise'

# ---- several recordings of each build: OLD... -- NEW... ----
"$gen" phases 4 5 c2.data || exit 1
run_pmuprof diff --limit 0 a1.data a2.data -- a3.data a4.data
is "2 against 2: exit status" "$RC" 0
is "2 against 2: no row flagged" "$(grep -c '^  \* ' "$OUT")" 0
like "2 against 2: the header counts the recordings" "$(cat "$OUT")" \
	"^# old: 2 recordings, the first 'a1.data': phases$"
like "2 against 2: ... and their samples" "$(cat "$OUT")" '^#      cpu-clock, 24000 samples'
like "2 against 2: the variance between recordings" "$(cat "$OUT")" \
	'from recording to recording \(2 old, 2 new\)'
like "2 against 2: the blocks of all recordings" "$(cat "$OUT")" 'over 40 \(old\) and 40 \(new\) blocks'
run_pmuprof diff --all a1.data a3.data -- c.data c2.data
like "2 against 2: c's change is found" "$(sed -n '/^# self:/,/^# total:/p' "$OUT")" \
	'^  \*  \+10\.00pp .* libphases.so\+0x30c0 \(libphases.so\)$'
run_pmuprof diff a1.data --
is "nothing after '--': exit status" "$RC" 2
like "nothing after '--': says what is needed" "$(cat "$ERR")" 'at least one recording on each side'
run_pmuprof diff -- a1.data
is "nothing before '--': exit status" "$RC" 2
run_pmuprof diff a1.data -- missing.data
is "a missing recording after '--': exit status" "$RC" 1
like "a missing recording after '--': names it" "$(cat "$ERR")" "'missing.data'"

run "$gen" phases 0 10 x.data
is "gen-procs phases: seed 0 refused" "$RC" 2

done_testing
