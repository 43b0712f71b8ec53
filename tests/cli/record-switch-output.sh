#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# record --switch-output: a run of some 3.5 s of CPU cut every second gives several files
# named OUTPUT.YYYYmmddHHMMSSmmm, in order, with no temporary file left and none under
# OUTPUT itself; each reads on its own with the workload's functions (and the kernel's, and
# the vDSO's) named, its own statistics, and the samples of all the files are those the
# summary counts, none lost, none in two files. SIGUSR2 switches (with a time or
# 'signal'); without --switch-output it is ignored. A workload that starts threads and
# forks after the first switch has them named in every file they sample in. What cannot
# go with the option is refused as a usage error.
. "$srcdir/tests/lib.sh"

run_pmuprof record -q -e cpu-clock -o "$T_TMP/probe.data" -- true
[ "$RC" -eq 0 ] || skip_all "perf_event_open sampling is not usable here: $(cat "$ERR")"
cd "$T_TMP" || exit 1

STAMP='[0-9]{17}'

# known: FILE's report lines, but for the dynamic loader's own start-up code, whose symbols
# a single recording does not name either (ld.so's _start has none in its tables)
known() {
	grep -Ev 'ld-linux[^ ]*\.so\.[0-9]+\+0x' "$1"
}

# files DIR: the finished files of DIR/p.data, in name order
files() {
	ls "$1" | grep -E "^p\.data\.$STAMP\$" | sed "s|^|$1/|"
}

# ---- time: split 3500 cut every second ---------------------------------------------------
mkdir split
run_pmuprof record -e cpu-clock --switch-output 1 -o split/p.data -- "$WORKLOADS/split" 3500
is "split: exit status" "$RC" 0
n=$(files split | grep -c .)
ok "split: several files for 3.5 s of CPU cut every second ($n)" [ "$n" -ge 3 ]
is "split: nothing but the finished files in the directory" "$(ls split | grep -cvE "^p\.data\.$STAMP\$")" 0
is "split: stderr names each file as it is finished" \
	"$(grep -cE "^\[ pmuprof record: 'split/p\.data\.$STAMP': [0-9]+ samples, 0 lost \]\$" "$ERR")" "$n"
is "split: in the order of their names" \
	"$(sed -n "s/^\[ pmuprof record: '\(split\/p\.data\.[0-9]*\)'.*/\1/p" "$ERR")" "$(files split)"
like "split: the summary counts the files, none lost" "$(cat "$ERR")" \
	"^\[ pmuprof record: [0-9]+ samples of cpu-clock; .*; 0 lost, 0 throttled; .* in $n files "
total=$(sed -n 's/^\[ pmuprof record: \([0-9]*\) samples of.*/\1/p' "$ERR")
hz=$(sed -n 's/^\[ pmuprof record: .* \([0-9]*\) Hz delivered per CPU second.*/\1/p' "$ERR")
ok "split: the summary's rate is the whole run's, not the last file's ($hz Hz)" \
	[ "${hz:-0}" -ge 500 ] && [ "${hz:-0}" -le 1500 ]

sum=0
prev_last=0
dup=0
for f in $(files split); do
	run_pmuprof report -i "$f" --sort sym -g none --percent-limit 0
	is "$f: report reads it alone" "$RC" 0
	for fn in split_a split_b split_c split_d; do
		like "$f: $fn named" "$(cat "$OUT")" "\[\.\] $fn\$"
	done
	unlike "$f: no unknown frame" "$(known "$OUT")" 'unknown|0x[0-9a-f]+'
	run_pmuprof report -i "$f" --header
	hdr=$(cat "$OUT")
	like "$f: complete" "$hdr" '^complete +yes$'
	like "$f: metadata of its own" "$hdr" '^event +cpu-clock$'
	like "$f: no loss" "$hdr" '^lost-ring +0$'
	s=$(printf '%s\n' "$hdr" | awk '$1 == "samples" { print $2 }')
	el=$(printf '%s\n' "$hdr" | awk '$1 == "elapsed-ns" { print $2 }')
	ok "$f: its own elapsed time, less than the run's ($el ns)" [ "${el:-0}" -gt 0 ] &&
		[ "${el:-0}" -lt 3400000000 ]
	sum=$((sum + ${s:-0}))
	if [ "$f" = "$(files split | head -1)" ]; then
		unlike "$f: the first file: no switch-open-ns" "$hdr" '^switch-open-ns'
	else
		like "$f: the time its switch took the main thread" "$hdr" '^switch-open-ns +[1-9][0-9]*$'
	fi
	# the samples' times: all after the previous file's last one
	"$PMUPROF" script -i "$f" | awk 'NF && !/^\t/ { t = $3; sub(/:$/, "", t); print t }' >times
	is "$f: script shows as many samples as the header counts" "$(grep -c . times)" "${s:-0}"
	first=$(sort -n times | head -1)
	last=$(sort -n times | tail -1)
	if [ -n "$first" ] && awk -v a="$prev_last" -v b="$first" 'BEGIN { exit !(a >= b) }'; then
		dup=$((dup + 1))
	fi
	[ -n "$last" ] && prev_last=$last
done
is "split: the files' samples add up to the summary's" "$sum" "$total"
is "split: every file's samples come after the previous file's" "$dup" 0

# the kernel's functions and the vDSO, named in the files that begin mid-run
mkdir vdso
run_pmuprof record -q -e cpu-clock --switch-output 1 -o vdso/p.data -- "$WORKLOADS/vdso" 2500
is "vdso: exit status" "$RC" 0
ok "vdso: more than one file" [ "$(files vdso | grep -c .)" -ge 2 ]
: >vdso.txt
for f in $(files vdso | tail -n +2); do
	"$PMUPROF" report -i "$f" --sort dso,sym -g none --percent-limit 0 >>vdso.txt
done
like "vdso: the files after the first name the vDSO's function" "$(cat vdso.txt)" \
	'\[vdso\] +\[\.\] (__vdso_)?clock_gettime'
if [ "$(cat /proc/sys/kernel/perf_event_paranoid)" -le 1 ] || [ "$(id -u)" -eq 0 ]; then
	# the vDSO spares that program most system calls: page faults, for the kernel's part
	mkdir kern
	run_pmuprof record -q -e cpu-clock --switch-output 1 -o kern/p.data -- sh -c \
		'end=$(($(date +%s) + 3)); while [ "$(date +%s)" -lt $end ]; do "$0" 20000; done' \
		"$WORKLOADS/pages"
	: >kern.txt
	for f in $(files kern | tail -n +2); do
		"$PMUPROF" report -i "$f" --sort dso,sym -g none --percent-limit 0 >>kern.txt
	done
	like "kernel functions named in the files after the first" "$(cat kern.txt)" \
		'\[kernel\.kallsyms\] +\[k\] [a-z_]'
	unlike "no unknown kernel frame in them" "$(cat vdso.txt kern.txt)" '\[k\] +(\[unknown\]|0x)'
else
	why="kernel samples need perf_event_paranoid 1 or root"
	skip "kernel functions named in the files after the first" "$why"
	skip "no unknown kernel frame in them" "$why"
fi
is "vdso: quiet (-q): no file names" "$(grep -c 'pmuprof record' "$ERR")" 0

# ---- threads and a process that begin after the first switch ------------------------------
# spin sleeps 1.3 s, two threads burn 1 s each (spin_worker0, 1), then a forked child
# burns 1 s (spin_forked): the threads and the child each outlive a switch
mkdir late
run_pmuprof record -q -e cpu-clock --switch-output 1 -o late/p.data -- \
	"$WORKLOADS/spin" -t 2 -s 1 --late 1300 --fork --truth late/truth
is "late: exit status" "$RC" 0
child=$(awk '$1 == "thread" && $4 == "spin_forked" { print $3 }' late/truth)
seen_workers=0
seen_child=0
for f in $(files late); do
	run_pmuprof report -i "$f" --sort pid,sym -g none --percent-limit 0
	out=$(grep -v '^#' "$OUT" | grep .)
	[ -n "$out" ] || continue
	unlike "$f: every sample's thread named spin" "$out" '^ +[0-9.]+% +[0-9.]+% +[0-9]+ +[0-9]+:([^s]|s[^p])'
	unlike "$f: no unknown frame" "$(known "$OUT")" 'unknown|0x[0-9a-f]+'
	if printf '%s\n' "$out" | grep -q 'spin_worker'; then
		seen_workers=$((seen_workers + 1))
	fi
	if [ -n "$child" ] && printf '%s\n' "$out" | grep -Eq " $child:spin +\[\.\] spin_forked\$"; then
		seen_child=$((seen_child + 1))
	fi
done
ok "late: the threads begun after the first switch are named in the files they run in ($seen_workers)" \
	[ "$seen_workers" -ge 1 ]
ok "late: the forked child's samples named, in every file it runs in ($seen_child)" \
	[ "$seen_child" -ge 1 ]
# the files after the one a thread or the child began in: named by the files' own records
run_pmuprof script -i "$(files late | tail -1)"
like "late: the last file names the child's function with its name" "$(cat "$OUT")" \
	'spin_forked\+0x[0-9a-f]+ \(.*/spin\)'

# ---- all CPUs ------------------------------------------------------------------------------
if [ "$(id -u)" -eq 0 ]; then
	mkdir all
	run_pmuprof record -e cpu-clock -a --duration 1.5 --switch-output 1 -o all/p.data
	is "-a: exit status" "$RC" 0
	ok "-a: two files or more" [ "$(files all | grep -c .)" -ge 2 ]
	hz=$(sed -n 's/^\[ pmuprof record: .* \([0-9]*\) Hz delivered per CPU second.*/\1/p' "$ERR")
	ok "-a: the summary's rate is the whole run's, not the last file's ($hz Hz)" \
		[ "${hz:-0}" -ge 300 ] && [ "${hz:-0}" -le 1500 ]
	run_pmuprof report -i "$(files all | tail -1)" --sort comm -g none
	is "-a: the last file reads alone" "$RC" 0
else
	skip "-a" "sampling every CPU needs root here"
fi

# ---- SIGUSR2 --------------------------------------------------------------------------------
# sig_record DIR OPTION: record burn for about 2 s of CPU with OPTION, SIGUSR2 after 0.5 s
sig_record() {
	mkdir "$1"
	"$PMUPROF" record -e cpu-clock $2 -o "$1/p.data" -- "$WORKLOADS/burn" 1 2000 \
		>"$OUT" 2>"$ERR" &
	spid=$!
	sleep 0.5
	kill -USR2 $spid
	RC=0
	wait $spid || RC=$?
}

sig_record signal --switch-output=signal
is "--switch-output=signal: exit status" "$RC" 0
is "--switch-output=signal: SIGUSR2 made two files" "$(files signal | grep -c .)" 2
is "--switch-output=signal: no temporary file left" "$(ls signal | grep -c writing)" 0

sig_record usr2time "--switch-output 1h"
is "--switch-output 1h: exit status" "$RC" 0
is "--switch-output 1h: SIGUSR2 switches too: two files" "$(files usr2time | grep -c .)" 2

sig_record nooption ""
is "without --switch-output: SIGUSR2 does not end the recording" "$RC" 0
is "without --switch-output: one file, OUTPUT itself" "$(ls nooption)" "p.data"
like "without --switch-output: the summary as usual" "$(cat "$ERR")" "in 'nooption/p.data'"

# ---- what cannot be combined ------------------------------------------------------------------
expect_error "--switch-output with -o -" 2 \
	"pmuprof: --switch-output writes a series of files named after -o's: give a file name, not '-'" \
	record --switch-output 1 -o - -- true
expect_error "--switch-output by size" 2 \
	"pmuprof: --switch-output switches files by time or on SIGUSR2, not by size: give a time (such as 30s or 5m) or 'signal', not '10M'" \
	record --switch-output 10M -- true
expect_error "--switch-output too often" 2 \
	"pmuprof: --switch-output needs a time from 0.1 s to a year, not '10ms'" \
	record --switch-output 10ms -- true
expect_error "--switch-output with a word" 2 \
	"pmuprof: --switch-output takes a time (seconds, or a number with ms, s, m, h or d: 30s, 5m) or 'signal' (on SIGUSR2 only), not 'often'" \
	record --switch-output often -- true
expect_error "--switch-output with --off-cpu" 2 \
	"pmuprof: --switch-output cannot be combined with --off-cpu: a wait may span two files; record the waits without --switch-output" \
	record --switch-output 1 --off-cpu -- true
expect_error "--switch-output with a timer sampler" 2 \
	"pmuprof: --switch-output cannot be combined with --sampler itimer: the program's own counts are kept for the whole run; use --sampler pmu" \
	record --switch-output 1 --sampler itimer -- true

done_testing
