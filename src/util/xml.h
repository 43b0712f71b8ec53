/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Text in XML (the SVG writers: flame graph, differential flame graph,
 * compare's chart). Names come from binaries, thread names and command
 * lines, so any byte can occur: the five special characters become
 * entities, and what XML 1.0 cannot carry (control characters, bytes that
 * are not UTF-8, U+FFFE and U+FFFF) is replaced. Nothing is allocated.
 */
#ifndef PMUPROF_UTIL_XML_H
#define PMUPROF_UTIL_XML_H

#include <stddef.h>
#include <stdio.h>

/* UTF-8 characters in str; a byte that is not UTF-8 counts as one. NULL has none. */
size_t xml_utf8_chars(const char *str);

/* str as character data or an attribute value: at most *budget characters, taken off it. */
void xml_put_budget(FILE *out, const char *str, size_t *budget);

/* The same, at most max characters (SIZE_MAX: all). */
void xml_put(FILE *out, const char *str, size_t max);

/*
 * A label cut to what fits in width pixels of char_w-pixel glyphs (6 pixels
 * of margin), ending in ".." when cut; nothing when not even 3 fit.
 */
void xml_put_fitted(FILE *out, const char *str, double width, double char_w);

#endif
