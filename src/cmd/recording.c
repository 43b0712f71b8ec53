// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The command layer's side of reading a recording (see recording.h).
 */
#include "cmd/recording.h"
#include "analyse/profile.h"
#include "resolve/elf.h"
#include "resolve/maps.h"
#include "util/alloc.h"
#include "util/error.h"
#include "util/parse.h"
#include "util/progress.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int cmd_recording_open(struct session *s, const char *path, bool meta_only)
{
	const char *detail = NULL;
	int ret = meta_only ? session_open_meta(s, path, &detail) : session_open(s, path, &detail);

	if (!ret)
		return EXIT_OK;
	if (ret == -ENOENT && access("perf.data", R_OK) == 0)
		error("cannot open '%s': No such file or directory (record one with 'pmuprof "
		      "record', or read perf's with -i perf.data)",
		      path);
	else if (ret == -ENOENT)
		error("cannot open '%s': No such file or directory (record one with 'pmuprof "
		      "record')",
		      path);
	else if (detail)
		error("cannot read '%s': %s", path, detail);
	else
		error_errno(-ret, "cannot read '%s'", path);
	return EXIT_FAIL;
}

int cmd_jobs_option(const char *arg, unsigned *jobs)
{
	unsigned long n;

	if (parse_ulong(arg, 1, CMD_JOBS_MAX, &n) == 0) {
		*jobs = (unsigned)n;
		return 0;
	}
	error("-j/--jobs takes a number of threads from 1 to %u, not '%s'", CMD_JOBS_MAX, arg);
	return -1;
}

/* One thread per CPU this process may run on. */
static unsigned default_jobs(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n < 1 ? 1 : n > CMD_JOBS_MAX ? CMD_JOBS_MAX : (unsigned)n;
}

int cmd_recording_profile(struct session *s, const char *path, const struct sample_filter *f,
			  enum prof_view view, unsigned sym_flags, unsigned jobs, struct profile **p,
			  struct symbolizer **sym)
{
	struct progress prog;
	uint64_t total = 0;
	int ret = cmd_recording_open(s, path, false);

	if (ret)
		return ret;
	s->jobs = jobs ? jobs : default_jobs();
	data_reader_stat_u64(s->rd, "samples", &total);
	progress_start(&prog, "pmuprof: unwinding", total);
	s->progress = &prog;
	ret = profile_read(s, f, view, sym_flags, p, sym);
	s->progress = NULL;
	progress_done(&prog);
	if (ret) {
		/* only the callback stops a pass early, and profile_read's never does */
		error_errno(ret < 0 ? -ret : EIO, "cannot read '%s'", path);
		session_close(s);
		return EXIT_FAIL;
	}
	cmd_recording_warn_damage(s);
	return EXIT_OK;
}

void cmd_recording_warn_damage(const struct session *s)
{
	if (s->damaged)
		warning("'%s' is damaged after %" PRIu64 " samples (%s); showing what came before",
			s->path, s->samples_seen, s->damage);
	else if (data_reader_truncated(s->rd))
		warning("'%s' is truncated (the recorder was killed, or the disk filled); showing "
			"the %" PRIu64 " samples of its complete frames",
			s->path, s->samples_seen);
}

/* Why an object named in a recording could not be read, in words. */
static const char *object_error(const struct dso *d)
{
	struct stat st;

	if (d->open_err != -ENOEXEC)
		return strerror(-d->open_err);
	/* what the object was when it was looked at; a FIFO or a device is never opened */
	if (stat(d->path, &st) == 0 && !S_ISREG(st.st_mode))
		return "not a regular file";
	return "not a valid ELF file";
}

/* How many objects not on disk the summary names; the rest are counted. */
#define GONE_LISTED 5

/* The path an object had on disk: a mapping removed while mapped is named "path (deleted)". */
static char *gone_path(const struct dso *d)
{
	size_t n = strlen(d->path);

	if (d->deleted)
		n -= strlen(" (deleted)");
	return xasprintf("'%.*s'", (int)n, d->path);
}

/*
 * Warnings are for what the user can act on. Memory that no file holds (a
 * JIT's memfd or anonymous code, see dso_object()) is named without one.
 * Objects deleted while mapped or since (an upgraded library, a rebuilt
 * program, a temporary plugin) are summed up in one line, however many:
 * an upgrade or a parallel build can remove hundreds. Other failures name
 * their object and reason, one line each.
 */
void cmd_recording_warn_objects(const struct session *s)
{
	char *list = xstrdup(""), *more;
	size_t ngone = 0;

	for (size_t i = 0; i < maps_ndsos(s->maps); i++) {
		struct dso *d = maps_dso(s->maps, i);

		if (!d->opened || d->no_file)
			continue;
		if (d->changed) {
			warning("'%s' has changed since the recording (its build-id differs): its "
				"symbols and stacks may be wrong",
				d->path);
		} else if (d->obj && elf_object_oversized(d->obj)) {
			warning("'%s' has a symbol table or note larger than pmuprof reads (%u MiB "
				"for tables, %u MiB for notes): it was skipped, and some of its "
				"functions may be named by address",
				d->path, (unsigned)(ELF_TABLE_LIMIT >> 20),
				(unsigned)(ELF_NOTE_LIMIT >> 20));
		} else if (!d->obj && (d->deleted || d->open_err == -ENOENT)) {
			if (ngone++ < GONE_LISTED) {
				char *path = gone_path(d);

				more = xasprintf("%s%s%s", list, *list ? ", " : "", path);
				free(path);
				free(list);
				list = more;
			}
		} else if (!d->obj) {
			warning("cannot read symbols of '%s': %s", d->path, object_error(d));
		}
	}
	if (ngone == 1)
		warning("1 object is not on disk (deleted or replaced since it was mapped), so "
			"its code is named by address: %s",
			list);
	else if (ngone > GONE_LISTED)
		warning("%zu objects are not on disk (deleted or replaced since they were mapped), "
			"so their code is named by address: %s and %zu more",
			ngone, list, ngone - GONE_LISTED);
	else if (ngone)
		warning("%zu objects are not on disk (deleted or replaced since they were mapped), "
			"so their code is named by address: %s",
			ngone, list);
	free(list);
}

int cmd_filter_comm(struct sample_filter *f, const char *arg)
{
	if (sample_filter_comm(f, arg) == 0)
		return 0;
	error("--comm needs at least one command name");
	return -1;
}

int cmd_filter_tid(struct sample_filter *f, const char *arg)
{
	const char *bad;

	if (sample_filter_tid(f, arg, &bad) == 0)
		return 0;
	if (bad)
		error("--tid takes thread ids separated by commas, not '%s'", bad);
	else
		error("--tid needs at least one thread id");
	return -1;
}

int cmd_filter_time(struct sample_filter *f, const char *arg)
{
	int ret = sample_filter_time(f, arg);

	if (ret == -EINVAL)
		error("--time takes START,END in seconds from the start of the recording "
		      "(either may be empty), not '%s'",
		      arg);
	else if (ret)
		error("--time takes START,END in seconds from the start of the recording, "
		      "START <= END, not '%s'",
		      arg);
	return ret ? -1 : 0;
}
