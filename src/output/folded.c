// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * FlameGraph's collapsed stacks: one line per distinct (comm, function path),
 *
 *	comm;outermost;...;leaf COUNT
 *
 * with COUNT the samples (in time views, the microseconds, rounded) of every
 * stack that collapses to that line: stacks of
 * other threads with the same comm, or through other addresses of the same
 * functions, are one line here, as flamegraph.pl would sum them anyway. Kernel
 * functions end in "_[k]" and inlined ones in "_[i]", FlameGraph's markers for
 * its colour palettes. Lines are sorted bytewise, so that two exports of one
 * recording compare equal with diff.
 *
 * The format has no escapes: ';' separates frames and the last space comes
 * before the count, so a ';' in a name becomes ':' and a control character
 * (a newline would end the line) becomes '?': profile_fold_stack replaces
 * C0 controls and DEL, the writer C1 controls too (util/escape.h). Spaces
 * are kept: readers split the count off at the last space.
 */
#include "output/export.h"
#include "util/alloc.h"
#include "util/escape.h"
#include "util/hash.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct fold_line {
	char *text; /* without the count */
	uint64_t samples;
	uint64_t weight;
};

static int cmp_line(const void *a, const void *b)
{
	return strcmp(((const struct fold_line *)a)->text, ((const struct fold_line *)b)->text);
}

int export_folded(FILE *out, const struct profile *p)
{
	struct fold_line *lines = NULL;
	size_t nlines = 0, alloc = 0;
	char *text = NULL;
	size_t alloc_text = 0, len;
	struct hash h;
	bool time = profile_view_time(p->view);

	errno = 0;
	hash_init(&h);
	for (size_t i = 0; i < p->nstacks; i++) {
		const struct prof_stack *s = &p->stacks[i];
		size_t idx;
		int added = 0;

		if (!s->samples)
			continue;
		len = profile_fold_stack(p, s, NULL, &text, &alloc_text);
		idx = hash_get(&h, text, len, nlines, &added);
		if (added) {
			xgrow(&lines, &alloc, nlines + 1, sizeof(*lines));
			lines[nlines].text = xstrndup(text, len);
			lines[nlines].samples = lines[nlines].weight = 0;
			nlines++;
		}
		lines[idx].samples += s->samples;
		lines[idx].weight += s->weight;
	}
	hash_release(&h);
	free(text);

	if (nlines)
		qsort(lines, nlines, sizeof(*lines), cmp_line);
	for (size_t i = 0; i < nlines; i++) {
		/* time views count microseconds, rounded: flamegraph.pl takes integers */
		uint64_t count = time ? (lines[i].weight + 500) / 1000 : lines[i].samples;

		escape_write_replaced(out, lines[i].text, '?');
		fprintf(out, " %llu\n", (unsigned long long)count);
		free(lines[i].text);
	}
	free(lines);
	/* errno was cleared on entry: a failed write left its reason there */
	return ferror(out) ? (errno > 0 ? -errno : -EIO) : 0;
}
