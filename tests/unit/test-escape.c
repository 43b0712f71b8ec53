// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The escaping of text from a recording: C0 controls, DEL, C1 controls raw
 * and in UTF-8, terminal escape sequences, valid multi-byte UTF-8 kept,
 * invalid UTF-8 bytes, and each writer and copier giving the same text.
 */
#include "util/escape.h"
#include "tap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* What escape_write writes for s (the caller frees). */
static char *written(void (*writer)(FILE *, const char *), const char *s)
{
	char *buf = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&buf, &size);

	writer(f, s);
	fclose(f);
	return buf;
}

static void replaced_q(FILE *f, const char *s)
{
	escape_write_replaced(f, s, '?');
}

/* Every form of the escape of s must be want. */
static void check(const char *s, const char *want, const char *what)
{
	char *w = written(escape_write, s), *d = escape_dup(s), *t = escape_take(strdup(s));
	char buf[256];

	is_str(w, want, what);
	is_str(d, want, what);
	is_str(t, want, what);
	is_int((long long)escape_len(s), (long long)strlen(want), what);
	is_int((long long)escape_copy(buf, sizeof(buf), s), (long long)strlen(want), what);
	is_str(buf, want, what);
	ok((escape_span(s) == strlen(s)) == !strcmp(s, want), "%s: span says whether to escape",
	   what);
	free(w);
	free(d);
	free(t);
}

int main(void)
{
	char buf[8];
	char *s, *w;

	check("", "", "empty");
	check("main", "main", "plain ASCII");
	check("std::vector<int>::push_back(int&&) [clone .cold] ~/a b\\c",
	      "std::vector<int>::push_back(int&&) [clone .cold] ~/a b\\c",
	      "printable ASCII and a backslash kept");
	check("a\nb\tc\rd", "a\\nb\\tc\\rd", "newline, tab, carriage return");
	check("\033]0;pwned\007", "\\e]0;pwned\\x07", "OSC title sequence");
	check("\033[2J\033[1;31mred", "\\e[2J\\e[1;31mred", "CSI sequences");
	check("\001\010\013\014\037", "\\x01\\x08\\x0b\\x0c\\x1f", "other C0 controls");
	check("a\177b", "a\\x7fb", "DEL");
	check("\233" "2J", "\\x9b2J", "a raw C1 CSI");
	check("\205", "\\x85", "a raw NEL");
	check("\302\233" "2J", "\\xc2\\x9b2J", "U+009B in UTF-8 is a C1 control");
	check("\302\205", "\\xc2\\x85", "U+0085 in UTF-8 is a C1 control");
	check("\302\240", "\302\240", "U+00A0 is not a control");
	check("caf\303\251 \342\202\254 \360\237\230\200 \344\275\240\345\245\275",
	      "caf\303\251 \342\202\254 \360\237\230\200 \344\275\240\345\245\275",
	      "valid 2, 3 and 4-byte UTF-8 kept");
	check("\377x", "\\xffx", "a byte that starts no UTF-8");
	check("\303", "\\xc3", "a sequence cut by the end");
	check("\303a", "\\xc3a", "a sequence cut by ASCII");
	check("\342\202", "\\xe2\\x82", "a 3-byte sequence cut short");
	check("\300\257", "\\xc0\\xaf", "an overlong");
	check("\355\240\200", "\\xed\\xa0\\x80", "a surrogate");
	check("\364\220\200\200", "\\xf4\\x90\\x80\\x80", "past U+10FFFF");
	check("\251\303\251", "\\xa9\303\251", "a lone continuation, then a character");

	w = written(escape_write_line, "\tint x;\t/* \033[31m */\n");
	is_str(w, "\tint x;\t/* \\e[31m */\\n", "a source line keeps its tabs");
	free(w);

	w = written(replaced_q, "a;b \t\033\302\233\233\177\377\303\251\302\240");
	is_str(w, "a;b ?????\377\303\251\302\240",
	       "folded: each control replaced, other bytes kept");
	free(w);

	is_int((long long)escape_copy(buf, sizeof(buf), "ab\ncdef"), 8,
	       "copy returns the full length");
	is_str(buf, "ab\\ncde", "copy is cut to the buffer");
	is_int((long long)escape_copy(buf, 4, "a\033"), 3, "copy of an escape at the end");
	is_str(buf, "a\\e", "copy keeps a whole escape that fits");
	is_int((long long)escape_copy(buf, 3, "a\033"), 3, "copy cut inside an escape");
	is_str(buf, "a\\", "copy is cut inside an escape like snprintf");
	buf[0] = 'x';
	is_int((long long)escape_copy(buf, 0, "a\033"), 3, "copy into nothing");
	is_int(buf[0], 'x', "copy into nothing writes nothing");

	s = strdup("clean");
	ok(escape_take(s) == s, "take returns a clean string itself");
	free(s);

	return done_testing();
}
