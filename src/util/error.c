// SPDX-License-Identifier: GPL-2.0-or-later
#include "util/error.h"
#include "util/escape.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/*
 * Format the whole line first and write it with one fputs, so the message
 * stays in one piece when stderr is shared with the workload.
 *
 * Messages are one line each and name paths, objects and commands that may
 * come from a recording, so the line is escaped as a whole (util/escape.h)
 * before its newline: one place for every message, those to come included,
 * rather than at each of their arguments. Nothing is allocated here, so
 * die() can report running out of memory.
 */
static void ATTR_PRINTF(3, 0) vreport(const char *prefix, const char *reason, const char *fmt,
				      va_list ap)
{
	char buf[4096];
	int n = snprintf(buf, sizeof(buf), "pmuprof: %s", prefix);

	if (n < 0 || (size_t)n >= sizeof(buf))
		n = 0;
	vsnprintf(buf + n, sizeof(buf) - n - 1, fmt, ap);
	buf[sizeof(buf) - 2] = '\0';
	n = (int)strlen(buf);
	if (reason)
		snprintf(buf + n, sizeof(buf) - (size_t)n - 1, ": %s", reason);
	buf[sizeof(buf) - 2] = '\0';
	n = (int)strlen(buf);
	if (buf[escape_span(buf)]) {
		/* at most 4 bytes for each, and the newline */
		char esc[4 * sizeof(buf) + 2];
		size_t len = escape_copy(esc, sizeof(esc) - 1, buf);

		if (len > sizeof(esc) - 2)
			len = sizeof(esc) - 2;
		esc[len] = '\n';
		esc[len + 1] = '\0';
		fputs(esc, stderr);
		return;
	}
	buf[n] = '\n';
	buf[n + 1] = '\0';
	fputs(buf, stderr);
}

int error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport("", NULL, fmt, ap);
	va_end(ap);
	return -1;
}

int error_errno(int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport("", strerror(err < 0 ? -err : err), fmt, ap);
	va_end(ap);
	return -1;
}

void warning(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport("warning: ", NULL, fmt, ap);
	va_end(ap);
}

void note(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport("note: ", NULL, fmt, ap);
	va_end(ap);
}

void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport("fatal: ", NULL, fmt, ap);
	va_end(ap);
	exit(EXIT_FAIL);
}
