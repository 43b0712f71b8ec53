// SPDX-License-Identifier: GPL-2.0-or-later
#include "resolve/elf.h"
#include "util/alloc.h"
#include "util/proc.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <sys/auxv.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct elf_sym {
	uint64_t start, size;
	size_t name; /* offset in the arena */
};

struct elf_load {
	uint64_t offset, filesz, vaddr;
};

struct elf_object {
	struct elf_sym *syms; /* sorted by start, one per address */
	size_t nsyms;
	char *names;
	struct elf_load *loads;
	size_t nloads;
	uint8_t build_id[ELF_BUILD_ID_LIMIT];
	size_t build_id_len;
	bool oversized; /* a table or note over the limits was skipped */
};

/* An object being read: libelf's handle and the header facts every read is checked against. */
struct elf_file {
	Elf *elf;
	uint64_t size;
	size_t phnum, shnum;
	bool oversized; /* set by the reads that skip what is over the limits */
};

/* A function symbol while the tables are read; name points into libelf's string table. */
struct sym_cand {
	uint64_t start, size, limit; /* limit: the end of its section */
	const char *name;
	size_t len;
	int rank;
};

#define PLT_RANK   4 /* a PLT stub, below every symbol of the object's own tables */
#define PLT_SUFFIX "@plt"

struct sym_build {
	struct sym_cand *c;
	size_t n, alloc;
	struct {
		uint64_t addr, size;
	} *secs;
};

static int lib_init(void)
{
	static int state = 1; /* 1: not tried, 0: ready, <0: failed */

	if (state == 1)
		state = elf_version(EV_CURRENT) == EV_NONE ? -ENOSYS : 0;
	return state;
}

static bool in_file(const struct elf_file *f, uint64_t off, uint64_t len)
{
	return off <= f->size && len <= f->size - off;
}

static bool table_in_file(const struct elf_file *f, uint64_t off, uint64_t n, uint64_t entsize,
			  size_t want)
{
	if (!n)
		return true;
	return entsize == want && off <= f->size && n <= (f->size - off) / entsize;
}

static uint64_t raw_uint(const unsigned char *p, size_t len, bool msb)
{
	uint64_t v = 0;

	for (size_t i = 0; i < len; i++)
		v |= (uint64_t)p[i] << (8 * (msb ? len - 1 - i : i));
	return v;
}

#define EHDR_FIELD(h, is64, msb, field)                                                            \
	((is64) ? raw_uint((h) + offsetof(Elf64_Ehdr, field), sizeof(((Elf64_Ehdr *)0)->field),    \
			   (msb))                                                                  \
		: raw_uint((h) + offsetof(Elf32_Ehdr, field), sizeof(((Elf32_Ehdr *)0)->field),    \
			   (msb)))

/*
 * Checked on the raw bytes before libelf sees them: libelf reading a file
 * with pread() does not know its size, so it would believe the header's
 * counts, and an extended section count (kept in section 0) could make it
 * allocate gigabytes. Extended numbering only occurs in huge relocatable
 * objects, which are refused anyway.
 */
static int check_header(const unsigned char *h, size_t len, struct elf_file *f)
{
	uint64_t type, phoff, phent, phnum, shoff, shent, shnum;
	bool is64, msb;

	if (len < EI_NIDENT || memcmp(h, ELFMAG, SELFMAG) != 0)
		return -ENOEXEC;
	if ((h[EI_CLASS] != ELFCLASS32 && h[EI_CLASS] != ELFCLASS64) ||
	    (h[EI_DATA] != ELFDATA2LSB && h[EI_DATA] != ELFDATA2MSB) || h[EI_VERSION] != EV_CURRENT)
		return -ENOEXEC;
	is64 = h[EI_CLASS] == ELFCLASS64;
	msb = h[EI_DATA] == ELFDATA2MSB;
	if (len < (is64 ? sizeof(Elf64_Ehdr) : sizeof(Elf32_Ehdr)))
		return -ENOEXEC;
	type = EHDR_FIELD(h, is64, msb, e_type);
	phoff = EHDR_FIELD(h, is64, msb, e_phoff);
	phent = EHDR_FIELD(h, is64, msb, e_phentsize);
	phnum = EHDR_FIELD(h, is64, msb, e_phnum);
	shoff = EHDR_FIELD(h, is64, msb, e_shoff);
	shent = EHDR_FIELD(h, is64, msb, e_shentsize);
	shnum = EHDR_FIELD(h, is64, msb, e_shnum);
	/* relocatable objects and cores have no use for the load bias or function addresses */
	if (type != ET_EXEC && type != ET_DYN)
		return -ENOEXEC;
	if (phnum == PN_XNUM || (shnum == 0) != (shoff == 0))
		return -ENOEXEC;
	if (!table_in_file(f, phoff, phnum, phent,
			   is64 ? sizeof(Elf64_Phdr) : sizeof(Elf32_Phdr)) ||
	    !table_in_file(f, shoff, shnum, shent, is64 ? sizeof(Elf64_Shdr) : sizeof(Elf32_Shdr)))
		return -ENOEXEC;
	f->phnum = (size_t)phnum;
	f->shnum = (size_t)shnum;
	return 0;
}

/* Hands the checked bytes to libelf; on failure f->elf is left for the caller to end. */
static int begin_elf(struct elf_file *f, Elf *elf)
{
	size_t phnum, shnum;

	f->elf = elf;
	if (!elf || elf_kind(elf) != ELF_K_ELF)
		return -ENOEXEC;
	/* a libelf reading the header differently from us would read past what we checked */
	if (elf_getphdrnum(elf, &phnum) != 0 || elf_getshdrnum(elf, &shnum) != 0 ||
	    phnum != f->phnum || shnum != f->shnum)
		return -ENOEXEC;
	return 0;
}

/*
 * ELF_C_READ makes libelf pread() what it needs: cheap for the build-id of a
 * large library, and a file shrinking under us (a library rebuilt in place
 * while the report runs) gives a read error where a mapping would SIGBUS.
 * The descriptor must stay open until elf_end().
 */
static int file_begin(const char *path, struct elf_file *f, int *fdp)
{
	unsigned char h[sizeof(Elf64_Ehdr)];
	struct stat st;
	ssize_t len;
	int fd = -1, ret;

	memset(f, 0, sizeof(*f));
	ret = lib_init();
	if (ret < 0)
		return ret;
	fd = file_open_regular(path, &st);
	if (fd < 0)
		return fd;
	f->size = (uint64_t)st.st_size;
	do {
		len = pread(fd, h, sizeof(h), 0);
	} while (len < 0 && errno == EINTR);
	if (len < 0) {
		ret = -errno;
		goto fail;
	}
	ret = check_header(h, (size_t)len, f);
	if (ret == 0)
		ret = begin_elf(f, elf_begin(fd, ELF_C_READ, NULL));
	if (ret == 0) {
		*fdp = fd;
		return 0;
	}
fail:
	if (f->elf)
		elf_end(f->elf);
	close(fd);
	return ret;
}

static void file_end(struct elf_file *f, int fd)
{
	elf_end(f->elf);
	close(fd);
}

static size_t note_align(size_t n, size_t align)
{
	return (n + align - 1) & ~(align - 1);
}

/* NT_GNU_BUILD_ID in one block of notes, whose sizes are checked here rather than trusted. */
static size_t notes_build_id(const Elf_Data *d, size_t align, uint8_t *buf)
{
	const unsigned char *p = d->d_buf;
	size_t len = d->d_size, off = 0;

	while (p && len - off >= sizeof(GElf_Nhdr)) {
		size_t name, desc;
		GElf_Nhdr nh;

		memcpy(&nh, p + off, sizeof(nh));
		name = off + sizeof(nh);
		if (nh.n_namesz > len - name)
			break;
		desc = name + note_align(nh.n_namesz, align);
		if (desc > len || nh.n_descsz > len - desc)
			break;
		if (nh.n_type == NT_GNU_BUILD_ID && nh.n_namesz == sizeof("GNU") &&
		    memcmp(p + name, "GNU", sizeof("GNU")) == 0 && nh.n_descsz > 0 &&
		    nh.n_descsz <= ELF_BUILD_ID_LIMIT) {
			memcpy(buf, p + desc, nh.n_descsz);
			return nh.n_descsz;
		}
		off = desc + note_align(nh.n_descsz, align);
		if (off > len)
			break;
	}
	return 0;
}

/*
 * Whether a table or note of len bytes may be read: the size is what
 * libelf allocates, and a sparse file can claim any size it lies inside.
 */
static bool within_limit(struct elf_file *f, uint64_t len, uint64_t limit)
{
	if (len <= limit)
		return true;
	f->oversized = true;
	return false;
}

/* Segments first: they are all a stripped file or the recorder's cheap read may have. */
static size_t read_build_id(struct elf_file *f, uint8_t *buf)
{
	size_t n;

	for (size_t i = 0; i < f->phnum; i++) {
		GElf_Phdr ph;
		Elf_Data *d;
		size_t align;

		if (!gelf_getphdr(f->elf, (int)i, &ph) || ph.p_type != PT_NOTE || !ph.p_filesz ||
		    !in_file(f, ph.p_offset, ph.p_filesz) ||
		    !within_limit(f, ph.p_filesz, ELF_NOTE_LIMIT))
			continue;
		/* notes aligned to 8 (gABI for 64-bit, GNU property notes) pad names to 8 */
		align = ph.p_align == 8 ? 8 : 4;
		d = elf_getdata_rawchunk(f->elf, (int64_t)ph.p_offset, ph.p_filesz,
					 align == 8 ? ELF_T_NHDR8 : ELF_T_NHDR);
		if (d && (n = notes_build_id(d, align, buf)))
			return n;
	}
	for (size_t i = 1; i < f->shnum; i++) {
		Elf_Scn *scn = elf_getscn(f->elf, i);
		GElf_Shdr sh;
		Elf_Data *d;

		if (!scn || !gelf_getshdr(scn, &sh) || sh.sh_type != SHT_NOTE || !sh.sh_size ||
		    (sh.sh_flags & SHF_COMPRESSED) || !in_file(f, sh.sh_offset, sh.sh_size) ||
		    !within_limit(f, sh.sh_size, ELF_NOTE_LIMIT))
			continue;
		d = elf_getdata(scn, NULL);
		if (d && (n = notes_build_id(d, sh.sh_addralign == 8 ? 8 : 4, buf)))
			return n;
	}
	return 0;
}

static void load_segments(struct elf_object *o, const struct elf_file *f)
{
	size_t alloc = 0;

	for (size_t i = 0; i < f->phnum; i++) {
		GElf_Phdr ph;

		/* a segment reaching past the file cannot be what a sample was taken in */
		if (!gelf_getphdr(f->elf, (int)i, &ph) || ph.p_type != PT_LOAD || !ph.p_filesz ||
		    !in_file(f, ph.p_offset, ph.p_filesz))
			continue;
		xgrow(&o->loads, &alloc, o->nloads + 1, sizeof(*o->loads));
		o->loads[o->nloads].offset = ph.p_offset;
		o->loads[o->nloads].filesz = ph.p_filesz;
		o->loads[o->nloads].vaddr = ph.p_vaddr;
		o->nloads++;
	}
}

static bool section_readable(const struct elf_file *f, const GElf_Shdr *sh)
{
	return sh->sh_type != SHT_NOBITS && !(sh->sh_flags & SHF_COMPRESSED) &&
	       in_file(f, sh->sh_offset, sh->sh_size);
}

/* The NUL-terminated string at off, or NULL when it does not end inside the table. */
static const char *strtab_at(const Elf_Data *d, uint64_t off, size_t *len)
{
	const char *s = d->d_buf, *nul;

	if (off >= d->d_size)
		return NULL;
	nul = memchr(s + off, '\0', d->d_size - off);
	if (!nul)
		return NULL;
	*len = (size_t)(nul - (s + off));
	return s + off;
}

static int bind_rank(unsigned char info)
{
	switch (GELF_ST_BIND(info)) {
	case STB_GLOBAL:
	case STB_GNU_UNIQUE:
		return 0;
	case STB_WEAK:
		return 1;
	case STB_LOCAL:
		return 2;
	default:
		return 3;
	}
}

/*
 * A symbol table's entries and its string table (sh_link), checked against
 * the file and the limits: false when damaged or oversized.
 */
static bool symtab_open(struct elf_file *f, Elf_Scn *scn, const GElf_Shdr *sh, Elf_Data **syms,
			Elf_Data **strs, uint64_t *count)
{
	size_t entsize = gelf_fsize(f->elf, ELF_T_SYM, 1, EV_CURRENT);
	Elf_Scn *strscn;
	GElf_Shdr strsh;

	if (!entsize || sh->sh_entsize != entsize || sh->sh_size % entsize ||
	    !section_readable(f, sh))
		return false;
	if (sh->sh_link == 0 || sh->sh_link >= f->shnum)
		return false;
	strscn = elf_getscn(f->elf, sh->sh_link);
	if (!strscn || !gelf_getshdr(strscn, &strsh) || strsh.sh_type != SHT_STRTAB ||
	    !section_readable(f, &strsh))
		return false;
	if (!within_limit(f, sh->sh_size, ELF_TABLE_LIMIT) ||
	    !within_limit(f, strsh.sh_size, ELF_TABLE_LIMIT))
		return false;
	*syms = elf_getdata(scn, NULL);
	*strs = elf_getdata(strscn, NULL);
	if (!*syms || !*strs || !(*syms)->d_buf || !(*strs)->d_buf)
		return false;
	*count = sh->sh_size / entsize;
	return true;
}

static void collect_table(struct sym_build *b, struct elf_file *f, Elf_Scn *scn,
			  const GElf_Shdr *sh)
{
	Elf_Data *syms, *strs;
	uint64_t count;

	if (!symtab_open(f, scn, sh, &syms, &strs, &count))
		return;
	for (uint64_t i = 1; i < count && i <= INT_MAX; i++) {
		struct sym_cand *c;
		const char *name;
		GElf_Sym sym;
		size_t len;
		int type;

		if (!gelf_getsym(syms, (int)i, &sym))
			break;
		type = GELF_ST_TYPE(sym.st_info);
		if ((type != STT_FUNC && type != STT_GNU_IFUNC) || !sym.st_value)
			continue;
		/* SHN_ABS and the like have no section to bound them; SHN_XINDEX cannot occur */
		if (sym.st_shndx == SHN_UNDEF || sym.st_shndx >= SHN_LORESERVE ||
		    sym.st_shndx >= f->shnum)
			continue;
		/* a function outside its own section is damage, and would have no bound */
		if (sym.st_value < b->secs[sym.st_shndx].addr ||
		    sym.st_value - b->secs[sym.st_shndx].addr >= b->secs[sym.st_shndx].size)
			continue;
		name = strtab_at(strs, sym.st_name, &len);
		if (!name || !len)
			continue;
		xgrow(&b->c, &b->alloc, b->n + 1, sizeof(*b->c));
		c = &b->c[b->n++];
		c->start = sym.st_value;
		c->size = sym.st_size;
		c->limit = b->secs[sym.st_shndx].addr + b->secs[sym.st_shndx].size;
		if (c->limit < c->start)
			c->limit = UINT64_MAX;
		c->name = name;
		c->len = len;
		c->rank = bind_rank(sym.st_info);
	}
}

/* By address, then the preferred name first: global, weak, local, then the shortest. */
static int cmp_cand(const void *a, const void *b)
{
	const struct sym_cand *x = a, *y = b;

	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	if (x->rank != y->rank)
		return x->rank < y->rank ? -1 : 1;
	if (x->len != y->len)
		return x->len < y->len ? -1 : 1;
	return strcmp(x->name, y->name);
}

/* Keeps one symbol per address and copies only the kept names, into one arena. */
static void finish_symbols(struct elf_object *o, struct sym_build *b)
{
	size_t nsyms = 0, names = 0, pos = 0, j;

	if (!b->n)
		return;
	qsort(b->c, b->n, sizeof(*b->c), cmp_cand);
	for (size_t i = 0; i < b->n; i++) {
		if (i == 0 || b->c[i].start != b->c[i - 1].start) {
			nsyms++;
			names += b->c[i].len + 1;
			if (b->c[i].rank == PLT_RANK)
				names += strlen(PLT_SUFFIX);
		}
	}
	o->syms = xmalloc(nsyms * sizeof(*o->syms));
	o->names = xmalloc(names);
	for (size_t i = 0; i < b->n; i = j) {
		const struct sym_cand *win = &b->c[i];
		uint64_t size = win->size, limit = win->limit;
		struct elf_sym *s = &o->syms[o->nsyms++];

		for (j = i + 1; j < b->n && b->c[j].start == win->start; j++) {
			/* an alias may carry the size the preferred name lacks */
			if (!size)
				size = b->c[j].size;
			if (b->c[j].limit > limit)
				limit = b->c[j].limit;
		}
		/*
		 * Hand-written assembly often has no size: it runs to the next
		 * function, unless its section ends first (then what follows is
		 * padding or another section, not this function).
		 */
		if (!size) {
			uint64_t end = limit;

			if (j < b->n && b->c[j].start < end)
				end = b->c[j].start;
			size = end - win->start;
		}
		s->start = win->start;
		s->size = size;
		s->name = pos;
		memcpy(o->names + pos, win->name, win->len);
		pos += win->len;
		if (win->rank == PLT_RANK) {
			memcpy(o->names + pos, PLT_SUFFIX, strlen(PLT_SUFFIX));
			pos += strlen(PLT_SUFFIX);
		}
		o->names[pos++] = '\0';
	}
}

/*
 * ---- PLT stubs ----
 *
 * An x86-64 object calls other objects' functions through stubs that no
 * symbol table names: "memcpy@plt". Their addresses follow from the layout
 * the psABI fixes. .plt begins with the resolver stub (16 bytes), then one
 * 16-byte entry per slot of the PLT's GOT (DT_PLTGOT), whose first three
 * slots are the dynamic linker's: the JUMP_SLOT relocation of .rela.plt
 * for slot 3 + k names entry k. With IBT (.plt.sec; MPX's .plt.bnd is laid
 * out the same) the stubs that run are .plt.sec's entry k, and .plt's only
 * serve lazy binding. The slot decides, not the relocation's position:
 * relocations may be sorted (libc's are). .plt.got holds the stubs of
 * functions whose address is also taken: each jumps through the GLOB_DAT
 * slot of its function, and nothing but the jump itself says which, so its
 * one instruction (jmp *disp32(%rip), after endbr64 and a bnd prefix when
 * present) is matched; an entry in any other form stays unnamed.
 */

#define PLT_ENTRY	 16 /* .plt and .plt.sec entries, and .plt's resolver stub */
#define PLT_GOT_RESERVED 3  /* the GOT slots before the first stub's */
#define GOT_SLOT	 8

struct plt_layout {
	GElf_Shdr plt, sec, got, rela_plt, dyn;
	Elf_Scn *got_scn, *rela_plt_scn, *dyn_scn;
	uint64_t got_plt; /* .got.plt's address, when there is no DT_PLTGOT */
	bool have_plt, have_sec, have_got, have_got_plt;
};

/* A relocation table with its symbol and string tables. */
struct rela_table {
	Elf_Data *relas, *syms, *strs;
	uint64_t n, nsyms;
};

/* A GLOB_DAT slot and the function it holds the address of. */
struct got_slot {
	uint64_t addr;
	const char *name;
	size_t len;
};

/* A section of stubs: code, and not so close to the top of the address space that it wraps. */
static bool stub_section(const GElf_Shdr *sh)
{
	return sh->sh_type == SHT_PROGBITS && (sh->sh_flags & SHF_EXECINSTR) &&
	       sh->sh_addr <= UINT64_MAX - sh->sh_size;
}

static bool find_plt(struct elf_file *f, struct plt_layout *l)
{
	Elf_Data *names;
	Elf_Scn *scn;
	GElf_Shdr sh;
	size_t shstrndx;

	memset(l, 0, sizeof(*l));
	if (elf_getshdrstrndx(f->elf, &shstrndx) != 0 || !shstrndx || shstrndx >= f->shnum)
		return false;
	scn = elf_getscn(f->elf, shstrndx);
	if (!scn || !gelf_getshdr(scn, &sh) || sh.sh_type != SHT_STRTAB ||
	    !section_readable(f, &sh) || !within_limit(f, sh.sh_size, ELF_TABLE_LIMIT))
		return false;
	names = elf_getdata(scn, NULL);
	if (!names || !names->d_buf)
		return false;
	for (size_t i = 1; i < f->shnum; i++) {
		const char *name;
		size_t len;

		scn = elf_getscn(f->elf, i);
		if (!scn || !gelf_getshdr(scn, &sh) || !(name = strtab_at(names, sh.sh_name, &len)))
			continue;
		if (!strcmp(name, ".plt") && stub_section(&sh)) {
			l->plt = sh;
			l->have_plt = true;
		} else if ((!strcmp(name, ".plt.sec") || !strcmp(name, ".plt.bnd")) &&
			   stub_section(&sh)) {
			l->sec = sh;
			l->have_sec = true;
		} else if (!strcmp(name, ".plt.got") && stub_section(&sh)) {
			l->got = sh;
			l->got_scn = scn;
			l->have_got = true;
		} else if (!strcmp(name, ".rela.plt") && sh.sh_type == SHT_RELA) {
			l->rela_plt = sh;
			l->rela_plt_scn = scn;
		} else if (!strcmp(name, ".got.plt")) {
			l->got_plt = sh.sh_addr;
			l->have_got_plt = true;
		} else if (sh.sh_type == SHT_DYNAMIC && !l->dyn_scn) {
			l->dyn = sh;
			l->dyn_scn = scn;
		}
	}
	return l->have_plt || l->have_sec || l->have_got;
}

/* DT_PLTGOT: where the PLT's GOT starts (-z now may merge .got.plt into .got). */
static bool plt_got_base(struct elf_file *f, const struct plt_layout *l, uint64_t *base)
{
	size_t entsize = gelf_fsize(f->elf, ELF_T_DYN, 1, EV_CURRENT);
	Elf_Data *d;

	if (l->dyn_scn && entsize && l->dyn.sh_entsize == entsize && !(l->dyn.sh_size % entsize) &&
	    section_readable(f, &l->dyn) && within_limit(f, l->dyn.sh_size, ELF_TABLE_LIMIT) &&
	    (d = elf_getdata(l->dyn_scn, NULL)) && d->d_buf) {
		for (uint64_t i = 0; i < l->dyn.sh_size / entsize && i <= INT_MAX; i++) {
			GElf_Dyn dyn;

			if (!gelf_getdyn(d, (int)i, &dyn) || dyn.d_tag == DT_NULL)
				break;
			if (dyn.d_tag == DT_PLTGOT) {
				*base = dyn.d_un.d_ptr;
				return true;
			}
		}
	}
	*base = l->got_plt;
	return l->have_got_plt;
}

static bool rela_open(struct elf_file *f, Elf_Scn *scn, const GElf_Shdr *sh, struct rela_table *t)
{
	size_t entsize = gelf_fsize(f->elf, ELF_T_RELA, 1, EV_CURRENT);
	Elf_Scn *symscn;
	GElf_Shdr symsh;

	if (!scn || sh->sh_type != SHT_RELA || !entsize || sh->sh_entsize != entsize ||
	    sh->sh_size % entsize || !section_readable(f, sh) ||
	    !within_limit(f, sh->sh_size, ELF_TABLE_LIMIT))
		return false;
	if (sh->sh_link == 0 || sh->sh_link >= f->shnum)
		return false;
	symscn = elf_getscn(f->elf, sh->sh_link);
	if (!symscn || !gelf_getshdr(symscn, &symsh) ||
	    (symsh.sh_type != SHT_DYNSYM && symsh.sh_type != SHT_SYMTAB) ||
	    !symtab_open(f, symscn, &symsh, &t->syms, &t->strs, &t->nsyms))
		return false;
	t->relas = elf_getdata(scn, NULL);
	if (!t->relas || !t->relas->d_buf)
		return false;
	t->n = sh->sh_size / entsize;
	return true;
}

/* Relocation i when it has the given type and a named symbol: its offset and the name. */
static const char *rela_name(const struct rela_table *t, uint64_t i, unsigned type,
			     uint64_t *offset, size_t *len)
{
	const char *name;
	uint64_t idx;
	GElf_Rela r;
	GElf_Sym sym;

	if (i > INT_MAX || !gelf_getrela(t->relas, (int)i, &r) || GELF_R_TYPE(r.r_info) != type)
		return NULL;
	idx = GELF_R_SYM(r.r_info);
	if (!idx || idx >= t->nsyms || idx > INT_MAX || !gelf_getsym(t->syms, (int)idx, &sym))
		return NULL;
	name = strtab_at(t->strs, sym.st_name, len);
	if (!name || !*len)
		return NULL;
	*offset = r.r_offset;
	return name;
}

/* Entry k (of entsize bytes) of a section of stubs, when the section holds it. */
static void add_stub(struct sym_build *b, const GElf_Shdr *sec, uint64_t k, uint64_t entsize,
		     const char *name, size_t len)
{
	struct sym_cand *c;

	if (k >= sec->sh_size / entsize)
		return;
	xgrow(&b->c, &b->alloc, b->n + 1, sizeof(*b->c));
	c = &b->c[b->n++];
	c->start = sec->sh_addr + k * entsize;
	c->size = entsize;
	c->limit = sec->sh_addr + sec->sh_size;
	c->name = name;
	c->len = len;
	c->rank = PLT_RANK;
}

/* The entry size of .plt or .plt.sec: 16, which sh_entsize may say or leave 0. */
static bool plt_entsize_ok(const GElf_Shdr *sh)
{
	return sh->sh_entsize == 0 || sh->sh_entsize == PLT_ENTRY;
}

static void collect_jump_slots(struct sym_build *b, struct elf_file *f, const struct plt_layout *l)
{
	const GElf_Shdr *stubs = l->have_sec ? &l->sec : &l->plt;
	uint64_t base, first = l->have_sec ? 0 : 1;
	struct rela_table t;

	if (!(l->have_sec || l->have_plt) || !plt_entsize_ok(stubs) || !plt_got_base(f, l, &base) ||
	    base > UINT64_MAX - PLT_GOT_RESERVED * GOT_SLOT ||
	    !rela_open(f, l->rela_plt_scn, &l->rela_plt, &t))
		return;
	base += PLT_GOT_RESERVED * GOT_SLOT;
	for (uint64_t i = 0; i < t.n; i++) {
		uint64_t slot;
		const char *name;
		size_t len;

		name = rela_name(&t, i, R_X86_64_JUMP_SLOT, &slot, &len);
		if (!name || slot < base || (slot - base) % GOT_SLOT)
			continue;
		add_stub(b, stubs, first + (slot - base) / GOT_SLOT, PLT_ENTRY, name, len);
	}
}

static int cmp_slot(const void *a, const void *b)
{
	const struct got_slot *x = a, *y = b;

	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

/* The GOT slot a .plt.got entry at addr jumps through, from its jmp *disp32(%rip). */
static bool plt_got_target(const unsigned char *p, size_t len, uint64_t addr, uint64_t *slot)
{
	static const unsigned char endbr64[] = { 0xf3, 0x0f, 0x1e, 0xfa };
	size_t i = 0;
	int32_t disp;

	if (len >= sizeof(endbr64) && !memcmp(p, endbr64, sizeof(endbr64)))
		i = sizeof(endbr64);
	if (i < len && p[i] == 0xf2) /* bnd */
		i++;
	if (len - i < 6 || p[i] != 0xff || p[i + 1] != 0x25)
		return false;
	disp = (int32_t)(uint32_t)raw_uint(p + i + 2, 4, false);
	*slot = addr + i + 6 + (uint64_t)(int64_t)disp;
	return true;
}

static void collect_plt_got(struct sym_build *b, struct elf_file *f, const struct plt_layout *l)
{
	uint64_t entsize = l->got.sh_entsize;
	struct got_slot *slots = NULL;
	size_t nslots = 0, alloc = 0;
	Elf_Data *code;

	if ((entsize != 8 && entsize != 16) || !section_readable(f, &l->got) ||
	    !within_limit(f, l->got.sh_size, ELF_TABLE_LIMIT))
		return;
	code = elf_getdata(l->got_scn, NULL);
	if (!code || !code->d_buf)
		return;
	for (size_t i = 1; i < f->shnum; i++) {
		Elf_Scn *scn = elf_getscn(f->elf, i);
		struct rela_table t;
		GElf_Shdr sh;

		if (!scn || !gelf_getshdr(scn, &sh) || sh.sh_type != SHT_RELA ||
		    !rela_open(f, scn, &sh, &t))
			continue;
		for (uint64_t j = 0; j < t.n; j++) {
			struct got_slot s;

			s.name = rela_name(&t, j, R_X86_64_GLOB_DAT, &s.addr, &s.len);
			if (!s.name)
				continue;
			xgrow(&slots, &alloc, nslots + 1, sizeof(*slots));
			slots[nslots++] = s;
		}
	}
	if (nslots)
		qsort(slots, nslots, sizeof(*slots), cmp_slot);
	for (uint64_t k = 0; nslots && k < code->d_size / entsize && k < l->got.sh_size / entsize;
	     k++) {
		struct got_slot key, *hit;

		if (!plt_got_target((const unsigned char *)code->d_buf + k * entsize, entsize,
				    l->got.sh_addr + k * entsize, &key.addr))
			continue;
		hit = bsearch(&key, slots, nslots, sizeof(*slots), cmp_slot);
		if (hit)
			add_stub(b, &l->got, k, entsize, hit->name, hit->len);
	}
	free(slots);
}

/* x86-64 only: other machines lay their PLTs out differently. */
static void collect_plt(struct sym_build *b, struct elf_file *f)
{
	struct plt_layout l;
	GElf_Ehdr eh;

	if (!gelf_getehdr(f->elf, &eh) || eh.e_machine != EM_X86_64 ||
	    gelf_getclass(f->elf) != ELFCLASS64 || !find_plt(f, &l))
		return;
	collect_jump_slots(b, f, &l);
	if (l.have_got)
		collect_plt_got(b, f, &l);
}

static void load_symbols(struct elf_object *o, struct elf_file *f)
{
	struct sym_build b = { 0 };

	if (!f->shnum)
		return;
	b.secs = xcalloc(f->shnum, sizeof(*b.secs));
	for (size_t i = 1; i < f->shnum; i++) {
		Elf_Scn *scn = elf_getscn(f->elf, i);
		GElf_Shdr sh;

		if (scn && gelf_getshdr(scn, &sh)) {
			b.secs[i].addr = sh.sh_addr;
			b.secs[i].size = sh.sh_size;
		}
	}
	for (size_t i = 1; i < f->shnum; i++) {
		Elf_Scn *scn = elf_getscn(f->elf, i);
		GElf_Shdr sh;

		if (scn && gelf_getshdr(scn, &sh) &&
		    (sh.sh_type == SHT_SYMTAB || sh.sh_type == SHT_DYNSYM))
			collect_table(&b, f, scn, &sh);
	}
	collect_plt(&b, f);
	finish_symbols(o, &b);
	free(b.c);
	free(b.secs);
}

/* After the header checks nothing is fatal: damaged parts are skipped. */
static struct elf_object *load_object(struct elf_file *f)
{
	struct elf_object *o = xcalloc(1, sizeof(*o));

	load_segments(o, f);
	o->build_id_len = read_build_id(f, o->build_id);
	load_symbols(o, f);
	o->oversized = f->oversized;
	return o;
}

int elf_object_new(const char *path, struct elf_object **out)
{
	struct elf_file f;
	int fd = -1, ret;

	ret = file_begin(path, &f, &fd);
	if (ret < 0)
		return ret;
	*out = load_object(&f);
	file_end(&f, fd);
	return 0;
}

int elf_object_new_mem(const char *name, const void *image, size_t size,
			struct elf_object **out)
{
	struct elf_file f = { .size = size };
	void *copy;
	int ret;

	ret = lib_init();
	if (ret < 0)
		return ret;
	if (!image)
		return -ENOEXEC;
	ret = check_header(image, size, &f);
	if (ret < 0)
		return ret;
	/*
	 * libelf wants a writable image, and reads structures in place: a
	 * private aligned copy gives both, whatever the caller's buffer is.
	 * The names end up in our arena, so the copy goes when we are done.
	 */
	copy = xmalloc(size);
	memcpy(copy, image, size);
	ret = begin_elf(&f, elf_memory(copy, size));
	if (ret == 0)
		*out = load_object(&f);
	if (f.elf)
		elf_end(f.elf);
	free(copy);
	return ret;
}

void elf_object_free(struct elf_object *obj)
{
	if (!obj)
		return;
	free(obj->syms);
	free(obj->names);
	free(obj->loads);
	free(obj);
}

size_t elf_object_build_id(const struct elf_object *obj, uint8_t *buf, size_t max)
{
	memcpy(buf, obj->build_id, obj->build_id_len < max ? obj->build_id_len : max);
	return obj->build_id_len;
}

int elf_file_build_id(const char *path, uint8_t *buf, size_t max)
{
	uint8_t id[ELF_BUILD_ID_LIMIT];
	struct elf_file f;
	int fd = -1, ret;
	size_t n;

	ret = file_begin(path, &f, &fd);
	if (ret < 0)
		return ret;
	n = read_build_id(&f, id);
	file_end(&f, fd);
	memcpy(buf, id, n < max ? n : max);
	return (int)n;
}

int elf_object_file_offset(const struct elf_object *obj, uint64_t vaddr, uint64_t *offset,
			   uint64_t *avail)
{
	for (size_t i = 0; i < obj->nloads; i++) {
		const struct elf_load *l = &obj->loads[i];

		if (vaddr >= l->vaddr && vaddr - l->vaddr < l->filesz) {
			*offset = vaddr - l->vaddr + l->offset;
			*avail = l->filesz - (vaddr - l->vaddr);
			return 0;
		}
	}
	return -ENOENT;
}

int elf_object_to_vaddr(const struct elf_object *obj, uint64_t map_start, uint64_t pgoff,
			uint64_t addr, uint64_t *vaddr)
{
	uint64_t off;

	if (addr < map_start || addr - map_start > UINT64_MAX - pgoff)
		return -ENOENT;
	off = addr - map_start + pgoff;
	for (size_t i = 0; i < obj->nloads; i++) {
		const struct elf_load *l = &obj->loads[i];

		if (off >= l->offset && off - l->offset < l->filesz) {
			*vaddr = off - l->offset + l->vaddr;
			return 0;
		}
	}
	return -ENOENT;
}

const char *elf_object_symbol(const struct elf_object *obj, uint64_t vaddr, uint64_t *start,
			      uint64_t *size)
{
	size_t lo = 0, hi = obj->nsyms;
	const struct elf_sym *s;

	/* the last symbol starting at or below vaddr */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (obj->syms[mid].start <= vaddr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo)
		return NULL;
	s = &obj->syms[lo - 1];
	if (vaddr - s->start >= s->size)
		return NULL;
	if (start)
		*start = s->start;
	if (size)
		*size = s->size;
	return obj->names + s->name;
}

size_t elf_object_nsymbols(const struct elf_object *obj)
{
	return obj->nsyms;
}

bool elf_object_oversized(const struct elf_object *obj)
{
	return obj->oversized;
}

/* The size of our [vdso] mapping, from /proc/self/maps. */
static size_t vdso_size(uint64_t base)
{
	char line[512];
	size_t size = 0;
	FILE *f = fopen("/proc/self/maps", "r");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		uint64_t start, end;

		if (sscanf(line, "%" SCNx64 "-%" SCNx64, &start, &end) == 2 && start == base &&
		    strstr(line, "[vdso]")) {
			size = (size_t)(end - start);
			break;
		}
	}
	fclose(f);
	return size;
}

bool elf_own_vdso(const void **image, size_t *size, uint8_t *bid, size_t max, size_t *blen)
{
	uint64_t base = getauxval(AT_SYSINFO_EHDR);
	struct elf_object *obj;

	*blen = 0;
	if (!base || !(*size = vdso_size(base)))
		return false;
	*image = (const void *)(uintptr_t)base;
	if (elf_object_new_mem("[vdso]", *image, *size, &obj) == 0) {
		size_t n = elf_object_build_id(obj, bid, max);

		*blen = n <= max ? n : 0;
		elf_object_free(obj);
	}
	return true;
}
