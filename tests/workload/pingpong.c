// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * pingpong [ROUNDS]: two threads pass one byte back and forth through two pipes ROUNDS
 * times (default 100000), so that each thread blocks and wakes once per round trip: the
 * most context switches per second a program does with so little work. Prints
 * "round-trips N seconds S per-second R" (wall clock, CLOCK_MONOTONIC).
 */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "uwlib.h" /* FRAME */

static int ping[2], pong[2];
static long rounds = 100000;

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* one byte through FD, retried on EINTR; 0 or -1 */
static int xfer(int fd, int out)
{
	char c = 'x';
	ssize_t n;

	do
		n = out ? write(fd, &c, 1) : read(fd, &c, 1);
	while (n < 0 && errno == EINTR);
	return n == 1 ? 0 : -1;
}

FRAME static void *ponger(void *arg)
{
	(void)arg;
	for (long i = 0; i < rounds; i++)
		if (xfer(ping[0], 0) || xfer(pong[1], 1))
			return (void *)1;
	return NULL;
}

FRAME static int pinger(void)
{
	for (long i = 0; i < rounds; i++)
		if (xfer(ping[1], 1) || xfer(pong[0], 0))
			return -1;
	return 0;
}

int main(int argc, char **argv)
{
	pthread_t t;
	void *res;
	double t0, dt;
	char *end;

	if (argc > 2 || (argc == 2 && ((rounds = strtol(argv[1], &end, 10)) < 1 || *end))) {
		fprintf(stderr, "usage: pingpong [ROUNDS]\n");
		return 2;
	}
	if (pipe(ping) || pipe(pong)) {
		perror("pingpong: pipe");
		return 1;
	}
	t0 = now_s();
	errno = pthread_create(&t, NULL, ponger, NULL);
	if (errno) {
		perror("pingpong: pthread_create");
		return 1;
	}
	if (pinger() || pthread_join(t, &res) || res) {
		fprintf(stderr, "pingpong: a pipe failed: %s\n", strerror(errno));
		return 1;
	}
	dt = now_s() - t0;
	printf("round-trips %ld seconds %.6f per-second %.0f\n", rounds, dt, (double)rounds / dt);
	return 0;
}
