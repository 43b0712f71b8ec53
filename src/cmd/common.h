/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What every command shares: one option table per command that drives
 * getopt_long, `--help` and the wording of option errors, so that the help
 * text, the parser and the man page test cannot drift apart; number parsing;
 * and the explanation of perf_event_open errors.
 */
#ifndef PMUPROF_CMD_COMMON_H
#define PMUPROF_CMD_COMMON_H

#include "collect/target.h"
#include "util/compiler.h"
#include "util/parse.h"

#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>

/* Long-only options use values from here on. */
#define CMD_OPT_LONG_BASE 0x100

struct cmd_option {
	int val;	  /* short option letter, or CMD_OPT_LONG_BASE + n */
	const char *name; /* long name without dashes; NULL for a short option only */
	const char *arg;  /* argument name in --help, NULL for a flag; "[NAME]": optional */
	const char *help;
};

struct cmd_parser {
	const char *cmd;
	const char *synopsis; /* "[options] -- COMMAND [ARGS]" */
	const struct cmd_option *opts;
	size_t nopts;
	struct option *longopts;
	char optstring[160];
	int argc;
	char **argv;
};

/* What a command's option parser returns after printing --help: exit 0, do nothing else. */
#define CMD_HELP_SHOWN 1000

/* Status from cmd_next_option() after it printed a usage error. */
#define CMD_OPT_ERROR (-2)

void cmd_parser_init(struct cmd_parser *p, const char *cmd, const char *synopsis,
		     const struct cmd_option *opts, size_t nopts, int argc, char **argv);
void cmd_parser_release(struct cmd_parser *p);
/* For commands without a workload: options may come after operands. */
void cmd_parser_permute(struct cmd_parser *p);
/* Next option's value, -1 at the first operand, CMD_OPT_ERROR on a bad option. */
int cmd_next_option(struct cmd_parser *p, char **arg);
void cmd_print_help(const struct cmd_parser *p, FILE *f);


/*
 * One line on why perf_event_open failed with `err` (a negative errno), with
 * what to do: perf_event_paranoid, CAP_PERFMON and the sysctl to change for
 * permission errors. `cpu_wide` is for per-CPU (-a) counting. Static text.
 */
const char *cmd_explain_perf_error(int err, bool cpu_wide);

/*
 * An output named by -o (NULL: standard output): the stream, or NULL after
 * saying why it cannot be written. The file is created as util/safefile.h
 * says: another user's symbolic link or file in a sticky directory that
 * others may write (/tmp) is refused.
 */
FILE *cmd_output_open(const char *path);
/*
 * cmd_output_open() for an output made from the files `inputs` (NULL
 * entries are skipped): it is refused when it is one of them (the same
 * file, by any name), and it is no more readable than the least readable
 * of them (a 0600 recording gives a 0600 report; a file that was there is
 * made so too), less the umask.
 */
FILE *cmd_output_open_from(const char *path, const char *const *inputs, size_t ninputs);
/*
 * Before the work: EXIT_USAGE after saying so when the output `path`
 * (NULL: standard output) already is one of the inputs, else 0.
 */
int cmd_output_check(const char *path, const char *const *inputs, size_t ninputs);
/* Words why safe_create() (util/safefile.h) failed with err for path; EXIT_FAIL. */
int cmd_create_error(int err, const char *path);
/*
 * Ends what cmd_output_open() gave, after a writer returned ret (0 or
 * -errno): 0, or EXIT_FAIL after saying what failed; `what` names the
 * output in a message about standard output ("the svg output").
 */
int cmd_output_close(FILE *out, const char *path, int ret, const char *what);

/* The exit status for a wait() status: the code, or 128 + signal. */
int cmd_exit_status(int wstatus);

/* What -p, -t, -a and --duration chose. */
struct cmd_target_opts {
	enum target_kind kind; /* TARGET_WORKLOAD until -p, -t or -a */
	pid_t pid;
	int nattach; /* how many of -p, -t, -a were given */
	double duration;
};

/*
 * Handles option c if it is one of -p, -t, -a or the command's --duration
 * (opt_duration): 1 when handled, 0 when c is another option, -1 after a
 * usage error was printed.
 */
int cmd_target_option(struct cmd_target_opts *t, int c, const char *arg, int opt_duration);

/*
 * The checks every command with a target shares: at most one of -p, -t and
 * -a; a command or a target; --duration only with a target. `verb` is
 * "count" or "sample", `cmd` the command's name. Prints and returns -1 on
 * a usage error.
 */
int cmd_check_target_options(const char *verb, const char *cmd, int nattach, bool has_command,
			 double duration);
struct event_error;
/*
 * Words an event-list parse error for the user (suggesting close names for
 * an unknown event) and returns the exit status: 2, or 1 if libpfm4 failed.
 */
int cmd_report_event_error(const char *str, const struct event_error *err);

/* Reports that the -p/-t target does not exist. */
void cmd_report_no_such_target(bool thread, int id);
/* Reports a failed exec of the workload and returns the exit status (126 or 127). */
int cmd_report_exec_failure(const char *prog, int err);

#endif
