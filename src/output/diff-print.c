// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The writers of `pmuprof diff` (analyse/diff.h):
 *
 *   text    a header on both files, then the tables self, total and stacks,
 *           each row a change in percentage points with its interval (95%,
 *           adjusted for the rows of the table: analyse/diff.h)
 *   folded  "stack OLD NEW": the two-column folded format that differential
 *           flame graph tools read
 *   svg     a differential flame graph: the union of both profiles' stacks,
 *           widths by NEW's shares (stacks found only in OLD keep OLD's
 *           share, hatched, so that what disappeared stays in sight), each
 *           frame coloured by the change of its share: red grew, blue shrank,
 *           grey within the noise
 *
 * None prints anything but to `out`; each returns 0 or -errno.
 */
#include "analyse/diff.h"
#include "output/diff.h"
#include "output/export.h"
#include "util/alloc.h"
#include "util/escape.h"
#include "util/hash.h"
#include "util/json.h"
#include "util/units.h"
#include "util/xml.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

static int write_status(FILE *out)
{
	/* errno was cleared on entry: a failed write left its reason there */
	return ferror(out) ? (errno > 0 ? -errno : -EIO) : 0;
}

static double pp(double fraction)
{
	return 100 * fraction;
}

/* ---- warnings ----------------------------------------------------------- */

static bool differ(const char *a, const char *b)
{
	return a && b && strcmp(a, b);
}

static size_t kernel_significant(const struct diff_table *t)
{
	size_t n = 0;

	for (size_t i = 0; i < t->n; i++)
		n += t->rows[i].significant && t->rows[i].kernel;
	return n;
}

size_t diff_warnings(const struct diff *d, const struct diff_print_opts *o, char **msgs, size_t max)
{
	const struct diff_source *src[2] = {&o->old, &o->new};
	const uint64_t n[2] = {d->old_samples, d->new_samples};
	size_t k = 0;

	if (k < max && differ(o->old.event, o->new.event))
		msgs[k++] = xasprintf("the files sampled different events, %s (old) and %s (new): "
				      "their shares may differ for that reason alone",
				      o->old.event, o->new.event);
	if (k < max && differ(o->old.sampler, o->new.sampler))
		msgs[k++] = xasprintf("the files were recorded with different samplers, %s (old) "
				      "and %s (new): their biases differ",
				      o->old.sampler, o->new.sampler);
	if (k < max && d->old_runs <= 1 && d->new_runs <= 1) {
		size_t kernel = kernel_significant(&d->self) + kernel_significant(&d->total);

		if (kernel)
			msgs[k++] = xasprintf(
			    "%zu significant row(s) are kernel functions: interrupts and the "
			    "machine's other work land there and vary from run to run, which one "
			    "recording a side cannot measure; give several (OLD... -- NEW...) to "
			    "tell",
			    kernel);
	}
	for (int i = 0; i < 2 && k < max; i++) {
		if (!n[i])
			msgs[k++] = xasprintf("'%s' has no samples: nothing can be compared",
					      src[i]->path ? src[i]->path : "?");
		else if (n[i] < DIFF_FEW_SAMPLES)
			msgs[k++] =
			    xasprintf("'%s' has only %" PRIu64 " samples: only large changes "
				      "can be told from noise; record longer or with a "
				      "higher -F",
				      src[i]->path ? src[i]->path : "?", n[i]);
	}
	return k;
}

/* ---- text --------------------------------------------------------------- */

static int digits(uint64_t v)
{
	int n = 1;

	while (v >= 10) {
		v /= 10;
		n++;
	}
	return n;
}

/*
 * Paths, commands, events and names come from the recordings and their
 * binaries: escaped (util/escape.h).
 */
static void print_source(FILE *out, const char *which, const struct diff_source *s, uint64_t n,
			 size_t runs)
{
	fprintf(out, "# %s: ", which);
	if (runs > 1)
		fprintf(out, "%zu recordings, the first ", runs);
	fputc('\'', out);
	escape_write(out, s->path ? s->path : "?");
	fputc('\'', out);
	if (s->command) {
		fputs(": ", out);
		escape_write(out, s->command);
	}
	fputs("\n#      ", out);
	escape_write(out, s->event ? s->event : "?");
	fprintf(out, ", %" PRIu64 " sample%s", n, n == 1 ? "" : "s");
	if (s->sampler) {
		fputs(", sampler ", out);
		escape_write(out, s->sampler);
	}
	fputc('\n', out);
}

/* A coverage such as 0.9995 as "99.95": enough digits to tell it from 100. */
static const char *level_text(double level)
{
	static char buf[32];
	int prec = 2;

	while (prec < 8 && 100 * (1 - level) < 2 * pow(10, -prec))
		prec++;
	snprintf(buf, sizeof(buf), "%.*f", prec, 100 * level);
	return buf;
}

static void print_table(FILE *out, const char *title, const char *what, const struct diff_table *t,
			const struct diff_print_opts *o)
{
	size_t printed = 0, noise = 0, small = 0, over = 0;
	int cw = 5;

	for (size_t i = 0; i < t->n; i++) {
		if (digits(t->rows[i].old_n) > cw)
			cw = digits(t->rows[i].old_n);
		if (digits(t->rows[i].new_n) > cw)
			cw = digits(t->rows[i].new_n);
	}
	fprintf(out, "#\n# %s\n", title);
	fprintf(out, "# %zu of %zu row%s significant; intervals at %s%%\n#\n", t->significant, t->n,
		t->n == 1 ? "" : "s", level_text(t->level));
	fprintf(out, "#%12s  %-19s  %*s  %*s  %s\n", "change", "      interval", 8 + cw, "old",
		8 + cw, "new", what);
	for (size_t i = 0; i < t->n; i++) {
		const struct diff_row *r = &t->rows[i];

		if (!o->all && !r->significant) {
			noise++;
			continue;
		}
		if (fabs(pp(r->change)) < o->min_change) {
			small++;
			continue;
		}
		if (o->limit && printed >= o->limit) {
			over++;
			continue;
		}
		printed++;
		fprintf(out,
			"  %c %+7.2fpp  [%+7.2f, %+7.2f]  %6.2f%% %*" PRIu64 "  %6.2f%% %*" PRIu64
			"  ",
			r->significant ? '*' : ' ', pp(r->change), pp(r->lo), pp(r->hi),
			pp(r->old_share), cw, r->old_n, pp(r->new_share), cw, r->new_n);
		escape_write(out, r->name);
		if (r->dso) {
			fputs(" (", out);
			escape_write(out, r->dso);
			fputc(')', out);
		}
		fputc('\n', out);
	}
	if (!printed)
		fprintf(out, "  (no %s)\n", o->all ? "rows" : "significant change");
	if (noise || small || over) {
		const char *sep = "";

		fprintf(out, "# hidden:");
		if (noise) {
			fprintf(out, " %zu within the noise (--all shows them)", noise);
			sep = ",";
		}
		if (small) {
			fprintf(out, "%s %zu below --min-change %.2fpp", sep, small, o->min_change);
			sep = ",";
		}
		if (over)
			fprintf(out, "%s %zu beyond --limit %zu", sep, over, o->limit);
		fputc('\n', out);
	}
}

int diff_print_text(FILE *out, const struct diff *d, const struct diff_print_opts *o)
{
	char *msgs[8];
	size_t nmsgs;

	errno = 0;
	fprintf(out, "# pmuprof diff: what changed from OLD to NEW\n");
	print_source(out, "old", &o->old, d->old_samples, d->old_runs);
	print_source(out, "new", &o->new, d->new_samples, d->new_runs);
	if (d->old_prog) {
		fputs("# '", out);
		escape_write(out, d->old_prog);
		fputs("' (old) and '", out);
		escape_write(out, d->new_prog);
		fputs("' (new) are compared as one program\n", out);
	}
	if (profile_view_time(o->view)) {
		char q[UNITS_DURATION_MAX];

		fprintf(out, "# view: %s (%s); samples are counts of %s of time (off-CPU "
			     "intervals cut into them)\n",
			profile_view_name(o->view),
			o->view == PROF_VIEW_WALL ? "on-CPU plus off-CPU time" : "off-CPU time",
			units_duration(q, sizeof(q), o->quantum));
	}
	nmsgs = diff_warnings(d, o, msgs, ARRAY_SIZE(msgs));
	for (size_t i = 0; i < nmsgs; i++) {
		/* one line each, naming events and paths */
		fputs("# warning: ", out);
		escape_write(out, msgs[i]);
		fputc('\n', out);
		free(msgs[i]);
	}
	fprintf(out,
		"# shares of each file's samples; change = new - old in percentage points (pp);\n"
		"# the variance of a share from its spread over %" PRIu32 " (old) and %" PRIu32
		" (new) blocks\n# of consecutive samples; * marks a change significant at a %g%% "
		"false discovery\n# rate over its table, exactly those whose interval excludes 0 "
		"(each table's\n# level: 95%% adjusted for the rows found significant)\n",
		d->old_blocks, d->new_blocks, 100 * DIFF_FDR);
	if (d->old_runs > 1 || d->new_runs > 1)
		fprintf(out,
			"# with several recordings of a build, the variance is the larger of the "
			"blocks'\n# and that of the share from recording to recording (%zu old, %zu "
			"new)\n",
			d->old_runs, d->new_runs);
	print_table(out, "self: samples in the function itself", "function (object)", &d->self, o);
	print_table(out, "total: samples in the function or in what it called", "function (object)",
		    &d->total, o);
	print_table(out, "stacks: samples with exactly this stack (comm;outermost;...;leaf)",
		    "stack", &d->stacks, o);
	return write_status(out);
}

/* ---- folded ------------------------------------------------------------- */

static int cmp_name(const void *a, const void *b)
{
	return strcmp((*(const struct diff_row *const *)a)->name,
		      (*(const struct diff_row *const *)b)->name);
}

int diff_write_folded(FILE *out, const struct diff *d)
{
	const struct diff_row **v = xmalloc((d->stacks.n ? d->stacks.n : 1) * sizeof(*v));

	errno = 0;
	for (size_t i = 0; i < d->stacks.n; i++)
		v[i] = &d->stacks.rows[i];
	if (d->stacks.n > 1)
		qsort(v, d->stacks.n, sizeof(*v), cmp_name);
	/* the stacks are folded: C0 controls are '?' already, the rest of the rule here */
	for (size_t i = 0; i < d->stacks.n; i++) {
		escape_write_replaced(out, v[i]->name, '?');
		fprintf(out, " %" PRIu64 " %" PRIu64 "\n", v[i]->old_n, v[i]->new_n);
	}
	free(v);
	return write_status(out);
}

/* ---- svg ---------------------------------------------------------------- */

#define IMAGE_WIDTH 1200
#define XPAD	    10
#define FRAME_H	    16
#define TOP_PAD	    104 /* title, two lines on the files, the legend */
#define BOTTOM_PAD  30	/* details line */
#define FONT_SIZE   12
#define CHAR_W	    (FONT_SIZE * 0.59) /* average glyph width, the script uses the same */
#define MIN_WIDTH   0.1

/* One frame: analyse's path (struct diff_path) with its place in the picture. */
struct dg_node {
	const struct diff_path *path;
	uint32_t child, next; /* 0 for none */
	double value;	      /* width in shares: NEW's, or OLD's for what only OLD has */
	double start;
};

struct dg_tree {
	struct dg_node *v;
	size_t nr;
	uint32_t max_depth;
};

struct dg_sort {
	const struct diff_path *n;
	uint32_t id;
};

static int cmp_sibling(const void *a, const void *b)
{
	const struct diff_path *x = ((const struct dg_sort *)a)->n,
			       *y = ((const struct dg_sort *)b)->n;
	int c = strcmp(x->name, y->name);

	if (c)
		return c;
	c = strcmp(x->dso ? x->dso : "", y->dso ? y->dso : "");
	if (c)
		return c;
	return x->kernel != y->kernel ? (int)x->kernel - (int)y->kernel
				      : (int)x->inlined - (int)y->inlined;
}

static void dg_build(struct dg_tree *t, const struct diff *d)
{
	struct dg_sort *kids = NULL;
	size_t kalloc = 0;

	t->nr = d->npaths;
	t->max_depth = 0;
	t->v = xcalloc(t->nr ? t->nr : 1, sizeof(*t->v));
	for (size_t i = 0; i < t->nr; i++) {
		const struct diff_path *n = &d->paths[i];

		t->v[i].path = n;
		if (n->depth > t->max_depth)
			t->max_depth = n->depth;
		if (i) {
			t->v[i].next = t->v[n->parent].child;
			t->v[n->parent].child = (uint32_t)i;
		}
	}
	/* children come after their parent: widths add up from the last node back */
	for (size_t i = t->nr; i-- > 0;) {
		struct dg_node *n = &t->v[i];

		if (n->path->self[1])
			n->value += (double)n->path->self[1] / (double)d->new_samples;
		else if (n->path->self[0])
			n->value += (double)n->path->self[0] / (double)d->old_samples;
		if (i)
			t->v[n->path->parent].value += n->value;
	}
	/* left edges: siblings side by side in name order, as in the flame graph of report */
	for (size_t i = 0; i < t->nr; i++) {
		double x = t->v[i].start;
		size_t k = 0;

		for (uint32_t c = t->v[i].child; c; c = t->v[c].next) {
			xgrow(&kids, &kalloc, k + 1, sizeof(*kids));
			kids[k++] = (struct dg_sort){t->v[c].path, c};
		}
		if (k > 1)
			qsort(kids, k, sizeof(*kids), cmp_sibling);
		for (size_t j = 0; j < k; j++) {
			t->v[kids[j].id].start = x;
			x += t->v[kids[j].id].value;
		}
	}
	free(kids);
}

/* Red for growth, blue for shrinkage, lighter the smaller; t in (0, 1]. */
static void put_change_colour(FILE *out, double change, double t)
{
	/* from a pale tint to a saturated mid tone that black text still reads on */
	double pale[2][3] = {{214, 228, 250}, {252, 222, 218}};
	double deep[2][3] = {{58, 112, 214}, {222, 52, 40}};
	int up = change > 0;

	if (t > 1)
		t = 1;
	fprintf(out, "rgb(%d,%d,%d)", (int)lround(pale[up][0] + (deep[up][0] - pale[up][0]) * t),
		(int)lround(pale[up][1] + (deep[up][1] - pale[up][1]) * t),
		(int)lround(pale[up][2] + (deep[up][2] - pale[up][2]) * t));
}

#define NOISE_FILL "rgb(226,226,222)"
#define GONE_FILL  "url(#pd-gone)"

static void put_fill(FILE *out, const struct diff_path *n, double scale_pp)
{
	if (!n->stat.new_n)
		fputs(GONE_FILL, out);
	else if (!n->stat.significant || scale_pp <= 0)
		fputs(NOISE_FILL, out);
	else /* a floor, so that the smallest significant change is still tinted */
		put_change_colour(out, n->stat.change,
				  0.2 + 0.8 * fabs(pp(n->stat.change)) / scale_pp);
}

static void put_tooltip(FILE *out, const struct diff *d, const struct diff_path *n)
{
	xml_put(out, n->name, SIZE_MAX);
	if (n->dso || n->inlined) {
		fputs(" (", out);
		if (n->dso)
			xml_put(out, n->dso, SIZE_MAX);
		if (n->inlined)
			fputs(n->dso ? ", inlined" : "inlined", out);
		fputc(')', out);
	}
	fprintf(out,
		": old %.2f%% (%" PRIu64 "), new %.2f%% (%" PRIu64 "), change %+.2fpp "
		"[%+.2f, %+.2f]",
		d->old_samples ? 100.0 * (double)n->stat.old_n / (double)d->old_samples : 0.0,
		n->stat.old_n,
		d->new_samples ? 100.0 * (double)n->stat.new_n / (double)d->new_samples : 0.0,
		n->stat.new_n, pp(n->stat.change), pp(n->stat.lo), pp(n->stat.hi));
	if (!n->stat.new_n)
		fputs(", only in old", out);
	else if (!n->stat.old_n)
		fputs(", only in new", out);
	if (!n->stat.significant)
		fputs(", within the noise", out);
}

static void put_frame(FILE *out, const struct diff *d, const struct dg_node *f, double total,
		      double scale_pp, int height)
{
	const struct diff_path *n = f->path;
	double scale = (IMAGE_WIDTH - 2 * XPAD) / total;
	double x = XPAD + f->start * scale, w = f->value * scale;
	int y = height - BOTTOM_PAD - (int)(n->depth + 1) * FRAME_H;

	fprintf(out, "<g class=\"f\" data-s=\"%.9g\" data-w=\"%.9g\" data-d=\"%u\" data-n=\"",
		f->start, f->value, n->depth);
	xml_put(out, n->name, SIZE_MAX);
	fputs("\"><title>", out);
	put_tooltip(out, d, n);
	fprintf(out,
		"</title><rect x=\"%.2f\" y=\"%d\" width=\"%.2f\" height=\"%d\" rx=\"2\" fill=\"",
		x, y, w, FRAME_H - 1);
	put_fill(out, n, scale_pp);
	fprintf(out, "\"/><text x=\"%.2f\" y=\"%.1f\">", x + 3, y + 11.5);
	xml_put_fitted(out, n->name, w, CHAR_W);
	fputs("</text></g>\n", out);
}

static void put_source_line(FILE *out, int y, const char *which, const struct diff_source *s,
			    const char *fallback, uint64_t n)
{
	fprintf(out, "<text class=\"sub\" x=\"%d\" y=\"%d\" text-anchor=\"middle\">%s: ",
		IMAGE_WIDTH / 2, y, which);
	if (s->path) {
		fputc('\'', out);
		xml_put(out, s->path, 60);
		fputs("\' ", out);
	}
	xml_put(out, s->command ? s->command : fallback ? fallback : "?", 70);
	fputs(", ", out);
	xml_put(out, s->event ? s->event : "samples", 40);
	fprintf(out, ", %" PRIu64 " sample%s</text>\n", n, n == 1 ? "" : "s");
}

/* The colour scale and the two special fills, in one row under the title. */
static void put_legend(FILE *out, double scale_pp)
{
	int x = IMAGE_WIDTH / 2 - 330, y = 72;

	fprintf(out, "<g id=\"pd-legend\">\n");
	fprintf(out, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">shrank %.2fpp</text>\n", x - 6,
		y + 11, -scale_pp);
	fprintf(out,
		"<rect x=\"%d\" y=\"%d\" width=\"240\" height=\"14\" fill=\"url(#pd-scale)\" "
		"stroke=\"#999\" stroke-width=\"0.5\"/>\n",
		x, y);
	fprintf(out, "<text x=\"%d\" y=\"%d\">grew %+.2fpp</text>\n", x + 246, y + 11, scale_pp);
	x += 370;
	fprintf(out,
		"<rect x=\"%d\" y=\"%d\" width=\"28\" height=\"14\" fill=\"" NOISE_FILL "\" "
		"stroke=\"#999\" stroke-width=\"0.5\"/>\n"
		"<text x=\"%d\" y=\"%d\">within the noise</text>\n",
		x, y, x + 34, y + 11);
	x += 160;
	fprintf(out,
		"<rect x=\"%d\" y=\"%d\" width=\"28\" height=\"14\" fill=\"" GONE_FILL "\" "
		"stroke=\"#999\" stroke-width=\"0.5\"/>\n"
		"<text x=\"%d\" y=\"%d\">only in old</text>\n",
		x, y, x + 34, y + 11);
	fprintf(out, "</g>\n");
}

int diff_write_svg(FILE *out, const struct diff *d, const struct diff_print_opts *o)
{
	struct dg_tree t;
	double total, scale_pp = 0;
	int height;

	errno = 0;
	dg_build(&t, d);
	total = t.v[0].value;
	/* the colour scale runs to the largest significant change below the root */
	for (size_t i = 1; i < t.nr; i++)
		if (t.v[i].path->stat.significant && t.v[i].path->stat.new_n &&
		    fabs(pp(t.v[i].path->stat.change)) > scale_pp)
			scale_pp = fabs(pp(t.v[i].path->stat.change));
	height = TOP_PAD + (int)(t.max_depth + 1) * FRAME_H + BOTTOM_PAD;

	fputs("<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\"?>\n", out);
	fprintf(out,
		"<svg version=\"1.1\" id=\"pmuprof-fg\" width=\"%d\" height=\"%d\" "
		"viewBox=\"0 0 %d %d\" xmlns=\"http://www.w3.org/2000/svg\">\n",
		IMAGE_WIDTH, height, IMAGE_WIDTH, height);
	fputs("<!-- differential flame graph written by pmuprof diff: widths by the new "
	      "profile's shares (hatched: only in the old one), colours by the change of each "
	      "frame's share; click a frame to zoom -->\n",
	      out);
	fputs("<defs>\n"
	      "<linearGradient id=\"pd-bg\" x1=\"0\" y1=\"0\" x2=\"0\" y2=\"1\">"
	      "<stop stop-color=\"#fbfbfb\" offset=\"0\"/><stop stop-color=\"#ececec\" "
	      "offset=\"1\"/></linearGradient>\n",
	      out);
	fputs("<linearGradient id=\"pd-scale\" x1=\"0\" y1=\"0\" x2=\"1\" y2=\"0\">", out);
	fputs("<stop offset=\"0\" stop-color=\"", out);
	put_change_colour(out, -1, 1);
	fputs("\"/><stop offset=\"0.5\" stop-color=\"rgb(248,248,248)\"/>"
	      "<stop offset=\"1\" stop-color=\"",
	      out);
	put_change_colour(out, 1, 1);
	fputs("\"/></linearGradient>\n", out);
	fputs("<pattern id=\"pd-gone\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\" "
	      "patternTransform=\"rotate(45)\"><rect width=\"6\" height=\"6\" "
	      "fill=\"rgb(222,230,246)\"/><rect width=\"2\" height=\"6\" "
	      "fill=\"rgb(58,112,214)\"/></pattern>\n"
	      "</defs>\n",
	      out);
	fputs("<style type=\"text/css\">\n"
	      "text { font-family: Verdana, \"DejaVu Sans\", sans-serif; font-size: 12px; fill: "
	      "#000; }\n"
	      "#pd-title { font-size: 17px; }\n"
	      ".sub { fill: #444; }\n"
	      ".f { cursor: pointer; }\n"
	      ".f:hover rect { stroke: #000; stroke-width: 0.5; }\n"
	      ".f text { pointer-events: none; }\n"
	      ".anc { opacity: 0.5; }\n"
	      ".hide { display: none; }\n"
	      ".button { cursor: pointer; fill: #225; }\n"
	      "</style>\n",
	      out);
	fprintf(out, "<rect x=\"0\" y=\"0\" width=\"%d\" height=\"%d\" fill=\"url(#pd-bg)\"/>\n",
		IMAGE_WIDTH, height);
	fprintf(out,
		"<text id=\"pd-title\" x=\"%d\" y=\"24\" text-anchor=\"middle\">Differential "
		"flame graph: old to new</text>\n",
		IMAGE_WIDTH / 2);
	put_source_line(out, 42, "old", &o->old, d->old->title, d->old_samples);
	put_source_line(out, 58, "new", &o->new, d->new->title, d->new_samples);
	put_legend(out, scale_pp);
	fprintf(out,
		"<text id=\"pf-unzoom\" class=\"button hide\" x=\"%d\" y=\"%d\">Reset "
		"Zoom</text>\n",
		XPAD, 84);
	fprintf(out,
		"<text id=\"pf-search\" class=\"button\" x=\"%d\" y=\"%d\" "
		"text-anchor=\"end\">Search</text>\n",
		IMAGE_WIDTH - XPAD, 84);
	fprintf(out, "<text id=\"pf-details\" x=\"%d\" y=\"%d\">\xc2\xa0</text>\n", XPAD,
		height - 10);
	fprintf(out, "<text id=\"pf-matched\" x=\"%d\" y=\"%d\" text-anchor=\"end\"></text>\n",
		IMAGE_WIDTH - XPAD, height - 10);

	if (total <= 0) {
		fprintf(out, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">no samples</text>\n",
			IMAGE_WIDTH / 2, height - BOTTOM_PAD - 4);
	} else {
		double scale = (IMAGE_WIDTH - 2 * XPAD) / total;

		fputs("<g id=\"pd-frames\">\n", out);
		for (size_t i = 0; i < t.nr; i++)
			if (t.v[i].value * scale >= MIN_WIDTH)
				put_frame(out, d, &t.v[i], total, scale_pp, height);
		fputs("</g>\n", out);
	}
	fprintf(out, "<script type=\"text/ecmascript\"><![CDATA[\n%s]]></script>\n</svg>\n",
		flame_svg_script);
	free(t.v);
	return write_status(out);
}
