/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unwind rules from an object's DWARF call frame information (.eh_frame,
 * else .debug_frame of the object or of its separate debug file), read
 * with libdw. libdw interprets the CIE and FDE programs; this module turns
 * the row that covers an address into a compact rule the unwinder can apply
 * without libdw (and cache): where the canonical frame address (CFA) is
 * (rsp or rbp plus an offset, a signal frame's saved rsp, or the PLT's
 * expression), and where the return address and the caller's rbp are
 * saved. x86-64 only: the registers are DWARF 6 (rbp), 7 (rsp), 16 (rip).
 *
 * It also gives the extent of the function (FDE) holding an address, from
 * the .eh_frame_hdr search table, so that code without symbols can be
 * named by its function's start.
 *
 * A struct cfi keeps the object's file open (libdw reads it lazily) until
 * cfi_close().
 */
#ifndef PMUPROF_CFI_H
#define PMUPROF_CFI_H

#include "util/compiler.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum cfa_kind {
	CFA_NONE,      /* no CFI covers the address */
	CFA_SP,	       /* CFA = rsp + cfa_off */
	CFA_BP,	       /* CFA = rbp + cfa_off */
	CFA_DEREF_SP,  /* CFA = *(rsp + cfa_off): a signal frame's saved rsp */
	CFA_PLT,       /* CFA = rsp + cfa_off + ((rip & plt_mask) >= plt_cmp ? 8 : 0) */
	CFA_END,       /* the return address is undefined: the outermost frame */
	CFA_UNSUPPORTED, /* CFI of a form this unwinder cannot apply */
};

enum reg_where {
	REG_SAME,   /* unchanged in the caller (rbp only) */
	REG_AT_CFA, /* saved at CFA + off */
	REG_AT_SP,  /* saved at rsp + off (signal frames: DW_CFA_expression breg7) */
	REG_UNDEF,  /* undefined */
};

/* 16 bytes: what the unwinder caches per address. */
struct unwind_rule {
	uint8_t cfa;	 /* enum cfa_kind */
	uint8_t ra;	 /* enum reg_where for the return address */
	uint8_t bp;	 /* enum reg_where for rbp */
	uint8_t signal;	 /* a signal frame: the caller's ip is exact, not a return address */
	int32_t cfa_off;
	int16_t ra_off, bp_off;
	uint8_t plt_mask, plt_cmp;
	uint16_t pad;
};

struct cfi;

/*
 * Opens the CFI of the ELF file `path`, or of `image` (size bytes, copied)
 * when image is not NULL. debug_path, when not NULL, names a separate debug
 * file whose .debug_frame is used where .eh_frame has nothing. -ENOENT etc.
 * from open, -ENOEXEC when it is not ELF, -ENODATA when it has no CFI.
 */
int cfi_open(const char *path, const void *image, size_t size, const char *debug_path,
	     struct cfi **out);
void cfi_close(struct cfi *c); /* NULL is a no-op */

/*
 * The rule at the object's virtual address vaddr, and the range [*start,
 * *end) of addresses it holds for; threads may ask at once (they take
 * turns inside libdw, which is not thread-safe on one handle). Returns 0
 * (rule->cfa may be CFA_NONE or CFA_UNSUPPORTED, with the range unknown:
 * *start = *end = vaddr).
 */
int cfi_rule(struct cfi *c, uint64_t vaddr, struct unwind_rule *rule, uint64_t *start,
	     uint64_t *end);

/*
 * The start of the function (FDE) holding vaddr, from .eh_frame_hdr: true
 * with *start and *end (the next FDE's start, an upper bound), false when
 * unknown.
 */
bool cfi_function(const struct cfi *c, uint64_t vaddr, uint64_t *start, uint64_t *end);

#endif
