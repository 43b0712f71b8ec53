// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * spin [-t THREADS] [-s SECONDS] [--late MS] [--fork] [--exec] [--own-sigprof] [--sigkill]
 * [--exit-fast] [--truth FILE]: THREADS threads each burn SECONDS of their own CPU time in
 * spin_worker0..3 (thread k in k % 4), then the fork, exec and signal cases samplers get
 * wrong; the truth is "thread PID TID FUNC NS" and "process PID NS" lines of kernel clocks.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>


/*
 * The burning functions must stay frames of their own with exactly these names: FRAME's noipa
 * also stops GCC from folding the four identical workers into one symbol (-fipa-icf), which
 * would make the threads indistinguishable (clang neither clones nor merges them at -O2).
 */
#include "uwlib.h" /* FRAME */

/* the hot loop must be compiled into each named function, not into a shared callee */
#define ALWAYS_INLINE inline __attribute__((always_inline))

enum { MAX_THREADS = 1024, MAX_LATE_MS = 3600 * 1000 };

struct worker {
	pthread_t thread;
	unsigned int k;
	pid_t tid;
	uint64_t cpu_ns;
	uint64_t sink;
} __attribute__((aligned(64))); /* each thread writes only its own cache line */

/*
 * Each burner runs until its thread's CPU clock reads this, so that the truth is SECONDS
 * and not SECONDS plus the thread's start: workers and the forked child start from zero (a
 * new thread, a new process). The exec'd image starts from the clock at its main(): the
 * clock goes on through exec, so its thread line also counts the execve itself (some ms)
 * and whatever the thread did before it, as the thread's CPU clock does.
 */
static uint64_t goal_ns;
extern char **environ; /* unistd.h declares it only for _GNU_SOURCE */
static volatile sig_atomic_t own_sigprof_count;
/* where the truth goes: the --truth file, or stderr */
static int truth_fd = STDERR_FILENO;

static uint64_t cpu_ns(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static pid_t thread_id(void)
{
	/* the system call, not gettid(): glibc before 2.30 has no wrapper */
	return (pid_t)syscall(SYS_gettid);
}

/*
 * Burns this thread's CPU until its clock (CLOCK_THREAD_CPUTIME_ID) reaches GOAL ns and
 * returns the loop's last value, for the caller to store. The clock is a system call (the
 * vDSO cannot read it), so a sampler would find samples in clock_gettime if it were read
 * often: after a 100,000 iteration chunk to measure the rate, each chunk runs half of the
 * iterations predicted to be left, at least 20 us and at most 20 ms worth, some 70 clock
 * reads per second. Half, because on a VM the thread's clock also runs while the host has
 * the vCPU descheduled (steal time), so a chunk can take well more than predicted; the
 * overshoot stays some tens of us unless a last chunk is slowed down twofold.
 */
static ALWAYS_INLINE uint64_t burn(uint64_t goal, uint64_t x)
{
	uint64_t now = cpu_ns(CLOCK_THREAD_CPUTIME_ID);
	double iters_per_ns = 0; /* unknown until the first chunk has been timed */

	while (now < goal) {
		uint64_t n = 100000, before = now;

		if (iters_per_ns > 0) {
			double left = (double)(goal - now) * 0.5;

			if (left < 20000)
				left = 20000;
			if (left > 20000000)
				left = 20000000;
			n = (uint64_t)(left * iters_per_ns) + 1;
		}
		for (uint64_t i = 0; i < n; i++) {
			x = x * 6364136223846793005u + 1442695040888963407u;
			/* keeps the loop from being folded or vectorized */
			__asm__ volatile("" : "+r"(x));
		}
		now = cpu_ns(CLOCK_THREAD_CPUTIME_ID);
		if (now > before)
			iters_per_ns = (double)n / (double)(now - before);
	}
	return x;
}

FRAME static uint64_t spin_worker0(uint64_t goal, uint64_t x)
{
	return burn(goal, x);
}

FRAME static uint64_t spin_worker1(uint64_t goal, uint64_t x)
{
	return burn(goal, x);
}

FRAME static uint64_t spin_worker2(uint64_t goal, uint64_t x)
{
	return burn(goal, x);
}

FRAME static uint64_t spin_worker3(uint64_t goal, uint64_t x)
{
	return burn(goal, x);
}

FRAME static uint64_t spin_forked(uint64_t goal, uint64_t x)
{
	return burn(goal, x);
}

FRAME static uint64_t spin_execed(uint64_t goal, uint64_t x)
{
	return burn(goal, x);
}

static const char *const worker_names[4] = {
	"spin_worker0", "spin_worker1", "spin_worker2", "spin_worker3",
};

static void *worker_main(void *arg)
{
	static uint64_t (*const workers[4])(uint64_t, uint64_t) = {
		spin_worker0, spin_worker1, spin_worker2, spin_worker3,
	};
	struct worker *w = arg;

	w->tid = thread_id();
	w->sink = workers[w->k % 4](goal_ns, w->k);
	/* only the thread itself can read its clock once it has gone */
	w->cpu_ns = cpu_ns(CLOCK_THREAD_CPUTIME_ID);
	return NULL;
}

/*
 * One write() per line: the truth file is opened O_APPEND, so lines from the forked child
 * and from the parent never interleave, even though they share the file. Returns 0 or -1.
 */
__attribute__((format(printf, 1, 2))) static int truth_line(const char *fmt, ...)
{
	char line[256];
	va_list ap;
	int len;

	va_start(ap, fmt);
	len = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (len < 0 || (size_t)len >= sizeof(line))
		return -1;
	for (;;) {
		ssize_t done = write(truth_fd, line, (size_t)len);

		if (done == len)
			return 0;
		if (done >= 0 || errno != EINTR)
			return -1;
	}
}

/*
 * The process line is CLOCK_PROCESS_CPUTIME_ID now: it counts the threads that have
 * exited but not forked children, and it survives exec, so the exec'd image's process
 * line covers the whole life of its PID, the image before exec included (the last process
 * line of a PID is its total, never the sum of its lines).
 */
static int truth_process(void)
{
	if (truth_line("process %d %llu\n", (int)getpid(),
		       (unsigned long long)cpu_ns(CLOCK_PROCESS_CPUTIME_ID)) < 0) {
		perror("spin: cannot write the truth");
		return -1;
	}
	return 0;
}

/* the single-threaded burners: the forked child and the exec'd image */
static int solo(uint64_t (*fn)(uint64_t, uint64_t), const char *name)
{
	uint64_t sink = fn(goal_ns, 1), thread_ns = cpu_ns(CLOCK_THREAD_CPUTIME_ID);
	int pid = (int)getpid();

	__asm__ volatile("" : : "r"(sink));
	if (truth_line("thread %d %d %s %llu\n", pid, (int)thread_id(), name,
		       (unsigned long long)thread_ns) < 0) {
		perror("spin: cannot write the truth");
		return -1;
	}
	return truth_process();
}

static void on_sigprof(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)si;
	(void)uc;
	own_sigprof_count = own_sigprof_count + 1;
}

/* the program's own profiler, as gperftools or -pg would bring one: 100 Hz of process CPU */
static int own_sigprof_start(void)
{
	struct itimerval it = { { 0, 10000 }, { 0, 10000 } };
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_sigprof;
	sa.sa_flags = SA_SIGINFO | SA_RESTART;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGPROF, &sa, NULL) || setitimer(ITIMER_PROF, &it, NULL)) {
		perror("spin: cannot start the own SIGPROF timer");
		return -1;
	}
	return 0;
}

/*
 * Stops the timer and reports its count. Before an exec the timer must be stopped and any
 * SIGPROF already pending thrown away (setting SIG_IGN does that): both survive exec, but
 * the handler does not, and SIGPROF's default action would kill the new image at once.
 */
static void own_sigprof_stop(void)
{
	struct itimerval off = { { 0, 0 }, { 0, 0 } };
	char line[64];
	int len;

	setitimer(ITIMER_PROF, &off, NULL);
	signal(SIGPROF, SIG_IGN);
	signal(SIGPROF, SIG_DFL);
	len = snprintf(line, sizeof(line), "own-sigprof: %d signals\n", (int)own_sigprof_count);
	if (write(STDERR_FILENO, line, (size_t)len) < 0)
		return; /* nowhere left to say so */
}

/*
 * Replaces the process image with this same binary (whatever argv[0] or the working
 * directory says) run as --exec-child. It execs a descriptor of /proc/self/exe rather than
 * the path, because the kernel names the new image's comm after the path's last component,
 * "exe", and after the file itself only for a descriptor. END_FLAGS is set when the
 * exec'ing process is the original one, whose end (--sigkill, --exit-fast) and own profiler
 * then belong to the new image; a forked child that execs must exit 0 for its parent.
 * Returns only on failure.
 */
static void exec_self(const char *argv0, double seconds, const char *truth, int end_flags,
		      int own_sigprof, int sigkill, int exit_fast)
{
	char secs[32], *path = NULL;
	const char *args[10];
	int n = 0, fd;

	snprintf(secs, sizeof(secs), "%.17g", seconds);
	args[n++] = argv0;
	args[n++] = "--exec-child";
	args[n++] = secs;
	if (truth) {
		size_t len = strlen(truth);

		path = malloc(len + sizeof(".exec"));
		if (!path) {
			perror("spin: cannot exec");
			return;
		}
		memcpy(path, truth, len);
		memcpy(path + len, ".exec", sizeof(".exec"));
		args[n++] = "--truth";
		args[n++] = path;
	}
	if (end_flags && own_sigprof)
		args[n++] = "--own-sigprof";
	if (end_flags && sigkill)
		args[n++] = "--sigkill";
	if (end_flags && exit_fast)
		args[n++] = "--exit-fast";
	args[n] = NULL;
	fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fexecve(fd, (char *const *)args, environ))
		perror("spin: cannot exec /proc/self/exe");
	if (fd >= 0)
		close(fd);
	free(path);
}

static int parse_double(const char *s, double *v)
{
	char *end;

	errno = 0;
	*v = strtod(s, &end);
	return end == s || *end || errno || !isfinite(*v) || *v < 0 || *v > 1e6 ? -1 : 0;
}

static int parse_long(const char *s, long min, long max, long *v)
{
	char *end;

	errno = 0;
	*v = strtol(s, &end, 10);
	return end == s || *end || errno || *v < min || *v > max ? -1 : 0;
}

static void usage(void)
{
	fputs("usage: spin [-t THREADS] [-s SECONDS] [--late MS] [--fork] [--exec] "
	      "[--own-sigprof]\n"
	      "            [--sigkill] [--exit-fast] [--truth FILE]\n",
	      stderr);
}

int main(int argc, char **argv)
{
	enum {
		OPT_LATE = 256, OPT_FORK, OPT_EXEC, OPT_OWN, OPT_KILL, OPT_FAST, OPT_TRUTH,
		OPT_CHILD,
	};
	static const struct option options[] = {
		{ "late", required_argument, NULL, OPT_LATE },
		{ "fork", no_argument, NULL, OPT_FORK },
		{ "exec", no_argument, NULL, OPT_EXEC },
		{ "own-sigprof", no_argument, NULL, OPT_OWN },
		{ "sigkill", no_argument, NULL, OPT_KILL },
		{ "exit-fast", no_argument, NULL, OPT_FAST },
		{ "truth", required_argument, NULL, OPT_TRUTH },
		/* hidden: what --exec runs */
		{ "exec-child", required_argument, NULL, OPT_CHILD },
		{ NULL, 0, NULL, 0 },
	};
	int do_fork = 0, do_exec = 0, own_sigprof = 0, sigkill = 0, exit_fast = 0;
	int exec_child = 0, status = 0, c;
	long threads = 1, late_ms = 0;
	const char *truth = NULL;
	struct worker *workers;
	double seconds = 1.0;

	while ((c = getopt_long(argc, argv, "+t:s:", options, NULL)) != -1) {
		switch (c) {
		case 't':
			if (parse_long(optarg, 1, MAX_THREADS, &threads)) {
				fprintf(stderr, "spin: invalid thread count '%s' (1 to %d)\n",
					optarg, MAX_THREADS);
				goto bad_usage;
			}
			break;
		case 's':
		case OPT_CHILD:
			if (parse_double(optarg, &seconds)) {
				fprintf(stderr, "spin: invalid number of seconds '%s'\n", optarg);
				goto bad_usage;
			}
			exec_child |= c == OPT_CHILD;
			break;
		case OPT_LATE:
			if (parse_long(optarg, 0, MAX_LATE_MS, &late_ms)) {
				fprintf(stderr, "spin: invalid delay '%s' ms\n", optarg);
				goto bad_usage;
			}
			break;
		case OPT_FORK:
			do_fork = 1;
			break;
		case OPT_EXEC:
			do_exec = 1;
			break;
		case OPT_OWN:
			own_sigprof = 1;
			break;
		case OPT_KILL:
			sigkill = 1;
			break;
		case OPT_FAST:
			exit_fast = 1;
			break;
		case OPT_TRUTH:
			truth = optarg;
			break;
		default:
			goto bad_usage;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "spin: unexpected argument '%s'\n", argv[optind]);
		goto bad_usage;
	}
	goal_ns = (uint64_t)(seconds * 1e9 + 0.5);

	if (own_sigprof && own_sigprof_start())
		return 1;
	/*
	 * Truncated once, when the image starts, so that a rerun does not add to an old run;
	 * the forked child shares this descriptor and appends. Not inherited across exec: the
	 * exec'd image writes FILE.exec, which it opens itself.
	 */
	if (truth) {
		truth_fd = open(truth, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0644);
		if (truth_fd < 0) {
			fprintf(stderr, "spin: cannot open '%s': %s\n", truth, strerror(errno));
			return 1;
		}
	}

	if (exec_child) {
		goal_ns += cpu_ns(CLOCK_THREAD_CPUTIME_ID);
		if (solo(spin_execed, "spin_execed"))
			status = 1;
		goto end;
	}

	if (late_ms) {
		struct timespec ts = { late_ms / 1000, late_ms % 1000 * 1000000 };

		/* SA_RESTART does not restart nanosleep: a SIGPROF would cut the delay short */
		while (nanosleep(&ts, &ts) && errno == EINTR)
			;
	}

	workers = calloc((size_t)threads, sizeof(*workers));
	if (!workers) {
		perror("spin: cannot allocate the workers");
		return 1;
	}
	for (long k = 0; k < threads; k++) {
		int err;

		workers[k].k = (unsigned int)k;
		err = pthread_create(&workers[k].thread, NULL, worker_main, &workers[k]);
		if (err) {
			fprintf(stderr, "spin: cannot create thread %ld: %s\n", k, strerror(err));
			return 1;
		}
	}
	for (long k = 0; k < threads; k++)
		pthread_join(workers[k].thread, NULL);

	if (do_fork) {
		/* single-threaded again, so the child may use anything */
		pid_t pid = fork(), got;
		int wstatus;

		if (pid < 0) {
			perror("spin: cannot fork");
			status = 1;
		} else if (pid == 0) {
			if (do_exec) {
				exec_self(argv[0], seconds, truth, 0, 0, 0, 0);
				_exit(127);
			}
			_exit(solo(spin_forked, "spin_forked") ? 1 : 0);
		} else {
			do
				got = waitpid(pid, &wstatus, 0);
			while (got < 0 && errno == EINTR);
			if (got < 0) {
				perror("spin: cannot wait for the forked child");
				status = 1;
			} else if (!WIFEXITED(wstatus) || WEXITSTATUS(wstatus)) {
				fprintf(stderr, "spin: forked child %d failed (wait status %#x)\n",
					(int)pid, wstatus);
				status = 1;
			}
		}
	}

	for (long k = 0; k < threads; k++) {
		if (truth_line("thread %d %d %s %llu\n", (int)getpid(), (int)workers[k].tid,
			       worker_names[workers[k].k % 4],
			       (unsigned long long)workers[k].cpu_ns) < 0) {
			perror("spin: cannot write the truth");
			status = 1;
			break;
		}
	}
	free(workers);
	if (truth_process())
		status = 1;

	if (do_exec && !do_fork && !status) {
		if (own_sigprof)
			own_sigprof_stop();
		if (truth && close(truth_fd)) {
			perror("spin: cannot write the truth");
			return 1;
		}
		exec_self(argv[0], seconds, truth, 1, own_sigprof, sigkill, exit_fast);
		return 1;
	}

end:
	if (own_sigprof)
		own_sigprof_stop();
	if (truth && close(truth_fd)) {
		perror("spin: cannot write the truth");
		status = 1;
	}
	if (sigkill) {
		/* the end a profiler that saves its samples at exit never sees */
		kill(getpid(), SIGKILL);
		for (;;)
			pause();
	}
	if (exit_fast)
		_exit(status);
	return status;

bad_usage:
	usage();
	return 2;
}
