/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * record --switch-output: the option's words, and the names of the files a
 * recording is cut into. Each file is written under a name of its own
 * while it grows (OUTPUT.writing-N) and renamed to OUTPUT.YYYYmmddHHMMSSmmm
 * (local time, milliseconds, the time it was closed) only once it is
 * complete, so that a program watching the directory for those names never
 * reads half a file. The names of one recording always increase.
 *
 * Functions return 0 or -errno and never print.
 */
#ifndef PMUPROF_RECSWITCH_H
#define PMUPROF_RECSWITCH_H

#include "util/compiler.h"

#include <stddef.h>
#include <stdint.h>

/* The shortest time between two switches that the option takes */
#define RECSWITCH_MIN_NS 100000000ull

/*
 * The option's argument: "signal" (switch on SIGUSR2 only: *every_ns = 0),
 * or a time: a number of seconds, or a number with one of the units ms, s,
 * m, h or d ("30s", "1m", "0.5"). 0; -EINVAL for other words (-ERANGE for
 * a time below RECSWITCH_MIN_NS or beyond a year); -EOPNOTSUPP for one of
 * perf's sizes (a number with B, K, M or G), which pmuprof does not switch on.
 */
int recswitch_parse(const char *arg, uint64_t *every_ns);

/* OUTPUT.writing-N, the name the nth file of a recording grows under (caller frees). */
char *recswitch_temp_name(const char *output, unsigned int n);

/*
 * The final name's suffix for a CLOCK_REALTIME time in ms, as local time:
 * YYYYmmddHHMMSSmmm into buf (at least 18 bytes).
 */
void recswitch_stamp(uint64_t realtime_ms, char *buf, size_t size);

/*
 * Renames the finished file `temp` (from recswitch_temp_name(output, ...))
 * to OUTPUT.STAMP of the CLOCK_REALTIME time closed_ms (when the file was
 * closed), or if that is not after *last_ms (the previous file's), of the
 * millisecond after it; never over an existing file: the next millisecond
 * is taken instead.
 * *last_ms gets the time used and *final the new path (caller frees).
 * The directory is reached as util/safefile.h says.
 */
int recswitch_publish(const char *output, const char *temp, uint64_t closed_ms, uint64_t *last_ms,
		      char **final);

#endif
