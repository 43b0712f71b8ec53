// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * offcpu [-s SECONDS] [-b BURNERS] [--truth FILE]: threads that wait in known functions for
 * known reasons, each measuring itself, so that an off-CPU profile has a ground truth.
 *
 *   sleeper       sleeps in sleep_here (clock_nanosleep), ten times a tenth of the run
 *   holder        takes a mutex in hold_lock, burns a fifth of a round and sleeps two fifths
 *                 with it held
 *   waiter        blocks in wait_for_lock on that mutex, 0.3 of a round after the holder
 *                 took it
 *   writer        writes a byte to a pipe in write_late, half a round into each round
 *   reader        blocks in read_pipe on that pipe until the byte comes
 *   burnerK       burns 0.8 of a round of its own CPU time in burn_cpu, ten times
 *
 * The rounds are tenths of SECONDS (default 1) on a shared CLOCK_MONOTONIC schedule; holder,
 * waiter and writer wait for their moment in idle_until. With more BURNERS than CPUs, the
 * burners queue for the CPUs (runnable time).
 *
 * Every named function measures its own off-CPU time: the CLOCK_MONOTONIC time of its
 * blocking calls (from before the call until after it: the sleep, and the wait for a CPU
 * once woken) plus the time it waited for a CPU outside them, when preempted (the kernel's
 * run_delay in /proc/thread-self/schedstat). Wall minus CPU time (CLOCK_THREAD_CPUTIME_ID)
 * is printed too, but it is no truth on a VM: the thread's CPU clock leaves out the time
 * the host ran something else on the vCPU (steal), which no profiler in the guest sees.
 *
 * The truth, written at the end (stdout, or FILE), one line each, times in ns:
 *   process PID
 *   thread NAME TID LIFETIME CPU
 *       LIFETIME: from just before pthread_create (main: from main's start) to the thread's
 *       last clock read, so that it covers the wait for the thread's first turn on a CPU
 *   func FUNC TID OFF BLOCKED RUNNABLE WALL-CPU CALLS
 *       per function and thread that called it: OFF = BLOCKED (in the blocking calls) +
 *       RUNNABLE (preempted outside them); without a readable schedstat, OFF = WALL-CPU
 */
#define _GNU_SOURCE /* pthread_setname_np */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "uwlib.h" /* FRAME */

#define ALWAYS_INLINE inline __attribute__((always_inline))
#define ROUNDS 10
#define MAX_BURNERS 16

enum func {
	F_SLEEP_HERE,
	F_HOLD_LOCK,
	F_WAIT_FOR_LOCK,
	F_WRITE_LATE,
	F_READ_PIPE,
	F_BURN_CPU,
	F_IDLE_UNTIL,
	NFUNC
};

static const char *const func_names[NFUNC] = {
	"sleep_here", "hold_lock", "wait_for_lock", "write_late",
	"read_pipe",  "burn_cpu",  "idle_until",
};

struct fstat {
	uint64_t blocked_ns, runnable_ns, wall_cpu_ns, calls;
};

struct worker {
	pthread_t thread;
	void (*run)(struct worker *w);
	char name[16];
	pid_t tid;
	uint64_t created, life_ns, cpu_ns;
	int schedstat; /* /proc/thread-self/schedstat, or -1 */
	struct fstat f[NFUNC];
	uint64_t sink;
} __attribute__((aligned(64))); /* each thread writes only its own cache line */

/*
 * The timing of one call of a named function: started at its entry, closed by span_end;
 * its blocking calls are timed with block_begin and block_end
 */
struct span {
	uint64_t wall, cpu, run_delay;
	uint64_t blocked, run_delay_blocked; /* in the blocking calls */
	uint64_t block_t, block_run_delay;   /* the blocking call under way */
};

static uint64_t start_ns; /* round 0 starts here */
static uint64_t round_ns;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static int pipefd[2];
static volatile int no_schedstat; /* some thread could not read it */

static uint64_t clock_ns(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* the thread's time spent waiting for a CPU so far (run_delay, ns), or 0 */
static uint64_t run_delay(struct worker *w)
{
	char buf[96];
	ssize_t n = w->schedstat < 0 ? -1 : pread(w->schedstat, buf, sizeof(buf) - 1, 0);
	unsigned long long on, wait;

	buf[n > 0 ? n : 0] = 0;
	if (sscanf(buf, "%llu %llu", &on, &wait) != 2) {
		no_schedstat = 1;
		return 0;
	}
	return wait;
}

static ALWAYS_INLINE void span_begin(struct worker *w, struct span *s)
{
	memset(s, 0, sizeof(*s));
	s->wall = clock_ns(CLOCK_MONOTONIC);
	s->cpu = clock_ns(CLOCK_THREAD_CPUTIME_ID);
	s->run_delay = run_delay(w);
}

static ALWAYS_INLINE void block_begin(struct worker *w, struct span *s)
{
	s->block_run_delay = run_delay(w);
	s->block_t = clock_ns(CLOCK_MONOTONIC);
}

static ALWAYS_INLINE void block_end(struct worker *w, struct span *s)
{
	s->blocked += clock_ns(CLOCK_MONOTONIC) - s->block_t;
	s->run_delay_blocked += run_delay(w) - s->block_run_delay;
}

static ALWAYS_INLINE void span_end(struct worker *w, enum func f, struct span *s)
{
	uint64_t rd = run_delay(w) - s->run_delay;
	uint64_t cpu = clock_ns(CLOCK_THREAD_CPUTIME_ID) - s->cpu;
	uint64_t wall = clock_ns(CLOCK_MONOTONIC) - s->wall;

	w->f[f].blocked_ns += s->blocked;
	/* the wait for a CPU once woken is part of the blocking call's time already */
	w->f[f].runnable_ns += rd > s->run_delay_blocked ? rd - s->run_delay_blocked : 0;
	/* the two clocks are read apart: a call that never left the CPU may read CPU > wall */
	w->f[f].wall_cpu_ns += wall > cpu ? wall - cpu : 0;
	w->f[f].calls++;
}

static ALWAYS_INLINE void sleep_ns(uint64_t ns)
{
	struct timespec ts = { (time_t)(ns / 1000000000u), (long)(ns % 1000000000u) };

	while (clock_nanosleep(CLOCK_MONOTONIC, 0, &ts, &ts) == EINTR)
		;
}

/*
 * Burns this thread's CPU for NS ns of its CPU clock, in chunks of 1,000,000 iterations
 * (some 0.5 ms) between clock reads: the clock is a system call, and the time in it is
 * kernel time, which a user-space-only sampler (perf_event_paranoid 2) does not see.
 */
static ALWAYS_INLINE uint64_t spin_for(uint64_t ns, uint64_t x)
{
	uint64_t goal = clock_ns(CLOCK_THREAD_CPUTIME_ID) + ns;

	do {
		for (int i = 0; i < 1000000; i++) {
			x = x * 6364136223846793005u + 1442695040888963407u;
			__asm__ volatile("" : "+r"(x));
		}
	} while (clock_ns(CLOCK_THREAD_CPUTIME_ID) < goal);
	return x;
}

FRAME static void sleep_here(struct worker *w, uint64_t ns)
{
	struct span s;

	span_begin(w, &s);
	block_begin(w, &s);
	sleep_ns(ns);
	block_end(w, &s);
	span_end(w, F_SLEEP_HERE, &s);
}

FRAME static void idle_until(struct worker *w, uint64_t when)
{
	struct timespec ts = { (time_t)(when / 1000000000u), (long)(when % 1000000000u) };
	struct span s;

	span_begin(w, &s);
	block_begin(w, &s);
	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
		;
	block_end(w, &s);
	span_end(w, F_IDLE_UNTIL, &s);
}

FRAME static void hold_lock(struct worker *w, uint64_t burn, uint64_t sleep)
{
	struct span s;

	span_begin(w, &s);
	pthread_mutex_lock(&lock); /* free: the waiter only ever holds it for a moment */
	w->sink = spin_for(burn, w->sink);
	block_begin(w, &s);
	sleep_ns(sleep);
	block_end(w, &s);
	pthread_mutex_unlock(&lock);
	span_end(w, F_HOLD_LOCK, &s);
}

FRAME static void wait_for_lock(struct worker *w)
{
	struct span s;

	span_begin(w, &s);
	block_begin(w, &s);
	pthread_mutex_lock(&lock);
	block_end(w, &s);
	pthread_mutex_unlock(&lock);
	span_end(w, F_WAIT_FOR_LOCK, &s);
}

FRAME static void write_late(struct worker *w)
{
	struct span s;

	span_begin(w, &s);
	while (write(pipefd[1], "x", 1) < 0 && errno == EINTR)
		;
	span_end(w, F_WRITE_LATE, &s);
}

FRAME static void read_pipe(struct worker *w)
{
	struct span s;
	char c;

	span_begin(w, &s);
	block_begin(w, &s);
	while (read(pipefd[0], &c, 1) < 0 && errno == EINTR)
		;
	block_end(w, &s);
	span_end(w, F_READ_PIPE, &s);
}

FRAME static void burn_cpu(struct worker *w, uint64_t ns)
{
	struct span s;

	span_begin(w, &s);
	w->sink = spin_for(ns, w->sink);
	span_end(w, F_BURN_CPU, &s);
}

/* the moment FRAC tenths into round R */
static uint64_t at(int r, int frac)
{
	return start_ns + (uint64_t)r * round_ns + round_ns / 10 * (uint64_t)frac;
}

static void run_sleeper(struct worker *w)
{
	for (int r = 0; r < ROUNDS; r++)
		sleep_here(w, round_ns);
}

static void run_holder(struct worker *w)
{
	for (int r = 0; r < ROUNDS; r++) {
		idle_until(w, at(r, 0));
		hold_lock(w, round_ns / 5, round_ns / 5 * 2);
	}
}

static void run_waiter(struct worker *w)
{
	for (int r = 0; r < ROUNDS; r++) {
		idle_until(w, at(r, 3));
		wait_for_lock(w);
	}
}

static void run_writer(struct worker *w)
{
	for (int r = 0; r < ROUNDS; r++) {
		idle_until(w, at(r, 5));
		write_late(w);
	}
}

static void run_reader(struct worker *w)
{
	for (int r = 0; r < ROUNDS; r++)
		read_pipe(w);
}

static void run_burner(struct worker *w)
{
	for (int r = 0; r < ROUNDS; r++)
		burn_cpu(w, round_ns / 10 * 8);
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;

	w->tid = (pid_t)syscall(SYS_gettid);
	w->schedstat = open("/proc/thread-self/schedstat", O_RDONLY | O_CLOEXEC);
	pthread_setname_np(pthread_self(), w->name);
	w->run(w);
	/* only the thread itself can read its CPU clock */
	w->cpu_ns = clock_ns(CLOCK_THREAD_CPUTIME_ID);
	w->life_ns = clock_ns(CLOCK_MONOTONIC) - w->created;
	if (w->schedstat >= 0)
		close(w->schedstat);
	return NULL;
}

static int print_truth(FILE *out, const struct worker *w, int n)
{
	fprintf(out, "process %d\n", (int)getpid());
	for (int i = 0; i < n; i++) {
		fprintf(out, "thread %s %d %llu %llu\n", w[i].name, (int)w[i].tid,
			(unsigned long long)w[i].life_ns, (unsigned long long)w[i].cpu_ns);
		for (int f = 0; f < NFUNC; f++) {
			const struct fstat *fs = &w[i].f[f];

			if (!fs->calls)
				continue;
			fprintf(out, "func %s %d %llu %llu %llu %llu %llu\n", func_names[f],
				(int)w[i].tid,
				(unsigned long long)(no_schedstat ? fs->wall_cpu_ns
								  : fs->blocked_ns + fs->runnable_ns),
				(unsigned long long)fs->blocked_ns,
				(unsigned long long)fs->runnable_ns,
				(unsigned long long)fs->wall_cpu_ns, (unsigned long long)fs->calls);
		}
	}
	return fflush(out) == 0 && !ferror(out) ? 0 : -1;
}

static void usage(void)
{
	fprintf(stderr, "usage: offcpu [-s SECONDS] [-b BURNERS(1-%d)] [--truth FILE]\n",
		MAX_BURNERS);
	exit(2);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "seconds", required_argument, NULL, 's' },
		{ "burners", required_argument, NULL, 'b' },
		{ "truth", required_argument, NULL, 'T' },
		{ NULL, 0, NULL, 0 },
	};
	static void (*const runs[5])(struct worker *) = {
		run_sleeper, run_holder, run_waiter, run_writer, run_reader,
	};
	static const char *const names[5] = { "sleeper", "holder", "waiter", "writer", "reader" };
	static struct worker w[1 + 5 + MAX_BURNERS];
	uint64_t born = clock_ns(CLOCK_MONOTONIC);
	const char *truth = NULL;
	double seconds = 1;
	int burners = 1, n = 1, c;
	char *end;
	FILE *out;

	while ((c = getopt_long(argc, argv, "s:b:", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			seconds = strtod(optarg, &end);
			if (*end || !(seconds >= 0.01 && seconds <= 3600))
				usage();
			break;
		case 'b':
			burners = (int)strtol(optarg, &end, 10);
			if (*end || burners < 1 || burners > MAX_BURNERS)
				usage();
			break;
		case 'T':
			truth = optarg;
			break;
		default:
			usage();
		}
	}
	if (optind != argc)
		usage();
	if (pipe(pipefd)) {
		perror("offcpu: pipe");
		return 1;
	}
	round_ns = (uint64_t)(seconds * 1e9) / ROUNDS;
	/* the main thread keeps its command name; it only starts and joins the others */
	snprintf(w[0].name, sizeof(w[0].name), "main");
	w[0].tid = (pid_t)syscall(SYS_gettid);
	for (int i = 0; i < 5; i++, n++) {
		snprintf(w[n].name, sizeof(w[n].name), "%s", names[i]);
		w[n].run = runs[i];
	}
	for (int i = 0; i < burners; i++, n++) {
		snprintf(w[n].name, sizeof(w[n].name), "burner%d", i);
		w[n].run = run_burner;
	}
	/* a little ahead, so that every thread is up before round 0 */
	start_ns = clock_ns(CLOCK_MONOTONIC) + 5000000;
	for (int i = 1; i < n; i++) {
		w[i].created = clock_ns(CLOCK_MONOTONIC);
		errno = pthread_create(&w[i].thread, NULL, worker_main, &w[i]);
		if (errno) {
			perror("offcpu: pthread_create");
			return 1;
		}
	}
	for (int i = 1; i < n; i++)
		pthread_join(w[i].thread, NULL);
	w[0].cpu_ns = clock_ns(CLOCK_THREAD_CPUTIME_ID);
	w[0].life_ns = clock_ns(CLOCK_MONOTONIC) - born;
	out = truth ? fopen(truth, "w") : stdout;
	if (!out || print_truth(out, w, n) || (truth && fclose(out))) {
		fprintf(stderr, "offcpu: cannot write the truth to '%s': %s\n",
			truth ? truth : "stdout", strerror(errno));
		return 1;
	}
	return 0;
}
