// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The run loop that stat and record share: a workload's exit status comes
 * back, --duration ends a run and a command that outlived it dies by
 * SIGTERM counted as status 0, an attached process that exits ends the
 * run, a signal sent with kill() reaches the workload, the tick and the
 * wake callback are called, a callback's error stops the run, and a second
 * interrupt that came after the one that ended the run is dropped. SIGUSR2,
 * once taken, is counted and ends nothing, and the callback is called by
 * the time it asks for.
 */
#include "collect/runloop.h"
#include "collect/workload.h"
#include "tap.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* Opens a run loop and starts argv under it; the pid goes into rl->pid. */
static bool start(struct runloop *rl, char *const argv[])
{
	struct workload wl = { .pid = -1, .go_fd = -1, .err_fd = -1 };

	if (runloop_open(rl) < 0 || workload_prepare(&wl, argv, &rl->mon.old_mask, NULL) < 0)
		return false;
	runloop_start(rl);
	if (workload_start(&wl) < 0)
		return false;
	rl->pid = wl.pid;
	return true;
}

static void exit_status(void)
{
	char *true_argv[] = { "/bin/true", NULL };
	char *exit3_argv[] = { "/bin/sh", "-c", "exit 3", NULL };
	struct runloop rl;

	ok(start(&rl, true_argv), "/bin/true starts");
	is_int(runloop_run(&rl), 0, "the run ends without error");
	ok(rl.have_status && WIFEXITED(rl.wstatus) && WEXITSTATUS(rl.wstatus) == 0,
	   "/bin/true: status 0");
	ok(!rl.interrupted, "not interrupted");
	runloop_close(&rl);

	ok(start(&rl, exit3_argv), "sh -c 'exit 3' starts");
	is_int(runloop_run(&rl), 0, "the run ends without error");
	ok(rl.have_status && WIFEXITED(rl.wstatus) && WEXITSTATUS(rl.wstatus) == 3,
	   "its status 3 comes back");
	ok(rl.ru.ru_maxrss > 0, "with its rusage (%ld KiB at most)", rl.ru.ru_maxrss);
	runloop_close(&rl);
}

static void deadline(void)
{
	char *argv[] = { "/bin/sleep", "5", NULL };
	struct runloop rl;
	double t;

	ok(start(&rl, argv), "sleep 5 starts");
	rl.duration = 0.2;
	is_int(runloop_run(&rl), 0, "a run with --duration 0.2 ends without error");
	t = runloop_elapsed(&rl);
	/* no upper bound: a loaded machine may be late; the command still running says enough */
	ok(t >= 0.2, "not before the deadline (%.3f s)", t);
	ok(!rl.have_status, "with the command still running");
	runloop_stop(&rl);
	ok(rl.have_status && rl.wstatus == 0, "its death by SIGTERM counts as status 0");
	runloop_close(&rl);
}

static void attach(void)
{
	struct target t;
	struct runloop rl;
	pid_t pid;
	double el;

	ok(runloop_open(&rl) == 0, "a run loop opens");
	pid = fork();
	if (pid == 0) {
		usleep(200000);
		_exit(0);
	}
	ok(pid > 0 && target_init(&t, TARGET_PID, pid) == 0, "attached to a child");
	rl.target = &t;
	rl.duration = 60;
	is_int(runloop_run(&rl), 0, "the run ends without error");
	el = runloop_elapsed(&rl);
	ok(el < 60, "when the process exits (%.3f s), not at the deadline", el);
	ok(!rl.have_status, "an attached process's status is not the run's");
	waitpid(pid, NULL, 0);
	target_release(&t);

	/* Ctrl-C sent with kill() ends an attached run */
	pid = fork();
	if (pid == 0) {
		pause();
		_exit(0);
	}
	target_init(&t, TARGET_PID, pid);
	rl.target = &t;
	rl.duration = 60;
	runloop_start(&rl);
	kill(getpid(), SIGINT);
	is_int(runloop_run(&rl), 0, "SIGINT: the run ends without error");
	ok(rl.interrupted && runloop_elapsed(&rl) < 60, "interrupted, before the deadline");
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	target_release(&t);
	runloop_close(&rl);
}

static void forward(void)
{
	char *argv[] = { "/bin/sleep", "5", NULL };
	struct runloop rl;

	ok(start(&rl, argv), "sleep 5 starts");
	kill(getpid(), SIGTERM);
	is_int(runloop_run(&rl), 0, "the run ends without error");
	ok(rl.interrupted, "interrupted");
	ok(rl.have_status && WIFSIGNALED(rl.wstatus) && WTERMSIG(rl.wstatus) == SIGTERM,
	   "SIGTERM sent with kill() was passed on to the workload");
	runloop_close(&rl);
}

struct calls {
	int ticks, wakes, fd_reads;
	double last_since_start;
	int fd;
	int fail_after; /* woke fails once the fd was read this often; 0: never */
};

static int on_tick(void *arg, double since_start, double interval_s)
{
	struct calls *c = arg;

	c->ticks++;
	c->last_since_start = since_start;
	return interval_s > 0 ? 0 : -EINVAL;
}

static int on_wake(void *arg)
{
	struct calls *c = arg;
	char buf[16];

	c->wakes++;
	if (read(c->fd, buf, sizeof(buf)) > 0)
		c->fd_reads++;
	return c->fail_after && c->fd_reads >= c->fail_after ? -EIO : 0;
}

static void callbacks(void)
{
	char *argv[] = { "/bin/sleep", "0.35", NULL };
	char *long_argv[] = { "/bin/sleep", "5", NULL };
	struct calls c = { 0 };
	struct runloop rl;
	int p[2];

	ok(pipe2(p, O_NONBLOCK) == 0, "a pipe");
	c.fd = p[0];
	ok(start(&rl, argv), "sleep 0.35 starts");
	rl.interval_ms = 50;
	rl.tick = on_tick;
	rl.woke = on_wake;
	rl.fds = &p[0];
	rl.nfds = 1;
	rl.max_wait_ms = 20;
	rl.arg = &c;
	ok(write(p[1], "x", 1) == 1, "a byte to read");
	is_int(runloop_run(&rl), 0, "the run ends without error");
	/* at least one interval and the end; a loaded machine merges late ticks into one */
	ok(c.ticks >= 2, "ticks every 50 ms and one at the end (%d)", c.ticks);
	ok(c.last_since_start >= 0.3, "the last tick at the end (%.3f s)", c.last_since_start);
	is_int(c.fd_reads, 1, "the fd woke the loop, and the callback read it");
	ok(c.wakes >= 2, "woke is called after every wait of at most 20 ms (%d)", c.wakes);
	ok(rl.have_status && rl.wstatus == 0, "sleep's status");
	runloop_close(&rl);

	memset(&c, 0, sizeof(c));
	c.fd = p[0];
	c.fail_after = 1;
	ok(start(&rl, long_argv), "sleep 5 starts");
	rl.woke = on_wake;
	rl.fds = &p[0];
	rl.nfds = 1;
	rl.arg = &c;
	ok(write(p[1], "x", 1) == 1, "a byte to read");
	is_int(runloop_run(&rl), -EIO, "the callback's error stops the run");
	ok(!rl.have_status, "before the workload ended");
	runloop_stop(&rl);
	ok(rl.have_status && rl.wstatus == 0, "which then ends by SIGTERM, status 0");
	runloop_close(&rl);
	close(p[0]);
	close(p[1]);
}

/* timeout(1) sends SIGINT twice (the command, then its process group): the second must not kill */
static void second_interrupt(void)
{
	struct runloop rl;

	memset(&rl, 0, sizeof(rl));
	rl.pid = -1;
	if (!ok(runloop_open(&rl) == 0, "a run loop without a command opens"))
		return;
	runloop_start(&rl);
	raise(SIGINT);
	is_int(runloop_run(&rl), 0, "SIGINT ends the run");
	ok(rl.interrupted, "as an interrupt");
	raise(SIGINT);
	runloop_close(&rl);
	ok(1, "a second SIGINT, pending when the loop closed, did not kill the process");
}

struct usr2_calls {
	struct runloop *rl;
	int wakes;
	unsigned long usr2_seen;
	uint64_t asked;	  /* the wake_by_ns asked for */
	uint64_t woke_at; /* the first wake at or after it */
};

/* Sends SIGUSR2 at the first wake, then asks for a wake 100 ms on; stops the run after that. */
static int on_wake_usr2(void *arg)
{
	struct usr2_calls *c = arg;
	uint64_t now = runloop_now_ns();

	c->wakes++;
	if (c->wakes == 1) {
		raise(SIGUSR2);
		return 0;
	}
	if (!c->asked && c->rl->usr2) {
		c->usr2_seen = c->rl->usr2;
		c->asked = c->rl->wake_by_ns = now + 100000000u;
		return 0;
	}
	if (c->asked && now >= c->asked) {
		c->woke_at = now;
		return -ECANCELED;
	}
	return 0;
}

static void usr2_and_wake_by(void)
{
	char *argv[] = { "/bin/sleep", "30", NULL };
	struct runloop rl;
	struct usr2_calls c = { .rl = &rl };

	ok(start(&rl, argv), "sleep 30 starts");
	ok(runloop_take_usr2(&rl) == 0, "SIGUSR2 is taken");
	rl.woke = on_wake_usr2;
	rl.arg = &c;
	/* the first wake: no fds, no limit; the deadline far away */
	rl.wake_by_ns = runloop_now_ns() + 10000000u;
	rl.duration = 20;
	is_int(runloop_run(&rl), -ECANCELED, "the run goes on until the callback stops it");
	is_int((int)c.usr2_seen, 1, "SIGUSR2 was counted once, and did not end the run");
	ok(!rl.interrupted, "SIGUSR2 is no interrupt");
	ok(c.woke_at >= c.asked && runloop_elapsed(&rl) < 20,
	   "the callback was called at the time it asked for, with nothing else to wake the loop");
	runloop_stop(&rl);
	runloop_close(&rl);
}

int main(void)
{
	/* the run loop blocks SIGTERM: a hang must end by a signal it leaves alone */
	alarm(60);
	exit_status();
	deadline();
	attach();
	forward();
	callbacks();
	second_interrupt();
	usr2_and_wake_by();
	return done_testing();
}
