// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * pmuprof list: the events libpfm4 knows for the PMUs it detected, each
 * probed with perf_event_open, so a user sees at once what can be counted
 * on this machine (in a VM without a PMU: no cycles, but cpu-clock).
 */
#include "cmd/commands.h"
#include "cmd/common.h"
#include "collect/counter.h"
#include "event/event.h"
#include "util/alloc.h"
#include "util/error.h"

#include <errno.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

enum {
	OPT_AVAILABLE = OPT_LONG_BASE,
	OPT_NO_PROBE,
};

static const struct cmd_option list_options[] = {
	{ OPT_AVAILABLE, "available", NULL, "show only events that can be counted here" },
	{ OPT_NO_PROBE, "no-probe", NULL, "do not try to open each event" },
	{ 'h', "help", NULL, "show this help" },
};

/* One libpfm4 event, copied out of event_foreach(). */
struct entry {
	char *pmu, *pmu_desc, *name, *desc, *equiv, *umasks;
	bool generic;
	bool alias;	/* shown on the line of the event it is an alias of */
	char *names;	/* "cycles, cpu-cycles, perf::PERF_COUNT_HW_CPU_CYCLES" */
};

struct entries {
	struct entry *e;
	size_t nr, alloc;
};

static char *dup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

static int collect(const struct event_info *info, void *arg)
{
	struct entries *es = arg;
	struct entry *e;

	xgrow(&es->e, &es->alloc, es->nr + 1, sizeof(*es->e));
	e = &es->e[es->nr++];
	e->pmu = xstrdup(info->pmu);
	e->pmu_desc = xstrdup(info->pmu_desc);
	e->name = xstrdup(info->name);
	e->desc = dup_or_null(info->desc);
	e->equiv = dup_or_null(info->equiv);
	e->umasks = dup_or_null(info->umasks);
	e->generic = info->generic;
	return 0;
}

static const char *bare(const char *name)
{
	const char *p = strstr(name, "::");

	return p ? p + 2 : name;
}

/*
 * libpfm4 lists perf's spellings ("cycles", "cpu-cycles") as events of their
 * own that are equivalent to a canonical one; fold them onto its line,
 * perf's spelling first.
 */
static void fold_aliases(struct entries *es)
{
	for (size_t i = 0; i < es->nr; i++) {
		struct entry *canon = &es->e[i];
		size_t len = strlen(canon->name) + 1;
		char *p;

		if (canon->equiv)
			continue;
		for (size_t j = 0; j < es->nr; j++) {
			struct entry *a = &es->e[j];

			if (a->equiv && !strcmp(a->pmu, canon->pmu) &&
			    !strcasecmp(a->equiv, bare(canon->name))) {
				a->alias = true;
				len += strlen(a->name) + 2;
			}
		}
		canon->names = p = xmalloc(len);
		*p = '\0';
		for (size_t j = 0; j < es->nr; j++) {
			struct entry *a = &es->e[j];

			if (a->alias && !strcmp(a->pmu, canon->pmu) &&
			    !strcasecmp(a->equiv, bare(canon->name)))
				p += sprintf(p, "%s, ", a->name);
		}
		strcpy(p, canon->name);
	}
	for (size_t i = 0; i < es->nr; i++)
		if (!es->e[i].names)
			es->e[i].names = xstrdup(es->e[i].name);
}

static bool matches(const char *pattern, bool glob, const struct entry *e)
{
	char *names, *tok, *save = NULL;
	bool hit = false;

	if (!pattern)
		return true;
	if (!glob)
		return strcasestr(e->names, pattern) || (e->desc && strcasestr(e->desc, pattern));
	names = xstrdup(e->names);
	for (tok = strtok_r(names, ", ", &save); tok && !hit; tok = strtok_r(NULL, ", ", &save))
		hit = !fnmatch(pattern, tok, FNM_CASEFOLD) ||
		      !fnmatch(pattern, bare(tok), FNM_CASEFOLD);
	free(names);
	return hit;
}

/* Distinct reasons events could not be opened, for the footnotes. */
struct reasons {
	int err[16];
	size_t count[16];
	char *names[16];
	size_t nr;
};

static void add_reason(struct reasons *r, int err, const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < r->nr && r->err[i] != err; i++)
		;
	if (i == r->nr) {
		if (r->nr == ARRAY_SIZE(r->err))
			return;
		r->err[i] = err;
		r->count[i] = 0;
		r->names[i] = xstrdup("");
		r->nr++;
	}
	if (r->count[i] < 4) {
		char *s = xasprintf("%s%s%.*s", r->names[i], r->count[i] ? ", " : "", (int)len,
				    name);

		free(r->names[i]);
		r->names[i] = s;
	}
	r->count[i]++;
}

/* Whether the kernel exposes a hardware (core) PMU at all. */
static bool have_core_pmu(void)
{
	static const char *const names[] = { "cpu", "cpu_core", "cpu_atom", "armv8_pmuv3" };

	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		char path[128];

		snprintf(path, sizeof(path), "/sys/bus/event_source/devices/%s", names[i]);
		if (!access(path, F_OK))
			return true;
	}
	return false;
}

struct list_opts {
	const char *pattern;
	bool glob;
	bool available_only;
	bool probe;
};

static int print_list(const struct list_opts *o, struct entries *es)
{
	struct reasons reasons = { .nr = 0 };
	const char *pmu = NULL;
	size_t shown = 0, openable = 0, user_only = 0, matching = 0;

	for (size_t i = 0; i < es->nr; i++)
		matching += !es->e[i].alias && matches(o->pattern, o->glob, &es->e[i]);
	if (!matching) {
		error("no event matches '%s' (try a shorter pattern, or 'pmuprof list' for all)",
		      o->pattern);
		return EXIT_FAIL;
	}
	if (o->probe)
		printf("# events libpfm4 knows for the PMUs it detected; first column: can the "
		       "event be counted here? yes; user: in user space only; no: see the notes "
		       "at the end; umask: add a unit mask\n");
	else
		printf("# events libpfm4 knows for the PMUs it detected\n");
	for (size_t i = 0; i < es->nr; i++) {
		const struct entry *e = &es->e[i];
		const char *status = "";
		bool user = false;

		if (e->alias || !matches(o->pattern, o->glob, e))
			continue;
		if (o->probe) {
			struct perf_event_attr attr;
			const char *detail;
			char *fstr = NULL;
			int ret;

			memset(&attr, 0, sizeof(attr));
			ret = event_encode(e->name, &attr, &fstr, &detail);
			free(fstr);
			if (ret < 0) {
				status = "umask";
			} else {
				ret = counter_probe(&attr, &user);
				status = ret == 0 ? (user ? "user" : "yes") : "no";
				if (ret < 0)
					add_reason(&reasons, ret, e->names,
						   strcspn(e->names, ","));
			}
			if (ret == 0) {
				openable++;
				user_only += user;
			} else if (o->available_only) {
				continue;
			}
		}
		if (!pmu || strcmp(pmu, e->pmu)) {
			printf("\n%s (%s::)\n", e->pmu_desc, e->pmu);
			pmu = e->pmu;
		}
		shown++;
		printf("  %-5s %s", status, e->names);
		if (e->equiv)
			printf("  [= %s]", e->equiv);
		else if (e->desc && strcasecmp(e->desc, bare(e->name)))
			printf("  [%s]", e->desc);
		putchar('\n');
		if (e->umasks)
			printf("  %-5s   unit masks: %s\n", "", e->umasks);
	}
	printf("\n# %zu events shown", shown);
	if (o->probe)
		printf(", %zu can be counted here%s", openable,
		       user_only ? " (some in user space only)" : "");
	putchar('\n');
	for (size_t i = 0; i < reasons.nr; i++) {
		printf("# no (%zu event%s, such as %s): %s\n", reasons.count[i],
		       reasons.count[i] == 1 ? "" : "s", reasons.names[i],
		       reasons.err[i] == -ENOENT
			       ? "the kernel has no such event here (no hardware PMU, as in most "
				 "virtual machines)"
			       : explain_perf_error(reasons.err[i], false));
		free(reasons.names[i]);
	}
	if (!have_core_pmu())
		printf("# no hardware PMU is visible (/sys/bus/event_source/devices has no cpu): "
		       "hardware events such as cycles and instructions cannot be counted here; "
		       "software events such as cpu-clock and task-clock can\n");
	return EXIT_OK;
}

int cmd_list(int argc, char **argv)
{
	struct list_opts o = { .probe = true };
	struct entries es = { 0 };
	struct cmd_parser p;
	const char *detail;
	char *arg;
	int c, ret;

	cmd_parser_init(&p, "list", "[options] [PATTERN]", list_options, ARRAY_SIZE(list_options),
			argc, argv);
	while ((c = cmd_next_option(&p, &arg)) != -1) {
		switch (c) {
		case OPT_AVAILABLE:
			o.available_only = true;
			break;
		case OPT_NO_PROBE:
			o.probe = false;
			break;
		case 'h':
			cmd_print_help(&p, stdout);
			cmd_parser_release(&p);
			return EXIT_OK;
		default:
			cmd_parser_release(&p);
			return EXIT_USAGE;
		}
	}
	cmd_parser_release(&p);
	if (argc - optind > 1) {
		error("list takes at most one PATTERN, not %d (quote a pattern with spaces)",
		      argc - optind);
		return EXIT_USAGE;
	}
	if (o.available_only && !o.probe) {
		error("--available needs probing: drop --no-probe");
		return EXIT_USAGE;
	}
	if (optind < argc) {
		o.pattern = argv[optind];
		o.glob = strpbrk(o.pattern, "*?[") != NULL;
	}
	if (event_lib_init(&detail) < 0) {
		error("cannot initialise libpfm4: %s", detail ? detail : "unknown error");
		return EXIT_FAIL;
	}
	event_foreach(collect, &es);
	fold_aliases(&es);
	ret = print_list(&o, &es);
	for (size_t i = 0; i < es.nr; i++) {
		struct entry *e = &es.e[i];

		free(e->pmu);
		free(e->pmu_desc);
		free(e->name);
		free(e->desc);
		free(e->equiv);
		free(e->umasks);
		free(e->names);
	}
	free(es.e);
	return ret;
}
