// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * report's text (see report.h).
 */
#include "output/report.h"
#include "output/tree.h"
#include "resolve/session.h"
#include "store/datafile.h"
#include "util/alloc.h"
#include "util/escape.h"
#include "util/units.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* as enum report_key; pid and srcline have perf's titles */
static const char *const key_titles[] = {
	"Command", "Tid", "Shared Object", "Symbol", "Pid:Command", "Source:Line",
};

/* ---- the table ---------------------------------------------------------- */

/*
 * Names come from the recording and its binaries: every string printed here
 * goes through util/escape.h, and the widths count the escaped text.
 */

static double pct(uint64_t part, uint64_t total)
{
	return total ? 100.0 * (double)part / (double)total : 0.0;
}

/* file:line as perf's srcline key (the file's base name), or function+offset without one */
static char *srcline_text(const struct profile *p, const struct report_line *l)
{
	const struct prof_loc *loc;
	const struct prof_func *f;
	const char *base;

	if (l->file) {
		base = strrchr(l->file, '/');
		return escape_take(xasprintf("%s:%" PRIu32, base ? base + 1 : l->file, l->line));
	}
	loc = &p->locs[l->loc];
	f = &p->funcs[loc->func];
	if (f->start && loc->addr >= f->start)
		return escape_take(xasprintf("%s+0x%" PRIx64, f->name, loc->addr - f->start));
	return escape_take(xasprintf("%s+0x%" PRIx64, f->dso, loc->addr));
}

static char *key_text(const struct profile *p, const struct report_line *l, enum report_key k,
		      const uint32_t *hot)
{
	const struct prof_func *f;

	switch (k) {
	case REPORT_KEY_COMM:
		return escape_dup(l->comm);
	case REPORT_KEY_TID:
		return xasprintf("%" PRIu32, l->tid);
	case REPORT_KEY_DSO:
		return escape_dup(l->dso);
	case REPORT_KEY_PID:
		return escape_take(xasprintf("%" PRIu32 ":%s", l->tid, l->comm));
	case REPORT_KEY_SRCLINE:
		return srcline_text(p, l);
	default:
		f = &p->funcs[l->func];
		if (hot && hot[l->func] != UINT32_MAX) {
			const struct prof_loc *loc = &p->locs[hot[l->func]];
			const char *base = strrchr(loc->file, '/');

			return escape_take(xasprintf("[%c] %s  %s:%u", f->kernel ? 'k' : '.',
						     f->name, base ? base + 1 : loc->file,
						     loc->line));
		}
		return escape_take(xasprintf("[%c] %s", f->kernel ? 'k' : '.', f->name));
	}
}

/* What report_print_table() prints of each line, the same for every line. */
struct line_ctx {
	const struct report_table *t;
	const struct profile *p;
	const struct report_text_opts *o;
	const size_t *width;
	const uint32_t *hot;
	bool graph, times;
};

/* Line l and its call graph; stacks has room for every stack of the profile. */
static void print_line(FILE *out, const struct line_ctx *c, const struct report_line *l,
		       uint32_t *stacks)
{
	const struct report_table *t = c->t;
	const struct profile *p = c->p;
	const struct report_text_opts *o = c->o;
	const size_t *width = c->width;
	const uint32_t *hot = c->hot;
	bool graph = c->graph, times = c->times;
	char when[UNITS_DURATION_MAX], self_when[UNITS_DURATION_MAX];

	if (t->children && times)
		fprintf(out, "  %7.2f%%  %8s  %7.2f%%  %8s  %8" PRIu64,
			pct(l->weight, p->weight),
			units_duration(when, sizeof(when), l->weight),
			pct(l->self_weight, p->weight),
			units_duration(self_when, sizeof(self_when), l->self_weight),
			o->nr_samples ? l->self_samples : l->samples);
	else if (t->children)
		fprintf(out, "  %7.2f%%  %7.2f%%  %8" PRIu64, pct(l->weight, p->weight),
			pct(l->self_weight, p->weight),
			o->nr_samples ? l->self_samples : l->samples);
	else if (times)
		fprintf(out, "  %7.2f%%  %8s  %8" PRIu64, pct(l->weight, p->weight),
			units_duration(when, sizeof(when), l->weight), l->samples);
	else
		fprintf(out, "  %7.2f%%  %8" PRIu64, pct(l->weight, p->weight), l->samples);
	for (size_t k = 0; k < t->nkeys; k++) {
		char *s = key_text(p, l, t->keys[k], hot);

		if (k + 1 < t->nkeys)
			fprintf(out, "  %-*s", (int)width[k], s);
		else
			fprintf(out, "  %s", s);
		free(s);
	}
	fputc('\n', out);
	if (graph) {
		size_t n = report_table_stacks(t, p, l, stacks);

		tree_print(out, p, stacks, n, l->func,
			   o->graph == REPORT_GRAPH_CALLER ? TREE_CALLER : TREE_CALLEE,
			   o->graph_limit, p->weight, o->fractal, times, "            ");
		fputc('\n', out);
	}
}

/*
 * The lines on several threads: each renders the lines it takes, graph
 * and all (the bulk of the work in a report of many stacks), into a buffer
 * of its own; they are printed in order after.
 */
struct line_jobs {
	const struct line_ctx *c;
	const size_t *shown; /* the lines to print, by index */
	size_t n;
	char **text;
	size_t *len;
	_Atomic size_t next;
};

static void *render_lines(void *arg)
{
	struct line_jobs *j = arg;
	uint32_t *stacks = xmalloc((j->c->p->nstacks ? j->c->p->nstacks : 1) * sizeof(*stacks));
	size_t i;

	while ((i = atomic_fetch_add(&j->next, 1)) < j->n) {
		FILE *f = open_memstream(&j->text[i], &j->len[i]);

		if (!f)
			abort();
		print_line(f, j->c, &j->c->t->lines[j->shown[i]], stacks);
		if (fclose(f))
			abort();
	}
	free(stacks);
	return NULL;
}

static void print_lines_jobs(FILE *out, const struct line_ctx *c, const size_t *shown, size_t n,
			     unsigned jobs)
{
	struct line_jobs j = { .c = c, .shown = shown, .n = n };
	pthread_t *th = xcalloc(jobs, sizeof(*th));
	bool *started = xcalloc(jobs, sizeof(*started));

	j.text = xcalloc(n ? n : 1, sizeof(*j.text));
	j.len = xcalloc(n ? n : 1, sizeof(*j.len));
	atomic_init(&j.next, 0);
	for (unsigned i = 0; i < jobs; i++)
		started[i] = pthread_create(&th[i], NULL, render_lines, &j) == 0;
	render_lines(&j); /* this thread too, and alone if none started */
	for (unsigned i = 0; i < jobs; i++)
		if (started[i])
			pthread_join(th[i], NULL);
	for (size_t i = 0; i < n; i++) {
		fwrite(j.text[i], 1, j.len[i], out);
		free(j.text[i]);
	}
	free(j.text);
	free(j.len);
	free(th);
	free(started);
}

void report_print_table(FILE *out, const struct report_table *t, const struct profile *p,
			const struct report_text_opts *o)
{
	size_t width[REPORT_KEY_MAX], shown = 0, *list;
	uint32_t *stacks, *hot;
	bool graph = o->graph != REPORT_GRAPH_NONE && report_table_has_key(t, REPORT_KEY_SYM);
	bool times = profile_view_time(p->view);
	struct line_ctx c = { t, p, o, width, NULL, graph, times };

	if (!p->samples) {
		fprintf(out, "#\n# no samples\n");
		return;
	}
	stacks = xmalloc((p->nstacks ? p->nstacks : 1) * sizeof(*stacks));
	hot = o->srcline ? report_hot_locs(p) : NULL;
	c.hot = hot;

	for (size_t k = 0; k < t->nkeys; k++)
		width[k] = strlen(key_titles[t->keys[k]]);
	for (size_t i = 0; i < t->n; i++)
		for (size_t k = 0; k + 1 < t->nkeys; k++) {
			char *s = key_text(p, &t->lines[i], t->keys[k], hot);

			if (strlen(s) > width[k])
				width[k] = strlen(s);
			free(s);
		}
	/* perf's Samples column (-n) counts a line's own samples in children mode too */
	if (t->children && !o->nr_samples)
		fprintf(out, "#\n# Samples column: stacks through the line; perf's counts the "
			     "line's own samples (-n)\n");
	if (t->children && times)
		fprintf(out, "#\n# %8s  %8s  %8s  %8s  %8s", "Children", "Time", "Self", "Time",
			"Samples");
	else if (t->children)
		fprintf(out, "#\n# %8s  %8s  %8s", "Children", "Self", "Samples");
	else if (times)
		fprintf(out, "#\n# %8s  %8s  %8s", "Overhead", "Time", "Samples");
	else
		fprintf(out, "#\n# %8s  %8s", "Overhead", "Samples");
	for (size_t k = 0; k < t->nkeys; k++)
		fprintf(out, "  %-*s", (int)width[k], key_titles[t->keys[k]]);
	fprintf(out, "\n#\n");
	list = xmalloc((t->n ? t->n : 1) * sizeof(*list));
	for (size_t i = 0; i < t->n; i++)
		if (!(pct(t->lines[i].weight, p->weight) < o->percent_limit))
			list[shown++] = i;
	/* the graphs are the work: without them, one thread prints faster */
	if (graph && o->jobs > 1 && shown > 1)
		print_lines_jobs(out, &c, list, shown, o->jobs - 1);
	else
		for (size_t i = 0; i < shown; i++)
			print_line(out, &c, &t->lines[list[i]], stacks);
	free(list);
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

/* The largest stack copy record takes (--call-graph dwarf,SIZE). */
#define MAX_STACK_COPY 65528

/* What the cut stacks needed, measured from their threads' stack tops. */
static void print_cut_need(FILE *out, const struct prof_quality *q, uint64_t stack_size)
{
	uint64_t size = (q->cut_need + 1023) / 1024 * 1024;

	if (q->cut_measured && size <= MAX_STACK_COPY)
		fprintf(out,
			"#   cut short: --call-graph dwarf,%" PRIu64 " would have held %d%% of "
			"them whole (%" PRIu64 " measured: from the stack pointer to where the "
			"thread's stack ends)\n",
			size > stack_size ? size : stack_size + 1024, PROF_CUT_SHARE,
			q->cut_measured);
	else if (q->cut_measured)
		fprintf(out,
			"#   cut short: %d%% of them (%" PRIu64 " measured) need more than %d "
			"bytes, the largest copy: --call-graph fp sees whole stacks of code built "
			"with -fno-omit-frame-pointer\n",
			PROF_CUT_SHARE, q->cut_measured, MAX_STACK_COPY);
	if (q->cut_unknown)
		fprintf(out,
			"#   cut short: %" PRIu64 " sample%s of threads none of whose stacks "
			"unwound whole: where their stacks end, and so the size they need, is "
			"unknown\n",
			q->cut_unknown, q->cut_unknown == 1 ? "" : "s");
}

static void print_failures(FILE *out, const struct prof_quality *q, const char *verb)
{
	for (size_t i = 0; i < q->nfailures && i < 10; i++) {
		fprintf(out, "#   %s in ", verb);
		escape_write(out, q->failures[i].dso);
		fprintf(out, ": %" PRIu64 " sample%s (%s)\n", q->failures[i].samples,
			q->failures[i].samples == 1 ? "" : "s", q->failures[i].reason);
	}
}

/* The stack copy's size and where it came from, in recordings that say (version 3 on). */
static void print_stack_size(FILE *out, const struct data_reader *rd)
{
	const char *origin = data_reader_meta_str(rd, "stack-size-origin");
	uint64_t size;

	if (!origin || !data_reader_meta_u64(rd, "stack-size", &size))
		return;
	fprintf(out, ", %" PRIu64 "-byte stack copies (%s)", size,
		!strcmp(origin, "default") ? "record's default" : "--call-graph dwarf,SIZE");
}

/* Stacks copied with the samples and unwound here (--call-graph dwarf). */
static void print_dwarf(FILE *out, const struct data_reader *rd, const struct prof_quality *q)
{
	uint64_t stack_size = 0;

	data_reader_meta_u64(rd, "stack-size", &stack_size);
	fprintf(out,
		"# unwound: %" PRIu64 " samples: %.2f%% reached a root frame, %.2f%% cut "
		"short by the %" PRIu64 "-byte stack copy, %.2f%% failed\n",
		q->samples, pct(q->root, q->samples), pct(q->truncated, q->samples), stack_size,
		pct(q->failed, q->samples));
	if (q->depth)
		fprintf(out, "#   %" PRIu64 " sample(s) stopped at the depth limit of %d frames\n",
			q->depth, SESSION_MAX_USER);
	print_failures(out, q, "failed");
	/* a few cut stacks are not worth a bigger copy for every sample */
	if (pct(q->truncated, q->samples) >= 1)
		print_cut_need(out, q, stack_size);
}

/* Chains the kernel followed by frame pointers when sampling (--call-graph fp). */
static void print_fp(FILE *out, const struct session *s, const struct prof_quality *q)
{
	fprintf(out,
		"# unwound: %" PRIu64 " samples: %.2f%% reached a root frame, %.2f%% ended "
		"early in a broken frame pointer chain (followed by the kernel)\n",
		q->samples, pct(q->root, q->samples), pct(q->failed, q->samples));
	if (q->depth)
		fprintf(out,
			"#   %" PRIu64 " sample(s) stopped at the kernel's depth limit of %" PRIu32
			" frames (kernel.perf_event_max_stack)\n",
			q->depth, s->fp_max_stack);
	print_failures(out, q, "ended early");
	if (pct(q->failed, q->samples) >= 1)
		fputs("#   code built without frame pointers (compilers omit them from -O1 up, "
		      "Debian's libc too) breaks the chain: record with --call-graph dwarf, or "
		      "build with -fno-omit-frame-pointer\n", out);
}

static void print_unwinding(FILE *out, const struct session *s, const struct profile *p)
{
	const struct prof_quality *q = &p->quality;

	if (q->samples && s->dwarf)
		print_dwarf(out, s->rd, q);
	else if (q->samples)
		print_fp(out, s, q);
	/* without stack copies or chains (--call-graph none) no sample has one: nothing to say */
	if (q->kernel_only && (s->dwarf || q->samples))
		fprintf(out, "# %" PRIu64 " samples have no user stack (kernel threads, or the "
			     "kernel on their behalf)\n", q->kernel_only);
}

/* ---- the views of on- and off-CPU time ------------------------------------ */

static uint64_t scaled_cpu(const struct prof_times *t)
{
	return profile_scaled(t->weight[PROF_KIND_CPU], t->cpu_scale);
}

/* Processes listed one per line in the head; the others are summed up. */
#define VIEW_PROCS_LISTED 10

static const char *dur(char *buf, uint64_t ns)
{
	return units_duration(buf, UNITS_DURATION_MAX, ns);
}

static uint64_t proc_total(const struct prof_proc *pp)
{
	return pp->ns[PROF_KIND_CPU] + pp->ns[PROF_KIND_BLOCKED] + pp->ns[PROF_KIND_RUNNABLE];
}

static int cmp_proc(const void *a, const void *b)
{
	const struct prof_proc *x = *(const struct prof_proc *const *)a;
	const struct prof_proc *y = *(const struct prof_proc *const *)b;
	uint64_t tx = proc_total(x), ty = proc_total(y);

	if (tx != ty)
		return tx > ty ? -1 : 1;
	return x->pid < y->pid ? -1 : x->pid > y->pid;
}

static void print_procs(FILE *out, const struct prof_times *t)
{
	const struct prof_proc **v = xmalloc((t->nprocs ? t->nprocs : 1) * sizeof(*v));
	char a[UNITS_DURATION_MAX], b[UNITS_DURATION_MAX], c[UNITS_DURATION_MAX];
	uint64_t rest[PROF_KIND_MAX] = { 0 };

	for (size_t i = 0; i < t->nprocs; i++)
		v[i] = &t->procs[i];
	qsort(v, t->nprocs, sizeof(*v), cmp_proc);
	for (size_t i = 0; i < t->nprocs; i++) {
		if (i >= VIEW_PROCS_LISTED) {
			for (int k = 0; k < PROF_KIND_MAX; k++)
				rest[k] += v[i]->ns[k];
			continue;
		}
		fprintf(out, "#   pid %" PRIu32 " ", v[i]->pid);
		escape_write(out, v[i]->comm ? v[i]->comm : "?");
		fprintf(out, ": on CPU %s, blocked %s (%" PRIu64 "), runnable %s (%" PRIu64 ")\n",
			dur(a, v[i]->ns[PROF_KIND_CPU]), dur(b, v[i]->ns[PROF_KIND_BLOCKED]),
			v[i]->samples[PROF_KIND_BLOCKED], dur(c, v[i]->ns[PROF_KIND_RUNNABLE]),
			v[i]->samples[PROF_KIND_RUNNABLE]);
	}
	if (t->nprocs > VIEW_PROCS_LISTED)
		fprintf(out, "#   %zu more processes: on CPU %s, blocked %s, runnable %s\n",
			t->nprocs - VIEW_PROCS_LISTED, dur(a, rest[PROF_KIND_CPU]),
			dur(b, rest[PROF_KIND_BLOCKED]), dur(c, rest[PROF_KIND_RUNNABLE]));
	free(v);
}

/* How the CPU samples became time, when they are not a clock's. */
static void print_cpu_scale(FILE *out, const struct data_reader *rd, const struct prof_times *t)
{
	char a[UNITS_DURATION_MAX], b[UNITS_DURATION_MAX];

	if (!t->samples[PROF_KIND_CPU] || (t->cpu_scale != 0 && !t->cpu_scaled))
		return;
	fputs("# on CPU: the samples of ", out);
	escape_write(out, meta_or(rd, "event", "?"));
	if (t->cpu_scaled)
		fprintf(out, " count events, not time: scaled to their threads' CPU time by the "
			     "kernel (%s), %s a sample on average\n",
			dur(a, t->task_cpu_ns), dur(b, scaled_cpu(t) / t->samples[PROF_KIND_CPU]));
	else
		fputs(" count events, not time, and the recording has no CPU time of their "
		      "threads to scale them by: time views leave them out (--view cpu shows "
		      "them)\n", out);
}

void report_print_views(FILE *out, const struct data_reader *rd, const struct profile *p)
{
	const struct prof_times *t = &p->times;
	const char *method = data_reader_meta_str(rd, "off-cpu");
	char a[UNITS_DURATION_MAX], b[UNITS_DURATION_MAX], c[UNITS_DURATION_MAX];
	uint64_t min_stack;

	if (!t->off_cpu && !profile_view_time(p->view))
		return;
	fprintf(out, "# view: %s", profile_view_name(p->view));
	if (p->view == PROF_VIEW_WALL)
		fputs(" (on-CPU plus off-CPU time)", out);
	else if (p->view == PROF_VIEW_OFF_CPU)
		fputs(" (off-CPU time: blocked and runnable)", out);
	else
		fputs(" (CPU samples)", out);
	fputs("; --view cpu|off-cpu|wall switches views\n", out);
	fprintf(out, "# on CPU %s (%" PRIu64 " samples), blocked %s (%" PRIu64 " intervals), "
		     "runnable %s (%" PRIu64 ")\n",
		t->cpu_scale != 0 ? dur(a, scaled_cpu(t)) : "?", t->samples[PROF_KIND_CPU],
		dur(b, t->weight[PROF_KIND_BLOCKED]), t->samples[PROF_KIND_BLOCKED],
		dur(c, t->weight[PROF_KIND_RUNNABLE]), t->samples[PROF_KIND_RUNNABLE]);
	print_cpu_scale(out, rd, t);
	print_procs(out, t);
	fputs("# off-CPU stacks: ", out);
	if (method) {
		escape_write(out, method);
		fputs(!strcmp(method, "switch") ? " (the kernel's at each switch-out)"
		      : !strcmp(method, "remote") ? " (read from outside while the thread waited)"
						  : "", out);
		if (data_reader_meta_u64(rd, "off-cpu-min-stack-ns", &min_stack) && min_stack)
			fprintf(out, ", only for waits of %s or more", dur(a, min_stack));
		fputs("; ", out);
	}
	fprintf(out, "%" PRIu64 " at switch-out, %" PRIu64 " read from outside, %" PRIu64
		     " without a stack (%s)\n",
		t->source[0], t->source[1], t->source[2], dur(b, t->source_ns[2]));
	if (stat_or0(rd, "off-cpu-closed-at-end"))
		fprintf(out, "# %" PRIu64 " intervals were still open when their thread or the "
			     "recording ended: closed there\n",
			stat_or0(rd, "off-cpu-closed-at-end"));
}

/* itimer and ctimer: the SIGPROF samplers of the LD_PRELOAD shim */
static bool timer_sampler(const struct data_reader *rd)
{
	const char *s = data_reader_meta_str(rd, "sampler");

	return s && (!strcmp(s, "itimer") || !strcmp(s, "ctimer"));
}

void report_print_quality(FILE *out, const char *path, const struct session *s,
			  const struct profile *p, const char *filter_text)
{
	const struct data_reader *rd = s->rd;
	uint64_t selected_from = s->samples_seen, cpu_seen = s->samples_seen - s->off_cpu_seen;
	uint64_t freq = 0, period = 0, cpu_ns = 0, lost;
	const char *fallback = data_reader_meta_str(rd, "fallback");
	const char *priv = data_reader_meta_str(rd, "privilege");
	const char *conflict;
	size_t conflict_len = 0;

	fputs("# pmuprof report of '", out);
	escape_write(out, path);
	fputs("': ", out);
	escape_write(out, meta_or(rd, "cmdline", "?"));
	fputs("\n# event: ", out);
	escape_write(out, meta_or(rd, "event", "?"));
	if (timer_sampler(rd)) {
		fputs(" (", out);
		escape_write(out, meta_or(rd, "event-fstr", "?"));
		fputc(')', out);
	}
	if (fallback) {
		fputs(" (fallback: ", out);
		escape_write(out, fallback);
		fputc(')', out);
	}
	if (priv) {
		fputs(", ", out);
		escape_write(out, priv);
	}
	fputc('\n', out);
	if (stat_or0(rd, "perf-other-samples")) {
		fprintf(out, "# not shown: %" PRIu64 " samples of other events (",
			stat_or0(rd, "perf-other-samples"));
		escape_write(out, meta_or(rd, "perf-other-event", "?"));
		fputs(" ...): pmuprof reads a perf.data file's first sampling event\n", out);
	}
	/* the rates are the CPU samples'; off-CPU intervals come at no rate */
	fprintf(out, "# samples: %" PRIu64, cpu_seen);
	if (data_reader_meta_u64(rd, "freq-hz", &freq))
		fprintf(out, ", %" PRIu64 " Hz requested", freq);
	else if (data_reader_meta_u64(rd, "period", &period))
		fprintf(out, ", one per %" PRIu64 " events requested", period);
	if (data_reader_stat_u64(rd, "cpu-time-ns", &cpu_ns) && cpu_ns)
		fprintf(out, ", %.0f Hz delivered per CPU second (%.3f s of CPU time)",
			(double)cpu_seen / ((double)cpu_ns / 1e9), (double)cpu_ns / 1e9);
	if (s->off_cpu_seen)
		fprintf(out, "; %" PRIu64 " off-CPU intervals", s->off_cpu_seen);
	fputc('\n', out);
	if (filter_text)
		fprintf(out, "# selected: %" PRIu64 " samples (%.2f%%) by %s\n", p->samples,
			pct(p->samples, selected_from), filter_text);
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
	if (conflict && conflict_len && memchr(conflict, '\0', conflict_len)) {
		fputs("# warning: ", out);
		escape_write(out, conflict);
		fputc('\n', out);
	}
	if (stat_or0(rd, "malformed") || s->bad_records)
		fprintf(out,
			"# malformed: %" PRIu64 " kernel records could not be parsed when "
			"recording, %" PRIu64 " records of the file were damaged and skipped\n",
			stat_or0(rd, "malformed"), s->bad_records);
	fputs("# call graph: ", out);
	escape_write(out, meta_or(rd, "call-graph", "?"));
	print_stack_size(out, rd);
	fputs(", recorded on ", out);
	escape_write(out, meta_or(rd, "host", "?"));
	fputs(" (", out);
	escape_write(out, meta_or(rd, "cpu", "?"));
	fputs(", kernel ", out);
	escape_write(out, meta_or(rd, "kernel", "?"));
	fputs(")\n", out);
	print_unwinding(out, s, p);
	report_print_views(out, rd, p);
}

void report_print_header_only(FILE *out, const char *path, const struct data_reader *rd)
{
	static const char *const meta_keys[] = {
		"cmdline", "target", "host", "kernel", "arch", "cpu", "ncpus", "clock", "sampler",
		"event-requested", "event", "event-fstr", "fallback", "privilege", "freq-hz",
		"period", "call-graph", "stack-size", "stack-size-origin", "max-stack", "regs-mask",
		"ring-pages", "page-size", "start-realtime-ns", "off-cpu", "off-cpu-min-stack-ns",
		"off-cpu-events", "kernel-text", "perf-other-event",
	};
	static const char *const stat_keys[] = {
		"samples", "samples-stack-full", "lost-ring", "lost-samples", "lost-writer",
		"throttled", "unthrottled", "malformed", "elapsed-ns", "cpu-time-ns", "weight",
		"exit-status", "switch-open-ns", "timer-signals", "timer-overruns", "foreign-signals",
		"late-signals", "shim-images", "lost-shim", "off-cpu-samples", "off-cpu-ns",
		"off-cpu-stack-switch", "off-cpu-stack-remote", "off-cpu-stack-none", "off-cpu-ns-stack-none",
		"off-cpu-closed-at-end", "off-cpu-signals", "off-cpu-wakeups", "off-cpu-events-lost",
		"perf-other-samples",
	};

	const char *conflict;
	size_t len = 0;

	fputs("# file: ", out);
	escape_write(out, path);
	if (data_reader_meta_str(rd, "source-format")) {
		fprintf(out, " (%" PRIu64 " bytes, ", data_reader_file_size(rd));
		escape_write(out, data_reader_meta_str(rd, "source-format"));
		if (data_reader_meta_str(rd, "perf-version")) {
			fputs(" written by perf ", out);
			escape_write(out, data_reader_meta_str(rd, "perf-version"));
		}
		fputs(")\n", out);
	} else {
		fprintf(out, " (%" PRIu64 " bytes, format version %u)\n",
			data_reader_file_size(rd), data_reader_version(rd));
	}
	for (size_t i = 0; i < ARRAY_SIZE(meta_keys); i++) {
		const char *s = data_reader_meta_str(rd, meta_keys[i]);
		uint64_t v;

		if (s) {
			fprintf(out, "%-20s ", meta_keys[i]);
			escape_write(out, s);
			fputc('\n', out);
		}
		else if (data_reader_meta_u64(rd, meta_keys[i], &v))
			fprintf(out, "%-20s %" PRIu64 "\n", meta_keys[i], v);
	}
	if (data_reader_truncated(rd)) {
		fprintf(out, "%-20s %s\n", "complete",
			"no: the file is truncated (the recorder was "
			"killed or the disk filled); run statistics are lost");
		return;
	}
	fprintf(out, "%-20s %s\n", "complete", "yes");
	for (size_t i = 0; i < ARRAY_SIZE(stat_keys); i++) {
		uint64_t v;

		if (data_reader_stat_u64(rd, stat_keys[i], &v))
			fprintf(out, "%-20s %" PRIu64 "\n", stat_keys[i], v);
	}
	conflict = data_reader_stat(rd, "conflict", &len);
	if (conflict && len && memchr(conflict, '\0', len)) {
		fprintf(out, "%-20s ", "conflict");
		escape_write(out, conflict);
		fputc('\n', out);
	}
}
