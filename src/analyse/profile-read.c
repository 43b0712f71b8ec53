// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * From a recording to a profile (see profile.h: profile_read()), the one
 * path that report, annotate, diff and compare share, so that the same
 * recording and filter give every view the same samples.
 */
#include "analyse/profile.h"
#include "resolve/session.h"
#include "resolve/symbolize.h"
#include "util/alloc.h"
#include "util/hash.h"
#include "util/progress.h"

#include <errno.h>

#include <stdlib.h>
#include <string.h>

static const char *const view_names[] = { "cpu", "off-cpu", "wall" };

const char *profile_view_name(enum prof_view v)
{
	return v < ARRAY_SIZE(view_names) ? view_names[v] : "auto";
}

int profile_view_parse(const char *name, enum prof_view *v)
{
	for (size_t i = 0; i < ARRAY_SIZE(view_names); i++)
		if (!strcmp(name, view_names[i])) {
			*v = (enum prof_view)i;
			return 0;
		}
	return -1;
}

bool profile_recording_off_cpu(const struct session *s)
{
	uint64_t n = 0;

	return data_reader_meta_str(s->rd, "off-cpu") ||
	       (data_reader_stat_u64(s->rd, "off-cpu-samples", &n) && n);
}

/* What a pass over the samples gathers beside the builder's stacks. */
struct reader {
	struct profile_builder *b;
	enum prof_view view; /* may be auto: then every kind is kept */
	struct prof_times t;
	struct hash proc_index;
	size_t aprocs;
	char **proc_comms;    /* the procs' names until the profile owns them */
	bool *proc_main;      /* the name is the main thread's */
	/* the order (session_sample's) of each proc's first sample, and of its name's */
	uint64_t *proc_first, *proc_named;
	struct hash cpu_threads; /* (pid, tid) of the CPU samples */
	uint32_t (*cpu_thread_keys)[2]; /* in the order they came */
	size_t ncpu_threads, acpu_threads;
	/*
	 * What costs memory per thread or process is gathered only where it
	 * is used, so that a CPU view of many processes costs what it did:
	 * the threads of the CPU samples to scale an event that is not a
	 * clock, the processes for a recording that says it is off-CPU's or a
	 * time view (or from the first off-CPU sample of one that does not).
	 */
	bool per_thread, per_proc;
};

static enum prof_kind kind_of_sample(unsigned kind)
{
	return kind == SAMPLE_KIND_BLOCKED    ? PROF_KIND_BLOCKED
	       : kind == SAMPLE_KIND_RUNNABLE ? PROF_KIND_RUNNABLE
					      : PROF_KIND_CPU;
}

static bool view_keeps(enum prof_view v, enum prof_kind k)
{
	switch (v) {
	case PROF_VIEW_CPU:
		return k == PROF_KIND_CPU;
	case PROF_VIEW_OFF_CPU:
		return k != PROF_KIND_CPU;
	default:
		return true;
	}
}

static void count_sample(struct reader *rd, const struct rec_sample *r, const char *comm,
			 enum prof_kind k, unsigned source, uint64_t order)
{
	struct prof_times *t = &rd->t;
	uint32_t key[2] = { r->pid, r->tid };
	struct prof_proc *pp;
	/* both bits set is no source: counted as none, as session reads it */
	size_t src = source == SAMPLE_SOURCE_SWITCH ? 0 : source == SAMPLE_SOURCE_REMOTE ? 1 : 2;
	int added;
	size_t i;

	t->samples[k]++;
	t->weight[k] += r->weight;
	if (k != PROF_KIND_CPU) {
		t->off_cpu = rd->per_proc = true;
		t->source[src]++;
		t->source_ns[src] += r->weight;
	} else if (rd->per_thread) {
		hash_get(&rd->cpu_threads, key, sizeof(key), rd->ncpu_threads, &added);
		if (added) {
			xgrow(&rd->cpu_thread_keys, &rd->acpu_threads, rd->ncpu_threads + 1,
			      sizeof(*rd->cpu_thread_keys));
			memcpy(rd->cpu_thread_keys[rd->ncpu_threads++], key, sizeof(key));
		}
	}
	if (!rd->per_proc)
		return;
	i = hash_get(&rd->proc_index, &r->pid, sizeof(r->pid), t->nprocs, &added);
	if (added) {
		xgrow(&t->procs, &rd->aprocs, t->nprocs + 1, sizeof(*t->procs));
		rd->proc_comms = realloc(rd->proc_comms, rd->aprocs * sizeof(*rd->proc_comms));
		rd->proc_main = realloc(rd->proc_main, rd->aprocs * sizeof(*rd->proc_main));
		rd->proc_first = realloc(rd->proc_first, rd->aprocs * sizeof(*rd->proc_first));
		rd->proc_named = realloc(rd->proc_named, rd->aprocs * sizeof(*rd->proc_named));
		if (!rd->proc_comms || !rd->proc_main || !rd->proc_first || !rd->proc_named)
			abort();
		memset(&t->procs[i], 0, sizeof(t->procs[i]));
		t->procs[i].pid = r->pid;
		rd->proc_comms[i] = xstrdup(comm);
		rd->proc_main[i] = r->tid == r->pid;
		rd->proc_first[i] = rd->proc_named[i] = order;
		t->nprocs++;
	} else if (!rd->proc_main[i] && r->tid == r->pid) {
		free(rd->proc_comms[i]);
		rd->proc_comms[i] = xstrdup(comm);
		rd->proc_main[i] = true;
		rd->proc_named[i] = order;
	}
	pp = &t->procs[i];
	pp->samples[k]++;
	pp->ns[k] += r->weight; /* CPU weights become time when the pass ends */
}

static int add_sample(struct session *s, struct session_sample *smp, void *arg)
{
	const struct rec_sample *r = smp->v->s;
	struct reader *rd = arg;
	enum prof_kind k = kind_of_sample(smp->kind);

	(void)s;
	count_sample(rd, r, smp->comm ? smp->comm : "", k, smp->source, smp->order);
	if (!view_keeps(rd->view, k))
		return 0;
	profile_builder_order(rd->b, smp->order);
	profile_builder_add_kind(rd->b, smp->kind, k != PROF_KIND_CPU &&
				 smp->source == SAMPLE_SOURCE_NONE, r->pid, r->tid, smp->comm,
				 smp->kernel, smp->nkernel, smp->user, smp->nuser,
				 smp->unwound ? &smp->res : NULL, r->weight, r->time);
	return 0;
}

/* The CPU time (REC_TASK_CPU) of the threads that have CPU samples. */
static uint64_t sampled_task_cpu(const struct session *s, struct reader *rd)
{
	uint64_t ns = 0;

	for (size_t i = 0; i < s->ntask_cpu; i++) {
		uint32_t key[2] = { s->task_cpu[i].pid, s->task_cpu[i].tid };
		size_t v;

		if (hash_find(&rd->cpu_threads, key, sizeof(key), &v))
			ns += s->task_cpu[i].cpu_ns;
	}
	return ns;
}

static uint64_t scaled(uint64_t weight, double scale)
{
	return profile_scaled(weight, scale);
}

static bool not_cpu(const struct profile *p, const struct prof_stack *st, void *arg)
{
	(void)p;
	(void)arg;
	return st->kind != PROF_KIND_CPU;
}

/* CPU samples in time: their weight, or the CPU time they stand for. */
static void finish_times(struct session *s, struct reader *rd, bool clock)
{
	struct prof_times *t = &rd->t;

	t->off_cpu |= profile_recording_off_cpu(s);
	t->task_cpu_ns = sampled_task_cpu(s, rd);
	if (clock) {
		t->cpu_scale = 1;
	} else if (t->task_cpu_ns && t->weight[PROF_KIND_CPU]) {
		t->cpu_scale = (double)t->task_cpu_ns / (double)t->weight[PROF_KIND_CPU];
		t->cpu_scaled = true;
	}
	for (size_t i = 0; i < t->nprocs; i++)
		t->procs[i].ns[PROF_KIND_CPU] = scaled(t->procs[i].ns[PROF_KIND_CPU], t->cpu_scale);
}

/* A time view's weights: nanoseconds, CPU samples scaled (or left out without a scale). */
static void weigh_in_time(struct profile *p)
{
	double scale = p->times.cpu_scale;
	uint64_t cpu_samples = 0;

	if (scale == 0)
		profile_select(p, not_cpu, NULL);
	p->weight = 0;
	memset(p->kind_weight, 0, sizeof(p->kind_weight));
	for (size_t i = 0; i < p->nstacks; i++) {
		struct prof_stack *st = &p->stacks[i];

		if (st->kind == PROF_KIND_CPU) {
			st->weight = scaled(st->weight, scale);
			cpu_samples += st->samples;
		}
		p->weight += st->weight;
		p->kind_weight[st->kind] += st->weight;
	}
	for (size_t i = 0; i < p->nsample_list; i++)
		if (p->stacks[p->sample_list[i].stack].kind == PROF_KIND_CPU)
			p->sample_list[i].weight = scaled(p->sample_list[i].weight, scale);
	p->weight_unit = profile_keep_string(p, "nanoseconds");
	p->period = cpu_samples ? p->kind_weight[PROF_KIND_CPU] / cpu_samples : 0;
}

/*
 * --dso and --symbol keep the stacks that pass through a matching function,
 * --symbols those whose sampled function (the leaf) matches.
 */
static bool through_function(const struct profile *p, const struct prof_stack *st, void *arg)
{
	const struct sample_filter *f = arg;
	const struct prof_func *leaf = profile_frame_func(p, st, 0);

	if (!sample_filter_leaf_ok(f, leaf->name ? leaf->name : "[unknown]", leaf->alt))
		return false;
	if (!f->dsos.n && !f->symbols.n)
		return true;
	for (uint32_t i = 0; i < st->depth; i++) {
		const struct prof_func *fn = profile_frame_func(p, st, i);

		if (sample_filter_function_ok(f, fn->dso, fn->path, fn->name, fn->alt))
			return true;
	}
	return false;
}

static int cmp_sample_time(const void *a, const void *b)
{
	const struct prof_sample *x = a, *y = b;

	if (x->time != y->time)
		return x->time < y->time ? -1 : 1;
	return x->stack < y->stack ? -1 : x->stack > y->stack;
}

#define COUNT_QUANTUM_NS 1000000u

uint64_t profile_time_quantum(struct profile *const *p, size_t n)
{
	uint64_t q = n && p[0]->period ? p[0]->period : COUNT_QUANTUM_NS;

	for (size_t i = 0; i < n; i++) {
		uint64_t ns = 0;

		/* summed here without wrapping: a hostile file's weights may */
		for (size_t k = 0; k < p[i]->nsample_list; k++)
			ns = ns + p[i]->sample_list[k].weight < ns ? UINT64_MAX
								    : ns + p[i]->sample_list[k].weight;
		if (ns / q >= PROFILE_QUANTA_MAX)
			q = ns / PROFILE_QUANTA_MAX + 1;
	}
	return q;
}

void profile_count_time(struct profile *p, uint64_t q)
{
	uint64_t total = 0;
	struct prof_sample *out = NULL;
	size_t n = 0, alloc = 0;
	/* each stack's time so far: rounding it, not each sample, keeps its total whole */
	uint64_t *acc = xcalloc(p->nstacks ? p->nstacks : 1, sizeof(*acc));

	for (size_t i = 0; i < p->nstacks; i++)
		p->stacks[i].samples = 0;
	for (size_t i = 0; i < p->nsample_list; i++) {
		const struct prof_sample *sm = &p->sample_list[i];
		uint64_t before = (acc[sm->stack] + q / 2) / q, k;

		/* held below UINT64_MAX - q, so that rounding cannot wrap (hostile weights) */
		acc[sm->stack] = sm->weight > UINT64_MAX - q - acc[sm->stack]
					 ? UINT64_MAX - q
					 : acc[sm->stack] + sm->weight;
		k = (acc[sm->stack] + q / 2) / q - before;
		/* the quantum keeps the count below the bound; this keeps a wrapped sum there */
		if (k > PROFILE_QUANTA_MAX - n)
			k = PROFILE_QUANTA_MAX - n;

		xgrow(&out, &alloc, n + k, sizeof(*out));
		for (uint64_t j = 0; j < k; j++)
			out[n++] = (struct prof_sample){ .time = sm->time + j * q, .weight = q,
							 .stack = sm->stack };
		p->stacks[sm->stack].samples += k;
		total += k;
	}
	free(acc);
	if (n > 1)
		qsort(out, n, sizeof(*out), cmp_sample_time);
	free(p->sample_list);
	p->sample_list = out;
	p->nsample_list = n;
	p->samples = total;
}

static void reader_release(struct reader *rd)
{
	for (size_t i = 0; i < rd->t.nprocs; i++)
		free(rd->proc_comms[i]);
	free(rd->proc_comms);
	free(rd->proc_main);
	free(rd->proc_first);
	free(rd->proc_named);
	free(rd->t.procs);
	free(rd->cpu_thread_keys);
	hash_release(&rd->proc_index);
	hash_release(&rd->cpu_threads);
	profile_builder_free(rd->b);
}

static void reader_init(struct reader *rd, enum prof_view view, bool per_thread, bool per_proc,
			bool keep_samples)
{
	memset(rd, 0, sizeof(*rd));
	rd->b = profile_builder_new();
	rd->view = view;
	rd->per_thread = per_thread;
	rd->per_proc = per_proc;
	hash_init(&rd->proc_index);
	hash_init(&rd->cpu_threads);
	if (keep_samples)
		profile_builder_keep_samples(rd->b);
}

/* ---- the readers of several threads, merged ------------------------------- */

/* Adds proc i of `from` to rd: counts, and the name file order would give it. */
static void merge_proc(struct reader *rd, const struct reader *from, size_t i)
{
	const struct prof_proc *fp = &from->t.procs[i];
	struct prof_proc *pp;
	int added;
	size_t k = hash_get(&rd->proc_index, &fp->pid, sizeof(fp->pid), rd->t.nprocs, &added);

	if (added) {
		xgrow(&rd->t.procs, &rd->aprocs, rd->t.nprocs + 1, sizeof(*rd->t.procs));
		rd->proc_comms = realloc(rd->proc_comms, rd->aprocs * sizeof(*rd->proc_comms));
		rd->proc_main = realloc(rd->proc_main, rd->aprocs * sizeof(*rd->proc_main));
		rd->proc_first = realloc(rd->proc_first, rd->aprocs * sizeof(*rd->proc_first));
		rd->proc_named = realloc(rd->proc_named, rd->aprocs * sizeof(*rd->proc_named));
		if (!rd->proc_comms || !rd->proc_main || !rd->proc_first || !rd->proc_named)
			abort();
		memset(&rd->t.procs[k], 0, sizeof(rd->t.procs[k]));
		rd->t.procs[k].pid = fp->pid;
		rd->proc_comms[k] = xstrdup(from->proc_comms[i]);
		rd->proc_main[k] = from->proc_main[i];
		rd->proc_first[k] = from->proc_first[i];
		rd->proc_named[k] = from->proc_named[i];
		rd->t.nprocs++;
	} else {
		/* the main thread's first name, else the first sample's */
		bool better = from->proc_main[i] > rd->proc_main[k] ||
			      (from->proc_main[i] == rd->proc_main[k] &&
			       from->proc_named[i] < rd->proc_named[k]);

		if (better) {
			free(rd->proc_comms[k]);
			rd->proc_comms[k] = xstrdup(from->proc_comms[i]);
			rd->proc_main[k] = from->proc_main[i];
			rd->proc_named[k] = from->proc_named[i];
		}
		if (from->proc_first[i] < rd->proc_first[k])
			rd->proc_first[k] = from->proc_first[i];
	}
	pp = &rd->t.procs[k];
	for (size_t j = 0; j < PROF_KIND_MAX; j++) {
		pp->samples[j] += fp->samples[j];
		pp->ns[j] += fp->ns[j];
	}
}

struct proc_rank {
	uint64_t first;
	size_t i;
};

static int cmp_proc_rank(const void *a, const void *b)
{
	const struct proc_rank *x = a, *y = b;

	if (x->first != y->first)
		return x->first < y->first ? -1 : 1;
	return x->i < y->i ? -1 : x->i > y->i;
}

/* The procs in the order of their first samples, as one pass in file order finds them. */
static void sort_procs(struct reader *rd)
{
	size_t n = rd->t.nprocs;
	struct proc_rank *rank = xcalloc(n ? n : 1, sizeof(*rank));
	struct prof_proc *procs = xcalloc(n ? n : 1, sizeof(*procs));
	char **comms = xcalloc(n ? n : 1, sizeof(*comms));

	for (size_t i = 0; i < n; i++)
		rank[i] = (struct proc_rank){ rd->proc_first[i], i };
	if (n > 1)
		qsort(rank, n, sizeof(*rank), cmp_proc_rank);
	for (size_t i = 0; i < n; i++) {
		procs[i] = rd->t.procs[rank[i].i];
		comms[i] = rd->proc_comms[rank[i].i];
	}
	if (n) {
		memcpy(rd->t.procs, procs, n * sizeof(*procs));
		memcpy(rd->proc_comms, comms, n * sizeof(*comms));
	}
	/* proc_index, proc_main and the orders are not read after this */
	free(rank);
	free(procs);
	free(comms);
}

/* What the readers of several threads gathered, into rd (initialized, empty). */
static void merge_readers(struct reader *rd, struct reader *parts, size_t n)
{
	struct profile_builder **b = xcalloc(n, sizeof(*b));

	for (size_t p = 0; p < n; p++) {
		const struct reader *from = &parts[p];
		struct prof_times *t = &rd->t;

		b[p] = from->b;
		t->off_cpu |= from->t.off_cpu;
		for (size_t k = 0; k < PROF_KIND_MAX; k++) {
			t->samples[k] += from->t.samples[k];
			t->weight[k] += from->t.weight[k];
		}
		for (size_t k = 0; k < 3; k++) {
			t->source[k] += from->t.source[k];
			t->source_ns[k] += from->t.source_ns[k];
		}
		for (size_t i = 0; i < from->ncpu_threads; i++) {
			int added;

			hash_get(&rd->cpu_threads, from->cpu_thread_keys[i],
				 sizeof(from->cpu_thread_keys[i]), rd->ncpu_threads, &added);
			rd->ncpu_threads += added;
		}
		for (size_t i = 0; i < from->t.nprocs; i++)
			merge_proc(rd, from, i);
	}
	sort_procs(rd);
	profile_builder_free(rd->b);
	rd->b = profile_builder_merge(b, n);
	free(b);
}

/*
 * The pass on s->jobs threads: 0 with rd filled, or -EAGAIN when it must
 * be read in file order after all (see session_samples_jobs(), and below).
 */
static int read_jobs(struct session *s, const struct sample_filter *f, struct reader *rd)
{
	unsigned n = s->jobs;
	struct reader *parts = xcalloc(n, sizeof(*parts));
	void **args = xcalloc(n, sizeof(*args));
	bool off_cpu = false;
	int ret;

	for (unsigned i = 0; i < n; i++) {
		reader_init(&parts[i], rd->view, rd->per_thread, rd->per_proc,
			    profile_builder_keeps_samples(rd->b));
		args[i] = &parts[i];
	}
	ret = session_samples_jobs(s, f, n, add_sample, args);
	for (unsigned i = 0; i < n; i++)
		off_cpu |= parts[i].t.off_cpu;
	/*
	 * Without a sign of off-CPU samples up front, processes are counted
	 * from the first one in file order: which the threads cannot tell.
	 */
	if (ret == 0 && off_cpu && !rd->per_proc) {
		s->samples_seen = s->off_cpu_seen = s->bad_records = 0;
		s->damaged = false;
		s->damage = NULL;
		data_reader_rewind(s->rd);
		ret = -EAGAIN;
	}
	if (ret == 0)
		merge_readers(rd, parts, n);
	for (unsigned i = 0; i < n; i++)
		reader_release(&parts[i]);
	free(parts);
	free(args);
	return ret;
}

int profile_read(struct session *s, const struct sample_filter *f, enum prof_view view,
		 unsigned sym_flags, struct profile **p, struct symbolizer **sym)
{
	struct reader rd;
	const char *unit = session_weight_unit(s);
	bool clock = !strcmp(unit, "nanoseconds");
	bool per_proc = profile_view_time(view) || profile_recording_off_cpu(s);
	int ret = -EAGAIN;

	reader_init(&rd, view, !clock, per_proc, sym_flags & PROFILE_SAMPLES);
	sym_flags &= ~PROFILE_SAMPLES;
	if (s->jobs > 1)
		ret = read_jobs(s, f, &rd);
	if (ret == -EAGAIN) {
		if (s->progress)
			progress_restart(s->progress);
		ret = session_samples(s, f, add_sample, &rd);
	}

	if (ret) {
		reader_release(&rd);
		return ret;
	}
	finish_times(s, &rd, clock);
	if (view == PROF_VIEW_AUTO)
		view = rd.t.off_cpu ? PROF_VIEW_WALL : PROF_VIEW_CPU;
	*sym = symbolizer_new(profile_builder_has_kernel(rd.b) ? session_kernel(s) : NULL,
			      sym_flags);
	*p = profile_builder_finish(rd.b, *sym, data_reader_meta_str(s->rd, "event"), unit,
				    session_title(s));
	data_reader_meta_u64(s->rd, "start-realtime-ns", &(*p)->realtime_start);
	(*p)->view = view;
	(*p)->times = rd.t;
	for (size_t i = 0; i < rd.t.nprocs; i++)
		(*p)->times.procs[i].comm = profile_keep_string(*p, rd.proc_comms[i]);
	rd.t.procs = NULL;
	reader_release(&rd);
	if (profile_view_time(view))
		weigh_in_time(*p);
	if (f && sample_filter_by_function(f))
		profile_select(*p, through_function, (void *)f);
	return 0;
}
