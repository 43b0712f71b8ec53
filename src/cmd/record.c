// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * pmuprof record: sample a command, process, thread or all CPUs with an
 * overflow event, keeping a copy of the user stack and registers with each
 * sample, into pmuprof.data. The main thread only drains the ring buffers;
 * a writer thread converts, compresses and writes, so reading never waits
 * on the disk.
 */
#include "cmd/commands.h"
#include "cmd/common.h"
#include "collect/counter.h"
#include "collect/offcpu.h"
#include "collect/traceev.h"
#include "collect/perfrec.h"
#include "collect/recevents.h"
#include "collect/recmeta.h"
#include "collect/recswitch.h"
#include "collect/recwriter.h"
#include "collect/remotestack.h"
#include "collect/runloop.h"
#include "collect/sampler.h"
#include "collect/shimrec.h"
#include "collect/synth.h"
#include "collect/target.h"
#include "collect/workload.h"
#include "event/event.h"
#include "resolve/kallsyms.h"
#include "store/datafile.h"
#include "util/alloc.h"
#include "util/error.h"
#include "util/parse.h"
#include "util/proc.h"

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#define DEFAULT_TIMER_FREQ  100	/* gperftools' and Go's default */
#define MAX_TIMER_FREQ	    100000
#define SHIM_POLL_MS	    20	/* how often the timer samplers' rings are emptied */
/*
 * Whole stacks of most programs (bzip2's frames hold 5 KiB arrays and
 * need some 16 KiB, CPython's evaluator some 20 KiB at a recursion depth
 * of a hundred), and cheap where a stack is shallower: the kernel copies
 * up to the end of the stack, the drain keeps what it copied, and the file
 * keeps what changed (contrib/bench/unwind-completeness.sh, record-size.sh).
 */
#define DEFAULT_STACK	    32768
#define SWITCH_MAX_PAGES    8192 /* the most the switch rings get by themselves */
/* stacks read from outside: only for waits at least this long, by default */
#define REMOTE_MIN_STACK_NS 2000000ull

enum {
	OPT_CALL_GRAPH = CMD_OPT_LONG_BASE,
	OPT_DURATION,
	OPT_NO_FALLBACK,
	OPT_SAMPLER,
	OPT_OFF_CPU,
	OPT_OFF_CPU_MIN_STACK,
	OPT_SWITCH_OUTPUT,
};

static const struct cmd_option record_options[] = {
	{ 'e', "event", "EVENT", "the event to sample (libpfm4 name; default cycles)" },
	{ OPT_SAMPLER, "sampler", "NAME",
	  "pmu (default: perf_event overflows), itimer (setitimer) or ctimer (timer_create)" },
	{ 'F', "freq", "HZ", "samples per second per busy CPU (default 1000; 100 for timers)" },
	{ 'c', "count", "PERIOD", "one sample every PERIOD events instead of -F" },
	{ OPT_CALL_GRAPH, "call-graph", "MODE", "dwarf[,SIZE] (default, 32768 bytes), fp or none" },
	{ 'g', NULL, NULL, "call graphs the default way (--call-graph dwarf), as perf's -g" },
	{ 'o', "output", "FILE", "write to FILE (default pmuprof.data; the old one is kept as .old)" },
	{ 'p', "pid", "PID", "sample an existing process and all its threads" },
	{ 't', "tid", "TID", "sample one existing thread" },
	{ 'a', "all-cpus", NULL, "sample everything on every CPU" },
	{ OPT_DURATION, "duration", "SECONDS", "stop after SECONDS (with -p, -t, -a)" },
	{ 'm', "mmap-pages", "N", "ring buffer pages per CPU, a power of two (default: fit the rate)" },
	{ OPT_NO_FALLBACK, "no-fallback", NULL, "fail instead of sampling cpu-clock without a PMU" },
	{ OPT_OFF_CPU, "off-cpu", NULL,
	  "also record where threads wait: every context switch, with the stack it left from" },
	{ OPT_OFF_CPU_MIN_STACK, "off-cpu-min-stack", "TIME",
	  "waits shorter than TIME keep their length, not their stack (e.g. 500us, 2ms)" },
	{ OPT_SWITCH_OUTPUT, "switch-output", "TIME",
	  "a new file every TIME (seconds, or 30s, 5m...) or 'signal', and on SIGUSR2" },
	{ 'q', "quiet", NULL, "no summary at the end" },
	{ 'h', "help", NULL, "show this help" },
};

enum sampler_kind {
	SAMPLER_PMU,
	SAMPLER_ITIMER,
	SAMPLER_CTIMER,
};

static const char *const sampler_names[] = { "pmu", "itimer", "ctimer" };

struct record_opts {
	const char *event;
	struct rec_sampling smp;
	const char *output;
	struct cmd_target_opts tgt;
	unsigned long pages;
	bool no_fallback, quiet, event_set;
	bool off_cpu, min_stack_set;
	uint64_t min_stack_ns;
	bool switch_output;
	uint64_t switch_every_ns; /* 0: on SIGUSR2 only */
	enum sampler_kind sampler;
	char **argv;
};

static int parse_call_graph(struct record_opts *o, const char *arg)
{
	const char *comma = strchr(arg, ',');
	size_t n = comma ? (size_t)(comma - arg) : strlen(arg);

	for (size_t i = 0; i < ARRAY_SIZE(rec_call_graph_names); i++) {
		if (strlen(rec_call_graph_names[i]) != n ||
		    strncmp(arg, rec_call_graph_names[i], n))
			continue;
		o->smp.cg = (enum rec_call_graph)i;
		if (!comma)
			return 0;
		if (o->smp.cg != REC_CG_DWARF ||
		    parse_ulong(comma + 1, 8, 65528, &o->smp.stack_size) < 0 ||
		    o->smp.stack_size % 8) {
			error("--call-graph dwarf,SIZE needs SIZE a multiple of 8 from 8 to 65528 "
			      "bytes, not '%s'",
			      comma + 1);
			return -1;
		}
		o->smp.stack_size_given = true;
		return 0;
	}
	error("--call-graph takes dwarf[,SIZE], fp or none, not '%s'", arg);
	return -1;
}

/* The timer samplers run inside a program pmuprof starts, and sample CPU time only. */
static int check_timer_options(struct record_opts *o)
{
	const char *name = sampler_names[o->sampler];

	if (o->tgt.kind != TARGET_WORKLOAD) {
		error("--sampler %s runs inside the program through LD_PRELOAD: give a command to "
		      "start, not -p, -t or -a (those need --sampler pmu)",
		      name);
		return -1;
	}
	if (o->event_set) {
		error("-e chooses the pmu sampler's event; --sampler %s samples CPU time with "
		      "SIGPROF and takes no event",
		      name);
		return -1;
	}
	if (o->smp.period) {
		error("-c counts events of the pmu sampler; --sampler %s takes a rate: use -F", name);
		return -1;
	}
	if (o->smp.cg == REC_CG_FP) {
		error("--call-graph fp needs the kernel's callchains; --sampler %s copies the stack: "
		      "use dwarf[,SIZE] or none",
		      name);
		return -1;
	}
	if (!o->smp.freq)
		o->smp.freq = DEFAULT_TIMER_FREQ;
	if (o->smp.freq > MAX_TIMER_FREQ) {
		error("-F %lu is above what a timer sampler can take (%d Hz)", o->smp.freq,
		      MAX_TIMER_FREQ);
		return -1;
	}
	return 0;
}

static int parse_sampler(struct record_opts *o, const char *arg)
{
	for (size_t i = 0; i < ARRAY_SIZE(sampler_names); i++) {
		if (!strcmp(arg, sampler_names[i])) {
			o->sampler = (enum sampler_kind)i;
			return 0;
		}
	}
	error("--sampler takes pmu, itimer or ctimer, not '%s'", arg);
	return -1;
}

static int parse_switch_output(struct record_opts *o, const char *arg)
{
	int ret = recswitch_parse(arg, &o->switch_every_ns);

	if (ret == -EOPNOTSUPP)
		return error("--switch-output switches files by time or on SIGUSR2, not by size: "
			     "give a time (such as 30s or 5m) or 'signal', not '%s'",
			     arg);
	if (ret == -ERANGE)
		return error("--switch-output needs a time from 0.1 s to a year, not '%s'", arg);
	if (ret < 0)
		return error("--switch-output takes a time (seconds, or a number with ms, s, m, h "
			     "or d: 30s, 5m) or 'signal' (on SIGUSR2 only), not '%s'",
			     arg);
	o->switch_output = true;
	return 0;
}

/* One option of record's own: 0, or -1 after a usage error. */
static int parse_option(struct record_opts *o, int c, char *arg)
{
	switch (c) {
	case 'e':
		o->event = arg;
		o->event_set = true;
		return 0;
	case OPT_SAMPLER:
		return parse_sampler(o, arg);
	case 'F':
		if (parse_ulong(arg, 1, 100000000, &o->smp.freq) < 0)
			return error("option '-F' needs a sampling frequency in Hz of 1 or more, "
				     "not '%s'",
				     arg);
		return 0;
	case 'c':
		if (parse_ulong(arg, 1, ULONG_MAX, &o->smp.period) < 0)
			return error("option '-c' needs a period of 1 or more events, not '%s'",
				     arg);
		return 0;
	case OPT_CALL_GRAPH:
		return parse_call_graph(o, arg);
	case 'g':
		/* perf's -g: the default way; a size set by --call-graph dwarf,SIZE stays */
		return parse_call_graph(o, "dwarf");
	case 'o':
		o->output = arg;
		return 0;
	case 'm':
		if (parse_ulong(arg, 1, 1ul << 20, &o->pages) < 0 || (o->pages & (o->pages - 1)))
			return error("option '-m' needs a power of two of pages, not '%s'", arg);
		return 0;
	case OPT_NO_FALLBACK:
		o->no_fallback = true;
		return 0;
	case OPT_OFF_CPU:
		o->off_cpu = true;
		return 0;
	case OPT_OFF_CPU_MIN_STACK:
		if (parse_duration_ns(arg, &o->min_stack_ns) < 0)
			return error("option '--off-cpu-min-stack' needs a time with its unit (ns, "
				     "us, ms or s), such as 500us or 2ms, not '%s'",
				     arg);
		o->min_stack_set = true;
		return 0;
	case OPT_SWITCH_OUTPUT:
		return parse_switch_output(o, arg);
	case 'q':
		o->quiet = true;
		return 0;
	default:
		return -1;
	}
}

/* What --switch-output cannot be combined with; -1 after a usage error. */
static int check_switch_options(const struct record_opts *o)
{
	if (!strcmp(o->output, "-"))
		return error("--switch-output writes a series of files named after -o's: give a "
			     "file name, not '-'");
	if (o->off_cpu)
		return error("--switch-output cannot be combined with --off-cpu: a wait may span "
			     "two files; record the waits without --switch-output");
	if (o->sampler != SAMPLER_PMU)
		return error("--switch-output cannot be combined with --sampler %s: the program's "
			     "own counts are kept for the whole run; use --sampler pmu",
			     sampler_names[o->sampler]);
	return 0;
}

/* What the options say together; -1 after a usage error. */
static int check_options(struct record_opts *o)
{
	if (cmd_check_target_options("sample", "record", o->tgt.nattach, o->argv,
				     o->tgt.duration) < 0)
		return -1;
	if (o->smp.freq && o->smp.period)
		return error("-F and -c cannot be combined: sample by frequency or by period");
	if (o->sampler != SAMPLER_PMU && check_timer_options(o) < 0)
		return -1;
	if (o->min_stack_set && !o->off_cpu)
		return error("--off-cpu-min-stack bounds what --off-cpu keeps: give --off-cpu too");
	if (o->off_cpu && o->sampler != SAMPLER_PMU)
		return error("--off-cpu records context switches beside the pmu sampler's "
			     "samples; it cannot be combined with --sampler %s",
			     sampler_names[o->sampler]);
	if (o->switch_output && check_switch_options(o) < 0)
		return -1;
	if (!o->smp.period && !o->smp.freq)
		o->smp.freq = REC_DEFAULT_FREQ;
	if (!o->pages)
		o->pages = recevents_ring_pages(&o->smp);
	if (o->smp.freq && o->sampler == SAMPLER_PMU) {
		long max = proc_read_long("/proc/sys/kernel/perf_event_max_sample_rate", 0);

		if (max > 0 && o->smp.freq > (unsigned long)max)
			return error("-F %lu is above kernel.perf_event_max_sample_rate (%ld): use "
				     "-F %ld or less, or raise the limit as root with sysctl -w "
				     "kernel.perf_event_max_sample_rate=%lu",
				     o->smp.freq, max, max, o->smp.freq);
	}
	return 0;
}

static int parse_options(struct record_opts *o, int argc, char **argv)
{
	struct cmd_parser p;
	char *arg;
	int c, ret = -1;

	memset(o, 0, sizeof(*o));
	o->event = "cycles";
	o->smp.cg = REC_CG_DWARF;
	o->smp.stack_size = DEFAULT_STACK;
	o->output = "pmuprof.data";
	o->tgt.kind = TARGET_WORKLOAD;
	o->pages = 0; /* sized from the rate unless -m is given */
	cmd_parser_init(&p, "record", "[options] [--] COMMAND [ARGS]  |  -p PID | -t TID | -a",
			record_options, ARRAY_SIZE(record_options), argc, argv);
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
		if (parse_option(o, c, arg) < 0)
			goto out;
	}
	if (optind < argc)
		o->argv = argv + optind;
	if (check_options(o) < 0)
		goto out;
	ret = 0;
out:
	cmd_parser_release(&p);
	return ret < 0 ? EXIT_USAGE : ret;
}

static int choose_event(const struct record_opts *o, struct rec_event *ev)
{
	struct event_list list = { 0 };
	struct event_error err;

	memset(ev, 0, sizeof(*ev));
	if (event_list_parse(&list, o->event, &err) < 0) {
		int ret = cmd_report_event_error(o->event, &err);

		event_error_release(&err);
		return ret;
	}
	if (list.nr != 1) {
		error("record samples one event, not %zu ('%s'); 'pmuprof stat' counts several",
		      list.nr, o->event);
		event_list_release(&list);
		return EXIT_USAGE;
	}
	ev->attr = list.ev[0].attr;
	ev->name = xstrdup(list.ev[0].name);
	ev->fstr = xstrdup(list.ev[0].fstr ? list.ev[0].fstr : list.ev[0].name);
	ev->explicit_plm = list.ev[0].explicit_plm;
	event_list_release(&list);
	return 0;
}

static enum shim_mode shim_mode(const struct record_opts *o)
{
	return o->sampler == SAMPLER_ITIMER ? SHIM_ITIMER : SHIM_CTIMER;
}

/* Sets up the shim: its library, the shared memory, the program's environment. */
static int prepare_shim(const struct record_opts *o, struct shimrec *shim, char **env)
{
	const char *name = sampler_names[o->sampler], *lib, *old = getenv("LD_PRELOAD");
	int ret = shimrec_check_program(o->argv[0]);

	switch (ret) {
	case -ENOEXEC:
		error("'%s' is statically linked: --sampler %s runs inside the program through "
		      "LD_PRELOAD, which only the dynamic loader reads; use --sampler pmu",
		      o->argv[0], name);
		return EXIT_FAIL;
	case -EPERM:
		error("'%s' is set-user-ID or set-group-ID: the dynamic loader ignores LD_PRELOAD "
		      "for it, so --sampler %s cannot run inside it; use --sampler pmu",
		      o->argv[0], name);
		return EXIT_FAIL;
	case -ELIBBAD:
		error("'%s' is not an x86-64 program: the %s sampler's library cannot be loaded "
		      "into it; use --sampler pmu",
		      o->argv[0], name);
		return EXIT_FAIL;
	default:
		break; /* not found or not executable: starting it says so */
	}
	lib = shimrec_library();
	if (!lib) {
		error("cannot find libpmuprof-shim.so, the timer samplers' library (looked at "
		      "$PMUPROF_SHIM, next to the pmuprof program and in %s): reinstall pmuprof "
		      "or point PMUPROF_SHIM at it",
		      shimrec_install_dir());
		return EXIT_FAIL;
	}
	if (strpbrk(lib, " :")) {
		error("the timer samplers' library '%s' has a space or colon in its path, which "
		      "LD_PRELOAD cannot carry: install pmuprof elsewhere or set PMUPROF_SHIM",
		      lib);
		return EXIT_FAIL;
	}
	ret = shimrec_open(shim, shim_mode(o), o->smp.freq,
			   o->smp.cg == REC_CG_DWARF ? (uint32_t)o->smp.stack_size : 0);
	if (ret < 0) {
		error_errno(-ret, "cannot create the memory shared with the %s sampler", name);
		return EXIT_FAIL;
	}
	env[0] = xasprintf("LD_PRELOAD=%s%s%s", lib, old && *old ? ":" : "", old ? old : "");
	env[1] = xasprintf("%s=%d", SHIM_ENV_FD, shim->fd);
	env[2] = NULL;
	return 0;
}

static void human_bytes(char *buf, size_t size, double b)
{
	static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	size_t u = 0;

	while (b >= 1024 && u + 1 < ARRAY_SIZE(units)) {
		b /= 1024;
		u++;
	}
	snprintf(buf, size, u ? "%.1f %s" : "%.0f %s", b, units[u]);
}

/* ---- one recording, step by step ---------------------------------------- */

/* Everything one recording holds; record_release() frees it whatever step failed. */
struct recording {
	struct record_opts o;
	int argc;
	char **argv; /* pmuprof's own, for the file's cmdline */
	bool timer;  /* a timer sampler (the shim), not the pmu one */
	bool counts_workload;
	struct rec_event ev;
	char *fallback; /* why ev is not what was asked, worded; or NULL */
	struct runloop rl;
	bool rl_open;
	struct workload wl;
	struct target t;
	struct sampler s, acct;
	size_t pages;
	/* --off-cpu */
	struct sampler sw;
	bool sw_samples; /* the kernel samples each switch-out: else stacks are read from outside */
	uint64_t min_stack_ns;
	struct offcpu *oc;
	struct offcpu_stats ocst;
	struct sampler trace;	     /* signals and wakeups, where permitted */
	struct traceev_layout tlay;  /* their tracepoints' fields */
	char *events_note;	     /* the header's off-cpu-events */
	uint64_t t_end;
	struct remotestack *rs; /* reads waiting threads' stacks from outside; NULL if not */
	uint8_t *rs_buf;
	uint64_t remote_failed; /* reads refused (permissions) */
	int remote_err;		/* the first refusal's -errno */
	struct shimrec shim;
	struct shimrec_stats shst;
	char *env[3];
	char *conflict;
	struct rec_sources src;
	struct data_writer *w;
	struct recwriter wr;
	bool recorded; /* the reader ran: keep the file, whatever happens */
	uint64_t t_start;
	double elapsed_s, cpu_before, cpu_s; /* elapsed_s: of the last file; cpu_s: the run's */
	double file_cpu_s;		     /* --switch-output: the last file's cpu_s */
	int error; /* a write error that ended recording */
	/*
	 * --switch-output: w is the file the writer thread fills, under the
	 * temporary name `temp`; files it switched away from are finished as
	 * they come back (finish_switched()).
	 */
	char *temp;
	unsigned int nfiles;	  /* files opened: the temporary names' numbers */
	uint64_t last_ms;	  /* the time in the last final name */
	uint64_t switch_at;	  /* CLOCK_MONOTONIC of the next timed switch; 0: none */
	unsigned long usr2_seen;  /* SIGUSR2s switched for */
	uint64_t file_start;	  /* CLOCK_MONOTONIC: when the current file began */
	uint64_t file_acct;	  /* the accounting total then */
	uint64_t file_open_ns;	  /* the time it took to begin it; 0 for the first */
	double file_cpu_before;	  /* -p: the process's CPU time then */
	bool publish_failed;	  /* a finished file kept its temporary name */
	struct kallsyms *ksyms;	  /* read once, for every file's kernel functions; or NULL */
	bool ksyms_read;
	/* over every file, for the summary */
	struct perfrec_stats total;
	uint64_t total_dropped, total_bytes, total_written;
};

/* What a file's trailer needs that is known only when it is switched away from. */
struct file_end {
	char *temp;
	uint64_t realtime_ms;
	double elapsed_s, cpu_s;
	uint64_t acct; /* the accounting counted during the file */
	uint64_t open_ns; /* the time the main thread took to begin it; 0 for the first */
};

/* The event to sample: the one asked for, or what a timer sampler stands for. */
static int pick_event(struct recording *r)
{
	if (!r->timer)
		return choose_event(&r->o, &r->ev);
	memset(&r->ev, 0, sizeof(r->ev));
	r->ev.name = xstrdup(sampler_names[r->o.sampler]);
	r->ev.fstr = xstrdup(r->o.sampler == SAMPLER_ITIMER
				     ? "setitimer(ITIMER_PROF): process CPU time, SIGPROF"
				     : "timer_create(CLOCK_THREAD_CPUTIME_ID) per thread, SIGPROF");
	return 0;
}

/* Signals, the file, the shim, the workload (not started yet) and the target. */
static int record_open(struct recording *r)
{
	const struct record_opts *o = &r->o;
	int ret = runloop_open(&r->rl);

	if (ret == 0) {
		r->rl_open = true;
		/* as perf: SIGUSR2 switches files with --switch-output, else it is ignored */
		ret = runloop_take_usr2(&r->rl);
	}
	if (ret < 0)
		return error_errno(-ret, "cannot set up signal handling"), EXIT_FAIL;
	if (o->switch_output)
		r->temp = recswitch_temp_name(o->output, ++r->nfiles);
	ret = data_writer_open(r->temp ? r->temp : o->output, &r->w);
	if (ret == -EISDIR || ret == -EINVAL)
		return error("cannot create '%s': it exists and is %s; give -o a file name",
			     r->temp ? r->temp : o->output,
			     ret == -EISDIR ? "a directory" : "not a regular file"),
		       EXIT_FAIL;
	if (ret < 0)
		return error_errno(-ret, "cannot create '%s'", r->temp ? r->temp : o->output),
		       EXIT_FAIL;
	if (r->timer) {
		ret = prepare_shim(o, &r->shim, r->env);
		if (ret)
			return ret;
		r->src.shim = &r->shim;
	}
	if (o->argv) {
		ret = workload_prepare(&r->wl, o->argv, &r->rl.mon.old_mask,
				       r->timer ? r->env : NULL);
		if (ret < 0)
			return error_errno(-ret, "cannot start '%s'", o->argv[0]), EXIT_FAIL;
	}
	/* a full file-size limit must give EFBIG, not kill the recorder */
	signal(SIGXFSZ, SIG_IGN);
	ret = target_init(&r->t, o->tgt.kind, r->counts_workload ? r->wl.pid : o->tgt.pid);
	if (ret == -ESRCH)
		return cmd_report_no_such_target(o->tgt.kind == TARGET_TID, (int)o->tgt.pid),
		       EXIT_FAIL;
	if (ret < 0)
		return error_errno(-ret, "cannot find what to sample"), EXIT_FAIL;
	return 0;
}

/* Why the event asked for is not the one sampled: warned, and kept in the file for report. */
static char *word_fallback(const struct rec_event *ev)
{
	return xasprintf("%s cannot be sampled here (%s); cpu-clock sampled instead%s", ev->asked,
			 ev->fallback_err == -ENOENT
			     ? "the kernel has no such event: no hardware "
			       "PMU, as in most virtual machines"
			     : cmd_explain_perf_error(ev->fallback_err, false),
			 ev->fallback_period ? " at 1000 Hz (a -c period counts the event asked "
					       "for, not nanoseconds)"
					     : "");
}

static int report_sampler_failure(const struct recording *r, int ret)
{
	const struct record_opts *o = &r->o;

	if (o->tgt.kind == TARGET_PID || o->tgt.kind == TARGET_TID)
		error("cannot sample %s %d with '%s': %s",
		      o->tgt.kind == TARGET_TID ? "thread" : "process", (int)o->tgt.pid, r->ev.name,
		      cmd_explain_perf_error(ret, false));
	else
		error("cannot sample '%s'%s: %s", r->ev.name,
		      o->tgt.kind == TARGET_CPUS ? " on all CPUs" : "",
		      cmd_explain_perf_error(ret, o->tgt.kind == TARGET_CPUS));
	return EXIT_FAIL;
}

/*
 * --off-cpu: the switch records, and the stack at each switch-out where
 * the kernel samples it for this user; else stacks are read from outside.
 */
static int open_switches(struct recording *r)
{
	/*
	 * A stack at every switch-out comes faster than samples at -F: root, not
	 * held to the locked-memory limit, gets rings four times the size
	 * (on a ping-pong of 40,000 switch-outs on one CPU, 4,000 to 19,000
	 * records lost with 512 pages, 0 to 1,200 with 2048).
	 */
	size_t pages = r->pages;

	if (geteuid() == 0 && pages < SWITCH_MAX_PAGES)
		pages = pages * 4 < SWITCH_MAX_PAGES ? pages * 4 : SWITCH_MAX_PAGES;
	int ret = recevents_open_switches(&r->sw, &r->s.attr, &r->t, &pages, r->counts_workload,
					  &r->sw_samples);

	if (ret < 0)
		return error("cannot record the context switches of %s for --off-cpu: %s",
			     r->o.argv ? r->o.argv[0] : "the target",
			     cmd_explain_perf_error(ret, r->o.tgt.kind == TARGET_CPUS)),
		       EXIT_FAIL;
	r->src.sw = &r->sw;
	r->min_stack_ns = r->o.min_stack_set ? r->o.min_stack_ns
			  : r->sw_samples    ? 0
					     : REMOTE_MIN_STACK_NS;
	if (!r->sw_samples)
		note("kernel.perf_event_paranoid is %d: the kernel does not sample context switches "
		     "for this user, so --off-cpu reads the stacks of waits longer than %.3g ms from "
		     "outside the program; CAP_PERFMON or sysctl -w kernel.perf_event_paranoid=1 "
		     "gives the stack of every switch",
		     counter_paranoid(), (double)r->min_stack_ns / 1e6);
	return 0;
}

/* Ring pages per CPU for the signal and wakeup tracepoints: a few dozen bytes each. */
#define TRACE_PAGES 256

/*
 * --off-cpu: signals and wakeups from the tracepoints on every CPU, where
 * this user may read them; else a note, and the header says why not.
 */
static void open_trace_events(struct recording *r)
{
	size_t pages = TRACE_PAGES < r->pages ? TRACE_PAGES : r->pages;
	const char *dir;
	int ret = traceev_load(&r->tlay, &dir);

	if (ret == -ENOENT) {
		r->events_note = xstrdup("none: no tracefs at /sys/kernel/tracing or "
					 "/sys/kernel/debug/tracing (as root: mount -t tracefs "
					 "nodev /sys/kernel/tracing)");
	} else if (ret == -EACCES || ret == -EPERM) {
		r->events_note = xasprintf(
			"none: the tracepoints' formats in %s are not readable by this user: "
			"record as root (or with CAP_PERFMON), or make %s readable to this user "
			"and sysctl -w kernel.perf_event_paranoid=-1",
			dir, dir);
	} else if (ret < 0) {
		r->events_note = xasprintf("none: the tracepoints' formats in %s cannot be read "
					   "(%s)",
					   dir,
					   ret == -EINVAL ? "not in the layout pmuprof reads"
							  : strerror(-ret));
	} else {
		ret = traceev_open(&r->trace, &r->tlay, &pages);
		if (ret == -EACCES || ret == -EPERM)
			r->events_note = xasprintf(
				"none: kernel.perf_event_paranoid is %d: reading tracepoints on "
				"every CPU needs CAP_PERFMON (or root) or sysctl -w "
				"kernel.perf_event_paranoid=-1",
				counter_paranoid());
		else if (ret < 0)
			r->events_note = xasprintf("none: the tracepoints cannot be opened (%s)",
						   strerror(-ret));
	}
	if (ret < 0) {
		note("--off-cpu records no signals or wakeups: %s", r->events_note + 6);
		return;
	}
	r->events_note = xstrdup("signals wakeups");
	r->src.trace = &r->trace;
}

/* The sampling event (with its fallbacks) or a timer sampler's side band, and accounting. */
static int open_events(struct recording *r)
{
	struct record_opts *o = &r->o;
	int ret;

	/* with --off-cpu the switches get rings of their own, within the same budget */
	r->pages = sampler_fit_pages(o->pages, (size_t)sysconf(_SC_NPROCESSORS_ONLN) *
						       (o->off_cpu ? 2 : 1));
	if (r->timer) {
		/* the program's maps and threads, and their CPU time, still come from the kernel */
		ret = recevents_open_accounting(&r->s, NULL, &r->t);
		if (ret < 0)
			return error("cannot follow '%s' with perf_event_open (its memory maps and "
				     "threads, which the %s sampler needs to name its samples): %s",
				     o->argv[0], r->ev.name, cmd_explain_perf_error(ret, false)),
			       EXIT_FAIL;
		r->ev.attr = r->s.attr;
		/* the side band's ring: the samples have their own */
		r->pages = o->pages = r->s.ring_pages;
	} else {
		ret = recevents_open_sampler(&r->s, &r->ev, &o->smp, !o->no_fallback, &r->t,
					     &r->pages, r->counts_workload);
		if (ret < 0)
			return report_sampler_failure(r, ret);
		if (r->ev.fallback_err)
			r->fallback = word_fallback(&r->ev);
	}
	r->src.s = &r->s;
	/*
	 * The truth per thread: without it the record still stands, compare says
	 * so. With --off-cpu the switch records give it (offcpu.h): a counter
	 * read at every switch would also keep the kernel from its cheap
	 * context swap, and switch-heavy programs would pay twice.
	 */
	if (!r->timer && r->counts_workload && !o->off_cpu &&
	    recevents_open_accounting(&r->acct, &r->s.attr, &r->t) == 0)
		r->src.acct = &r->acct;
	if (o->off_cpu) {
		ret = open_switches(r);
		if (ret)
			return ret;
		open_trace_events(r);
	}
	if (r->fallback)
		warning("%s (--no-fallback makes this an error)", r->fallback);
	if (r->ev.user_only)
		note("kernel.perf_event_paranoid is %d: sampling user space only; CAP_PERFMON or "
		     "sysctl -w kernel.perf_event_paranoid=1 samples the kernel too",
		     counter_paranoid());
	if (r->pages < o->pages)
		note("ring buffers of %zu pages per CPU, not %lu: that is what "
		     "kernel.perf_event_mlock_kb and RLIMIT_MEMLOCK allow",
		     r->pages, o->pages);
	return 0;
}

/* A file's metadata, the first records of every file. */
static void write_meta(const struct recording *r, struct data_writer *w)
{
	const struct record_opts *o = &r->o;
	struct recmeta m = {
		.argc = r->argc,
		.argv = r->argv,
		.sampler = sampler_names[o->sampler],
		.timer = r->timer,
		.event_requested = o->event,
		.ev = &r->ev,
		.fallback = r->fallback,
		.smp = &o->smp,
		.pages = r->pages,
		.target = o->tgt.kind,
		.pid = o->tgt.pid,
		.off_cpu = !o->off_cpu ? NULL : r->sw_samples ? "switch" : "remote",
		.off_cpu_min_stack = r->min_stack_ns,
		.off_cpu_events = r->events_note,
	};

	recmeta_write(w, &m);
	synth_vdso(w);
}

/* The file's metadata, and the processes that exist before sampling starts. */
static void write_header(struct recording *r)
{
	const struct record_opts *o = &r->o;

	write_meta(r, r->w);
	if (o->tgt.kind == TARGET_PID || o->tgt.kind == TARGET_TID) {
		synth_process(r->w, target_tgid(o->tgt.pid), 0);
	} else if (o->tgt.kind == TARGET_CPUS) {
		/*
		 * On first, then scan /proc: a task created in between is in both
		 * (harmless twice), none falls between the scan and the kernel's
		 * own FORK, COMM and MMAP records. Its samples wait in the rings
		 * until the reader starts. A task that exits before the scan
		 * reaches it but forked (without exec) while the events were on
		 * would leave its children nameless: the names alone are taken
		 * first, which is quick.
		 */
		synth_all_comms(r->w, 0);
		sampler_enable(&r->s);
		sampler_enable(&r->sw);
		synth_all_processes(r->w, 0);
	}
	if (o->tgt.kind == TARGET_PID)
		r->cpu_before = proc_cpu_seconds(o->tgt.pid);
}

/* The writer thread, then the events and the workload: from here on samples come. */
static int record_start(struct recording *r)
{
	int ret;

	if (r->o.off_cpu) {
		/* a reader that does not know the waits' samples must not take them for CPU time */
		ret = data_writer_set_version(r->w, PMUPROF_VERSION_KINDS);
		if (ret < 0)
			return error_errno(-ret, "cannot write '%s'", r->o.output), EXIT_FAIL;
		offcpu_new(&r->oc, r->w, r->min_stack_ns, r->counts_workload);
		if (r->o.tgt.kind == TARGET_CPUS)
			offcpu_keep_all_events(r->oc);
		/*
		 * Waits without a switch sample (all of them at paranoid 2; with -p,
		 * those that began before recording) get their stack read from
		 * outside, where there are stacks to unwind.
		 */
		if (r->o.smp.cg == REC_CG_DWARF && remotestack_new(&r->rs) == 0)
			r->rs_buf = xmalloc(r->o.smp.stack_size);
		/* -p, -t: threads may be waiting already; their first switch says */
		if (r->o.tgt.kind == TARGET_PID || r->o.tgt.kind == TARGET_TID)
			for (size_t k = 0; k < r->t.nr; k++)
				offcpu_thread_exists(r->oc, (uint32_t)target_tgid(r->t.inst[k].pid),
						     (uint32_t)r->t.inst[k].pid, runloop_now_ns());
	}
	if (recwriter_open(&r->wr, r->w, &r->ev.attr, r->oc) < 0)
		return error("cannot start the writer thread"), EXIT_FAIL;
	if (r->src.trace) {
		r->wr.pr.trace = &r->tlay;
		/* every CPU's, kept for the profiled threads from the start */
		sampler_enable(&r->trace);
	}
	/*
	 * The rings fill while the workload keeps every CPU busy: a reader that
	 * waits its turn loses samples. Where allowed (root), it gets a better
	 * nice value than the workload and the writer thread, which keep theirs.
	 */
	setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), -10);
	if (!r->counts_workload && r->o.tgt.kind != TARGET_CPUS) {
		sampler_enable(&r->s);
		sampler_enable(&r->sw);
	}
	if (r->oc && r->counts_workload)
		/* on a CPU from its exec, where the events start */
		offcpu_thread_runs(r->oc, (uint32_t)r->wl.pid, (uint32_t)r->wl.pid,
				   runloop_now_ns());
	if (r->o.argv) {
		ret = workload_start(&r->wl);
		if (ret < 0)
			return cmd_report_exec_failure(r->o.argv[0], ret);
		/* the run loop reaps it from now on */
		r->rl.pid = r->wl.pid;
		r->wl.pid = -1;
	}
	r->recorded = true;
	r->t_start = runloop_now_ns();
	return 0;
}

/*
 * A waiting thread's stack read from outside, as a REC_SAMPLE for the
 * tracker (behind the time it was read by): the registers in regs-mask
 * order (bp, sp, ip), bp unknown.
 */
static int push_capture(struct recording *r, const struct offcpu_waiter *w,
			const struct remote_capture *cap)
{
	size_t rec = record_size(sizeof(struct rec_sample), 3 * 8 + cap->size);
	uint8_t *buf = xcalloc(1, 8 + rec);
	struct rec_sample *s = (struct rec_sample *)(buf + 8);
	uint64_t regs[3] = { 0, cap->sp, cap->ip };

	memcpy(buf, &cap->end_ns, 8);
	s->h.type = REC_SAMPLE;
	s->h.size = (uint32_t)rec;
	s->h.misc = SAMPLE_SOURCE_REMOTE;
	if (cap->size >= r->o.smp.stack_size)
		s->h.misc |= SAMPLE_STACK_FULL;
	s->pid = w->pid;
	s->tid = w->tid;
	s->time = cap->begin_ns;
	s->ip = cap->ip;
	s->nregs = 3;
	s->stack_size = (uint32_t)cap->size;
	memcpy(s + 1, regs, sizeof(regs));
	memcpy((uint8_t *)(s + 1) + sizeof(regs), r->rs_buf, cap->size);
	return recwriter_push(&r->wr, buf, 8 + rec, RW_CAPTURE);
}

/* The threads that have waited for --off-cpu-min-stack and have no stack yet. */
static int read_waiting_stacks(struct recording *r)
{
	struct offcpu_waiter w[64];
	uint64_t now = runloop_now_ns();
	size_t n;
	int err = 0;

	if (now < r->min_stack_ns)
		return 0;
	n = offcpu_waiting(r->oc, now - r->min_stack_ns, w, ARRAY_SIZE(w));
	for (size_t i = 0; i < n && !err; i++) {
		struct remote_capture cap;
		int ret = remotestack_read(r->rs, (pid_t)w[i].pid, (pid_t)w[i].tid, r->rs_buf,
					   r->o.smp.stack_size, &cap);

		if (ret == 0) {
			err = push_capture(r, &w[i], &cap);
		} else if (ret == -EAGAIN) {
			offcpu_retry(r->oc, w[i].tid); /* it ran meanwhile: ask again */
		} else if (ret == -ESRCH) {
			remotestack_forget(r->rs, (pid_t)w[i].tid);
		} else {
			r->remote_failed++;
			if (!r->remote_err)
				r->remote_err = ret;
		}
	}
	return err;
}

/* ---- --switch-output ---------------------------------------------------- */

/* The name of the file being written. */
static const char *current_name(const struct recording *r)
{
	return r->temp ? r->temp : r->o.output;
}

static uint64_t realtime_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* The target's CPU time since the current file began, in seconds; < 0 when unknown. */
static double file_cpu_seconds(const struct recording *r, uint64_t acct_now, uint64_t now)
{
	double cpu;

	if (r->src.acct)
		return (double)(acct_now - r->file_acct) / 1e9;
	if (r->o.tgt.kind == TARGET_PID && r->file_cpu_before >= 0) {
		cpu = proc_cpu_seconds(r->o.tgt.pid);
		return cpu >= 0 ? cpu - r->file_cpu_before : -1;
	}
	if (r->o.tgt.kind == TARGET_CPUS)
		return (double)(now - r->file_start) / 1e9 * (double)sysconf(_SC_NPROCESSORS_ONLN);
	return -1;
}

/*
 * What a file that begins in the middle of the run needs to name its
 * samples: the maps and thread names of every process sampled, as now.
 * Threads and processes that begin later come with the kernel's records.
 */
static void synth_target(const struct recording *r, struct data_writer *w)
{
	const struct record_opts *o = &r->o;

	/* a process that exited meanwhile has nothing to name; a write error shows at the end */
	switch (o->tgt.kind) {
	case TARGET_WORKLOAD:
		synth_process_tree(w, r->rl.pid, 0);
		break;
	case TARGET_PID:
		synth_process_tree(w, target_tgid(o->tgt.pid), 0);
		break;
	case TARGET_TID:
		synth_process(w, target_tgid(o->tgt.pid), 0);
		break;
	case TARGET_CPUS:
		synth_all_processes(w, 0);
		break;
	}
}

/*
 * --switch-output: the kernel's symbol table, read once for every file.
 * Reading it takes some 100 ms, which at a switch would keep the main
 * thread from the rings: it is read before sampling starts.
 */
static void read_kernel_symbols(struct recording *r)
{
	if (r->ksyms_read)
		return;
	r->ksyms_read = true;
	if (kallsyms_new_from_proc(&r->ksyms, NULL) < 0)
		r->ksyms = NULL; /* report names what it can, on this boot */
}

/* The kernel functions of a file's samples; a write error shows when the file is finished. */
static void name_kernel_functions(struct recording *r, struct perfrec *pr)
{
	if (!r->o.switch_output) {
		perfrec_name_kernel_functions(pr);
		return;
	}
	read_kernel_symbols(r);
	if (r->ksyms && pr->nkernel_ips)
		perfrec_write_ksyms(pr, r->ksyms);
}

/* The counts of a finished file into the recording's. */
static void add_file(struct recording *r, const struct data_writer *w,
		     const struct perfrec_stats *st, uint64_t dropped)
{
	perfrec_stats_add(&r->total, st);
	r->total_dropped += dropped;
	r->total_bytes += data_writer_bytes(w);
	r->total_written += data_writer_samples(w);
}

/* A finished file under its final name, said on stderr. */
static void publish(struct recording *r, const char *temp, uint64_t closed_ms,
		    const struct perfrec_stats *st, uint64_t dropped)
{
	char *final;
	int ret = recswitch_publish(r->o.output, temp, closed_ms, &r->last_ms, &final);

	if (ret < 0) {
		error("cannot rename '%s' to '%s.<time>': %s; it stays under its temporary name",
		      temp, r->o.output, strerror(-ret));
		r->publish_failed = true;
		return;
	}
	if (!r->o.quiet)
		fprintf(stderr, "[ pmuprof record: '%s': %llu samples, %llu lost ]\n", final,
			(unsigned long long)st->samples,
			(unsigned long long)(st->lost_ring + st->lost_samples + dropped));
	free(final);
}

/*
 * The files the writer thread has switched away from: their kernel
 * functions, the threads' CPU time and the statistics into their trailers,
 * then each under its final name.
 */
static void finish_switched(struct recording *r)
{
	struct recwriter_switched *sw;

	while ((sw = recwriter_take_switched(&r->wr))) {
		struct file_end *fe = sw->arg;
		struct perfrec *pr = &sw->pr;
		struct recmeta_stats ms = {
			.st = &pr->st,
			.lost_writer = sw->dropped,
			.elapsed_s = fe->elapsed_s,
			.cpu_s = fe->cpu_s,
			.exit_status = -1,
			.switch_open_ns = fe->open_ns,
		};
		int ret;

		/* the threads that run on: what the kernel counted during the file, less the ended */
		if (r->counts_workload && r->src.acct && fe->acct > pr->st.task_cpu_ns)
			perfrec_write_task_cpu(pr, (uint32_t)r->rl.pid, (uint32_t)r->rl.pid,
					       pr->st.last_time, fe->acct - pr->st.task_cpu_ns);
		name_kernel_functions(r, pr);
		/* each file stands alone: the JIT files of its processes, as they are now */
		perfrec_store_jit(pr);
		recmeta_write_stats(pr->w, &ms);
		ret = data_writer_finish(pr->w);
		add_file(r, pr->w, &pr->st, sw->dropped);
		if (ret < 0) {
			error("cannot write '%s': %s; recording stopped, and the file keeps what was "
			      "written before",
			      fe->temp, strerror(-ret));
			if (!r->error)
				r->error = ret;
		} else {
			publish(r, fe->temp, fe->realtime_ms, &pr->st, sw->dropped);
		}
		data_writer_close(pr->w);
		free(fe->temp);
		free(fe);
		recwriter_switched_free(sw);
	}
}

/*
 * Closes the current file at `now`, after the rings were emptied into it:
 * the next one is opened with its metadata and the processes as they are,
 * and the writer thread switches to it between the records drained before
 * and those drained after, so that none is lost or written twice.
 */
static int switch_file(struct recording *r, uint64_t now)
{
	uint64_t acct = r->src.acct ? recevents_accounting_total(r->src.acct) : 0;
	char *temp = recswitch_temp_name(r->o.output, r->nfiles + 1);
	struct data_writer *next;
	struct file_end *fe;
	int ret = data_writer_open(temp, &next);

	if (ret < 0) {
		error_errno(-ret, "cannot create '%s' for --switch-output", temp);
		free(temp);
		return ret;
	}
	r->nfiles++;
	write_meta(r, next);
	synth_target(r, next);
	fe = xcalloc(1, sizeof(*fe));
	fe->temp = r->temp;
	fe->realtime_ms = realtime_ms();
	fe->elapsed_s = (double)(now - r->file_start) / 1e9;
	fe->cpu_s = file_cpu_seconds(r, acct, now);
	fe->acct = acct - r->file_acct;
	fe->open_ns = r->file_open_ns;
	ret = recwriter_switch(&r->wr, next, fe);
	if (ret < 0) {
		data_writer_abandon(next);
		data_writer_close(next);
		free(temp);
		free(fe);
		return ret;
	}
	r->temp = temp;
	r->w = next;
	r->file_start = now;
	r->file_acct = acct;
	/* what a switch keeps the main thread from the rings, for contrib/bench/switch-output.sh */
	r->file_open_ns = runloop_now_ns() - now;
	if (r->o.tgt.kind == TARGET_PID)
		r->file_cpu_before = proc_cpu_seconds(r->o.tgt.pid);
	return 0;
}

/* A switch when its time has come or SIGUSR2 asked for one; then the next one's time. */
static int switch_if_due(struct recording *r)
{
	uint64_t now = runloop_now_ns();
	int ret;

	if (r->rl.usr2 == r->usr2_seen && !(r->switch_at && now >= r->switch_at))
		return 0;
	r->usr2_seen = r->rl.usr2;
	ret = switch_file(r, now);
	/* the time counts from the last switch, whatever made it */
	if (r->o.switch_every_ns)
		r->rl.wake_by_ns = r->switch_at = now + r->o.switch_every_ns;
	return ret;
}

/* After every wake of the run loop: empty the rings into the writer's queue, switch when due. */
static int drain_now(void *arg)
{
	struct recording *r = arg;

	r->error = recwriter_drain(&r->wr, &r->src);
	if (!r->error && r->rs)
		r->error = read_waiting_stacks(r);
	if (r->o.switch_output) {
		if (!r->error)
			r->error = switch_if_due(r);
		finish_switched(r);
	}
	return r->error;
}

/* Every half --off-cpu-min-stack, within 1 to 100 ms. */
static int remote_poll_ms(uint64_t min_stack_ns)
{
	uint64_t ms = min_stack_ns / 2000000;

	return ms < 1 ? 1 : ms > 100 ? 100 : (int)ms;
}

/*
 * Reads the rings until the run ends, then the rest. A failed wait ends
 * the recording as its end would.
 */
static void record_wait(struct recording *r)
{
	size_t nfds;
	int *fds = rec_sources_fds(&r->src, &nfds);

	r->rl.target = &r->t;
	r->rl.duration = r->o.tgt.duration;
	r->rl.fds = fds;
	r->rl.nfds = nfds;
	r->rl.max_wait_ms = r->timer ? SHIM_POLL_MS : 250;
	/* stacks read from outside: look often enough to catch waits of min-stack */
	if (r->rs && !r->sw_samples)
		r->rl.max_wait_ms = remote_poll_ms(r->min_stack_ns);
	r->rl.woke = drain_now;
	r->rl.arg = r;
	runloop_start(&r->rl);
	r->file_start = r->rl.start_ns;
	r->file_cpu_before = r->cpu_before;
	if (r->o.switch_every_ns)
		r->rl.wake_by_ns = r->switch_at = r->file_start + r->o.switch_every_ns;
	runloop_run(&r->rl);
	sampler_disable(&r->s);
	sampler_disable(&r->sw);
	sampler_disable(&r->trace);
	r->t_end = runloop_now_ns();
	if (!r->error)
		r->error = recwriter_drain(&r->wr, &r->src);
	r->elapsed_s = (double)(r->t_end - r->file_start) / 1e9;
	free(fds);
	if (r->src.acct)
		sampler_disable(r->src.acct);
	if (r->error) {
		error("cannot write '%s': %s; recording stopped, and the file keeps what was "
		      "written before",
		      current_name(r), strerror(-r->error));
		/* the workload is the user's: let it finish, unsampled */
		runloop_let_finish(&r->rl);
	} else {
		/* -p/-t/-a with a command that outlived --duration */
		runloop_stop(&r->rl);
	}
}

/* Once the writer is done: what the kernel and the shim know only at the end. */
static void record_finish(struct recording *r)
{
	const struct perfrec_stats *st = &r->wr.pr.st;
	const struct rusage *ru = &r->rl.ru;

	recwriter_finish(&r->wr);
	/* the files switched away from first, so that the names follow the order of the files */
	finish_switched(r);
	/* signals and wakeups the writer's full queue dropped are lost as the ring's are */
	r->wr.pr.st.lost_trace += r->wr.dropped_trace;
	if (r->oc) {
		/* the writer thread is done: the intervals still open end with the recording */
		int ret = offcpu_finish(r->oc, r->t_end);

		if (ret < 0 && !r->error)
			r->error = ret;
		offcpu_get_stats(r->oc, &r->ocst);
	}
	if (r->counts_workload && r->rl.pid > 0 && (r->src.acct || r->timer)) {
		/* the threads still running at the end: the main thread, usually */
		uint64_t total = recevents_accounting_total(r->src.acct ? r->src.acct : &r->s) -
				 r->file_acct;

		if (total > st->task_cpu_ns)
			perfrec_write_task_cpu(&r->wr.pr, (uint32_t)r->rl.pid, (uint32_t)r->rl.pid,
					       st->last_time, total - st->task_cpu_ns);
	}
	/* a write error shows at data_writer_finish() */
	name_kernel_functions(r, &r->wr.pr);
	/* the JIT files of the processes still running: they may be gone at report time */
	perfrec_store_jit(&r->wr.pr);
	if (r->timer) {
		/* the kernel's CPU time of the program: what the signals should match */
		shimrec_stats(&r->shim, st->task_cpu_ns, &r->shst);
		r->conflict = shimrec_conflict(&r->shst, shim_mode(&r->o), r->t_start);
	}
	/* the last file's part of the run, as the others' */
	r->file_cpu_s = file_cpu_seconds(r, r->src.acct ? recevents_accounting_total(r->src.acct) : 0,
					 r->t_end);
	r->cpu_s = -1;
	if (r->counts_workload && r->rl.have_status)
		r->cpu_s = (double)(ru->ru_utime.tv_sec + ru->ru_stime.tv_sec) +
			   (double)(ru->ru_utime.tv_usec + ru->ru_stime.tv_usec) / 1e6;
	else if (r->o.tgt.kind == TARGET_PID && r->cpu_before >= 0 &&
		 proc_cpu_seconds(r->o.tgt.pid) >= 0)
		r->cpu_s = proc_cpu_seconds(r->o.tgt.pid) - r->cpu_before;
	else if (r->o.tgt.kind == TARGET_CPUS)
		/* the whole run's, not the last file's */
		r->cpu_s = (double)(r->t_end - r->rl.start_ns) / 1e9 *
			   (double)sysconf(_SC_NPROCESSORS_ONLN);
}

/* The run's statistics into the file's trailer, and the file closed. */
static void write_stats(struct recording *r)
{
	uint64_t dropped = r->wr.dropped - r->wr.dropped_switched;
	struct recmeta_stats ms = {
		.st = &r->wr.pr.st,
		.lost_writer = dropped,
		.shim = r->timer ? &r->shst : NULL,
		.conflict = r->conflict,
		.elapsed_s = r->elapsed_s,
		.cpu_s = r->o.switch_output ? r->file_cpu_s : r->cpu_s,
		.exit_status = r->rl.have_status ? cmd_exit_status(r->rl.wstatus) : -1,
		.switch_open_ns = r->file_open_ns,
		.off = r->oc ? &r->ocst : NULL,
	};
	int ret;

	recmeta_write_stats(r->w, &ms);
	/* that record looked for JIT files: a report does not look on disk for more */
	data_writer_stat_u64(r->w, "jit-files", r->wr.pr.jit.stored);
	ret = data_writer_finish(r->w);
	add_file(r, r->w, &r->wr.pr.st, dropped);
	if (ret < 0 && !r->error) {
		error("cannot write '%s': %s; the file keeps what was written before",
		      current_name(r), strerror(-ret));
		r->error = ret;
	}
	if (ret == 0 && r->temp)
		publish(r, r->temp, realtime_ms(), &r->wr.pr.st, dropped);
}

static void print_off_cpu_summary(const struct recording *r)
{
	const struct offcpu_stats *oc = &r->ocst;

	fprintf(stderr,
		"[ pmuprof record: off CPU: %llu waits, %.3f s blocked, %.3f s runnable; stacks: "
		"%llu at the switch-out, %llu read from outside, %llu without (%.3f s)",
		(unsigned long long)oc->intervals, (double)oc->blocked_ns / 1e9,
		(double)oc->runnable_ns / 1e9, (unsigned long long)oc->by_source[0],
		(unsigned long long)oc->by_source[1], (unsigned long long)oc->by_source[2],
		(double)oc->ns_no_stack / 1e9);
	if (r->src.trace)
		fprintf(stderr, "; %llu signals, %llu wakeups ]\n", (unsigned long long)oc->signals,
			(unsigned long long)oc->wakeups);
	else
		fputs("; signals and wakeups not recorded ]\n", stderr);
	if (r->wr.pr.st.lost_trace)
		warning("%llu signals and wakeups were lost (their ring buffers were full, or the "
			"writer was behind): the recording misses them",
			(unsigned long long)r->wr.pr.st.lost_trace);
}

/* The one-line summary and the warnings on what was lost or throttled. */
static void print_summary(const struct recording *r)
{
	/* every file's, with --switch-output */
	const struct perfrec_stats *st = &r->total;
	const struct record_opts *o = &r->o;
	char size[32], rate[96] = "", where[64];
	uint64_t lost = st->lost_ring + st->lost_samples + r->total_dropped + st->lost_shim;
	uint64_t lost_switches = st->lost_ring_switches + st->lost_samples_switches;
	/* the off-CPU waits are samples in the file too */
	uint64_t all = st->samples + (r->oc ? r->ocst.intervals : 0);
	uint64_t unwritten = all - r->total_written;
	double bytes = (double)r->total_bytes;

	human_bytes(size, sizeof(size), bytes);
	if (r->cpu_s > 0 && o->smp.freq)
		snprintf(rate, sizeof(rate), "; %lu Hz requested, %.0f Hz delivered per CPU second",
			 o->smp.freq, (double)st->samples / r->cpu_s);
	if (o->switch_output)
		snprintf(where, sizeof(where), "%u file%s", r->nfiles, r->nfiles == 1 ? "" : "s");
	fprintf(stderr,
		"[ pmuprof record: %llu samples of %s%s; %llu lost, %llu throttled; %s in %s%s%s "
		"(%.0f bytes per sample) ]\n",
		(unsigned long long)st->samples, r->ev.name, rate, (unsigned long long)lost,
		(unsigned long long)st->throttled, size, o->switch_output ? "" : "'",
		o->switch_output ? where : o->output, o->switch_output ? "" : "'",
		all ? bytes / (double)all : 0.0);
	if (o->smp.cg == REC_CG_DWARF && st->samples)
		fprintf(stderr,
			"[ pmuprof record: %lu-byte stack copies (%s); %.2f%% of the samples filled "
			"the copy, whose stacks may be cut short ]\n",
			o->smp.stack_size,
			o->smp.stack_size_given ? "as --call-graph asked"
						: "the default, which holds the whole stacks of most "
						  "programs",
			100.0 * (double)st->samples_stack_full / (double)st->samples);
	if (r->oc)
		print_off_cpu_summary(r);
	if (lost && r->timer)
		warning("%llu samples were lost in the program (a thread's ring was full or it "
			"had none); a lower -F or a smaller --call-graph dwarf,SIZE helps",
			(unsigned long long)lost);
	else if (lost > lost_switches)
		warning("%llu samples were lost (%llu: ring buffer full, %llu: dropped by the "
			"kernel, %llu: writer behind); a larger --mmap-pages or a lower -F helps",
			(unsigned long long)(lost - lost_switches),
			(unsigned long long)(st->lost_ring - st->lost_ring_switches),
			(unsigned long long)(st->lost_samples - st->lost_samples_switches),
			(unsigned long long)r->total_dropped);
	if (lost_switches)
		warning("%llu records of context switches were lost (their ring buffers were full): "
			"the waits they began or ended are missing or merged with the next; a larger "
			"--mmap-pages, a smaller --call-graph dwarf,SIZE or --call-graph fp helps",
			(unsigned long long)lost_switches);
	if (r->timer)
		note("%s: %llu signals, %llu timer overruns (expirations merged into one signal), "
		     "%llu other SIGPROFs not sampled",
		     r->ev.name, (unsigned long long)r->shst.signals,
		     (unsigned long long)r->shst.overruns, (unsigned long long)r->shst.foreign);
	if (r->error && unwritten)
		warning("%llu of the %llu samples were not written to '%s' because of the write "
			"error",
			(unsigned long long)unwritten, (unsigned long long)all, current_name(r));
	if (st->throttled)
		warning("the kernel throttled sampling %llu times: the delivered rate is below the "
			"requested one (see kernel.perf_event_max_sample_rate)",
			(unsigned long long)st->throttled);
}

/* What the timer samplers did wrong, and stacks that could not be read: said even with -q. */
static void print_sampler_warnings(const struct recording *r)
{
	if (r->remote_failed)
		warning("--off-cpu could not read the stacks of %llu waits from outside the "
			"program: %s; those waits keep their length only",
			(unsigned long long)r->remote_failed,
			r->remote_err == -EPERM
			    ? "kernel.yama.ptrace_scope forbids it (it allows a process's own "
			      "descendants at 1: start the program under pmuprof record rather "
			      "than -p, or as root sysctl -w kernel.yama.ptrace_scope=0)"
			    : r->remote_err == -EACCES
				  ? "the process belongs to another user or is not dumpable"
				  : strerror(-r->remote_err));
	if (r->conflict)
		warning("%s sampler: %s", r->ev.name, r->conflict);
	if (r->timer && !r->shst.images)
		warning("the %s sampler never loaded in '%s' (LD_PRELOAD removed by a wrapper "
			"script, or a static or set-user-ID program): nothing was sampled",
			r->ev.name, r->o.argv[0]);
}

static void record_release(struct recording *r)
{
	recwriter_close(&r->wr);
	sampler_close(&r->s);
	sampler_close(&r->acct);
	sampler_close(&r->sw);
	sampler_close(&r->trace);
	free(r->events_note);
	offcpu_free(r->oc);
	remotestack_free(r->rs);
	free(r->rs_buf);
	target_release(&r->t);
	workload_abort(&r->wl);
	/* nothing was recorded: put the previous file back rather than leave an empty one */
	if (r->w && !r->recorded)
		data_writer_abandon(r->w);
	data_writer_close(r->w);
	shimrec_close(&r->shim);
	free(r->env[0]);
	free(r->env[1]);
	free(r->conflict);
	if (r->rl_open)
		runloop_close(&r->rl);
	rec_event_release(&r->ev);
	free(r->fallback);
	free(r->temp);
	kallsyms_free(r->ksyms);
}

int cmd_record(int argc, char **argv)
{
	struct recording r = { .wl = { .pid = -1, .go_fd = -1, .err_fd = -1 },
			       .shim = { .fd = -1 },
			       .cpu_before = -1,
			       .argc = argc,
			       .argv = argv };
	int status;

	status = parse_options(&r.o, argc, argv);
	if (status)
		return status == CMD_HELP_SHOWN ? EXIT_OK : status;
	r.timer = r.o.sampler != SAMPLER_PMU;
	r.counts_workload = r.o.tgt.kind == TARGET_WORKLOAD;
	status = pick_event(&r);
	if (status)
		return status;
	status = record_open(&r);
	if (!status)
		status = open_events(&r);
	if (!status && r.o.switch_output)
		read_kernel_symbols(&r);
	if (!status) {
		write_header(&r);
		status = record_start(&r);
	}
	if (!status) {
		record_wait(&r);
		record_finish(&r);
		write_stats(&r);
		if (!r.o.quiet)
			print_summary(&r);
		print_sampler_warnings(&r);
		status = r.error || r.publish_failed ? EXIT_FAIL
			 : r.rl.have_status	     ? cmd_exit_status(r.rl.wstatus)
						     : EXIT_OK;
	}
	record_release(&r);
	return status;
}
