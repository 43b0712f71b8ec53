/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * annotate's text: the header of the file (what was recorded, how samples
 * are charged to instructions and why the costly one looks cheap: skid),
 * then per function a header line and its instructions, each with its share
 * and count of the function's samples, jump and call targets named, the
 * hottest marked, optionally coloured (red from 10%, yellow from 1%) and
 * with the source lines among them.
 *
 * The source lines are read from the files DWARF names, each file once per
 * annotate_sources (annotate_sources_free() frees it and every line). The
 * writers write to `out` (the caller checks ferror(out)) and print no
 * messages.
 */
#ifndef PMUPROF_OUTPUT_ANNOTATE_H
#define PMUPROF_OUTPUT_ANNOTATE_H

#include "analyse/annotate.h"
#include "analyse/disasm.h"
#include "analyse/profile.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct data_reader;
struct srcline;
struct symbolizer;

struct annotate_sources;

struct annotate_sources *annotate_sources_new(void);
void annotate_sources_free(struct annotate_sources *ss); /* NULL is a no-op */

/* One function's listing: what annotate_print_function() lays out. */
struct annotate_listing {
	const struct profile *p;
	const struct annotate_func *f;	  /* its samples */
	const struct annotate_code *code; /* its range and object */
	const struct disasm_insn *insns;  /* its instructions, in address order */
	size_t ninsns;
	struct srcline *sl;		  /* its object's source lines, or NULL: none shown */
	struct annotate_sources *sources; /* the source files read so far (with sl) */
	struct symbolizer *sym;		  /* names targets outside it; NULL: not named */
	bool color;			  /* ANSI colours */
};

/*
 * The header above the functions of a recording `path` (rd: its metadata);
 * kernel_samples: the leaf samples in the kernel, which are not annotated.
 */
void annotate_print_header(FILE *out, const char *path, const struct data_reader *rd,
			   const struct profile *p, uint64_t kernel_samples);
void annotate_print_function(FILE *out, const struct annotate_listing *l);

#endif
