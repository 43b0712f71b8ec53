// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Two profiles compared: per-function self and total shares, per-stack
 * shares, each change with its p-value and interval, and the rows significant
 * at a false discovery rate over each table (see diff.h for the model).
 */
#include "analyse/diff.h"
#include "util/alloc.h"
#include "util/hash.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- statistics ------------------------------------------------------- */

/*
 * The regularized incomplete beta function I_x(a, b), by its continued
 * fraction (modified Lentz), on the side where the fraction converges fast.
 */
static double beta_fraction(double x, double a, double b)
{
	const double tiny = 1e-300;
	double c = 1, d = 1 - (a + b) * x / (a + 1), h;

	if (fabs(d) < tiny)
		d = tiny;
	d = 1 / d;
	h = d;
	for (int m = 1; m <= 1000; m++) {
		double num = m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m)), delta;

		d = 1 + num * d;
		c = 1 + num / c;
		d = 1 / (fabs(d) < tiny ? tiny : d);
		c = fabs(c) < tiny ? tiny : c;
		h *= d * c;
		num = -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1));
		d = 1 + num * d;
		c = 1 + num / c;
		d = 1 / (fabs(d) < tiny ? tiny : d);
		c = fabs(c) < tiny ? tiny : c;
		delta = d * c;
		h *= delta;
		if (fabs(delta - 1) < 1e-15)
			break;
	}
	return h;
}

static double incomplete_beta(double x, double a, double b)
{
	double front;

	if (x <= 0)
		return 0;
	if (x >= 1)
		return 1;
	front = exp(lgamma(a + b) - lgamma(a) - lgamma(b) + a * log(x) + b * log1p(-x));
	if (x < (a + 1) / (a + b + 2))
		return front * beta_fraction(x, a, b) / a;
	return 1 - front * beta_fraction(1 - x, b, a) / b;
}

double diff_t_tail(double t, double df)
{
	t = fabs(t);
	if (isnan(t))
		return 1;
	if (isinf(df))
		return erfc(t / M_SQRT2);
	return incomplete_beta(df / (df + t * t), df / 2, 0.5);
}

double diff_t_quantile(double p, double df)
{
	double lo = 0, hi = 1;

	if (p >= 1)
		return 0;
	/* the tail falls as t grows: bracket, then halve */
	while (diff_t_tail(hi, df) > p && hi < 1e12)
		hi *= 2;
	for (int i = 0; i < 200 && hi - lo > 1e-12 * hi; i++) {
		double mid = (lo + hi) / 2;

		if (diff_t_tail(mid, df) > p)
			lo = mid;
		else
			hi = mid;
	}
	return (lo + hi) / 2;
}

struct rank {
	double p;
	size_t i;
};

static int cmp_rank(const void *a, const void *b)
{
	const struct rank *x = a, *y = b;

	if (x->p != y->p)
		return x->p < y->p ? -1 : 1;
	return x->i < y->i ? -1 : x->i > y->i;
}

size_t diff_bh(const double *p, size_t n, double q, bool *reject)
{
	struct rank *r = xmalloc((n ? n : 1) * sizeof(*r));
	size_t k = 0;

	for (size_t i = 0; i < n; i++) {
		r[i] = (struct rank){p[i], i};
		reject[i] = false;
	}
	qsort(r, n, sizeof(*r), cmp_rank);
	/* step up: the largest rank whose p-value is within its share of q */
	for (size_t i = n; i-- > 0;)
		if (r[i].p <= q * (double)(i + 1) / (double)n) {
			k = i + 1;
			break;
		}
	for (size_t i = 0; i < k; i++)
		reject[r[i].i] = true;
	free(r);
	return k;
}

static double share(uint64_t k, uint64_t n)
{
	return n ? (double)k / (double)n : 0;
}

/*
 * The variance of a share k/n from units (blocks or recordings) of k_u of
 * n_u samples: the ratio estimator's, sum_u (k_u - p n_u)^2 / n^2 times
 * U / (U - 1). 0 with one unit.
 */
static double cluster_variance(uint64_t k, uint64_t n, uint32_t units, double ksq, double kn,
			       double nsq)
{
	double p = share(k, n), ss;

	if (units < 2 || !n)
		return 0;
	ss = ksq - 2 * p * kn + p * p * nsq;
	if (ss < 0) /* rounding */
		ss = 0;
	return ss / ((double)n * (double)n) * units / (units - 1);
}

/* One side's variance, the larger of its blocks' and its recordings', and its degrees. */
static double side_variance(const struct diff_counts *c, uint32_t *df)
{
	double vb = cluster_variance(c->k, c->n, c->blocks, c->ksq, c->kn, c->nsq);
	double vr = cluster_variance(c->k, c->n, c->runs, c->rsq, c->rkn, c->rnsq);

	if (vr > vb) {
		*df = c->runs - 1;
		return vr;
	}
	*df = c->blocks > 1 ? c->blocks - 1 : 0;
	return vb;
}

void diff_test(const struct diff_counts *old, const struct diff_counts *new, struct diff_stat *st)
{
	double v1, v2, vb, pooled, vbin;
	uint32_t df1, df2;

	st->change = share(new->k, new->n) - share(old->k, old->n);
	st->df = INFINITY;
	if (!old->n || !new->n) {
		/* nothing to compare with: any change is possible */
		st->se = INFINITY;
		st->p = 1;
		return;
	}
	v1 = side_variance(old, &df1);
	v2 = side_variance(new, &df2);
	vb = v1 + v2;
	pooled = (double)(old->k + new->k) / (double)(old->n + new->n);
	vbin = pooled * (1 - pooled) * (1 / (double)old->n + 1 / (double)new->n);
	if (vb > vbin) {
		double den = 0;

		/* Welch and Satterthwaite: each side's variance from its own degrees */
		if (df1)
			den += v1 * v1 / df1;
		if (df2)
			den += v2 * v2 / df2;
		st->se = sqrt(vb);
		/* whole degrees, rounded down: the quantiles are then few, and a little wider */
		st->df = den > 0 ? floor(vb * vb / den) : INFINITY;
		if (st->df < 1)
			st->df = 1;
	} else {
		st->se = sqrt(vbin);
	}
	if (st->se > 0)
		st->p = diff_t_tail(st->change / st->se, st->df);
	else
		st->p = st->change == 0 ? 1 : 0;
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

/*
 * A row's samples on one side as they are counted, block by block in time
 * order: the block being counted (blk, cur samples so far) and the sums
 * over the finished ones.
 */
struct acc {
	uint64_t k;
	uint32_t blk;
	uint64_t cur;
	double ksq, kn;
	uint64_t krun; /* in the recording being counted */
	double rsq, rkn;
};

/* One side's blocks: those of each of its recordings, one after the other. */
struct side_blocks {
	uint64_t n;	 /* samples */
	uint32_t blocks; /* 1 a recording when the samples' times are unknown */
	uint64_t *size;	 /* samples per block */
	double nsq;	 /* sum of size^2 */
	uint32_t runs;	 /* recordings */
	double rnsq;	 /* sum of their samples^2 */
};

static void acc_flush(struct acc *a, const struct side_blocks *sb)
{
	if (!a->cur)
		return;
	a->ksq += (double)a->cur * a->cur;
	a->kn += (double)a->cur * (double)sb->size[a->blk];
	a->cur = 0;
}

static void acc_add(struct acc *a, uint32_t blk, uint64_t c, const struct side_blocks *sb)
{
	if (a->cur && a->blk != blk)
		acc_flush(a, sb);
	a->blk = blk;
	a->cur += c;
	a->k += c;
	a->krun += c;
}

/* The end of a recording of n samples: its last block, and its count as a whole. */
static void acc_end_run(struct acc *a, const struct side_blocks *sb, uint64_t n)
{
	acc_flush(a, sb);
	a->rsq += (double)a->krun * (double)a->krun;
	a->rkn += (double)a->krun * (double)n;
	a->krun = 0;
}

/* One function or stack of either profile, with its counts in each. */
struct item {
	const char *name, *dso;
	bool kernel;
	struct acc self[2], total[2];
	uint64_t stamp; /* the last stack counted in total[], so that recursion counts once */
};

struct items {
	struct item *v;
	size_t n, alloc;
	struct hash index;
	struct buf key;
};

/* What one sample of a stack counts in: a function's self or total, a stack, a path. */
enum touch_kind { T_SELF, T_TOTAL, T_STACK, T_PATH };

struct touch {
	uint32_t kind, idx;
};

struct counting {
	struct diff *d;
	struct items funcs, stacks;
	struct hash path_index;
	struct buf path_key;
	size_t apaths;
	struct acc (*path_acc)[2];
	size_t apath_acc;
	struct touch *touch; /* per stack of the side being read: touch[start[i]..start[i+1]) */
	size_t ntouch, atouch;
	size_t *start;
	uint64_t stamp;
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

static uint32_t path_of(struct counting *c, uint32_t parent, enum diff_path_kind kind, bool kernel,
			bool inlined, const char *name, const char *dso)
{
	struct diff *d = c->d;
	uint32_t head[4] = {parent, kind, kernel, inlined};
	size_t i;
	int added = 0;

	c->path_key.len = 0;
	buf_put(&c->path_key, (const char *)head, sizeof(head));
	buf_put(&c->path_key, name, strlen(name) + 1);
	if (dso)
		buf_put(&c->path_key, dso, strlen(dso));
	i = hash_get(&c->path_index, c->path_key.s, c->path_key.len, d->npaths, &added);
	if (added) {
		struct diff_path *n;

		xgrow(&d->paths, &c->apaths, d->npaths + 1, sizeof(*d->paths));
		xgrow(&c->path_acc, &c->apath_acc, d->npaths + 1, sizeof(*c->path_acc));
		memset(c->path_acc[i], 0, sizeof(c->path_acc[i]));
		n = &d->paths[d->npaths++];
		memset(n, 0, sizeof(*n));
		n->parent = parent;
		n->depth = kind == DIFF_PATH_ROOT ? 0 : d->paths[parent].depth + 1;
		n->kind = kind;
		n->kernel = kernel;
		n->inlined = inlined;
		n->name = name;
		n->dso = dso;
	}
	return (uint32_t)i;
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

static void touch_add(struct counting *c, enum touch_kind kind, size_t idx)
{
	xgrow(&c->touch, &c->atouch, c->ntouch + 1, sizeof(*c->touch));
	c->touch[c->ntouch++] = (struct touch){kind, (uint32_t)idx};
}

/* The rows every stack of p counts in, into c->touch and c->start. */
static void map_profile(struct counting *c, int side, const struct profile *p)
{
	struct diff *d = c->d;
	size_t *map = xmalloc((p->nfuncs ? p->nfuncs : 1) * sizeof(*map));

	for (size_t i = 0; i < p->nfuncs; i++) {
		const struct prof_func *f = &p->funcs[i];

		map[i] = item_of(&c->funcs, f->name && *f->name ? f->name : "[unknown]",
				 dso_alias(d, f->dso ? f->dso : "[unknown]"), f->kernel);
	}
	c->ntouch = 0;
	c->start = xmalloc((p->nstacks + 1) * sizeof(*c->start));
	for (size_t i = 0; i < p->nstacks; i++) {
		const struct prof_stack *s = &p->stacks[i];
		const char *comm = comm_alias(d, s->comm);
		char *text;
		size_t si;
		uint32_t node;
		int added = 0;

		c->start[i] = c->ntouch;
		if (!s->samples)
			continue;
		++c->stamp;
		touch_add(c, T_SELF, map[p->locs[p->frames[s->first]].func]);
		for (uint32_t j = 0; j < s->depth; j++) {
			size_t fi = map[p->locs[p->frames[s->first + j]].func];

			if (c->funcs.v[fi].stamp == c->stamp)
				continue;
			c->funcs.v[fi].stamp = c->stamp;
			touch_add(c, T_TOTAL, fi);
		}
		text = diff_fold(p, s, comm);
		si = hash_get(&c->stacks.index, text, strlen(text), c->stacks.n, &added);
		if (added) {
			xgrow(&c->stacks.v, &c->stacks.alloc, c->stacks.n + 1,
			      sizeof(*c->stacks.v));
			memset(&c->stacks.v[si], 0, sizeof(c->stacks.v[si]));
			c->stacks.v[si].name = text;
			xgrow(&d->owned, &d->aowned, d->nowned + 1, sizeof(*d->owned));
			d->owned[d->nowned++] = text;
			c->stacks.n++;
		} else {
			free(text);
		}
		touch_add(c, T_STACK, si);
		/* the flame graph's frames: every path from the root to this stack's leaf */
		touch_add(c, T_PATH, 0);
		node = path_of(c, 0, DIFF_PATH_COMM, false, false, comm, NULL);
		touch_add(c, T_PATH, node);
		for (uint32_t j = s->depth; j-- > 0;) {
			const struct prof_loc *l = &p->locs[p->frames[s->first + j]];
			const struct prof_func *f = &p->funcs[l->func];

			node = path_of(c, node, DIFF_PATH_FUNC, f->kernel, l->inlined,
				       f->name && *f->name ? f->name : "[unknown]",
				       dso_alias(d, f->dso ? f->dso : "[unknown]"));
			touch_add(c, T_PATH, node);
		}
		d->paths[node].self[side] += s->samples;
	}
	c->start[p->nstacks] = c->ntouch;
	free(map);
}

static struct acc *touched(struct counting *c, const struct touch *t, int side)
{
	switch (t->kind) {
	case T_SELF:
		return &c->funcs.v[t->idx].self[side];
	case T_TOTAL:
		return &c->funcs.v[t->idx].total[side];
	case T_STACK:
		return &c->stacks.v[t->idx].self[side];
	default:
		return &c->path_acc[t->idx][side];
	}
}

/* How many blocks a recording of n samples is cut into. */
static uint32_t blocks_for(const struct profile *p)
{
	bool timed = p->sample_list && p->nsample_list == p->samples;
	uint64_t b = p->samples / DIFF_BLOCK_MIN_SAMPLES;

	if (!timed || b < 2)
		return 1;
	return b < DIFF_BLOCKS ? (uint32_t)b : DIFF_BLOCKS;
}

/*
 * Cuts each recording's samples, in time order, into blocks of equal count
 * (the first ones one larger when the count does not divide), or into one
 * block when their times are unknown or too few; a side's blocks are those
 * of its recordings, one after the other.
 */
static void blocks_init(struct side_blocks *sb, const struct profile *const *p, size_t np)
{
	memset(sb, 0, sizeof(*sb));
	sb->runs = (uint32_t)np;
	for (size_t r = 0; r < np; r++)
		sb->blocks += blocks_for(p[r]);
	sb->size = xcalloc(sb->blocks, sizeof(*sb->size));
	for (size_t r = 0, first = 0; r < np; r++) {
		uint32_t nb = blocks_for(p[r]);
		uint64_t n = p[r]->samples;

		for (uint32_t b = 0; b < nb; b++) {
			sb->size[first + b] = n / nb + (b < n % nb);
			sb->nsq += (double)sb->size[first + b] * (double)sb->size[first + b];
		}
		first += nb;
		sb->n += n;
		sb->rnsq += (double)n * (double)n;
	}
}

/* The block, counted from first, of the j-th sample of a recording of n samples in nb blocks. */
static uint32_t block_of(uint64_t n, uint32_t nb, uint64_t j)
{
	uint64_t q = n / nb, r = n % nb;

	/* the first r blocks hold q + 1 samples, the others q */
	if (j < r * (q + 1))
		return (uint32_t)(j / (q + 1));
	return (uint32_t)(r + (j - r * (q + 1)) / q);
}

/* The samples of one recording p, whose blocks start at first. */
static void count_samples(struct counting *c, int side, const struct profile *p,
			  const struct side_blocks *sb, uint32_t first)
{
	uint32_t nb = blocks_for(p);

	if (nb > 1) {
		for (size_t j = 0; j < p->nsample_list; j++) {
			uint32_t s = p->sample_list[j].stack;
			uint32_t b = first + block_of(p->samples, nb, j);

			for (size_t t = c->start[s]; t < c->start[s + 1]; t++)
				acc_add(touched(c, &c->touch[t], side), b, 1, sb);
		}
	} else {
		for (size_t s = 0; s < p->nstacks; s++)
			for (size_t t = c->start[s]; t < c->start[s + 1]; t++)
				acc_add(touched(c, &c->touch[t], side), first,
					p->stacks[s].samples, sb);
	}
	for (size_t i = 0; i < c->funcs.n; i++) {
		acc_end_run(&c->funcs.v[i].self[side], sb, p->samples);
		acc_end_run(&c->funcs.v[i].total[side], sb, p->samples);
	}
	for (size_t i = 0; i < c->stacks.n; i++)
		acc_end_run(&c->stacks.v[i].self[side], sb, p->samples);
	for (size_t i = 0; i < c->d->npaths; i++)
		acc_end_run(&c->path_acc[i][side], sb, p->samples);
}

static void fill_row(struct diff_row *r, const struct acc a[2], const struct side_blocks sb[2])
{
	struct diff_counts k[2];
	struct diff_stat st;

	for (int i = 0; i < 2; i++)
		k[i] = (struct diff_counts){.k = a[i].k,
					    .n = sb[i].n,
					    .blocks = sb[i].blocks,
					    .ksq = a[i].ksq,
					    .kn = a[i].kn,
					    .nsq = sb[i].nsq,
					    .runs = sb[i].runs,
					    .rsq = a[i].rsq,
					    .rkn = a[i].rkn,
					    .rnsq = sb[i].rnsq};
	diff_test(&k[0], &k[1], &st);
	r->old_n = a[0].k;
	r->new_n = a[1].k;
	r->old_share = share(a[0].k, sb[0].n);
	r->new_share = share(a[1].k, sb[1].n);
	r->change = st.change;
	r->se = st.se;
	r->df = st.df;
	r->p = st.p;
}

/*
 * Significance at DIFF_FDR over the rows, and each row's interval at the
 * level that matches it (Benjamini and Yekutieli's false coverage rate):
 * the interval excludes 0 exactly for the rows found significant.
 */
static void judge(struct diff_row **rows, size_t n, size_t *nsig, double *level)
{
	double *p = xmalloc((n ? n : 1) * sizeof(*p));
	bool *reject = xmalloc((n ? n : 1) * sizeof(*reject));
	double alpha, cache[2 * DIFF_BLOCKS + 1], normal;
	size_t r;

	for (size_t i = 0; i < n; i++)
		p[i] = rows[i]->p;
	r = diff_bh(p, n, DIFF_FDR, reject);
	alpha = n ? DIFF_FDR * (double)(r ? r : 1) / (double)n : DIFF_FDR;
	*nsig = r;
	*level = 1 - alpha;
	normal = diff_t_quantile(alpha, INFINITY);
	for (size_t i = 0; i < ARRAY_SIZE(cache); i++)
		cache[i] = -1;
	for (size_t i = 0; i < n; i++) {
		struct diff_row *row = rows[i];
		double q, lo_end = 0.0 - row->old_share, hi_end = 1 - row->old_share;

		row->significant = reject[i];
		if (isinf(row->df)) {
			q = normal;
		} else if (row->df < (double)ARRAY_SIZE(cache)) {
			size_t k = (size_t)row->df;

			if (cache[k] < 0)
				cache[k] = diff_t_quantile(alpha, row->df);
			q = cache[k];
		} else {
			q = diff_t_quantile(alpha, row->df);
		}
		/* the new share is in [0, 1] whatever the noise */
		row->lo = isinf(row->se) ? lo_end : fmax(row->change - q * row->se, lo_end);
		row->hi = isinf(row->se) ? hi_end : fmin(row->change + q * row->se, hi_end);
	}
	free(p);
	free(reject);
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

static void make_table(struct diff_table *t, const struct items *items, bool self,
		       const struct side_blocks sb[2])
{
	struct diff_row **v;

	t->rows = xcalloc(items->n ? items->n : 1, sizeof(*t->rows));
	t->n = 0;
	for (size_t i = 0; i < items->n; i++) {
		const struct item *it = &items->v[i];
		const struct acc *a = self ? it->self : it->total;
		struct diff_row *r;

		/* a function that was only ever a caller has no self row */
		if (!a[0].k && !a[1].k)
			continue;
		r = &t->rows[t->n++];
		r->name = it->name;
		r->dso = it->dso;
		r->kernel = it->kernel;
		fill_row(r, a, sb);
	}
	v = xmalloc((t->n ? t->n : 1) * sizeof(*v));
	for (size_t i = 0; i < t->n; i++)
		v[i] = &t->rows[i];
	judge(v, t->n, &t->significant, &t->level);
	free(v);
	if (t->n > 1)
		qsort(t->rows, t->n, sizeof(*t->rows), cmp_row);
}

static void make_paths(struct diff *d, struct counting *c, const struct side_blocks sb[2])
{
	struct diff_row **v = xmalloc((d->npaths ? d->npaths : 1) * sizeof(*v));

	for (size_t i = 0; i < d->npaths; i++) {
		struct diff_path *n = &d->paths[i];

		n->stat.name = n->name;
		n->stat.dso = n->dso;
		n->stat.kernel = n->kernel;
		fill_row(&n->stat, c->path_acc[i], sb);
		if (i)
			v[i - 1] = &n->stat;
	}
	/* the root holds every sample: it is not a question */
	judge(v, d->npaths ? d->npaths - 1 : 0, &d->paths_significant, &d->paths_level);
	if (d->npaths) {
		d->paths[0].stat.lo = d->paths[0].stat.hi = 0;
		d->paths[0].stat.significant = false;
	}
	free(v);
}

int diff_compute_runs(struct diff *d, const struct profile *const *old, size_t nold,
		      const struct profile *const *new, size_t nnew)
{
	struct counting c = {.d = d};
	struct side_blocks sb[2];
	const struct profile *const *p[2] = {old, new};
	const size_t np[2] = {nold, nnew};

	memset(d, 0, sizeof(*d));
	if (!old || !new || !nold || !nnew)
		return -EINVAL;
	for (int side = 0; side < 2; side++)
		for (size_t r = 0; r < np[side]; r++)
			if (!p[side][r])
				return -EINVAL;
	d->old = old[0];
	d->new = new[0];
	d->old_runs = nold;
	d->new_runs = nnew;
	d->old_prog = diff_program(old[0]);
	d->new_prog = diff_program(new[0]);
	if (!d->old_prog || !d->new_prog || !strcmp(d->old_prog, d->new_prog)) {
		d->old_prog = d->new_prog = NULL;
	} else {
		/* the kernel keeps the first 15 bytes of a program's name as its threads' */
		snprintf(d->old_comm, sizeof(d->old_comm), "%s", d->old_prog);
		snprintf(d->new_comm, sizeof(d->new_comm), "%s", d->new_prog);
		if (!strcmp(d->old_comm, d->new_comm))
			d->old_comm[0] = d->new_comm[0] = '\0';
	}
	hash_init(&c.funcs.index);
	hash_init(&c.stacks.index);
	hash_init(&c.path_index);
	path_of(&c, 0, DIFF_PATH_ROOT, false, false, "all", NULL);
	/* touch lists hold indices: the rows may grow while the next profile is mapped */
	for (int side = 0; side < 2; side++) {
		uint32_t first = 0;

		blocks_init(&sb[side], p[side], np[side]);
		for (size_t r = 0; r < np[side]; r++) {
			map_profile(&c, side, p[side][r]);
			count_samples(&c, side, p[side][r], &sb[side], first);
			first += blocks_for(p[side][r]);
			free(c.start);
			c.start = NULL;
		}
	}
	d->old_samples = sb[0].n;
	d->new_samples = sb[1].n;
	d->old_blocks = sb[0].blocks;
	d->new_blocks = sb[1].blocks;
	make_table(&d->self, &c.funcs, true, sb);
	make_table(&d->total, &c.funcs, false, sb);
	make_table(&d->stacks, &c.stacks, true, sb);
	make_paths(d, &c, sb);
	hash_release(&c.funcs.index);
	hash_release(&c.stacks.index);
	hash_release(&c.path_index);
	free(c.funcs.v);
	free(c.funcs.key.s);
	free(c.stacks.v);
	free(c.stacks.key.s);
	free(c.path_key.s);
	free(c.path_acc);
	free(c.touch);
	free(sb[0].size);
	free(sb[1].size);
	return 0;
}

int diff_compute(struct diff *d, const struct profile *old, const struct profile *new)
{
	return diff_compute_runs(d, &old, 1, &new, 1);
}

void diff_release(struct diff *d)
{
	free(d->self.rows);
	free(d->total.rows);
	free(d->stacks.rows);
	free(d->paths);
	for (size_t i = 0; i < d->nowned; i++)
		free(d->owned[i]);
	free(d->owned);
	memset(d, 0, sizeof(*d));
}
