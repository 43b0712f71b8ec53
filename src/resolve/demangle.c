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

/* ---- the short form: a scanner of the demangled text ----------------------------------- */

static bool is_ident(char c)
{
	return isalnum((unsigned char)c) || c == '_' || c == '$';
}

/* Whether s[i..] is the whole word w ("operator", not "my_operator" or "operators"). */
static bool word_at(const char *s, size_t i, const char *w)
{
	size_t n = strlen(w);

	return strncmp(s + i, w, n) == 0 && (i == 0 || !is_ident(s[i - 1])) && !is_ident(s[i + n]);
}

/* Longest first, so that "operator<<=" is not read as "operator<" and "<=". */
static const char *const cxx_operators[] = {
	"<<=", ">>=", "<=>", "->*", "()", "[]", "<<", ">>", "<=", ">=", "==", "!=", "&&",
	"||",  "++",  "--",  "+=",  "-=", "*=", "/=", "%=", "&=", "|=", "^=", "->", "<",
	">",   "+",   "-",   "*",   "/",  "%",  "^",  "&",  "|",  "~",  "!",  "=",  ",",
};

/*
 * s[i..] is the word "operator": the index just past the operator's name,
 * whose characters ('<', '(') are no brackets. A conversion operator
 * ("operator unsigned long", "operator std::vector<int>") sets *conversion:
 * its type runs to the parameter list, spaces included.
 */
static size_t skip_operator(const char *s, size_t i, bool *conversion)
{
	size_t j = i + 8;

	*conversion = false;
	if (s[j] == '"' && s[j + 1] == '"') {
		/* a literal operator: operator"" _km */
		j += 2;
		if (s[j] == ' ')
			j++;
		while (is_ident(s[j]))
			j++;
		return j;
	}
	if (s[j] == ' ') {
		if (word_at(s, j + 1, "new") || word_at(s, j + 1, "delete")) {
			j += s[j + 1] == 'n' ? 4 : 7;
			return strncmp(s + j, "[]", 2) == 0 ? j + 2 : j;
		}
		if (word_at(s, j + 1, "co_await"))
			return j + 9;
		*conversion = true;
		return j + 1;
	}
	for (size_t k = 0; k < ARRAY_SIZE(cxx_operators); k++) {
		size_t n = strlen(cxx_operators[k]);

		if (strncmp(s + j, cxx_operators[k], n) == 0) {
			j += n;
			/* "operator<< <char>": the space keeps "<<" and '<' apart */
			return s[j] == ' ' && s[j + 1] == '<' ? j + 1 : j;
		}
	}
	return j;
}

static char closing(char c)
{
	return c == '(' ? ')' : c == '[' ? ']' : c == '{' ? '}' : '>';
}

/*
 * s[i] opens a group ('(', '<', '[' or '{'): the index just past the
 * bracket that closes it, before to, or 0 when it is not closed. Within
 * parentheses '<' and '>' are no brackets (they can be operators of an
 * expression); operator names are skipped whole.
 */
static size_t skip_group(const char *s, size_t i, size_t to)
{
	char stack[64];
	size_t depth = 0;

	while (i < to) {
		char c = s[i];
		bool in_paren = depth && stack[depth - 1] == ')';
		bool conversion;

		if (word_at(s, i, "operator")) {
			i = skip_operator(s, i, &conversion);
			continue;
		}
		if (c == '(' || c == '[' || c == '{' || (c == '<' && !in_paren)) {
			if (depth == sizeof(stack))
				return 0;
			stack[depth++] = closing(c);
		} else if (c == ')' || c == ']' || c == '}' || (c == '>' && !in_paren)) {
			if (!depth || c != stack[depth - 1])
				return 0;
			if (--depth == 0)
				return i + 1;
		}
		i++;
	}
	return 0;
}

/* Past the qualifiers after a parameter list: " const", " volatile", " &", " &&", " noexcept". */
static size_t skip_qualifiers(const char *s, size_t i, size_t to)
{
	static const char *const words[] = { "const", "volatile", "restrict", "noexcept",
					     "transaction_safe" };

	while (i + 1 < to && s[i] == ' ') {
		size_t j = i + 1, n = 0;

		for (size_t k = 0; k < ARRAY_SIZE(words) && !n; k++)
			if (word_at(s, j, words[k]))
				n = strlen(words[k]);
		if (!n && s[j] == '&')
			n = s[j + 1] == '&' ? 2 : 1;
		if (!n || j + n > to)
			break;
		i = j + n;
		if (s[i] == '(' && n == 8) {
			/* noexcept(expr) */
			size_t close = skip_group(s, i, to);

			if (!close)
				break;
			i = close;
		}
	}
	return i;
}

static bool scan_name(const char *s, size_t from, size_t to, size_t *nb, size_t *ne, size_t *after,
		      unsigned nest);

/*
 * Whether the group that s[open] opens starts as a declarator: "(*",
 * "(&", "(Foo::*"; *inner is then where its '*' or '&' is.
 */
static bool is_declarator(const char *s, size_t open, size_t close, size_t *inner)
{
	size_t b = open + 1;

	/* a pointer to member: "Foo::*" */
	while (b < close && (is_ident(s[b]) || s[b] == ':'))
		b++;
	if (b > open + 1 && (b - open < 3 || s[b - 1] != ':' || s[b - 2] != ':' || s[b] != '*'))
		return false;
	*inner = b;
	return s[b] == '*' || s[b] == '&';
}

/*
 * At s[open] a group at the start of a name: the declarator of a function
 * that returns a pointer to a function or an array ("int (*f(long))(char)",
 * "int (Foo::*g())(char)"), whose name is inside. False when it is none.
 */
static bool scan_declarator(const char *s, size_t open, size_t close, size_t to, size_t *nb,
			    size_t *ne, size_t *after, unsigned nest)
{
	size_t b, in_after, i;

	if (!is_declarator(s, open, close, &b))
		return false;
	while (b < close && (s[b] == '*' || s[b] == '&' || s[b] == ' '))
		b++;
	if (!scan_name(s, b, close - 1, nb, ne, &in_after, nest + 1) || in_after != close - 1)
		return false;
	/* what it points to: a function's parameters or an array's bounds */
	i = close;
	if (i + 1 < to && s[i] == ' ' && s[i + 1] == '[')
		i++;
	if (i < to && (s[i] == '(' || s[i] == '[')) {
		size_t c = skip_group(s, i, to);

		if (!c)
			return false;
		i = skip_qualifiers(s, c, to);
	}
	*after = i;
	return true;
}

/*
 * The function's name in s[from, to): [*nb, *ne), after its return type
 * and before its parameter list; *after just past that list and its
 * qualifiers. An enclosing function's parameters ("f(int)::g(long)") are
 * part of the name. False when s[from, to) ends in no parameter list.
 */
static bool scan_name(const char *s, size_t from, size_t to, size_t *nb, size_t *ne, size_t *after,
		      unsigned nest)
{
	size_t i = from, name = from, inner;
	bool conversion = false, type_params = false;

	if (nest > 8)
		return false;
	while (i < to) {
		char c = s[i];
		size_t close;

		if (word_at(s, i, "operator")) {
			i = skip_operator(s, i, &conversion);
			continue;
		}
		if (c == ' ') {
			/* the end of a return type, unless in a conversion operator's type */
			if (!conversion)
				name = i + 1;
			i++;
			continue;
		}
		if (c == '(' && strncmp(s + i, "(anonymous namespace)", 21) == 0) {
			i += 21;
			continue;
		}
		if (c != '(' && c != '<' && c != '[' && c != '{') {
			i++;
			continue;
		}
		close = skip_group(s, i, to);
		if (!close)
			return false;
		if (c != '(') {
			/* template arguments, an ABI tag, a lambda */
			i = close;
			continue;
		}
		if (conversion && (type_params || is_declarator(s, i, close, &inner))) {
			/* "operator void (*)(int)()": the type's declarator, then its parameters */
			type_params = !type_params;
			i = close;
			continue;
		}
		if (i == name) {
			if (scan_declarator(s, i, close, to, nb, ne, after, nest))
				return true;
			/* a return type's "decltype (...)" */
			i = close;
			continue;
		}
		close = skip_qualifiers(s, close, to);
		if (close + 1 < to && s[close] == ':' && s[close + 1] == ':') {
			/* an enclosing function's: the name goes on */
			i = close + 2;
			conversion = false;
			continue;
		}
		*nb = name;
		*ne = i;
		*after = close;
		/* "(*)(int)" is a type, no function */
		return i > name && (s[name] != '(' || s[name + 1] == 'a');
	}
	return false;
}

char *demangle_brief(const char *demangled)
{
	/* the names of data, not functions: whatever parentheses they hold are a type's */
	static const char *const data[] = {
		"typeinfo for ", "typeinfo name for ", "typeinfo fn for ", "vtable for ", "VTT for ",
		"construction vtable for ", "guard variable for ", "reference temporary #",
	};
	/* special names whose words are no return type */
	static const char *const prefixes[] = {
		"non-virtual thunk to ",
		"virtual thunk to ",
		"covariant return thunk to ",
		"transaction clone for ",
		"non-transaction clone for ",
		"TLS init function for ",
		"TLS wrapper function for ",
		"hidden alias for ",
	};
	size_t start = 0, len, nb, ne, after;
	const char *rest;

	if (!demangled)
		return NULL;
	for (size_t k = 0; k < ARRAY_SIZE(data); k++)
		if (strncmp(demangled, data[k], strlen(data[k])) == 0)
			return NULL;
	for (size_t k = 0; k < ARRAY_SIZE(prefixes) && !start; k++)
		if (strncmp(demangled, prefixes[k], strlen(prefixes[k])) == 0)
			start = strlen(prefixes[k]);
	len = strlen(demangled);
	if (!scan_name(demangled, start, len, &nb, &ne, &after, 0))
		return NULL;
	/* what may follow: clone suffixes and a symbol version, which stay */
	rest = demangled + after;
	if (*rest && strncmp(rest, " [clone ", 8) != 0 && *rest != '@')
		return NULL;
	return xasprintf("%.*s%.*s%s", (int)start, demangled, (int)(ne - nb), demangled + nb, rest);
}
