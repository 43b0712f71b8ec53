// SPDX-License-Identifier: GPL-2.0-or-later
#include "collect/target.h"
#include "util/alloc.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef PIDFD_THREAD
#define PIDFD_THREAD O_EXCL /* Linux 6.9: a pidfd for one thread */
#endif

static void add_instance(struct target *t, pid_t pid, int cpu)
{
	xgrow(&t->inst, &t->alloc, t->nr + 1, sizeof(*t->inst));
	t->inst[t->nr].pid = pid;
	t->inst[t->nr].cpu = cpu;
	t->nr++;
}

int target_parse_cpulist(const char *s, int *cpus, size_t max)
{
	size_t n = 0;

	while (*s && *s != '\n') {
		char *end;
		long a = strtol(s, &end, 10), b;

		if (end == s || a < 0)
			return -EINVAL;
		b = a;
		if (*end == '-') {
			s = end + 1;
			b = strtol(s, &end, 10);
			if (end == s || b < a)
				return -EINVAL;
		}
		for (long c = a; c <= b; c++) {
			if (n >= max)
				return -EINVAL;
			cpus[n++] = (int)c;
		}
		s = end;
		if (*s == ',')
			s++;
		else if (*s && *s != '\n')
			return -EINVAL;
	}
	return (int)n;
}

static int add_cpus(struct target *t)
{
	char buf[4096];
	int cpus[1024];
	FILE *f = fopen("/sys/devices/system/cpu/online", "r");
	int n;

	if (!f) {
		long nr = sysconf(_SC_NPROCESSORS_ONLN);

		for (long c = 0; c < nr; c++)
			add_instance(t, -1, (int)c);
		return nr > 0 ? 0 : -ENODEV;
	}
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = '\0';
	fclose(f);
	n = target_parse_cpulist(buf, cpus, ARRAY_SIZE(cpus));
	if (n <= 0)
		return -ENODEV;
	for (int i = 0; i < n; i++)
		add_instance(t, -1, cpus[i]);
	return 0;
}

static int add_threads(struct target *t, pid_t pid)
{
	char path[64];
	struct dirent *de;
	DIR *d;

	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	d = opendir(path);
	if (!d)
		return errno == ENOENT ? -ESRCH : -errno;
	while ((de = readdir(d))) {
		char *end;
		long tid = strtol(de->d_name, &end, 10);

		if (*end || end == de->d_name)
			continue;
		add_instance(t, (pid_t)tid, -1);
	}
	closedir(d);
	return t->nr ? 0 : -ESRCH;
}

int target_init(struct target *t, enum target_kind kind, pid_t pid)
{
	char path[64];
	int ret = 0;

	memset(t, 0, sizeof(*t));
	t->kind = kind;
	t->pid = pid;
	switch (kind) {
	case TARGET_WORKLOAD:
		add_instance(t, pid, -1);
		break;
	case TARGET_PID:
		if (pid <= 0)
			return -ESRCH;
		ret = add_threads(t, pid);
		break;
	case TARGET_TID:
		if (pid <= 0)
			return -ESRCH;
		/* /proc/TID resolves for any thread, listed or not */
		snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
		if (access(path, F_OK))
			return -ESRCH;
		add_instance(t, pid, -1);
		break;
	case TARGET_CPUS:
		ret = add_cpus(t);
		break;
	}
	if (ret < 0)
		target_release(t);
	return ret;
}

void target_release(struct target *t)
{
	FREE_AND_NULL(t->inst);
	t->nr = t->alloc = 0;
}

void target_thread_name(pid_t tid, char *buf, size_t size)
{
	char path[64];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/comm", (int)tid);
	f = fopen(path, "r");
	if (!f || !fgets(buf, (int)size, f)) {
		snprintf(buf, size, "?");
	} else {
		buf[strcspn(buf, "\n")] = '\0';
	}
	if (f)
		fclose(f);
}

int target_exit_fd(const struct target *t)
{
	long fd;

	if (t->kind != TARGET_PID && t->kind != TARGET_TID)
		return -EINVAL;
	fd = syscall(SYS_pidfd_open, t->pid, t->kind == TARGET_TID ? PIDFD_THREAD : 0);
	return fd < 0 ? -errno : (int)fd;
}

bool target_alive(const struct target *t)
{
	char path[64];
	char state = '?';
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)t->pid);
	f = fopen(path, "r");
	if (!f)
		return false;
	/* a zombie has exited even though its /proc entry stays until it is reaped */
	if (fscanf(f, "%*d (%*[^)]) %c", &state) != 1)
		state = '?';
	fclose(f);
	return state != 'Z' && state != 'X';
}

pid_t target_tgid(pid_t tid)
{
	char path[64], line[128];
	pid_t tgid = tid;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)tid);
	f = fopen(path, "r");
	if (!f)
		return tid;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "Tgid: %d", &tgid) == 1)
			break;
	fclose(f);
	return tgid;
}
