/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What to count: a workload pmuprof starts, an existing process (-p), one
 * thread (-t), or every CPU (-a). A target expands into instances, each a
 * (pid, cpu) pair handed to perf_event_open: one per thread or per CPU.
 */
#ifndef PMUPROF_TARGET_H
#define PMUPROF_TARGET_H

#include "util/compiler.h"

#include <stdbool.h>
#include <sys/types.h>

enum target_kind {
	TARGET_WORKLOAD, /* the child pmuprof runs, followed with inherit */
	TARGET_PID,	 /* every thread of a process */
	TARGET_TID,	 /* one thread */
	TARGET_CPUS,	 /* all online CPUs (-a) */
};

struct target_instance {
	pid_t pid; /* -1 for a CPU instance */
	int cpu;   /* -1 for a task instance */
};

struct target {
	enum target_kind kind;
	pid_t pid; /* the process or thread named by -p/-t or the workload's pid */
	struct target_instance *inst;
	size_t nr, alloc;
};

/* Fills t->inst for the kind. -ESRCH: no such process or thread. Release with target_release(). */
int target_init(struct target *t, enum target_kind kind, pid_t pid);
void target_release(struct target *t);

/*
 * An fd that polls readable once the process (-p) or thread (-t) has exited:
 * a pidfd. Returns -errno where the kernel has none (then use target_alive()).
 */
int target_exit_fd(const struct target *t);
/* Whether the process or thread named by -p/-t still exists. */
bool target_alive(const struct target *t);

/* The process (thread group) a thread belongs to; tid itself if unknown. */
pid_t target_tgid(pid_t tid);

/* Reads the name of a thread from /proc into buf ("?" if it is gone). */
void target_thread_name(pid_t tid, char *buf, size_t size);

/* Parses a CPU list such as "0-3,5"; returns the number of CPUs or -EINVAL. */
int target_parse_cpulist(const char *s, int *cpus, size_t max);

#endif
