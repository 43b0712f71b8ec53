/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Names for addresses: the function of an address in an object, from the
 * object's .symtab/.dynsym or its separate debug file; for code without
 * symbols, the start of its CFI function range ("liblzma.so.5+0x16900"),
 * so that a stripped function still shows as one line; optionally the
 * source line and the chain of inlined calls (libdw, one handle per
 * object), and C++ names demangled: by default as perf shows them,
 * without return type and parameters ("ns::Foo<int>::bar"), the full
 * signature beside them for filters to match. Kernel addresses are named
 * from /proc/kallsyms when given.
 *
 * Everything a symbolizer returns (names, files) stays valid until
 * symbolizer_free(); the caller symbolizes each distinct address once.
 */
#ifndef PMUPROF_SYMBOLIZE_H
#define PMUPROF_SYMBOLIZE_H

#include "util/compiler.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct dso;
struct kallsyms;

enum {
	SYM_DEMANGLE = 1 << 0, /* C++ and Rust names demangled */
	SYM_SRCLINE = 1 << 1,  /* file and line of each address */
	SYM_INLINE = 1 << 2,   /* inlined functions as frames of their own */
	SYM_SIGNATURE = 1 << 3, /* with SYM_DEMANGLE: C++ names as full signatures */
};

struct sym_frame {
	const char *func;  /* never NULL: a name, "dso+0xSTART", or "[unknown]" */
	/*
	 * The other form of a demangled C++ name: its full signature when func
	 * is the short name, the short name with SYM_SIGNATURE; NULL when the
	 * name has one form only (C, Rust, not demangled).
	 */
	const char *alt;
	uint64_t start;	   /* the function's start in the object, 0 when unknown */
	const char *file;  /* with SYM_SRCLINE, else NULL */
	unsigned line;
	bool inlined;	   /* inlined into the next frame */
	bool synthetic;	   /* no symbol: func is made up from the object and an address */
};

#define SYM_MAX_INLINE 16

struct symbolizer;

struct symbolizer *symbolizer_new(struct kallsyms *kernel, unsigned flags);
void symbolizer_free(struct symbolizer *s); /* NULL is a no-op */
/* Kernel symbols given later (they are loaded only when a kernel frame needs them). */
void symbolizer_set_kernel(struct symbolizer *s, struct kallsyms *kernel);

/*
 * The frames at address addr of object d (addr as in the ELF file), the
 * innermost inlined function first and the function holding the code
 * last: 1 frame without SYM_INLINE, at most max. d NULL: an address
 * outside every mapping ("[unknown]").
 */
size_t symbolize_user(struct symbolizer *s, struct dso *d, uint64_t addr, struct sym_frame *out,
		      size_t max);
/* A kernel function's name, or "[unknown]"; its address in *start (0 if unknown). */
const char *symbolize_kernel(struct symbolizer *s, uint64_t addr, uint64_t *start);

#endif
