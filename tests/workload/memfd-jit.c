// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * memfd-jit [MS]: about MS milliseconds (default 600) of CPU in generated
 * code, as a JIT runs it: half in a copy mapped from a memfd (which the
 * kernel names "/memfd:pmuprof-jit (deleted)"), half in anonymous memory
 * ("//anon"). No file holds either, so a report names them by address and
 * has nothing to warn about (tests/cli/report-objects.sh).
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

/* loop: dec %rdi; jnz loop; ret */
static const unsigned char code[] = { 0x48, 0xff, 0xcf, 0x75, 0xfb, 0xc3 };

static uint64_t cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void run(void (*fn)(long), uint64_t ns)
{
	uint64_t start = cpu_ns();

	while (cpu_ns() - start < ns)
		fn(100000);
}

int main(int argc, char **argv)
{
	uint64_t goal = (uint64_t)(argc > 1 ? atol(argv[1]) : 600) * 1000000u;
	long page = sysconf(_SC_PAGESIZE);
	void (*fn)(long);
	void *mem;
	int fd;

	fd = memfd_create("pmuprof-jit", MFD_CLOEXEC);
	if (fd < 0 || ftruncate(fd, page) < 0 || pwrite(fd, code, sizeof(code), 0) < 0) {
		perror("memfd-jit: memfd");
		return 1;
	}
	mem = mmap(NULL, (size_t)page, PROT_READ | PROT_EXEC, MAP_SHARED, fd, 0);
	if (mem == MAP_FAILED) {
		perror("memfd-jit: mmap of the memfd");
		return 1;
	}
	memcpy(&fn, &mem, sizeof(fn));
	run(fn, goal / 2);
	mem = mmap(NULL, (size_t)page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED || (memcpy(mem, code, sizeof(code)),
				  mprotect(mem, (size_t)page, PROT_READ | PROT_EXEC)) < 0) {
		perror("memfd-jit: anonymous code");
		return 1;
	}
	memcpy(&fn, &mem, sizeof(fn));
	run(fn, goal / 2);
	return 0;
}
