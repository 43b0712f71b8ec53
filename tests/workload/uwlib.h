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

/* N rounds of dependent arithmetic in libuw.so's static uw_lib_inner (the hot code) */
unsigned long uw_lib_work(unsigned long n);
/* sorts A[0..N) with libc's qsort and CMP; returns a value derived from the result */
long uw_lib_sort(int *a, size_t n, int (*cmp)(const void *, const void *));

#endif
