// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target for the demangler (resolve/demangle.c): symbol names
 * come from the objects a recording maps, which anyone may have built.
 * Whatever the bytes, demangle() of C++, legacy Rust and Rust v0 names and
 * demangle_brief() of any text (the demangler's output or not) must stay
 * inside their buffers, end, and give text no longer than their limits.
 * Built and run for a bounded time by contrib/test-all.sh.
 *
 * Input: a name (a NUL ends it early).
 */
#include "resolve/demangle.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *name = malloc(size + 1), *full, *brief;

	if (!name)
		return 0;
	memcpy(name, data, size);
	name[size] = '\0';
	full = demangle(name);
	brief = demangle_brief(full ? full : name);
	/* the short form is a part of the name, never longer */
	if (brief && strlen(brief) > strlen(full ? full : name))
		abort();
	free(brief);
	free(full);
	free(name);
	return 0;
}
