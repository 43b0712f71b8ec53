/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The statistics of `pmuprof diff`: two profiles of one program (before and
 * after a change) compared per function and per stack, each difference with
 * a confidence interval, so that what moved can be told from sampling noise.
 *
 * Everything is a share of a profile's samples (counts, not weights): a
 * sample either lands in a function or not. Samples are not independent,
 * though: a program runs in phases, and neighbouring samples tend to land in
 * the same functions, so the binomial variance k/n (1 - k/n) / n is too small
 * for most programs and flags noise as change. The variance of a share is
 * therefore measured on the recording itself: its samples, in time order,
 * are cut into DIFF_BLOCKS blocks of equal count (across all threads), and
 * the spread of the share from block to block gives the variance of the
 * share over the whole recording (batch means: blocks long enough that
 * their shares are about independent). The binomial variance of the pooled
 * share stays as a floor: a function seen in one block only must not look
 * exact. The change's statistic is Welch's t with the blocks' degrees of
 * freedom (normal where the floor rules).
 *
 * A side may be several recordings of one build (diff_compute_runs()):
 * their samples are pooled, each recording is cut into its own blocks, and
 * the spread of the share from recording to recording is a second estimate
 * of its variance, the one that sees what differs between runs as a whole;
 * each side takes the larger of the two, with its degrees of freedom.
 *
 * Each table tests many rows at once: a 5% test per row would flag one row
 * in twenty of an unchanged program. Rows are significant at a false
 * discovery rate of DIFF_FDR by Benjamini and Hochberg's step-up rule over
 * the table, and the intervals shown are the matching false-coverage-rate
 * intervals of Benjamini and Yekutieli (2005): at level 1 - R q / m for R
 * significant rows of m, so that a row is significant exactly when its
 * interval excludes 0.
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

/* The false discovery rate of each table's significant rows. */
#define DIFF_FDR 0.05
/* Blocks per recording for the variance of a share, and the fewest samples in a block. */
#define DIFF_BLOCKS	       20
#define DIFF_BLOCK_MIN_SAMPLES 25

/* ---- statistics ------------------------------------------------------- */

/*
 * The two-sided tail P(|T| >= t) of Student's t with df degrees of freedom
 * (df = INFINITY: the standard normal), and its inverse: the t whose
 * two-sided tail is p, 0 < p <= 1.
 */
double diff_t_tail(double t, double df);
double diff_t_quantile(double p, double df);

/*
 * Benjamini and Hochberg's step-up rule at false discovery rate q over the
 * p-values p[0..n-1]: sets reject[i] and returns how many were rejected.
 */
size_t diff_bh(const double *p, size_t n, double q, bool *reject);

/* One row's counts on one side of a comparison. */
struct diff_counts {
	uint64_t k;	 /* samples in the row */
	uint64_t n;	 /* samples of the side's recordings */
	uint32_t blocks; /* blocks they were cut into: 1 each when times are unknown */
	double ksq;	 /* sum over blocks of k_b^2 */
	double kn;	 /* sum over blocks of k_b n_b */
	double nsq;	 /* sum over blocks of n_b^2 */
	uint32_t runs;	 /* recordings: 1, or several of one build */
	double rsq;	 /* sum over recordings of k_r^2 */
	double rkn;	 /* sum over recordings of k_r n_r */
	double rnsq;	 /* sum over recordings of n_r^2 */
};

/* A change, its standard error, degrees of freedom and p-value. */
struct diff_stat {
	double change, se, df, p;
};

void diff_test(const struct diff_counts *old, const struct diff_counts *new, struct diff_stat *st);

/* ---- the comparison ----------------------------------------------------- */
/* ---- the comparison ----------------------------------------------------- */

struct diff_row {
	const char *name; /* the function's name, or the stack's folded text */
	const char *dso;  /* the function's object (NEW's name for the program); NULL: a stack */
	bool kernel;
	uint64_t old_n, new_n;	     /* samples */
	double old_share, new_share; /* of all samples of each file, 0..1 */
	double change;		     /* new_share - old_share */
	double se, df;		     /* its standard error and degrees of freedom */
	double p;		     /* the p-value of no change */
	double lo, hi;		     /* its interval at the table's level */
	bool significant;	     /* at the false discovery rate DIFF_FDR */
};

struct diff_table {
	struct diff_row *rows; /* by |change| descending */
	size_t n;
	size_t significant; /* rows */
	double level;	    /* the intervals' coverage: 1 - max(significant, 1) DIFF_FDR / n */
};

/*
 * Every call path of either profile as the differential flame graph draws
 * it: the root, then per thread name, then one node per function down the
 * stacks. Children come after their parent.
 */
enum diff_path_kind { DIFF_PATH_ROOT, DIFF_PATH_COMM, DIFF_PATH_FUNC };

struct diff_path {
	uint32_t parent; /* the root is its own parent */
	uint32_t depth;	 /* the root 0, a thread name 1 */
	enum diff_path_kind kind;
	bool kernel, inlined;
	const char *name, *dso;
	uint64_t self[2];     /* samples ending here in OLD and NEW */
	struct diff_row stat; /* samples through here: old_n, new_n and their change */
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
	struct diff_path *paths;	 /* the flame graph's frames, paths[0] the root */
	size_t npaths;
	size_t paths_significant;	 /* below the root, at DIFF_FDR over them */
	double paths_level;		 /* their intervals' coverage */
	uint32_t old_blocks, new_blocks; /* blocks of each side, all its recordings (1 each: none) */
	size_t old_runs, new_runs;	 /* recordings of each side */
	char **owned;			 /* the stacks' texts */
	size_t nowned, aowned;
};

/*
 * Compares; 0, or -EINVAL for a missing profile. Profiles with a
 * sample_list (profile_read() with PROFILE_SAMPLES) get the block variance;
 * without it, only the binomial one.
 */
int diff_compute(struct diff *d, const struct profile *old, const struct profile *new);

/*
 * The same with several recordings of each build (nold, nnew >= 1; 0 or
 * -EINVAL): old[0] and new[0] name the programs and give the titles.
 */
int diff_compute_runs(struct diff *d, const struct profile *const *old, size_t nold,
		      const struct profile *const *new, size_t nnew);
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
