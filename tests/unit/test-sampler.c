// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * collect/sampler.c: sampler_drain() on a ring laid out as the kernel's: records that straddle
 * the end of the data area come out whole and in order, data_tail moves to
 * data_head, and an empty ring gives nothing.
 */
#include "collect/sampler.h"
#include "tap.h"

#include <stdlib.h>
#include <string.h>

int main(void)
{
	struct perf_event_mmap_page *meta = calloc(1, sizeof(*meta));
	uint8_t data[64], *buf = NULL, want[40];
	struct sampler_ring r = { .fd = -1, .meta = meta, .data = data, .size = sizeof(data) };
	size_t alloc = 0, n;

	for (size_t i = 0; i < sizeof(want); i++)
		want[i] = (uint8_t)(i + 1);
	/* the kernel wrote 40 bytes starting 8 before the end: 8 at the end, 32 at the start */
	meta->data_tail = 64 * 5 + 56;
	meta->data_head = meta->data_tail + 40;
	memcpy(data + 56, want, 8);
	memcpy(data, want + 8, 32);
	n = sampler_drain(&r, &buf, &alloc);
	is_int((long long)n, 40, "40 bytes drained across the end of the ring");
	ok(buf && !memcmp(buf, want, 40), "in order, the wrapped part after the rest");
	is_int((long long)meta->data_tail, (long long)meta->data_head, "data_tail moved to data_head");
	is_int((long long)sampler_drain(&r, &buf, &alloc), 0, "then the ring is empty");

	/* exactly at the end: no wrapped part */
	meta->data_tail = 64 * 6 + 32;
	meta->data_head = meta->data_tail + 32;
	memcpy(data + 32, want, 32);
	n = sampler_drain(&r, &buf, &alloc);
	ok(n == 32 && !memcmp(buf, want, 32), "a run that ends exactly at the end");

	/* a head beyond a full ring (not from a sane kernel) reads one ring, no more */
	meta->data_tail = 0;
	meta->data_head = 1000;
	n = sampler_drain(&r, &buf, &alloc);
	is_int((long long)n, 64, "never more than the ring holds");
	free(buf);
	free(meta);
	return done_testing();
}
