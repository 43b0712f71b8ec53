// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Chrome's trace event format (output/trace.h) from a timeline.
 *
 * Every event but the metadata is put in one list sorted by time (then
 * spans before the instants they hold, then by thread), so each track's
 * timestamps never go back whichever consumer reads the file in order.
 *
 * The spans' names are what a reader scans a track for: the function that
 * ran or was waited in, not the state, which is in args. speedscope names
 * a frame by its name and its args together, so an X event's args hold
 * only what is the same for every span of that name and stack (the state
 * and the wait's stack), not counts or lengths.
 */
#include "output/trace.h"
#include "util/alloc.h"
#include "util/json.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

enum item_type { ITEM_SPAN, ITEM_SAMPLE, ITEM_EVENT };

struct item {
	uint64_t time;
	uint32_t type; /* enum item_type */
	uint32_t thread;
	size_t index;
};

struct writer {
	FILE *out;
	const struct timeline *t;
	const struct profile *p;
	uint64_t base; /* the ns that ts 0 stands for */
	char *buf;     /* a frame's name with its suffix */
	size_t alloc;
	uint32_t nflows; /* flow ids given so far */
};

static int cmp_item(const void *a, const void *b)
{
	const struct item *x = a, *y = b;

	if (x->time != y->time)
		return x->time < y->time ? -1 : 1;
	if (x->type != y->type)
		return x->type < y->type ? -1 : 1;
	if (x->thread != y->thread)
		return x->thread < y->thread ? -1 : 1;
	return x->index < y->index ? -1 : x->index > y->index;
}

static bool marker_func(const struct prof_func *f)
{
	return !strcmp(f->dso, "[off-cpu]") || !strcmp(f->name, "[no stack]") ||
	       !strcmp(f->name, "[unknown]");
}

static const char *func_name(const struct prof_func *f)
{
	return f->name && *f->name ? f->name : "[unknown]";
}

/*
 * A time in 1024ths of a microsecond from the base (rounded: under half a
 * nanosecond off). Consumers read ts and dur as doubles and add them
 * (speedscope compares a span's ts + dur with the next one's ts to order
 * its end before the next start): in binary fractions of a microsecond
 * those sums are exact, where three decimals would be off by an ulp either
 * way and make a span end after the next began. Distinct nanoseconds stay
 * distinct (1024 > 1000).
 */
static uint64_t units(const struct writer *w, uint64_t time)
{
	uint64_t ns = time > w->base ? time - w->base : 0;

	return ns / 1000 * 1024 + ((ns % 1000) * 1024 + 500) / 1000;
}

/* u 1024ths of a microsecond as microseconds in decimal, exactly: 1/1024 = 0.0009765625 */
static void put_us(struct writer *w, uint64_t u)
{
	uint64_t frac = (u % 1024) * 9765625; /* in 1e-10 us */
	int digits = 10;

	fprintf(w->out, "%" PRIu64, u / 1024);
	if (!frac)
		return;
	while (frac % 10 == 0) {
		frac /= 10;
		digits--;
	}
	fprintf(w->out, ".%0*" PRIu64, digits, frac);
}

static void put_ts(struct writer *w, uint64_t time)
{
	fputs(",\"ts\":", w->out);
	put_us(w, units(w, time));
}

/* the start of an event: {"ph":PH,"cat":CAT,"name":NAME,"pid":..,"tid":..,"ts":.. */
static void put_head(struct writer *w, const char *ph, const char *cat, const char *name,
		     const struct tl_thread *th, uint64_t time)
{
	fprintf(w->out, "{\"ph\":\"%s\",\"cat\":\"%s\",\"name\":", ph, cat);
	json_write_string(w->out, name);
	fprintf(w->out, ",\"pid\":%" PRIu32 ",\"tid\":%" PRIu32, th->pid, th->tid);
	put_ts(w, time);
}

/* stack s as an array of names, leaf first, without its off-CPU marker */
static void put_stack(struct writer *w, const struct prof_stack *s)
{
	bool first = true;

	fputc('[', w->out);
	for (uint32_t i = 0; i < s->depth; i++) {
		const struct prof_loc *l = &w->p->locs[w->p->frames[s->first + i]];
		const struct prof_func *f = &w->p->funcs[l->func];
		const char *name = func_name(f);
		const char *suffix = f->kernel ? "_[k]" : l->inlined ? "_[i]" : "";
		size_t n = strlen(name), m = strlen(suffix);

		if (!strcmp(f->dso, "[off-cpu]"))
			continue;
		xgrow(&w->buf, &w->alloc, n + m + 1, 1);
		memcpy(w->buf, name, n);
		memcpy(w->buf + n, suffix, m + 1);
		if (!first)
			fputc(',', w->out);
		first = false;
		json_write_string(w->out, w->buf);
	}
	fputc(']', w->out);
}

/*
 * The function an off-CPU span waited in: as a CPU sample's
 * (timeline_sample_func(): the program's own leaf-most frame, sleep_here
 * rather than the libc clock_nanosleep it called), else its first kernel
 * frame (a kernel thread), else NULL (a wait recorded without a stack).
 */
static const struct prof_func *wait_func(const struct profile *p, const struct prof_stack *s)
{
	const struct prof_func *f = &p->funcs[timeline_sample_func(p, s)];

	if (!marker_func(f))
		return f;
	for (uint32_t i = 0; i < s->depth; i++) {
		f = profile_frame_func(p, s, i);
		if (!marker_func(f))
			return f;
	}
	return NULL;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * The function most CPU samples of th within each on-CPU span ran in, as
 * the timeline's bursts count them: of the samples in user mode, else of
 * all (the kernel's work on behalf of a user frame); ties go to the lower
 * function index; TL_NONE where a span has no sample.
 */
static uint32_t *span_funcs(const struct profile *p, const struct tl_thread *th)
{
	uint32_t *funcs = xmalloc((th->nspans ? th->nspans : 1) * sizeof(*funcs));
	uint32_t *in = xmalloc((th->nsamples ? th->nsamples : 1) * sizeof(*in));
	size_t j = 0;

	for (size_t i = 0; i < th->nspans; i++) {
		const struct tl_span *sp = &th->spans[i];
		uint32_t best = TL_NONE, best_n = 0;
		size_t n = 0;

		funcs[i] = TL_NONE;
		while (j < th->nsamples && th->samples[j].time < sp->start)
			j++;
		if (sp->kind != PROF_KIND_CPU)
			continue;
		for (int all = 0; all < 2 && !n; all++)
			for (size_t k = j; k < th->nsamples && th->samples[k].time <= sp->end;
			     k++) {
				const struct prof_stack *s = &p->stacks[th->samples[k].stack];

				if (all || timeline_sample_user(p, s))
					in[n++] = timeline_sample_func(p, s);
			}
		qsort(in, n, sizeof(*in), cmp_u32);
		for (size_t a = 0, b; a < n; a = b) {
			for (b = a; b < n && in[b] == in[a]; b++)
				;
			if (b - a > best_n) {
				best = in[a];
				best_n = (uint32_t)(b - a);
			}
		}
		funcs[i] = best;
	}
	free(in);
	return funcs;
}

static const char *state_name(uint32_t kind)
{
	return kind == PROF_KIND_BLOCKED    ? "blocked"
	       : kind == PROF_KIND_RUNNABLE ? "runnable"
					    : "running";
}

static void put_span(struct writer *w, const struct tl_thread *th, const struct tl_span *sp,
		     uint32_t func)
{
	const struct prof_stack *s = sp->stack != TL_NONE ? &w->p->stacks[sp->stack] : NULL;
	const char *name = state_name(sp->kind);

	if (sp->kind == PROF_KIND_CPU) {
		if (func != TL_NONE)
			name = func_name(&w->p->funcs[func]);
	} else if (s) {
		const struct prof_func *f = wait_func(w->p, s);

		if (f)
			name = func_name(f);
	}
	put_head(w, "X", sp->kind == PROF_KIND_CPU ? "on-cpu" : "off-cpu", name, th, sp->start);
	fputs(",\"dur\":", w->out);
	put_us(w, units(w, sp->end) - units(w, sp->start));
	fprintf(w->out, ",\"args\":{\"state\":\"%s\"", state_name(sp->kind));
	if (s && sp->kind != PROF_KIND_CPU) {
		fputs(",\"stack\":", w->out);
		put_stack(w, s);
	}
	fputs("}}", w->out);
}

static void put_sample(struct writer *w, const struct tl_thread *th, const struct tl_sample *sm)
{
	const struct prof_stack *s = &w->p->stacks[sm->stack];

	put_head(w, "i", "cpu-sample", func_name(&w->p->funcs[timeline_sample_func(w->p, s)]), th,
		 sm->time);
	fputs(",\"s\":\"t\",\"args\":{\"stack\":", w->out);
	put_stack(w, s);
	fputs("}}", w->out);
}

static void put_flow(struct writer *w, const char *ph, const char *cat, const struct tl_thread *th,
		     uint64_t time, uint32_t id)
{
	fputs(",\n", w->out);
	put_head(w, ph, cat, cat, th, time);
	fprintf(w->out, ",\"id\":%" PRIu32 "}", id);
}

static void put_thread_ids(struct writer *w, const char *side, uint32_t pid, uint32_t tid)
{
	fprintf(w->out, ",\"%s_pid\":%" PRIu32 ",\"%s_tid\":%" PRIu32, side, pid, side, tid);
}

/*
 * A signal on the track where it happened: its sending on the sender's
 * track (the receiver's when the sender is not in the timeline), its
 * delivery on the receiver's (see event_track()).
 */
static void put_signal(struct writer *w, const struct tl_event *e)
{
	bool sent = e->kind == TL_SIGNAL_SENT;
	uint32_t on = sent && e->from != TL_NONE ? e->from : e->to;
	const char *name = timeline_signal_name(e->signo);
	char num[32];

	if (!name) {
		snprintf(num, sizeof(num), "signal %" PRId32, e->signo);
		name = num;
	}
	put_head(w, "i", "signal", name, &w->t->threads[on], e->time);
	fprintf(w->out,
		",\"s\":\"t\",\"args\":{\"event\":\"%s\",\"signo\":%" PRId32 ",\"code\":%" PRId32,
		sent ? "sent" : "delivered", e->signo, e->code);
	if (sent)
		put_thread_ids(w, "sender", e->from_pid, e->from_tid);
	put_thread_ids(w, "receiver", e->to_pid, e->to_tid);
	fputs("}}", w->out);
	if (sent && e->from != TL_NONE && e->to != TL_NONE && e->from != e->to) {
		uint32_t id = ++w->nflows;

		put_flow(w, "s", "signal", &w->t->threads[e->from], e->time, id);
		put_flow(w, "f", "signal", &w->t->threads[e->to], e->time, id);
	}
}

/*
 * A wakeup: a flow from the waker's track, bound to the slice it ran in,
 * to the woken thread's, bound to the next slice there (the on-CPU span it
 * was woken for); an instant on the woken thread's track when the waker is
 * not in the timeline (a timer, an interrupt, another process).
 */
static void put_wakeup(struct writer *w, const struct tl_event *e)
{
	uint32_t id;

	if (e->from == TL_NONE || e->from == e->to) {
		put_head(w, "i", "wakeup", "wakeup", &w->t->threads[e->to], e->time);
		fprintf(w->out,
			",\"s\":\"t\",\"args\":{\"waker_pid\":%" PRIu32 ",\"waker_tid\":%" PRIu32
			"}}",
			e->from_pid, e->from_tid);
		return;
	}
	id = ++w->nflows;
	put_head(w, "s", "wakeup", "wakeup", &w->t->threads[e->from], e->time);
	fprintf(w->out, ",\"id\":%" PRIu32 "}", id);
	put_flow(w, "f", "wakeup", &w->t->threads[e->to], e->time, id);
}

/* The track an event is written on first, or TL_NONE when it has none in the timeline. */
static uint32_t event_track(const struct tl_event *e)
{
	if (e->kind == TL_SIGNAL_SENT && e->from != TL_NONE)
		return e->from;
	return e->to;
}

static void put_metadata(struct writer *w)
{
	const struct timeline *t = w->t;

	for (size_t i = 0; i < t->nthreads; i++) {
		const struct tl_thread *th = &t->threads[i];

		/* a process is named by its main thread, else by its first one */
		if (i == 0 || th->pid != t->threads[i - 1].pid) {
			const char *pname = th->name;

			for (size_t j = i; j < t->nthreads && t->threads[j].pid == th->pid; j++)
				if (t->threads[j].tid == th->pid)
					pname = t->threads[j].name;
			fprintf(w->out,
				"%s{\"ph\":\"M\",\"name\":\"process_name\",\"pid\":%" PRIu32
				",\"tid\":%" PRIu32 ",\"args\":{\"name\":",
				i ? ",\n" : "", th->pid, th->pid);
			json_write_string(w->out, pname ? pname : "");
			fputs("}}", w->out);
		}
		fprintf(w->out,
			",\n{\"ph\":\"M\",\"name\":\"thread_name\",\"pid\":%" PRIu32
			",\"tid\":%" PRIu32 ",\"args\":{\"name\":",
			th->pid, th->tid);
		json_write_string(w->out, th->name ? th->name : "");
		fputs("}}", w->out);
	}
}

int trace_write(FILE *out, const struct timeline *t)
{
	struct writer w = {.out = out, .t = t, .p = t->prof};
	uint32_t **funcs = xcalloc(t->nthreads ? t->nthreads : 1, sizeof(*funcs));
	struct item *items;
	size_t n = t->nevents, k = 0;

	w.base = t->origin && t->origin <= t->start ? t->origin : t->start;
	for (size_t i = 0; i < t->nthreads; i++)
		n += t->threads[i].nspans + t->threads[i].nsamples;
	items = xmalloc((n ? n : 1) * sizeof(*items));
	for (uint32_t i = 0; i < t->nthreads; i++) {
		const struct tl_thread *th = &t->threads[i];

		funcs[i] = span_funcs(w.p, th);
		for (size_t j = 0; j < th->nspans; j++)
			items[k++] = (struct item){th->spans[j].start, ITEM_SPAN, i, j};
		for (size_t j = 0; j < th->nsamples; j++)
			items[k++] = (struct item){th->samples[j].time, ITEM_SAMPLE, i, j};
	}
	for (size_t j = 0; j < t->nevents; j++)
		if (event_track(&t->events[j]) != TL_NONE)
			items[k++] = (struct item){t->events[j].time, ITEM_EVENT,
						   event_track(&t->events[j]), j};
	qsort(items, k, sizeof(*items), cmp_item);

	fputs("{\"traceEvents\":[\n", out);
	put_metadata(&w);
	for (size_t i = 0; i < k; i++) {
		const struct item *it = &items[i];
		const struct tl_thread *th = &t->threads[it->thread];

		/* every item is on a thread's track: there is metadata before it */
		fputs(",\n", out);
		if (it->type == ITEM_SPAN)
			put_span(&w, th, &th->spans[it->index], funcs[it->thread][it->index]);
		else if (it->type == ITEM_SAMPLE)
			put_sample(&w, th, &th->samples[it->index]);
		else if (t->events[it->index].kind == TL_WAKEUP)
			put_wakeup(&w, &t->events[it->index]);
		else
			put_signal(&w, &t->events[it->index]);
	}
	fprintf(out,
		"\n],\n\"displayTimeUnit\":\"ns\",\n\"otherData\":{\"clock\":\"CLOCK_MONOTONIC\","
		"\"start_ns\":%" PRIu64 ",\"command\":",
		w.base);
	json_write_string(out, w.p && w.p->title ? w.p->title : "");
	fputs("}}\n", out);

	for (size_t i = 0; i < t->nthreads; i++)
		free(funcs[i]);
	free(funcs);
	free(items);
	free(w.buf);
	return ferror(out) ? (errno > 0 ? -errno : -EIO) : 0;
}
