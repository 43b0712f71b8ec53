// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unwinding without rbp, as for a stack read from outside while its thread
 * waited: this file is built keeping frame pointers, so its functions'
 * CFI computes their frames from rbp. Leaves written in assembly with
 * sp-based CFI (one leaves rbp alone, one saves it and uses it for
 * something else) sit under them; a capture there is unwound with bp
 * unknown and compared with the same capture unwound with it. Then a
 * forked copy of this program, blocked in nanosleep, is read with
 * remotestack_read and unwound to main. Last, the reading stage: a
 * recording's off-CPU sample whose stack was read from outside (bp 0) is
 * unwound with bp unknown, a CPU sample with bp 0 as before.
 */
#include "util/compiler.h"
#include "collect/remotestack.h"
#include "collect/sampler.h"
#include "collect/synth.h"
#include "resolve/maps.h"
#include "resolve/session.h"
#include "resolve/symbolize.h"
#include "resolve/unwind.h"
#include "store/datafile.h"
#include "tap.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define COPY_MAX 16384

#if defined(__clang__)
#define KEEP __attribute__((noinline))
#else
#define KEEP __attribute__((noipa))
#endif

struct capture {
	uint64_t ip, sp, bp;
	uint8_t stack[COPY_MAX];
	size_t size;
};

static struct capture cap;
static uint64_t stack_top;

void uwbp_leaf_sp(void);
void uwbp_leaf_bp(void);
void uwbp_record(uint64_t sp, uint64_t ip, uint64_t bp);

/*
 * Two leaves with a frame of 48 bytes computed from rsp. Each hands its own
 * rsp, an address of its own past the prologue and rbp to uwbp_record, as
 * a sample taken there would have them. uwbp_leaf_bp saves the caller's
 * rbp (the CFI says where) and then uses rbp for a number.
 */
__asm__(".text\n"
	".globl uwbp_leaf_sp\n"
	".type uwbp_leaf_sp, @function\n"
	"uwbp_leaf_sp:\n"
	".cfi_startproc\n"
	"sub $40, %rsp\n"
	".cfi_adjust_cfa_offset 40\n"
	"uwbp_leaf_sp_at:\n"
	"mov %rsp, %rdi\n"
	"lea uwbp_leaf_sp_at(%rip), %rsi\n"
	"mov %rbp, %rdx\n"
	"call uwbp_record\n"
	"add $40, %rsp\n"
	".cfi_adjust_cfa_offset -40\n"
	"ret\n"
	".cfi_endproc\n"
	".size uwbp_leaf_sp, .-uwbp_leaf_sp\n"
	".globl uwbp_leaf_bp\n"
	".type uwbp_leaf_bp, @function\n"
	"uwbp_leaf_bp:\n"
	".cfi_startproc\n"
	"push %rbp\n"
	".cfi_adjust_cfa_offset 8\n"
	".cfi_rel_offset %rbp, 0\n"
	"mov $12345, %ebp\n"
	"sub $32, %rsp\n"
	".cfi_adjust_cfa_offset 32\n"
	"uwbp_leaf_bp_at:\n"
	"mov %rsp, %rdi\n"
	"lea uwbp_leaf_bp_at(%rip), %rsi\n"
	"mov %rbp, %rdx\n"
	"call uwbp_record\n"
	"add $32, %rsp\n"
	".cfi_adjust_cfa_offset -32\n"
	"pop %rbp\n"
	".cfi_adjust_cfa_offset -8\n"
	".cfi_restore %rbp\n"
	"ret\n"
	".cfi_endproc\n"
	".size uwbp_leaf_bp, .-uwbp_leaf_bp\n");

/* The "sample": the leaf's registers, and its stack copied as the kernel would. */
__attribute__((no_sanitize("address"), noinline)) void uwbp_record(uint64_t sp, uint64_t ip,
								   uint64_t bp)
{
	const volatile uint8_t *src = (const volatile uint8_t *)(uintptr_t)sp;
	size_t n = stack_top > sp ? stack_top - sp : 0;

	if (n > COPY_MAX)
		n = COPY_MAX;
	for (size_t i = 0; i < n; i++)
		cap.stack[i] = src[i];
	cap.size = n;
	cap.ip = ip;
	cap.sp = sp;
	cap.bp = bp;
}

/* What a search for frame records would wrongly take, if it were made here. */
KEEP static void decoy_target(void)
{
	__asm__ volatile("" ::: "memory");
}

enum { LEAF_SP, LEAF_BP, LEAF_BP_DECOY, LEAF_SP_DECOY };

/*
 * Keeps a frame pointer. With a decoy, the lowest thing in its frame that
 * looks like a frame record is a fake one, below its real record: a return
 * address into decoy_target and a saved rbp of 0. (No ASan fake stack: the
 * array must be on the real stack.)
 */
__attribute__((no_sanitize("address"))) KEEP static int caller(int how)
{
	volatile uint64_t decoy[2];

	decoy[0] = 0;
	decoy[1] = how >= LEAF_BP_DECOY ? (uint64_t)(uintptr_t)decoy_target + 1 : 0;
	if (how == LEAF_SP || how == LEAF_SP_DECOY)
		uwbp_leaf_sp();
	else
		uwbp_leaf_bp();
	return (int)(decoy[1] & 1);
}

KEEP static int level1(int how)
{
	int r = caller(how);

	__asm__ volatile("" ::: "memory");
	return r + 1;
}

/* The end of the mapping that holds addr (the top of a stack). */
static uint64_t mapping_end(uint64_t addr)
{
	FILE *f = fopen("/proc/self/maps", "r");
	char line[512];
	uint64_t end = 0;

	while (f && fgets(line, sizeof(line), f)) {
		unsigned long lo, hi;

		if (sscanf(line, "%lx-%lx", &lo, &hi) == 2 && addr >= lo && addr < hi)
			end = hi;
	}
	if (f)
		fclose(f);
	return end;
}

/* A process's executable mappings, as record would have seen them. */
static struct maps *maps_of(pid_t pid)
{
	struct maps *m = maps_new();
	char line[512];
	FILE *f;

	snprintf(line, sizeof(line), "/proc/%d/maps", (int)pid);
	f = fopen(line, "r");
	while (f && fgets(line, sizeof(line), f)) {
		unsigned long lo, hi, off;
		char perms[8], path[400] = "";
		struct rec_mmap r;

		if (sscanf(line, "%lx-%lx %7s %lx %*s %*s %399s", &lo, &hi, perms, &off, path) < 4 ||
		    perms[2] != 'x' || path[0] != '/')
			continue;
		memset(&r, 0, sizeof(r));
		r.pid = (uint32_t)pid;
		r.start = lo;
		r.len = hi - lo;
		r.pgoff = off;
		maps_add_mmap(m, &r, path);
	}
	if (f)
		fclose(f);
	maps_finish(m);
	return m;
}

/* The function names of the unwound frames, joined by ';' (leaf first). */
static char *names(struct symbolizer *sym, const struct unwind_frame *fr, size_t n)
{
	size_t len = 1;
	char *s = calloc(1, 1);

	for (size_t i = 0; i < n; i++) {
		struct sym_frame sf[SYM_MAX_INLINE];
		size_t k = symbolize_user(sym, fr[i].dso, fr[i].addr, sf, SYM_MAX_INLINE);
		const char *name = sf[k - 1].func;

		s = realloc(s, len + strlen(name) + 1);
		strcat(s, name);
		strcat(s, ";");
		len += strlen(name) + 1;
	}
	return s;
}

/* Does `chain` appear in order (not necessarily adjacent) in `s`? */
static bool in_order(const char *s, const char *const *chain, size_t n)
{
	const char *p = s;

	for (size_t i = 0; i < n; i++) {
		char want[128];

		snprintf(want, sizeof(want), "%s;", chain[i]);
		p = strstr(p, want);
		if (!p)
			return false;
		p += strlen(want);
	}
	return true;
}

static bool starts_with(const char *s, const char *prefix)
{
	return !strncmp(s, prefix, strlen(prefix));
}

static struct unwind_frame frames[256], known[256];

static void unwind_capture(struct unwinder *u, bool bp_known, struct unwind_frame *f,
			   struct unwind_result *res)
{
	unwind_user(u, (uint32_t)getpid(), 1, cap.ip, cap.sp, bp_known ? cap.bp : 0, bp_known,
		    cap.stack, cap.size, false, f, 256, res);
}

static bool same_frames(const struct unwind_frame *a, const struct unwind_frame *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (a[i].ip != b[i].ip || a[i].dso != b[i].dso || a[i].addr != b[i].addr)
			return false;
	return true;
}

static void test_captures(struct unwinder *u, struct symbolizer *sym)
{
	struct unwind_result res, kres;
	char *got;

	/* an sp-based leaf under code keeping frame pointers */
	level1(LEAF_SP);
	ok(cap.size > 64, "the stack was copied (%zu bytes)", cap.size);
	unwind_capture(u, false, frames, &res);
	got = names(sym, frames, res.nframes);
	is_int(res.end, UNWIND_ROOT, "bp unknown: reached the root");
	ok(starts_with(got, "uwbp_leaf_sp;caller;level1;main;"),
	   "bp unknown: the leaf, then the frame record found, then the chain: %s", got);
	free(got);
	unwind_capture(u, true, known, &kres);
	ok(kres.end == res.end && kres.nframes == res.nframes &&
		   same_frames(known, frames, res.nframes),
	   "bp given: the same frames (%u and %u)", kres.nframes, res.nframes);
	ok(kres.extent == res.extent, "and the same extent read");

	/* nothing like a frame record above the leaf's frame: the unwinding stops there */
	memset(cap.stack + 48, 0, cap.size - 48);
	unwind_capture(u, false, frames, &res);
	ok(res.end == UNWIND_FAILED && res.fail == FAIL_NO_BP && res.nframes == 2,
	   "no frame record: stopped at the frame needing rbp (end %d, fail %d, %u frames)",
	   res.end, res.fail, res.nframes);
	ok(res.fail_dso && res.fail_dso == frames[1].dso, "the failure is the caller's object's");
	ok(unwind_fail_reason(FAIL_NO_BP)[0], "with a reason: %s", unwind_fail_reason(FAIL_NO_BP));

	/* the search takes the lowest record: a decoy in the caller's frame is taken */
	level1(LEAF_SP_DECOY);
	unwind_capture(u, false, frames, &res);
	got = names(sym, frames, res.nframes);
	ok(strstr(got, "caller;decoy_target;") != NULL,
	   "a fake record below the real one misleads the search: %s", got);
	free(got);

	/* a leaf that saved rbp: restored from where the CFI says, the decoy is not looked at */
	level1(LEAF_BP_DECOY);
	ok(cap.bp == 12345, "the leaf uses rbp for a number");
	unwind_capture(u, false, frames, &res);
	got = names(sym, frames, res.nframes);
	is_int(res.end, UNWIND_ROOT, "rbp saved by the leaf: reached the root");
	ok(starts_with(got, "uwbp_leaf_bp;caller;level1;main;"),
	   "rbp saved by the leaf: known from there on, no search: %s", got);
	free(got);
	unwind_capture(u, true, known, &kres);
	ok(kres.nframes == res.nframes && same_frames(known, frames, res.nframes),
	   "bp given: the same frames");
}

/* The forked copy waits here until killed. */
KEEP static void child_wait(void)
{
	struct timespec ts = { 3600, 0 };

	for (;;)
		nanosleep(&ts, NULL);
}

KEEP static void child_level(void)
{
	child_wait();
	__asm__ volatile("" ::: "memory");
}

/* A copy of this program blocked in nanosleep, read from outside and unwound to main. */
static void test_remote(struct symbolizer *sym)
{
	static const char *const chain[] = { "child_wait", "child_level", "main" };
	static uint8_t buf[65536];
	struct remotestack *rs;
	struct remote_capture c;
	struct unwind_result res;
	struct unwinder *u;
	struct maps *m;
	char *got;
	pid_t pid;
	int ret = -EAGAIN;

	pid = fork();
	if (pid == 0) {
		child_level();
		_exit(0);
	}
	remotestack_new(&rs);
	for (int i = 0; i < 5000 && ret == -EAGAIN; i++) {
		ret = remotestack_read(rs, pid, pid, buf, sizeof(buf), &c);
		if (ret == -EAGAIN || (ret == 0 && c.syscall == -1)) {
			ret = -EAGAIN; /* not yet in nanosleep */
			usleep(1000);
		}
	}
	is_int(ret, 0, "the sleeping copy is read");
	m = maps_of(pid);
	u = unwinder_new(m);
	unwind_user(u, (uint32_t)pid, 1, c.ip, c.sp, 0, false, buf, c.size, c.size == sizeof(buf),
		    frames, 256, &res);
	got = names(sym, frames, res.nframes);
	is_int(res.end, UNWIND_ROOT, "read from outside, bp unknown: reached the root");
	ok(in_order(got, chain, 3), "through libc's sleep to main: %s", got);
	free(got);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	unwinder_free(u);
	maps_free(m);
	remotestack_free(rs);
}

static void write_sample(struct data_writer *w, uint64_t time, uint16_t misc)
{
	size_t size = sizeof(struct rec_sample) + 3 * 8 + cap.size;
	struct rec_sample *r = data_writer_reserve(w, (size + 7) & ~(size_t)7);
	uint64_t regs[3] = { 0, cap.sp, cap.ip }; /* bp, sp, ip: SAMPLER_REGS_MASK's order */

	memset(r, 0, (size + 7) & ~(size_t)7);
	r->h.type = REC_SAMPLE;
	r->h.size = (uint32_t)((size + 7) & ~(size_t)7);
	r->h.misc = misc;
	r->pid = r->tid = (uint32_t)getpid();
	r->time = time;
	r->weight = 1000000;
	r->ip = cap.ip;
	r->nregs = 3;
	r->stack_size = (uint32_t)cap.size;
	memcpy(r + 1, regs, sizeof(regs));
	memcpy((uint8_t *)(r + 1) + sizeof(regs), cap.stack, cap.size);
	data_writer_commit(w, time);
}

struct seen {
	int n;
	struct unwind_result res[2];
	bool leaf_first[2];
};

static int note(struct session *s, struct session_sample *smp, void *arg)
{
	struct seen *seen = arg;

	(void)s;
	if (seen->n < 2) {
		seen->res[seen->n] = smp->res;
		seen->leaf_first[seen->n] = smp->nuser && smp->user[0].ip == cap.ip;
	}
	seen->n++;
	return 0;
}

/* session_samples() unwinds a stack read from outside with bp unknown, others as before. */
static void test_session(void)
{
	char dir[] = "/tmp/pmuprof-test-unwind-bp.XXXXXX", path[256];
	struct data_writer *w;
	struct seen seen = { 0 };
	struct session s;
	const char *detail;
	uint64_t t0 = 1000000000;

	level1(LEAF_SP);
	if (!mkdtemp(dir))
		abort();
	snprintf(path, sizeof(path), "%s/rec.pmuprof", dir);
	if (data_writer_open(path, &w) < 0)
		abort();
	data_writer_meta_str(w, "event", "cpu-clock");
	data_writer_meta_u64(w, "start-ns", t0);
	data_writer_meta_u64(w, "regs-mask", SAMPLER_REGS_MASK);
	data_writer_meta_u64(w, "stack-size", COPY_MAX);
	synth_process(w, getpid(), t0);
	write_sample(w, t0 + 1000, SAMPLE_KIND_BLOCKED | SAMPLE_SOURCE_REMOTE);
	write_sample(w, t0 + 2000, SAMPLE_KIND_CPU);
	if (data_writer_finish(w) < 0)
		abort();
	data_writer_close(w);

	is_int(session_open(&s, path, &detail), 0, "the recording opens");
	session_samples(&s, NULL, note, &seen);
	session_close(&s);
	is_int(seen.n, 2, "both samples are read");
	ok(seen.leaf_first[0] && seen.res[0].end == UNWIND_ROOT && seen.res[0].nframes >= 4,
	   "an off-CPU sample read from outside: bp unknown, unwound to the root (%u frames)",
	   seen.res[0].nframes);
	ok(seen.leaf_first[1] && seen.res[1].end != UNWIND_ROOT && seen.res[1].nframes <= 2,
	   "a CPU sample with bp 0: taken as rbp 0, as before (end %d after %u frames)",
	   seen.res[1].end, seen.res[1].nframes);
	unlink(path);
	rmdir(dir);
}

int main(void)
{
	struct unwinder *u;
	struct symbolizer *sym;
	struct maps *m;

	stack_top = mapping_end((uint64_t)(uintptr_t)&u);
	m = maps_of(getpid());
	u = unwinder_new(m);
	sym = symbolizer_new(NULL, 0);
	test_captures(u, sym);
	test_remote(sym);
	test_session();
	done_testing();
	unwinder_free(u);
	symbolizer_free(sym);
	maps_free(m);
	return 0;
}
