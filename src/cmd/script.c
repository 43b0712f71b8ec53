// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * pmuprof script: every sample of a recording as text, in the layout of
 * `perf script` (output/script.h), for the tools that read perf's output.
 */
#include "cmd/commands.h"
#include "cmd/common.h"
#include "cmd/recording.h"
#include "output/script.h"
#include "resolve/symbolize.h"
#include "util/error.h"

#include <stdio.h>
#include <string.h>

enum {
	OPT_COMM = CMD_OPT_LONG_BASE,
	OPT_TID,
	OPT_TIME,
	OPT_INLINE,
	OPT_NO_DEMANGLE,
	OPT_STDIO,
	OPT_FULL_SIGNATURES,
};

static const struct cmd_option script_options[] = {
	{ 'i', "input", "FILE", "read FILE (default pmuprof.data)" },
	{ OPT_COMM, "comm", "NAMES", "only samples of these commands (comma-separated)" },
	{ OPT_TID, "tid", "TIDS", "only samples of these threads" },
	{ OPT_TIME, "time", "START,END", "only samples in this window, seconds from the start" },
	{ OPT_INLINE, "inline", NULL, "show inlined functions as frames of their own" },
	{ OPT_NO_DEMANGLE, "no-demangle", NULL, "show C++ and Rust names as in the symbol table" },
	{ OPT_STDIO, "stdio", NULL, "text on standard output (the default)" },
	{ OPT_FULL_SIGNATURES, "full-signatures", NULL, "show C++ names with their return types and parameter lists" },
	{ 'h', "help", NULL, "show this help" },
};

struct script_opts {
	const char *input;
	struct sample_filter filter;
	bool inlines, demangle, signatures;
};

static int parse_options(struct script_opts *o, int argc, char **argv)
{
	struct cmd_parser p;
	char *arg;
	int c, ret = -1;

	memset(o, 0, sizeof(*o));
	o->input = "pmuprof.data";
	o->demangle = true;
	cmd_parser_init(&p, "script", "[options] [FILE]", script_options,
			ARRAY_SIZE(script_options), argc, argv);
	cmd_parser_permute(&p);
	while ((c = cmd_next_option(&p, &arg)) != -1) {
		switch (c) {
		case 'i':
			o->input = arg;
			break;
		case OPT_COMM:
			if (cmd_filter_comm(&o->filter, arg) < 0)
				goto out;
			break;
		case OPT_TID:
			if (cmd_filter_tid(&o->filter, arg) < 0)
				goto out;
			break;
		case OPT_TIME:
			if (cmd_filter_time(&o->filter, arg) < 0)
				goto out;
			break;
		case OPT_INLINE:
			o->inlines = true;
			break;
		case OPT_NO_DEMANGLE:
			o->demangle = false;
			break;
		case OPT_STDIO:
			break;
		case OPT_FULL_SIGNATURES:
			o->signatures = true;
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
		error("script reads one file, not %d", argc - optind);
		goto out;
	}
	if (optind < argc)
		o->input = argv[optind];
	ret = 0;
out:
	cmd_parser_release(&p);
	return ret < 0 ? EXIT_USAGE : ret;
}

/*
 * Signals and wakeups go between the samples by time: those before each
 * sample, the rest at the end. The file holds samples in about time order
 * (each CPU's ring in order, flushed together), so the merge is close.
 */
struct script_pass {
	struct script_writer *w;
	const struct sample_filter *f;
	bool events; /* no filter by object or function: signals and wakeups are shown */
	size_t nsig, nwake; /* the next of each to print */
};

/* A signal or wakeup passes --tid, --comm and --time by either thread it names. */
static bool event_ok(struct session *s, const struct sample_filter *f, uint64_t time,
		     const uint32_t ids[4])
{
	for (int k = 0; k < 4; k += 2) {
		struct rec_sample r = { .pid = ids[k], .tid = ids[k + 1], .time = time };

		if (ids[k + 1] && sample_filter_thread(f, s->start_ns, &r) &&
		    sample_filter_comm_ok(f, session_comm(s, ids[k], ids[k + 1], time)))
			return true;
	}
	return false;
}

static int write_events(struct session *s, struct script_pass *sp, uint64_t until)
{
	int ret = 0;

	while (!ret && sp->events) {
		const struct session_signal *g =
			sp->nsig < s->nsignals ? &s->signals[sp->nsig] : NULL;
		const struct session_wakeup *k =
			sp->nwake < s->nwakeups ? &s->wakeups[sp->nwake] : NULL;

		if (g && (!k || g->time <= k->time) && g->time <= until) {
			uint32_t ids[4] = { g->from_pid, g->from_tid, g->to_pid, g->to_tid };

			sp->nsig++;
			if (event_ok(s, sp->f, g->time, ids))
				ret = script_write_signal(sp->w, g);
		} else if (k && k->time <= until) {
			uint32_t ids[4] = { k->pid, k->tid, k->woken_pid, k->woken_tid };

			sp->nwake++;
			if (event_ok(s, sp->f, k->time, ids))
				ret = script_write_wakeup(sp->w, k);
		} else {
			break;
		}
	}
	return ret;
}

static int write_sample(struct session *s, struct session_sample *smp, void *arg)
{
	struct script_pass *sp = arg;
	int ret = write_events(s, sp, smp->v->s->time);

	return ret ? ret : script_write_sample(sp->w, smp);
}

int cmd_script(int argc, char **argv)
{
	struct script_opts o;
	struct script_writer *w;
	struct script_pass sp = { 0 };
	struct session s;
	unsigned flags = 0;
	int ret;

	ret = parse_options(&o, argc, argv);
	if (ret == CMD_HELP_SHOWN || ret) {
		sample_filter_release(&o.filter);
		return ret == CMD_HELP_SHOWN ? EXIT_OK : ret;
	}
	ret = cmd_recording_open(&s, o.input, false);
	if (ret) {
		sample_filter_release(&o.filter);
		return ret;
	}
	if (o.demangle)
		flags |= SYM_DEMANGLE;
	if (o.signatures)
		flags |= SYM_SIGNATURE;
	if (o.inlines)
		flags |= SYM_INLINE;
	w = script_writer_new(stdout, &s, flags);
	sp.w = w;
	sp.f = &o.filter;
	sp.events = !sample_filter_by_function(&o.filter);
	/* no progress bar: the output is the progress */
	if (session_samples(&s, &o.filter, write_sample, &sp) == 0) {
		write_events(&s, &sp, UINT64_MAX);
		cmd_recording_warn_damage(&s);
	}
	cmd_recording_warn_objects(&s);
	script_writer_free(w);
	session_close(&s);
	sample_filter_release(&o.filter);
	return EXIT_OK;
}
