/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A hash table from byte-string keys to indexes (into an array the caller
 * keeps), with open addressing. Keys are copied into the table. Used to
 * count distinct things once: addresses, stacks, report lines.
 */
#ifndef PMUPROF_HASH_H
#define PMUPROF_HASH_H

#include "util/compiler.h"

#include <stddef.h>
#include <stdint.h>

struct hash_slot;

struct hash {
	struct hash_slot *slots;
	size_t nslots, nr;
};

void hash_init(struct hash *h);
void hash_release(struct hash *h);
/*
 * The index stored for key; if absent, stores `next` (typically the
 * caller's array length) and sets *added. Returns the index.
 */
size_t hash_get(struct hash *h, const void *key, size_t len, size_t next, int *added);
/* Looks up without adding: 1 with *value set, or 0 when key is absent. */
int hash_find(const struct hash *h, const void *key, size_t len, size_t *value);
uint64_t hash_bytes(const void *key, size_t len);

#endif
