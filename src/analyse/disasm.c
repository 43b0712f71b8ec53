// SPDX-License-Identifier: GPL-2.0-or-later
#include "analyse/disasm.h"
#include "util/dynlib.h"

#include <capstone/capstone.h>
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* capstone, opened on first use (util/dynlib.h) */
static struct {
	__typeof__(&cs_version) version;
	__typeof__(&cs_support) support;
	__typeof__(&cs_open) open;
	__typeof__(&cs_option) option;
	__typeof__(&cs_malloc) malloc;
	__typeof__(&cs_disasm_iter) disasm_iter;
	__typeof__(&cs_free) free;
	__typeof__(&cs_close) close;
} cs;
static pthread_once_t cs_once = PTHREAD_ONCE_INIT;
static int cs_state;
static char cs_msg[256];

static void cs_load(void)
{
	const struct dynlib_sym syms[] = {
		{ "cs_version", &cs.version },	       { "cs_support", &cs.support },
		{ "cs_open", &cs.open },	       { "cs_option", &cs.option },
		{ "cs_malloc", &cs.malloc },	       { "cs_disasm_iter", &cs.disasm_iter },
		{ "cs_free", &cs.free },	       { "cs_close", &cs.close },
	};

	cs_state = dynlib_open(CAPSTONE_SONAME, syms, sizeof(syms) / sizeof(syms[0]), cs_msg,
			       sizeof(cs_msg));
}

const char *disasm_lib_error(void)
{
	return cs_msg;
}

struct disasm {
	csh cs;
	cs_insn *insn; /* capstone's scratch for cs_disasm_iter, reused for every instruction */
};

static int cs_err_to_errno(cs_err err)
{
	switch (err) {
	case CS_ERR_OK:
		return 0;
	case CS_ERR_MEM:
		return -ENOMEM;
	/* a capstone built without x86, without a syntax, or "diet" (no text at all) */
	case CS_ERR_ARCH:
	case CS_ERR_MODE:
	case CS_ERR_DIET:
	case CS_ERR_X86_ATT:
	case CS_ERR_X86_INTEL:
		return -ENOSYS;
	default:
		return -EINVAL;
	}
}

int disasm_new(struct disasm **out, bool intel)
{
	struct disasm *d;
	int major, minor, ret;

	*out = NULL;
	pthread_once(&cs_once, cs_load);
	if (cs_state < 0)
		return cs_state;
	/*
	 * cs_detail's layout changes between major versions: a library other
	 * than the one the headers describe would hand back garbage details.
	 */
	cs.version(&major, &minor);
	if (major != CS_API_MAJOR)
		return -ENOSYS;
	if (!cs.support(CS_ARCH_X86) || cs.support(CS_SUPPORT_DIET))
		return -ENOSYS;
	d = calloc(1, sizeof(*d));
	if (!d)
		return -ENOMEM;
	ret = cs_err_to_errno(cs.open(CS_ARCH_X86, CS_MODE_64, &d->cs));
	if (ret < 0) {
		free(d);
		return ret;
	}
	ret = cs_err_to_errno(cs.option(d->cs, CS_OPT_DETAIL, CS_OPT_ON));
	/* capstone's x86 default is Intel; AT&T is what objdump and perf annotate show */
	if (!ret)
		ret = cs_err_to_errno(cs.option(d->cs, CS_OPT_SYNTAX,
						intel ? CS_OPT_SYNTAX_INTEL : CS_OPT_SYNTAX_ATT));
	if (!ret) {
		d->insn = cs.malloc(d->cs);
		if (!d->insn)
			ret = -ENOMEM;
	}
	if (ret < 0) {
		disasm_free(d);
		return ret;
	}
	*out = d;
	return 0;
}

void disasm_free(struct disasm *d)
{
	if (!d)
		return;
	if (d->insn)
		cs.free(d->insn, 1);
	if (d->cs)
		cs.close(&d->cs);
	free(d);
}

/* Bounded on both sides: the capstone build's buffers need not match ours in size. */
static void copy_text(char *dst, size_t size, const char *src)
{
	size_t len = strnlen(src, size - 1);

	memcpy(dst, src, len);
	dst[len] = '\0';
}

static void fill_insn(struct disasm_insn *di, const cs_insn *ci)
{
	const cs_detail *detail = ci->detail;
	bool relative = false;

	di->addr = ci->address;
	di->size = (uint8_t)ci->size;
	copy_text(di->mnemonic, sizeof(di->mnemonic), ci->mnemonic);
	copy_text(di->operands, sizeof(di->operands), ci->op_str);
	for (unsigned int i = 0; i < detail->groups_count; i++) {
		switch (detail->groups[i]) {
		case CS_GRP_JUMP:
			di->is_jump = true;
			break;
		case CS_GRP_CALL:
			di->is_call = true;
			break;
		case CS_GRP_RET:
			di->is_ret = true;
			break;
		case CS_GRP_BRANCH_RELATIVE:
			relative = true;
			break;
		default:
			break;
		}
	}
	/* capstone 4 puts loop and loopcc in BRANCH_RELATIVE only, not in JUMP */
	if (relative && !di->is_call)
		di->is_jump = true;
	/*
	 * A direct branch's operand is an immediate that capstone has already
	 * turned into the absolute target; an indirect one is a register or
	 * memory operand whose value is only known at run time.
	 */
	if ((di->is_jump || di->is_call) && detail->x86.op_count >= 1 &&
	    detail->x86.operands[0].type == X86_OP_IMM) {
		di->has_target = true;
		di->target = (uint64_t)detail->x86.operands[0].imm;
	}
}

static void fill_bad(struct disasm_insn *di, uint64_t addr, uint8_t byte)
{
	di->addr = addr;
	di->size = 1;
	copy_text(di->mnemonic, sizeof(di->mnemonic), "(bad)");
	snprintf(di->operands, sizeof(di->operands), ".byte 0x%02x", byte);
}

/* Room for one more instruction; doubling keeps appends amortised O(1). */
static int reserve_one(struct disasm_insn **out, size_t n, size_t *alloc)
{
	struct disasm_insn *p;
	size_t want;

	if (n < *alloc)
		return 0;
	want = *alloc ? *alloc : 64;
	while (want <= n) {
		if (want > SIZE_MAX / 2 / sizeof(**out))
			return -ENOMEM;
		want *= 2;
	}
	p = realloc(*out, want * sizeof(**out));
	if (!p)
		return -ENOMEM;
	*out = p;
	*alloc = want;
	return 0;
}

int disasm_range(struct disasm *d, const uint8_t *code, size_t len, uint64_t addr,
		 struct disasm_insn **out, size_t *n, size_t *alloc)
{
	/* *n only counts filled entries: after -ENOMEM the caller frees *out as usual */
	while (len) {
		struct disasm_insn *di;
		int ret = reserve_one(out, *n, alloc);

		if (ret < 0)
			return ret;
		di = &(*out)[*n];
		memset(di, 0, sizeof(*di));
		/* on success cs_disasm_iter advances code, len and addr past the instruction */
		if (cs.disasm_iter(d->cs, &code, &len, &addr, d->insn)) {
			fill_insn(di, d->insn);
		} else {
			fill_bad(di, addr, *code);
			code++;
			len--;
			addr++;
		}
		(*n)++;
	}
	return 0;
}
