// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The terminal report of `pmuprof compare`: a few header lines, one table
 * row per sampler (medians of its runs), the thread split of each sampler's
 * median run, warnings and a legend. Column widths follow the data, so the
 * table stays aligned whatever the magnitudes; it is laid out to fit 100
 * columns for the usual ones.
 */
/* first: config.h must precede the system headers compare.h pulls in */
#include "util/compiler.h"
#include "analyse/compare.h"
#include "output/compare.h"
#include "util/alloc.h"
#include "util/escape.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#define MAX_THREADS 8
#define CELL	    40
#define LINE_MAX_W  100

enum col {
	C_NAME,
	C_SAMPLES,
	C_RATE,
	C_CPU,
	C_TRUE,
	C_ERR,
	C_RANGE,
	C_THREAD,
	C_LOST,
	C_OVERRUNS,
	C_WALL,
	C_CPUOVH,
	C_TVD,
	NCOLS
};

/* two header lines: the column's name over its unit */
/* clang-format off */
static const struct {
	const char *top, *bottom;
} head[NCOLS] = {
	[C_NAME] = {"", "sampler"},
	[C_SAMPLES] = {"", "samples"},
	[C_RATE] = {"rate", "Hz/req"},
	[C_CPU] = {"sampled", "CPU s"},
	[C_TRUE] = {"true", "CPU s"},
	[C_ERR] = {"error", "%"},
	[C_RANGE] = {"runs", "min..max"},
	[C_THREAD] = {"thread", "err pp"},
	[C_LOST] = {"", "lost"},
	[C_OVERRUNS] = {"over-", "runs"},
	[C_WALL] = {"wall", "ovh %"},
	[C_CPUOVH] = {"CPU", "ovh %"},
	[C_TVD] = {"TVD", "vs pmu"},
};
/* clang-format on */

/* header rows, then at most two rows per sampler (the second: unweighted) */
#define MAX_ROWS (2 + 2 * CMP_NSAMPLERS)

struct table {
	char cell[MAX_ROWS][NCOLS][CELL];
	size_t nrows;
	bool used[NCOLS];
	bool sub[MAX_ROWS]; /* a second line of the sampler above: blank samples and rate */
};

static void cell_set(struct table *t, size_t row, enum col c, const char *fmt, ...)
    ATTR_PRINTF(4, 5);

static void cell_set(struct table *t, size_t row, enum col c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(t->cell[row][c], CELL, fmt, ap);
	va_end(ap);
}

/* A number, or "-" where there is none (no true CPU to divide by, no runs). */
static void cell_num(struct table *t, size_t row, enum col c, int prec, bool sign, double v)
{
	if (!isfinite(v))
		cell_set(t, row, c, "-");
	else if (sign)
		cell_set(t, row, c, "%+.*f", prec, v);
	else
		cell_set(t, row, c, "%.*f", prec, v);
}

/* Percentages short enough for a range: whole numbers from 10 on. */
static void put_short_pct(char *buf, size_t size, double v)
{
	snprintf(buf, size, "%+.*f", fabs(v) >= 9.95 ? 0 : 1, v);
}

/* min..max of one percentage field over the runs, skipping runs without a value. */
static void cell_range(struct table *t, size_t row, const struct cmp_sampler *s, bool unweighted)
{
	double lo = INFINITY, hi = -INFINITY;
	char a[16], b[16];

	for (size_t i = 0; i < s->nruns; i++) {
		double v = unweighted ? s->runs[i].unweighted_error_pct : s->runs[i].error_pct;

		if (isfinite(v)) {
			lo = fmin(lo, v);
			hi = fmax(hi, v);
		}
	}
	if (lo > hi) {
		cell_set(t, row, C_RANGE, "-");
		return;
	}
	put_short_pct(a, sizeof(a), lo);
	put_short_pct(b, sizeof(b), hi);
	cell_set(t, row, C_RANGE, "%s..%s", a, b);
}

static const char *name_of(const struct cmp_sampler *s)
{
	return s->name ? s->name : "?";
}

static bool shows_unweighted(const struct cmp_sampler *s)
{
	const struct cmp_run *m = &s->median;

	return s->kind == CMP_CTIMER || fabs(m->unweighted_cpu_s - m->attributed_cpu_s) >= 0.0005;
}

static void table_fill(struct table *t, const struct cmp_result *r)
{
	size_t row = 2;

	memset(t, 0, sizeof(*t));
	for (int c = 0; c < NCOLS; c++) {
		cell_set(t, 0, c, "%s", head[c].top);
		cell_set(t, 1, c, "%s", head[c].bottom);
		t->used[c] = true;
	}
	t->used[C_RANGE] = r->repeats > 1;
	if (r->repeats > 1)
		cell_set(t, 0, C_RANGE, "%u runs", r->repeats);
	for (size_t i = 0; i < r->nsamplers && i < CMP_NSAMPLERS; i++) {
		const struct cmp_sampler *s = &r->samplers[i];
		const struct cmp_run *m = &s->median;

		cell_set(t, row, C_NAME, "%s", name_of(s));
		cell_set(t, row, C_SAMPLES, "%" PRIu64, m->samples);
		if (isfinite(m->rate_hz))
			cell_set(t, row, C_RATE, "%.0f/%lu", m->rate_hz, r->hz);
		else
			cell_set(t, row, C_RATE, "-/%lu", r->hz);
		cell_num(t, row, C_CPU, 3, false, m->attributed_cpu_s);
		cell_num(t, row, C_TRUE, 3, false, m->true_cpu_s);
		cell_num(t, row, C_ERR, 1, true, m->error_pct);
		cell_range(t, row, s, false);
		cell_num(t, row, C_THREAD, 1, false, m->max_share_error_pp);
		cell_set(t, row, C_LOST, "%" PRIu64, m->lost);
		if (s->kind == CMP_PMU)
			cell_set(t, row, C_OVERRUNS, "-");
		else
			cell_set(t, row, C_OVERRUNS, "%" PRIu64, m->overruns);
		cell_num(t, row, C_WALL, 1, true, m->wall_overhead_pct);
		cell_num(t, row, C_CPUOVH, 1, true, m->cpu_overhead_pct);
		if (s->kind == CMP_PMU || !(m->tvd >= 0))
			cell_set(t, row, C_TVD, "-");
		else
			cell_num(t, row, C_TVD, 3, false, m->tvd);
		row++;
		if (shows_unweighted(s)) {
			t->sub[row] = true;
			cell_set(t, row, C_NAME, " unweighted");
			cell_num(t, row, C_CPU, 3, false, m->unweighted_cpu_s);
			cell_num(t, row, C_ERR, 1, true, m->unweighted_error_pct);
			cell_range(t, row, s, true);
			row++;
		}
	}
	t->nrows = row;
}

/*
 * Two spaces between columns; where that is too wide, one space between the
 * columns that read as pairs (an error and its range, lost and overruns, the
 * two overheads), then one everywhere.
 */
static void table_widths(const struct table *t, size_t width[NCOLS], size_t sep[NCOLS])
{
	static const bool paired[NCOLS] = {
	    [C_RANGE] = true, [C_OVERRUNS] = true, [C_CPUOVH] = true};

	for (int c = 0; c < NCOLS; c++) {
		width[c] = 0;
		sep[c] = c == C_NAME || !t->used[c] ? 0 : 2;
		for (size_t row = 0; t->used[c] && row < t->nrows; row++) {
			/* a sub-row's label spills into the blank samples column */
			if (c == C_NAME && t->sub[row])
				continue;
			if (strlen(t->cell[row][c]) > width[c])
				width[c] = strlen(t->cell[row][c]);
		}
	}
	for (int pass = 0; pass < 2; pass++) {
		size_t total = 0;

		for (int c = 0; c < NCOLS; c++)
			total += width[c] + sep[c];
		if (total <= LINE_MAX_W)
			break;
		for (int c = 0; c < NCOLS; c++)
			if (sep[c] && (pass || paired[c]))
				sep[c] = 1;
	}
}

static void table_print(const struct table *t, FILE *f)
{
	size_t width[NCOLS], sep[NCOLS];

	table_widths(t, width, sep);
	for (size_t row = 0; row < t->nrows; row++) {
		char line[NCOLS * (CELL + 2) + 1];
		size_t len = 0;

		for (int c = 0; c < NCOLS; c++) {
			size_t w = width[c];

			if (!t->used[c])
				continue;
			if (t->sub[row] && c == C_SAMPLES)
				continue;
			if (t->sub[row] && c == C_NAME)
				w += sep[C_SAMPLES] + width[C_SAMPLES];
			/* names left, numbers right; a range starts next to its value */
			len += (size_t)snprintf(line + len, sizeof(line) - len,
						c == C_NAME || c == C_RANGE ? "%*s%-*s" : "%*s%*s",
						(int)sep[c], "", (int)w, t->cell[row][c]);
		}
		while (len && line[len - 1] == ' ')
			len--;
		fprintf(f, "%.*s\n", (int)len, line);
	}
}

/*
 * An argument as a shell would need it typed: quoted when it holds anything
 * but plain characters. Like every name taken from the workload here (thread
 * names, the kernel's release, conflicts) it is escaped (util/escape.h), so
 * that it cannot move the cursor or recolour the screen.
 */
static void put_arg(FILE *f, const char *a)
{
	if (*a && strspn(a, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
			    "_-+=/.,:@%") == strlen(a)) {
		fputs(a, f);
		return;
	}
	fputc('\'', f);
	while (*a) {
		size_t n = strcspn(a, "'");
		char *part = xstrndup(a, n);

		escape_write(f, part);
		free(part);
		a += n;
		if (*a == '\'') {
			fputs("'\\''", f);
			a++;
		}
	}
	fputc('\'', f);
}

static void put_header(const struct cmp_result *r, FILE *f)
{
	fputs("command:    ", f);
	for (char **a = r->argv; a && *a; a++) {
		if (a != r->argv)
			fputc(' ', f);
		put_arg(f, *a);
	}
	fprintf(f, "\nrate:       %lu Hz requested, %u CPU%s", r->hz, r->ncpus,
		r->ncpus == 1 ? "" : "s");
	if (r->kernel[0]) {
		fputs(", kernel ", f);
		escape_write(f, r->kernel);
	}
	if (r->kernel_hz)
		fprintf(f, " (CONFIG_HZ %u: a tick every %.3g ms)", r->kernel_hz,
			1000.0 / r->kernel_hz);
	fputs("\nunprofiled: ", f);
	if (r->repeats && r->base_wall_s)
		fprintf(f, "wall %.3f s, CPU %.3f s (median%s of %u run%s)\n", r->base_wall_median,
			r->base_cpu_median, r->repeats > 1 ? "s" : "", r->repeats,
			r->repeats > 1 ? "s" : "");
	else
		fputs("not run\n", f);
}

static void put_threads(const struct cmp_result *r, FILE *f)
{
	fputs("\nthreads: the median run of each sampler, shares of its CPU, busiest first\n", f);
	fprintf(f, "%-7s  %8s  %-16s  %8s  %6s  %8s  %9s  %7s\n", "sampler", "tid", "comm",
		"true s", "true %", "samples", "sampled %", "diff pp");
	for (size_t i = 0; i < r->nsamplers && i < CMP_NSAMPLERS; i++) {
		const struct cmp_sampler *s = &r->samplers[i];
		const struct cmp_run *m = &s->median;
		size_t n = m->nthreads < MAX_THREADS ? m->nthreads : MAX_THREADS;

		if (!m->nthreads)
			fprintf(f, "%-7s  (no threads)\n", name_of(s));
		for (size_t j = 0; j < n; j++) {
			const struct cmp_thread *th = &m->threads[j];
			char comm[sizeof(th->comm) + 1];
			int pad;

			fprintf(f, "%-7s  %8" PRIu32 "  ", j ? "" : name_of(s), th->tid);
			/* comm may not be terminated, and escapes widen it: pad by hand */
			memcpy(comm, th->comm, sizeof(th->comm));
			comm[sizeof(th->comm) < 16 ? sizeof(th->comm) : 16] = '\0';
			pad = 16 - (int)escape_len(comm);
			escape_write(f, comm);
			fprintf(f, "%*s  %8.3f  %6.1f  %8" PRIu64 "  %9.1f  %+7.1f\n",
				pad > 0 ? pad : 0, "", th->true_cpu_s, 100 * th->true_share,
				th->samples, 100 * th->share, 100 * (th->share - th->true_share));
		}
		if (m->nthreads > n)
			fprintf(f, "%-7s  ... and %zu more thread%s\n", "", m->nthreads - n,
				m->nthreads - n == 1 ? "" : "s");
	}
}

/* Each distinct conflict of a sampler once, with how many of its runs it spoiled. */
static void put_warnings(const struct cmp_result *r, FILE *f)
{
	for (size_t i = 0; i < r->nsamplers && i < CMP_NSAMPLERS; i++) {
		const struct cmp_sampler *s = &r->samplers[i];
		size_t failed = 0;
		uint64_t foreign = 0;

		for (size_t j = 0; j < s->nruns; j++) {
			const char *c = s->runs[j].conflict;
			size_t same = 0;
			bool seen = false;

			foreign += s->runs[j].foreign;
			failed += s->runs[j].exit_status != 0;
			if (!c)
				continue;
			for (size_t k = 0; k < s->nruns; k++) {
				const char *o = s->runs[k].conflict;

				if (o && !strcmp(o, c)) {
					seen |= k < j;
					same++;
				}
			}
			if (seen)
				continue;
			fprintf(f, "warning: %s: ", name_of(s));
			escape_write(f, c);
			if (s->nruns > 1)
				fprintf(f, " (%zu of %zu runs)", same, s->nruns);
			fputc('\n', f);
		}
		if (failed)
			fprintf(f, "warning: %s: the workload failed in %zu of %zu run%s\n",
				name_of(s), failed, s->nruns, s->nruns == 1 ? "" : "s");
		if (foreign)
			fprintf(f,
				"note: %s: %" PRIu64 " SIGPROF not sent by the sampler, ignored\n",
				name_of(s), foreign);
	}
}

/*
 * Why a timer sampler is expected to miss, when the kernel's tick is known:
 * process CPU timers are checked once per tick, so one process-wide timer
 * delivers at most CONFIG_HZ signals a second, and a per-thread timer at
 * most CONFIG_HZ per thread.
 */
static void put_tick_notes(const struct cmp_result *r, FILE *f)
{
	if (!r->kernel_hz)
		return;
	for (size_t i = 0; i < r->nsamplers && i < CMP_NSAMPLERS; i++) {
		const struct cmp_sampler *s = &r->samplers[i];
		const struct cmp_run *m = &s->median;
		double busy = m->wall_s > 0 ? m->true_cpu_s / m->wall_s : NAN;

		if (s->kind == CMP_ITIMER && isfinite(busy) && r->hz * busy > r->kernel_hz) {
			fprintf(f,
				"note: itimer: %lu Hz x %.1f busy CPUs asks for %.0f signals/s, ",
				r->hz, busy, r->hz * busy);
			fprintf(f, "more than one a tick (%u/s):\n", r->kernel_hz);
			fputs("  a process-wide timer cannot deliver them all\n", f);
		}
		if (s->kind == CMP_CTIMER && r->hz > r->kernel_hz) {
			fprintf(f, "note: ctimer: %lu Hz is more than one signal a tick (%u/s) ",
				r->hz, r->kernel_hz);
			fputs("per thread: expirations\n"
			      "  merge into overruns, which the weighted count makes up for\n",
			      f);
		}
	}
}

int cmp_write_text(const struct cmp_result *r, FILE *f)
{
	struct table t;

	errno = 0;
	put_header(r, f);
	fputc('\n', f);
	if (r->repeats > 1)
		fprintf(f, "medians of %u runs per sampler; min..max: the error over the runs\n",
			r->repeats);
	table_fill(&t, r);
	table_print(&t, f);
	put_threads(r, f);
	fputc('\n', f);
	put_warnings(r, f);
	put_tick_notes(r, f);
	fputs(
	    "error: the CPU time the samples stand for vs the kernel's task-clock of the same "
	    "run;\n"
	    "  unweighted: one period per signal, timer overruns ignored. thread err: the largest\n"
	    "  |sampled - true| share of one thread. ovh: vs the unprofiled median. TVD: total\n"
	    "  variation distance of the leaf-function profile vs pmu's (0 identical, 1 "
	    "disjoint)\n",
	    f);
	/* errno was cleared on entry: a failed write left its reason there */
	return ferror(f) ? (errno > 0 ? -errno : -EIO) : 0;
}
