#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The cost of off-CPU recording: pmuprof record --off-cpu against perf recording every
# context switch with its stack, on a switch-heavy workload, in the same run: the
# workload's slowdown against an unprofiled run, bytes on disk per off-CPU sample, and
# the records each lost.
#
#   workload: tests/workload/pingpong ROUNDS (two threads passing a byte through two
#             pipes: each round trip blocks and wakes both threads), pinned to CPU 0 with
#             taskset: unpinned, its rate depends on whether the scheduler keeps both
#             threads on one CPU (some 150,000 round trips a second here) or wakes the
#             other CPU each time (some 20,000), whatever a profiler does; the profilers'
#             own threads are not pinned
#   pmuprof:  pmuprof record --off-cpu -e cpu-clock --call-graph dwarf,8192
#   perf:     perf record -e context-switches -c 1 --call-graph dwarf,8192 --switch-events [-z]
#
# Both as root (perf needs it for the context-switches samples of kernel-side switches).
# Each configuration runs RUNS times (default 5), interleaved; medians are printed:
# "wall" is the whole command's (the profiler's start and its writing included), "cpu"
# its user plus system time (the workload's and the profiler's), "rate" the workload's own
# round trips per second; the ratios are to the unprofiled run. "off-cpu" is the number of
# off-CPU samples kept (perf: context-switches samples, pmuprof: STATS off-cpu-samples),
# "bytes/off" the file size over it (pmuprof's file also holds its cpu-clock samples,
# counted against it), both of the last run; "lost" the most records any run lost (perf:
# the kernel's count for the event, switch records included; pmuprof: its lost-* keys).
# A profiler that loses records does less work: read the slowdown next to them. Usage from
# a built tree:
#   [PERF_OPTS="-m 512"] contrib/bench/offcpu-cost.sh [RUNS] [ROUNDS]
# (PERF_OPTS: more perf record options, e.g. a ring buffer as large as pmuprof's, whose
# ring-pages the header line shows)
set -eu
cd "$(dirname "$0")/../.."
runs=${1:-5}
rounds=${2:-20000}
pmuprof=${PMUPROF:-./src/pmuprof}
wl="${WORKLOADS:-./tests/workload}/pingpong"
command -v perf >/dev/null || { echo "perf is not installed (apt-get install linux-perf)" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "GNU time is needed (apt-get install time)" >&2; exit 1; }
command -v taskset >/dev/null || { echo "taskset is needed (apt-get install util-linux)" >&2; exit 1; }
[ -x "$pmuprof" ] && [ -x "$wl" ] || { echo "build first: make && make check TESTS=" >&2; exit 1; }
[ "$(id -u)" = 0 ] || { echo "run as root: perf samples context switches only for root" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# run NAME COMMAND...: appends "wall rate cpu" to $tmp/NAME.times (cpu: user plus system
# time of the whole command tree, the profiler's own included); the workload's line is the
# last on standard output of any of the commands
run() {
	local name=$1
	shift
	/usr/bin/time -f '%e %U %S' -o "$tmp/t" "$@" >"$tmp/out" 2>"$tmp/$name.err" ||
		{ echo "$name failed:" >&2; cat "$tmp/$name.err" >&2; exit 1; }
	echo "$(awk '{ print $1 }' "$tmp/t") $(awk '$1 == "round-trips" { r = $6 } END { print r }' \
		"$tmp/out") $(awk '{ printf "%.3f", $2 + $3 }' "$tmp/t")" >>"$tmp/$name.times"
}

perf_stat() { perf report -i "$1" --stats 2>/dev/null | awk -v k="$2" '$1 == k && $2 == "events:" { print $3; exit }'; }
# samples lost: the kernel's count for the event (perf report's "context-switches stats:"
# section), which covers the LOST records' counts
perf_lost() {
	perf report -i "$1" --stats 2>/dev/null |
		awk '/ stats:$/ { ev = 1 } ev && $1 == "LOST_SAMPLES" { n += $3 } END { print n + 0 }'
}
pmuprof_stat() { "$pmuprof" report --header -i "$1" | awk -v k="$2" '$1 == k { v = $2 } END { print v + 0 }'; }
pmuprof_lost() { "$pmuprof" report --header -i "$1" | awk '$1 ~ /^lost-/ { n += $2 } END { print n + 0 }'; }

perf_cmd="perf record -q -e context-switches -c 1 --call-graph dwarf,8192 --switch-events ${PERF_OPTS:-}"
echo "# off-CPU recording cost: $(perf --version), pmuprof $("$pmuprof" --version | cut -d' ' -f2)," \
	"$(uname -r), $(nproc) CPUs, $runs runs each, pingpong $rounds${PERF_OPTS:+, perf $PERF_OPTS}"
for _ in $(seq "$runs"); do
	run base taskset -c 0 "$wl" "$rounds"
	run perf $perf_cmd -o "$tmp/perf.data" -- taskset -c 0 "$wl" "$rounds"
	perf_lost "$tmp/perf.data" >>"$tmp/perf.lost"
	run perfz $perf_cmd -z -o "$tmp/perfz.data" -- taskset -c 0 "$wl" "$rounds"
	perf_lost "$tmp/perfz.data" >>"$tmp/perfz.lost"
	run pmuprof "$pmuprof" record -q --off-cpu -e cpu-clock --call-graph dwarf,8192 \
		-o "$tmp/pmuprof.data" -- taskset -c 0 "$wl" "$rounds"
	pmuprof_lost "$tmp/pmuprof.data" >>"$tmp/pmuprof.lost"
done

bw=$(cut -d' ' -f1 "$tmp/base.times" | median)
bc=$(cut -d' ' -f3 "$tmp/base.times" | median)
br=$(cut -d' ' -f2 "$tmp/base.times" | median)
printf '%-38s %8s %9s %8s %8s %9s %9s %9s %10s %6s\n' config "wall(s)" "wall/base" "cpu(s)" \
	"cpu/base" "rate/s" "base/rate" "off-cpu" "bytes/off" lost
for cfg in base perf perfz pmuprof; do
	w=$(cut -d' ' -f1 "$tmp/$cfg.times" | median)
	r=$(cut -d' ' -f2 "$tmp/$cfg.times" | median)
	c=$(cut -d' ' -f3 "$tmp/$cfg.times" | median)
	f=$tmp/$cfg.data
	case $cfg in
	base) label="unprofiled"; n=-; lost=-; bpo=- ;;
	perf | perfz)
		label="perf record -e context-switches"
		[ "$cfg" = perfz ] && label="perf record -z -e context-switches"
		n=$(perf_stat "$f" SAMPLE)
		lost=$(sort -g "$tmp/$cfg.lost" | tail -1)
		;;
	pmuprof)
		label="pmuprof record --off-cpu -e cpu-clock"
		n=$(pmuprof_stat "$f" off-cpu-samples)
		lost=$(sort -g "$tmp/$cfg.lost" | tail -1)
		;;
	esac
	[ "$cfg" = base ] ||
		bpo=$(awk -v s="$(stat -c %s "$f")" -v n="$n" 'BEGIN { printf "%.0f", n ? s / n : 0 }')
	echo "$cfg $w $r $c $bpo" >>"$tmp/summary"
	printf '%-38s %8.3f %9.3f %8.3f %8.3f %9.0f %9.3f %9s %10s %6s\n' "$label" "$w" \
		"$(awk -v a="$w" -v b="$bw" 'BEGIN { print a / b }')" "$c" \
		"$(awk -v a="$c" -v b="$bc" 'BEGIN { print b ? a / b : 0 }')" "$r" \
		"$(awk -v a="$br" -v b="$r" 'BEGIN { print b ? a / b : 0 }')" "$n" "$bpo" "$lost"
done
# pmuprof's figures over perf's and perf -z's
awk '{ w[$1] = $2; r[$1] = $3; c[$1] = $4; b[$1] = $5 }
	END {
		for (i = 1; i <= 2; i++) {
			p = i == 1 ? "perf" : "perfz"
			printf "# pmuprof / %s: wall %.3f, cpu %.3f, rate %.3f, bytes per off-CPU sample %.3f\n",
				p == "perf" ? "perf" : "perf -z", w["pmuprof"] / w[p], c["pmuprof"] / c[p],
				r["pmuprof"] / r[p], b[p] ? b["pmuprof"] / b[p] : 0
		}
	}' "$tmp/summary"
echo "# ring buffers: pmuprof $(pmuprof_stat "$tmp/pmuprof.data" ring-pages) pages per CPU;" \
	"perf's default unless PERF_OPTS has -m"
