/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Kernel symbols from /proc/kallsyms, for kernel samples reported on the
 * machine and boot they were recorded on (the caller checks the boot id:
 * addresses move with KASLR at every boot). Unprivileged readers see only
 * zero addresses, and then there is nothing to load.
 */
#ifndef PMUPROF_KALLSYMS_H
#define PMUPROF_KALLSYMS_H

#include "util/compiler.h"

#include <stdint.h>

struct kallsyms;

/* Loads the table; -EACCES when addresses are hidden (kptr_restrict), -errno otherwise. */
int kallsyms_load(struct kallsyms **out);
void kallsyms_free(struct kallsyms *k);
/* The kernel function at addr, or NULL. */
const char *kallsyms_find(const struct kallsyms *k, uint64_t addr);
/* The same, and the symbol's address in *start (when not NULL). */
const char *kallsyms_find_start(const struct kallsyms *k, uint64_t addr, uint64_t *start);

#endif
