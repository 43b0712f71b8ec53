/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Address spaces over time, rebuilt from the recorded MMAP, COMM (exec) and
 * FORK records: which object was mapped at an address of a process when a
 * sample was taken. Records from different CPUs reach the file out of time
 * order, so all of them are loaded first and every lookup says its time.
 *
 * Objects (struct dso) are shared by every process that maps the same file
 * and are opened for symbols once, on first use.
 */
#ifndef PMUPROF_MAPS_H
#define PMUPROF_MAPS_H

#include "store/format.h"
#include "util/compiler.h"

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct elf_object;
struct jit_syms;

struct dso {
	char *path;	  /* as mapped: "/usr/lib/x86_64-linux-gnu/libc.so.6", "[vdso]" */
	const char *file; /* where it is read: path, or path without " (deleted)" (below) */
	const char *name; /* the basename, for reports */
	uint8_t build_id[BUILD_ID_MAX];
	uint8_t build_id_len;
	struct elf_object *obj; /* NULL until opened, or when it cannot be */
	bool opened;		/* tried to open */
	int open_err;		/* why obj is NULL */
	bool changed;		/* the file on disk no longer has the recorded build-id */
	bool no_file;		/* memory no file holds: [heap], //anon, a memfd (see below) */
	bool deleted;		/* the path ends in " (deleted)": removed while mapped */
	const uint8_t *image;	/* bytes stored in the data file (the vDSO), or NULL */
	size_t image_size;
	uint32_t id;		/* its index, a small key for caches */
	struct jit_syms *jit;	/* JIT code of one process (resolve/jit.h): names, no file */
	struct cfi *cfi;	/* unwind information, NULL until opened or when none */
	bool cfi_opened;
	int cfi_err;		/* why cfi is NULL */
	/* set once obj (and opened, open_err, changed, file) or cfi is final: see dso_object() */
	atomic_bool obj_ready, cfi_ready;
};

struct map {
	uint64_t start, end, pgoff, time;
	struct dso *dso;
};

struct maps;

struct maps *maps_new(void);
void maps_free(struct maps *m);

void maps_add_mmap(struct maps *m, const struct rec_mmap *r, const char *filename);
void maps_add_exec(struct maps *m, uint32_t pid, uint64_t time);
void maps_add_fork(struct maps *m, uint32_t pid, uint32_t ppid, uint64_t time);
/* An object whose bytes the file carries; `image` must outlive the maps. */
void maps_add_image(struct maps *m, const char *name, const uint8_t *build_id,
		    uint8_t build_id_len, const uint8_t *image, size_t size);
/*
 * Names for the JIT code of process pid (from its perf map or jitdump),
 * as an object of their own, named `name` in reports ("perf-PID.map"):
 * the maps own syms from then on. Frames in that code have no CFI and
 * unwind by frame pointer. One per process; a second call replaces the
 * names.
 */
void maps_add_jit(struct maps *m, uint32_t pid, const char *name, struct jit_syms *syms);
/* Sorts what was added; call once before the first lookup. */
void maps_finish(struct maps *m);

/* The mapping of `addr` in process `pid` at `time`, or NULL. */
const struct map *maps_find(const struct maps *m, uint32_t pid, uint64_t addr, uint64_t time);

/*
 * The last process maps_find_at() looked up: consecutive lookups are
 * mostly of one process (every frame of a stack), and finding a process
 * by its pid was a tenth of a report's time. One per thread; zeroed to
 * start.
 */
struct maps_cursor {
	const void *pm; /* its maps, or NULL */
	uint32_t pid;
	bool set;
};

/* maps_find() through a cursor. */
const struct map *maps_find_at(const struct maps *m, struct maps_cursor *c, uint32_t pid,
			       uint64_t addr, uint64_t time);

/*
 * The JIT object of process pid when its names hold addr (an address that
 * no file maps there, or anonymous memory), else NULL.
 */
struct dso *maps_find_jit(const struct maps *m, struct maps_cursor *c, uint32_t pid,
			  uint64_t addr);

/* The processes the recording named (in order of first mention), for their JIT files. */
size_t maps_npids(const struct maps *m);
uint32_t maps_pid(const struct maps *m, size_t i);

/*
 * Opens the object's symbols (its stored image, or the file with a build-id
 * check) on first use; returns it or NULL (see dso->open_err). An object
 * with no_file set is never looked for on disk (-ENOENT): names in
 * brackets ([heap], [anon:name]), "//anon", and the files of the kernel's
 * internal mounts, which no path reaches: "/memfd:name" (memfd_create),
 * and, deleted, "/dev/zero" (shared anonymous memory), "/SYSV..." (System
 * V shared memory), "/anon_hugepage" and "/[aio]".
 *
 * An object deleted while mapped ("path (deleted)": a library replaced by
 * an upgrade) is read from path when the file there now has the recorded
 * build-id (the same build reinstalled), and file then names it; without
 * a recorded build-id, or with another, it cannot be read (-ENOENT).
 *
 * dso_object() and dso_cfi() may be called from several threads at once;
 * the fields they set are final, for the thread that called them, when
 * they return. Nothing else in here may be called while threads read.
 */
struct elf_object *dso_object(struct dso *d);

/*
 * The object's GNU build-id: the recorded one, else the one its file (or
 * stored image) has, opened as dso_object() opens it. Copies it to buf and
 * returns its length; 0 when neither is known or it is longer than max.
 */
size_t dso_build_id(struct dso *d, uint8_t *buf, size_t max);

/*
 * Opens the object's call frame information on first use; returns it or
 * NULL (see dso->cfi_err). An object whose build-id changed gives NULL
 * with -ESTALE: its rules would unwind garbage.
 */
struct cfi *dso_cfi(struct dso *d);

/* Iterates the objects, for warnings about missing or changed files. */
size_t maps_ndsos(const struct maps *m);
struct dso *maps_dso(const struct maps *m, size_t i);

#endif
