/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * From the kernel's ring-buffer records to pmuprof's: walks a buffer of
 * perf records (as sampler_drain() copies them), turns samples, maps,
 * thread events, losses and throttling into store/format.h records, and
 * counts what it saw. Only the stack bytes the kernel actually copied
 * (dyn_size) are kept, not the whole requested size.
 *
 * perfrec_write_ksyms() names kernel functions with resolve/kallsyms.h: the
 * one allowed call against the pipeline's direction (collect/ may use
 * resolve's leaf readers, which depend on nothing above util/).
 */
#ifndef PMUPROF_PERFREC_H
#define PMUPROF_PERFREC_H

#include "collect/jitrec.h"
#include "store/datafile.h"
#include "util/hash.h"

#include <stdbool.h>

#include <stdint.h>

struct traceev_layout;

struct perfrec_stats {
	uint64_t samples;
	uint64_t samples_stack_full; /* the stack copy filled the requested size */
	uint64_t lost_ring;	     /* PERF_RECORD_LOST */
	uint64_t lost_samples;	     /* PERF_RECORD_LOST_SAMPLES */
	uint64_t throttled, unthrottled;
	uint64_t malformed; /* records that did not parse (should stay 0) */
	uint64_t first_time, last_time;
	uint64_t weight;    /* sum of sample periods */
	uint64_t lost_shim; /* timer samplers: dropped in the program (ring full, no slot) */
	uint64_t task_cpu_ns; /* sum of the REC_TASK_CPU records written */
	/* of lost_ring and lost_samples: those in the switch rings (--off-cpu) */
	uint64_t lost_ring_switches, lost_samples_switches;
	uint64_t lost_trace; /* signals and wakeups lost: their rings were full */
};

struct perfrec {
	struct data_writer *w;
	/* the distinct kernel addresses of the samples, to name when recording ends */
	struct hash kernel_index;
	uint64_t *kernel_ips;
	size_t nkernel_ips, akernel_ips;
	uint64_t sample_type;
	uint64_t regs_mask;
	unsigned int nregs;
	uint32_t stack_request; /* bytes of user stack asked for per sample */
	struct perfrec_stats st;
	/*
	 * --off-cpu: switch records, thread births and deaths and the
	 * context-switches samples go to the interval tracker (collect/offcpu.h),
	 * which the caller owns; NULL without.
	 */
	struct offcpu *oc;
	/* --off-cpu where permitted: the signal and wakeup tracepoints' fields (traceev.h) */
	const struct traceev_layout *trace;
	/* the sampled processes and their jitdumps, whose JIT files go into the file */
	struct jitrec jit;
};

/* Adds the counts of st to sum (a recording cut into files: their whole); times span both. */
void perfrec_stats_add(struct perfrec_stats *sum, const struct perfrec_stats *st);

void perfrec_init(struct perfrec *pr, struct data_writer *w, uint64_t sample_type,
		  uint64_t regs_mask, uint32_t stack_request);
/*
 * Converts every whole record in buf; returns 0 or the writer's error.
 * `switches`: the buffer is from the context-switches event's rings, whose
 * samples are the stacks of switch-outs (for pr->oc), not samples to keep.
 */
int perfrec_convert(struct perfrec *pr, const uint8_t *buf, size_t len, bool switches);
/*
 * Records from the signal and wakeup tracepoints' rings (traceev.h, with
 * pr->trace): each sample becomes a REC_SIGNAL or REC_WAKEUP handed to
 * pr->oc, which keeps those of the profiled threads; losses are counted.
 */
int perfrec_convert_trace(struct perfrec *pr, const uint8_t *buf, size_t len);
/* Records already in the file's format (the timer samplers' rings: samples, losses). */
int perfrec_add_native(struct perfrec *pr, const uint8_t *buf, size_t len);
/* A thread's CPU time as the kernel accounted it (REC_TASK_CPU). */
int perfrec_write_task_cpu(struct perfrec *pr, uint32_t pid, uint32_t tid, uint64_t time,
			   uint64_t cpu_ns);
/*
 * Samples lost on pmuprof's side (`why`: LOST_WRITER), as a REC_LOST record
 * at the time of the last sample converted.
 */
int perfrec_write_lost(struct perfrec *pr, uint16_t why, uint64_t count);
/* Frees the kernel address set and the processes noted for their JIT files. */
void perfrec_release(struct perfrec *pr);
/*
 * Writes a REC_KSYM record for each kernel function (from kallsyms) that
 * holds a sampled kernel address: 0, or the writer's error.
 */
struct kallsyms;
int perfrec_write_ksyms(struct perfrec *pr, const struct kallsyms *k);
/*
 * The same from this boot's /proc/kallsyms, which a later report may not
 * have. 0 also when there is nothing to name or kallsyms cannot be read
 * (kptr_restrict hides addresses from this user: report then names what it
 * can, on this boot); else the writer's error.
 */
int perfrec_name_kernel_functions(struct perfrec *pr);
/*
 * Copies the JIT files of the processes that were sampled and did not
 * exit during the recording (those that did were stored at their exit):
 * at the end of recording. 0, or the writer's error.
 */
int perfrec_store_jit(struct perfrec *pr);
/* Counts the samples in buf without converting them (for a dropped buffer). */
uint64_t perfrec_count_samples(const uint8_t *buf, size_t len);

#endif
