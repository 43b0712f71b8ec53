/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Printing `pmuprof stat` results as perf-like text, CSV (-x) or JSON lines
 * (--json). The command computes rows; this module only lays them out. The
 * CSV columns and JSON keys are documented in pmuprof-stat(1).
 */
#ifndef PMUPROF_STAT_PRINT_H
#define PMUPROF_STAT_PRINT_H

#include "analyse/stat.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

enum stat_state {
	STAT_COUNTED,
	STAT_NOT_COUNTED,   /* opened but never scheduled */
	STAT_NOT_SUPPORTED, /* could not be opened */
};

struct stat_row {
	const char *event;  /* display name, ":u" appended when counting fell back to user space */
	const char *thread; /* "comm-tid" with --per-thread, else NULL */
	enum stat_state state;
	double value; /* scaled, in `unit` */
	const char *unit;
	uint64_t ena, run; /* ns */
	double stddev_pct; /* relative standard deviation over -r runs; < 0: not repeated */
	struct metric metric;
};

enum stat_format {
	STAT_TEXT,
	STAT_CSV,
	STAT_JSON,
};

struct stat_printer {
	FILE *f;
	enum stat_format format;
	const char *sep; /* CSV separator */
	bool big_num;	 /* thousands separators in text */
	bool interval;	 /* rows carry an interval timestamp */
	bool per_thread;
	bool repeated;	 /* -r N with N > 1 */
	bool header_done;
};

struct stat_summary {
	const char *what;     /* "./prog arg", "process 123", "thread 45", "all CPUs" */
	bool what_is_command; /* quote it in text */
	double elapsed_s;     /* mean over runs */
	double elapsed_stddev_pct;
	int runs;
	bool have_rusage;
	double user_s, sys_s; /* the workload's CPU time (mean over runs) */
	int exit_status;      /* -1 in attach modes */
};

/* Text: the "Performance counter stats for ..." heading; no-op for CSV/JSON. */
void stat_print_begin(struct stat_printer *p, const struct stat_summary *s);
/* One row; `ts` is the interval timestamp in seconds (ignored unless p->interval). */
void stat_print_row(struct stat_printer *p, const struct stat_row *row, double ts);
/* Elapsed, user and sys time; JSON gets a {"type":"summary"} object. */
void stat_print_end(struct stat_printer *p, const struct stat_summary *s);

/* Formats v with `decimals` decimals and, if big, thousands separators. */
void stat_format_number(char *buf, size_t size, double v, int decimals, bool big);

#endif
