// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * pmuprof timeline --format heatmap: read the recording into a profile of
 * the view with its samples in time order, lay them out in buckets and
 * write the SVG (see timeline-heatmap.h).
 */
#include "cmd/timeline-heatmap.h"
#include "analyse/heatmap.h"
#include "cmd/common.h"
#include "cmd/recording.h"
#include "output/heatmap.h"
#include "resolve/symbolize.h"
#include "util/alloc.h"
#include "util/error.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* s as one word for a POSIX shell */
static void append_quoted(char **cmd, const char *s)
{
	bool plain = *s != '\0';
	char *prev = *cmd, *q;
	size_t n = 0;

	for (const char *c = s; *c; c++)
		if (!strchr(
			"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._/+-=:,@%",
			*c))
			plain = false;
	if (plain) {
		*cmd = xasprintf("%s %s", prev, s);
		free(prev);
		return;
	}
	q = xcalloc(strlen(s) * 4 + 3, 1);
	q[n++] = '\'';
	for (const char *c = s; *c; c++) {
		if (*c == '\'') {
			memcpy(q + n, "'\\''", 4);
			n += 4;
		} else {
			q[n++] = *c;
		}
	}
	q[n] = '\'';
	*cmd = xasprintf("%s %s", prev, q);
	free(q);
	free(prev);
}

/*
 * The report command that the selection's --time argument completes: the
 * same file, view and threads. A view is named when report's default would
 * differ (wall for an off-CPU recording) or is not cpu.
 */
static char *report_command(const struct timeline_heatmap_opts *o, const struct profile *p)
{
	char *cmd = xstrdup("pmuprof report");

	if (strcmp(o->input, "pmuprof.data")) {
		char *prev = cmd;

		cmd = xasprintf("%s -i", prev);
		free(prev);
		append_quoted(&cmd, o->input);
	}
	if (p->view != PROF_VIEW_CPU || p->times.off_cpu) {
		char *prev = cmd;

		cmd = xasprintf("%s --view %s", prev, profile_view_name(p->view));
		free(prev);
	}
	for (size_t i = 0; o->filter && i < o->filter->tids.n; i++) {
		char *prev = cmd;

		cmd = xasprintf("%s --tid %s", prev, o->filter->tids.v[i]);
		free(prev);
	}
	for (size_t i = 0; o->filter && i < o->filter->comms.n; i++) {
		char *prev = cmd;

		cmd = xasprintf("%s --comm", prev);
		free(prev);
		append_quoted(&cmd, o->filter->comms.v[i]);
	}
	return cmd;
}

int timeline_heatmap(const struct timeline_heatmap_opts *o)
{
	enum prof_view view = o->view == PROF_VIEW_AUTO ? PROF_VIEW_CPU : o->view;
	const char *inputs[] = {o->input};
	struct heatmap_svg_opts so = {0};
	struct symbolizer *sym = NULL;
	struct profile *p = NULL;
	struct heatmap h;
	struct session s;
	uint64_t origin, end, freq = 0, elapsed = 0;
	char *report;
	FILE *out;
	int ret;

	ret = cmd_output_check(o->output, inputs, 1);
	if (ret)
		return ret;
	ret = cmd_recording_profile(&s, o->input, o->filter, view, o->sym_flags | PROFILE_SAMPLES,
				    o->jobs, &p, &sym);
	if (ret)
		return ret;
	cmd_recording_warn_objects(&s);
	/* --time counts from the recording's start; without one, from CLOCK_MONOTONIC's 0 */
	origin = s.start_ns ? s.start_ns : p->time_start / 1000000000u * 1000000000u;
	data_reader_meta_u64(s.rd, "freq-hz", &freq);
	data_reader_stat_u64(s.rd, "elapsed-ns", &elapsed);
	end = s.start_ns && elapsed ? s.start_ns + elapsed : 0;
	if (s.start_ns && o->filter && o->filter->time_set && o->filter->time_from < 1e6) {
		/* the window's seconds only, still counted from the recording's start */
		origin += (uint64_t)o->filter->time_from * 1000000000u;
		if (o->filter->time_to >= 0 && o->filter->time_to < 1e6 &&
		    (!end || s.start_ns + (uint64_t)(o->filter->time_to * 1e9) < end))
			end = s.start_ns + (uint64_t)(o->filter->time_to * 1e9);
	}
	ret = heatmap_init(&h, p, origin, end, 0, freq);
	if (ret == -E2BIG) {
		error("cannot lay '%s' out in a heat map: it spans more than %u s (a column a "
		      "second); choose a part with --time",
		      o->input, HEATMAP_BUCKETS_MAX);
		ret = EXIT_FAIL;
		goto out;
	} else if (ret) {
		error("cannot lay '%s' out in a heat map: %s", o->input, strerror(-ret));
		ret = EXIT_FAIL;
		goto out;
	}
	report = report_command(o, p);
	so.start_ns = s.start_ns;
	so.report = report;
	so.off_cpu = p->times.off_cpu;
	out = cmd_output_open_from(o->output, inputs, 1);
	if (out)
		ret = cmd_output_close(out, o->output, heatmap_write_svg(out, p, &h, &so),
				       "the heatmap output");
	else
		ret = EXIT_FAIL;
	free(report);
	heatmap_release(&h);
out:
	profile_free(p);
	symbolizer_free(sym);
	session_close(&s);
	return ret;
}
