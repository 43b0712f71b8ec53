/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Reading the one-value files of /proc and /sys (sysctls, ids).
 */
#ifndef PMUPROF_PROC_H
#define PMUPROF_PROC_H

#include "util/compiler.h"

#include <stdbool.h>
#include <stddef.h>

/* The number at the start of the file, or dflt when it cannot be read. */
long proc_read_long(const char *path, long dflt);
/* The first line without its newline; false when the file cannot be read. */
bool proc_read_line(const char *path, char *buf, size_t size);

#endif
