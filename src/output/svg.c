// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * An interactive flame graph in one SVG file, with no external resources.
 *
 * The stacks are merged root first into one tree: "all" at the bottom, then
 * one frame per thread name (comm), then the outermost callers up to the
 * leaves. Widths are proportional to weight (event counts, or nanoseconds for
 * clock events; samples if every weight is 0), siblings are sorted by name as
 * in FlameGraph, and frames narrower than 0.1 pixel are left out (their
 * weight still counts in their parent's width). Colours are hashed from the
 * name so that a function keeps its colour across graphs: warm for user code,
 * a lighter yellow tint for inlined frames, blue-green for kernel functions,
 * grey for [unknown] and unsymbolized "object+0x..." frames.
 *
 * Each frame is <g class="f" data-s data-w data-d data-n> (start and width in
 * weight units, depth, name) holding a <title> tooltip "name (dso): N samples,
 * X.XX%", a <rect> and a <text> label cut to fit with "..". The script at the
 * end of the file reads those attributes: click zooms into a frame (its
 * ancestors stay below, greyed), "Reset Zoom" or Escape undoes it, "Search"
 * or Ctrl-F takes a regular expression over function names, highlights the
 * matches and shows the share of the total weight they cover (nested matches
 * counted once). Hovering a frame shows its tooltip in the details line.
 */
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

#define IMAGE_WIDTH 1200
#define XPAD	    10
#define FRAME_H	    16
#define TOP_PAD	    56 /* title, subtitle and controls */
#define BOTTOM_PAD  30 /* details line */
#define FONT_SIZE   12
#define CHAR_W	    (FONT_SIZE * 0.59) /* average glyph width, the script uses the same */
#define MIN_WIDTH   0.1
#define ROOT_NAME   "all"

enum fg_kind {
	FG_ROOT,
	FG_COMM,
	FG_FUNC,
};

struct fg_node {
	uint32_t parent, child, next; /* first child and next sibling, 0 for none */
	uint32_t depth, func;	      /* func: index into p->funcs, for FG_FUNC */
	enum fg_kind kind;
	bool inlined;
	const char *name;
	uint64_t samples, value, start; /* start: offset of the left edge in value units */
};

struct fg_tree {
	struct fg_node *n;
	size_t nr, alloc;
	uint32_t max_depth;
	struct hash index; /* (parent, kind, func or comm) -> node */
	char *key;	   /* scratch key buffer */
	size_t key_alloc;
};

static uint32_t tree_child(struct fg_tree *t, uint32_t parent, enum fg_kind kind, uint32_t func,
			   bool inlined, const char *name)
{
	uint32_t head[4] = {parent, kind, func, inlined};
	size_t len = sizeof(head), idx;
	int added = 0;

	if (kind == FG_COMM)
		len += strlen(name);
	xgrow(&t->key, &t->key_alloc, len, 1);
	memcpy(t->key, head, sizeof(head));
	if (kind == FG_COMM)
		memcpy(t->key + sizeof(head), name, len - sizeof(head));
	idx = hash_get(&t->index, t->key, len, t->nr, &added);
	if (added) {
		struct fg_node *n;

		xgrow(&t->n, &t->alloc, t->nr + 1, sizeof(*t->n));
		n = &t->n[t->nr++];
		n->parent = parent;
		n->kind = kind;
		n->func = func;
		n->inlined = inlined;
		n->name = name;
		n->depth = t->n[parent].depth + 1;
		n->next = t->n[parent].child;
		t->n[parent].child = (uint32_t)idx;
		if (n->depth > t->max_depth)
			t->max_depth = n->depth;
	}
	return (uint32_t)idx;
}

static const char *func_name(const struct prof_func *f)
{
	return f->name && *f->name ? f->name : "[unknown]";
}

static void tree_build(struct fg_tree *t, const struct profile *p, bool by_weight)
{
	memset(t, 0, sizeof(*t));
	hash_init(&t->index);
	xgrow(&t->n, &t->alloc, 1, sizeof(*t->n));
	t->n[0] = (struct fg_node){.kind = FG_ROOT, .name = ROOT_NAME};
	t->nr = 1;
	for (size_t i = 0; i < p->nstacks; i++) {
		const struct prof_stack *s = &p->stacks[i];
		uint64_t v = by_weight ? s->weight : s->samples;
		uint32_t node;

		node = tree_child(t, 0, FG_COMM, 0, false,
				  s->comm && *s->comm ? s->comm : "[unknown]");
		for (uint32_t j = s->depth; j-- > 0;) {
			const struct prof_loc *l = &p->locs[p->frames[s->first + j]];

			node = tree_child(t, node, FG_FUNC, l->func, l->inlined,
					  func_name(&p->funcs[l->func]));
		}
		for (;; node = t->n[node].parent) {
			t->n[node].samples += s->samples;
			t->n[node].value += v;
			if (!node)
				break;
		}
	}
	hash_release(&t->index);
	free(t->key);
}

struct fg_sort {
	const struct fg_node *n;
	uint32_t id;
};

static int cmp_sibling(const void *a, const void *b)
{
	const struct fg_node *x = ((const struct fg_sort *)a)->n,
			     *y = ((const struct fg_sort *)b)->n;
	int c = strcmp(x->name, y->name);

	if (c)
		return c;
	if (x->func != y->func)
		return x->func < y->func ? -1 : 1;
	return (int)x->inlined - (int)y->inlined;
}

/* Left edges: siblings side by side in name order. A parent's index is below its children's. */
static void tree_layout(struct fg_tree *t)
{
	struct fg_sort *kids = NULL;
	size_t alloc = 0;

	for (size_t i = 0; i < t->nr; i++) {
		uint64_t x = t->n[i].start;
		size_t k = 0;

		for (uint32_t c = t->n[i].child; c; c = t->n[c].next) {
			xgrow(&kids, &alloc, k + 1, sizeof(*kids));
			kids[k++] = (struct fg_sort){&t->n[c], c};
		}
		if (k > 1)
			qsort(kids, k, sizeof(*kids), cmp_sibling);
		for (size_t j = 0; j < k; j++) {
			t->n[kids[j].id].start = x;
			x += t->n[kids[j].id].value;
		}
	}
	free(kids);
}

static double hsl_part(double p, double q, double t)
{
	if (t < 0)
		t += 1;
	if (t > 1)
		t -= 1;
	if (t < 1.0 / 6)
		return p + (q - p) * 6 * t;
	if (t < 0.5)
		return q;
	if (t < 2.0 / 3)
		return p + (q - p) * (2.0 / 3 - t) * 6;
	return p;
}

/* h in degrees, s and l in [0, 1] */
static void put_hsl(char *buf, size_t size, double h, double s, double l)
{
	double q = l < 0.5 ? l * (1 + s) : l + s - l * s, p = 2 * l - q;

	h /= 360;
	snprintf(buf, size, "rgb(%d,%d,%d)", (int)lround(255 * hsl_part(p, q, h + 1.0 / 3)),
		 (int)lround(255 * hsl_part(p, q, h)),
		 (int)lround(255 * hsl_part(p, q, h - 1.0 / 3)));
}

static bool unsymbolized(const char *name)
{
	return !strcmp(name, "[unknown]") || strstr(name, "+0x");
}

void flame_colour(char *buf, size_t size, const char *name, enum flame_colour kind)
{
	uint64_t h = hash_bytes(name, strlen(name));
	double v1 = (double)(h & 0xffff) / 65536, v2 = (double)((h >> 16) & 0xffff) / 65536;
	double v3 = (double)((h >> 32) & 0xffff) / 65536;

	if (kind == FLAME_COLOUR_ROOT)
		put_hsl(buf, size, 35 + 10 * v1, 0.2 + 0.1 * v2, 0.72 + 0.04 * v3);
	else if (unsymbolized(name))
		put_hsl(buf, size, 0, 0, 0.70 + 0.08 * v1);
	else if (kind == FLAME_COLOUR_KERNEL)
		put_hsl(buf, size, 175 + 30 * v1, 0.45 + 0.2 * v2, 0.58 + 0.1 * v3);
	else if (kind == FLAME_COLOUR_INLINED)
		put_hsl(buf, size, 42 + 14 * v1, 0.85 + 0.1 * v2, 0.66 + 0.08 * v3);
	else
		put_hsl(buf, size, 2 + 40 * v1, 0.8 + 0.15 * v2, 0.52 + 0.1 * v3);
}

static void put_colour(FILE *out, const struct profile *p, const struct fg_node *n)
{
	char fill[FLAME_COLOUR_MAX];

	flame_colour(fill, sizeof(fill), n->name,
		     n->kind != FG_FUNC		? FLAME_COLOUR_ROOT
		     : p->funcs[n->func].kernel ? FLAME_COLOUR_KERNEL
		     : n->inlined		? FLAME_COLOUR_INLINED
						: FLAME_COLOUR_USER);
	fputs(fill, out);
}

static void put_tooltip(FILE *out, const struct profile *p, const struct fg_node *n, uint64_t total)
{
	const char *dso = n->kind == FG_FUNC ? p->funcs[n->func].dso : NULL;

	xml_put(out, n->name, SIZE_MAX);
	if (dso || n->inlined) {
		fputs(" (", out);
		if (dso)
			xml_put(out, dso, SIZE_MAX);
		if (n->inlined)
			fputs(dso ? ", inlined" : "inlined", out);
		fputc(')', out);
	}
	fprintf(out, ": %" PRIu64 " sample%s", n->samples, n->samples == 1 ? "" : "s");
	if (profile_view_time(p->view)) {
		char when[UNITS_DURATION_MAX];

		fprintf(out, ", %s", units_duration(when, sizeof(when), n->value));
	}
	fprintf(out, ", %.2f%%", total ? 100.0 * (double)n->value / (double)total : 0.0);
}

static void put_frame(FILE *out, const struct profile *p, const struct fg_node *n, uint64_t total,
		      int height)
{
	double scale = (double)(IMAGE_WIDTH - 2 * XPAD) / (double)total;
	double x = XPAD + (double)n->start * scale, w = (double)n->value * scale;
	int y = height - BOTTOM_PAD - (int)(n->depth + 1) * FRAME_H;

	fprintf(out,
		"<g class=\"f\" data-s=\"%" PRIu64 "\" data-w=\"%" PRIu64
		"\" data-d=\"%u\" data-n=\"",
		n->start, n->value, n->depth);
	xml_put(out, n->name, SIZE_MAX);
	fputs("\"><title>", out);
	put_tooltip(out, p, n, total);
	fprintf(out,
		"</title><rect x=\"%.2f\" y=\"%d\" width=\"%.2f\" height=\"%d\" rx=\"2\" fill=\"",
		x, y, w, FRAME_H - 1);
	put_colour(out, p, n);
	fprintf(out, "\"/><text x=\"%.2f\" y=\"%.1f\">", x + 3, y + 11.5);
	xml_put_fitted(out, n->name, w, CHAR_W);
	fputs("</text></g>\n", out);
}

/*
 * The script: plain ES5 so that any viewer runs it, and it must not contain
 * "]]>". The label rule matches xml_put_fitted(). pmuprof diff's
 * differential flame graph uses it too (export.h says what it expects).
 */
const char flame_svg_script[] =
    "(function () {\n"
    "\"use strict\";\n"
    "var svg = document.getElementById(\"pmuprof-fg\");\n"
    "var W = +svg.getAttribute(\"width\"), PAD = 10, CHAR = 12 * 0.59, HIT = \"rgb(230,0,230)\";\n"
    "var details = document.getElementById(\"pf-details\");\n"
    "var matched = document.getElementById(\"pf-matched\");\n"
    "var unzoomButton = document.getElementById(\"pf-unzoom\");\n"
    "var searchButton = document.getElementById(\"pf-search\");\n"
    "var frames = [], total = 0, hits = null;\n"
    "\n"
    "function fit(name, w) {\n"
    "\tvar n = Math.floor((w - 6) / CHAR);\n"
    "\tif (n < 3)\n"
    "\t\treturn \"\";\n"
    "\treturn name.length <= n ? name : name.substring(0, n - 2) + \"..\";\n"
    "}\n"
    "function place(f, x, w) {\n"
    "\tf.rect.setAttribute(\"x\", x.toFixed(2));\n"
    "\tf.rect.setAttribute(\"width\", w.toFixed(2));\n"
    "\tf.text.setAttribute(\"x\", (x + 3).toFixed(2));\n"
    "\tf.text.textContent = fit(f.name, w);\n"
    "}\n"
    "function setClass(f, hidden, ancestor) {\n"
    "\tf.g.setAttribute(\"class\", \"f\" + (hidden ? \" hide\" : \"\") + (ancestor ? \" anc\" : "
    "\"\"));\n"
    "}\n"
    "function zoom(z) {\n"
    "\tvar scale = (W - 2 * PAD) / z.w;\n"
    "\tfor (var i = 0; i < frames.length; i++) {\n"
    "\t\tvar f = frames[i];\n"
    "\t\tif (f.d < z.d && f.s <= z.s && f.s + f.w >= z.s + z.w) {\n"
    "\t\t\tsetClass(f, false, true);\n"
    "\t\t\tplace(f, PAD, W - 2 * PAD);\n"
    "\t\t} else if (f.d >= z.d && f.s >= z.s && f.s + f.w <= z.s + z.w) {\n"
    "\t\t\tsetClass(f, false, false);\n"
    "\t\t\tplace(f, PAD + (f.s - z.s) * scale, f.w * scale);\n"
    "\t\t} else {\n"
    "\t\t\tsetClass(f, true, false);\n"
    "\t\t}\n"
    "\t}\n"
    "\tunzoomButton.setAttribute(\"class\", \"button\");\n"
    "}\n"
    "function unzoom() {\n"
    "\tvar scale = total ? (W - 2 * PAD) / total : 0;\n"
    "\tfor (var i = 0; i < frames.length; i++) {\n"
    "\t\tsetClass(frames[i], false, false);\n"
    "\t\tplace(frames[i], PAD + frames[i].s * scale, frames[i].w * scale);\n"
    "\t}\n"
    "\tunzoomButton.setAttribute(\"class\", \"button hide\");\n"
    "}\n"
    "function clearSearch() {\n"
    "\tfor (var i = 0; i < frames.length; i++)\n"
    "\t\tframes[i].rect.setAttribute(\"fill\", frames[i].fill);\n"
    "\thits = null;\n"
    "\tmatched.textContent = \"\";\n"
    "\tsearchButton.textContent = \"Search\";\n"
    "}\n"
    "/* the share of the total under matching frames, a frame inside another counted once */\n"
    "function search(term) {\n"
    "\tvar re, i, sum = 0, end = 0;\n"
    "\ttry {\n"
    "\t\tre = new RegExp(term);\n"
    "\t} catch (e) {\n"
    "\t\tdetails.textContent = \"Invalid regular expression: \" + term;\n"
    "\t\treturn;\n"
    "\t}\n"
    "\tclearSearch();\n"
    "\thits = [];\n"
    "\tfor (i = 0; i < frames.length; i++)\n"
    "\t\tif (frames[i].d > 1 && re.test(frames[i].name)) {\n"
    "\t\t\tframes[i].rect.setAttribute(\"fill\", HIT);\n"
    "\t\t\thits.push(frames[i]);\n"
    "\t\t}\n"
    "\thits.sort(function (a, b) { return a.s - b.s || b.w - a.w; });\n"
    "\tfor (i = 0; i < hits.length; i++) {\n"
    "\t\tvar e2 = hits[i].s + hits[i].w;\n"
    "\t\tif (e2 > end) {\n"
    "\t\t\tsum += e2 - Math.max(end, hits[i].s);\n"
    "\t\t\tend = e2;\n"
    "\t\t}\n"
    "\t}\n"
    "\tmatched.textContent = \"Matched: \" + (total ? 100 * sum / total : 0).toFixed(2) + \"%\";\n"
    "\tsearchButton.textContent = \"Reset Search\";\n"
    "}\n"
    "function askSearch() {\n"
    "\tif (hits) {\n"
    "\t\tclearSearch();\n"
    "\t\treturn;\n"
    "\t}\n"
    "\tvar term = window.prompt(\"Search function names (regular expression):\", \"\");\n"
    "\tif (term)\n"
    "\t\tsearch(term);\n"
    "}\n"
    "function frameOf(node) {\n"
    "\tfor (; node && node !== svg; node = node.parentNode)\n"
    "\t\tif (node.frame)\n"
    "\t\t\treturn node.frame;\n"
    "\treturn null;\n"
    "}\n"
    "\n"
    "var gs = svg.getElementsByTagName(\"g\");\n"
    "for (var i = 0; i < gs.length; i++) {\n"
    "\tvar g = gs[i];\n"
    "\tif (g.getAttribute(\"class\") !== \"f\")\n"
    "\t\tcontinue;\n"
    "\tvar f = { g: g, rect: g.getElementsByTagName(\"rect\")[0],\n"
    "\t\ttext: g.getElementsByTagName(\"text\")[0],\n"
    "\t\ttip: g.getElementsByTagName(\"title\")[0].textContent,\n"
    "\t\ts: +g.getAttribute(\"data-s\"), w: +g.getAttribute(\"data-w\"),\n"
    "\t\td: +g.getAttribute(\"data-d\"), name: g.getAttribute(\"data-n\") };\n"
    "\tf.fill = f.rect.getAttribute(\"fill\");\n"
    "\tg.frame = f;\n"
    "\tframes.push(f);\n"
    "\tif (f.d === 0)\n"
    "\t\ttotal = f.w;\n"
    "}\n"
    "svg.addEventListener(\"click\", function (e) {\n"
    "\tvar f = frameOf(e.target);\n"
    "\tif (f)\n"
    "\t\tzoom(f);\n"
    "});\n"
    "svg.addEventListener(\"mouseover\", function (e) {\n"
    "\tvar f = frameOf(e.target);\n"
    "\tif (f)\n"
    "\t\tdetails.textContent = f.tip;\n"
    "});\n"
    "svg.addEventListener(\"mouseout\", function (e) {\n"
    "\tif (frameOf(e.target))\n"
    "\t\tdetails.textContent = \"\\u00a0\";\n"
    "});\n"
    "unzoomButton.addEventListener(\"click\", unzoom);\n"
    "searchButton.addEventListener(\"click\", askSearch);\n"
    "window.addEventListener(\"keydown\", function (e) {\n"
    "\tif (!document.documentElement.contains(svg))\n"
    "\t\treturn; /* replaced by another graph (the heat map's) */\n"
    "\tif ((e.ctrlKey || e.metaKey) && (e.key === \"f\" || e.keyCode === 70)) {\n"
    "\t\te.preventDefault();\n"
    "\t\taskSearch();\n"
    "\t} else if (e.key === \"Escape\" || e.keyCode === 27) {\n"
    "\t\tunzoom();\n"
    "\t}\n"
    "});\n"
    "svg.pmuprof = { zoom: zoom, unzoom: unzoom, search: search, clearSearch: clearSearch,\n"
    "\tframes: frames };\n"
    "})();\n";

static void put_subtitle(FILE *out, const struct profile *p)
{
	xml_put(out, p->event ? p->event : "samples", SIZE_MAX);
	if (profile_view_time(p->view))
		fprintf(out, ", %s view (%s)", profile_view_name(p->view),
			p->view == PROF_VIEW_WALL ? "on-CPU plus off-CPU time" : "off-CPU time");
	fprintf(out, ": %" PRIu64 " sample%s", p->samples, p->samples == 1 ? "" : "s");
	if (profile_view_time(p->view)) {
		char when[UNITS_DURATION_MAX];

		fprintf(out, ", %s", units_duration(when, sizeof(when), p->weight));
	} else if (p->weight_unit && !strcmp(p->weight_unit, "nanoseconds"))
		fprintf(out, ", %.3f s", (double)p->weight / 1e9);
	else if (p->weight && p->weight != p->samples)
		fprintf(out, ", %" PRIu64 " %s", p->weight,
			p->weight_unit ? p->weight_unit : "events");
}

int export_svg(FILE *out, const struct profile *p)
{
	uint64_t weights = 0, total;
	struct fg_tree t;
	int height;

	errno = 0;
	for (size_t i = 0; i < p->nstacks; i++)
		weights += p->stacks[i].weight;
	tree_build(&t, p, weights > 0);
	tree_layout(&t);
	total = t.n[0].value;
	height = TOP_PAD + (int)(t.max_depth + 1) * FRAME_H + BOTTOM_PAD;

	fputs("<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\"?>\n", out);
	fprintf(out,
		"<svg version=\"1.1\" id=\"pmuprof-fg\" width=\"%d\" height=\"%d\" "
		"viewBox=\"0 0 %d %d\" xmlns=\"http://www.w3.org/2000/svg\">\n",
		IMAGE_WIDTH, height, IMAGE_WIDTH, height);
	fputs("<!-- flame graph written by pmuprof: root at the bottom, widths by weight; click a "
	      "frame to zoom, Ctrl-F to search -->\n",
	      out);
	fputs(
	    "<defs><linearGradient id=\"pf-bg\" x1=\"0\" y1=\"0\" x2=\"0\" y2=\"1\">"
	    "<stop stop-color=\"#f8f8f8\" offset=\"0\"/><stop stop-color=\"#ececd8\" offset=\"1\"/>"
	    "</linearGradient></defs>\n",
	    out);
	fputs("<style type=\"text/css\">\n"
	      "text { font-family: Verdana, \"DejaVu Sans\", sans-serif; font-size: 12px; fill: "
	      "#000; }\n"
	      "#pf-title { font-size: 17px; }\n"
	      "#pf-subtitle { fill: #555; }\n"
	      ".f { cursor: pointer; }\n"
	      ".f:hover rect { stroke: #000; stroke-width: 0.5; }\n"
	      ".f text { pointer-events: none; }\n"
	      ".anc { opacity: 0.45; }\n"
	      ".hide { display: none; }\n"
	      ".button { cursor: pointer; fill: #225; }\n"
	      ".button:hover { text-decoration: underline; }\n"
	      "</style>\n",
	      out);
	fprintf(out, "<rect x=\"0\" y=\"0\" width=\"%d\" height=\"%d\" fill=\"url(#pf-bg)\"/>\n",
		IMAGE_WIDTH, height);
	fprintf(out, "<text id=\"pf-title\" x=\"%d\" y=\"24\" text-anchor=\"middle\">",
		IMAGE_WIDTH / 2);
	/* 17 px glyphs: about 115 characters fit the width */
	xml_put_fitted(out, p->title ? p->title : "Flame Graph",
		       (IMAGE_WIDTH - 2 * XPAD) * (double)FONT_SIZE / 17, CHAR_W);
	fprintf(out, "</text>\n<text id=\"pf-subtitle\" x=\"%d\" y=\"42\" text-anchor=\"middle\">",
		IMAGE_WIDTH / 2);
	put_subtitle(out, p);
	fputs("</text>\n", out);
	fprintf(
	    out,
	    "<text id=\"pf-unzoom\" class=\"button hide\" x=\"%d\" y=\"42\">Reset Zoom</text>\n",
	    XPAD);
	fprintf(out,
		"<text id=\"pf-search\" class=\"button\" x=\"%d\" y=\"42\" "
		"text-anchor=\"end\">Search</text>\n",
		IMAGE_WIDTH - XPAD);
	fprintf(out, "<text id=\"pf-details\" x=\"%d\" y=\"%d\">\xc2\xa0</text>\n", XPAD,
		height - 10);
	fprintf(out, "<text id=\"pf-matched\" x=\"%d\" y=\"%d\" text-anchor=\"end\"></text>\n",
		IMAGE_WIDTH - XPAD, height - 10);

	if (!total) {
		fprintf(out, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">no samples</text>\n",
			IMAGE_WIDTH / 2, height - BOTTOM_PAD - 4);
	} else {
		double scale = (double)(IMAGE_WIDTH - 2 * XPAD) / (double)total;

		fputs("<g id=\"pf-frames\">\n", out);
		for (size_t i = 0; i < t.nr; i++)
			if ((double)t.n[i].value * scale >= MIN_WIDTH)
				put_frame(out, p, &t.n[i], total, height);
		fputs("</g>\n", out);
	}
	fprintf(out, "<script type=\"text/ecmascript\"><![CDATA[\n%s]]></script>\n</svg>\n",
		flame_svg_script);
	free(t.n);
	/* errno was cleared on entry: a failed write left its reason there */
	return ferror(out) ? (errno > 0 ? -errno : -EIO) : 0;
}
