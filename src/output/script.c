// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * script's text (see script.h).
 */
#include "output/script.h"
#include "resolve/maps.h"
#include "resolve/session.h"
#include "resolve/symbolize.h"
#include "util/alloc.h"
#include "util/escape.h"
#include "util/hash.h"
#include "util/units.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

/* A symbolized address, kept so that each is named once. */
struct named {
	size_t first, n; /* in the frames array */
};

struct script_writer {
	FILE *out;
	struct session *session; /* for kernel symbols, loaded at the first kernel frame */
	bool kernel_set;
	struct symbolizer *sym;
	const char *event;
	bool show_cpu;
	struct hash index;
	struct named *named;
	size_t nnamed, anamed;
	struct sym_frame *frames;
	size_t nframes, aframes;
};

struct script_writer *script_writer_new(FILE *out, struct session *s, unsigned sym_flags)
{
	struct script_writer *w = xcalloc(1, sizeof(*w));
	const char *target = data_reader_meta_str(s->rd, "target");

	w->out = out;
	w->session = s;
	w->sym = symbolizer_new(NULL, sym_flags);
	w->event = data_reader_meta_str(s->rd, "event");
	if (!w->event)
		w->event = "?";
	w->show_cpu = target && !strcmp(target, "all CPUs");
	hash_init(&w->index);
	return w;
}

void script_writer_free(struct script_writer *w)
{
	if (!w)
		return;
	hash_release(&w->index);
	free(w->named);
	free(w->frames);
	symbolizer_free(w->sym);
	free(w);
}

static const struct named *name_of(struct script_writer *sc, struct dso *d, bool kernel,
				   uint64_t addr)
{
	struct {
		uint64_t addr;
		uint32_t dso, kernel;
	} key = { addr, d ? d->id + 1 : 0, kernel };
	struct sym_frame tmp[SYM_MAX_INLINE];
	int added;
	size_t i = hash_get(&sc->index, &key, sizeof(key), sc->nnamed, &added), n;

	if (!added)
		return &sc->named[i];
	if (kernel) {
		if (!sc->kernel_set) {
			symbolizer_set_kernel(sc->sym, session_kernel(sc->session));
			sc->kernel_set = true;
		}
		memset(tmp, 0, sizeof(tmp[0]));
		tmp[0].func = symbolize_kernel(sc->sym, addr, &tmp[0].start);
		n = 1;
	} else {
		n = symbolize_user(sc->sym, d, addr, tmp, SYM_MAX_INLINE);
	}
	xgrow(&sc->named, &sc->anamed, sc->nnamed + 1, sizeof(*sc->named));
	xgrow(&sc->frames, &sc->aframes, sc->nframes + n, sizeof(*sc->frames));
	memcpy(sc->frames + sc->nframes, tmp, n * sizeof(*tmp));
	sc->named[i].first = sc->nframes;
	sc->named[i].n = n;
	sc->nframes += n;
	sc->nnamed++;
	return &sc->named[i];
}

/*
 * Names, objects, comm and event come from the recording and its binaries:
 * escaped (util/escape.h), so that a tab or newline in one cannot forge a
 * field or a line that readers of perf script would take for theirs.
 */
static void print_frame(struct script_writer *sc, uint64_t shown, const struct named *nm,
			uint64_t addr, const char *object)
{
	for (size_t k = 0; k < nm->n; k++) {
		const struct sym_frame *f = &sc->frames[nm->first + k];

		fprintf(sc->out, "\t%16" PRIx64 " ", shown);
		escape_write(sc->out, f->func);
		if (f->inlined) {
			fputs(" (inlined)\n", sc->out);
			continue;
		}
		/*
		 * Always an offset, even after a made-up name such as
		 * liblzma.so.5+0x16900: readers of perf script strip the last
		 * "+0x..." to get the function.
		 */
		if (f->start && addr >= f->start)
			fprintf(sc->out, "+0x%" PRIx64, addr - f->start);
		else if (f->synthetic)
			fputs("+0x0", sc->out);
		fputs(" (", sc->out);
		escape_write(sc->out, object);
		fputs(")\n", sc->out);
	}
}

int script_write_sample(struct script_writer *sc, const struct session_sample *smp)
{
	const struct rec_sample *r = smp->v->s;

	escape_write(sc->out, smp->comm);
	fprintf(sc->out, " %5" PRIu32 " ", r->tid);
	if (sc->show_cpu)
		fprintf(sc->out, "[%03" PRIu32 "] ", r->cpu);
	fprintf(sc->out, "%5" PRIu64 ".%06" PRIu64 ": %10" PRIu64 " ", r->time / 1000000000u,
		r->time % 1000000000u / 1000u, r->weight);
	if (smp->kind == SAMPLE_KIND_CPU) {
		escape_write(sc->out, sc->event);
		fputs(": \n", sc->out);
	} else {
		char when[UNITS_DURATION_MAX];

		fprintf(sc->out, "off-cpu: %s %s (%s)\n",
			smp->kind == SAMPLE_KIND_BLOCKED ? "blocked" : "runnable",
			units_duration(when, sizeof(when), r->weight),
			smp->source == SAMPLE_SOURCE_REMOTE ? "stack read from outside"
			: smp->source == SAMPLE_SOURCE_NONE ? "no stack"
							    : "stack at switch-out");
	}
	for (size_t i = 0; i < smp->nkernel; i++)
		print_frame(sc, smp->kernel[i], name_of(sc, NULL, true, smp->kernel[i]),
			    smp->kernel[i], "[kernel.kallsyms]");
	for (size_t i = 0; i < smp->nuser; i++) {
		const struct unwind_frame *f = &smp->user[i];

		print_frame(sc, f->addr, name_of(sc, f->dso, false, f->addr), f->addr,
			    f->dso ? f->dso->path : "[unknown]");
	}
	fputc('\n', sc->out);
	return ferror(sc->out) ? -EIO : 0;
}

/* COMM TID [CPU] SECONDS.MICROS: of the thread an event happened in */
static void event_head(struct script_writer *sc, uint32_t pid, uint32_t tid, uint32_t cpu,
		       uint64_t time)
{
	escape_write(sc->out, session_comm(sc->session, pid, tid, time));
	fprintf(sc->out, " %5" PRIu32 " [%03" PRIu32 "] %5" PRIu64 ".%06" PRIu64 ": ", tid, cpu,
		time / 1000000000u, time % 1000000000u / 1000u);
}

int script_write_signal(struct script_writer *sc, const struct session_signal *g)
{
	if (g->deliver) {
		event_head(sc, g->to_pid, g->to_tid, g->cpu, g->time);
		fprintf(sc->out, "signal:signal_deliver: sig=%d errno=0 code=%d\n", g->sig, g->code);
	} else {
		event_head(sc, g->from_pid, g->from_tid, g->cpu, g->time);
		fprintf(sc->out, "signal:signal_generate: sig=%d errno=0 code=%d comm=", g->sig,
			g->code);
		escape_write(sc->out, session_comm(sc->session, g->to_pid, g->to_tid, g->time));
		fprintf(sc->out, " pid=%" PRIu32 " grp=%d res=%d\n", g->to_tid, g->group ? 1 : 0,
			g->result);
	}
	return ferror(sc->out) ? -EIO : 0;
}

int script_write_wakeup(struct script_writer *sc, const struct session_wakeup *k)
{
	event_head(sc, k->pid, k->tid, k->cpu, k->time);
	fprintf(sc->out, "%s: comm=", k->new_thread ? "sched:sched_wakeup_new" : "sched:sched_wakeup");
	escape_write(sc->out, session_comm(sc->session, k->woken_pid, k->woken_tid, k->time));
	fprintf(sc->out, " pid=%" PRIu32 " target_cpu=%03" PRIu32 "\n", k->woken_tid, k->target_cpu);
	return ferror(sc->out) ? -EIO : 0;
}
