/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pmuprof's side of the timer samplers (record --sampler itimer|ctimer):
 * creates the memory shared with the LD_PRELOAD shim (shim/shim-abi.h),
 * finds the shim library, checks that a program can load it at all, and
 * drains the threads' rings into records of the data file while the
 * program runs and after it ends.
 *
 * The rings are written by a program pmuprof does not trust to stay well
 * behaved: every record size is checked before it is copied, and a ring
 * that holds garbage is abandoned (counted in `bad_rings`), never followed.
 * The memory is sealed at its size (a program that shrank it would make
 * pmuprof's next read a SIGBUS), and the layout pmuprof chose is kept here,
 * never read back from the header the program can write.
 */
#ifndef PMUPROF_SHIMREC_H
#define PMUPROF_SHIMREC_H

#include "shim/shim-abi.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct shimrec {
	int fd; /* the memfd, inherited by the program (not close-on-exec) */
	struct shim_header *hdr;
	struct shim_slot *slots;
	uint8_t *rings;
	/* the layout as created: the header's copy is the program's to scribble on */
	enum shim_mode mode;
	uint32_t nslots;
	uint64_t ring_bytes, map_bytes, period_ns;
	uint64_t *tail;	     /* per slot: bytes consumed (the shared copy is only a hint) */
	uint64_t *lost_seen; /* per slot: drops already turned into LOST records */
	bool *bad;	     /* per slot: abandoned */
	uint64_t bad_rings;
	uint64_t no_slot_seen;
	uint64_t unsignalled, unsignalled_ns; /* threads that used CPU but got no signal */
};

struct shimrec_stats {
	uint64_t signals;  /* the sampler's own SIGPROFs that reached a thread */
	uint64_t overruns; /* ctimer: expirations merged into them */
	uint64_t lost;	   /* samples dropped: ring full or no slot */
	uint64_t foreign;  /* other SIGPROFs (the program's, kill -PROF ...), not samples */
	uint64_t late;	   /* after a thread's sampling ended */
	uint64_t images;   /* program images that loaded the shim */
	uint64_t timer_failures;
	uint64_t events;   /* 1 << enum shim_event */
	uint64_t event_time[SHIM_NEVENTS];
	uint64_t bad_rings;
	/* threads that used CPU but received none of the sampler's signals, and that CPU */
	uint64_t unsignalled, unsignalled_ns;
};

/*
 * Whether a thread that used `cpu_ns` of CPU and received `signals` of the
 * sampler's signals was kept from receiving them (SIGPROF blocked where
 * the shim cannot see it): no signal at all over several periods, and over
 * more than a scheduler tick or two, which is when CPU timers are checked.
 */
bool shimrec_unsignalled(uint64_t cpu_ns, uint64_t signals, uint64_t period_ns);

/* Creates the shared memory for a program sampled `hz` times a CPU second. */
int shimrec_open(struct shimrec *s, enum shim_mode mode, unsigned long hz, uint32_t stack_bytes);
void shimrec_close(struct shimrec *s);

/*
 * Appends the records waiting in the rings (REC_SAMPLE, and REC_LOST for
 * drops) to *buf (grown with realloc, *alloc its size); returns the bytes
 * appended. Slots of threads that ended are handed out again once empty.
 */
size_t shimrec_drain(struct shimrec *s, uint8_t **buf, size_t *alloc);
/*
 * The counters, with `cpu_ns` the program's CPU time as the kernel
 * accounted it (0: unknown): a program that used CPU without receiving a
 * single signal counts as one unsignalled thread, whatever the slots say.
 */
void shimrec_stats(const struct shimrec *s, uint64_t cpu_ns, struct shimrec_stats *st);
/*
 * What the program did that makes a timer sampler's numbers doubtful, as
 * one line for the file's statistics ("conflict") and the user, with times
 * in seconds from `start` (CLOCK_MONOTONIC ns); NULL when nothing did.
 * The caller frees it.
 */
char *shimrec_conflict(const struct shimrec_stats *st, enum shim_mode mode, uint64_t start);

/*
 * The shim library: $PMUPROF_SHIM, else next to the running pmuprof (a
 * build tree), else the installed one. NULL if none exists (errno set).
 */
const char *shimrec_library(void);
/* Where `make install` puts it. */
const char *shimrec_install_dir(void);

/*
 * 0 if `file` (a path, or a name looked up in PATH) can load the shim:
 * -ENOEXEC for an ELF executable without a dynamic loader (static),
 * -ENOENT/-EACCES when it cannot be found; scripts and unknown formats pass.
 */
int shimrec_check_program(const char *file);

#endif
