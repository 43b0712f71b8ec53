// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * list's text (see list.h).
 */
#include "output/list.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

static const char *const status_names[] = {
	[EVENT_STATUS_UNPROBED] = "", [EVENT_STATUS_UMASK] = "umask", [EVENT_STATUS_YES] = "yes",
	[EVENT_STATUS_USER] = "user", [EVENT_STATUS_NO] = "no",
};

static void print_entry(FILE *out, const struct event_entry *e)
{
	fprintf(out, "  %-5s %s", status_names[e->status], e->names);
	if (e->equiv)
		fprintf(out, "  [= %s]", e->equiv);
	else if (e->desc && strcasecmp(e->desc, event_bare_name(e->name)))
		fprintf(out, "  [%s]", e->desc);
	fputc('\n', out);
	if (e->umasks)
		fprintf(out, "  %-5s   unit masks: %s\n", "", e->umasks);
}

static void print_footnotes(FILE *out, const struct event_catalog *c,
			    const struct list_text_opts *o, size_t shown)
{
	fprintf(out, "\n# %zu events shown", shown);
	if (o->probed)
		fprintf(out, ", %zu can be counted here%s", c->openable,
			c->user_only ? " (some in user space only)" : "");
	fputc('\n', out);
	for (size_t i = 0; i < c->nreasons; i++) {
		const struct event_reason *r = &c->reasons[i];

		fprintf(out, "# no (%zu event%s, such as %s): %s\n", r->count,
			r->count == 1 ? "" : "s", r->names, o->why_not(r->err));
	}
	if (!o->core_pmu)
		fprintf(out,
			"# no hardware PMU is visible (/sys/bus/event_source/devices has no "
			"cpu): hardware events such as cycles and instructions cannot be "
			"counted here; software events such as cpu-clock and task-clock can\n");
}

void list_print(FILE *out, const struct event_catalog *c, const struct list_text_opts *o)
{
	const char *pmu = NULL;
	size_t shown = 0;

	if (o->probed)
		fprintf(out,
			"# events libpfm4 knows for the PMUs it detected; first column: can "
			"the event be counted here? yes; user: in user space only; no: see the "
			"notes at the end; umask: add a unit mask\n");
	else
		fprintf(out, "# events libpfm4 knows for the PMUs it detected\n");
	for (size_t i = 0; i < c->nr; i++) {
		const struct event_entry *e = &c->e[i];

		if (!e->selected)
			continue;
		if (o->available_only && e->status != EVENT_STATUS_YES &&
		    e->status != EVENT_STATUS_USER)
			continue;
		if (!pmu || strcmp(pmu, e->pmu)) {
			fprintf(out, "\n%s (%s::)\n", e->pmu_desc, e->pmu);
			pmu = e->pmu;
		}
		shown++;
		print_entry(out, e);
	}
	print_footnotes(out, c, o, shown);
}
