/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A profile's samples laid out in time for a heat map, as FlameScope does:
 * one column per second of the recording, each cut into `rows` buckets of
 * equal length (bucket_ns divides a second), so that bucket b covers
 * [origin + b * bucket_ns, origin + (b + 1) * bucket_ns) and sits in column
 * b / rows, row b % rows. A sample counts in the bucket of its time stamp,
 * whole: an off-CPU interval where it began (where the thread left the
 * CPU). That is the rule of report's --time, so that a range of buckets is
 * exactly what heatmap_time_arg()'s argument selects. A sample stamped
 * before the origin counts in bucket 0, as --time counts it at second 0.
 *
 * Values are sample counts in the cpu view and nanoseconds (the samples'
 * weights) in the time views. Besides each bucket's total, the map keeps
 * every stack's value per bucket (entries, sorted by stack then bucket),
 * from which the flame graph of any range of buckets is built.
 *
 * heatmap_init() fills an embedded struct; heatmap_release() frees its
 * arrays. It reads the profile's sample list and keeps no pointer into it.
 */
#ifndef PMUPROF_ANALYSE_HEATMAP_H
#define PMUPROF_ANALYSE_HEATMAP_H

#include "analyse/profile.h"

#include <stddef.h>
#include <stdint.h>

/* At most this many buckets in a map: rows are fewer for long recordings. */
#define HEATMAP_BUCKETS_MAX 100000u
/* At most this many rows (FlameScope's 50: 20 ms buckets). */
#define HEATMAP_ROWS_MAX 50u
/* The fewest samples a bucket of a CPU busy all the time should get at the sampling rate. */
#define HEATMAP_FULL_SAMPLES 10u

struct heatmap_entry {
	uint32_t stack; /* index into the profile's stacks */
	uint32_t bucket;
	uint64_t value;
};

struct heatmap {
	uint64_t origin;    /* CLOCK_MONOTONIC ns where bucket 0 starts */
	uint64_t bucket_ns; /* a divisor of a second */
	uint32_t rows;	    /* buckets per column: 1e9 / bucket_ns */
	uint32_t cols;	    /* seconds, to the recording's end or its last sample */
	uint64_t *cells;    /* cols * rows values, by bucket */
	uint64_t max;	    /* the largest cell */
	uint64_t total;	    /* of every cell */
	struct heatmap_entry *entries;
	size_t nentries;
	bool time; /* values are nanoseconds (a time view), else sample counts */
};

/*
 * The rows for a recording of `seconds` columns sampled at rate_hz per busy
 * CPU (0: unknown): the most rows of 50, 25, 20, 10, 5, 4, 2 and 1 whose
 * buckets still get HEATMAP_FULL_SAMPLES samples of a busy CPU, and whose
 * map holds at most HEATMAP_BUCKETS_MAX buckets; 0 when even one row per
 * second is too many (a recording longer than that many seconds).
 */
uint32_t heatmap_rows_for(double rate_hz, uint64_t seconds);

/*
 * The sampling rate of p's CPU samples per busy CPU in Hz: freq_hz when the
 * recording says (its requested -F), else one sample per period of a clock
 * event; 0 when unknown.
 */
double heatmap_rate(const struct profile *p, uint64_t freq_hz);

/*
 * Lays p's sample list (PROFILE_SAMPLES) out from origin to end (the
 * recording's end, CLOCK_MONOTONIC ns; the columns reach the last sample
 * when it is later, or when end is 0) with `rows` rows (0:
 * heatmap_rows_for() of p's rate freq_hz and its length): 0, -EINVAL
 * when p has no sample list or rows does not divide a second, or -E2BIG
 * when the samples span too many seconds for HEATMAP_BUCKETS_MAX buckets.
 */
int heatmap_init(struct heatmap *h, const struct profile *p, uint64_t origin, uint64_t end,
		 uint32_t rows, uint64_t freq_hz);
void heatmap_release(struct heatmap *h);

/*
 * The ns from the recording's start (start_ns, CLOCK_MONOTONIC; 0 when
 * unknown, as --time then counts from 0) to where bucket b starts.
 */
uint64_t heatmap_bucket_offset(const struct heatmap *h, uint64_t start_ns, uint64_t b);

/*
 * report's --time argument "START,END" that selects exactly the samples of
 * buckets first to last (both included, first <= last): START is where
 * first begins and END the last nanosecond of last, in seconds with nine
 * decimals at most (trailing zeros dropped). --time includes both ends and
 * compares seconds as doubles, which tell nanoseconds apart for ages.
 * Returns what snprintf() does.
 */
int heatmap_time_arg(char *buf, size_t size, const struct heatmap *h, uint64_t start_ns,
		     uint64_t first, uint64_t last);

#endif
