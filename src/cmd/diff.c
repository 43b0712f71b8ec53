// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * pmuprof diff: read two recordings, OLD and NEW (by default
 * pmuprof.data.old and pmuprof.data, as record leaves them after a second
 * run), and say what changed between them: per function and per stack, the
 * change of its share of the samples, with an interval and a significance
 * that account for how samples cluster in time and for the many rows tested
 * at once, so that noise is not taken for a change (analyse/diff.h). Or write the
 * differential folded stacks or flame graph (--format).
 */
#include "analyse/diff.h"
#include "analyse/profile.h"
#include "output/diff.h"
#include "cmd/commands.h"
#include "cmd/common.h"
#include "cmd/recording.h"
#include "resolve/symbolize.h"
#include "util/alloc.h"
#include "util/error.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
	OPT_FORMAT = CMD_OPT_LONG_BASE,
	OPT_ALL,
	OPT_LIMIT,
	OPT_MIN_CHANGE,
	OPT_NO_DEMANGLE,
	OPT_STDIO,
	OPT_FULL_SIGNATURES,
	OPT_VIEW,
};

static const struct cmd_option diff_options[] = {
	{ OPT_FORMAT, "format", "FMT", "text (default), folded (stack OLD NEW) or svg" },
	{ OPT_ALL, "all", NULL, "also show the rows whose change is within the noise" },
	{ OPT_LIMIT, "limit", "N", "at most N rows per table (default 20, 0: all)" },
	{ OPT_MIN_CHANGE, "min-change", "PP", "hide changes smaller than PP percentage points" },
	{ OPT_NO_DEMANGLE, "no-demangle", NULL, "match C++ and Rust names as in the symbol table" },
	{ OPT_FULL_SIGNATURES, "full-signatures", NULL, "match C++ names by their full signatures" },
	{ OPT_VIEW, "view", "VIEW",
	  "cpu, off-cpu or wall: compare these (default: wall for off-CPU recordings)" },
	{ 'o', "output", "FILE", "write to FILE instead of standard output" },
	{ OPT_STDIO, "stdio", NULL, "text (the default without --format)" },
	CMD_JOBS_OPTION,
	{ 'h', "help", NULL, "show this help" },
};

enum format { FMT_TEXT, FMT_FOLDED, FMT_SVG, FMT_MAX };

static const char *const format_names[] = { "text", "folded", "svg" };

struct diff_opts {
	/* the recordings of each build: into argv, or the two defaults */
	char **old_paths, **new_paths;
	size_t nold, nnew;
	const char *output;
	enum format format;
	bool demangle, signatures;
	enum prof_view view; /* auto unless --view */
	struct diff_print_opts print;
	unsigned jobs; /* 0: the default */
};

static int parse_option(struct diff_opts *o, int c, const char *arg)
{
	unsigned long n;
	double v;

	switch (c) {
	case OPT_FORMAT:
		for (int f = 0; f < FMT_MAX; f++)
			if (!strcmp(arg, format_names[f])) {
				o->format = (enum format)f;
				return 0;
			}
		return error("--format takes text, folded or svg, not '%s'", arg);
	case OPT_ALL:
		o->print.all = true;
		return 0;
	case OPT_LIMIT:
		if (parse_ulong(arg, 0, 1000000000, &n) < 0)
			return error("--limit takes a number of rows (0 for all), not '%s'", arg);
		o->print.limit = n;
		return 0;
	case OPT_MIN_CHANGE:
		if (parse_double(arg, &v) < 0 || v < 0 || v > 100)
			return error("--min-change takes percentage points from 0 to 100, not "
				     "'%s'",
				     arg);
		o->print.min_change = v;
		return 0;
	case OPT_NO_DEMANGLE:
		o->demangle = false;
		return 0;
	case OPT_STDIO:
		return 0;
	case OPT_FULL_SIGNATURES:
		o->signatures = true;
		return 0;
	case 'o':
		o->output = arg;
		return 0;
	case 'j':
		return cmd_jobs_option(arg, &o->jobs);

	case OPT_VIEW:
		if (profile_view_parse(arg, &o->view) < 0)
			return error("--view takes cpu, off-cpu or wall, not '%s'", arg);
		return 0;
	default:
		return -1;
	}
}

static char *default_old = "pmuprof.data.old", *default_new = "pmuprof.data";

static int parse_options(struct diff_opts *o, int argc, char **argv)
{
	struct cmd_parser p;
	char *arg;
	int c, ret = -1, split = 0, nopt;

	memset(o, 0, sizeof(*o));
	/* what record leaves behind after recording twice, as perf diff assumes */
	o->old_paths = &default_old;
	o->new_paths = &default_new;
	o->nold = o->nnew = 1;
	o->demangle = true;
	o->print.limit = 20;
	o->view = PROF_VIEW_AUTO;
	/* OLD... -- NEW...: the option parser would drop the '--' that splits them */
	for (int i = 1; i < argc && !split; i++)
		if (!strcmp(argv[i], "--"))
			split = i;
	nopt = split ? split : argc;
	cmd_parser_init(&p, "diff", "[options] [OLD NEW | OLD... -- NEW...]", diff_options,
			ARRAY_SIZE(diff_options), nopt, argv);
	/* no workload here: options may follow the file names */
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
	if (split) {
		if (nopt - optind < 1 || argc - split - 1 < 1) {
			error("diff OLD... -- NEW... needs at least one recording on each side of "
			      "'--'");
			goto out;
		}
		o->old_paths = argv + optind;
		o->nold = (size_t)(nopt - optind);
		o->new_paths = argv + split + 1;
		o->nnew = (size_t)(argc - split - 1);
		ret = 0;
		goto out;
	}
	if (argc - optind == 1) {
		error("diff compares two files, OLD and NEW (or, with none, pmuprof.data.old and "
		      "pmuprof.data); '%s' alone is not enough",
		      argv[optind]);
		goto out;
	}
	if (argc - optind > 2) {
		error("diff compares two files, OLD and NEW, not %d (several recordings of each: "
		      "OLD... -- NEW...)",
		      argc - optind);
		goto out;
	}
	if (argc - optind == 2) {
		o->old_paths = argv + optind;
		o->new_paths = argv + optind + 1;
	}
	ret = 0;
out:
	cmd_parser_release(&p);
	return ret < 0 ? EXIT_USAGE : ret;
}

/* One recording, read whole. */
struct side {
	struct session s;
	struct profile *p;
	struct symbolizer *sym;
	bool open;
};

static int load(struct side *sd, const char *path, enum prof_view view, unsigned flags,
		unsigned jobs, struct diff_source *src)
{
	int ret = cmd_recording_profile(&sd->s, path, NULL, view, flags, jobs, &sd->p, &sd->sym);

	if (ret)
		return ret;
	sd->open = true;
	cmd_recording_warn_objects(&sd->s);
	src->path = path;
	src->command = session_title(&sd->s);
	src->event = data_reader_meta_str(sd->s.rd, "event");
	src->sampler = data_reader_meta_str(sd->s.rd, "sampler");
	return 0;
}

static void unload(struct side *sd)
{
	if (!sd->open)
		return;
	profile_free(sd->p);
	symbolizer_free(sd->sym);
	session_close(&sd->s);
	sd->open = false;
}

/* Every file named, OLD's then NEW's, for the checks of -o. */
static const char **all_paths(const struct diff_opts *o)
{
	const char **v = xcalloc(o->nold + o->nnew, sizeof(*v));

	for (size_t i = 0; i < o->nold; i++)
		v[i] = o->old_paths[i];
	for (size_t i = 0; i < o->nnew; i++)
		v[o->nold + i] = o->new_paths[i];
	return v;
}

static int write_output(const struct diff_opts *o, const struct diff *d)
{
	const char **inputs = all_paths(o);
	FILE *out = cmd_output_open_from(o->output, inputs, o->nold + o->nnew);
	char what[64];
	int ret;

	free(inputs);
	if (!out)
		return EXIT_FAIL;
	switch (o->format) {
	case FMT_FOLDED:
		ret = diff_write_folded(out, d);
		break;
	case FMT_SVG:
		ret = diff_write_svg(out, d, &o->print);
		break;
	default:
		ret = diff_print_text(out, d, &o->print);
	}
	snprintf(what, sizeof(what), "the %s output", format_names[o->format]);
	if (cmd_output_close(out, o->output, ret, what))
		return EXIT_FAIL;
	if (o->output && o->format != FMT_TEXT)
		note("wrote the %s diff of %zu stacks to '%s'", format_names[o->format],
		     d->stacks.n, o->output);
	return EXIT_OK;
}

/*
 * Each side's default view is its recording's: one without off-CPU samples
 * is not compared with the wall time of one with them. A time view is
 * compared in counts of time (analyse's profile_count_time()).
 */
static int same_view(struct diff_opts *o, struct side *sides, size_t n)
{
	struct profile **profiles;

	for (size_t i = 1; i < n; i++)
		if (sides[i].p->view != sides[0].p->view) {
			error("'%s' is read in the %s view and '%s' in the %s view (one has "
			      "off-CPU samples, the other not): give --view cpu to compare their "
			      "CPU samples",
			      sides[0].s.path, profile_view_name(sides[0].p->view), sides[i].s.path,
			      profile_view_name(sides[i].p->view));
			return EXIT_FAIL;
		}
	o->print.view = sides[0].p->view;
	if (!profile_view_time(o->print.view))
		return 0;
	profiles = xcalloc(n, sizeof(*profiles));
	for (size_t i = 0; i < n; i++)
		profiles[i] = sides[i].p;
	o->print.quantum = profile_time_quantum(profiles, n);
	for (size_t i = 0; i < n; i++)
		profile_count_time(profiles[i], o->print.quantum);
	free(profiles);
	return 0;
}

/* Reads n recordings into sides and their profiles into p; the first describes them in src. */
static int load_all(struct side *sides, const struct profile **p, char **paths, size_t n,
		    enum prof_view view, unsigned flags, unsigned jobs, struct diff_source *src)
{
	for (size_t i = 0; i < n; i++) {
		struct diff_source ignored;
		int ret = load(&sides[i], paths[i], view, flags, jobs, i ? &ignored : src);

		if (ret)
			return ret;
		p[i] = sides[i].p;
	}
	return 0;
}

int cmd_diff(int argc, char **argv)
{
	struct diff_opts o;
	struct side *sides;
	const struct profile **profiles;
	const char **inputs;
	struct diff d;
	unsigned flags;
	size_t n;
	int ret;

	ret = parse_options(&o, argc, argv);
	if (ret)
		return ret == CMD_HELP_SHOWN ? EXIT_OK : ret;
	n = o.nold + o.nnew;
	inputs = all_paths(&o);
	ret = cmd_output_check(o.output, inputs, n);
	free(inputs);
	if (ret)
		return ret;
	/* the samples in time order: the variance of a share comes from its blocks */
	flags = (o.demangle ? SYM_DEMANGLE : 0) | (o.signatures ? SYM_SIGNATURE : 0) |
		PROFILE_SAMPLES;
	sides = xcalloc(n, sizeof(*sides));
	profiles = xcalloc(n, sizeof(*profiles));
	ret = load_all(sides, profiles, o.old_paths, o.nold, o.view, flags, o.jobs, &o.print.old);
	if (!ret)
		ret = load_all(sides + o.nold, profiles + o.nold, o.new_paths, o.nnew, o.view,
			       flags, o.jobs, &o.print.new);
	if (!ret)
		ret = same_view(&o, sides, n);
	if (!ret) {
		diff_compute_runs(&d, profiles, o.nold, profiles + o.nold, o.nnew);
		/* the text report says these in its header; the other formats have no place */
		if (o.format != FMT_TEXT) {
			char *msgs[8];
			size_t nmsgs = diff_warnings(&d, &o.print, msgs, ARRAY_SIZE(msgs));

			for (size_t i = 0; i < nmsgs; i++) {
				warning("%s", msgs[i]);
				free(msgs[i]);
			}
		}
		ret = write_output(&o, &d);
		diff_release(&d);
	}
	for (size_t i = n; i-- > 0;)
		unload(&sides[i]);
	free(sides);
	free(profiles);
	return ret;
}
