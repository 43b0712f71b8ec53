# SPDX-License-Identifier: GPL-2.0-or-later
# The header's word on how stacks unwound, beyond the shares: with
# --call-graph fp, how many frame pointer chains ended early, where and why,
# and what to do; with --call-graph dwarf, which copy size the stacks that
# the copy cut short would have needed, checked by recording again with it.
. "$srcdir/tests/lib.sh"

run_pmuprof record -q -e cpu-clock -o "$T_TMP/probe.data" -- true
[ "$RC" -eq 0 ] || skip_all "perf_event_open sampling is not usable here: $(cat "$ERR")"
cd "$T_TMP" || exit 1

# at_most / at_least DESC GOT LIMIT [DIAG...] (numbers may have decimals)
at_most() {
	if awk -v g="$2" -v m="$3" 'BEGIN { exit !(g != "" && g + 0 <= m + 0) }'; then
		pass "$1 ($2, at most $3)"
	else
		fail "$1" "got '$2', want at most $3" "$4"
	fi
}

at_least() {
	if awk -v g="$2" -v m="$3" 'BEGIN { exit !(g != "" && g + 0 >= m + 0) }'; then
		pass "$1 ($2, at least $3)"
	else
		fail "$1" "got '$2', want at least $3" "$4"
	fi
}

# the header of the report in $OUT, up to the table
header() {
	sed -n '1,/^#$/p' "$OUT"
}

# field N of the "# unwound:" line: 1 the root share, 2 the next one
unwound() {
	sed -n 's/^# unwound: [0-9]* samples: \([0-9.]*\)% reached a root frame, \([0-9.]*\)%.*/\'"$1"'/p' "$OUT"
}

# --call-graph fp: split is built without frame pointers, split-fp with them

run_pmuprof record -q -e cpu-clock -F 1000 --call-graph fp -o fp.data -- \
	"$WORKLOADS/split" -o split.truth 1000
is "fp, no frame pointers: record exit status" "$RC" 0
run_pmuprof report -i fp.data --no-children
is "fp, no frame pointers: report exit status" "$RC" 0
like "fp: the quality line says how many chains reached a root and how many ended early" \
	"$(header)" '^# unwound: [0-9]+ samples: [0-9.]+% reached a root frame, [0-9.]+% ended early in a broken frame pointer chain \(followed by the kernel\)$'
at_least "fp, no frame pointers: most chains ended early (%)" "$(unwound 2)" 90 "$(header)"
like "fp, no frame pointers: where and why" "$(header)" \
	'^#   ended early in split: [0-9]+ samples \(the frame pointer did not point into the stack\)$'
like "fp, no frame pointers: what to do" "$(header)" \
	'^#   code built without frame pointers .*: record with --call-graph dwarf, or build with -fno-omit-frame-pointer$'
unlike "fp: no word on stack copies" "$(header)" 'stack copy|cut short'
run_pmuprof report -i fp.data --header
like "fp: the recording keeps the kernel's depth limit" "$(cat "$OUT")" '^max-stack +[0-9]+$'

run_pmuprof record -q -e cpu-clock -F 1000 --call-graph fp -o fp-kept.data -- \
	"$WORKLOADS/split-fp" -o split-fp.truth 1000
is "fp, frame pointers kept: record exit status" "$RC" 0
run_pmuprof report -i fp-kept.data --no-children
at_least "fp, frame pointers kept: the chains reach a root frame (%)" "$(unwound 1)" 95 "$(header)"
unlike "fp, frame pointers kept: the program's own chains do not end early" "$(header)" \
	'^#   ended early in split-fp:'

# --call-graph none has no stacks to judge
run_pmuprof record -q -e cpu-clock -F 1000 --call-graph none -o none.data -- \
	"$WORKLOADS/split" -o none.truth 300
run_pmuprof report -i none.data
unlike "none: no quality line" "$(header)" '^# unwound|^#   ended early'

# --call-graph dwarf with a copy too small for deep stacks: unwind deep takes
# turns at 14-20 KiB of stack and at a few hundred bytes

run_pmuprof record -q -e cpu-clock -F 1000 --call-graph dwarf,1024 -o small.data -- \
	"$WORKLOADS/unwind" deep 1000
is "dwarf,1024: record exit status" "$RC" 0
run_pmuprof report -i small.data --no-children
at_least "dwarf,1024: the deep half is cut short (%)" "$(unwound 2)" 30 "$(header)"
like "dwarf,1024: the header says which copy size would have held most cut stacks" \
	"$(header)" '^#   cut short: --call-graph dwarf,[0-9]+ would have held 90% of them whole \([0-9]+ measured'
size=$(header | sed -n 's/^#   cut short: --call-graph dwarf,\([0-9]*\) would have held.*/\1/p')
at_least "dwarf,1024: the size suggested is for the 14-20 KiB stacks, not the 1 KiB copy" "$size" 12288 "$(header)"
at_most "dwarf,1024: the size suggested is one record takes" "${size:-99999}" 65528
unlike "dwarf,1024: every cut stack was measured" "$(header)" 'is unknown'

[ -n "$size" ] || size=65528
run_pmuprof record -q -e cpu-clock -F 1000 --call-graph dwarf,"$size" -o suggested.data -- \
	"$WORKLOADS/unwind" deep 1000
is "dwarf,$size: record exit status" "$RC" 0
run_pmuprof report -i suggested.data --no-children
at_most "dwarf,$size: recorded again with the size suggested, (nearly) none is cut (%)" \
	"$(unwound 2)" 5 "$(header)"
at_least "dwarf,$size: and the stacks reach their root (%)" "$(unwound 1)" 95 "$(header)"
unlike "dwarf,$size: no size suggested any more" "$(header)" '^#   cut short'

# threads whose stacks never unwound whole: where they end is unknown, and said so
run_pmuprof record -q -e cpu-clock -F 1000 --call-graph dwarf,64 -o tiny.data -- \
	"$WORKLOADS/unwind" threads 300
is "dwarf,64: record exit status" "$RC" 0
run_pmuprof report -i tiny.data --no-children
like "dwarf,64: no size can be measured without a whole stack of the thread" "$(header)" \
	'^#   cut short: [0-9]+ samples? of threads none of whose stacks unwound whole: where their stacks end, and so the size they need, is unknown$'
unlike "dwarf,64: no size is made up" "$(header)" 'would have held'

done_testing
