#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Bytes per sample on disk, pmuprof record against perf record -z, both with
# DWARF call graphs (8 KiB stack copies) at the same rate, on real programs
# whose stacks vary (unlike the test workloads'):
#   xz -6 compressing 40 MB of text, and python3 running a small loop.
# Usage from a built tree: contrib/bench/record-size.sh [HZ]
set -eu
cd "$(dirname "$0")/../.."
hz=${1:-1000}
pmuprof=${PMUPROF:-./src/pmuprof}
command -v perf >/dev/null || { echo "perf is not installed (apt-get install linux-perf)" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
seq 1 6000000 >"$tmp/text"

perf_samples() { perf report -i "$1" --stats 2>/dev/null | awk '/SAMPLE events:/ { print $3; exit }'; }
pmuprof_samples() { "$pmuprof" report --header -i "$1" | awk '$1 == "samples" { print $2 }'; }
row() { # LABEL FILE SAMPLES
	awk -v l="$1" -v s="$(stat -c %s "$2")" -v n="$3" \
		'BEGIN { printf "%-44s %10d samples %12d bytes %8.1f bytes/sample\n", l, n, s, n ? s / n : 0 }'
}

echo "# bytes per sample at -F $hz, --call-graph dwarf,8192: $(perf --version), pmuprof $("$pmuprof" --version | cut -d' ' -f2)"
for prog in "xz -6 -T1 -c $tmp/text" "python3 -c 'sum(i*i for i in range(3*10**6))'"; do
	eval "perf record -q -z -F $hz --call-graph dwarf,8192 -o $tmp/perf.data -- $prog" >/dev/null 2>&1
	eval "$pmuprof record -q -F $hz --call-graph dwarf,8192 -o $tmp/pmuprof.data -- $prog" >/dev/null 2>&1
	name=${prog%% *}
	row "perf record -z: $name" "$tmp/perf.data" "$(perf_samples "$tmp/perf.data")"
	row "pmuprof record: $name" "$tmp/pmuprof.data" "$(pmuprof_samples "$tmp/pmuprof.data")"
done
