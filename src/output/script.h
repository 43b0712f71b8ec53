/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * script's text: every sample in the layout of `perf script`, so that tools
 * written for perf's output (FlameGraph's stackcollapse-perf.pl,
 * speedscope's and Firefox Profiler's importers, hotspot scripts) read
 * pmuprof recordings too:
 *
 *   COMM TID [CPU] SECONDS.MICROS:     PERIOD EVENT:
 *   \t    ADDRESS SYMBOL+0xOFF (OBJECT)
 *   ...
 *   (an empty line)
 *
 * An off-CPU sample's time is when its thread left the CPU and its PERIOD
 * the nanoseconds it stayed off; its EVENT is "off-cpu", followed by its
 * state, its duration and where its stack came from:
 *
 *   COMM TID SECONDS.MICROS:   NANOSECONDS off-cpu: blocked 20.0 ms (stack at switch-out)
 *
 * Signals and wakeups (record --off-cpu, where permitted) are one line
 * each, as perf script prints the tracepoints they come from: the thread
 * that was running (the sender or waker; for a delivery, the receiver),
 * always with its CPU, then the tracepoint and its fields:
 *
 *   COMM TID [CPU] SECONDS.MICROS: signal:signal_generate: sig=N errno=0 code=C comm=RECEIVER pid=RTID grp=G res=R
 *   COMM TID [CPU] SECONDS.MICROS: signal:signal_deliver: sig=N errno=0 code=C
 *   COMM TID [CPU] SECONDS.MICROS: sched:sched_wakeup: comm=WOKEN pid=WTID target_cpu=NNN
 *
 * (sched:sched_wakeup_new for a new thread's first wakeup). A COMM of "?"
 * is a thread the recording does not name (a sender outside the profiled
 * program).
 *
 * [CPU] appears for system-wide recordings, as perf prints it. User
 * addresses are offsets in their object (as perf prints DWARF-unwound
 * frames), kernel ones absolute; callers are shown at their call
 * instruction (the return address minus one). Each address is symbolized
 * once. script_writer_new() makes a writer that script_writer_free() frees;
 * the session must outlive it.
 */
#ifndef PMUPROF_SCRIPT_H
#define PMUPROF_SCRIPT_H

#include <stdio.h>

struct session;
struct session_sample;
struct session_signal;
struct session_wakeup;
struct script_writer;

/* sym_flags: SYM_DEMANGLE, SYM_INLINE (resolve/symbolize.h). */
struct script_writer *script_writer_new(FILE *out, struct session *s, unsigned sym_flags);
void script_writer_free(struct script_writer *w); /* NULL is a no-op */
/* One sample; 0, or -EIO once the stream has failed. */
int script_write_sample(struct script_writer *w, const struct session_sample *smp);
/* One signal or wakeup line; 0, or -EIO once the stream has failed. */
int script_write_signal(struct script_writer *w, const struct session_signal *g);
int script_write_wakeup(struct script_writer *w, const struct session_wakeup *k);

#endif
