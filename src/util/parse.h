/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Strict number parsing for option arguments and filters: the whole string
 * must be the number, so that "10x" or "" is an error and not 10 or 0.
 */
#ifndef PMUPROF_PARSE_H
#define PMUPROF_PARSE_H

#include "util/compiler.h"

/* Decimal, no sign: 0, -EINVAL (not a number) or -ERANGE (outside [min, max]). */
int parse_ulong(const char *s, unsigned long min, unsigned long max, unsigned long *out);
/* A finite decimal or floating-point number: 0 or -EINVAL. */
int parse_double(const char *s, double *out);

#endif
