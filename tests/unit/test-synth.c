// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The records of processes that already run: a child of this test that
 * names itself and a thread, then waits, is synthesized into a data file
 * that is read back. Its executable, libc and vDSO must be mapped where
 * the child (a fork: the same addresses as here) has its code, with the
 * build-ids the loaded objects carry in their notes; its threads named as
 * they named themselves. The vDSO image is this process's own, byte for
 * byte, and the quick pass over every thread's name finds this process
 * and the child.
 */
#include "collect/synth.h"
#include "records.h"
#include "tap.h"

#include <elf.h>
#include <errno.h>
#include <link.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

int main(void);

static char dir[] = "/tmp/pmuprof-test-synth.XXXXXX";
static char exe[4096];

/* ---- build-ids from the loaded objects' own notes --------------------------- */

struct bid {
	const char *want; /* "" for the executable, or a name's suffix */
	uint8_t id[BUILD_ID_MAX];
	size_t len;
	uint64_t addr; /* where the object is loaded */
};

static int note_build_id(struct dl_phdr_info *info, size_t size, void *arg)
{
	struct bid *b = arg;
	size_t nlen = strlen(info->dlpi_name), wlen = strlen(b->want);

	(void)size;
	if (wlen ? nlen < wlen || strcmp(info->dlpi_name + nlen - wlen, b->want) : nlen != 0)
		return 0;
	b->addr = info->dlpi_addr;
	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		const uint8_t *p = (const uint8_t *)(info->dlpi_addr + ph->p_vaddr);
		const uint8_t *end = p + ph->p_memsz;

		if (ph->p_type != PT_NOTE)
			continue;
		while (end - p >= (long)sizeof(ElfW(Nhdr))) {
			const ElfW(Nhdr) *n = (const ElfW(Nhdr) *)p;
			const uint8_t *desc = p + sizeof(*n) + ((n->n_namesz + 3) & ~3u);

			if (n->n_type == NT_GNU_BUILD_ID && n->n_namesz == 4 &&
			    !memcmp(n + 1, "GNU", 4) && n->n_descsz <= BUILD_ID_MAX) {
				memcpy(b->id, desc, n->n_descsz);
				b->len = n->n_descsz;
				return 1;
			}
			p = desc + ((n->n_descsz + 3) & ~3u);
		}
	}
	return 1;
}

static void build_id_of(struct bid *b, const char *want)
{
	memset(b, 0, sizeof(*b));
	b->want = want;
	dl_iterate_phdr(note_build_id, b);
}

/* ---- the child ------------------------------------------------------------- */

static int ready[2], done[2];

static void *child_thread(void *arg)
{
	pid_t tid = (pid_t)syscall(SYS_gettid);
	char c;

	(void)arg;
	prctl(PR_SET_NAME, "synth-thread");
	if (write(ready[1], &tid, sizeof(tid)) != sizeof(tid))
		_exit(2);
	if (read(done[0], &c, 1) < 0)
		_exit(2);
	return NULL;
}

/* Starts the child; returns its pid and its thread's id in *tid. */
static pid_t start_child(pid_t *tid)
{
	pid_t pid;

	if (pipe(ready) || pipe(done))
		return -1;
	pid = fork();
	if (pid == 0) {
		pthread_t t;

		close(ready[0]);
		close(done[1]);
		prctl(PR_SET_NAME, "synth-child");
		if (pthread_create(&t, NULL, child_thread, NULL))
			_exit(2);
		pthread_join(t, NULL);
		_exit(0);
	}
	close(ready[1]);
	close(done[0]);
	if (pid < 0 || read(ready[0], tid, sizeof(*tid)) != sizeof(*tid))
		return -1;
	return pid;
}

static void stop_child(pid_t pid)
{
	int status;

	close(done[1]);
	close(ready[0]);
	waitpid(pid, &status, 0);
}

/* ---- reading the file back --------------------------------------------------- */


static bool has_comm(const struct records *rs, uint32_t pid, uint32_t tid, const char *name,
		     uint64_t time)
{
	for (size_t i = 0; i < rs->n; i++) {
		const struct rec_comm *c;
		const char *n;

		if (rs->v[i]->type == REC_COMM && record_comm(rs->v[i], &c, &n) == 0 &&
		    c->pid == pid && c->tid == tid && !strcmp(n, name) && c->time == time)
			return true;
	}
	return false;
}

/* The REC_MMAP of pid that holds addr, or NULL. */
static const struct rec_mmap *mmap_at(const struct records *rs, uint32_t pid, uint64_t addr,
				      const char **name)
{
	for (size_t i = 0; i < rs->n; i++) {
		const struct rec_mmap *m;

		if (rs->v[i]->type == REC_MMAP && record_mmap(rs->v[i], &m, name) == 0 &&
		    m->pid == pid && m->start <= addr && addr - m->start < m->len)
			return m;
	}
	return NULL;
}

static bool same_build_id(const struct rec_mmap *m, const struct bid *b)
{
	return m->build_id_len == b->len && !memcmp(m->build_id, b->id, b->len);
}

static void test_process(void)
{
	char path[256];
	struct data_writer *w;
	struct records rs;
	const struct rec_mmap *m;
	const char *name;
	struct bid self, libc;
	uint64_t vdso_base = getauxval(AT_SYSINFO_EHDR);
	pid_t tid = 0, pid = start_child(&tid);
	bool all_exec = true, all_named = true, all_pid = true;
	int ret;

	if (pid < 0) {
		ok(0, "child started");
		return;
	}
	snprintf(path, sizeof(path), "%s/process.data", dir);
	if (data_writer_open(path, &w) < 0) {
		ok(0, "data file created");
		stop_child(pid);
		return;
	}
	ret = synth_process(w, pid, 1234);
	data_writer_finish(w);
	data_writer_close(w);
	stop_child(pid);
	is_int(ret, 0, "synth_process of a running child");
	is_int(records_read(path, &rs), 0, "its records read back");

	ok(has_comm(&rs, (uint32_t)pid, (uint32_t)pid, "synth-child", 1234),
	   "COMM: the child's main thread, by its name");
	ok(has_comm(&rs, (uint32_t)pid, (uint32_t)tid, "synth-thread", 1234),
	   "COMM: the child's other thread, by its name");

	build_id_of(&self, "");
	m = mmap_at(&rs, (uint32_t)pid, (uint64_t)(uintptr_t)main, &name);
	ok(m && !strcmp(name, exe) && (m->prot & PROT_EXEC) && m->time == 1234,
	   "MMAP: the executable's code where main is, by its path");
	if (self.len)
		ok(m && same_build_id(m, &self), "MMAP: the executable's build-id");
	else
		ok(1, "# SKIP this executable has no build-id note");

	build_id_of(&libc, "libc.so.6");
	m = mmap_at(&rs, (uint32_t)pid, (uint64_t)(uintptr_t)getpid, &name);
	ok(m && strstr(name, "libc") && (m->prot & PROT_EXEC), "MMAP: libc's code where getpid is");
	if (libc.len)
		ok(m && same_build_id(m, &libc), "MMAP: libc's build-id");
	else
		ok(1, "# SKIP libc has no build-id note");

	if (vdso_base) {
		m = mmap_at(&rs, (uint32_t)pid, vdso_base, &name);
		ok(m && !strcmp(name, "[vdso]") && (m->prot & PROT_EXEC), "MMAP: the vDSO");
	} else {
		ok(1, "# SKIP no vDSO on this system");
	}

	for (size_t i = 0; i < rs.n; i++) {
		const struct rec_mmap *mm;

		if (rs.v[i]->type != REC_MMAP)
			continue;
		if (record_mmap(rs.v[i], &mm, &name) < 0) {
			all_named = false;
			continue;
		}
		all_exec &= (mm->prot & PROT_EXEC) != 0;
		all_named &= name[0] != '\0';
		all_pid &= mm->pid == (uint32_t)pid;
	}
	ok(all_exec && all_named, "MMAP: code mappings only, each with a name");
	ok(all_pid, "MMAP: all of the child");
	records_free(&rs);
	unlink(path);
}

static void test_gone(void)
{
	char path[256];
	struct data_writer *w;
	pid_t pid = fork();
	int status;

	if (pid == 0)
		_exit(0);
	waitpid(pid, &status, 0);
	snprintf(path, sizeof(path), "%s/gone.data", dir);
	if (data_writer_open(path, &w) < 0) {
		ok(0, "data file created");
		return;
	}
	is_int(synth_process(w, pid, 1), -ESRCH, "synth_process of a process that is gone: -ESRCH");
	data_writer_finish(w);
	data_writer_close(w);
	unlink(path);
}

static void test_vdso(void)
{
	uint64_t base = getauxval(AT_SYSINFO_EHDR), size = 0;
	char path[256], line[512];
	struct data_writer *w;
	struct records rs;
	struct bid vdso;
	size_t images = 0;
	FILE *f;

	if (!base) {
		ok(1, "# SKIP no vDSO on this system");
		return;
	}
	f = fopen("/proc/self/maps", "r");
	while (f && fgets(line, sizeof(line), f)) {
		unsigned long long s, e;

		if (strstr(line, "[vdso]") && sscanf(line, "%llx-%llx", &s, &e) == 2 && s == base)
			size = e - s;
	}
	if (f)
		fclose(f);
	snprintf(path, sizeof(path), "%s/vdso.data", dir);
	if (data_writer_open(path, &w) < 0) {
		ok(0, "data file created");
		return;
	}
	is_int(synth_vdso(w), 0, "synth_vdso");
	data_writer_finish(w);
	data_writer_close(w);
	is_int(records_read(path, &rs), 0, "its record read back");
	build_id_of(&vdso, "linux-vdso.so.1");
	for (size_t i = 0; i < rs.n; i++) {
		const struct rec_image *im;
		const char *name;
		const uint8_t *bytes;

		if (rs.v[i]->type != REC_IMAGE)
			continue;
		images++;
		ok(record_image(rs.v[i], &im, &name, &bytes) == 0, "IMAGE: a valid record");
		if (record_image(rs.v[i], &im, &name, &bytes) < 0)
			continue;
		is_str(name, "[vdso]", "IMAGE: named [vdso]");
		is_int(im->size, (long long)size, "IMAGE: the size of the [vdso] mapping");
		ok(im->size == size && !memcmp(bytes, (const void *)(uintptr_t)base, size),
		   "IMAGE: this process's vDSO byte for byte");
		ok(im->size >= 4 && !memcmp(bytes, ELFMAG, SELFMAG), "IMAGE: an ELF object");
		if (vdso.len)
			ok(im->build_id_len == vdso.len && !memcmp(im->build_id, vdso.id, vdso.len),
			   "IMAGE: the vDSO's build-id");
		else
			ok(1, "# SKIP the vDSO has no build-id note");
	}
	is_int((long long)images, 1, "one image");
	records_free(&rs);
	unlink(path);
}

static void test_all_comms(void)
{
	char path[256];
	struct data_writer *w;
	struct records rs;
	pid_t tid = 0, pid = start_child(&tid);
	size_t mmaps = 0;
	bool init = false;
	int ret;

	if (pid < 0) {
		ok(0, "child started");
		return;
	}
	prctl(PR_SET_NAME, "synth-self");
	snprintf(path, sizeof(path), "%s/comms.data", dir);
	if (data_writer_open(path, &w) < 0) {
		ok(0, "data file created");
		stop_child(pid);
		return;
	}
	ret = synth_all_comms(w, 99);
	data_writer_finish(w);
	data_writer_close(w);
	stop_child(pid);
	is_int(ret, 0, "synth_all_comms");
	is_int(records_read(path, &rs), 0, "its records read back");
	ok(has_comm(&rs, (uint32_t)getpid(), (uint32_t)getpid(), "synth-self", 99),
	   "all comms: this process by its name");
	ok(has_comm(&rs, (uint32_t)pid, (uint32_t)pid, "synth-child", 99), "all comms: the child");
	ok(has_comm(&rs, (uint32_t)pid, (uint32_t)tid, "synth-thread", 99),
	   "all comms: the child's thread");
	for (size_t i = 0; i < rs.n; i++) {
		mmaps += rs.v[i]->type == REC_MMAP;
		init |= rs.v[i]->type == REC_COMM && ((const struct rec_comm *)rs.v[i])->pid == 1;
	}
	ok(init, "all comms: process 1 too");
	is_int((long long)mmaps, 0, "all comms: no maps");
	records_free(&rs);
	unlink(path);
}

/* Every process: this one among them, with its executable's code. */
static void test_all_processes(void)
{
	char path[256];
	struct data_writer *w;
	struct records rs;
	const struct rec_mmap *m;
	const char *name = NULL;
	int ret;

	snprintf(path, sizeof(path), "%s/all.data", dir);
	if (data_writer_open(path, &w) < 0) {
		ok(0, "data file created");
		return;
	}
	ret = synth_all_processes(w, 7);
	data_writer_finish(w);
	data_writer_close(w);
	is_int(ret, 0, "synth_all_processes");
	is_int(records_read(path, &rs), 0, "its records read back");
	m = mmap_at(&rs, (uint32_t)getpid(), (uint64_t)(uintptr_t)main, &name);
	ok(m && !strcmp(name, exe) && m->time == 7, "all processes: this one's executable");
	ok(has_comm(&rs, (uint32_t)getpid(), (uint32_t)getpid(), "synth-self", 7),
	   "all processes: this one's name");
	records_free(&rs);
	unlink(path);
}

int main(void)
{
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	if (n <= 0 || !mkdtemp(dir)) {
		printf("1..0 # SKIP cannot read /proc/self/exe or create a directory\n");
		return 0;
	}
	exe[n] = '\0';
	signal(SIGPIPE, SIG_IGN);
	test_process();
	test_gone();
	test_vdso();
	test_all_comms();
	test_all_processes();
	rmdir(dir);
	return done_testing();
}
