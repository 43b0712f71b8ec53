// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The pprof export on hand-built profiles: each file is gunzipped and its
 * protobuf decoded here, by a decoder that knows profile.proto's field
 * numbers and nothing of the writer, then checked against the profile:
 * samples, values, location ids leaf first, inlined locs folded into one
 * location, mappings (the kernel's, and the program's first), a deduplicated
 * string table that starts with "", nonzero ids; mappings with their ranges,
 * offsets and build-ids, and locations at the frames' addresses in them;
 * a function for each file its lines are in; also an empty profile, a
 * large one (several gzip buffers), a bad one and a failing write.
 *
 * TEST_PPROF_OUT=file writes the first profile there too, for a look with
 * `go tool pprof`.
 */
#include "output/export.h"
#include "tap.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

/* ---- gunzip --------------------------------------------------------------- */

static uint8_t *gunzip(const void *in, size_t len, size_t *outlen)
{
	z_stream zs = {0};
	size_t alloc = 4096, n = 0;
	uint8_t *out = malloc(alloc);
	int rc = Z_OK;

	if (!out || inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK) {
		free(out);
		return NULL;
	}
	zs.next_in = (Bytef *)(uintptr_t)in;
	zs.avail_in = (uInt)len;
	while (rc == Z_OK) {
		if (n == alloc) {
			uint8_t *bigger = realloc(out, alloc *= 2);

			if (!bigger)
				break;
			out = bigger;
		}
		zs.next_out = out + n;
		zs.avail_out = (uInt)(alloc - n);
		rc = inflate(&zs, Z_NO_FLUSH);
		n = alloc - zs.avail_out;
	}
	/* the whole input, and a stream that ended */
	if (rc != Z_STREAM_END || zs.avail_in) {
		free(out);
		out = NULL;
	}
	inflateEnd(&zs);
	*outlen = n;
	return out;
}

/* ---- a protobuf decoder for profile.proto ------------------------------- */

struct field {
	unsigned int num, wire;
	uint64_t v;	  /* wire 0 */
	const uint8_t *p; /* wire 2 */
	size_t len;
};

struct reader {
	const uint8_t *p, *end;
	bool bad;
};

static uint64_t read_varint(struct reader *r)
{
	uint64_t v = 0;

	for (int shift = 0; shift < 64; shift += 7) {
		if (r->p >= r->end)
			break;
		v |= (uint64_t)(*r->p & 0x7f) << shift;
		if (!(*r->p++ & 0x80))
			return v;
	}
	r->bad = true;
	return 0;
}

/* The next field, or false at the end or on an error (r->bad). */
static bool next_field(struct reader *r, struct field *f)
{
	uint64_t tag;

	if (r->bad || r->p >= r->end)
		return false;
	tag = read_varint(r);
	f->num = (unsigned int)(tag >> 3);
	f->wire = tag & 7;
	if (f->wire == 0) {
		f->v = read_varint(r);
	} else if (f->wire == 2) {
		f->len = read_varint(r);
		if (f->len > (size_t)(r->end - r->p))
			r->bad = true;
		f->p = r->p;
		r->p += r->bad ? 0 : f->len;
	} else {
		r->bad = true;
	}
	return !r->bad && f->num;
}

#define MAXN 64

struct repeated {
	uint64_t v[MAXN];
	size_t n;
	bool packed;
};

struct value_type {
	uint64_t type, unit;
};
struct label {
	uint64_t key, str, num;
};
struct sample {
	struct repeated loc, value;
	struct label labels[4];
	size_t nlabels;
};
struct line {
	uint64_t func, line;
};
struct location {
	uint64_t id, mapping, address;
	struct line lines[8];
	size_t nlines;
};
struct function {
	uint64_t id, name, system_name, filename, start_line;
};
struct mapping {
	uint64_t id, start, limit, offset, filename, build_id;
	uint64_t has[4]; /* functions, filenames, lines, inlines */
};

struct decoded {
	struct value_type sample_type[4], period_type;
	size_t nsample_types;
	struct sample *samples;
	size_t nsamples;
	struct mapping mappings[MAXN];
	size_t nmappings;
	struct location *locations;
	size_t nlocations;
	struct function *functions;
	size_t nfunctions;
	char **strings;
	size_t nstrings;
	uint64_t time_nanos, duration_nanos, period;
	struct repeated comment;
	bool bad;
};

/* A repeated integer, packed or not. */
static void add_repeated(struct decoded *d, struct repeated *rep, const struct field *f)
{
	if (f->wire == 0) {
		if (rep->n < MAXN)
			rep->v[rep->n++] = f->v;
		else
			d->bad = true;
		return;
	}
	struct reader r = {f->p, f->p + f->len, false};

	rep->packed = true;
	while (r.p < r.end && !r.bad) {
		uint64_t v = read_varint(&r);

		if (rep->n < MAXN)
			rep->v[rep->n++] = v;
		else
			d->bad = true;
	}
	d->bad |= r.bad;
}

/* Loops over the fields of the message in outer, which must be length-delimited. */
#define FOR_FIELDS(d, outer, f)                                                                    \
	for (struct reader r_ = {(outer)->p, (outer)->p + ((outer)->wire == 2 ? (outer)->len : 0), \
				 (outer)->wire != 2};                                              \
	     next_field(&r_, (f)) || ((d)->bad |= r_.bad, false);)

static void decode_value_type(struct decoded *d, const struct field *outer, struct value_type *vt)
{
	struct field f;

	FOR_FIELDS(d, outer, &f)
	{
		if (f.num == 1)
			vt->type = f.v;
		else if (f.num == 2)
			vt->unit = f.v;
	}
}

static void decode_label(struct decoded *d, const struct field *outer, struct label *l)
{
	struct field f;

	FOR_FIELDS(d, outer, &f)
	{
		if (f.num == 1)
			l->key = f.v;
		else if (f.num == 2)
			l->str = f.v;
		else if (f.num == 3)
			l->num = f.v;
	}
}

static void decode_line(struct decoded *d, const struct field *outer, struct line *ln)
{
	struct field f;

	FOR_FIELDS(d, outer, &f)
	{
		if (f.num == 1)
			ln->func = f.v;
		else if (f.num == 2)
			ln->line = f.v;
	}
}

static void decode_sample(struct decoded *d, const struct field *outer, struct sample *s)
{
	struct field f;

	FOR_FIELDS(d, outer, &f)
	{
		if (f.num == 1) {
			add_repeated(d, &s->loc, &f);
		} else if (f.num == 2) {
			add_repeated(d, &s->value, &f);
		} else if (f.num == 3 && s->nlabels < 4) {
			decode_label(d, &f, &s->labels[s->nlabels++]);
		}
	}
}

static void decode_location(struct decoded *d, const struct field *outer, struct location *l)
{
	struct field f;

	FOR_FIELDS(d, outer, &f)
	{
		if (f.num == 1) {
			l->id = f.v;
		} else if (f.num == 2) {
			l->mapping = f.v;
		} else if (f.num == 3) {
			l->address = f.v;
		} else if (f.num == 4 && l->nlines < 8) {
			decode_line(d, &f, &l->lines[l->nlines++]);
		}
	}
}

static void decode_function(struct decoded *d, const struct field *outer, struct function *fn)
{
	struct field f;

	FOR_FIELDS(d, outer, &f)
	{
		if (f.num == 1)
			fn->id = f.v;
		else if (f.num == 2)
			fn->name = f.v;
		else if (f.num == 3)
			fn->system_name = f.v;
		else if (f.num == 4)
			fn->filename = f.v;
		else if (f.num == 5)
			fn->start_line = f.v;
	}
}

static void decode_mapping(struct decoded *d, const struct field *outer, struct mapping *m)
{
	struct field f;

	FOR_FIELDS(d, outer, &f)
	{
		if (f.num == 1)
			m->id = f.v;
		else if (f.num == 2)
			m->start = f.v;
		else if (f.num == 3)
			m->limit = f.v;
		else if (f.num == 4)
			m->offset = f.v;
		else if (f.num == 5)
			m->filename = f.v;
		else if (f.num == 6)
			m->build_id = f.v;
		else if (f.num >= 7 && f.num <= 10)
			m->has[f.num - 7] = f.v;
	}
}

/* A new element at the end of arr, which doubles when n reaches a power of two. */
#define APPEND(arr, n)                                                                             \
	((n) && ((n) & ((n)-1)) ? 0 : (arr = realloc(arr, 2 * ((n) + 1) * sizeof(*(arr))), 0),     \
	 &(arr)[(n)++])

static struct decoded *decode(const uint8_t *buf, size_t len)
{
	struct decoded *d = calloc(1, sizeof(*d));
	struct reader r = {buf, buf + len, false};
	struct field f;

	while (next_field(&r, &f)) {
		switch (f.num) {
		case 1:
			if (d->nsample_types < 4)
				decode_value_type(d, &f, &d->sample_type[d->nsample_types++]);
			break;
		case 2: {
			struct sample *s = APPEND(d->samples, d->nsamples);

			memset(s, 0, sizeof(*s));
			decode_sample(d, &f, s);
			break;
		}
		case 3:
			if (d->nmappings < MAXN)
				decode_mapping(d, &f, &d->mappings[d->nmappings++]);
			break;
		case 4: {
			struct location *l = APPEND(d->locations, d->nlocations);

			memset(l, 0, sizeof(*l));
			decode_location(d, &f, l);
			break;
		}
		case 5: {
			struct function *fn = APPEND(d->functions, d->nfunctions);

			memset(fn, 0, sizeof(*fn));
			decode_function(d, &f, fn);
			break;
		}
		case 6:
			if (f.wire != 2) {
				d->bad = true;
				break;
			}
			*APPEND(d->strings, d->nstrings) = strndup((const char *)f.p, f.len);
			break;
		case 9:
			d->time_nanos = f.v;
			break;
		case 10:
			d->duration_nanos = f.v;
			break;
		case 11:
			decode_value_type(d, &f, &d->period_type);
			break;
		case 12:
			d->period = f.v;
			break;
		case 13:
			add_repeated(d, &d->comment, &f);
			break;
		}
	}
	d->bad |= r.bad;
	return d;
}

static void decoded_free(struct decoded *d)
{
	if (!d)
		return;
	for (size_t i = 0; i < d->nstrings; i++)
		free(d->strings[i]);
	free(d->strings);
	free(d->samples);
	free(d->locations);
	free(d->functions);
	free(d);
}

static const char *str(const struct decoded *d, uint64_t i)
{
	return i < d->nstrings ? d->strings[i] : "(out of range)";
}

static const struct location *location(const struct decoded *d, uint64_t id)
{
	for (size_t i = 0; i < d->nlocations; i++)
		if (d->locations[i].id == id)
			return &d->locations[i];
	return NULL;
}

static const struct function *function(const struct decoded *d, uint64_t id)
{
	for (size_t i = 0; i < d->nfunctions; i++)
		if (d->functions[i].id == id)
			return &d->functions[i];
	return NULL;
}

static const struct mapping *mapping(const struct decoded *d, uint64_t id)
{
	for (size_t i = 0; i < d->nmappings; i++)
		if (d->mappings[i].id == id)
			return &d->mappings[i];
	return NULL;
}

/* The function name of line j of location id, or "" */
static const char *line_func(const struct decoded *d, uint64_t id, size_t j)
{
	const struct location *l = location(d, id);
	const struct function *fn = l && j < l->nlines ? function(d, l->lines[j].func) : NULL;

	return fn ? str(d, fn->name) : "";
}

static const char *label_str(const struct decoded *d, const struct sample *s, const char *key)
{
	for (size_t i = 0; i < s->nlabels; i++)
		if (!strcmp(str(d, s->labels[i].key), key) && s->labels[i].str)
			return str(d, s->labels[i].str);
	return NULL;
}

static long long label_num(const struct decoded *d, const struct sample *s, const char *key)
{
	for (size_t i = 0; i < s->nlabels; i++)
		if (!strcmp(str(d, s->labels[i].key), key) && !s->labels[i].str)
			return (long long)s->labels[i].num;
	return -1;
}

/* Exports p, gunzips and decodes it; *rc gets export_pprof's result. */
static struct decoded *roundtrip(const struct profile *p, int *rc, size_t *gzlen)
{
	char *buf = NULL;
	size_t len = 0, raw_len = 0;
	FILE *f = open_memstream(&buf, &len);
	uint8_t *raw;
	struct decoded *d = NULL;

	*rc = export_pprof(f, p);
	fclose(f);
	if (gzlen)
		*gzlen = len;
	raw = gunzip(buf, len, &raw_len);
	if (raw)
		d = decode(raw, raw_len);
	free(raw);
	free(buf);
	return d;
}

/* Every id is nonzero and unique within its table, and every reference resolves. */
static bool ids_valid(const struct decoded *d)
{
	for (size_t i = 0; i < d->nmappings; i++)
		if (!d->mappings[i].id || mapping(d, d->mappings[i].id) != &d->mappings[i])
			return false;
	for (size_t i = 0; i < d->nfunctions; i++)
		if (!d->functions[i].id || function(d, d->functions[i].id) != &d->functions[i])
			return false;
	for (size_t i = 0; i < d->nlocations; i++) {
		const struct location *l = &d->locations[i];

		if (!l->id || location(d, l->id) != l || !mapping(d, l->mapping) || !l->nlines)
			return false;
		for (size_t j = 0; j < l->nlines; j++)
			if (!function(d, l->lines[j].func))
				return false;
	}
	for (size_t i = 0; i < d->nsamples; i++)
		for (size_t j = 0; j < d->samples[i].loc.n; j++)
			if (!location(d, d->samples[i].loc.v[j]))
				return false;
	return true;
}

static int compare_strings(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool strings_unique(const struct decoded *d)
{
	char **sorted = malloc((d->nstrings + 1) * sizeof(*sorted));
	bool unique = true;

	if (!d->nstrings) {
		free(sorted);
		return true;
	}
	memcpy(sorted, d->strings, d->nstrings * sizeof(*sorted));
	qsort(sorted, d->nstrings, sizeof(*sorted), compare_strings);
	for (size_t i = 1; i < d->nstrings; i++)
		if (!strcmp(sorted[i - 1], sorted[i]))
			unique = false;
	free(sorted);
	return unique;
}

/* ---- a small profile with every kind of frame ----------------------------- */

enum { F_MAIN, F_HELPER, F_INL, F_MEMCPY, F_SYSCALL, F_ENTRY, NFUNCS };
enum { L_INL, L_HELPER_INL, L_MAIN, L_MEMCPY, L_SYSCALL, L_ENTRY, L_HELPER, NLOCS };

#define KADDR 0xffffffff81000010ull

static struct prof_func funcs[NFUNCS] = {
    [F_MAIN] = {"main", "prog", "/usr/bin/prog", "prog.c", 0x1200, false},
    /* a C++ function: its short name shown, its full signature the system name */
    [F_HELPER] = {"helper", "prog", "/usr/bin/prog", "prog.c", 0x1100, false, "helper(int)"},
    [F_INL] = {"inl", "prog", "/usr/bin/prog", NULL, 0, false},
    [F_MEMCPY] = {"memcpy", "libc.so.6", "/lib/libc.so.6", NULL, 0x9000, false},
    [F_SYSCALL] = {"do_syscall_64", "[kernel.kallsyms]", NULL, NULL, KADDR, true},
    [F_ENTRY] = {"entry_SYSCALL_64", "[kernel.kallsyms]", NULL, NULL, 0, true},
};

static struct prof_loc locs[NLOCS] = {
    [L_INL] = {F_INL, 7, "inl.h", 0x1104, true},
    [L_HELPER_INL] = {F_HELPER, 20, "prog.c", 0x1104, false},
    [L_MAIN] = {F_MAIN, 30, "prog.c", 0x1234, false},
    [L_MEMCPY] = {F_MEMCPY, 0, NULL, 0x9010, false},
    [L_SYSCALL] = {F_SYSCALL, 0, NULL, KADDR, false},
    [L_ENTRY] = {F_ENTRY, 0, NULL, 0xffffffff81000100ull, false},
    [L_HELPER] = {F_HELPER, 22, "prog.c", 0x1150, false},
};

static uint32_t frames[] = {
    L_INL,     L_HELPER_INL, L_MAIN,			 /* 0: inlined leaf */
    L_MEMCPY,  L_HELPER,     L_MAIN,			 /* 3: a library call */
    L_SYSCALL, L_ENTRY,	     L_MEMCPY, L_HELPER, L_MAIN, /* 6: in the kernel */
    L_INL,     L_HELPER_INL, L_MAIN,			 /* 11: stack 0 in another thread */
    L_INL,						 /* 14: unwinding stopped in inl */
};

static struct prof_stack stacks[] = {
    {0, 3, 100, 100, "prog", 3, 3000000},   {3, 3, 100, 101, "worker", 2, 2000000},
    {6, 5, 100, 101, "worker", 1, 1000000}, {11, 3, 100, 102, "prog", 4, 4000000},
    {14, 1, 100, 100, "prog", 1, 1000000},
};

static struct profile prof = {
    .funcs = funcs,
    .nfuncs = NFUNCS,
    .locs = locs,
    .nlocs = NLOCS,
    .stacks = stacks,
    .nstacks = ARRAY_SIZE(stacks),
    .frames = frames,
    .nframes = ARRAY_SIZE(frames),
    .samples = 11,
    .weight = 11000000,
    .event = "cpu-clock",
    .weight_unit = "nanoseconds",
    .title = "prog --fast",
    .time_start = 5000000000ull,
    .time_end = 5011000000ull,
    .period = 1000000,
    .realtime_start = 1700000000123456789ull,
};

static void small(void)
{
	size_t gzlen = 0;
	int rc;
	struct decoded *d = roundtrip(&prof, &rc, &gzlen);
	const struct sample *s;
	const struct location *l;
	const struct mapping *m;

	is_int(rc, 0, "small: export succeeds");
	ok(d && !d->bad, "small: gunzips and decodes");
	if (!d || d->bad) {
		decoded_free(d);
		return;
	}
	ok(d->nstrings && !strcmp(d->strings[0], ""), "string_table[0] is \"\"");
	ok(strings_unique(d), "every string once in the table (%zu strings)", d->nstrings);
	ok(ids_valid(d), "ids are nonzero and unique, references resolve");

	is_int(d->nsample_types, 2, "two sample types");
	is_str(str(d, d->sample_type[0].type), "samples", "sample type 0: samples");
	is_str(str(d, d->sample_type[0].unit), "count", "sample type 0: count");
	is_str(str(d, d->sample_type[1].type), "cpu", "a clock event: cpu");
	is_str(str(d, d->sample_type[1].unit), "nanoseconds", "a clock event: nanoseconds");
	is_str(str(d, d->period_type.type), "cpu", "period type");
	is_str(str(d, d->period_type.unit), "nanoseconds", "period unit");
	is_int((long long)d->period, 1000000, "period");
	is_int((long long)d->time_nanos, 1700000000123456789ll, "time_nanos: wall-clock start");
	is_int((long long)d->duration_nanos, 11000000, "duration_nanos");
	ok(d->comment.n == 1 && !strcmp(str(d, d->comment.v[0]), "prog --fast"),
	   "the command line is a comment");

	is_int(d->nsamples, 5, "one sample per stack");
	if (d->nsamples != 5) {
		decoded_free(d);
		return;
	}
	s = &d->samples[0];
	ok(s->loc.packed && s->value.packed, "location ids and values are packed");
	ok(s->value.n == 2 && s->value.v[0] == 3 && s->value.v[1] == 3000000,
	   "values: samples and weight");
	is_int(s->loc.n, 2, "inlined leaf: 3 locs make 2 locations");
	l = location(d, s->loc.v[0]);
	ok(l && l->nlines == 2, "the leaf location has two lines");
	is_str(line_func(d, s->loc.v[0], 0), "inl", "line 0 is the inlined function");
	is_str(line_func(d, s->loc.v[0], 1), "helper", "line 1 is its caller");
	ok(l && l->lines[0].line == 7 && l->lines[1].line == 20, "line numbers of both");
	ok(l && l->address == 0x1104, "the location's address");
	is_str(line_func(d, s->loc.v[1], 0), "main", "then main");
	is_str(label_str(d, s, "thread"), "prog", "thread label");
	is_int(label_num(d, s, "pid"), 100, "pid label");
	is_int(label_num(d, s, "tid"), 100, "tid label");

	s = &d->samples[1];
	ok(s->loc.n == 3 && s->value.v[0] == 2 && s->value.v[1] == 2000000, "library stack");
	is_str(line_func(d, s->loc.v[0], 0), "memcpy", "leaf first");
	is_str(line_func(d, s->loc.v[1], 0), "helper", "then its caller");
	ok(location(d, s->loc.v[1]) && location(d, s->loc.v[1])->nlines == 1,
	   "a call that is not inlined has one line");
	ok(s->loc.v[2] == d->samples[0].loc.v[1], "main's location is shared between stacks");
	m = location(d, s->loc.v[0]) ? mapping(d, location(d, s->loc.v[0])->mapping) : NULL;
	ok(m && !strcmp(str(d, m->filename), "/lib/libc.so.6"), "memcpy is in libc's mapping");
	ok(m && m->has[0] && !m->has[1] && !m->has[2] && !m->has[3],
	   "libc: functions, no files, lines or inline frames");
	is_str(label_str(d, s, "thread"), "worker", "second thread's name");
	is_int(label_num(d, s, "tid"), 101, "second thread's tid");

	s = &d->samples[2];
	ok(s->loc.n == 5, "kernel stack: 5 locations");
	is_str(line_func(d, s->loc.v[0], 0), "do_syscall_64", "kernel leaf");
	l = location(d, s->loc.v[0]);
	ok(l && l->address == KADDR, "kernel address");
	m = l ? mapping(d, l->mapping) : NULL;
	ok(m && !strcmp(str(d, m->filename), "[kernel.kallsyms]"), "kernel mapping");
	ok(s->loc.v[1] != s->loc.v[0] && location(d, s->loc.v[1]) &&
	       location(d, s->loc.v[1])->mapping == l->mapping,
	   "both kernel functions share one mapping");
	ok(s->loc.v[2] == d->samples[1].loc.v[0] && s->loc.v[4] == d->samples[1].loc.v[2],
	   "user part shared with the library stack");

	s = &d->samples[3];
	ok(s->loc.n == 2 && s->loc.v[0] == d->samples[0].loc.v[0] &&
	       s->loc.v[1] == d->samples[0].loc.v[1],
	   "same stack in another thread: same locations");
	is_int(label_num(d, s, "tid"), 102, "its own tid");

	s = &d->samples[4];
	ok(s->loc.n == 1 && s->loc.v[0] != d->samples[0].loc.v[0], "a lone inlined loc");
	l = location(d, s->loc.v[0]);
	ok(l && l->nlines == 1, "is a location of its own, with one line");

	is_int(d->nlocations, 7, "locations: one per distinct folded chain");
	is_int(d->nfunctions, NFUNCS, "one function per prof_func");
	is_int(d->nmappings, 3, "mappings: the program, libc and the kernel");
	for (size_t i = 0; i < d->nfunctions; i++) {
		const struct function *fn = &d->functions[i];

		if (!strcmp(str(d, fn->name), "helper")) {
			is_str(str(d, fn->system_name), "helper(int)",
			       "a C++ function's system name is its full signature");
		} else if (fn->name != fn->system_name || fn->start_line) {
			ok(false, "function %zu: system_name is name", i);
			break;
		}
		if (!strcmp(str(d, fn->name), "inl"))
			is_str(str(d, fn->filename), "inl.h", "a function's file from its lines");
		if (!strcmp(str(d, fn->name), "main"))
			is_str(str(d, fn->filename), "prog.c", "a function's own file");
		if (!strcmp(str(d, fn->name), "memcpy"))
			is_str(str(d, fn->filename), "", "no file: the empty string");
	}
	l = location(d, d->samples[0].loc.v[0]);
	m = l ? mapping(d, l->mapping) : NULL;
	ok(m && !strcmp(str(d, m->filename), "/usr/bin/prog"), "the program's mapping is its path");
	ok(m && m->has[0] && m->has[1] && m->has[2] && m->has[3],
	   "the program: functions, files, lines, inline frames");
	ok(m && !m->start && !m->limit, "memory range left 0");
	ok(gzlen > 18 && gzlen < 2000, "gzipped (%zu bytes)", gzlen);
	decoded_free(d);

	if (getenv("TEST_PPROF_OUT")) {
		FILE *f = fopen(getenv("TEST_PPROF_OUT"), "w");

		if (f) {
			export_pprof(f, &prof);
			fclose(f);
		}
	}
}

static void event_units(void)
{
	struct profile p = prof;
	struct decoded *d;
	int rc;

	p.event = "page-faults";
	p.weight_unit = "events";
	p.title = NULL;
	p.realtime_start = 0;
	d = roundtrip(&p, &rc, NULL);
	ok(!rc && d && !d->bad, "events: exports and decodes");
	if (d && !d->bad && d->nsample_types == 2) {
		is_str(str(d, d->sample_type[1].type), "page-faults", "events: the event's name");
		is_str(str(d, d->sample_type[1].unit), "count", "events: counted");
		is_str(str(d, d->period_type.type), "page-faults", "events: period type");
		ok(!d->time_nanos && !d->comment.n, "no start time or title: left out");
	}
	decoded_free(d);
}

/* The program's mapping comes first, even when libraries and the kernel come first in the profile.
 */
static void main_first(void)
{
	struct prof_func fn[] = {
	    {"_dl_start", "ld-linux-x86-64.so.2", "/lib/ld-linux-x86-64.so.2", NULL, 0, false},
	    {"do_syscall_64", "[kernel.kallsyms]", NULL, NULL, 0, true},
	    {"clock_gettime", "[vdso]", NULL, NULL, 0, false},
	    {"memcpy", "libc.so.6", "/lib/libc.so.6", NULL, 0, false},
	    {"main", "prog", "/usr/bin/prog", NULL, 0, false},
	};
	struct prof_loc lc[] = {{0, 0, NULL, 0x10, false},
				{1, 0, NULL, KADDR, false},
				{2, 0, NULL, 0x20, false},
				{3, 0, NULL, 0x30, false},
				{4, 0, NULL, 0x40, false}};
	uint32_t fr[] = {1, 2, 3, 4, 0};
	struct prof_stack st = {0, 5, 7, 7, "prog", 1, 1};
	struct profile p = {.funcs = fn,
			    .nfuncs = 5,
			    .locs = lc,
			    .nlocs = 5,
			    .stacks = &st,
			    .nstacks = 1,
			    .frames = fr,
			    .nframes = 5,
			    .event = "cpu-clock",
			    .weight_unit = "nanoseconds"};
	struct decoded *d;
	int rc;

	d = roundtrip(&p, &rc, NULL);
	ok(!rc && d && !d->bad && ids_valid(d), "main first: exports and decodes");
	if (d && !d->bad && d->nsamples == 1 && d->samples[0].loc.n == 5) {
		const struct mapping *m = mapping(d, 1);
		const struct location *l;

		is_int(d->nmappings, 5, "main first: five mappings");
		ok(m && !strcmp(str(d, m->filename), "/usr/bin/prog"), "main first: mapping 1");
		l = location(d, d->samples[0].loc.v[3]);
		ok(l && l->mapping == 1, "main first: main's location is in it");
		l = location(d, d->samples[0].loc.v[4]);
		m = l ? mapping(d, l->mapping) : NULL;
		ok(m && !strcmp(str(d, m->filename), "/lib/ld-linux-x86-64.so.2"),
		   "main first: the loader's location is in the loader's mapping");
	}
	decoded_free(d);
}

/* The function named `name` whose file is `file`, or NULL. */
static const struct function *function_in(const struct decoded *d, const char *name,
					  const char *file)
{
	for (size_t i = 0; i < d->nfunctions; i++)
		if (!strcmp(str(d, d->functions[i].name), name) &&
		    !strcmp(str(d, d->functions[i].filename), file))
			return &d->functions[i];
	return NULL;
}

/*
 * A profile with the mappings frames were in: a library seen first, the
 * program mapped in two processes at two addresses, a kernel frame; and
 * code of a function inlined from a header, without inline frames.
 */
static void mapped(void)
{
	enum { M_LIBC, M_PROG1, M_PROG2, NMAPS };
	struct prof_func fn[] = {
	    {"memcpy", "libc.so.6", "/lib/libc.so.6", NULL, 0x26000, false},
	    {"helper", "prog", "/usr/bin/prog", "prog.c", 0x1100, false},
	    {"main", "prog", "/usr/bin/prog", "prog.c", 0x1200, false},
	    {"do_syscall_64", "[kernel.kallsyms]", NULL, NULL, KADDR, true},
	};
	struct prof_loc lc[] = {
	    {0, 0, NULL, 0x26010, false},    {1, 22, "prog.c", 0x1150, false},
	    {2, 30, "prog.c", 0x1234, false}, {3, 0, NULL, KADDR, false},
	    {2, 7, "inl.h", 0x1260, false}, /* main's code from a header's inline function */
	};
	struct prof_map maps[NMAPS] = {
	    [M_LIBC] = {"/lib/libc.so.6", "libc.so.6", "aa01", 0x7f0000026000, 0x7f000017c000,
			0x26000},
	    [M_PROG1] = {"/usr/bin/prog", "prog", "bb02", 0x555500001000, 0x555500002000, 0x1000},
	    [M_PROG2] = {"/usr/bin/prog", "prog", "bb02", 0x566600001000, 0x566600002000, 0x1000},
	};
	uint32_t fr[] = {0, 1, 2, /* pid 1 */ 1, 2, /* pid 2 */ 3, 4 /* pid 1 */};
	struct prof_at at[] = {
	    {0x7f0000026010, M_LIBC},
	    {0x555500001150, M_PROG1},
	    {0x555500001234, M_PROG1},
	    {0x566600001150, M_PROG2},
	    {0x566600001234, M_PROG2},
	    {KADDR, PROF_NO_MAP},
	    {0x555500001260, M_PROG1},
	};
	struct prof_stack st[] = {
	    {0, 3, 1, 1, "prog", 1, 1}, {3, 2, 2, 2, "prog", 2, 2}, {5, 2, 1, 1, "prog", 3, 3}};
	struct profile p = {.funcs = fn,
			    .nfuncs = ARRAY_SIZE(fn),
			    .locs = lc,
			    .nlocs = ARRAY_SIZE(lc),
			    .stacks = st,
			    .nstacks = ARRAY_SIZE(st),
			    .frames = fr,
			    .nframes = ARRAY_SIZE(fr),
			    .frame_at = at,
			    .maps = maps,
			    .nmaps = NMAPS,
			    .event = "cpu-clock",
			    .weight_unit = "nanoseconds"};
	const struct mapping *m;
	const struct location *l, *l2;
	const struct function *f;
	struct decoded *d;
	bool within = true;
	int rc;

	d = roundtrip(&p, &rc, NULL);
	ok(!rc && d && !d->bad && ids_valid(d), "mapped: exports and decodes");
	if (!d || d->bad || d->nsamples != 3 || d->nmappings != 4 || d->samples[0].loc.n != 3 ||
	    d->samples[1].loc.n != 2 || d->samples[2].loc.n != 2) {
		ok(false, "mapped: 3 samples, 4 mappings (the kernel's too)");
		decoded_free(d);
		return;
	}
	m = &d->mappings[0];
	ok(m->id == 1 && !strcmp(str(d, m->filename), "/usr/bin/prog") &&
	       m->start == 0x555500001000 && m->limit == 0x555500002000 && m->offset == 0x1000 &&
	       !strcmp(str(d, m->build_id), "bb02"),
	   "mapped: the program's first mapping is first: its range, offset and build-id");
	m = &d->mappings[1];
	ok(!strcmp(str(d, m->filename), "/lib/libc.so.6") && m->start == 0x7f0000026000 &&
	       m->limit == 0x7f000017c000 && m->offset == 0x26000 &&
	       !strcmp(str(d, m->build_id), "aa01"),
	   "mapped: then libc, as it came");
	m = &d->mappings[2];
	ok(!strcmp(str(d, m->filename), "/usr/bin/prog") && m->start == 0x566600001000 &&
	       !strcmp(str(d, m->build_id), "bb02"),
	   "mapped: the program in the other process: a mapping of its own");
	m = &d->mappings[3];
	ok(!strcmp(str(d, m->filename), "[kernel.kallsyms]") && !m->start && !m->limit &&
	       !m->build_id,
	   "mapped: the kernel's mapping, without a range or build-id");
	for (size_t i = 0; i < d->nlocations; i++) {
		l = &d->locations[i];
		m = mapping(d, l->mapping);
		if (m && m->limit && (l->address < m->start || l->address >= m->limit))
			within = false;
	}
	ok(within, "mapped: every address is within its mapping's range");
	l = location(d, d->samples[0].loc.v[0]);
	ok(l && l->address == 0x7f0000026010 && l->mapping == 2,
	   "mapped: a location's address is the frame's in its process");
	l = location(d, d->samples[0].loc.v[1]);
	l2 = location(d, d->samples[1].loc.v[0]);
	ok(l && l2 && l != l2 && l->address == 0x555500001150 && l->mapping == 1 &&
	       l2->address == 0x566600001150 && l2->mapping == 3,
	   "mapped: one address of the object in two processes: two locations");
	ok(l && l2 && l->nlines == 1 && l2->nlines == 1 && l->lines[0].func == l2->lines[0].func &&
	       l->lines[0].line == 22,
	   "mapped: with the same function and line");
	l = location(d, d->samples[2].loc.v[0]);
	ok(l && l->address == KADDR && l->mapping == 4, "mapped: the kernel's address");
	l = location(d, d->samples[2].loc.v[1]);
	f = l && l->nlines == 1 ? function(d, l->lines[0].func) : NULL;
	ok(f && !strcmp(str(d, f->name), "main") && !strcmp(str(d, f->filename), "inl.h") &&
	       l->lines[0].line == 7,
	   "mapped: a line in another file than its function's: a function in that file");
	ok(function_in(d, "main", "prog.c") && function_in(d, "main", "inl.h") &&
	       function_in(d, "helper", "prog.c") && function_in(d, "memcpy", ""),
	   "mapped: main in both files, helper and memcpy once");
	is_int(d->nfunctions, 5, "mapped: five functions");
	m = &d->mappings[0];
	ok(m->has[0] && m->has[1] && m->has[2] && !m->has[3],
	   "mapped: the program: functions, files, lines, no inline frames");
	m = &d->mappings[1];
	ok(m->has[0] && !m->has[1] && !m->has[2] && !m->has[3], "mapped: libc: functions only");
	decoded_free(d);

	at[1].map = NMAPS;
	d = roundtrip(&p, &rc, NULL);
	is_int(rc, -EINVAL, "mapped: a frame's mapping out of range: EINVAL");
	decoded_free(d);
}

static void empty(void)
{
	struct profile p = {.event = "cpu-clock", .weight_unit = "nanoseconds"};
	struct decoded *d;
	int rc;

	d = roundtrip(&p, &rc, NULL);
	is_int(rc, 0, "empty: export succeeds");
	ok(d && !d->bad, "empty: gunzips and decodes");
	if (d && !d->bad) {
		ok(!d->nsamples && !d->nlocations && !d->nfunctions && !d->nmappings,
		   "empty: no samples, locations, functions or mappings");
		is_int(d->nsample_types, 2, "empty: still two sample types");
		ok(d->nstrings && !strcmp(d->strings[0], ""), "empty: string_table[0] is \"\"");
		ok(!d->duration_nanos, "empty: no duration");
	}
	decoded_free(d);
}

/* Many functions with names that do not compress: several gzip buffers of output. */
static void large(void)
{
	enum { N = 20000 };
	struct prof_func *fn = calloc(N, sizeof(*fn));
	struct prof_loc *lc = calloc(N, sizeof(*lc));
	struct prof_stack *st = calloc(N, sizeof(*st));
	uint32_t *fr = calloc(2 * N, sizeof(*fr));
	char(*names)[24] = calloc(N, sizeof(*names));
	struct profile p = {.funcs = fn,
			    .nfuncs = N,
			    .locs = lc,
			    .nlocs = N,
			    .stacks = st,
			    .nstacks = N,
			    .frames = fr,
			    .nframes = 2 * N,
			    .event = "cycles",
			    .weight_unit = "events"};
	uint64_t x = 88172645463325252ull, total = 0;
	size_t gzlen = 0;
	struct decoded *d;
	int rc;

	for (uint32_t i = 0; i < N; i++) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		snprintf(names[i], sizeof(names[i]), "f%016llx", (unsigned long long)x);
		fn[i] = (struct prof_func){.name = names[i], .dso = "big", .path = "/big"};
		lc[i] = (struct prof_loc){.func = i, .addr = 0x1000 + i};
		fr[2 * i] = i;
		fr[2 * i + 1] = 0;
		st[i] = (struct prof_stack){2 * i, 2, 1, 1, "big", 1, i + 1ull};
	}
	d = roundtrip(&p, &rc, &gzlen);
	is_int(rc, 0, "large: export succeeds");
	ok(gzlen > 3 * 65536, "large: more than a few gzip buffers (%zu bytes)", gzlen);
	ok(d && !d->bad, "large: gunzips and decodes");
	if (d && !d->bad) {
		is_int(d->nsamples, N, "large: every sample");
		is_int(d->nlocations, N, "large: every location");
		is_int(d->nfunctions, N, "large: every function");
		is_int(d->nmappings, 1, "large: one mapping");
		ok(strings_unique(d), "large: strings unique");
		for (size_t i = 0; i < d->nsamples; i++)
			total += d->samples[i].value.v[1];
		is_int((long long)total, (long long)N * (N + 1) / 2, "large: weights add up");
		is_str(line_func(d, d->samples[N - 1].loc.v[0], 0), names[N - 1],
		       "large: the last sample's leaf");
	}
	decoded_free(d);
	free(fn);
	free(lc);
	free(st);
	free(fr);
	free(names);
}

static void errors(void)
{
	struct profile p = prof;
	struct prof_loc bad_locs[NLOCS];
	struct prof_stack bad_stack = stacks[0];
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	memcpy(bad_locs, locs, sizeof(locs));
	bad_locs[L_MAIN].func = NFUNCS;
	p.locs = bad_locs;
	is_int(export_pprof(f, &p), -EINVAL, "a loc's function out of range: EINVAL");
	p = prof;
	bad_stack.first = ARRAY_SIZE(frames) - 1;
	p.stacks = &bad_stack;
	p.nstacks = 1;
	is_int(export_pprof(f, &p), -EINVAL, "a stack past the frames: EINVAL");
	fclose(f);
	is_int(len, 0, "nothing written for a bad profile");
	free(buf);

	f = fopen("/dev/full", "w");
	if (f) {
		setvbuf(f, NULL, _IONBF, 0);
		is_int(export_pprof(f, &prof), -ENOSPC, "a full disk: ENOSPC");
		fclose(f);
	} else {
		ok(true, "# SKIP no /dev/full");
	}
}

int main(void)
{
	small();
	event_units();
	main_first();
	mapped();
	empty();
	large();
	errors();
	return done_testing();
}
