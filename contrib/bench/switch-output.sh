#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# What record --switch-output costs: RUNS pairs (default 5) of the same workload recorded
# into one file and cut every EVERY (default 0.5s), alternated, -e cpu-clock at 1000 Hz.
# For each run: the files, the samples and losses of the summary, and the samples that the
# files' trailers add up to; for the cut runs, the median and largest time the main thread
# took to begin a file (switch-open-ns in the trailers: the metadata, the vDSO image and
# the maps and names read from /proc, during which the rings are not read).
# The workload is tests/workload/burn 2 3000 (two threads, 3 s of CPU each), or the
# command given after the options.
# Usage from a built tree (after make check, which builds the workloads):
#   [RUNS=5] [EVERY=0.5s] contrib/bench/switch-output.sh [COMMAND [ARG...]]
set -eu
cd "$(dirname "$0")/../.."
pmuprof=${PMUPROF:-./src/pmuprof}
wl=${WORKLOADS:-./tests/workload}
runs=${RUNS:-5}
every=${EVERY:-0.5s}
if [ $# -eq 0 ]; then
	[ -x "$wl/burn" ] || { echo "no $wl/burn: run make check first" >&2; exit 1; }
	set -- "$wl/burn" 2 3000
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

stat_of() { "$pmuprof" report --header -i "$2" | awk -v k="$1" '$1 == k { print $2 }'; }
median_max() { sort -g | awk '{ v[NR] = $1 } END { if (NR) printf "%.1f %.1f", v[int((NR + 1) / 2)] / 1e6, v[NR] / 1e6; else printf "- -" }'; }

printf '%-4s %-6s %6s %8s %5s %10s %15s\n' run mode files samples lost "in files" "open ms med/max"
for i in $(seq "$runs"); do
	for mode in one cut; do
		rm -rf "$tmp/d"
		mkdir "$tmp/d"
		opt=()
		[ "$mode" = cut ] && opt=(--switch-output "$every")
		"$pmuprof" record -e cpu-clock -F 1000 "${opt[@]}" -o "$tmp/d/p.data" -- "$@" \
			>/dev/null 2>"$tmp/err"
		read -r samples lost < <(sed -n \
			's/^\[ pmuprof record: \([0-9]*\) samples of .*; \([0-9]*\) lost, .*/\1 \2/p' \
			"$tmp/err")
		sum=0
		: >"$tmp/open"
		for f in "$tmp"/d/*; do
			sum=$((sum + $(stat_of samples "$f")))
			stat_of switch-open-ns "$f" >>"$tmp/open"
		done
		printf '%-4s %-6s %6s %8s %5s %10s %15s\n' "$i" "$mode" "$(ls "$tmp/d" | wc -l)" \
			"$samples" "$lost" "$sum" "$(grep . "$tmp/open" | median_max | tr ' ' /)"
	done
done
