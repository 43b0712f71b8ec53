// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * perf.data through the data reader, on files made here byte by byte as
 * perf.data-file-format.txt lays them out: what a machine without an LBR
 * or another byte order cannot record (LBR call stacks, other events'
 * samples by identifier, the stream form, compressed records that split a
 * record, a file cut mid-record, build-ids from the header).
 */
#include "store/datafile.h"
#include "tap.h"

#include <errno.h>
#include <asm/perf_regs.h>
#include <linux/perf_event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <zstd.h>

/* ---- a perf.data writer for the tests ---- */

struct buf {
	uint8_t *p;
	size_t len, alloc;
};

static void put(struct buf *b, const void *v, size_t n)
{
	if (b->len + n > b->alloc) {
		b->alloc = (b->len + n) * 2 + 64;
		b->p = realloc(b->p, b->alloc);
	}
	memcpy(b->p + b->len, v, n);
	b->len += n;
}

static void put64(struct buf *b, uint64_t v)
{
	put(b, &v, 8);
}

static void put32(struct buf *b, uint32_t v)
{
	put(b, &v, 4);
}

/* A record: header, then the body in `body`. */
static void put_rec(struct buf *b, uint32_t type, uint16_t misc, const struct buf *body)
{
	struct perf_event_header h = {type, misc, (uint16_t)(sizeof(h) + body->len)};

	put(b, &h, sizeof(h));
	put(b, body->p, body->len);
}

static void put_name(struct buf *b, const char *s)
{
	size_t n = strlen(s) + 1, pad = (n + 7) / 8 * 8;
	uint8_t z[8] = {0};

	put(b, s, n);
	put(b, z, pad - n);
}

/* perf's header strings: u32 length with padding, the string, NUL and padding */
static void put_hstring(struct buf *b, const char *s)
{
	size_t n = strlen(s) + 1, pad = (n + 63) / 64 * 64;
	uint8_t z[64] = {0};

	put32(b, (uint32_t)pad);
	put(b, s, n);
	put(b, z, pad - n);
}

struct fattr {
	struct perf_event_attr a;
	uint64_t id;
};

/*
 * A whole perf.data: header, attributes (each with one id), the records,
 * and the features given (bit, bytes). Returns a memfd path's fd.
 */
static int make_file(const struct fattr *attrs, int nattrs, const struct buf *data,
		     const int *feats, const struct buf *featbufs, int nfeats)
{
	struct buf f = {0};
	uint64_t hdr_size = 104, attr_entry = sizeof(struct perf_event_attr) + 16;
	uint64_t attrs_off = hdr_size, ids_off = attrs_off + nattrs * attr_entry;
	uint64_t data_off = ids_off + 8 * nattrs, feat_off = data_off + data->len;
	uint64_t bits[4] = {0};
	int fd;

	for (int i = 0; i < nfeats; i++)
		bits[feats[i] / 64] |= 1ull << (feats[i] % 64);
	put(&f, "PERFILE2", 8);
	put64(&f, hdr_size);
	put64(&f, attr_entry);
	put64(&f, attrs_off), put64(&f, nattrs * attr_entry);
	put64(&f, data_off), put64(&f, data->len);
	put64(&f, 0), put64(&f, 0);
	put(&f, bits, sizeof(bits));
	for (int i = 0; i < nattrs; i++) {
		put(&f, &attrs[i].a, sizeof(attrs[i].a));
		put64(&f, ids_off + 8 * i), put64(&f, 8);
	}
	for (int i = 0; i < nattrs; i++)
		put64(&f, attrs[i].id);
	put(&f, data->p, data->len);
	/* feature sections: the table, then the contents, in bit order */
	{
		uint64_t off = feat_off + 16 * nfeats;

		for (int i = 0; i < nfeats; i++) {
			put64(&f, off), put64(&f, featbufs[i].len);
			off += featbufs[i].len;
		}
		for (int i = 0; i < nfeats; i++)
			put(&f, featbufs[i].p, featbufs[i].len);
	}
	fd = memfd_create("perfdata", 0);
	if (fd < 0 || write(fd, f.p, f.len) != (ssize_t)f.len)
		abort();
	free(f.p);
	return fd;
}

static struct perf_event_attr base_attr(uint64_t sample_type)
{
	struct perf_event_attr a;

	memset(&a, 0, sizeof(a));
	a.size = sizeof(a);
	a.type = PERF_TYPE_SOFTWARE;
	a.config = PERF_COUNT_SW_CPU_CLOCK;
	a.sample_period = 4000;
	a.freq = 1;
	a.sample_type = sample_type;
	a.sample_id_all = 1;
	return a;
}

static int open_fd(int fd, struct data_reader **r, const char **detail)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	return data_reader_open(path, r, detail);
}

/* Every record of the file in order; the count, and the samples' views in sv[]. */
static int read_all(struct data_reader *r, struct sample_view *sv, int max, int *nsamples,
		    int *nmmap, int *ret)
{
	struct data_record rec;
	const char *detail;
	int n = 0;

	*nsamples = *nmmap = 0;
	while ((*ret = data_reader_next(r, &rec, &detail)) > 0) {
		n++;
		if (rec.rec->type == REC_SAMPLE && *nsamples < max &&
		    record_sample(rec.rec, &sv[*nsamples]) == 0) {
			/* the view points into the reader's buffer: keep a copy */
			struct rec_sample *copy = malloc(rec.rec->size);

			memcpy(copy, rec.rec, rec.rec->size);
			record_sample(&copy->h, &sv[(*nsamples)++]);
		}
		*nmmap += rec.rec->type == REC_MMAP;
	}
	return n;
}

static void free_views(struct sample_view *sv, int n)
{
	for (int i = 0; i < n; i++)
		free((void *)sv[i].s);
}

/* ---- the tests ---- */

static void test_lbr(void)
{
	struct fattr at = {.a = base_attr(PERF_SAMPLE_IP | PERF_SAMPLE_TID | PERF_SAMPLE_TIME |
					  PERF_SAMPLE_PERIOD | PERF_SAMPLE_CALLCHAIN |
					  PERF_SAMPLE_BRANCH_STACK),
			   .id = 7};
	struct buf d = {0}, body = {0};
	struct sample_view sv[2];
	struct data_reader *r;
	const char *detail;
	int ns, nm, ret, fd;

	at.a.branch_sample_type = PERF_SAMPLE_BRANCH_USER | PERF_SAMPLE_BRANCH_CALL_STACK;
	put64(&body, 0x401010);		  /* ip */
	put64(&body, 100ull << 32 | 100); /* pid, tid */
	put64(&body, 5000);		  /* time */
	put64(&body, 250000);		  /* period */
	put64(&body, 2);		  /* callchain: the kernel's user context only */
	put64(&body, (uint64_t)PERF_CONTEXT_USER);
	put64(&body, 0x401010);
	put64(&body, 2); /* two calls, latest first */
	put64(&body, 0x400500), put64(&body, 0x401000), put64(&body, 0);
	put64(&body, 0x400300), put64(&body, 0x400480), put64(&body, 0);
	put_rec(&d, PERF_RECORD_SAMPLE, PERF_RECORD_MISC_USER, &body);
	fd = make_file(&at, 1, &d, NULL, NULL, 0);
	ok(open_fd(fd, &r, &detail) == 0, "an LBR recording opens");
	is_str(data_reader_meta_str(r, "call-graph"), "lbr", "its call graph is named lbr");
	is_int(read_all(r, sv, 2, &ns, &nm, &ret), 1, "one record");
	is_int(ns, 1, "one sample");
	is_int(sv[0].s->ncallchain, 4, "chain: user context, the ip, two call sites");
	ok(sv[0].callchain[0] == (uint64_t)PERF_CONTEXT_USER && sv[0].callchain[1] == 0x401010 &&
	       sv[0].callchain[2] == 0x400501 && sv[0].callchain[3] == 0x400301,
	   "the calls' sites, each named as a return address just after it");
	ok(sv[0].s->weight == 250000 && sv[0].s->time == 5000 && sv[0].s->tid == 100,
	   "period, time and thread kept");
	free_views(sv, ns);
	data_reader_close(r);
	close(fd);
	free(d.p), free(body.p);
}

/* Two events told apart by their identifiers; a dummy event first, as perf adds it. */
static void test_events(void)
{
	uint64_t st = PERF_SAMPLE_IDENTIFIER | PERF_SAMPLE_IP | PERF_SAMPLE_TID | PERF_SAMPLE_TIME |
		      PERF_SAMPLE_PERIOD;
	struct fattr at[3] = {{base_attr(st), 1}, {base_attr(st), 2}, {base_attr(st), 3}};
	struct buf d = {0}, body = {0}, desc = {0};
	const int feats[] = {12}; /* EVENT_DESC */
	struct sample_view sv[8];
	struct data_reader *r;
	const char *detail;
	uint64_t v = 0;
	int ns, nm, ret, fd;

	at[0].a.config = PERF_COUNT_SW_DUMMY;
	at[0].a.sample_period = 1;
	at[0].a.freq = 0;
	at[2].a.config = PERF_COUNT_SW_PAGE_FAULTS;
	for (int i = 0; i < 5; i++) {
		body.len = 0;
		put64(&body, i < 3 ? 2 : 3); /* identifier: three of the first event */
		put64(&body, 0x1000 + i);
		put64(&body, 9ull << 32 | 9);
		put64(&body, 100 + i);
		put64(&body, 1);
		put_rec(&d, PERF_RECORD_SAMPLE, PERF_RECORD_MISC_USER, &body);
	}
	put32(&desc, 3);
	put32(&desc, sizeof(struct perf_event_attr));
	for (int i = 0; i < 3; i++) {
		put(&desc, &at[i].a, sizeof(at[i].a));
		put32(&desc, 1);
		put_hstring(&desc, i == 0 ? "dummy:u" : i == 1 ? "cpu-clock:u" : "page-faults:u");
		put64(&desc, at[i].id);
	}
	fd = make_file(at, 3, &d, feats, &desc, 1);
	ok(open_fd(fd, &r, &detail) == 0, "a recording of three events opens");
	is_str(data_reader_meta_str(r, "event"), "cpu-clock:u",
	       "the first sampling event after the dummy is the one read, by its name");
	read_all(r, sv, 8, &ns, &nm, &ret);
	is_int(ns, 3, "its samples only");
	data_reader_stat_u64(r, "perf-other-samples", &v);
	is_int((long long)v, 2, "the other event's samples counted");
	is_str(data_reader_meta_str(r, "perf-other-event"), "page-faults:u",
	       "and that event named");
	free_views(sv, ns);
	data_reader_close(r);
	close(fd);
	free(d.p), free(body.p), free(desc.p);
}

/* The stream form (perf record -o -): a 16-byte header, attributes as records. */
static void test_stream(void)
{
	struct perf_event_attr a = base_attr(PERF_SAMPLE_IP | PERF_SAMPLE_TID | PERF_SAMPLE_TIME);
	struct buf f = {0}, body = {0};
	struct sample_view sv[4];
	struct data_reader *r;
	const char *detail;
	int ns, nm, ret, fd;

	put(&f, "PERFILE2", 8);
	put64(&f, 16);
	put(&body, &a, sizeof(a));
	put64(&body, 42);	   /* its id */
	put_rec(&f, 64, 0, &body); /* HEADER_ATTR */
	body.len = 0;
	put64(&body, 5ull << 32 | 5); /* pid, tid */
	put64(&body, 0x7f0000000000), put64(&body, 0x1000), put64(&body, 0);
	put_name(&body, "/usr/lib/libfake.so");
	put64(&body, 5ull << 32 | 5), put64(&body, 10); /* sample_id: tid, time */
	put_rec(&f, PERF_RECORD_MMAP, 0, &body);
	body.len = 0;
	put64(&body, 0x7f0000000010);
	put64(&body, 5ull << 32 | 5);
	put64(&body, 20);
	put_rec(&f, PERF_RECORD_SAMPLE, PERF_RECORD_MISC_USER, &body);
	fd = memfd_create("stream", 0);
	if (write(fd, f.p, f.len) != (ssize_t)f.len)
		abort();
	ok(open_fd(fd, &r, &detail) == 0, "the stream form opens");
	is_str(data_reader_meta_str(r, "event"), "cpu-clock", "its event named from the attribute");
	is_int(read_all(r, sv, 4, &ns, &nm, &ret), 2, "a map and a sample");
	ok(ns == 1 && nm == 1 && sv[0].s->ip == 0x7f0000000010, "both converted");
	free_views(sv, ns);
	data_reader_close(r);
	close(fd);
	free(f.p), free(body.p);
}

/*
 * perf record -z: one zstd stream over PERF_RECORD_COMPRESSED records, each
 * flushed, a record split between two of them; build-ids from the header.
 */
static void test_compressed(void)
{
	struct fattr at = {base_attr(PERF_SAMPLE_IP | PERF_SAMPLE_TID | PERF_SAMPLE_TIME), 1};
	struct buf inner = {0}, body = {0}, d = {0}, bid = {0};
	const int feats[] = {2}; /* BUILD_ID */
	struct sample_view sv[64];
	struct data_reader *r;
	struct data_record rec;
	const char *detail;
	ZSTD_CStream *cs = ZSTD_createCStream();
	uint8_t out[1 << 16];
	int ns, nm, ret, fd;
	bool bid_ok = false;

	for (int i = 0; i < 40; i++) {
		body.len = 0;
		put64(&body, 0x400000 + 16 * i);
		put64(&body, 3ull << 32 | 3);
		put64(&body, 1000 + i);
		put_rec(&inner, PERF_RECORD_SAMPLE, PERF_RECORD_MISC_USER, &body);
	}
	body.len = 0;
	put64(&body, 3ull << 32 | 3);
	put64(&body, 0x400000), put64(&body, 0x10000), put64(&body, 0);
	put_name(&body, "/bin/fake");
	put64(&body, 3ull << 32 | 3), put64(&body, 5);
	put_rec(&inner, PERF_RECORD_MMAP, 0, &body);
	ZSTD_initCStream(cs, 3);
	/* two compressed records, the split inside the 17th sample */
	for (int part = 0; part < 2; part++) {
		size_t cut = 16 * 32 + 12;
		ZSTD_inBuffer in = {inner.p + (part ? cut : 0), part ? inner.len - cut : cut, 0};
		ZSTD_outBuffer o = {out, sizeof(out) - 8, 0};
		struct perf_event_header h = {81, 0, 0};

		ZSTD_compressStream(cs, &o, &in);
		ZSTD_flushStream(cs, &o);
		h.size = (uint16_t)(sizeof(h) + o.pos);
		put(&d, &h, sizeof(h));
		put(&d, out, o.pos);
	}
	ZSTD_freeCStream(cs);
	/* the header's build-id for /bin/fake */
	{
		struct perf_event_header h = {67, 0, 0}; /* HEADER_BUILD_ID */
		uint8_t id[24] = {0};

		for (int i = 0; i < 20; i++)
			id[i] = (uint8_t)(0xa0 + i);
		id[20] = 20;
		body.len = 0;
		put32(&body, 3); /* the pid */
		put(&body, id, 24);
		put_name(&body, "/bin/fake");
		h.size = (uint16_t)(sizeof(h) + body.len);
		h.misc = 1 << 15;
		put(&bid, &h, sizeof(h));
		put(&bid, body.p, body.len);
	}
	fd = make_file(&at, 1, &d, feats, &bid, 1);
	ok(open_fd(fd, &r, &detail) == 0, "a compressed recording opens");
	is_int(read_all(r, sv, 64, &ns, &nm, &ret), 41, "every record decompressed");
	ok(ret == 0 && ns == 40 && nm == 1, "40 samples and a map, no error (%d)", ret);
	ok(ns == 40 && sv[16].s->ip == 0x400000 + 16 * 16 && sv[39].s->time == 1039,
	   "the split sample whole, the last in place");
	data_reader_rewind(r);
	while (data_reader_next(r, &rec, &detail) > 0) {
		const struct rec_mmap *m;
		const char *name;

		if (rec.rec->type == REC_MMAP && record_mmap(rec.rec, &m, &name) == 0)
			bid_ok = m->build_id_len == 20 && m->build_id[0] == 0xa0 &&
				 m->build_id[19] == 0xb3;
	}
	ok(bid_ok, "the map carries the header's build-id");
	free_views(sv, ns);
	data_reader_close(r);
	close(fd);
	free(inner.p), free(body.p), free(d.p), free(bid.p);
}

/* A dwarf sample, its stack copy shorter than asked; then the file cut mid-record. */
static void test_stack_and_cut(void)
{
	struct fattr at = {base_attr(PERF_SAMPLE_IP | PERF_SAMPLE_TID | PERF_SAMPLE_TIME |
				     PERF_SAMPLE_REGS_USER | PERF_SAMPLE_STACK_USER),
			   1};
	struct buf d = {0}, body = {0};
	struct sample_view sv[4];
	struct data_reader *r;
	const char *detail;
	uint8_t stack[64];
	int ns, nm, ret, fd;
	bool cut;

	at.a.sample_regs_user =
	    (1ull << PERF_REG_X86_BP) | (1ull << PERF_REG_X86_SP) | (1ull << PERF_REG_X86_IP);
	at.a.sample_stack_user = 64;
	for (int i = 0; i < 64; i++)
		stack[i] = (uint8_t)i;
	for (int i = 0; i < 2; i++) {
		body.len = 0;
		put64(&body, 0x401000);
		put64(&body, 8ull << 32 | 8);
		put64(&body, 77 + i);
		put64(&body, PERF_SAMPLE_REGS_ABI_64);
		put64(&body, 0x7ffd0100), put64(&body, 0x7ffd0000), put64(&body, 0x401000);
		put64(&body, 64);
		put(&body, stack, 64);
		put64(&body, 40); /* dyn_size */
		put_rec(&d, PERF_RECORD_SAMPLE, PERF_RECORD_MISC_USER, &body);
	}
	d.len -= 30; /* the second sample cut */
	fd = make_file(&at, 1, &d, NULL, NULL, 0);
	ok(open_fd(fd, &r, &detail) == 0, "a dwarf recording opens");
	is_str(data_reader_meta_str(r, "call-graph"), "dwarf", "call graph dwarf");
	read_all(r, sv, 4, &ns, &nm, &ret);
	is_int(ns, 1, "the whole sample read, the cut one not");
	ok(ns == 1 && sv[0].s->nregs == 3 && sv[0].regs[1] == 0x7ffd0000 &&
	       sv[0].s->stack_size == 40 && sv[0].stack[39] == 39 &&
	       !(sv[0].s->h.misc & SAMPLE_STACK_FULL),
	   "registers in the mask's order, only the bytes the kernel copied");
	/* the header's data size still covers the cut record: found at its end */
	cut = data_reader_truncated(r);
	ok(cut, "the file is said to be cut");
	free_views(sv, ns);
	data_reader_close(r);
	close(fd);
	free(d.p), free(body.p);
}

static void test_bad(void)
{
	struct fattr at = {base_attr(PERF_SAMPLE_IP | PERF_SAMPLE_TID), 1};
	struct buf d = {0}, body = {0};
	struct sample_view sv[4];
	struct data_reader *r;
	const char *detail = NULL;
	int ns, nm, ret, fd;
	uint8_t other[128] = "2ELIFREP";
	struct perf_event_header bad = {PERF_RECORD_SAMPLE, 0, 4};

	fd = memfd_create("bigendian", 0);
	if (write(fd, other, sizeof(other)) != (ssize_t)sizeof(other))
		abort();
	ret = open_fd(fd, &r, &detail);
	ok(ret == -EPROTONOSUPPORT && detail && strstr(detail, "byte order"),
	   "the other byte order is refused by name (%s)", detail ? detail : "-");
	close(fd);
	put64(&body, 0x1000);
	put64(&body, 1);
	put_rec(&d, PERF_RECORD_SAMPLE, 0, &body);
	put(&d, &bad, sizeof(bad));
	put64(&d, 0);
	fd = make_file(&at, 1, &d, NULL, NULL, 0);
	ok(open_fd(fd, &r, &detail) == 0, "a file with a damaged record opens");
	read_all(r, sv, 4, &ns, &nm, &ret);
	ok(ns == 1 && ret == -EBADMSG, "the sample before the damage, then the error");
	free_views(sv, ns);
	data_reader_close(r);
	close(fd);
	free(d.p), free(body.p);
}

int main(void)
{
	test_lbr();
	test_events();
	test_stream();
	test_compressed();
	test_stack_and_cut();
	test_bad();
	return done_testing();
}
