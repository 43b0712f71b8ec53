// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The timeline on made-up profiles: spans from off-CPU samples, the burst
 * rule, a burst's function, the recurrence and its wakeup latency, the
 * bursts of CPU samples alone, and the range.
 */
#include "analyse/timeline.h"
#include "resolve/session.h"
#include "tap.h"

#include <stdlib.h>
#include <string.h>

#define MS 1000000ull
#define US 1000ull
#define O (5000 * MS) /* the recording's start */

enum { F_MAIN, F_TICK, F_POLL, F_SYSCALL, F_BLOCKED, F_VDSO, F_WAIT, F_MEMSET };

static struct prof_func funcs[] = {
	[F_MAIN] = { .name = "main", .dso = "ticker" },
	[F_TICK] = { .name = "on_tick", .dso = "ticker" },
	[F_POLL] = { .name = "__poll", .dso = "libc.so.6" },
	[F_SYSCALL] = { .name = "do_syscall_64", .dso = "[kernel.kallsyms]", .kernel = true },
	[F_BLOCKED] = { .name = "[off-cpu: blocked]", .dso = "[off-cpu]" },
	[F_VDSO] = { .name = "__vdso_clock_gettime", .dso = "[vdso]" },
	[F_WAIT] = { .name = "wait_loop", .dso = "ticker" },
	[F_MEMSET] = { .name = "memset", .dso = "libc.so.6" },
};

static struct prof_loc locs[] = {
	{ .func = 0 }, { .func = 1 }, { .func = 2 }, { .func = 3 },
	{ .func = 4 }, { .func = 5 }, { .func = 6 }, { .func = 7 },
};

/* leaf first */
static uint32_t frames[] = {
	F_TICK,	   F_WAIT,    F_MAIN,			/* 0: on_tick (user mode) */
	F_VDSO,	   F_TICK,    F_WAIT, F_MAIN,		/* 3: clock_gettime from on_tick */
	F_SYSCALL, F_POLL,    F_WAIT, F_MAIN,		/* 7: in the kernel under poll */
	F_BLOCKED, F_SYSCALL, F_POLL, F_WAIT, F_MAIN,	/* 11: waiting in poll */
	F_MEMSET,					/* 16: a library alone */
};

enum { S_TICK, S_VDSO, S_KERNEL, S_WAIT, S_LIB, S_OTHER_WAIT, NSTACKS };

static struct prof_stack stacks[NSTACKS] = {
	[S_TICK] = { .first = 0, .depth = 3, .pid = 10, .tid = 10, .comm = "ticker" },
	[S_VDSO] = { .first = 3, .depth = 4, .pid = 10, .tid = 10, .comm = "ticker" },
	[S_KERNEL] = { .first = 7, .depth = 4, .pid = 10, .tid = 10, .comm = "ticker" },
	[S_WAIT] = { .first = 11, .depth = 5, .pid = 10, .tid = 10, .comm = "ticker",
		     .kind = PROF_KIND_BLOCKED },
	[S_LIB] = { .first = 16, .depth = 1, .pid = 10, .tid = 11, .comm = "helper" },
	[S_OTHER_WAIT] = { .first = 11, .depth = 5, .pid = 10, .tid = 11, .comm = "helper",
			   .kind = PROF_KIND_BLOCKED },
};

static struct prof_sample samples[1024];
static size_t nsamples;

static void add(uint64_t time, uint64_t weight, uint32_t stack)
{
	samples[nsamples++] = (struct prof_sample){ time, weight, stack, 0 };
}

static struct profile make_profile(bool off_cpu)
{
	struct profile p = {
		.funcs = funcs,
		.nfuncs = sizeof(funcs) / sizeof(funcs[0]),
		.locs = locs,
		.nlocs = sizeof(locs) / sizeof(locs[0]),
		.stacks = stacks,
		.nstacks = NSTACKS,
		.frames = frames,
		.nframes = sizeof(frames) / sizeof(frames[0]),
		.view = off_cpu ? PROF_VIEW_WALL : PROF_VIEW_CPU,
		.sample_list = samples,
		.nsample_list = nsamples,
	};

	p.times.off_cpu = off_cpu;
	p.times.cpu_scale = 1;
	return p;
}

/*
 * Ten bursts 100 ms apart from O, each 30 us on a CPU with a kernel-mode
 * sample at 10 us and a user-mode one in on_tick at 20 us, waits between
 * them; the last burst ends at its last sample.
 */
static void ticks(void)
{
	nsamples = 0;
	for (int k = 0; k < 10; k++) {
		uint64_t at = O + (uint64_t)k * 100 * MS;

		add(at + 10 * US, 10 * US, S_KERNEL);
		add(at + 20 * US, 10 * US, S_TICK);
		if (k < 9)
			add(at + 30 * US, 100 * MS - 30 * US, S_WAIT);
	}
}

static void test_sample_func(void)
{
	struct profile p = make_profile(true);

	is_int(timeline_sample_func(&p, &stacks[S_TICK]), F_TICK, "a program frame at the leaf");
	is_int(timeline_sample_func(&p, &stacks[S_VDSO]), F_TICK,
	       "the program's frame under the vDSO's");
	is_int(timeline_sample_func(&p, &stacks[S_KERNEL]), F_WAIT,
	       "the program's frame under the kernel's and the library's");
	is_int(timeline_sample_func(&p, &stacks[S_LIB]), F_MEMSET,
	       "a library frame when there is nothing else");
	ok(timeline_sample_user(&p, &stacks[S_TICK]) && timeline_sample_user(&p, &stacks[S_VDSO]),
	   "user-mode samples");
	ok(!timeline_sample_user(&p, &stacks[S_KERNEL]), "a kernel-mode sample");
}

static void test_ticks(void)
{
	struct timeline_options o = { .origin = O };
	struct timeline *t;
	struct profile p;
	struct tl_thread *th;
	bool alternate = true;
	uint64_t on = 0;

	ticks();
	p = make_profile(true);
	is_int(timeline_build(&p, NULL, 0, &o, &t), 0, "built");
	is_int(t->nthreads, 1, "one thread");
	th = &t->threads[0];
	is_str(th->name, "ticker", "its name");
	is_int(th->start, O, "its life starts with its first sample's period");
	is_int(th->end, O + 900 * MS + 20 * US, "and ends at its last sample");
	is_int(th->nspans, 19, "ten on-CPU spans and nine waits");
	for (size_t i = 0; i < th->nspans; i++) {
		alternate &= th->spans[i].kind == (i % 2 ? PROF_KIND_BLOCKED : PROF_KIND_CPU);
		alternate &= !i || th->spans[i].start == th->spans[i - 1].end;
		if (th->spans[i].kind == PROF_KIND_CPU)
			on += th->spans[i].end - th->spans[i].start;
	}
	ok(alternate, "on and off CPU alternate without gaps");
	is_int(th->spans[1].stack, S_WAIT, "a wait keeps its stack");
	is_int(th->spans[0].stack, TL_NONE, "an on-CPU span has none");
	is_int(th->cpu_ns, on, "on-CPU time is the spans'");
	is_int(th->cpu_ns, 9 * 30 * US + 20 * US, "and the time outside the waits");
	is_int(th->blocked_ns, 9 * (100 * MS - 30 * US), "blocked time");
	is_int(th->nsamples, 20, "every CPU sample");
	is_int(th->nbursts, 10, "ten bursts");
	is_int(th->bursts[3].start, O + 300 * MS, "a burst starts at its switch-in");
	is_int(th->bursts[3].end, O + 300 * MS + 30 * US, "and ends at its switch-out");
	is_int(th->bursts[3].since_prev, 100 * MS, "100 ms after the previous one");
	is_int(th->bursts[3].cpu_ns, 30 * US, "30 us on CPU");
	is_int(th->bursts[3].samples, 2, "two samples");
	is_int(th->bursts[3].func, F_TICK, "in on_tick: its user-mode sample");
	is_int(th->bursts[3].func_samples, 1, "one sample in it");
	ok(th->recur.found, "the bursts recur");
	is_int(th->recur.period, 100 * MS, "every 100 ms");
	is_int(th->recur.period_dev, 0, "exactly");
	is_int(th->recur.nbursts, 10, "all ten are in the series");
	is_int(th->recur.cpu_ns, 30 * US, "30 us on CPU each");
	is_int(th->recur.func, F_TICK, "in on_tick");
	is_int(th->recur.samples, 20, "their samples");
	ok(!th->recur.latency_known, "no wakeups: no latency");
	timeline_free(t);

	/* a range from the middle of a wait to the middle of another */
	o.start = O + 150 * MS;
	o.end = O + 350 * MS;
	timeline_build(&p, NULL, 0, &o, &t);
	th = &t->threads[0];
	is_int(t->start, O + 150 * MS, "the range's start");
	is_int(th->start, O + 150 * MS, "a wait begun before the range starts the life there");
	is_int(th->spans[0].kind, PROF_KIND_BLOCKED, "with the wait");
	is_int(th->end, O + 350 * MS, "a wait past its end ends it there");
	is_int(th->nbursts, 2, "the two bursts inside");
	is_int(th->nsamples, 4, "and their samples");
	timeline_free(t);
}

static void test_wakeups(void)
{
	struct timeline_options o = { .origin = O };
	struct tl_event ev[10];
	struct timeline *t;
	struct profile p;

	ticks();
	p = make_profile(true);
	/* the timer (no thread) wakes it 40 us before each burst after the first */
	for (int k = 1; k < 10; k++)
		ev[k - 1] = (struct tl_event){ .time = O + (uint64_t)k * 100 * MS - 40 * US,
					       .kind = TL_WAKEUP,
					       .to_pid = 10,
					       .to_tid = 10 };
	ev[9] = (struct tl_event){ .time = O + 250 * MS, .kind = TL_SIGNAL_DELIVERED,
				   .signo = 10, .to_pid = 10, .to_tid = 10, .from_tid = 77 };
	timeline_build(&p, ev, 10, &o, &t);
	is_int(t->nevents, 10, "the events");
	is_int(t->events[2].kind, TL_SIGNAL_DELIVERED, "in time order");
	is_int(t->events[2].to, 0, "with their thread");
	is_int(t->events[2].from, TL_NONE, "a sender outside the timeline has none");
	is_int(t->threads[0].bursts[2].wake, O + 200 * MS - 40 * US, "a burst's wakeup");
	is_int(t->threads[0].bursts[2].waker, TL_NONE, "by no thread");
	ok(t->threads[0].recur.latency_known, "the latency is known");
	is_int(t->threads[0].recur.latency, 40 * US, "40 us");
	ok(t->threads[0].recur.latency_timer, "after a timer");
	is_str(timeline_signal_name(10), "SIGUSR1", "signal 10's name");
	ok(!timeline_signal_name(0), "no name for 0");
	timeline_free(t);
}

/* bursts at starts[], each `on` long with a wait of `wait_kind` after it */
static void made_up(struct tl_thread *th, const uint64_t *starts, size_t n, uint64_t on,
		    uint32_t wait_kind, struct tl_span *spans)
{
	memset(th, 0, sizeof(*th));
	for (size_t i = 0; i < n; i++) {
		spans[th->nspans++] = (struct tl_span){ starts[i], starts[i] + on, PROF_KIND_CPU,
							TL_NONE };
		if (i + 1 < n)
			spans[th->nspans++] = (struct tl_span){ starts[i] + on, starts[i + 1],
								wait_kind, S_WAIT };
	}
	th->start = starts[0];
	th->end = starts[n - 1] + on;
}

static void test_rules(void)
{
	struct profile p = make_profile(true);
	struct tl_span spans[64];
	struct tl_thread th;
	uint64_t close[] = { 0, 300 * US, 600 * US, 2 * MS, 10 * MS, 30 * MS };
	uint64_t extra[] = { 0, 100 * MS, 200 * MS, 230 * MS, 300 * MS, 400 * MS, 500 * MS,
			     600 * MS, 700 * MS };
	uint64_t late[] = { 0, 108 * MS, 200 * MS, 307 * MS, 400 * MS, 509 * MS, 600 * MS,
			    706 * MS, 800 * MS };
	uint64_t irregular[] = { 0, 10 * MS, 50 * MS, 60 * MS, 200 * MS, 210 * MS, 500 * MS };

	/* waits of 200 us and 400 us join; 1 ms and more split */
	made_up(&th, close, 6, 100 * US, PROF_KIND_BLOCKED, spans);
	th.spans = spans;
	timeline_thread_bursts(&p, &th, true, 0, 0, NULL, 0, 0);
	is_int(th.nbursts, 4, "short waits do not end a burst, 1 ms ones do");
	is_int(th.bursts[0].end, 600 * US + 100 * US, "the first burst spans three runs");
	is_int(th.bursts[0].cpu_ns, 300 * US, "with their on-CPU time only");
	is_int(th.bursts[0].func, TL_NONE, "no sample: no function");
	ok(!th.recur.found, "four bursts at no period");
	free(th.bursts);

	/* a preemption of any length continues the burst */
	made_up(&th, close, 6, 100 * US, PROF_KIND_RUNNABLE, spans);
	th.spans = spans;
	timeline_thread_bursts(&p, &th, true, 0, 0, NULL, 0, 0);
	is_int(th.nbursts, 1, "runnable waits join everything");
	free(th.bursts);

	/* an extra burst between two periodic ones breaks two distances, not the period */
	made_up(&th, extra, 9, 50 * US, PROF_KIND_BLOCKED, spans);
	th.spans = spans;
	timeline_thread_bursts(&p, &th, true, 0, 0, NULL, 0, 0);
	is_int(th.nbursts, 9, "nine bursts");
	ok(th.recur.found, "recur despite the extra one");
	is_int(th.recur.period, 100 * MS, "at 100 ms");
	is_int(th.recur.nbursts, 8, "the eight others are the series");
	free(th.bursts);

	/* a timer under load: every other wakeup late by 6 to 9 ms */
	made_up(&th, late, 9, 50 * US, PROF_KIND_BLOCKED, spans);
	th.spans = spans;
	timeline_thread_bursts(&p, &th, true, 0, 0, NULL, 0, 0);
	ok(th.recur.found, "late wakeups do not hide the period");
	is_near((double)th.recur.period, 100.0 * MS, 1.0 * MS, "at 100 ms within 1 ms");
	is_int(th.recur.nbursts, 9, "all nine in the series");
	free(th.bursts);

	made_up(&th, irregular, 7, 50 * US, PROF_KIND_BLOCKED, spans);
	th.spans = spans;
	timeline_thread_bursts(&p, &th, true, 0, 0, NULL, 0, 0);
	ok(!th.recur.found, "irregular bursts do not recur");
	free(th.bursts);
}

static void test_samples_only(void)
{
	struct timeline_options o = { .origin = O };
	struct timeline *t;
	struct profile p;
	struct tl_thread *th;

	/* 1 ms samples from 1.0 s to 1.3 s, one 5 ms hole (a preemption), a lone one at 1.8 s */
	nsamples = 0;
	for (uint64_t at = 1000 * MS; at <= 1300 * MS; at += MS)
		if (at < 1100 * MS || at > 1105 * MS)
			add(O + at, MS, S_TICK);
	add(O + 1800 * MS, MS, S_KERNEL);
	add(O + 1900 * MS, MS, S_LIB);
	p = make_profile(false);
	timeline_build(&p, NULL, 0, &o, &t);
	is_int(t->nthreads, 2, "two threads");
	th = &t->threads[0];
	ok(!t->off_cpu && !th->nspans, "no spans without off-CPU data");
	is_int(t->sample_ns, MS, "a sample is 1 ms");
	is_int(t->gap_ns, 10 * MS, "the gap is ten samples'");
	is_int(th->nbursts, 2, "a hole shorter than the gap does not split a run");
	is_int(th->bursts[0].start, O + 999 * MS, "a run starts a sample before its first");
	is_int(th->bursts[0].end, O + 1300 * MS, "and ends at its last");
	is_int(th->bursts[0].cpu_ns, 295 * MS, "its samples' time");
	is_int(th->bursts[0].func, F_TICK, "on_tick");
	is_int(th->bursts[1].func, F_WAIT, "a burst of kernel-mode samples: their function");
	is_int(th->cpu_ns, 296 * MS, "the thread's samples' time");
	is_str(t->threads[1].name, "helper", "the other thread");
	timeline_free(t);
}

static void test_session_events(void)
{
	struct session_signal sig[] = {
		{ .time = O + 250 * MS, .sig = 10, .code = 0, .from_pid = 77, .from_tid = 78,
		  .to_pid = 10, .to_tid = 10 },
		{ .time = O + 251 * MS, .deliver = true, .sig = 10, .to_pid = 10, .to_tid = 10 },
		{ .time = O + 260 * MS, .sig = 15, .from_pid = 77, .from_tid = 78, .to_pid = 99,
		  .to_tid = 99 },
	};
	struct session_wakeup wk[] = {
		{ .time = O + 300 * MS - 40 * US, .pid = 0, .tid = 0, .woken_pid = 10,
		  .woken_tid = 10 },
	};
	struct session s;
	struct timeline_options o = { .origin = O };
	struct tl_event *ev;
	struct timeline *t;
	struct profile p;
	size_t n;

	memset(&s, 0, sizeof(s));
	s.signals = sig;
	s.nsignals = 3;
	s.wakeups = wk;
	s.nwakeups = 1;
	timeline_session_events(&s, &ev, &n);
	is_int(n, 4, "three signals and a wakeup");
	is_int(ev[0].kind, TL_SIGNAL_SENT, "a generation is sent");
	is_int(ev[0].from_tid, 78, "by its sender");
	is_int(ev[1].kind, TL_SIGNAL_DELIVERED, "a delivery");
	is_int(ev[3].kind, TL_WAKEUP, "a wakeup");
	is_int(ev[3].from_tid, 0, "by the idle task");
	is_int(ev[3].to_tid, 10, "of its thread");
	ticks();
	p = make_profile(true);
	timeline_build(&p, ev, n, &o, &t);
	free(ev);
	is_int(t->nevents, 3, "a signal between threads outside the timeline is left out");
	is_int(t->events[2].from, TL_NONE, "the idle task is no thread");
	is_int(t->threads[0].bursts[3].wake, O + 300 * MS - 40 * US, "the wakeup before a burst");
	timeline_free(t);
}

int main(void)
{
	test_sample_func();
	test_ticks();
	test_wakeups();
	test_rules();
	test_samples_only();
	test_session_events();
	return done_testing();
}
