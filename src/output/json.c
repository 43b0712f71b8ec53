// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * pmuprof's own JSON: the profile's three tables as they are, for scripts.
 *
 *   {"format": "pmuprof-profile", "version": 1,
 *    "event": "cpu-clock", "weight_unit": "nanoseconds", "title": "./prog arg",
 *    "samples": 600, "weight": 600000000, "period": 1000000,
 *    "time_start": ns, "time_end": ns, "realtime_start": ns or 0,
 *    "functions": [{"name", "dso", "path", "file", "start": "0x1139", "kernel": false}],
 *    "locations": [{"function": 0, "address": "0x1150", "line": 12, "file", "inlined": false}],
 *    "stacks": [{"pid", "tid", "comm", "samples", "weight", "frames": [3, 1, 0]}]}
 *
 * A profile of a recording with off-CPU samples, or of a time view, also
 * has "view" ("cpu", "off-cpu", "wall": a time view's weights are
 * nanoseconds) after "weight_unit", and each stack a "kind" ("cpu",
 * "blocked", "runnable") after its "weight".
 *
 * "function" and "frames" are indexes into "functions" and "locations";
 * frames are leaf first, and an inlined location is inlined into the one
 * after it. Addresses are hex strings, exact where a JSON number would not be
 * (JavaScript's stop at 2^53); counts and times are integers written in full
 * (exact for Python and jq, rounded by JavaScript past 2^53 ns, 104 days).
 * Unknown strings are null, an unknown line is 0. "samples" and "weight" are
 * the sums over "stacks". Strings are UTF-8: bytes that are not become U+FFFD.
 */
#include "output/export.h"
#include "util/json.h"

#include <errno.h>
#include <inttypes.h>

static void json_key_string(FILE *f, const char *key, const char *value)
{
	fprintf(f, "\"%s\": ", key);
	json_write_string(f, value);
}

static const char *const kind_names[PROF_KIND_MAX] = { "cpu", "blocked", "runnable" };

int export_json(FILE *out, const struct profile *p)
{
	errno = 0;
	fputs("{\"format\": \"pmuprof-profile\", \"version\": 1,\n ", out);
	json_key_string(out, "event", p->event);
	fputs(", ", out);
	json_key_string(out, "weight_unit", p->weight_unit);
	if (profile_has_time(p)) {
		fputs(", ", out);
		json_key_string(out, "view", profile_view_name(p->view));
	}
	fputs(",\n ", out);
	json_key_string(out, "title", p->title);
	fprintf(out,
		",\n \"samples\": %" PRIu64 ", \"weight\": %" PRIu64 ", \"period\": %" PRIu64
		",\n \"time_start\": %" PRIu64 ", \"time_end\": %" PRIu64
		", \"realtime_start\": %" PRIu64 ",\n",
		p->samples, p->weight, p->period, p->time_start, p->time_end, p->realtime_start);

	fputs(" \"functions\": [", out);
	for (size_t i = 0; i < p->nfuncs; i++) {
		const struct prof_func *f = &p->funcs[i];

		fputs(i ? ",\n  {" : "\n  {", out);
		json_key_string(out, "name", f->name);
		fputs(", ", out);
		json_key_string(out, "dso", f->dso);
		fputs(", ", out);
		json_key_string(out, "path", f->path);
		fputs(", ", out);
		json_key_string(out, "file", f->file);
		fprintf(out, ", \"start\": \"0x%" PRIx64 "\", \"kernel\": %s}", f->start,
			f->kernel ? "true" : "false");
	}
	fputs("],\n \"locations\": [", out);
	for (size_t i = 0; i < p->nlocs; i++) {
		const struct prof_loc *l = &p->locs[i];

		fprintf(out,
			"%s{\"function\": %" PRIu32 ", \"address\": \"0x%" PRIx64
			"\", \"line\": %" PRIu32 ", ",
			i ? ",\n  " : "\n  ", l->func, l->addr, l->line);
		json_key_string(out, "file", l->file);
		fprintf(out, ", \"inlined\": %s}", l->inlined ? "true" : "false");
	}
	fputs("],\n \"stacks\": [", out);
	for (size_t i = 0; i < p->nstacks; i++) {
		const struct prof_stack *s = &p->stacks[i];

		fprintf(out, "%s{\"pid\": %" PRIu32 ", \"tid\": %" PRIu32 ", ",
			i ? ",\n  " : "\n  ", s->pid, s->tid);
		json_key_string(out, "comm", s->comm);
		fprintf(out, ", \"samples\": %" PRIu64 ", \"weight\": %" PRIu64, s->samples,
			s->weight);
		if (profile_has_time(p))
			fprintf(out, ", \"kind\": \"%s\"", kind_names[s->kind]);
		fputs(", \"frames\": [", out);
		for (uint32_t j = 0; j < s->depth; j++)
			fprintf(out, j ? ",%" PRIu32 : "%" PRIu32, p->frames[s->first + j]);
		fputs("]}", out);
	}
	fputs("]}\n", out);
	/* errno was cleared on entry: a failed write left its reason there */
	return ferror(out) ? (errno > 0 ? -errno : -EIO) : 0;
}
