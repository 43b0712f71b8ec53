/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Names of JIT-compiled code, from the files runtimes write for profilers:
 * /tmp/perf-PID.map (one line per function, "START SIZE name", START and
 * SIZE in hex: V8's --perf-basic-prof, the JVM's agents, LuaJIT, ...) and
 * jitdump files (jit-PID.dump, tools/perf/Documentation/jitdump-
 * specification.txt: V8's --perf-prof, wasmtime), whose JIT_CODE_LOAD
 * records give a function's name, address, size and code bytes and whose
 * JIT_CODE_MOVE records move it. One table per process: where entries
 * overlap (code freed and its memory reused), the one added last wins,
 * as a report cannot tell which was live at a sample's time from a map
 * file.
 *
 * Every byte of both files is hostile: the process being profiled (or
 * anyone who can write /tmp) wrote them. Files are read up to
 * JIT_FILE_MAX bytes; lines and records that do not parse are skipped
 * and counted, never trusted. Debug-info and unwinding-info records of
 * a jitdump are skipped.
 *
 * A leaf reader: it depends on nothing above util/, so collect/ may use
 * jit_file_read() to copy the files into a recording. Nothing here prints.
 */
#ifndef PMUPROF_JIT_H
#define PMUPROF_JIT_H

#include "util/compiler.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* No JIT file is read, or stored in a recording, beyond this many bytes. */
#define JIT_FILE_MAX (32u << 20)
/* A longer name is cut to this many bytes. */
#define JIT_NAME_MAX 1024

struct jit_syms;

struct jit_syms *jit_syms_new(void);
void jit_syms_free(struct jit_syms *j); /* NULL is a no-op */

/*
 * Adds the entries of a perf map's text (len bytes, not NUL-terminated;
 * a last line without a newline counts). Returns how many were added;
 * lines that do not parse are counted in jit_syms_skipped().
 */
size_t jit_syms_add_perf_map(struct jit_syms *j, const char *text, size_t len);
/*
 * Adds the functions of a jitdump (len bytes): JIT_CODE_LOAD records,
 * moved where a JIT_CODE_MOVE says. Reading stops at the first record
 * whose size does not fit (a file still being written ends mid-record).
 * Returns the functions added, or -EBADMSG when the header is not a
 * jitdump's (or is of another byte order), -EPROTONOSUPPORT for another
 * version.
 */
long jit_syms_add_jitdump(struct jit_syms *j, const uint8_t *buf, size_t len);
/* Sorts what was added; once, before the first lookup. More may not be added after. */
void jit_syms_finish(struct jit_syms *j);

/* The name of the function at addr, its start in *start; NULL when none holds addr. */
const char *jit_syms_find(const struct jit_syms *j, uint64_t addr, uint64_t *start);
size_t jit_syms_count(const struct jit_syms *j);
/* Lines or records that did not parse, and were skipped. */
size_t jit_syms_skipped(const struct jit_syms *j);

/*
 * Reads a JIT file into *buf (malloc'ed, the caller frees) and *len: at
 * most JIT_FILE_MAX bytes (*cut says when the file held more). Refuses
 * (-EPERM) what perf refuses too: a file that is not regular, or one
 * owned by someone else than the reader or root, which could name
 * another user's code as anything; a symbolic link is not followed
 * (-ELOOP). -errno otherwise.
 */
int jit_file_read(const char *path, uint8_t **buf, size_t *len, bool *cut);

/* Whether path's last component is a jitdump's name, "jit-PID.dump": its pid in *pid. */
bool jit_dump_name(const char *path, uint32_t *pid);
/* The perf map of a process: "/tmp/perf-PID.map" into buf (at least 32 bytes). */
void jit_perf_map_path(char *buf, size_t size, uint32_t pid);

#endif
