// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The timeline of a profile's samples (see timeline.h): per-thread spans on
 * and off a CPU, the CPU samples, the bursts of activity and whether they
 * recur at a period.
 *
 * A thread's life runs from its first known moment in the range (a CPU
 * sample less one sample's time, or the start of a wait) to the last (a
 * CPU sample, or the end of a wait; an open wait is closed at the
 * recording's end by the recorder), cut to the range; a wait that began
 * before the range starts its life at the range's start. With off-CPU data
 * everything in that life outside its waits is on a CPU.
 */
#include "analyse/timeline.h"
#include "resolve/session.h"
#include "util/alloc.h"

#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

/*
 * Recurrence. The candidates are the bursts of about the usual size: on a
 * CPU between 1/TL_PERIOD_SIZE and TL_PERIOD_SIZE times the median burst's
 * time (a program's start, loading and relocating, is not its tick, while
 * its last tick may run on into its exit and still be one). The period's first
 * estimate is the median distance between consecutive candidates. A
 * candidate follows the period when one of the candidates before it (at
 * most TL_PERIOD_REACH periods back: an extra burst in between, or a missed
 * one, does not break the series) is a whole number of periods away,
 * within TL_PERIOD_TOLERANCE of the period (a late wakeup under load is
 * late by a part of a period and the next one is on time again); both are
 * then in the series, numbered by their periods since the first of their
 * phase. A burst that follows none of those before it starts a new phase
 * (a timer that a signal resets: the bursts after the reset are a period
 * apart again, but not a whole number of periods from those before). The
 * period is the slope of the least-squares lines through each phase's
 * starts against their numbers, one slope for all phases (each its own
 * offset; a phase of fewer than TL_PHASE_MIN bursts is none), and the
 * bursts recur when at least
 * TL_PERIOD_MIN are in the series, they are at least TL_PERIOD_SHARE of the
 * candidates, and half of the starts are within TL_PERIOD_REGULAR of a
 * period of the line's median offset (bursts at random times pass the
 * loose tolerance, not this; a timer's late wakeups are late by a few
 * percent, and only on one side).
 */
#define TL_PERIOD_SIZE	    8
#define TL_PERIOD_REACH	    4
#define TL_PERIOD_TOLERANCE 0.25
#define TL_PERIOD_REGULAR   0.05
#define TL_PERIOD_MIN	    4
#define TL_PHASE_MIN	    3
#define TL_PERIOD_SHARE	    0.6
#define TL_PERIOD_LOOK	    64 /* candidates looked back at, at most */

static uint64_t sub_sat(uint64_t a, uint64_t b)
{
	return a > b ? a - b : 0;
}

static bool marker_func(const struct prof_func *f)
{
	return !strcmp(f->dso, "[off-cpu]") || !strcmp(f->name, "[no stack]") ||
	       !strcmp(f->name, "[unknown]");
}

/* a shared library or the vDSO: code the program calls, not the program's own */
static bool library_func(const struct prof_func *f)
{
	return strstr(f->dso, ".so") || !strcmp(f->dso, "[vdso]");
}

uint32_t timeline_sample_func(const struct profile *p, const struct prof_stack *s)
{
	uint32_t user = TL_NONE;

	for (uint32_t i = 0; i < s->depth; i++) {
		const struct prof_func *f = profile_frame_func(p, s, i);
		uint32_t func = p->locs[p->frames[s->first + i]].func;

		if (f->kernel || marker_func(f))
			continue;
		if (!library_func(f))
			return func;
		if (user == TL_NONE)
			user = func;
	}
	return user != TL_NONE ? user : p->locs[p->frames[s->first]].func;
}

bool timeline_sample_user(const struct profile *p, const struct prof_stack *s)
{
	const struct prof_func *f = profile_frame_func(p, s, 0);

	return !f->kernel && !marker_func(f);
}

/* a CPU sample's weight in ns (0 when the profile cannot tell) */
static uint64_t sample_ns(const struct profile *p, uint64_t weight)
{
	if (profile_view_time(p->view))
		return weight;
	return profile_scaled(weight, p->times.cpu_scale);
}

/* ---- bursts -------------------------------------------------------------- */

/* Function counts of a set of samples; funcs is p->nfuncs long, zeroed. */
struct func_count {
	uint32_t *count;
	uint32_t *used; /* the funcs counted, to find the top and reset */
	size_t nused;
};

static void func_count_add(struct func_count *c, uint32_t func)
{
	if (!c->count[func]++)
		c->used[c->nused++] = func;
}

/* The most counted function (the lowest index on a tie), and resets the counts. */
static uint32_t func_count_top(struct func_count *c, uint32_t *n)
{
	uint32_t best = TL_NONE, bn = 0;

	for (size_t i = 0; i < c->nused; i++) {
		uint32_t f = c->used[i];

		if (c->count[f] > bn || (c->count[f] == bn && f < best)) {
			best = f;
			bn = c->count[f];
		}
		c->count[f] = 0;
	}
	c->nused = 0;
	*n = bn;
	return best;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static uint64_t median(uint64_t *v, size_t n)
{
	if (!n)
		return 0;
	qsort(v, n, sizeof(*v), cmp_u64);
	return n % 2 ? v[n / 2] : v[n / 2 - 1] + (v[n / 2] - v[n / 2 - 1]) / 2;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* sorts v */
static double median_d(double *v, size_t n)
{
	if (!n)
		return 0;
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static void add_burst(struct tl_thread *th, size_t *alloc, uint64_t start, uint64_t end,
		      uint64_t cpu)
{
	struct tl_burst *b;

	xgrow(&th->bursts, alloc, th->nbursts + 1, sizeof(*th->bursts));
	b = &th->bursts[th->nbursts++];
	*b = (struct tl_burst){
	    .start = start, .end = end, .cpu_ns = cpu, .waker = TL_NONE, .func = TL_NONE};
}

/* Bursts from spans: runs of on-CPU spans between blocked spans of at least gap. */
static void bursts_from_spans(struct tl_thread *th, uint64_t gap)
{
	size_t alloc = 0;
	bool open = false;
	uint64_t start = 0, end = 0, cpu = 0;

	for (size_t i = 0; i < th->nspans; i++) {
		const struct tl_span *sp = &th->spans[i];

		if (sp->kind == PROF_KIND_CPU) {
			if (!open) {
				open = true;
				start = sp->start;
				cpu = 0;
			}
			end = sp->end;
			cpu += sp->end - sp->start;
		} else if (open && sp->kind == PROF_KIND_BLOCKED && sp->end - sp->start >= gap) {
			add_burst(th, &alloc, start, end, cpu);
			open = false;
		}
	}
	if (open)
		add_burst(th, &alloc, start, end, cpu);
}

/* Bursts from CPU samples alone: runs of samples no gap of at least gap separates. */
static void bursts_from_samples(const struct profile *p, struct tl_thread *th, uint64_t gap,
				uint64_t one)
{
	size_t alloc = 0;
	bool open = false;
	uint64_t start = 0, end = 0, cpu = 0, prev_end = 0;

	for (size_t i = 0; i < th->nsamples; i++) {
		const struct tl_sample *sm = &th->samples[i];
		uint64_t ns = sample_ns(p, sm->weight);

		if (open && sm->time - end >= gap) {
			add_burst(th, &alloc, start, end, cpu);
			prev_end = end;
			open = false;
		}
		if (!open) {
			open = true;
			/* the sample stands for the time before it, not before the last burst */
			start = sub_sat(sm->time, ns ? ns : one);
			if (start < prev_end)
				start = prev_end;
			if (start < th->start)
				start = th->start;
			cpu = 0;
		}
		end = sm->time;
		cpu += ns;
	}
	if (open)
		add_burst(th, &alloc, start, end, cpu);
}

/*
 * The function most of n samples ran in: of those in user mode, else of
 * all (the kernel's work on behalf of a user frame); TL_NONE without any.
 */
static uint32_t top_func(const struct profile *p, const struct tl_sample *sm, size_t n,
			 struct func_count *fc, uint32_t *count)
{
	for (int all = 0; all < 2; all++) {
		for (size_t i = 0; i < n; i++) {
			const struct prof_stack *s = &p->stacks[sm[i].stack];

			if (all || timeline_sample_user(p, s))
				func_count_add(fc, timeline_sample_func(p, s));
		}
		if (fc->nused)
			return func_count_top(fc, count);
	}
	*count = 0;
	return TL_NONE;
}

static void recurrence(const struct profile *p, struct tl_thread *th, struct func_count *fc)
{
	struct tl_recurrence *r = &th->recur;
	size_t n = th->nbursts, nc = 0, nd = 0, nlat = 0, ncpu = 0, timer = 0, nsm = 0, k = 0;
	uint64_t *v = xmalloc((n ? n : 1) * sizeof(*v)), *lat, period, tol;
	uint32_t *cand = xmalloc((n ? n : 1) * sizeof(*cand));
	bool *in = xcalloc(n ? n : 1, sizeof(*in));
	double *per = xmalloc((n ? n : 1) * sizeof(*per)), sq = 0;
	double *step = xcalloc(n ? n : 1, sizeof(*step));
	uint32_t *phase = xcalloc(n ? n : 1, sizeof(*phase)), nphases = 0;
	double *mx = NULL, *my = NULL, sxx = 0, sxy = 0, slope, mid;
	size_t *mn = NULL;
	uint64_t cpu_med, lo, hi;
	struct tl_sample *sm;

	if (n < TL_PERIOD_MIN)
		goto out;
	for (size_t i = 0; i < n; i++)
		v[i] = th->bursts[i].cpu_ns;
	cpu_med = median(v, n);
	lo = cpu_med / TL_PERIOD_SIZE;
	hi = cpu_med > UINT64_MAX / TL_PERIOD_SIZE ? UINT64_MAX : cpu_med * TL_PERIOD_SIZE;
	for (size_t i = 0; i < n; i++)
		if (th->bursts[i].cpu_ns >= lo && th->bursts[i].cpu_ns <= hi)
			cand[nc++] = (uint32_t)i;
	if (nc < TL_PERIOD_MIN)
		goto out;
	for (size_t i = 1; i < nc; i++)
		v[nd++] = th->bursts[cand[i]].start - th->bursts[cand[i - 1]].start;
	period = median(v, nd);
	if (!period)
		goto out;
	tol = (uint64_t)((double)period * TL_PERIOD_TOLERANCE);
	nd = 0;
	for (size_t i = 1; i < nc; i++) {
		uint64_t at = th->bursts[cand[i]].start;

		/* bounded: a pathological file's bursts in a crowd cost no more than this */
		for (size_t j = i; j-- > 0 && i - j <= TL_PERIOD_LOOK;) {
			uint64_t d = at - th->bursts[cand[j]].start, steps, off;

			if (d > TL_PERIOD_REACH * period + tol)
				break;
			steps = (d + period / 2) / period;
			off = d > steps * period ? d - steps * period : steps * period - d;
			if (!steps || off > tol)
				continue;
			if (!in[cand[j]]) {
				/* the first of a phase */
				in[cand[j]] = true;
				phase[cand[j]] = nphases++;
				step[cand[j]] = 0;
			}
			in[cand[i]] = true;
			phase[cand[i]] = phase[cand[j]];
			step[cand[i]] = step[cand[j]] + (double)steps;
			break;
		}
	}
	/*
	 * The grid through each phase: start = a(phase) + b * step, by least
	 * squares with one b: the deviations from each phase's means
	 */
	mx = xcalloc(nphases ? nphases : 1, sizeof(*mx));
	my = xcalloc(nphases ? nphases : 1, sizeof(*my));
	mn = xcalloc(nphases ? nphases : 1, sizeof(*mn));
	for (size_t i = 0; i < n; i++)
		mn[phase[i]] += in[i];
	for (size_t i = 0; i < n; i++) {
		/* two bursts a period apart are any two bursts: a phase needs three */
		if (in[i] && mn[phase[i]] < TL_PHASE_MIN)
			in[i] = false;
		if (!in[i])
			continue;
		r->nbursts++;
		mx[phase[i]] += step[i];
		my[phase[i]] += (double)th->bursts[i].start;
	}
	for (uint32_t f = 0; f < nphases; f++) {
		if (mn[f] < TL_PHASE_MIN)
			continue;
		mx[f] /= (double)mn[f];
		my[f] /= (double)mn[f];
	}
	for (size_t i = 0; i < n; i++) {
		double x, y;

		if (!in[i])
			continue;
		x = step[i] - mx[phase[i]];
		y = (double)th->bursts[i].start - my[phase[i]];
		sxx += x * x;
		sxy += x * y;
	}
	if (r->nbursts < TL_PERIOD_MIN || r->nbursts < TL_PERIOD_SHARE * (double)nc || sxx <= 0) {
		r->nbursts = 0;
		goto out;
	}
	slope = sxy / sxx;
	for (size_t i = 0; i < n; i++) {
		double e;

		if (!in[i])
			continue;
		e = (double)th->bursts[i].start - my[phase[i]] - slope * (step[i] - mx[phase[i]]);
		per[nd++] = e;
		sq += e * e;
	}
	/*
	 * Regular: the starts' spread about the grid, half of them within
	 * TL_PERIOD_REGULAR of a period of the median start (a late wakeup is
	 * late on one side only)
	 */
	mid = median_d(per, nd);
	for (size_t i = 0; i < nd; i++)
		per[i] = fabs(per[i] - mid);
	if (slope <= 0 || median_d(per, nd) > slope * TL_PERIOD_REGULAR) {
		r->nbursts = 0;
		goto out;
	}
	r->found = true;
	r->period = (uint64_t)(slope + 0.5);
	r->period_dev = (uint64_t)(sqrt(sq / (double)nd) + 0.5);

	/* the series' bursts: their on-CPU time, wakeup latency and samples */
	lat = xmalloc(n * sizeof(*lat));
	for (size_t i = 0; i < n; i++) {
		const struct tl_burst *b = &th->bursts[i];

		if (!in[i])
			continue;
		v[ncpu++] = b->cpu_ns;
		r->samples += b->samples;
		if (b->wake) {
			lat[nlat++] = b->start - b->wake;
			timer += b->waker == TL_NONE;
		}
	}
	r->cpu_ns = median(v, ncpu);
	if (nlat * 2 >= r->nbursts) {
		r->latency_known = true;
		r->latency = median(lat, nlat);
		r->latency_timer = timer * 2 > nlat;
	}
	free(lat);
	sm = xmalloc((r->samples ? r->samples : 1) * sizeof(*sm));
	for (size_t i = 0; i < n; i++) {
		uint64_t until = i + 1 < n ? th->bursts[i + 1].start : UINT64_MAX;

		/* as in timeline_thread_bursts(): up to the next burst's start */
		for (; k < th->nsamples && th->samples[k].time < until; k++)
			if (in[i] && nsm < r->samples)
				sm[nsm++] = th->samples[k];
	}
	r->func = top_func(p, sm, nsm, fc, &r->func_samples);
	free(sm);
out:
	free(v);
	free(cand);
	free(in);
	free(per);
	free(step);
	free(phase);
	free(mx);
	free(my);
	free(mn);
}

int timeline_thread_bursts(const struct profile *p, struct tl_thread *th, bool off_cpu,
			   uint64_t gap_ns, uint64_t one_ns, const struct tl_event *events,
			   size_t nevents, uint32_t self)
{
	struct func_count fc = {.count = xcalloc(p->nfuncs ? p->nfuncs : 1, sizeof(uint32_t)),
				.used = xmalloc((p->nfuncs ? p->nfuncs : 1) * sizeof(uint32_t))};
	size_t k = 0, ev = 0, from;

	FREE_AND_NULL(th->bursts);
	th->nbursts = 0;
	th->recur = (struct tl_recurrence){.func = TL_NONE};
	if (!gap_ns)
		gap_ns = TL_GAP_NS;
	if (off_cpu)
		bursts_from_spans(th, gap_ns);
	else
		bursts_from_samples(p, th, gap_ns, one_ns);

	for (size_t i = 0; i < th->nbursts; i++) {
		struct tl_burst *b = &th->bursts[i];
		uint64_t until = i + 1 < th->nbursts ? th->bursts[i + 1].start : UINT64_MAX;
		uint64_t after = i ? th->bursts[i - 1].end : 0;

		if (i)
			b->since_prev = b->start - th->bursts[i - 1].start;
		/* a sample belongs to the last burst that started at or before it */
		from = k;
		for (; k < th->nsamples && th->samples[k].time < until; k++)
			b->samples++;
		/* a thread without samples has no array to point into */
		b->func = TL_NONE;
		b->func_samples = 0;
		if (k > from)
			b->func = top_func(p, th->samples + from, k - from, &fc, &b->func_samples);
		/* the last wakeup of this thread in the wait before the burst */
		for (; ev < nevents && events[ev].time <= b->start; ev++) {
			const struct tl_event *e = &events[ev];

			if (e->kind != TL_WAKEUP || e->to != self || e->time < after)
				continue;
			b->wake = e->time;
			b->waker = e->from;
		}
	}

	recurrence(p, th, &fc);
	free(fc.count);
	free(fc.used);
	return 0;
}

/* ---- building ------------------------------------------------------------ */

static int cmp_event(const void *a, const void *b)
{
	const struct tl_event *x = a, *y = b;

	if (x->time != y->time)
		return x->time < y->time ? -1 : 1;
	return x->kind < y->kind ? -1 : x->kind > y->kind;
}

struct thread_key {
	uint32_t pid, tid;
	uint32_t index; /* in the threads array */
};

static int cmp_key(const void *a, const void *b)
{
	const struct thread_key *x = a, *y = b;

	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	return x->tid < y->tid ? -1 : x->tid > y->tid;
}

static int cmp_tid(const void *a, const void *b)
{
	const struct thread_key *x = a, *y = b;

	return x->tid < y->tid ? -1 : x->tid > y->tid;
}

/* The threads index of tid from by_tid (threads sorted by tid, n of them), or TL_NONE. */
static uint32_t thread_by_tid(const struct thread_key *by_tid, size_t n, uint32_t tid)
{
	struct thread_key k = {0, tid, 0};
	const struct thread_key *f = bsearch(&k, by_tid, n, sizeof(k), cmp_tid);

	return f ? f->index : TL_NONE;
}

struct build_thread {
	size_t aspans, asamples;
	uint64_t first, last; /* known moments, UINT64_MAX/0 when none */
};

static void add_span(struct tl_thread *th, struct build_thread *bt, uint64_t start, uint64_t end,
		     uint32_t kind, uint32_t stack)
{
	xgrow(&th->spans, &bt->aspans, th->nspans + 1, sizeof(*th->spans));
	th->spans[th->nspans++] = (struct tl_span){start, end, kind, stack};
}

int timeline_build(const struct profile *p, const struct tl_event *events, size_t nevents,
		   const struct timeline_options *o, struct timeline **out)
{
	struct timeline *t = xcalloc(1, sizeof(*t));
	struct thread_key *keys;
	uint32_t *stack_thread;
	struct build_thread *bt;
	uint64_t *cpu_ns, last_end = 0, first = UINT64_MAX;
	size_t nkeys = 0, ncpu = 0;

	t->prof = p;
	t->origin = o->origin;
	t->off_cpu = p->times.off_cpu;
	t->gap_ns = o->gap_ns;

	/* the range */
	for (size_t i = 0; i < p->nsample_list; i++) {
		const struct prof_sample *sm = &p->sample_list[i];
		uint64_t e = sm->time;

		if (p->stacks[sm->stack].kind != PROF_KIND_CPU)
			e = sm->time + sm->weight < sm->time ? UINT64_MAX : sm->time + sm->weight;
		if (e > last_end)
			last_end = e;
		if (sm->time < first)
			first = sm->time;
	}
	/* the range asked for, within the recording's */
	t->start = o->origin && o->origin <= first ? o->origin : first;
	if (o->start > t->start)
		t->start = o->start;
	t->end = o->end && o->end < last_end ? o->end : last_end;
	if (t->start == UINT64_MAX || t->end < t->start)
		t->start = t->end;

	/* a CPU sample's typical time */
	cpu_ns = xmalloc((p->nsample_list ? p->nsample_list : 1) * sizeof(*cpu_ns));
	for (size_t i = 0; i < p->nsample_list; i++)
		if (p->stacks[p->sample_list[i].stack].kind == PROF_KIND_CPU)
			cpu_ns[ncpu++] = sample_ns(p, p->sample_list[i].weight);
	t->sample_ns = median(cpu_ns, ncpu);
	free(cpu_ns);
	/* without waits, samples a few periods apart are one run */
	if (!t->gap_ns)
		t->gap_ns = t->off_cpu || TL_GAP_NS >= TL_GAP_SAMPLES * t->sample_ns
				? TL_GAP_NS
				: TL_GAP_SAMPLES * t->sample_ns;

	/* the threads, from the stacks that have samples */
	keys = xmalloc((p->nstacks ? p->nstacks : 1) * sizeof(*keys));
	for (size_t i = 0; i < p->nstacks; i++)
		keys[nkeys++] = (struct thread_key){p->stacks[i].pid, p->stacks[i].tid, 0};
	qsort(keys, nkeys, sizeof(*keys), cmp_key);
	t->threads = xcalloc(nkeys ? nkeys : 1, sizeof(*t->threads));
	for (size_t i = 0; i < nkeys; i++) {
		if (t->nthreads && keys[i].pid == t->threads[t->nthreads - 1].pid &&
		    keys[i].tid == t->threads[t->nthreads - 1].tid)
			continue;
		t->threads[t->nthreads++] =
		    (struct tl_thread){.pid = keys[i].pid, .tid = keys[i].tid};
	}
	stack_thread = xmalloc((p->nstacks ? p->nstacks : 1) * sizeof(*stack_thread));
	for (size_t i = 0; i < p->nstacks; i++) {
		struct thread_key k = {p->stacks[i].pid, p->stacks[i].tid, 0};
		size_t lo = 0, hi = t->nthreads;

		while (lo < hi) {
			size_t mid = (lo + hi) / 2;
			struct thread_key m = {t->threads[mid].pid, t->threads[mid].tid, 0};

			if (cmp_key(&m, &k) < 0)
				lo = mid + 1;
			else
				hi = mid;
		}
		stack_thread[i] = (uint32_t)lo;
	}

	/* the samples and the waits, cut to the range */
	bt = xcalloc(t->nthreads ? t->nthreads : 1, sizeof(*bt));
	for (size_t i = 0; i < t->nthreads; i++)
		bt[i].first = UINT64_MAX;
	for (size_t i = 0; i < p->nsample_list; i++) {
		const struct prof_sample *sm = &p->sample_list[i];
		const struct prof_stack *s = &p->stacks[sm->stack];
		uint32_t ti = stack_thread[sm->stack];
		struct tl_thread *th = &t->threads[ti];
		struct build_thread *b = &bt[ti];

		if (s->kind == PROF_KIND_CPU) {
			uint64_t ns = sample_ns(p, sm->weight);
			uint64_t from = sub_sat(sm->time, ns ? ns : t->sample_ns);

			if (sm->time < t->start || sm->time > t->end)
				continue;
			xgrow(&th->samples, &b->asamples, th->nsamples + 1, sizeof(*th->samples));
			th->samples[th->nsamples++] =
			    (struct tl_sample){sm->time, sm->weight, sm->stack, 0};
			if (!th->name)
				th->name = s->comm;
			if (from < t->start)
				from = t->start;
			if (from < b->first)
				b->first = from;
			if (sm->time > b->last)
				b->last = sm->time;
		} else {
			uint64_t from = sm->time, to = sm->time + sm->weight;

			if (to < from)
				to = UINT64_MAX;
			if (from < t->start)
				from = t->start;
			if (to > t->end)
				to = t->end;
			if (to <= from)
				continue;
			/* waits of one thread do not overlap; a damaged file's might */
			if (th->nspans && from < th->spans[th->nspans - 1].end)
				from = th->spans[th->nspans - 1].end;
			if (to <= from)
				continue;
			if (!th->name)
				th->name = s->comm;
			add_span(th, b, from, to, s->kind, sm->stack);
			if (from < b->first)
				b->first = from;
			if (to > b->last)
				b->last = to;
		}
	}
	free(stack_thread);

	/* lives; the on-CPU spans between the waits */
	for (size_t i = 0; i < t->nthreads; i++) {
		struct tl_thread *th = &t->threads[i];
		struct tl_span *waits = th->spans;
		size_t nwaits = th->nspans;
		uint64_t at;

		if (bt[i].first == UINT64_MAX)
			continue; /* nothing in the range: dropped below */
		th->start = bt[i].first;
		th->end = bt[i].last;
		if (!th->name)
			th->name = "";
		if (!t->off_cpu) {
			for (size_t k = 0; k < th->nsamples; k++)
				th->cpu_ns += sample_ns(p, th->samples[k].weight);
			free(waits);
			th->spans = NULL;
			th->nspans = 0;
			continue;
		}
		th->spans = NULL;
		th->nspans = 0;
		bt[i].aspans = 0;
		at = th->start;
		for (size_t k = 0; k < nwaits; k++) {
			if (waits[k].start > at) {
				add_span(th, &bt[i], at, waits[k].start, PROF_KIND_CPU, TL_NONE);
				th->cpu_ns += waits[k].start - at;
			}
			add_span(th, &bt[i], waits[k].start, waits[k].end, waits[k].kind,
				 waits[k].stack);
			if (waits[k].kind == PROF_KIND_BLOCKED)
				th->blocked_ns += waits[k].end - waits[k].start;
			else
				th->runnable_ns += waits[k].end - waits[k].start;
			at = waits[k].end;
		}
		if (th->end > at) {
			add_span(th, &bt[i], at, th->end, PROF_KIND_CPU, TL_NONE);
			th->cpu_ns += th->end - at;
		}
		free(waits);
	}
	/* only the threads with something in the range */
	{
		size_t n = 0;

		for (size_t i = 0; i < t->nthreads; i++) {
			if (bt[i].first == UINT64_MAX) {
				free(t->threads[i].spans);
				free(t->threads[i].samples);
				continue;
			}
			t->threads[n++] = t->threads[i];
		}
		t->nthreads = n;
	}
	free(bt);
	free(keys);

	/* the events in the range, in time order, with their threads (the threads are by pid) */
	keys = xmalloc((t->nthreads ? t->nthreads : 1) * sizeof(*keys));
	for (size_t i = 0; i < t->nthreads; i++)
		keys[i] = (struct thread_key){t->threads[i].pid, t->threads[i].tid, (uint32_t)i};
	qsort(keys, t->nthreads, sizeof(*keys), cmp_tid);
	t->events = xmalloc((nevents ? nevents : 1) * sizeof(*t->events));
	for (size_t i = 0; i < nevents; i++) {
		struct tl_event e = events[i];

		if (e.time < t->start || e.time > t->end)
			continue;
		e.from = e.from_tid ? thread_by_tid(keys, t->nthreads, e.from_tid) : TL_NONE;
		e.to = e.to_tid ? thread_by_tid(keys, t->nthreads, e.to_tid) : TL_NONE;
		if (e.from == TL_NONE && e.to == TL_NONE)
			continue;
		t->events[t->nevents++] = e;
	}
	free(keys);
	qsort(t->events, t->nevents, sizeof(*t->events), cmp_event);

	for (size_t i = 0; i < t->nthreads; i++)
		timeline_thread_bursts(p, &t->threads[i], t->off_cpu, t->gap_ns, t->sample_ns,
				       t->events, t->nevents, (uint32_t)i);
	*out = t;
	return 0;
}

void timeline_session_events(const struct session *s, struct tl_event **ev, size_t *n)
{
	size_t k = 0;

	*ev = xmalloc((s->nsignals + s->nwakeups + 1) * sizeof(**ev));
	for (size_t i = 0; i < s->nsignals; i++) {
		const struct session_signal *g = &s->signals[i];

		(*ev)[k++] = (struct tl_event){
		    .time = g->time,
		    .kind = g->deliver ? TL_SIGNAL_DELIVERED : TL_SIGNAL_SENT,
		    .signo = g->sig,
		    .code = g->code,
		    .from_pid = g->from_pid,
		    .from_tid = g->from_tid,
		    .to_pid = g->to_pid,
		    .to_tid = g->to_tid,
		};
	}
	for (size_t i = 0; i < s->nwakeups; i++) {
		const struct session_wakeup *w = &s->wakeups[i];

		(*ev)[k++] = (struct tl_event){
		    .time = w->time,
		    .kind = TL_WAKEUP,
		    .from_pid = w->pid,
		    .from_tid = w->tid,
		    .to_pid = w->woken_pid,
		    .to_tid = w->woken_tid,
		};
	}
	*n = k;
}

void timeline_free(struct timeline *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->nthreads; i++) {
		free(t->threads[i].spans);
		free(t->threads[i].samples);
		free(t->threads[i].bursts);
	}
	free(t->threads);
	free(t->events);
	free(t);
}

const char *timeline_signal_name(int signo)
{
	static const struct {
		int signo;
		const char *name;
	} names[] = {
	    {SIGHUP, "SIGHUP"},	      {SIGINT, "SIGINT"},   {SIGQUIT, "SIGQUIT"},
	    {SIGILL, "SIGILL"},	      {SIGTRAP, "SIGTRAP"}, {SIGABRT, "SIGABRT"},
	    {SIGBUS, "SIGBUS"},	      {SIGFPE, "SIGFPE"},   {SIGKILL, "SIGKILL"},
	    {SIGUSR1, "SIGUSR1"},     {SIGSEGV, "SIGSEGV"}, {SIGUSR2, "SIGUSR2"},
	    {SIGPIPE, "SIGPIPE"},     {SIGALRM, "SIGALRM"}, {SIGTERM, "SIGTERM"},
	    {SIGCHLD, "SIGCHLD"},     {SIGCONT, "SIGCONT"}, {SIGSTOP, "SIGSTOP"},
	    {SIGTSTP, "SIGTSTP"},     {SIGTTIN, "SIGTTIN"}, {SIGTTOU, "SIGTTOU"},
	    {SIGURG, "SIGURG"},	      {SIGXCPU, "SIGXCPU"}, {SIGXFSZ, "SIGXFSZ"},
	    {SIGVTALRM, "SIGVTALRM"}, {SIGPROF, "SIGPROF"}, {SIGWINCH, "SIGWINCH"},
	    {SIGIO, "SIGIO"},	      {SIGPWR, "SIGPWR"},   {SIGSYS, "SIGSYS"},
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].signo == signo)
			return names[i].name;
	return NULL;
}
