# SPDX-License-Identifier: GPL-2.0-or-later
# pmuprof record and the flat pmuprof report on workloads with a known profile.
. "$srcdir/tests/lib.sh"

run_pmuprof record -q -o "$T_TMP/probe.data" -- true
[ "$RC" -eq 0 ] || skip_all "perf_event_open sampling is not usable here: $(cat "$ERR")"
cd "$T_TMP" || exit 1

# burn 2 300: 600 ms of CPU in the function burn(), in two threads
run_pmuprof record -- "$WORKLOADS/burn" 2 300
is "record: exit status" "$RC" 0
ok "record: pmuprof.data created" [ -s pmuprof.data ]
is "record: mode 0600 (stacks can hold secrets)" "$(stat -c %a pmuprof.data)" 600
like "record: summary line" "$(cat "$ERR")" '^\[ pmuprof record: [0-9]+ samples of [a-z-]+; 1000 Hz requested, [0-9]+ Hz delivered per CPU second; 0 lost, 0 throttled; .* bytes per sample\) \]$'
if [ ! -e /sys/bus/event_source/devices/cpu ]; then
	like "no PMU: the fallback is said in one line" "$(cat "$ERR")" \
		"^pmuprof: warning: cycles cannot be sampled here \(the kernel has no such event: no hardware PMU, as in most virtual machines\); cpu-clock sampled instead \(--no-fallback makes this an error\)$"
fi
samples=$(sed -n 's/^\[ pmuprof record: \([0-9]*\) samples.*/\1/p' "$ERR")
ok "about 600 samples for 600 ms of CPU at 1000 Hz ($samples)" [ "${samples:-0}" -ge 480 ] && [ "${samples:-0}" -le 720 ]

run_pmuprof report
is "report: exit status" "$RC" 0
out=$(cat "$OUT")
like "report: header names the event" "$out" '^# event: (cycles|cpu-clock)'
like "report: requested and delivered rate" "$out" '^# samples: [0-9]+, 1000 Hz requested, [0-9]+ Hz delivered per CPU second'
like "report: losses and throttling" "$out" '^# lost: 0 \(ring full 0, kernel 0, writer 0\); throttled: 0 times$'
if [ ! -e /sys/bus/event_source/devices/cpu ]; then
	like "report: shows the fallback" "$out" '^# event: cpu-clock \(fallback: cycles cannot be sampled here'
fi
top=$(grep -v '^#' "$OUT" | head -1)
like "report: burn() of the PIE workload is the top symbol (children, self)" "$top" '^ +(9[0-9]|100)\.[0-9]+% +(9[0-9]|100)\.[0-9]+% +[0-9]+ +burn +burn +\[\.\] burn$'
run_pmuprof report --no-children
top=$(grep -v '^#' "$OUT" | head -1)
like "report --no-children: burn() is the top symbol" "$top" '^ +(9[0-9]|100)\.[0-9]+% +[0-9]+ +burn +burn +\[\.\] burn$'

run_pmuprof report pmuprof.data --sort sym --no-children
like "options after the file name" "$(grep -v '^#' "$OUT" | head -1)" '^ +[0-9.]+% +[0-9]+ +\[\.\] burn$'
run_pmuprof report --sort dso --no-children
like "--sort dso" "$(grep -v '^#' "$OUT" | head -1)" '^ +[0-9.]+% +[0-9]+ +burn$'
run_pmuprof report --sort tid,sym
is "--sort tid,sym: one line per thread for burn()" "$(grep -c '\[\.\] burn$' "$OUT")" 2

run_pmuprof report --header
like "--header: metadata" "$(cat "$OUT")" '^event-requested +cycles$'
like "--header: statistics" "$(cat "$OUT")" '^samples +[0-9]+$'
like "--header: complete" "$(cat "$OUT")" '^complete +yes$'

# non-PIE executables resolve too
run_pmuprof record -q -o nopie.data -- "$WORKLOADS/burn-nopie" 1 200
run_pmuprof report --no-children -i nopie.data
like "non-PIE: burn() is the top symbol" "$(grep -v '^#' "$OUT" | head -1)" '\[\.\] burn$'

# the vDSO: named from the image stored in the file
run_pmuprof record -q -e cpu-clock -o vdso.data -- "$WORKLOADS/vdso" 300
run_pmuprof report --no-children -i vdso.data --sort dso,sym
like "vDSO: its function is named from the stored image" "$(cat "$OUT")" '\[vdso\] +\[\.\] (__vdso_)?clock_gettime'

# an object rebuilt since the recording: its build-id differs, report warns
cp "$WORKLOADS/burn" mybin
run_pmuprof record -q -e cpu-clock -o changed.data -- ./mybin 1 100
cp "$WORKLOADS/burn-nopie" mybin
run_pmuprof report --no-children -i changed.data
like "changed object: report warns" "$(cat "$ERR")" \
	"^pmuprof: warning: '$T_TMP/mybin' has changed since the recording \(its build-id differs\): its symbols and stacks may be wrong$"

# the previous file is kept
run_pmuprof record -q -- true
ok "the previous recording is kept as pmuprof.data.old" [ -s pmuprof.data.old ]

# call graph modes
for cg in fp none dwarf,4096; do
	run_pmuprof record -q --call-graph $cg -o cg.data -- "$WORKLOADS/burn" 1 100
	is "--call-graph $cg: exit status" "$RC" 0
	run_pmuprof report --no-children -i cg.data
	like "--call-graph $cg: report" "$(grep -v '^#' "$OUT" | head -1)" '\[\.\] burn$'
done

# -c with a hardware event that falls back: cpu-clock at 1000 Hz, said so
if [ ! -e /sys/bus/event_source/devices/cpu ]; then
	run_pmuprof record -c 100000 -o c.data -- "$WORKLOADS/burn" 1 100
	like "-c and the fallback: sampled at 1000 Hz, and said" "$(cat "$ERR")" \
		'cpu-clock sampled instead at 1000 Hz \(a -c period counts the event asked for, not nanoseconds\)'
fi

# -c PERIOD: one sample every 2 ms of cpu-clock
run_pmuprof record -q -e cpu-clock -c 2000000 -o period.data -- "$WORKLOADS/burn" 1 300
run_pmuprof report --no-children -i period.data
like "-c: the header gives the period" "$(cat "$OUT")" '^# samples: [0-9]+, one per 2000000 events requested'

# the workload's exit status passes through
run_pmuprof record -q -o st.data -- sh -c 'exit 5'
is "exit status passes through" "$RC" 5

# attach to a running process: maps come from /proc
"$WORKLOADS/burn" 1 forever &
bpid=$!
trap 'kill $bpid 2>/dev/null; rm -rf "$T_TMP"' EXIT
sleep 0.2
run_pmuprof record -q -p $bpid --duration 0.5 -o attach.data
is "-p --duration: exit status" "$RC" 0
run_pmuprof report --no-children -i attach.data
like "-p: symbols of a process started before recording" "$(grep -v '^#' "$OUT" | head -1)" '\[\.\] burn$'

# SIGINT ends an attach with a complete file
signal_pmuprof INT record -q -p $bpid -o int.data
is "SIGINT: exit status 0" "$RC" 0
run_pmuprof report --header -i int.data
like "SIGINT: the file is complete" "$(cat "$OUT")" '^complete +yes$'
kill $bpid
wait $bpid 2>/dev/null

# -a: every CPU, with maps of processes that were already running
run_pmuprof record -q -a -o all.data -- "$WORKLOADS/burn" 1 200
is "-a with a command: exit status" "$RC" 0
run_pmuprof report --no-children -i all.data --sort comm,sym
like "-a: the command's hot function is there" "$(cat "$OUT")" ' burn +\[\.\] burn$'
# record takes the names, turns the events on, then scans /proc, so tasks
# started meanwhile are named; a trace of nameless samples remains
# unexplained (0.5 % under a fork storm, 2.4 % once in CI with the whole
# suite running beside it): allow that, not the 7 % of a scan before the
# events are on
noname=$(awk '$3 == "?" { sub("%", "", $1); t += $1 } END { printf "%.2f", t + 0 }' "$OUT")
ok "-a: threads have names (the idle task is swapper); nameless: $noname%" \
	awk -v t="$noname" 'BEGIN { exit !(t < 5) }'

# SIGKILL leaves a file that opens, with every complete frame
"$PMUPROF" record -q -F 4000 -o killed.data -- "$WORKLOADS/burn" 2 3000 >/dev/null 2>&1 &
rpid=$!
sleep 1.5
kill -KILL $rpid
wait $rpid 2>/dev/null
pkill -f "$WORKLOADS/burn 2 3000" 2>/dev/null
run_pmuprof report --no-children -i killed.data
is "killed recorder: report still works" "$RC" 0
like "killed recorder: says the file is truncated" "$(cat "$ERR")" "^pmuprof: warning: 'killed.data' is truncated \(the recorder was killed, or the disk filled\); showing the [1-9][0-9]* samples of its complete frames$"
like "killed recorder: samples are there" "$(grep -v '^#' "$OUT" | head -1)" '\[\.\] burn$'

# a file-size limit: clean error, file readable up to the last complete frame (10 kHz: as
# below, burn at 4 kHz writes less than the limit)
( ulimit -f 200; exec "$PMUPROF" record -q -F 10000 -o small.data -- "$WORKLOADS/burn" 2 2000 ) >"$OUT" 2>"$ERR"
RC=$?
is "file-size limit: exit status 1" "$RC" 1
like "file-size limit: message" "$(cat "$ERR")" "^pmuprof: cannot write 'small.data': File too large; recording stopped, and the file keeps what was written before$"
run_pmuprof report --no-children -i small.data
is "file-size limit: the file is readable" "$RC" 0
like "file-size limit: truncated, with samples" "$(cat "$ERR")" "is truncated .* showing the [1-9][0-9]* samples"

# a full disk: the same clean error, where a small tmpfs can be mounted (root);
# coded stacks make burn's samples small (some 15 bytes): 10 kHz for 3 s fills it
mkdir full
if mount -t tmpfs -o size=200k pmuprof-test full 2>/dev/null; then
	run_pmuprof record -q -F 10000 -o full/disk.data -- "$WORKLOADS/burn" 2 2000
	is "full disk: exit status 1" "$RC" 1
	like "full disk: message" "$(cat "$ERR")" \
		"^pmuprof: cannot write 'full/disk.data': No space left on device; recording stopped, and the file keeps what was written before$"
	run_pmuprof report --no-children -i full/disk.data
	like "full disk: the file is readable, truncated" "$(cat "$ERR")" "is truncated .* showing the [1-9][0-9]* samples"
	umount full
else
	pass "full disk: # SKIP cannot mount a tmpfs here (the file-size limit above covers the same path)"
fi

done_testing
