// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * pmuprof timeline: what each thread of a recording did when. Reads the
 * recording with its samples in time order (the wall view for off-CPU
 * recordings), builds the timeline (analyse/timeline.h) over the range of
 * --time, and draws it (output/timeline.h).
 */
#include "analyse/profile.h"
#include "analyse/timeline.h"
#include "cmd/commands.h"
#include "cmd/common.h"
#include "cmd/recording.h"
#include "cmd/timeline-heatmap.h"
#include "output/timeline.h"
#include "output/trace.h"
#include "resolve/symbolize.h"
#include "util/error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

enum {
	OPT_TID = CMD_OPT_LONG_BASE,
	OPT_TIME,
	OPT_WIDTH,
	OPT_FORMAT,
	OPT_BURSTS,
	OPT_GAP,
	OPT_NO_DEMANGLE,
	OPT_VIEW,
};

static const struct cmd_option timeline_options[] = {
	{ 'i', "input", "FILE", "read FILE (default pmuprof.data)" },
	{ OPT_TID, "tid", "TIDS", "only these threads (comma-separated)" },
	{ OPT_TIME, "time", "START,END", "only this window, seconds from the start" },
	{ OPT_WIDTH, "width", "COLUMNS", "lines COLUMNS wide (default: the terminal's, or 80)" },
	{ OPT_FORMAT, "format", "FMT",
	  "text (the default), trace (Chrome trace event JSON) or heatmap (an SVG file, with -o)" },
	{ OPT_BURSTS, "bursts", "N", "list at most N bursts per thread (default 50, 0: all)" },
	{ OPT_GAP, "gap", "DURATION",
	  "a wait this long ends a burst (default 1ms; without off-CPU data, 10 samples' time)" },
	{ OPT_NO_DEMANGLE, "no-demangle", NULL, "show C++ and Rust names as in the symbol table" },
	{ OPT_VIEW, "view", "VIEW", "heatmap: cpu (default), off-cpu or wall, what its cells count" },
	{ 'o', "output", "FILE", "write to FILE instead of standard output" },
	CMD_JOBS_OPTION,
	{ 'h', "help", NULL, "show this help" },
};

enum format { FMT_TEXT, FMT_TRACE, FMT_HEATMAP, FMT_MAX };

static const char *const format_names[] = { "text", "trace", "heatmap" };

#define WIDTH_MAX 1000

struct timeline_opts {
	const char *input, *output;
	struct sample_filter filter; /* --tid */
	struct sample_filter range;  /* --time: cut to, not filtered by (a wait begun before
				      * the range still covers its start) */
	size_t width;		     /* 0: the terminal's */
	size_t bursts;
	uint64_t gap; /* 0: the default */
	enum format format;
	enum prof_view view; /* --format heatmap's; auto: not given */
	bool demangle;
	unsigned jobs; /* 0: the default */
};

static int parse_option(struct timeline_opts *o, int c, const char *arg)
{
	unsigned long n;

	switch (c) {
	case 'i':
		o->input = arg;
		return 0;
	case 'o':
		o->output = arg;
		return 0;
	case 'j':
		return cmd_jobs_option(arg, &o->jobs);

	case OPT_TID:
		return cmd_filter_tid(&o->filter, arg);
	case OPT_TIME:
		return cmd_filter_time(&o->range, arg);
	case OPT_WIDTH:
		if (parse_ulong(arg, TIMELINE_TEXT_MIN_WIDTH, WIDTH_MAX, &n) < 0)
			return error("--width takes a number of columns from %d to %d, not '%s'",
				     TIMELINE_TEXT_MIN_WIDTH, WIDTH_MAX, arg);
		o->width = n;
		return 0;
	case OPT_BURSTS:
		if (parse_ulong(arg, 0, 1000000000, &n) < 0)
			return error("--bursts takes a number of bursts (0 for all), not '%s'",
				     arg);
		o->bursts = n;
		return 0;
	case OPT_GAP:
		if (parse_duration_ns(arg, &o->gap) < 0 || !o->gap)
			return error("--gap takes a length of time with its unit (500us, 2ms, 1s), "
				     "not '%s'",
				     arg);
		return 0;
	case OPT_FORMAT:
		for (int f = 0; f < FMT_MAX; f++)
			if (!strcmp(arg, format_names[f])) {
				o->format = (enum format)f;
				return 0;
			}
		return error("--format takes text, trace or heatmap, not '%s'", arg);
	case OPT_NO_DEMANGLE:
		o->demangle = false;
		return 0;
	case OPT_VIEW:
		if (profile_view_parse(arg, &o->view) < 0)
			return error("--view takes cpu, off-cpu or wall, not '%s'", arg);
		return 0;
	default:
		return -1;
	}
}

static int parse_options(struct timeline_opts *o, int argc, char **argv)
{
	struct cmd_parser p;
	char *arg;
	int c, ret = -1;

	memset(o, 0, sizeof(*o));
	o->input = "pmuprof.data";
	o->bursts = 50;
	o->demangle = true;
	o->view = PROF_VIEW_AUTO;
	cmd_parser_init(&p, "timeline", "[options] [FILE]", timeline_options,
			ARRAY_SIZE(timeline_options), argc, argv);
	cmd_parser_permute(&p);
	while ((c = cmd_next_option(&p, &arg)) != -1) {
		if (c == 'h') {
			cmd_print_help(&p, stdout);
			ret = CMD_HELP_SHOWN;
			goto out;
		}
		if (parse_option(o, c, arg) < 0)
			goto out;
	}
	if (argc - optind > 1) {
		error("timeline reads one file, not %d", argc - optind);
		goto out;
	}
	if (optind < argc)
		o->input = argv[optind];
	if (o->view != PROF_VIEW_AUTO && o->format != FMT_HEATMAP) {
		error("--view chooses what --format heatmap counts; the %s view shows every kind",
		      format_names[o->format]);
		goto out;
	}
	ret = 0;
out:
	cmd_parser_release(&p);
	return ret < 0 ? EXIT_USAGE : ret;
}

/* The terminal's columns when writing to one, else 80. */
static size_t default_width(const char *output)
{
	struct winsize ws;

	if (!output && isatty(STDOUT_FILENO) && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 &&
	    ws.ws_col >= TIMELINE_TEXT_MIN_WIDTH)
		return ws.ws_col < WIDTH_MAX ? ws.ws_col : WIDTH_MAX;
	return 80;
}

static uint64_t at_seconds(uint64_t origin, double s)
{
	return origin + (uint64_t)(s * 1e9 + 0.5);
}

static int draw(const struct timeline_opts *o, struct session *s, const struct timeline *t)
{
	const char *inputs[] = { o->input };
	struct timeline_text_opts to = {
		.path = o->input,
		.command = session_title(s),
		.clock = data_reader_meta_str(s->rd, "clock"),
		.width = o->width ? o->width : default_width(o->output),
		.bursts = o->bursts,
		.events_missing = session_events_missing(s),
	};
	FILE *out = cmd_output_open_from(o->output, inputs, 1);
	int ret;

	if (!out)
		return EXIT_FAIL;
	if (o->format == FMT_TRACE)
		ret = trace_write(out, t);
	else
		ret = timeline_write_text(out, t, &to);
	return cmd_output_close(out, o->output, ret, "the timeline") ? EXIT_FAIL : EXIT_OK;
}

/* The heat map: --time selects its samples, as report's does. */
static int heatmap(const struct timeline_opts *o)
{
	struct sample_filter f = o->filter; /* borrowed: not released */
	struct timeline_heatmap_opts h = {
		.input = o->input,
		.output = o->output,
		.filter = &f,
		.view = o->view,
		.sym_flags = o->demangle ? SYM_DEMANGLE : 0,
		.jobs = o->jobs,
	};

	f.time_set = o->range.time_set;
	f.time_from = o->range.time_from;
	f.time_to = o->range.time_to;
	return timeline_heatmap(&h);
}

int cmd_timeline(int argc, char **argv)
{
	struct timeline_opts o;
	struct timeline_options to = { 0 };
	struct timeline *t = NULL;
	struct tl_event *events;
	size_t nevents;
	struct symbolizer *sym = NULL;
	struct profile *p = NULL;
	struct session s;
	const char *inputs[1];
	int ret;

	ret = parse_options(&o, argc, argv);
	if (ret)
		goto out_filters;
	inputs[0] = o.input;
	ret = cmd_output_check(o.output, inputs, 1);
	if (ret)
		goto out_filters;
	if (o.format == FMT_HEATMAP) {
		ret = heatmap(&o);
		goto out_filters;
	}
	ret = cmd_recording_profile(&s, o.input, &o.filter, PROF_VIEW_AUTO,
				    (o.demangle ? SYM_DEMANGLE : 0) | PROFILE_SAMPLES, o.jobs, &p, &sym);
	if (ret)
		goto out_filters;
	cmd_recording_warn_objects(&s);
	to.origin = s.start_ns;
	to.gap_ns = o.gap;
	if (o.range.time_set) {
		to.start = at_seconds(s.start_ns, o.range.time_from);
		if (o.range.time_to >= 0)
			to.end = at_seconds(s.start_ns, o.range.time_to);
		if (!to.start && !to.end)
			to.end = 1; /* --time 0,0 of a file without its start: an empty range */
	}
	timeline_session_events(&s, &events, &nevents);
	timeline_build(p, events, nevents, &to, &t);
	free(events);
	ret = draw(&o, &s, t);
	timeline_free(t);
	profile_free(p);
	symbolizer_free(sym);
	session_close(&s);
out_filters:
	sample_filter_release(&o.filter);
	sample_filter_release(&o.range);
	return ret == CMD_HELP_SHOWN ? EXIT_OK : ret;
}
