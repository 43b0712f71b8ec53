/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Starting the program to profile. workload_prepare() forks a child that
 * waits, so counters can be attached to its pid before it runs anything;
 * workload_start() lets it exec and reports whether the exec worked.
 */
#ifndef PMUPROF_WORKLOAD_H
#define PMUPROF_WORKLOAD_H

#include "util/compiler.h"

#include <signal.h>
#include <sys/types.h>

struct workload {
	pid_t pid;
	int go_fd;  /* write end: one byte lets the child exec */
	int err_fd; /* read end: the child's errno if exec failed, EOF if it worked */
};

/*
 * Forks the child, which restores `child_mask`, adds `env` ("NAME=value"
 * strings, NULL-terminated; may be NULL) to its environment and waits.
 */
int workload_prepare(struct workload *w, char *const argv[], const sigset_t *child_mask,
		     char *const env[]);
/*
 * Lets the child exec. Returns 0 once the exec has succeeded, or the exec's
 * -errno (the child has then exited and been reaped).
 */
int workload_start(struct workload *w);
/* Ends a child that was prepared but never started. */
void workload_abort(struct workload *w);

#endif
