// SPDX-License-Identifier: GPL-2.0-or-later
#include "util/alloc.h"
#include "util/error.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void *xmalloc(size_t size)
{
	void *p = malloc(size ? size : 1);

	if (!p)
		die("out of memory allocating %zu bytes", size);
	return p;
}

void *xcalloc(size_t nmemb, size_t size)
{
	void *p = calloc(nmemb ? nmemb : 1, size ? size : 1);

	if (!p)
		die("out of memory allocating %zu x %zu bytes", nmemb, size);
	return p;
}

void xgrow(void *ptr, size_t *alloc, size_t need, size_t size)
{
	void **pp = ptr;
	size_t n = *alloc ? *alloc : 8;
	void *p;

	if (need <= *alloc)
		return;
	while (n < need) {
		if (n > SIZE_MAX / 2)
			die("out of memory growing an array to %zu elements", need);
		n *= 2;
	}
	if (n > SIZE_MAX / size)
		die("out of memory growing an array to %zu elements", need);
	p = realloc(*pp, n * size);
	if (!p)
		die("out of memory growing an array to %zu elements", need);
	memset((char *)p + *alloc * size, 0, (n - *alloc) * size);
	*pp = p;
	*alloc = n;
}

char *xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *xstrndup(const char *s, size_t n)
{
	char *p = xmalloc(n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *p;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&p, fmt, ap);
	va_end(ap);
	if (n < 0)
		die("out of memory formatting a string");
	return p;
}
