/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Printing `pmuprof stat` results as perf-like text, CSV (-x) or JSON lines
 * (--json), and laying a counter set's results out as those rows: the names
 * shown, one group of rows per thread with --per-thread or the instances
 * summed, the derived metrics, the means of -r runs. The CSV columns and
 * JSON keys are documented in pmuprof-stat(1).
 *
 * A stat_table owns the names it builds (stat_table_release() frees them),
 * not the counter set it reads; stat_describe_target()'s string is the
 * caller's to free.
 */
#ifndef PMUPROF_STAT_PRINT_H
#define PMUPROF_STAT_PRINT_H

#include "analyse/stat.h"
#include "collect/counter.h"
#include "collect/target.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

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
	const char *reason; /* why it is not supported, or NULL */
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
	bool notes;	 /* CSV: pmuprof's note field after perf's fields */
	bool header_done;
	/* the command's wording of a perf_event_open error, for rows' reasons; may be NULL */
	const char *(*explain)(int err, bool cpu_wide);
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

/* The rows of a counter set: how counts are grouped and named. */
struct stat_table {
	const struct counter_set *set; /* its target's instances are the counts' columns */
	bool per_thread;	       /* a group of rows per instance, else instances summed */
	char **thread_names;	       /* "comm-tid" per instance with per_thread */
	size_t nthreads;
	char **display; /* per counter: the name shown, built on first use */
	size_t ndisplay;
};

/* -r: each counter over all runs. */
struct stat_totals {
	const struct runstats *val; /* per counter: its scaled count (instances summed) per run */
	const uint64_t *ena, *run;  /* per counter: summed over instances and runs */
	int runs;
};

/*
 * For set, opened (its target's instances are known). With per_thread,
 * thread_names holds "comm-tid" for each of the target's instances; the
 * table takes it (freed with the table).
 */
void stat_table_init(struct stat_table *t, const struct counter_set *set, bool per_thread,
		     char **thread_names);
void stat_table_release(struct stat_table *t);

/*
 * Prints the rows for `counts` (counter x instance), with the derived
 * metrics over `elapsed_ns`; `ts` as for stat_print_row(). With `tot`, the
 * means over all runs are printed instead of `counts` (and deviations).
 */
void stat_print_counts(struct stat_printer *p, struct stat_table *t, const struct count *counts,
		       double elapsed_ns, double ts, const struct stat_totals *tot);
/*
 * Text: why events were <not supported>, one line per distinct reason,
 * worded by `explain` (the command's wording of a perf_event_open error).
 */
void stat_print_unsupported(struct stat_printer *p, const struct counter_set *set,
			    const char *(*explain)(int err, bool cpu_wide));

/* What was counted, for the heading: the command line, "process 123", "thread 45", "all CPUs". */
char *stat_describe_target(enum target_kind kind, pid_t pid, char *const *argv);

/* Formats v with `decimals` decimals and, if big, thousands separators. */
void stat_format_number(char *buf, size_t size, double v, int decimals, bool big);

#endif
