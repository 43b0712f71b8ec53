// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The conversion of kernel perf records into pmuprof.data records. The
 * kernel's records are built here byte by byte as perf_event_open(2)
 * documents their layout for the sample_type that record asks for (ip,
 * tid, time, cpu, period, callchain, user registers, user stack), then
 * converted into a data file that is read back: every field where it
 * belongs, only the stack bytes the kernel copied, the statistics, the
 * kernel functions named for the sampled kernel addresses, and cut or
 * garbled records counted as malformed without a record written or a
 * byte read beyond the buffer.
 */
#include "collect/offcpu.h"
#include "collect/perfrec.h"
#include "resolve/kallsyms.h"
#include "records.h"
#include "tap.h"

#include <linux/perf_event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define NREGS	   3
#define REGS_MASK  ((1ull << 8) | (1ull << 7) | (1ull << 6)) /* ip, sp, bp on x86-64 */
#define STACK_SIZE 64
#define ALL_TYPES                                                                                  \
	(PERF_SAMPLE_IP | PERF_SAMPLE_TID | PERF_SAMPLE_TIME | PERF_SAMPLE_CPU |                   \
	 PERF_SAMPLE_PERIOD | PERF_SAMPLE_CALLCHAIN | PERF_SAMPLE_REGS_USER |                      \
	 PERF_SAMPLE_STACK_USER)

static char dir[] = "/tmp/pmuprof-test-perfrec.XXXXXX";

/* ---- kernel records, byte by byte ----------------------------------------- */

struct buf {
	uint8_t *data;
	size_t len, alloc;
	size_t start; /* of the record being built */
};

static void put(struct buf *b, const void *p, size_t n)
{
	if (b->len + n > b->alloc) {
		b->alloc = (b->len + n) * 2 + 256;
		b->data = realloc(b->data, b->alloc);
		if (!b->data)
			abort();
	}
	memcpy(b->data + b->len, p, n);
	b->len += n;
}

static void put_u64(struct buf *b, uint64_t v)
{
	put(b, &v, 8);
}

static void put_u32x2(struct buf *b, uint32_t lo, uint32_t hi)
{
	put_u64(b, (uint64_t)hi << 32 | lo);
}

/* A name with its NUL, padded with zeros to 8 bytes, as the kernel writes it. */
static void put_name(struct buf *b, const char *s)
{
	static const uint8_t zeros[8];
	size_t n = strlen(s) + 1;

	put(b, s, n);
	put(b, zeros, (8 - n % 8) % 8);
}

static void begin(struct buf *b, uint32_t type, uint16_t misc)
{
	struct perf_event_header h = { .type = type, .misc = misc, .size = 0 };

	b->start = b->len;
	put(b, &h, sizeof(h));
}

/* Sets the header's size to what was put since begin(), or to `size` when not 0. */
static void end(struct buf *b, uint16_t size)
{
	struct perf_event_header *h = (struct perf_event_header *)(b->data + b->start);

	h->size = size ? size : (uint16_t)(b->len - b->start);
}

/* The sample_id_all trailer for sample_type ALL_TYPES: tid, time, cpu. */
static void put_sample_id(struct buf *b, uint32_t pid, uint32_t tid, uint64_t time)
{
	put_u32x2(b, pid, tid);
	put_u64(b, time);
	put_u64(b, 1); /* cpu, res */
}

struct sample_spec {
	uint16_t misc;
	uint64_t ip;
	uint32_t pid, tid, cpu;
	uint64_t time, period;
	const uint64_t *chain;
	uint64_t nr;
	bool regs;
	uint64_t stack_size, dyn_size; /* stack_size 0: none */
	uint8_t fill;
};

static void put_sample(struct buf *b, const struct sample_spec *s)
{
	begin(b, PERF_RECORD_SAMPLE, s->misc);
	put_u64(b, s->ip);
	put_u32x2(b, s->pid, s->tid);
	put_u64(b, s->time);
	put_u32x2(b, s->cpu, 0);
	put_u64(b, s->period);
	put_u64(b, s->nr);
	for (uint64_t i = 0; i < s->nr; i++)
		put_u64(b, s->chain[i]);
	if (s->regs) {
		put_u64(b, PERF_SAMPLE_REGS_ABI_64);
		/* in the order of the mask's bits: bp, sp, ip */
		put_u64(b, 0x7ffd0f00);
		put_u64(b, 0x7ffd1000);
		put_u64(b, s->ip);
	} else {
		put_u64(b, PERF_SAMPLE_REGS_ABI_NONE);
	}
	put_u64(b, s->stack_size);
	if (s->stack_size) {
		for (uint64_t i = 0; i < s->stack_size; i++) {
			/* the copied bytes, then what the kernel left unwritten */
			uint8_t c = i < s->dyn_size ? (uint8_t)(s->fill + i) : 0xee;

			put(b, &c, 1);
		}
		put_u64(b, s->dyn_size);
	}
	end(b, 0);
}

/* ---- the data file, read back --------------------------------------------- */


static int convert_file(const char *name, struct perfrec *pr, uint64_t sample_type,
			const struct buf *b, struct records *out,
			int (*more)(struct perfrec *pr, void *arg), void *arg)
{
	char path[256];
	struct data_writer *w;
	int ret;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	memset(out, 0, sizeof(*out));
	if (data_writer_open(path, &w) < 0)
		return -1;
	perfrec_init(pr, w, sample_type, REGS_MASK, STACK_SIZE);
	ret = b ? perfrec_convert(pr, b->data, b->len, false) : 0;
	if (ret == 0 && more)
		ret = more(pr, arg);
	if (data_writer_finish(w) < 0 || ret < 0) {
		data_writer_close(w);
		return -1;
	}
	data_writer_close(w);
	ret = records_read(path, out);
	unlink(path);
	return ret;
}

/* The i-th record of a type, or NULL. */
static const struct rec_header *nth(const struct records *rs, unsigned type, size_t i)
{
	for (size_t k = 0; k < rs->n; k++)
		if (rs->v[k]->type == type && i-- == 0)
			return rs->v[k];
	return NULL;
}

static size_t count(const struct records *rs, unsigned type)
{
	size_t n = 0;

	for (size_t k = 0; k < rs->n; k++)
		n += rs->v[k]->type == type;
	return n;
}

/* ---- samples -------------------------------------------------------------- */

#define K1 0xffffffff81100010ull
#define K2 0xffffffff81200000ull /* a return address at the start of a function */
#define K3 0xffffffff81300020ull

static void test_samples(void)
{
	static const uint64_t chain[] = { PERF_CONTEXT_KERNEL, K1, K2, PERF_CONTEXT_USER,
					  0x401234 };
	struct sample_spec s[] = {
	    /* a user sample, the kernel copied 40 of the 64 bytes asked for */
	    { .ip = 0x401000,
	     .pid = 100,
	     .tid = 101,
	     .cpu = 1,
	     .time = 5000,
	     .period = 1000,
	     .regs = true,
	     .stack_size = STACK_SIZE,
	     .dyn_size = 40,
	     .fill = 0x10 },
	    /* the copy filled the size: more stack existed */
	    { .ip = 0x401100,
	     .pid = 100,
	     .tid = 102,
	     .cpu = 0,
	     .time = 3000,
	     .period = 2000,
	     .regs = true,
	     .stack_size = STACK_SIZE,
	     .dyn_size = STACK_SIZE,
	     .fill = 0x20 },
	    /* a kernel thread: kernel frames, no user registers, no stack */
	    { .misc = PERF_RECORD_MISC_KERNEL,
	     .ip = K1,
	     .pid = 0,
	     .tid = 7,
	     .cpu = 1,
	     .time = 9000,
	     .period = 4000,
	     .chain = chain,
	     .nr = 5 },
	    /* a dyn_size beyond the size: no more than the size is kept */
	    { .ip = 0x401200,
	     .pid = 100,
	     .tid = 101,
	     .time = 6000,
	     .period = 8000,
	     .regs = true,
	     .stack_size = 16,
	     .dyn_size = 1000,
	     .fill = 0x30 },
	    /* a kernel sample with no callchain: its ip is a kernel address */
	    { .misc = PERF_RECORD_MISC_KERNEL,
	     .ip = K3,
	     .pid = 100,
	     .tid = 101,
	     .time = 7000,
	     .period = 16000,
	     .regs = true },
	};
	struct buf b = { 0 };
	struct perfrec pr;
	struct records rs;
	struct sample_view v;
	const struct rec_header *h;
	bool fields = true, regs = true, stack = true;
	int ret;

	for (size_t i = 0; i < ARRAY_SIZE(s); i++)
		put_sample(&b, &s[i]);
	ret = convert_file("samples.data", &pr, ALL_TYPES, &b, &rs, NULL, NULL);
	is_int(ret, 0, "samples: converted and read back");
	is_int((long long)count(&rs, REC_SAMPLE), 5, "samples: one record each");
	is_int((long long)pr.st.samples, 5, "samples: counted");
	is_int((long long)pr.st.weight, 1000 + 2000 + 4000 + 8000 + 16000,
	       "samples: weight is the sum of periods");
	is_int((long long)pr.st.first_time, 3000, "samples: first time");
	is_int((long long)pr.st.last_time, 9000, "samples: last time");
	is_int((long long)pr.st.samples_stack_full, 2, "samples: two filled the stack copy");
	is_int((long long)pr.st.malformed, 0, "samples: none malformed");
	for (size_t i = 0; i < ARRAY_SIZE(s); i++) {
		h = nth(&rs, REC_SAMPLE, i);
		if (!h || record_sample(h, &v) < 0) {
			fields = regs = stack = false;
			continue;
		}
		fields &= v.s->pid == s[i].pid && v.s->tid == s[i].tid && v.s->time == s[i].time &&
			  v.s->weight == s[i].period && v.s->ip == s[i].ip && v.s->cpu == s[i].cpu;
		if (s[i].regs)
			regs &= v.s->nregs == NREGS && v.regs[0] == 0x7ffd0f00 &&
				v.regs[1] == 0x7ffd1000 && v.regs[2] == s[i].ip;
		else
			regs &= v.s->nregs == 0;
		for (uint32_t k = 0; k < v.s->stack_size; k++)
			stack &= v.stack[k] == (uint8_t)(s[i].fill + k);
	}
	ok(fields, "samples: pid, tid, time, weight, ip and cpu where they belong");
	ok(regs, "samples: user registers in the mask's order, none without them");
	ok(stack, "samples: the stack bytes as copied");

	h = nth(&rs, REC_SAMPLE, 0);
	if (h && record_sample(h, &v) == 0) {
		is_int(v.s->stack_size, 40, "user sample: only the 40 bytes copied are kept");
		is_int(v.s->h.misc, 0, "user sample: not kernel, not full");
	}
	h = nth(&rs, REC_SAMPLE, 1);
	if (h && record_sample(h, &v) == 0) {
		is_int(v.s->stack_size, STACK_SIZE, "full copy: all 64 bytes");
		is_int(v.s->h.misc, SAMPLE_STACK_FULL, "full copy: marked full");
	}
	h = nth(&rs, REC_SAMPLE, 2);
	if (h && record_sample(h, &v) == 0) {
		is_int(v.s->h.misc, SAMPLE_KERNEL | SAMPLE_NO_USER_REGS,
		       "kernel thread: kernel, no user registers");
		is_int(v.s->ncallchain, 5, "kernel thread: the whole callchain");
		ok(!memcmp(v.callchain, chain, sizeof(chain)), "kernel thread: callchain as given");
		is_int(v.s->stack_size, 0, "kernel thread: no stack");
	}
	h = nth(&rs, REC_SAMPLE, 3);
	if (h && record_sample(h, &v) == 0) {
		is_int(v.s->stack_size, 16, "dyn_size beyond size: capped at the size");
		is_int(v.s->h.misc, SAMPLE_STACK_FULL, "dyn_size beyond size: marked full");
	}
	h = nth(&rs, REC_SAMPLE, 4);
	if (h && record_sample(h, &v) == 0)
		is_int(v.s->h.misc, SAMPLE_KERNEL, "kernel ip with user registers: kernel only");

	/* the kernel addresses noted: K1 exactly, K2 at its call (K2 - 1), K3; not the user one */
	{
		bool k1 = false, k2 = false, k3 = false, user = false;

		for (size_t i = 0; i < pr.nkernel_ips; i++) {
			k1 |= pr.kernel_ips[i] == K1;
			k2 |= pr.kernel_ips[i] == K2 - 1;
			k3 |= pr.kernel_ips[i] == K3;
			user |= pr.kernel_ips[i] < 0x800000000000ull;
		}
		ok(k1 && k2 && k3 && !user && pr.nkernel_ips == 3,
		   "kernel addresses: the leaf, a return address's call site, a kernel ip");
	}
	perfrec_release(&pr);
	records_free(&rs);
	free(b.data);
}

/* Samples of a smaller sample_type: ip, tid, time, period, no cpu, no stacks. */
static void test_small_sample_type(void)
{
	uint64_t type = PERF_SAMPLE_IP | PERF_SAMPLE_TID | PERF_SAMPLE_TIME | PERF_SAMPLE_PERIOD;
	struct buf b = { 0 };
	struct perfrec pr;
	struct records rs;
	struct sample_view v;
	const struct rec_header *h;

	begin(&b, PERF_RECORD_SAMPLE, PERF_RECORD_MISC_USER);
	put_u64(&b, 0x400500);
	put_u32x2(&b, 42, 43);
	put_u64(&b, 12345);
	put_u64(&b, 250000);
	end(&b, 0);
	/* a COMM whose trailer is tid and time only */
	begin(&b, PERF_RECORD_COMM, 0);
	put_u32x2(&b, 42, 43);
	put_name(&b, "worker");
	put_u32x2(&b, 42, 43);
	put_u64(&b, 12000);
	end(&b, 0);
	is_int(convert_file("small.data", &pr, type, &b, &rs, NULL, NULL), 0,
	       "small sample_type: converted");
	h = nth(&rs, REC_SAMPLE, 0);
	ok(h && record_sample(h, &v) == 0 && v.s->ip == 0x400500 && v.s->pid == 42 &&
	       v.s->tid == 43 && v.s->time == 12345 && v.s->weight == 250000 && v.s->cpu == 0 &&
	       v.s->nregs == 0 && v.s->ncallchain == 0 && v.s->stack_size == 0 && v.s->h.misc == 0,
	   "small sample_type: the fields it has, nothing else");
	h = nth(&rs, REC_COMM, 0);
	ok(h && ((const struct rec_comm *)h)->time == 12000, "small sample_type: COMM's time");
	is_int((long long)pr.st.malformed, 0, "small sample_type: nothing malformed");
	perfrec_release(&pr);
	records_free(&rs);
	free(b.data);
}

/* ---- the other records ----------------------------------------------------- */

static const uint8_t build_id[20] = {0xde, 0xad, 0xbe, 0xef, 1,	 2,  3,	 4,  5,	 6,
				     7,	   8,	 9,    10,   11, 12, 13, 14, 15, 16};

static void put_mmap2(struct buf *b, uint16_t misc, uint8_t bid_size, const char *name,
		      uint64_t time)
{
	begin(b, PERF_RECORD_MMAP2, misc);
	put_u32x2(b, 100, 101);
	put_u64(b, 0x555555554000);
	put_u64(b, 0x3000);
	put_u64(b, 0x1000);
	if (misc & PERF_RECORD_MISC_MMAP_BUILD_ID) {
		uint8_t fixed[24] = { bid_size };

		memcpy(fixed + 4, build_id, sizeof(build_id));
		put(b, fixed, sizeof(fixed));
	} else {
		put_u32x2(b, 8, 1); /* maj, min */
		put_u64(b, 123456); /* ino */
		put_u64(b, 7);	    /* ino_generation */
	}
	put_u32x2(b, 5, 2); /* PROT_READ | PROT_EXEC, MAP_PRIVATE */
	put_name(b, name);
	put_sample_id(b, 100, 101, time);
	end(b, 0);
}

static int write_task_cpu(struct perfrec *pr, void *arg)
{
	(void)arg;
	return perfrec_write_task_cpu(pr, 300, 301, 20000, 5000000);
}

static void test_other_records(void)
{
	struct buf b = { 0 };
	struct perfrec pr;
	struct records rs;
	const struct rec_header *h;
	const struct rec_mmap *m;
	const struct rec_comm *c;
	const char *name;

	put_mmap2(&b, 0, 0, "/usr/bin/true", 4000);
	put_mmap2(&b, PERF_RECORD_MISC_MMAP_BUILD_ID, 20, "/usr/lib/libc.so.6", 4001);
	put_mmap2(&b, PERF_RECORD_MISC_MMAP_BUILD_ID, 200, "/bad/build-id", 4002);
	put_mmap2(&b, 0, 0, "/exactly/16bytes", 4003); /* its NUL takes a padding of its own */

	begin(&b, PERF_RECORD_COMM, PERF_RECORD_MISC_COMM_EXEC);
	put_u32x2(&b, 100, 100);
	put_name(&b, "burn");
	put_sample_id(&b, 100, 100, 4500);
	end(&b, 0);
	begin(&b, PERF_RECORD_COMM, 0);
	put_u32x2(&b, 100, 101);
	put_name(&b, "burn-worker-1"); /* 13 characters and a NUL: two words */
	put_sample_id(&b, 100, 101, 4600);
	end(&b, 0);

	begin(&b, PERF_RECORD_FORK, 0);
	put_u32x2(&b, 102, 100); /* pid, ppid */
	put_u32x2(&b, 103, 101); /* tid, ptid */
	put_u64(&b, 4700);
	put_sample_id(&b, 102, 103, 4700);
	end(&b, 0);
	begin(&b, PERF_RECORD_EXIT, 0);
	put_u32x2(&b, 102, 102);
	put_u32x2(&b, 103, 103);
	put_u64(&b, 4800);
	put_sample_id(&b, 102, 103, 4800);
	end(&b, 0);

	begin(&b, PERF_RECORD_LOST, 0);
	put_u64(&b, 99); /* the event id */
	put_u64(&b, 7);
	put_sample_id(&b, 0, 0, 4900);
	end(&b, 0);
	begin(&b, PERF_RECORD_LOST_SAMPLES, 0);
	put_u64(&b, 3);
	put_sample_id(&b, 0, 0, 4950);
	end(&b, 0);

	begin(&b, PERF_RECORD_THROTTLE, 0);
	put_u64(&b, 5100);
	put_u64(&b, 99); /* id */
	put_u64(&b, 99); /* stream id */
	put_sample_id(&b, 0, 0, 5100);
	end(&b, 0);
	begin(&b, PERF_RECORD_UNTHROTTLE, 0);
	put_u64(&b, 5200);
	put_u64(&b, 99);
	put_u64(&b, 99);
	put_sample_id(&b, 0, 0, 5200);
	end(&b, 0);

	/* an inherited counter's value as its thread ended (read_format 0) */
	begin(&b, PERF_RECORD_READ, 0);
	put_u32x2(&b, 100, 101);
	put_u64(&b, 123456789);
	put_sample_id(&b, 100, 101, 5300);
	end(&b, 0);

	/* records the converter does not use are stepped over */
	begin(&b, PERF_RECORD_SWITCH, PERF_RECORD_MISC_SWITCH_OUT);
	put_sample_id(&b, 100, 101, 5400);
	end(&b, 0);
	begin(&b, 200, 0);
	put_u64(&b, 0);
	end(&b, 0);

	is_int(convert_file("other.data", &pr, ALL_TYPES, &b, &rs, write_task_cpu, NULL), 0,
	       "other records: converted and read back");
	is_int((long long)rs.n, 4 + 2 + 2 + 2 + 2 + 1 + 1, "other records: one record each");
	is_int((long long)pr.st.malformed, 0, "other records: none malformed");
	is_int((long long)pr.st.samples, 0, "other records: no samples");

	h = nth(&rs, REC_MMAP, 0);
	ok(h && record_mmap(h, &m, &name) == 0 && m->pid == 100 && m->tid == 101 &&
	       m->time == 4000 && m->start == 0x555555554000 && m->len == 0x3000 &&
	       m->pgoff == 0x1000 && m->prot == 5 && m->flags == 2 && m->build_id_len == 0 &&
	       !strcmp(name, "/usr/bin/true"),
	   "MMAP2: pid, tid, time, range, offset, protection, flags, name");
	h = nth(&rs, REC_MMAP, 1);
	ok(h && record_mmap(h, &m, &name) == 0 && m->build_id_len == 20 &&
	       !memcmp(m->build_id, build_id, 20) && !strcmp(name, "/usr/lib/libc.so.6") &&
	       m->time == 4001,
	   "MMAP2 with a build-id: the build-id");
	h = nth(&rs, REC_MMAP, 2);
	ok(h && record_mmap(h, &m, &name) == 0 && m->build_id_len == 0 &&
	       !strcmp(name, "/bad/build-id"),
	   "MMAP2 with a build-id size beyond 20: no build-id");
	h = nth(&rs, REC_MMAP, 3);
	ok(h && record_mmap(h, &m, &name) == 0 && !strcmp(name, "/exactly/16bytes") &&
	       m->time == 4003,
	   "MMAP2 with a name of 16 bytes: the name, and the time after it");

	h = nth(&rs, REC_COMM, 0);
	ok(h && record_comm(h, &c, &name) == 0 && c->pid == 100 && c->tid == 100 &&
	       c->time == 4500 && !strcmp(name, "burn") && c->h.misc == 1,
	   "COMM of an exec: name, time, marked exec");
	h = nth(&rs, REC_COMM, 1);
	ok(h && record_comm(h, &c, &name) == 0 && c->tid == 101 && c->time == 4600 &&
	       !strcmp(name, "burn-worker-1") && c->h.misc == 0,
	   "COMM of a thread: name, time, not exec");

	h = nth(&rs, REC_FORK, 0);
	{
		const struct rec_task *t = (const struct rec_task *)h;

		ok(t && h->size >= sizeof(*t) && t->pid == 102 && t->ppid == 100 && t->tid == 103 &&
		       t->ptid == 101 && t->time == 4700,
		   "FORK: pid, ppid, tid, ptid, time");
		h = nth(&rs, REC_EXIT, 0);
		t = (const struct rec_task *)h;
		ok(t && h->size >= sizeof(*t) && t->pid == 102 && t->tid == 103 && t->time == 4800,
		   "EXIT: pid, tid, time");
	}
	{
		const struct rec_lost *l = (const struct rec_lost *)nth(&rs, REC_LOST, 0);

		ok(l && l->h.misc == LOST_RING && l->count == 7 && l->time == 4900,
		   "LOST: lost in the ring, count, time");
		l = (const struct rec_lost *)nth(&rs, REC_LOST, 1);
		ok(l && l->h.misc == LOST_SAMPLES && l->count == 3 && l->time == 4950,
		   "LOST_SAMPLES: lost in the kernel, count, time");
		is_int((long long)pr.st.lost_ring, 7, "LOST: counted");
		is_int((long long)pr.st.lost_samples, 3, "LOST_SAMPLES: counted");
	}
	{
		const struct rec_throttle *t =
		    (const struct rec_throttle *)nth(&rs, REC_THROTTLE, 0);

		ok(t && t->h.misc == 0 && t->time == 5100, "THROTTLE: throttled, time");
		t = (const struct rec_throttle *)nth(&rs, REC_THROTTLE, 1);
		ok(t && t->h.misc == 1 && t->time == 5200, "UNTHROTTLE: unthrottled, time");
		is_int((long long)pr.st.throttled, 1, "THROTTLE: counted");
		is_int((long long)pr.st.unthrottled, 1, "UNTHROTTLE: counted");
	}
	{
		const struct rec_task_cpu *t = NULL;

		h = nth(&rs, REC_TASK_CPU, 0);
		ok(h && record_task_cpu(h, &t) == 0 && t->pid == 100 && t->tid == 101 &&
		       t->time == 5300 && t->cpu_ns == 123456789,
		   "READ: the thread's CPU time");
		h = nth(&rs, REC_TASK_CPU, 1);
		ok(h && record_task_cpu(h, &t) == 0 && t->pid == 300 && t->tid == 301 &&
		       t->time == 20000 && t->cpu_ns == 5000000,
		   "perfrec_write_task_cpu: the thread's CPU time");
		is_int((long long)pr.st.task_cpu_ns, 123456789 + 5000000,
		       "task CPU time: the sum of both");
	}
	perfrec_release(&pr);
	records_free(&rs);
	free(b.data);
}

/* ---- kernel function names --------------------------------------------------- */

static int write_ksyms(struct perfrec *pr, void *arg)
{
	return perfrec_write_ksyms(pr, arg);
}

static void test_ksyms(void)
{
	static const uint64_t chain[] = { PERF_CONTEXT_KERNEL, K1, K2, K1 + 4 };
	struct sample_spec s[] = {
	    { .misc = PERF_RECORD_MISC_KERNEL,
	     .ip = K1,
	     .tid = 7,
	     .time = 100,
	     .chain = chain,
	     .nr = 4 },
	    /* an address in no known function */
	    { .misc = PERF_RECORD_MISC_KERNEL, .ip = 0xffffffffc0001000ull, .tid = 7, .time = 200 },
	};
	struct kallsyms *k = kallsyms_new();
	struct buf b = { 0 };
	struct perfrec pr;
	struct records rs;
	bool one = false, two = false, three = false;
	int other = 0;

	kallsyms_add(k, K1 - 0x10, K1 + 0x100, "k_one");
	kallsyms_add(k, K2 - 0x80, K2, "k_two");
	kallsyms_add(k, K2, K2 + 0x40, "k_three");
	kallsyms_finish(k);
	for (size_t i = 0; i < ARRAY_SIZE(s); i++)
		put_sample(&b, &s[i]);
	is_int(convert_file("ksyms.data", &pr, ALL_TYPES, &b, &rs, write_ksyms, k), 0,
	       "kernel names: converted");
	for (size_t i = 0; i < count(&rs, REC_KSYM); i++) {
		const struct rec_ksym *r;
		const char *name;

		if (record_ksym(nth(&rs, REC_KSYM, i), &r, &name) < 0)
			other++;
		else if (!strcmp(name, "k_one") && r->start == K1 - 0x10 && r->end == K1 + 0x100)
			one = true;
		else if (!strcmp(name, "k_two") && r->start == K2 - 0x80 && r->end == K2)
			two = true;
		else if (!strcmp(name, "k_three"))
			three = true;
		else
			other++;
	}
	is_int((long long)count(&rs, REC_KSYM), 2, "kernel names: one per function hit");
	ok(one, "kernel names: the leaf's function, once for two addresses in it");
	ok(two, "kernel names: a return address names the function of its call");
	ok(!three && !other, "kernel names: not the function after the call, nothing else");
	perfrec_release(&pr);
	records_free(&rs);
	kallsyms_free(k);
	free(b.data);
}

/* ---- native records (the timer samplers' rings) ------------------------------ */

static void put_native_sample(struct buf *b, uint32_t tid, uint64_t time, uint64_t weight,
			      uint16_t misc)
{
	struct rec_sample s = { .h = { .type = REC_SAMPLE, .misc = misc },
			       .pid = 200,
			       .tid = tid,
			       .time = time,
			       .weight = weight,
			       .ip = 0x401000,
			       .stack_size = 8 };
	uint64_t stack = 0x1122334455667788ull;

	s.h.size = sizeof(s) + 8;
	put(b, &s, sizeof(s));
	put_u64(b, stack);
}

static int add_native(struct perfrec *pr, void *arg)
{
	const struct buf *b = arg;

	return perfrec_add_native(pr, b->data, b->len);
}

static void test_native(void)
{
	struct rec_lost l = { .h = { .type = REC_LOST, .misc = LOST_SHIM, .size = sizeof(l) },
			      .time = 650,
			      .count = 9 };
	struct rec_comm c = { .h = { .type = REC_COMM, .size = sizeof(c) + 8 }, .time = 600 };
	struct rec_header bad = { .type = REC_SAMPLE, .size = 12 }; /* not a multiple of 8 */
	struct buf b = { 0 };
	struct perfrec pr;
	struct records rs;
	struct sample_view v;
	const struct rec_header *h;

	put_native_sample(&b, 201, 700, 10000000, 0);
	put(&b, &l, sizeof(l));
	put(&b, &c, sizeof(c)); /* not a record the rings carry */
	put_u64(&b, 0);
	put_native_sample(&b, 202, 500, 20000000, SAMPLE_STACK_FULL);
	put(&b, &bad, sizeof(bad));
	put_native_sample(&b, 203, 800, 40000000, 0); /* after the bad one: not reached */

	is_int(convert_file("native.data", &pr, ALL_TYPES, NULL, &rs, add_native, &b), 0,
	       "native: added");
	is_int((long long)count(&rs, REC_SAMPLE), 2, "native: the samples before the bad record");
	is_int((long long)count(&rs, REC_LOST), 1, "native: the loss");
	is_int((long long)count(&rs, REC_COMM), 0, "native: not the COMM");
	is_int((long long)pr.st.samples, 2, "native: samples counted");
	is_int((long long)pr.st.weight, 30000000, "native: weight summed");
	is_int((long long)pr.st.samples_stack_full, 1, "native: full stacks counted");
	is_int((long long)pr.st.lost_shim, 9, "native: the loss counted as the program's");
	is_int((long long)pr.st.malformed, 2, "native: the COMM and the bad size are malformed");
	is_int((long long)pr.st.first_time, 500, "native: first time");
	is_int((long long)pr.st.last_time, 700, "native: last time");
	h = nth(&rs, REC_SAMPLE, 0);
	ok(h && record_sample(h, &v) == 0 && v.s->tid == 201 && v.s->stack_size == 8 &&
	       !memcmp(v.stack, "\x88\x77\x66\x55\x44\x33\x22\x11", 8),
	   "native: a sample copied as it was");
	perfrec_release(&pr);
	records_free(&rs);
	free(b.data);
}

/* ---- cut and garbled records ------------------------------------------------ */

/*
 * Each case is one bad record between two good samples: the bad one is
 * counted malformed and writes nothing, the samples around it convert.
 */
static void test_malformed_one(const char *what, void (*bad)(struct buf *b))
{
	static const struct sample_spec good = { .ip = 0x401000,
						.pid = 1,
						.tid = 1,
						.time = 10,
						.period = 1,
						.regs = true,
						.stack_size = 8,
						.dyn_size = 8 };
	struct buf b = { 0 };
	struct perfrec pr;
	struct records rs;
	int ret;

	put_sample(&b, &good);
	bad(&b);
	put_sample(&b, &good);
	/* exactly as long as the records: a sanitizer catches a read past them */
	b.data = realloc(b.data, b.len);
	b.alloc = b.len;
	ret = convert_file("bad.data", &pr, ALL_TYPES, &b, &rs, NULL, NULL);
	ok(ret == 0 && pr.st.malformed == 1 && pr.st.samples == 2 && rs.n == 2 &&
	       count(&rs, REC_SAMPLE) == 2,
	   "%s: malformed, nothing written, the samples around it kept", what);
	if (ret || pr.st.malformed != 1 || rs.n != 2)
		diag("ret %d, malformed %llu, samples %llu, records %zu", ret,
		     (unsigned long long)pr.st.malformed, (unsigned long long)pr.st.samples, rs.n);
	perfrec_release(&pr);
	records_free(&rs);
	free(b.data);
}

static void bad_sample_short(struct buf *b)
{
	begin(b, PERF_RECORD_SAMPLE, 0);
	put_u64(b, 0x401000); /* ip, then nothing */
	end(b, 0);
}

static void bad_sample_chain_huge(struct buf *b)
{
	begin(b, PERF_RECORD_SAMPLE, 0);
	put_u64(b, 0x401000);
	put_u32x2(b, 1, 1);
	put_u64(b, 10);
	put_u64(b, 0);
	put_u64(b, 1);
	put_u64(b, 0x10000); /* nr beyond any callchain */
	put_u64(b, PERF_CONTEXT_KERNEL);
	end(b, 0);
}

static void bad_sample_chain_cut(struct buf *b)
{
	begin(b, PERF_RECORD_SAMPLE, 0);
	put_u64(b, 0x401000);
	put_u32x2(b, 1, 1);
	put_u64(b, 10);
	put_u64(b, 0);
	put_u64(b, 1);
	put_u64(b, 1000); /* 1000 entries announced, 2 present */
	put_u64(b, PERF_CONTEXT_KERNEL);
	put_u64(b, K1);
	end(b, 0);
}

static void bad_sample_regs_cut(struct buf *b)
{
	begin(b, PERF_RECORD_SAMPLE, 0);
	put_u64(b, 0x401000);
	put_u32x2(b, 1, 1);
	put_u64(b, 10);
	put_u64(b, 0);
	put_u64(b, 1);
	put_u64(b, 0);
	put_u64(b, PERF_SAMPLE_REGS_ABI_64);
	put_u64(b, 0x401000); /* one register of three */
	end(b, 0);
}

static void bad_sample_stack_huge(struct buf *b)
{
	begin(b, PERF_RECORD_SAMPLE, 0);
	put_u64(b, 0x401000);
	put_u32x2(b, 1, 1);
	put_u64(b, 10);
	put_u64(b, 0);
	put_u64(b, 1);
	put_u64(b, 0);
	put_u64(b, PERF_SAMPLE_REGS_ABI_NONE);
	put_u64(b, UINT64_MAX - 7); /* a size that wraps a pointer */
	put_u64(b, 0);
	put_u64(b, 8);
	end(b, 0);
}

static void bad_sample_no_dyn_size(struct buf *b)
{
	begin(b, PERF_RECORD_SAMPLE, 0);
	put_u64(b, 0x401000);
	put_u32x2(b, 1, 1);
	put_u64(b, 10);
	put_u64(b, 0);
	put_u64(b, 1);
	put_u64(b, 0);
	put_u64(b, PERF_SAMPLE_REGS_ABI_NONE);
	put_u64(b, 16);
	put_u64(b, 0);
	put_u64(b, 0); /* the stack bytes, then no dyn_size */
	end(b, 0);
}

static void bad_comm_no_nul(struct buf *b)
{
	begin(b, PERF_RECORD_COMM, 0);
	put_u32x2(b, 1, 1);
	put(b, "namename", 8); /* fills the record: no NUL */
	end(b, 0);
}

static void bad_comm_no_trailer(struct buf *b)
{
	begin(b, PERF_RECORD_COMM, 0);
	put_u32x2(b, 1, 1);
	put_name(b, "name");
	put_u64(b, 0x100000001ull); /* the trailer's tid, then no time or cpu */
	end(b, 0);
}

static void bad_mmap2_short(struct buf *b)
{
	begin(b, PERF_RECORD_MMAP2, 0);
	put_u32x2(b, 1, 1);
	put_u64(b, 0x400000);
	put_u64(b, 0x1000);
	end(b, 0);
}

static void bad_mmap2_no_name(struct buf *b)
{
	begin(b, PERF_RECORD_MMAP2, 0);
	put_u32x2(b, 1, 1);
	put_u64(b, 0x400000);
	put_u64(b, 0x1000);
	put_u64(b, 0);
	put_u64(b, 0);
	put_u64(b, 0);
	put_u64(b, 0);
	put_u32x2(b, 5, 2);
	end(b, 0);
}

static void bad_mmap2_no_trailer(struct buf *b)
{
	put_mmap2(b, 0, 0, "/usr/bin/true", 1);
	b->len -= 16; /* the trailer's time and cpu */
	end(b, (uint16_t)(b->len - b->start));
}

static void bad_fork_short(struct buf *b)
{
	begin(b, PERF_RECORD_FORK, 0);
	put_u32x2(b, 2, 1);
	put_u32x2(b, 2, 1); /* no time */
	end(b, 0);
}

static void bad_lost_short(struct buf *b)
{
	begin(b, PERF_RECORD_LOST, 0);
	put_u64(b, 99); /* the id, no count */
	end(b, 0);
}

static void bad_lost_samples_no_trailer(struct buf *b)
{
	begin(b, PERF_RECORD_LOST_SAMPLES, 0);
	put_u64(b, 5);
	end(b, 0);
}

static void bad_throttle_short(struct buf *b)
{
	begin(b, PERF_RECORD_THROTTLE, 0);
	end(b, 0);
}

static void bad_read_short(struct buf *b)
{
	begin(b, PERF_RECORD_READ, 0);
	put_u32x2(b, 1, 1);
	end(b, 0);
}

static void test_malformed(void)
{
	test_malformed_one("a sample cut after its ip", bad_sample_short);
	test_malformed_one("a callchain of 65536 entries", bad_sample_chain_huge);
	test_malformed_one("a callchain longer than its record", bad_sample_chain_cut);
	test_malformed_one("registers cut short", bad_sample_regs_cut);
	test_malformed_one("a stack size near 2^64", bad_sample_stack_huge);
	test_malformed_one("a stack without dyn_size", bad_sample_no_dyn_size);
	test_malformed_one("a COMM without a NUL", bad_comm_no_nul);
	test_malformed_one("a COMM without its sample_id trailer", bad_comm_no_trailer);
	test_malformed_one("an MMAP2 cut in its fields", bad_mmap2_short);
	test_malformed_one("an MMAP2 without a name", bad_mmap2_no_name);
	test_malformed_one("an MMAP2 without its sample_id trailer", bad_mmap2_no_trailer);
	test_malformed_one("a FORK without its time", bad_fork_short);
	test_malformed_one("a LOST without its count", bad_lost_short);
	test_malformed_one("a LOST_SAMPLES without its trailer", bad_lost_samples_no_trailer);
	test_malformed_one("a THROTTLE with no body", bad_throttle_short);
	test_malformed_one("a READ without its value", bad_read_short);
}

/* Sizes that do not fit: the walk stops there, and a whole buffer's tail is left alone. */
static void test_bad_sizes(void)
{
	static const struct sample_spec good = {
	    .ip = 0x401000, .pid = 1, .tid = 1, .time = 10, .period = 1 };
	struct perf_event_header tiny = { .type = PERF_RECORD_SAMPLE, .size = 4 };
	struct perf_event_header zero = { .type = PERF_RECORD_SAMPLE, .size = 0 };
	struct buf b = { 0 };
	struct perfrec pr;
	struct records rs;
	size_t one;

	put_sample(&b, &good);
	one = b.len;
	put(&b, &tiny, sizeof(tiny));
	put_sample(&b, &good);
	ok(convert_file("tiny.data", &pr, ALL_TYPES, &b, &rs, NULL, NULL) == 0 &&
	       pr.st.samples == 1 && pr.st.malformed == 1 && rs.n == 1,
	   "a record size below the header's: malformed, the walk stops");
	perfrec_release(&pr);
	records_free(&rs);
	is_int((long long)perfrec_count_samples(b.data, b.len), 1,
	       "count_samples: stops at the same record");

	b.len = one;
	put(&b, &zero, sizeof(zero));
	ok(convert_file("zero.data", &pr, ALL_TYPES, &b, &rs, NULL, NULL) == 0 &&
	       pr.st.samples == 1 && pr.st.malformed == 1 && rs.n == 1,
	   "a record size of 0: malformed, no endless loop");
	perfrec_release(&pr);
	records_free(&rs);

	b.len = one;
	put_sample(&b, &good);
	end(&b, (uint16_t)(b.len - b.start + 8)); /* claims 8 bytes past the buffer */
	b.data = realloc(b.data, b.len);
	b.alloc = b.len;
	ok(convert_file("long.data", &pr, ALL_TYPES, &b, &rs, NULL, NULL) == 0 &&
	       pr.st.samples == 1 && pr.st.malformed == 1 && rs.n == 1,
	   "a record longer than the buffer: malformed, not read");
	perfrec_release(&pr);
	records_free(&rs);
	is_int((long long)perfrec_count_samples(b.data, b.len), 1,
	       "count_samples: not the record longer than the buffer");

	b.len = one;
	put(&b, "\x09\0\0", 4); /* half a header */
	ok(convert_file("half.data", &pr, ALL_TYPES, &b, &rs, NULL, NULL) == 0 &&
	       pr.st.samples == 1 && pr.st.malformed == 0 && rs.n == 1,
	   "half a header at the end: left alone");
	perfrec_release(&pr);
	records_free(&rs);

	free(b.data);
	memset(&b, 0, sizeof(b));
	ok(convert_file("empty.data", &pr, ALL_TYPES, &b, &rs, NULL, NULL) == 0 &&
	       pr.st.samples == 0 && pr.st.malformed == 0 && pr.st.first_time == 0 && rs.n == 0,
	   "an empty buffer: nothing");
	perfrec_release(&pr);
	records_free(&rs);
	is_int((long long)perfrec_count_samples(NULL, 0), 0, "count_samples: empty buffer");
}

static void test_count_samples(void)
{
	struct sample_spec s = { .ip = 0x401000,
				.pid = 1,
				.tid = 1,
				.time = 10,
				.period = 1,
				.regs = true,
				.stack_size = 32,
				.dyn_size = 16 };
	struct buf b = { 0 };

	put_sample(&b, &s);
	put_mmap2(&b, 0, 0, "/usr/bin/true", 11);
	put_sample(&b, &s);
	begin(&b, PERF_RECORD_LOST, 0);
	put_u64(&b, 1);
	put_u64(&b, 1);
	put_sample_id(&b, 0, 0, 12);
	end(&b, 0);
	put_sample(&b, &s);
	is_int((long long)perfrec_count_samples(b.data, b.len), 3,
	       "count_samples: the samples among other records");
	free(b.data);
}

/* Switch records and losses in the switch rings (--off-cpu): to the tracker, counted apart. */
static void test_switches(void)
{
	char path[256];
	struct data_writer *w;
	struct perfrec pr;
	struct offcpu *oc;
	struct records rs = { 0 };
	struct buf b = { 0 };
	const struct rec_sample *s;

	snprintf(path, sizeof(path), "%s/switches.data", dir);
	if (data_writer_open(path, &w) < 0 || offcpu_new(&oc, w, 0, false) < 0)
		abort();
	perfrec_init(&pr, w, ALL_TYPES, REGS_MASK, STACK_SIZE);
	pr.oc = oc;
	begin(&b, PERF_RECORD_SWITCH, PERF_RECORD_MISC_SWITCH_OUT);
	put_sample_id(&b, 500, 501, 1000);
	end(&b, 0);
	begin(&b, PERF_RECORD_SWITCH_CPU_WIDE, 0);
	put_u32x2(&b, 0, 0); /* the thread that left, on -a */
	put_sample_id(&b, 500, 501, 4000);
	end(&b, 0);
	begin(&b, PERF_RECORD_LOST, 0);
	put_u64(&b, 99);
	put_u64(&b, 5);
	put_sample_id(&b, 0, 0, 4500);
	end(&b, 0);
	ok(perfrec_convert(&pr, b.data, b.len, true) == 0, "switches: converted");
	is_int((long long)pr.st.lost_ring, 5, "switches: a loss in their ring is a loss");
	is_int((long long)pr.st.lost_ring_switches, 5, "switches: and counted as the switches'");
	ok(offcpu_finish(oc, 5000) == 0 && data_writer_finish(w) == 0, "switches: finished");
	data_writer_close(w);
	if (records_read(path, &rs) < 0)
		abort();
	s = (const struct rec_sample *)nth(&rs, REC_SAMPLE, 0);
	ok(s && s->tid == 501 && s->time == 1000 && s->weight == 3000 &&
		   sample_kind(s->h.misc) == SAMPLE_KIND_BLOCKED,
	   "switches: a switch-out and a CPU-wide switch-in make one wait");
	records_free(&rs);
	unlink(path);
	offcpu_free(oc);
	perfrec_release(&pr);
	free(b.data);
}

int main(void)
{
	if (!mkdtemp(dir)) {
		printf("1..0 # SKIP cannot create a temporary directory\n");
		return 0;
	}
	test_samples();
	test_small_sample_type();
	test_other_records();
	test_ksyms();
	test_native();
	test_malformed();
	test_bad_sizes();
	test_count_samples();
	test_switches();
	rmdir(dir);
	return done_testing();
}
