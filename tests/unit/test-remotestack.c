// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Reading a waiting thread's stack from outside: a thread of this process
 * blocked in nanosleep inside a known function, a thread spinning on its
 * CPU, threads that are gone, and, as nobody, a process of one's own and
 * one of root's.
 */
#include "util/compiler.h"
#include "collect/remotestack.h"
#include "tap.h"

#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#if defined(__clang__)
#define KEEP __attribute__((noinline))
#else
#define KEEP __attribute__((noipa))
#endif

#define PAGE	   4096u
#define STACK_SIZE (256u * 1024)
#define BIG	   (4u * 1024 * 1024)

static atomic_int sleeper_tid, spinner_tid;
static atomic_bool stop_spinning, stop_sleeping, sleeper_done;

/* The known function the sleeper waits in. */
KEEP static void wait_here(void)
{
	struct timespec ts = { 3600, 0 };

	while (!atomic_load(&stop_sleeping) && nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
	__asm__ volatile("" ::: "memory");
}

static void on_signal(int sig)
{
	(void)sig;
}

static void *sleeper(void *arg)
{
	(void)arg;
	atomic_store(&sleeper_tid, (int)syscall(SYS_gettid));
	wait_here();
	atomic_store(&sleeper_done, true);
	return NULL;
}

static void *spinner(void *arg)
{
	volatile unsigned long n = 0;

	(void)arg;
	atomic_store(&spinner_tid, (int)syscall(SYS_gettid));
	while (!atomic_load(&stop_spinning))
		n++;
	return NULL;
}

/* The size of a function in this executable's symbol table, 0 if not found. */
static uint64_t function_size(const char *want)
{
	int fd = open("/proc/self/exe", O_RDONLY);
	Elf_Scn *scn = NULL;
	uint64_t size = 0;
	Elf *e;

	elf_version(EV_CURRENT);
	if (fd < 0)
		return 0;
	e = elf_begin(fd, ELF_C_READ, NULL);
	while (e && (scn = elf_nextscn(e, scn))) {
		GElf_Shdr sh;
		Elf_Data *d;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_SYMTAB || !sh.sh_entsize ||
		    !(d = elf_getdata(scn, NULL)))
			continue;
		for (size_t i = 0; i < sh.sh_size / sh.sh_entsize; i++) {
			GElf_Sym s;
			const char *name;

			if (gelf_getsym(d, (int)i, &s) && GELF_ST_TYPE(s.st_info) == STT_FUNC &&
			    (name = elf_strptr(e, sh.sh_link, s.st_name)) && !strcmp(name, want))
				size = s.st_size;
		}
	}
	elf_end(e);
	close(fd);
	return size;
}

/* Reads a thread of pid until it is found waiting (or gone), not running. */
static int read_pid_waiting(struct remotestack *rs, pid_t pid, pid_t tid, uint8_t *buf,
			    size_t max, struct remote_capture *c)
{
	int ret = -EAGAIN;

	for (int i = 0; i < 5000 && ret == -EAGAIN; i++) {
		ret = remotestack_read(rs, pid, tid, buf, max, c);
		if (ret == -EAGAIN)
			usleep(1000);
	}
	return ret;
}

static int read_waiting(struct remotestack *rs, pid_t tid, uint8_t *buf, size_t max,
			struct remote_capture *c)
{
	return read_pid_waiting(rs, getpid(), tid, buf, max, c);
}

static bool holds_address_in(const uint8_t *buf, size_t size, uint64_t lo, uint64_t hi)
{
	for (size_t i = 0; i + 8 <= size; i += 8) {
		uint64_t v;

		memcpy(&v, buf + i, 8);
		if (v > lo && v < hi)
			return true;
	}
	return false;
}

static void test_sleeper(struct remotestack *rs, uint8_t *buf)
{
	uint64_t fn = (uint64_t)(uintptr_t)wait_here, fn_size = function_size("wait_here");
	struct remote_capture c;
	pthread_attr_t attr;
	uint8_t *stack;
	uint64_t lo, top;
	pthread_t t;
	Dl_info info;
	pid_t tid;
	int ret;

	/* the thread's stack between two inaccessible pages: where its mapping ends is known */
	stack = mmap(NULL, STACK_SIZE + 2 * PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (stack == MAP_FAILED || mprotect(stack + PAGE, STACK_SIZE, PROT_READ | PROT_WRITE) < 0)
		abort();
	lo = (uint64_t)(uintptr_t)(stack + PAGE);
	top = lo + STACK_SIZE;
	sigaction(SIGUSR1, &(struct sigaction){ .sa_handler = on_signal }, NULL);
	pthread_attr_init(&attr);
	pthread_attr_setstack(&attr, stack + PAGE, STACK_SIZE);
	pthread_create(&t, &attr, sleeper, NULL);
	pthread_attr_destroy(&attr);
	while (!(tid = atomic_load(&sleeper_tid)))
		usleep(1000);

	ret = read_waiting(rs, tid, buf, BIG, &c);
	is_int(ret, 0, "a sleeping thread is read");
	is_int(c.syscall, SYS_clock_nanosleep, "it waits in clock_nanosleep");
	memset(&info, 0, sizeof(info));
	dladdr((void *)(uintptr_t)c.ip, &info);
	ok(info.dli_sname && strstr(info.dli_sname, "clock_nanosleep") && info.dli_fname &&
		   strstr(info.dli_fname, "libc"),
	   "its ip is in libc's %s (%s)", info.dli_sname ? info.dli_sname : "?",
	   info.dli_fname ? info.dli_fname : "?");
	ok(c.sp >= lo && c.sp < top, "its sp is in its stack");
	is_int((long long)c.size, (long long)(top - c.sp),
	       "the copy stops at the end of the stack's mapping");
	ok(c.begin_ns && c.end_ns >= c.begin_ns, "the read is timed, end after begin");
	ok(fn_size > 0, "wait_here's size is in the symbol table (%llu bytes)",
	   (unsigned long long)fn_size);
	ok(holds_address_in(buf, c.size, fn, fn + fn_size),
	   "the copy holds the return address into wait_here");

	ret = remotestack_read(rs, getpid(), tid, buf, 100, &c);
	ok(ret == 0 && c.size == 100, "a copy is no longer than asked (%d, %zu bytes)", ret,
	   c.size);
	remotestack_forget(rs, tid);
	ret = read_waiting(rs, tid, buf, BIG, &c);
	ok(ret == 0 && c.size == top - c.sp, "after forgetting it, it is opened and read again");
	is_int(remotestack_read(rs, getpid() + 1000000, tid, buf, 64, &c), -ESRCH,
	       "the thread under another (absent) process: -ESRCH");
	ret = read_waiting(rs, tid, buf, BIG, &c);
	is_int(ret, 0, "and then under its own again");

	/*
	 * Woken by signals (not cancelled: ASan's shadow of a stack unwound by
	 * cancellation stays poisoned) until it returns; joined, it may still
	 * be exiting for a moment (running): then gone.
	 */
	atomic_store(&stop_sleeping, true);
	while (!atomic_load(&sleeper_done)) {
		pthread_kill(t, SIGUSR1);
		usleep(1000);
	}
	pthread_join(t, NULL);
	is_int(read_waiting(rs, tid, buf, BIG, &c), -ESRCH,
	       "a thread that ended (its file still open): -ESRCH");
	is_int(read_waiting(rs, tid, buf, BIG, &c), -ESRCH,
	       "and again, not open any more: -ESRCH");
	munmap(stack, STACK_SIZE + 2 * PAGE);
}

static void test_spinner(struct remotestack *rs, uint8_t *buf)
{
	struct remote_capture c;
	int again = 0, read = 0, other = 0, waiting_in_call = 0;
	pthread_t t;
	pid_t tid;

	pthread_create(&t, NULL, spinner, NULL);
	while (!(tid = atomic_load(&spinner_tid)))
		usleep(1000);
	/* on a busy machine it may be preempted now and then: read as waiting outside a call */
	for (int i = 0; i < 2000 && !again; i++) {
		int ret = remotestack_read(rs, getpid(), tid, buf, 4096, &c);

		if (ret == -EAGAIN) {
			again++;
		} else if (ret == 0) {
			read++;
			waiting_in_call += c.syscall != -1;
		} else {
			other++;
		}
	}
	ok(again > 0, "a spinning thread: -EAGAIN (%d reads found it preempted)", read);
	is_int(other, 0, "no other error");
	is_int(waiting_in_call, 0, "preempted, it is in no system call");
	atomic_store(&stop_spinning, true);
	pthread_join(t, NULL);
	is_int(read_waiting(rs, tid, buf, 4096, &c), -ESRCH, "a thread that ended: -ESRCH");
}

static void *sleep_forever(void *arg)
{
	struct timespec ts = { 3600, 0 };

	(void)arg;
	for (;;)
		nanosleep(&ts, NULL);
	return NULL;
}

static pid_t fork_sleeper(void)
{
	pid_t pid = fork();

	if (pid == 0) {
		struct timespec ts = { 3600, 0 };

		for (;;)
			nanosleep(&ts, NULL);
	}
	return pid;
}

/*
 * A number that was an ended thread's, read through the file kept open for
 * it, now another's: read afresh. (Root steers the next pid with
 * ns_last_pid; another process forking in between makes this a skip.)
 */
static void test_number_reused(struct remotestack *rs, uint8_t *buf)
{
	struct remote_capture c;
	pid_t first, second;
	FILE *f;
	int ret;

	first = fork_sleeper();
	ret = read_pid_waiting(rs, first, first, buf, 4096, &c);
	kill(first, SIGKILL);
	waitpid(first, NULL, 0);
	f = geteuid() == 0 ? fopen("/proc/sys/kernel/ns_last_pid", "w") : NULL;
	if (f) {
		fprintf(f, "%d", (int)first - 1);
		if (fclose(f))
			f = NULL;
	}
	second = f ? fork_sleeper() : -1;
	if (ret || second != first) {
		ok(1, "# SKIP the number was not given again (%d, then %d)", (int)first,
		   (int)second);
	} else {
		ret = read_pid_waiting(rs, second, second, buf, 4096, &c);
		ok(ret == 0 && c.syscall == SYS_clock_nanosleep,
		   "a process with an ended one's number is read (%d)", ret);
	}
	if (second > 0) {
		kill(second, SIGKILL);
		waitpid(second, NULL, 0);
	}
	remotestack_forget(rs, first);
}

#define MANY 600 /* threads: more than the files a reader keeps open (512) */

static int count_entries(const char *path)
{
	struct dirent *e;
	DIR *d = opendir(path);
	int n = 0;

	while (d && (e = readdir(d)))
		n += e->d_name[0] != '.';
	if (d)
		closedir(d);
	return n;
}

/* More threads than files kept open: each is read, twice, and the open files stay bounded. */
static void test_many(uint8_t *buf)
{
	struct remotestack *rs;
	struct remote_capture c;
	static pid_t tids[MANY + 1];
	char path[64];
	struct dirent *e;
	int n = 0, good = 0, fds0 = count_entries("/proc/self/fd"), fds1;
	pid_t pid = fork();
	DIR *d;

	if (pid == 0) {
		pthread_attr_t attr;
		pthread_t t;

		pthread_attr_init(&attr);
		pthread_attr_setstacksize(&attr, 64 * 1024);
		for (int i = 0; i < MANY; i++)
			if (pthread_create(&t, &attr, sleep_forever, NULL))
				_exit(1);
		sleep_forever(NULL);
	}
	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	for (int i = 0; i < 10000 && count_entries(path) < MANY + 1; i++)
		usleep(1000);
	d = opendir(path);
	while (d && (e = readdir(d)) && n <= MANY)
		if (atoi(e->d_name) > 0)
			tids[n++] = atoi(e->d_name);
	if (d)
		closedir(d);
	remotestack_new(&rs);
	for (int pass = 0; pass < 2; pass++)
		for (int i = 0; i < n; i++)
			good += read_pid_waiting(rs, pid, tids[i], buf, 256, &c) == 0 && c.size == 256;
	fds1 = count_entries("/proc/self/fd");
	is_int(good, 2 * (MANY + 1), "601 threads, each read twice");
	ok(fds1 - fds0 <= 512, "at most 512 files kept open (%d)", fds1 - fds0);
	remotestack_free(rs);
	is_int(count_entries("/proc/self/fd"), fds0, "all closed when the reader is freed");
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

/* The thread of pid that is not pid, 0 if none. */
static pid_t other_thread(pid_t pid)
{
	char path[64];
	struct dirent *e;
	pid_t tid = 0;
	DIR *d;

	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	d = opendir(path);
	while (d && (e = readdir(d)))
		if (atoi(e->d_name) > 0 && atoi(e->d_name) != pid)
			tid = atoi(e->d_name);
	if (d)
		closedir(d);
	return tid;
}

/* A process whose first thread has exited while another one sleeps on. */
static void test_exited_leader(struct remotestack *rs, uint8_t *buf)
{
	struct remote_capture c;
	char path[64], line[256] = "";
	pid_t pid = fork(), tid;
	FILE *f;
	int ret = 0;

	if (pid == 0) {
		pthread_t t;

		pthread_create(&t, NULL, sleep_forever, NULL);
		pthread_exit(NULL);
	}
	/* until the leader is a zombie with its stack gone */
	snprintf(path, sizeof(path), "/proc/%d/task/%d/syscall", (int)pid, (int)pid);
	for (int i = 0; i < 5000 && strncmp(line, "-1 0x0 0x0", 10); i++) {
		f = fopen(path, "r");
		if (!f || !fgets(line, sizeof(line), f))
			line[0] = '\0';
		if (f)
			fclose(f);
		if (strncmp(line, "-1 0x0 0x0", 10))
			usleep(1000);
	}
	ok(!strncmp(line, "-1 0x0 0x0", 10), "an exited first thread reads as -1 0x0 0x0");
	ret = remotestack_read(rs, pid, pid, buf, 4096, &c);
	is_int(ret, -ESRCH, "an exited first thread whose process lives on: -ESRCH");
	remotestack_forget(rs, pid);
	tid = other_thread(pid);
	ret = read_pid_waiting(rs, pid, tid, buf, 4096, &c);
	ok(tid && ret == 0 && c.syscall == SYS_clock_nanosleep && c.size == 4096,
	   "its other thread is read (%d, %zu bytes)", ret, c.size);
	remotestack_forget(rs, tid);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

/*
 * As nobody: a process of one's own (a child, which an unprivileged
 * pmuprof starts) is read; root's process is not. The switch to nobody
 * makes this process not dumpable, which exec would have undone for a
 * program started normally: set it back, as exec would.
 */
static void test_unprivileged(void)
{
	int status = 0;
	pid_t pid;

	if (geteuid() != 0) {
		ok(1, "# SKIP not root: cannot switch to an unprivileged user");
		ok(1, "# SKIP not root: cannot switch to an unprivileged user");
		return;
	}
	pid = fork();
	if (pid == 0) {
		struct remotestack *rs;
		struct remote_capture c;
		static uint8_t buf[8192];
		pid_t root = getppid(), child;
		int ret, code = 0;

		if (setgid(65534) || setuid(65534) || prctl(PR_SET_DUMPABLE, 1) < 0)
			_exit(10);
		child = fork();
		if (child == 0) {
			struct timespec ts = { 3600, 0 };

			nanosleep(&ts, NULL);
			_exit(0);
		}
		remotestack_new(&rs);
		ret = -EAGAIN;
		for (int i = 0; i < 5000 && ret == -EAGAIN; i++) {
			ret = remotestack_read(rs, child, child, buf, sizeof(buf), &c);
			if (ret == -EAGAIN)
				usleep(1000);
		}
		if (ret != 0 || c.syscall != SYS_clock_nanosleep || !c.size)
			code |= 1;
		ret = remotestack_read(rs, root, root, buf, sizeof(buf), &c);
		if (ret != -EACCES && ret != -EPERM)
			code |= 2;
		remotestack_free(rs);
		kill(child, SIGKILL);
		waitpid(child, NULL, 0);
		_exit(code);
	}
	waitpid(pid, &status, 0);
	ok(WIFEXITED(status) && !(WEXITSTATUS(status) & ~2),
	   "as nobody: one's own child is read while it sleeps");
	ok(WIFEXITED(status) && !(WEXITSTATUS(status) & ~1),
	   "as nobody: root's process is not (-EACCES or -EPERM)");
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		diag("child status 0x%x", status);
}

int main(void)
{
	struct remotestack *rs;
	struct remote_capture c;
	uint8_t *buf = malloc(BIG);

	is_int(remotestack_new(&rs), 0, "a reader");
	is_int(remotestack_read(rs, getpid(), 1 << 30, buf, 64, &c), -ESRCH,
	       "a thread that never was: -ESRCH");
	is_int(remotestack_read(rs, getpid(), (pid_t)syscall(SYS_gettid), buf, 64, &c), -EAGAIN,
	       "the reading thread itself is running: -EAGAIN");
	test_sleeper(rs, buf);
	test_spinner(rs, buf);
	test_exited_leader(rs, buf);
	test_number_reused(rs, buf);
	test_many(buf);
	test_unprivileged();
	remotestack_free(rs);
	free(buf);
	return done_testing();
}
