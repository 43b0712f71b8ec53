// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The numbers of `pmuprof compare --json`: one object, indented by two
 * spaces, with every run of every sampler and each sampler's medians in the
 * same shape (see pmuprof-compare(1)). A value that does not exist (no true
 * CPU to divide by, no pmu run to compare with, no conflict) is null: JSON
 * has no NaN, and a reader should not have to know our sentinels.
 */
/* first: config.h must precede the system headers compare.h pulls in */
#include "util/compiler.h"
#include "analyse/compare.h"
#include "output/compare.h"
#include "util/json.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdbool.h>
#include <string.h>

/* the leaf functions of a run worth a reader's time; the rest is in the data file */
#define MAX_FUNCS 20

struct jw {
	FILE *f;
	int depth;
	bool first; /* nothing written yet in the innermost object or array */
};

static void jw_next(struct jw *w)
{
	if (!w->first)
		fputc(',', w->f);
	fputc('\n', w->f);
	for (int i = 0; i < w->depth; i++)
		fputs("  ", w->f);
	w->first = false;
}

static void jw_key(struct jw *w, const char *key)
{
	jw_next(w);
	json_write_string(w->f, key);
	fputs(": ", w->f);
}

static void jw_open(struct jw *w, char c)
{
	fputc(c, w->f);
	w->depth++;
	w->first = true;
}

static void jw_close(struct jw *w, char c)
{
	w->depth--;
	if (!w->first) {
		fputc('\n', w->f);
		for (int i = 0; i < w->depth; i++)
			fputs("  ", w->f);
	}
	fputc(c, w->f);
	w->first = false;
}

static void put_double(FILE *f, double v)
{
	if (isfinite(v))
		fprintf(f, "%.10g", v);
	else
		fputs("null", f);
}

static void jw_double(struct jw *w, const char *key, double v)
{
	jw_key(w, key);
	put_double(w->f, v);
}

static void jw_u64(struct jw *w, const char *key, uint64_t v)
{
	jw_key(w, key);
	fprintf(w->f, "%" PRIu64, v);
}

static void jw_string(struct jw *w, const char *key, const char *s)
{
	jw_key(w, key);
	json_write_string(w->f, s);
}

/* Short arrays of numbers on one line: easier to read than one number a line. */
static void jw_doubles(struct jw *w, const char *key, const double *v, size_t n)
{
	jw_key(w, key);
	fputc('[', w->f);
	for (size_t i = 0; v && i < n; i++) {
		if (i)
			fputs(", ", w->f);
		put_double(w->f, v[i]);
	}
	fputc(']', w->f);
}

static void put_thread(struct jw *w, const struct cmp_thread *t)
{
	char comm[sizeof(t->comm) + 1];

	/* comm is a fixed array from the kernel: not necessarily terminated */
	memcpy(comm, t->comm, sizeof(t->comm));
	comm[sizeof(t->comm)] = '\0';
	jw_next(w);
	jw_open(w, '{');
	jw_u64(w, "pid", t->pid);
	jw_u64(w, "tid", t->tid);
	jw_string(w, "comm", comm);
	jw_double(w, "true_cpu_s", t->true_cpu_s);
	jw_double(w, "true_share", t->true_share);
	jw_u64(w, "samples", t->samples);
	jw_double(w, "attributed_cpu_s", t->attributed_cpu_s);
	jw_double(w, "share", t->share);
	jw_close(w, '}');
}

static void put_run(struct jw *w, const struct cmp_run *run)
{
	jw_open(w, '{');
	jw_string(w, "file", run->file);
	jw_double(w, "wall_s", run->wall_s);
	jw_double(w, "rusage_cpu_s", run->rusage_cpu_s);
	jw_double(w, "true_cpu_s", run->true_cpu_s);
	jw_u64(w, "samples", run->samples);
	jw_double(w, "attributed_cpu_s", run->attributed_cpu_s);
	jw_double(w, "unweighted_cpu_s", run->unweighted_cpu_s);
	jw_double(w, "rate_hz", run->rate_hz);
	jw_double(w, "error_pct", run->error_pct);
	jw_double(w, "unweighted_error_pct", run->unweighted_error_pct);
	jw_double(w, "max_share_error_pp", run->max_share_error_pp);
	jw_u64(w, "lost", run->lost);
	jw_u64(w, "overruns", run->overruns);
	jw_u64(w, "foreign_signals", run->foreign);
	jw_double(w, "wall_overhead_pct", run->wall_overhead_pct);
	jw_double(w, "cpu_overhead_pct", run->cpu_overhead_pct);
	/* negative: there was nothing to compare with (the pmu run itself, or none) */
	jw_double(w, "tvd_vs_pmu", run->tvd >= 0 ? run->tvd : NAN);
	jw_string(w, "conflict", run->conflict);
	jw_key(w, "exit_status");
	fprintf(w->f, "%d", run->exit_status);
	jw_key(w, "threads");
	jw_open(w, '[');
	for (size_t i = 0; run->threads && i < run->nthreads; i++)
		put_thread(w, &run->threads[i]);
	jw_close(w, ']');
	jw_key(w, "functions");
	jw_open(w, '[');
	for (size_t i = 0; run->funcs && i < run->nfuncs && i < MAX_FUNCS; i++) {
		jw_next(w);
		jw_open(w, '{');
		jw_string(w, "name", run->funcs[i].name);
		jw_double(w, "share", run->funcs[i].share);
		jw_close(w, '}');
	}
	jw_close(w, ']');
	jw_close(w, '}');
}

int cmp_write_json(const struct cmp_result *r, FILE *f)
{
	struct jw w = {.f = f, .first = true};
	size_t nbase = r->repeats;

	errno = 0;
	jw_open(&w, '{');
	jw_key(&w, "command");
	fputc('[', f);
	for (char **a = r->argv; a && *a; a++) {
		if (a != r->argv)
			fputs(", ", f);
		json_write_string(f, *a);
	}
	fputc(']', f);
	jw_u64(&w, "hz", r->hz);
	jw_u64(&w, "repeats", r->repeats);
	jw_u64(&w, "ncpus", r->ncpus);
	jw_string(&w, "kernel", r->kernel[0] ? r->kernel : NULL);
	jw_key(&w, "kernel_hz");
	if (r->kernel_hz)
		fprintf(f, "%u", r->kernel_hz);
	else
		fputs("null", f);

	jw_key(&w, "unprofiled");
	jw_open(&w, '{');
	jw_doubles(&w, "wall_s", r->base_wall_s, nbase);
	jw_doubles(&w, "cpu_s", r->base_cpu_s, nbase);
	jw_double(&w, "wall_s_median", r->base_wall_s ? r->base_wall_median : NAN);
	jw_double(&w, "cpu_s_median", r->base_cpu_s ? r->base_cpu_median : NAN);
	jw_close(&w, '}');

	jw_key(&w, "samplers");
	jw_open(&w, '[');
	for (size_t i = 0; i < r->nsamplers && i < CMP_NSAMPLERS; i++) {
		const struct cmp_sampler *s = &r->samplers[i];

		jw_next(&w);
		jw_open(&w, '{');
		jw_string(&w, "sampler", s->name);
		jw_string(&w, "event", s->event);
		jw_key(&w, "median");
		put_run(&w, &s->median);
		jw_key(&w, "runs");
		jw_open(&w, '[');
		for (size_t j = 0; j < s->nruns; j++) {
			jw_next(&w);
			put_run(&w, &s->runs[j]);
		}
		jw_close(&w, ']');
		jw_close(&w, '}');
	}
	jw_close(&w, ']');
	jw_close(&w, '}');
	fputc('\n', f);
	/* errno was cleared on entry: a failed write left its reason there */
	return ferror(f) ? (errno > 0 ? -errno : -EIO) : 0;
}
