// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * disasm on hand-assembled x86-64 bytes with known decodings: text in AT&T
 * and Intel syntax, sizes and addresses, jump/call/ret flags, targets of
 * direct branches (none for indirect ones), undecodable bytes and ranges
 * that end inside an instruction, appends to an existing array, an empty
 * range. The expected text is capstone 4's spelling (AT&T with suffixes:
 * "movq", "callq", "retq"); objdump prints some of these differently.
 */
#include "util/compiler.h"
#include "analyse/disasm.h"
#include "tap.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { J = 1, C = 2, R = 4, T = 8 }; /* is_jump, is_call, is_ret, has_target */

struct want {
	uint64_t addr;
	unsigned int size;
	const char *mnemonic, *operands;
	unsigned int flags;
	uint64_t target;
};

static struct disasm *att, *intel;

static unsigned int flags_of(const struct disasm_insn *in)
{
	return (in->is_jump ? J : 0) | (in->is_call ? C : 0) | (in->is_ret ? R : 0) |
	       (in->has_target ? T : 0);
}

static void check(const char *what, const struct disasm_insn *got, size_t n, const struct want *w,
		  size_t nw)
{
	char name[128];

	snprintf(name, sizeof(name), "%s: instruction count", what);
	if (!is_int((long long)n, (long long)nw, name))
		nw = n < nw ? n : nw;
	for (size_t i = 0; i < nw; i++) {
		const struct disasm_insn *g = &got[i];
		bool same = g->addr == w[i].addr && g->size == w[i].size &&
			    !strcmp(g->mnemonic, w[i].mnemonic) &&
			    !strcmp(g->operands, w[i].operands) && flags_of(g) == w[i].flags &&
			    g->target == w[i].target;

		if (!ok(same, "%s: %#" PRIx64 " %s%s%s", what, w[i].addr, w[i].mnemonic,
			*w[i].operands ? " " : "", w[i].operands))
			diag("got %#" PRIx64 " size %u '%s' '%s' flags %u target %#" PRIx64,
			     g->addr, g->size, g->mnemonic, g->operands, flags_of(g), g->target);
	}
}

/* Decodes into a fresh array and checks it; the array is freed here. */
static void decode(struct disasm *d, const char *what, const uint8_t *code, size_t len,
		   uint64_t addr, const struct want *w, size_t nw)
{
	struct disasm_insn *out = NULL;
	size_t n = 0, alloc = 0;
	char name[128];

	snprintf(name, sizeof(name), "%s: decodes", what);
	is_int(disasm_range(d, code, len, addr, &out, &n, &alloc), 0, name);
	ok(n <= alloc, "%s: count within capacity", what);
	check(what, out, n, w, nw);
	free(out);
}

#define DECODE(d, what, addr, code, ...)                                                           \
	do {                                                                                       \
		static const struct want w_[] = {__VA_ARGS__};                                     \
		decode((d), (what), (code), sizeof(code), (addr), w_, ARRAY_SIZE(w_));             \
	} while (0)

static void plain(void)
{
	static const uint8_t prologue[] = {0x55, 0x48, 0x89, 0xe5, 0x31, 0xc0, 0xc3};
	static const uint8_t rets[] = {0xc2, 0x08, 0x00, 0xf3, 0xc3, 0xcc, 0x0f, 0x05};

	DECODE(att, "prologue", 0x400, prologue, {0x400, 1, "pushq", "%rbp", 0, 0},
	       {0x401, 3, "movq", "%rsp, %rbp", 0, 0}, {0x404, 2, "xorl", "%eax, %eax", 0, 0},
	       {0x406, 1, "retq", "", R, 0});
	/* ret $imm has an immediate operand but no target; int3 and syscall are not branches */
	DECODE(att, "returns and traps", 0x500, rets, {0x500, 3, "retq", "$8", R, 0},
	       {0x503, 2, "retq", "", R, 0}, {0x505, 1, "int3", "", 0, 0},
	       {0x506, 2, "syscall", "", 0, 0});
}

static void branches(void)
{
	static const uint8_t call0[] = {0xe8, 0x00, 0x00, 0x00, 0x00};
	static const uint8_t self[] = {0x75, 0xfe};
	/* one instruction a line */
	/* clang-format off */
	static const uint8_t jumps[] = {
		0xeb, 0x05,			    /* jmp +5 */
		0xff, 0xe0,			    /* jmp *%rax */
		0xff, 0x15, 0xe2, 0x2f, 0x00, 0x00, /* call *0x2fe2(%rip) */
		0xe9, 0x10, 0x00, 0x00, 0x00,	    /* jmp rel32 +0x10 */
		0x0f, 0x84, 0xf0, 0xff, 0xff, 0xff, /* je rel32 -0x10 */
		0xff, 0xd0,			    /* call *%rax */
		0xff, 0x25, 0x00, 0x00, 0x00, 0x00, /* jmp *0(%rip), a PLT-style jump */
	};
	/* clang-format on */
	static const uint8_t loops[] = {0xe2, 0xfe, 0xe3, 0xfe};
	static const uint8_t wrap[] = {0xe9, 0x20, 0x00, 0x00, 0x00, 0xe8, 0x00, 0x00, 0x00, 0x80};

	DECODE(att, "call next", 0x1000, call0, {0x1000, 5, "callq", "0x1005", C | T, 0x1005});
	DECODE(att, "jne to itself", 0x2000, self, {0x2000, 2, "jne", "0x2000", J | T, 0x2000});
	DECODE(
	    att, "direct and indirect", 0x3000, jumps, {0x3000, 2, "jmp", "0x3007", J | T, 0x3007},
	    {0x3002, 2, "jmpq", "*%rax", J, 0}, {0x3004, 6, "callq", "*0x2fe2(%rip)", C, 0},
	    {0x300a, 5, "jmp", "0x301f", J | T, 0x301f}, {0x300f, 6, "je", "0x3005", J | T, 0x3005},
	    {0x3015, 2, "callq", "*%rax", C, 0}, {0x3017, 6, "jmpq", "*(%rip)", J, 0});
	/* capstone 4 files loop under relative branches only: still a jump */
	DECODE(att, "loop and jrcxz", 0x5000, loops, {0x5000, 2, "loop", "0x5000", J | T, 0x5000},
	       {0x5002, 2, "jrcxz", "0x5002", J | T, 0x5002});
	/* targets are computed modulo 2^64, as the CPU does */
	DECODE(att, "targets wrap", UINT64_C(0xfffffffffffffff0), wrap,
	       {UINT64_C(0xfffffffffffffff0), 5, "jmp", "0x15", J | T, 0x15},
	       {UINT64_C(0xfffffffffffffff5), 5, "callq", "0xffffffff7ffffffa", C | T,
		UINT64_C(0xffffffff7ffffffa)});
}

static void bad_bytes(void)
{
	/* 06 (push %es) does not exist in 64-bit mode */
	static const uint8_t bad[] = {0x06, 0x90, 0x06, 0x06, 0xc3};
	static const uint8_t cut[] = {0x90, 0x48, 0x89};
	static const uint8_t cut_call[] = {0xe8, 0x00, 0x00};

	DECODE(att, "undecodable bytes", 0x4000, bad, {0x4000, 1, "(bad)", ".byte 0x06", 0, 0},
	       {0x4001, 1, "nop", "", 0, 0}, {0x4002, 1, "(bad)", ".byte 0x06", 0, 0},
	       {0x4003, 1, "(bad)", ".byte 0x06", 0, 0}, {0x4004, 1, "retq", "", R, 0});
	DECODE(att, "range ends inside mov", 0x6000, cut, {0x6000, 1, "nop", "", 0, 0},
	       {0x6001, 1, "(bad)", ".byte 0x48", 0, 0}, {0x6002, 1, "(bad)", ".byte 0x89", 0, 0});
	/* after the cut call's first byte, its displacement bytes decode on their own */
	DECODE(att, "range ends inside call", 0x6100, cut_call,
	       {0x6100, 1, "(bad)", ".byte 0xe8", 0, 0}, {0x6101, 2, "addb", "%al, (%rax)", 0, 0});
}

static void intel_syntax(void)
{
	static const uint8_t mov[] = {0x48, 0x89, 0xe5};
	static const uint8_t calls[] = {0xe8, 0x00, 0x00, 0x00, 0x00, 0xff,
					0x15, 0xe2, 0x2f, 0x00, 0x00};
	static const uint8_t bad[] = {0x06};

	DECODE(intel, "intel mov", 0x10, mov, {0x10, 3, "mov", "rbp, rsp", 0, 0});
	DECODE(intel, "intel calls", 0x1000, calls, {0x1000, 5, "call", "0x1005", C | T, 0x1005},
	       {0x1005, 6, "call", "qword ptr [rip + 0x2fe2]", C, 0});
	DECODE(intel, "intel bad byte", 0x20, bad, {0x20, 1, "(bad)", ".byte 0x06", 0, 0});
}

static void appending(void)
{
	static const uint8_t prologue[] = {0x55, 0x48, 0x89, 0xe5};
	static const uint8_t call0[] = {0xe8, 0x00, 0x00, 0x00, 0x00};
	static const struct want w[] = {
	    {0x400, 1, "pushq", "%rbp", 0, 0},
	    {0x401, 3, "movq", "%rsp, %rbp", 0, 0},
	    {0x1000, 5, "callq", "0x1005", C | T, 0x1005},
	};
	struct disasm_insn *out = NULL;
	size_t n = 0, alloc = 0, nops = 1000;
	uint8_t *many = malloc(nops);
	bool all = true;

	is_int(disasm_range(att, NULL, 0, 0x400, &out, &n, &alloc), 0, "empty range");
	ok(n == 0 && alloc == 0 && !out, "an empty range appends and allocates nothing");
	is_int(disasm_range(att, prologue, sizeof(prologue), 0x400, &out, &n, &alloc), 0,
	       "first append");
	is_int(disasm_range(att, call0, sizeof(call0), 0x1000, &out, &n, &alloc), 0,
	       "second append");
	ok(n <= alloc, "count within capacity after two appends");
	check("two appends", out, n, w, ARRAY_SIZE(w));

	/* enough to grow the array a few times: what was there must survive each move */
	if (!many)
		abort();
	memset(many, 0x90, nops);
	is_int(disasm_range(att, many, nops, 0x8000, &out, &n, &alloc), 0, "a thousand nops");
	is_int((long long)n, (long long)(ARRAY_SIZE(w) + nops), "every nop appended");
	ok(n <= alloc, "count within capacity after growing");
	check("earlier entries after growing", out, ARRAY_SIZE(w), w, ARRAY_SIZE(w));
	for (size_t i = 0; i < nops; i++) {
		const struct disasm_insn *in = &out[ARRAY_SIZE(w) + i];

		if (in->addr != 0x8000 + i || in->size != 1 || strcmp(in->mnemonic, "nop") ||
		    flags_of(in))
			all = false;
	}
	ok(all, "each nop at its own address");
	free(many);
	free(out);

	/* a capacity that cannot double fails before realloc sees an overflowed size */
	out = NULL;
	n = alloc = SIZE_MAX / sizeof(*out);
	is_int(disasm_range(att, prologue, sizeof(prologue), 0x400, &out, &n, &alloc), -ENOMEM,
	       "an array that cannot grow is -ENOMEM");
	ok(!out && n == SIZE_MAX / sizeof(*out), "and is left as it was");
}

int main(void)
{
	int ret = disasm_new(&att, false);

	if (ret == -ENOSYS) {
		printf("1..0 # SKIP capstone cannot disassemble x86-64 here\n");
		return 0;
	}
	is_int(ret, 0, "disasm_new (AT&T)");
	is_int(disasm_new(&intel, true), 0, "disasm_new (Intel)");
	if (!att || !intel)
		return done_testing();
	plain();
	branches();
	bad_bytes();
	intel_syntax();
	appending();
	disasm_free(att);
	disasm_free(intel);
	disasm_free(NULL);
	return done_testing();
}
