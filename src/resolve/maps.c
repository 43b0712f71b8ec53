// SPDX-License-Identifier: GPL-2.0-or-later
#include "resolve/maps.h"
#include "resolve/cfi.h"
#include "resolve/elf.h"
#include "resolve/jit.h"
#include "util/alloc.h"
#include "util/hash.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

/* A process's creation, kept under the child's pid. */
struct fork_event {
	uint32_t ppid;
	uint64_t time;
};

/*
 * Everything maps_find() asks about one pid, found through m->pid_index:
 * looking pids, objects and fork links up by scanning made report
 * quadratic in the processes of a recording (`record -a` of a build has
 * thousands of short ones).
 */
struct pid_maps {
	uint32_t pid;
	struct map *v; /* sorted by start, then time */
	size_t nr, alloc;
	uint64_t max_len;     /* of any mapping: bounds the search below an address */
	uint64_t *execs;      /* times, sorted after maps_finish */
	size_t nexecs, aexecs;
	struct fork_event *forks; /* this pid's creations, in file order (pids are reused) */
	size_t nforks, aforks;
	struct dso *jit; /* names of its JIT code, or NULL */
};

struct maps {
	struct dso **dsos;
	size_t ndsos, adsos;
	struct hash dso_by_path; /* path -> id of the first object with that path */
	struct hash dso_by_bid;	 /* path, NUL, build-id -> id of the object with both */
	struct pid_maps *pids;	 /* in order of first mention */
	size_t npids, apids;
	struct hash pid_index; /* pid (4 bytes) -> index in pids */
};

struct maps *maps_new(void)
{
	struct maps *m = xcalloc(1, sizeof(struct maps));

	hash_init(&m->dso_by_path);
	hash_init(&m->dso_by_bid);
	hash_init(&m->pid_index);
	return m;
}

void maps_free(struct maps *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->ndsos; i++) {
		elf_object_free(m->dsos[i]->obj);
		cfi_close(m->dsos[i]->cfi);
		jit_syms_free(m->dsos[i]->jit);
		if (m->dsos[i]->file != m->dsos[i]->path)
			free((char *)m->dsos[i]->file);
		free(m->dsos[i]->path);
		free(m->dsos[i]);
	}
	for (size_t i = 0; i < m->npids; i++) {
		free(m->pids[i].v);
		free(m->pids[i].execs);
		free(m->pids[i].forks);
	}
	free(m->dsos);
	free(m->pids);
	hash_release(&m->dso_by_path);
	hash_release(&m->dso_by_bid);
	hash_release(&m->pid_index);
	free(m);
}

/* The key of dso_by_bid: the path and the build-id, which a NUL keeps apart. */
static char *bid_key(const char *path, size_t plen, const uint8_t *bid, uint8_t blen,
		     size_t *len)
{
	char *key = xmalloc(plen + 1 + blen);

	memcpy(key, path, plen + 1);
	memcpy(key + plen + 1, bid, blen);
	*len = plen + 1 + blen;
	return key;
}

static void index_bid(struct maps *m, const struct dso *d)
{
	size_t plen = strlen(d->path), len;
	char *key = bid_key(d->path, plen, d->build_id, d->build_id_len, &len);
	int added;

	hash_get(&m->dso_by_bid, key, len, d->id, &added);
	free(key);
}

/*
 * The object for a path and build-id: the first one with that path whose
 * build-id is equal or unknown on either side. An object without a build-id
 * is only made when none has its path, so it is the first with its path,
 * and it takes the first build-id asked for; after it, only an object with
 * the same build-id matches, and there is at most one.
 */
#define DELETED " (deleted)"

static bool has_suffix(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);

	return n >= k && !memcmp(s + n - k, suffix, k);
}

/* Whether a mapping's name can only be memory: see dso_object() in maps.h. */
static bool no_file(const char *path, bool deleted)
{
	static const char *const internal[] = { "/dev/zero" DELETED, "/anon_hugepage" DELETED,
						"/[aio]" DELETED };

	if (path[0] != '/' || !strncmp(path, "//anon", 6) || !strncmp(path, "/memfd:", 7))
		return true;
	if (deleted && !strncmp(path, "/SYSV", 5))
		return true;
	for (size_t i = 0; i < ARRAY_SIZE(internal); i++)
		if (!strcmp(path, internal[i]))
			return true;
	return false;
}

static struct dso *get_dso(struct maps *m, const char *path, const uint8_t *bid, uint8_t blen)
{
	size_t plen = strlen(path), id, len;
	struct dso *d;
	const char *slash;
	bool known, found;
	char *key;

	if (blen > BUILD_ID_MAX)
		blen = 0; /* the reader refuses such records: taken as unknown */
	known = hash_find(&m->dso_by_path, path, plen, &id);
	if (known) {
		d = m->dsos[id];
		if (!blen)
			return d;
		if (!d->build_id_len) {
			memcpy(d->build_id, bid, blen);
			d->build_id_len = blen;
			index_bid(m, d);
			return d;
		}
		key = bid_key(path, plen, bid, blen, &len);
		found = hash_find(&m->dso_by_bid, key, len, &id);
		free(key);
		if (found)
			return m->dsos[id];
	}
	d = xcalloc(1, sizeof(*d));
	d->path = xstrdup(path);
	d->file = d->path;
	d->deleted = has_suffix(d->path, DELETED);
	d->no_file = no_file(d->path, d->deleted);
	if (d->no_file)
		d->deleted = false;
	slash = strrchr(d->path, '/');
	if (!strncmp(d->path, "//anon", 6))
		d->name = "[anon]"; /* executable memory with no file, such as JIT code */
	else
		d->name = slash && slash[1] ? slash + 1 : d->path;
	memcpy(d->build_id, bid, blen);
	d->build_id_len = blen;
	xgrow(&m->dsos, &m->adsos, m->ndsos + 1, sizeof(*m->dsos));
	d->id = (uint32_t)m->ndsos;
	m->dsos[m->ndsos++] = d;
	if (!known) {
		int added;

		hash_get(&m->dso_by_path, path, plen, d->id, &added);
	}
	if (blen)
		index_bid(m, d);
	return d;
}

static struct pid_maps *get_pid(struct maps *m, uint32_t pid)
{
	int added;
	size_t i = hash_get(&m->pid_index, &pid, sizeof(pid), m->npids, &added);

	if (!added)
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
	struct pid_maps *pm = get_pid(m, pid);

	xgrow(&pm->execs, &pm->aexecs, pm->nexecs + 1, sizeof(*pm->execs));
	pm->execs[pm->nexecs++] = time;
}

void maps_add_fork(struct maps *m, uint32_t pid, uint32_t ppid, uint64_t time)
{
	struct pid_maps *pm;

	if (pid == ppid)
		return; /* a new thread shares the address space it came from */
	pm = get_pid(m, pid);
	xgrow(&pm->forks, &pm->aforks, pm->nforks + 1, sizeof(*pm->forks));
	pm->forks[pm->nforks].ppid = ppid;
	pm->forks[pm->nforks++].time = time;
}

void maps_add_image(struct maps *m, const char *name, const uint8_t *build_id,
		    uint8_t build_id_len, const uint8_t *image, size_t size)
{
	struct dso *d = get_dso(m, name, build_id, build_id_len);

	d->image = image;
	d->image_size = size;
}

void maps_add_jit(struct maps *m, uint32_t pid, const char *name, struct jit_syms *syms)
{
	struct pid_maps *pm = get_pid(m, pid);
	struct dso *d;

	if (pm->jit) {
		jit_syms_free(pm->jit->jit);
		pm->jit->jit = syms;
		return;
	}
	/* an object of its own, whatever its name: it must not meet a mapped file's */
	d = xcalloc(1, sizeof(*d));
	d->path = xstrdup(name);
	d->file = d->path;
	d->name = d->path;
	d->no_file = true;
	d->jit = syms;
	xgrow(&m->dsos, &m->adsos, m->ndsos + 1, sizeof(*m->dsos));
	d->id = (uint32_t)m->ndsos;
	m->dsos[m->ndsos++] = d;
	pm->jit = d;
}

static int cmp_map(const void *a, const void *b)
{
	const struct map *x = a, *y = b;

	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return x->time < y->time ? -1 : x->time > y->time;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

void maps_finish(struct maps *m)
{
	for (size_t i = 0; i < m->npids; i++) {
		if (m->pids[i].nr > 1)
			qsort(m->pids[i].v, m->pids[i].nr, sizeof(struct map), cmp_map);
		if (m->pids[i].nexecs > 1)
			qsort(m->pids[i].execs, m->pids[i].nexecs, sizeof(uint64_t), cmp_u64);
	}
}

static const struct pid_maps *find_pid(const struct maps *m, uint32_t pid)
{
	size_t i;

	return hash_find(&m->pid_index, &pid, sizeof(pid), &i) ? &m->pids[i] : NULL;
}

/* The latest exec of the process at or before time (0: none): mappings older than it are gone. */
static uint64_t exec_before(const struct pid_maps *pm, uint64_t time)
{
	size_t lo = 0, hi;

	if (!pm)
		return 0;
	hi = pm->nexecs;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (pm->execs[mid] <= time)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo ? pm->execs[lo - 1] : 0;
}

static const struct map *find_from(const struct maps *m, const struct pid_maps *pm, uint32_t pid,
				    uint64_t addr, uint64_t time)
{
	for (int depth = 0; depth < 16; depth++) {
		const struct map *best = NULL;
		uint64_t since;
		uint32_t parent = 0;

		if (depth)
			pm = find_pid(m, pid);
		since = exec_before(pm, time);

		if (pm && pm->nr) {
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
		/*
		 * Not mapped here since the fork: look in the parent at fork
		 * time. Of a reused pid's creations, the last in file order
		 * not after time, each found narrowing time for the next.
		 */
		for (size_t i = 0; pm && i < pm->nforks; i++)
			if (pm->forks[i].time <= time)
				parent = pm->forks[i].ppid, time = pm->forks[i].time;
		if (!parent)
			return NULL;
		pid = parent;
	}
	return NULL;
}

const struct map *maps_find(const struct maps *m, uint32_t pid, uint64_t addr, uint64_t time)
{
	return find_from(m, find_pid(m, pid), pid, addr, time);
}

const struct map *maps_find_at(const struct maps *m, struct maps_cursor *c, uint32_t pid,
			       uint64_t addr, uint64_t time)
{
	if (!c->set || c->pid != pid) {
		c->pm = find_pid(m, pid);
		c->pid = pid;
		c->set = true;
	}
	return find_from(m, c->pm, pid, addr, time);
}

struct dso *maps_find_jit(const struct maps *m, struct maps_cursor *c, uint32_t pid,
			  uint64_t addr)
{
	const struct pid_maps *pm;

	if (!c->set || c->pid != pid) {
		c->pm = find_pid(m, pid);
		c->pid = pid;
		c->set = true;
	}
	pm = c->pm;
	if (!pm || !pm->jit || !jit_syms_find(pm->jit->jit, addr, NULL))
		return NULL;
	return pm->jit;
}

size_t maps_npids(const struct maps *m)
{
	return m->npids;
}

uint32_t maps_pid(const struct maps *m, size_t i)
{
	return m->pids[i].pid;
}

/* Whether obj is the build the recording saw. */
static bool same_build(const struct dso *d, const struct elf_object *obj)
{
	uint8_t bid[BUILD_ID_MAX];
	size_t n = elf_object_build_id(obj, bid, sizeof(bid));

	return n == d->build_id_len && !memcmp(bid, d->build_id, n);
}

/* A deleted object's path may hold the same build again: see dso_object() in maps.h. */
static int open_deleted(struct dso *d)
{
	char *file = xasprintf("%.*s", (int)(strlen(d->path) - strlen(DELETED)), d->path);
	int ret = -ENOENT;

	if (d->build_id_len && elf_object_new(file, &d->obj) == 0) {
		if (same_build(d, d->obj)) {
			d->file = file;
			return 0;
		}
		elf_object_free(d->obj);
	}
	free(file);
	return ret;
}

/*
 * Samples are unwound on several threads (session_samples_jobs()): an
 * object is opened by the first thread that needs it while the others
 * wait, and read by all once its `ready` flag is up. Opening is rare (once
 * per object), so one lock serves them all.
 */
static pthread_mutex_t open_lock = PTHREAD_MUTEX_INITIALIZER;

static struct elf_object *open_object(struct dso *d)
{
	int ret;

	if (d->opened)
		return d->obj;
	d->opened = true;
	if (d->image) {
		ret = elf_object_new_mem(d->path, d->image, d->image_size, &d->obj);
	} else if (d->no_file) {
		ret = -ENOENT;
	} else if (d->deleted) {
		ret = open_deleted(d);
	} else {
		ret = elf_object_new(d->path, &d->obj);
		if (ret == 0 && d->build_id_len)
			d->changed = !same_build(d, d->obj);
	}
	d->open_err = ret;
	if (ret < 0)
		d->obj = NULL;
	return d->obj;
}

struct elf_object *dso_object(struct dso *d)
{
	if (!atomic_load_explicit(&d->obj_ready, memory_order_acquire)) {
		pthread_mutex_lock(&open_lock);
		open_object(d);
		atomic_store_explicit(&d->obj_ready, true, memory_order_release);
		pthread_mutex_unlock(&open_lock);
	}
	return d->obj;
}

size_t dso_build_id(struct dso *d, uint8_t *buf, size_t max)
{
	struct elf_object *obj;
	size_t n;

	if (d->build_id_len) {
		if (d->build_id_len > max)
			return 0;
		memcpy(buf, d->build_id, d->build_id_len);
		return d->build_id_len;
	}
	obj = dso_object(d);
	if (!obj)
		return 0;
	n = elf_object_build_id(obj, buf, max);
	return n > max ? 0 : n;
}

static struct cfi *open_cfi(struct dso *d)
{
	int ret;

	if (d->cfi_opened)
		return d->cfi;
	d->cfi_opened = true;
	if (!open_object(d))
		ret = d->open_err;
	else if (d->changed)
		ret = -ESTALE;
	else if (d->image)
		ret = cfi_open(d->path, d->image, d->image_size, NULL, &d->cfi);
	else
		ret = cfi_open(d->file, NULL, 0, NULL, &d->cfi);
	d->cfi_err = ret;
	if (ret < 0)
		d->cfi = NULL;
	return d->cfi;
}

struct cfi *dso_cfi(struct dso *d)
{
	if (!atomic_load_explicit(&d->cfi_ready, memory_order_acquire)) {
		pthread_mutex_lock(&open_lock);
		open_cfi(d);
		atomic_store_explicit(&d->obj_ready, true, memory_order_release);
		atomic_store_explicit(&d->cfi_ready, true, memory_order_release);
		pthread_mutex_unlock(&open_lock);
	}
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
