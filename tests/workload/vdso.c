// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vdso MS: calls clock_gettime(CLOCK_MONOTONIC) in a loop for MS milliseconds
 * of wall time, so most samples land in the vDSO, which exists in no file:
 * a profiler must have kept its image to name the function.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

int main(int argc, char **argv)
{
	struct timespec start, now;
	long ms;

	if (argc != 2 || (ms = atol(argv[1])) <= 0) {
		fprintf(stderr, "usage: vdso MS\n");
		return 2;
	}
	clock_gettime(CLOCK_MONOTONIC, &start);
	do
		clock_gettime(CLOCK_MONOTONIC, &now);
	while ((now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000 < ms);
	return 0;
}
