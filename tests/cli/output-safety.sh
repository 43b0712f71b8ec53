#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# What pmuprof writes cannot be turned against its user: an output that is
# one of the inputs is refused; in a sticky directory that others may
# write, another user's symbolic link (also one on the way) or file is
# neither followed nor written, for report, diff, stat, compare and record;
# compare -o accepts only the user's own private directory; an output is
# no more readable than its recording. A recording or an object that is a
# FIFO does not hang report.
. "$srcdir/tests/lib.sh"

[ "$(id -u)" -eq 0 ] || skip_all "needs root to plant files as another user"
need_as_nobody
command -v timeout >/dev/null || skip_all "timeout is not installed"

cd "$T_TMP" || exit 1
chmod 755 "$T_TMP"
umask 022
cp "$WORKLOADS/hot" ./hot
run_pmuprof record -q -e cpu-clock -F 1000 -o r.data -- ./hot 200
is "record: exit status" "$RC" 0
cp r.data r2.data

# 1. the output is an input: by its name, a link, another path, a hard link
cp r.data in.data
sum=$(cksum <in.data)
expect_error "report -o its input" 2 \
	"pmuprof: cannot write 'in.data': it is the input 'in.data' (the same file); name another output" \
	report -i in.data -o in.data
ln -s in.data alias
mkdir sub
ln in.data hard
for o in alias sub/../in.data "$T_TMP/in.data"; do
	run_pmuprof report -i in.data -o "$o"
	is "report -o $o (its input): exit status" "$RC" 2
done
run_pmuprof report -i hard --format folded -o in.data
is "an export onto a hard link of its input: exit status" "$RC" 2
like "an export onto a hard link of its input: message" "$(cat "$ERR")" \
	"cannot write 'in.data': it is the input 'hard'"
run_pmuprof diff r.data in.data -o alias
is "diff -o an input: exit status" "$RC" 2
is "the recording is intact" "$(cksum <in.data)" "$sum"

# 2. another user's link in a sticky directory, at the end or on the way
mkdir sticky victimdir
chmod 1777 sticky
printf 'secret\n' >victim
chmod 600 victim
as_nobody ln -s "$T_TMP/victim" sticky/out
as_nobody ln -s "$T_TMP/victimdir" sticky/dir
as_nobody sh -c 'echo theirs >sticky/theirs; chmod 666 sticky/theirs'
msg="it is another user's symbolic link or file in a sticky directory that others may write"
for o in sticky/out sticky/dir/out sticky/theirs; do
	run_pmuprof report -i r.data -o "$o"
	is "report -o $o: exit status" "$RC" 1
	like "report -o $o: message" "$(cat "$ERR")" "cannot write '$o': $msg"
	run_pmuprof diff r.data r2.data -o "$o"
	is "diff -o $o: exit status" "$RC" 1
	run_pmuprof stat -e task-clock -o "$o" true
	is "stat -o $o: exit status" "$RC" 1
	like "stat -o $o: message" "$(cat "$ERR")" "cannot write '$o': $msg"
done
run_pmuprof record -q -e cpu-clock -o sticky/dir/x.data -- ./hot 10
unlike "record -o through another user's link: refused" "$RC" "^0$"
as_nobody sh -c 'echo theirs >sticky/theirs.data'
run_pmuprof record -q -e cpu-clock -o sticky/theirs.data -- ./hot 10
unlike "record -o another user's file: refused" "$RC" "^0$"
is "another user's file is left alone" "$(cat sticky/theirs.data)" "theirs"
is "the victim is intact" "$(cat victim)" "secret"
is "nothing was created through the link" "$(ls victimdir)" ""
is "another user's file is intact" "$(cat sticky/theirs)" "theirs"
# the user's own link and file there are fine
ln -s "$T_TMP/mine.txt" sticky/mine
run_pmuprof report -i r.data -o sticky/mine
is "report -o the user's own link: exit status" "$RC" 0
like "report -o the user's own link: written through it" "$(head -1 mine.txt)" "^# pmuprof report"
run_pmuprof report -i r.data -o /dev/stdout
like "report -o /dev/stdout still works" "$(head -1 "$OUT")" "^# pmuprof report"

# compare -o: another user's directory, or one that others may write
as_nobody mkdir sticky/cmpdir
run_pmuprof compare -o sticky/cmpdir -- ./hot 10
is "compare -o another user's directory: exit status" "$RC" 1
like "compare -o another user's directory: message" "$(cat "$ERR")" \
	"cannot use 'sticky/cmpdir': it belongs to another user or others may write in it"
mkdir open
chmod 777 open
run_pmuprof compare -o open -- ./hot 10
is "compare -o a directory that others may write: exit status" "$RC" 1
run_pmuprof compare -o sticky/dir -- ./hot 10
is "compare -o through another user's link: exit status" "$RC" 1
is "nothing was created through the link (compare)" "$(ls victimdir)" ""

# 5. the output of a private recording is private
chmod 600 r.data
run_pmuprof report -i r.data -o private.txt
is "report of a 0600 recording: exit status" "$RC" 0
is "report of a 0600 recording is 0600" "$(stat -c %a private.txt)" 600
run_pmuprof report -i r.data --format json -o private.json
is "export of a 0600 recording is 0600" "$(stat -c %a private.json)" 600
: >was-public.txt
chmod 644 was-public.txt
run_pmuprof report -i r.data -o was-public.txt
is "a file that was there is made 0600 too" "$(stat -c %a was-public.txt)" 600
chmod 644 r2.data
run_pmuprof report -i r2.data -o public.txt
is "report of a 0644 recording: the umask's mode" "$(stat -c %a public.txt)" 644
run_pmuprof diff r.data r2.data -o diff.txt
is "diff with a 0600 recording is 0600" "$(stat -c %a diff.txt)" 600

# 4. a FIFO as the recording, a FIFO where an object was
mkfifo fifo.data
run timeout 10 "$PMUPROF" report -i fifo.data
is "report -i a FIFO: exit status" "$RC" 1
is "report -i a FIFO: message" "$(cat "$ERR")" \
	"pmuprof: cannot read 'fifo.data': it is not a regular file"
rm hot
mkfifo hot
# a writer waits until the FIFO is opened for reading: it must still be waiting
sh -c 'echo x >hot' 2>/dev/null &
writer=$!
run timeout 10 "$PMUPROF" report -i r2.data
is "an object that became a FIFO: report finishes" "$RC" 0
like "an object that became a FIFO: the warning says what it is" "$(cat "$ERR")" \
	"^pmuprof: warning: cannot read symbols of '.*/hot': not a regular file$"
ok "an object that became a FIFO: it is not opened" kill -0 "$writer"
kill "$writer" 2>/dev/null
: <>hot
wait "$writer" 2>/dev/null
run timeout 10 "$PMUPROF" annotate -i r2.data hot_divide
unlike "an object that became a FIFO: annotate finishes" "$RC" "^124$"

done_testing
