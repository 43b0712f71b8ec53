// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The report's call graphs on hand-built profiles, compared line for line:
 * chains, branch points, recursion in both orders, pruning, filtered and
 * unrelated stacks, kernel and inlined labels, and the depth cap.
 */
#include "output/tree.h"
#include "tap.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Functions, and one loc per function with the same id. */
enum { LEAF, B, C, D, MAIN, START, F, G, OTHER, KFN, HELPER, ALPHA, BETA, NFUNCS };
/* Extra locs. */
enum { HELPER_INLINED = NFUNCS, NLOCS, END = UINT32_MAX };

static struct prof_func funcs[NFUNCS] = {
	[LEAF] = { .name = "leaf" },	 [B] = { .name = "b" },
	[C] = { .name = "c" },		 [D] = { .name = "d" },
	[MAIN] = { .name = "main" },	 [START] = { .name = "_start" },
	[F] = { .name = "f" },		 [G] = { .name = "g" },
	[OTHER] = { .name = "other" },	 [KFN] = { .name = "do_syscall_64", .kernel = true },
	[HELPER] = { .name = "helper" }, [ALPHA] = { .name = "alpha" },
	[BETA] = { .name = "beta" },
};

static struct prof_loc locs[NLOCS];
static struct prof_stack stacks[8];
static uint32_t frames[4096];
static uint32_t all[ARRAY_SIZE(stacks)] = { 0, 1, 2, 3, 4, 5, 6, 7 };
static struct profile prof = { .funcs = funcs, .nfuncs = NFUNCS, .locs = locs, .nlocs = NLOCS,
			       .stacks = stacks, .frames = frames };

static void reset(void)
{
	prof.nstacks = 0;
	prof.nframes = 0;
	prof.weight = 0;
}

/* Adds a stack of loc ids, leaf first, ending with END. */
static void add_stack(uint64_t weight, const uint32_t *ids)
{
	struct prof_stack *s = &stacks[prof.nstacks++];

	s->first = (uint32_t)prof.nframes;
	s->depth = 0;
	s->samples = 1;
	s->weight = weight;
	while (ids[s->depth] != END)
		frames[prof.nframes++] = ids[s->depth++];
	prof.weight += weight;
}

#define STACK(weight, ...) add_stack((weight), (const uint32_t[]){ __VA_ARGS__, END })

static bool fractal; /* perf's -g fractal: shares of the parent */

static char *graph_of(const uint32_t *list, size_t n, uint32_t func, enum tree_order order,
		      double limit, const char *indent)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	tree_print(f, &prof, list, n, func, order, limit, prof.weight, fractal, false, indent);
	fclose(f);
	return buf;
}

static void check(uint32_t func, enum tree_order order, double limit, const char *indent,
		  const char *want, const char *what)
{
	char *got = graph_of(all, prof.nstacks, func, order, limit, indent);

	is_str(got, want, what);
	free(got);
}

static void test_chain(void)
{
	reset();
	STACK(100, LEAF, B, MAIN, START);
	check(LEAF, TREE_CALLEE, 0, "",
	      "|\n"
	      "---leaf\n"
	      "   b\n"
	      "   main\n"
	      "   _start\n",
	      "a single chain, callee order");
	check(MAIN, TREE_CALLER, 0, "  ",
	      "  |\n"
	      "  ---main\n"
	      "     b\n"
	      "     leaf\n",
	      "a single chain, caller order, indented");
	check(LEAF, TREE_CALLER, 0, "",
	      "|\n"
	      "---leaf\n",
	      "the leaf calls nothing");
}

static void test_branch(void)
{
	reset();
	STACK(60, LEAF, B, MAIN, START);
	STACK(40, LEAF, C, MAIN);
	check(LEAF, TREE_CALLEE, 0, "            ",
	      "            |\n"
	      "            ---leaf\n"
	      "               |\n"
	      "               |--60.00%--b\n"
	      "               |          main\n"
	      "               |          _start\n"
	      "               |\n"
	      "                --40.00%--c\n"
	      "                          main\n",
	      "a branch 60/40");

	/* main's callers end at main in one stack: the gap shows as a percentage */
	check(MAIN, TREE_CALLEE, 0, "",
	      "|\n"
	      "---main\n"
	      "   |\n"
	      "    --60.00%--_start\n",
	      "weight stopping at a node shows its child's percentage");

	/* a branch below a branch */
	reset();
	STACK(30, LEAF, B, MAIN);
	STACK(30, LEAF, B, OTHER);
	STACK(40, LEAF, C, MAIN);
	check(LEAF, TREE_CALLEE, 0, "",
	      "|\n"
	      "---leaf\n"
	      "   |\n"
	      "   |--60.00%--b\n"
	      "   |          |\n"
	      "   |          |--30.00%--main\n"
	      "   |          |\n"
	      "   |           --30.00%--other\n"
	      "   |\n"
	      "    --40.00%--c\n"
	      "              main\n",
	      "nested branches; equal weights ordered by name");
	check(MAIN, TREE_CALLER, 0, "",
	      "|\n"
	      "---main\n"
	      "   |\n"
	      "   |--40.00%--c\n"
	      "   |          leaf\n"
	      "   |\n"
	      "    --30.00%--b\n"
	      "              leaf\n",
	      "caller order merges by function");

	reset();
	STACK(50, LEAF, BETA);
	STACK(50, LEAF, ALPHA);
	check(LEAF, TREE_CALLEE, 0, "",
	      "|\n"
	      "---leaf\n"
	      "   |\n"
	      "   |--50.00%--alpha\n"
	      "   |\n"
	      "    --50.00%--beta\n",
	      "ties by name, not by input order");
}

static void test_recursion(void)
{
	reset();
	STACK(30, F, F, F, MAIN);
	STACK(70, G, F, F, F, MAIN);
	check(F, TREE_CALLER, 0, "",
	      "|\n"
	      "---f\n"
	      "   f\n"
	      "   f\n"
	      "   |\n"
	      "    --70.00%--g\n",
	      "recursion, caller order: from the outermost f");
	check(F, TREE_CALLEE, 0, "",
	      "|\n"
	      "---f\n"
	      "   f\n"
	      "   f\n"
	      "   main\n",
	      "recursion, callee order: from the innermost f");
	check(G, TREE_CALLEE, 0, "",
	      "|\n"
	      "---g\n"
	      "   f\n"
	      "   f\n"
	      "   f\n"
	      "   main\n",
	      "recursion below the entry");
}

static void test_prune(void)
{
	reset();
	STACK(55, LEAF, B, MAIN);
	STACK(5, LEAF, B, OTHER);
	STACK(35, LEAF, C, MAIN);
	STACK(5, LEAF, D, MAIN);
	check(LEAF, TREE_CALLEE, 10, "",
	      "|\n"
	      "---leaf\n"
	      "   |\n"
	      "   |--60.00%--b\n"
	      "   |          |\n"
	      "   |           --55.00%--main\n"
	      "   |\n"
	      "    --35.00%--c\n"
	      "              main\n",
	      "branches under the limit are dropped, subtrees and all");
	check(LEAF, TREE_CALLEE, 5, "",
	      "|\n"
	      "---leaf\n"
	      "   |\n"
	      "   |--60.00%--b\n"
	      "   |          |\n"
	      "   |          |--55.00%--main\n"
	      "   |          |\n"
	      "   |           --5.00%--other\n"
	      "   |\n"
	      "   |--35.00%--c\n"
	      "   |          main\n"
	      "   |\n"
	      "    --5.00%--d\n"
	      "             main\n",
	      "a branch at the limit is kept");
	check(LEAF, TREE_CALLEE, 70, "",
	      "|\n"
	      "---leaf\n",
	      "everything pruned leaves the entry");
}

static void test_ignored(void)
{
	uint32_t some[] = { 0, 2 };
	char *s;

	reset();
	STACK(60, LEAF, B, MAIN);
	STACK(900, G, OTHER, MAIN);
	STACK(40, LEAF, C, MAIN);
	check(LEAF, TREE_CALLEE, 0, "",
	      "|\n"
	      "---leaf\n"
	      "   |\n"
	      "   |--6.00%--b\n"
	      "   |         main\n"
	      "   |\n"
	      "    --4.00%--c\n"
	      "             main\n",
	      "stacks without the entry add nothing but the total");

	s = graph_of(some + 1, 1, LEAF, TREE_CALLEE, 0, "");
	is_str(s,
	       "|\n"
	       "---leaf\n"
	       "   c\n"
	       "   main\n",
	       "only the listed stacks count");
	free(s);
	s = graph_of(some, 2, OTHER, TREE_CALLEE, 0, "");
	is_str(s, "", "no listed stack holds the entry: nothing");
	free(s);
	s = graph_of(NULL, 0, LEAF, TREE_CALLEE, 0, "");
	is_str(s, "", "an empty list prints nothing");
	free(s);
}

static void test_labels(void)
{
	reset();
	STACK(100, KFN, HELPER_INLINED, B, MAIN);
	check(KFN, TREE_CALLEE, 0, "",
	      "|\n"
	      "---do_syscall_64 [k]\n"
	      "   helper (inlined)\n"
	      "   b\n"
	      "   main\n",
	      "kernel and inlined labels");
	check(HELPER, TREE_CALLER, 0, "",
	      "|\n"
	      "---helper (inlined)\n"
	      "   do_syscall_64 [k]\n",
	      "an inlined entry");

	reset();
	STACK(50, LEAF, HELPER_INLINED, MAIN);
	STACK(50, LEAF, HELPER, MAIN);
	check(LEAF, TREE_CALLEE, 0, "",
	      "|\n"
	      "---leaf\n"
	      "   helper\n"
	      "   main\n",
	      "a function inlined on some paths only is merged and not marked");
}

static void test_depth(void)
{
	static uint32_t deep[2001];
	char *s;
	size_t lines = 0;

	reset();
	for (size_t i = 0; i < 2000; i++)
		deep[i] = F;
	deep[2000] = END;
	add_stack(1, deep);
	s = graph_of(all, 1, F, TREE_CALLER, 0, "");
	for (const char *c = s; *c; c++)
		lines += *c == '\n';
	is_int(lines, 1 + TREE_DEPTH_MAX, "deep recursion is cut at the depth cap");
	free(s);
}

static void test_fractal(void)
{
	reset();
	STACK(30, LEAF, B, MAIN);
	STACK(10, C, B, MAIN);
	STACK(60, C, MAIN);
	fractal = true;
	check(MAIN, TREE_CALLER, 0, "",
	      "|\n"
	      "---main\n"
	      "   |\n"
	      "   |--60.00%--c\n"
	      "   |\n"
	      "    --40.00%--b\n"
	      "              |\n"
	      "              |--75.00%--leaf\n"
	      "              |\n"
	      "               --25.00%--c\n",
	      "fractal: b's branches are shares of b (30 and 10 of 40)");
	check(MAIN, TREE_CALLER, 30, "",
	      "|\n"
	      "---main\n"
	      "   |\n"
	      "   |--60.00%--c\n"
	      "   |\n"
	      "    --40.00%--b\n"
	      "              |\n"
	      "               --75.00%--leaf\n",
	      "fractal: the limit is of the parent too (c's 10 of b's 40 is pruned, leaf's 30 is not)");
	fractal = false;
	check(MAIN, TREE_CALLER, 0, "",
	      "|\n"
	      "---main\n"
	      "   |\n"
	      "   |--60.00%--c\n"
	      "   |\n"
	      "    --40.00%--b\n"
	      "              |\n"
	      "              |--30.00%--leaf\n"
	      "              |\n"
	      "               --10.00%--c\n",
	      "graph: shares of the total");
	STACK(20, B, MAIN);
	fractal = true;
	check(B, TREE_CALLER, 0, "",
	      "|\n"
	      "---b\n"
	      "   |\n"
	      "   |--75.00%--leaf\n"
	      "   |\n"
	      "    --25.00%--c\n",
	      "fractal: shares of what b called (40), not of b (60), as perf's");
	fractal = false;
}

int main(void)
{
	for (uint32_t i = 0; i < NFUNCS; i++)
		locs[i] = (struct prof_loc){ .func = i, .addr = 0x1000 + 0x10 * i };
	locs[HELPER_INLINED] = (struct prof_loc){ .func = HELPER, .addr = 0x1000, .inlined = true };

	test_chain();
	test_branch();
	test_recursion();
	test_prune();
	test_ignored();
	test_labels();
	test_depth();
	test_fractal();
	return done_testing();
}
