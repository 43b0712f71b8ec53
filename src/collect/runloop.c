// SPDX-License-Identifier: GPL-2.0-or-later
#include "collect/runloop.h"
#include "util/alloc.h"

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define ALIVE_POLL_MS 250 /* how often a target without a pidfd is looked for */

/* What one runloop_run() polls and when it wakes. */
struct wake_plan {
	struct pollfd *pfd; /* the signalfd, the target's pidfd if any, then rl->fds */
	size_t npfd, fd0;   /* fd0: where rl->fds start */
	int exit_fd;	    /* the target's pidfd, or -1 */
	bool poll_alive;    /* no pidfd: look at the target every ALIVE_POLL_MS */
	uint64_t deadline, next_tick, tick_ns;
};

uint64_t runloop_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

int runloop_open(struct runloop *rl)
{
	memset(rl, 0, sizeof(*rl));
	rl->pid = -1;
	return monitor_open(&rl->mon);
}

int runloop_take_usr2(struct runloop *rl)
{
	return monitor_add_signal(&rl->mon, SIGUSR2);
}

void runloop_close(struct runloop *rl)
{
	monitor_close(&rl->mon);
}

void runloop_start(struct runloop *rl)
{
	rl->start_ns = runloop_now_ns();
}

double runloop_elapsed(const struct runloop *rl)
{
	return (double)(runloop_now_ns() - rl->start_ns) / 1e9;
}

static bool attached(const struct runloop *rl)
{
	return rl->pid <= 0 && rl->target &&
	       (rl->target->kind == TARGET_PID || rl->target->kind == TARGET_TID);
}

static void plan_init(struct wake_plan *p, const struct runloop *rl)
{
	memset(p, 0, sizeof(*p));
	p->exit_fd = attached(rl) ? target_exit_fd(rl->target) : -1;
	if (p->exit_fd < 0)
		p->exit_fd = -1;
	p->poll_alive = attached(rl) && p->exit_fd < 0;
	p->pfd = xcalloc(rl->nfds + 2, sizeof(*p->pfd));
	p->pfd[p->npfd].fd = monitor_fd(&rl->mon);
	p->pfd[p->npfd++].events = POLLIN;
	if (p->exit_fd >= 0) {
		p->pfd[p->npfd].fd = p->exit_fd;
		p->pfd[p->npfd++].events = POLLIN;
	}
	p->fd0 = p->npfd;
	for (size_t i = 0; i < rl->nfds; i++) {
		p->pfd[p->npfd].fd = rl->fds[i];
		p->pfd[p->npfd++].events = POLLIN;
	}
	if (rl->duration > 0)
		p->deadline = rl->start_ns + (uint64_t)(rl->duration * 1e9);
	if (rl->interval_ms && rl->tick) {
		p->tick_ns = (uint64_t)rl->interval_ms * 1000000u;
		p->next_tick = rl->start_ns + p->tick_ns;
	}
}

static void plan_release(struct wake_plan *p)
{
	if (p->exit_fd >= 0)
		close(p->exit_fd);
	free(p->pfd);
}

/* The shorter of timeout (ms, -1: none) and the time until `when` (0: never). */
static int until(int timeout, uint64_t when, uint64_t now)
{
	uint64_t ms;

	if (!when)
		return timeout;
	ms = when <= now ? 0 : (when - now + 999999) / 1000000;
	if (ms > INT_MAX)
		ms = INT_MAX;
	return timeout < 0 || (int)ms < timeout ? (int)ms : timeout;
}

static int next_timeout(const struct runloop *rl, const struct wake_plan *p)
{
	uint64_t now = runloop_now_ns();
	int timeout = rl->max_wait_ms > 0 ? rl->max_wait_ms : -1;

	if (p->poll_alive && (timeout < 0 || timeout > ALIVE_POLL_MS))
		timeout = ALIVE_POLL_MS;
	timeout = until(timeout, p->deadline, now);
	timeout = until(timeout, rl->wake_by_ns, now);
	return until(timeout, p->next_tick, now);
}

/* A signal arrived: returns whether it ends the run. */
static bool take_signal(struct runloop *rl)
{
	struct monitor_signal sig;
	int ev = monitor_take(&rl->mon, &sig);

	if (ev == MONITOR_CHILD && rl->pid > 0 &&
	    wait4(rl->pid, &rl->wstatus, WNOHANG, &rl->ru) == rl->pid) {
		rl->have_status = true;
		return true;
	}
	if (ev == MONITOR_OTHER && sig.signo == SIGUSR2)
		rl->usr2++;
	if (ev != MONITOR_INTERRUPT)
		return false;
	rl->interrupted = true;
	/* with a command, the command decides when the run ends */
	if (rl->pid <= 0)
		return true;
	/* a terminal's Ctrl-C reached the workload too; kill() did not */
	if (sig.from_user)
		kill(rl->pid, sig.signo);
	return false;
}

/* What a wake brought: returns whether the run ends. */
static bool take_wake(struct runloop *rl, struct wake_plan *p)
{
	bool done = false;

	if (p->pfd[0].revents & POLLIN)
		done = take_signal(rl);
	if (p->exit_fd >= 0 && p->pfd[1].revents)
		done = true;
	if (p->poll_alive && !target_alive(rl->target))
		done = true;
	for (size_t i = p->fd0; i < p->npfd; i++)
		if (p->pfd[i].revents & (POLLHUP | POLLERR))
			p->pfd[i].fd = -1; /* nothing more will come from it */
	return done;
}

static int call_tick(struct runloop *rl, struct wake_plan *p, uint64_t now)
{
	double since_start = (double)(now - rl->start_ns) / 1e9;
	double covered = (double)(now - (p->next_tick - p->tick_ns)) / 1e9;

	while (p->next_tick <= now)
		p->next_tick += p->tick_ns;
	return rl->tick(rl->arg, since_start, covered);
}

int runloop_run(struct runloop *rl)
{
	struct wake_plan p;
	bool done = false;
	int ret = 0;

	if (!rl->start_ns)
		runloop_start(rl);
	plan_init(&p, rl);
	while (!done) {
		int n = poll(p.pfd, p.npfd, next_timeout(rl, &p));
		uint64_t now;

		if (n < 0 && errno != EINTR) {
			ret = -errno;
			done = true;
		} else {
			if (n < 0) {
				for (size_t i = 0; i < p.npfd; i++)
					p.pfd[i].revents = 0;
			}
			done = take_wake(rl, &p);
			ret = rl->woke ? rl->woke(rl->arg) : 0;
			if (ret)
				break;
		}
		now = runloop_now_ns();
		if (p.deadline && now >= p.deadline)
			done = true;
		if (p.next_tick && (now >= p.next_tick || done)) {
			int err = call_tick(rl, &p, now);

			if (err) {
				ret = ret ? ret : err;
				done = true;
			}
		}
	}
	plan_release(&p);
	return ret;
}

void runloop_stop(struct runloop *rl)
{
	if (rl->pid <= 0 || rl->have_status)
		return;
	kill(rl->pid, SIGTERM);
	wait4(rl->pid, &rl->wstatus, 0, &rl->ru);
	if (WIFSIGNALED(rl->wstatus) && WTERMSIG(rl->wstatus) == SIGTERM)
		rl->wstatus = 0;
	rl->have_status = true;
}

void runloop_let_finish(struct runloop *rl)
{
	int wstatus;

	if (rl->pid > 0 && !rl->have_status)
		waitpid(rl->pid, &wstatus, 0);
}
