/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Off-CPU intervals from context switches: the kernel's switch records say
 * when each thread left a CPU (and whether it was preempted) and when it
 * came back; each interval becomes one REC_SAMPLE whose weight is its
 * length in ns, whose time is the switch-out, and whose stack is the one
 * the thread left with: the kernel's context-switches sample taken at the
 * switch-out (where the user may sample the kernel), or a copy read from
 * outside while the thread waited (remotestack.h), or none.
 *
 * The records come from one ring per CPU, and a thread may leave one CPU
 * and come back on another, so events are held until a watermark says no
 * earlier one can still come (offcpu_flush()), and then taken in time
 * order. The tracker runs in the record writer's thread; only
 * offcpu_waiting() is called from another (the reader, which reads stacks
 * from outside), under the tracker's lock.
 *
 * Functions return 0 or the writer's -errno and never print. Records
 * handed in are copied.
 */
#ifndef PMUPROF_OFFCPU_H
#define PMUPROF_OFFCPU_H

#include "store/datafile.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct offcpu;

struct offcpu_stats {
	uint64_t intervals; /* off-CPU samples written */
	uint64_t ns;	    /* their summed length */
	uint64_t blocked_ns, runnable_ns;
	uint64_t by_source[3];	/* intervals by stack source: switch, remote, none */
	uint64_t ns_no_stack;	/* length of the intervals without a stack */
	uint64_t closed_at_end; /* still open when the thread ended or the recording stopped */
	uint64_t captures,
	    captures_late; /* stacks read from outside; of them, not of one interval */
	uint64_t signals, wakeups; /* REC_SIGNAL and REC_WAKEUP records written */
};

/* A thread that has been off CPU for a while, for a reader of stacks from outside. */
struct offcpu_waiter {
	uint32_t pid, tid;
	uint64_t since; /* when it left the CPU, ns */
};

/*
 * Writes to w. Intervals shorter than min_stack_ns keep their length but
 * not their stack. With task_cpu, each thread's time on a CPU (switch-in
 * to switch-out) is written as a REC_TASK_CPU record when it ends or the
 * recording does: the per-thread truth of a command's recording.
 */
int offcpu_new(struct offcpu **out, struct data_writer *w, uint64_t min_stack_ns, bool task_cpu);
void offcpu_free(struct offcpu *oc);

/* A thread that exists when recording starts, off CPU (as far as is known) since `time`. */
void offcpu_thread_exists(struct offcpu *oc, uint32_t pid, uint32_t tid, uint64_t time);
/* A thread on a CPU since `time` (the workload, at its exec). */
void offcpu_thread_runs(struct offcpu *oc, uint32_t pid, uint32_t tid, uint64_t time);
void offcpu_switch(struct offcpu *oc, uint32_t pid, uint32_t tid, uint64_t time, uint32_t cpu,
		   bool out, bool preempt);
/* A context-switches sample (a REC_SAMPLE as converted): the stack at the next switch-out. */
void offcpu_sample(struct offcpu *oc, const struct rec_sample *s);
void offcpu_fork(struct offcpu *oc, uint32_t pid, uint32_t tid, uint64_t time);
void offcpu_exit(struct offcpu *oc, uint32_t pid, uint32_t tid, uint64_t time);
/*
 * A stack read from outside between begin and end (s->time is begin): it
 * belongs to the thread's interval if the thread left the CPU before begin
 * and did not come back before end.
 */
void offcpu_capture(struct offcpu *oc, const struct rec_sample *s, uint64_t end);

/*
 * Signals and wakeups (collect/traceev.h), of every thread on every CPU:
 * kept, in time order with the intervals, when they concern a thread the
 * tracker follows (the receiver or woken thread, or the sender or waker),
 * or all of them after offcpu_keep_all_events() (-a). The receiver's pid
 * is filled in when the tracker knows it.
 */
void offcpu_signal(struct offcpu *oc, const struct rec_signal *r);
void offcpu_wakeup(struct offcpu *oc, const struct rec_wakeup *r);
void offcpu_keep_all_events(struct offcpu *oc);

/* Writes the intervals that events up to `watermark` close. */
int offcpu_flush(struct offcpu *oc, uint64_t watermark);
/* Takes every event held, and closes the intervals still open at `end`. */
int offcpu_finish(struct offcpu *oc, uint64_t end);

/*
 * Up to max threads off CPU since `before` or earlier whose stack has not
 * been read yet in this interval; each is marked as asked for.
 */
size_t offcpu_waiting(struct offcpu *oc, uint64_t before, struct offcpu_waiter *out, size_t max);
/* A read that failed without telling anything (the thread ran): it may be asked for again. */
void offcpu_retry(struct offcpu *oc, uint32_t tid);

void offcpu_get_stats(struct offcpu *oc, struct offcpu_stats *st);

#endif
