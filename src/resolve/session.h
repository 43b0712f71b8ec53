/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Reading a recording: the stage between the data file and every view of
 * it. A first pass over the file loads the address spaces, thread names,
 * kernel symbols and stored object images (records from different CPUs are
 * not in time order, so every map must be known before the first sample is
 * unwound); a second pass hands each sample that passes a filter to a
 * callback, with its kernel frames and its unwound user frames.
 *
 * Nothing here prints: functions return 0 or -errno with a detail string,
 * and what went wrong while reading (damage, truncation, objects that were
 * unreadable or changed) is left in the session for the command to word.
 * session_open() fills a caller's struct session; session_close() frees
 * everything it holds.
 */
#ifndef PMUPROF_SESSION_H
#define PMUPROF_SESSION_H

#include "resolve/filter.h"
#include "resolve/unwind.h"
#include "store/datafile.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#define SESSION_MAX_KERNEL 128
#define SESSION_MAX_USER 512
/* the kernel's default limit on a callchain's entries (kernel.perf_event_max_stack) */
#define SESSION_FP_MAX_STACK 127

struct maps;
struct kallsyms;
struct progress;

struct session {
	const char *path;
	struct data_reader *rd; /* metadata and statistics */
	struct maps *maps;
	struct kallsyms *kernel; /* by session_kernel() */
	bool kernel_tried;
	bool kernel_loading;	 /* kernel_thread is reading /proc/kallsyms */
	atomic_bool kernel_stop; /* tells it that they are no longer needed */
	pthread_t kernel_thread;
	struct unwinder *unwinder;
	struct comm_event *comms;
	size_t ncomms, acomms;
	struct fork_link *forks;
	size_t nforks, aforks;
	uint8_t **images;
	size_t nimages, aimages;
	/* the recorded [vdso]'s build-id, and whether the file holds its image */
	uint8_t vdso_bid[BUILD_ID_MAX];
	uint8_t vdso_bid_len;
	bool vdso_image;
	/* JIT files: the copies the recording holds, and the jitdumps its mappings name */
	struct session_jit_file *jit_files;
	size_t njit_files, ajit_files;
	size_t jit_objects; /* processes whose JIT code has names */
	size_t jit_names;   /* of them all */
	size_t jit_skipped; /* lines and records of their files that did not parse */
	struct session_task_cpu *task_cpu; /* REC_TASK_CPU records, in file order */
	size_t ntask_cpu, atask_cpu;
	/* record --off-cpu's signals and wakeups, in time order (see session_signal) */
	struct session_signal *signals;
	size_t nsignals, asignals;
	struct session_wakeup *wakeups;
	size_t nwakeups, awakeups;
	uint64_t bad_records;
	uint64_t start_ns; /* CLOCK_MONOTONIC at the recording's start, 0 if unknown */
	int reg_ip, reg_sp, reg_bp; /* indexes in a sample's regs, -1 when not recorded */
	bool dwarf;		    /* the recording has user stacks to unwind */
	uint32_t fp_max_stack;	    /* the kernel's limit on callchain entries when recording */
	struct progress *progress;  /* the caller's progress bar, or NULL */
	unsigned jobs;		    /* threads a reader of every sample may use (0, 1: one) */
	/* what session_samples() met */
	uint64_t samples_seen;
	uint64_t off_cpu_seen;	   /* of them, off-CPU intervals */
	bool damaged;		   /* a record could not be read: the samples after it are lost */
	const char *damage;	   /* why, when damaged (static text or the reader's) */
};

/* A thread's CPU time by the kernel's accounting (several records for one tid add up). */
struct session_task_cpu {
	uint32_t pid, tid;
	uint64_t cpu_ns;
};

/*
 * Signals and wakeups (REC_SIGNAL, REC_WAKEUP: record --off-cpu, where the
 * user could read the kernel's tracepoints) of the profiled threads:
 * session_open() loads every one into s->signals and s->wakeups, each
 * array sorted by time (ns, CLOCK_MONOTONIC, the clock of samples' times).
 * A reader takes what it wants by thread and time. A pid of 0 with a
 * nonzero tid: the thread's process is not known to the recording.
 * session_events_missing() tells an empty array from a recording that
 * could not have them.
 */
struct session_signal {
	uint64_t time;
	bool deliver; /* false: generated (sent); true: delivered to a handler or default action */
	bool group;   /* generated for the whole process rather than one thread */
	int sig;      /* the signal number (SIGUSR1, ...) */
	int code;     /* si_code: SI_USER for kill(2), SI_TKILL, SI_TIMER, SI_KERNEL, ... */
	int result;   /* generation: enum signal_result (store/format.h); delivery: 0 */
	uint32_t cpu; /* where it happened */
	/*
	 * Generation: the thread running when it was sent, the sender (for a
	 * signal the kernel raises in an interrupt, whatever ran; tid 0: the
	 * idle task). Delivery: 0, 0.
	 */
	uint32_t from_pid, from_tid;
	uint32_t to_pid, to_tid; /* the receiver */
};

struct session_wakeup {
	uint64_t time;
	bool new_thread; /* a new thread's first wakeup (sched_wakeup_new) */
	uint32_t cpu, target_cpu; /* where the wakeup happened; the CPU the thread was queued on */
	/*
	 * The thread running when it happened: the waker (for a wakeup in an
	 * interrupt, a timer's say, whatever ran then; tid 0: the idle task).
	 */
	uint32_t pid, tid;
	uint32_t woken_pid, woken_tid;
};

struct session_sample {
	const struct sample_view *v;
	const char *comm;   /* the thread's name at the sample's time */
	bool kernel_mode;   /* the sampled ip is in the kernel */
	unsigned kind;	    /* SAMPLE_KIND_*: on CPU, or off CPU (blocked, runnable) */
	unsigned source;    /* off CPU: SAMPLE_SOURCE_* (NONE: no frames at all) */
	uint64_t kernel[SESSION_MAX_KERNEL]; /* kernel frames, leaf first */
	size_t nkernel;
	struct unwind_frame user[SESSION_MAX_USER]; /* user frames, leaf first */
	size_t nuser;
	bool unwound; /* user frames came from unwinding (ours, or the kernel's frame pointer
		       * walk): res says how it ended */
	struct unwind_result res;
	/*
	 * The sample's place in the file: larger for a later sample of the
	 * same pass (not consecutive), so that work done on several threads
	 * can be put back in file order.
	 */
	uint64_t order;
};

/* ---- the recording ------------------------------------------------------- */

/*
 * Opens and loads path: 0, or -errno with *detail set when the reader can
 * say more than strerror (a damaged header, a format version).
 */
int session_open(struct session *s, const char *path, const char **detail);
/* Opens for the metadata and statistics only (s->rd). */
int session_open_meta(struct session *s, const char *path, const char **detail);
/*
 * Kernel symbols, loaded on first use (reading /proc/kallsyms costs tens of
 * milliseconds): NULL unless reading on the boot that recorded the file.
 */
struct kallsyms *session_kernel(struct session *s);
void session_close(struct session *s);

/* The name of a thread at a time: its own, else its process's, else its creator's. */
const char *session_comm(const struct session *s, uint32_t pid, uint32_t tid, uint64_t time);

/*
 * Calls fn for every sample in file order that passes the thread, time and
 * command tests of f (NULL: all), unwound. Returns 0 or fn's first nonzero
 * return. A damaged file stops the pass (s->damaged, s->damage);
 * data_reader_truncated(s->rd) tells a file cut short.
 */
int session_samples(struct session *s, const struct sample_filter *f,
		    int (*fn)(struct session *s, struct session_sample *smp, void *arg),
		    void *arg);

/*
 * session_samples() on `jobs` threads (1: session_samples() itself with
 * args[0]). Each thread takes the next frame of the file, decodes it and
 * unwinds its samples with a rule cache of its own, calling fn with its
 * own args[i]: fn runs on several threads at once, and must touch nothing
 * shared but what it only reads. smp->order puts the samples back in file
 * order. Returns 0, fn's first nonzero return (the pass stops then), or
 * -EAGAIN when a frame did not decode: the samples before it are file
 * order's to say, so the reader is back at the start and nothing was
 * counted; the caller drops what fn gathered and calls session_samples().
 * The samples' count and a damage that ends the frames are set as
 * session_samples() sets them. s->progress counts the samples read.
 */
int session_samples_jobs(struct session *s, const struct sample_filter *f, unsigned jobs,
			 int (*fn)(struct session *s, struct session_sample *smp, void *arg),
			 void *const *args);

/*
 * NULL when the recording has its signals and wakeups (even if there were
 * none); else why not, worded for a user: recorded without --off-cpu, or
 * the reason record gave (the tracepoints were not readable: how to
 * permit them).
 */
const char *session_events_missing(const struct session *s);

/* "nanoseconds" for the clock events and the timer samplers, else "events". */
const char *session_weight_unit(const struct session *s);
/* The profiled command, for titles: what follows "--" in the recorded command line. */
const char *session_title(const struct session *s);

#endif
