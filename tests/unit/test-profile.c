// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The profile builder on samples made up here: user frames in this test's
 * own executable (named from its symbol table, the addresses computed from
 * where the loader put it), kernel frames named from a table built by
 * hand, code with no file and addresses in no mapping. Identical stacks
 * merge, a different thread, process or name keeps its own; the quality
 * counters follow each sample's unwind result; and the totals, selection
 * and folded lines come out as the samples say. Frames keep where they
 * were in their process: the mapping (object, range, build-id) and address.
 */
#include "analyse/profile.h"
#include "resolve/elf.h"
#include "resolve/kallsyms.h"
#include "resolve/maps.h"
#include "resolve/symbolize.h"
#include "resolve/unwind.h"
#include "store/format.h"
#include "tap.h"

#include <link.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(void);

/* Three functions of this executable, with bodies that differ so that none is folded away. */
static volatile int sink;

__attribute__((noinline, used)) static int prof_leaf(int x)
{
	sink = x * 3;
	return sink + 1;
}

__attribute__((noinline, used)) static int prof_mid(int x)
{
	sink = prof_leaf(x + 7);
	return sink - 2;
}

#define KLEAF  0xffffffff81100000ull
#define KENTRY 0xffffffff81200000ull

static uint64_t bias;	 /* where the loader put this executable */
static char exe[4096];	 /* its path */
static const char *base; /* its name */

static int find_bias(struct dl_phdr_info *info, size_t size, void *arg)
{
	(void)size;
	(void)arg;
	bias = info->dlpi_addr; /* the first object is the executable */
	return 1;
}

/* The address of a function of this executable as its ELF file has it. */
static uint64_t elf_addr(const void *fn)
{
	return (uint64_t)(uintptr_t)fn - bias;
}

static struct unwind_frame frame(struct dso *d, uint64_t addr)
{
	struct unwind_frame f = { .dso = d, .addr = addr, .ip = addr };

	return f;
}

static const struct prof_stack *find_stack(const struct profile *p, uint32_t pid, uint32_t tid,
					   const char *comm, uint32_t depth, const char *leaf)
{
	for (size_t i = 0; i < p->nstacks; i++) {
		const struct prof_stack *s = &p->stacks[i];

		if (s->pid == pid && s->tid == tid && !strcmp(s->comm, comm) && s->depth == depth &&
		    !strcmp(profile_frame_func(p, s, 0)->name, leaf))
			return s;
	}
	return NULL;
}

static size_t funcs_named(const struct profile *p, const char *name)
{
	size_t n = 0;

	for (size_t i = 0; i < p->nfuncs; i++)
		n += !strcmp(p->funcs[i].name, name);
	return n;
}

static const struct prof_func *func_named(const struct profile *p, const char *name)
{
	for (size_t i = 0; i < p->nfuncs; i++)
		if (!strcmp(p->funcs[i].name, name))
			return &p->funcs[i];
	return NULL;
}

static bool keep_tid(const struct profile *p, const struct prof_stack *s, void *arg)
{
	(void)p;
	return s->tid == *(const uint32_t *)arg;
}

static bool keep_none(const struct profile *p, const struct prof_stack *s, void *arg)
{
	(void)p;
	(void)s;
	(void)arg;
	return false;
}

static void test_empty(void)
{
	struct profile_builder *b = profile_builder_new();
	struct symbolizer *sym = symbolizer_new(NULL, 0);
	struct profile *p;

	ok(!profile_builder_has_kernel(b), "empty: no kernel frames");
	/* a sample with no frames at all has nothing to show */
	profile_builder_add(b, 1, 1, "x", NULL, 0, NULL, 0, NULL, 5, 100);
	p = profile_builder_finish(b, sym, NULL, NULL, NULL);
	ok(p && p->nstacks == 0 && p->samples == 0 && p->weight == 0 && p->nfuncs == 0 &&
	       p->nframes == 0,
	   "empty: no stacks, samples, weight or functions");
	ok(p && p->time_start == 0 && p->time_end == 0 && p->period == 0,
	   "empty: no times, no period");
	ok(p && p->quality.samples == 0 && p->quality.kernel_only == 0 && p->quality.nfailures == 0,
	   "empty: no quality counts");
	ok(p && !strcmp(p->event, "?") && !strcmp(p->weight_unit, "events") &&
	       !strcmp(p->title, ""),
	   "empty: defaults for a missing event, unit and title");
	profile_free(p);
	profile_free(NULL);
	profile_builder_free(b);
	profile_builder_free(NULL);
	symbolizer_free(sym);
	ok(1, "profile_free(NULL) and profile_builder_free(NULL) are no-ops");
}

static void test_build(void)
{
	struct kallsyms *k = kallsyms_new();
	struct symbolizer *sym;
	struct maps *m = maps_new();
	struct rec_mmap mm = { .pid = 10, .start = bias, .len = 1 << 20 };
	struct dso *self, *anon;
	struct profile_builder *b = profile_builder_new();
	struct profile *p;
	const struct prof_stack *s;
	uint64_t leaf = elf_addr((const void *)prof_leaf), mid = elf_addr((const void *)prof_mid),
		 mainf = elf_addr((const void *)main);
	struct unwind_frame full[3], cut[2], withanon[1], withunknown[2];
	uint64_t kframes[2] = { KLEAF + 0x10, KENTRY + 0x20 };
	struct unwind_result root = { .end = UNWIND_ROOT }, trunc = { .end = UNWIND_TRUNCATED },
			     depth = { .end = UNWIND_DEPTH };
	struct unwind_result fail_anon = { .end = UNWIND_FAILED, .fail = FAIL_NO_CFI };
	struct unwind_result fail_nomap = { .end = UNWIND_FAILED, .fail = FAIL_NO_MAP };
	char comm[16] = "app", *buf = NULL;
	size_t alloc = 0, len;
	uint32_t tid;

	kallsyms_add(k, KLEAF, KLEAF + 0x100, "k_leaf");
	kallsyms_add(k, KENTRY, KENTRY + 0x100, "k_entry");
	kallsyms_finish(k);
	sym = symbolizer_new(k, 0);
	maps_add_mmap(m, &mm, exe);
	mm.start = 0x10000000;
	mm.len = 0x10000;
	maps_add_mmap(m, &mm, "//anon");
	maps_finish(m);
	self = maps_dso(m, 0);
	anon = maps_dso(m, 1);
	fail_anon.fail_dso = anon;

	/* leaf first; callers at an address inside them, as a return address would be */
	full[0] = frame(self, leaf);
	full[1] = frame(self, mid + 1);
	full[2] = frame(self, mainf + 1);
	cut[0] = full[0];
	cut[1] = full[1];
	withanon[0] = frame(anon, 0x1234);
	withunknown[0] = full[0];
	withunknown[1] = frame(NULL, 0xdead);

	profile_builder_add(b, 10, 10, comm, NULL, 0, full, 3, &root, 100, 3000);
	strcpy(comm, "XXX"); /* the builder keeps its own copy */
	profile_builder_add(b, 10, 10, "app", NULL, 0, full, 3, &root, 250, 1000);
	profile_builder_add(b, 10, 11, "app", NULL, 0, full, 3, &root, 1000, 2000);
	profile_builder_add(b, 10, 10, "renamed", NULL, 0, full, 3, &root, 1, 2500);
	profile_builder_add(b, 20, 10, "app", NULL, 0, full, 3, &root, 1, 2600);
	ok(!profile_builder_has_kernel(b), "user frames only: no kernel frames");
	profile_builder_add(b, 10, 10, "app", kframes, 2, cut, 2, &trunc, 10, 4000);
	ok(profile_builder_has_kernel(b), "a sample with kernel frames: has kernel frames");
	profile_builder_add(b, 0, 7, "kworker/0:1", kframes, 1, NULL, 0, NULL, 20, 5000);
	profile_builder_add(b, 10, 12, "app", NULL, 0, withanon, 1, &fail_anon, 5, 1500);
	profile_builder_add(b, 10, 12, "app", NULL, 0, withanon, 1, &fail_anon, 5, 1501);
	profile_builder_add(b, 10, 12, "app", NULL, 0, withunknown, 2, &fail_nomap, 5, 1600);
	profile_builder_add(b, 10, 13, "app", NULL, 0, cut, 2, &depth, 7, 1700);
	/* cut by the copy's size, but at main: that is a whole stack */
	profile_builder_add(b, 10, 14, "app", NULL, 0, full, 3, &trunc, 3, 1800);

	p = profile_builder_finish(b, sym, "cpu-clock", "nanoseconds", "app --fast");
	if (!p) {
		ok(0, "finish returns a profile");
		return;
	}
	is_str(p->event, "cpu-clock", "event copied");
	is_str(p->weight_unit, "nanoseconds", "weight unit copied");
	is_str(p->title, "app --fast", "title copied");
	is_int((long long)p->nstacks, 10, "10 distinct (pid, tid, name, frames)");
	is_int((long long)p->samples, 12, "12 samples");
	is_int((long long)p->weight, 1407, "their summed weight");
	is_int((long long)p->period, 1407 / 12, "period: the mean weight per sample");
	is_int((long long)p->time_start, 1000, "time_start: the earliest sample");
	is_int((long long)p->time_end, 5000, "time_end: the latest sample");
	{
		uint64_t samples = 0, weight = 0;

		for (size_t i = 0; i < p->nstacks; i++)
			samples += p->stacks[i].samples, weight += p->stacks[i].weight;
		ok(samples == p->samples && weight == p->weight, "totals are the stacks' sums");
	}

	s = find_stack(p, 10, 10, "app", 3, "prof_leaf");
	ok(s && s->samples == 2 && s->weight == 350,
	   "identical stacks merge: 2 samples, weights summed");
	ok(s && !strcmp(profile_frame_func(p, s, 0)->name, "prof_leaf") &&
	       !strcmp(profile_frame_func(p, s, 1)->name, "prof_mid") &&
	       !strcmp(profile_frame_func(p, s, 2)->name, "main"),
	   "frames leaf first: prof_leaf, prof_mid, main");
	ok(find_stack(p, 10, 11, "app", 3, "prof_leaf") &&
	       find_stack(p, 10, 11, "app", 3, "prof_leaf")->samples == 1,
	   "another thread: a stack of its own");
	ok(find_stack(p, 10, 10, "renamed", 3, "prof_leaf") &&
	       find_stack(p, 10, 10, "renamed", 3, "prof_leaf")->weight == 1,
	   "another thread name: a stack of its own");
	ok(find_stack(p, 20, 10, "app", 3, "prof_leaf") != NULL,
	   "another process: a stack of its own");
	ok(!find_stack(p, 10, 10, "XXX", 3, "prof_leaf"), "the name as it was when added");

	/* names, objects and addresses */
	{
		const struct prof_func *f = func_named(p, "prof_leaf");

		ok(f && !f->kernel && !strcmp(f->dso, base) && f->path && !strcmp(f->path, exe) &&
		       f->start == leaf,
		   "prof_leaf: in this executable, by path, at its ELF address");
		f = func_named(p, "prof_mid");
		ok(f && f->start == mid, "prof_mid: its start, not the address inside it");
		f = func_named(p, "k_leaf");
		ok(f && f->kernel && !strcmp(f->dso, "[kernel.kallsyms]") && !f->path &&
		       f->start == KLEAF,
		   "k_leaf: a kernel function, no path, its start");
		f = func_named(p, "[anon]+0x1234");
		ok(f && !f->kernel && !strcmp(f->dso, "[anon]") && f->path &&
		       !strcmp(f->path, "//anon"),
		   "code with no file: named by its object and address, its path as mapped");
		f = func_named(p, "[unknown]");
		ok(f && !f->kernel && !strcmp(f->dso, "[unknown]") && !f->path,
		   "an address in no mapping: [unknown]");
	}
	is_int((long long)p->nfuncs, 7, "7 functions");
	ok(funcs_named(p, "prof_leaf") == 1 && funcs_named(p, "main") == 1 &&
	       funcs_named(p, "k_leaf") == 1,
	   "each function once, however many stacks hold it");
	is_int((long long)p->nlocs, 7, "7 locations: one per distinct address");

	s = find_stack(p, 10, 10, "app", 4, "k_leaf");
	ok(s && profile_frame_func(p, s, 0)->kernel && profile_frame_func(p, s, 1)->kernel &&
	       !strcmp(profile_frame_func(p, s, 1)->name, "k_entry") &&
	       !profile_frame_func(p, s, 2)->kernel &&
	       !strcmp(profile_frame_func(p, s, 3)->name, "prof_mid"),
	   "kernel frames before user frames");
	ok(s && p->locs[p->frames[s->first]].addr == KLEAF + 0x10 &&
	       p->locs[p->frames[s->first + 3]].addr == mid + 1,
	   "locations keep the sampled addresses");
	ok(s && !p->locs[p->frames[s->first]].inlined && p->locs[p->frames[s->first]].line == 0 &&
	       !p->locs[p->frames[s->first]].file,
	   "no lines or inlined frames unless asked");

	/* quality */
	is_int((long long)p->quality.samples, 11, "quality: samples with a user stack");
	is_int((long long)p->quality.kernel_only, 1, "quality: kernel-only samples");
	is_int((long long)p->quality.root, 6, "quality: reached the root (or main)");
	is_int((long long)p->quality.truncated, 1, "quality: truncated");
	is_int((long long)p->quality.depth, 1, "quality: at the depth limit");
	is_int((long long)p->quality.failed, 3, "quality: failed");
	is_int((long long)p->quality.nfailures, 2, "quality: two places of failure");
	if (p->quality.nfailures == 2) {
		const struct prof_failure *f = p->quality.failures;

		ok(!strcmp(f[0].dso, "[anon]") &&
		       !strcmp(f[0].reason, unwind_fail_reason(FAIL_NO_CFI)) && f[0].samples == 2,
		   "failures: the object without CFI first, 2 samples");
		ok(!strcmp(f[1].dso, "[unknown]") &&
		       !strcmp(f[1].reason, unwind_fail_reason(FAIL_NO_MAP)) && f[1].samples == 1,
		   "failures: then no mapping, 1 sample");
	}

	/* the folded form */
	s = find_stack(p, 10, 10, "app", 4, "k_leaf");
	if (s) {
		len = profile_fold_stack(p, s, NULL, &buf, &alloc);
		is_str(buf, "app;prof_mid;prof_leaf;k_entry_[k];k_leaf_[k]",
		       "folded: outermost first, kernel frames marked");
		is_int((long long)len, (long long)strlen(buf), "folded: returns the length");
		len = profile_fold_stack(p, s, "other name", &buf, &alloc);
		is_str(buf, "other name;prof_mid;prof_leaf;k_entry_[k];k_leaf_[k]",
		       "folded: a given name instead of the stack's");
		profile_fold_stack(p, s, "a;b\nc\x7f", &buf, &alloc);
		is_str(buf, "a:b?c?;prof_mid;prof_leaf;k_entry_[k];k_leaf_[k]",
		       "folded: ';' and control characters replaced");
	}
	s = find_stack(p, 10, 12, "app", 2, "prof_leaf");
	if (s) {
		len = profile_fold_stack(p, s, NULL, &buf, &alloc);
		is_str(buf, "app;[unknown];prof_leaf",
		       "folded: a shorter stack into the same buffer");
		is_int((long long)len, (long long)strlen(buf), "folded: its length");
	}
	free(buf);

	/* selection */
	tid = 10;
	profile_select(p, keep_tid, &tid);
	is_int((long long)p->nstacks, 4, "select tid 10: its 4 stacks");
	is_int((long long)p->samples, 2 + 1 + 1 + 1, "select: samples recomputed");
	is_int((long long)p->weight, 350 + 1 + 1 + 10, "select: weight recomputed");
	{
		bool all = true;

		for (size_t i = 0; i < p->nstacks; i++)
			all &= p->stacks[i].tid == 10;
		ok(all, "select: only the kept stacks remain");
	}
	profile_select(p, keep_none, NULL);
	ok(p->nstacks == 0 && p->samples == 0 && p->weight == 0, "select nothing: empty");

	profile_free(p);

	/* the builder is left empty: finishing again gives nothing */
	p = profile_builder_finish(b, sym, "cpu-clock", NULL, NULL);
	ok(p && p->nstacks == 0 && p->samples == 0 && p->quality.samples == 0 &&
	       p->quality.kernel_only == 0 && !profile_builder_has_kernel(b),
	   "after finish the builder is empty");
	profile_free(p);
	profile_builder_free(b);
	symbolizer_free(sym);
	kallsyms_free(k);
	maps_free(m);
}

/* A frame of this executable in process pid, where it is mapped at start. */
static struct unwind_frame mapped(const struct maps *m, uint32_t pid, uint64_t start,
				  uint64_t addr)
{
	struct unwind_frame f = { .addr = addr, .ip = start + addr };

	f.map = maps_find(m, pid, f.ip, 1);
	f.dso = f.map ? f.map->dso : NULL;
	return f;
}

/* The stack of pid whose leaf is function `leaf` (kernel frames included). */
static const struct prof_stack *stack_of(const struct profile *p, uint32_t pid, const char *leaf)
{
	for (size_t i = 0; i < p->nstacks; i++)
		if (p->stacks[i].pid == pid &&
		    !strcmp(profile_frame_func(p, &p->stacks[i], 0)->name, leaf))
			return &p->stacks[i];
	return NULL;
}

/*
 * Mappings: this executable mapped at two addresses (two processes), a
 * frame in no mapping, one located without its mapping, kernel frames;
 * from one builder, and from builders merged.
 */
#define MAP_LEN (64ull << 20)

static void test_maps(void)
{
	enum { P1 = 10, P2 = 20 };
	const uint64_t start2 = 0x7f0000000000ull;
	struct maps *m = maps_new();
	/* longer than this test program's code, sanitized builds' too */
	struct rec_mmap mm = { .pid = P1, .start = bias, .len = MAP_LEN };
	struct symbolizer *sym = symbolizer_new(NULL, 0);
	struct unwind_result root = { .end = UNWIND_ROOT };
	uint64_t leaf = elf_addr((const void *)prof_leaf), mid = elf_addr((const void *)prof_mid);
	uint64_t kframe = KLEAF + 4;
	struct unwind_frame f1[2], f2[2], odd[2];
	uint8_t bid[64];
	char hex[129] = "";
	int nbid = elf_file_build_id(exe, bid, sizeof(bid));

	for (int i = 0; i < nbid; i++)
		snprintf(hex + 2 * i, 3, "%02x", bid[i]);
	maps_add_mmap(m, &mm, exe);
	mm.pid = P2;
	mm.start = start2;
	mm.pgoff = 0;
	maps_add_mmap(m, &mm, exe);
	maps_finish(m);
	f1[0] = mapped(m, P1, bias, leaf);
	f1[1] = mapped(m, P1, bias, mid + 1);
	f2[0] = mapped(m, P2, start2, leaf);
	f2[1] = mapped(m, P2, start2, mid + 1);
	odd[0] = frame(f1[0].dso, leaf); /* located without its mapping */
	odd[1] = frame(NULL, 0xdead);

	for (int merged = 0; merged < 2; merged++) {
		struct profile_builder *parts[2] = { profile_builder_new(), profile_builder_new() };
		struct profile_builder *b = parts[0];
		const char *how = merged ? "merged" : "one builder";
		const struct prof_stack *s1, *s2, *so;
		struct profile *p;

		profile_builder_add(b, P1, P1, "app", &kframe, 1, f1, 2, &root, 1, 1);
		profile_builder_add(merged ? parts[1] : b, P2, P2, "app", NULL, 0, f2, 2, &root, 1,
				    2);
		profile_builder_add(merged ? parts[1] : b, P1, P1, "app", NULL, 0, odd, 2, &root, 1,
				    3);
		if (merged)
			b = profile_builder_merge(parts, 2);
		p = profile_builder_finish(b, sym, "cpu-clock", "nanoseconds", NULL);
		if (merged)
			profile_builder_free(b);
		profile_builder_free(parts[0]);
		profile_builder_free(parts[1]);

		ok(p->nmaps == 2, "maps (%s): the executable in each process", how);
		ok(p->frame_at != NULL, "maps (%s): each frame says where it was", how);
		s1 = stack_of(p, P1, "[unknown]"); /* the kernel frame, without kallsyms */
		s2 = stack_of(p, P2, "prof_leaf");
		so = stack_of(p, P1, "prof_leaf");
		if (p->nmaps != 2 || !p->frame_at || !s1 || !s2 || !so || s1->depth != 3 ||
		    s2->depth != 2 || so->depth != 2) {
			ok(0, "maps (%s): the three stacks", how);
			profile_free(p);
			continue;
		}
		{
			const struct prof_at *a1 = &p->frame_at[s1->first],
					     *a2 = &p->frame_at[s2->first],
					     *ao = &p->frame_at[so->first];
			const struct prof_map *m1 = &p->maps[a1[1].map], *m2 = &p->maps[a2[0].map];

			ok(a1[0].map == PROF_NO_MAP && a1[0].addr == kframe,
			   "maps (%s): a kernel frame: no mapping, its address", how);
			ok(a1[1].map != PROF_NO_MAP && a1[1].map == a1[2].map &&
			       a1[1].addr == bias + leaf && a1[2].addr == bias + mid + 1,
			   "maps (%s): user frames: their mapping and address in the process", how);
			ok(a2[0].map != a1[1].map && a2[0].map == a2[1].map &&
			       a2[0].addr == start2 + leaf,
			   "maps (%s): the other process: another mapping, its own address", how);
			ok(p->frames[s1->first + 1] == p->frames[s2->first] &&
			       p->frames[s1->first + 2] == p->frames[s2->first + 1],
			   "maps (%s): the same locations in both processes", how);
			ok(m1->start == bias && m1->limit == bias + MAP_LEN && !m1->offset &&
			       m2->start == start2 && m2->limit == start2 + MAP_LEN,
			   "maps (%s): ranges and offsets as mapped", how);
			ok(!strcmp(m1->path, exe) && !strcmp(m1->dso, base) && !strcmp(m2->path, exe),
			   "maps (%s): the object's path and name", how);
			ok(nbid > 0 && m1->build_id && !strcmp(m1->build_id, hex) && m2->build_id &&
			       !strcmp(m2->build_id, hex),
			   "maps (%s): the file's build-id in hex (%s)", how, hex);
			ok(ao[0].map == PROF_NO_MAP && ao[0].addr == leaf && ao[1].map == PROF_NO_MAP &&
			       ao[1].addr == 0xdead,
			   "maps (%s): frames without a mapping have none", how);
		}
		profile_free(p);
	}
	symbolizer_free(sym);
	maps_free(m);
}

/* Without kernel symbols, kernel frames are still kernel frames, named [unknown]. */
/*
 * The copy size cut stacks needed: from each one's stack pointer to its
 * thread's stack top, which the thread's whole stacks show.
 */
static void test_cut_need(void)
{
	struct symbolizer *sym = symbolizer_new(NULL, 0);
	struct profile_builder *b = profile_builder_new();
	struct unwind_frame f[1] = { frame(NULL, 0x1234) };
	struct unwind_result root = { .end = UNWIND_ROOT, .sp = 0x10000, .extent = 0x2000 };
	struct unwind_result lower = { .end = UNWIND_ROOT, .sp = 0x11000, .extent = 0x800 };
	struct unwind_result cut = { .end = UNWIND_TRUNCATED, .extent = 0x400 };
	struct profile *p;

	/* thread 1/1 reaches 0x12000; its cut stacks need 0x1000, 0x1100 ... 0x1900 bytes */
	profile_builder_add(b, 1, 1, "app", NULL, 0, f, 1, &lower, 1, 1);
	for (uint64_t i = 0; i < 10; i++) {
		cut.sp = 0x12000 - 0x1000 - i * 0x100;
		profile_builder_add(b, 1, 1, "app", NULL, 0, f, 1, &cut, 1, 2 + i);
	}
	/* learnt after the cut samples: the file is not in time order */
	profile_builder_add(b, 1, 1, "app", NULL, 0, f, 1, &root, 1, 20);
	/* thread 1/2 has no whole stack; nor has 2/1, although 1/1 has */
	cut.sp = 0x30000;
	profile_builder_add(b, 1, 2, "app", NULL, 0, f, 1, &cut, 1, 30);
	profile_builder_add(b, 1, 2, "app", NULL, 0, f, 1, &cut, 1, 31);
	cut.sp = 0x11000;
	profile_builder_add(b, 2, 1, "app", NULL, 0, f, 1, &cut, 1, 32);
	/* thread 1/3 ends within the copy: a top that is not this stack's */
	root.sp = 0x20000;
	root.extent = 0x100;
	profile_builder_add(b, 1, 3, "app", NULL, 0, f, 1, &root, 1, 40);
	cut.sp = 0x20000;
	profile_builder_add(b, 1, 3, "app", NULL, 0, f, 1, &cut, 1, 41);
	/* after an exec (a new name), 1/1's stack is elsewhere */
	cut.sp = 0x11000;
	profile_builder_add(b, 1, 1, "other", NULL, 0, f, 1, &cut, 1, 42);
	/* a top further than any stack grows is another stack's */
	root.sp = 0x7f0000000000;
	profile_builder_add(b, 1, 4, "app", NULL, 0, f, 1, &root, 1, 43);
	cut.sp = 0x10000;
	profile_builder_add(b, 1, 4, "app", NULL, 0, f, 1, &cut, 1, 44);
	p = profile_builder_finish(b, sym, "cpu-clock", NULL, NULL);
	is_int((long long)p->quality.truncated, 16, "cut need: 16 cut samples");
	is_int((long long)p->quality.cut_measured, 10, "cut need: 10 of their threads' tops known");
	is_int((long long)p->quality.cut_need, 0x1800,
	       "cut need: 0x1800 bytes hold 90 percent of them (the 9th of 10)");
	is_int((long long)p->quality.cut_unknown, 6,
	       "cut need: unknown without a whole stack of the thread (as it is named), or with "
	       "a top in the copy or beyond 8 MiB");
	profile_free(p);

	/* the builder is left empty: nothing of the above carries over */
	profile_builder_add(b, 1, 1, "app", NULL, 0, f, 1, &cut, 1, 50);
	p = profile_builder_finish(b, sym, "cpu-clock", NULL, NULL);
	ok(p->quality.cut_measured == 0 && p->quality.cut_unknown == 1,
	   "cut need: a second profile from the builder starts afresh");
	profile_free(p);
	profile_builder_free(b);
	symbolizer_free(sym);
}

static void test_no_kallsyms(void)
{
	struct symbolizer *sym = symbolizer_new(NULL, 0);
	struct profile_builder *b = profile_builder_new();
	uint64_t kframes[2] = { KLEAF + 0x10, KENTRY + 0x20 };
	struct profile *p;
	char *buf = NULL;
	size_t alloc = 0;

	profile_builder_add(b, 0, 7, "kthread", kframes, 2, NULL, 0, NULL, 4, 10);
	p = profile_builder_finish(b, sym, "cpu-clock", NULL, NULL);
	if (p && p->nstacks == 1) {
		const struct prof_func *f = profile_frame_func(p, &p->stacks[0], 0);

		ok(f->kernel && !strcmp(f->name, "[unknown]") &&
		       !strcmp(f->dso, "[kernel.kallsyms]") && f->start == 0,
		   "no kallsyms: a kernel frame is [unknown] in the kernel");
		is_int((long long)p->nfuncs, 1, "no kallsyms: both frames are one function");
		is_int((long long)p->nlocs, 2, "no kallsyms: two locations");
		profile_fold_stack(p, &p->stacks[0], NULL, &buf, &alloc);
		is_str(buf, "kthread;[unknown]_[k];[unknown]_[k]", "no kallsyms: folded");
		ok(p->quality.samples == 0 && p->quality.kernel_only == 1,
		   "no kallsyms: a kernel-only sample");
	} else {
		ok(0, "no kallsyms: one stack");
	}
	free(buf);
	profile_free(p);
	profile_builder_free(b);
	symbolizer_free(sym);
}

/*
 * Off-CPU samples: the marker frame as the leaf, "[no stack]" above it for
 * an interval without a stack, their kinds and the totals by kind; an
 * interval's end counts as the profile's; and their time in quanta.
 */
static void test_off_cpu(void)
{
	struct symbolizer *sym = symbolizer_new(NULL, 0);
	struct profile_builder *b = profile_builder_new();
	uint64_t kframes[1] = { KLEAF + 0x10 };
	struct profile *p;
	char *buf = NULL;
	size_t alloc = 0;
	uint64_t by_kind[PROF_KIND_MAX] = { 0 };
	bool marker_leaf = true;

	profile_builder_keep_samples(b);
	profile_builder_add(b, 1, 1, "app", kframes, 1, NULL, 0, NULL, 1000000, 10);
	profile_builder_add_kind(b, SAMPLE_KIND_BLOCKED, false, 1, 1, "app", kframes, 1, NULL, 0,
				 NULL, 2500000, 20);
	profile_builder_add_kind(b, SAMPLE_KIND_BLOCKED, false, 1, 1, "app", kframes, 1, NULL, 0,
				 NULL, 2500000, 30000000);
	/* no stack: the frames given are not kept */
	profile_builder_add_kind(b, SAMPLE_KIND_RUNNABLE, true, 1, 1, "app", kframes, 1, NULL, 0,
				 NULL, 400000, 40);
	p = profile_builder_finish(b, sym, "cpu-clock", "nanoseconds", NULL);
	is_int((long long)p->nstacks, 3, "off-CPU: a CPU stack, a blocked one, a runnable one");
	for (size_t i = 0; i < p->nstacks; i++) {
		const struct prof_stack *st = &p->stacks[i];
		const struct prof_func *leaf = profile_frame_func(p, st, 0);

		by_kind[st->kind] += st->weight;
		if (st->kind != PROF_KIND_CPU)
			marker_leaf &= !strcmp(leaf->dso, "[off-cpu]") && !leaf->kernel;
		profile_fold_stack(p, st, NULL, &buf, &alloc);
		if (st->kind == PROF_KIND_BLOCKED)
			is_str(buf, "app;[unknown]_[k];[off-cpu: blocked]",
			       "off-CPU: blocked, the marker under its kernel frame");
		else if (st->kind == PROF_KIND_RUNNABLE)
			is_str(buf, "app;[no stack];[off-cpu: runnable]",
			       "off-CPU: no stack, the marker under [no stack]");
	}
	ok(marker_leaf, "off-CPU: the leaf is a marker of the object [off-cpu]");
	ok(by_kind[PROF_KIND_CPU] == 1000000 && by_kind[PROF_KIND_BLOCKED] == 5000000 &&
	       by_kind[PROF_KIND_RUNNABLE] == 400000,
	   "off-CPU: weights by kind");
	ok(!memcmp(by_kind, p->kind_weight, sizeof(by_kind)), "off-CPU: the profile's totals by kind");
	is_int((long long)p->quality.kernel_only, 1,
	       "off-CPU: only the CPU sample counts as one without a user stack");
	is_int((long long)p->time_end, 32500000, "off-CPU: the profile ends where an interval does");

	/* 1 ms quanta: 1 + 5 (2.5 ms twice, the stack's total rounded) + 0 (0.4 ms) */
	profile_count_time(p, 1000000);
	is_int((long long)p->samples, 6, "quanta: the stacks' time in whole milliseconds");
	is_int((long long)p->nsample_list, 6, "quanta: one sample each");
	ok(p->sample_list[0].time <= p->sample_list[5].time, "quanta: in time order");
	/* the first 2.5 ms rounds to 3, the second to the 2 left: at 30 and 31 ms */
	is_int((long long)p->sample_list[5].time, 31000000,
	       "quanta: the last spread over its interval (from 30 ms, every 1 ms)");
	free(buf);
	profile_free(p);
	profile_builder_free(b);
	symbolizer_free(sym);
}

/* Inlined frames and empty names, on a profile built by hand. */
static void test_fold_by_hand(void)
{
	struct prof_func funcs[] = {
	    { .name = "helper" },
	    { .name = "caller" },
	    { .name = "" },
	    { .name = NULL },
	};
	struct prof_loc locs[] = {
	    { .func = 0, .inlined = true },
	    { .func = 1 },
	    { .func = 2 },
	    { .func = 3 },
	};
	uint32_t frames[] = { 0, 1, 2, 3 };
	struct prof_stack st = { .first = 0, .depth = 4, .comm = "t", .samples = 1 };
	struct profile p = { .funcs = funcs,
			    .nfuncs = 4,
			    .locs = locs,
			    .nlocs = 4,
			    .stacks = &st,
			    .nstacks = 1,
			    .frames = frames,
			    .nframes = 4 };
	char *buf = NULL;
	size_t alloc = 0;

	profile_fold_stack(&p, &st, NULL, &buf, &alloc);
	is_str(buf, "t;[unknown];[unknown];caller;helper_[i]",
	       "folded: inlined frames marked, empty names [unknown]");
	st.comm = "";
	st.first = 1;
	st.depth = 1;
	profile_fold_stack(&p, &st, NULL, &buf, &alloc);
	is_str(buf, "[unknown];caller", "folded: an empty thread name is [unknown]");
	free(buf);
}

int main(void)
{
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	if (n <= 0) {
		printf("1..0 # SKIP cannot read /proc/self/exe\n");
		return 0;
	}
	exe[n] = '\0';
	base = strrchr(exe, '/') ? strrchr(exe, '/') + 1 : exe;
	dl_iterate_phdr(find_bias, NULL);
	sink = prof_mid(1);
	test_empty();
	test_build();
	test_maps();
	test_no_kallsyms();
	test_cut_need();
	test_fold_by_hand();
	test_off_cpu();
	return done_testing();
}
