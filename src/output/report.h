/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * report's text: the header that says what was recorded and how well
 * (event and fallback, requested and delivered rate, losses, damage, how
 * far the stacks unwound), the table of analyse/report-table.h with a call
 * graph under each line (output/tree.h), and --header's plain listing of a
 * file's metadata and statistics. Each writes to `out`; the caller checks
 * ferror(out). None prints messages.
 */
#ifndef PMUPROF_REPORT_H
#define PMUPROF_REPORT_H

#include "analyse/profile.h"
#include "analyse/report-table.h"

#include <stdbool.h>
#include <stdio.h>

struct session;
struct data_reader;

enum report_graph { REPORT_GRAPH_CALLER, REPORT_GRAPH_CALLEE, REPORT_GRAPH_NONE };

struct report_text_opts {
	enum report_graph graph;
	double percent_limit; /* lines below this share are left out */
	double graph_limit;   /* and branches of the graph below this one */
	bool fractal;	      /* graph shares of the parent branch (perf's -g fractal) */
	bool srcline;	      /* each function's hottest source line after its name */
	bool nr_samples;      /* -n: Samples as perf's, a line's own (self) samples */
	unsigned jobs;	      /* threads that may draw the call graphs (0, 1: this one) */
};

/*
 * The header above a report of profile p read from session s (the file
 * `path`); filter_text: the filters that chose p's samples, or NULL.
 */
void report_print_quality(FILE *out, const char *path, const struct session *s,
			  const struct profile *p, const char *filter_text);
/* The table, or "no samples". */
void report_print_table(FILE *out, const struct report_table *t, const struct profile *p,
			const struct report_text_opts *o);
/*
 * A recording with off-CPU samples, or a time view: the view and how to
 * switch, the on-CPU, blocked and runnable totals, per process too, where
 * the off-CPU stacks came from. Nothing for a CPU view of other recordings.
 */
void report_print_views(FILE *out, const struct data_reader *rd, const struct profile *p);
/* --header: the file's metadata and run statistics, one per line. */
void report_print_header_only(FILE *out, const char *path, const struct data_reader *rd);

#endif
