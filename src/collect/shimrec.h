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
	uint64_t *lost_seen; /* per slot: drops already turned into LOST records */
	bool *bad;	     /* per slot: abandoned */
	uint64_t bad_rings;
	uint64_t no_slot_seen;
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
};

/* Creates the shared memory for a program sampled `hz` times a CPU second. */
int shimrec_open(struct shimrec *s, enum shim_mode mode, unsigned long hz, uint32_t stack_bytes);
void shimrec_close(struct shimrec *s);

/*
 * Appends the records waiting in the rings (REC_SAMPLE, and REC_LOST for
 * drops) to *buf (grown with realloc, *alloc its size); returns the bytes
 * appended. Slots of threads that ended are handed out again once empty.
 */
size_t shimrec_drain(struct shimrec *s, uint8_t **buf, size_t *alloc);
void shimrec_stats(const struct shimrec *s, struct shimrec_stats *st);
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
