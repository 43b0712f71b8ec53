// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * unwind MODE MS: stacks of a known shape for checking a DWARF unwinder. It is
 * built -O2 without frame pointers, so only CFI unwinds it. Each mode spends
 * about MS milliseconds of CPU (thread CPU clocks) with its hot code at the
 * end of a known chain of calls:
 *
 *   recurse  main -> run_recurse -> recurse x 30 -> recurse_leaf
 *   shlib    main -> run_shlib -> uw_lib_work -> uw_lib_inner (libuw.so), and
 *            about a fifth of the time main -> run_shlib -> uw_lib_sort ->
 *            qsort (libc) -> ... -> cmp_ints (back in the executable)
 *   threads  three threads, the third created MS/3 ms after the others, each
 *            start_thread -> thread_main -> thread_level1 -> thread_level2;
 *            each burns MS/3 ms, while main waits in pthread_join
 *   signal   main -> run_signal -> signal_spin, interrupted after every 2 ms
 *            of the process's CPU time (the kernel checks CPU timers at each
 *            4 ms tick here) by SIGUSR1, whose handler on_signal calls
 *            handler_work to burn about 1 ms: so some 10-35% of the samples,
 *            however busy the machine (the timer counts CPU time, not wall
 *            time), have the stack handler_work <- on_signal <- __restore_rt
 *            (libc's signal return trampoline) <- signal_spin <- run_signal <- main
 *   all      each of the above in turn (for benchmarks)
 *   deep     main -> run_deep, which takes turns of 2 ms: at deep_shallow, or
 *            100 deep: main -> run_deep -> deep x 100 -> deep_leaf, each deep
 *            frame holding a 128-byte array, so some 14-20 KiB of stack from
 *            deep_leaf up to _start (more than perf's 8 KiB default copy holds,
 *            less than pmuprof's 32 KiB; gcc and clang lay the frames out
 *            differently); about half the time each
 *            (not part of all)
 *
 * Every frame of a chain is noinline and uses the result of its call, so the
 * compiler can neither fold it into its caller nor turn the call into a jump.
 * Every stack but deep's stays well below 8 KiB, the copy perf takes by default:
 * the deepest is in the signal handler, some 3.7 KiB from handler_work up to
 * _start, most of it the signal frame with its saved FPU state (AVX-512 here).
 * Nothing is printed on stdout.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "uwlib.h"


/* the hot loop must be compiled into the function named in the chain, not a callee */
#define ALWAYS_INLINE inline __attribute__((always_inline))

/* hides a value from the optimizer: no closed forms, no accumulator-style tail recursion */
#define OPAQUE(x) __asm__ volatile("" : "+r"(x))

enum { RECURSE_DEPTH = 30, NTHREADS = 3, SORT_N = 4096, DEEP_DEPTH = 100, DEEP_WORDS = 16 };

/* per thread: a shared one would make the threads fight over one cache line */
static __thread volatile uint64_t sink;

static uint64_t thread_cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/*
 * Burns this thread's CPU until its clock reaches DEADLINE (ns). The clock is
 * a system call, so it is read once per 50,000 iterations (some 50-100 us).
 */
static ALWAYS_INLINE void burn_until(uint64_t deadline)
{
	uint64_t x = sink;

	do {
		for (int i = 0; i < 50000; i++) {
			x = x * 6364136223846793005u + 1442695040888963407u;
			OPAQUE(x);
		}
	} while (thread_cpu_ns() < deadline);
	sink = x;
}

/* recurse */

FRAME static uint64_t recurse_leaf(uint64_t ns)
{
	burn_until(thread_cpu_ns() + ns);
	return sink;
}

FRAME static uint64_t recurse(int depth, uint64_t ns)
{
	uint64_t r;

	if (depth <= 1)
		r = recurse_leaf(ns);
	else
		r = recurse(depth - 1, ns);
	OPAQUE(r);
	return r + (uint64_t)depth;
}

FRAME static void run_recurse(long ms)
{
	uint64_t end = thread_cpu_ns() + (uint64_t)ms * 1000000u, r = 0;

	/* 2 ms at the leaf per descent: the short walks up and down are noise */
	while (thread_cpu_ns() < end)
		r += recurse(RECURSE_DEPTH, 2000000);
	sink = r;
}

/* deep */

FRAME static uint64_t deep_leaf(uint64_t ns)
{
	burn_until(thread_cpu_ns() + ns);
	return sink;
}

FRAME static uint64_t deep(int depth, uint64_t ns)
{
	/* volatile, and every word written and read: all of it on the stack, in every frame */
	volatile uint64_t words[DEEP_WORDS];
	uint64_t r;

	for (int i = 0; i < DEEP_WORDS; i++)
		words[i] = (uint64_t)depth + (uint64_t)i;
	if (depth <= 1)
		r = deep_leaf(ns);
	else
		r = deep(depth - 1, ns);
	OPAQUE(r);
	for (int i = 0; i < DEEP_WORDS; i++)
		r += words[i];
	return r;
}

FRAME static uint64_t deep_shallow(uint64_t ns)
{
	burn_until(thread_cpu_ns() + ns);
	return sink;
}

FRAME static void run_deep(long ms)
{
	uint64_t end = thread_cpu_ns() + (uint64_t)ms * 1000000u, r = 0;

	for (unsigned int turn = 0; thread_cpu_ns() < end; turn++)
		r += turn % 2 ? deep(DEEP_DEPTH, 2000000) : deep_shallow(2000000);
	sink = r;
}

/* shlib */

/* an expensive sort key, so that most of the sort's samples end in the comparator */
static ALWAYS_INLINE uint32_t sort_key(uint32_t v)
{
	for (int i = 0; i < 6; i++) {
		v ^= v >> 15;
		v *= 0x2c1b3c6du;
		OPAQUE(v);
	}
	return v;
}

FRAME static int cmp_ints(const void *pa, const void *pb)
{
	const int *ia = pa, *ib = pb;
	uint32_t a = sort_key((uint32_t)*ia), b = sort_key((uint32_t)*ib);

	return (a > b) - (a < b);
}

FRAME static void run_shlib(long ms)
{
	static int a[SORT_N];
	uint64_t end = thread_cpu_ns() + (uint64_t)ms * 1000000u, r = 0;
	uint32_t rnd = 2463534242u;

	for (unsigned int round = 0; thread_cpu_ns() < end; round++) {
		if (round % 5 == 4) {
			for (int i = 0; i < SORT_N; i++) {
				rnd ^= rnd << 13;
				rnd ^= rnd >> 17;
				rnd ^= rnd << 5;
				a[i] = (int)(rnd >> 1);
			}
			r += (uint64_t)uw_lib_sort(a, SORT_N, cmp_ints);
		} else {
			r += uw_lib_work(200000);
		}
	}
	sink = r;
}

/* threads */

static long thread_ms;

FRAME static uint64_t thread_level2(uint64_t ns)
{
	burn_until(thread_cpu_ns() + ns);
	return sink;
}

FRAME static uint64_t thread_level1(uint64_t ns)
{
	uint64_t r = thread_level2(ns);

	OPAQUE(r);
	return r + 1;
}

FRAME static void *thread_main(void *arg)
{
	uint64_t r = thread_level1((uint64_t)thread_ms * 1000000u);

	OPAQUE(r);
	sink = r;
	return arg;
}

FRAME static int run_threads(long ms)
{
	struct timespec late = { .tv_sec = ms / 3 / 1000, .tv_nsec = ms / 3 % 1000 * 1000000 };
	pthread_t tid[NTHREADS];
	int err;

	thread_ms = ms / NTHREADS > 0 ? ms / NTHREADS : 1;
	for (int i = 0; i < NTHREADS; i++) {
		/* the last one is created late, after the recording is well under way */
		if (i == NTHREADS - 1)
			while (nanosleep(&late, &late) && errno == EINTR)
				;
		err = pthread_create(&tid[i], NULL, thread_main, NULL);
		if (err) {
			fprintf(stderr, "unwind: pthread_create: %s\n", strerror(err));
			return -1;
		}
	}
	for (int i = 0; i < NTHREADS; i++)
		pthread_join(tid[i], NULL);
	return 0;
}

/* signal */

FRAME static uint64_t handler_work(void)
{
	burn_until(thread_cpu_ns() + 1000000);
	return sink;
}

FRAME static void on_signal(int sig)
{
	uint64_t r = handler_work();

	OPAQUE(r);
	sink = r + (uint64_t)sig;
}

FRAME static uint64_t signal_spin(uint64_t end)
{
	burn_until(end);
	return sink;
}

FRAME static int run_signal(long ms)
{
	struct sigevent sev = { .sigev_notify = SIGEV_SIGNAL, .sigev_signo = SIGUSR1 };
	struct itimerspec every = { .it_value.tv_nsec = 2000000, .it_interval.tv_nsec = 2000000 };
	struct sigaction sa = { .sa_handler = on_signal };
	timer_t timer;
	uint64_t r;

	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART;
	if (sigaction(SIGUSR1, &sa, NULL) || timer_create(CLOCK_PROCESS_CPUTIME_ID, &sev, &timer) ||
	    timer_settime(timer, 0, &every, NULL)) {
		perror("unwind: signal timer");
		return -1;
	}
	r = signal_spin(thread_cpu_ns() + (uint64_t)ms * 1000000u);
	OPAQUE(r);
	sink = r;
	timer_delete(timer);
	signal(SIGUSR1, SIG_IGN);
	return 0;
}

int main(int argc, char **argv)
{
	const char *mode;
	int all, err = 0;
	long ms;

	if (argc != 3 || (ms = atol(argv[2])) <= 0)
		goto usage;
	mode = argv[1];
	all = !strcmp(mode, "all");
	if (!all && strcmp(mode, "recurse") && strcmp(mode, "shlib") && strcmp(mode, "threads") &&
	    strcmp(mode, "signal") && strcmp(mode, "deep"))
		goto usage;
	if (!strcmp(mode, "deep")) {
		run_deep(ms);
		return 0;
	}
	if (all || !strcmp(mode, "recurse"))
		run_recurse(ms);
	if (all || !strcmp(mode, "shlib"))
		run_shlib(ms);
	if (all || !strcmp(mode, "threads"))
		err |= run_threads(ms);
	if (all || !strcmp(mode, "signal"))
		err |= run_signal(ms);
	return err ? 1 : 0;

usage:
	fprintf(stderr, "usage: unwind recurse|shlib|threads|signal|all|deep MS\n");
	return 2;
}
