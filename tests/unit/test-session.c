// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The reading stage (resolve/session.c, resolve/filter.c) and the one path
 * from a recording to a profile (analyse/profile-read.c), over a recording
 * this test makes of itself: the maps and name of this process (as record
 * synthesizes them for -p), and samples whose registers and stack copy are
 * taken inside a known chain of calls, test_outer -> test_middle ->
 * test_inner, so that the unwound and symbolized stacks are known.
 */
#include "analyse/profile.h"
#include "collect/sampler.h"
#include "collect/synth.h"
#include "resolve/filter.h"
#include "resolve/session.h"
#include "resolve/symbolize.h"
#include "store/datafile.h"
#include "records.h"
#include "tap.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define STACK_COPY 8192
#define OTHER_TID  0x7ffffff0u /* a thread that never existed, named "other" */

static char dir[] = "/tmp/pmuprof-test-session.XXXXXX";
static char path[256];
static uint64_t t0;

struct capture {
	uint64_t regs[3]; /* bp, sp, ip: SAMPLER_REGS_MASK's order */
	uint8_t stack[STACK_COPY];
	uint32_t size;
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* The end of this thread's stack mapping, so the copy stays inside it. */
static uint64_t stack_end(uint64_t sp)
{
	FILE *f = fopen("/proc/self/maps", "r");
	char line[512];
	uint64_t lo, hi, end = sp;

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "%" SCNx64 "-%" SCNx64, &lo, &hi) == 2 && sp >= lo && sp < hi)
			end = hi;
	if (f)
		fclose(f);
	return end;
}

/* Reads the stack as the kernel would: not through ASan's eyes (redzones are fine to copy). */
__attribute__((no_sanitize("address"), noinline)) static void copy_stack(struct capture *c,
									  uint64_t sp, uint64_t end)
{
	const volatile uint8_t *src = (const volatile uint8_t *)(uintptr_t)sp;

	c->size = (uint32_t)(end - sp < STACK_COPY ? end - sp : STACK_COPY);
	for (uint32_t i = 0; i < c->size; i++)
		c->stack[i] = src[i];
}

/* Registers and stack as the kernel hands them to record, taken here. */
static __attribute__((noinline)) void test_inner(struct capture *c)
{
	uint64_t ip, sp, bp;

	__asm__ volatile("lea 0(%%rip), %0\n\tmov %%rsp, %1\n\tmov %%rbp, %2"
			 : "=r"(ip), "=r"(sp), "=r"(bp));
	copy_stack(c, sp, stack_end(sp));
	c->regs[0] = bp;
	c->regs[1] = sp;
	c->regs[2] = ip;
	__asm__ volatile("" ::: "memory");
}

static __attribute__((noinline)) void test_middle(struct capture *c)
{
	test_inner(c);
	__asm__ volatile("" ::: "memory");
}

static __attribute__((noinline)) void test_outer(struct capture *c)
{
	test_middle(c);
	__asm__ volatile("" ::: "memory");
}

static void write_sample(struct data_writer *w, uint32_t pid, uint32_t tid, uint64_t time,
			 const struct capture *c)
{
	size_t size = sizeof(struct rec_sample) + sizeof(c->regs) + c->size;
	struct rec_sample *r = data_writer_reserve(w, (size + 7) & ~(size_t)7);

	memset(r, 0, (size + 7) & ~(size_t)7);
	r->h.type = REC_SAMPLE;
	r->h.size = (uint32_t)((size + 7) & ~(size_t)7);
	r->pid = pid;
	r->tid = tid;
	r->time = time;
	r->weight = 1000000;
	r->ip = c->regs[2];
	r->nregs = 3;
	r->stack_size = c->size;
	memcpy(r + 1, c->regs, sizeof(c->regs));
	memcpy((uint8_t *)(r + 1) + sizeof(c->regs), c->stack, c->size);
	data_writer_commit(w, time);
}

/* Three samples of this thread at t0 + 1, 2, 3 ms, one of "other" at t0 + 500 ms. */
static int make_recording(void)
{
	struct data_writer *w;
	static struct capture c;
	/* through a volatile pointer: no clone of the chain specialised for &c */
	struct capture *volatile cp = &c;
	uint32_t pid = (uint32_t)getpid();

	if (data_writer_open(path, &w) < 0)
		return -1;
	t0 = now_ns();
	data_writer_meta_str(w, "cmdline", "pmuprof record -- ./test-session");
	data_writer_meta_str(w, "event", "cpu-clock");
	data_writer_meta_u64(w, "start-ns", t0);
	data_writer_meta_u64(w, "regs-mask", SAMPLER_REGS_MASK);
	data_writer_meta_u64(w, "stack-size", STACK_COPY);
	data_writer_meta_str(w, "privilege", "user space only (perf_event_paranoid)");
	synth_process(w, (pid_t)pid, t0);
	records_put_comm(w, pid, OTHER_TID, t0, "other", false);
	test_outer(cp);
	for (int i = 1; i <= 3; i++)
		write_sample(w, pid, pid, t0 + (uint64_t)i * 1000000, &c);
	write_sample(w, pid, OTHER_TID, t0 + 500000000, &c);
	data_writer_stat_u64(w, "samples", 4);
	if (data_writer_finish(w) < 0)
		return -1;
	data_writer_close(w);
	return 0;
}

static int count(struct session *s, struct session_sample *smp, void *arg)
{
	(void)s;
	(void)smp;
	(*(int *)arg)++;
	return 0;
}

static int stop_at_two(struct session *s, struct session_sample *smp, void *arg)
{
	(void)s;
	(void)smp;
	return ++*(int *)arg == 2 ? 42 : 0;
}

/* How many samples pass f, by session_samples(). */
static int passing(const struct sample_filter *f)
{
	struct session s;
	const char *detail;
	int n = 0;

	if (session_open(&s, path, &detail) < 0)
		return -1;
	session_samples(&s, f, count, &n);
	session_close(&s);
	return n;
}

static const struct prof_func *find_func(const struct profile *p, const char *name)
{
	for (size_t i = 0; i < p->nfuncs; i++)
		if (!strcmp(p->funcs[i].name, name))
			return &p->funcs[i];
	return NULL;
}

/* The stack of this thread's samples names the chain of calls, leaf first. */
static void test_profile(void)
{
	struct session s;
	struct symbolizer *sym;
	struct profile *p;
	const char *detail;
	const struct prof_stack *st = NULL;
	const char *want[] = { "test_inner", "test_middle", "test_outer" };

	if (session_open(&s, path, &detail) < 0) {
		ok(0, "session_open for the profile");
		return;
	}
	ok(s.dwarf, "the recording has stacks to unwind (ip, sp and bp in the regs mask)");
	is_int(profile_read(&s, NULL, PROF_VIEW_AUTO, 0, &p, &sym), 0, "profile_read");
	is_int((long long)p->samples, 4, "all four samples in the profile");
	is_int((long long)s.samples_seen, 4, "four samples seen");
	ok(!s.damaged && !data_reader_truncated(s.rd), "neither damaged nor truncated");
	for (size_t i = 0; i < p->nstacks; i++)
		if (p->stacks[i].tid == (uint32_t)getpid())
			st = &p->stacks[i];
	ok(st && st->samples == 3, "this thread's three samples share one stack");
	ok(st && st->depth >= 4, "the stack goes past the three known frames (%u)",
	   st ? st->depth : 0);
	for (uint32_t i = 0; st && i < 3 && i < st->depth; i++)
		is_str(profile_frame_func(p, st, i)->name, want[i], "frame of the chain of calls");
	ok(st && st->depth > 3 && !strcmp(profile_frame_func(p, st, 3)->name, "main"),
	   "main called test_outer");
	is_int((long long)p->quality.samples, 4, "four samples with a user stack");
	ok(p->quality.root == 4, "every stack reached its root (%" PRIu64 ")", p->quality.root);
	ok(find_func(p, "test_inner") && !strcmp(find_func(p, "test_inner")->dso, "test-session"),
	   "test_inner is in this program");
	is_str(p->title, "./test-session", "title: the command after --");
	is_str(p->weight_unit, "nanoseconds", "cpu-clock weighs in nanoseconds");
	profile_free(p);
	symbolizer_free(sym);
	session_close(&s);
}

static void test_filters(void)
{
	struct sample_filter f;
	struct session s;
	struct symbolizer *sym;
	struct profile *p;
	const char *detail, *bad;
	char tid[32];

	is_int(passing(NULL), 4, "no filter: every sample");
	memset(&f, 0, sizeof(f));
	snprintf(tid, sizeof(tid), "%u", (unsigned)getpid());
	is_int(sample_filter_tid(&f, tid, &bad), 0, "--tid of this thread");
	is_int(passing(&f), 3, "--tid: its three samples");
	{
		char want[48];

		snprintf(want, sizeof(want), "--tid %s", tid);
		is_str(f.text, want, "the filter's text for headers");
	}
	sample_filter_release(&f);

	memset(&f, 0, sizeof(f));
	is_int(sample_filter_comm(&f, "other"), 0, "--comm other");
	is_int(passing(&f), 1, "--comm other: one sample");
	sample_filter_release(&f);

	memset(&f, 0, sizeof(f));
	is_int(sample_filter_time(&f, "0,0.1"), 0, "--time 0,0.1");
	is_int(passing(&f), 3, "--time 0,0.1: the first three");
	sample_filter_release(&f);
	memset(&f, 0, sizeof(f));
	is_int(sample_filter_time(&f, "0.4,"), 0, "--time 0.4, (open end)");
	is_int(passing(&f), 1, "--time 0.4,: the last one");
	sample_filter_release(&f);

	memset(&f, 0, sizeof(f));
	is_int(sample_filter_time(&f, "1"), -EINVAL, "--time without a comma");
	sample_filter_release(&f);
	memset(&f, 0, sizeof(f));
	is_int(sample_filter_time(&f, "2,1"), -EDOM, "--time with START > END");
	sample_filter_release(&f);
	memset(&f, 0, sizeof(f));
	is_int(sample_filter_tid(&f, "12,x3", &bad), -EINVAL, "--tid with a word");
	is_str(bad, "x3", "the word that is not a thread id");
	sample_filter_release(&f);
	memset(&f, 0, sizeof(f));
	is_int(sample_filter_tid(&f, ",", &bad), -EINVAL, "--tid of no thread");
	ok(bad == NULL, "no word to blame");
	sample_filter_release(&f);
	memset(&f, 0, sizeof(f));
	is_int(sample_filter_comm(&f, ","), -EINVAL, "--comm of no name");
	sample_filter_release(&f);

	/* objects and functions: on symbolized stacks, by profile_read */
	memset(&f, 0, sizeof(f));
	sample_filter_symbol(&f, "test_mid*");
	ok(sample_filter_by_function(&f), "--symbol needs symbols");
	if (session_open(&s, path, &detail) == 0) {
		is_int(profile_read(&s, &f, PROF_VIEW_AUTO, 0, &p, &sym), 0, "profile_read with --symbol");
		is_int((long long)p->samples, 4, "--symbol test_mid*: every stack goes through it");
		profile_free(p);
		symbolizer_free(sym);
		session_close(&s);
	}
	sample_filter_release(&f);
	memset(&f, 0, sizeof(f));
	sample_filter_symbol(&f, "no_such_function");
	sample_filter_dso(&f, "test-session");
	if (session_open(&s, path, &detail) == 0) {
		is_int(profile_read(&s, &f, PROF_VIEW_AUTO, 0, &p, &sym), 0,
		       "profile_read with --dso and --symbol");
		is_int((long long)p->samples, 0, "a function no stack has: nothing");
		profile_free(p);
		symbolizer_free(sym);
		session_close(&s);
	}
	ok(f.text && strstr(f.text, "--symbol no_such_function") && strstr(f.text, "--dso"),
	   "text names both: %s", f.text ? f.text : "(none)");
	sample_filter_release(&f);
	ok(sample_filter_function_ok(&f, "libc.so.6", "/lib/libc.so.6", "x", NULL),
	   "an empty filter keeps every function");
}

static void test_names_and_callbacks(void)
{
	struct session s;
	const char *detail;
	uint32_t pid = (uint32_t)getpid();
	int n = 0;

	if (session_open(&s, path, &detail) < 0) {
		ok(0, "session_open");
		return;
	}
	is_str(session_comm(&s, pid, OTHER_TID, t0 + 1), "other", "a thread's own name");
	is_str(session_comm(&s, pid, pid, t0), "test-session", "this process's name");
	is_str(session_comm(&s, pid, 12345678, t0), "test-session",
	       "a thread without a name: its process's");
	is_str(session_comm(&s, 0, 0, t0), "swapper", "tid 0 is the idle task");
	is_int(session_samples(&s, NULL, stop_at_two, &n), 42,
	       "a callback's nonzero return ends the pass");
	is_int(n, 2, "after two samples");
	session_close(&s);
}

/* A copy of the recording's first `keep` bytes, with `flip` bytes inverted at its middle. */
static int copy_of(const char *to, off_t keep, size_t flip)
{
	static uint8_t buf[1 << 20];
	int in = open(path, O_RDONLY), out;
	ssize_t n = in >= 0 ? read(in, buf, sizeof(buf)) : -1;

	if (in >= 0)
		close(in);
	if (n <= 0 || keep > n)
		return -1;
	for (size_t i = 0; i < flip; i++)
		buf[keep / 2 + (off_t)i] ^= 0xff;
	out = open(to, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (out < 0)
		return -1;
	n = write(out, buf, (size_t)keep);
	close(out);
	return n == keep ? 0 : -1;
}

static void test_bad_files(void)
{
	struct session s;
	const char *detail = NULL;
	char other[300], cut[300], bad[300];
	struct stat st;
	int fd, n = 0;

	is_int(session_open(&s, "/nonexistent/pmuprof.data", &detail), -ENOENT, "a missing file");
	snprintf(other, sizeof(other), "%s/text", dir);
	fd = open(other, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd >= 0) {
		ok(write(fd, "not a recording at all, but long enough to have a header\n", 58) ==
		       58,
		   "wrote a text file");
		close(fd);
	}
	ok(session_open(&s, other, &detail) < 0, "a text file is refused (%s)",
	   detail ? detail : "no detail");
	unlink(other);

	/* cut short: what its complete frames hold is read, and the cut is known */
	snprintf(cut, sizeof(cut), "%s/cut.data", dir);
	if (stat(path, &st) == 0 && copy_of(cut, st.st_size - 40, 0) == 0 &&
	    session_open(&s, cut, &detail) == 0) {
		is_int(session_samples(&s, NULL, count, &n), 0, "a truncated file: read");
		ok(data_reader_truncated(s.rd), "a truncated file: known to be");
		ok(!s.damaged, "a truncated file: not damaged");
		is_int(n, 4, "its complete frames: every sample");
		session_close(&s);
	} else {
		ok(0, "a truncated copy opens");
	}
	unlink(cut);

	/* damaged in the middle: never a crash, and said */
	snprintf(bad, sizeof(bad), "%s/bad.data", dir);
	ok(stat(path, &st) == 0 && copy_of(bad, st.st_size, 64) == 0, "a damaged copy");
	if (session_open(&s, bad, &detail) == 0) {
		n = 0;
		session_samples(&s, NULL, count, &n);
		ok(s.damaged || s.bad_records || n < 4, "a damaged file: the damage is known (%d of 4 "
		   "samples, %" PRIu64 " bad records, %s)", n, s.bad_records,
		   s.damaged ? s.damage : "not stopped");
		session_close(&s);
	} else {
		ok(detail != NULL, "a damaged file refused at open says why (%s)",
		   detail ? detail : "no detail");
	}
	unlink(bad);
}

int main(void)
{
	if (!mkdtemp(dir)) {
		diag("mkdtemp: %s", strerror(errno));
		return 1;
	}
	snprintf(path, sizeof(path), "%s/self.data", dir);
	ok(make_recording() == 0, "recorded this process (%s)", path);
	test_profile();
	test_filters();
	test_names_and_callbacks();
	test_bad_files();
	unlink(path);
	rmdir(dir);
	return done_testing();
}
