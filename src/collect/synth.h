/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the kernel does not tell a recorder that attaches late: the memory
 * maps and thread names a process already has, read from /proc and written
 * as REC_MMAP and REC_COMM records (with build-ids read from the files),
 * and the vDSO image, which exists in no file.
 *
 * Build-ids come from resolve/elf.h: the one allowed call against the
 * pipeline's direction (collect/ may use resolve's leaf readers, which
 * depend on nothing above util/).
 */
#ifndef PMUPROF_SYNTH_H
#define PMUPROF_SYNTH_H

#include "store/datafile.h"

#include <sys/types.h>

/* Maps and thread names of process pid (all its threads). */
int synth_process(struct data_writer *w, pid_t pid, uint64_t time);
/*
 * Maps and thread names of process pid and of every process descended
 * from it (its children, theirs...), as they are now: what a file that
 * starts in the middle of a recording needs of a workload that forked.
 */
int synth_process_tree(struct data_writer *w, pid_t pid, uint64_t time);
/*
 * The names of every thread on the system, without maps: quick enough to
 * run just before the events are turned on (for -a), so that a process
 * that exits before the full scan still names the children it forked.
 */
int synth_all_comms(struct data_writer *w, uint64_t time);
/* Every process on the system (for -a). */
int synth_all_processes(struct data_writer *w, uint64_t time);
/* pmuprof's own vDSO, the same image every process of this kernel maps. */
int synth_vdso(struct data_writer *w);

#endif
