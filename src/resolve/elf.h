/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ELF objects for symbolization, through libelf (src/resolve/ is the only
 * user of elfutils): function symbols from .symtab and .dynsym, the
 * translation of a runtime address to the object's virtual address through
 * the PT_LOAD that maps it, and the GNU build-id. Every size and offset in
 * the file is checked: a damaged object gives -ENOEXEC, never a crash.
 *
 * An elf_object owns its symbol names (one string arena) and, for an image
 * from memory, a copy of the image; elf_object_free() releases everything.
 */
#ifndef PMUPROF_ELF_H
#define PMUPROF_ELF_H

#include "util/compiler.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct elf_object;

/* Opens an ELF file: -ENOENT/-EACCES from open, -ENOEXEC when it is not a valid ELF. */
int elf_object_open(const char *path, struct elf_object **out);
/* The same for an image in memory (the stored vDSO); the image is copied. */
int elf_object_open_mem(const char *name, const void *image, size_t size,
			struct elf_object **out);
void elf_object_free(struct elf_object *obj);

/* The GNU build-id: copies up to max bytes and returns its length, 0 if none. */
size_t elf_object_build_id(const struct elf_object *obj, uint8_t *buf, size_t max);
/* The build-id of a file from its notes only (cheap); its length, 0, or -errno. */
int elf_file_build_id(const char *path, uint8_t *buf, size_t max);

/*
 * The object's virtual address for `addr` in a mapping at map_start of file
 * offset pgoff: the PT_LOAD whose file range covers the address's file
 * offset gives vaddr = offset - p_offset + p_vaddr. -ENOENT if none does.
 */
int elf_object_to_vaddr(const struct elf_object *obj, uint64_t map_start, uint64_t pgoff,
			uint64_t addr, uint64_t *vaddr);

/*
 * The function covering vaddr: its name (owned by obj), start and size, or
 * NULL. Symbols of size 0 reach to the next one. O(log n), no allocation.
 */
const char *elf_object_symbol(const struct elf_object *obj, uint64_t vaddr, uint64_t *start,
			      uint64_t *size);
size_t elf_object_nsymbols(const struct elf_object *obj);

#endif
