// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * resolve/srcline.c, and through it the debug-file search of
 * resolve/debuginfo.c: source lines and inlined frames of a small program
 * compiled here with `cc -O2 -g` (its source lines are known), its debug
 * file found by build-id and by .gnu_debuglink once it is stripped, the
 * linkage names of a C++ program, and damaged or foreign files, which must
 * fail cleanly (run it under --enable-sanitizers too).
 */
#include "resolve/debuginfo.h"
#include "resolve/demangle.h"
#include "resolve/elf.h"
#include "resolve/srcline.h"
#include "tap.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char tmpdir[256];
static const uint8_t other_id[20] = { 0x11, 0x22, 0x33, 0x44, 0x55 };

/* The program srcline reads; the line numbers below are its lines (first is 1). */
static const char *const prog_src[] = {
	"#include <stdio.h>",
	"static inline __attribute__((always_inline)) int inner(int x) { return x * x + 7; }",
	"static inline __attribute__((always_inline)) int middle(int x) { return inner(x + 1) * 3; }",
	"__attribute__((noinline)) int outer(int x) { return middle(x) ^ x; }",
	"static __attribute__((noinline)) int helper(int x)",
	"{",
	"	int s = 0;",
	"	for (int i = 0; i < x; i++)",
	"		s += i * x;",
	"	return s;",
	"}",
	"int main(int argc, char **argv)",
	"{",
	"	(void)argv;",
	"	return outer(argc) + helper(argc * 100);",
	"}",
};

#define LINE_INNER	 2
#define LINE_MIDDLE	 3
#define LINE_OUTER	 4
#define LINE_HELPER_LOW	 5
#define LINE_HELPER_HIGH 11

static const char cxx_src[] = "namespace ns {\n"
			      "__attribute__((noinline)) int twice(int x) { return x * 2 + 1; }\n"
			      "}\n"
			      "int main(int argc, char **) { return ns::twice(argc); }\n";

/* ---- helpers: paths, commands, files ---- */

static const char *tmp(const char *name)
{
	static char bufs[8][PATH_MAX];
	static int next;
	char *b = bufs[next++ % 8];

	snprintf(b, PATH_MAX, "%s/%s", tmpdir, name);
	return b;
}

static int run(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int run(const char *fmt, ...)
{
	char cmd[4 * PATH_MAX];
	va_list ap;
	int st;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	st = system(cmd);
	if (st != 0)
		diag("command failed (%d): %s", st, cmd);
	return st;
}

static bool have(const char *tool)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "command -v %s >/dev/null 2>&1", tool);
	return system(cmd) == 0;
}

static bool write_file(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "w");
	bool good = f && fwrite(data, 1, len, f) == len;

	if (f && fclose(f) != 0)
		good = false;
	return good;
}

static char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	long n;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0) {
		buf = malloc((size_t)n + 1);
		if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
			free(buf);
			buf = NULL;
		}
		*len = (size_t)n;
	}
	fclose(f);
	return buf;
}

static bool ends_with(const char *s, const char *tail)
{
	size_t n = s ? strlen(s) : 0, m = strlen(tail);

	return s && n >= m && strcmp(s + n - m, tail) == 0;
}

static const char *str(const char *s)
{
	return s ? s : "(null)";
}

/* The value and size of a symbol of the .symtab, or of a section's file range when is_section. */
static bool elf_find(const char *path, const char *name, bool is_section, uint64_t *start,
		     uint64_t *size)
{
	bool found = false;
	Elf_Scn *scn = NULL;
	size_t shstrndx;
	Elf *elf;
	int fd;

	elf_version(EV_CURRENT);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return false;
	elf = elf_begin(fd, ELF_C_READ, NULL);
	if (!elf || elf_getshdrstrndx(elf, &shstrndx) != 0)
		goto out;
	while (!found && (scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;
		Elf_Data *d;

		if (!gelf_getshdr(scn, &sh))
			continue;
		if (is_section) {
			const char *sname = elf_strptr(elf, shstrndx, sh.sh_name);

			if (sname && strcmp(sname, name) == 0 && sh.sh_type != SHT_NOBITS) {
				*start = sh.sh_offset;
				*size = sh.sh_size;
				found = true;
			}
			continue;
		}
		if (sh.sh_type != SHT_SYMTAB || !sh.sh_entsize || !(d = elf_getdata(scn, NULL)))
			continue;
		for (size_t i = 0; i < sh.sh_size / sh.sh_entsize; i++) {
			GElf_Sym sym;
			const char *sname;

			if (!gelf_getsym(d, (int)i, &sym))
				break;
			sname = elf_strptr(elf, sh.sh_link, sym.st_name);
			if (sname && strcmp(sname, name) == 0 &&
			    GELF_ST_TYPE(sym.st_info) == STT_FUNC) {
				*start = sym.st_value;
				*size = sym.st_size;
				found = true;
				break;
			}
		}
	}
out:
	if (elf)
		elf_end(elf);
	close(fd);
	return found;
}

/* ---- source lines of the compiled program ---- */

struct prog {
	uint64_t outer, outer_size, helper, helper_size, main, main_size;
	uint64_t inline_addr; /* an address inside inner, inlined into middle, into outer */
};

static int lookup(struct srcline *s, uint64_t addr, struct srcline_frame *f)
{
	memset(f, 0, 8 * sizeof(*f));
	return srcline_lookup(s, addr, f, 8);
}

/* frames of inner inlined into middle inlined into outer, at addresses of `outer` */
static bool is_inline_chain(const struct srcline_frame *f, int n)
{
	return n == 3 && f[0].function && !strcmp(f[0].function, "inner") && f[1].function &&
	       !strcmp(f[1].function, "middle") && f[2].function && !strcmp(f[2].function, "outer");
}

/* The frames the program must give, whichever file the DWARF comes from. */
static void check_frames(struct srcline *s, struct prog *p, const char *what)
{
	struct srcline_frame f[8], g[8];
	int n, bad = 0, chains = 0;

	for (uint64_t a = p->outer; a < p->outer + p->outer_size; a++) {
		n = lookup(s, a, f);
		if (n < 1 || !f[n - 1].function || strcmp(f[n - 1].function, "outer") != 0)
			bad++;
		if (is_inline_chain(f, n)) {
			chains++;
			if (!p->inline_addr)
				p->inline_addr = a;
		}
	}
	is_int(bad, 0, what);
	ok(chains > 0, "%s: %d addresses of outer are inner inlined into middle", what, chains);
	if (!p->inline_addr)
		return;
	n = lookup(s, p->inline_addr, f);
	if (!ok(is_inline_chain(f, n), "%s: inner, middle, outer at %#llx", what,
		(unsigned long long)p->inline_addr))
		return;
	ok(ends_with(f[0].file, "/prog.c") && f[0].line == LINE_INNER,
	   "%s: innermost frame at the address's line: %s:%u", what, str(f[0].file), f[0].line);
	ok(ends_with(f[1].file, "/prog.c") && f[1].line == LINE_MIDDLE,
	   "%s: middle at its call of inner: %s:%u", what, str(f[1].file), f[1].line);
	ok(ends_with(f[2].file, "/prog.c") && f[2].line == LINE_OUTER,
	   "%s: outer at its call of middle: %s:%u", what, str(f[2].file), f[2].line);

	n = srcline_lookup(s, p->inline_addr, g, 1);
	ok(n == 1 && g[0].function == f[0].function && g[0].line == f[0].line,
	   "%s: max 1 keeps the innermost frame", what);
	n = lookup(s, p->inline_addr, g);
	ok(n == 3 && g[0].function == f[0].function && g[1].file == f[1].file,
	   "%s: the same strings again (interned)", what);

	n = lookup(s, p->helper, f);
	ok(n >= 1 && !strcmp(str(f[n - 1].function), "helper") && f[0].line >= LINE_HELPER_LOW &&
		   f[0].line <= LINE_HELPER_HIGH,
	   "%s: helper's entry: %s at line %u", what, str(n ? f[n - 1].function : NULL),
	   n ? f[0].line : 0);
	n = lookup(s, p->main + p->main_size - 1, f);
	ok(n >= 1 && !strcmp(str(f[n - 1].function), "main"), "%s: main's last byte", what);
	is_int(lookup(s, 0, f), 0, "address 0: no frames");
	is_int(lookup(s, UINT64_MAX, f), 0, "the last address: no frames");
	is_int(srcline_lookup(s, p->inline_addr, f, 0), 0, "max 0: no frames");
}

/* Compiles prog.c into tmpdir/out with cc -O2 -g and flags, and finds its functions. */
static bool build_prog(struct prog *p, const char *out, const char *flags)
{
	char src[4096] = "";

	for (size_t i = 0; i < sizeof(prog_src) / sizeof(prog_src[0]); i++) {
		strcat(src, prog_src[i]);
		strcat(src, "\n");
	}
	memset(p, 0, sizeof(*p));
	if (!write_file(tmp("prog.c"), src, strlen(src)) ||
	    run("cd '%s' && cc -O2 -g -Wl,--build-id %s -o %s prog.c", tmpdir, flags, out) != 0)
		return false;
	return elf_find(tmp(out), "outer", false, &p->outer, &p->outer_size) &&
	       elf_find(tmp(out), "helper", false, &p->helper, &p->helper_size) &&
	       elf_find(tmp(out), "main", false, &p->main, &p->main_size) && p->outer_size &&
	       p->main_size;
}

/* -gsplit-dwarf: the functions are in a .dwo file beside it, the addresses in a skeleton. */
static void split_dwarf(void)
{
	struct srcline *s;
	struct prog p;
	int err = 0;

	if (!build_prog(&p, "prog-split", "-gsplit-dwarf")) {
		ok(true, "# SKIP cc -gsplit-dwarf does not build the program");
		return;
	}
	err = srcline_open(tmp("prog-split"), NULL, 0, &s);
	if (ok(s, "srcline_open with split DWARF (%d)", err))
		check_frames(s, &p, "split DWARF");
	srcline_close(s);
}

static void lines_in_object(struct prog *p)
{
	struct srcline *s;
	int err = 0;

	err = srcline_open(tmp("prog"), NULL, 0, &s);
	if (!ok(s, "srcline_open on the program with its DWARF (%d)", err))
		return;
	check_frames(s, p, "own DWARF");
	srcline_close(s);
	srcline_close(NULL);

	/* another build at the profiled path: its lines would lie */
	debuginfo_set_roots(tmpdir);
	err = srcline_open(tmp("prog"), other_id, sizeof(other_id), &s);
	ok(!s && err == -ENOENT, "srcline_open: a file with another build-id is passed over (%d)",
	   err);
	srcline_close(s);
	debuginfo_set_roots(NULL);
}

/* ---- the debug file of a stripped program ---- */

static void hex(const uint8_t *id, size_t n, char *out)
{
	for (size_t i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", id[i]);
}

static void by_build_id(struct prog *p)
{
	char idhex[2 * ELF_BUILD_ID_LIMIT + 1], dir[PATH_MAX], want[2 * PATH_MAX], roots[PATH_MAX];
	uint8_t id[ELF_BUILD_ID_LIMIT];
	struct srcline *s;
	char *found = NULL;
	int n, err = 0;

	n = elf_file_build_id(tmp("prog"), id, sizeof(id));
	if (!ok(n >= 2, "the program has a build-id (%d bytes)", n))
		return;
	hex(id, (size_t)n, idhex);
	snprintf(dir, sizeof(dir), "%s/root/.build-id/%.2s", tmpdir, idhex);
	snprintf(want, sizeof(want), "%s/%s.debug", dir, idhex + 2);
	if (run("cd '%s' && objcopy --only-keep-debug prog prog.debug && strip -o stripped prog && "
		"mkdir -p '%s' root-empty root-wrong/.build-id/%.2s && cp prog.debug '%s' && "
		"cp prog.c root-wrong/.build-id/%.2s/%s.debug",
		tmpdir, dir, idhex, want, idhex, idhex + 2) != 0) {
		ok(false, "set up the debug file layout");
		return;
	}
	debuginfo_set_roots(tmp("root-empty"));
	err = srcline_open(tmp("stripped"), NULL, 0, &s);
	ok(!s && err == -ENOENT, "stripped, no debug file: -ENOENT (%d)", err);
	srcline_close(s);
	is_int(debuginfo_find(tmp("stripped"), id, (size_t)n, &found), -ENOENT,
	       "debuginfo_find: none in an empty root");

	snprintf(roots, sizeof(roots), "/nonexistent::%s/root", tmpdir);
	debuginfo_set_roots(roots);
	is_int(debuginfo_find(tmp("stripped"), id, (size_t)n, &found), 0,
	       "debuginfo_find: by build-id in the second root");
	is_str(found, want, "debuginfo_find: ROOT/.build-id/xx/rest.debug");
	free(found);
	found = NULL;
	is_int(debuginfo_find(NULL, id, (size_t)n, &found), 0, "debuginfo_find: without a path");
	free(found);
	found = NULL;
	is_int(debuginfo_find("[vdso]", id, (size_t)n, &found), 0,
	       "debuginfo_find: with a path that is no file");
	free(found);
	found = NULL;
	is_int(debuginfo_find(tmp("stripped"), id, 1, &found), -ENOENT,
	       "debuginfo_find: a 1-byte build-id finds nothing");
	is_int(debuginfo_find(NULL, NULL, 0, &found), -ENOENT, "debuginfo_find: nothing to go by");

	err = 0;
	err = srcline_open(tmp("stripped"), NULL, 0, &s);
	if (ok(s, "srcline_open on the stripped program finds its debug file (%d)", err))
		check_frames(s, p, "build-id debug file");
	srcline_close(s);
	err = 0;
	err = srcline_open("[vdso]", id, (size_t)n, &s);
	ok(s, "srcline_open by build-id alone (%d)", err);
	srcline_close(s);

	/* a file at the right place with another build-id (here none) is not it */
	snprintf(roots, sizeof(roots), "%s/root-wrong", tmpdir);
	debuginfo_set_roots(roots);
	is_int(debuginfo_find(tmp("stripped"), id, (size_t)n, &found), -ENOENT,
	       "debuginfo_find: a file without the same build-id is refused");
	debuginfo_set_roots(NULL);
}

static void by_debuglink(struct prog *p)
{
	char real[PATH_MAX], want[2 * PATH_MAX], roots[2 * PATH_MAX];
	uint8_t id[ELF_BUILD_ID_LIMIT];
	struct srcline *s;
	char *found = NULL;
	int n, err = 0;

	/* the build-id lookup is kept from finding it, so that only the link can */
	debuginfo_set_roots(tmp("root-empty"));
	if (run("cd '%s' && mkdir -p bin/.debug root-link && "
		"objcopy --add-gnu-debuglink=prog.debug stripped bin/linked && "
		"cp prog.debug bin/prog.debug",
		tmpdir) != 0 ||
	    !realpath(tmp("bin"), real)) {
		ok(false, "set up the debuglink layout");
		return;
	}
	snprintf(want, sizeof(want), "%s/prog.debug", real);
	is_int(debuginfo_find(tmp("bin/linked"), NULL, 0, &found), 0, "debuglink: DIR/NAME");
	is_str(found, want, "debuglink: the file next to it");
	free(found);
	found = NULL;
	err = srcline_open(tmp("bin/linked"), NULL, 0, &s);
	if (ok(s, "srcline_open through the debuglink (%d)", err))
		check_frames(s, p, "debuglink debug file");
	srcline_close(s);
	n = elf_file_build_id(tmp("prog"), id, sizeof(id));
	ok(n > 0 && debuginfo_find(tmp("bin/linked"), id, (size_t)n, &found) == 0,
	   "debuglink: with the build-id the debug file has too");
	free(found);
	found = NULL;
	is_int(debuginfo_find(tmp("bin/linked"), other_id, sizeof(other_id), &found), -ENOENT,
	       "debuglink: refused when the debug file has another build-id");

	run("cd '%s' && mv bin/prog.debug bin/.debug/prog.debug", tmpdir);
	snprintf(want, sizeof(want), "%s/.debug/prog.debug", real);
	is_int(debuginfo_find(tmp("bin/linked"), NULL, 0, &found), 0, "debuglink: DIR/.debug/NAME");
	is_str(found, want, "debuglink: the file in .debug");
	free(found);
	found = NULL;

	run("cd '%s' && mkdir -p 'root-link%s' && mv bin/.debug/prog.debug 'root-link%s/'", tmpdir,
	    real, real);
	snprintf(roots, sizeof(roots), "%s/root-empty:%s/root-link", tmpdir, tmpdir);
	debuginfo_set_roots(roots);
	snprintf(want, sizeof(want), "%s/root-link%s/prog.debug", tmpdir, real);
	is_int(debuginfo_find(tmp("bin/linked"), NULL, 0, &found), 0, "debuglink: ROOT/DIR/NAME");
	is_str(found, want, "debuglink: the file under the root");
	free(found);
	found = NULL;

	/* one byte more: another CRC */
	run("cd '%s' && mv 'root-link%s/prog.debug' bin/ && echo >> bin/prog.debug", tmpdir, real);
	is_int(debuginfo_find(tmp("bin/linked"), NULL, 0, &found), -ENOENT,
	       "debuglink: a CRC mismatch is refused");
	err = srcline_open(tmp("bin/linked"), NULL, 0, &s);
	ok(!s && err == -ENOENT, "srcline_open: no DWARF then (%d)", err);
	srcline_close(s);
	is_int(debuginfo_find(tmp("stripped"), NULL, 0, &found), -ENOENT,
	       "debuglink: an object without one");
	debuginfo_set_roots(NULL);
}

/* ---- C++: the linkage name, which the caller demangles ---- */

/* libstdc++ loads: demangling works */
static bool cxx_runtime(void)
{
	void *lib = dlopen("libstdc++.so.6", RTLD_LAZY | RTLD_LOCAL);

	if (lib)
		dlclose(lib);
	return lib != NULL;
}

static void cxx_names(void)
{
	struct srcline_frame f[8];
	uint64_t start, size;
	struct srcline *s;
	char *d;
	int n, err = 0;

	if (!have("c++")) {
		ok(true, "# SKIP c++ is not installed: no C++ linkage names");
		return;
	}
	if (!write_file(tmp("prog.cc"), cxx_src, strlen(cxx_src)) ||
	    run("cd '%s' && c++ -O2 -g -o progxx prog.cc", tmpdir) != 0 ||
	    !elf_find(tmp("progxx"), "_ZN2ns5twiceEi", false, &start, &size)) {
		ok(false, "build the C++ program");
		return;
	}
	err = srcline_open(tmp("progxx"), NULL, 0, &s);
	if (!ok(s, "srcline_open on the C++ program (%d)", err))
		return;
	n = lookup(s, start, f);
	ok(n >= 1 && !strcmp(str(f[n - 1].function), "_ZN2ns5twiceEi"),
	   "C++: the function is its linkage name: %s", str(n ? f[n - 1].function : NULL));
	d = n >= 1 ? demangle(f[n - 1].function) : NULL;
	if (cxx_runtime())
		is_str(d, "ns::twice(int)", "C++: which demangles");
	free(d);
	srcline_close(s);
}

/* ---- damaged and foreign files ---- */

static void expect_refused(const char *path, int want, const char *what)
{
	struct srcline *s;
	char *found = NULL;
	int err = 0, ret;

	err = srcline_open(path, NULL, 0, &s);
	ok(!s && (want == 0 ? err < 0 : err == want), "srcline_open %s: refused (%d)", what, err);
	srcline_close(s);
	ret = debuginfo_find(path, NULL, 0, &found);
	ok(ret < 0 && !found, "debuginfo_find %s: none (%d)", what, ret);
	free(found);
}

/* Overwrites len bytes at off of a copy of src, written to dst. */
static bool patched_copy(const char *src, const char *dst, size_t off, const void *bytes,
			 size_t len)
{
	size_t n = 0;
	char *buf = read_file(src, &n);
	bool good = buf && off <= n && len <= n - off;

	if (good) {
		memcpy(buf + off, bytes, len);
		good = write_file(dst, buf, n);
	}
	free(buf);
	return good;
}

static void lookups_survive(const char *path, const struct prog *p, int *opened)
{
	struct srcline_frame f[8];
	struct srcline *s;

	if (srcline_open(path, NULL, 0, &s) < 0)
		return;
	(*opened)++;
	for (uint64_t a = p->outer; a < p->outer + p->outer_size; a++)
		(void)lookup(s, a, f);
	for (uint64_t a = p->helper; a < p->helper + p->helper_size; a++)
		(void)lookup(s, a, f);
	for (uint64_t a = p->main; a < p->main + p->main_size; a++)
		(void)lookup(s, a, f);
	srcline_close(s);
}

/*
 * Damaged DWARF: bytes of the debug sections replaced, a few at a time, by
 * values a parser must not trust (0xff makes huge LEB128 numbers and sizes).
 */
static void damaged_dwarf(const struct prog *p)
{
	static const char *const sections[] = {
		".debug_info", ".debug_abbrev", ".debug_line",	   ".debug_str",
		".debug_aranges", ".debug_rnglists", ".debug_line_str", ".debug_loclists",
	};
	uint32_t rng = 12345;
	size_t n = 0;
	char *orig = read_file(tmp("prog"), &n);
	int variants = 0, opened = 0;

	if (!ok(orig, "read the program"))
		return;
	for (size_t si = 0; si < sizeof(sections) / sizeof(sections[0]); si++) {
		uint64_t off, size;

		if (!elf_find(tmp("prog"), sections[si], true, &off, &size) || !size ||
		    off + size > n)
			continue;
		for (int v = 0; v < 12; v++) {
			char *buf = malloc(n);

			memcpy(buf, orig, n);
			for (int k = 0; k < 1 + v % 4; k++) {
				rng = rng * 1103515245u + 12345u;
				char b = v % 3 == 0 ? (char)0xff : v % 3 == 1 ? 0 : (char)(rng >> 3);

				buf[off + (rng >> 8) % size] = b;
			}
			if (write_file(tmp("damaged"), buf, n)) {
				variants++;
				lookups_survive(tmp("damaged"), p, &opened);
			}
			free(buf);
		}
	}
	ok(variants > 0, "damaged DWARF: %d copies read without a crash (%d opened)", variants,
	   opened);
	free(orig);
}

static void hostile(const struct prog *p)
{
	static const size_t cuts[] = { 0, 16, 63, 64, 1000, 4096 };
	char *buf;
	size_t n = 0;
	int opened = 0;

	expect_refused("/dev/null", -ENOEXEC, "/dev/null");
	expect_refused(tmp("prog.c"), -ENOEXEC, "a C source");
	expect_refused(tmp("nonexistent"), -ENOENT, "a missing file");
	expect_refused(tmpdir, -ENOEXEC, "a directory");
	expect_refused("[vdso]", -ENOENT, "[vdso] without a build-id");

	buf = read_file(tmp("prog"), &n);
	if (!ok(buf && n > 8192, "read the program (%zu bytes)", n)) {
		free(buf);
		return;
	}
	for (size_t i = 0; i < sizeof(cuts) / sizeof(cuts[0]); i++) {
		char what[64];

		snprintf(what, sizeof(what), "the first %zu bytes", cuts[i]);
		if (write_file(tmp("truncated"), buf, cuts[i]))
			expect_refused(tmp("truncated"), 0, what);
	}
	if (write_file(tmp("truncated"), buf, n / 2))
		expect_refused(tmp("truncated"), 0, "half of the program");
	/* the section headers end the file: without their last byte, DWARF may still be there */
	if (write_file(tmp("truncated"), buf, n - 1))
		lookups_survive(tmp("truncated"), p, &opened);
	ok(true, "the program less its last byte: no crash (%s)", opened ? "opened" : "refused");
	free(buf);
	damaged_dwarf(p);
}

static void damaged_debuglink(void)
{
	char bytes[64], *found = NULL;
	uint64_t off, size;

	if (!elf_find(tmp("bin/linked"), ".gnu_debuglink", true, &off, &size) || size < 16 ||
	    size > sizeof(bytes)) {
		ok(false, "find .gnu_debuglink of the linked program");
		return;
	}
	debuginfo_set_roots(tmp("root-empty"));
	/* the debug file back as it was: the links below would match but for their damage */
	run("cd '%s' && objcopy --only-keep-debug prog bin/prog.debug", tmpdir);
	ok(debuginfo_find(tmp("bin/linked"), NULL, 0, &found) == 0,
	   "debuglink: the intact link finds the file again");
	free(found);
	memset(bytes, 'A', size);
	if (patched_copy(tmp("bin/linked"), tmp("bin/nonul"), off, bytes, size))
		expect_refused(tmp("bin/nonul"), 0, "a debuglink without its NUL");
	memcpy(bytes, "../prog.debug", 14);
	if (patched_copy(tmp("bin/linked"), tmp("bin/slash"), off, bytes, 14))
		expect_refused(tmp("bin/slash"), 0, "a debuglink naming a path");
	memset(bytes, 0, size);
	if (patched_copy(tmp("bin/linked"), tmp("bin/empty"), off, bytes, size))
		expect_refused(tmp("bin/empty"), 0, "an empty debuglink");
	memcpy(bytes, "prog.debug", 11);
	memset(bytes + 11, 0, size - 11);
	if (patched_copy(tmp("bin/linked"), tmp("bin/crc0"), off, bytes, size))
		expect_refused(tmp("bin/crc0"), 0, "a debuglink with CRC 0");
	debuginfo_set_roots(NULL);
}

int main(void)
{
	const char *t = getenv("TMPDIR");
	struct prog prog;
	bool binutils;

	/* the commands quote paths with '' */
	if (!t || !*t || strchr(t, '\'') || strlen(t) > 200)
		t = "/tmp";
	snprintf(tmpdir, sizeof(tmpdir), "%s/pmuprof-test-srcline.XXXXXX", t);
	if (!mkdtemp(tmpdir)) {
		diag("mkdtemp %s: %s", tmpdir, strerror(errno));
		return 1;
	}
	binutils = have("objcopy") && have("strip");
	if (!have("cc")) {
		ok(true, "# SKIP cc is not installed: no program to read source lines of");
	} else if (ok(build_prog(&prog, "prog", ""), "cc -O2 -g builds the program")) {
		lines_in_object(&prog);
		split_dwarf();
		hostile(&prog);
		if (binutils) {
			by_build_id(&prog);
			by_debuglink(&prog);
			damaged_debuglink();
		} else {
			ok(true, "# SKIP objcopy or strip is not installed: no debug files");
		}
		cxx_names();
	}
	run("rm -rf '%s'", tmpdir);
	return done_testing();
}
