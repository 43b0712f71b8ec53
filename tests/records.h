/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * For unit tests and benchmarks that write a data file and look at what
 * it holds: writers of the thread records a test makes up, and every
 * record of a file copied into memory in file order. records_free() frees
 * what records_read() copied.
 */
#ifndef PMUPROF_TEST_RECORDS_H
#define PMUPROF_TEST_RECORDS_H

#include "store/format.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct data_writer;

struct records {
	struct rec_header **v;
	size_t n;
};

/* 0 when the whole file was read; -1 when it cannot be opened, or the reader's -errno. */
int records_read(const char *path, struct records *out);
void records_free(struct records *rs);

/* A REC_FORK of process pid (its main thread) from ppid. */
void records_put_fork(struct data_writer *w, uint32_t pid, uint32_t ppid, uint64_t time);
/* A REC_COMM naming thread tid of pid; exec: the name comes with an exec. */
void records_put_comm(struct data_writer *w, uint32_t pid, uint32_t tid, uint64_t time,
		      const char *name, bool exec);

#endif
