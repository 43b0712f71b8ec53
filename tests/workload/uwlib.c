// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libuw.so (see uwlib.h). Built without frame pointers like the executable
 * that loads it, so only its own .eh_frame can unwind it. Every call here is
 * followed by work on its result, so the compiler can neither inline the
 * callee nor turn the call into a jump that would drop this frame.
 */
#include <stdlib.h>

#include "uwlib.h"


FRAME static unsigned long uw_lib_inner(unsigned long n)
{
	unsigned long x = n | 1;

	for (unsigned long i = 0; i < n; i++) {
		x = x * 2862933555777941757u + 3037000493u;
		x ^= x >> 29;
	}
	return x;
}

FRAME unsigned long uw_lib_work(unsigned long n)
{
	unsigned long r = uw_lib_inner(n);

	__asm__ volatile("" : "+r"(r));
	return r ^ n;
}

FRAME long uw_lib_sort(int *a, size_t n, int (*cmp)(const void *, const void *))
{
	long r;

	qsort(a, n, sizeof(*a), cmp);
	r = n ? a[0] + a[n - 1] : 0;
	__asm__ volatile("" : "+r"(r));
	return r;
}
