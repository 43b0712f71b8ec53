// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The chart of `pmuprof compare --svg`: one static SVG, no script, no
 * external font, that still reads when converted to a 900 pixel PNG.
 *
 * Two panels. The first has one bar per sampler: the CPU time its samples
 * stand for, as a percentage of the kernel's task-clock of the same run, with
 * the 100 % line drawn across, the min..max over the runs as a whisker, and a
 * thinner bar for the unweighted count (overruns ignored) where it differs.
 * The second has one 100 % stacked bar per sampler of the threads' sampled
 * shares, under a bar of the true shares, so that an uneven split stands out.
 * Runs are separate processes with their own thread ids, so a thread's colour
 * is its rank by true CPU within its run: the busiest thread is the same
 * colour in every bar. A thin strip under each sampler's bar shows that run's
 * own true split.
 */
/* first: config.h must precede the system headers compare.h pulls in */
#include "util/compiler.h"
#include "analyse/compare.h"
#include "output/compare.h"
#include "util/json.h"
#include "util/xml.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define WIDTH	      900
#define PAD	      16
#define LABEL_W	      120 /* sampler names left of the bars */
#define BAR_X	      (PAD + LABEL_W)
#define ERR_BAR_END   650 /* panel one: the value labels in a column right of it */
#define SHARE_BAR_END (WIDTH - PAD)
#define ROW_H	      36
#define BAR_H	      18
#define MAX_THREADS   8

static const char *const sampler_colour[CMP_NSAMPLERS] = {"#3b6ea5", "#d9822b", "#3d9a5f"};
/* thread ranks: distinct hues of similar lightness, black text reads on each */
static const char *const thread_colour[MAX_THREADS] = {
    "#66c2a5", "#fc8d62", "#8da0cb", "#e78ac3", "#a6d854", "#ffd92f", "#e5c494", "#7fc8f8",
};
#define OTHER_COLOUR "#cfcfcf"

static size_t chars_fitting(double px, double font)
{
	double n = floor(px / (font * 0.6));

	return n > 0 ? (size_t)n : 0;
}

/* The workload's command line, cut with ".." to the characters that fit. */
static void put_command(FILE *f, char **argv, size_t fit)
{
	size_t total = 0, budget;

	for (char **a = argv; a && *a; a++)
		total += xml_utf8_chars(*a) + (a != argv);
	budget = total <= fit ? total : fit > 2 ? fit - 2 : 0;
	for (char **a = argv; a && *a && budget; a++) {
		if (a != argv) {
			fputc(' ', f);
			budget--;
		}
		xml_put_budget(f, *a, &budget);
	}
	if (total > fit)
		fputs("..", f);
}

static double ratio(double attributed, double truth)
{
	return truth > 0 && isfinite(attributed) ? attributed / truth : NAN;
}

/* min..max over the runs of attributed (or unweighted) CPU / true CPU */
static bool run_range(const struct cmp_sampler *s, bool unweighted, double *lo, double *hi)
{
	*lo = INFINITY;
	*hi = -INFINITY;
	for (size_t i = 0; i < s->nruns; i++) {
		const struct cmp_run *run = &s->runs[i];
		double v = ratio(unweighted ? run->unweighted_cpu_s : run->attributed_cpu_s,
				 run->true_cpu_s);

		if (isfinite(v)) {
			*lo = fmin(*lo, v);
			*hi = fmax(*hi, v);
		}
	}
	return *lo <= *hi;
}

static bool has_unweighted(const struct cmp_sampler *s)
{
	const struct cmp_run *m = &s->median;

	return isfinite(m->unweighted_cpu_s) &&
	       fabs(m->unweighted_cpu_s - m->attributed_cpu_s) >= 0.0005;
}

static bool has_conflict(const struct cmp_sampler *s)
{
	for (size_t i = 0; i < s->nruns; i++)
		if (s->runs[i].conflict)
			return true;
	return s->median.conflict != NULL;
}

static const char *first_conflict(const struct cmp_sampler *s)
{
	for (size_t i = 0; i < s->nruns; i++)
		if (s->runs[i].conflict)
			return s->runs[i].conflict;
	return s->median.conflict;
}

/* The scale of panel one: from 0 to a quarter step past the largest ratio, at least 125 %. */
static double error_scale(const struct cmp_result *r)
{
	double top = 1.25;

	for (size_t i = 0; i < r->nsamplers && i < CMP_NSAMPLERS; i++) {
		const struct cmp_sampler *s = &r->samplers[i];
		double lo, hi, v = ratio(s->median.attributed_cpu_s, s->median.true_cpu_s);

		if (isfinite(v))
			top = fmax(top, v + 0.05);
		v = ratio(s->median.unweighted_cpu_s, s->median.true_cpu_s);
		if (isfinite(v))
			top = fmax(top, v + 0.05);
		if (run_range(s, false, &lo, &hi))
			top = fmax(top, hi + 0.05);
	}
	/* a sampler gone wild should not squash the others into slivers */
	return fmin(ceil(top * 4) / 4, 4);
}

static double x_of(double v, double scale)
{
	return BAR_X + fmin(fmax(v, 0), scale) / scale * (ERR_BAR_END - BAR_X);
}

static void put_error_label(FILE *f, int y, const struct cmp_run *m, bool unweighted)
{
	double err = unweighted ? m->unweighted_error_pct : m->error_pct;
	double cpu = unweighted ? m->unweighted_cpu_s : m->attributed_cpu_s;

	fprintf(f, "<text class=\"%s\" x=\"%d\" y=\"%d\">", unweighted ? "small" : "value",
		ERR_BAR_END + 12, y);
	if (unweighted)
		fputs("unweighted ", f);
	if (isfinite(err))
		fprintf(f, "%+.1f %%", err);
	else
		fputs("n/a", f);
	if (!unweighted && isfinite(cpu) && isfinite(m->true_cpu_s))
		fprintf(f, " <tspan class=\"detail\">%.3f s of %.3f s</tspan>", cpu, m->true_cpu_s);
	fputs("</text>\n", f);
}

static int panel_errors(const struct cmp_result *r, FILE *f, int y)
{
	size_t n = r->nsamplers < CMP_NSAMPLERS ? r->nsamplers : CMP_NSAMPLERS;
	double scale = error_scale(r);
	int top = y + 10, bottom = top + (int)n * ROW_H - 6, quarters = (int)lround(scale * 4);

	fprintf(f,
		"<text class=\"head\" x=\"%d\" y=\"%d\">CPU attributed by the samples, as %% of "
		"the kernel's task-clock (100 %% = exact)</text>\n",
		PAD, y);
	/* the grid under the bars, in quarter steps */
	for (int q = 0; q <= quarters; q++) {
		double x = x_of(q / 4.0, scale);

		fprintf(f, "<path class=\"grid\" d=\"M%.1f %dV%d\"/>\n", x, top - 2, bottom);
		if (q % 2 == 0 || quarters <= 6)
			fprintf(f,
				"<text class=\"small\" x=\"%.1f\" y=\"%d\" "
				"text-anchor=\"middle\">%d%%</text>\n",
				x, bottom + 13, q * 25);
	}
	y = top;
	for (size_t i = 0; i < n; i++) {
		const struct cmp_sampler *s = &r->samplers[i];
		const struct cmp_run *m = &s->median;
		const char *colour = sampler_colour[s->kind < CMP_NSAMPLERS ? s->kind : 0];
		double v = ratio(m->attributed_cpu_s, m->true_cpu_s), lo, hi;
		double x1 = isfinite(v) ? x_of(v, scale) : BAR_X;

		fprintf(f, "<text x=\"%d\" y=\"%d\">", PAD, y + 14);
		xml_put(f, s->name, SIZE_MAX);
		fputs("</text>\n", f);
		fprintf(f,
			"<rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"%s\"><title>",
			BAR_X, y + 1, x1 - BAR_X, BAR_H, colour);
		xml_put(f, s->name, SIZE_MAX);
		fprintf(f, ": %.3f s sampled, %.3f s true</title></rect>\n", m->attributed_cpu_s,
			m->true_cpu_s);
		if (s->nruns > 1 && run_range(s, false, &lo, &hi)) {
			double a = x_of(lo, scale), b = x_of(hi, scale), c = y + 1 + BAR_H / 2.0;

			fprintf(f,
				"<path class=\"whisker\" d=\"M%.1f %.1fH%.1fM%.1f %.1fv%dM%.1f "
				"%.1fv%d\"><title>min..max of %zu runs</title></path>\n",
				a, c, b, a, c - 5, 10, b, c - 5, 10, s->nruns);
		}
		put_error_label(f, y + 14, m, false);
		if (has_conflict(s)) {
			fprintf(f, "<text class=\"warn\" x=\"%d\" y=\"%d\">conflict<title>", PAD,
				y + 28);
			xml_put(f, first_conflict(s), SIZE_MAX);
			fputs("</title></text>\n", f);
		}
		if (has_unweighted(s)) {
			double u = ratio(m->unweighted_cpu_s, m->true_cpu_s);
			double ux = isfinite(u) ? x_of(u, scale) : BAR_X;

			fprintf(f,
				"<rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"7\" fill=\"%s\" "
				"fill-opacity=\"0.45\"/>\n",
				BAR_X, y + BAR_H + 3, ux - BAR_X, colour);
			put_error_label(f, y + BAR_H + 10, m, true);
		}
		y += ROW_H;
	}
	/* exact, over the bars: where each should end */
	fprintf(f, "<path class=\"exact\" d=\"M%.1f %dV%d\"/>\n", x_of(1, scale), top - 4,
		bottom + 2);
	return bottom + 13;
}

/* One stacked bar of thread shares: the first MAX_THREADS threads by rank, then the rest. */
static void share_bar(FILE *f, const struct cmp_run *m, bool truth, int y, int h, bool labels)
{
	double total = 0, x = BAR_X, w = SHARE_BAR_END - BAR_X;
	size_t n = m->nthreads < MAX_THREADS ? m->nthreads : MAX_THREADS;

	for (size_t j = 0; j < m->nthreads; j++) {
		double v = truth ? m->threads[j].true_share : m->threads[j].share;

		if (isfinite(v) && v > 0)
			total += v;
	}
	if (!(total > 0)) {
		if (labels)
			fprintf(f, "<text class=\"dim\" x=\"%d\" y=\"%d\">no samples</text>\n",
				BAR_X + 4, y + h - 5);
		return;
	}
	for (size_t j = 0; j <= n; j++) {
		const struct cmp_thread *t = j < n ? &m->threads[j] : NULL;
		double v = 0, sw;

		if (t) {
			v = truth ? t->true_share : t->share;
		} else {
			for (size_t k = n; k < m->nthreads; k++) {
				double o = truth ? m->threads[k].true_share : m->threads[k].share;

				v += isfinite(o) && o > 0 ? o : 0;
			}
		}
		if (!isfinite(v) || v <= 0)
			continue;
		sw = v / total * w;
		fprintf(f, "<rect x=\"%.2f\" y=\"%d\" width=\"%.2f\" height=\"%d\" fill=\"%s\">", x,
			y, sw, h, t ? thread_colour[j] : OTHER_COLOUR);
		if (t) {
			char comm[sizeof(t->comm) + 1];

			memcpy(comm, t->comm, sizeof(t->comm));
			comm[sizeof(t->comm)] = '\0';
			fprintf(f, "<title>tid %" PRIu32 " ", t->tid);
			xml_put(f, comm, SIZE_MAX);
			fprintf(f, ": %s %.1f %%, true %.1f %%</title>", truth ? "true" : "sampled",
				100 * v / total, 100 * t->true_share);
		} else {
			fprintf(f, "<title>%zu other threads: %.1f %%</title>", m->nthreads - n,
				100 * v / total);
		}
		fputs("</rect>\n", f);
		if (labels && sw >= 34)
			fprintf(f,
				"<text class=\"seg\" x=\"%.1f\" y=\"%d\" "
				"text-anchor=\"middle\">%.0f%%</text>\n",
				x + sw / 2, y + h - 5, 100 * v / total);
		x += sw;
	}
	fprintf(f, "<rect class=\"frame\" x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"%d\"/>\n",
		BAR_X, y, w, h);
}

static const struct cmp_run *reference_run(const struct cmp_result *r)
{
	for (size_t i = 0; i < r->nsamplers && i < CMP_NSAMPLERS; i++)
		if (r->samplers[i].kind == CMP_PMU)
			return &r->samplers[i].median;
	return r->nsamplers ? &r->samplers[0].median : NULL;
}

static int panel_threads(const struct cmp_result *r, FILE *f, int y)
{
	const struct cmp_run *ref = reference_run(r);
	size_t n;
	int x;

	fprintf(f,
		"<text class=\"head\" x=\"%d\" y=\"%d\">CPU share per thread: sampled, against the "
		"kernel's split</text>\n",
		PAD, y);
	y += 10;
	if (ref) {
		fprintf(f, "<text x=\"%d\" y=\"%d\">true (kernel)</text>\n", PAD, y + 15);
		share_bar(f, ref, true, y, BAR_H + 2, true);
		y += ROW_H;
	}
	for (size_t i = 0; i < r->nsamplers && i < CMP_NSAMPLERS; i++) {
		const struct cmp_sampler *s = &r->samplers[i];
		const struct cmp_run *m = &s->median;

		fprintf(f, "<text x=\"%d\" y=\"%d\">", PAD, y + 15);
		xml_put(f, s->name, SIZE_MAX);
		fputs("</text>\n", f);
		if (isfinite(m->max_share_error_pp))
			fprintf(f,
				"<text class=\"small dim\" x=\"%d\" y=\"%d\">max %.1f pp "
				"off</text>\n",
				PAD, y + 29, m->max_share_error_pp);
		share_bar(f, m, false, y, BAR_H + 2, true);
		/* this run's own truth, to read the bar above against */
		share_bar(f, m, true, y + BAR_H + 4, 5, false);
		y += ROW_H;
	}
	/* the legend: each rank's colour, named after the reference run's thread */
	n = ref ? (ref->nthreads < MAX_THREADS ? ref->nthreads : MAX_THREADS) : 0;
	x = BAR_X;
	y += 2;
	fprintf(f, "<text class=\"small dim\" x=\"%d\" y=\"%d\">threads</text>\n", PAD, y + 10);
	for (size_t j = 0; j <= n; j++) {
		char comm[sizeof(ref->threads[0].comm) + 1] = "";
		bool other = j == n;
		int w;

		if (other && (!ref || ref->nthreads <= n))
			break;
		if (!other) {
			memcpy(comm, ref->threads[j].comm, sizeof(ref->threads[j].comm));
			comm[sizeof(ref->threads[j].comm)] = '\0';
		}
		w = 28 + (int)((other ? 13 : xml_utf8_chars(comm) + 4) * 11 * 0.6);
		if (x + w > WIDTH - PAD) {
			x = BAR_X;
			y += 18;
		}
		fprintf(f, "<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"12\" fill=\"%s\"/>\n", x,
			y, other ? OTHER_COLOUR : thread_colour[j]);
		fprintf(f, "<text class=\"small\" x=\"%d\" y=\"%d\">", x + 16, y + 10);
		if (other) {
			fputs("other threads", f);
		} else {
			fprintf(f, "#%zu ", j + 1);
			xml_put(f, comm, SIZE_MAX);
		}
		fputs("</text>\n", f);
		x += w;
	}
	y += 34;
	fprintf(f,
		"<text class=\"small dim\" x=\"%d\" y=\"%d\">Colours: threads by rank of true CPU "
		"in each run (#1 = busiest); the thin strip under a bar is that run's true "
		"split.</text>\n",
		PAD, y);
	return y;
}

static void put_subtitle(const struct cmp_result *r, FILE *f)
{
	fprintf(f, "%u CPU%s", r->ncpus, r->ncpus == 1 ? "" : "s");
	if (r->kernel[0]) {
		size_t budget = 40;

		fputs(", kernel ", f);
		xml_put_budget(f, r->kernel, &budget);
	}
	if (r->kernel_hz)
		fprintf(f, " (CONFIG_HZ %u)", r->kernel_hz);
	if (r->repeats > 1)
		fprintf(f, "; medians of %u runs", r->repeats);
	if (r->base_wall_s && r->repeats)
		fprintf(f, "; unprofiled: wall %.3f s, CPU %.3f s", r->base_wall_median,
			r->base_cpu_median);
}

/*
 * The height is known only once the legend has wrapped: the body goes to
 * memory first, then out after the <svg> element that states the size.
 */
int cmp_write_svg(const struct cmp_result *r, FILE *f)
{
	char *body = NULL;
	size_t size = 0;
	FILE *mem = open_memstream(&body, &size);
	int y;

	if (!mem)
		return -errno;
	fprintf(mem, "<text class=\"title\" x=\"%d\" y=\"26\">pmuprof compare at %lu Hz: ", PAD,
		r->hz);
	put_command(mem, r->argv, chars_fitting(WIDTH - 2 * PAD, 17) - 30);
	/* the whole command where the title had to cut it */
	fputs("<title>", mem);
	put_command(mem, r->argv, SIZE_MAX);
	fputs("</title></text>\n", mem);
	fprintf(mem, "<text class=\"dim\" x=\"%d\" y=\"46\">", PAD);
	put_subtitle(r, mem);
	fputs("</text>\n", mem);
	y = panel_errors(r, mem, 78);
	y = panel_threads(r, mem, y + 36) + 14;
	if (fclose(mem)) {
		free(body);
		return -ENOMEM;
	}

	errno = 0;
	fputs("<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\"?>\n", f);
	fprintf(f,
		"<svg version=\"1.1\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
		"xmlns=\"http://www.w3.org/2000/svg\">\n",
		WIDTH, y, WIDTH, y);
	fputs("<!-- written by pmuprof compare: sampled CPU against the kernel's, per sampler and "
	      "per thread -->\n",
	      f);
	fputs("<style type=\"text/css\">\n"
	      "text { font-family: \"DejaVu Sans\", Verdana, Arial, sans-serif; font-size: 13px; "
	      "fill: #222; }\n"
	      ".title { font-size: 17px; font-weight: bold; }\n"
	      ".head { font-size: 14px; font-weight: bold; }\n"
	      ".small { font-size: 11px; }\n"
	      ".dim { fill: #666; }\n"
	      ".warn { fill: #c00; font-size: 11px; font-weight: bold; }\n"
	      ".seg { font-size: 11px; fill: #111; }\n"
	      ".value { font-weight: bold; }\n"
	      ".detail { font-size: 11px; font-weight: normal; fill: #666; }\n"
	      ".grid { stroke: #ddd; stroke-width: 1; }\n"
	      ".exact { stroke: #222; stroke-width: 1.5; stroke-dasharray: 4 3; }\n"
	      ".whisker { stroke: #111; stroke-width: 1.5; fill: none; }\n"
	      ".frame { fill: none; stroke: #555; stroke-width: 0.6; }\n"
	      "</style>\n",
	      f);
	fprintf(f, "<rect width=\"%d\" height=\"%d\" fill=\"#fff\"/>\n", WIDTH, y);
	fwrite(body, 1, size, f);
	fputs("</svg>\n", f);
	free(body);
	/* errno was cleared before the first write: a failed write left its reason there */
	return ferror(f) ? (errno > 0 ? -errno : -EIO) : 0;
}
