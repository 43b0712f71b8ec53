/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A shared library opened when first needed instead of linked. capstone
 * and libpfm4 carry large tables of pointers that the dynamic linker
 * relocates at every start (about 3 ms, a tenth of a short report), yet
 * only annotate, and stat, record and list, call them: each is opened by
 * the one module that uses it, by the file name configure found (its
 * DT_NEEDED name when linked).
 */
#ifndef PMUPROF_DYNLIB_H
#define PMUPROF_DYNLIB_H

#include <stddef.h>

struct dynlib_sym {
	const char *name;
	void *fn; /* a function pointer's address: it gets the symbol's value */
};

/*
 * Opens `file` (kept open for the life of the process) and fills each
 * syms[i].fn: 0, or -ELIBACC with msg (msglen bytes) saying which file or
 * symbol could not be had and why, all pointers left untouched.
 */
int dynlib_open(const char *file, const struct dynlib_sym *syms, size_t n, char *msg,
		size_t msglen);

#endif
