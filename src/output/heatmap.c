// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The heat map over time as an SVG file (see heatmap.h).
 *
 * The map is drawn in the file (one <rect> per cell with samples over a
 * patterned background of empty cells), so that any viewer shows it; the
 * rest needs the script: hovering, selecting, and the selection's flame
 * graph, which the script builds from the embedded data (a JSON document in
 * <script type="application/json" id="hm-data">):
 *
 *   rows, cols, bucket   the grid: bucket ns per cell, rows cells per column
 *   offset               ns from the recording's start to cell 0's start
 *   time                 values are ns (a time view), else sample counts
 *   cw, rh, width, flameTop   the geometry the script needs
 *   report               the command the --time argument is printed after
 *   cells                [bucket, value, ...] of the cells with samples
 *   all, comms, funcs    fills and names: comms [name, fill], funcs [name,
 *                        object, fill, inlined] (a function and whether inlined)
 *   stacks, counts       each distinct stack as [comm, [funcs, outermost
 *                        first]], and its [bucket, value, ...]
 *
 * The flame graph's frames are the elements the flame graph script
 * (flame_svg_script) expects, in an inner <svg id="pmuprof-fg"> that each
 * selection replaces; the script runs again on the new one.
 */
#include "output/heatmap.h"
#include "output/export.h"
#include "util/alloc.h"
#include "util/hash.h"
#include "util/json.h"
#include "util/units.h"
#include "util/xml.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MIN_WIDTH 1200
#define MAP_X	  70 /* left of the map: the rows' labels */
#define MAP_Y	  70 /* above it: title and subtitle */
#define RIGHT_PAD 20
#define FONT_SIZE 12
#define CHAR_W	  (FONT_SIZE * 0.59)
#define LEGEND_W  200

struct geometry {
	int cw, rh;	   /* a cell */
	int width, height; /* of the file before a selection */
	int map_w, map_h;
	int axis_y; /* the columns' labels */
	int legend_y, details_y, selection_y, command_y;
	int flame_top; /* where a selection's flame graph goes */
};

static void layout(struct geometry *g, const struct heatmap *h)
{
	int avail = MIN_WIDTH - MAP_X - RIGHT_PAD;

	g->cw = h->cols ? avail / (int)h->cols : avail;
	g->cw = g->cw > 40 ? 40 : g->cw < 4 ? 4 : g->cw;
	g->rh = (int)(500 / h->rows);
	g->rh = g->rh > 16 ? 16 : g->rh < 6 ? 6 : g->rh;
	g->map_w = g->cw * (int)h->cols;
	g->map_h = g->rh * (int)h->rows;
	g->width = MAP_X + g->map_w + RIGHT_PAD;
	if (g->width < MIN_WIDTH)
		g->width = MIN_WIDTH;
	g->axis_y = MAP_Y + g->map_h + 14;
	g->legend_y = g->axis_y + 24;
	g->details_y = g->legend_y + 30;
	g->selection_y = g->details_y + 20;
	g->command_y = g->selection_y + 20;
	g->flame_top = g->command_y + 12;
	g->height = g->flame_top + 10;
}

/* A cell's fill: from a pale yellow for the least to a dark red for the most. */
static void cell_fill(char *buf, size_t size, uint64_t v, uint64_t max)
{
	double f = max ? (double)v / (double)max : 0;
	double hue = 55 - 55 * f, light = 0.86 - 0.5 * f;
	double q = light < 0.5 ? light * 2 : light + 1 - light, p = 2 * light - q;
	double rgb[3];

	/* saturation 1: the HSL formula reduced */
	for (int i = 0; i < 3; i++) {
		double t = hue / 360 + (1 - i) / 3.0;

		t += t < 0 ? 1 : t > 1 ? -1 : 0;
		rgb[i] = t < 1.0 / 6   ? p + (q - p) * 6 * t
			 : t < 0.5     ? q
			 : t < 2.0 / 3 ? p + (q - p) * (2.0 / 3 - t) * 6
				       : p;
	}
	snprintf(buf, size, "rgb(%d,%d,%d)", (int)lround(255 * rgb[0]), (int)lround(255 * rgb[1]),
		 (int)lround(255 * rgb[2]));
}

/* What the cells count, in words. */
static void put_measure(FILE *out, const struct profile *p, const struct heatmap *h)
{
	char bucket[UNITS_DURATION_MAX];

	units_duration(bucket, sizeof(bucket), h->bucket_ns);
	if (p->view == PROF_VIEW_CPU) {
		xml_put(out, p->event ? p->event : "CPU", SIZE_MAX);
		fprintf(out, " samples per %s (cpu view)", bucket);
	} else {
		fprintf(out, "%s per %s (%s view; a wait counts whole in the cell where it began)",
			p->view == PROF_VIEW_WALL ? "on-CPU plus off-CPU time" : "off-CPU time",
			bucket, profile_view_name(p->view));
	}
}

static void put_value(FILE *out, const struct heatmap *h, uint64_t v)
{
	char when[UNITS_DURATION_MAX];

	if (h->time)
		fputs(units_duration(when, sizeof(when), v), out);
	else
		fprintf(out, "%" PRIu64 " sample%s", v, v == 1 ? "" : "s");
}

static void put_header(FILE *out, const struct profile *p, const struct heatmap *h,
		       const struct heatmap_svg_opts *o, const struct geometry *g)
{
	fputs("<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\"?>\n", out);
	fprintf(out,
		"<svg version=\"1.1\" id=\"pmuprof-hm\" width=\"%d\" height=\"%d\" "
		"viewBox=\"0 0 %d %d\" xmlns=\"http://www.w3.org/2000/svg\" "
		"data-origin-ns=\"%" PRIu64 "\" data-start-ns=\"%" PRIu64
		"\" data-bucket-ns=\"%" PRIu64 "\">\n",
		g->width, g->height, g->width, g->height, h->origin, o->start_ns, h->bucket_ns);
	fputs("<!-- heat map over time written by pmuprof: a column per second, a row per part of "
	      "it; select a range of cells for its flame graph -->\n",
	      out);
	fprintf(
	    out,
	    "<defs><linearGradient id=\"pf-bg\" x1=\"0\" y1=\"0\" x2=\"0\" y2=\"1\">"
	    "<stop stop-color=\"#f8f8f8\" offset=\"0\"/><stop stop-color=\"#ececd8\" "
	    "offset=\"1\"/></linearGradient>\n"
	    "<pattern id=\"hm-empty\" width=\"%d\" height=\"%d\" patternUnits=\"userSpaceOnUse\">"
	    "<rect width=\"%d\" height=\"%d\" fill=\"#e8e8e8\"/></pattern>\n"
	    "<linearGradient id=\"hm-scale\" x1=\"0\" y1=\"0\" x2=\"1\" y2=\"0\">",
	    g->cw, g->rh, g->cw - 1, g->rh - 1);
	for (int i = 0; i <= 4; i++) {
		char fill[FLAME_COLOUR_MAX];

		cell_fill(fill, sizeof(fill), (uint64_t)i, 4);
		fprintf(out, "<stop stop-color=\"%s\" offset=\"%.2f\"/>", i ? fill : "#e8e8e8",
			i / 4.0);
	}
	fputs("</linearGradient></defs>\n", out);
	fputs("<style type=\"text/css\">\n"
	      "text { font-family: Verdana, \"DejaVu Sans\", sans-serif; font-size: 12px; fill: "
	      "#000; }\n"
	      "#hm-title, #pf-title { font-size: 17px; }\n"
	      "#hm-subtitle, #pf-subtitle, .hm-axis { fill: #555; }\n"
	      ".hm-axis { font-size: 11px; }\n"
	      "#hm-map { cursor: crosshair; }\n"
	      "#hm-command { font-family: \"DejaVu Sans Mono\", monospace; }\n"
	      ".hm-chosen { fill: rgba(40,90,255,0.18); stroke: #1030c0; stroke-width: 2; "
	      "pointer-events: none; }\n"
	      ".hm-pending { fill: rgba(40,90,255,0.10); stroke: #1030c0; stroke-width: 1.5; "
	      "stroke-dasharray: 4 2; pointer-events: none; }\n"
	      ".f { cursor: pointer; }\n"
	      ".f:hover rect { stroke: #000; stroke-width: 0.5; }\n"
	      ".f text { pointer-events: none; }\n"
	      ".anc { opacity: 0.45; }\n"
	      ".hide { display: none; }\n"
	      ".button { cursor: pointer; fill: #225; }\n"
	      ".button:hover { text-decoration: underline; }\n"
	      "</style>\n",
	      out);
	fprintf(out,
		"<rect x=\"0\" y=\"0\" width=\"100%%\" height=\"100%%\" fill=\"url(#pf-bg)\"/>\n");
	fprintf(out, "<text id=\"hm-title\" x=\"%d\" y=\"24\" text-anchor=\"middle\">",
		g->width / 2);
	xml_put_fitted(out, p->title ? p->title : "Heat map",
		       (g->width - 20) * (double)FONT_SIZE / 17, CHAR_W);
	fprintf(out, "</text>\n<text id=\"hm-subtitle\" x=\"%d\" y=\"42\" text-anchor=\"middle\">",
		g->width / 2);
	put_measure(out, p, h);
	fputs(": ", out);
	put_value(out, h, h->total);
	fputs(", at most ", out);
	put_value(out, h, h->max);
	fputs(" in a cell", out);
	if (o->off_cpu && p->view == PROF_VIEW_CPU)
		fputs("; off-CPU time: --view off-cpu or wall", out);
	fputs("</text>\n", out);
}

/* Labels: each second that fits under the columns, a few offsets beside the rows. */
static void put_axes(FILE *out, const struct heatmap *h, const struct geometry *g, uint64_t offset)
{
	static const unsigned steps[] = {1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000};
	static const unsigned row_steps[] = {1, 2, 4, 5, 10, 20, 25, 50};
	unsigned step = 10000, rstep = h->rows;

	for (size_t i = 0; i < ARRAY_SIZE(steps); i++)
		if ((int)steps[i] * g->cw >= 40) {
			step = steps[i];
			break;
		}
	for (size_t i = 0; i < ARRAY_SIZE(row_steps); i++)
		if (h->rows % row_steps[i] == 0 && (int)row_steps[i] * g->rh >= 40) {
			rstep = row_steps[i];
			break;
		}
	fputs("<g class=\"hm-axis\">\n", out);
	/* a column's label is its second from the recording's start (offset: of column 0) */
	for (uint32_t c = 0; c < h->cols; c++) {
		uint64_t sec = (offset + (uint64_t)c * 1000000000u) / 1000000000u;

		if (sec % step)
			continue;
		fprintf(out, "<text x=\"%d\" y=\"%d\">%" PRIu64 "</text>\n", MAP_X + c * g->cw + 1,
			g->axis_y, sec);
	}
	fprintf(out, "<text x=\"%d\" y=\"%d\">seconds from the recording's start</text>\n", MAP_X,
		g->axis_y + 14);
	for (uint32_t r = 0; r < h->rows; r += rstep)
		fprintf(out, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%" PRIu64 " ms</text>\n",
			MAP_X - 6, MAP_Y + (int)r * g->rh + 10, r * h->bucket_ns / 1000000u);
	fputs("</g>\n", out);
}

static void put_map(FILE *out, const struct heatmap *h, const struct geometry *g)
{
	fprintf(out, "<g id=\"hm-map\" transform=\"translate(%d,%d)\">\n", MAP_X, MAP_Y);
	fprintf(out,
		"<rect id=\"hm-grid\" x=\"0\" y=\"0\" width=\"%d\" height=\"%d\" "
		"fill=\"url(#hm-empty)\"/>\n",
		g->map_w, g->map_h);
	for (size_t b = 0; b < (size_t)h->cols * h->rows; b++) {
		char fill[FLAME_COLOUR_MAX];

		if (!h->cells[b])
			continue;
		cell_fill(fill, sizeof(fill), h->cells[b], h->max);
		fprintf(out, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"%s\"/>\n",
			(int)(b / h->rows) * g->cw, (int)(b % h->rows) * g->rh, g->cw - 1,
			g->rh - 1, fill);
	}
	fputs("<g id=\"hm-sel\"></g>\n</g>\n", out);
}

static void put_legend(FILE *out, const struct heatmap *h, const struct geometry *g)
{
	fprintf(out, "<text x=\"%d\" y=\"%d\">0</text>\n", MAP_X, g->legend_y + 11);
	fprintf(out,
		"<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"12\" fill=\"url(#hm-scale)\" "
		"stroke=\"#999\" stroke-width=\"0.5\"/>\n",
		MAP_X + 14, g->legend_y + 1, LEGEND_W);
	fprintf(out, "<text x=\"%d\" y=\"%d\">", MAP_X + 20 + LEGEND_W, g->legend_y + 11);
	put_value(out, h, h->max);
	fputs(" in a cell</text>\n", out);
	fprintf(out, "<text id=\"hm-details\" x=\"%d\" y=\"%d\">\xc2\xa0</text>\n", MAP_X,
		g->details_y);
	fprintf(out,
		"<text id=\"hm-selection\" x=\"%d\" y=\"%d\">Click a start cell and an end cell "
		"(or drag from one to the other) for the flame graph of that range</text>\n",
		MAP_X, g->selection_y);
	fprintf(out, "<text id=\"hm-command\" x=\"%d\" y=\"%d\" data-time=\"\"></text>\n", MAP_X,
		g->command_y);
}

/* The functions as the flame graph shows them: (function, inlined) pairs, in that order. */
struct frame_ids {
	uint32_t *id; /* by func * 2 + inlined; UINT32_MAX: unused */
	uint32_t n;
};

static void put_data(FILE *out, const struct profile *p, const struct heatmap *h,
		     const struct heatmap_svg_opts *o, const struct geometry *g)
{
	char fill[FLAME_COLOUR_MAX];
	struct frame_ids fr = {xcalloc(p->nfuncs * 2 + 1, sizeof(*fr.id)), 0};
	uint32_t *comm_of = xcalloc(p->nstacks + 1, sizeof(*comm_of));
	const char **comms = NULL;
	size_t ncomms = 0, acomms = 0, e = 0;
	struct hash index;
	bool first;

	fprintf(out,
		"{\"rows\":%" PRIu32 ",\"cols\":%" PRIu32 ",\"bucket\":%" PRIu64
		",\"offset\":%" PRIu64
		",\"time\":%s,\"cw\":%d,\"rh\":%d,\"width\":%d,\"flameTop\":%d,\"report\":",
		h->rows, h->cols, h->bucket_ns, heatmap_bucket_offset(h, o->start_ns, 0),
		h->time ? "true" : "false", g->cw, g->rh, g->width, g->flame_top);
	json_write_string(out, o->report ? o->report : "pmuprof report");
	fputs(",\"cells\":[", out);
	first = true;
	for (size_t b = 0; b < (size_t)h->cols * h->rows; b++)
		if (h->cells[b]) {
			fprintf(out, "%s%zu,%" PRIu64, first ? "" : ",", b, h->cells[b]);
			first = false;
		}
	flame_colour(fill, sizeof(fill), "all", FLAME_COLOUR_ROOT);
	fprintf(out, "],\"all\":\"%s\",\"comms\":[", fill);

	hash_init(&index);
	for (size_t i = 0; i < p->nstacks; i++) {
		const struct prof_stack *s = &p->stacks[i];
		const char *c = s->comm && *s->comm ? s->comm : "[unknown]";
		int added = 0;

		comm_of[i] = (uint32_t)hash_get(&index, c, strlen(c), ncomms, &added);
		if (added) {
			xgrow(&comms, &acomms, ncomms + 1, sizeof(*comms));
			comms[ncomms++] = c;
		}
		for (uint32_t j = 0; j < s->depth; j++) {
			const struct prof_loc *l = &p->locs[p->frames[s->first + j]];

			fr.id[l->func * 2 + l->inlined] = 1;
		}
	}
	hash_release(&index);
	for (size_t i = 0; i < ncomms; i++) {
		flame_colour(fill, sizeof(fill), comms[i], FLAME_COLOUR_ROOT);
		fputs(i ? ",[" : "[", out);
		json_write_string(out, comms[i]);
		fprintf(out, ",\"%s\"]", fill);
	}
	fputs("],\"funcs\":[", out);
	for (size_t k = 0; k < p->nfuncs * 2; k++) {
		const struct prof_func *f = &p->funcs[k / 2];
		const char *name = f->name && *f->name ? f->name : "[unknown]";

		if (!fr.id[k]) {
			fr.id[k] = UINT32_MAX;
			continue;
		}
		fr.id[k] = fr.n;
		flame_colour(fill, sizeof(fill), name,
			     f->kernel ? FLAME_COLOUR_KERNEL
			     : (k & 1) ? FLAME_COLOUR_INLINED
				       : FLAME_COLOUR_USER);
		fputs(fr.n++ ? ",[" : "[", out);
		json_write_string(out, name);
		fputc(',', out);
		json_write_string(out, f->dso ? f->dso : "");
		fprintf(out, ",\"%s\",%d]", fill, (int)(k & 1));
	}
	fputs("],\"stacks\":[", out);
	for (size_t i = 0; i < p->nstacks; i++) {
		const struct prof_stack *s = &p->stacks[i];

		fprintf(out, "%s[%" PRIu32 ",[", i ? "," : "", comm_of[i]);
		for (uint32_t j = s->depth; j-- > 0;) {
			const struct prof_loc *l = &p->locs[p->frames[s->first + j]];

			fprintf(out, "%" PRIu32 "%s", fr.id[l->func * 2 + l->inlined],
				j ? "," : "");
		}
		fputs("]]", out);
	}
	/* no line breaks: XML text would keep them, but xml_put() replaces control characters */
	/* the entries are sorted by stack: one array per stack, in bucket order */
	fputs("],\"counts\":[", out);
	for (size_t i = 0; i < p->nstacks; i++) {
		fputs(i ? ",[" : "[", out);
		for (first = true; e < h->nentries && h->entries[e].stack == i; e++, first = false)
			fprintf(out, "%s%" PRIu32 ",%" PRIu64, first ? "" : ",",
				h->entries[e].bucket, h->entries[e].value);
		fputc(']', out);
	}
	fputs("]}", out);
	free(comms);
	free(comm_of);
	free(fr.id);
}

static const char heatmap_script[] =
    "(function () {\n"
    "\"use strict\";\n"
    "var NS = \"http://www.w3.org/2000/svg\";\n"
    "var root = document.getElementById(\"pmuprof-hm\");\n"
    "var D = JSON.parse(document.getElementById(\"hm-data\").textContent);\n"
    "var map = document.getElementById(\"hm-map\");\n"
    "var sel = document.getElementById(\"hm-sel\");\n"
    "var details = document.getElementById(\"hm-details\");\n"
    "var selText = document.getElementById(\"hm-selection\");\n"
    "var cmd = document.getElementById(\"hm-command\");\n"
    "var NB = D.rows * D.cols, cells = [], pending = -1, dragFrom = -1, i;\n"
    "var FH = 16, TOP = 56, BOTTOM = 30, PAD = 10, CHAR = 12 * 0.59;\n"
    "\n"
    "for (i = 0; i < NB; i++)\n"
    "\tcells.push(0);\n"
    "for (i = 0; i + 1 < D.cells.length; i += 2)\n"
    "\tcells[D.cells[i]] = D.cells[i + 1];\n"
    "\n"
    "function el(name, attrs, parent) {\n"
    "\tvar e = document.createElementNS(NS, name);\n"
    "\tfor (var k in attrs)\n"
    "\t\tif (attrs.hasOwnProperty(k))\n"
    "\t\t\te.setAttribute(k, attrs[k]);\n"
    "\tif (parent)\n"
    "\t\tparent.appendChild(e);\n"
    "\treturn e;\n"
    "}\n"
    "/* ns from the recording's start as --time takes it: exact, nine decimals at most */\n"
    "function secs(ns) {\n"
    "\tvar s = Math.floor(ns / 1e9), f = String(ns - s * 1e9);\n"
    "\twhile (f.length < 9)\n"
    "\t\tf = \"0\" + f;\n"
    "\tf = f.replace(/0+$/, \"\");\n"
    "\treturn f ? s + \".\" + f : String(s);\n"
    "}\n"
    "function timeArg(a, b) {\n"
    "\treturn secs(D.offset + a * D.bucket) + \",\" + secs(D.offset + (b + 1) * D.bucket - 1);\n"
    "}\n"
    "function span(a, b) {\n"
    "\treturn ((D.offset + a * D.bucket) / 1e9).toFixed(3) + \" s to \" +\n"
    "\t\t((D.offset + (b + 1) * D.bucket) / 1e9).toFixed(3) + \" s\";\n"
    "}\n"
    "function duration(ns) {\n"
    "\tvar u = [[1e9, \" s\"], [1e6, \" ms\"], [1e3, \" us\"]];\n"
    "\tfor (var k = 0; k < u.length; k++)\n"
    "\t\tif (ns >= u[k][0]) {\n"
    "\t\t\tvar v = ns / u[k][0];\n"
    "\t\t\treturn v.toFixed(v < 10 ? 2 : v < 100 ? 1 : 0) + u[k][1];\n"
    "\t\t}\n"
    "\treturn ns + \" ns\";\n"
    "}\n"
    "function value(v) {\n"
    "\treturn D.time ? duration(v) : v + (v === 1 ? \" sample\" : \" samples\");\n"
    "}\n"
    "function cellAt(e) {\n"
    "\tvar m = map.getScreenCTM(), pt = root.createSVGPoint();\n"
    "\tif (!m)\n"
    "\t\treturn -1;\n"
    "\tpt.x = e.clientX;\n"
    "\tpt.y = e.clientY;\n"
    "\tpt = pt.matrixTransform(m.inverse());\n"
    "\tvar c = Math.floor(pt.x / D.cw), r = Math.floor(pt.y / D.rh);\n"
    "\tif (c < 0 || c >= D.cols || r < 0 || r >= D.rows)\n"
    "\t\treturn -1;\n"
    "\treturn c * D.rows + r;\n"
    "}\n"
    "function box(x, y, w, h, cls) {\n"
    "\tel(\"rect\", { x: x, y: y, width: w, height: h, \"class\": cls }, sel);\n"
    "}\n"
    "/* buckets a to b in time order: down the first column, whole columns, down the last */\n"
    "function highlight(a, b, cls) {\n"
    "\twhile (sel.firstChild)\n"
    "\t\tsel.removeChild(sel.firstChild);\n"
    "\tif (a < 0)\n"
    "\t\treturn;\n"
    "\tif (b < a) {\n"
    "\t\tvar t = a;\n"
    "\t\ta = b;\n"
    "\t\tb = t;\n"
    "\t}\n"
    "\tvar ca = Math.floor(a / D.rows), cb = Math.floor(b / D.rows);\n"
    "\tvar ra = a % D.rows, rb = b % D.rows;\n"
    "\tif (ca === cb) {\n"
    "\t\tbox(ca * D.cw, ra * D.rh, D.cw, (rb - ra + 1) * D.rh, cls);\n"
    "\t\treturn;\n"
    "\t}\n"
    "\tbox(ca * D.cw, ra * D.rh, D.cw, (D.rows - ra) * D.rh, cls);\n"
    "\tif (cb > ca + 1)\n"
    "\t\tbox((ca + 1) * D.cw, 0, (cb - ca - 1) * D.cw, D.rows * D.rh, cls);\n"
    "\tbox(cb * D.cw, 0, D.cw, (rb + 1) * D.rh, cls);\n"
    "}\n"
    "function fit(name, w) {\n"
    "\tvar n = Math.floor((w - 6) / CHAR);\n"
    "\tif (n < 3)\n"
    "\t\treturn \"\";\n"
    "\treturn name.length <= n ? name : name.substring(0, n - 2) + \"..\";\n"
    "}\n"
    "\n"
    "/* the flame graph of buckets a to b, laid out as pmuprof's flame graph SVG lays it out */\n"
    "function flame(a, b, total) {\n"
    "\tvar old = document.getElementById(\"pmuprof-fg\");\n"
    "\tif (old)\n"
    "\t\told.parentNode.removeChild(old);\n"
    "\tvar nodes = [{ name: \"all\", tip: \"all\", fill: D.all, kids: {},"
    " list: [], v: 0, n: 0, d: 0,\n"
    "\t\tkey: -1 }];\n"
    "\tvar maxDepth = 0, s, k;\n"
    "\tfunction child(p, key, sortKey, name, tip, fill) {\n"
    "\t\tvar id = nodes[p].kids[key];\n"
    "\t\tif (id === undefined) {\n"
    "\t\t\tid = nodes.length;\n"
    "\t\t\tnodes.push({ name: name, tip: tip, fill: fill, kids: {}, list: [], v: 0, n: 0,\n"
    "\t\t\t\td: nodes[p].d + 1, key: sortKey, parent: p });\n"
    "\t\t\tnodes[p].kids[key] = id;\n"
    "\t\t\tnodes[p].list.push(id);\n"
    "\t\t\tif (nodes[id].d > maxDepth)\n"
    "\t\t\t\tmaxDepth = nodes[id].d;\n"
    "\t\t}\n"
    "\t\treturn id;\n"
    "\t}\n"
    "\tfor (s = 0; s < D.stacks.length; s++) {\n"
    "\t\tvar e = D.counts[s], v = 0;\n"
    "\t\tfor (k = 0; k + 1 < e.length; k += 2)\n"
    "\t\t\tif (e[k] >= a && e[k] <= b)\n"
    "\t\t\t\tv += e[k + 1];\n"
    "\t\tif (!v)\n"
    "\t\t\tcontinue;\n"
    "\t\tvar comm = D.comms[D.stacks[s][0]], fr = D.stacks[s][1];\n"
    "\t\tvar n = child(0, \"c\" + D.stacks[s][0], -1, comm[0], comm[0], comm[1]);\n"
    "\t\tfor (k = 0; k < fr.length; k++) {\n"
    "\t\t\tvar f = D.funcs[fr[k]];\n"
    "\t\t\tn = child(n, \"f\" + fr[k], fr[k], f[0],\n"
    "\t\t\t\tf[0] + (f[1] || f[3] ? \" (\" + f[1] + (f[3] ? \", inlined\""
    " : \"\") + \")\" : \"\"),\n"
    "\t\t\t\tf[2]);\n"
    "\t\t}\n"
    "\t\tfor (; n !== undefined; n = nodes[n].parent)\n"
    "\t\t\tnodes[n].v += v;\n"
    "\t}\n"
    "\tvar order = [0];\n"
    "\tnodes[0].s = 0;\n"
    "\tfor (i = 0; i < order.length; i++) {\n"
    "\t\tvar p = nodes[order[i]], x = p.s;\n"
    "\t\tp.list.sort(function (u, w) {\n"
    "\t\t\tvar nu = nodes[u], nw = nodes[w];\n"
    "\t\t\treturn nu.name < nw.name ? -1 : nu.name > nw.name ? 1 : nu.key - nw.key;\n"
    "\t\t});\n"
    "\t\tfor (k = 0; k < p.list.length; k++) {\n"
    "\t\t\tnodes[p.list[k]].s = x;\n"
    "\t\t\tx += nodes[p.list[k]].v;\n"
    "\t\t\torder.push(p.list[k]);\n"
    "\t\t}\n"
    "\t}\n"
    "\tvar W = D.width, height = TOP + (maxDepth + 1) * FH + BOTTOM;\n"
    "\tvar g = el(\"svg\", { id: \"pmuprof-fg\", x: 0, y: D.flameTop, width: W, height: height,\n"
    "\t\tviewBox: \"0 0 \" + W + \" \" + height }, root);\n"
    "\tel(\"text\", { id: \"pf-title\", x: W / 2, y: 24, \"text-anchor\":"
    " \"middle\" }, g).textContent =\n"
    "\t\t\"Flame graph of \" + span(a, b);\n"
    "\tel(\"text\", { id: \"pf-subtitle\", x: W / 2, y: 42, \"text-anchor\":"
    " \"middle\" }, g).textContent =\n"
    "\t\tvalue(nodes[0].v) + \" in \" + (b - a + 1) + \" cell\" +\n"
    "\t\t(a === b ? \"\" : \"s\");\n"
    "\tel(\"text\", { id: \"pf-unzoom\", \"class\": \"button hide\", x: PAD,"
    " y: 42 }, g).textContent =\n"
    "\t\t\"Reset Zoom\";\n"
    "\tel(\"text\", { id: \"pf-search\", \"class\": \"button\", x: W - PAD,"
    " y: 42, \"text-anchor\": \"end\" },\n"
    "\t\tg).textContent = \"Search\";\n"
    "\tel(\"text\", { id: \"pf-details\", x: PAD, y: height - 10 }, g).textContent = \"\\u00a0\";\n"
    "\tel(\"text\", { id: \"pf-matched\", x: W - PAD, y: height - 10, \"text-anchor\":"
    " \"end\" }, g);\n"
    "\tvar frames = el(\"g\", { id: \"pf-frames\" }, g), scale = nodes[0].v"
    " ? (W - 2 * PAD) / nodes[0].v : 0;\n"
    "\tfor (i = 0; i < order.length; i++) {\n"
    "\t\tvar nd = nodes[order[i]], w = nd.v * scale, fx = PAD + nd.s * scale;\n"
    "\t\tvar fy = height - BOTTOM - (nd.d + 1) * FH;\n"
    "\t\tif (w < 0.1)\n"
    "\t\t\tcontinue;\n"
    "\t\tvar fg = el(\"g\", { \"class\": \"f\", \"data-s\": nd.s, \"data-w\":"
    " nd.v, \"data-d\": nd.d,\n"
    "\t\t\t\"data-n\": nd.name }, frames);\n"
    "\t\tel(\"title\", {}, fg).textContent = nd.tip + \": \" + value(nd.v) + \", \" +\n"
    "\t\t\t(100 * nd.v / nodes[0].v).toFixed(2) + \"%\";\n"
    "\t\tel(\"rect\", { x: fx.toFixed(2), y: fy, width: w.toFixed(2), height: FH - 1, rx: 2,\n"
    "\t\t\tfill: nd.fill }, fg);\n"
    "\t\tel(\"text\", { x: (fx + 3).toFixed(2), y: fy + 11.5 }, fg).textContent"
    " = fit(nd.name, w);\n"
    "\t}\n"
    "\tif (!nodes[0].v)\n"
    "\t\tel(\"text\", { x: W / 2, y: height - BOTTOM - 4, \"text-anchor\":"
    " \"middle\" }, g).textContent =\n"
    "\t\t\t\"no samples in this range\";\n"
    "\troot.setAttribute(\"height\", D.flameTop + height + 10);\n"
    "\troot.setAttribute(\"viewBox\", \"0 0 \" + W + \" \" + (D.flameTop + height + 10));\n"
    "\tpfInit();\n"
    "}\n"
    "\n"
    "function select(a, b) {\n"
    "\tif (b < a) {\n"
    "\t\tvar t = a;\n"
    "\t\ta = b;\n"
    "\t\tb = t;\n"
    "\t}\n"
    "\tpending = -1;\n"
    "\thighlight(a, b, \"hm-chosen\");\n"
    "\tvar total = 0;\n"
    "\tfor (var k = a; k <= b; k++)\n"
    "\t\ttotal += cells[k];\n"
    "\tselText.textContent = \"Selected \" + span(a, b) + \" (\" + (b - a + 1) + \" cell\" +\n"
    "\t\t(a === b ? \"\" : \"s\") + \"): \" + value(total) + \". The same samples in a report:\";\n"
    "\tselText.setAttribute(\"data-total\", total);\n"
    "\tselText.setAttribute(\"data-cells\", a + \",\" + b);\n"
    "\tcmd.textContent = D.report + \" --time \" + timeArg(a, b);\n"
    "\tcmd.setAttribute(\"data-time\", timeArg(a, b));\n"
    "\tflame(a, b, total);\n"
    "}\n"
    "function bucketAt(sec) {\n"
    "\tvar b = Math.floor((sec * 1e9 - D.offset) / D.bucket);\n"
    "\treturn b < 0 ? 0 : b >= NB ? NB - 1 : b;\n"
    "}\n"
    "/* #select=START,END: the cells holding those seconds from the recording's start */\n"
    "function fromHash() {\n"
    "\tvar m = /[#&]select=([0-9.]+),([0-9.]+)/.exec(window.location.hash);\n"
    "\tif (m)\n"
    "\t\tselect(bucketAt(+m[1]), bucketAt(+m[2]));\n"
    "}\n"
    "\n"
    "map.addEventListener(\"mousedown\", function (e) {\n"
    "\tdragFrom = cellAt(e);\n"
    "\te.preventDefault();\n"
    "});\n"
    "map.addEventListener(\"mousemove\", function (e) {\n"
    "\tvar b = cellAt(e);\n"
    "\tif (b < 0)\n"
    "\t\treturn;\n"
    "\tdetails.textContent = span(b, b) + \": \" + value(cells[b]);\n"
    "\tif (dragFrom >= 0 && b !== dragFrom)\n"
    "\t\thighlight(dragFrom, b, \"hm-pending\");\n"
    "});\n"
    "map.addEventListener(\"mouseleave\", function () {\n"
    "\tdetails.textContent = \"\\u00a0\";\n"
    "});\n"
    "window.addEventListener(\"mouseup\", function (e) {\n"
    "\tvar b = cellAt(e), a = dragFrom;\n"
    "\tdragFrom = -1;\n"
    "\tif (a < 0 || b < 0)\n"
    "\t\treturn;\n"
    "\tif (b !== a) {\n"
    "\t\tselect(a, b);\n"
    "\t} else if (pending >= 0) {\n"
    "\t\tselect(pending, b);\n"
    "\t} else {\n"
    "\t\tpending = b;\n"
    "\t\thighlight(b, b, \"hm-pending\");\n"
    "\t\tselText.textContent = \"From \" + span(b, b).split(\" to \")[0] +\n"
    "\t\t\t\": click the end cell (the same cell again for this cell alone)\";\n"
    "\t}\n"
    "});\n"
    "window.addEventListener(\"keydown\", function (e) {\n"
    "\tif ((e.key === \"Escape\" || e.keyCode === 27) && pending >= 0) {\n"
    "\t\tpending = -1;\n"
    "\t\thighlight(-1, -1, \"\");\n"
    "\t}\n"
    "});\n"
    "window.addEventListener(\"hashchange\", fromHash);\n"
    "fromHash();\n"
    "})();\n";

int heatmap_write_svg(FILE *out, const struct profile *p, const struct heatmap *h,
		      const struct heatmap_svg_opts *o)
{
	struct geometry g;
	char *data = NULL;
	size_t len = 0;
	FILE *mem;

	errno = 0;
	layout(&g, h);
	put_header(out, p, h, o, &g);
	put_axes(out, h, &g, heatmap_bucket_offset(h, o->start_ns, 0));
	put_map(out, h, &g);
	put_legend(out, h, &g);
	/* the data as the text of an element: escaped for XML, so that no name can end it */
	mem = open_memstream(&data, &len);
	if (!mem)
		return -errno;
	put_data(mem, p, h, o, &g);
	if (fclose(mem)) {
		free(data);
		return -ENOMEM;
	}
	fputs("<script type=\"application/json\" id=\"hm-data\">", out);
	xml_put(out, data, SIZE_MAX);
	free(data);
	fputs("</script>\n<script type=\"text/ecmascript\"><![CDATA[\n", out);
	/* the flame graph's own script, run again on each selection's graph */
	fprintf(out, "function pfInit() {\n%s}\n%s]]></script>\n</svg>\n", flame_svg_script,
		heatmap_script);
	/* errno was cleared on entry: a failed write left its reason there */
	return ferror(out) ? (errno > 0 ? -errno : -EIO) : 0;
}
