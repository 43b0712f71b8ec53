/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A waiting thread's user stack, read from outside: where the kernel will
 * not sample a switch-out (an unprivileged user at perf_event_paranoid 2),
 * record reads the registers a blocked thread left in
 * /proc/PID/task/TID/syscall (sp and ip; bp is not there) and copies its
 * stack with process_vm_readv, as a debugger or py-spy would, for a thread
 * of the user's own program. The copy is good only if the thread did not
 * run while it was taken: the caller checks that against the switch
 * records (no switch-in of the thread between begin_ns and end_ns).
 *
 * A struct remotestack keeps the open /proc files of the threads it has
 * read (up to 512; threads beyond open theirs for each read), so a thread
 * read again costs two pread()s and one copy.
 *
 * Functions return 0 or -errno and never print.
 */
#ifndef PMUPROF_REMOTESTACK_H
#define PMUPROF_REMOTESTACK_H

#include "util/compiler.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct remotestack;

struct remote_capture {
	uint64_t begin_ns, end_ns; /* CLOCK_MONOTONIC, before the first read and after the last */
	uint64_t sp, ip;	   /* the user registers the thread waits with */
	long syscall;		   /* the system call it waits in; -1 when not in one (preempted) */
	size_t size;		   /* bytes of stack copied from sp up, into the caller's buffer */
};

int remotestack_new(struct remotestack **out);
void remotestack_free(struct remotestack *rs);

/*
 * Copies up to `max` bytes of thread tid's (of process pid) user stack from
 * its sp into buf, stopping early where the stack's mapping ends. -EAGAIN:
 * the thread is running, or ran while it was read; -ESRCH: it is gone;
 * -EPERM: Yama's /proc/sys/kernel/yama/ptrace_scope forbids it (1 and not
 * a descendant of this process, 2 or 3); -EACCES: this user may not read
 * it otherwise (another user's process, or one that is not dumpable);
 * -EINVAL: pid or tid is not a positive number.
 */
int remotestack_read(struct remotestack *rs, pid_t pid, pid_t tid, uint8_t *buf, size_t max,
		     struct remote_capture *out);

/* Forgets a thread that ended (closes its files). */
void remotestack_forget(struct remotestack *rs, pid_t tid);

#endif
