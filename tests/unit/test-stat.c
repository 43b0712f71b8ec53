// SPDX-License-Identifier: GPL-2.0-or-later
/* Scaling, repeat statistics and derived metrics. */
#include "analyse/stat.h"
#include "tap.h"

#include <linux/perf_event.h>
#include <string.h>

static void scaling(void)
{
	is_near(stat_scale(1000, 100, 100), 1000, 1e-9, "not multiplexed: unscaled");
	is_near(stat_scale(1000, 300, 100), 3000, 1e-9, "ran a third of the time: x3");
	is_near(stat_scale(1000, 300, 0), 0, 1e-9, "never ran: 0 (shown as <not counted>)");
	is_near(stat_scale(1000, 100, 150), 1000, 1e-9, "running above enabled is not scaled down");
}

static void runstats(void)
{
	struct runstats s = { 0 };
	const double xs[] = { 2, 4, 4, 4, 5, 5, 7, 9 };

	for (size_t i = 0; i < sizeof(xs) / sizeof(xs[0]); i++)
		runstats_add(&s, xs[i]);
	is_near(s.mean, 5, 1e-12, "mean");
	is_near(runstats_stddev(&s), 2.138089935, 1e-6, "sample standard deviation");
	is_near(runstats_rel_pct(&s), 42.7617987, 1e-5, "relative to the mean, in %");
	memset(&s, 0, sizeof(s));
	runstats_add(&s, 3);
	is_near(runstats_stddev(&s), 0, 0, "one run has no deviation");
}

static struct metric_input in(uint32_t type, uint64_t config, int group, double value,
			      bool multiplexed)
{
	struct metric_input m = { .type = type, .config = config, .group = group,
				  .counted = true, .multiplexed = multiplexed, .value = value };
	return m;
}

static void metrics(void)
{
	struct metric_input v[] = {
		in(PERF_TYPE_SOFTWARE, PERF_COUNT_SW_TASK_CLOCK, 0, 2e9, false),
		in(PERF_TYPE_SOFTWARE, PERF_COUNT_SW_PAGE_FAULTS, 1, 5000, false),
		in(PERF_TYPE_HARDWARE, PERF_COUNT_HW_CPU_CYCLES, 2, 6e9, true),
		in(PERF_TYPE_HARDWARE, PERF_COUNT_HW_INSTRUCTIONS, 3, 12e9, true),
		in(PERF_TYPE_HARDWARE, PERF_COUNT_HW_BRANCH_INSTRUCTIONS, 4, 1e9, false),
		in(PERF_TYPE_HARDWARE, PERF_COUNT_HW_BRANCH_MISSES, 4, 1e7, false),
		in(PERF_TYPE_HARDWARE, PERF_COUNT_HW_CPU_CYCLES, 5, 3e9, true),
		in(PERF_TYPE_HARDWARE, PERF_COUNT_HW_INSTRUCTIONS, 5, 3e9, true),
	};
	size_t n = sizeof(v) / sizeof(v[0]);
	struct metric m;
	double factor;

	metric_compute(v, n, 0, 1e9, &m);
	ok(m.valid && !strcmp(m.unit, "CPUs utilized"), "task-clock: CPUs utilized");
	is_near(m.value, 2.0, 1e-12, "2 s of CPU in 1 s is 2 CPUs");
	metric_compute(v, n, 1, 1e9, &m);
	ok(m.valid && !strcmp(m.unit, "K/sec"), "page-faults: a rate in K/sec");
	is_near(m.value, 2.5, 1e-12, "5000 faults in 2 s of task-clock is 2.5 K/sec");
	metric_compute(v, n, 2, 1e9, &m);
	ok(m.valid && !strcmp(m.unit, "GHz"), "cycles: GHz");
	is_near(m.value, 3.0, 1e-12, "6e9 cycles in 2e9 ns is 3 GHz");
	metric_compute(v, n, 3, 1e9, &m);
	ok(m.valid && !strcmp(m.unit, "insn per cycle"), "instructions: IPC");
	is_near(m.value, 2.0, 1e-12, "IPC from the first ungrouped cycles");
	ok(m.not_together, "multiplexed inputs in different groups are marked");
	metric_compute(v, n, 7, 1e9, &m);
	is_near(m.value, 1.0, 1e-12, "IPC prefers the cycles of its own group");
	ok(!m.not_together, "inputs in one group were counted together");
	metric_compute(v, n, 5, 1e9, &m);
	is_near(m.value, 1.0, 1e-12, "branch misses as % of branches");
	ok(!strcmp(m.unit, "% of all branches") && !m.not_together, "unit and togetherness");
	v[2].counted = v[6].counted = false;
	metric_compute(v, n, 3, 1e9, &m);
	ok(!m.valid, "no IPC without counted cycles");
	ok(!strcmp(stat_unit(PERF_TYPE_SOFTWARE, PERF_COUNT_SW_TASK_CLOCK, &factor), "msec") &&
		   factor == 1e-6,
	   "clocks print in msec");
	ok(!*stat_unit(PERF_TYPE_HARDWARE, PERF_COUNT_HW_CPU_CYCLES, &factor) && factor == 1,
	   "counts have no unit");
}

int main(void)
{
	scaling();
	runstats();
	metrics();
	return done_testing();
}
