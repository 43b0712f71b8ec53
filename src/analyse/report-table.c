// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * report's table (see report-table.h).
 */
#include "analyse/report-table.h"
#include "util/alloc.h"

#include <stdlib.h>
#include <string.h>

/* Compared as bytes: no padding, unused fields zero (or UINT32_MAX). */
struct line_key {
	const char *comm, *dso, *file;
	uint32_t tid, func, line, loc;
};

bool report_table_has_key(const struct report_table *t, enum report_key k)
{
	for (size_t i = 0; i < t->nkeys; i++)
		if (t->keys[i] == k)
			return true;
	return false;
}

static struct line_key key_of(const struct report_table *t, const struct profile *p,
			      const struct prof_stack *st, uint32_t frame)
{
	uint32_t loc = p->frames[st->first + frame];
	const struct prof_loc *l = &p->locs[loc];
	struct line_key k = { NULL, NULL, NULL, 0, UINT32_MAX, 0, UINT32_MAX };

	if (report_table_has_key(t, REPORT_KEY_COMM) || report_table_has_key(t, REPORT_KEY_PID))
		k.comm = st->comm;
	if (report_table_has_key(t, REPORT_KEY_TID) || report_table_has_key(t, REPORT_KEY_PID))
		k.tid = st->tid;
	if (report_table_has_key(t, REPORT_KEY_SRCLINE)) {
		/* one line per file:line; a location without one is a line of its own */
		if (l->file && l->line) {
			k.file = l->file;
			k.line = l->line;
		} else {
			k.loc = loc;
		}
	}
	if (report_table_has_key(t, REPORT_KEY_DSO))
		k.dso = p->funcs[l->func].dso;
	if (report_table_has_key(t, REPORT_KEY_SYM))
		k.func = l->func;
	return k;
}

static struct report_line *line_of(struct report_table *t, const struct line_key *k)
{
	int added;
	size_t i = hash_get(&t->index, k, sizeof(*k), t->n, &added);

	if (added) {
		xgrow(&t->lines, &t->alloc, t->n + 1, sizeof(*t->lines));
		memset(&t->lines[i], 0, sizeof(t->lines[i]));
		t->lines[i].comm = k->comm;
		t->lines[i].dso = k->dso;
		t->lines[i].tid = k->tid;
		t->lines[i].func = k->func;
		t->lines[i].file = k->file;
		t->lines[i].line = k->line;
		t->lines[i].loc = k->loc;
		t->n++;
	}
	return &t->lines[i];
}

static int cmp_u32(uint32_t a, uint32_t b)
{
	return a < b ? -1 : a > b;
}

/* Equal weights: by function, thread, source line, then names, for a stable order. */
static int cmp_line_keys(const struct report_line *x, const struct report_line *y)
{
	int c = cmp_u32(x->func, y->func);

	if (!c)
		c = cmp_u32(x->tid, y->tid);
	if (!c)
		c = cmp_u32(x->loc, y->loc);
	if (!c && x->file != y->file)
		c = strcmp(x->file ? x->file : "", y->file ? y->file : "");
	if (!c)
		c = cmp_u32(x->line, y->line);
	if (!c && x->comm != y->comm)
		c = strcmp(x->comm ? x->comm : "", y->comm ? y->comm : "");
	if (!c && x->dso != y->dso)
		c = strcmp(x->dso ? x->dso : "", y->dso ? y->dso : "");
	return c;
}

static int cmp_line_children(const void *a, const void *b)
{
	const struct report_line *x = a, *y = b;

	if (x->weight != y->weight)
		return x->weight > y->weight ? -1 : 1;
	if (x->self_weight != y->self_weight)
		return x->self_weight > y->self_weight ? -1 : 1;
	return cmp_line_keys(x, y);
}

static int cmp_line_self(const void *a, const void *b)
{
	const struct report_line *x = a, *y = b;

	if (x->self_weight != y->self_weight)
		return x->self_weight > y->self_weight ? -1 : 1;
	if (x->self_samples != y->self_samples)
		return x->self_samples > y->self_samples ? -1 : 1;
	return cmp_line_keys(x, y);
}

void report_table_build(struct report_table *t, const struct profile *p,
			const enum report_key *keys, size_t nkeys, bool children)
{
	memset(t, 0, sizeof(*t));
	hash_init(&t->index);
	t->nkeys = nkeys < REPORT_KEY_MAX ? nkeys : REPORT_KEY_MAX;
	memcpy(t->keys, keys, t->nkeys * sizeof(*keys));
	t->children = children;
	for (size_t s = 0; s < p->nstacks; s++) {
		const struct prof_stack *st = &p->stacks[s];
		struct line_key k = key_of(t, p, st, 0);
		struct report_line *l = line_of(t, &k);

		l->self_samples += st->samples;
		l->self_weight += st->weight;
		if (!children)
			continue;
		for (uint32_t f = 0; f < st->depth; f++) {
			k = key_of(t, p, st, f);
			l = line_of(t, &k);
			if (l->seen == s + 1)
				continue; /* recursion: a stack counts once per line */
			l->seen = s + 1;
			l->samples += st->samples;
			l->weight += st->weight;
		}
	}
	if (!children)
		for (size_t i = 0; i < t->n; i++) {
			t->lines[i].samples = t->lines[i].self_samples;
			t->lines[i].weight = t->lines[i].self_weight;
		}
	if (t->n > 1)
		qsort(t->lines, t->n, sizeof(*t->lines),
		      children ? cmp_line_children : cmp_line_self);
}

void report_table_release(struct report_table *t)
{
	free(t->lines);
	hash_release(&t->index);
	memset(t, 0, sizeof(*t));
}

size_t report_table_stacks(const struct report_table *t, const struct profile *p,
			   const struct report_line *l, uint32_t *out)
{
	size_t n = 0;

	for (size_t s = 0; s < p->nstacks; s++) {
		if (report_table_has_key(t, REPORT_KEY_COMM) && p->stacks[s].comm != l->comm)
			continue;
		if ((report_table_has_key(t, REPORT_KEY_TID) ||
		     report_table_has_key(t, REPORT_KEY_PID)) &&
		    p->stacks[s].tid != l->tid)
			continue;
		if (report_table_has_key(t, REPORT_KEY_PID) && p->stacks[s].comm != l->comm)
			continue;
		out[n++] = (uint32_t)s;
	}
	return n;
}

uint32_t *report_hot_locs(const struct profile *p)
{
	uint64_t *w = xcalloc(p->nlocs ? p->nlocs : 1, sizeof(*w));
	uint32_t *best = xmalloc((p->nfuncs ? p->nfuncs : 1) * sizeof(*best));

	/* a caller's line is that of its hottest call */
	for (size_t s = 0; s < p->nstacks; s++)
		for (uint32_t i = 0; i < p->stacks[s].depth; i++)
			w[p->frames[p->stacks[s].first + i]] += p->stacks[s].weight;
	for (size_t f = 0; f < p->nfuncs; f++)
		best[f] = UINT32_MAX;
	for (size_t l = 0; l < p->nlocs; l++) {
		uint32_t f = p->locs[l].func;

		if (p->locs[l].file && p->locs[l].line &&
		    (best[f] == UINT32_MAX || w[l] > w[best[f]]))
			best[f] = (uint32_t)l;
	}
	free(w);
	return best;
}
