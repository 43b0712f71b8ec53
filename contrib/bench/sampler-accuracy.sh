#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# How much CPU time each sampler (pmu, itimer, ctimer) attributes, against
# the kernel's task-clock of the same run, as `pmuprof compare` measures
# it: tests/workload/spin with 1 and 2 busy threads of SECONDS each, at
# 100, 250 and 1000 Hz, RUNS runs per sampler (medians). One row per
# (threads, rate, sampler): delivered rate, error of the weighted and the
# unweighted attribution, the largest error of one thread's share,
# overruns, and the TVD of the leaf-function profile against pmu's.
# Then two real commands, one compare run each at 250 Hz: xz -T2 -6 over
# 40 MB (when xz is installed), and a shell starting 300 short processes.
# Usage from a built tree (after make check, which builds the workload):
#   contrib/bench/sampler-accuracy.sh [RUNS [SECONDS]]
set -eu
cd "$(dirname "$0")/../.."
pmuprof=${PMUPROF:-./src/pmuprof}
wl=${WORKLOADS:-./tests/workload}
runs=${1:-3}
secs=${2:-2}
[ -x "$wl/spin" ] || { echo "no $wl/spin: run make check first" >&2; exit 1; }
command -v python3 >/dev/null || { echo "python3 is needed" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

first=1
for t in 1 2; do
	for hz in 100 250 1000; do
		"$pmuprof" compare -F "$hz" -r "$runs" --json -- "$wl/spin" -t "$t" -s "$secs" \
			>"$tmp/c.json" 2>"$tmp/err" || { cat "$tmp/err" >&2; exit 1; }
		python3 - "$tmp/c.json" "$t" "$hz" "$first" "$runs" "$secs" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
if sys.argv[4] == "1":
    # CONFIG_HZ as compare found it (the kernel's config, else measured)
    print("# sampler accuracy: kernel %s (CONFIG_HZ %s), %d CPUs, spin -s %s, medians of %s runs"
          % (d["kernel"], d["kernel_hz"] or "unknown", d["ncpus"], sys.argv[6], sys.argv[5]))
    print("%-8s %4s %6s %12s %9s %11s %10s %9s %6s" % ("sampler", "thr", "Hz", "Hz/req",
          "error%", "unweighted%", "share-pp", "overruns", "TVD"))
for s in d["samplers"]:
    m = s["median"]
    tvd = "-" if m["tvd_vs_pmu"] is None else "%.3f" % m["tvd_vs_pmu"]
    print("%-8s %4s %6s %7.0f/%-4s %+9.1f %+11.1f %10.1f %9d %6s" % (
        s["sampler"], sys.argv[2], sys.argv[3], m["rate_hz"], sys.argv[3], m["error_pct"],
        m["unweighted_error_pct"], m["max_share_error_pp"], m["overruns"], tvd))
PY
		first=0
	done
done

# row LABEL JSON: one line per sampler of a compare run
row() {
	python3 - "$2" "$1" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
for s in d["samplers"]:
    m = s["median"]
    tvd = "-" if m["tvd_vs_pmu"] is None else "%.3f" % m["tvd_vs_pmu"]
    print("%-8s %-22s %7.0f/%-4d %+9.1f %+11.1f %9d %6s" % (s["sampler"], sys.argv[2],
          m["rate_hz"], d["hz"], m["error_pct"], m["unweighted_error_pct"], m["overruns"], tvd))
PY
}
echo
echo "# real commands, one run each at 250 Hz"
printf '%-8s %-22s %12s %9s %11s %9s %6s\n' sampler command "Hz/req" "error%" "unweighted%" \
	overruns TVD
if command -v xz >/dev/null; then
	head -c 30000000 /dev/urandom | base64 >"$tmp/in"
	"$pmuprof" compare -F 250 --json -- xz -T2 -6 -k -c "$tmp/in" >"$tmp/c.json" 2>"$tmp/err" ||
		{ cat "$tmp/err" >&2; exit 1; }
	row "xz -T2 -6, 40 MB" "$tmp/c.json"
fi
"$pmuprof" compare -F 250 --json -- sh -c 'i=0; while [ $i -lt 300 ]; do /bin/true; i=$((i + 1)); done' \
	>"$tmp/c.json" 2>"$tmp/err" || { cat "$tmp/err" >&2; exit 1; }
row "300 short processes" "$tmp/c.json"
