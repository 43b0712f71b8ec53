/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The writers of `pmuprof timeline`, reading a timeline (analyse/timeline.h).
 * timeline-text.c draws the terminal view: one lane per thread, time across
 * the columns, each cell's character saying how much of it the thread was
 * on a CPU, signals marked, a time axis; then each thread's bursts of
 * activity and their recurrence. None prints anything but to `out`.
 */
#ifndef PMUPROF_OUTPUT_TIMELINE_H
#define PMUPROF_OUTPUT_TIMELINE_H

#include "analyse/timeline.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* The cells' characters: none on a CPU, then up to 1/8 .. 8/8 of the cell on a CPU. */
#define TIMELINE_TEXT_OFF '.'
#define TIMELINE_TEXT_LEVELS ",:-=+*#@"
#define TIMELINE_TEXT_SIGNAL '!'
/* The narrowest line the view can be drawn in. */
#define TIMELINE_TEXT_MIN_WIDTH 40

struct timeline_text_opts {
	const char *path;    /* the recording, for the title */
	const char *command; /* the recorded command line, or NULL */
	const char *clock;   /* the clock of its times, or NULL for CLOCK_MONOTONIC */
	size_t width;	     /* columns of each line, at least TIMELINE_TEXT_MIN_WIDTH */
	size_t bursts;	     /* bursts listed per thread, 0: all */
	const char *events_missing; /* why the recording has no signals and wakeups, or NULL */
};

/* 0 or -errno of the first failed write. */
int timeline_write_text(FILE *out, const struct timeline *t, const struct timeline_text_opts *o);

#endif
