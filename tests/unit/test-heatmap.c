// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * analyse/heatmap.c: the rows chosen for a rate and a length, each sample
 * in the bucket of its time stamp (before the origin: bucket 0), a stack's
 * value per bucket, the columns to the recording's end, and a range's
 * --time argument selecting exactly its buckets' samples by report's own
 * filter (resolve/filter.c), nanosecond by nanosecond at either edge.
 */
#include "analyse/heatmap.h"
#include "resolve/filter.h"
#include "store/format.h"
#include "tap.h"

#include <errno.h>
#include <string.h>

#define S  1000000000ull
#define MS 1000000ull

static void rows(void)
{
	is_int(heatmap_rows_for(1000, 10), 50, "1000 Hz: 50 rows of 20 ms");
	is_int(heatmap_rows_for(0, 10), 50, "an unknown rate: 50 rows");
	is_int(heatmap_rows_for(100, 10), 10, "100 Hz: 10 rows, 10 samples in a busy cell");
	is_int(heatmap_rows_for(99, 10), 5, "99 Hz: 5 rows");
	is_int(heatmap_rows_for(5, 10), 1, "5 Hz: one row");
	is_int(heatmap_rows_for(1000, 3000), 25, "3000 s: 25 rows, at most 100000 cells");
	is_int(heatmap_rows_for(1000, 100000), 1, "100000 s: one row");
	is_int(heatmap_rows_for(1000, 100001), 0, "longer: none");
}

/* Two stacks; samples around bucket edges of a map whose origin is far from 0. */
static const uint64_t origin = 123456 * S + 789 * MS;

static struct prof_sample samples[] = {
    {.time = 123456 * S + 789 * MS - 5, .weight = 7, .stack = 0}, /* before the origin */
    {.time = 123456 * S + 789 * MS, .weight = 1, .stack = 0},
    {.time = 123456 * S + 789 * MS + 20 * MS - 1, .weight = 2, .stack = 1},
    {.time = 123456 * S + 789 * MS + 20 * MS, .weight = 3, .stack = 1},
    {.time = 123456 * S + 789 * MS + 20 * MS, .weight = 4, .stack = 1},
    {.time = 123456 * S + 789 * MS + S + 1, .weight = 5, .stack = 0},
};

static void fake_profile(struct profile *p, struct prof_stack *st, enum prof_view view)
{
	memset(p, 0, sizeof(*p));
	memset(st, 0, 2 * sizeof(*st));
	p->stacks = st;
	p->nstacks = 2;
	p->sample_list = samples;
	p->nsample_list = sizeof(samples) / sizeof(samples[0]);
	p->view = view;
}

static void buckets(void)
{
	struct prof_stack st[2];
	struct profile p;
	struct heatmap h;

	fake_profile(&p, st, PROF_VIEW_CPU);
	is_int(heatmap_init(&h, &p, origin, 0, 50, 0), 0, "init");
	is_int(h.cols, 2, "columns to the last sample's second");
	is_int((long long)h.bucket_ns, 20 * MS, "20 ms buckets");
	is_int((long long)h.cells[0], 3, "bucket 0: the one before the origin, and two more");
	is_int((long long)h.cells[1], 2, "bucket 1 starts on its edge");
	is_int((long long)h.cells[50], 1, "a second on: column 1, row 0");
	is_int((long long)h.max, 3, "max");
	is_int((long long)h.total, 6, "total");
	is_int((long long)h.nentries, 4, "entries: one per stack and bucket");
	ok(h.entries[0].stack == 0 && h.entries[0].bucket == 0 && h.entries[0].value == 2,
	   "stack 0 in bucket 0: 2 samples");
	ok(h.entries[1].stack == 0 && h.entries[1].bucket == 50, "then in bucket 50");
	ok(h.entries[2].stack == 1 && h.entries[2].bucket == 0 && h.entries[2].value == 1,
	   "stack 1 in bucket 0");
	ok(h.entries[3].stack == 1 && h.entries[3].bucket == 1 && h.entries[3].value == 2,
	   "stack 1 in bucket 1: its two samples merged");
	heatmap_release(&h);

	is_int(heatmap_init(&h, &p, origin, origin + 3 * S, 50, 0), 0, "init with an end");
	is_int(h.cols, 3, "columns to the recording's end");
	heatmap_release(&h);
	is_int(heatmap_init(&h, &p, origin, origin + 2 * S, 50, 0), 0, "an end on a second");
	is_int(h.cols, 2, "starts no column");
	heatmap_release(&h);

	fake_profile(&p, st, PROF_VIEW_WALL);
	is_int(heatmap_init(&h, &p, origin, 0, 50, 0), 0, "a time view");
	ok(h.time, "counts time");
	is_int((long long)h.cells[0], 10, "bucket 0: the weights");
	is_int((long long)h.cells[1], 7, "bucket 1: the weights");
	heatmap_release(&h);

	fake_profile(&p, st, PROF_VIEW_CPU);
	is_int(heatmap_init(&h, &p, origin, 0, 7, 0), -EINVAL, "rows must divide a second");
	is_int(heatmap_init(&h, &p, origin, origin + 200000ull * S, 50, 0), -E2BIG,
	       "too many seconds");
	p.sample_list = NULL;
	is_int(heatmap_init(&h, &p, origin, 0, 50, 0), -EINVAL, "no sample list");
}

/* whether report --time arg keeps a sample at `time` of a recording that started at start */
static bool kept(const char *arg, uint64_t start, uint64_t time)
{
	struct sample_filter f;
	struct rec_sample r = {.time = time};
	bool yes;

	memset(&f, 0, sizeof(f));
	if (sample_filter_time(&f, arg) < 0) {
		sample_filter_release(&f);
		return false;
	}
	yes = sample_filter_thread(&f, start, &r);
	sample_filter_release(&f);
	return yes;
}

static void time_args(void)
{
	struct prof_stack st[2];
	struct profile p;
	struct heatmap h;
	char arg[80];
	int ranges = 0, bad = 0;

	fake_profile(&p, st, PROF_VIEW_CPU);
	heatmap_init(&h, &p, origin, 0, 50, 0);
	heatmap_time_arg(arg, sizeof(arg), &h, origin, 50, 65);
	is_str(arg, "1,1.319999999", "buckets 50 to 65");
	heatmap_time_arg(arg, sizeof(arg), &h, origin, 0, 0);
	is_str(arg, "0,0.019999999", "bucket 0");
	heatmap_time_arg(arg, sizeof(arg), &h, 0, 1, 1);
	is_str(arg, "123456.809,123456.828999999", "no start: from CLOCK_MONOTONIC's 0");

	/* at both edges of a range, one nanosecond either side */
	for (uint64_t a = 0; a < 100; a += 7)
		for (uint64_t b = a; b < a + 60; b += 13) {
			uint64_t from = origin + a * h.bucket_ns,
				 to = origin + (b + 1) * h.bucket_ns;
			bool good;

			heatmap_time_arg(arg, sizeof(arg), &h, origin, a, b);
			good = kept(arg, origin, from) && kept(arg, origin, to - 1) &&
			       !kept(arg, origin, to) && (!a || !kept(arg, origin, from - 1));
			ranges++;
			if (!good && !bad++)
				diag("--time %s does not keep exactly buckets %llu to %llu", arg,
				     (unsigned long long)a, (unsigned long long)b);
		}
	ok(ranges > 50 && !bad, "%d ranges: each --time keeps its buckets' edges, not a ns beyond",
	   ranges);
	heatmap_time_arg(arg, sizeof(arg), &h, origin, 0, 3);
	ok(kept(arg, origin, origin - 5),
	   "a sample before the start: in bucket 0, as --time has it");
	heatmap_release(&h);
}

int main(void)
{
	rows();
	buckets();
	time_args();
	return done_testing();
}
