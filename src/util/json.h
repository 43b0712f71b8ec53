/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * UTF-8 validation and JSON string output, shared by the exporters. Names in
 * a profile come from binaries and thread names, so any byte can occur: the
 * exporters must check the UTF-8 themselves to keep their output valid. Both
 * functions only read the caller's string; nothing is allocated.
 */
#ifndef PMUPROF_UTIL_JSON_H
#define PMUPROF_UTIL_JSON_H

#include <stddef.h>
#include <stdio.h>

/*
 * Length of the valid UTF-8 sequence at the start of the NUL-terminated s
 * (RFC 3629: no overlongs, surrogates or code points past U+10FFFF), or 0 if
 * it is not one. Never reads past the terminating NUL.
 */
size_t utf8_len(const char *s);

/*
 * Writes str as a quoted JSON string (RFC 8259), or null for NULL. Bytes that
 * are not UTF-8 become U+FFFD; quotes, backslashes and control characters are
 * escaped.
 */
void json_write_string(FILE *out, const char *str);

#endif
