/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * report's table: a profile's stacks grouped by sort keys (command,
 * thread, thread with its command (perf's pid), object, function, source
 * line), each line with its own samples (Self) and,
 * when callers are charged with their callees, the samples of every stack
 * through it (Children), sorted as perf report sorts them. The text layout
 * is output/report.h's. report_table_release() frees what build made.
 */
#ifndef PMUPROF_REPORT_TABLE_H
#define PMUPROF_REPORT_TABLE_H

#include "analyse/profile.h"
#include "util/hash.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum report_key {
	REPORT_KEY_COMM,
	REPORT_KEY_TID,
	REPORT_KEY_DSO,
	REPORT_KEY_SYM,
	REPORT_KEY_PID,	    /* perf's pid: the thread, shown as TID:COMM */
	REPORT_KEY_SRCLINE, /* the frame's source file and line (the profile needs them) */
	REPORT_KEY_MAX
};

struct report_line {
	const char *comm;
	const char *dso;
	uint32_t tid;
	uint32_t func; /* UINT32_MAX when sym is not a key */
	const char *file; /* srcline: the source file, NULL when unknown */
	uint32_t line;
	uint32_t loc; /* srcline without a known line: the location, else UINT32_MAX */
	uint64_t self_samples, self_weight;
	uint64_t samples, weight; /* children: samples whose stack has this line's key */
	size_t seen;		  /* the last stack counted in `weight`, + 1 */
};

struct report_table {
	struct report_line *lines;
	size_t n, alloc;
	struct hash index;
	enum report_key keys[REPORT_KEY_MAX];
	size_t nkeys;
	bool children;
};

/* keys: the line's key, in the order of the columns (at most REPORT_KEY_MAX). */
void report_table_build(struct report_table *t, const struct profile *p,
			const enum report_key *keys, size_t nkeys, bool children);
void report_table_release(struct report_table *t);
bool report_table_has_key(const struct report_table *t, enum report_key k);
/* The stacks of line l's command and thread (its call graph's), into out; returns how many. */
size_t report_table_stacks(const struct report_table *t, const struct profile *p,
			   const struct report_line *l, uint32_t *out);
/*
 * Each function's hottest source line (--srcline): the location where most
 * of the samples through it were, UINT32_MAX where none has a line. An
 * array of p->nfuncs, for the caller to free.
 */
uint32_t *report_hot_locs(const struct profile *p);

#endif
