// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * FlameGraph's collapsed stacks: one line per distinct (comm, function path),
 *
 *	comm;outermost;...;leaf COUNT
 *
 * with COUNT the samples of every stack that collapses to that line: stacks of
 * other threads with the same comm, or through other addresses of the same
 * functions, are one line here, as flamegraph.pl would sum them anyway. Kernel
 * functions end in "_[k]" and inlined ones in "_[i]", FlameGraph's markers for
 * its colour palettes. Lines are sorted bytewise, so that two exports of one
 * recording compare equal with diff.
 *
 * The format has no escapes: ';' separates frames and the last space comes
 * before the count, so a ';' in a name becomes ':' and a control character
 * (a newline would end the line) becomes '?'. Spaces are kept: readers split
 * the count off at the last space.
 */
#include "output/export.h"
#include "util/alloc.h"
#include "util/hash.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct fold_line {
	char *text; /* without the count */
	uint64_t samples;
};

struct fold_buf {
	char *s;
	size_t len, alloc;
};

static void buf_put(struct fold_buf *b, const char *s, size_t n)
{
	xgrow(&b->s, &b->alloc, b->len + n + 1, 1);
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

/* A name with the characters that would break the line replaced. */
static void buf_put_name(struct fold_buf *b, const char *name)
{
	size_t start = b->len;

	buf_put(b, name, strlen(name));
	for (size_t i = start; i < b->len; i++) {
		unsigned char c = (unsigned char)b->s[i];

		if (c == ';')
			b->s[i] = ':';
		else if (c < 0x20 || c == 0x7f)
			b->s[i] = '?';
	}
}

static void fold_stack(struct fold_buf *b, const struct profile *p, const struct prof_stack *s)
{
	b->len = 0;
	buf_put_name(b, s->comm && *s->comm ? s->comm : "[unknown]");
	for (uint32_t i = s->depth; i-- > 0;) {
		const struct prof_loc *loc = &p->locs[p->frames[s->first + i]];
		const struct prof_func *f = &p->funcs[loc->func];

		buf_put(b, ";", 1);
		buf_put_name(b, f->name && *f->name ? f->name : "[unknown]");
		if (f->kernel)
			buf_put(b, "_[k]", 4);
		else if (loc->inlined)
			buf_put(b, "_[i]", 4);
	}
}

static int cmp_line(const void *a, const void *b)
{
	return strcmp(((const struct fold_line *)a)->text, ((const struct fold_line *)b)->text);
}

int export_folded(FILE *out, const struct profile *p)
{
	struct fold_line *lines = NULL;
	size_t nlines = 0, alloc = 0;
	struct fold_buf b = {0};
	struct hash h;

	errno = 0;
	hash_init(&h);
	for (size_t i = 0; i < p->nstacks; i++) {
		const struct prof_stack *s = &p->stacks[i];
		size_t idx;
		int added = 0;

		if (!s->samples)
			continue;
		fold_stack(&b, p, s);
		idx = hash_get(&h, b.s, b.len, nlines, &added);
		if (added) {
			xgrow(&lines, &alloc, nlines + 1, sizeof(*lines));
			lines[nlines].text = xstrndup(b.s, b.len);
			lines[nlines].samples = 0;
			nlines++;
		}
		lines[idx].samples += s->samples;
	}
	hash_release(&h);
	free(b.s);

	if (nlines)
		qsort(lines, nlines, sizeof(*lines), cmp_line);
	for (size_t i = 0; i < nlines; i++) {
		fprintf(out, "%s %llu\n", lines[i].text, (unsigned long long)lines[i].samples);
		free(lines[i].text);
	}
	free(lines);
	/* errno was cleared on entry: a failed write left its reason there */
	return ferror(out) ? (errno > 0 ? -errno : -EIO) : 0;
}
