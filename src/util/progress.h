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

#include <stdbool.h>
#include <stdint.h>

struct progress {
	const char *what;
	uint64_t total, done;
	uint64_t start_ns, next_ns;
	uint32_t countdown; /* updates until the clock is read again */
	bool enabled, shown;
};

/* total 0: unknown (a count is shown instead of a bar). */
void progress_start(struct progress *p, const char *what, uint64_t total);
void progress_update_slow(struct progress *p);
void progress_done(struct progress *p);

/* Cheap enough per sample: the clock is read only every 1024 calls. */
static inline void progress_add(struct progress *p, uint64_t n)
{
	p->done += n;
	if (p->enabled && !--p->countdown)
		progress_update_slow(p);
}

#endif
