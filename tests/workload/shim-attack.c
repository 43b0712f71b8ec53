// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A program hostile to the timer samplers (record --sampler itimer|ctimer):
 * it burns CPU in attack_before, waits for pmuprof to drain those samples,
 * then does MODE to the memory it shares with pmuprof (the descriptor in
 * PMUPROF_SHIM_FD) or to its own SIGPROF, burns CPU in attack_after and
 * exits with status 7, so that a test can tell its status from pmuprof's.
 *
 *   shrink	    ftruncate the shared memory to nothing
 *   ring-bytes	    a huge ring_bytes in the header, and a slot whose tail lies far away
 *   map-bytes	    a map_bytes in the header that reaches from pmuprof's mapping of the
 *		    memory to the top of its address space: its stack, were it unmapped
 *   slots	    the whole slot table overwritten with garbage
 *   raw-block	    SIGPROF blocked with the raw rt_sigprocmask system call, which the
 *		    shim's sigprocmask and pthread_sigmask never see, before any CPU is used
 *   raw-block-thread  the same in a second thread only, while the main thread burns
 */
#include "shim/shim-abi.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static volatile uint64_t sink;
/* read at run time: a constant argument would have the compiler clone the functions */
static volatile double before_s = 0.3, after_s = 0.2;

static double cpu_now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* inlined: the samples' leaf is the function that burns, not a shared helper */
static inline __attribute__((always_inline)) void burn(double s)
{
	double end = cpu_now() + s;

	while (cpu_now() < end)
		for (int i = 0; i < 10000; i++)
			sink += (uint64_t)i * sink + 1;
}

/* told apart by what they do last: identical, the compiler would fold them into one */
__attribute__((noinline)) static void attack_before(double s)
{
	burn(s);
	sink ^= 1;
}

__attribute__((noinline)) static void attack_after(double s)
{
	burn(s);
	sink ^= 2;
}

/* The shared memory, mapped by the program itself as any code in it could. */
static uint8_t *shared(int *fd, size_t *size)
{
	const char *env = getenv(SHIM_ENV_FD);
	struct stat st;
	void *p;

	if (!env) {
		fprintf(stderr, "shim-attack: no %s: run it under record --sampler\n", SHIM_ENV_FD);
		exit(2);
	}
	*fd = atoi(env);
	if (fstat(*fd, &st) < 0) {
		perror("shim-attack: fstat");
		exit(2);
	}
	*size = (size_t)st.st_size;
	p = mmap(NULL, *size, PROT_READ | PROT_WRITE, MAP_SHARED, *fd, 0);
	if (p == MAP_FAILED) {
		perror("shim-attack: mmap");
		exit(2);
	}
	return p;
}

/*
 * From where pmuprof (the parent) maps the memory to the top of user space
 * on x86-64 (everything above it, its stack included); 512 GiB if unknown.
 */
static uint64_t to_top_of_parent(void)
{
	char path[64], line[512];
	unsigned long lo, hi;
	uint64_t len = 512ull << 30;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/maps", (int)getppid());
	f = fopen(path, "r");
	if (!f)
		return len;
	while (fgets(line, sizeof(line), f))
		if (strstr(line, "memfd:pmuprof-shim") && sscanf(line, "%lx-%lx", &lo, &hi) == 2) {
			len = 0x7ffffffff000ull - lo;
			break;
		}
	fclose(f);
	return len;
}

static void raw_block(void)
{
	uint64_t set = 1ull << (SIGPROF - 1);

	if (syscall(SYS_rt_sigprocmask, SIG_BLOCK, &set, NULL, sizeof(set)) < 0)
		perror("shim-attack: rt_sigprocmask");
}

static void *blocked_thread(void *arg)
{
	(void)arg;
	raw_block();
	attack_after(before_s);
	return NULL;
}

/*
 * Waits until pmuprof has read everything this process's threads wrote
 * (it empties the rings every 20 ms, later on a loaded machine), so that
 * the samples taken before the attack are its own: at most 10 s.
 */
static void drained(const struct shim_header *h, struct shim_slot *slots)
{
	uint32_t pid = (uint32_t)getpid();

	usleep(50000);
	for (int waited = 0; waited < 1000; waited++) {
		bool pending = false;

		for (uint32_t i = 0; i < h->nslots; i++)
			if (slots[i].pid == pid && atomic_load(&slots[i].state) != SLOT_FREE &&
			    atomic_load(&slots[i].tail) != atomic_load(&slots[i].head))
				pending = true;
		if (!pending)
			return;
		usleep(10000);
	}
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "";
	struct shim_header *h;
	struct shim_slot *slots;
	uint8_t *p;
	size_t size;
	int fd;

	if (!strcmp(mode, "raw-block")) {
		raw_block();
		attack_after(before_s + after_s);
		return 7;
	}
	if (!strcmp(mode, "raw-block-thread")) {
		pthread_t t;

		if (pthread_create(&t, NULL, blocked_thread, NULL))
			return 2;
		attack_before(before_s);
		pthread_join(t, NULL);
		return 7;
	}
	p = shared(&fd, &size);
	h = (struct shim_header *)p;
	slots = (struct shim_slot *)(p + h->slots_offset);
	attack_before(before_s);
	drained(h, slots);
	if (!strcmp(mode, "shrink")) {
		if (ftruncate(fd, 0) < 0)
			fprintf(stderr, "shim-attack: shrink: %s\n", strerror(errno));
		else
			fprintf(stderr, "shim-attack: shrink: done\n");
	} else if (!strcmp(mode, "ring-bytes")) {
		struct shim_slot *last = &slots[h->nslots - 1];

		h->ring_bytes = 1ull << 40;
		last->pid = last->tid = 0x7fffffff;
		last->tail = 1ull << 39;
		last->head = last->tail + 64;
		last->state = SLOT_DONE;
	} else if (!strcmp(mode, "map-bytes")) {
		h->map_bytes = to_top_of_parent();
	} else if (!strcmp(mode, "slots")) {
		uint64_t x = 0x9e3779b97f4a7c15ull, *w = (uint64_t *)slots;

		for (size_t i = 0; i < h->nslots * sizeof(*slots) / 8; i++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			w[i] = x;
		}
		/* states pmuprof reads the rest of the slot for */
		for (uint32_t i = 0; i < h->nslots; i++)
			slots[i].state = i % 2 ? SLOT_DONE : SLOT_ACTIVE;
	} else {
		fprintf(stderr, "shim-attack: unknown mode '%s'\n", mode);
		return 2;
	}
	attack_after(after_s);
	return 7;
}
