// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * speedscope's file format (https://www.speedscope.app/file-format-schema.json).
 *
 * shared.frames has one frame per function of the profile, at the function's
 * index: {"name", "file"}, where "file" is the function's source file when
 * known (--srcline) and else its object (path, or short name for the kernel),
 * which is what speedscope shows under a selected frame. One frame per
 * function rather than per source line: speedscope merges frames by index,
 * and per-line frames would split every function of a flame graph into
 * slivers.
 *
 * One "sampled" profile per thread, named "comm (tid N)", the busiest (by
 * weight) first, so that activeProfileIndex 0 opens on it. The profile keeps
 * no time order (stacks are deduplicated), so each thread's distinct function
 * paths are written once, sorted root first by name, with their summed
 * weights: speedscope's time-order view then reads like a flame graph. The
 * unit is "nanoseconds" for clock events and "none" (event counts) otherwise.
 * A profile without samples gets one empty profile, so that the index is valid.
 */
#include "output/export.h"
#include "util/alloc.h"
#include "util/hash.h"
#include "util/json.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct ss_thread {
	uint32_t pid, tid;
	const char *comm;
	uint64_t weight;
	uint32_t *stacks; /* indexes into p->stacks */
	size_t nstacks, alloc;
};

struct ss_sort {
	const struct profile *p;
	uint32_t stack;
};

static const char *func_label(const struct prof_func *f)
{
	return f->name && *f->name ? f->name : "[unknown]";
}

/* Root-first order of two stacks' function paths: by name, then function index, shorter first. */
static int cmp_path(const void *a, const void *b)
{
	const struct ss_sort *x = a, *y = b;
	const struct profile *p = x->p;
	const struct prof_stack *s = &p->stacks[x->stack], *t = &p->stacks[y->stack];
	uint32_t i = s->depth, j = t->depth;

	while (i > 0 && j > 0) {
		uint32_t fs = p->locs[p->frames[s->first + --i]].func;
		uint32_t ft = p->locs[p->frames[t->first + --j]].func;
		int c;

		if (fs == ft)
			continue;
		c = strcmp(func_label(&p->funcs[fs]), func_label(&p->funcs[ft]));
		if (c)
			return c;
		return fs < ft ? -1 : 1;
	}
	if (i != j)
		return i < j ? -1 : 1;
	return 0;
}

static int cmp_thread(const void *a, const void *b)
{
	const struct ss_thread *x = a, *y = b;

	if (x->weight != y->weight)
		return x->weight > y->weight ? -1 : 1;
	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	return x->tid < y->tid ? -1 : x->tid > y->tid;
}

static size_t group_threads(const struct profile *p, struct ss_thread **out)
{
	struct ss_thread *t = NULL;
	size_t n = 0, alloc = 0;
	struct hash h;

	hash_init(&h);
	for (size_t i = 0; i < p->nstacks; i++) {
		const struct prof_stack *s = &p->stacks[i];
		uint32_t key[2] = {s->pid, s->tid};
		int added = 0;
		size_t k;

		if (!s->samples && !s->weight)
			continue;
		k = hash_get(&h, key, sizeof(key), n, &added);
		if (added) {
			xgrow(&t, &alloc, n + 1, sizeof(*t));
			t[n].pid = s->pid;
			t[n].tid = s->tid;
			n++;
		}
		if (!t[k].comm && s->comm)
			t[k].comm = s->comm;
		t[k].weight += s->weight;
		xgrow(&t[k].stacks, &t[k].alloc, t[k].nstacks + 1, sizeof(*t[k].stacks));
		t[k].stacks[t[k].nstacks++] = (uint32_t)i;
	}
	hash_release(&h);
	if (n)
		qsort(t, n, sizeof(*t), cmp_thread);
	*out = t;
	return n;
}

static void write_samples(FILE *out, const struct profile *p, const struct ss_thread *t)
{
	struct ss_sort *order = xcalloc(t->nstacks, sizeof(*order));
	uint64_t *weights = xcalloc(t->nstacks, sizeof(*weights));
	size_t n = 0;

	for (size_t i = 0; i < t->nstacks; i++)
		order[i] = (struct ss_sort){p, t->stacks[i]};
	qsort(order, t->nstacks, sizeof(*order), cmp_path);

	fputs("\"samples\": [", out);
	for (size_t i = 0; i < t->nstacks; i++) {
		const struct prof_stack *s = &p->stacks[order[i].stack];

		/* paths that differ only in addresses are one sample */
		if (n && !cmp_path(&order[n - 1], &order[i])) {
			weights[n - 1] += s->weight;
			continue;
		}
		order[n] = order[i];
		weights[n] = s->weight;
		fputs(n ? ", [" : "[", out);
		for (uint32_t j = s->depth; j-- > 0;)
			fprintf(out, j + 1 < s->depth ? ",%u" : "%u",
				p->locs[p->frames[s->first + j]].func);
		fputc(']', out);
		n++;
	}
	fputs("],\n     \"weights\": [", out);
	for (size_t i = 0; i < n; i++)
		fprintf(out, i ? ",%llu" : "%llu", (unsigned long long)weights[i]);
	fputc(']', out);
	free(weights);
	free(order);
}

int export_speedscope(FILE *out, const struct profile *p)
{
	const char *unit =
	    p->weight_unit && !strcmp(p->weight_unit, "nanoseconds") ? "nanoseconds" : "none";
	struct ss_thread *t;
	size_t nt = group_threads(p, &t);

	errno = 0;
	fputs("{\"$schema\": \"https://www.speedscope.app/file-format-schema.json\",\n", out);
	fputs(" \"exporter\": \"pmuprof\",\n \"name\": ", out);
	json_write_string(out, p->title ? p->title : "pmuprof");
	fputs(",\n \"activeProfileIndex\": 0,\n \"shared\": {\"frames\": [", out);
	for (size_t i = 0; i < p->nfuncs; i++) {
		const struct prof_func *f = &p->funcs[i];
		const char *file = f->file ? f->file : f->path ? f->path : f->dso;

		fputs(i ? ",\n  {\"name\": " : "\n  {\"name\": ", out);
		json_write_string(out, func_label(f));
		if (file) {
			fputs(", \"file\": ", out);
			json_write_string(out, file);
		}
		fputc('}', out);
	}
	fputs("]},\n \"profiles\": [", out);
	for (size_t i = 0; i < nt; i++) {
		char name[64];
		char *label;

		snprintf(name, sizeof(name), " (tid %u)", t[i].tid);
		label = xasprintf("%s%s", t[i].comm ? t[i].comm : "[unknown]", name);
		fputs(i ? ",\n  {\"type\": \"sampled\", \"name\": "
			: "\n  {\"type\": \"sampled\", \"name\": ",
		      out);
		json_write_string(out, label);
		free(label);
		fprintf(out, ", \"unit\": \"%s\", \"startValue\": 0, \"endValue\": %llu,\n     ",
			unit, (unsigned long long)t[i].weight);
		write_samples(out, p, &t[i]);
		fputc('}', out);
		free(t[i].stacks);
	}
	if (!nt)
		fprintf(out,
			"\n  {\"type\": \"sampled\", \"name\": \"no samples\", \"unit\": \"%s\", "
			"\"startValue\": 0, \"endValue\": 0, \"samples\": [], \"weights\": []}",
			unit);
	fputs("]}\n", out);
	free(t);
	/* errno was cleared on entry: a failed write left its reason there */
	return ferror(out) ? (errno > 0 ? -errno : -EIO) : 0;
}
