#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# How far pmuprof report unwinds the stacks of real programs and of the test
# workloads: for each recording (at -F 1000, --call-graph dwarf with 8 KiB
# stack copies unless the case says otherwise), the shares that report's
# header gives: stacks that reached a root frame (_start, a thread's start
# routine, main), stacks cut short by the stack copy's size, and stacks
# whose unwinding failed, with the objects and reasons of the failures.
# Usage from a built tree (after make check, which builds the workloads):
#   contrib/bench/unwind-completeness.sh
set -eu
cd "$(dirname "$0")/../.."
pmuprof=${PMUPROF:-./src/pmuprof}
wl=${WORKLOADS:-./tests/workload}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
[ -x "$wl/unwind" ] || { echo "no $wl/unwind: run make check first" >&2; exit 1; }
find /usr/lib -type f -name '*.so*' 2>/dev/null | LC_ALL=C sort | xargs cat 2>/dev/null |
	head -c 10000000 | base64 >"$tmp/data"
python=$(command -v python3 || true)
[ -n "$python" ] && python=$("$python" -c 'import sys; print(sys.executable)')

# case LABEL STACK-SIZE COMMAND...: records it and prints the header's shares
case_() {
	label=$1
	size=$2
	shift 2
	if ! "$pmuprof" record -q -F 1000 --call-graph "dwarf,$size" -o "$tmp/x.data" -- "$@" \
		>/dev/null 2>"$tmp/err"; then
		printf '%-46s %s\n' "$label" "record failed: $(head -1 "$tmp/err")"
		return
	fi
	"$pmuprof" report -i "$tmp/x.data" -g none >"$tmp/report" 2>/dev/null
	sed -n 's/^# unwound: \([0-9]*\) samples: \([0-9.]*\)% reached a root frame, \([0-9.]*\)% cut short by the [0-9]*-byte stack copy, \([0-9.]*\)% failed$/\1 \2 \3 \4/p' \
		"$tmp/report" | awk -v l="$label" -v s="$size" \
		'{ printf "%-46s %6d %7s %8.2f%% %8.2f%% %7.2f%%\n", l, $1, s, $2, $3, $4 }'
	grep '^#   failed in' "$tmp/report" | sed 's/^#  /      /' || true
}

echo "# unwinding completeness: pmuprof $("$pmuprof" --version | cut -d' ' -f2), $(uname -r), -F 1000"
printf '%-46s %6s %7s %9s %9s %8s\n' "recording" "samples" "stack" "root" "cut short" "failed"
for mode in recurse shlib threads signal; do
	case_ "tests/workload/unwind $mode" 8192 "$wl/unwind" "$mode" 600
done
case_ "xz -6 -T1 (13 MB)" 8192 xz -6 -T1 -c "$tmp/data"
command -v sqlite3 >/dev/null && case_ "sqlite3 recursive CTE" 8192 sqlite3 :memory: \
	"WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c WHERE x<3000000) SELECT sum(x*x % 7) FROM c;"
if [ -n "$python" ]; then
	prog='import json; s=0
for i in range(3000000): s+=i*i
print(json.dumps([str(i) for i in range(200000)])[:10])'
	case_ "python3 (json, loops)" 8192 "$python" -c "$prog"
	case_ "python3 (json, loops)" 32768 "$python" -c "$prog"
fi
if command -v bzip2 >/dev/null; then
	case_ "bzip2 (large stack frames)" 8192 bzip2 -c "$tmp/data"
	case_ "bzip2 (large stack frames)" 65528 bzip2 -c "$tmp/data"
fi
