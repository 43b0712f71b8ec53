/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * `pmuprof timeline --format heatmap`: the steps from a recording to the
 * heat map SVG (analyse/heatmap.h, output/heatmap.h), for the timeline
 * command to call with what its options chose.
 */
#ifndef PMUPROF_CMD_TIMELINE_HEATMAP_H
#define PMUPROF_CMD_TIMELINE_HEATMAP_H

#include "analyse/profile.h"
#include "resolve/filter.h"

struct timeline_heatmap_opts {
	const char *input;  /* the recording */
	const char *output; /* -o: NULL for standard output */
	const struct sample_filter *filter;
	enum prof_view view; /* auto: cpu */
	unsigned sym_flags;  /* SYM_* */
	unsigned jobs;	     /* -j; 0: the default */
};

/* Reads the recording and writes the heat map: the exit status, after saying what failed. */
int timeline_heatmap(const struct timeline_heatmap_opts *o);

#endif
