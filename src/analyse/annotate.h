/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * annotate's data: the samples of a profile whose leaf is a user function,
 * by function and by address (the instruction each was taken at); which
 * functions to show (the hottest N, or those a glob names, of one object or
 * all); where a function's code is (its object in the recording, its range
 * from the symbol table, or up to past its last sample when there is no
 * symbol's size) and its bytes, read from the object or from the image the
 * recording stored (the vDSO); and names for jump and call targets.
 * Decoding the bytes is analyse/disasm.h's, the text output/annotate.h's.
 *
 * Nothing here prints. annotate_hits_release() frees what annotate_hits_init()
 * made; annotate_code_release() frees the bytes annotate_code_init() read.
 */
#ifndef PMUPROF_ANALYSE_ANNOTATE_H
#define PMUPROF_ANALYSE_ANNOTATE_H

#include "analyse/profile.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct disasm_insn;
struct dso;
struct session;
struct symbolizer;

struct annotate_hit {
	uint64_t addr; /* in the object */
	uint64_t samples;
};

struct annotate_func {
	uint32_t func;		   /* index in the profile's funcs */
	uint64_t samples;	   /* leaf samples in it */
	struct annotate_hit *hits; /* by address, lowest first */
	size_t nhits, ahits;
	bool chosen; /* by annotate_choose() */
};

struct annotate_hits {
	struct annotate_func *funcs; /* one per function of the profile, most samples first */
	size_t n;
	uint64_t kernel_samples; /* leaf samples in the kernel, whose code is not recorded */
};

void annotate_hits_init(struct annotate_hits *h, const struct profile *p);
void annotate_hits_release(struct annotate_hits *h);

/*
 * The samples of f at the instruction of `size` bytes at addr: a sample
 * inside it (where a bad decode split the code differently) counts for it.
 */
uint64_t annotate_samples_at(const struct annotate_func *f, uint64_t addr, uint64_t size);

/*
 * Marks the functions to show (chosen) and returns how many: user
 * functions with samples of their own, of the object dso (its short name or
 * path) when not NULL; those that symbol names (either form of a C++ name,
 * or a glob: resolve/filter.h's symbol_name_matches()), or without one the
 * `top` hottest.
 */
size_t annotate_choose(struct annotate_hits *h, const struct profile *p, const char *symbol,
		       const char *dso, size_t top);
/* Whether any function of p, sampled as a leaf or not, is one that glob names (as above). */
bool annotate_name_exists(const struct profile *p, const char *glob);
/*
 * The objects of session s that hold samples of h but whose names could
 * not be read (changed since the recording, or unreadable), one per call
 * from *pos (0 at first); NULL after the last.
 */
struct dso *annotate_next_unreadable(const struct annotate_hits *h, const struct profile *p,
				     const struct session *s, size_t *pos);

/* ---- a function's code ---------------------------------------------------- */

enum annotate_code_why {
	ANNOTATE_CODE_OK,
	ANNOTATE_CODE_NO_OBJECT,   /* the recording maps no object for the function */
	ANNOTATE_CODE_UNREADABLE,  /* the object cannot be opened: err (-ENOENT: gone) */
	ANNOTATE_CODE_NO_FILE,	   /* it ran from memory no file holds (a memfd, //anon) */
	ANNOTATE_CODE_CHANGED,	   /* its build-id is not the recorded one */
	ANNOTATE_CODE_NOT_LOADED,  /* start is in no loaded part of the object */
	ANNOTATE_CODE_IMAGE_SHORT, /* the image stored in the recording is too short */
	ANNOTATE_CODE_OPEN,	   /* the file cannot be opened: err */
	ANNOTATE_CODE_READ,	   /* reading it failed */
	ANNOTATE_CODE_FILE_SHORT,  /* the file is shorter than its program headers say */
};

struct annotate_code {
	struct dso *dso;      /* the function's object; NULL with ANNOTATE_CODE_NO_OBJECT */
	uint64_t start, size; /* the range in the object (size: what was, or was to be, read) */
	uint8_t *bytes;	      /* size bytes when read */
	enum annotate_code_why why;
	int err; /* -errno, with UNREADABLE and OPEN */
};

/*
 * The code of f, from the object the recording mapped for it, or from its
 * stored image: 0, or -errno with c->why saying which case it is. At most
 * 1 MiB of it.
 */
int annotate_code_init(struct annotate_code *c, const struct session *s, const struct profile *p,
		       const struct annotate_func *f);
void annotate_code_release(struct annotate_code *c);

/*
 * The address of f's instruction with the most samples, and their number
 * (0, and *addr 0, when no instruction has any).
 */
uint64_t annotate_hottest(const struct annotate_func *f, const struct disasm_insn *insns, size_t n,
			  uint64_t *addr);

/*
 * "<name+0x1c>" for a jump or call target in c's object: relative to
 * `func` (the name of the function c holds) when inside it, else to the
 * symbol that holds it (looked up with sym; NULL: none). "" when unknown.
 */
void annotate_target_name(struct symbolizer *sym, const struct annotate_code *c, const char *func,
			  uint64_t target, char *buf, size_t bufsize);

#endif
