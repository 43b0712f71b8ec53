// SPDX-License-Identifier: GPL-2.0-or-later
#include "store/datafile.h"
#include "store/perfdata.h"
#include "util/alloc.h"
#include "util/safefile.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>
#include <zstd.h>

/* Frames are flushed at this raw size: small enough that a crash loses little. */
#define FRAME_TARGET (1u << 20)
#define ZSTD_LEVEL   3
/*
 * Frames with coded stacks: flushed at this many coded bytes (a few
 * thousand samples), when they would decode to more than
 * DELTA_DECODED_TARGET, or when they span DELTA_FRAME_SPAN_NS. Longer
 * frames give each thread's first sample, the one coded against nothing,
 * less weight; the level was chosen by measuring bytes per sample against
 * the writer's time (contrib/bench/record-size.sh). The decoded bound is
 * what each of report's threads holds and writes anew per frame: at 32 MiB
 * a report of xz at 10 kHz took twice the time (page faults) and 2.6 times
 * the memory of one at 4 MiB, whose files were 10-15% larger.
 */
#define DELTA_FRAME_TARGET   (1u << 20)
#define DELTA_DECODED_TARGET (4u << 20)
/* ... or once it spans a second: a crash loses no more than that at a low rate */
#define DELTA_FRAME_SPAN_NS  1000000000ull
#define DELTA_ZSTD_LEVEL     7

/* One of a thread's latest stack copies. */
struct stack_copy {
	uint64_t sp;
	uint8_t *bytes;
	size_t len, alloc;
};

/*
 * A thread's latest STACK_DELTA_REFS stack copies in the frame being
 * filled: what its next sample may be coded against.
 */
struct stack_ref {
	uint32_t tid;
	uint32_t frame;	  /* its frame (data_writer.nframes): of an older one, no copies */
	uint32_t n, next; /* copies held; where the next goes in c[] */
	bool used;
	struct stack_copy c[STACK_DELTA_REFS];
};

/* A growable run of records (a frame being filled, or the key/value lists). */
struct recbuf {
	uint8_t *p;
	size_t len, alloc;
	uint32_t n;
	uint64_t first_time;
};

struct data_writer {
	int fd;
	char *path;
	int dirfd;	  /* path's directory, which the names below are in */
	char *name, *old; /* old: where a previous file was moved, or NULL */
	char *backup;	  /* where an earlier .old waits until recording starts, or NULL */
	uint64_t samples_pending, samples_written; /* REC_SAMPLE in the frame / on disk */
	uint64_t off; /* where the next frame goes */
	struct recbuf meta, stats, frame;
	bool meta_written;
	size_t reserved; /* size of the record handed out by reserve, not yet committed */
	ZSTD_CCtx *cctx;
	uint8_t *cbuf;
	size_t calloc;
	struct index_entry *index;
	size_t nindex, aindex;
	int err;
	uint32_t version; /* in the file header */
	/* coded stacks (data_writer_stack_delta()); delta_sp < 0: off */
	int delta_sp;
	struct recbuf runs, bytes;  /* the frame's run lengths and new bytes */
	uint64_t decoded;	    /* bytes the frame's records decode to */
	uint64_t prev_time;	    /* of the frame's latest coded sample */
	uint64_t span_start;	    /* the frame's first nonzero record time, or 0 */
	uint32_t nframes;	    /* RECORDS frames written (names the frame being filled) */
	struct stack_ref *refs;	    /* open addressing by tid, nrefs slots (a power of 2) */
	size_t nrefs, refs_used;
};

static void *recbuf_reserve(struct recbuf *b, size_t size)
{
	void *p;

	xgrow(&b->p, &b->alloc, b->len + size, 1);
	p = b->p + b->len;
	memset(p, 0, size);
	return p;
}

static int kv_add(struct recbuf *b, const char *key, const void *val, size_t len,
		  enum kv_kind kind)
{
	size_t klen = strlen(key);
	size_t size = record_size(sizeof(struct rec_kv), klen + len);

	if (klen > UINT16_MAX || len > FRAME_MAX_RAW / 2)
		return -E2BIG;
	record_kv_fill(recbuf_reserve(b, size), key, val, len, kind);
	b->len += size;
	b->n++;
	return 0;
}

void record_kv_fill(void *dst, const char *key, const void *val, size_t len, enum kv_kind kind)
{
	size_t klen = strlen(key);
	struct rec_kv *kv = dst;

	kv->h.type = REC_KV;
	kv->h.misc = (uint16_t)kind;
	kv->h.size = (uint32_t)record_size(sizeof(*kv), klen + len);
	kv->klen = (uint16_t)klen;
	kv->vlen = (uint32_t)len;
	memcpy(kv + 1, key, klen);
	memcpy((char *)(kv + 1) + klen, val, len);
}

/*
 * Moves an existing recording `name` in the directory dirfd to name.old, as
 * perf does. An existing name.old is moved aside to *backup first, so that
 * a recording that never starts can put both back (data_writer_abandon)
 * and one that starts drops it (flush_meta). Only regular files are moved,
 * and in a sticky directory that others may write (/tmp) only those of the
 * user or of the directory's owner (-EPERM), as fs.protected_regular does.
 */
static int keep_previous(const struct safe_dir *d, char **old, char **backup)
{
	struct stat st;
	int ret;

	*old = *backup = NULL;
	if (fstatat(d->fd, d->name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0 : -errno;
	if (S_ISDIR(st.st_mode))
		return -EISDIR;
	if (!S_ISREG(st.st_mode))
		return -EINVAL;
	ret = safe_dir_check_entry(d, &st);
	if (ret)
		return ret;
	*old = xasprintf("%s.old", d->name);
	if (fstatat(d->fd, *old, &st, AT_SYMLINK_NOFOLLOW) == 0) {
		*backup = xasprintf("%s.old.pmuprof-%d", d->name, (int)getpid());
		if (renameat(d->fd, *old, d->fd, *backup) < 0) {
			int e = -errno;

			FREE_AND_NULL(*old);
			FREE_AND_NULL(*backup);
			return e;
		}
	}
	if (renameat(d->fd, d->name, d->fd, *old) < 0) {
		int e = -errno;

		if (*backup)
			renameat(d->fd, *backup, d->fd, *old);
		FREE_AND_NULL(*old);
		FREE_AND_NULL(*backup);
		return e;
	}
	return 0;
}

static void restore_previous(int dirfd, const char *name, char *old, char *backup)
{
	if (old)
		renameat(dirfd, old, dirfd, name);
	if (backup)
		renameat(dirfd, backup, dirfd, old);
}

/*
 * The directory is reached as safefile.h says (a link that another user
 * planted in /tmp is not followed: -EPERM), and the names in it are used
 * relative to it from then on.
 */
int data_writer_open(const char *path, struct data_writer **out)
{
	struct data_writer *w;
	struct file_header hdr;
	struct safe_dir d;
	struct timespec ts;
	char *old, *backup;
	int fd, ret;

	ret = safe_dir_open(path, false, &d);
	if (ret < 0)
		return ret;
	ret = keep_previous(&d, &old, &backup);
	if (ret < 0) {
		safe_dir_close(&d);
		return ret;
	}
	fd = openat(d.fd, d.name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0) {
		ret = -errno;
		goto fail;
	}
	memset(&hdr, 0, sizeof(hdr));
	memcpy(hdr.magic, PMUPROF_MAGIC, sizeof(hdr.magic));
	hdr.version = PMUPROF_VERSION_1;
	hdr.header_size = sizeof(hdr);
	clock_gettime(CLOCK_REALTIME, &ts);
	hdr.created_ns = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
	if (write(fd, &hdr, sizeof(hdr)) != (ssize_t)sizeof(hdr)) {
		ret = errno ? -errno : -EIO;
		close(fd);
		unlinkat(d.fd, d.name, 0);
		goto fail;
	}
	w = xcalloc(1, sizeof(*w));
	w->fd = fd;
	w->path = xstrdup(path);
	w->dirfd = d.fd;
	w->name = d.name;
	w->old = old;
	w->backup = backup;
	w->off = sizeof(hdr);
	w->version = PMUPROF_VERSION_1;
	w->delta_sp = -1;
	w->cctx = ZSTD_createCCtx();
	if (!w->cctx)
		abort();
	ZSTD_CCtx_setParameter(w->cctx, ZSTD_c_compressionLevel, ZSTD_LEVEL);
	ZSTD_CCtx_setParameter(w->cctx, ZSTD_c_checksumFlag, 1);
	*out = w;
	return 0;
fail:
	restore_previous(d.fd, d.name, old, backup);
	free(old);
	free(backup);
	safe_dir_close(&d);
	return ret;
}

int data_writer_set_version(struct data_writer *w, uint32_t version)
{
	if (version <= w->version)
		return 0;
	if (pwrite(w->fd, &version, sizeof(version), offsetof(struct file_header, version)) !=
	    (ssize_t)sizeof(version))
		return errno ? -errno : -EIO;
	w->version = version;
	return 0;
}

int data_writer_stack_delta(struct data_writer *w, unsigned int sp_index)
{
	if (w->frame.n || sp_index > UINT16_MAX)
		return -EINVAL;
	w->delta_sp = (int)sp_index;
	return 0;
}

static int add_meta(struct data_writer *w, const char *key, const void *val, size_t len,
		    enum kv_kind kind)
{
	if (w->meta_written)
		return -EINVAL;
	return kv_add(&w->meta, key, val, len, kind);
}

int data_writer_meta(struct data_writer *w, const char *key, const void *val, size_t len)
{
	return add_meta(w, key, val, len, KV_BYTES);
}

int data_writer_meta_str(struct data_writer *w, const char *key, const char *val)
{
	return add_meta(w, key, val, strlen(val) + 1, KV_STRING);
}

int data_writer_meta_u64(struct data_writer *w, const char *key, uint64_t val)
{
	return add_meta(w, key, &val, sizeof(val), KV_U64);
}

static int add_stat(struct data_writer *w, const char *key, const void *val, size_t len,
		    enum kv_kind kind)
{
	uint8_t *p = w->stats.p;
	size_t off = 0;

	/* a later value for the same key replaces the earlier one */
	while (off < w->stats.len) {
		struct rec_kv *kv = (struct rec_kv *)(p + off);

		if (kv->klen == strlen(key) && !memcmp(kv + 1, key, kv->klen)) {
			size_t size = kv->h.size;

			memmove(p + off, p + off + size, w->stats.len - off - size);
			w->stats.len -= size;
			w->stats.n--;
			break;
		}
		off += kv->h.size;
	}
	return kv_add(&w->stats, key, val, len, kind);
}

int data_writer_stat(struct data_writer *w, const char *key, const void *val, size_t len)
{
	return add_stat(w, key, val, len, KV_BYTES);
}

int data_writer_stat_u64(struct data_writer *w, const char *key, uint64_t val)
{
	return add_stat(w, key, &val, sizeof(val), KV_U64);
}

int data_writer_error(const struct data_writer *w)
{
	return w->err;
}

uint64_t data_writer_bytes(const struct data_writer *w)
{
	return w->off;
}

static int write_all(int fd, struct iovec *iov, int n)
{
	while (n > 0) {
		ssize_t r = writev(fd, iov, n);

		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		while (n > 0 && (size_t)r >= iov->iov_len) {
			r -= (ssize_t)iov->iov_len;
			iov++;
			n--;
		}
		if (n > 0) {
			iov->iov_base = (char *)iov->iov_base + r;
			iov->iov_len -= (size_t)r;
		}
	}
	return 0;
}

/* Compresses the parts of one frame's raw bytes, in order, into w->cbuf: the size, or 0. */
static size_t compress_parts(struct data_writer *w, const struct iovec *parts, int nparts,
			     size_t len, int level)
{
	size_t bound = ZSTD_compressBound(len);
	ZSTD_outBuffer out;

	if (bound > w->calloc) {
		free(w->cbuf);
		w->cbuf = xmalloc(bound);
		w->calloc = bound;
	}
	ZSTD_CCtx_reset(w->cctx, ZSTD_reset_session_only);
	ZSTD_CCtx_setParameter(w->cctx, ZSTD_c_compressionLevel, level);
	/* the frame header then carries the content size, which the reader checks */
	if (ZSTD_isError(ZSTD_CCtx_setPledgedSrcSize(w->cctx, len)))
		return 0;
	out.dst = w->cbuf;
	out.size = w->calloc;
	out.pos = 0;
	for (int i = 0; i < nparts; i++) {
		ZSTD_EndDirective end = i == nparts - 1 ? ZSTD_e_end : ZSTD_e_continue;
		ZSTD_inBuffer in = { parts[i].iov_base, parts[i].iov_len, 0 };
		size_t left;

		do {
			left = ZSTD_compressStream2(w->cctx, &out, &in, end);
			if (ZSTD_isError(left))
				return 0;
		} while (end == ZSTD_e_end ? left != 0 : in.pos < in.size);
	}
	return out.pos;
}

/*
 * Compresses and appends one frame made of `parts`; on failure the file is
 * cut back to the last whole frame.
 */
static int write_frame_parts(struct data_writer *w, enum frame_type type,
			     const struct iovec *parts, int nparts, uint32_t nrecords,
			     uint64_t first_time, uint32_t flags)
{
	struct frame_header fh;
	struct iovec iov[2];
	size_t len = 0, c;
	int ret;

	if (w->err)
		return w->err;
	for (int i = 0; i < nparts; i++)
		len += parts[i].iov_len;
	if (len > FRAME_MAX_RAW)
		return w->err = -E2BIG;
	c = compress_parts(w, parts, nparts, len,
			   flags & FRAME_STACK_DELTA ? DELTA_ZSTD_LEVEL : ZSTD_LEVEL);
	if (!c)
		return w->err = -EIO;
	memset(&fh, 0, sizeof(fh));
	fh.magic = FRAME_MAGIC;
	fh.type = type;
	fh.csize = (uint32_t)c;
	fh.rsize = (uint32_t)len;
	fh.nrecords = nrecords;
	fh.flags = flags;
	fh.first_time = first_time;
	iov[0].iov_base = &fh;
	iov[0].iov_len = sizeof(fh);
	iov[1].iov_base = w->cbuf;
	iov[1].iov_len = c;
	ret = write_all(w->fd, iov, 2);
	if (ret < 0) {
		/* leave no half frame behind: the file stays readable up to here */
		if (ftruncate(w->fd, (off_t)w->off) == 0)
			lseek(w->fd, (off_t)w->off, SEEK_SET);
		return w->err = ret;
	}
	if (type != FRAME_INDEX) {
		xgrow(&w->index, &w->aindex, w->nindex + 1, sizeof(*w->index));
		w->index[w->nindex].offset = w->off;
		w->index[w->nindex].type = type;
		w->index[w->nindex].nrecords = nrecords;
		w->index[w->nindex].first_time = first_time;
		w->nindex++;
	}
	w->off += sizeof(fh) + c;
	return 0;
}

static int write_frame(struct data_writer *w, enum frame_type type, const void *raw, size_t len,
		       uint32_t nrecords, uint64_t first_time, uint32_t flags)
{
	struct iovec part = { (void *)raw, len };

	return write_frame_parts(w, type, &part, 1, nrecords, first_time, flags);
}

static int flush_meta(struct data_writer *w)
{
	if (w->meta_written)
		return 0;
	w->meta_written = true;
	/* recording has begun: the older .old is not coming back */
	if (w->backup) {
		unlinkat(w->dirfd, w->backup, 0);
		FREE_AND_NULL(w->backup);
	}
	return write_frame(w, FRAME_META, w->meta.p, w->meta.len, w->meta.n, 0, 0);
}

static size_t ref_hash(uint32_t tid, size_t nslots)
{
	return (size_t)(tid * 0x9e3779b1u) & (nslots - 1);
}

/* Forgets every thread's reference (after a frame, when many threads came and went). */
static void refs_clear(struct data_writer *w)
{
	for (size_t i = 0; i < w->nrefs; i++)
		for (int k = 0; k < STACK_DELTA_REFS; k++)
			free(w->refs[i].c[k].bytes);
	FREE_AND_NULL(w->refs);
	w->nrefs = w->refs_used = 0;
}

/* Whether the frame being filled holds a coded stack. */
static bool frame_has_deltas(const struct data_writer *w)
{
	return w->runs.len != 0;
}

static int flush_records(struct data_writer *w)
{
	uint32_t flags;
	int ret;

	if (!w->frame.n)
		return 0;
	flags = w->samples_pending == w->frame.n ? FRAME_SAMPLES_ONLY : 0;
	if (frame_has_deltas(w)) {
		struct stack_delta_header dh = {
			.sp_index = (uint32_t)w->delta_sp,
			.records_len = (uint32_t)w->frame.len,
			.runs_len = (uint32_t)w->runs.len,
			.bytes_len = (uint32_t)w->bytes.len,
			.decoded_len = (uint32_t)w->decoded,
		};
		struct iovec parts[4] = {
			{ &dh, sizeof(dh) },
			{ w->frame.p, w->frame.len },
			{ w->runs.p, w->runs.len },
			{ w->bytes.p, w->bytes.len },
		};

		ret = data_writer_set_version(w, PMUPROF_VERSION_DELTA);
		if (ret < 0 && !w->err)
			w->err = ret;
		ret = write_frame_parts(w, FRAME_RECORDS, parts, 4, w->frame.n, w->frame.first_time,
					flags | FRAME_STACK_DELTA);
	} else {
		ret = write_frame(w, FRAME_RECORDS, w->frame.p, w->frame.len, w->frame.n,
				  w->frame.first_time, flags);
	}
	if (ret == 0)
		w->samples_written += w->samples_pending;
	w->samples_pending = 0;
	w->frame.len = 0;
	w->frame.n = 0;
	w->runs.len = w->bytes.len = 0;
	w->decoded = 0;
	w->prev_time = 0;
	w->span_start = 0;
	w->nframes++; /* every thread's reference is of an earlier frame now */
	if (w->refs_used > 1024)
		refs_clear(w);
	return ret;
}

/* Whether a record of `size` more bytes would take the frame past its target. */
static bool frame_full(const struct data_writer *w, size_t size)
{
	if (w->delta_sp < 0)
		return w->frame.len + size > FRAME_TARGET;
	return w->frame.len + w->runs.len + w->bytes.len + size > DELTA_FRAME_TARGET ||
	       w->decoded + size > DELTA_DECODED_TARGET;
}

static void put_leb128(struct recbuf *b, uint64_t v)
{
	xgrow(&b->p, &b->alloc, b->len + 10, 1);
	while (v >= 0x80) {
		b->p[b->len++] = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	b->p[b->len++] = (uint8_t)v;
}

/* The slot of tid in the reference table: its entry, or the empty one where it goes. */
static struct stack_ref *ref_slot(struct data_writer *w, uint32_t tid)
{
	size_t mask, i;

	if ((w->refs_used + 1) * 2 > w->nrefs) {
		struct stack_ref *old = w->refs;
		size_t nold = w->nrefs;

		w->nrefs = nold ? nold * 2 : 64;
		w->refs = xcalloc(w->nrefs, sizeof(*w->refs));
		for (size_t k = 0; k < nold; k++) {
			if (!old[k].used)
				continue;
			for (i = ref_hash(old[k].tid, w->nrefs); w->refs[i].used;
			     i = (i + 1) & (w->nrefs - 1))
				;
			w->refs[i] = old[k];
		}
		free(old);
	}
	mask = w->nrefs - 1;
	for (i = ref_hash(tid, w->nrefs); w->refs[i].used && w->refs[i].tid != tid;
	     i = (i + 1) & mask)
		;
	return &w->refs[i];
}

/* Whether the sample just reserved gets its stack coded: it has the stack pointer and a stack. */
static bool codable(const struct data_writer *w, const struct rec_sample *s)
{
	uint64_t sp;

	if (w->delta_sp < 0 || w->reserved < sizeof(*s) || s->nregs <= w->delta_sp ||
	    !s->stack_size || s->stack_size > STACK_DELTA_MAX ||
	    sizeof(*s) + 8ull * s->nregs + 8ull * s->ncallchain + s->stack_size > w->reserved)
		return false;
	memcpy(&sp, (const uint8_t *)(s + 1) + 8ull * w->delta_sp, sizeof(sp));
	return sp + s->stack_size > sp; /* the copy's addresses do not wrap */
}

/*
 * The part of [sp, sp + n) that copy c holds, as offsets [*lo, *hi) from
 * sp, and where it starts in c; NULL when they do not overlap.
 */
static const uint8_t *copy_overlap(const struct stack_copy *c, uint64_t sp, uint64_t n,
				   uint64_t *lo, uint64_t *hi)
{
	if (c->sp + c->len <= sp || c->sp >= sp + n)
		return NULL;
	*lo = c->sp > sp ? c->sp - sp : 0;
	*hi = c->sp + c->len - sp < n ? c->sp + c->len - sp : n;
	return c->bytes + (sp + *lo - c->sp);
}

static uint64_t load_u64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

/* How many 8-byte words of stack match copy c at the same addresses (an estimate of its use). */
static uint64_t copy_match(const struct stack_copy *c, uint64_t sp, const uint8_t *stack,
			   uint64_t n)
{
	uint64_t lo, hi, same = 0;
	const uint8_t *old = copy_overlap(c, sp, n, &lo, &hi);

	for (uint64_t i = lo; old && i + 8 <= hi; i += 8)
		same += load_u64(stack + i) == load_u64(old + (i - lo));
	return same;
}

/*
 * Codes the stack of the sample just reserved against whichever of the
 * thread's latest copies in this frame holds most of it (format.h,
 * FRAME_STACK_DELTA), and keeps its copy for the samples after it. The
 * record loses its stack bytes.
 */
static void code_stack(struct data_writer *w, struct rec_sample *s)
{
	size_t fixed = sizeof(*s) + 8ull * s->nregs + 8ull * s->ncallchain;
	const uint8_t *stack = (const uint8_t *)s + fixed;
	const uint64_t *regs = (const uint64_t *)(s + 1);
	struct stack_ref *ref = ref_slot(w, s->tid);
	uint64_t sp = regs[w->delta_sp], n = s->stack_size, lo = 0, hi = 0, t, best = 0;
	const uint8_t *old = NULL;
	struct stack_copy *c;
	uint32_t pick = 0;

	if (!ref->used || ref->frame != w->nframes) {
		ref->frame = w->nframes;
		ref->n = ref->next = 0;
	}
	/*
	 * The k-th latest copy is c[(next - 1 - k) mod STACK_DELTA_REFS]. A
	 * copy that holds all but a sixteenth of the stack's words is taken
	 * without comparing the older ones: in a loop the latest usually is.
	 */
	for (uint32_t k = 0; k < ref->n; k++) {
		c = &ref->c[(ref->next + 2 * STACK_DELTA_REFS - 1 - k) % STACK_DELTA_REFS];
		uint64_t m = copy_match(c, sp, stack, n);

		if (k == 0 || m > best) {
			best = m;
			pick = k;
		}
		if (best >= n / 8 - n / 128)
			break;
	}
	put_leb128(&w->runs, pick);
	if (ref->n) {
		c = &ref->c[(ref->next + 2 * STACK_DELTA_REFS - 1 - pick) % STACK_DELTA_REFS];
		old = copy_overlap(c, sp, n, &lo, &hi);
	}
	for (uint64_t i = 0; i < n;) {
		uint64_t same = 0, fresh = 0;

		if (old && i >= lo) {
			/* most of a copy is unchanged: compare a word at a time first */
			while (i + same + 8 <= hi && load_u64(stack + i + same) ==
							     load_u64(old + (i + same - lo)))
				same += 8;
			while (i + same < hi && stack[i + same] == old[i + same - lo])
				same++;
		}
		i += same;
		while (i + fresh < n && !(old && i + fresh >= lo && i + fresh < hi &&
					  stack[i + fresh] == old[i + fresh - lo]))
			fresh++;
		put_leb128(&w->runs, same);
		put_leb128(&w->runs, fresh);
		xgrow(&w->bytes.p, &w->bytes.alloc, w->bytes.len + fresh, 1);
		memcpy(w->bytes.p + w->bytes.len, stack + i, fresh);
		w->bytes.len += fresh;
		i += fresh;
	}
	if (!ref->used)
		w->refs_used++;
	ref->used = true;
	ref->tid = s->tid;
	c = &ref->c[ref->next];
	c->sp = sp;
	xgrow(&c->bytes, &c->alloc, n ? n : 1, 1);
	memcpy(c->bytes, stack, n);
	c->len = n;
	ref->next = (ref->next + 1) % STACK_DELTA_REFS;
	if (ref->n < STACK_DELTA_REFS)
		ref->n++;
	w->decoded += record_size(fixed, n);
	t = s->time;
	s->time = t - w->prev_time;
	w->prev_time = t;
	s->h.misc |= SAMPLE_STACK_DELTA;
	s->h.size = (uint32_t)fixed;
	w->reserved = fixed;
}

void *data_writer_reserve(struct data_writer *w, size_t size)
{
	void *p;

	if (w->err || (size & 7) || size < sizeof(struct rec_header) || size > FRAME_MAX_RAW)
		return NULL;
	if (!w->meta_written && flush_meta(w) < 0)
		return NULL;
	if (frame_full(w, size) && w->frame.n && flush_records(w) < 0)
		return NULL;
	p = recbuf_reserve(&w->frame, size);
	((struct rec_header *)p)->size = (uint32_t)size;
	w->reserved = size;
	return p;
}

int data_writer_commit(struct data_writer *w, uint64_t time)
{
	struct rec_header *h;

	if (!w->reserved)
		return -EINVAL;
	if (!w->frame.n || time < w->frame.first_time)
		w->frame.first_time = time;
	h = (struct rec_header *)(w->frame.p + w->frame.len);
	if (h->type == REC_SAMPLE) {
		struct rec_sample *s = (struct rec_sample *)h;

		w->samples_pending++;
		/* only the writer codes stacks: the bit never comes from outside */
		s->h.misc &= (uint16_t)~SAMPLE_STACK_DELTA;
		if (codable(w, s))
			code_stack(w, s);
		else if (w->delta_sp >= 0)
			w->decoded += w->reserved;
	} else if (w->delta_sp >= 0) {
		w->decoded += w->reserved;
	}
	w->frame.len += w->reserved;
	w->frame.n++;
	w->reserved = 0;
	/* records of time 0 (made from /proc before sampling) start no span */
	if (time && !w->span_start)
		w->span_start = time;
	if (w->delta_sp >= 0 && w->span_start && time > w->span_start + DELTA_FRAME_SPAN_NS)
		return flush_records(w);
	return 0;
}

uint64_t data_writer_samples(const struct data_writer *w)
{
	return w->samples_written;
}

int data_writer_finish(struct data_writer *w)
{
	struct file_trailer tr;
	struct iovec iov;
	uint64_t stats_off, index_off;
	int ret;

	flush_meta(w);
	flush_records(w);
	stats_off = w->off;
	write_frame(w, FRAME_STATS, w->stats.p, w->stats.len, w->stats.n, 0, 0);
	index_off = w->off;
	write_frame(w, FRAME_INDEX, w->index, w->nindex * sizeof(*w->index), (uint32_t)w->nindex,
		    0, 0);
	if (w->err)
		return w->err;
	memset(&tr, 0, sizeof(tr));
	memcpy(tr.magic, PMUPROF_TRAILER, sizeof(tr.magic));
	tr.index_offset = index_off;
	tr.stats_offset = stats_off;
	tr.file_size = w->off + sizeof(tr);
	iov.iov_base = &tr;
	iov.iov_len = sizeof(tr);
	ret = write_all(w->fd, &iov, 1);
	if (ret < 0) {
		if (ftruncate(w->fd, (off_t)w->off) == 0)
			lseek(w->fd, (off_t)w->off, SEEK_SET);
		return w->err = ret;
	}
	w->off += sizeof(tr);
	if (close(w->fd) < 0 && !w->err)
		w->err = -errno;
	w->fd = -1;
	return w->err;
}

void data_writer_abandon(struct data_writer *w)
{
	if (w->fd >= 0)
		close(w->fd);
	w->fd = -1;
	unlinkat(w->dirfd, w->name, 0);
	restore_previous(w->dirfd, w->name, w->old, w->backup);
	FREE_AND_NULL(w->backup);
}

void data_writer_close(struct data_writer *w)
{
	if (!w)
		return;
	free(w->path);
	free(w->name);
	if (w->dirfd >= 0)
		close(w->dirfd);
	free(w->old);
	free(w->backup);
	if (w->fd >= 0)
		close(w->fd);
	ZSTD_freeCCtx(w->cctx);
	free(w->cbuf);
	free(w->meta.p);
	free(w->stats.p);
	free(w->frame.p);
	free(w->runs.p);
	free(w->bytes.p);
	refs_clear(w);
	free(w->index);
	free(w);
}

/* ---- reading --------------------------------------------------------- */

/* A frame of coded stacks before decoding, its buffer reused. */
struct coded_buf {
	uint8_t *p;
	size_t alloc;
};

/*
 * Decoding one frame of coded stacks a record at a time: where it is in
 * the frame's records, run lengths and new bytes, and each thread's latest
 * decoded samples, by tid (a coded sample refers to one of them).
 */
struct coded_stream {
	struct decode_ref *refs; /* open addressing by tid, nrefs slots */
	size_t nrefs, refs_used;
	size_t held; /* bytes of the threads' decoded copies */
	const uint8_t *rec, *rec_end, *runs, *runs_end, *bytes, *bytes_end;
	uint32_t sp_index, decoded_len;
	uint64_t out;	    /* bytes the records so far decode to */
	uint64_t prev_time; /* the latest coded sample's */
	uint64_t frame_off; /* the frame's offset in the file, for the error */
	bool active;	    /* records remain */
	char msg[128];
};

struct data_reader {
	int fd;
	uint64_t size;
	uint64_t frames_end; /* where RECORDS frames may end */
	uint64_t pos;	     /* next frame to read */
	uint64_t records_pos; /* the first frame after META, for data_reader_rewind() */
	bool truncated, done;
	bool truncated_open; /* what data_reader_open() found (no trailer) */
	bool skip_samples; /* data_reader_skip_samples() */
	uint32_t nframes, version;
	uint8_t *meta, *stats; /* decoded META and STATS frames */
	size_t meta_len, stats_len;
	uint8_t *frame, *cbuf;
	size_t frame_len, frame_alloc, frame_pos, cbuf_alloc;
	ZSTD_DCtx *dctx;
	struct coded_buf coded; /* a FRAME_STACK_DELTA frame before decoding */
	struct coded_stream cs; /* decoding it */
	struct perf_source *perf; /* a perf.data file: its records, converted */
	int perf_error;		  /* its damage, once the records before it are out */
	const char *perf_detail;
};

/*
 * A frame of records converted from perf.data (data_reader_take_frame()):
 * not compressed, cdata holds the records themselves. Never in a file.
 */
#define FRAME_PLAIN 0x80000000u

/* Records converted from perf.data per call: about a frame's worth. */
#define PERF_CHUNK (4u << 20)

static int pread_all(int fd, void *buf, size_t len, uint64_t off)
{
	while (len) {
		ssize_t n = pread(fd, buf, len, (off_t)off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return -EBADMSG;
		buf = (char *)buf + n;
		len -= (size_t)n;
		off += (uint64_t)n;
	}
	return 0;
}

/* A LEB128 number of at most 32 bits from [*p, end): 0, or -EBADMSG. */
static int get_leb128(const uint8_t **p, const uint8_t *end, uint32_t *v)
{
	uint64_t x = 0;

	for (unsigned int shift = 0; shift < 35; shift += 7) {
		if (*p >= end)
			return -EBADMSG;
		x |= (uint64_t)(**p & 0x7f) << shift;
		if (!(*(*p)++ & 0x80)) {
			if (x > UINT32_MAX)
				return -EBADMSG;
			*v = (uint32_t)x;
			return 0;
		}
	}
	return -EBADMSG;
}

/* The decoded copies a reader keeps from one frame to the next (each thread's ring). */
#define CODED_HELD_MAX (16u << 20)

/* A decoded sample's bytes, kept while a later sample of its thread may refer to them. */
struct decoded_copy {
	uint8_t *p;
	size_t alloc;
};

/*
 * A thread's latest coded samples in the frame being decoded (n 0: an
 * empty slot): a ring of its last STACK_DELTA_REFS decoded samples, and
 * the one being decoded. The buffers stay with the slot from frame to frame.
 */
struct decode_ref {
	uint32_t tid;
	uint32_t n;    /* samples held as references, at most STACK_DELTA_REFS */
	uint32_t next; /* the copy the next sample goes to */
	struct decoded_copy c[STACK_DELTA_REFS + 1];
};

static void free_copies(struct coded_stream *st, struct decode_ref *ref)
{
	for (int k = 0; k <= STACK_DELTA_REFS; k++) {
		st->held -= ref->c[k].alloc;
		free(ref->c[k].p);
		ref->c[k].p = NULL;
		ref->c[k].alloc = 0;
	}
}

static void coded_stream_free(struct coded_stream *st)
{
	for (size_t i = 0; i < st->nrefs; i++)
		free_copies(st, &st->refs[i]);
	FREE_AND_NULL(st->refs);
	st->nrefs = st->refs_used = st->held = 0;
	st->active = false;
}

/* The decoding table's slot for tid: its entry, or the empty one where it goes. */
static struct decode_ref *decode_slot(struct coded_stream *st, uint32_t tid)
{
	size_t i;

	if ((st->refs_used + 1) * 2 > st->nrefs) {
		struct decode_ref *old = st->refs;
		size_t nold = st->nrefs;

		st->nrefs = nold ? nold * 2 : 64;
		st->refs = xcalloc(st->nrefs, sizeof(*st->refs));
		for (size_t k = 0; k < nold; k++) {
			if (!old[k].n) {
				free_copies(st, &old[k]);
				continue;
			}
			for (i = ref_hash(old[k].tid, st->nrefs); st->refs[i].n;
			     i = (i + 1) & (st->nrefs - 1))
				;
			st->refs[i] = old[k];
		}
		free(old);
	}
	for (i = ref_hash(tid, st->nrefs); st->refs[i].n && st->refs[i].tid != tid;
	     i = (i + 1) & (st->nrefs - 1))
		;
	return &st->refs[i];
}

/*
 * Starts decoding a FRAME_STACK_DELTA frame's bytes (format.h), which must
 * stay in place until its last record: 0, or -EBADMSG when its header does
 * not add up.
 */
static int coded_begin(struct coded_stream *st, const uint8_t *raw, size_t rawlen, uint64_t off)
{
	struct stack_delta_header dh;

	st->active = false;
	if (rawlen < sizeof(dh))
		return -EBADMSG;
	memcpy(&dh, raw, sizeof(dh));
	if (dh.reserved || dh.sp_index > UINT16_MAX || dh.decoded_len > FRAME_MAX_RAW ||
	    (uint64_t)dh.records_len + dh.runs_len + dh.bytes_len != rawlen - sizeof(dh))
		return -EBADMSG;
	/*
	 * Many threads came and went, or their copies add up: they go rather
	 * than wait for their threads. A frame's own copies are bounded by
	 * what it decodes to.
	 */
	if (st->nrefs > 4096 || st->held > CODED_HELD_MAX)
		coded_stream_free(st);
	for (size_t i = 0; i < st->nrefs; i++)
		st->refs[i].n = st->refs[i].next = 0;
	st->refs_used = 0;
	st->rec = raw + sizeof(dh);
	st->rec_end = st->runs = st->rec + dh.records_len;
	st->runs_end = st->bytes = st->runs + dh.runs_len;
	st->bytes_end = st->bytes + dh.bytes_len;
	st->sp_index = dh.sp_index;
	st->decoded_len = dh.decoded_len;
	st->out = st->prev_time = 0;
	st->frame_off = off;
	st->active = true;
	return 0;
}

/*
 * The next record of the frame, its stack decoded: 1 with *out (a coded
 * sample's bytes last until the next call, the frame's other records as
 * long as the frame's bytes), 0 at the frame's end, or -EBADMSG (with
 * *detail) when anything does not fit: every length is checked against
 * what holds it.
 */
static int coded_next(struct coded_stream *st, const struct rec_header **out, const char **detail)
{
	struct rec_header h;
	struct rec_sample s;
	const uint8_t *old = NULL;
	uint64_t fixed, sp, lo = 0, hi = 0, size;
	size_t left = (size_t)(st->rec_end - st->rec);
	struct decode_ref *slot;
	struct decoded_copy *dst;
	uint32_t pick;
	uint8_t *o;

	if (!left) {
		st->active = false;
		if (st->runs == st->runs_end && st->bytes == st->bytes_end &&
		    st->out == st->decoded_len)
			return 0;
		goto bad;
	}
	if (left < sizeof(h))
		goto bad;
	memcpy(&h, st->rec, sizeof(h));
	if (h.size < sizeof(h) || h.size % 8 || h.size > left)
		goto bad;
	if (h.type != REC_SAMPLE || !(h.misc & SAMPLE_STACK_DELTA)) {
		if (h.size > st->decoded_len - st->out)
			goto bad;
		*out = (const struct rec_header *)st->rec;
		st->rec += h.size;
		st->out += h.size;
		return 1;
	}
	if (h.size < sizeof(s))
		goto bad;
	memcpy(&s, st->rec, sizeof(s));
	fixed = sizeof(s) + 8ull * s.nregs + 8ull * s.ncallchain;
	if (h.size != fixed || s.nregs <= st->sp_index || !s.stack_size ||
	    s.stack_size > STACK_DELTA_MAX)
		goto bad;
	size = record_size(fixed, s.stack_size);
	if (size > st->decoded_len - st->out)
		goto bad;
	slot = decode_slot(st, s.tid);
	/* the reference: the pick-th latest coded sample of this thread, decoded already */
	if (get_leb128(&st->runs, st->runs_end, &pick) < 0 || (pick && pick >= slot->n))
		goto bad;
	dst = &slot->c[slot->next];
	if (size > dst->alloc) {
		st->held += size - dst->alloc;
		free(dst->p);
		dst->p = xmalloc(size);
		dst->alloc = size;
	}
	o = dst->p;
	memcpy(o, st->rec, fixed);
	st->rec += h.size;
	memcpy(&sp, o + sizeof(s) + 8ull * st->sp_index, sizeof(sp));
	if (slot->n) {
		const struct rec_sample *ref;
		uint64_t rsp, rn;
		uint32_t at = (slot->next + 2 * (STACK_DELTA_REFS + 1) - 1 - pick) %
			      (STACK_DELTA_REFS + 1);

		ref = (const struct rec_sample *)slot->c[at].p;
		memcpy(&rsp, (const uint8_t *)(ref + 1) + 8ull * st->sp_index, sizeof(rsp));
		rn = ref->stack_size;
		old = (const uint8_t *)(ref + 1) + 8ull * ref->nregs + 8ull * ref->ncallchain;
		if (rsp + rn > sp && rsp < sp + s.stack_size && rsp + rn > rsp &&
		    sp + s.stack_size > sp) {
			lo = rsp > sp ? rsp - sp : 0;
			hi = rsp + rn - sp < s.stack_size ? rsp + rn - sp : s.stack_size;
			old += sp + lo - rsp;
		} else {
			old = NULL;
		}
	}
	for (uint64_t i = 0; i < s.stack_size;) {
		uint32_t same, fresh;
		uint8_t *d = o + fixed + i;

		if (get_leb128(&st->runs, st->runs_end, &same) < 0 ||
		    get_leb128(&st->runs, st->runs_end, &fresh) < 0 || (!same && !fresh) ||
		    (uint64_t)same + fresh > s.stack_size - i)
			goto bad;
		if (same) {
			/* "same" bytes must all be where the reference has them */
			if (!old || i < lo || i + same > hi)
				goto bad;
			memcpy(d, old + (i - lo), same);
		}
		if (fresh > (size_t)(st->bytes_end - st->bytes))
			goto bad;
		memcpy(d + same, st->bytes, fresh);
		st->bytes += fresh;
		i += (uint64_t)same + fresh;
	}
	memset(o + fixed + s.stack_size, 0, size - fixed - s.stack_size);
	{
		struct rec_sample *d = (struct rec_sample *)o;

		d->h.misc &= (uint16_t)~SAMPLE_STACK_DELTA;
		d->h.size = (uint32_t)size;
		d->time = st->prev_time + s.time;
		st->prev_time = d->time;
	}
	st->refs_used += !slot->n;
	slot->tid = s.tid;
	slot->next = (slot->next + 1) % (STACK_DELTA_REFS + 1);
	if (slot->n < STACK_DELTA_REFS)
		slot->n++;
	st->out += size;
	*out = (const struct rec_header *)o;
	return 1;
bad:
	st->active = false;
	snprintf(st->msg, sizeof(st->msg), "the coded stacks of the frame at offset %llu do not decode",
		 (unsigned long long)st->frame_off);
	*detail = st->msg;
	return -EBADMSG;
}

/*
 * The records of a FRAME_STACK_DELTA frame other than samples, copied to
 * *buf, its stacks left coded: what a reader after maps and names needs.
 * -EBADMSG when a record does not fit.
 */
static int skip_coded_samples(const uint8_t *raw, size_t rawlen, uint8_t **buf, size_t *alloc,
			      size_t *len)
{
	struct stack_delta_header dh;
	const uint8_t *rec;
	size_t in = 0, out = 0;

	if (rawlen < sizeof(dh))
		return -EBADMSG;
	memcpy(&dh, raw, sizeof(dh));
	if (dh.reserved || dh.records_len > rawlen - sizeof(dh))
		return -EBADMSG;
	rec = raw + sizeof(dh);
	if (dh.records_len > *alloc || !*buf) {
		free(*buf);
		*buf = xmalloc(dh.records_len ? dh.records_len : 1);
		*alloc = dh.records_len;
	}
	while (in < dh.records_len) {
		struct rec_header h;

		if (dh.records_len - in < sizeof(h))
			return -EBADMSG;
		memcpy(&h, rec + in, sizeof(h));
		if (h.size < sizeof(h) || h.size % 8 || h.size > dh.records_len - in)
			return -EBADMSG;
		if (h.type != REC_SAMPLE) {
			memcpy(*buf + out, rec + in, h.size);
			out += h.size;
		}
		in += h.size;
	}
	*len = out;
	return 0;
}

/*
 * A FRAME_STACK_DELTA frame's compressed bytes [c, c + csize) decompressed
 * into coded (rsize bytes, as its header says), and either its stream begun
 * (samples) or its records other than samples copied to *buf; the frame's
 * offset in the file names it in an error, written into st->msg.
 */
static int load_coded(ZSTD_DCtx *dctx, struct coded_stream *st, struct coded_buf *coded,
		      const void *c, size_t csize, uint32_t rsize, bool samples, uint8_t **buf,
		      size_t *alloc, size_t *len, uint64_t off, const char **detail)
{
	size_t got;

	*len = 0;
	st->active = false;
	if (rsize > coded->alloc || !coded->p) {
		free(coded->p);
		coded->p = xmalloc(rsize ? rsize : 1);
		coded->alloc = rsize;
	}
	got = ZSTD_decompressDCtx(dctx, coded->p, rsize, c, csize);
	if (ZSTD_isError(got) || got != rsize) {
		*detail = "a frame does not decompress (checksum or data error)";
		return -EBADMSG;
	}
	if ((samples ? coded_begin(st, coded->p, got, off)
		     : skip_coded_samples(coded->p, got, buf, alloc, len)) < 0) {
		snprintf(st->msg, sizeof(st->msg),
			 "the coded stacks of the frame at offset %llu do not decode",
			 (unsigned long long)off);
		*detail = st->msg;
		return -EBADMSG;
	}
	return 0;
}

static int read_frame(struct data_reader *r, uint64_t off, uint64_t end, uint8_t **buf,
		      size_t *alloc, size_t *len, const char **detail)
{
	struct frame_header fh;
	size_t got;
	int ret;

	if (off + sizeof(fh) > end)
		return -ENODATA;
	ret = pread_all(r->fd, &fh, sizeof(fh), off);
	if (ret < 0)
		return ret == -EBADMSG ? -ENODATA : ret;
	if (fh.magic != FRAME_MAGIC || fh.type < FRAME_META || fh.type > FRAME_INDEX) {
		*detail = "a frame header is damaged";
		return -EBADMSG;
	}
	if (fh.rsize > FRAME_MAX_RAW) {
		*detail = "a frame claims an impossible size";
		return -EBADMSG;
	}
	if (fh.csize > end - off - sizeof(fh))
		return -ENODATA;
	if (fh.csize > r->cbuf_alloc) {
		free(r->cbuf);
		r->cbuf = xmalloc(fh.csize);
		r->cbuf_alloc = fh.csize;
	}
	ret = pread_all(r->fd, r->cbuf, fh.csize, off + sizeof(fh));
	if (ret < 0)
		return ret == -EBADMSG ? -ENODATA : ret;
	if (ZSTD_getFrameContentSize(r->cbuf, fh.csize) != fh.rsize) {
		*detail = "a frame's compressed data does not match its header";
		return -EBADMSG;
	}
	if (fh.type == FRAME_RECORDS && (fh.flags & FRAME_STACK_DELTA)) {
		ret = load_coded(r->dctx, &r->cs, &r->coded, r->cbuf, fh.csize, fh.rsize,
				 !r->skip_samples, buf, alloc, len, off, detail);
		if (ret < 0)
			return ret;
		r->pos = off + sizeof(fh) + fh.csize;
		return (int)fh.type;
	}
	if (fh.rsize > *alloc || !*buf) {
		free(*buf);
		*buf = xmalloc(fh.rsize ? fh.rsize : 1);
		*alloc = fh.rsize;
	}
	got = ZSTD_decompressDCtx(r->dctx, *buf, fh.rsize, r->cbuf, fh.csize);
	if (ZSTD_isError(got) || got != fh.rsize) {
		*detail = "a frame does not decompress (checksum or data error)";
		return -EBADMSG;
	}
	*len = got;
	r->pos = off + sizeof(fh) + fh.csize;
	return (int)fh.type;
}

/* Every record of a key/value frame must be a well-formed KV. */
static int check_kvs(const uint8_t *p, size_t len)
{
	size_t off = 0;

	while (off < len) {
		const struct rec_kv *kv = (const struct rec_kv *)(p + off);

		if (len - off < sizeof(*kv) || kv->h.type != REC_KV || kv->h.size % 8 ||
		    kv->h.size > len - off || kv->h.size < sizeof(*kv) ||
		    (uint64_t)kv->klen + kv->vlen > kv->h.size - sizeof(*kv))
			return -EBADMSG;
		off += kv->h.size;
	}
	return 0;
}

static const void *kv_find_kind(const uint8_t *p, size_t len, const char *key, size_t *vlen,
				int kind)
{
	size_t klen = strlen(key), off = 0;

	while (p && off < len) {
		const struct rec_kv *kv = (const struct rec_kv *)(p + off);

		if (kv->klen == klen && !memcmp(kv + 1, key, klen) &&
		    (kind < 0 || kv->h.misc == kind)) {
			if (vlen)
				*vlen = kv->vlen;
			return (const char *)(kv + 1) + klen;
		}
		off += kv->h.size;
	}
	return NULL;
}

static const void *kv_find(const uint8_t *p, size_t len, const char *key, size_t *vlen)
{
	return kv_find_kind(p, len, key, vlen, -1);
}

/* perf.data: its header read by store/perfdata.c, its records converted as they are asked for. */
static int open_perf(struct data_reader *r, struct data_reader **out, const char **detail)
{
	const uint8_t *meta;
	size_t len;
	int ret = perf_source_open(r->fd, r->size, &r->perf, detail);

	if (ret < 0) {
		data_reader_close(r);
		return ret;
	}
	meta = perf_source_meta(r->perf, &len);
	r->meta = xmalloc(len ? len : 1);
	memcpy(r->meta, meta, len);
	r->meta_len = len;
	r->nframes = 1;
	r->truncated = r->truncated_open = false;
	*out = r;
	return 0;
}

/* The perf source's next records as the reader's frame: data_reader_next()'s returns. */
static int next_perf_frame(struct data_reader *r, uint8_t **buf, size_t *alloc, size_t *len,
			   bool skip_samples, const char **detail)
{
	int ret = perf_source_next(r->perf, buf, alloc, len, PERF_CHUNK, skip_samples, detail);

	if (ret > 0) {
		r->nframes++;
		return 1;
	}
	r->done = true;
	r->truncated = perf_source_truncated(r->perf);
	if (!r->stats) {
		size_t slen;
		const uint8_t *st = perf_source_stats(r->perf, &slen);

		if (st) {
			r->stats = xmalloc(slen);
			memcpy(r->stats, st, slen);
			r->stats_len = slen;
		}
	}
	if (ret < 0 && !*detail)
		*detail = strerror(-ret);
	/* records converted before the damage are handed out first */
	return ret < 0 && *len ? 1 : ret;
}

int data_reader_open(const char *path, struct data_reader **out, const char **detail)
{
	struct data_reader *r;
	struct file_header hdr;
	struct file_trailer tr;
	struct stat st;
	size_t alloc = 0;
	int fd, ret;

	*detail = NULL;
	/* the type before opening: opening a FIFO would wait for a writer, a device act */
	if (stat(path, &st) < 0)
		return -errno;
	if (S_ISDIR(st.st_mode))
		return -EISDIR;
	if (!S_ISREG(st.st_mode)) {
		*detail = "it is not a regular file";
		return -EBADMSG;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0)
		return -errno;
	{
		struct stat got;

		if (fstat(fd, &got) < 0 || got.st_dev != st.st_dev || got.st_ino != st.st_ino ||
		    !S_ISREG(got.st_mode)) {
			close(fd);
			*detail = "it is not a regular file (it was replaced while being opened)";
			return -EBADMSG;
		}
		st = got;
	}
	if (st.st_size == 0) {
		close(fd);
		*detail = "the file is empty";
		return -ENODATA;
	}
	r = xcalloc(1, sizeof(*r));
	r->fd = fd;
	r->size = (uint64_t)st.st_size;
	r->dctx = ZSTD_createDCtx();
	if (!r->dctx)
		abort();
	memset(&hdr, 0, sizeof(hdr));
	ret = pread_all(fd, &hdr, r->size < sizeof(hdr) ? (size_t)r->size : sizeof(hdr), 0);
	if (!memcmp(hdr.magic, PERFDATA_MAGIC, 8) || !memcmp(hdr.magic, "2ELIFREP", 8))
		return open_perf(r, out, detail);
	if (ret < 0 || memcmp(hdr.magic, PMUPROF_MAGIC, sizeof(hdr.magic))) {
		*detail = "it is not a pmuprof data file (no pmuprof header)";
		ret = -EBADMSG;
		goto fail;
	}
	if (r->size < sizeof(hdr)) {
		*detail = "the file ends inside its header (the recording was cut off)";
		ret = -ENODATA;
		goto fail;
	}
	if (hdr.version == 0) {
		*detail = "its format version is 0, which no pmuprof writes";
		ret = -EBADMSG;
		goto fail;
	}
	if (hdr.version > PMUPROF_VERSION) {
		*detail = "it was written by a newer pmuprof";
		ret = -EPROTONOSUPPORT;
		goto fail;
	}
	if (hdr.header_size < sizeof(hdr) || hdr.header_size > r->size) {
		*detail = "the file header is damaged";
		ret = -EBADMSG;
		goto fail;
	}
	/* a finished file ends with a trailer that points back at its statistics */
	r->frames_end = r->size;
	r->truncated = true;
	if (r->size >= hdr.header_size + sizeof(tr) &&
	    pread_all(fd, &tr, sizeof(tr), r->size - sizeof(tr)) == 0 &&
	    !memcmp(tr.magic, PMUPROF_TRAILER, sizeof(tr.magic)) && tr.file_size == r->size &&
	    tr.stats_offset >= hdr.header_size && tr.stats_offset <= tr.index_offset &&
	    tr.index_offset < r->size - sizeof(tr)) {
		const char *why = NULL;

		ret = read_frame(r, tr.stats_offset, tr.index_offset, &r->stats, &alloc,
				 &r->stats_len, &why);
		if (ret == FRAME_STATS && check_kvs(r->stats, r->stats_len) == 0) {
			r->frames_end = tr.stats_offset;
			r->truncated = false;
		} else {
			FREE_AND_NULL(r->stats);
			r->stats_len = 0;
		}
	}
	alloc = 0;
	ret = read_frame(r, hdr.header_size, r->frames_end, &r->meta, &alloc, &r->meta_len,
			 detail);
	if (ret == -ENODATA) {
		*detail = "the file ends before its metadata (the recording was cut off)";
		ret = -ENODATA;
		goto fail;
	}
	if (ret != FRAME_META || check_kvs(r->meta, r->meta_len) < 0) {
		if (!*detail || ret == FRAME_META || ret > 0)
			*detail = "the metadata frame is damaged";
		ret = -EBADMSG;
		goto fail;
	}
	r->nframes = 1;
	r->version = hdr.version;
	r->records_pos = r->pos;
	r->truncated_open = r->truncated;
	*out = r;
	return 0;
fail:
	data_reader_close(r);
	return ret < 0 ? ret : -EBADMSG;
}

void data_reader_close(struct data_reader *r)
{
	if (!r)
		return;
	perf_source_free(r->perf);
	close(r->fd);
	ZSTD_freeDCtx(r->dctx);
	free(r->meta);
	free(r->stats);
	free(r->frame);
	free(r->cbuf);
	free(r->coded.p);
	coded_stream_free(&r->cs);
	free(r);
}

const void *data_reader_meta(const struct data_reader *r, const char *key, size_t *len)
{
	return kv_find(r->meta, r->meta_len, key, len);
}

static const char *kv_str(const uint8_t *p, size_t len, const char *key)
{
	size_t vlen;
	const char *v = kv_find_kind(p, len, key, &vlen, KV_STRING);

	return v && vlen && !v[vlen - 1] ? v : NULL;
}

static bool kv_u64(const uint8_t *p, size_t len, const char *key, uint64_t *val)
{
	size_t vlen;
	const void *v = kv_find_kind(p, len, key, &vlen, KV_U64);

	if (!v || vlen != sizeof(*val))
		return false;
	memcpy(val, v, sizeof(*val));
	return true;
}

const char *data_reader_meta_str(const struct data_reader *r, const char *key)
{
	return kv_str(r->meta, r->meta_len, key);
}

bool data_reader_meta_u64(const struct data_reader *r, const char *key, uint64_t *val)
{
	return kv_u64(r->meta, r->meta_len, key, val);
}

const void *data_reader_stat(const struct data_reader *r, const char *key, size_t *len)
{
	return kv_find(r->stats, r->stats_len, key, len);
}

bool data_reader_stat_u64(const struct data_reader *r, const char *key, uint64_t *val)
{
	return kv_u64(r->stats, r->stats_len, key, val);
}

bool data_reader_truncated(const struct data_reader *r)
{
	return r->truncated;
}

uint64_t data_reader_file_size(const struct data_reader *r)
{
	return r->size;
}

uint32_t data_reader_version(const struct data_reader *r)
{
	return r->version;
}

uint32_t data_reader_nframes(const struct data_reader *r)
{
	return r->nframes;
}

/*
 * With skip_samples: steps over the RECORDS frame at r->pos, without
 * decompressing it, when its header says it holds samples only. False when
 * the frame must be read (or does not fit: read_frame() tells why).
 */
static bool skip_sample_frame(struct data_reader *r)
{
	struct frame_header fh;

	if (r->pos + sizeof(fh) > r->frames_end || pread_all(r->fd, &fh, sizeof(fh), r->pos) < 0)
		return false;
	if (fh.magic != FRAME_MAGIC || fh.type != FRAME_RECORDS || !(fh.flags & FRAME_SAMPLES_ONLY) ||
	    fh.csize > r->frames_end - r->pos - sizeof(fh))
		return false;
	r->pos += sizeof(fh) + fh.csize;
	r->nframes++;
	return true;
}

void data_reader_skip_samples(struct data_reader *r, bool skip)
{
	r->skip_samples = skip;
}

int data_reader_next(struct data_reader *r, struct data_record *out, const char **detail)
{
	*detail = NULL;
	for (;;) {
		const struct rec_header *h;
		int type;

		if (r->cs.active) {
			int ret = coded_next(&r->cs, &h, detail);

			if (ret > 0) {
				out->rec = h;
				out->frame = FRAME_RECORDS;
				return 1;
			}
			if (ret < 0) {
				r->done = true;
				return ret;
			}
		}
		if (r->frame_pos < r->frame_len) {
			h = (const struct rec_header *)(r->frame + r->frame_pos);
			if (r->frame_len - r->frame_pos < sizeof(*h) || h->size < sizeof(*h) ||
			    h->size % 8 || h->size > r->frame_len - r->frame_pos) {
				*detail = "a record's size does not fit its frame";
				r->frame_len = r->frame_pos = 0;
				r->done = true;
				return -EBADMSG;
			}
			r->frame_pos += h->size;
			if (r->skip_samples && h->type == REC_SAMPLE)
				continue;
			out->rec = h;
			out->frame = FRAME_RECORDS;
			return 1;
		}
		if (r->perf_error) {
			r->perf_error = 0;
			*detail = r->perf_detail;
			return -EBADMSG;
		}
		if (r->done)
			return 0;
		r->frame_len = r->frame_pos = 0;
		if (r->perf) {
			int ret = next_perf_frame(r, &r->frame, &r->frame_alloc, &r->frame_len,
						  r->skip_samples, detail);

			if (ret > 0 && r->done) {
				/* the damage is told once the records before it are out */
				r->perf_error = -EBADMSG;
				r->perf_detail = *detail;
				*detail = NULL;
			}
			if (ret <= 0)
				return ret;
			continue;
		}
		if (r->skip_samples && skip_sample_frame(r))
			continue;
		/* r->pos starts after the META frame, read by data_reader_open() */
		type = read_frame(r, r->pos, r->frames_end, &r->frame, &r->frame_alloc,
				  &r->frame_len, detail);
		if (type == -ENODATA) {
			/* the recorder stopped mid-frame, or this is where a crash cut the file */
			if (r->pos < r->frames_end)
				r->truncated = true;
			r->done = true;
			r->frame_len = 0;
			return 0;
		}
		if (type < 0) {
			r->done = true;
			r->frame_len = 0;
			if (!*detail)
				*detail = strerror(-type);
			return type;
		}
		r->nframes++;
		if (type != FRAME_RECORDS) {
			/* only META comes first; STATS and INDEX end the records */
			r->frame_len = 0;
			if (type != FRAME_META)
				r->done = true;
		}
	}
}

int data_reader_scan(struct data_reader *r, const char **detail)
{
	struct data_record rec;
	int ret;

	*detail = NULL;
	if (!r->perf)
		return 0;
	data_reader_skip_samples(r, true);
	while ((ret = data_reader_next(r, &rec, detail)) > 0)
		;
	data_reader_skip_samples(r, false);
	data_reader_rewind(r);
	return ret;
}

void data_reader_rewind(struct data_reader *r)
{
	if (r->perf)
		perf_source_rewind(r->perf);
	r->perf_error = 0;
	r->pos = r->records_pos;
	r->truncated = r->truncated_open;
	r->done = false;
	r->frame_len = r->frame_pos = 0;
	r->cs.active = false;
	r->nframes = 1;
}

/* ---- frames decoded apart from their reader ------------------------------ */

struct data_decoder {
	ZSTD_DCtx *dctx;
	uint8_t *buf;
	const uint8_t *recs; /* the frame's records: buf, or a plain frame's own bytes */
	size_t alloc, len, pos;
	struct coded_buf coded;
	struct coded_stream cs;
};

void data_frame_release(struct data_frame *f)
{
	free(f->cdata);
	memset(f, 0, sizeof(*f));
}

/* The checks of read_frame() and the steps of data_reader_next() between frames, without zstd. */
int data_reader_take_frame(struct data_reader *r, struct data_frame *f, const char **detail)
{
	*detail = NULL;
	if (r->perf && !r->done) {
		size_t len = 0;
		int ret = next_perf_frame(r, &f->cdata, &f->calloc, &len, false, detail);

		if (ret > 0) {
			f->csize = f->rsize = (uint32_t)len;
			f->flags = FRAME_PLAIN;
			f->offset = 0;
			f->index = r->nframes - 1;
			if (r->done) {
				r->perf_error = -EBADMSG;
				r->perf_detail = *detail;
				*detail = NULL;
			}
		}
		return ret;
	}
	if (r->perf_error) {
		r->perf_error = 0;
		*detail = r->perf_detail;
		return -EBADMSG;
	}
	while (!r->done) {
		struct frame_header fh;
		uint64_t off = r->pos;
		int ret;

		if (off + sizeof(fh) > r->frames_end ||
		    (ret = pread_all(r->fd, &fh, sizeof(fh), off)) == -EBADMSG) {
			ret = -ENODATA;
		} else if (ret == 0 && (fh.magic != FRAME_MAGIC || fh.type < FRAME_META ||
					fh.type > FRAME_INDEX)) {
			*detail = "a frame header is damaged";
			ret = -EBADMSG;
		} else if (ret == 0 && fh.rsize > FRAME_MAX_RAW) {
			*detail = "a frame claims an impossible size";
			ret = -EBADMSG;
		} else if (ret == 0 && fh.csize > r->frames_end - off - sizeof(fh)) {
			ret = -ENODATA;
		} else if (ret == 0) {
			if (fh.csize > f->calloc || !f->cdata) {
				free(f->cdata);
				f->cdata = xmalloc(fh.csize ? fh.csize : 1);
				f->calloc = fh.csize;
			}
			ret = pread_all(r->fd, f->cdata, fh.csize, off + sizeof(fh));
			if (ret == -EBADMSG)
				ret = -ENODATA;
		}
		if (ret == -ENODATA) {
			if (off < r->frames_end)
				r->truncated = true;
			r->done = true;
			return 0;
		}
		if (ret < 0) {
			r->done = true;
			if (!*detail)
				*detail = strerror(-ret);
			return ret;
		}
		r->pos = off + sizeof(fh) + fh.csize;
		r->nframes++;
		if (fh.type == FRAME_RECORDS) {
			f->csize = fh.csize;
			f->rsize = fh.rsize;
			f->flags = fh.flags;
			f->offset = off;
			f->index = r->nframes - 1;
			return 1;
		}
		/* only META comes first; STATS and INDEX end the records */
		if (fh.type != FRAME_META)
			r->done = true;
	}
	return 0;
}

struct data_decoder *data_decoder_new(void)
{
	struct data_decoder *d = xcalloc(1, sizeof(*d));

	d->dctx = ZSTD_createDCtx();
	if (!d->dctx)
		abort();
	return d;
}

void data_decoder_free(struct data_decoder *d)
{
	if (!d)
		return;
	ZSTD_freeDCtx(d->dctx);
	free(d->buf);
	free(d->coded.p);
	coded_stream_free(&d->cs);
	free(d);
}

int data_decoder_load(struct data_decoder *d, const struct data_frame *f, const char **detail)
{
	size_t got;

	*detail = NULL;
	d->len = d->pos = 0;
	d->cs.active = false;
	if (f->flags & FRAME_PLAIN) {
		/* read in place: the frame is not taken again before its records are done */
		d->recs = f->cdata;
		d->len = f->rsize;
		return 0;
	}
	d->recs = NULL;
	if (ZSTD_getFrameContentSize(f->cdata, f->csize) != f->rsize) {
		*detail = "a frame's compressed data does not match its header";
		return -EBADMSG;
	}
	if (f->flags & FRAME_STACK_DELTA) {
		return load_coded(d->dctx, &d->cs, &d->coded, f->cdata, f->csize, f->rsize, true,
				  &d->buf, &d->alloc, &d->len, f->offset, detail);
	}
	if (f->rsize > d->alloc || !d->buf) {
		free(d->buf);
		d->buf = xmalloc(f->rsize ? f->rsize : 1);
		d->alloc = f->rsize;
	}
	got = ZSTD_decompressDCtx(d->dctx, d->buf, f->rsize, f->cdata, f->csize);
	if (ZSTD_isError(got) || got != f->rsize) {
		*detail = "a frame does not decompress (checksum or data error)";
		return -EBADMSG;
	}
	d->len = got;
	d->recs = d->buf;
	return 0;
}

int data_decoder_next(struct data_decoder *d, struct data_record *out, const char **detail)
{
	const struct rec_header *h;

	*detail = NULL;
	if (d->cs.active) {
		int ret = coded_next(&d->cs, &h, detail);

		if (ret > 0) {
			out->rec = h;
			out->frame = FRAME_RECORDS;
		}
		return ret;
	}
	if (d->pos >= d->len)
		return 0;
	h = (const struct rec_header *)(d->recs + d->pos);
	if (d->len - d->pos < sizeof(*h) || h->size < sizeof(*h) || h->size % 8 ||
	    h->size > d->len - d->pos) {
		*detail = "a record's size does not fit its frame";
		d->len = d->pos = 0;
		return -EBADMSG;
	}
	d->pos += h->size;
	out->rec = h;
	out->frame = FRAME_RECORDS;
	return 1;
}

static int check_size(const struct rec_header *h, size_t fixed, uint64_t var)
{
	return h->size >= fixed && var <= h->size - fixed ? 0 : -EBADMSG;
}

int record_sample(const struct rec_header *h, struct sample_view *v)
{
	const struct rec_sample *s = (const struct rec_sample *)h;
	uint64_t var;

	if (h->type != REC_SAMPLE || check_size(h, sizeof(*s), 0))
		return -EBADMSG;
	var = 8ull * s->nregs + 8ull * s->ncallchain + s->stack_size;
	if (check_size(h, sizeof(*s), var))
		return -EBADMSG;
	v->s = s;
	v->regs = (const uint64_t *)(s + 1);
	v->callchain = v->regs + s->nregs;
	v->stack = (const uint8_t *)(v->callchain + s->ncallchain);
	return 0;
}

/* A NUL-terminated string that fills the rest of a record after `fixed` bytes. */
static const char *tail_str(const struct rec_header *h, size_t fixed)
{
	const char *p = (const char *)h + fixed;

	if (h->size <= fixed || !memchr(p, '\0', h->size - fixed))
		return NULL;
	return p;
}

int record_mmap(const struct rec_header *h, const struct rec_mmap **m, const char **filename)
{
	if (h->type != REC_MMAP || check_size(h, sizeof(**m), 1))
		return -EBADMSG;
	*m = (const struct rec_mmap *)h;
	*filename = tail_str(h, sizeof(**m));
	if (!*filename || (*m)->build_id_len > BUILD_ID_MAX)
		return -EBADMSG;
	return 0;
}

int record_comm(const struct rec_header *h, const struct rec_comm **c, const char **name)
{
	if (h->type != REC_COMM || check_size(h, sizeof(**c), 1))
		return -EBADMSG;
	*c = (const struct rec_comm *)h;
	*name = tail_str(h, sizeof(**c));
	return *name ? 0 : -EBADMSG;
}

int record_image(const struct rec_header *h, const struct rec_image **im, const char **name,
		 const uint8_t **bytes)
{
	const struct rec_image *i = (const struct rec_image *)h;
	uint64_t name_pad;

	if (h->type != REC_IMAGE || check_size(h, sizeof(*i), 0))
		return -EBADMSG;
	name_pad = ((uint64_t)i->name_len + 7) & ~7ull;
	if (!i->name_len || i->build_id_len > BUILD_ID_MAX ||
	    check_size(h, sizeof(*i), name_pad + i->size))
		return -EBADMSG;
	*name = (const char *)(i + 1);
	if ((*name)[i->name_len - 1] != '\0')
		return -EBADMSG;
	*bytes = (const uint8_t *)*name + name_pad;
	*im = i;
	return 0;
}

int record_ksym(const struct rec_header *h, const struct rec_ksym **k, const char **name)
{
	const struct rec_ksym *r = (const struct rec_ksym *)h;
	size_t room;

	if (h->type != REC_KSYM || check_size(h, sizeof(*r), 1) || r->end <= r->start)
		return -EBADMSG;
	room = h->size - sizeof(*r);
	*name = (const char *)(r + 1);
	if (!memchr(*name, '\0', room) || !**name)
		return -EBADMSG;
	*k = r;
	return 0;
}

int record_task_cpu(const struct rec_header *h, const struct rec_task_cpu **t)
{
	if (h->type != REC_TASK_CPU || check_size(h, sizeof(**t), 0))
		return -EBADMSG;
	*t = (const struct rec_task_cpu *)h;
	return 0;
}

int record_signal(const struct rec_header *h, const struct rec_signal **sig)
{
	if (h->type != REC_SIGNAL || check_size(h, sizeof(**sig), 0))
		return -EBADMSG;
	*sig = (const struct rec_signal *)h;
	return 0;
}

int record_wakeup(const struct rec_header *h, const struct rec_wakeup **wk)
{
	if (h->type != REC_WAKEUP || check_size(h, sizeof(**wk), 0))
		return -EBADMSG;
	*wk = (const struct rec_wakeup *)h;
	return 0;
}
