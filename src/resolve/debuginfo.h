/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The separate debug file of an object, where distributions install them
 * (Debian's -dbgsym, Fedora's -debuginfo packages): first by GNU build-id,
 * ROOT/.build-id/xx/yyyy....debug, whose own build-id must be the same; then
 * by the object's .gnu_debuglink (a file name and the CRC32 of the debug
 * file), looked up as DIR/NAME, DIR/.debug/NAME and ROOT/DIR/NAME, where DIR
 * is the directory of the object's real path. A debuglink candidate counts
 * only if its CRC32 matches, and its build-id when both are known, and never
 * when it is the object itself.
 *
 * The object and every candidate are hostile input: the debuglink section
 * is bounds-checked, and a candidate that is not a regular file is skipped.
 * Safe to call from several threads; debuginfo_set_roots() is for tests and
 * must not race with lookups.
 */
#ifndef PMUPROF_DEBUGINFO_H
#define PMUPROF_DEBUGINFO_H

#include "util/compiler.h"

#include <stddef.h>
#include <stdint.h>

#define DEBUGINFO_DEFAULT_ROOTS "/usr/lib/debug"

/*
 * The debug file of the object at path (NULL or not a regular file, such as
 * "[vdso]": only the build-id is tried) with that build-id (NULL or length
 * 0: only the debuglink is tried). 0 with a path in *out that the caller
 * frees; -ENOENT when there is none; another -errno when the object itself
 * could not be read and the build-id found nothing.
 */
int debuginfo_find(const char *path, const uint8_t *build_id, size_t build_id_len, char **out);

/*
 * The directories searched, separated by ':' (empty entries are ignored);
 * NULL restores DEBUGINFO_DEFAULT_ROOTS. The string is copied.
 */
void debuginfo_set_roots(const char *colon_separated);

#endif
