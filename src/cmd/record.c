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
#include "collect/monitor.h"
#include "collect/perfrec.h"
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
#include <math.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
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
#define QUEUE_MAX_BYTES	    (512u << 20) /* beyond this, drop rather than grow without end */

enum {
	OPT_CALL_GRAPH = OPT_LONG_BASE,
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
	struct target_opts tgt;
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
	o->pages = 0; /* sized from the rate below unless -m is given */
	cmd_parser_init(&p, "record", "[options] [--] COMMAND [ARGS]  |  -p PID | -t TID | -a",
			record_options, ARRAY_SIZE(record_options), argc, argv);
	while ((c = cmd_next_option(&p, &arg)) != -1) {
		int t = target_option(&o->tgt, c, arg, OPT_DURATION);

		if (t < 0)
			goto out;
		if (t > 0)
			continue;
		switch (c) {
		case 'e':
			o->event = arg;
			o->event_set = true;
			break;
		case OPT_SAMPLER: {
			size_t i;

			for (i = 0; i < ARRAY_SIZE(sampler_names); i++)
				if (!strcmp(arg, sampler_names[i]))
					break;
			if (i == ARRAY_SIZE(sampler_names)) {
				error("--sampler takes pmu, itimer or ctimer, not '%s'", arg);
				goto out;
			}
			o->sampler = (enum sampler_kind)i;
			break;
		}
		case 'F':
			if (parse_ulong(arg, 1, 100000000, &o->freq) < 0) {
				error("option '-F' needs a sampling frequency in Hz of 1 or more, "
				      "not '%s'",
				      arg);
				goto out;
			}
			break;
		case 'c':
			if (parse_ulong(arg, 1, ULONG_MAX, &o->period) < 0) {
				error("option '-c' needs a period of 1 or more events, not '%s'",
				      arg);
				goto out;
			}
			break;
		case OPT_CALL_GRAPH:
			if (parse_call_graph(o, arg) < 0)
				goto out;
			break;
		case 'o':
			o->output = arg;
			break;
		case 'm':
			if (parse_ulong(arg, 1, 1ul << 20, &o->pages) < 0 ||
			    (o->pages & (o->pages - 1))) {
				error("option '-m' needs a power of two of pages, not '%s'", arg);
				goto out;
			}
			break;
		case OPT_NO_FALLBACK:
			o->no_fallback = true;
			break;
		case 'q':
			o->quiet = true;
			break;
		case 'h':
			cmd_print_help(&p, stdout);
			ret = CMD_HELP_SHOWN;
			goto out;
		default:
			goto out;
		}
	}
	if (optind < argc)
		o->argv = argv + optind;
	if (check_target_options("sample", "record", o->tgt.nattach, o->argv, o->tgt.duration) < 0)
		goto out;
	if (o->freq && o->period) {
		error("-F and -c cannot be combined: sample by frequency or by period");
		goto out;
	}
	if (o->sampler != SAMPLER_PMU && check_timer_options(o) < 0)
		goto out;
	if (!o->period && !o->freq)
		o->freq = DEFAULT_FREQ;
	if (!o->pages)
		o->pages = ring_pages_for(o);
	if (o->freq && o->sampler == SAMPLER_PMU) {
		long max = proc_read_long("/proc/sys/kernel/perf_event_max_sample_rate", 0);

		if (max > 0 && o->freq > (unsigned long)max) {
			error("-F %lu is above kernel.perf_event_max_sample_rate (%ld): use -F %ld "
			      "or less, or raise the limit as root with sysctl -w "
			      "kernel.perf_event_max_sample_rate=%lu",
			      o->freq, max, max, o->freq);
			goto out;
		}
	}
	ret = 0;
out:
	cmd_parser_release(&p);
	return ret < 0 ? EXIT_USAGE : ret;
}

/* ---- the queue between the ring reader and the writer thread ---------- */

struct chunk {
	struct chunk *next;
	size_t len;
	uint8_t *data; /* owned: drained straight from a ring, copied once */
	bool native;   /* pmuprof.data records (the shim's rings), not the kernel's */
};

struct writer {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct chunk *head, *tail;
	size_t queued;	    /* bytes waiting */
	bool closing;	    /* no more chunks will come */
	uint64_t dropped;   /* samples dropped because the queue was full, under lock */
	uint64_t dropped_written; /* how many of them a LOST record holds (writer thread) */
	struct perfrec pr;  /* used by the writer thread only, read after join */
	int err;	    /* the writer's first error, under lock */
};

/*
 * Samples the reader had to drop (the queue was full) become a LOST record
 * in the stream, written by this thread, the only one that writes.
 */
static int note_dropped(struct writer *wr)
{
	struct rec_lost *l;
	uint64_t dropped;

	pthread_mutex_lock(&wr->lock);
	dropped = wr->dropped;
	pthread_mutex_unlock(&wr->lock);
	if (dropped == wr->dropped_written)
		return 0;
	l = data_writer_reserve(wr->pr.w, sizeof(*l));
	if (!l)
		return data_writer_error(wr->pr.w);
	l->h.type = REC_LOST;
	l->h.misc = LOST_WRITER;
	l->time = wr->pr.st.last_time;
	l->count = dropped - wr->dropped_written;
	wr->dropped_written = dropped;
	return data_writer_commit(wr->pr.w, l->time);
}

static void *writer_main(void *arg)
{
	struct writer *wr = arg;

	for (;;) {
		struct chunk *c;
		int ret;

		pthread_mutex_lock(&wr->lock);
		while (!wr->head && !wr->closing)
			pthread_cond_wait(&wr->cond, &wr->lock);
		c = wr->head;
		if (c) {
			wr->head = c->next;
			if (!wr->head)
				wr->tail = NULL;
			wr->queued -= c->len;
		}
		pthread_mutex_unlock(&wr->lock);
		if (!c)
			break;
		ret = wr->err		? 0
		      : c->native ? perfrec_add_native(&wr->pr, c->data, c->len)
				  : perfrec_convert(&wr->pr, c->data, c->len);
		free(c->data);
		free(c);
		if (!ret)
			ret = note_dropped(wr);
		if (ret < 0) {
			pthread_mutex_lock(&wr->lock);
			wr->err = ret;
			pthread_mutex_unlock(&wr->lock);
		}
	}
	return NULL;
}

static uint64_t native_samples(const uint8_t *buf, size_t len)
{
	uint64_t n = 0;

	for (size_t off = 0; len - off >= sizeof(struct rec_header);) {
		const struct rec_header *h = (const struct rec_header *)(buf + off);

		if (h->size < sizeof(*h) || h->size > len - off)
			break;
		n += h->type == REC_SAMPLE;
		off += h->size;
	}
	return n;
}

/* Hands a drained buffer (ownership included) to the writer; returns the writer's error. */
static int writer_push(struct writer *wr, uint8_t *buf, size_t len, bool native)
{
	struct chunk *c;
	int err;

	pthread_mutex_lock(&wr->lock);
	err = wr->err;
	if (!err && wr->queued + len > QUEUE_MAX_BYTES) {
		wr->dropped += native ? native_samples(buf, len) : perfrec_count_samples(buf, len);
		pthread_mutex_unlock(&wr->lock);
		free(buf);
		return 0;
	}
	pthread_mutex_unlock(&wr->lock);
	if (err) {
		free(buf);
		return err;
	}
	c = xmalloc(sizeof(*c));
	c->next = NULL;
	c->len = len;
	c->data = buf;
	c->native = native;
	pthread_mutex_lock(&wr->lock);
	if (wr->tail)
		wr->tail->next = c;
	else
		wr->head = c;
	wr->tail = c;
	wr->queued += len;
	pthread_cond_signal(&wr->cond);
	pthread_mutex_unlock(&wr->lock);
	return 0;
}

static void writer_close(struct writer *wr)
{
	pthread_mutex_lock(&wr->lock);
	wr->closing = true;
	pthread_cond_signal(&wr->cond);
	pthread_mutex_unlock(&wr->lock);
	pthread_join(wr->thread, NULL);
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
		int ret = report_event_error(o->event, &err);

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
						: explain_perf_error(why, false),
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
	ret = shimrec_create(shim, o->sampler == SAMPLER_ITIMER ? SHIM_ITIMER : SHIM_CTIMER,
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

/* ---- the recording loop ------------------------------------------------- */

struct run_result {
	int wstatus;
	bool have_status;
	struct rusage ru;
	double elapsed_s;
	bool interrupted;
	int error; /* a write error that ended recording */
};

static int drain_rings(struct sampler *s, struct writer *wr)
{
	int err = 0;

	for (size_t i = 0; s && i < s->nrings && !err; i++) {
		for (;;) {
			uint8_t *buf = NULL;
			size_t alloc = 0, n = sampler_drain(&s->rings[i], &buf, &alloc);

			if (!n) {
				free(buf);
				break;
			}
			/* a busy ring refills while we copy: go around until it is empty */
			err = writer_push(wr, buf, n, false);
			if (err)
				break;
		}
	}
	return err;
}

/* What record reads from: the kernel's rings, and the timer samplers' shared memory. */
struct sources {
	struct sampler *s;    /* the sampling event, or the side-band one of a timer sampler */
	struct sampler *acct; /* per-thread CPU accounting, when separate; else NULL */
	struct shimrec *shim; /* timer samplers only */
};

static int drain_all(const struct sources *src, struct writer *wr)
{
	int err = drain_rings(src->s, wr);

	if (!err)
		err = drain_rings(src->acct, wr);
	if (!err && src->shim) {
		uint8_t *buf = NULL;
		size_t alloc = 0, n = shimrec_drain(src->shim, &buf, &alloc);

		if (n)
			return writer_push(wr, buf, n, true);
		free(buf);
	}
	return err;
}

static void record_loop(const struct sources *src, struct writer *wr, struct monitor *mon,
			struct workload *wl, const struct record_opts *o, const struct target *t,
			struct run_result *res)
{
	struct sampler *s = src->s;
	size_t nacct = src->acct ? src->acct->nrings : 0;
	struct pollfd *pfd = xcalloc(s->nrings + nacct + 2, sizeof(*pfd));
	uint64_t t0 = now_ns(CLOCK_MONOTONIC), deadline = 0;
	bool has_workload = wl->pid > 0, done = false;
	int exit_fd = -1;
	size_t npfd = 0, ring0;

	if (o->tgt.duration > 0)
		deadline = t0 + (uint64_t)(o->tgt.duration * 1e9);
	if (!has_workload && (t->kind == TARGET_PID || t->kind == TARGET_TID))
		exit_fd = target_exit_fd(t);
	pfd[npfd].fd = monitor_fd(mon);
	pfd[npfd++].events = POLLIN;
	if (exit_fd >= 0) {
		pfd[npfd].fd = exit_fd;
		pfd[npfd++].events = POLLIN;
	}
	ring0 = npfd;
	for (size_t i = 0; i < s->nrings; i++) {
		pfd[npfd].fd = s->rings[i].fd;
		pfd[npfd++].events = POLLIN;
	}
	for (size_t i = 0; i < nacct; i++) {
		pfd[npfd].fd = src->acct->rings[i].fd;
		pfd[npfd++].events = POLLIN;
	}
	while (!done) {
		struct monitor_signal sig;
		int timeout = src->shim ? SHIM_POLL_MS : 250, n;
		uint64_t now;

		if (deadline) {
			now = now_ns(CLOCK_MONOTONIC);
			timeout = now >= deadline ? 0 : (int)((deadline - now) / 1000000 + 1);
			if (timeout > 250)
				timeout = 250;
			if (src->shim && timeout > SHIM_POLL_MS)
				timeout = SHIM_POLL_MS;
		}
		n = poll(pfd, npfd, timeout);
		if (n < 0 && errno != EINTR)
			break;
		if (pfd[0].revents & POLLIN) {
			int ev = monitor_take(mon, &sig);

			if (ev == MONITOR_CHILD && has_workload &&
			    wait4(wl->pid, &res->wstatus, WNOHANG, &res->ru) == wl->pid) {
				res->have_status = true;
				done = true;
			} else if (ev == MONITOR_INTERRUPT) {
				res->interrupted = true;
				if (!has_workload)
					done = true;
				else if (sig.from_user)
					kill(wl->pid, sig.signo);
			}
		}
		if (exit_fd >= 0 && (pfd[1].revents & POLLIN))
			done = true;
		if (exit_fd < 0 && !has_workload &&
		    (t->kind == TARGET_PID || t->kind == TARGET_TID) && !target_alive(t))
			done = true;
		for (size_t i = ring0; i < npfd; i++)
			if (pfd[i].revents & (POLLHUP | POLLERR))
				pfd[i].fd = -1; /* nothing more will come from it */
		res->error = drain_all(src, wr);
		if (res->error)
			break;
		if (deadline && now_ns(CLOCK_MONOTONIC) >= deadline)
			done = true;
	}
	sampler_disable(s);
	if (!res->error)
		res->error = drain_all(src, wr);
	res->elapsed_s = (double)(now_ns(CLOCK_MONOTONIC) - t0) / 1e9;
	if (exit_fd >= 0)
		close(exit_fd);
	free(pfd);
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

	if (pr->nkernel_ips && kallsyms_load(&k) == 0) {
		perfrec_write_ksyms(pr, k); /* a write error shows at data_writer_finish() */
		kallsyms_free(k);
	}
	perfrec_release(pr);
}

int cmd_record(int argc, char **argv)
{
	struct record_opts o;
	struct event_choice ev;
	struct monitor mon;
	struct workload wl = { .pid = -1, .go_fd = -1, .err_fd = -1 };
	struct target t = { 0 };
	struct sampler s, acct = { 0 };
	struct shimrec shim = { .fd = -1 };
	struct shimrec_stats shst;
	struct sources src = { .s = &s };
	struct data_writer *w = NULL;
	struct writer wr;
	struct run_result res;
	const struct perfrec_stats *st;
	char *env[3] = { NULL, NULL, NULL }, *conflict = NULL;
	size_t pages;
	double cpu_s = -1, cpu_before = -1;
	uint64_t t_start = 0;
	int ret, status = EXIT_FAIL;
	bool counts_workload, recorded = false, timer;

	ret = parse_options(&o, argc, argv);
	if (ret == CMD_HELP_SHOWN)
		return EXIT_OK;
	if (ret)
		return ret;
	timer = o.sampler != SAMPLER_PMU;
	memset(&s, 0, sizeof(s));
	if (!timer) {
		ret = choose_event(&o, &ev);
		if (ret)
			return ret;
	} else {
		memset(&ev, 0, sizeof(ev));
		ev.name = xstrdup(sampler_names[o.sampler]);
		ev.fstr = xstrdup(o.sampler == SAMPLER_ITIMER
					  ? "setitimer(ITIMER_PROF): process CPU time, SIGPROF"
					  : "timer_create(CLOCK_THREAD_CPUTIME_ID) per thread, SIGPROF");
	}
	counts_workload = o.tgt.kind == TARGET_WORKLOAD;
	memset(&res, 0, sizeof(res));
	memset(&wr, 0, sizeof(wr));
	if (monitor_init(&mon) < 0) {
		error("cannot set up signal handling: %s", strerror(errno));
		goto out_event;
	}
	ret = data_writer_open(o.output, &w);
	if (ret < 0) {
		if (ret == -EISDIR || ret == -EINVAL)
			error("cannot create '%s': it exists and is %s; give -o a file name",
			      o.output, ret == -EISDIR ? "a directory" : "not a regular file");
		else
			error("cannot create '%s': %s", o.output, strerror(-ret));
		goto out_monitor;
	}
	if (timer) {
		status = prepare_shim(&o, &shim, env);
		if (status)
			goto out_file;
		status = EXIT_FAIL;
		src.shim = &shim;
	}
	if (o.argv) {
		ret = workload_prepare(&wl, o.argv, &mon.old_mask, timer ? env : NULL);
		if (ret < 0) {
			error("cannot start '%s': %s", o.argv[0], strerror(-ret));
			goto out_file;
		}
	}
	/* a full file-size limit must give EFBIG, not kill the recorder */
	signal(SIGXFSZ, SIG_IGN);
	ret = target_init(&t, o.tgt.kind, counts_workload ? wl.pid : o.tgt.pid);
	if (ret < 0) {
		if (ret == -ESRCH)
			report_no_such_target(o.tgt.kind == TARGET_TID, (int)o.tgt.pid);
		else
			error("cannot find what to sample: %s", strerror(-ret));
		goto out_workload;
	}
	pages = sampler_fit_pages(o.pages, (size_t)sysconf(_SC_NPROCESSORS_ONLN));
	if (timer) {
		/* the program's maps and threads, and their CPU time, still come from the kernel */
		ret = open_accounting(&s, NULL, &t);
		if (ret < 0) {
			error("cannot follow '%s' with perf_event_open (its memory maps and threads, "
			      "which the %s sampler needs to name its samples): %s",
			      o.argv[0], ev.name, explain_perf_error(ret, false));
			goto out_target;
		}
		ev.attr = s.attr;
		pages = o.pages = s.ring_pages; /* the side band's ring: the samples have their own */
	} else {
		ret = open_sampler(&s, &ev, &o, &t, &pages, counts_workload);
	}
	if (ret < 0) {
		if (o.tgt.kind == TARGET_PID || o.tgt.kind == TARGET_TID)
			error("cannot sample %s %d with '%s': %s",
			      o.tgt.kind == TARGET_TID ? "thread" : "process", (int)o.tgt.pid, ev.name,
			      explain_perf_error(ret, false));
		else
			error("cannot sample '%s'%s: %s", ev.name,
			      o.tgt.kind == TARGET_CPUS ? " on all CPUs" : "",
			      explain_perf_error(ret, o.tgt.kind == TARGET_CPUS));
		goto out_target;
	}
	/* the truth per thread: without it the record still stands, compare says so */
	if (!timer && counts_workload && open_accounting(&acct, &s.attr, &t) == 0)
		src.acct = &acct;
	if (ev.fallback)
		warning("%s (--no-fallback makes this an error)", ev.fallback);
	if (ev.user_only)
		note("kernel.perf_event_paranoid is %d: sampling user space only; CAP_PERFMON or "
		     "sysctl -w kernel.perf_event_paranoid=1 samples the kernel too",
		     counter_paranoid());
	if (pages < o.pages)
		note("ring buffers of %zu pages per CPU, not %lu: that is what "
		     "kernel.perf_event_mlock_kb and RLIMIT_MEMLOCK allow",
		     pages, o.pages);
	write_meta(w, &o, argc, argv, &ev.attr, ev.name, ev.fstr, ev.fallback, pages,
		   ev.user_only);
	synth_vdso(w);
	if (o.tgt.kind == TARGET_PID || o.tgt.kind == TARGET_TID) {
		synth_process(w, target_tgid(o.tgt.pid), 0);
	} else if (o.tgt.kind == TARGET_CPUS) {
		/*
		 * On first, then scan /proc: a task created in between is in both
		 * (harmless twice), none falls between the scan and the kernel's
		 * own FORK, COMM and MMAP records. Its samples wait in the rings
		 * until the reader starts, just below. A task that exits before
		 * the scan reaches it but forked (without exec) while the events
		 * were on would leave its children nameless: the names alone are
		 * taken first, which is quick.
		 */
		synth_all_comms(w, 0);
		sampler_enable(&s);
		synth_all_processes(w, 0);
	}
	if (o.tgt.kind == TARGET_PID)
		cpu_before = proc_cpu_seconds(o.tgt.pid);

	perfrec_init(&wr.pr, w, ev.attr.sample_type, ev.attr.sample_regs_user,
		     ev.attr.sample_stack_user);
	pthread_mutex_init(&wr.lock, NULL);
	pthread_cond_init(&wr.cond, NULL);
	if (pthread_create(&wr.thread, NULL, writer_main, &wr)) {
		error("cannot start the writer thread");
		goto out_sampler;
	}
	/*
	 * The rings fill while the workload keeps every CPU busy: a reader that
	 * waits its turn loses samples. Where allowed (root), it gets a better
	 * nice value than the workload and the writer thread, which keep theirs.
	 */
	setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), -10);
	if (!counts_workload && o.tgt.kind != TARGET_CPUS)
		sampler_enable(&s);
	if (o.argv) {
		ret = workload_start(&wl);
		if (ret < 0) {
			status = report_exec_failure(o.argv[0], ret);
			writer_close(&wr);
			perfrec_release(&wr.pr);
			goto out_sampler;
		}
	}
	recorded = true;
	t_start = now_ns(CLOCK_MONOTONIC);
	record_loop(&src, &wr, &mon, &wl, &o, &t, &res);
	if (src.acct)
		sampler_disable(src.acct);
	if (res.error) {
		error("cannot write '%s': %s; recording stopped, and the file keeps what was "
		      "written before",
		      o.output, strerror(-res.error));
		if (wl.pid > 0 && !res.have_status) {
			/* the workload is the user's: let it finish, unsampled */
			waitpid(wl.pid, &res.wstatus, 0);
		}
	} else if (wl.pid > 0 && !res.have_status) {
		/* -p/-t/-a with a command that outlived --duration */
		kill(wl.pid, SIGTERM);
		wait4(wl.pid, &res.wstatus, 0, &res.ru);
		if (WIFSIGNALED(res.wstatus) && WTERMSIG(res.wstatus) == SIGTERM)
			res.wstatus = 0;
		res.have_status = true;
	}
	writer_close(&wr);
	st = &wr.pr.st;
	if (counts_workload && wl.pid > 0 && (src.acct || timer)) {
		/* the threads still running at the end: the main thread, usually */
		uint64_t total = accounting_total(src.acct ? src.acct : &s);

		if (total > st->task_cpu_ns)
			perfrec_write_task_cpu(&wr.pr, (uint32_t)wl.pid, (uint32_t)wl.pid,
					       st->last_time, total - st->task_cpu_ns);
	}
	name_kernel_functions(&wr.pr);
	if (timer) {
		shimrec_stats(&shim, &shst);
		conflict = shim_conflict(&shst, o.sampler, t_start);
		data_writer_stat_u64(w, "timer-signals", shst.signals);
		data_writer_stat_u64(w, "timer-overruns", shst.overruns);
		data_writer_stat_u64(w, "foreign-signals", shst.foreign);
		data_writer_stat_u64(w, "late-signals", shst.late);
		data_writer_stat_u64(w, "shim-images", shst.images);
		data_writer_stat_u64(w, "lost-shim", st->lost_shim);
		if (conflict)
			data_writer_stat(w, "conflict", conflict, strlen(conflict) + 1);
	}

	if (counts_workload && res.have_status)
		cpu_s = (double)(res.ru.ru_utime.tv_sec + res.ru.ru_stime.tv_sec) +
			(double)(res.ru.ru_utime.tv_usec + res.ru.ru_stime.tv_usec) / 1e6;
	else if (o.tgt.kind == TARGET_PID && cpu_before >= 0 && proc_cpu_seconds(o.tgt.pid) >= 0)
		cpu_s = proc_cpu_seconds(o.tgt.pid) - cpu_before;
	else if (o.tgt.kind == TARGET_CPUS)
		cpu_s = res.elapsed_s * (double)sysconf(_SC_NPROCESSORS_ONLN);
	data_writer_stat_u64(w, "samples", st->samples);
	data_writer_stat_u64(w, "samples-stack-full", st->samples_stack_full);
	data_writer_stat_u64(w, "lost-ring", st->lost_ring);
	data_writer_stat_u64(w, "lost-samples", st->lost_samples);
	data_writer_stat_u64(w, "lost-writer", wr.dropped);
	data_writer_stat_u64(w, "throttled", st->throttled);
	data_writer_stat_u64(w, "unthrottled", st->unthrottled);
	data_writer_stat_u64(w, "malformed", st->malformed);
	data_writer_stat_u64(w, "weight", st->weight);
	data_writer_stat_u64(w, "first-time-ns", st->first_time);
	data_writer_stat_u64(w, "last-time-ns", st->last_time);
	data_writer_stat_u64(w, "elapsed-ns", (uint64_t)(res.elapsed_s * 1e9));
	if (cpu_s >= 0)
		data_writer_stat_u64(w, "cpu-time-ns", (uint64_t)(cpu_s * 1e9));
	if (res.have_status)
		data_writer_stat_u64(w, "exit-status", (uint64_t)exit_status_of(res.wstatus));
	ret = data_writer_finish(w);
	if (ret < 0 && !res.error) {
		error("cannot write '%s': %s; the file keeps what was written before", o.output,
		      strerror(-ret));
		res.error = ret;
	}
	if (!o.quiet) {
		char size[32], rate[96] = "";
		uint64_t lost = st->lost_ring + st->lost_samples + wr.dropped + st->lost_shim;
		uint64_t unwritten = st->samples - data_writer_samples(w);
		double bytes = (double)data_writer_bytes(w);

		human_bytes(size, sizeof(size), bytes);
		if (cpu_s > 0 && o.freq)
			snprintf(rate, sizeof(rate), "; %lu Hz requested, %.0f Hz delivered per CPU "
						     "second",
				 o.freq, (double)st->samples / cpu_s);
		fprintf(stderr,
			"[ pmuprof record: %llu samples of %s%s; %llu lost, %llu throttled; %s in "
			"'%s' (%.0f bytes per sample) ]\n",
			(unsigned long long)st->samples, ev.name, rate, (unsigned long long)lost,
			(unsigned long long)st->throttled, size, o.output,
			st->samples ? bytes / (double)st->samples : 0.0);
		if (lost && timer)
			warning("%llu samples were lost in the program (a thread's ring was full "
				"or it had none); a lower -F or a smaller --call-graph dwarf,SIZE "
				"helps",
				(unsigned long long)lost);
		else if (lost)
			warning("%llu samples were lost (%llu: ring buffer full, %llu: dropped by "
				"the kernel, %llu: writer behind); a larger --mmap-pages or a lower "
				"-F helps",
				(unsigned long long)lost, (unsigned long long)st->lost_ring,
				(unsigned long long)st->lost_samples,
				(unsigned long long)wr.dropped);
		if (timer)
			note("%s: %llu signals, %llu timer overruns (expirations merged into one "
			     "signal), %llu other SIGPROFs not sampled",
			     ev.name, (unsigned long long)shst.signals,
			     (unsigned long long)shst.overruns, (unsigned long long)shst.foreign);
		if (res.error && unwritten)
			warning("%llu of the %llu samples were not written to '%s' because of the "
				"write error",
				(unsigned long long)unwritten, (unsigned long long)st->samples,
				o.output);
		if (st->throttled)
			warning("the kernel throttled sampling %llu times: the delivered rate is "
				"below the requested one (see kernel.perf_event_max_sample_rate)",
				(unsigned long long)st->throttled);
	}
	if (conflict)
		warning("%s sampler: %s", ev.name, conflict);
	if (timer && !shst.images)
		warning("the %s sampler never loaded in '%s' (LD_PRELOAD removed by a wrapper "
			"script, or a static or set-user-ID program): nothing was sampled",
			ev.name, o.argv[0]);
	status = res.error ? EXIT_FAIL : res.have_status ? exit_status_of(res.wstatus) : EXIT_OK;
out_sampler:
	sampler_close(&s);
	sampler_close(&acct);
	pthread_mutex_destroy(&wr.lock);
	pthread_cond_destroy(&wr.cond);
out_target:
	target_release(&t);
out_workload:
	workload_abort(&wl);
out_file:
	/* nothing was recorded: put the previous file back rather than leave an empty one */
	if (w && !recorded)
		data_writer_abandon(w);
	data_writer_free(w);
	shimrec_close(&shim);
	free(env[0]);
	free(env[1]);
	free(conflict);
out_monitor:
	monitor_release(&mon);
out_event:
	free(ev.name);
	free(ev.fstr);
	free(ev.fallback);
	return status;
}
