// SPDX-License-Identifier: GPL-2.0-or-later
/* first: config.h must precede the system headers compare.h pulls in */
#include "util/compiler.h"
#include "analyse/compare.h"
#include "analyse/profile.h"
#include "util/alloc.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static int cmp_ptr(const void *a, const void *b)
{
	uintptr_t x = (uintptr_t) * (void *const *)a;
	uintptr_t y = (uintptr_t) * (void *const *)b;

	return x < y ? -1 : x > y;
}

/* Every string the runs of s own (file, conflict, function names), sorted by address. */
static void **run_strings(const struct cmp_sampler *s, size_t *n)
{
	size_t total = 0, k = 0;
	void **v;

	for (size_t i = 0; i < s->nruns; i++)
		total += 2 + s->runs[i].nfuncs;
	v = xmalloc((total ? total : 1) * sizeof(*v));
	for (size_t i = 0; i < s->nruns; i++) {
		const struct cmp_run *run = &s->runs[i];

		v[k++] = run->file;
		v[k++] = run->conflict;
		for (size_t j = 0; j < run->nfuncs; j++)
			v[k++] = run->funcs[j].name;
	}
	qsort(v, k, sizeof(*v), cmp_ptr);
	*n = k;
	return v;
}

static void run_release(struct cmp_run *run)
{
	for (size_t j = 0; j < run->nfuncs; j++)
		free(run->funcs[j].name);
	free(run->funcs);
	free(run->threads);
	free(run->file);
	free(run->conflict);
}

/*
 * The median's threads and funcs arrays are its own, but its strings may be
 * the median run's (a shallow copy) or duplicates: free only those that no
 * run holds, so that either way nothing leaks and nothing is freed twice.
 */
static void median_release(struct cmp_sampler *s)
{
	struct cmp_run *m = &s->median;
	size_t n;
	void **owned = run_strings(s, &n);

#define MEDIAN_FREE(p)                                                                             \
	do {                                                                                       \
		if ((p) && !bsearch(&(p), owned, n, sizeof(*owned), cmp_ptr))                      \
			free(p);                                                                   \
	} while (0)

	MEDIAN_FREE(m->file);
	MEDIAN_FREE(m->conflict);
	for (size_t j = 0; j < m->nfuncs; j++)
		MEDIAN_FREE(m->funcs[j].name);
#undef MEDIAN_FREE
	free(owned);
	free(m->funcs);
	free(m->threads);
}

void cmp_result_release(struct cmp_result *r)
{
	for (size_t i = 0; i < r->nsamplers && i < CMP_NSAMPLERS; i++) {
		struct cmp_sampler *s = &r->samplers[i];

		/* the median first: it looks up the runs' strings before they go */
		median_release(s);
		for (size_t j = 0; j < s->nruns; j++)
			run_release(&s->runs[j]);
		free(s->runs);
		free(s->event);
		memset(s, 0, sizeof(*s));
	}
	r->nsamplers = 0;
	free(r->base_wall_s);
	free(r->base_cpu_s);
	r->base_wall_s = r->base_cpu_s = NULL;
}

static int cmp_func_name(const void *a, const void *b)
{
	const struct cmp_func *x = *(const struct cmp_func *const *)a;
	const struct cmp_func *y = *(const struct cmp_func *const *)b;

	return strcmp(x->name ? x->name : "", y->name ? y->name : "");
}

static const struct cmp_func **sorted_funcs(const struct cmp_func *f, size_t n)
{
	const struct cmp_func **v = xmalloc((n ? n : 1) * sizeof(*v));

	for (size_t i = 0; i < n; i++)
		v[i] = &f[i];
	qsort(v, n, sizeof(*v), cmp_func_name);
	return v;
}

/* Sum of the shares of v[*i] and the entries after it with the same name; advances *i past them. */
static double take_name(const struct cmp_func **v, size_t n, size_t *i)
{
	double sum = v[*i]->share;
	size_t j = *i + 1;

	while (j < n && !cmp_func_name(&v[*i], &v[j]))
		sum += v[j++]->share;
	*i = j;
	return sum;
}

/*
 * Both sides sorted by name and merged, so one pass finds the names they
 * share; a name listed twice on one side (two objects, one symbol) counts as
 * one function with the summed share.
 */
double cmp_tvd(const struct cmp_func *a, size_t na, const struct cmp_func *b, size_t nb)
{
	const struct cmp_func **va = sorted_funcs(a, na), **vb = sorted_funcs(b, nb);
	size_t i = 0, j = 0;
	double sum = 0;

	while (i < na || j < nb) {
		int c = i == na ? 1 : j == nb ? -1 : cmp_func_name(&va[i], &vb[j]);
		double x = c <= 0 ? take_name(va, na, &i) : 0;
		double y = c >= 0 ? take_name(vb, nb, &j) : 0;

		sum += x > y ? x - y : y - x;
	}
	free(va);
	free(vb);
	return sum / 2;
}

/* ---- one run, from its recording ---------------------------------------- */

static int cmp_thread_tid(const void *a, const void *b)
{
	const struct cmp_thread *x = a, *y = b;

	return x->tid < y->tid ? -1 : x->tid > y->tid;
}

/* Threads the kernel never accounted (no task-clock) rank by what was sampled of them. */
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
	const struct named_weight *x = a, *y = b;

	return strcmp(x->name, y->name);
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

/* The kernel's CPU time of each thread and what its samples stand for. */
static void gather_threads(struct cmp_run *r, const struct profile *p,
			   const struct cmp_run_stats *st, bool time_based, unsigned long hz)
{
	size_t alloc = 0;

	for (size_t i = 0; i < st->ntask_cpu; i++) {
		const struct cmp_task_cpu *c = &st->task_cpu[i];
		struct cmp_thread *t = thread_of(r, &alloc, c->pid, c->tid);

		t->true_cpu_s += (double)c->cpu_ns / 1e9;
	}
	for (size_t i = 0; i < p->nstacks; i++) {
		const struct prof_stack *s = &p->stacks[i];
		struct cmp_thread *t = thread_of(r, &alloc, s->pid, s->tid);

		t->samples += s->samples;
		t->attributed_cpu_s +=
		    time_based ? (double)s->weight / 1e9 : (double)s->samples / (double)hz;
	}
}

/* Each thread's true and sampled shares, and the run's truth. */
static void thread_shares(struct cmp_run *r)
{
	double true_sum = 0, attr_sum = 0;

	for (size_t i = 0; i < r->nthreads; i++) {
		true_sum += r->threads[i].true_cpu_s;
		attr_sum += r->threads[i].attributed_cpu_s;
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
}

static void run_conflict(struct cmp_run *r, enum cmp_sampler_kind k, const struct cmp_run_stats *st)
{
	/* a sampler that never ran explains more than anything the recorder noticed */
	if (k != CMP_PMU && !st->shim_images)
		r->conflict = xstrdup("the sampler never loaded in the program (LD_PRELOAD "
				      "removed, or a static or set-user-ID program)");
	else if (st->conflict)
		r->conflict = xstrdup(st->conflict);
}

void cmp_run_fill(struct cmp_run *r, enum cmp_sampler_kind k, unsigned long hz,
		  const struct profile *p, const struct cmp_run_stats *st)
{
	bool time_based = p->weight_unit && !strcmp(p->weight_unit, "nanoseconds");

	r->samples = p->samples;
	/* a count of events is not time: without a clock, each sample stands for 1/hz */
	r->attributed_cpu_s =
	    time_based ? (double)p->weight / 1e9 : (double)p->samples / (double)hz;
	r->unweighted_cpu_s = k == CMP_PMU ? r->attributed_cpu_s : (double)p->samples / (double)hz;
	r->wall_s = (double)st->elapsed_ns / 1e9;
	r->rusage_cpu_s = (double)st->cpu_time_ns / 1e9;
	r->exit_status = st->exit_status;
	r->lost = st->lost;
	r->overruns = st->overruns;
	r->foreign = st->foreign;
	run_conflict(r, k, st);
	gather_threads(r, p, st, time_based, hz);
	thread_shares(r);
	r->rate_hz = r->true_cpu_s > 0 ? (double)r->samples / r->true_cpu_s : 0;
	r->error_pct = r->true_cpu_s > 0 ? (r->attributed_cpu_s / r->true_cpu_s - 1) * 100 : 0;
	r->unweighted_error_pct =
	    r->true_cpu_s > 0 ? (r->unweighted_cpu_s / r->true_cpu_s - 1) * 100 : 0;
	leaf_functions(p, r);
}

/* ---- across runs ---------------------------------------------------------- */

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

/* A copy: the JSON lists the runs as they came. */
double cmp_median(const double *v, size_t n)
{
	double *c, m;

	if (!n)
		return 0;
	c = xcalloc(n, sizeof(*c));
	memcpy(c, v, n * sizeof(*c));
	m = median(c, n);
	free(c);
	return m;
}

#define MEDIAN_OF(s, field)                                                                        \
	do {                                                                                       \
		double *v_ = xcalloc((s)->nruns, sizeof(double));                                  \
		for (size_t i_ = 0; i_ < (s)->nruns; i_++)                                         \
			v_[i_] = (double)(s)->runs[i_].field;                                      \
		(s)->median.field = (__typeof__((s)->median.field))median(v_, (s)->nruns);         \
		free(v_);                                                                          \
	} while (0)

/* The run whose error is nearest the median error: its threads and functions stand for s. */
static const struct cmp_run *median_run(const struct cmp_sampler *s)
{
	double *err = xcalloc(s->nruns, sizeof(*err)), m;
	size_t mid = 0;

	for (size_t i = 0; i < s->nruns; i++)
		err[i] = s->runs[i].error_pct;
	m = median(err, s->nruns);
	for (size_t i = 0; i < s->nruns; i++)
		if (fabs(s->runs[i].error_pct - m) < fabs(s->runs[mid].error_pct - m))
			mid = i;
	free(err);
	return &s->runs[mid];
}

void cmp_sampler_summarize(struct cmp_sampler *s)
{
	struct cmp_run *m = &s->median;
	const struct cmp_run *src;

	if (!s->nruns)
		return;
	src = median_run(s);
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
	m->exit_status = src->exit_status;
	for (size_t i = 0; i < s->nruns && !m->conflict; i++)
		if (s->runs[i].conflict)
			m->conflict = xstrdup(s->runs[i].conflict);
	m->nthreads = src->nthreads;
	m->threads = xcalloc(src->nthreads + 1, sizeof(*src->threads));
	memcpy(m->threads, src->threads, src->nthreads * sizeof(*src->threads));
	m->nfuncs = src->nfuncs;
	m->funcs = xcalloc(src->nfuncs + 1, sizeof(*src->funcs));
	for (size_t i = 0; i < src->nfuncs; i++) {
		m->funcs[i].name = xstrdup(src->funcs[i].name);
		m->funcs[i].share = src->funcs[i].share;
	}
}

void cmp_result_summarize(struct cmp_result *r)
{
	const struct cmp_sampler *pmu =
	    r->nsamplers && r->samplers[0].kind == CMP_PMU ? &r->samplers[0] : NULL;

	r->base_wall_median = cmp_median(r->base_wall_s, r->repeats);
	r->base_cpu_median = cmp_median(r->base_cpu_s, r->repeats);
	for (size_t k = 0; k < r->nsamplers; k++) {
		struct cmp_sampler *s = &r->samplers[k];

		for (size_t i = 0; i < s->nruns; i++) {
			struct cmp_run *run = &s->runs[i];

			if (r->base_wall_median > 0)
				run->wall_overhead_pct =
				    (run->wall_s / r->base_wall_median - 1) * 100;
			if (r->base_cpu_median > 0)
				run->cpu_overhead_pct =
				    (run->rusage_cpu_s / r->base_cpu_median - 1) * 100;
			/* the same round: the machine was in the same mood for both */
			if (s->kind != CMP_PMU && pmu && i < pmu->nruns)
				run->tvd = cmp_tvd(run->funcs, run->nfuncs, pmu->runs[i].funcs,
						   pmu->runs[i].nfuncs);
		}
		cmp_sampler_summarize(s);
	}
}
