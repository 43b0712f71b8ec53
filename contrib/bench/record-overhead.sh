#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# pmuprof record against perf record on the same CPU-bound workload, in the
# same run: wall and CPU time versus the workload unprofiled, samples lost,
# and bytes per sample on disk.
#
#   workload: tests/workload/burn 2 =BLOCKS (two threads, a fixed amount of work)
#   settings: -F 1000 and -F 10000, DWARF call graphs with 8 KiB stack copies,
#             and pmuprof's default (32 KiB copies, no --call-graph)
#   perf:     perf record -F HZ --call-graph dwarf,8192 [-z]
#
# Each configuration runs RUNS times (default 5), interleaved; medians are
# printed, and ratios to the unprofiled run; "lost" is the most any run
# lost, "samples" and bytes are the last run's. Then, for pmuprof, the
# median of each run's ratio to the perf record run beside it (a drift of
# the machine's speed between runs cancels out of a pair). Usage from a built tree:
#   [RATES="1000 10000"] contrib/bench/record-overhead.sh [RUNS] [BLOCKS]
set -eu
cd "$(dirname "$0")/../.."
runs=${1:-5}
blocks=${2:-60000}
pmuprof=${PMUPROF:-./src/pmuprof}
wl="${WORKLOADS:-./tests/workload}/burn"
command -v perf >/dev/null || { echo "perf is not installed (apt-get install linux-perf)" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "GNU time is needed (apt-get install time)" >&2; exit 1; }
[ -x "$pmuprof" ] && [ -x "$wl" ] || { echo "build first: make && make check TESTS=" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# run NAME COMMAND...: appends "wall cpu" of the whole command tree to $tmp/NAME
run() {
	local name=$1
	shift
	/usr/bin/time -f '%e %U %S' -o "$tmp/t" "$@" >/dev/null 2>"$tmp/err" || true
	awk '{ printf "%s %.3f\n", $1, $2 + $3 }' "$tmp/t" >>"$tmp/$name.times"
	cp "$tmp/err" "$tmp/$name.err"
}

perf_samples() { perf report -i "$1" --stats 2>/dev/null | awk '/SAMPLE events:/ { print $3; exit }'; }
perf_lost() { perf report -i "$1" --stats 2>/dev/null | awk '/LOST(_SAMPLES)? events:/ { n += $3 } END { print n + 0 }'; }
pmuprof_stat() { "$pmuprof" report --header -i "$1" | awk -v k="$2" '$1 == k { print $2 }'; }

echo "# record overhead: $(perf --version), pmuprof $("$pmuprof" --version | cut -d' ' -f2), $(uname -r), $(nproc) CPUs, $runs runs each, burn 2 =$blocks"
printf '%-34s %9s %9s %9s %9s %8s %10s %12s\n' config "wall(s)" "cpu(s)" "wall/base" "cpu/base" "max lost" samples "bytes/smp"
for hz in ${RATES:-1000 10000}; do
	rm -f "$tmp"/*.times "$tmp"/*.lost
	for _ in $(seq "$runs"); do
		run base "$wl" 2 "=$blocks"
		run perf perf record -q -F "$hz" --call-graph dwarf,8192 -o "$tmp/perf.data" -- "$wl" 2 "=$blocks"
		perf_lost "$tmp/perf.data" >>"$tmp/perf.lost"
		run perfz perf record -q -z -F "$hz" --call-graph dwarf,8192 -o "$tmp/perfz.data" -- "$wl" 2 "=$blocks"
		perf_lost "$tmp/perfz.data" >>"$tmp/perfz.lost"
		run pmuprof "$pmuprof" record -q -F "$hz" --call-graph dwarf,8192 -o "$tmp/pmuprof.data" -- "$wl" 2 "=$blocks"
		f=$tmp/pmuprof.data
		echo $(($(pmuprof_stat "$f" lost-ring) + $(pmuprof_stat "$f" lost-samples) + $(pmuprof_stat "$f" lost-writer))) >>"$tmp/pmuprof.lost"
		run pmuprofdef "$pmuprof" record -q -F "$hz" -o "$tmp/pmuprofdef.data" -- "$wl" 2 "=$blocks"
		f=$tmp/pmuprofdef.data
		echo $(($(pmuprof_stat "$f" lost-ring) + $(pmuprof_stat "$f" lost-samples) + $(pmuprof_stat "$f" lost-writer))) >>"$tmp/pmuprofdef.lost"
	done
	bw=$(cut -d' ' -f1 "$tmp/base.times" | median)
	bc=$(cut -d' ' -f2 "$tmp/base.times" | median)
	for cfg in base perf perfz pmuprof pmuprofdef; do
		w=$(cut -d' ' -f1 "$tmp/$cfg.times" | median)
		c=$(cut -d' ' -f2 "$tmp/$cfg.times" | median)
		case $cfg in
		base) lost=-; n=-; bps=- ;;
		perf | perfz)
			f=$tmp/$cfg.data
			n=$(perf_samples "$f")
			lost=$(sort -g "$tmp/$cfg.lost" | tail -1)
			bps=$(awk -v s="$(stat -c %s "$f")" -v n="$n" 'BEGIN { printf "%.0f", n ? s / n : 0 }')
			;;
		pmuprof | pmuprofdef)
			f=$tmp/$cfg.data
			n=$(pmuprof_stat "$f" samples)
			lost=$(sort -g "$tmp/$cfg.lost" | tail -1)
			bps=$(awk -v s="$(stat -c %s "$f")" -v n="$n" 'BEGIN { printf "%.0f", n ? s / n : 0 }')
			;;
		esac
		label=$cfg
		[ "$cfg" = perf ] && label="perf record --call-graph dwarf"
		[ "$cfg" = perfz ] && label="perf record -z --call-graph dwarf"
		[ "$cfg" = pmuprof ] && label="pmuprof record dwarf,8192"
		[ "$cfg" = pmuprofdef ] && label="pmuprof record (default)"
		[ "$cfg" = base ] && label="unprofiled"
		printf '%-34s %9.3f %9.3f %9.3f %9.3f %8s %10s %12s\n' "$label -F $hz" "$w" "$c" \
			"$(awk -v a="$w" -v b="$bw" 'BEGIN { print a / b }')" \
			"$(awk -v a="$c" -v b="$bc" 'BEGIN { print a / b }')" "$lost" "$n" "$bps"
	done
	# each run against perf's run beside it: the machine's drift cancels out of the pair
	for cfg in pmuprof pmuprofdef; do
		label="pmuprof record dwarf,8192"
		[ "$cfg" = pmuprofdef ] && label="pmuprof record (default)"
		paste -d' ' "$tmp/$cfg.times" "$tmp/perf.times" | awk '{ print $1 / $3 }' >"$tmp/rw"
		paste -d' ' "$tmp/$cfg.times" "$tmp/perf.times" | awk '{ print $2 / $4 }' >"$tmp/rc"
		printf '%-34s wall %.3f, cpu %.3f of perf record --call-graph dwarf,8192 (median of the %d runs'"'"' ratios)\n' \
			"$label -F $hz" "$(median <"$tmp/rw")" "$(median <"$tmp/rc")" "$runs"
	done
done
