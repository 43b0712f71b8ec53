// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target for the readers of JIT files (resolve/jit.c): a
 * process being profiled writes its /tmp/perf-PID.map and jit-PID.dump,
 * and anyone may have put one there. Whatever the bytes, both parsers
 * must stay inside them, end, and leave a table whose lookups (at the
 * addresses the input names, and beside them) give a name that holds the
 * address or none. Built and run for a bounded time by contrib/test-all.sh.
 *
 * Input: the same bytes as a perf map and as a jitdump, each into a table
 * of its own, then both into one.
 */
#include "resolve/jit.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Looks up addresses taken from the input: a name found must start at or below the address. */
static void probe(const struct jit_syms *j, const uint8_t *data, size_t size)
{
	for (size_t off = 0; off + 8 <= size && off < 512; off += 8) {
		uint64_t addr, start = 0;
		const char *name;

		memcpy(&addr, data + off, sizeof(addr));
		for (int d = -1; d <= 1; d++) {
			name = jit_syms_find(j, addr + (uint64_t)d, &start);
			if (name && (start > addr + (uint64_t)d || strlen(name) > JIT_NAME_MAX))
				abort();
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct jit_syms *map = jit_syms_new(), *dump = jit_syms_new(), *both = jit_syms_new();

	jit_syms_add_perf_map(map, (const char *)data, size);
	jit_syms_finish(map);
	probe(map, data, size);
	jit_syms_add_jitdump(dump, data, size);
	jit_syms_finish(dump);
	probe(dump, data, size);
	jit_syms_add_jitdump(both, data, size);
	jit_syms_add_perf_map(both, (const char *)data, size);
	jit_syms_finish(both);
	probe(both, data, size);
	if (jit_syms_count(both) != jit_syms_count(map) + jit_syms_count(dump))
		abort();
	jit_syms_free(map);
	jit_syms_free(dump);
	jit_syms_free(both);
	return 0;
}
