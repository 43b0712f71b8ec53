// SPDX-License-Identifier: GPL-2.0-or-later
#include "output/tree.h"
#include "util/alloc.h"
#include "util/escape.h"
#include "util/units.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define NO_PARENT UINT32_MAX

/* A trie node: one function at one position of the paths that reach it. */
struct node {
	uint32_t func;
	uint32_t parent;
	uint64_t weight;
	bool inlined;	/* every loc that reached this node was inlined */
	uint32_t child; /* its children: edges[child .. child + nchild), heaviest first */
	uint32_t nchild;
};

/* A node in the order it is printed; carries its sort keys so qsort needs no context. */
struct edge {
	uint32_t parent;
	uint32_t node;
	uint64_t weight;
	const char *name;
	uint32_t func;
};

struct tree {
	const struct profile *p;
	struct node *nodes;
	size_t nnodes, nodes_alloc;
	/* (parent, func) -> node + 1, open addressing; 0: an empty slot */
	struct child_slot {
		uint64_t key;
		uint32_t node1;
	} *children;
	size_t nchildren; /* slots, a power of two */
	struct edge *edges;

	FILE *out;
	double limit;
	uint64_t total;
	bool fractal; /* shares of the parent node, not of total */
	bool times;   /* each share with its time (weights in ns) */
	char *pre; /* the prefix of the current line: indent, then the branch columns */
	size_t pre_alloc;
};

static const char *func_name(const struct prof_func *f)
{
	return f->name ? f->name : "[unknown]";
}

static uint32_t node_add(struct tree *t, uint32_t parent, const struct prof_loc *loc)
{
	struct node *n;

	xgrow(&t->nodes, &t->nodes_alloc, t->nnodes + 1, sizeof(*t->nodes));
	n = &t->nodes[t->nnodes];
	memset(n, 0, sizeof(*n));
	n->func = loc->func;
	n->parent = parent;
	n->inlined = true;
	return (uint32_t)t->nnodes++;
}

static size_t child_hash(uint64_t key, size_t nslots)
{
	return (size_t)((key * 0x9e3779b97f4a7c15ull) >> 32) & (nslots - 1);
}

/*
 * The child of `parent` for loc's function, created when new. Every frame
 * of every stack through a report line asks: a table of its own, keyed by
 * one word.
 */
static uint32_t node_child(struct tree *t, uint32_t parent, const struct prof_loc *loc)
{
	uint64_t key = (uint64_t)parent << 32 | loc->func;
	size_t i;

	if ((t->nnodes + 1) * 2 > t->nchildren) {
		struct child_slot *old = t->children;
		size_t nold = t->nchildren;

		t->nchildren = nold ? nold * 2 : 256;
		t->children = xcalloc(t->nchildren, sizeof(*t->children));
		for (size_t k = 0; k < nold; k++) {
			if (!old[k].node1)
				continue;
			for (i = child_hash(old[k].key, t->nchildren); t->children[i].node1;
			     i = (i + 1) & (t->nchildren - 1))
				;
			t->children[i] = old[k];
		}
		free(old);
	}
	for (i = child_hash(key, t->nchildren); t->children[i].node1;
	     i = (i + 1) & (t->nchildren - 1))
		if (t->children[i].key == key)
			return t->children[i].node1 - 1;
	t->children[i].key = key;
	t->children[i].node1 = (uint32_t)t->nnodes + 1;
	return node_add(t, parent, loc);
}

static void node_count(struct node *n, const struct prof_loc *loc, uint64_t weight)
{
	n->weight += weight;
	n->inlined = n->inlined && loc->inlined;
}

/*
 * Adds the path of stack s that starts at `func` (its outermost occurrence
 * walking leafward for callers, its innermost walking outward for callees).
 */
static void tree_add_stack(struct tree *t, const struct prof_stack *s, uint32_t func,
			   enum tree_order order)
{
	const struct profile *p = t->p;
	const uint32_t *frames = p->frames + s->first;
	uint32_t start = 0, n, cur;
	int step;
	bool found = false;

	for (uint32_t i = 0; i < s->depth; i++) {
		if (p->locs[frames[i]].func != func)
			continue;
		start = i;
		found = true;
		if (order == TREE_CALLEE)
			break;
	}
	if (!found)
		return;
	if (order == TREE_CALLER) {
		n = start + 1;
		step = -1;
	} else {
		n = s->depth - start;
		step = 1;
	}
	if (n > TREE_DEPTH_MAX)
		n = TREE_DEPTH_MAX;

	if (!t->nnodes)
		node_add(t, NO_PARENT, &p->locs[frames[start]]);
	cur = 0;
	node_count(&t->nodes[cur], &p->locs[frames[start]], s->weight);
	for (uint32_t k = 1; k < n; k++) {
		const struct prof_loc *loc = &p->locs[frames[(int64_t)start + (int64_t)step * k]];

		cur = node_child(t, cur, loc);
		node_count(&t->nodes[cur], loc, s->weight);
	}
}

static int edge_cmp(const void *a, const void *b)
{
	const struct edge *x = a, *y = b;
	int c;

	if (x->parent != y->parent)
		return x->parent < y->parent ? -1 : 1;
	if (x->weight != y->weight)
		return x->weight > y->weight ? -1 : 1;
	c = strcmp(x->name, y->name);
	if (c)
		return c;
	return x->func < y->func ? -1 : x->func > y->func;
}

/* Sorts every node's children, heaviest first, into contiguous runs of edges. */
static void tree_sort(struct tree *t)
{
	size_t ne = t->nnodes - 1;

	t->edges = xcalloc(ne ? ne : 1, sizeof(*t->edges));
	for (size_t i = 0; i < ne; i++) {
		const struct node *n = &t->nodes[i + 1];

		t->edges[i] = (struct edge){ .parent = n->parent,
					     .node = (uint32_t)(i + 1),
					     .weight = n->weight,
					     .name = func_name(&t->p->funcs[n->func]),
					     .func = n->func };
	}
	qsort(t->edges, ne, sizeof(*t->edges), edge_cmp);
	for (size_t i = 0; i < ne; i++) {
		struct node *parent = &t->nodes[t->edges[i].parent];

		if (!parent->nchild++)
			parent->child = (uint32_t)i;
	}
}

/*
 * A child's share of the total, or in fractal mode, as perf's, of what its
 * parent called (`below`: the weight of all its children, not its own).
 */
static double tree_percent(const struct tree *t, uint64_t weight, uint64_t below)
{
	uint64_t of = t->fractal ? below : t->total;

	return of ? 100.0 * (double)weight / (double)of : 0.0;
}

static void print_label(struct tree *t, const struct node *n)
{
	const struct prof_func *f = &t->p->funcs[n->func];

	/* names come from binaries: escaped (util/escape.h) */
	escape_write(t->out, func_name(f));
	fprintf(t->out, "%s%s\n", f->kernel ? " [k]" : "", n->inlined ? " (inlined)" : "");
}

static void print_prefix(struct tree *t, size_t len)
{
	fwrite(t->pre, 1, len, t->out);
}

/* Sets the prefix after its first `len` bytes to c and `spaces` blanks; returns its new length. */
static size_t prefix_extend(struct tree *t, size_t len, char c, size_t spaces)
{
	xgrow(&t->pre, &t->pre_alloc, len + 1 + spaces + 1, 1);
	t->pre[len] = c;
	memset(t->pre + len + 1, ' ', spaces);
	return len + 1 + spaces;
}

/*
 * Prints what lies below node n, each line starting with the first `len`
 * bytes of t->pre. Chains are followed in a loop, so C recursion happens
 * only at branch points and is bounded by the trie's depth.
 */
static void print_below(struct tree *t, uint32_t n, size_t len)
{
	for (;;) {
		const struct node *node = &t->nodes[n];
		const struct edge *kids = t->edges + node->child;
		uint32_t nprint = 0;
		uint64_t below = 0;

		for (uint32_t k = 0; k < node->nchild; k++)
			below += kids[k].weight;
		/* children are sorted heaviest first, so the pruned ones are a tail */
		while (nprint < node->nchild && tree_percent(t, kids[nprint].weight, below) >= t->limit)
			nprint++;
		if (!nprint)
			return;
		if (nprint == 1 && kids[0].weight == node->weight) {
			print_prefix(t, len);
			print_label(t, &t->nodes[kids[0].node]);
			n = kids[0].node;
			continue;
		}
		for (uint32_t k = 0; k < nprint; k++) {
			bool last = k + 1 == nprint;
			char head[64], when[UNITS_DURATION_MAX];
			int hlen;
			size_t sub;

			print_prefix(t, len);
			fputs("|\n", t->out);
			if (t->times)
				hlen = snprintf(head, sizeof(head), "%c--%.2f%% (%s)--",
						last ? ' ' : '|',
						tree_percent(t, kids[k].weight, below),
						units_duration(when, sizeof(when), kids[k].weight));
			else
				hlen = snprintf(head, sizeof(head), "%c--%.2f%%--",
						last ? ' ' : '|',
						tree_percent(t, kids[k].weight, below));
			if (hlen < 0 || (size_t)hlen >= sizeof(head))
				hlen = (int)strlen(head);
			print_prefix(t, len);
			fputs(head, t->out);
			print_label(t, &t->nodes[kids[k].node]);
			sub = prefix_extend(t, len, last ? ' ' : '|', (size_t)hlen - 1);
			print_below(t, kids[k].node, sub);
		}
		return;
	}
}

void tree_print(FILE *out, const struct profile *p, const uint32_t *stacks, size_t nstacks,
		uint32_t func, enum tree_order order, double percent_limit, uint64_t total,
		bool fractal, bool times, const char *indent)
{
	struct tree t = { .p = p, .out = out, .limit = percent_limit, .total = total,
			  .fractal = fractal, .times = times };
	size_t ilen = strlen(indent);

	for (size_t i = 0; i < nstacks; i++)
		tree_add_stack(&t, &p->stacks[stacks[i]], func, order);
	free(t.children);
	if (!t.nnodes)
		return;
	tree_sort(&t);

	fprintf(out, "%s|\n%s---", indent, indent);
	print_label(&t, &t.nodes[0]);
	xgrow(&t.pre, &t.pre_alloc, ilen + 1, 1);
	memcpy(t.pre, indent, ilen);
	print_below(&t, 0, prefix_extend(&t, ilen, ' ', 2));

	free(t.pre);
	free(t.edges);
	free(t.nodes);
}
