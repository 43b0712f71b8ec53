/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The numbers of `pmuprof compare`: one workload run unprofiled and once per
 * sampler (pmu, itimer, ctimer), N times each. Every profiled run is read
 * back from its data file: what the sampler delivered (samples, the CPU time
 * they stand for, per thread, per leaf function) against what the kernel
 * accounted (task-clock per thread, rusage for the process tree).
 *
 * Plain data: compare.c fills it, the writers of output/compare.h read it.
 * cmp_result_release() frees everything a result holds.
 */
#ifndef PMUPROF_COMPARE_H
#define PMUPROF_COMPARE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One thread of one profiled run. */
struct cmp_thread {
	uint32_t pid, tid;
	char comm[32];
	double true_cpu_s;	 /* task-clock of the thread, from the kernel */
	double true_share;	 /* of the run's true CPU, 0..1 */
	uint64_t samples;
	double attributed_cpu_s; /* what its samples stand for */
	double share;		 /* of the run's attributed CPU, 0..1 */
};

/* One leaf function's share of a run's samples (by weight). */
struct cmp_func {
	char *name;
	double share;
};

/* One profiled run: one recording. */
struct cmp_run {
	char *file;		   /* the data file (kept with -o, else deleted) */
	double wall_s;		   /* workload wall time */
	double rusage_cpu_s;	   /* user + system of the process tree, from wait4 */
	double true_cpu_s;	   /* sum of the threads' task-clock */
	uint64_t samples;
	double attributed_cpu_s;   /* sum of sample weights */
	double unweighted_cpu_s;   /* samples times the period (timer samplers: overruns ignored) */
	double rate_hz;		   /* samples per second of true CPU */
	double error_pct;	   /* attributed vs true, in % */
	double unweighted_error_pct;
	double max_share_error_pp; /* largest |share - true share| over threads, percentage points */
	uint64_t lost;		   /* samples lost: ring full, writer behind, no slot */
	uint64_t overruns;	   /* timer expirations merged into delivered signals (ctimer) */
	uint64_t foreign;	   /* SIGPROF not from the sampler's own timer (ignored) */
	double wall_overhead_pct;  /* vs the median unprofiled run */
	double cpu_overhead_pct;
	double tvd;		   /* total variation distance of leaf functions vs pmu; < 0: none */
	char *conflict;		   /* why the run is not trustworthy (own SIGPROF...), or NULL */
	int exit_status;
	struct cmp_thread *threads; /* by true CPU, descending */
	size_t nthreads;
	struct cmp_func *funcs;	    /* by share, descending */
	size_t nfuncs;
};

enum cmp_sampler_kind {
	CMP_PMU,
	CMP_ITIMER,
	CMP_CTIMER,
	CMP_NSAMPLERS
};

/* One sampler: its runs and, field by field, their medians. */
struct cmp_sampler {
	enum cmp_sampler_kind kind;
	const char *name;  /* "pmu", "itimer", "ctimer" */
	char *event;	   /* what the pmu sampler sampled ("cpu-clock"...); the timer's name */
	struct cmp_run *runs;
	size_t nruns;
	struct cmp_run median; /* medians of the numeric fields; threads and funcs of the median run */
};

struct cmp_result {
	char **argv;	      /* the workload, NULL-terminated (borrowed) */
	unsigned long hz;     /* requested rate */
	unsigned int repeats;
	unsigned int ncpus;
	unsigned int kernel_hz; /* CONFIG_HZ when known, else 0 */
	char kernel[128];
	double *base_wall_s, *base_cpu_s; /* unprofiled runs, `repeats` each */
	double base_wall_median, base_cpu_median;
	struct cmp_sampler samplers[CMP_NSAMPLERS];
	size_t nsamplers;
};

void cmp_result_release(struct cmp_result *r);

/* 0..1: half the sum of absolute share differences over the union of names. */
double cmp_tvd(const struct cmp_func *a, size_t na, const struct cmp_func *b, size_t nb);

#endif
