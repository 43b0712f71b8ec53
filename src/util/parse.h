/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Strict number parsing for option arguments and filters: the whole string
 * must be the number, so that "10x" or "" is an error and not 10 or 0.
 */
#ifndef PMUPROF_PARSE_H
#define PMUPROF_PARSE_H

#include "util/compiler.h"

#include <stdint.h>

/* Decimal, no sign: 0, -EINVAL (not a number) or -ERANGE (outside [min, max]). */
int parse_ulong(const char *s, unsigned long min, unsigned long max, unsigned long *out);
/* A finite decimal or floating-point number: 0 or -EINVAL. */
int parse_double(const char *s, double *out);
/*
 * A length of time with its unit: "500us", "2ms", "1.5s", "100ns" (a bare
 * number is an error: the unit is not guessed). 0 or -EINVAL.
 */
int parse_duration_ns(const char *s, uint64_t *out);

#endif
