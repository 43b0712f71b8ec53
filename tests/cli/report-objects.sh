#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Warnings about the objects of a recording are for what the user can act
# on. Memory no file holds (a memfd, anonymous JIT code, [heap], shared
# anonymous memory) is named by address without a warning, in a real
# recording of tests/workload/memfd-jit and in synthetic ones (gen-procs);
# objects deleted while mapped or since are summed up in one warning
# however many there are; other failures keep one warning each.
. "$srcdir/tests/lib.sh"

gen="$WORKLOADS/../../contrib/bench/gen-procs"
cd "$T_TMP" || exit 1

# synthetic: every kind of name that no file on disk has
"$gen" objects mem.data "/memfd:jit (deleted)" "/memfd:plain" "[anon:v8 code]" "//anon" \
	"/dev/zero (deleted)" "[heap]" "/SYSV0000abcd (deleted)" "/anon_hugepage (deleted)" \
	"/[aio] (deleted)"
is "gen-procs objects: exit status" "$?" 0
for cmd in "report" "report --format folded" "script"; do
	# shellcheck disable=SC2086 # the command and its options
	run "$PMUPROF" $cmd -i mem.data
	is "memory objects: $cmd: exit status" "$RC" 0
	is "memory objects: $cmd: no warning" "$(cat "$ERR")" ""
done
# annotate has no code to show, and says why, without a warning
run_pmuprof annotate --color never -i mem.data --dso 'memfd:jit (deleted)' --top 1
is "memory objects: annotate: exit status" "$RC" 1
is "memory objects: annotate: says why" "$(cat "$ERR")" \
	"pmuprof: cannot annotate 'memfd:jit (deleted)+0x1040': it ran from memory that no file holds ('/memfd:jit (deleted)'), and the recording keeps no copy of it"

run_pmuprof report -i mem.data --no-children --sort dso --percent-limit 0
like "memory objects: the memfd is named" "$(cat "$OUT")" "memfd:jit \(deleted\)"
like "memory objects: anonymous code is named" "$(cat "$OUT")" "\[anon\]"

# deleted and missing objects: one warning, five of them named
"$gen" objects gone.data "$T_TMP/lib1.so (deleted)" "$T_TMP/lib2.so (deleted)" \
	"$T_TMP/gone3" "$T_TMP/gone4" "$T_TMP/gone5" "$T_TMP/gone6" "$T_TMP/gone7" \
	"/memfd:jit (deleted)"
run_pmuprof report -i gone.data
is "deleted objects: exit status" "$RC" 0
is "deleted objects: one warning" "$(grep -c warning "$ERR")" 1
is "deleted objects: its words" "$(cat "$ERR")" \
	"pmuprof: warning: 7 objects are not on disk (deleted or replaced since they were mapped), so their code is named by address: '$T_TMP/lib1.so', '$T_TMP/lib2.so', '$T_TMP/gone3', '$T_TMP/gone4', '$T_TMP/gone5' and 2 more"
"$gen" objects one.data "$T_TMP/lib1.so (deleted)"
run_pmuprof report -i one.data
is "one deleted object: its warning" "$(cat "$ERR")" \
	"pmuprof: warning: 1 object is not on disk (deleted or replaced since it was mapped), so its code is named by address: '$T_TMP/lib1.so'"
# a file that is there but not an object still has a line of its own
printf 'not an object\n' >notelf
"$gen" objects bad.data "$T_TMP/notelf" "$T_TMP/gone3"
run_pmuprof report -i bad.data
is "an unreadable object and a missing one: two warnings" "$(grep -c warning "$ERR")" 2
like "an unreadable object: its own warning" "$(cat "$ERR")" \
	"^pmuprof: warning: cannot read symbols of '$T_TMP/notelf': not a valid ELF file$"

# real: code run from a memfd and from anonymous memory
run_pmuprof record -q -o probe.data -- true
if [ "$RC" -ne 0 ]; then
	diag "perf_event_open sampling is not usable here: the recording of memfd-jit is not checked"
	done_testing
	exit 0
fi
run_pmuprof record -q -e cpu-clock -F 1000 -o jit.data -- "$WORKLOADS/memfd-jit" 400
is "memfd-jit: record: exit status" "$RC" 0
run_pmuprof report -i jit.data --no-children --sort dso
is "memfd-jit: report: exit status" "$RC" 0
is "memfd-jit: report: no warning" "$(cat "$ERR")" ""
like "memfd-jit: the memfd's code has samples" "$(cat "$OUT")" \
	"[0-9.]+%.*memfd:pmuprof-jit \(deleted\)"
like "memfd-jit: the anonymous code has samples" "$(cat "$OUT")" "[0-9.]+%.*\[anon\]"

# real: a program deleted while it runs, and the same build put back (a
# reinstall): the recording of the running process names it "pc (deleted)"
# with the build-id the mapping still reaches; the report reads the file
# now at the path because it is that build, and warns once when it is not
cp "$WORKLOADS/plt" pc
./pc 3000 &
pid=$!
sleep 0.3
rm pc && cp "$WORKLOADS/plt" pc
run_pmuprof record -q -e cpu-clock -F 1000 -p "$pid" --duration 0.5 -o re.data
is "reinstalled program: record -p: exit status" "$RC" 0
kill "$pid" 2>/dev/null
wait "$pid" 2>/dev/null
run_pmuprof report -i re.data --no-children --sort dso,sym
is "reinstalled program: no warning" "$(cat "$ERR")" ""
like "reinstalled program: its functions are named" "$(cat "$OUT")" "pc \(deleted\) +\[\.\] plt_calls"
cp "$WORKLOADS/plt-nopie" pc
run_pmuprof report -i re.data --no-children --sort dso,sym
is "replaced by another build: one warning" "$(cat "$ERR")" \
	"pmuprof: warning: 1 object is not on disk (deleted or replaced since it was mapped), so its code is named by address: '$T_TMP/pc'"
like "replaced by another build: named by address" "$(cat "$OUT")" "pc \(deleted\)\+0x[0-9a-f]+"
done_testing
