// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * collect/sampler.c: sampler_drain() on a ring laid out as the kernel's: records that straddle
 * the end of the data area come out whole and in order, data_tail moves to
 * data_head, and an empty ring gives nothing. Samples with a user stack
 * copy keep the bytes the kernel wrote (dyn_size), whether the copy was cut
 * short or not.
 */
#include "collect/sampler.h"
#include "tap.h"

#include <stdlib.h>
#include <string.h>

/* Writes n bytes at ring position pos of a 512-byte data area, wrapping. */
static void ring_put(uint8_t *data, uint64_t pos, const void *src, size_t n)
{
	for (size_t i = 0; i < n; i++)
		data[(pos + i) % 512] = ((const uint8_t *)src)[i];
}

/* A sample of IP, TID, REGS_USER (3) and STACK_USER (64 bytes asked, dyn written): 136 bytes. */
static size_t make_sample(uint8_t *rec, uint64_t dyn)
{
	struct perf_event_header h = {PERF_RECORD_SAMPLE, 0, 136};
	uint64_t v;

	memcpy(rec, &h, 8);
	v = 0x401000;
	memcpy(rec + 8, &v, 8); /* ip */
	v = 7;
	memcpy(rec + 16, &v, 8); /* pid, tid */
	v = PERF_SAMPLE_REGS_ABI_64;
	memcpy(rec + 24, &v, 8);
	for (int i = 0; i < 3; i++)
		memcpy(rec + 32 + 8 * i, &(uint64_t){0x7ff0 + (uint64_t)i}, 8);
	v = 64;
	memcpy(rec + 56, &v, 8);
	for (int i = 0; i < 64; i++)
		rec[64 + i] = (uint8_t)(i < (int)dyn ? 0xa0 + i : 0xee); /* 0xee: never written */
	memcpy(rec + 128, &dyn, 8);
	return 136;
}

static void test_compact(void)
{
	struct perf_event_mmap_page *meta = calloc(1, sizeof(*meta));
	uint8_t *data = calloc(1, 512), *buf = NULL, rec[136];
	struct sampler_ring r = {.fd = -1, .meta = meta, .data = data, .size = 512};
	struct perf_event_header other = {PERF_RECORD_COMM, 0, 16};
	uint64_t pos = 512 * 3 + 450, v;
	size_t alloc = 0, n;

	r.sample_type =
	    PERF_SAMPLE_IP | PERF_SAMPLE_TID | PERF_SAMPLE_REGS_USER | PERF_SAMPLE_STACK_USER;
	r.nregs = 3;
	meta->data_tail = pos;
	make_sample(rec, 20); /* cut short at 20 bytes, straddling the end */
	ring_put(data, pos, rec, 136);
	make_sample(rec, 64); /* filled the request */
	ring_put(data, pos + 136, rec, 136);
	ring_put(data, pos + 272, &other, 8);
	ring_put(data, pos + 280, "comm....", 8);
	meta->data_head = pos + 288;
	n = sampler_drain(&r, &buf, &alloc);
	is_int((long long)n, 96 + 136 + 16,
	       "compacted: 40 unwritten bytes of the first copy dropped");
	is_int(((struct perf_event_header *)buf)->size, 96, "its header says the new size");
	memcpy(&v, buf + 56, 8);
	is_int((long long)v, 24, "its size field: dyn_size rounded up past it (20 -> 24)");
	memcpy(&v, buf + 88, 8);
	is_int((long long)v, 20, "dyn_size follows the kept bytes");
	ok(buf[64] == 0xa0 && buf[64 + 19] == 0xa0 + 19 && buf[64 + 20] == 0,
	   "the copied bytes are kept, the padding is zero");
	make_sample(rec, 64);
	ok(!memcmp(buf + 96, rec, 136), "a copy that filled the request is as it was");
	ok(!memcmp(buf + 232, &other, 8), "other records are as they were");
	is_int((long long)meta->data_tail, (long long)meta->data_head,
	       "data_tail moved to data_head");
	free(buf);
	free(data);
	free(meta);
}

int main(void)
{
	struct perf_event_mmap_page *meta = calloc(1, sizeof(*meta));
	uint8_t data[64], *buf = NULL, want[40];
	struct sampler_ring r = {.fd = -1, .meta = meta, .data = data, .size = sizeof(data)};
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
	is_int((long long)meta->data_tail, (long long)meta->data_head,
	       "data_tail moved to data_head");
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
	test_compact();
	return done_testing();
}
