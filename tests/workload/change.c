// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * change-old MS, change-new MS: about MS (default 1000) milliseconds of CPU
 * in one thread, shared by change_a, change_b and change_c, the workload of
 * `pmuprof diff`'s tests: two builds of one program with a change between
 * them whose size is known by design.
 *
 *   change-old (-DCHANGE_NEW=0)   a:b:c = 50:30:20
 *   change-new (-DCHANGE_NEW=1)   a:b:c = 20:30:50
 *
 * so from old to new change_a's share falls by 30 percentage points,
 * change_c's rises by 30 and change_b's stays. Each round, main ->
 * change_round calls the three, which burn CPU until the thread CPU clock
 * (CLOCK_THREAD_CPUTIME_ID) has advanced by their number of units; a unit is
 * drawn anew each round between 0.4 and 0.6 ms so that a round does not stay
 * in step with a sampling period. At exit each function's measured CPU time
 * and share is printed on stderr, "change_a 501234567 ns 50.02%".
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "uwlib.h" /* FRAME */

#ifndef CHANGE_NEW
#define CHANGE_NEW 0
#endif

/* the hot loop must be compiled into each change_X, not into a callee */
#define ALWAYS_INLINE inline __attribute__((always_inline))

enum { NFUNC = 3 };
static const char *const names[NFUNC] = {"change_a", "change_b", "change_c"};
/* units of CPU per round, out of 10 */
#if CHANGE_NEW
static const unsigned int units[NFUNC] = {2, 3, 5};
#else
static const unsigned int units[NFUNC] = {5, 3, 2};
#endif
static uint64_t spent_ns[NFUNC];
/* iterations of the work loop per CPU nanosecond, refined as the run goes */
static double iters_per_ns = 0.5;
static uint64_t unit_ns;
static volatile uint64_t sink;

static uint64_t cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/*
 * Burns CPU until n units of thread CPU time have passed and returns the
 * time taken. Reading the clock is a system call, so it is read a few times
 * per call only: the loop runs 90% of the iterations it predicts are left
 * (at least 20 us worth) before looking again.
 */
static ALWAYS_INLINE uint64_t spin(unsigned int n)
{
	uint64_t start = cpu_ns(), now = start, goal = start + n * unit_ns, x = sink;

	while (now < goal) {
		double left = (double)(goal - now) * 0.9;
		uint64_t iters, before = now;

		if (left < 20000)
			left = 20000;
		iters = (uint64_t)(left * iters_per_ns) + 1;
		for (uint64_t i = 0; i < iters; i++) {
			x = x * 6364136223846793005u + 1442695040888963407u;
			/* keeps the loop from being folded or vectorized */
			__asm__ volatile("" : "+r"(x));
		}
		now = cpu_ns();
		if (now > before)
			iters_per_ns =
			    0.75 * iters_per_ns + 0.25 * (double)iters / (double)(now - before);
	}
	sink = x;
	return now - start;
}

FRAME static uint64_t change_a(void)
{
	return spin(units[0]);
}

FRAME static uint64_t change_b(void)
{
	return spin(units[1]);
}

FRAME static uint64_t change_c(void)
{
	return spin(units[2]);
}

FRAME static void change_round(void)
{
	spent_ns[0] += change_a();
	spent_ns[1] += change_b();
	spent_ns[2] += change_c();
	__asm__ volatile("" ::: "memory");
}

int main(int argc, char **argv)
{
	uint64_t start, total, rnd = 88172645463325252u;
	long ms = 1000;

	if (argc > 2 || (argc == 2 && (ms = atol(argv[1])) <= 0)) {
		fprintf(stderr, "usage: %s [MS]\n", argv[0]);
		return 2;
	}
	start = cpu_ns();
	while (cpu_ns() - start < (uint64_t)ms * 1000000u) {
		/* xorshift64: the same sequence every run, no libc state */
		rnd ^= rnd << 13;
		rnd ^= rnd >> 7;
		rnd ^= rnd << 17;
		unit_ns = 400000 + rnd % 200001;
		change_round();
	}
	total = cpu_ns() - start;
	for (int i = 0; i < NFUNC; i++)
		fprintf(stderr, "%s %llu ns %.2f%%\n", names[i], (unsigned long long)spent_ns[i],
			total ? 100.0 * (double)spent_ns[i] / (double)total : 0.0);
	return 0;
}
