/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Creating the files a user names for pmuprof to write (-o outputs,
 * recordings, compare's directory), so that another user cannot redirect
 * them: the rules of the kernel's fs.protected_symlinks and
 * fs.protected_regular, applied whatever those sysctls say.
 *
 * In a sticky directory that others may write (/tmp), a symbolic link is
 * followed only when it belongs to the user running pmuprof or to the
 * directory's owner, and an existing file is opened only when it belongs to
 * one of them. Every symbolic link on the way is checked, not only the last
 * one; those of /proc (/dev/stdout, /dev/fd/N) are left to the kernel.
 */
#ifndef PMUPROF_SAFEFILE_H
#define PMUPROF_SAFEFILE_H

#include "util/compiler.h" /* first: config.h defines _GNU_SOURCE (O_PATH) */

#include <stdbool.h>
#include <sys/stat.h>
#include <sys/types.h>

/* The directory of a path's last component, reached by the rules above. */
struct safe_dir {
	int fd;	    /* O_PATH descriptor of the directory */
	char *name; /* the last component, in fd */
	bool magic; /* name is a /proc link: follow it with the kernel */
};

/*
 * Walks to the directory holding path's last component, following and
 * checking symbolic links on the way, and the last component's too when
 * follow_last: 0, or -errno (-EPERM: a link that another user planted,
 * -ELOOP: too many links). safe_dir_close() frees what it got.
 */
int safe_dir_open(const char *path, bool follow_last, struct safe_dir *d);
void safe_dir_close(struct safe_dir *d);

/*
 * Whether the entry st (already there) may be written in the directory d:
 * 0, or -EPERM when the directory is sticky and writable by others and
 * the entry belongs neither to the user nor to the directory's owner.
 * (The kernel says EACCES; EPERM tells these refusals from the others.)
 */
int safe_dir_check_entry(const struct safe_dir *d, const struct stat *st);

/*
 * Opens path for writing (O_WRONLY, close-on-exec, plus O_APPEND or
 * O_EXCL from flags), created with mode less the umask when missing. A
 * regular file is not truncated (O_TRUNC is ignored): the caller checks
 * what it got with fstat() first, then ftruncate()s. The descriptor, or
 * -errno (-EPERM as safe_dir_check_entry()).
 */
int safe_create(const char *path, int flags, mode_t mode);

/*
 * Creates the directory path with mode 0700, or accepts an existing one
 * only when it belongs to the user and neither its group nor others may
 * write it: 0, or -errno (-EPERM: another user's or a writable directory).
 */
int safe_mkdir(const char *path);

#endif
