// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * phase: a program with one phase of CPU-bound work at a known time, one
 * thread. It sleeps until 1 s after main's start, runs phase_work on the CPU
 * for 300 ms (by CLOCK_MONOTONIC), then sleeps until 2 s after its start.
 *
 * The truth, at the end on stdout, one line each, times in ns:
 *   start MONOTONIC        CLOCK_MONOTONIC at main's start: the origin of every REL below
 *   phase REL_START REL_END   when phase_work began and ended
 *   cpu NS                 phase_work's CPU time (CLOCK_THREAD_CPUTIME_ID)
 */
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "uwlib.h" /* FRAME */

#define PHASE_AT_NS 1000000000u
#define PHASE_NS 300000000u
#define RUN_NS 2000000000u

static volatile uint64_t sink;

static uint64_t clock_ns(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void sleep_until(uint64_t when)
{
	struct timespec ts = { (time_t)(when / 1000000000u), (long)(when % 1000000000u) };

	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL))
		;
}

/* on the CPU until `end`, reading the clock between short chunks of arithmetic */
FRAME static void phase_work(uint64_t end)
{
	uint64_t x = sink;

	do {
		for (int i = 0; i < 20000; i++) {
			x = x * 6364136223846793005u + 1442695040888963407u;
			__asm__ volatile("" : "+r"(x));
		}
	} while (clock_ns(CLOCK_MONOTONIC) < end);
	sink = x;
}

int main(void)
{
	uint64_t start = clock_ns(CLOCK_MONOTONIC), from, to, cpu;

	sleep_until(start + PHASE_AT_NS);
	from = clock_ns(CLOCK_MONOTONIC);
	cpu = clock_ns(CLOCK_THREAD_CPUTIME_ID);
	phase_work(from + PHASE_NS);
	to = clock_ns(CLOCK_MONOTONIC);
	cpu = clock_ns(CLOCK_THREAD_CPUTIME_ID) - cpu;
	sleep_until(start + RUN_NS);
	printf("start %llu\nphase %llu %llu\ncpu %llu\n", (unsigned long long)start,
	       (unsigned long long)(from - start), (unsigned long long)(to - start),
	       (unsigned long long)cpu);
	return fflush(stdout) ? 1 : 0;
}
