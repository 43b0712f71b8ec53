/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The arithmetic of counting: scaling multiplexed counts by enabled/running
 * time, statistics over repeated runs, and the derived metrics perf users
 * know (CPUs utilized, insn per cycle, miss rates, GHz, rates per second),
 * including whether a metric's inputs were counted at the same time.
 */
#ifndef PMUPROF_STAT_H
#define PMUPROF_STAT_H

#include "util/compiler.h"

#include <stdbool.h>
#include <stdint.h>

/* Raw value scaled to the whole enabled time; 0 when it never ran. */
double stat_scale(uint64_t val, uint64_t ena, uint64_t run);

/* Running mean and variance (Welford), for -r. */
struct runstats {
	double n, mean, m2;
};

void runstats_add(struct runstats *s, double x);
/* Sample standard deviation; 0 with fewer than two values. */
double runstats_stddev(const struct runstats *s);
/* Standard deviation as a percentage of the mean; 0 when the mean is 0. */
double runstats_rel_pct(const struct runstats *s);

/* One counter's result, as the metric code sees it. */
struct metric_input {
	uint32_t type;	 /* perf_event_attr.type */
	uint64_t config; /* perf_event_attr.config */
	bool user_only;	 /* exclude_kernel: match inputs with the same privilege */
	int group;
	bool counted;	  /* ran at some point */
	bool multiplexed; /* ran for less than the whole enabled time */
	double value;	  /* scaled */
};

struct metric {
	bool valid;
	double value;
	const char *unit;  /* "CPUs utilized", "insn per cycle", "K/sec", ... */
	bool not_together; /* inputs multiplexed in different groups: an estimate */
};

/* The event's unit and the factor from raw count to it ("msec" and 1e-6 for clocks). */
const char *stat_unit(uint32_t type, uint64_t config, double *factor);

/*
 * The derived metric for in[idx], using other entries as inputs.
 * elapsed_ns is wall time (for CPUs utilized).
 */
void metric_compute(const struct metric_input *in, size_t n, size_t idx, double elapsed_ns,
		    struct metric *out);

#endif
