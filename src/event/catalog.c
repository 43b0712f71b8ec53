// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The catalogue of events (see catalog.h).
 */
#include "event/catalog.h"
#include "event/event.h"
#include "util/alloc.h"

#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#define REASON_NAMES 4 /* events named per reason */

static char *dup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

static int collect(const struct event_info *info, void *arg)
{
	struct event_catalog *c = arg;
	struct event_entry *e;

	xgrow(&c->e, &c->alloc, c->nr + 1, sizeof(*c->e));
	e = &c->e[c->nr++];
	memset(e, 0, sizeof(*e));
	e->pmu = xstrdup(info->pmu);
	e->pmu_desc = xstrdup(info->pmu_desc);
	e->name = xstrdup(info->name);
	e->desc = dup_or_null(info->desc);
	e->equiv = dup_or_null(info->equiv);
	e->umasks = dup_or_null(info->umasks);
	e->generic = info->generic;
	return 0;
}

const char *event_bare_name(const char *name)
{
	const char *p = strstr(name, "::");

	return p ? p + 2 : name;
}

static bool is_alias_of(const struct event_entry *a, const struct event_entry *canon)
{
	return a->equiv && !strcmp(a->pmu, canon->pmu) &&
	       !strcasecmp(a->equiv, event_bare_name(canon->name));
}

/*
 * libpfm4 lists perf's spellings ("cycles", "cpu-cycles") as events of their
 * own that are equivalent to a canonical one; fold them onto its line,
 * perf's spelling first.
 */
static void fold_aliases(struct event_catalog *c)
{
	for (size_t i = 0; i < c->nr; i++) {
		struct event_entry *canon = &c->e[i];
		size_t len = strlen(canon->name) + 1;
		char *p;

		if (canon->equiv)
			continue;
		for (size_t j = 0; j < c->nr; j++) {
			if (is_alias_of(&c->e[j], canon)) {
				c->e[j].alias = true;
				len += strlen(c->e[j].name) + 2;
			}
		}
		canon->names = p = xmalloc(len);
		*p = '\0';
		for (size_t j = 0; j < c->nr; j++)
			if (c->e[j].alias && is_alias_of(&c->e[j], canon))
				p += sprintf(p, "%s, ", c->e[j].name);
		strcpy(p, canon->name);
	}
	for (size_t i = 0; i < c->nr; i++)
		if (!c->e[i].names)
			c->e[i].names = xstrdup(c->e[i].name);
}

int event_catalog_init(struct event_catalog *c)
{
	int ret;

	memset(c, 0, sizeof(*c));
	ret = event_foreach(collect, c);
	fold_aliases(c);
	return ret < 0 ? ret : 0;
}

void event_catalog_release(struct event_catalog *c)
{
	for (size_t i = 0; i < c->nr; i++) {
		struct event_entry *e = &c->e[i];

		free(e->pmu);
		free(e->pmu_desc);
		free(e->name);
		free(e->desc);
		free(e->equiv);
		free(e->umasks);
		free(e->names);
	}
	free(c->e);
	for (size_t i = 0; i < c->nreasons; i++)
		free(c->reasons[i].names);
	memset(c, 0, sizeof(*c));
}

static bool matches(const char *pattern, bool glob, const struct event_entry *e)
{
	char *names, *tok, *save = NULL;
	bool hit = false;

	if (!pattern)
		return true;
	if (!glob)
		return strcasestr(e->names, pattern) || (e->desc && strcasestr(e->desc, pattern));
	names = xstrdup(e->names);
	for (tok = strtok_r(names, ", ", &save); tok && !hit; tok = strtok_r(NULL, ", ", &save))
		hit = !fnmatch(pattern, tok, FNM_CASEFOLD) ||
		      !fnmatch(pattern, event_bare_name(tok), FNM_CASEFOLD);
	free(names);
	return hit;
}

size_t event_catalog_select(struct event_catalog *c, const char *pattern)
{
	bool glob = pattern && strpbrk(pattern, "*?[");
	size_t n = 0;

	for (size_t i = 0; i < c->nr; i++) {
		c->e[i].selected = !c->e[i].alias && matches(pattern, glob, &c->e[i]);
		n += c->e[i].selected;
	}
	return n;
}

/* Counts an event that could not be opened under its reason; names the first few. */
static void add_reason(struct event_catalog *c, int err, const char *name, size_t len)
{
	struct event_reason *r;
	size_t i;

	for (i = 0; i < c->nreasons && c->reasons[i].err != err; i++)
		;
	if (i == c->nreasons) {
		if (c->nreasons == EVENT_CATALOG_REASONS)
			return;
		c->reasons[i] = (struct event_reason){ .err = err, .names = xstrdup("") };
		c->nreasons++;
	}
	r = &c->reasons[i];
	if (r->count < REASON_NAMES) {
		char *s = xasprintf("%s%s%.*s", r->names, r->count ? ", " : "", (int)len, name);

		free(r->names);
		r->names = s;
	}
	r->count++;
}

static void probe_one(struct event_catalog *c, struct event_entry *e,
		      int (*probe)(const struct perf_event_attr *attr, bool *user_only))
{
	struct perf_event_attr attr;
	const char *detail;
	char *fstr = NULL;
	bool user = false;
	int ret;

	memset(&attr, 0, sizeof(attr));
	ret = event_encode(e->name, &attr, &fstr, &detail);
	free(fstr);
	if (ret < 0) {
		e->status = EVENT_STATUS_UMASK;
		return;
	}
	ret = probe(&attr, &user);
	if (ret != 0) {
		e->status = EVENT_STATUS_NO;
		/* named by the event's first name: perf's spelling */
		if (ret < 0)
			add_reason(c, ret, e->names, strcspn(e->names, ","));
		return;
	}
	e->status = user ? EVENT_STATUS_USER : EVENT_STATUS_YES;
	c->openable++;
	c->user_only += user;
}

void event_catalog_probe(struct event_catalog *c,
			 int (*probe)(const struct perf_event_attr *attr, bool *user_only))
{
	for (size_t i = 0; i < c->nr; i++)
		if (c->e[i].selected)
			probe_one(c, &c->e[i], probe);
}

bool event_have_core_pmu(void)
{
	static const char *const names[] = { "cpu", "cpu_core", "cpu_atom", "armv8_pmuv3" };

	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		char path[128];

		snprintf(path, sizeof(path), "/sys/bus/event_source/devices/%s", names[i]);
		if (!access(path, F_OK))
			return true;
	}
	return false;
}
