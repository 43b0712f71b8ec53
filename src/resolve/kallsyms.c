// SPDX-License-Identifier: GPL-2.0-or-later
#include "resolve/kallsyms.h"
#include "util/alloc.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct ksym {
	uint64_t addr;
	char *name;
};

struct kallsyms {
	struct ksym *v;
	size_t nr, alloc;
};

static int cmp_ksym(const void *a, const void *b)
{
	const struct ksym *x = a, *y = b;

	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

int kallsyms_load(struct kallsyms **out)
{
	struct kallsyms *k;
	char line[512];
	FILE *f = fopen("/proc/kallsyms", "r");

	if (!f)
		return -errno;
	k = xcalloc(1, sizeof(*k));
	while (fgets(line, sizeof(line), f)) {
		uint64_t addr;
		char type, name[256];

		if (sscanf(line, "%" SCNx64 " %c %255s", &addr, &type, name) != 3 || !addr)
			continue;
		/* text symbols only: samples are instruction addresses */
		if (type != 't' && type != 'T' && type != 'w' && type != 'W')
			continue;
		xgrow(&k->v, &k->alloc, k->nr + 1, sizeof(*k->v));
		k->v[k->nr].addr = addr;
		k->v[k->nr].name = xstrdup(name);
		k->nr++;
	}
	fclose(f);
	if (!k->nr) {
		kallsyms_free(k);
		return -EACCES;
	}
	qsort(k->v, k->nr, sizeof(*k->v), cmp_ksym);
	*out = k;
	return 0;
}

void kallsyms_free(struct kallsyms *k)
{
	if (!k)
		return;
	for (size_t i = 0; i < k->nr; i++)
		free(k->v[i].name);
	free(k->v);
	free(k);
}

const char *kallsyms_find(const struct kallsyms *k, uint64_t addr)
{
	return kallsyms_find_start(k, addr, NULL);
}

const char *kallsyms_find_start(const struct kallsyms *k, uint64_t addr, uint64_t *start)
{
	size_t lo = 0, hi = k->nr;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (k->v[mid].addr <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	/* past the last symbol is module or unknown space: no name */
	if (!lo || lo == k->nr)
		return NULL;
	if (start)
		*start = k->v[lo - 1].addr;
	return k->v[lo - 1].name;
}
