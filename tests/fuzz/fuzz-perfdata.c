// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target for the perf.data reader (store/perfdata.c, through the
 * data reader): any bytes must give a clean error or records that pmuprof's
 * own typed views accept, never a crash, a hang or a runaway allocation.
 * What the converter hands out is pmuprof's to vouch for: a record that
 * fails its view aborts. Each input is read three ways, as report does:
 * in order, without samples (its first pass), and as frames taken for
 * decoders on other threads; the three must agree. Seeded with perf
 * record's files by contrib/test-all.sh, which runs it for a bounded time.
 */
#include "store/datafile.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_record(const struct rec_header *h)
{
	struct sample_view sv;
	const struct rec_mmap *m;
	const struct rec_comm *c;
	const char *name;
	volatile uint64_t sink = 0;

	if (h->size < sizeof(*h) || h->size % 8)
		abort();
	switch (h->type) {
	case REC_SAMPLE:
		if (record_sample(h, &sv) < 0)
			abort();
		for (unsigned i = 0; i < sv.s->nregs; i++)
			sink += sv.regs[i];
		for (unsigned i = 0; i < sv.s->ncallchain; i++)
			sink += sv.callchain[i];
		if (sv.s->stack_size)
			sink += sv.stack[sv.s->stack_size - 1];
		break;
	case REC_MMAP:
		if (record_mmap(h, &m, &name) < 0)
			abort();
		sink += strlen(name) + m->build_id_len;
		break;
	case REC_COMM:
		if (record_comm(h, &c, &name) < 0)
			abort();
		sink += strlen(name);
		break;
	case REC_FORK:
	case REC_EXIT:
	case REC_LOST:
	case REC_THROTTLE:
		break;
	default:
		abort(); /* the converter makes no other kind */
	}
	(void)sink;
}

static void read_file(int fd)
{
	struct data_reader *r;
	struct data_record rec;
	struct data_frame fr = {0};
	struct data_decoder *dec;
	const char *detail;
	char path[64];
	uint64_t v, n_order = 0, n_frames = 0, samples = 0, skipped = 0;
	int ret;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	if (data_reader_open(path, &r, &detail) < 0)
		return;
	data_reader_meta_str(r, "event");
	data_reader_meta_str(r, "cmdline");
	data_reader_meta_u64(r, "regs-mask", &v);
	while ((ret = data_reader_next(r, &rec, &detail)) > 0) {
		check_record(rec.rec);
		n_order++;
		samples += rec.rec->type == REC_SAMPLE;
	}
	if (ret < 0 && !detail)
		abort();
	/* as the first pass of a report reads: every record but samples */
	data_reader_rewind(r);
	data_reader_skip_samples(r, true);
	while (data_reader_next(r, &rec, &detail) > 0) {
		if (rec.rec->type == REC_SAMPLE)
			abort();
		skipped++;
	}
	if (skipped != n_order - samples)
		abort();
	data_reader_skip_samples(r, false);
	/* as the workers of report -j read: frame by frame */
	data_reader_rewind(r);
	dec = data_decoder_new();
	while (data_reader_take_frame(r, &fr, &detail) > 0) {
		if (data_decoder_load(dec, &fr, &detail) < 0)
			break;
		while (data_decoder_next(dec, &rec, &detail) > 0) {
			check_record(rec.rec);
			n_frames++;
		}
	}
	if (n_frames != n_order)
		abort();
	data_decoder_free(dec);
	data_frame_release(&fr);
	data_reader_scan(r, &detail);
	data_reader_stat_u64(r, "samples", &v);
	data_reader_truncated(r);
	data_reader_close(r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int fd = memfd_create("fuzz-perf", 0);

	if (fd < 0)
		return 0;
	if (write(fd, data, size) == (ssize_t)size)
		read_file(fd);
	close(fd);
	return 0;
}
