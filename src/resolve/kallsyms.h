/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Kernel symbols: from /proc/kallsyms (record names the kernel functions
 * its samples hit this way, and report falls back to it for files without
 * them, on the boot that recorded them only: addresses move with KASLR at
 * every boot), or from the functions a recording stored. Unprivileged
 * readers of /proc/kallsyms see only zero addresses, and then there is
 * nothing to load.
 *
 * A leaf reader: it depends on nothing above util/, which makes it the one
 * allowed exception to the pipeline's direction: collect/ (perfrec.c)
 * calls it to name the kernel functions a recording's samples hit.
 */
#ifndef PMUPROF_KALLSYMS_H
#define PMUPROF_KALLSYMS_H

#include "util/compiler.h"

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

struct kallsyms;

/*
 * Loads the table; -EACCES when addresses are hidden (kptr_restrict),
 * -ECANCELED when *stop became true while reading (stop may be NULL), -errno
 * otherwise.
 */
int kallsyms_new_from_proc(struct kallsyms **out, const atomic_bool *stop);
void kallsyms_free(struct kallsyms *k);
/* The kernel function at addr, or NULL; its address in *start (when not NULL). */
const char *kallsyms_find_start(const struct kallsyms *k, uint64_t addr, uint64_t *start);
/*
 * The same with the function's end in *end (the next symbol's address for
 * a table read from /proc/kallsyms; 0 when unknown).
 */
const char *kallsyms_find_range(const struct kallsyms *k, uint64_t addr, uint64_t *start,
				uint64_t *end);

/*
 * A table built from known functions (the ones a recording stored): add
 * them in any order, then kallsyms_finish() once before lookups. Addresses
 * outside every added [start, end) have no name.
 */
struct kallsyms *kallsyms_new(void);
void kallsyms_add(struct kallsyms *k, uint64_t start, uint64_t end, const char *name);
void kallsyms_finish(struct kallsyms *k);

#endif
