/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The catalogue of events `pmuprof list` shows: every event libpfm4 knows
 * for the PMUs it detected (copied out of event_foreach(), in its order),
 * with perf's spellings ("cycles", "cpu-cycles") folded onto the line of
 * the event they are an alias of, which entries a pattern selects, and,
 * when probed, which of them can be opened here and why the others cannot.
 * Opening an event is collect/'s: the caller hands in the probe, so that
 * this module stays below collect/ and a test can fake it.
 *
 * Nothing here prints. event_catalog_release() frees the entries and
 * every string in them. The layout is output/list.h's.
 */
#ifndef PMUPROF_EVENT_CATALOG_H
#define PMUPROF_EVENT_CATALOG_H

#include "util/compiler.h"

#include <linux/perf_event.h>
#include <stdbool.h>
#include <stddef.h>

enum event_status {
	EVENT_STATUS_UNPROBED,
	EVENT_STATUS_UMASK, /* cannot be encoded without a unit mask */
	EVENT_STATUS_YES,   /* can be counted here */
	EVENT_STATUS_USER,  /* in user space only */
	EVENT_STATUS_NO,    /* cannot be opened: see the catalogue's reasons */
};

struct event_entry {
	char *pmu, *pmu_desc, *name, *desc, *equiv, *umasks;
	bool generic;
	bool alias;    /* shown on the line of the event it is an alias of */
	char *names;   /* "cycles, cpu-cycles, perf::PERF_COUNT_HW_CPU_CYCLES" */
	bool selected; /* by event_catalog_select() */
	enum event_status status;
};

#define EVENT_CATALOG_REASONS 16

/* A distinct reason events could not be opened, for the footnotes. */
struct event_reason {
	int err;      /* -errno from the probe */
	size_t count; /* events it kept from opening */
	char *names;  /* the first few of them, ", " between */
};

struct event_catalog {
	struct event_entry *e;
	size_t nr, alloc;
	/* by event_catalog_probe(), over the selected entries */
	size_t openable, user_only;
	struct event_reason reasons[EVENT_CATALOG_REASONS]; /* in the order first met */
	size_t nreasons;
};

/* Every event of the detected PMUs (libpfm4 initialised: event_lib_init()); 0 or -errno. */
int event_catalog_init(struct event_catalog *c);
void event_catalog_release(struct event_catalog *c);

/*
 * Selects the entries pattern matches (NULL: all), aliases aside, and
 * returns how many. A pattern with * ? or [ is a glob on each of an entry's
 * names, with or without its "pmu::" (case ignored); else a substring of
 * its names or its description.
 */
size_t event_catalog_select(struct event_catalog *c, const char *pattern);

/*
 * Encodes each selected entry and tries to open it with probe (0, *user_only
 * set when only user space can be counted, or -errno), setting its status
 * and the catalogue's counts and reasons.
 */
void event_catalog_probe(struct event_catalog *c,
			 int (*probe)(const struct perf_event_attr *attr, bool *user_only));

/* An event's name without its "pmu::". */
const char *event_bare_name(const char *name);

/* Whether the kernel exposes a hardware (core) PMU at all. */
bool event_have_core_pmu(void);

#endif
