#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Bytes per sample on disk, pmuprof record against perf record -z, both with
# DWARF call graphs (8 KiB stack copies) at the same rate, on real programs
# whose stacks vary (unlike most test workloads') and on a multi-threaded one:
#   xz -6 compressing 11 MB of text, python3 running recursion, json and re
#   work, and tests/workload/spin with two threads for 2 s each.
# pmuprof's default (32 KiB copies) is measured too, for comparison.
# perf -z's figure moves from run to run (it compresses what each wakeup
# drained on its own, so it depends on how often it woke): each figure is the
# median of RUNS runs (default 3).
# Usage from a built tree (after make check, which builds the workloads):
#   [RUNS=3] contrib/bench/record-size.sh [HZ...]     (default: 1000 10000)
set -eu
cd "$(dirname "$0")/../.."
pmuprof=${PMUPROF:-./src/pmuprof}
wl=${WORKLOADS:-./tests/workload}
command -v perf >/dev/null || { echo "perf is not installed (apt-get install linux-perf)" >&2; exit 1; }
[ -x "$wl/spin" ] || { echo "no $wl/spin: run make check first" >&2; exit 1; }
runs=${RUNS:-3}
# the interpreter itself, not a wrapper script that starts it (pyenv's shims)
python=$(python3 -c 'import sys; print(sys.executable)')
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
seq 1 1500000 >"$tmp/text"
cat >"$tmp/work.py" <<'PY'
import json, re
def rec(n):
    if n == 0:
        return sum(i * i for i in range(2000))
    return rec(n - 1) + 1
s = 0
for k in range(6000):
    s += rec(k % 60)
data = [{"k": str(i), "v": [i, i * 2, "x" * (i % 17)]} for i in range(60000)]
for _ in range(8):
    t = json.dumps(data)
    s += len(json.loads(t)) + len(re.findall(r'"k": "(\d+)"', t))
print(s)
PY

perf_samples() { perf report -i "$1" --stats 2>/dev/null | awk '/SAMPLE events:/ { print $3; exit }'; }
pmuprof_samples() { "$pmuprof" report --header -i "$1" | awk '$1 == "samples" { print $2 }'; }
median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
# measure TOOL NAME PROG: records PROG $runs times; prints "samples bytes bytes/sample", medians
measure() {
	local tool=$1 name=$2 prog=$3 n
	rm -f "$tmp/m"
	for _ in $(seq "$runs"); do
		case $tool in
		perf)
			# shellcheck disable=SC2086
			perf record -q -z -F "$hz" --call-graph dwarf,8192 -o "$tmp/x.data" -- $prog \
				>/dev/null 2>&1
			n=$(perf_samples "$tmp/x.data")
			;;
		pmuprof)
			# shellcheck disable=SC2086
			"$pmuprof" record -q -F "$hz" --call-graph dwarf,8192 -o "$tmp/x.data" -- $prog \
				>/dev/null 2>&1
			n=$(pmuprof_samples "$tmp/x.data")
			;;
		default)
			# shellcheck disable=SC2086
			"$pmuprof" record -q -F "$hz" -o "$tmp/x.data" -- $prog >/dev/null 2>&1
			n=$(pmuprof_samples "$tmp/x.data")
			;;
		esac
		echo "$n $(stat -c %s "$tmp/x.data")" >>"$tmp/m"
	done
	printf '%s %s %s\n' "$(cut -d' ' -f1 "$tmp/m" | median)" "$(cut -d' ' -f2 "$tmp/m" | median)" \
		"$(awk '{ print $1 ? $2 / $1 : 0 }' "$tmp/m" | median)"
}
# row LABEL "SAMPLES BYTES BPS" [PERF-BPS]: the figures, and the ratio to perf -z's
row() {
	echo "$2" | awk -v l="$1" -v p="${3:-0}" '{
		printf "%-44s %8d samples %11d bytes %7.1f bytes/sample", l, $1, $2, $3
		if (p > 0)
			printf "  %.2fx perf -z", $3 / p
		printf "\n"
	}'
}

for hz in ${*:-1000 10000}; do
	echo "# bytes per sample at -F $hz, medians of $runs runs: $(perf --version), pmuprof $("$pmuprof" --version | cut -d' ' -f2)"
	for prog in "xz -6 -T1 -c $tmp/text" "$python $tmp/work.py" "$wl/spin -t 2 -s 2"; do
		name=$(basename "${prog%% *}")
		[ "$name" = spin ] && name="spin -t 2 (two threads)"
		m=$(measure perf "$name" "$prog")
		row "perf record -z, dwarf,8192: $name" "$m"
		p=$(echo "$m" | cut -d' ' -f3)
		row "pmuprof record, dwarf,8192: $name" "$(measure pmuprof "$name" "$prog")" "$p"
		row "pmuprof record (default 32 KiB): $name" "$(measure default "$name" "$prog")" "$p"
	done
done
