// SPDX-License-Identifier: GPL-2.0-or-later
#include "resolve/demangle.h"
#include "util/alloc.h"

#include <ctype.h>
#include <dlfcn.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/*
 * The demangler keeps two arrays sized by the name's length on the stack:
 * a hostile name of a megabyte would overflow a thread's stack. Real names
 * stay far below this.
 */
#define DEMANGLE_LIMIT 16384

typedef char *(*cxa_demangle_fn)(const char *mangled, char *buf, size_t *len, int *status);

static pthread_once_t cxa_once = PTHREAD_ONCE_INIT;
static cxa_demangle_fn cxa_demangle;

/* The library stays loaded for the life of the process: its handle is never closed. */
static void cxa_load(void)
{
	void *lib = dlopen("libstdc++.so.6", RTLD_LAZY | RTLD_LOCAL);
	void *sym;

	if (!lib)
		return;
	sym = dlsym(lib, "__cxa_demangle");
	/* ISO C has no cast from an object pointer to a function pointer */
	memcpy(&cxa_demangle, &sym, sizeof(cxa_demangle));
}

/* __cxa_demangle on the first len bytes of name (which it needs NUL-terminated). */
static char *cxa(const char *name, size_t len)
{
	char *copy = xstrndup(name, len), *out;
	int status = 0;

	out = cxa_demangle(copy, NULL, NULL, &status);
	free(copy);
	if (status != 0) {
		free(out);
		return NULL;
	}
	return out;
}

static bool is_hex(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!isxdigit((unsigned char)s[i]) || isupper((unsigned char)s[i]))
			return false;
	return true;
}

/*
 * A legacy Rust name is a nested name of plain identifiers only, the last
 * one being the hash, "h" and 16 hex digits: _ZN 3foo 3bar 17h...E, and
 * nothing or a '.' suffix after it. Sets *end just past the 'E'. C++ names
 * of this shape with such a last part do not occur in practice.
 */
static bool rust_legacy(const char *name, size_t len, size_t *end)
{
	size_t p = 3, last = 0, lastlen = 0, parts = 0;

	if (len < 3 || memcmp(name, "_ZN", 3) != 0)
		return false;
	while (p < len && name[p] != 'E') {
		size_t n = 0;

		if (name[p] < '1' || name[p] > '9')
			return false;
		while (p < len && name[p] >= '0' && name[p] <= '9') {
			n = n * 10 + (size_t)(name[p++] - '0');
			if (n > len)
				return false;
		}
		if (n > len - p)
			return false;
		last = p;
		lastlen = n;
		parts++;
		p += n;
	}
	if (p >= len || parts < 2 || lastlen != 17 || name[last] != 'h' ||
	    !is_hex(name + last + 1, 16))
		return false;
	/* parameter types after the 'E' make it a C++ function */
	if (p + 1 < len && name[p + 1] != '.')
		return false;
	*end = p + 1;
	return true;
}

static void put_utf8(char **q, uint32_t c)
{
	unsigned char *o = (unsigned char *)*q;

	if (c < 0x80) {
		*o++ = (unsigned char)c;
	} else if (c < 0x800) {
		*o++ = (unsigned char)(0xc0 | c >> 6);
		*o++ = (unsigned char)(0x80 | (c & 0x3f));
	} else if (c < 0x10000) {
		*o++ = (unsigned char)(0xe0 | c >> 12);
		*o++ = (unsigned char)(0x80 | ((c >> 6) & 0x3f));
		*o++ = (unsigned char)(0x80 | (c & 0x3f));
	} else {
		*o++ = (unsigned char)(0xf0 | c >> 18);
		*o++ = (unsigned char)(0x80 | ((c >> 12) & 0x3f));
		*o++ = (unsigned char)(0x80 | ((c >> 6) & 0x3f));
		*o++ = (unsigned char)(0x80 | (c & 0x3f));
	}
	*q = (char *)o;
}

/* One escape "$..$" at s (n bytes up to and without the closing '$'): writes it, or false. */
static bool rust_escape(const char *s, size_t n, char **q)
{
	static const struct {
		const char *code;
		char c;
	} named[] = {
		{ "SP", '@' }, { "BP", '*' }, { "RF", '&' }, { "LT", '<' },
		{ "GT", '>' }, { "LP", '(' }, { "RP", ')' }, { "C", ',' },
	};
	uint32_t c = 0;

	for (size_t i = 0; i < ARRAY_SIZE(named); i++) {
		if (strlen(named[i].code) == n && memcmp(s, named[i].code, n) == 0) {
			*(*q)++ = named[i].c;
			return true;
		}
	}
	if (n < 2 || n > 7 || s[0] != 'u' || !is_hex(s + 1, n - 1))
		return false;
	for (size_t i = 1; i < n; i++)
		c = c * 16 +
		    (uint32_t)(isdigit((unsigned char)s[i]) ? s[i] - '0' : s[i] - 'a' + 10);
	if (c < 0x20 || c == 0x7f || c > 0x10ffff || (c >= 0xd800 && c < 0xe000))
		return false;
	put_utf8(q, c);
	return true;
}

/*
 * Decodes the escapes rustc puts in legacy identifiers, in a name already
 * turned into "a::b::c" form: "_$" opens an identifier that starts with '$',
 * "$LT$" and friends are punctuation, "$u7b$" a code point, ".." is "::".
 * An escape that is not one is left as it is.
 */
static char *rust_unescape(const char *s)
{
	/* each escape is at least as long as the UTF-8 it becomes; ".." grows to "::" */
	char *out = xmalloc(strlen(s) + 1), *q = out;
	bool start = true;

	while (*s) {
		if (start && s[0] == '_' && s[1] == '$')
			s++;
		start = false;
		if (s[0] == ':' && s[1] == ':') {
			*q++ = *s++;
			*q++ = *s++;
			start = true;
		} else if (s[0] == '.' && s[1] == '.') {
			*q++ = ':';
			*q++ = ':';
			s += 2;
		} else if (s[0] == '$') {
			const char *close = strchr(s + 1, '$');

			if (close && rust_escape(s + 1, (size_t)(close - s - 1), &q))
				s = close + 1;
			else
				*q++ = *s++;
		} else {
			*q++ = *s++;
		}
	}
	*q = '\0';
	return out;
}

/* name[0..end) is the Rust name, then up to len a suffix such as ".llvm.1234" or ".cold". */
static char *demangle_rust(const char *name, size_t end, size_t len, const char *version)
{
	const char *suffix = name + end;
	size_t suffixlen = len - end, n;
	char *d, *plain, *out;

	d = cxa(name, end);
	if (!d)
		return NULL;
	/* the hash tells builds apart, which a profile of one build has no use for */
	n = strlen(d);
	if (n >= 19 && memcmp(d + n - 19, "::h", 3) == 0 && is_hex(d + n - 16, 16))
		d[n - 19] = '\0';
	plain = rust_unescape(d);
	free(d);
	/* LTO's uniquifying suffix is noise, as in rustfilt; others stay */
	if (suffixlen >= 6 && memcmp(suffix, ".llvm.", 6) == 0)
		suffixlen = 0;
	out = xasprintf("%s%.*s%s", plain, (int)suffixlen, suffix, version);
	free(plain);
	return out;
}

char *demangle(const char *name)
{
	size_t len, end;
	const char *dot;
	char *d, *out;

	if (!name || strncmp(name, "_Z", 2) != 0 || strnlen(name, DEMANGLE_LIMIT) == DEMANGLE_LIMIT)
		return NULL;
	pthread_once(&cxa_once, cxa_load);
	if (!cxa_demangle)
		return NULL;
	/* a symbol version: mangled names never hold '@' (Rust writes it "$SP$") */
	len = strcspn(name, "@");
	if (rust_legacy(name, len, &end))
		return demangle_rust(name, end, len, name + len);
	/* the demangler turns GCC's clone suffixes into " [clone .cold]" itself */
	d = cxa(name, len);
	if (d) {
		out = xasprintf("%s%s", d, name + len);
		free(d);
		return out;
	}
	/* a suffix it does not know: the name before it, and the suffix in the same form */
	dot = memchr(name, '.', len);
	if (!dot || dot == name + len - 1)
		return NULL;
	d = cxa(name, (size_t)(dot - name));
	if (!d)
		return NULL;
	out = xasprintf("%s [clone %.*s]%s", d, (int)(name + len - dot), dot, name + len);
	free(d);
	return out;
}
