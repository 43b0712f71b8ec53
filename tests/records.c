// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A data file's records in memory, for unit tests (see records.h).
 */
#include "records.h"
#include "store/datafile.h"

#include <stdlib.h>
#include <string.h>

int records_read(const char *path, struct records *out)
{
	struct data_reader *r;
	struct data_record rec;
	const char *detail = NULL;
	int ret;

	memset(out, 0, sizeof(*out));
	if (data_reader_open(path, &r, &detail) < 0)
		return -1;
	while ((ret = data_reader_next(r, &rec, &detail)) > 0) {
		struct rec_header *copy = malloc(rec.rec->size);

		memcpy(copy, rec.rec, rec.rec->size);
		out->v = realloc(out->v, (out->n + 1) * sizeof(*out->v));
		out->v[out->n++] = copy;
	}
	data_reader_close(r);
	return ret;
}

void records_free(struct records *rs)
{
	for (size_t i = 0; i < rs->n; i++)
		free(rs->v[i]);
	free(rs->v);
	memset(rs, 0, sizeof(*rs));
}

void records_put_fork(struct data_writer *w, uint32_t pid, uint32_t ppid, uint64_t time)
{
	struct rec_task *r = data_writer_reserve(w, sizeof(*r));

	if (!r)
		return;
	memset(r, 0, sizeof(*r));
	r->h.type = REC_FORK;
	r->h.size = sizeof(*r);
	r->pid = r->tid = pid;
	r->ppid = r->ptid = ppid;
	r->time = time;
	data_writer_commit(w, time);
}

void records_put_comm(struct data_writer *w, uint32_t pid, uint32_t tid, uint64_t time,
		      const char *name, bool exec)
{
	size_t size = record_size(sizeof(struct rec_comm), strlen(name) + 1);
	struct rec_comm *r = data_writer_reserve(w, size);

	if (!r)
		return;
	memset(r, 0, size);
	r->h.type = REC_COMM;
	r->h.misc = exec;
	r->h.size = (uint32_t)size;
	r->pid = pid;
	r->tid = tid;
	r->time = time;
	strcpy((char *)(r + 1), name);
	data_writer_commit(w, time);
}
