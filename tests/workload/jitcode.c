// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * jitcode MODE [MS]: about MS milliseconds (default 600) of CPU in
 * generated code that names itself as a JIT runtime does, so that JIT
 * names are tested without one (tests/cli/report-jit.sh). Two functions
 * are copied into fresh memory, both keeping frame pointers as V8's code
 * does: jit_hot_loop (a countdown) and jit_outer, which calls it; the
 * program calls jit_outer from run(), in a loop. MODE says where the code
 * is and how it is named:
 *
 *   map    memory made executable by mprotect (no mapping the kernel
 *          reports), named in /tmp/perf-PID.map
 *   anon   anonymous memory mapped executable ("//anon"), named in
 *          /tmp/perf-PID.map
 *   dump   as map, named in a jitdump, jit-PID.dump in the current
 *          directory, mapped executable as its marker (as V8 does)
 *   none   as map, named nowhere
 *   late   as map, but jit_outer's line is written only at the end, as a
 *          runtime that buffers its map writes it
 *
 * It prints "jitcode: pid PID" first, and leaves its files behind.
 */
#define _GNU_SOURCE
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define OUTER 0x20 /* jit_outer's offset in the code */

/*
 * jit_hot_loop(n), at 0: push rbp; mov rbp, rsp; 1: dec rdi; jnz 1b; pop rbp; ret
 * jit_outer(n), at 0x20: push rbp; mov rbp, rsp; call jit_hot_loop; pop rbp; ret
 */
static const unsigned char hot[] = { 0x55, 0x48, 0x89, 0xe5, 0x48, 0xff, 0xcf,
				     0x75, 0xfb, 0x5d, 0xc3 };
static const unsigned char outer[] = { 0x55, 0x48, 0x89, 0xe5, 0xe8, 0xd7,
				       0xff, 0xff, 0xff, 0x5d, 0xc3 }; /* call -0x29 */

static uint64_t cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static __attribute__((noinline)) void run(void (*fn)(long), uint64_t ns)
{
	uint64_t start = cpu_ns();

	while (cpu_ns() - start < ns)
		fn(200000);
	__asm__ volatile("" ::: "memory"); /* not a tail call: run stays on the stack */
}

static int write_map(uintptr_t code, bool hot_line, bool outer_line)
{
	char path[64];
	FILE *f;

	snprintf(path, sizeof(path), "/tmp/perf-%d.map", (int)getpid());
	f = fopen(path, hot_line ? "w" : "a");
	if (!f)
		return -1;
	if (hot_line)
		fprintf(f, "%lx %zx jit_hot_loop\n", (unsigned long)code, sizeof(hot));
	if (outer_line)
		fprintf(f, "%lx %zx jit_outer\n", (unsigned long)(code + OUTER), sizeof(outer));
	return fclose(f);
}

static void put(FILE *f, const void *p, size_t n)
{
	fwrite(p, 1, n, f);
}

/* A JIT_CODE_LOAD record (tools/perf/Documentation/jitdump-specification.txt). */
static void put_load(FILE *f, const char *name, uint64_t addr, const unsigned char *code,
		     uint64_t size, uint64_t index)
{
	uint32_t u32[2] = { 0, (uint32_t)(16 + 40 + strlen(name) + 1 + size) };
	uint64_t time = mono_ns();
	uint32_t ids[2] = { (uint32_t)getpid(), (uint32_t)getpid() };
	uint64_t body[4] = { addr, addr, size, index };

	put(f, u32, sizeof(u32));
	put(f, &time, sizeof(time));
	put(f, ids, sizeof(ids));
	put(f, body, sizeof(body));
	put(f, name, strlen(name) + 1);
	put(f, code, size);
}

static int write_dump(uintptr_t code)
{
	char path[64];
	uint32_t head[6] = { 0x4A695444, 1, 40, 62 /* EM_X86_64 */, 0, (uint32_t)getpid() };
	uint64_t head2[2] = { mono_ns(), 0 };
	long page = sysconf(_SC_PAGESIZE);
	FILE *f;

	snprintf(path, sizeof(path), "jit-%d.dump", (int)getpid());
	f = fopen(path, "w+");
	if (!f)
		return -1;
	put(f, head, sizeof(head));
	put(f, head2, sizeof(head2));
	put_load(f, "jit_hot_loop", code, hot, sizeof(hot), 1);
	put_load(f, "jit_outer", code + OUTER, outer, sizeof(outer), 2);
	fflush(f);
	/* the marker: a mapping of the file that the recording shows */
	if (mmap(NULL, (size_t)page, PROT_READ | PROT_EXEC, MAP_PRIVATE, fileno(f), 0) ==
	    MAP_FAILED)
		return -1;
	return 0;
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "";
	uint64_t goal = (uint64_t)(argc > 2 ? atol(argv[2]) : 600) * 1000000u;
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	bool anon = !strcmp(mode, "anon"), dump = !strcmp(mode, "dump");
	bool none = !strcmp(mode, "none"), late = !strcmp(mode, "late");
	void (*fn)(long);
	unsigned char *mem;

	if (!anon && !dump && !none && !late && strcmp(mode, "map")) {
		fprintf(stderr, "usage: jitcode map|anon|dump|none|late [MS]\n");
		return 2;
	}
	printf("jitcode: pid %d\n", (int)getpid());
	fflush(stdout);
	mem = mmap(NULL, page, PROT_READ | PROT_WRITE | (anon ? PROT_EXEC : 0),
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED) {
		perror("jitcode: mmap");
		return 1;
	}
	memcpy(mem, hot, sizeof(hot));
	memcpy(mem + OUTER, outer, sizeof(outer));
	if (!anon && mprotect(mem, page, PROT_READ | PROT_EXEC) < 0) {
		perror("jitcode: mprotect");
		return 1;
	}
	if (!none && (dump ? write_dump((uintptr_t)mem) : write_map((uintptr_t)mem, true, !late)) <
			     0) {
		perror("jitcode: writing the names of the code");
		return 1;
	}
	fn = (void (*)(long))(uintptr_t)(mem + OUTER);
	run(fn, goal);
	if (late && write_map((uintptr_t)mem, false, true) < 0) {
		perror("jitcode: writing the names of the code");
		return 1;
	}
	return 0;
}
