// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Strict number parsing (see parse.h).
 */
#include "util/parse.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

int parse_ulong(const char *s, unsigned long min, unsigned long max, unsigned long *out)
{
	char *end;
	unsigned long v;

	if (!s || *s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (*end)
		return -EINVAL;
	if (errno == ERANGE || v < min || v > max)
		return -ERANGE;
	*out = v;
	return 0;
}

int parse_double(const char *s, double *out)
{
	char *end;
	double v;

	if (!s || !*s)
		return -EINVAL;
	errno = 0;
	v = strtod(s, &end);
	if (*end || errno == ERANGE || !isfinite(v))
		return -EINVAL;
	*out = v;
	return 0;
}

int parse_time_units(const char *s, const struct parse_unit *units, size_t n, double max_ns,
		     uint64_t *out, const char **end)
{
	char *rest;
	double v;

	*end = s ? s : "";
	if (!s || *s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtod(s, &rest);
	*end = rest;
	if (errno == ERANGE || !isfinite(v))
		return -EINVAL;
	for (size_t i = 0; i < n; i++) {
		if (strcmp(rest, units[i].name))
			continue;
		v *= units[i].ns;
		if (v >= max_ns)
			return -ERANGE;
		*out = (uint64_t)(v + 0.5);
		return 0;
	}
	return -EINVAL;
}

int parse_duration_ns(const char *s, uint64_t *out)
{
	static const struct parse_unit units[] = {{"ns", 1}, {"us", 1e3}, {"ms", 1e6}, {"s", 1e9}};
	const char *end;

	return parse_time_units(s, units, ARRAY_SIZE(units), 1.8e19, out, &end) ? -EINVAL : 0;
}
