/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * perf.data as a source of pmuprof records: perf record's files (and the
 * stream of `perf record -o -`) are read and their records turned into
 * store/format.h's, so that everything after the store stage serves them
 * as it serves pmuprof's own recordings. The data reader (datafile.h)
 * opens a file by its magic and hands out what this module converts.
 *
 * What is kept: the header's features (command line, hostname, OS release,
 * architecture, CPU, event names, build-ids), the attributes of the first
 * event that samples, and its samples (ip, pid/tid, time, cpu, period,
 * callchain, user registers, user stack copy; an LBR call stack becomes the
 * user part of the callchain); COMM, MMAP, MMAP2, FORK, EXIT, LOST,
 * LOST_SAMPLES, THROTTLE and UNTHROTTLE; PERF_RECORD_COMPRESSED (perf
 * record -z) is decompressed as the records are read. Samples of other
 * events are counted, not converted.
 *
 * Every byte is hostile: sizes are checked against the record and the
 * file, allocations are capped. Nothing prints; 0 or -errno, -EBADMSG with
 * a static explanation in *detail.
 */
#ifndef PMUPROF_PERFDATA_H
#define PMUPROF_PERFDATA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PERFDATA_MAGIC "PERFILE2"

struct perf_source;

/*
 * Reads the header, attributes and features of the perf.data open at fd
 * (size bytes), which stays mapped read-only until perf_source_free(); the
 * caller closes fd when it likes.
 */
int perf_source_open(int fd, uint64_t size, struct perf_source **out, const char **detail);
void perf_source_free(struct perf_source *ps); /* NULL is a no-op */

/* What the file says of itself as REC_KV records, as a META frame holds them. */
const uint8_t *perf_source_meta(const struct perf_source *ps, size_t *len);
/*
 * Counts of what was read (samples, lost-ring, lost-samples, throttled,
 * unthrottled, malformed, perf-other-samples) as REC_KV records, once the
 * records were all read (else NULL).
 */
const uint8_t *perf_source_stats(const struct perf_source *ps, size_t *len);

/*
 * Converts the next records into *buf (grown as needed, *alloc its size):
 * about `want` bytes of them, each padded to 8 bytes. 1 with *len bytes, 0
 * at the end, -EBADMSG with *detail when the data is damaged there (the
 * records before it were all given). With skip_samples, samples are
 * counted but not converted.
 */
int perf_source_next(struct perf_source *ps, uint8_t **buf, size_t *alloc, size_t *len,
		     size_t want, bool skip_samples, const char **detail);
/* From the first record again. */
void perf_source_rewind(struct perf_source *ps);
/* The data ended inside a record (perf was killed, or the file was cut). */
bool perf_source_truncated(const struct perf_source *ps);

#endif
