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
#include "collect/perfrec.h"
#include "collect/recwriter.h"
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
#include "util/proc.h"

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#define DEFAULT_FREQ	    1000
#define DEFAULT_TIMER_FREQ  100	/* gperftools' and Go's default */
#define MAX_TIMER_FREQ	    100000
#define ACCT_PAGES	    64	/* the per-thread CPU accounting's ring, per CPU */
#define SHIM_POLL_MS	    20	/* how often the timer samplers' rings are emptied */
#define DEFAULT_STACK	    8192
#define MIN_PAGES	    512		 /* 2 MiB of ring per CPU at least */
#define MAX_AUTO_PAGES	    8192	 /* 32 MiB: the most pmuprof picks by itself */

enum {
	OPT_CALL_GRAPH = CMD_OPT_LONG_BASE,
	OPT_DURATION,
	OPT_NO_FALLBACK,
	OPT_SAMPLER,
};

static const struct cmd_option record_options[] = {
	{ 'e', "event", "EVENT", "the event to sample (libpfm4 name; default cycles)" },
	{ OPT_SAMPLER, "sampler", "NAME",
	  "pmu (default: perf_event overflows), itimer (setitimer) or ctimer (timer_create)" },
	{ 'F', "freq", "HZ", "samples per second per busy CPU (default 1000; 100 for timers)" },
	{ 'c', "count", "PERIOD", "one sample every PERIOD events instead of -F" },
	{ OPT_CALL_GRAPH, "call-graph", "MODE", "dwarf[,SIZE] (default, 8192 bytes), fp or none" },
	{ 'o', "output", "FILE", "write to FILE (default pmuprof.data; the old one is kept as .old)" },
	{ 'p', "pid", "PID", "sample an existing process and all its threads" },
	{ 't', "tid", "TID", "sample one existing thread" },
	{ 'a', "all-cpus", NULL, "sample everything on every CPU" },
	{ OPT_DURATION, "duration", "SECONDS", "stop after SECONDS (with -p, -t, -a)" },
	{ 'm', "mmap-pages", "N", "ring buffer pages per CPU, a power of two (default: fit the rate)" },
	{ OPT_NO_FALLBACK, "no-fallback", NULL, "fail instead of sampling cpu-clock without a PMU" },
	{ 'q', "quiet", NULL, "no summary at the end" },
	{ 'h', "help", NULL, "show this help" },
};

enum sampler_kind {
	SAMPLER_PMU,
	SAMPLER_ITIMER,
	SAMPLER_CTIMER,
};

static const char *const sampler_names[] = { "pmu", "itimer", "ctimer" };

enum call_graph {
	CG_DWARF,
	CG_FP,
	CG_NONE,
};

struct record_opts {
	const char *event;
	unsigned long freq, period;
	enum call_graph cg;
	unsigned long stack_size;
	const char *output;
	struct cmd_target_opts tgt;
	unsigned long pages;
	bool no_fallback, quiet, event_set;
	enum sampler_kind sampler;
	char **argv;
};

static const char *const cg_names[] = { "dwarf", "fp", "none" };

static int parse_call_graph(struct record_opts *o, const char *arg)
{
	const char *comma = strchr(arg, ',');
	size_t n = comma ? (size_t)(comma - arg) : strlen(arg);

	for (size_t i = 0; i < ARRAY_SIZE(cg_names); i++) {
		if (strlen(cg_names[i]) != n || strncmp(arg, cg_names[i], n))
			continue;
		o->cg = (enum call_graph)i;
		if (!comma)
			return 0;
		if (o->cg != CG_DWARF ||
		    parse_ulong(comma + 1, 8, 65528, &o->stack_size) < 0 || o->stack_size % 8) {
			error("--call-graph dwarf,SIZE needs SIZE a multiple of 8 from 8 to 65528 "
			      "bytes, not '%s'",
			      comma + 1);
			return -1;
		}
		return 0;
	}
	error("--call-graph takes dwarf[,SIZE], fp or none, not '%s'", arg);
	return -1;
}

/*
 * Ring pages per CPU that hold about a quarter second of samples at the
 * requested rate, so a reader that is kept off the CPU for a while by the
 * workload loses nothing. A period (-c) is taken as 4000 samples a second.
 */
static unsigned long ring_pages_for(const struct record_opts *o)
{
	unsigned long rate = o->freq ? o->freq : 4000;
	unsigned long per_sample = 96 + (o->cg == CG_DWARF ? o->stack_size + 48 : 0) +
				   (o->cg == CG_FP ? 1024 : 0);
	unsigned long want = rate * per_sample / 4 / (unsigned long)sysconf(_SC_PAGESIZE);
	unsigned long pages = MIN_PAGES;

	while (pages < want && pages < MAX_AUTO_PAGES)
		pages *= 2;
	return pages;
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
	if (o->period) {
		error("-c counts events of the pmu sampler; --sampler %s takes a rate: use -F", name);
		return -1;
	}
	if (o->cg == CG_FP) {
		error("--call-graph fp needs the kernel's callchains; --sampler %s copies the stack: "
		      "use dwarf[,SIZE] or none",
		      name);
		return -1;
	}
	if (!o->freq)
		o->freq = DEFAULT_TIMER_FREQ;
	if (o->freq > MAX_TIMER_FREQ) {
		error("-F %lu is above what a timer sampler can take (%d Hz)", o->freq,
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
		if (parse_ulong(arg, 1, 100000000, &o->freq) < 0)
			return error("option '-F' needs a sampling frequency in Hz of 1 or more, "
				     "not '%s'",
				     arg);
		return 0;
	case 'c':
		if (parse_ulong(arg, 1, ULONG_MAX, &o->period) < 0)
			return error("option '-c' needs a period of 1 or more events, not '%s'", arg);
		return 0;
	case OPT_CALL_GRAPH:
		return parse_call_graph(o, arg);
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
	case 'q':
		o->quiet = true;
		return 0;
	default:
		return -1;
	}
}

/* What the options say together; -1 after a usage error. */
static int check_options(struct record_opts *o)
{
	if (cmd_check_target_options("sample", "record", o->tgt.nattach, o->argv, o->tgt.duration) < 0)
		return -1;
	if (o->freq && o->period)
		return error("-F and -c cannot be combined: sample by frequency or by period");
	if (o->sampler != SAMPLER_PMU && check_timer_options(o) < 0)
		return -1;
	if (!o->period && !o->freq)
		o->freq = DEFAULT_FREQ;
	if (!o->pages)
		o->pages = ring_pages_for(o);
	if (o->freq && o->sampler == SAMPLER_PMU) {
		long max = proc_read_long("/proc/sys/kernel/perf_event_max_sample_rate", 0);

		if (max > 0 && o->freq > (unsigned long)max)
			return error("-F %lu is above kernel.perf_event_max_sample_rate (%ld): use "
				     "-F %ld or less, or raise the limit as root with sysctl -w "
				     "kernel.perf_event_max_sample_rate=%lu",
				     o->freq, max, max, o->freq);
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
	o->cg = CG_DWARF;
	o->stack_size = DEFAULT_STACK;
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

/* ---- metadata ----------------------------------------------------------- */

static uint64_t now_ns(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void cpu_model(char *buf, size_t size)
{
	char line[512];
	FILE *f = fopen("/proc/cpuinfo", "r");

	snprintf(buf, size, "unknown");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char *colon = strchr(line, ':');

		if (!strncmp(line, "model name", 10) && colon) {
			snprintf(buf, size, "%s", colon + 2);
			buf[strcspn(buf, "\n")] = '\0';
			break;
		}
	}
	fclose(f);
}

static void write_meta(struct data_writer *w, const struct record_opts *o, int argc, char **argv,
		       const struct perf_event_attr *attr, const char *event, const char *fstr,
		       const char *fallback, size_t pages, bool user_only)
{
	struct utsname u;
	char buf[4096], model[256];
	size_t n = 0;

	for (int i = 0; i < argc && n < sizeof(buf) - 1; i++)
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s%s", i ? " " : "", argv[i]);
	data_writer_meta_str(w, "cmdline", buf);
	if (uname(&u) == 0) {
		data_writer_meta_str(w, "host", u.nodename);
		data_writer_meta_str(w, "kernel", u.release);
		data_writer_meta_str(w, "arch", u.machine);
	}
	cpu_model(model, sizeof(model));
	data_writer_meta_str(w, "cpu", model);
	data_writer_meta_u64(w, "ncpus", (uint64_t)sysconf(_SC_NPROCESSORS_ONLN));
	data_writer_meta_str(w, "clock", "CLOCK_MONOTONIC");
	if (proc_read_line("/proc/sys/kernel/random/boot_id", buf, sizeof(buf)))
		data_writer_meta_str(w, "boot-id", buf);
	data_writer_meta_u64(w, "start-realtime-ns", now_ns(CLOCK_REALTIME));
	data_writer_meta_u64(w, "start-ns", now_ns(CLOCK_MONOTONIC));
	data_writer_meta_str(w, "sampler", sampler_names[o->sampler]);
	data_writer_meta_str(w, "event-requested", o->event);
	data_writer_meta_str(w, "event", event);
	data_writer_meta_str(w, "event-fstr", fstr ? fstr : event);
	if (fallback)
		data_writer_meta_str(w, "fallback", fallback);
	if (user_only)
		data_writer_meta_str(w, "privilege", "user space only (perf_event_paranoid)");
	data_writer_meta(w, "event-attr", attr, sizeof(*attr));
	if (o->freq)
		data_writer_meta_u64(w, "freq-hz", o->freq);
	else
		data_writer_meta_u64(w, "period", o->period);
	data_writer_meta_str(w, "call-graph", cg_names[o->cg]);
	data_writer_meta_u64(w, "stack-size", o->cg == CG_DWARF ? o->stack_size : 0);
	/* the shim records the registers it unwinds from even without a stack */
	data_writer_meta_u64(w, "regs-mask",
			     o->cg == CG_DWARF || o->sampler != SAMPLER_PMU ? SAMPLER_REGS_MASK : 0);
	data_writer_meta_u64(w, "ring-pages", pages);
	data_writer_meta_u64(w, "page-size", (uint64_t)sysconf(_SC_PAGESIZE));
	switch (o->tgt.kind) {
	case TARGET_WORKLOAD:
		data_writer_meta_str(w, "target", "command");
		break;
	case TARGET_PID:
		snprintf(buf, sizeof(buf), "process %d", (int)o->tgt.pid);
		data_writer_meta_str(w, "target", buf);
		break;
	case TARGET_TID:
		snprintf(buf, sizeof(buf), "thread %d", (int)o->tgt.pid);
		data_writer_meta_str(w, "target", buf);
		break;
	case TARGET_CPUS:
		data_writer_meta_str(w, "target", "all CPUs");
		break;
	}
}

/* ---- setting up the event ----------------------------------------------- */

static void sampling_attr(struct perf_event_attr *a, const struct record_opts *o, bool inherit)
{
	a->sample_type = PERF_SAMPLE_IP | PERF_SAMPLE_TID | PERF_SAMPLE_TIME | PERF_SAMPLE_CPU |
			 PERF_SAMPLE_PERIOD;
	if (o->cg == CG_DWARF) {
		/* the kernel's own frames come as a callchain; the user ones are unwound later */
		a->sample_type |= PERF_SAMPLE_REGS_USER | PERF_SAMPLE_STACK_USER |
				  PERF_SAMPLE_CALLCHAIN;
		a->exclude_callchain_user = 1;
		a->sample_regs_user = SAMPLER_REGS_MASK;
		a->sample_stack_user = (uint32_t)o->stack_size;
	} else if (o->cg == CG_FP) {
		a->sample_type |= PERF_SAMPLE_CALLCHAIN;
	}
	if (o->freq) {
		a->freq = 1;
		a->sample_freq = o->freq;
	} else {
		a->freq = 0;
		a->sample_period = o->period;
	}
	a->inherit = inherit;
	a->mmap = 1; /* the kernel only reports maps when this is set; mmap2 picks the format */
	a->mmap2 = 1;
	a->comm = 1;
	a->comm_exec = 1;
	a->task = 1;
	a->sample_id_all = 1;
	a->use_clockid = 1;
	a->clockid = CLOCK_MONOTONIC;
	a->watermark = 1;
}

static bool is_hardware(const struct perf_event_attr *a)
{
	return a->type == PERF_TYPE_HARDWARE || a->type == PERF_TYPE_HW_CACHE ||
	       a->type == PERF_TYPE_RAW || a->type >= PERF_TYPE_MAX;
}

struct event_choice {
	struct perf_event_attr attr;
	char *name;  /* what is sampled */
	char *fstr;
	char *fallback; /* why it is not what was asked, or NULL */
	bool explicit_plm;
	bool user_only;
};

static int choose_event(const struct record_opts *o, struct event_choice *ev)
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

static void use_cpu_clock(struct event_choice *ev, int why, struct record_opts *o)
{
	struct perf_event_attr a;
	char *fstr = NULL;

	memset(&a, 0, sizeof(a));
	event_encode("cpu-clock", &a, &fstr, NULL);
	ev->fallback = xasprintf("%s cannot be sampled here (%s); cpu-clock sampled instead%s",
				 ev->name,
				 why == -ENOENT ? "the kernel has no such event: no hardware PMU, as "
						  "in most virtual machines"
						: cmd_explain_perf_error(why, false),
				 o->period ? " at 1000 Hz (a -c period counts the event asked for, "
					     "not nanoseconds)"
					   : "");
	/* a period of cycles means nothing in nanoseconds of cpu-clock */
	if (o->period) {
		o->period = 0;
		o->freq = DEFAULT_FREQ;
	}
	free(ev->name);
	free(ev->fstr);
	ev->name = xstrdup("cpu-clock");
	ev->fstr = fstr ? fstr : xstrdup("cpu-clock");
	a.exclude_kernel = ev->attr.exclude_kernel;
	a.exclude_user = ev->attr.exclude_user;
	a.exclude_hv = ev->attr.exclude_hv;
	ev->attr = a;
}

/*
 * Opens the sampler, falling back to cpu-clock where the hardware event
 * does not exist and to user-space-only sampling where the kernel refuses
 * kernel samples. Returns 0 or -errno.
 */
static int open_sampler(struct sampler *s, struct event_choice *ev, struct record_opts *o,
			const struct target *t, size_t *pages, bool enable_on_exec)
{
	bool inherit = t->kind == TARGET_WORKLOAD || t->kind == TARGET_PID;
	struct perf_event_attr a;
	int ret;

	for (;;) {
		a = ev->attr;
		sampling_attr(&a, o, inherit);
		/* wake the reader when a quarter of the ring is full */
		a.wakeup_watermark = (uint32_t)(*pages * (size_t)sysconf(_SC_PAGESIZE) / 4);
		ret = sampler_open(s, &a, t, pages, enable_on_exec);
		if (ret == 0)
			break;
		if ((ret == -ENOENT || ret == -EOPNOTSUPP) && is_hardware(&ev->attr) &&
		    !o->no_fallback && !ev->fallback) {
			use_cpu_clock(ev, ret, o);
			continue;
		}
		if ((ret == -EACCES || ret == -EPERM) && !ev->explicit_plm && !ev->user_only &&
		    !ev->attr.exclude_kernel) {
			ev->attr.exclude_kernel = 1;
			ev->attr.exclude_hv = 1;
			ev->user_only = true;
			continue;
		}
		return ret;
	}
	ev->attr = s->attr;
	return 0;
}

/* ---- per-thread CPU accounting, and the timer samplers -------------------- */

/*
 * task-clock counted per thread by inheritance: with inherit_stat the kernel
 * reports each thread's count as it ends (PERF_RECORD_READ), the truth that
 * `pmuprof compare` holds every sampler to. Its records take the sampling
 * event's format, so one converter reads both rings. For a timer sampler,
 * which has no event of its own, it also carries the maps, names and
 * thread lifetimes (side band).
 */
static int open_accounting(struct sampler *acct, const struct perf_event_attr *sampling,
			   const struct target *t)
{
	struct perf_event_attr a;
	size_t pages = ACCT_PAGES;
	int ret;

	memset(&a, 0, sizeof(a));
	a.size = sizeof(a);
	a.type = PERF_TYPE_SOFTWARE;
	a.config = PERF_COUNT_SW_TASK_CLOCK;
	a.inherit = 1;
	a.inherit_stat = 1;
	a.sample_id_all = 1;
	a.use_clockid = 1;
	a.clockid = CLOCK_MONOTONIC;
	a.watermark = 1;
	a.wakeup_watermark = (uint32_t)(pages * (size_t)sysconf(_SC_PAGESIZE) / 4);
	if (sampling) {
		a.sample_type = sampling->sample_type;
		a.sample_regs_user = sampling->sample_regs_user;
		a.sample_stack_user = sampling->sample_stack_user;
		a.exclude_kernel = sampling->exclude_kernel;
	} else {
		a.sample_type = PERF_SAMPLE_TID | PERF_SAMPLE_TIME | PERF_SAMPLE_CPU;
		a.mmap = 1;
		a.mmap2 = 1;
		a.comm = 1;
		a.comm_exec = 1;
		a.task = 1;
	}
	/*
	 * A sampling event that reads its count (PERF_SAMPLE_READ) with
	 * inherit keeps the kernel from swapping contexts between threads at
	 * a context switch (Linux 6.12+); a swap can move the parent's events
	 * into a child thread, whose count is then never reported. Its period
	 * is never reached: it only counts.
	 */
	a.sample_type |= PERF_SAMPLE_READ;
	a.sample_period = 1ull << 62;
	ret = sampler_open(acct, &a, t, &pages, true);
	if (ret == -EINVAL) {
		a.sample_type &= ~(uint64_t)PERF_SAMPLE_READ;
		a.sample_period = 0;
		ret = sampler_open(acct, &a, t, &pages, true);
	}
	if ((ret == -EACCES || ret == -EPERM) && !a.exclude_kernel) {
		a.exclude_kernel = 1;
		ret = sampler_open(acct, &a, t, &pages, true);
	}
	return ret;
}

/* The task-clock of the threads that had not ended: the parent events' own counts. */
static uint64_t accounting_total(const struct sampler *acct)
{
	uint64_t total = 0, v;

	for (size_t i = 0; i < acct->nfds; i++)
		if (acct->fds[i] >= 0 && read(acct->fds[i], &v, sizeof(v)) == (ssize_t)sizeof(v))
			total += v;
	return total;
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
	ret = shimrec_open(shim, o->sampler == SAMPLER_ITIMER ? SHIM_ITIMER : SHIM_CTIMER,
			     o->freq, o->cg == CG_DWARF ? (uint32_t)o->stack_size : 0);
	if (ret < 0) {
		error("cannot create the memory shared with the %s sampler: %s", name,
		      strerror(-ret));
		return EXIT_FAIL;
	}
	env[0] = xasprintf("LD_PRELOAD=%s%s%s", lib, old && *old ? ":" : "", old ? old : "");
	env[1] = xasprintf("%s=%d", SHIM_ENV_FD, shim->fd);
	env[2] = NULL;
	return 0;
}

static double since_start(uint64_t t, uint64_t start)
{
	return t > start ? (double)(t - start) / 1e9 : 0;
}

/*
 * What the program did that makes a timer sampler's numbers doubtful, as
 * one line for the file and the user; NULL when nothing did.
 */
static char *shim_conflict(const struct shimrec_stats *st, enum sampler_kind k, uint64_t start)
{
	char buf[1024];
	size_t n = 0;

#define ADD(...) (n += (size_t)snprintf(buf + n, n < sizeof(buf) ? sizeof(buf) - n : 0, __VA_ARGS__))
	if (st->events & (1u << SHIM_EV_HANDLER_FOUND))
		ADD("%sa SIGPROF handler was installed before the sampler loaded; it received the "
		    "program's other SIGPROFs",
		    n ? "; " : "");
	if (st->events & (1u << SHIM_EV_OWN_HANDLER))
		ADD("%sthe program installed its own SIGPROF handler at %.3f s: pmuprof kept its "
		    "own and passed the program's other SIGPROFs on to it",
		    n ? "; " : "", since_start(st->event_time[SHIM_EV_OWN_HANDLER], start));
	if (st->events & (1u << SHIM_EV_OWN_ITIMER))
		ADD(k == SAMPLER_ITIMER ? "%sthe program set ITIMER_PROF at %.3f s, which this "
					  "sampler owns: its setting was not applied"
					: "%sthe program ran ITIMER_PROF from %.3f s; its signals "
					  "went to its own handler",
		    n ? "; " : "", since_start(st->event_time[SHIM_EV_OWN_ITIMER], start));
	if (st->events & (1u << SHIM_EV_TIMER_FAILED))
		ADD("%s%llu timer(s) could not be armed: some threads were not sampled",
		    n ? "; " : "", (unsigned long long)st->timer_failures);
	if (st->events & (1u << SHIM_EV_NO_SLOT))
		ADD("%sthreads beyond the shim's slots went unsampled", n ? "; " : "");
	if (st->bad_rings)
		ADD("%s%llu ring(s) held damaged records (the program wrote over them) and were "
		    "abandoned",
		    n ? "; " : "", (unsigned long long)st->bad_rings);
#undef ADD
	return n ? xstrdup(buf) : NULL;
}

/* CPU seconds of /proc/PID/stat (utime + stime), or -1. */
static double proc_cpu_seconds(pid_t pid)
{
	char path[64], line[1024];
	unsigned long ut, st;
	FILE *f;
	char *p;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	p = fgets(line, sizeof(line), f);
	fclose(f);
	if (!p || !(p = strrchr(line, ')')))
		return -1;
	if (sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &ut, &st) != 2)
		return -1;
	return (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
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

/*
 * Names the kernel functions the samples hit, into the file: /proc/kallsyms
 * is valid for this boot only. Without it (kptr_restrict hides addresses
 * from this user) report names what it can, on this boot.
 */
static void name_kernel_functions(struct perfrec *pr)
{
	struct kallsyms *k;

	if (pr->nkernel_ips && kallsyms_new_from_proc(&k) == 0) {
		perfrec_write_ksyms(pr, k); /* a write error shows at data_writer_finish() */
		kallsyms_free(k);
	}
}

/* ---- one recording, step by step ---------------------------------------- */

/* Everything one recording holds; record_release() frees it whatever step failed. */
struct recording {
	struct record_opts o;
	int argc;
	char **argv; /* pmuprof's own, for the file's cmdline */
	bool timer;  /* a timer sampler (the shim), not the pmu one */
	bool counts_workload;
	struct event_choice ev;
	struct runloop rl;
	bool rl_open;
	struct workload wl;
	struct target t;
	struct sampler s, acct;
	size_t pages;
	struct shimrec shim;
	struct shimrec_stats shst;
	char *env[3];
	char *conflict;
	struct rec_sources src;
	struct data_writer *w;
	struct recwriter wr;
	bool recorded; /* the reader ran: keep the file, whatever happens */
	uint64_t t_start;
	double elapsed_s, cpu_before, cpu_s;
	int error; /* a write error that ended recording */
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

	if (ret < 0)
		return error("cannot set up signal handling: %s", strerror(-ret)), EXIT_FAIL;
	r->rl_open = true;
	ret = data_writer_open(o->output, &r->w);
	if (ret == -EISDIR || ret == -EINVAL)
		return error("cannot create '%s': it exists and is %s; give -o a file name",
			     o->output, ret == -EISDIR ? "a directory" : "not a regular file"),
		       EXIT_FAIL;
	if (ret < 0)
		return error("cannot create '%s': %s", o->output, strerror(-ret)), EXIT_FAIL;
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
			return error("cannot start '%s': %s", o->argv[0], strerror(-ret)), EXIT_FAIL;
	}
	/* a full file-size limit must give EFBIG, not kill the recorder */
	signal(SIGXFSZ, SIG_IGN);
	ret = target_init(&r->t, o->tgt.kind, r->counts_workload ? r->wl.pid : o->tgt.pid);
	if (ret == -ESRCH)
		return cmd_report_no_such_target(o->tgt.kind == TARGET_TID, (int)o->tgt.pid), EXIT_FAIL;
	if (ret < 0)
		return error("cannot find what to sample: %s", strerror(-ret)), EXIT_FAIL;
	return 0;
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

/* The sampling event (with its fallbacks) or a timer sampler's side band, and accounting. */
static int open_events(struct recording *r)
{
	struct record_opts *o = &r->o;
	int ret;

	r->pages = sampler_fit_pages(o->pages, (size_t)sysconf(_SC_NPROCESSORS_ONLN));
	if (r->timer) {
		/* the program's maps and threads, and their CPU time, still come from the kernel */
		ret = open_accounting(&r->s, NULL, &r->t);
		if (ret < 0)
			return error("cannot follow '%s' with perf_event_open (its memory maps and "
				     "threads, which the %s sampler needs to name its samples): %s",
				     o->argv[0], r->ev.name, cmd_explain_perf_error(ret, false)),
			       EXIT_FAIL;
		r->ev.attr = r->s.attr;
		/* the side band's ring: the samples have their own */
		r->pages = o->pages = r->s.ring_pages;
	} else {
		ret = open_sampler(&r->s, &r->ev, o, &r->t, &r->pages, r->counts_workload);
		if (ret < 0)
			return report_sampler_failure(r, ret);
	}
	r->src.s = &r->s;
	/* the truth per thread: without it the record still stands, compare says so */
	if (!r->timer && r->counts_workload && open_accounting(&r->acct, &r->s.attr, &r->t) == 0)
		r->src.acct = &r->acct;
	if (r->ev.fallback)
		warning("%s (--no-fallback makes this an error)", r->ev.fallback);
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

/* The file's metadata, and the processes that exist before sampling starts. */
static void write_header(struct recording *r)
{
	const struct record_opts *o = &r->o;

	write_meta(r->w, o, r->argc, r->argv, &r->ev.attr, r->ev.name, r->ev.fstr, r->ev.fallback,
		   r->pages, r->ev.user_only);
	synth_vdso(r->w);
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
		synth_all_processes(r->w, 0);
	}
	if (o->tgt.kind == TARGET_PID)
		r->cpu_before = proc_cpu_seconds(o->tgt.pid);
}

/* The writer thread, then the events and the workload: from here on samples come. */
static int record_start(struct recording *r)
{
	int ret;

	if (recwriter_open(&r->wr, r->w, &r->ev.attr) < 0)
		return error("cannot start the writer thread"), EXIT_FAIL;
	/*
	 * The rings fill while the workload keeps every CPU busy: a reader that
	 * waits its turn loses samples. Where allowed (root), it gets a better
	 * nice value than the workload and the writer thread, which keep theirs.
	 */
	setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), -10);
	if (!r->counts_workload && r->o.tgt.kind != TARGET_CPUS)
		sampler_enable(&r->s);
	if (r->o.argv) {
		ret = workload_start(&r->wl);
		if (ret < 0)
			return cmd_report_exec_failure(r->o.argv[0], ret);
		/* the run loop reaps it from now on */
		r->rl.pid = r->wl.pid;
		r->wl.pid = -1;
	}
	r->recorded = true;
	r->t_start = now_ns(CLOCK_MONOTONIC);
	return 0;
}

/* After every wake of the run loop: empty the rings into the writer's queue. */
static int drain_now(void *arg)
{
	struct recording *r = arg;

	r->error = recwriter_drain(&r->wr, &r->src);
	return r->error;
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
	r->rl.woke = drain_now;
	r->rl.arg = r;
	runloop_start(&r->rl);
	runloop_run(&r->rl);
	sampler_disable(&r->s);
	if (!r->error)
		r->error = recwriter_drain(&r->wr, &r->src);
	r->elapsed_s = runloop_elapsed(&r->rl);
	free(fds);
	if (r->src.acct)
		sampler_disable(r->src.acct);
	if (r->error) {
		error("cannot write '%s': %s; recording stopped, and the file keeps what was "
		      "written before",
		      r->o.output, strerror(-r->error));
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
	if (r->counts_workload && r->rl.pid > 0 && (r->src.acct || r->timer)) {
		/* the threads still running at the end: the main thread, usually */
		uint64_t total = accounting_total(r->src.acct ? r->src.acct : &r->s);

		if (total > st->task_cpu_ns)
			perfrec_write_task_cpu(&r->wr.pr, (uint32_t)r->rl.pid, (uint32_t)r->rl.pid,
					       st->last_time, total - st->task_cpu_ns);
	}
	name_kernel_functions(&r->wr.pr);
	if (r->timer) {
		shimrec_stats(&r->shim, &r->shst);
		r->conflict = shim_conflict(&r->shst, r->o.sampler, r->t_start);
	}
	r->cpu_s = -1;
	if (r->counts_workload && r->rl.have_status)
		r->cpu_s = (double)(ru->ru_utime.tv_sec + ru->ru_stime.tv_sec) +
			   (double)(ru->ru_utime.tv_usec + ru->ru_stime.tv_usec) / 1e6;
	else if (r->o.tgt.kind == TARGET_PID && r->cpu_before >= 0 &&
		 proc_cpu_seconds(r->o.tgt.pid) >= 0)
		r->cpu_s = proc_cpu_seconds(r->o.tgt.pid) - r->cpu_before;
	else if (r->o.tgt.kind == TARGET_CPUS)
		r->cpu_s = r->elapsed_s * (double)sysconf(_SC_NPROCESSORS_ONLN);
}

/* The run's statistics into the file's trailer, and the file closed. */
static void write_stats(struct recording *r)
{
	struct data_writer *w = r->w;
	const struct perfrec_stats *st = &r->wr.pr.st;
	int ret;

	if (r->timer) {
		data_writer_stat_u64(w, "timer-signals", r->shst.signals);
		data_writer_stat_u64(w, "timer-overruns", r->shst.overruns);
		data_writer_stat_u64(w, "foreign-signals", r->shst.foreign);
		data_writer_stat_u64(w, "late-signals", r->shst.late);
		data_writer_stat_u64(w, "shim-images", r->shst.images);
		data_writer_stat_u64(w, "lost-shim", st->lost_shim);
		if (r->conflict)
			data_writer_stat(w, "conflict", r->conflict, strlen(r->conflict) + 1);
	}
	data_writer_stat_u64(w, "samples", st->samples);
	data_writer_stat_u64(w, "samples-stack-full", st->samples_stack_full);
	data_writer_stat_u64(w, "lost-ring", st->lost_ring);
	data_writer_stat_u64(w, "lost-samples", st->lost_samples);
	data_writer_stat_u64(w, "lost-writer", r->wr.dropped);
	data_writer_stat_u64(w, "throttled", st->throttled);
	data_writer_stat_u64(w, "unthrottled", st->unthrottled);
	data_writer_stat_u64(w, "malformed", st->malformed);
	data_writer_stat_u64(w, "weight", st->weight);
	data_writer_stat_u64(w, "first-time-ns", st->first_time);
	data_writer_stat_u64(w, "last-time-ns", st->last_time);
	data_writer_stat_u64(w, "elapsed-ns", (uint64_t)(r->elapsed_s * 1e9));
	if (r->cpu_s >= 0)
		data_writer_stat_u64(w, "cpu-time-ns", (uint64_t)(r->cpu_s * 1e9));
	if (r->rl.have_status)
		data_writer_stat_u64(w, "exit-status", (uint64_t)cmd_exit_status(r->rl.wstatus));
	ret = data_writer_finish(w);
	if (ret < 0 && !r->error) {
		error("cannot write '%s': %s; the file keeps what was written before", r->o.output,
		      strerror(-ret));
		r->error = ret;
	}
}

/* The one-line summary and the warnings on what was lost or throttled. */
static void print_summary(const struct recording *r)
{
	const struct perfrec_stats *st = &r->wr.pr.st;
	const struct record_opts *o = &r->o;
	char size[32], rate[96] = "";
	uint64_t lost = st->lost_ring + st->lost_samples + r->wr.dropped + st->lost_shim;
	uint64_t unwritten = st->samples - data_writer_samples(r->w);
	double bytes = (double)data_writer_bytes(r->w);

	human_bytes(size, sizeof(size), bytes);
	if (r->cpu_s > 0 && o->freq)
		snprintf(rate, sizeof(rate), "; %lu Hz requested, %.0f Hz delivered per CPU second",
			 o->freq, (double)st->samples / r->cpu_s);
	fprintf(stderr,
		"[ pmuprof record: %llu samples of %s%s; %llu lost, %llu throttled; %s in '%s' "
		"(%.0f bytes per sample) ]\n",
		(unsigned long long)st->samples, r->ev.name, rate, (unsigned long long)lost,
		(unsigned long long)st->throttled, size, o->output,
		st->samples ? bytes / (double)st->samples : 0.0);
	if (lost && r->timer)
		warning("%llu samples were lost in the program (a thread's ring was full or it "
			"had none); a lower -F or a smaller --call-graph dwarf,SIZE helps",
			(unsigned long long)lost);
	else if (lost)
		warning("%llu samples were lost (%llu: ring buffer full, %llu: dropped by the "
			"kernel, %llu: writer behind); a larger --mmap-pages or a lower -F helps",
			(unsigned long long)lost, (unsigned long long)st->lost_ring,
			(unsigned long long)st->lost_samples, (unsigned long long)r->wr.dropped);
	if (r->timer)
		note("%s: %llu signals, %llu timer overruns (expirations merged into one signal), "
		     "%llu other SIGPROFs not sampled",
		     r->ev.name, (unsigned long long)r->shst.signals,
		     (unsigned long long)r->shst.overruns, (unsigned long long)r->shst.foreign);
	if (r->error && unwritten)
		warning("%llu of the %llu samples were not written to '%s' because of the write "
			"error",
			(unsigned long long)unwritten, (unsigned long long)st->samples, o->output);
	if (st->throttled)
		warning("the kernel throttled sampling %llu times: the delivered rate is below the "
			"requested one (see kernel.perf_event_max_sample_rate)",
			(unsigned long long)st->throttled);
}

/* What the timer samplers did wrong, said even with -q. */
static void print_sampler_warnings(const struct recording *r)
{
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
	free(r->ev.name);
	free(r->ev.fstr);
	free(r->ev.fallback);
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
		status = r.error		? EXIT_FAIL
			 : r.rl.have_status ? cmd_exit_status(r.rl.wstatus)
					    : EXIT_OK;
	}
	record_release(&r);
	return status;
}
