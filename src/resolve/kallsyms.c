// SPDX-License-Identifier: GPL-2.0-or-later
#include "resolve/kallsyms.h"
#include "util/alloc.h"
#include "util/error.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* how many enclosing ranges a lookup looks through at the most */
#define KSYM_MAX_NESTING 64

struct ksym {
	uint64_t addr;
	uint64_t end;	  /* 0: up to the next symbol */
	const char *name; /* in text, or an owned copy */
};

struct kallsyms {
	struct ksym *v;
	size_t nr, alloc;
	char *text;	   /* the file, read whole; names are cut out of it in place */
	bool own_names;	   /* built by kallsyms_add(): names are copies */
	uint64_t *max_end; /* by kallsyms_finish(): the largest end of v[0..i] */
};

static int cmp_ksym(const void *a, const void *b)
{
	const struct ksym *x = a, *y = b;

	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

/* The whole file: /proc files have no size, so read until the end. */
/* The whole file; -ECANCELED when *stop became true between reads. */
static int read_all(const char *path, char **out, size_t *len, const atomic_bool *stop)
{
	size_t n = 0, alloc = 1 << 23;
	char *buf;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	buf = xmalloc(alloc);
	for (;;) {
		ssize_t got;

		if (alloc - n < (1 << 20)) {
			/* not xgrow: zeroing megabytes about to be overwritten costs page faults */
			char *bigger = realloc(buf, alloc * 2);

			if (!bigger)
				die("out of memory reading %s", path);
			buf = bigger;
			alloc *= 2;
		}
		if (stop && atomic_load(stop)) {
			close(fd);
			free(buf);
			return -ECANCELED;
		}
		got = read(fd, buf + n, alloc - n - 1);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			break;
		n += (size_t)got;
	}
	close(fd);
	buf[n] = '\0';
	*out = buf;
	*len = n;
	return 0;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c |= 0x20;
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/*
 * Lines are "ADDRESS TYPE NAME[\t[MODULE]]". Parsed by hand in one pass:
 * with some 200,000 lines, sscanf and a copy per name cost more than the
 * kernel takes to print them.
 */
int kallsyms_new_from_proc(struct kallsyms **out, const atomic_bool *stop)
{
	struct kallsyms *k;
	char *p, *end;
	size_t len = 0;
	bool sorted = true;
	int ret;

	k = xcalloc(1, sizeof(*k));
	ret = read_all("/proc/kallsyms", &k->text, &len, stop);
	if (ret < 0) {
		free(k);
		return ret;
	}
	k->alloc = len / 40 + 16; /* lines are longer than 40 bytes */
	k->v = xmalloc(k->alloc * sizeof(*k->v));
	for (p = k->text, end = k->text + len; p < end;) {
		uint64_t addr = 0;
		char *name;
		int d, digits = 0;
		char type;

		while ((d = hexval(*p)) >= 0) {
			addr = addr << 4 | (uint64_t)d;
			p++;
			digits++;
		}
		/* text symbols only: samples are instruction addresses */
		if (digits && addr && p + 3 <= end && p[0] == ' ' && p[2] == ' ') {
			type = p[1];
			name = p + 3;
			p = name;
			while (p < end && *p != '\n' && *p != '\t' && *p != ' ')
				p++;
			if (type == 't' || type == 'T' || type == 'w' || type == 'W') {
				if (k->nr == k->alloc) {
					k->alloc *= 2;
					k->v = realloc(k->v, k->alloc * sizeof(*k->v));
					if (!k->v)
						die("out of memory reading /proc/kallsyms");
				}
				if (k->nr && k->v[k->nr - 1].addr > addr)
					sorted = false;
				k->v[k->nr].addr = addr;
				k->v[k->nr].end = 0;
				k->v[k->nr].name = name;
				k->nr++;
			}
			if (p < end && *p != '\n') {
				*p++ = '\0';
				while (p < end && *p != '\n')
					p++;
			} else {
				*p = '\0';
			}
		} else {
			while (p < end && *p != '\n')
				p++;
		}
		p++;
	}
	if (!k->nr) {
		kallsyms_free(k);
		return -EACCES;
	}
	if (!sorted)
		qsort(k->v, k->nr, sizeof(*k->v), cmp_ksym);
	*out = k;
	return 0;
}

void kallsyms_free(struct kallsyms *k)
{
	if (!k)
		return;
	if (k->own_names)
		for (size_t i = 0; i < k->nr; i++)
			free((char *)k->v[i].name);
	free(k->text);
	free(k->v);
	free(k->max_end);
	free(k);
}

const char *kallsyms_find_start(const struct kallsyms *k, uint64_t addr, uint64_t *start)
{
	return kallsyms_find_range(k, addr, start, NULL);
}

const char *kallsyms_find_range(const struct kallsyms *k, uint64_t addr, uint64_t *start,
				uint64_t *end)
{
	size_t lo = 0, hi = k->nr, i;
	const struct ksym *s;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (k->v[mid].addr <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo)
		return NULL;
	i = lo - 1;
	if (k->v[i].end) {
		/*
		 * A range that ends below addr may lie inside an earlier one that
		 * holds it. Real nesting is shallow: the walk back is bounded, so
		 * a hostile file's one huge range cannot make every lookup cost
		 * the whole table.
		 */
		for (unsigned steps = 0; addr >= k->v[i].end; steps++) {
			if (!k->max_end || k->max_end[i] <= addr || steps == KSYM_MAX_NESTING)
				return NULL;
			i--;
		}
	} else if (lo == k->nr) {
		/* past the last symbol is module or unknown space: no name */
		return NULL;
	}
	s = &k->v[i];
	if (start)
		*start = s->addr;
	if (end)
		*end = s->end ? s->end : k->v[lo].addr;
	return s->name;
}

struct kallsyms *kallsyms_new(void)
{
	struct kallsyms *k = xcalloc(1, sizeof(*k));

	k->own_names = true;
	return k;
}

void kallsyms_add(struct kallsyms *k, uint64_t start, uint64_t end, const char *name)
{
	xgrow(&k->v, &k->alloc, k->nr + 1, sizeof(*k->v));
	k->v[k->nr].addr = start;
	k->v[k->nr].end = end;
	k->v[k->nr].name = xstrdup(name);
	k->nr++;
}

void kallsyms_finish(struct kallsyms *k)
{
	if (k->nr > 1)
		qsort(k->v, k->nr, sizeof(*k->v), cmp_ksym);
	free(k->max_end);
	k->max_end = xmalloc((k->nr ? k->nr : 1) * sizeof(*k->max_end));
	for (size_t i = 0; i < k->nr; i++) {
		k->max_end[i] = k->v[i].end;
		if (i && k->max_end[i - 1] > k->max_end[i])
			k->max_end[i] = k->max_end[i - 1];
	}
}
