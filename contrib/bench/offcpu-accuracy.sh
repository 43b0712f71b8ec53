#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The accuracy of off-CPU time, pmuprof against perf, on tests/workload/offcpu: each
# function's off-CPU time (inclusive, all threads) against the workload's own figure (its
# wall time minus its CPU time in that function, CLOCK_MONOTONIC and
# CLOCK_THREAD_CPUTIME_ID).
#
#   pmuprof: pmuprof record --off-cpu -e cpu-clock, then report --view off-cpu --format
#            folded (microseconds)
#   perf:    perf record -e context-switches -c 1 --call-graph dwarf,8192 --switch-events,
#            then perf script: each switch-out's stack charged with the time until the
#            thread's next switch-in
#
# Both as root. Each tool runs RUNS times (default 5, interleaved, a workload of SECONDS,
# default 1, with BURNERS busy threads, default 1: more than the 2 CPUs give runnable
# time); per function the median error (measured minus truth) and the largest one over
# the runs are printed, in ms and in % of the truth. Usage from a built tree:
#   contrib/bench/offcpu-accuracy.sh [RUNS] [SECONDS] [BURNERS]
set -eu
cd "$(dirname "$0")/../.."
runs=${1:-5}
seconds=${2:-1}
burners=${3:-1}
pmuprof=${PMUPROF:-./src/pmuprof}
wl="${WORKLOADS:-./tests/workload}/offcpu"
funcs="sleep_here hold_lock wait_for_lock read_pipe idle_until burn_cpu write_late"
command -v perf >/dev/null || { echo "perf is not installed (apt-get install linux-perf)" >&2; exit 1; }
[ -x "$pmuprof" ] && [ -x "$wl" ] || { echo "build first: make && make check TESTS=" >&2; exit 1; }
[ "$(id -u)" = 0 ] || { echo "run as root: perf samples context switches only for root" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# truth FUNC: the workload's off-CPU ns in FUNC, all threads
truth() { awk -v f="$1" '$1 == "func" && $2 == f { n += $4 } END { print n + 0 }' "$tmp/truth"; }

# pmuprof_times: "FUNC ns" for every function in $funcs, from the folded off-CPU view
pmuprof_times() {
	"$pmuprof" report -i "$tmp/p.data" --view off-cpu --format folded |
		awk -v funcs="$funcs" 'BEGIN { nf = split(funcs, want, " ") }
		{
			s = $0
			sub(/ [0-9]+$/, "", s)
			n = split(s, f, ";")
			delete seen
			for (i = 1; i <= n; i++)
				seen[f[i]] = 1
			for (j = 1; j <= nf; j++)
				if (want[j] in seen)
					t[want[j]] += $NF * 1000
		}
		END { for (j = 1; j <= nf; j++) print want[j], t[want[j]] + 0 }'
}

# perf_times: the same from perf script: a context-switches sample gives the thread's
# stack, its SWITCH OUT the start of the wait, its next SWITCH IN the end
perf_times() {
	perf script -i "$tmp/perf.data" --ns -F tid,time,event,ip,sym --show-switch-events 2>/dev/null |
		awk -v funcs="$funcs" 'BEGIN { nf = split(funcs, want, " ") }
		function secs(s) { sub(/:$/, "", s); return s + 0 }
		/context-switches:/ { tid = $1; delete stack[tid]; cur = tid; next }
		/PERF_RECORD_SWITCH OUT/ { out[$1] = secs($2); cur = ""; next }
		/PERF_RECORD_SWITCH IN/ {
			if ($1 in out) {
				d = (secs($2) - out[$1]) * 1e9
				for (j = 1; j <= nf; j++)
					if (index(stack[$1], " " want[j] " "))
						t[want[j]] += d
				delete out[$1]
			}
			cur = ""
			next
		}
		# a frame: "ADDRESS SYMBOL" or "ADDRESS SYMBOL (inlined)"
		cur != "" && NF >= 2 { stack[cur] = stack[cur] " " $2 " " }
		END { for (j = 1; j <= nf; j++) printf "%s %.0f\n", want[j], t[want[j]] }'
}

for _ in $(seq "$runs"); do
	"$pmuprof" record -q --off-cpu -e cpu-clock -o "$tmp/p.data" -- \
		"$wl" -s "$seconds" -b "$burners" --truth "$tmp/truth" >/dev/null
	pmuprof_times | while read -r fn ns; do
		echo "$fn $ns $(truth "$fn")" >>"$tmp/pmuprof.err"
	done
	perf record -q -e context-switches -c 1 --call-graph dwarf,8192 --switch-events \
		-o "$tmp/perf.data" -- "$wl" -s "$seconds" -b "$burners" --truth "$tmp/truth" >/dev/null
	perf_times | while read -r fn ns; do
		echo "$fn $ns $(truth "$fn")" >>"$tmp/perf.err"
	done
done

echo "# off-CPU accuracy: $(perf --version), pmuprof $("$pmuprof" --version | cut -d' ' -f2)," \
	"$(uname -r), $(nproc) CPUs, $runs runs each, offcpu -s $seconds -b $burners"
printf '%-14s %10s   %-31s   %-31s\n' "" "truth" "pmuprof error: median, largest" \
	"perf error: median, largest"
printf '%-14s %10s   %15s %15s   %15s %15s\n' function "ms" "ms (%)" "ms (%)" "ms (%)" "ms (%)"
for fn in $funcs; do
	want=$(awk -v f="$fn" '$1 == f { print $3 }' "$tmp/pmuprof.err" | median)
	row=$(printf '%-14s %10.1f' "$fn" "$(awk -v w="$want" 'BEGIN { print w / 1e6 }')")
	for tool in pmuprof perf; do
		# the error (measured - truth) in ms and in % of that run's truth; the largest
		# by its size, with its sign
		awk -v f="$fn" '$1 == f { d = $2 - $3; print d / 1e6, ($3 ? 100 * d / $3 : 0), (d < 0 ? -d : d) }' \
			"$tmp/$tool.err" >"$tmp/e"
		med=$(cut -d' ' -f1 "$tmp/e" | median)
		medp=$(cut -d' ' -f2 "$tmp/e" | median)
		max=$(sort -g -k3 "$tmp/e" | tail -1 | cut -d' ' -f1,2)
		row="$row   $(printf '%+7.2f (%+5.1f) %+7.2f (%+5.1f)' "$med" "$medp" ${max:-0 0})"
	done
	echo "$row"
done
