/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libuw.so: the shared library the unwind workload calls into, so that a
 * stack crosses object boundaries: exe -> libuw.so for uw_lib_work, and
 * exe -> libuw.so -> libc.so.6 (qsort) -> exe (the comparator) for
 * uw_lib_sort. Nothing is allocated; the caller owns the array it sorts.
 */
#ifndef PMUPROF_TESTS_UWLIB_H
#define PMUPROF_TESTS_UWLIB_H

#include <stddef.h>

/*
 * A function that must stay a frame of its own under -O2: noipa also stops
 * GCC from cloning it (f.constprop.0 would rename the frame).
 */
#if defined(__has_attribute)
#if __has_attribute(noipa)
#define FRAME __attribute__((noipa))
#endif
#endif
#ifndef FRAME
#define FRAME __attribute__((noinline))
#endif

/* N rounds of dependent arithmetic in libuw.so's static uw_lib_inner (the hot code) */
unsigned long uw_lib_work(unsigned long n);
/* sorts A[0..N) with libc's qsort and CMP; returns a value derived from the result */
long uw_lib_sort(int *a, size_t n, int (*cmp)(const void *, const void *));

#endif
