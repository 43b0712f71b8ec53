// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * pmuprof diff's statistics and writers: the intervals against values
 * published by Newcombe (1998) and Wilson's interval against his worked
 * example; the comparison of two small profiles built by hand (a function
 * only in one file, sorting by |change|, the program renamed between the
 * builds, recursion counted once); identical profiles showing no change; and
 * the text, folded and SVG writers on them.
 */
#include "analyse/diff.h"
#include "output/diff.h"
#include "tap.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- intervals ---------------------------------------------------------- */

static void test_intervals(void)
{
	double lo, hi;

	/* Newcombe 1998, table II, method 10 (his differences are ours reversed: new - old) */
	diff_interval(48, 80, 56, 70, &lo, &hi);
	is_near(lo, 0.0524, 0.00005, "56/70 - 48/80: lower bound");
	is_near(hi, 0.3339, 0.00005, "56/70 - 48/80: upper bound");
	diff_interval(3, 10, 9, 10, &lo, &hi);
	is_near(lo, 0.1705, 0.00005, "9/10 - 3/10: lower bound");
	is_near(hi, 0.8090, 0.00005, "9/10 - 3/10: upper bound");
	diff_interval(2, 7, 6, 7, &lo, &hi);
	is_near(lo, 0.0582, 0.00005, "6/7 - 2/7: lower bound");
	is_near(hi, 0.8062, 0.00005, "6/7 - 2/7: upper bound");
	diff_interval(0, 20, 10, 10, &lo, &hi);
	is_near(lo, 0.6791, 0.00005, "10/10 - 0/20: lower bound");
	is_near(hi, 1.0, 1e-9, "10/10 - 0/20: upper bound is 1");

	/* Wilson: 81 of 263, and the ends */
	diff_wilson(81, 263, &lo, &hi);
	is_near(lo, 0.2553, 0.00005, "wilson 81/263: lower");
	is_near(hi, 0.3662, 0.00005, "wilson 81/263: upper");
	diff_wilson(0, 10, &lo, &hi);
	ok(lo == 0 && fabs(hi - 0.2775) < 0.00005, "wilson 0/10: [0, 0.2775] (%g, %g)", lo, hi);
	diff_wilson(10, 10, &lo, &hi);
	ok(hi == 1 && fabs(lo - 0.7225) < 0.00005, "wilson 10/10: [0.7225, 1] (%g, %g)", lo, hi);
	diff_wilson(0, 0, &lo, &hi);
	ok(lo == 0 && hi == 1, "wilson of no samples: [0, 1]");

	/* Wald: 0.2 +- 1.96 * sqrt(0.24/80 + 0.16/70) */
	diff_interval_wald(48, 80, 56, 70, &lo, &hi);
	is_near(lo, 0.2 - DIFF_Z * sqrt(0.24 / 80 + 0.16 / 70), 1e-12, "wald: lower");
	is_near(hi, 0.2 + DIFF_Z * sqrt(0.24 / 80 + 0.16 / 70), 1e-12, "wald: upper");

	/* equal shares: the interval straddles 0, whatever the counts */
	diff_interval(300, 1000, 600, 2000, &lo, &hi);
	ok(lo < 0 && hi > 0, "equal shares: 0 inside (%g, %g)", lo, hi);
	diff_interval(1000, 1000, 5, 5, &lo, &hi);
	ok(lo < 0 && hi > 0, "100%% in both: 0 inside (%g, %g)", lo, hi);
	/* a small real change with many samples is significant; with few, not */
	diff_interval(20000, 100000, 22000, 100000, &lo, &hi);
	ok(lo > 0, "20%% -> 22%% over 100000 samples: significant (%g, %g)", lo, hi);
	diff_interval(20, 100, 22, 100, &lo, &hi);
	ok(lo < 0 && hi > 0, "20%% -> 22%% over 100 samples: noise (%g, %g)", lo, hi);
	/* no samples in one file: nothing can be concluded */
	diff_interval(0, 0, 50, 100, &lo, &hi);
	ok(lo < 0 && hi > 0, "an empty file: no significance (%g, %g)", lo, hi);
}

/* ---- two profiles of one program, renamed between its builds ------------ */

/*
 * OLD, 100 samples of /x/app-old: main;a 60, main;b<&> 40
 * NEW, 200 samples of ./app-new:  main;a 40, main;c 160
 */
static struct prof_func old_funcs[] = {
    {.name = "main", .dso = "app-old"},
    {.name = "a", .dso = "app-old"},
    {.name = "b<&>", .dso = "app-old"},
};
static struct prof_func new_funcs[] = {
    {.name = "main", .dso = "app-new"},
    {.name = "a", .dso = "app-new"},
    {.name = "c", .dso = "app-new"},
};
static struct prof_loc locs3[] = {{.func = 0}, {.func = 1}, {.func = 2}};
static uint32_t frames2x2[] = {1, 0, 2, 0};
static struct prof_stack old_stacks[] = {
    {.first = 0, .depth = 2, .pid = 1, .tid = 1, .comm = "app-old", .samples = 60},
    {.first = 2, .depth = 2, .pid = 1, .tid = 1, .comm = "app-old", .samples = 40},
};
static struct prof_stack new_stacks[] = {
    {.first = 0, .depth = 2, .pid = 2, .tid = 2, .comm = "app-new", .samples = 40},
    {.first = 2, .depth = 2, .pid = 2, .tid = 2, .comm = "app-new", .samples = 160},
};
static const struct profile old_prof = {
    .funcs = old_funcs,
    .nfuncs = 3,
    .locs = locs3,
    .nlocs = 3,
    .stacks = old_stacks,
    .nstacks = 2,
    .frames = frames2x2,
    .nframes = 4,
    .samples = 100,
    .weight = 100,
    .event = "cpu-clock",
    .title = "/x/app-old 1",
};
static const struct profile new_prof = {
    .funcs = new_funcs,
    .nfuncs = 3,
    .locs = locs3,
    .nlocs = 3,
    .stacks = new_stacks,
    .nstacks = 2,
    .frames = frames2x2,
    .nframes = 4,
    .samples = 200,
    .weight = 200,
    .event = "cpu-clock",
    .title = "./app-new",
};

/* r recursing into itself: main;r;r 10 */
static struct prof_func rec_funcs[] = {{.name = "main", .dso = "rec"}, {.name = "r", .dso = "rec"}};
static struct prof_loc rec_locs[] = {{.func = 0}, {.func = 1}};
static uint32_t rec_frames[] = {1, 1, 0};
static struct prof_stack rec_stacks[] = {
    {.first = 0, .depth = 3, .comm = "rec", .samples = 10},
};
static const struct profile rec_prof = {
    .funcs = rec_funcs,
    .nfuncs = 2,
    .locs = rec_locs,
    .nlocs = 2,
    .stacks = rec_stacks,
    .nstacks = 1,
    .frames = rec_frames,
    .nframes = 3,
    .samples = 10,
    .title = "rec",
};

static const struct diff_row *find(const struct diff_table *t, const char *name)
{
	for (size_t i = 0; i < t->n; i++)
		if (!strcmp(t->rows[i].name, name))
			return &t->rows[i];
	return NULL;
}

static void test_compare(void)
{
	struct diff d;
	const struct diff_row *r;

	is_str(diff_program(&old_prof), "app-old", "the program of OLD, from its title");
	is_str(diff_program(&new_prof), "app-new", "the program of NEW, from './app-new'");
	ok(diff_program(&(struct profile){.title = "other 1", .funcs = old_funcs, .nfuncs = 3}) ==
	       NULL,
	   "no program when no function is in an object named like the command");

	is_int(diff_compute(&d, &old_prof, &new_prof), 0, "diff_compute");
	is_str(d.old_prog, "app-old", "programs of different names are matched: old");
	is_str(d.new_prog, "app-new", "... and new");
	is_int((long long)d.self.n, 3, "self: a, b<&>, c (main has no self samples)");
	is_int((long long)d.total.n, 4, "total: main, a, b<&>, c");
	is_int((long long)d.stacks.n, 3, "stacks: main;a matched across the builds, b and c");

	/* sorted by |change|: c +80pp, then a and b at -40pp (a, with more samples, first) */
	if (d.self.n == 3) {
		is_str(d.self.rows[0].name, "c", "largest change first");
		is_str(d.self.rows[1].name, "a", "a tie broken by samples");
		is_str(d.self.rows[2].name, "b<&>", "then b");
	}
	r = find(&d.self, "c");
	ok(r && r->old_n == 0 && r->new_n == 160 && fabs(r->change - 0.8) < 1e-12 && r->significant,
	   "c, only in NEW: 0%% -> 80%%, significant");
	ok(r && !strcmp(r->dso, "app-new"), "c's object is NEW's");
	r = find(&d.self, "b<&>");
	ok(r && r->old_n == 40 && r->new_n == 0 && fabs(r->change + 0.4) < 1e-12 && r->hi < 0,
	   "b, only in OLD: 40%% -> 0%%, significant");
	r = find(&d.self, "a");
	ok(r && r->old_n == 60 && r->new_n == 40 && !strcmp(r->dso, "app-new"),
	   "a matched across the builds by name and (renamed) object");
	r = find(&d.total, "main");
	ok(r && r->old_n == 100 && r->new_n == 200 && r->change == 0 && !r->significant,
	   "main: 100%% in both, no change");
	r = find(&d.stacks, "app-new;main;a");
	ok(r && r->old_n == 60 && r->new_n == 40, "stacks matched by folded text, comm renamed");
	diff_release(&d);

	is_int(diff_compute(&d, &new_prof, &new_prof), 0, "a profile against itself");
	{
		size_t sig = 0;

		for (size_t i = 0; i < d.self.n; i++)
			sig += d.self.rows[i].significant;
		for (size_t i = 0; i < d.total.n; i++)
			sig += d.total.rows[i].significant;
		for (size_t i = 0; i < d.stacks.n; i++)
			sig += d.stacks.rows[i].significant;
		is_int((long long)sig, 0, "against itself: nothing significant");
		ok(d.old_prog == NULL, "against itself: no renamed program");
	}
	diff_release(&d);

	diff_compute(&d, &rec_prof, &rec_prof);
	r = find(&d.total, "r");
	ok(r && r->old_n == 10, "recursion: a stack counts once in total (%llu)",
	   r ? (unsigned long long)r->old_n : 0ULL);
	r = find(&d.self, "r");
	ok(r && r->old_n == 10, "recursion: self counts the leaf");
	diff_release(&d);

	is_int(diff_compute(&d, NULL, &new_prof), -EINVAL, "a missing profile: -EINVAL");
}

/* ---- writers ------------------------------------------------------------ */

typedef int (*writer)(FILE *, const struct diff *, const struct diff_print_opts *);

static int folded(FILE *f, const struct diff *d, const struct diff_print_opts *o)
{
	(void)o;
	return diff_write_folded(f, d);
}

static char *run(writer fn, const struct diff *d, const struct diff_print_opts *o, int *rc)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	*rc = fn(f, d, o);
	fclose(f);
	return buf;
}

static size_t count(const char *s, const char *what)
{
	size_t n = 0;

	for (const char *p = s; (p = strstr(p, what)); p += strlen(what))
		n++;
	return n;
}

static void test_writers(void)
{
	struct diff_print_opts o = {
	    .old = {.path = "old.data",
		    .command = "/x/app-old 1",
		    .event = "cpu-clock",
		    .sampler = "pmu"},
	    .new = {.path = "new.data",
		    .command = "./app-new",
		    .event = "cpu-clock",
		    .sampler = "pmu"},
	    .limit = 20,
	};
	struct diff d;
	char *s, *msgs[8];
	int rc;
	size_t n;

	diff_compute(&d, &old_prof, &new_prof);

	s = run(folded, &d, &o, &rc);
	is_int(rc, 0, "folded: written");
	is_str(s, "app-new;main;a 60 40\napp-new;main;b<&> 40 0\napp-new;main;c 0 160\n",
	       "folded: every stack of either file, OLD NEW, sorted bytewise");
	free(s);

	s = run(diff_print_text, &d, &o, &rc);
	is_int(rc, 0, "text: written");
	ok(strstr(s, "# old: 'old.data': /x/app-old 1\n") != NULL, "text: names OLD");
	ok(strstr(s, "# new: 'new.data': ./app-new\n") != NULL, "text: names NEW");
	ok(strstr(s, "'app-old' (old) and 'app-new' (new) are compared as one program") != NULL,
	   "text: says the programs were matched");
	ok(strstr(s, "+80.00pp") && strstr(s, "-40.00pp"), "text: changes in pp");
	ok(strstr(s, "c (app-new)") && strstr(s, "b<&> (app-new)"), "text: function (object)");
	ok(strstr(s, "  0.00%     0  ") != NULL, "text: a function absent from a file shows 0");
	ok(strstr(s, "# hidden: 1 within the noise (--all shows them)") != NULL,
	   "text: main's total is within the noise and hidden");
	ok(strstr(s, "warning") == NULL, "text: no warning... ");
	ok(strstr(s, "only 100") == NULL, "... for 100 samples");
	free(s);

	o.all = true;
	o.limit = 1;
	s = run(diff_print_text, &d, &o, &rc);
	ok(strstr(s, "# hidden: 2 beyond --limit 1") != NULL, "--limit 1: the rest counted");
	free(s);
	o.limit = 0;
	o.min_change = 50;
	s = run(diff_print_text, &d, &o, &rc);
	ok(strstr(s, "2 below --min-change 50.00pp") != NULL, "--min-change 50: a and b hidden");
	free(s);

	o.all = false;
	o.min_change = 0;
	o.new.event = "cycles";
	o.new.sampler = "itimer";
	n = diff_warnings(&d, &o, msgs, 8);
	is_int((long long)n, 2, "warnings: different events and samplers");
	for (size_t i = 0; i < n; i++)
		free(msgs[i]);
	o.new.event = "cpu-clock";
	o.new.sampler = "pmu";

	s = run(diff_write_svg, &d, &o, &rc);
	is_int(rc, 0, "svg: written");
	ok(!strncmp(s, "<?xml", 5) && strstr(s, "<svg ") && strstr(s, "</svg>\n"),
	   "svg: a document");
	ok(strstr(s, "Differential flame graph") != NULL, "svg: title");
	ok(strstr(s, "id=\"pd-legend\"") && strstr(s, "within the noise") &&
	       strstr(s, "only in old"),
	   "svg: legend");
	ok(strstr(s, "b&lt;&amp;&gt;") != NULL && strstr(s, "b<&>") == NULL,
	   "svg: < & > escaped in names");
	ok(strstr(s, "url(#pd-gone)") != NULL, "svg: b, only in OLD, is hatched");
	ok(strstr(s, "c (app-new): old 0.00% (0), new 80.00% (160), change +80.00pp") != NULL,
	   "svg: tooltip of c");
	/* root, comm, main, a, b, c */
	is_int((long long)count(s, "<g class=\"f\""), 6, "svg: one frame per path");
	/* widths: NEW's 100%, plus b's 40% of OLD */
	ok(strstr(s, "data-s=\"0\" data-w=\"1.4\" data-d=\"0\"") != NULL,
	   "svg: root is NEW's 100%% plus what vanished");
	ok(count(s, "<script") == 1 && count(s, "]]>") == 1, "svg: one script, CDATA closed once");
	free(s);
	diff_release(&d);

	{
		struct profile empty = {.title = "x"};

		diff_compute(&d, &empty, &empty);
		s = run(diff_write_svg, &d, &o, &rc);
		ok(rc == 0 && strstr(s, "no samples") != NULL, "svg: no samples, still a document");
		free(s);
		s = run(diff_print_text, &d, &o, &rc);
		ok(rc == 0 && count(s, "(no significant change)") == 3 &&
		       strstr(s, "has no samples"),
		   "text: empty files, warned");
		free(s);
		diff_release(&d);
	}
}

static void test_write_error(void)
{
	struct diff_print_opts o = {.limit = 20};
	struct diff d;
	FILE *f = fopen("/dev/full", "w");

	if (!f) {
		ok(1, "# SKIP /dev/full is missing");
		return;
	}
	diff_compute(&d, &old_prof, &new_prof);
	setvbuf(f, NULL, _IONBF, 0);
	ok(diff_write_svg(f, &d, &o) < 0, "a failed write is reported");
	fclose(f);
	diff_release(&d);
}

int main(void)
{
	test_intervals();
	test_compare();
	test_writers();
	test_write_error();
	return done_testing();
}
