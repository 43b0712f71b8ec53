#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Reading off-CPU samples, on synthetic recordings of known totals
# (contrib/bench/gen-procs offcpu: see put_offcpu there): on CPU 45 ms (45
# samples of 1 ms), blocked 168 ms, runnable 3.5 ms; process 1000 on CPU 40
# ms, blocked 161 ms, runnable 3.5 ms; process 2000 on CPU 5 ms, blocked
# 7 ms. report's views (cpu, off-cpu, wall) and their exact totals, the
# marker frames, the head's per-process totals and stack sources, each
# export's units and pprof's sample types, script's lines, diff --view, and
# the cpu view of a recording without off-CPU samples as it always was.
. "$srcdir/tests/lib.sh"

gen="$WORKLOADS/../../contrib/bench/gen-procs"
[ -x "$gen" ] || skip_all "contrib/bench/gen-procs is not built (make check builds it)"
cd "$T_TMP" || exit 1

"$gen" offcpu off.data
is "gen-procs offcpu: exit status" "$?" 0
"$gen" offcpu events.data instructions
is "gen-procs offcpu with an event that counts: exit status" "$?" 0

# ---- the views: totals (the folded export in microseconds sums them exactly)
total() { awk '{ n += $NF } END { print n + 0 }' "$OUT"; }
run_pmuprof report -i off.data --format folded
is "default view (wall): exit status" "$RC" 0
is "wall: total 216.5 ms" "$(total)" 216500
run_pmuprof report -i off.data --format folded --view off-cpu
is "off-cpu: total 171.5 ms" "$(total)" 171500
unlike "off-cpu: no CPU stack" "$(cat "$OUT")" 'gp_burn [0-9]+$'
run_pmuprof report -i off.data --format folded --view cpu
is "cpu: 45 samples" "$(total)" 45
unlike "cpu: no marker frame" "$(cat "$OUT")" 'off-cpu'
# an event that is not a clock: CPU samples scaled to the threads' CPU time (90 ms)
run_pmuprof report -i events.data --format folded --view wall
is "wall of an event that counts: CPU time scaled to the kernel's 90 ms" "$(total)" 261500

# ---- marker frames: the leaf of every off-CPU stack
run_pmuprof report -i off.data --format folded
like "blocked at switch-out: kernel chain, user stack, marker" "$(cat "$OUT")" \
	'^offcpu;main;gp_main;gp_sleep;do_nanosleep_\[k\];schedule_\[k\];\[off-cpu: blocked\] 60000$'
like "runnable: preempted in gp_burn" "$(cat "$OUT")" \
	'^offcpu;main;gp_main;gp_burn;irqentry_exit_to_user_mode_\[k\];schedule_\[k\];\[off-cpu: runnable\] 3000$'
like "read from outside (bp 0): the user pc" "$(cat "$OUT")" \
	'^reader;gp_read_pipe;\[off-cpu: blocked\] 100000$'
like "no stack, blocked: [no stack] above the marker" "$(cat "$OUT")" \
	'^reader;\[no stack\];\[off-cpu: blocked\] 1000$'
like "no stack, runnable" "$(cat "$OUT")" '^reader;\[no stack\];\[off-cpu: runnable\] 500$'
like "CPU samples in time: 30 ms" "$(cat "$OUT")" '^offcpu;main;gp_main;gp_burn 30000$'

# ---- the text report: head and lines with times
run_pmuprof report -i off.data --no-children -g none
is "text: exit status" "$RC" 0
like "head: CPU samples, then the off-CPU intervals" "$(cat "$OUT")" \
	'^# samples: 45; 13 off-CPU intervals$'
like "head: the view and how to switch" "$(cat "$OUT")" \
	'^# view: wall \(on-CPU plus off-CPU time\); --view cpu\|off-cpu\|wall switches views$'
like "head: totals" "$(cat "$OUT")" \
	'^# on CPU 45.0 ms \(45 samples\), blocked 168 ms \(10 intervals\), runnable 3.50 ms \(3\)$'
like "head: process 1000" "$(cat "$OUT")" \
	'^#   pid 1000 offcpu: on CPU 40.0 ms, blocked 161 ms \(9\), runnable 3.50 ms \(3\)$'
like "head: process 2000" "$(cat "$OUT")" \
	'^#   pid 2000 other: on CPU 5.00 ms, blocked 7.00 ms \(1\), runnable 0 ns \(0\)$'
like "head: stack sources" "$(cat "$OUT")" \
	'^# off-CPU stacks: switch \(.*\); 6 at switch-out, 2 read from outside, 5 without a stack \(1.50 ms\)$'
like "table: a Time column" "$(cat "$OUT")" '^# Overhead +Time +Samples +Command'
like "line: the marker with its time" "$(cat "$OUT")" \
	'^ +46.65% +101 ms +6 +reader +\[off-cpu\] +\[\.\] \[off-cpu: blocked\]$'
like "line: CPU time" "$(cat "$OUT")" '^ +13.86% +30.0 ms +30 +offcpu +gen-procs +\[\.\] gp_burn$'
run_pmuprof report -i off.data --view off-cpu
like "tree: branches with their times" "$(cat "$OUT")" '--34.99% \(60.0 ms\)--gp_sleep$'
like "children table: times of both columns" "$(cat "$OUT")" \
	'^# Children +Time +Self +Time +Samples +Command'
run_pmuprof report -i events.data -g none
like "counted event: how CPU samples became time" "$(cat "$OUT")" \
	"^# on CPU: the samples of instructions count events, not time: scaled to their threads' CPU time by the kernel \(90.0 ms\), 2.00 ms a sample on average$"
run_pmuprof report -i off.data --header
is "--header: exit status" "$RC" 0
like "--header: the off-CPU statistics" "$(cat "$OUT")" '^off-cpu-ns +171500000$'
like "--header: per-process totals" "$(cat "$OUT")" \
	'^#   pid 1000 offcpu: on CPU 40.0 ms, blocked 161 ms \(9\), runnable 3.50 ms \(3\)$'
run_pmuprof report -i off.data --view idle
is "--view idle: usage" "$RC" 2
is "--view idle: says what it takes" "$(cat "$ERR")" \
	"pmuprof: --view takes cpu, off-cpu or wall, not 'idle'"

# ---- exports
run_pmuprof report -i off.data --format speedscope
is "speedscope: exit status" "$RC" 0
is "speedscope: nanoseconds, weights sum to the wall time" "$(python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
print(",".join(sorted({p["unit"] for p in d["profiles"]})),
      sum(sum(p["weights"]) for p in d["profiles"]))' "$OUT")" "nanoseconds 216500000"
run_pmuprof report -i off.data --format json --view off-cpu
is "json: view, unit, total and kinds" "$(python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
print(d["view"], d["weight_unit"], d["weight"], sorted({s["kind"] for s in d["stacks"]}))' "$OUT")" \
	"off-cpu nanoseconds 171500000 ['blocked', 'runnable']"
run_pmuprof report -i off.data --format svg
like "svg: the view in the subtitle" "$(cat "$OUT")" 'wall view \(on-CPU plus off-CPU time\): 58 samples, 216 ms'
like "svg: tooltips in time" "$(cat "$OUT")" '<title>\[off-cpu: blocked\] \(\[off-cpu\]\): 2 samples, 100 ms, 46.19%</title>'

if command -v go >/dev/null 2>&1 && go tool -n pprof >/dev/null 2>&1; then
	run_pmuprof report -i off.data --format pprof -o off.pb.gz
	is "pprof: exit status" "$RC" 0
	for t in cpu:45ms off-cpu:171.50ms wall:216.50ms samples:58; do
		run go tool pprof -top -sample_index="${t%%:*}" off.pb.gz
		like "go tool pprof -sample_index=${t%%:*}: total ${t#*:}" "$(cat "$OUT")" \
			"Total samples = ${t#*:}"
	done
	run go tool pprof -top off.pb.gz
	like "pprof: the default sample type is the view's (wall)" "$(cat "$OUT")" '^Type: wall$'
	run go tool pprof -top -sample_index=off-cpu off.pb.gz
	like "pprof off-cpu: the blocked marker's time" "$(cat "$OUT")" \
		'^ +168ms +97.96% +97.96% +168ms +97.96%  \[off-cpu: blocked\]$'
	run_pmuprof report -i off.data --format pprof --view off-cpu -o offv.pb.gz
	run go tool pprof -top offv.pb.gz
	like "pprof --view off-cpu: its default type" "$(cat "$OUT")" '^Type: off-cpu$'
else
	skip "go tool pprof not installed (apt-get install golang-go)"
fi

# ---- script
run_pmuprof script -i off.data
is "script: exit status" "$RC" 0
is "script: blocked at switch-out" "$(grep -c '^offcpu  1000 .*:   20000000 off-cpu: blocked 20.0 ms (stack at switch-out)$' "$OUT")" 3
is "script: runnable" "$(grep -c ' 1500000 off-cpu: runnable 1.50 ms (stack at switch-out)$' "$OUT")" 2
is "script: read from outside" "$(grep -c '^reader  1001 .* 50000000 off-cpu: blocked 50.0 ms (stack read from outside)$' "$OUT")" 2
is "script: no stack" "$(grep -c '^reader  1001 .*  250000 off-cpu: blocked 250 us (no stack)$' "$OUT")" 4
is "script: CPU samples as before" "$(grep -c ' 1000000 cpu-clock: $' "$OUT")" 45

# ---- diff --view: the wall and off-CPU views, in counts of time
"$gen" offcpu off2.data
run_pmuprof diff --format folded off.data off2.data
is "diff: exit status" "$RC" 0
like "diff: wall by default, in milliseconds" "$(cat "$OUT")" \
	'^offcpu;main;gp_main;gp_sleep;do_nanosleep_\[k\];schedule_\[k\];\[off-cpu: blocked\] 60 60$'
run_pmuprof diff --format folded off.data events.data
like "diff: CPU time scaled on one side (1 ms a sample against 2)" "$(cat "$OUT")" \
	'^offcpu;main;gp_main;gp_burn 30 60$'
run_pmuprof diff --view off-cpu off.data off2.data
like "diff --view off-cpu: says so" "$(cat "$OUT")" \
	'^# view: off-cpu \(off-CPU time\); samples are counts of 1.00 ms of time'
like "diff --view off-cpu: 172 ms of it (each stack's time rounded)" "$(cat "$OUT")" \
	'^#      cpu-clock, 172 samples$'
"$gen" phases 1 7 phases.data
run_pmuprof diff off.data phases.data
is "diff of a wall view with a cpu view: exit status" "$RC" 1
like "diff of a wall view with a cpu view: says to use --view cpu" "$(cat "$ERR")" \
	"in the wall view and .* in the cpu view .*give --view cpu"
run_pmuprof diff --view cpu --format folded off.data phases.data
is "diff --view cpu: exit status" "$RC" 0

# ---- a recording without off-CPU samples: the cpu view, as it always was
run_pmuprof report -i phases.data
cp "$OUT" default.txt
run_pmuprof report -i phases.data --view cpu
is "no off-CPU samples: the default view is cpu" "$(cat "$OUT")" "$(cat default.txt)"
unlike "no off-CPU samples: no view line" "$(cat default.txt)" '^# (view|on CPU|off-CPU)'
like "no off-CPU samples: percentages only" "$(cat default.txt)" '^# Children +Self +Samples +Command'
run_pmuprof report -i phases.data --format json
unlike "no off-CPU samples: json without a view" "$(cat "$OUT")" '"view"|"kind"'

done_testing
