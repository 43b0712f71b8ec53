// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * timeline's terminal view (see timeline.h). Thread and function names come
 * from the recording and its binaries: they go through util/escape.h.
 */
#include "output/timeline.h"
#include "util/alloc.h"
#include "util/escape.h"
#include "util/units.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* the lane's label: "TID NAME", at most this wide */
#define LABEL_MAX 24

static char *thread_label(const struct tl_thread *th)
{
	char *name = escape_dup(th->name), *s;

	s = xasprintf("%" PRIu32 " %s", th->tid, name);
	free(name);
	if (strlen(s) > LABEL_MAX)
		s[LABEL_MAX] = '\0';
	return s;
}

/* Adds the overlap of [a, b) with each cell to acc (ns). */
static void spread(double *acc, size_t ncells, uint64_t start, double cell, uint64_t a,
		   uint64_t b)
{
	double x = (double)(a - start) / cell, y = (double)(b - start) / cell;
	size_t i = (size_t)x, last = (size_t)y;

	if (b <= a)
		return;
	if (last >= ncells)
		last = ncells - 1;
	for (; i <= last && i < ncells; i++) {
		double lo = x > (double)i ? x : (double)i;
		double hi = y < (double)(i + 1) ? y : (double)(i + 1);

		if (hi > lo)
			acc[i] += (hi - lo) * cell;
	}
}

static char level_char(double share)
{
	int l = (int)ceil(share * 8 - 1e-9);

	if (l < 1)
		l = 1;
	if (l > 8)
		l = 8;
	return TIMELINE_TEXT_LEVELS[l - 1];
}

/* One lane's cells into line (ncells characters). */
static void draw_lane(const struct timeline *t, const struct tl_thread *th, uint32_t self,
		      char *line, size_t ncells, double *on, double *alive)
{
	const struct profile *p = t->prof;
	double cell = (double)(t->end - t->start) / (double)ncells;
	bool counts = !t->off_cpu && !t->sample_ns;
	double max = 0;

	memset(on, 0, ncells * sizeof(*on));
	memset(alive, 0, ncells * sizeof(*alive));
	if (t->off_cpu) {
		spread(alive, ncells, t->start, cell, th->start, th->end);
		for (size_t i = 0; i < th->nspans; i++)
			if (th->spans[i].kind == PROF_KIND_CPU)
				spread(on, ncells, t->start, cell, th->spans[i].start,
				       th->spans[i].end);
	} else {
		for (size_t i = 0; i < th->nsamples; i++) {
			size_t c = (size_t)((double)(th->samples[i].time - t->start) / cell);
			uint64_t w = th->samples[i].weight;

			if (c >= ncells)
				c = ncells - 1;
			if (counts)
				on[c] += 1;
			else if (profile_view_time(p->view))
				on[c] += (double)w;
			else
				on[c] += (double)profile_scaled(w, p->times.cpu_scale);
			alive[c] = 1;
		}
		for (size_t c = 0; c < ncells; c++)
			if (on[c] > max)
				max = on[c];
	}
	for (size_t c = 0; c < ncells; c++) {
		if (alive[c] <= 0)
			line[c] = ' ';
		else if (on[c] <= 0)
			line[c] = TIMELINE_TEXT_OFF;
		else
			line[c] = level_char(counts ? on[c] / max : on[c] / cell);
	}
	for (size_t i = 0; i < t->nevents; i++) {
		const struct tl_event *e = &t->events[i];
		size_t c;

		if (e->kind == TL_WAKEUP || e->to != self)
			continue;
		c = (size_t)((double)(e->time - t->start) / cell);
		line[c < ncells ? c : ncells - 1] = TIMELINE_TEXT_SIGNAL;
	}
	line[ncells] = '\0';
}

/* ---- the time axis ------------------------------------------------------- */

struct unit {
	const char *name;
	double ns;
};

static const struct unit units[] = { { "s", 1e9 }, { "ms", 1e6 }, { "us", 1e3 }, { "ns", 1 } };

/* The unit that shows span with its labels above 1 at most steps. */
static const struct unit *axis_unit(double step)
{
	for (size_t i = 0; i < ARRAY_SIZE(units); i++)
		if (step >= units[i].ns)
			return &units[i];
	return &units[ARRAY_SIZE(units) - 1];
}

/* A step of 1, 2 or 5 times a power of ten ns, about every `every` cells. */
static double axis_step(double cell, size_t every)
{
	double want = cell * (double)every, p = pow(10, floor(log10(want)));

	if (want <= p)
		return p;
	if (want <= 2 * p)
		return 2 * p;
	if (want <= 5 * p)
		return 5 * p;
	return 10 * p;
}

static void draw_axis(FILE *out, const struct timeline *t, size_t indent, size_t ncells)
{
	double cell = (double)(t->end - t->start) / (double)ncells;
	uint64_t origin = t->origin && t->origin <= t->start ? t->origin : t->start;
	double from = (double)(t->start - origin), step = axis_step(cell, 12);
	const struct unit *u = axis_unit(step);
	char *marks = xmalloc(ncells + 1), *labels = xmalloc(ncells + 1), unit[16];
	double first = ceil(from / step) * step;

	memset(marks, '-', ncells);
	marks[ncells] = '\0';
	memset(labels, ' ', ncells);
	labels[ncells] = '\0';
	for (double at = first; at <= from + cell * (double)ncells + 1e-6; at += step) {
		size_t c = (size_t)((at - from) / cell + 1e-9);
		char text[32];
		int n;

		if (c >= ncells)
			break;
		marks[c] = '|';
		n = snprintf(text, sizeof(text), "%.*f", step / u->ns >= 1 ? 0 : 1, at / u->ns);
		/* a label that would run past the lanes is left out; its mark stays */
		if (n > 0 && c + (size_t)n <= ncells)
			memcpy(labels + c, text, (size_t)n);
	}
	for (size_t c = ncells; c > 0 && labels[c - 1] == ' '; c--)
		labels[c - 1] = '\0';
	/* the unit in the labels' column */
	snprintf(unit, sizeof(unit), indent > 8 ? "time (%s)" : "%s", u->name);
	fprintf(out, "%*s%s\n%-*s%s\n", (int)indent, "", marks, (int)indent, unit, labels);
	free(marks);
	free(labels);
}

/* ---- bursts -------------------------------------------------------------- */

static void func_name(FILE *out, const struct profile *p, uint32_t func)
{
	escape_write(out, func == TL_NONE ? "?" : p->funcs[func].name);
}

static double rel_s(const struct timeline *t, uint64_t time)
{
	uint64_t origin = t->origin && t->origin <= time ? t->origin : t->start;

	return (double)(time - origin) / 1e9;
}

static void write_recurrence(FILE *out, const struct timeline *t, const struct tl_thread *th,
			     const struct timeline_text_opts *o)
{
	const struct tl_recurrence *r = &th->recur;
	char period[UNITS_DURATION_MAX], dev[UNITS_DURATION_MAX], lat[UNITS_DURATION_MAX],
		cpu[UNITS_DURATION_MAX];
	const struct unit *u;

	if (!r->found) {
		fprintf(out, "  no regular period over its %zu burst%s\n", th->nbursts,
			th->nbursts == 1 ? "" : "s");
		return;
	}
	u = axis_unit((double)r->period);
	snprintf(period, sizeof(period), "%.1f %s", (double)r->period / u->ns, u->name);
	snprintf(dev, sizeof(dev), "%.1f", (double)r->period_dev / u->ns);
	units_duration(cpu, sizeof(cpu), r->cpu_ns);
	fprintf(out, "  every %s (±%s)", period, dev);
	if (r->latency_known) {
		units_duration(lat, sizeof(lat), r->latency);
		fprintf(out, ", starting %s after %s", lat,
			r->latency_timer ? "the timer" : "the wakeup");
	}
	fprintf(out, ", %s %s", cpu, t->off_cpu ? "on CPU" : "of CPU samples");
	if (r->func == TL_NONE) {
		fprintf(out, " (no sample in its %" PRIu32 " bursts)\n", r->nbursts);
		goto latency;
	}
	fputs(" in ", out);
	func_name(out, t->prof, r->func);
	fprintf(out, " (%" PRIu32 " sample%s in %" PRIu32 " bursts", r->samples,
		r->samples == 1 ? "" : "s", r->nbursts);
	if (r->func != TL_NONE && r->func_samples < r->samples)
		fprintf(out, ", %" PRIu32 " in it", r->func_samples);
	fputs(")\n", out);
latency:
	if (r->latency_known)
		return;
	if (o->events_missing) {
		fputs("  (no wakeup records: how long after its timer or waker each burst starts\n"
		      "  is not known; the period is between the bursts' starts; ",
		      out);
		escape_write(out, o->events_missing);
		fputs(")\n", out);
	} else {
		fputs("  (fewer than half of these bursts follow a recorded wakeup: how long\n"
		      "  after its timer or waker each starts is not known)\n",
		      out);
	}
}

/* a thread's name in the timeline, or its tid */
static void thread_name(FILE *out, const struct timeline *t, uint32_t thread, uint32_t tid)
{
	if (thread == TL_NONE) {
		fprintf(out, "%" PRIu32, tid);
		return;
	}
	fprintf(out, "%" PRIu32 " ", t->threads[thread].tid);
	escape_write(out, t->threads[thread].name);
}

/* The signals sent to or delivered to thread self, at most o->bursts of them. */
static void write_signals(FILE *out, const struct timeline *t, uint32_t self,
			  const struct timeline_text_opts *o)
{
	size_t n = 0, shown = 0;

	for (size_t i = 0; i < t->nevents; i++) {
		const struct tl_event *e = &t->events[i];
		const char *name;

		if (e->kind == TL_WAKEUP || e->to != self)
			continue;
		if (!n++)
			fputs("  signals:\n", out);
		if (o->bursts && shown >= o->bursts)
			continue;
		shown++;
		name = timeline_signal_name(e->signo);
		if (name)
			fprintf(out, "  %12.6f  %s ", rel_s(t, e->time), name);
		else
			fprintf(out, "  %12.6f  signal %d ", rel_s(t, e->time), e->signo);
		if (e->kind == TL_SIGNAL_DELIVERED) {
			fputs("delivered\n", out);
			continue;
		}
		fputs("sent by ", out);
		if (!e->from_tid)
			fputs("the kernel (no thread)", out);
		else
			thread_name(out, t, e->from, e->from_tid);
		fputc('\n', out);
	}
	if (shown < n)
		fprintf(out, "  ... %zu more (--bursts 0 lists them all)\n", n - shown);
}

static void write_bursts(FILE *out, const struct timeline *t, uint32_t self,
			 const struct timeline_text_opts *o)
{
	const struct tl_thread *th = &t->threads[self];
	char *label = escape_dup(th->name);
	char a[UNITS_DURATION_MAX], b[UNITS_DURATION_MAX], c[UNITS_DURATION_MAX];
	size_t n = th->nbursts;

	if (o->bursts && n > o->bursts)
		n = o->bursts;
	fprintf(out, "\n%" PRIu32 " %s: ", th->tid, label);
	free(label);
	if (t->off_cpu)
		fprintf(out, "%s on CPU, %s blocked, %s runnable; %zu burst%s\n",
			units_duration(a, sizeof(a), th->cpu_ns),
			units_duration(b, sizeof(b), th->blocked_ns),
			units_duration(c, sizeof(c), th->runnable_ns), th->nbursts,
			th->nbursts == 1 ? "" : "s");
	else
		fprintf(out, "%zu CPU samples (%s); %zu burst%s of samples\n", th->nsamples,
			units_duration(a, sizeof(a), th->cpu_ns), th->nbursts,
			th->nbursts == 1 ? "" : "s");
	if (!th->nbursts) {
		write_signals(out, t, self, o);
		return;
	}
	fprintf(out, "  %12s  %10s  %10s  %10s  %s\n", "start (s)", "length", "since prev",
		t->off_cpu ? "on CPU" : "samples", "function");
	for (size_t i = 0; i < n; i++) {
		const struct tl_burst *bu = &th->bursts[i];

		fprintf(out, "  %12.6f  %10s  %10s  %10s  ", rel_s(t, bu->start),
			units_duration(c, sizeof(c), bu->end - bu->start),
			i ? units_duration(a, sizeof(a), bu->since_prev) : "-",
			units_duration(b, sizeof(b), bu->cpu_ns));
		if (bu->func == TL_NONE) {
			fputs("(no sample)\n", out);
			continue;
		}
		func_name(out, t->prof, bu->func);
		fprintf(out, " (%" PRIu32 " of %" PRIu32 " samples)\n", bu->func_samples,
			bu->samples);
	}
	if (n < th->nbursts)
		fprintf(out, "  ... %zu more (--bursts 0 lists them all)\n", th->nbursts - n);
	write_recurrence(out, t, th, o);
	write_signals(out, t, self, o);
}

int timeline_write_text(FILE *out, const struct timeline *t, const struct timeline_text_opts *o)
{
	size_t labelw = 0, ncells;
	char **labels, *line, span[UNITS_DURATION_MAX], cell[UNITS_DURATION_MAX];
	double *on, *alive;

	fputs("pmuprof timeline of ", out);
	escape_write(out, o->path);
	if (o->command) {
		fputs(" (", out);
		escape_write(out, o->command);
		fputs(")", out);
	}
	fprintf(out, ": %.6f s to %.6f s, %s, %zu thread%s\n", rel_s(t, t->start),
		rel_s(t, t->end), units_duration(span, sizeof(span), t->end - t->start),
		t->nthreads, t->nthreads == 1 ? "" : "s");
	if (t->origin)
		fprintf(out, "times in seconds from the recording's start, %s %" PRIu64
			".%09" PRIu64 " s\n", o->clock ? o->clock : "CLOCK_MONOTONIC",
			t->origin / 1000000000u, t->origin % 1000000000u);
	if (!t->nthreads || t->end <= t->start) {
		fputs("no samples in this range\n", out);
		return ferror(out) ? (errno > 0 ? -errno : -EIO) : 0;
	}
	labels = xcalloc(t->nthreads, sizeof(*labels));
	for (size_t i = 0; i < t->nthreads; i++) {
		labels[i] = thread_label(&t->threads[i]);
		if (strlen(labels[i]) > labelw)
			labelw = strlen(labels[i]);
	}
	ncells = o->width - labelw - 1;
	units_duration(cell, sizeof(cell), (t->end - t->start) / ncells);
	if (!t->off_cpu)
		fputs("no off-CPU data (record --off-cpu records when each thread ran and "
		      "waited):\nthe lanes show the CPU samples alone\n",
		      out);
	if (t->off_cpu)
		fprintf(out, "each column is %s: the share of it on a CPU, '.' none, '%c' up to "
			"1/8,\n'%c' 2/8 ... '%c' all; '!' a signal; blank: not alive\n",
			cell, TIMELINE_TEXT_LEVELS[0], TIMELINE_TEXT_LEVELS[1],
			TIMELINE_TEXT_LEVELS[7]);
	else if (t->sample_ns)
		fprintf(out, "each column is %s: the share of it its CPU samples stand for, "
			"'%c' up to\n1/8, '%c' 2/8 ... '%c' all; blank: no sample\n",
			cell, TIMELINE_TEXT_LEVELS[0], TIMELINE_TEXT_LEVELS[1],
			TIMELINE_TEXT_LEVELS[7]);
	else
		fprintf(out, "each column is %s: its CPU samples against the densest column's, "
			"'%c'\nup to 1/8, '%c' 2/8 ... '%c' as many; blank: no sample\n",
			cell, TIMELINE_TEXT_LEVELS[0], TIMELINE_TEXT_LEVELS[1],
			TIMELINE_TEXT_LEVELS[7]);
	fputc('\n', out);
	line = xmalloc(ncells + 1);
	on = xmalloc(ncells * sizeof(*on));
	alive = xmalloc(ncells * sizeof(*alive));
	for (size_t i = 0; i < t->nthreads; i++) {
		draw_lane(t, &t->threads[i], (uint32_t)i, line, ncells, on, alive);
		fprintf(out, "%-*s %s\n", (int)labelw, labels[i], line);
	}
	draw_axis(out, t, labelw + 1, ncells);
	free(line);
	free(on);
	free(alive);
	for (size_t i = 0; i < t->nthreads; i++)
		free(labels[i]);
	free(labels);

	if (t->off_cpu)
		fprintf(out, "\nbursts: runs on a CPU between waits of at least %s;\n",
			units_duration(span, sizeof(span), t->gap_ns));
	else
		fprintf(out, "\nbursts: runs of CPU samples less than %s apart;\n",
			units_duration(span, sizeof(span), t->gap_ns));
	fputs("function: where most of a burst's user-mode samples are (of all its samples\n"
	      "when none is in user mode), with N of its M samples\n",
	      out);
	for (size_t i = 0; i < t->nthreads; i++)
		write_bursts(out, t, (uint32_t)i, o);
	return ferror(out) ? (errno > 0 ? -errno : -EIO) : 0;
}
