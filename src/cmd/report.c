// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * pmuprof report: read pmuprof.data, unwind every sample's copied stack,
 * and print where the time went: a table by command, thread, object and
 * function with each line's own share (Self) and, by default, its share
 * including what it called (Children), a call graph under each line, and a
 * header that says what was sampled and how well (fallback, rates, losses,
 * how many stacks reached their root). Or export the profile for other
 * tools (--format). perf report's spellings work (-n, -S, -G, --sort pid,
 * -g with perf's comma-separated call-graph options).
 */
#include "analyse/profile.h"
#include "analyse/report-table.h"
#include "cmd/commands.h"
#include "cmd/common.h"
#include "cmd/recording.h"
#include "output/export.h"
#include "output/report.h"
#include "resolve/symbolize.h"
#include "util/alloc.h"
#include "util/error.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum {
	OPT_SORT = CMD_OPT_LONG_BASE,
	OPT_STDIO,
	OPT_HEADER,
	OPT_CHILDREN,
	OPT_NO_CHILDREN,
	OPT_PERCENT_LIMIT,
	OPT_COMM,
	OPT_TID,
	OPT_DSO,
	OPT_SYMBOL,
	OPT_TIME,
	OPT_SRCLINE,
	OPT_INLINE,
	OPT_NO_DEMANGLE,
	OPT_FULL_SIGNATURES,
	OPT_FORMAT,
	OPT_VIEW,
};

#define GRAPH_SPEC "[print_type,threshold,order,sort_key,value]"

static const struct cmd_option report_options[] = {
	{ 'i', "input", "FILE", "read FILE (default pmuprof.data)" },
	{ 's', "sort", "KEYS",
	  "group by these of comm,pid,tid,dso,sym,srcline (default comm,dso,sym)" },
	{ OPT_CHILDREN, "children", NULL, "also charge callers with their callees' samples (default)" },
	{ OPT_NO_CHILDREN, "no-children", NULL, "only each function's own samples" },
	{ 'g', "call-graph", "[SPEC]",
	  "the graph under each line: caller, callee or none, or perf's " GRAPH_SPEC },
	{ 'G', "inverted", NULL, "the caller-based graph (-g caller), as perf's -G" },
	{ 'n', "show-nr-samples", NULL, "Samples counts each line's own samples, as perf's -n" },
	{ OPT_PERCENT_LIMIT, "percent-limit", "PCT", "hide lines and branches below PCT% (default 0.5)" },
	{ OPT_COMM, "comm", "NAMES", "only samples of these commands (comma-separated)" },
	{ OPT_TID, "tid", "TIDS", "only samples of these threads" },
	{ OPT_DSO, "dso", "NAMES", "only stacks through these objects (name or path)" },
	{ OPT_SYMBOL, "symbol", "NAMES", "only stacks through these functions (glob patterns)" },
	{ 'S', "symbols", "NAMES", "only samples taken in these functions, as perf's -S" },
	{ OPT_TIME, "time", "START,END", "only samples in this window, seconds from the start" },
	{ OPT_SRCLINE, "srcline", NULL, "add source file:line (DWARF debug information)" },
	{ OPT_INLINE, "inline", NULL, "show inlined functions as frames of their own" },
	{ OPT_NO_DEMANGLE, "no-demangle", NULL, "show C++ and Rust names as in the symbol table" },
	{ OPT_FULL_SIGNATURES, "full-signatures", NULL, "show C++ names with their return types and parameter lists" },
	{ OPT_VIEW, "view", "VIEW",
	  "cpu, off-cpu or wall (on- plus off-CPU time; the default with off-CPU samples)" },
	{ OPT_FORMAT, "format", "FMT", "text, folded, speedscope, json, svg or pprof" },
	{ 'o', "output", "FILE", "write the report or export to FILE instead of standard output" },
	{ OPT_STDIO, "stdio", NULL, "text on standard output (the default)" },
	{ OPT_HEADER, "header", NULL, "print the recording's metadata and statistics" },
	CMD_JOBS_OPTION,
	{ 'h', "help", NULL, "show this help" },
};

/* as enum report_key; "symbol" is perf's long name of sym */
static const char *const key_names[] = { "comm", "tid", "dso", "sym", "pid", "srcline" };

enum format { FMT_TEXT, FMT_FOLDED, FMT_SPEEDSCOPE, FMT_JSON, FMT_SVG, FMT_PPROF, FMT_MAX };

static const char *const format_names[] = { "text", "folded", "speedscope", "json", "svg", "pprof" };

struct report_opts {
	const char *input;
	const char *output;
	enum report_key keys[REPORT_KEY_MAX];
	size_t nkeys;
	bool header, children, inlines, demangle, signatures;
	bool graph_set; /* -g given: else caller with --children, callee without */
	bool graph_limit_set; /* -g's threshold: else --percent-limit's */
	struct report_text_opts text;
	enum format format;
	enum prof_view view; /* auto unless --view */
	struct sample_filter filter;
};

/* ---- options ------------------------------------------------------------ */

static int parse_sort(struct report_opts *o, const char *arg)
{
	char *copy = xstrdup(arg), *tok, *save = NULL;

	o->nkeys = 0;
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		size_t k;

		for (k = 0; k < REPORT_KEY_MAX && strcmp(tok, key_names[k]); k++)
			;
		if (!strcmp(tok, "symbol"))
			k = REPORT_KEY_SYM;
		if (k == REPORT_KEY_MAX || o->nkeys == REPORT_KEY_MAX) {
			error("--sort takes keys from comm, pid, tid, dso, sym (or symbol) and srcline, "
			      "not '%s'",
			      tok);
			free(copy);
			return -1;
		}
		o->keys[o->nkeys++] = (enum report_key)k;
	}
	free(copy);
	if (!o->nkeys) {
		error("--sort needs at least one of comm, pid, tid, dso, sym and srcline");
		return -1;
	}
	return 0;
}

static int parse_format(struct report_opts *o, const char *arg)
{
	for (int f = 0; f < FMT_MAX; f++)
		if (!strcmp(arg, format_names[f])) {
			o->format = (enum format)f;
			return 0;
		}
	error("--format takes text, folded, speedscope, json, svg or pprof, not '%s'", arg);
	return -1;
}

/* What one -g says, in perf's grammar. */
struct graph_spec {
	enum report_graph graph;
	bool graph_set, type_set, fractal, limit_set, none;
	double limit;
};

/*
 * perf report's -g: comma-separated words in any order, each a print type
 * (graph, fractal, none; flat, folded), an order (caller, callee), a sort
 * key (function; address), branch, a value (percent; period, count), or a
 * number: the threshold, then a print limit. The last of a kind wins, as
 * in perf, and none wins over any order. 0, or -1 with why (naming the bad
 * word) in why[].
 */
static int parse_graph_spec(const char *arg, struct graph_spec *g, char *why, size_t n)
{
	static const char *const unsupported[][2] = {
		{ "flat", "perf's flat chains are not printed: use graph or fractal, or --format "
			  "folded" },
		{ "folded", "perf's folded chains are not printed here: use --format folded" },
		{ "address", "the graph is merged by function only: use function" },
		{ "branch", "pmuprof records no branch stacks" },
		{ "period", "the graph shows percentages only: use percent" },
		{ "count", "the graph shows percentages only: use percent" },
	};
	char *copy = xstrdup(arg), *tok, *save = NULL, in[128];
	int numbers = 0, ret = 0;

	memset(g, 0, sizeof(*g));
	/* the bad word is named, and the whole argument when there is more to it */
	in[0] = '\0';
	if (strchr(arg, ','))
		snprintf(in, sizeof(in), " in '%s'", arg);
	for (tok = strtok_r(copy, ",", &save); tok && !ret; tok = strtok_r(NULL, ",", &save)) {
		size_t u;

		if (!strcmp(tok, "caller") || !strcmp(tok, "callee")) {
			g->graph = strcmp(tok, "caller") ? REPORT_GRAPH_CALLEE : REPORT_GRAPH_CALLER;
			g->graph_set = true;
		} else if (!strcmp(tok, "none")) {
			g->none = true; /* whatever else is said, as in perf */
		} else if (!strcmp(tok, "graph") || !strcmp(tok, "fractal")) {
			g->fractal = !strcmp(tok, "fractal");
			g->type_set = true;
		} else if (!strcmp(tok, "function") || !strcmp(tok, "percent")) {
			continue; /* what pmuprof does anyway */
		} else if (parse_double(tok, &g->limit) == 0) {
			if (numbers++) {
				snprintf(why, n, "'%s'%s would be perf's print limit, which pmuprof "
						 "does not have: give the threshold only",
					 tok, in);
				ret = -1;
			} else if (g->limit < 0 || g->limit > 100) {
				snprintf(why, n, "the threshold '%s'%s is not a percentage from 0 to "
						 "100",
					 tok, in);
				ret = -1;
			}
			g->limit_set = true;
		} else {
			for (u = 0; u < ARRAY_SIZE(unsupported) && strcmp(tok, unsupported[u][0]); u++)
				;
			if (u < ARRAY_SIZE(unsupported))
				snprintf(why, n, "'%s'%s is not supported: %s", tok, in,
					 unsupported[u][1]);
			else
				snprintf(why, n, "'%s'%s is none of caller, callee, none, graph, "
						 "fractal, function, percent or a threshold",
					 tok, in);
			ret = -1;
		}
	}
	free(copy);
	if (g->none) {
		g->graph = REPORT_GRAPH_NONE;
		g->graph_set = true;
	}
	return ret;
}

static int parse_graph(struct report_opts *o, const char *arg)
{
	struct graph_spec g;
	char why[256];

	if (parse_graph_spec(arg, &g, why, sizeof(why)) < 0)
		return error("--call-graph: %s", why);
	/* what it does not say stays as it was, but a graph it asks for */
	if (g.graph_set) {
		o->text.graph = g.graph;
		o->graph_set = true;
	} else if (o->text.graph == REPORT_GRAPH_NONE) {
		o->graph_set = false;
	}
	if (g.type_set)
		o->text.fractal = g.fractal;
	if (g.limit_set) {
		o->text.graph_limit = g.limit;
		o->graph_limit_set = true;
	}
	return 0;
}

/*
 * -g takes its value attached (-gcaller, --call-graph=caller) or as the next
 * word, as perf's does; a bare -g, as perf's, is the default graph. The next
 * word is -g's when it reads as a graph, or when no such file exists (then
 * it is a bad graph, and said so), so that `-g perf.data` still reads the file.
 */
static const char *graph_word(int argc, char **argv)
{
	struct graph_spec g;
	char why[256];
	const char *w = optind < argc ? argv[optind] : NULL;

	if (!w || w[0] == '-')
		return NULL;
	if (parse_graph_spec(w, &g, why, sizeof(why)) < 0 && access(w, F_OK) == 0)
		return NULL;
	optind++;
	return w;
}

static int parse_option(struct report_opts *o, int c, const char *arg)
{
	switch (c) {
	case 'i':
		o->input = arg;
		return 0;
	case 'o':
		o->output = arg;
		return 0;
	case 's':
		return parse_sort(o, arg);
	case 'g':
		return parse_graph(o, arg ? arg : "graph");
	case 'G':
		o->text.graph = REPORT_GRAPH_CALLER;
		o->graph_set = true;
		return 0;
	case 'n':
		o->text.nr_samples = true;
		return 0;
	case 'S':
		sample_filter_leaf(&o->filter, arg);
		return 0;
	case OPT_STDIO:
		return 0;
	case OPT_HEADER:
		o->header = true;
		return 0;
	case OPT_CHILDREN:
		o->children = true;
		return 0;
	case OPT_NO_CHILDREN:
		o->children = false;
		return 0;
	case OPT_PERCENT_LIMIT:
		if (parse_double(arg, &o->text.percent_limit) < 0 || o->text.percent_limit < 0 ||
		    o->text.percent_limit > 100) {
			error("--percent-limit takes a percentage from 0 to 100, not '%s'", arg);
			return -1;
		}
		return 0;
	case OPT_COMM:
		return cmd_filter_comm(&o->filter, arg);
	case OPT_TID:
		return cmd_filter_tid(&o->filter, arg);
	case OPT_DSO:
		sample_filter_dso(&o->filter, arg);
		return 0;
	case OPT_SYMBOL:
		sample_filter_symbol(&o->filter, arg);
		return 0;
	case OPT_TIME:
		return cmd_filter_time(&o->filter, arg);
	case OPT_SRCLINE:
		o->text.srcline = true;
		return 0;
	case OPT_INLINE:
		o->inlines = true;
		return 0;
	case OPT_NO_DEMANGLE:
		o->demangle = false;
		return 0;
	case OPT_FULL_SIGNATURES:
		o->signatures = true;
		return 0;
	case OPT_FORMAT:
		return parse_format(o, arg);
	case 'j':
		return cmd_jobs_option(arg, &o->text.jobs);

	case OPT_VIEW:
		if (profile_view_parse(arg, &o->view) < 0) {
			error("--view takes cpu, off-cpu or wall, not '%s'", arg);
			return -1;
		}
		return 0;
	default:
		return -1;
	}
}

static int parse_options(struct report_opts *o, int argc, char **argv)
{
	struct cmd_parser p;
	char *arg;
	int c, ret = -1;

	memset(o, 0, sizeof(*o));
	o->input = "pmuprof.data";
	o->keys[0] = REPORT_KEY_COMM;
	o->keys[1] = REPORT_KEY_DSO;
	o->keys[2] = REPORT_KEY_SYM;
	o->nkeys = 3;
	o->children = true;
	o->demangle = true;
	o->text.percent_limit = 0.5;
	o->view = PROF_VIEW_AUTO;
	cmd_parser_init(&p, "report", "[options] [FILE]", report_options,
			ARRAY_SIZE(report_options), argc, argv);
	/* no workload here: options may follow the file name */
	cmd_parser_permute(&p);
	while ((c = cmd_next_option(&p, &arg)) != -1) {
		if (c == 'h') {
			cmd_print_help(&p, stdout);
			ret = CMD_HELP_SHOWN;
			goto out;
		}
		if (c == 'g' && !arg)
			arg = (char *)graph_word(argc, argv);
		if (parse_option(o, c, arg) < 0)
			goto out;
	}
	if (argc - optind > 1) {
		error("report reads one file, not %d", argc - optind);
		goto out;
	}
	if (optind < argc)
		o->input = argv[optind];
	if (!o->graph_set)
		o->text.graph = o->children ? REPORT_GRAPH_CALLER : REPORT_GRAPH_CALLEE;
	if (!o->graph_limit_set)
		o->text.graph_limit = o->text.percent_limit;
	ret = 0;
out:
	cmd_parser_release(&p);
	return ret < 0 ? EXIT_USAGE : ret;
}

/* ---- exports ------------------------------------------------------------ */

static int export(enum format f, FILE *out, const struct profile *p)
{
	switch (f) {
	case FMT_FOLDED:
		return export_folded(out, p);
	case FMT_SPEEDSCOPE:
		return export_speedscope(out, p);
	case FMT_JSON:
		return export_json(out, p);
	case FMT_SVG:
		return export_svg(out, p);
	case FMT_PPROF:
		return export_pprof(out, p);
	default:
		return -EINVAL;
	}
}


static bool has_key(const struct report_opts *o, enum report_key k)
{
	for (size_t i = 0; i < o->nkeys; i++)
		if (o->keys[i] == k)
			return true;
	return false;
}

static void release_opts(struct report_opts *o)
{
	sample_filter_release(&o->filter);
}

static int write_report(const struct report_opts *o, const struct session *s,
			const struct profile *p)
{
	const char *inputs[] = { o->input };
	FILE *out = cmd_output_open_from(o->output, inputs, 1);
	char what[64];
	int ret = 0;

	if (!out)
		return EXIT_FAIL;
	if (o->format == FMT_TEXT) {
		struct report_table t;

		report_print_quality(out, o->input, s, p, o->filter.text);
		report_table_build(&t, p, o->keys, o->nkeys, o->children);
		report_print_table(out, &t, p, &o->text);
		report_table_release(&t);
	} else {
		ret = export(o->format, out, p);
	}
	snprintf(what, sizeof(what), "the %s output", format_names[o->format]);
	if (cmd_output_close(out, o->output, ret, what))
		return EXIT_FAIL;
	if (o->output && o->format != FMT_TEXT)
		note("wrote %s of %" PRIu64 " samples (%zu stacks) to '%s'",
		     format_names[o->format], p->samples, p->nstacks, o->output);
	return EXIT_OK;
}

/*
 * --header: the metadata and statistics; with off-CPU samples, the view's
 * totals per process too, which only a pass over the samples tells.
 */
static int print_header(struct report_opts *o)
{
	struct session s;
	struct symbolizer *sym;
	struct profile *p;
	const char *detail;
	bool off_cpu;
	int ret = cmd_recording_open(&s, o->input, true);

	if (ret)
		return ret;
	/* a perf.data file's counts come from its records */
	if (data_reader_scan(s.rd, &detail) < 0)
		warning("'%s' is damaged (%s); the counts are of what came before", o->input,
			detail);
	report_print_header_only(stdout, o->input, s.rd);
	off_cpu = profile_recording_off_cpu(&s);
	session_close(&s);
	if (!off_cpu && !profile_view_time(o->view))
		return EXIT_OK;
	ret = cmd_recording_profile(&s, o->input, &o->filter, o->view, 0, o->text.jobs, &p, &sym);
	if (ret)
		return ret;
	report_print_views(stdout, s.rd, p);
	profile_free(p);
	symbolizer_free(sym);
	session_close(&s);
	return EXIT_OK;
}

int cmd_report(int argc, char **argv)
{
	struct report_opts o;
	struct session s;
	struct symbolizer *sym;
	struct profile *p;
	unsigned flags = 0;
	int ret;

	ret = parse_options(&o, argc, argv);
	if (ret == CMD_HELP_SHOWN || ret) {
		release_opts(&o);
		return ret == CMD_HELP_SHOWN ? EXIT_OK : ret;
	}
	ret = cmd_output_check(o.output, (const char *[]){ o.input }, 1);
	if (ret) {
		release_opts(&o);
		return ret;
	}
	if (o.header) {
		ret = print_header(&o);
		release_opts(&o);
		return ret;
	}
	if (o.demangle)
		flags |= SYM_DEMANGLE;
	if (o.signatures)
		flags |= SYM_SIGNATURE;
	if (o.text.srcline || has_key(&o, REPORT_KEY_SRCLINE))
		flags |= SYM_SRCLINE;
	if (o.inlines)
		flags |= SYM_INLINE;
	ret = cmd_recording_profile(&s, o.input, &o.filter, o.view, flags, o.text.jobs, &p, &sym);
	if (ret) {
		release_opts(&o);
		return ret;
	}
	cmd_recording_warn_objects(&s);
	o.text.jobs = s.jobs; /* the call graphs are drawn on as many threads */
	ret = write_report(&o, &s, p);
	profile_free(p);
	symbolizer_free(sym);
	session_close(&s);
	release_opts(&o);
	return ret;
}
