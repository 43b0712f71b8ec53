#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# C++ names as perf shows them: tests/workload/templated.cc (built here
# with g++) spends its CPU in two overloads of a method of a class
# template. report, its exports, script, annotate, diff and compare show
# the short name (no return type, no parameters); --full-signatures shows
# each overload's signature; --symbol and annotate find the function by its
# short name, by either full signature (that one overload only) or by a
# glob; --no-demangle shows the symbol table's names. Where rustc is
# installed, tests/workload/generic.rs checks Rust's legacy and v0 names.
. "$srcdir/tests/lib.sh"

command -v g++ >/dev/null 2>&1 || skip_all "g++ is not installed: no C++ program to profile"
source=$(cd "$srcdir" && pwd)/tests/workload/templated.cc
rsource=$(cd "$srcdir" && pwd)/tests/workload/generic.rs
run_pmuprof record -q -o "$T_TMP/probe.data" -- true
[ "$RC" -eq 0 ] || skip_all "perf_event_open sampling is not usable here: $(cat "$ERR")"
cd "$T_TMP" || exit 1

ok "g++ builds the workload" g++ -O2 -g -o templated "$source"
[ -x templated ] || done_testing
run_pmuprof record -q -e cpu-clock -F 1000 -o cxx.data -- ./templated 400
is "record: exit status" "$RC" 0

SHORT='engine::detail::Accumulator<double>::crunch_numbers'
VEC="$SHORT(std::vector<double, std::allocator<double> > const&) const"
PTR="$SHORT(double const*, unsigned long) const"
# the names as extended regular expressions
re() {
	printf '%s\n' "$1" | sed 's/[][()*.^$|+?{}\\]/\\&/g'
}
S=$(re "$SHORT")
V=$(re "$VEC")
P=$(re "$PTR")

# ---- report ----
run_pmuprof report -i cxx.data --no-children
is "report: exit status" "$RC" 0
cp "$OUT" short.txt
is "report: both overloads under the short name, as perf shows them" \
	"$(grep -cE "\[\.\] $S\$" short.txt)" 2
unlike "report: no parameter list" "$(cat short.txt)" "crunch_numbers\("
run_pmuprof report -i cxx.data --no-children --full-signatures
cp "$OUT" full.txt
like "--full-signatures: the vector overload" "$(cat full.txt)" "\[\.\] $V\$"
like "--full-signatures: the pointer overload" "$(cat full.txt)" "\[\.\] $P\$"
run_pmuprof report -i cxx.data --no-children --no-demangle
like "--no-demangle: the symbol table's name" "$(cat "$OUT")" \
	"\[\.\] _ZNK6engine6detail11AccumulatorIdE14crunch_numbers"

# ---- --symbol ----
run_pmuprof report -i cxx.data --no-children --symbol "$SHORT"
is "--symbol SHORT: exit status" "$RC" 0
is "--symbol SHORT: both overloads" "$(grep -cE "\[\.\] $S\$" "$OUT")" 2
run_pmuprof report -i cxx.data --no-children --full-signatures --symbol "$VEC"
is "--symbol FULL: exit status" "$RC" 0
like "--symbol FULL: that overload" "$(cat "$OUT")" "\[\.\] $V\$"
unlike "--symbol FULL: not the other" "$(cat "$OUT")" "\[\.\] $P\$"
run_pmuprof report -i cxx.data --no-children --full-signatures --symbol "$SHORT"
is "--symbol SHORT with --full-signatures: both overloads" \
	"$(grep -cE "\[\.\] $S\(" "$OUT")" 2
run_pmuprof report -i cxx.data --no-children --symbol '*::crunch_numbers'
is "--symbol with a glob on the short name" "$(grep -cE "\[\.\] $S\$" "$OUT")" 2
run_pmuprof report -i cxx.data --no-children --full-signatures \
	--symbol '*crunch_numbers(double const\*, *'
like "--symbol with a glob on the full signature" "$(cat "$OUT")" "\[\.\] $P\$"
unlike "--symbol with a glob on the full signature: not the other" "$(cat "$OUT")" "\[\.\] $V\$"
run_pmuprof report -i cxx.data --no-children --symbol "main,$VEC"
like "--symbol: a list with a full signature (its commas are no separators)" "$(cat "$OUT")" \
	"\[\.\] $S\$"

# ---- exports ----
run_pmuprof report -i cxx.data --format folded
like "folded: the short name, after its caller" "$(cat "$OUT")" \
	"run;$S [0-9]+\$"
unlike "folded: no parameter list" "$(cat "$OUT")" "crunch_numbers\("
run_pmuprof report -i cxx.data --format folded --full-signatures
like "folded --full-signatures" "$(cat "$OUT")" "run\(long\);$P [0-9]+\$"
run_pmuprof report -i cxx.data --format speedscope
like "speedscope: the short name" "$(cat "$OUT")" "\"name\": ?\"$S\""
unlike "speedscope: no parameter list" "$(cat "$OUT")" "crunch_numbers\("

# ---- script ----
run_pmuprof script -i cxx.data
is "script: exit status" "$RC" 0
like "script: the short name" "$(cat "$OUT")" "^[[:space:]]+[0-9a-f]+ $S\+0x[0-9a-f]+ \("
unlike "script: no parameter list" "$(cat "$OUT")" "crunch_numbers\("
run_pmuprof script -i cxx.data --full-signatures
like "script --full-signatures" "$(cat "$OUT")" "^[[:space:]]+[0-9a-f]+ $V\+0x[0-9a-f]+ \("

# ---- annotate ----
run_pmuprof annotate -i cxx.data --color never "$SHORT"
is "annotate SHORT: exit status" "$RC" 0
is "annotate SHORT: both overloads" "$(grep -cE "^# $S \(templated\): [0-9]+ samples" "$OUT")" 2
run_pmuprof annotate -i cxx.data --color never "$PTR"
is "annotate FULL: exit status" "$RC" 0
is "annotate FULL: that overload" "$(grep -cE "^# $S \(templated\): [0-9]+ samples" "$OUT")" 1
run_pmuprof annotate -i cxx.data --color never --full-signatures "$PTR"
like "annotate --full-signatures: the signature in the header" "$(cat "$OUT")" \
	"^# $P \(templated\): [0-9]+ samples"
run_pmuprof annotate -i cxx.data --color never 'crunch_numbers'
is "annotate: a part of the name is no name" "$RC" 1

# ---- diff ----
run_pmuprof diff --all cxx.data cxx.data
is "diff: exit status" "$RC" 0
like "diff: the short name" "$(cat "$OUT")" " $S \(templated\)"
unlike "diff: no parameter list" "$(cat "$OUT")" "crunch_numbers\("
run_pmuprof diff --all --full-signatures cxx.data cxx.data
like "diff --full-signatures" "$(cat "$OUT")" " $V \(templated\)"

# ---- compare: the leaf functions by name ----
run_pmuprof compare -F 250 -e cpu-clock --samplers pmu --json -- ./templated 200
is "compare: exit status" "$RC" 0
like "compare: the short name" "$(cat "$OUT")" "\"name\": ?\"$S\""
unlike "compare: no parameter list" "$(cat "$OUT")" "crunch_numbers\("
run_pmuprof compare -F 250 -e cpu-clock --samplers pmu --json --full-signatures -- ./templated 200
like "compare --full-signatures" "$(cat "$OUT")" "\"name\": ?\"$P\""

# ---- Rust: legacy names lose their hash, v0 names are demangled ----
if command -v rustc >/dev/null 2>&1; then
	ok "rustc builds the workload (legacy names)" rustc -O -g -o generic-legacy "$rsource"
	ok "rustc builds the workload (v0 names)" \
		rustc -O -g -C symbol-mangling-version=v0 -o generic-v0 "$rsource"
	run_pmuprof record -q -e cpu-clock -F 1000 -o legacy.data -- ./generic-legacy 200
	run_pmuprof report -i legacy.data --no-children
	like "Rust legacy: without the hash" "$(cat "$OUT")" \
		"\[\.\] generic::Acc<f64>::crunch_numbers\$"
	run_pmuprof record -q -e cpu-clock -F 1000 -o v0.data -- ./generic-v0 200
	run_pmuprof report -i v0.data --no-children
	like "Rust v0: demangled as perf shows it" "$(cat "$OUT")" \
		"\[\.\] <generic::Acc<f64>>::crunch_numbers\$"
	run_pmuprof report -i v0.data --no-children --symbol '<generic::Acc<f64>>::crunch_numbers'
	like "Rust v0: --symbol by that name" "$(cat "$OUT")" \
		"\[\.\] <generic::Acc<f64>>::crunch_numbers\$"
	run_pmuprof report -i v0.data --no-children --no-demangle
	like "Rust v0: --no-demangle" "$(cat "$OUT")" "\[\.\] _RNvMCs[0-9A-Za-z_]+_7generic"
else
	pass "Rust names: # SKIP rustc is not installed"
fi

done_testing
