#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# PLT stubs are named "name@plt": tests/workload/plt spends a good share of
# its time in the stub of labs (in .plt, or .plt.sec when built for IBT, in
# a PIE and a non-PIE executable); report, the folded export and annotate's
# call targets name it, and no code of the workload is named by address.
. "$srcdir/tests/lib.sh"

run_pmuprof record -q -o "$T_TMP/probe.data" -- true
[ "$RC" -eq 0 ] || skip_all "perf_event_open sampling is not usable here: $(cat "$ERR")"
cd "$T_TMP" || exit 1

for w in plt plt-ibt plt-nopie; do
	run_pmuprof record -q -e cpu-clock -F 1000 -o "$w.data" -- "$WORKLOADS/$w" 500
	is "$w: record: exit status" "$RC" 0
	run_pmuprof report -i "$w.data" --no-children --sort dso,sym --percent-limit 0
	is "$w: report: exit status" "$RC" 0
	like "$w: report names the stub" "$(cat "$OUT")" "$w +\[\.\] labs@plt"
	# with -z now the resolver stub never runs: every sample of the workload has a name
	[ "$w" = plt-ibt ] && unlike "$w: no code of the workload is named by address" \
		"$(cat "$OUT")" "$w\+0x"
	run_pmuprof report -i "$w.data" --format folded
	like "$w: folded: the stub is called by plt_calls" "$(cat "$OUT")" \
		"(^|;)plt_calls;labs@plt( |;)"
	run_pmuprof annotate -i "$w.data" --color never plt_calls
	is "$w: annotate: exit status" "$RC" 0
	like "$w: annotate names the call to labs's stub" "$(cat "$OUT")" \
		"call[q]? +0x[0-9a-f]+ <labs@plt>"
	like "$w: annotate names the call to llabs's stub" "$(cat "$OUT")" \
		"call[q]? +0x[0-9a-f]+ <llabs@plt>"
done
done_testing
