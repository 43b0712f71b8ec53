// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Address spaces over time, looked up through their indexes: objects told
 * apart by path and build-id (ids in order of first mention, which report's
 * output follows), many processes each finding its own mappings, execs that
 * end an address space, forks that inherit one, and the depth to which a
 * chain of forks is followed; an object's build-id, recorded or read from
 * its file; then thread names through a chain of forks in a written
 * recording, by session_comm().
 */
#include "resolve/elf.h"
#include "resolve/maps.h"
#include "resolve/session.h"
#include "store/datafile.h"
#include "records.h"
#include "tap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const uint8_t bid_a[20] = { 0xaa, 1, 2, 3 };
static const uint8_t bid_b[20] = { 0xbb, 1, 2, 3 };

static void add_map(struct maps *m, uint32_t pid, uint64_t time, uint64_t start, uint64_t len,
		    const char *path, const uint8_t *bid, uint8_t blen)
{
	struct rec_mmap r;

	memset(&r, 0, sizeof(r));
	r.pid = r.tid = pid;
	r.time = time;
	r.start = start;
	r.len = len;
	if (blen)
		memcpy(r.build_id, bid, blen);
	r.build_id_len = blen;
	maps_add_mmap(m, &r, path);
}

/* The id of the object at addr in pid at time, -1 when nothing is mapped there. */
static long long dso_at(const struct maps *m, uint32_t pid, uint64_t addr, uint64_t time)
{
	const struct map *mp = maps_find(m, pid, addr, time);

	return mp ? (long long)mp->dso->id : -1;
}

static void test_objects(void)
{
	struct maps *m = maps_new();
	static const uint8_t image[16];

	add_map(m, 1, 1, 0x1000, 0x1000, "/lib/a.so", NULL, 0);
	add_map(m, 1, 1, 0x3000, 0x1000, "/lib/a.so", bid_a, 20); /* fills in object 0 */
	add_map(m, 1, 1, 0x5000, 0x1000, "/lib/a.so", bid_b, 20); /* another build */
	add_map(m, 1, 1, 0x7000, 0x1000, "/lib/b.so", bid_b, 20); /* same build-id, other path */
	add_map(m, 1, 1, 0x9000, 0x1000, "/lib/a.so", bid_a, 20);
	add_map(m, 1, 1, 0xb000, 0x1000, "/lib/a.so", NULL, 0); /* the first with the path */
	add_map(m, 1, 1, 0xd000, 0x1000, "/lib/a.so", bid_b, 16); /* a shorter id differs */
	maps_add_image(m, "[vdso]", bid_a, 20, image, sizeof(image));
	add_map(m, 1, 1, 0xf000, 0x1000, "[vdso]", bid_a, 20);
	maps_finish(m);
	is_int(maps_ndsos(m), 5, "five objects: two builds of a.so, a short id, b.so, the vDSO");
	is_int(dso_at(m, 1, 0x1000, 1), 0, "a.so without a build-id is object 0");
	is_int(dso_at(m, 1, 0x3000, 1), 0, "and takes the first build-id given for it");
	is_int(dso_at(m, 1, 0x5000, 1), 1, "another build-id of the path is a new object");
	is_int(dso_at(m, 1, 0x7000, 1), 2, "the same build-id under another path is another object");
	is_int(dso_at(m, 1, 0x9000, 1), 0, "the first build-id again finds object 0");
	is_int(dso_at(m, 1, 0xb000, 1), 0, "an unknown build-id finds the first object of the path");
	is_int(dso_at(m, 1, 0xd000, 1), 3, "a build-id that is a prefix of another is not it");
	is_int(dso_at(m, 1, 0xf000, 1), 4, "a mapping of a stored image finds the image's object");
	ok(maps_dso(m, 4)->image == image, "which holds the image");
	is_int(maps_dso(m, 0)->build_id_len, 20, "object 0 kept the build-id it took");
	maps_free(m);
}

/* An object's build-id: the recorded one, else its file's; none for memory without a file. */
static void test_build_id(void)
{
	struct maps *m = maps_new();
	uint8_t want[64], got[64];
	int n = elf_file_build_id("/proc/self/exe", want, sizeof(want));

	add_map(m, 1, 1, 0x1000, 0x1000, "/proc/self/exe", NULL, 0);
	add_map(m, 1, 1, 0x3000, 0x1000, "/lib/a.so", bid_a, 20);
	add_map(m, 1, 1, 0x5000, 0x1000, "//anon", NULL, 0);
	maps_finish(m);
	ok(n > 0 && dso_build_id(maps_dso(m, 0), got, sizeof(got)) == (size_t)n &&
	       !memcmp(got, want, (size_t)n),
	   "build-id: none recorded, the file's");
	ok(dso_build_id(maps_dso(m, 1), got, sizeof(got)) == 20 && !memcmp(got, bid_a, 20),
	   "build-id: the recorded one, without opening the file");
	is_int(dso_build_id(maps_dso(m, 1), got, 19), 0, "build-id: longer than the buffer: none");
	is_int(dso_build_id(maps_dso(m, 2), got, sizeof(got)), 0, "build-id: memory has none");
	maps_free(m);
}

/* Thousands of processes, each with an object of its own and one shared: all found. */
static void test_many(void)
{
	enum { N = 20000 };
	struct maps *m = maps_new();
	char path[64];
	int wrong_own = 0, wrong_shared = 0, found_other = 0;

	for (uint32_t i = 0; i < N; i++) {
		add_map(m, 100 + i, 10 + i, 0x400000, 0x1000, "/usr/bin/true", NULL, 0);
		snprintf(path, sizeof(path), "/tmp/obj%u.so", i);
		add_map(m, 100 + i, 10 + i, 0x800000 + (uint64_t)i * 0x1000, 0x1000, path, NULL, 0);
	}
	maps_finish(m);
	is_int(maps_ndsos(m), N + 1, "one object per process and a shared one");
	for (uint32_t i = 0; i < N; i++) {
		wrong_shared += dso_at(m, 100 + i, 0x400010, 10 + i) != 0;
		wrong_own += dso_at(m, 100 + i, 0x800000 + (uint64_t)i * 0x1000, 10 + i) != i + 1;
		/* the next process's object is not mapped in this one */
		found_other += dso_at(m, 100 + i, 0x800000 + (uint64_t)(i + 1) * 0x1000, 10 + i) != -1;
	}
	is_int(wrong_shared, 0, "every process finds the shared object");
	is_int(wrong_own, 0, "every process finds its own object, ids in order of first mention");
	is_int(found_other, 0, "no process finds another's object");
	is_int(dso_at(m, 99, 0x400010, 20), -1, "a pid never seen has no mappings");
	is_int(dso_at(m, 100, 0x400010, 9), -1, "nor has a process before its first mapping");
	ok(strcmp(maps_dso(m, 5)->path, "/tmp/obj4.so") == 0, "object 5 is the fifth process's");
	maps_free(m);
}

static void test_exec_fork(void)
{
	struct maps *m = maps_new();

	/* pid 10: a.so, then exec at 100 (execs out of order), b.so; another exec at 300 */
	add_map(m, 10, 10, 0x1000, 0x1000, "/a.so", NULL, 0);
	maps_add_exec(m, 10, 300);
	maps_add_exec(m, 10, 100);
	add_map(m, 10, 110, 0x2000, 0x1000, "/b.so", NULL, 0);
	add_map(m, 10, 150, 0x5000, 0x1000, "/late.so", NULL, 0);
	/* 20 forked from 10 at 120 (sees b.so, not late.so), maps c.so itself */
	maps_add_fork(m, 20, 10, 120);
	add_map(m, 20, 130, 0x3000, 0x1000, "/c.so", NULL, 0);
	/* 30 forked from 20 at 140, 40 a thread of 30 (pid == ppid: ignored) */
	maps_add_fork(m, 30, 20, 140);
	maps_add_fork(m, 30, 30, 145);
	/* 50 forked from 20 then exec'd at 160: nothing inherited after that */
	maps_add_fork(m, 50, 20, 145);
	maps_add_exec(m, 50, 160);
	maps_finish(m);
	is_int(dso_at(m, 10, 0x1000, 50), 0, "before the exec: a.so");
	is_int(dso_at(m, 10, 0x1000, 100), -1, "at the exec a.so is gone");
	is_int(dso_at(m, 10, 0x2000, 200), 1, "b.so after it");
	is_int(dso_at(m, 10, 0x2000, 300), -1, "and gone at the next exec");
	is_int(dso_at(m, 20, 0x2000, 200), 1, "a child sees its parent's b.so");
	is_int(dso_at(m, 20, 0x5000, 200), -1, "not what the parent mapped after the fork");
	is_int(dso_at(m, 20, 0x1000, 200), -1, "nor what the parent's exec removed");
	is_int(dso_at(m, 20, 0x3000, 200), 3, "and its own c.so");
	is_int(dso_at(m, 30, 0x3000, 200), 3, "a grandchild sees c.so");
	is_int(dso_at(m, 30, 0x2000, 200), 1, "and b.so, two forks up");
	is_int(dso_at(m, 30, 0x3000, 139), -1, "before its fork it had nothing");
	is_int(dso_at(m, 50, 0x2000, 150), 1, "before its exec a child sees the parent's");
	is_int(dso_at(m, 50, 0x2000, 170), -1, "after it nothing");
	maps_free(m);
}

/* A chain of forks is followed 16 deep, however long it is. */
static void test_chain(void)
{
	enum { N = 5000 };
	struct maps *m = maps_new();
	int wrong = 0;

	add_map(m, 1000, 1, 0x1000, 0x1000, "/root.so", NULL, 0);
	for (uint32_t i = 1; i < N; i++)
		maps_add_fork(m, 1000 + i, 999 + i, 1 + i);
	maps_finish(m);
	for (uint32_t i = 0; i < N; i++)
		wrong += dso_at(m, 1000 + i, 0x1000, 2 * N) != (i < 16 ? 0 : -1);
	is_int(wrong, 0, "the first 16 of a chain of 5000 forks see the root's mapping, no more");
	maps_free(m);
}

/* Names through forks: the first creator with a pid in the file, 32 steps at most. */
static void test_comm_chain(void)
{
	enum { N = 3000 };
	char path[] = "/tmp/test-maps.XXXXXX";
	struct data_writer *w;
	struct session s;
	const char *detail;
	int fd = mkstemp(path), wrong = 0, ret;

	/* a name of our own; the writer would keep a file already there as .old */
	if (fd >= 0) {
		close(fd);
		unlink(path);
	}
	if (fd < 0 || data_writer_open(path, &w) < 0) {
		ok(0, "cannot write a recording in /tmp");
		return;
	}
	data_writer_meta_str(w, "cmdline", "pmuprof record -- chain");
	data_writer_meta_str(w, "privilege", "user space only (perf_event_paranoid)");
	records_put_comm(w, 1000, 1000, 1, "root", false);
	/* 5000's first creation in the file comes from the kernel (0): it is passed over */
	records_put_comm(w, 9000, 9000, 1, "other", false);
	records_put_fork(w, 5000, 0, 1);
	records_put_fork(w, 5000, 1000, 2);
	records_put_fork(w, 5000, 9000, 3);
	for (uint32_t i = 1; i < N; i++)
		records_put_fork(w, 1000 + i, 999 + i, 1 + i);
	ret = data_writer_finish(w);
	data_writer_close(w);
	if (ret < 0 || session_open(&s, path, &detail) < 0) {
		ok(0, "cannot read back the recording");
		unlink(path);
		return;
	}
	for (uint32_t i = 0; i < N; i++)
		wrong += strcmp(session_comm(&s, 1000 + i, 1000 + i, 10 * N),
				i < 32 ? "root" : "?") != 0;
	is_int(wrong, 0, "32 of a chain of 3000 forks take the root's name, the others none");
	is_str(session_comm(&s, 9000, 9000, 10), "other", "a process's own name first");
	is_str(session_comm(&s, 5000, 5000, 10), "root", "the first creator that is not the kernel");
	is_str(session_comm(&s, 5000, 0, 10), "swapper", "thread 0 is the idle task");
	session_close(&s);
	unlink(path);
}

int main(void)
{
	test_objects();
	test_build_id();
	test_many();
	test_exec_fork();
	test_chain();
	test_comm_chain();
	return done_testing();
}
