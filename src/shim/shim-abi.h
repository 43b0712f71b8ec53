/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The memory shared between `pmuprof record --sampler itimer|ctimer` and
 * the LD_PRELOAD shim inside the profiled program (src/shim/shim.c).
 *
 * pmuprof creates a memfd, lays out a header and a table of slots, and
 * passes the descriptor to the program in PMUPROF_SHIM_FD. Each thread the
 * shim samples owns one slot: a single-producer ring written by that
 * thread's SIGPROF handler and read by pmuprof while the program runs and
 * after it ends. The mapping belongs to pmuprof as much as to the program,
 * so whatever the handler committed survives _exit, a crash or SIGKILL.
 *
 * Ring records are pmuprof.data records (store/format.h: struct rec_sample
 * followed by regs and stack bytes), so the samples of every sampler share
 * one format. A record never wraps: where the rest of the ring is too
 * short, the producer writes a SHIM_REC_PAD header covering it and starts
 * again at offset 0, as Go's profBuf does.
 *
 * Both sides treat the other as untrusted where it matters: the reader
 * checks every size it finds in a ring (a program can scribble over the
 * mapping), keeps the layout it chose and its own read positions rather
 * than read them back, and seals the memory at its size (F_SEAL_SHRINK,
 * F_SEAL_GROW, F_SEAL_SEAL); the shim only reads the header's parameters
 * once, and checks that the layout they give fits the memory.
 */
#ifndef PMUPROF_SHIM_ABI_H
#define PMUPROF_SHIM_ABI_H

#include "util/compiler.h" /* config.h first */

#include <stdatomic.h>
#include <stdint.h>

#define SHIM_MAGIC	 0x4d494853464f5250ull /* "PROFSHIM" */
#define SHIM_ABI_VERSION 2
#define SHIM_ENV_FD	 "PMUPROF_SHIM_FD"
#define SHIM_REC_PAD	 0 /* rec_header.type of a filler up to the ring's end */

enum shim_mode {
	SHIM_ITIMER = 1, /* setitimer(ITIMER_PROF): one process-wide timer */
	SHIM_CTIMER = 2, /* timer_create(CLOCK_THREAD_CPUTIME_ID) per thread */
};

/* Bits of shim_header.events: things the program did that a reader must know. */
enum shim_event {
	SHIM_EV_OWN_HANDLER = 0,  /* the program installed a SIGPROF handler */
	SHIM_EV_OWN_ITIMER = 1,	  /* the program set ITIMER_PROF */
	SHIM_EV_HANDLER_FOUND = 2, /* a SIGPROF handler was installed before the shim loaded */
	SHIM_EV_NO_SLOT = 3,	  /* a thread found every slot taken: its samples are lost */
	SHIM_EV_TIMER_FAILED = 4, /* setitimer or timer_create failed for some thread */
	SHIM_NEVENTS = 8
};

/* shim_slot.state */
enum shim_slot_state {
	SLOT_FREE = 0,	 /* pmuprof may hand it out again (it has read all of it) */
	SLOT_ACTIVE = 1, /* a live thread writes it */
	SLOT_DONE = 2,	 /* its thread ended or exec'd: pmuprof frees it once drained */
	SLOT_CLAIMING = 3, /* being taken: owner not yet written, pmuprof keeps off */
};

struct shim_header {
	uint64_t magic;
	uint32_t version;
	uint32_t mode;	      /* enum shim_mode */
	uint64_t period_ns;   /* 1e9 / hz */
	uint32_t stack_bytes; /* user stack copied per sample, a multiple of 8 (0: none) */
	uint32_t nslots;
	uint64_t ring_bytes;  /* per slot, a power of two */
	uint64_t slots_offset; /* of the slot table, from the start of the mapping */
	uint64_t rings_offset; /* of slot 0's ring; slot i's is at + i * ring_bytes */
	uint64_t map_bytes;    /* the whole mapping */
	/* written by the shim(s), read by pmuprof */
	_Atomic uint64_t events;		  /* 1 << enum shim_event */
	_Atomic uint64_t event_time[SHIM_NEVENTS]; /* CLOCK_MONOTONIC of the first of each */
	_Atomic uint64_t images;   /* program images that attached (process starts and execs) */
	_Atomic uint64_t foreign;  /* SIGPROF not from the shim's own timer: not sampled */
	_Atomic uint64_t no_slot;  /* samples dropped because the thread had no slot */
	_Atomic uint64_t late;	   /* signals after a thread's sampling ended */
	_Atomic uint64_t timer_failures;
	_Atomic uint32_t slot_hint; /* where the next slot search starts */
	uint32_t pad;
};

struct shim_slot {
	_Atomic uint32_t state; /* enum shim_slot_state */
	uint32_t pid, tid;	/* of the owner, set before it goes ACTIVE */
	uint32_t pad;
	_Atomic uint64_t head;	    /* bytes written: the producer's */
	_Atomic uint64_t tail;	    /* bytes consumed: pmuprof's */
	_Atomic uint64_t lost;	    /* samples dropped because the ring was full */
	_Atomic uint64_t lost_time; /* CLOCK_MONOTONIC of the latest drop */
	_Atomic uint64_t signals;   /* the sampler's own signals received */
	_Atomic uint64_t overruns;  /* expirations merged into them (si_overrun) */
	/*
	 * The owner's own: its sampler's signals since it took the slot, and
	 * the CPU time it used meanwhile, written when its sampling ends (its
	 * exit, an exec, the process's exit). A thread that used CPU but got
	 * no signal had SIGPROF blocked where the shim could not see it.
	 */
	_Atomic uint64_t owner_signals;
	_Atomic uint64_t owner_cpu_ns;
};

_Static_assert(sizeof(struct shim_slot) == 80, "slot layout");

#endif
