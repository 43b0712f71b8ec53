// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The folded, speedscope, JSON and SVG writers on a profile built by hand:
 * exact folded lines (merging, order, markers, escapes), JSON that a strict
 * parser accepts with the values where they belong, and an SVG with one frame
 * per tree node and its names escaped. And the same with no samples at all.
 */
#include "output/export.h"
#include "tap.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* ---- a strict JSON syntax check (RFC 8259), enough to catch a writer's slips ---- */

static const char *json_value(const char *s, int depth);

static const char *json_ws(const char *s)
{
	while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
		s++;
	return s;
}

static const char *json_str(const char *s)
{
	if (*s++ != '"')
		return NULL;
	for (;;) {
		unsigned char c = (unsigned char)*s;

		if (c == '"')
			return s + 1;
		if (c < 0x20)
			return NULL; /* raw control character, or the end */
		if (c == '\\') {
			s++;
			if (*s == 'u') {
				for (int i = 1; i <= 4; i++)
					if (!strchr("0123456789abcdefABCDEF", s[i]) || !s[i])
						return NULL;
				s += 5;
			} else if (*s && strchr("\"\\/bfnrt", *s)) {
				s++;
			} else {
				return NULL;
			}
		} else if (c >= 0x80) {
			/* UTF-8: a lead byte and its continuation bytes */
			int n = c >= 0xf0 && c <= 0xf4	? 3
				: c >= 0xe0		? 2
				: c >= 0xc2 && c < 0xe0 ? 1
							: -1;

			if (n < 0)
				return NULL;
			for (int i = 1; i <= n; i++)
				if (((unsigned char)s[i] & 0xc0) != 0x80)
					return NULL;
			s += n + 1;
		} else {
			s++;
		}
	}
}

static const char *json_num(const char *s)
{
	const char *start;

	if (*s == '-')
		s++;
	if (*s == '0')
		s++;
	else if (*s >= '1' && *s <= '9')
		while (*s >= '0' && *s <= '9')
			s++;
	else
		return NULL;
	if (*s == '.') {
		start = ++s;
		while (*s >= '0' && *s <= '9')
			s++;
		if (s == start)
			return NULL;
	}
	if (*s == 'e' || *s == 'E') {
		s++;
		if (*s == '+' || *s == '-')
			s++;
		start = s;
		while (*s >= '0' && *s <= '9')
			s++;
		if (s == start)
			return NULL;
	}
	return s;
}

static const char *json_seq(const char *s, char close, bool object, int depth)
{
	s = json_ws(s + 1);
	if (*s == close)
		return s + 1;
	for (;;) {
		if (object) {
			s = json_str(json_ws(s));
			if (!s)
				return NULL;
			s = json_ws(s);
			if (*s++ != ':')
				return NULL;
		}
		s = json_value(s, depth + 1);
		if (!s)
			return NULL;
		s = json_ws(s);
		if (*s == close)
			return s + 1;
		if (*s++ != ',')
			return NULL;
	}
}

static const char *json_value(const char *s, int depth)
{
	if (depth > 64)
		return NULL;
	s = json_ws(s);
	switch (*s) {
	case '{':
		return json_seq(s, '}', true, depth);
	case '[':
		return json_seq(s, ']', false, depth);
	case '"':
		return json_str(s);
	case 't':
		return strncmp(s, "true", 4) ? NULL : s + 4;
	case 'f':
		return strncmp(s, "false", 5) ? NULL : s + 5;
	case 'n':
		return strncmp(s, "null", 4) ? NULL : s + 4;
	default:
		return json_num(s);
	}
}

static bool json_valid(const char *s)
{
	s = json_value(s, 0);
	return s && !*json_ws(s);
}

/* ---- helpers ---- */

typedef int (*exporter)(FILE *, const struct profile *);

/* The exporter's output as a string (caller frees), its return value in *rc. */
static char *run(exporter fn, const struct profile *p, int *rc)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		abort();
	*rc = fn(f, p);
	if (fclose(f))
		*rc = -EIO;
	return buf;
}

static size_t count(const char *s, const char *what)
{
	size_t n = 0;

	for (const char *p = s; (p = strstr(p, what)); p += strlen(what))
		n++;
	return n;
}

static bool before(const char *s, const char *a, const char *b)
{
	const char *x = strstr(s, a), *y = strstr(s, b);

	return x && y && x < y;
}

/* ---- the profile ---- */

#define CXX_NAME "std::vector<int>::push_back(int&&) & \"q\""

static struct prof_func funcs[] = {
    {"main", "prog", "/opt/prog", NULL, 0x1000, false},
    {"burn", "prog", "/opt/prog", "burn.c", 0x1100, false},
    {"do_syscall_64", "[kernel.kallsyms]", NULL, NULL, 0xffffffff81000000, true},
    {"a;b", "libx.so", "/lib/libx.so", NULL, 0x2000, false},
    {CXX_NAME, "libstdc++.so.6", "/lib/libstdc++.so.6", NULL, 0x3000, false},
    {"inl", "prog", "/opt/prog", NULL, 0x1104, false},
    {"[unknown]", "[unknown]", NULL, NULL, 0, false},
    {"bad\xffname\x01", "prog", "/opt/prog", NULL, 0x1200, false},
};

static struct prof_loc locs[] = {
    {0, 0, NULL, 0x1010, false},	     /* 0 main */
    {1, 12, "burn.c", 0x1100, false},	     /* 1 burn */
    {1, 13, "burn.c", 0x1108, false},	     /* 2 burn, another address */
    {2, 0, NULL, 0xffffffff81000010, false}, /* 3 kernel */
    {3, 0, NULL, 0x2010, false},	     /* 4 a;b */
    {5, 0, NULL, 0x2010, true},		     /* 5 inl, inlined into a;b */
    {4, 0, NULL, 0x3010, false},	     /* 6 C++ */
    {6, 0, NULL, 0x9999, false},	     /* 7 unknown */
    {7, 0, NULL, 0x1210, false},	     /* 8 bad name */
};

static uint32_t frames[] = {
    1, 0,    /* 0: burn main */
    2, 0,    /* 2: burn (other address) main */
    3, 1, 0, /* 4: kernel burn main */
    5, 4, 0, /* 7: inl a;b main */
    6, 7,    /* 10: C++ [unknown] */
    8, 0,    /* 12: bad main */
};

static struct prof_stack stacks[] = {
    {0, 2, 10, 10, "prog", 5, 5000},	  /* prog;main;burn */
    {2, 2, 10, 11, "prog", 3, 3000},	  /* the same line from another thread */
    {4, 3, 10, 10, "prog", 2, 2000},	  /* into the kernel */
    {7, 3, 12, 12, "other", 1, 1000},	  /* an inlined frame */
    {10, 2, 12, 12, "other", 4, 4000},	  /* [unknown] caller */
    {12, 2, 13, 13, "we;ird\n", 1, 1000}, /* ';' and a newline in the comm */
};

static const struct profile prof = {
    .funcs = funcs,
    .nfuncs = ARRAY_SIZE(funcs),
    .locs = locs,
    .nlocs = ARRAY_SIZE(locs),
    .stacks = stacks,
    .nstacks = ARRAY_SIZE(stacks),
    .frames = frames,
    .nframes = ARRAY_SIZE(frames),
    .samples = 16,
    .weight = 16000,
    .event = "cpu-clock",
    .weight_unit = "nanoseconds",
    .title = "./prog \"arg\" <x>",
    .time_start = 1000,
    .time_end = 9000000000000000000ull,
    .period = 1000,
};

static const struct profile empty = {
    .event = "cycles",
    .weight_unit = "events",
    .title = NULL,
};

/* ---- the tests ---- */

static void test_folded(void)
{
	int rc;
	char *s = run(export_folded, &prof, &rc);

	is_int(rc, 0, "folded: returns 0");
	is_str(
	    s,
	    "other;[unknown];" CXX_NAME " 4\n"
	    "other;main;a:b;inl_[i] 1\n"
	    "prog;main;burn 8\n"
	    "prog;main;burn;do_syscall_64_[k] 2\n"
	    "we:ird?;main;bad\xffname? 1\n",
	    "folded: merged by comm and functions, sorted, root first, markers, no ';' in names");
	free(s);

	s = run(export_folded, &empty, &rc);
	is_int(rc, 0, "folded, no samples: returns 0");
	is_str(s, "", "folded, no samples: nothing");
	free(s);
}

static void test_speedscope(void)
{
	int rc;
	char *s = run(export_speedscope, &prof, &rc);

	is_int(rc, 0, "speedscope: returns 0");
	ok(json_valid(s), "speedscope: valid JSON");
	ok(strstr(s, "\"$schema\": \"https://www.speedscope.app/file-format-schema.json\""),
	   "speedscope: $schema");
	ok(strstr(s, "\"exporter\": \"pmuprof\""), "speedscope: exporter");
	ok(strstr(s, "\"name\": \"./prog \\\"arg\\\" <x>\""), "speedscope: title, escaped");
	ok(strstr(s, "\"activeProfileIndex\": 0"), "speedscope: activeProfileIndex");
	ok(strstr(s, "{\"name\": \"burn\", \"file\": \"burn.c\"}"),
	   "speedscope: frame with a source file");
	ok(strstr(s, "{\"name\": \"main\", \"file\": \"/opt/prog\"}"),
	   "speedscope: frame without one names its object");
	ok(strstr(s, "{\"name\": \"bad\\ufffdname\\u0001\""),
	   "speedscope: bad UTF-8 and controls escaped");
	ok(strstr(s, "std::vector<int>::push_back(int&&) & \\\"q\\\""),
	   "speedscope: quotes escaped");
	is_int((long long)count(s, "\"type\": \"sampled\""), 4, "speedscope: a profile per thread");
	ok(before(s, "\"prog (tid 10)\"", "\"other (tid 12)\"") &&
	       before(s, "\"other (tid 12)\"", "\"prog (tid 11)\"") &&
	       before(s, "\"prog (tid 11)\"", "\"we;ird\\n (tid 13)\""),
	   "speedscope: busiest thread first");
	ok(strstr(s, "\"unit\": \"nanoseconds\", \"startValue\": 0, \"endValue\": 7000"),
	   "speedscope: unit and the thread's total weight");
	ok(strstr(s, "\"samples\": [[0,1], [0,1,2]],\n     \"weights\": [5000,2000]"),
	   "speedscope: root-first frame indexes, paths sorted, weights");
	ok(strstr(s, "\"samples\": [[6,4], [0,3,5]],\n     \"weights\": [4000,1000]"),
	   "speedscope: '[unknown]' sorts before 'main'");
	free(s);

	s = run(export_speedscope, &empty, &rc);
	is_int(rc, 0, "speedscope, no samples: returns 0");
	ok(json_valid(s), "speedscope, no samples: valid JSON");
	ok(strstr(s, "\"unit\": \"none\"") && strstr(s, "\"samples\": []"),
	   "speedscope, no samples: one empty profile, unit none");
	free(s);
}

static void test_json(void)
{
	int rc;
	char *s = run(export_json, &prof, &rc);

	is_int(rc, 0, "json: returns 0");
	ok(json_valid(s), "json: valid JSON");
	ok(strstr(s, "\"event\": \"cpu-clock\", \"weight_unit\": \"nanoseconds\""),
	   "json: event and unit");
	ok(strstr(s, "\"samples\": 16, \"weight\": 16000"), "json: totals");
	ok(strstr(s, "\"time_end\": 9000000000000000000,"), "json: 64-bit times in full");
	ok(strstr(s,
		  "{\"name\": \"do_syscall_64\", \"dso\": \"[kernel.kallsyms]\", \"path\": null, "
		  "\"file\": null, \"start\": \"0xffffffff81000000\", \"kernel\": true}"),
	   "json: a kernel function, nulls, hex address");
	ok(strstr(s,
		  "{\"function\": 1, \"address\": \"0x1108\", \"line\": 13, \"file\": \"burn.c\", "
		  "\"inlined\": false}"),
	   "json: a location with its line");
	ok(strstr(s, "{\"function\": 5, \"address\": \"0x2010\", \"line\": 0, \"file\": null, "
		     "\"inlined\": true}"),
	   "json: an inlined location");
	ok(strstr(
	       s,
	       "{\"pid\": 10, \"tid\": 10, \"comm\": \"prog\", \"samples\": 2, \"weight\": 2000, "
	       "\"frames\": [3,1,0]}"),
	   "json: a stack, leaf first");
	ok(strstr(s, "\"comm\": \"we;ird\\n\""), "json: control characters escaped");
	is_int((long long)count(s, "\"pid\":"), 6, "json: every stack");
	free(s);

	s = run(export_json, &empty, &rc);
	is_int(rc, 0, "json, no samples: returns 0");
	ok(json_valid(s), "json, no samples: valid JSON");
	ok(strstr(s, "\"title\": null") && strstr(s, "\"functions\": []") &&
	       strstr(s, "\"stacks\": []"),
	   "json, no samples: null title, empty tables");
	free(s);
}

static void test_svg(void)
{
	int rc;
	char *s = run(export_svg, &prof, &rc);
	const char *end;

	is_int(rc, 0, "svg: returns 0");
	ok(!strncmp(s, "<?xml ", 6), "svg: XML declaration");
	is_int((long long)count(s, "<svg "), 1, "svg: one <svg> element");
	end = strstr(s, "</svg>");
	ok(end && !strcmp(end, "</svg>\n"), "svg: ends with </svg>");
	is_int((long long)count(s, "<script"), 1, "svg: one script");
	ok(!strstr(strstr(s, "<![CDATA[") + 9, "]]>") ||
	       strstr(strstr(s, "<![CDATA[") + 9, "]]>") == strstr(s, "]]></script>"),
	   "svg: the script ends its CDATA once");
	/* all, 3 comms, prog: main burn do_syscall_64; other: main a;b inl [unknown] C++; we: main
	 * bad */
	is_int((long long)count(s, "<g class=\"f\""), 14, "svg: one frame per tree node");
	is_int((long long)count(s, "<title>"), 14, "svg: a tooltip per frame");
	is_int((long long)count(s, "</g>"), 15, "svg: frames closed");
	ok(strstr(
	       s,
	       "data-n=\"std::vector&lt;int&gt;::push_back(int&amp;&amp;) &amp; &quot;q&quot;\""),
	   "svg: names escaped in attributes");
	ok(!strstr(s, "vector<int>"), "svg: no raw '<' from a name");
	ok(strstr(s, "<title>burn (prog): 10 samples, 62.50%</title>"),
	   "svg: tooltip name (dso): samples, share");
	ok(strstr(s, "<title>inl (prog, inlined): 1 sample, 6.25%</title>"),
	   "svg: inlined tooltip");
	ok(strstr(s, "<title>all: 16 samples, 100.00%</title><rect x=\"10.00\" y=\"") &&
	       strstr(s, "width=\"1180.00\" height=\"15\""),
	   "svg: the root spans the width");
	ok(strstr(s, "data-s=\"0\" data-w=\"5000\" data-d=\"1\" data-n=\"other\""),
	   "svg: comm level, siblings sorted by name");
	ok(strstr(s, "data-s=\"5000\" data-w=\"10000\" data-d=\"1\" data-n=\"prog\""),
	   "svg: widths by weight, side by side");
	ok(strstr(s, "data-n=\"bad\xef\xbf\xbdname?\""), "svg: bad UTF-8 and controls replaced");
	ok(strstr(s, "data-n=\"we;ird?\""), "svg: newline in a comm replaced");
	ok(strstr(s, ">./prog &quot;arg&quot; &lt;x&gt;</text>"), "svg: title escaped");
	ok(strstr(s, ">cpu-clock: 16 samples, 0.000 s</text>"), "svg: subtitle");
	ok(strstr(s, ">Reset Zoom</text>") && strstr(s, ">Search</text>"), "svg: controls");
	ok(strstr(s, ">do_syscall_..</text>") || strstr(s, ">do_syscall_64</text>"),
	   "svg: labels fit");
	free(s);

	s = run(export_svg, &empty, &rc);
	is_int(rc, 0, "svg, no samples: returns 0");
	is_int((long long)count(s, "<svg "), 1, "svg, no samples: one <svg>");
	ok(strstr(s, "</svg>\n") && strstr(s, ">no samples</text>") && !strstr(s, "class=\"f\""),
	   "svg, no samples: says so, no frames");
	free(s);
}

/* Zero weights (a sampler that keeps none): the flame graph falls back to samples. */
static void test_svg_samples(void)
{
	struct prof_stack st[] = {{0, 2, 1, 1, "p", 3, 0}, {12, 2, 1, 1, "p", 1, 0}};
	struct profile p = prof;
	int rc;
	char *s;

	p.stacks = st;
	p.nstacks = ARRAY_SIZE(st);
	p.weight = 0;
	p.weight_unit = "events";
	s = run(export_svg, &p, &rc);
	ok(strstr(s, "data-w=\"3\" data-d=\"3\" data-n=\"burn\""),
	   "svg, no weights: widths by samples");
	free(s);
}

static void test_write_error(void)
{
	FILE *f = fopen("/dev/null", "r");
	exporter fns[] = {export_folded, export_speedscope, export_json, export_svg};

	if (!f) {
		ok(false, "open /dev/null");
		return;
	}
	for (size_t i = 0; i < ARRAY_SIZE(fns); i++) {
		clearerr(f);
		is_int(fns[i](f, &prof), -EBADF, "a failed write returns its errno");
	}
	fclose(f);
}

int main(void)
{
	test_folded();
	test_speedscope();
	test_json();
	test_svg();
	test_svg_samples();
	test_write_error();
	return done_testing();
}
