// SPDX-License-Identifier: GPL-2.0-or-later
#include "resolve/srcline.h"
#include "resolve/debuginfo.h"
#include "resolve/elf.h"
#include "util/alloc.h"
#include "util/proc.h"
#include "util/hash.h"

#include <dwarf.h>
#include <elfutils/libdw.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Real code nests scopes a few dozen deep; hostile DWARF must not exhaust the stack. */
#define SCOPE_DEPTH_LIMIT 256
/* Inlined frames kept for one address: more than any compiler produces. */
#define INLINE_LIMIT 128
/* Ranges read for one DIE, against a range list that never ends. */
#define RANGES_LIMIT 65536
/* How far back a lookup looks past a range that does not hold the address (overlaps). */
#define OVERLAP_LIMIT 16

/* An address range of a unit (index into cus) or of a function (its DIE). */
struct cu_range {
	uint64_t low, high;
	size_t cu;
};

struct fn_range {
	uint64_t low, high;
	Dwarf_Die die;
};

struct cu_info {
	Dwarf_Die die;
	struct fn_range *fns; /* sorted by low, built on the unit's first lookup */
	size_t nfns, fns_alloc;
	bool indexed;
};

struct srcline {
	int fd;
	Elf *elf;
	Dwarf *dw;
	struct cu_info *cus;
	size_t ncus;
	struct cu_range *ranges; /* sorted by low, built on the first lookup */
	size_t nranges;
	bool indexed;
	struct hash names; /* interned text -> index in strs */
	char **strs;
	size_t nstrs, strs_alloc;
};

static const char *intern(struct srcline *s, const char *text)
{
	size_t len, idx;
	int added;

	if (!text)
		return NULL;
	len = strlen(text);
	idx = hash_get(&s->names, text, len, s->nstrs, &added);
	if (added) {
		xgrow(&s->strs, &s->strs_alloc, s->nstrs + 1, sizeof(*s->strs));
		s->strs[s->nstrs++] = xstrndup(text, len);
	}
	return s->strs[idx];
}

/*
 * The unit DIE that describes code, or false: a compilation unit, or the
 * split unit (-gsplit-dwarf) of a skeleton when libdw found its .dwo file
 * (the skeleton keeps the addresses, the split unit the functions; libdw
 * gives a split unit the skeleton's line table). Sets *ranges to the DIE
 * holding the unit's addresses.
 */
static bool code_unit(uint8_t type, Dwarf_Die *cudie, Dwarf_Die *subdie, Dwarf_Die **ranges,
		      Dwarf_Die **unit)
{
	*ranges = cudie;
	*unit = cudie;
	if (type == DW_UT_compile)
		return true;
	if (type == DW_UT_skeleton && dwarf_tag(subdie) == DW_TAG_compile_unit) {
		*unit = subdie;
		return true;
	}
	return false;
}

/* Whether the DWARF has at least one unit that describes code. */
static bool has_code_unit(Dwarf *dw)
{
	Dwarf_CU *cu = NULL, *next;
	Dwarf_Die cudie, subdie, *r, *u;
	Dwarf_Half version;
	uint8_t type;

	while (dwarf_get_units(dw, cu, &next, &version, &type, &cudie, &subdie) == 0) {
		if (code_unit(type, &cudie, &subdie, &r, &u))
			return true;
		cu = next;
	}
	return false;
}

/* 0, -ENOENT when the file has no usable DWARF, -ENOEXEC when it is no object, -errno. */
static int open_dwarf(struct srcline *s, const char *path)
{
	struct stat st;
	GElf_Ehdr eh;
	Elf *elf = NULL;
	Dwarf *dw = NULL;
	int fd, ret;

	if (elf_version(EV_CURRENT) == EV_NONE)
		return -ENOSYS;
	fd = file_open_regular(path, &st);
	if (fd < 0)
		return fd;
	ret = -ENOEXEC;
	if ((size_t)st.st_size < EI_NIDENT)
		goto fail;
	/* mapped, libelf knows the file size and checks every header against it */
	elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	if (!elf || elf_kind(elf) != ELF_K_ELF || !gelf_getehdr(elf, &eh) ||
	    (eh.e_type != ET_EXEC && eh.e_type != ET_DYN))
		goto fail;
	ret = -ENOENT;
	dw = dwarf_begin_elf(elf, DWARF_C_READ, NULL);
	if (!dw || !has_code_unit(dw))
		goto fail;
	s->fd = fd;
	s->elf = elf;
	s->dw = dw;
	return 0;
fail:
	if (dw)
		dwarf_end(dw);
	if (elf)
		elf_end(elf);
	close(fd);
	return ret;
}

int srcline_open(const char *path, const uint8_t *build_id, size_t build_id_len,
		 struct srcline **out)
{
	struct srcline *s = xcalloc(1, sizeof(*s));
	uint8_t id[ELF_BUILD_ID_LIMIT];
	char *debug = NULL;
	bool path_ok = true;
	int ret = -ENOENT;

	s->fd = -1;
	hash_init(&s->names);
	if (path && build_id && build_id_len) {
		int n = elf_file_build_id(path, id, sizeof(id));

		/* the file was replaced since the profile: its lines would be wrong */
		if (n > 0 && ((size_t)n != build_id_len || memcmp(id, build_id, build_id_len)))
			path_ok = false;
	} else if (path) {
		int n = elf_file_build_id(path, id, sizeof(id));

		build_id = id;
		build_id_len = n > 0 && n <= (int)sizeof(id) ? (size_t)n : 0;
	}
	if (path && path_ok)
		ret = open_dwarf(s, path);
	if (ret == 0) {
		*out = s;
		return 0;
	}
	if (debuginfo_find(path, build_id, build_id_len, &debug) == 0) {
		if (open_dwarf(s, debug) == 0) {
			free(debug);
			*out = s;
			return 0;
		}
		free(debug);
	}
	srcline_close(s);
	*out = NULL;
	return ret;
}

void srcline_close(struct srcline *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->ncus; i++)
		free(s->cus[i].fns);
	free(s->cus);
	free(s->ranges);
	for (size_t i = 0; i < s->nstrs; i++)
		free(s->strs[i]);
	free(s->strs);
	hash_release(&s->names);
	if (s->dw)
		dwarf_end(s->dw);
	if (s->elf)
		elf_end(s->elf);
	if (s->fd >= 0)
		close(s->fd);
	free(s);
}

/* Calls add(ctx, low, high) for each non-empty address range of die. */
static void die_ranges(Dwarf_Die *die, void (*add)(void *ctx, uint64_t low, uint64_t high),
		       void *ctx)
{
	Dwarf_Addr base, low, high;
	ptrdiff_t off = 0;

	for (int n = 0; n < RANGES_LIMIT && (off = dwarf_ranges(die, off, &base, &low, &high)) > 0;
	     n++) {
		if (low < high)
			add(ctx, low, high);
	}
}

struct unit_adder {
	struct srcline *s;
	size_t alloc;
};

static void add_unit_range(void *ctx, uint64_t low, uint64_t high)
{
	struct unit_adder *a = ctx;
	struct srcline *s = a->s;

	xgrow(&s->ranges, &a->alloc, s->nranges + 1, sizeof(*s->ranges));
	s->ranges[s->nranges].low = low;
	s->ranges[s->nranges].high = high;
	s->ranges[s->nranges].cu = s->ncus;
	s->nranges++;
}

static void index_units(struct srcline *s)
{
	struct unit_adder adder = { .s = s };
	size_t cus_alloc = 0;
	Dwarf_CU *cu = NULL, *next;
	Dwarf_Die cudie, subdie, *ranges, *unit;
	Dwarf_Half version;
	uint8_t type;

	s->indexed = true;
	while (dwarf_get_units(s->dw, cu, &next, &version, &type, &cudie, &subdie) == 0) {
		cu = next;
		/* partial units (dwz) hold no code of their own, type units none at all */
		if (!code_unit(type, &cudie, &subdie, &ranges, &unit))
			continue;
		die_ranges(ranges, add_unit_range, &adder);
		xgrow(&s->cus, &cus_alloc, s->ncus + 1, sizeof(*s->cus));
		memset(&s->cus[s->ncus], 0, sizeof(s->cus[s->ncus]));
		s->cus[s->ncus++].die = *unit;
	}
}

struct fn_adder {
	struct cu_info *c;
	Dwarf_Die *die;
};

static void add_fn_range(void *ctx, uint64_t low, uint64_t high)
{
	struct fn_adder *a = ctx;
	struct cu_info *c = a->c;

	xgrow(&c->fns, &c->fns_alloc, c->nfns + 1, sizeof(*c->fns));
	c->fns[c->nfns].low = low;
	c->fns[c->nfns].high = high;
	c->fns[c->nfns].die = *a->die;
	c->nfns++;
}

/*
 * The out-of-line functions among the children of parent, and inside the
 * namespaces and types that may hold them (C++ and Rust put functions in
 * namespaces). Function bodies are skipped: libdw jumps over them with
 * DW_AT_sibling. Siblings must move forward, so that a damaged sibling
 * link cannot loop.
 */
static void index_dies(struct cu_info *c, Dwarf_Die *parent, int depth)
{
	Dwarf_Off prev = dwarf_dieoffset(parent);
	Dwarf_Die child;

	if (depth > SCOPE_DEPTH_LIMIT || dwarf_child(parent, &child) != 0)
		return;
	do {
		Dwarf_Off off = dwarf_dieoffset(&child);

		if (off <= prev)
			break;
		prev = off;
		switch (dwarf_tag(&child)) {
		case DW_TAG_subprogram: {
			struct fn_adder a = { c, &child };

			/* a function's cold part is a second range of the same DIE */
			die_ranges(&child, add_fn_range, &a);
			break;
		}
		case DW_TAG_namespace:
		case DW_TAG_module:
		case DW_TAG_class_type:
		case DW_TAG_structure_type:
		case DW_TAG_union_type:
		case DW_TAG_interface_type:
			if (dwarf_haschildren(&child) > 0)
				index_dies(c, &child, depth + 1);
			break;
		default:
			break;
		}
	} while (dwarf_siblingof(&child, &child) == 0);
}

static int cmp_fn(const void *a, const void *b)
{
	const struct fn_range *x = a, *y = b;

	if (x->low != y->low)
		return x->low < y->low ? -1 : 1;
	return x->high < y->high ? -1 : x->high > y->high;
}

static int cmp_cu(const void *a, const void *b)
{
	const struct cu_range *x = a, *y = b;

	if (x->low != y->low)
		return x->low < y->low ? -1 : 1;
	return x->high < y->high ? -1 : x->high > y->high;
}

/*
 * The index of the entry holding addr in an array of ranges sorted by low
 * (low and high at the start of each element of `size` bytes), or -1.
 */
static ptrdiff_t range_find(const void *base, size_t n, size_t size, uint64_t addr)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const uint64_t *r = (const uint64_t *)((const char *)base + mid * size);

		if (r[0] <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	/* ranges should not overlap, but one may sit inside a bigger one */
	for (size_t i = lo, k = 0; i > 0 && k < OVERLAP_LIMIT; i--, k++) {
		const uint64_t *r = (const uint64_t *)((const char *)base + (i - 1) * size);

		if (addr < r[1])
			return (ptrdiff_t)(i - 1);
	}
	return -1;
}

static struct cu_info *find_unit(struct srcline *s, uint64_t addr)
{
	ptrdiff_t i;

	if (!s->indexed) {
		index_units(s);
		if (s->nranges > 1)
			qsort(s->ranges, s->nranges, sizeof(*s->ranges), cmp_cu);
	}
	i = range_find(s->ranges, s->nranges, sizeof(*s->ranges), addr);
	return i < 0 ? NULL : &s->cus[s->ranges[i].cu];
}

static Dwarf_Die *find_function(struct cu_info *c, uint64_t addr)
{
	ptrdiff_t i;

	if (!c->indexed) {
		c->indexed = true;
		index_dies(c, &c->die, 0);
		if (c->nfns > 1)
			qsort(c->fns, c->nfns, sizeof(*c->fns), cmp_fn);
	}
	i = range_find(c->fns, c->nfns, sizeof(*c->fns), addr);
	return i < 0 ? NULL : &c->fns[i].die;
}

static bool has_pc_attrs(Dwarf_Die *die)
{
	return dwarf_hasattr(die, DW_AT_low_pc) || dwarf_hasattr(die, DW_AT_ranges);
}

/*
 * Appends to chain (outermost first) the inlined subroutines under die that
 * hold addr, going down through the lexical blocks, and returns the new
 * count. A block without addresses of its own may still hold inlined code.
 */
static int find_inlined(Dwarf_Die *die, uint64_t addr, Dwarf_Die *chain, int n, int depth)
{
	Dwarf_Off prev = dwarf_dieoffset(die);
	Dwarf_Die child;

	if (depth > SCOPE_DEPTH_LIMIT || n >= INLINE_LIMIT || dwarf_child(die, &child) != 0)
		return n;
	do {
		Dwarf_Off off = dwarf_dieoffset(&child);
		int m;

		if (off <= prev)
			break;
		prev = off;
		switch (dwarf_tag(&child)) {
		case DW_TAG_inlined_subroutine:
			if (dwarf_haspc(&child, addr) == 1) {
				chain[n] = child;
				return find_inlined(&chain[n], addr, chain, n + 1, depth + 1);
			}
			break;
		case DW_TAG_lexical_block:
		case DW_TAG_try_block:
		case DW_TAG_catch_block:
		case DW_TAG_with_stmt:
			if (has_pc_attrs(&child)) {
				if (dwarf_haspc(&child, addr) == 1)
					return find_inlined(&child, addr, chain, n, depth + 1);
				break;
			}
			m = find_inlined(&child, addr, chain, n, depth + 1);
			if (m > n)
				return m;
			break;
		default:
			break;
		}
	} while (dwarf_siblingof(&child, &child) == 0);
	return n;
}

/* The mangled name, which qualifies it, else the plain one; both may come through origins. */
static const char *die_name(struct srcline *s, Dwarf_Die *die)
{
	static const unsigned attrs[] = { DW_AT_linkage_name, DW_AT_MIPS_linkage_name, DW_AT_name };

	for (size_t i = 0; i < ARRAY_SIZE(attrs); i++) {
		Dwarf_Attribute attr;
		const char *name;

		if (dwarf_attr_integrate(die, attrs[i], &attr) &&
		    (name = dwarf_formstring(&attr)) && *name)
			return intern(s, name);
	}
	return NULL;
}

/* Where an inlined subroutine was called from, in the file table of its unit. */
static void call_site(struct srcline *s, Dwarf_Die *cudie, Dwarf_Die *inl, struct srcline_frame *f)
{
	Dwarf_Attribute attr;
	Dwarf_Files *files;
	Dwarf_Word v;
	size_t nfiles;

	f->file = NULL;
	f->line = 0;
	if (dwarf_attr(inl, DW_AT_call_file, &attr) && dwarf_formudata(&attr, &v) == 0 &&
	    dwarf_getsrcfiles(cudie, &files, &nfiles) == 0 && v < nfiles)
		f->file = intern(s, dwarf_filesrc(files, v, NULL, NULL));
	if (dwarf_attr(inl, DW_AT_call_line, &attr) && dwarf_formudata(&attr, &v) == 0)
		f->line = v > UINT_MAX ? 0 : (unsigned)v;
}

int srcline_lookup(struct srcline *s, uint64_t vaddr, struct srcline_frame *frames, int max)
{
	Dwarf_Die chain[INLINE_LIMIT], *fn;
	struct srcline_frame top = { 0 };
	struct cu_info *c;
	Dwarf_Line *line;
	int n, filled = 0;
	bool end = false;

	if (!s || max <= 0)
		return 0;
	c = find_unit(s, vaddr);
	if (!c)
		return 0;
	line = dwarf_getsrc_die(&c->die, vaddr);
	if (line && dwarf_lineendsequence(line, &end) == 0 && !end) {
		int lineno = 0;

		Dwarf_Attribute attr;

		top.file = intern(s, dwarf_linesrc(line, NULL, NULL));
		if (dwarf_lineno(line, &lineno) == 0 && lineno > 0)
			top.line = (unsigned)lineno;
		top.comp_dir = intern(s, dwarf_formstring(dwarf_attr(&c->die, DW_AT_comp_dir, &attr)));
	}
	fn = find_function(c, vaddr);
	if (!fn) {
		if (!top.file)
			return 0;
		frames[0] = top;
		return 1;
	}
	n = find_inlined(fn, vaddr, chain, 0, 0);
	/* frames: chain[n-1] (innermost) ... chain[0], then fn; keep the innermost max */
	for (int i = 0; i <= n && i < max; i++) {
		Dwarf_Die *die = i < n ? &chain[n - 1 - i] : fn;

		if (i == 0) {
			frames[0] = top;
		} else {
			/* the previous frame's function was called from here */
			call_site(s, &c->die, &chain[n - i], &frames[i]);
		}
		frames[i].function = die_name(s, die);
		filled++;
	}
	return filled;
}
