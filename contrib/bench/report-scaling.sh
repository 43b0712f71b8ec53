#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# How report's time grows with the number of processes, objects and fork
# links in a recording: it should grow linearly, so each doubling of the
# input should about double the time (ratio near 2; 4 would be quadratic).
#
#   real:   pmuprof record -a while 1500, then 3000 short processes run
#           (sh -c 'for i in $(seq N); do /bin/true; done', as in a build);
#           skipped, with a note, when record -a is not allowed
#   procs:  synthetic recordings (contrib/bench/gen-procs) of 25k, 50k and
#           100k processes, each exec'd, with three objects (one of its own)
#           and two samples
#   chain:  synthetic chains of 10k and 20k forks, every process sampled,
#           its maps and name found through its ancestors
#
# Each report (pmuprof report, output thrown away) runs RUNS times (default
# 3); the table gives the median wall time and, per case, the ratio of each
# median to the one before it (the input doubled).
# REAL_DIR keeps the real recordings between runs (to report the same files
# with two builds).
# Usage from a built tree, after `make check TESTS=` (which builds gen-procs):
#   [PMUPROF=path] [REAL_PROCS="1500 3000"] [PROCS="25000 50000 100000"]
#   [CHAIN="10000 20000"] contrib/bench/report-scaling.sh [RUNS]
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
build=$top
[ ! -x "$top/src/pmuprof" ] && [ -x ./src/pmuprof ] && build=$PWD
runs=${1:-3}
case $runs in '' | *[!0-9]* | 0) echo "RUNS must be a positive number, not '$runs'" >&2; exit 2 ;; esac
pmuprof=${PMUPROF:-$build/src/pmuprof}
gen=${GEN_PROCS:-$build/contrib/bench/gen-procs}
real_procs=${REAL_PROCS-1500 3000}
procs=${PROCS-25000 50000 100000}
chain=${CHAIN-10000 20000}
[ -x "$pmuprof" ] || { echo "build first: make && make check TESTS=" >&2; exit 1; }
[ -x "$gen" ] || { echo "build the generator first: make check TESTS=" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# timed FILE: the median wall seconds of RUNS reports of FILE
timed() {
	local i t0 t1
	for ((i = 0; i < runs; i++)); do
		t0=$(date +%s.%N)
		"$pmuprof" report -i "$1" >/dev/null 2>"$tmp/err" || {
			echo "pmuprof report failed on $1:" >&2
			cat "$tmp/err" >&2
			exit 1
		}
		t1=$(date +%s.%N)
		echo "$t1 - $t0" | bc -l
	done | median
}

# row CASE SIZE FILE: prints one line, with the ratio to the case's previous line
prev_case= prev_time=
row() {
	local t ratio=-
	t=$(timed "$3")
	if [ "$1" = "$prev_case" ] && [ -n "$prev_time" ]; then
		ratio=$(awk -v a="$t" -v b="$prev_time" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }')
	fi
	printf '%-6s %8s %10.3f %8s\n' "$1" "$2" "$t" "$ratio"
	prev_case=$1 prev_time=$t
}

command -v bc >/dev/null || { echo "bc is needed (apt-get install bc)" >&2; exit 1; }
printf '%-6s %8s %10s %8s\n' case size median-s ratio
# the real recordings are made once, by the pmuprof under test, and kept: RECORDER=path
# records with another build so that two builds report the same files
recorder=${RECORDER:-$pmuprof}
for n in $real_procs; do
	file=${REAL_DIR:-$tmp}/real-$n.data
	if [ ! -s "$file" ] && ! "$recorder" record -q -a -o "$file" -- \
		sh -c "for i in \$(seq $n); do /bin/true; done" >/dev/null 2>"$tmp/err"; then
		echo "real: record -a failed, skipped ($(head -1 "$tmp/err"))"
		break
	fi
	row real "$n" "$file"
done
for n in $procs; do
	"$gen" procs "$n" "$tmp/procs-$n.data"
	row procs "$n" "$tmp/procs-$n.data"
	rm -f "$tmp/procs-$n.data"
done
for n in $chain; do
	"$gen" chain "$n" "$tmp/chain-$n.data"
	row chain "$n" "$tmp/chain-$n.data"
	rm -f "$tmp/chain-$n.data"
done
