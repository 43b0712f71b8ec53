// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * pmuprof stat: count events over a workload, a process, a thread or all
 * CPUs, like perf stat, and say plainly what could not be counted, what was
 * multiplexed and scaled, and which derived metrics are estimates.
 */
#include "analyse/stat.h"
#include "cmd/commands.h"
#include "cmd/common.h"
#include "collect/counter.h"
#include "collect/runloop.h"
#include "collect/target.h"
#include "collect/workload.h"
#include "event/event.h"
#include "output/stat-print.h"
#include "util/alloc.h"
#include "util/error.h"
#include "util/safefile.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char default_events[] = "task-clock,context-switches,cpu-migrations,page-faults,"
				      "cycles,instructions,branches,branch-misses";


enum {
	OPT_PER_THREAD = CMD_OPT_LONG_BASE,
	OPT_DURATION,
	OPT_NO_BIG_NUM,
	OPT_CSV_NOTES,
	OPT_STDIO,
};

static const struct cmd_option stat_options[] = {
	{ 'e', "event", "EVENTS", "events to count: libpfm4 names, comma lists, {a,b} groups" },
	{ 'p', "pid", "PID", "count an existing process and all its threads" },
	{ 't', "tid", "TID", "count one existing thread" },
	{ 'a', "all-cpus", NULL, "count everything on every CPU" },
	{ 'r', "repeat", "N", "run the command N times; print means and relative stddev" },
	{ 'I', "interval-print", "MS", "print counts every MS milliseconds (1 or more)" },
	{ 'x', "field-separator", "SEP", "print CSV with SEP between fields" },
	{ OPT_CSV_NOTES, "csv-notes", NULL, "with -x: a last field with pmuprof's note on the row" },
	{ 'j', "json", NULL, "print one JSON object per line" },
	{ OPT_PER_THREAD, "per-thread", NULL, "print counts per thread (with -p or -t)" },
	{ 'o', "output", "FILE", "write the results to FILE instead of stderr" },
	{ OPT_DURATION, "duration", "SECONDS", "stop counting after SECONDS (with -p, -t, -a)" },
	{ OPT_NO_BIG_NUM, "no-big-num", NULL, "no thousands separators in text output" },
	{ OPT_STDIO, "stdio", NULL, "text (the default without -x or -j)" },
	{ 'h', "help", NULL, "show this help" },
};

struct stat_opts {
	struct event_list events;
	struct cmd_target_opts tgt;
	unsigned long repeat;
	unsigned long interval_ms;
	const char *sep;
	bool csv_notes;
	bool json;
	bool per_thread;
	const char *output;
	bool big_num;
	char **argv; /* the command, or NULL */
};

static int add_events(struct stat_opts *o, const char *str)
{
	struct event_error err;
	int ret;

	if (event_list_parse(&o->events, str, &err) == 0)
		return 0;
	ret = cmd_report_event_error(str, &err);
	event_error_release(&err);
	return ret;
}

/* One option of stat's own: 0, or an exit status after a usage error. */
static int parse_option(struct stat_opts *o, int c, char *arg)
{
	switch (c) {
	case 'e':
		return add_events(o, arg);
	case 'r':
		if (parse_ulong(arg, 1, 1000000, &o->repeat) < 0)
			return error("option '-r' needs a repeat count of 1 or more, not '%s'",
				     arg),
			       EXIT_USAGE;
		return 0;
	case 'I':
		if (parse_ulong(arg, 1, 86400000, &o->interval_ms) < 0)
			return error("option '-I' needs an interval of at least 1 ms, not '%s'",
				     arg),
			       EXIT_USAGE;
		return 0;
	case 'x':
		if (!*arg)
			return error("option '-x' needs a separator, such as -x , or -x ';'"),
			       EXIT_USAGE;
		o->sep = arg;
		return 0;
	case OPT_CSV_NOTES:
		o->csv_notes = true;
		return 0;
	case 'j':
		o->json = true;
		return 0;
	case OPT_PER_THREAD:
		o->per_thread = true;
		return 0;
	case 'o':
		o->output = arg;
		return 0;
	case OPT_NO_BIG_NUM:
		o->big_num = false;
		return 0;
	case OPT_STDIO:
		return 0;
	default:
		return EXIT_USAGE;
	}
}

/* What the options say together; -1 after a usage error. */
static int check_options(const struct stat_opts *o)
{
	if (cmd_check_target_options("count", "stat", o->tgt.nattach, o->argv, o->tgt.duration) < 0)
		return -1;
	if (o->repeat > 1 && (!o->argv || o->tgt.kind == TARGET_PID || o->tgt.kind == TARGET_TID))
		return error("-r repeats a command: give one to run, without -p or -t");
	if (o->repeat > 1 && o->interval_ms)
		return error("-r and -I cannot be combined");
	if (o->sep && o->json)
		return error("-x and --json cannot be combined: choose one output format");
	if (o->csv_notes && !o->sep)
		return error("--csv-notes adds a field to -x's lines: give -x SEP too");
	if (o->per_thread && o->tgt.kind != TARGET_PID && o->tgt.kind != TARGET_TID)
		return error("--per-thread needs -p or -t (a command's threads are counted "
			     "together)");
	return 0;
}

static int parse_options(struct stat_opts *o, int argc, char **argv)
{
	struct cmd_parser p;
	char *arg;
	int c, ret = -1;

	memset(o, 0, sizeof(*o));
	o->repeat = 1;
	o->big_num = true;
	o->tgt.kind = TARGET_WORKLOAD;
	cmd_parser_init(&p, "stat", "[options] [--] COMMAND [ARGS]  |  -p PID | -t TID | -a",
			stat_options, ARRAY_SIZE(stat_options), argc, argv);
	while ((c = cmd_next_option(&p, &arg)) != -1) {
		int t = cmd_target_option(&o->tgt, c, arg, OPT_DURATION);

		if (t < 0)
			goto out;
		if (t > 0)
			continue;
		if (c == 'h') {
			cmd_print_help(&p, stdout);
			ret = CMD_HELP_SHOWN;
			goto out;
		}
		ret = parse_option(o, c, arg);
		if (ret)
			goto out;
		ret = -1;
	}
	if (optind < argc)
		o->argv = argv + optind;
	if (check_options(o) < 0)
		goto out;
	ret = 0;
	if (o->events.nr == 0)
		ret = add_events(o, default_events);
out:
	cmd_parser_release(&p);
	if (ret != 0)
		event_list_release(&o->events);
	return ret < 0 ? EXIT_USAGE : ret;
}

/* Results of one run, kept for -r averaging. */
struct run_acc {
	struct runstats *val; /* per counter, summed over instances */
	uint64_t *ena, *run;  /* per counter, summed over instances and runs */
	struct runstats elapsed;
	double user_s, sys_s; /* sums over runs */
	bool have_rusage;
	int exit_status;
	int runs;
	bool interrupted; /* a signal ended the count: no more -r runs */
	bool read_failed;
};

struct stat_ctx {
	struct stat_opts *o;
	struct target target;
	struct counter_set set;
	struct count *cur, *prev; /* counter x instance */
	struct stat_printer printer;
	struct stat_table table;
};

/* Reports that nothing could be opened, worded for the target. */
static int report_open_failure(struct stat_ctx *ctx, int err)
{
	const struct stat_opts *o = ctx->o;
	const char *why = cmd_explain_perf_error(err, o->tgt.kind == TARGET_CPUS);

	switch (o->tgt.kind) {
	case TARGET_PID:
	case TARGET_TID:
		if (err == -ESRCH)
			return error("cannot count %s %d: it has exited",
				     o->tgt.kind == TARGET_TID ? "thread" : "process", (int)o->tgt.pid);
		return error("cannot count %s %d: %s", o->tgt.kind == TARGET_TID ? "thread" : "process",
			     (int)o->tgt.pid, why);
	case TARGET_CPUS:
		return error("cannot count all CPUs: %s", why);
	case TARGET_WORKLOAD:
		break;
	}
	return error("cannot count any event of '%s': %s", o->argv[0], why);
}

/*
 * Whether every event that failed to open cannot be counted here at all:
 * then the command still runs and the events show as <not supported>, as
 * perf stat does, even when none of them opened.
 */
static bool only_unsupported(const struct counter_set *set)
{
	bool any = false;

	for (size_t i = 0; i < set->nr; i++) {
		if (set->c[i].err && !counter_err_unsupported(set->c[i].err))
			return false;
		any |= set->c[i].err != 0;
	}
	return any;
}

/* The error to report when nothing opened: a refusal rather than an absence. */
static int first_refusal(const struct counter_set *set, int err)
{
	for (size_t i = 0; i < set->nr; i++)
		if (set->c[i].err && !counter_err_unsupported(set->c[i].err))
			return set->c[i].err;
	return err;
}

/*
 * Opens what one run counts: the workload (prepared, not started), the
 * target and the counters. Returns 0, or an exit status after saying why.
 */
static int run_open(struct stat_ctx *ctx, struct runloop *rl, struct workload *wl)
{
	struct stat_opts *o = ctx->o;
	bool counts_workload = o->tgt.kind == TARGET_WORKLOAD;
	int ret;

	ret = runloop_open(rl);
	if (ret < 0)
		return error_errno(-ret, "cannot set up signal handling"), EXIT_FAIL;
	if (o->argv) {
		ret = workload_prepare(wl, o->argv, &rl->mon.old_mask, NULL);
		if (ret < 0) {
			runloop_close(rl);
			return error_errno(-ret, "cannot start '%s'", o->argv[0]), EXIT_FAIL;
		}
	}
	ret = target_init(&ctx->target, o->tgt.kind, counts_workload ? wl->pid : o->tgt.pid);
	if (ret < 0) {
		workload_abort(wl);
		runloop_close(rl);
		if (ret == -ESRCH)
			cmd_report_no_such_target(o->tgt.kind == TARGET_TID, (int)o->tgt.pid);
		else
			error_errno(-ret, "cannot find what to count");
		return EXIT_FAIL;
	}
	counter_set_init(&ctx->set, &o->events, &ctx->target,
			 o->tgt.kind == TARGET_WORKLOAD || (o->tgt.kind == TARGET_PID && !o->per_thread));
	ret = counter_set_open(&ctx->set, counts_workload);
	if (ret < 0 && !only_unsupported(&ctx->set)) {
		report_open_failure(ctx, first_refusal(&ctx->set, ret));
		workload_abort(wl);
		runloop_close(rl);
		return EXIT_FAIL;
	}
	return 0;
}

/* --per-thread: "comm-tid" for each thread counted, as /proc names it now. */
static char **thread_names(const struct target *tg)
{
	char **names = xcalloc(tg->nr ? tg->nr : 1, sizeof(char *));

	for (size_t k = 0; k < tg->nr; k++) {
		char comm[64];

		target_thread_name(tg->inst[k].pid, comm, sizeof(comm));
		names[k] = xasprintf("%s-%d", comm, (int)tg->inst[k].pid);
	}
	return names;
}

/* What the first run sets up for all: the paranoid note, sums, thread names. */
static void first_run(struct stat_ctx *ctx, struct run_acc *acc)
{
	bool user_only = false;

	for (size_t i = 0; i < ctx->set.nr; i++)
		user_only |= ctx->set.c[i].user_only;
	if (user_only)
		note("kernel.perf_event_paranoid is %d: counting user space only (events "
		     "marked :u); CAP_PERFMON or sysctl -w kernel.perf_event_paranoid=1 "
		     "counts the kernel too",
		     counter_paranoid());
	acc->val = xcalloc(ctx->set.nr, sizeof(*acc->val));
	acc->ena = xcalloc(ctx->set.nr, sizeof(*acc->ena));
	acc->run = xcalloc(ctx->set.nr, sizeof(*acc->run));
	stat_table_init(&ctx->table, &ctx->set, ctx->o->per_thread,
			ctx->o->per_thread ? thread_names(&ctx->target) : NULL);
}

/* -I: the counts of the interval that just ended (a failed read skips it). */
static int print_interval(void *arg, double since_start, double interval_s)
{
	struct stat_ctx *ctx = arg;
	size_t ncount = ctx->set.nr * ctx->target.nr;
	struct count *delta;

	if (counter_set_read(&ctx->set, ctx->cur) != 0)
		return 0;
	delta = xcalloc(ncount, sizeof(*delta));
	for (size_t k = 0; k < ncount; k++) {
		delta[k].val = ctx->cur[k].val - ctx->prev[k].val;
		delta[k].ena = ctx->cur[k].ena - ctx->prev[k].ena;
		delta[k].run = ctx->cur[k].run - ctx->prev[k].run;
	}
	stat_print_counts(&ctx->printer, &ctx->table, delta, interval_s * 1e9, since_start, NULL);
	fflush(ctx->printer.f);
	free(delta);
	memcpy(ctx->prev, ctx->cur, ncount * sizeof(*ctx->cur));
	return 0;
}

/* Adds the run's final counts, time and rusage to acc. */
static void add_run(struct stat_ctx *ctx, struct run_acc *acc, const struct runloop *rl,
		    double elapsed_s)
{
	for (size_t i = 0; i < ctx->set.nr; i++) {
		double v = 0;

		for (size_t k = 0; k < ctx->target.nr; k++) {
			const struct count *cnt = &ctx->cur[i * ctx->target.nr + k];

			v += stat_scale(cnt->val, cnt->ena, cnt->run);
			acc->ena[i] += cnt->ena;
			acc->run[i] += cnt->run;
		}
		runstats_add(&acc->val[i], v);
	}
	runstats_add(&acc->elapsed, elapsed_s);
	acc->runs++;
	if (rl->pid > 0) {
		const struct rusage *ru = &rl->ru;

		acc->have_rusage = true;
		acc->user_s += (double)ru->ru_utime.tv_sec + (double)ru->ru_utime.tv_usec / 1e6;
		acc->sys_s += (double)ru->ru_stime.tv_sec + (double)ru->ru_stime.tv_usec / 1e6;
		acc->exit_status = cmd_exit_status(rl->wstatus);
	}
}

/*
 * One counting run: prepare the workload, open counters, wait for the end
 * (workload exit, Ctrl-C, targets gone, --duration), read. Returns 0 and
 * fills acc, or an exit status to stop with.
 */
static int run_once(struct stat_ctx *ctx, struct run_acc *acc, int run_index)
{
	struct stat_opts *o = ctx->o;
	struct runloop rl;
	struct workload wl = { .pid = -1, .go_fd = -1, .err_fd = -1 };
	size_t ncount;
	double elapsed_s;
	int ret;

	ret = run_open(ctx, &rl, &wl);
	if (ret)
		return ret;
	ncount = ctx->set.nr * ctx->target.nr;
	if (run_index == 0)
		first_run(ctx, acc);
	ctx->cur = xcalloc(ncount, sizeof(*ctx->cur));
	ctx->prev = xcalloc(ncount, sizeof(*ctx->prev));
	if (o->tgt.kind != TARGET_WORKLOAD)
		counter_set_enable(&ctx->set);
	runloop_start(&rl);
	if (o->argv) {
		ret = workload_start(&wl);
		if (ret < 0) {
			counter_set_release(&ctx->set);
			target_release(&ctx->target);
			runloop_close(&rl);
			return cmd_report_exec_failure(o->argv[0], ret);
		}
		rl.pid = wl.pid;
	}
	rl.target = &ctx->target;
	rl.duration = o->tgt.duration;
	rl.interval_ms = o->interval_ms;
	rl.tick = print_interval;
	rl.arg = ctx;
	if (o->interval_ms)
		stat_print_begin(&ctx->printer, NULL);
	ret = runloop_run(&rl);
	if (ret < 0)
		error_errno(-ret, "waiting failed");
	elapsed_s = runloop_elapsed(&rl);
	acc->interrupted |= rl.interrupted;
	if (o->tgt.kind != TARGET_WORKLOAD)
		counter_set_disable(&ctx->set);
	ret = counter_set_read(&ctx->set, ctx->cur);
	if (ret < 0) {
		error_errno(-ret, "cannot read the counters");
		acc->read_failed = true;
	}
	/* --duration ended the count of -p/-t/-a before their timing command finished */
	runloop_stop(&rl);
	add_run(ctx, acc, &rl, elapsed_s);
	counter_set_close(&ctx->set);
	runloop_close(&rl);
	return ret < 0 ? EXIT_FAIL : 0;
}

static void release_ctx(struct stat_ctx *ctx)
{
	counter_set_release(&ctx->set);
	target_release(&ctx->target);
	FREE_AND_NULL(ctx->cur);
	FREE_AND_NULL(ctx->prev);
}

/*
 * -o's file, created as util/safefile.h says, close-on-exec: not the
 * workload's. NULL after saying why not.
 */
static FILE *open_output(const char *path)
{
	int fd = safe_create(path, 0, 0666);
	struct stat st;
	FILE *f;

	if (fd == -EPERM)
		return cmd_create_error(fd, path), NULL;
	if (fd < 0)
		return error_errno(-fd, "cannot open '%s' for writing", path), NULL;
	if ((fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && ftruncate(fd, 0) < 0) ||
	    !(f = fdopen(fd, "w"))) {
		error_errno(errno, "cannot open '%s' for writing", path);
		close(fd);
		return NULL;
	}
	return f;
}

int cmd_stat(int argc, char **argv)
{
	struct stat_opts o;
	struct stat_ctx ctx;
	struct run_acc acc;
	struct stat_summary sum;
	FILE *out = stderr;
	int ret;

	ret = parse_options(&o, argc, argv);
	if (ret == CMD_HELP_SHOWN)
		return EXIT_OK;
	if (ret != 0)
		return ret;
	if (o.output) {
		out = open_output(o.output);
		if (!out) {
			event_list_release(&o.events);
			return EXIT_FAIL;
		}
	}
	memset(&ctx, 0, sizeof(ctx));
	ctx.o = &o;
	ctx.printer.f = out;
	ctx.printer.format = o.json ? STAT_JSON : o.sep ? STAT_CSV : STAT_TEXT;
	ctx.printer.sep = o.sep;
	ctx.printer.big_num = o.big_num;
	ctx.printer.interval = o.interval_ms > 0;
	ctx.printer.per_thread = o.per_thread;
	ctx.printer.repeated = o.repeat > 1;
	ctx.printer.notes = o.csv_notes;
	ctx.printer.explain = cmd_explain_perf_error;
	memset(&acc, 0, sizeof(acc));
	acc.exit_status = -1;

	for (unsigned long r = 0; r < o.repeat && ret == 0 && !acc.interrupted; r++) {
		if (r)
			release_ctx(&ctx);
		ret = run_once(&ctx, &acc, (int)r);
	}
	if (acc.runs > 0) {
		memset(&sum, 0, sizeof(sum));
		sum.what = stat_describe_target(o.tgt.kind, o.tgt.pid, o.argv);
		sum.what_is_command = o.tgt.kind == TARGET_WORKLOAD;
		sum.runs = acc.runs;
		sum.elapsed_s = acc.elapsed.mean;
		sum.elapsed_stddev_pct = runstats_rel_pct(&acc.elapsed);
		sum.have_rusage = acc.have_rusage;
		sum.user_s = acc.user_s / acc.runs;
		sum.sys_s = acc.sys_s / acc.runs;
		sum.exit_status = acc.exit_status;
		if (!o.interval_ms) {
			struct stat_totals tot = { .val = acc.val, .ena = acc.ena, .run = acc.run,
						   .runs = acc.runs };

			stat_print_begin(&ctx.printer, &sum);
			stat_print_counts(&ctx.printer, &ctx.table, ctx.cur, acc.elapsed.mean * 1e9,
					  0, o.per_thread ? NULL : &tot);
		}
		stat_print_end(&ctx.printer, &sum);
		if (ctx.printer.format == STAT_TEXT)
			stat_print_unsupported(&ctx.printer, &ctx.set, cmd_explain_perf_error);
		free((char *)sum.what);
		if (acc.exit_status >= 0)
			ret = acc.exit_status;
		if (acc.read_failed)
			ret = EXIT_FAIL;
	}
	release_ctx(&ctx);
	stat_table_release(&ctx.table);
	free(acc.val);
	free(acc.ena);
	free(acc.run);
	if (o.output && fclose(out) != 0 && ret == 0) {
		error_errno(errno, "cannot write '%s'", o.output);
		ret = EXIT_FAIL;
	}
	event_list_release(&o.events);
	return ret;
}
