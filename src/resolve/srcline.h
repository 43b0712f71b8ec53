/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Source lines and inlined frames from DWARF (libdw), one handle per object
 * kept open for all its lookups. The DWARF comes from the object itself,
 * else from its separate debug file (resolve/debuginfo.h). Addresses are the
 * object's own virtual addresses, as elf_object_symbol() takes them.
 *
 * Split DWARF (-gsplit-dwarf) is read when libdw finds the .dwo files where
 * the compiler left them; units in dwz's shared file are followed by libdw.
 *
 * The handle indexes the address ranges of the compilation units on the
 * first lookup, and those of a unit's functions on the first lookup that
 * falls in it, so that a lookup is two binary searches, libdw's cached line
 * table search and a walk down the one function's inlined scopes. Functions
 * nested inside other functions (GNU C) are not indexed: their addresses
 * get a line without a function.
 *
 * Files are hostile input: damaged DWARF gives fewer or no frames, never a
 * crash, and every walk over DIEs is bounded. The files are mapped, as libdw
 * does for every tool, so an object truncated in place while a handle is
 * open can still end the process with SIGBUS (replacing it by rename, as
 * package managers and linkers do, is safe).
 *
 * A handle owns every string it hands out (interned: the same text is the
 * same pointer) until srcline_close(). One thread at a time per handle.
 */
#ifndef PMUPROF_SRCLINE_H
#define PMUPROF_SRCLINE_H

#include "util/compiler.h"

#include <stddef.h>
#include <stdint.h>

struct srcline;

struct srcline_frame {
	/*
	 * The mangled linkage name when DWARF has one (the caller demangles),
	 * else the plain name; NULL when DWARF names none.
	 */
	const char *function;
	/* as DWARF gives it: absolute, or relative to the compilation directory; NULL if unknown */
	const char *file;
	/* the compilation directory of the unit (DW_AT_comp_dir), or NULL */
	const char *comp_dir;
	unsigned line; /* 0 if unknown */
};

/*
 * Opens the DWARF of the object at path (may be NULL or no file, like
 * "[vdso]", when build_id is given) or of its debug file. The build-id may be
 * NULL: it is then read from the object. When given, an object at path with
 * another build-id (rebuilt since the profile) is passed over, and so is a
 * debug file with another build-id. 0 with *out set, or *out NULL and
 * -ENOENT when no DWARF is found, -ENOEXEC when path is not an ELF
 * executable or shared object (and no debug file was found), another
 * -errno from open().
 */
int srcline_open(const char *path, const uint8_t *build_id, size_t build_id_len,
		 struct srcline **out);
/* NULL is a no-op. */
void srcline_close(struct srcline *s);

/*
 * The frames at vaddr, innermost first, at most max of them (the innermost
 * ones when there are more): frames[0] is the innermost inlined function,
 * or the function itself when nothing is inlined there, with the file:line
 * of vaddr; each next frame is the function the previous one was inlined
 * into, with the file:line of the call (DW_AT_call_file, DW_AT_call_line);
 * the last is the out-of-line function. Returns the number filled, 0 when
 * DWARF knows nothing of vaddr.
 */
int srcline_lookup(struct srcline *s, uint64_t vaddr, struct srcline_frame *frames, int max);

#endif
