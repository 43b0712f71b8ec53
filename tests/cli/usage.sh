# SPDX-License-Identifier: GPL-2.0-or-later
# Bad command lines: the exact message on stderr and the documented exit status.
. "$srcdir/tests/lib.sh"

expect_error "unknown event" 2 \
	"pmuprof: unknown event 'cycls'; did you mean 'cycles'? ('pmuprof list' shows the events of this machine)" \
	stat -e cycls -- true
# a software event's misspelling: the close names of hardware events depend
# on the PMU libpfm4 finds (on AMD Zen 3, 'instruction' is also close to
# INSTRUCTION_CACHE_REFILLS_FROM_L2)
expect_error "unknown event in a list" 2 \
	"pmuprof: unknown event 'task-clok'; did you mean 'task-clock'? ('pmuprof list' shows the events of this machine)" \
	stat -e cycles,task-clok -- true
expect_error "bad modifier" 2 \
	"pmuprof: invalid event 'instructions:q': invalid event attribute ('pmuprof list' shows each event's unit masks)" \
	stat -e instructions:q -- true
expect_error "unclosed group" 2 \
	"pmuprof: malformed event list '{cycles,instructions': the group opened at column 1 is not closed" \
	stat -e '{cycles,instructions' -- true
expect_error "nested group" 2 \
	"pmuprof: malformed event list '{cycles,{instructions}}': '{' at column 9 opens a group inside a group" \
	stat -e '{cycles,{instructions}}' -- true
expect_error "stray brace" 2 \
	"pmuprof: malformed event list 'cycles}': '}' at column 7 closes no group" \
	stat -e 'cycles}' -- true
expect_error "empty event" 2 \
	"pmuprof: malformed event list 'cycles,,instructions': empty event name at column 8" \
	stat -e 'cycles,,instructions' -- true
expect_error "unknown long option" 2 \
	"pmuprof: unknown option '--frobnicate' for 'stat' (see 'pmuprof stat --help')" \
	stat --frobnicate true
expect_error "unknown short option" 2 \
	"pmuprof: unknown option '-z' for 'stat' (see 'pmuprof stat --help')" \
	stat -z true
expect_error "missing command" 2 \
	"pmuprof: nothing to count: give a command to run, or -p PID, -t TID or -a (see 'pmuprof stat --help')" \
	stat
expect_error "missing command after options" 2 \
	"pmuprof: nothing to count: give a command to run, or -p PID, -t TID or -a (see 'pmuprof stat --help')" \
	stat -e task-clock --
pid=$(unused_pid)
expect_error "nonexistent PID" 1 "pmuprof: no process with PID $pid (has it exited?)" stat -p "$pid"
expect_error "nonexistent TID" 1 "pmuprof: no thread with TID $pid (has it exited?)" stat -t "$pid"
expect_error "PID that is not a number" 2 \
	"pmuprof: option '-p' needs a positive process or thread ID, not 'init'" stat -p init
expect_error "-r 0" 2 "pmuprof: option '-r' needs a repeat count of 1 or more, not '0'" \
	stat -r 0 true
expect_error "-I 0" 2 "pmuprof: option '-I' needs an interval of at least 1 ms, not '0'" \
	stat -I 0 true
expect_error "-I 0.5" 2 "pmuprof: option '-I' needs an interval of at least 1 ms, not '0.5'" \
	stat -I 0.5 true
expect_error "-x without a separator" 2 \
	"pmuprof: option '-x' (--field-separator SEP) needs a value: print CSV with SEP between fields" \
	stat -x
expect_error "-x with an empty separator" 2 \
	"pmuprof: option '-x' needs a separator, such as -x , or -x ';'" stat -x '' true
expect_error "unwritable -o" 1 \
	"pmuprof: cannot open '$T_TMP/no/such/dir/out' for writing: No such file or directory" \
	stat -o "$T_TMP/no/such/dir/out" true
expect_error "-o as a directory" 1 "pmuprof: cannot open '$T_TMP' for writing: Is a directory" \
	stat -o "$T_TMP" true
expect_error "two targets" 2 "pmuprof: -p, -t and -a choose what to count: give only one of them" \
	stat -p 1 -a
expect_error "--duration with a command" 2 \
	"pmuprof: --duration is for -p, -t and -a; a command is counted until it exits" \
	stat --duration 1 true
expect_error "--duration not a number" 2 \
	"pmuprof: option '--duration' needs a positive number of seconds, not '1s'" \
	stat --duration 1s -a
expect_error "-r with -p" 2 "pmuprof: -r repeats a command: give one to run, without -p or -t" \
	stat -r 2 -p 1
expect_error "-r with -I" 2 "pmuprof: -r and -I cannot be combined" stat -r 2 -I 100 true
expect_error "-x with --json" 2 "pmuprof: -x and --json cannot be combined: choose one output format" \
	stat -x, --json true
expect_error "--per-thread with a command" 2 \
	"pmuprof: --per-thread needs -p or -t (a command's threads are counted together)" \
	stat --per-thread true
expect_error "command not found" 127 "pmuprof: cannot run 'no-such-command-pmuprof': command not found" \
	stat -e task-clock -- no-such-command-pmuprof
expect_error "path not found" 127 \
	"pmuprof: cannot run './no-such-command-pmuprof': No such file or directory" \
	stat -e task-clock -- ./no-such-command-pmuprof
touch "$T_TMP/notexec"
expect_error "not executable" 126 "pmuprof: cannot run '$T_TMP/notexec': Permission denied" \
	stat -e task-clock -- "$T_TMP/notexec"
expect_error "unknown command" 2 "pmuprof: 'stst' is not a pmuprof command (see 'pmuprof --help')" stst
run_pmuprof
is "no command at all: exit status" "$RC" 2
like "no command at all: usage on stderr" "$(cat "$ERR")" '^usage: pmuprof '
expect_error "help for an unknown command" 2 \
	"pmuprof: 'stst' is not a pmuprof command (see 'pmuprof --help')" help stst
expect_error "list with two patterns" 2 \
	"pmuprof: list takes at most one PATTERN, not 2 (quote a pattern with spaces)" list a b

run_pmuprof stat --help
is "stat --help exits 0" "$RC" 0
like "stat --help prints the usage" "$(cat "$OUT")" '^usage: pmuprof stat '
run_pmuprof --version
like "--version" "$(cat "$OUT")" '^pmuprof [0-9]+\.[0-9]+'

done_testing
