// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The demo workload of the README's quick start: a fraction of a second of CPU
 * over two threads, with memory traffic and page faults.
 *
 *   main thread:   sieve()      counts primes below 3,000,000, five times
 *   worker thread: checksum()   sums a 64 MiB buffer it fills first
 *
 * Nothing here depends on timing, so every run does the same work.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SIEVE_LIMIT 3000000
#define SIEVE_ROUNDS 5
#define BUF_BYTES (64u << 20)
#define SUM_ROUNDS 6

/* noinline: the profile should name the functions, not main() they were folded into */
__attribute__((noinline)) static unsigned long sieve(unsigned char *composite, unsigned long limit)
{
	unsigned long count = 0;

	memset(composite, 0, limit);
	for (unsigned long i = 2; i < limit; i++) {
		if (composite[i])
			continue;
		count++;
		for (unsigned long j = i * i; j < limit; j += i)
			composite[j] = 1;
	}
	return count;
}

__attribute__((noinline)) static uint64_t checksum(const uint64_t *buf, size_t n)
{
	uint64_t h = 1469598103934665603ull;

	for (size_t i = 0; i < n; i++)
		h = (h ^ buf[i]) * 1099511628211ull;
	return h;
}

static void *worker(void *arg)
{
	size_t n = BUF_BYTES / sizeof(uint64_t);
	uint64_t *buf = malloc(BUF_BYTES);
	uint64_t h = 0;

	if (!buf)
		return NULL;
	for (size_t i = 0; i < n; i++)
		buf[i] = i * 2654435761u;
	for (int r = 0; r < SUM_ROUNDS; r++)
		h += checksum(buf, n);
	free(buf);
	*(uint64_t *)arg = h;
	return NULL;
}

int main(void)
{
	unsigned char *composite = malloc(SIEVE_LIMIT);
	unsigned long primes = 0;
	uint64_t h = 0;
	pthread_t t;

	if (!composite || pthread_create(&t, NULL, worker, &h)) {
		fprintf(stderr, "demo: cannot start\n");
		return 1;
	}
	for (int r = 0; r < SIEVE_ROUNDS; r++)
		primes = sieve(composite, SIEVE_LIMIT);
	pthread_join(t, NULL);
	free(composite);
	printf("demo: %lu primes below %d, checksum %016llx\n", primes, SIEVE_LIMIT,
	       (unsigned long long)h);
	return 0;
}
