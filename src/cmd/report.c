// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * pmuprof report: read pmuprof.data, unwind every sample's copied stack,
 * and print where the time went: a table by command, thread, object and
 * function with each line's own share (Self) and, by default, its share
 * including what it called (Children), a call graph under each line, and a
 * header that says what was sampled and how well (fallback, rates, losses,
 * how many stacks reached their root). Or export the profile for other
 * tools (--format).
 */
#include "analyse/profile.h"
#include "cmd/commands.h"
#include "cmd/common.h"
#include "cmd/session.h"
#include "output/export.h"
#include "output/tree.h"
#include "resolve/maps.h"
#include "resolve/symbolize.h"
#include "util/alloc.h"
#include "util/error.h"
#include "util/hash.h"

#include <errno.h>
#include <fnmatch.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
	OPT_SORT = OPT_LONG_BASE,
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
	OPT_FORMAT,
};

static const struct cmd_option report_options[] = {
	{ 'i', "input", "FILE", "read FILE (default pmuprof.data)" },
	{ 's', "sort", "KEYS", "group by these of comm,tid,dso,sym (default comm,dso,sym)" },
	{ OPT_CHILDREN, "children", NULL, "also charge callers with their callees' samples (default)" },
	{ OPT_NO_CHILDREN, "no-children", NULL, "only each function's own samples" },
	{ 'g', "call-graph", "ORDER", "caller, callee or none: the graph under each line" },
	{ OPT_PERCENT_LIMIT, "percent-limit", "PCT", "hide lines and branches below PCT% (default 0.5)" },
	{ OPT_COMM, "comm", "NAMES", "only samples of these commands (comma-separated)" },
	{ OPT_TID, "tid", "TIDS", "only samples of these threads" },
	{ OPT_DSO, "dso", "NAMES", "only stacks through these objects (name or path)" },
	{ OPT_SYMBOL, "symbol", "NAMES", "only stacks through these functions (glob patterns)" },
	{ OPT_TIME, "time", "START,END", "only samples in this window, seconds from the start" },
	{ OPT_SRCLINE, "srcline", NULL, "add source file:line (DWARF debug information)" },
	{ OPT_INLINE, "inline", NULL, "show inlined functions as frames of their own" },
	{ OPT_NO_DEMANGLE, "no-demangle", NULL, "show C++ and Rust names as in the symbol table" },
	{ OPT_FORMAT, "format", "FMT", "text, folded, speedscope, json, svg or pprof" },
	{ 'o', "output", "FILE", "write the report or export to FILE instead of standard output" },
	{ OPT_STDIO, "stdio", NULL, "text on standard output (the default)" },
	{ OPT_HEADER, "header", NULL, "print the recording's metadata and statistics" },
	{ 'h', "help", NULL, "show this help" },
};

enum sort_key { KEY_COMM, KEY_TID, KEY_DSO, KEY_SYM, KEY_MAX };

static const char *const key_names[] = { "comm", "tid", "dso", "sym" };
static const char *const key_titles[] = { "Command", "Tid", "Shared Object", "Symbol" };

enum format { FMT_TEXT, FMT_FOLDED, FMT_SPEEDSCOPE, FMT_JSON, FMT_SVG, FMT_PPROF, FMT_MAX };

static const char *const format_names[] = { "text", "folded", "speedscope", "json", "svg", "pprof" };

enum graph { GRAPH_DEFAULT, GRAPH_CALLER, GRAPH_CALLEE, GRAPH_NONE };

struct report_opts {
	const char *input;
	const char *output;
	enum sort_key keys[KEY_MAX];
	size_t nkeys;
	bool header, children, srcline, inlines, demangle;
	enum graph graph;
	enum format format;
	double percent_limit;
	struct sample_filter filter; /* --comm, --tid, --time */
	struct name_list dsos, symbols;
};

/* ---- options ------------------------------------------------------------ */

static int parse_sort(struct report_opts *o, const char *arg)
{
	char *copy = xstrdup(arg), *tok, *save = NULL;

	o->nkeys = 0;
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		size_t k;

		for (k = 0; k < KEY_MAX && strcmp(tok, key_names[k]); k++)
			;
		if (k == KEY_MAX || o->nkeys == KEY_MAX) {
			error("--sort takes keys from comm, tid, dso and sym, not '%s'", tok);
			free(copy);
			return -1;
		}
		o->keys[o->nkeys++] = (enum sort_key)k;
	}
	free(copy);
	if (!o->nkeys) {
		error("--sort needs at least one of comm, tid, dso and sym");
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

static int parse_graph(struct report_opts *o, const char *arg)
{
	if (!strcmp(arg, "caller"))
		o->graph = GRAPH_CALLER;
	else if (!strcmp(arg, "callee"))
		o->graph = GRAPH_CALLEE;
	else if (!strcmp(arg, "none"))
		o->graph = GRAPH_NONE;
	else {
		error("--call-graph takes caller, callee or none, not '%s'", arg);
		return -1;
	}
	return 0;
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
		return parse_graph(o, arg);
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
		if (parse_double(arg, &o->percent_limit) < 0 || o->percent_limit < 0 ||
		    o->percent_limit > 100) {
			error("--percent-limit takes a percentage from 0 to 100, not '%s'", arg);
			return -1;
		}
		return 0;
	case OPT_COMM:
		return filter_comm(&o->filter, arg);
	case OPT_TID:
		return filter_tid(&o->filter, arg);
	case OPT_DSO:
		name_list_add(&o->dsos, arg);
		filter_note(&o->filter, "dso", arg);
		return 0;
	case OPT_SYMBOL:
		name_list_add(&o->symbols, arg);
		filter_note(&o->filter, "symbol", arg);
		return 0;
	case OPT_TIME:
		return filter_time(&o->filter, arg);
	case OPT_SRCLINE:
		o->srcline = true;
		return 0;
	case OPT_INLINE:
		o->inlines = true;
		return 0;
	case OPT_NO_DEMANGLE:
		o->demangle = false;
		return 0;
	case OPT_FORMAT:
		return parse_format(o, arg);
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
	o->keys[0] = KEY_COMM;
	o->keys[1] = KEY_DSO;
	o->keys[2] = KEY_SYM;
	o->nkeys = 3;
	o->children = true;
	o->demangle = true;
	o->percent_limit = 0.5;
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
		if (parse_option(o, c, arg) < 0)
			goto out;
	}
	if (argc - optind > 1) {
		error("report reads one file, not %d", argc - optind);
		goto out;
	}
	if (optind < argc)
		o->input = argv[optind];
	if (o->graph == GRAPH_DEFAULT)
		o->graph = o->children ? GRAPH_CALLER : GRAPH_CALLEE;
	ret = 0;
out:
	cmd_parser_release(&p);
	return ret < 0 ? EXIT_USAGE : ret;
}

/* ---- reading the samples ------------------------------------------------ */

struct collect {
	const struct report_opts *o;
	struct profile_builder *b;
};

static bool want_sample(const struct session *s, const struct rec_sample *r, void *arg)
{
	struct collect *c = arg;

	return filter_sample(&c->o->filter, s, r);
}

static int add_sample(struct session *s, struct session_sample *smp, void *arg)
{
	struct collect *c = arg;
	const struct rec_sample *r = smp->v->s;
	const char *comm = session_comm(s, r->pid, r->tid, r->time);

	if (!filter_comm_ok(&c->o->filter, comm))
		return 0;
	profile_builder_add(c->b, r->pid, r->tid, comm, smp->kernel, smp->nkernel, smp->user,
			    smp->nuser, smp->unwound ? &smp->res : NULL, r->weight, r->time);
	return 0;
}

static bool func_matches(const struct report_opts *o, const struct prof_func *f)
{
	bool dso_ok = !o->dsos.n, sym_ok = !o->symbols.n;

	for (size_t i = 0; i < o->dsos.n && !dso_ok; i++)
		dso_ok = !strcmp(o->dsos.v[i], f->dso) || (f->path && !strcmp(o->dsos.v[i], f->path));
	for (size_t i = 0; i < o->symbols.n && !sym_ok; i++)
		sym_ok = fnmatch(o->symbols.v[i], f->name, 0) == 0;
	return dso_ok && sym_ok;
}

/* --dso and --symbol keep the stacks that pass through a matching function. */
static bool keep_stack(const struct profile *p, const struct prof_stack *st, void *arg)
{
	const struct report_opts *o = arg;

	for (uint32_t i = 0; i < st->depth; i++)
		if (func_matches(o, profile_frame_func(p, st, i)))
			return true;
	return false;
}

/* ---- the text report ---------------------------------------------------- */

struct line {
	const char *comm;
	const char *dso;
	uint32_t tid;
	uint32_t func; /* UINT32_MAX when sym is not a key */
	uint64_t self_samples, self_weight;
	uint64_t samples, weight; /* children: samples whose stack has this line's key */
	size_t seen;		  /* the last stack counted in `weight`, + 1 */
};

struct line_key {
	const char *comm, *dso;
	uint32_t tid, func;
};

static bool has_key(const struct report_opts *o, enum sort_key k)
{
	for (size_t i = 0; i < o->nkeys; i++)
		if (o->keys[i] == k)
			return true;
	return false;
}

static struct line_key key_of(const struct report_opts *o, const struct profile *p,
			      const struct prof_stack *st, uint32_t frame)
{
	const struct prof_loc *l = &p->locs[p->frames[st->first + frame]];
	struct line_key k = { NULL, NULL, 0, UINT32_MAX };

	if (has_key(o, KEY_COMM))
		k.comm = st->comm;
	if (has_key(o, KEY_TID))
		k.tid = st->tid;
	if (has_key(o, KEY_DSO))
		k.dso = p->funcs[l->func].dso;
	if (has_key(o, KEY_SYM))
		k.func = l->func;
	return k;
}

struct table {
	struct line *lines;
	size_t n, alloc;
	struct hash index;
	bool children;
};

static struct line *line_of(struct table *t, const struct line_key *k)
{
	int added;
	size_t i = hash_get(&t->index, k, sizeof(*k), t->n, &added);

	if (added) {
		xgrow(&t->lines, &t->alloc, t->n + 1, sizeof(*t->lines));
		memset(&t->lines[i], 0, sizeof(t->lines[i]));
		t->lines[i].comm = k->comm;
		t->lines[i].dso = k->dso;
		t->lines[i].tid = k->tid;
		t->lines[i].func = k->func;
		t->n++;
	}
	return &t->lines[i];
}

static int cmp_line_children(const void *a, const void *b)
{
	const struct line *x = a, *y = b;

	if (x->weight != y->weight)
		return x->weight > y->weight ? -1 : 1;
	if (x->self_weight != y->self_weight)
		return x->self_weight > y->self_weight ? -1 : 1;
	return x->func < y->func ? -1 : x->func > y->func;
}

static int cmp_line_self(const void *a, const void *b)
{
	const struct line *x = a, *y = b;

	if (x->self_weight != y->self_weight)
		return x->self_weight > y->self_weight ? -1 : 1;
	if (x->self_samples != y->self_samples)
		return x->self_samples > y->self_samples ? -1 : 1;
	return x->func < y->func ? -1 : x->func > y->func;
}

static void build_table(const struct report_opts *o, const struct profile *p, struct table *t)
{
	memset(t, 0, sizeof(*t));
	hash_init(&t->index);
	for (size_t s = 0; s < p->nstacks; s++) {
		const struct prof_stack *st = &p->stacks[s];
		struct line_key k = key_of(o, p, st, 0);
		struct line *l = line_of(t, &k);

		l->self_samples += st->samples;
		l->self_weight += st->weight;
		if (!o->children)
			continue;
		for (uint32_t f = 0; f < st->depth; f++) {
			k = key_of(o, p, st, f);
			l = line_of(t, &k);
			if (l->seen == s + 1)
				continue; /* recursion: a stack counts once per line */
			l->seen = s + 1;
			l->samples += st->samples;
			l->weight += st->weight;
		}
	}
	if (!o->children)
		for (size_t i = 0; i < t->n; i++) {
			t->lines[i].samples = t->lines[i].self_samples;
			t->lines[i].weight = t->lines[i].self_weight;
		}
	if (t->n > 1)
		qsort(t->lines, t->n, sizeof(*t->lines),
		      o->children ? cmp_line_children : cmp_line_self);
	t->children = o->children;
}

/*
 * With --srcline, each function's hottest source line: the location where
 * most of the samples through it were.
 */
static uint32_t *hot_locs(const struct profile *p)
{
	uint64_t *w = xcalloc(p->nlocs ? p->nlocs : 1, sizeof(*w));
	uint32_t *best = xmalloc((p->nfuncs ? p->nfuncs : 1) * sizeof(*best));

	/* a caller's line is that of its hottest call */
	for (size_t s = 0; s < p->nstacks; s++)
		for (uint32_t i = 0; i < p->stacks[s].depth; i++)
			w[p->frames[p->stacks[s].first + i]] += p->stacks[s].weight;
	for (size_t f = 0; f < p->nfuncs; f++)
		best[f] = UINT32_MAX;
	for (size_t l = 0; l < p->nlocs; l++) {
		uint32_t f = p->locs[l].func;

		if (p->locs[l].file && p->locs[l].line &&
		    (best[f] == UINT32_MAX || w[l] > w[best[f]]))
			best[f] = (uint32_t)l;
	}
	free(w);
	return best;
}

static char *key_text(const struct profile *p, const struct line *l, enum sort_key k,
		      const uint32_t *hot)
{
	const struct prof_func *f;

	switch (k) {
	case KEY_COMM:
		return xstrdup(l->comm);
	case KEY_TID:
		return xasprintf("%" PRIu32, l->tid);
	case KEY_DSO:
		return xstrdup(l->dso);
	default:
		f = &p->funcs[l->func];
		if (hot && hot[l->func] != UINT32_MAX) {
			const struct prof_loc *loc = &p->locs[hot[l->func]];
			const char *base = strrchr(loc->file, '/');

			return xasprintf("[%c] %s  %s:%u", f->kernel ? 'k' : '.', f->name,
					 base ? base + 1 : loc->file, loc->line);
		}
		return xasprintf("[%c] %s", f->kernel ? 'k' : '.', f->name);
	}
}

static double pct(uint64_t part, uint64_t total)
{
	return total ? 100.0 * (double)part / (double)total : 0.0;
}

/* The stacks of a line's command and thread, for its call graph. */
static size_t stacks_of(const struct report_opts *o, const struct profile *p, const struct line *l,
			uint32_t *out)
{
	size_t n = 0;

	for (size_t s = 0; s < p->nstacks; s++) {
		if (has_key(o, KEY_COMM) && p->stacks[s].comm != l->comm)
			continue;
		if (has_key(o, KEY_TID) && p->stacks[s].tid != l->tid)
			continue;
		out[n++] = (uint32_t)s;
	}
	return n;
}

static void print_table(FILE *out, const struct report_opts *o, const struct profile *p,
			const struct table *t)
{
	size_t width[KEY_MAX], shown = 0;
	uint32_t *stacks = xmalloc((p->nstacks ? p->nstacks : 1) * sizeof(*stacks));
	bool graph = o->graph != GRAPH_NONE && has_key(o, KEY_SYM);
	uint32_t *hot = o->srcline ? hot_locs(p) : NULL;

	for (size_t k = 0; k < o->nkeys; k++)
		width[k] = strlen(key_titles[o->keys[k]]);
	for (size_t i = 0; i < t->n; i++)
		for (size_t k = 0; k + 1 < o->nkeys; k++) {
			char *s = key_text(p, &t->lines[i], o->keys[k], hot);

			if (strlen(s) > width[k])
				width[k] = strlen(s);
			free(s);
		}
	if (o->children)
		fprintf(out, "#\n# %8s  %8s  %8s", "Children", "Self", "Samples");
	else
		fprintf(out, "#\n# %8s  %8s", "Overhead", "Samples");
	for (size_t k = 0; k < o->nkeys; k++)
		fprintf(out, "  %-*s", (int)width[k], key_titles[o->keys[k]]);
	fprintf(out, "\n#\n");
	for (size_t i = 0; i < t->n; i++) {
		const struct line *l = &t->lines[i];

		if (pct(l->weight, p->weight) < o->percent_limit)
			continue;
		shown++;
		if (o->children)
			fprintf(out, "  %7.2f%%  %7.2f%%  %8" PRIu64, pct(l->weight, p->weight),
				pct(l->self_weight, p->weight), l->samples);
		else
			fprintf(out, "  %7.2f%%  %8" PRIu64, pct(l->weight, p->weight), l->samples);
		for (size_t k = 0; k < o->nkeys; k++) {
			char *s = key_text(p, l, o->keys[k], hot);

			if (k + 1 < o->nkeys)
				fprintf(out, "  %-*s", (int)width[k], s);
			else
				fprintf(out, "  %s", s);
			free(s);
		}
		fputc('\n', out);
		if (graph) {
			size_t n = stacks_of(o, p, l, stacks);

			tree_print(out, p, stacks, n, l->func,
				   o->graph == GRAPH_CALLER ? TREE_CALLER : TREE_CALLEE,
				   o->percent_limit, p->weight, "            ");
			fputc('\n', out);
		}
	}
	if (shown < t->n)
		fprintf(out, "#\n# %zu more lines below %.2g%% (--percent-limit)\n", t->n - shown,
			o->percent_limit);
	free(stacks);
	free(hot);
}

/* ---- the header --------------------------------------------------------- */

static const char *meta_or(const struct data_reader *rd, const char *key, const char *dflt)
{
	const char *v = data_reader_meta_str(rd, key);

	return v ? v : dflt;
}

static uint64_t stat_or0(const struct data_reader *rd, const char *key)
{
	uint64_t v = 0;

	data_reader_stat_u64(rd, key, &v);
	return v;
}

static void print_unwinding(FILE *out, const struct data_reader *rd, const struct profile *p,
			    bool dwarf)
{
	const struct prof_quality *q = &p->quality;
	uint64_t stack_size = 0;

	data_reader_meta_u64(rd, "stack-size", &stack_size);
	if (q->samples)
		fprintf(out,
			"# unwound: %" PRIu64 " samples: %.2f%% reached a root frame, %.2f%% cut "
			"short by the %" PRIu64 "-byte stack copy, %.2f%% failed\n",
			q->samples, pct(q->root, q->samples), pct(q->truncated, q->samples),
			stack_size, pct(q->failed, q->samples));
	if (q->depth)
		fprintf(out, "#   %" PRIu64 " sample(s) stopped at the depth limit of %d frames\n",
			q->depth, SESSION_MAX_USER);
	for (size_t i = 0; i < q->nfailures && i < 10; i++)
		fprintf(out, "#   failed in %s: %" PRIu64 " sample%s (%s)\n", q->failures[i].dso,
			q->failures[i].samples, q->failures[i].samples == 1 ? "" : "s",
			q->failures[i].reason);
	/* without stack copies (--call-graph fp or none) no sample has one: nothing to say */
	if (q->kernel_only && dwarf)
		fprintf(out, "# %" PRIu64 " samples have no user stack (kernel threads, or the "
			     "kernel on their behalf)\n", q->kernel_only);
}

/* itimer and ctimer: the SIGPROF samplers of the LD_PRELOAD shim */
static bool timer_sampler(const struct data_reader *rd)
{
	const char *s = data_reader_meta_str(rd, "sampler");

	return s && (!strcmp(s, "itimer") || !strcmp(s, "ctimer"));
}

static void print_quality(FILE *out, const struct report_opts *o, const struct session *s,
			  const struct profile *p, uint64_t selected_from)
{
	const struct data_reader *rd = s->rd;
	uint64_t freq = 0, period = 0, cpu_ns = 0, lost;
	const char *fallback = data_reader_meta_str(rd, "fallback");
	const char *priv = data_reader_meta_str(rd, "privilege");
	const char *conflict;
	size_t conflict_len = 0;

	fprintf(out, "# pmuprof report of '%s': %s\n", o->input, meta_or(rd, "cmdline", "?"));
	fprintf(out, "# event: %s", meta_or(rd, "event", "?"));
	if (timer_sampler(rd))
		fprintf(out, " (%s)", meta_or(rd, "event-fstr", "?"));
	if (fallback)
		fprintf(out, " (fallback: %s)", fallback);
	if (priv)
		fprintf(out, ", %s", priv);
	fputc('\n', out);
	fprintf(out, "# samples: %" PRIu64, selected_from);
	if (data_reader_meta_u64(rd, "freq-hz", &freq))
		fprintf(out, ", %" PRIu64 " Hz requested", freq);
	else if (data_reader_meta_u64(rd, "period", &period))
		fprintf(out, ", one per %" PRIu64 " events requested", period);
	if (data_reader_stat_u64(rd, "cpu-time-ns", &cpu_ns) && cpu_ns)
		fprintf(out, ", %.0f Hz delivered per CPU second (%.3f s of CPU time)",
			(double)selected_from / ((double)cpu_ns / 1e9), (double)cpu_ns / 1e9);
	fputc('\n', out);
	if (o->filter.text)
		fprintf(out, "# selected: %" PRIu64 " samples (%.2f%%) by %s\n", p->samples,
			pct(p->samples, selected_from), o->filter.text);
	if (data_reader_truncated(rd)) {
		fprintf(out, "# the file is truncated (the recording was cut off): losses and "
			     "throttling are unknown\n");
	} else {
		lost = stat_or0(rd, "lost-ring") + stat_or0(rd, "lost-samples") +
		       stat_or0(rd, "lost-writer");
		if (timer_sampler(rd))
			fprintf(out,
				"# lost: %" PRIu64 " (in the program: a thread's ring full or no "
				"ring); timer overruns: %" PRIu64 "; other SIGPROFs not sampled: %" PRIu64
				"\n",
				lost + stat_or0(rd, "lost-shim"), stat_or0(rd, "timer-overruns"),
				stat_or0(rd, "foreign-signals"));
		else
			fprintf(out,
			"# lost: %" PRIu64 " (ring full %" PRIu64 ", kernel %" PRIu64
			", writer %" PRIu64 "); throttled: %" PRIu64 " times\n",
			lost, stat_or0(rd, "lost-ring"), stat_or0(rd, "lost-samples"),
			stat_or0(rd, "lost-writer"), stat_or0(rd, "throttled"));
	}
	conflict = data_reader_stat(rd, "conflict", &conflict_len);
	if (conflict && conflict_len && memchr(conflict, '\0', conflict_len))
		fprintf(out, "# warning: %s\n", conflict);
	if (stat_or0(rd, "malformed") || s->bad_records)
		fprintf(out,
			"# malformed: %" PRIu64 " kernel records could not be parsed when "
			"recording, %" PRIu64 " records of the file were damaged and skipped\n",
			stat_or0(rd, "malformed"), s->bad_records);
	fprintf(out, "# call graph: %s, recorded on %s (%s, kernel %s)\n",
		meta_or(rd, "call-graph", "?"), meta_or(rd, "host", "?"), meta_or(rd, "cpu", "?"),
		meta_or(rd, "kernel", "?"));
	print_unwinding(out, rd, p, s->dwarf);
}

static void print_header_only(const struct report_opts *o, const struct data_reader *rd)
{
	static const char *const meta_keys[] = {
		"cmdline", "target", "host", "kernel", "arch", "cpu", "ncpus", "clock", "sampler",
		"event-requested", "event", "event-fstr", "fallback", "privilege", "freq-hz",
		"period", "call-graph", "stack-size", "regs-mask", "ring-pages", "page-size",
		"start-realtime-ns",
	};
	static const char *const stat_keys[] = {
		"samples", "samples-stack-full", "lost-ring", "lost-samples", "lost-writer",
		"throttled", "unthrottled", "malformed", "elapsed-ns", "cpu-time-ns", "weight",
		"exit-status", "timer-signals", "timer-overruns", "foreign-signals", "late-signals",
		"shim-images", "lost-shim",
	};

	const char *conflict;
	size_t len = 0;

	printf("# file: %s (%" PRIu64 " bytes, format version %u)\n", o->input,
	       data_reader_file_size(rd), data_reader_version(rd));
	for (size_t i = 0; i < ARRAY_SIZE(meta_keys); i++) {
		const char *s = data_reader_meta_str(rd, meta_keys[i]);
		uint64_t v;

		if (s)
			printf("%-20s %s\n", meta_keys[i], s);
		else if (data_reader_meta_u64(rd, meta_keys[i], &v))
			printf("%-20s %" PRIu64 "\n", meta_keys[i], v);
	}
	if (data_reader_truncated(rd)) {
		printf("%-20s %s\n", "complete", "no: the file is truncated (the recorder was "
						 "killed or the disk filled); run statistics are lost");
		return;
	}
	printf("%-20s %s\n", "complete", "yes");
	for (size_t i = 0; i < ARRAY_SIZE(stat_keys); i++) {
		uint64_t v;

		if (data_reader_stat_u64(rd, stat_keys[i], &v))
			printf("%-20s %" PRIu64 "\n", stat_keys[i], v);
	}
	conflict = data_reader_stat(rd, "conflict", &len);
	if (conflict && len && memchr(conflict, '\0', len))
		printf("%-20s %s\n", "conflict", conflict);
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


static void release_opts(struct report_opts *o)
{
	filter_release(&o->filter);
	name_list_release(&o->dsos);
	name_list_release(&o->symbols);
}

static int write_report(const struct report_opts *o, const struct session *s,
			const struct profile *p)
{
	FILE *out = stdout;
	int ret = 0;

	if (o->output && !(out = fopen(o->output, "w"))) {
		error("cannot write '%s': %s", o->output, strerror(errno));
		return EXIT_FAIL;
	}
	if (o->format == FMT_TEXT) {
		struct table t;

		print_quality(out, o, s, p, s->samples_seen);
		if (!p->samples) {
			fprintf(out, "#\n# no samples\n");
		} else {
			build_table(o, p, &t);
			print_table(out, o, p, &t);
			free(t.lines);
			hash_release(&t.index);
		}
	} else {
		ret = export(o->format, out, p);
	}
	if (out != stdout) {
		if (ferror(out) || ret < 0) {
			fclose(out);
			error("cannot write '%s': %s", o->output,
			      strerror(ret < 0 ? -ret : errno ? errno : EIO));
			return EXIT_FAIL;
		}
		if (fclose(out) != 0) {
			error("cannot write '%s': %s", o->output, strerror(errno));
			return EXIT_FAIL;
		}
		if (o->format != FMT_TEXT)
			note("wrote %s of %" PRIu64 " samples (%zu stacks) to '%s'",
			     format_names[o->format], p->samples, p->nstacks, o->output);
	} else if (ret < 0) {
		error("cannot write the %s output: %s", format_names[o->format], strerror(-ret));
		return EXIT_FAIL;
	}
	return EXIT_OK;
}

int cmd_report(int argc, char **argv)
{
	struct report_opts o;
	struct session s;
	struct collect c;
	struct symbolizer *sym;
	struct profile *p;
	unsigned flags = 0;
	int ret;

	ret = parse_options(&o, argc, argv);
	if (ret == CMD_HELP_SHOWN || ret) {
		release_opts(&o);
		return ret == CMD_HELP_SHOWN ? EXIT_OK : ret;
	}
	ret = o.header ? session_open_meta(&s, o.input) : session_open(&s, o.input);
	if (ret) {
		release_opts(&o);
		return ret;
	}
	if (o.header) {
		print_header_only(&o, s.rd);
		session_close(&s);
		release_opts(&o);
		return EXIT_OK;
	}
	memset(&c, 0, sizeof(c));
	c.o = &o;
	c.b = profile_builder_new();
	session_samples(&s, want_sample, add_sample, &c);
	if (o.demangle)
		flags |= SYM_DEMANGLE;
	if (o.srcline)
		flags |= SYM_SRCLINE;
	if (o.inlines)
		flags |= SYM_INLINE;
	sym = symbolizer_new(profile_builder_has_kernel(c.b) ? session_kernel(&s) : NULL, flags);
	p = profile_builder_finish(c.b, sym, data_reader_meta_str(s.rd, "event"),
				   session_weight_unit(&s), session_title(&s));
	data_reader_meta_u64(s.rd, "start-realtime-ns", &p->realtime_start);
	profile_builder_free(c.b);
	if (o.dsos.n || o.symbols.n)
		profile_select(p, keep_stack, &o);
	session_warn_objects(&s);
	ret = write_report(&o, &s, p);
	profile_free(p);
	symbolizer_free(sym);
	session_close(&s);
	release_opts(&o);
	return ret;
}
