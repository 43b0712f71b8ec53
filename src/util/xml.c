// SPDX-License-Identifier: GPL-2.0-or-later
#include "util/xml.h"
#include "util/json.h" /* utf8_len */

#include <math.h>
#include <stdint.h>

size_t xml_utf8_chars(const char *str)
{
	size_t n = 0;

	for (const char *s = str; s && *s; n++) {
		size_t len = utf8_len(s);

		s += len ? len : 1;
	}
	return n;
}

void xml_put_budget(FILE *out, const char *str, size_t *budget)
{
	const unsigned char *s = (const unsigned char *)str;

	for (; s && *s && *budget; --*budget) {
		size_t len = utf8_len((const char *)s);

		if (!len || (len == 3 && s[0] == 0xef && s[1] == 0xbf && s[2] >= 0xbe)) {
			fputs("\xef\xbf\xbd", out);
			s += len ? len : 1;
			continue;
		}
		if (*s == '&')
			fputs("&amp;", out);
		else if (*s == '<')
			fputs("&lt;", out);
		else if (*s == '>')
			fputs("&gt;", out);
		else if (*s == '"')
			fputs("&quot;", out);
		else if (*s == '\'')
			fputs("&apos;", out);
		else if (*s < 0x20 || *s == 0x7f)
			fputc('?', out);
		else
			fwrite(s, 1, len, out);
		s += len;
	}
}

void xml_put(FILE *out, const char *str, size_t max)
{
	xml_put_budget(out, str, &max);
}

void xml_put_fitted(FILE *out, const char *str, double width, double char_w)
{
	double fit = floor((width - 6) / char_w);

	if (fit < 3)
		return;
	if (xml_utf8_chars(str) <= (size_t)fit) {
		xml_put(out, str, SIZE_MAX);
	} else {
		xml_put(out, str, (size_t)fit - 2);
		fputs("..", out);
	}
}
