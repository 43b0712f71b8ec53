/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A timeline (analyse/timeline.h) as Chrome's trace event format: the JSON
 * object {"traceEvents":[...]} that Perfetto's UI, chrome://tracing and
 * speedscope open. One track per thread (pid, tid), named by metadata
 * events, holding
 *
 *   X  a complete event per span: on CPU ("state":"running", named by the
 *      function most of the span's CPU samples in user mode ran in, of all
 *      its samples when none is, "running" without one), off CPU ("state":"blocked" or "runnable", named by the
 *      function it waited in, with the wait's stack). A sample's or a
 *      wait's function is the program's own leaf-most frame, as the
 *      timeline's bursts name theirs (timeline_sample_func()).
 *   i  an instant per CPU sample (named by its function, with its stack),
 *      per signal (named by the signal: "SIGUSR1") and per wakeup whose
 *      waker is not in the timeline
 *   s/f  a flow from waker to woken thread per wakeup between threads of
 *      the timeline, and from sender to receiver per signal sent between
 *      them
 *
 * Times (ts, dur) are microseconds from the recording's start, so that
 * ts / 1e6 is what --time takes, in multiples of 1/1024 us (under half a
 * nanosecond off the recording's times) so that a span's ts + dur is, in
 * floating point, exactly where the next one begins. Stacks are arrays of function names, leaf
 * first, kernel functions ending in "_[k]" and inlined ones in "_[i]". One event per line, in time
 * order.
 */
#ifndef PMUPROF_OUTPUT_TRACE_H
#define PMUPROF_OUTPUT_TRACE_H

#include "analyse/timeline.h"

#include <stdio.h>

/* Writes t to out: 0, or -errno when out fails. Prints nothing else. */
int trace_write(FILE *out, const struct timeline *t);

#endif
