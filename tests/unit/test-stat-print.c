// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * output/stat-print.c: number formatting, and the stat printers on rows this
 * machine cannot produce for real: events multiplexed (scaled, with their
 * running share shown) and a derived metric whose inputs were not counted
 * together; a hand-made counter set laid out as rows (instances summed, per
 * thread, means of runs) and the reasons events were not supported.
 */
#include "output/stat-print.h"
#include "tap.h"
#include "util/alloc.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char *print_notes(enum stat_format format, const struct stat_row *rows, size_t n,
			 bool repeated, bool notes)
{
	struct stat_printer p = { .format = format, .sep = ",", .big_num = true,
				  .repeated = repeated, .notes = notes };
	char *buf = NULL;
	size_t len = 0;

	p.f = open_memstream(&buf, &len);
	for (size_t i = 0; i < n; i++)
		stat_print_row(&p, &rows[i], 0);
	fclose(p.f);
	return buf;
}

static char *print(enum stat_format format, const struct stat_row *rows, size_t n, bool repeated)
{
	return print_notes(format, rows, n, repeated, false);
}

static void formatting(void)
{
	char buf[64];

	stat_format_number(buf, sizeof(buf), 1234567.891, 2, true);
	is_str(buf, "1,234,567.89", "thousands separators");
	stat_format_number(buf, sizeof(buf), 999, 0, true);
	is_str(buf, "999", "no separator below 1000");
	stat_format_number(buf, sizeof(buf), -1234, 0, true);
	is_str(buf, "-1,234", "negative");
	stat_format_number(buf, sizeof(buf), 1234567.891, 2, false);
	is_str(buf, "1234567.89", "--no-big-num");
}

static void printers(void)
{
	struct stat_row rows[] = {
		{ .event = "cycles", .state = STAT_COUNTED, .value = 3000000, .unit = "",
		  .ena = 300, .run = 100, .stddev_pct = -1,
		  .metric = { .valid = true, .value = 3.0, .unit = "GHz" } },
		{ .event = "instructions", .state = STAT_COUNTED, .value = 6000000, .unit = "",
		  .ena = 300, .run = 150, .stddev_pct = -1,
		  .metric = { .valid = true, .value = 2.0, .unit = "insn per cycle",
			      .not_together = true } },
		{ .event = "branches", .state = STAT_NOT_COUNTED, .unit = "", .ena = 300,
		  .stddev_pct = -1 },
		{ .event = "task-clock", .state = STAT_COUNTED, .value = 12.5, .unit = "msec",
		  .ena = 300, .run = 300, .stddev_pct = 1.25,
		  .metric = { .valid = true, .value = 0.5, .unit = "CPUs utilized" } },
	};
	char *s;

	s = print(STAT_TEXT, rows, 4, false);
	ok(strstr(s, "3,000,000      cycles") != NULL, "text: scaled count with separators");
	ok(strstr(s, "(33.33%)") != NULL, "text: a multiplexed event shows its running share");
	ok(strstr(s, "(50.00%)") != NULL, "text: each event its own share");
	ok(strstr(s, "insn per cycle         (not counted together)") != NULL,
	   "text: a metric from inputs in different groups is marked");
	ok(strstr(s, "<not counted>      branches") != NULL, "text: never scheduled");
	ok(strstr(s, "12.50 msec task-clock") != NULL, "text: clocks in msec");
	ok(strstr(s, "( +-  1.25% )") != NULL, "text: relative deviation over runs");
	free(s);

	s = print(STAT_CSV, rows, 4, false);
	is_str(s,
	       "3000000,,cycles,100,33.33,3.000,GHz\n"
	       "6000000,,instructions,150,50.00,2.000,insn per cycle\n"
	       "<not counted>,,branches,0,0.00,,\n"
	       "12.50,msec,task-clock,300,100.00,0.500,CPUs utilized\n",
	       "CSV: perf's seven fields, running time and share, metric");
	free(s);
	s = print(STAT_CSV, rows + 2, 2, true);
	is_str(s,
	       "<not counted>,,branches,0.00%,0,0.00,,\n"
	       "12.50,msec,task-clock,1.25%,300,100.00,0.500,CPUs utilized\n",
	       "CSV with -r: the deviation after the event, as perf");
	free(s);
	s = print_notes(STAT_CSV, rows, 3, false, true);
	is_str(s,
	       "3000000,,cycles,100,33.33,3.000,GHz,\n"
	       "6000000,,instructions,150,50.00,2.000,insn per cycle,not counted together\n"
	       "<not counted>,,branches,0,0.00,,,\n",
	       "CSV with --csv-notes: an eighth field, the note");
	free(s);

	s = print(STAT_JSON, rows + 1, 1, false);
	is_str(s,
	       "{\"type\": \"counter\", \"counter-value\": \"6000000.000000\", \"unit\": \"\", "
	       "\"event\": \"instructions\", \"event-runtime\": 150, \"pcnt-running\": 50.00, "
	       "\"metric-value\": 2.000000, \"metric-unit\": \"insn per cycle\", "
	       "\"status\": \"counted\", \"value\": 6000000.000000, \"enabled-ns\": 300, "
	       "\"running-ns\": 150, \"running-pct\": 50.000000, "
	       "\"metric-counted-together\": false}\n",
	       "JSON: perf's keys in perf's order, then pmuprof's");
	free(s);
	s = print(STAT_JSON, rows + 2, 2, true);
	is_str(s,
	       "{\"type\": \"counter\", \"counter-value\": \"<not counted>\", \"unit\": \"\", "
	       "\"event\": \"branches\", \"variance\": 0.00, \"event-runtime\": 0, "
	       "\"pcnt-running\": 0.00, \"metric-value\": 0.000000, \"metric-unit\": \"\", "
	       "\"status\": \"not-counted\", \"value\": null, \"enabled-ns\": 300, "
	       "\"running-ns\": 0, \"running-pct\": 0.000000}\n"
	       "{\"type\": \"counter\", \"counter-value\": \"12.500000\", \"unit\": \"msec\", "
	       "\"event\": \"task-clock\", \"variance\": 1.25, \"event-runtime\": 300, "
	       "\"pcnt-running\": 100.00, \"metric-value\": 0.500000, "
	       "\"metric-unit\": \"CPUs utilized\", \"status\": \"counted\", "
	       "\"value\": 12.500000, \"enabled-ns\": 300, \"running-ns\": 300, "
	       "\"running-pct\": 100.000000, \"stddev-pct\": 1.250000, "
	       "\"metric-counted-together\": true}\n",
	       "JSON with -r: perf's variance; not counted as perf prints it");
	free(s);
}

static const char *explain(int err, bool cpu_wide)
{
	return err == -ENOENT ? (cpu_wide ? "no such event, CPU-wide" : "no such event")
			      : "something else";
}

/* task-clock and page-faults counted on two threads; cycles and branches not supported. */
static void counter_rows(void)
{
	struct event_spec specs[4] = {
		{ .name = "task-clock", .group = 0 },
		{ .name = "page-faults", .group = 1 },
		{ .name = "cycles", .group = 2 },
		{ .name = "branches", .group = 3 },
	};
	struct counter c[4] = { { .spec = &specs[0] }, { .spec = &specs[1], .user_only = true },
				{ .spec = &specs[2], .err = -ENOENT },
				{ .spec = &specs[3], .err = -ENOENT } };
	struct target_instance inst[2] = { { .pid = getpid(), .cpu = -1 },
					   { .pid = getpid(), .cpu = -1 } };
	struct target tg = { .kind = TARGET_PID, .pid = getpid(), .inst = inst, .nr = 2 };
	struct counter_set set = { .c = c, .nr = 4, .target = &tg };
	/* counter x instance; the second thread's page-faults ran half the time */
	struct count counts[8] = {
		{ 2000000, 100, 100 }, { 1000000, 100, 100 }, { 10, 100, 100 }, { 5, 100, 50 },
	};
	struct runstats val[4] = { { .n = 2, .mean = 4000000, .m2 = 0 }, { .n = 2, .mean = 30 } };
	uint64_t ena[4] = { 400, 400 }, run[4] = { 400, 200 };
	struct stat_totals tot = { .val = val, .ena = ena, .run = run, .runs = 2 };
	struct stat_printer p = { .format = STAT_CSV, .sep = "," };
	struct stat_table t;
	char *buf = NULL, *s;
	size_t len = 0;

	c[0].attr.type = PERF_TYPE_SOFTWARE;
	c[0].attr.config = PERF_COUNT_SW_TASK_CLOCK;
	c[1].attr.type = PERF_TYPE_SOFTWARE;
	c[1].attr.config = PERF_COUNT_SW_PAGE_FAULTS;
	c[2].attr.type = PERF_TYPE_HARDWARE;
	c[3].attr.type = PERF_TYPE_HARDWARE;
	c[3].attr.config = PERF_COUNT_HW_BRANCH_INSTRUCTIONS;

	stat_table_init(&t, &set, false, NULL);
	p.f = open_memstream(&buf, &len);
	stat_print_counts(&p, &t, counts, 1e9, 0, NULL);
	fclose(p.f);
	ok(strstr(buf, "3.00,msec,task-clock,200,100.00,") == buf,
	   "instances summed, task-clock in msec: %s", buf);
	ok(strstr(buf, "\n20,,page-faults:u,150,75.00,") != NULL,
	   "a multiplexed instance scaled, ':u' for user space only");
	ok(strstr(buf, "\n<not supported>,,cycles,0,0.00,,\n<not supported>,,branches,0,0.00,,\n"),
	   "events that could not be opened: perf's seven fields");
	free(buf);

	buf = NULL;
	p.f = open_memstream(&buf, &len);
	p.format = STAT_JSON;
	p.explain = explain;
	stat_print_counts(&p, &t, counts, 1e9, 0, NULL);
	fclose(p.f);
	ok(strstr(buf, "\"counter-value\": \"<not supported>\", \"unit\": \"\", "
		       "\"event\": \"cycles\"") &&
		   strstr(buf, "\"reason\": \"no such event\"}\n"),
	   "JSON: why an event is not supported: %s", buf);
	ok(strstr(buf, "\"reason\"") > strchr(buf, '\n'),
	   "JSON: no reason for a counted event (the first line)");
	p.format = STAT_CSV;
	p.explain = NULL;
	free(buf);

	buf = NULL;
	p.f = open_memstream(&buf, &len);
	stat_print_counts(&p, &t, counts, 1e9, 0, &tot);
	fclose(p.f);
	ok(strstr(buf, "4.00,msec,task-clock,200,100.00,") == buf, "-r: the mean over runs: %s",
	   buf);
	ok(strstr(buf, "\n30,,page-faults:u,100,50.00,") != NULL, "-r: running time per run");
	free(buf);
	stat_table_release(&t);

	{
		char **names = xcalloc(2, sizeof(char *));

		names[0] = xasprintf("main-%d", (int)getpid());
		names[1] = xasprintf("worker-%d", (int)getpid());
		stat_table_init(&t, &set, true, names);
	}
	buf = NULL;
	p.f = open_memstream(&buf, &len);
	p.per_thread = true;
	stat_print_counts(&p, &t, counts, 1e9, 0, NULL);
	fclose(p.f);
	s = xasprintf("-%d", (int)getpid());
	ok(t.nthreads == 2 && strstr(t.thread_names[1], s) && strstr(buf, "worker-"),
	   "threads named comm-tid, as given");
	free(s);
	ok(strstr(buf, ",2.00,msec,task-clock,") && strstr(buf, ",1.00,msec,task-clock,"),
	   "per thread: each instance its rows: %s", buf);
	ok(strstr(buf, ",10,,page-faults:u,100,100.00") &&
		   strstr(buf, ",10,,page-faults:u,50,50.00"),
	   "per thread: the second one scaled");
	free(buf);
	stat_table_release(&t);

	buf = NULL;
	p.f = open_memstream(&buf, &len);
	stat_print_unsupported(&p, &set, explain);
	tg.kind = TARGET_CPUS;
	stat_print_unsupported(&p, &set, explain);
	fclose(p.f);
	is_str(buf,
	       " <not supported>: cycles, branches: no such event\n"
	       " <not supported>: cycles, branches: no such event, CPU-wide\n",
	       "one line per reason, worded by the command");
	free(buf);
}

static void targets(void)
{
	char *argv[] = { "./prog", "a b", "-x", NULL };
	char *s;

	s = stat_describe_target(TARGET_WORKLOAD, 0, argv);
	is_str(s, "./prog a b -x", "a command: its words");
	free(s);
	s = stat_describe_target(TARGET_PID, 12, argv);
	is_str(s, "process 12", "-p");
	free(s);
	s = stat_describe_target(TARGET_TID, 13, NULL);
	is_str(s, "thread 13", "-t");
	free(s);
	s = stat_describe_target(TARGET_CPUS, -1, NULL);
	is_str(s, "all CPUs", "-a");
	free(s);
}

int main(void)
{
	formatting();
	printers();
	counter_rows();
	targets();
	return done_testing();
}
