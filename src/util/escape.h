/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Text from a recording on a terminal or in a text file. Command lines,
 * host and event names, thread names, paths and symbol names come from the
 * recorded program and its binaries, so any byte can occur, and a control
 * byte would act on the terminal (set its title, move the cursor, recolour
 * it) or forge lines of the output. One rule for every text writer: a
 * character is printed as it is when it is printable ASCII or a valid UTF-8
 * character other than a C1 control (U+0080..U+009F); every other byte is
 * written as \n, \t, \r, \e (ESC) or \xNN. Backslashes are kept, so normal
 * output does not change. JSON, XML and pprof have their own escapes
 * (util/json.h, util/xml.h).
 *
 * Most strings have nothing to escape: each function finds that with one
 * scan and then writes or returns the string as it is. Strings are never
 * NULL.
 */
#ifndef PMUPROF_UTIL_ESCAPE_H
#define PMUPROF_UTIL_ESCAPE_H

#include <stddef.h>
#include <stdio.h>

/* Bytes at the start of s that print as they are: strlen(s) when nothing needs escaping. */
size_t escape_span(const char *s);

/* Bytes of s once escaped, without the terminating NUL. */
size_t escape_len(const char *s);

/* Writes s escaped. */
void escape_write(FILE *out, const char *s);

/* Writes a line of a text file (a source line) escaped, but with its tabs kept as they are. */
void escape_write_line(FILE *out, const char *s);

/*
 * For formats that have no escapes (FlameGraph's folded stacks): writes s
 * with each control character (C0, DEL, C1 raw or in UTF-8) replaced by
 * repl. Other bytes are kept as they are, UTF-8 or not: the readers of
 * these formats take bytes, and only controls act on a terminal.
 */
void escape_write_replaced(FILE *out, const char *s, char repl);

/*
 * Writes s escaped into dst as snprintf does: at most size - 1 bytes and a
 * NUL (nothing when size is 0). Returns escape_len(s). Allocates nothing,
 * so it can serve the messages of util/error.c, out of memory included.
 */
size_t escape_copy(char *dst, size_t size, const char *s);

/* s escaped, in a new string the caller frees. */
char *escape_dup(const char *s);

/*
 * For a string the caller owns (from malloc): returns s itself when it has
 * nothing to escape, else its escaped copy, and frees s. The caller frees
 * the result.
 */
char *escape_take(char *s);

#endif
