/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The command layer's side of reading a recording (resolve/session.h,
 * analyse/profile.h's profile_read()): the wording of what can go wrong
 * (a file missing, unreadable, damaged or truncated; objects unreadable or
 * changed since the recording), the progress bar, and the filter options
 * that report and script share. Functions that print return the exit
 * status to use (0 when all went well).
 */
#ifndef PMUPROF_CMD_RECORDING_H
#define PMUPROF_CMD_RECORDING_H

#include "analyse/profile.h"
#include "resolve/filter.h"
#include "resolve/session.h"

#include <stdbool.h>

struct profile;
struct symbolizer;

/* Opens path (meta_only: its metadata and statistics only); 0, or prints why not and returns 1. */
int cmd_recording_open(struct session *s, const char *path, bool meta_only);
/*
 * Opens path and reads it into a profile of a view (profile_read()) on
 * `jobs` threads (0: CMD_JOBS_DEFAULT), with a progress bar on a terminal
 * and the damage warnings: 0, or the exit status after printing why not.
 * The caller frees *p and *sym, then closes s.
 */
int cmd_recording_profile(struct session *s, const char *path, const struct sample_filter *f,
			  enum prof_view view, unsigned sym_flags, unsigned jobs, struct profile **p,
			  struct symbolizer **sym);

/* The most threads -j/--jobs takes; 0 for cmd_recording_profile(): one per online CPU. */
#define CMD_JOBS_MAX 1024
#define CMD_JOBS_DEFAULT 0
/* The option's line in a command's table. */
#define CMD_JOBS_OPTION                                                                          \
	{ 'j', "jobs", "N", "read the samples on N threads (default: one per online CPU)" }
/* -j/--jobs' argument into *jobs: 0, or -1 after saying why it is not a number of threads. */
int cmd_jobs_option(const char *arg, unsigned *jobs);
/* After session_samples(): warns that the file was damaged or truncated, if it was. */
void cmd_recording_warn_damage(const struct session *s);
/* Warns about the objects that were unreadable or changed since the recording. */
void cmd_recording_warn_objects(const struct session *s);

/*
 * --comm, --tid, --time, --dso and --symbol into f: 0, or -1 after printing
 * why the argument is bad.
 */
int cmd_filter_comm(struct sample_filter *f, const char *arg);
int cmd_filter_tid(struct sample_filter *f, const char *arg);
int cmd_filter_time(struct sample_filter *f, const char *arg);

#endif
