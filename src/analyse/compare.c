// SPDX-License-Identifier: GPL-2.0-or-later
/* first: config.h must precede the system headers compare.h pulls in */
#include "util/compiler.h"
#include "analyse/compare.h"
#include "util/alloc.h"

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
