// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * split [-o FILE] MS: about MS milliseconds of CPU in one thread, shared by
 * four functions in the ratio 1:2:3:4, with the kernel's own accounting as the
 * truth a profile is checked against.
 *
 * Each round, main -> split_round calls split_a, split_b, split_c and split_d,
 * which burn CPU until the thread CPU clock (CLOCK_THREAD_CPUTIME_ID) has
 * advanced by 1, 2, 3 and 4 units; a unit is drawn anew each round between
 * 0.4 and 0.6 ms, so that a round (about 5 ms) does not stay in step with a
 * sampling period. The clock is a system call, so it is read only a few times
 * per call: the loop predicts how many iterations are left from the measured
 * rate and reads the clock again when it expects to be done.
 *
 * At exit it prints, to stderr or to FILE, one line per function,
 *   split_a 201234567 ns 10.02%
 * (its CPU time, and its share of the whole process's CPU time, which is what
 * a profiler's overhead column estimates), then a "total" line with the
 * process's CPU time. The compiler must keep the four functions and their
 * caller as real frames: they are noinline and never tail-called.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "uwlib.h" /* FRAME */


/* the hot loop must be compiled into each split_X, not into a callee */
#define ALWAYS_INLINE inline __attribute__((always_inline))

enum { NFUNC = 4 };
static const char *const names[NFUNC] = { "split_a", "split_b", "split_c", "split_d" };
static uint64_t spent_ns[NFUNC];
/* iterations of the work loop per CPU nanosecond, refined as the run goes */
static double iters_per_ns = 0.5;
static uint64_t unit_ns;
static volatile uint64_t sink;

static uint64_t cpu_ns(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/*
 * Burns CPU until UNITS units of thread CPU time have passed and returns the
 * time taken. It runs 90% of the iterations it predicts are left before
 * looking at the clock again (at least 20 us worth, so that a slow clock read
 * cannot dominate), which makes about three clock reads per call.
 */
static ALWAYS_INLINE uint64_t spin(unsigned int units)
{
	uint64_t start = cpu_ns(CLOCK_THREAD_CPUTIME_ID), now = start;
	uint64_t goal = start + units * unit_ns, x = sink;

	while (now < goal) {
		double left = (double)(goal - now) * 0.9;
		uint64_t n, before = now;

		if (left < 20000)
			left = 20000;
		n = (uint64_t)(left * iters_per_ns) + 1;
		for (uint64_t i = 0; i < n; i++) {
			x = x * 6364136223846793005u + 1442695040888963407u;
			/* keeps the loop from being folded or vectorized */
			__asm__ volatile("" : "+r"(x));
		}
		now = cpu_ns(CLOCK_THREAD_CPUTIME_ID);
		if (now > before)
			iters_per_ns =
			    0.75 * iters_per_ns + 0.25 * (double)n / (double)(now - before);
	}
	sink = x;
	return now - start;
}

FRAME static uint64_t split_a(void)
{
	return spin(1);
}

FRAME static uint64_t split_b(void)
{
	return spin(2);
}

FRAME static uint64_t split_c(void)
{
	return spin(3);
}

FRAME static uint64_t split_d(void)
{
	return spin(4);
}

FRAME static void split_round(void)
{
	spent_ns[0] += split_a();
	spent_ns[1] += split_b();
	spent_ns[2] += split_c();
	spent_ns[3] += split_d();
	__asm__ volatile("" ::: "memory");
}

int main(int argc, char **argv)
{
	const char *path = NULL;
	uint64_t start, total, rnd = 88172645463325252u;
	FILE *f = stderr;
	long ms;
	int c;

	while ((c = getopt(argc, argv, "+o:")) != -1) {
		if (c != 'o')
			goto usage;
		path = optarg;
	}
	if (argc - optind != 1 || (ms = atol(argv[optind])) <= 0)
		goto usage;

	start = cpu_ns(CLOCK_THREAD_CPUTIME_ID);
	while (cpu_ns(CLOCK_THREAD_CPUTIME_ID) - start < (uint64_t)ms * 1000000u) {
		rnd ^= rnd << 13;
		rnd ^= rnd >> 7;
		rnd ^= rnd << 17;
		unit_ns = 400000 + rnd % 200001;
		split_round();
	}

	total = cpu_ns(CLOCK_PROCESS_CPUTIME_ID);
	if (path && !(f = fopen(path, "w"))) {
		perror(path);
		return 1;
	}
	for (int i = 0; i < NFUNC; i++)
		fprintf(f, "%s %llu ns %.2f%%\n", names[i], (unsigned long long)spent_ns[i],
			100.0 * (double)spent_ns[i] / (double)total);
	fprintf(f, "total %llu ns\n", (unsigned long long)total);
	if (path && fclose(f)) {
		perror(path);
		return 1;
	}
	return 0;

usage:
	fprintf(stderr, "usage: split [-o FILE] MS\n");
	return 2;
}
