// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The off-CPU interval tracker: switch records, switch-out samples, thread
 * births and deaths and stacks read from outside, handed in out of order
 * (one ring per CPU), become one sample per wait with its length, state and
 * stack, and each thread's time on CPUs; events after the watermark wait
 * for the next one. Switch samples handed in are the tracker's to free.
 */
#include "collect/offcpu.h"
#include "records.h"
#include "tap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MS 1000000ull

static char dir[] = "/tmp/pmuprof-test-offcpu.XXXXXX";

struct run {
	struct data_writer *w;
	struct offcpu *oc;
	char path[256];
	struct records rs;
};

static void start(struct run *r, const char *name, uint64_t min_stack, bool task_cpu)
{
	memset(r, 0, sizeof(*r));
	snprintf(r->path, sizeof(r->path), "%s/%s", dir, name);
	if (data_writer_open(r->path, &r->w) < 0 || offcpu_new(&r->oc, r->w, min_stack, task_cpu))
		abort();
}

static void finish(struct run *r, uint64_t end)
{
	ok(offcpu_finish(r->oc, end) == 0, "%s: finished", r->path + sizeof(dir));
	if (data_writer_finish(r->w) < 0 || records_read(r->path, &r->rs) < 0)
		abort();
	data_writer_close(r->w);
	unlink(r->path);
}

static void done(struct run *r)
{
	offcpu_free(r->oc);
	records_free(&r->rs);
}

/* A switch-out sample of tid at time: a stack of `stack` bytes, one register set. */
static struct rec_sample *switch_sample(uint32_t tid, uint64_t time, uint32_t stack)
{
	size_t size = record_size(sizeof(struct rec_sample), 3 * 8 + stack);
	struct rec_sample *s = calloc(1, size);

	s->h.type = REC_SAMPLE;
	s->h.size = (uint32_t)size;
	s->h.misc = SAMPLE_KERNEL;
	s->pid = 100;
	s->tid = tid;
	s->time = time;
	s->weight = 1;
	s->ip = 0xffffffff81000000ull;
	s->nregs = 3;
	s->stack_size = stack;
	memset(s + 1, 0xab, 3 * 8 + stack);
	return s;
}

/* The i-th sample of the file. */
static const struct rec_sample *sample(const struct records *rs, size_t i)
{
	for (size_t k = 0; k < rs->n; k++)
		if (rs->v[k]->type == REC_SAMPLE && i-- == 0)
			return (const struct rec_sample *)rs->v[k];
	return NULL;
}

static size_t count(const struct records *rs, unsigned type)
{
	size_t n = 0;

	for (size_t k = 0; k < rs->n; k++)
		n += rs->v[k]->type == type;
	return n;
}

static const struct rec_task_cpu *task_cpu(const struct records *rs, uint32_t tid)
{
	for (size_t k = 0; k < rs->n; k++)
		if (rs->v[k]->type == REC_TASK_CPU &&
		    ((const struct rec_task_cpu *)rs->v[k])->tid == tid)
			return (const struct rec_task_cpu *)rs->v[k];
	return NULL;
}

/* Two waits of one thread, its records arriving from two CPUs' rings out of order. */
static void test_waits(void)
{
	struct rec_sample *s1 = switch_sample(101, 10 * MS, 64),
			  *s2 = switch_sample(101, 40 * MS, 64);
	const struct rec_sample *a, *b;
	struct offcpu_stats st;
	struct run r;

	start(&r, "waits.data", 0, true);
	offcpu_thread_runs(r.oc, 100, 101, 0);
	/* CPU 1's ring: the thread came back there; CPU 0's: it left from there */
	offcpu_switch(r.oc, 100, 101, 30 * MS, 1, false, false);
	offcpu_switch(r.oc, 100, 101, 40 * MS + 1, 1, true, true);
	offcpu_sample(r.oc, s2);
	offcpu_sample(r.oc, s1);
	offcpu_switch(r.oc, 100, 101, 10 * MS + 1, 0, true, false);
	ok(offcpu_flush(r.oc, 35 * MS) == 0, "waits: flushed to 35 ms");
	offcpu_switch(r.oc, 100, 101, 45 * MS, 0, false, false);
	offcpu_exit(r.oc, 100, 101, 50 * MS);
	/* after its exit: its last switch-out opens nothing */
	offcpu_switch(r.oc, 100, 101, 50 * MS + 5, 0, true, false);
	finish(&r, 60 * MS);
	a = sample(&r.rs, 0);
	b = sample(&r.rs, 1);
	is_int((long long)count(&r.rs, REC_SAMPLE), 2, "waits: one sample per wait");
	ok(a && a->time == 10 * MS + 1 && a->weight == 20 * MS - 1,
	   "waits: the first from switch-out to switch-in");
	ok(a && sample_kind(a->h.misc) == SAMPLE_KIND_BLOCKED, "waits: the first is blocked");
	ok(a && (a->h.misc & SAMPLE_SOURCE_MASK) == SAMPLE_SOURCE_SWITCH && a->stack_size == 64 &&
	       (a->h.misc & SAMPLE_KERNEL) && a->cpu == 0,
	   "waits: the first has the switch-out's stack, kernel ip and CPU");
	ok(b && b->time == 40 * MS + 1 && b->weight == 5 * MS - 1 &&
	       sample_kind(b->h.misc) == SAMPLE_KIND_RUNNABLE,
	   "waits: the second, a preemption, is runnable");
	ok(task_cpu(&r.rs, 101) &&
	       task_cpu(&r.rs, 101)->cpu_ns == 10 * MS + 1 + 10 * MS + 1 + 5 * MS,
	   "waits: the thread's CPU time is its time between switch-in and switch-out");
	offcpu_get_stats(r.oc, &st);
	ok(st.intervals == 2 && st.by_source[0] == 2 && st.closed_at_end == 0,
	   "waits: counted by source");
	done(&r);
}

/* Stacks read from outside: one inside its wait, one taken across a switch-in. */
static void test_captures(void)
{
	struct rec_sample *c1 = switch_sample(201, 12 * MS, 32),
			  *c2 = switch_sample(201, 25 * MS, 32);
	struct offcpu_waiter w[4];
	const struct rec_sample *a, *b;
	struct offcpu_stats st;
	struct run r;

	c1->h.misc = c2->h.misc = SAMPLE_SOURCE_REMOTE;
	start(&r, "captures.data", 0, false);
	offcpu_switch(r.oc, 200, 201, 10 * MS, 0, true, false);
	offcpu_flush(r.oc, 11 * MS);
	is_int((long long)offcpu_waiting(r.oc, 11 * MS, w, 4), 1, "captures: a waiter to read");
	is_int((long long)offcpu_waiting(r.oc, 11 * MS, w, 4), 0, "captures: asked for once");
	offcpu_retry(r.oc, 201);
	is_int((long long)offcpu_waiting(r.oc, 11 * MS, w, 4), 1,
	       "captures: asked again after a retry");
	offcpu_capture(r.oc, c1, 13 * MS);
	offcpu_switch(r.oc, 200, 201, 20 * MS, 0, false, false);
	offcpu_switch(r.oc, 200, 201, 24 * MS, 0, true, false);
	/* begun in the wait from 24 ms, ended after the thread came back at 26 ms */
	offcpu_capture(r.oc, c2, 27 * MS);
	offcpu_switch(r.oc, 200, 201, 26 * MS, 0, false, false);
	offcpu_switch(r.oc, 200, 201, 30 * MS, 1, true, false);
	finish(&r, 40 * MS);
	a = sample(&r.rs, 0);
	b = sample(&r.rs, 1);
	ok(a && (a->h.misc & SAMPLE_SOURCE_MASK) == SAMPLE_SOURCE_REMOTE && a->weight == 10 * MS &&
	       a->time == 10 * MS && sample_kind(a->h.misc) == SAMPLE_KIND_BLOCKED,
	   "captures: a read inside the wait is its stack");
	ok(b && (b->h.misc & SAMPLE_SOURCE_MASK) == SAMPLE_SOURCE_NONE && b->weight == 2 * MS &&
	       !b->nregs && !b->stack_size,
	   "captures: a read across a switch-in is nobody's");
	offcpu_get_stats(r.oc, &st);
	ok(st.captures == 2 && st.captures_late == 1, "captures: one refused");
	ok(st.closed_at_end == 1 && sample(&r.rs, 2) && sample(&r.rs, 2)->weight == 10 * MS,
	   "captures: the wait open at the end is closed there");
	is_int((long long)count(&r.rs, REC_TASK_CPU), 0, "captures: no CPU times unless asked");
	free(c1);
	free(c2);
	done(&r);
}

/* Short waits keep their length only; a new thread waits runnable until it first runs. */
static void test_min_stack_and_fork(void)
{
	struct rec_sample *s1 = switch_sample(301, 10 * MS, 64),
			  *s2 = switch_sample(301, 20 * MS, 64);
	const struct rec_sample *a, *b, *c;
	struct run r;

	start(&r, "min.data", 2 * MS, false);
	offcpu_fork(r.oc, 300, 301, 9 * MS);
	offcpu_switch(r.oc, 300, 301, 9 * MS + 500, 1, false, false);
	offcpu_sample(r.oc, s1);
	offcpu_switch(r.oc, 300, 301, 10 * MS, 1, true, false);
	offcpu_switch(r.oc, 300, 301, 11 * MS, 1, false, false);
	offcpu_sample(r.oc, s2);
	offcpu_switch(r.oc, 300, 301, 20 * MS, 1, true, false);
	offcpu_switch(r.oc, 300, 301, 25 * MS, 1, false, false);
	/* the idle task's switches are nobody's waits */
	offcpu_switch(r.oc, 0, 0, 12 * MS, 0, true, false);
	finish(&r, 30 * MS);
	a = sample(&r.rs, 0);
	b = sample(&r.rs, 1);
	c = sample(&r.rs, 2);
	ok(a && a->weight == 500 && sample_kind(a->h.misc) == SAMPLE_KIND_RUNNABLE &&
	       (a->h.misc & SAMPLE_SOURCE_MASK) == SAMPLE_SOURCE_NONE,
	   "fork: from its creation to its first run, runnable, no stack");
	ok(b && b->weight == 1 * MS && (b->h.misc & SAMPLE_SOURCE_MASK) == SAMPLE_SOURCE_NONE &&
	       !b->stack_size,
	   "min-stack: a 1 ms wait keeps its length only");
	ok(c && c->weight == 5 * MS && (c->h.misc & SAMPLE_SOURCE_MASK) == SAMPLE_SOURCE_SWITCH &&
	       c->stack_size == 64,
	   "min-stack: a 5 ms wait keeps its stack");
	is_int((long long)count(&r.rs, REC_SAMPLE), 3, "min-stack: nothing else");
	done(&r);
}

int main(void)
{
	if (!mkdtemp(dir))
		return 1;
	test_waits();
	test_captures();
	test_min_stack_and_fork();
	rmdir(dir);
	return done_testing();
}
