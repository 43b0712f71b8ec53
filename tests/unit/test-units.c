// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Durations in words: the unit that fits, three significant digits, and
 * the edges where rounding moves a value up a unit.
 */
#include "tap.h"
#include "util/units.h"

#include <stdint.h>

int main(void)
{
	static const struct {
		uint64_t ns;
		const char *text;
	} cases[] = {
		{ 0, "0 ns" },
		{ 999, "999 ns" },
		{ 1000, "1.00 us" },
		{ 12500, "12.5 us" },
		{ 250000, "250 us" },
		{ 999499, "999 us" },
		{ 999500, "1.00 ms" },
		{ 3500000, "3.50 ms" },
		{ 9995000, "10.0 ms" },
		{ 168000000, "168 ms" },
		{ 1200000000, "1.20 s" },
		{ 3600000000000ull, "3600 s" },
		{ UINT64_MAX, "18446744074 s" },
	};
	char buf[UNITS_DURATION_MAX];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		is_str(units_duration(buf, sizeof(buf), cases[i].ns), cases[i].text, cases[i].text);
	return done_testing();
}
