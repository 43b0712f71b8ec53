// SPDX-License-Identifier: GPL-2.0-or-later
/* util/parse.c: strict parsing of unsigned and floating-point numbers. */
#include "util/parse.h"
#include "tap.h"

#include <errno.h>

static void numbers(void)
{
	unsigned long v = 0;
	double d = 0;

	ok(parse_ulong("42", 1, 100, &v) == 0 && v == 42, "a plain number");
	is_int(parse_ulong("0", 1, 100, &v), -ERANGE, "below the minimum");
	is_int(parse_ulong("101", 1, 100, &v), -ERANGE, "above the maximum");
	is_int(parse_ulong("-1", 0, 100, &v), -EINVAL, "no sign");
	is_int(parse_ulong("12ms", 0, 100, &v), -EINVAL, "no suffix");
	is_int(parse_ulong("", 0, 100, &v), -EINVAL, "empty");
	is_int(parse_ulong("99999999999999999999999", 0, 100, &v), -ERANGE, "overflow");
	ok(parse_double("0.25", &d) == 0 && d == 0.25, "seconds with decimals");
	is_int(parse_double("1s", &d), -EINVAL, "seconds without a suffix");
	is_int(parse_double("inf", &d), -EINVAL, "infinity is refused");
}

static void durations(void)
{
	uint64_t ns = 0;

	ok(parse_duration_ns("500us", &ns) == 0 && ns == 500000, "microseconds");
	ok(parse_duration_ns("2ms", &ns) == 0 && ns == 2000000, "milliseconds");
	ok(parse_duration_ns("1.5s", &ns) == 0 && ns == 1500000000, "seconds with decimals");
	ok(parse_duration_ns("0ns", &ns) == 0 && ns == 0, "zero");
	is_int(parse_duration_ns("2", &ns), -EINVAL, "a unit is needed");
	is_int(parse_duration_ns("2m", &ns), -EINVAL, "an unknown unit");
	is_int(parse_duration_ns("-1ms", &ns), -EINVAL, "no sign");
	is_int(parse_duration_ns("1e30s", &ns), -EINVAL, "too long");
}

int main(void)
{
	numbers();
	durations();
	return done_testing();
}
