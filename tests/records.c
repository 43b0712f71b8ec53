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
