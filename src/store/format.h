/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The on-disk layout of pmuprof.data, versions 1 to 3 (documented for users in
 * pmuprof-data(5)). All integers are little-endian; every record is padded
 * to a multiple of 8 bytes.
 *
 *   file header (64 bytes)
 *   frame: META      key/value records: command line, host, event attr, ...
 *   frame: RECORDS   samples, maps, threads, losses, the vDSO image, ...
 *   ...              (each frame is one independent zstd frame)
 *   frame: STATS     key/value records: run statistics (absent after a crash)
 *   frame: INDEX     one entry per earlier frame                 (idem)
 *   trailer (32 bytes)                                           (idem)
 *
 * A reader that finds no valid trailer walks the frames from the start and
 * stops at the first incomplete one: the file is then "truncated".
 */
#ifndef PMUPROF_FORMAT_H
#define PMUPROF_FORMAT_H

#include "util/compiler.h"

#include <stdbool.h>
#include <stdint.h>

#define PMUPROF_MAGIC	  "PMUPROF"	/* 8 bytes with the NUL */
/*
 * Version 2 is version 1 with samples of other kinds than on-CPU ones (misc
 * bits 4-9 of REC_SAMPLE): a version-1 reader would take their weights for
 * periods, so such files say 2 and it refuses them. Files without them stay 1.
 */
/*
 * Version 3 is version 2 with RECORDS frames whose stacks are coded as
 * differences (FRAME_STACK_DELTA): files without such frames keep 1 or 2.
 */
#define PMUPROF_VERSION	  3	/* the newest this build reads */
#define PMUPROF_VERSION_1 1
#define PMUPROF_VERSION_KINDS 2
#define PMUPROF_VERSION_DELTA 3
#define PMUPROF_TRAILER	  "PMUPEND"	/* 8 bytes with the NUL */
#define FRAME_MAGIC	  0x52464d50u	/* "PMFR" */
#define FRAME_MAX_RAW	  (64u << 20)	/* no frame decodes to more: bounds a reader's memory */

struct file_header {
	char magic[8];
	uint32_t version;
	uint32_t header_size; /* sizeof(struct file_header) */
	uint64_t created_ns;  /* CLOCK_REALTIME when recording began */
	uint8_t reserved[40];
};

enum frame_type {
	FRAME_META = 1,
	FRAME_RECORDS = 2,
	FRAME_STATS = 3,
	FRAME_INDEX = 4,
};

struct frame_header {
	uint32_t magic;
	uint32_t type;
	uint32_t csize;	   /* bytes of zstd data that follow */
	uint32_t rsize;	   /* bytes they decode to */
	uint32_t nrecords; /* records in the frame (index entries for FRAME_INDEX) */
	uint32_t flags;	   /* FRAME_SAMPLES_ONLY; zero in files before it existed */
	uint64_t first_time; /* earliest record time in the frame, ns, CLOCK_MONOTONIC */
};

/*
 * A RECORDS frame that holds samples only: a reader that wants everything
 * but samples (report's first pass: maps, names, images) skips it without
 * decompressing it.
 */
#define FRAME_SAMPLES_ONLY 0x1

/*
 * A RECORDS frame whose samples' stack copies are coded against the same
 * thread's previous sample in the frame (version 3). Its decompressed bytes
 * are a struct stack_delta_header, then the records (each coded sample
 * without its stack bytes, misc SAMPLE_STACK_DELTA, time as the difference
 * from the previous coded sample's, modulo 2^64), then the run lengths (LEB128
 * pairs "same, new"), then the new bytes. Run "same" copies that many bytes
 * from the reference's copy at the same addresses (sp, the register at
 * sp_index, gives a copy's address), run "new" takes that many from the new
 * bytes; pairs follow one another up to stack_size, after one number k
 * that names the reference: the k-th latest (from 0, below
 * STACK_DELTA_REFS) earlier coded sample of the same tid in the frame (0
 * for a thread's first, which has none). Every frame decodes on its own.
 * A reader hands out the decoded records only.
 */
#define FRAME_STACK_DELTA 0x2

struct stack_delta_header {
	uint32_t sp_index;    /* the stack pointer's place among a sample's registers */
	uint32_t records_len; /* bytes of records */
	uint32_t runs_len;    /* bytes of run lengths */
	uint32_t bytes_len;   /* bytes of new stack bytes */
	uint32_t decoded_len; /* bytes of the records once decoded (at most FRAME_MAX_RAW) */
	uint32_t reserved;    /* zero */
};

/* No coded stack decodes to more (the kernel's copies stay below 64 KiB). */
#define STACK_DELTA_MAX (1u << 16)
/* A coded stack names its reference among its thread's this many latest coded samples. */
#define STACK_DELTA_REFS 4

struct index_entry {
	uint64_t offset; /* of the frame header from the start of the file */
	uint32_t type;
	uint32_t nrecords;
	uint64_t first_time;
};

struct file_trailer {
	char magic[8];
	uint64_t index_offset; /* of the INDEX frame's header */
	uint64_t stats_offset; /* of the STATS frame's header */
	uint64_t file_size;    /* the whole file, this trailer included */
};

/* Every record starts with this header; size includes it. */
struct rec_header {
	uint16_t type;
	uint16_t misc;
	uint32_t size;
};

enum rec_type {
	REC_KV = 1,	  /* key/value, in META and STATS frames */
	REC_SAMPLE = 2,
	REC_MMAP = 3,
	REC_COMM = 4,
	REC_FORK = 5,
	REC_EXIT = 6,
	REC_LOST = 7,
	REC_THROTTLE = 8,
	REC_IMAGE = 9,	  /* an object's bytes, e.g. the vDSO, or a JIT file (enum image_kind) */
	REC_KSYM = 10,	  /* a kernel function that samples landed in */
	REC_TASK_CPU = 11, /* a thread's CPU time, from the kernel */
	REC_SIGNAL = 12,   /* a signal sent or delivered (record --off-cpu, where permitted) */
	REC_WAKEUP = 13,   /* a thread woken by another (idem) */
	REC_MAX
};

/* misc of REC_KV: what the value is */
enum kv_kind {
	KV_BYTES = 0,
	KV_STRING = 1, /* NUL-terminated */
	KV_U64 = 2,
};

struct rec_kv {
	struct rec_header h;
	uint16_t klen;	/* key bytes, no NUL */
	uint16_t pad;
	uint32_t vlen;	/* value bytes */
	/* key, then value */
};

/*
 * The address that names the nth entry (from 0) of one context of a
 * sample's callchain: the first is where the thread was, exactly; the
 * others are return addresses, named by the call just before them. record
 * (naming kernel functions) and report (symbolizing) must agree on it.
 */
static inline uint64_t callchain_call_site(uint64_t addr, uint64_t nth)
{
	return nth ? addr - 1 : addr;
}

/* misc bits of REC_SAMPLE */
#define SAMPLE_KERNEL	     0x1 /* the ip is in the kernel */
#define SAMPLE_NO_USER_REGS  0x2 /* no user context (a kernel thread) */
#define SAMPLE_STACK_FULL    0x4 /* the stack copy filled the requested size: may be cut */
#define SAMPLE_STACK_DELTA   0x8 /* in a FRAME_STACK_DELTA frame only: the stack is coded */

/*
 * What a sample stands for, and so what its weight counts (misc bits 4-7;
 * files before off-CPU recording have 0 there: every sample on CPU).
 */
#define SAMPLE_KIND_MASK     0xf0
#define SAMPLE_KIND_CPU	     0x00 /* on a CPU: weight is the sampling event's period */
#define SAMPLE_KIND_BLOCKED  0x10 /* off CPU, gave the CPU up (slept, waited): weight in ns */
#define SAMPLE_KIND_RUNNABLE 0x20 /* off CPU, preempted, waiting for a CPU: weight in ns */

/*
 * An off-CPU sample is one whole interval: time is when the thread left the
 * CPU, weight how long it stayed off (ns). Where its stack came from (misc
 * bits 8-9):
 */
#define SAMPLE_SOURCE_MASK   0x300
#define SAMPLE_SOURCE_SWITCH 0x000 /* the kernel's sample at the switch-out (context-switches) */
/* read from outside while the thread waited (/proc, process_vm_readv): sp and ip, bp 0 (unknown) */
#define SAMPLE_SOURCE_REMOTE 0x100
#define SAMPLE_SOURCE_NONE   0x200 /* no stack: the duration alone (no regs, no stack, ip 0) */

static inline unsigned int sample_kind(uint16_t misc)
{
	return misc & SAMPLE_KIND_MASK;
}

static inline bool sample_off_cpu(uint16_t misc)
{
	return sample_kind(misc) == SAMPLE_KIND_BLOCKED || sample_kind(misc) == SAMPLE_KIND_RUNNABLE;
}

struct rec_sample {
	struct rec_header h;
	uint32_t pid, tid;
	uint64_t time;
	uint64_t weight; /* the period: events (or ns of the clock) this sample stands for */
	uint64_t ip;
	uint32_t cpu;
	uint16_t nregs;	     /* user registers, in the order of meta "regs-mask" */
	uint16_t ncallchain; /* kernel-supplied return addresses (kernel only with dwarf) */
	uint32_t stack_size; /* bytes of user stack copied, from the sampled sp up */
	uint32_t overrun;    /* ctimer: timer expirations merged into this signal; else 0 */
	/* u64 regs[nregs], u64 callchain[ncallchain], u8 stack[stack_size] */
};

#define BUILD_ID_MAX 20

struct rec_mmap {
	struct rec_header h;
	uint32_t pid, tid;
	uint64_t time;
	uint64_t start, len, pgoff;
	uint32_t prot, flags;
	uint8_t build_id_len; /* 0: unknown */
	uint8_t pad[7];
	uint8_t build_id[BUILD_ID_MAX];
	uint32_t pad2;
	/* filename, NUL-terminated */
};

/* misc of REC_COMM: 1 when the name changed because of an exec */
struct rec_comm {
	struct rec_header h;
	uint32_t pid, tid;
	uint64_t time;
	/* name, NUL-terminated */
};

struct rec_task { /* REC_FORK and REC_EXIT */
	struct rec_header h;
	uint32_t pid, ppid, tid, ptid;
	uint64_t time;
};

/* misc of REC_LOST */
enum lost_kind {
	LOST_RING = 0,	  /* PERF_RECORD_LOST: the ring buffer was full */
	LOST_SAMPLES = 1, /* PERF_RECORD_LOST_SAMPLES: dropped in the kernel */
	LOST_WRITER = 2,  /* dropped by pmuprof: the writer could not keep up */
	LOST_SHIM = 3,	  /* timer samplers: a thread's ring was full, or it had none */
};

struct rec_lost {
	struct rec_header h;
	uint64_t time;
	uint64_t count;
};

/* misc of REC_THROTTLE: 0 throttled, 1 unthrottled */
struct rec_throttle {
	struct rec_header h;
	uint64_t time;
};

/*
 * misc of REC_IMAGE: what the bytes are. Files before JIT files were
 * stored have 0 there (objects); a reader that does not know a kind takes
 * the bytes for an object that no mapping names, and so never reads them.
 */
enum image_kind {
	IMAGE_OBJECT = 0,   /* an object's bytes (the vDSO): name as mapped, pid 0 */
	IMAGE_PERF_MAP = 1, /* a process's /tmp/perf-PID.map as record found it: name its path */
	IMAGE_JITDUMP = 2,  /* a process's jitdump (jit-PID.dump): name the path it was mapped at */
};

struct rec_image {
	struct rec_header h;
	uint32_t size;	   /* bytes of the image */
	uint16_t name_len; /* bytes of the name including its NUL, padded to 8 in the record */
	uint8_t build_id_len;
	uint8_t pad;
	uint8_t build_id[BUILD_ID_MAX];
	uint32_t pid;	   /* IMAGE_PERF_MAP, IMAGE_JITDUMP: the process whose JIT code it names */
	/* name, then the image */
};

/*
 * The kernel functions the samples' kernel frames fall in, named when the
 * recording ends: /proc/kallsyms changes at every boot (KASLR) and is not
 * readable on other machines, so the names travel in the file.
 */
struct rec_ksym {
	struct rec_header h;
	uint64_t start, end; /* [start, end): the function */
	/* name, NUL-terminated */
};

/*
 * The CPU time one thread used (user and system), by the kernel's
 * task-clock: written when the thread ends, or when recording ends for the
 * threads that remain. It is the truth a sampler's attribution is compared
 * with (pmuprof compare). Recordings of a command only.
 */
struct rec_task_cpu {
	struct rec_header h;
	uint32_t pid, tid;
	uint64_t time;
	uint64_t cpu_ns;
};

/*
 * Signals and wakeups, from the kernel's tracepoints (signal:signal_generate,
 * signal:signal_deliver, sched:sched_wakeup, sched:sched_wakeup_new), of the
 * recorded threads: written by record --off-cpu where the user may read raw
 * tracepoint data, in time order. A reader that does not know them skips
 * them. A pid of 0 next to a nonzero tid: the process was not known. A
 * sender or waker outside the profiled threads is named by a REC_COMM
 * written before its first event (its name in /proc then).
 */

/* misc of REC_SIGNAL: bits 0-1 the kind, and flags */
#define SIGNAL_KIND_MASK 0x3
#define SIGNAL_GENERATE	 0x0   /* sent (kill, tgkill, a timer, a fault): in the sender's context */
#define SIGNAL_DELIVER	 0x1   /* delivered to a handler or its default action, in the receiver */
#define SIGNAL_GROUP	 0x100 /* generation: sent to the whole process, not one thread */

/* result of a generation: what the kernel did with it (its TRACE_SIGNAL_* values) */
enum signal_result {
	SIGNAL_RESULT_DELIVERED = 0, /* queued for delivery */
	SIGNAL_RESULT_IGNORED = 1,
	SIGNAL_RESULT_ALREADY_PENDING = 2,
	SIGNAL_RESULT_OVERFLOW_FAIL = 3,
	SIGNAL_RESULT_LOSE_INFO = 4,
};

struct rec_signal {
	struct rec_header h;
	/*
	 * Generation: the thread that was running when the signal was sent
	 * (the sender; for a signal the kernel raises from an interrupt, such
	 * as a timer's, whatever ran then, 0 for the idle task). Delivery: the
	 * receiving thread, as to_pid and to_tid.
	 */
	uint32_t from_pid, from_tid;
	uint32_t to_pid, to_tid; /* the thread it was sent or delivered to */
	uint64_t time;
	uint32_t cpu;	/* where it happened */
	int32_t sig;	/* the signal number */
	int32_t code;	/* si_code: SI_USER for kill(2), SI_TKILL, SI_TIMER, ... */
	int32_t result; /* generation: enum signal_result; delivery: 0 */
};

/* misc of REC_WAKEUP */
#define WAKEUP_NEW 0x1 /* sched_wakeup_new: a new thread's first wakeup, after its fork */

struct rec_wakeup {
	struct rec_header h;
	/*
	 * The thread that was running when the wakeup happened: the waker
	 * (for a wakeup from an interrupt, such as a timer's, whatever ran
	 * then; 0 for the idle task).
	 */
	uint32_t pid, tid;
	uint32_t woken_pid, woken_tid;
	uint64_t time;
	uint32_t cpu;	     /* where the wakeup happened */
	uint32_t target_cpu; /* the CPU the woken thread was queued on */
};

_Static_assert(sizeof(struct file_header) == 64, "file header layout");
_Static_assert(sizeof(struct frame_header) == 32, "frame header layout");
_Static_assert(sizeof(struct file_trailer) == 32, "trailer layout");
_Static_assert(sizeof(struct stack_delta_header) == 24, "stack delta header layout");
_Static_assert(sizeof(struct rec_sample) % 8 == 0, "sample layout");
_Static_assert(sizeof(struct rec_mmap) % 8 == 0, "mmap layout");
_Static_assert(sizeof(struct rec_image) % 8 == 0, "image layout");
_Static_assert(sizeof(struct rec_ksym) % 8 == 0, "ksym layout");
_Static_assert(sizeof(struct rec_task_cpu) == 32, "task cpu layout");
_Static_assert(sizeof(struct rec_signal) == 48, "signal layout");
_Static_assert(sizeof(struct rec_wakeup) == 40, "wakeup layout");

#endif
