// SPDX-License-Identifier: GPL-2.0-or-later
#include "resolve/debuginfo.h"
#include "resolve/elf.h"
#include "util/alloc.h"
#include "util/proc.h"

#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* a debuglink holds a file name, so anything longer is damage */
#define DEBUGLINK_LIMIT (NAME_MAX + 1 + 3 + 4)

static pthread_mutex_t roots_lock = PTHREAD_MUTEX_INITIALIZER;
static char *roots; /* NULL: the default */

static pthread_once_t crc_once = PTHREAD_ONCE_INIT;
static uint32_t crc_table[256];

void debuginfo_set_roots(const char *colon_separated)
{
	pthread_mutex_lock(&roots_lock);
	free(roots);
	roots = colon_separated ? xstrdup(colon_separated) : NULL;
	pthread_mutex_unlock(&roots_lock);
}

static char *roots_copy(void)
{
	char *copy;

	pthread_mutex_lock(&roots_lock);
	copy = xstrdup(roots ? roots : DEBUGINFO_DEFAULT_ROOTS);
	pthread_mutex_unlock(&roots_lock);
	return copy;
}

/* The CRC-32 of zlib and of the GNU debuglink (reflected, polynomial 0xedb88320). */
static void crc_init(void)
{
	for (uint32_t i = 0; i < 256; i++) {
		uint32_t c = i;

		for (int k = 0; k < 8; k++)
			c = c & 1 ? 0xedb88320u ^ (c >> 1) : c >> 1;
		crc_table[i] = c;
	}
}

static uint32_t crc32_update(uint32_t crc, const unsigned char *p, size_t len)
{
	crc = ~crc;
	while (len--)
		crc = crc_table[(crc ^ *p++) & 0xff] ^ (crc >> 8);
	return ~crc;
}

static int fd_crc32(int fd, uint32_t *out)
{
	unsigned char buf[65536];
	uint32_t crc = 0;
	off_t off = 0;
	ssize_t n;

	pthread_once(&crc_once, crc_init);
	for (;;) {
		n = pread(fd, buf, sizeof(buf), off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			break;
		crc = crc32_update(crc, buf, (size_t)n);
		off += n;
	}
	*out = crc;
	return 0;
}

/* Opens a candidate: regular files only (O_NONBLOCK: a FIFO must not hang us), never `self`. */
static int candidate_open(const char *path, const struct stat *self)
{
	struct stat st;
	int fd;

	fd = file_open_regular(path, &st);
	if (fd < 0)
		return -ENOENT;
	if (self && st.st_dev == self->st_dev && st.st_ino == self->st_ino) {
		close(fd);
		return -ENOENT;
	}
	return fd;
}

static bool same_file(const char *path, const struct stat *self)
{
	struct stat st;

	return self && stat(path, &st) == 0 && st.st_dev == self->st_dev &&
	       st.st_ino == self->st_ino;
}

static bool build_id_matches(const char *path, const uint8_t *id, size_t len,
			     const struct stat *self)
{
	uint8_t got[ELF_BUILD_ID_LIMIT];

	if (same_file(path, self))
		return false;
	return elf_file_build_id(path, got, sizeof(got)) == (int)len && memcmp(got, id, len) == 0;
}

/*
 * A debuglink candidate: its CRC must match and, when the caller knows the
 * build-id and the candidate has one, so must that (the link only names a
 * file, which may belong to a newer build than the one profiled).
 */
static bool link_matches(const char *path, uint32_t crc, const struct stat *self, const uint8_t *id,
			 size_t len)
{
	uint8_t got_id[ELF_BUILD_ID_LIMIT];
	uint32_t got;
	int fd, ret, n;

	fd = candidate_open(path, self);
	if (fd < 0)
		return false;
	ret = fd_crc32(fd, &got);
	close(fd);
	if (ret < 0 || got != crc)
		return false;
	if (!id || !len)
		return true;
	n = elf_file_build_id(path, got_id, sizeof(got_id));
	return n <= 0 || ((size_t)n == len && memcmp(got_id, id, len) == 0);
}

static char *find_by_build_id(const char *rootlist, const uint8_t *id, size_t len,
			      const struct stat *self)
{
	char hex[2 * ELF_BUILD_ID_LIMIT + 1];
	char *list = xstrdup(rootlist), *save = NULL;

	/* .build-id/xx/ takes the first byte: there must be a rest */
	if (len < 2 || len > ELF_BUILD_ID_LIMIT)
		goto none;
	for (size_t i = 0; i < len; i++) {
		hex[2 * i] = "0123456789abcdef"[id[i] >> 4];
		hex[2 * i + 1] = "0123456789abcdef"[id[i] & 15];
	}
	hex[2 * len] = '\0';
	for (char *root = strtok_r(list, ":", &save); root; root = strtok_r(NULL, ":", &save)) {
		char *cand = xasprintf("%s/.build-id/%.2s/%s.debug", root, hex, hex + 2);

		if (build_id_matches(cand, id, len, self)) {
			free(list);
			return cand;
		}
		free(cand);
	}
none:
	free(list);
	return NULL;
}

static uint64_t raw_uint(const unsigned char *p, size_t len, bool msb)
{
	uint64_t v = 0;

	for (size_t i = 0; i < len; i++)
		v |= (uint64_t)p[i] << (8 * (msb ? len - 1 - i : i));
	return v;
}

static bool range_in(uint64_t off, uint64_t len, uint64_t size)
{
	return off <= size && len <= size - off;
}

/*
 * The header tables must lie inside the file before libelf reads them:
 * reading with pread(), libelf does not know the size and would believe
 * the counts (and an extended section count, kept in section 0).
 */
static int check_tables(int fd, uint64_t size, bool *msb)
{
	unsigned char h[sizeof(Elf64_Ehdr)];
	uint64_t phoff, phent, phnum, shoff, shent, shnum;
	ssize_t n;
	bool is64;

	do {
		n = pread(fd, h, sizeof(h), 0);
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	if ((size_t)n < EI_NIDENT || memcmp(h, ELFMAG, SELFMAG) != 0 ||
	    (h[EI_CLASS] != ELFCLASS32 && h[EI_CLASS] != ELFCLASS64) ||
	    (h[EI_DATA] != ELFDATA2LSB && h[EI_DATA] != ELFDATA2MSB))
		return -ENOEXEC;
	is64 = h[EI_CLASS] == ELFCLASS64;
	*msb = h[EI_DATA] == ELFDATA2MSB;
	if ((size_t)n < (is64 ? sizeof(Elf64_Ehdr) : sizeof(Elf32_Ehdr)))
		return -ENOEXEC;
#define FIELD(f)                                                                                   \
	(is64 ? raw_uint(h + offsetof(Elf64_Ehdr, f), sizeof(((Elf64_Ehdr *)0)->f), *msb)          \
	      : raw_uint(h + offsetof(Elf32_Ehdr, f), sizeof(((Elf32_Ehdr *)0)->f), *msb))
	phoff = FIELD(e_phoff);
	phent = FIELD(e_phentsize);
	phnum = FIELD(e_phnum);
	shoff = FIELD(e_shoff);
	shent = FIELD(e_shentsize);
	shnum = FIELD(e_shnum);
#undef FIELD
	if (phnum == PN_XNUM || (shnum == 0) != (shoff == 0))
		return -ENOEXEC;
	if (phnum && (phent != (is64 ? sizeof(Elf64_Phdr) : sizeof(Elf32_Phdr)) ||
		      !range_in(phoff, phnum * phent, size)))
		return -ENOEXEC;
	if (shnum && (shent != (is64 ? sizeof(Elf64_Shdr) : sizeof(Elf32_Shdr)) ||
		      !range_in(shoff, shnum * shent, size)))
		return -ENOEXEC;
	return 0;
}

static bool section_in(const GElf_Shdr *sh, uint64_t size)
{
	return sh->sh_type != SHT_NOBITS && !(sh->sh_flags & SHF_COMPRESSED) &&
	       range_in(sh->sh_offset, sh->sh_size, size);
}

/* The name and CRC of a .gnu_debuglink section's contents, or -ENOENT. */
static int parse_debuglink(const Elf_Data *d, bool msb, char *name, uint32_t *crc)
{
	const unsigned char *p = d->d_buf;
	const unsigned char *nul;
	size_t len, crcoff;

	if (!p || !d->d_size)
		return -ENOENT;
	nul = memchr(p, '\0', d->d_size);
	if (!nul)
		return -ENOENT;
	len = (size_t)(nul - p);
	crcoff = (len + 1 + 3) & ~(size_t)3;
	if (!len || len > NAME_MAX || crcoff > d->d_size || d->d_size - crcoff < 4)
		return -ENOENT;
	/* a file name, not a path: the lookup must stay in the directories we choose */
	if (memchr(p, '/', len) || strcmp((const char *)p, ".") == 0 ||
	    strcmp((const char *)p, "..") == 0)
		return -ENOENT;
	memcpy(name, p, len + 1);
	*crc = (uint32_t)raw_uint(p + crcoff, 4, msb);
	return 0;
}

static int find_debuglink(Elf *elf, uint64_t size, bool msb, char *name, uint32_t *crc)
{
	size_t shnum, shstrndx;
	Elf_Scn *strscn, *scn = NULL;
	GElf_Shdr sh;

	if (elf_kind(elf) != ELF_K_ELF || elf_getshdrnum(elf, &shnum) != 0 ||
	    elf_getshdrstrndx(elf, &shstrndx) != 0 || shstrndx == 0 || shstrndx >= shnum)
		return -ENOEXEC;
	/* elf_strptr() reads the whole name table: it must be in the file */
	strscn = elf_getscn(elf, shstrndx);
	if (!strscn || !gelf_getshdr(strscn, &sh) || sh.sh_type != SHT_STRTAB ||
	    !section_in(&sh, size))
		return -ENOEXEC;
	while ((scn = elf_nextscn(elf, scn))) {
		const char *sname;
		Elf_Data *d;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_PROGBITS)
			continue;
		sname = elf_strptr(elf, shstrndx, sh.sh_name);
		if (!sname || strcmp(sname, ".gnu_debuglink") != 0)
			continue;
		if (!section_in(&sh, size) || sh.sh_size > DEBUGLINK_LIMIT)
			return -ENOENT;
		d = elf_getdata(scn, NULL);
		return d ? parse_debuglink(d, msb, name, crc) : -ENOENT;
	}
	return -ENOENT;
}

/* The object's .gnu_debuglink: -ENOENT when it has none, -ENOEXEC when it is no ELF file. */
static int read_debuglink(int fd, uint64_t size, char *name, uint32_t *crc)
{
	bool msb = false;
	Elf *elf;
	int ret;

	if (elf_version(EV_CURRENT) == EV_NONE)
		return -ENOSYS;
	ret = check_tables(fd, size, &msb);
	if (ret < 0)
		return ret;
	elf = elf_begin(fd, ELF_C_READ, NULL);
	if (!elf)
		return -ENOEXEC;
	ret = find_debuglink(elf, size, msb, name, crc);
	elf_end(elf);
	return ret;
}

static char *find_by_debuglink(const char *path, const char *rootlist, const uint8_t *id,
			       size_t len, int *err)
{
	char name[NAME_MAX + 1], *real = NULL, *list = NULL, *save = NULL, *cand, *slash;
	struct stat self;
	uint32_t crc;
	int fd, ret;

	fd = file_open_regular(path, &self);
	if (fd < 0) {
		*err = fd == -ENOEXEC ? -ENOENT : fd;
		return NULL;
	}
	ret = read_debuglink(fd, (uint64_t)self.st_size, name, &crc);
	close(fd);
	if (ret < 0) {
		*err = ret;
		return NULL;
	}
	real = realpath(path, NULL);
	if (!real) {
		*err = -errno;
		return NULL;
	}
	/* DIR without its trailing slash: "" for a file in / */
	slash = strrchr(real, '/');
	*slash = '\0';

	cand = xasprintf("%s/%s", real, name);
	if (link_matches(cand, crc, &self, id, len))
		goto found;
	free(cand);
	cand = xasprintf("%s/.debug/%s", real, name);
	if (link_matches(cand, crc, &self, id, len))
		goto found;
	free(cand);
	list = xstrdup(rootlist);
	for (char *root = strtok_r(list, ":", &save); root; root = strtok_r(NULL, ":", &save)) {
		cand = xasprintf("%s%s/%s", root, real, name);
		if (link_matches(cand, crc, &self, id, len))
			goto found;
		free(cand);
	}
	cand = NULL;
	*err = -ENOENT;
found:
	free(list);
	free(real);
	return cand;
}

int debuginfo_find(const char *path, const uint8_t *build_id, size_t build_id_len, char **out)
{
	struct stat self, *selfp = NULL;
	char *rootlist = roots_copy(), *found = NULL;
	int err = -ENOENT;

	if (path && stat(path, &self) == 0 && S_ISREG(self.st_mode))
		selfp = &self;
	if (build_id && build_id_len)
		found = find_by_build_id(rootlist, build_id, build_id_len, selfp);
	if (!found && selfp)
		found = find_by_debuglink(path, rootlist, build_id, build_id_len, &err);
	free(rootlist);
	if (!found)
		/* no debug file or no usable object: both mean there is none to find */
		return err == -ENOEXEC ? -ENOENT : err;
	*out = found;
	return 0;
}
