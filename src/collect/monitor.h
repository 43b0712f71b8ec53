/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Waiting while counting: for the workload to exit, for Ctrl-C or SIGTERM,
 * for attached tasks to go away, or for the next interval. Signals are
 * blocked and read from a signalfd, so none is lost between checks.
 */
#ifndef PMUPROF_MONITOR_H
#define PMUPROF_MONITOR_H

#include "util/compiler.h"

#include <signal.h>
#include <stdbool.h>
#include <sys/signalfd.h>

struct monitor {
	int sigfd;
	sigset_t set;	   /* the signals read from sigfd */
	sigset_t old_mask; /* what the workload gets back */
};

enum monitor_event {
	MONITOR_TIMEOUT,
	MONITOR_CHILD,	   /* SIGCHLD: reap with waitpid */
	MONITOR_INTERRUPT, /* SIGINT, SIGTERM or SIGHUP: see .signo and .from_user */
	MONITOR_EXITED,	   /* every watched fd polled readable: the tasks have exited */
	MONITOR_OTHER,	   /* a signal added by monitor_add_signal(): see .signo */
};

struct monitor_signal {
	int signo;
	bool from_user; /* sent with kill(), not by the terminal */
};

int monitor_open(struct monitor *m);
/*
 * Reads signo from the signalfd too (blocked, so it no longer has its
 * default effect on pmuprof; the workload still gets old_mask back):
 * monitor_take() gives it as MONITOR_OTHER. 0 or -errno.
 */
int monitor_add_signal(struct monitor *m, int signo);
/*
 * For callers with their own poll loop: the signalfd to poll for POLLIN,
 * then monitor_take() to read what arrived (MONITOR_CHILD or
 * MONITOR_INTERRUPT, or -EAGAIN when nothing is pending).
 */
int monitor_fd(const struct monitor *m);
int monitor_take(struct monitor *m, struct monitor_signal *sig);
void monitor_close(struct monitor *m);
/*
 * Waits up to timeout_ms (-1: no limit). `fds` are pidfds (readable when
 * their task exits); MONITOR_EXITED comes once all of them are.
 */
int monitor_wait(struct monitor *m, int timeout_ms, const int *fds, size_t nfds,
		 struct monitor_signal *sig);

#endif
