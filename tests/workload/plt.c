// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * plt [MS]: about MS milliseconds (default 1000) of CPU calling two tiny
 * libc functions, labs and llabs, through the PLT, so that a good share of
 * the samples fall in the stubs themselves. llabs's address is also taken
 * through the GOT, which in a PIE puts its stub in .plt.got (a GLOB_DAT
 * slot) while labs's is in .plt, or .plt.sec when built for IBT. Built
 * three ways (see Makefile.am): PIE with lazy binding, PIE with IBT and
 * -z now, and non-PIE; test-elf checks that every stub objdump names has
 * the same name in pmuprof, and tests/cli/plt.sh looks for them in reports.
 */
#include <stdint.h>
#include <stdlib.h>
#include <time.h>

#include "uwlib.h" /* FRAME */

static long long (*volatile llabs_ptr)(long long);
static volatile long sink;
/* read at every call: labs being const, clang would otherwise call plt_calls once */
static volatile long calls_of = 100000;

FRAME static long plt_calls(long n)
{
	unsigned long s = 0; /* wraps, as a signed sum may not */

	for (long i = 0; i < n; i++) {
		s += (unsigned long)labs(i - n / 2);
		s += (unsigned long)llabs((long long)(s - (unsigned long)i));
	}
	return (long)s;
}

static uint64_t cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

int main(int argc, char **argv)
{
	uint64_t goal = (uint64_t)(argc > 1 ? atol(argv[1]) : 1000) * 1000000u;
	uint64_t start = cpu_ns();

	llabs_ptr = llabs;
	while (cpu_ns() - start < goal)
		sink += plt_calls(calls_of);
	sink += (long)llabs_ptr(-1);
	return 0;
}
