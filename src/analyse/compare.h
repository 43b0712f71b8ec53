/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The numbers of `pmuprof compare`: one workload run unprofiled and once per
 * sampler (pmu, itimer, ctimer), N times each. Every profiled run is read
 * back from its data file: what the sampler delivered (samples, the CPU time
 * they stand for, per thread, per leaf function) against what the kernel
 * accounted (task-clock per thread, rusage for the process tree).
 *
 * The command runs the workload and opens each recording; cmp_run_fill()
 * turns a recording's profile and statistics into a run, and
 * cmp_result_summarize() sets the runs against each other: overheads
 * against the unprofiled runs, leaf functions against pmu's, medians. The
 * writers of output/compare.h read the result; cmp_result_release() frees
 * everything it holds. Nothing here prints.
 */
#ifndef PMUPROF_COMPARE_H
#define PMUPROF_COMPARE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct profile;

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

/* ---- one run, from its recording ---------------------------------------- */

/* A thread's CPU time by the kernel's accounting; several entries for one thread add up. */
struct cmp_task_cpu {
	uint32_t pid, tid;
	uint64_t cpu_ns;
};

/*
 * What a recording says of its run besides the samples, as plain values:
 * the command reads them from the data file, so that the numbers can be
 * computed (and tested) without a reader.
 */
struct cmp_run_stats {
	uint64_t elapsed_ns;  /* the workload's wall time */
	uint64_t cpu_time_ns; /* user + system of the process tree (rusage) */
	int exit_status;
	uint64_t lost;	      /* samples lost, every cause together */
	uint64_t overruns;    /* timer expirations merged into delivered signals */
	uint64_t foreign;     /* SIGPROF not sent by the sampler's own timer */
	uint64_t shim_images; /* processes the in-process sampler was loaded into */
	const char *conflict; /* the recorder's reason to distrust the run, or NULL */
	const struct cmp_task_cpu *task_cpu; /* the kernel's per-thread truth */
	size_t ntask_cpu;
};

/*
 * Fills r from the profile of a recording made by sampler k at hz and from
 * its statistics: totals and errors against the kernel's CPU time, one
 * struct cmp_thread per thread that ran or was sampled (by true CPU,
 * descending; comm left empty for the caller, who knows the names), the
 * leaf functions by share. r must be zeroed but for file and tvd, which it
 * leaves alone; its strings and arrays are r's own (cmp_result_release()).
 */
void cmp_run_fill(struct cmp_run *r, enum cmp_sampler_kind k, unsigned long hz,
		  const struct profile *p, const struct cmp_run_stats *st);

/* ---- across runs ---------------------------------------------------------- */

/* The median of v[0..n), v left in its order; 0 when n is 0. */
double cmp_median(const double *v, size_t n);

/*
 * s->median from s's runs: each numeric field the median of the runs', the
 * exit status, threads and functions (copies) of the run whose error is
 * nearest the median error, and the first conflict of any run. s->median
 * must be zeroed; nothing is done without runs.
 */
void cmp_sampler_summarize(struct cmp_sampler *s);

/*
 * After every run: the unprofiled medians, each profiled run's overheads
 * against them and its TVD against the pmu run of the same round (when pmu
 * is the first sampler), then every sampler's medians.
 */
void cmp_result_summarize(struct cmp_result *r);

/* 0..1: half the sum of absolute share differences over the union of names. */
double cmp_tvd(const struct cmp_func *a, size_t na, const struct cmp_func *b, size_t nb);

#endif
