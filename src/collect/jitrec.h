/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * JIT files into the recording: the names of JIT-compiled code live in
 * files the runtime writes beside the program, /tmp/perf-PID.map and
 * jit-PID.dump (resolve/jit.h), which are often gone by the time of a
 * report (deleted by a clean-up, or of a container that is gone). The
 * recorder copies each profiled process's files into the data file as
 * REC_IMAGE records (IMAGE_PERF_MAP, IMAGE_JITDUMP) when the process
 * exits and, for the processes still running, when recording ends; a
 * process's files are stored once. A jitdump is found through the
 * mapping of it that the runtime makes for this purpose (its marker): in
 * the mapping records, or in /proc/PID/maps of a process that still runs
 * (one that mapped it before recording began).
 *
 * Called by perfrec on the writer thread, then at the end by the caller
 * (after recwriter_finish()). Functions return 0 or the writer's error,
 * and never print; a file that is missing or cannot be read is not an
 * error (most processes have none).
 */
#ifndef PMUPROF_JITREC_H
#define PMUPROF_JITREC_H

#include "store/datafile.h"
#include "util/hash.h"

#include <stdbool.h>
#include <stdint.h>

struct jitrec {
	struct hash index; /* pid -> procs */
	struct jitrec_proc *procs;
	size_t nprocs, aprocs;
	size_t last; /* the latest sample's process, in procs */
	bool have_last;
	uint64_t stored; /* files copied into the recording */
};

void jitrec_init(struct jitrec *jr);
void jitrec_release(struct jitrec *jr);
/* A process was sampled: its files are stored at the end if not before. */
void jitrec_note_pid(struct jitrec *jr, uint32_t pid);
/* A mapping of process pid; when it is a jitdump's marker, the dump is remembered. */
void jitrec_note_mmap(struct jitrec *jr, uint32_t pid, const char *filename);
/* Process pid exited: stores its files now (before its pid can be reused). */
int jitrec_store_pid(struct jitrec *jr, struct data_writer *w, uint32_t pid, uint64_t time);
/*
 * Stores the files of every process noted and not stored yet. The caller
 * writes jr->stored as the statistic "jit-files", whose presence tells a
 * reader that the recorder looked for them, after the others.
 */
int jitrec_store_all(struct jitrec *jr, struct data_writer *w, uint64_t time);

#endif
