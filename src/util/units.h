/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Quantities in words for people: a duration in the unit that fits it
 * (ns, us, ms, s) with three significant digits, as the time views of
 * report and diff print each line's time.
 */
#ifndef PMUPROF_UNITS_H
#define PMUPROF_UNITS_H

#include <stddef.h>
#include <stdint.h>

/* The longest text units_duration() writes, with its NUL ("18446744073709551615 s"). */
#define UNITS_DURATION_MAX 32

/* ns as "850 ns", "12.5 us", "3.50 ms", "168 ms", "1.20 s" into buf; returns buf. */
char *units_duration(char *buf, size_t size, uint64_t ns);

#endif
