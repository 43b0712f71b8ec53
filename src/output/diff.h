/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The writers of `pmuprof diff` (diff-print.c), reading a comparison from
 * analyse/diff.h: the text report with its warnings about comparisons that
 * may mislead, the two-column folded stacks, and the differential flame
 * graph. What they say about each file and which rows they show come from
 * struct diff_print_opts; none prints anything but to `out`.
 */
#ifndef PMUPROF_OUTPUT_DIFF_H
#define PMUPROF_OUTPUT_DIFF_H

#include "analyse/diff.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* What the writers say about each file. */
struct diff_source {
	const char *path;    /* as given */
	const char *command; /* the recorded command line, or NULL */
	const char *event;   /* or NULL */
	const char *sampler; /* pmu, itimer, ctimer; or NULL */
};

struct diff_print_opts {
	struct diff_source old, new;
	bool all;	   /* rows within the noise too */
	size_t limit;	   /* rows per table, 0: no limit */
	double min_change; /* hide rows with |change| below this, in percentage points */
	enum prof_view view; /* what both sides hold */
	uint64_t quantum;    /* time views: the ns that one counted sample stands for */
};

/* Below this many samples in a file, only large changes can be told from noise. */
#define DIFF_FEW_SAMPLES 100

/*
 * Warnings about a comparison that may mislead: different events or
 * samplers, too few samples. Fills at most `max` allocated strings (the
 * caller frees them) and returns how many.
 */
size_t diff_warnings(const struct diff *d, const struct diff_print_opts *o, char **msgs,
		     size_t max);

/*
 * The text report: a header on both files, then the tables self, total and
 * stacks. Each writer returns 0 or -errno when writing failed.
 */
int diff_print_text(FILE *out, const struct diff *d, const struct diff_print_opts *o);
/* Two-column folded stacks, "stack OLD NEW", every stack of either file, sorted bytewise. */
int diff_write_folded(FILE *out, const struct diff *d);
/* A differential flame graph in one SVG file (see the man page for its reading). */
int diff_write_svg(FILE *out, const struct diff *d, const struct diff_print_opts *o);

#endif
