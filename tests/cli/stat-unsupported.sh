# SPDX-License-Identifier: GPL-2.0-or-later
# An event libpfm4 knows but this machine cannot count is <not supported>, and
# the command runs anyway with its exit status passed through, as with perf
# stat; an event nobody knows is a usage error before anything runs.
. "$srcdir/tests/lib.sh"

run_pmuprof stat -e task-clock -- true
[ "$RC" -eq 0 ] || skip_all "perf_event_open is not usable here: $(cat "$ERR")"
[ -e /sys/bus/event_source/devices/cpu ] &&
	skip_all "this machine has a hardware PMU: cycles can be counted here"

# nothing at all can be counted: the command still runs
run_pmuprof stat -e cycles -- sh -c 'echo ran; exit 3'
is "only cycles: the command's exit status" "$RC" 3
is "only cycles: the command ran" "$(cat "$OUT")" "ran"
like "only cycles: <not supported>" "$(cat "$ERR")" '^ +<not supported> +cycles$'
like "only cycles: one line says why" "$(cat "$ERR")" \
	'^ <not supported>: cycles: no such event on this machine'
like "only cycles: the elapsed time" "$(cat "$ERR")" 'seconds time elapsed'

run_pmuprof stat -e cycles,task-clock -- sh -c 'exit 3'
is "cycles,task-clock: the command's exit status" "$RC" 3
like "cycles,task-clock: task-clock counted" "$(cat "$ERR")" '^ +[0-9.]+ msec task-clock'
like "cycles,task-clock: cycles <not supported>" "$(cat "$ERR")" '<not supported> +cycles'

run_pmuprof stat -x, -e cycles,task-clock -- sh -c 'exit 5'
is "-x: the command's exit status" "$RC" 5
like "-x: cycles <not supported>" "$(cat "$ERR")" '^<not supported>,,cycles,0,'
like "-x: task-clock counted" "$(cat "$ERR")" '^[0-9.]+,msec,task-clock,[0-9]+,'

run_pmuprof stat --json -e cycles -- sh -c 'exit 6'
is "--json: the command's exit status" "$RC" 6
like "--json: <not supported>" "$(cat "$ERR")" \
	'^\{"type": "counter", "counter-value": "<not supported>", "unit": "", "event": "cycles",.* "status": "not-supported",'
like "--json: why" "$(cat "$ERR")" '"reason": "no such event on this machine'
like "--json: the summary has the exit status" "$(cat "$ERR")" '"exit-status": 6\}$'

# -r runs the command every time
: >"$T_TMP/runs"
run_pmuprof stat -r 3 -e cycles -- sh -c 'echo run >>"$1"' sh "$T_TMP/runs"
is "-r 3: exit status" "$RC" 0
is "-r 3: the command ran three times" "$(grep -c run "$T_TMP/runs")" 3
like "-r 3: heading" "$(cat "$ERR")" '\(3 runs\):'

# -I: every interval shows it
run_pmuprof stat -I 100 -x, -e cycles -- sleep 0.25
is "-I: exit status" "$RC" 0
ok "-I: an interval line or more" [ "$(grep -c '^[0-9.]*,<not supported>,,cycles,' "$ERR")" -ge 1 ]

# attached to a process: counted for --duration, or until it exits
sleep 30 &
spid=$!
trap 'kill $spid 2>/dev/null; rm -rf "$T_TMP"' EXIT
run_pmuprof stat -p $spid --duration 0.2 -e cycles
is "-p: exit status" "$RC" 0
like "-p: <not supported>" "$(cat "$ERR")" '<not supported> +cycles'
like "-p: heading" "$(cat "$ERR")" "Performance counter stats for process $spid:"
kill $spid
wait $spid 2>/dev/null
sh -c 'sleep 0.3' &
spid=$!
run_pmuprof stat -p $spid -x, -e cycles
is "-p ends when the process exits" "$RC" 0
like "-p: -x line" "$(cat "$ERR")" '^<not supported>,,cycles,'

# an event libpfm4 does not know: usage error, nothing runs (perf stat: 129)
run_pmuprof stat -e nosuchevent -- sh -c 'echo ran'
is "unknown event: usage error" "$RC" 2
is "unknown event: the command did not run" "$(cat "$OUT")" ""
like "unknown event: named" "$(cat "$ERR")" "unknown event 'nosuchevent'"
run_pmuprof stat -e cycles,nosuchevent -- sh -c 'echo ran'
is "an unknown event among known ones: usage error" "$RC" 2
is "an unknown event among known ones: nothing ran" "$(cat "$OUT")" ""

done_testing
