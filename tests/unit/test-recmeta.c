// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * collect/recmeta.c: a recording's metadata and run statistics, written
 * into a data file in a temporary directory and read back with the reader
 * report uses. The keys and fixed texts are the file format.
 */
#include "collect/recmeta.h"
#include "tap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char dir[] = "/tmp/pmuprof-test-recmeta.XXXXXX";

static void meta_and_stats(void)
{
	char path[128], *argv[] = {"pmuprof", "record", "-c", "100", NULL};
	struct rec_sampling smp = {.period = 100, .cg = REC_CG_FP};
	struct rec_event ev = {.name = "cpu-clock", .fstr = NULL, .user_only = true};
	struct recmeta m = {.argc = 4,
			    .argv = argv,
			    .sampler = "pmu",
			    .event_requested = "cycles",
			    .ev = &ev,
			    .fallback = "cycles cannot be sampled here",
			    .smp = &smp,
			    .pages = 512,
			    .target = TARGET_PID,
			    .pid = 4242};
	struct perfrec_stats st = {
	    .samples = 7, .lost_ring = 1, .throttled = 2, .weight = 99, .lost_shim = 5};
	struct shimrec_stats sh = {.signals = 11, .overruns = 3, .foreign = 1, .images = 1};
	struct recmeta_stats ms = {.st = &st,
				   .lost_writer = 4,
				   .shim = &sh,
				   .conflict = "the program set ITIMER_PROF",
				   .elapsed_s = 1.5,
				   .cpu_s = -1,
				   .exit_status = 3};
	struct data_writer *w;
	struct data_reader *r;
	const char *detail;
	uint64_t v;
	size_t len;

	ev.attr.type = PERF_TYPE_SOFTWARE;
	ev.attr.sample_period = 100;
	snprintf(path, sizeof(path), "%s/meta.data", dir);
	if (data_writer_open(path, &w) < 0) {
		ok(0, "cannot create %s", path);
		return;
	}
	recmeta_write(w, &m);
	recmeta_write_stats(w, &ms);
	ok(data_writer_finish(w) == 0, "finished");
	data_writer_close(w);
	if (data_reader_open(path, &r, &detail) < 0) {
		ok(0, "cannot read %s back", path);
		return;
	}
	is_str(data_reader_meta_str(r, "cmdline"), "pmuprof record -c 100", "cmdline");
	is_str(data_reader_meta_str(r, "clock"), "CLOCK_MONOTONIC", "clock");
	ok(data_reader_meta_str(r, "cpu") != NULL, "cpu");
	ok(data_reader_meta_u64(r, "ncpus", &v) && v > 0, "ncpus");
	ok(data_reader_meta_u64(r, "start-ns", &v) && v > 0, "start-ns");
	ok(data_reader_meta_u64(r, "start-realtime-ns", &v) && v > 0, "start-realtime-ns");
	is_str(data_reader_meta_str(r, "sampler"), "pmu", "sampler");
	is_str(data_reader_meta_str(r, "event-requested"), "cycles", "event-requested");
	is_str(data_reader_meta_str(r, "event"), "cpu-clock", "event");
	is_str(data_reader_meta_str(r, "event-fstr"), "cpu-clock",
	       "event-fstr: the name without one");
	is_str(data_reader_meta_str(r, "fallback"), "cycles cannot be sampled here", "fallback");
	is_str(data_reader_meta_str(r, "privilege"), "user space only (perf_event_paranoid)",
	       "privilege");
	ok(data_reader_meta(r, "event-attr", &len) && len == sizeof(ev.attr), "event-attr");
	ok(data_reader_meta_u64(r, "period", &v) && v == 100, "period");
	ok(!data_reader_meta_u64(r, "freq-hz", &v), "no freq-hz with a period");
	is_str(data_reader_meta_str(r, "call-graph"), "fp", "call-graph");
	ok(data_reader_meta_u64(r, "stack-size", &v) && v == 0, "no stack with fp");
	ok(data_reader_meta_u64(r, "regs-mask", &v) && v == 0, "no registers with fp");
	ok(data_reader_meta_u64(r, "ring-pages", &v) && v == 512, "ring-pages");
	ok(data_reader_meta_u64(r, "page-size", &v) && v == (uint64_t)sysconf(_SC_PAGESIZE),
	   "page-size");
	is_str(data_reader_meta_str(r, "target"), "process 4242", "target");

	ok(data_reader_stat_u64(r, "timer-signals", &v) && v == 11, "timer-signals");
	ok(data_reader_stat_u64(r, "timer-overruns", &v) && v == 3, "timer-overruns");
	ok(data_reader_stat_u64(r, "lost-shim", &v) && v == 5, "lost-shim");
	ok(data_reader_stat(r, "conflict", &len) &&
	       !strcmp(data_reader_stat(r, "conflict", &len), "the program set ITIMER_PROF"),
	   "conflict");
	ok(data_reader_stat_u64(r, "samples", &v) && v == 7, "samples");
	ok(data_reader_stat_u64(r, "lost-ring", &v) && v == 1, "lost-ring");
	ok(data_reader_stat_u64(r, "lost-writer", &v) && v == 4, "lost-writer");
	ok(data_reader_stat_u64(r, "throttled", &v) && v == 2, "throttled");
	ok(data_reader_stat_u64(r, "weight", &v) && v == 99, "weight");
	ok(data_reader_stat_u64(r, "elapsed-ns", &v) && v == 1500000000, "elapsed-ns");
	ok(!data_reader_stat_u64(r, "cpu-time-ns", &v), "no cpu-time-ns when unknown");
	ok(data_reader_stat_u64(r, "exit-status", &v) && v == 3, "exit-status");
	data_reader_close(r);
	unlink(path);
	snprintf(path, sizeof(path), "%s/meta.data.old", dir);
	unlink(path);
}

static void targets(void)
{
	static const struct {
		enum target_kind kind;
		const char *want;
	} cases[] = {
	    {TARGET_WORKLOAD, "command"},
	    {TARGET_TID, "thread 17"},
	    {TARGET_CPUS, "all CPUs"},
	};
	char *argv[] = {"pmuprof", NULL};
	struct rec_sampling smp = {.freq = 1000, .cg = REC_CG_DWARF, .stack_size = 8192};
	struct rec_event ev = {.name = "itimer", .fstr = "setitimer"};
	struct recmeta m = {.argc = 1,
			    .argv = argv,
			    .sampler = "itimer",
			    .timer = true,
			    .event_requested = "cycles",
			    .ev = &ev,
			    .smp = &smp,
			    .pages = 64,
			    .pid = 17};
	char path[128];

	snprintf(path, sizeof(path), "%s/t.data", dir);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct data_writer *w;
		struct data_reader *r;
		const char *detail;
		uint64_t v;

		m.target = cases[i].kind;
		if (data_writer_open(path, &w) < 0 ||
		    (recmeta_write(w, &m), data_writer_finish(w)) ||
		    (data_writer_close(w), data_reader_open(path, &r, &detail) < 0)) {
			ok(0, "cannot write and read %s", path);
			return;
		}
		is_str(data_reader_meta_str(r, "target"), cases[i].want, cases[i].want);
		if (i == 0) {
			ok(data_reader_meta_u64(r, "freq-hz", &v) && v == 1000, "freq-hz");
			ok(data_reader_meta_u64(r, "stack-size", &v) && v == 8192, "stack-size");
			ok(data_reader_meta_u64(r, "regs-mask", &v) && v == SAMPLER_REGS_MASK,
			   "regs-mask");
			ok(!data_reader_meta_str(r, "fallback") &&
			       !data_reader_meta_str(r, "privilege"),
			   "no fallback or privilege when none");
			is_str(data_reader_meta_str(r, "event-fstr"), "setitimer", "event-fstr");
		}
		data_reader_close(r);
	}
	unlink(path);
	snprintf(path, sizeof(path), "%s/t.data.old", dir);
	unlink(path);
}

int main(void)
{
	if (!mkdtemp(dir)) {
		printf("1..0 # SKIP cannot create a temporary directory\n");
		return 0;
	}
	meta_and_stats();
	targets();
	rmdir(dir);
	return done_testing();
}
