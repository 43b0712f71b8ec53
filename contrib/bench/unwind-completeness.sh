#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# How far pmuprof report unwinds the stacks of real programs and of the test
# workloads: for each recording (at -F 1000, --call-graph dwarf with the
# stack copy size the case gives: "default" is record's own, without
# --call-graph, and 8192 is perf's default), the shares that report's
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
	cg=(--call-graph "dwarf,$size")
	[ "$size" = default ] && cg=()
	if ! "$pmuprof" record -q -F 1000 "${cg[@]}" -o "$tmp/x.data" -- "$@" \
		>/dev/null 2>"$tmp/err"; then
		printf '%-46s %s\n' "$label" "record failed: $(head -1 "$tmp/err")"
		return
	fi
	"$pmuprof" report -i "$tmp/x.data" -g none >"$tmp/report" 2>/dev/null
	# "default": the size the header says record took, marked with a star
	[ "$size" = default ] &&
		size="$(sed -n 's/^# call graph: dwarf, \([0-9]*\)-byte stack copies .*/\1/p' "$tmp/report")*"
	sed -n 's/^# unwound: \([0-9]*\) samples: \([0-9.]*\)% reached a root frame, \([0-9.]*\)% cut short by the [0-9]*-byte stack copy, \([0-9.]*\)% failed$/\1 \2 \3 \4/p' \
		"$tmp/report" | awk -v l="$label" -v s="$size" \
		'{ printf "%-46s %6d %7s %8.2f%% %8.2f%% %7.2f%%\n", l, $1, s, $2, $3, $4 }'
	grep '^#   failed in' "$tmp/report" | sed 's/^#  /      /' || true
}

echo "# unwinding completeness: pmuprof $("$pmuprof" --version | cut -d' ' -f2), $(uname -r), -F 1000"
printf '%-46s %6s %7s %9s %9s %8s\n' "recording" "samples" "stack" "root" "cut short" "failed"
echo "# (stack: --call-graph dwarf,SIZE; * record's default, without --call-graph)"
for mode in recurse shlib threads signal deep; do
	case_ "tests/workload/unwind $mode" default "$wl/unwind" "$mode" 600
done
case_ "xz -6 -T1 (13 MB)" 8192 xz -6 -T1 -c "$tmp/data"
case_ "xz -6 -T1 (13 MB)" default xz -6 -T1 -c "$tmp/data"
sql="CREATE TABLE t(a INTEGER PRIMARY KEY, b TEXT);
WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c WHERE x<300000)
INSERT INTO t SELECT x, hex(randomblob(8)) FROM c;
CREATE INDEX ib ON t(b);
SELECT count(*), sum(length(t1.b)) FROM t t1 JOIN t t2 ON t1.a = t2.a + 1 WHERE t1.b > t2.b;
SELECT substr(b, 1, 2) k, count(*) FROM t GROUP BY k ORDER BY 2 DESC LIMIT 3;"
if command -v sqlite3 >/dev/null; then
	case_ "sqlite3 (insert, index, join, group by)" 8192 sqlite3 :memory: "$sql"
	case_ "sqlite3 (insert, index, join, group by)" default sqlite3 :memory: "$sql"
fi
if [ -n "$python" ]; then
	# CPython's evaluator: recursion a hundred deep, json and re
	prog='import json, re
def rec(n):
    return sum(i * i for i in range(300)) if n == 0 else rec(n - 1) + 1
s = 0
for k in range(20000): s += rec(k % 120)
data = [{"k": str(i), "v": [i, "x" * (i % 17)]} for i in range(50000)]
for _ in range(3):
    t = json.dumps(data)
    s += len(json.loads(t)) + len(re.findall(r"\d+", t))
print(s)'
	case_ "python3 (recursion, json, re)" 8192 "$python" -c "$prog"
	case_ "python3 (recursion, json, re)" default "$python" -c "$prog"
fi
if command -v bzip2 >/dev/null; then
	case_ "bzip2 (large stack frames)" 8192 bzip2 -c "$tmp/data"
	case_ "bzip2 (large stack frames)" default bzip2 -c "$tmp/data"
fi
