// SPDX-License-Identifier: GPL-2.0-or-later
#include "collect/workload.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

int workload_prepare(struct workload *w, char *const argv[], const sigset_t *child_mask,
		     char *const env[])
{
	int go[2], err[2];
	pid_t pid;

	if (pipe2(go, O_CLOEXEC) < 0)
		return -errno;
	if (pipe2(err, O_CLOEXEC) < 0) {
		int e = -errno;

		close(go[0]);
		close(go[1]);
		return e;
	}
	pid = fork();
	if (pid < 0) {
		int e = -errno;

		close(go[0]);
		close(go[1]);
		close(err[0]);
		close(err[1]);
		return e;
	}
	if (pid == 0) {
		char c;
		int e;

		close(go[1]);
		close(err[0]);
		sigprocmask(SIG_SETMASK, child_mask, NULL);
		for (size_t i = 0; env && env[i]; i++)
			putenv(env[i]);
		/* EOF instead of the byte: pmuprof gave up before starting us */
		if (read(go[0], &c, 1) != 1)
			_exit(127);
		execvp(argv[0], argv);
		e = errno;
		if (write(err[1], &e, sizeof(e)) < 0)
			_exit(127);
		_exit(e == ENOENT ? 127 : 126);
	}
	close(go[0]);
	close(err[1]);
	w->pid = pid;
	w->go_fd = go[1];
	w->err_fd = err[0];
	return 0;
}

int workload_start(struct workload *w)
{
	char c = 'g';
	int e = 0;
	ssize_t n;

	if (write(w->go_fd, &c, 1) != 1)
		e = errno ? errno : EPIPE;
	close(w->go_fd);
	w->go_fd = -1;
	if (!e) {
		do
			n = read(w->err_fd, &e, sizeof(e));
		while (n < 0 && errno == EINTR);
		if (n != sizeof(e))
			e = 0; /* EOF: the exec closed the pipe, the program runs */
	}
	close(w->err_fd);
	w->err_fd = -1;
	if (e) {
		waitpid(w->pid, NULL, 0);
		w->pid = -1;
		return -e;
	}
	return 0;
}

void workload_abort(struct workload *w)
{
	if (w->go_fd >= 0)
		close(w->go_fd);
	if (w->err_fd >= 0)
		close(w->err_fd);
	w->go_fd = w->err_fd = -1;
	if (w->pid > 0) {
		kill(w->pid, SIGKILL);
		waitpid(w->pid, NULL, 0);
		w->pid = -1;
	}
}
