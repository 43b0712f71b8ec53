// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Names of JIT code: perf maps as V8 writes them and as they are not
 * (a 0x prefix, CRLF, names with spaces, a last line without newline, and
 * lines that must be skipped: no size, no name, bad or overlong hex, a
 * NUL, a zero or huge size, an address range that wraps); overlapping
 * entries, of which the later wins; jitdumps built here (loads, a move,
 * a debug-info record skipped, a load whose code does not fit its record,
 * a record cut short, another version, the other byte order); the file
 * reader's refusals (a symbolic link, a FIFO, another user's file) and the
 * names of jitdumps.
 */
#include "resolve/jit.h"
#include "tap.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *name_at(const struct jit_syms *j, uint64_t addr, uint64_t *start)
{
	*start = 0;
	return jit_syms_find(j, addr, start);
}

static void is_name(const struct jit_syms *j, uint64_t addr, const char *want,
		    uint64_t want_start, const char *what)
{
	uint64_t start;
	const char *got = name_at(j, addr, &start);

	is_str(got ? got : "(none)", want ? want : "(none)", what);
	if (want)
		is_int((long long)start, (long long)want_start, what);
}

static void test_perf_map(void)
{
	static const char text[] = "1000 10 JS:*hotLoop /tmp/a.js:1:17\n"
				   "0x2000 0x20 LazyCompile:~f with spaces\r\n"
				   "\n"
				   "3000\n"			  /* no size */
				   "3000 10\n"			  /* no name */
				   "3000 10 \n"			  /* an empty name */
				   "zz00 10 bad\n"		  /* not hex */
				   "11112222333344445 10 long\n" /* 17 digits */
				   "4000 0 empty\n"		  /* size 0 */
				   "5000 80000000 huge\n"	  /* over 1 GiB */
				   "fffffffffffffff0 20 wraps\n"
				   "6000  8 two spaces\n"
				   "7000 8 last";
	struct jit_syms *j = jit_syms_new();
	size_t n = jit_syms_add_perf_map(j, text, sizeof(text) - 1);

	is_int((long long)n, 4, "perf map: the lines that parse are added");
	is_int((long long)jit_syms_skipped(j), 8, "perf map: the others are skipped");
	jit_syms_finish(j);
	is_name(j, 0x1000, "JS:*hotLoop /tmp/a.js:1:17", 0x1000, "first byte");
	is_name(j, 0x100f, "JS:*hotLoop /tmp/a.js:1:17", 0x1000, "last byte");
	is_name(j, 0x1010, NULL, 0, "the byte after");
	is_name(j, 0xfff, NULL, 0, "the byte before");
	is_name(j, 0x2010, "LazyCompile:~f with spaces", 0x2000, "0x, a CR, spaces in the name");
	is_name(j, 0x6004, "two spaces", 0x6000, "spaces between start and size");
	is_name(j, 0x7007, "last", 0x7000, "a last line without newline");
	is_name(j, 0x4000, NULL, 0, "size 0 names nothing");
	is_name(j, 0x5000, NULL, 0, "a huge size names nothing");
	is_int((long long)jit_syms_count(j), 4, "count");
	jit_syms_free(j);

	j = jit_syms_new();
	jit_syms_add_perf_map(j, "1000 8 a\0b\n", 11);
	is_int((long long)jit_syms_count(j), 0, "a NUL in a line: skipped");
	jit_syms_finish(j);
	is_name(j, 0x1000, NULL, 0, "and names nothing");
	jit_syms_free(j);
	is_name(NULL, 0x1000, NULL, 0, "no table names nothing");
}

static void test_overlaps(void)
{
	static const char text[] = "1000 100 old\n"
				   "1040 10 newer\n"
				   "1000 20 newest\n"
				   "900 1000 big\n";
	struct jit_syms *j = jit_syms_new();
	char *many;
	size_t len = 0;

	jit_syms_add_perf_map(j, text, sizeof(text) - 1);
	jit_syms_finish(j);
	is_name(j, 0x1000, "big", 0x900, "the latest entry holding an address wins");
	jit_syms_free(j);

	j = jit_syms_new();
	jit_syms_add_perf_map(j, text, sizeof(text) - 1 - strlen("900 1000 big\n"));
	jit_syms_finish(j);
	is_name(j, 0x1010, "newest", 0x1000, "memory reused: the later name");
	is_name(j, 0x1048, "newer", 0x1040, "a later name inside an earlier range");
	is_name(j, 0x1080, "old", 0x1000, "the earlier name around them");
	is_name(j, 0x1100, NULL, 0, "the end of the outer range");
	jit_syms_free(j);

	/* a function below thousands of small ones: the bounded walk, and no wrong name */
	many = malloc(64 * 2000 + 64);
	len += (size_t)sprintf(many, "100 100000 outer\n");
	for (int i = 0; i < 2000; i++)
		len += (size_t)sprintf(many + len, "%x 8 f%d\n", 0x1000 + i * 16, i);
	j = jit_syms_new();
	jit_syms_add_perf_map(j, many, len);
	jit_syms_finish(j);
	is_name(j, 0x1000 + 5 * 16 + 4, "f5", 0x1000 + 5 * 16, "among many: the small one");
	is_name(j, 0x200, "outer", 0x100, "below them: the outer one");
	jit_syms_free(j);
	free(many);
}

/* ---- jitdumps ----------------------------------------------------------- */

struct buf {
	uint8_t b[4096];
	size_t n;
};

static void put(struct buf *b, const void *p, size_t n)
{
	memcpy(b->b + b->n, p, n);
	b->n += n;
}

static void put32(struct buf *b, uint32_t v)
{
	put(b, &v, 4);
}

static void put64(struct buf *b, uint64_t v)
{
	put(b, &v, 8);
}

static void header(struct buf *b, uint32_t magic, uint32_t version)
{
	b->n = 0;
	put32(b, magic);
	put32(b, version);
	put32(b, 40);
	put32(b, 62); /* EM_X86_64 */
	put32(b, 0);
	put32(b, 1234);
	put64(b, 1);
	put64(b, 0);
}

/* A JIT_CODE_LOAD; extra: bytes its size claims beyond what it holds. */
static void load(struct buf *b, const char *name, uint64_t addr, uint64_t size, uint64_t index,
		 uint32_t extra)
{
	size_t nlen = strlen(name) + 1;

	put32(b, 0);
	put32(b, (uint32_t)(16 + 40 + nlen + size) + extra);
	put64(b, 2);
	put32(b, 1234);
	put32(b, 1235);
	put64(b, addr);
	put64(b, addr);
	put64(b, size);
	put64(b, index);
	put(b, name, nlen);
	for (uint64_t i = 0; i < size; i++)
		put(b, "\xc3", 1);
}

static void test_jitdump(void)
{
	struct buf b;
	struct jit_syms *j = jit_syms_new();
	long n;

	header(&b, 0x4A695444, 1);
	load(&b, "JS:*hot", 0x10000, 32, 1, 0);
	load(&b, "JS:~cold", 0x10100, 16, 2, 0);
	/* JIT_CODE_MOVE of code_index 2 to 0x20000 */
	put32(&b, 1);
	put32(&b, 16 + 48);
	put64(&b, 3);
	put32(&b, 1234);
	put32(&b, 1235);
	put64(&b, 0x10100);
	put64(&b, 0x10100);
	put64(&b, 0x20000);
	put64(&b, 16);
	put64(&b, 2);
	/* JIT_CODE_DEBUG_INFO: skipped */
	put32(&b, 2);
	put32(&b, 16 + 24);
	put64(&b, 4);
	put64(&b, 0x10000);
	put64(&b, 0);
	put64(&b, 0);
	/* a load whose code would run past its record: skipped */
	load(&b, "bad", 0x30000, 8, 3, 0);
	memcpy(b.b + b.n - 68 + 40, (uint64_t[]){ 100 }, 8); /* its code_size */
	load(&b, "JS:*later", 0x40000, 8, 4, 0);
	/* a load cut short: the file was being written */
	load(&b, "cut", 0x50000, 8, 5, 100);

	n = jit_syms_add_jitdump(j, b.b, b.n);
	jit_syms_finish(j);
	is_int(n, 4, "jitdump: the loads and the move are added");
	is_int((long long)jit_syms_skipped(j), 1, "the load that does not fit is skipped");
	is_name(j, 0x30000, NULL, 0, "and names nothing");
	is_name(j, 0x40004, "JS:*later", 0x40000, "the records after it are read");
	is_name(j, 0x10010, "JS:*hot", 0x10000, "jitdump: a load");
	is_name(j, 0x20008, "JS:~cold", 0x20000, "jitdump: a moved function at its new address");
	is_name(j, 0x10100, "JS:~cold", 0x10100, "and at its old one (no time to tell them apart)");
	is_name(j, 0x50000, NULL, 0, "a record cut short is not read");
	jit_syms_free(j);

	j = jit_syms_new();
	header(&b, 0x4454694A, 1);
	is_int(jit_syms_add_jitdump(j, b.b, b.n), -EBADMSG, "the other byte order");
	header(&b, 0x4A695444, 2);
	is_int(jit_syms_add_jitdump(j, b.b, b.n), -EPROTONOSUPPORT, "another version");
	header(&b, 0x4A695444, 1);
	is_int(jit_syms_add_jitdump(j, b.b, 20), -EBADMSG, "a header cut short");
	memcpy(b.b + 8, (uint32_t[]){ 4000 }, 4);
	is_int(jit_syms_add_jitdump(j, b.b, b.n), -EBADMSG, "a header larger than the file");
	jit_syms_free(j);
}

static void test_files(void)
{
	char dir[] = "/tmp/pmuprof-test-jit.XXXXXX", path[128], link[128], fifo[128];
	uint8_t *buf;
	size_t len;
	bool cut;
	uint32_t pid = 0;
	FILE *f;

	if (!mkdtemp(dir)) {
		ok(0, "mkdtemp");
		return;
	}
	snprintf(path, sizeof(path), "%s/perf-1.map", dir);
	snprintf(link, sizeof(link), "%s/link.map", dir);
	snprintf(fifo, sizeof(fifo), "%s/fifo.map", dir);
	f = fopen(path, "w");
	fputs("1000 10 f\n", f);
	fclose(f);
	is_int(jit_file_read(path, &buf, &len, &cut), 0, "a file of one's own is read");
	is_int((long long)len, 10, "whole");
	ok(!cut, "not cut");
	free(buf);
	if (symlink(path, link) == 0)
		is_int(jit_file_read(link, &buf, &len, &cut), -ELOOP,
		       "a symbolic link is not followed");
	if (mkfifo(fifo, 0600) == 0)
		is_int(jit_file_read(fifo, &buf, &len, &cut), -EPERM, "a FIFO is refused, at once");
	is_int(jit_file_read("/nonexistent/perf-1.map", &buf, &len, &cut), -ENOENT, "missing");
	if (geteuid() == 0 && chown(path, 65534, 65534) == 0)
		is_int(jit_file_read(path, &buf, &len, &cut), -EPERM,
		       "another user's file is refused");
	unlink(path);
	unlink(link);
	unlink(fifo);
	rmdir(dir);

	ok(jit_dump_name("/home/u/jit-1234.dump", &pid) && pid == 1234, "jitdump name");
	ok(jit_dump_name("jit-7.dump", &pid) && pid == 7, "jitdump name without a directory");
	ok(!jit_dump_name("/x/jit-.dump", &pid), "no pid");
	ok(!jit_dump_name("/x/jit-12.dump.old", &pid), "another suffix");
	ok(!jit_dump_name("/x/jit-99999999999.dump", &pid), "a pid too large");
	ok(!jit_dump_name("/jit-1.dump/x", &pid), "a directory of that name");
	jit_perf_map_path(path, sizeof(path), 42);
	is_str(path, "/tmp/perf-42.map", "the perf map's path");
}

int main(void)
{
	test_perf_map();
	test_overlaps();
	test_jitdump();
	test_files();
	return done_testing();
}
