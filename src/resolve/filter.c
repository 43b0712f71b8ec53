// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Which samples a reader wants (see filter.h).
 */
#include "resolve/filter.h"
#include "store/format.h"
#include "util/alloc.h"
#include "util/parse.h"

#include <errno.h>
#include <fnmatch.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void name_list_add(struct name_list *l, const char *arg)
{
	char *copy = xstrdup(arg), *tok, *save = NULL;
	size_t alloc = l->n;

	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		xgrow(&l->v, &alloc, l->n + 1, sizeof(*l->v));
		l->v[l->n++] = xstrdup(tok);
	}
	free(copy);
}

bool name_list_has(const struct name_list *l, const char *s)
{
	for (size_t i = 0; i < l->n; i++)
		if (!strcmp(l->v[i], s))
			return true;
	return false;
}

void name_list_release(struct name_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

/* Adds "--name arg" to the filters' text, for headers. */
static void add_text(struct sample_filter *f, const char *name, const char *arg)
{
	char *prev = f->text;

	f->text = xasprintf("%s%s--%s %s", prev ? prev : "", prev ? " " : "", name, arg);
	free(prev);
}

int sample_filter_comm(struct sample_filter *f, const char *arg)
{
	name_list_add(&f->comms, arg);
	add_text(f, "comm", arg);
	return f->comms.n ? 0 : -EINVAL;
}

int sample_filter_tid(struct sample_filter *f, const char *arg, const char **bad)
{
	size_t had = f->tids.n;

	name_list_add(&f->tids, arg);
	add_text(f, "tid", arg);
	*bad = NULL;
	for (size_t i = had; i < f->tids.n; i++) {
		unsigned long v;

		if (parse_ulong(f->tids.v[i], 0, UINT32_MAX, &v) < 0) {
			*bad = f->tids.v[i];
			return -EINVAL;
		}
	}
	return f->tids.n == had ? -EINVAL : 0;
}

int sample_filter_time(struct sample_filter *f, const char *arg)
{
	const char *comma = strchr(arg, ',');
	char *from;
	int bad = 0;

	add_text(f, "time", arg);
	if (!comma)
		return -EINVAL;
	from = xstrndup(arg, (size_t)(comma - arg));
	f->time_from = 0;
	f->time_to = -1;
	if (*from && (parse_double(from, &f->time_from) < 0 || f->time_from < 0))
		bad = 1;
	if (comma[1] && (parse_double(comma + 1, &f->time_to) < 0 || f->time_to < 0))
		bad = 1;
	free(from);
	if (bad || (f->time_to >= 0 && f->time_to < f->time_from))
		return -EDOM;
	f->time_set = true;
	return 0;
}

void sample_filter_dso(struct sample_filter *f, const char *arg)
{
	name_list_add(&f->dsos, arg);
	add_text(f, "dso", arg);
}

/*
 * Function names split at the commas outside brackets, so that a full
 * signature ("f(int, char)", "g<int, long>") stays one name.
 */
static void add_function_names(struct name_list *l, const char *arg)
{
	size_t alloc = l->n, depth = 0;
	const char *start = arg;

	for (const char *c = arg;; c++) {
		if (*c == '(' || *c == '<' || *c == '[' || *c == '{')
			depth++;
		else if ((*c == ')' || *c == '>' || *c == ']' || *c == '}') && depth)
			depth--;
		if (*c && (*c != ',' || depth))
			continue;
		if (c > start) {
			xgrow(&l->v, &alloc, l->n + 1, sizeof(*l->v));
			l->v[l->n++] = xstrndup(start, (size_t)(c - start));
		}
		if (!*c)
			break;
		start = c + 1;
	}
}

void sample_filter_symbol(struct sample_filter *f, const char *arg)
{
	add_function_names(&f->symbols, arg);
	add_text(f, "symbol", arg);
}

void sample_filter_leaf(struct sample_filter *f, const char *arg)
{
	add_function_names(&f->leaves, arg);
	add_text(f, "symbols", arg);
}

void sample_filter_release(struct sample_filter *f)
{
	name_list_release(&f->leaves);
	name_list_release(&f->comms);
	name_list_release(&f->tids);
	name_list_release(&f->dsos);
	name_list_release(&f->symbols);
	free(f->text);
	f->text = NULL;
}

bool sample_filter_thread(const struct sample_filter *f, uint64_t start_ns,
			  const struct rec_sample *r)
{
	if (f->tids.n) {
		char buf[16];

		snprintf(buf, sizeof(buf), "%" PRIu32, r->tid);
		if (!name_list_has(&f->tids, buf))
			return false;
	}
	if (f->time_set) {
		double t = r->time >= start_ns ? (double)(r->time - start_ns) / 1e9 : 0;

		if (t < f->time_from || (f->time_to >= 0 && t > f->time_to))
			return false;
	}
	return true;
}

bool sample_filter_comm_ok(const struct sample_filter *f, const char *comm)
{
	return !f->comms.n || name_list_has(&f->comms, comm);
}

bool sample_filter_by_function(const struct sample_filter *f)
{
	return f->dsos.n || f->symbols.n || f->leaves.n;
}

bool sample_filter_leaf_ok(const struct sample_filter *f, const char *func, const char *alt)
{
	for (size_t i = 0; i < f->leaves.n; i++)
		if (symbol_name_matches(f->leaves.v[i], func, alt))
			return true;
	return !f->leaves.n;
}

bool symbol_name_matches(const char *pattern, const char *name, const char *alt)
{
	return !strcmp(pattern, name) || fnmatch(pattern, name, 0) == 0 ||
	       (alt && (!strcmp(pattern, alt) || fnmatch(pattern, alt, 0) == 0));
}

bool sample_filter_function_ok(const struct sample_filter *f, const char *dso, const char *path,
			       const char *func, const char *alt)
{
	bool dso_ok = !f->dsos.n, sym_ok = !f->symbols.n;

	for (size_t i = 0; i < f->dsos.n && !dso_ok; i++)
		dso_ok = !strcmp(f->dsos.v[i], dso) || (path && !strcmp(f->dsos.v[i], path));
	for (size_t i = 0; i < f->symbols.n && !sym_ok; i++)
		sym_ok = symbol_name_matches(f->symbols.v[i], func, alt);
	return dso_ok && sym_ok;
}
