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
struct script_writer;

/* sym_flags: SYM_DEMANGLE, SYM_INLINE (resolve/symbolize.h). */
struct script_writer *script_writer_new(FILE *out, struct session *s, unsigned sym_flags);
void script_writer_free(struct script_writer *w); /* NULL is a no-op */
/* One sample; 0, or -EIO once the stream has failed. */
int script_write_sample(struct script_writer *w, const struct session_sample *smp);

#endif
