/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * For unit tests that write a data file and look at what it holds: every
 * record of a file, copied into memory in file order. records_free()
 * frees what records_read() copied.
 */
#ifndef PMUPROF_TEST_RECORDS_H
#define PMUPROF_TEST_RECORDS_H

#include "store/format.h"

#include <stddef.h>

struct records {
	struct rec_header **v;
	size_t n;
};

/* 0 when the whole file was read; -1 when it cannot be opened, or the reader's -errno. */
int records_read(const char *path, struct records *out);
void records_free(struct records *rs);

#endif
