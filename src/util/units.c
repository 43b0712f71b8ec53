// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Quantities in words (see units.h).
 */
#include "util/units.h"

#include <inttypes.h>
#include <stdio.h>

char *units_duration(char *buf, size_t size, uint64_t ns)
{
	static const char *const names[] = { "us", "ms", "s" };
	double v = (double)ns;
	int u = -1;

	if (ns < 1000) {
		snprintf(buf, size, "%" PRIu64 " ns", ns);
		return buf;
	}
	while (u < 2 && v >= 999.5) {
		v /= 1000;
		u++;
	}
	/* three significant digits, as rounding shows them (9.995 ms is "10.0 ms") */
	if (v < 9.995)
		snprintf(buf, size, "%.2f %s", v, names[u]);
	else if (v < 99.95)
		snprintf(buf, size, "%.1f %s", v, names[u]);
	else
		snprintf(buf, size, "%.0f %s", v, names[u]);
	return buf;
}
