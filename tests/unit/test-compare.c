// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The numbers and writers of `pmuprof compare` on a result built by hand:
 * three samplers, two threads, two runs each, one run with a conflict, one
 * error that could not be computed (NaN), medians that share strings with
 * their run and medians that own copies. cmp_tvd, medians, a sampler's and a
 * result's summaries and a run filled from a small profile, on cases worked
 * out by hand; the text table, JSON (checked by Python's parser where it is
 * installed) and SVG (checked by xmllint where it is installed) for what
 * must be in them, and the same bytes from every writer twice over.
 * Everything is freed: the sanitizer build checks the release.
 */
#include "util/compiler.h"
#include "analyse/compare.h"
#include "output/compare.h"
#include "analyse/profile.h"
#include "util/alloc.h"
#include "tap.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CONFLICT "the workload installs its own SIGPROF handler"

static char *argv_[] = {"./spin", "--mode=<a&b>", "it's \"x\"", NULL};

/* ---- cmp_tvd ---- */

static void tvd(void)
{
	struct cmp_func a[] = {{"x", 0.5}, {"y", 0.5}};
	struct cmp_func a2[] = {{"y", 0.5}, {"x", 0.5}};
	struct cmp_func d[] = {{"p", 0.25}, {"q", 0.75}};
	struct cmp_func b[] = {{"z", 0.5}, {"x", 0.2}, {"y", 0.3}};
	struct cmp_func dup[] = {{"x", 0.25}, {"y", 0.5}, {"x", 0.25}};
	struct cmp_func one[] = {{"x", 1}};

	is_near(cmp_tvd(a, 2, a2, 2), 0, 1e-12, "tvd: the same profile in another order is 0");
	is_near(cmp_tvd(a, 2, d, 2), 1, 1e-12, "tvd: disjoint profiles are 1");
	/* |.5-.2| + |.5-.3| + |0-.5| = 1.0, halved */
	is_near(cmp_tvd(a, 2, b, 3), 0.5, 1e-12, "tvd: partial overlap");
	is_near(cmp_tvd(b, 3, a, 2), 0.5, 1e-12, "tvd: symmetric");
	is_near(cmp_tvd(dup, 3, a, 2), 0, 1e-12, "tvd: a name listed twice counts once, summed");
	is_near(cmp_tvd(NULL, 0, NULL, 0), 0, 1e-12, "tvd: two empty profiles are 0");
	is_near(cmp_tvd(one, 1, NULL, 0), 0.5, 1e-12, "tvd: against nothing, half the mass");
}

/* ---- a result by hand ---- */

static void set_funcs(struct cmp_run *run, const char *const *names, const double *shares, size_t n)
{
	run->funcs = xcalloc(n, sizeof(*run->funcs));
	run->nfuncs = n;
	for (size_t i = 0; i < n; i++) {
		run->funcs[i].name = xstrdup(names[i]);
		run->funcs[i].share = shares[i];
	}
}

/* Two threads with a true 50/50 split, sampled as `first` : 1 - first. */
static void set_threads(struct cmp_run *run, uint32_t pid, double first)
{
	run->nthreads = 2;
	run->threads = xcalloc(2, sizeof(*run->threads));
	for (int i = 0; i < 2; i++) {
		struct cmp_thread *t = &run->threads[i];

		t->pid = pid;
		t->tid = pid + (uint32_t)i;
		snprintf(t->comm, sizeof(t->comm), i ? "worker<2>" : "spin");
		t->true_cpu_s = run->true_cpu_s / 2;
		t->true_share = 0.5;
		t->share = i ? 1 - first : first;
		t->attributed_cpu_s = run->attributed_cpu_s * t->share;
		t->samples = (uint64_t)(t->attributed_cpu_s * 100 + 0.5);
	}
	run->max_share_error_pp = 100 * fabs(first - 0.5);
}

static void fill_run(struct cmp_run *run, enum cmp_sampler_kind kind, int rep)
{
	static const char *const names[] = {"spin_a", "spin_b", "helper"};
	static const double pmu_share[] = {0.5, 0.5}, it_share[] = {0.7, 0.3},
			    ct_share[] = {0.5, 0.45, 0.05};
	double err = kind == CMP_PMU ? -0.5 + rep : kind == CMP_ITIMER ? -40 - 2 * rep : -0.8;
	uint32_t pid = 1000 + 100 * (uint32_t)kind + 10 * (uint32_t)rep;

	run->file = xasprintf("/tmp/cmp-%d-%d.data", kind, rep);
	run->wall_s = 2.05 + 0.01 * rep;
	run->rusage_cpu_s = 4.1;
	run->true_cpu_s = 4.0;
	run->attributed_cpu_s = 4.0 * (1 + err / 100);
	run->samples = (uint64_t)(run->attributed_cpu_s * 100 + 0.5);
	run->unweighted_cpu_s = kind == CMP_CTIMER ? 3.88 : run->attributed_cpu_s;
	run->rate_hz = (double)run->samples / run->true_cpu_s;
	run->error_pct = err;
	run->unweighted_error_pct = 100 * (run->unweighted_cpu_s / run->true_cpu_s - 1);
	run->lost = kind == CMP_PMU ? 3 : 0;
	run->overruns = kind == CMP_CTIMER ? 12 : 0;
	run->foreign = kind == CMP_ITIMER && rep ? 2 : 0;
	run->wall_overhead_pct = 1.5;
	run->cpu_overhead_pct = 0.7;
	run->tvd = kind == CMP_PMU ? -1 : kind == CMP_ITIMER ? 0.2 : 0.05;
	if (kind == CMP_ITIMER && rep == 1)
		run->conflict = xstrdup(CONFLICT);
	/* a ctimer run whose error could not be computed: must print as "-" and null */
	if (kind == CMP_CTIMER && rep == 0)
		run->error_pct = NAN;
	set_threads(run, pid, kind == CMP_ITIMER ? 0.7 : 0.5);
	if (kind == CMP_PMU)
		set_funcs(run, names, pmu_share, 2);
	else if (kind == CMP_ITIMER)
		set_funcs(run, names, it_share, 2);
	else
		set_funcs(run, names, ct_share, 3);
}

/* The median as compare.c may build it: a shallow copy sharing the run's strings, or deep. */
static void fill_median(struct cmp_sampler *s, bool deep)
{
	const struct cmp_run *run = &s->runs[1];
	struct cmp_run *m = &s->median;

	*m = *run;
	m->threads = xcalloc(run->nthreads, sizeof(*m->threads));
	memcpy(m->threads, run->threads, run->nthreads * sizeof(*m->threads));
	m->funcs = xcalloc(run->nfuncs, sizeof(*m->funcs));
	memcpy(m->funcs, run->funcs, run->nfuncs * sizeof(*m->funcs));
	if (deep) {
		m->file = run->file ? xstrdup(run->file) : NULL;
		m->conflict = run->conflict ? xstrdup(run->conflict) : NULL;
		for (size_t i = 0; i < m->nfuncs; i++)
			m->funcs[i].name = xstrdup(run->funcs[i].name);
	}
	if (s->kind == CMP_CTIMER)
		m->error_pct = -0.8;
}

static void build(struct cmp_result *r)
{
	static const char *const sname[] = {"pmu", "itimer", "ctimer"};

	memset(r, 0, sizeof(*r));
	r->argv = argv_;
	r->hz = 100;
	r->repeats = 2;
	r->ncpus = 2;
	r->kernel_hz = 250;
	snprintf(r->kernel, sizeof(r->kernel), "6.18.0");
	r->base_wall_s = xcalloc(2, sizeof(double));
	r->base_cpu_s = xcalloc(2, sizeof(double));
	r->base_wall_s[0] = 2.0;
	r->base_wall_s[1] = 2.25;
	r->base_cpu_s[0] = 4.0;
	r->base_cpu_s[1] = 4.25;
	r->base_wall_median = 2.125;
	r->base_cpu_median = 4.125;
	r->nsamplers = 3;
	for (int k = 0; k < 3; k++) {
		struct cmp_sampler *s = &r->samplers[k];

		s->kind = (enum cmp_sampler_kind)k;
		s->name = sname[k];
		s->event = xstrdup(k == CMP_PMU	     ? "cpu-clock"
				   : k == CMP_ITIMER ? "ITIMER_PROF"
						     : "CLOCK_THREAD_CPUTIME_ID");
		s->nruns = 2;
		s->runs = xcalloc(2, sizeof(*s->runs));
		for (int rep = 0; rep < 2; rep++)
			fill_run(&s->runs[rep], s->kind, rep);
		fill_median(s, k != CMP_PMU);
	}
}

/* ---- medians and summaries ---- */

static void medians(void)
{
	double odd[] = {3, 1, 2}, even[] = {4, 1, 3, 2}, one[] = {7};

	is_near(cmp_median(odd, 3), 2, 1e-12, "median of an odd count: the middle one");
	is_near(cmp_median(even, 4), 2.5, 1e-12, "median of an even count: mean of the middle two");
	ok(odd[0] == 3 && odd[1] == 1 && even[0] == 4 && even[3] == 2,
	   "median: the values are left in their order");
	is_near(cmp_median(one, 1), 7, 1e-12, "median of one value: that value");
	is_near(cmp_median(NULL, 0), 0, 1e-12, "median of nothing: 0");
}

/* Three runs whose numbers are known; run 2 has the median error. */
static void summary_runs(struct cmp_sampler *s, enum cmp_sampler_kind kind)
{
	static const double err[] = {-3, 5, 1}, wall[] = {2.2, 1.1, 4.4}, cpu[] = {4.4, 6.6, 2.2};
	static const uint64_t samples[] = {10, 30, 21}, lost[] = {0, 7, 1};
	static const char *const names[] = {"spin_a", "spin_b"};
	const double shares[3][2] = {{0.5, 0.5}, {0.75, 0.25}, {0.6, 0.4}};

	memset(s, 0, sizeof(*s));
	s->kind = kind;
	s->name = kind == CMP_PMU ? "pmu" : "itimer";
	s->nruns = 3;
	s->runs = xcalloc(3, sizeof(*s->runs));
	for (int i = 0; i < 3; i++) {
		struct cmp_run *r = &s->runs[i];

		r->file = xasprintf("/tmp/%s-%d.data", s->name, i + 1);
		r->error_pct = err[i];
		r->wall_s = wall[i];
		r->rusage_cpu_s = cpu[i];
		r->samples = samples[i];
		r->lost = lost[i];
		r->exit_status = i;
		r->tvd = -1;
		r->true_cpu_s = 4;
		set_threads(r, 100 * (uint32_t)(i + 1), 0.5);
		set_funcs(r, names, shares[kind == CMP_PMU ? 0 : i], 2);
	}
	if (kind != CMP_PMU)
		s->runs[1].conflict = xstrdup(CONFLICT);
}

static void summaries(void)
{
	struct cmp_result r = {.repeats = 3, .nsamplers = 2};
	struct cmp_sampler *pmu = &r.samplers[0], *it = &r.samplers[1];
	const struct cmp_run *m = &it->median;

	r.base_wall_s = xcalloc(3, sizeof(double));
	r.base_cpu_s = xcalloc(3, sizeof(double));
	r.base_wall_s[0] = 4, r.base_wall_s[1] = 1, r.base_wall_s[2] = 2;
	r.base_cpu_s[0] = 2, r.base_cpu_s[1] = 2, r.base_cpu_s[2] = 2.2;
	summary_runs(pmu, CMP_PMU);
	summary_runs(it, CMP_ITIMER);
	cmp_result_summarize(&r);
	is_near(r.base_wall_median, 2, 1e-12, "result: the unprofiled wall median");
	is_near(r.base_cpu_median, 2, 1e-12, "result: the unprofiled CPU median");
	ok(r.base_wall_s[0] == 4 && r.base_wall_s[1] == 1, "result: the unprofiled runs in order");
	is_near(it->runs[0].wall_overhead_pct, 10, 1e-9, "result: a run's wall overhead");
	is_near(it->runs[1].cpu_overhead_pct, 230, 1e-9, "result: a run's CPU overhead");
	/* against pmu's 50/50 of the same round: 0, |.75-.5|, |.6-.5| */
	is_near(it->runs[0].tvd, 0, 1e-12, "result: TVD against pmu's run of the same round");
	is_near(it->runs[1].tvd, 0.25, 1e-12, "result: TVD of round two");
	is_near(it->runs[2].tvd, 0.1, 1e-12, "result: TVD of round three");
	ok(pmu->runs[0].tvd == -1 && pmu->median.tvd == -1, "result: no TVD of pmu against itself");
	is_near(m->error_pct, 1, 1e-12, "summary: the median error");
	is_near(m->wall_s, 2.2, 1e-12, "summary: the median wall time, not the median run's");
	is_near(m->rusage_cpu_s, 4.4, 1e-12, "summary: the median CPU time");
	is_int((long long)m->samples, 21, "summary: the median sample count");
	is_int((long long)m->lost, 1, "summary: the median of lost samples");
	is_near(m->tvd, 0.1, 1e-12, "summary: the median TVD");
	is_near(m->wall_overhead_pct, 10, 1e-9, "summary: the median wall overhead");
	is_int(m->exit_status, 2, "summary: the exit status of the run with the median error");
	ok(m->nfuncs == 2 && !strcmp(m->funcs[0].name, "spin_a") && m->funcs[0].share == 0.6 &&
	       m->funcs[0].name != it->runs[2].funcs[0].name,
	   "summary: the median run's functions, copied");
	ok(m->nthreads == 2 && m->threads[0].tid == 300 && m->threads != it->runs[2].threads,
	   "summary: the median run's threads, copied");
	ok(m->conflict && !strcmp(m->conflict, CONFLICT) && m->conflict != it->runs[1].conflict,
	   "summary: the conflict of any run, copied");
	ok(!pmu->median.conflict, "summary: no conflict where no run had one");
	cmp_result_release(&r);
}

/* ---- a run from a small profile ---- */

/*
 * Thread 10: main;leaf_a 3 samples, 30 ms; main;leaf_b;do_syscall_64 1, 10 ms.
 * Thread 11: main;leaf_b 2, 20 ms; do_syscall_64 alone (no user frame) 1, 10 ms.
 * The kernel accounted 40 ms to each, in two records for 11, and 5 ms to
 * thread 12, never sampled.
 */
static struct prof_func run_funcs[] = {
    {.name = "main", .dso = "spin"},
    {.name = "leaf_a", .dso = "spin"},
    {.name = "leaf_b", .dso = "spin"},
    {.name = "do_syscall_64", .dso = "[kernel.kallsyms]", .kernel = true},
};
static struct prof_loc run_locs[] = {{.func = 0}, {.func = 1}, {.func = 2}, {.func = 3}};
static uint32_t run_frames[] = {1, 0, 3, 2, 0, 2, 0, 3};
static struct prof_stack run_stacks[] = {
    {.first = 0, .depth = 2, .pid = 1, .tid = 10, .samples = 3, .weight = 30000000},
    {.first = 2, .depth = 3, .pid = 1, .tid = 10, .samples = 1, .weight = 10000000},
    {.first = 5, .depth = 2, .pid = 1, .tid = 11, .samples = 2, .weight = 20000000},
    {.first = 7, .depth = 1, .pid = 1, .tid = 11, .samples = 1, .weight = 10000000},
};
static const struct cmp_task_cpu run_cpu[] = {
    {1, 10, 40000000}, {1, 11, 20000000}, {1, 11, 20000000}, {1, 12, 5000000}};

static const struct profile run_prof = {
    .funcs = run_funcs,
    .nfuncs = 4,
    .locs = run_locs,
    .nlocs = 4,
    .stacks = run_stacks,
    .nstacks = 4,
    .frames = run_frames,
    .nframes = 8,
    .samples = 7,
    .weight = 70000000,
    .event = "cpu-clock",
    .weight_unit = "nanoseconds",
};

/* A run that belongs to no result (cmp_result_release() frees runs of samplers). */
static void free_run(struct cmp_run *r)
{
	for (size_t i = 0; i < r->nfuncs; i++)
		free(r->funcs[i].name);
	free(r->funcs);
	free(r->threads);
	free(r->file);
	free(r->conflict);
}

static void run_fill(void)
{
	struct cmp_run_stats st = {
	    .elapsed_ns = 50000000,
	    .cpu_time_ns = 90000000,
	    .exit_status = 3,
	    .lost = 4,
	    .overruns = 5,
	    .foreign = 6,
	    .shim_images = 1,
	    .task_cpu = run_cpu,
	    .ntask_cpu = 4,
	};
	struct cmp_run r = {.tvd = -1};
	struct profile events = run_prof;
	double d10 = fabs(4.0 / 7 - 40.0 / 85), d12 = 5.0 / 85;

	/* a timer sampler at 50 Hz: weights are time, the unweighted count is 1/50 s a sample */
	cmp_run_fill(&r, CMP_ITIMER, 50, &run_prof, &st);
	is_int((long long)r.samples, 7, "fill: samples");
	is_near(r.attributed_cpu_s, 0.07, 1e-12, "fill: attributed CPU, the weights' sum");
	is_near(r.unweighted_cpu_s, 0.14, 1e-12, "fill: unweighted CPU, samples at 1/hz");
	is_near(r.true_cpu_s, 0.085, 1e-12, "fill: true CPU, the threads' task-clock");
	is_near(r.wall_s, 0.05, 1e-12, "fill: wall time");
	is_near(r.rusage_cpu_s, 0.09, 1e-12, "fill: rusage CPU");
	is_near(r.error_pct, (0.07 / 0.085 - 1) * 100, 1e-9, "fill: error");
	is_near(r.unweighted_error_pct, (0.14 / 0.085 - 1) * 100, 1e-9, "fill: unweighted error");
	is_near(r.rate_hz, 7 / 0.085, 1e-9, "fill: samples per true CPU second");
	ok(r.exit_status == 3 && r.lost == 4 && r.overruns == 5 && r.foreign == 6 && r.tvd == -1,
	   "fill: the statistics as given, tvd left alone");
	ok(!r.conflict, "fill: no conflict");
	is_int((long long)r.nthreads, 3, "fill: three threads, one never sampled");
	if (r.nthreads == 3) {
		ok(r.threads[0].tid == 10 && r.threads[1].tid == 11 && r.threads[2].tid == 12,
		   "fill: threads by true CPU, a tie by tid");
		is_near(r.threads[1].true_cpu_s, 0.04, 1e-12, "fill: a thread's records add up");
		ok(r.threads[0].samples == 4 && r.threads[1].samples == 3 && !r.threads[2].samples,
		   "fill: a thread's samples");
		is_near(r.threads[0].share, 4.0 / 7, 1e-12, "fill: a thread's sampled share");
		is_near(r.threads[2].true_share, 5.0 / 85, 1e-12, "fill: a thread's true share");
		ok(!r.threads[0].comm[0], "fill: names left to the caller");
	}
	is_near(r.max_share_error_pp, 100 * (d10 > d12 ? d10 : d12), 1e-9,
		"fill: the largest share error, in points");
	is_int((long long)r.nfuncs, 3, "fill: three leaf functions");
	if (r.nfuncs == 3) {
		ok(!strcmp(r.funcs[0].name, "leaf_a") && !strcmp(r.funcs[1].name, "leaf_b") &&
		       !strcmp(r.funcs[2].name, "[unknown]"),
		   "fill: leaves by share, a tie by name, kernel frames passed over");
		is_near(r.funcs[1].share, 3.0 / 7, 1e-12, "fill: leaf_b, under a kernel frame");
		is_near(r.funcs[2].share, 1.0 / 7, 1e-12, "fill: no user frame is [unknown]");
	}
	free_run(&r);

	/* the pmu sampler counting events: no time in the weights, a sample is 1/hz */
	events.weight_unit = "events";
	st.conflict = "the workload installs its own SIGPROF handler";
	st.shim_images = 0;
	st.ntask_cpu = 0;
	memset(&r, 0, sizeof(r));
	cmp_run_fill(&r, CMP_PMU, 100, &events, &st);
	is_near(r.attributed_cpu_s, 0.07, 1e-12, "fill, events: samples at 1/hz");
	is_near(r.unweighted_cpu_s, r.attributed_cpu_s, 1e-12, "fill, events: pmu's unweighted");
	is_near(r.true_cpu_s, 0.09, 1e-12, "fill: without task-clock, rusage is the truth");
	ok(r.nthreads == 2 && r.threads[0].true_share == 0 && r.max_share_error_pp == 0,
	   "fill: without task-clock, no true shares and no share error");
	ok(r.threads[0].tid == 10, "fill: without task-clock, threads by sampled CPU");
	ok(r.conflict && !strcmp(r.conflict, st.conflict), "fill: the recorder's conflict");
	free_run(&r);

	/* a timer sampler whose library never loaded says so, whatever else was noticed */
	memset(&r, 0, sizeof(r));
	cmp_run_fill(&r, CMP_CTIMER, 100, &run_prof, &st);
	ok(r.conflict && strstr(r.conflict, "never loaded"), "fill: the sampler never loaded");
	free_run(&r);
}

/* ---- writing to memory ---- */

static char *write_to_memory(int (*writer)(const struct cmp_result *, FILE *),
			     const struct cmp_result *r, int *ret)
{
	char *buf = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&buf, &size);

	if (!f) {
		*ret = -errno;
		return NULL;
	}
	*ret = writer(r, f);
	if (fclose(f) && !*ret)
		*ret = -EIO;
	return buf;
}

/* Runs `cmd FILE` with the text in FILE; its exit status, or -1 if it did not run. */
static int run_tool(const char *cmd, const char *text)
{
	char path[] = "/tmp/test-compare-XXXXXX";
	int fd = mkstemp(path), status;
	char *line;
	FILE *f;

	if (fd < 0)
		return -1;
	f = fdopen(fd, "w");
	if (!f) {
		close(fd);
		unlink(path);
		return -1;
	}
	fputs(text, f);
	fclose(f);
	line = xasprintf("%s %s", cmd, path);
	status = system(line);
	free(line);
	unlink(path);
	return status == -1 || !WIFEXITED(status) ? -1 : WEXITSTATUS(status);
}

static bool have(const char *tool)
{
	char *cmd = xasprintf("command -v %s >/dev/null 2>&1", tool);
	int status = system(cmd);

	free(cmd);
	return status == 0;
}

static bool lines_fit(const char *text, size_t width, size_t *worst)
{
	*worst = 0;
	for (const char *s = text; *s;) {
		size_t len = strcspn(s, "\n");

		if (len > *worst)
			*worst = len;
		s += len + (s[len] == '\n');
	}
	return *worst <= width;
}

static void text(const struct cmp_result *r)
{
	int ret;
	char *out = write_to_memory(cmp_write_text, r, &ret);
	size_t worst;
	bool fits;

	is_int(ret, 0, "text: written");
	if (!out)
		return;
	ok(strstr(out, "command:    ./spin '--mode=<a&b>' 'it'\\''s \"x\"'\n") != NULL,
	   "text: the command, quoted as a shell needs it");
	ok(strstr(out, "kernel 6.18.0 (CONFIG_HZ 250") != NULL, "text: kernel and its HZ");
	ok(strstr(out, "wall 2.125 s, CPU 4.125 s (medians of 2 runs)") != NULL,
	   "text: the unprofiled medians");
	ok(strstr(out, "\npmu ") && strstr(out, "\nitimer ") && strstr(out, "\nctimer "),
	   "text: a row per sampler");
	ok(strstr(out, "\n unweighted ") != NULL, "text: ctimer's unweighted row");
	ok(strstr(out, "-42.0 -42..-40") != NULL, "text: itimer's median error and its range");
	ok(strstr(out, "-0.8 -0.8..-0.8") != NULL,
	   "text: a run with no error left out of the range");
	ok(strstr(out, "100/100") != NULL && strstr(out, "58/100") != NULL,
	   "text: delivered against requested rate");
	ok(strstr(out, "0.200") != NULL && strstr(out, "0.050") != NULL, "text: TVD vs pmu");
	ok(strstr(out, "1110  spin") && strstr(out, "1111  worker<2>"),
	   "text: itimer's threads with tid and comm");
	ok(strstr(out, "70.0    +20.0") != NULL, "text: a thread's sampled share and difference");
	ok(strstr(out, "warning: itimer: " CONFLICT " (1 of 2 runs)\n") != NULL,
	   "text: the conflict, once");
	ok(strstr(out, "note: itimer: 2 SIGPROF not sent by the sampler") != NULL,
	   "text: foreign signals");
	ok(strstr(out, "nan") == NULL && strstr(out, "inf") == NULL, "text: no NaN or inf printed");
	fits = lines_fit(out, 100, &worst);
	ok(fits, "text: within 100 columns (widest %zu)", worst);
	ok(!strstr(out, "note: itimer: 100 Hz") && !strstr(out, "note: ctimer: 100 Hz"),
	   "text: no tick notes where the rate is within the tick");
	diag("the text report:");
	for (char *line = strtok(out, "\n"); line; line = strtok(NULL, "\n"))
		diag("| %s", line);
	free(out);
}

/* Above the tick rate: the notes that say why the timers must miss. */
static void text_fast(const struct cmp_result *r)
{
	struct cmp_result fast = *r;
	int ret;
	char *out;

	fast.hz = 400;
	out = write_to_memory(cmp_write_text, &fast, &ret);
	is_int(ret, 0, "text at 400 Hz: written");
	ok(out && strstr(out, "note: itimer: 400 Hz x 1.9 busy CPUs asks for 777 signals/s, more "
			      "than one a tick (250/s):\n"),
	   "text at 400 Hz: itimer's tick limit");
	ok(out && strstr(out, "note: ctimer: 400 Hz is more than one signal a tick (250/s) per "
			      "thread:"),
	   "text at 400 Hz: ctimer's tick limit");
	free(out);
}

/* Python's json module, strict about NaN, asserting the values where they belong. */
static const char json_checks[] =
    "python3 -c '\n"
    "import json, sys\n"
    "def bad(c): sys.exit(\"not JSON: \" + c)\n"
    "d = json.load(open(sys.argv[1]), parse_constant=bad)\n"
    "assert d[\"command\"] == [\"./spin\", \"--mode=<a&b>\", \"it\\x27s \\\"x\\\"\"], "
    "d[\"command\"]\n"
    "assert d[\"hz\"] == 100 and d[\"repeats\"] == 2 and d[\"ncpus\"] == 2\n"
    "assert d[\"kernel\"] == \"6.18.0\" and d[\"kernel_hz\"] == 250\n"
    "u = d[\"unprofiled\"]\n"
    "assert u[\"wall_s\"] == [2.0, 2.25] and u[\"cpu_s_median\"] == 4.125, u\n"
    "s = d[\"samplers\"]\n"
    "assert [x[\"sampler\"] for x in s] == [\"pmu\", \"itimer\", \"ctimer\"]\n"
    "assert s[0][\"event\"] == \"cpu-clock\"\n"
    "assert s[0][\"median\"][\"tvd_vs_pmu\"] is None\n"
    "assert s[1][\"median\"][\"tvd_vs_pmu\"] == 0.2\n"
    "assert s[1][\"runs\"][0][\"conflict\"] is None\n"
    "assert s[1][\"runs\"][1][\"conflict\"] == \"" CONFLICT "\"\n"
    "assert s[1][\"runs\"][1][\"foreign_signals\"] == 2\n"
    "assert s[2][\"runs\"][0][\"error_pct\"] is None\n"
    "assert s[2][\"median\"][\"overruns\"] == 12\n"
    "assert len(s[0][\"runs\"]) == 2\n"
    "t = s[1][\"median\"][\"threads\"]\n"
    "assert [x[\"tid\"] for x in t] == [1110, 1111] and t[1][\"comm\"] == \"worker<2>\"\n"
    "assert t[0][\"share\"] == 0.7 and t[0][\"true_share\"] == 0.5\n"
    "assert set(t[0]) == {\"pid\",\"tid\",\"comm\",\"true_cpu_s\",\"true_share\",\"samples\",\n"
    "                     \"attributed_cpu_s\",\"share\"}\n"
    "f = s[2][\"runs\"][0][\"functions\"]\n"
    "assert [x[\"name\"] for x in f] == [\"spin_a\", \"spin_b\", \"helper\"]\n"
    "r = s[0][\"median\"]\n"
    "for k in (\"file\", \"wall_s\", \"rusage_cpu_s\", \"true_cpu_s\", \"samples\",\n"
    "          \"attributed_cpu_s\", \"unweighted_cpu_s\", \"rate_hz\", \"error_pct\",\n"
    "          \"unweighted_error_pct\", \"max_share_error_pp\", \"lost\", \"overruns\",\n"
    "          \"foreign_signals\", \"wall_overhead_pct\", \"cpu_overhead_pct\", \"tvd_vs_pmu\",\n"
    "          \"conflict\", \"exit_status\", \"threads\", \"functions\"):\n"
    "    assert k in r, k\n"
    "assert r[\"file\"] == \"/tmp/cmp-0-1.data\" and r[\"lost\"] == 3\n"
    "'";

static void json(const struct cmp_result *r)
{
	int ret;
	char *out = write_to_memory(cmp_write_json, r, &ret);

	is_int(ret, 0, "json: written");
	if (!out)
		return;
	ok(!strncmp(out, "{\n  \"command\": [", 16), "json: one object, indented by two");
	ok(strstr(out, "nan") == NULL && strstr(out, "inf") == NULL, "json: no NaN or inf");
	ok(strstr(out, "\"conflict\": \"" CONFLICT "\"") != NULL, "json: the conflict");
	if (have("python3"))
		is_int(run_tool(json_checks, out), 0, "json: parses, with the values in place");
	else
		ok(1, "# SKIP python3 is not installed");
	free(out);
}

static int count(const char *s, const char *what)
{
	int n = 0;

	for (; (s = strstr(s, what)); s += strlen(what))
		n++;
	return n;
}

static void svg(const struct cmp_result *r)
{
	int ret;
	char *out = write_to_memory(cmp_write_svg, r, &ret);
	const char *tag;

	is_int(ret, 0, "svg: written");
	if (!out)
		return;
	tag = strstr(out, "<svg");
	ok(!strncmp(out, "<?xml", 5) && tag && tag == strchr(out, '\n') + 1,
	   "svg: the declaration, then <svg");
	ok(count(out, "<svg") == 1 && count(out, "</svg>") == 1 &&
	       strstr(out, "</svg>\n") == out + strlen(out) - 7,
	   "svg: one <svg> element, closed at the end");
	ok(count(out, "<text") == count(out, "</text>") &&
	       count(out, "<title>") == count(out, "</title>"),
	   "svg: text and title elements balanced");
	ok(strstr(out, ">pmu<") && strstr(out, ">itimer<") && strstr(out, ">ctimer<"),
	   "svg: each sampler named");
	ok(strstr(out, "--mode=&lt;a&amp;b&gt; it&apos;s &quot;x&quot;") != NULL,
	   "svg: the command escaped");
	ok(strstr(out, "<a&b>") == NULL && strstr(out, "worker<2>") == NULL,
	   "svg: nothing unescaped");
	ok(strstr(out, "<script") == NULL && strstr(out, "href") == NULL,
	   "svg: no script, nothing external");
	ok(strstr(out, "nan") == NULL && strstr(out, "inf") == NULL, "svg: no NaN or inf");
	if (have("xmllint"))
		is_int(run_tool("xmllint --noout", out), 0, "svg: well-formed XML (xmllint)");
	else
		ok(1, "# SKIP xmllint is not installed");
	if (getenv("TEST_COMPARE_SVG")) {
		FILE *f = fopen(getenv("TEST_COMPARE_SVG"), "w");

		if (f) {
			fputs(out, f);
			fclose(f);
		}
	}
	free(out);
}

/* Nothing at all: no samplers, no runs, no command. Every writer must still be valid. */
static void empty(void)
{
	struct cmp_result r = {.hz = 100};
	int ret;
	char *out;

	out = write_to_memory(cmp_write_json, &r, &ret);
	is_int(ret, 0, "empty: json written");
	ok(out && strstr(out, "\"kernel\": null") && strstr(out, "\"kernel_hz\": null") &&
	       strstr(out, "\"samplers\": []") && strstr(out, "\"wall_s_median\": null"),
	   "empty: nulls and an empty list");
	if (out && have("python3"))
		is_int(run_tool("python3 -c 'import json,sys; json.load(open(sys.argv[1]))'", out),
		       0, "empty: json parses");
	else
		ok(1, "# SKIP python3 is not installed");
	free(out);
	out = write_to_memory(cmp_write_text, &r, &ret);
	is_int(ret, 0, "empty: text written");
	free(out);
	out = write_to_memory(cmp_write_svg, &r, &ret);
	is_int(ret, 0, "empty: svg written");
	if (out && have("xmllint"))
		is_int(run_tool("xmllint --noout", out), 0, "empty: svg well-formed");
	else
		ok(1, "# SKIP xmllint is not installed");
	free(out);
	cmp_result_release(&r);
}

/* Output is a function of the result: the same bytes every time. */
static void deterministic(const struct cmp_result *r)
{
	int (*const writers[])(const struct cmp_result *, FILE *) = {cmp_write_text, cmp_write_json,
								     cmp_write_svg};
	static const char *const names[] = {"text", "json", "svg"};

	for (size_t i = 0; i < 3; i++) {
		int ret1, ret2;
		char *a = write_to_memory(writers[i], r, &ret1);
		char *b = write_to_memory(writers[i], r, &ret2);

		ok(!ret1 && !ret2 && a && b && !strcmp(a, b), "%s: the same bytes twice", names[i]);
		free(a);
		free(b);
	}
}

/* A full disk: each writer says so instead of claiming success. */
static void write_errors(const struct cmp_result *r)
{
	int (*const writers[])(const struct cmp_result *, FILE *) = {cmp_write_text, cmp_write_json,
								     cmp_write_svg};
	static const char *const names[] = {"text", "json", "svg"};

	for (size_t i = 0; i < 3; i++) {
		FILE *f = fopen("/dev/full", "w");

		if (!f) {
			ok(1, "# SKIP no /dev/full");
			continue;
		}
		setvbuf(f, NULL, _IONBF, 0);
		ok(writers[i](r, f) == -ENOSPC, "%s: a full disk is -ENOSPC", names[i]);
		fclose(f);
	}
}

int main(void)
{
	struct cmp_result r;

	tvd();
	medians();
	summaries();
	run_fill();
	build(&r);
	text(&r);
	text_fast(&r);
	json(&r);
	svg(&r);
	deterministic(&r);
	write_errors(&r);
	cmp_result_release(&r);
	ok(r.nsamplers == 0 && !r.base_wall_s, "release: the result is empty after");
	cmp_result_release(&r);
	empty();
	return done_testing();
}
