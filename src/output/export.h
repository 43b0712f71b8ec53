/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Writers of a profile (analyse/profile.h) in the formats other tools read:
 *
 *   folded      FlameGraph's collapsed stacks: "comm;outer;...;leaf count"
 *   speedscope  speedscope's JSON file format (a "sampled" profile per thread)
 *   json        pmuprof's own JSON: functions, locations and stacks as they are
 *   svg         a self-contained interactive flame graph (zoom, search, tooltips)
 *   pprof       gzipped profile.proto, as go tool pprof reads it
 *
 * Each writes the whole profile to `out` and returns 0, or -errno when it
 * cannot (the caller also checks ferror(out)). None prints messages.
 */
#ifndef PMUPROF_EXPORT_H
#define PMUPROF_EXPORT_H

#include "analyse/profile.h"

#include <stdio.h>

int export_folded(FILE *out, const struct profile *p);
int export_speedscope(FILE *out, const struct profile *p);
int export_json(FILE *out, const struct profile *p);
int export_svg(FILE *out, const struct profile *p);

/*
 * The flame graphs' script (zoom on click, search, details on hover), for
 * an SVG whose root is <svg id="pmuprof-fg">, whose frames are
 * <g class="f" data-s data-w data-d data-n> (start and width in one unit,
 * depth from the root at 0, name) each holding a <rect> and a <text>, with
 * the texts pf-details, pf-matched, pf-unzoom (class "button hide") and
 * pf-search (class "button"), and the CSS classes hide and anc. It must be
 * put in a CDATA section.
 */
extern const char flame_svg_script[];

/* What a flame graph's frame stands for, which picks its colours. */
enum flame_colour {
	FLAME_COLOUR_ROOT, /* "all" and the thread names */
	FLAME_COLOUR_USER,
	FLAME_COLOUR_INLINED,
	FLAME_COLOUR_KERNEL,
};
#define FLAME_COLOUR_MAX 24 /* "rgb(255,255,255)" and its NUL */
/*
 * The fill of a frame named name ("rgb(r,g,b)" into buf), hashed from the
 * name so that a function keeps its colour from graph to graph; grey for an
 * unsymbolized frame whatever its kind.
 */
void flame_colour(char *buf, size_t size, const char *name, enum flame_colour kind);
int export_pprof(FILE *out, const struct profile *p);

#endif
