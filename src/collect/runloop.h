/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The wait that stat and record share while events count or sample: until
 * the workload exits (its status and rusage kept), Ctrl-C or SIGTERM (a
 * signal sent with kill() is passed on to the workload, which a terminal's
 * Ctrl-C reached already; without a workload it ends the run), the -p/-t
 * target exits (a pidfd, else a look every 250 ms), or --duration runs out.
 * On the way it can call a tick every interval (stat -I) and, after every
 * wake, a callback that empties the caller's own fds (record's rings) and
 * may ask for its next wake by a time of its own (record's file switches).
 * SIGUSR2, where the caller takes it (runloop_take_usr2()), is counted for
 * the callback to see and ends nothing.
 *
 * At the end a workload that outlived --duration (-p/-t/-a with a timing
 * command) gets SIGTERM, and its death by it counts as status 0.
 *
 * Functions return 0 or -errno and never print.
 */
#ifndef PMUPROF_RUNLOOP_H
#define PMUPROF_RUNLOOP_H

#include "collect/monitor.h"
#include "collect/target.h"

#include <stdbool.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/types.h>

struct runloop {
	struct monitor mon; /* mon.old_mask is the signal mask a workload gets back */

	/* set by the caller between runloop_open() and runloop_run() */
	pid_t pid;		     /* the started workload, or -1 */
	const struct target *target; /* -p/-t without a workload: the run ends when it exits */
	double duration;	     /* seconds from runloop_start(); 0: no deadline */
	unsigned long interval_ms;   /* how often tick is called; 0: never */
	/*
	 * Called every interval_ms and once more at the end: seconds since
	 * runloop_start() and the time the interval covered (the last one
	 * is cut short). Nonzero stops the run with that error.
	 */
	int (*tick)(void *arg, double since_start, double interval_s);
	const int *fds; /* more fds to wake for (POLLIN); one that hangs up is dropped */
	size_t nfds;
	int max_wait_ms; /* the longest sleep between calls of woke; 0: no limit */
	/* Called after every wake; nonzero stops the run with that error. */
	int (*woke)(void *arg);
	void *arg;
	/*
	 * CLOCK_MONOTONIC ns by which woke is called next, whatever comes; 0:
	 * none. Once it has passed, every wait returns at once: woke moves it.
	 */
	uint64_t wake_by_ns;
	unsigned long usr2; /* SIGUSR2s taken so far (runloop_take_usr2()) */

	/* the outcome */
	uint64_t start_ns; /* CLOCK_MONOTONIC */
	bool interrupted;  /* Ctrl-C, SIGTERM or SIGHUP arrived */
	bool have_status;  /* the workload ended: wstatus and ru hold how */
	int wstatus;
	struct rusage ru;
};

/* Blocks the signals the run waits for (see monitor.h); 0 or -errno. */
int runloop_open(struct runloop *rl);
void runloop_close(struct runloop *rl);
/*
 * SIGUSR2 no longer ends pmuprof: from now on the run counts it in
 * rl->usr2 and wakes for it. 0 or -errno.
 */
int runloop_take_usr2(struct runloop *rl);
/* The run's clock starts here: the deadline and the ticks count from it. */
void runloop_start(struct runloop *rl);
/*
 * Waits until the run ends. Returns 0, the error of a callback, or the
 * -errno of a failed wait; the outcome fields are filled either way.
 */
int runloop_run(struct runloop *rl);
/*
 * Ends a workload that is still running (it outlived --duration) with
 * SIGTERM and reaps it; its death by that SIGTERM is status 0.
 */
void runloop_stop(struct runloop *rl);
/* Waits for a workload still running to end by itself; its status is not the run's. */
void runloop_let_finish(struct runloop *rl);
/* Seconds since runloop_start(). */
double runloop_elapsed(const struct runloop *rl);
uint64_t runloop_now_ns(void);

#endif
