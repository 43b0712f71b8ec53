/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The heat map of a recording over time (analyse/heatmap.h) as one
 * self-contained SVG file, in the manner of FlameScope: a column per
 * second, a row per bucket of it, each cell coloured by its samples (or
 * time); hovering a cell names its range and value. Selecting a range of
 * cells (a start cell and an end cell, or a drag) draws below the map the
 * flame graph of just those cells, laid out, coloured and scripted as the
 * flame graph SVG (output/export.h) is, and prints the `pmuprof report
 * --time START,END` command that reads the same samples. A fragment
 * "#select=START,END" (seconds from the recording's start) selects the cells
 * holding those times when the file is opened, as clicks on them would.
 *
 * The stacks are embedded once each, with their value in every bucket
 * they have samples in, so that any range's flame graph is built in the
 * file. Nothing here prints; the caller owns everything passed in.
 */
#ifndef PMUPROF_OUTPUT_HEATMAP_H
#define PMUPROF_OUTPUT_HEATMAP_H

#include "analyse/heatmap.h"
#include "analyse/profile.h"

#include <stdio.h>

struct heatmap_svg_opts {
	uint64_t start_ns; /* the recording's start (CLOCK_MONOTONIC), 0 when unknown */
	/* the command the selection's --time argument is printed after ("pmuprof report") */
	const char *report;
	/* the recording has off-CPU time that this view leaves out, or adds: say so */
	bool off_cpu;
};

/* 0, or -errno when writing failed. */
int heatmap_write_svg(FILE *out, const struct profile *p, const struct heatmap *h,
		      const struct heatmap_svg_opts *o);

#endif
