/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Reading the one-value files of /proc and /sys (sysctls, ids), and
 * opening the files that reports read (objects, debug files) safely.
 */
#ifndef PMUPROF_PROC_H
#define PMUPROF_PROC_H

#include "util/compiler.h"

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>
#include <sys/types.h>

/* The number at the start of the file, or dflt when it cannot be read. */
long proc_read_long(const char *path, long dflt);
/* The first line without its newline; false when the file cannot be read. */
bool proc_read_line(const char *path, char *buf, size_t size);
/* The CPU time of a process from /proc/PID/stat (utime + stime) in seconds, or -1. */
double proc_cpu_seconds(pid_t pid);

/*
 * Opens a regular file for reading: the descriptor, or -errno (-ENOEXEC
 * when it is not a regular file). O_NONBLOCK, so that a FIFO planted where
 * a library was cannot hang a report; the type is checked before opening
 * (with stat(): a device or a FIFO is never opened; nor is a file of /proc
 * or /sys), and the file opened must be the one checked. st, when not NULL,
 * gets its fstat().
 */
int file_open_regular(const char *path, struct stat *st);

#endif
