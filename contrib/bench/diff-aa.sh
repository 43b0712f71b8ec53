#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# A/A tests of pmuprof diff: record one unchanged command twice, diff the two
# recordings, and count the rows reported as significant. Every such row is
# noise reported as change. Programs:
#   xz      xz -6 -T1 compressing 15 MB of generated text to /dev/null
#   python  python3 running a few seconds of mixed work (dicts, strings,
#           sorting, regular expressions, JSON, big integers)
#   xz-T2   xz -6 -T2 on the same text: two compressing threads
# Prints one line per pair: the flagged rows of the self, total and stacks
# tables, and the samples of each side. With PMUPROF_OLD set, the same pairs
# are diffed by that binary too (an older build: its counts follow), so that
# two statistical models are held to the same recordings.
# Usage from a built tree: contrib/bench/diff-aa.sh [PAIRS [HZ [PROGRAMS]]]
#   PMUPROF=path      the pmuprof that records and diffs (default ./src/pmuprof)
#   PMUPROF_OLD=path  another pmuprof that diffs the same recordings
#   KEEP=dir          keep the recordings there, and reuse those already there
#   RUNS=n            also diff the A sides of n pairs at a time against their B
#                     sides (OLD... -- NEW...), in groups of n consecutive pairs
set -eu
abs() { case $1 in /*) echo "$1" ;; *) echo "$PWD/$1" ;; esac; }
pmuprof=$(abs "${PMUPROF:-./src/pmuprof}")
old=${PMUPROF_OLD:+$(abs "$PMUPROF_OLD")}
[ -n "${KEEP:-}" ] && KEEP=$(abs "$KEEP")
cd "$(dirname "$0")/../.."
[ -x "$pmuprof" ] || { echo "no pmuprof at '$pmuprof' (set PMUPROF)" >&2; exit 2; }
pairs=${1:-3}
hz=${2:-1000}
programs=${3:-"xz python xz-T2"}
if [ -n "${KEEP:-}" ]; then
	tmp=$KEEP
	mkdir -p "$tmp"
else
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' EXIT
fi
[ -s "$tmp/text" ] || seq 1 2000000 >"$tmp/text"
cat >"$tmp/mixed.py" <<'PY'
import json, re
words = [str(i * 7919 % 100003) for i in range(200000)]
for rnd in range(4):
    d = {}
    for w in words:
        d[w] = d.get(w, 0) + len(w)
    s = sorted(words, key=lambda w: (d[w], w))
    text = " ".join(s[:50000])
    n = len(re.findall(r"\b1[0-9]*7\b", text))
    blob = json.dumps({"k%d" % i: [i, str(i), i * 0.5] for i in range(30000)})
    back = json.loads(blob)
    f = 1
    for i in range(1, 2500):
        f *= i
    print(rnd, n, len(back), f % 1000003)
PY

command_of() {
	case $1 in
	xz) echo "xz -6 -T1 -c $tmp/text" ;;
	xz-T2) echo "xz -6 -T2 -c $tmp/text" ;;
	python) echo "/usr/bin/python3 $tmp/mixed.py" ;;
	*) echo "unknown program '$1' (xz, python or xz-T2)" >&2; exit 2 ;;
	esac
}

# flagged rows per table: "self total stacks"
flagged() { # PMUPROF FILES...
	p=$1
	shift
	"$p" diff --limit 0 "$@" >"$tmp/diff.out" 2>"$tmp/diff.err" ||
		{ echo "pmuprof diff failed: $(cat "$tmp/diff.err")" >&2; exit 1; }
	awk '
		/^# self:/ { t = 1 } /^# total:/ { t = 2 } /^# stacks:/ { t = 3 }
		/^  \* / { n[t]++ }
		END { printf "%d %d %d", n[1], n[2], n[3] }' "$tmp/diff.out"
}
samples() { "$pmuprof" report --header -i "$1" | awk '$1 == "samples" { print $2 }'; }

echo "# A/A diffs at -F $hz, cpu-clock: flagged rows self/total/stacks ($pmuprof${old:+; then $old})"
for prog in $programs; do
	cmd=$(command_of "$prog")
	for i in $(seq 1 "$pairs"); do
		for side in a b; do
			f=$tmp/$prog-$i$side.data
			[ -s "$f" ] ||
				$pmuprof record -q -e cpu-clock -F "$hz" -o "$f" -- $cmd >/dev/null
		done
		a=$tmp/$prog-$i"a".data
		b=$tmp/$prog-$i"b".data
		line=$(printf '%-7s pair %2d  samples %6s %6s  flagged %s' "$prog" "$i" \
			"$(samples "$a")" "$(samples "$b")" "$(flagged "$pmuprof" "$a" "$b")")
		[ -z "$old" ] || line="$line  old: $(flagged "$old" "$a" "$b")"
		echo "$line"
	done
	runs=${RUNS:-1}
	[ "$runs" -gt 1 ] || continue
	for first in $(seq 1 "$runs" $((pairs - runs + 1))); do
		set --
		for i in $(seq "$first" $((first + runs - 1))); do
			set -- "$@" "$tmp/$prog-$i"a.data
		done
		set -- "$@" --
		for i in $(seq "$first" $((first + runs - 1))); do
			set -- "$@" "$tmp/$prog-$i"b.data
		done
		printf '%-7s pairs %d-%d as %d against %d  flagged %s\n' "$prog" "$first" \
			$((first + runs - 1)) "$runs" "$runs" "$(flagged "$pmuprof" "$@")"
	done
done
