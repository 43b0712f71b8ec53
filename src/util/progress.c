// SPDX-License-Identifier: GPL-2.0-or-later
#include "util/progress.h"

#include <inttypes.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#define CHECK_EVERY 1024
#define BAR_WIDTH 30
#ifndef PROGRESS_DELAY_NS
#define PROGRESS_DELAY_NS 1000000000u /* show nothing for work shorter than this */
#endif

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

void progress_start(struct progress *p, const char *what, uint64_t total)
{
	p->what = what;
	p->total = total;
	atomic_store_explicit(&p->done, 0, memory_order_relaxed);
	p->drawn = 0;
	p->shown = false;
	p->countdown = CHECK_EVERY;
	p->enabled = isatty(STDERR_FILENO) == 1;
	p->start_ns = p->enabled ? now_ns() : 0;
	p->next_ns = p->start_ns + PROGRESS_DELAY_NS;
}

/* The work done so far, within the total, and never less than drawn before. */
static void draw(struct progress *p)
{
	uint64_t done = atomic_load_explicit(&p->done, memory_order_relaxed);
	char bar[BAR_WIDTH + 1];

	if (p->total && done > p->total)
		done = p->total;
	if (done < p->drawn)
		done = p->drawn;
	p->drawn = done;
	p->shown = true;
	if (p->total) {
		size_t fill = (size_t)(done * BAR_WIDTH / p->total);

		for (size_t i = 0; i < BAR_WIDTH; i++)
			bar[i] = i < fill ? '#' : '.';
		bar[BAR_WIDTH] = '\0';
		fprintf(stderr, "\r%s [%s] %3" PRIu64 "%% (%" PRIu64 " of %" PRIu64 ")", p->what,
			bar, done * 100 / p->total, done, p->total);
	} else {
		fprintf(stderr, "\r%s: %" PRIu64, p->what, done);
	}
	fflush(stderr);
}

void progress_update_slow(struct progress *p)
{
	uint64_t now;

	p->countdown = CHECK_EVERY;
	if (!p->enabled)
		return;
	now = now_ns();
	if (now < p->next_ns)
		return;
	p->next_ns = now + 100000000u;
	draw(p);
}

void progress_done(struct progress *p)
{
	/* once shown, the bar's last state is the work done in all (the whole, when all was) */
	if (p->shown) {
		draw(p);
		fputs("\r\033[K", stderr);
		fflush(stderr);
	}
	p->enabled = p->shown = false;
}

void progress_restart(struct progress *p)
{
	atomic_store_explicit(&p->done, 0, memory_order_relaxed);
}
