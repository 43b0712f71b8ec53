/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ELF objects for symbolization (src/resolve/ is the only user of libelf):
 * the function symbols of .symtab and .dynsym, the x86-64 PLT stubs named
 * from their relocations ("memcpy@plt": .plt and .plt.sec entries from the
 * JUMP_SLOT relocations and the layout of the PLT's GOT, .plt.got entries
 * from the GLOB_DAT slot each jumps through), the translation of a runtime
 * address to the object's virtual address through the PT_LOAD that maps it,
 * and the GNU build-id. Everything is read at open time, after which the
 * file is closed and lookups neither allocate nor fail.
 *
 * Files are hostile input. The ELF header and both header tables must lie
 * inside the file, so a damaged or truncated object (whose section headers,
 * at the end, are gone) gives -ENOEXEC; a symbol table, string table, note
 * or segment that points outside the file is skipped, so a damaged object
 * may open with fewer symbols; a relocation whose symbol or slot is out of
 * range names no stub. Only executables and shared objects (ET_EXEC,
 * ET_DYN) are accepted, and build-ids longer than ELF_BUILD_ID_LIMIT bytes
 * are taken as none.
 *
 * A table or note is read whole, so its claimed size is what a read
 * allocates: a sparse file whose symbol table claims gigabytes would cost
 * that much memory. Symbol and string tables larger than ELF_TABLE_LIMIT
 * (the largest real libraries have a few tens of MiB) and notes larger
 * than ELF_NOTE_LIMIT are skipped like damaged ones: the object opens
 * with fewer symbols (or no build-id), and elf_object_oversized() says so.
 *
 * A leaf reader: it depends on nothing above util/, which makes it the one
 * allowed exception to the pipeline's direction: collect/ (synth.c) calls
 * it for the build-ids of the objects it records.
 *
 * An elf_object owns its symbol names (one string arena, holding only the
 * names kept) and everything else it hands out; elf_object_free() releases
 * it all. It keeps no reference to the file or to the caller's image.
 */
#ifndef PMUPROF_ELF_H
#define PMUPROF_ELF_H

#include "util/compiler.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ELF_BUILD_ID_LIMIT 64
#define ELF_TABLE_LIMIT	   ((uint64_t)256 << 20)
#define ELF_NOTE_LIMIT	   ((uint64_t)4 << 20)

struct elf_object;

/*
 * Opens an ELF file: -ENOENT, -EACCES... from open(), -ENOEXEC when it is not
 * a valid ELF executable or shared object. Free with elf_object_free().
 */
int elf_object_new(const char *path, struct elf_object **out);
/*
 * The same for an image in memory (the vDSO copy stored in the data file).
 * The image is only read during the call: the caller may free it at once.
 */
int elf_object_new_mem(const char *name, const void *image, size_t size,
			struct elf_object **out);
/* NULL is a no-op. */
void elf_object_free(struct elf_object *obj);

/*
 * The GNU build-id (NT_GNU_BUILD_ID, from PT_NOTE segments, else SHT_NOTE
 * sections): copies up to max bytes to buf and returns its full length, 0
 * if the object has none.
 */
size_t elf_object_build_id(const struct elf_object *obj, uint8_t *buf, size_t max);
/*
 * The build-id of a file without keeping it open, read from the headers and
 * notes only: its full length (up to max bytes copied), 0 if none, -errno.
 */
int elf_file_build_id(const char *path, uint8_t *buf, size_t max);

/*
 * This process's vDSO: where its image lies and its size (from
 * /proc/self/maps), and its build-id (in bid when at most max bytes long;
 * *blen its length, 0 for none or a longer one). False when there is no vDSO.
 */
bool elf_own_vdso(const void **image, size_t *size, uint8_t *bid, size_t max, size_t *blen);

/*
 * The object's virtual address for addr, inside a mapping that starts at
 * map_start and maps the file from offset pgoff: the PT_LOAD whose file
 * range holds the file offset of addr gives vaddr = offset - p_offset +
 * p_vaddr. Right for PIE and non-PIE executables and shared objects, also
 * when p_offset is not page aligned. -ENOENT when no PT_LOAD holds it.
 */
int elf_object_to_vaddr(const struct elf_object *obj, uint64_t map_start, uint64_t pgoff,
			uint64_t addr, uint64_t *vaddr);

/*
 * Where the bytes at vaddr are in the file (annotate reads code there): the
 * file offset, and how many bytes of the same PT_LOAD follow in the file.
 * -ENOENT when no PT_LOAD holds vaddr in the file (.bss, or not mapped).
 */
int elf_object_file_offset(const struct elf_object *obj, uint64_t vaddr, uint64_t *offset,
			   uint64_t *avail);

/*
 * The function covering vaddr: its name (owned by obj, valid until
 * elf_object_free()) and, when start and size are not NULL, its extent; NULL
 * when no function covers vaddr. One name per address: global over weak over
 * local over a PLT stub, then the shortest. A symbol of size 0 reaches to the next symbol,
 * but not past the end of its section. O(log n), no allocation.
 */
const char *elf_object_symbol(const struct elf_object *obj, uint64_t vaddr, uint64_t *start,
			      uint64_t *size);
/* The number of function symbols kept: 0 for a stripped object without .dynsym. */
size_t elf_object_nsymbols(const struct elf_object *obj);
/* True when a table or note over the limits above was skipped. */
bool elf_object_oversized(const struct elf_object *obj);

#endif
