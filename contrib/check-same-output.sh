#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# check-same-output.sh OLD_PMUPROF NEW_PMUPROF [WORKLOAD_DIR]
#
# Proves that a change which should not change behaviour (moving code between
# modules, renaming, restructuring) left the output of the reading commands
# byte for byte the same. It records a fixed set of recordings once, with
# OLD_PMUPROF, into a temporary directory, then runs the same command lines
# with OLD_PMUPROF and NEW_PMUPROF on them and compares, for each command line,
# its standard output, its standard error, its exit status and the file it
# wrote with -o (if any), byte for byte. pprof output is compared as written,
# gzip included: the writer is deterministic (the profile's time_nanos comes
# from the recording, zlib's gzip header has no time stamp), so the raw bytes
# must match; when they do not, the report also says whether the gunzipped
# bytes do.
#
# Typical use: build the old commit in one tree and the new one in another
# (`make check TESTS=` builds pmuprof and the workloads), then from the new tree:
#
#     contrib/check-same-output.sh ../old/_build/src/pmuprof _build/src/pmuprof
#
# WORKLOAD_DIR is the tests/workload directory of a build (default: the one
# next to NEW_PMUPROF, that is NEW_PMUPROF/../../tests/workload). Both binaries
# must be able to read the recordings, so the workloads must stay where they
# are while the script runs. The machine must allow perf_event_open of
# cpu-clock (perf_event_paranoid <= 2 is enough for a child process).
#
# Recordings (made once, with OLD_PMUPROF; -q -e cpu-clock -F 1000 unless said):
#   split.data    record -- split -o split.truth 400
#   unwind.data   record -- unwind all 200      (recursion, libuw.so, threads, a signal handler)
#   burn.data     record -- burn 2 300          (two threads)
#   hot.data      record -- hot 400
#   old.data      record -- change-old 400
#   new.data      record -- change-new 400
#   vdso.data     record -- vdso 300            (the vDSO, read back from the stored image)
#   fp.data       record --call-graph fp -- unwind shlib 300
#   nocg.data     record --call-graph none -- split -o nocg.truth 300
#   ctimer.data   record --sampler ctimer -F 100 -- spin -t 2 -s 0.5 --fork --exec
#   trunc.data    unwind.data cut in the middle (the truncated-file warning)
#   damaged.data  burn.data with 8 bytes in the middle inverted (the damaged-frame warning)
# and, for the error paths: a missing file, a directory, an empty file and a
# text file. The working directory of every command also holds
# pmuprof.data (= new.data) and pmuprof.data.old (= old.data), for the
# commands that read the default files.
#
# Commands compared (see the man pages for the options):
#   report   on every recording: default, --no-children, -g caller|callee|none,
#            --sort variants, --percent-limit 0 and 5, --srcline, --inline,
#            --no-demangle, --header, --stdio, each filter (--comm, --tid with
#            real thread ids from `script`, --dso, --symbol, --time) and all of
#            them together, every --format (text, folded, speedscope, json, svg,
#            pprof) on stdout and with -o FILE; plus option spellings
#            (operand, --input=, abbreviations, --) and usage errors
#   script   on every recording: default, --comm, --tid, --time, --inline,
#            --no-demangle, the filters together; usage errors
#   annotate on every recording: default, --top 1 and 5, a named symbol, a
#            glob, --source, -M intel, --color always|never, --dso, together;
#            a symbol without samples; usage errors
#   diff     old/new both orders, --all, --limit 0 and 3, --min-change,
#            --no-demangle, --format text|folded|svg, -o FILE, the default files,
#            unlike recordings (program, sampler, call graph), a file against
#            itself, the truncated and damaged files; usage errors
#   errors   a missing file, a directory, an empty file, a text file, for
#            each command; --help of each command
#
# Output: one block per command line whose stdout, stderr, exit status or
# written file differ (with the first lines of the difference), then
# "N compared, N differ" (N compared counts command lines). Exit status 0 when
# nothing differs, 1 when something does, 2 when the script cannot run
# (bad arguments, a recording failed).
#
# Nothing here differs between two runs of the same binary on the same
# recordings: the reports have no time stamps of their own (the times shown
# come from the recording), stderr has no progress bar because it is not a
# terminal, and annotate's --color auto is off for the same reason. Kernel
# symbols of a recording that does not store them are read from
# /proc/kallsyms, which is the same for both binaries within one boot.
#
# About 1000 command lines, each run twice; about a minute and a half on a
# 2-core VM, most of it starting processes.
#
# Environment: KEEP=1 keeps the temporary directory (its path is printed);
# TIMEOUT (seconds, default 120) bounds each command.

set -u

if [ $# -lt 2 ] || [ $# -gt 3 ]; then
	echo "usage: $0 OLD_PMUPROF NEW_PMUPROF [WORKLOAD_DIR]" >&2
	exit 2
fi

abspath() {
	case $1 in
	/*) printf '%s\n' "$1" ;;
	*) printf '%s/%s\n' "$(pwd)" "$1" ;;
	esac
}

OLD=$(abspath "$1")
NEW=$(abspath "$2")
WL=$(abspath "${3:-$(dirname "$NEW")/../tests/workload}")
TIMEOUT=${TIMEOUT:-120}

for b in "$OLD" "$NEW"; do
	if [ ! -x "$b" ]; then
		echo "$0: '$b' is not an executable" >&2
		exit 2
	fi
done
for w in split unwind libuw.so burn hot change-old change-new vdso spin; do
	if [ ! -e "$WL/$w" ]; then
		echo "$0: '$WL/$w' is missing (build the workloads: make check TESTS=)" >&2
		exit 2
	fi
done

# the same environment for both binaries, whatever the caller's locale
export LC_ALL=C
unset PMUPROF_SHIM 2>/dev/null || true

TMP=$(mktemp -d "${TMPDIR:-/tmp}/check-same-output.XXXXXX") || exit 2
if [ "${KEEP:-0}" = 1 ]; then
	echo "keeping $TMP"
else
	trap 'rm -rf "$TMP"' EXIT
fi
REC=$TMP/rec
CWD=$TMP/cwd
CMP=$TMP/cmp
mkdir -p "$REC" "$CWD" "$CMP" || exit 2

# ---- recordings ------------------------------------------------------------

# rec NAME RECORD-ARGS... -- COMMAND...: one recording with OLD, or give up
rec() {
	local name=$1
	shift
	if ! (cd "$REC" && "$OLD" record -q -o "$REC/$name.data" "$@") \
		>"$REC/$name.log" 2>&1 || [ ! -s "$REC/$name.data" ]; then
		echo "$0: cannot record $name.data:" >&2
		cat "$REC/$name.log" >&2
		exit 2
	fi
}

echo "recording with $OLD ..."
rec split -e cpu-clock -F 1000 -- "$WL/split" -o "$REC/split.truth" 400
rec unwind -e cpu-clock -F 1000 -- "$WL/unwind" all 200
rec burn -e cpu-clock -F 1000 -- "$WL/burn" 2 300
rec hot -e cpu-clock -F 1000 -- "$WL/hot" 400
rec old -e cpu-clock -F 1000 -- "$WL/change-old" 400
rec new -e cpu-clock -F 1000 -- "$WL/change-new" 400
rec vdso -e cpu-clock -F 1000 -- "$WL/vdso" 300
rec fp -e cpu-clock -F 1000 --call-graph fp -- "$WL/unwind" shlib 300
rec nocg -e cpu-clock -F 1000 --call-graph none -- "$WL/split" -o "$REC/nocg.truth" 300
rec ctimer --sampler ctimer -F 100 -- "$WL/spin" -t 2 -s 0.5 --fork --exec

# a file cut in the middle
size=$(wc -c <"$REC/unwind.data")
head -c $((size / 2)) "$REC/unwind.data" >"$REC/trunc.data"
# a file with 8 bytes inverted in the middle (every bit flipped, so each byte changes)
cp "$REC/burn.data" "$REC/damaged.data"
size=$(wc -c <"$REC/damaged.data")
mid=$((size / 2))
bytes=$(od -An -tu1 -j "$mid" -N 8 "$REC/damaged.data")
i=0
for b in $bytes; do
	# shellcheck disable=SC2059 # the format is one octal escape, the byte to write
	printf "\\$(printf '%03o' $((255 - b)))" |
		dd of="$REC/damaged.data" bs=1 seek=$((mid + i)) conv=notrunc status=none
	i=$((i + 1))
done
if cmp -s "$REC/burn.data" "$REC/damaged.data"; then
	echo "$0: could not damage the copy of burn.data" >&2
	exit 2
fi

# the error paths' inputs
: >"$REC/empty.data"
mkdir "$REC/dir.data"
printf 'this is not a pmuprof data file\n%.0s' $(seq 1 50) >"$REC/text.data"

# the default files of report and diff
cp "$REC/new.data" "$CWD/pmuprof.data"
cp "$REC/old.data" "$CWD/pmuprof.data.old"

# ---- comparing -------------------------------------------------------------

NCMP=0
NDIFF=0

# side BINARY SIDE FILE ARGS...: run one binary in $CWD; FILE (or '') is what it writes
side() {
	local bin=$1 s=$2 file=$3
	shift 3
	[ -n "$file" ] && rm -f "$file"
	(cd "$CWD" && exec timeout "$TIMEOUT" "$bin" "$@") \
		</dev/null >"$CMP/$s.out" 2>"$CMP/$s.err"
	echo $? >"$CMP/$s.rc"
	rm -f "$CMP/$s.file"
	if [ -n "$file" ]; then
		if [ -e "$file" ]; then
			mv "$file" "$CMP/$s.file"
			echo present >"$CMP/$s.has"
		else
			echo absent >"$CMP/$s.has"
		fi
	fi
}

# binary FILE: whether FILE holds a NUL byte (pprof, gzip)
# shellcheck disable=SC2094 # both sides of the pipe only read the file
binary() {
	! tr -d '\000' <"$1" | cmp -s - "$1"
}

# show WHAT OLD NEW: the first lines of a difference; for binary files the
# first byte that differs, and for two gzip streams (pprof) whether the
# gunzipped bytes differ too
show() {
	echo "  $1 differs:"
	if binary "$2" || binary "$3"; then
		cmp "$2" "$3" 2>&1 | head -n 1 | sed 's/^.* differ: /first difference at /; s/^/    /'
		if gzip -t "$2" 2>/dev/null && gzip -t "$3" 2>/dev/null; then
			gzip -dc "$2" >"$CMP/old.gunzipped"
			gzip -dc "$3" >"$CMP/new.gunzipped"
			if cmp -s "$CMP/old.gunzipped" "$CMP/new.gunzipped"; then
				echo "    (the gunzipped bytes are the same: only the compression differs)"
			else
				cmp "$CMP/old.gunzipped" "$CMP/new.gunzipped" 2>&1 | head -n 1 |
					sed 's/^.* differ: /first difference at /; s/^/    gunzipped: /'
			fi
		fi
	else
		diff "$2" "$3" | head -n 12 | sed 's/^/    /'
	fi
}

# c [-f FILE] ARGS...: run ARGS with OLD and NEW, compare everything
c() {
	local file='' bad=0 label
	if [ "$1" = -f ]; then
		file=$2
		case $file in /*) ;; *) file=$CWD/$file ;; esac
		shift 2
	fi
	side "$OLD" old "$file" "$@"
	side "$NEW" new "$file" "$@"
	NCMP=$((NCMP + 1))
	cmp -s "$CMP/old.out" "$CMP/new.out" || bad=1
	cmp -s "$CMP/old.err" "$CMP/new.err" || bad=1
	cmp -s "$CMP/old.rc" "$CMP/new.rc" || bad=1
	if [ -n "$file" ]; then
		cmp -s "$CMP/old.has" "$CMP/new.has" || bad=1
		[ -e "$CMP/old.file" ] && [ -e "$CMP/new.file" ] &&
			! cmp -s "$CMP/old.file" "$CMP/new.file" && bad=1
	fi
	[ $bad = 0 ] && return 0
	NDIFF=$((NDIFF + 1))
	label="$*"
	echo "DIFFERS: pmuprof ${label//"$REC"\//}"
	cmp -s "$CMP/old.out" "$CMP/new.out" || show stdout "$CMP/old.out" "$CMP/new.out"
	cmp -s "$CMP/old.err" "$CMP/new.err" || show stderr "$CMP/old.err" "$CMP/new.err"
	cmp -s "$CMP/old.rc" "$CMP/new.rc" ||
		echo "  exit status differs: old $(cat "$CMP/old.rc"), new $(cat "$CMP/new.rc")"
	if [ -n "$file" ]; then
		cmp -s "$CMP/old.has" "$CMP/new.has" ||
			echo "  ${file#"$CWD"/}: old $(cat "$CMP/old.has"), new $(cat "$CMP/new.has")"
		if [ -e "$CMP/old.file" ] && [ -e "$CMP/new.file" ] &&
			! cmp -s "$CMP/old.file" "$CMP/new.file"; then
			show "written ${file#"$CWD"/}" "$CMP/old.file" "$CMP/new.file"
		fi
	fi
	return 1
}

# the thread ids of a recording's samples, most samples first (from OLD's script)
tids() {
	"$OLD" script -i "$1" 2>/dev/null | awk '/^[^\t ]/ { n[$2]++ }
		END { for (t in n) print n[t], t }' | sort -k1,1nr -k2,2n | awk '{ print $2 }'
}

echo "comparing $OLD"
echo "     with $NEW ..."

# per recording: name comm dso symbol-glob annotate-symbol
RECS='
split split split split_* split_d
unwind unwind libuw.so uw_* uw_lib_inner
burn burn burn burn* burn
hot hot hot hot_* hot_divide
old change-old change-old change_* change_a
new change-new change-new change_* change_c
vdso vdso [vdso] *clock* __vdso_clock_gettime
fp unwind libuw.so uw_* uw_lib_inner
nocg split split split_* split_c
ctimer spin spin spin_* spin_worker0
trunc unwind libuw.so uw_* recurse_leaf
damaged burn burn burn* burn
'

while read -r name comm dso glob sym; do
	[ -n "$name" ] || continue
	f=$REC/$name.data
	tid1=$(tids "$f" | head -n 1)
	tid2=$(tids "$f" | sed -n 2p)
	tid1=${tid1:-1}
	tidl=$tid1${tid2:+,$tid2}

	# report: views
	c report -i "$f"
	c report "$f" --stdio
	c report -i "$f" --header
	c report -i "$f" --children
	c report -i "$f" --no-children
	c report -i "$f" -g caller
	c report -i "$f" -g callee
	c report -i "$f" -g none
	c report -i "$f" --no-children -g caller
	c report -i "$f" --no-children -g none
	c report -i "$f" --sort sym
	c report -i "$f" --sort dso
	c report -i "$f" --sort comm
	c report -i "$f" --sort tid -g none
	c report -i "$f" --sort tid,sym
	c report -i "$f" --sort dso,sym --no-children
	c report -i "$f" --sort comm,tid,dso,sym
	c report -i "$f" --sort sym,dso,tid,comm -g none
	c report -i "$f" --sort comm,dso -g none --no-children
	c report -i "$f" --percent-limit 0
	c report -i "$f" --percent-limit 5
	c report -i "$f" --percent-limit 0 --no-children -g callee
	c report -i "$f" --srcline
	c report -i "$f" --inline
	c report -i "$f" --srcline --inline --no-children
	c report -i "$f" --no-demangle
	# report: filters
	c report -i "$f" --comm "$comm"
	c report -i "$f" --comm no-such-command
	c report -i "$f" --tid "$tid1"
	c report -i "$f" --tid "$tidl" --sort tid,sym -g none
	c report -i "$f" --dso "$dso"
	c report -i "$f" --dso libc.so.6,'[kernel.kallsyms]' -g none
	c report -i "$f" --symbol "$glob"
	c report -i "$f" --symbol "$sym",'*main*' --no-children
	c report -i "$f" --time 0,0.5
	c report -i "$f" --time ,0.2 -g none
	c report -i "$f" --time 0.3, -g none
	c report -i "$f" --comm "$comm" --tid "$tidl" --dso "$dso" --symbol "$glob" --time 0,0.5
	# report: exports
	for fmt in text folded speedscope json svg pprof; do
		c report -i "$f" --format "$fmt"
	done
	c report -i "$f" --format folded --inline --srcline
	c report -i "$f" --format json --symbol "$glob" --time 0,0.5
	c report -i "$f" --format svg --no-demangle --comm "$comm"
	c -f out.txt report -i "$f" -o out.txt
	c -f out.folded report -i "$f" --format folded -o out.folded
	c -f "$CWD/out.speedscope.json" report -i "$f" --format speedscope -o "$CWD/out.speedscope.json"
	c -f out.json report -i "$f" --format=json --output=out.json
	c -f out.svg report -i "$f" --format svg -o out.svg
	c -f out.pb.gz report -i "$f" --format pprof -o out.pb.gz
	c -f out.pb.gz report -i "$f" --format pprof --srcline --inline --tid "$tid1" -o out.pb.gz

	# script
	c script -i "$f"
	c script "$f" --comm "$comm"
	c script -i "$f" --tid "$tid1"
	c script -i "$f" --time 0,0.5
	c script -i "$f" --time ,0.1
	c script -i "$f" --inline
	c script -i "$f" --no-demangle
	c script -i "$f" --comm "$comm" --tid "$tidl" --time 0.1,0.5 --inline

	# annotate
	c annotate -i "$f"
	c annotate -i "$f" --top 1
	c annotate -i "$f" --top 5
	c annotate -i "$f" "$sym"
	c annotate -i "$f" "$glob"
	c annotate -i "$f" --source "$sym"
	c annotate -i "$f" -M intel
	c annotate -i "$f" --color always
	c annotate -i "$f" --color never --top 2
	c annotate -i "$f" --dso "$dso"
	c annotate -i "$f" --dso libc.so.6 --top 1
	c annotate -i "$f" --top 1 --source -M intel --color always --dso "$dso"
done <<EOF
$RECS
EOF

# ---- report: spellings, the default file, errors ---------------------------
s=$REC/split.data
c report
c report -i pmuprof.data -g none
c report --input="$s" -g none
c report --input "$s" --no-child --call=callee
c report -g none -- "$s"
c report -g none "$s" -i "$REC/burn.data"
c report --sort=sym,dso --percent-limit=1 -i "$s"
c report --symbol 'split_[ab]' -g none -i "$s"
c report --time 0.1,0.1 -i "$s"
c report --tid 999999999 -i "$s"
c report --dso /no/such/object -i "$s"
c report --comm split --comm burn -g none -i "$s"
c report -i "$REC/damaged.data" --header
c report -i "$REC/trunc.data" --header
for f in missing empty dir text; do
	c report -i "$REC/$f.data"
	c report -i "$REC/$f.data" --format json
done
c report -h
c report --help
c report -g up -i "$s"
c report -g -i "$s"
c report --format html -i "$s"
c report --percent-limit 200 -i "$s"
c report --percent-limit abc -i "$s"
c report --time 3,1 -i "$s"
c report --time 5 -i "$s"
c report --tid abc -i "$s"
c report --sort pid -i "$s"
c report --sort comm,tid,dso,sym,sym -i "$s"
c report --sort sym --children -g caller -i "$s" --bogus
c report -x -i "$s"
c report "$s" "$REC/burn.data"
c report --format svg -o /no/such/dir/out.svg -i "$s"
c report --format folded -o "$REC/dir.data" -i "$s"

# ---- script: the default file, errors ---------------------------------------
c script
c script -i pmuprof.data --tid 999999999
for f in missing empty dir text; do
	c script -i "$REC/$f.data"
done
c script -h
c script --tid abc -i "$s"
c script --time 2,1 -i "$s"
c script --format folded -i "$s"
c script "$s" "$REC/burn.data"

# ---- annotate: misses, errors -----------------------------------------------
c annotate
c annotate -i "$s" no_such_function
c annotate -i "$s" 'nothing_*'
c annotate -i "$s" main
c annotate -i "$s" --dso no-such.so
c annotate -i "$s" --top 0
for f in missing empty dir text; do
	c annotate -i "$REC/$f.data"
done
c annotate -h
c annotate -i "$s" --top abc
c annotate -i "$s" -M arm
c annotate -i "$s" --color sometimes
c annotate -i "$s" --bogus
c annotate -i "$s" split_a split_b

# ---- diff ------------------------------------------------------------------
o=$REC/old.data
n=$REC/new.data
c diff
c diff "$o" "$n"
c diff "$n" "$o"
c diff "$o" "$n" --all
c diff "$o" "$n" --limit 0
c diff "$o" "$n" --limit 3 --all
c diff "$o" "$n" --min-change 2
c diff "$o" "$n" --min-change 0.5 --all --limit 0
c diff "$o" "$n" --no-demangle
c diff "$o" "$n" --format text
c diff "$o" "$n" --format folded
c diff "$n" "$o" --format folded
c diff "$o" "$n" --format svg
c diff "$n" "$o" --format=svg --all
c -f diff.txt diff "$o" "$n" -o diff.txt
c -f diff.folded diff --format folded --output=diff.folded "$o" "$n"
c -f diff.svg diff --format svg -o diff.svg "$o" "$n"
c diff -- "$o" "$n"
c diff "$o" "$o"
c diff "$REC/split.data" "$REC/burn.data"
c diff "$REC/burn.data" "$REC/split.data" --all --limit 0
c diff "$REC/split.data" "$REC/nocg.data"
c diff "$REC/unwind.data" "$REC/fp.data"
c diff "$REC/burn.data" "$REC/ctimer.data"
c diff "$REC/unwind.data" "$REC/trunc.data"
c diff "$REC/damaged.data" "$REC/burn.data" --format folded
c diff "$REC/hot.data" "$REC/vdso.data" --format svg
for f in missing empty dir text; do
	c diff "$o" "$REC/$f.data"
	c diff "$REC/$f.data" "$n"
done
c diff -h
c diff "$o"
c diff "$o" "$n" "$s"
c diff --format html "$o" "$n"
c diff --limit -1 "$o" "$n"
c diff --limit abc "$o" "$n"
c diff --min-change abc "$o" "$n"
c diff --bogus "$o" "$n"
c diff -o /no/such/dir/diff.txt "$o" "$n"

echo "$NCMP compared, $NDIFF differ"
[ "$NDIFF" = 0 ]
