// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target for the pmuprof.data reader: any bytes must give a clean
 * error or records whose typed views check out, never a crash, a hang or a
 * runaway allocation. Built and run for a bounded time by contrib/test-all.sh.
 */
#include "store/datafile.h"

#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct data_reader *r;
	struct data_record rec;
	const char *detail;
	char path[64];
	uint64_t v;
	int fd = memfd_create("fuzz", 0);

	if (fd < 0)
		return 0;
	if (write(fd, data, size) != (ssize_t)size) {
		close(fd);
		return 0;
	}
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
		data_reader_truncated(r);
		data_reader_close(r);
	}
	close(fd);
	return 0;
}
