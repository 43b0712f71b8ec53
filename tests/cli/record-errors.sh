# SPDX-License-Identifier: GPL-2.0-or-later
# Bad input to pmuprof record and report: the exact message and exit status.
. "$srcdir/tests/lib.sh"

cd "$T_TMP" || exit 1
expect_error "unknown event" 2 \
	"pmuprof: unknown event 'cycls'; did you mean 'cycles'? ('pmuprof list' shows the events of this machine)" \
	record -e cycls -- true
expect_error "two events" 2 \
	"pmuprof: record samples one event, not 2 ('cycles,instructions'); 'pmuprof stat' counts several" \
	record -e cycles,instructions -- true
max=$(cat /proc/sys/kernel/perf_event_max_sample_rate)
over=$((max + 1))
expect_error "-F above the kernel's maximum" 2 \
	"pmuprof: -F $over is above kernel.perf_event_max_sample_rate ($max): use -F $max or less, or raise the limit as root with sysctl -w kernel.perf_event_max_sample_rate=$over" \
	record -F $over -- true
expect_error "-F and -c" 2 "pmuprof: -F and -c cannot be combined: sample by frequency or by period" \
	record -F 100 -c 1000 -- true
expect_error "bad --call-graph" 2 "pmuprof: --call-graph takes dwarf[,SIZE], fp or none, not 'lbr'" \
	record --call-graph lbr -- true
expect_error "bad stack size" 2 \
	"pmuprof: --call-graph dwarf,SIZE needs SIZE a multiple of 8 from 8 to 65528 bytes, not '100000'" \
	record --call-graph dwarf,100000 -- true
expect_error "bad -m" 2 "pmuprof: option '-m' needs a power of two of pages, not '3'" \
	record -m 3 -- true
expect_error "--off-cpu with a timer sampler" 2 \
	"pmuprof: --off-cpu records context switches beside the pmu sampler's samples; it cannot be combined with --sampler itimer" \
	record --off-cpu --sampler itimer -- true
expect_error "--off-cpu-min-stack alone" 2 \
	"pmuprof: --off-cpu-min-stack bounds what --off-cpu keeps: give --off-cpu too" \
	record --off-cpu-min-stack 1ms -- true
expect_error "--off-cpu-min-stack without a unit" 2 \
	"pmuprof: option '--off-cpu-min-stack' needs a time with its unit (ns, us, ms or s), such as 500us or 2ms, not '5'" \
	record --off-cpu --off-cpu-min-stack 5 -- true
expect_error "nothing to sample" 2 \
	"pmuprof: nothing to sample: give a command to run, or -p PID, -t TID or -a (see 'pmuprof record --help')" \
	record
pid=$(unused_pid)
expect_error "nonexistent PID" 1 "pmuprof: no process with PID $pid (has it exited?)" record -p "$pid"
ok "nonexistent PID: no file left behind" [ ! -e pmuprof.data ]
sh -c 'exit 0' &
gone=$!
wait $gone
expect_error "already-exited PID" 1 "pmuprof: no process with PID $gone (has it exited?)" record -p "$gone"
expect_error "unwritable output" 1 \
	"pmuprof: cannot create '$T_TMP/no/dir/x.data': No such file or directory" \
	record -o "$T_TMP/no/dir/x.data" -- true
expect_error "command not found" 127 "pmuprof: cannot run 'no-such-command-pmuprof': command not found" \
	record -q -e cpu-clock -o nf.data -- no-such-command-pmuprof
if [ ! -e /sys/bus/event_source/devices/cpu ]; then
	"$PMUPROF" record -q -o keep.data -- true 2>/dev/null
	expect_error "--no-fallback without a PMU" 1 \
		"pmuprof: cannot sample 'cycles': no such event on this machine (no hardware PMU here? 'pmuprof list' shows what can be counted)" \
		record --no-fallback -o keep.data -- true
	ok "a failed record keeps the previous file in place" [ -s keep.data ]
	echo older >keep.data.old
	run_pmuprof record --no-fallback -o keep.data -- true
	is "a failed record keeps the older .old too" "$(cat keep.data.old)" "older"
	ok "and leaves no backup behind" [ -z "$(ls | grep 'keep.data.old.pmuprof')" ]
fi
mkdir adir
expect_error "-o a directory" 1 \
	"pmuprof: cannot create 'adir': it exists and is a directory; give -o a file name" \
	record -q -o adir -- true
ok "-o a directory: not renamed" [ -d adir ] && [ ! -e adir.old ]
mkfifo afifo
expect_error "-o not a regular file" 1 \
	"pmuprof: cannot create 'afifo': it exists and is not a regular file; give -o a file name" \
	record -q -o afifo -- true

# report on files that are not recordings
expect_error "report: missing file" 1 \
	"pmuprof: cannot open 'missing.data': No such file or directory (record one with 'pmuprof record')" \
	report -i missing.data
: >empty.data
expect_error "report: empty file" 1 "pmuprof: cannot read 'empty.data': the file is empty" \
	report -i empty.data
echo "just some text, long enough to look like it could have had a header in it" >foreign.data
expect_error "report: foreign file" 1 \
	"pmuprof: cannot read 'foreign.data': it is not a pmuprof data file (no pmuprof header)" \
	report -i foreign.data
printf 'PMUPROF\0\001\0\0\0\100\0\0\0' >cut.data
head -c 64 /dev/zero >>cut.data
expect_error "report: file cut before its metadata" 1 \
	"pmuprof: cannot read 'cut.data': the file ends before its metadata (the recording was cut off)" \
	report -i cut.data
printf 'PMUPROF\0\001\0' >short.data
expect_error "report: file cut inside its header" 1 \
	"pmuprof: cannot read 'short.data': the file ends inside its header (the recording was cut off)" \
	report -i short.data
expect_error "report: unknown --sort key" 2 \
	"pmuprof: --sort takes keys from comm, pid, tid, dso, sym (or symbol) and srcline, not 'cpu'" \
	report --sort cpu
done_testing
