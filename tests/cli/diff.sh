#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# pmuprof diff on two builds of one program whose change is known by design:
# change-old splits its CPU a:b:c = 50:30:20, change-new 20:30:50. The text
# report must find a shrinking by about 30pp and c growing by about 30pp,
# and b unchanged; the folded and SVG outputs must be well formed; a file
# against itself must show no change; errors must say what went wrong.
. "$srcdir/tests/lib.sh"

run_pmuprof record -q -o "$T_TMP/probe.data" -- true
[ "$RC" -eq 0 ] || skip_all "perf_event_open sampling is not usable here: $(cat "$ERR")"
cd "$T_TMP" || exit 1

run_pmuprof record -q -e cpu-clock -F 1000 -o old.data -- "$WORKLOADS/change-old" 1000
is "record change-old: exit status" "$RC" 0
run_pmuprof record -q -e cpu-clock -F 1000 -o new.data -- "$WORKLOADS/change-new" 1000
is "record change-new: exit status" "$RC" 0

# the self table's row of a function: "  * -29.40pp  [ ... ]  ... change_a (change-new)"
self_row() {
	sed -n '/^# self:/,/^# total:/p' "$1" | grep -E "^ .* $2 \(" | head -n 1
}
# its change in pp, without the sign's plus
change_of() {
	printf '%s\n' "$1" | sed -E 's/^  .  *([-+][0-9.]+)pp.*/\1/; s/^\+//'
}

run_pmuprof diff old.data new.data
is "diff: exit status" "$RC" 0
cp "$OUT" text.out
text=$(cat text.out)
like "header names OLD and its command" "$text" "^# old: 'old.data': .*change-old 1000$"
like "header names NEW and its command" "$text" "^# new: 'new.data': .*change-new 1000$"
like "header: event, samples and sampler" "$text" "^#      cpu-clock, [0-9]+ samples, sampler pmu$"
like "the two builds are compared as one program" "$text" \
	"'change-old' \(old\) and 'change-new' \(new\) are compared as one program"
# (the kernel's rows can change with the machine's load between the runs: that warning may come)
unlike "no warning for two like recordings" "$(printf '%s\n' "$text" | grep -v 'are kernel functions')" \
	"warning"

row=$(self_row text.out change_a)
like "self: change_a is significant" "$row" '^  \* '
within "self: change_a shrank by about 30pp" "$(change_of "$row")" -30 6
row=$(self_row text.out change_c)
like "self: change_c is significant" "$row" '^  \* '
within "self: change_c grew by about 30pp" "$(change_of "$row")" 30 6
# change_b did not change, but a table can show noise at its 5% false discovery rate:
# when it is shown, it must be as a small change
row=$(self_row text.out change_b)
if [ -n "$row" ]; then
	b=$(change_of "$row")
	within "self: change_b, shown by chance, changed little" "${b#-}" 0 5
else
	pass "self: change_b is not shown as significant"
fi
like "rows within the noise are counted" "$text" \
	'^# hidden: [0-9]+ within the noise \(--all shows them\)$'
like "total table: change_c" "$(sed -n '/^# total:/,/^# stacks:/p' text.out)" \
	' change_c \(change-new\)$'
like "stacks table: the stack of change_c" "$text" ';main;change_round;change_c$'

# every row: under load, kernel functions can outnumber the default 20 rows
run_pmuprof diff --all --limit 0 old.data new.data
cp "$OUT" all.out
row=$(self_row all.out change_b)
like "--all: change_b is shown" "$row" 'change_b \(change-new\)$'
# it may be flagged by chance (5% false discovery rate): assert only the size of the change
b=$(change_of "$row")
within "--all: change_b is about unchanged" "${b#-}" 0 5

run_pmuprof diff --limit 1 --all old.data new.data
like "--limit 1: the rest counted" "$(cat "$OUT")" 'beyond --limit 1$'
run_pmuprof diff --min-change 100 old.data new.data
unlike "--min-change 100: no row" "$(cat "$OUT")" '^  \* '

# ---- folded ----
run_pmuprof diff --format folded old.data new.data
is "folded: exit status" "$RC" 0
cp "$OUT" x.folded
is "folded: every line is 'stack OLD NEW'" "$(grep -Evc '^[^ ].* [0-9]+ [0-9]+$' x.folded)" 0
like "folded: change_a's stack" "$(cat x.folded)" \
	'^change-new;.*;change_round;change_a [0-9]+ [0-9]+$'
like "folded: change_c's stack" "$(cat x.folded)" \
	'^change-new;.*;change_round;change_c [0-9]+ [0-9]+$'
is "folded: sorted and distinct" "$(LC_ALL=C sort -u x.folded | cmp -s - x.folded && echo yes)" yes
old_total=$(awk '{ n += $(NF - 1) } END { print n }' x.folded)
like "folded: OLD's column adds up to OLD's samples" "$text" "^#      cpu-clock, $old_total samples"

# ---- svg ----
run_pmuprof diff --format svg -o x.svg old.data new.data
is "svg: exit status" "$RC" 0
is "svg: nothing on stdout with -o" "$(cat "$OUT")" ""
like "svg: starts with the XML declaration and <svg" "$(head -n 2 x.svg)" '^<svg '
like "svg: title" "$(cat x.svg)" 'Differential flame graph'
like "svg: legend" "$(cat x.svg)" 'within the noise'
like "svg: change_c's frame" "$(cat x.svg)" \
	'<title>change_c \(change-new\): old [0-9.]+% \([0-9]+\), new'
if command -v python3 >/dev/null; then
	run python3 -c 'import sys, xml.etree.ElementTree as ET; ET.parse(sys.argv[1])' x.svg
	is "svg: parses as XML" "$RC" 0
fi
if command -v rsvg-convert >/dev/null; then
	run rsvg-convert -w 600 x.svg -o x.png
	is "svg: rsvg-convert renders it" "$RC" 0
fi

# ---- a file against itself ----
run_pmuprof diff new.data new.data
is "against itself: exit status" "$RC" 0
unlike "against itself: no significant row" "$(cat "$OUT")" '^  \* '
like "against itself: says so" "$(cat "$OUT")" 'no significant change'

# ---- default files: pmuprof.data.old and pmuprof.data ----
cp old.data pmuprof.data.old
cp new.data pmuprof.data
run_pmuprof diff --format folded
is "no files: pmuprof.data.old against pmuprof.data" "$(cat "$OUT")" "$(cat x.folded)"

# ---- errors ----
run_pmuprof diff old.data missing.data
is "missing file: exit status" "$RC" 1
like "missing file: names it" "$(cat "$ERR")" "^pmuprof: .*'missing.data'"
run_pmuprof diff --bogus old.data new.data
is "unknown option: exit status" "$RC" 2
run_pmuprof diff old.data
is "one file: exit status" "$RC" 2
like "one file: says two are needed" "$(cat "$ERR")" 'two files'
run_pmuprof diff a b c
is "three files: exit status" "$RC" 2
run_pmuprof diff --format pdf old.data new.data
is "unknown --format: exit status" "$RC" 2
like "unknown --format: lists the formats" "$(cat "$ERR")" 'text, folded or svg'
run_pmuprof diff --limit x old.data new.data
is "bad --limit: exit status" "$RC" 2
run_pmuprof diff --format svg -o "$T_TMP/no/such/dir/x.svg" old.data new.data
is "-o into a missing directory: exit status" "$RC" 1
like "-o into a missing directory: names the path" "$(cat "$ERR")" "'$T_TMP/no/such/dir/x.svg'"
run_pmuprof diff --help
is "--help: exit status" "$RC" 0
like "--help: synopsis" "$(cat "$OUT")" 'OLD NEW'

done_testing
