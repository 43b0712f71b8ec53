/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The text call graph that `pmuprof report` prints under a line of its
 * table, in the manner of `perf report --stdio`: for one function (the
 * entry), every distinct call path through it, merged by function rather
 * than by address, heaviest branch first, each branch point labelled with
 * its share of the report's total weight:
 *
 *             |
 *             ---leaf
 *                |
 *                |--60.00%--b
 *                |          main
 *                |          _start
 *                |
 *                 --40.00%--c
 *                           main
 *
 * A node whose only printed child carries all of its weight continues on
 * the next line without a percentage (a plain chain); any other child is a
 * branch and shows its percentage, so weight that stops at a node (the
 * entry's self time in caller order, or the outermost frame in callee
 * order) or that was pruned remains visible as the gap between a node and
 * its children. Kernel functions are suffixed " [k]"; a function reached
 * only through inlined locations " (inlined)".
 *
 * Nothing is printed when no listed stack contains the entry. The graph
 * ends without a blank line: separating entries is the caller's choice.
 * Paths are cut after TREE_DEPTH_MAX functions (the entry included), which
 * bounds deep recursion. Write errors are left in `out` for the caller's
 * ferror()/fclose() check; the trie is freed before tree_print() returns.
 */
#ifndef PMUPROF_OUTPUT_TREE_H
#define PMUPROF_OUTPUT_TREE_H

#include "analyse/profile.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define TREE_DEPTH_MAX 1024

enum tree_order {
	TREE_CALLER, /* from the entry function toward what it calls (top-down below the entry) */
	TREE_CALLEE, /* from the entry function toward its callers (bottom-up: who called it) */
};

/*
 * Prints the call graph of function `func` over the stacks listed in `stacks`
 * (indexes into p->stacks; the caller has already applied filters such as --comm),
 * one branch per distinct path, merged by function (not by address: a
 * prof_loc's func), heaviest first, with each branch's share of `total`
 * (the report's total weight) as a percentage, pruning branches below
 * `percent_limit` percent. With `fractal` (perf's -g fractal), each
 * branch's share, and the pruning, is of what its parent node called
 * instead (the sum of the parent's children: not its own weight). With
 * `times` (the weights are nanoseconds: report's time views) each
 * percentage is followed by the branch's time, "--27.71% (60.0 ms)--".
 * Each line begins with `indent`.
 *
 * TREE_CALLER paths start at the outermost occurrence of `func` in a stack
 * and go toward the leaf, so recursion shows as func -> ... -> func below
 * the entry; TREE_CALLEE paths start at the innermost occurrence and go
 * toward the outermost caller. Siblings of equal weight are ordered by name
 * (then by function id), so the output is deterministic.
 */
void tree_print(FILE *out, const struct profile *p, const uint32_t *stacks, size_t nstacks,
		uint32_t func, enum tree_order order, double percent_limit, uint64_t total,
		bool fractal, bool times, const char *indent);

#endif
