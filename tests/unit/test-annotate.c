// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * annotate's stage and layout on a hand-built profile: leaf samples by
 * function and address (kernel leaves set apart, callers not counted),
 * samples at an instruction that a sample falls inside, the choice of the
 * hottest N or of a glob and an object, and one function laid out from a
 * made-up instruction list, compared line for line.
 */
#include "analyse/annotate.h"
#include "output/annotate.h"
#include "resolve/maps.h"
#include "tap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { MAIN, HOT, WARM, COLD, LIBF, KFN, NFUNCS };
enum { L_MAIN, L_HOT_A, L_HOT_B, L_HOT_C, L_WARM, L_COLD, L_LIBF, L_KFN, NLOCS, END = UINT32_MAX };

static struct prof_func funcs[NFUNCS] = {
	[MAIN] = { .name = "main", .dso = "prog", .path = "/bin/prog", .start = 0x1000 },
	[HOT] = { .name = "hot_loop", .dso = "prog", .path = "/bin/prog", .start = 0x1100 },
	[WARM] = { .name = "hot_warm", .dso = "prog", .path = "/bin/prog", .start = 0x1200 },
	[COLD] = { .name = "cold", .dso = "prog", .path = "/bin/prog", .start = 0x1300 },
	[LIBF] = { .name = "lib_work", .dso = "libw.so", .path = "/lib/libw.so", .start = 0x500 },
	[KFN] = { .name = "do_syscall_64", .dso = "[kernel.kallsyms]", .kernel = true },
};

static struct prof_loc locs[NLOCS] = {
	[L_MAIN] = { .func = MAIN, .addr = 0x1010 },
	[L_HOT_A] = { .func = HOT, .addr = 0x1108 },
	[L_HOT_B] = { .func = HOT, .addr = 0x1104 },
	[L_HOT_C] = { .func = HOT, .addr = 0x1105 }, /* inside the instruction at 0x1104 */
	[L_WARM] = { .func = WARM, .addr = 0x1200 },
	[L_COLD] = { .func = COLD, .addr = 0x1300 },
	[L_LIBF] = { .func = LIBF, .addr = 0x510 },
	[L_KFN] = { .func = KFN, .addr = 0xffffffff81000000 },
};

static struct prof_stack stacks[16];
static uint32_t frames[256];
static struct profile prof = { .funcs = funcs, .nfuncs = NFUNCS, .locs = locs, .nlocs = NLOCS,
			       .stacks = stacks, .frames = frames };

/* Adds a stack of loc ids, leaf first, ending with END. */
static void add_stack(uint64_t samples, const uint32_t *ids)
{
	struct prof_stack *s = &stacks[prof.nstacks++];

	s->first = (uint32_t)prof.nframes;
	s->depth = 0;
	s->samples = samples;
	s->weight = samples;
	while (ids[s->depth] != END)
		frames[prof.nframes++] = ids[s->depth++];
	prof.samples += samples;
	prof.weight += samples;
}

#define STACK(samples, ...) add_stack((samples), (const uint32_t[]){ __VA_ARGS__, END })

static void build(void)
{
	STACK(6, L_HOT_A, L_MAIN);
	STACK(3, L_HOT_B, L_MAIN);
	STACK(1, L_HOT_C, L_MAIN);
	STACK(2, L_HOT_A, L_WARM, L_MAIN); /* same address, another caller: merged */
	STACK(5, L_WARM, L_MAIN);
	STACK(2, L_LIBF, L_MAIN);
	STACK(1, L_COLD, L_MAIN);
	STACK(4, L_KFN, L_HOT_A, L_MAIN); /* a kernel leaf: not annotated */
}

static const struct annotate_func *find(const struct annotate_hits *h, uint32_t func)
{
	for (size_t i = 0; i < h->n; i++)
		if (h->funcs[i].func == func)
			return &h->funcs[i];
	return NULL;
}

static void test_hits(const struct annotate_hits *h)
{
	const struct annotate_func *hot = find(h, HOT);

	is_int(h->n, NFUNCS, "one entry per function");
	is_int(h->kernel_samples, 4, "kernel leaves are set apart");
	is_int(h->funcs[0].func, HOT, "hottest first");
	is_int(h->funcs[1].func, WARM, "then the next");
	is_int(h->funcs[2].func, LIBF, "then the next");
	is_int(h->funcs[3].func, COLD, "then the next");
	is_int(find(h, MAIN)->samples, 0, "a caller only: no samples of its own");
	is_int(find(h, KFN)->samples, 0, "the kernel function: not counted");
	is_int(hot->samples, 12, "hot_loop: its leaf samples");
	is_int(hot->nhits, 3, "hot_loop: three addresses");
	ok(hot->hits[0].addr == 0x1104 && hot->hits[1].addr == 0x1105 &&
	       hot->hits[2].addr == 0x1108,
	   "hot_loop: addresses lowest first");
	is_int(hot->hits[2].samples, 8, "one address from two stacks: merged");
	is_int(annotate_samples_at(hot, 0x1104, 4), 4,
	       "an address inside the instruction counts for it");
	is_int(annotate_samples_at(hot, 0x1104, 1), 3, "and not for a shorter one");
	is_int(annotate_samples_at(hot, 0x1108, 2), 8, "at its start");
	is_int(annotate_samples_at(hot, 0x1100, 4), 0, "before any sample");
}

static size_t chosen(const struct annotate_hits *h, uint32_t *out)
{
	size_t n = 0;

	for (size_t i = 0; i < h->n; i++)
		if (h->funcs[i].chosen)
			out[n++] = h->funcs[i].func;
	return n;
}

static void test_choose(struct annotate_hits *h)
{
	uint32_t got[NFUNCS];

	is_int(annotate_choose(h, &prof, NULL, NULL, 2), 2, "top 2: two");
	ok(chosen(h, got) == 2 && got[0] == HOT && got[1] == WARM, "top 2: the two hottest");
	is_int(annotate_choose(h, &prof, NULL, NULL, 100), 4,
	       "top 100: every sampled user function");
	is_int(annotate_choose(h, &prof, "hot_*", NULL, 1), 2,
	       "a glob: all it names, whatever top");
	ok(chosen(h, got) == 2 && got[0] == HOT && got[1] == WARM, "a glob: hottest first");
	is_int(annotate_choose(h, &prof, "main", NULL, 3), 0, "a caller only: not chosen");
	is_int(annotate_choose(h, &prof, "do_syscall_64", NULL, 3), 0, "a kernel function: never");
	is_int(annotate_choose(h, &prof, NULL, "libw.so", 3), 1, "--dso by short name");
	ok(chosen(h, got) == 1 && got[0] == LIBF, "--dso: its function");
	is_int(annotate_choose(h, &prof, NULL, "/lib/libw.so", 3), 1, "--dso by path");
	is_int(annotate_choose(h, &prof, "hot_*", "libw.so", 3), 0, "a glob and another object");
	ok(annotate_name_exists(&prof, "ma*"), "a name exists without samples of its own");
	ok(!annotate_name_exists(&prof, "nothing*"), "a name that does not");
}

static char *listing(const struct annotate_listing *l)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	annotate_print_function(f, l);
	fclose(f);
	return buf;
}

static void test_layout(const struct annotate_hits *h)
{
	struct dso d = { .path = "/bin/prog", .file = "/bin/prog", .name = "prog" };
	struct annotate_code code = { .dso = &d, .start = 0x1100, .size = 0x10 };
	struct disasm_insn insns[] = {
		{ .addr = 0x1100, .size = 4, .mnemonic = "movq", .operands = "%rdi, %rax" },
		{ .addr = 0x1104, .size = 4, .mnemonic = "divq", .operands = "%rcx" },
		{ .addr = 0x1108, .size = 2, .mnemonic = "jne", .operands = "0x1100",
		  .is_jump = true, .has_target = true, .target = 0x1100 },
		{ .addr = 0x110a, .size = 1, .mnemonic = "retq", .operands = "", .is_ret = true },
	};
	struct annotate_listing l = { .p = &prof, .f = find(h, HOT), .code = &code, .insns = insns,
				      .ninsns = 4 };
	uint64_t addr;
	char *got;

	is_int(annotate_hottest(l.f, insns, 4, &addr), 8, "the hottest instruction's samples");
	is_int(addr, 0x1108, "and its address");
	got = listing(&l);
	is_str(got,
	       "\n# hot_loop (prog): 12 samples, 50.00% of all; code at 0x1100, 16 bytes\n"
	       "#  Percent   Samples  Address  Instruction\n"
	       "                        1100:  movq    %rdi, %rax\n"
	       "    33.33         4     1104:  divq    %rcx\n"
	       "    66.67         8     1108:  jne     0x1100 <hot_loop+0x0>   <- hottest\n"
	       "                        110a:  retq   \n",
	       "a function laid out");
	free(got);
	l.color = true;
	got = listing(&l);
	ok(got && strstr(got, "\033[1;31m    66.67         8\033[0m     1108:  \033[1;31mjne"),
	   "colour: red from 10%%");
	free(got);
	d.image = (const uint8_t *)"";
	got = listing(&l);
	ok(got && strstr(got, "16 bytes (from the image stored in the recording)\n"),
	   "a stored image says so");
	free(got);
}

int main(void)
{
	struct annotate_hits h;

	plan(34);
	build();
	annotate_hits_init(&h, &prof);
	test_hits(&h);
	test_choose(&h);
	test_layout(&h);
	annotate_hits_release(&h);
	return done_testing();
}
