// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Reading a recording (see session.h).
 */
#include "resolve/session.h"
#include "resolve/elf.h"
#include "resolve/jit.h"
#include "resolve/kallsyms.h"
#include "resolve/maps.h"
#include "util/alloc.h"
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
#include <time.h>

struct comm_event {
	uint32_t pid, tid;
	uint64_t time;
	char *name;
};

/* Sorted by pid, then file order, after loading: session_comm() takes a pid's first. */
struct fork_link {
	uint32_t pid, ppid;
	uint32_t tgid; /* the created thread's process */
	size_t order;
};

/*
 * For files that do not name their kernel functions (older ones, or a
 * recorder that could not read /proc/kallsyms): kernel addresses move with
 * KASLR at every boot, so /proc/kallsyms names them only when reading on
 * the boot that recorded them.
 */
static struct kallsyms *kernel_symbols(const struct data_reader *rd, const atomic_bool *stop)
{
	const char *recorded = data_reader_meta_str(rd, "boot-id");
	struct kallsyms *k = NULL;
	uint64_t text = 0, start = 0;
	char now[64];

	/*
	 * perf.data names no boot, but where the kernel's text was: the same
	 * address here (a symbol starts there) is the same layout.
	 */
	if (!recorded && data_reader_meta_u64(rd, "kernel-text", &text) && text) {
		if (kallsyms_new_from_proc(&k, stop) < 0)
			return NULL;
		if (!kallsyms_find_start(k, text, &start) || start != text) {
			kallsyms_free(k);
			return NULL;
		}
		return k;
	}
	if (!recorded || !proc_read_line("/proc/sys/kernel/random/boot_id", now, sizeof(now)))
		return NULL;
	if (strcmp(now, recorded) || kallsyms_new_from_proc(&k, stop) < 0)
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

static int cmp_fork(const void *a, const void *b)
{
	const struct fork_link *x = a, *y = b;

	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	return x->order < y->order ? -1 : x->order > y->order;
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
	s->vdso_image |= !strcmp(name, "[vdso]");
}

/* Reads a small file whole: its bytes (to free), or NULL. */
static uint8_t *read_small(const char *path, size_t max, size_t *size)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;

	if (!f)
		return NULL;
	buf = xmalloc(max);
	*size = fread(buf, 1, max, f);
	if (ferror(f) || !*size || *size == max) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	return buf;
}

/*
 * perf.data holds no vDSO image: this system's, when its build-id is the
 * recorded one, else the copy in perf's build-id cache
 * ($PERF_BUILDID_DIR or ~/.debug, [vdso]/BUILD-ID/vdso), as perf report
 * finds it.
 */
static void find_vdso(struct session *s)
{
	uint8_t bid[BUILD_ID_MAX], *copy = NULL;
	const void *own;
	size_t size = 0, blen = 0;

	if (s->vdso_image || !s->vdso_bid_len)
		return;
	if (elf_own_vdso(&own, &size, bid, sizeof(bid), &blen) && blen == s->vdso_bid_len &&
	    !memcmp(bid, s->vdso_bid, blen)) {
		copy = xmalloc(size);
		memcpy(copy, own, size);
	} else {
		const char *dir = getenv("PERF_BUILDID_DIR"), *home = getenv("HOME");
		char path[4096], hex[2 * BUILD_ID_MAX + 1];

		for (size_t i = 0; i < s->vdso_bid_len; i++)
			snprintf(hex + 2 * i, 3, "%02x", s->vdso_bid[i]);
		if (dir && *dir)
			snprintf(path, sizeof(path), "%s/[vdso]/%s/vdso", dir, hex);
		else
			snprintf(path, sizeof(path), "%s/.debug/[vdso]/%s/vdso", home ? home : "", hex);
		copy = read_small(path, 1u << 20, &size);
	}
	if (!copy)
		return;
	xgrow(&s->images, &s->aimages, s->nimages + 1, sizeof(*s->images));
	s->images[s->nimages++] = copy;
	maps_add_image(s->maps, "[vdso]", s->vdso_bid, s->vdso_bid_len, copy, size);
	s->vdso_image = true;
}

/* ---- JIT code names ---------------------------------------------------- */

/* A perf map or jitdump of one process: its bytes as stored, or the path to read. */
struct session_jit_file {
	uint32_t pid;
	uint16_t kind; /* IMAGE_PERF_MAP or IMAGE_JITDUMP */
	uint8_t *bytes; /* stored in the recording; NULL: read path */
	size_t size;
	char *path;
};

static void add_jit_file(struct session *s, uint16_t kind, uint32_t pid, const char *path,
			 const uint8_t *bytes, size_t size)
{
	struct session_jit_file *f;

	/* a jitdump's marker is mapped once per process, and recorded again after a fork */
	for (size_t i = 0; !bytes && i < s->njit_files; i++)
		if (s->jit_files[i].pid == pid && !strcmp(s->jit_files[i].path, path))
			return;
	xgrow(&s->jit_files, &s->ajit_files, s->njit_files + 1, sizeof(*s->jit_files));
	f = &s->jit_files[s->njit_files++];
	f->pid = pid;
	f->kind = kind;
	f->path = xstrdup(path);
	f->bytes = NULL;
	f->size = size;
	if (bytes) {
		f->bytes = xmalloc(size ? size : 1);
		memcpy(f->bytes, bytes, size);
	}
}

/*
 * The names of one file into j (created on first use): true when it gave
 * any. A stored copy is taken from the file on disk instead when that is
 * the same file grown since: it begins with the copy's bytes (a process
 * that still ran when recording ended, whose runtime had not yet written,
 * or flushed, all of its names).
 */
static bool load_jit_file(struct session *s, struct jit_syms **j, uint16_t kind, const char *path,
			  const uint8_t *bytes, size_t size)
{
	uint8_t *buf = NULL;
	size_t added = 0, len;
	bool cut;

	if (jit_file_read(path, &buf, &len, &cut) == 0 &&
	    (!bytes || (len > size && !memcmp(buf, bytes, size)))) {
		bytes = buf;
		size = len;
	} else if (!bytes) {
		free(buf);
		return false;
	} else {
		free(buf);
		buf = NULL;
	}
	if (!*j)
		*j = jit_syms_new();
	if (kind == IMAGE_PERF_MAP) {
		added = jit_syms_add_perf_map(*j, (const char *)bytes, size);
	} else {
		long n = jit_syms_add_jitdump(*j, bytes, size);

		added = n > 0 ? (size_t)n : 0;
		s->jit_skipped += n < 0;
	}
	free(buf);
	return added > 0;
}

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

/*
 * Every process's JIT names: from the copies the recording holds, else
 * (a recording made before record stored them, or by another recorder)
 * from /tmp/perf-PID.map and the jitdumps the recorded mappings name, if
 * they are still there. A recording whose recorder looked for them
 * ("jit-files" in its statistics) is not completed from the disk: a file
 * there now may be of another process that got the same pid since.
 */
static void load_jit(struct session *s)
{
	uint64_t stored = 0;
	bool looked = data_reader_stat_u64(s->rd, "jit-files", &stored);

	for (size_t i = 0; i < maps_npids(s->maps); i++) {
		uint32_t pid = maps_pid(s->maps, i);
		struct jit_syms *j = NULL;
		bool have_map = false;
		char name[64] = "", path[64];

		for (size_t k = 0; k < s->njit_files; k++) {
			const struct session_jit_file *f = &s->jit_files[k];

			if (f->pid != pid || (!f->bytes && looked))
				continue;
			have_map |= f->kind == IMAGE_PERF_MAP;
			if (load_jit_file(s, &j, f->kind, f->path, f->bytes, f->size) &&
			    (f->kind == IMAGE_JITDUMP || !name[0]))
				snprintf(name, sizeof(name), "%s", base_name(f->path));
		}
		jit_perf_map_path(path, sizeof(path), pid);
		if (!have_map && !looked && load_jit_file(s, &j, IMAGE_PERF_MAP, path, NULL, 0) &&
		    !name[0])
			snprintf(name, sizeof(name), "%s", base_name(path));
		if (j)
			s->jit_skipped += jit_syms_skipped(j);
		if (!j || !jit_syms_count(j)) {
			jit_syms_free(j);
			continue;
		}
		jit_syms_finish(j);
		s->jit_objects++;
		s->jit_names += jit_syms_count(j);
		maps_add_jit(s->maps, pid, name[0] ? name : base_name(path), j);
	}
	for (size_t k = 0; k < s->njit_files; k++) {
		free(s->jit_files[k].bytes);
		free(s->jit_files[k].path);
	}
	free(s->jit_files);
	s->jit_files = NULL;
	s->njit_files = s->ajit_files = 0;
}

static void add_signal(struct session *s, const struct rec_signal *r)
{
	struct session_signal *g;

	xgrow(&s->signals, &s->asignals, s->nsignals + 1, sizeof(*s->signals));
	g = &s->signals[s->nsignals++];
	g->time = r->time;
	g->deliver = (r->h.misc & SIGNAL_KIND_MASK) == SIGNAL_DELIVER;
	g->group = !g->deliver && (r->h.misc & SIGNAL_GROUP);
	g->sig = r->sig;
	g->code = r->code;
	g->result = r->result;
	g->cpu = r->cpu;
	g->from_pid = g->deliver ? 0 : r->from_pid;
	g->from_tid = g->deliver ? 0 : r->from_tid;
	g->to_pid = r->to_pid;
	g->to_tid = r->to_tid;
}

static void add_wakeup(struct session *s, const struct rec_wakeup *r)
{
	struct session_wakeup *w;

	xgrow(&s->wakeups, &s->awakeups, s->nwakeups + 1, sizeof(*s->wakeups));
	w = &s->wakeups[s->nwakeups++];
	w->time = r->time;
	w->new_thread = r->h.misc & WAKEUP_NEW;
	w->cpu = r->cpu;
	w->target_cpu = r->target_cpu;
	w->pid = r->pid;
	w->tid = r->tid;
	w->woken_pid = r->woken_pid;
	w->woken_tid = r->woken_tid;
}

static int cmp_signal(const void *a, const void *b)
{
	const struct session_signal *x = a, *y = b;

	return x->time < y->time ? -1 : x->time > y->time;
}

static int cmp_wakeup(const void *a, const void *b)
{
	const struct session_wakeup *x = a, *y = b;

	return x->time < y->time ? -1 : x->time > y->time;
}

/* A thread's process, from its names or its creation; 0 when neither is recorded. */
static uint32_t pid_of(const struct session *s, uint32_t tid)
{
	size_t lo = 0, hi = s->ncomms;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (s->comms[mid].tid < tid)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < s->ncomms && s->comms[lo].tid == tid)
		return s->comms[lo].pid;
	lo = 0;
	hi = s->nforks;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (s->forks[mid].pid < tid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < s->nforks && s->forks[lo].pid == tid ? s->forks[lo].tgid : 0;
}

/* In time order (records of different CPUs interleave), and pids the recorder did not know. */
static void fill_event_pids(struct session *s)
{
	/* qsort is not stable: equal times keep no order, and none is promised */
	if (s->nsignals > 1)
		qsort(s->signals, s->nsignals, sizeof(*s->signals), cmp_signal);
	if (s->nwakeups > 1)
		qsort(s->wakeups, s->nwakeups, sizeof(*s->wakeups), cmp_wakeup);
	for (size_t i = 0; i < s->nsignals; i++) {
		struct session_signal *g = &s->signals[i];

		if (!g->to_pid && g->to_tid)
			g->to_pid = pid_of(s, g->to_tid);
	}
	for (size_t i = 0; i < s->nwakeups; i++) {
		struct session_wakeup *w = &s->wakeups[i];

		if (!w->woken_pid && w->woken_tid)
			w->woken_pid = pid_of(s, w->woken_tid);
	}
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
		const struct rec_signal *sg;
		const struct rec_wakeup *wk;
		const char *name;
		const uint8_t *bytes;

		switch (h->type) {
		case REC_MMAP:
			if (record_mmap(h, &mm, &name) == 0) {
				uint32_t dump_pid;

				maps_add_mmap(s->maps, mm, name);
				if (mm->build_id_len && !strcmp(name, "[vdso]")) {
					memcpy(s->vdso_bid, mm->build_id, mm->build_id_len);
					s->vdso_bid_len = mm->build_id_len;
				}
				/* a jitdump's marker: where it is, if the recording holds none */
				if (jit_dump_name(name, &dump_pid))
					add_jit_file(s, IMAGE_JITDUMP, mm->pid, name, NULL, 0);
			} else {
				s->bad_records++;
			}
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
			if (!tk->ptid)
				break; /* created by the kernel (pid 0): no name to inherit */
			xgrow(&s->forks, &s->aforks, s->nforks + 1, sizeof(*s->forks));
			s->forks[s->nforks].pid = tk->tid;
			s->forks[s->nforks].ppid = tk->ptid;
			s->forks[s->nforks].tgid = tk->pid;
			s->forks[s->nforks].order = s->nforks;
			s->nforks++;
			break;
		case REC_IMAGE:
			if (record_image(h, &im, &name, &bytes) < 0)
				s->bad_records++;
			else if (h->misc == IMAGE_OBJECT)
				add_image(s, im, name, bytes);
			else if (h->misc == IMAGE_PERF_MAP || h->misc == IMAGE_JITDUMP)
				add_jit_file(s, h->misc, im->pid, name, bytes, im->size);
			/* other kinds are for newer readers */
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
		case REC_SIGNAL:
			if (record_signal(h, &sg) == 0)
				add_signal(s, sg);
			else
				s->bad_records++;
			break;
		case REC_WAKEUP:
			if (record_wakeup(h, &wk) == 0)
				add_wakeup(s, wk);
			else
				s->bad_records++;
			break;
		default:
			break;
		}
	}
	load_jit(s);
	maps_finish(s->maps);
	if (s->kernel) {
		/* the recording named its kernel functions: /proc/kallsyms is not needed */
		kallsyms_finish(s->kernel);
		s->kernel_tried = true;
	}
	if (s->ncomms > 1)
		qsort(s->comms, s->ncomms, sizeof(*s->comms), cmp_comm);
	if (s->nforks > 1)
		qsort(s->forks, s->nforks, sizeof(*s->forks), cmp_fork);
	fill_event_pids(s);
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

/* The kernel's limit on callchain entries when recording (kernel.perf_event_max_stack). */
static void find_max_stack(struct session *s)
{
	uint64_t v = 0;

	s->fp_max_stack = SESSION_FP_MAX_STACK;
	if (data_reader_meta_u64(s->rd, "max-stack", &v) && v && v <= UINT16_MAX)
		s->fp_max_stack = (uint32_t)v;
}

static void *load_kernel(void *arg)
{
	struct session *s = arg;

	s->kernel = kernel_symbols(s->rd, &s->kernel_stop);
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
		s->kernel = kernel_symbols(s->rd, NULL);
	}
	return s->kernel;
}

int session_open_meta(struct session *s, const char *path, const char **detail)
{
	int ret;

	memset(s, 0, sizeof(*s));
	s->path = path;
	*detail = NULL;
	ret = data_reader_open(path, &s->rd, detail);
	if (ret < 0)
		return ret;
	data_reader_meta_u64(s->rd, "start-ns", &s->start_ns);
	find_regs(s);
	find_max_stack(s);
	return 0;
}

int session_open(struct session *s, const char *path, const char **detail)
{
	struct data_reader *rd;
	const char *ignored = NULL;
	int ret;

	ret = session_open_meta(s, path, detail);
	if (ret)
		return ret;
	/* a second reader for the first pass: s->rd stays at the start for the samples */
	ret = data_reader_open(path, &rd, detail);
	if (ret < 0) {
		data_reader_close(s->rd);
		s->rd = NULL;
		return ret;
	}
	s->maps = maps_new();
	s->unwinder = unwinder_new(s->maps);
	data_reader_skip_samples(rd, true);
	if (load(s, rd, &ignored) < 0)
		s->bad_records++; /* found again, with counts, by the second pass */
	data_reader_close(rd);
	find_vdso(s);
	if (!s->kernel_tried)
		start_kernel_load(s);
	return 0;
}

void session_close(struct session *s)
{
	/* never asked for: the kernel need not finish printing them */
	if (s->kernel_loading) {
		atomic_store(&s->kernel_stop, true);
		session_kernel(s);
	}
	unwinder_free(s->unwinder);
	kallsyms_free(s->kernel);
	maps_free(s->maps);
	for (size_t i = 0; i < s->ncomms; i++)
		free(s->comms[i].name);
	free(s->comms);
	free(s->forks);
	free(s->task_cpu);
	free(s->signals);
	free(s->wakeups);
	for (size_t i = 0; i < s->nimages; i++)
		free(s->images[i]);
	free(s->images);
	data_reader_close(s->rd);
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

/* The thread that created `who` (its first creation in the file), or 0. */
static uint32_t creator(const struct session *s, uint32_t who)
{
	size_t lo = 0, hi = s->nforks;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (s->forks[mid].pid < who)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < s->nforks && s->forks[lo].pid == who ? s->forks[lo].ppid : 0;
}

const char *session_comm(const struct session *s, uint32_t pid, uint32_t tid, uint64_t time)
{
	const char *name;

	if (tid == 0)
		return "swapper"; /* the idle task, as perf names it */
	for (int depth = 0; depth < 32; depth++) {
		uint32_t parent;

		if ((name = name_at(s, tid, time)) || (name = name_at(s, pid, time)))
			return name;
		parent = creator(s, pid);
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
static void split_callchain(struct session *s, struct unwinder *u, struct session_sample *smp,
			    size_t *entries, bool *user)
{
	const struct rec_sample *r = smp->v->s;
	uint64_t ctx = 0;
	size_t nth = 0;

	*entries = 0;
	*user = false;
	for (uint16_t i = 0; i < r->ncallchain; i++) {
		uint64_t a = smp->v->callchain[i];

		if (a >= (uint64_t)PERF_CONTEXT_MAX) {
			ctx = a;
			nth = 0;
			*user |= ctx == (uint64_t)PERF_CONTEXT_USER;
			continue;
		}
		++*entries; /* the kernel's limit counts these, not the context markers */
		if (ctx == (uint64_t)PERF_CONTEXT_KERNEL && smp->nkernel < SESSION_MAX_KERNEL)
			smp->kernel[smp->nkernel++] = callchain_call_site(a, nth++);
		else if (ctx == (uint64_t)PERF_CONTEXT_USER && !s->dwarf &&
			 smp->nuser < SESSION_MAX_USER)
			unwind_locate(u, r->pid, r->time, callchain_call_site(a, nth++),
				      &smp->user[smp->nuser++]);
	}
}

static void prepare(struct session *s, struct unwinder *u, struct session_sample *smp)
{
	const struct rec_sample *r = smp->v->s;
	size_t entries;
	bool user;

	smp->kernel_mode = (r->h.misc & SAMPLE_KERNEL) != 0;
	smp->kind = sample_kind(r->h.misc);
	smp->source = sample_off_cpu(r->h.misc) ? r->h.misc & SAMPLE_SOURCE_MASK : 0;
	smp->nkernel = smp->nuser = 0;
	smp->unwound = false;
	/* an off-CPU interval without a stack is its duration alone: no ip to name */
	if (smp->source == SAMPLE_SOURCE_NONE && sample_off_cpu(r->h.misc))
		return;
	split_callchain(s, u, smp, &entries, &user);
	if (user && !s->dwarf) {
		unwind_judge_fp(smp->user, smp->nuser, entries >= s->fp_max_stack, &smp->res);
		smp->unwound = true;
	}
	if (smp->kernel_mode && !smp->nkernel)
		smp->kernel[smp->nkernel++] = r->ip;
	if (s->dwarf && r->nregs > s->reg_ip && r->nregs > s->reg_sp && r->nregs > s->reg_bp &&
	    !(r->h.misc & SAMPLE_NO_USER_REGS)) {
		const uint64_t *regs = smp->v->regs;
		/* a stack read from outside while the thread waited has no rbp */
		bool bp_known = !sample_off_cpu(r->h.misc) ||
				(r->h.misc & SAMPLE_SOURCE_MASK) != SAMPLE_SOURCE_REMOTE;

		unwind_user(u, r->pid, r->time, regs[s->reg_ip], regs[s->reg_sp],
			    regs[s->reg_bp], bp_known, smp->v->stack, r->stack_size,
			    (r->h.misc & SAMPLE_STACK_FULL) != 0, smp->user, SESSION_MAX_USER,
			    &smp->res);
		smp->nuser = smp->res.nframes;
		smp->unwound = true;
	} else if (!smp->kernel_mode && !smp->nuser) {
		unwind_locate(u, r->pid, r->time, r->ip, &smp->user[smp->nuser++]);
	}
}

/* What a pass counts; each thread of session_samples_jobs() has its own, added up after. */
struct pass_counts {
	uint64_t samples, off_cpu, bad;
};

/*
 * One record of the pass: 1 when it is a sample that passes f, ready in
 * smp (unwound with u), else 0.
 */
static int take_record(struct session *s, struct unwinder *u, const struct sample_filter *f,
		       const struct rec_header *h, struct sample_view *sv,
		       struct session_sample *smp, struct pass_counts *c)
{
	const struct rec_sample *r;

	if (h->type != REC_SAMPLE)
		return 0;
	if (record_sample(h, sv) < 0) {
		c->bad++;
		return 0;
	}
	c->samples++;
	c->off_cpu += sample_off_cpu(sv->s->h.misc);
	r = sv->s;
	if (f && !sample_filter_thread(f, s->start_ns, r))
		return 0;
	smp->comm = session_comm(s, r->pid, r->tid, r->time);
	if (f && !sample_filter_comm_ok(f, smp->comm))
		return 0;
	smp->v = sv;
	prepare(s, u, smp);
	return 1;
}

int session_samples(struct session *s, const struct sample_filter *f,
		    int (*fn)(struct session *s, struct session_sample *smp, void *arg), void *arg)
{
	struct session_sample *smp = xcalloc(1, sizeof(*smp));
	struct data_record rec;
	struct sample_view sv;
	const char *detail = NULL;
	int ret, fret = 0;
	uint64_t order = 0;

	while ((ret = data_reader_next(s->rd, &rec, &detail)) > 0) {
		struct pass_counts c = { 0 };
		int take = take_record(s, s->unwinder, f, rec.rec, &sv, smp, &c);

		s->samples_seen += c.samples;
		s->off_cpu_seen += c.off_cpu;
		s->bad_records += c.bad;
		if (c.samples && s->progress)
			progress_add(s->progress, 1);
		if (!take)
			continue;
		smp->order = order++;
		fret = fn(s, smp, arg);
		if (fret)
			break;
	}
	free(smp);
	if (fret)
		return fret;
	if (ret < 0) {
		s->damaged = true;
		s->damage = detail ? detail : "corrupt data";
	}
	return 0;
}

/* ---- on several threads -------------------------------------------------- */

struct jobs {
	struct session *s;
	const struct sample_filter *f;
	int (*fn)(struct session *s, struct session_sample *smp, void *arg);
	void *const *args;
	pthread_mutex_t lock; /* over s->rd and what follows */
	pthread_cond_t done;  /* a worker finished */
	unsigned running;
	bool stop;
	bool redo;	      /* a frame did not decode: the answer is file order's */
	int fret;	      /* the first nonzero return of fn */
	int damage_ret;	      /* a damaged frame header ended the frames */
	const char *damage;
	struct pass_counts counts;
};

struct worker {
	struct jobs *j;
	void *arg;
	pthread_t thread;
	bool started;
};

/* Takes the next frame, or false at the end (or when the pass stops). */
static bool next_frame(struct jobs *j, struct data_frame *fr)
{
	const char *detail = NULL;
	int ret;
	bool got = false;

	pthread_mutex_lock(&j->lock);
	if (!j->stop) {
		ret = data_reader_take_frame(j->s->rd, fr, &detail);
		got = ret > 0;
		if (ret < 0) {
			j->damage_ret = ret;
			j->damage = detail;
		}
		if (!got)
			j->stop = true;
	}
	pthread_mutex_unlock(&j->lock);
	return got;
}

static void *work(void *arg)
{
	struct worker *w = arg;
	struct jobs *j = w->j;
	struct session *s = j->s;
	struct unwinder *u = unwinder_new(s->maps); /* its own rule cache */
	struct data_decoder *dec = data_decoder_new();
	struct session_sample *smp = xcalloc(1, sizeof(*smp));
	struct data_frame fr = { 0 };
	struct pass_counts c = { 0 };
	bool redo = false;
	int fret = 0;

	while (!fret && !redo && next_frame(j, &fr)) {
		struct data_record rec;
		struct sample_view sv;
		const char *detail;
		uint64_t before = c.samples;
		uint32_t nth = 0;
		int ret;

		if (data_decoder_load(dec, &fr, &detail) < 0) {
			redo = true;
			break;
		}
		while ((ret = data_decoder_next(dec, &rec, &detail)) > 0) {
			if (!take_record(s, u, j->f, rec.rec, &sv, smp, &c))
				continue;
			/* file order: the frame's number, then the sample's place in it */
			smp->order = (uint64_t)fr.index << 32 | nth++;
			fret = j->fn(s, smp, w->arg);
			if (fret)
				break;
		}
		redo |= ret < 0;
		if (s->progress)
			progress_add_shared(s->progress, c.samples - before);
	}
	data_frame_release(&fr);
	free(smp);
	data_decoder_free(dec);
	unwinder_free(u);
	pthread_mutex_lock(&j->lock);
	j->counts.samples += c.samples;
	j->counts.off_cpu += c.off_cpu;
	j->counts.bad += c.bad;
	if (fret && !j->fret)
		j->fret = fret;
	if (fret || redo)
		j->stop = true;
	j->redo |= redo;
	j->running--;
	pthread_cond_signal(&j->done);
	pthread_mutex_unlock(&j->lock);
	return NULL;
}

/* Waits for the workers, redrawing the progress bar meanwhile. */
static void wait_workers(struct jobs *j)
{
	pthread_mutex_lock(&j->lock);
	while (j->running) {
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += 100000000;
		if (ts.tv_nsec >= 1000000000) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000;
		}
		pthread_cond_timedwait(&j->done, &j->lock, &ts);
		if (j->s->progress)
			progress_update_slow(j->s->progress);
	}
	pthread_mutex_unlock(&j->lock);
}

int session_samples_jobs(struct session *s, const struct sample_filter *f, unsigned jobs,
			 int (*fn)(struct session *s, struct session_sample *smp, void *arg),
			 void *const *args)
{
	struct jobs j = { .s = s, .f = f, .fn = fn, .args = args };
	struct worker *w;
	unsigned started = 0;

	if (jobs <= 1)
		return session_samples(s, f, fn, args[0]);
	w = xcalloc(jobs, sizeof(*w));
	pthread_mutex_init(&j.lock, NULL);
	pthread_cond_init(&j.done, NULL);
	pthread_mutex_lock(&j.lock);
	for (unsigned i = 0; i < jobs; i++) {
		w[i].j = &j;
		w[i].arg = args[i];
		w[i].started = pthread_create(&w[i].thread, NULL, work, &w[i]) == 0;
		started += w[i].started;
		j.running += w[i].started;
	}
	pthread_mutex_unlock(&j.lock);
	if (started)
		wait_workers(&j);
	for (unsigned i = 0; i < jobs; i++)
		if (w[i].started)
			pthread_join(w[i].thread, NULL);
	free(w);
	pthread_cond_destroy(&j.done);
	pthread_mutex_destroy(&j.lock);
	if (!started)
		return session_samples(s, f, fn, args[0]);
	if (j.redo) {
		/* what came before the frame is file order's to say: read again, in order */
		data_reader_rewind(s->rd);
		return -EAGAIN;
	}
	s->samples_seen += j.counts.samples;
	s->off_cpu_seen += j.counts.off_cpu;
	s->bad_records += j.counts.bad;
	if (j.fret)
		return j.fret;
	if (j.damage_ret < 0) {
		s->damaged = true;
		s->damage = j.damage ? j.damage : "corrupt data";
	}
	return 0;
}

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

const char *session_events_missing(const struct session *s)
{
	const char *v = data_reader_meta_str(s->rd, "off-cpu-events");

	if (!v)
		return s->nsignals || s->nwakeups
			       ? NULL
			       : "the recording has no signals or wakeups: record --off-cpu "
				 "records them where permitted";
	if (!strncmp(v, "none: ", 6))
		return v + 6;
	return NULL;
}
