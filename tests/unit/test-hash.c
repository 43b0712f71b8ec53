// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The hash table: keys of every length (those kept in their slot, up to
 * 16 bytes, and longer copies), the empty key, keys that differ only in
 * length or in one byte, and growth through many keys with each index as
 * first given.
 */
#include "tap.h"
#include "util/hash.h"

#include <stdint.h>
#include <string.h>

#define NKEYS 20000

/* The i-th key: its length cycles through 0..71, its bytes follow from i. */
static size_t key_of(size_t i, uint8_t *buf)
{
	size_t len = i % 72;

	memset(buf, 0, 80);
	for (size_t k = 0; k < len; k++)
		buf[k] = (uint8_t)((i * 2654435761u) >> (k % 24));
	if (len >= 4)
		memcpy(buf, &i, 4); /* distinct keys of one length */
	return len;
}

int main(void)
{
	struct hash h;
	uint8_t buf[80], a[24] = { 0 }, b[24] = { 0 };
	size_t v, distinct = 0, wrong = 0, missing = 0;
	int added;

	hash_init(&h);
	is_int(hash_find(&h, "x", 1, &v), 0, "an empty table finds nothing");
	/* keys of lengths 0..3 repeat among the first NKEYS: the first index given stays */
	for (size_t i = 0; i < NKEYS; i++) {
		size_t len = key_of(i, buf), got = hash_get(&h, buf, len, distinct, &added);

		if (added)
			distinct++;
		else if (got >= distinct)
			wrong++;
	}
	is_int(wrong, 0, "a key met again gives the index it was first given");
	ok(h.nr == distinct, "the table holds each distinct key once (%zu)", distinct);
	for (size_t i = 0; i < NKEYS; i++) {
		size_t len = key_of(i, buf);

		if (!hash_find(&h, buf, len, &v))
			missing++;
	}
	is_int(missing, 0, "every key is found after the table grew");
	hash_release(&h);
	is_int(h.nr, 0, "released");
	hash_init(&h);
	/* keys that differ only in length: "a" and "a\0" */
	a[0] = 'a';
	hash_get(&h, a, 1, 100001, &added);
	ok(added, "a one-byte key is new");
	hash_get(&h, a, 2, 100002, &added);
	ok(added, "the same byte and a zero is another key");
	is_int(hash_find(&h, a, 1, &v) ? v : 0, 100001, "the one-byte key keeps its index");
	is_int(hash_find(&h, a, 2, &v) ? v : 0, 100002, "the two-byte key keeps its index");
	/* long keys that differ in their last byte, and at each inline boundary */
	for (size_t len = 15; len <= 24; len++) {
		memset(a, 7, sizeof(a));
		memcpy(b, a, sizeof(b));
		b[len - 1] = 8;
		hash_get(&h, a, len, 200000 + len, &added);
		hash_get(&h, b, len, 300000 + len, &added);
		ok(added && hash_find(&h, a, len, &v) && v == 200000 + len &&
			   hash_find(&h, b, len, &v) && v == 300000 + len,
		   "keys of %zu bytes differing in the last are two", len);
	}
	hash_release(&h);
	return done_testing();
}
