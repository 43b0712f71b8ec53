/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A progress bar on stderr for long processing: shown only when stderr is
 * a terminal and the work has already taken about a second, redrawn at
 * most ten times a second, and erased when done, so short runs and
 * redirected output never see it.
 */
#ifndef PMUPROF_PROGRESS_H
#define PMUPROF_PROGRESS_H

#include "util/compiler.h"

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

/*
 * Work done on several threads is counted with progress_add_shared(),
 * which only adds; one thread draws (progress_update_slow()). The bar
 * shows the work done by all, never more than the total, and never goes
 * back.
 */
struct progress {
	const char *what;
	uint64_t total;
	_Atomic uint64_t done;
	uint64_t drawn; /* what the bar last showed */
	uint64_t start_ns, next_ns;
	uint32_t countdown; /* updates until the clock is read again */
	bool enabled, shown;
};

/* total 0: unknown (a count is shown instead of a bar). */
void progress_start(struct progress *p, const char *what, uint64_t total);
void progress_update_slow(struct progress *p);
void progress_done(struct progress *p);
/*
 * The work is started again from nothing (read again another way): the
 * bar stays where it was until the new count passes it.
 */
void progress_restart(struct progress *p);

/* Cheap enough per sample: the clock is read only every 1024 calls. One thread only. */
static inline void progress_add(struct progress *p, uint64_t n)
{
	atomic_fetch_add_explicit(&p->done, n, memory_order_relaxed);
	if (p->enabled && !--p->countdown)
		progress_update_slow(p);
}

/* From any thread: counts the work without drawing. */
static inline void progress_add_shared(struct progress *p, uint64_t n)
{
	atomic_fetch_add_explicit(&p->done, n, memory_order_relaxed);
}

#endif
