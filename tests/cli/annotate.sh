#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# pmuprof annotate on tests/workload/hot, whose cost is one divide: the
# divide and the instructions just after it (skid) hold the samples; jump
# targets are named; a PIE executable, a non-PIE one, a shared library and
# the vDSO (from the image stored in the recording) can be annotated; a
# symbol without samples, an object gone or rebuilt give clear errors.
. "$srcdir/tests/lib.sh"

cd "$T_TMP" || exit 1
cp "$WORKLOADS/hot" ./hot
run_pmuprof record -q -e cpu-clock -F 1000 -o hot.data -- ./hot 1000
is "record hot: exit status" "$RC" 0

run_pmuprof annotate -i hot.data --color never hot_divide
is "annotate hot_divide: exit status" "$RC" 0
cp "$OUT" hot.txt
like "header names the function, its object and samples" "$(cat hot.txt)" \
	"^# hot_divide \(hot\): [0-9]+ samples"
like "header warns of skid" "$(cat hot.txt)" "^# skid: "
# the divide and the two instructions after it: their shares, as printed
share=$(awk '/div[a-z]* /{ f = 3 } f > 0 { if ($1 ~ /^[0-9.]+$/) s += $1; f-- } END { print s + 0 }' hot.txt)
within "the divide and the two after it hold the samples (%)" "$share" 100 20
like "the hottest is the divide or just after it" \
	"$(grep -A2 'div[a-z]* ' hot.txt | grep -c '<- hottest')" "^1$"
like "the loop's jump names its target" "$(cat hot.txt)" "jne +0x[0-9a-f]+ <hot_divide\+0x[0-9a-f]+>"
run_pmuprof annotate -i hot.data --color never -M intel hot_divide
like "Intel syntax" "$(cat "$OUT")" "div +rcx"
run_pmuprof annotate -i hot.data --color always hot_divide
like "--color always highlights the hottest" "$(cat "$OUT")" "$(printf '\033')\\[1;31m"
run_pmuprof annotate -i hot.data --color never
like "without a symbol: the hottest function first" "$(grep '^# [a-z_]* (' "$OUT" | head -1)" \
	"^# hot_divide \(hot\)"
run_pmuprof annotate -i hot.data --color never --source hot_divide
like "--source shows the source lines" "$(cat "$OUT")" "hot\.c:[0-9]+[[:space:]]+__asm__ volatile"

# a non-PIE executable, a shared library, the vDSO
run_pmuprof record -q -e cpu-clock -F 1000 -o nopie.data -- "$WORKLOADS/burn-nopie" 1 300
run_pmuprof annotate -i nopie.data --color never --top 1
is "non-PIE executable: exit status" "$RC" 0
like "non-PIE executable: code at its fixed address" "$(cat "$OUT")" "code at 0x4[0-9a-f]{5}"
run_pmuprof record -q -e cpu-clock -F 1000 -o lib.data -- "$WORKLOADS/unwind" shlib 400
run_pmuprof annotate -i lib.data --color never --dso libuw.so --top 1
is "shared library: exit status" "$RC" 0
like "shared library: its function" "$(cat "$OUT")" "^# uw_lib_[a-z_]+ \(libuw\.so\)"
run_pmuprof record -q -e cpu-clock -F 1000 -o vdso.data -- "$WORKLOADS/vdso" 300
run_pmuprof annotate -i vdso.data --color never --dso '[vdso]' --top 1
is "vDSO: exit status" "$RC" 0
like "vDSO: read from the stored image" "$(cat "$OUT")" "from the image stored in the recording"

# errors
# _start is in every stack (the root), never the leaf
run_pmuprof annotate -i hot.data _start
is "a function without samples of its own: exit status" "$RC" 1
like "a function without samples of its own: message" "$(cat "$ERR")" \
	"'_start' has no samples of its own in 'hot.data'"
run_pmuprof annotate -i hot.data no_such_function
is "no such function: exit status" "$RC" 1
like "no such function: message" "$(cat "$ERR")" "no function 'no_such_function' has samples"
run_pmuprof annotate -i hot.data --dso libz.so.1
is "no samples in the object: exit status" "$RC" 1
is "no samples in the object: message" "$(cat "$ERR")" \
	"pmuprof: 'hot.data' has no samples in functions of 'libz.so.1': pmuprof report --sort dso lists the objects that do"
cp "$WORKLOADS/spin" ./hot
run_pmuprof annotate -i hot.data hot_divide
is "object rebuilt: exit status" "$RC" 1
like "object rebuilt: message" "$(cat "$ERR")" "changed since the recording"
rm -f ./hot
run_pmuprof annotate -i hot.data hot_divide
is "object gone: exit status" "$RC" 1
like "object gone: message" "$(cat "$ERR")" "the object is gone since the recording"
run_pmuprof annotate -i hot.data -M bogus
is "bad option value: usage error" "$RC" 2
run_pmuprof annotate -i missing.data
is "missing file: exit status" "$RC" 1

done_testing
