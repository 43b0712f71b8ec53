// SPDX-License-Identifier: GPL-2.0-or-later
#include "collect/perfrec.h"
#include "collect/offcpu.h"
#include "collect/traceev.h"
#include "resolve/kallsyms.h"
#include "util/alloc.h"

#include <linux/perf_event.h>
#include <stdlib.h>
#include <string.h>

void perfrec_init(struct perfrec *pr, struct data_writer *w, uint64_t sample_type,
		  uint64_t regs_mask, uint32_t stack_request)
{
	memset(pr, 0, sizeof(*pr));
	pr->w = w;
	pr->sample_type = sample_type;
	pr->regs_mask = regs_mask;
	pr->nregs = (unsigned int)__builtin_popcountll(regs_mask);
	pr->stack_request = stack_request;
	hash_init(&pr->kernel_index);
	jitrec_init(&pr->jit);
}

void perfrec_stats_add(struct perfrec_stats *sum, const struct perfrec_stats *st)
{
	if (st->first_time && (!sum->first_time || st->first_time < sum->first_time))
		sum->first_time = st->first_time;
	if (st->last_time > sum->last_time)
		sum->last_time = st->last_time;
	sum->samples += st->samples;
	sum->samples_stack_full += st->samples_stack_full;
	sum->lost_ring += st->lost_ring;
	sum->lost_samples += st->lost_samples;
	sum->throttled += st->throttled;
	sum->unthrottled += st->unthrottled;
	sum->malformed += st->malformed;
	sum->weight += st->weight;
	sum->lost_shim += st->lost_shim;
	sum->task_cpu_ns += st->task_cpu_ns;
	sum->lost_ring_switches += st->lost_ring_switches;
	sum->lost_samples_switches += st->lost_samples_switches;
	sum->lost_trace += st->lost_trace;
}

void perfrec_release(struct perfrec *pr)
{
	hash_release(&pr->kernel_index);
	free(pr->kernel_ips);
	pr->kernel_ips = NULL;
	pr->nkernel_ips = pr->akernel_ips = 0;
	jitrec_release(&pr->jit);
}

static void note_kernel_ip(struct perfrec *pr, uint64_t ip)
{
	int added;

	hash_get(&pr->kernel_index, &ip, sizeof(ip), pr->nkernel_ips, &added);
	if (added) {
		xgrow(&pr->kernel_ips, &pr->akernel_ips, pr->nkernel_ips + 1,
		      sizeof(*pr->kernel_ips));
		pr->kernel_ips[pr->nkernel_ips++] = ip;
	}
}

/*
 * The kernel part of a callchain, as report will name it: the first entry
 * exactly, the return addresses after it at their call (minus one).
 */
static void note_kernel_chain(struct perfrec *pr, const uint8_t *chain, uint64_t nr)
{
	bool kernel = false;
	uint64_t nth = 0;

	for (uint64_t i = 0; i < nr; i++) {
		uint64_t a;

		memcpy(&a, chain + 8 * i, 8);
		if (a >= (uint64_t)PERF_CONTEXT_MAX) {
			kernel = a == (uint64_t)PERF_CONTEXT_KERNEL;
			nth = 0;
			continue;
		}
		if (kernel)
			note_kernel_ip(pr, callchain_call_site(a, nth++));
	}
}

int perfrec_write_ksyms(struct perfrec *pr, const struct kallsyms *k)
{
	struct hash seen;
	int ret = 0;

	hash_init(&seen);
	for (size_t i = 0; i < pr->nkernel_ips && !ret; i++) {
		uint64_t start, end;
		const char *name = kallsyms_find_range(k, pr->kernel_ips[i], &start, &end);
		struct rec_ksym *r;
		size_t len;
		int added;

		if (!name || end <= start)
			continue;
		hash_get(&seen, &start, sizeof(start), 0, &added);
		if (!added)
			continue;
		len = strlen(name) + 1;
		r = data_writer_reserve(pr->w, record_size(sizeof(*r), len));
		if (!r)
			return data_writer_error(pr->w);
		r->h.type = REC_KSYM;
		r->start = start;
		r->end = end;
		memcpy(r + 1, name, len);
		ret = data_writer_commit(pr->w, pr->st.last_time);
	}
	hash_release(&seen);
	return ret;
}

/* A bounds-checked cursor over one record's body. */
struct cursor {
	const uint8_t *p, *end;
	bool bad;
};

static uint64_t take_u64(struct cursor *c)
{
	uint64_t v = 0;

	if (c->end - c->p < 8) {
		c->bad = true;
		return 0;
	}
	memcpy(&v, c->p, 8);
	c->p += 8;
	return v;
}

static const uint8_t *take_bytes(struct cursor *c, uint64_t n)
{
	const uint8_t *p = c->p;

	if ((uint64_t)(c->end - c->p) < n) {
		c->bad = true;
		return NULL;
	}
	c->p += n;
	return p;
}

/* A NUL-terminated name padded to 8 bytes, as MMAP2 and COMM carry it. */
static const char *take_name(struct cursor *c, size_t *len)
{
	const uint8_t *name = c->p;
	size_t n;

	if (c->bad)
		return NULL;
	n = strnlen((const char *)name, (size_t)(c->end - c->p));
	if (name + n >= c->end) {
		c->bad = true;
		return NULL;
	}
	c->p = name + ((n + 8) & ~(size_t)7);
	if (c->p > c->end)
		c->p = c->end;
	*len = n;
	return (const char *)name;
}

/* The sample_id_all trailer of a non-sample record: pid/tid, time, cpu. */
struct sample_id {
	uint32_t pid, tid, cpu;
	uint64_t time;
};

static void take_sample_id(struct perfrec *pr, struct cursor *c, struct sample_id *id)
{
	uint64_t v;

	memset(id, 0, sizeof(*id));
	if (pr->sample_type & PERF_SAMPLE_TID) {
		v = take_u64(c);
		id->pid = (uint32_t)v;
		id->tid = (uint32_t)(v >> 32);
	}
	if (pr->sample_type & PERF_SAMPLE_TIME)
		id->time = take_u64(c);
	if (pr->sample_type & PERF_SAMPLE_CPU)
		id->cpu = (uint32_t)take_u64(c);
}

static void note_time(struct perfrec *pr, uint64_t t)
{
	if (!pr->st.first_time || t < pr->st.first_time)
		pr->st.first_time = t;
	if (t > pr->st.last_time)
		pr->st.last_time = t;
}

static int convert_sample(struct perfrec *pr, const struct perf_event_header *h,
			  struct cursor *c, bool switches)
{
	uint64_t ip = 0, time = 0, period = 0, v, nr = 0, abi = 0, size = 0, dyn = 0;
	const uint8_t *chain = NULL, *regs = NULL, *stack = NULL;
	uint32_t pid = 0, tid = 0, cpu = 0;
	struct rec_sample *s;
	size_t rec_size;
	uint8_t *p;

	if (pr->sample_type & PERF_SAMPLE_IP)
		ip = take_u64(c);
	if (pr->sample_type & PERF_SAMPLE_TID) {
		v = take_u64(c);
		pid = (uint32_t)v;
		tid = (uint32_t)(v >> 32);
	}
	if (pr->sample_type & PERF_SAMPLE_TIME)
		time = take_u64(c);
	if (pr->sample_type & PERF_SAMPLE_CPU)
		cpu = (uint32_t)take_u64(c);
	if (pr->sample_type & PERF_SAMPLE_PERIOD)
		period = take_u64(c);
	if (pr->sample_type & PERF_SAMPLE_CALLCHAIN) {
		nr = take_u64(c);
		if (nr > 0xffff)
			c->bad = true;
		else
			chain = take_bytes(c, nr * 8);
	}
	if (pr->sample_type & PERF_SAMPLE_REGS_USER) {
		abi = take_u64(c);
		if (abi)
			regs = take_bytes(c, 8ull * pr->nregs);
	}
	if (pr->sample_type & PERF_SAMPLE_STACK_USER) {
		size = take_u64(c);
		if (size) {
			stack = take_bytes(c, size);
			dyn = take_u64(c);
			if (dyn > size)
				dyn = size;
		}
	}
	if (c->bad) {
		pr->st.malformed++;
		return 0;
	}
	rec_size = record_size(sizeof(*s), 8 * (regs ? pr->nregs : 0) + 8 * nr + dyn);
	if (switches) {
		if (!pr->oc)
			return 0;
		/* the tracker keeps it until its wait ends: built once, in its own memory */
		s = xmalloc(rec_size);
		memset(s, 0, sizeof(*s));
		memset((uint8_t *)s + rec_size - 8, 0, 8); /* the padding */
		s->h.size = (uint32_t)rec_size;
	} else {
		s = data_writer_reserve(pr->w, rec_size);
		if (!s)
			return data_writer_error(pr->w);
	}
	s->h.type = REC_SAMPLE;
	if ((h->misc & PERF_RECORD_MISC_CPUMODE_MASK) == PERF_RECORD_MISC_KERNEL)
		s->h.misc |= SAMPLE_KERNEL;
	if (!regs && (pr->sample_type & PERF_SAMPLE_REGS_USER))
		s->h.misc |= SAMPLE_NO_USER_REGS;
	/* full: the kernel copied all it would (it caps the size so a sample fits in 64 KiB) */
	if (stack && dyn >= size)
		s->h.misc |= SAMPLE_STACK_FULL;
	if (nr)
		note_kernel_chain(pr, chain, nr);
	else if (s->h.misc & SAMPLE_KERNEL)
		note_kernel_ip(pr, ip);
	s->pid = pid;
	s->tid = tid;
	s->time = time;
	s->weight = period;
	s->ip = ip;
	s->cpu = cpu;
	s->nregs = (uint16_t)(regs ? pr->nregs : 0);
	s->ncallchain = (uint16_t)nr;
	s->stack_size = (uint32_t)dyn;
	p = (uint8_t *)(s + 1);
	if (regs)
		memcpy(p, regs, 8 * pr->nregs), p += 8 * pr->nregs;
	if (nr)
		memcpy(p, chain, 8 * nr), p += 8 * nr;
	if (dyn)
		memcpy(p, stack, dyn);
	if (switches) {
		/* the stack of the switch-out that follows: written with its interval */
		offcpu_sample(pr->oc, s);
		return 0;
	}
	pr->st.samples++;
	pr->st.weight += period;
	pr->st.samples_stack_full += (s->h.misc & SAMPLE_STACK_FULL) != 0;
	note_time(pr, time);
	jitrec_note_pid(&pr->jit, pid);
	return data_writer_commit(pr->w, time);
}

static int convert_mmap2(struct perfrec *pr, const struct perf_event_header *h, struct cursor *c)
{
	struct sample_id id;
	uint64_t v, v2, start, len, pgoff;
	uint32_t prot, flags;
	uint8_t bid[24];
	const uint8_t *fixed;
	const char *name;
	size_t nlen = 0;
	struct rec_mmap *m;

	v = take_u64(c);
	start = take_u64(c);
	len = take_u64(c);
	pgoff = take_u64(c);
	fixed = take_bytes(c, 24); /* maj, min, ino, ino_generation  or  build-id */
	v2 = take_u64(c);
	prot = (uint32_t)v2;
	flags = (uint32_t)(v2 >> 32);
	name = take_name(c, &nlen);
	take_sample_id(pr, c, &id);
	if (!name || c->bad) {
		pr->st.malformed++;
		return 0;
	}
	m = data_writer_reserve(pr->w, record_size(sizeof(*m), nlen + 1));
	if (!m)
		return data_writer_error(pr->w);
	m->h.type = REC_MMAP;
	m->pid = (uint32_t)v;
	m->tid = (uint32_t)(v >> 32);
	m->time = id.time;
	m->start = start;
	m->len = len;
	m->pgoff = pgoff;
	m->prot = prot;
	m->flags = flags;
	if (h->misc & PERF_RECORD_MISC_MMAP_BUILD_ID) {
		memcpy(bid, fixed, 24);
		m->build_id_len = bid[0] <= BUILD_ID_MAX ? bid[0] : 0;
		memcpy(m->build_id, bid + 4, m->build_id_len);
	}
	memcpy(m + 1, name, nlen);
	jitrec_note_mmap(&pr->jit, m->pid, (const char *)(m + 1));
	return data_writer_commit(pr->w, id.time);
}

static int convert_comm(struct perfrec *pr, const struct perf_event_header *h, struct cursor *c)
{
	struct sample_id id;
	uint64_t v = take_u64(c);
	size_t nlen = 0;
	const char *name = take_name(c, &nlen);
	struct rec_comm *r;

	take_sample_id(pr, c, &id);
	if (!name || c->bad) {
		pr->st.malformed++;
		return 0;
	}
	r = data_writer_reserve(pr->w, record_size(sizeof(*r), nlen + 1));
	if (!r)
		return data_writer_error(pr->w);
	r->h.type = REC_COMM;
	r->h.misc = (h->misc & PERF_RECORD_MISC_COMM_EXEC) ? 1 : 0;
	r->pid = (uint32_t)v;
	r->tid = (uint32_t)(v >> 32);
	r->time = id.time;
	memcpy(r + 1, name, nlen);
	return data_writer_commit(pr->w, id.time);
}

static int convert_task(struct perfrec *pr, const struct perf_event_header *h, struct cursor *c)
{
	uint64_t a = take_u64(c), b = take_u64(c), time = take_u64(c);
	struct rec_task *t;
	int ret;

	if (c->bad) {
		pr->st.malformed++;
		return 0;
	}
	t = data_writer_reserve(pr->w, sizeof(*t));
	if (!t)
		return data_writer_error(pr->w);
	t->h.type = h->type == PERF_RECORD_FORK ? REC_FORK : REC_EXIT;
	t->pid = (uint32_t)a;
	t->ppid = (uint32_t)(a >> 32);
	t->tid = (uint32_t)b;
	t->ptid = (uint32_t)(b >> 32);
	t->time = time;
	if (pr->oc && h->type == PERF_RECORD_FORK)
		offcpu_fork(pr->oc, t->pid, t->tid, time);
	else if (pr->oc)
		offcpu_exit(pr->oc, t->pid, t->tid, time);
	ret = data_writer_commit(pr->w, time);
	/* a process ended: its JIT files are complete, and its pid may soon be another's */
	if (ret == 0 && h->type == PERF_RECORD_EXIT && t->pid == t->tid)
		ret = jitrec_store_pid(&pr->jit, pr->w, (uint32_t)a, time);
	return ret;
}

static int convert_lost(struct perfrec *pr, const struct perf_event_header *h, struct cursor *c,
			bool switches)
{
	struct sample_id id;
	struct rec_lost *l;
	uint64_t count;

	if (h->type == PERF_RECORD_LOST)
		take_u64(c); /* the event id */
	count = take_u64(c);
	take_sample_id(pr, c, &id);
	if (c->bad) {
		pr->st.malformed++;
		return 0;
	}
	if (h->type == PERF_RECORD_LOST)
		pr->st.lost_ring += count;
	else
		pr->st.lost_samples += count;
	if (switches && h->type == PERF_RECORD_LOST)
		pr->st.lost_ring_switches += count;
	else if (switches)
		pr->st.lost_samples_switches += count;
	l = data_writer_reserve(pr->w, sizeof(*l));
	if (!l)
		return data_writer_error(pr->w);
	l->h.type = REC_LOST;
	l->h.misc = h->type == PERF_RECORD_LOST ? LOST_RING : LOST_SAMPLES;
	l->time = id.time;
	l->count = count;
	return data_writer_commit(pr->w, id.time);
}

static int convert_throttle(struct perfrec *pr, const struct perf_event_header *h,
			    struct cursor *c)
{
	uint64_t time = take_u64(c);
	struct rec_throttle *t;

	if (c->bad) {
		pr->st.malformed++;
		return 0;
	}
	if (h->type == PERF_RECORD_THROTTLE)
		pr->st.throttled++;
	else
		pr->st.unthrottled++;
	t = data_writer_reserve(pr->w, sizeof(*t));
	if (!t)
		return data_writer_error(pr->w);
	t->h.type = REC_THROTTLE;
	t->h.misc = h->type == PERF_RECORD_UNTHROTTLE;
	t->time = time;
	return data_writer_commit(pr->w, time);
}

int perfrec_write_lost(struct perfrec *pr, uint16_t why, uint64_t count)
{
	struct rec_lost *l = data_writer_reserve(pr->w, sizeof(*l));

	if (!l)
		return data_writer_error(pr->w);
	l->h.type = REC_LOST;
	l->h.misc = why;
	l->time = pr->st.last_time;
	l->count = count;
	return data_writer_commit(pr->w, l->time);
}

int perfrec_write_task_cpu(struct perfrec *pr, uint32_t pid, uint32_t tid, uint64_t time,
			   uint64_t cpu_ns)
{
	struct rec_task_cpu *t = data_writer_reserve(pr->w, sizeof(*t));

	if (!t)
		return data_writer_error(pr->w);
	t->h.type = REC_TASK_CPU;
	t->pid = pid;
	t->tid = tid;
	t->time = time;
	t->cpu_ns = cpu_ns;
	pr->st.task_cpu_ns += cpu_ns;
	return data_writer_commit(pr->w, time);
}

/* PERF_RECORD_READ: an inherited counter's value as its thread ended (inherit_stat). */
static int convert_read(struct perfrec *pr, struct cursor *c)
{
	uint32_t pid, tid;
	uint64_t v, value;
	struct sample_id id;

	v = take_u64(c);
	pid = (uint32_t)v;
	tid = (uint32_t)(v >> 32);
	value = take_u64(c);
	take_sample_id(pr, c, &id);
	if (c->bad) {
		pr->st.malformed++;
		return 0;
	}
	note_time(pr, id.time);
	return perfrec_write_task_cpu(pr, pid, tid, id.time, value);
}

/*
 * PERF_RECORD_SWITCH (a thread's own events) and PERF_RECORD_SWITCH_CPU_WIDE
 * (-a): the sample_id trailer names the thread that leaves or enters the
 * CPU; the CPU-wide one first names the other thread, which is not needed.
 */
static void convert_switch(struct perfrec *pr, const struct perf_event_header *h,
			   struct cursor *c)
{
	struct sample_id id;

	if (h->type == PERF_RECORD_SWITCH_CPU_WIDE)
		take_u64(c);
	take_sample_id(pr, c, &id);
	if (c->bad) {
		pr->st.malformed++;
		return;
	}
	if (pr->oc)
		offcpu_switch(pr->oc, id.pid, id.tid, id.time, id.cpu,
			      h->misc & PERF_RECORD_MISC_SWITCH_OUT,
			      h->misc & PERF_RECORD_MISC_SWITCH_OUT_PREEMPT);
}

int perfrec_add_native(struct perfrec *pr, const uint8_t *buf, size_t len)
{
	size_t off = 0;
	int ret = 0;

	while (ret == 0 && len - off >= sizeof(struct rec_header)) {
		const struct rec_header *h = (const struct rec_header *)(buf + off);
		uint64_t time;
		void *p;

		if (h->size < sizeof(*h) || h->size > len - off || h->size % 8) {
			pr->st.malformed++;
			break;
		}
		off += h->size;
		if (h->type == REC_SAMPLE && h->size >= sizeof(struct rec_sample)) {
			const struct rec_sample *r = (const struct rec_sample *)h;

			time = r->time;
			jitrec_note_pid(&pr->jit, r->pid);
			pr->st.samples++;
			pr->st.weight += r->weight;
			pr->st.samples_stack_full += (h->misc & SAMPLE_STACK_FULL) != 0;
		} else if (h->type == REC_LOST && h->size >= sizeof(struct rec_lost)) {
			const struct rec_lost *l = (const struct rec_lost *)h;

			time = l->time;
			pr->st.lost_shim += l->count;
		} else {
			pr->st.malformed++;
			continue;
		}
		note_time(pr, time);
		p = data_writer_reserve(pr->w, h->size);
		if (!p)
			return data_writer_error(pr->w);
		memcpy(p, h, h->size);
		ret = data_writer_commit(pr->w, time);
	}
	return ret;
}

int perfrec_convert(struct perfrec *pr, const uint8_t *buf, size_t len, bool switches)
{
	size_t off = 0;
	int ret = 0;

	while (ret == 0 && len - off >= sizeof(struct perf_event_header)) {
		struct perf_event_header h;
		struct cursor c;

		memcpy(&h, buf + off, sizeof(h));
		if (h.size < sizeof(h) || h.size > len - off) {
			pr->st.malformed++;
			break;
		}
		c.p = buf + off + sizeof(h);
		c.end = buf + off + h.size;
		c.bad = false;
		switch (h.type) {
		case PERF_RECORD_SAMPLE:
			ret = convert_sample(pr, &h, &c, switches);
			break;
		case PERF_RECORD_SWITCH:
		case PERF_RECORD_SWITCH_CPU_WIDE:
			convert_switch(pr, &h, &c);
			break;
		case PERF_RECORD_MMAP2:
			ret = convert_mmap2(pr, &h, &c);
			break;
		case PERF_RECORD_COMM:
			ret = convert_comm(pr, &h, &c);
			break;
		case PERF_RECORD_FORK:
		case PERF_RECORD_EXIT:
			ret = convert_task(pr, &h, &c);
			break;
		case PERF_RECORD_LOST:
		case PERF_RECORD_LOST_SAMPLES:
			ret = convert_lost(pr, &h, &c, switches);
			break;
		case PERF_RECORD_THROTTLE:
		case PERF_RECORD_UNTHROTTLE:
			ret = convert_throttle(pr, &h, &c);
			break;
		case PERF_RECORD_READ:
			ret = convert_read(pr, &c);
			break;
		default:
			break; /* records pmuprof does not use */
		}
		off += h.size;
	}
	return ret;
}

/* A tracepoint sample: TID, TIME, CPU, then the raw data (u32 size, bytes). */
static void convert_trace_sample(struct perfrec *pr, struct cursor *c)
{
	uint64_t v = take_u64(c), time = take_u64(c), cpu = take_u64(c);
	const uint8_t *raw = NULL;
	struct traceev_event ev;
	uint32_t size = 0;

	if (!c->bad && c->end - c->p >= 4) {
		memcpy(&size, c->p, 4);
		c->p += 4;
		raw = take_bytes(c, size);
	}
	if (c->bad || !raw || traceev_decode(pr->trace, raw, size, &ev) < 0) {
		pr->st.malformed++;
		return;
	}
	if (ev.tp == TRACEEV_SIGNAL_GENERATE || ev.tp == TRACEEV_SIGNAL_DELIVER) {
		struct rec_signal r = { .h = { .type = REC_SIGNAL, .size = sizeof(r) } };

		if (ev.tp == TRACEEV_SIGNAL_GENERATE) {
			r.h.misc = SIGNAL_GENERATE | (ev.group ? SIGNAL_GROUP : 0);
			r.from_pid = (uint32_t)v;
			r.from_tid = (uint32_t)(v >> 32);
			r.to_tid = ev.tid;
			r.result = ev.result;
		} else {
			/* delivered to the thread that runs it */
			r.h.misc = SIGNAL_DELIVER;
			r.to_pid = (uint32_t)v;
			r.to_tid = (uint32_t)(v >> 32);
		}
		r.time = time;
		r.cpu = (uint32_t)cpu;
		r.sig = ev.sig;
		r.code = ev.code;
		offcpu_signal(pr->oc, &r);
	} else {
		struct rec_wakeup r = { .h = { .type = REC_WAKEUP, .size = sizeof(r) } };

		r.h.misc = ev.tp == TRACEEV_WAKEUP_NEW ? WAKEUP_NEW : 0;
		r.pid = (uint32_t)v;
		r.tid = (uint32_t)(v >> 32);
		r.woken_tid = ev.tid;
		r.time = time;
		r.cpu = (uint32_t)cpu;
		r.target_cpu = ev.target_cpu;
		offcpu_wakeup(pr->oc, &r);
	}
}

int perfrec_convert_trace(struct perfrec *pr, const uint8_t *buf, size_t len)
{
	size_t off = 0;

	while (len - off >= sizeof(struct perf_event_header)) {
		struct perf_event_header h;
		struct cursor c;

		memcpy(&h, buf + off, sizeof(h));
		if (h.size < sizeof(h) || h.size > len - off) {
			pr->st.malformed++;
			break;
		}
		c.p = buf + off + sizeof(h);
		c.end = buf + off + h.size;
		c.bad = false;
		if (h.type == PERF_RECORD_SAMPLE && pr->trace && pr->oc) {
			convert_trace_sample(pr, &c);
		} else if (h.type == PERF_RECORD_LOST) {
			take_u64(&c); /* the event id */
			pr->st.lost_trace += take_u64(&c);
		}
		off += h.size;
	}
	return 0;
}

uint64_t perfrec_count_samples(const uint8_t *buf, size_t len)
{
	uint64_t n = 0;
	size_t off = 0;

	while (len - off >= sizeof(struct perf_event_header)) {
		struct perf_event_header h;

		memcpy(&h, buf + off, sizeof(h));
		if (h.size < sizeof(h) || h.size > len - off)
			break;
		n += h.type == PERF_RECORD_SAMPLE;
		off += h.size;
	}
	return n;
}

int perfrec_store_jit(struct perfrec *pr)
{
	return jitrec_store_all(&pr->jit, pr->w, pr->st.last_time);
}

int perfrec_name_kernel_functions(struct perfrec *pr)
{
	struct kallsyms *k;
	int ret;

	if (!pr->nkernel_ips || kallsyms_new_from_proc(&k, NULL) < 0)
		return 0;
	ret = perfrec_write_ksyms(pr, k);
	kallsyms_free(k);
	return ret;
}
