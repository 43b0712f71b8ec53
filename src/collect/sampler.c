// SPDX-License-Identifier: GPL-2.0-or-later
#include "collect/sampler.h"
#include "util/alloc.h"
#include "util/proc.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

static int sys_perf_event_open(struct perf_event_attr *attr, pid_t pid, int cpu, int group_fd,
			       unsigned long flags)
{
	long fd = syscall(SYS_perf_event_open, attr, pid, cpu, group_fd, flags);

	return fd < 0 ? -errno : (int)fd;
}

size_t sampler_fit_pages(size_t want, size_t nrings)
{
	long page = sysconf(_SC_PAGESIZE);
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	long mlock_kb = proc_read_long("/proc/sys/kernel/perf_event_mlock_kb", 516);
	struct rlimit rl;
	uint64_t budget;
	size_t pages = want;

	/* root (CAP_IPC_LOCK) is not held to the limit */
	if (geteuid() == 0 || nrings == 0)
		return want;
	/* the kernel allows mlock_kb per CPU to each user, plus RLIMIT_MEMLOCK */
	budget = (uint64_t)mlock_kb * 1024 / (uint64_t)page * (uint64_t)(ncpu > 0 ? ncpu : 1);
	if (getrlimit(RLIMIT_MEMLOCK, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY)
		budget += rl.rlim_cur / (uint64_t)page;
	while (pages > 1 && (pages + 1) * nrings > budget)
		pages /= 2;
	return pages;
}

static int map_ring(struct sampler_ring *r, int fd, int cpu, size_t pages)
{
	long page = sysconf(_SC_PAGESIZE);
	size_t len = (pages + 1) * (size_t)page;
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);

	if (p == MAP_FAILED)
		return -errno;
	r->fd = fd;
	r->cpu = cpu;
	r->meta = p;
	r->data = (uint8_t *)p + page;
	r->size = (uint64_t)pages * (uint64_t)page;
	return 0;
}

static void unmap_rings(struct sampler *s)
{
	long page = sysconf(_SC_PAGESIZE);

	for (size_t i = 0; i < s->nrings; i++) {
		if (s->rings[i].meta)
			munmap(s->rings[i].meta, (s->ring_pages + 1) * (size_t)page);
		s->rings[i].meta = NULL;
		s->rings[i].fd = -1;
	}
}

void sampler_close(struct sampler *s)
{
	unmap_rings(s);
	for (size_t i = 0; i < s->nfds; i++)
		if (s->fds[i] >= 0)
			close(s->fds[i]);
	FREE_AND_NULL(s->fds);
	FREE_AND_NULL(s->rings);
	s->nfds = s->nrings = 0;
}

static int online_cpus(int *cpus, size_t max)
{
	char buf[4096];
	FILE *f = fopen("/sys/devices/system/cpu/online", "r");
	int n;

	if (!f)
		return -errno;
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = '\0';
	fclose(f);
	n = target_parse_cpulist(buf, cpus, max);
	return n > 0 ? n : -ENODEV;
}

/* Opens every fd; on failure closes what was opened and returns the error. */
/* The sample fields perfrec reads: samples of events with others are copied as they are. */
#define COMPACT_SAMPLE_TYPES                                                                  \
	(PERF_SAMPLE_IP | PERF_SAMPLE_TID | PERF_SAMPLE_TIME | PERF_SAMPLE_CPU |              \
	 PERF_SAMPLE_PERIOD | PERF_SAMPLE_CALLCHAIN | PERF_SAMPLE_REGS_USER |                 \
	 PERF_SAMPLE_STACK_USER)

static int open_all(struct sampler *s, const int *cpus, size_t ncpus, bool enable_on_exec)
{
	const struct target *t = s->target;
	size_t ntasks = t->kind == TARGET_CPUS ? 1 : t->nr;
	int first_err = 0;
	bool any = false;

	s->nfds = ntasks * ncpus;
	s->fds = xmalloc(s->nfds * sizeof(*s->fds));
	for (size_t k = 0; k < ntasks; k++) {
		pid_t pid = t->kind == TARGET_CPUS ? -1 : t->inst[k].pid;

		for (size_t c = 0; c < ncpus; c++) {
			struct perf_event_attr a = s->attr;
			int fd;

			a.disabled = 1;
			a.enable_on_exec = enable_on_exec;
			fd = sys_perf_event_open(&a, pid, cpus[c], -1, PERF_FLAG_FD_CLOEXEC);
			s->fds[k * ncpus + c] = fd < 0 ? -1 : fd;
			if (fd >= 0) {
				any = true;
			} else if (fd == -ESRCH && t->kind == TARGET_PID && k > 0) {
				continue; /* a thread ended while we opened: fine */
			} else if (!first_err) {
				first_err = fd;
			}
		}
	}
	if (first_err || !any) {
		for (size_t i = 0; i < s->nfds; i++)
			if (s->fds[i] >= 0)
				close(s->fds[i]);
		FREE_AND_NULL(s->fds);
		s->nfds = 0;
		return first_err ? first_err : -ESRCH;
	}
	return 0;
}

/* One ring per CPU, on that CPU's first fd; the CPU's other fds write into it. */
static int map_all(struct sampler *s, size_t ncpus, const int *cpus)
{
	size_t ntasks = s->nfds / ncpus;

	s->nrings = ncpus;
	s->rings = xcalloc(ncpus, sizeof(*s->rings));
	for (size_t c = 0; c < ncpus; c++) {
		int out = -1;

		s->rings[c].fd = -1;
		for (size_t k = 0; k < ntasks; k++) {
			int fd = s->fds[k * ncpus + c];
			int ret;

			if (fd < 0)
				continue;
			if (out < 0) {
				ret = map_ring(&s->rings[c], fd, cpus[c], s->ring_pages);
				if (ret < 0)
					return ret;
				out = fd;
			} else if (ioctl(fd, PERF_EVENT_IOC_SET_OUTPUT, out) < 0) {
				return -errno;
			}
		}
	}
	return 0;
}

/* The rings, halved until they fit in the locked-memory limit; closes s on failure. */
static int map_fitting(struct sampler *s, int ncpus, const int *cpus, size_t *pages)
{
	int ret;

	for (s->ring_pages = *pages;; s->ring_pages /= 2) {
		ret = map_all(s, (size_t)ncpus, cpus);
		if (ret != -EPERM || s->ring_pages <= 1)
			break;
		/* over the locked-memory limit: fit in it rather than fail */
		unmap_rings(s);
		FREE_AND_NULL(s->rings);
	}
	if (ret < 0) {
		sampler_close(s);
		return ret;
	}
	*pages = s->ring_pages;
	return 0;
}

int sampler_open(struct sampler *s, const struct perf_event_attr *attr, const struct target *t,
		 size_t *pages, bool enable_on_exec)
{
	int cpus[1024];
	int ncpus = online_cpus(cpus, ARRAY_SIZE(cpus));
	int ret;

	if (ncpus < 0)
		return ncpus;
	memset(s, 0, sizeof(*s));
	s->attr = *attr;
	s->target = t;
	s->attr.build_id = 1;
	s->attr.mmap2 = 1;
	ret = open_all(s, cpus, (size_t)ncpus, enable_on_exec);
	if (ret == -EINVAL) {
		/* before Linux 5.12 MMAP2 has no build-ids: read them from the files instead */
		s->attr.build_id = 0;
		ret = open_all(s, cpus, (size_t)ncpus, enable_on_exec);
	}
	if (ret < 0)
		return ret;
	s->build_id = s->attr.build_id;
	ret = map_fitting(s, ncpus, cpus, pages);
	if (ret == 0 && (s->attr.sample_type & PERF_SAMPLE_STACK_USER) &&
	    !(s->attr.sample_type & ~(uint64_t)COMPACT_SAMPLE_TYPES)) {
		for (size_t i = 0; i < s->nrings; i++) {
			s->rings[i].sample_type = s->attr.sample_type;
			s->rings[i].nregs =
			    (unsigned int)__builtin_popcountll(s->attr.sample_regs_user);
		}
	}
	return ret;
}

int sampler_open_cpus(struct sampler *s, const struct perf_event_attr *attrs, size_t n,
		      size_t *pages)
{
	int cpus[1024];
	int ncpus = online_cpus(cpus, ARRAY_SIZE(cpus));

	if (ncpus < 0)
		return ncpus;
	memset(s, 0, sizeof(*s));
	s->attr = attrs[0];
	s->nfds = n * (size_t)ncpus;
	s->fds = xmalloc(s->nfds * sizeof(*s->fds));
	for (size_t i = 0; i < s->nfds; i++)
		s->fds[i] = -1;
	for (size_t k = 0; k < n; k++) {
		for (size_t c = 0; c < (size_t)ncpus; c++) {
			struct perf_event_attr a = attrs[k];
			int fd;

			a.disabled = 1;
			fd = sys_perf_event_open(&a, -1, cpus[c], -1, PERF_FLAG_FD_CLOEXEC);
			if (fd < 0) {
				sampler_close(s);
				return fd;
			}
			s->fds[k * (size_t)ncpus + c] = fd;
		}
	}
	return map_fitting(s, ncpus, cpus, pages);
}

static int ioctl_all(struct sampler *s, unsigned long req)
{
	int ret = 0;

	for (size_t i = 0; i < s->nfds; i++)
		if (s->fds[i] >= 0 && ioctl(s->fds[i], req, 0) < 0 && !ret)
			ret = -errno;
	return ret;
}

int sampler_enable(struct sampler *s)
{
	return ioctl_all(s, PERF_EVENT_IOC_ENABLE);
}

int sampler_disable(struct sampler *s)
{
	return ioctl_all(s, PERF_EVENT_IOC_DISABLE);
}

/* Copies n bytes of the ring from position pos (any, wrapping) to dst. */
static void ring_copy(const struct sampler_ring *r, uint64_t pos, void *dst, size_t n)
{
	uint64_t off = pos & (r->size - 1);
	size_t first = r->size - off < n ? (size_t)(r->size - off) : n;

	memcpy(dst, r->data + off, first);
	memcpy((uint8_t *)dst + first, r->data, n - first);
}

static uint64_t ring_u64(const struct sampler_ring *r, uint64_t pos)
{
	uint64_t v;

	ring_copy(r, pos, &v, sizeof(v));
	return v;
}

/*
 * Where a sample's user stack size field is, from the record's start (the
 * fields before it, in the kernel's order), or 0 when it does not fit.
 */
static uint64_t stack_field(const struct sampler_ring *r, uint64_t pos, uint64_t size)
{
	uint64_t off = sizeof(struct perf_event_header), t = r->sample_type;

	off += 8ull * (!!(t & PERF_SAMPLE_IP) + !!(t & PERF_SAMPLE_TID) + !!(t & PERF_SAMPLE_TIME) +
		       !!(t & PERF_SAMPLE_CPU) + !!(t & PERF_SAMPLE_PERIOD));
	if (t & PERF_SAMPLE_CALLCHAIN) {
		uint64_t nr;

		if (off + 8 > size)
			return 0;
		nr = ring_u64(r, pos + off);
		if (nr > size / 8)
			return 0;
		off += 8 + 8 * nr;
	}
	if (t & PERF_SAMPLE_REGS_USER) {
		if (off + 8 > size)
			return 0;
		off += 8 + (ring_u64(r, pos + off) ? 8ull * r->nregs : 0);
	}
	return off + 8 <= size ? off : 0;
}

/*
 * The records of [tail, head) into out, stack copies cut to what the
 * kernel wrote; with out NULL, only how many bytes that would be.
 */
static size_t drain_compact(const struct sampler_ring *r, uint64_t tail, uint64_t head,
			    uint8_t *out)
{
	size_t n = 0;

	while (tail < head) {
		struct perf_event_header h;
		uint64_t off, size, dyn, keep;

		ring_copy(r, tail, &h, sizeof(h));
		if (h.size < sizeof(h) || h.size > head - tail) {
			/* not a record the kernel writes: hand the rest over as it is */
			if (out)
				ring_copy(r, tail, out + n, (size_t)(head - tail));
			return n + (size_t)(head - tail);
		}
		off = h.type == PERF_RECORD_SAMPLE ? stack_field(r, tail, h.size) : 0;
		size = off ? ring_u64(r, tail + off) : 0;
		if (!size || off + 16 + size > h.size) {
			if (out)
				ring_copy(r, tail, out + n, h.size);
			n += h.size;
			tail += h.size;
			continue;
		}
		dyn = ring_u64(r, tail + off + 8 + size);
		if (dyn > size)
			dyn = size;
		keep = dyn < size ? (dyn + 8) & ~7ull : size; /* past dyn when cut short */
		if (out) {
			ring_copy(r, tail, out + n, (size_t)off);
			((struct perf_event_header *)(out + n))->size =
			    (uint16_t)(h.size - (size - keep));
			memcpy(out + n + off, &keep, 8);
			ring_copy(r, tail + off + 8, out + n + off + 8, (size_t)dyn);
			memset(out + n + off + 8 + dyn, 0, (size_t)(keep - dyn));
			/* dyn_size, and whatever follows it */
			ring_copy(r, tail + off + 8 + size, out + n + off + 8 + keep,
				  (size_t)(h.size - off - 8 - size));
		}
		n += h.size - (size - keep);
		tail += h.size;
	}
	return n;
}

/* A buffer of at least len bytes in *buf, not zeroed: every byte handed out is written. */
static void drain_buf(uint8_t **buf, size_t *alloc, size_t len)
{
	if (len <= *alloc && *buf)
		return;
	free(*buf);
	*buf = xmalloc(len ? len : 1);
	*alloc = len;
}

size_t sampler_drain(struct sampler_ring *r, uint8_t **buf, size_t *alloc)
{
	uint64_t head, tail, len, off, first;

	if (!r->meta)
		return 0;
	/* pairs with the kernel's store of data_head after it wrote the records */
	head = __atomic_load_n(&r->meta->data_head, __ATOMIC_ACQUIRE);
	tail = r->meta->data_tail;
	len = head - tail;
	if (len == 0)
		return 0;
	if (len > r->size) /* cannot happen with a sane kernel; do not read garbage */
		len = r->size;
	if (r->sample_type) {
		/*
		 * Sized to what the records compact to: a ring of 32 KiB stack
		 * copies holds several times that, and a buffer of its size,
		 * zeroed and faulted in afresh at every drain (too large for
		 * malloc to reuse), was half of record's own CPU time at 10 kHz.
		 */
		drain_buf(buf, alloc, drain_compact(r, tail, tail + len, NULL));
		len = drain_compact(r, tail, tail + len, *buf);
		__atomic_store_n(&r->meta->data_tail, head, __ATOMIC_RELEASE);
		return (size_t)len;
	}
	drain_buf(buf, alloc, (size_t)len);
	off = tail & (r->size - 1);
	first = r->size - off < len ? r->size - off : len;
	memcpy(*buf, r->data + off, (size_t)first);
	memcpy(*buf + first, r->data, (size_t)(len - first));
	/* our reads are done before the kernel may reuse the space */
	__atomic_store_n(&r->meta->data_tail, head, __ATOMIC_RELEASE);
	return (size_t)len;
}
