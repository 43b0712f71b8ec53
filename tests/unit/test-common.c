// SPDX-License-Identifier: GPL-2.0-or-later
/* Number parsing, CPU lists and number formatting. */
#include "cmd/common.h"
#include "collect/target.h"
#include "output/stat-print.h"
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

static void cpulists(void)
{
	int cpus[8];

	is_int(target_parse_cpulist("0-3,6\n", cpus, 8), 5, "ranges and singles");
	ok(cpus[3] == 3 && cpus[4] == 6, "in order");
	is_int(target_parse_cpulist("0", cpus, 8), 1, "a single CPU");
	is_int(target_parse_cpulist("3-1", cpus, 8), -EINVAL, "backwards range");
	is_int(target_parse_cpulist("0-9", cpus, 8), -EINVAL, "more CPUs than room");
}

static void formatting(void)
{
	char buf[64];

	stat_format_number(buf, sizeof(buf), 1234567.891, 2, true);
	is_str(buf, "1,234,567.89", "thousands separators");
	stat_format_number(buf, sizeof(buf), 999, 0, true);
	is_str(buf, "999", "no separator below 1000");
	stat_format_number(buf, sizeof(buf), -1234, 0, true);
	is_str(buf, "-1,234", "negative");
	stat_format_number(buf, sizeof(buf), 1234567.891, 2, false);
	is_str(buf, "1234567.89", "--no-big-num");
}

int main(void)
{
	numbers();
	cpulists();
	formatting();
	return done_testing();
}
