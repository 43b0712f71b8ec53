/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What a recording says about itself: the metadata at the head of
 * pmuprof.data (the command line, the machine, the clock, what was sampled
 * and how) and the run statistics of its trailer (samples, losses, times,
 * what the timer samplers saw). The keys and their texts are the file
 * format (pmuprof-data(5)): report --header prints them as they are.
 *
 * Both functions only add keys to a data_writer the caller owns and
 * finishes. They are called before the first record and before
 * data_writer_finish(), where adding a key cannot fail; hence no error.
 */
#ifndef PMUPROF_RECMETA_H
#define PMUPROF_RECMETA_H

#include "collect/perfrec.h"
#include "collect/recevents.h"
#include "collect/shimrec.h"
#include "collect/target.h"
#include "store/datafile.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* What the header records, all of it the caller's. */
struct recmeta {
	int argc;
	char *const *argv;	     /* pmuprof's own command line */
	const char *sampler;	     /* "pmu", "itimer" or "ctimer" */
	bool timer;		     /* a timer sampler: registers come even without a stack */
	const char *event_requested; /* -e as given */
	const struct rec_event *ev;  /* what is sampled, as opened */
	const char *fallback;	     /* why ev is not what was asked, or NULL */
	const struct rec_sampling *smp;
	size_t pages; /* ring pages per CPU, as mapped */
	enum target_kind target;
	pid_t pid; /* of -p or -t */
	const char *off_cpu;	   /* --off-cpu: "switch" or "remote" (see offcpu.h); else NULL */
	uint64_t off_cpu_min_stack; /* ns */
	/* --off-cpu: "signals wakeups" when recorded, else "none: " and why; NULL without */
	const char *off_cpu_events;
};

void recmeta_write(struct data_writer *w, const struct recmeta *m);

/* What the trailer records, all of it the caller's. */
struct recmeta_stats {
	const struct perfrec_stats *st;
	uint64_t lost_writer;		   /* samples the writer's queue dropped */
	const struct shimrec_stats *shim; /* the timer samplers' counts, else NULL */
	const char *conflict;		   /* what the program did to SIGPROF, or NULL */
	double elapsed_s;
	double cpu_s;	 /* the target's CPU time; < 0 when unknown */
	int exit_status; /* the workload's, as the command exits with it; < 0 when none */
	uint64_t switch_open_ns; /* --switch-output: the main thread's time to begin the file; 0: none */
	const struct offcpu_stats *off; /* --off-cpu's intervals, else NULL */
};

struct offcpu_stats;
void recmeta_write_stats(struct data_writer *w, const struct recmeta_stats *s);

#endif
