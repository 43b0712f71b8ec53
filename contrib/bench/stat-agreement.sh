#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# How closely pmuprof stat agrees with perf stat on the same workloads, in the
# same run: runs both tools alternately RUNS times (default 15) and prints the
# median of each and their difference.
#
#   task-clock:  tests/workload/burn 2 500 (two threads, 500 ms of CPU each)
#   page-faults: tests/workload/pages 20000 (touches 20000 fresh pages)
#
# Usage (from a built tree): contrib/bench/stat-agreement.sh [RUNS]
set -eu
cd "$(dirname "$0")/../.."
runs=${1:-15}
pmuprof=${PMUPROF:-./src/pmuprof}
wl=${WORKLOADS:-./tests/workload}
command -v perf >/dev/null || { echo "perf is not installed (apt-get install linux-perf)" >&2; exit 1; }
[ -x "$pmuprof" ] && [ -x "$wl/burn" ] || { echo "build first: make && make check TESTS=" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# value EVENT FILE: the count of EVENT in -x, output
value() { awk -F, -v e="$1" '$3 == e { print $1; exit }' "$2"; }
median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

measure() { # EVENT WORKLOAD...
	local ev=$1
	shift
	: >"$tmp/perf.vals"
	: >"$tmp/pmuprof.vals"
	for _ in $(seq "$runs"); do
		perf stat -x, -e "$ev" -- "$@" 2>"$tmp/o" >/dev/null
		value "$ev" "$tmp/o" >>"$tmp/perf.vals"
		"$pmuprof" stat -x, -e "$ev" -- "$@" 2>"$tmp/o" >/dev/null
		value "$ev" "$tmp/o" >>"$tmp/pmuprof.vals"
	done
	p=$(median <"$tmp/perf.vals")
	m=$(median <"$tmp/pmuprof.vals")
	awk -v ev="$ev" -v w="$*" -v p="$p" -v m="$m" -v n="$runs" 'BEGIN {
		printf "%-12s %-28s perf median %12.2f   pmuprof median %12.2f   difference %+.2f%% (%+.2f)   [%d runs each]\n",
			ev, w, p, m, 100 * (m - p) / p, m - p, n }'
}

echo "# pmuprof stat vs perf stat ($(perf --version)), $(uname -r), $(nproc) CPUs"
measure task-clock "$wl/burn" 2 500
measure page-faults "$wl/pages" 20000
measure page-faults "$wl/pages" 0
