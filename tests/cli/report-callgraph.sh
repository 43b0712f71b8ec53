# SPDX-License-Identifier: GPL-2.0-or-later
# The call-graph report: Children and Self, the graph under each line in
# both orders, --percent-limit, the filters, --srcline and --inline, and
# bad arguments. Ground truth is the unwind workload's design.
. "$srcdir/tests/lib.sh"

run_pmuprof record -q -o "$T_TMP/probe.data" -- true
[ "$RC" -eq 0 ] || skip_all "perf_event_open sampling is not usable here: $(cat "$ERR")"
cd "$T_TMP" || exit 1

run_pmuprof record -q -F 1000 -o shlib.data -- "$WORKLOADS/unwind" shlib 600
is "record shlib: exit status" "$RC" 0
run_pmuprof record -q -F 1000 -o threads.data -- "$WORKLOADS/unwind" threads 600
is "record threads: exit status" "$RC" 0

# line SYMBOL: the table line of a function in $OUT
line() {
	grep -E "^ +[0-9.]+%.*\[\.\] $1( |$)" "$OUT" | head -1
}
# children/self PCT of a table line
children() { awk '{ sub("%", "", $1); print $1 }'; }
self() { awk '{ sub("%", "", $2); print $2 }'; }
# gt A B: A > B as numbers
gt() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a + 0 > b + 0) }'; }

# ---- the default: children, caller graphs ----
run_pmuprof report -i shlib.data
is "report: exit status" "$RC" 0
like "children table header" "$(cat "$OUT")" '^# Children +Self +Samples +Command +Shared Object +Symbol$'
main=$(line main)
ok "main has most of the time as children, none as self ($main)" \
	gt "$(echo "$main" | children)" 95
is "main: no self time" "$(echo "$main" | self)" "0.00"
inner=$(line uw_lib_inner)
ok "uw_lib_inner: self time is most of its children time ($inner)" \
	gt "$(echo "$inner" | self)" "$(awk -v c="$(echo "$inner" | children)" 'BEGIN { print c - 3 }')"
# under run_shlib (caller order), its callees
graph=$(sed -n '/\[\.\] run_shlib$/,/^$/p' "$OUT")
like "caller graph of run_shlib starts with it" "$graph" '^ +---run_shlib$'
like "caller graph of run_shlib branches to uw_lib_work" "$graph" '--[0-9.]+%--uw_lib_work$'
like "caller graph of run_shlib branches to uw_lib_sort" "$graph" '--[0-9.]+%--uw_lib_sort$'

# ---- --no-children: self only, callee graphs ----
run_pmuprof report -i shlib.data --no-children
like "no-children table header" "$(cat "$OUT")" '^# Overhead +Samples +Command +Shared Object +Symbol$'
top=$(grep -v '^#' "$OUT" | grep -E '^ +[0-9]' | head -1)
like "the hottest self line is uw_lib_inner" "$top" '\[\.\] uw_lib_inner$'
graph=$(sed -n '/\[\.\] uw_lib_inner$/,/^$/p' "$OUT")
like "callee graph of uw_lib_inner names its caller" "$graph" '^ +uw_lib_work$|--uw_lib_work$'
like "callee graph reaches run_shlib" "$graph" 'run_shlib$'
like "callee graph reaches main" "$graph" 'main$'

run_pmuprof report -i shlib.data -g caller --no-children
graph=$(sed -n '/\[\.\] uw_lib_inner$/,/^$/p' "$OUT")
unlike "-g caller: uw_lib_inner's graph does not go up to main" "$graph" 'main$'
run_pmuprof report -i shlib.data -g none
unlike "-g none: no graphs" "$(cat "$OUT")" '^ +\|'
ok "-g none: the table is still there" [ -n "$(line main)" ]

# ---- --percent-limit ----
run_pmuprof report -i shlib.data -g none --percent-limit 0
all=$(grep -cE '^ +[0-9.]+%' "$OUT")
run_pmuprof report -i shlib.data -g none --percent-limit 50
few=$(grep -cE '^ +[0-9.]+%' "$OUT")
ok "--percent-limit 50 shows fewer lines ($few < $all)" [ "$few" -lt "$all" ]
like "--percent-limit says how many lines it hid" "$(cat "$OUT")" '^# [0-9]+ more lines below 50% \(--percent-limit\)$'
unlike "--percent-limit 50 hides cmp_ints (about 20%)" "$(cat "$OUT")" 'cmp_ints'

# ---- filters ----
run_pmuprof report -i shlib.data -g none --symbol 'cmp_*'
like "--symbol: the header says what was selected" "$(cat "$OUT")" '^# selected: [0-9]+ samples \([0-9.]+%\) by --symbol cmp_\*$'
like "--symbol: cmp_ints is in every selected stack" "$(line cmp_ints)" '^ +100\.00%'
run_pmuprof report -i shlib.data -g none --dso libuw.so
like "--dso libuw.so: the header says what was selected" "$(cat "$OUT")" '^# selected: [0-9]+ samples \(9[0-9]\.[0-9]+%\) by --dso libuw\.so$'
# four rounds of uw_lib_work to one of uw_lib_sort: how long each takes depends on the
# build's flags (60-80% for uw_lib_work), but it stays the larger
work=$(line uw_lib_work | awk '{ sub("%", "", $1); print $1 }')
sort=$(line uw_lib_sort | awk '{ sub("%", "", $1); print $1 }')
ok "--dso libuw.so: uw_lib_work has most of them (${work:-none}% against uw_lib_sort's ${sort:-none}%)" \
	awk -v w="${work:-0}" -v s="${sort:-100}" 'BEGIN { exit !(w > s && w + s > 90) }'
unlike "--dso libuw.so: stacks that never enter it are gone" "$(cat "$OUT")" '\[\.\] _dl_start$'
run_pmuprof report -i shlib.data -g none --comm no-such-command
like "--comm of nothing: no samples" "$(cat "$OUT")" '^# no samples$'
run_pmuprof report -i shlib.data -g none --comm unwind
like "--comm unwind: everything" "$(cat "$OUT")" '^# selected: [0-9]+ samples \(100\.00%\) by --comm unwind$'
run_pmuprof report -i shlib.data -g none --time 0,0.2
n=$(sed -n 's/^# selected: \([0-9]*\) samples.*/\1/p' "$OUT")
ok "--time 0,0.2: about 200 samples or fewer (${n:-none})" [ "${n:-0}" -gt 0 ] && [ "${n:-999}" -le 260 ]

run_pmuprof report -i threads.data -g none --no-children --sort tid,sym
tid=$(grep '\[\.\] thread_level2$' "$OUT" | awk '{ print $3 }' | head -1)
run_pmuprof report -i threads.data -g none --no-children --sort tid,sym --tid "$tid"
is "--tid: one thread's line only" "$(grep -c '\[\.\] thread_level2$' "$OUT")" 1
like "--tid: it is that thread" "$(grep '\[\.\] thread_level2$' "$OUT")" " $tid +\[\.\]"

# ---- source lines and inlined frames ----
run_pmuprof report -i shlib.data -g none --srcline
like "--srcline: file:line after the function" "$(line uw_lib_inner)" 'uw_lib_inner  uwlib\.c:[0-9]+$'
run_pmuprof report -i shlib.data --inline --format folded -o inline.folded
is "--inline: exit status" "$RC" 0
like "--inline: the chain is still there" "$(cat inline.folded)" 'main;run_shlib;uw_lib_work;uw_lib_inner'

# ---- kernel names travel in the file ----
# page faults put kernel frames under the workload; a user who cannot read
# kernel addresses in /proc/kallsyms (nobody, kptr_restrict) still sees
# their names, because record stored them
run_pmuprof record -q -F 1000 -o pages.data -- "$WORKLOADS/pages" 20000
k=$(awk 'NR > 1 && $1 != "0000000000000000" { n++ } END { print n + 0 }' /proc/kallsyms)
if [ "$RC" -eq 0 ] && command -v setpriv >/dev/null && [ "$(id -u)" -eq 0 ] && [ "$k" -gt 0 ]; then
	chmod 644 pages.data
	chmod 755 "$T_TMP"
	setpriv --reuid=nobody --regid=nogroup --clear-groups -- \
		"$PMUPROF" report -i "$T_TMP/pages.data" --format folded >nobody.folded 2>/dev/null
	like "kernel functions named for a reader without /proc/kallsyms addresses" \
		"$(cat nobody.folded)" 'page_fault_\[k\]'
else
	pass "# SKIP needs root, setpriv and readable kernel addresses to test this"
fi

# ---- bad arguments ----
expect_error "--call-graph takes caller, callee or none" 2 \
	"pmuprof: --call-graph: 'up' is none of caller, callee, none, graph, fractal, function, percent or a threshold" \
	report -i shlib.data -g up
expect_error "--percent-limit out of range" 2 \
	"pmuprof: --percent-limit takes a percentage from 0 to 100, not '200'" report -i shlib.data --percent-limit 200
expect_error "--time needs a comma" 2 \
	"pmuprof: --time takes START,END in seconds from the start of the recording (either may be empty), not '5'" \
	report -i shlib.data --time 5
expect_error "--time START after END" 2 \
	"pmuprof: --time takes START,END in seconds from the start of the recording, START <= END, not '3,1'" \
	report -i shlib.data --time 3,1
expect_error "--tid takes numbers" 2 \
	"pmuprof: --tid takes thread ids separated by commas, not 'x'" report -i shlib.data --tid 1,x

done_testing
