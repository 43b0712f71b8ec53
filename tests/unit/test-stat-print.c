// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * output/stat-print.c: number formatting, and the stat printers on rows this
 * machine cannot produce for real: events multiplexed (scaled, with their
 * running share shown) and a derived metric whose inputs were not counted
 * together.
 */
#include "output/stat-print.h"
#include "tap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *print(enum stat_format format, const struct stat_row *rows, size_t n, bool repeated)
{
	struct stat_printer p = { .format = format, .sep = ",", .big_num = true,
				  .repeated = repeated };
	char *buf = NULL;
	size_t len = 0;

	p.f = open_memstream(&buf, &len);
	for (size_t i = 0; i < n; i++)
		stat_print_row(&p, &rows[i], 0);
	fclose(p.f);
	return buf;
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

	s = print(STAT_CSV, rows, 2, false);
	is_str(s,
	       "3000000,,cycles,100,33.33,3.000,GHz,\n"
	       "6000000,,instructions,150,50.00,2.000,insn per cycle,not counted together\n",
	       "CSV: running time and share, metric, the note");
	free(s);

	s = print(STAT_JSON, rows + 1, 1, false);
	ok(strstr(s, "\"running-pct\": 50.000000") && strstr(s, "\"metric-counted-together\": false"),
	   "JSON: share and the together flag");
	free(s);
	s = print(STAT_JSON, rows + 2, 1, false);
	ok(strstr(s, "\"status\": \"not-counted\", \"value\": null") != NULL,
	   "JSON: not counted is null");
	free(s);
}

int main(void)
{
	formatting();
	printers();
	return done_testing();
}
