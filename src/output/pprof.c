// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * pprof export: the profile as a gzipped profile.proto message, the format
 * `go tool pprof` reads. A small protobuf encoder of our own (varints and
 * length-delimited fields are all profile.proto needs) feeds zlib's gzip
 * stream one top-level field at a time, so memory stays at the size of the
 * largest sample, location or function rather than of the whole file.
 *
 * The mapping from the profile:
 *   sample_type   [samples/count, EVENT/UNIT]: one value per sample count and
 *                 one per summed weight; clock events are "cpu"/"nanoseconds"
 *                 as in Go's own CPU profiles, other events "EVENT"/"count";
 *                 a recording with off-CPU samples (or a time view) has
 *                 [samples/count, cpu/nanoseconds, off-cpu/nanoseconds,
 *                 wall/nanoseconds] instead, default_sample_type the view's,
 *                 so that -sample_index picks one
 *   Sample        one per prof_stack: location ids leaf first, labels
 *                 thread (comm), pid and tid
 *   Location      one per distinct chain of locs at one address of one
 *                 mapping: the inlined locs and the loc they are inlined
 *                 into fold into one Location whose lines list the
 *                 innermost function first; its address is the frame's in
 *                 its process (frame_at), within its mapping's range
 *   Function      one per prof_func and file of its lines: a line's number
 *                 is in the Function's file, and without inline frames the
 *                 code of a function inlined from another file has its line
 *                 there
 *   Mapping       one per mapping of the profile (object and range), with
 *                 its file offset, path and build-id; one per object for
 *                 frames without one: the kernel's "[kernel.kallsyms]",
 *                 "[unknown]", "[off-cpu]", which have no range. The
 *                 program's comes first (pprof's "File:"). Every location
 *                 is named, so has_functions is set; has_filenames,
 *                 has_line_numbers and has_inline_frames where the
 *                 mapping's locations have them
 * Every id starts at 1: pprof rejects id 0.
 */
#include "output/export.h"
#include "util/alloc.h"
#include "util/hash.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define ZLIB_CONST
#include <zlib.h>

enum { WIRE_VARINT = 0, WIRE_LEN = 2 };

/* field numbers of profile.proto (package perftools.profiles) */
enum {
	PROFILE_SAMPLE_TYPE = 1,
	PROFILE_SAMPLE = 2,
	PROFILE_MAPPING = 3,
	PROFILE_LOCATION = 4,
	PROFILE_FUNCTION = 5,
	PROFILE_STRING_TABLE = 6,
	PROFILE_TIME_NANOS = 9,
	PROFILE_DURATION_NANOS = 10,
	PROFILE_PERIOD_TYPE = 11,
	PROFILE_PERIOD = 12,
	PROFILE_COMMENT = 13,
	PROFILE_DEFAULT_SAMPLE_TYPE = 14,
};
enum { VALUE_TYPE_TYPE = 1, VALUE_TYPE_UNIT = 2 };
enum { SAMPLE_LOCATION_ID = 1, SAMPLE_VALUE = 2, SAMPLE_LABEL = 3 };
enum { LABEL_KEY = 1, LABEL_STR = 2, LABEL_NUM = 3 };
enum {
	MAPPING_ID = 1,
	MAPPING_MEMORY_START = 2,
	MAPPING_MEMORY_LIMIT = 3,
	MAPPING_FILE_OFFSET = 4,
	MAPPING_FILENAME = 5,
	MAPPING_BUILD_ID = 6,
	MAPPING_HAS_FUNCTIONS = 7,
	MAPPING_HAS_FILENAMES = 8,
	MAPPING_HAS_LINE_NUMBERS = 9,
	MAPPING_HAS_INLINE_FRAMES = 10,
};
enum { LOCATION_ID = 1, LOCATION_MAPPING_ID = 2, LOCATION_ADDRESS = 3, LOCATION_LINE = 4 };
enum { LINE_FUNCTION_ID = 1, LINE_LINE = 2 };
enum { FUNCTION_ID = 1, FUNCTION_NAME = 2, FUNCTION_SYSTEM_NAME = 3, FUNCTION_FILENAME = 4 };

#define KERNEL_OBJECT "[kernel.kallsyms]"

/* ---- protobuf encoding into a growing buffer ---------------------------- */

struct pb {
	uint8_t *data;
	size_t len, alloc;
};

static size_t varint_encode(uint8_t *out, uint64_t v)
{
	size_t n = 0;

	while (v >= 0x80) {
		out[n++] = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	out[n++] = (uint8_t)v;
	return n;
}

static void pb_raw(struct pb *b, const void *data, size_t len)
{
	if (!len)
		return;
	xgrow(&b->data, &b->alloc, b->len + len, 1);
	memcpy(b->data + b->len, data, len);
	b->len += len;
}

static void pb_varint(struct pb *b, uint64_t v)
{
	uint8_t tmp[10];

	pb_raw(b, tmp, varint_encode(tmp, v));
}

static void pb_tag(struct pb *b, unsigned int field, unsigned int wire)
{
	pb_varint(b, (uint64_t)field << 3 | wire);
}

/*
 * An integer or bool field. Zero is the default of every such field in
 * proto3, and readers take a missing field as zero, so it is left out.
 */
static void pb_uint(struct pb *b, unsigned int field, uint64_t v)
{
	if (!v)
		return;
	pb_tag(b, field, WIRE_VARINT);
	pb_varint(b, v);
}

static void pb_bytes(struct pb *b, unsigned int field, const void *data, size_t len)
{
	pb_tag(b, field, WIRE_LEN);
	pb_varint(b, len);
	pb_raw(b, data, len);
}

/* A packed repeated integer field: one length, then the varints, zeros included. */
static void pb_packed(struct pb *b, unsigned int field, const uint64_t *v, size_t n)
{
	uint8_t tmp[10];
	size_t len = 0;

	for (size_t i = 0; i < n; i++)
		len += varint_encode(tmp, v[i]);
	pb_tag(b, field, WIRE_LEN);
	pb_varint(b, len);
	for (size_t i = 0; i < n; i++)
		pb_varint(b, v[i]);
}

/* ---- the gzip stream ------------------------------------------------------ */

struct gz {
	z_stream zs;
	FILE *out;
	uint8_t buf[1 << 16];
};

static int gz_init(struct gz *g, FILE *out)
{
	g->out = out;
	switch (deflateInit2(&g->zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 16 + MAX_WBITS, 8,
			     Z_DEFAULT_STRATEGY)) {
	case Z_OK:
		return 0;
	case Z_MEM_ERROR:
		return -ENOMEM;
	default:
		return -EINVAL;
	}
}

/* Deflates `len` bytes with `flush` (Z_NO_FLUSH, or Z_FINISH to end the stream). */
static int gz_write(struct gz *g, const void *data, size_t len, int flush)
{
	const uint8_t *p = data;

	do {
		/* avail_in is 32 bits wide: feed very long strings in pieces */
		size_t piece = len > (1u << 30) ? 1u << 30 : len;
		int f = piece == len ? flush : Z_NO_FLUSH;
		int rc;

		g->zs.next_in = p;
		g->zs.avail_in = (uInt)piece;
		do {
			size_t have;

			g->zs.next_out = g->buf;
			g->zs.avail_out = sizeof(g->buf);
			rc = deflate(&g->zs, f);
			if (rc == Z_STREAM_ERROR)
				return -EINVAL;
			have = sizeof(g->buf) - g->zs.avail_out;
			errno = 0;
			if (have && fwrite(g->buf, 1, have, g->out) != have)
				return errno ? -errno : -EIO;
		} while (g->zs.avail_out == 0 || (f == Z_FINISH && rc != Z_STREAM_END));
		p += piece;
		len -= piece;
	} while (len);
	return 0;
}

/* ---- the writer ----------------------------------------------------------- */

/* A pprof Location: `n` consecutive frames of p->frames, inlined locs first, at one address. */
struct chain {
	size_t first, n;
	uint32_t map; /* index into the writer's maps */
	uint64_t addr;
};

/* A pprof Mapping: one of the profile's mappings, or an object without one (the kernel). */
struct mapping {
	const char *file;
	const char *build_id; /* or NULL */
	uint64_t start, limit, offset;
	bool files, lines, inlines;
};

/* A pprof Function: a function of the profile with the file its lines are in. */
struct function {
	uint32_t func, pad; /* a hash key: no padding of unknown bytes */
	uint64_t file;	    /* string table index */
};

struct writer {
	const struct profile *p;
	struct gz gz;
	struct pb msg; /* the top-level field being built */
	struct pb sub; /* a message nested in it (a Label, a Line, a ValueType) */

	struct hash str_index;
	const char **strs; /* the string table; they point into the profile or are literals */
	size_t nstrs, strs_alloc;

	struct hash chain_index; /* keyed by mapping, address and the chain's loc ids */
	struct chain *chains;
	size_t nchains, chains_alloc;
	uint8_t *key; /* a chain's key */
	size_t key_alloc;

	struct hash map_index; /* objects without a mapping, by name */
	uint32_t *map_of;      /* the writer's mapping of each of p->maps, or UINT32_MAX */
	struct mapping *maps;
	size_t nmaps, maps_alloc;

	struct hash func_index; /* keyed by function and file */
	struct function *funcs;
	size_t nfuncs, funcs_alloc;
	const char **func_file; /* source file of each prof_func, or NULL */

	uint64_t *ids; /* the location ids of the sample being written */
	size_t ids_alloc;
};

/* The string table index of s; NULL is the empty string, index 0. */
static uint64_t intern(struct writer *w, const char *s)
{
	int added;
	size_t i;

	if (!s)
		return 0;
	i = hash_get(&w->str_index, s, strlen(s), w->nstrs, &added);
	if (added) {
		xgrow(&w->strs, &w->strs_alloc, w->nstrs + 1, sizeof(*w->strs));
		w->strs[w->nstrs++] = s;
	}
	return i;
}

/* Writes w->msg as top-level field `field` of the Profile, and empties it. */
static int emit(struct writer *w, unsigned int field)
{
	uint8_t head[20];
	size_t n;
	int rc;

	n = varint_encode(head, (uint64_t)field << 3 | WIRE_LEN);
	n += varint_encode(head + n, w->msg.len);
	rc = gz_write(&w->gz, head, n, Z_NO_FLUSH);
	if (!rc)
		rc = gz_write(&w->gz, w->msg.data, w->msg.len, Z_NO_FLUSH);
	w->msg.len = 0;
	return rc;
}

/* Appends the nested message w->sub to w->msg as `field`, and empties it. */
static void put_sub(struct writer *w, unsigned int field)
{
	pb_bytes(&w->msg, field, w->sub.data, w->sub.len);
	w->sub.len = 0;
}

static void put_value_type(struct writer *w, unsigned int field, uint64_t type, uint64_t unit)
{
	pb_uint(&w->sub, VALUE_TYPE_TYPE, type);
	pb_uint(&w->sub, VALUE_TYPE_UNIT, unit);
	put_sub(w, field);
}

/* The profile is trusted, but a bad index would read out of bounds: refuse it. */
static int check(const struct profile *p)
{
	for (size_t i = 0; i < p->nlocs; i++)
		if (p->locs[i].func >= p->nfuncs)
			return -EINVAL;
	for (size_t i = 0; i < p->nframes; i++)
		if (p->frames[i] >= p->nlocs || (p->frame_at && p->frame_at[i].map != PROF_NO_MAP &&
						 p->frame_at[i].map >= p->nmaps))
			return -EINVAL;
	for (size_t i = 0; i < p->nstacks; i++) {
		const struct prof_stack *s = &p->stacks[i];

		if (!s->depth || s->first > p->nframes || s->depth > p->nframes - s->first)
			return -EINVAL;
	}
	return 0;
}

static const char *object_name(const struct prof_func *f)
{
	if (f->kernel)
		return KERNEL_OBJECT;
	if (f->path)
		return f->path;
	return f->dso ? f->dso : "[unknown]";
}

/* A shared library's name: "libc.so.6", "libfoo.so", "libbar.so_1" */
static bool is_library(const char *name)
{
	for (const char *so = strstr(name, ".so"); so; so = strstr(so + 1, ".so")) {
		if (!so[3] || ((so[3] == '.' || so[3] == '_') && so[4] >= '0' && so[4] <= '9'))
			return true;
	}
	return false;
}

/* Each function's source file: its own, or that of its first loc with one. */
static void index_files(struct writer *w)
{
	const struct profile *p = w->p;

	w->func_file = xcalloc(p->nfuncs ? p->nfuncs : 1, sizeof(*w->func_file));
	for (size_t i = 0; i < p->nfuncs; i++)
		w->func_file[i] = p->funcs[i].file;
	for (size_t i = 0; i < p->nlocs; i++) {
		const struct prof_loc *l = &p->locs[i];

		if (!w->func_file[l->func])
			w->func_file[l->func] = l->file;
	}
}

/*
 * The file a loc's line is in: the loc's own, which is not always its
 * function's (code of a function inlined from a header, when inlined
 * functions are not frames of their own).
 */
static const char *line_file(const struct writer *w, const struct prof_loc *l)
{
	return l->file ? l->file : w->func_file[l->func];
}

static uint32_t add_mapping(struct writer *w, const struct mapping *m)
{
	xgrow(&w->maps, &w->maps_alloc, w->nmaps + 1, sizeof(*w->maps));
	w->maps[w->nmaps] = *m;
	return (uint32_t)w->nmaps++;
}

/* The mapping of frame i of p->frames: its own, else one for its function's object. */
static uint32_t mapping_of(struct writer *w, size_t i)
{
	const struct profile *p = w->p;
	uint32_t pm = p->frame_at ? p->frame_at[i].map : PROF_NO_MAP;
	const char *name;
	int added;
	size_t m;

	if (pm != PROF_NO_MAP) {
		if (w->map_of[pm] == UINT32_MAX) {
			const struct prof_map *pmap = &p->maps[pm];
			struct mapping mp = {.file = pmap->path ? pmap->path : pmap->dso,
					     .build_id = pmap->build_id,
					     .start = pmap->start,
					     .limit = pmap->limit,
					     .offset = pmap->offset};

			w->map_of[pm] = add_mapping(w, &mp);
		}
		return w->map_of[pm];
	}
	name = object_name(&p->funcs[p->locs[p->frames[i]].func]);
	m = hash_get(&w->map_index, name, strlen(name), w->nmaps, &added);
	if (added) {
		struct mapping mp = {.file = name};

		add_mapping(w, &mp);
	}
	return (uint32_t)m;
}

/*
 * pprof names its first mapping as the profile's "File:", and does not look
 * for the program itself in a profile.proto file (only in legacy formats):
 * put first the first mapping that is neither of a library nor of a
 * [pseudo] object, the others in their order.
 */
static void main_mapping_first(struct writer *w)
{
	size_t main;
	struct mapping first;

	for (main = 0; main < w->nmaps; main++) {
		const char *file = w->maps[main].file;

		if (file[0] && file[0] != '[' && !is_library(file))
			break;
	}
	if (!main || main == w->nmaps)
		return;
	first = w->maps[main];
	memmove(w->maps + 1, w->maps, main * sizeof(*w->maps));
	w->maps[0] = first;
	for (size_t i = 0; i < w->nchains; i++) {
		struct chain *c = &w->chains[i];

		c->map = c->map == main ? 0 : c->map < main ? c->map + 1 : c->map;
	}
}

/*
 * The Location id of frames [first, first + n) of p->frames: a chain of
 * locs at one address (all of them from one frame of the recording).
 */
static uint64_t location_id(struct writer *w, size_t first, size_t n)
{
	const struct profile *p = w->p;
	size_t last = first + n - 1, len = 16 + n * sizeof(*p->frames);
	uint32_t m = mapping_of(w, last);
	uint64_t addr = p->frame_at ? p->frame_at[last].addr : p->locs[p->frames[last]].addr;
	int added;
	size_t i;

	xgrow(&w->key, &w->key_alloc, len, 1);
	memset(w->key, 0, 8);
	memcpy(w->key, &m, sizeof(m));
	memcpy(w->key + 8, &addr, sizeof(addr));
	memcpy(w->key + 16, &p->frames[first], n * sizeof(*p->frames));
	i = hash_get(&w->chain_index, w->key, len, w->nchains, &added);
	if (added) {
		struct mapping *mp = &w->maps[m];

		xgrow(&w->chains, &w->chains_alloc, w->nchains + 1, sizeof(*w->chains));
		w->chains[w->nchains++] = (struct chain){first, n, m, addr};
		mp->inlines |= n > 1;
		for (size_t j = first; j <= last; j++) {
			const struct prof_loc *l = &p->locs[p->frames[j]];

			mp->lines |= l->line != 0;
			mp->files |= line_file(w, l) != NULL;
		}
	}
	return i + 1;
}

/* The Function id of loc l's line: its function, with the file of the line. */
static uint64_t function_id(struct writer *w, const struct prof_loc *l)
{
	struct function key = {.func = l->func, .file = intern(w, line_file(w, l))};
	int added;
	size_t i = hash_get(&w->func_index, &key, sizeof(key), w->nfuncs, &added);

	if (added) {
		xgrow(&w->funcs, &w->funcs_alloc, w->nfuncs + 1, sizeof(*w->funcs));
		w->funcs[w->nfuncs++] = key;
	}
	return i + 1;
}

static void put_label(struct writer *w, uint64_t key, uint64_t str, uint64_t num)
{
	pb_uint(&w->sub, LABEL_KEY, key);
	pb_uint(&w->sub, LABEL_STR, str);
	pb_uint(&w->sub, LABEL_NUM, num);
	put_sub(w, SAMPLE_LABEL);
}

static int write_samples(struct writer *w)
{
	const struct profile *p = w->p;
	uint64_t thread = intern(w, "thread"), pid = intern(w, "pid"), tid = intern(w, "tid");

	for (size_t k = 0; k < p->nstacks; k++) {
		const struct prof_stack *s = &p->stacks[k];
		uint64_t values[4] = {s->samples, s->weight};
		size_t nids = 0, nvalues = 2;
		int rc;

		xgrow(&w->ids, &w->ids_alloc, s->depth, sizeof(*w->ids));
		for (size_t i = 0; i < s->depth; i++) {
			size_t start = i;

			/* an inlined loc goes with the one after it; the last ends the run */
			while (i + 1 < s->depth && p->locs[p->frames[s->first + i]].inlined)
				i++;
			w->ids[nids++] = location_id(w, s->first + start, i - start + 1);
		}
		pb_packed(&w->msg, SAMPLE_LOCATION_ID, w->ids, nids);
		if (profile_has_time(p)) {
			/* samples, then cpu, off-cpu and wall in nanoseconds */
			uint64_t ns = profile_stack_ns(p, s);

			values[1] = s->kind == PROF_KIND_CPU ? ns : 0;
			values[2] = s->kind == PROF_KIND_CPU ? 0 : ns;
			values[3] = ns;
			nvalues = 4;
		}
		pb_packed(&w->msg, SAMPLE_VALUE, values, nvalues);
		if (s->comm)
			put_label(w, thread, intern(w, s->comm), 0);
		/*
		 * pprof drops a numeric label whose value is 0 (it cannot tell
		 * it from an absent one), so the idle task has no pid or tid.
		 */
		if (s->pid)
			put_label(w, pid, 0, s->pid);
		if (s->tid)
			put_label(w, tid, 0, s->tid);
		rc = emit(w, PROFILE_SAMPLE);
		if (rc)
			return rc;
	}
	return 0;
}

static int write_mappings(struct writer *w)
{
	for (size_t i = 0; i < w->nmaps; i++) {
		const struct mapping *m = &w->maps[i];
		int rc;

		pb_uint(&w->msg, MAPPING_ID, i + 1);
		pb_uint(&w->msg, MAPPING_MEMORY_START, m->start);
		pb_uint(&w->msg, MAPPING_MEMORY_LIMIT, m->limit);
		pb_uint(&w->msg, MAPPING_FILE_OFFSET, m->offset);
		pb_uint(&w->msg, MAPPING_FILENAME, intern(w, m->file));
		pb_uint(&w->msg, MAPPING_BUILD_ID, intern(w, m->build_id));
		/* every location is symbolized: stops pprof from symbolizing it again */
		pb_uint(&w->msg, MAPPING_HAS_FUNCTIONS, 1);
		pb_uint(&w->msg, MAPPING_HAS_FILENAMES, m->files);
		pb_uint(&w->msg, MAPPING_HAS_LINE_NUMBERS, m->lines);
		pb_uint(&w->msg, MAPPING_HAS_INLINE_FRAMES, m->inlines);
		rc = emit(w, PROFILE_MAPPING);
		if (rc)
			return rc;
	}
	return 0;
}

static int write_locations(struct writer *w)
{
	const struct profile *p = w->p;

	for (size_t i = 0; i < w->nchains; i++) {
		const struct chain *c = &w->chains[i];
		int rc;

		pb_uint(&w->msg, LOCATION_ID, i + 1);
		pb_uint(&w->msg, LOCATION_MAPPING_ID, c->map + 1ull);
		pb_uint(&w->msg, LOCATION_ADDRESS, c->addr);
		/* the stack's order is pprof's: innermost inlined function first, caller last */
		for (size_t j = 0; j < c->n; j++) {
			const struct prof_loc *l = &p->locs[p->frames[c->first + j]];

			pb_uint(&w->sub, LINE_FUNCTION_ID, function_id(w, l));
			pb_uint(&w->sub, LINE_LINE, l->line);
			put_sub(w, LOCATION_LINE);
		}
		rc = emit(w, PROFILE_LOCATION);
		if (rc)
			return rc;
	}
	return 0;
}

static int write_functions(struct writer *w)
{
	const struct profile *p = w->p;

	for (size_t i = 0; i < w->nfuncs; i++) {
		const struct prof_func *f = &p->funcs[w->funcs[i].func];
		/* as pprof's own: the short name shown, the full signature beside it */
		const char *full = f->alt && strlen(f->alt) > strlen(f->name) ? f->alt : f->name;
		int rc;

		pb_uint(&w->msg, FUNCTION_ID, i + 1);
		pb_uint(&w->msg, FUNCTION_NAME, intern(w, f->name));
		pb_uint(&w->msg, FUNCTION_SYSTEM_NAME, intern(w, full));
		pb_uint(&w->msg, FUNCTION_FILENAME, w->funcs[i].file);
		rc = emit(w, PROFILE_FUNCTION);
		if (rc)
			return rc;
	}
	return 0;
}

static int write_strings(struct writer *w)
{
	for (size_t i = 0; i < w->nstrs; i++) {
		int rc;

		pb_raw(&w->msg, w->strs[i], strlen(w->strs[i]));
		rc = emit(w, PROFILE_STRING_TABLE);
		if (rc)
			return rc;
	}
	return 0;
}

static int write_profile(struct writer *w)
{
	const struct profile *p = w->p;
	bool clock = p->weight_unit && !strcmp(p->weight_unit, "nanoseconds");
	uint64_t samples = intern(w, "samples"), count = intern(w, "count");
	/* Go's CPU profiles say "cpu"/"nanoseconds": pprof shows such values as times */
	uint64_t event = intern(w, clock ? "cpu" : p->event ? p->event : "events");
	uint64_t unit = intern(w, clock ? "nanoseconds" : "count");
	uint64_t title = intern(w, p->title);
	int rc;

	/* w->msg holds fields of the Profile itself here, not a message to wrap */
	put_value_type(w, PROFILE_SAMPLE_TYPE, samples, count);
	if (profile_has_time(p)) {
		static const char *const types[] = { "cpu", "off-cpu", "wall" };

		event = intern(w, "cpu");
		unit = intern(w, "nanoseconds");
		for (size_t i = 0; i < ARRAY_SIZE(types); i++)
			put_value_type(w, PROFILE_SAMPLE_TYPE, intern(w, types[i]), unit);
		pb_uint(&w->msg, PROFILE_DEFAULT_SAMPLE_TYPE,
			intern(w, profile_view_name(p->view)));
	} else {
		put_value_type(w, PROFILE_SAMPLE_TYPE, event, unit);
	}
	rc = gz_write(&w->gz, w->msg.data, w->msg.len, Z_NO_FLUSH);
	w->msg.len = 0;
	if (!rc)
		rc = write_samples(w);
	if (!rc) {
		main_mapping_first(w);
		rc = write_mappings(w);
	}
	if (!rc)
		rc = write_locations(w);
	if (!rc)
		rc = write_functions(w);
	if (!rc)
		rc = write_strings(w);
	if (rc)
		return rc;
	pb_uint(&w->msg, PROFILE_TIME_NANOS, p->realtime_start);
	if (p->time_end > p->time_start)
		pb_uint(&w->msg, PROFILE_DURATION_NANOS, p->time_end - p->time_start);
	put_value_type(w, PROFILE_PERIOD_TYPE, event, unit);
	/* in nanoseconds where the types are times, whatever the view */
	pb_uint(&w->msg, PROFILE_PERIOD,
		profile_has_time(p) && !profile_view_time(p->view)
			? profile_scaled(p->period, p->times.cpu_scale)
			: p->period);
	/* the recorded command line: `go tool pprof -comments` shows it */
	pb_uint(&w->msg, PROFILE_COMMENT, title);
	rc = gz_write(&w->gz, w->msg.data, w->msg.len, Z_FINISH);
	w->msg.len = 0;
	return rc;
}

int export_pprof(FILE *out, const struct profile *p)
{
	struct writer *w;
	int rc = check(p);

	if (rc)
		return rc;
	w = xcalloc(1, sizeof(*w));
	w->p = p;
	hash_init(&w->str_index);
	hash_init(&w->chain_index);
	hash_init(&w->map_index);
	hash_init(&w->func_index);
	w->map_of = xmalloc((p->nmaps ? p->nmaps : 1) * sizeof(*w->map_of));
	memset(w->map_of, 0xff, (p->nmaps ? p->nmaps : 1) * sizeof(*w->map_of));
	rc = gz_init(&w->gz, out);
	if (!rc) {
		intern(w, ""); /* string_table[0] must be "" */
		index_files(w);
		rc = write_profile(w);
		deflateEnd(&w->gz.zs);
	}
	hash_release(&w->str_index);
	hash_release(&w->chain_index);
	hash_release(&w->map_index);
	hash_release(&w->func_index);
	free(w->msg.data);
	free(w->sub.data);
	free(w->strs);
	free(w->chains);
	free(w->key);
	free(w->maps);
	free(w->map_of);
	free(w->funcs);
	free(w->func_file);
	free(w->ids);
	free(w);
	return rc;
}
