// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * heatphase [-s SECONDS] [-a START_MS] [-l LENGTH_MS]: a program with one
 * phase of CPU-bound work at a known time, idle otherwise. It sleeps until
 * START_MS (default 1000) after main's start, spins in phase_work for
 * LENGTH_MS (default 300) by CLOCK_MONOTONIC, then sleeps until SECONDS
 * (default 2) after its start.
 *
 * The truth, on stdout at the end, one line each, times in ns:
 *   start MONOTONIC   CLOCK_MONOTONIC at main's start: the origin of every REL below
 *   phase REL_START REL_END   when phase_work began and when it returned
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "uwlib.h" /* FRAME */

static volatile uint64_t sink;

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void sleep_until(uint64_t t)
{
	struct timespec ts = {.tv_sec = (time_t)(t / 1000000000u),
			      .tv_nsec = (long)(t % 1000000000u)};

	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL))
		;
}

/* CPU-bound until `end`: arithmetic between clock reads */
FRAME static void phase_work(uint64_t end)
{
	uint64_t x = 1;

	while (now_ns() < end)
		for (int i = 0; i < 10000; i++)
			x = x * 6364136223846793005u + 1442695040888963407u;
	sink = x;
}

int main(int argc, char **argv)
{
	uint64_t start = now_ns(), from, to;
	double seconds = 2, at_ms = 1000, len_ms = 300;
	int c;

	while ((c = getopt(argc, argv, "s:a:l:")) != -1) {
		switch (c) {
		case 's':
			seconds = atof(optarg);
			break;
		case 'a':
			at_ms = atof(optarg);
			break;
		case 'l':
			len_ms = atof(optarg);
			break;
		default:
			fprintf(stderr,
				"usage: heatphase [-s SECONDS] [-a START_MS] [-l LENGTH_MS]\n");
			return 2;
		}
	}
	sleep_until(start + (uint64_t)(at_ms * 1e6));
	from = now_ns();
	phase_work(from + (uint64_t)(len_ms * 1e6));
	to = now_ns();
	sleep_until(start + (uint64_t)(seconds * 1e9));
	printf("start %llu\nphase %llu %llu\n", (unsigned long long)start,
	       (unsigned long long)(from - start), (unsigned long long)(to - start));
	return 0;
}
