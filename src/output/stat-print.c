// SPDX-License-Identifier: GPL-2.0-or-later
#include "output/stat-print.h"
#include "util/alloc.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void stat_format_number(char *buf, size_t size, double v, int decimals, bool big)
{
	char tmp[64];
	const char *dot, *s = tmp;
	size_t intlen, o = 0;

	snprintf(tmp, sizeof(tmp), "%.*f", decimals, v);
	if (!big) {
		snprintf(buf, size, "%s", tmp);
		return;
	}
	if (*s == '-') {
		if (o + 1 < size)
			buf[o++] = '-';
		s++;
	}
	dot = strchr(s, '.');
	intlen = dot ? (size_t)(dot - s) : strlen(s);
	for (size_t i = 0; i < intlen && o + 1 < size; i++) {
		if (i && (intlen - i) % 3 == 0 && o + 2 < size)
			buf[o++] = ',';
		buf[o++] = s[i];
	}
	for (const char *r = s + intlen; *r && o + 1 < size; r++)
		buf[o++] = *r;
	buf[o] = '\0';
}

static double run_pct(const struct stat_row *r)
{
	if (r->ena == 0)
		return r->state == STAT_COUNTED ? 100.0 : 0.0;
	return 100.0 * (double)r->run / (double)r->ena;
}

static int value_decimals(const struct stat_row *r)
{
	return r->unit && *r->unit ? 2 : 0;
}

/* JSON string with the escapes RFC 8259 requires. */
static void json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

static void json_num(FILE *f, double v)
{
	if (isfinite(v))
		fprintf(f, "%.6f", v);
	else
		fputs("null", f);
}

void stat_print_begin(struct stat_printer *p, const struct stat_summary *s)
{
	if (p->format != STAT_TEXT)
		return;
	if (p->interval) {
		if (!p->header_done)
			fprintf(p->f, "#%14s %s%18s %-4s %s\n", "time",
				p->per_thread ? "          thread " : "", "counts", "unit", "events");
		p->header_done = true;
		return;
	}
	fprintf(p->f, s->what_is_command ? "\n Performance counter stats for '%s'"
					 : "\n Performance counter stats for %s",
		s->what);
	if (s->runs > 1)
		fprintf(p->f, " (%d runs)", s->runs);
	fputs(":\n\n", p->f);
}

static void print_text_row(struct stat_printer *p, const struct stat_row *r, double ts)
{
	char num[64], line[512];
	size_t o = 0;

	if (p->interval)
		o += (size_t)snprintf(line + o, sizeof(line) - o, "%15.9f ", ts);
	if (p->per_thread)
		o += (size_t)snprintf(line + o, sizeof(line) - o, "%16s ", r->thread ? r->thread : "");
	switch (r->state) {
	case STAT_COUNTED:
		stat_format_number(num, sizeof(num), r->value, value_decimals(r), p->big_num);
		break;
	case STAT_NOT_COUNTED:
		snprintf(num, sizeof(num), "<not counted>");
		break;
	case STAT_NOT_SUPPORTED:
		snprintf(num, sizeof(num), "<not supported>");
		break;
	}
	o += (size_t)snprintf(line + o, sizeof(line) - o, "%18s %-4s %-32s", num,
			      r->state == STAT_COUNTED ? r->unit : "", r->event);
	if (r->state == STAT_COUNTED && r->metric.valid) {
		o += (size_t)snprintf(line + o, sizeof(line) - o, " # %8.3f %-22s", r->metric.value,
				      r->metric.unit);
		if (r->metric.not_together)
			o += (size_t)snprintf(line + o, sizeof(line) - o, " (not counted together)");
	} else if (r->state == STAT_COUNTED && (r->run < r->ena || r->stddev_pct >= 0)) {
		o += (size_t)snprintf(line + o, sizeof(line) - o, "   %8s %-22s", "", "");
	}
	if (r->state == STAT_COUNTED && r->stddev_pct >= 0)
		o += (size_t)snprintf(line + o, sizeof(line) - o, "  ( +- %5.2f%% )", r->stddev_pct);
	if (r->state == STAT_COUNTED && r->run < r->ena)
		o += (size_t)snprintf(line + o, sizeof(line) - o, "  (%.2f%%)", run_pct(r));
	while (o > 0 && line[o - 1] == ' ')
		o--;
	line[o] = '\0';
	fprintf(p->f, "%s\n", line);
}

/* pmuprof's note on a row: why it was not supported, or that its metric is an estimate. */
static const char *row_note(const struct stat_row *r)
{
	if (r->state == STAT_NOT_SUPPORTED)
		return r->reason ? r->reason : "";
	if (r->state == STAT_COUNTED && r->metric.valid && r->metric.not_together)
		return "not counted together";
	return "";
}

static const char *state_word(const struct stat_row *r)
{
	return r->state == STAT_NOT_COUNTED ? "<not counted>" : "<not supported>";
}

/*
 * perf stat -x's fields, in perf's order: [time,] [thread,] value, unit,
 * event, [deviation,] running time, running share, metric value, metric
 * unit; then pmuprof's note only when asked for (--csv-notes), so that a
 * reader of perf's CSV reads this as it is.
 */
static void print_csv_row(struct stat_printer *p, const struct stat_row *r, double ts)
{
	const char *sep = p->sep;

	if (p->interval)
		fprintf(p->f, "%.9f%s", ts, sep);
	if (p->per_thread)
		fprintf(p->f, "%s%s", r->thread ? r->thread : "", sep);
	if (r->state == STAT_COUNTED)
		fprintf(p->f, "%.*f", value_decimals(r), r->value);
	else
		fputs(state_word(r), p->f);
	fprintf(p->f, "%s%s%s%s", sep, r->unit ? r->unit : "", sep, r->event);
	if (p->repeated)
		fprintf(p->f, "%s%.2f%%", sep,
			r->state == STAT_COUNTED && r->stddev_pct >= 0 ? r->stddev_pct : 0.0);
	fprintf(p->f, "%s%llu%s%.2f%s", sep, (unsigned long long)r->run, sep, run_pct(r), sep);
	if (r->state == STAT_COUNTED && r->metric.valid)
		fprintf(p->f, "%.3f%s%s", r->metric.value, sep, r->metric.unit);
	else
		fputs(sep, p->f);
	if (p->notes)
		fprintf(p->f, "%s%s", sep, row_note(r));
	fputc('\n', p->f);
}

/*
 * perf stat --json's keys first, in perf's order and with perf's types
 * (counter-value a string, metric-value and metric-unit always present),
 * then pmuprof's own.
 */
static void print_json_row(struct stat_printer *p, const struct stat_row *r, double ts)
{
	static const char *const states[] = { "counted", "not-counted", "not-supported" };
	bool metric = r->state == STAT_COUNTED && r->metric.valid;
	FILE *f = p->f;
	char num[64];

	fputs("{\"type\": \"counter\"", f);
	if (p->interval) {
		fputs(", \"interval\": ", f);
		json_num(f, ts);
	}
	if (p->per_thread && r->thread) {
		fputs(", \"thread\": ", f);
		json_str(f, r->thread);
	}
	if (r->state == STAT_COUNTED)
		snprintf(num, sizeof(num), "%f", r->value);
	fputs(", \"counter-value\": ", f);
	json_str(f, r->state == STAT_COUNTED ? num : state_word(r));
	fputs(", \"unit\": ", f);
	json_str(f, r->unit ? r->unit : "");
	fputs(", \"event\": ", f);
	json_str(f, r->event);
	if (p->repeated)
		fprintf(f, ", \"variance\": %.2f",
			r->state == STAT_COUNTED && r->stddev_pct >= 0 ? r->stddev_pct : 0.0);
	fprintf(f, ", \"event-runtime\": %llu, \"pcnt-running\": %.2f, \"metric-value\": ",
		(unsigned long long)r->run, run_pct(r));
	json_num(f, metric ? r->metric.value : 0.0);
	fputs(", \"metric-unit\": ", f);
	json_str(f, metric ? r->metric.unit : "");

	fprintf(f, ", \"status\": \"%s\", \"value\": ", states[r->state]);
	if (r->state == STAT_COUNTED)
		json_num(f, r->value);
	else
		fputs("null", f);
	fprintf(f, ", \"enabled-ns\": %llu, \"running-ns\": %llu, \"running-pct\": ",
		(unsigned long long)r->ena, (unsigned long long)r->run);
	json_num(f, run_pct(r));
	if (r->state == STAT_COUNTED && r->stddev_pct >= 0) {
		fputs(", \"stddev-pct\": ", f);
		json_num(f, r->stddev_pct);
	}
	if (metric)
		fprintf(f, ", \"metric-counted-together\": %s",
			r->metric.not_together ? "false" : "true");
	if (r->state == STAT_NOT_SUPPORTED && r->reason) {
		fputs(", \"reason\": ", f);
		json_str(f, r->reason);
	}
	fputs("}\n", f);
}

void stat_print_row(struct stat_printer *p, const struct stat_row *row, double ts)
{
	switch (p->format) {
	case STAT_TEXT:
		print_text_row(p, row, ts);
		break;
	case STAT_CSV:
		print_csv_row(p, row, ts);
		break;
	case STAT_JSON:
		print_json_row(p, row, ts);
		break;
	}
}

void stat_print_end(struct stat_printer *p, const struct stat_summary *s)
{
	if (p->format == STAT_JSON) {
		fputs("{\"type\": \"summary\", \"target\": ", p->f);
		json_str(p->f, s->what);
		fprintf(p->f, ", \"runs\": %d, \"elapsed-s\": ", s->runs);
		json_num(p->f, s->elapsed_s);
		if (s->runs > 1) {
			fputs(", \"elapsed-stddev-pct\": ", p->f);
			json_num(p->f, s->elapsed_stddev_pct);
		}
		if (s->have_rusage) {
			fputs(", \"user-s\": ", p->f);
			json_num(p->f, s->user_s);
			fputs(", \"sys-s\": ", p->f);
			json_num(p->f, s->sys_s);
		}
		if (s->exit_status >= 0)
			fprintf(p->f, ", \"exit-status\": %d", s->exit_status);
		fputs("}\n", p->f);
		return;
	}
	if (p->format != STAT_TEXT || p->interval)
		return;
	fprintf(p->f, "\n%18.9f seconds time elapsed", s->elapsed_s);
	if (s->runs > 1)
		fprintf(p->f, "  ( +- %5.2f%% )", s->elapsed_stddev_pct);
	fputc('\n', p->f);
	if (s->have_rusage)
		fprintf(p->f, "\n%18.9f seconds user\n%18.9f seconds sys\n", s->user_s, s->sys_s);
	fputc('\n', p->f);
}

void stat_table_init(struct stat_table *t, const struct counter_set *set, bool per_thread,
		     char **thread_names)
{
	memset(t, 0, sizeof(*t));
	t->set = set;
	t->per_thread = per_thread;
	t->ndisplay = set->nr;
	t->display = xcalloc(set->nr, sizeof(char *));
	if (!per_thread)
		return;
	t->nthreads = set->target->nr;
	t->thread_names = thread_names;
}

void stat_table_release(struct stat_table *t)
{
	for (size_t i = 0; i < t->ndisplay; i++)
		free(t->display[i]);
	free(t->display);
	for (size_t k = 0; k < t->nthreads; k++)
		free(t->thread_names[k]);
	free(t->thread_names);
	memset(t, 0, sizeof(*t));
}

static const char *display_name(struct stat_table *t, size_t i)
{
	const struct counter *c = &t->set->c[i];

	if (!t->display[i])
		t->display[i] = c->user_only ? xasprintf("%s:u", c->spec->name)
					     : xstrdup(c->spec->name);
	return t->display[i];
}

void stat_print_counts(struct stat_printer *p, struct stat_table *t, const struct count *counts,
		       double elapsed_ns, double ts, const struct stat_totals *tot)
{
	size_t nc = t->set->nr, ni = t->set->target->nr;
	size_t groups = t->per_thread ? ni : 1;
	bool cpu_wide = t->set->target->kind == TARGET_CPUS;
	struct metric_input *in = xcalloc(nc, sizeof(*in));
	struct stat_row *rows = xcalloc(nc, sizeof(*rows));

	for (size_t g = 0; g < groups; g++) {
		for (size_t i = 0; i < nc; i++) {
			const struct counter *c = &t->set->c[i];
			size_t from = t->per_thread ? g : 0, to = t->per_thread ? g + 1 : ni;
			double sum = 0, factor;
			uint64_t ena = 0, run = 0;
			struct runstats rs = { 0 };

			if (tot) {
				rs = tot->val[i];
				sum = rs.mean;
				ena = tot->ena[i] / (uint64_t)tot->runs;
				run = tot->run[i] / (uint64_t)tot->runs;
			}
			for (size_t k = from; k < to && !tot; k++) {
				const struct count *cnt = &counts[i * ni + k];

				sum += stat_scale(cnt->val, cnt->ena, cnt->run);
				ena += cnt->ena;
				run += cnt->run;
			}
			rows[i].event = display_name(t, i);
			rows[i].thread = t->per_thread ? t->thread_names[g] : NULL;
			rows[i].unit = stat_unit(c->attr.type, c->attr.config, &factor);
			rows[i].value = sum * factor;
			rows[i].ena = ena;
			rows[i].run = run;
			rows[i].stddev_pct = tot && tot->runs > 1 ? runstats_rel_pct(&rs) : -1;
			rows[i].reason = NULL;
			if (c->err && p->explain)
				rows[i].reason = p->explain(c->err, cpu_wide);
			if (c->err)
				rows[i].state = STAT_NOT_SUPPORTED;
			else if (run == 0)
				rows[i].state = STAT_NOT_COUNTED;
			else
				rows[i].state = STAT_COUNTED;
			in[i].type = c->attr.type;
			in[i].config = c->attr.config;
			in[i].user_only = c->attr.exclude_kernel;
			in[i].group = c->spec->group;
			in[i].counted = rows[i].state == STAT_COUNTED;
			in[i].multiplexed = run < ena;
			in[i].value = sum;
		}
		for (size_t i = 0; i < nc; i++) {
			metric_compute(in, nc, i, elapsed_ns, &rows[i].metric);
			stat_print_row(p, &rows[i], ts);
		}
	}
	free(rows);
	free(in);
}

void stat_print_unsupported(struct stat_printer *p, const struct counter_set *set,
			    const char *(*explain)(int err, bool cpu_wide))
{
	bool cpu_wide = set->target->kind == TARGET_CPUS;

	for (size_t i = 0; i < set->nr; i++) {
		int err = set->c[i].err;
		bool seen = false;

		if (!err)
			continue;
		for (size_t j = 0; j < i; j++)
			seen |= set->c[j].err == err;
		if (seen)
			continue;
		fputs(" <not supported>: ", p->f);
		for (size_t j = i, n = 0; j < set->nr; j++) {
			if (set->c[j].err == err)
				fprintf(p->f, "%s%s", n++ ? ", " : "", set->c[j].spec->name);
		}
		fprintf(p->f, ": %s\n", explain(err, cpu_wide));
	}
}

char *stat_describe_target(enum target_kind kind, pid_t pid, char *const *argv)
{
	size_t len = 1;
	char *str, *p;

	switch (kind) {
	case TARGET_PID:
		return xasprintf("process %d", (int)pid);
	case TARGET_TID:
		return xasprintf("thread %d", (int)pid);
	case TARGET_CPUS:
		return xstrdup("all CPUs");
	case TARGET_WORKLOAD:
		break;
	}
	for (char *const *a = argv; *a; a++)
		len += strlen(*a) + 1;
	str = p = xmalloc(len);
	*p = '\0';
	for (char *const *a = argv; *a; a++)
		p += sprintf(p, "%s%s", a == argv ? "" : " ", *a);
	return str;
}
