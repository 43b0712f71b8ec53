// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * pmuprof annotate: the instructions of the hottest functions of a
 * recording (or of the one named), each with its share of the samples
 * whose leaf is that function. The steps: read the recording into a
 * profile, count its samples by function and address and choose the
 * functions (analyse/annotate.h), read each one's code from the object the
 * recording mapped (its build-id checked) or from the image the file stored
 * (the vDSO), decode it (analyse/disasm.h), and lay it out with its source
 * lines (output/annotate.h). This file words what goes wrong.
 */
#include "analyse/annotate.h"
#include "analyse/disasm.h"
#include "analyse/profile.h"
#include "cmd/commands.h"
#include "cmd/common.h"
#include "cmd/recording.h"
#include "output/annotate.h"
#include "resolve/maps.h"
#include "resolve/srcline.h"
#include "resolve/symbolize.h"
#include "util/error.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define DEFAULT_TOP 3

enum {
	OPT_SOURCE = CMD_OPT_LONG_BASE,
	OPT_COLOR,
	OPT_TOP,
	OPT_DSO,
	OPT_STDIO,
	OPT_FULL_SIGNATURES,
};

static const struct cmd_option annotate_options[] = {
	{ 'i', "input", "FILE", "the recording to read (default pmuprof.data)" },
	{ OPT_TOP, "top", "N", "without SYMBOL: the N hottest functions (default 3)" },
	{ OPT_DSO, "dso", "NAME", "only functions of this object (short name or path)" },
	{ OPT_FULL_SIGNATURES, "full-signatures", NULL, "show C++ names with their return types and parameter lists" },
	{ OPT_SOURCE, "source", NULL, "put the source lines among the instructions" },
	{ 'M', "disassembler-style", "STYLE", "att (default) or intel" },
	{ OPT_COLOR, "color", "WHEN", "highlight the hottest instructions: auto (default), always, never" },
	{ OPT_STDIO, "stdio", NULL, "text on standard output (the default), as perf's --stdio" },
	CMD_JOBS_OPTION,
	{ 'h', "help", NULL, "show this help" },
};

struct annotate_opts {
	const char *input, *symbol, *dso;
	unsigned long top;
	bool source, intel, color, signatures;
	unsigned jobs; /* 0: the default */
};

/* One option's value into o (color: --color's); 0, or -1 after saying what is wrong. */
static int parse_option(struct annotate_opts *o, int c, char *arg, const char **color)
{
	switch (c) {
	case 'i':
		o->input = arg;
		return 0;
	case OPT_TOP:
		if (parse_ulong(arg, 1, 100000, &o->top) < 0)
			return error("option '--top' needs a number of functions of 1 or more, not "
				     "'%s'",
				     arg);
		return 0;
	case OPT_DSO:
		o->dso = arg;
		return 0;
	case 'j':
		return cmd_jobs_option(arg, &o->jobs);

	case OPT_SOURCE:
		o->source = true;
		return 0;
	case OPT_STDIO:
		return 0;
	case OPT_FULL_SIGNATURES:
		o->signatures = true;
		return 0;
	case 'M':
		if (strcmp(arg, "att") && strcmp(arg, "intel"))
			return error("option '-M' takes att or intel, not '%s'", arg);
		o->intel = !strcmp(arg, "intel");
		return 0;
	case OPT_COLOR:
		if (strcmp(arg, "auto") && strcmp(arg, "always") && strcmp(arg, "never"))
			return error("option '--color' takes auto, always or never, not '%s'", arg);
		*color = arg;
		return 0;
	default:
		return -1;
	}
}

static int parse_options(struct annotate_opts *o, int argc, char **argv)
{
	struct cmd_parser p;
	const char *color = "auto";
	char *arg;
	int c, ret = -1;

	memset(o, 0, sizeof(*o));
	o->input = "pmuprof.data";
	o->top = DEFAULT_TOP;
	cmd_parser_init(&p, "annotate", "[options] [SYMBOL]", annotate_options,
			ARRAY_SIZE(annotate_options), argc, argv);
	cmd_parser_permute(&p);
	while ((c = cmd_next_option(&p, &arg)) != -1) {
		if (c == 'h') {
			cmd_print_help(&p, stdout);
			ret = CMD_HELP_SHOWN;
			goto out;
		}
		if (parse_option(o, c, arg, &color) < 0)
			goto out;
	}
	if (optind < argc)
		o->symbol = argv[optind++];
	if (optind < argc) {
		error("annotate takes one SYMBOL, not also '%s' (a glob such as 'foo*' names several)",
		      argv[optind]);
		goto out;
	}
	o->color = !strcmp(color, "always") || (!strcmp(color, "auto") && isatty(STDOUT_FILENO));
	ret = 0;
out:
	cmd_parser_release(&p);
	return ret < 0 ? EXIT_USAGE : ret;
}

/* ---- messages ------------------------------------------------------------------ */

static const char *gone(int err)
{
	return err == -ENOENT ? " (the object is gone since the recording)" : "";
}

/* Why the code of func could not be read (annotate_code_init() failed with ret). */
static void explain_code(const struct annotate_code *c, const char *func, int ret)
{
	const char *path = c->dso ? c->dso->path : NULL;

	switch (c->why) {
	case ANNOTATE_CODE_NO_OBJECT:
		error("cannot annotate '%s': the recording maps no object for it", func);
		break;
	case ANNOTATE_CODE_UNREADABLE:
		error("cannot annotate '%s': cannot read '%s': %s%s", func, path, strerror(-c->err),
		      gone(c->err));
		break;
	case ANNOTATE_CODE_NO_FILE:
		error("cannot annotate '%s': it ran from memory that no file holds ('%s'), and the "
		      "recording keeps no copy of it",
		      func, path);
		break;
	case ANNOTATE_CODE_CHANGED:
		error("cannot annotate '%s': '%s' changed since the recording (its build-id is not "
		      "the recorded one), so its code is not what was sampled",
		      func, path);
		break;
	case ANNOTATE_CODE_NOT_LOADED:
		error("cannot annotate '%s': its address 0x%" PRIx64 " is not in a loaded part of "
		      "'%s'",
		      func, c->start, path);
		break;
	case ANNOTATE_CODE_IMAGE_SHORT:
		error("cannot annotate '%s': the stored image of '%s' is too short", func, path);
		break;
	case ANNOTATE_CODE_OPEN:
		error_errno(c->err, "cannot annotate '%s': cannot read '%s'", func, path);
		break;
	case ANNOTATE_CODE_READ:
	case ANNOTATE_CODE_FILE_SHORT:
		error("cannot annotate '%s': cannot read its %" PRIu64 " bytes from '%s'%s", func,
		      c->size, path,
		      c->why == ANNOTATE_CODE_FILE_SHORT ? " (the file is shorter)" : "");
		break;
	default:
		error_errno(ret, "cannot annotate '%s'", func);
		break;
	}
}

/*
 * A name can be missing because the object that holds it could not be read
 * (gone, or rebuilt): its samples are then named by address. Says which.
 */
static void explain_unreadable(const struct session *s, const struct profile *p,
			       const struct annotate_hits *h)
{
	struct dso *d;
	size_t pos = 0;

	while ((d = annotate_next_unreadable(h, p, s, &pos)))
		if (d->changed)
			note("'%s' changed since the recording (its build-id is not the recorded "
			     "one): its samples are named by address",
			     d->path);
		else
			note("cannot read '%s': %s%s: its samples are named by address", d->path,
			     strerror(-d->open_err), gone(d->open_err));
}

/* Nothing was chosen: why. */
static void explain_none(const struct annotate_opts *o, const struct session *s,
			 const struct profile *p, const struct annotate_hits *h)
{
	bool exists = o->symbol && annotate_name_exists(p, o->symbol);

	if (o->symbol && !exists)
		explain_unreadable(s, p, h);
	if (o->symbol && exists)
		error("'%s' has no samples of its own in '%s' (only as a caller): "
		      "pmuprof report --no-children lists the functions that do",
		      o->symbol, o->input);
	else if (o->symbol)
		error("no function '%s' has samples in '%s': pmuprof report --no-children "
		      "lists the functions that do",
		      o->symbol, o->input);
	else if (o->dso)
		error("'%s' has no samples in functions of '%s': pmuprof report --sort dso lists "
		      "the objects that do",
		      o->input, o->dso);
	else
		error("'%s' has no samples in user-space functions to annotate", o->input);
}

/* ---- steps ------------------------------------------------------------------------ */

struct annotate_ctx {
	const struct annotate_opts *o;
	struct session s;
	struct profile *p;
	struct symbolizer *sym;
	struct disasm *dis;
	struct annotate_sources *sources;
};

static struct srcline *open_source_lines(const struct dso *d)
{
	struct srcline *sl;
	int err = srcline_open(d->image ? NULL : d->file, d->build_id, d->build_id_len, &sl);

	if (!sl)
		warning("no source lines for '%s': %s", d->path,
			err == -ENOENT ? "no DWARF in it or a debug file (build with -g)"
				       : strerror(-err));
	return sl;
}

static int annotate_one(struct annotate_ctx *x, const struct annotate_func *f)
{
	const char *name = x->p->funcs[f->func].name;
	struct annotate_code code;
	struct annotate_listing l = { .p = x->p, .f = f, .code = &code, .sym = x->sym,
				      .sources = x->sources, .color = x->o->color };
	struct disasm_insn *insns = NULL;
	size_t alloc = 0;
	int ret;

	ret = annotate_code_init(&code, &x->s, x->p, f);
	if (ret < 0) {
		explain_code(&code, name, ret);
		return EXIT_FAIL;
	}
	ret = disasm_range(x->dis, code.bytes, code.size, code.start, &insns, &l.ninsns, &alloc);
	if (ret < 0) {
		annotate_code_release(&code);
		error("cannot annotate '%s': out of memory", name);
		return EXIT_FAIL;
	}
	l.insns = insns;
	if (x->o->source)
		l.sl = open_source_lines(code.dso);
	annotate_print_function(stdout, &l);
	free(insns);
	annotate_code_release(&code);
	srcline_close(l.sl);
	return 0;
}

/* The functions chosen, one after the other: the exit status. */
static int annotate_chosen(struct annotate_ctx *x, const struct annotate_hits *h)
{
	size_t shown = 0, failed = 0;

	for (size_t i = 0; i < h->n; i++) {
		if (!h->funcs[i].chosen)
			continue;
		if (annotate_one(x, &h->funcs[i]) == 0)
			shown++;
		else
			failed++;
	}
	if (!shown)
		return EXIT_FAIL;
	return failed && x->o->symbol ? EXIT_FAIL : EXIT_OK;
}

int cmd_annotate(int argc, char **argv)
{
	struct annotate_opts o;
	struct annotate_ctx x = { .o = &o };
	struct annotate_hits h;
	int ret, status = EXIT_FAIL;

	ret = parse_options(&o, argc, argv);
	if (ret == CMD_HELP_SHOWN)
		return EXIT_OK;
	if (ret)
		return ret;
	ret = disasm_new(&x.dis, o.intel);
	if (ret < 0) {
		error("cannot start the disassembler: %s",
		      ret == -ENOSYS	? "capstone was built without x86"
		      : ret == -ELIBACC ? disasm_lib_error()
					: strerror(-ret));
		return EXIT_FAIL;
	}
	ret = cmd_recording_profile(&x.s, o.input, NULL, PROF_VIEW_CPU,
				    SYM_DEMANGLE | (o.signatures ? SYM_SIGNATURE : 0), o.jobs, &x.p,
				    &x.sym);
	if (ret) {
		disasm_free(x.dis);
		return ret;
	}
	cmd_recording_warn_objects(&x.s);
	annotate_hits_init(&h, x.p);
	annotate_print_header(stdout, o.input, x.s.rd, x.p, h.kernel_samples);
	if (annotate_choose(&h, x.p, o.symbol, o.dso, o.top) == 0) {
		explain_none(&o, &x.s, x.p, &h);
	} else {
		x.sources = annotate_sources_new();
		status = annotate_chosen(&x, &h);
		annotate_sources_free(x.sources);
	}
	annotate_hits_release(&h);
	profile_free(x.p);
	symbolizer_free(x.sym);
	session_close(&x.s);
	disasm_free(x.dis);
	return status;
}
