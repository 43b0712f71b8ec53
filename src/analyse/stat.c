// SPDX-License-Identifier: GPL-2.0-or-later
#include "analyse/stat.h"

#include <linux/perf_event.h>
#include <math.h>
#include <string.h>

double stat_scale(uint64_t val, uint64_t ena, uint64_t run)
{
	if (run == 0)
		return 0;
	if (run >= ena)
		return (double)val;
	return (double)val * ((double)ena / (double)run);
}

void runstats_add(struct runstats *s, double x)
{
	double delta = x - s->mean;

	s->n += 1;
	s->mean += delta / s->n;
	s->m2 += delta * (x - s->mean);
}

double runstats_stddev(const struct runstats *s)
{
	if (s->n < 2)
		return 0;
	return sqrt(s->m2 / (s->n - 1));
}

double runstats_rel_pct(const struct runstats *s)
{
	if (s->mean == 0)
		return 0;
	return 100.0 * runstats_stddev(s) / fabs(s->mean);
}

static bool is_sw(const struct metric_input *m, uint64_t config)
{
	return m->type == PERF_TYPE_SOFTWARE && m->config == config;
}

static bool is_hw(const struct metric_input *m, uint64_t config)
{
	return m->type == PERF_TYPE_HARDWARE && m->config == config;
}

static bool is_clock(const struct metric_input *m)
{
	return is_sw(m, PERF_COUNT_SW_TASK_CLOCK) || is_sw(m, PERF_COUNT_SW_CPU_CLOCK);
}

const char *stat_unit(uint32_t type, uint64_t config, double *factor)
{
	if (type == PERF_TYPE_SOFTWARE &&
	    (config == PERF_COUNT_SW_TASK_CLOCK || config == PERF_COUNT_SW_CPU_CLOCK)) {
		*factor = 1e-6;
		return "msec";
	}
	*factor = 1;
	return "";
}

/*
 * The input a metric divides by: prefer one in the same group (counted at
 * the same time), then one with the same privilege levels, then any.
 */
static const struct metric_input *find_input(const struct metric_input *in, size_t n,
					     const struct metric_input *self,
					     bool (*match)(const struct metric_input *))
{
	const struct metric_input *best = NULL;
	int best_score = -1;

	for (size_t i = 0; i < n; i++) {
		int score;

		if (&in[i] == self || !match(&in[i]) || !in[i].counted)
			continue;
		score = (in[i].group == self->group) * 2 + (in[i].user_only == self->user_only);
		if (score > best_score) {
			best = &in[i];
			best_score = score;
		}
	}
	return best;
}

static bool match_cycles(const struct metric_input *m)
{
	return is_hw(m, PERF_COUNT_HW_CPU_CYCLES);
}

static bool match_branches(const struct metric_input *m)
{
	return is_hw(m, PERF_COUNT_HW_BRANCH_INSTRUCTIONS);
}

static bool match_cache_refs(const struct metric_input *m)
{
	return is_hw(m, PERF_COUNT_HW_CACHE_REFERENCES);
}

static bool match_clock(const struct metric_input *m)
{
	return is_clock(m);
}

static void set_ratio(struct metric *out, const struct metric_input *a,
		      const struct metric_input *b, double value, const char *unit)
{
	out->valid = true;
	out->value = value;
	out->unit = unit;
	/* two multiplexed inputs from different groups did not run over the same time */
	out->not_together = a->group != b->group && (a->multiplexed || b->multiplexed);
}

static void rate_per_sec(struct metric *out, const struct metric_input *self,
			 const struct metric_input *clock)
{
	static const char *const units[] = { "/sec", "K/sec", "M/sec", "G/sec" };
	double secs = clock->value / 1e9;
	double r;
	size_t u = 0;

	if (secs <= 0)
		return;
	r = self->value / secs;
	while (r >= 1000 && u + 1 < ARRAY_SIZE(units)) {
		r /= 1000;
		u++;
	}
	set_ratio(out, self, clock, r, units[u]);
}

void metric_compute(const struct metric_input *in, size_t n, size_t idx, double elapsed_ns,
		    struct metric *out)
{
	const struct metric_input *self = &in[idx];
	const struct metric_input *other;

	memset(out, 0, sizeof(*out));
	if (!self->counted)
		return;
	if (is_clock(self)) {
		if (elapsed_ns > 0) {
			out->valid = true;
			out->value = self->value / elapsed_ns;
			out->unit = "CPUs utilized";
		}
		return;
	}
	if (is_hw(self, PERF_COUNT_HW_INSTRUCTIONS)) {
		other = find_input(in, n, self, match_cycles);
		if (other && other->value > 0)
			set_ratio(out, self, other, self->value / other->value, "insn per cycle");
		return;
	}
	if (is_hw(self, PERF_COUNT_HW_BRANCH_MISSES)) {
		other = find_input(in, n, self, match_branches);
		if (other && other->value > 0)
			set_ratio(out, self, other, 100.0 * self->value / other->value,
				  "% of all branches");
		return;
	}
	if (is_hw(self, PERF_COUNT_HW_CACHE_MISSES)) {
		other = find_input(in, n, self, match_cache_refs);
		if (other && other->value > 0)
			set_ratio(out, self, other, 100.0 * self->value / other->value,
				  "% of all cache refs");
		return;
	}
	if (is_hw(self, PERF_COUNT_HW_STALLED_CYCLES_FRONTEND) ||
	    is_hw(self, PERF_COUNT_HW_STALLED_CYCLES_BACKEND)) {
		other = find_input(in, n, self, match_cycles);
		if (other && other->value > 0)
			set_ratio(out, self, other, 100.0 * self->value / other->value,
				  self->config == PERF_COUNT_HW_STALLED_CYCLES_FRONTEND
					  ? "% frontend cycles idle"
					  : "% backend cycles idle");
		return;
	}
	other = find_input(in, n, self, match_clock);
	if (!other)
		return;
	if (is_hw(self, PERF_COUNT_HW_CPU_CYCLES) || is_hw(self, PERF_COUNT_HW_REF_CPU_CYCLES)) {
		if (other->value > 0)
			set_ratio(out, self, other, self->value / other->value, "GHz");
		return;
	}
	rate_per_sec(out, self, other);
}
