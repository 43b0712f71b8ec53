// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * JIT code names (see jit.h). Entries are kept sorted by start with the
 * highest end of every prefix beside them, so that a lookup finds the
 * entries holding an address by a binary search and a short walk back;
 * the walk is bounded, so that a hostile file of huge overlapping entries
 * cannot make lookups slow.
 */
#include "resolve/jit.h"
#include "util/alloc.h"
#include "util/hash.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* No function is bigger: larger sizes are garbage, and would hide every other name. */
#define JIT_SIZE_MAX (1ull << 30)
/* Entries a lookup looks at below an address before it gives up. */
#define WALK_MAX 256

struct jit_entry {
	uint64_t start, end;
	uint64_t seq;  /* order of addition: the later wins */
	size_t name;   /* offset in names */
	uint64_t maxend; /* the highest end of the entries up to this one, once sorted */
};

struct jit_syms {
	struct jit_entry *v;
	size_t nr, alloc;
	char *names;
	size_t nnames, anames;
	size_t skipped;
	struct hash by_index; /* jitdump code_index -> a slot of index, for JIT_CODE_MOVE */
	size_t *index;	      /* slot -> the entry of the latest load of that code_index */
	size_t nindex, aindex;
	bool finished;
};

struct jit_syms *jit_syms_new(void)
{
	struct jit_syms *j = xcalloc(1, sizeof(*j));

	hash_init(&j->by_index);
	return j;
}

void jit_syms_free(struct jit_syms *j)
{
	if (!j)
		return;
	hash_release(&j->by_index);
	free(j->index);
	free(j->v);
	free(j->names);
	free(j);
}

static size_t add_name(struct jit_syms *j, const char *name, size_t len)
{
	size_t off = j->nnames;

	if (len > JIT_NAME_MAX)
		len = JIT_NAME_MAX;
	xgrow(&j->names, &j->anames, j->nnames + len + 1, 1);
	memcpy(j->names + off, name, len);
	j->names[off + len] = '\0';
	j->nnames += len + 1;
	return off;
}

static bool add_entry(struct jit_syms *j, uint64_t start, uint64_t size, size_t name)
{
	struct jit_entry *e;

	if (!size || size > JIT_SIZE_MAX || start + size < start || j->finished)
		return false;
	xgrow(&j->v, &j->alloc, j->nr + 1, sizeof(*j->v));
	e = &j->v[j->nr];
	e->start = start;
	e->end = start + size;
	e->seq = j->nr;
	e->name = name;
	e->maxend = 0;
	j->nr++;
	return true;
}

/* A hex number of at most 16 digits, an optional 0x before it: its end, or NULL. */
static const char *parse_hex(const char *p, const char *end, uint64_t *val)
{
	uint64_t v = 0;
	int n = 0;

	if (end - p > 2 && p[0] == '0' && (p[1] == 'x' || p[1] == 'X'))
		p += 2;
	for (; p < end; p++, n++) {
		int d;

		if (*p >= '0' && *p <= '9')
			d = *p - '0';
		else if (*p >= 'a' && *p <= 'f')
			d = *p - 'a' + 10;
		else if (*p >= 'A' && *p <= 'F')
			d = *p - 'A' + 10;
		else
			break;
		if (n == 16)
			return NULL;
		v = v << 4 | (uint64_t)d;
	}
	if (!n)
		return NULL;
	*val = v;
	return p;
}

/* "START SIZE name": true when it parsed and was added. */
static bool add_line(struct jit_syms *j, const char *p, const char *end)
{
	uint64_t start, size;

	if (end > p && end[-1] == '\r')
		end--;
	p = parse_hex(p, end, &start);
	if (!p || p == end || *p != ' ')
		return false;
	while (p < end && *p == ' ')
		p++;
	p = parse_hex(p, end, &size);
	if (!p || p == end || *p != ' ')
		return false;
	p++;
	/* a NUL would cut the name short: the line is not text */
	if (p == end || memchr(p, '\0', (size_t)(end - p)))
		return false;
	if (!size || size > JIT_SIZE_MAX || start + size < start)
		return false;
	return add_entry(j, start, size, add_name(j, p, (size_t)(end - p)));
}

size_t jit_syms_add_perf_map(struct jit_syms *j, const char *text, size_t len)
{
	const char *p = text, *end = text + len;
	size_t added = 0;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *eol = nl ? nl : end;

		if (eol > p) {
			if (add_line(j, p, eol))
				added++;
			else
				j->skipped++;
		}
		p = nl ? nl + 1 : end;
	}
	return added;
}

/* ---- jitdump ----------------------------------------------------------- */

#define JITDUMP_MAGIC	    0x4A695444u
#define JITDUMP_VERSION	    1
#define JITDUMP_HEADER_SIZE 40 /* magic, version, size, elf_mach, pad, pid: u32; time, flags: u64 */
#define JITREC_HEADER_SIZE  16 /* id, total_size: u32; timestamp: u64 */
#define JITREC_LOAD_SIZE    40 /* pid, tid: u32; vma, code_addr, code_size, code_index: u64 */
#define JITREC_MOVE_SIZE    48 /* pid, tid: u32; vma, old, new, code_size, code_index: u64 */

enum { JIT_CODE_LOAD = 0, JIT_CODE_MOVE = 1, JIT_CODE_CLOSE = 3 };

static uint32_t get_u32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static uint64_t get_u64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static bool add_load(struct jit_syms *j, const uint8_t *body, size_t blen)
{
	uint64_t code_addr, code_size, code_index;
	const uint8_t *name, *nul;
	size_t nlen, slot;
	int added;

	if (blen < JITREC_LOAD_SIZE)
		return false;
	code_addr = get_u64(body + 16);
	code_size = get_u64(body + 24);
	code_index = get_u64(body + 32);
	name = body + JITREC_LOAD_SIZE;
	nul = memchr(name, '\0', blen - JITREC_LOAD_SIZE);
	if (!nul || nul == name)
		return false;
	nlen = (size_t)(nul - name);
	/* the code bytes follow the name, and must fit the record */
	if (code_size > blen - JITREC_LOAD_SIZE - nlen - 1)
		return false;
	if (!add_entry(j, code_addr, code_size, add_name(j, (const char *)name, nlen)))
		return false;
	/* a code_index loaded again names the newer load from then on */
	slot = hash_get(&j->by_index, &code_index, sizeof(code_index), j->nindex, &added);
	if (added) {
		xgrow(&j->index, &j->aindex, j->nindex + 1, sizeof(*j->index));
		j->nindex++;
	}
	j->index[slot] = j->nr - 1;
	return true;
}

static bool add_move(struct jit_syms *j, const uint8_t *body, size_t blen)
{
	uint64_t new_addr, code_size, code_index;
	size_t slot, idx;

	if (blen < JITREC_MOVE_SIZE)
		return false;
	new_addr = get_u64(body + 24);
	code_size = get_u64(body + 32);
	code_index = get_u64(body + 40);
	if (!hash_find(&j->by_index, &code_index, sizeof(code_index), &slot))
		return false;
	idx = j->index[slot];
	return add_entry(j, new_addr, code_size, j->v[idx].name);
}

long jit_syms_add_jitdump(struct jit_syms *j, const uint8_t *buf, size_t len)
{
	uint32_t magic, hsize;
	size_t off;
	long added = 0;

	if (len < JITDUMP_HEADER_SIZE)
		return -EBADMSG;
	magic = get_u32(buf);
	if (magic != JITDUMP_MAGIC)
		return -EBADMSG; /* swapped: written on a machine of the other byte order */
	if (get_u32(buf + 4) != JITDUMP_VERSION)
		return -EPROTONOSUPPORT;
	hsize = get_u32(buf + 8);
	if (hsize < JITDUMP_HEADER_SIZE || hsize > len)
		return -EBADMSG;
	for (off = hsize; len - off >= JITREC_HEADER_SIZE;) {
		uint32_t id = get_u32(buf + off), size = get_u32(buf + off + 4);
		const uint8_t *body = buf + off + JITREC_HEADER_SIZE;
		size_t blen;

		if (size < JITREC_HEADER_SIZE || size > len - off)
			break; /* cut short, or garbage from here on */
		blen = size - JITREC_HEADER_SIZE;
		if (id == JIT_CODE_LOAD) {
			if (add_load(j, body, blen))
				added++;
			else
				j->skipped++;
		} else if (id == JIT_CODE_MOVE) {
			if (add_move(j, body, blen))
				added++;
			else
				j->skipped++;
		} else if (id == JIT_CODE_CLOSE) {
			break;
		}
		off += size;
	}
	return added;
}

/* ---- lookups ----------------------------------------------------------- */

static int cmp_entry(const void *a, const void *b)
{
	const struct jit_entry *x = a, *y = b;

	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

void jit_syms_finish(struct jit_syms *j)
{
	uint64_t maxend = 0;

	if (j->finished)
		return;
	j->finished = true;
	/* entries move in the sort: moves can no longer be followed (none come after) */
	hash_release(&j->by_index);
	hash_init(&j->by_index);
	free(j->index);
	j->index = NULL;
	j->nindex = j->aindex = 0;
	if (j->nr > 1)
		qsort(j->v, j->nr, sizeof(*j->v), cmp_entry);
	for (size_t i = 0; i < j->nr; i++) {
		if (j->v[i].end > maxend)
			maxend = j->v[i].end;
		j->v[i].maxend = maxend;
	}
}

const char *jit_syms_find(const struct jit_syms *j, uint64_t addr, uint64_t *start)
{
	const struct jit_entry *best = NULL;
	size_t lo = 0, hi;

	if (!j || !j->finished)
		return NULL;
	hi = j->nr;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (j->v[mid].start <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (size_t i = lo, n = 0; i-- > 0 && n < WALK_MAX; n++) {
		const struct jit_entry *e = &j->v[i];

		if (e->maxend <= addr)
			break;
		if (addr < e->end && (!best || e->seq > best->seq))
			best = e;
	}
	if (!best)
		return NULL;
	if (start)
		*start = best->start;
	return j->names + best->name;
}

size_t jit_syms_count(const struct jit_syms *j)
{
	return j ? j->nr : 0;
}

size_t jit_syms_skipped(const struct jit_syms *j)
{
	return j ? j->skipped : 0;
}

/* ---- files ------------------------------------------------------------- */

int jit_file_read(const char *path, uint8_t **buf, size_t *len, bool *cut)
{
	struct stat st;
	size_t want, got = 0;
	uint8_t *p;
	int fd, ret = 0;

	*buf = NULL;
	*len = 0;
	*cut = false;
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0) {
		ret = -errno;
		goto out;
	}
	if (!S_ISREG(st.st_mode) || (st.st_uid != geteuid() && st.st_uid != 0)) {
		ret = -EPERM;
		goto out;
	}
	want = st.st_size > (off_t)JIT_FILE_MAX ? JIT_FILE_MAX : (size_t)st.st_size;
	*cut = st.st_size > (off_t)JIT_FILE_MAX;
	p = xmalloc(want ? want : 1);
	while (got < want) {
		ssize_t n = read(fd, p + got, want - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ret = -errno;
			free(p);
			goto out;
		}
		if (n == 0)
			break; /* shorter than it was a moment ago */
		got += (size_t)n;
	}
	*buf = p;
	*len = got;
out:
	close(fd);
	return ret;
}

bool jit_dump_name(const char *path, uint32_t *pid)
{
	const char *base = strrchr(path, '/');
	uint64_t v = 0;
	const char *p;

	base = base ? base + 1 : path;
	if (strncmp(base, "jit-", 4))
		return false;
	for (p = base + 4; *p >= '0' && *p <= '9'; p++) {
		v = v * 10 + (uint64_t)(*p - '0');
		if (v > UINT32_MAX)
			return false;
	}
	if (p == base + 4 || strcmp(p, ".dump"))
		return false;
	*pid = (uint32_t)v;
	return true;
}

void jit_perf_map_path(char *buf, size_t size, uint32_t pid)
{
	snprintf(buf, size, "/tmp/perf-%u.map", pid);
}
