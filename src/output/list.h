/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * list's text: the selected events of an event catalogue (event/catalog.h)
 * under a heading per PMU, each line with whether it can be counted here
 * (when probed), its names, what it is an alias of or its description and
 * its unit masks; then a summary, one footnote per reason events could not
 * be opened, and a note when no hardware PMU is visible. It writes to
 * `out` (the caller checks ferror(out)) and prints no messages.
 */
#ifndef PMUPROF_OUTPUT_LIST_H
#define PMUPROF_OUTPUT_LIST_H

#include "event/catalog.h"

#include <stdbool.h>
#include <stdio.h>

struct list_text_opts {
	bool probed;	     /* the catalogue was probed: a status column and the footnotes */
	bool available_only; /* only the events that can be counted here */
	bool core_pmu;	     /* a hardware PMU is visible */
	/* why events could not be opened, worded by the command, for a probe's -errno */
	const char *(*why_not)(int err);
};

void list_print(FILE *out, const struct event_catalog *c, const struct list_text_opts *o);

#endif
