# SPDX-License-Identifier: GPL-2.0-or-later
# An object whose symbol table claims more than pmuprof reads (a sparse
# file: a few kilobytes on disk, a 1 GiB .symtab): report, script and
# annotate skip the table with one warning that names the object and the
# limits, finish, and still count every sample, named by address.
. "$srcdir/tests/lib.sh"

run_pmuprof record -q -o "$T_TMP/probe.data" -- true
[ "$RC" -eq 0 ] || skip_all "perf_event_open sampling is not usable here: $(cat "$ERR")"
cd "$T_TMP" || exit 1

"$WORKLOADS/sparse-elf" "$WORKLOADS/burn" big || skip_all "cannot make a sparse copy of burn"
run_pmuprof record -q -e cpu-clock -F 1000 -o big.data -- ./big 1 100
is "record: exit status" "$RC" 0

warning="pmuprof: warning: '$T_TMP/big' has a symbol table or note larger than pmuprof reads (256 MiB for tables, 4 MiB for notes): it was skipped, and some of its functions may be named by address"
for cmd in "report" "report --format folded" "script" "annotate --color never"; do
	# shellcheck disable=SC2086 # the command and its options
	run timeout 60 "$PMUPROF" $cmd -i big.data
	is "$cmd: exit status" "$RC" 0
	is "$cmd: one warning naming the object and the limits" \
		"$(grep -c 'larger than pmuprof reads' "$ERR")" 1
	is "$cmd: the warning's words" "$(grep 'larger than' "$ERR")" "$warning"
done
run_pmuprof report -i big.data --sort dso --percent-limit 0 --no-children
like "report: the object's samples are counted" "$(cat "$OUT")" "big"
run_pmuprof report -i big.data --sort sym --no-children
like "report: its functions are named by address" "$(cat "$OUT")" 'big\+0x[0-9a-f]+'
done_testing
