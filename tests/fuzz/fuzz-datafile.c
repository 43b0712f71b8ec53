// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target for the pmuprof.data reader: any bytes must give a clean
 * error or records whose typed views check out, never a crash, a hang or a
 * runaway allocation. Built and run for a bounded time by contrib/test-all.sh.
 *
 * Each input is read twice: as a file, and as the decompressed bytes of a
 * frame of coded stacks (FRAME_STACK_DELTA) in a file made around it, so
 * that the stack decoder sees the fuzzer's bytes past zstd's checksum.
 */
#include "store/datafile.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <zstd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void read_file(int fd);

/* Appends one frame of `type` holding `raw` to fd: 0, or -1. */
static int put_frame(int fd, uint32_t type, uint32_t flags, const void *raw, size_t len)
{
	size_t bound = ZSTD_compressBound(len), c;
	struct frame_header fh;
	void *buf = malloc(bound);
	int ret = -1;

	c = ZSTD_compress(buf, bound, raw, len, 1);
	if (!ZSTD_isError(c)) {
		memset(&fh, 0, sizeof(fh));
		fh.magic = FRAME_MAGIC;
		fh.type = type;
		fh.csize = (uint32_t)c;
		fh.rsize = (uint32_t)len;
		fh.nrecords = 1;
		fh.flags = flags;
		if (write(fd, &fh, sizeof(fh)) == (ssize_t)sizeof(fh) &&
		    write(fd, buf, c) == (ssize_t)c)
			ret = 0;
	}
	free(buf);
	return ret;
}

/* data as the decompressed bytes of a RECORDS frame with coded stacks. */
static void read_as_delta_frame(const uint8_t *data, size_t size)
{
	struct file_header hdr;
	int fd = memfd_create("fuzz-delta", 0);

	if (fd < 0)
		return;
	memset(&hdr, 0, sizeof(hdr));
	memcpy(hdr.magic, PMUPROF_MAGIC, sizeof(hdr.magic));
	hdr.version = PMUPROF_VERSION_DELTA;
	hdr.header_size = sizeof(hdr);
	if (write(fd, &hdr, sizeof(hdr)) == (ssize_t)sizeof(hdr)) {
		if (put_frame(fd, FRAME_META, 0, NULL, 0) == 0 &&
		    put_frame(fd, FRAME_RECORDS, FRAME_STACK_DELTA, data, size) == 0)
			read_file(fd);
	}
	close(fd);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int fd = memfd_create("fuzz", 0);

	if (fd < 0)
		return 0;
	if (write(fd, data, size) == (ssize_t)size)
		read_file(fd);
	close(fd);
	if (size <= FRAME_MAX_RAW)
		read_as_delta_frame(data, size);
	return 0;
}

static void read_file(int fd)
{
	struct data_reader *r;
	struct data_record rec;
	const char *detail;
	char path[64];
	uint64_t v;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	if (data_reader_open(path, &r, &detail) == 0) {
		data_reader_meta_str(r, "event");
		data_reader_meta_u64(r, "freq-hz", &v);
		data_reader_stat_u64(r, "samples", &v);
		while (data_reader_next(r, &rec, &detail) > 0) {
			struct sample_view sv;
			const struct rec_mmap *m;
			const struct rec_comm *c;
			const struct rec_image *im;
			const struct rec_ksym *ks;
			const struct rec_task_cpu *tc;
			const struct rec_signal *sg;
			const struct rec_wakeup *wk;
			const char *name;
			const uint8_t *bytes;
			volatile uint64_t sink = 0;

			switch (rec.rec->type) {
			case REC_SAMPLE:
				if (record_sample(rec.rec, &sv) == 0) {
					for (unsigned i = 0; i < sv.s->nregs; i++)
						sink += sv.regs[i];
					for (unsigned i = 0; i < sv.s->ncallchain; i++)
						sink += sv.callchain[i];
					if (sv.s->stack_size)
						sink += sv.stack[sv.s->stack_size - 1];
				}
				break;
			case REC_MMAP:
				if (record_mmap(rec.rec, &m, &name) == 0)
					sink += strlen(name);
				break;
			case REC_COMM:
				if (record_comm(rec.rec, &c, &name) == 0)
					sink += strlen(name);
				break;
			case REC_IMAGE:
				if (record_image(rec.rec, &im, &name, &bytes) == 0 && im->size)
					sink += bytes[im->size - 1] + strlen(name);
				break;
			case REC_TASK_CPU:
				if (record_task_cpu(rec.rec, &tc) == 0)
					sink += tc->cpu_ns;
				break;
			case REC_KSYM:
				if (record_ksym(rec.rec, &ks, &name) == 0)
					sink += strlen(name) + ks->end - ks->start;
				break;
			case REC_SIGNAL:
				if (record_signal(rec.rec, &sg) == 0)
					sink += sg->time + (uint64_t)sg->sig + sg->to_tid + (uint64_t)sg->result;
				break;
			case REC_WAKEUP:
				if (record_wakeup(rec.rec, &wk) == 0)
					sink += wk->time + wk->woken_tid + wk->target_cpu;
				break;
			default:
				break;
			}
			(void)sink;
		}
		/* again as the first pass of a report reads: every record but samples */
		data_reader_rewind(r);
		data_reader_skip_samples(r, true);
		while (data_reader_next(r, &rec, &detail) > 0)
			if (rec.rec->type == REC_SAMPLE)
				abort();
		data_reader_truncated(r);
		data_reader_close(r);
	}
}
