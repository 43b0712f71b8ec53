/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Which samples of a recording a reader wants, as a plain struct that the
 * reading stage (resolve/session.h) and the profile builder (analyse/)
 * test and commands fill from their options (--comm, --tid, --time,
 * --dso, --symbol, --symbols). All empty: every sample. Thread and time are
 * tested before a sample is unwound, the command name once it is known,
 * objects and functions on symbolized stacks (a stack is kept when any of
 * its frames matches), and the sampled function (perf report's --symbols:
 * a stack is kept when its leaf matches). sample_filter_release() frees what the adders copied.
 */
#ifndef PMUPROF_FILTER_H
#define PMUPROF_FILTER_H

#include "util/compiler.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct rec_sample;

struct name_list {
	char **v;
	size_t n;
};

struct sample_filter {
	struct name_list comms, tids, dsos, symbols; /* symbols: see symbol_name_matches() */
	struct name_list leaves;		     /* the sampled function: the same */
	bool time_set;
	double time_from, time_to; /* seconds from the recording's start; to < 0: open */
	char *text;		   /* the filters as given ("--comm a --time 1,2"); NULL: none */
};

/* Adds "a,b,c" to a list. */
void name_list_add(struct name_list *l, const char *arg);
bool name_list_has(const struct name_list *l, const char *s);
void name_list_release(struct name_list *l);

/*
 * The option forms. Each adds arg to the filter and to f->text, and
 * returns 0 or -EINVAL. sample_filter_tid() points *bad at the word that is
 * not a thread id (it lives in f), or sets it NULL when arg named none;
 * sample_filter_time() returns -EINVAL when arg is not START,END and -EDOM
 * when a bound is not a number of seconds or START > END.
 */
int sample_filter_comm(struct sample_filter *f, const char *arg);
int sample_filter_tid(struct sample_filter *f, const char *arg, const char **bad);
int sample_filter_time(struct sample_filter *f, const char *arg);
void sample_filter_dso(struct sample_filter *f, const char *arg);
/*
 * --symbol and --symbols: arg is split at the commas outside brackets, so
 * that a full signature ("f(int, char)", "g<int, long>") stays one name.
 */
void sample_filter_symbol(struct sample_filter *f, const char *arg);
void sample_filter_leaf(struct sample_filter *f, const char *arg);
void sample_filter_release(struct sample_filter *f);

/* Thread and time; start_ns is the recording's start (CLOCK_MONOTONIC). */
bool sample_filter_thread(const struct sample_filter *f, uint64_t start_ns,
			  const struct rec_sample *r);
bool sample_filter_comm_ok(const struct sample_filter *f, const char *comm);
/* Whether objects or functions are tested (the stacks must then be symbolized). */
bool sample_filter_by_function(const struct sample_filter *f);
/* Whether func, a stack's leaf function (alt: its other form or NULL), passes --symbols. */
bool sample_filter_leaf_ok(const struct sample_filter *f, const char *func, const char *alt);
/*
 * dso: the object's short name; path: its mapped path or NULL; func: the
 * function's name and alt its other form or NULL (see symbol_name_matches()).
 */
bool sample_filter_function_ok(const struct sample_filter *f, const char *dso, const char *path,
			       const char *func, const char *alt);

/*
 * Whether pattern names the function shown as name, whose C++ name has
 * the other form alt (the full signature of a short name, or the other
 * way round; NULL: none): pattern is either form as it is, or a
 * fnmatch(3) glob that matches either. Taken as it is first, a name with
 * brackets ("f[abi:cxx11]", "g [clone .cold]") needs no quoting.
 */
bool symbol_name_matches(const char *pattern, const char *name, const char *alt);

#endif
