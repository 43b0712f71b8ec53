# SPDX-License-Identifier: GPL-2.0-or-later
# pmuprof script: perf script's layout, one block per sample, and the same
# stacks as report's folded export once collapsed the way FlameGraph's
# stackcollapse-perf.pl collapses perf script output.
. "$srcdir/tests/lib.sh"

run_pmuprof record -q -o "$T_TMP/probe.data" -- true
[ "$RC" -eq 0 ] || skip_all "perf_event_open sampling is not usable here: $(cat "$ERR")"
cd "$T_TMP" || exit 1

run_pmuprof record -q -F 1000 -o shlib.data -- "$WORKLOADS/unwind" shlib 400
is "record: exit status" "$RC" 0
samples=$("$PMUPROF" report -i shlib.data --header | awk '$1 == "samples" { print $2 }')

run_pmuprof script -i shlib.data
is "script: exit status" "$RC" 0
cp "$OUT" script.txt
is "one header line per sample" "$(grep -c '^[^	 ]' script.txt)" "$samples"
is "a blank line after each sample" "$(grep -c '^$' script.txt)" "$samples"
like "header: comm, tid, seconds.micros, period, event" "$(head -1 script.txt)" \
	'^unwind +[0-9]+ +[0-9]+\.[0-9]{6}: +[0-9]+ [a-z-]+: $'
bad=$(grep -vE '^$|^[^	 ]|^	 *[0-9a-f]+ [^ ]+ \([^)]+\)$' script.txt | head -3)
is "every frame line is: address symbol+offset (object)" "$bad" ""
like "frames have offsets in their function" "$(cat script.txt)" '	 *[0-9a-f]+ uw_lib_inner\+0x[0-9a-f]+ \(.*/libuw\.so\)$'
unlike "no -a: no [CPU] column" "$(head -1 script.txt)" '\[[0-9]{3}\]'

# collapse as stackcollapse-perf.pl does: comm, then frames outermost first
awk '
	/^[^\t ]/ { comm = $1; n = 0; next }
	/^$/ { if (n) { s = comm; for (i = n; i >= 1; i--) s = s ";" f[i]; c[s]++ } next }
	{
		sym = $2; sub(/\+0x[0-9a-f]+$/, "", sym)
		if ($NF == "([kernel.kallsyms])") sym = sym "_[k]"
		f[++n] = sym
	}
	END { for (s in c) print s, c[s] }' script.txt | LC_ALL=C sort >collapsed.txt
"$PMUPROF" report -i shlib.data --format folded -o folded.txt 2>/dev/null
LC_ALL=C sort folded.txt >folded.sorted
is "script's stacks, collapsed, are report's folded stacks" "$(diff collapsed.txt folded.sorted | head -5)" ""

# filters
tid=$(awk 'NR == 1 { print $2 }' script.txt)
run_pmuprof script -i shlib.data --tid "$tid"
is "--tid: only that thread" "$(grep '^[^	 ]' "$OUT" | awk '{ print $2 }' | sort -u)" "$tid"
run_pmuprof script -i shlib.data --comm nothing-like-this
is "--comm of nothing: no output" "$(cat "$OUT")" ""
run_pmuprof script -i shlib.data --time 0,0.1
n=$(grep -c '^[^	 ]' "$OUT")
ok "--time 0,0.1: some samples, not all ($n of $samples)" [ "$n" -gt 0 ] && [ "$n" -lt "$samples" ]

# system-wide recordings show the CPU, as perf script does
run_pmuprof record -q -a -o all.data -- "$WORKLOADS/burn" 1 100
if [ "$RC" -eq 0 ]; then
	run_pmuprof script -i all.data
	like "-a: [CPU] after the tid" "$(head -1 "$OUT")" '^.+ +[0-9]+ \[[0-9]{3}\] +[0-9]+\.[0-9]{6}: '
else
	pass "# SKIP -a recording not possible here: $(cat "$ERR")"
fi

expect_error "script: missing file" 1 \
	"pmuprof: cannot open 'missing.data': No such file or directory (record one with 'pmuprof record')" \
	script -i missing.data
expect_error "script: two files" 2 "pmuprof: script reads one file, not 2" script a.data b.data

done_testing
