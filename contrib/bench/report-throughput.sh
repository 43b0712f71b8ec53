#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# pmuprof report against perf report on recordings of the same workload made
# at the same settings: how many samples each reads, unwinds and prints per
# second, and how much memory it needs to do it.
#
#   record:  perf record -e cpu-clock -F FREQ --call-graph dwarf,8192 -o P -- CMD
#            pmuprof record -e cpu-clock -F FREQ --call-graph dwarf,8192 -o Q -- CMD
#            (FREQ: 10000 unless set)
#   report:  perf report -i P --stdio ARGS (perf unwinds the stack copies
#            because it prints call graphs; with -g none it would not)
#            pmuprof report -i Q ARGS
#            for each mode of MODES, ';' between them (default
#            "default;--no-children": each tool's default mode, perf's and
#            pmuprof's --children, then a self-time table with a callee graph
#            under each line); "default" stands for no ARGS. pmuprof reads
#            on every CPU unless JOBS (its -j) says otherwise.
#   cases:   the test workload, tests/workload/unwind all 10000 (recursion,
#            shared-library calls, threads, signal handlers), or burn 2 10000
#            while unwind is not built or does nothing; and xz -6 -T1 on
#            40 MB of base64 made from the shared objects in /usr/lib.
#
# Each file is recorded once; the two reports then run RUNS times (default 5),
# alternately, with their output thrown away, under GNU time. The table gives
# the samples in each file (perf report --stats, pmuprof report --header),
# the median wall time, samples per second of it, and the median peak RSS;
# the pmuprof rows add pmuprof/perf for samples per second (above 1: pmuprof
# is faster) and for peak RSS (below 1: pmuprof needs less memory). The two
# files of a case hold different samples, so compare rates, not times.
# Usage from a built tree (or from an out-of-tree build directory):
#   [CASES="workload xz"] [MODES="default;--no-children"] [FREQ=10000] [JOBS=N] \
#   contrib/bench/report-throughput.sh [RUNS] [-- COMMAND ARGS]
# A COMMAND replaces the test workload; CASES=workload leaves out xz.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
build=$top
[ ! -x "$top/src/pmuprof" ] && [ -x ./src/pmuprof ] && build=$PWD
runs=5
if [ $# -gt 0 ] && [ "$1" != -- ]; then
	runs=$1
	shift
fi
if [ $# -gt 0 ]; then
	if [ "$1" != -- ] || [ $# -lt 2 ]; then
		echo "usage: $0 [RUNS] [-- COMMAND ARGS]" >&2
		exit 2
	fi
	shift
fi
cmd=("$@")
case $runs in '' | *[!0-9]* | 0) echo "RUNS must be a positive number, not '$runs'" >&2; exit 2 ;; esac
pmuprof=${PMUPROF:-$build/src/pmuprof}
wl=${WORKLOADS:-$build/tests/workload}
modes=${MODES-default;--no-children}
freq=${FREQ:-10000}
jobs=()
[ -n "${JOBS:-}" ] && jobs=(-j "$JOBS")
command -v perf >/dev/null || { echo "perf is not installed (apt-get install linux-perf)" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "GNU time is needed (apt-get install time)" >&2; exit 1; }
[ -x "$pmuprof" ] || { echo "build first: make && make check TESTS=" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
perf_samples() { perf report -i "$1" --stats 2>/dev/null | awk '/SAMPLE events:/ { print $3; exit }'; }
pmuprof_samples() { "$pmuprof" report --header -i "$1" | awk '$1 == "samples" { print $2 }'; }

# record TOOL FILE COMMAND...: records COMMAND with TOOL, or stops the script
record() {
	local tool=$1 file=$2
	shift 2
	"$tool" record -q -e cpu-clock -F "$freq" --call-graph dwarf,8192 -o "$file" -- "$@" \
		>/dev/null 2>"$tmp/err" || {
		echo "$tool record failed on: $*" >&2
		cat "$tmp/err" >&2
		exit 1
	}
}

# report NAME COMMAND...: appends "wall-seconds peak-rss-KiB" of COMMAND to $tmp/NAME.times
report() {
	local name=$1
	shift
	/usr/bin/time -f '%e %M' -o "$tmp/t" "$@" >/dev/null 2>"$tmp/err" || {
		echo "failed: $*" >&2
		cat "$tmp/err" "$tmp/t" >&2
		exit 1
	}
	tail -1 "$tmp/t" >>"$tmp/$name.times"
}

# row LABEL TOOL SAMPLES TIMES-FILE [PERF-RATE PERF-RSS]: prints one line of the table
# and leaves this row's rate and RSS in $rate and $rss for the ratios of the next
row() {
	local s m
	s=$(cut -d' ' -f1 "$4" | median)
	m=$(cut -d' ' -f2 "$4" | median)
	rate=$(awk -v n="$3" -v s="$s" 'BEGIN { printf "%.0f", (s > 0 ? n / s : 0) }')
	rss=$(awk -v m="$m" 'BEGIN { printf "%.1f", m / 1024 }')
	local ratios="       -       -"
	[ $# -gt 4 ] && ratios=$(awk -v r="$rate" -v m="$rss" -v pr="$5" -v pm="$6" \
		'BEGIN { printf "%8s %8s", (pr > 0 ? sprintf("%.2f", r / pr) : "-"), (pm > 0 ? sprintf("%.2f", m / pm) : "-") }')
	printf '%-18s %-14s %-8s %9s %10.3f %11s %9s %s\n' "$1" "$mode" "$2" "$3" "$s" "$rate" "$rss" \
		"$ratios"
}

# bench LABEL COMMAND...: records COMMAND with both tools, times both reports, prints two rows
bench() {
	local label=$1 n_perf n_pmu
	shift
	record perf "$tmp/perf.data" "$@"
	record "$pmuprof" "$tmp/pmuprof.data" "$@"
	n_perf=$(perf_samples "$tmp/perf.data")
	n_pmu=$(pmuprof_samples "$tmp/pmuprof.data")
	IFS=';' read -ra mode_list <<<"$modes"
	for mode in "${mode_list[@]}"; do
		local args=()
		[ "$mode" = default ] || read -ra args <<<"$mode"
		rm -f "$tmp"/*.times
		for _ in $(seq "$runs"); do
			report perf perf report -i "$tmp/perf.data" --stdio "${args[@]}"
			report pmuprof "$pmuprof" report -i "$tmp/pmuprof.data" "${jobs[@]}" "${args[@]}"
		done
		row "$label" perf "${n_perf:-0}" "$tmp/perf.times"
		row "$label" pmuprof "${n_pmu:-0}" "$tmp/pmuprof.times" "$rate" "$rss"
	done
	rm -f "$tmp/perf.data" "$tmp/pmuprof.data"
}

echo "# report throughput: $(perf --version), $("$pmuprof" --version); $(uname -r), $(nproc) CPUs," \
	"$(awk -F': *' '/^model name/ { print $2; exit }' /proc/cpuinfo); $runs runs each;" \
	"load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "# perf report -i P --stdio MODE    pmuprof report -i Q ${jobs[*]} MODE    (-e cpu-clock -F $freq," \
	"--call-graph dwarf,8192)"
printf '%-18s %-14s %-8s %9s %10s %11s %9s %8s %8s\n' case mode tool samples "median(s)" "samples/s" \
	"RSS(MiB)" "x rate" "x RSS"
for c in ${CASES:-workload xz}; do
	case $c in
	workload)
		if [ ${#cmd[@]} -gt 0 ]; then
			wl_cmd=("${cmd[@]}")
		else
			# the unwind workload may still be a stub that exits at once: only
			# a run with some CPU time in it gives enough samples to measure
			wl_cmd=("$wl/unwind" all 10000)
			cpu=0
			[ -x "$wl/unwind" ] && /usr/bin/time -f '%U %S' -o "$tmp/t" "$wl/unwind" recurse 300 >/dev/null 2>&1 &&
				cpu=$(awk 'END { print $1 + $2 }' "$tmp/t")
			if awk -v c="$cpu" 'BEGIN { exit !(c < 0.2) }'; then
				[ -x "$wl/burn" ] || { echo "no workload in $wl: make check TESTS=" >&2; exit 1; }
				echo "# $wl/unwind all 10000 is missing or used ${cpu} s of CPU: burn 2 10000 instead"
				wl_cmd=("$wl/burn" 2 10000)
			fi
		fi
		label=${wl_cmd[*]##*/}
		bench "${label:0:18}" "${wl_cmd[@]}"
		;;
	xz)
		# base64 of real objects: text that compresses, but not too well
		{ find /usr/lib -type f -name '*.so*' | LC_ALL=C sort | xargs cat | head -c 30000000 |
			base64 >"$tmp/data"; } 2>/dev/null
		bench "xz -6 -T1 ($(($(stat -c %s "$tmp/data") / 1000000)) MB)" xz -6 -T1 -c "$tmp/data"
		rm -f "$tmp/data"
		;;
	*) echo "unknown case '$c' in CASES (workload, xz)" >&2; exit 2 ;;
	esac
done
