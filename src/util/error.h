/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Messages to the user. Every message is written to stderr in one call,
 * prefixed "pmuprof: ". Only commands (src/cmd/, src/pmuprof.c) call these;
 * stage modules return 0 or -errno and let the command word the message.
 *
 * error() returns -1 so a command can write `return error(...)`;
 * error_errno() ends the message with ": " and strerror(err) (err a
 * positive errno or a -errno, as stage code returns them).
 * die() is for impossible states and out-of-memory only.
 */
#ifndef PMUPROF_ERROR_H
#define PMUPROF_ERROR_H

#include "util/compiler.h"

#include <stdio.h>

/* Exit codes shared by every command (documented in pmuprof(1)). */
enum {
	EXIT_OK = 0,
	EXIT_FAIL = 1,
	EXIT_USAGE = 2,
	EXIT_CANNOT_EXEC = 126,
	EXIT_NOT_FOUND = 127,
};

int error(const char *fmt, ...) ATTR_PRINTF(1, 2);
int error_errno(int err, const char *fmt, ...) ATTR_PRINTF(2, 3);
void warning(const char *fmt, ...) ATTR_PRINTF(1, 2);
void note(const char *fmt, ...) ATTR_PRINTF(1, 2);
void die(const char *fmt, ...) ATTR_PRINTF(1, 2) ATTR_NORETURN;

#endif
