// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * pmuprof annotate: the instructions of the hottest functions of a
 * recording (or of the one named), each with its share of the samples
 * whose leaf is that function. The code is read from the object the
 * recording mapped (its build-id checked), or from the image the file
 * stored (the vDSO); capstone decodes it (analyse/disasm.c); jump and call
 * targets are named symbol+offset; --source puts the source lines among
 * the instructions (libdw, through resolve/srcline.c).
 */
#include "analyse/disasm.h"
#include "analyse/profile.h"
#include "cmd/commands.h"
#include "cmd/common.h"
#include "cmd/recording.h"
#include "resolve/elf.h"
#include "resolve/maps.h"
#include "resolve/srcline.h"
#include "resolve/symbolize.h"
#include "util/alloc.h"
#include "util/error.h"
#include "util/proc.h"

#include <errno.h>
#include <fnmatch.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define DEFAULT_TOP   3
#define MAX_FUNC_SIZE (1u << 20) /* bytes decoded per function at the most */
#define NO_SYMBOL_TAIL 64	 /* past the last sample, for code without a symbol's size */

enum {
	OPT_SOURCE = OPT_LONG_BASE,
	OPT_COLOR,
	OPT_TOP,
	OPT_DSO,
};

static const struct cmd_option annotate_options[] = {
	{ 'i', "input", "FILE", "the recording to read (default pmuprof.data)" },
	{ OPT_TOP, "top", "N", "without SYMBOL: the N hottest functions (default 3)" },
	{ OPT_DSO, "dso", "NAME", "only functions of this object (short name or path)" },
	{ OPT_SOURCE, "source", NULL, "put the source lines among the instructions" },
	{ 'M', "disassembler-style", "STYLE", "att (default) or intel" },
	{ OPT_COLOR, "color", "WHEN", "highlight the hottest instructions: auto (default), always, never" },
	{ 'h', "help", NULL, "show this help" },
};

struct annotate_opts {
	const char *input, *symbol, *dso;
	unsigned long top;
	bool source, intel, color;
};

static int parse_options(struct annotate_opts *o, int argc, char **argv)
{
	struct cmd_parser p;
	const char *color = "auto";
	char *arg;
	int c, ret = -1;

	memset(o, 0, sizeof(*o));
	o->input = "pmuprof.data";
	o->top = DEFAULT_TOP;
	cmd_parser_init(&p, "annotate", "[options] [SYMBOL]", annotate_options,
			ARRAY_SIZE(annotate_options), argc, argv);
	cmd_parser_permute(&p);
	while ((c = cmd_next_option(&p, &arg)) != -1) {
		switch (c) {
		case 'i':
			o->input = arg;
			break;
		case OPT_TOP:
			if (parse_ulong(arg, 1, 100000, &o->top) < 0) {
				error("option '--top' needs a number of functions of 1 or more, not "
				      "'%s'",
				      arg);
				goto out;
			}
			break;
		case OPT_DSO:
			o->dso = arg;
			break;
		case OPT_SOURCE:
			o->source = true;
			break;
		case 'M':
			if (strcmp(arg, "att") && strcmp(arg, "intel")) {
				error("option '-M' takes att or intel, not '%s'", arg);
				goto out;
			}
			o->intel = !strcmp(arg, "intel");
			break;
		case OPT_COLOR:
			if (strcmp(arg, "auto") && strcmp(arg, "always") && strcmp(arg, "never")) {
				error("option '--color' takes auto, always or never, not '%s'", arg);
				goto out;
			}
			color = arg;
			break;
		case 'h':
			cmd_print_help(&p, stdout);
			ret = CMD_HELP_SHOWN;
			goto out;
		default:
			goto out;
		}
	}
	if (optind < argc)
		o->symbol = argv[optind++];
	if (optind < argc) {
		error("annotate takes one SYMBOL, not also '%s' (a glob such as 'foo*' names several)",
		      argv[optind]);
		goto out;
	}
	o->color = !strcmp(color, "always") || (!strcmp(color, "auto") && isatty(STDOUT_FILENO));
	ret = 0;
out:
	cmd_parser_release(&p);
	return ret < 0 ? EXIT_USAGE : ret;
}

/* ---- samples per instruction ---------------------------------------------- */

struct hit {
	uint64_t addr; /* in the object */
	uint64_t samples;
};

struct func_hits {
	uint32_t func; /* index in the profile's funcs */
	uint64_t samples;
	struct hit *hits;
	size_t nhits, ahits;
};

static int cmp_hits_desc(const void *a, const void *b)
{
	const struct func_hits *x = a, *y = b;

	if (x->samples != y->samples)
		return x->samples > y->samples ? -1 : 1;
	return x->func < y->func ? -1 : x->func > y->func;
}

static int cmp_hit_addr(const void *a, const void *b)
{
	const struct hit *x = a, *y = b;

	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

/* The leaf samples of every user function, by function and address. */
static struct func_hits *collect_hits(const struct profile *p, uint64_t *kernel_samples)
{
	struct func_hits *fh = xcalloc(p->nfuncs + 1, sizeof(*fh));

	for (size_t i = 0; i < p->nfuncs; i++)
		fh[i].func = (uint32_t)i;
	*kernel_samples = 0;
	for (size_t i = 0; i < p->nstacks; i++) {
		const struct prof_stack *st = &p->stacks[i];
		const struct prof_loc *loc = &p->locs[p->frames[st->first]];
		struct func_hits *f = &fh[loc->func];
		size_t j;

		if (p->funcs[loc->func].kernel) {
			*kernel_samples += st->samples;
			continue;
		}
		f->samples += st->samples;
		for (j = 0; j < f->nhits && f->hits[j].addr != loc->addr; j++)
			;
		if (j == f->nhits) {
			xgrow(&f->hits, &f->ahits, f->nhits + 1, sizeof(*f->hits));
			f->hits[f->nhits].addr = loc->addr;
			f->hits[f->nhits++].samples = 0;
		}
		f->hits[j].samples += st->samples;
	}
	for (size_t i = 0; i < p->nfuncs; i++)
		if (fh[i].nhits > 1)
			qsort(fh[i].hits, fh[i].nhits, sizeof(*fh[i].hits), cmp_hit_addr);
	return fh;
}

static void free_hits(struct func_hits *fh, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(fh[i].hits);
	free(fh);
}

static uint64_t samples_at(const struct func_hits *f, uint64_t addr, uint64_t size)
{
	uint64_t n = 0;

	/* hits are sorted; an address inside an instruction (a bad decode) counts for it */
	for (size_t i = 0; i < f->nhits; i++)
		if (f->hits[i].addr >= addr && f->hits[i].addr - addr < size)
			n += f->hits[i].samples;
	return n;
}

/* ---- code ------------------------------------------------------------------ */

static struct dso *find_dso(const struct session *s, const struct prof_func *f)
{
	for (size_t i = 0; i < maps_ndsos(s->maps); i++) {
		struct dso *d = maps_dso(s->maps, i);

		/* objects without a file (the vDSO) are known by their name only */
		if (f->path ? !strcmp(d->path, f->path) : d->name && !strcmp(d->name, f->dso))
			return d;
	}
	return NULL;
}

/*
 * The function's bytes, read from where the recording found them. 0, or
 * -errno after saying why (the object is gone, changed or unreadable).
 */
static int read_code(struct dso *d, const char *func, uint64_t start, uint64_t size,
		     uint8_t **code, size_t *len)
{
	struct elf_object *obj = dso_object(d);
	uint64_t off, avail;
	ssize_t n;
	int fd;

	if (!obj) {
		error("cannot annotate '%s': cannot read '%s': %s%s", func, d->path,
		      strerror(-d->open_err),
		      d->open_err == -ENOENT ? " (the object is gone since the recording)" : "");
		return d->open_err ? d->open_err : -ENOENT;
	}
	if (d->changed) {
		error("cannot annotate '%s': '%s' changed since the recording (its build-id is not "
		      "the recorded one), so its code is not what was sampled",
		      func, d->path);
		return -ESTALE;
	}
	if (elf_object_file_offset(obj, start, &off, &avail) < 0) {
		error("cannot annotate '%s': its address 0x%" PRIx64 " is not in a loaded part of "
		      "'%s'",
		      func, start, d->path);
		return -ENOENT;
	}
	if (size > avail)
		size = avail;
	*code = xmalloc(size ? size : 1);
	*len = (size_t)size;
	if (d->image) {
		if (off > d->image_size || size > d->image_size - off) {
			error("cannot annotate '%s': the stored image of '%s' is too short", func,
			      d->path);
			free(*code);
			return -EIO;
		}
		memcpy(*code, d->image + off, size);
		return 0;
	}
	fd = file_open_regular(d->path, NULL);
	if (fd < 0) {
		error("cannot annotate '%s': cannot read '%s': %s", func, d->path, strerror(-fd));
		free(*code);
		return fd;
	}
	n = pread(fd, *code, size, (off_t)off);
	close(fd);
	if (n < 0 || (uint64_t)n != size) {
		error("cannot annotate '%s': cannot read its %" PRIu64 " bytes from '%s'%s", func,
		      size, d->path, n < 0 ? "" : " (the file is shorter)");
		free(*code);
		return -EIO;
	}
	return 0;
}

/* ---- source lines ------------------------------------------------------------- */

struct source_file {
	char *path;
	char *text;   /* NULL when it cannot be read */
	char **lines; /* into text */
	size_t nlines;
};

struct sources {
	struct source_file *v;
	size_t n, a;
};

/* A source file by its DWARF name, relative to the unit's directory unless absolute. */
static const struct source_file *source_get(struct sources *ss, const char *name,
					    const char *comp_dir)
{
	struct source_file *f;
	size_t size = 0, cap = 0, alines = 0;
	char buf[65536], *path;
	ssize_t got;
	int fd;

	path = name[0] != '/' && comp_dir ? xasprintf("%s/%s", comp_dir, name) : xstrdup(name);
	for (size_t i = 0; i < ss->n; i++)
		if (!strcmp(ss->v[i].path, path)) {
			free(path);
			return &ss->v[i];
		}
	xgrow(&ss->v, &ss->a, ss->n + 1, sizeof(*ss->v));
	f = &ss->v[ss->n++];
	memset(f, 0, sizeof(*f));
	f->path = path;
	fd = file_open_regular(path, NULL);
	if (fd < 0)
		return f;
	while ((got = read(fd, buf, sizeof(buf))) > 0 && size < (64u << 20)) {
		xgrow(&f->text, &cap, size + (size_t)got + 1, 1);
		memcpy(f->text + size, buf, (size_t)got);
		size += (size_t)got;
	}
	close(fd);
	if (!f->text)
		return f;
	f->text[size] = '\0';
	for (char *p = f->text; *p;) {
		char *nl = strchr(p, '\n');

		xgrow(&f->lines, &alines, f->nlines + 1, sizeof(*f->lines));
		f->lines[f->nlines++] = p;
		if (!nl)
			break;
		*nl = '\0';
		p = nl + 1;
	}
	return f;
}

static void sources_release(struct sources *ss)
{
	for (size_t i = 0; i < ss->n; i++) {
		free(ss->v[i].path);
		free(ss->v[i].text);
		free(ss->v[i].lines);
	}
	free(ss->v);
}

/* ---- printing ------------------------------------------------------------------ */

#define RED    "\033[1;31m"
#define YELLOW "\033[33m"
#define DIM    "\033[2m"
#define RESET  "\033[0m"

/* "<name+0x1c>" for a jump or call target. */
static void target_name(struct symbolizer *sym, struct dso *d, const char *func, uint64_t start,
			uint64_t size, uint64_t target, char *buf, size_t bufsize)
{
	struct sym_frame fr;

	if (target >= start && target - start < size) {
		/* code named by its object and address ("liblzma.so.5+0x15ae0"): the same form */
		if (strstr(func, "+0x"))
			snprintf(buf, bufsize, "<%s+0x%" PRIx64 ">", d->name, target);
		else
			snprintf(buf, bufsize, "<%s+0x%" PRIx64 ">", func, target - start);
		return;
	}
	if (symbolize_user(sym, d, target, &fr, 1) && !fr.synthetic && fr.start &&
	    target >= fr.start) {
		if (target == fr.start)
			snprintf(buf, bufsize, "<%s>", fr.func);
		else
			snprintf(buf, bufsize, "<%s+0x%" PRIx64 ">", fr.func, target - fr.start);
		return;
	}
	buf[0] = '\0';
}

static int annotate_one(const struct annotate_opts *o, struct session *s,
			const struct profile *p, struct symbolizer *sym, struct disasm *dis,
			const struct func_hits *fh, struct sources *srcs)
{
	const struct prof_func *f = &p->funcs[fh->func];
	struct dso *d = find_dso(s, f);
	struct disasm_insn *insns = NULL;
	struct srcline *sl = NULL;
	const char *last_file = NULL;
	unsigned last_line = 0;
	uint64_t start = f->start, size = 0, hottest = 0, hottest_addr = 0, sym_start = 0;
	uint8_t *code = NULL;
	size_t n = 0, alloc = 0, len = 0;
	int ret;

	if (!d) {
		error("cannot annotate '%s': the recording maps no object for it", f->name);
		return EXIT_FAIL;
	}
	if (dso_object(d) && elf_object_symbol(dso_object(d), f->start ? f->start : fh->hits[0].addr,
					       &sym_start, &size) && sym_start == f->start) {
		start = sym_start;
	} else {
		/* no symbol's size (stripped code named from its CFI): up to past the last sample */
		start = f->start ? f->start : fh->hits[0].addr;
		size = fh->hits[fh->nhits - 1].addr + NO_SYMBOL_TAIL - start;
	}
	if (size > MAX_FUNC_SIZE)
		size = MAX_FUNC_SIZE;
	ret = read_code(d, f->name, start, size, &code, &len);
	if (ret < 0)
		return EXIT_FAIL;
	size = len;
	if (disasm_range(dis, code, len, start, &insns, &n, &alloc) < 0) {
		free(code);
		error("cannot annotate '%s': out of memory", f->name);
		return EXIT_FAIL;
	}
	for (size_t i = 0; i < n; i++) {
		uint64_t k = samples_at(fh, insns[i].addr, insns[i].size);

		if (k > hottest) {
			hottest = k;
			hottest_addr = insns[i].addr;
		}
	}
	if (o->source) {
		int err = 0;

		sl = srcline_open(d->image ? NULL : d->path, d->build_id, d->build_id_len, &err);
		if (!sl)
			warning("no source lines for '%s': %s", d->path,
				err == -ENOENT ? "no DWARF in it or a debug file (build with -g)"
					       : strerror(-err));
	}
	printf("\n# %s (%s): %" PRIu64 " sample%s, %.2f%% of all; code at 0x%" PRIx64
	       ", %" PRIu64 " bytes%s\n",
	       f->name, f->dso, fh->samples, fh->samples == 1 ? "" : "s",
	       p->samples ? 100.0 * (double)fh->samples / (double)p->samples : 0.0, start, size,
	       d->image ? " (from the image stored in the recording)" : "");
	printf("#  Percent   Samples  Address  Instruction\n");
	for (size_t i = 0; i < n; i++) {
		const struct disasm_insn *in = &insns[i];
		uint64_t k = samples_at(fh, in->addr, in->size);
		double pct = fh->samples ? 100.0 * (double)k / (double)fh->samples : 0;
		char target[256] = "";
		const char *on = "", *off = "";

		if (sl) {
			struct srcline_frame fr[1];

			if (srcline_lookup(sl, in->addr, fr, 1) > 0 && fr[0].file && fr[0].line &&
			    (fr[0].line != last_line || !last_file || strcmp(fr[0].file, last_file))) {
				const struct source_file *sf = source_get(srcs, fr[0].file,
									  fr[0].comp_dir);

				last_line = fr[0].line;
				last_file = fr[0].file;
				if (fr[0].line <= sf->nlines)
					printf("%s%41s  %s:%u  %s%s\n", o->color ? DIM : "", "",
					       strrchr(sf->path, '/') ? strrchr(sf->path, '/') + 1
								      : sf->path,
					       fr[0].line, sf->lines[fr[0].line - 1],
					       o->color ? RESET : "");
				else
					printf("%s%41s  %s:%u%s\n", o->color ? DIM : "", "", sf->path,
					       fr[0].line, o->color ? RESET : "");
			}
		}
		if (in->has_target)
			target_name(sym, d, f->name, start, size, in->target, target, sizeof(target));
		if (o->color && k && pct >= 10) {
			on = RED;
			off = RESET;
		} else if (o->color && k && pct >= 1) {
			on = YELLOW;
			off = RESET;
		}
		if (k)
			printf("%s%9.2f %9" PRIu64 "%s", on, pct, k, off);
		else
			printf("%19s", "");
		printf("  %7" PRIx64 ":  %s%-7s%s%s%s%s%s%s\n", in->addr, on, in->mnemonic,
		       in->operands[0] ? " " : "", in->operands, target[0] ? " " : "", target,
		       off, in->addr == hottest_addr && hottest ? "   <- hottest" : "");
	}
	free(insns);
	free(code);
	srcline_free(sl);
	return 0;
}

/*
 * A name can be missing because the object that holds it could not be read
 * (gone, or rebuilt): its samples are then named by address. Says which.
 */
static void explain_unreadable(const struct session *s, const struct profile *p,
			       const struct func_hits *fh)
{
	for (size_t i = 0; i < maps_ndsos(s->maps); i++) {
		struct dso *d = maps_dso(s->maps, i);
		bool sampled = false;

		for (size_t j = 0; j < p->nfuncs && !sampled; j++) {
			const struct prof_func *f = &p->funcs[fh[j].func];

			sampled = fh[j].samples && f->path && !strcmp(f->path, d->path);
		}
		if (!sampled || d->image)
			continue;
		if (d->changed)
			note("'%s' changed since the recording (its build-id is not the recorded "
			     "one): its samples are named by address",
			     d->path);
		else if (d->opened && !d->obj)
			note("cannot read '%s': %s%s: its samples are named by address", d->path,
			     strerror(-d->open_err),
			     d->open_err == -ENOENT ? " (the object is gone since the recording)" : "");
	}
}

int cmd_annotate(int argc, char **argv)
{
	struct annotate_opts o;
	struct session s;
	struct profile *p = NULL;
	struct symbolizer *sym = NULL;
	struct disasm *dis = NULL;
	struct func_hits *fh;
	struct sources srcs = { 0 };
	uint64_t kernel_samples;
	size_t shown = 0, failed = 0, chosen = 0;
	int ret, status = EXIT_FAIL;

	ret = parse_options(&o, argc, argv);
	if (ret == CMD_HELP_SHOWN)
		return EXIT_OK;
	if (ret)
		return ret;
	ret = disasm_new(&dis, o.intel);
	if (ret < 0) {
		error("cannot start the disassembler: %s",
		      ret == -ENOSYS ? "capstone was built without x86" : strerror(-ret));
		return EXIT_FAIL;
	}
	ret = cmd_recording_profile(&s, o.input, NULL, SYM_DEMANGLE, &p, &sym);
	if (ret) {
		disasm_free(dis);
		return ret;
	}
	fh = collect_hits(p, &kernel_samples);
	qsort(fh, p->nfuncs, sizeof(*fh), cmp_hits_desc);
	printf("# pmuprof annotate of '%s': %s\n", o.input,
	       data_reader_meta_str(s.rd, "cmdline") ? data_reader_meta_str(s.rd, "cmdline") : "?");
	printf("# event: %s; %" PRIu64 " samples, each counted at the instruction it was taken "
	       "at (its leaf)\n",
	       data_reader_meta_str(s.rd, "event") ? data_reader_meta_str(s.rd, "event") : "?",
	       p->samples);
	printf("# skid: an interrupt is taken after the instruction that was running retires, "
	       "so an event that is not\n#   precise (cpu-clock, the timers, cycles without :pp) "
	       "charges the instructions just after the costly one\n");
	if (kernel_samples)
		printf("# %" PRIu64 " samples in the kernel are not annotated (its code is not in the "
		       "recording)\n",
		       kernel_samples);
	for (size_t i = 0; i < p->nfuncs; i++) {
		const struct prof_func *f = &p->funcs[fh[i].func];

		if (!fh[i].samples || f->kernel)
			continue;
		if (o.symbol && fnmatch(o.symbol, f->name, 0))
			continue;
		if (o.dso && strcmp(o.dso, f->dso) && (!f->path || strcmp(o.dso, f->path)))
			continue;
		if (!o.symbol && chosen >= o.top)
			break;
		chosen++;
		if (annotate_one(&o, &s, p, sym, dis, &fh[i], &srcs) == 0)
			shown++;
		else
			failed++;
	}
	if (!chosen) {
		bool exists = false;

		for (size_t i = 0; o.symbol && i < p->nfuncs; i++)
			exists |= fnmatch(o.symbol, p->funcs[i].name, 0) == 0;
		if (o.symbol && !exists)
			explain_unreadable(&s, p, fh);
		if (o.symbol && exists)
			error("'%s' has no samples of its own in '%s' (only as a caller): "
			      "pmuprof report --no-children lists the functions that do",
			      o.symbol, o.input);
		else if (o.symbol)
			error("no function '%s' has samples in '%s': pmuprof report --no-children "
			      "lists the functions that do",
			      o.symbol, o.input);
		else
			error("'%s' has no samples in user-space functions to annotate", o.input);
	} else if (shown) {
		status = failed && o.symbol ? EXIT_FAIL : EXIT_OK;
	}
	free_hits(fh, p->nfuncs);
	sources_release(&srcs);
	profile_free(p);
	symbolizer_free(sym);
	session_close(&s);
	disasm_free(dis);
	return status;
}
