// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * From a recording to a profile (see profile.h: profile_read()), the one
 * path that report, annotate, diff and compare share, so that the same
 * recording and filter give every view the same samples.
 */
#include "analyse/profile.h"
#include "resolve/session.h"
#include "resolve/symbolize.h"

static int add_sample(struct session *s, struct session_sample *smp, void *arg)
{
	const struct rec_sample *r = smp->v->s;

	(void)s;
	profile_builder_add(arg, r->pid, r->tid, smp->comm, smp->kernel, smp->nkernel, smp->user,
			    smp->nuser, smp->unwound ? &smp->res : NULL, r->weight, r->time);
	return 0;
}

/*
 * --dso and --symbol keep the stacks that pass through a matching function,
 * --symbols those whose sampled function (the leaf) matches.
 */
static bool through_function(const struct profile *p, const struct prof_stack *st, void *arg)
{
	const struct sample_filter *f = arg;
	const struct prof_func *leaf = profile_frame_func(p, st, 0);

	if (!sample_filter_leaf_ok(f, leaf->name ? leaf->name : "[unknown]", leaf->alt))
		return false;
	if (!f->dsos.n && !f->symbols.n)
		return true;
	for (uint32_t i = 0; i < st->depth; i++) {
		const struct prof_func *fn = profile_frame_func(p, st, i);

		if (sample_filter_function_ok(f, fn->dso, fn->path, fn->name, fn->alt))
			return true;
	}
	return false;
}

int profile_read(struct session *s, const struct sample_filter *f, unsigned sym_flags,
		 struct profile **p, struct symbolizer **sym)
{
	struct profile_builder *b = profile_builder_new();
	int ret;

	if (sym_flags & PROFILE_SAMPLES)
		profile_builder_keep_samples(b);
	sym_flags &= ~PROFILE_SAMPLES;
	ret = session_samples(s, f, add_sample, b);

	if (ret) {
		profile_builder_free(b);
		return ret;
	}
	*sym = symbolizer_new(profile_builder_has_kernel(b) ? session_kernel(s) : NULL, sym_flags);
	*p = profile_builder_finish(b, *sym, data_reader_meta_str(s->rd, "event"),
				    session_weight_unit(s), session_title(s));
	data_reader_meta_u64(s->rd, "start-realtime-ns", &(*p)->realtime_start);
	profile_builder_free(b);
	if (f && sample_filter_by_function(f))
		profile_select(*p, through_function, (void *)f);
	return 0;
}
