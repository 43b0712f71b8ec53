// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * pmuprof list: the events libpfm4 knows for the PMUs it detected, each
 * probed with perf_event_open, so a user sees at once what can be counted
 * on this machine (in a VM without a PMU: no cycles, but cpu-clock).
 * The catalogue is event/catalog.h's, its text output/list.h's.
 */
#include "cmd/commands.h"
#include "cmd/common.h"
#include "collect/counter.h"
#include "event/catalog.h"
#include "event/event.h"
#include "output/list.h"
#include "util/error.h"

#include <errno.h>
#include <stdio.h>

enum {
	OPT_AVAILABLE = CMD_OPT_LONG_BASE,
	OPT_NO_PROBE,
};

static const struct cmd_option list_options[] = {
	{ OPT_AVAILABLE, "available", NULL, "show only events that can be counted here" },
	{ OPT_NO_PROBE, "no-probe", NULL, "do not try to open each event" },
	{ 'h', "help", NULL, "show this help" },
};

struct list_opts {
	const char *pattern;
	bool available_only;
	bool probe;
};

/* 0, EXIT_OK after --help, or EXIT_USAGE after saying what is wrong. */
static int parse_options(struct list_opts *o, int argc, char **argv)
{
	struct cmd_parser p;
	char *arg;
	int c;

	cmd_parser_init(&p, "list", "[options] [PATTERN]", list_options, ARRAY_SIZE(list_options),
			argc, argv);
	while ((c = cmd_next_option(&p, &arg)) != -1) {
		switch (c) {
		case OPT_AVAILABLE:
			o->available_only = true;
			break;
		case OPT_NO_PROBE:
			o->probe = false;
			break;
		case 'h':
			cmd_print_help(&p, stdout);
			cmd_parser_release(&p);
			return CMD_HELP_SHOWN;
		default:
			cmd_parser_release(&p);
			return EXIT_USAGE;
		}
	}
	cmd_parser_release(&p);
	if (argc - optind > 1) {
		error("list takes at most one PATTERN, not %d (quote a pattern with spaces)",
		      argc - optind);
		return EXIT_USAGE;
	}
	if (o->available_only && !o->probe) {
		error("--available needs probing: drop --no-probe");
		return EXIT_USAGE;
	}
	if (optind < argc)
		o->pattern = argv[optind];
	return 0;
}

/* The footnote on why events could not be opened. */
static const char *why_not(int err)
{
	if (err == -ENOENT)
		return "the kernel has no such event here (no hardware PMU, as in most virtual "
		       "machines)";
	return cmd_explain_perf_error(err, false);
}

int cmd_list(int argc, char **argv)
{
	struct list_opts o = { .probe = true };
	struct list_text_opts text = { .why_not = why_not };
	struct event_catalog c;
	const char *detail;
	int ret;

	ret = parse_options(&o, argc, argv);
	if (ret)
		return ret == CMD_HELP_SHOWN ? EXIT_OK : ret;
	if (event_lib_init(&detail) < 0) {
		error("cannot initialise libpfm4: %s", detail ? detail : "unknown error");
		return EXIT_FAIL;
	}
	ret = event_catalog_init(&c);
	if (ret < 0) {
		error_errno(ret, "cannot list libpfm4's events");
		event_catalog_release(&c);
		return EXIT_FAIL;
	}
	ret = EXIT_OK;
	if (event_catalog_select(&c, o.pattern) == 0) {
		error("no event matches '%s' (try a shorter pattern, or 'pmuprof list' for all)",
		      o.pattern);
		ret = EXIT_FAIL;
	} else {
		if (o.probe)
			event_catalog_probe(&c, counter_probe);
		text.probed = o.probe;
		text.available_only = o.available_only;
		text.core_pmu = event_have_core_pmu();
		list_print(stdout, &c, &text);
	}
	event_catalog_release(&c);
	return ret;
}
