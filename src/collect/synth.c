// SPDX-License-Identifier: GPL-2.0-or-later
#include "collect/synth.h"
#include "resolve/elf.h"
#include "util/alloc.h"

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>

/* what the kernel appends to the name of a file deleted while mapped */
#define DELETED " (deleted)"

static int write_mmap(struct data_writer *w, pid_t pid, uint64_t time, uint64_t start,
		      uint64_t end, uint64_t pgoff, const char *perms, const char *path)
{
	size_t nlen = strlen(path);
	struct rec_mmap *m = data_writer_reserve(w, record_size(sizeof(*m), nlen + 1));
	uint8_t bid[BUILD_ID_MAX];
	int n;

	if (!m)
		return data_writer_error(w);
	m->h.type = REC_MMAP;
	m->pid = m->tid = (uint32_t)pid;
	m->time = time;
	m->start = start;
	m->len = end - start;
	m->pgoff = pgoff;
	m->prot = (perms[0] == 'r' ? PROT_READ : 0) | (perms[1] == 'w' ? PROT_WRITE : 0) |
		  (perms[2] == 'x' ? PROT_EXEC : 0);
	m->flags = perms[3] == 's' ? MAP_SHARED : MAP_PRIVATE;
	if (path[0] == '/') {
		n = elf_file_build_id(path, bid, sizeof(bid));
		if (n <= 0 && nlen > strlen(DELETED) &&
		    !strcmp(path + nlen - strlen(DELETED), DELETED)) {
			/*
			 * Deleted while mapped (a library an upgrade replaced):
			 * the mapping still reaches the file, so that a report
			 * can tell whether the file now at the path is the same
			 * build.
			 */
			char link[96];

			snprintf(link, sizeof(link), "/proc/%d/map_files/%" PRIx64 "-%" PRIx64,
				 (int)pid, start, end);
			n = elf_file_build_id(link, bid, sizeof(bid));
		}
		if (n > 0 && n <= BUILD_ID_MAX) {
			m->build_id_len = (uint8_t)n;
			memcpy(m->build_id, bid, (size_t)n);
		}
	}
	memcpy(m + 1, path, nlen);
	return data_writer_commit(w, time);
}

static int write_comm(struct data_writer *w, pid_t pid, pid_t tid, uint64_t time)
{
	char path[64], name[64] = "";
	struct rec_comm *c;
	size_t nlen;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/comm", (int)pid, (int)tid);
	f = fopen(path, "r");
	if (!f)
		return 0; /* gone meanwhile */
	if (!fgets(name, sizeof(name), f))
		name[0] = '\0';
	fclose(f);
	name[strcspn(name, "\n")] = '\0';
	nlen = strlen(name);
	c = data_writer_reserve(w, record_size(sizeof(*c), nlen + 1));
	if (!c)
		return data_writer_error(w);
	c->h.type = REC_COMM;
	c->pid = (uint32_t)pid;
	c->tid = (uint32_t)tid;
	c->time = time;
	memcpy(c + 1, name, nlen);
	return data_writer_commit(w, time);
}

int synth_process(struct data_writer *w, pid_t pid, uint64_t time)
{
	char path[64], line[4096 + 256];
	struct dirent *de;
	FILE *f;
	DIR *d;
	int ret = 0;

	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return errno == ENOENT ? -ESRCH : -errno;
	while (ret == 0 && fgets(line, sizeof(line), f)) {
		uint64_t start, end, pgoff;
		char perms[8], file[4096];
		int n = 0;

		file[0] = '\0';
		if (sscanf(line, "%" SCNx64 "-%" SCNx64 " %7s %" SCNx64 " %*s %*s %n", &start, &end,
			   perms, &pgoff, &n) < 4)
			continue;
		if (n > 0 && sscanf(line + n, "%4095[^\n]", file) != 1)
			file[0] = '\0';
		/* code is all a profile needs: executable mappings, and the vDSO */
		if (perms[2] != 'x' || !file[0])
			continue;
		ret = write_mmap(w, pid, time, start, end, pgoff, perms, file);
	}
	fclose(f);
	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	d = opendir(path);
	if (!d)
		return ret;
	while (ret == 0 && (de = readdir(d))) {
		char *endp;
		long tid = strtol(de->d_name, &endp, 10);

		if (*endp || endp == de->d_name)
			continue;
		ret = write_comm(w, pid, (pid_t)tid, time);
	}
	closedir(d);
	return ret;
}

/* The parent of process pid from /proc, or -1 when it is gone. */
static pid_t parent_of(pid_t pid)
{
	char path[64], buf[512];
	const char *paren;
	int ppid;
	size_t n;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	/* the command name, in parentheses, may hold anything: its last ')' ends it */
	paren = strrchr(buf, ')');
	if (!paren || sscanf(paren + 1, " %*c %d", &ppid) != 1)
		return -1;
	return (pid_t)ppid;
}

int synth_process_tree(struct data_writer *w, pid_t pid, uint64_t time)
{
	pid_t *all = NULL, *parent = NULL, *tree;
	size_t n = 0, alloc = 0, ntree = 0;
	struct dirent *de;
	DIR *d = opendir("/proc");
	int ret;

	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		char *endp;
		long p = strtol(de->d_name, &endp, 10);

		if (*endp || endp == de->d_name || p == pid)
			continue;
		xgrow(&all, &alloc, n + 1, sizeof(*all));
		all[n++] = (pid_t)p;
	}
	closedir(d);
	parent = xcalloc(n + 1, sizeof(*parent));
	for (size_t i = 0; i < n; i++)
		parent[i] = parent_of(all[i]);
	/* breadth first: every process whose parent is in the tree joins it */
	tree = xcalloc(n + 1, sizeof(*tree));
	tree[ntree++] = pid;
	for (size_t k = 0; k < ntree; k++)
		for (size_t i = 0; i < n; i++)
			if (parent[i] == tree[k]) {
				tree[ntree++] = all[i];
				parent[i] = -1;
			}
	ret = synth_process(w, pid, time);
	for (size_t k = 1; k < ntree && (ret == 0 || ret == -ESRCH || ret == -EACCES); k++)
		ret = synth_process(w, tree[k], time);
	if (ret == -EACCES || (ret == -ESRCH && ntree > 1))
		ret = 0; /* a child exited meanwhile, or is not ours to read */
	free(all);
	free(parent);
	free(tree);
	return ret;
}

/* Thread names only, of every process: a quick pass, no maps. */
int synth_all_comms(struct data_writer *w, uint64_t time)
{
	struct dirent *de, *te;
	DIR *d = opendir("/proc"), *td;
	char path[64];
	int ret = 0;

	if (!d)
		return -errno;
	while (ret == 0 && (de = readdir(d))) {
		char *endp;
		long pid = strtol(de->d_name, &endp, 10);

		if (*endp || endp == de->d_name)
			continue;
		snprintf(path, sizeof(path), "/proc/%ld/task", pid);
		td = opendir(path);
		if (!td)
			continue; /* exited meanwhile */
		while (ret == 0 && (te = readdir(td))) {
			long tid = strtol(te->d_name, &endp, 10);

			if (*endp || endp == te->d_name)
				continue;
			ret = write_comm(w, (pid_t)pid, (pid_t)tid, time);
		}
		closedir(td);
	}
	closedir(d);
	return ret;
}

int synth_all_processes(struct data_writer *w, uint64_t time)
{
	struct dirent *de;
	DIR *d = opendir("/proc");
	int ret = 0;

	if (!d)
		return -errno;
	while (ret == 0 && (de = readdir(d))) {
		char *endp;
		long pid = strtol(de->d_name, &endp, 10);

		if (*endp || endp == de->d_name)
			continue;
		ret = synth_process(w, (pid_t)pid, time);
		if (ret == -ESRCH || ret == -EACCES)
			ret = 0; /* exited meanwhile, or not ours to read */
	}
	closedir(d);
	return ret;
}

int synth_vdso(struct data_writer *w)
{
	static const char name[] = "[vdso]";
	struct rec_image *im;
	size_t size, name_pad = (sizeof(name) + 7) & ~(size_t)7;
	uint8_t bid[BUILD_ID_MAX];
	size_t blen = 0;
	const void *base;

	if (!elf_own_vdso(&base, &size, bid, sizeof(bid), &blen))
		return 0; /* no vDSO on this system */
	im = data_writer_reserve(w, record_size(sizeof(*im), name_pad + size));
	if (!im)
		return data_writer_error(w);
	im->h.type = REC_IMAGE;
	im->size = (uint32_t)size;
	im->name_len = sizeof(name);
	im->build_id_len = (uint8_t)(blen <= BUILD_ID_MAX ? blen : 0);
	memcpy(im->build_id, bid, im->build_id_len);
	memcpy(im + 1, name, sizeof(name));
	memcpy((uint8_t *)(im + 1) + name_pad, base, size);
	return data_writer_commit(w, 0);
}
