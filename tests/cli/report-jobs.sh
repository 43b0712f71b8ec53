# SPDX-License-Identifier: GPL-2.0-or-later
# report -j N: the samples read on N threads give every output, byte for byte,
# that one thread gives (text in both modes, --sort and -g variants, folded,
# json, pprof, speedscope, svg; annotate, diff and timeline too), on a recording
# of several threads spread over many frames; and -j's usage errors.
. "$srcdir/tests/lib.sh"

# ---- usage errors, before anything is read ----
for bad in 0 x -1 1025 ""; do
	run_pmuprof report -j "$bad" -i /nonexistent.data
	is "-j '$bad': usage error" "$RC" 2
	like "-j '$bad': says what -j takes" "$(cat "$ERR")" \
		"pmuprof: -j/--jobs takes a number of threads from 1 to 1024, not '$bad'"
done
run_pmuprof report --jobs=0 -i /nonexistent.data
is "--jobs=0: usage error" "$RC" 2
for cmd in annotate diff timeline; do
	run_pmuprof $cmd -j 0
	is "$cmd -j 0: usage error" "$RC" 2
	like "$cmd -j 0: says what -j takes" "$(cat "$ERR")" "takes a number of threads from 1 to 1024"
done

run_pmuprof record -q -o "$T_TMP/probe.data" -- true
[ "$RC" -eq 0 ] || skip_all "perf_event_open sampling is not usable here: $(cat "$ERR")"
command -v python3 >/dev/null || skip_all "python3 is needed to count the file's frames"
cd "$T_TMP" || exit 1

# unwind all: recursion, a shared library, three threads and a signal handler,
# at 2 kHz for some 9 s: a frame of coded stacks closes once it spans a second,
# so about ten frames for the threads to share
run_pmuprof record -q -e cpu-clock -F 2000 -o x.data -- "$WORKLOADS/unwind" all 2500
is "record: exit status" "$RC" 0

cat >frames.py <<'EOF'
import struct, sys
d = open(sys.argv[1], 'rb').read()
off = struct.unpack_from('<I', d, 12)[0]
n = 0
while off + 32 <= len(d):
    magic, typ, csize = struct.unpack_from('<III', d, off)
    if magic != 0x52464d50:
        break
    n += typ == 2
    off += 32 + csize
print(n)
EOF
frames=$(python3 frames.py x.data)
ok "the recording has many frames of records ($frames)" [ "${frames:-0}" -ge 8 ]
"$PMUPROF" report -i x.data --sort tid -g none --percent-limit 0 |
	awk 'NF == 4 && $1 ~ /%$/ { print $4 }' >tids
ok "the samples are of several threads ($(wc -l <tids))" [ "$(wc -l <tids)" -ge 3 ]
tid=$(sed -n 2p tids)

# same DESC ARGS...: report ARGS with -j 1, -j 2 and -j 3 (more threads than
# this machine may have CPUs) give the same bytes, and succeed
same() {
	what=$1
	shift
	run_pmuprof "$@" -j 1
	is "$what -j 1: exit status" "$RC" 0
	cp "$OUT" one.out
	ok "$what -j 1: prints something" [ -s one.out ]
	for j in 2 3; do
		run_pmuprof "$@" -j $j
		is "$what -j $j: exit status" "$RC" 0
		if cmp -s one.out "$OUT"; then
			pass "$what -j $j: the same output as -j 1"
		else
			fail "$what -j $j: the same output as -j 1" "$(diff one.out "$OUT" | head -20)"
		fi
	done
}

same "report" report -i x.data
same "report --no-children" report -i x.data --no-children
same "report --sort pid,tid,sym" report -i x.data --sort pid,tid,sym --percent-limit 0
same "report --sort dso" report -i x.data --sort dso -n
same "report -g caller" report -i x.data --no-children -g caller,0
same "report -g none --percent-limit 0" report -i x.data -g none --percent-limit 0
same "report --format folded" report -i x.data --format folded
same "report --format json" report -i x.data --format json
same "report --format pprof" report -i x.data --format pprof
same "report --format speedscope" report -i x.data --format speedscope
same "report --format svg" report -i x.data --format svg
same "report --tid" report -i x.data --tid "$tid" --format folded
same "report --time" report -i x.data --time 0.5, --format folded
same "annotate" annotate -i x.data --color never
same "timeline" timeline -i x.data --width 100
cp x.data y.data
same "diff" diff x.data y.data

# damage FILE OUT head|data N: a copy of FILE with the header, or the
# compressed bytes, of its Nth frame of records spoilt
cat >damage.py <<'EOF'
import struct, sys
d = bytearray(open(sys.argv[1], 'rb').read())
off = struct.unpack_from('<I', d, 12)[0]
n = 0
while off + 32 <= len(d):
    magic, typ, csize = struct.unpack_from('<III', d, off)
    n += typ == 2
    if typ == 2 and n == int(sys.argv[4]):
        if sys.argv[3] == 'head':
            d[off] ^= 0xff
        else:
            for i in range(off + 32 + csize // 3, off + 32 + csize // 3 + 64):
                d[i] ^= 0x5a
        break
    off += 32 + csize
open(sys.argv[2], 'wb').write(d)
EOF
python3 damage.py x.data head.data head 5
python3 damage.py x.data body.data data 5
head -c $(($(stat -c %s x.data) * 2 / 3)) x.data >cut.data

# both DESC ARGS...: as same, with standard error and the exit status; the
# damage is said (a frame that does not decode is read again in file order)
both() {
	what=$1
	shift
	run_pmuprof "$@" -j 1
	rc1=$RC
	cat "$OUT" "$ERR" >one.out
	like "$what -j 1: a warning" "$(cat "$ERR")" "warning: "
	for j in 2 3; do
		run_pmuprof "$@" -j $j
		is "$what -j $j: exit status as -j 1" "$RC" "$rc1"
		if cat "$OUT" "$ERR" | cmp -s one.out -; then
			pass "$what -j $j: the same output and warning as -j 1"
		else
			fail "$what -j $j: the same output and warning as -j 1" \
				"$(cat "$OUT" "$ERR" | diff one.out - | head -20)"
		fi
	done
}

both "a damaged frame header" report -i head.data --format folded
both "a frame that does not decode" report -i body.data --format folded
both "a frame that does not decode, text" report -i body.data
both "a file cut short" report -i cut.data --format folded

done_testing
