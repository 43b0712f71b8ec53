// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target for the reader of the timer samplers' rings
 * (collect/shimrec.c): the profiled program shares that memory with pmuprof
 * and can write anything into it. Whatever the slot table and the rings
 * hold, draining must give only well-formed REC_SAMPLE and REC_LOST
 * records, never read outside a ring, never loop. Built and run for a
 * bounded time by contrib/test-all.sh.
 *
 * Input: the header's ring_bytes, map_bytes and nslots (8 bytes each,
 * which the reader must ignore: it keeps the layout it chose), then for
 * each of the first four slots 41 bytes (state, then head and tail as 8
 * bytes each, then 8 bytes each of lost count, owner signals and owner CPU
 * time), then the bytes of slot 0's ring, then slot 1's.
 */
#include "collect/shimrec.h"
#include "store/format.h"

#include <stdlib.h>
#include <string.h>

#define NFUZZ 4
#define PER_SLOT 41

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint64_t take(const uint8_t **p, size_t *left, size_t n)
{
	uint64_t v = 0;

	n = n < *left ? n : *left;
	memcpy(&v, *p, n);
	*p += n;
	*left -= n;
	return v;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct shimrec s;
	static bool ready;
	const uint8_t *p = data;
	size_t left = size, alloc = 0, len, off;
	uint64_t ring = 0;
	uint8_t *buf = NULL;

	if (!ready) {
		if (shimrec_open(&s, SHIM_CTIMER, 100, 64) < 0)
			abort();
		ready = true;
	}
	ring = s.ring_bytes;
	s.hdr->ring_bytes = take(&p, &left, 8);
	s.hdr->map_bytes = take(&p, &left, 8);
	s.hdr->nslots = (uint32_t)take(&p, &left, 8);
	memset(s.slots, 0, NFUZZ * sizeof(*s.slots));
	memset(s.tail, 0, NFUZZ * sizeof(*s.tail));
	memset(s.lost_seen, 0, NFUZZ * sizeof(*s.lost_seen));
	memset(s.bad, 0, NFUZZ * sizeof(*s.bad));
	for (int i = 0; i < NFUZZ; i++) {
		s.slots[i].state = (uint32_t)take(&p, &left, 1) % 5;
		s.slots[i].pid = 0x7fffffff; /* no such process: freeing the slot is allowed */
		s.slots[i].tid = 0x7fffffff;
		s.slots[i].head = take(&p, &left, 8);
		s.slots[i].tail = take(&p, &left, 8);
		s.slots[i].lost = take(&p, &left, 8);
		s.slots[i].owner_signals = take(&p, &left, 8);
		s.slots[i].owner_cpu_ns = take(&p, &left, 8);
	}
	for (int i = 0; i < 2; i++) {
		size_t n = left < ring ? left : ring;

		memset(s.rings + i * ring, 0, ring);
		memcpy(s.rings + i * ring, p, n);
		p += n;
		left -= n;
	}
	for (int round = 0; round < 2; round++) {
		struct shimrec_stats st;
		char *c;

		len = shimrec_drain(&s, &buf, &alloc);
		shimrec_stats(&s, take(&p, &left, 8), &st);
		c = shimrec_conflict(&st, SHIM_CTIMER, 0);
		free(c);
		for (off = 0; off < len;) {
			const struct rec_header *h = (const struct rec_header *)(buf + off);

			if (len - off < sizeof(*h) || h->size < sizeof(*h) || h->size % 8 ||
			    h->size > len - off)
				abort();
			if (h->type == REC_SAMPLE) {
				if (h->size < sizeof(struct rec_sample))
					abort();
			} else if (h->type != REC_LOST || h->size != sizeof(struct rec_lost)) {
				abort();
			}
			off += h->size;
		}
	}
	free(buf);
	return 0;
}
