// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libpmuprof-shim.so: the in-process SIGPROF samplers of `pmuprof record
 * --sampler itimer|ctimer`, loaded into the program with LD_PRELOAD.
 *
 * itimer arms one process-wide setitimer(ITIMER_PROF), as gperftools and Go
 * before 1.18 do; ctimer arms one timer_create(CLOCK_THREAD_CPUTIME_ID) per
 * thread, delivered to that thread (SIGEV_THREAD_ID), as Go 1.18 does. The
 * signal handler copies the interrupted registers and up to stack_bytes of
 * the user stack into the thread's ring in memory shared with pmuprof
 * (shim/shim-abi.h), in the record format of every other sampler.
 *
 * Everything the handler does is async-signal-safe: no malloc, no locks,
 * only atomics, memcpy, clock_gettime and system calls; errno is kept.
 * The wrappers around pthread_create, fork (pthread_atfork), the exec
 * family, sigaction, signal, setitimer and the signal masks keep sampling
 * going where a program would otherwise lose it, and note in the shared
 * header whatever a program does that makes the samples untrustworthy (its
 * own SIGPROF handler or ITIMER_PROF). Without PMUPROF_SHIM_FD in the
 * environment the shim stays idle and every wrapper passes straight through.
 */
#include "util/compiler.h" /* first: config.h defines _GNU_SOURCE */
#include "shim/shim-abi.h"
#include "store/format.h"

#include <alloca.h>
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>

#define EXPORT __attribute__((visibility("default")))
/* static TLS: reachable from a signal handler without any allocation */
#define SHIM_TLS __thread __attribute__((tls_model("initial-exec")))
/* sival of the shim's own timers: a program's timer on SIGPROF carries another */
#define SHIM_COOKIE 0x70726f66
#define NREGS	    3 /* bp, sp, ip: perf's register order for SAMPLER_REGS_MASK */
#define MAX_PAGES   18

#ifndef sigev_notify_thread_id
#define sigev_notify_thread_id _sigev_un._tid
#endif

static struct shim_header *hdr; /* NULL: idle */
static struct shim_slot *slots;
static uint8_t *rings;
static uint32_t mode, nslots, stack_bytes;
static uint64_t period_ns, ring_bytes;
static pid_t my_pid;
static long page_size;
static pthread_key_t retire_key;

/* What the program believes SIGPROF's action is; the shim's handler stays installed. */
static struct sigaction prog_act;

static int (*real_sigaction)(int, const struct sigaction *, struct sigaction *);
static sighandler_t (*real_signal)(int, sighandler_t);
static int (*real_pthread_create)(pthread_t *, const pthread_attr_t *, void *(*)(void *), void *);
static int (*real_pthread_sigmask)(int, const sigset_t *, sigset_t *);
static int (*real_sigprocmask)(int, const sigset_t *, sigset_t *);
static int (*real_execve)(const char *, char *const[], char *const[]);
static int (*real_execvp)(const char *, char *const[]);
static int (*real_execvpe)(const char *, char *const[], char *const[]);
static int (*real_fexecve)(int, char *const[], char *const[]);

struct thread_state {
	struct shim_slot *slot;
	uint8_t *ring;
	uintptr_t stack_lo, stack_hi; /* the thread's stack, when known */
	uint32_t tid;
	int timer; /* ctimer: the kernel's id of this thread's timer */
	bool armed;
	bool retired; /* sampling of this thread has ended */
	uint64_t rng;
	uint64_t cpu_at_claim; /* the thread's CPU time when it took its slot */
	sigset_t fork_mask;
};
static SHIM_TLS struct thread_state ts;

static void resolve(void)
{
	if (real_sigaction)
		return;
	real_pthread_create = dlsym(RTLD_NEXT, "pthread_create");
	real_pthread_sigmask = dlsym(RTLD_NEXT, "pthread_sigmask");
	real_sigprocmask = dlsym(RTLD_NEXT, "sigprocmask");
	real_execve = dlsym(RTLD_NEXT, "execve");
	real_execvp = dlsym(RTLD_NEXT, "execvp");
	real_execvpe = dlsym(RTLD_NEXT, "execvpe");
	real_fexecve = dlsym(RTLD_NEXT, "fexecve");
	real_signal = dlsym(RTLD_NEXT, "signal");
	real_sigaction = dlsym(RTLD_NEXT, "sigaction");
}

static uint64_t mono_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

static void note_event(enum shim_event e)
{
	uint64_t zero = 0;

	atomic_compare_exchange_strong(&hdr->event_time[e], &zero, mono_ns());
	atomic_fetch_or(&hdr->events, 1ull << e);
}

/* The calling thread's CPU time; clock_gettime is async-signal-safe. */
static uint64_t thread_cpu_ns(void)
{
	struct timespec t;

	if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t) < 0)
		return 0;
	return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

/* ---- slots ------------------------------------------------------------- */

/* Takes a free slot for the calling thread; safe in the handler (atomics only). */
static bool take_slot(void)
{
	uint32_t start = atomic_fetch_add(&hdr->slot_hint, 1);

	for (uint32_t i = 0; i < nslots; i++) {
		uint32_t idx = (start + i) % nslots;
		struct shim_slot *s = &slots[idx];
		uint32_t want = SLOT_FREE;

		if (atomic_load_explicit(&s->state, memory_order_relaxed) != SLOT_FREE ||
		    !atomic_compare_exchange_strong(&s->state, &want, SLOT_CLAIMING))
			continue;
		s->pid = (uint32_t)my_pid;
		s->tid = ts.tid;
		atomic_store_explicit(&s->owner_signals, 0, memory_order_relaxed);
		atomic_store_explicit(&s->owner_cpu_ns, 0, memory_order_relaxed);
		ts.cpu_at_claim = thread_cpu_ns();
		atomic_store_explicit(&s->state, SLOT_ACTIVE, memory_order_release);
		ts.slot = s;
		ts.ring = rings + (uint64_t)idx * ring_bytes;
		return true;
	}
	note_event(SHIM_EV_NO_SLOT);
	return false;
}

/*
 * The CPU time the owner used since it took its slot, for pmuprof to set
 * against the signals it received: written as its sampling ends.
 */
static void note_owner_cpu(void)
{
	if (ts.slot)
		atomic_store_explicit(&ts.slot->owner_cpu_ns, thread_cpu_ns() - ts.cpu_at_claim,
				      memory_order_relaxed);
}

static void give_slot(void)
{
	note_owner_cpu();
	if (ts.slot)
		atomic_store_explicit(&ts.slot->state, SLOT_DONE, memory_order_release);
	ts.slot = NULL;
	ts.ring = NULL;
}

/* ---- the handler -------------------------------------------------------- */

/*
 * Copies up to `want` bytes of stack from sp. Inside the thread's known
 * stack a memcpy does; elsewhere (an alternate signal stack, a coroutine, a
 * thread the shim did not start) the kernel copies page by page and stops
 * at the first unmapped one instead of faulting.
 */
static uint32_t copy_stack(uint8_t *dst, uintptr_t sp, uint32_t want)
{
	struct iovec local, remote[MAX_PAGES];
	uintptr_t a = sp, end = sp + want;
	unsigned int n = 0;
	ssize_t got;

	if (sp >= ts.stack_lo && sp < ts.stack_hi) {
		if (want > ts.stack_hi - sp)
			want = (uint32_t)(ts.stack_hi - sp);
		memcpy(dst, (const void *)sp, want);
		return want;
	}
	while (a < end && n < MAX_PAGES) {
		uintptr_t next = (a | (uintptr_t)(page_size - 1)) + 1;

		if (next > end)
			next = end;
		remote[n].iov_base = (void *)a;
		remote[n++].iov_len = next - a;
		a = next;
	}
	local.iov_base = dst;
	local.iov_len = want;
	got = syscall(SYS_process_vm_readv, my_pid, &local, 1ul, remote, (unsigned long)n, 0ul);
	return got > 0 ? (uint32_t)got & ~7u : 0;
}

static void take_sample(const siginfo_t *si, const ucontext_t *uc)
{
	struct shim_slot *s = ts.slot;
	uint64_t head = atomic_load_explicit(&s->head, memory_order_relaxed);
	uint64_t tail = atomic_load_explicit(&s->tail, memory_order_acquire);
	uint64_t pos = head & (ring_bytes - 1), room = ring_bytes - pos;
	uint64_t need = sizeof(struct rec_sample) + NREGS * 8 + stack_bytes;
	uint64_t overrun = mode == SHIM_CTIMER && si->si_overrun > 0 ? (uint64_t)si->si_overrun : 0;
	uintptr_t sp = (uintptr_t)uc->uc_mcontext.gregs[REG_RSP];
	struct rec_sample *r;
	uint64_t *regs;
	uint32_t copied;
	int cpu;

	atomic_fetch_add_explicit(&s->signals, 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&s->owner_signals, 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&s->overruns, overrun, memory_order_relaxed);
	/* a record never wraps: fill the end with padding when it does not fit */
	if (ring_bytes - (head - tail) < need + (room < need ? room : 0)) {
		atomic_fetch_add_explicit(&s->lost, 1 + overrun, memory_order_relaxed);
		atomic_store_explicit(&s->lost_time, mono_ns(), memory_order_relaxed);
		return;
	}
	if (room < need) {
		struct rec_header *pad = (struct rec_header *)(ts.ring + pos);

		pad->type = SHIM_REC_PAD;
		pad->misc = 0;
		pad->size = (uint32_t)room;
		head += room;
		pos = 0;
	}
	r = (struct rec_sample *)(ts.ring + pos);
	regs = (uint64_t *)(r + 1);
	copied = stack_bytes ? copy_stack((uint8_t *)(regs + NREGS), sp, stack_bytes) : 0;
	cpu = sched_getcpu();
	r->h.type = REC_SAMPLE;
	r->h.misc = stack_bytes && copied == stack_bytes ? SAMPLE_STACK_FULL : 0;
	r->h.size = (uint32_t)(sizeof(*r) + NREGS * 8 + ((copied + 7u) & ~7u));
	r->pid = (uint32_t)my_pid;
	r->tid = ts.tid;
	r->time = mono_ns();
	r->weight = period_ns * (1 + overrun);
	r->ip = (uint64_t)uc->uc_mcontext.gregs[REG_RIP];
	r->cpu = cpu < 0 ? 0 : (uint32_t)cpu;
	r->nregs = NREGS;
	r->ncallchain = 0;
	r->stack_size = copied;
	r->overrun = (uint32_t)(overrun > UINT32_MAX ? UINT32_MAX : overrun);
	regs[0] = (uint64_t)uc->uc_mcontext.gregs[REG_RBP];
	regs[1] = sp;
	regs[2] = r->ip;
	atomic_store_explicit(&s->head, head + r->h.size, memory_order_release);
}

/* A SIGPROF that is not the sampler's goes where the program wanted it. */
static void forward(int sig, siginfo_t *si, void *uc)
{
	struct sigaction a = prog_act;

	if (a.sa_handler == SIG_DFL || a.sa_handler == SIG_IGN)
		return; /* never the default action: it would kill the program */
	if (a.sa_flags & SA_SIGINFO)
		a.sa_sigaction(sig, si, uc);
	else
		a.sa_handler(sig);
}

static bool is_ours(const siginfo_t *si)
{
	if (mode == SHIM_ITIMER)
		return si->si_code == SI_KERNEL;
	return si->si_code == SI_TIMER && si->si_value.sival_int == SHIM_COOKIE &&
	       (!ts.armed || si->si_timerid == ts.timer);
}

static void on_sigprof(int sig, siginfo_t *si, void *uc)
{
	int saved = errno;

	if (!is_ours(si)) {
		atomic_fetch_add_explicit(&hdr->foreign, 1, memory_order_relaxed);
		forward(sig, si, uc);
		errno = saved;
		return;
	}
	if (ts.retired) {
		atomic_fetch_add_explicit(&hdr->late, 1, memory_order_relaxed);
		errno = saved;
		return;
	}
	/* a thread the shim did not start (created by clone, or before the shim loaded) */
	if (!ts.slot) {
		if (!ts.tid)
			ts.tid = (uint32_t)syscall(SYS_gettid);
		if (!take_slot()) {
			atomic_fetch_add_explicit(&hdr->no_slot, 1, memory_order_relaxed);
			errno = saved;
			return;
		}
	}
	take_sample(si, uc);
	errno = saved;
}

/* ---- arming ----------------------------------------------------------- */

static void unblock_sigprof(void)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGPROF);
	real_pthread_sigmask(SIG_UNBLOCK, &set, NULL);
}

static uint64_t next_random(void)
{
	ts.rng ^= ts.rng << 13;
	ts.rng ^= ts.rng >> 7;
	ts.rng ^= ts.rng << 17;
	return ts.rng;
}

/*
 * ctimer: this thread's own CPU-time timer. The first expiry is drawn in
 * (0, period] so that threads shorter than a period are sampled in
 * proportion to the CPU they use, not never (Go's #40435).
 */
static void arm_thread(void)
{
	struct sigevent sev;
	struct itimerspec its;
	int id;

	if (mode != SHIM_CTIMER || ts.armed)
		return;
	memset(&sev, 0, sizeof(sev));
	sev.sigev_notify = SIGEV_THREAD_ID;
	sev.sigev_signo = SIGPROF;
	sev.sigev_value.sival_int = SHIM_COOKIE;
	sev.sigev_notify_thread_id = (pid_t)ts.tid;
	/* the raw call: the kernel's timer id, the one si_timerid carries */
	if (syscall(SYS_timer_create, CLOCK_THREAD_CPUTIME_ID, &sev, &id) < 0) {
		atomic_fetch_add(&hdr->timer_failures, 1);
		note_event(SHIM_EV_TIMER_FAILED);
		return;
	}
	ts.timer = id;
	ts.armed = true;
	its.it_interval.tv_sec = (time_t)(period_ns / 1000000000u);
	its.it_interval.tv_nsec = (long)(period_ns % 1000000000u);
	its.it_value.tv_sec = 0;
	its.it_value.tv_nsec = (long)(1 + next_random() % period_ns);
	if (period_ns > 1000000000u) {
		its.it_value.tv_sec = (time_t)(((uint64_t)its.it_value.tv_nsec - 1) / 1000000000u);
		its.it_value.tv_nsec = (long)(((uint64_t)its.it_value.tv_nsec - 1) % 1000000000u) + 1;
	}
	if (syscall(SYS_timer_settime, id, 0, &its, NULL) < 0) {
		atomic_fetch_add(&hdr->timer_failures, 1);
		note_event(SHIM_EV_TIMER_FAILED);
	}
}

static void disarm_thread(void)
{
	if (ts.armed)
		syscall(SYS_timer_delete, ts.timer);
	ts.armed = false;
}

static void set_itimer(uint64_t ns)
{
	struct itimerval v;

	v.it_interval.tv_sec = (time_t)(ns / 1000000000u);
	v.it_interval.tv_usec = (suseconds_t)(ns % 1000000000u / 1000u);
	v.it_value = v.it_interval;
	if (syscall(SYS_setitimer, ITIMER_PROF, &v, NULL) < 0 && ns) {
		atomic_fetch_add(&hdr->timer_failures, 1);
		note_event(SHIM_EV_TIMER_FAILED);
	}
}

static void install_handler(void)
{
	struct sigaction a;

	memset(&a, 0, sizeof(a));
	a.sa_sigaction = on_sigprof;
	a.sa_flags = SA_SIGINFO | SA_RESTART;
	sigemptyset(&a.sa_mask);
	real_sigaction(SIGPROF, &a, NULL);
}

/*
 * Sampling for the calling thread: its stack, its slot, its timer. SIGPROF
 * stays blocked until the slot is taken: the handler would take one of its
 * own for a thread without one, and this one would then be lost.
 */
static void thread_begin(void)
{
	pthread_attr_t attr;
	sigset_t set;
	void *addr;
	size_t size;

	sigemptyset(&set);
	sigaddset(&set, SIGPROF);
	real_pthread_sigmask(SIG_BLOCK, &set, NULL);
	ts.tid = (uint32_t)syscall(SYS_gettid);
	ts.rng = mono_ns() ^ ((uint64_t)ts.tid << 32) ^ 0x9e3779b97f4a7c15ull;
	ts.retired = false;
	ts.stack_lo = ts.stack_hi = 0;
	if (pthread_getattr_np(pthread_self(), &attr) == 0) {
		if (pthread_attr_getstack(&attr, &addr, &size) == 0) {
			ts.stack_lo = (uintptr_t)addr;
			ts.stack_hi = (uintptr_t)addr + size;
		}
		pthread_attr_destroy(&attr);
	}
	take_slot();
	unblock_sigprof();
	arm_thread();
}

/* At thread exit (a pthread key destructor): stop its timer, hand its slot back. */
static void thread_end(void *unused)
{
	(void)unused;
	disarm_thread();
	ts.retired = true;
	give_slot();
}

/* ---- fork ------------------------------------------------------------- */

/*
 * A SIGPROF that interrupts fork() in a big process makes the kernel
 * restart the clone again and again (gperftools #281): the forking thread
 * keeps it blocked for the duration.
 */
static void fork_prepare(void)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGPROF);
	real_pthread_sigmask(SIG_BLOCK, &set, &ts.fork_mask);
}

static void fork_parent(void)
{
	real_pthread_sigmask(SIG_SETMASK, &ts.fork_mask, NULL);
}

/* Timers are not inherited: the child re-arms for itself, into a slot of its own. */
static void fork_child(void)
{
	sigset_t mask = ts.fork_mask;

	my_pid = getpid();
	ts.slot = NULL;
	ts.ring = NULL;
	ts.armed = false;
	ts.tid = (uint32_t)syscall(SYS_gettid);
	ts.rng ^= (uint64_t)my_pid << 20;
	take_slot();
	if (mode == SHIM_ITIMER)
		set_itimer(period_ns);
	else
		arm_thread();
	sigdelset(&mask, SIGPROF);
	real_pthread_sigmask(SIG_SETMASK, &mask, NULL);
}

/* ---- setup ------------------------------------------------------------ */

/*
 * The slot table and the rings inside the memory, without overlap: a
 * program may have rewritten the header before it exec'd another image.
 */
static bool layout_fits(const struct shim_header *h)
{
	uint64_t table = (uint64_t)h->nslots * sizeof(struct shim_slot);

	return h->nslots <= 1u << 20 && h->slots_offset >= sizeof(*h) &&
	       h->slots_offset % 8 == 0 && h->rings_offset >= h->slots_offset &&
	       table <= h->rings_offset - h->slots_offset && h->rings_offset % 8 == 0 &&
	       h->rings_offset <= h->map_bytes &&
	       h->ring_bytes <= (h->map_bytes - h->rings_offset) / h->nslots;
}

static bool attach(void)
{
	const char *env = getenv(SHIM_ENV_FD);
	struct shim_header h;
	struct stat st;
	char *end;
	long fd;
	void *p;

	if (!env || !*env)
		return false;
	fd = strtol(env, &end, 10);
	if (*end || fd < 0 || fd > 1 << 20 || fstat((int)fd, &st) < 0 ||
	    pread((int)fd, &h, sizeof(h), 0) != (ssize_t)sizeof(h) || h.magic != SHIM_MAGIC ||
	    h.version != SHIM_ABI_VERSION || h.map_bytes != (uint64_t)st.st_size ||
	    (h.mode != SHIM_ITIMER && h.mode != SHIM_CTIMER) || !h.period_ns || !h.nslots ||
	    h.ring_bytes < 4096 || (h.ring_bytes & (h.ring_bytes - 1)) ||
	    h.stack_bytes % 8 || h.stack_bytes + 4096 > h.ring_bytes || !layout_fits(&h)) {
		/* a program that closed or reused the descriptor, then ran another */
		fprintf(stderr, "pmuprof shim: %s=%s is not pmuprof's shared memory (closed by the "
				"program?): process %d is not sampled\n",
			SHIM_ENV_FD, env, (int)getpid());
		return false;
	}
	p = mmap(NULL, h.map_bytes, PROT_READ | PROT_WRITE, MAP_SHARED, (int)fd, 0);
	if (p == MAP_FAILED)
		return false;
	hdr = p;
	mode = h.mode;
	period_ns = h.period_ns;
	stack_bytes = h.stack_bytes;
	nslots = h.nslots;
	ring_bytes = h.ring_bytes;
	slots = (struct shim_slot *)((uint8_t *)p + h.slots_offset);
	rings = (uint8_t *)p + h.rings_offset;
	return true;
}

__attribute__((constructor)) static void shim_init(void)
{
	struct sigaction old;
	struct itimerval it;

	resolve();
	if (!attach())
		return;
	page_size = sysconf(_SC_PAGESIZE);
	my_pid = getpid();
	atomic_fetch_add(&hdr->images, 1);
	real_sigaction(SIGPROF, NULL, &old);
	if (old.sa_handler != SIG_DFL && old.sa_handler != SIG_IGN) {
		prog_act = old;
		note_event(SHIM_EV_HANDLER_FOUND);
	}
	if (mode == SHIM_ITIMER && getitimer(ITIMER_PROF, &it) == 0 &&
	    (it.it_value.tv_sec || it.it_value.tv_usec))
		note_event(SHIM_EV_OWN_ITIMER);
	install_handler();
	pthread_key_create(&retire_key, thread_end);
	pthread_atfork(fork_prepare, fork_parent, fork_child);
	thread_begin();
	if (mode == SHIM_ITIMER)
		set_itimer(period_ns);
}

/*
 * exit(): the thread that calls it keeps its slot (other destructors may
 * still be sampled), but what it used so far is known now; after _exit or
 * a kill it stays unknown, and pmuprof judges the process as a whole.
 */
__attribute__((destructor)) static void shim_fini(void)
{
	if (hdr)
		note_owner_cpu();
}

/* ---- threads ------------------------------------------------------------ */

struct start {
	void *(*fn)(void *);
	void *arg;
};

static void *thread_start(void *p)
{
	struct start s = *(struct start *)p;

	free(p);
	thread_begin();
	/* any non-NULL value: the destructor runs at exit, by return or pthread_exit */
	pthread_setspecific(retire_key, &ts);
	return s.fn(s.arg);
}

EXPORT int pthread_create(pthread_t *t, const pthread_attr_t *attr, void *(*fn)(void *), void *arg)
{
	struct start *s;
	int ret;

	resolve();
	if (!hdr || !(s = malloc(sizeof(*s))))
		return real_pthread_create(t, attr, fn, arg);
	s->fn = fn;
	s->arg = arg;
	ret = real_pthread_create(t, attr, thread_start, s);
	if (ret)
		free(s);
	return ret;
}

/* ---- signals the program sets --------------------------------------------- */

static void note_program_action(const struct sigaction *act)
{
	prog_act = *act;
	if (act->sa_handler != SIG_DFL && act->sa_handler != SIG_IGN)
		note_event(SHIM_EV_OWN_HANDLER);
}

/*
 * The shim's handler stays SIGPROF's: the program's is remembered and gets
 * every SIGPROF that is not the sampler's, and the run is marked.
 */
EXPORT int sigaction(int sig, const struct sigaction *act, struct sigaction *old)
{
	resolve();
	if (!hdr || sig != SIGPROF)
		return real_sigaction(sig, act, old);
	if (old)
		*old = prog_act;
	if (act)
		note_program_action(act);
	return 0;
}

EXPORT sighandler_t signal(int sig, sighandler_t handler)
{
	struct sigaction a, old;

	resolve();
	if (!hdr || sig != SIGPROF)
		return real_signal(sig, handler);
	memset(&a, 0, sizeof(a));
	a.sa_handler = handler;
	a.sa_flags = SA_RESTART;
	old = prog_act;
	note_program_action(&a);
	return old.sa_handler;
}

/*
 * ITIMER_PROF is the itimer sampler's own: a program's setting is noted and
 * not applied (it would change the rate being measured). Under ctimer the
 * program keeps its timer; its SIGPROFs reach its handler.
 */
EXPORT int setitimer(__itimer_which_t which, const struct itimerval *nv, struct itimerval *ov)
{
	if (hdr && which == ITIMER_PROF) {
		if (nv && (nv->it_value.tv_sec || nv->it_value.tv_usec))
			note_event(SHIM_EV_OWN_ITIMER);
		if (mode == SHIM_ITIMER) {
			if (ov)
				memset(ov, 0, sizeof(*ov));
			return 0;
		}
	}
	return (int)syscall(SYS_setitimer, which, nv, ov);
}

/* A thread that blocks every signal would never be sampled: SIGPROF stays open. */
static const sigset_t *without_sigprof(int how, const sigset_t *set, sigset_t *copy)
{
	if (!hdr || !set || how == SIG_UNBLOCK || !sigismember(set, SIGPROF))
		return set;
	*copy = *set;
	sigdelset(copy, SIGPROF);
	return copy;
}

EXPORT int pthread_sigmask(int how, const sigset_t *set, sigset_t *old)
{
	sigset_t copy;

	resolve();
	return real_pthread_sigmask(how, without_sigprof(how, set, &copy), old);
}

EXPORT int sigprocmask(int how, const sigset_t *set, sigset_t *old)
{
	sigset_t copy;

	resolve();
	return real_sigprocmask(how, without_sigprof(how, set, &copy), old);
}

/* ---- exec ------------------------------------------------------------- */

/*
 * Before an exec: stop this image's sampling and ignore SIGPROF, which
 * also discards one already pending. Ignoring survives the exec, a handler
 * does not: a SIGPROF arriving before the new image's shim is loaded would
 * otherwise kill it ("Profiling timer expired"). The new image's shim
 * installs its handler again. In a vfork child, which shares this memory,
 * only the child's own disposition may change.
 */
static bool exec_prepare(void)
{
	struct sigaction ign;

	if (!hdr)
		return false;
	memset(&ign, 0, sizeof(ign));
	ign.sa_handler = SIG_IGN;
	if (getpid() != my_pid) {
		real_sigaction(SIGPROF, &ign, NULL);
		return false;
	}
	if (mode == SHIM_ITIMER)
		set_itimer(0);
	disarm_thread();
	real_sigaction(SIGPROF, &ign, NULL);
	give_slot();
	return true;
}

/* The exec failed: the program goes on, sampled as before. */
static void exec_failed(bool prepared)
{
	int e = errno;

	if (prepared) {
		take_slot(); /* before the handler, which would take one itself */
		install_handler();
		if (mode == SHIM_ITIMER)
			set_itimer(period_ns);
		else
			arm_thread();
	}
	errno = e;
}

EXPORT int execve(const char *path, char *const argv[], char *const envp[])
{
	bool p;
	int ret;

	resolve();
	p = exec_prepare();
	ret = real_execve(path, argv, envp);
	exec_failed(p);
	return ret;
}

EXPORT int execv(const char *path, char *const argv[])
{
	extern char **environ;

	return execve(path, argv, environ);
}

EXPORT int execvp(const char *file, char *const argv[])
{
	bool p;
	int ret;

	resolve();
	p = exec_prepare();
	ret = real_execvp(file, argv);
	exec_failed(p);
	return ret;
}

EXPORT int execvpe(const char *file, char *const argv[], char *const envp[])
{
	bool p;
	int ret;

	resolve();
	p = exec_prepare();
	ret = real_execvpe(file, argv, envp);
	exec_failed(p);
	return ret;
}

EXPORT int fexecve(int fd, char *const argv[], char *const envp[])
{
	bool p;
	int ret;

	resolve();
	p = exec_prepare();
	ret = real_fexecve(fd, argv, envp);
	exec_failed(p);
	return ret;
}

/* The list forms: count the arguments, then the vector forms above. */
#define COLLECT_ARGS(first, ap, argv)                                                        \
	do {                                                                                 \
		size_t n_ = 1;                                                               \
		va_list c_;                                                                  \
		va_copy(c_, ap);                                                             \
		while (va_arg(c_, char *))                                                   \
			n_++;                                                                \
		va_end(c_);                                                                  \
		argv = alloca((n_ + 1) * sizeof(char *));                                    \
		argv[0] = (char *)(first);                                                   \
		for (size_t i_ = 1; i_ <= n_; i_++)                                          \
			argv[i_] = va_arg(ap, char *);                                       \
	} while (0)

EXPORT int execl(const char *path, const char *arg, ...)
{
	char **argv;
	va_list ap;

	va_start(ap, arg);
	COLLECT_ARGS(arg, ap, argv);
	va_end(ap);
	return execv(path, argv);
}

EXPORT int execlp(const char *file, const char *arg, ...)
{
	char **argv;
	va_list ap;

	va_start(ap, arg);
	COLLECT_ARGS(arg, ap, argv);
	va_end(ap);
	return execvp(file, argv);
}

EXPORT int execle(const char *path, const char *arg, ...)
{
	char **argv, **envp;
	va_list ap;

	va_start(ap, arg);
	COLLECT_ARGS(arg, ap, argv);
	envp = va_arg(ap, char **);
	va_end(ap);
	return execve(path, argv, envp);
}
