// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A profile's samples in buckets of time (see heatmap.h).
 */
#include "analyse/heatmap.h"
#include "util/alloc.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NS_PER_S 1000000000u

static const uint32_t row_choices[] = {50, 25, 20, 10, 5, 4, 2, 1};

uint32_t heatmap_rows_for(double rate_hz, uint64_t seconds)
{
	if (!seconds)
		seconds = 1;
	for (size_t i = 0; i < sizeof(row_choices) / sizeof(row_choices[0]); i++) {
		uint32_t r = row_choices[i];

		if (r > HEATMAP_ROWS_MAX || seconds > HEATMAP_BUCKETS_MAX / r)
			continue;
		if (rate_hz > 0 && rate_hz / r < HEATMAP_FULL_SAMPLES && r > 1)
			continue;
		return r;
	}
	return 0;
}

double heatmap_rate(const struct profile *p, uint64_t freq_hz)
{
	if (freq_hz)
		return (double)freq_hz;
	if (p->period && p->weight_unit && !strcmp(p->weight_unit, "nanoseconds") &&
	    p->kind_weight[PROF_KIND_CPU])
		return 1e9 / (double)p->period;
	return 0;
}

static uint64_t bucket_of(const struct heatmap *h, uint64_t time)
{
	return time > h->origin ? (time - h->origin) / h->bucket_ns : 0;
}

static int cmp_entry(const void *a, const void *b)
{
	const struct heatmap_entry *x = a, *y = b;

	if (x->stack != y->stack)
		return x->stack < y->stack ? -1 : 1;
	return x->bucket < y->bucket ? -1 : x->bucket > y->bucket;
}

static uint64_t add_sat(uint64_t a, uint64_t b)
{
	return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

int heatmap_init(struct heatmap *h, const struct profile *p, uint64_t origin, uint64_t end,
		 uint32_t rows, uint64_t freq_hz)
{
	uint64_t last = 0, seconds;
	size_t alloc = 0;

	memset(h, 0, sizeof(*h));
	if (!p->sample_list && p->nstacks)
		return -EINVAL;
	h->origin = origin;
	h->time = profile_view_time(p->view);
	for (size_t i = 0; i < p->nsample_list; i++)
		if (p->sample_list[i].time > last)
			last = p->sample_list[i].time;
	/* a column for each second that holds a sample, and up to the end (which starts none) */
	seconds = (last > origin ? (last - origin) / NS_PER_S : 0) + 1;
	if (end > origin && (end - origin - 1) / NS_PER_S + 1 > seconds)
		seconds = (end - origin - 1) / NS_PER_S + 1;
	if (!rows)
		rows = heatmap_rows_for(heatmap_rate(p, freq_hz), seconds);
	if (!rows || seconds > HEATMAP_BUCKETS_MAX / rows)
		return -E2BIG;
	if (NS_PER_S % rows)
		return -EINVAL;
	h->rows = rows;
	h->cols = (uint32_t)seconds;
	h->bucket_ns = NS_PER_S / rows;
	h->cells = xcalloc((size_t)h->cols * rows, sizeof(*h->cells));

	/* the list is in time order: a stack's value in a bucket is gathered while it lasts */
	for (size_t i = 0; i < p->nsample_list; i++) {
		const struct prof_sample *sm = &p->sample_list[i];
		uint64_t b = bucket_of(h, sm->time), v = h->time ? sm->weight : 1;
		struct heatmap_entry *e = NULL;

		if (sm->stack >= p->nstacks)
			continue;
		h->cells[b] = add_sat(h->cells[b], v);
		h->total = add_sat(h->total, v);
		/* the entries of this bucket so far: look for the stack among them */
		for (size_t k = h->nentries; k-- > 0 && h->entries[k].bucket == b;)
			if (h->entries[k].stack == sm->stack) {
				e = &h->entries[k];
				break;
			}
		if (!e) {
			xgrow(&h->entries, &alloc, h->nentries + 1, sizeof(*h->entries));
			e = &h->entries[h->nentries++];
			*e = (struct heatmap_entry){.stack = sm->stack, .bucket = (uint32_t)b};
		}
		e->value = add_sat(e->value, v);
	}
	for (size_t b = 0; b < (size_t)h->cols * rows; b++)
		if (h->cells[b] > h->max)
			h->max = h->cells[b];
	if (h->nentries > 1)
		qsort(h->entries, h->nentries, sizeof(*h->entries), cmp_entry);
	return 0;
}

void heatmap_release(struct heatmap *h)
{
	free(h->cells);
	free(h->entries);
	memset(h, 0, sizeof(*h));
}

uint64_t heatmap_bucket_offset(const struct heatmap *h, uint64_t start_ns, uint64_t b)
{
	return h->origin - (start_ns <= h->origin ? start_ns : h->origin) + b * h->bucket_ns;
}

/* ns as seconds with nine decimals, trailing zeros (and a bare point) dropped */
static void put_seconds(char *buf, size_t size, uint64_t ns)
{
	size_t n =
	    (size_t)snprintf(buf, size, "%" PRIu64 ".%09" PRIu64, ns / NS_PER_S, ns % NS_PER_S);

	if (n >= size)
		return;
	while (n && buf[n - 1] == '0')
		buf[--n] = '\0';
	if (n && buf[n - 1] == '.')
		buf[--n] = '\0';
}

int heatmap_time_arg(char *buf, size_t size, const struct heatmap *h, uint64_t start_ns,
		     uint64_t first, uint64_t last)
{
	char from[32], to[32];

	put_seconds(from, sizeof(from), heatmap_bucket_offset(h, start_ns, first));
	put_seconds(to, sizeof(to), heatmap_bucket_offset(h, start_ns, last + 1) - 1);
	return snprintf(buf, size, "%s,%s", from, to);
}
