// SPDX-License-Identifier: GPL-2.0-or-later
/* collect/target.c: CPU lists as the kernel writes them ("0-3,6"). */
#include "collect/target.h"
#include "tap.h"

#include <errno.h>

static void cpulists(void)
{
	int cpus[8];

	is_int(target_parse_cpulist("0-3,6\n", cpus, 8), 5, "ranges and singles");
	ok(cpus[3] == 3 && cpus[4] == 6, "in order");
	is_int(target_parse_cpulist("0", cpus, 8), 1, "a single CPU");
	is_int(target_parse_cpulist("3-1", cpus, 8), -EINVAL, "backwards range");
	is_int(target_parse_cpulist("0-9", cpus, 8), -EINVAL, "more CPUs than room");
}

int main(void)
{
	cpulists();
	return done_testing();
}
