// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Writes synthetic recordings of many processes for contrib/bench/report-scaling.sh
 * and for the fuzz corpus: what `record -a` of a parallel build looks like to
 * report, thousands of short processes, each with its own address space, plus
 * one object of its own (a build's temporary files and plugins), without
 * having to run thousands of processes.
 *
 *   gen-procs procs N FILE   N processes forked by pid 1, each exec'd, mapping
 *                            /usr/bin/true, libc and an object of its own,
 *                            with two samples in /usr/bin/true
 *   gen-procs chain N FILE   a chain of N forks (each process the child of the
 *                            one before) with no exec: every process has a
 *                            sample and only the first has maps or a name
 *   gen-procs objects FILE PATH...
 *                            one process that maps each PATH in turn (a FIFO,
 *                            a device, a sparse object: what a hostile
 *                            recording may name), with two samples in each
 *   gen-procs phases SEED STEP FILE
 *                            one process of 12000 samples in phase_a and
 *                            phase_b, in alternating phases of 100 to 1100
 *                            samples whose lengths come from SEED, and every
 *                            STEP-th sample in phase_c: two SEEDs are two runs
 *                            of one program whose phases differ (what pmuprof
 *                            diff must not take for a change), another STEP
 *                            a program changed
 *   gen-procs offcpu FILE [EVENT]
 *                            off-CPU profiling's known totals: two processes
 *                            whose CPU samples (of cpu-clock, 1 ms each, or of
 *                            EVENT, 1000 events each) and off-CPU intervals of
 *                            every kind (blocked, runnable) and stack source
 *                            (the kernel's at switch-out, read from outside
 *                            with bp 0, none) have set durations; the frames
 *                            are functions of gen-procs itself (gp_*) and
 *                            kernel functions the file names (see put_offcpu)
 */
#include "records.h"
#include "store/datafile.h"

#include <dlfcn.h>
#include <linux/perf_event.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define FIRST_PID 1000u
#define EXE_START 0x555555554000ull
#define LIBC_START 0x7ffff7d80000ull

static uint64_t now = 1000000000ull;

static uint64_t tick(void)
{
	return now += 1000;
}

static void put_mmap(struct data_writer *w, uint32_t pid, uint64_t time, uint64_t start,
		     uint64_t len, const char *path)
{
	size_t size = record_size(sizeof(struct rec_mmap), strlen(path) + 1);
	struct rec_mmap *r = data_writer_reserve(w, size);

	if (!r)
		return;
	r->h.type = REC_MMAP;
	r->h.size = (uint32_t)size;
	r->pid = r->tid = pid;
	r->time = time;
	r->start = start;
	r->len = len;
	r->prot = 5; /* r-x */
	strcpy((char *)(r + 1), path);
	data_writer_commit(w, time);
}

static void put_sample(struct data_writer *w, uint32_t pid, uint64_t time, uint64_t ip)
{
	struct rec_sample *r = data_writer_reserve(w, sizeof(*r));

	if (!r)
		return;
	r->h.type = REC_SAMPLE;
	r->h.size = sizeof(*r);
	r->pid = r->tid = pid;
	r->time = time;
	r->weight = 1000000;
	r->ip = ip;
	data_writer_commit(w, time);
}

/* One process, pid FIRST_PID, with each of paths mapped and sampled: for the fuzz corpus. */
static void put_objects(struct data_writer *w, char **paths, int n)
{
	uint32_t pid = FIRST_PID;
	uint64_t start = EXE_START;

	records_put_fork(w, pid, 1, tick());
	records_put_comm(w, pid, pid, tick(), "objects", true);
	for (int i = 0; i < n; i++, start += 0x100000) {
		put_mmap(w, pid, tick(), start, 0x10000, paths[i]);
		put_sample(w, pid, tick(), start + 0x1040);
		put_sample(w, pid, tick(), start + 0x2080);
	}
}

#define PHASES_SAMPLES 12000u
#define PHASES_PATH    "/nonexistent/phases/libphases.so"

/* A small generator of its own: the files must be the same on every machine. */
static uint32_t next_random(uint64_t *state)
{
	*state = *state * 6364136223846793005ull + 1442695040888963407ull;
	return (uint32_t)(*state >> 33);
}

/*
 * One process whose samples fall in phases: the object is named, not read
 * (its functions are "libphases.so+0x1040" and so on: a, b and c).
 */
static void put_phases(struct data_writer *w, uint64_t seed, unsigned long step)
{
	uint32_t pid = FIRST_PID, left = 0;
	uint64_t ip = EXE_START + 0x1040;
	uint64_t state = seed;

	records_put_fork(w, pid, 1, tick());
	records_put_comm(w, pid, pid, tick(), "phases", true);
	put_mmap(w, pid, tick(), EXE_START, 0x10000, PHASES_PATH);
	for (uint32_t i = 0; i < PHASES_SAMPLES; i++) {
		if (!left) {
			left = 100 + next_random(&state) % 1001;
			ip = ip == EXE_START + 0x1040 ? EXE_START + 0x2080 : EXE_START + 0x1040;
		}
		left--;
		put_sample(w, pid, tick(), i % step ? ip : EXE_START + 0x30c0);
	}
}

/*
 * Off-CPU recordings. The user frames are these functions, found in this
 * very program (mapped in the recording at its own load address), so that
 * a report names them; their bodies only give them a size.
 */
#define GP_FUNC(name)                                                                            \
	__attribute__((noinline, used)) int name(int n)                                          \
	{                                                                                        \
		volatile int x = n;                                                              \
		for (int i = 0; i < n; i++)                                                      \
			x = x * 3 + i;                                                           \
		return x;                                                                        \
	}
int gp_main(int n);
int gp_burn(int n);
int gp_sleep(int n);
int gp_read_pipe(int n);
GP_FUNC(gp_main)
GP_FUNC(gp_burn)
GP_FUNC(gp_sleep)
GP_FUNC(gp_read_pipe)

/* kernel functions, named by REC_KSYM records as record names those its samples hit */
#define K_BASE 0xffffffff81000000ull
enum { K_SCHEDULE, K_NANOSLEEP, K_PIPE_READ, K_IRQ_EXIT, K_MAX };
static const char *const ksym_names[K_MAX] = { "schedule", "do_nanosleep", "pipe_read",
					       "irqentry_exit_to_user_mode" };

static uint64_t ksym(int k, bool ret)
{
	return K_BASE + 0x1000 * (uint64_t)k + (ret ? 0x20 : 0x10);
}

/* the address of one of the gp_ functions: at its start, or a return address inside it */
static uint64_t gp_addr(int (*fn)(int), bool ret)
{
	return (uint64_t)(uintptr_t)fn + (ret ? 8 : 0);
}

int main(int argc, char **argv);

/* a return address in main: the stacks end at a root, as whole ones do */
static uint64_t main_addr(void)
{
	return (uint64_t)(uintptr_t)main + 8;
}

struct offcpu_gen {
	struct data_writer *w;
	bool clock;	       /* the CPU samples' event is cpu-clock */
	uint64_t cpu_samples, weight, off_samples, off_ns, by_source[3], ns_none;
};

/*
 * One sample: kind and source in misc (store/format.h), the callchain as
 * --call-graph fp records it (kernel context, then user context), or, from
 * outside, ip and the registers bp (0: unknown), sp and ip.
 */
static void put_offcpu_sample(struct offcpu_gen *g, uint32_t pid, uint32_t tid, uint16_t misc,
			      uint64_t weight, const uint64_t *kernel, size_t nkernel,
			      const uint64_t *user, size_t nuser, uint64_t remote_ip)
{
	uint64_t chain[16];
	size_t n = 0, nregs = remote_ip ? 3 : 0;
	size_t size;
	struct rec_sample *r;
	uint64_t time = tick();

	if (nkernel) {
		chain[n++] = (uint64_t)PERF_CONTEXT_KERNEL;
		for (size_t i = 0; i < nkernel; i++)
			chain[n++] = kernel[i];
	}
	if (nuser) {
		chain[n++] = (uint64_t)PERF_CONTEXT_USER;
		for (size_t i = 0; i < nuser; i++)
			chain[n++] = user[i];
	}
	size = sizeof(*r) + 8 * (n + nregs);
	r = data_writer_reserve(g->w, size);
	if (!r)
		return;
	memset(r, 0, size);
	r->h.type = REC_SAMPLE;
	r->h.size = (uint32_t)size;
	r->h.misc = misc;
	r->pid = pid;
	r->tid = tid;
	r->time = time;
	r->weight = weight;
	r->nregs = (uint16_t)nregs;
	r->ncallchain = (uint16_t)n;
	if (nkernel) {
		r->h.misc |= SAMPLE_KERNEL;
		r->ip = kernel[0];
	} else if (remote_ip) {
		uint64_t *regs = (uint64_t *)(r + 1);

		r->ip = remote_ip;
		regs[0] = 0; /* bp: unknown from outside */
		regs[1] = 0x7ffffffde000ull;
		regs[2] = remote_ip;
	} else if (nuser) {
		r->ip = user[0];
	}
	memcpy((uint64_t *)(r + 1) + nregs, chain, 8 * n);
	data_writer_commit(g->w, time);
	if (!sample_off_cpu(misc)) {
		g->cpu_samples++;
		g->weight += weight;
		return;
	}
	g->off_samples++;
	g->off_ns += weight;
	g->by_source[(misc & SAMPLE_SOURCE_MASK) >> 8]++;
	if ((misc & SAMPLE_SOURCE_MASK) == SAMPLE_SOURCE_NONE)
		g->ns_none += weight;
}

static void put_cpu(struct offcpu_gen *g, uint32_t pid, uint32_t tid, unsigned n)
{
	uint64_t user[3] = { gp_addr(gp_burn, false), gp_addr(gp_main, true), main_addr() };

	for (unsigned i = 0; i < n; i++)
		put_offcpu_sample(g, pid, tid, SAMPLE_KIND_CPU, g->clock ? 1000000 : 1000, NULL, 0,
				  user, 3, 0);
}

static void put_task(struct data_writer *w, uint16_t type, uint32_t pid, uint32_t tid)
{
	struct rec_task *r = data_writer_reserve(w, sizeof(*r));
	uint64_t time = tick();

	if (!r)
		return;
	memset(r, 0, sizeof(*r));
	r->h.type = type;
	r->h.size = sizeof(*r);
	r->pid = r->ppid = pid;
	r->tid = tid;
	r->ptid = pid;
	r->time = time;
	data_writer_commit(w, time);
}

static void put_task_cpu(struct data_writer *w, uint32_t pid, uint32_t tid, uint64_t ns)
{
	struct rec_task_cpu *r = data_writer_reserve(w, sizeof(*r));
	uint64_t time = tick();

	if (!r)
		return;
	memset(r, 0, sizeof(*r));
	r->h.type = REC_TASK_CPU;
	r->h.size = sizeof(*r);
	r->pid = pid;
	r->tid = tid;
	r->time = time;
	r->cpu_ns = ns;
	data_writer_commit(w, time);
}

static void put_ksyms(struct data_writer *w)
{
	for (int k = 0; k < K_MAX; k++) {
		size_t size = record_size(sizeof(struct rec_ksym), strlen(ksym_names[k]) + 1);
		struct rec_ksym *r = data_writer_reserve(w, size);

		if (!r)
			return;
		memset(r, 0, size);
		r->h.type = REC_KSYM;
		r->h.size = (uint32_t)size;
		r->start = K_BASE + 0x1000 * (uint64_t)k;
		r->end = r->start + 0x100;
		strcpy((char *)(r + 1), ksym_names[k]);
		data_writer_commit(w, now);
	}
}

/*
 * The totals the tests check (ms):
 *
 *   process 1000 "offcpu", thread 1000 "offcpu":
 * (every user stack ends in gp_main <- main)
 *     CPU       30 samples in gp_burn <- gp_main
 *     blocked   3 x 20 at switch-out: schedule <- do_nanosleep, gp_sleep <- gp_main
 *     runnable  2 x 1.5 at switch-out: schedule <- irqentry_exit_to_user_mode, gp_burn <- gp_main
 *   thread 1001 "reader":
 *     CPU       10 samples in gp_burn <- gp_main
 *     blocked   2 x 50 read from outside (bp 0): gp_read_pipe
 *     blocked   4 x 0.25 without a stack
 *     runnable  1 x 0.5 without a stack
 *   process 2000 "other":
 *     CPU       5 samples in gp_burn <- gp_main
 *     blocked   1 x 7 at switch-out: schedule <- pipe_read, gp_read_pipe <- gp_main
 *
 * On CPU 45 samples (45 ms of cpu-clock); the kernel's CPU time of the
 * threads is twice that (60, 20 and 10 ms), which a report scales EVENT's
 * samples to. Blocked 168 ms, runnable 3.5 ms: off CPU 171.5 ms.
 */
static int put_offcpu(const char *file, const char *event)
{
	struct offcpu_gen g = { .clock = !event };
	const uint64_t sleep_k[] = { ksym(K_SCHEDULE, false), ksym(K_NANOSLEEP, true) };
	const uint64_t sleep_u[] = { gp_addr(gp_sleep, true), gp_addr(gp_main, true),
				     main_addr() };
	const uint64_t preempt_k[] = { ksym(K_SCHEDULE, false), ksym(K_IRQ_EXIT, true) };
	const uint64_t preempt_u[] = { gp_addr(gp_burn, false), gp_addr(gp_main, true),
				     main_addr() };
	const uint64_t pipe_k[] = { ksym(K_SCHEDULE, false), ksym(K_PIPE_READ, true) };
	const uint64_t pipe_u[] = { gp_addr(gp_read_pipe, true), gp_addr(gp_main, true),
				     main_addr() };
	const uint16_t blocked = SAMPLE_KIND_BLOCKED, runnable = SAMPLE_KIND_RUNNABLE;
	char exe[PATH_MAX];
	struct stat st;
	Dl_info info;
	ssize_t len = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	int ret;

	if (len <= 0 || stat((exe[len] = '\0', exe), &st) < 0 || !dladdr((void *)gp_main, &info)) {
		fprintf(stderr, "gen-procs: cannot find this program's own path and functions\n");
		return 1;
	}
	ret = data_writer_open(file, &g.w);
	if (ret < 0) {
		fprintf(stderr, "gen-procs: cannot create '%s': %s\n", file, strerror(-ret));
		return 1;
	}
	data_writer_meta_str(g.w, "cmdline", "pmuprof record --off-cpu -- offcpu");
	data_writer_meta_str(g.w, "event", event ? event : "cpu-clock");
	data_writer_meta_str(g.w, "call-graph", "fp");
	data_writer_meta_str(g.w, "off-cpu", "switch");
	data_writer_meta_u64(g.w, "off-cpu-min-stack-ns", 0);
	data_writer_meta_u64(g.w, "start-ns", now);
	put_ksyms(g.w);
	for (uint32_t pid = 1000; pid <= 2000; pid += 1000) {
		records_put_fork(g.w, pid, 1, tick());
		records_put_comm(g.w, pid, pid, tick(), pid == 1000 ? "offcpu" : "other", true);
		put_mmap(g.w, pid, tick(), (uint64_t)(uintptr_t)info.dli_fbase,
			 ((uint64_t)st.st_size + 0xfff) & ~0xfffull, exe);
	}
	put_task(g.w, REC_FORK, 1000, 1001);
	records_put_comm(g.w, 1000, 1001, tick(), "reader", false);

	put_cpu(&g, 1000, 1000, 30);
	for (int i = 0; i < 3; i++)
		put_offcpu_sample(&g, 1000, 1000, blocked, 20000000, sleep_k, 2, sleep_u, 3, 0);
	for (int i = 0; i < 2; i++)
		put_offcpu_sample(&g, 1000, 1000, runnable, 1500000, preempt_k, 2, preempt_u, 3, 0);
	put_cpu(&g, 1000, 1001, 10);
	for (int i = 0; i < 2; i++)
		put_offcpu_sample(&g, 1000, 1001, blocked | SAMPLE_SOURCE_REMOTE, 50000000, NULL, 0,
				  NULL, 0, gp_addr(gp_read_pipe, true));
	for (int i = 0; i < 4; i++)
		put_offcpu_sample(&g, 1000, 1001, blocked | SAMPLE_SOURCE_NONE, 250000, NULL, 0,
				  NULL, 0, 0);
	put_offcpu_sample(&g, 1000, 1001, runnable | SAMPLE_SOURCE_NONE, 500000, NULL, 0, NULL, 0,
			  0);
	put_cpu(&g, 2000, 2000, 5);
	put_offcpu_sample(&g, 2000, 2000, blocked, 7000000, pipe_k, 2, pipe_u, 3, 0);
	put_task_cpu(g.w, 1000, 1000, 60000000);
	put_task_cpu(g.w, 1000, 1001, 20000000);
	put_task_cpu(g.w, 2000, 2000, 10000000);
	put_task(g.w, REC_EXIT, 1000, 1001);

	data_writer_stat_u64(g.w, "samples", g.cpu_samples);
	data_writer_stat_u64(g.w, "weight", g.weight);
	data_writer_stat_u64(g.w, "off-cpu-samples", g.off_samples);
	data_writer_stat_u64(g.w, "off-cpu-ns", g.off_ns);
	data_writer_stat_u64(g.w, "off-cpu-stack-switch", g.by_source[0]);
	data_writer_stat_u64(g.w, "off-cpu-stack-remote", g.by_source[1]);
	data_writer_stat_u64(g.w, "off-cpu-stack-none", g.by_source[2]);
	data_writer_stat_u64(g.w, "off-cpu-ns-stack-none", g.ns_none);
	data_writer_stat_u64(g.w, "off-cpu-closed-at-end", 0);
	ret = data_writer_finish(g.w);
	data_writer_close(g.w);
	if (ret < 0) {
		fprintf(stderr, "gen-procs: cannot write '%s': %s\n", file, strerror(-ret));
		return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	static const char *const names[] = { "sh", "cc1", "as", "ld", "make", "true" };
	struct data_writer *w;
	unsigned long n;
	bool chain, objects;
	const char *file;
	char path[64];
	int ret;

	if (argc >= 2 && !strcmp(argv[1], "offcpu")) {
		if (argc != 3 && argc != 4) {
			fprintf(stderr, "usage: %s offcpu FILE [EVENT]\n", argv[0]);
			return 2;
		}
		return put_offcpu(argv[2], argc == 4 ? argv[3] : NULL);
	}
	if (argc >= 2 && !strcmp(argv[1], "phases")) {
		unsigned long seed, step;

		if (argc != 5 || !(seed = strtoul(argv[2], NULL, 10)) ||
		    (step = strtoul(argv[3], NULL, 10)) < 2) {
			fprintf(stderr, "usage: %s phases SEED(1-) STEP(2-) FILE\n", argv[0]);
			return 2;
		}
		ret = data_writer_open(argv[4], &w);
		if (ret < 0) {
			fprintf(stderr, "%s: cannot create '%s': %s\n", argv[0], argv[4],
				strerror(-ret));
			return 1;
		}
		data_writer_meta_str(w, "cmdline", "pmuprof record -- phases");
		data_writer_meta_str(w, "event", "cpu-clock");
		data_writer_meta_u64(w, "start-ns", now);
		put_phases(w, seed, step);
		data_writer_stat_u64(w, "samples", PHASES_SAMPLES);
		ret = data_writer_finish(w);
		data_writer_close(w);
		if (ret < 0) {
			fprintf(stderr, "%s: cannot write '%s': %s\n", argv[0], argv[4],
				strerror(-ret));
			return 1;
		}
		return 0;
	}
	objects = argc >= 4 && !strcmp(argv[1], "objects");
	if (objects) {
		n = (unsigned long)(argc - 3);
	} else if (argc != 4 || (strcmp(argv[1], "procs") && strcmp(argv[1], "chain")) ||
		   (n = strtoul(argv[2], NULL, 10)) == 0 || n > 4000000) {
		fprintf(stderr,
			"usage: %s procs|chain N FILE\n       %s objects FILE PATH...\n"
			"       %s phases SEED STEP FILE\n       %s offcpu FILE [EVENT]\n",
			argv[0], argv[0], argv[0], argv[0]);
		return 2;
	}
	chain = !strcmp(argv[1], "chain");
	file = objects ? argv[2] : argv[3];
	ret = data_writer_open(file, &w);
	if (ret < 0) {
		fprintf(stderr, "%s: cannot create '%s': %s\n", argv[0], file, strerror(-ret));
		return 1;
	}
	data_writer_meta_str(w, "cmdline", objects ? "pmuprof record -- objects"
				  : chain  ? "pmuprof record -- fork-chain"
					   : "pmuprof record -a");
	data_writer_meta_str(w, "event", "cpu-clock");
	data_writer_meta_u64(w, "start-ns", now);
	data_writer_meta_str(w, "privilege", "user space only (perf_event_paranoid)");
	if (objects)
		put_objects(w, argv + 3, argc - 3);
	for (uint32_t i = 0; !objects && i < n; i++) {
		uint32_t pid = FIRST_PID + i;
		uint64_t t = tick();

		if (chain) {
			/* the child of the one before: its maps and name come from far up the chain */
			records_put_fork(w, pid, i ? pid - 1 : 1, t);
			if (!i) {
				records_put_comm(w, pid, pid, t, "chain", true);
				put_mmap(w, pid, t, EXE_START, 0x8000, "/usr/bin/true");
			}
			put_sample(w, pid, tick(), EXE_START + 0x2400 + (i % 64) * 16);
			continue;
		}
		records_put_fork(w, pid, 1, t);
		records_put_comm(w, pid, pid, tick(), names[i % (sizeof(names) / sizeof(names[0]))],
				 true);
		put_mmap(w, pid, now, EXE_START, 0x8000, "/usr/bin/true");
		put_mmap(w, pid, now, LIBC_START, 0x1c0000, "/usr/lib/x86_64-linux-gnu/libc.so.6");
		snprintf(path, sizeof(path), "/tmp/cc%06u.so", i);
		put_mmap(w, pid, now, LIBC_START + 0x400000, 0x10000, path);
		put_sample(w, pid, tick(), EXE_START + 0x2400 + (i % 64) * 16);
		put_sample(w, pid, tick(), EXE_START + 0x2800 + (i % 32) * 16);
	}
	data_writer_stat_u64(w, "samples", chain ? n : 2 * n);
	ret = data_writer_finish(w);
	data_writer_close(w);
	if (ret < 0) {
		fprintf(stderr, "%s: cannot write '%s': %s\n", argv[0], file, strerror(-ret));
		return 1;
	}
	return 0;
}
