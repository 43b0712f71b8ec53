/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The statistics of `pmuprof diff`: two profiles of one program (before and
 * after a change) compared per function and per stack, each difference with
 * a confidence interval, so that what moved can be told from sampling noise.
 *
 * Everything is a share of a profile's samples (counts, not weights): a
 * sample either lands in a function or not, so a share is a binomial
 * proportion and the difference of two of them has a known distribution.
 * Weights (periods) would make each sample count differently and the
 * binomial model would no longer hold.
 *
 * Functions are matched by (name, object short name), stacks by their folded
 * text "comm;outermost;...;leaf": addresses change between builds. When the
 * two recordings ran programs of different names (a build kept as
 * prog-old next to prog-new), that object and the command name of its
 * threads are matched too: they are one program, rebuilt.
 *
 * A struct diff borrows both profiles (names point into their strings): free
 * it with diff_release() before profile_free(). Nothing here prints.
 */
#ifndef PMUPROF_DIFF_H
#define PMUPROF_DIFF_H

#include "analyse/profile.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The normal quantile of a two-sided 95% interval. */
#define DIFF_Z 1.959963984540054

/* ---- intervals ---------------------------------------------------------- */

/*
 * Wilson's score interval for the proportion k/n at DIFF_Z: [0, 1] when n is
 * 0. Unlike the Wald interval it stays inside [0, 1] and does not collapse
 * to a point at k = 0 or k = n.
 */
void diff_wilson(uint64_t k, uint64_t n, double *lo, double *hi);

/*
 * The 95% interval of k2/n2 - k1/n1 by Newcombe's hybrid score method
 * (method 10 of Newcombe, Statistics in Medicine 17, 1998), built from the
 * Wilson intervals of both proportions: good coverage for small counts and
 * for shares near 0 or 1, where the Wald interval is too narrow.
 */
void diff_interval(uint64_t k1, uint64_t n1, uint64_t k2, uint64_t n2, double *lo, double *hi);

/* The Wald interval (p2 - p1) +- z * sd, for comparison and the tests. */
void diff_interval_wald(uint64_t k1, uint64_t n1, uint64_t k2, uint64_t n2, double *lo, double *hi);

/* ---- the comparison ----------------------------------------------------- */

struct diff_row {
	const char *name; /* the function's name, or the stack's folded text */
	const char *dso;  /* the function's object (NEW's name for the program); NULL: a stack */
	bool kernel;
	uint64_t old_n, new_n;	     /* samples */
	double old_share, new_share; /* of all samples of each file, 0..1 */
	double change;		     /* new_share - old_share */
	double lo, hi;		     /* its 95% interval */
	bool significant;	     /* the interval excludes 0 */
};

struct diff_table {
	struct diff_row *rows; /* by |change| descending */
	size_t n;
};

struct diff {
	const struct profile *old, *new;
	uint64_t old_samples, new_samples;
	/* the program's object in each, when their names differ (matched as one), else NULL */
	const char *old_prog, *new_prog;
	char old_comm[16], new_comm[16]; /* their thread names, matched likewise ("" if none) */
	struct diff_table self;		 /* samples in the function itself (the leaf) */
	struct diff_table total;	 /* samples whose stack holds the function */
	struct diff_table stacks;	 /* samples with that exact stack */
	char **owned;			 /* the stacks' texts */
	size_t nowned, aowned;
};

/* Compares; 0, or -EINVAL for a missing profile. */
int diff_compute(struct diff *d, const struct profile *old, const struct profile *new);
void diff_release(struct diff *d);

/*
 * The program's object of a profile: the object named like the recorded
 * command (the file name of the title's first word), if a function of the
 * profile is in it; else NULL. Points into p's strings.
 */
const char *diff_program(const struct profile *p);

/*
 * A stack's folded text as `pmuprof report --format folded` writes it: the
 * thread name (`comm`, or the stack's own when NULL), then the functions from
 * the outermost caller to the leaf, separated by ';'; ';' in a name becomes
 * ':' and control characters '?'; kernel functions end in "_[k]", inlined
 * ones in "_[i]". Returns an allocated string.
 */
char *diff_fold(const struct profile *p, const struct prof_stack *s, const char *comm);

#endif
