// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * annotate's data (see annotate.h).
 */
#include "analyse/annotate.h"
#include "analyse/disasm.h"
#include "resolve/elf.h"
#include "resolve/filter.h"
#include "resolve/maps.h"
#include "resolve/session.h"
#include "resolve/symbolize.h"
#include "util/alloc.h"
#include "util/proc.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_FUNC_SIZE  (1u << 20) /* bytes decoded per function at the most */
#define NO_SYMBOL_TAIL 64	  /* past the last sample, for code without a symbol's size */

/* ---- samples per instruction ---------------------------------------------- */

static int cmp_func_desc(const void *a, const void *b)
{
	const struct annotate_func *x = a, *y = b;

	if (x->samples != y->samples)
		return x->samples > y->samples ? -1 : 1;
	return x->func < y->func ? -1 : x->func > y->func;
}

static int cmp_hit_addr(const void *a, const void *b)
{
	const struct annotate_hit *x = a, *y = b;

	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

static void add_hit(struct annotate_func *f, uint64_t addr, uint64_t samples)
{
	size_t j;

	f->samples += samples;
	for (j = 0; j < f->nhits && f->hits[j].addr != addr; j++)
		;
	if (j == f->nhits) {
		xgrow(&f->hits, &f->ahits, f->nhits + 1, sizeof(*f->hits));
		f->hits[f->nhits].addr = addr;
		f->hits[f->nhits++].samples = 0;
	}
	f->hits[j].samples += samples;
}

void annotate_hits_init(struct annotate_hits *h, const struct profile *p)
{
	h->funcs = xcalloc(p->nfuncs + 1, sizeof(*h->funcs));
	h->n = p->nfuncs;
	h->kernel_samples = 0;
	for (size_t i = 0; i < p->nfuncs; i++)
		h->funcs[i].func = (uint32_t)i;
	for (size_t i = 0; i < p->nstacks; i++) {
		const struct prof_stack *st = &p->stacks[i];
		const struct prof_loc *loc = &p->locs[p->frames[st->first]];

		if (p->funcs[loc->func].kernel)
			h->kernel_samples += st->samples;
		else
			add_hit(&h->funcs[loc->func], loc->addr, st->samples);
	}
	for (size_t i = 0; i < h->n; i++)
		if (h->funcs[i].nhits > 1)
			qsort(h->funcs[i].hits, h->funcs[i].nhits, sizeof(*h->funcs[i].hits),
			      cmp_hit_addr);
	qsort(h->funcs, h->n, sizeof(*h->funcs), cmp_func_desc);
}

void annotate_hits_release(struct annotate_hits *h)
{
	for (size_t i = 0; i < h->n; i++)
		free(h->funcs[i].hits);
	free(h->funcs);
	h->funcs = NULL;
	h->n = 0;
}

uint64_t annotate_samples_at(const struct annotate_func *f, uint64_t addr, uint64_t size)
{
	uint64_t n = 0;

	for (size_t i = 0; i < f->nhits; i++)
		if (f->hits[i].addr >= addr && f->hits[i].addr - addr < size)
			n += f->hits[i].samples;
	return n;
}

uint64_t annotate_hottest(const struct annotate_func *f, const struct disasm_insn *insns, size_t n,
			  uint64_t *addr)
{
	uint64_t hottest = 0;

	*addr = 0;
	for (size_t i = 0; i < n; i++) {
		uint64_t k = annotate_samples_at(f, insns[i].addr, insns[i].size);

		if (k > hottest) {
			hottest = k;
			*addr = insns[i].addr;
		}
	}
	return hottest;
}

/* ---- which functions -------------------------------------------------------- */

size_t annotate_choose(struct annotate_hits *h, const struct profile *p, const char *symbol,
		       const char *dso, size_t top)
{
	size_t chosen = 0;

	for (size_t i = 0; i < h->n; i++) {
		struct annotate_func *a = &h->funcs[i];
		const struct prof_func *f = &p->funcs[a->func];

		a->chosen = false;
		if (!a->samples || f->kernel)
			continue;
		if (symbol && !symbol_name_matches(symbol, f->name, f->alt))
			continue;
		if (dso && strcmp(dso, f->dso) && (!f->path || strcmp(dso, f->path)))
			continue;
		if (!symbol && chosen >= top)
			continue;
		a->chosen = true;
		chosen++;
	}
	return chosen;
}

bool annotate_name_exists(const struct profile *p, const char *glob)
{
	for (size_t i = 0; i < p->nfuncs; i++)
		if (symbol_name_matches(glob, p->funcs[i].name, p->funcs[i].alt))
			return true;
	return false;
}

static bool dso_sampled(const struct annotate_hits *h, const struct profile *p, const struct dso *d)
{
	for (size_t j = 0; j < h->n; j++) {
		const struct prof_func *f = &p->funcs[h->funcs[j].func];

		if (h->funcs[j].samples && f->path && !strcmp(f->path, d->path))
			return true;
	}
	return false;
}

struct dso *annotate_next_unreadable(const struct annotate_hits *h, const struct profile *p,
				     const struct session *s, size_t *pos)
{
	while (*pos < maps_ndsos(s->maps)) {
		struct dso *d = maps_dso(s->maps, (*pos)++);

		/* a stored image is always readable; an object never opened was never needed */
		if (d->image || !(d->changed || (d->opened && !d->obj)))
			continue;
		if (dso_sampled(h, p, d))
			return d;
	}
	return NULL;
}

/* ---- code ------------------------------------------------------------------ */

static struct dso *find_dso(const struct session *s, const struct prof_func *f)
{
	for (size_t i = 0; i < maps_ndsos(s->maps); i++) {
		struct dso *d = maps_dso(s->maps, i);

		/* objects without a file (the vDSO) are known by their name only */
		if (f->path ? !strcmp(d->path, f->path) : d->name && !strcmp(d->name, f->dso))
			return d;
	}
	return NULL;
}

/*
 * The symbol's range; without a symbol's size (stripped code named from its
 * CFI), up to past the last sample.
 */
static void code_range(struct annotate_code *c, const struct prof_func *f,
		       const struct annotate_func *a)
{
	struct elf_object *obj = dso_object(c->dso);
	uint64_t first = f->start ? f->start : a->hits[0].addr, sym_start = 0, size = 0;

	if (obj && elf_object_symbol(obj, first, &sym_start, &size) && sym_start == f->start) {
		c->start = sym_start;
	} else {
		c->start = first;
		size = a->hits[a->nhits - 1].addr + NO_SYMBOL_TAIL - c->start;
	}
	c->size = size > MAX_FUNC_SIZE ? MAX_FUNC_SIZE : size;
}

static int code_fail(struct annotate_code *c, enum annotate_code_why why, int ret)
{
	free(c->bytes);
	c->bytes = NULL;
	c->why = why;
	return ret;
}

/* c->size bytes from the file offset off of the object, or its stored image. */
static int code_bytes(struct annotate_code *c, uint64_t off)
{
	struct dso *d = c->dso;
	ssize_t n;
	int fd;

	c->bytes = xmalloc(c->size ? c->size : 1);
	if (d->image) {
		if (off > d->image_size || c->size > d->image_size - off)
			return code_fail(c, ANNOTATE_CODE_IMAGE_SHORT, -EIO);
		memcpy(c->bytes, d->image + off, c->size);
		return 0;
	}
	fd = file_open_regular(d->file, NULL);
	if (fd < 0) {
		c->err = fd;
		return code_fail(c, ANNOTATE_CODE_OPEN, fd);
	}
	n = pread(fd, c->bytes, c->size, (off_t)off);
	close(fd);
	if (n < 0)
		return code_fail(c, ANNOTATE_CODE_READ, -EIO);
	if ((uint64_t)n != c->size)
		return code_fail(c, ANNOTATE_CODE_FILE_SHORT, -EIO);
	return 0;
}

int annotate_code_init(struct annotate_code *c, const struct session *s, const struct profile *p,
		       const struct annotate_func *f)
{
	const struct prof_func *pf = &p->funcs[f->func];
	struct elf_object *obj;
	uint64_t off, avail;

	memset(c, 0, sizeof(*c));
	c->dso = find_dso(s, pf);
	if (!c->dso)
		return code_fail(c, ANNOTATE_CODE_NO_OBJECT, -ENOENT);
	code_range(c, pf, f);
	if (c->dso->no_file && !c->dso->image)
		return code_fail(c, ANNOTATE_CODE_NO_FILE, -ENOENT);
	obj = dso_object(c->dso);
	if (!obj) {
		c->err = c->dso->open_err;
		return code_fail(c, ANNOTATE_CODE_UNREADABLE, c->err ? c->err : -ENOENT);
	}
	if (c->dso->changed)
		return code_fail(c, ANNOTATE_CODE_CHANGED, -ESTALE);
	if (elf_object_file_offset(obj, c->start, &off, &avail) < 0)
		return code_fail(c, ANNOTATE_CODE_NOT_LOADED, -ENOENT);
	if (c->size > avail)
		c->size = avail;
	return code_bytes(c, off);
}

void annotate_code_release(struct annotate_code *c)
{
	free(c->bytes);
	c->bytes = NULL;
}

/* ---- naming targets ---------------------------------------------------------- */

void annotate_target_name(struct symbolizer *sym, const struct annotate_code *c, const char *func,
			  uint64_t target, char *buf, size_t bufsize)
{
	struct sym_frame fr;

	if (target >= c->start && target - c->start < c->size) {
		/* code named by its object and address ("liblzma.so.5+0x15ae0"): the same form */
		if (strstr(func, "+0x"))
			snprintf(buf, bufsize, "<%s+0x%" PRIx64 ">", c->dso->name, target);
		else
			snprintf(buf, bufsize, "<%s+0x%" PRIx64 ">", func, target - c->start);
		return;
	}
	if (sym && symbolize_user(sym, c->dso, target, &fr, 1) && !fr.synthetic && fr.start &&
	    target >= fr.start) {
		if (target == fr.start)
			snprintf(buf, bufsize, "<%s>", fr.func);
		else
			snprintf(buf, bufsize, "<%s+0x%" PRIx64 ">", fr.func, target - fr.start);
		return;
	}
	buf[0] = '\0';
}
