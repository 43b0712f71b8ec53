// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ELF objects: the test itself (PIE), libc, the workloads (PIE and not), the
 * vDSO from memory, a small hand-made image whose every symbol rule has a
 * known answer, and damaged files, which must fail cleanly (run it under
 * --enable-sanitizers too).
 */
#include "resolve/elf.h"
#include "tap.h"

#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <inttypes.h>
#include <link.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

int test_marker_function(int x);

__attribute__((noinline)) int test_marker_function(int x)
{
	return x * 3 + 1;
}

static char tmpdir[] = "/tmp/pmuprof-test-elf.XXXXXX";

/* ---- where things are loaded, from /proc/self/maps and the dynamic linker ---- */

struct mapping {
	uint64_t start, end, pgoff;
	char path[4096];
};

static bool find_mapping(uint64_t addr, struct mapping *m)
{
	char line[4096 + 128];
	FILE *f = fopen("/proc/self/maps", "r");
	bool found = false;

	while (f && !found && fgets(line, sizeof(line), f)) {
		int n = 0;

		if (sscanf(line, "%" SCNx64 "-%" SCNx64 " %*s %" SCNx64 " %*s %*s %n", &m->start,
			   &m->end, &m->pgoff, &n) < 3 ||
		    addr < m->start || addr >= m->end)
			continue;
		snprintf(m->path, sizeof(m->path), "%s", n ? line + n : "");
		m->path[strcspn(m->path, "\n")] = '\0';
		found = true;
	}
	if (f)
		fclose(f);
	return found;
}

struct loaded {
	uint64_t addr, bias;
	const ElfW(Phdr) * phdr;
	size_t phnum;
	bool found;
};

static int find_loaded(struct dl_phdr_info *info, size_t size, void *data)
{
	struct loaded *l = data;

	for (size_t i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		uint64_t start = info->dlpi_addr + ph->p_vaddr;

		if (ph->p_type == PT_LOAD && l->addr >= start && l->addr - start < ph->p_memsz) {
			l->bias = info->dlpi_addr;
			l->phdr = info->dlpi_phdr;
			l->phnum = info->dlpi_phnum;
			l->found = true;
			return 1;
		}
	}
	return 0;
}

/* The dynamic linker's load bias for the object at addr: what to_vaddr must agree with. */
static bool load_bias(uint64_t addr, struct loaded *l)
{
	memset(l, 0, sizeof(*l));
	l->addr = addr;
	dl_iterate_phdr(find_loaded, l);
	return l->found;
}

/* A running function resolves through its mapping, as the report resolves a sample. */
static void resolve_running(uint64_t addr, const char *want, bool exact, const char *what)
{
	uint64_t vaddr = 0, start = 0, size = 0;
	struct elf_object *o = NULL;
	struct mapping m;
	struct loaded l;
	const char *name;

	if (!ok(find_mapping(addr, &m) && load_bias(addr, &l), "%s: mapping and load bias found",
		what))
		return;
	if (!is_int(elf_object_new(m.path, &o), 0, what))
		return;
	diag("%s: %s, mapped at %#" PRIx64 " from offset %#" PRIx64 ", bias %#" PRIx64, what,
	     m.path, m.start, m.pgoff, l.bias);
	ok(elf_object_nsymbols(o) > 0, "%s: has function symbols (%zu)", what,
	   elf_object_nsymbols(o));
	is_int(elf_object_to_vaddr(o, m.start, m.pgoff, addr, &vaddr), 0, "to_vaddr succeeds");
	ok(vaddr == addr - l.bias, "%s: vaddr %#" PRIx64 " is the address less the bias", what,
	   vaddr);
	name = elf_object_symbol(o, vaddr, &start, &size);
	if (exact)
		is_str(name, want, "the symbol's name");
	else
		ok(name && strstr(name, want), "%s: named %s", what, name ? name : "(none)");
	ok(name && start == vaddr && size > 1, "%s: starts at the function, size %" PRIu64, what,
	   size);
	name = elf_object_symbol(o, vaddr + 1, &start, &size);
	ok(name && start == vaddr, "%s: a byte inside names it too", what);
	is_int(elf_object_to_vaddr(o, m.start, m.pgoff, m.start - 1, &vaddr), -ENOENT,
	       "below the mapping: -ENOENT");
	elf_object_free(o);
}

/* ---- build-ids ---- */

/* The build-id from the test's own PT_NOTE as loaded in memory, independent of the module. */
static size_t loaded_build_id(uint8_t *buf, size_t max)
{
	struct loaded l;

	if (!load_bias((uintptr_t)&test_marker_function, &l))
		return 0;
	for (size_t i = 0; i < l.phnum; i++) {
		const unsigned char *p =
			(const unsigned char *)(uintptr_t)(l.bias + l.phdr[i].p_vaddr);
		size_t off = 0, len = l.phdr[i].p_filesz;

		if (l.phdr[i].p_type != PT_NOTE || l.phdr[i].p_align > 4)
			continue;
		while (off + sizeof(ElfW(Nhdr)) <= len) {
			ElfW(Nhdr) nh;
			size_t name = off + sizeof(nh), desc;

			memcpy(&nh, p + off, sizeof(nh));
			desc = name + ((nh.n_namesz + 3) & ~3u);
			if (nh.n_type == NT_GNU_BUILD_ID && nh.n_namesz == 4 &&
			    !memcmp(p + name, "GNU", 4) && nh.n_descsz <= max) {
				memcpy(buf, p + desc, nh.n_descsz);
				return nh.n_descsz;
			}
			off = desc + ((nh.n_descsz + 3) & ~3u);
		}
	}
	return 0;
}

static void build_ids(void)
{
	uint8_t a[64], b[64], c[64], small[8];
	struct elf_object *o;
	struct mapping m;
	size_t n;
	int fn;

	fn = elf_file_build_id("/proc/self/exe", a, sizeof(a));
	is_int(fn, 20, "elf_file_build_id: the test has a 20-byte build-id");
	if (!is_int(elf_object_new("/proc/self/exe", &o), 0, "open /proc/self/exe"))
		return;
	n = elf_object_build_id(o, b, sizeof(b));
	is_int((long long)n, 20, "elf_object_build_id: the same length");
	ok(fn == 20 && !memcmp(a, b, 20), "and the same bytes");
	ok(loaded_build_id(c, sizeof(c)) == 20 && !memcmp(a, c, 20),
	   "equal to the note the loader mapped");
	memset(small, 0xee, sizeof(small));
	n = elf_object_build_id(o, small, 4);
	ok(n == 20 && !memcmp(small, b, 4) && small[4] == 0xee,
	   "a short buffer gets max bytes, the return value the full length");
	memset(small, 0xee, sizeof(small));
	fn = elf_file_build_id("/proc/self/exe", small, 4);
	ok(fn == 20 && !memcmp(small, b, 4) && small[4] == 0xee, "the same from the file");
	elf_object_free(o);

	if (find_mapping((uintptr_t)&getpid, &m) && m.path[0] == '/' &&
	    elf_object_new(m.path, &o) == 0) {
		fn = elf_file_build_id(m.path, a, sizeof(a));
		n = elf_object_build_id(o, b, sizeof(b));
		ok(fn >= 0 && (size_t)fn == n && !memcmp(a, b, n),
		   "%s: both ways agree (%zu bytes)", m.path, n);
		elf_object_free(o);
	}
}

/* ---- the vDSO, from a copy in memory ---- */

static void vdso(void)
{
	uint64_t base = getauxval(AT_SYSINFO_EHDR), vaddr, start, size;
	struct elf_object *o;
	const char *found = NULL;
	struct mapping m;
	uint64_t found_start = 0;
	void *copy;

	if (!base || !find_mapping(base, &m) || strcmp(m.path, "[vdso]") || m.start != base) {
		diag("no vDSO: its checks are skipped");
		return;
	}
	copy = malloc(m.end - m.start);
	memcpy(copy, (const void *)(uintptr_t)base, m.end - m.start);
	is_int(elf_object_new_mem("[vdso]", copy, m.end - m.start, &o), 0, "open the vDSO copy");
	/* the module must not keep a pointer to the caller's image */
	memset(copy, 0xa5, m.end - m.start);
	free(copy);
	ok(elf_object_nsymbols(o) > 0, "the vDSO has symbols (%zu)", elf_object_nsymbols(o));
	for (uint64_t addr = base; addr < m.end && !found; addr++) {
		const char *name;

		if (elf_object_to_vaddr(o, base, 0, addr, &vaddr) < 0)
			continue;
		name = elf_object_symbol(o, vaddr, &start, &size);
		if (name && (strstr(name, "gettimeofday") || strstr(name, "clock_gettime"))) {
			found = name;
			found_start = start;
		}
	}
	ok(found != NULL, "a vDSO address resolves to %s", found ? found : "(nothing)");
	ok(found && elf_object_to_vaddr(o, base, 0, base + found_start, &vaddr) == 0 &&
		   vaddr == found_start,
	   "the vDSO is linked at 0: its bias is its base");
	elf_object_free(o);
}

/* ---- the workloads: a PIE and a -no-pie executable ---- */

struct exe_info {
	int type;
	GElf_Phdr text;
	uint64_t main_addr, main_size;
};

/* The text segment and main, read with gelf directly, so the module is checked against it. */
static bool read_exe(const char *path, struct exe_info *x)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	bool have_text = false, have_main = false;
	Elf_Scn *scn = NULL;
	size_t nph = 0;
	GElf_Ehdr eh;
	Elf *e;

	if (fd < 0)
		return false;
	elf_version(EV_CURRENT);
	e = elf_begin(fd, ELF_C_READ, NULL);
	if (e && gelf_getehdr(e, &eh) && elf_getphdrnum(e, &nph) == 0) {
		x->type = eh.e_type;
		for (size_t i = 0; i < nph && !have_text; i++)
			have_text = gelf_getphdr(e, (int)i, &x->text) &&
				    x->text.p_type == PT_LOAD && (x->text.p_flags & PF_X);
		while (!have_main && (scn = elf_nextscn(e, scn))) {
			GElf_Shdr sh;
			Elf_Data *d;

			if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_SYMTAB ||
			    !(d = elf_getdata(scn, NULL)) || !sh.sh_entsize)
				continue;
			for (size_t i = 0; i < sh.sh_size / sh.sh_entsize && !have_main; i++) {
				GElf_Sym sym;
				const char *name;

				if (!gelf_getsym(d, (int)i, &sym) ||
				    GELF_ST_TYPE(sym.st_info) != STT_FUNC)
					continue;
				name = elf_strptr(e, sh.sh_link, sym.st_name);
				if (name && !strcmp(name, "main")) {
					x->main_addr = sym.st_value;
					x->main_size = sym.st_size;
					have_main = true;
				}
			}
		}
	}
	if (e)
		elf_end(e);
	close(fd);
	return have_text && have_main;
}

/* Maps the text segment at base + its page-aligned p_vaddr, as the kernel would. */
static void workload(const char *dir, const char *exe, int want_type, uint64_t base)
{
	uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE), map_start, pgoff, vaddr = 0;
	uint64_t start = 0, size = 0;
	struct elf_object *o;
	struct exe_info x;
	const char *name;
	char path[4096];

	snprintf(path, sizeof(path), "%s/%s", dir, exe);
	if (!ok(read_exe(path, &x), "%s: text segment and main found with gelf", exe))
		return;
	is_int(x.type, want_type, want_type == ET_EXEC ? "ET_EXEC" : "ET_DYN");
	if (!is_int(elf_object_new(path, &o), 0, exe))
		return;
	map_start = base + (x.text.p_vaddr & ~(page - 1));
	pgoff = x.text.p_offset & ~(page - 1);
	diag("%s: text p_offset %#" PRIx64 " p_vaddr %#" PRIx64 ", main at %#" PRIx64, exe,
	     (uint64_t)x.text.p_offset, (uint64_t)x.text.p_vaddr, x.main_addr);
	is_int(elf_object_to_vaddr(o, map_start, pgoff, base + x.main_addr, &vaddr), 0,
	       "main's runtime address translates");
	ok(vaddr == x.main_addr, "%s: to main's st_value (%#" PRIx64 ")", exe, vaddr);
	name = elf_object_symbol(o, vaddr, &start, &size);
	is_str(name, "main", "named main");
	ok(start == x.main_addr && size == x.main_size, "%s: main's start and size", exe);
	is_int(elf_object_to_vaddr(o, map_start, pgoff,
				   map_start + (x.text.p_offset - pgoff) + x.text.p_filesz - 1,
				   &vaddr),
	       0, "the last byte of the segment translates");
	ok(vaddr == x.text.p_vaddr + x.text.p_filesz - 1, "%s: to the segment's last address",
	   exe);
	elf_object_free(o);
}

/* ---- PLT stubs, against objdump's names for them ---- */

/*
 * Every "name@plt" objdump shows in .plt, .plt.sec and .plt.got (binutils
 * finds them its own way, by decoding each stub's jump) must be the symbol
 * at that address, starting there; "*ABS*+0x...@plt" (IRELATIVE, no name)
 * is not looked for. must: one stub that has to be among them.
 */
static void plt_stubs(const char *path, const char *must, const char *what)
{
	char cmd[4200], line[4096], want[4096];
	unsigned named = 0, wrong = 0;
	bool found = false;
	struct elf_object *o;
	FILE *p;

	if (!ok(elf_object_new(path, &o) == 0, "%s: opens", what))
		return;
	snprintf(cmd, sizeof(cmd),
		 "objdump -d -j .plt -j .plt.sec -j .plt.got '%s' 2>/dev/null", path);
	p = popen(cmd, "r");
	while (p && fgets(line, sizeof(line), p)) {
		uint64_t addr, start = 0;
		const char *got;
		char *lt, *end;

		addr = strtoull(line, &end, 16);
		if (end == line || strncmp(end, " <", 2) || !(lt = strstr(end, "@plt>:")) ||
		    !strncmp(end + 2, "*ABS*", 5))
			continue;
		snprintf(want, sizeof(want), "%.*s@plt", (int)(lt - (end + 2)), end + 2);
		named++;
		got = elf_object_symbol(o, addr, &start, NULL);
		if (!got || strcmp(got, want) || start != addr) {
			if (wrong++ < 5)
				diag("%s: %#" PRIx64 " is %s, objdump says %s", what, addr,
				     got ? got : "(none)", want);
		}
		found |= !strcmp(want, must);
	}
	/* binutils comes with the compiler that built this test */
	if (ok(p && pclose(p) == 0, "%s: objdump reads it", what)) {
		ok(named > 0, "%s: objdump names %u stubs", what, named);
		ok(!wrong, "%s: pmuprof names each the same (%u differ)", what, wrong);
	}
	ok(found, "%s: %s among them", what, must);
	elf_object_free(o);
}

static void plt(const char *w)
{
	struct mapping libc;
	char path[4096];

	if (w) {
		snprintf(path, sizeof(path), "%s/plt", w);
		plt_stubs(path, "llabs@plt", "PIE, .plt and .plt.got");
		plt_stubs(path, "labs@plt", "PIE, .plt");
		snprintf(path, sizeof(path), "%s/plt-ibt", w);
		plt_stubs(path, "labs@plt", "IBT, .plt.sec");
		plt_stubs(path, "llabs@plt", "IBT, .plt.got of 16-byte entries");
		snprintf(path, sizeof(path), "%s/plt-nopie", w);
		plt_stubs(path, "labs@plt", "non-PIE");
	}
	/* libc's relocations are sorted, not in the order of its stubs */
	if (ok(find_mapping((uintptr_t)&getpid, &libc), "libc is mapped"))
		plt_stubs(libc.path, "realloc@plt", "libc");
}

/* ---- a hand-made image: every symbol rule with a known answer ---- */

#define TEXT_OFF  0x234 /* not page aligned, nor is p_vaddr: only their difference is */
#define TEXT_ADDR 0x401234
#define TEXT_SIZE 0x100
#define TEXT_END  (TEXT_ADDR + TEXT_SIZE)
#define NOTE_OFF  0x100
#define NOTE_SIZE (12 + 4 + 20)
#define BAD_NAME  0x7fff /* beyond the string table */

enum { SEC_TEXT = 1, SEC_SYMTAB, SEC_STRTAB, SEC_DYNSYM, SEC_DYNSTR, SEC_NOTE, SEC_NUM };

struct tsym {
	const char *name; /* NULL: BAD_NAME */
	uint64_t value, size;
	int bind, type;
	uint16_t shndx;
};

/* "ifunc" is the last name in .strtab, for the unterminated-table case. */
static const struct tsym symtab[] = {
	{ "alpha_local", 0x401240, 0x10, STB_LOCAL, STT_FUNC, SEC_TEXT },
	{ "alpha", 0x401240, 0x10, STB_GLOBAL, STT_FUNC, SEC_TEXT },
	{ "alpha_weak", 0x401240, 0x10, STB_WEAK, STT_FUNC, SEC_TEXT },
	{ "b_weak_long", 0x401250, 0x10, STB_WEAK, STT_FUNC, SEC_TEXT },
	{ "b_weak", 0x401250, 0x10, STB_WEAK, STT_FUNC, SEC_TEXT },
	{ "b_local", 0x401250, 0x10, STB_LOCAL, STT_FUNC, SEC_TEXT },
	{ "gap", 0x401260, 0, STB_GLOBAL, STT_FUNC, SEC_TEXT },
	{ "obj", 0x401270, 4, STB_GLOBAL, STT_OBJECT, SEC_TEXT },
	{ "undef", 0x401290, 0, STB_GLOBAL, STT_FUNC, SHN_UNDEF },
	{ "zero", 0, 0x10, STB_GLOBAL, STT_FUNC, SEC_TEXT },
	{ "abs", 0x4012a0, 0x10, STB_GLOBAL, STT_FUNC, SHN_ABS },
	{ "outside", 0x409000, 0x10, STB_GLOBAL, STT_FUNC, SEC_TEXT },
	{ NULL, 0x4012b0, 0x10, STB_GLOBAL, STT_FUNC, SEC_TEXT },
	{ "", 0x4012c0, 0x10, STB_GLOBAL, STT_FUNC, SEC_TEXT },
	{ "tail", 0x401300, 0, STB_LOCAL, STT_FUNC, SEC_TEXT },
	{ "ifunc", 0x401280, 8, STB_GLOBAL, STT_GNU_IFUNC, SEC_TEXT },
};

static const struct tsym dynsym[] = {
	{ "alpha", 0x401240, 0x10, STB_GLOBAL, STT_FUNC, SEC_TEXT },
	{ "dyn_only", 0x4012d0, 8, STB_GLOBAL, STT_FUNC, SEC_TEXT },
	{ "tail_alias", 0x401300, 0, STB_GLOBAL, STT_FUNC, SEC_TEXT },
};

struct image {
	_Alignas(8) unsigned char b[4096];
	size_t size, shoff;
};

static Elf64_Ehdr *ehdr(struct image *im)
{
	return (Elf64_Ehdr *)im->b;
}

static Elf64_Phdr *phdr(struct image *im, int i)
{
	return (Elf64_Phdr *)(im->b + sizeof(Elf64_Ehdr)) + i;
}

static Elf64_Shdr *shdr(struct image *im, int i)
{
	return (Elf64_Shdr *)(im->b + im->shoff) + i;
}

static size_t align8(size_t n)
{
	return (n + 7) & ~(size_t)7;
}

/* Writes a symbol table at off and its string table after it; returns the end. */
static size_t put_symbols(struct image *im, size_t off, const struct tsym *s, size_t n, int sec,
			  uint32_t type)
{
	Elf64_Sym *sym = (Elf64_Sym *)(im->b + off);
	size_t str = off + (n + 1) * sizeof(*sym), pos = 1;

	memset(sym, 0, sizeof(*sym));
	im->b[str] = '\0';
	for (size_t i = 0; i < n; i++) {
		Elf64_Sym *y = &sym[i + 1];

		y->st_info = (unsigned char)ELF64_ST_INFO(s[i].bind, s[i].type);
		y->st_value = s[i].value;
		y->st_size = s[i].size;
		y->st_shndx = s[i].shndx;
		if (!s[i].name) {
			y->st_name = BAD_NAME;
		} else if (!*s[i].name) {
			y->st_name = 0;
		} else {
			y->st_name = (uint32_t)pos;
			memcpy(im->b + str + pos, s[i].name, strlen(s[i].name) + 1);
			pos += strlen(s[i].name) + 1;
		}
	}
	*shdr(im, sec) = (Elf64_Shdr){ .sh_type = type, .sh_flags = SHF_ALLOC,
				       .sh_offset = off, .sh_size = (n + 1) * sizeof(*sym),
				       .sh_link = (uint32_t)sec + 1, .sh_info = 1,
				       .sh_addralign = 8, .sh_entsize = sizeof(*sym) };
	*shdr(im, sec + 1) = (Elf64_Shdr){ .sh_type = SHT_STRTAB, .sh_offset = str,
					   .sh_size = pos, .sh_addralign = 1 };
	return str + pos;
}

/*
 * Headers, a read-only PT_LOAD [0, 0x200) holding the build-id note, the
 * text PT_LOAD at file offset TEXT_OFF, the symbol tables, and the section
 * headers last, as linkers place them.
 */
static void build_image(struct image *im)
{
	static const uint8_t id[20] = { 1,  2,	3,  4,	5,  6,	7,  8,	9,  10,
					11, 12, 13, 14, 15, 16, 17, 18, 19, 20 };
	Elf64_Nhdr nh = { .n_namesz = 4, .n_descsz = sizeof(id), .n_type = NT_GNU_BUILD_ID };
	Elf64_Ehdr *eh = ehdr(im);
	size_t off;

	memset(im, 0, sizeof(*im));
	memcpy(eh->e_ident, ELFMAG, SELFMAG);
	eh->e_ident[EI_CLASS] = ELFCLASS64;
	eh->e_ident[EI_DATA] =
		__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ ? ELFDATA2LSB : ELFDATA2MSB;
	eh->e_ident[EI_VERSION] = EV_CURRENT;
	eh->e_type = ET_DYN;
	eh->e_machine = EM_X86_64;
	eh->e_version = EV_CURRENT;
	eh->e_phoff = sizeof(*eh);
	eh->e_ehsize = sizeof(*eh);
	eh->e_phentsize = sizeof(Elf64_Phdr);
	eh->e_phnum = 3;
	eh->e_shentsize = sizeof(Elf64_Shdr);
	eh->e_shnum = SEC_NUM;
	*phdr(im, 0) = (Elf64_Phdr){ .p_type = PT_LOAD, .p_flags = PF_R, .p_offset = 0,
				     .p_vaddr = 0x400000, .p_filesz = 0x200, .p_memsz = 0x200,
				     .p_align = 0x1000 };
	*phdr(im, 1) = (Elf64_Phdr){ .p_type = PT_LOAD, .p_flags = PF_R | PF_X,
				     .p_offset = TEXT_OFF, .p_vaddr = TEXT_ADDR,
				     .p_filesz = TEXT_SIZE, .p_memsz = TEXT_SIZE,
				     .p_align = 0x1000 };
	*phdr(im, 2) = (Elf64_Phdr){ .p_type = PT_NOTE, .p_flags = PF_R, .p_offset = NOTE_OFF,
				     .p_vaddr = 0x400000 + NOTE_OFF, .p_filesz = NOTE_SIZE,
				     .p_memsz = NOTE_SIZE, .p_align = 4 };
	memcpy(im->b + NOTE_OFF, &nh, sizeof(nh));
	memcpy(im->b + NOTE_OFF + sizeof(nh), "GNU", 4);
	memcpy(im->b + NOTE_OFF + sizeof(nh) + 4, id, sizeof(id));
	memset(im->b + TEXT_OFF, 0xcc, TEXT_SIZE);

	/* the section headers' place must be known before the tables fill them in */
	off = 0x340;
	off += (ARRAY_SIZE(symtab) + 1) * sizeof(Elf64_Sym) + 256;
	off += (ARRAY_SIZE(dynsym) + 1) * sizeof(Elf64_Sym) + 64;
	im->shoff = align8(off);
	eh->e_shoff = im->shoff;
	off = put_symbols(im, 0x340, symtab, ARRAY_SIZE(symtab), SEC_SYMTAB, SHT_SYMTAB);
	off = put_symbols(im, align8(off), dynsym, ARRAY_SIZE(dynsym), SEC_DYNSYM, SHT_DYNSYM);
	if (off > im->shoff)
		abort(); /* the reserve above is too small */
	*shdr(im, SEC_TEXT) = (Elf64_Shdr){ .sh_type = SHT_PROGBITS,
					    .sh_flags = SHF_ALLOC | SHF_EXECINSTR,
					    .sh_addr = TEXT_ADDR, .sh_offset = TEXT_OFF,
					    .sh_size = TEXT_SIZE, .sh_addralign = 4 };
	*shdr(im, SEC_NOTE) = (Elf64_Shdr){ .sh_type = SHT_NOTE, .sh_flags = SHF_ALLOC,
					    .sh_addr = 0x400000 + NOTE_OFF,
					    .sh_offset = NOTE_OFF, .sh_size = NOTE_SIZE,
					    .sh_addralign = 4 };
	im->size = im->shoff + SEC_NUM * sizeof(Elf64_Shdr);
}

static int write_file(const char *name, const void *buf, size_t len, char *path, size_t size)
{
	int fd;
	bool done;

	snprintf(path, size, "%s/%s", tmpdir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	done = write(fd, buf, len) == (ssize_t)len;
	close(fd);
	return done ? 0 : -EIO;
}

struct expect_sym {
	uint64_t addr;
	const char *name;
	uint64_t start, size;
	const char *why;
};

static const struct expect_sym expect[] = {
	{ 0x401240, "alpha", 0x401240, 0x10, "global over weak and local, across both tables" },
	{ 0x40124f, "alpha", 0x401240, 0x10, "the last byte of a sized function" },
	{ 0x401250, "b_weak", 0x401250, 0x10, "weak over local, then the shortest name" },
	{ 0x401265, "gap", 0x401260, 0x20, "size 0 reaches the next function" },
	{ 0x401270, "gap", 0x401260, 0x20, "objects do not end a function" },
	{ 0x401287, "ifunc", 0x401280, 8, "STT_GNU_IFUNC counts" },
	{ 0x401288, NULL, 0, 0, "past a sized function: a hole" },
	{ 0x4012a0, NULL, 0, 0, "SHN_ABS is not kept" },
	{ 0x4012b4, NULL, 0, 0, "a name beyond the string table is dropped" },
	{ 0x4012c0, NULL, 0, 0, "an empty name is dropped" },
	{ 0x4012d4, "dyn_only", 0x4012d0, 8, ".dynsym adds its own" },
	{ 0x401300, "tail_alias", 0x401300, 0x34, "a .dynsym global over a .symtab local" },
	{ 0x401333, "tail_alias", 0x401300, 0x34, "size 0 stops at its section's end" },
	{ 0x401334, NULL, 0, 0, "nothing past the section" },
	{ 0x40123f, NULL, 0, 0, "nothing before the first" },
	{ 0, NULL, 0, 0, "st_value 0 is not kept" },
	{ 0x409000, NULL, 0, 0, "a function outside its section is not kept" },
};

static void check_synthetic(struct elf_object *o, const char *how)
{
	uint64_t vaddr = 0;
	uint8_t id[32];
	bool good = true;

	is_int((long long)elf_object_nsymbols(o), 6, "six functions after merging and dedup");
	for (size_t i = 0; i < ARRAY_SIZE(expect); i++) {
		const struct expect_sym *e = &expect[i];
		uint64_t start = 0, size = 0;
		const char *name = elf_object_symbol(o, e->addr, &start, &size);

		if (e->name ? !name || strcmp(name, e->name) || start != e->start ||
				      size != e->size
			    : name != NULL) {
			diag("%s: %#" PRIx64 ": got %s %#" PRIx64 "+%#" PRIx64 ", want %s: %s",
			     how, e->addr, name ? name : "(none)", start, size,
			     e->name ? e->name : "(none)", e->why);
			good = false;
		}
	}
	ok(good, "%s: every symbol rule gives the expected answer", how);
	ok(elf_object_symbol(o, 0x401241, NULL, NULL) != NULL, "start and size may be NULL");

	/* text at file offset 0x234 in a mapping from offset 0 at 0x7f1234560000 */
	is_int(elf_object_to_vaddr(o, 0x7f1234560000, 0, 0x7f1234560240, &vaddr), 0,
	       "unaligned p_offset: translates");
	ok(vaddr == 0x401240, "%s: file offset 0x240 is %#" PRIx64 " (0x401240)", how, vaddr);
	ok(elf_object_to_vaddr(o, 0x7f1234560000, 0, 0x7f1234560100, &vaddr) == 0 &&
		   vaddr == 0x400100,
	   "%s: the read-only segment too", how);
	ok(elf_object_to_vaddr(o, 0x7f1234560000, 0, 0x7f1234560210, &vaddr) == -ENOENT &&
		   elf_object_to_vaddr(o, 0x7f1234560000, 0, 0x7f1234560334, &vaddr) == -ENOENT &&
		   elf_object_to_vaddr(o, 0x7f1234561000, 0x1000, 0x7f1234561000, &vaddr) ==
			   -ENOENT &&
		   elf_object_to_vaddr(o, 0x7f1234560000, 0, 0x7f123455ffff, &vaddr) == -ENOENT &&
		   elf_object_to_vaddr(o, 0, UINT64_MAX, 0x10, &vaddr) == -ENOENT,
	   "%s: offsets no PT_LOAD holds, or out of the mapping: -ENOENT", how);
	ok(elf_object_build_id(o, id, sizeof(id)) == 20 && id[0] == 1 && id[19] == 20,
	   "%s: build-id from PT_NOTE", how);
}

enum damage {
	DMG_SHOFF_END,
	DMG_SHOFF_HUGE,
	DMG_SHNUM_HUGE,
	DMG_SHNUM_EXTENDED,
	DMG_SHENTSIZE,
	DMG_PHOFF_END,
	DMG_PHNUM_XNUM,
	DMG_ET_REL,
	DMG_CLASS,
	DMG_SYMTAB_OFF,
	DMG_SYMTAB_SIZE,
	DMG_SYMTAB_LINK,
	DMG_SYMTAB_LINK_SELF,
	DMG_SYMTAB_ENTSIZE,
	DMG_STRTAB_UNTERMINATED,
	DMG_STRTAB_NOBITS,
	DMG_NOTE_DESCSZ,
	DMG_NOTE_NAMESZ,
	DMG_NOTE_PT_NULL,
	DMG_TEXT_FILESZ,
	DMG_TEXT_SHSIZE,
};

static const struct {
	enum damage d;
	const char *what;
	int ret;
	long nsyms, build_id;
} damages[] = {
	{ DMG_SHOFF_END, "section headers past the end", -ENOEXEC, 0, 0 },
	{ DMG_SHOFF_HUGE, "section header offset 2^40", -ENOEXEC, 0, 0 },
	{ DMG_SHNUM_HUGE, "65280 section headers", -ENOEXEC, 0, 0 },
	{ DMG_SHNUM_EXTENDED, "extended section count", -ENOEXEC, 0, 0 },
	{ DMG_SHENTSIZE, "wrong e_shentsize", -ENOEXEC, 0, 0 },
	{ DMG_PHOFF_END, "program headers past the end", -ENOEXEC, 0, 0 },
	{ DMG_PHNUM_XNUM, "PN_XNUM program headers", -ENOEXEC, 0, 0 },
	{ DMG_ET_REL, "a relocatable object", -ENOEXEC, 0, 0 },
	{ DMG_CLASS, "an unknown class", -ENOEXEC, 0, 0 },
	{ DMG_SYMTAB_OFF, ".symtab past the end: .dynsym only", 0, 3, 20 },
	{ DMG_SYMTAB_SIZE, ".symtab size 2^60: .dynsym only", 0, 3, 20 },
	{ DMG_SYMTAB_LINK, ".symtab sh_link out of range", 0, 3, 20 },
	{ DMG_SYMTAB_LINK_SELF, ".symtab linked to itself", 0, 3, 20 },
	{ DMG_SYMTAB_ENTSIZE, ".symtab entsize 0", 0, 3, 20 },
	{ DMG_STRTAB_UNTERMINATED, "unterminated last name: ifunc dropped", 0, 5, 20 },
	{ DMG_STRTAB_NOBITS, ".strtab NOBITS", 0, 3, 20 },
	{ DMG_NOTE_DESCSZ, "note descsz 2^32-1: no build-id", 0, 6, 0 },
	{ DMG_NOTE_NAMESZ, "note namesz 2^32-1: no build-id", 0, 6, 0 },
	{ DMG_NOTE_PT_NULL, "no PT_NOTE: the build-id from SHT_NOTE", 0, 6, 20 },
	{ DMG_TEXT_FILESZ, "text PT_LOAD past the end: not used", 0, 6, 20 },
	{ DMG_TEXT_SHSIZE, ".text size 2^63: \"outside\" is inside", 0, 7, 20 },
};

static void damage(struct image *im, enum damage d)
{
	Elf64_Nhdr *nh = (Elf64_Nhdr *)(im->b + NOTE_OFF);

	switch (d) {
	case DMG_SHOFF_END:
		ehdr(im)->e_shoff = im->size - sizeof(Elf64_Shdr) * 2;
		break;
	case DMG_SHOFF_HUGE:
		ehdr(im)->e_shoff = (uint64_t)1 << 40;
		break;
	case DMG_SHNUM_HUGE:
		ehdr(im)->e_shnum = SHN_LORESERVE;
		break;
	case DMG_SHNUM_EXTENDED:
		ehdr(im)->e_shnum = 0;
		shdr(im, 0)->sh_size = 0x7fffffff;
		break;
	case DMG_SHENTSIZE:
		ehdr(im)->e_shentsize = 32;
		break;
	case DMG_PHOFF_END:
		ehdr(im)->e_phoff = im->size - sizeof(Elf64_Phdr);
		break;
	case DMG_PHNUM_XNUM:
		ehdr(im)->e_phnum = PN_XNUM;
		shdr(im, 0)->sh_info = 3;
		break;
	case DMG_ET_REL:
		ehdr(im)->e_type = ET_REL;
		break;
	case DMG_CLASS:
		ehdr(im)->e_ident[EI_CLASS] = 7;
		break;
	case DMG_SYMTAB_OFF:
		shdr(im, SEC_SYMTAB)->sh_offset = im->size;
		break;
	case DMG_SYMTAB_SIZE:
		shdr(im, SEC_SYMTAB)->sh_size = (uint64_t)1 << 60;
		break;
	case DMG_SYMTAB_LINK:
		shdr(im, SEC_SYMTAB)->sh_link = 200;
		break;
	case DMG_SYMTAB_LINK_SELF:
		shdr(im, SEC_SYMTAB)->sh_link = SEC_SYMTAB;
		break;
	case DMG_SYMTAB_ENTSIZE:
		shdr(im, SEC_SYMTAB)->sh_entsize = 0;
		break;
	case DMG_STRTAB_UNTERMINATED:
		shdr(im, SEC_STRTAB)->sh_size--;
		break;
	case DMG_STRTAB_NOBITS:
		shdr(im, SEC_STRTAB)->sh_type = SHT_NOBITS;
		break;
	case DMG_NOTE_DESCSZ:
		nh->n_descsz = UINT32_MAX;
		break;
	case DMG_NOTE_NAMESZ:
		nh->n_namesz = UINT32_MAX;
		break;
	case DMG_NOTE_PT_NULL:
		phdr(im, 2)->p_type = PT_NULL;
		break;
	case DMG_TEXT_FILESZ:
		phdr(im, 1)->p_filesz = im->size;
		break;
	case DMG_TEXT_SHSIZE:
		shdr(im, SEC_TEXT)->sh_size = (uint64_t)1 << 63;
		break;
	}
}

/* Opens the image from memory and from a file: both must give the same answer. */
static int open_both(const struct image *im, size_t size, struct elf_object **o, int *file_ret,
		     long *file_nsyms)
{
	struct elf_object *fo = NULL;
	char path[4096];
	int ret;

	ret = elf_object_new_mem("synthetic", im->b, size, o);
	*file_ret = write_file("synthetic", im->b, size, path, sizeof(path));
	if (*file_ret == 0)
		*file_ret = elf_object_new(path, &fo);
	*file_nsyms = fo ? (long)elf_object_nsymbols(fo) : 0;
	elf_object_free(fo);
	return ret;
}

static void synthetic(void)
{
	static struct image im, dm;
	struct elf_object *o = NULL;
	long file_nsyms;
	char path[4096];
	uint8_t id[32];
	int ret, file_ret;
	bool clean = true;

	build_image(&im);
	if (!is_int(elf_object_new_mem("synthetic", im.b, im.size, &o), 0,
		    "the hand-made image opens from memory"))
		return;
	check_synthetic(o, "memory");
	elf_object_free(o);
	if (write_file("synthetic", im.b, im.size, path, sizeof(path)) == 0 &&
	    is_int(elf_object_new(path, &o), 0, "and from a file")) {
		check_synthetic(o, "file");
		elf_object_free(o);
		is_int(elf_file_build_id(path, id, sizeof(id)), 20, "elf_file_build_id on it");
	}

	for (size_t i = 0; i < ARRAY_SIZE(damages); i++) {
		uint64_t start, size;

		dm = im;
		damage(&dm, damages[i].d);
		o = NULL;
		ret = open_both(&dm, dm.size, &o, &file_ret, &file_nsyms);
		if (ret == 0) {
			ok(damages[i].ret == 0 && file_ret == 0 &&
				   (long)elf_object_nsymbols(o) == damages[i].nsyms &&
				   file_nsyms == damages[i].nsyms &&
				   (long)elf_object_build_id(o, id, sizeof(id)) ==
					   damages[i].build_id,
			   "%s: opens, %zu symbols (file %ld), build-id %zu", damages[i].what,
			   elf_object_nsymbols(o), file_nsyms,
			   elf_object_build_id(o, id, sizeof(id)));
			/* what is left must still be safe to look up */
			for (uint64_t a = 0x401200; a < 0x401400; a++)
				elf_object_symbol(o, a, &start, &size);
			elf_object_free(o);
		} else {
			ok(ret == damages[i].ret && file_ret == ret, "%s: %d (file %d)",
			   damages[i].what, ret, file_ret);
		}
	}

	/* the section headers come last, so every proper prefix lacks them */
	for (size_t len = 0; len < im.size; len++) {
		ret = elf_object_new_mem("prefix", im.b, len, &o);
		if (ret == 0)
			elf_object_free(o);
		if (ret != -ENOEXEC) {
			diag("prefix of %zu bytes: %d", len, ret);
			clean = false;
		}
	}
	ok(clean, "every truncation of the image: -ENOEXEC");

	/* random damage: only the absence of crashes (and sanitizer reports) is checked */
	{
		uint32_t seed = 12345;
		size_t opened = 0;

		for (int round = 0; round < 4000; round++) {
			uint8_t bid[8];

			dm = im;
			for (int k = 0; k < 1 + round % 4; k++) {
				seed = seed * 1103515245 + 12345;
				dm.b[(seed >> 8) % im.size] ^= (uint8_t)(1u << ((seed >> 28) % 8));
			}
			if (elf_object_new_mem("fuzz", dm.b, im.size, &o) != 0)
				continue;
			opened++;
			elf_object_build_id(o, bid, sizeof(bid));
			for (uint64_t a = 0x401230; a < 0x401340; a++) {
				uint64_t v, start, size;

				elf_object_symbol(o, a, &start, &size);
				if (elf_object_to_vaddr(o, 0x10000, 0, a - 0x3f1000, &v) == 0)
					elf_object_symbol(o, v, &start, &size);
			}
			elf_object_free(o);
		}
		ok(opened > 0, "4000 randomly damaged images: no crash (%zu opened)", opened);
	}
}

/* ---- damaged and foreign files ---- */

static const struct {
	const char *name;
	size_t len;
} cuts[] = { { "cut-100", 100 }, { "cut-4096", 4096 }, { "cut-64", 64 }, { "cut-20", 20 } };

static void hostile_files(void)
{
	static const char text[] = "#!/bin/sh\necho this is not an ELF file\n";
	unsigned char zeros[4096] = { 0 }, *exe = NULL;
	struct elf_object *o = NULL;
	ssize_t got = -1;
	uint8_t id[32];
	char path[4096];
	struct stat st;
	int fd;

	fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	if (fd >= 0 && fstat(fd, &st) == 0 && st.st_size > 4096) {
		exe = malloc((size_t)st.st_size);
		got = read(fd, exe, (size_t)st.st_size);
	}
	if (fd >= 0)
		close(fd);
	if (!ok(exe && got == st.st_size, "read the test's own file (%zd bytes)", got)) {
		free(exe);
		return;
	}

	for (size_t i = 0; i < ARRAY_SIZE(cuts); i++) {
		if (write_file(cuts[i].name, exe, cuts[i].len, path, sizeof(path)) < 0)
			continue;
		is_int(elf_object_new(path, &o), -ENOEXEC, cuts[i].name);
		is_int(elf_file_build_id(path, id, sizeof(id)), -ENOEXEC,
		       "  and elf_file_build_id");
	}
	if (write_file("zeros", zeros, sizeof(zeros), path, sizeof(path)) == 0) {
		is_int(elf_object_new(path, &o), -ENOEXEC, "4 KiB of zeros");
		is_int(elf_file_build_id(path, id, sizeof(id)), -ENOEXEC,
		       "  and elf_file_build_id");
	}
	if (write_file("empty", zeros, 0, path, sizeof(path)) == 0)
		is_int(elf_object_new(path, &o), -ENOEXEC, "an empty file");
	if (write_file("text", text, sizeof(text) - 1, path, sizeof(path)) == 0) {
		is_int(elf_object_new(path, &o), -ENOEXEC, "a text file");
		is_int(elf_file_build_id(path, id, sizeof(id)), -ENOEXEC,
		       "  and elf_file_build_id");
	}
	/* the real executable, with its section headers moved past its end */
	if (exe[EI_CLASS] == ELFCLASS64) {
		Elf64_Ehdr eh;

		memcpy(&eh, exe, sizeof(eh));
		eh.e_shoff = (uint64_t)got + 4096;
		memcpy(exe, &eh, sizeof(eh));
		if (write_file("shoff", exe, (size_t)got, path, sizeof(path)) == 0) {
			is_int(elf_object_new(path, &o), -ENOEXEC,
			       "the test with e_shoff past its end");
			is_int(elf_file_build_id(path, id, sizeof(id)), -ENOEXEC,
			       "  and elf_file_build_id");
		}
		is_int(elf_object_new_mem("shoff", exe, (size_t)got, &o), -ENOEXEC,
		       "  and from memory");
	}
	is_int(elf_object_new_mem("zeros", zeros, sizeof(zeros), &o), -ENOEXEC,
	       "zeros from memory");
	is_int(elf_object_new_mem("none", NULL, 0, &o), -ENOEXEC, "no image");
	is_int(elf_object_new(tmpdir, &o), -ENOEXEC, "a directory");
	is_int(elf_object_new("/nonexistent/pmuprof", &o), -ENOENT, "a missing file: -ENOENT");
	is_int(elf_file_build_id("/nonexistent/pmuprof", id, sizeof(id)), -ENOENT,
	       "  and elf_file_build_id");
	if (write_file("unreadable", text, sizeof(text) - 1, path, sizeof(path)) == 0 &&
	    chmod(path, 0) == 0 && access(path, R_OK) != 0)
		is_int(elf_object_new(path, &o), -EACCES, "an unreadable file: -EACCES");
	else
		diag("running as root: the -EACCES check is skipped");
	elf_object_free(NULL);
	ok(true, "elf_object_free(NULL) is a no-op");
	free(exe);
}

/* ---- sparse files whose tables claim what the file's size allows ---- */

#define SPARSE_BIG ((uint64_t)1 << 30)

/* The image with its tail made a hole: parts at SPARSE_OFF claim SPARSE_BIG bytes of zeros. */
#define SPARSE_OFF 0x1000

static int write_sparse(const char *name, const struct image *im, char *path, size_t size)
{
	int fd, ret = 0;

	if (write_file(name, im->b, im->size, path, size) < 0)
		return -EIO;
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0 || ftruncate(fd, SPARSE_OFF + SPARSE_BIG + 4096) < 0)
		ret = -errno;
	if (fd >= 0)
		close(fd);
	return ret;
}

static long max_rss_kib(void)
{
	struct rusage ru;

	return getrusage(RUSAGE_SELF, &ru) == 0 ? ru.ru_maxrss : 0;
}

/*
 * A 1 GiB .symtab, then 1 GiB notes, in sparse files: skipped, so the object
 * opens with what is left, and nothing near their size is allocated or read
 * (read from a hole, the pages would count in the peak RSS).
 */
static void sparse_files(void)
{
	/* a whole number of symbols, just under 1 GiB */
	const uint64_t symtab_size = SPARSE_BIG / sizeof(Elf64_Sym) * sizeof(Elf64_Sym);
	static struct image im, dm;
	struct elf_object *o = NULL;
	long rss = max_rss_kib();
	char path[4096];
	uint8_t id[32];

	build_image(&im);
	dm = im;
	shdr(&dm, SEC_SYMTAB)->sh_offset = SPARSE_OFF;
	shdr(&dm, SEC_SYMTAB)->sh_size = symtab_size;
	if (!ok(write_sparse("sparse-symtab", &dm, path, sizeof(path)) == 0,
		"a sparse file with a 1 GiB .symtab"))
		return;
	if (is_int(elf_object_new(path, &o), 0, "opens")) {
		is_int(elf_object_nsymbols(o), 3, "  with the symbols of .dynsym only");
		ok(elf_object_oversized(o), "  and says a table was skipped");
		is_int(elf_object_build_id(o, id, sizeof(id)), 20, "  its build-id read");
		elf_object_free(o);
	}

	dm = im;
	phdr(&dm, 2)->p_offset = SPARSE_OFF;
	phdr(&dm, 2)->p_filesz = SPARSE_BIG;
	shdr(&dm, SEC_NOTE)->sh_offset = SPARSE_OFF;
	shdr(&dm, SEC_NOTE)->sh_size = SPARSE_BIG;
	if (ok(write_sparse("sparse-note", &dm, path, sizeof(path)) == 0,
	       "a sparse file with 1 GiB notes") &&
	    is_int(elf_object_new(path, &o), 0, "opens")) {
		is_int(elf_object_nsymbols(o), 6, "  with all its symbols");
		is_int(elf_object_build_id(o, id, sizeof(id)), 0, "  and no build-id");
		ok(elf_object_oversized(o), "  and says a note was skipped");
		elf_object_free(o);
		is_int(elf_file_build_id(path, id, sizeof(id)), 0, "  elf_file_build_id: none");
	}

	/* the hand-made image is far below the limits */
	if (elf_object_new_mem("synthetic", im.b, im.size, &o) == 0) {
		ok(!elf_object_oversized(o), "an ordinary object is not oversized");
		elf_object_free(o);
	}
	rss = max_rss_kib() - rss;
	ok(rss < 64 * 1024, "the peak RSS grew by %ld KiB, far below 1 GiB", rss);
}

/* ---- a PLT whose relocations and sections lie ---- */

enum plt_damage { PLT_BAD_SYM, PLT_BAD_SLOT, PLT_GOT_HUGE, PLT_BAD_DYNAMIC, PLT_NDAMAGE };

/* sec, got: whether the stubs of .plt.sec and of .plt.got, which the damage spares, keep names */
static const struct {
	const char *file, *what;
	bool sec, got;
} plt_damages[] = {
	[PLT_BAD_SYM] = { "plt-bad-sym", "JUMP_SLOT and GLOB_DAT symbols past .dynsym", false,
			  false },
	[PLT_BAD_SLOT] = { "plt-bad-slot", "JUMP_SLOT slots below, past and between the GOT's",
			   false, true },
	[PLT_GOT_HUGE] = { "plt-got-huge",
			   ".plt.got past the end of the file, .rela.dyn linked nowhere", true,
			   false },
	[PLT_BAD_DYNAMIC] = { "plt-bad-dynamic", ".dynamic of the wrong entry size (no DT_PLTGOT)",
			      false, true },
};

/* Our own build, so its headers can be trusted: the section called name. */
static Elf64_Shdr *section_named(unsigned char *img, const char *name)
{
	Elf64_Ehdr *eh = (Elf64_Ehdr *)img;
	Elf64_Shdr *sh = (Elf64_Shdr *)(img + eh->e_shoff);
	const char *names = (const char *)img + sh[eh->e_shstrndx].sh_offset;

	for (size_t i = 1; i < eh->e_shnum; i++)
		if (!strcmp(names + sh[i].sh_name, name))
			return &sh[i];
	return NULL;
}

static void damage_plt(unsigned char *img, enum plt_damage d)
{
	Elf64_Shdr *rela = section_named(img, ".rela.plt"), *dyn = section_named(img, ".rela.dyn");
	Elf64_Rela *r = (Elf64_Rela *)(img + rela->sh_offset);
	size_t n = rela->sh_size / sizeof(*r);
	uint64_t got = section_named(img, ".got")->sh_addr;
	/*
	 * Nowhere, the top of the address space, misaligned among the stubs'
	 * slots, the dynamic linker's own slot (-z now: DT_PLTGOT is .got's start).
	 */
	const uint64_t slots[] = { 0, 0xfffffffffffffff8u, got + 3 * 8 + 3, got };

	switch (d) {
	case PLT_BAD_SYM:
		for (size_t i = 0; i < n; i++)
			r[i].r_info = ELF64_R_INFO(0xfffffffu, ELF64_R_TYPE(r[i].r_info));
		r = (Elf64_Rela *)(img + dyn->sh_offset);
		for (size_t i = 0; i < dyn->sh_size / sizeof(*r); i++)
			r[i].r_info = ELF64_R_INFO(0x7fffffffu, ELF64_R_TYPE(r[i].r_info));
		break;
	case PLT_BAD_SLOT:
		for (size_t i = 0; i < n; i++)
			r[i].r_offset = slots[i % ARRAY_SIZE(slots)];
		break;
	case PLT_GOT_HUGE:
		section_named(img, ".plt.got")->sh_size = (uint64_t)1 << 40;
		dyn->sh_link = 0xfff0;
		break;
	case PLT_BAD_DYNAMIC:
		section_named(img, ".dynamic")->sh_entsize = 3;
		break;
	default:
		break;
	}
}

/* Names in a section of stubs, by 8 bytes: none may be a stub's. */
static unsigned stubs_named(const struct elf_object *o, const Elf64_Shdr *sh)
{
	unsigned n = 0;

	for (uint64_t a = sh->sh_addr; a < sh->sh_addr + sh->sh_size; a += 8) {
		const char *name = elf_object_symbol(o, a, NULL, NULL);

		n += name && strstr(name, "@plt");
	}
	return n;
}

/*
 * tests/workload/plt-ibt (.plt.sec, 16-byte .plt.got, -z now: no .got.plt,
 * so DT_PLTGOT is the only base) with its relocations or sections damaged:
 * it opens, main keeps its name, and no stub is named from a lie.
 */
static void plt_damaged(const char *w)
{
	char path[4096], out[4096];
	struct exe_info x;
	unsigned char *img;
	struct stat st;
	int fd;

	snprintf(path, sizeof(path), "%s/plt-ibt", w);
	if (!ok(read_exe(path, &x), "plt-ibt: main found with gelf"))
		return;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (!ok(fd >= 0 && fstat(fd, &st) == 0, "plt-ibt: read for damage"))
		return;
	img = malloc((size_t)st.st_size);
	if (!ok(img && read(fd, img, (size_t)st.st_size) == st.st_size, "plt-ibt: read whole")) {
		free(img);
		close(fd);
		return;
	}
	close(fd);
	for (int d = 0; d < PLT_NDAMAGE; d++) {
		unsigned char *copy = malloc((size_t)st.st_size);
		Elf64_Shdr sec, got;
		struct elf_object *o;

		memcpy(copy, img, (size_t)st.st_size);
		sec = *section_named(copy, ".plt.sec");
		got = *section_named(copy, ".plt.got");
		damage_plt(copy, (enum plt_damage)d);
		if (write_file(plt_damages[d].file, copy, (size_t)st.st_size, out, sizeof(out)) ||
		    !ok(elf_object_new(out, &o) == 0, "%s: opens", plt_damages[d].what)) {
			free(copy);
			continue;
		}
		is_str(elf_object_symbol(o, x.main_addr, NULL, NULL), "main", plt_damages[d].what);
		ok((stubs_named(o, &sec) > 0) == plt_damages[d].sec, "%s: .plt.sec %s",
		   plt_damages[d].what, plt_damages[d].sec ? "named" : "unnamed");
		ok((stubs_named(o, &got) > 0) == plt_damages[d].got, "%s: .plt.got %s",
		   plt_damages[d].what, plt_damages[d].got ? "named" : "unnamed");
		elf_object_free(o);
		free(copy);
	}
	free(img);
}

static void cleanup(void)
{
	static const char *const names[] = { "synthetic", "cut-100", "cut-4096", "cut-64",
					     "cut-20",	  "zeros",   "empty",	 "text",
					     "shoff",	  "unreadable", "sparse-symtab",
					     "sparse-note", "plt-bad-sym", "plt-bad-slot",
					     "plt-got-huge", "plt-bad-dynamic" };
	char path[4096];

	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		snprintf(path, sizeof(path), "%s/%s", tmpdir, names[i]);
		unlink(path);
	}
	rmdir(tmpdir);
}

int main(void)
{
	const char *w = getenv("WORKLOADS");

	if (!mkdtemp(tmpdir)) {
		diag("mkdtemp: %s", strerror(errno));
		return 1;
	}
	resolve_running((uintptr_t)&test_marker_function, "test_marker_function", true,
			"the test itself");
	resolve_running((uintptr_t)&getpid, "getpid", false, "libc");
	build_ids();
	vdso();
	if (w) {
		workload(w, "burn-nopie", ET_EXEC, 0);
		workload(w, "burn", ET_DYN, 0x555555554000);
	} else {
		diag("WORKLOADS unset: the PIE and non-PIE workload checks are skipped");
	}
	plt(w);
	synthetic();
	hostile_files();
	sparse_files();
	if (w)
		plt_damaged(w);
	cleanup();
	(void)test_marker_function(1);
	return done_testing();
}
