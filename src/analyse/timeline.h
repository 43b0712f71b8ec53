/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A timeline: what each thread of a recording did when. It is built from a
 * profile read with its sample list (profile_read() with PROFILE_SAMPLES,
 * preferably in the wall view) and laid out per thread:
 *
 *   spans    the thread's life cut into on-CPU and off-CPU pieces. With
 *            off-CPU data (record --off-cpu) each off-CPU sample is one
 *            off-CPU span [time, time + weight], blocked or runnable, with
 *            the stack it waited in; the rest of the thread's life is on a
 *            CPU. Without it there are no spans (off_cpu is false): only
 *            the CPU samples say when a thread ran.
 *   samples  the thread's CPU samples in time, with their stacks
 *   bursts   runs of on-CPU activity between off-CPU waits of at least
 *            gap_ns (see struct tl_burst), with the function that ran
 *   recur    the bursts' period, when they recur regularly
 *
 * and, across threads, the signals and wakeups the recording holds, in
 * time order.
 *
 * Times are CLOCK_MONOTONIC nanoseconds, as in the recording; [start, end]
 * is the range the timeline covers (the recording's, or the --time range
 * the caller asked for): spans are cut to it, and nothing outside it is
 * kept. Stack and function numbers index the profile's stacks and funcs:
 * the timeline points into the profile it was built from, which must
 * outlive it. timeline_free() frees everything else.
 */
#ifndef PMUPROF_TIMELINE_H
#define PMUPROF_TIMELINE_H

#include "analyse/profile.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* "no stack", "no function", "no thread" in the index fields below */
#define TL_NONE UINT32_MAX

/* One piece of a thread's life. */
struct tl_span {
	uint64_t start, end; /* ns; end > start */
	uint32_t kind;	     /* enum prof_kind: CPU on a CPU, BLOCKED or RUNNABLE off it */
	uint32_t stack;	     /* off CPU: the wait's stack (profile stacks); on CPU: TL_NONE */
};

/* A CPU sample of a thread. */
struct tl_sample {
	uint64_t time;	 /* ns */
	uint64_t weight; /* as in the profile: ns in time views, else the event's period */
	uint32_t stack;	 /* profile stacks */
	uint32_t pad;
};

/*
 * A burst: a run of on-CPU spans of one thread that no blocked span of at
 * least the timeline's gap_ns separates (a shorter wait, or a preemption of
 * any length, continues the burst). Without off-CPU data, a run of CPU
 * samples that no gap of at least gap_ns separates.
 */
struct tl_burst {
	uint64_t start, end; /* its first on-CPU span's start, its last one's end */
	uint64_t since_prev; /* start minus the previous burst's start; 0 for the first */
	uint64_t cpu_ns;     /* on-CPU time in it (without off-CPU data: samples' time) */
	/*
	 * When the thread was woken for it: the last wakeup event for the
	 * thread within the wait before the burst, else 0 (without wakeup
	 * records the switch-in, start, is all that is known).
	 */
	uint64_t wake;
	uint32_t waker;	       /* the thread that woke it (threads index), or TL_NONE: none
				* profiled (a timer, an interrupt) or no wakeup known */
	uint32_t samples;      /* CPU samples within it */
	uint32_t func;	       /* the function most of them ran in (timeline_sample_func()):
				* of those in user mode, or of all when none is; TL_NONE
				* when the burst has no sample */
	uint32_t func_samples; /* of them, in func */
};

/*
 * Regular recurrence of a thread's bursts: most bursts of the usual size
 * start a whole number of periods after another one, give or take a part
 * of a period (see timeline.c for the rule); those are the series. found
 * is false when there is none.
 */
struct tl_recurrence {
	bool found;
	bool latency_known;  /* latency comes from wakeup events */
	bool latency_timer;  /* and those wakeups had no profiled waker (a timer) */
	uint32_t nbursts;    /* bursts in the series */
	uint64_t period;     /* ns: the slope of the line through their starts */
	uint64_t period_dev; /* ns: the starts' root mean square distance from it */
	uint64_t latency;    /* ns, median of start - wake, when latency_known */
	uint64_t cpu_ns;     /* median on-CPU time of the series' bursts */
	uint32_t func;	     /* the function most of their samples are in, or TL_NONE */
	uint32_t func_samples;
	uint32_t samples; /* CPU samples in the series' bursts */
};

struct tl_thread {
	uint32_t pid, tid;
	const char *name;    /* the thread's name (profile's string) */
	uint64_t start, end; /* its life within the timeline's range */
	struct tl_span *spans; /* in time order, covering [start, end] without overlap;
				* none without off-CPU data */
	size_t nspans;
	struct tl_sample *samples; /* CPU samples in time order */
	size_t nsamples;
	uint64_t cpu_ns, blocked_ns, runnable_ns; /* sums of the spans (cpu_ns without
						   * off-CPU data: the samples' time) */
	struct tl_burst *bursts;
	size_t nbursts;
	struct tl_recurrence recur;
};

enum tl_event_kind {
	TL_SIGNAL_SENT,	     /* a signal was generated: from, to, signo */
	TL_SIGNAL_DELIVERED, /* a signal was delivered to its thread: to, signo */
	TL_WAKEUP,	     /* a thread was woken: from (the waker, when a thread), to */
};

struct tl_event {
	uint64_t time;	     /* ns */
	uint32_t kind;	     /* enum tl_event_kind */
	int32_t signo;	     /* signals: the signal's number; else 0 */
	int32_t code;	     /* signals: its si_code or the tracepoint's result; else 0 */
	uint32_t from_pid, from_tid; /* the sender or waker; 0 when none or unknown */
	uint32_t to_pid, to_tid;     /* the receiver or wakee */
	uint32_t from, to;   /* threads index of each side, TL_NONE when not in the timeline */
};

struct timeline {
	const struct profile *prof; /* built from; not owned */
	uint64_t start, end;	    /* the range covered, ns */
	uint64_t origin;	    /* the recording's start (what --time counts from), ns */
	bool off_cpu;		    /* spans are known (the recording has off-CPU data) */
	uint64_t gap_ns;	    /* the burst rule's gap */
	uint64_t sample_ns;	    /* a CPU sample's typical time, ns (0 when unknown) */
	struct tl_thread *threads;  /* by pid, then tid */
	size_t nthreads;
	struct tl_event *events; /* signals and wakeups, in time order */
	size_t nevents;
};

/*
 * The burst rule's gap unless the caller sets another: 1 ms; without
 * off-CPU data at least TL_GAP_SAMPLES CPU samples' time (a busy thread's
 * samples are a period apart, more when other threads take its CPU).
 */
#define TL_GAP_NS 1000000u
#define TL_GAP_SAMPLES 10

struct timeline_options {
	uint64_t start, end; /* the range, ns, within the recording's; 0: from its start,
			      * to its end */
	uint64_t origin;     /* the recording's start, ns (session's start_ns), 0 if unknown */
	uint64_t gap_ns;     /* 0: TL_GAP_NS, or TL_GAP_SAMPLES samples' time */
};

/*
 * Builds the timeline of p (with its sample list) and the events (any
 * order; copied; those of threads outside the timeline are left out): 0
 * (allocation does not fail, util/alloc.h). A profile
 * read without its sample list gives threads without samples or spans.
 * *t is freed with timeline_free(); p must outlive it.
 */
int timeline_build(const struct profile *p, const struct tl_event *events, size_t nevents,
		   const struct timeline_options *o, struct timeline **t);
void timeline_free(struct timeline *t); /* NULL is a no-op */

struct session;

/*
 * The signals and wakeups of a recording (session.h's s->signals and
 * s->wakeups) as events for timeline_build(): *ev (freed by the caller)
 * and *n. A wakeup's waker is the thread that ran when it happened, none
 * for the idle task (an interrupt's, a timer's on an idle CPU).
 */
void timeline_session_events(const struct session *s, struct tl_event **ev, size_t *n);

/*
 * The function a CPU sample of stack s ran in, for bursts: the leaf-most
 * user frame of the program's own code (not a shared library's nor the
 * vDSO's: on_tick, not the clock_gettime it calls), else the leaf-most user
 * frame, else the leaf; markers ("[off-cpu: ...]", "[no stack]",
 * "[unknown]") are skipped. A funcs index.
 */
uint32_t timeline_sample_func(const struct profile *p, const struct prof_stack *s);
/* Whether stack s was sampled in user mode (its leaf is a user frame). */
bool timeline_sample_user(const struct profile *p, const struct prof_stack *s);

/*
 * The bursts of a thread and their recurrence from its spans (off_cpu) or
 * its samples alone: timeline_build() calls it; exposed for tests on
 * made-up spans. Replaces th's bursts and recur; returns 0.
 */
int timeline_thread_bursts(const struct profile *p, struct tl_thread *th, bool off_cpu,
			   uint64_t gap_ns, uint64_t sample_ns, const struct tl_event *events,
			   size_t nevents, uint32_t self);

/* The name of a signal ("SIGUSR1"), or NULL for a number without one. */
const char *timeline_signal_name(int signo);

#endif
