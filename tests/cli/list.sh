# SPDX-License-Identifier: GPL-2.0-or-later
# pmuprof list: every event libpfm4 knows, probed on this machine.
. "$srcdir/tests/lib.sh"

run_pmuprof list
is "list: exit status" "$RC" 0
out=$(cat "$OUT")
like "generic PMU heading" "$out" '^perf_events generic PMU \(perf::\)$'
like "aliases folded onto one line" "$out" '^  [a-z]+ +cycles, cpu-cycles, perf::PERF_COUNT_HW_CPU_CYCLES$'
like "summary line" "$out" '^# [0-9]+ events shown, [0-9]+ can be counted here'
if run_pmuprof stat -e cpu-clock -- true && [ "$RC" -eq 0 ]; then
	like "cpu-clock can be counted" "$out" '^  (yes|user) +cpu-clock, '
	like "task-clock can be counted" "$out" '^  (yes|user) +task-clock, '
fi
if [ ! -e /sys/bus/event_source/devices/cpu ]; then
	# a VM without a PMU: the user sees at once that cycles is not available
	like "no PMU: cycles cannot be counted" "$out" '^  no +cycles, '
	like "no PMU: the reason" "$out" '^# no \([0-9]+ events, such as cycles, .*no hardware PMU'
	like "no PMU: a note says so" "$out" '^# no hardware PMU is visible'
fi

run_pmuprof list clock
out=$(cat "$OUT")
like "substring pattern: cpu-clock" "$out" 'cpu-clock'
unlike "substring pattern: no page-faults" "$out" 'page-faults'

run_pmuprof list 'page-f*'
is "glob pattern: one event" "$(grep -c '^  ' "$OUT")" 1

run_pmuprof list --available
is "--available: exit status" "$RC" 0
unlike "--available: no 'no' lines" "$(cat "$OUT")" '^  no '

run_pmuprof list --no-probe cycles
like "--no-probe: no status column" "$(cat "$OUT")" '^        cycles, cpu-cycles'

expect_error "no match" 1 \
	"pmuprof: no event matches 'nosuchthing' (try a shorter pattern, or 'pmuprof list' for all)" \
	list nosuchthing
expect_error "--available with --no-probe" 2 "pmuprof: --available needs probing: drop --no-probe" \
	list --available --no-probe

done_testing
