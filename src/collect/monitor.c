// SPDX-License-Identifier: GPL-2.0-or-later
#include "collect/monitor.h"
#include "util/alloc.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int monitor_open(struct monitor *m)
{
	sigset_t *set = &m->set;

	sigemptyset(set);
	sigaddset(set, SIGCHLD);
	sigaddset(set, SIGINT);
	sigaddset(set, SIGTERM);
	sigaddset(set, SIGHUP);
	if (sigprocmask(SIG_BLOCK, set, &m->old_mask) < 0)
		return -errno;
	m->sigfd = signalfd(-1, set, SFD_CLOEXEC | SFD_NONBLOCK);
	if (m->sigfd < 0) {
		int e = -errno;

		sigprocmask(SIG_SETMASK, &m->old_mask, NULL);
		return e;
	}
	return 0;
}

int monitor_add_signal(struct monitor *m, int signo)
{
	sigset_t one;

	sigemptyset(&one);
	sigaddset(&one, signo);
	if (sigprocmask(SIG_BLOCK, &one, NULL) < 0)
		return -errno;
	sigaddset(&m->set, signo);
	if (signalfd(m->sigfd, &m->set, 0) < 0)
		return -errno;
	return 0;
}

void monitor_close(struct monitor *m)
{
	struct signalfd_siginfo si;

	/*
	 * A signal that came after the one that ended the run (timeout(1) sends
	 * SIGINT to the command and again to its process group; a second Ctrl-C)
	 * is still pending: unblocked, it would kill pmuprof after its work is
	 * done, with 128 + the signal as its status. The run has ended: it is read
	 * and dropped.
	 */
	if (m->sigfd >= 0)
		while (read(m->sigfd, &si, sizeof(si)) == sizeof(si))
			;
	if (m->sigfd >= 0)
		close(m->sigfd);
	m->sigfd = -1;
	sigprocmask(SIG_SETMASK, &m->old_mask, NULL);
}

int monitor_fd(const struct monitor *m)
{
	return m->sigfd;
}

int monitor_take(struct monitor *m, struct monitor_signal *sig)
{
	struct signalfd_siginfo si;

	if (read(m->sigfd, &si, sizeof(si)) != sizeof(si))
		return -EAGAIN;
	if (si.ssi_signo == SIGCHLD)
		return MONITOR_CHILD;
	sig->signo = (int)si.ssi_signo;
	sig->from_user = si.ssi_code == SI_USER || si.ssi_code == SI_QUEUE;
	if (si.ssi_signo == SIGINT || si.ssi_signo == SIGTERM || si.ssi_signo == SIGHUP)
		return MONITOR_INTERRUPT;
	return MONITOR_OTHER;
}

int monitor_wait(struct monitor *m, int timeout_ms, const int *fds, size_t nfds,
		 struct monitor_signal *sig)
{
	struct pollfd *pfd = xcalloc(nfds + 1, sizeof(*pfd));
	int ret;

	pfd[0].fd = m->sigfd;
	pfd[0].events = POLLIN;
	for (size_t i = 0; i < nfds; i++) {
		pfd[i + 1].fd = fds[i];
		pfd[i + 1].events = POLLIN;
	}
	for (;;) {
		size_t live = 0;
		int n = poll(pfd, nfds + 1, timeout_ms);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ret = -errno;
			break;
		}
		if (n == 0) {
			ret = MONITOR_TIMEOUT;
			break;
		}
		if (pfd[0].revents & POLLIN) {
			ret = monitor_take(m, sig);
			if (ret == -EAGAIN)
				continue;
			break;
		}
		/* an exited task stays exited: stop watching it, and end when none is left */
		for (size_t i = 0; i < nfds; i++) {
			if (pfd[i + 1].revents)
				pfd[i + 1].fd = -1;
			live += pfd[i + 1].fd >= 0;
		}
		if (nfds && !live) {
			ret = MONITOR_EXITED;
			break;
		}
	}
	free(pfd);
	return ret;
}
