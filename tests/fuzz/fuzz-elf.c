// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target for the object-file readers of src/resolve/, which read
 * hostile files at report time: the input is an ELF image, opened for
 * symbols, build-id and address translation (elf.h), for unwind rules and
 * function extents (cfi.h, libdw plus our .eh_frame_hdr table), for its
 * .gnu_debuglink (debuginfo.h, from a file), and unwound through (unwind.h
 * over a maps table holding the image) with a stack copy cut from the tail
 * of the input. Any bytes must give clean errors or results that keep the
 * documented invariants, never a crash, a hang, a runaway allocation or a
 * read outside the stack copy. Built and run for a bounded time by
 * contrib/test-all.sh, seeded with real objects.
 *
 * The tail of the input doubles as the unwinder's state, so that mutations
 * reach it without breaking the ELF header at the front:
 *   last 24 bytes: ip selector (2), flags (1), depth (1), bp offset (2),
 *                  ip offset (2), a raw u64 for sp or bp (8), a raw u64 ip (8)
 *   last 256 << (flags >> 5) bytes (at most the input): the stack copy
 * flags: 1 the copy is full (and ip in the mapping at 0), 2 the raw ip,
 * else one of the addresses found plus the ip offset (function starts all
 * have the same rule: the offset reaches the ones past the prologue), 4 the
 * raw sp, 8 bp = 0, 16 the raw bp, else bp = sp + the bp offset; 8 and 16
 * together: bp unknown (a stack read from outside), which makes the
 * unwinder search the stack for frame records.
 */
#include "resolve/cfi.h"
#include "resolve/debuginfo.h"
#include "resolve/elf.h"
#include "resolve/maps.h"
#include "resolve/unwind.h"

#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#include <sanitizer/asan_interface.h>
#endif
#endif
#ifndef ASAN_POISON_MEMORY_REGION
#define ASAN_POISON_MEMORY_REGION(addr, size)	((void)(addr), (void)(size))
#define ASAN_UNPOISON_MEMORY_REGION(addr, size) ((void)(addr), (void)(size))
#endif

#define MAX_ADDRS  128
#define MAX_CODE   32
#define MAX_FRAMES 128
#define PID	   4242
#define HIGH_BASE  0x7f0000000000ull /* where a shared library would be mapped */
#define LOW_BASE   0x400000ull	     /* where a non-PIE executable is */
#define STACK_BASE 0x7ffd00000000ull

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "fuzz-elf: %s:%d: %s does not hold\n", __FILE__, __LINE__, \
				#cond);                                                            \
			abort();                                                                   \
		}                                                                                  \
	} while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * debuginfo_find() takes a path and looks for the debug file beside it, so
 * the input is written to a file in a private directory (not a memfd, whose
 * "directory" would be /, and the lookup would read whatever lies there),
 * made and removed by every run: libFuzzer leaves without running atexit
 * handlers. A companion file gives the debuglink's CRC check something to
 * match (contrib/test-all.sh seeds an object linking to it: keep the name
 * and contents in step), and the empty root keeps the build-id lookup off
 * the machine's /usr/lib/debug.
 */
struct scratch {
	char dir[PATH_MAX / 2], obj[PATH_MAX], companion[PATH_MAX], root[PATH_MAX];
};

static void scratch_remove(const struct scratch *s)
{
	unlink(s->obj);
	unlink(s->companion);
	rmdir(s->root);
	rmdir(s->dir);
}

static int scratch_make(struct scratch *s, const uint8_t *data, size_t size)
{
	static const char companion[] = "pmuprof fuzz-elf debug file\n";
	const char *tmp = getenv("TMPDIR");
	bool ok;
	int fd;

	snprintf(s->dir, sizeof(s->dir), "%s/fuzz-elf.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(s->dir))
		return -1;
	snprintf(s->obj, sizeof(s->obj), "%s/obj", s->dir);
	snprintf(s->companion, sizeof(s->companion), "%s/obj.debug", s->dir);
	snprintf(s->root, sizeof(s->root), "%s/root", s->dir);
	ok = mkdir(s->root, 0700) == 0;
	fd = open(s->companion, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	ok = ok && fd >= 0 && write(fd, companion, sizeof(companion) - 1) == sizeof(companion) - 1;
	if (fd >= 0)
		close(fd);
	fd = open(s->obj, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	ok = ok && fd >= 0 && write(fd, data, size) == (ssize_t)size;
	if (fd >= 0)
		close(fd);
	if (!ok) {
		scratch_remove(s);
		return -1;
	}
	return 0;
}

static uint64_t get_u64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

/* Addresses to look up, and the subset that starts code (symbols, FDEs) for the unwinder. */
struct addrs {
	uint64_t v[MAX_ADDRS], code[MAX_CODE];
	size_t n, ncode;
};

static void add_addr(struct addrs *a, uint64_t v)
{
	for (size_t i = 0; i < a->n; i++)
		if (a->v[i] == v)
			return;
	if (a->n < MAX_ADDRS)
		a->v[a->n++] = v;
}

static void add_code(struct addrs *a, uint64_t v)
{
	add_addr(a, v);
	for (size_t i = 0; i < a->ncode; i++)
		if (a->code[i] == v)
			return;
	if (a->ncode < MAX_CODE)
		a->code[a->ncode++] = v;
}

/* The loads of the image, to place virtual addresses in the fake mappings. */
struct loads {
	struct {
		uint64_t offset, vaddr, filesz;
	} v[16];
	size_t n;
};

/*
 * Section and segment addresses, read with libelf from our own copy once
 * elf_object_new_mem() has accepted the headers (as the report would).
 *
 * Returns whether libdw would find the CFI of the file through
 * PT_GNU_EH_FRAME rather than a section named .eh_frame: on a descriptor
 * from elf_begin(ELF_C_READ), that fallback calls elf_rawfile() after the
 * section names were read, and elfutils 0.188's elf_end() then no longer
 * frees the name table it read (a leak inside libelf, not ours).
 */
static bool image_addresses(const uint8_t *data, size_t size, struct addrs *a, struct loads *l)
{
	bool eh_frame_named = false, gnu_eh_frame = false;
	void *copy = malloc(size);
	Elf_Scn *scn = NULL;
	size_t phnum, shstrndx;
	Elf *elf;

	if (!copy)
		return true;
	memcpy(copy, data, size);
	elf = elf_memory(copy, size);
	if (elf && elf_kind(elf) == ELF_K_ELF) {
		if (elf_getphdrnum(elf, &phnum) == 0) {
			for (size_t i = 0; i < phnum && i < 64; i++) {
				GElf_Phdr ph;

				if (!gelf_getphdr(elf, (int)i, &ph))
					continue;
				add_addr(a, ph.p_vaddr);
				add_addr(a, ph.p_vaddr + ph.p_memsz / 2);
				gnu_eh_frame |= ph.p_type == PT_GNU_EH_FRAME;
				if (ph.p_type == PT_LOAD && l->n < ARRAY_SIZE(l->v)) {
					l->v[l->n].offset = ph.p_offset;
					l->v[l->n].vaddr = ph.p_vaddr;
					l->v[l->n].filesz = ph.p_filesz;
					l->n++;
				}
			}
		}
		if (elf_getshdrstrndx(elf, &shstrndx) != 0)
			shstrndx = 0;
		/* all of them for the name, the first 64 for addresses */
		for (int i = 0; (scn = elf_nextscn(elf, scn)); i++) {
			const char *name;
			GElf_Shdr sh;

			if (!gelf_getshdr(scn, &sh))
				continue;
			name = shstrndx ? elf_strptr(elf, shstrndx, sh.sh_name) : NULL;
			eh_frame_named |= name && !strcmp(name, ".eh_frame");
			if (i >= 64 || !(sh.sh_flags & SHF_ALLOC))
				continue;
			add_addr(a, sh.sh_addr);
			if (sh.sh_size)
				add_addr(a, sh.sh_addr + sh.sh_size - 1);
		}
	}
	if (elf)
		elf_end(elf);
	free(copy);
	return gnu_eh_frame && !eh_frame_named;
}

/* The absolute address of vaddr in the mapping at base (pgoff 0), or base + vaddr. */
static uint64_t to_abs(const struct loads *l, uint64_t base, uint64_t vaddr)
{
	for (size_t i = 0; i < l->n; i++)
		if (vaddr >= l->v[i].vaddr && vaddr - l->v[i].vaddr < l->v[i].filesz)
			return base + l->v[i].offset + (vaddr - l->v[i].vaddr);
	return base + vaddr;
}

static void check_object(struct elf_object *obj, struct addrs *a)
{
	uint8_t bid[ELF_BUILD_ID_LIMIT];
	size_t n = elf_object_build_id(obj, bid, sizeof(bid));

	CHECK(n <= ELF_BUILD_ID_LIMIT);
	(void)elf_object_nsymbols(obj);
	/* walks from symbol to symbol: each found one adds its start and its end */
	for (size_t i = 0; i < a->n; i++) {
		uint64_t start, size, vaddr;
		const char *name = elf_object_symbol(obj, a->v[i], &start, &size);

		if (name) {
			CHECK(start <= a->v[i] && a->v[i] - start < size);
			CHECK(strlen(name) > 0);
			add_code(a, start);
			add_addr(a, start + size);
		}
		if (elf_object_to_vaddr(obj, HIGH_BASE, 0, HIGH_BASE + a->v[i], &vaddr) == 0)
			add_addr(a, vaddr);
		(void)elf_object_to_vaddr(obj, 0, a->v[i], a->v[i], &vaddr);
	}
}

static void check_cfi(struct cfi *c, struct addrs *a)
{
	for (size_t i = 0; i < a->n; i++) {
		struct unwind_rule r;
		uint64_t vaddr = a->v[i], start, end;

		if (cfi_function(c, vaddr, &start, &end)) {
			CHECK(start <= vaddr && (vaddr < end || end == UINT64_MAX));
			add_code(a, start);
			if (end != UINT64_MAX)
				add_addr(a, end);
		}
		CHECK(cfi_rule(c, vaddr, &r, &start, &end) == 0);
		CHECK(r.cfa <= CFA_UNSUPPORTED && r.ra <= REG_UNDEF && r.bp <= REG_UNDEF);
		CHECK((start == vaddr && end == vaddr) || (start <= vaddr && vaddr < end));
	}
}

/* The fake address space: the image as a library, as a non-PIE executable, and at 0. */
static struct maps *make_maps(const uint8_t *data, size_t size, struct elf_object *obj)
{
	static const char name[] = "/fuzz/obj";
	const uint64_t bases[] = { HIGH_BASE, LOW_BASE, 0 };
	struct maps *m = maps_new();
	uint8_t bid[ELF_BUILD_ID_LIMIT];
	size_t blen = obj ? elf_object_build_id(obj, bid, sizeof(bid)) : 0;
	uint64_t len = (size + 4095) & ~(uint64_t)4095;

	if (blen > BUILD_ID_MAX)
		blen = 0;
	maps_add_image(m, name, bid, (uint8_t)blen, data, size);
	for (size_t i = 0; i < ARRAY_SIZE(bases); i++) {
		struct rec_mmap r = { .pid = PID, .tid = PID, .start = bases[i], .len = len };

		r.build_id_len = (uint8_t)blen;
		memcpy(r.build_id, bid, blen);
		maps_add_mmap(m, &r, name);
	}
	maps_finish(m);
	return m;
}

/*
 * The stack copy sits at the end of its own pages, between guards that
 * cannot be read, and the slack before it is poisoned: a read outside the
 * copy then fails at once however far from it it lands (up to the guard
 * size), which the redzone of an ordinary heap block does not promise.
 */
#define GUARD (1u << 20)

struct guarded {
	uint8_t *base, *bytes;
	size_t len, slack;
};

static bool guarded_copy(struct guarded *g, const uint8_t *src, size_t size)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	size_t span = (size + page - 1) / page * page;

	g->len = GUARD + span + GUARD;
	g->base = mmap(NULL, g->len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (g->base == MAP_FAILED)
		return false;
	if (span && mprotect(g->base + GUARD, span, PROT_READ | PROT_WRITE) < 0) {
		munmap(g->base, g->len);
		return false;
	}
	g->slack = span - size;
	g->bytes = g->base + GUARD + g->slack;
	memcpy(g->bytes, src, size);
	ASAN_POISON_MEMORY_REGION(g->base + GUARD, g->slack);
	return true;
}

static void guarded_free(struct guarded *g)
{
	/* ASan keeps shadow state across munmap: the next mapping here must not inherit it */
	ASAN_UNPOISON_MEMORY_REGION(g->base + GUARD, g->slack);
	munmap(g->base, g->len);
}

/* One unwind from ip, checked against what unwind.h promises. */
static void unwind_once(struct unwinder *u, struct maps *m, uint64_t ip, uint64_t sp, uint64_t bp,
			bool bp_known, const uint8_t *stack, size_t stack_size, bool full,
			size_t max)
{
	struct unwind_frame frames[MAX_FRAMES];
	struct unwind_result res;

	unwind_user(u, PID, 1, ip, sp, bp, bp_known, stack, stack_size, full, frames, max, &res);
	CHECK(res.nframes >= 1 && res.nframes <= max);
	CHECK(res.end <= UNWIND_NO_STACK && res.fail < FAIL_MAX);
	CHECK(res.end != UNWIND_DEPTH || res.nframes == max);
	CHECK(unwind_fail_reason(res.fail) != NULL);
	for (uint32_t i = 0; i < res.nframes; i++)
		CHECK(!frames[i].dso || frames[i].dso == maps_dso(m, 0));
}

static void check_unwind(const uint8_t *data, size_t size, struct elf_object *obj,
			 const struct addrs *a, const struct loads *l)
{
	uint8_t tail[24] = { 0 };
	struct unwind_frame frame;
	struct guarded g;
	struct unwinder *u;
	struct maps *m;
	size_t stack_size;
	uint64_t ip, sp, bp;
	bool bp_known;
	const uint8_t *stack;
	uint8_t flags;
	unsigned sel;

	memcpy(tail, data + size - (size < sizeof(tail) ? size : sizeof(tail)),
	       size < sizeof(tail) ? size : sizeof(tail));
	sel = tail[0] | (unsigned)tail[1] << 8;
	flags = tail[2];
	stack_size = (size_t)256 << (flags >> 5);
	if (stack_size > size)
		stack_size = size;
	if (!guarded_copy(&g, data + size - stack_size, stack_size))
		return;
	stack = g.bytes;

	if (flags & 2)
		ip = get_u64(tail + 16);
	else if (a->n)
		ip = to_abs(l, flags & 1 ? 0 : HIGH_BASE,
			    a->v[sel % a->n] + (tail[6] | (unsigned)tail[7] << 8));
	else
		ip = HIGH_BASE + sel % (size ? size : 1);
	sp = flags & 4 ? get_u64(tail + 8) : STACK_BASE + (sel & 0xff8);
	if (flags & 8)
		bp = 0;
	else if (flags & 16)
		bp = get_u64(tail + 8);
	else
		bp = sp + (tail[4] | (unsigned)tail[5] << 8);
	bp_known = (flags & 24) != 24;

	m = make_maps(data, size, obj);
	u = unwinder_new(m);
	unwind_once(u, m, ip, sp, bp, bp_known, stack, stack_size, flags & 1,
		    1 + tail[3] % MAX_FRAMES);
	/* again from the rule cache, as deep as it goes */
	unwind_once(u, m, ip, sp, bp, bp_known, stack, stack_size, !(flags & 1), MAX_FRAMES);
	/*
	 * And from a few function starts, a little past each (the rules at the
	 * starts are all alike): a hostile stack meets more real rules per run.
	 */
	for (size_t i = 0; i < 16 && i < a->ncode; i++)
		unwind_once(u, m, to_abs(l, HIGH_BASE, a->code[(sel + i) % a->ncode] + tail[6]), sp,
			    bp, bp_known, stack, stack_size, flags & 1, MAX_FRAMES);
	unwind_locate(u, PID, 1, ip, &frame);
	unwinder_free(u);
	maps_free(m);
	guarded_free(&g);
}

/* The readers that take a path, on the input written to a file. */
static void check_files(const uint8_t *data, size_t size, struct elf_object *obj, struct addrs *a,
			bool cfi_leaks)
{
	uint8_t bid[ELF_BUILD_ID_LIMIT];
	size_t blen = obj ? elf_object_build_id(obj, bid, sizeof(bid)) : 0;
	struct elf_object *fobj;
	struct scratch s;
	char *found = NULL;
	struct cfi *c;

	if (scratch_make(&s, data, size) < 0)
		abort(); /* the harness is broken: say so rather than fuzz less */
	debuginfo_set_roots(s.root);
	if (debuginfo_find(s.obj, blen ? bid : NULL, blen, &found) == 0) {
		CHECK(found && strcmp(found, s.obj) != 0);
		free(found);
	}
	(void)elf_file_build_id(s.obj, bid, sizeof(bid));
	if (elf_object_new(s.obj, &fobj) == 0)
		elf_object_free(fobj);
	/*
	 * Only files elf_object_new() accepts get this far in a report; the
	 * same file stands in for a separate debug file.
	 */
	if (obj && !cfi_leaks && cfi_open(s.obj, NULL, 0, s.obj, &c) == 0) {
		check_cfi(c, a);
		cfi_close(c);
	}
	scratch_remove(&s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct elf_object *obj = NULL;
	struct addrs a = { .n = 0, .ncode = 0 };
	struct loads l = { .n = 0 };
	struct cfi *c = NULL;
	bool cfi_leaks = true;

	add_addr(&a, 0);
	add_addr(&a, 0x1000);
	add_addr(&a, LOW_BASE + 0x1000);
	add_addr(&a, UINT64_MAX);
	if (size >= 8)
		add_addr(&a, get_u64(data + size - 8));

	if (elf_object_new_mem("fuzz", data, size, &obj) == 0) {
		cfi_leaks = image_addresses(data, size, &a, &l);
		check_object(obj, &a);
	}
	/* the report opens CFI only for objects elf.c accepted, but the API takes any image */
	if (cfi_open(NULL, data, size, NULL, &c) == 0) {
		check_cfi(c, &a);
		cfi_close(c);
	}
	check_unwind(data, size, obj, &a, &l);
	check_files(data, size, obj, &a, cfi_leaks);
	elf_object_free(obj);
	return 0;
}
