// SPDX-License-Identifier: GPL-2.0-or-later
#include "resolve/maps.h"
#include "resolve/cfi.h"
#include "resolve/elf.h"
#include "util/alloc.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct exec_event {
	uint32_t pid;
	uint64_t time;
};

struct fork_event {
	uint32_t pid, ppid;
	uint64_t time;
};

struct pid_maps {
	uint32_t pid;
	struct map *v; /* sorted by start, then time */
	size_t nr, alloc;
	uint64_t max_len; /* of any mapping: bounds the search below an address */
};

struct maps {
	struct dso **dsos;
	size_t ndsos, adsos;
	struct pid_maps *pids; /* sorted by pid after maps_finish */
	size_t npids, apids;
	struct exec_event *execs;
	size_t nexecs, aexecs;
	struct fork_event *forks;
	size_t nforks, aforks;
};

struct maps *maps_new(void)
{
	return xcalloc(1, sizeof(struct maps));
}

void maps_free(struct maps *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->ndsos; i++) {
		elf_object_free(m->dsos[i]->obj);
		cfi_close(m->dsos[i]->cfi);
		free(m->dsos[i]->path);
		free(m->dsos[i]);
	}
	for (size_t i = 0; i < m->npids; i++)
		free(m->pids[i].v);
	free(m->dsos);
	free(m->pids);
	free(m->execs);
	free(m->forks);
	free(m);
}

static struct dso *get_dso(struct maps *m, const char *path, const uint8_t *bid, uint8_t blen)
{
	struct dso *d;
	const char *slash;

	/* few objects per recording: a linear search is fine here, lookups never come here */
	for (size_t i = 0; i < m->ndsos; i++) {
		d = m->dsos[i];
		if (!strcmp(d->path, path) && (!blen || !d->build_id_len ||
					       (d->build_id_len == blen &&
						!memcmp(d->build_id, bid, blen)))) {
			if (!d->build_id_len && blen) {
				memcpy(d->build_id, bid, blen);
				d->build_id_len = blen;
			}
			return d;
		}
	}
	d = xcalloc(1, sizeof(*d));
	d->path = xstrdup(path);
	slash = strrchr(d->path, '/');
	if (!strncmp(d->path, "//anon", 6))
		d->name = "[anon]"; /* executable memory with no file, such as JIT code */
	else
		d->name = slash && slash[1] ? slash + 1 : d->path;
	if (blen <= BUILD_ID_MAX) {
		memcpy(d->build_id, bid, blen);
		d->build_id_len = blen;
	}
	xgrow(&m->dsos, &m->adsos, m->ndsos + 1, sizeof(*m->dsos));
	d->id = (uint32_t)m->ndsos;
	m->dsos[m->ndsos++] = d;
	return d;
}

static struct pid_maps *get_pid(struct maps *m, uint32_t pid)
{
	for (size_t i = 0; i < m->npids; i++)
		if (m->pids[i].pid == pid)
			return &m->pids[i];
	xgrow(&m->pids, &m->apids, m->npids + 1, sizeof(*m->pids));
	memset(&m->pids[m->npids], 0, sizeof(m->pids[0]));
	m->pids[m->npids].pid = pid;
	return &m->pids[m->npids++];
}

void maps_add_mmap(struct maps *m, const struct rec_mmap *r, const char *filename)
{
	struct pid_maps *pm;
	struct map *mp;

	if (!r->len || r->start + r->len < r->start)
		return;
	pm = get_pid(m, r->pid);
	xgrow(&pm->v, &pm->alloc, pm->nr + 1, sizeof(*pm->v));
	mp = &pm->v[pm->nr++];
	mp->start = r->start;
	mp->end = r->start + r->len;
	mp->pgoff = r->pgoff;
	mp->time = r->time;
	mp->dso = get_dso(m, filename, r->build_id, r->build_id_len);
	if (r->len > pm->max_len)
		pm->max_len = r->len;
}

void maps_add_exec(struct maps *m, uint32_t pid, uint64_t time)
{
	xgrow(&m->execs, &m->aexecs, m->nexecs + 1, sizeof(*m->execs));
	m->execs[m->nexecs].pid = pid;
	m->execs[m->nexecs++].time = time;
}

void maps_add_fork(struct maps *m, uint32_t pid, uint32_t ppid, uint64_t time)
{
	if (pid == ppid)
		return; /* a new thread shares the address space it came from */
	xgrow(&m->forks, &m->aforks, m->nforks + 1, sizeof(*m->forks));
	m->forks[m->nforks].pid = pid;
	m->forks[m->nforks].ppid = ppid;
	m->forks[m->nforks++].time = time;
}

void maps_add_image(struct maps *m, const char *name, const uint8_t *build_id,
		    uint8_t build_id_len, const uint8_t *image, size_t size)
{
	struct dso *d = get_dso(m, name, build_id, build_id_len);

	d->image = image;
	d->image_size = size;
}

static int cmp_map(const void *a, const void *b)
{
	const struct map *x = a, *y = b;

	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return x->time < y->time ? -1 : x->time > y->time;
}

static int cmp_pid(const void *a, const void *b)
{
	const struct pid_maps *x = a, *y = b;

	return x->pid < y->pid ? -1 : x->pid > y->pid;
}

void maps_finish(struct maps *m)
{
	for (size_t i = 0; i < m->npids; i++)
		if (m->pids[i].nr > 1)
			qsort(m->pids[i].v, m->pids[i].nr, sizeof(struct map), cmp_map);
	if (m->npids > 1)
		qsort(m->pids, m->npids, sizeof(*m->pids), cmp_pid);
}

static const struct pid_maps *find_pid(const struct maps *m, uint32_t pid)
{
	size_t lo = 0, hi = m->npids;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (m->pids[mid].pid < pid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < m->npids && m->pids[lo].pid == pid ? &m->pids[lo] : NULL;
}

/* The latest exec of pid at or before time: mappings older than it are gone. */
static uint64_t exec_before(const struct maps *m, uint32_t pid, uint64_t time)
{
	uint64_t best = 0;

	for (size_t i = 0; i < m->nexecs; i++)
		if (m->execs[i].pid == pid && m->execs[i].time <= time && m->execs[i].time > best)
			best = m->execs[i].time;
	return best;
}

const struct map *maps_find(const struct maps *m, uint32_t pid, uint64_t addr, uint64_t time)
{
	for (int depth = 0; depth < 16; depth++) {
		const struct pid_maps *pm = find_pid(m, pid);
		const struct map *best = NULL;
		uint64_t since = exec_before(m, pid, time);
		uint32_t parent = 0;

		if (pm) {
			/* the last mapping starting at or below addr, then walk back over overlaps */
			size_t lo = 0, hi = pm->nr;

			while (lo < hi) {
				size_t mid = (lo + hi) / 2;

				if (pm->v[mid].start <= addr)
					lo = mid + 1;
				else
					hi = mid;
			}
			for (size_t i = lo; i-- > 0;) {
				const struct map *mp = &pm->v[i];

				if (addr - mp->start >= pm->max_len)
					break;
				if (addr >= mp->end || mp->time > time || mp->time < since)
					continue;
				if (!best || mp->time > best->time)
					best = mp;
			}
		}
		if (best || since)
			return best;
		/* not mapped here since the fork: look in the parent at fork time */
		for (size_t i = 0; i < m->nforks; i++)
			if (m->forks[i].pid == pid && m->forks[i].time <= time)
				parent = m->forks[i].ppid, time = m->forks[i].time;
		if (!parent)
			return NULL;
		pid = parent;
	}
	return NULL;
}

struct elf_object *dso_object(struct dso *d)
{
	int ret;

	if (d->opened)
		return d->obj;
	d->opened = true;
	if (d->image) {
		ret = elf_object_new_mem(d->path, d->image, d->image_size, &d->obj);
	} else if (d->path[0] != '/' || !strncmp(d->path, "//anon", 6)) {
		ret = -ENOENT; /* [heap], [stack], //anon JIT code: no file */
	} else {
		ret = elf_object_new(d->path, &d->obj);
		if (ret == 0 && d->build_id_len) {
			uint8_t bid[BUILD_ID_MAX];
			size_t n = elf_object_build_id(d->obj, bid, sizeof(bid));

			d->changed = n != d->build_id_len || memcmp(bid, d->build_id, n);
		}
	}
	d->open_err = ret;
	if (ret < 0)
		d->obj = NULL;
	return d->obj;
}

struct cfi *dso_cfi(struct dso *d)
{
	int ret;

	if (d->cfi_opened)
		return d->cfi;
	d->cfi_opened = true;
	if (!dso_object(d))
		ret = d->open_err;
	else if (d->changed)
		ret = -ESTALE;
	else if (d->image)
		ret = cfi_open(d->path, d->image, d->image_size, NULL, &d->cfi);
	else
		ret = cfi_open(d->path, NULL, 0, NULL, &d->cfi);
	d->cfi_err = ret;
	if (ret < 0)
		d->cfi = NULL;
	return d->cfi;
}

size_t maps_ndsos(const struct maps *m)
{
	return m->ndsos;
}

struct dso *maps_dso(const struct maps *m, size_t i)
{
	return m->dsos[i];
}
