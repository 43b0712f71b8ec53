# SPDX-License-Identifier: GPL-2.0-or-later
# DWARF unwinding through workloads built without frame pointers, whose call
# chains are known by design (tests/workload/unwind.c), and the flat report's
# shares against the CPU split that tests/workload/split.c measured itself.
. "$srcdir/tests/lib.sh"

run_pmuprof record -q -o "$T_TMP/probe.data" -- true
[ "$RC" -eq 0 ] || skip_all "perf_event_open sampling is not usable here: $(cat "$ERR")"
cd "$T_TMP" || exit 1

# at_least DESC GOT MIN [DIAG...]: GOT >= MIN (numbers may have decimals)
at_least() {
	desc=$1
	got=$2
	min=$3
	shift 3
	if awk -v g="$got" -v m="$min" 'BEGIN { exit !(g != "" && g + 0 >= m + 0) }'; then
		pass "$desc ($got, at least $min)"
	else
		fail "$desc" "got '$got', want at least $min" "$@"
	fi
}

# share ERE FOLDED: the percentage of the samples in a folded file (lines
# "stack COUNT") whose stack matches ERE
share() {
	[ -s "$2" ] || return 0
	total=$(awk '{ t += $NF } END { print t + 0 }' "$2")
	hit=$(grep -E -- "$1" "$2" | awk '{ t += $NF } END { print t + 0 }')
	awk -v h="$hit" -v t="$total" 'BEGIN { printf "%.1f\n", t ? 100 * h / t : 0 }'
}

# hottest FOLDED: its five heaviest stacks, for failure messages
hottest() {
	[ -s "$1" ] || { echo "(no folded output)"; return 0; }
	awk '{ print $NF, $0 }' "$1" | sort -rn | cut -d' ' -f2- | head -5
}

# unwound: the "reached a root frame" percentage in the report header in $OUT
unwound() {
	sed -n 's/^# unwound: [0-9]* samples: \([0-9.]*\)% reached a root frame,.*/\1/p' "$OUT"
}

# libc's own start_thread and __restore_rt are local symbols: they have names
# only where libc's separate debug file is installed (libc6-dbg)
libc_debug=no
libc=$(ldd "$WORKLOADS/unwind" 2>/dev/null | awk '$1 == "libc.so.6" { print $3 }')
if [ -n "$libc" ] && command -v readelf >/dev/null; then
	id=$(readelf -n "$libc" 2>/dev/null | sed -n 's/^ *Build ID: \([0-9a-f]*\)$/\1/p')
	rest=${id#??}
	[ -n "$id" ] && [ -f "/usr/lib/debug/.build-id/${id%"$rest"}/$rest.debug" ] && libc_debug=yes
fi

# chain MODE DESC ERE MIN_SHARE: at least MIN_SHARE% of MODE's samples are under ERE
chain() {
	at_least "$1: $2" "$(share "$3" "$1.folded")" "$4" "hottest stacks:" "$(hottest "$1.folded")"
}

for mode in recurse shlib threads signal; do
	run_pmuprof record -q -F 1000 -o $mode.data -- "$WORKLOADS/unwind" $mode 600
	is "$mode: record exit status" "$RC" 0
	run_pmuprof report -i $mode.data --format folded -o $mode.folded
	is "$mode: folded report exit status" "$RC" 0
	run_pmuprof report -i $mode.data
	at_least "$mode: stacks that reached a root frame (%)" "$(unwound)" 99 \
		"$(grep '^# unwound' "$OUT" || echo 'no "# unwound:" line in the report header')"
done

# default settings (no --call-graph): stacks of 14-20 KiB, more than perf's
# 8 KiB default holds, unwind whole; record and report say what size was used
run_pmuprof record -F 1000 -o deep.data -- "$WORKLOADS/unwind" deep 600
is "deep: record exit status" "$RC" 0
like "deep: record's summary says the default size and why" "$(cat "$ERR")" \
	'^\[ pmuprof record: 32768-byte stack copies \(the default, which holds the whole stacks of most programs\); [0-9.]+% of the samples filled the copy, whose stacks may be cut short \]$'
run_pmuprof report --header -i deep.data
like "deep: report --header shows where the size came from" "$(cat "$OUT")" '^stack-size-origin +default$'
run_pmuprof report -i deep.data --format folded -o deep.folded
run_pmuprof report -i deep.data
at_least "deep, default settings: stacks that reached a root frame (%)" "$(unwound)" 99 \
	"$(grep '^# unwound' "$OUT" || echo 'no "# unwound:" line in the report header')"
like "deep: report's header says the size and where it came from" "$(cat "$OUT")" \
	'# call graph: dwarf, 32768-byte stack copies \(record.s default\), recorded on '
chain deep "the 100 deep frames under run_deep, then the leaf" \
	';main;run_deep(;deep){100};deep_leaf( |;)' 30
run_pmuprof record -q -F 1000 --call-graph dwarf,8192 -o deep8.data -- "$WORKLOADS/unwind" deep 600
run_pmuprof report -i deep8.data
like "deep, dwarf,8192: the header says the size was asked for" "$(cat "$OUT")" \
	'# call graph: dwarf, 8192-byte stack copies \(--call-graph dwarf,SIZE\), recorded on '

# main -> run_recurse -> recurse x 30 -> recurse_leaf: all 30 frames, no more, no fewer
chain recurse "the 30 recursive frames under run_recurse, then the leaf" \
	';main;run_recurse(;recurse){30};recurse_leaf( |;)' 90
like "recurse: the hottest stack is the full chain" "$(hottest recurse.folded | head -1)" \
	';main;run_recurse(;recurse){30};recurse_leaf( |;)'

# across libuw.so, and back into the executable through libc's qsort
chain shlib "exe -> libuw.so: main;run_shlib;uw_lib_work;uw_lib_inner" \
	';main;run_shlib;uw_lib_work;uw_lib_inner( |;)' 40
chain shlib "exe -> libuw.so -> libc -> exe: uw_lib_sort;...;cmp_ints" \
	';main;run_shlib;uw_lib_sort;([^ ]*;)?cmp_ints( |;)' 5
like "shlib: the hottest stack is in libuw.so" "$(hottest shlib.folded | head -1)" \
	';main;run_shlib;uw_lib_work;uw_lib_inner( |;)'

# threads, one created late: each from glibc's thread start routine
if [ $libc_debug = yes ]; then
	chain threads "start_thread;thread_main;thread_level1;thread_level2" \
		';start_thread;thread_main;thread_level1;thread_level2( |;)' 90
else
	chain threads "a caller above thread_main;thread_level1;thread_level2 (no libc6-dbg to name it)" \
		';[^;]+;thread_main;thread_level1;thread_level2( |;)' 90
fi

run_pmuprof report -i threads.data --no-children --sort tid,sym
is "threads: thread_level2 is hot in each of the three threads, the late one too" \
	"$(grep -c '\[\.\] thread_level2$' "$OUT")" 3

# out of a signal handler through the signal frame: between signal_spin (or
# the clock_gettime it was in) and on_signal is libc's __restore_rt, whose name
# depends on debug symbols and on how the frame after a signal frame is looked up
chain signal "main;run_signal;signal_spin, the handler's stacks included" \
	';main;run_signal;signal_spin( |;)' 90
chain signal "handler_work;on_signal;(the signal frame);signal_spin;run_signal;main" \
	';main;run_signal;signal_spin;([^; ]+;){1,3}on_signal;handler_work( |;)' 5

# the flat report against the kernel's CPU accounting, measured by split itself
run_pmuprof record -q -F 1000 -o split.data -- "$WORKLOADS/split" -o split.truth 2000
is "split: record exit status" "$RC" 0
truth_sum=$(awk '/^split_/ { sub(/%$/, "", $4); s += $4 } END { print s + 0 }' split.truth)
at_least "split: the four functions have most of the CPU time (the workload's own truth)" \
	"$truth_sum" 95 "$(cat split.truth)"
run_pmuprof report -i split.data --no-children --sort sym
is "split: report exit status" "$RC" 0
for f in split_a split_b split_c split_d; do
	want=$(awk -v f=$f '$1 == f { sub(/%$/, "", $4); print $4 }' split.truth)
	got=$(awk -v f=$f '$NF == f && $(NF - 1) == "[.]" { sub(/%$/, "", $1); print $1; exit }' "$OUT")
	within "split: $f overhead against its measured CPU share" "$got" "$want" 2
done
at_least "split: stacks that reached a root frame (%)" "$(unwound)" 99 \
	"$(grep '^# unwound' "$OUT" || echo 'no "# unwound:" line in the report header')"

done_testing
