/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Event strings to perf_event_attr. This is the only module that includes
 * libpfm4: it parses the user's event lists ("cycles,instructions:u",
 * "{task-clock,page-faults}") into specs with encoded attrs, lists the events
 * libpfm4 knows, and suggests names close to a misspelt one.
 *
 * Functions return 0 or a negative errno-style code and never print.
 */
#ifndef PMUPROF_EVENT_H
#define PMUPROF_EVENT_H

#include "util/compiler.h"

#include <linux/perf_event.h>
#include <stdbool.h>

struct event_spec {
	char *name;	/* as the user wrote it, perf-style modifiers kept */
	char *fstr;	/* libpfm4's fully qualified string */
	struct perf_event_attr attr;
	int group;	/* index of the group; an ungrouped event has a group of its own */
	bool explicit_plm; /* the user chose privilege levels (:u, :k, :h) */
};

struct event_list {
	struct event_spec *ev;
	size_t nr, alloc;
	int ngroups;
};

enum event_err_kind {
	EVENT_ERR_NONE,
	EVENT_ERR_UNKNOWN,	  /* no such event: see event_suggest() */
	EVENT_ERR_ENCODE,	  /* known event, bad modifier or unit mask: see .detail */
	EVENT_ERR_EMPTY,	  /* empty event name at .column */
	EVENT_ERR_GROUP_OPEN,	  /* '{' at .column never closed */
	EVENT_ERR_GROUP_CLOSE,	  /* '}' at .column without '{' */
	EVENT_ERR_GROUP_NESTED,	  /* '{' at .column inside a group */
	EVENT_ERR_GROUP_TRAILING, /* junk after '}' at .column */
	EVENT_ERR_LIBRARY,	  /* libpfm4 could not be initialised: see .detail */
};

/* Filled on a parse failure; release with event_error_release(). */
struct event_error {
	enum event_err_kind kind;
	char *token;	    /* the event name involved, if any */
	int column;	    /* 1-based position in the string */
	const char *detail; /* libpfm4's text (static) */
};

/* Opens (util/dynlib.h) and initialises libpfm4 once; later calls return the first result. */
int event_lib_init(const char **detail);

/* Appends the events of `str` to `list`. On error, fills `err` and leaves `list` as it was. */
int event_list_parse(struct event_list *list, const char *str, struct event_error *err);
void event_list_release(struct event_list *list);
void event_error_release(struct event_error *err);

/* Encodes one event name into *attr (only the fields libpfm4 knows are touched). */
int event_encode(const char *name, struct perf_event_attr *attr, char **fstr,
		 const char **detail);

/*
 * Up to `max` known event names close to `bad`, best first, as newly
 * allocated strings the caller frees. Returns how many were written.
 */
size_t event_suggest(const char *bad, char **out, size_t max);

/* One event of a detected PMU, as event_foreach() hands it out. */
struct event_info {
	const char *pmu;      /* libpfm4 PMU name, e.g. "perf" */
	const char *pmu_desc; /* e.g. "perf_events generic PMU" */
	const char *name;     /* the event name to type, e.g. "cycles" or "skx::INST_RETIRED" */
	const char *desc;
	const char *equiv;    /* the event this one is an alias of, or NULL */
	const char *umasks;   /* space-separated unit masks, or NULL */
	bool generic;	      /* part of libpfm4's generic perf PMU */
};

/* Calls fn for every event of every detected PMU; stops when fn returns non-zero. */
int event_foreach(int (*fn)(const struct event_info *info, void *arg), void *arg);

#endif
