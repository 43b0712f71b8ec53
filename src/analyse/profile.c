// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Building a profile (see profile.h): samples are deduplicated as raw
 * stacks (object and address per frame) while the file is read; only then
 * is each distinct address symbolized, once, and the raw stacks become
 * stacks of locations.
 */
#include "analyse/profile.h"
#include "resolve/elf.h"
#include "resolve/maps.h"
#include "resolve/symbolize.h"
#include "resolve/unwind.h"
#include "store/format.h"
#include "util/alloc.h"
#include "util/hash.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* KIND_MARKER's addr: which marker frame */
enum { KIND_KERNEL, KIND_UNKNOWN, KIND_MARKER, KIND_DSO };
enum { MARK_BLOCKED, MARK_RUNNABLE, MARK_NO_STACK };

static const char *const marker_names[] = { "[off-cpu: blocked]", "[off-cpu: runnable]",
					    "[no stack]" };

struct raw_frame {
	uint32_t kind; /* KIND_KERNEL, KIND_UNKNOWN, KIND_MARKER, or KIND_DSO + dso id */
	uint32_t map;  /* index into the builder's maps, or PROF_NO_MAP */
	uint64_t addr; /* in the object; a kernel or unmapped address; the marker */
	uint64_t ip;   /* in the process (as addr for kernel frames, 0 for markers) */
};

/* A mapping of user frames, by value: the same object at the same range is one. */
struct build_map {
	struct dso *dso;
	uint64_t start, end, pgoff;
};

#define MAP_CACHE 16

struct raw_head {
	uint32_t pid, tid, comm, n;
	uint8_t has_user, end, fail, kind; /* kind: enum prof_kind */
	uint32_t fail_kind; /* of the object where unwinding failed */
	/* struct raw_frame frames[n] */
};

struct raw_stack {
	size_t off; /* of its raw_head in the arena */
	uint64_t samples, weight;
	uint64_t first; /* the order of its first sample (profile_builder_order()) */
};

struct profile_builder {
	struct hash index;
	struct raw_stack *stacks;
	size_t nstacks, astacks;
	uint8_t *arena;
	size_t narena, aarena;
	uint8_t *scratch;
	size_t ascratch;
	char **comms;
	size_t ncomms, acomms;
	struct hash comm_index;
	size_t last_comm; /* the latest sample's, in comms (samples come in runs of one thread) */
	struct dso **dsos; /* by id */
	size_t adsos;
	struct build_map *maps;
	size_t nmaps, amaps;
	struct hash map_index;
	/* the maps' index by the session's struct map (a stack's frames are in a few) */
	struct map_slot {
		const struct map *m;
		uint32_t id;
	} map_cache[MAP_CACHE];
	uint64_t time_min, time_max;
	uint64_t kernel_only;
	bool has_kernel;
	/*
	 * For the copy size that cut stacks needed: how high each thread's
	 * stack reaches (seen in its samples that unwound to their root), and
	 * where each cut sample's stack pointer was.
	 */
	struct hash thread_index;
	size_t last_thread; /* the latest sample's, in tops */
	struct thread_top {
		uint32_t pid, tid;
		uint32_t comm; /* the name in its key */
		uint64_t top;  /* 0: unknown */
	} *tops;
	size_t ntops, atops;
	struct cut {
		size_t stack, thread;
		uint64_t sp, copied;
	} *cuts;
	size_t ncuts, acuts;
	bool keep_samples;
	struct prof_sample *samples; /* with keep_samples, in the order they came */
	size_t nsamples, asamples;
	uint64_t order; /* of the sample added next */
};

struct profile_builder *profile_builder_new(void)
{
	struct profile_builder *b = xcalloc(1, sizeof(*b));

	hash_init(&b->index);
	hash_init(&b->comm_index);
	hash_init(&b->thread_index);
	hash_init(&b->map_index);
	b->time_min = UINT64_MAX;
	return b;
}

void profile_builder_free(struct profile_builder *b)
{
	if (!b)
		return;
	hash_release(&b->index);
	hash_release(&b->comm_index);
	hash_release(&b->thread_index);
	hash_release(&b->map_index);
	free(b->maps);
	free(b->tops);
	free(b->cuts);
	free(b->stacks);
	free(b->arena);
	free(b->scratch);
	for (size_t i = 0; i < b->ncomms; i++)
		free(b->comms[i]);
	free(b->comms);
	free(b->dsos);
	free(b->samples);
	free(b);
}

void profile_builder_keep_samples(struct profile_builder *b)
{
	b->keep_samples = true;
}

bool profile_builder_keeps_samples(const struct profile_builder *b)
{
	return b->keep_samples;
}

static uint32_t kind_of(struct profile_builder *b, struct dso *d)
{
	if (!d)
		return KIND_UNKNOWN;
	if (d->id >= b->adsos) {
		size_t old = b->adsos;

		xgrow(&b->dsos, &b->adsos, d->id + 1, sizeof(*b->dsos));
		memset(b->dsos + old, 0, (b->adsos - old) * sizeof(*b->dsos));
	}
	b->dsos[d->id] = d;
	return KIND_DSO + d->id;
}

static uint32_t intern_map(struct profile_builder *b, const struct build_map *bm)
{
	uint64_t key[4] = { bm->dso->id, bm->start, bm->end, bm->pgoff };
	int added;
	size_t i = hash_get(&b->map_index, key, sizeof(key), b->nmaps, &added);

	if (added) {
		xgrow(&b->maps, &b->amaps, b->nmaps + 1, sizeof(*b->maps));
		b->maps[b->nmaps++] = *bm;
	}
	return (uint32_t)i;
}

static uint32_t map_of(struct profile_builder *b, const struct map *m)
{
	struct map_slot *slot;

	if (!m || !m->dso)
		return PROF_NO_MAP;
	slot = &b->map_cache[((uintptr_t)m / sizeof(*m)) % MAP_CACHE];
	if (slot->m != m) {
		struct build_map bm = { m->dso, m->start, m->end, m->pgoff };

		slot->m = m;
		slot->id = intern_map(b, &bm);
	}
	return slot->id;
}

/*
 * A thread's stack top from a stack that unwound to its root; a cut stack's
 * stack pointer. An exec keeps the thread but puts its stack elsewhere: the
 * name it gives the thread tells the two apart (most of the time).
 */
/*
 * The index of the stack h (size bytes) in b, added with no samples and
 * first as its first sample's order when b has not got it.
 */
static size_t intern_stack(struct profile_builder *b, const struct raw_head *h, size_t size,
			   uint64_t first)
{
	int added;
	size_t i = hash_get(&b->index, h, size, b->nstacks, &added);

	if (added) {
		xgrow(&b->stacks, &b->astacks, b->nstacks + 1, sizeof(*b->stacks));
		b->stacks[i].off = b->narena;
		b->stacks[i].samples = b->stacks[i].weight = 0;
		b->stacks[i].first = first;
		xgrow(&b->arena, &b->aarena, b->narena + size, 1);
		memcpy(b->arena + b->narena, h, size);
		b->narena += size;
		b->nstacks++;
	}
	return i;
}

static void note_extent(struct profile_builder *b, uint32_t pid, uint32_t tid, uint32_t comm,
			size_t stack, const struct unwind_result *res)
{
	uint32_t key[3] = { pid, tid, comm };
	int added = 0;
	size_t t = b->last_thread;

	if (t >= b->ntops || b->tops[t].pid != pid || b->tops[t].tid != tid ||
	    b->tops[t].comm != comm)
		t = b->last_thread = hash_get(&b->thread_index, key, sizeof(key), b->ntops, &added);
	if (added) {
		xgrow(&b->tops, &b->atops, b->ntops + 1, sizeof(*b->tops));
		b->tops[t] = (struct thread_top){ .pid = pid, .tid = tid, .comm = comm };
		b->ntops++;
	}
	if (res->end == UNWIND_ROOT) {
		if (res->extent && res->sp + res->extent > b->tops[t].top)
			b->tops[t].top = res->sp + res->extent;
		return;
	}
	xgrow(&b->cuts, &b->acuts, b->ncuts + 1, sizeof(*b->cuts));
	b->cuts[b->ncuts++] = (struct cut){ stack, t, res->sp, res->extent };
}

void profile_builder_add(struct profile_builder *b, uint32_t pid, uint32_t tid, const char *comm,
			 const uint64_t *kernel, size_t nkernel, const struct unwind_frame *user,
			 size_t nuser, const struct unwind_result *res, uint64_t weight,
			 uint64_t time)
{
	profile_builder_add_kind(b, SAMPLE_KIND_CPU, false, pid, tid, comm, kernel, nkernel, user,
				 nuser, res, weight, time);
}

void profile_builder_add_kind(struct profile_builder *b, unsigned kind, bool no_stack,
			      uint32_t pid, uint32_t tid, const char *comm, const uint64_t *kernel,
			      size_t nkernel, const struct unwind_frame *user, size_t nuser,
			      const struct unwind_result *res, uint64_t weight, uint64_t time)
{
	uint32_t pkind = kind == SAMPLE_KIND_BLOCKED	? PROF_KIND_BLOCKED
			 : kind == SAMPLE_KIND_RUNNABLE ? PROF_KIND_RUNNABLE
							: PROF_KIND_CPU;
	size_t nmark = pkind == PROF_KIND_CPU ? 0 : no_stack ? 2 : 1;
	size_t n, size;
	struct raw_head *h;
	struct raw_frame *f;
	size_t i;
	int added;

	if (no_stack)
		nkernel = nuser = 0;
	n = nmark + nkernel + nuser;
	size = sizeof(struct raw_head) + n * sizeof(struct raw_frame);
	if (!n)
		return;
	xgrow(&b->scratch, &b->ascratch, size, 1);
	memset(b->scratch, 0, size);
	h = (struct raw_head *)b->scratch;
	f = (struct raw_frame *)(h + 1);
	h->pid = pid;
	h->tid = tid;
	if (b->last_comm < b->ncomms && !strcmp(comm, b->comms[b->last_comm])) {
		i = b->last_comm;
	} else {
		i = b->last_comm = hash_get(&b->comm_index, comm, strlen(comm), b->ncomms, &added);
		if (added) {
			xgrow(&b->comms, &b->acomms, b->ncomms + 1, sizeof(*b->comms));
			b->comms[b->ncomms++] = xstrdup(comm);
		}
	}
	h->comm = (uint32_t)i;
	h->n = (uint32_t)n;
	h->kind = (uint8_t)pkind;
	if (res && !no_stack) {
		h->has_user = 1;
		h->end = res->end;
		h->fail = res->fail;
		h->fail_kind = kind_of(b, res->fail_dso);
	}
	b->has_kernel |= nkernel > 0;
	for (i = 0; i < n; i++)
		f[i].map = PROF_NO_MAP;
	if (nmark) {
		f[0].kind = KIND_MARKER;
		f[0].addr = pkind == PROF_KIND_BLOCKED ? MARK_BLOCKED : MARK_RUNNABLE;
		if (nmark > 1) {
			f[1].kind = KIND_MARKER;
			f[1].addr = MARK_NO_STACK;
		}
		f += nmark;
	}
	for (i = 0; i < nkernel; i++) {
		f[i].kind = KIND_KERNEL;
		f[i].addr = f[i].ip = kernel[i];
	}
	for (i = 0; i < nuser; i++) {
		f[nkernel + i].kind = kind_of(b, user[i].dso);
		f[nkernel + i].addr = user[i].addr;
		f[nkernel + i].ip = user[i].ip;
		if (user[i].dso)
			f[nkernel + i].map = map_of(b, user[i].map);
	}
	i = intern_stack(b, h, size, b->order);
	b->stacks[i].samples++;
	b->stacks[i].weight += weight;
	if (b->keep_samples) {
		xgrow(&b->samples, &b->asamples, b->nsamples + 1, sizeof(*b->samples));
		b->samples[b->nsamples++] =
		    (struct prof_sample){.time = time, .weight = weight, .stack = (uint32_t)i};
	}
	if (!res || no_stack) {
		/* an off-CPU interval's missing user stack is said by its source, not here */
		if (pkind == PROF_KIND_CPU)
			b->kernel_only++;
	} else if (res->end == UNWIND_ROOT || res->end == UNWIND_TRUNCATED)
		note_extent(b, pid, tid, h->comm, i, res);
	if (time < b->time_min)
		b->time_min = time;
	/* an off-CPU interval starts at its time and lasts its weight */
	if (pkind != PROF_KIND_CPU && time + weight > time)
		time += weight;
	if (time > b->time_max)
		b->time_max = time;
}

bool profile_builder_has_kernel(const struct profile_builder *b)
{
	return b->has_kernel;
}

void profile_builder_order(struct profile_builder *b, uint64_t order)
{
	b->order = order;
}

/* ---- merging the builders of several threads ------------------------------ */

static uint32_t merge_comm(struct profile_builder *b, const char *comm)
{
	int added;
	size_t i = hash_get(&b->comm_index, comm, strlen(comm), b->ncomms, &added);

	if (added) {
		xgrow(&b->comms, &b->acomms, b->ncomms + 1, sizeof(*b->comms));
		b->comms[b->ncomms++] = xstrdup(comm);
	}
	return (uint32_t)i;
}

/* Adds the stacks, threads, cuts and samples of `from` to b; to[i] gets where stack i went. */
static void merge_one(struct profile_builder *b, const struct profile_builder *from, size_t *to)
{
	uint32_t *comm = xcalloc(from->ncomms ? from->ncomms : 1, sizeof(*comm));
	size_t *thread = xcalloc(from->ntops ? from->ntops : 1, sizeof(*thread));
	uint32_t *map = xcalloc(from->nmaps ? from->nmaps : 1, sizeof(*map));

	for (size_t i = 0; i < from->ncomms; i++)
		comm[i] = merge_comm(b, from->comms[i]);
	for (size_t i = 0; i < from->nmaps; i++)
		map[i] = intern_map(b, &from->maps[i]);
	for (size_t i = 0; i < from->adsos; i++)
		if (from->dsos[i])
			kind_of(b, from->dsos[i]);
	for (size_t i = 0; i < from->nstacks; i++) {
		const struct raw_stack *rs = &from->stacks[i];
		const struct raw_head *h = (const struct raw_head *)(from->arena + rs->off);
		size_t size = sizeof(*h) + h->n * sizeof(struct raw_frame);
		struct raw_head *copy;
		size_t k;

		xgrow(&b->scratch, &b->ascratch, size, 1);
		memcpy(b->scratch, h, size);
		copy = (struct raw_head *)b->scratch;
		copy->comm = comm[h->comm];
		for (uint32_t j = 0; j < copy->n; j++) {
			struct raw_frame *f = (struct raw_frame *)(copy + 1) + j;

			if (f->map != PROF_NO_MAP)
				f->map = map[f->map];
		}
		k = intern_stack(b, copy, size, rs->first);
		if (rs->first < b->stacks[k].first)
			b->stacks[k].first = rs->first;
		b->stacks[k].samples += rs->samples;
		b->stacks[k].weight += rs->weight;
		to[i] = k;
	}
	for (size_t i = 0; i < from->ntops; i++) {
		const struct thread_top *t = &from->tops[i];
		uint32_t key[3] = { t->pid, t->tid, comm[t->comm] };
		int added;
		size_t k = hash_get(&b->thread_index, key, sizeof(key), b->ntops, &added);

		if (added) {
			xgrow(&b->tops, &b->atops, b->ntops + 1, sizeof(*b->tops));
			b->tops[k] = (struct thread_top){ .pid = t->pid, .tid = t->tid, .comm = key[2] };
			b->ntops++;
		}
		if (t->top > b->tops[k].top)
			b->tops[k].top = t->top;
		thread[i] = k;
	}
	for (size_t i = 0; i < from->ncuts; i++) {
		struct cut c = from->cuts[i];

		c.stack = to[c.stack];
		c.thread = thread[c.thread];
		xgrow(&b->cuts, &b->acuts, b->ncuts + 1, sizeof(*b->cuts));
		b->cuts[b->ncuts++] = c;
	}
	for (size_t i = 0; i < from->nsamples; i++) {
		struct prof_sample sm = from->samples[i];

		sm.stack = (uint32_t)to[sm.stack];
		xgrow(&b->samples, &b->asamples, b->nsamples + 1, sizeof(*b->samples));
		b->samples[b->nsamples++] = sm;
	}
	if (from->time_min < b->time_min)
		b->time_min = from->time_min;
	if (from->time_max > b->time_max)
		b->time_max = from->time_max;
	b->kernel_only += from->kernel_only;
	b->has_kernel |= from->has_kernel;
	free(comm);
	free(thread);
	free(map);
}

struct by_first {
	uint64_t first;
	size_t stack;
};

static int cmp_first(const void *a, const void *b)
{
	const struct by_first *x = a, *y = b;

	if (x->first != y->first)
		return x->first < y->first ? -1 : 1;
	return x->stack < y->stack ? -1 : x->stack > y->stack;
}

struct profile_builder *profile_builder_merge(struct profile_builder *const *parts, size_t n)
{
	struct profile_builder *b = profile_builder_new();
	size_t *to, *rank;
	struct by_first *perm;
	struct raw_stack *sorted;

	for (size_t p = 0; p < n; p++) {
		b->keep_samples |= parts[p]->keep_samples;
		to = xcalloc(parts[p]->nstacks ? parts[p]->nstacks : 1, sizeof(*to));
		merge_one(b, parts[p], to);
		free(to);
	}
	/* in the order of their first samples, as one builder fed in file order has them */
	perm = xcalloc(b->nstacks ? b->nstacks : 1, sizeof(*perm));
	rank = xcalloc(b->nstacks ? b->nstacks : 1, sizeof(*rank));
	sorted = xcalloc(b->nstacks ? b->nstacks : 1, sizeof(*sorted));
	for (size_t i = 0; i < b->nstacks; i++)
		perm[i] = (struct by_first){ b->stacks[i].first, i };
	if (b->nstacks > 1)
		qsort(perm, b->nstacks, sizeof(*perm), cmp_first);
	hash_release(&b->index);
	hash_init(&b->index);
	for (size_t i = 0; i < b->nstacks; i++) {
		const struct raw_stack *rs = &b->stacks[perm[i].stack];
		const struct raw_head *h = (const struct raw_head *)(b->arena + rs->off);
		int added;

		sorted[i] = *rs;
		rank[perm[i].stack] = i;
		hash_get(&b->index, h, sizeof(*h) + h->n * sizeof(struct raw_frame), i, &added);
	}
	free(b->stacks);
	b->stacks = sorted;
	b->astacks = b->nstacks ? b->nstacks : 1;
	for (size_t i = 0; i < b->ncuts; i++)
		b->cuts[i].stack = rank[b->cuts[i].stack];
	for (size_t i = 0; i < b->nsamples; i++)
		b->samples[i].stack = (uint32_t)rank[b->samples[i].stack];
	free(perm);
	free(rank);
	return b;
}

/* ---- finishing ------------------------------------------------------------ */

struct finisher {
	struct profile *p;
	struct profile_builder *b;
	struct symbolizer *sym;
	struct hash strings, funcs, locs, addrs;
	size_t afuncs, alocs, aframes, aframe_at;
	/* per distinct address: its locs, innermost first */
	struct addr_locs {
		uint32_t first, n;
	} *addr_locs;
	size_t naddrs, aaddrs;
	uint32_t *loclist;
	size_t nloclist, aloclist;
};

static const char *own(struct finisher *fin, const char *s)
{
	struct profile *p = fin->p;
	int added;
	size_t i;

	if (!s)
		return NULL;
	i = hash_get(&fin->strings, s, strlen(s), p->nstrings, &added);
	if (added) {
		xgrow(&p->strings, &p->astrings, p->nstrings + 1, sizeof(*p->strings));
		p->strings[p->nstrings++] = xstrdup(s);
	}
	return p->strings[i];
}

/* Overloads share a short name: their full signatures (alt) keep them apart. */
static uint32_t func_id(struct finisher *fin, const char *name, const char *alt, const char *dso,
			const char *path, uint64_t start, bool kernel)
{
	struct profile *p = fin->p;
	struct {
		const char *name, *alt, *dso;
	} key;
	int added;
	size_t i;

	key.name = own(fin, name);
	key.alt = own(fin, alt);
	key.dso = own(fin, dso);
	i = hash_get(&fin->funcs, &key, sizeof(key), p->nfuncs, &added);
	if (added) {
		xgrow(&p->funcs, &fin->afuncs, p->nfuncs + 1, sizeof(*p->funcs));
		memset(&p->funcs[i], 0, sizeof(p->funcs[i]));
		p->funcs[i].name = key.name;
		p->funcs[i].alt = key.alt;
		p->funcs[i].dso = key.dso;
		p->funcs[i].path = own(fin, path);
		p->funcs[i].start = start;
		p->funcs[i].kernel = kernel;
		p->nfuncs++;
	}
	return (uint32_t)i;
}

static uint32_t loc_id(struct finisher *fin, uint32_t func, uint64_t addr, const char *file,
		       unsigned line, bool inlined)
{
	struct profile *p = fin->p;
	struct {
		uint64_t addr;
		const char *file;
		uint32_t func, line, inlined, pad;
	} key;
	int added;
	size_t i;

	memset(&key, 0, sizeof(key));
	key.addr = addr;
	key.file = own(fin, file);
	key.func = func;
	key.line = line;
	key.inlined = inlined;
	i = hash_get(&fin->locs, &key, sizeof(key), p->nlocs, &added);
	if (added) {
		xgrow(&p->locs, &fin->alocs, p->nlocs + 1, sizeof(*p->locs));
		p->locs[i].func = func;
		p->locs[i].line = line;
		p->locs[i].file = key.file;
		p->locs[i].addr = addr;
		p->locs[i].inlined = inlined;
		p->nlocs++;
		if (key.file && !p->funcs[func].file && !inlined)
			p->funcs[func].file = key.file;
	}
	return (uint32_t)i;
}

static void push_loc(struct finisher *fin, uint32_t loc)
{
	xgrow(&fin->loclist, &fin->aloclist, fin->nloclist + 1, sizeof(*fin->loclist));
	fin->loclist[fin->nloclist++] = loc;
}

/* The locs of one distinct address, symbolized now. */
static void symbolize_addr(struct finisher *fin, const struct raw_frame *f, struct addr_locs *al)
{
	struct sym_frame sf[SYM_MAX_INLINE];
	struct dso *d;
	size_t n;

	al->first = (uint32_t)fin->nloclist;
	if (f->kind == KIND_MARKER) {
		uint32_t fn = func_id(fin, marker_names[f->addr], NULL, "[off-cpu]", NULL, 0, false);

		push_loc(fin, loc_id(fin, fn, 0, NULL, 0, false));
		al->n = 1;
		return;
	}
	if (f->kind == KIND_KERNEL) {
		uint64_t start;
		const char *name = symbolize_kernel(fin->sym, f->addr, &start);
		uint32_t fn = func_id(fin, name, NULL, "[kernel.kallsyms]", NULL, start, true);

		push_loc(fin, loc_id(fin, fn, f->addr, NULL, 0, false));
		al->n = 1;
		return;
	}
	d = f->kind >= KIND_DSO ? fin->b->dsos[f->kind - KIND_DSO] : NULL;
	n = symbolize_user(fin->sym, d, f->addr, sf, SYM_MAX_INLINE);
	for (size_t i = 0; i < n; i++) {
		uint32_t fn = func_id(fin, sf[i].func, sf[i].alt, d ? d->name : "[unknown]",
				      d && d->path[0] == '/' ? d->path : NULL, sf[i].start, false);

		push_loc(fin, loc_id(fin, fn, f->addr, sf[i].file, sf[i].line, sf[i].inlined));
	}
	al->n = (uint32_t)n;
}

static uint32_t addr_index(struct finisher *fin, const struct raw_frame *f)
{
	/* one symbolization per address in an object, whatever the process */
	struct {
		uint32_t kind, pad;
		uint64_t addr;
	} key = { f->kind, 0, f->addr };
	int added;
	size_t i = hash_get(&fin->addrs, &key, sizeof(key), fin->naddrs, &added);

	if (added) {
		xgrow(&fin->addr_locs, &fin->aaddrs, fin->naddrs + 1, sizeof(*fin->addr_locs));
		fin->naddrs++;
		symbolize_addr(fin, f, &fin->addr_locs[i]);
	}
	return (uint32_t)i;
}

static bool is_root_name(const char *name)
{
	static const char *const roots[] = {
		"_start", "main", "start_thread", "clone", "clone3", "__libc_start_main",
		"__libc_start_call_main", "__clone", "__clone3", "_dl_start_user",
	};

	for (size_t i = 0; i < ARRAY_SIZE(roots); i++)
		if (!strcmp(name, roots[i]))
			return true;
	return false;
}

static int cmp_failure(const void *a, const void *b)
{
	const struct prof_failure *x = a, *y = b;

	if (x->samples != y->samples)
		return x->samples > y->samples ? -1 : 1;
	return strcmp(x->dso, y->dso);
}

/* the default stack limit of a process (ulimit -s) and of a thread */
#define PROF_STACK_MAX (8u << 20)

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * How much stack copy the cut stacks needed: a cut sample needs the bytes
 * from its stack pointer up to its thread's stack top, where one of the
 * thread's stacks that unwound whole ended. `truncated` says which raw
 * stacks were counted as cut.
 */
static void measure_cuts(struct profile_builder *b, const bool *truncated, struct prof_quality *q)
{
	uint64_t *need = xcalloc(b->ncuts ? b->ncuts : 1, sizeof(*need));
	size_t n = 0;

	for (size_t i = 0; i < b->ncuts; i++) {
		const struct cut *c = &b->cuts[i];
		uint64_t top = b->tops[c->thread].top;

		if (!truncated[c->stack])
			continue;
		/*
		 * a top within the copy, or further than a stack grows, is another
		 * stack's (a signal stack, the stack before an exec): not this one's
		 */
		if (top > c->sp + c->copied && top - c->sp <= PROF_STACK_MAX)
			need[n++] = top - c->sp;
		else
			q->cut_unknown++;
	}
	q->cut_measured = n;
	if (n) {
		qsort(need, n, sizeof(*need), cmp_u64);
		q->cut_need = need[(n * PROF_CUT_SHARE + 99) / 100 - 1];
	}
	free(need);
}

static bool count_quality(struct finisher *fin, const struct raw_head *h,
			  const struct prof_stack *st, struct hash *fail_index)
{
	struct prof_quality *q = &fin->p->quality;
	const struct prof_func *outer;

	if (!h->has_user)
		return false;
	q->samples += st->samples;
	outer = profile_frame_func(fin->p, st, st->depth - 1);
	if (h->end == UNWIND_ROOT || (!outer->kernel && is_root_name(outer->name))) {
		q->root += st->samples;
	} else if (h->end == UNWIND_TRUNCATED) {
		q->truncated += st->samples;
		return true;
	} else if (h->end == UNWIND_DEPTH) {
		q->depth += st->samples;
	} else {
		struct dso *d = h->fail_kind >= KIND_DSO ? fin->b->dsos[h->fail_kind - KIND_DSO]
							 : NULL;
		struct {
			const char *dso, *reason;
		} key = { own(fin, d ? d->name : "[unknown]"),
			  unwind_fail_reason((enum unwind_fail)h->fail) };
		int added;
		size_t i = hash_get(fail_index, &key, sizeof(key), q->nfailures, &added);

		if (added) {
			q->failures = realloc(q->failures, (q->nfailures + 1) * sizeof(*q->failures));
			if (!q->failures)
				abort();
			q->failures[i].dso = key.dso;
			q->failures[i].reason = own(fin, key.reason);
			q->failures[i].samples = 0;
			q->nfailures++;
		}
		q->failures[i].samples += st->samples;
		q->failed += st->samples;
	}
	return false;
}

/* The builder's mappings, each with its object's build-id; the frames point at them by index. */
static void finish_maps(struct finisher *fin)
{
	struct profile *p = fin->p;
	const struct profile_builder *b = fin->b;

	p->maps = xcalloc(b->nmaps ? b->nmaps : 1, sizeof(*p->maps));
	for (size_t i = 0; i < b->nmaps; i++) {
		const struct build_map *bm = &b->maps[i];
		struct prof_map *m = &p->maps[p->nmaps++];
		uint8_t bid[ELF_BUILD_ID_LIMIT];
		char hex[2 * sizeof(bid) + 1];
		size_t n = dso_build_id(bm->dso, bid, sizeof(bid));

		m->path = own(fin, bm->dso->path);
		m->dso = own(fin, bm->dso->name);
		for (size_t k = 0; k < n; k++)
			snprintf(hex + 2 * k, 3, "%02x", bid[k]);
		m->build_id = n ? own(fin, hex) : NULL;
		m->start = bm->start;
		m->limit = bm->end;
		m->offset = bm->pgoff;
	}
}

/* A total order: samples equal in it are alike, so that any input order sorts the same. */
static int cmp_sample(const void *a, const void *b)
{
	const struct prof_sample *x = a, *y = b;

	if (x->time != y->time)
		return x->time < y->time ? -1 : 1;
	if (x->stack != y->stack)
		return x->stack < y->stack ? -1 : 1;
	return x->weight < y->weight ? -1 : x->weight > y->weight;
}

struct profile *profile_builder_finish(struct profile_builder *b, struct symbolizer *sym,
				       const char *event, const char *weight_unit,
				       const char *title)
{
	struct profile *p = xcalloc(1, sizeof(*p));
	struct finisher fin = { .p = p, .b = b, .sym = sym };
	bool *truncated = xcalloc(b->nstacks ? b->nstacks : 1, sizeof(*truncated));
	struct hash fail_index;

	hash_init(&fin.strings);
	hash_init(&fin.funcs);
	hash_init(&fin.locs);
	hash_init(&fin.addrs);
	hash_init(&fail_index);
	p->event = own(&fin, event ? event : "?");
	p->weight_unit = own(&fin, weight_unit ? weight_unit : "events");
	p->title = own(&fin, title ? title : "");
	p->stacks = xcalloc(b->nstacks ? b->nstacks : 1, sizeof(*p->stacks));
	for (size_t i = 0; i < b->nstacks; i++) {
		const struct raw_head *h = (const struct raw_head *)(b->arena + b->stacks[i].off);
		const struct raw_frame *f = (const struct raw_frame *)(h + 1);
		struct prof_stack *st = &p->stacks[p->nstacks++];

		st->first = (uint32_t)p->nframes;
		for (uint32_t k = 0; k < h->n; k++) {
			uint32_t ai = addr_index(&fin, &f[k]); /* may move addr_locs */
			const struct addr_locs *al = &fin.addr_locs[ai];

			xgrow(&p->frames, &fin.aframes, p->nframes + al->n, sizeof(*p->frames));
			xgrow(&p->frame_at, &fin.aframe_at, p->nframes + al->n,
			      sizeof(*p->frame_at));
			memcpy(p->frames + p->nframes, fin.loclist + al->first,
			       al->n * sizeof(*p->frames));
			for (uint32_t j = 0; j < al->n; j++)
				p->frame_at[p->nframes + j] =
				    (struct prof_at){ .addr = f[k].ip, .map = f[k].map };
			p->nframes += al->n;
		}
		st->depth = (uint32_t)(p->nframes - st->first);
		st->pid = h->pid;
		st->tid = h->tid;
		st->comm = own(&fin, b->comms[h->comm]);
		st->kind = h->kind;
		st->samples = b->stacks[i].samples;
		st->weight = b->stacks[i].weight;
		p->samples += st->samples;
		p->weight += st->weight;
		p->kind_weight[st->kind] += st->weight;
		truncated[i] = count_quality(&fin, h, st, &fail_index);
	}
	measure_cuts(b, truncated, &p->quality);
	free(truncated);
	finish_maps(&fin);
	p->quality.kernel_only = b->kernel_only;
	if (p->quality.nfailures > 1)
		qsort(p->quality.failures, p->quality.nfailures, sizeof(*p->quality.failures),
		      cmp_failure);
	if (b->nstacks) {
		p->time_start = b->time_min;
		p->time_end = b->time_max;
	}
	p->period = p->samples ? p->weight / p->samples : 0;
	/* the rings of several CPUs are drained in turn: their samples interleave in time */
	if (b->nsamples > 1)
		qsort(b->samples, b->nsamples, sizeof(*b->samples), cmp_sample);
	p->sample_list = b->samples;
	p->nsample_list = b->nsamples;
	b->samples = NULL;
	b->nsamples = b->asamples = 0;
	hash_release(&fin.strings);
	hash_release(&fin.funcs);
	hash_release(&fin.locs);
	hash_release(&fin.addrs);
	hash_release(&fail_index);
	free(fin.addr_locs);
	free(fin.loclist);
	/* as profile.h promises, the builder is left empty */
	hash_release(&b->index);
	hash_init(&b->index);
	hash_release(&b->comm_index);
	hash_init(&b->comm_index);
	hash_release(&b->thread_index);
	hash_init(&b->thread_index);
	hash_release(&b->map_index);
	hash_init(&b->map_index);
	memset(b->map_cache, 0, sizeof(b->map_cache));
	for (size_t i = 0; i < b->ncomms; i++)
		free(b->comms[i]);
	b->ncomms = b->nstacks = b->narena = b->ntops = b->ncuts = b->nmaps = 0;
	b->time_min = UINT64_MAX;
	b->time_max = b->kernel_only = 0;
	b->has_kernel = false;
	return p;
}

void profile_select(struct profile *p,
		    bool (*keep)(const struct profile *p, const struct prof_stack *s, void *arg),
		    void *arg)
{
	uint32_t *to = xmalloc((p->nstacks ? p->nstacks : 1) * sizeof(*to));
	size_t n = 0, m = 0;

	p->samples = p->weight = 0;
	memset(p->kind_weight, 0, sizeof(p->kind_weight));
	for (size_t i = 0; i < p->nstacks; i++) {
		to[i] = UINT32_MAX;
		if (!keep(p, &p->stacks[i], arg))
			continue;
		to[i] = (uint32_t)n;
		p->stacks[n++] = p->stacks[i];
		p->samples += p->stacks[i].samples;
		p->weight += p->stacks[i].weight;
		p->kind_weight[p->stacks[i].kind] += p->stacks[i].weight;
	}
	p->nstacks = n;
	for (size_t i = 0; i < p->nsample_list; i++) {
		uint32_t s = to[p->sample_list[i].stack];

		if (s == UINT32_MAX)
			continue;
		p->sample_list[m] = p->sample_list[i];
		p->sample_list[m++].stack = s;
	}
	p->nsample_list = m;
	free(to);
}

const char *profile_keep_string(struct profile *p, const char *s)
{
	xgrow(&p->strings, &p->astrings, p->nstrings + 1, sizeof(*p->strings));
	p->strings[p->nstrings] = xstrdup(s);
	return p->strings[p->nstrings++];
}

void profile_free(struct profile *p)
{
	if (!p)
		return;
	free(p->funcs);
	free(p->locs);
	free(p->stacks);
	free(p->frames);
	free(p->frame_at);
	free(p->maps);
	free(p->quality.failures);
	free(p->sample_list);
	free(p->times.procs);
	for (size_t i = 0; i < p->nstrings; i++)
		free(p->strings[i]);
	free(p->strings);
	free(p);
}

/* ---- the folded form of a stack ------------------------------------------ */

static void fold_put(char **buf, size_t *alloc, size_t *len, const char *s, size_t n)
{
	xgrow(buf, alloc, *len + n + 1, 1);
	memcpy(*buf + *len, s, n);
	*len += n;
	(*buf)[*len] = '\0';
}

/* The folded format has no escapes: what would split a frame or end the line is replaced. */
static void fold_put_name(char **buf, size_t *alloc, size_t *len, const char *name)
{
	size_t start = *len;

	if (!name || !*name)
		name = "[unknown]";
	fold_put(buf, alloc, len, name, strlen(name));
	for (size_t i = start; i < *len; i++) {
		unsigned char c = (unsigned char)(*buf)[i];

		if (c == ';')
			(*buf)[i] = ':';
		else if (c < 0x20 || c == 0x7f)
			(*buf)[i] = '?';
	}
}

size_t profile_fold_stack(const struct profile *p, const struct prof_stack *s, const char *comm,
			  char **buf, size_t *alloc)
{
	size_t len = 0;

	fold_put_name(buf, alloc, &len, comm ? comm : s->comm);
	for (uint32_t i = s->depth; i-- > 0;) {
		const struct prof_loc *loc = &p->locs[p->frames[s->first + i]];
		const struct prof_func *f = &p->funcs[loc->func];

		fold_put(buf, alloc, &len, ";", 1);
		fold_put_name(buf, alloc, &len, f->name);
		if (f->kernel)
			fold_put(buf, alloc, &len, "_[k]", 4);
		else if (loc->inlined)
			fold_put(buf, alloc, &len, "_[i]", 4);
	}
	return len;
}
