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
 */
#include "records.h"
#include "store/datafile.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

int main(int argc, char **argv)
{
	static const char *const names[] = { "sh", "cc1", "as", "ld", "make", "true" };
	struct data_writer *w;
	unsigned long n;
	bool chain, objects;
	const char *file;
	char path[64];
	int ret;

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
			"       %s phases SEED STEP FILE\n",
			argv[0], argv[0], argv[0]);
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
