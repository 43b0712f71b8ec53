// SPDX-License-Identifier: GPL-2.0-or-later
#include "cmd/common.h"
#include "collect/counter.h"
#include "event/event.h"
#include "util/alloc.h"
#include "util/error.h"
#include "util/safefile.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

void cmd_parser_init(struct cmd_parser *p, const char *cmd, const char *synopsis,
		     const struct cmd_option *opts, size_t nopts, int argc, char **argv)
{
	size_t o = 0;

	memset(p, 0, sizeof(*p));
	p->cmd = cmd;
	p->synopsis = synopsis;
	p->opts = opts;
	p->nopts = nopts;
	p->argc = argc;
	p->argv = argv;
	p->longopts = xcalloc(nopts + 1, sizeof(*p->longopts));
	/* '+': stop at the workload's name; ':': report a missing argument as ':' */
	p->optstring[o++] = '+';
	p->optstring[o++] = ':';
	for (size_t i = 0, l = 0; i < nopts; i++) {
		bool optional = opts[i].arg && opts[i].arg[0] == '[';

		if (opts[i].name) {
			p->longopts[l].name = opts[i].name;
			p->longopts[l].has_arg = optional	   ? optional_argument
						 : opts[i].arg ? required_argument
							       : no_argument;
			p->longopts[l++].val = opts[i].val;
		}
		if (opts[i].val < CMD_OPT_LONG_BASE && o + 4 < sizeof(p->optstring)) {
			p->optstring[o++] = (char)opts[i].val;
			if (opts[i].arg)
				p->optstring[o++] = ':';
			if (optional)
				p->optstring[o++] = ':';
		}
	}
	p->optstring[o] = '\0';
	optind = 0; /* reinitialise getopt for this argv */
	opterr = 0;
}

void cmd_parser_permute(struct cmd_parser *p)
{
	/* drop the leading '+' that stops at the first operand */
	memmove(p->optstring, p->optstring + 1, strlen(p->optstring));
}

void cmd_parser_release(struct cmd_parser *p)
{
	FREE_AND_NULL(p->longopts);
}

static const struct cmd_option *find_opt(const struct cmd_parser *p, int val)
{
	for (size_t i = 0; i < p->nopts; i++)
		if (p->opts[i].val == val)
			return &p->opts[i];
	return NULL;
}

int cmd_next_option(struct cmd_parser *p, char **arg)
{
	int c = getopt_long(p->argc, p->argv, p->optstring, p->longopts, NULL);
	const struct cmd_option *o;
	const char *given = p->argv[optind - 1];

	*arg = optarg;
	if (c == '?') {
		if (optopt && optopt < CMD_OPT_LONG_BASE && given[0] == '-' && given[1] != '-')
			error("unknown option '-%c' for '%s' (see 'pmuprof %s --help')", optopt,
			      p->cmd, p->cmd);
		else
			error("unknown option '%s' for '%s' (see 'pmuprof %s --help')", given,
			      p->cmd, p->cmd);
		return CMD_OPT_ERROR;
	}
	if (c == ':') {
		o = find_opt(p, optopt);
		if (o && o->val < CMD_OPT_LONG_BASE && !o->name)
			error("option '-%c %s' needs a value: %s", o->val, o->arg, o->help);
		else if (o && o->val < CMD_OPT_LONG_BASE)
			error("option '-%c' (--%s %s) needs a value: %s", o->val, o->name, o->arg,
			      o->help);
		else if (o)
			error("option '--%s %s' needs a value: %s", o->name, o->arg, o->help);
		else
			error("option '%s' needs a value", given);
		return CMD_OPT_ERROR;
	}
	return c;
}

void cmd_print_help(const struct cmd_parser *p, FILE *f)
{
	fprintf(f, "usage: pmuprof %s %s\n\n", p->cmd, p->synopsis);
	for (size_t i = 0; i < p->nopts; i++) {
		const struct cmd_option *o = &p->opts[i];
		char left[64];
		int n;

		if (o->val < CMD_OPT_LONG_BASE && !o->name)
			n = snprintf(left, sizeof(left), "-%c", o->val);
		else if (o->val < CMD_OPT_LONG_BASE)
			n = snprintf(left, sizeof(left), "-%c, --%s", o->val, o->name);
		else
			n = snprintf(left, sizeof(left), "    --%s", o->name);
		if (o->arg && n > 0 && (size_t)n < sizeof(left))
			snprintf(left + n, sizeof(left) - (size_t)n, " %s", o->arg);
		fprintf(f, "  %-28s %s\n", left, o->help);
	}
	fprintf(f, "\nThe manual: pmuprof help %s\n", p->cmd);
}

const char *cmd_explain_perf_error(int err, bool cpu_wide)
{
	static char buf[512];
	int paranoid = counter_paranoid();

	switch (-err) {
	case ENOENT:
		return "no such event on this machine (no hardware PMU here? 'pmuprof list' shows "
		       "what can be counted)";
	case EOPNOTSUPP:
		return "not supported by this machine's PMU or in this mode";
	case EACCES:
	case EPERM:
		if (cpu_wide)
			snprintf(buf, sizeof(buf),
				 "permission denied: counting all CPUs needs CAP_PERFMON (or root) "
				 "or kernel.perf_event_paranoid <= 0 (it is %d here; as root: "
				 "sysctl -w kernel.perf_event_paranoid=0)",
				 paranoid);
		else
			snprintf(buf, sizeof(buf),
				 "permission denied: counting another user's process, or kernel "
				 "events, needs CAP_PERFMON (or root) or a lower "
				 "kernel.perf_event_paranoid (it is %d here; as root: sysctl -w "
				 "kernel.perf_event_paranoid=1 allows kernel events of your own "
				 "processes)",
				 paranoid);
		return buf;
	case ESRCH:
		return "the process or thread is gone";
	case EMFILE:
		return "too many open files: raise the limit with 'ulimit -n'";
	case EBUSY:
		return "the counter is in use by another tool";
	case EINVAL:
		return "the kernel rejected the event's settings";
	default:
		return strerror(-err);
	}
}

int cmd_exit_status(int wstatus)
{
	if (WIFEXITED(wstatus))
		return WEXITSTATUS(wstatus);
	if (WIFSIGNALED(wstatus))
		return 128 + WTERMSIG(wstatus);
	return EXIT_FAIL;
}

int cmd_target_option(struct cmd_target_opts *t, int c, const char *arg, int opt_duration)
{
	unsigned long v;

	if (c == 'p' || c == 't') {
		if (parse_ulong(arg, 1, INT_MAX, &v) < 0)
			return error("option '-%c' needs a positive process or thread ID, not '%s'",
				     c, arg);
		t->pid = (pid_t)v;
		t->kind = c == 'p' ? TARGET_PID : TARGET_TID;
		t->nattach++;
		return 1;
	}
	if (c == 'a') {
		t->kind = TARGET_CPUS;
		t->nattach++;
		return 1;
	}
	if (c == opt_duration) {
		if (parse_double(arg, &t->duration) < 0 || t->duration <= 0)
			return error("option '--duration' needs a positive number of seconds, not "
				     "'%s'",
				     arg);
		return 1;
	}
	return 0;
}

int cmd_check_target_options(const char *verb, const char *cmd, int nattach, bool has_command,
			 double duration)
{
	if (nattach > 1)
		return error("-p, -t and -a choose what to %s: give only one of them", verb);
	if (!has_command && !nattach)
		return error("nothing to %s: give a command to run, or -p PID, -t TID or -a (see "
			     "'pmuprof %s --help')",
			     verb, cmd);
	if (duration > 0 && !nattach)
		return error("--duration is for -p, -t and -a; a command is %s until it exits",
			     !strcmp(verb, "count") ? "counted" : "sampled");
	return 0;
}

void cmd_report_no_such_target(bool thread, int id)
{
	error("no %s with %s %d (has it exited?)", thread ? "thread" : "process",
	      thread ? "TID" : "PID", id);
}

int cmd_report_exec_failure(const char *prog, int err)
{
	if (err == -ENOENT && !strchr(prog, '/'))
		error("cannot run '%s': command not found", prog);
	else
		error_errno(err, "cannot run '%s'", prog);
	return err == -ENOENT ? EXIT_NOT_FOUND : EXIT_CANNOT_EXEC;
}

/* The whole event-list error, worded for the user. */
int cmd_report_event_error(const char *str, const struct event_error *err)
{
	char *sugg[3];
	size_t n;

	switch (err->kind) {
	case EVENT_ERR_UNKNOWN:
		n = event_suggest(err->token, sugg, ARRAY_SIZE(sugg));
		if (n == 0) {
			error("unknown event '%s' ('pmuprof list' shows the events of this machine)",
			      err->token);
		} else {
			char list[512];
			size_t o = 0;

			list[0] = '\0';
			for (size_t i = 0; i < n; i++) {
				o += (size_t)snprintf(list + o, sizeof(list) - o, "%s'%s'",
						      i == 0 ? "" : i + 1 == n ? " or " : ", ",
						      sugg[i]);
				if (o >= sizeof(list))
					o = sizeof(list) - 1;
				free(sugg[i]);
			}
			error("unknown event '%s'; did you mean %s? ('pmuprof list' shows the "
			      "events of this machine)",
			      err->token, list);
		}
		break;
	case EVENT_ERR_ENCODE:
		error("invalid event '%s': %s ('pmuprof list' shows each event's unit masks)",
		      err->token, err->detail);
		break;
	case EVENT_ERR_LIBRARY:
		error("cannot initialise libpfm4: %s", err->detail ? err->detail : "unknown error");
		return EXIT_FAIL;
	case EVENT_ERR_EMPTY:
		error("malformed event list '%s': empty event name at column %d", str, err->column);
		break;
	case EVENT_ERR_GROUP_OPEN:
		error("malformed event list '%s': the group opened at column %d is not closed", str,
		      err->column);
		break;
	case EVENT_ERR_GROUP_CLOSE:
		error("malformed event list '%s': '}' at column %d closes no group", str,
		      err->column);
		break;
	case EVENT_ERR_GROUP_NESTED:
		error("malformed event list '%s': '{' at column %d opens a group inside a group",
		      str, err->column);
		break;
	case EVENT_ERR_GROUP_TRAILING:
		error("malformed event list '%s': unexpected text at column %d (events are "
		      "separated by commas)",
		      str, err->column);
		break;
	case EVENT_ERR_NONE:
		break;
	}
	return EXIT_USAGE;
}

/* The input that is the same file as st, or -1. */
static int same_as_input(const struct stat *st, const char *const *inputs, size_t ninputs)
{
	struct stat in;

	for (size_t i = 0; i < ninputs; i++)
		if (inputs[i] && stat(inputs[i], &in) == 0 && in.st_dev == st->st_dev &&
		    in.st_ino == st->st_ino)
			return (int)i;
	return -1;
}

static void report_same_file(const char *path, const char *input)
{
	error("cannot write '%s': it is the input '%s' (the same file); name another output",
	      path, input);
}

int cmd_output_check(const char *path, const char *const *inputs, size_t ninputs)
{
	struct stat st;
	int i;

	if (!path || stat(path, &st) < 0)
		return EXIT_OK;
	i = same_as_input(&st, inputs, ninputs);
	if (i < 0)
		return EXIT_OK;
	report_same_file(path, inputs[i]);
	return EXIT_USAGE;
}

int cmd_create_error(int err, const char *path)
{
	if (err == -EPERM)
		error("cannot write '%s': it is another user's symbolic link or file in a sticky "
		      "directory that others may write; remove it or name another output",
		      path);
	else
		error_errno(-err, "cannot write '%s'", path);
	return EXIT_FAIL;
}

FILE *cmd_output_open_from(const char *path, const char *const *inputs, size_t ninputs)
{
	mode_t mode = 0666;
	struct stat st;
	FILE *out;
	int fd, i;

	if (!path)
		return stdout;
	/* no more readable than the least readable input: a 0600 recording gives 0600 */
	for (size_t k = 0; k < ninputs; k++)
		if (inputs[k] && stat(inputs[k], &st) == 0)
			mode &= (st.st_mode & 0666) | 0600;
	fd = safe_create(path, 0, mode);
	if (fd < 0)
		return cmd_create_error(fd, path), NULL;
	if (fstat(fd, &st) < 0) {
		error_errno(errno, "cannot write '%s'", path);
		goto fail;
	}
	i = same_as_input(&st, inputs, ninputs);
	if (i >= 0) {
		report_same_file(path, inputs[i]);
		goto fail;
	}
	if (S_ISREG(st.st_mode)) {
		if (ftruncate(fd, 0) < 0) {
			error_errno(errno, "cannot write '%s'", path);
			goto fail;
		}
		/* a file that was there gets no more permissions than a new one */
		if ((st.st_mode & 0777 & ~mode) && fchmod(fd, st.st_mode & 07777 & mode) < 0) {
			error_errno(errno, "cannot make '%s' private like its input", path);
			goto fail;
		}
	}
	out = fdopen(fd, "w");
	if (!out) {
		error_errno(errno, "cannot write '%s'", path);
		goto fail;
	}
	return out;
fail:
	close(fd);
	return NULL;
}

FILE *cmd_output_open(const char *path)
{
	return cmd_output_open_from(path, NULL, 0);
}

int cmd_output_close(FILE *out, const char *path, int ret, const char *what)
{
	if (out == stdout) {
		if (ret < 0)
			return error_errno(ret, "cannot write %s", what), EXIT_FAIL;
		return EXIT_OK;
	}
	if (ferror(out) || ret < 0) {
		fclose(out);
		error_errno(ret < 0 ? -ret : errno ? errno : EIO, "cannot write '%s'", path);
		return EXIT_FAIL;
	}
	if (fclose(out) != 0)
		return error_errno(errno, "cannot write '%s'", path), EXIT_FAIL;
	return EXIT_OK;
}
