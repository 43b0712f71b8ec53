// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * pmuprof report: read pmuprof.data and print a flat profile of the
 * sampled instruction pointers by command, thread, object and symbol, with
 * a header that says what was sampled and how well (fallback, requested and
 * delivered rate, losses, throttling, truncation).
 */
#include "cmd/commands.h"
#include "cmd/common.h"
#include "resolve/elf.h"
#include "resolve/kallsyms.h"
#include "resolve/maps.h"
#include "store/datafile.h"
#include "util/alloc.h"
#include "util/error.h"
#include "util/hash.h"
#include "util/proc.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>


enum {
	OPT_SORT = OPT_LONG_BASE,
	OPT_STDIO,
	OPT_HEADER,
};

static const struct cmd_option report_options[] = {
	{ 'i', "input", "FILE", "read FILE (default pmuprof.data)" },
	{ 's', "sort", "KEYS", "group by these of comm,tid,dso,sym (default comm,dso,sym)" },
	{ OPT_STDIO, "stdio", NULL, "text on standard output (the default)" },
	{ OPT_HEADER, "header", NULL, "print the recording's metadata and statistics" },
	{ 'h', "help", NULL, "show this help" },
};

enum sort_key {
	KEY_COMM,
	KEY_TID,
	KEY_DSO,
	KEY_SYM,
	KEY_MAX
};

static const char *const key_names[] = { "comm", "tid", "dso", "sym" };
static const char *const key_titles[] = { "Command", "Tid", "Shared Object", "Symbol" };

struct report_opts {
	const char *input;
	enum sort_key keys[KEY_MAX];
	size_t nkeys;
	bool header;
};

/* ---- what the recording says ------------------------------------------ */

struct comm_event {
	uint32_t pid, tid;
	uint64_t time;
	char *name;
};

/* A distinct sampled address of a thread, before symbolization. */
struct site_key {
	uint32_t pid, tid;
	uint64_t ip;
	uint32_t kernel;
	uint32_t pad;
};

struct site {
	struct site_key k;
	uint64_t time; /* of its first sample, for map and name lookups */
	uint64_t samples, weight;
};

struct line {
	char *key[KEY_MAX];
	uint64_t samples, weight;
};

struct report {
	struct maps *maps;
	struct kallsyms *kernel; /* NULL unless reporting on the recording's boot */
	struct comm_event *comms;
	size_t ncomms, acomms;
	struct fork_link {
		uint32_t pid, ppid;
	} *forks;
	size_t nforks, aforks;
	struct site *sites;
	size_t nsites, asites;
	struct hash site_index;
	uint8_t **images; /* copies of stored object images */
	size_t nimages, aimages;
	uint64_t samples, weight, bad_records;
};

static int parse_sort(struct report_opts *o, const char *arg)
{
	char *copy = xstrdup(arg), *tok, *save = NULL;

	o->nkeys = 0;
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		size_t k;

		for (k = 0; k < KEY_MAX && strcmp(tok, key_names[k]); k++)
			;
		if (k == KEY_MAX || o->nkeys == KEY_MAX) {
			error("--sort takes keys from comm, tid, dso and sym, not '%s'", tok);
			free(copy);
			return -1;
		}
		o->keys[o->nkeys++] = (enum sort_key)k;
	}
	free(copy);
	if (!o->nkeys) {
		error("--sort needs at least one of comm, tid, dso and sym");
		return -1;
	}
	return 0;
}

static int parse_options(struct report_opts *o, int argc, char **argv)
{
	struct cmd_parser p;
	char *arg;
	int c, ret = -1;

	memset(o, 0, sizeof(*o));
	o->input = "pmuprof.data";
	o->keys[0] = KEY_COMM;
	o->keys[1] = KEY_DSO;
	o->keys[2] = KEY_SYM;
	o->nkeys = 3;
	cmd_parser_init(&p, "report", "[options] [FILE]", report_options,
			ARRAY_SIZE(report_options), argc, argv);
	/* no workload here: options may follow the file name */
	cmd_parser_permute(&p);
	while ((c = cmd_next_option(&p, &arg)) != -1) {
		switch (c) {
		case 'i':
			o->input = arg;
			break;
		case 's':
			if (parse_sort(o, arg) < 0)
				goto out;
			break;
		case OPT_STDIO:
			break;
		case OPT_HEADER:
			o->header = true;
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
		error("report reads one file, not %d", argc - optind);
		goto out;
	}
	if (optind < argc)
		o->input = argv[optind];
	ret = 0;
out:
	cmd_parser_release(&p);
	return ret < 0 ? EXIT_USAGE : ret;
}

static int cmp_comm(const void *a, const void *b)
{
	const struct comm_event *x = a, *y = b;

	if (x->tid != y->tid)
		return x->tid < y->tid ? -1 : 1;
	return x->time < y->time ? -1 : x->time > y->time;
}

static void add_comm(struct report *r, const struct rec_comm *c, const char *name)
{
	xgrow(&r->comms, &r->acomms, r->ncomms + 1, sizeof(*r->comms));
	r->comms[r->ncomms].pid = c->pid;
	r->comms[r->ncomms].tid = c->tid;
	r->comms[r->ncomms].time = c->time;
	r->comms[r->ncomms].name = xstrdup(name);
	r->ncomms++;
}

static void add_sample(struct report *r, const struct sample_view *v)
{
	struct site_key k;
	size_t i;
	int added;

	memset(&k, 0, sizeof(k));
	k.pid = v->s->pid;
	k.tid = v->s->tid;
	k.ip = v->s->ip;
	k.kernel = (v->s->h.misc & SAMPLE_KERNEL) != 0;
	i = hash_get(&r->site_index, &k, sizeof(k), r->nsites, &added);
	if (added) {
		xgrow(&r->sites, &r->asites, r->nsites + 1, sizeof(*r->sites));
		memset(&r->sites[i], 0, sizeof(r->sites[i]));
		r->sites[i].k = k;
		r->sites[i].time = v->s->time;
		r->nsites++;
	}
	r->sites[i].samples++;
	r->sites[i].weight += v->s->weight;
	r->samples++;
	r->weight += v->s->weight;
}

/* One pass over the records: maps, names and forks into tables, samples counted per address. */
static int load(struct report *r, struct data_reader *rd, const char **detail)
{
	struct data_record rec;
	int ret;

	while ((ret = data_reader_next(rd, &rec, detail)) > 0) {
		const struct rec_header *h = rec.rec;
		struct sample_view sv;
		const struct rec_mmap *mm;
		const struct rec_comm *cm;
		const struct rec_image *im;
		const struct rec_task *tk;
		const char *name;
		const uint8_t *bytes;
		uint8_t *copy;

		switch (h->type) {
		case REC_SAMPLE:
			if (record_sample(h, &sv) == 0)
				add_sample(r, &sv);
			else
				r->bad_records++;
			break;
		case REC_MMAP:
			if (record_mmap(h, &mm, &name) == 0)
				maps_add_mmap(r->maps, mm, name);
			else
				r->bad_records++;
			break;
		case REC_COMM:
			if (record_comm(h, &cm, &name) == 0) {
				add_comm(r, cm, name);
				if (h->misc & 1)
					maps_add_exec(r->maps, cm->pid, cm->time);
			} else {
				r->bad_records++;
			}
			break;
		case REC_FORK:
			if (h->size < sizeof(*tk)) {
				r->bad_records++;
				break;
			}
			tk = (const struct rec_task *)h;
			maps_add_fork(r->maps, tk->pid, tk->ppid, tk->time);
			xgrow(&r->forks, &r->aforks, r->nforks + 1, sizeof(*r->forks));
			r->forks[r->nforks].pid = tk->tid;
			r->forks[r->nforks++].ppid = tk->ptid;
			break;
		case REC_IMAGE:
			if (record_image(h, &im, &name, &bytes) < 0) {
				r->bad_records++;
				break;
			}
			/* the reader reuses its buffer: the maps keep a copy */
			copy = xmalloc(im->size ? im->size : 1);
			memcpy(copy, bytes, im->size);
			xgrow(&r->images, &r->aimages, r->nimages + 1, sizeof(*r->images));
			r->images[r->nimages++] = copy;
			maps_add_image(r->maps, name, im->build_id, im->build_id_len, copy, im->size);
			break;
		default:
			break;
		}
	}
	maps_finish(r->maps);
	if (r->ncomms > 1)
		qsort(r->comms, r->ncomms, sizeof(*r->comms), cmp_comm);
	return ret;
}

/* The name thread `who` had at `time`: its latest rename by then, else its first name. */
static const char *name_at(const struct report *r, uint32_t who, uint64_t time)
{
	size_t lo = 0, hi = r->ncomms, first;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (r->comms[mid].tid < who)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == r->ncomms || r->comms[lo].tid != who)
		return NULL;
	first = lo;
	while (lo + 1 < r->ncomms && r->comms[lo + 1].tid == who && r->comms[lo + 1].time <= time)
		lo++;
	return r->comms[r->comms[lo].time <= time ? lo : first].name;
}

/* The name of a thread at a time: its own, else its process's, else its creator's. */
static const char *comm_of(const struct report *r, uint32_t pid, uint32_t tid, uint64_t time)
{
	const char *name;

	if (tid == 0)
		return "swapper"; /* the idle task, as perf names it */
	for (int depth = 0; depth < 32; depth++) {
		uint32_t parent = 0;

		if ((name = name_at(r, tid, time)) || (name = name_at(r, pid, time)))
			return name;
		for (size_t i = 0; i < r->nforks && !parent; i++)
			if (r->forks[i].pid == pid)
				parent = r->forks[i].ppid;
		if (!parent || parent == pid)
			break;
		tid = pid = parent;
	}
	return "?";
}

/* Fills the dso and symbol texts of a site. */
static void symbolize(struct report *r, const struct site *s, char **dso, char **sym)
{
	const struct map *m;
	struct elf_object *obj;
	uint64_t vaddr, start, size;
	const char *name;

	if (s->k.kernel) {
		name = r->kernel ? kallsyms_find(r->kernel, s->k.ip) : NULL;
		*dso = xstrdup("[kernel]");
		*sym = name ? xasprintf("[k] %s", name) : xstrdup("[k] [unknown]");
		return;
	}
	m = maps_find(r->maps, s->k.pid, s->k.ip, s->time);
	if (!m) {
		*dso = xstrdup("[unknown]");
		*sym = xasprintf("[.] [unknown] 0x%" PRIx64, s->k.ip);
		return;
	}
	*dso = xstrdup(m->dso->name);
	obj = dso_object(m->dso);
	if (obj && elf_object_to_vaddr(obj, m->start, m->pgoff, s->k.ip, &vaddr) == 0 &&
	    (name = elf_object_symbol(obj, vaddr, &start, &size))) {
		*sym = xasprintf("[.] %s", name);
		return;
	}
	/* no symbol: the object and the offset in it, so the address can be found */
	*sym = xasprintf("[.] [unknown] %s+0x%" PRIx64, m->dso->name,
			 s->k.ip - m->start + m->pgoff);
}

static int cmp_line(const void *a, const void *b)
{
	const struct line *x = a, *y = b;

	if (x->weight != y->weight)
		return x->weight > y->weight ? -1 : 1;
	if (x->samples != y->samples)
		return x->samples > y->samples ? -1 : 1;
	for (int k = 0; k < KEY_MAX; k++) {
		int c = strcmp(x->key[k] ? x->key[k] : "", y->key[k] ? y->key[k] : "");

		if (c)
			return c;
	}
	return 0;
}

/* ---- printing ----------------------------------------------------------- */

static const char *meta_or(const struct data_reader *rd, const char *key, const char *dflt)
{
	const char *v = data_reader_meta_str(rd, key);

	return v ? v : dflt;
}

static uint64_t stat_or0(const struct data_reader *rd, const char *key)
{
	uint64_t v = 0;

	data_reader_stat_u64(rd, key, &v);
	return v;
}

static void print_quality(const struct report_opts *o, const struct data_reader *rd,
			  const struct report *r)
{
	uint64_t freq = 0, period = 0, cpu_ns = 0, lost;
	const char *fallback = data_reader_meta_str(rd, "fallback");
	const char *priv = data_reader_meta_str(rd, "privilege");

	printf("# pmuprof report of '%s': %s\n", o->input, meta_or(rd, "cmdline", "?"));
	printf("# event: %s", meta_or(rd, "event", "?"));
	if (fallback)
		printf(" (fallback: %s)", fallback);
	if (priv)
		printf(", %s", priv);
	putchar('\n');
	printf("# samples: %" PRIu64, r->samples);
	if (data_reader_meta_u64(rd, "freq-hz", &freq))
		printf(", %" PRIu64 " Hz requested", freq);
	else if (data_reader_meta_u64(rd, "period", &period))
		printf(", one per %" PRIu64 " events requested", period);
	if (data_reader_stat_u64(rd, "cpu-time-ns", &cpu_ns) && cpu_ns)
		printf(", %.0f Hz delivered per CPU second (%.3f s of CPU time)",
		       (double)r->samples / ((double)cpu_ns / 1e9), (double)cpu_ns / 1e9);
	putchar('\n');
	if (data_reader_truncated(rd)) {
		printf("# the file is truncated (the recording was cut off): losses and "
		       "throttling are unknown\n");
	} else {
		lost = stat_or0(rd, "lost-ring") + stat_or0(rd, "lost-samples") +
		       stat_or0(rd, "lost-writer");
		printf("# lost: %" PRIu64 " (ring full %" PRIu64 ", kernel %" PRIu64
		       ", writer %" PRIu64 "); throttled: %" PRIu64 " times\n",
		       lost, stat_or0(rd, "lost-ring"), stat_or0(rd, "lost-samples"),
		       stat_or0(rd, "lost-writer"), stat_or0(rd, "throttled"));
	}
	if (stat_or0(rd, "malformed") || r->bad_records)
		printf("# malformed: %" PRIu64 " kernel records could not be parsed when "
		       "recording, %" PRIu64 " records of the file were damaged and skipped\n",
		       stat_or0(rd, "malformed"), r->bad_records);
	printf("# call graph: %s, recorded on %s (%s, kernel %s)\n", meta_or(rd, "call-graph", "?"),
	       meta_or(rd, "host", "?"), meta_or(rd, "cpu", "?"), meta_or(rd, "kernel", "?"));
}

/*
 * Overhead is each line's share of the summed sample periods, as perf
 * computes it: with -F the kernel varies the period, and a sample taken
 * after a long period stands for more events than one after a short one.
 */
static void print_table(const struct report_opts *o, struct line *lines, size_t n,
			uint64_t total)
{
	size_t width[KEY_MAX];

	for (size_t k = 0; k < o->nkeys; k++)
		width[k] = strlen(key_titles[o->keys[k]]);
	for (size_t i = 0; i < n; i++)
		for (size_t k = 0; k + 1 < o->nkeys; k++) {
			size_t l = strlen(lines[i].key[o->keys[k]]);

			if (l > width[k])
				width[k] = l;
		}
	printf("#\n# %8s  %8s", "Overhead", "Samples");
	for (size_t k = 0; k < o->nkeys; k++)
		printf("  %-*s", (int)width[k], key_titles[o->keys[k]]);
	printf("\n#\n");
	for (size_t i = 0; i < n; i++) {
		printf("  %7.2f%%  %8" PRIu64,
		       total ? 100.0 * (double)lines[i].weight / (double)total : 0.0,
		       lines[i].samples);
		for (size_t k = 0; k < o->nkeys; k++) {
			if (k + 1 < o->nkeys)
				printf("  %-*s", (int)width[k], lines[i].key[o->keys[k]]);
			else
				printf("  %s", lines[i].key[o->keys[k]]);
		}
		putchar('\n');
	}
}

static void print_header_only(const struct report_opts *o, const struct data_reader *rd)
{
	static const char *const meta_keys[] = {
		"cmdline", "target", "host", "kernel", "arch", "cpu", "ncpus", "clock", "sampler",
		"event-requested", "event", "event-fstr", "fallback", "privilege", "freq-hz",
		"period", "call-graph", "stack-size", "regs-mask", "ring-pages", "page-size",
		"start-realtime-ns",
	};
	static const char *const stat_keys[] = {
		"samples", "samples-stack-full", "lost-ring", "lost-samples", "lost-writer",
		"throttled", "unthrottled", "malformed", "elapsed-ns", "cpu-time-ns", "weight",
		"exit-status",
	};

	printf("# file: %s (%" PRIu64 " bytes, format version %u)\n", o->input,
	       data_reader_file_size(rd), data_reader_version(rd));
	for (size_t i = 0; i < ARRAY_SIZE(meta_keys); i++) {
		const char *s = data_reader_meta_str(rd, meta_keys[i]);
		uint64_t v;

		if (s)
			printf("%-20s %s\n", meta_keys[i], s);
		else if (data_reader_meta_u64(rd, meta_keys[i], &v))
			printf("%-20s %" PRIu64 "\n", meta_keys[i], v);
	}
	if (data_reader_truncated(rd)) {
		printf("%-20s %s\n", "complete", "no: the file is truncated (the recorder was "
						 "killed or the disk filled); run statistics are lost");
		return;
	}
	printf("%-20s %s\n", "complete", "yes");
	for (size_t i = 0; i < ARRAY_SIZE(stat_keys); i++) {
		uint64_t v;

		if (data_reader_stat_u64(rd, stat_keys[i], &v))
			printf("%-20s %" PRIu64 "\n", stat_keys[i], v);
	}
}

static int open_error(const char *path, int err, const char *detail)
{
	if (err == -ENOENT)
		error("cannot open '%s': No such file or directory (record one with 'pmuprof "
		      "record')",
		      path);
	else if (detail)
		error("cannot read '%s': %s", path, detail);
	else
		error("cannot read '%s': %s", path, strerror(-err));
	return EXIT_FAIL;
}

/*
 * Kernel addresses move with KASLR at every boot: /proc/kallsyms names them
 * only when reporting on the boot that recorded them.
 */
static struct kallsyms *kernel_symbols(const struct data_reader *rd)
{
	const char *recorded = data_reader_meta_str(rd, "boot-id");
	struct kallsyms *k = NULL;
	char now[64];

	if (!recorded || !proc_read_line("/proc/sys/kernel/random/boot_id", now, sizeof(now)))
		return NULL;
	if (strcmp(now, recorded) || kallsyms_load(&k) < 0)
		return NULL;
	return k;
}

static void release_report(struct report *r)
{
	kallsyms_free(r->kernel);
	maps_free(r->maps);
	for (size_t i = 0; i < r->ncomms; i++)
		free(r->comms[i].name);
	free(r->comms);
	free(r->forks);
	free(r->sites);
	hash_release(&r->site_index);
	for (size_t i = 0; i < r->nimages; i++)
		free(r->images[i]);
	free(r->images);
}

int cmd_report(int argc, char **argv)
{
	struct report_opts o;
	struct data_reader *rd;
	struct report r;
	struct line *lines = NULL;
	size_t nlines = 0, alines = 0;
	struct hash line_index;
	const char *detail = NULL;
	int ret;

	ret = parse_options(&o, argc, argv);
	if (ret == CMD_HELP_SHOWN)
		return EXIT_OK;
	if (ret)
		return ret;
	ret = data_reader_open(o.input, &rd, &detail);
	if (ret < 0)
		return open_error(o.input, ret, detail);
	if (o.header) {
		print_header_only(&o, rd);
		data_reader_free(rd);
		return EXIT_OK;
	}
	memset(&r, 0, sizeof(r));
	r.maps = maps_new();
	r.kernel = kernel_symbols(rd);
	hash_init(&r.site_index);
	ret = load(&r, rd, &detail);
	if (ret < 0)
		warning("'%s' is damaged after %" PRIu64 " samples (%s); showing what came before",
			o.input, r.samples, detail ? detail : "corrupt data");
	else if (data_reader_truncated(rd))
		warning("'%s' is truncated (the recorder was killed, or the disk filled); showing "
			"the %" PRIu64 " samples of its complete frames",
			o.input, r.samples);
	hash_init(&line_index);
	for (size_t i = 0; i < r.nsites; i++) {
		const struct site *s = &r.sites[i];
		char *key[KEY_MAX] = { 0 }, *joined;
		size_t len = 0, li;
		int added;

		key[KEY_COMM] = xstrdup(comm_of(&r, s->k.pid, s->k.tid, s->time));
		key[KEY_TID] = xasprintf("%" PRIu32, s->k.tid);
		symbolize(&r, s, &key[KEY_DSO], &key[KEY_SYM]);
		for (size_t k = 0; k < o.nkeys; k++)
			len += strlen(key[o.keys[k]]) + 1;
		joined = xmalloc(len + 1);
		len = 0;
		for (size_t k = 0; k < o.nkeys; k++) {
			size_t l = strlen(key[o.keys[k]]) + 1;

			memcpy(joined + len, key[o.keys[k]], l);
			len += l;
		}
		li = hash_get(&line_index, joined, len, nlines, &added);
		free(joined);
		if (added) {
			xgrow(&lines, &alines, nlines + 1, sizeof(*lines));
			memset(&lines[li], 0, sizeof(*lines));
			memcpy(lines[li].key, key, sizeof(key));
			nlines++;
		} else {
			for (int k = 0; k < KEY_MAX; k++)
				free(key[k]);
		}
		lines[li].samples += s->samples;
		lines[li].weight += s->weight;
	}
	hash_release(&line_index);
	if (nlines > 1)
		qsort(lines, nlines, sizeof(*lines), cmp_line);
	for (size_t i = 0; i < maps_ndsos(r.maps); i++) {
		struct dso *d = maps_dso(r.maps, i);

		if (d->opened && d->changed)
			warning("'%s' has changed since the recording (its build-id differs): its "
				"symbols may be wrong",
				d->path);
		else if (d->opened && !d->obj && d->path[0] == '/' && strncmp(d->path, "//anon", 6))
			warning("cannot read symbols of '%s': %s", d->path,
				d->open_err == -ENOEXEC ? "not a valid ELF file"
							: strerror(-d->open_err));
	}
	print_quality(&o, rd, &r);
	if (!r.samples)
		printf("#\n# no samples\n");
	else
		print_table(&o, lines, nlines, r.weight);
	for (size_t i = 0; i < nlines; i++)
		for (int k = 0; k < KEY_MAX; k++)
			free(lines[i].key[k]);
	free(lines);
	release_report(&r);
	data_reader_free(rd);
	return EXIT_OK;
}
