// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The unwinder on this very process: a known chain of calls copies its own
 * registers and stack, as the kernel does for a sample, and the unwinder,
 * given the process's maps, must walk back through it to the root: plain
 * calls, a signal handler (through the sigreturn trampoline), a thread,
 * and stack copies cut short. Then stacks made by hand through code no
 * object holds (JIT code): walked by frame pointer while the stack pointer
 * grows inside the copy, and stopped where it does not, where rbp leaves
 * the copy, at a loop and at the root; the same code named by a JIT map.
 */
#include "resolve/cfi.h"
#include "resolve/elf.h"
#include "resolve/jit.h"
#include "resolve/maps.h"
#include "resolve/symbolize.h"
#include "resolve/unwind.h"
#include "tap.h"

#include <gelf.h>
#include <fcntl.h>
#include <libelf.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define COPY_MAX 16384

/* keep the functions as they are: no clones with .constprop/.isra names */
#if defined(__clang__)
#define KEEP __attribute__((noinline))
#else
#define KEEP __attribute__((noipa))
#endif

struct capture {
	uint64_t ip, sp, bp;
	uint8_t stack[COPY_MAX];
	size_t size;
};

static struct capture cap;
static uint64_t stack_top; /* of the thread being captured */

/* Reads the stack as the kernel would: not through ASan's eyes (redzones are fine to copy). */
__attribute__((no_sanitize("address"), noinline)) static void copy_stack(uint64_t sp)
{
	const volatile uint8_t *src = (const volatile uint8_t *)(uintptr_t)sp;
	size_t n = stack_top > sp ? stack_top - sp : 0;

	if (n > COPY_MAX)
		n = COPY_MAX;
	for (size_t i = 0; i < n; i++)
		cap.stack[i] = src[i];
	cap.size = n;
}

/* The "sample": ip, sp and bp read together, then the stack above sp copied. */
__attribute__((noinline)) static void take_sample(void)
{
	uint64_t ip, sp, bp;

	__asm__ volatile("lea 0(%%rip), %0\n\t"
			 "mov %%rsp, %1\n\t"
			 "mov %%rbp, %2"
			 : "=r"(ip), "=r"(sp), "=r"(bp));
	cap.ip = ip;
	cap.sp = sp;
	cap.bp = bp;
	copy_stack(sp);
	__asm__ volatile("" ::: "memory");
}

KEEP static int level3(int x)
{
	take_sample();
	__asm__ volatile("" ::: "memory");
	return x + 1;
}

KEEP static int level2(int x)
{
	int r = level3(x + 1);

	__asm__ volatile("" ::: "memory");
	return r * 2;
}

KEEP static int level1(int x)
{
	int r = level2(x + 1);

	__asm__ volatile("" ::: "memory");
	return r - 3;
}

static void on_signal(int sig)
{
	(void)sig;
	take_sample();
	__asm__ volatile("" ::: "memory");
}

KEEP static int signal_level(int x)
{
	raise(SIGUSR1);
	__asm__ volatile("" ::: "memory");
	return x + 1;
}

static uint64_t mapping_end(uint64_t addr);

static void *thread_main(void *arg)
{
	(void)arg;
	stack_top = mapping_end((uint64_t)(uintptr_t)&arg);
	level1(1);
	__asm__ volatile("" ::: "memory");
	return NULL;
}

/* The end of the mapping that holds addr (the top of a stack). */
static uint64_t mapping_end(uint64_t addr)
{
	FILE *f = fopen("/proc/self/maps", "r");
	char line[512];
	uint64_t end = 0;

	while (f && fgets(line, sizeof(line), f)) {
		unsigned long lo, hi;

		if (sscanf(line, "%lx-%lx", &lo, &hi) == 2 && addr >= lo && addr < hi)
			end = hi;
	}
	if (f)
		fclose(f);
	return end;
}

/* This process's executable mappings, as record would have seen them. */
static struct maps *self_maps(void)
{
	struct maps *m = maps_new();
	FILE *f = fopen("/proc/self/maps", "r");
	char line[512];

	while (f && fgets(line, sizeof(line), f)) {
		unsigned long lo, hi, off;
		char perms[8], path[400] = "";
		struct rec_mmap r;

		if (sscanf(line, "%lx-%lx %7s %lx %*s %*s %399s", &lo, &hi, perms, &off, path) < 4 ||
		    perms[2] != 'x' || path[0] != '/')
			continue;
		memset(&r, 0, sizeof(r));
		r.pid = (uint32_t)getpid();
		r.start = lo;
		r.len = hi - lo;
		r.pgoff = off;
		maps_add_mmap(m, &r, path);
	}
	if (f)
		fclose(f);
	maps_finish(m);
	return m;
}

/* The function names of the unwound frames, joined by ';' (leaf first). */
static char *names(struct symbolizer *sym, const struct unwind_frame *fr, size_t n)
{
	size_t len = 1;
	char *s = calloc(1, 1);

	for (size_t i = 0; i < n; i++) {
		struct sym_frame sf[SYM_MAX_INLINE];
		size_t k = symbolize_user(sym, fr[i].dso, fr[i].addr, sf, SYM_MAX_INLINE);
		const char *name = sf[k - 1].func;

		s = realloc(s, len + strlen(name) + 1);
		strcat(s, name);
		strcat(s, ";");
		len += strlen(name) + 1;
	}
	return s;
}

/* The address and size of a section of the running executable, 0 if none. */
static uint64_t exe_section(const char *want, uint64_t *size)
{
	int fd = open("/proc/self/exe", O_RDONLY);
	Elf *e;
	Elf_Scn *scn = NULL;
	size_t shstrndx;
	uint64_t addr = 0;

	elf_version(EV_CURRENT);
	if (fd < 0)
		return 0;
	e = elf_begin(fd, ELF_C_READ, NULL);
	if (e && elf_getshdrstrndx(e, &shstrndx) == 0)
		while ((scn = elf_nextscn(e, scn))) {
			GElf_Shdr sh;
			const char *name;

			if (gelf_getshdr(scn, &sh) && (name = elf_strptr(e, shstrndx, sh.sh_name)) &&
			    !strcmp(name, want)) {
				addr = sh.sh_addr;
				*size = sh.sh_size;
			}
		}
	elf_end(e);
	close(fd);
	return addr;
}

/* The PLT's CFA expression becomes a rule of its own, with the linker's constants. */
static void test_plt_rule(void)
{
	uint64_t size = 0, plt = exe_section(".plt", &size), start, end;
	struct unwind_rule r;
	struct cfi *c;

	if (!plt || size < 48 || cfi_open("/proc/self/exe", NULL, 0, NULL, &c) < 0) {
		ok(true, "# SKIP no lazy-binding .plt in this executable");
		ok(true, "# SKIP no lazy-binding .plt in this executable");
		return;
	}
	cfi_rule(c, plt + 16, &r, &start, &end);
	is_int(r.cfa, CFA_PLT, "a PLT entry's CFA is the PLT rule");
	ok(r.cfa_off == 8 && r.plt_mask == 15 && r.plt_cmp >= 10 && r.plt_cmp <= 11,
	   "the PLT rule: rsp + 8, + 8 more once (rip & 15) >= %u", r.plt_cmp);
	cfi_close(c);
}

static struct unwind_frame frames[512];

static void unwind_capture(struct unwinder *u, size_t size, bool full, struct unwind_result *res)
{
	unwind_user(u, (uint32_t)getpid(), 1, cap.ip, cap.sp, cap.bp, true, cap.stack, size, full,
		    frames, 512, res);
}

/* Does `chain` appear in order (not necessarily adjacent) in `s`? */
static bool in_order(const char *s, const char *const *chain, size_t n)
{
	const char *p = s;

	for (size_t i = 0; i < n; i++) {
		char want[128];

		snprintf(want, sizeof(want), "%s;", chain[i]);
		p = strstr(p, want);
		if (!p)
			return false;
		p += strlen(want);
	}
	return true;
}

/* A stack by hand: words at offsets (in words) from sp; the rest zero. */
static void set_word(uint64_t *stack, size_t i, uint64_t v)
{
	stack[i] = v;
}

/* A hand-made stack unwound from ip 0x1000 with rbp at sp (a leaf that has set its frame up). */
static void unwind_stack(struct unwinder *u, uint32_t pid, uint64_t sp, const uint64_t *stack,
			 size_t size, struct unwind_frame *f, size_t max, struct unwind_result *res)
{
	unwind_user(u, pid, 1, 0x1000, sp, sp, true, (const uint8_t *)stack, size, false, f, max,
		    res);
}

/* Code in no mapping, frames kept by rbp: the unwinder goes on by frame pointer. */
static void test_unmapped(void)
{
	const uint64_t sp = 0x7ff000001000ull;
	const uint32_t pid = 4242;
	struct maps *m = maps_new();
	struct unwinder *u;
	struct unwind_frame f[16];
	struct unwind_result res;
	uint64_t stack[16];
	struct jit_syms *j;

	maps_finish(m);
	u = unwinder_new(m);
	/* the leaf just set its frame up (rbp == sp); its caller's frame is 4 words up */
	memset(stack, 0, sizeof(stack));
	set_word(stack, 0, sp + 32);
	set_word(stack, 1, 0x2008);
	set_word(stack, 4, sp + 64);
	set_word(stack, 5, 0x3008);
	set_word(stack, 8, sp + 16); /* below the frame: the stack pointer would not grow */
	set_word(stack, 9, 0x4008);
	unwind_stack(u, pid, sp, stack, sizeof(stack), f, 16, &res);
	is_int(res.nframes, 4, "no mapping: on by frame pointer");
	ok(res.nframes == 4 && f[0].ip == 0x1000 && f[1].ip == 0x2007 && f[2].ip == 0x3007 &&
		   f[3].ip == 0x4007 && !f[3].dso,
	   "no mapping: the return addresses, less one");
	ok(res.end == UNWIND_FAILED && res.fail == FAIL_NO_MAP,
	   "no mapping: stops where rbp points below the stack pointer");

	set_word(stack, 4, sp + 4096); /* beyond the copy */
	unwind_stack(u, pid, sp, stack, sizeof(stack), f, 16, &res);
	ok(res.nframes == 3 && res.end == UNWIND_FAILED && res.fail == FAIL_NO_MAP,
	   "no mapping: stops where rbp leaves the copy (%u frames)", res.nframes);

	set_word(stack, 4, sp + 32); /* points at itself */
	unwind_stack(u, pid, sp, stack, sizeof(stack), f, 16, &res);
	ok(res.nframes == 3 && res.end == UNWIND_FAILED, "no mapping: a loop stops (%u frames)",
	   res.nframes);

	set_word(stack, 4, sp + 64);
	set_word(stack, 8, 0);
	set_word(stack, 9, 0);
	unwind_stack(u, pid, sp, stack, sizeof(stack), f, 16, &res);
	ok(res.nframes == 3 && res.end == UNWIND_ROOT,
	   "no mapping: a zero return address is the root");

	unwind_stack(u, pid, sp, stack, sizeof(stack), f, 2, &res);
	ok(res.nframes == 2 && res.end == UNWIND_DEPTH, "no mapping: the depth limit");
	unwinder_free(u);
	maps_free(m);

	/* the same code named by the process's JIT map: an object of its own */
	m = maps_new();
	j = jit_syms_new();
	jit_syms_add_perf_map(j, "1000 10 leaf\n2000 10 mid\n", 24);
	jit_syms_finish(j);
	maps_add_jit(m, pid, "perf-4242.map", j);
	maps_finish(m);
	u = unwinder_new(m);
	unwind_stack(u, pid, sp, stack, sizeof(stack), f, 16, &res);
	ok(res.nframes == 3 && res.end == UNWIND_ROOT, "JIT names: the same walk (%u frames)",
	   res.nframes);
	ok(f[0].dso && f[0].dso->jit && f[1].dso == f[0].dso && !f[2].dso,
	   "JIT names: their frames in the process's JIT object, others in none");
	ok(f[0].dso && !strcmp(f[0].dso->name, "perf-4242.map") && f[0].addr == 0x1000,
	   "JIT names: the object's name, absolute addresses");
	unwind_locate(u, pid + 1, 1, 0x1000, &f[0]);
	ok(!f[0].dso, "JIT names: of that process only");
	unwinder_free(u);
	maps_free(m);
}

/* How the kernel's frame pointer chains ended, from the located frames alone. */
static void test_judge_fp(struct unwinder *u)
{
	uint32_t pid = (uint32_t)getpid();
	struct unwind_frame f[40];
	struct unwind_result res;
	size_t i;

	unwind_locate(u, pid, 1, (uint64_t)(uintptr_t)level3, &f[0]);
	unwind_locate(u, pid, 1, (uint64_t)(uintptr_t)level2 + 1, &f[1]);
	unwind_locate(u, pid, 1, (uint64_t)(uintptr_t)level1 + 1, &f[2]);
	ok(f[0].dso && f[1].dso && f[2].dso, "fp: the frames are located in this executable");
	ok(f[0].map && f[0].map->dso == f[0].dso && f[0].map->start <= f[0].ip &&
	       f[0].ip < f[0].map->end && f[1].map && f[1].map->start <= f[1].ip &&
	       f[1].ip < f[1].map->end,
	   "fp: each frame has the mapping that holds its address");

	unwind_judge_fp(f, 3, false, &res);
	ok(res.end == UNWIND_FAILED && res.fail == FAIL_FP_STOP && res.fail_dso == f[2].dso &&
		   res.nframes == 3,
	   "fp: a chain that stopped short of the limit ended early, at its last object");
	unwind_judge_fp(f, 1, false, &res);
	ok(res.end == UNWIND_FAILED && res.fail == FAIL_FP_STOP && res.fail_dso == f[0].dso,
	   "fp: the sampled address alone: the leaf kept no frame pointer");

	unwind_locate(u, pid, 1, 16, &f[3]);
	ok(!f[3].dso && !f[3].map, "fp: address 16 is in no mapping");
	unwind_judge_fp(f, 4, false, &res);
	ok(res.end == UNWIND_FAILED && res.fail == FAIL_FP_OUTSIDE && res.fail_dso == f[2].dso,
	   "fp: a return address in no object: blamed on the frame before it");

	/* the same address in no object, again and again up to the limit: a loop */
	for (i = 4; i < 40; i++)
		f[i] = f[3];
	unwind_judge_fp(f, 40, true, &res);
	ok(res.end == UNWIND_FAILED && res.fail == FAIL_FP_LOOP && res.fail_dso == f[2].dso,
	   "fp: a repeating tail outside every object up to the limit loops");
	unwind_judge_fp(f, 40, false, &res);
	is_int(res.fail, FAIL_FP_OUTSIDE, "fp: the same below the limit is not called a loop");

	/* a recursion in an object up to the limit is just deep */
	for (i = 3; i < 40; i++)
		f[i] = f[1 + i % 2];
	unwind_judge_fp(f, 40, true, &res);
	is_int(res.end, UNWIND_DEPTH, "fp: a chain within objects up to the limit: depth limit");

	unwind_locate(u, pid, 1, 16, &f[0]);
	unwind_judge_fp(f, 3, false, &res);
	is_int(res.fail, FAIL_NO_MAP, "fp: a sampled address in no object fails as unwinding does");
	unwind_judge_fp(f, 0, false, &res);
	is_int(res.end, UNWIND_NO_STACK, "fp: no user frames: no stack");
	ok(unwind_fail_reason(FAIL_FP_STOP)[0] && unwind_fail_reason(FAIL_FP_OUTSIDE)[0] &&
		   unwind_fail_reason(FAIL_FP_LOOP)[0],
	   "fp: each reason has words");
}

int main(void)
{
	static const char *const plain[] = { "take_sample", "level3", "level2", "level1", "main" };
	static const char *const thr[] = { "take_sample", "level3", "level2", "level1",
					   "thread_main" };
	static const char *const sig[] = { "take_sample", "on_signal", "[sigreturn]",
					   "signal_level", "main" };
	struct maps *m;
	struct unwinder *u;
	struct symbolizer *sym;
	struct unwind_result res;
	pthread_t t;
	char *got;
	size_t full_size;

	/* plain calls */
	stack_top = mapping_end((uint64_t)(uintptr_t)&m);
	level1(1);
	m = self_maps();
	u = unwinder_new(m);
	sym = symbolizer_new(NULL, 0);
	ok(cap.size > 0, "the stack was copied (%zu bytes)", cap.size);
	unwind_capture(u, cap.size, false, &res);
	got = names(sym, frames, res.nframes);
	is_int(res.end, UNWIND_ROOT, "plain calls: reached the root");
	ok(res.sp == cap.sp, "the result keeps the sampled stack pointer");
	ok(res.extent > 0 && res.extent <= cap.size && res.extent % 8 == 0,
	   "a whole stack says how much of the copy it read (%llu of %zu bytes)",
	   (unsigned long long)res.extent, cap.size);
	ok(in_order(got, plain, 5), "plain calls: the chain is there: %s", got);
	ok(strncmp(got, "take_sample;level3;level2;level1;main;", 38) == 0,
	   "plain calls: no frame missing or extra at the top: %s", got);
	free(got);

	/* a second pass hits the rule cache and gives the same answer */
	unwind_capture(u, cap.size, false, &res);
	is_int(res.end, UNWIND_ROOT, "again, from the rule cache");
	ok(unwinder_stats(u)->cache_hits > 0, "the rule cache was hit (%llu hits, %llu misses)",
	   (unsigned long long)unwinder_stats(u)->cache_hits,
	   (unsigned long long)unwinder_stats(u)->cache_misses);

	/* the copy cut short: truncated when it was full, failed when it was not */
	full_size = cap.size;
	unwind_capture(u, 96, true, &res);
	is_int(res.end, UNWIND_TRUNCATED, "a full copy too small for the stack: cut short");
	is_int((long long)res.extent, 96, "cut short: the extent is the bytes copied");
	ok(res.nframes >= 1 && res.nframes < 8, "cut short after a few frames (%u)", res.nframes);
	unwind_capture(u, 96, false, &res);
	is_int(res.end, UNWIND_FAILED, "a copy that was not full ends early: failed");
	is_int(res.fail, FAIL_STACK, "failed: a saved address outside the stack");
	unwind_capture(u, 0, false, &res);
	is_int(res.nframes, 1, "no stack at all: just the sampled address");

	/* a depth limit */
	unwind_user(u, (uint32_t)getpid(), 1, cap.ip, cap.sp, cap.bp, true, cap.stack, full_size,
		    false, frames, 3, &res);
	is_int(res.end, UNWIND_DEPTH, "the depth limit stops the walk");
	is_int(res.nframes, 3, "at exactly the limit");

	/* an address in no mapping, with a stack that has nothing for it: its reason */
	unwind_user(u, (uint32_t)getpid(), 1, 16, cap.sp, 0, true, cap.stack, full_size, false,
		    frames, 2, &res);
	ok(!frames[0].dso && (res.end == UNWIND_DEPTH || res.fail == FAIL_NO_MAP ||
			      res.fail == FAIL_SP),
	   "an ip outside every mapping: located nowhere, stopped safely");
	test_unmapped();

	/* through a signal handler and the kernel's sigreturn trampoline */
	signal(SIGUSR1, on_signal);
	signal_level(1);
	unwind_capture(u, cap.size, false, &res);
	got = names(sym, frames, res.nframes);
	is_int(res.end, UNWIND_ROOT, "signal handler: reached the root");
	ok(in_order(got, sig, 5), "signal handler: the chain crosses the signal frame: %s", got);
	free(got);

	test_plt_rule();
	test_judge_fp(u);

	/* a thread: its root is the thread start routine */
	{
		pthread_attr_t attr;
		void *stk;
		size_t stksz;

		pthread_attr_init(&attr);
		pthread_attr_setstacksize(&attr, 1 << 20);
		pthread_create(&t, &attr, thread_main, NULL);
		pthread_join(t, NULL);
		pthread_attr_destroy(&attr);
		(void)stk;
		(void)stksz;
	}
	/* the thread's stack mapping is gone, but the copy is all the unwinder reads */
	unwind_capture(u, cap.size, false, &res);
	got = names(sym, frames, res.nframes);
	is_int(res.end, UNWIND_ROOT, "thread: reached the root (clone3 marks it)");
	ok(in_order(got, thr, 5), "thread: the chain ends at the thread's start: %s", got);
	free(got);
	done_testing();
	unwinder_free(u);
	symbolizer_free(sym);
	maps_free(m);
	return 0;
}
