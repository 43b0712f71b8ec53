// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ticker [-s SECONDS] [--ready FILE] [--truth FILE]: a mostly idle program driven by a timer
 * and signals, one thread. A timerfd fires every 100 ms; each tick runs about 20 us of CPU
 * work in on_tick. SIGUSR1, read through a signalfd, resets the timer (the next tick comes
 * 100 ms after the signal). Everything after the set-up waits in wait_loop's poll, for
 * SECONDS (default 2). --ready FILE: once the timer runs, FILE is created holding the PID,
 * so that a test knows when to send its signals.
 *
 * The truth, at the end (stdout, or FILE), one line each, times in ns:
 *   start MONOTONIC        CLOCK_MONOTONIC at main's start: the origin of every REL below
 *   pid PID
 *   lifetime NS            main's start to the end of wait_loop
 *   wait NS CPU            wall and CPU time spent in wait_loop
 *   cpu NS                 the thread's CPU time at the end
 *   ticks N                timer expirations read
 *   tick I REL CPU         each on_tick: when it started, its CPU time
 *   signal I REL SENDER    each SIGUSR1: when it was read, the sender's PID
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "uwlib.h" /* FRAME */

#define PERIOD_NS 100000000u
#define WORK_NS 20000u
#define MAX_EVENTS 4096

struct tick {
	uint64_t rel, cpu;
};

struct sig {
	uint64_t rel;
	int sender;
};

static uint64_t start_ns;
static struct tick ticks[MAX_EVENTS];
static struct sig sigs[MAX_EVENTS];
static unsigned int nticks, nsigs;
static uint64_t expirations;
static volatile uint64_t sink;

static uint64_t clock_ns(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int arm(int tfd)
{
	struct itimerspec its = {
		.it_interval = { 0, PERIOD_NS },
		.it_value = { 0, PERIOD_NS },
	};

	return timerfd_settime(tfd, 0, &its, NULL);
}

/* about WORK_NS of this thread's CPU time, in short chunks between clock reads */
FRAME static void on_tick(void)
{
	uint64_t rel = clock_ns(CLOCK_MONOTONIC) - start_ns;
	uint64_t cpu = clock_ns(CLOCK_THREAD_CPUTIME_ID), now;
	uint64_t x = sink;

	do {
		for (int i = 0; i < 2000; i++) {
			x = x * 6364136223846793005u + 1442695040888963407u;
			__asm__ volatile("" : "+r"(x));
		}
		now = clock_ns(CLOCK_THREAD_CPUTIME_ID);
	} while (now - cpu < WORK_NS);
	sink = x;
	if (nticks < MAX_EVENTS)
		ticks[nticks++] = (struct tick){ rel, now - cpu };
}

/* returns 0 at the end of the run, -1 with errno on a failure */
FRAME static int wait_loop(int tfd, int sfd, uint64_t end)
{
	struct pollfd pfd[2] = { { .fd = tfd, .events = POLLIN }, { .fd = sfd, .events = POLLIN } };

	for (;;) {
		uint64_t now = clock_ns(CLOCK_MONOTONIC);
		int ms;

		if (now >= end)
			return 0;
		ms = (int)((end - now + 999999) / 1000000);
		if (poll(pfd, 2, ms) < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (pfd[0].revents & POLLIN) {
			uint64_t n;

			if (read(tfd, &n, sizeof(n)) == sizeof(n)) {
				expirations += n;
				on_tick();
			}
		}
		if (pfd[1].revents & POLLIN) {
			struct signalfd_siginfo si;

			if (read(sfd, &si, sizeof(si)) == sizeof(si)) {
				if (nsigs < MAX_EVENTS)
					sigs[nsigs++] = (struct sig){ clock_ns(CLOCK_MONOTONIC) - start_ns,
								      (int)si.ssi_pid };
				if (arm(tfd))
					return -1;
			}
		}
	}
}

static int write_ready(const char *path)
{
	char tmp[4096];
	FILE *f;

	/* written then renamed: whoever sees FILE sees the whole PID */
	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp))
		return -1;
	f = fopen(tmp, "w");
	if (!f)
		return -1;
	fprintf(f, "%d\n", (int)getpid());
	if (fclose(f))
		return -1;
	return rename(tmp, path);
}

static void usage(void)
{
	fprintf(stderr, "usage: ticker [-s SECONDS] [--ready FILE] [--truth FILE]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "seconds", required_argument, NULL, 's' },
		{ "ready", required_argument, NULL, 'R' },
		{ "truth", required_argument, NULL, 'T' },
		{ NULL, 0, NULL, 0 },
	};
	const char *ready = NULL, *truth = NULL;
	uint64_t end, wait_start, wait_cpu, life;
	double seconds = 2;
	int tfd, sfd, c;
	sigset_t set;
	char *stop;
	FILE *out;

	start_ns = clock_ns(CLOCK_MONOTONIC);
	while ((c = getopt_long(argc, argv, "s:", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			seconds = strtod(optarg, &stop);
			if (*stop || !(seconds >= 0.01 && seconds <= 3600))
				usage();
			break;
		case 'R':
			ready = optarg;
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
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	if (sigprocmask(SIG_BLOCK, &set, NULL) || (sfd = signalfd(-1, &set, SFD_CLOEXEC)) < 0 ||
	    (tfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC)) < 0 || arm(tfd)) {
		perror("ticker: cannot set up the timer and the signalfd");
		return 1;
	}
	if (ready && write_ready(ready)) {
		fprintf(stderr, "ticker: cannot write '%s': %s\n", ready, strerror(errno));
		return 1;
	}
	end = start_ns + (uint64_t)(seconds * 1e9);
	wait_start = clock_ns(CLOCK_MONOTONIC);
	wait_cpu = clock_ns(CLOCK_THREAD_CPUTIME_ID);
	if (wait_loop(tfd, sfd, end)) {
		perror("ticker: wait_loop");
		return 1;
	}
	wait_cpu = clock_ns(CLOCK_THREAD_CPUTIME_ID) - wait_cpu;
	life = clock_ns(CLOCK_MONOTONIC);
	wait_start = life - wait_start;
	life -= start_ns;

	out = truth ? fopen(truth, "w") : stdout;
	if (!out) {
		fprintf(stderr, "ticker: cannot write '%s': %s\n", truth, strerror(errno));
		return 1;
	}
	fprintf(out, "start %llu\npid %d\nlifetime %llu\nwait %llu %llu\ncpu %llu\nticks %llu\n",
		(unsigned long long)start_ns, (int)getpid(), (unsigned long long)life,
		(unsigned long long)wait_start, (unsigned long long)wait_cpu,
		(unsigned long long)clock_ns(CLOCK_THREAD_CPUTIME_ID),
		(unsigned long long)expirations);
	for (unsigned int i = 0; i < nticks; i++)
		fprintf(out, "tick %u %llu %llu\n", i, (unsigned long long)ticks[i].rel,
			(unsigned long long)ticks[i].cpu);
	for (unsigned int i = 0; i < nsigs; i++)
		fprintf(out, "signal %u %llu %d\n", i, (unsigned long long)sigs[i].rel,
			sigs[i].sender);
	if (fflush(out) || ferror(out) || (truth && fclose(out))) {
		fprintf(stderr, "ticker: cannot write the truth: %s\n", strerror(errno));
		return 1;
	}
	return 0;
}
