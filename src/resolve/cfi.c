// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * CFI rows from libdw, turned into compact unwind rules (see cfi.h).
 */
#include "resolve/cfi.h"
#include "util/alloc.h"
#include "util/proc.h"

#include <dwarf.h>
#include <elfutils/libdw.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* One ELF file (or image) and what libdw made of it. */
struct cfi_source {
	int fd;
	Elf *elf;
	Dwarf *dwarf;	     /* for .debug_frame; NULL when none */
	Dwarf_CFI *eh;	     /* .eh_frame, owned (dwarf_cfi_end) */
	Dwarf_CFI *debug;    /* .debug_frame, owned by dwarf */
};

struct cfi {
	struct cfi_source obj, dbg;
	void *image;	     /* the copy elf_memory() reads */
	uint64_t *fde_starts; /* sorted function starts from .eh_frame_hdr */
	size_t nfdes;
	/* libdw caches what it parsed in the Dwarf_CFI: one thread at a time asks it */
	pthread_mutex_t lock;
};

static void source_release(struct cfi_source *s)
{
	if (s->eh)
		dwarf_cfi_end(s->eh);
	if (s->dwarf)
		dwarf_end(s->dwarf);
	if (s->elf)
		elf_end(s->elf);
	if (s->fd >= 0)
		close(s->fd);
	memset(s, 0, sizeof(*s));
	s->fd = -1;
}

static int source_open(struct cfi_source *s, const char *path, void *image, size_t size)
{
	s->fd = -1;
	if (image) {
		s->elf = elf_memory(image, size);
	} else {
		s->fd = file_open_regular(path, NULL);
		if (s->fd < 0)
			return s->fd;
		/* ELF_C_READ, not _MMAP: a file rewritten under us cannot SIGBUS the report */
		s->elf = elf_begin(s->fd, ELF_C_READ, NULL);
	}
	if (!s->elf || elf_kind(s->elf) != ELF_K_ELF) {
		source_release(s);
		return -ENOEXEC;
	}
	s->eh = dwarf_getcfi_elf(s->elf);
	s->dwarf = dwarf_begin_elf(s->elf, DWARF_C_READ, NULL);
	if (s->dwarf)
		s->debug = dwarf_getcfi(s->dwarf);
	return 0;
}

/* Bytes of an .eh_frame_hdr pointer encoding we accept, 0 for others. */
static size_t enc_size(uint8_t enc)
{
	switch (enc & 0x0f) {
	case DW_EH_PE_udata4:
	case DW_EH_PE_sdata4:
		return 4;
	case DW_EH_PE_udata8:
	case DW_EH_PE_sdata8:
		return 8;
	default:
		return 0;
	}
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * .eh_frame_hdr: version 1, three encodings, the .eh_frame pointer, the
 * count, then (initial location, FDE address) pairs sorted by location.
 * Linkers write the table as datarel sdata4 (relative to the header);
 * other encodings are left alone (no function extents then).
 */
static void load_fde_table(struct cfi *c, Elf *elf)
{
	size_t shstrndx, psize, csize;
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;
	Elf_Data *d;
	const uint8_t *p;
	uint32_t count;

	if (elf_getshdrstrndx(elf, &shstrndx) < 0)
		return;
	while ((scn = elf_nextscn(elf, scn))) {
		const char *name;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_PROGBITS)
			continue;
		name = elf_strptr(elf, shstrndx, sh.sh_name);
		if (name && !strcmp(name, ".eh_frame_hdr"))
			break;
	}
	if (!scn || !(d = elf_getdata(scn, NULL)) || !d->d_buf || d->d_size < 4)
		return;
	p = d->d_buf;
	psize = enc_size(p[1]);
	csize = enc_size(p[2]);
	if (p[0] != 1 || !psize || (p[2] != DW_EH_PE_udata4) ||
	    p[3] != (DW_EH_PE_datarel | DW_EH_PE_sdata4) || d->d_size < 4 + psize + csize)
		return;
	memcpy(&count, p + 4 + psize, 4);
	p += 4 + psize + csize;
	if (count > (d->d_size - (size_t)(p - (const uint8_t *)d->d_buf)) / 8)
		return;
	c->fde_starts = xmalloc((count ? count : 1) * sizeof(*c->fde_starts));
	for (uint32_t i = 0; i < count; i++) {
		int32_t rel;

		memcpy(&rel, p + 8 * (size_t)i, 4);
		c->fde_starts[i] = sh.sh_addr + (uint64_t)(int64_t)rel;
	}
	c->nfdes = count;
	/* sorted by the linker; a damaged table must not break the binary search */
	qsort(c->fde_starts, c->nfdes, sizeof(*c->fde_starts), cmp_u64);
}

int cfi_open(const char *path, const void *image, size_t size, const char *debug_path,
	     struct cfi **out)
{
	struct cfi *c = xcalloc(1, sizeof(*c));
	int ret;

	*out = NULL;
	pthread_mutex_init(&c->lock, NULL);
	elf_version(EV_CURRENT);
	c->obj.fd = c->dbg.fd = -1;
	if (image) {
		c->image = xmalloc(size ? size : 1);
		memcpy(c->image, image, size);
	}
	ret = source_open(&c->obj, path, c->image, size);
	if (ret < 0) {
		cfi_close(c);
		return ret;
	}
	if (debug_path && source_open(&c->dbg, debug_path, NULL, 0) < 0)
		c->dbg.fd = -1;
	if (!c->obj.eh && !c->obj.debug && !c->dbg.debug) {
		cfi_close(c);
		return -ENODATA;
	}
	load_fde_table(c, c->obj.elf);
	*out = c;
	return 0;
}

void cfi_close(struct cfi *c)
{
	if (!c)
		return;
	source_release(&c->obj);
	source_release(&c->dbg);
	free(c->image);
	free(c->fde_starts);
	pthread_mutex_destroy(&c->lock);
	free(c);
}

static bool fits16(int64_t v)
{
	return v >= INT16_MIN && v <= INT16_MAX;
}

/* Where a register is saved, from the location libdw describes. */
static enum reg_where register_where(Dwarf_Frame *f, int regno, int16_t *off)
{
	Dwarf_Op mem[3], *ops = NULL;
	size_t nops = 0;
	int64_t v;

	*off = 0;
	if (dwarf_frame_register(f, regno, mem, &ops, &nops) != 0)
		return REG_UNDEF;
	if (nops == 0)
		return ops ? REG_UNDEF : REG_SAME; /* libdw's encoding of the two */
	/*
	 * DW_CFA_expression rules come with the CFA pushed first, as DWARF
	 * evaluates them: [call_frame_cfa, breg7 N] saves at rsp + N (signal frames).
	 */
	if (nops == 2 && ops[0].atom == DW_OP_call_frame_cfa && ops[1].atom == DW_OP_breg7) {
		v = (int64_t)ops[1].number;
		if (!fits16(v))
			return REG_UNDEF;
		*off = (int16_t)v;
		return REG_AT_SP;
	}
	if (ops[0].atom == DW_OP_call_frame_cfa) {
		if (nops == 1)
			return REG_AT_CFA;
		if (nops == 2 && ops[1].atom == DW_OP_plus_uconst) {
			v = (int64_t)ops[1].number;
			if (!fits16(v))
				return REG_UNDEF;
			*off = (int16_t)v;
			return REG_AT_CFA;
		}
		return REG_UNDEF;
	}
	if (nops == 1 && ops[0].atom == DW_OP_breg7) {
		v = (int64_t)ops[0].number;
		if (!fits16(v))
			return REG_UNDEF;
		*off = (int16_t)v;
		return REG_AT_SP;
	}
	return REG_UNDEF;
}

/*
 * The PLT's CFA: rsp + 8 until the push in each 16-byte entry, then + 16.
 * Written by linkers as breg7 A; breg16 0; lit M; and; lit K; ge; lit3; shl; plus.
 */
static bool plt_expression(const Dwarf_Op *ops, size_t nops, struct unwind_rule *r)
{
	if (nops != 9 || ops[0].atom != DW_OP_breg7 || ops[1].atom != DW_OP_breg16 ||
	    ops[1].number != 0 || ops[2].atom < DW_OP_lit0 || ops[2].atom > DW_OP_lit31 ||
	    ops[3].atom != DW_OP_and || ops[4].atom < DW_OP_lit0 || ops[4].atom > DW_OP_lit31 ||
	    ops[5].atom != DW_OP_ge || ops[6].atom != DW_OP_lit3 || ops[7].atom != DW_OP_shl ||
	    ops[8].atom != DW_OP_plus || !fits16((int64_t)ops[0].number))
		return false;
	r->cfa = CFA_PLT;
	r->cfa_off = (int32_t)(int64_t)ops[0].number;
	r->plt_mask = (uint8_t)(ops[2].atom - DW_OP_lit0);
	r->plt_cmp = (uint8_t)(ops[4].atom - DW_OP_lit0);
	return true;
}

static void translate(Dwarf_Frame *f, struct unwind_rule *r)
{
	Dwarf_Op *ops = NULL;
	size_t nops = 0;
	Dwarf_Addr start, end;
	bool signal = false;
	int ra_reg;

	ra_reg = dwarf_frame_info(f, &start, &end, &signal);
	r->signal = signal;
	if (ra_reg < 0 || dwarf_frame_cfa(f, &ops, &nops) != 0) {
		r->cfa = CFA_UNSUPPORTED;
		return;
	}
	if (nops == 1 && ops[0].atom == DW_OP_bregx && (ops[0].number == 7 || ops[0].number == 6) &&
	    fits16((int64_t)ops[0].number2)) {
		r->cfa = ops[0].number == 7 ? CFA_SP : CFA_BP;
		r->cfa_off = (int32_t)(int64_t)ops[0].number2;
	} else if (nops == 2 && ops[0].atom == DW_OP_breg7 && ops[1].atom == DW_OP_deref &&
		   fits16((int64_t)ops[0].number)) {
		r->cfa = CFA_DEREF_SP;
		r->cfa_off = (int32_t)(int64_t)ops[0].number;
	} else if (!plt_expression(ops, nops, r)) {
		r->cfa = CFA_UNSUPPORTED;
		return;
	}
	r->ra = (uint8_t)register_where(f, ra_reg, &r->ra_off);
	if (r->ra == REG_UNDEF) {
		/* the outermost frame marks its return address undefined (_start, clone3) */
		r->cfa = CFA_END;
		return;
	}
	if (r->ra == REG_SAME) {
		r->cfa = CFA_UNSUPPORTED;
		return;
	}
	r->bp = (uint8_t)register_where(f, 6, &r->bp_off);
}

int cfi_rule(struct cfi *c, uint64_t vaddr, struct unwind_rule *rule, uint64_t *start,
	     uint64_t *end)
{
	Dwarf_CFI *order[3] = { c->obj.eh, c->obj.debug, c->dbg.debug };
	Dwarf_Frame *f = NULL;

	memset(rule, 0, sizeof(*rule));
	rule->cfa = CFA_NONE;
	*start = *end = vaddr;
	pthread_mutex_lock(&c->lock);
	for (size_t i = 0; i < ARRAY_SIZE(order); i++) {
		Dwarf_Addr s, e;
		bool sig;

		if (!order[i] || dwarf_cfi_addrframe(order[i], vaddr, &f) != 0)
			continue;
		translate(f, rule);
		if (dwarf_frame_info(f, &s, &e, &sig) >= 0 && s <= vaddr && vaddr < e) {
			*start = s;
			*end = e;
		}
		free(f);
		break;
	}
	pthread_mutex_unlock(&c->lock);
	return 0;
}

bool cfi_function(const struct cfi *c, uint64_t vaddr, uint64_t *start, uint64_t *end)
{
	size_t lo = 0, hi = c->nfdes;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (c->fde_starts[mid] <= vaddr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0)
		return false;
	*start = c->fde_starts[lo - 1];
	*end = lo < c->nfdes ? c->fde_starts[lo] : UINT64_MAX;
	return true;
}
