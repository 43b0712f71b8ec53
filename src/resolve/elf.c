// SPDX-License-Identifier: GPL-2.0-or-later
#include "resolve/elf.h"
#include "util/alloc.h"

#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct elf_sym {
	uint64_t start, size;
	uint32_t name; /* offset in the arena */
	uint8_t bind_rank; /* 0 global, 1 weak, 2 local: the preferred name at an address */
};

struct load {
	uint64_t offset, filesz, vaddr;
};

struct elf_object {
	struct elf_sym *syms;
	size_t nsyms;
	char *names;
	size_t names_len, names_alloc;
	struct load *loads;
	size_t nloads;
	uint8_t build_id[32];
	size_t build_id_len;
	void *image; /* our copy, for objects from memory */
};

static void lib_init(void)
{
	static bool done;

	if (!done) {
		elf_version(EV_CURRENT);
		done = true;
	}
}

static uint32_t add_name(struct elf_object *o, const char *s)
{
	size_t len = strlen(s) + 1;
	uint32_t off;

	xgrow(&o->names, &o->names_alloc, o->names_len + len, 1);
	off = (uint32_t)o->names_len;
	memcpy(o->names + o->names_len, s, len);
	o->names_len += len;
	return off;
}

/* Finds NT_GNU_BUILD_ID in a note data block. */
static size_t find_build_id(Elf_Data *data, uint8_t *buf, size_t max)
{
	size_t off = 0, next, name_off, desc_off;
	GElf_Nhdr nh;

	while (data && off < data->d_size &&
	       (next = gelf_getnote(data, off, &nh, &name_off, &desc_off)) > 0) {
		if (nh.n_type == NT_GNU_BUILD_ID && nh.n_namesz == 4 &&
		    !memcmp((char *)data->d_buf + name_off, "GNU", 4) && nh.n_descsz > 0 &&
		    desc_off + nh.n_descsz <= data->d_size) {
			size_t n = nh.n_descsz < max ? nh.n_descsz : max;

			memcpy(buf, (char *)data->d_buf + desc_off, n);
			return nh.n_descsz;
		}
		off = next;
	}
	return 0;
}

static size_t read_build_id(Elf *e, uint8_t *buf, size_t max)
{
	size_t nph = 0;
	Elf_Scn *scn = NULL;

	if (elf_getphdrnum(e, &nph) == 0) {
		for (size_t i = 0; i < nph; i++) {
			GElf_Phdr ph;
			size_t n;

			if (!gelf_getphdr(e, (int)i, &ph) || ph.p_type != PT_NOTE)
				continue;
			n = find_build_id(elf_getdata_rawchunk(e, (int64_t)ph.p_offset, ph.p_filesz,
							       ELF_T_NHDR),
					  buf, max);
			if (n)
				return n;
		}
	}
	while ((scn = elf_nextscn(e, scn))) {
		GElf_Shdr sh;
		size_t n;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_NOTE)
			continue;
		n = find_build_id(elf_getdata(scn, NULL), buf, max);
		if (n)
			return n;
	}
	return 0;
}

static int cmp_sym(const void *a, const void *b)
{
	const struct elf_sym *x = a, *y = b;

	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	if (x->bind_rank != y->bind_rank)
		return x->bind_rank < y->bind_rank ? -1 : 1;
	return 0;
}

static void load_symtab(struct elf_object *o, Elf *e, Elf_Scn *scn, const GElf_Shdr *sh,
			size_t *alloc)
{
	Elf_Data *data = elf_getdata(scn, NULL);
	size_t n;

	if (!data || !sh->sh_entsize || sh->sh_link == 0)
		return;
	n = data->d_size / sh->sh_entsize;
	for (size_t i = 1; i < n; i++) {
		GElf_Sym sym;
		const char *name;
		int type;

		if (!gelf_getsym(data, (int)i, &sym))
			break;
		type = GELF_ST_TYPE(sym.st_info);
		if ((type != STT_FUNC && type != STT_GNU_IFUNC) || sym.st_shndx == SHN_UNDEF ||
		    !sym.st_value)
			continue;
		name = elf_strptr(e, sh->sh_link, sym.st_name);
		if (!name || !*name)
			continue;
		xgrow(&o->syms, alloc, o->nsyms + 1, sizeof(*o->syms));
		o->syms[o->nsyms].start = sym.st_value;
		o->syms[o->nsyms].size = sym.st_size;
		o->syms[o->nsyms].bind_rank = GELF_ST_BIND(sym.st_info) == STB_GLOBAL ? 0
					      : GELF_ST_BIND(sym.st_info) == STB_WEAK ? 1
										  : 2;
		o->syms[o->nsyms].name = add_name(o, name);
		o->nsyms++;
	}
}

/* Sorts, keeps one symbol per address (the preferred name), and sizes 0-size ones. */
static void finish_symbols(struct elf_object *o)
{
	size_t out = 0;

	if (o->nsyms > 1)
		qsort(o->syms, o->nsyms, sizeof(*o->syms), cmp_sym);
	for (size_t i = 0; i < o->nsyms; i++) {
		if (out && o->syms[out - 1].start == o->syms[i].start) {
			struct elf_sym *k = &o->syms[out - 1];

			/* same rank: the shorter name (foo over __foo_impl aliases) */
			if (k->bind_rank == o->syms[i].bind_rank &&
			    strlen(o->names + o->syms[i].name) < strlen(o->names + k->name))
				k->name = o->syms[i].name;
			if (!k->size)
				k->size = o->syms[i].size;
			continue;
		}
		o->syms[out++] = o->syms[i];
	}
	o->nsyms = out;
	for (size_t i = 0; i < o->nsyms; i++)
		if (!o->syms[i].size && i + 1 < o->nsyms)
			o->syms[i].size = o->syms[i + 1].start - o->syms[i].start;
}

static int load_elf(struct elf_object *o, Elf *e)
{
	size_t nph = 0, alloc = 0, lalloc = 0;
	Elf_Scn *scn = NULL;
	GElf_Ehdr eh;

	if (elf_kind(e) != ELF_K_ELF || !gelf_getehdr(e, &eh))
		return -ENOEXEC;
	if (elf_getphdrnum(e, &nph) == 0) {
		for (size_t i = 0; i < nph; i++) {
			GElf_Phdr ph;

			if (!gelf_getphdr(e, (int)i, &ph) || ph.p_type != PT_LOAD)
				continue;
			xgrow(&o->loads, &lalloc, o->nloads + 1, sizeof(*o->loads));
			o->loads[o->nloads].offset = ph.p_offset;
			o->loads[o->nloads].filesz = ph.p_filesz;
			o->loads[o->nloads].vaddr = ph.p_vaddr;
			o->nloads++;
		}
	}
	o->build_id_len = read_build_id(e, o->build_id, sizeof(o->build_id));
	while ((scn = elf_nextscn(e, scn))) {
		GElf_Shdr sh;

		if (gelf_getshdr(scn, &sh) && (sh.sh_type == SHT_SYMTAB || sh.sh_type == SHT_DYNSYM))
			load_symtab(o, e, scn, &sh, &alloc);
	}
	finish_symbols(o);
	return 0;
}

int elf_object_open(const char *path, struct elf_object **out)
{
	struct elf_object *o;
	Elf *e;
	int fd, ret;

	lib_init();
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	e = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	if (!e) {
		close(fd);
		return -ENOEXEC;
	}
	o = xcalloc(1, sizeof(*o));
	ret = load_elf(o, e);
	elf_end(e);
	close(fd);
	if (ret < 0) {
		elf_object_free(o);
		return ret;
	}
	*out = o;
	return 0;
}

int elf_object_open_mem(const char *name, const void *image, size_t size,
			struct elf_object **out)
{
	struct elf_object *o;
	Elf *e;
	int ret;

	(void)name;
	lib_init();
	o = xcalloc(1, sizeof(*o));
	o->image = xmalloc(size ? size : 1);
	memcpy(o->image, image, size);
	e = elf_memory(o->image, size);
	if (!e) {
		elf_object_free(o);
		return -ENOEXEC;
	}
	ret = load_elf(o, e);
	elf_end(e);
	if (ret < 0) {
		elf_object_free(o);
		return ret;
	}
	*out = o;
	return 0;
}

void elf_object_free(struct elf_object *o)
{
	if (!o)
		return;
	free(o->syms);
	free(o->names);
	free(o->loads);
	free(o->image);
	free(o);
}

size_t elf_object_build_id(const struct elf_object *o, uint8_t *buf, size_t max)
{
	size_t n = o->build_id_len < max ? o->build_id_len : max;

	memcpy(buf, o->build_id, n);
	return o->build_id_len;
}

int elf_file_build_id(const char *path, uint8_t *buf, size_t max)
{
	size_t n;
	Elf *e;
	int fd;

	lib_init();
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	e = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	if (!e || elf_kind(e) != ELF_K_ELF) {
		if (e)
			elf_end(e);
		close(fd);
		return -ENOEXEC;
	}
	n = read_build_id(e, buf, max);
	elf_end(e);
	close(fd);
	return (int)n;
}

int elf_object_to_vaddr(const struct elf_object *o, uint64_t map_start, uint64_t pgoff,
			uint64_t addr, uint64_t *vaddr)
{
	uint64_t off;

	if (addr < map_start)
		return -ENOENT;
	off = addr - map_start + pgoff;
	for (size_t i = 0; i < o->nloads; i++) {
		const struct load *l = &o->loads[i];

		if (off >= l->offset && off - l->offset < l->filesz) {
			*vaddr = off - l->offset + l->vaddr;
			return 0;
		}
	}
	return -ENOENT;
}

const char *elf_object_symbol(const struct elf_object *o, uint64_t vaddr, uint64_t *start,
			      uint64_t *size)
{
	size_t lo = 0, hi = o->nsyms;
	const struct elf_sym *s;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (o->syms[mid].start <= vaddr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo)
		return NULL;
	s = &o->syms[lo - 1];
	if (vaddr - s->start >= (s->size ? s->size : 1))
		return NULL;
	*start = s->start;
	*size = s->size;
	return o->names + s->name;
}

size_t elf_object_nsymbols(const struct elf_object *o)
{
	return o->nsyms;
}
