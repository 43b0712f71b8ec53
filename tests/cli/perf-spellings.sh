# SPDX-License-Identifier: GPL-2.0-or-later
# perf's spellings work: record -g; report -n, -S, -G, --sort symbol, pid and
# srcline, perf's comma-separated -g forms (and usage errors that name the
# bad word), and --stdio on every command that prints text. Ground truth is
# the unwind workload's design (see tests/workload/unwind.c).
. "$srcdir/tests/lib.sh"

run_pmuprof record -q -o "$T_TMP/probe.data" -- true
[ "$RC" -eq 0 ] || skip_all "perf_event_open sampling is not usable here: $(cat "$ERR")"
cd "$T_TMP" || exit 1

# line SYMBOL: the table line of a function in $OUT
line() {
	grep -E "^ +[0-9.]+%.*\[\.\] $1( |$)" "$OUT" | head -1
}
# table: the lines of the table in $OUT
table() {
	grep -E '^ +[0-9.]+%' "$OUT"
}
# column N of a line
col() { awk -v n="$1" '{ print $n }'; }

# ---- record -g ----
run_pmuprof record -g -q -F 1000 -o shlib.data -- "$WORKLOADS/unwind" shlib 600
is "record -g: exit status" "$RC" 0
run_pmuprof report --header -i shlib.data
like "record -g records DWARF call graphs" "$(cat "$OUT")" '^call-graph +dwarf$'
run_pmuprof record -q --call-graph none -g -o g.data -- true
run_pmuprof report --header -i g.data
like "record --call-graph none -g: -g, the later, wins" "$(cat "$OUT")" '^call-graph +dwarf$'
run_pmuprof record -q --call-graph dwarf,16384 -g -o g.data -- true
run_pmuprof report --header -i g.data
like "record --call-graph dwarf,16384 -g keeps the size" "$(cat "$OUT")" '^stack-size +16384$'
run_pmuprof record --help
like "record --help lists -g" "$(cat "$OUT")" '^  -g +call graphs the default way'
run_pmuprof record -q -F 1000 -o threads.data -- "$WORKLOADS/unwind" threads 600
is "record threads: exit status" "$RC" 0

# ---- report -n: Samples as perf's ----
run_pmuprof report -i shlib.data -g none --percent-limit 0
all=$(grep -cE '^ +[0-9.]+%' "$OUT")
like "children without -n: the header says what Samples counts" "$(cat "$OUT")" \
	"^# Samples column: stacks through the line; perf's counts the line's own samples \(-n\)$"
total=$(sed -n 's/^# samples: \([0-9]*\).*/\1/p' "$OUT")
# all of them but the few that did not unwind to main (a sample at the program's very start or
# end, or one whose stack copy was cut)
m=$(line main | col 3)
ok "children without -n: main's Samples are the stacks through it ($m of $total)" \
	test "${m:-0}" -le "$total" -a "$((${m:-0} * 100))" -ge "$((total * 95))"
for n in -n --show-nr-samples; do
	run_pmuprof report -i shlib.data -g none --percent-limit 0 $n
	is "report $n: exit status" "$RC" 0
	unlike "report $n: no note on Samples" "$(cat "$OUT")" '^# Samples column'
	like "report $n: the same columns" "$(cat "$OUT")" '^# Children +Self +Samples +Command'
	is "report $n: main has no samples of its own" "$(line main | col 3)" 0
	inner=$(line uw_lib_inner | col 3)
	ok "report $n: uw_lib_inner's own samples ($inner) are most of them ($total)" \
		[ "$((inner * 2))" -gt "$total" ] && [ "$inner" -lt "$total" ]
	is "report $n: the same lines" "$(grep -cE '^ +[0-9.]+%' "$OUT")" "$all"
done
run_pmuprof report -i shlib.data -g none --no-children
table >flat.txt
run_pmuprof report -i shlib.data -g none --no-children -n
is "--no-children -n: as --no-children (Samples is the line's own already)" "$(table)" "$(cat flat.txt)"
run_pmuprof report -i shlib.data -g none --no-children -n -S uw_lib_inner
is "--no-children: Samples equals -n's own count" "$(line uw_lib_inner | col 2)" "$inner"

# ---- -S, --symbols: only samples taken in these functions ----
run_pmuprof report -i shlib.data -g none --no-children -S cmp_ints
is "-S cmp_ints: exit status" "$RC" 0
like "-S: the header says what was selected" "$(cat "$OUT")" \
	'^# selected: [0-9]+ samples \([0-9.]+%\) by --symbols cmp_ints$'
is "-S cmp_ints --no-children: one line" "$(table | wc -l)" 1
like "-S cmp_ints --no-children: cmp_ints's" "$(table)" '\[\.\] cmp_ints$'
run_pmuprof report -i shlib.data -g none -S cmp_ints
like "-S cmp_ints: cmp_ints is all the self time" "$(line cmp_ints)" '^ +100\.00% +100\.00%'
ok "-S cmp_ints: its callers are lines" [ -n "$(line uw_lib_sort)" ]
is "-S cmp_ints: uw_lib_inner is not" "$(line uw_lib_inner)" ""
run_pmuprof report -i shlib.data -g none --no-children --symbols cmp_ints,uw_lib_inner
is "--symbols a,b: two lines" "$(table | wc -l)" 2
run_pmuprof report -i shlib.data -g none --no-children -S uw_lib_work
# -S selects by the sampled function itself, not its callees: a sample may land on
# uw_lib_work's own few instructions around its call (more of them under ASan), but
# never the share its callees have
sel=$(sed -n 's/^# selected: [0-9]* samples (\([0-9.]*\)%).*/\1/p' "$OUT")
if grep -q '^# no samples$' "$OUT"; then
	ok "-S of a function that only calls: no samples, or few" true
else
	ok "-S of a function that only calls: no samples, or few (${sel:-none}%)" \
		awk -v p="${sel:-100}" 'BEGIN { exit !(p < 5) }'
fi

# ---- -G, --inverted: -g caller ----
run_pmuprof report -i shlib.data --no-children -g caller
cp "$OUT" caller.txt
for g in -G --inverted; do
	run_pmuprof report -i shlib.data --no-children $g
	is "$g: exit status" "$RC" 0
	is "$g is -g caller" "$(cat "$OUT")" "$(cat caller.txt)"
done
run_pmuprof report -i shlib.data --no-children
graph=$(sed -n '/\[\.\] uw_lib_inner$/,/^$/p' "$OUT")
like "without -G: uw_lib_inner's graph goes up to main" "$graph" 'main$'
graph=$(sed -n '/\[\.\] uw_lib_inner$/,/^$/p' caller.txt)
unlike "with -G: it does not" "$graph" 'main$'

# ---- --sort symbol, pid, srcline ----
run_pmuprof report -i shlib.data -g none --sort sym
cp "$OUT" sym.txt
run_pmuprof report -i shlib.data -g none --sort symbol
is "--sort symbol: exit status" "$RC" 0
is "--sort symbol is --sort sym" "$(cat "$OUT")" "$(cat sym.txt)"

run_pmuprof report -i threads.data -g none --no-children --sort pid --percent-limit 0
is "--sort pid: exit status" "$RC" 0
like "--sort pid: the column is perf's Pid:Command" "$(cat "$OUT")" '^# Overhead +Samples +Pid:Command$'
pids=$(table | awk '{ print $3 }' | sort)
run_pmuprof report -i threads.data -g none --no-children --sort tid,comm --percent-limit 0
tids=$(table | awk '{ print $3 ":" $4 }' | sort)
is "--sort pid: one line per thread, TID:COMM, as perf's" "$pids" "$tids"
ok "--sort pid: the three workers at least ($(echo "$pids" | wc -l) lines)" \
	[ "$(echo "$pids" | grep -c ':unwind$')" -ge 3 ]

run_pmuprof report -i shlib.data -g none --sort srcline
is "--sort srcline: exit status" "$RC" 0
like "--sort srcline: the column is perf's Source:Line" "$(cat "$OUT")" '^# Children +Self +Samples +Source:Line$'
like "--sort srcline: lines of uwlib.c" "$(table)" ' uwlib\.c:[0-9]+$'
run_pmuprof report -i shlib.data -g none --no-children --sort sym,srcline
top=$(table | head -1)
like "--sort sym,srcline: the hottest line is in uw_lib_inner, in uwlib.c" "$top" \
	'\[\.\] uw_lib_inner +uwlib\.c:[0-9]+$'
ok "--sort sym,srcline: uw_lib_inner has more than one line" \
	[ "$(table | grep -c 'uw_lib_inner  *uwlib\.c')" -ge 2 ]

# ---- perf's -g forms ----
run_pmuprof report -i shlib.data --no-children -g callee
cp "$OUT" callee.txt
run_pmuprof report -i shlib.data -g caller
cp "$OUT" children-caller.txt
run_pmuprof report -i shlib.data --no-children -g caller,0.5,callee
is "-g caller,0.5,callee: the last order wins, as in perf" "$(cat "$OUT")" "$(cat callee.txt)"
run_pmuprof report -i shlib.data -g graph,0.5,caller
is "-g graph,0.5,caller is -g caller" "$(cat "$OUT")" "$(cat children-caller.txt)"
run_pmuprof report -i shlib.data --call-graph=graph,caller,function,percent
is "--call-graph=graph,caller,function,percent is -g caller" "$(cat "$OUT")" "$(cat children-caller.txt)"
run_pmuprof report -i shlib.data --call-graph caller
is "--call-graph caller (the next word)" "$(cat "$OUT")" "$(cat children-caller.txt)"
run_pmuprof report -i shlib.data -gcaller
is "-gcaller (attached)" "$(cat "$OUT")" "$(cat children-caller.txt)"
run_pmuprof report -g shlib.data
is "-g FILE: a bare -g, then the file: exit status" "$RC" 0
is "-g FILE: the default graph" "$(cat "$OUT")" "$(cat children-caller.txt)"
run_pmuprof report -i shlib.data -g none -g
is "a bare -g after -g none: the graphs are back" "$(cat "$OUT")" "$(cat children-caller.txt)"
run_pmuprof report -i shlib.data -g none,caller
unlike "-g none,...: no graphs" "$(cat "$OUT")" '^ +\|'

# the most of any branch of uw_lib_sort's graph
maxbranch() {
	sed -n '/\[\.\] uw_lib_sort$/,/^$/p' "$OUT" | grep -oE -- '--[0-9.]+%--' |
		tr -d '%-' | sort -n | tail -1
}
run_pmuprof report -i shlib.data -g graph --percent-limit 0
graph_max=$(maxbranch)
run_pmuprof report -i shlib.data -g fractal --percent-limit 0
is "-g fractal: exit status" "$RC" 0
fractal_max=$(maxbranch)
# (uw_lib_sort has about a fifth of the samples: a share of all is below its share of its parent)
ok "-g graph: uw_lib_sort's branches are shares of all ($graph_max < $fractal_max)" \
	awk -v m="$graph_max" -v f="$fractal_max" 'BEGIN { exit !(m != "" && f != "" && m + 0 < f + 0) }'
ok "-g fractal: they are shares of their parent ($fractal_max > 50)" \
	awk -v m="$fractal_max" 'BEGIN { exit !(m != "" && m + 0 > 50) }'

# the least branch in all graphs
minbranch() {
	grep -oE -- '--[0-9.]+%--' "$OUT" | tr -d '%-' | sort -n | head -1
}
run_pmuprof report -i shlib.data -g caller,0 --percent-limit 0
lines0=$(table | wc -l)
min0=$(minbranch)
run_pmuprof report -i shlib.data -g caller,20 --percent-limit 0
min20=$(minbranch)
ok "-g caller,0: branches below 20% ($min0)" awk -v m="$min0" 'BEGIN { exit !(m != "" && m + 0 < 20) }'
ok "-g caller,20: none below 20% ($min20)" awk -v m="$min20" 'BEGIN { exit !(m != "" && m + 0 >= 20) }'
is "-g's threshold prunes the graph, not the table" "$(table | wc -l)" "$lines0"

# bad forms: usage errors naming the bad word
expect_error "-g: an unknown word" 2 \
	"pmuprof: --call-graph: 'up' is none of caller, callee, none, graph, fractal, function, percent or a threshold" \
	report -i shlib.data -g up
expect_error "-g: an unknown word among others" 2 \
	"pmuprof: --call-graph: 'x' in 'caller,x' is none of caller, callee, none, graph, fractal, function, percent or a threshold" \
	report -i shlib.data -g caller,x
expect_error "-g: perf's print limit" 2 \
	"pmuprof: --call-graph: '5' in 'caller,0.5,5' would be perf's print limit, which pmuprof does not have: give the threshold only" \
	report -i shlib.data -g caller,0.5,5
expect_error "-g: a threshold out of range" 2 \
	"pmuprof: --call-graph: the threshold '150' in 'caller,150' is not a percentage from 0 to 100" \
	report -i shlib.data -g caller,150
expect_error "-g flat" 2 \
	"pmuprof: --call-graph: 'flat' is not supported: perf's flat chains are not printed: use graph or fractal, or --format folded" \
	report -i shlib.data -g flat
expect_error "-g folded" 2 \
	"pmuprof: --call-graph: 'folded' in 'folded,caller' is not supported: perf's folded chains are not printed here: use --format folded" \
	report -i shlib.data -g folded,caller
expect_error "-g address" 2 \
	"pmuprof: --call-graph: 'address' in 'graph,0.5,caller,address' is not supported: the graph is merged by function only: use function" \
	report -i shlib.data -g graph,0.5,caller,address
expect_error "--call-graph=branch" 2 \
	"pmuprof: --call-graph: 'branch' in 'caller,function,branch' is not supported: pmuprof records no branch stacks" \
	report -i shlib.data --call-graph=caller,function,branch
expect_error "-g period" 2 \
	"pmuprof: --call-graph: 'period' in 'caller,period' is not supported: the graph shows percentages only: use percent" \
	report -i shlib.data -g caller,period
expect_error "-g of a word that is no file either" 2 \
	"pmuprof: --call-graph: 'nosuch.data' is none of caller, callee, none, graph, fractal, function, percent or a threshold" \
	report -g nosuch.data

# ---- --stdio everywhere text is printed ----
check_stdio() {
	desc=$1
	shift
	run_pmuprof "$@"
	cp "$OUT" plain.txt
	run_pmuprof "$@" --stdio
	is "$desc --stdio: exit status" "$RC" 0
	is "$desc --stdio: the same text" "$(cat "$OUT")" "$(cat plain.txt)"
}
check_stdio report report -i shlib.data
check_stdio annotate annotate -i shlib.data --color never uw_lib_inner
check_stdio script script -i shlib.data
check_stdio diff diff shlib.data shlib.data
run_pmuprof stat --stdio -e task-clock -- true
is "stat --stdio: exit status" "$RC" 0
like "stat --stdio: the counts" "$(cat "$ERR")" 'task-clock'
run_pmuprof compare --stdio --samplers pmu -e cpu-clock -- true
is "compare --stdio: exit status" "$RC" 0
like "compare --stdio: the table" "$(cat "$OUT")" 'pmu'

done_testing
