// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Two profiles compared: per-function self and total shares, per-stack
 * shares, and the 95% interval of each change (see diff.h for the model).
 */
#include "analyse/diff.h"
#include "util/alloc.h"
#include "util/hash.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- intervals ---------------------------------------------------------- */

void diff_wilson(uint64_t k, uint64_t n, double *lo, double *hi)
{
	double p, z2 = DIFF_Z * DIFF_Z, denom, centre, half;

	if (!n) {
		*lo = 0;
		*hi = 1;
		return;
	}
	p = (double)k / (double)n;
	denom = 1 + z2 / (double)n;
	centre = (p + z2 / (2 * (double)n)) / denom;
	half = DIFF_Z / denom * sqrt(p * (1 - p) / (double)n + z2 / (4 * (double)n * (double)n));
	*lo = centre - half;
	*hi = centre + half;
	/* exact in theory at the ends; rounding must not leave [0, 1] */
	if (k == 0 || *lo < 0)
		*lo = 0;
	if (k >= n || *hi > 1)
		*hi = 1;
}

static double share(uint64_t k, uint64_t n)
{
	return n ? (double)k / (double)n : 0;
}

void diff_interval(uint64_t k1, uint64_t n1, uint64_t k2, uint64_t n2, double *lo, double *hi)
{
	double p1 = share(k1, n1), p2 = share(k2, n2), l1, u1, l2, u2, d = p2 - p1;

	diff_wilson(k1, n1, &l1, &u1);
	diff_wilson(k2, n2, &l2, &u2);
	/* the change is lowest when p2 is at its lower bound and p1 at its upper one */
	*lo = d - sqrt((p2 - l2) * (p2 - l2) + (u1 - p1) * (u1 - p1));
	*hi = d + sqrt((u2 - p2) * (u2 - p2) + (p1 - l1) * (p1 - l1));
}

void diff_interval_wald(uint64_t k1, uint64_t n1, uint64_t k2, uint64_t n2, double *lo, double *hi)
{
	double p1 = share(k1, n1), p2 = share(k2, n2), v = 0;

	if (n1)
		v += p1 * (1 - p1) / (double)n1;
	if (n2)
		v += p2 * (1 - p2) / (double)n2;
	*lo = p2 - p1 - DIFF_Z * sqrt(v);
	*hi = p2 - p1 + DIFF_Z * sqrt(v);
}

/* ---- names -------------------------------------------------------------- */

const char *diff_program(const struct profile *p)
{
	const char *t = p->title, *end, *base;
	size_t len;

	if (!t)
		return NULL;
	while (*t == ' ')
		t++;
	end = t + strcspn(t, " ");
	for (base = end; base > t && base[-1] != '/'; base--)
		;
	len = (size_t)(end - base);
	if (!len)
		return NULL;
	for (size_t i = 0; i < p->nfuncs; i++) {
		const char *dso = p->funcs[i].dso;

		if (dso && strlen(dso) == len && !memcmp(dso, base, len))
			return dso;
	}
	return NULL;
}

struct buf {
	char *s;
	size_t len, alloc;
};

static void buf_put(struct buf *b, const char *s, size_t n)
{
	xgrow(&b->s, &b->alloc, b->len + n + 1, 1);
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

char *diff_fold(const struct profile *p, const struct prof_stack *s, const char *comm)
{
	char *buf = NULL;
	size_t alloc = 0;

	profile_fold_stack(p, s, comm, &buf, &alloc);
	return buf;
}

/* ---- the comparison ----------------------------------------------------- */

/* One function or stack of either profile, with its counts in each. */
struct item {
	const char *name, *dso;
	bool kernel;
	uint64_t self[2], total[2];
	uint64_t stamp; /* the last stack counted in total[], so that recursion counts once */
};

struct items {
	struct item *v;
	size_t n, alloc;
	struct hash index;
	struct buf key;
};

static size_t item_of(struct items *t, const char *name, const char *dso, bool kernel)
{
	size_t i;
	int added = 0;

	/* the kernel flag is part of the key: a user and a kernel function may share a name */
	t->key.len = 0;
	buf_put(&t->key, kernel ? "k" : "u", 1);
	buf_put(&t->key, name, strlen(name) + 1);
	if (dso)
		buf_put(&t->key, dso, strlen(dso));
	i = hash_get(&t->index, t->key.s, t->key.len, t->n, &added);
	if (added) {
		xgrow(&t->v, &t->alloc, t->n + 1, sizeof(*t->v));
		memset(&t->v[i], 0, sizeof(t->v[i]));
		t->v[i].name = name;
		t->v[i].dso = dso;
		t->v[i].kernel = kernel;
		t->n++;
	}
	return i;
}

static const char *dso_alias(const struct diff *d, const char *dso)
{
	if (d->old_prog && dso && !strcmp(dso, d->old_prog))
		return d->new_prog;
	return dso;
}

static const char *comm_alias(const struct diff *d, const char *comm)
{
	if (!comm || !*comm)
		return "[unknown]";
	if (d->old_comm[0] && !strcmp(comm, d->old_comm))
		return d->new_comm;
	return comm;
}

static void count_profile(struct diff *d, int side, const struct profile *p, struct items *funcs,
			  struct items *stacks, uint64_t *stamp)
{
	size_t *map = xmalloc((p->nfuncs ? p->nfuncs : 1) * sizeof(*map));

	for (size_t i = 0; i < p->nfuncs; i++) {
		const struct prof_func *f = &p->funcs[i];

		map[i] = item_of(funcs, f->name && *f->name ? f->name : "[unknown]",
				 dso_alias(d, f->dso ? f->dso : "[unknown]"), f->kernel);
	}
	for (size_t i = 0; i < p->nstacks; i++) {
		const struct prof_stack *s = &p->stacks[i];
		char *text;
		size_t si;
		int added = 0;

		if (!s->samples)
			continue;
		++*stamp;
		funcs->v[map[p->locs[p->frames[s->first]].func]].self[side] += s->samples;
		for (uint32_t j = 0; j < s->depth; j++) {
			struct item *it = &funcs->v[map[p->locs[p->frames[s->first + j]].func]];

			if (it->stamp == *stamp)
				continue;
			it->stamp = *stamp;
			it->total[side] += s->samples;
		}
		text = diff_fold(p, s, comm_alias(d, s->comm));
		si = hash_get(&stacks->index, text, strlen(text), stacks->n, &added);
		if (added) {
			xgrow(&stacks->v, &stacks->alloc, stacks->n + 1, sizeof(*stacks->v));
			memset(&stacks->v[si], 0, sizeof(stacks->v[si]));
			stacks->v[si].name = text;
			xgrow(&d->owned, &d->aowned, d->nowned + 1, sizeof(*d->owned));
			d->owned[d->nowned++] = text;
			stacks->n++;
		} else {
			free(text);
		}
		stacks->v[si].self[side] += s->samples;
	}
	free(map);
}

static void fill_row(struct diff_row *r, const struct item *it, const uint64_t k[2], uint64_t n1,
		     uint64_t n2)
{
	r->name = it->name;
	r->dso = it->dso;
	r->kernel = it->kernel;
	r->old_n = k[0];
	r->new_n = k[1];
	r->old_share = share(k[0], n1);
	r->new_share = share(k[1], n2);
	r->change = r->new_share - r->old_share;
	diff_interval(k[0], n1, k[1], n2, &r->lo, &r->hi);
	r->significant = r->lo > 0 || r->hi < 0;
}

static int cmp_row(const void *a, const void *b)
{
	const struct diff_row *x = a, *y = b;
	double ax = fabs(x->change), ay = fabs(y->change);
	int c;

	/* 0.6 - 0.2 and 0.4 - 0 are one change: rounding must not order them */
	if (fabs(ax - ay) > 1e-12)
		return ax > ay ? -1 : 1;
	if (x->old_n + x->new_n != y->old_n + y->new_n)
		return x->old_n + x->new_n > y->old_n + y->new_n ? -1 : 1;
	c = strcmp(x->name, y->name);
	if (c || !x->dso || !y->dso)
		return c;
	return strcmp(x->dso, y->dso);
}

static void make_table(struct diff_table *t, const struct items *items, bool self, uint64_t n1,
		       uint64_t n2)
{
	t->rows = xcalloc(items->n ? items->n : 1, sizeof(*t->rows));
	t->n = 0;
	for (size_t i = 0; i < items->n; i++) {
		const struct item *it = &items->v[i];
		const uint64_t *k = self ? it->self : it->total;

		/* a function that was only ever a caller has no self row */
		if (!k[0] && !k[1])
			continue;
		fill_row(&t->rows[t->n++], it, k, n1, n2);
	}
	if (t->n > 1)
		qsort(t->rows, t->n, sizeof(*t->rows), cmp_row);
}

int diff_compute(struct diff *d, const struct profile *old, const struct profile *new)
{
	struct items funcs = {0}, stacks = {0};
	uint64_t stamp = 0;

	memset(d, 0, sizeof(*d));
	if (!old || !new)
		return -EINVAL;
	d->old = old;
	d->new = new;
	d->old_samples = old->samples;
	d->new_samples = new->samples;
	d->old_prog = diff_program(old);
	d->new_prog = diff_program(new);
	if (!d->old_prog || !d->new_prog || !strcmp(d->old_prog, d->new_prog)) {
		d->old_prog = d->new_prog = NULL;
	} else {
		/* the kernel keeps the first 15 bytes of a program's name as its threads' */
		snprintf(d->old_comm, sizeof(d->old_comm), "%s", d->old_prog);
		snprintf(d->new_comm, sizeof(d->new_comm), "%s", d->new_prog);
		if (!strcmp(d->old_comm, d->new_comm))
			d->old_comm[0] = d->new_comm[0] = '\0';
	}
	hash_init(&funcs.index);
	hash_init(&stacks.index);
	count_profile(d, 0, old, &funcs, &stacks, &stamp);
	count_profile(d, 1, new, &funcs, &stacks, &stamp);
	make_table(&d->self, &funcs, true, d->old_samples, d->new_samples);
	make_table(&d->total, &funcs, false, d->old_samples, d->new_samples);
	make_table(&d->stacks, &stacks, true, d->old_samples, d->new_samples);
	hash_release(&funcs.index);
	hash_release(&stacks.index);
	free(funcs.v);
	free(funcs.key.s);
	free(stacks.v);
	free(stacks.key.s);
	return 0;
}

void diff_release(struct diff *d)
{
	free(d->self.rows);
	free(d->total.rows);
	free(d->stacks.rows);
	for (size_t i = 0; i < d->nowned; i++)
		free(d->owned[i]);
	free(d->owned);
	memset(d, 0, sizeof(*d));
}
