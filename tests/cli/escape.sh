# SPDX-License-Identifier: GPL-2.0-or-later
# Text from a recording reaches the terminal escaped: a recording of a
# program whose path holds a newline and an escape sequence, whose name (its
# comm) sets the terminal's title, whose arguments hold escape sequences, a
# newline and a C1 control, and whose function is renamed to hold them all.
# report (table, call graph, header), script, annotate, diff, the folded
# export and the warnings then show \e, \n, \xNN and never a raw control
# byte, nor a line that the recording forged.
. "$srcdir/tests/lib.sh"

run_pmuprof record -q -o "$T_TMP/probe.data" -- true
[ "$RC" -eq 0 ] || skip_all "perf_event_open sampling is not usable here: $(cat "$ERR")"
command -v objcopy >/dev/null || skip_all "objcopy (binutils) is needed to rename a symbol"
cd "$T_TMP" || exit 1

esc=$(printf '\033')
dir=$(printf 'dir\nforged line\033[31m')
prog=$(printf 'hot\033]0;pwned\007') # 13 bytes: all of it is the comm
func=$(printf 'hot\033]0;pwned\007div\nforged line\302\233')
mkdir "$dir"
objcopy --redefine-sym "hot_divide=$func" "$WORKLOADS/hot" "$dir/$prog"
run_pmuprof record -q -e cpu-clock -F 1000 -o esc.data -- "./$dir/$prog" 300 \
	"$(printf 'title\033]0;pwned\007')" "$(printf 'a\nforged line')" "$(printf '\2332J')"
is "record: exit status" "$RC" 0

# Fails when FILE holds a control byte other than the tab and the newline
# that separate fields and lines, or a line the recording forged.
clean() {
	desc=$1
	file=$2
	bad=$(LC_ALL=C tr -d '\000-\010\013-\037\177' <"$file" | cmp - "$file" 2>&1)
	is "$desc: no raw control byte" "$bad" ""
	is "$desc: no forged line" "$(grep -c '^forged line' "$file")" 0
}

# check DESC ARGS...: runs pmuprof ARGS; its output and messages are clean
check() {
	desc=$1
	shift
	run_pmuprof "$@"
	is "$desc: exit status" "$RC" 0
	clean "$desc" "$OUT"
	clean "$desc: messages" "$ERR"
}

# The escaped forms, as a fixed string in the output
has() {
	if grep -qF -- "$2" "$OUT"; then pass "$1"; else fail "$1" "no '$2' in:" "$(head -20 "$OUT")"; fi
}

check "report --header" report -i esc.data --header
has "header: the command line's escapes" \
	'./dir\nforged line\e[31m/hot\e]0;pwned\x07 300 title\e]0;pwned\x07 a\nforged line \x9b2J'

check "report" report -i esc.data --sort comm,dso,sym
has "report: the comm escaped" 'hot\e]0;pwned\x07'
has "report: the function escaped" '[.] hot\e]0;pwned\x07div\nforged line\xc2\x9b'
has "report: the object escaped" 'hot\e]0;pwned\x07'
has "report's header: the command line escaped" 'title\e]0;pwned\x07 a\nforged line'

check "report -g" report -i esc.data -g caller --sort sym
has "call graph: the function escaped" 'hot\e]0;pwned\x07div\nforged line\xc2\x9b'

check "report --srcline" report -i esc.data --srcline --sort sym
has "--srcline: the function escaped" 'hot\e]0;pwned\x07div\nforged line\xc2\x9b  hot.c:'

check "script" script -i esc.data
like "script: comm escaped at the start of a sample" "$(head -1 "$OUT")" \
	'^hot\\e\]0;pwned\\x07 +[0-9]+ '
has "script: the function escaped" 'hot\e]0;pwned\x07div\nforged line\xc2\x9b+0x'
has "script: the object escaped" '(/'
has "script: the object's path escaped" 'dir\nforged line\e[31m/hot\e]0;pwned\x07)'

check "annotate" annotate -i esc.data --color never --source
has "annotate: the command line escaped" 'title\e]0;pwned\x07 a\nforged line \x9b2J'
has "annotate: the function and object escaped" \
	'# hot\e]0;pwned\x07div\nforged line\xc2\x9b (hot\e]0;pwned\x07): '
has "annotate: a jump's target escaped" '<hot\e]0;pwned\x07div\nforged line\xc2\x9b+0x'
like "annotate: source lines keep their tabs" "$(cat "$OUT")" 'hot\.c:[0-9]+  .*	'

check "diff" diff esc.data esc.data --all
has "diff: the command line escaped" 'title\e]0;pwned\x07 a\nforged line \x9b2J'
has "diff: the function escaped" 'hot\e]0;pwned\x07div\nforged line\xc2\x9b (hot\e]0;pwned\x07)'

check "diff --format folded" diff esc.data esc.data --format folded
check "report --format folded" report -i esc.data --format folded
unlike "folded: no raw C1 control" "$(LC_ALL=C grep -c "$(printf '[\200-\237]')" "$OUT")" '^[1-9]'

# messages: the program changed since the recording, a file that is not there
cp "$WORKLOADS/burn" "$dir/$prog"
run_pmuprof report -i esc.data
clean "report of a changed program: messages" "$ERR"
like "the changed program's path escaped in the warning" "$(cat "$ERR")" \
	"^pmuprof: warning: '.*dir\\\\nforged line\\\\e\[31m/hot\\\\e\]0;pwned\\\\x07' has changed"
run_pmuprof annotate -i esc.data --color never
clean "annotate of a changed program: messages" "$ERR"
run_pmuprof report -i "$dir/none.data"
is "a missing file: exit status" "$RC" 1
clean "a missing file: the error" "$ERR"
has_err=$(grep -cF 'dir\nforged line\e[31m/none.data' "$ERR")
is "a missing file: its path escaped in the error" "$has_err" 1
unlike "no raw escape anywhere in the messages" "$(cat "$ERR")" "$esc"

done_testing
