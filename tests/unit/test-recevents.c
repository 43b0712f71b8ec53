// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * collect/recevents.c without a PMU: what a sample carries for each
 * call-graph mode, frequency or period, and the ring size picked for a
 * rate. Opening is exercised by tests/cli/record.sh.
 */
#include "collect/recevents.h"
#include "tap.h"

#include <string.h>
#include <time.h>
#include <unistd.h>

static void attrs(void)
{
	struct rec_sampling dwarf = { .freq = 999, .cg = REC_CG_DWARF, .stack_size = 4096 };
	struct rec_sampling fp = { .period = 12345, .cg = REC_CG_FP };
	struct rec_sampling none = { .freq = 10, .cg = REC_CG_NONE };
	uint64_t base = PERF_SAMPLE_IP | PERF_SAMPLE_TID | PERF_SAMPLE_TIME | PERF_SAMPLE_CPU |
			PERF_SAMPLE_PERIOD;
	struct perf_event_attr a;

	memset(&a, 0, sizeof(a));
	recevents_attr(&a, &dwarf, true);
	ok(a.sample_type == (base | PERF_SAMPLE_REGS_USER | PERF_SAMPLE_STACK_USER |
			     PERF_SAMPLE_CALLCHAIN),
	   "dwarf: registers, stack and the kernel's callchain");
	ok(a.exclude_callchain_user, "dwarf: no user callchain (the stack is unwound later)");
	is_int((long long)a.sample_regs_user, (long long)SAMPLER_REGS_MASK, "dwarf: bp, sp, ip");
	is_int(a.sample_stack_user, 4096, "dwarf: the stack size asked for");
	ok(a.freq && a.sample_freq == 999, "freq: sample_freq");
	ok(a.inherit, "inherit as asked");
	ok(a.mmap && a.mmap2 && a.comm && a.comm_exec && a.task && a.sample_id_all,
	   "side band records");
	ok(a.use_clockid && a.clockid == CLOCK_MONOTONIC, "CLOCK_MONOTONIC timestamps");
	ok(a.watermark, "wakeups by watermark");

	memset(&a, 0, sizeof(a));
	recevents_attr(&a, &fp, false);
	ok(a.sample_type == (base | PERF_SAMPLE_CALLCHAIN), "fp: the kernel's callchain only");
	ok(!a.exclude_callchain_user && !a.sample_regs_user && !a.sample_stack_user,
	   "fp: no registers or stack");
	ok(!a.freq && a.sample_period == 12345, "period: sample_period");
	ok(!a.inherit, "no inherit when not asked");

	memset(&a, 0, sizeof(a));
	recevents_attr(&a, &none, true);
	ok(a.sample_type == base, "none: no callchain, registers or stack");
	ok(a.freq && a.sample_freq == 10, "none: freq");
}

static void hardware(void)
{
	struct perf_event_attr a = { .type = PERF_TYPE_HARDWARE };

	ok(recevents_is_hardware(&a), "hardware");
	a.type = PERF_TYPE_HW_CACHE;
	ok(recevents_is_hardware(&a), "cache");
	a.type = PERF_TYPE_RAW;
	ok(recevents_is_hardware(&a), "raw");
	a.type = PERF_TYPE_MAX + 3;
	ok(recevents_is_hardware(&a), "a PMU of its own type");
	a.type = PERF_TYPE_SOFTWARE;
	ok(!recevents_is_hardware(&a), "software");
	a.type = PERF_TYPE_TRACEPOINT;
	ok(!recevents_is_hardware(&a), "tracepoint");
}

static void ring_pages(void)
{
	unsigned long page = (unsigned long)sysconf(_SC_PAGESIZE);
	struct rec_sampling smp = { .freq = 1000, .cg = REC_CG_DWARF, .stack_size = 8192 };
	unsigned long want, pages;

	is_int((long long)recevents_ring_pages(&smp), 512, "1000 Hz, 8 KiB stacks: the minimum");
	smp.freq = 100000;
	want = 100000 * (96 + 8192 + 48) / 4 / page;
	pages = recevents_ring_pages(&smp);
	ok(pages >= want || pages == 8192, "100 kHz: a quarter second of samples (%lu)", pages);
	ok(!(pages & (pages - 1)), "a power of two");
	smp.freq = 100000000;
	smp.stack_size = 65528;
	is_int((long long)recevents_ring_pages(&smp), 8192, "no more than 32 MiB by itself");
	/* with 8 KiB stack copies 4000 Hz needs 2048 pages, 1000 Hz the 512 minimum */
	smp.cg = REC_CG_DWARF;
	smp.stack_size = 8192;
	smp.freq = 4000;
	pages = recevents_ring_pages(&smp);
	smp.freq = 0;
	smp.period = 1;
	is_int((long long)recevents_ring_pages(&smp), (long long)pages,
	       "a period counts as 4000 Hz");
	ok(pages > 512, "which is more than the minimum (%lu)", pages);
}

static void names(void)
{
	is_str(rec_call_graph_names[REC_CG_DWARF], "dwarf", "dwarf");
	is_str(rec_call_graph_names[REC_CG_FP], "fp", "fp");
	is_str(rec_call_graph_names[REC_CG_NONE], "none", "none");
}

int main(void)
{
	attrs();
	hardware();
	ring_pages();
	names();
	return done_testing();
}
