/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Counting with perf_event_open: a counter set opens every event of an
 * event list on every instance of a target (one fd per event and instance),
 * keeps groups together with PERF_FORMAT_GROUP, and reads raw values with
 * the enabled and running times needed to scale multiplexed counts.
 *
 * Functions return 0 or -errno and never print.
 */
#ifndef PMUPROF_COUNTER_H
#define PMUPROF_COUNTER_H

#include "collect/target.h"
#include "event/event.h"

#include <stdbool.h>
#include <stdint.h>

/* A raw reading: value and the times the event was enabled and running (ns). */
struct count {
	uint64_t val, ena, run;
};

struct counter {
	const struct event_spec *spec;
	struct perf_event_attr attr; /* as opened, with any fallback applied */
	int err;		     /* 0, or -errno when the event could not be opened */
	bool user_only;		     /* kernel counting was refused, so only user space is counted */
	int *fd;		     /* per instance, -1 if not open there */
	uint64_t *id;		     /* per instance, the kernel's id for the event */
};

struct counter_set {
	struct counter *c;
	size_t nr;
	const struct target *target;
	bool inherit;
};

/*
 * Prepares counters for every event in `events` on every instance of
 * `target` (both must outlive the set). `inherit` follows the children and
 * threads a counted task creates.
 */
void counter_set_init(struct counter_set *set, const struct event_list *events,
		      const struct target *target, bool inherit);
/*
 * Opens every counter. An event that cannot be opened keeps its -errno in
 * counter.err and the others go on. Returns 0 if at least one opened, else
 * the first error. With enable_on_exec (a workload that has not yet called
 * exec), counting starts at the exec; otherwise counters stay disabled until
 * counter_set_enable().
 */
int counter_set_open(struct counter_set *set, bool enable_on_exec);
int counter_set_enable(struct counter_set *set);
int counter_set_disable(struct counter_set *set);
/*
 * Reads every counter into out[counter * target->nr + instance]; entries
 * for counters not open on an instance read as zero.
 */
int counter_set_read(struct counter_set *set, struct count *out);
void counter_set_close(struct counter_set *set);
void counter_set_release(struct counter_set *set);

/*
 * Whether an error of counter_set_open() (counter.err) says that the event
 * cannot be counted here at all: no such event or PMU on this machine, or
 * not in this mode. Refused permission, a target that is gone and running
 * out of descriptors are not such errors.
 */
bool counter_err_unsupported(int err);

/* Tries to open one event on the calling process; 0 if it can be counted here. */
int counter_probe(const struct perf_event_attr *attr, bool *user_only);

/* Reads /proc/sys/kernel/perf_event_paranoid, or returns INT32_MIN when unreadable. */
int counter_paranoid(void);

#endif
