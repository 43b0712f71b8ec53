// SPDX-License-Identifier: GPL-2.0-or-later
#include "util/escape.h"
#include "util/alloc.h"
#include "util/json.h"

#include <stdlib.h>
#include <string.h>

#define KEEP_TAB 1u

/* Bytes of the character at s that print as they are; 0 when the byte at s is escaped. */
static size_t printable(const unsigned char *s, unsigned flags)
{
	size_t n;

	if (*s >= 0x20 && *s < 0x7f)
		return 1;
	if (*s == '\t' && (flags & KEEP_TAB))
		return 1;
	if (*s < 0x80)
		return 0;
	n = utf8_len((const char *)s);
	/* U+0080..U+009F: C1 controls, which a UTF-8 terminal obeys as well */
	if (n == 2 && s[0] == 0xc2 && s[1] < 0xa0)
		return 0;
	return n;
}

static size_t span(const unsigned char *s, unsigned flags)
{
	const unsigned char *p = s;

	for (;;) {
		size_t n;

		/* the common case: a run of printable ASCII */
		while (*p >= 0x20 && *p < 0x7f)
			p++;
		if (!*p)
			break;
		n = printable(p, flags);
		if (!n)
			break;
		p += n;
	}
	return (size_t)(p - s);
}

/* The escape of byte c into e (at most 4 bytes); returns its length. */
static size_t escape_byte(unsigned char c, char e[4])
{
	static const char hex[] = "0123456789abcdef";
	char short_form = 0;

	switch (c) {
	case '\n':
		short_form = 'n';
		break;
	case '\t':
		short_form = 't';
		break;
	case '\r':
		short_form = 'r';
		break;
	case 0x1b:
		short_form = 'e';
		break;
	}
	e[0] = '\\';
	if (short_form) {
		e[1] = short_form;
		return 2;
	}
	e[1] = 'x';
	e[2] = hex[c >> 4];
	e[3] = hex[c & 0xf];
	return 4;
}

size_t escape_span(const char *s)
{
	return span((const unsigned char *)s, 0);
}

size_t escape_len(const char *str)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t len = 0;

	for (;;) {
		size_t n = span(s, 0);
		char e[4];

		len += n;
		s += n;
		if (!*s)
			return len;
		len += escape_byte(*s++, e);
	}
}

/* Bytes of the control character at s (C0, DEL, C1 raw or in UTF-8), or 0. */
static size_t control_len(const unsigned char *s)
{
	if (*s < 0x20 || *s == 0x7f || (*s >= 0x80 && *s < 0xa0))
		return 1;
	return *s == 0xc2 && s[1] >= 0x80 && s[1] < 0xa0 ? 2 : 0;
}

static void write_escaped(FILE *out, const char *str, unsigned flags, char repl)
{
	const unsigned char *s = (const unsigned char *)str;

	for (;;) {
		size_t n = span(s, flags);
		char e[4];

		if (n)
			fwrite(s, 1, n, out);
		s += n;
		if (!*s)
			return;
		if (!repl) {
			fwrite(e, 1, escape_byte(*s++, e), out);
		} else if ((n = control_len(s))) {
			fputc(repl, out);
			s += n;
		} else {
			fputc(*s++, out);
		}
	}
}

void escape_write(FILE *out, const char *s)
{
	write_escaped(out, s, 0, 0);
}

void escape_write_line(FILE *out, const char *s)
{
	write_escaped(out, s, KEEP_TAB, 0);
}

void escape_write_replaced(FILE *out, const char *s, char repl)
{
	write_escaped(out, s, 0, repl ? repl : '?');
}

size_t escape_copy(char *dst, size_t size, const char *str)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t len = 0;

	for (;;) {
		size_t n = span(s, 0);
		char e[4];
		const char *from = (const char *)s;

		if (*s && !n) {
			n = escape_byte(*s, e);
			from = e;
			s++;
		} else {
			s += n;
		}
		if (len < size)
			memcpy(dst + len, from, len + n < size ? n : size - len);
		len += n;
		if (!n)
			break;
	}
	if (size)
		dst[len < size ? len : size - 1] = '\0';
	return len;
}

char *escape_dup(const char *s)
{
	size_t len = escape_len(s);
	char *d = xmalloc(len + 1);

	escape_copy(d, len + 1, s);
	return d;
}

char *escape_take(char *s)
{
	char *d;

	if (!s[escape_span(s)])
		return s;
	d = escape_dup(s);
	free(s);
	return d;
}
