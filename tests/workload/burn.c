// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * burn THREADS MS: THREADS threads (the main thread among them) each spend
 * MS milliseconds of their own CPU time in a loop, measured with
 * CLOCK_THREAD_CPUTIME_ID, so the total CPU time is THREADS * MS by design.
 * With "forever" as MS the threads spin until killed (for attach tests).
 * With "=N" each thread does a fixed amount of work instead (N blocks of
 * 100,000 iterations), so a profiler's overhead shows up as time.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static long burn_ms, burn_blocks = -1;
/* per thread: a shared counter would make the threads fight over one cache line */
static __thread volatile unsigned long sink;

static double thread_cpu_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void *burn(void *arg)
{
	double start = thread_cpu_ms();

	(void)arg;
	for (long block = 0;; block++) {
		for (int i = 0; i < 100000; i++)
			sink += (unsigned long)i * 2654435761u;
		if (burn_blocks >= 0 ? block + 1 >= burn_blocks
				     : burn_ms >= 0 && thread_cpu_ms() - start >= (double)burn_ms)
			break;
	}
	return NULL;
}

int main(int argc, char **argv)
{
	pthread_t tid[64];
	int n;

	if (argc != 3 || (n = atoi(argv[1])) < 1 || n > 64) {
		fprintf(stderr, "usage: burn THREADS(1-64) MS|forever|=BLOCKS\n");
		return 2;
	}
	if (argv[2][0] == '=')
		burn_blocks = atol(argv[2] + 1);
	else
		burn_ms = strcmp(argv[2], "forever") ? atol(argv[2]) : -1;
	for (int i = 1; i < n; i++)
		if (pthread_create(&tid[i], NULL, burn, NULL)) {
			perror("pthread_create");
			return 1;
		}
	burn(NULL);
	for (int i = 1; i < n; i++)
		pthread_join(tid[i], NULL);
	return 0;
}
