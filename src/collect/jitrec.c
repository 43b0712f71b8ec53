// SPDX-License-Identifier: GPL-2.0-or-later
#include "collect/jitrec.h"
#include "resolve/jit.h"
#include "util/alloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct jitrec_proc {
	uint32_t pid;
	bool stored;
	char **dumps; /* the jitdumps it mapped */
	size_t ndumps, adumps;
};

void jitrec_init(struct jitrec *jr)
{
	memset(jr, 0, sizeof(*jr));
	hash_init(&jr->index);
}

void jitrec_release(struct jitrec *jr)
{
	for (size_t i = 0; i < jr->nprocs; i++) {
		for (size_t k = 0; k < jr->procs[i].ndumps; k++)
			free(jr->procs[i].dumps[k]);
		free(jr->procs[i].dumps);
	}
	free(jr->procs);
	hash_release(&jr->index);
	memset(jr, 0, sizeof(*jr));
}

static struct jitrec_proc *proc_of(struct jitrec *jr, uint32_t pid)
{
	int added;
	size_t i;

	if (jr->have_last && jr->procs[jr->last].pid == pid)
		return &jr->procs[jr->last];
	i = hash_get(&jr->index, &pid, sizeof(pid), jr->nprocs, &added);
	if (added) {
		xgrow(&jr->procs, &jr->aprocs, jr->nprocs + 1, sizeof(*jr->procs));
		memset(&jr->procs[i], 0, sizeof(jr->procs[i]));
		jr->procs[i].pid = pid;
		jr->nprocs++;
	}
	jr->last = i;
	jr->have_last = true;
	return &jr->procs[i];
}

void jitrec_note_pid(struct jitrec *jr, uint32_t pid)
{
	if (pid && pid != UINT32_MAX)
		proc_of(jr, pid);
}

void jitrec_note_mmap(struct jitrec *jr, uint32_t pid, const char *filename)
{
	struct jitrec_proc *p;
	uint32_t dump_pid;

	if (!jit_dump_name(filename, &dump_pid))
		return;
	p = proc_of(jr, pid);
	for (size_t k = 0; k < p->ndumps; k++)
		if (!strcmp(p->dumps[k], filename))
			return;
	xgrow(&p->dumps, &p->adumps, p->ndumps + 1, sizeof(*p->dumps));
	p->dumps[p->ndumps++] = xstrdup(filename);
}

/* One file as a REC_IMAGE record; a file that cannot be read is left out. */
static int store_file(struct jitrec *jr, struct data_writer *w, uint32_t pid, uint16_t kind,
		      const char *path, uint64_t time)
{
	size_t nlen = strlen(path) + 1, npad = (nlen + 7) & ~(size_t)7, len;
	struct rec_image *im;
	uint8_t *buf;
	bool cut;

	if (nlen > UINT16_MAX || jit_file_read(path, &buf, &len, &cut) < 0)
		return 0;
	im = data_writer_reserve(w, record_size(sizeof(*im), npad + len));
	if (!im) {
		free(buf);
		return data_writer_error(w);
	}
	im->h.type = REC_IMAGE;
	im->h.misc = kind;
	im->size = (uint32_t)len;
	im->name_len = (uint16_t)nlen;
	im->pid = pid;
	memcpy(im + 1, path, nlen);
	memcpy((uint8_t *)(im + 1) + npad, buf, len);
	free(buf);
	jr->stored++;
	return data_writer_commit(w, time);
}

/*
 * The jitdumps a running process maps now: those it mapped before
 * recording began (-p, -a) reached the file from /proc, not as records
 * that jitrec_note_mmap() saw. A process that has exited has none.
 */
static void note_mapped_dumps(struct jitrec *jr, struct jitrec_proc *p)
{
	char path[64], line[4096];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%u/maps", p->pid);
	f = fopen(path, "re");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char *name = strchr(line, '/'), *nl;

		if (!name)
			continue;
		nl = strchr(name, '\n');
		if (nl)
			*nl = '\0';
		jitrec_note_mmap(jr, p->pid, name);
	}
	fclose(f);
}

static int store_proc(struct jitrec *jr, struct data_writer *w, struct jitrec_proc *p,
		      uint64_t time)
{
	char path[64];
	int ret;

	if (p->stored)
		return 0;
	p->stored = true;
	note_mapped_dumps(jr, p);
	jit_perf_map_path(path, sizeof(path), p->pid);
	ret = store_file(jr, w, p->pid, IMAGE_PERF_MAP, path, time);
	for (size_t k = 0; ret == 0 && k < p->ndumps; k++)
		ret = store_file(jr, w, p->pid, IMAGE_JITDUMP, p->dumps[k], time);
	return ret;
}

int jitrec_store_pid(struct jitrec *jr, struct data_writer *w, uint32_t pid, uint64_t time)
{
	if (!pid || pid == UINT32_MAX)
		return 0;
	return store_proc(jr, w, proc_of(jr, pid), time);
}

int jitrec_store_all(struct jitrec *jr, struct data_writer *w, uint64_t time)
{
	int ret = 0;

	for (size_t i = 0; ret == 0 && i < jr->nprocs; i++)
		ret = store_proc(jr, w, &jr->procs[i], time);
	return ret;
}
