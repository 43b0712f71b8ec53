// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * hot [MS]: about MS milliseconds (default 1000) of CPU in hot_divide, a
 * loop whose cost is one instruction: a 64-bit divide (tens of cycles),
 * among a few one-cycle ones. A profile of it has nearly all its samples on
 * the divide, or, with an event that is not precise, on the instruction
 * just after it (skid): annotate's test looks for exactly that.
 *
 * The loop is inline assembly so that the instructions and their order are
 * known whatever the compiler does; hot_divide is a frame of its own.
 */
#include <stdint.h>
#include <stdlib.h>
#include <time.h>

#include "uwlib.h" /* FRAME */

static volatile uint64_t sink;

/* n rounds of: a divide that depends on the previous one, then cheap arithmetic */
FRAME static uint64_t hot_divide(uint64_t n, uint64_t x)
{
	uint64_t d = 7;

	__asm__ volatile("1:\n\t"
			 "xorl %%edx, %%edx\n\t"
			 "divq %[d]\n\t"
			 "addq $0x3039, %%rax\n\t"
			 "orq $1, %%rax\n\t"
			 "decq %[n]\n\t"
			 "jnz 1b\n\t"
			 : "+a"(x), [n] "+r"(n)
			 : [d] "r"(d)
			 : "rdx", "cc");
	return x;
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
	uint64_t start = cpu_ns(), x = 0x123456789;

	while (cpu_ns() - start < goal)
		x = hot_divide(200000, x);
	sink = x;
	return 0;
}
