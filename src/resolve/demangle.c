// SPDX-License-Identifier: GPL-2.0-or-later
#include "resolve/demangle.h"
#include "util/alloc.h"

#include <ctype.h>
#include <inttypes.h>
#include <dlfcn.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
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

/* ---- Rust v0 names: "_R" ... ------------------------------------------------------- */

/*
 * A reader of the v0 grammar (rustc's RFC 2603) that prints as perf and
 * rustc-demangle's alternate form do: no crate hashes, no type suffixes
 * on constants. Backreferences point back into the name, so a hostile one
 * could make a tree of exponential size from a short text: the output and
 * the number of steps are bounded.
 */
#define V0_MAX_OUT   DEMANGLE_LIMIT
#define V0_MAX_STEPS 100000
#define V0_MAX_DEPTH 200

struct v0 {
	const char *s; /* after "_R" */
	size_t len, pos;
	char *out;
	size_t n, cap;
	unsigned skip;	 /* parsing without printing (an impl's path) */
	unsigned depth;	 /* nesting of the calls below */
	unsigned steps;
	uint64_t bound;	 /* lifetimes bound by the binders around */
	bool bad;
};

static void v0_put(struct v0 *p, const char *t, size_t n)
{
	if (p->bad || p->skip)
		return;
	if (p->n + n >= V0_MAX_OUT) {
		p->bad = true;
		return;
	}
	xgrow(&p->out, &p->cap, p->n + n + 1, 1);
	memcpy(p->out + p->n, t, n);
	p->n += n;
	p->out[p->n] = '\0';
}

static void v0_puts(struct v0 *p, const char *t)
{
	v0_put(p, t, strlen(t));
}

static void v0_putu(struct v0 *p, uint64_t x)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "%" PRIu64, x);
	v0_puts(p, buf);
}

static char v0_peek(const struct v0 *p)
{
	return p->pos < p->len ? p->s[p->pos] : '\0';
}

static bool v0_eat(struct v0 *p, char c)
{
	if (p->bad || v0_peek(p) != c)
		return false;
	p->pos++;
	return true;
}

static char v0_next(struct v0 *p)
{
	if (p->bad || p->pos >= p->len) {
		p->bad = true;
		return '\0';
	}
	return p->s[p->pos++];
}

/* Entering one more level of the grammar: false once the name is too deep or too long a walk. */
static bool v0_enter(struct v0 *p)
{
	if (p->bad || p->depth >= V0_MAX_DEPTH || ++p->steps > V0_MAX_STEPS) {
		p->bad = true;
		return false;
	}
	p->depth++;
	return true;
}

/* {0-9a-zA-Z} "_": "_" is 0, digits d are d + 1 */
static uint64_t v0_base62(struct v0 *p)
{
	uint64_t x = 0;

	if (v0_eat(p, '_'))
		return 0;
	for (;;) {
		char c = v0_next(p);
		unsigned d;

		if (c == '_')
			break;
		if (c >= '0' && c <= '9')
			d = (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'z')
			d = 10 + (unsigned)(c - 'a');
		else if (c >= 'A' && c <= 'Z')
			d = 36 + (unsigned)(c - 'A');
		else
			p->bad = true;
		if (p->bad || x > (UINT64_MAX - 1 - d) / 62) {
			p->bad = true;
			return 0;
		}
		x = x * 62 + d;
	}
	return x + 1;
}

/* A tag and a base-62 number, plus one; 0 without the tag. */
static uint64_t v0_opt62(struct v0 *p, char tag)
{
	uint64_t x;

	if (!v0_eat(p, tag))
		return 0;
	x = v0_base62(p);
	if (x == UINT64_MAX)
		p->bad = true;
	return x + 1;
}

static uint64_t v0_decimal(struct v0 *p)
{
	uint64_t x = 0;
	char c = v0_peek(p);

	if (c < '0' || c > '9') {
		p->bad = true;
		return 0;
	}
	if (c == '0') {
		p->pos++;
		return 0;
	}
	while ((c = v0_peek(p)) >= '0' && c <= '9') {
		if (x > (UINT64_MAX - 9) / 10) {
			p->bad = true;
			return 0;
		}
		x = x * 10 + (uint64_t)(c - '0');
		p->pos++;
	}
	return x;
}

/*
 * An identifier without its disambiguator: [u] length [_] bytes. Punycode
 * ('u': not ASCII) is not decoded: such a name stays mangled.
 */
static void v0_ident(struct v0 *p, const char **id, size_t *n)
{
	uint64_t len;

	if (v0_eat(p, 'u'))
		p->bad = true;
	len = v0_decimal(p);
	v0_eat(p, '_');
	if (p->bad || len > p->len - p->pos) {
		p->bad = true;
		*id = "";
		*n = 0;
		return;
	}
	*id = p->s + p->pos;
	*n = (size_t)len;
	p->pos += (size_t)len;
	for (size_t i = 0; i < *n; i++)
		if (!isalnum((unsigned char)(*id)[i]) && (*id)[i] != '_')
			p->bad = true;
}

static void v0_path(struct v0 *p, bool in_value);
static void v0_type(struct v0 *p);
static void v0_const(struct v0 *p);

/* "B" offset: fn again at that earlier place of the name. */
static void v0_backref(struct v0 *p, void (*fn)(struct v0 *), bool in_value,
		       void (*path)(struct v0 *, bool))
{
	size_t at = p->pos - 1, back;
	uint64_t to = v0_base62(p);

	if (p->bad || to >= at) {
		p->bad = true;
		return;
	}
	back = p->pos;
	p->pos = (size_t)to;
	if (path)
		path(p, in_value);
	else
		fn(p);
	p->pos = back;
}

static void v0_lifetime(struct v0 *p, uint64_t lt)
{
	uint64_t depth;

	if (!lt) {
		v0_puts(p, "'_");
		return;
	}
	if (lt > p->bound) {
		p->bad = true;
		return;
	}
	depth = p->bound - lt;
	if (depth < 26) {
		char c[3] = { '\'', (char)('a' + depth), '\0' };

		v0_puts(p, c);
	} else {
		v0_puts(p, "'_");
		v0_putu(p, depth);
	}
}

/* "G" count: "for<'a, 'b> ", the lifetimes bound until the caller restores p->bound. */
static void v0_binder(struct v0 *p)
{
	uint64_t n = v0_opt62(p, 'G');

	if (!n || p->bad)
		return;
	if (n > 64) {
		p->bad = true;
		return;
	}
	v0_puts(p, "for<");
	for (uint64_t i = 0; i < n; i++) {
		if (i)
			v0_puts(p, ", ");
		p->bound++;
		v0_lifetime(p, 1);
	}
	v0_puts(p, "> ");
}

static void v0_generic_arg(struct v0 *p)
{
	if (v0_eat(p, 'L'))
		v0_lifetime(p, v0_base62(p));
	else if (v0_eat(p, 'K'))
		v0_const(p);
	else
		v0_type(p);
}

static void v0_generic_args(struct v0 *p)
{
	for (size_t i = 0; !p->bad && !v0_eat(p, 'E'); i++) {
		if (i)
			v0_puts(p, ", ");
		v0_generic_arg(p);
	}
}

/* An impl's disambiguator and the path of where it is: read, not shown. */
static void v0_impl_path(struct v0 *p)
{
	v0_opt62(p, 's');
	p->skip++;
	v0_path(p, false);
	p->skip--;
}

static void v0_path(struct v0 *p, bool in_value)
{
	const char *id;
	size_t n;
	uint64_t dis;
	char tag, ns;

	if (!v0_enter(p))
		return;
	tag = v0_next(p);
	switch (tag) {
	case 'C':
		/* the crate root: its hash (the disambiguator) is left out */
		v0_opt62(p, 's');
		v0_ident(p, &id, &n);
		v0_put(p, id, n);
		break;
	case 'M':
		/* <T>: an inherent impl; its own path says where it is, and is not shown */
		v0_impl_path(p);
		v0_puts(p, "<");
		v0_type(p);
		v0_puts(p, ">");
		break;
	case 'X':
	case 'Y':
		/* <T as Trait>: a trait impl (X) or the trait's own item (Y) */
		if (tag == 'X')
			v0_impl_path(p);
		v0_puts(p, "<");
		v0_type(p);
		v0_puts(p, " as ");
		v0_path(p, false);
		v0_puts(p, ">");
		break;
	case 'N':
		ns = v0_next(p);
		if (!isalpha((unsigned char)ns))
			p->bad = true;
		v0_path(p, in_value);
		dis = v0_opt62(p, 's');
		v0_ident(p, &id, &n);
		if (isupper((unsigned char)ns)) {
			/* a closure, a shim: {closure#0}, {closure:name#1} */
			v0_puts(p, "::{");
			v0_puts(p, ns == 'C' ? "closure" : ns == 'S' ? "shim" : "");
			if (ns != 'C' && ns != 'S')
				v0_put(p, &ns, 1);
			if (n) {
				v0_puts(p, ":");
				v0_put(p, id, n);
			}
			v0_puts(p, "#");
			v0_putu(p, dis);
			v0_puts(p, "}");
		} else if (n) {
			v0_puts(p, "::");
			v0_put(p, id, n);
		}
		break;
	case 'I':
		v0_path(p, in_value);
		v0_puts(p, in_value ? "::<" : "<");
		v0_generic_args(p);
		v0_puts(p, ">");
		break;
	case 'B':
		v0_backref(p, NULL, in_value, v0_path);
		break;
	default:
		p->bad = true;
	}
	p->depth--;
}

static const char *v0_basic(char c)
{
	switch (c) {
	case 'a': return "i8";
	case 'b': return "bool";
	case 'c': return "char";
	case 'd': return "f64";
	case 'e': return "str";
	case 'f': return "f32";
	case 'h': return "u8";
	case 'i': return "isize";
	case 'j': return "usize";
	case 'l': return "i32";
	case 'm': return "u32";
	case 'n': return "i128";
	case 'o': return "u128";
	case 'p': return "_";
	case 's': return "i16";
	case 't': return "u16";
	case 'u': return "()";
	case 'v': return "...";
	case 'x': return "i64";
	case 'y': return "u64";
	case 'z': return "!";
	default: return NULL;
	}
}

/* fn(A, B) -> R, with its binder, unsafety and ABI */
static void v0_fn_sig(struct v0 *p)
{
	uint64_t bound = p->bound;

	v0_binder(p);
	if (v0_eat(p, 'U'))
		v0_puts(p, "unsafe ");
	if (v0_eat(p, 'K')) {
		v0_puts(p, "extern \"");
		if (v0_eat(p, 'C')) {
			v0_puts(p, "C");
		} else {
			const char *id;
			size_t n;

			v0_ident(p, &id, &n);
			for (size_t i = 0; i < n; i++)
				v0_put(p, id[i] == '_' ? "-" : id + i, 1);
		}
		v0_puts(p, "\" ");
	}
	v0_puts(p, "fn(");
	v0_generic_args(p);
	v0_puts(p, ")");
	if (v0_eat(p, 'u')) {
		/* returns (): not written */
	} else {
		v0_puts(p, " -> ");
		v0_type(p);
	}
	p->bound = bound;
}

/* dyn A + B<Item = T> + 'a */
static void v0_dyn(struct v0 *p)
{
	uint64_t bound = p->bound;

	v0_puts(p, "dyn ");
	v0_binder(p);
	for (size_t i = 0; !p->bad && !v0_eat(p, 'E'); i++) {
		bool open = false;

		if (i)
			v0_puts(p, " + ");
		/* Trait<A> then its bindings inside the same brackets: Trait<A, Item = T> */
		if (v0_peek(p) == 'I') {
			p->pos++;
			v0_path(p, false);
			v0_puts(p, "<");
			v0_generic_args(p);
			open = true;
		} else {
			v0_path(p, false);
		}
		while (!p->bad && v0_eat(p, 'p')) {
			const char *id;
			size_t n;

			v0_puts(p, open ? ", " : "<");
			open = true;
			v0_ident(p, &id, &n);
			v0_put(p, id, n);
			v0_puts(p, " = ");
			v0_type(p);
		}
		if (open)
			v0_puts(p, ">");
	}
	p->bound = bound;
	if (!v0_eat(p, 'L')) {
		p->bad = true;
		return;
	}
	{
		uint64_t lt = v0_base62(p);

		if (lt) {
			v0_puts(p, " + ");
			v0_lifetime(p, lt);
		}
	}
}

static void v0_type(struct v0 *p)
{
	const char *basic;
	char c;

	if (!v0_enter(p))
		return;
	c = v0_peek(p);
	basic = v0_basic(c);
	if (basic) {
		p->pos++;
		v0_puts(p, basic);
		p->depth--;
		return;
	}
	switch (c) {
	case 'R':
	case 'Q':
		p->pos++;
		v0_puts(p, "&");
		if (v0_eat(p, 'L')) {
			uint64_t lt = v0_base62(p);

			if (lt) {
				v0_lifetime(p, lt);
				v0_puts(p, " ");
			}
		}
		if (c == 'Q')
			v0_puts(p, "mut ");
		v0_type(p);
		break;
	case 'P':
	case 'O':
		p->pos++;
		v0_puts(p, c == 'P' ? "*const " : "*mut ");
		v0_type(p);
		break;
	case 'A':
	case 'S':
		p->pos++;
		v0_puts(p, "[");
		v0_type(p);
		if (c == 'A') {
			v0_puts(p, "; ");
			v0_const(p);
		}
		v0_puts(p, "]");
		break;
	case 'T': {
		size_t i = 0;

		p->pos++;
		v0_puts(p, "(");
		for (; !p->bad && !v0_eat(p, 'E'); i++) {
			if (i)
				v0_puts(p, ", ");
			v0_type(p);
		}
		v0_puts(p, i == 1 ? ",)" : ")");
		break;
	}
	case 'F':
		p->pos++;
		v0_fn_sig(p);
		break;
	case 'D':
		p->pos++;
		v0_dyn(p);
		break;
	case 'B':
		p->pos++;
		v0_backref(p, v0_type, false, NULL);
		break;
	default:
		v0_path(p, false);
	}
	p->depth--;
}

static void v0_const(struct v0 *p)
{
	uint64_t x = 0;
	size_t digits = 0;
	bool neg;
	char ty;

	if (!v0_enter(p))
		return;
	if (v0_eat(p, 'B')) {
		v0_backref(p, v0_const, false, NULL);
		p->depth--;
		return;
	}
	ty = v0_next(p);
	if (ty == 'p') {
		v0_puts(p, "_");
		p->depth--;
		return;
	}
	neg = v0_eat(p, 'n');
	for (char c; !p->bad && (c = v0_next(p)) != '_'; digits++) {
		if (!isxdigit((unsigned char)c) || isupper((unsigned char)c) || digits == 16) {
			p->bad = true;
			break;
		}
		x = x * 16 + (uint64_t)(isdigit((unsigned char)c) ? c - '0' : c - 'a' + 10);
	}
	if (strchr("hmtyoj", ty) && !neg) {
		v0_putu(p, x);
	} else if (strchr("alsxni", ty)) {
		if (neg)
			v0_puts(p, "-");
		v0_putu(p, x);
	} else if (ty == 'b' && !neg && x <= 1) {
		v0_puts(p, x ? "true" : "false");
	} else if (ty == 'c' && !neg && x >= 0x20 && x < 0x7f && x != '\'' && x != '\\') {
		char q[4] = { '\'', (char)x, '\'', '\0' };

		v0_puts(p, q);
	} else {
		p->bad = true;
	}
	p->depth--;
}

/* name[0..len) starts with "_R"; the name up to a '.' suffix is the symbol. */
static char *demangle_rust_v0(const char *name, size_t len, const char *version)
{
	size_t end = 2;
	struct v0 p;
	char *out;

	while (end < len && name[end] != '.')
		end++;
	memset(&p, 0, sizeof(p));
	p.s = name + 2;
	p.len = end - 2;
	/* an encoding version number: none is defined yet */
	if (!p.len || isdigit((unsigned char)p.s[0]))
		return NULL;
	v0_path(&p, true);
	/* the crate that instantiated a generic item: not shown */
	if (!p.bad && p.pos < p.len) {
		p.skip++;
		v0_path(&p, false);
		p.skip--;
	}
	if (p.bad || p.pos != p.len || !p.out) {
		free(p.out);
		return NULL;
	}
	/* LTO's uniquifying suffix is noise, as for legacy names; others stay */
	if (len - end >= 6 && memcmp(name + end, ".llvm.", 6) == 0)
		end = len;
	out = xasprintf("%s%.*s%s", p.out, (int)(len - end), name + end, version);
	free(p.out);
	return out;
}

char *demangle(const char *name)
{
	size_t len, end;
	const char *dot;
	char *d, *out;

	if (!name || (strncmp(name, "_Z", 2) != 0 && strncmp(name, "_R", 2) != 0) ||
	    strnlen(name, DEMANGLE_LIMIT) == DEMANGLE_LIMIT)
		return NULL;
	/* a symbol version: mangled names never hold '@' (Rust writes it "$SP$") */
	len = strcspn(name, "@");
	if (name[1] == 'R')
		return demangle_rust_v0(name, len, name + len);
	pthread_once(&cxa_once, cxa_load);
	if (!cxa_demangle)
		return NULL;
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
