/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The record writer: a thread that converts what the ring reader drained
 * (perfrec), compresses and writes it, so that reading the rings never
 * waits on the disk. The reader hands over whole buffers through a queue;
 * when the writer falls behind by more than the queue holds, the reader
 * drops buffers instead of growing without end, and the writer thread
 * writes their samples as lost (REC_LOST, LOST_WRITER).
 *
 * The output can switch to another file between two buffers
 * (recwriter_switch()): what was handed over before goes into the old
 * file, what comes after into the new one. The writer thread hands the
 * old file back, with its own statistics, for the caller to finish.
 *
 * Functions return 0 or -errno and never print.
 */
#ifndef PMUPROF_RECWRITER_H
#define PMUPROF_RECWRITER_H

#include "collect/perfrec.h"
#include "collect/sampler.h"
#include "collect/shimrec.h"

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct recwriter_chunk;
struct offcpu;

/* A file the writer thread has switched away from. */
struct recwriter_switched {
	struct recwriter_switched *next;
	/*
	 * Its converter: pr.w is the file, pr.st its statistics, and its
	 * kernel addresses are those of its samples (perfrec_name_kernel_functions()).
	 */
	struct perfrec pr;
	uint64_t dropped; /* samples the queue dropped, written as lost in this file */
	void *arg;	  /* the caller's, from recwriter_switch() */
};

struct recwriter {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct recwriter_chunk *head, *tail;
	size_t queued;		  /* bytes waiting */
	bool closing;		  /* no more chunks will come */
	bool running;		  /* the thread was started and not yet joined */
	struct recwriter_switched *switched, *switched_tail; /* for the caller, under lock */
	uint64_t dropped;	  /* samples dropped because the queue was full, under lock */
	uint64_t dropped_written; /* how many of them a LOST record holds (writer thread) */
	uint64_t dropped_switched; /* of those, in files switched away from (writer thread) */
	uint64_t dropped_trace;	  /* signals and wakeups dropped so, under lock */
	/* the converter: the writer thread's until recwriter_finish(), then the caller's */
	struct perfrec pr;
	struct offcpu *oc; /* --off-cpu's interval tracker, or NULL */
	int err; /* the writer's first error, under lock */
};

/*
 * Starts the writer thread converting records in the format of `attr`
 * (sample_type, registers, stack size) into w, which the caller keeps.
 * With oc (--off-cpu), switch records go to that tracker, which the
 * caller keeps too and finishes after recwriter_finish().
 */
int recwriter_open(struct recwriter *wr, struct data_writer *w, const struct perf_event_attr *attr,
		   struct offcpu *oc);

/* What a buffer handed to the writer holds. */
enum recwriter_kind {
	RW_KERNEL,   /* the kernel's records, from a ring */
	RW_SWITCHES, /* the kernel's records from the context-switches event's rings */
	RW_TRACE,    /* the kernel's records from the signal and wakeup tracepoints' rings */
	RW_NATIVE,   /* records already in the file's format (the timer samplers' rings) */
	RW_CAPTURE,  /* a u64 end time, then a REC_SAMPLE read from outside (offcpu_capture) */
	RW_MARK,     /* a u64: no kernel record older than it is still to come */
	RW_SWITCH,   /* a struct recwriter_switched: from here on, write to another file */
};
/*
 * Hands a buffer to the writer, which frees it. Returns the writer's
 * error, if it had one.
 */
int recwriter_push(struct recwriter *wr, uint8_t *buf, size_t len, enum recwriter_kind kind);
/*
 * From the next buffer on, the records go into `next`, which the caller
 * has opened (its metadata and the records it needs first are in it
 * already) and which the writer thread owns from now on; `arg` comes back
 * with the old file. Without --off-cpu only (its tracker writes to one
 * file). 0, or the writer's error (next is then still the caller's).
 */
int recwriter_switch(struct recwriter *wr, struct data_writer *next, void *arg);
/*
 * The oldest file the writer thread has switched away from and no longer
 * touches, or NULL: the caller's to finish (its trailer and data_writer_finish())
 * and free with recwriter_switched_free().
 */
struct recwriter_switched *recwriter_take_switched(struct recwriter *wr);
/* Frees the converter and the structure; the file (pr.w) stays the caller's. */
void recwriter_switched_free(struct recwriter_switched *sw);
/*
 * Lets the thread write what is queued and joins it. Afterwards wr->pr,
 * its stats and wr->dropped are the caller's to read and add to.
 */
void recwriter_finish(struct recwriter *wr);
/*
 * Finishes if needed and frees everything (the files of switches not
 * taken are closed unfinished); a zeroed writer is left alone.
 */
void recwriter_close(struct recwriter *wr);

/* What record reads from: the kernel's rings, and the timer samplers' shared memory. */
struct rec_sources {
	struct sampler *s;    /* the sampling event, or the side-band one of a timer sampler */
	struct sampler *acct; /* per-thread CPU accounting, when separate; else NULL */
	struct sampler *sw;   /* --off-cpu: context switches; else NULL */
	struct sampler *trace; /* --off-cpu: signals and wakeups (traceev.h), where permitted */
	struct shimrec *shim; /* timer samplers only */
};

/*
 * Empties every ring of src into the writer; returns the writer's error.
 * With a tracker, then tells it how far the kernel's records are complete.
 */
int recwriter_drain(struct recwriter *wr, const struct rec_sources *src);
/* The ring fds of src to poll (caller frees), their number in *n. */
int *rec_sources_fds(const struct rec_sources *src, size_t *n);

#endif
