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
#   xz:     the length of a recording: one xz -6 -T1 process on XZ_MB
#           (default 6) MB of base64 text repeated 1, 4 and 16 times (-e
#           cpu-clock -F 10000 --call-graph dwarf,8192; some 35k samples a
#           repetition). Time should grow with the samples (ratio near 4
#           from one line to the next); peak memory follows the distinct
#           stacks (thread and raw frames, counted in the table), which grow
#           far more slowly than the samples: a stack is kept once, however
#           often it was sampled. Then `report -j 1` against `report -j 2` on
#           the longest, run in turn RUNS times each: their medians and the
#           speedup (-j 1 / -j 2).
#
# Each report (pmuprof report, output thrown away) runs RUNS times (default
# 3); the table gives the median wall time and, per case, the ratio of each
# median to the one before it (the input doubled, or 4x for xz), and for xz
# the samples and the median peak RSS (GNU time).
# REAL_DIR keeps the real and xz recordings between runs (to report the same
# files with two builds).
# Usage from a built tree, after `make check TESTS=` (which builds gen-procs):
#   [PMUPROF=path] [REAL_PROCS="1500 3000"] [PROCS="25000 50000 100000"]
#   [CHAIN="10000 20000"] [XZ="1 4 16"] [XZ_MB=6] contrib/bench/report-scaling.sh [RUNS]
# An empty list leaves its case out (XZ= for the quick cases only).
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
xz_times=${XZ-1 4 16}
xz_mb=${XZ_MB:-6}
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
[ -z "$xz_times" ] || [ -x /usr/bin/time ] || { echo "GNU time is needed (apt-get install time)" >&2; exit 1; }
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

[ -n "$xz_times" ] || exit 0

# gnu_time NAME ARGS...: appends "wall-seconds peak-RSS-KiB" of pmuprof ARGS to $tmp/NAME
gnu_time() {
	local name=$1
	shift
	/usr/bin/time -f '%e %M' -o "$tmp/t" "$pmuprof" "$@" >/dev/null 2>"$tmp/err" || {
		echo "pmuprof $* failed:" >&2
		cat "$tmp/err" >&2
		exit 1
	}
	tail -1 "$tmp/t" >>"$tmp/$name"
}

echo
echo "# xz -6 -T1 on $xz_mb MB of text repeated N times: -e cpu-clock -F 10000 --call-graph dwarf,8192"
printf '%-6s %8s %9s %8s %10s %8s %9s\n' case N samples stacks median-s ratio RSS-MiB
{ find /usr/lib -type f -name '*.so*' | LC_ALL=C sort | xargs cat | head -c $((xz_mb * 750000)) |
	base64 >"$tmp/text"; } 2>/dev/null
prev_time= longest=
for n in $xz_times; do
	file=${REAL_DIR:-$tmp}/xz-$xz_mb-$n.data
	[ -s "$file" ] || for ((i = 0; i < n; i++)); do cat "$tmp/text"; done >"$tmp/text-n"
	if [ ! -s "$file" ] && ! "$recorder" record -q -e cpu-clock -F 10000 --call-graph dwarf,8192 \
		-o "$file" -- xz -6 -T1 -c "$tmp/text-n" >/dev/null 2>"$tmp/err"; then
		echo "xz: record failed ($(head -1 "$tmp/err"))" >&2
		exit 1
	fi
	samples=$("$pmuprof" report --header -i "$file" | awk '$1 == "samples" { print $2 }')
	# the distinct stacks (thread and raw frames): what report's memory should follow
	stacks=$("$pmuprof" report -i "$file" --format folded -o "$tmp/folded" 2>&1 |
		sed -n 's/.*(\([0-9]*\) stacks).*/\1/p')
	rm -f "$tmp/xz.times"
	for ((i = 0; i < runs; i++)); do
		gnu_time xz.times report -i "$file"
	done
	t=$(cut -d' ' -f1 "$tmp/xz.times" | median)
	rss=$(cut -d' ' -f2 "$tmp/xz.times" | median)
	ratio=-
	[ -n "$prev_time" ] && ratio=$(awk -v a="$t" -v b="$prev_time" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }')
	printf '%-6s %8s %9s %8s %10.3f %8s %9.1f\n' xz "$n" "$samples" "$stacks" "$t" "$ratio" \
		"$(echo "$rss / 1024" | bc -l)"
	prev_time=$t longest=$file
	rm -f "$tmp/text-n"
done

# -j 1 against -j 2, in turn; the speedup of the medians and the median of the pairs' speedups
rm -f "$tmp/j1" "$tmp/j2"
for ((i = 0; i < runs; i++)); do
	gnu_time j1 report -j 1 -i "$longest"
	gnu_time j2 report -j 2 -i "$longest"
done
j1=$(cut -d' ' -f1 "$tmp/j1" | median)
j2=$(cut -d' ' -f1 "$tmp/j2" | median)
pairs=$(paste -d' ' "$tmp/j1" "$tmp/j2" | awk '{ print ($3 > 0 ? $1 / $3 : 0) }' | median)
echo
echo "# report -j 1 against -j 2 on $(basename "$longest") ($runs runs each, in turn; $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg))"
printf '%-10s %10s %9s\n' jobs median-s RSS-MiB
printf '%-10s %10.3f %9.1f\n' "-j 1" "$j1" "$(echo "$(cut -d' ' -f2 "$tmp/j1" | median) / 1024" | bc -l)"
printf '%-10s %10.3f %9.1f\n' "-j 2" "$j2" "$(echo "$(cut -d' ' -f2 "$tmp/j2" | median) / 1024" | bc -l)"
awk -v a="$j1" -v b="$j2" -v p="$pairs" 'BEGIN { printf "speedup (-j 1 / -j 2): %.2f of the medians, %.2f the median of the pairs\n", (b > 0 ? a / b : 0), p }'
