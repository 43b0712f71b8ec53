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
#include "cmd/recording.h"
#include "output/compare.h"
#include "resolve/symbolize.h"
#include "util/alloc.h"
#include "util/error.h"
#include "util/safefile.h"

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
	OPT_SAMPLERS = CMD_OPT_LONG_BASE,
	OPT_JSON,
	OPT_SVG,
	OPT_CALL_GRAPH,
	OPT_STDIO,
	OPT_FULL_SIGNATURES,
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
	{ OPT_STDIO, "stdio", NULL, "the table as text (the default without --json)" },
	{ OPT_FULL_SIGNATURES, "full-signatures", NULL, "tell C++ functions by their full signatures" },
	{ 'h', "help", NULL, "show this help" },
};

static const char *const sampler_names[CMP_NSAMPLERS] = { "pmu", "itimer", "ctimer" };

struct compare_opts {
	unsigned long hz, repeats;
	bool use[CMP_NSAMPLERS];
	const char *event, *call_graph, *dir, *svg;
	bool json, signatures;
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
		case OPT_FULL_SIGNATURES:
			o->signatures = true;
			break;
		case OPT_SVG:
			o->svg = arg;
			break;
		case OPT_STDIO:
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
	/* in the directory make_dir() made safe: no link is followed, an old log is emptied */
	int err = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_NOFOLLOW | O_CLOEXEC, 0600);
	double t0 = now_s();
	pid_t pid;

	if (err < 0)
		return -errno;
	pid = fork();
	if (pid < 0) {
		int e = -errno;

		close(err);
		return e;
	}
	if (pid == 0) {
		int out = open("/dev/null", O_WRONLY | O_CLOEXEC);

		if (out >= 0)
			dup2(out, STDOUT_FILENO);
		dup2(err, STDERR_FILENO);
		if (self)
			execv("/proc/self/exe", argv);
		else
			execvp(argv[0], argv);
		fprintf(stderr, "pmuprof compare: cannot run '%s': %s\n", argv[0],
			strerror(errno));
		_exit(errno == ENOENT ? 127 : 126);
	}
	close(err);
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

static uint64_t stat0(const struct data_reader *rd, const char *key)
{
	uint64_t v = 0;

	data_reader_stat_u64(rd, key, &v);
	return v;
}

/* The data file's statistics of the run; returns the per-thread CPU array st points to. */
static struct cmp_task_cpu *run_stats(const struct session *s, struct cmp_run_stats *st)
{
	const struct data_reader *rd = s->rd;
	struct cmp_task_cpu *cpu = xcalloc(s->ntask_cpu + 1, sizeof(*cpu));
	const char *conflict;
	size_t len = 0;

	memset(st, 0, sizeof(*st));
	st->elapsed_ns = stat0(rd, "elapsed-ns");
	st->cpu_time_ns = stat0(rd, "cpu-time-ns");
	st->exit_status = (int)stat0(rd, "exit-status");
	st->lost = stat0(rd, "lost-ring") + stat0(rd, "lost-samples") + stat0(rd, "lost-writer") +
		   stat0(rd, "lost-shim");
	st->overruns = stat0(rd, "timer-overruns");
	st->foreign = stat0(rd, "foreign-signals");
	st->shim_images = stat0(rd, "shim-images");
	conflict = data_reader_stat(rd, "conflict", &len);
	/* the file is not trusted: only a terminated string is text */
	if (conflict && len && memchr(conflict, '\0', len))
		st->conflict = conflict;
	for (size_t i = 0; i < s->ntask_cpu; i++) {
		cpu[i].pid = s->task_cpu[i].pid;
		cpu[i].tid = s->task_cpu[i].tid;
		cpu[i].cpu_ns = s->task_cpu[i].cpu_ns;
	}
	st->task_cpu = cpu;
	st->ntask_cpu = s->ntask_cpu;
	return cpu;
}

/* Fills what a recording says; 0, or the exit status after saying why it cannot be read. */
static int read_run(const char *path, enum cmp_sampler_kind k, unsigned long hz,
		    unsigned sym_flags, struct cmp_run *r, char **event)
{
	struct session s;
	struct symbolizer *sym;
	struct profile *p;
	struct cmp_run_stats st;
	struct cmp_task_cpu *cpu;
	const char *ev;
	uint64_t end;
	int ret = cmd_recording_profile(&s, path, NULL, PROF_VIEW_CPU, sym_flags, CMD_JOBS_DEFAULT,
					&p, &sym);

	if (ret)
		return ret;
	ev = data_reader_meta_str(s.rd, "event");
	if (!*event)
		*event = xstrdup(ev ? ev : sampler_names[k]);
	cpu = run_stats(&s, &st);
	cmp_run_fill(r, k, hz, p, &st);
	/* the names the threads had at the last sample */
	end = p->time_end ? p->time_end : UINT64_MAX;
	for (size_t i = 0; i < r->nthreads; i++) {
		struct cmp_thread *t = &r->threads[i];

		snprintf(t->comm, sizeof(t->comm), "%s", session_comm(&s, t->pid, t->tid, end));
	}
	free(cpu);
	profile_free(p);
	symbolizer_free(sym);
	session_close(&s);
	return 0;
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
		error_errno(ret, "cannot run '%s'", o->argv[0]);
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
		return cmd_exit_status(ws);
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
	ret = read_run(file, s->kind, hz, SYM_DEMANGLE | (o->signatures ? SYM_SIGNATURE : 0), r,
		       &s->event);
	if (ret) {
		free(log);
		return ret;
	}
	s->nruns++;
	if (WIFSIGNALED(ws) || (WIFEXITED(ws) && WEXITSTATUS(ws) != (unsigned)r->exit_status))
		r->exit_status = cmd_exit_status(ws);
	if (r->exit_status && !r->conflict)
		r->conflict = xasprintf("the command exited with status %d under this sampler "
					"(see %s)",
					r->exit_status, log);
	free(log);
	return 0;
}

/* The directory of the recordings and logs: -o's, else a new one under $TMPDIR. */
static int make_dir(const struct compare_opts *o, char **dir)
{
	const char *tmp = getenv("TMPDIR");

	if (o->dir) {
		int ret = safe_mkdir(o->dir);

		if (ret == -EPERM) {
			error("cannot use '%s': it belongs to another user or others may write "
			      "in it; name a new directory or one of yours that only you may write",
			      o->dir);
			return EXIT_FAIL;
		}
		if (ret < 0) {
			error_errno(-ret, "cannot create '%s'", o->dir);
			return EXIT_FAIL;
		}
		*dir = xstrdup(o->dir);
		return 0;
	}
	if (!tmp || !*tmp)
		tmp = "/tmp";
	*dir = xasprintf("%s/pmuprof-compare.XXXXXX", tmp);
	if (!mkdtemp(*dir)) {
		error_errno(errno, "cannot create a directory for the recordings in '%s'", tmp);
		free(*dir);
		return EXIT_FAIL;
	}
	return 0;
}

/* The machine, the request and a slot for every run. */
static void result_init(struct cmp_result *res, const struct compare_opts *o)
{
	struct utsname u;

	memset(res, 0, sizeof(*res));
	res->argv = o->argv;
	res->hz = o->hz;
	res->repeats = (unsigned int)o->repeats;
	res->ncpus = (unsigned int)sysconf(_SC_NPROCESSORS_ONLN);
	if (uname(&u) == 0) {
		snprintf(res->kernel, sizeof(res->kernel), "%s", u.release);
		res->kernel_hz = kernel_hz(u.release);
	}
	res->base_wall_s = xcalloc(o->repeats, sizeof(double));
	res->base_cpu_s = xcalloc(o->repeats, sizeof(double));
	for (int k = 0; k < CMP_NSAMPLERS; k++) {
		struct cmp_sampler *s;

		if (!o->use[k])
			continue;
		s = &res->samplers[res->nsamplers++];
		s->kind = (enum cmp_sampler_kind)k;
		s->name = sampler_names[k];
		s->runs = xcalloc(o->repeats, sizeof(*s->runs));
	}
}

/* Every run; 0, or the exit status to give up with. */
static int run_all(const struct compare_opts *o, struct cmp_result *res, const char *dir)
{
	size_t total_runs = o->repeats * (res->nsamplers + 1), done = 0;
	int ret;

	/* round robin: a slow minute of the machine touches every sampler alike */
	for (unsigned int i = 0; i < o->repeats; i++) {
		fprintf(stderr, "pmuprof compare: run %zu of %zu: unprofiled\n", ++done,
			total_runs);
		ret = run_unprofiled(o, res, dir, i);
		if (ret)
			return ret;
		for (size_t k = 0; k < res->nsamplers; k++) {
			fprintf(stderr, "pmuprof compare: run %zu of %zu: %s\n", ++done, total_runs,
				res->samplers[k].name);
			ret = run_profiled(o, &res->samplers[k], dir, i, o->hz);
			if (ret)
				return ret;
		}
	}
	return 0;
}

/* The table or JSON on standard output, and the chart; the exit status. */
static int write_result(const struct compare_opts *o, const struct cmp_result *res)
{
	int ret = o->json ? cmp_write_json(res, stdout) : cmp_write_text(res, stdout);

	FILE *f;

	if (ret < 0)
		return error_errno(ret, "cannot write the comparison"), EXIT_FAIL;
	if (!o->svg)
		return EXIT_OK;
	f = cmd_output_open(o->svg);
	if (!f || cmd_output_close(f, o->svg, cmp_write_svg(res, f), "the chart"))
		return EXIT_FAIL;
	fprintf(stderr, "pmuprof compare: chart written to '%s'\n", o->svg);
	return EXIT_OK;
}

int cmd_compare(int argc, char **argv)
{
	struct compare_opts o;
	struct cmp_result res;
	char *dir;
	int ret = parse_options(&o, argc, argv);

	if (ret == CMD_HELP_SHOWN)
		return EXIT_OK;
	if (ret)
		return ret;
	ret = make_dir(&o, &dir);
	if (ret)
		return ret;
	result_init(&res, &o);
	ret = run_all(&o, &res, dir);
	if (!ret) {
		cmp_result_summarize(&res);
		/* deleted at the end: not worth naming */
		for (size_t k = 0; k < res.nsamplers && !o.dir; k++)
			for (size_t i = 0; i < res.samplers[k].nruns; i++)
				FREE_AND_NULL(res.samplers[k].runs[i].file);
		ret = write_result(&o, &res);
	}
	if (!o.dir)
		remove_dir(dir);
	free(dir);
	cmp_result_release(&res);
	return ret;
}
