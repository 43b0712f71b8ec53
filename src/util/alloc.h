/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Allocation that cannot fail: out of memory ends the program with a message
 * (die). Callers free what these return with free().
 */
#ifndef PMUPROF_ALLOC_H
#define PMUPROF_ALLOC_H

#include "util/compiler.h"

void *xmalloc(size_t size);
void *xcalloc(size_t nmemb, size_t size);
/* Grows *ptr to hold at least `need` elements of `size` bytes; *alloc tracks capacity. */
void xgrow(void *ptr, size_t *alloc, size_t need, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) ATTR_PRINTF(1, 2);

#define FREE_AND_NULL(p)                                                                           \
	do {                                                                                       \
		free(p);                                                                           \
		(p) = NULL;                                                                        \
	} while (0)

#endif
