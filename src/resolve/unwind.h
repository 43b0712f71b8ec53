/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The unwinder: turns one sample's user registers (ip, sp, bp) and its copy
 * of the user stack into the chain of calls that led there, offline. Each
 * step finds the object mapped at the address (maps.h), translates the
 * address to the object's own, and applies that address's unwind rule
 * (cfi.h): from the rule cache, which is shared by all samples and
 * processes, or from libdw on a miss. Where an object has no CFI the frame
 * pointer chain is followed instead.
 *
 * It reads only inside the copied stack and stops at the outermost frame
 * (an undefined or zero return address), at a stack pointer that does not
 * grow, at a read beyond the copy, or at the caller's depth limit; it never
 * allocates per frame. Every sampler's samples carry the same registers and
 * stack bytes, so this serves them all.
 */
#ifndef PMUPROF_UNWIND_H
#define PMUPROF_UNWIND_H

#include "util/compiler.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct maps;
struct map;
struct dso;

enum unwind_end {
	UNWIND_ROOT,	  /* reached the outermost frame */
	UNWIND_TRUNCATED, /* the next frame lies beyond the copied stack, which was full */
	UNWIND_FAILED,	  /* see enum unwind_fail */
	UNWIND_DEPTH,	  /* stopped at the depth limit */
	UNWIND_NO_STACK,  /* no user registers or stack copy (a kernel thread, or not recorded) */
};

enum unwind_fail {
	FAIL_NONE,
	FAIL_NO_MAP,	  /* an address in no recorded mapping (JIT code, or a bad return address) */
	FAIL_NO_OBJECT,	  /* the object cannot be read */
	FAIL_CHANGED,	  /* the object changed since the recording */
	FAIL_NO_CFI,	  /* no CFI, and no usable frame pointer */
	FAIL_BAD_CFI,	  /* CFI of a form this unwinder does not apply */
	FAIL_SP,	  /* the stack pointer did not grow */
	FAIL_STACK,	  /* a saved value outside the copied stack, which was not full */
	FAIL_NO_BP,	  /* rbp not recorded, and no frame record found for a frame needing it */
	/* the kernel's frame pointer chains (--call-graph fp) */
	FAIL_FP_STOP,	  /* the chain stopped: the frame pointer did not point into the stack */
	FAIL_FP_OUTSIDE,  /* a return address outside every object: rbp pointed at no frame */
	FAIL_FP_LOOP,	  /* the same return addresses repeat to the kernel's depth limit */
	FAIL_MAX
};

/* A human-readable reason, for report headers. */
const char *unwind_fail_reason(enum unwind_fail f);

struct unwind_frame {
	struct dso *dso; /* NULL when no mapping holds the address */
	uint64_t addr;	 /* in the object (as in the ELF file); the absolute address if no dso */
	uint64_t ip;	 /* the absolute address: the sampled ip, or a return address - 1 */
	const struct map *map; /* the mapping that holds ip (valid while the maps are), or NULL */
};

struct unwind_result {
	uint32_t nframes;
	uint8_t end;		 /* enum unwind_end */
	uint8_t fail;		 /* enum unwind_fail when end is UNWIND_FAILED */
	struct dso *fail_dso;	 /* the object of the frame that failed, or NULL */
	uint64_t sp;		 /* the sampled stack pointer (0 for frame pointer chains) */
	uint64_t extent;	 /* UNWIND_ROOT: the bytes from sp that the unwinding read;
				  * UNWIND_TRUNCATED: the bytes copied */
};

struct unwind_stats {
	uint64_t frames, cache_hits, cache_misses;
};

struct unwinder;

/* The unwinder uses the maps (which must outlive it) and opens CFI through them. */
struct unwinder *unwinder_new(struct maps *maps);
void unwinder_free(struct unwinder *u); /* NULL is a no-op */

/*
 * Unwinds the user stack of thread-group `pid` at `time`. regs are ip, sp
 * and bp; stack holds stack_size bytes copied from sp upward; stack_full
 * says the copy filled the recorded size (so more stack existed). Fills
 * up to max frames, leaf first: the first frame is regs' ip exactly, the
 * others return addresses minus one (the call), except the frame a signal
 * interrupted, whose ip is exact.
 *
 * bp_known false says bp was not recorded (a stack read from outside while
 * the thread waited: SAMPLE_SOURCE_REMOTE). Frames whose CFA the CFI
 * computes from sp unwind as usual, and rbp becomes known where the CFI
 * says it was saved. A frame that needs rbp while it is still unknown (CFA
 * = rbp + off, or no CFI) takes the lowest frame record at or above its
 * sp: an aligned address a with a return address into a mapped object at
 * a + 8 and at a the caller's rbp, 0 or a higher stack address holding
 * such a record in turn. Without one, the unwinding stops there
 * (FAIL_NO_BP; FAIL_NO_CFI without CFI).
 */
void unwind_user(struct unwinder *u, uint32_t pid, uint64_t time, uint64_t ip, uint64_t sp,
		 uint64_t bp, bool bp_known, const uint8_t *stack, size_t stack_size,
		 bool stack_full, struct unwind_frame *frames, size_t max,
		 struct unwind_result *res);

/* Address translation alone, for kernel-supplied user callchains (--call-graph fp). */
void unwind_locate(struct unwinder *u, uint32_t pid, uint64_t time, uint64_t ip,
		   struct unwind_frame *frame);

/*
 * How a user chain that the kernel collected by following frame pointers
 * (located frames, leaf first) ended: at_limit says the whole chain, kernel
 * part included, filled the kernel's depth limit. The kernel stops where the
 * frame pointer is not a readable address, and does not notice a chain that
 * loops or wanders off the stack: so a chain that stopped is FAIL_FP_STOP
 * (its outermost function may still be a root, which only the symbols tell),
 * one through an address in no object FAIL_FP_OUTSIDE, one whose tail
 * repeats through such addresses up to the limit FAIL_FP_LOOP, others at
 * the limit UNWIND_DEPTH. fail_dso is the object of the last frame before
 * the break: the code that did not keep a frame pointer is there or just
 * above it.
 */
void unwind_judge_fp(const struct unwind_frame *frames, size_t n, bool at_limit,
		     struct unwind_result *res);

const struct unwind_stats *unwinder_stats(const struct unwinder *u);

#endif
