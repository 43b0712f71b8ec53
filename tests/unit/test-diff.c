// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * pmuprof diff's statistics and writers: the t and normal tails against
 * tabulated values, Benjamini and Hochberg's rule on their paper's example
 * and on edge cases, the block variance worked by hand; a program in
 * phases (fixed seeds) whose A/A pair the independent model flags and the
 * block model does not, while it still finds a real change; the comparison
 * of two small profiles built by hand (a function only in one file, sorting
 * by |change|, the program renamed between the builds, recursion counted
 * once); identical profiles showing no change; and the text, folded and SVG
 * writers on them.
 */
#include "analyse/diff.h"
#include "output/diff.h"
#include "tap.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- statistics --------------------------------------------------------- */

static void test_distributions(void)
{
	is_near(diff_t_tail(1.959963984540054, INFINITY), 0.05, 1e-12, "normal: 1.96 -> 0.05");
	is_near(diff_t_tail(-2.5758293035489, INFINITY), 0.01, 1e-12, "normal: -2.576 -> 0.01");
	is_near(diff_t_tail(1, 1), 0.5, 1e-12, "t with 1 degree (Cauchy): 1 -> 0.5");
	is_near(diff_t_tail(12.706204736, 1), 0.05, 1e-9, "t, 1 degree: 12.706 -> 0.05");
	/* with 2 degrees the tail is 1 - t / sqrt(2 + t^2) */
	is_near(diff_t_tail(3, 2), 1 - 3 / sqrt(11), 1e-12, "t, 2 degrees: closed form");
	is_near(diff_t_tail(2.085963447, 20), 0.05, 1e-9, "t, 20 degrees: 2.086 -> 0.05");
	is_near(diff_t_tail(0, 7), 1, 1e-12, "t = 0: the tail is all");
	is_near(diff_t_quantile(0.05, 20), 2.085963447, 1e-8, "quantile: t(0.975, 20)");
	is_near(diff_t_quantile(0.01, INFINITY), 2.5758293035489, 1e-9, "quantile: z(0.995)");
	is_near(diff_t_quantile(0.001, 38), 3.565678, 1e-5, "quantile: t(0.9995, 38)");
	is_near(diff_t_quantile(1, 5), 0, 1e-12, "quantile of a tail of 1: 0");
}

static void test_bh(void)
{
	/* Benjamini and Hochberg (1995), section 4.1: 15 p-values, 4 rejected at 0.05 */
	static const double paper[15] = {0.0001, 0.0004, 0.0019, 0.0095, 0.0201,
					 0.0278, 0.0298, 0.0344, 0.0459, 0.3240,
					 0.4262, 0.5719, 0.6528, 0.7590, 1.0000};
	/* step up, not down: 0.02 misses 0.0125 but 0.035 is within 3 x 0.0125 */
	static const double up[4] = {0.5, 0.035, 0.02, 0.03};
	/* every p at i q / m exactly: all kept, where Bonferroni keeps one */
	static const double edge[5] = {0.05, 0.04, 0.03, 0.02, 0.01};
	static const double none[3] = {0.02, 0.04, 0.9};
	bool rej[15];
	size_t k = diff_bh(paper, 15, 0.05, rej), first = 0;

	is_int((long long)k, 4, "BH 1995: 4 of 15 rejected at q = 0.05");
	for (size_t i = 0; i < 15; i++)
		first += rej[i] == (i < 4);
	is_int((long long)first, 15, "BH 1995: exactly the four smallest");
	is_int((long long)diff_bh(up, 4, 0.05, rej), 3, "step-up: 3 rejected");
	ok(!rej[0] && rej[1] && rej[2] && rej[3], "step-up: all but 0.5, whatever the order");
	is_int((long long)diff_bh(edge, 5, 0.05, rej), 5, "p = i q / m: all 5 rejected");
	is_int((long long)diff_bh(none, 3, 0.05, rej), 0, "0.02 > 0.05 / 3: none rejected");
	ok(!rej[0] && !rej[1] && !rej[2], "none: no flag set");
	is_int((long long)diff_bh(NULL, 0, 0.05, rej), 0, "no p-values: none rejected");
}

static void test_variance(void)
{
	/* 4 blocks of 25 samples: old 10, 0, 10, 0 (20%); new 15 in each (60%) */
	struct diff_counts old = {.k = 20, .n = 100, .blocks = 4, .ksq = 200, .kn = 500,
				  .nsq = 2500};
	struct diff_counts new = {.k = 60, .n = 100, .blocks = 4, .ksq = 900, .kn = 1500,
				  .nsq = 2500};
	struct diff_stat st;

	/* old: sum (k_b - p n_b)^2 = 4 x 25 = 100, / 100^2 x 4/3; new: 0 */
	diff_test(&old, &new, &st);
	is_near(st.change, 0.4, 1e-12, "blocks: change");
	is_near(st.se, sqrt(0.01 * 4 / 3), 1e-12, "blocks: the variance of old's blocks");
	is_near(st.df, 3, 1e-12, "blocks: Welch's degrees, old's 3 alone");
	/* t = 0.4 / 0.11547 = 2 sqrt(3); with 3 degrees the tail has a closed form */
	is_near(st.p, 0.04051932635383393, 1e-9, "blocks: p from t with 3 degrees");

	/* both even: the block variance is 0 and the binomial of the pooled share rules */
	old = (struct diff_counts){.k = 20, .n = 100, .blocks = 4, .ksq = 100, .kn = 500,
				   .nsq = 2500};
	new = old;
	new.k = 40, new.ksq = 400, new.kn = 1000;
	diff_test(&old, &new, &st);
	is_near(st.se, sqrt(0.3 * 0.7 * 0.02), 1e-12, "even blocks: the binomial floor");
	ok(isinf(st.df), "... with the normal distribution");
	is_near(st.p, diff_t_tail(0.2 / sqrt(0.0042), INFINITY), 1e-12, "... and its p");

	/* three recordings a side: 10, 20 and 30 of 100 each against 20, 20, 20 */
	old = (struct diff_counts){.k = 60, .n = 300, .blocks = 3, .ksq = 1400, .kn = 6000,
				   .nsq = 30000, .runs = 3, .rsq = 1400, .rkn = 6000,
				   .rnsq = 30000};
	new = old;
	new.ksq = new.rsq = 1200;
	diff_test(&old, &new, &st);
	/* old: sum (k_r - 0.2 n_r)^2 = 200, / 300^2 x 3/2; new: 0 */
	is_near(st.se, sqrt(200.0 / 90000 * 1.5), 1e-12, "runs: old's spread between recordings");
	ok(st.df == 2 && st.p == 1, "runs: with 2 degrees; no change, p = 1");
	/* new 30 in each: +10pp, t = 0.1 / se, and with 2 degrees p = 1 - t / sqrt(2 + t^2) */
	new.k = 90, new.ksq = new.rsq = 2700, new.kn = new.rkn = 9000;
	diff_test(&old, &new, &st);
	is_near(st.p, 1 - (0.1 / sqrt(1.0 / 300)) / sqrt(2 + 0.01 * 300), 1e-9,
		"runs: +10pp, p from t with 2 degrees");
	/* the blocks of a side spread less than its recordings: the recordings rule */
	old.blocks = 30, old.ksq = 150, old.kn = 600, old.nsq = 3000;
	diff_test(&old, &new, &st);
	ok(st.df == 2 && fabs(st.se - sqrt(200.0 / 90000 * 1.5)) < 1e-12,
	   "runs: the larger variance of the two, and its degrees");

	/* one block each (times unknown): binomial */
	old = (struct diff_counts){.k = 0, .n = 1000, .blocks = 1};
	new = (struct diff_counts){.k = 10, .n = 1000, .blocks = 1};
	diff_test(&old, &new, &st);
	is_near(st.se, sqrt(0.005 * 0.995 * 0.002), 1e-12, "0 vs 10 of 1000: pooled binomial");
	ok(st.p > 0.001 && st.p < 0.01, "0 vs 10 of 1000: p near the exact test's 0.002 (%g)",
	   st.p);
	/* nothing to compare with */
	old.n = 0;
	diff_test(&old, &new, &st);
	ok(st.p == 1 && isinf(st.se), "an empty side: p = 1, no bound");
	/* 100% in both */
	old = (struct diff_counts){.k = 50, .n = 50, .blocks = 1};
	new = (struct diff_counts){.k = 70, .n = 70, .blocks = 1};
	diff_test(&old, &new, &st);
	ok(st.p == 1 && st.change == 0, "100%% in both: no change, p = 1");
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

/* ---- a program in phases ------------------------------------------------- */

/*
 * Runs of one program that spends its time in phases of a or b, 100 to 1100
 * samples long (lengths from the seed), and every step-th sample in c:
 * main;a, main;b and main;c. Two seeds are two runs of one unchanged
 * program; a smaller step is a program whose c costs more.
 */
#define PHASE_N 12000

struct phased {
	struct prof_stack stacks[3];
	struct prof_sample samples[PHASE_N];
	struct profile p;
};

static struct prof_func phase_funcs[] = {
    {.name = "main", .dso = "ph"}, {.name = "a", .dso = "ph"},
    {.name = "b", .dso = "ph"},	   {.name = "c", .dso = "ph"},
};
static struct prof_loc phase_locs[] = {{.func = 0}, {.func = 1}, {.func = 2}, {.func = 3}};
static uint32_t phase_frames[] = {1, 0, 2, 0, 3, 0};

static void phased_init(struct phased *ph, uint64_t seed, uint32_t step)
{
	uint64_t state = seed;
	uint32_t left = 0, in = 1;

	memset(ph, 0, sizeof(*ph));
	for (uint32_t i = 0; i < 3; i++)
		ph->stacks[i] = (struct prof_stack){.first = 2 * i, .depth = 2, .comm = "ph"};
	for (uint32_t i = 0; i < PHASE_N; i++) {
		uint32_t s;

		if (!left) {
			state = state * 6364136223846793005ull + 1442695040888963407ull;
			left = 100 + (uint32_t)(state >> 33) % 1001;
			in = !in;
		}
		left--;
		s = i % step ? in : 2;
		ph->stacks[s].samples++;
		ph->samples[i] = (struct prof_sample){.time = 1000000ull * i, .stack = s};
	}
	ph->p = (struct profile){.funcs = phase_funcs,
				 .nfuncs = 4,
				 .locs = phase_locs,
				 .nlocs = 4,
				 .stacks = ph->stacks,
				 .nstacks = 3,
				 .frames = phase_frames,
				 .nframes = 6,
				 .samples = PHASE_N,
				 .sample_list = ph->samples,
				 .nsample_list = PHASE_N,
				 .title = "ph"};
}

static size_t flagged(const struct diff *d)
{
	size_t n = 0;

	for (size_t i = 0; i < d->self.n; i++)
		n += d->self.rows[i].significant;
	for (size_t i = 0; i < d->total.n; i++)
		n += d->total.rows[i].significant;
	for (size_t i = 0; i < d->stacks.n; i++)
		n += d->stacks.rows[i].significant;
	for (size_t i = 0; i < d->npaths; i++)
		n += d->paths[i].stat.significant;
	return n;
}

static void test_phases(void)
{
	static struct phased x, y;
	struct profile xi, yi;
	struct diff d;
	const struct diff_row *r;
	size_t n;

	phased_init(&x, 1, 10);
	phased_init(&y, 2, 10);
	/* the same profiles with their times forgotten: every sample independent */
	xi = x.p;
	yi = y.p;
	xi.sample_list = yi.sample_list = NULL;
	xi.nsample_list = yi.nsample_list = 0;

	diff_compute(&d, &xi, &yi);
	r = find(&d.self, "b");
	ok(r && r->significant,
	   "independent samples: the A/A change of b (%+.2fpp) is taken for a change",
	   r ? 100 * r->change : 0);
	n = flagged(&d);
	ok(n >= 8, "independent samples: %zu rows flagged in an A/A pair", n);
	ok(d.old_blocks == 1 && d.new_blocks == 1, "no times: one block each");
	diff_release(&d);

	diff_compute(&d, &x.p, &y.p);
	is_int((long long)d.old_blocks, DIFF_BLOCKS, "with times: DIFF_BLOCKS blocks");
	r = find(&d.self, "b");
	ok(r && !r->significant && r->lo < 0 && r->hi > 0,
	   "blocks: b's change (%+.2fpp) within [%+.2f, %+.2f]", r ? 100 * r->change : 0,
	   r ? 100 * r->lo : 0, r ? 100 * r->hi : 0);
	is_int((long long)flagged(&d), 0, "blocks: nothing flagged in the A/A pair");
	r = find(&d.self, "c");
	ok(r && r->change == 0, "c is steady: the same share in both");
	diff_release(&d);

	/* a real change, in the steady function: c doubles */
	phased_init(&y, 2, 5);
	diff_compute(&d, &x.p, &y.p);
	r = find(&d.self, "c");
	ok(r && r->significant && r->lo > 0.08 && r->hi < 0.12,
	   "blocks: c's real change, +10pp, found [%+.2f, %+.2f]", r ? 100 * r->lo : 0,
	   r ? 100 * r->hi : 0);
	r = find(&d.stacks, "ph;main;c");
	ok(r && r->significant, "blocks: and its stack");
	diff_release(&d);

	/* three runs a side: seeds 1, 3, 5 against 2, 4, 6 */
	{
		static struct phased runs[6];
		const struct profile *po[3], *pn[3];

		for (int i = 0; i < 6; i++)
			phased_init(&runs[i], (uint64_t)i + 1, 10);
		for (int i = 0; i < 3; i++) {
			po[i] = &runs[2 * i].p;
			pn[i] = &runs[2 * i + 1].p;
		}
		is_int(diff_compute_runs(&d, po, 3, pn, 3), 0, "runs: 3 against 3");
		ok(d.old_runs == 3 && d.new_samples == 3 * PHASE_N && d.new_blocks == 3 * DIFF_BLOCKS,
		   "runs: samples and blocks of all the recordings");
		is_int((long long)flagged(&d), 0, "runs: nothing flagged in the A/A sides");
		diff_release(&d);
		phased_init(&runs[1], 2, 5);
		phased_init(&runs[3], 4, 5);
		phased_init(&runs[5], 6, 5);
		diff_compute_runs(&d, po, 3, pn, 3);
		r = find(&d.self, "c");
		ok(r && r->significant && r->change > 0.09,
		   "runs: c's real change found (%+.2fpp)", r ? 100 * r->change : 0);
		diff_release(&d);
		is_int(diff_compute_runs(&d, po, 0, pn, 3), -EINVAL, "runs: none on a side: -EINVAL");
	}
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
	bool sig;

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
	/* a significant kernel row, one recording a side: run-to-run variation is named */
	sig = d.self.rows[0].significant;
	d.self.rows[0].kernel = d.self.rows[0].significant = true;
	n = diff_warnings(&d, &o, msgs, 8);
	is_int((long long)n, 1, "warnings: a significant kernel row with one recording a side");
	ok(n && strstr(msgs[0], "1 significant row(s) are kernel functions") != NULL,
	   "warnings: it names the kernel");
	for (size_t i = 0; i < n; i++)
		free(msgs[i]);
	d.old_runs = 2;
	n = diff_warnings(&d, &o, msgs, 8);
	is_int((long long)n, 0, "warnings: none with several recordings a side");
	d.old_runs = 1;
	d.self.rows[0].kernel = false;
	d.self.rows[0].significant = sig;

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
	test_distributions();
	test_bh();
	test_variance();
	test_compare();
	test_phases();
	test_writers();
	test_write_error();
	return done_testing();
}
