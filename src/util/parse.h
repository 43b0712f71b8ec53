/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Strict number parsing for option arguments and filters: the whole string
 * must be the number, so that "10x" or "" is an error and not 10 or 0.
 */
#ifndef PMUPROF_PARSE_H
#define PMUPROF_PARSE_H

#include "util/compiler.h"

#include <stddef.h>
#include <stdint.h>

/* Decimal, no sign: 0, -EINVAL (not a number) or -ERANGE (outside [min, max]). */
int parse_ulong(const char *s, unsigned long min, unsigned long max, unsigned long *out);
/* A finite decimal or floating-point number: 0 or -EINVAL. */
int parse_double(const char *s, double *out);
/* A unit of time a number may end with, and its nanoseconds ("" for a bare number). */
struct parse_unit {
	const char *name;
	double ns;
};

/*
 * A number followed by one of the n units (exactly: "" only if listed), in
 * nanoseconds: 0, -EINVAL (no number, another unit), or -ERANGE (not below
 * max_ns). *end gets what followed the number, for a caller's message.
 */
int parse_time_units(const char *s, const struct parse_unit *units, size_t n, double max_ns,
		     uint64_t *out, const char **end);
/*
 * A length of time with its unit: "500us", "2ms", "1.5s", "100ns" (a bare
 * number is an error: the unit is not guessed). 0 or -EINVAL.
 */
int parse_duration_ns(const char *s, uint64_t *out);

#endif
