// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * pmuprof compare: runs a command unprofiled and under each sampler (pmu,
 * itimer, ctimer), N times each, interleaved so that drift in the machine's
 * load spreads over all of them; then reads every recording back and sets
 * what its samples say against what the kernel accounted.
 *
 * Each profiled run is a `pmuprof record` of its own (this program, run
 * again), so compare measures exactly what a user's record does, and the
 * recordings can be kept (-o DIR) and opened with report. The command's
 * standard output is discarded (it would mix with the table or JSON); its
 * standard error and record's go to a log per run.
 */
#include "analyse/compare.h"
#include "analyse/profile.h"
#include "cmd/commands.h"
#include "cmd/common.h"
#include "cmd/session.h"
#include "output/compare.h"
#include "resolve/symbolize.h"
#include "util/alloc.h"
#include "util/error.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define DEFAULT_HZ  100
#define MAX_REPEATS 100

enum {
	OPT_SAMPLERS = OPT_LONG_BASE,
	OPT_JSON,
	OPT_SVG,
	OPT_CALL_GRAPH,
};

static const struct cmd_option compare_options[] = {
	{ 'F', "freq", "HZ", "samples per CPU second asked of every sampler (default 100)" },
	{ OPT_SAMPLERS, "samplers", "LIST", "which samplers, of pmu,itimer,ctimer (default all)" },
	{ 'r', "repeat", "N", "run each N times; the table shows medians (default 1)" },
	{ 'e', "event", "EVENT", "the pmu sampler's event (default cycles; cpu-clock without a PMU)" },
	{ OPT_CALL_GRAPH, "call-graph", "MODE", "what every sampler records: dwarf[,SIZE] (default) or none" },
	{ 'o', "output-dir", "DIR", "keep the recordings and logs in DIR (default: deleted)" },
	{ OPT_JSON, "json", NULL, "print JSON instead of the table" },
	{ OPT_SVG, "svg", "FILE", "also draw the comparison as an SVG chart into FILE" },
	{ 'h', "help", NULL, "show this help" },
};

static const char *const sampler_names[CMP_NSAMPLERS] = { "pmu", "itimer", "ctimer" };

struct compare_opts {
	unsigned long hz, repeats;
	bool use[CMP_NSAMPLERS];
	const char *event, *call_graph, *dir, *svg;
	bool json;
	char **argv;
};

static int parse_samplers(struct compare_opts *o, const char *arg)
{
	char *copy = xstrdup(arg), *save = NULL, *tok;
	int ret = 0;

	memset(o->use, 0, sizeof(o->use));
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		size_t i;

		for (i = 0; i < CMP_NSAMPLERS; i++)
			if (!strcmp(tok, sampler_names[i]))
				break;
		if (i == CMP_NSAMPLERS) {
			error("--samplers takes a list of pmu, itimer and ctimer, not '%s'", tok);
			ret = -1;
			break;
		}
		o->use[i] = true;
	}
	free(copy);
	if (!ret && !o->use[CMP_PMU] && !o->use[CMP_ITIMER] && !o->use[CMP_CTIMER]) {
		error("--samplers needs at least one of pmu, itimer and ctimer");
		ret = -1;
	}
	return ret;
}

static int parse_options(struct compare_opts *o, int argc, char **argv)
{
	struct cmd_parser p;
	char *arg;
	int c, ret = -1;

	memset(o, 0, sizeof(*o));
	o->hz = DEFAULT_HZ;
	o->repeats = 1;
	o->call_graph = "dwarf";
	for (int i = 0; i < CMP_NSAMPLERS; i++)
		o->use[i] = true;
	cmd_parser_init(&p, "compare", "[options] -- COMMAND [ARGS]", compare_options,
			ARRAY_SIZE(compare_options), argc, argv);
	while ((c = cmd_next_option(&p, &arg)) != -1) {
		switch (c) {
		case 'F':
			if (parse_ulong(arg, 1, 100000, &o->hz) < 0) {
				error("option '-F' needs a rate from 1 to 100000 Hz, not '%s'", arg);
				goto out;
			}
			break;
		case OPT_SAMPLERS:
			if (parse_samplers(o, arg) < 0)
				goto out;
			break;
		case 'r':
			if (parse_ulong(arg, 1, MAX_REPEATS, &o->repeats) < 0) {
				error("option '-r' needs a number of runs from 1 to %d, not '%s'",
				      MAX_REPEATS, arg);
				goto out;
			}
			break;
		case 'e':
			o->event = arg;
			break;
		case OPT_CALL_GRAPH:
			if (strcmp(arg, "none") && strcmp(arg, "dwarf") && strncmp(arg, "dwarf,", 6)) {
				error("--call-graph takes dwarf[,SIZE] or none here (the timer samplers "
				      "cannot use fp), not '%s'",
				      arg);
				goto out;
			}
			o->call_graph = arg;
			break;
		case 'o':
			o->dir = arg;
			break;
		case OPT_JSON:
			o->json = true;
			break;
		case OPT_SVG:
			o->svg = arg;
			break;
		case 'h':
			cmd_print_help(&p, stdout);
			ret = CMD_HELP_SHOWN;
			goto out;
		default:
			goto out;
		}
	}
	if (optind >= argc) {
		error("compare needs a command to run: pmuprof compare [options] -- COMMAND [ARGS]");
		goto out;
	}
	o->argv = argv + optind;
	ret = 0;
out:
	cmd_parser_release(&p);
	return ret < 0 ? EXIT_USAGE : ret;
}

/* ---- running ------------------------------------------------------------- */

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static double cpu_of(const struct rusage *ru)
{
	return (double)(ru->ru_utime.tv_sec + ru->ru_stime.tv_sec) +
	       (double)(ru->ru_utime.tv_usec + ru->ru_stime.tv_usec) / 1e6;
}

/*
 * Runs argv (a path when `self`, else looked up in PATH) with stdout on
 * /dev/null and stderr appended to `log`; 0 with its wait status, wall
 * time and rusage, or -errno when it could not be started.
 */
static int run(char *const argv[], bool self, const char *log, int *wstatus, double *wall,
	       struct rusage *ru)
{
	double t0 = now_s();
	pid_t pid = fork();

	if (pid < 0)
		return -errno;
	if (pid == 0) {
		int out = open("/dev/null", O_WRONLY | O_CLOEXEC);
		int err = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);

		if (out >= 0)
			dup2(out, STDOUT_FILENO);
		if (err >= 0)
			dup2(err, STDERR_FILENO);
		if (self)
			execv("/proc/self/exe", argv);
		else
			execvp(argv[0], argv);
		fprintf(stderr, "pmuprof compare: cannot run '%s': %s\n", argv[0],
			strerror(errno));
		_exit(errno == ENOENT ? 127 : 126);
	}
	while (wait4(pid, wstatus, 0, ru) < 0) {
		if (errno != EINTR)
			return -errno;
	}
	*wall = now_s() - t0;
	return 0;
}

/* The record command line for one profiled run. */
static char **record_argv(const struct compare_opts *o, enum cmp_sampler_kind k, const char *file,
			  char *hz)
{
	size_t n = 0, nargs = 0;
	char **v;

	while (o->argv[nargs])
		nargs++;
	v = xcalloc(nargs + 16, sizeof(*v));
	v[n++] = "pmuprof";
	v[n++] = "record";
	v[n++] = "-q";
	v[n++] = "--sampler";
	v[n++] = (char *)sampler_names[k];
	v[n++] = "-F";
	v[n++] = hz;
	v[n++] = "--call-graph";
	v[n++] = (char *)o->call_graph;
	v[n++] = "-o";
	v[n++] = (char *)file;
	if (k == CMP_PMU && o->event) {
		v[n++] = "-e";
		v[n++] = (char *)o->event;
	}
	v[n++] = "--";
	for (size_t i = 0; i < nargs; i++)
		v[n++] = o->argv[i];
	v[n] = NULL;
	return v;
}

/* Shows the end of a run's log: why it failed. */
static void show_log(const char *log)
{
	char line[512];
	FILE *f = fopen(log, "r");

	if (!f)
		return;
	while (fgets(line, sizeof(line), f))
		fprintf(stderr, "  | %s", line);
	fclose(f);
}

/* ---- reading a recording back --------------------------------------------- */

static int cmp_thread_tid(const void *a, const void *b)
{
	const struct cmp_thread *x = a, *y = b;

	return x->tid < y->tid ? -1 : x->tid > y->tid;
}

static int cmp_thread_cpu(const void *a, const void *b)
{
	const struct cmp_thread *x = a, *y = b;
	double dx = x->true_cpu_s > 0 ? x->true_cpu_s : x->attributed_cpu_s;
	double dy = y->true_cpu_s > 0 ? y->true_cpu_s : y->attributed_cpu_s;

	if (dx != dy)
		return dx > dy ? -1 : 1;
	return cmp_thread_tid(a, b);
}

static struct cmp_thread *thread_of(struct cmp_run *r, size_t *alloc, uint32_t pid, uint32_t tid)
{
	for (size_t i = 0; i < r->nthreads; i++)
		if (r->threads[i].tid == tid && r->threads[i].pid == pid)
			return &r->threads[i];
	xgrow(&r->threads, alloc, r->nthreads + 1, sizeof(*r->threads));
	memset(&r->threads[r->nthreads], 0, sizeof(r->threads[0]));
	r->threads[r->nthreads].pid = pid;
	r->threads[r->nthreads].tid = tid;
	return &r->threads[r->nthreads++];
}

struct named_weight {
	const char *name;
	uint64_t weight;
};

static int cmp_named(const void *a, const void *b)
{
	return strcmp(((const struct named_weight *)a)->name, ((const struct named_weight *)b)->name);
}

static int cmp_func_share(const void *a, const void *b)
{
	const struct cmp_func *x = a, *y = b;

	if (x->share != y->share)
		return x->share > y->share ? -1 : 1;
	return strcmp(x->name, y->name);
}

/*
 * The profile by leaf function in user space: the timer samplers can only
 * see where the thread was when the signal came back to it, so the pmu
 * sampler's kernel frames are passed over to its first user frame.
 */
static void leaf_functions(const struct profile *p, struct cmp_run *r)
{
	struct named_weight *nw = xcalloc(p->nstacks + 1, sizeof(*nw));
	size_t n = 0;
	uint64_t total = 0;

	for (size_t i = 0; i < p->nstacks; i++) {
		const struct prof_stack *s = &p->stacks[i];
		const char *name = "[unknown]";

		for (uint32_t d = 0; d < s->depth; d++) {
			const struct prof_func *f = profile_frame_func(p, s, d);

			if (!f->kernel) {
				name = f->name;
				break;
			}
		}
		nw[n].name = name;
		nw[n++].weight = s->weight;
		total += s->weight;
	}
	qsort(nw, n, sizeof(*nw), cmp_named);
	r->funcs = xcalloc(n + 1, sizeof(*r->funcs));
	for (size_t i = 0; i < n;) {
		size_t j = i;
		uint64_t w = 0;

		while (j < n && !strcmp(nw[j].name, nw[i].name))
			w += nw[j++].weight;
		r->funcs[r->nfuncs].name = xstrdup(nw[i].name);
		r->funcs[r->nfuncs++].share = total ? (double)w / (double)total : 0;
		i = j;
	}
	qsort(r->funcs, r->nfuncs, sizeof(*r->funcs), cmp_func_share);
	free(nw);
}

static uint64_t stat0(const struct data_reader *rd, const char *key)
{
	uint64_t v = 0;

	data_reader_stat_u64(rd, key, &v);
	return v;
}

/* Fills what a recording says; 0, or the exit status after saying why it cannot be read. */
static int read_run(const char *path, enum cmp_sampler_kind k, unsigned long hz,
		    struct cmp_run *r, char **event)
{
	struct session s;
	struct symbolizer *sym;
	struct profile *p;
	const char *ev, *conflict;
	size_t athreads = 0, len = 0;
	double true_sum = 0, attr_sum = 0;
	bool time_based;
	int ret = session_profile(&s, path, SYM_DEMANGLE, &p, &sym);

	if (ret)
		return ret;
	ev = data_reader_meta_str(s.rd, "event");
	if (!ev)
		ev = sampler_names[k];
	if (!*event)
		*event = xstrdup(ev);
	time_based = !strcmp(session_weight_unit(&s), "nanoseconds");

	r->samples = p->samples;
	/* a count of events is not time: without a clock, each sample stands for 1/hz */
	r->attributed_cpu_s = time_based ? (double)p->weight / 1e9 : (double)p->samples / (double)hz;
	r->unweighted_cpu_s = k == CMP_PMU ? r->attributed_cpu_s : (double)p->samples / (double)hz;
	r->wall_s = (double)stat0(s.rd, "elapsed-ns") / 1e9;
	r->rusage_cpu_s = (double)stat0(s.rd, "cpu-time-ns") / 1e9;
	r->exit_status = (int)stat0(s.rd, "exit-status");
	r->lost = stat0(s.rd, "lost-ring") + stat0(s.rd, "lost-samples") +
		  stat0(s.rd, "lost-writer") + stat0(s.rd, "lost-shim");
	r->overruns = stat0(s.rd, "timer-overruns");
	r->foreign = stat0(s.rd, "foreign-signals");
	conflict = data_reader_stat(s.rd, "conflict", &len);
	if (conflict && len && memchr(conflict, '\0', len))
		r->conflict = xstrdup(conflict);
	if (k != CMP_PMU && !stat0(s.rd, "shim-images"))
		r->conflict = xstrdup("the sampler never loaded in the program (LD_PRELOAD "
				      "removed, or a static or set-user-ID program)");

	for (size_t i = 0; i < s.ntask_cpu; i++) {
		struct cmp_thread *t = thread_of(r, &athreads, s.task_cpu[i].pid, s.task_cpu[i].tid);

		t->true_cpu_s += (double)s.task_cpu[i].cpu_ns / 1e9;
	}
	for (size_t i = 0; i < p->nstacks; i++) {
		const struct prof_stack *st = &p->stacks[i];
		struct cmp_thread *t = thread_of(r, &athreads, st->pid, st->tid);

		t->samples += st->samples;
		t->attributed_cpu_s += time_based ? (double)st->weight / 1e9
						  : (double)st->samples / (double)hz;
	}
	for (size_t i = 0; i < r->nthreads; i++) {
		struct cmp_thread *t = &r->threads[i];

		snprintf(t->comm, sizeof(t->comm), "%s",
			 session_comm(&s, t->pid, t->tid, p->time_end ? p->time_end : UINT64_MAX));
		true_sum += t->true_cpu_s;
		attr_sum += t->attributed_cpu_s;
	}
	/* without the kernel's per-thread accounting, rusage is the truth of the whole */
	r->true_cpu_s = true_sum > 0 ? true_sum : r->rusage_cpu_s;
	for (size_t i = 0; i < r->nthreads; i++) {
		struct cmp_thread *t = &r->threads[i];
		double d;

		t->true_share = true_sum > 0 ? t->true_cpu_s / true_sum : 0;
		t->share = attr_sum > 0 ? t->attributed_cpu_s / attr_sum : 0;
		d = fabs(t->share - t->true_share) * 100;
		if (true_sum > 0 && d > r->max_share_error_pp)
			r->max_share_error_pp = d;
	}
	qsort(r->threads, r->nthreads, sizeof(*r->threads), cmp_thread_cpu);
	r->rate_hz = r->true_cpu_s > 0 ? (double)r->samples / r->true_cpu_s : 0;
	r->error_pct = r->true_cpu_s > 0 ? (r->attributed_cpu_s / r->true_cpu_s - 1) * 100 : 0;
	r->unweighted_error_pct =
	    r->true_cpu_s > 0 ? (r->unweighted_cpu_s / r->true_cpu_s - 1) * 100 : 0;
	leaf_functions(p, r);
	profile_free(p);
	symbolizer_free(sym);
	session_close(&s);
	return 0;
}

/* ---- medians ------------------------------------------------------------- */

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v, size_t n)
{
	if (!n)
		return 0;
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* The median, leaving v in its order (the JSON lists the runs as they came). */
static double median_of_copy(const double *v, size_t n)
{
	double *c = xcalloc(n + 1, sizeof(*c)), m;

	memcpy(c, v, n * sizeof(*c));
	m = median(c, n);
	free(c);
	return m;
}

#define MEDIAN_OF(s, field)                                                                   \
	do {                                                                                  \
		double *v_ = xcalloc((s)->nruns, sizeof(double));                             \
		for (size_t i_ = 0; i_ < (s)->nruns; i_++)                                    \
			v_[i_] = (double)(s)->runs[i_].field;                                 \
		(s)->median.field = (__typeof__((s)->median.field))median(v_, (s)->nruns);     \
		free(v_);                                                                     \
	} while (0)

/* The median run of the numbers; its threads and functions stand for the sampler. */
static void summarize(struct cmp_sampler *s)
{
	size_t mid = 0;
	double *err = xcalloc(s->nruns, sizeof(*err)), m;
	struct cmp_run *src;

	for (size_t i = 0; i < s->nruns; i++)
		err[i] = s->runs[i].error_pct;
	m = median(err, s->nruns);
	for (size_t i = 0; i < s->nruns; i++)
		if (fabs(s->runs[i].error_pct - m) < fabs(s->runs[mid].error_pct - m))
			mid = i;
	free(err);
	MEDIAN_OF(s, wall_s);
	MEDIAN_OF(s, rusage_cpu_s);
	MEDIAN_OF(s, true_cpu_s);
	MEDIAN_OF(s, samples);
	MEDIAN_OF(s, attributed_cpu_s);
	MEDIAN_OF(s, unweighted_cpu_s);
	MEDIAN_OF(s, rate_hz);
	MEDIAN_OF(s, error_pct);
	MEDIAN_OF(s, unweighted_error_pct);
	MEDIAN_OF(s, max_share_error_pp);
	MEDIAN_OF(s, lost);
	MEDIAN_OF(s, overruns);
	MEDIAN_OF(s, foreign);
	MEDIAN_OF(s, wall_overhead_pct);
	MEDIAN_OF(s, cpu_overhead_pct);
	MEDIAN_OF(s, tvd);
	src = &s->runs[mid];
	s->median.exit_status = src->exit_status;
	for (size_t i = 0; i < s->nruns && !s->median.conflict; i++)
		if (s->runs[i].conflict)
			s->median.conflict = xstrdup(s->runs[i].conflict);
	s->median.nthreads = src->nthreads;
	s->median.threads = xcalloc(src->nthreads + 1, sizeof(*src->threads));
	memcpy(s->median.threads, src->threads, src->nthreads * sizeof(*src->threads));
	s->median.nfuncs = src->nfuncs;
	s->median.funcs = xcalloc(src->nfuncs + 1, sizeof(*src->funcs));
	for (size_t i = 0; i < src->nfuncs; i++) {
		s->median.funcs[i].name = xstrdup(src->funcs[i].name);
		s->median.funcs[i].share = src->funcs[i].share;
	}
}

/* ---- the command ---------------------------------------------------------- */

static volatile sig_atomic_t ticks;

static void on_tick(int sig)
{
	(void)sig;
	ticks++;
}

/*
 * The kernel checks CPU-time timers once a tick: a thread timer of 1 ms on a
 * busy thread fires once per tick, and counting its signals over 200 ms of
 * CPU gives the tick rate. Snapped to the usual CONFIG_HZ values; 0 if the
 * timer cannot be made.
 */
static unsigned int measure_hz(void)
{
	static const unsigned int known[] = { 100, 250, 300, 1000 };
	struct sigaction sa, old;
	struct sigevent sev;
	struct itimerspec its = { .it_interval = { 0, 1000000 }, .it_value = { 0, 1000000 } };
	struct timespec t0, t;
	volatile uint64_t x = 1;
	timer_t timer;
	double rate;
	int sig = SIGRTMIN + 3;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_tick;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	if (sigaction(sig, &sa, &old) < 0)
		return 0;
	memset(&sev, 0, sizeof(sev));
	sev.sigev_notify = SIGEV_SIGNAL;
	sev.sigev_signo = sig;
	ticks = 0;
	if (timer_create(CLOCK_THREAD_CPUTIME_ID, &sev, &timer) < 0) {
		sigaction(sig, &old, NULL);
		return 0;
	}
	timer_settime(timer, 0, &its, NULL);
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t0);
	do {
		for (int i = 0; i < 100000; i++)
			x = x * 6364136223846793005u + 1;
		clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
	} while ((double)(t.tv_sec - t0.tv_sec) + (double)(t.tv_nsec - t0.tv_nsec) / 1e9 < 0.2);
	timer_delete(timer);
	sigaction(sig, &old, NULL);
	rate = (double)ticks / 0.2;
	for (size_t i = 0; i < ARRAY_SIZE(known); i++)
		if (fabs(rate - known[i]) < 0.15 * known[i])
			return known[i];
	return 0;
}

/* CONFIG_HZ from the kernel's config when it is there, else measured. */
static unsigned int kernel_hz(const char *release)
{
	char path[300], line[256];
	unsigned int hz = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/boot/config-%s", release);
	f = fopen(path, "r");
	if (!f)
		return measure_hz();
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "CONFIG_HZ=%u", &hz) == 1)
			break;
	fclose(f);
	return hz ? hz : measure_hz();
}

static void remove_dir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	if (d) {
		while ((e = readdir(d))) {
			char *p;

			if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
				continue;
			p = xasprintf("%s/%s", dir, e->d_name);
			unlink(p);
			free(p);
		}
		closedir(d);
	}
	rmdir(dir);
}

/* One unprofiled run; 0, or the exit status to give up with. */
static int run_unprofiled(const struct compare_opts *o, struct cmp_result *res, const char *dir,
			  unsigned int i)
{
	char *log = xasprintf("%s/unprofiled-%u.log", dir, i + 1);
	struct rusage ru;
	double wall;
	int ws, ret = run(o->argv, false, log, &ws, &wall, &ru);

	if (ret < 0) {
		error("cannot run '%s': %s", o->argv[0], strerror(-ret));
		free(log);
		return EXIT_FAIL;
	}
	if (!WIFEXITED(ws) || WEXITSTATUS(ws)) {
		error("'%s' failed without a profiler (%s %d): compare needs a command that "
		      "succeeds; its standard error:",
		      o->argv[0], WIFEXITED(ws) ? "exit status" : "signal",
		      WIFEXITED(ws) ? WEXITSTATUS(ws) : WTERMSIG(ws));
		show_log(log);
		free(log);
		return exit_status_of(ws);
	}
	res->base_wall_s[i] = wall;
	res->base_cpu_s[i] = cpu_of(&ru);
	free(log);
	return 0;
}

/* One profiled run; 0, or the exit status to give up with. */
static int run_profiled(const struct compare_opts *o, struct cmp_sampler *s, const char *dir,
			unsigned int i, unsigned long hz)
{
	char hzs[32], *file, *log;
	char **argv;
	struct cmp_run *r = &s->runs[s->nruns];
	struct rusage ru;
	double wall;
	int ws, ret;

	snprintf(hzs, sizeof(hzs), "%lu", hz);
	file = xasprintf("%s/%s-%u.data", dir, s->name, i + 1);
	log = xasprintf("%s/%s-%u.log", dir, s->name, i + 1);
	argv = record_argv(o, s->kind, file, hzs);
	ret = run(argv, true, log, &ws, &wall, &ru);
	free(argv);
	if (ret < 0 || (WIFEXITED(ws) && (WEXITSTATUS(ws) == 126 || WEXITSTATUS(ws) == 127)) ||
	    access(file, R_OK) < 0) {
		error("the %s run of '%s' recorded nothing; its log (%s):", s->name, o->argv[0],
		      log);
		show_log(log);
		free(file);
		free(log);
		return EXIT_FAIL;
	}
	memset(r, 0, sizeof(*r));
	r->file = file;
	r->tvd = -1;
	ret = read_run(file, s->kind, hz, r, &s->event);
	if (ret) {
		free(log);
		return ret;
	}
	s->nruns++;
	if (WIFSIGNALED(ws) || (WIFEXITED(ws) && WEXITSTATUS(ws) != (unsigned)r->exit_status))
		r->exit_status = exit_status_of(ws);
	if (r->exit_status && !r->conflict)
		r->conflict = xasprintf("the command exited with status %d under this sampler "
					"(see %s)",
					r->exit_status, log);
	free(log);
	return 0;
}

int cmd_compare(int argc, char **argv)
{
	struct compare_opts o;
	struct cmp_result res;
	struct utsname u;
	char *dir;
	int ret, status = EXIT_FAIL;
	size_t total_runs, done = 0;

	ret = parse_options(&o, argc, argv);
	if (ret == CMD_HELP_SHOWN)
		return EXIT_OK;
	if (ret)
		return ret;
	if (o.dir) {
		if (mkdir(o.dir, 0700) < 0 && errno != EEXIST) {
			error("cannot create '%s': %s", o.dir, strerror(errno));
			return EXIT_FAIL;
		}
		dir = xstrdup(o.dir);
	} else {
		const char *tmp = getenv("TMPDIR");

		dir = xasprintf("%s/pmuprof-compare.XXXXXX", tmp && *tmp ? tmp : "/tmp");
		if (!mkdtemp(dir)) {
			error("cannot create a directory for the recordings in '%s': %s",
			      tmp && *tmp ? tmp : "/tmp", strerror(errno));
			free(dir);
			return EXIT_FAIL;
		}
	}
	memset(&res, 0, sizeof(res));
	res.argv = o.argv;
	res.hz = o.hz;
	res.repeats = (unsigned int)o.repeats;
	res.ncpus = (unsigned int)sysconf(_SC_NPROCESSORS_ONLN);
	if (uname(&u) == 0) {
		snprintf(res.kernel, sizeof(res.kernel), "%s", u.release);
		res.kernel_hz = kernel_hz(u.release);
	}
	res.base_wall_s = xcalloc(o.repeats, sizeof(double));
	res.base_cpu_s = xcalloc(o.repeats, sizeof(double));
	for (int k = 0; k < CMP_NSAMPLERS; k++) {
		struct cmp_sampler *s;

		if (!o.use[k])
			continue;
		s = &res.samplers[res.nsamplers++];
		s->kind = (enum cmp_sampler_kind)k;
		s->name = sampler_names[k];
		s->runs = xcalloc(o.repeats, sizeof(*s->runs));
	}
	total_runs = o.repeats * (res.nsamplers + 1);
	/* round robin: a slow minute of the machine touches every sampler alike */
	for (unsigned int i = 0; i < o.repeats; i++) {
		fprintf(stderr, "pmuprof compare: run %zu of %zu: unprofiled\n", ++done, total_runs);
		ret = run_unprofiled(&o, &res, dir, i);
		if (ret) {
			status = ret;
			goto out;
		}
		for (size_t k = 0; k < res.nsamplers; k++) {
			fprintf(stderr, "pmuprof compare: run %zu of %zu: %s\n", ++done, total_runs,
				res.samplers[k].name);
			ret = run_profiled(&o, &res.samplers[k], dir, i, o.hz);
			if (ret) {
				status = ret;
				goto out;
			}
		}
	}
	res.base_wall_median = median_of_copy(res.base_wall_s, o.repeats);
	res.base_cpu_median = median_of_copy(res.base_cpu_s, o.repeats);
	for (size_t k = 0; k < res.nsamplers; k++) {
		struct cmp_sampler *s = &res.samplers[k];

		for (size_t i = 0; i < s->nruns; i++) {
			struct cmp_run *r = &s->runs[i];

			if (res.base_wall_median > 0)
				r->wall_overhead_pct = (r->wall_s / res.base_wall_median - 1) * 100;
			if (res.base_cpu_median > 0)
				r->cpu_overhead_pct =
				    (r->rusage_cpu_s / res.base_cpu_median - 1) * 100;
			if (s->kind != CMP_PMU && res.samplers[0].kind == CMP_PMU &&
			    i < res.samplers[0].nruns)
				r->tvd = cmp_tvd(r->funcs, r->nfuncs, res.samplers[0].runs[i].funcs,
						 res.samplers[0].runs[i].nfuncs);
		}
		summarize(s);
	}
	if (!o.dir) {
		/* deleted at the end: not worth naming */
		for (size_t k = 0; k < res.nsamplers; k++)
			for (size_t i = 0; i < res.samplers[k].nruns; i++)
				FREE_AND_NULL(res.samplers[k].runs[i].file);
	}
	ret = o.json ? cmp_write_json(&res, stdout) : cmp_write_text(&res, stdout);
	if (ret < 0) {
		error("cannot write the comparison: %s", strerror(-ret));
		goto out;
	}
	if (o.svg) {
		FILE *f = fopen(o.svg, "w");

		if (!f || cmp_write_svg(&res, f) < 0 || fclose(f) != 0) {
			error("cannot write '%s': %s", o.svg, strerror(errno));
			goto out;
		}
		fprintf(stderr, "pmuprof compare: chart written to '%s'\n", o.svg);
	}
	status = EXIT_OK;
out:
	if (!o.dir)
		remove_dir(dir);
	free(dir);
	cmp_result_release(&res);
	return status;
}
