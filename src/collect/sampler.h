/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Sampling with perf_event_open: one overflow event per (task, CPU) of a
 * target, each CPU's events sharing one mmap'd ring buffer, and a drain that
 * copies whole records out of a ring with the memory ordering the kernel's
 * ABI asks for (acquire data_head, release data_tail), wraparound included.
 *
 * Functions return 0 or -errno and never print.
 */
#ifndef PMUPROF_SAMPLER_H
#define PMUPROF_SAMPLER_H

#include "collect/target.h"

#include <asm/perf_regs.h>
#include <linux/perf_event.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct sampler_ring {
	int fd;	 /* the fd the ring is mapped on; -1 if none */
	int cpu;
	struct perf_event_mmap_page *meta;
	uint8_t *data;
	uint64_t size; /* data area bytes, a power of two */
	/*
	 * Samples with a user stack copy (sampler_open() of such an event):
	 * their layout, so that the drain copies the bytes the kernel wrote
	 * and not the whole requested size. sample_type 0: copied as they are.
	 */
	uint64_t sample_type;
	unsigned int nregs;
};

struct sampler {
	struct perf_event_attr attr; /* as opened */
	const struct target *target;
	int *fds; /* per (task instance, CPU); -1 where not open */
	size_t nfds;
	struct sampler_ring *rings; /* one per CPU */
	size_t nrings;
	size_t ring_pages; /* data pages per ring, as mapped */
	bool build_id;	   /* MMAP2 records carry build-ids (Linux 5.12+) */
};

/*
 * Opens `attr` on every CPU for every task instance of `target` (for
 * TARGET_CPUS, pid -1) and maps one ring per CPU of `pages` data pages (a
 * power of two). Retries without build-ids in MMAP2 on older kernels and
 * with fewer pages when the locked-memory limit refuses the mapping
 * (*pages is updated). With enable_on_exec the events start at the
 * workload's exec, otherwise at sampler_enable().
 */
int sampler_open(struct sampler *s, const struct perf_event_attr *attr, const struct target *t,
		 size_t *pages, bool enable_on_exec);
/*
 * Opens each of attrs[0..n) on every online CPU for whatever runs there
 * (pid -1), as given (no side-band records are added), all into one ring
 * per CPU of *pages data pages (updated as sampler_open() does). The
 * events start at sampler_enable(); s->target is NULL.
 */
int sampler_open_cpus(struct sampler *s, const struct perf_event_attr *attrs, size_t n,
		      size_t *pages);
int sampler_enable(struct sampler *s);
int sampler_disable(struct sampler *s);
void sampler_close(struct sampler *s);

/*
 * Copies what the ring holds into *buf (grown as needed, caller frees) and
 * frees the space in the ring. Returns the bytes copied (0 if empty).
 * Records are whole: the kernel publishes data_head only after them. A
 * sample's user stack copy keeps the bytes the kernel copied (dyn_size)
 * and its size field shrinks to them, rounded up to 8 (past dyn_size when
 * the copy was cut short, so a copy that filled the request still shows
 * it): a big request costs what threads use, not what was asked.
 */
size_t sampler_drain(struct sampler_ring *ring, uint8_t **buf, size_t *alloc);

/* The page budget per ring that perf_event_mlock_kb allows this user for n rings. */
size_t sampler_fit_pages(size_t want, size_t nrings);

/*
 * The x86-64 user registers pmuprof samples: bp, sp, ip (the unwinder's
 * inputs), stored in that order (perf's bit order).
 */
#define SAMPLER_REGS_MASK ((1ull << PERF_REG_X86_IP) | (1ull << PERF_REG_X86_SP) | (1ull << PERF_REG_X86_BP))

#endif
