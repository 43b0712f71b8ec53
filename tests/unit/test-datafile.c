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
#include <zstd.h>

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
 * steps over them and hands out no samples: a COMM in the first frame,
 * 3000 samples of 1 KiB (three frames), a COMM in the last.
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
		data_reader_skip_samples(r, skip);
		while (data_reader_next(r, &rec, &detail) > 0) {
			samples[skip] += rec.rec->type == REC_SAMPLE;
			comms[skip] += rec.rec->type == REC_COMM;
		}
		data_reader_close(r);
	}
	is_int(samples[0], 3000, "every sample without skipping");
	is_int(comms[1], 2, "skipping samples keeps the other records");
	is_int(samples[1], 0, "skipping samples hands out none");
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


/* ---- coded stacks (FRAME_STACK_DELTA) ---- */

static uint64_t rng_state;

static uint64_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

#define DT_THREADS 5
#define DT_SPAN	   (80u << 10) /* each thread's stack memory */

/*
 * A deterministic stream of samples: threads interleaved at random, their
 * sp moving up and down (unaligned too), copies of any size up to the
 * largest, memory that mostly stays put and sometimes changes, some samples
 * without registers, a thread whose copy's addresses would wrap, and other
 * records between them. Calling it again with the same seed gives the same
 * stream: the expected records are made again for the comparison.
 */
struct dt_gen {
	uint8_t mem[DT_THREADS][DT_SPAN];
	uint64_t base[DT_THREADS];
	uint64_t sp_off[DT_THREADS];
};

static void dt_init(struct dt_gen *g, uint64_t seed)
{
	rng_state = seed;
	for (int t = 0; t < DT_THREADS; t++) {
		for (size_t i = 0; i < DT_SPAN; i++)
			g->mem[t][i] = (uint8_t)rnd();
		g->base[t] = 0x7ff000000000ull + (uint64_t)t * 0x100000;
		g->sp_off[t] = DT_SPAN / 2;
	}
	g->base[DT_THREADS - 1] = UINT64_MAX - DT_SPAN + 1; /* copies wrap past 2^64 */
}

/*
 * The next record, built in buf (at least DT_SPAN + 4 KiB): 1 for a
 * sample, 0 for another record.
 */
static int dt_next(struct dt_gen *g, uint8_t *buf, size_t *size, uint64_t i)
{
	struct rec_sample *s = (struct rec_sample *)buf;
	int t = (int)(rnd() % DT_THREADS);
	uint64_t r = rnd(), n, off;

	if (r % 17 == 0) {
		struct rec_comm *c = (struct rec_comm *)buf;

		*size = record_size(sizeof(*c), 8);
		memset(buf, 0, *size);
		c->h.type = REC_COMM;
		c->h.size = (uint32_t)*size;
		c->tid = 1000 + (uint32_t)t;
		memcpy(c + 1, "thread", 7);
		return 0;
	}
	/* the stack pointer moves: a deeper call, a return, or stays */
	switch (r % 5) {
	case 0:
		g->sp_off[t] = g->sp_off[t] > 4096 ? g->sp_off[t] - rnd() % 4096 : g->sp_off[t];
		break;
	case 1:
		g->sp_off[t] += rnd() % 4096;
		if (g->sp_off[t] >= DT_SPAN)
			g->sp_off[t] = DT_SPAN - 1 - rnd() % 64;
		break;
	case 2:
		g->sp_off[t] += rnd() % 3; /* unaligned */
		if (g->sp_off[t] >= DT_SPAN)
			g->sp_off[t] = DT_SPAN / 2;
		break;
	}
	off = g->sp_off[t];
	/* a few bytes change near the stack pointer, rarely anywhere */
	for (int k = 0; k < 8; k++)
		g->mem[t][off + rnd() % (DT_SPAN - off < 512 ? DT_SPAN - off : 512)] =
		    (uint8_t)rnd();
	if (r % 31 == 0)
		g->mem[t][rnd() % DT_SPAN] ^= 0xff;
	n = DT_SPAN - off;
	if (n > STACK_DELTA_MAX)
		n = STACK_DELTA_MAX;
	if (r % 7 == 0)
		n = rnd() % (n + 1); /* cut anywhere, empty too */
	*size = record_size(sizeof(*s), 3 * 8 + 8 + n);
	memset(buf, 0, *size);
	s->h.type = REC_SAMPLE;
	s->h.size = (uint32_t)*size;
	s->pid = 1000;
	s->tid = 1000 + (uint32_t)t;
	s->time = r % 13 == 0 ? i * 1000 - 5000 : i * 1000; /* out of order at times */
	s->ip = 0x400000 + rnd() % 4096;
	s->weight = 1000000;
	s->cpu = (uint32_t)(r % 2);
	if (r % 11 == 0) {
		/* no registers: a kernel thread's sample, written as it is */
		s->nregs = 0;
		s->h.misc = SAMPLE_NO_USER_REGS;
		s->stack_size = 0;
		*size = sizeof(*s);
		s->h.size = (uint32_t)*size;
		return 1;
	}
	s->nregs = 3;
	s->ncallchain = 1;
	((uint64_t *)(s + 1))[0] = 0x1000;
	((uint64_t *)(s + 1))[1] = g->base[t] + off;
	((uint64_t *)(s + 1))[2] = s->ip;
	((uint64_t *)(s + 1))[3] = 0xffffffff81000000ull;
	s->stack_size = (uint32_t)n;
	memcpy((uint8_t *)(s + 1) + 32, g->mem[t] + off, n);
	return 1;
}

/* Writes n records of the stream, with coded stacks unless `plain`; returns the samples. */
static long dt_write(const char *path, uint64_t seed, long n, bool plain)
{
	struct dt_gen *g = malloc(sizeof(*g));
	uint8_t *buf = malloc(DT_SPAN + 4096);
	struct data_writer *w;
	long samples = 0;

	dt_init(g, seed);
	if (data_writer_open(path, &w) < 0)
		exit(1);
	data_writer_meta_str(w, "event", "cpu-clock");
	if (!plain)
		data_writer_stack_delta(w, 1);
	for (long i = 0; i < n; i++) {
		size_t size;
		int is_sample = dt_next(g, buf, &size, (uint64_t)i);
		void *p = data_writer_reserve(w, size);

		if (!p)
			break;
		memcpy(p, buf, size);
		data_writer_commit(w, 1000 * (uint64_t)i);
		samples += is_sample;
	}
	data_writer_finish(w);
	data_writer_close(w);
	free(buf);
	free(g);
	return samples;
}

/* Reads path back against the stream: 1 when every record is as written. */
static bool dt_check(const char *path, uint64_t seed, long n, uint32_t *frames, uint32_t *version)
{
	struct dt_gen *g = malloc(sizeof(*g));
	uint8_t *buf = malloc(DT_SPAN + 4096);
	struct data_reader *r;
	struct data_record rec;
	const char *detail;
	bool same = true;
	long i = 0;
	int ret;

	dt_init(g, seed);
	if (data_reader_open(path, &r, &detail) < 0) {
		free(buf);
		free(g);
		return false;
	}
	while (same && (ret = data_reader_next(r, &rec, &detail)) > 0) {
		size_t size;

		dt_next(g, buf, &size, (uint64_t)i++);
		if (rec.rec->size != size || memcmp(rec.rec, buf, size)) {
			diag("record %ld differs (type %u, size %u, expected %zu)", i - 1,
			     rec.rec->type, rec.rec->size, size);
			same = false;
		}
	}
	if (ret < 0) {
		diag("read error: %s", detail);
		same = false;
	}
	if (i != n)
		same = false;
	*frames = data_reader_nframes(r);
	*version = data_reader_version(r);
	data_reader_close(r);
	free(buf);
	free(g);
	return same;
}

static void test_stack_delta_round_trip(void)
{
	char *path = path_in("delta.data");
	struct stat st, plain_st;
	uint32_t frames, version;

	/* some 60 MiB of copies: several frames, each thread's first sample in each coded anew */
	dt_write(path, 42, 3000, false);
	ok(dt_check(path, 42, 3000, &frames, &version),
	   "coded stacks: every record reads back as written (threads interleaved, sp moving, "
	   "sizes cut anywhere)");
	ok(frames > 3, "coded stacks: the stream spans several frames (%u)", frames);
	is_int(version, PMUPROF_VERSION_DELTA, "coded stacks: the file says version 3");
	stat(path, &st);
	dt_write(path_in("plain.data"), 42, 3000, true);
	ok(dt_check(path_in("plain.data"), 42, 3000, &frames, &version),
	   "plain stacks: every record reads back");
	is_int(version, PMUPROF_VERSION_1, "plain stacks: the file stays version 1");
	stat(path_in("plain.data"), &plain_st);
	ok(st.st_size * 2 < plain_st.st_size,
	   "coded stacks take less than half the bytes of plain ones (%lld against %lld)",
	   (long long)st.st_size, (long long)plain_st.st_size);
	/* a reader that skips samples gets every other record, stacks left coded */
	{
		long samples = dt_write(path, 42, 3000, false);
		struct data_reader *r;
		struct data_record rec;
		const char *detail;
		long others = 0, got_samples = 0;
		int ret = -1;

		if (data_reader_open(path, &r, &detail) == 0) {
			data_reader_skip_samples(r, true);
			while ((ret = data_reader_next(r, &rec, &detail)) > 0) {
				got_samples += rec.rec->type == REC_SAMPLE;
				others += rec.rec->type == REC_COMM;
			}
			data_reader_close(r);
		}
		ok(ret == 0 && got_samples == 0 && others == 3000 - samples,
		   "coded stacks: skipping samples gives the %ld other records (%ld, %ld samples)",
		   3000 - samples, others, got_samples);
	}
	/* other seeds, shorter streams: one frame */
	{
		bool all = true;

		for (uint64_t seed = 1; seed <= 5 && all; seed++) {
			dt_write(path, seed, 200, false);
			all = dt_check(path, seed, 200, &frames, &version);
		}
		ok(all, "coded stacks: five more streams read back");
	}
}

/*
 * The frame header of the first frame with coded stacks in buf: its
 * offset, or 0.
 */
static size_t first_delta_frame(const uint8_t *buf, size_t len)
{
	size_t off = sizeof(struct file_header);

	while (off + sizeof(struct frame_header) <= len) {
		struct frame_header fh;

		memcpy(&fh, buf + off, sizeof(fh));
		if (fh.magic != FRAME_MAGIC)
			return 0;
		if (fh.type == FRAME_RECORDS && (fh.flags & FRAME_STACK_DELTA))
			return off;
		off += sizeof(fh) + fh.csize;
	}
	return 0;
}

/*
 * Rewrites the first coded frame of `from` into `to` after `damage` changed
 * its decompressed bytes (compressed again, with a valid checksum: only the
 * decoder can tell). Returns the frame's offset, or 0.
 */
static size_t damage_delta_frame(const char *from, const char *to,
				 void (*damage)(uint8_t *raw, size_t len))
{
	struct stat st;
	uint8_t *buf, *raw, *c;
	size_t off, clen;
	struct frame_header fh;
	int fd = open(from, O_RDONLY);
	FILE *f;

	fstat(fd, &st);
	buf = malloc((size_t)st.st_size);
	if (read(fd, buf, (size_t)st.st_size) != st.st_size)
		diag("short read");
	close(fd);
	off = first_delta_frame(buf, (size_t)st.st_size);
	if (!off) {
		free(buf);
		return 0;
	}
	memcpy(&fh, buf + off, sizeof(fh));
	raw = malloc(fh.rsize);
	ZSTD_decompress(raw, fh.rsize, buf + off + sizeof(fh), fh.csize);
	damage(raw, fh.rsize);
	c = malloc(ZSTD_compressBound(fh.rsize));
	{
		ZSTD_CCtx *cc = ZSTD_createCCtx();

		ZSTD_CCtx_setParameter(cc, ZSTD_c_checksumFlag, 1);
		clen = ZSTD_compress2(cc, c, ZSTD_compressBound(fh.rsize), raw, fh.rsize);
		ZSTD_freeCCtx(cc);
	}
	fh.csize = (uint32_t)clen;
	f = fopen(to, "w");
	fwrite(buf, 1, off, f);
	fwrite(&fh, 1, sizeof(fh), f);
	fwrite(c, 1, clen, f);
	fclose(f); /* no more frames, no trailer: the file ends after the damaged frame */
	free(buf);
	free(raw);
	free(c);
	return off;
}

static struct stack_delta_header dh_of(const uint8_t *raw)
{
	struct stack_delta_header dh;

	memcpy(&dh, raw, sizeof(dh));
	return dh;
}

/* A run of bytes "the same as the reference" past where the reference ends. */
static void damage_same_run(uint8_t *raw, size_t len)
{
	struct stack_delta_header dh = dh_of(raw);
	uint8_t *runs = raw + sizeof(dh) + dh.records_len;

	(void)len;
	runs[1] = 0x7f; /* the first sample of a thread has no reference at all */
}

/* A reference number that names no earlier sample. */
static void damage_reference(uint8_t *raw, size_t len)
{
	struct stack_delta_header dh = dh_of(raw);
	uint8_t *runs = raw + sizeof(dh) + dh.records_len;

	(void)len;
	runs[0] = 3;
}

/* Run lengths that run past the sample's stack. */
static void damage_long_run(uint8_t *raw, size_t len)
{
	struct stack_delta_header dh = dh_of(raw);
	uint8_t *runs = raw + sizeof(dh) + dh.records_len;

	(void)len;
	runs[2] = 0xff;
	runs[3] = 0xff;
}

/* More new bytes than the frame holds: the decoded size no longer adds up either. */
static void damage_sizes(uint8_t *raw, size_t len)
{
	struct stack_delta_header dh = dh_of(raw);

	(void)len;
	dh.bytes_len += 8;
	dh.records_len -= 8;
	memcpy(raw, &dh, sizeof(dh));
}

/* Every byte of the run lengths, then of the whole frame, flipped in turn. */
static void test_stack_delta_corrupt(void)
{
	static void (*const damages[])(uint8_t *, size_t) = {damage_same_run, damage_reference,
							     damage_long_run, damage_sizes};
	static const char *const names[] = {"a run the reference does not hold",
					    "a reference that names no sample", "a run past the stack",
					    "section sizes that do not add up"};
	char *good = strdup(path_in("delta-good.data"));
	char *bad = strdup(path_in("delta-bad.data"));

	dt_write(good, 7, 300, false);
	for (size_t k = 0; k < ARRAY_SIZE(damages); k++) {
		struct data_reader *r;
		struct data_record rec;
		const char *detail = NULL;
		char want[96];
		size_t off = damage_delta_frame(good, bad, damages[k]);
		int ret = -1;

		snprintf(want, sizeof(want), "the frame at offset %zu", off);
		if (off && data_reader_open(bad, &r, &detail) == 0) {
			while ((ret = data_reader_next(r, &rec, &detail)) > 0)
				;
			ok(ret == -EBADMSG && detail && strstr(detail, want) &&
			       strstr(detail, "coded stacks"),
			   "corrupt coded stacks (%s): an error naming the frame's offset (%s)",
			   names[k], detail ? detail : "no detail");
			data_reader_close(r);
		} else {
			ok(false, "corrupt coded stacks (%s): the file opens", names[k]);
		}
	}
	free(good);
	free(bad);
}

/* Every byte of a coded frame's decompressed bytes changed in turn: an error or records, never a
 * crash. */
static size_t flip_at;

static void damage_flip(uint8_t *raw, size_t len)
{
	if (flip_at < len)
		raw[flip_at] ^= 0x5a;
}

static void test_stack_delta_flips(void)
{
	char *good = strdup(path_in("delta-small.data"));
	char *bad = strdup(path_in("delta-flip.data"));
	bool clean = true;
	size_t tried = 0;

	dt_write(good, 9, 40, false);
	for (flip_at = 0; flip_at < 20000; flip_at += 1 + flip_at / 64) {
		bool truncated;
		int oret;
		long n;

		if (!damage_delta_frame(good, bad, damage_flip))
			break;
		n = read_all(bad, &oret, &truncated);
		if (n > 40)
			clean = false;
		tried++;
	}
	ok(clean && tried > 100, "a changed byte in coded stacks is survived (%zu positions)",
	   tried);
	free(good);
	free(bad);
}

/* A version-2 file (samples of other kinds, no coded stacks) reads as before. */
static void test_old_versions(void)
{
	struct data_writer *w;
	struct data_reader *r;
	const char *detail;
	char *path = path_in("v2.data");
	bool truncated;
	int oret;

	write_file(path, 100, 64, true);
	is_int(read_all(path, &oret, &truncated), 100,
	       "version 1 (the writer without coded stacks)");
	if (data_writer_open(path, &w) < 0)
		exit(1);
	data_writer_set_version(w, PMUPROF_VERSION_KINDS);
	for (int i = 0; i < 10; i++) {
		struct rec_sample *s = data_writer_reserve(w, sizeof(*s) + 8);

		s->h.type = REC_SAMPLE;
		s->h.misc = SAMPLE_KIND_BLOCKED;
		s->tid = 5;
		s->stack_size = 8;
		data_writer_commit(w, 1);
	}
	data_writer_finish(w);
	data_writer_close(w);
	is_int(read_all(path, &oret, &truncated), 10, "version 2 reads");
	ok(data_reader_open(path, &r, &detail) == 0 &&
	       data_reader_version(r) == PMUPROF_VERSION_KINDS,
	   "version 2 stays 2 without coded stacks");
	data_reader_close(r);
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
	test_stack_delta_round_trip();
	test_stack_delta_corrupt();
	test_stack_delta_flips();
	test_old_versions();
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
		ok(all_clean, "every cut copy is marked truncated and gives no fewer samples than "
			      "a shorter cut");
	}

	copy_prefix(full, path_in("empty.data"), 0);
	is_int(data_reader_open(path_in("empty.data"), &r, &detail), -ENODATA, "empty file");
	is_int(data_reader_open(path_in("none.data"), &r, &detail), -ENOENT, "missing file");
	{
		FILE *f = fopen(path_in("foreign.data"), "w");

		fputs(
		    "this is not a profile, just some text that is long enough to have a header\n",
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
