#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Frames in JIT-compiled code are named from the runtime's perf map
# (/tmp/perf-PID.map) or jitdump (jit-PID.dump), which record copies into
# the recording, so that a report after the files are deleted still names
# them; the unwinding goes on through them by frame pointer to the
# program's own frames. First tests/workload/jitcode (generated code named
# in each kind of file, and named nowhere; a map completed after recording
# ended, grown on disk, replaced or deleted); then report's fallback to the
# files on disk for a recording that holds none (written by gen-procs);
# last node, with --perf-basic-prof and --perf-prof, on a JavaScript
# function that takes the CPU for about 2 s.
. "$srcdir/tests/lib.sh"

gen="$WORKLOADS/../../contrib/bench/gen-procs"
cd "$T_TMP" || exit 1

# the pid a workload printed ("jitcode: pid N", "node: pid N") in $OUT
printed_pid() {
	sed -n 's/^[a-z]*: pid \([0-9]*\)$/\1/p' "$OUT" | head -1
}

# top_entry FILE: report's first line of numbers
top_entry() {
	grep -m1 -E '^ +[0-9.]+%' "$1"
}

# first_chain FILE: the functions of the first call graph in report's text FILE, leaf
# first, each followed by ";" (the first branch where it forks)
first_chain() {
	awk '/^ *---/ { on = 1 } on && NF == 0 { exit }
		on { sub(/^[ |]*(---|--[0-9.]+%--)?/, ""); if ($0 != "") print }' "$1" |
		tr '\n' ';'
}

# check_chain WHAT FILE LEAF CALLER...: the first stack of report's call graph in FILE
# starts at LEAF and has each CALLER below it, in that order
check_chain() {
	what=$1 file=$2
	shift 2
	chain=$(first_chain "$file")
	want=$(printf '%s;' "$@" | sed 's/;/;.*/g')
	like "$what: the chain goes on below the JIT frames" "$chain" "^$want"
}

# ---- generated code, named in each kind of file --------------------------------
run_pmuprof record -q -o probe.data -- true
if [ "$RC" -ne 0 ]; then
	diag "perf_event_open sampling is not usable here: no real recordings are checked"
	sampling=no
else
	sampling=yes
fi

if [ "$sampling" = yes ]; then
	for mode in map anon dump; do
		run_pmuprof record -q -e cpu-clock -o $mode.data -- "$WORKLOADS/jitcode" $mode 400
		is "jitcode $mode: record: exit status" "$RC" 0
		pid=$(printed_pid)
		case $mode in
		dump) file=jit-$pid.dump ;;
		*) file=/tmp/perf-$pid.map ;;
		esac
		ok "jitcode $mode: it wrote $file" [ -s "$file" ]
		rm -f "$file"
		run_pmuprof report -i $mode.data --no-children
		is "jitcode $mode: report: exit status" "$RC" 0
		is "jitcode $mode: report: no warning" "$(cat "$ERR")" ""
		like "jitcode $mode: the hot JIT function is the top entry, in its file's object" \
			"$(top_entry "$OUT")" "[0-9.]+%.* ${file##*/} +\[\.\] jit_hot_loop$"
		check_chain "jitcode $mode" "$OUT" jit_hot_loop jit_outer run main
		# (a sample in a prologue or an epilogue, where rbp is not yet or no longer the
		# frame's, may be lost: generated code has no CFI to say so)
		rooted=$(sed -n 's/^# unwound: [0-9]* samples: \([0-9.]*\)% reached a root.*/\1/p' \
			"$OUT")
		ok "jitcode $mode: nearly every sample unwound to its root ($rooted%)" \
			awk -v r="${rooted:-0}" 'BEGIN { exit !(r >= 95) }'
		run_pmuprof report -i $mode.data --format svg -o $mode.svg
		is "jitcode $mode: svg: exit status" "$RC" 0
		like "jitcode $mode: the flame graph names jit_hot_loop" "$(cat $mode.svg)" \
			"<title>jit_hot_loop \\((perf-[0-9]+\\.map|jit-[0-9]+\\.dump)\\)"
		like "jitcode $mode: the flame graph names jit_outer" "$(cat $mode.svg)" \
			"<title>jit_outer \\("
	done

	# named nowhere: shown by address, and still unwound through by frame pointer
	run_pmuprof record -q -e cpu-clock -o none.data -- "$WORKLOADS/jitcode" none 300
	is "jitcode none: record: exit status" "$RC" 0
	run_pmuprof report -i none.data --no-children
	like "jitcode none: the code is named by address" "$(top_entry "$OUT")" \
		"\[anon\] +\[\.\] \[anon\]\+0x[0-9a-f]+$"
	check_chain "jitcode none" "$OUT" "\[anon\]\+0x[0-9a-f]+" "\[anon\]\+0x[0-9a-f]+" run main
fi

# record --switch-output: every file holds the map as it was when the file closed, so
# each names the JIT code on its own once the map is gone
if [ "$sampling" = yes ]; then
	mkdir sw
	run_pmuprof record -q -e cpu-clock --switch-output 0.5 -o sw/j.data -- \
		"$WORKLOADS/jitcode" map 1600
	is "switch-output: record: exit status" "$RC" 0
	rm -f "/tmp/perf-$(printed_pid).map"
	n=0
	named=0
	for f in sw/j.data.*; do
		n=$((n + 1))
		"$PMUPROF" report -i "$f" --no-children -g none >"$T_TMP/sw.out" 2>/dev/null &&
			grep -q 'jit_hot_loop' "$T_TMP/sw.out" && named=$((named + 1))
	done
	ok "switch-output: several files ($n)" [ "$n" -ge 3 ]
	is "switch-output: each file names jit_hot_loop after the map is gone" "$named" "$n"
fi

# a process still running when recording ends: its map is copied as it is then, and
# completed from the file on disk while that still begins with the copy. The mappings of
# a process -p attaches to come from /proc, of files only: jit_outer, unnamed, is in no
# mapping, and the unwinding goes on through it by frame pointer all the same
unnamed="(\[unknown\]|\[anon\]\+0x[0-9a-f]+)"
if [ "$sampling" = yes ]; then
	"$WORKLOADS/jitcode" late 2000 >late.out &
	wpid=$!
	run_pmuprof record -q -e cpu-clock -p $wpid --duration 0.5 -o late.data
	is "jitcode late: record -p: exit status" "$RC" 0
	wait $wpid
	run_pmuprof report -i late.data --no-children
	check_chain "jitcode late, its map grown on disk" "$OUT" jit_hot_loop jit_outer run main
	printf '1000 10 another process\n' >/tmp/perf-$wpid.map
	run_pmuprof report -i late.data --no-children
	check_chain "jitcode late, another map at its path now" "$OUT" jit_hot_loop "$unnamed" \
		run main
	rm -f /tmp/perf-$wpid.map
	run_pmuprof report -i late.data --no-children
	check_chain "jitcode late, its map deleted" "$OUT" jit_hot_loop "$unnamed" run main
fi

# ---- report's fallback: a recording that holds no JIT files ---------------------
# gen-procs maps //anon at 0x555555554000 in pid 1000, with samples at +0x1040 and
# +0x2080, and the jitdump given after it at 0x555555654000; its recording does not
# say that a recorder looked for JIT files
if [ -e /tmp/perf-1000.map ]; then
	skip "fallback to /tmp/perf-1000.map" "the file exists, and is not this test's to replace"
else
	python3 - jit-1000.dump <<'EOF'
import struct, sys
name = b"JS:*fromDump\0"
code = b"\xc3" * 0x40
load = struct.pack("<IIQIIQQQQ", 0, 16 + 40 + len(name) + len(code), 1, 1000, 1000,
                   0x555555555040, 0x555555555040, len(code), 1) + name + code
head = struct.pack("<IIIIIIQQ", 0x4A695444, 1, 40, 62, 0, 1000, 0, 0)
open(sys.argv[1], "wb").write(head + load)
EOF
	"$gen" objects fallback.data //anon "$T_TMP/jit-1000.dump"
	is "gen-procs objects: exit status" "$?" 0
	printf '555555556080 10 JS:*fromMap\n' >/tmp/perf-1000.map
	run_pmuprof report -i fallback.data --no-children --percent-limit 0
	rm -f /tmp/perf-1000.map
	like "fallback: the jitdump its mapping names is read" "$(cat "$OUT")" \
		"jit-1000.dump +\[\.\] JS:\*fromDump"
	like "fallback: /tmp/perf-PID.map is read" "$(cat "$OUT")" "\[\.\] JS:\*fromMap"
	rm -f jit-1000.dump
	run_pmuprof report -i fallback.data --no-children --percent-limit 0
	is "fallback: without the files: exit status" "$RC" 0
	unlike "fallback: without the files: no JIT names" "$(cat "$OUT")" "JS:"
fi

# a hostile map: garbage lines are skipped, the good one names its code
if [ ! -e /tmp/perf-1000.map ]; then
	{
		printf 'zzzz 10 bad\n%0200d 10 long\n\n555555555040 ffffffffffffffff wraps\n' 0
		head -c 4096 /dev/urandom | tr -d '\n'
		printf '\n555555555040 40 JS:~good\n'
	} >/tmp/perf-1000.map
	"$gen" objects hostile.data //anon
	run_pmuprof report -i hostile.data --no-children --percent-limit 0
	rm -f /tmp/perf-1000.map
	is "hostile map: exit status" "$RC" 0
	like "hostile map: the good line names its code" "$(cat "$OUT")" "\[\.\] JS:~good"
fi

# ---- node ------------------------------------------------------------------------
if [ "$sampling" = no ]; then
	done_testing
fi
if ! command -v node >/dev/null; then
	skip "node: JavaScript frames" \
		"node is not installed (contrib/install-deps.sh --test installs nodejs)"
	done_testing
fi

cat >hot.js <<'EOF'
// hotLoop takes the CPU for about 2 s, called again and again from the top level
function hotLoop(n) {
	let s = 0;
	for (let i = 0; i < n; i++)
		s = (s + i * i) % 1000003;
	return s;
}
console.log("node: pid " + process.pid);
const end = Date.now() + 2000;
let t = 0;
while (Date.now() < end)
	t += hotLoop(100000);
console.log(t > 0 ? "done" : "none");
EOF
for flag in --perf-basic-prof --perf-prof; do
	run_pmuprof record -q -e cpu-clock -o node.data -- node $flag hot.js
	is "node $flag: record: exit status" "$RC" 0
	pid=$(printed_pid)
	case $flag in
	--perf-prof) file=jit-$pid.dump ;;
	*) file=/tmp/perf-$pid.map ;;
	esac
	ok "node $flag: node wrote $file" [ -s "$file" ]
	rm -f "$file" isolate-*.log
	run_pmuprof report -i node.data --no-children --percent-limit 5
	is "node $flag: report: exit status" "$RC" 0
	like "node $flag: hotLoop is the top entry" "$(top_entry "$OUT")" \
		"[0-9.]+%.* ${file##*/} +\[\.\] JS:\*hotLoop .*hot\.js"
	chain=$(first_chain "$OUT")
	like "node $flag: the chain goes on below the JavaScript frame into node's own" "$chain" \
		"^JS:\*hotLoop [^;]*;.*;node::Start;.*__libc_start"
	run_pmuprof report -i node.data --format svg -o node.svg
	is "node $flag: svg: exit status" "$RC" 0
	like "node $flag: the flame graph names hotLoop" "$(cat node.svg)" "<title>JS:\*hotLoop "
done
done_testing
