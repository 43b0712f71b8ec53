/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The writers of `pmuprof compare`'s result (analyse/compare.h): the table
 * for a terminal (compare-text.c), every run and median as JSON for scripts
 * (compare-json.c), and a static SVG chart of the samplers' errors and
 * thread splits (compare-svg.c). They only read the result; each writes it
 * whole to f and returns 0, or -errno of the stream when writing failed.
 */
#ifndef PMUPROF_OUTPUT_COMPARE_H
#define PMUPROF_OUTPUT_COMPARE_H

#include "analyse/compare.h"

#include <stdio.h>

int cmp_write_text(const struct cmp_result *r, FILE *f);
int cmp_write_json(const struct cmp_result *r, FILE *f);
int cmp_write_svg(const struct cmp_result *r, FILE *f);

#endif
