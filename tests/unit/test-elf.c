// SPDX-License-Identifier: GPL-2.0-or-later
/* Symbols, load bias and build-ids of the test itself (PIE), libc and the vDSO. */
#include "resolve/elf.h"
#include "tap.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <unistd.h>

int test_marker_function(int x);

__attribute__((noinline)) int test_marker_function(int x)
{
	return x * 3 + 1;
}

/* The mapping of addr in /proc/self/maps: start, file offset and path. */
static int find_map(uint64_t addr, uint64_t *start, uint64_t *pgoff, char *path, size_t size)
{
	char line[4096];
	FILE *f = fopen("/proc/self/maps", "r");
	int found = 0;

	while (f && fgets(line, sizeof(line), f)) {
		uint64_t s, e, off;
		int n = 0;

		if (sscanf(line, "%" SCNx64 "-%" SCNx64 " %*s %" SCNx64 " %*s %*s %n", &s, &e, &off,
			   &n) < 3)
			continue;
		if (addr >= s && addr < e) {
			*start = s;
			*pgoff = off;
			snprintf(path, size, "%s", line + n);
			path[strcspn(path, "\n")] = '\0';
			found = 1;
			break;
		}
	}
	if (f)
		fclose(f);
	return found;
}

static void resolves(uint64_t addr, const char *want, const char *what)
{
	struct elf_object *o;
	uint64_t start, pgoff, vaddr, sstart, ssize;
	char path[4096];
	const char *name = NULL;

	if (!find_map(addr, &start, &pgoff, path, sizeof(path))) {
		ok(0, "%s: mapping found", what);
		return;
	}
	if (elf_object_open(path, &o) < 0) {
		ok(0, "%s: opens %s", what, path);
		return;
	}
	if (elf_object_to_vaddr(o, start, pgoff, addr, &vaddr) == 0)
		name = elf_object_symbol(o, vaddr, &sstart, &ssize);
	ok(name && strstr(name, want), "%s: %s resolves to %s", what, path, name ? name : "nothing");
	elf_object_free(o);
}

/* The vDSO's size, from its line in /proc/self/maps. */
static size_t vdso_size(uint64_t base)
{
	char line[512];
	size_t size = 0;
	FILE *f = fopen("/proc/self/maps", "r");

	while (f && fgets(line, sizeof(line), f)) {
		uint64_t s, e;

		if (sscanf(line, "%" SCNx64 "-%" SCNx64, &s, &e) == 2 && s == base)
			size = (size_t)(e - s);
	}
	if (f)
		fclose(f);
	return size;
}

int main(void)
{
	struct elf_object *o;
	uint8_t a[32], b[32];
	int n;
	const char *w = getenv("WORKLOADS");

	resolves((uint64_t)(uintptr_t)&test_marker_function + 4, "test_marker_function",
		 "PIE executable");
	resolves((uint64_t)(uintptr_t)&getpid, "getpid", "shared library");

	n = elf_file_build_id("/proc/self/exe", a, sizeof(a));
	is_int(n, 20, "the test has a 20-byte build-id");
	ok(elf_object_open("/proc/self/exe", &o) == 0, "open the test itself");
	is_int((long long)elf_object_build_id(o, b, sizeof(b)), 20, "same length from the object");
	ok(!memcmp(a, b, 20), "same build-id");
	ok(elf_object_nsymbols(o) > 10, "symbols loaded (%zu)", elf_object_nsymbols(o));
	elf_object_free(o);

	{
		uint64_t base = getauxval(AT_SYSINFO_EHDR);
		uint64_t start, size;
		size_t vsize = base ? vdso_size(base) : 0;
		bool found = false;

		if (vsize && elf_object_open_mem("[vdso]", (void *)(uintptr_t)base, vsize, &o) == 0) {
			for (uint64_t off = 0; off < vsize && !found; off += 16) {
				const char *name = elf_object_symbol(o, off, &start, &size);

				found = name && (strstr(name, "gettimeofday") ||
						 strstr(name, "clock_gettime"));
			}
			elf_object_free(o);
		}
		ok(found, "the vDSO image from memory has clock_gettime or gettimeofday");
	}

	if (w) {
		char path[4096];
		uint64_t start, size, vaddr;
		const char *name;

		snprintf(path, sizeof(path), "%s/burn-nopie", w);
		ok(elf_object_open(path, &o) == 0, "open a non-PIE executable");
		/* ET_EXEC: the text segment is mapped at its own address, bias 0 */
		name = NULL;
		for (uint64_t addr = 0x401000; addr < 0x403000 && !name; addr++) {
			if (elf_object_to_vaddr(o, 0x401000, 0x1000, addr, &vaddr) == 0 &&
			    vaddr == addr)
				name = elf_object_symbol(o, vaddr, &start, &size);
			if (name && strcmp(name, "main"))
				name = NULL;
		}
		ok(name != NULL, "non-PIE: main found at its own address");
		elf_object_free(o);
	} else {
		diag("WORKLOADS unset: the non-PIE check is skipped");
	}

	/* hostile input */
	{
		char tmpl[] = "/tmp/pmuprof-test-elf.XXXXXX";
		int fd = mkstemp(tmpl);
		FILE *exe = fopen("/proc/self/exe", "rb");
		char buf[4096];
		size_t got = exe ? fread(buf, 1, sizeof(buf), exe) : 0;
		bool clean = true;

		for (size_t len = 0; len <= got; len += len < 128 ? 1 : 97) {
			if (ftruncate(fd, 0) < 0 || pwrite(fd, buf, len, 0) != (ssize_t)len)
				break;
			if (elf_object_open(tmpl, &o) == 0)
				elf_object_free(o);
			n = elf_file_build_id(tmpl, a, sizeof(a));
			if (n > 32)
				clean = false;
		}
		memset(buf, 0, sizeof(buf));
		if (pwrite(fd, buf, sizeof(buf), 0) == sizeof(buf))
			clean &= elf_object_open(tmpl, &o) == -ENOEXEC;
		ok(clean, "cut and zeroed copies fail cleanly");
		if (exe)
			fclose(exe);
		close(fd);
		unlink(tmpl);
	}
	is_int(elf_object_open("/nonexistent/pmuprof", &o), -ENOENT, "missing file");
	return done_testing();
}
