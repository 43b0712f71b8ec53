// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * annotate's text (see annotate.h).
 */
#include "output/annotate.h"
#include "resolve/maps.h"
#include "resolve/srcline.h"
#include "store/datafile.h"
#include "util/alloc.h"
#include "util/escape.h"
#include "util/proc.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define RED    "\033[1;31m"
#define YELLOW "\033[33m"
#define DIM    "\033[2m"
#define RESET  "\033[0m"

#define MAX_SOURCE_SIZE (64u << 20) /* a source file is read up to about this far */

/* ---- source files ------------------------------------------------------------- */

struct source_file {
	char *path;
	uid_t owner;  /* of the object whose DWARF named it, (uid_t)-1: unknown */
	char *text;   /* NULL when it cannot be read */
	char **lines; /* into text */
	size_t nlines;
};

struct annotate_sources {
	struct source_file *v;
	size_t n, a;
};

struct annotate_sources *annotate_sources_new(void)
{
	return xcalloc(1, sizeof(struct annotate_sources));
}

void annotate_sources_free(struct annotate_sources *ss)
{
	if (!ss)
		return;
	for (size_t i = 0; i < ss->n; i++) {
		free(ss->v[i].path);
		free(ss->v[i].text);
		free(ss->v[i].lines);
	}
	free(ss->v);
	free(ss);
}

/*
 * Reads f, when it is readable by everyone or belongs to the owner of the
 * object that names it: DWARF names any path, and a binary built with
 * `#line 1 "/etc/shadow"` must not make root print that file.
 */
static void source_read(struct source_file *f)
{
	size_t size = 0, cap = 0, alines = 0;
	char buf[65536];
	struct stat st;
	ssize_t got;
	int fd;

	fd = file_open_regular(f->path, &st);
	if (fd < 0)
		return;
	if (!(st.st_mode & S_IROTH) && (f->owner == (uid_t)-1 || st.st_uid != f->owner)) {
		close(fd);
		return;
	}
	while ((got = read(fd, buf, sizeof(buf))) > 0 && size < MAX_SOURCE_SIZE) {
		xgrow(&f->text, &cap, size + (size_t)got + 1, 1);
		memcpy(f->text + size, buf, (size_t)got);
		size += (size_t)got;
	}
	close(fd);
	if (!f->text)
		return;
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
}

/*
 * A source file by its DWARF name, relative to the unit's directory unless
 * absolute, named by the object d (NULL: unknown).
 */
static const struct source_file *source_get(struct annotate_sources *ss, const char *name,
					    const char *comp_dir, const struct dso *d)
{
	struct source_file *f;
	struct stat st;
	uid_t owner = (uid_t)-1;
	char *path;

	if (d && !d->image && stat(d->file, &st) == 0)
		owner = st.st_uid;
	path = name[0] != '/' && comp_dir ? xasprintf("%s/%s", comp_dir, name) : xstrdup(name);
	for (size_t i = 0; i < ss->n; i++)
		if (ss->v[i].owner == owner && !strcmp(ss->v[i].path, path)) {
			free(path);
			return &ss->v[i];
		}
	xgrow(&ss->v, &ss->a, ss->n + 1, sizeof(*ss->v));
	f = &ss->v[ss->n++];
	memset(f, 0, sizeof(*f));
	f->path = path;
	f->owner = owner;
	source_read(f);
	return f;
}

/* ---- the listing ------------------------------------------------------------------ */

/*
 * Names, paths and source lines come from the recording, its binaries and
 * the files they name: escaped (util/escape.h); source lines keep their tabs.
 */

void annotate_print_header(FILE *out, const char *path, const struct data_reader *rd,
			   const struct profile *p, uint64_t kernel_samples)
{
	const char *cmdline = data_reader_meta_str(rd, "cmdline");
	const char *event = data_reader_meta_str(rd, "event");

	fputs("# pmuprof annotate of '", out);
	escape_write(out, path);
	fputs("': ", out);
	escape_write(out, cmdline ? cmdline : "?");
	fputs("\n# event: ", out);
	escape_write(out, event ? event : "?");
	fprintf(out,
		"; %" PRIu64 " samples, each counted at the instruction it was taken at (its "
		"leaf)\n",
		p->samples);
	fprintf(out,
		"# skid: an interrupt is taken after the instruction that was running retires, "
		"so an event that is not\n#   precise (cpu-clock, the timers, cycles without "
		":pp) charges the instructions just after the costly one\n");
	if (kernel_samples)
		fprintf(out,
			"# %" PRIu64 " samples in the kernel are not annotated (its code is not in "
			"the recording)\n",
			kernel_samples);
}

/* The source line printed last: the next is printed only where it changes. */
struct source_state {
	const char *file;
	unsigned line;
};

/* "file:line  text", dimmed, where addr starts another source line. */
static void print_source(FILE *out, const struct annotate_listing *l, struct source_state *st,
			 uint64_t addr)
{
	struct srcline_frame fr[1];
	const struct source_file *sf;
	const char *dim = l->color ? DIM : "", *reset = l->color ? RESET : "";

	if (srcline_lookup(l->sl, addr, fr, 1) <= 0 || !fr[0].file || !fr[0].line)
		return;
	if (fr[0].line == st->line && st->file && !strcmp(fr[0].file, st->file))
		return;
	sf = source_get(l->sources, fr[0].file, fr[0].comp_dir, l->code ? l->code->dso : NULL);
	st->line = fr[0].line;
	st->file = fr[0].file;
	fprintf(out, "%s%41s  ", dim, "");
	if (fr[0].line <= sf->nlines) {
		escape_write(out, strrchr(sf->path, '/') ? strrchr(sf->path, '/') + 1 : sf->path);
		fprintf(out, ":%u  ", fr[0].line);
		escape_write_line(out, sf->lines[fr[0].line - 1]);
	} else {
		escape_write(out, sf->path);
		fprintf(out, ":%u", fr[0].line);
	}
	fprintf(out, "%s\n", reset);
}

static void print_insn(FILE *out, const struct annotate_listing *l, const struct disasm_insn *in,
		       bool hottest)
{
	const struct prof_func *f = &l->p->funcs[l->f->func];
	uint64_t k = annotate_samples_at(l->f, in->addr, in->size);
	double pct = l->f->samples ? 100.0 * (double)k / (double)l->f->samples : 0;
	char target[256] = "";
	const char *on = "", *off = "";

	if (in->has_target)
		annotate_target_name(l->sym, l->code, f->name, in->target, target, sizeof(target));
	if (l->color && k && pct >= 10) {
		on = RED;
		off = RESET;
	} else if (l->color && k && pct >= 1) {
		on = YELLOW;
		off = RESET;
	}
	if (k)
		fprintf(out, "%s%9.2f %9" PRIu64 "%s", on, pct, k, off);
	else
		fprintf(out, "%19s", "");
	fprintf(out, "  %7" PRIx64 ":  %s%-7s%s%s%s", in->addr, on, in->mnemonic,
		in->operands[0] ? " " : "", in->operands, target[0] ? " " : "");
	/* a symbol's name; the mnemonic and operands are the disassembler's own */
	escape_write(out, target);
	fprintf(out, "%s%s\n", off, hottest ? "   <- hottest" : "");
}

void annotate_print_function(FILE *out, const struct annotate_listing *l)
{
	const struct prof_func *f = &l->p->funcs[l->f->func];
	const struct annotate_code *c = l->code;
	struct source_state st = { NULL, 0 };
	uint64_t hottest_addr;
	bool hot = annotate_hottest(l->f, l->insns, l->ninsns, &hottest_addr) > 0;

	fputs("\n# ", out);
	escape_write(out, f->name);
	fputs(" (", out);
	escape_write(out, f->dso);
	fprintf(out,
		"): %" PRIu64 " sample%s, %.2f%% of all; code at 0x%" PRIx64 ", %" PRIu64
		" bytes%s\n",
		l->f->samples, l->f->samples == 1 ? "" : "s",
		l->p->samples ? 100.0 * (double)l->f->samples / (double)l->p->samples : 0.0,
		c->start, c->size,
		c->dso->image ? " (from the image stored in the recording)" : "");
	fprintf(out, "#  Percent   Samples  Address  Instruction\n");
	for (size_t i = 0; i < l->ninsns; i++) {
		if (l->sl)
			print_source(out, l, &st, l->insns[i].addr);
		print_insn(out, l, &l->insns[i], hot && l->insns[i].addr == hottest_addr);
	}
}
