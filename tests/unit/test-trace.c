// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The trace event writer on a timeline built by hand: exact lines for the
 * metadata, each kind of span (named by the function most of its samples
 * are in, by the function it waited in, or by its state), the samples, the
 * signals (named, with sender and receiver, a flow between threads) and
 * the wakeups (a flow between threads, an instant from outside), names
 * escaped, times in microseconds from the recording's start in 1024ths (a
 * span's ts + dur exactly the next one's ts), every line in time order; and
 * a timeline with nothing in it.
 */
#include "output/trace.h"
#include "tap.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>

enum {
	F_MAIN,
	F_WAIT_LOOP,
	F_POLL,
	F_SCHEDULE,
	F_BLOCKED,
	F_ON_TICK,
	F_ODD,
	F_CLOCK,
	F_NO_STACK,
	F_RUNNABLE,
	NFUNCS
};

static struct prof_func funcs[NFUNCS] = {
	[F_MAIN] = { .name = "main", .dso = "ticker" },
	[F_WAIT_LOOP] = { .name = "wait_loop", .dso = "ticker" },
	[F_POLL] = { .name = "__poll", .dso = "libc.so.6" },
	[F_SCHEDULE] = { .name = "schedule", .dso = "[kernel.kallsyms]", .kernel = true },
	[F_BLOCKED] = { .name = "[off-cpu: blocked]", .dso = "[off-cpu]" },
	[F_ON_TICK] = { .name = "on_tick", .dso = "ticker" },
	[F_ODD] = { .name = "odd \"name\"\\", .dso = "ticker" },
	[F_CLOCK] = { .name = "clock_gettime", .dso = "libc.so.6" },
	[F_NO_STACK] = { .name = "[no stack]", .dso = "[no stack]" },
	[F_RUNNABLE] = { .name = "[off-cpu: runnable]", .dso = "[off-cpu]" },
};

/* loc i is function i; the last one is F_ODD inlined */
#define L_ODD_INLINED NFUNCS
static struct prof_loc locs[NFUNCS + 1];

static uint32_t frames[] = {
	/* 0: blocked in __poll */ F_BLOCKED, F_SCHEDULE, F_POLL, F_WAIT_LOOP, F_MAIN,
	/* 5: on_tick */ F_ON_TICK, F_WAIT_LOOP, F_MAIN,
	/* 8: clock_gettime */ F_CLOCK, F_ON_TICK, F_WAIT_LOOP, F_MAIN,
	/* 12: runnable without a stack */ F_NO_STACK, F_RUNNABLE,
	/* 14: the other thread */ L_ODD_INLINED, F_ODD, F_MAIN,
	/* 17: blocked in the kernel alone */ F_BLOCKED, F_SCHEDULE,
	/* 19: on CPU in the kernel for wait_loop */ F_SCHEDULE, F_WAIT_LOOP, F_MAIN,
};

enum { S_WAIT, S_TICK, S_CLOCK, S_NOSTACK, S_ODD, S_LOOP, S_KERNEL, S_KLOOP };

static struct prof_stack stacks[] = {
	[S_WAIT] = { .first = 0, .depth = 5, .pid = 10, .tid = 10, .kind = PROF_KIND_BLOCKED },
	[S_TICK] = { .first = 5, .depth = 3, .pid = 10, .tid = 10, .kind = PROF_KIND_CPU },
	[S_CLOCK] = { .first = 8, .depth = 4, .pid = 10, .tid = 10, .kind = PROF_KIND_CPU },
	[S_NOSTACK] = { .first = 12, .depth = 2, .pid = 10, .tid = 10,
			.kind = PROF_KIND_RUNNABLE },
	[S_ODD] = { .first = 14, .depth = 3, .pid = 10, .tid = 11, .kind = PROF_KIND_CPU },
	/* on CPU in wait_loop itself: the tail of the on_tick stack */
	[S_LOOP] = { .first = 6, .depth = 2, .pid = 10, .tid = 10, .kind = PROF_KIND_CPU },
	[S_KERNEL] = { .first = 17, .depth = 2, .pid = 10, .tid = 11, .kind = PROF_KIND_BLOCKED },
	[S_KLOOP] = { .first = 19, .depth = 3, .pid = 10, .tid = 10, .kind = PROF_KIND_CPU },
};

#define MS 1000000u

static struct tl_span spans0[] = {
	{ 1 * MS, 1 * MS + 100000, PROF_KIND_BLOCKED, S_WAIT },
	{ 1 * MS + 100000, 1 * MS + 120000, PROF_KIND_CPU, TL_NONE },
	{ 1 * MS + 120000, 1 * MS + 120001, PROF_KIND_RUNNABLE, S_NOSTACK },
	{ 1 * MS + 120001, 1 * MS + 121000, PROF_KIND_CPU, TL_NONE },
};

static struct tl_sample samples0[] = {
	{ 1 * MS + 101000, 1000, S_LOOP, 0 },
	{ 1 * MS + 102000, 1000, S_LOOP, 0 },
	{ 1 * MS + 103000, 1000, S_KLOOP, 0 },
	{ 1 * MS + 104000, 1000, S_KLOOP, 0 },
	{ 1 * MS + 105000, 1000, S_TICK, 0 },
	{ 1 * MS + 110000, 1000, S_CLOCK, 0 },
	{ 1 * MS + 115000, 1000, S_TICK, 0 },
};

static struct tl_span spans1[] = {
	{ 1 * MS, 1 * MS + 60000, PROF_KIND_CPU, TL_NONE },
	{ 1 * MS + 60000, 1 * MS + 70000, PROF_KIND_BLOCKED, S_KERNEL },
	{ 1 * MS + 70000, 1 * MS + 121000, PROF_KIND_CPU, TL_NONE },
};

static struct tl_sample samples1[] = {
	{ 1 * MS + 50000, 1000, S_ODD, 0 },
};

static struct tl_thread threads[] = {
	{ .pid = 10, .tid = 10, .name = "ticker", .start = 1 * MS, .end = 1 * MS + 121000,
	  .spans = spans0, .nspans = 4, .samples = samples0, .nsamples = 7 },
	{ .pid = 10, .tid = 11, .name = "work\ner", .start = 1 * MS, .end = 1 * MS + 121000,
	  .spans = spans1, .nspans = 3, .samples = samples1, .nsamples = 1 },
};

static struct tl_event events[] = {
	{ 1 * MS + 90000, TL_SIGNAL_SENT, SIGUSR1, 0, 999, 999, 10, 10, TL_NONE, 0 },
	{ 1 * MS + 90500, TL_SIGNAL_DELIVERED, SIGUSR1, 0, 0, 0, 10, 10, TL_NONE, 0 },
	{ 1 * MS + 95000, TL_SIGNAL_SENT, 64, -6, 10, 11, 10, 10, 1, 0 },
	{ 1 * MS + 99000, TL_WAKEUP, 0, 0, 10, 11, 10, 10, 1, 0 },
	{ 1 * MS + 119000, TL_WAKEUP, 0, 0, 0, 0, 10, 10, TL_NONE, 0 },
	/* a wakeup of a thread outside the timeline: not written */
	{ 1 * MS + 119500, TL_WAKEUP, 0, 0, 10, 10, 77, 77, 0, TL_NONE },
};

static char *write_trace(const struct timeline *t, int *rc)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return NULL;
	*rc = trace_write(f, t);
	fclose(f);
	return buf;
}

/* whether text has line (whole, with or without the separating comma) */
static bool has_line(const char *text, const char *line)
{
	size_t n = strlen(line);

	for (const char *p = text; (p = strstr(p, line)); p++)
		if ((p == text || p[-1] == '\n') && (p[n] == '\n' || !strncmp(p + n, ",\n", 2)))
			return true;
	return false;
}

#define LINE(text, line, what)                                   \
	do {                                                     \
		if (!ok(has_line(text, line), "%s", what))      \
			diag("no line %s in:\n%s", line, text); \
	} while (0)

/* every event line's ts, per tid, never goes back */
static bool ts_in_order(const char *text)
{
	double last[2] = { -1, -1 };

	for (const char *p = text; (p = strstr(p, "\"tid\":")); p++) {
		unsigned tid;
		double ts;
		const char *q = strstr(p, "\"ts\":"), *eol = strchr(p, '\n');

		if (sscanf(p, "\"tid\":%u", &tid) != 1 || tid < 10 || tid > 11)
			return false;
		if (!q || (eol && q > eol))
			continue; /* metadata */
		ts = strtod(q + 5, NULL);
		if (ts < last[tid - 10])
			return false;
		last[tid - 10] = ts;
	}
	return true;
}

/* each X event of thread 10 begins, in doubles, exactly where the one before it ends */
static bool spans_contiguous(const char *text)
{
	double end = -1;
	int n = 0;

	for (const char *p = text; (p = strstr(p, "{\"ph\":\"X\"")); p++) {
		const char *tid = strstr(p, "\"tid\":"), *ts = strstr(p, "\"ts\":");
		const char *dur = strstr(p, "\"dur\":");
		double start;

		if (!tid || !ts || !dur || strtol(tid + 6, NULL, 10) != 10)
			continue;
		start = strtod(ts + 5, NULL);
		if (end >= 0 && start != end)
			return false;
		end = start + strtod(dur + 6, NULL);
		n++;
	}
	return n == 4;
}

int main(void)
{
	struct profile p = {
		.funcs = funcs, .nfuncs = NFUNCS, .locs = locs, .nlocs = NFUNCS + 1,
		.stacks = stacks, .nstacks = 8, .frames = frames,
		.nframes = sizeof(frames) / sizeof(frames[0]), .view = PROF_VIEW_WALL,
		.title = "ticker -s 1",
	};
	struct timeline t = {
		.prof = &p, .start = 1 * MS, .end = 1 * MS + 121000, .origin = 1 * MS,
		.off_cpu = true, .threads = threads, .nthreads = 2, .events = events,
		.nevents = sizeof(events) / sizeof(events[0]),
	};
	struct timeline empty = { .prof = &p };
	char *text;
	int rc = -1;

	for (uint32_t i = 0; i < NFUNCS; i++)
		locs[i] = (struct prof_loc){ .func = i };
	locs[L_ODD_INLINED] = (struct prof_loc){ .func = F_ODD, .inlined = true };

	text = write_trace(&t, &rc);
	is_int(rc, 0, "written");
	if (!text)
		return done_testing();
	ok(!strncmp(text, "{\"traceEvents\":[\n", 17), "opens the event array");
	LINE(text, "{\"ph\":\"M\",\"name\":\"process_name\",\"pid\":10,\"tid\":10,"
		   "\"args\":{\"name\":\"ticker\"}}",
	     "the process, named by its main thread");
	LINE(text, "{\"ph\":\"M\",\"name\":\"thread_name\",\"pid\":10,\"tid\":11,"
		   "\"args\":{\"name\":\"work\\ner\"}}",
	     "a thread's name, escaped");
	LINE(text, "{\"ph\":\"X\",\"cat\":\"off-cpu\",\"name\":\"wait_loop\",\"pid\":10,\"tid\":10,"
		   "\"ts\":0,\"dur\":100,\"args\":{\"state\":\"blocked\","
		   "\"stack\":[\"schedule_[k]\",\"__poll\",\"wait_loop\",\"main\"]}}",
	     "blocked: named by the program's own leaf-most frame, its stack without the marker");
	LINE(text, "{\"ph\":\"X\",\"cat\":\"on-cpu\",\"name\":\"on_tick\",\"pid\":10,\"tid\":10,"
		   "\"ts\":100,\"dur\":20,\"args\":{\"state\":\"running\"}}",
	     "on CPU: named by the function most of its user-mode samples ran in (3 of 5, not wait_loop's 4 of 7)");
	LINE(text, "{\"ph\":\"X\",\"cat\":\"off-cpu\",\"name\":\"runnable\",\"pid\":10,\"tid\":10,"
		   "\"ts\":120,\"dur\":0.0009765625,\"args\":{\"state\":\"runnable\","
		   "\"stack\":[\"[no stack]\"]}}",
	     "runnable without a stack: named by its state");
	LINE(text, "{\"ph\":\"X\",\"cat\":\"on-cpu\",\"name\":\"running\",\"pid\":10,\"tid\":10,"
		   "\"ts\":120.0009765625,\"dur\":0.9990234375,\"args\":{\"state\":\"running\"}}",
	     "on CPU without samples: named by its state");
	LINE(text, "{\"ph\":\"X\",\"cat\":\"on-cpu\",\"name\":\"odd \\\"name\\\"\\\\\",\"pid\":10,"
		   "\"tid\":11,\"ts\":0,\"dur\":60,\"args\":{\"state\":\"running\"}}",
	     "a function's name, escaped");
	LINE(text, "{\"ph\":\"X\",\"cat\":\"off-cpu\",\"name\":\"schedule\",\"pid\":10,\"tid\":11,"
		   "\"ts\":60,\"dur\":10,\"args\":{\"state\":\"blocked\",\"stack\":[\"schedule_[k]\"]}}",
	     "blocked without a user frame: named by its first kernel frame");
	LINE(text, "{\"ph\":\"i\",\"cat\":\"cpu-sample\",\"name\":\"on_tick\",\"pid\":10,"
		   "\"tid\":10,\"ts\":110,\"s\":\"t\",\"args\":{\"stack\":[\"clock_gettime\","
		   "\"on_tick\",\"wait_loop\",\"main\"]}}",
	     "a CPU sample: named by its function (timeline_sample_func()), its stack leaf first");
	LINE(text, "{\"ph\":\"i\",\"cat\":\"cpu-sample\",\"name\":\"odd \\\"name\\\"\\\\\",\"pid\":10,"
		   "\"tid\":11,\"ts\":50,\"s\":\"t\",\"args\":{\"stack\":[\"odd \\\"name\\\"\\\\_[i]\","
		   "\"odd \\\"name\\\"\\\\\",\"main\"]}}",
	     "an inlined frame");
	LINE(text, "{\"ph\":\"i\",\"cat\":\"signal\",\"name\":\"SIGUSR1\",\"pid\":10,\"tid\":10,"
		   "\"ts\":90,\"s\":\"t\",\"args\":{\"event\":\"sent\",\"signo\":10,\"code\":0,"
		   "\"sender_pid\":999,\"sender_tid\":999,\"receiver_pid\":10,\"receiver_tid\":10}}",
	     "a signal from outside: on the receiver's track, with its sender");
	LINE(text, "{\"ph\":\"i\",\"cat\":\"signal\",\"name\":\"SIGUSR1\",\"pid\":10,\"tid\":10,"
		   "\"ts\":90.5,\"s\":\"t\",\"args\":{\"event\":\"delivered\",\"signo\":10,"
		   "\"code\":0,\"receiver_pid\":10,\"receiver_tid\":10}}",
	     "its delivery");
	LINE(text, "{\"ph\":\"i\",\"cat\":\"signal\",\"name\":\"signal 64\",\"pid\":10,\"tid\":11,"
		   "\"ts\":95,\"s\":\"t\",\"args\":{\"event\":\"sent\",\"signo\":64,\"code\":-6,"
		   "\"sender_pid\":10,\"sender_tid\":11,\"receiver_pid\":10,\"receiver_tid\":10}}",
	     "a signal without a name, on the sender's track");
	LINE(text, "{\"ph\":\"s\",\"cat\":\"signal\",\"name\":\"signal\",\"pid\":10,\"tid\":11,"
		   "\"ts\":95,\"id\":1}",
	     "a signal between threads: a flow from the sender");
	LINE(text, "{\"ph\":\"f\",\"cat\":\"signal\",\"name\":\"signal\",\"pid\":10,\"tid\":10,"
		   "\"ts\":95,\"id\":1}",
	     "to the receiver");
	LINE(text, "{\"ph\":\"s\",\"cat\":\"wakeup\",\"name\":\"wakeup\",\"pid\":10,\"tid\":11,"
		   "\"ts\":99,\"id\":2}",
	     "a wakeup between threads: a flow from the waker");
	LINE(text, "{\"ph\":\"f\",\"cat\":\"wakeup\",\"name\":\"wakeup\",\"pid\":10,\"tid\":10,"
		   "\"ts\":99,\"id\":2}",
	     "to the woken thread");
	LINE(text, "{\"ph\":\"i\",\"cat\":\"wakeup\",\"name\":\"wakeup\",\"pid\":10,\"tid\":10,"
		   "\"ts\":119,\"s\":\"t\",\"args\":{\"waker_pid\":0,\"waker_tid\":0}}",
	     "a wakeup from outside: an instant");
	ok(!strstr(text, "\"tid\":77"), "no event of a thread outside the timeline");
	ok(ts_in_order(text), "each track's events in time order");
	ok(spans_contiguous(text), "a span's ts + dur is the next one's ts, in floating point");
	ok(strstr(text, "\n],\n\"displayTimeUnit\":\"ns\",\n\"otherData\":{\"clock\":"
			"\"CLOCK_MONOTONIC\",\"start_ns\":1000000,\"command\":\"ticker -s 1\"}}\n") !=
		   NULL,
	   "closes with the recording's start and command");
	free(text);

	text = write_trace(&empty, &rc);
	is_int(rc, 0, "nothing: written");
	if (text)
		is_str(text,
		       "{\"traceEvents\":[\n\n],\n\"displayTimeUnit\":\"ns\",\n\"otherData\":{"
		       "\"clock\":\"CLOCK_MONOTONIC\",\"start_ns\":0,\"command\":\"ticker -s 1\"}}\n",
		       "nothing: an empty event array");
	free(text);
	return done_testing();
}
