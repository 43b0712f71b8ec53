// SPDX-License-Identifier: GPL-2.0-or-later
#include "util/hash.h"
#include "util/alloc.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* Keys of at most this many bytes live in their slot (no allocation, two compares). */
#define INLINE_KEY 16

struct hash_slot {
	uint64_t hash; /* 0: empty; else the key's hash, its top bit set */
	size_t len;
	size_t value;
	union {
		void *p;	     /* len > INLINE_KEY: a copy */
		uint64_t w[2]; /* len <= INLINE_KEY: the key, zero-padded */
	} key;
};

void hash_init(struct hash *h)
{
	memset(h, 0, sizeof(*h));
}

void hash_release(struct hash *h)
{
	for (size_t i = 0; i < h->nslots; i++)
		if (h->slots[i].hash && h->slots[i].len > INLINE_KEY)
			free(h->slots[i].key.p);
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

static inline uint64_t mix_word(uint64_t x, uint64_t w)
{
	x = (x ^ w) * 0xff51afd7ed558ccdull;
	return x ^ (x >> 32);
}

static inline uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

/*
 * The table's own hash: eight bytes a step, each a multiply and a shift,
 * on four words at a time for long keys (four chains the CPU runs side by
 * side), then the same final mix. Its keys are whole stacks of addresses,
 * hashed once per sample: a byte a step (hash_bytes(), whose values the
 * SVG's colours keep) was a sixth of a report's time. The top bit is set:
 * a hash of 0 marks an empty slot.
 */
static uint64_t slot_hash(const void *key, size_t len)
{
	const uint8_t *p = key;
	uint64_t x = 0x9e3779b97f4a7c15ull ^ ((uint64_t)len * 0xc2b2ae3d27d4eb4full), w;

	if (len >= 32) {
		uint64_t a = x, b = x ^ 0x2545f4914f6cdd1dull, c = x + 0x632be59bd9b4e019ull,
			 d = ~x, v[4];

		for (; len >= 32; p += 32, len -= 32) {
			memcpy(v, p, 32);
			a = mix_word(a, v[0]);
			b = mix_word(b, v[1]);
			c = mix_word(c, v[2]);
			d = mix_word(d, v[3]);
		}
		x = a ^ rotl(b, 16) ^ rotl(c, 32) ^ rotl(d, 48);
	}
	for (; len >= 8; p += 8, len -= 8) {
		memcpy(&w, p, 8);
		x = mix_word(x, w);
	}
	w = 0;
	memcpy(&w, p, len);
	x = (x ^ w) * 0xc4ceb9fe1a85ec53ull;
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdull;
	x ^= x >> 33;
	return x | 1ull << 63;
}

/* Whether slot s holds the key (hash x, len bytes; w the key zero-padded when short). */
static inline bool slot_is(const struct hash_slot *s, uint64_t x, const void *key, size_t len,
			   const uint64_t w[2])
{
	if (s->hash != x || s->len != len)
		return false;
	if (len <= INLINE_KEY)
		return s->key.w[0] == w[0] && s->key.w[1] == w[1];
	return !memcmp(s->key.p, key, len);
}

static void grow(struct hash *h)
{
	struct hash_slot *old = h->slots;
	size_t n = h->nslots;

	h->nslots = n ? n * 2 : 64;
	h->slots = xcalloc(h->nslots, sizeof(*h->slots));
	for (size_t i = 0; i < n; i++) {
		size_t j;

		if (!old[i].hash)
			continue;
		for (j = old[i].hash & (h->nslots - 1); h->slots[j].hash;
		     j = (j + 1) & (h->nslots - 1))
			;
		h->slots[j] = old[i];
	}
	free(old);
}

size_t hash_get(struct hash *h, const void *key, size_t len, size_t next, int *added)
{
	uint64_t x = slot_hash(key, len), w[2] = { 0, 0 };
	struct hash_slot *s;
	size_t j;

	*added = 0;
	if (len <= INLINE_KEY)
		memcpy(w, key, len);
	if ((h->nr + 1) * 4 > h->nslots * 3)
		grow(h);
	for (j = x & (h->nslots - 1); h->slots[j].hash; j = (j + 1) & (h->nslots - 1))
		if (slot_is(&h->slots[j], x, key, len, w))
			return h->slots[j].value;
	s = &h->slots[j];
	s->hash = x;
	s->len = len;
	s->value = next;
	if (len <= INLINE_KEY) {
		s->key.w[0] = w[0];
		s->key.w[1] = w[1];
	} else {
		s->key.p = xmalloc(len);
		memcpy(s->key.p, key, len);
	}
	h->nr++;
	*added = 1;
	return next;
}

int hash_find(const struct hash *h, const void *key, size_t len, size_t *value)
{
	uint64_t x, w[2] = { 0, 0 };
	size_t j;

	if (!h->nslots)
		return 0;
	x = slot_hash(key, len);
	if (len <= INLINE_KEY)
		memcpy(w, key, len);
	for (j = x & (h->nslots - 1); h->slots[j].hash; j = (j + 1) & (h->nslots - 1))
		if (slot_is(&h->slots[j], x, key, len, w)) {
			*value = h->slots[j].value;
			return 1;
		}
	return 0;
}
