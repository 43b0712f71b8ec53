// SPDX-License-Identifier: GPL-2.0-or-later
#include "collect/offcpu.h"
#include "collect/target.h"
#include "util/alloc.h"
#include "util/hash.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* At one time: a thread's samples come before its switch-out, a capture after a switch-in. */
enum ev_type {
	EV_EXISTS,
	EV_RUNS,
	EV_FORK,
	EV_SIGNAL,
	EV_WAKEUP,
	EV_SAMPLE,
	EV_OUT,
	EV_IN,
	EV_CAPTURE,
	EV_EXIT,
};

struct ev {
	uint64_t time; /* the order: a capture's end */
	uint64_t seq;  /* arrival, for a stable order */
	uint32_t pid, tid, cpu;
	uint8_t type;
	bool preempt;
	struct rec_sample *rec; /* EV_SAMPLE, EV_CAPTURE: owned */
	union {
		struct rec_signal sig; /* EV_SIGNAL */
		struct rec_wakeup wk;  /* EV_WAKEUP */
	} tr;
};

enum thr_state { T_UNKNOWN, T_ON, T_OFF, T_DEAD };

struct thr {
	uint32_t pid, tid, cpu;
	uint8_t state;
	bool preempt; /* the interval began with a preemption: runnable */
	bool asked;   /* a read from outside was asked for in this interval */
	uint8_t tries;
	uint16_t source; /* SAMPLE_SOURCE_* of stack */
	uint64_t since;
	bool on_known; /* on_since holds when it came on a CPU */
	uint64_t on_since;
	uint64_t cpu_ns;	    /* its time on CPUs so far */
	struct rec_sample *pending; /* the last switch sample while on CPU */
	struct rec_sample *stack;   /* the interval's */
};

struct outsider {
	char name[16]; /* "" when it could not be read */
	bool written;  /* its REC_COMM is in the file */
};

struct offcpu {
	struct data_writer *w;
	uint64_t min_stack_ns;
	bool task_cpu;
	bool all_events; /* -a: every signal and wakeup */
	/* the names of senders and wakers from outside, by tid (see name_outsider()) */
	struct hash named;
	struct outsider *outsiders;
	size_t noutsiders, aoutsiders;
	struct ev *evs;
	size_t nevs, aevs;
	uint64_t seq;
	pthread_mutex_t lock; /* thrs and st, against offcpu_waiting() */
	struct hash index;    /* tid -> thrs */
	struct thr *thrs;
	size_t nthrs, athrs;
	struct offcpu_stats st;
};

int offcpu_new(struct offcpu **out, struct data_writer *w, uint64_t min_stack_ns, bool task_cpu)
{
	struct offcpu *oc = xcalloc(1, sizeof(*oc));

	oc->w = w;
	oc->task_cpu = task_cpu;
	oc->min_stack_ns = min_stack_ns;
	pthread_mutex_init(&oc->lock, NULL);
	hash_init(&oc->index);
	hash_init(&oc->named);
	*out = oc;
	return 0;
}

void offcpu_free(struct offcpu *oc)
{
	if (!oc)
		return;
	for (size_t i = 0; i < oc->nevs; i++)
		free(oc->evs[i].rec);
	for (size_t i = 0; i < oc->nthrs; i++) {
		free(oc->thrs[i].pending);
		free(oc->thrs[i].stack);
	}
	free(oc->evs);
	free(oc->thrs);
	hash_release(&oc->index);
	hash_release(&oc->named);
	free(oc->outsiders);
	pthread_mutex_destroy(&oc->lock);
	free(oc);
}

static struct ev *add_ev(struct offcpu *oc, enum ev_type type, uint32_t pid, uint32_t tid,
			 uint64_t time)
{
	struct ev *e;

	xgrow(&oc->evs, &oc->aevs, oc->nevs + 1, sizeof(*oc->evs));
	e = &oc->evs[oc->nevs++];
	memset(e, 0, sizeof(*e));
	e->type = (uint8_t)type;
	e->pid = pid;
	e->tid = tid;
	e->time = time;
	e->seq = oc->seq++;
	return e;
}

static struct rec_sample *copy_rec(const struct rec_sample *s)
{
	struct rec_sample *c = xmalloc(s->h.size);

	memcpy(c, s, s->h.size);
	return c;
}

void offcpu_thread_exists(struct offcpu *oc, uint32_t pid, uint32_t tid, uint64_t time)
{
	add_ev(oc, EV_EXISTS, pid, tid, time);
}

void offcpu_thread_runs(struct offcpu *oc, uint32_t pid, uint32_t tid, uint64_t time)
{
	add_ev(oc, EV_RUNS, pid, tid, time);
}

void offcpu_switch(struct offcpu *oc, uint32_t pid, uint32_t tid, uint64_t time, uint32_t cpu,
		   bool out, bool preempt)
{
	struct ev *e;

	if (!tid) /* the idle task */
		return;
	e = add_ev(oc, out ? EV_OUT : EV_IN, pid, tid, time);
	e->cpu = cpu;
	e->preempt = preempt;
}

void offcpu_sample(struct offcpu *oc, const struct rec_sample *s)
{
	if (!s->tid)
		return;
	add_ev(oc, EV_SAMPLE, s->pid, s->tid, s->time)->rec = copy_rec(s);
}

void offcpu_fork(struct offcpu *oc, uint32_t pid, uint32_t tid, uint64_t time)
{
	add_ev(oc, EV_FORK, pid, tid, time);
}

void offcpu_exit(struct offcpu *oc, uint32_t pid, uint32_t tid, uint64_t time)
{
	add_ev(oc, EV_EXIT, pid, tid, time);
}

void offcpu_capture(struct offcpu *oc, const struct rec_sample *s, uint64_t end)
{
	add_ev(oc, EV_CAPTURE, s->pid, s->tid, end)->rec = copy_rec(s);
}

/* A thread's entry in the name cache, its name read from /proc when it is new. */
static struct outsider *outsider(struct offcpu *oc, uint32_t tid)
{
	int added;
	size_t i = hash_get(&oc->named, &tid, sizeof(tid), oc->noutsiders, &added);
	char name[64];

	if (!added)
		return &oc->outsiders[i];
	xgrow(&oc->outsiders, &oc->aoutsiders, oc->noutsiders + 1, sizeof(*oc->outsiders));
	memset(&oc->outsiders[i], 0, sizeof(oc->outsiders[i]));
	oc->noutsiders++;
	target_thread_name((pid_t)tid, name, sizeof(name));
	if (strcmp(name, "?")) {
		size_t n = strnlen(name, sizeof(oc->outsiders[i].name) - 1);

		memcpy(oc->outsiders[i].name, name, n); /* the kernel's names have 15 at most */
	}
	return &oc->outsiders[i];
}

void offcpu_signal(struct offcpu *oc, const struct rec_signal *r)
{
	/*
	 * A sender may be a short-lived program (kill(1)): its name is read as
	 * the signal arrives, in case it concerns a followed thread.
	 */
	if ((r->h.misc & SIGNAL_KIND_MASK) == SIGNAL_GENERATE && r->from_tid && !oc->all_events)
		outsider(oc, r->from_tid);
	add_ev(oc, EV_SIGNAL, r->from_pid, r->from_tid, r->time)->tr.sig = *r;
}

void offcpu_wakeup(struct offcpu *oc, const struct rec_wakeup *r)
{
	add_ev(oc, EV_WAKEUP, r->pid, r->tid, r->time)->tr.wk = *r;
}

void offcpu_keep_all_events(struct offcpu *oc)
{
	oc->all_events = true;
}

static int ev_cmp(const void *a, const void *b)
{
	const struct ev *x = a, *y = b;

	if (x->time != y->time)
		return x->time < y->time ? -1 : 1;
	if (x->type != y->type)
		return x->type < y->type ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Under the lock. */
static struct thr *get_thr(struct offcpu *oc, uint32_t pid, uint32_t tid)
{
	int added;
	size_t i = hash_get(&oc->index, &tid, sizeof(tid), oc->nthrs, &added);

	if (added) {
		xgrow(&oc->thrs, &oc->athrs, oc->nthrs + 1, sizeof(*oc->thrs));
		memset(&oc->thrs[i], 0, sizeof(oc->thrs[i]));
		oc->thrs[i].tid = tid;
		oc->nthrs++;
	}
	if (pid)
		oc->thrs[i].pid = pid;
	return &oc->thrs[i];
}

/* The interval that ends now, taken out of the thread (under the lock). */
struct interval {
	bool have;
	uint32_t pid, tid, cpu;
	uint64_t since, end;
	bool preempt;
	uint16_t source;
	struct rec_sample *stack; /* owned; NULL with SAMPLE_SOURCE_NONE */
};

/* What one event ends: a wait to write, and a thread whose CPU time is known. */
struct outcome {
	struct interval iv;
	bool ended;
	uint32_t pid, tid;
	uint64_t time, cpu_ns;
	const struct ev *pass; /* a signal or wakeup to write as it is */
	bool name_sender;      /* its sender or waker is not followed: name it too */
};

static void go_off(struct thr *t, uint64_t time, uint32_t cpu, bool preempt)
{
	t->state = T_OFF;
	t->since = time;
	t->cpu = cpu;
	t->preempt = preempt;
	t->asked = false;
	t->tries = 0;
	free(t->stack);
	t->stack = NULL;
	t->source = SAMPLE_SOURCE_NONE;
}

/* Its time on a CPU up to `time`, if it is on one. */
static void count_cpu(struct thr *t, uint64_t time)
{
	if (t->state == T_ON && t->on_known && time > t->on_since)
		t->cpu_ns += time - t->on_since;
	t->on_known = false;
}

static bool close_interval(struct thr *t, uint64_t end, struct interval *iv)
{
	bool have = t->state == T_OFF && end > t->since;

	iv->have = have;
	if (have) {
		iv->pid = t->pid;
		iv->tid = t->tid;
		iv->cpu = t->cpu;
		iv->since = t->since;
		iv->end = end;
		iv->preempt = t->preempt;
		iv->source = t->stack ? t->source : SAMPLE_SOURCE_NONE;
		iv->stack = t->stack;
		t->stack = NULL;
	} else {
		free(t->stack);
		t->stack = NULL;
	}
	return have;
}

/* A thread's end: its last wait closed, its CPU time counted (under the lock). */
static void end_thread(struct offcpu *oc, struct thr *t, uint64_t time, struct outcome *o)
{
	count_cpu(t, time);
	oc->st.closed_at_end += close_interval(t, time, &o->iv);
	free(t->pending);
	t->pending = NULL;
	t->state = T_DEAD;
	o->ended = true;
	o->pid = t->pid;
	o->tid = t->tid;
	o->time = time;
	o->cpu_ns = t->cpu_ns;
}

/* A thread the tracker follows, or NULL (under the lock). */
static struct thr *find_thr(struct offcpu *oc, uint32_t tid)
{
	size_t i;

	return tid && hash_find(&oc->index, &tid, sizeof(tid), &i) ? &oc->thrs[i] : NULL;
}

/*
 * A signal or a wakeup concerns a followed thread when it is sent to or
 * wakes one (that has not ended: its tid may be another's by now), or when
 * one sends it or wakes another.
 */
static void take_trace(struct offcpu *oc, struct ev *e, struct outcome *o)
{
	bool gen = e->type == EV_SIGNAL &&
		   (e->tr.sig.h.misc & SIGNAL_KIND_MASK) == SIGNAL_GENERATE;
	uint32_t to = e->type == EV_SIGNAL ? e->tr.sig.to_tid : e->tr.wk.woken_tid;
	struct thr *rcv = find_thr(oc, to);
	/* a delivery's thread is its receiver; the others' is the sender or waker */
	struct thr *snd = e->type == EV_SIGNAL && !gen ? NULL : find_thr(oc, e->tid);

	if (rcv && rcv->state == T_DEAD)
		rcv = NULL;
	if (!oc->all_events && !rcv && !snd)
		return;
	/* a thread outside the recording (kill from a shell): its name, for readers */
	o->name_sender = !oc->all_events && !snd && e->tid && (e->type == EV_WAKEUP || gen);
	if (rcv && rcv->pid && e->type == EV_SIGNAL && !e->tr.sig.to_pid)
		e->tr.sig.to_pid = rcv->pid;
	else if (rcv && rcv->pid && e->type == EV_WAKEUP && !e->tr.wk.woken_pid)
		e->tr.wk.woken_pid = rcv->pid;
	o->pass = e;
}

/* One event, in time order, and what it ends (under the lock). */
static void take_event(struct offcpu *oc, struct ev *e, struct outcome *o)
{
	struct thr *t;

	if (e->type == EV_SIGNAL || e->type == EV_WAKEUP) {
		take_trace(oc, e, o);
		return;
	}
	t = get_thr(oc, e->pid, e->tid);
	switch (e->type) {
	case EV_EXISTS:
		if (t->state == T_UNKNOWN)
			go_off(t, e->time, 0, false);
		break;
	case EV_RUNS:
		t->state = T_ON;
		t->on_since = e->time;
		t->on_known = true;
		break;
	case EV_FORK:
		/* a new thread waits for its first turn on a CPU */
		free(t->pending);
		t->pending = NULL;
		go_off(t, e->time, 0, true);
		break;
	case EV_SAMPLE:
		if (t->state == T_OFF || t->state == T_DEAD)
			break; /* not of a running thread: its switch-out was lost */
		free(t->pending);
		t->pending = e->rec;
		e->rec = NULL;
		break;
	case EV_OUT:
		if (t->state == T_DEAD)
			break; /* its last switch-out, after its exit */
		count_cpu(t, e->time);
		go_off(t, e->time, e->cpu, e->preempt);
		if (t->pending) {
			t->stack = t->pending;
			t->source = SAMPLE_SOURCE_SWITCH;
			t->pending = NULL;
		}
		break;
	case EV_IN:
		if (t->state == T_DEAD)
			break;
		close_interval(t, e->time, &o->iv);
		t->state = T_ON;
		t->on_since = e->time;
		t->on_known = true;
		break;
	case EV_CAPTURE:
		/* read while the thread waited in this interval, and it did not run since */
		if (t->state == T_OFF && t->since <= e->rec->time && !t->stack) {
			t->stack = e->rec;
			t->source = SAMPLE_SOURCE_REMOTE;
			e->rec = NULL;
		} else {
			oc->st.captures_late++;
		}
		break;
	case EV_EXIT:
		if (t->state != T_DEAD)
			end_thread(oc, t, e->time, o);
		break;
	}
}

static int write_interval(struct offcpu *oc, struct interval *iv)
{
	uint64_t len = iv->end - iv->since;
	const struct rec_sample *src = iv->stack;
	struct rec_sample *s;
	uint16_t source = iv->source;
	size_t size;

	if (src && len < oc->min_stack_ns)
		src = NULL, source = SAMPLE_SOURCE_NONE;
	size = src ? src->h.size : sizeof(*s);
	s = data_writer_reserve(oc->w, size);
	if (!s) {
		free(iv->stack);
		return data_writer_error(oc->w);
	}
	if (src)
		memcpy(s, src, size);
	free(iv->stack);
	s->h.type = REC_SAMPLE;
	s->h.size = (uint32_t)size;
	s->h.misc = (uint16_t)((s->h.misc & ~(SAMPLE_KIND_MASK | SAMPLE_SOURCE_MASK)) |
			       (iv->preempt ? SAMPLE_KIND_RUNNABLE : SAMPLE_KIND_BLOCKED) | source);
	s->pid = iv->pid;
	s->tid = iv->tid;
	s->time = iv->since;
	s->weight = len;
	s->cpu = iv->cpu;
	s->overrun = 0;
	pthread_mutex_lock(&oc->lock);
	oc->st.intervals++;
	oc->st.ns += len;
	if (iv->preempt)
		oc->st.runnable_ns += len;
	else
		oc->st.blocked_ns += len;
	oc->st.by_source[source >> 8]++;
	if (source == SAMPLE_SOURCE_NONE)
		oc->st.ns_no_stack += len;
	pthread_mutex_unlock(&oc->lock);
	return data_writer_commit(oc->w, iv->since);
}

/*
 * The name of a sender or waker outside the profiled threads, once, as a
 * REC_COMM from the time of its first event: a signal's sender's as read
 * when the signal came, a waker's read now (a thread gone by then stays
 * unnamed).
 */
static int name_outsider(struct offcpu *oc, uint32_t pid, uint32_t tid, uint64_t time)
{
	struct outsider *o = outsider(oc, tid);
	struct rec_comm *c;
	size_t len;

	if (o->written || !o->name[0])
		return 0;
	o->written = true;
	len = strlen(o->name) + 1;
	c = data_writer_reserve(oc->w, record_size(sizeof(*c), len));
	if (!c)
		return data_writer_error(oc->w);
	c->h.type = REC_COMM;
	c->pid = pid;
	c->tid = tid;
	c->time = time;
	memcpy(c + 1, o->name, len);
	return data_writer_commit(oc->w, time);
}

/* A signal or wakeup, as the converter made it. */
static int write_pass(struct offcpu *oc, const struct ev *e, bool name_sender)
{
	size_t size = e->type == EV_SIGNAL ? sizeof(e->tr.sig) : sizeof(e->tr.wk);
	void *p;
	int ret = name_sender ? name_outsider(oc, e->pid, e->tid, e->time) : 0;

	if (ret < 0)
		return ret;
	p = data_writer_reserve(oc->w, size);
	if (!p)
		return data_writer_error(oc->w);
	memcpy(p, &e->tr, size);
	pthread_mutex_lock(&oc->lock);
	if (e->type == EV_SIGNAL)
		oc->st.signals++;
	else
		oc->st.wakeups++;
	pthread_mutex_unlock(&oc->lock);
	return data_writer_commit(oc->w, e->time);
}

/* Writes what an event ended; after an error, only frees. */
static int write_outcome(struct offcpu *oc, struct outcome *o, int ret)
{
	if (o->pass && !ret)
		return write_pass(oc, o->pass, o->name_sender);
	if (o->iv.have && !ret)
		ret = write_interval(oc, &o->iv);
	else if (o->iv.have)
		free(o->iv.stack);
	if (o->ended && oc->task_cpu && !ret) {
		struct rec_task_cpu *t = data_writer_reserve(oc->w, sizeof(*t));

		if (!t)
			return data_writer_error(oc->w);
		t->h.type = REC_TASK_CPU;
		t->pid = o->pid;
		t->tid = o->tid;
		t->time = o->time;
		t->cpu_ns = o->cpu_ns;
		ret = data_writer_commit(oc->w, o->time);
	}
	return ret;
}

int offcpu_flush(struct offcpu *oc, uint64_t watermark)
{
	size_t n = 0;
	int ret = 0;

	qsort(oc->evs, oc->nevs, sizeof(*oc->evs), ev_cmp);
	for (; n < oc->nevs && oc->evs[n].time <= watermark; n++) {
		struct outcome o;

		memset(&o, 0, sizeof(o));
		pthread_mutex_lock(&oc->lock);
		if (oc->evs[n].type == EV_CAPTURE)
			oc->st.captures++;
		take_event(oc, &oc->evs[n], &o);
		pthread_mutex_unlock(&oc->lock);
		free(oc->evs[n].rec);
		ret = write_outcome(oc, &o, ret);
	}
	memmove(oc->evs, oc->evs + n, (oc->nevs - n) * sizeof(*oc->evs));
	oc->nevs -= n;
	return ret;
}

int offcpu_finish(struct offcpu *oc, uint64_t end)
{
	int ret = offcpu_flush(oc, UINT64_MAX);

	for (size_t i = 0; i < oc->nthrs; i++) {
		struct outcome o;

		memset(&o, 0, sizeof(o));
		pthread_mutex_lock(&oc->lock);
		if (oc->thrs[i].state != T_DEAD)
			end_thread(oc, &oc->thrs[i], end, &o);
		pthread_mutex_unlock(&oc->lock);
		ret = write_outcome(oc, &o, ret);
	}
	return ret;
}

size_t offcpu_waiting(struct offcpu *oc, uint64_t before, struct offcpu_waiter *out, size_t max)
{
	size_t n = 0;

	pthread_mutex_lock(&oc->lock);
	for (size_t i = 0; i < oc->nthrs && n < max; i++) {
		struct thr *t = &oc->thrs[i];

		if (t->state != T_OFF || t->asked || t->stack || t->since > before || !t->pid)
			continue;
		t->asked = true;
		out[n].pid = t->pid;
		out[n].tid = t->tid;
		out[n].since = t->since;
		n++;
	}
	pthread_mutex_unlock(&oc->lock);
	return n;
}

void offcpu_retry(struct offcpu *oc, uint32_t tid)
{
	size_t i;

	pthread_mutex_lock(&oc->lock);
	if (hash_find(&oc->index, &tid, sizeof(tid), &i) && oc->thrs[i].tries < 3) {
		oc->thrs[i].tries++;
		oc->thrs[i].asked = false;
	}
	pthread_mutex_unlock(&oc->lock);
}

void offcpu_get_stats(struct offcpu *oc, struct offcpu_stats *st)
{
	pthread_mutex_lock(&oc->lock);
	*st = oc->st;
	pthread_mutex_unlock(&oc->lock);
}
