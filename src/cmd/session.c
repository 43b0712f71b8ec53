// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Reading a recording for report and script (see session.h).
 */
#include "cmd/session.h"
#include "analyse/profile.h"
#include "resolve/symbolize.h"
#include "cmd/common.h"
#include "resolve/kallsyms.h"
#include "resolve/maps.h"
#include "util/alloc.h"
#include "util/error.h"
#include "util/proc.h"
#include "util/progress.h"

#include <errno.h>
#include <pthread.h>
#include <inttypes.h>
#include <asm/perf_regs.h>
#include <linux/perf_event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct comm_event {
	uint32_t pid, tid;
	uint64_t time;
	char *name;
};

struct fork_link {
	uint32_t pid, ppid;
};

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
 * For files that do not name their kernel functions (older ones, or a
 * recorder that could not read /proc/kallsyms): kernel addresses move with
 * KASLR at every boot, so /proc/kallsyms names them only when reading on
 * the boot that recorded them.
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

static int cmp_comm(const void *a, const void *b)
{
	const struct comm_event *x = a, *y = b;

	if (x->tid != y->tid)
		return x->tid < y->tid ? -1 : 1;
	return x->time < y->time ? -1 : x->time > y->time;
}

static void add_comm(struct session *s, const struct rec_comm *c, const char *name)
{
	xgrow(&s->comms, &s->acomms, s->ncomms + 1, sizeof(*s->comms));
	s->comms[s->ncomms].pid = c->pid;
	s->comms[s->ncomms].tid = c->tid;
	s->comms[s->ncomms].time = c->time;
	s->comms[s->ncomms].name = xstrdup(name);
	s->ncomms++;
}

static void add_image(struct session *s, const struct rec_image *im, const char *name,
		      const uint8_t *bytes)
{
	/* the reader reuses its buffer: the maps keep a copy */
	uint8_t *copy = xmalloc(im->size ? im->size : 1);

	memcpy(copy, bytes, im->size);
	xgrow(&s->images, &s->aimages, s->nimages + 1, sizeof(*s->images));
	s->images[s->nimages++] = copy;
	maps_add_image(s->maps, name, im->build_id, im->build_id_len, copy, im->size);
}

/* The first pass: everything but samples. */
static int load(struct session *s, struct data_reader *rd, const char **detail)
{
	struct data_record rec;
	int ret;

	while ((ret = data_reader_next(rd, &rec, detail)) > 0) {
		const struct rec_header *h = rec.rec;
		const struct rec_mmap *mm;
		const struct rec_comm *cm;
		const struct rec_image *im;
		const struct rec_task *tk;
		const struct rec_ksym *ks;
		const struct rec_task_cpu *tc;
		const char *name;
		const uint8_t *bytes;

		switch (h->type) {
		case REC_MMAP:
			if (record_mmap(h, &mm, &name) == 0)
				maps_add_mmap(s->maps, mm, name);
			else
				s->bad_records++;
			break;
		case REC_COMM:
			if (record_comm(h, &cm, &name) == 0) {
				add_comm(s, cm, name);
				if (h->misc & 1)
					maps_add_exec(s->maps, cm->pid, cm->time);
			} else {
				s->bad_records++;
			}
			break;
		case REC_FORK:
			if (h->size < sizeof(*tk)) {
				s->bad_records++;
				break;
			}
			tk = (const struct rec_task *)h;
			maps_add_fork(s->maps, tk->pid, tk->ppid, tk->time);
			xgrow(&s->forks, &s->aforks, s->nforks + 1, sizeof(*s->forks));
			s->forks[s->nforks].pid = tk->tid;
			s->forks[s->nforks++].ppid = tk->ptid;
			break;
		case REC_IMAGE:
			if (record_image(h, &im, &name, &bytes) == 0)
				add_image(s, im, name, bytes);
			else
				s->bad_records++;
			break;
		case REC_KSYM:
			if (record_ksym(h, &ks, &name) == 0) {
				if (!s->kernel)
					s->kernel = kallsyms_new();
				kallsyms_add(s->kernel, ks->start, ks->end, name);
			} else {
				s->bad_records++;
			}
			break;
		case REC_TASK_CPU:
			if (record_task_cpu(h, &tc) == 0) {
				xgrow(&s->task_cpu, &s->atask_cpu, s->ntask_cpu + 1,
				      sizeof(*s->task_cpu));
				s->task_cpu[s->ntask_cpu].pid = tc->pid;
				s->task_cpu[s->ntask_cpu].tid = tc->tid;
				s->task_cpu[s->ntask_cpu++].cpu_ns = tc->cpu_ns;
			} else {
				s->bad_records++;
			}
			break;
		default:
			break;
		}
	}
	maps_finish(s->maps);
	if (s->kernel) {
		/* the recording named its kernel functions: /proc/kallsyms is not needed */
		kallsyms_finish(s->kernel);
		s->kernel_tried = true;
	}
	if (s->ncomms > 1)
		qsort(s->comms, s->ncomms, sizeof(*s->comms), cmp_comm);
	return ret;
}

/* Which of a sample's registers are ip, sp and bp, from the recorded mask. */
static void find_regs(struct session *s)
{
	uint64_t mask = 0;
	const int bits[3] = { PERF_REG_X86_IP, PERF_REG_X86_SP, PERF_REG_X86_BP };
	int *idx[3] = { &s->reg_ip, &s->reg_sp, &s->reg_bp };

	s->reg_ip = s->reg_sp = s->reg_bp = -1;
	if (!data_reader_meta_u64(s->rd, "regs-mask", &mask))
		return;
	for (int i = 0; i < 3; i++)
		if (mask & (1ull << bits[i]))
			*idx[i] = __builtin_popcountll(mask & ((1ull << bits[i]) - 1));
	s->dwarf = s->reg_ip >= 0 && s->reg_sp >= 0 && s->reg_bp >= 0;
}

static void *load_kernel(void *arg)
{
	struct session *s = arg;

	s->kernel = kernel_symbols(s->rd);
	return NULL;
}

/*
 * The kernel takes tens of milliseconds to print /proc/kallsyms: start
 * reading it while the samples are unwound, on the other CPU.
 */
static void start_kernel_load(struct session *s)
{
	const char *priv = data_reader_meta_str(s->rd, "privilege");

	if (priv && strstr(priv, "user space only"))
		return; /* no kernel frames were recorded */
	s->kernel_loading = pthread_create(&s->kernel_thread, NULL, load_kernel, s) == 0;
}

struct kallsyms *session_kernel(struct session *s)
{
	if (s->kernel_loading) {
		pthread_join(s->kernel_thread, NULL);
		s->kernel_loading = false;
		s->kernel_tried = true;
	}
	if (!s->kernel_tried) {
		s->kernel_tried = true;
		s->kernel = kernel_symbols(s->rd);
	}
	return s->kernel;
}

int session_open_meta(struct session *s, const char *path)
{
	const char *detail = NULL;
	int ret;

	memset(s, 0, sizeof(*s));
	s->path = path;
	ret = data_reader_open(path, &s->rd, &detail);
	if (ret < 0)
		return open_error(path, ret, detail);
	data_reader_meta_u64(s->rd, "start-ns", &s->start_ns);
	find_regs(s);
	return 0;
}

int session_open(struct session *s, const char *path)
{
	struct data_reader *rd;
	const char *detail = NULL;
	int ret;

	ret = session_open_meta(s, path);
	if (ret)
		return ret;
	/* a second reader for the first pass: s->rd stays at the start for the samples */
	ret = data_reader_open(path, &rd, &detail);
	if (ret < 0) {
		data_reader_free(s->rd);
		s->rd = NULL;
		return open_error(path, ret, detail);
	}
	s->maps = maps_new();
	s->unwinder = unwinder_new(s->maps);
	data_reader_skip_sample_frames(rd, true);
	if (load(s, rd, &detail) < 0)
		s->bad_records++; /* said again, with counts, by the second pass */
	data_reader_free(rd);
	if (!s->kernel_tried)
		start_kernel_load(s);
	return 0;
}


void session_close(struct session *s)
{
	if (s->kernel_loading)
		session_kernel(s);
	unwinder_free(s->unwinder);
	kallsyms_free(s->kernel);
	maps_free(s->maps);
	for (size_t i = 0; i < s->ncomms; i++)
		free(s->comms[i].name);
	free(s->comms);
	free(s->forks);
	free(s->task_cpu);
	for (size_t i = 0; i < s->nimages; i++)
		free(s->images[i]);
	free(s->images);
	data_reader_free(s->rd);
	memset(s, 0, sizeof(*s));
}

/* The name thread `who` had at `time`: its latest rename by then, else its first name. */
static const char *name_at(const struct session *s, uint32_t who, uint64_t time)
{
	size_t lo = 0, hi = s->ncomms, first;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (s->comms[mid].tid < who)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == s->ncomms || s->comms[lo].tid != who)
		return NULL;
	first = lo;
	while (lo + 1 < s->ncomms && s->comms[lo + 1].tid == who && s->comms[lo + 1].time <= time)
		lo++;
	return s->comms[s->comms[lo].time <= time ? lo : first].name;
}

const char *session_comm(const struct session *s, uint32_t pid, uint32_t tid, uint64_t time)
{
	const char *name;

	if (tid == 0)
		return "swapper"; /* the idle task, as perf names it */
	for (int depth = 0; depth < 32; depth++) {
		uint32_t parent = 0;

		if ((name = name_at(s, tid, time)) || (name = name_at(s, pid, time)))
			return name;
		for (size_t i = 0; i < s->nforks && !parent; i++)
			if (s->forks[i].pid == pid)
				parent = s->forks[i].ppid;
		if (!parent || parent == pid)
			break;
		tid = pid = parent;
	}
	return "?";
}

/*
 * The kernel's callchain: PERF_CONTEXT_KERNEL then kernel return
 * addresses, and with --call-graph fp PERF_CONTEXT_USER then user ones.
 * The first entry of each context is where the thread was, exactly; the
 * others are return addresses, named by the call before them.
 */
static void split_callchain(struct session *s, struct session_sample *smp)
{
	const struct rec_sample *r = smp->v->s;
	uint64_t ctx = 0;
	size_t nth = 0;

	for (uint16_t i = 0; i < r->ncallchain; i++) {
		uint64_t a = smp->v->callchain[i];

		if (a >= (uint64_t)PERF_CONTEXT_MAX) {
			ctx = a;
			nth = 0;
			continue;
		}
		if (ctx == (uint64_t)PERF_CONTEXT_KERNEL && smp->nkernel < SESSION_MAX_KERNEL)
			smp->kernel[smp->nkernel++] = callchain_call_site(a, nth++);
		else if (ctx == (uint64_t)PERF_CONTEXT_USER && !s->dwarf &&
			 smp->nuser < SESSION_MAX_USER)
			unwind_locate(s->unwinder, r->pid, r->time, callchain_call_site(a, nth++),
				      &smp->user[smp->nuser++]);
	}
}

static void prepare(struct session *s, struct session_sample *smp)
{
	const struct rec_sample *r = smp->v->s;

	smp->kernel_mode = (r->h.misc & SAMPLE_KERNEL) != 0;
	smp->nkernel = smp->nuser = 0;
	smp->unwound = false;
	split_callchain(s, smp);
	if (smp->kernel_mode && !smp->nkernel)
		smp->kernel[smp->nkernel++] = r->ip;
	if (s->dwarf && r->nregs > s->reg_ip && r->nregs > s->reg_sp && r->nregs > s->reg_bp &&
	    !(r->h.misc & SAMPLE_NO_USER_REGS)) {
		const uint64_t *regs = smp->v->regs;

		unwind_user(s->unwinder, r->pid, r->time, regs[s->reg_ip], regs[s->reg_sp],
			    regs[s->reg_bp], smp->v->stack, r->stack_size,
			    (r->h.misc & SAMPLE_STACK_FULL) != 0, smp->user, SESSION_MAX_USER,
			    &smp->res);
		smp->nuser = smp->res.nframes;
		smp->unwound = true;
	} else if (!smp->kernel_mode && !smp->nuser) {
		unwind_locate(s->unwinder, r->pid, r->time, r->ip, &smp->user[smp->nuser++]);
	}
}

int session_samples(struct session *s,
		    bool (*want)(const struct session *s, const struct rec_sample *r, void *arg),
		    int (*fn)(struct session *s, struct session_sample *smp, void *arg), void *arg)
{
	struct session_sample *smp = xcalloc(1, sizeof(*smp));
	struct data_record rec;
	struct sample_view sv;
	struct progress prog;
	const char *detail = NULL;
	uint64_t total = 0;
	int ret, fret = 0;

	data_reader_stat_u64(s->rd, "samples", &total);
	progress_start(&prog, "pmuprof: unwinding", s->quiet ? 0 : total);
	if (s->quiet)
		prog.enabled = false;
	while ((ret = data_reader_next(s->rd, &rec, &detail)) > 0) {
		if (rec.rec->type != REC_SAMPLE)
			continue;
		if (record_sample(rec.rec, &sv) < 0) {
			s->bad_records++;
			continue;
		}
		s->samples_seen++;
		progress_add(&prog, 1);
		if (want && !want(s, sv.s, arg))
			continue;
		smp->v = &sv;
		prepare(s, smp);
		fret = fn(s, smp, arg);
		if (fret)
			break;
	}
	progress_done(&prog);
	free(smp);
	if (fret)
		return fret;
	if (ret < 0)
		warning("'%s' is damaged after %" PRIu64 " samples (%s); showing what came before",
			s->path, s->samples_seen, detail ? detail : "corrupt data");
	else if (data_reader_truncated(s->rd))
		warning("'%s' is truncated (the recorder was killed, or the disk filled); showing "
			"the %" PRIu64 " samples of its complete frames",
			s->path, s->samples_seen);
	return 0;
}

void session_warn_objects(const struct session *s)
{
	for (size_t i = 0; i < maps_ndsos(s->maps); i++) {
		struct dso *d = maps_dso(s->maps, i);

		if (d->opened && d->changed)
			warning("'%s' has changed since the recording (its build-id differs): its "
				"symbols and stacks may be wrong",
				d->path);
		else if (d->opened && !d->obj && d->path[0] == '/' && strncmp(d->path, "//anon", 6))
			warning("cannot read symbols of '%s': %s", d->path,
				d->open_err == -ENOEXEC ? "not a valid ELF file"
							: strerror(-d->open_err));
	}
}

/* ---- filters -------------------------------------------------------------- */

void name_list_add(struct name_list *l, const char *arg)
{
	char *copy = xstrdup(arg), *tok, *save = NULL;

	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		l->v = realloc(l->v, (l->n + 1) * sizeof(*l->v));
		if (!l->v)
			die("out of memory");
		l->v[l->n++] = xstrdup(tok);
	}
	free(copy);
}

bool name_list_has(const struct name_list *l, const char *s)
{
	for (size_t i = 0; i < l->n; i++)
		if (!strcmp(l->v[i], s))
			return true;
	return false;
}

void name_list_release(struct name_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

void filter_note(struct sample_filter *f, const char *name, const char *arg)
{
	char *prev = f->text;

	f->text = xasprintf("%s%s--%s %s", prev ? prev : "", prev ? " " : "", name, arg);
	free(prev);
}

int filter_comm(struct sample_filter *f, const char *arg)
{
	name_list_add(&f->comms, arg);
	filter_note(f, "comm", arg);
	if (!f->comms.n) {
		error("--comm needs at least one command name");
		return -1;
	}
	return 0;
}

int filter_tid(struct sample_filter *f, const char *arg)
{
	size_t had = f->tids.n;

	name_list_add(&f->tids, arg);
	filter_note(f, "tid", arg);
	for (size_t i = had; i < f->tids.n; i++) {
		unsigned long v;

		if (parse_ulong(f->tids.v[i], 0, UINT32_MAX, &v) < 0) {
			error("--tid takes thread ids separated by commas, not '%s'", f->tids.v[i]);
			return -1;
		}
	}
	if (f->tids.n == had) {
		error("--tid needs at least one thread id");
		return -1;
	}
	return 0;
}

int filter_time(struct sample_filter *f, const char *arg)
{
	const char *comma = strchr(arg, ',');
	char *from;
	int bad = 0;

	filter_note(f, "time", arg);
	if (!comma) {
		error("--time takes START,END in seconds from the start of the recording "
		      "(either may be empty), not '%s'",
		      arg);
		return -1;
	}
	from = xstrndup(arg, (size_t)(comma - arg));
	f->time_from = 0;
	f->time_to = -1;
	if (*from && (parse_double(from, &f->time_from) < 0 || f->time_from < 0))
		bad = 1;
	if (comma[1] && (parse_double(comma + 1, &f->time_to) < 0 || f->time_to < 0))
		bad = 1;
	free(from);
	if (bad || (f->time_to >= 0 && f->time_to < f->time_from)) {
		error("--time takes START,END in seconds from the start of the recording, "
		      "START <= END, not '%s'",
		      arg);
		return -1;
	}
	f->time_set = true;
	return 0;
}

void filter_release(struct sample_filter *f)
{
	name_list_release(&f->comms);
	name_list_release(&f->tids);
	free(f->text);
	f->text = NULL;
}

bool filter_sample(const struct sample_filter *f, const struct session *s,
		   const struct rec_sample *r)
{
	if (f->tids.n) {
		char buf[16];

		snprintf(buf, sizeof(buf), "%" PRIu32, r->tid);
		if (!name_list_has(&f->tids, buf))
			return false;
	}
	if (f->time_set) {
		double t = r->time >= s->start_ns ? (double)(r->time - s->start_ns) / 1e9 : 0;

		if (t < f->time_from || (f->time_to >= 0 && t > f->time_to))
			return false;
	}
	return true;
}

bool filter_comm_ok(const struct sample_filter *f, const char *comm)
{
	return !f->comms.n || name_list_has(&f->comms, comm);
}

/* ---- the whole recording as a profile ------------------------------------ */

const char *session_weight_unit(const struct session *s)
{
	const char *event = data_reader_meta_str(s->rd, "event");

	/* the timer samplers weigh their samples in nanoseconds of CPU time too */
	if (event && (strstr(event, "cpu-clock") || strstr(event, "task-clock") ||
		      !strcmp(event, "itimer") || !strcmp(event, "ctimer")))
		return "nanoseconds";
	return "events";
}

const char *session_title(const struct session *s)
{
	const char *cmdline = data_reader_meta_str(s->rd, "cmdline"), *dash;

	if (!cmdline)
		return NULL;
	dash = strstr(cmdline, " -- ");
	return dash ? dash + 4 : cmdline;
}

static int add_to_profile(struct session *s, struct session_sample *smp, void *arg)
{
	const struct rec_sample *r = smp->v->s;

	profile_builder_add(arg, r->pid, r->tid, session_comm(s, r->pid, r->tid, r->time),
			    smp->kernel, smp->nkernel, smp->user, smp->nuser,
			    smp->unwound ? &smp->res : NULL, r->weight, r->time);
	return 0;
}

int session_profile(struct session *s, const char *path, unsigned sym_flags, struct profile **p,
		    struct symbolizer **sym)
{
	struct profile_builder *b;
	int ret = session_open(s, path);

	if (ret)
		return ret;
	b = profile_builder_new();
	session_samples(s, NULL, add_to_profile, b);
	*sym = symbolizer_new(profile_builder_has_kernel(b) ? session_kernel(s) : NULL, sym_flags);
	*p = profile_builder_finish(b, *sym, data_reader_meta_str(s->rd, "event"),
				    session_weight_unit(s), session_title(s));
	data_reader_meta_u64(s->rd, "start-realtime-ns", &(*p)->realtime_start);
	profile_builder_free(b);
	return 0;
}
