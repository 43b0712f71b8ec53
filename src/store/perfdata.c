// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * perf.data (tools/perf/Documentation/perf.data-file-format.txt describes
 * it): a header of sections (attributes, data, and after the data the
 * feature sections whose bits the header sets), or in the stream form a
 * 16-byte header followed by records only, attributes and features among
 * them. Only files of the reader's own byte order are read.
 */
#include "store/perfdata.h"
#include "store/datafile.h"
#include "util/alloc.h"

#include <errno.h>
#include <linux/perf_event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <zstd.h>

/* perf's own record types, written by the tool (not the kernel) */
enum {
	PERF_USER_HEADER_ATTR = 64,
	PERF_USER_HEADER_BUILD_ID = 67,
	PERF_USER_AUXTRACE = 71,
	PERF_USER_HEADER_FEATURE = 80,
	PERF_USER_COMPRESSED = 81,
};

/* feature sections, by their bit in the header */
enum {
	FEAT_BUILD_ID = 2,
	FEAT_HOSTNAME = 3,
	FEAT_OSRELEASE = 4,
	FEAT_VERSION = 5,
	FEAT_ARCH = 6,
	FEAT_NRCPUS = 7,
	FEAT_CPUDESC = 8,
	FEAT_CMDLINE = 11,
	FEAT_EVENT_DESC = 12,
	FEAT_SAMPLE_TIME = 21,
	FEAT_CLOCKID = 23,
	FEAT_DIR_FORMAT = 24,
	FEAT_BITS = 256,
};

struct file_section {
	uint64_t offset, size;
};

struct perf_header {
	uint64_t magic;
	uint64_t size; /* of this header */
	uint64_t attr_size;
	struct file_section attrs, data, event_types;
	uint64_t features[FEAT_BITS / 64];
};

struct pipe_header {
	uint64_t magic;
	uint64_t size; /* 16 */
};

#define ATTRS_MAX		       4096	   /* events in one file */
#define IDS_MAX			       (1u << 20)  /* sample ids over all events */
#define FEATURE_MAX		       (64u << 20) /* bytes of one feature section */
#define BUILD_IDS_MAX		       65536
#define DECODED_MAX		       (64u << 20) /* what one compressed record may decode to */
#define PERF_RECORD_MISC_BUILD_ID_SIZE (1 << 15)

struct attr {
	struct perf_event_attr a;
	char *name;
	unsigned int nregs;
};

struct id_attr {
	uint64_t id;
	uint32_t attr;
};

struct build_id {
	char *file;
	uint8_t len;
	uint8_t id[BUILD_ID_MAX];
};

struct kvbuf {
	uint8_t *p;
	size_t len, alloc;
};

struct perf_source {
	uint64_t size;
	bool pipe;
	uint64_t data_start, data_end; /* of the records */
	struct attr *attrs;
	size_t nattrs;
	struct id_attr *ids; /* sorted by id */
	size_t nids, aids;
	bool ids_sorted;
	int sampled; /* the event whose samples are converted, or -1 before attributes */
	struct build_id *bids;
	size_t nbids, abids;
	char *os_release, *hostname, *arch, *cpudesc, *version, *cmdline;
	uint32_t ncpus;
	uint64_t first_time, kernel_text;
	int clockid;
	bool have_clockid;
	struct kvbuf meta, stats;
	/* reading */
	/*
	 * The file mapped read-only: records are parsed where they lie, and a
	 * pass that wants no samples reads no more of one than its header.
	 */
	const uint8_t *map;
	uint64_t pos;	  /* of the next record */
	uint64_t dropped; /* the mapping's pages below this were given back */
	bool truncated, done;
	bool headers_read; /* the records before the first sample were looked at */
	bool prescan;	   /* looking at them: stop at the first sample */
	/* PERF_RECORD_COMPRESSED: one zstd stream over all of them */
	ZSTD_DCtx *dctx;
	uint8_t *dec;
	size_t dec_len, dec_pos, dec_alloc;
	struct {
		uint64_t samples, other, lost_ring, lost_samples, throttled, unthrottled, malformed;
	} n;
};

/* ---- small helpers ---------------------------------------------------- */

static void kv_put(struct kvbuf *b, const char *key, const void *val, size_t len, int kind)
{
	size_t size = record_size(sizeof(struct rec_kv), strlen(key) + len);

	xgrow(&b->p, &b->alloc, b->len + size, 1);
	memset(b->p + b->len, 0, size);
	record_kv_fill(b->p + b->len, key, val, len, (enum kv_kind)kind);
	b->len += size;
}

static void kv_str(struct kvbuf *b, const char *key, const char *val)
{
	if (val)
		kv_put(b, key, val, strlen(val) + 1, KV_STRING);
}

static void kv_u64(struct kvbuf *b, const char *key, uint64_t val)
{
	kv_put(b, key, &val, sizeof(val), KV_U64);
}

/* A bounds-checked cursor over bytes. */
struct cur {
	const uint8_t *p, *end;
	bool bad;
};

static uint64_t get_u64(struct cur *c)
{
	uint64_t v = 0;

	if (c->end - c->p < 8) {
		c->bad = true;
		c->p = c->end;
		return 0;
	}
	memcpy(&v, c->p, 8);
	c->p += 8;
	return v;
}

static uint32_t get_u32(struct cur *c)
{
	uint32_t v = 0;

	if (c->end - c->p < 4) {
		c->bad = true;
		c->p = c->end;
		return 0;
	}
	memcpy(&v, c->p, 4);
	c->p += 4;
	return v;
}

static const uint8_t *get_bytes(struct cur *c, uint64_t n)
{
	const uint8_t *p = c->p;

	if ((uint64_t)(c->end - c->p) < n) {
		c->bad = true;
		c->p = c->end;
		return NULL;
	}
	c->p += n;
	return p;
}

/* perf's header strings: a u32 length (padding and NUL included), then the bytes. */
static char *get_string(struct cur *c)
{
	uint32_t len = get_u32(c);
	const uint8_t *s = get_bytes(c, len);

	if (!s || !len)
		return NULL;
	{
		char *str = xmalloc((size_t)len + 1);

		memcpy(str, s, len);
		str[len] = 0;
		return str;
	}
}

/* A NUL-terminated name within the record, padded to 8 bytes. */
static const char *get_name(struct cur *c, size_t *len)
{
	const uint8_t *name = c->p;
	size_t n;

	if (c->bad || c->p >= c->end)
		goto bad;
	n = strnlen((const char *)name, (size_t)(c->end - c->p));
	if (name + n >= c->end)
		goto bad;
	c->p = name + ((n + 8) & ~(size_t)7);
	if (c->p > c->end)
		c->p = c->end;
	*len = n;
	return (const char *)name;
bad:
	c->bad = true;
	return NULL;
}

/* ---- attributes and their ids ------------------------------------------ */

static int cmp_id(const void *a, const void *b)
{
	const struct id_attr *x = a, *y = b;

	return x->id < y->id ? -1 : x->id > y->id;
}

static int add_attr(struct perf_source *ps, const uint8_t *bytes, uint64_t size)
{
	struct attr *at;

	if (size < PERF_ATTR_SIZE_VER0 || size > 4096)
		return -EBADMSG;
	if (ps->nattrs >= ATTRS_MAX)
		return -EBADMSG;
	ps->attrs = realloc(ps->attrs, (ps->nattrs + 1) * sizeof(*ps->attrs));
	if (!ps->attrs)
		abort();
	at = &ps->attrs[ps->nattrs++];
	memset(at, 0, sizeof(*at));
	memcpy(&at->a, bytes, size < sizeof(at->a) ? size : sizeof(at->a));
	at->nregs = (unsigned int)__builtin_popcountll(at->a.sample_regs_user);
	return 0;
}

static int add_ids(struct perf_source *ps, uint32_t attr, const uint8_t *ids, uint64_t n)
{
	if (n > IDS_MAX || ps->nids + n > IDS_MAX)
		return -EBADMSG;
	xgrow(&ps->ids, &ps->aids, ps->nids + n, sizeof(*ps->ids));
	for (uint64_t i = 0; i < n; i++) {
		memcpy(&ps->ids[ps->nids].id, ids + 8 * i, 8);
		ps->ids[ps->nids++].attr = attr;
	}
	ps->ids_sorted = false;
	return 0;
}

static bool dummy_event(const struct perf_event_attr *a)
{
	return a->type == PERF_TYPE_SOFTWARE && a->config == PERF_COUNT_SW_DUMMY;
}

/* The event whose samples are shown: the first that samples and is not perf's placeholder. */
static void choose_event(struct perf_source *ps)
{
	ps->sampled = ps->nattrs ? 0 : -1;
	for (size_t i = 0; i < ps->nattrs; i++) {
		if (!dummy_event(&ps->attrs[i].a) && ps->attrs[i].a.sample_period) {
			ps->sampled = (int)i;
			return;
		}
	}
}

/* The event a record belongs to, by its id; -1 when the id is unknown. */
static int attr_of_id(struct perf_source *ps, uint64_t id)
{
	size_t lo = 0, hi;

	if (ps->nattrs == 1)
		return 0;
	if (!ps->nids)
		return -1;
	if (!ps->ids_sorted) {
		qsort(ps->ids, ps->nids, sizeof(*ps->ids), cmp_id);
		ps->ids_sorted = true;
	}
	hi = ps->nids;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (ps->ids[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < ps->nids && ps->ids[lo].id == id ? (int)ps->ids[lo].attr : -1;
}

/* Names for events that the file does not name (no EVENT_DESC feature). */
static const char *default_name(const struct perf_event_attr *a)
{
	static const char *const hw[] = {"cycles",
					 "instructions",
					 "cache-references",
					 "cache-misses",
					 "branches",
					 "branch-misses",
					 "bus-cycles",
					 "stalled-cycles-frontend",
					 "stalled-cycles-backend",
					 "ref-cycles"};
	static const char *const sw[] = {
	    "cpu-clock",	"task-clock",	"page-faults",	"context-switches",
	    "cpu-migrations",	"minor-faults", "major-faults", "alignment-faults",
	    "emulation-faults", "dummy",	"bpf-output",	"cgroup-switches"};

	if (a->type == PERF_TYPE_HARDWARE && a->config < sizeof(hw) / sizeof(hw[0]))
		return hw[a->config];
	if (a->type == PERF_TYPE_SOFTWARE && a->config < sizeof(sw) / sizeof(sw[0]))
		return sw[a->config];
	return NULL;
}

/* ---- features ------------------------------------------------------------ */

static void add_build_id(struct perf_source *ps, const char *file, const uint8_t *id, size_t len)
{
	struct build_id *b;

	if (ps->nbids >= BUILD_IDS_MAX || !len)
		return;
	xgrow(&ps->bids, &ps->abids, ps->nbids + 1, sizeof(*ps->bids));
	b = &ps->bids[ps->nbids++];
	b->file = xstrdup(file);
	b->len = (uint8_t)(len > BUILD_ID_MAX ? BUILD_ID_MAX : len);
	memcpy(b->id, id, b->len);
}

/* Build-id events: the feature section's, or one HEADER_BUILD_ID record of the stream form. */
static void read_build_ids(struct perf_source *ps, struct cur *c)
{
	while (!c->bad && c->end - c->p >= (ptrdiff_t)sizeof(struct perf_event_header)) {
		struct perf_event_header h;
		struct cur r;
		const uint8_t *id;
		size_t nlen, idlen = 20;
		const char *name;

		memcpy(&h, c->p, sizeof(h));
		if (h.size < sizeof(h) || h.size > c->end - c->p) {
			c->bad = true;
			return;
		}
		r.p = c->p + sizeof(h);
		r.end = c->p + h.size;
		r.bad = false;
		c->p += h.size;
		get_u32(&r); /* the pid */
		id = get_bytes(&r, 24);
		name = get_name(&r, &nlen);
		if (r.bad || !name)
			continue;
		if (h.misc & PERF_RECORD_MISC_BUILD_ID_SIZE)
			idlen = id[20];
		add_build_id(ps, name, id, idlen);
	}
}

static void read_event_desc(struct perf_source *ps, struct cur *c)
{
	uint32_t nr = get_u32(c), size = get_u32(c);

	if (size < PERF_ATTR_SIZE_VER0 || nr > ATTRS_MAX)
		return;
	for (uint32_t i = 0; i < nr && !c->bad; i++) {
		const uint8_t *attr = get_bytes(c, size);
		uint32_t nids = get_u32(c);
		char *name = get_string(c);
		const uint8_t *ids = nids <= IDS_MAX ? get_bytes(c, 8ull * nids) : NULL;
		uint64_t first = 0;
		int which = (int)i;

		if (!attr || !name || !ids) {
			free(name);
			return;
		}
		/* by the event's first id when there are ids, else by its place */
		if (nids) {
			memcpy(&first, ids, 8);
			which = attr_of_id(ps, first);
		}
		if (which >= 0 && (size_t)which < ps->nattrs && !ps->attrs[which].name)
			ps->attrs[which].name = name;
		else
			free(name);
	}
}

static void read_feature(struct perf_source *ps, int feat, const uint8_t *p, size_t len)
{
	struct cur c = {p, p + len, false};

	switch (feat) {
	case FEAT_BUILD_ID:
		read_build_ids(ps, &c);
		break;
	case FEAT_HOSTNAME:
		free(ps->hostname);
		ps->hostname = get_string(&c);
		break;
	case FEAT_OSRELEASE:
		free(ps->os_release);
		ps->os_release = get_string(&c);
		break;
	case FEAT_VERSION:
		free(ps->version);
		ps->version = get_string(&c);
		break;
	case FEAT_ARCH:
		free(ps->arch);
		ps->arch = get_string(&c);
		break;
	case FEAT_CPUDESC:
		free(ps->cpudesc);
		ps->cpudesc = get_string(&c);
		break;
	case FEAT_NRCPUS:
		get_u32(&c);		 /* present */
		ps->ncpus = get_u32(&c); /* online */
		if (c.bad)
			ps->ncpus = 0;
		break;
	case FEAT_CMDLINE: {
		uint32_t nr = get_u32(&c);
		char *line = NULL;
		size_t llen = 0, lalloc = 0;

		for (uint32_t i = 0; i < nr && !c.bad && llen < 65536; i++) {
			char *arg = get_string(&c);
			size_t alen;

			if (!arg)
				break;
			alen = strlen(arg);
			xgrow(&line, &lalloc, llen + alen + 2, 1);
			if (llen)
				line[llen++] = ' ';
			memcpy(line + llen, arg, alen);
			llen += alen;
			line[llen] = 0;
			free(arg);
		}
		free(ps->cmdline);
		ps->cmdline = line;
		break;
	}
	case FEAT_EVENT_DESC:
		read_event_desc(ps, &c);
		break;
	case FEAT_SAMPLE_TIME:
		ps->first_time = get_u64(&c);
		if (c.bad)
			ps->first_time = 0;
		break;
	case FEAT_CLOCKID:
		ps->clockid = (int)get_u64(&c);
		ps->have_clockid = !c.bad;
		break;
	default:
		break;
	}
}

static int read_features(struct perf_source *ps, const struct perf_header *h, const char **detail)
{
	uint64_t off = h->data.offset + h->data.size, nr = 0;
	struct file_section *secs;
	size_t k = 0;

	for (int i = 0; i < FEAT_BITS / 64; i++)
		nr += (uint64_t)__builtin_popcountll(h->features[i]);
	if (!nr)
		return 0;
	if (h->features[FEAT_DIR_FORMAT / 64] & (1ull << (FEAT_DIR_FORMAT % 64))) {
		*detail = "it is the header of a perf.data directory (perf record --threads): "
			  "read it with perf, or record without --threads";
		return -EBADMSG;
	}
	if (off > ps->size || nr * sizeof(*secs) > ps->size - off)
		return 0; /* features cut off: the records are still good */
	secs = xmalloc(nr * sizeof(*secs));
	memcpy(secs, ps->map + off, nr * sizeof(*secs));
	for (int feat = 0; feat < FEAT_BITS; feat++) {
		if (!(h->features[feat / 64] & (1ull << (feat % 64))))
			continue;
		if (secs[k].size && secs[k].size <= FEATURE_MAX && secs[k].offset <= ps->size &&
		    secs[k].size <= ps->size - secs[k].offset)
			read_feature(ps, feat, ps->map + secs[k].offset, secs[k].size);
		k++;
	}
	free(secs);
	return 0;
}

/* ---- the file's header ------------------------------------------------------ */

static int read_attrs(struct perf_source *ps, const struct perf_header *h, const char **detail)
{
	/* each entry is an attribute and the section of its ids */
	uint64_t entry = h->attr_size, asize = entry - sizeof(struct file_section), n;
	const uint8_t *buf;
	int ret = 0;

	if (entry < PERF_ATTR_SIZE_VER0 + sizeof(struct file_section) || entry > 4096 ||
	    h->attrs.size % entry || h->attrs.offset > ps->size ||
	    h->attrs.size > ps->size - h->attrs.offset) {
		*detail = "its event attributes do not fit the file";
		return -EBADMSG;
	}
	n = h->attrs.size / entry;
	if (!n || n > ATTRS_MAX) {
		*detail = n ? "it claims more events than perf records" : "it has no events";
		return -EBADMSG;
	}
	buf = ps->map + h->attrs.offset;
	for (uint64_t i = 0; i < n && !ret; i++) {
		const uint8_t *e = buf + i * entry;
		struct file_section ids;

		ret = add_attr(ps, e, asize);
		memcpy(&ids, e + asize, sizeof(ids));
		if (ret || !ids.size)
			continue;
		if (ids.size % 8 || ids.size / 8 > IDS_MAX || ids.offset > ps->size ||
		    ids.size > ps->size - ids.offset) {
			ret = -EBADMSG;
			break;
		}
		ret = add_ids(ps, (uint32_t)i, ps->map + ids.offset, ids.size / 8);
	}
	if (ret)
		*detail = "its event attributes are damaged";
	return ret;
}

static void build_meta(struct perf_source *ps)
{
	const struct attr *at = ps->sampled >= 0 ? &ps->attrs[ps->sampled] : NULL;
	const struct perf_event_attr *a = at ? &at->a : NULL;
	bool dwarf = false;
	char buf[128];

	ps->meta.len = 0;
	kv_str(&ps->meta, "source-format", "perf.data");
	kv_str(&ps->meta, "perf-version", ps->version);
	kv_str(&ps->meta, "cmdline", ps->cmdline);
	kv_str(&ps->meta, "host", ps->hostname);
	kv_str(&ps->meta, "kernel", ps->os_release);
	kv_str(&ps->meta, "arch", ps->arch);
	kv_str(&ps->meta, "cpu", ps->cpudesc);
	if (ps->ncpus)
		kv_u64(&ps->meta, "ncpus", ps->ncpus);
	if (ps->have_clockid) {
		snprintf(buf, sizeof(buf), "clock id %d", ps->clockid);
		kv_str(&ps->meta, "clock", buf);
	} else {
		kv_str(&ps->meta, "clock", "perf_clock");
	}
	kv_str(&ps->meta, "sampler", "pmu");
	if (ps->first_time)
		kv_u64(&ps->meta, "start-ns", ps->first_time);
	if (ps->kernel_text)
		kv_u64(&ps->meta, "kernel-text", ps->kernel_text);
	if (!a)
		return;
	if (at->name) {
		kv_str(&ps->meta, "event", at->name);
	} else if (default_name(a)) {
		kv_str(&ps->meta, "event", default_name(a));
	} else {
		snprintf(buf, sizeof(buf), "type %u config %#llx", a->type,
			 (unsigned long long)a->config);
		kv_str(&ps->meta, "event", buf);
	}
	kv_put(&ps->meta, "event-attr", a, sizeof(*a), KV_BYTES);
	if (a->exclude_kernel)
		kv_str(&ps->meta, "privilege", "user space only (exclude_kernel)");
	if (a->freq)
		kv_u64(&ps->meta, "freq-hz", a->sample_freq);
	else
		kv_u64(&ps->meta, "period", a->sample_period);
	dwarf =
	    (a->sample_type & PERF_SAMPLE_STACK_USER) && (a->sample_type & PERF_SAMPLE_REGS_USER);
	if (dwarf) {
		kv_str(&ps->meta, "call-graph", "dwarf");
		kv_u64(&ps->meta, "stack-size", a->sample_stack_user);
		kv_str(&ps->meta, "stack-size-origin", "option");
		kv_u64(&ps->meta, "regs-mask", a->sample_regs_user);
	} else if ((a->sample_type & PERF_SAMPLE_BRANCH_STACK) &&
		   (a->branch_sample_type & PERF_SAMPLE_BRANCH_CALL_STACK)) {
		kv_str(&ps->meta, "call-graph", "lbr");
	} else if (a->sample_type & PERF_SAMPLE_CALLCHAIN) {
		kv_str(&ps->meta, "call-graph", "fp");
		if (a->sample_max_stack)
			kv_u64(&ps->meta, "max-stack", a->sample_max_stack);
	} else {
		kv_str(&ps->meta, "call-graph", "none");
	}
	for (size_t i = 0; i < ps->nattrs; i++) {
		const struct attr *o = &ps->attrs[i];

		if ((int)i == ps->sampled || dummy_event(&o->a) || !o->a.sample_period)
			continue;
		kv_str(&ps->meta, "perf-other-event",
		       o->name		     ? o->name
		       : default_name(&o->a) ? default_name(&o->a)
					     : "?");
		break;
	}
}

static int open_file(struct perf_source *ps, const char **detail)
{
	struct perf_header h;

	memset(&h, 0, sizeof(h));
	if (ps->size < sizeof(h)) {
		*detail = "the file ends inside its perf.data header";
		return -EBADMSG;
	}
	memcpy(&h, ps->map, sizeof(h));
	if (h.size < sizeof(h) || h.size > ps->size) {
		*detail = "its perf.data header is damaged";
		return -EBADMSG;
	}
	if (h.data.offset > ps->size || h.data.offset < h.size) {
		*detail = "its data section does not fit the file";
		return -EBADMSG;
	}
	ps->data_start = h.data.offset;
	/* perf killed before it wrote the header's sizes leaves 0: the records run to the end */
	if (!h.data.size || h.data.size > ps->size - h.data.offset) {
		ps->data_end = ps->size;
		h.data.size = ps->size - h.data.offset;
		if (!h.data.size) {
			*detail = "it holds no records";
			return -ENODATA;
		}
		memset(h.features, 0, sizeof(h.features));
	} else {
		ps->data_end = h.data.offset + h.data.size;
	}
	if (read_attrs(ps, &h, detail) < 0)
		return -EBADMSG;
	choose_event(ps);
	return read_features(ps, &h, detail);
}

static int prescan(struct perf_source *ps, const char **detail);

int perf_source_open(int fd, uint64_t size, struct perf_source **out, const char **detail)
{
	struct perf_source *ps = xcalloc(1, sizeof(*ps));
	struct pipe_header ph;
	int ret;

	*detail = NULL;
	ps->size = size;
	ps->sampled = -1;
	ps->dctx = ZSTD_createDCtx();
	if (!ps->dctx)
		abort();
	if (size < sizeof(ph)) {
		*detail = "the file ends inside its perf.data header";
		ret = -EBADMSG;
		goto fail;
	}
	ps->map = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (ps->map == MAP_FAILED) {
		ps->map = NULL;
		ret = -errno;
		*detail = "the file cannot be mapped into memory";
		goto fail;
	}
	madvise((void *)ps->map, size, MADV_SEQUENTIAL);
	memcpy(&ph, ps->map, sizeof(ph));
	if (!memcmp(&ph.magic, "2ELIFREP", 8)) {
		*detail =
		    "it is a perf.data file of the other byte order (recorded on a big-endian "
		    "machine): convert it with perf on such a machine";
		ret = -EPROTONOSUPPORT;
		goto fail;
	}
	if (memcmp(&ph.magic, PERFDATA_MAGIC, 8)) {
		*detail = "it is not a perf.data file";
		ret = -EBADMSG;
		goto fail;
	}
	if (ph.size == sizeof(ph)) {
		/* the stream form: attributes and features come as records */
		ps->pipe = true;
		ps->data_start = sizeof(ph);
		ps->data_end = size;
		ret = 0;
	} else {
		ret = open_file(ps, detail);
	}
	if (ret < 0)
		goto fail;
	ret = prescan(ps, detail);
	if (ret < 0)
		goto fail;
	*out = ps;
	return 0;
fail:
	perf_source_free(ps);
	return ret;
}

void perf_source_free(struct perf_source *ps)
{
	if (!ps)
		return;
	for (size_t i = 0; i < ps->nattrs; i++)
		free(ps->attrs[i].name);
	for (size_t i = 0; i < ps->nbids; i++)
		free(ps->bids[i].file);
	free(ps->attrs);
	free(ps->ids);
	free(ps->bids);
	free(ps->os_release);
	free(ps->hostname);
	free(ps->arch);
	free(ps->cpudesc);
	free(ps->version);
	free(ps->cmdline);
	free(ps->meta.p);
	free(ps->stats.p);
	if (ps->map)
		munmap((void *)ps->map, ps->size);
	free(ps->dec);
	ZSTD_freeDCtx(ps->dctx);
	free(ps);
}

const uint8_t *perf_source_meta(const struct perf_source *ps, size_t *len)
{
	*len = ps->meta.len;
	return ps->meta.p;
}

const uint8_t *perf_source_stats(const struct perf_source *ps, size_t *len)
{
	*len = ps->stats.len;
	return ps->stats.len ? ps->stats.p : NULL;
}

bool perf_source_truncated(const struct perf_source *ps)
{
	return ps->truncated;
}

void perf_source_rewind(struct perf_source *ps)
{
	ps->pos = ps->data_start;
	ps->dropped = 0;
	ps->dec_len = ps->dec_pos = 0;
	ps->done = false;
	ZSTD_DCtx_reset(ps->dctx, ZSTD_reset_session_only);
	memset(&ps->n, 0, sizeof(ps->n));
}

static void finish_stats(struct perf_source *ps)
{
	ps->stats.len = 0;
	kv_u64(&ps->stats, "samples", ps->n.samples);
	kv_u64(&ps->stats, "lost-ring", ps->n.lost_ring);
	kv_u64(&ps->stats, "lost-samples", ps->n.lost_samples);
	kv_u64(&ps->stats, "throttled", ps->n.throttled);
	kv_u64(&ps->stats, "unthrottled", ps->n.unthrottled);
	kv_u64(&ps->stats, "malformed", ps->n.malformed);
	if (ps->n.other)
		kv_u64(&ps->stats, "perf-other-samples", ps->n.other);
}

/* ---- records ------------------------------------------------------------------ */

/*
 * The time in the sample_id_all trailer at the end of a non-sample record
 * (0 without one): all a report takes from it, the record saying the rest.
 */
static uint64_t trailer_time(struct perf_source *ps, const uint8_t *body, size_t len)
{
	const struct perf_event_attr *a;
	uint64_t st, n, at, time;
	int which;

	if (ps->sampled < 0)
		return 0;
	a = &ps->attrs[0].a;
	/* with an identifier last, the trailer says whose layout it has */
	if ((a->sample_type & PERF_SAMPLE_IDENTIFIER) && len >= 8) {
		uint64_t id;

		memcpy(&id, body + len - 8, 8);
		which = attr_of_id(ps, id);
		if (which >= 0)
			a = &ps->attrs[which].a;
	}
	st = a->sample_type;
	if (!a->sample_id_all || !(st & PERF_SAMPLE_TIME))
		return 0;
	/* tid, time, id, stream id, cpu, identifier: the time is after the tid */
	n = !!(st & PERF_SAMPLE_TID) + 1 + !!(st & PERF_SAMPLE_ID) +
	    !!(st & PERF_SAMPLE_STREAM_ID) + !!(st & PERF_SAMPLE_CPU) +
	    !!(st & PERF_SAMPLE_IDENTIFIER);
	if (8 * n > len)
		return 0;
	at = len - 8 * n + 8 * !!(st & PERF_SAMPLE_TID);
	memcpy(&time, body + at, 8);
	return time;
}

/* The records converted by one perf_source_next(). */
struct out {
	uint8_t **buf;
	size_t *alloc, len;
};

/* Only the fixed part and the padding are zeroed: the rest is copied over at once. */
static void *out_reserve(struct out *o, size_t size)
{
	uint8_t *p;

	xgrow(o->buf, o->alloc, o->len + size, 1);
	p = *o->buf + o->len;
	memset(p, 0, size < 128 ? size : 128);
	memset(p + size - 8, 0, 8);
	o->len += size;
	return p;
}

/* Which event a sample belongs to: by its identifier or id, else the first. */
static int sample_attr(struct perf_source *ps, const uint8_t *body, size_t len)
{
	const struct perf_event_attr *a = &ps->attrs[0].a;
	uint64_t st = a->sample_type, id;
	size_t at = 0;

	if (ps->nattrs == 1)
		return 0;
	if (!(st & PERF_SAMPLE_IDENTIFIER)) {
		if (!(st & PERF_SAMPLE_ID))
			return 0;
		at = 8 * (size_t)(!!(st & PERF_SAMPLE_IP) + !!(st & PERF_SAMPLE_TID) +
				  !!(st & PERF_SAMPLE_TIME) + !!(st & PERF_SAMPLE_ADDR));
	}
	if (at + 8 > len)
		return -1;
	memcpy(&id, body + at, 8);
	return attr_of_id(ps, id);
}

static void skip_read_values(struct cur *c, const struct perf_event_attr *a)
{
	uint64_t rf = a->read_format, per = 1 + !!(rf & PERF_FORMAT_ID) + !!(rf & PERF_FORMAT_LOST);
	uint64_t head =
	    !!(rf & PERF_FORMAT_TOTAL_TIME_ENABLED) + !!(rf & PERF_FORMAT_TOTAL_TIME_RUNNING);

	if (rf & PERF_FORMAT_GROUP) {
		uint64_t nr = get_u64(c);

		if (nr > 4096)
			c->bad = true;
		else
			get_bytes(c, 8 * (head + nr * per));
	} else {
		get_bytes(c, 8 * (head + per));
	}
}

/* An LBR call stack's entries: from, to, flags. */
struct lbr_entry {
	uint64_t from, to, flags;
};

static void convert_sample(struct perf_source *ps, const struct perf_event_header *h,
			   const uint8_t *body, size_t len, struct out *o)
{
	int which = sample_attr(ps, body, len);
	const struct attr *at;
	const struct perf_event_attr *a;
	struct cur c = {body, body + len, false};
	uint64_t st, ip = 0, time = 0, period = 0, nr = 0, nbr = 0, abi = 0, size = 0, dyn = 0;
	const uint8_t *chain = NULL, *regs = NULL, *stack = NULL, *branches = NULL;
	uint32_t pid = 0, tid = 0, cpu = 0;
	uint64_t nchain, lbr_user = 0;
	bool lbr;
	struct rec_sample *s;
	uint8_t *p;

	if (which != ps->sampled) {
		ps->n.other += which >= 0 || ps->sampled < 0;
		ps->n.malformed += which < 0 && ps->sampled >= 0;
		return;
	}
	at = &ps->attrs[which];
	a = &at->a;
	st = a->sample_type;
	if (st & PERF_SAMPLE_IDENTIFIER)
		get_u64(&c);
	if (st & PERF_SAMPLE_IP)
		ip = get_u64(&c);
	if (st & PERF_SAMPLE_TID) {
		uint64_t v = get_u64(&c);

		pid = (uint32_t)v;
		tid = (uint32_t)(v >> 32);
	}
	if (st & PERF_SAMPLE_TIME)
		time = get_u64(&c);
	if (st & PERF_SAMPLE_ADDR)
		get_u64(&c);
	if (st & PERF_SAMPLE_ID)
		get_u64(&c);
	if (st & PERF_SAMPLE_STREAM_ID)
		get_u64(&c);
	if (st & PERF_SAMPLE_CPU)
		cpu = (uint32_t)get_u64(&c);
	period = a->freq ? 0 : a->sample_period;
	if (st & PERF_SAMPLE_PERIOD)
		period = get_u64(&c);
	if (st & PERF_SAMPLE_READ)
		skip_read_values(&c, a);
	if (st & PERF_SAMPLE_CALLCHAIN) {
		nr = get_u64(&c);
		chain = nr <= 0xffff ? get_bytes(&c, 8 * nr) : NULL;
		c.bad |= nr > 0xffff;
	}
	if (st & PERF_SAMPLE_RAW)
		get_bytes(&c, get_u32(&c));
	if (st & PERF_SAMPLE_BRANCH_STACK) {
		nbr = get_u64(&c);
		if (a->branch_sample_type & PERF_SAMPLE_BRANCH_HW_INDEX)
			get_u64(&c);
		branches = nbr <= 4096 ? get_bytes(&c, nbr * sizeof(struct lbr_entry)) : NULL;
		c.bad |= nbr > 4096;
	}
	if (st & PERF_SAMPLE_REGS_USER) {
		abi = get_u64(&c);
		if (abi)
			regs = get_bytes(&c, 8ull * at->nregs);
	}
	if (st & PERF_SAMPLE_STACK_USER) {
		size = get_u64(&c);
		if (size) {
			stack = get_bytes(&c, size);
			dyn = get_u64(&c);
			if (dyn > size)
				dyn = size;
		}
	}
	if (c.bad) {
		ps->n.malformed++;
		return;
	}
	ps->n.samples++;
	/* an LBR call stack stands for the user part of the callchain */
	lbr = branches && (a->branch_sample_type & PERF_SAMPLE_BRANCH_CALL_STACK) && !stack;
	if (lbr) {
		bool user = (h->misc & PERF_RECORD_MISC_CPUMODE_MASK) == PERF_RECORD_MISC_USER;

		lbr_user = 1 + user + nbr;
		/* the kernel's chain may end in a user context of its own: replaced */
		for (uint64_t i = 0; chain && i < nr; i++) {
			uint64_t v;

			memcpy(&v, chain + 8 * i, 8);
			if (v == (uint64_t)PERF_CONTEXT_USER) {
				nr = i;
				break;
			}
		}
	}
	nchain = nr + lbr_user;
	if (nchain > 0xffff) {
		ps->n.malformed++;
		ps->n.samples--;
		return;
	}
	s = out_reserve(o, record_size(sizeof(*s), 8 * (regs ? at->nregs : 0) + 8 * nchain + dyn));
	s->h.type = REC_SAMPLE;
	s->h.size =
	    (uint32_t)record_size(sizeof(*s), 8 * (regs ? at->nregs : 0) + 8 * nchain + dyn);
	if ((h->misc & PERF_RECORD_MISC_CPUMODE_MASK) == PERF_RECORD_MISC_KERNEL)
		s->h.misc |= SAMPLE_KERNEL;
	if (!regs && (st & PERF_SAMPLE_REGS_USER))
		s->h.misc |= SAMPLE_NO_USER_REGS;
	if (stack && dyn >= size)
		s->h.misc |= SAMPLE_STACK_FULL;
	s->pid = pid;
	s->tid = tid;
	s->time = time;
	s->weight = period;
	s->ip = ip;
	s->cpu = cpu;
	s->nregs = (uint16_t)(regs ? at->nregs : 0);
	s->ncallchain = (uint16_t)nchain;
	s->stack_size = (uint32_t)dyn;
	p = (uint8_t *)(s + 1);
	if (regs)
		memcpy(p, regs, 8 * at->nregs), p += 8 * at->nregs;
	if (nr)
		memcpy(p, chain, 8 * nr), p += 8 * nr;
	if (lbr) {
		uint64_t v = (uint64_t)PERF_CONTEXT_USER;

		memcpy(p, &v, 8), p += 8;
		if (lbr_user > 1 + nbr)
			memcpy(p, &ip, 8), p += 8;
		/*
		 * Each entry is a call, latest first: where it was made from is in
		 * the caller. The chain's later entries are return addresses, named
		 * by the byte before them: the call's address plus one.
		 */
		for (uint64_t i = 0; i < nbr; i++) {
			struct lbr_entry e;

			memcpy(&e, branches + i * sizeof(e), sizeof(e));
			v = e.from + 1;
			memcpy(p, &v, 8), p += 8;
		}
	}
	if (dyn)
		memcpy(p, stack, dyn);
}

static const uint8_t *find_build_id(const struct perf_source *ps, const char *file, uint8_t *len)
{
	for (size_t i = ps->nbids; i-- > 0;) {
		if (!strcmp(ps->bids[i].file, file)) {
			*len = ps->bids[i].len;
			return ps->bids[i].id;
		}
	}
	return NULL;
}

static void convert_mmap(struct perf_source *ps, const struct perf_event_header *h,
			 const uint8_t *body, size_t len, struct out *o)
{
	struct cur c = {body, body + len, false};
	uint64_t v = get_u64(&c), start = get_u64(&c), mlen = get_u64(&c), pgoff = get_u64(&c);
	uint64_t time;
	uint32_t prot = PROT_READ | PROT_EXEC, flags = MAP_PRIVATE;
	const uint8_t *fixed = NULL, *bid = NULL;
	struct rec_mmap *m;
	const char *name;
	size_t nlen = 0;
	uint8_t blen = 0;

	if (h->type == PERF_RECORD_MMAP2) {
		uint64_t pf;

		fixed = get_bytes(&c, 24); /* maj, min, ino, generation; or a build-id */
		pf = get_u64(&c);
		prot = (uint32_t)pf;
		flags = (uint32_t)(pf >> 32);
	} else if (h->misc & PERF_RECORD_MISC_MMAP_DATA) {
		prot = PROT_READ;
	}
	name = get_name(&c, &nlen);
	if (c.bad || !name) {
		ps->n.malformed++;
		return;
	}
	time = trailer_time(ps, c.p, (size_t)(c.end - c.p));
	/* the kernel's own mapping: where its text starts names this boot's layout */
	if ((uint32_t)v == UINT32_MAX && !strncmp(name, "[kernel.kallsyms]", 17) &&
	    !ps->kernel_text)
		ps->kernel_text = pgoff;
	m = out_reserve(o, record_size(sizeof(*m), nlen + 1));
	m->h.type = REC_MMAP;
	m->h.size = (uint32_t)record_size(sizeof(*m), nlen + 1);
	m->pid = (uint32_t)v;
	m->tid = (uint32_t)(v >> 32);
	m->time = time;
	m->start = start;
	m->len = mlen;
	m->pgoff = pgoff;
	m->prot = prot;
	m->flags = flags;
	if (fixed && (h->misc & PERF_RECORD_MISC_MMAP_BUILD_ID) && fixed[0] <= BUILD_ID_MAX) {
		m->build_id_len = fixed[0];
		memcpy(m->build_id, fixed + 4, fixed[0]);
	} else if ((bid = find_build_id(ps, name, &blen))) {
		m->build_id_len = blen;
		memcpy(m->build_id, bid, blen);
	}
	memcpy(m + 1, name, nlen);
}

static void convert_comm(struct perf_source *ps, const struct perf_event_header *h,
			 const uint8_t *body, size_t len, struct out *o)
{
	struct cur c = {body, body + len, false};
	uint64_t v = get_u64(&c), time;
	size_t nlen = 0;
	const char *name = get_name(&c, &nlen);
	struct rec_comm *r;

	if (c.bad || !name) {
		ps->n.malformed++;
		return;
	}
	time = trailer_time(ps, c.p, (size_t)(c.end - c.p));
	r = out_reserve(o, record_size(sizeof(*r), nlen + 1));
	r->h.type = REC_COMM;
	r->h.size = (uint32_t)record_size(sizeof(*r), nlen + 1);
	r->h.misc = (h->misc & PERF_RECORD_MISC_COMM_EXEC) ? 1 : 0;
	r->pid = (uint32_t)v;
	r->tid = (uint32_t)(v >> 32);
	r->time = time;
	memcpy(r + 1, name, nlen);
}

static void convert_task(struct perf_source *ps, const struct perf_event_header *h,
			 const uint8_t *body, size_t len, struct out *o)
{
	struct cur c = {body, body + len, false};
	uint64_t a = get_u64(&c), b = get_u64(&c), time = get_u64(&c);
	struct rec_task *t;

	if (c.bad) {
		ps->n.malformed++;
		return;
	}
	t = out_reserve(o, sizeof(*t));
	t->h.type = h->type == PERF_RECORD_FORK ? REC_FORK : REC_EXIT;
	t->h.size = sizeof(*t);
	t->pid = (uint32_t)a;
	t->ppid = (uint32_t)(a >> 32);
	t->tid = (uint32_t)b;
	t->ptid = (uint32_t)(b >> 32);
	t->time = time;
}

static void convert_lost(struct perf_source *ps, const struct perf_event_header *h,
			 const uint8_t *body, size_t len, struct out *o)
{
	struct cur c = {body, body + len, false};
	struct rec_lost *l;
	uint64_t count, time;

	if (h->type == PERF_RECORD_LOST)
		get_u64(&c); /* the event's id */
	count = get_u64(&c);
	if (c.bad) {
		ps->n.malformed++;
		return;
	}
	time = trailer_time(ps, c.p, (size_t)(c.end - c.p));
	if (h->type == PERF_RECORD_LOST)
		ps->n.lost_ring += count;
	else
		ps->n.lost_samples += count;
	l = out_reserve(o, sizeof(*l));
	l->h.type = REC_LOST;
	l->h.size = sizeof(*l);
	l->h.misc = h->type == PERF_RECORD_LOST ? LOST_RING : LOST_SAMPLES;
	l->time = time;
	l->count = count;
}

static void convert_throttle(struct perf_source *ps, const struct perf_event_header *h,
			     const uint8_t *body, size_t len, struct out *o)
{
	struct cur c = {body, body + len, false};
	uint64_t time = get_u64(&c);
	struct rec_throttle *t;

	if (c.bad) {
		ps->n.malformed++;
		return;
	}
	if (h->type == PERF_RECORD_THROTTLE)
		ps->n.throttled++;
	else
		ps->n.unthrottled++;
	t = out_reserve(o, sizeof(*t));
	t->h.type = REC_THROTTLE;
	t->h.size = sizeof(*t);
	t->h.misc = h->type == PERF_RECORD_UNTHROTTLE;
	t->time = time;
}

/* The stream form's records that describe the recording. */
static int stream_header(struct perf_source *ps, const struct perf_event_header *h,
			 const uint8_t *body, size_t len)
{
	switch (h->type) {
	case PERF_USER_HEADER_ATTR: {
		uint64_t size;

		if (len < PERF_ATTR_SIZE_VER0)
			return -EBADMSG;
		memcpy(&size, body + 4, 4);
		size &= 0xffffffff;
		if (size < PERF_ATTR_SIZE_VER0 || size > len || (len - size) % 8)
			return -EBADMSG;
		if (add_attr(ps, body, size) < 0 ||
		    add_ids(ps, (uint32_t)ps->nattrs - 1, body + size, (len - size) / 8) < 0)
			return -EBADMSG;
		choose_event(ps);
		build_meta(ps);
		return 0;
	}
	case PERF_USER_HEADER_BUILD_ID: {
		struct cur c = {(const uint8_t *)h, body + len, false};

		read_build_ids(ps, &c);
		return 0;
	}
	case PERF_USER_HEADER_FEATURE: {
		uint64_t feat;

		if (len < 8)
			return -EBADMSG;
		memcpy(&feat, body, 8);
		if (feat < FEAT_BITS)
			read_feature(ps, (int)feat, body + 8, len - 8);
		build_meta(ps);
		return 0;
	}
	}
	return 0;
}

/* Decompresses one PERF_RECORD_COMPRESSED's bytes after what is left of the last one's. */
static int decompress(struct perf_source *ps, const uint8_t *src, size_t len, const char **detail)
{
	ZSTD_inBuffer in = {src, len, 0};

	/* keep the part of a record the last one ended in */
	if (ps->dec_pos) {
		memmove(ps->dec, ps->dec + ps->dec_pos, ps->dec_len - ps->dec_pos);
		ps->dec_len -= ps->dec_pos;
		ps->dec_pos = 0;
	}
	while (in.pos < in.size) {
		ZSTD_outBuffer out;
		size_t ret;

		if (ps->dec_len + (1u << 16) > ps->dec_alloc) {
			if (ps->dec_len > DECODED_MAX) {
				*detail = "a compressed record decodes to more than 64 MiB";
				return -EBADMSG;
			}
			xgrow(&ps->dec, &ps->dec_alloc, ps->dec_len + (1u << 18), 1);
		}
		out.dst = ps->dec + ps->dec_len;
		out.size = ps->dec_alloc - ps->dec_len;
		out.pos = 0;
		ret = ZSTD_decompressStream(ps->dctx, &out, &in);
		if (ZSTD_isError(ret)) {
			*detail = "a compressed record does not decompress (perf record -z data "
				  "damaged)";
			return -EBADMSG;
		}
		ps->dec_len += out.pos;
		if (!out.pos && in.pos < in.size && out.size)
			break; /* no progress with room to spare: nothing more comes out */
	}
	return 0;
}

/*
 * The next record of the file itself into *h and *body (valid while the
 * source is open): 1, 0 at the end of the data, -EBADMSG.
 */
static int file_record(struct perf_source *ps, struct perf_event_header *h, const uint8_t **body,
		       const char **detail)
{
	uint64_t have = ps->data_end - ps->pos;

	if (have < sizeof(*h)) {
		ps->truncated = have != 0;
		return 0;
	}
	memcpy(h, ps->map + ps->pos, sizeof(*h));
	if (h->size < sizeof(*h)) {
		*detail = "a record's size is smaller than its header";
		return -EBADMSG;
	}
	if (have < h->size) {
		ps->truncated = true;
		return 0;
	}
	*body = ps->map + ps->pos + sizeof(*h);
	ps->pos += h->size;
	return 1;
}

/* The next record from a compressed record's decoded bytes: 1, or 0 when none is whole. */
static int decoded_record(struct perf_source *ps, struct perf_event_header *h, const uint8_t **body,
			  const char **detail)
{
	size_t have = ps->dec_len - ps->dec_pos;

	if (have < sizeof(*h))
		return 0;
	memcpy(h, ps->dec + ps->dec_pos, sizeof(*h));
	if (h->size < sizeof(*h)) {
		*detail = "a compressed record holds a record smaller than its header";
		return -EBADMSG;
	}
	if (have < h->size)
		return 0;
	*body = ps->dec + ps->dec_pos + sizeof(*h);
	ps->dec_pos += h->size;
	return 1;
}

static void convert(struct perf_source *ps, const struct perf_event_header *h, const uint8_t *body,
		    size_t len, bool skip_samples, struct out *o)
{
	switch (h->type) {
	case PERF_RECORD_SAMPLE:
		if (skip_samples) {
			int which = sample_attr(ps, body, len);

			ps->n.samples += which == ps->sampled;
			ps->n.other += which != ps->sampled;
		} else {
			convert_sample(ps, h, body, len, o);
		}
		break;
	case PERF_RECORD_MMAP:
	case PERF_RECORD_MMAP2:
		convert_mmap(ps, h, body, len, o);
		break;
	case PERF_RECORD_COMM:
		convert_comm(ps, h, body, len, o);
		break;
	case PERF_RECORD_FORK:
	case PERF_RECORD_EXIT:
		convert_task(ps, h, body, len, o);
		break;
	case PERF_RECORD_LOST:
	case PERF_RECORD_LOST_SAMPLES:
		convert_lost(ps, h, body, len, o);
		break;
	case PERF_RECORD_THROTTLE:
	case PERF_RECORD_UNTHROTTLE:
		convert_throttle(ps, h, body, len, o);
		break;
	default:
		break; /* the rest (switches, aux, ksymbol, perf's own) says nothing a report uses
			*/
	}
}

/* AUXTRACE's trace bytes follow the record, outside its size: stepped over. */
static void skip_auxtrace(struct perf_source *ps, const struct perf_event_header *h,
			  const uint8_t *body)
{
	uint64_t skip = 0;

	if (h->size >= sizeof(*h) + 8)
		memcpy(&skip, body, 8);
	if (skip > ps->data_end - ps->pos) {
		ps->pos = ps->data_end;
		ps->truncated = true;
	} else {
		ps->pos += skip;
	}
}

/*
 * The pages of records already converted are given back as the reading
 * goes (they stay in the page cache): a pass over a file of gigabytes does
 * not hold it all in its resident set.
 */
static void drop_read(struct perf_source *ps)
{
	uint64_t end = ps->pos & ~(uint64_t)0xfffff; /* whole MiBs: whole pages of any size */

	if (end < ps->dropped + (32u << 20))
		return;
	madvise((void *)(ps->map + ps->dropped), end - ps->dropped, MADV_DONTNEED);
	ps->dropped = end;
}

int perf_source_next(struct perf_source *ps, uint8_t **buf, size_t *alloc, size_t *len, size_t want,
		     bool skip_samples, const char **detail)
{
	struct out o = {buf, alloc, 0};

	*detail = NULL;
	*len = 0;
	while (!ps->done && o.len < want) {
		struct perf_event_header h;
		const uint8_t *body;
		int ret = decoded_record(ps, &h, &body, detail);

		if (ret == 0)
			ret = file_record(ps, &h, &body, detail);
		drop_read(ps);
		if (ret > 0 && ps->prescan && h.type == PERF_RECORD_SAMPLE) {
			/* without the header's first sample time, the stream's first sample's */
			size_t at = o.len;

			if (!ps->first_time && ps->sampled >= 0) {
				convert_sample(ps, &h, body, h.size - sizeof(h), &o);
				if (o.len > at)
					ps->first_time =
					    ((const struct rec_sample *)(*o.buf + at))->time;
			}
			ps->done = true;
			break;
		}
		if (ret < 0) {
			ps->done = true;
			*len = o.len;
			return ret;
		}
		if (ret == 0) {
			ps->done = true;
			if (ps->dec_len > ps->dec_pos)
				ps->truncated = true;
			finish_stats(ps);
			break;
		}
		if (h.type == PERF_USER_COMPRESSED) {
			ret = decompress(ps, body, h.size - sizeof(h), detail);
		} else if (h.type == PERF_USER_AUXTRACE) {
			skip_auxtrace(ps, &h, body);
		} else if (h.type >= PERF_USER_HEADER_ATTR && ps->pipe) {
			if (!ps->headers_read)
				ret = stream_header(ps, &h, body, h.size - sizeof(h));
			if (ret < 0)
				*detail = "a header record of the perf.data stream is damaged";
		} else if (ps->sampled >= 0) {
			convert(ps, &h, body, h.size - sizeof(h), skip_samples, &o);
		}
		if (ret < 0) {
			ps->done = true;
			*len = o.len;
			return ret;
		}
	}
	*len = o.len;
	return o.len ? 1 : 0;
}

/*
 * The records before the first sample: the stream form's attributes and
 * features, and the kernel's mapping (where its text lies on the boot that
 * recorded), which the metadata names before any record is handed out.
 */
static int prescan(struct perf_source *ps, const char **detail)
{
	uint8_t *scratch = NULL;
	size_t alloc = 0, len;
	int ret;

	perf_source_rewind(ps);
	ps->prescan = true;
	do
		ret = perf_source_next(ps, &scratch, &alloc, &len, 1u << 20, true, detail);
	while (ret > 0 && !ps->done && len);
	free(scratch);
	ps->prescan = false;
	ps->headers_read = true;
	if (ps->pipe && ps->sampled < 0) {
		*detail = ret < 0 ? *detail : "the perf.data stream describes no event";
		return -EBADMSG;
	}
	build_meta(ps);
	ps->stats.len = 0;
	perf_source_rewind(ps);
	return 0;
}
