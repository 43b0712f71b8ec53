// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * pmuprof script: every sample as text, in the layout of `perf script`, so
 * that tools written for perf's output (FlameGraph's stackcollapse-perf.pl,
 * speedscope's and Firefox Profiler's importers, hotspot scripts) read
 * pmuprof recordings too:
 *
 *   COMM TID [CPU] SECONDS.MICROS:     PERIOD EVENT:
 *   \t    ADDRESS SYMBOL+0xOFF (OBJECT)
 *   ...
 *   (an empty line)
 *
 * [CPU] appears for system-wide recordings, as perf prints it. User
 * addresses are offsets in their object (as perf prints DWARF-unwound
 * frames), kernel ones absolute; callers are shown at their call
 * instruction (the return address minus one).
 */
#include "cmd/commands.h"
#include "cmd/common.h"
#include "cmd/recording.h"
#include "resolve/maps.h"
#include "resolve/symbolize.h"
#include "util/alloc.h"
#include "util/error.h"
#include "util/hash.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
	OPT_COMM = OPT_LONG_BASE,
	OPT_TID,
	OPT_TIME,
	OPT_INLINE,
	OPT_NO_DEMANGLE,
};

static const struct cmd_option script_options[] = {
	{ 'i', "input", "FILE", "read FILE (default pmuprof.data)" },
	{ OPT_COMM, "comm", "NAMES", "only samples of these commands (comma-separated)" },
	{ OPT_TID, "tid", "TIDS", "only samples of these threads" },
	{ OPT_TIME, "time", "START,END", "only samples in this window, seconds from the start" },
	{ OPT_INLINE, "inline", NULL, "show inlined functions as frames of their own" },
	{ OPT_NO_DEMANGLE, "no-demangle", NULL, "show C++ and Rust names as in the symbol table" },
	{ 'h', "help", NULL, "show this help" },
};

struct script_opts {
	const char *input;
	struct sample_filter filter;
	bool inlines, demangle;
};

/* A symbolized address, kept so that each is named once. */
struct named {
	size_t first, n; /* in the frames array */
};

struct script {
	const struct script_opts *o;
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

static int parse_options(struct script_opts *o, int argc, char **argv)
{
	struct cmd_parser p;
	char *arg;
	int c, ret = -1;

	memset(o, 0, sizeof(*o));
	o->input = "pmuprof.data";
	o->demangle = true;
	cmd_parser_init(&p, "script", "[options] [FILE]", script_options,
			ARRAY_SIZE(script_options), argc, argv);
	cmd_parser_permute(&p);
	while ((c = cmd_next_option(&p, &arg)) != -1) {
		switch (c) {
		case 'i':
			o->input = arg;
			break;
		case OPT_COMM:
			if (cmd_filter_comm(&o->filter, arg) < 0)
				goto out;
			break;
		case OPT_TID:
			if (cmd_filter_tid(&o->filter, arg) < 0)
				goto out;
			break;
		case OPT_TIME:
			if (cmd_filter_time(&o->filter, arg) < 0)
				goto out;
			break;
		case OPT_INLINE:
			o->inlines = true;
			break;
		case OPT_NO_DEMANGLE:
			o->demangle = false;
			break;
		case 'h':
			cmd_print_help(&p, stdout);
			ret = CMD_HELP_SHOWN;
			goto out;
		default:
			goto out;
		}
	}
	if (argc - optind > 1) {
		error("script reads one file, not %d", argc - optind);
		goto out;
	}
	if (optind < argc)
		o->input = argv[optind];
	ret = 0;
out:
	cmd_parser_release(&p);
	return ret < 0 ? EXIT_USAGE : ret;
}

/* The names at one address of an object (d NULL: the kernel when kernel is set). */
static const struct named *name_of(struct script *sc, struct dso *d, bool kernel, uint64_t addr)
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

static void print_frame(struct script *sc, uint64_t shown, const struct named *nm, uint64_t addr,
			const char *object)
{
	for (size_t k = 0; k < nm->n; k++) {
		const struct sym_frame *f = &sc->frames[nm->first + k];

		if (f->inlined) {
			printf("\t%16" PRIx64 " %s (inlined)\n", shown, f->func);
			continue;
		}
		/*
		 * Always an offset, even after a made-up name such as
		 * liblzma.so.5+0x16900: readers of perf script strip the last
		 * "+0x..." to get the function.
		 */
		if (f->start && addr >= f->start)
			printf("\t%16" PRIx64 " %s+0x%" PRIx64 " (%s)\n", shown, f->func,
			       addr - f->start, object);
		else if (f->synthetic)
			printf("\t%16" PRIx64 " %s+0x0 (%s)\n", shown, f->func, object);
		else
			printf("\t%16" PRIx64 " %s (%s)\n", shown, f->func, object);
	}
}

static int print_sample(struct session *s, struct session_sample *smp, void *arg)
{
	struct script *sc = arg;
	const struct rec_sample *r = smp->v->s;

	(void)s;
	printf("%s %5" PRIu32 " ", smp->comm, r->tid);
	if (sc->show_cpu)
		printf("[%03" PRIu32 "] ", r->cpu);
	printf("%5" PRIu64 ".%06" PRIu64 ": %10" PRIu64 " %s: \n", r->time / 1000000000u,
	       r->time % 1000000000u / 1000u, r->weight, sc->event);
	for (size_t i = 0; i < smp->nkernel; i++)
		print_frame(sc, smp->kernel[i], name_of(sc, NULL, true, smp->kernel[i]),
			    smp->kernel[i], "[kernel.kallsyms]");
	for (size_t i = 0; i < smp->nuser; i++) {
		const struct unwind_frame *f = &smp->user[i];

		print_frame(sc, f->addr, name_of(sc, f->dso, false, f->addr), f->addr,
			    f->dso ? f->dso->path : "[unknown]");
	}
	putchar('\n');
	return ferror(stdout) ? -1 : 0;
}

int cmd_script(int argc, char **argv)
{
	struct script_opts o;
	struct script sc;
	struct session s;
	const char *target;
	unsigned flags = 0;
	int ret;

	ret = parse_options(&o, argc, argv);
	if (ret == CMD_HELP_SHOWN || ret) {
		sample_filter_release(&o.filter);
		return ret == CMD_HELP_SHOWN ? EXIT_OK : ret;
	}
	ret = cmd_recording_open(&s, o.input, false);
	if (ret) {
		sample_filter_release(&o.filter);
		return ret;
	}
	memset(&sc, 0, sizeof(sc));
	sc.o = &o;
	if (o.demangle)
		flags |= SYM_DEMANGLE;
	if (o.inlines)
		flags |= SYM_INLINE;
	sc.sym = symbolizer_new(NULL, flags);
	sc.session = &s;
	sc.event = data_reader_meta_str(s.rd, "event");
	if (!sc.event)
		sc.event = "?";
	target = data_reader_meta_str(s.rd, "target");
	sc.show_cpu = target && !strcmp(target, "all CPUs");
	hash_init(&sc.index);
	/* no progress bar: the output is the progress */
	if (session_samples(&s, &o.filter, print_sample, &sc) == 0)
		cmd_recording_warn_damage(&s);
	cmd_recording_warn_objects(&s);
	hash_release(&sc.index);
	free(sc.named);
	free(sc.frames);
	symbolizer_free(sc.sym);
	session_close(&s);
	sample_filter_release(&o.filter);
	return EXIT_OK;
}
