/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A profile: the recording's samples after unwinding, deduplicated into
 * distinct (thread, stack) pairs with their sample counts and summed
 * weights, and symbolized once per distinct address. It is what every
 * presentation reads: the text report and call trees, and the exports
 * (folded, speedscope, JSON, SVG flame graph, pprof).
 *
 * Three tables, each indexed by small integers:
 *   funcs   distinct (function name, object): what a report line names
 *   locs    distinct code locations: a function, an address in its object
 *           and, with --srcline, a file and line; an inlined call gives
 *           extra locs at the same address, marked `inlined`
 *   stacks  distinct (pid, tid, frames): `depth` loc ids in frames[],
 *           starting at frames[first] with the leaf (the sampled
 *           instruction, or the innermost inlined function) and ending
 *           with the outermost caller (main, _start, a thread's start
 *           routine, or wherever unwinding stopped)
 *
 * A profile owns all its strings and arrays (profile_free() releases them);
 * writers only read it.
 */
#ifndef PMUPROF_PROFILE_H
#define PMUPROF_PROFILE_H

#include "util/compiler.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct prof_func {
	const char *name;  /* "main", "do_syscall_64", "liblzma.so.5+0x16900", "[unknown]" */
	const char *dso;   /* the object's short name: "burn", "libc.so.6", "[kernel.kallsyms]" */
	const char *path;  /* the object's path as mapped, or NULL (kernel, unknown) */
	const char *file;  /* source file of the function, with --srcline; else NULL */
	uint64_t start;	   /* the function's address in its object (0 if unknown) */
	bool kernel;	   /* a kernel function */
};

struct prof_loc {
	uint32_t func;	  /* index into funcs */
	uint32_t line;	  /* source line with --srcline, 0 when unknown */
	const char *file; /* source file of this line with --srcline, else NULL */
	uint64_t addr;	  /* address in the object (as in the ELF file); a kernel address */
	bool inlined;	  /* inlined into the loc that follows it in a stack */
};

struct prof_stack {
	uint32_t first;	  /* index into frames of the leaf */
	uint32_t depth;	  /* frames, leaf first; at least 1 */
	uint32_t pid, tid;
	const char *comm; /* the thread's name when sampled */
	uint64_t samples; /* samples with this stack */
	uint64_t weight;  /* their summed periods (events, or nanoseconds for clocks) */
};

struct profile {
	struct prof_func *funcs;
	size_t nfuncs;
	struct prof_loc *locs;
	size_t nlocs;
	struct prof_stack *stacks;
	size_t nstacks;
	uint32_t *frames; /* loc ids */
	size_t nframes;

	uint64_t samples, weight; /* totals over stacks */
	const char *event;	  /* the event that was sampled: "cpu-clock", "cycles" */
	const char *weight_unit;  /* "nanoseconds" for clock events, else "events" */
	const char *title;	  /* the recorded command line, for titles */
	uint64_t time_start;	  /* first and last sample, CLOCK_MONOTONIC ns */
	uint64_t time_end;
	uint64_t period;	  /* the typical sampling period in weight units (for pprof) */
	uint64_t realtime_start;  /* wall-clock ns of the recording's start, 0 if unknown */
};

void profile_free(struct profile *p); /* NULL is a no-op */

/* The function of frame i (0 = leaf) of stack s. */
static inline const struct prof_func *profile_frame_func(const struct profile *p,
							 const struct prof_stack *s, uint32_t i)
{
	return &p->funcs[p->locs[p->frames[s->first + i]].func];
}

#endif
