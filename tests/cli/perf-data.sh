# SPDX-License-Identifier: GPL-2.0-or-later
# perf.data as input: perf record's files (dwarf stack copies, frame-pointer
# chains, -z compression, the stream form of -o -) read by report, script,
# annotate, diff and the exports; the flat shares agree with perf report's
# on the same file, every sample perf counts is read, and damaged files get
# a clear message.
. "$srcdir/tests/lib.sh"

command -v perf >/dev/null || skip_all "perf is not installed (apt-get install linux-perf)"
cd "$T_TMP" || exit 1
perf record -q -e cpu-clock -F 2000 --call-graph dwarf -o dwarf.data -- \
	"$WORKLOADS/split" 1000 >/dev/null 2>perf.err ||
	skip_all "perf record cannot sample here: $(head -1 perf.err)"

# perf_shares FILE / pmuprof_shares FILE: "function percent" per line, the flat self shares
perf_shares() {
	perf report -i "$1" --stdio --no-children -g none --sort sym --percent-limit 0 2>/dev/null |
		awk '$2 == "[.]" || $2 == "[k]" { sub("%", "", $1); print $3, $1 }'
}
pmuprof_shares() {
	"$PMUPROF" report -i "$1" --no-children -g none -s sym --percent-limit 0 2>/dev/null |
		awk '$3 == "[.]" || $3 == "[k]" { sub("%", "", $1); print $4, $1 }'
}
# perf_samples FILE: the samples perf report counts in FILE
perf_samples() {
	perf report -i "$1" --stats 2>/dev/null | awk '/SAMPLE events:/ { print $3; exit }'
}

# agree LABEL FILE: split's four functions have the same share in both reports, within 1 point
agree() {
	perf_shares "$2" >"$2.perf"
	pmuprof_shares "$2" >"$2.pmu"
	for f in split_a split_b split_c split_d; do
		want=$(awk -v f="$f" '$1 == f { print $2 }' "$2.perf")
		got=$(awk -v f="$f" '$1 == f { print $2 }' "$2.pmu")
		within "$1: $f's share as perf report gives it" "${got:-none}" "${want:-0}" 1.0
	done
}

run_pmuprof report -i dwarf.data --no-children -g none
is "dwarf: report exits 0" "$RC" 0
like "dwarf: the header names perf's command" "$(head -1 "$OUT")" "perf record .* -- .*split 1000"
like "dwarf: the stack copies were unwound here" "$(cat "$OUT")" "# unwound: [0-9]+ samples: "
like "dwarf: split_d is named" "$(cat "$OUT")" "split +\[\.\] split_d"
agree dwarf dwarf.data
is "dwarf: every sample perf counts is read" \
	"$("$PMUPROF" report -i dwarf.data --header | awk '$1 == "samples" { print $2 }')" \
	"$(perf_samples dwarf.data)"
run_pmuprof report -i dwarf.data --format folded
like "dwarf: stacks unwound to main" "$(cat "$OUT")" "main;([^ ]*;)?split_d [0-9]+"

# frame-pointer chains as the kernel recorded them
perf record -q -e cpu-clock -F 2000 -g -o fp.data -- "$WORKLOADS/split-fp" 1000 >/dev/null 2>&1
agree fp fp.data
run_pmuprof report -i fp.data --format folded
like "fp: the recorded chains reach main" "$(cat "$OUT")" "main;([^ ]*;)?split_d [0-9]+"
run_pmuprof report -i fp.data --no-children -g none
like "fp: told as frame-pointer chains" "$(cat "$OUT")" "call graph: fp"

# perf record -z: zstd-compressed records
perf record -q -e cpu-clock -F 2000 --call-graph dwarf -z -o z.data -- \
	"$WORKLOADS/split" 600 >/dev/null 2>&1
agree "-z" z.data
is "-z: every sample perf counts is read" \
	"$("$PMUPROF" report -i z.data --header | awk '$1 == "samples" { print $2 }')" \
	"$(perf_samples z.data)"

# the vDSO: perf.data holds no image of it; this system's is the recorded one
perf record -q -e cpu-clock -F 4000 --call-graph dwarf -o vdso.data -- "$WORKLOADS/vdso" 400 \
	>/dev/null 2>&1
if perf report -i vdso.data --stdio --no-children -g none 2>/dev/null | grep -q '__vdso_clock_gettime'; then
	run_pmuprof report -i vdso.data --no-children -g none -s dso,sym
	like "vdso: named from this system's vDSO, as perf names it" "$(cat "$OUT")" \
		"\[vdso\] +\[\.\] __vdso_clock_gettime"
	run_pmuprof report -i vdso.data --format folded
	like "vdso: unwound through it to main" "$(cat "$OUT")" "main;clock_gettime;__vdso_clock_gettime [0-9]+"
else
	skip "vdso" "perf report does not name the vDSO's functions here"
fi

# the stream form (perf record -o -)
perf record -q -e cpu-clock -F 2000 -g -o - -- "$WORKLOADS/split-fp" 600 2>/dev/null >pipe.data
run_pmuprof report -i pipe.data --no-children -g none -s sym
like "stream: report reads it" "$(cat "$OUT")" "\[\.\] split_d"
run_pmuprof report -i pipe.data --time 0,0.3 --no-children -g none
like "stream: --time counts from its first sample" "$(cat "$OUT")" "# selected: [1-9][0-9]* samples"
like "stream: named as perf.data in --header" \
	"$("$PMUPROF" report -i pipe.data --header | head -1)" "perf.data written by perf"

# the other commands
run_pmuprof script -i dwarf.data
like "script: samples with their stacks" "$(head -20 "$OUT")" "split +[0-9]+ .*cpu-clock"
run_pmuprof annotate -i dwarf.data split_d
is "annotate: exits 0" "$RC" 0
like "annotate: split_d disassembled" "$(cat "$OUT")" "split_d .*samples"
run_pmuprof diff dwarf.data z.data
is "diff: two perf.data files compared" "$RC" 0
run_pmuprof report -i dwarf.data --format pprof -o dwarf.pb.gz
is "pprof export of a perf.data file: exit 0" "$RC" 0
is "pprof export: a gzip file" "$(head -c2 dwarf.pb.gz | od -An -tx1 | tr -d ' ')" 1f8b
run_pmuprof report -i dwarf.data -j 1
cp "$OUT" j1.out
run_pmuprof report -i dwarf.data -j 2
is "-j 2 gives what -j 1 gives" "$(cmp -s j1.out "$OUT" && echo same)" same

# damaged files
head -c $(($(stat -c %s dwarf.data) / 2)) dwarf.data >cut.data
run_pmuprof report -i cut.data --no-children -g none
is "cut: still reported" "$RC" 0
like "cut: said to be damaged or truncated" "$(cat "$ERR")" "(truncated|damaged)"
{ printf 'PERFILE2'; head -c 200 /dev/zero; } >bad.data
run_pmuprof report -i bad.data
is "garbage after the magic: exit 1" "$RC" 1
like "garbage: the file and the fault named" "$(cat "$ERR")" "^pmuprof: cannot read 'bad.data': "
# a perf user's habit: no pmuprof.data here, but perf.data
mkdir habit && cp fp.data habit/perf.data
(cd habit && "$PMUPROF" report >"$OUT" 2>"$ERR") && RC=0 || RC=$?
is "no pmuprof.data: exit 1" "$RC" 1
like "no pmuprof.data: perf's file suggested" "$(cat "$ERR")" "or read perf's with -i perf.data"
done_testing
