/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Signals and wakeups from the kernel's tracepoints, for record --off-cpu:
 * signal:signal_generate, signal:signal_deliver, sched:sched_wakeup and
 * sched:sched_wakeup_new, opened on every CPU (pid -1: a signal sent by
 * another program, a wakeup from an interrupt, happen in whatever context
 * ran), all four into one ring per CPU. Each sample carries TID, TIME, CPU
 * and the tracepoint's raw data, whose fields are found by the offsets in
 * the tracepoint's tracefs `format` file; the first field, common_type,
 * says which tracepoint it is.
 *
 * Reading raw tracepoint data on every CPU needs root, CAP_PERFMON, or
 * kernel.perf_event_paranoid -1; the ids and formats need a readable
 * tracefs (/sys/kernel/tracing or /sys/kernel/debug/tracing).
 *
 * Functions return 0 or -errno and never print. The raw data is parsed as
 * hostile: every field is checked against the record's size.
 */
#ifndef PMUPROF_TRACEEV_H
#define PMUPROF_TRACEEV_H

#include "collect/sampler.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum traceev_tp {
	TRACEEV_SIGNAL_GENERATE,
	TRACEEV_SIGNAL_DELIVER,
	TRACEEV_WAKEUP,
	TRACEEV_WAKEUP_NEW,
	TRACEEV_NTP,
};

/* "signal/signal_generate", ...: the tracepoints' directories under events/ */
extern const char *const traceev_names[TRACEEV_NTP];

/* The fields pmuprof reads. */
enum traceev_field {
	TF_COMMON_TYPE,
	TF_SIG,
	TF_CODE,
	TF_PID,
	TF_GROUP,
	TF_RESULT,
	TF_TARGET_CPU,
	TF_NFIELDS,
};

struct traceev_slot {
	uint16_t offset, size; /* size 0: the tracepoint has no such field */
	bool is_signed;
};

/* One tracepoint's id and where its fields are, from its format file. */
struct traceev_format {
	uint32_t id;
	bool have_id;
	struct traceev_slot f[TF_NFIELDS];
};

/*
 * Parses the text of a tracefs `format` file: its ID line and the fields
 * that pmuprof reads (others are skipped). -EINVAL when there is no ID, a
 * field line does not parse, or a field has a size other than 1, 2, 4 or 8
 * (a char array such as comm is skipped).
 */
int traceev_parse_format(const char *text, struct traceev_format *f);

struct traceev_layout {
	struct traceev_format tp[TRACEEV_NTP];
};

/*
 * The four formats from the first readable tracefs. -ENOENT, -EACCES: no
 * tracefs this user may read (*dir then names the one tried); -EINVAL: a
 * format lacks a field pmuprof needs. *dir gets the directory (static).
 */
int traceev_load(struct traceev_layout *lay, const char **dir);
/* Fills lay from four format texts (in enum traceev_tp order); for tests and traceev_load(). */
int traceev_layout_from_text(struct traceev_layout *lay, const char *const text[TRACEEV_NTP]);

/* One decoded tracepoint record. */
struct traceev_event {
	enum traceev_tp tp;
	int32_t sig, code, result; /* signals */
	bool group;		   /* generation: sent to the whole process */
	uint32_t tid;		   /* generation: the receiver; wakeups: the woken thread */
	uint32_t target_cpu;	   /* wakeups */
};

/*
 * Decodes len bytes of a sample's raw data. -ENOENT: not one of the four
 * tracepoints; -EBADMSG: a field lies outside the data.
 */
int traceev_decode(const struct traceev_layout *lay, const uint8_t *raw, size_t len,
		   struct traceev_event *ev);

/*
 * Opens the four tracepoints of lay on every online CPU into s, one ring of
 * *pages pages per CPU (updated to what was mapped), disabled until
 * sampler_enable(). -EACCES or -EPERM: this user may not read them.
 */
int traceev_open(struct sampler *s, const struct traceev_layout *lay, size_t *pages);

#endif
