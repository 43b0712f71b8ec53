// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Reading a waiting thread's stack from outside (see remotestack.h).
 *
 * /proc/PID/task/TID/syscall says where a thread that is off its CPU
 * stopped: "NR arg1 .. arg6 sp pc" in a system call, "-1 sp pc" outside
 * one (preempted, in a page fault), "running" on a CPU. Its descriptor is
 * kept open and read at offset 0, which regenerates the text. The stack is
 * copied with process_vm_readv, one remote iovec per page so that a copy
 * reaching the end of the stack's mapping stops there with what it got.
 * The syscall file is read again after the copy: if the thread ran in
 * between, the text differs (or says running) and the copy is refused.
 */
#include "collect/remotestack.h"
#include "util/alloc.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#define RS_PAGE	     4096u
#define RS_BATCH     64	 /* remote iovecs (pages) per process_vm_readv */
#define RS_MAX_OPEN  512 /* descriptors kept open; more threads open and close per read */
#define RS_TEXT	     256 /* the syscall file: 9 numbers */
#define RS_YAMA_PATH "/proc/sys/kernel/yama/ptrace_scope"

struct rs_slot {
	pid_t pid, tid; /* tid 0: empty */
	int fd;
};

struct remotestack {
	struct rs_slot *slots; /* open addressing by tid, linear probing */
	size_t nslots, nr;
};

int remotestack_new(struct remotestack **out)
{
	struct remotestack *rs = xcalloc(1, sizeof(*rs));

	rs->nslots = 64;
	rs->slots = xcalloc(rs->nslots, sizeof(*rs->slots));
	*out = rs;
	return 0;
}

void remotestack_free(struct remotestack *rs)
{
	if (!rs)
		return;
	for (size_t i = 0; i < rs->nslots; i++)
		if (rs->slots[i].tid)
			close(rs->slots[i].fd);
	free(rs->slots);
	free(rs);
}

static size_t slot_home(const struct remotestack *rs, pid_t tid)
{
	return (size_t)(((uint64_t)(uint32_t)tid * 0x9e3779b97f4a7c15ull) >> 32) & (rs->nslots - 1);
}

static struct rs_slot *slot_find(struct remotestack *rs, pid_t tid)
{
	for (size_t i = slot_home(rs, tid);; i = (i + 1) & (rs->nslots - 1)) {
		if (rs->slots[i].tid == tid)
			return &rs->slots[i];
		if (!rs->slots[i].tid)
			return NULL;
	}
}

static void slot_put(struct remotestack *rs, pid_t pid, pid_t tid, int fd)
{
	size_t i;

	if ((rs->nr + 1) * 2 > rs->nslots) {
		struct rs_slot *old = rs->slots;
		size_t n = rs->nslots;

		rs->nslots *= 2;
		rs->slots = xcalloc(rs->nslots, sizeof(*rs->slots));
		rs->nr = 0;
		for (size_t k = 0; k < n; k++)
			if (old[k].tid)
				slot_put(rs, old[k].pid, old[k].tid, old[k].fd);
		free(old);
	}
	for (i = slot_home(rs, tid); rs->slots[i].tid; i = (i + 1) & (rs->nslots - 1))
		;
	rs->slots[i] = (struct rs_slot){ pid, tid, fd };
	rs->nr++;
}

/* Empties a slot and moves later entries of its probe run back (no tombstones). */
static void slot_remove(struct remotestack *rs, struct rs_slot *s)
{
	size_t mask = rs->nslots - 1, i = (size_t)(s - rs->slots), j = i;

	close(s->fd);
	s->tid = 0;
	rs->nr--;
	for (;;) {
		size_t home;

		j = (j + 1) & mask;
		if (!rs->slots[j].tid)
			return;
		home = slot_home(rs, rs->slots[j].tid);
		/* the entry at j may move to i when i lies on its probe path (home .. j) */
		if (((j - home) & mask) >= ((j - i) & mask)) {
			rs->slots[i] = rs->slots[j];
			rs->slots[j].tid = 0;
			i = j;
		}
	}
}

void remotestack_forget(struct remotestack *rs, pid_t tid)
{
	struct rs_slot *s = slot_find(rs, tid);

	if (s)
		slot_remove(rs, s);
}

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Is pid a descendant of this process? (Yama's ptrace_scope 1 allows those.) */
static bool is_descendant(pid_t pid)
{
	pid_t self = getpid();

	for (int depth = 0; pid > 1 && depth < 4096; depth++) {
		char path[64], line[512], *p;
		FILE *f;
		int ppid = 0;

		if (pid == self)
			return true;
		snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
		f = fopen(path, "r");
		if (!f)
			return false;
		p = fgets(line, sizeof(line), f);
		fclose(f);
		/* the name may hold spaces and parentheses: the state follows the last ')' */
		if (!p || !(p = strrchr(line, ')')) || sscanf(p + 1, " %*c %d", &ppid) != 1)
			return false;
		pid = ppid;
	}
	return false;
}

/*
 * Why a permission check failed: -EPERM when Yama's ptrace_scope is what
 * forbids it (1 and not a descendant, 2 without CAP_SYS_PTRACE, 3), so
 * that the caller can name the setting; -EACCES otherwise (another user's
 * process, or one that is not dumpable).
 */
static int permission_error(pid_t pid)
{
	char path[64];
	struct stat st;
	long scope;

	snprintf(path, sizeof(path), "/proc/%d", (int)pid);
	if (stat(path, &st) < 0)
		return errno == ENOENT ? -ESRCH : -EACCES;
	if (geteuid() != 0 && st.st_uid != geteuid())
		return -EACCES;
	scope = 0;
	{
		FILE *f = fopen(RS_YAMA_PATH, "r");

		if (f) {
			if (fscanf(f, "%ld", &scope) != 1)
				scope = 0;
			fclose(f);
		}
	}
	if (scope >= 2 || (scope == 1 && !is_descendant(pid)))
		return -EPERM;
	return -EACCES;
}

static int map_errno(int err, pid_t pid)
{
	switch (err) {
	case ENOENT:
	case ESRCH:
		return -ESRCH;
	case EACCES:
	case EPERM:
		return permission_error(pid);
	default:
		return -err;
	}
}

/* Reads the syscall file into text (NUL-terminated): its length or -errno. */
static int read_text(int fd, pid_t pid, char *text)
{
	ssize_t n;

	do
		n = pread(fd, text, RS_TEXT - 1, 0);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return map_errno(errno, pid);
	if (n == 0)
		return -ESRCH; /* the thread has been reaped: the file reads empty */
	text[n] = '\0';
	return (int)n;
}

/* "NR a1 .. a6 sp pc" or "-1 sp pc"; "running" (or anything else) is -EAGAIN. */
static int parse_text(const char *text, struct remote_capture *out)
{
	uint64_t v[9];
	const char *p = text;
	char *end;
	int n = 0;
	long nr;

	errno = 0;
	nr = strtol(p, &end, 10);
	if (end == p || errno)
		return -EAGAIN;
	for (p = end; n < 9; p = end) {
		while (*p == ' ')
			p++;
		if (*p == '\n' || !*p)
			break;
		v[n] = strtoull(p, &end, 0);
		if (end == p)
			return -EAGAIN;
		n++;
	}
	if (n != 8 && n != 2)
		return -EAGAIN;
	if (nr < 0 && !v[0] && !v[1])
		return -ESRCH; /* "-1 0x0 0x0": no stack any more, the thread has exited */
	out->syscall = nr < 0 ? -1 : nr;
	out->sp = v[n - 2];
	out->ip = v[n - 1];
	return 0;
}

/*
 * Copies [sp, sp + max) page by page, stopping at the first page that
 * cannot be read. Through the thread, not the process: a process whose
 * first thread has exited has no memory under its pid.
 */
static int copy_stack(pid_t pid, pid_t tid, uint64_t sp, uint8_t *buf, size_t max, size_t *got)
{
	struct iovec local, remote[RS_BATCH];
	size_t done = 0;

	*got = 0;
	while (done < max) {
		uint64_t at = sp + done;
		size_t want = 0;
		ssize_t n;
		int k;

		for (k = 0; k < RS_BATCH && done + want < max; k++) {
			uint64_t a = at + want;
			size_t len = RS_PAGE - (size_t)(a % RS_PAGE);

			if (len > max - done - want)
				len = max - done - want;
			remote[k].iov_base = (void *)(uintptr_t)a;
			remote[k].iov_len = len;
			want += len;
		}
		local.iov_base = buf + done;
		local.iov_len = want;
		do
			n = process_vm_readv(tid, &local, 1, remote, (unsigned long)k, 0);
		while (n < 0 && errno == EINTR);
		if (n < 0) {
			if (errno == EFAULT)
				break; /* the page at `at` is not mapped: the stack ends there */
			return map_errno(errno, pid);
		}
		done += (size_t)n;
		if ((size_t)n < want)
			break;
	}
	*got = done;
	return 0;
}

static int open_text(pid_t pid, pid_t tid)
{
	char path[80];
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/syscall", (int)pid, (int)tid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	return fd < 0 ? map_errno(errno, pid) : fd;
}

static int read_once(struct remotestack *rs, pid_t pid, pid_t tid, uint8_t *buf, size_t max,
		     struct remote_capture *out, bool *cached)
{
	char before[RS_TEXT], after[RS_TEXT];
	struct rs_slot *s = slot_find(rs, tid);
	bool keep = true;
	int fd, n1, n2, ret;

	memset(out, 0, sizeof(*out));
	*cached = false;
	if (s && s->pid != pid) {
		slot_remove(rs, s); /* the tid was reused by another process */
		s = NULL;
	}
	if (s) {
		fd = s->fd;
		*cached = true;
	} else {
		fd = open_text(pid, tid);
		if (fd < 0)
			return fd;
		keep = rs->nr < RS_MAX_OPEN;
		if (keep)
			slot_put(rs, pid, tid, fd);
	}
	out->begin_ns = mono_ns();
	n1 = read_text(fd, pid, before);
	if (n1 < 0) {
		ret = n1;
		goto out;
	}
	ret = parse_text(before, out);
	if (ret < 0)
		goto out;
	ret = copy_stack(pid, tid, out->sp, buf, max, &out->size);
	if (ret < 0)
		goto out;
	n2 = read_text(fd, pid, after);
	out->end_ns = mono_ns();
	if (n2 < 0)
		ret = n2;
	else if (n1 != n2 || memcmp(before, after, (size_t)n1))
		ret = -EAGAIN; /* it ran while the stack was copied */
out:
	if (!out->end_ns)
		out->end_ns = mono_ns();
	if (ret == -ESRCH && keep)
		remotestack_forget(rs, tid);
	else if (!keep)
		close(fd);
	return ret;
}

int remotestack_read(struct remotestack *rs, pid_t pid, pid_t tid, uint8_t *buf, size_t max,
		     struct remote_capture *out)
{
	bool cached;
	int ret;

	if (pid <= 0 || tid <= 0) {
		memset(out, 0, sizeof(*out));
		return -EINVAL;
	}
	ret = read_once(rs, pid, tid, buf, max, out, &cached);
	/* the file kept open was an ended thread's: its number may be another's now */
	if (ret == -ESRCH && cached)
		ret = read_once(rs, pid, tid, buf, max, out, &cached);
	return ret;
}
