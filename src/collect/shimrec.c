// SPDX-License-Identifier: GPL-2.0-or-later
#include "collect/shimrec.h"
#include "store/format.h"
#include "util/alloc.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

/* set by Makefile.am; a build by hand (the fuzz targets) takes the default prefix */
#ifndef PMUPROF_PKGLIBDIR
#define PMUPROF_PKGLIBDIR "/usr/local/lib/pmuprof"
#endif

#define NSLOTS	      1024
#define RING_RECORDS  48   /* samples a ring holds: about 0.2 s at the per-thread tick limit */
#define MIN_RING      (64u << 10)

static uint64_t mono_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

/* The seals that keep the program from resizing the memory under pmuprof's reads. */
#define SEALS (F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL)

int shimrec_open(struct shimrec *s, enum shim_mode mode, unsigned long hz, uint32_t stack_bytes)
{
	uint64_t rec = sizeof(struct rec_sample) + 3 * 8 + stack_bytes, ring = MIN_RING;
	uint64_t slots_off = 4096, rings_off, total;
	struct shim_header *h;
	void *p;
	int fd;

	memset(s, 0, sizeof(*s));
	s->fd = -1;
	while (ring < rec * RING_RECORDS)
		ring *= 2;
	rings_off = slots_off + ((NSLOTS * sizeof(struct shim_slot) + 4095) & ~4095ull);
	total = rings_off + NSLOTS * ring;
	/* not close-on-exec: the program inherits it; the shim finds it by number */
	fd = memfd_create("pmuprof-shim", MFD_ALLOW_SEALING);
	if (fd < 0)
		return -errno;
	/*
	 * The program holds the descriptor: shrunk, the memory would turn
	 * pmuprof's next read of a ring into a SIGBUS. Sealed, it keeps its
	 * size, and the seals cannot be lifted.
	 */
	if (ftruncate(fd, (off_t)total) < 0 || fcntl(fd, F_ADD_SEALS, SEALS) < 0) {
		int e = -errno;

		close(fd);
		return e;
	}
	p = mmap(NULL, total, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) {
		int e = -errno;

		close(fd);
		return e;
	}
	h = p;
	h->version = SHIM_ABI_VERSION;
	h->mode = mode;
	h->period_ns = 1000000000u / hz ? 1000000000u / hz : 1;
	h->stack_bytes = stack_bytes;
	h->nslots = NSLOTS;
	h->ring_bytes = ring;
	h->slots_offset = slots_off;
	h->rings_offset = rings_off;
	h->map_bytes = total;
	atomic_thread_fence(memory_order_release);
	h->magic = SHIM_MAGIC;
	s->fd = fd;
	s->hdr = h;
	s->slots = (struct shim_slot *)((uint8_t *)p + slots_off);
	s->rings = (uint8_t *)p + rings_off;
	s->mode = mode;
	s->nslots = NSLOTS;
	s->ring_bytes = ring;
	s->map_bytes = total;
	s->period_ns = h->period_ns;
	s->tail = xcalloc(NSLOTS, sizeof(*s->tail));
	s->lost_seen = xcalloc(NSLOTS, sizeof(*s->lost_seen));
	s->bad = xcalloc(NSLOTS, sizeof(*s->bad));
	return 0;
}

void shimrec_close(struct shimrec *s)
{
	if (s->hdr)
		munmap(s->hdr, s->map_bytes);
	if (s->fd >= 0)
		close(s->fd);
	free(s->tail);
	free(s->lost_seen);
	free(s->bad);
	memset(s, 0, sizeof(*s));
	s->fd = -1;
}

bool shimrec_unsignalled(uint64_t cpu_ns, uint64_t signals, uint64_t period_ns)
{
	return !signals && cpu_ns >= 50000000u && cpu_ns / 4 >= period_ns;
}

static void *append(uint8_t **buf, size_t *alloc, size_t *len, size_t n)
{
	void *p;

	xgrow(buf, alloc, *len + n, 1);
	p = *buf + *len;
	*len += n;
	return p;
}

static void append_lost(uint8_t **buf, size_t *alloc, size_t *len, uint64_t time, uint64_t n)
{
	struct rec_lost *l = append(buf, alloc, len, sizeof(*l));
	uint64_t now = mono_ns();

	memset(l, 0, sizeof(*l));
	l->h.type = REC_LOST;
	l->h.misc = LOST_SHIM;
	l->h.size = sizeof(*l);
	/* the program's clock reading: never one from the future */
	l->time = time < now ? time : now;
	l->count = n;
}

/* A thread that no longer exists will write no more. */
static bool thread_gone(const struct shim_slot *slot)
{
	return syscall(SYS_tgkill, (pid_t)slot->pid, (pid_t)slot->tid, 0) < 0 && errno == ESRCH;
}

/*
 * Copies one ring's committed records; false if the ring holds garbage.
 * Only head is the program's to say: the ring's size and the position read
 * up to are pmuprof's own, so that every offset stays inside the ring.
 */
static bool drain_ring(struct shimrec *s, uint32_t i, uint8_t **buf, size_t *alloc, size_t *len)
{
	struct shim_slot *slot = &s->slots[i];
	const uint8_t *ring = s->rings + (uint64_t)i * s->ring_bytes;
	uint64_t size = s->ring_bytes;
	uint64_t head = atomic_load_explicit(&slot->head, memory_order_acquire);
	uint64_t tail = s->tail[i];
	bool ok = true;

	if (head < tail || head - tail > size)
		return false;
	while (tail < head) {
		uint64_t pos = tail & (size - 1);
		struct rec_header h;
		struct rec_header *copy;

		if (size - pos < sizeof(h)) {
			ok = false;
			break;
		}
		memcpy(&h, ring + pos, sizeof(h));
		if (h.size < sizeof(h) || h.size % 8 || h.size > size - pos || h.size > head - tail ||
		    (h.type != SHIM_REC_PAD &&
		     (h.type != REC_SAMPLE || h.size < sizeof(struct rec_sample)))) {
			ok = false;
			break;
		}
		if (h.type == REC_SAMPLE) {
			copy = append(buf, alloc, len, h.size);
			memcpy(copy, ring + pos, h.size);
			/* the program may have changed it since: the checked header stands */
			*copy = h;
		}
		tail += h.size;
	}
	s->tail[i] = tail;
	/* the producer's view of the room left, whatever the program wrote there */
	atomic_store_explicit(&slot->tail, tail, memory_order_release);
	return ok;
}

/*
 * A slot whose owner is done: ctimer's timer counts the owner's own CPU
 * time, so an owner that used some and got no signal had SIGPROF blocked.
 * itimer's process-wide signal may go to another thread (older kernels
 * prefer the main one): only the process as a whole can be judged.
 */
static void owner_done(struct shimrec *s, struct shim_slot *slot)
{
	uint64_t cpu = atomic_load(&slot->owner_cpu_ns);

	if (s->mode != SHIM_CTIMER ||
	    !shimrec_unsignalled(cpu, atomic_load(&slot->owner_signals), s->period_ns))
		return;
	s->unsignalled++;
	/* the program's number: saturated rather than wrapped */
	s->unsignalled_ns = cpu > UINT64_MAX - s->unsignalled_ns ? UINT64_MAX
								  : s->unsignalled_ns + cpu;
}

size_t shimrec_drain(struct shimrec *s, uint8_t **buf, size_t *alloc)
{
	struct shim_header *hdr = s->hdr;
	uint64_t no_slot;
	size_t len = 0;

	for (uint32_t i = 0; i < s->nslots; i++) {
		struct shim_slot *slot = &s->slots[i];
		uint32_t state = atomic_load_explicit(&slot->state, memory_order_acquire);
		uint64_t lost;

		if (state != SLOT_ACTIVE && state != SLOT_DONE)
			continue;
		if (s->bad[i])
			continue;
		if (!drain_ring(s, i, buf, alloc, &len)) {
			/* its counters are as suspect as its ring: what they said before stands */
			s->bad[i] = true;
			s->bad_rings++;
			continue;
		}
		lost = atomic_load_explicit(&slot->lost, memory_order_relaxed);
		if (lost > s->lost_seen[i]) {
			append_lost(buf, alloc, &len, atomic_load(&slot->lost_time),
				    lost - s->lost_seen[i]);
			s->lost_seen[i] = lost;
		}
		if (atomic_load(&slot->head) != s->tail[i])
			continue;
		/* empty: a slot whose thread ended can serve another */
		if (state == SLOT_ACTIVE && !thread_gone(slot))
			continue;
		if (atomic_compare_exchange_strong(&slot->state, &state, SLOT_FREE))
			owner_done(s, slot);
	}
	no_slot = atomic_load(&hdr->no_slot);
	if (no_slot > s->no_slot_seen) {
		append_lost(buf, alloc, &len, mono_ns(), no_slot - s->no_slot_seen);
		s->no_slot_seen = no_slot;
	}
	return len;
}

void shimrec_stats(const struct shimrec *s, uint64_t cpu_ns, struct shimrec_stats *st)
{
	const struct shim_header *h = s->hdr;

	memset(st, 0, sizeof(*st));
	for (uint32_t i = 0; i < s->nslots; i++) {
		/* an abandoned slot's counters are garbage: only the drops it recorded count */
		if (s->bad[i]) {
			st->lost += s->lost_seen[i];
			continue;
		}
		st->signals += atomic_load(&s->slots[i].signals);
		st->overruns += atomic_load(&s->slots[i].overruns);
		st->lost += atomic_load(&s->slots[i].lost);
	}
	st->lost += atomic_load(&h->no_slot);
	st->foreign = atomic_load(&h->foreign);
	st->late = atomic_load(&h->late);
	st->images = atomic_load(&h->images);
	st->timer_failures = atomic_load(&h->timer_failures);
	st->events = atomic_load(&h->events);
	for (int e = 0; e < SHIM_NEVENTS; e++)
		st->event_time[e] = atomic_load(&h->event_time[e]);
	st->bad_rings = s->bad_rings;
	st->unsignalled = s->unsignalled;
	st->unsignalled_ns = s->unsignalled_ns;
	/*
	 * The kernel's count holds even where the program's slots say nothing,
	 * unless the program wrote over some of them: then their signals are unknown.
	 */
	if (!st->unsignalled && st->images && !st->bad_rings &&
	    shimrec_unsignalled(cpu_ns, st->signals, s->period_ns)) {
		st->unsignalled = 1;
		st->unsignalled_ns = cpu_ns;
	}
}

const char *shimrec_install_dir(void)
{
	return PMUPROF_PKGLIBDIR;
}

const char *shimrec_library(void)
{
	static char path[PATH_MAX + 32];
	const char *env = getenv("PMUPROF_SHIM");
	char exe[PATH_MAX];
	ssize_t n;
	char *slash;

	if (env && *env) {
		snprintf(path, sizeof(path), "%s", env);
		return access(path, R_OK) == 0 ? path : NULL;
	}
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		exe[n] = '\0';
		slash = strrchr(exe, '/');
		if (slash) {
			*slash = '\0';
			snprintf(path, sizeof(path), "%s/libpmuprof-shim.so", exe);
			if (access(path, R_OK) == 0)
				return path;
		}
	}
	snprintf(path, sizeof(path), "%s/libpmuprof-shim.so", PMUPROF_PKGLIBDIR);
	return access(path, R_OK) == 0 ? path : NULL;
}

/* The file execvp would run for `file`: 0 and its path, or -errno. */
static int find_program(const char *file, char *out, size_t size)
{
	const char *path = getenv("PATH"), *p;
	int err = -ENOENT;

	if (strchr(file, '/')) {
		snprintf(out, size, "%s", file);
		return access(out, X_OK) == 0 ? 0 : -errno;
	}
	if (!path)
		path = "/usr/local/bin:/usr/bin:/bin";
	for (p = path;; p++) {
		const char *end = strchrnul(p, ':');

		snprintf(out, size, "%.*s%s%s", (int)(end - p), p, end > p ? "/" : "", file);
		if (access(out, X_OK) == 0)
			return 0;
		if (errno == EACCES)
			err = -EACCES;
		if (!*end)
			break;
		p = end;
	}
	return err;
}

int shimrec_check_program(const char *file)
{
	char path[PATH_MAX + 256];
	Elf64_Ehdr eh;
	struct stat st;
	int fd, ret = find_program(file, path, sizeof(path));

	if (ret < 0)
		return ret;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0 || pread(fd, &eh, sizeof(eh), 0) != (ssize_t)sizeof(eh) ||
	    memcmp(eh.e_ident, ELFMAG, SELFMAG)) {
		close(fd);
		return 0; /* a script or another format: its interpreter decides */
	}
	/* the loader ignores LD_PRELOAD for programs that change privileges */
	if (((st.st_mode & S_ISUID) && st.st_uid != geteuid()) ||
	    ((st.st_mode & S_ISGID) && st.st_gid != getegid())) {
		close(fd);
		return -EPERM;
	}
	if (eh.e_ident[EI_CLASS] != ELFCLASS64 || eh.e_machine != EM_X86_64) {
		close(fd);
		return -ELIBBAD;
	}
	ret = -ENOEXEC;
	for (unsigned int i = 0; i < eh.e_phnum && i < 4096; i++) {
		Elf64_Phdr ph;

		if (pread(fd, &ph, sizeof(ph), (off_t)(eh.e_phoff + (uint64_t)i * eh.e_phentsize)) !=
		    (ssize_t)sizeof(ph))
			break;
		if (ph.p_type == PT_INTERP) {
			ret = 0;
			break;
		}
	}
	close(fd);
	return ret;
}

static double since_start(uint64_t t, uint64_t start)
{
	return t > start ? (double)(t - start) / 1e9 : 0;
}

char *shimrec_conflict(const struct shimrec_stats *st, enum shim_mode mode, uint64_t start)
{
	char buf[1024];
	size_t n = 0;

#define ADD(...)                                                                                   \
	(n += (size_t)snprintf(buf + n, n < sizeof(buf) ? sizeof(buf) - n : 0, __VA_ARGS__))
	if (st->events & (1u << SHIM_EV_HANDLER_FOUND))
		ADD("%sa SIGPROF handler was installed before the sampler loaded; it received the "
		    "program's other SIGPROFs",
		    n ? "; " : "");
	if (st->events & (1u << SHIM_EV_OWN_HANDLER))
		ADD("%sthe program installed its own SIGPROF handler at %.3f s: pmuprof kept its "
		    "own and passed the program's other SIGPROFs on to it",
		    n ? "; " : "", since_start(st->event_time[SHIM_EV_OWN_HANDLER], start));
	if (st->events & (1u << SHIM_EV_OWN_ITIMER))
		ADD(mode == SHIM_ITIMER ? "%sthe program set ITIMER_PROF at %.3f s, which this "
					  "sampler owns: its setting was not applied"
					: "%sthe program ran ITIMER_PROF from %.3f s; its signals "
					  "went to its own handler",
		    n ? "; " : "", since_start(st->event_time[SHIM_EV_OWN_ITIMER], start));
	if (st->events & (1u << SHIM_EV_TIMER_FAILED))
		ADD("%s%llu timer(s) could not be armed: some threads were not sampled",
		    n ? "; " : "", (unsigned long long)st->timer_failures);
	if (st->events & (1u << SHIM_EV_NO_SLOT))
		ADD("%sthreads beyond the shim's slots went unsampled", n ? "; " : "");
	if (st->bad_rings)
		ADD("%s%llu ring(s) held damaged records (the program wrote over them) and were "
		    "abandoned",
		    n ? "; " : "", (unsigned long long)st->bad_rings);
	if (st->unsignalled)
		ADD("%s%llu thread(s) used %.2f s of CPU but received none of the sampler's "
		    "signals (SIGPROF blocked where the sampler cannot see it, such as with the "
		    "raw rt_sigprocmask system call): that time is missing from the profile",
		    n ? "; " : "", (unsigned long long)st->unsignalled,
		    (double)st->unsignalled_ns / 1e9);
#undef ADD
	return n ? xstrdup(buf) : NULL;
}
