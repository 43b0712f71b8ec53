// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Creating user-named files safely (see safefile.h).
 */
#include "util/safefile.h"
#include "util/alloc.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statfs.h>
#include <unistd.h>

#define MAX_LINKS 40 /* as the kernel's MAXSYMLINKS */

void safe_dir_close(struct safe_dir *d)
{
	if (d->fd >= 0)
		close(d->fd);
	d->fd = -1;
	FREE_AND_NULL(d->name);
}

/* Whether others may plant entries in the directory dst: sticky and world-writable. */
static bool shared_sticky(const struct stat *dst)
{
	return (dst->st_mode & S_ISVTX) && (dst->st_mode & S_IWOTH);
}

static int check_entry(int dirfd, const struct stat *st)
{
	struct stat dst;

	if (fstat(dirfd, &dst) < 0)
		return -errno;
	if (!shared_sticky(&dst) || st->st_uid == geteuid() || st->st_uid == dst.st_uid)
		return 0;
	return -EPERM;
}

int safe_dir_check_entry(const struct safe_dir *d, const struct stat *st)
{
	return d->magic ? 0 : check_entry(d->fd, st);
}

static bool on_procfs(int fd)
{
	struct statfs sfs;

	return fstatfs(fd, &sfs) == 0 && sfs.f_type == PROC_SUPER_MAGIC;
}

/* The target of the link name in dirfd, allocated, or NULL with errno set. */
static char *read_link(int dirfd, const char *name, size_t hint)
{
	size_t size = hint + 1 > 64 ? hint + 1 : 64;

	for (;;) {
		char *buf = xmalloc(size);
		ssize_t n = readlinkat(dirfd, name, buf, size);

		if (n < 0) {
			free(buf);
			return NULL;
		}
		if ((size_t)n < size) {
			buf[n] = '\0';
			return buf;
		}
		free(buf);
		if (size > 65536) {
			errno = ENAMETOOLONG;
			return NULL;
		}
		size *= 2;
	}
}

/* Replaces *fd by a descriptor of "/" (an absolute link) or of dir's entry name. */
static int step(int *fd, const char *name, int flags)
{
	int nfd = name ? openat(*fd, name, O_PATH | O_DIRECTORY | O_CLOEXEC | flags)
		       : open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);

	if (nfd < 0)
		return -errno;
	close(*fd);
	*fd = nfd;
	return 0;
}

int safe_dir_open(const char *path, bool follow_last, struct safe_dir *d)
{
	char *buf, *p, *comp;
	int links = 0, ret;

	d->fd = -1;
	d->name = NULL;
	d->magic = false;
	if (!*path)
		return -ENOENT;
	d->fd = open(path[0] == '/' ? "/" : ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (d->fd < 0)
		return -errno;
	buf = xstrdup(path);
	p = buf;
	for (;;) {
		char *rest, *target, *next;
		struct stat st;
		bool last;

		comp = p;
		while (*comp == '/')
			comp++;
		if (!*comp) {
			comp = "."; /* "/" */
			rest = "";
		} else {
			rest = strchr(comp, '/');
			if (rest) {
				*rest++ = '\0';
				while (*rest == '/')
					rest++;
			} else {
				rest = comp + strlen(comp);
			}
		}
		last = !*rest;
		if (fstatat(d->fd, comp, &st, AT_SYMLINK_NOFOLLOW) < 0) {
			ret = -errno;
			if (ret == -ENOENT && last)
				break; /* to be created */
			goto fail;
		}
		if (S_ISLNK(st.st_mode) && (!last || follow_last)) {
			ret = check_entry(d->fd, &st);
			if (ret)
				goto fail;
			ret = -ELOOP;
			if (++links > MAX_LINKS)
				goto fail;
			if (on_procfs(d->fd)) {
				/* /proc/self, /proc/self/fd/N: the kernel knows where they lead */
				if (last) {
					d->magic = true;
					break;
				}
				ret = step(&d->fd, comp, 0);
				if (ret)
					goto fail;
				p = rest;
				continue;
			}
			target = read_link(d->fd, comp, (size_t)st.st_size);
			if (!target) {
				ret = -errno;
				goto fail;
			}
			if (target[0] == '/' && (ret = step(&d->fd, NULL, 0))) {
				free(target);
				goto fail;
			}
			next = xasprintf("%s%s%s", target, *rest ? "/" : "", rest);
			free(target);
			free(buf);
			buf = p = next;
			continue;
		}
		if (last)
			break;
		ret = step(&d->fd, comp, O_NOFOLLOW);
		if (ret)
			goto fail;
		p = rest;
	}
	d->name = xstrdup(comp);
	free(buf);
	return 0;
fail:
	free(buf);
	safe_dir_close(d);
	return ret;
}

int safe_create(const char *path, int flags, mode_t mode)
{
	int oflags = O_WRONLY | O_CREAT | O_CLOEXEC | O_NOCTTY | (flags & (O_APPEND | O_EXCL));
	struct safe_dir d;
	struct stat st;
	int fd, ret;

	ret = safe_dir_open(path, true, &d);
	if (ret)
		return ret;
	if (!d.magic) {
		oflags |= O_NOFOLLOW;
		/* before opening: a FIFO that another user planted must not block us */
		if (fstatat(d.fd, d.name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
		    (ret = safe_dir_check_entry(&d, &st)))
			goto out;
	}
	fd = openat(d.fd, d.name, oflags, mode);
	if (fd < 0) {
		ret = -errno;
		goto out;
	}
	/* what was opened, should it have been replaced since */
	if (fstat(fd, &st) < 0)
		ret = -errno;
	else
		ret = safe_dir_check_entry(&d, &st);
	if (ret)
		close(fd);
	else
		ret = fd;
out:
	safe_dir_close(&d);
	return ret;
}

int safe_mkdir(const char *path)
{
	struct safe_dir d;
	struct stat st;
	int ret;

	ret = safe_dir_open(path, true, &d);
	if (ret)
		return ret;
	if (mkdirat(d.fd, d.name, 0700) == 0)
		goto out;
	ret = -errno;
	if (ret != -EEXIST)
		goto out;
	if (fstatat(d.fd, d.name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		ret = -errno;
	else if (!S_ISDIR(st.st_mode))
		ret = -ENOTDIR;
	else if (st.st_uid != geteuid() || (st.st_mode & (S_IWGRP | S_IWOTH)))
		ret = -EPERM;
	else
		ret = 0;
out:
	safe_dir_close(&d);
	return ret;
}
