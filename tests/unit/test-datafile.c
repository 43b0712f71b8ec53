// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * pmuprof.data round trip, and the reader on cut and damaged copies: every
 * prefix of a file opens or fails cleanly, and a file cut mid-recording
 * still gives every record of its complete frames.
 */
#include "store/datafile.h"
#include "tap.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[] = "/tmp/pmuprof-test-datafile.XXXXXX";

static char *path_in(const char *name)
{
	static char buf[256];

	snprintf(buf, sizeof(buf), "%s/%s", dir, name);
	return buf;
}

/* Writes n samples with a stack of stack_size bytes each; frames fill at 1 MiB. */
static void write_file(const char *path, unsigned n, unsigned stack_size, bool finish)
{
	struct data_writer *w;

	if (data_writer_open(path, &w) < 0) {
		diag("cannot create %s", path);
		exit(1);
	}
	data_writer_meta_str(w, "event", "cpu-clock");
	data_writer_meta_u64(w, "freq-hz", 1000);
	for (unsigned i = 0; i < n; i++) {
		size_t size = record_size(sizeof(struct rec_sample), 3 * 8 + stack_size);
		struct rec_sample *s = data_writer_reserve(w, size);
		uint64_t *regs = (uint64_t *)(s + 1);

		s->h.type = REC_SAMPLE;
		s->pid = 100;
		s->tid = 100 + i % 3;
		s->time = 1000 + i;
		s->ip = 0x400000 + i;
		s->weight = 1000000;
		s->nregs = 3;
		s->stack_size = stack_size;
		regs[0] = i;
		memset(regs + 3, (int)(i & 0xff), stack_size);
		data_writer_commit(w, s->time);
	}
	data_writer_stat_u64(w, "samples", n);
	data_writer_stat_u64(w, "samples", n); /* replaced, not duplicated */
	if (finish)
		data_writer_finish(w);
	data_writer_close(w);
}

/* Reads every record; returns the number of samples, or -1 on an error. */
static long read_all(const char *path, int *open_ret, bool *truncated)
{
	struct data_reader *r;
	struct data_record rec;
	const char *detail;
	long n = 0;
	int ret;

	*open_ret = data_reader_open(path, &r, &detail);
	if (*open_ret < 0)
		return -1;
	while ((ret = data_reader_next(r, &rec, &detail)) > 0) {
		struct sample_view v;

		if (rec.rec->type == REC_SAMPLE && record_sample(rec.rec, &v) == 0)
			n++;
	}
	*truncated = data_reader_truncated(r);
	data_reader_close(r);
	return ret < 0 ? -1 : n;
}

static void copy_prefix(const char *from, const char *to, off_t len)
{
	int in = open(from, O_RDONLY), out = open(to, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	char *buf = malloc((size_t)len + 1);

	if (len && read(in, buf, (size_t)len) != len)
		diag("short read");
	if (len && write(out, buf, (size_t)len) != len)
		diag("short write");
	close(in);
	close(out);
	free(buf);
}

/*
 * Frames of samples only are marked, and a reader after everything else
 * steps over them: a COMM in the first frame, 3000 samples of 1 KiB
 * (three frames), a COMM in the last.
 */
static void test_skip_sample_frames(void)
{
	char *path = path_in("skip.data");
	struct data_writer *w;
	struct data_reader *r;
	struct data_record rec;
	const char *detail = NULL;
	unsigned samples[2] = { 0, 0 }, comms[2] = { 0, 0 };

	if (data_writer_open(path, &w) < 0)
		return;
	for (unsigned i = 0; i < 3002; i++) {
		bool comm = i == 0 || i == 3001;
		size_t size = comm ? record_size(sizeof(struct rec_comm), 8)
				   : record_size(sizeof(struct rec_sample), 1024);
		struct rec_header *h = data_writer_reserve(w, size);

		h->type = comm ? REC_COMM : REC_SAMPLE;
		if (comm)
			memcpy((struct rec_comm *)h + 1, "name", 5);
		else
			((struct rec_sample *)h)->stack_size = 1024;
		data_writer_commit(w, i);
	}
	data_writer_finish(w);
	data_writer_close(w);
	for (int skip = 0; skip < 2; skip++) {
		if (data_reader_open(path, &r, &detail) < 0)
			return;
		data_reader_skip_sample_frames(r, skip);
		while (data_reader_next(r, &rec, &detail) > 0) {
			samples[skip] += rec.rec->type == REC_SAMPLE;
			comms[skip] += rec.rec->type == REC_COMM;
		}
		data_reader_close(r);
	}
	is_int(samples[0], 3000, "every sample without skipping");
	is_int(comms[1], 2, "skipping sample frames keeps the other records");
	ok(samples[1] < 3000 && samples[1] > 0,
	   "frames of samples only were skipped (%u samples read, in the frames with names)",
	   samples[1]);
}

/* The typed views of signals and wakeups check type and size. */
static void test_event_views(void)
{
	struct rec_signal sig = { .h = { .type = REC_SIGNAL, .size = sizeof(sig) }, .sig = 10 };
	struct rec_wakeup wk = { .h = { .type = REC_WAKEUP, .size = sizeof(wk) }, .tid = 7 };
	const struct rec_signal *gs;
	const struct rec_wakeup *gw;

	ok(record_signal(&sig.h, &gs) == 0 && gs->sig == 10, "a signal's view");
	ok(record_wakeup(&wk.h, &gw) == 0 && gw->tid == 7, "a wakeup's view");
	sig.h.size = sizeof(sig) - 8;
	wk.h.size = sizeof(wk) - 8;
	ok(record_signal(&sig.h, &gs) == -EBADMSG, "a short signal is refused");
	ok(record_wakeup(&wk.h, &gw) == -EBADMSG, "a short wakeup is refused");
	ok(record_signal(&wk.h, &gs) == -EBADMSG, "a wakeup is not a signal");
}

int main(void)
{
	struct data_reader *r;
	const char *detail;
	char *full;
	struct stat st;
	uint64_t v = 0;
	bool truncated;
	int oret;
	long n;

	if (!mkdtemp(dir))
		return 1;
	test_skip_sample_frames();
	test_event_views();
	full = strdup(path_in("full.data"));
	write_file(full, 3000, 1000, true);
	ok(stat(full, &st) == 0 && (st.st_mode & 0777) == 0600, "created with mode 0600");
	n = read_all(full, &oret, &truncated);
	is_int(n, 3000, "every sample reads back");
	ok(!truncated, "a finished file is complete");
	ok(data_reader_open(full, &r, &detail) == 0, "open");
	is_str(data_reader_meta_str(r, "event"), "cpu-clock", "string metadata");
	ok(data_reader_meta_u64(r, "freq-hz", &v) && v == 1000, "number metadata");
	ok(data_reader_stat_u64(r, "samples", &v) && v == 3000, "statistics");
	ok(data_reader_meta_str(r, "nosuchkey") == NULL, "absent key");
	data_reader_close(r);

	/* the old file is kept */
	write_file(full, 10, 8, true);
	n = read_all(path_in("full.data.old"), &oret, &truncated);
	is_int(n, 3000, "the previous file is kept as .old");
	write_file(full, 3000, 1000, true);

	/* a recorder killed mid-way: no statistics, no index, no trailer */
	write_file(path_in("killed.data"), 3000, 1000, false);
	n = read_all(path_in("killed.data"), &oret, &truncated);
	ok(n >= 1000 && n < 3000 && truncated,
	   "unfinished: complete frames read (%ld samples), marked truncated", n);

	/* every prefix of a finished file: opens and reads cleanly or fails cleanly */
	{
		off_t size = st.st_size, step = size / 97 + 1;
		bool all_clean = true;
		long last = -1;

		stat(full, &st);
		size = st.st_size;
		for (off_t len = 0; len <= size; len += step) {
			copy_prefix(full, path_in("cut.data"), len);
			n = read_all(path_in("cut.data"), &oret, &truncated);
			if (len < size && oret == 0 && !truncated)
				all_clean = false;
			if (oret == 0 && n < last)
				all_clean = false;
			if (oret == 0)
				last = n;
		}
		ok(all_clean, "every cut copy is marked truncated and gives no fewer samples than a shorter cut");
	}

	copy_prefix(full, path_in("empty.data"), 0);
	is_int(data_reader_open(path_in("empty.data"), &r, &detail), -ENODATA, "empty file");
	is_int(data_reader_open(path_in("none.data"), &r, &detail), -ENOENT, "missing file");
	{
		FILE *f = fopen(path_in("foreign.data"), "w");

		fputs("this is not a profile, just some text that is long enough to have a header\n",
		      f);
		fclose(f);
	}
	is_int(data_reader_open(path_in("foreign.data"), &r, &detail), -EBADMSG, "foreign file");
	ok(detail && strstr(detail, "not a pmuprof data file"), "says it is not pmuprof data");

	/* flip bytes all over a small file: never a crash, always a clean answer */
	{
		int fd;
		unsigned char *buf;
		bool clean = true;

		write_file(path_in("small.data"), 50, 64, true);
		stat(path_in("small.data"), &st);
		buf = malloc((size_t)st.st_size);
		fd = open(path_in("small.data"), O_RDONLY);
		if (read(fd, buf, (size_t)st.st_size) != st.st_size)
			clean = false;
		close(fd);
		for (off_t i = 0; i < st.st_size; i++) {
			FILE *f = fopen(path_in("flip.data"), "w");

			buf[i] ^= 0x5a;
			fwrite(buf, 1, (size_t)st.st_size, f);
			fclose(f);
			buf[i] ^= 0x5a;
			n = read_all(path_in("flip.data"), &oret, &truncated);
			if (n > 50)
				clean = false;
		}
		free(buf);
		ok(clean, "a flipped byte anywhere is survived (%lld positions)",
		   (long long)st.st_size);
	}
	free(full);
	return done_testing();
}
