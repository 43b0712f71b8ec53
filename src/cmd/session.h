/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A recording opened for reading by report and script: a first pass over
 * the file loads the address spaces, thread names and stored object images
 * (records from different CPUs are not in time order, so every map must be
 * known before the first sample is unwound); a second pass hands each
 * sample over with its kernel frames and its unwound user frames.
 *
 * This is command glue: it prints the messages about the file (damaged,
 * truncated, unreadable objects) that every reading command shares.
 */
#ifndef PMUPROF_SESSION_H
#define PMUPROF_SESSION_H

#include "resolve/unwind.h"
#include "store/datafile.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#define SESSION_MAX_KERNEL 128
#define SESSION_MAX_USER 512

struct maps;
struct kallsyms;

struct session {
	const char *path;
	struct data_reader *rd; /* metadata and statistics */
	struct maps *maps;
	struct kallsyms *kernel; /* by session_kernel() */
	bool kernel_tried;
	bool kernel_loading;	 /* kernel_thread is reading /proc/kallsyms */
	pthread_t kernel_thread;
	struct unwinder *unwinder;
	struct comm_event *comms;
	size_t ncomms, acomms;
	struct fork_link *forks;
	size_t nforks, aforks;
	uint8_t **images;
	size_t nimages, aimages;
	struct session_task_cpu *task_cpu; /* REC_TASK_CPU records, in file order */
	size_t ntask_cpu, atask_cpu;
	uint64_t bad_records;
	uint64_t start_ns; /* CLOCK_MONOTONIC at the recording's start, 0 if unknown */
	int reg_ip, reg_sp, reg_bp; /* indexes in a sample's regs, -1 when not recorded */
	bool dwarf;		    /* the recording has user stacks to unwind */
	bool quiet;		    /* no progress bar */
	uint64_t samples_seen;	    /* by session_samples() */
};

/* A thread's CPU time by the kernel's accounting (several records for one tid add up). */
struct session_task_cpu {
	uint32_t pid, tid;
	uint64_t cpu_ns;
};

struct session_sample {
	const struct sample_view *v;
	bool kernel_mode;   /* the sampled ip is in the kernel */
	uint64_t kernel[SESSION_MAX_KERNEL]; /* kernel frames, leaf first */
	size_t nkernel;
	struct unwind_frame user[SESSION_MAX_USER]; /* user frames, leaf first */
	size_t nuser;
	bool unwound; /* user frames came from unwinding: res says how it ended */
	struct unwind_result res;
};

/* Opens and loads; on failure prints why and returns the exit status. */
int session_open(struct session *s, const char *path);
/* Opens for the metadata and statistics only (s->rd). */
int session_open_meta(struct session *s, const char *path);
/*
 * Kernel symbols, loaded on first use (reading /proc/kallsyms costs tens of
 * milliseconds): NULL unless reading on the boot that recorded the file.
 */
struct kallsyms *session_kernel(struct session *s);
void session_close(struct session *s);

/* The name of a thread at a time: its own, else its process's, else its creator's. */
const char *session_comm(const struct session *s, uint32_t pid, uint32_t tid, uint64_t time);

/*
 * Calls fn for every sample in file order, unwound; `want` (may be NULL)
 * decides before unwinding whether fn wants a sample. Returns 0 or fn's
 * first nonzero return; warns about a damaged or truncated file.
 */
int session_samples(struct session *s,
		    bool (*want)(const struct session *s, const struct rec_sample *r, void *arg),
		    int (*fn)(struct session *s, struct session_sample *smp, void *arg),
		    void *arg);

/* ---- sample filters shared by the reading commands ---------------------- */

struct name_list {
	char **v;
	size_t n;
};

struct sample_filter {
	struct name_list comms, tids;
	bool time_set;
	double time_from, time_to; /* seconds from the recording's start; to < 0: open */
	char *text;		   /* the filters as given, for headers; NULL when none */
};

/* Adds "a,b,c" to a list. */
void name_list_add(struct name_list *l, const char *arg);
bool name_list_has(const struct name_list *l, const char *s);
void name_list_release(struct name_list *l);

/* --comm, --tid and --time: 0, or -1 after printing why the argument is bad. */
int filter_comm(struct sample_filter *f, const char *arg);
int filter_tid(struct sample_filter *f, const char *arg);
int filter_time(struct sample_filter *f, const char *arg);
/* Notes a filter applied elsewhere (--dso, --symbol) in f->text. */
void filter_note(struct sample_filter *f, const char *name, const char *arg);
void filter_release(struct sample_filter *f);
/* The cheap tests, before unwinding: thread and time. */
bool filter_sample(const struct sample_filter *f, const struct session *s,
		   const struct rec_sample *r);
/* The command name test, once the name is known. */
bool filter_comm_ok(const struct sample_filter *f, const char *comm);

/* ---- the whole recording as one profile -------------------------------- */

struct profile;
struct symbolizer;

/* "nanoseconds" for the clock events and the timer samplers, else "events". */
const char *session_weight_unit(const struct session *s);
/* The profiled command, for titles: what follows "--" in the recorded command line. */
const char *session_title(const struct session *s);

/*
 * Opens path and reads every sample into a profile, unwound and symbolized
 * with sym_flags (SYM_*): 0, or the exit status after printing why not.
 * *sym stays usable for more lookups (annotate names jump targets with
 * it). The caller frees the profile and the symbolizer, then closes s.
 */
int session_profile(struct session *s, const char *path, unsigned sym_flags, struct profile **p,
		    struct symbolizer **sym);

/* Warns about objects that were unreadable or changed since the recording. */
void session_warn_objects(const struct session *s);

#endif
