// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The symbolizer (see symbolize.h). Per object it keeps, opened on first
 * use: the separate debug file's symbols (when the object's own are thin)
 * and a source-line handle. Names it makes (demangled, "dso+0x..." ranges)
 * are interned, so one address or function is never named twice.
 */
#include "resolve/symbolize.h"
#include "resolve/cfi.h"
#include "resolve/debuginfo.h"
#include "resolve/demangle.h"
#include "resolve/elf.h"
#include "resolve/jit.h"
#include "resolve/kallsyms.h"
#include "resolve/maps.h"
#include "resolve/srcline.h"
#include "util/alloc.h"
#include "util/hash.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

struct dso_state {
	bool debug_tried;
	char *debug_path;	       /* the separate debug file, or NULL */
	struct elf_object *debug_syms; /* its symbols */
	bool srcline_tried;
	struct srcline *srcline;
};

struct symbolizer {
	struct kallsyms *kernel;
	unsigned flags;
	struct dso_state *dsos; /* by dso id */
	size_t ndsos;
	struct hash names;
	char **strings;
	size_t nstrings, astrings;
};

struct symbolizer *symbolizer_new(struct kallsyms *kernel, unsigned flags)
{
	struct symbolizer *s = xcalloc(1, sizeof(*s));

	s->kernel = kernel;
	s->flags = flags;
	hash_init(&s->names);
	return s;
}

void symbolizer_free(struct symbolizer *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->ndsos; i++) {
		free(s->dsos[i].debug_path);
		elf_object_free(s->dsos[i].debug_syms);
		srcline_close(s->dsos[i].srcline);
	}
	free(s->dsos);
	for (size_t i = 0; i < s->nstrings; i++)
		free(s->strings[i]);
	free(s->strings);
	hash_release(&s->names);
	free(s);
}

void symbolizer_set_kernel(struct symbolizer *s, struct kallsyms *kernel)
{
	s->kernel = kernel;
}

/* A copy of str that lives as long as the symbolizer, one per distinct text. */
static const char *intern(struct symbolizer *s, const char *str)
{
	int added;
	size_t i = hash_get(&s->names, str, strlen(str), s->nstrings, &added);

	if (added) {
		xgrow(&s->strings, &s->astrings, s->nstrings + 1, sizeof(*s->strings));
		s->strings[s->nstrings++] = xstrdup(str);
	}
	return s->strings[i];
}

/* Interns and frees a string made by the caller. */
static const char *intern_free(struct symbolizer *s, char *str)
{
	const char *r = intern(s, str);

	free(str);
	return r;
}

static struct dso_state *state_of(struct symbolizer *s, const struct dso *d)
{
	if (d->id >= s->ndsos) {
		size_t n = d->id + 1;

		s->dsos = realloc(s->dsos, n * sizeof(*s->dsos));
		if (!s->dsos)
			abort();
		memset(s->dsos + s->ndsos, 0, (n - s->ndsos) * sizeof(*s->dsos));
		s->ndsos = n;
	}
	return &s->dsos[d->id];
}

static const char *debug_path_of(struct symbolizer *s, struct dso *d, struct dso_state *st)
{
	if (st->debug_tried)
		return st->debug_path;
	st->debug_tried = true;
	if (!d->build_id_len && d->obj) {
		/* not recorded (maps read from /proc, old kernels): the file's own */
		size_t n = elf_object_build_id(d->obj, d->build_id, sizeof(d->build_id));

		d->build_id_len = n <= sizeof(d->build_id) ? (uint8_t)n : 0;
	}
	if (d->image && !d->build_id_len)
		return NULL;
	if (debuginfo_find(d->image ? NULL : d->file, d->build_id, d->build_id_len,
			   &st->debug_path) < 0) {
		st->debug_path = NULL;
		return NULL;
	}
	if (elf_object_new(st->debug_path, &st->debug_syms) < 0)
		st->debug_syms = NULL;
	return st->debug_path;
}

/* The name to show for a symbol's name, and the other form of it in *alt (see sym_frame). */
static const char *display_name(struct symbolizer *s, const char *name, const char **alt)
{
	char *full, *brief;

	*alt = NULL;
	if (!(s->flags & SYM_DEMANGLE) || !(full = demangle(name)))
		return intern(s, name);
	brief = demangle_brief(full);
	if (!brief)
		return intern_free(s, full);
	if (s->flags & SYM_SIGNATURE) {
		*alt = intern_free(s, brief);
		return intern_free(s, full);
	}
	*alt = intern_free(s, full);
	return intern_free(s, brief);
}

static size_t add_srclines(struct symbolizer *s, struct dso *d, struct dso_state *st,
			   uint64_t addr, struct sym_frame *out, size_t max)
{
	struct srcline_frame sf[SYM_MAX_INLINE];
	int n;
	size_t k = 0;

	if (!st->srcline_tried) {
		st->srcline_tried = true;
		srcline_open(d->image ? NULL : d->file, d->build_id, d->build_id_len,
			     &st->srcline);
	}
	if (!st->srcline)
		return 0;
	n = srcline_lookup(st->srcline, addr, sf, SYM_MAX_INLINE);
	if (n <= 0)
		return 0;
	if (!(s->flags & SYM_INLINE)) {
		/* the line of the code itself is the innermost one */
		out[0].file = sf[0].file ? intern(s, sf[0].file) : NULL;
		out[0].line = sf[0].line;
		return 1;
	}
	/* frames 0..n-2 are inlined into the next; the last is the function itself */
	for (int i = 0; i < n - 1 && k + 1 < max; i++, k++) {
		out[k].func = sf[i].function ? display_name(s, sf[i].function, &out[k].alt)
					     : "[unknown]";
		out[k].start = 0;
		out[k].file = sf[i].file ? intern(s, sf[i].file) : NULL;
		out[k].line = sf[i].line;
		out[k].inlined = true;
	}
	out[k].file = sf[n - 1].file ? intern(s, sf[n - 1].file) : NULL;
	out[k].line = sf[n - 1].line;
	return k + 1;
}

static bool is_signal_frame(struct cfi *c, uint64_t addr)
{
	struct unwind_rule r;
	uint64_t start, end;

	return cfi_rule(c, addr, &r, &start, &end) == 0 && r.signal;
}

size_t symbolize_user(struct symbolizer *s, struct dso *d, uint64_t addr, struct sym_frame *out,
		      size_t max)
{
	struct sym_frame fn = { .func = "[unknown]" };
	struct elf_object *obj;
	struct dso_state *st;
	uint64_t start = 0, size = 0, end;
	const char *name = NULL;
	struct cfi *c;
	size_t n = 0;

	if (!max)
		return 0;
	if (!d) {
		out[0] = fn;
		return 1;
	}
	if (d->jit) {
		/* JIT code: the runtime's name, else the address in its object */
		name = jit_syms_find(d->jit, addr, &start);
		if (name) {
			fn.func = display_name(s, name, &fn.alt);
			fn.start = start;
		} else {
			fn.func = intern_free(s, xasprintf("%s+0x%" PRIx64, d->name, addr));
			fn.synthetic = true;
		}
		out[0] = fn;
		return 1;
	}
	st = state_of(s, d);
	obj = dso_object(d);
	if (obj)
		name = elf_object_symbol(obj, addr, &start, &size);
	if (!name && obj && debug_path_of(s, d, st) && st->debug_syms)
		name = elf_object_symbol(st->debug_syms, addr, &start, &size);
	if (name) {
		fn.func = display_name(s, name, &fn.alt);
		fn.start = start;
	} else if ((c = dso_cfi(d)) && is_signal_frame(c, addr)) {
		/* the kernel's sigreturn trampoline (glibc's __restore_rt), rarely named */
		fn.func = "[sigreturn]";
		fn.synthetic = true;
	} else if (c && cfi_function(c, addr, &start, &end)) {
		/* no symbol: name the code by its CFI function, one line per function */
		fn.func = intern_free(s, xasprintf("%s+0x%" PRIx64, d->name, start));
		fn.start = start;
		fn.synthetic = true;
	} else {
		fn.func = intern_free(s, xasprintf("%s+0x%" PRIx64, d->name, addr));
		fn.synthetic = true;
	}
	if ((s->flags & (SYM_SRCLINE | SYM_INLINE)) && obj) {
		struct sym_frame lines[SYM_MAX_INLINE];

		memset(lines, 0, sizeof(lines));
		n = add_srclines(s, d, st, addr, lines, max < SYM_MAX_INLINE ? max : SYM_MAX_INLINE);
		if (n) {
			memcpy(out, lines, n * sizeof(*out));
			/* the ELF symbol names the function itself: DWARF may lack a name */
			out[n - 1].func = fn.func;
			out[n - 1].alt = fn.alt;
			out[n - 1].start = fn.start;
			out[n - 1].inlined = false;
			out[n - 1].synthetic = fn.synthetic;
			if (!(s->flags & SYM_SRCLINE))
				for (size_t i = 0; i < n; i++)
					out[i].file = NULL, out[i].line = 0;
			return n;
		}
	}
	out[0] = fn;
	return 1;
}

const char *symbolize_kernel(struct symbolizer *s, uint64_t addr, uint64_t *start)
{
	const char *name = NULL;

	*start = 0;
	if (s->kernel)
		name = kallsyms_find_start(s->kernel, addr, start);
	return name ? name : "[unknown]";
}
