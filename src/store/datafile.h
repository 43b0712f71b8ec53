/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Writing and reading pmuprof.data (layout in store/format.h). The reader
 * also opens perf.data files, by their magic, and hands out their records
 * converted by store/perfdata.h, so that every reader of recordings serves
 * both. The store is the only stage that uses zstd (this module and
 * perfdata.c, for perf record -z). The writer fills frames of records in memory,
 * compresses each into an independent zstd frame and appends it with one
 * write, so a crash loses at most the frame being filled. The reader treats
 * every byte as hostile: it checks each size against the file and caps what
 * it allocates, and reports a file that ends early as truncated.
 *
 * Neither prints; both return 0 or -errno (-EBADMSG for a corrupt file).
 */
#ifndef PMUPROF_DATAFILE_H
#define PMUPROF_DATAFILE_H

#include "util/compiler.h"
#include "store/format.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- writing --------------------------------------------------------- */

struct data_writer;

/*
 * Creates `path` with mode 0600 after renaming an existing file to
 * `path`.old (-EISDIR, -EINVAL: path is a directory or not a regular
 * file). The path is walked as util/safefile.h walks an output's: -EPERM
 * for another user's symbolic link or file in a sticky directory that
 * others may write. Key/value metadata may be added until the first record.
 */
int data_writer_open(const char *path, struct data_writer **out);
/*
 * The file's version, 1 unless set (PMUPROF_VERSION_KINDS for samples of
 * other kinds); never lowered. The writer sets PMUPROF_VERSION_DELTA itself
 * with its first frame of coded stacks.
 */
int data_writer_set_version(struct data_writer *w, uint32_t version);
/*
 * Codes each sample's stack copy as a difference from the same thread's
 * previous copy in the frame (format.h, FRAME_STACK_DELTA): sp_index is the
 * stack pointer's place among the samples' registers. Before the first
 * record; -EINVAL after. Samples without that register or a stack are
 * written as they are.
 */
int data_writer_stack_delta(struct data_writer *w, unsigned int sp_index);
int data_writer_meta(struct data_writer *w, const char *key, const void *val, size_t len);
int data_writer_meta_str(struct data_writer *w, const char *key, const char *val);
int data_writer_meta_u64(struct data_writer *w, const char *key, uint64_t val);
/*
 * Room for a record of `size` bytes (a multiple of 8) in the current frame,
 * zeroed; fill it, then data_writer_commit(). NULL after a write error.
 */
void *data_writer_reserve(struct data_writer *w, size_t size);
int data_writer_commit(struct data_writer *w, uint64_t time);
/* Writes the frame being filled, the statistics, the index and the trailer, and closes. */
int data_writer_finish(struct data_writer *w);
/* Statistics written by data_writer_finish(); may be called at any time. */
int data_writer_stat(struct data_writer *w, const char *key, const void *val, size_t len);
int data_writer_stat_u64(struct data_writer *w, const char *key, uint64_t val);
/* The first write error (-ENOSPC, -EFBIG, ...), or 0. Once set, records are dropped. */
int data_writer_error(const struct data_writer *w);
uint64_t data_writer_bytes(const struct data_writer *w);
/* Samples in frames that reached the file (not those lost to a write error). */
uint64_t data_writer_samples(const struct data_writer *w);
/* Removes the file and puts back the one data_writer_open() renamed to .old. */
void data_writer_abandon(struct data_writer *w);
void data_writer_close(struct data_writer *w); /* after finish, or to abandon */

/* ---- reading --------------------------------------------------------- */

struct data_reader;

/* One record as read; `rec` points into the reader's frame buffer until the next call. */
struct data_record {
	const struct rec_header *rec;
	enum frame_type frame; /* META, RECORDS or STATS */
};

/*
 * Opens and checks the header; reads the metadata and, if the file was
 * finished, the statistics. -ENOENT etc. from open, -EBADMSG for a file
 * that is not pmuprof data or is corrupt, -ENODATA for an empty file,
 * -EPROTONOSUPPORT for a newer version. *detail gets a static explanation.
 */
int data_reader_open(const char *path, struct data_reader **out, const char **detail);
void data_reader_close(struct data_reader *r);

/* Metadata and statistics by key; NULL when absent. */
const void *data_reader_meta(const struct data_reader *r, const char *key, size_t *len);
/* A metadata string, or NULL. The value is NUL-terminated by the reader. */
const char *data_reader_meta_str(const struct data_reader *r, const char *key);
bool data_reader_meta_u64(const struct data_reader *r, const char *key, uint64_t *val);
const void *data_reader_stat(const struct data_reader *r, const char *key, size_t *len);
bool data_reader_stat_u64(const struct data_reader *r, const char *key, uint64_t *val);

/*
 * The next record of the RECORDS frames, in file order. Returns 1 with a
 * record, 0 at the end, or -EBADMSG (with *detail) when a frame is corrupt;
 * records before it were all delivered. Samples come with their stacks
 * decoded (FRAME_STACK_DELTA), one at a time as they are asked for: such a
 * sample lasts until the next call, other records until the frame ends. A
 * frame whose coded stacks do not decode gives its records up to the
 * damage, then the error (*detail names the frame's offset, and lasts
 * until the next call).
 */
int data_reader_next(struct data_reader *r, struct data_record *out, const char **detail);
/*
 * From now on, hand out no samples (a reader after maps, names and
 * images): RECORDS frames that hold samples only are stepped over without
 * decompressing them (frames of older files are not marked, and are
 * read), and coded stacks are not decoded.
 */
void data_reader_skip_samples(struct data_reader *r, bool skip);
/*
 * perf.data keeps no statistics: reads its records through once, without
 * samples, so that data_reader_stat() and data_reader_truncated() say what
 * a pmuprof file's trailer would, then rewinds. 0 (also for pmuprof files,
 * which have them), or -EBADMSG with *detail for damage.
 */
int data_reader_scan(struct data_reader *r, const char **detail);
/* True when the file ends without a trailer (the recorder was killed) or mid-frame. */
bool data_reader_truncated(const struct data_reader *r);
uint64_t data_reader_file_size(const struct data_reader *r);
uint32_t data_reader_nframes(const struct data_reader *r);
uint32_t data_reader_version(const struct data_reader *r);

/* Reads again from the first frame after the metadata, as just after data_reader_open(). */
void data_reader_rewind(struct data_reader *r);

/*
 * Frames decoded apart from their reader, on several threads: one thread
 * at a time takes the next RECORDS frame from the reader as stored
 * (data_reader_take_frame(), which leaves the reader where
 * data_reader_next() would be after it), and any thread decodes it with a
 * decoder of its own. Every frame decodes on its own.
 */
struct data_frame {
	uint8_t *cdata;	     /* its compressed bytes */
	size_t csize, calloc;
	uint32_t rsize;	     /* what they decode to */
	uint32_t index;	     /* the frame's number in the file (META is 0) */
	uint32_t flags;	     /* its header's (format.h: FRAME_STACK_DELTA) */
	uint64_t offset;     /* of its header in the file */
};

/*
 * The next RECORDS frame into f (its buffer reused): 1, 0 at the end
 * (data_reader_truncated() then says whether the file was cut), or
 * -EBADMSG with *detail for a damaged frame header.
 */
int data_reader_take_frame(struct data_reader *r, struct data_frame *f, const char **detail);
void data_frame_release(struct data_frame *f); /* frees its buffer */

struct data_decoder;

struct data_decoder *data_decoder_new(void);
void data_decoder_free(struct data_decoder *d); /* NULL is a no-op */
/*
 * Loads f, its coded stacks decoded as data_decoder_next() reaches them: 0, or -EBADMSG with
 * *detail (data_reader_next()'s words). A frame converted from perf.data is read in place: f
 * must stay as it is until its records are done.
 */
int data_decoder_load(struct data_decoder *d, const struct data_frame *f, const char **detail);
/*
 * The next record of the frame loaded: 1, 0 at its end, or -EBADMSG with
 * *detail when a record does not fit the frame or its coded stacks do not
 * decode (the records before it were all given). A sample with a coded
 * stack lasts until the next call, other records until the next load.
 */
int data_decoder_next(struct data_decoder *d, struct data_record *out, const char **detail);

/*
 * Typed views of records, each checking sizes against the record: 0 or
 * -EBADMSG. Pointers in the views point into the record.
 */
struct sample_view {
	const struct rec_sample *s;
	const uint64_t *regs;
	const uint64_t *callchain;
	const uint8_t *stack;
};
int record_sample(const struct rec_header *h, struct sample_view *v);
int record_mmap(const struct rec_header *h, const struct rec_mmap **m, const char **filename);
int record_comm(const struct rec_header *h, const struct rec_comm **c, const char **name);
int record_image(const struct rec_header *h, const struct rec_image **im, const char **name,
		 const uint8_t **bytes);
int record_ksym(const struct rec_header *h, const struct rec_ksym **k, const char **name);
int record_task_cpu(const struct rec_header *h, const struct rec_task_cpu **t);
int record_signal(const struct rec_header *h, const struct rec_signal **sig);
int record_wakeup(const struct rec_header *h, const struct rec_wakeup **wk);

/* Bytes a record needs: `fixed` plus `var` rounded up to 8. */
static inline size_t record_size(size_t fixed, size_t var)
{
	return (fixed + var + 7) & ~(size_t)7;
}

/*
 * A REC_KV record of key and value (META and STATS frames) into dst, which
 * holds record_size(sizeof(struct rec_kv), strlen(key) + len) bytes, zeroed.
 */
void record_kv_fill(void *dst, const char *key, const void *val, size_t len, enum kv_kind kind);

#endif
