// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The DWARF unwinder (see unwind.h). The rule cache is direct-mapped, keyed
 * by (object, address): return addresses repeat across samples, so after a
 * warm-up almost every step is a cache hit and libdw is not involved.
 */
#include "resolve/unwind.h"
#include "resolve/cfi.h"
#include "resolve/elf.h"
#include "resolve/maps.h"
#include "util/alloc.h"

#include <stdlib.h>
#include <string.h>

#define CACHE_SLOTS 16384 /* a power of two; 512 KiB */

struct cache_slot {
	uint64_t addr;
	uint32_t dso; /* dso id + 1; 0 = empty */
	uint32_t pad;
	struct unwind_rule rule;
};

struct unwinder {
	struct maps *maps;
	struct maps_cursor cursor;
	struct cache_slot *cache;
	struct unwind_stats st;
};

static const char *const fail_reasons[FAIL_MAX] = {
	[FAIL_NONE] = "",
	[FAIL_NO_MAP] = "an address outside every mapped object",
	[FAIL_NO_OBJECT] = "the object cannot be read",
	[FAIL_CHANGED] = "the object changed since the recording",
	[FAIL_NO_CFI] = "no unwind information (CFI) and no frame pointer",
	[FAIL_BAD_CFI] = "unwind information of an unsupported form",
	[FAIL_SP] = "the stack pointer did not grow",
	[FAIL_STACK] = "a saved address outside the stack",
	[FAIL_NO_BP] = "no frame pointer recorded and no frame record found",
	[FAIL_FP_STOP] = "the frame pointer did not point into the stack",
	[FAIL_FP_OUTSIDE] = "a return address outside every object",
	[FAIL_FP_LOOP] = "the frame pointer chain loops",
};

const char *unwind_fail_reason(enum unwind_fail f)
{
	return f < FAIL_MAX ? fail_reasons[f] : "?";
}

struct unwinder *unwinder_new(struct maps *maps)
{
	struct unwinder *u = xcalloc(1, sizeof(*u));

	u->maps = maps;
	/*
	 * Written through before use: pages of calloc's that a lookup reads
	 * first are the zero page, and the write after it a copy whose TLB
	 * flush interrupts every CPU the report's other threads run on.
	 */
	u->cache = xmalloc(CACHE_SLOTS * sizeof(*u->cache));
	memset(u->cache, 0, CACHE_SLOTS * sizeof(*u->cache));
	return u;
}

void unwinder_free(struct unwinder *u)
{
	if (!u)
		return;
	free(u->cache);
	free(u);
}

const struct unwind_stats *unwinder_stats(const struct unwinder *u)
{
	return &u->st;
}

static size_t slot_of(uint32_t dso, uint64_t addr)
{
	uint64_t h = (addr ^ ((uint64_t)dso << 40)) * 0x9e3779b97f4a7c15ull;

	return (size_t)(h >> 50) & (CACHE_SLOTS - 1);
}

static void rule_of(struct unwinder *u, struct dso *d, uint64_t vaddr, struct unwind_rule *r)
{
	struct cache_slot *s = &u->cache[slot_of(d->id, vaddr)];
	struct cfi *c;
	uint64_t start, end;

	if (s->dso == d->id + 1 && s->addr == vaddr) {
		u->st.cache_hits++;
		*r = s->rule;
		return;
	}
	u->st.cache_misses++;
	c = dso_cfi(d);
	if (c)
		cfi_rule(c, vaddr, r, &start, &end);
	else
		memset(r, 0, sizeof(*r)); /* CFA_NONE */
	s->dso = d->id + 1;
	s->addr = vaddr;
	s->rule = *r;
}

/* Finds the object of ip and its address there. */
void unwind_locate(struct unwinder *u, uint32_t pid, uint64_t time, uint64_t ip,
		   struct unwind_frame *f)
{
	const struct map *m = maps_find_at(u->maps, &u->cursor, pid, ip, time);
	struct elf_object *obj;
	struct dso *jit;

	f->ip = ip;
	f->dso = NULL;
	f->addr = ip;
	f->map = m;
	/* JIT code: in no mapping (made executable by mprotect), or in anonymous memory */
	if ((!m || m->dso->no_file) && (jit = maps_find_jit(u->maps, &u->cursor, pid, ip))) {
		f->dso = jit;
		return;
	}
	if (!m)
		return;
	f->dso = m->dso;
	obj = dso_object(m->dso);
	if (!obj || elf_object_to_vaddr(obj, m->start, m->pgoff, ip, &f->addr) < 0)
		f->addr = ip - m->start + m->pgoff; /* the file offset: still findable */
}

struct stack_copy {
	const uint8_t *bytes;
	uint64_t lo, hi; /* [sp at the sample, sp + size) */
	uint64_t read_end; /* the end of the highest word read */
	bool full;
};

/* 0, or the unwind_end/unwind_fail pair that a read outside the copy means. */
static int read_word(struct stack_copy *c, uint64_t addr, uint64_t *val)
{
	if (addr < c->lo || addr > c->hi - 8 || c->hi - c->lo < 8)
		return -1;
	memcpy(val, c->bytes + (addr - c->lo), 8);
	if (addr + 8 > c->read_end)
		c->read_end = addr + 8;
	return 0;
}

static void finish(struct unwind_result *res, enum unwind_end end, enum unwind_fail fail,
		   struct dso *d)
{
	res->end = (uint8_t)end;
	res->fail = (uint8_t)fail;
	res->fail_dso = d;
}

/* The word at addr in the copy without counting it as read (a search), or false. */
static bool peek_word(const struct stack_copy *c, uint64_t addr, uint64_t *val)
{
	if (addr < c->lo || c->hi - c->lo < 8 || addr > c->hi - 8)
		return false;
	memcpy(val, c->bytes + (addr - c->lo), 8);
	return true;
}

/* Could ra be a return address: is it in an object the thread had mapped? */
static bool plausible_ra(struct unwinder *u, uint32_t pid, uint64_t time, uint64_t ra)
{
	return ra && maps_find_at(u->maps, &u->cursor, pid, ra - 1, time);
}

/*
 * Is there a frame record at a: the return address at a + 8, and at a the
 * caller's saved frame pointer, 0 (the outermost frame) or a higher
 * address in the stack with a return address above it in turn? Beyond a
 * full copy the saved frame pointer cannot be checked and is taken as is.
 */
static bool frame_record_at(struct unwinder *u, uint32_t pid, uint64_t time,
			    const struct stack_copy *c, uint64_t a)
{
	uint64_t ra, link, ra2;

	if (!peek_word(c, a + 8, &ra) || !plausible_ra(u, pid, time, ra) || !peek_word(c, a, &link))
		return false;
	if (!link)
		return true;
	if (link <= a || link % 8)
		return false;
	if (link > c->hi - 16)
		return c->full && link >= c->hi - 8;
	return peek_word(c, link + 8, &ra2) && plausible_ra(u, pid, time, ra2);
}

/*
 * The frame pointer of a frame that was not recorded (a stack read from
 * outside): the lowest frame record at or above the frame's sp, which is
 * what code keeping a frame pointer built on entry (push rbp; mov rsp, rbp).
 */
static bool find_frame_record(struct unwinder *u, uint32_t pid, uint64_t time,
			      const struct stack_copy *c, uint64_t sp, uint64_t *bp)
{
	for (uint64_t a = (sp + 7) & ~(uint64_t)7; a >= sp && a + 16 <= c->hi; a += 8)
		if (frame_record_at(u, pid, time, c, a)) {
			*bp = a;
			return true;
		}
	return false;
}

/* A read outside the copy: cut short when the copy was full and the read is above it. */
static void out_of_stack(const struct stack_copy *c, uint64_t addr, struct unwind_result *res,
			 struct dso *d)
{
	if (c->full && addr >= c->hi - 8) {
		finish(res, UNWIND_TRUNCATED, FAIL_NONE, d);
		res->extent = c->hi - c->lo;
	} else {
		finish(res, UNWIND_FAILED, FAIL_STACK, d);
	}
}

/* What code keeping a frame pointer did on entry: push rbp; mov rsp, rbp. */
static void frame_pointer_rule(struct unwind_rule *r)
{
	r->cfa = CFA_BP;
	r->cfa_off = 16;
	r->ra = REG_AT_CFA;
	r->ra_off = -8;
	r->bp = REG_AT_CFA;
	r->bp_off = -16;
}

/*
 * The rule of a frame without CFI: follow rbp where it points into the
 * stack at or above sp (at sp in a leaf that just set its frame up; where
 * rbp was not recorded, to the frame record found there), else, for the
 * first frame only, take the return address at the top of the stack (a
 * leaf without a frame). 0 with *r set; 1 at the
 * outermost frame (rbp 0 after the first: the ABI marks it so, and ld.so's
 * _start has no CFI); -1 when there is no way on.
 */
static int no_cfi_rule(struct unwinder *u, uint32_t pid, uint64_t time, const struct stack_copy *c,
		       size_t n, uint64_t sp, uint64_t *bp, bool *bp_known, struct unwind_rule *r)
{
	memset(r, 0, sizeof(*r));
	if (!*bp_known && find_frame_record(u, pid, time, c, sp, bp)) {
		*bp_known = true;
		frame_pointer_rule(r);
	} else if (*bp_known && n > 1 && *bp == 0) {
		return 1;
	} else if (*bp_known && *bp >= sp && *bp >= c->lo && c->hi - c->lo >= 16 &&
		   *bp <= c->hi - 16) {
		frame_pointer_rule(r);
	} else if (n == 1) {
		r->cfa = CFA_SP;
		r->cfa_off = 8;
		r->ra = REG_AT_CFA;
		r->ra_off = -8;
		r->bp = REG_SAME;
	} else {
		return -1;
	}
	return 0;
}

void unwind_user(struct unwinder *u, uint32_t pid, uint64_t time, uint64_t ip, uint64_t sp,
		 uint64_t bp, bool bp_known, const uint8_t *stack, size_t stack_size,
		 bool stack_full, struct unwind_frame *frames, size_t max,
		 struct unwind_result *res)
{
	struct stack_copy c = { stack, sp, sp + stack_size, sp, stack_full };
	bool exact = true;
	size_t n = 0;

	memset(res, 0, sizeof(*res));
	res->sp = sp;
	if (!max) {
		finish(res, UNWIND_DEPTH, FAIL_NONE, NULL);
		goto out;
	}
	for (;;) {
		struct unwind_frame *f = &frames[n];
		struct unwind_rule r;
		uint64_t cfa, ra, where;

		unwind_locate(u, pid, time, exact ? ip : ip - 1, f);
		n++;
		u->st.frames++;
		res->nframes = (uint32_t)n;
		if (f->dso && f->dso->changed) {
			finish(res, UNWIND_FAILED, FAIL_CHANGED, f->dso);
			goto out;
		}
		if (n == max) {
			finish(res, UNWIND_DEPTH, FAIL_NONE, NULL);
			goto out;
		}
		if (!f->dso) {
			/*
			 * Code no file holds and no JIT file names (JIT code, or a
			 * bad return address): on by frame pointer, as JIT compilers
			 * keep it (V8 does); the stack pointer must still grow.
			 */
			if (no_cfi_rule(u, pid, time, &c, n, sp, &bp, &bp_known, &r) != 0) {
				finish(res, UNWIND_FAILED, FAIL_NO_MAP, NULL);
				goto out;
			}
		} else if (f->dso->opened && !f->dso->obj) {
			memset(&r, 0, sizeof(r)); /* unreadable object: frame pointers only */
		} else {
			rule_of(u, f->dso, f->addr, &r);
		}
		switch (r.cfa) {
		case CFA_END:
			finish(res, UNWIND_ROOT, FAIL_NONE, NULL);
			goto out;
		case CFA_UNSUPPORTED:
			finish(res, UNWIND_FAILED, FAIL_BAD_CFI, f->dso);
			goto out;
		case CFA_NONE:
			switch (no_cfi_rule(u, pid, time, &c, n, sp, &bp, &bp_known, &r)) {
			case 1:
				finish(res, UNWIND_ROOT, FAIL_NONE, NULL);
				goto out;
			case -1:
				finish(res, UNWIND_FAILED, FAIL_NO_CFI, f->dso);
				goto out;
			}
			break;
		default:
			break;
		}
		switch (r.cfa) {
		case CFA_SP:
			cfa = sp + (uint64_t)(int64_t)r.cfa_off;
			break;
		case CFA_BP:
			if (!bp_known) {
				if (!find_frame_record(u, pid, time, &c, sp, &bp)) {
					finish(res, UNWIND_FAILED, FAIL_NO_BP, f->dso);
					goto out;
				}
				bp_known = true;
			}
			cfa = bp + (uint64_t)(int64_t)r.cfa_off;
			break;
		case CFA_PLT:
			cfa = sp + (uint64_t)(int64_t)r.cfa_off +
			      (((ip & r.plt_mask) >= r.plt_cmp) ? 8 : 0);
			break;
		case CFA_DEREF_SP:
			where = sp + (uint64_t)(int64_t)r.cfa_off;
			if (read_word(&c, where, &cfa) < 0) {
				out_of_stack(&c, where, res, f->dso);
				goto out;
			}
			break;
		default:
			finish(res, UNWIND_FAILED, FAIL_BAD_CFI, f->dso);
			goto out;
		}
		where = (r.ra == REG_AT_SP ? sp : cfa) + (uint64_t)(int64_t)r.ra_off;
		if (read_word(&c, where, &ra) < 0) {
			out_of_stack(&c, where, res, f->dso);
			goto out;
		}
		if (r.bp == REG_AT_CFA || r.bp == REG_AT_SP) {
			uint64_t nbp;

			where = (r.bp == REG_AT_SP ? sp : cfa) + (uint64_t)(int64_t)r.bp_off;
			if (read_word(&c, where, &nbp) == 0) {
				bp = nbp;
				bp_known = true;
			}
		}
		if (ra == 0) {
			finish(res, UNWIND_ROOT, FAIL_NONE, NULL);
			goto out;
		}
		/* a signal frame's caller is the interrupted code: its stack may lie anywhere */
		if (!r.signal && cfa <= sp) {
			finish(res, UNWIND_FAILED, FAIL_SP, f->dso);
			goto out;
		}
		sp = cfa;
		ip = ra;
		exact = r.signal;
	}
out:
	/* what a copy must hold for this stack: the sampled thread's stack top, as far as used */
	if (res->end == UNWIND_ROOT)
		res->extent = c.read_end - c.lo;
}

/* The tail of the chain repeats with a short period, through an address in no object. */
static bool fp_loops(const struct unwind_frame *f, size_t n)
{
	enum { MAX_PERIOD = 8, MIN_REPEATS = 4 };

	for (size_t p = 1; p <= MAX_PERIOD && p * MIN_REPEATS < n; p++) {
		bool outside = false;
		size_t i;

		for (i = n - p * MIN_REPEATS; i + p < n && f[i].ip == f[i + p].ip; i++)
			outside |= !f[i].dso;
		if (i + p == n)
			return outside || !f[n - 1].dso;
	}
	return false;
}

void unwind_judge_fp(const struct unwind_frame *frames, size_t n, bool at_limit,
		     struct unwind_result *res)
{
	memset(res, 0, sizeof(*res));
	res->nframes = (uint32_t)n;
	if (!n) {
		finish(res, UNWIND_NO_STACK, FAIL_NONE, NULL);
		return;
	}
	if (!frames[0].dso) {
		finish(res, UNWIND_FAILED, FAIL_NO_MAP, NULL);
		return;
	}
	for (size_t i = 1; i < n; i++) {
		if (!frames[i].dso) {
			finish(res, UNWIND_FAILED,
			       at_limit && fp_loops(frames, n) ? FAIL_FP_LOOP : FAIL_FP_OUTSIDE,
			       frames[i - 1].dso);
			return;
		}
	}
	if (at_limit)
		finish(res, UNWIND_DEPTH, FAIL_NONE, NULL);
	else
		finish(res, UNWIND_FAILED, FAIL_FP_STOP, frames[n - 1].dso);
}
