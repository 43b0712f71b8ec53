// SPDX-License-Identifier: GPL-2.0-or-later
#include "collect/counter.h"
#include "util/alloc.h"
#include "util/proc.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#define READ_FORMAT                                                                                \
	(PERF_FORMAT_GROUP | PERF_FORMAT_ID | PERF_FORMAT_TOTAL_TIME_ENABLED |                     \
	 PERF_FORMAT_TOTAL_TIME_RUNNING)

static int sys_perf_event_open(struct perf_event_attr *attr, pid_t pid, int cpu, int group_fd,
			       unsigned long flags)
{
	long fd = syscall(SYS_perf_event_open, attr, pid, cpu, group_fd, flags);

	return fd < 0 ? -errno : (int)fd;
}

int counter_paranoid(void)
{
	return (int)proc_read_long("/proc/sys/kernel/perf_event_paranoid", INT32_MIN);
}

bool counter_err_unsupported(int err)
{
	switch (-err) {
	case ENOENT:	 /* no such PMU or event: a VM without a hardware PMU */
	case ENODEV:	 /* the PMU does not support this target (task or CPU) */
	case ENXIO:	 /* the PMU driver is not there */
	case EOPNOTSUPP: /* a feature of the event (sampling, a filter) it lacks */
	case EINVAL:	 /* a config the kernel rejects for this PMU */
	case ENOSYS:	 /* no perf_event_open in this kernel */
		return true;
	default:
		return false;
	}
}

static bool may_fall_back_to_user(const struct counter *c, int err)
{
	/* the kernel refuses kernel-mode counting at perf_event_paranoid >= 2 */
	return (err == -EACCES || err == -EPERM) && !c->spec->explicit_plm &&
	       !c->attr.exclude_kernel;
}

static void set_user_only(struct perf_event_attr *attr)
{
	attr->exclude_kernel = 1;
	attr->exclude_hv = 1;
}

int counter_probe(const struct perf_event_attr *attr, bool *user_only)
{
	struct perf_event_attr a = *attr;
	int fd;

	a.disabled = 1;
	a.read_format = 0;
	*user_only = false;
	fd = sys_perf_event_open(&a, 0, -1, -1, PERF_FLAG_FD_CLOEXEC);
	if ((fd == -EACCES || fd == -EPERM) && !a.exclude_kernel) {
		set_user_only(&a);
		fd = sys_perf_event_open(&a, 0, -1, -1, PERF_FLAG_FD_CLOEXEC);
		*user_only = fd >= 0;
	}
	if (fd < 0)
		return fd;
	close(fd);
	return 0;
}

void counter_set_init(struct counter_set *set, const struct event_list *events,
		      const struct target *target, bool inherit)
{
	memset(set, 0, sizeof(*set));
	set->target = target;
	set->inherit = inherit;
	set->nr = events->nr;
	set->c = xcalloc(events->nr, sizeof(*set->c));
	for (size_t i = 0; i < events->nr; i++) {
		struct counter *c = &set->c[i];

		c->spec = &events->ev[i];
		c->fd = xmalloc(target->nr * sizeof(*c->fd));
		c->id = xcalloc(target->nr, sizeof(*c->id));
		for (size_t j = 0; j < target->nr; j++)
			c->fd[j] = -1;
	}
}

static int open_one(struct counter_set *set, struct counter *c, size_t inst, int leader_fd,
		    bool enable_on_exec)
{
	const struct target_instance *ti = &set->target->inst[inst];
	struct perf_event_attr attr = c->attr;
	int fd;

	attr.read_format = READ_FORMAT;
	attr.inherit = set->inherit;
	attr.disabled = leader_fd < 0;
	attr.enable_on_exec = leader_fd < 0 && enable_on_exec;
	fd = sys_perf_event_open(&attr, ti->pid, ti->cpu, leader_fd, PERF_FLAG_FD_CLOEXEC);
	if (fd >= 0 && ioctl(fd, PERF_EVENT_IOC_ID, &c->id[inst]) < 0) {
		int err = -errno;

		close(fd);
		return err;
	}
	return fd;
}

int counter_set_open(struct counter_set *set, bool enable_on_exec)
{
	const struct target *t = set->target;
	int first_err = 0;
	bool any = false;

	for (size_t i = 0; i < set->nr; i++) {
		set->c[i].attr = set->c[i].spec->attr;
		set->c[i].err = 0;
	}
	for (size_t inst = 0; inst < t->nr; inst++) {
		bool inst_gone = false;

		for (size_t i = 0; i < set->nr && !inst_gone; i++) {
			int group = set->c[i].spec->group;
			int leader_fd = -1;

			if (i > 0 && set->c[i - 1].spec->group == group)
				continue; /* handled with the group's first event */
			for (size_t j = i; j < set->nr && set->c[j].spec->group == group; j++) {
				struct counter *c = &set->c[j];
				int fd;

				if (c->err)
					continue; /* failed on an earlier instance: same everywhere */
				fd = open_one(set, c, inst, leader_fd, enable_on_exec);
				if (fd < 0 && inst == 0 && may_fall_back_to_user(c, fd)) {
					set_user_only(&c->attr);
					fd = open_one(set, c, inst, leader_fd, enable_on_exec);
					c->user_only = fd >= 0;
					if (fd < 0)
						c->attr = c->spec->attr;
				}
				if (fd == -ESRCH && inst > 0) {
					/* a thread of -p exited while we opened: skip it */
					inst_gone = true;
					break;
				}
				if (fd < 0) {
					c->err = fd;
					if (!first_err)
						first_err = fd;
					continue;
				}
				c->fd[inst] = fd;
				any = true;
				if (leader_fd < 0)
					leader_fd = fd;
			}
		}
		if (inst_gone) {
			for (size_t i = 0; i < set->nr; i++) {
				if (set->c[i].fd[inst] >= 0)
					close(set->c[i].fd[inst]);
				set->c[i].fd[inst] = -1;
			}
		}
	}
	if (!any)
		return first_err ? first_err : -ENOENT;
	return 0;
}

/* The open fds of the first counter of each group are the group leaders. */
static int group_leader_fd(const struct counter_set *set, size_t i, size_t inst)
{
	int group = set->c[i].spec->group;

	for (size_t j = i; j < set->nr && set->c[j].spec->group == group; j++)
		if (set->c[j].fd[inst] >= 0)
			return set->c[j].fd[inst];
	return -1;
}

static bool first_of_group(const struct counter_set *set, size_t i)
{
	return i == 0 || set->c[i - 1].spec->group != set->c[i].spec->group;
}

static int ioctl_leaders(struct counter_set *set, unsigned long req)
{
	int ret = 0;

	for (size_t i = 0; i < set->nr; i++) {
		if (!first_of_group(set, i))
			continue;
		for (size_t inst = 0; inst < set->target->nr; inst++) {
			int fd = group_leader_fd(set, i, inst);

			if (fd >= 0 && ioctl(fd, req, PERF_IOC_FLAG_GROUP) < 0 && !ret)
				ret = -errno;
		}
	}
	return ret;
}

int counter_set_enable(struct counter_set *set)
{
	return ioctl_leaders(set, PERF_EVENT_IOC_ENABLE);
}

int counter_set_disable(struct counter_set *set)
{
	return ioctl_leaders(set, PERF_EVENT_IOC_DISABLE);
}

int counter_set_read(struct counter_set *set, struct count *out)
{
	size_t ninst = set->target->nr;
	size_t bufsz = (3 + 2 * set->nr) * sizeof(uint64_t);
	uint64_t *buf = xmalloc(bufsz);
	int ret = 0;

	memset(out, 0, set->nr * ninst * sizeof(*out));
	for (size_t i = 0; i < set->nr; i++) {
		int group = set->c[i].spec->group;

		if (!first_of_group(set, i))
			continue;
		for (size_t inst = 0; inst < ninst; inst++) {
			int fd = group_leader_fd(set, i, inst);
			ssize_t n;

			if (fd < 0)
				continue;
			n = read(fd, buf, bufsz);
			if (n < 0) {
				ret = -errno;
				goto out;
			}
			if (n < (ssize_t)(3 * sizeof(uint64_t)) || buf[0] > set->nr ||
			    (size_t)n < (3 + 2 * buf[0]) * sizeof(uint64_t)) {
				ret = -EIO;
				goto out;
			}
			for (uint64_t k = 0; k < buf[0]; k++) {
				uint64_t val = buf[3 + 2 * k], id = buf[4 + 2 * k];

				for (size_t j = i; j < set->nr && set->c[j].spec->group == group;
				     j++) {
					if (set->c[j].fd[inst] < 0 || set->c[j].id[inst] != id)
						continue;
					out[j * ninst + inst].val = val;
					out[j * ninst + inst].ena = buf[1];
					out[j * ninst + inst].run = buf[2];
				}
			}
		}
	}
out:
	free(buf);
	return ret;
}

void counter_set_close(struct counter_set *set)
{
	for (size_t i = 0; i < set->nr; i++) {
		for (size_t inst = 0; inst < set->target->nr; inst++) {
			if (set->c[i].fd[inst] >= 0)
				close(set->c[i].fd[inst]);
			set->c[i].fd[inst] = -1;
		}
	}
}

void counter_set_release(struct counter_set *set)
{
	if (!set->c)
		return;
	counter_set_close(set);
	for (size_t i = 0; i < set->nr; i++) {
		free(set->c[i].fd);
		free(set->c[i].id);
	}
	FREE_AND_NULL(set->c);
	set->nr = 0;
}
