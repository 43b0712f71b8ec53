/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The kernel events record opens: the sampling event's perf_event_attr
 * (what each sample carries, by call-graph mode and rate), the sampler
 * with its fallbacks (cpu-clock where the hardware event does not exist,
 * user space only where the kernel refuses kernel samples), the
 * per-thread CPU accounting counter, and the ring size that fits a rate.
 *
 * Functions return 0 or -errno and never print: a fallback is reported
 * as data (rec_event's fallback_err and friends) for the command to word.
 * A rec_event's strings are its own, freed by rec_event_release(); the
 * samplers opened here are the caller's to sampler_close().
 */
#ifndef PMUPROF_RECEVENTS_H
#define PMUPROF_RECEVENTS_H

#include "collect/sampler.h"
#include "collect/target.h"

#include <linux/perf_event.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define REC_DEFAULT_FREQ 1000

enum rec_call_graph {
	REC_CG_DWARF, /* user registers and a copy of the user stack, unwound later */
	REC_CG_FP,    /* the kernel's callchain (frame pointers) */
	REC_CG_NONE,
};

/* "dwarf", "fp", "none": the option's words and the file's "call-graph" values */
extern const char *const rec_call_graph_names[3];

/* How often and with what each sample is taken. */
struct rec_sampling {
	unsigned long freq;   /* samples per second per busy CPU; 0 when sampling by period */
	unsigned long period; /* one sample every `period` events; 0 when sampling by freq */
	enum rec_call_graph cg;
	unsigned long stack_size; /* user stack bytes copied with REC_CG_DWARF */
	bool stack_size_given;	  /* by --call-graph dwarf,SIZE; else the default */
};

/* The event sampled, as opened. */
struct rec_event {
	struct perf_event_attr attr;
	char *name; /* what is sampled */
	char *fstr; /* its full encoding (libpfm4's fstr), or a description for the timers */
	/*
	 * A fallback to cpu-clock: the event asked for, why it could not be
	 * opened (-ENOENT, -EOPNOTSUPP), and whether a -c period was replaced
	 * by REC_DEFAULT_FREQ. NULL and 0 when it was opened as asked.
	 */
	char *asked;
	int fallback_err;
	bool fallback_period;
	bool explicit_plm; /* the event string chose user/kernel itself: no user-only retry */
	bool user_only;	   /* kernel samples were refused: user space only */
};

void rec_event_release(struct rec_event *ev);

/* Fills in what a sample carries and how often it comes; `inherit` follows new threads. */
void recevents_attr(struct perf_event_attr *a, const struct rec_sampling *smp, bool inherit);
/* Whether a is a PMU event (hardware, cache, raw, or a PMU of its own type). */
bool recevents_is_hardware(const struct perf_event_attr *a);

/*
 * Ring pages per CPU that hold about a quarter second of samples at the
 * rate of smp (a power of two, 512 to 8192).
 */
unsigned long recevents_ring_pages(const struct rec_sampling *smp);

/*
 * Opens ev->attr as the sampler s on target t, with rings of *pages pages
 * (updated to what was mapped). Where the hardware event does not exist and
 * allow_fallback is set, samples cpu-clock instead (ev and, for a period,
 * smp are changed and say so); where the kernel refuses kernel samples,
 * samples user space only (ev->user_only). On success ev->attr is the
 * attr as opened.
 */
int recevents_open_sampler(struct sampler *s, struct rec_event *ev, struct rec_sampling *smp,
			   bool allow_fallback, const struct target *t, size_t *pages,
			   bool enable_on_exec);

/*
 * task-clock counted per thread, reported by the kernel as each thread
 * ends, in the records format of `sampling` (NULL for a timer sampler,
 * which then gets the maps, names and thread lifetimes from it instead).
 */
int recevents_open_accounting(struct sampler *acct, const struct perf_event_attr *sampling,
			      const struct target *t);
/*
 * --off-cpu: the context switches of t, in rings of their own (sw, *pages
 * per CPU): PERF_RECORD_SWITCH in and out records, and where this user may
 * sample kernel events, a context-switches sample at every switch-out
 * carrying what `sampling`'s samples carry (user registers and stack, the
 * kernel's callchain), in its layout. *samples says whether they come:
 * without them (perf_event_paranoid 2) the records alone.
 */
int recevents_open_switches(struct sampler *sw, const struct perf_event_attr *sampling,
			    const struct target *t, size_t *pages, bool enable_on_exec,
			    bool *samples);
/* The task-clock, in ns, of the threads that had not ended: the parent events' own counts. */
uint64_t recevents_accounting_total(const struct sampler *acct);

#endif
