// SPDX-License-Identifier: GPL-2.0-or-later
#include "util/hash.h"
#include "util/alloc.h"

#include <stdlib.h>
#include <string.h>

struct hash_slot {
	uint64_t hash;
	void *key; /* NULL: empty */
	size_t len;
	size_t value;
};

void hash_init(struct hash *h)
{
	memset(h, 0, sizeof(*h));
}

void hash_release(struct hash *h)
{
	for (size_t i = 0; i < h->nslots; i++)
		free(h->slots[i].key);
	FREE_AND_NULL(h->slots);
	h->nslots = h->nr = 0;
}

/* FNV-1a, then a final mix so that low bits depend on every byte */
uint64_t hash_bytes(const void *key, size_t len)
{
	const uint8_t *p = key;
	uint64_t x = 14695981039346656037ull;

	for (size_t i = 0; i < len; i++)
		x = (x ^ p[i]) * 1099511628211ull;
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdull;
	x ^= x >> 33;
	return x;
}

/*
 * The table's own hash: eight bytes a step, each a multiply and a shift,
 * then the same final mix. Its keys are whole stacks of addresses, hashed
 * once per sample: a byte a step (hash_bytes(), whose values the SVG's
 * colours keep) was a sixth of a report's time.
 */
static uint64_t slot_hash(const void *key, size_t len)
{
	const uint8_t *p = key;
	uint64_t x = 0x9e3779b97f4a7c15ull ^ ((uint64_t)len * 0xc2b2ae3d27d4eb4full), w;

	for (; len >= 8; p += 8, len -= 8) {
		memcpy(&w, p, 8);
		x = (x ^ w) * 0xff51afd7ed558ccdull;
		x ^= x >> 32;
	}
	w = 0;
	memcpy(&w, p, len);
	x = (x ^ w) * 0xc4ceb9fe1a85ec53ull;
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdull;
	x ^= x >> 33;
	return x;
}

static void grow(struct hash *h)
{
	struct hash_slot *old = h->slots;
	size_t n = h->nslots;

	h->nslots = n ? n * 2 : 64;
	h->slots = xcalloc(h->nslots, sizeof(*h->slots));
	for (size_t i = 0; i < n; i++) {
		size_t j;

		if (!old[i].key)
			continue;
		for (j = old[i].hash & (h->nslots - 1); h->slots[j].key; j = (j + 1) & (h->nslots - 1))
			;
		h->slots[j] = old[i];
	}
	free(old);
}

size_t hash_get(struct hash *h, const void *key, size_t len, size_t next, int *added)
{
	uint64_t x = slot_hash(key, len);
	size_t j;

	*added = 0;
	if ((h->nr + 1) * 4 > h->nslots * 3)
		grow(h);
	for (j = x & (h->nslots - 1); h->slots[j].key; j = (j + 1) & (h->nslots - 1)) {
		struct hash_slot *s = &h->slots[j];

		if (s->hash == x && s->len == len && !memcmp(s->key, key, len))
			return s->value;
	}
	h->slots[j].hash = x;
	h->slots[j].key = xmalloc(len ? len : 1);
	memcpy(h->slots[j].key, key, len);
	h->slots[j].len = len;
	h->slots[j].value = next;
	h->nr++;
	*added = 1;
	return next;
}

int hash_find(const struct hash *h, const void *key, size_t len, size_t *value)
{
	uint64_t x;
	size_t j;

	if (!h->nslots)
		return 0;
	x = slot_hash(key, len);
	for (j = x & (h->nslots - 1); h->slots[j].key; j = (j + 1) & (h->nslots - 1)) {
		const struct hash_slot *s = &h->slots[j];

		if (s->hash == x && s->len == len && !memcmp(s->key, key, len)) {
			*value = s->value;
			return 1;
		}
	}
	return 0;
}
