// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * pmuprof timeline: a recording laid out in time. --format heatmap writes
 * the heat map over time (cmd/timeline-heatmap.h).
 */
#include "cmd/commands.h"
#include "cmd/common.h"
#include "cmd/recording.h"
#include "cmd/timeline-heatmap.h"
#include "resolve/symbolize.h"
#include "util/error.h"

#include <stdio.h>
#include <string.h>

enum {
	OPT_TID = CMD_OPT_LONG_BASE,
	OPT_TIME,
	OPT_FORMAT,
	OPT_VIEW,
	OPT_NO_DEMANGLE,
};

static const struct cmd_option timeline_options[] = {
    {'i', "input", "FILE", "read FILE (default pmuprof.data)"},
    {OPT_TID, "tid", "TIDS", "only these threads (comma-separated)"},
    {OPT_TIME, "time", "START,END", "only this window, seconds from the start"},
    {OPT_FORMAT, "format", "FMT", "heatmap: the SVG heat map over time"},
    {OPT_VIEW, "view", "VIEW", "cpu (default), off-cpu or wall: what the heat map counts"},
    {OPT_NO_DEMANGLE, "no-demangle", NULL, "show C++ and Rust names as in the symbol table"},
    {'o', "output", "FILE", "write to FILE instead of standard output"},
    {'h', "help", NULL, "show this help"},
};

struct timeline_opts {
	const char *input, *output;
	struct sample_filter filter;
	enum prof_view view;
	bool demangle, heatmap;
};

static int parse_options(struct timeline_opts *o, int argc, char **argv)
{
	struct cmd_parser p;
	char *arg;
	int c, ret = -1;

	memset(o, 0, sizeof(*o));
	o->input = "pmuprof.data";
	o->demangle = true;
	o->view = PROF_VIEW_AUTO;
	cmd_parser_init(&p, "timeline", "[options] [FILE]", timeline_options,
			ARRAY_SIZE(timeline_options), argc, argv);
	cmd_parser_permute(&p);
	while ((c = cmd_next_option(&p, &arg)) != -1) {
		switch (c) {
		case 'i':
			o->input = arg;
			break;
		case 'o':
			o->output = arg;
			break;
		case OPT_TID:
			if (cmd_filter_tid(&o->filter, arg) < 0)
				goto out;
			break;
		case OPT_TIME:
			if (cmd_filter_time(&o->filter, arg) < 0)
				goto out;
			break;
		case OPT_FORMAT:
			if (strcmp(arg, "heatmap")) {
				error("--format takes heatmap, not '%s'", arg);
				goto out;
			}
			o->heatmap = true;
			break;
		case OPT_VIEW:
			if (profile_view_parse(arg, &o->view) < 0) {
				error("--view takes cpu, off-cpu or wall, not '%s'", arg);
				goto out;
			}
			break;
		case OPT_NO_DEMANGLE:
			o->demangle = false;
			break;
		case 'h':
			cmd_print_help(&p, stdout);
			ret = CMD_HELP_SHOWN;
			goto out;
		default:
			goto out;
		}
	}
	if (argc - optind > 1) {
		error("timeline reads one file, not %d", argc - optind);
		goto out;
	}
	if (optind < argc)
		o->input = argv[optind];
	if (!o->heatmap) {
		error("timeline needs --format heatmap");
		goto out;
	}
	ret = 0;
out:
	cmd_parser_release(&p);
	return ret < 0 ? EXIT_USAGE : ret;
}

int cmd_timeline(int argc, char **argv)
{
	struct timeline_opts o;
	struct timeline_heatmap_opts h;
	int ret = parse_options(&o, argc, argv);

	if (ret == CMD_HELP_SHOWN || ret) {
		sample_filter_release(&o.filter);
		return ret == CMD_HELP_SHOWN ? EXIT_OK : ret;
	}
	h = (struct timeline_heatmap_opts){.input = o.input,
					   .output = o.output,
					   .filter = &o.filter,
					   .view = o.view,
					   .sym_flags = o.demangle ? SYM_DEMANGLE : 0};
	ret = timeline_heatmap(&h);
	sample_filter_release(&o.filter);
	return ret;
}
