// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * sparse-elf IN OUT [MiB]: copies the 64-bit ELF object IN to OUT (mode
 * 0755) and makes its symbol table claim MiB mebibytes (default 1024) of
 * a hole past the old end of the file: a sparse file of a few kilobytes on
 * disk whose .symtab (or .dynsym, when there is no .symtab) says it is
 * huge. The program headers are left alone, so an executable still runs.
 * For the tests of what report reads of such an object.
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int fail(const char *what, const char *path)
{
	if (errno)
		fprintf(stderr, "sparse-elf: %s '%s': %s\n", what, path, strerror(errno));
	else
		fprintf(stderr, "sparse-elf: %s '%s'\n", what, path);
	return 1;
}

int main(int argc, char **argv)
{
	unsigned long mib = 1024;
	Elf64_Ehdr eh;
	Elf64_Shdr sh, best = { 0 };
	off_t end, best_off = -1;
	char buf[65536];
	ssize_t n;
	int in, out;

	if (argc < 3 || argc > 4 || (argc == 4 && (mib = strtoul(argv[3], NULL, 10)) == 0)) {
		fprintf(stderr, "usage: sparse-elf IN OUT [MiB]\n");
		return 2;
	}
	in = open(argv[1], O_RDONLY);
	if (in < 0)
		return fail("cannot open", argv[1]);
	out = open(argv[2], O_RDWR | O_CREAT | O_TRUNC, 0755);
	if (out < 0)
		return fail("cannot create", argv[2]);
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, (size_t)n) != n)
			return fail("cannot write", argv[2]);
	if (n < 0)
		return fail("cannot read", argv[1]);
	errno = 0;
	if (pread(out, &eh, sizeof(eh), 0) != sizeof(eh) || memcmp(eh.e_ident, ELFMAG, SELFMAG) ||
	    eh.e_ident[EI_CLASS] != ELFCLASS64 || eh.e_shentsize != sizeof(Elf64_Shdr))
		return fail("not a 64-bit ELF object", argv[1]);
	for (unsigned i = 0; i < eh.e_shnum; i++) {
		off_t off = (off_t)(eh.e_shoff + (uint64_t)i * sizeof(sh));

		if (pread(out, &sh, sizeof(sh), off) != sizeof(sh))
			return fail("cannot read the section headers of", argv[1]);
		/* .symtab over .dynsym */
		if ((sh.sh_type == SHT_SYMTAB || sh.sh_type == SHT_DYNSYM) &&
		    (best_off < 0 || best.sh_type == SHT_DYNSYM)) {
			best = sh;
			best_off = off;
		}
	}
	if (best_off < 0)
		return fail("no symbol table in", argv[1]);
	end = lseek(out, 0, SEEK_END);
	end = (end + 4095) & ~(off_t)4095;
	best.sh_offset = (uint64_t)end;
	best.sh_size = ((uint64_t)mib << 20) / sizeof(Elf64_Sym) * sizeof(Elf64_Sym);
	if (ftruncate(out, end + (off_t)best.sh_size) < 0 ||
	    pwrite(out, &best, sizeof(best), best_off) != sizeof(best) || close(out) < 0)
		return fail("cannot write", argv[2]);
	close(in);
	return 0;
}
