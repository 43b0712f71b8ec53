#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# pmuprof report against perf report on the same perf.data file: time, peak
# memory, and whether the two agree on where the samples went.
#
#   record:  perf record -e cpu-clock -F FREQ --call-graph CG -o perf.data -- CMD
#            (FREQ 10000 and CG dwarf,8192 unless set; -z too when Z=1)
#   report:  perf report -i perf.data --stdio ARGS
#            pmuprof report -i perf.data ARGS
#            for each mode of MODES, ';' between them (default
#            "default;--no-children": each tool's default, then a self-time
#            table with a call graph under each line); "default" is no ARGS.
#   agree:   the flat self shares of both (perf report --no-children -g none
#            --sort dso,sym; pmuprof report --no-children -g none -s dso,sym):
#            for perf's TOP (10) heaviest functions that have a name, pmuprof's
#            share and the difference in percentage points. Code without
#            symbols is left out and counted: perf names it by each sampled
#            address, pmuprof by the function its unwind information
#            delimits, so the two group it differently.
#   cases:   tests/workload/unwind all 3000 (recursion, shared-library calls,
#            threads, signal handlers); python3 running a pure-Python loop;
#            xz -6 -T1 on 40 MB of base64 (its library is stripped: the
#            agreement covers only what is named).
#
# The reports run RUNS times (default 5), alternately, output thrown away,
# under GNU time; the table gives medians and pmuprof/perf ratios (time below
# 1: pmuprof is faster; RSS below 1: it needs less memory).
# Usage from a built tree (or an out-of-tree build directory):
#   [CASES="workload python xz"] [MODES=...] [FREQ=10000] [CG=dwarf,8192] [Z=1] [TOP=10] \
#   contrib/bench/perfdata-report.sh [RUNS] [-- COMMAND ARGS]
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
cg=${CG:-dwarf,8192}
ntop=${TOP:-10}
zopt=()
[ "${Z:-0}" = 1 ] && zopt=(-z)
command -v perf >/dev/null || { echo "perf is not installed (apt-get install linux-perf)" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "GNU time is needed (apt-get install time)" >&2; exit 1; }
[ -x "$pmuprof" ] || { echo "build first: make && make check TESTS=" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

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

# shares TOOL FILE: "dso<TAB>symbol<TAB>percent" lines of the flat self profile
shares() {
	if [ "$1" = perf ]; then
		perf report -i "$2" --stdio --no-children -g none --sort dso,sym --percent-limit 0 \
			2>/dev/null | awk '$3 == "[.]" || $3 == "[k]" {
				p = $1; sub("%", "", p); s = $4; for (i = 5; i <= NF; i++) s = s " " $i
				print $2 "\t" s "\t" p }'
	else
		"$pmuprof" report -i "$2" --no-children -g none -s dso,sym --percent-limit 0 \
			2>/dev/null | awk '$4 == "[.]" || $4 == "[k]" {
				p = $1; sub("%", "", p); s = $5; for (i = 6; i <= NF; i++) s = s " " $i
				print $3 "\t" s "\t" p }'
	fi
}

# agree LABEL FILE: the top functions' shares side by side
agree() {
	shares perf "$2" | sort -t"$(printf '\t')" -k3,3gr >"$tmp/perf.shares"
	shares pmuprof "$2" >"$tmp/pmu.shares"
	awk -F'\t' -v top="$ntop" -v label="$1" '
		NR == FNR { pmu[$1 "\t" $2] = $3; next }
		# perf names code without symbols by address: 0x..., or [unknown]
		$2 ~ /^0x[0-9a-f]+$/ || $2 == "[unknown]" { unnamed += $3; next }
		n < top {
			n++
			got = ($1 "\t" $2) in pmu ? pmu[$1 "\t" $2] : 0
			d = got - $3; if (d < 0) d = -d
			if (d > worst) worst = d
			printf "%-18s %-24.24s %-34.34s %8.2f %8.2f %6.2f\n", label, $1, $2, $3, got, d
		}
		END { printf "%-18s worst difference %.2f pp over %d functions; %.2f%% of perf'"'"'s samples in code without symbols\n", label, worst, n, unnamed }
	' "$tmp/pmu.shares" "$tmp/perf.shares"
}

# bench LABEL COMMAND...: records COMMAND with perf, times both reports of it, prints the rows
bench() {
	local label=$1 n
	shift
	perf record -q -e cpu-clock -F "$freq" --call-graph "$cg" "${zopt[@]}" -o "$tmp/perf.data" \
		-- "$@" >/dev/null 2>"$tmp/err" || {
		echo "perf record failed on: $*" >&2
		cat "$tmp/err" >&2
		exit 1
	}
	n=$(perf report -i "$tmp/perf.data" --stats 2>/dev/null | awk '/SAMPLE events:/ { print $3; exit }')
	IFS=';' read -ra mode_list <<<"$modes"
	for mode in "${mode_list[@]}"; do
		local args=() ps pm ms mm
		[ "$mode" = default ] || read -ra args <<<"$mode"
		rm -f "$tmp"/*.times
		for _ in $(seq "$runs"); do
			report perf perf report -i "$tmp/perf.data" --stdio "${args[@]}"
			report pmuprof "$pmuprof" report -i "$tmp/perf.data" "${args[@]}"
		done
		ps=$(cut -d' ' -f1 "$tmp/perf.times" | median)
		pm=$(cut -d' ' -f2 "$tmp/perf.times" | median)
		ms=$(cut -d' ' -f1 "$tmp/pmuprof.times" | median)
		mm=$(cut -d' ' -f2 "$tmp/pmuprof.times" | median)
		awk -v l="$label" -v m="$mode" -v n="${n:-0}" -v sz="$(stat -c %s "$tmp/perf.data")" \
			-v ps="$ps" -v pm="$pm" -v ms="$ms" -v mm="$mm" 'BEGIN {
			printf "%-18s %-14s %8d %8.1f %8.3f %8.3f %6.3f %8.1f %8.1f %6.3f\n", l, m, n,
				sz / 1048576, ps, ms, (ps > 0 ? ms / ps : 0), pm / 1024, mm / 1024,
				(pm > 0 ? mm / pm : 0) }'
	done
	agree "$label" "$tmp/perf.data" >>"$tmp/agree"
	rm -f "$tmp/perf.data"
}

echo "# perf.data reports: $(perf --version), $("$pmuprof" --version); $(uname -r), $(nproc) CPUs," \
	"$(awk -F': *' '/^model name/ { print $2; exit }' /proc/cpuinfo); $runs runs each;" \
	"load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "# perf record -e cpu-clock -F $freq --call-graph $cg ${zopt[*]}; perf report -i F --stdio MODE;" \
	"pmuprof report -i F MODE"
printf '%-18s %-14s %8s %8s %8s %8s %6s %8s %8s %6s\n' case mode samples MiB "perf(s)" \
	"pmu(s)" "x time" "perf MiB" "pmu MiB" "x RSS"
: >"$tmp/agree"
for c in ${CASES:-workload python xz}; do
	case $c in
	workload)
		if [ ${#cmd[@]} -gt 0 ]; then
			bench "${cmd[0]##*/}" "${cmd[@]}"
		else
			[ -x "$wl/unwind" ] || { echo "no workload in $wl: make check TESTS=" >&2; exit 1; }
			bench unwind "$wl/unwind" all 3000
		fi
		;;
	python)
		command -v python3 >/dev/null || { echo "python: python3 is not installed, skipped" >&2; continue; }
		bench python3 python3 -c '
import json, re
def fib(n): return n if n < 2 else fib(n - 1) + fib(n - 2)
for i in range(4):
    fib(24)
    json.loads(json.dumps([{"k": str(j), "v": list(range(20))} for j in range(20000)]))
    re.findall(r"[a-z]+[0-9]", "abc1 def2 " * 50000)'
		;;
	xz)
		find /usr/lib -name '*.so*' -type f -size +100k 2>/dev/null | sort | head -200 |
			xargs cat 2>/dev/null | head -c 30000000 | base64 >"$tmp/input"
		bench xz xz -6 -T1 -c "$tmp/input"
		rm -f "$tmp/input"
		;;
	*) echo "unknown case '$c' (workload, python or xz)" >&2; exit 2 ;;
	esac
done
echo
echo "# agreement: flat self shares, perf report --sort dso,sym against pmuprof report -s dso,sym"
printf '%-18s %-24s %-34s %8s %8s %6s\n' case dso function perf% pmu% "|d|"
cat "$tmp/agree"
