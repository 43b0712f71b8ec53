// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The progress bar with work counted on several threads: built here to draw
 * from the start (no delay), on a pseudo-terminal as stderr. What it draws
 * never goes back, not even after progress_restart() (work read again),
 * never passes the total though more is counted, and ends at the total.
 */
#include "tap.h"
#include "util/progress.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <pty.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define TOTAL 1000

static void nap_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };

	nanosleep(&ts, NULL);
}

static int steps;

static void *adder(void *arg)
{
	struct progress *p = arg;

	for (int i = 0; i < steps; i++) {
		progress_add_shared(p, 10);
		nap_ms(20);
	}
	return NULL;
}

/* Two threads count steps * 20 while this one draws. */
static void run(struct progress *p, int n)
{
	pthread_t t[2];

	steps = n;
	for (int i = 0; i < 2; i++)
		pthread_create(&t[i], NULL, adder, p);
	for (int i = 0; i < n / 5; i++) {
		nap_ms(110);
		progress_update_slow(p);
	}
	for (int i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
}

int main(void)
{
	struct progress p;
	int master, slave, saved;
	char buf[8192];
	size_t len = 0;
	ssize_t n;
	long last = -1, draws = 0, back = 0, over = 0;

	if (openpty(&master, &slave, NULL, NULL, NULL) < 0) {
		printf("1..0 # SKIP no pseudo-terminal: %s\n", strerror(errno));
		return 0;
	}
	fflush(stderr);
	saved = dup(STDERR_FILENO);
	dup2(slave, STDERR_FILENO);
	progress_start(&p, "test", TOTAL);
	run(&p, 30);		/* 600 of 1000 */
	progress_restart(&p);	/* read again: the count drops to 0, the bar must not */
	run(&p, 60);		/* 1200: more than the total */
	progress_done(&p);
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
	close(slave);
	fcntl(master, F_SETFL, O_NONBLOCK);
	while (len < sizeof(buf) - 1 && (n = read(master, buf + len, sizeof(buf) - 1 - len)) > 0)
		len += (size_t)n;
	buf[len] = '\0';
	close(master);

	for (const char *s = buf; (s = strchr(s, '(')); s++) {
		long done, total;

		if (sscanf(s, "(%ld of %ld)", &done, &total) != 2)
			continue;
		draws++;
		back += done < last;
		over += done > total || total != TOTAL;
		last = done;
	}
	ok(draws >= 5, "the bar was drawn as the work went (%ld times)", draws);
	is_int(back, 0, "it never went back, even after a restart");
	is_int(over, 0, "it never passed its total");
	is_int(last, TOTAL, "its last state is the whole work");
	ok(strstr(buf, "\r\033[K") != NULL, "it was erased at the end");
	return done_testing();
}
