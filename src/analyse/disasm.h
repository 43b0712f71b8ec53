/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * x86-64 disassembly for `pmuprof annotate`: the only user of capstone.
 * Decodes a function's bytes into instructions with their text (AT&T
 * syntax, as objdump and perf annotate print by default, or Intel), their
 * length, and for direct jumps and calls their target, so that annotate can
 * name it (symbol+offset) and draw where a jump goes.
 *
 * A disasm handle is not thread-safe; disasm_free() releases it. The
 * instruction array belongs to the caller (free()).
 */
#ifndef PMUPROF_DISASM_H
#define PMUPROF_DISASM_H

#include "util/compiler.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct disasm;

struct disasm_insn {
	uint64_t addr;	   /* where it is, in the address space the caller gave */
	uint8_t size;	   /* bytes */
	char mnemonic[32]; /* "mov", "jne", "call"; "(bad)" for bytes that do not decode */
	char operands[160]; /* "%rdi, %rax", "0x1139 <f+0x19>" is NOT added here: plain */
	bool is_jump;	   /* any jump, conditional or not */
	bool is_call;
	bool is_ret;
	bool has_target;   /* a direct (relative) jump or call: target is set */
	uint64_t target;
};

/*
 * 0 or -errno (-ENOSYS: capstone was built without x86; -ELIBACC: it could
 * not be loaded, disasm_lib_error() says why); intel: Intel syntax, else AT&T.
 */
int disasm_new(struct disasm **out, bool intel);
const char *disasm_lib_error(void);
void disasm_free(struct disasm *d); /* NULL is a no-op */

/*
 * Decodes len bytes of code that sit at address addr. Bytes that do not
 * decode become one-byte "(bad)" instructions and decoding goes on after
 * them, so the whole range is always covered. Appends to *out (grown with
 * realloc, *alloc its capacity, *n its count). Returns 0 or -ENOMEM.
 */
int disasm_range(struct disasm *d, const uint8_t *code, size_t len, uint64_t addr,
		 struct disasm_insn **out, size_t *n, size_t *alloc);

#endif
