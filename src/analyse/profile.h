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
 * A recording with off-CPU samples (store/format.h's sample kinds) is read
 * in one of three views: cpu (the CPU samples, weighed as recorded),
 * off-cpu (the off-CPU intervals, in nanoseconds) and wall (both, CPU
 * samples as time too). An off-CPU stack ends, on its leaf side, in a
 * marker frame "[off-cpu: blocked]" or "[off-cpu: runnable]" of the object
 * "[off-cpu]"; an interval recorded without a stack is that marker under a
 * "[no stack]" frame.
 *
 * Beside them, for exports that say where code was in memory (pprof):
 *   maps      distinct mappings of objects (object and range) that user
 *             frames were in, as the recording's MMAP records gave them
 *   frame_at  parallel to frames: each frame's address in its process and
 *             its mapping; a loc's address is the one in the object, the
 *             same for every process, a frame's the one it had at run time
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
	const char *alt;   /* a C++ name's other form (sym_frame's alt), or NULL */
};

struct prof_loc {
	uint32_t func;	  /* index into funcs */
	uint32_t line;	  /* source line with --srcline, 0 when unknown */
	const char *file; /* source file of this line with --srcline, else NULL */
	uint64_t addr;	  /* address in the object (as in the ELF file); a kernel address */
	bool inlined;	  /* inlined into the loc that follows it in a stack */
};

/*
 * A mapping of an object: the range [start, limit) of the process's memory
 * that held the file from `offset` on.
 */
struct prof_map {
	const char *path;     /* the object's path as mapped: "/usr/bin/xz", "[vdso]" */
	const char *dso;      /* its short name, as prof_func's */
	const char *build_id; /* in hex: the recorded one, else the file's; NULL if unknown */
	uint64_t start, limit, offset;
};

#define PROF_NO_MAP UINT32_MAX

/* Where a frame was in its process. */
struct prof_at {
	uint64_t addr; /* the sampled ip or a return address - 1; a kernel address as the loc's */
	uint32_t map;  /* index into maps, or PROF_NO_MAP: kernel, markers, no mapping */
	uint32_t pad;
};

/* What a stack's samples stand for. */
enum prof_kind {
	PROF_KIND_CPU,	    /* on a CPU */
	PROF_KIND_BLOCKED,  /* off CPU: the thread gave the CPU up */
	PROF_KIND_RUNNABLE, /* off CPU: preempted, waiting for a CPU */
	PROF_KIND_MAX
};

/* Which samples a profile holds, and what its weights are. */
enum prof_view {
	PROF_VIEW_CPU,	   /* CPU samples, weights as recorded (the event's periods) */
	PROF_VIEW_OFF_CPU, /* off-CPU intervals, weights in nanoseconds */
	PROF_VIEW_WALL,	   /* both, weights in nanoseconds */
	PROF_VIEW_AUTO,	   /* for profile_read(): wall when the recording is off-CPU's, else cpu */
};

/* "cpu", "off-cpu", "wall" */
const char *profile_view_name(enum prof_view v);
/* A view's name (not auto) into *v: 0, or -1 when it names none. */
int profile_view_parse(const char *name, enum prof_view *v);

static inline bool profile_view_time(enum prof_view v)
{
	return v == PROF_VIEW_OFF_CPU || v == PROF_VIEW_WALL;
}

struct prof_stack {
	uint32_t first;	  /* index into frames of the leaf */
	uint32_t depth;	  /* frames, leaf first; at least 1 */
	uint32_t pid, tid;
	const char *comm; /* the thread's name when sampled */
	uint64_t samples; /* samples with this stack */
	uint64_t weight;  /* their summed periods (events, or nanoseconds for clocks) */
	uint32_t kind;	  /* enum prof_kind */
	uint32_t pad;
};

/* How well the stacks unwound; shares are of `samples` (those with a user stack). */
struct prof_failure {
	const char *dso;    /* the object where unwinding stopped, or "[unknown]" */
	const char *reason; /* unwind_fail_reason() */
	uint64_t samples;
};

struct prof_quality {
	uint64_t samples;   /* samples with user registers and a stack copy */
	uint64_t root;	    /* reached _start, a thread's start routine or main */
	uint64_t truncated; /* cut short by the stack copy's size */
	uint64_t failed;    /* stopped early: failures[] says where and why */
	uint64_t depth;	    /* stopped at the depth limit */
	uint64_t kernel_only; /* no user stack: kernel threads, not counted in samples */
	struct prof_failure *failures; /* most samples first */
	size_t nfailures;
	/*
	 * Of the truncated samples: those whose need is known (their thread has
	 * a sample that unwound to its root, which shows where its stack ends),
	 * the bytes of stack copy that PROF_CUT_SHARE percent of them needed,
	 * and those whose need is unknown.
	 */
	uint64_t cut_measured, cut_need, cut_unknown;
};

#define PROF_CUT_SHARE 90

/* A process's time by kind, over all the samples read (whatever the view). */
struct prof_proc {
	uint32_t pid;
	const char *comm;		   /* its main thread's name, else its first thread's */
	uint64_t samples[PROF_KIND_MAX];   /* CPU samples; off-CPU intervals */
	uint64_t ns[PROF_KIND_MAX];	   /* on CPU: 0 when the samples are not time */
};

/* What the recording holds beside the view's samples: the off-CPU side of it. */
struct prof_times {
	bool off_cpu;			   /* the recording has off-CPU samples (or says so) */
	uint64_t samples[PROF_KIND_MAX];   /* of every sample read */
	uint64_t weight[PROF_KIND_MAX];	   /* CPU: as recorded; off CPU: ns */
	uint64_t source[3], source_ns[3];  /* off-CPU intervals by stack source (switch,
					    * remote, none) */
	/*
	 * The nanoseconds a unit of CPU weight stands for in time views: 1 for
	 * a clock event; else the threads' CPU time (REC_TASK_CPU) over their
	 * samples' weight (cpu_scaled), or 0 when the recording has none
	 * (then time views leave CPU samples out).
	 */
	double cpu_scale;
	bool cpu_scaled;
	uint64_t task_cpu_ns; /* the CPU time of the threads with CPU samples */
	struct prof_proc *procs; /* by pid */
	size_t nprocs;
};

/* One sample in time order (profile_read() with PROFILE_SAMPLES). */
struct prof_sample {
	uint64_t time;	 /* CLOCK_MONOTONIC ns */
	uint64_t weight; /* as the stack's weight (an off-CPU interval's length) */
	uint32_t stack;	 /* index into stacks */
	uint32_t pad;
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
	struct prof_at *frame_at; /* nframes entries, or NULL (a profile not built from frames) */
	struct prof_map *maps;
	size_t nmaps;

	uint64_t samples, weight; /* totals over stacks */
	uint64_t kind_weight[PROF_KIND_MAX]; /* weight by the stacks' kind */
	enum prof_view view;	  /* never auto */
	struct prof_times times;  /* by profile_read(); zero from a builder alone */
	/*
	 * Every sample of the stacks, by time (ties by stack), when the builder
	 * was asked to keep them (profile_builder_keep_samples()); else NULL.
	 * What diff needs to see how samples cluster in time.
	 */
	struct prof_sample *sample_list;
	size_t nsample_list;
	const char *event;	  /* the event that was sampled: "cpu-clock", "cycles" */
	const char *weight_unit;  /* "nanoseconds" for clock events and time views, else "events" */
	const char *title;	  /* the recorded command line, for titles */
	uint64_t time_start;	  /* first and last sample, CLOCK_MONOTONIC ns */
	uint64_t time_end;
	uint64_t period;	  /* the typical sampling period in weight units (for pprof) */
	uint64_t realtime_start;  /* wall-clock ns of the recording's start, 0 if unknown */
	struct prof_quality quality;

	char **strings; /* owned copies of the strings above */
	size_t nstrings, astrings;
};

void profile_free(struct profile *p); /* NULL is a no-op */

/* Whether the profile is of a recording with off-CPU samples, or of a time view. */
static inline bool profile_has_time(const struct profile *p)
{
	return p->times.off_cpu || profile_view_time(p->view);
}

/* weight * scale, rounded, within 0 and UINT64_MAX (the weights come from the file) */
static inline uint64_t profile_scaled(uint64_t weight, double scale)
{
	double v = (double)weight * scale + 0.5;

	if (!(v > 0))
		return 0;
	return v >= 18446744073709551616.0 ? UINT64_MAX : (uint64_t)v;
}

/* Stack s's time in ns: its weight in time views, else as time views would weigh it. */
static inline uint64_t profile_stack_ns(const struct profile *p, const struct prof_stack *s)
{
	if (profile_view_time(p->view) || s->kind != PROF_KIND_CPU)
		return s->weight;
	return profile_scaled(s->weight, p->times.cpu_scale);
}
/* A copy of s that p owns (freed with p). */
const char *profile_keep_string(struct profile *p, const char *s);

/* ---- building a profile from unwound samples ---------------------------- */

struct unwind_frame;
struct unwind_result;
struct symbolizer;
struct profile_builder;

struct profile_builder *profile_builder_new(void);
void profile_builder_free(struct profile_builder *b); /* NULL is a no-op */

/*
 * Adds one sample: its kernel frames (leaf first, may be 0), then its user
 * frames as unwound (leaf first), and how unwinding ended (NULL: no user
 * stack). `comm` is copied once per distinct name.
 */
void profile_builder_add(struct profile_builder *b, uint32_t pid, uint32_t tid, const char *comm,
			 const uint64_t *kernel, size_t nkernel, const struct unwind_frame *user,
			 size_t nuser, const struct unwind_result *res, uint64_t weight,
			 uint64_t time);

/*
 * Adds a sample of a kind (SAMPLE_KIND_*); an off-CPU one gets its marker
 * frame as its leaf, and with no_stack (SAMPLE_SOURCE_NONE) the "[no
 * stack]" frame above it instead of any frame of its own.
 */
void profile_builder_add_kind(struct profile_builder *b, unsigned kind, bool no_stack,
			      uint32_t pid, uint32_t tid, const char *comm, const uint64_t *kernel,
			      size_t nkernel, const struct unwind_frame *user, size_t nuser,
			      const struct unwind_result *res, uint64_t weight, uint64_t time);

/* Keep each sample's time and stack (profile's sample_list), not only the counts. */
void profile_builder_keep_samples(struct profile_builder *b);
bool profile_builder_keeps_samples(const struct profile_builder *b);

/*
 * The place in the file of the samples added next (session_sample's
 * order): each stack keeps its first sample's, so that builders filled on
 * several threads can be merged in file order.
 */
void profile_builder_order(struct profile_builder *b, uint64_t order);

/*
 * One builder with every stack, sample and measure of parts[0..n), the
 * stacks in the order of their first samples: what a single builder fed
 * every sample in file order would hold. The parts are left as they were.
 */
struct profile_builder *profile_builder_merge(struct profile_builder *const *parts, size_t n);

/* Whether any sample has kernel frames (their names need /proc/kallsyms). */
bool profile_builder_has_kernel(const struct profile_builder *b);

/*
 * Symbolizes each distinct address once and returns the profile; the
 * builder is left empty. event, weight_unit and title are copied.
 */
struct profile *profile_builder_finish(struct profile_builder *b, struct symbolizer *s,
				       const char *event, const char *weight_unit,
				       const char *title);

/* Keeps only the stacks `keep` returns true for (and their samples), and recomputes the totals. */
void profile_select(struct profile *p,
		    bool (*keep)(const struct profile *p, const struct prof_stack *s, void *arg),
		    void *arg);

/* ---- the one path from a recording to a profile ------------------------- */

struct session;
struct sample_filter;

/* A flag of profile_read() beyond the SYM_* ones: keep the profile's sample_list. */
#define PROFILE_SAMPLES (1u << 30)

/*
 * Reads every sample of an open session that passes f (NULL: all) and
 * belongs to view into a profile: unwound, symbolized with sym_flags
 * (SYM_*, and PROFILE_SAMPLES for the samples in time order), and, when f
 * names objects or functions, only the stacks through them. In a time view
 * the weights are nanoseconds (CPU samples scaled by times.cpu_scale).
 * p->times covers every sample that passes f's thread, time and command
 * tests, of any kind. *sym stays usable
 * for more lookups (annotate names jump targets with it). 0 or -errno; the
 * caller frees the profile and the symbolizer, then closes the session.
 */
int profile_read(struct session *s, const struct sample_filter *f, enum prof_view view,
		 unsigned sym_flags, struct profile **p, struct symbolizer **sym);

/*
 * A time view's profile with its samples counted in quanta of time: each
 * sample becomes about weight / quantum samples (each stack's total is
 * rounded, not each sample's), an off-CPU interval's spread over its
 * length, as a sampler of wall-clock time at that period would have seen
 * them (diff's statistics are of counts, in time order).
 * Needs the sample list (PROFILE_SAMPLES).
 */
void profile_count_time(struct profile *p, uint64_t quantum);
/*
 * The quantum for that, one for n profiles: the first one's CPU period, or
 * 1 ms without CPU samples; longer where a profile's time would make more
 * than PROFILE_QUANTA_MAX samples, which also bounds what
 * profile_count_time() makes of a hostile file.
 */
uint64_t profile_time_quantum(struct profile *const *p, size_t n);
#define PROFILE_QUANTA_MAX (1u << 22)

/* Whether the recording of s is off-CPU's (its metadata or statistics say so). */
bool profile_recording_off_cpu(const struct session *s);

/*
 * Stack s as one line of the folded format (FlameGraph's collapsed
 * stacks), without its count: comm (the stack's own when NULL), then the
 * frames from the outermost caller to the leaf, ';' between them, kernel
 * frames marked "_[k]", inlined ones "_[i]", and the characters that would
 * split a frame or end the line replaced. Written into *buf from its start
 * (grown with realloc: *alloc its size), NUL-terminated; returns the length.
 */
size_t profile_fold_stack(const struct profile *p, const struct prof_stack *s, const char *comm,
			  char **buf, size_t *alloc);

/* The function of frame i (0 = leaf) of stack s. */
static inline const struct prof_func *profile_frame_func(const struct profile *p,
							 const struct prof_stack *s, uint32_t i)
{
	return &p->funcs[p->locs[p->frames[s->first + i]].func];
}

#endif
