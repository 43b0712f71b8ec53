// SPDX-License-Identifier: GPL-2.0-or-later
#include "collect/recevents.h"
#include "event/event.h"
#include "util/alloc.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define ACCT_PAGES     64   /* the per-thread CPU accounting's ring, per CPU */
#define MIN_PAGES      512  /* 2 MiB of ring per CPU at least */
#define MAX_AUTO_PAGES 8192 /* 32 MiB: the most pmuprof picks by itself */

const char *const rec_call_graph_names[3] = { "dwarf", "fp", "none" };

void rec_event_release(struct rec_event *ev)
{
	free(ev->name);
	free(ev->fstr);
	free(ev->asked);
	ev->name = ev->fstr = ev->asked = NULL;
}

void recevents_attr(struct perf_event_attr *a, const struct rec_sampling *smp, bool inherit)
{
	a->sample_type = PERF_SAMPLE_IP | PERF_SAMPLE_TID | PERF_SAMPLE_TIME | PERF_SAMPLE_CPU |
			 PERF_SAMPLE_PERIOD;
	if (smp->cg == REC_CG_DWARF) {
		/* the kernel's own frames come as a callchain; the user ones are unwound later */
		a->sample_type |= PERF_SAMPLE_REGS_USER | PERF_SAMPLE_STACK_USER |
				  PERF_SAMPLE_CALLCHAIN;
		a->exclude_callchain_user = 1;
		a->sample_regs_user = SAMPLER_REGS_MASK;
		a->sample_stack_user = (uint32_t)smp->stack_size;
	} else if (smp->cg == REC_CG_FP) {
		a->sample_type |= PERF_SAMPLE_CALLCHAIN;
	}
	if (smp->freq) {
		a->freq = 1;
		a->sample_freq = smp->freq;
	} else {
		a->freq = 0;
		a->sample_period = smp->period;
	}
	a->inherit = inherit;
	a->mmap = 1; /* the kernel only reports maps when this is set; mmap2 picks the format */
	a->mmap2 = 1;
	a->comm = 1;
	a->comm_exec = 1;
	a->task = 1;
	a->sample_id_all = 1;
	a->use_clockid = 1;
	a->clockid = CLOCK_MONOTONIC;
	a->watermark = 1;
}

bool recevents_is_hardware(const struct perf_event_attr *a)
{
	return a->type == PERF_TYPE_HARDWARE || a->type == PERF_TYPE_HW_CACHE ||
	       a->type == PERF_TYPE_RAW || a->type >= PERF_TYPE_MAX;
}

/*
 * A quarter second of samples, so that a reader kept off the CPU for a
 * while by the workload loses nothing. A period (-c) is taken as 4000
 * samples a second.
 */
unsigned long recevents_ring_pages(const struct rec_sampling *smp)
{
	unsigned long rate = smp->freq ? smp->freq : 4000;
	unsigned long per_sample = 96 + (smp->cg == REC_CG_DWARF ? smp->stack_size + 48 : 0) +
				   (smp->cg == REC_CG_FP ? 1024 : 0);
	unsigned long want = rate * per_sample / 4 / (unsigned long)sysconf(_SC_PAGESIZE);
	unsigned long pages = MIN_PAGES;

	while (pages < want && pages < MAX_AUTO_PAGES)
		pages *= 2;
	return pages;
}

static void use_cpu_clock(struct rec_event *ev, int why, struct rec_sampling *smp)
{
	struct perf_event_attr a;
	char *fstr = NULL;

	memset(&a, 0, sizeof(a));
	event_encode("cpu-clock", &a, &fstr, NULL);
	ev->fallback_err = why;
	/* a period of cycles means nothing in nanoseconds of cpu-clock */
	if (smp->period) {
		ev->fallback_period = true;
		smp->period = 0;
		smp->freq = REC_DEFAULT_FREQ;
	}
	free(ev->asked);
	ev->asked = ev->name;
	free(ev->fstr);
	ev->name = xstrdup("cpu-clock");
	ev->fstr = fstr ? fstr : xstrdup("cpu-clock");
	a.exclude_kernel = ev->attr.exclude_kernel;
	a.exclude_user = ev->attr.exclude_user;
	a.exclude_hv = ev->attr.exclude_hv;
	ev->attr = a;
}

int recevents_open_sampler(struct sampler *s, struct rec_event *ev, struct rec_sampling *smp,
			   bool allow_fallback, const struct target *t, size_t *pages,
			   bool enable_on_exec)
{
	bool inherit = t->kind == TARGET_WORKLOAD || t->kind == TARGET_PID;
	struct perf_event_attr a;
	int ret;

	for (;;) {
		a = ev->attr;
		recevents_attr(&a, smp, inherit);
		/* wake the reader when a quarter of the ring is full */
		a.wakeup_watermark = (uint32_t)(*pages * (size_t)sysconf(_SC_PAGESIZE) / 4);
		ret = sampler_open(s, &a, t, pages, enable_on_exec);
		if (ret == 0)
			break;
		if ((ret == -ENOENT || ret == -EOPNOTSUPP) && recevents_is_hardware(&ev->attr) &&
		    allow_fallback && !ev->fallback_err) {
			use_cpu_clock(ev, ret, smp);
			continue;
		}
		if ((ret == -EACCES || ret == -EPERM) && !ev->explicit_plm && !ev->user_only &&
		    !ev->attr.exclude_kernel) {
			ev->attr.exclude_kernel = 1;
			ev->attr.exclude_hv = 1;
			ev->user_only = true;
			continue;
		}
		return ret;
	}
	ev->attr = s->attr;
	return 0;
}

/*
 * With inherit_stat the kernel reports each thread's count as it ends
 * (PERF_RECORD_READ): the truth that `pmuprof compare` holds every sampler
 * to. Its records take the sampling event's format, so one converter reads
 * both rings.
 */
int recevents_open_accounting(struct sampler *acct, const struct perf_event_attr *sampling,
			      const struct target *t)
{
	struct perf_event_attr a;
	size_t pages = ACCT_PAGES;
	int ret;

	memset(&a, 0, sizeof(a));
	a.size = sizeof(a);
	a.type = PERF_TYPE_SOFTWARE;
	a.config = PERF_COUNT_SW_TASK_CLOCK;
	a.inherit = 1;
	a.inherit_stat = 1;
	a.sample_id_all = 1;
	a.use_clockid = 1;
	a.clockid = CLOCK_MONOTONIC;
	a.watermark = 1;
	a.wakeup_watermark = (uint32_t)(pages * (size_t)sysconf(_SC_PAGESIZE) / 4);
	if (sampling) {
		a.sample_type = sampling->sample_type;
		a.sample_regs_user = sampling->sample_regs_user;
		a.sample_stack_user = sampling->sample_stack_user;
		a.exclude_kernel = sampling->exclude_kernel;
	} else {
		a.sample_type = PERF_SAMPLE_TID | PERF_SAMPLE_TIME | PERF_SAMPLE_CPU;
		a.mmap = 1;
		a.mmap2 = 1;
		a.comm = 1;
		a.comm_exec = 1;
		a.task = 1;
	}
	/*
	 * A sampling event that reads its count (PERF_SAMPLE_READ) with
	 * inherit keeps the kernel from swapping contexts between threads at
	 * a context switch (Linux 6.12+); a swap can move the parent's events
	 * into a child thread, whose count is then never reported. Its period
	 * is never reached: it only counts.
	 */
	a.sample_type |= PERF_SAMPLE_READ;
	a.sample_period = 1ull << 62;
	ret = sampler_open(acct, &a, t, &pages, true);
	if (ret == -EINVAL) {
		a.sample_type &= ~(uint64_t)PERF_SAMPLE_READ;
		a.sample_period = 0;
		ret = sampler_open(acct, &a, t, &pages, true);
	}
	if ((ret == -EACCES || ret == -EPERM) && !a.exclude_kernel) {
		a.exclude_kernel = 1;
		ret = sampler_open(acct, &a, t, &pages, true);
	}
	return ret;
}

uint64_t recevents_accounting_total(const struct sampler *acct)
{
	uint64_t total = 0, v;

	for (size_t i = 0; i < acct->nfds; i++)
		if (acct->fds[i] >= 0 && read(acct->fds[i], &v, sizeof(v)) == (ssize_t)sizeof(v))
			total += v;
	return total;
}

int recevents_open_switches(struct sampler *sw, const struct perf_event_attr *sampling,
			    const struct target *t, size_t *pages, bool enable_on_exec,
			    bool *samples)
{
	struct perf_event_attr a;
	int ret;

	memset(&a, 0, sizeof(a));
	a.size = sizeof(a);
	a.type = PERF_TYPE_SOFTWARE;
	a.config = PERF_COUNT_SW_CONTEXT_SWITCHES;
	a.sample_period = 1;
	/* the sampling event's layout, so that one converter reads both */
	a.sample_type = sampling->sample_type;
	a.sample_regs_user = sampling->sample_regs_user;
	a.sample_stack_user = sampling->sample_stack_user;
	a.exclude_callchain_user = sampling->exclude_callchain_user;
	a.inherit = sampling->inherit;
	a.context_switch = 1;
	a.sample_id_all = 1;
	a.use_clockid = 1;
	a.clockid = CLOCK_MONOTONIC;
	a.watermark = 1;
	a.wakeup_watermark = (uint32_t)(*pages * (size_t)sysconf(_SC_PAGESIZE) / 4);
	*samples = true;
	ret = sampler_open(sw, &a, t, pages, enable_on_exec);
	if (ret != -EACCES && ret != -EPERM)
		return ret;
	/*
	 * The event fires in the kernel, which this user may not sample
	 * (perf_event_paranoid 2): the switch records alone, from an event
	 * that counts nothing.
	 */
	*samples = false;
	a.config = PERF_COUNT_SW_DUMMY;
	a.sample_period = 0;
	a.exclude_kernel = 1;
	a.exclude_hv = 1;
	return sampler_open(sw, &a, t, pages, enable_on_exec);
}
