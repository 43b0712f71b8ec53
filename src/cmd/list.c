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

#include <dirent.h>
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

struct list_state {
	const char *pattern;
	bool glob;
	bool available_only;
	bool probe;
	const char *pmu; /* the PMU whose heading was printed last */
	size_t shown, openable, user_only;
};

static bool matches(const struct list_state *st, const struct event_info *info)
{
	const char *bare;

	if (!st->pattern)
		return true;
	bare = strstr(info->name, "::");
	if (st->glob)
		return !fnmatch(st->pattern, info->name, FNM_CASEFOLD) ||
		       (bare && !fnmatch(st->pattern, bare + 2, FNM_CASEFOLD));
	return strcasestr(info->name, st->pattern) || (info->desc && strcasestr(info->desc,
										   st->pattern));
}

static int list_one(const struct event_info *info, void *arg)
{
	struct list_state *st = arg;
	struct perf_event_attr attr;
	const char *status = "-";
	const char *detail = NULL;
	bool user_only = false;
	char *fstr = NULL;
	int ret;

	if (!matches(st, info))
		return 0;
	if (st->probe) {
		memset(&attr, 0, sizeof(attr));
		ret = event_encode(info->name, &attr, &fstr, &detail);
		free(fstr);
		if (ret < 0) {
			status = info->umasks ? "umask" : "no";
		} else {
			ret = counter_probe(&attr, &user_only);
			status = ret == 0 ? (user_only ? "user" : "yes") : "no";
			if (ret < 0)
				detail = explain_perf_error(ret, false);
		}
		if (ret == 0) {
			st->openable++;
			st->user_only += user_only;
		} else if (st->available_only) {
			return 0;
		}
	}
	if (st->pmu != info->pmu) {
		printf("%s%s (%s::)\n", st->shown ? "\n" : "", info->pmu_desc, info->pmu);
		st->pmu = info->pmu;
	}
	st->shown++;
	printf("  %-5s %-34s", st->probe ? status : "", info->name);
	if (info->equiv)
		printf(" = %s", info->equiv);
	else if (info->desc && strcasecmp(info->desc, info->name) &&
		 (!strstr(info->name, "::") || strcmp(info->desc, strstr(info->name, "::") + 2)))
		printf(" %s", info->desc);
	putchar('\n');
	if (info->umasks)
		printf("  %-5s %-34s unit masks: %s\n", "", "", info->umasks);
	if (st->probe && detail && strcmp(status, "umask"))
		printf("  %-5s %-34s %s\n", "", "", detail);
	return 0;
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

int cmd_list(int argc, char **argv)
{
	struct list_state st = { .probe = true };
	struct cmd_parser p;
	const char *detail;
	char *arg;
	int c;

	cmd_parser_init(&p, "list", "[options] [PATTERN]", list_options, ARRAY_SIZE(list_options),
			argc, argv);
	while ((c = cmd_next_option(&p, &arg)) != -1) {
		switch (c) {
		case OPT_AVAILABLE:
			st.available_only = true;
			break;
		case OPT_NO_PROBE:
			st.probe = false;
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
	if (st.available_only && !st.probe) {
		error("--available needs probing: drop --no-probe");
		return EXIT_USAGE;
	}
	if (optind < argc) {
		st.pattern = argv[optind];
		st.glob = strpbrk(st.pattern, "*?[") != NULL;
	}
	if (event_lib_init(&detail) < 0)
		return error("cannot initialise libpfm4: %s", detail ? detail : "unknown error"),
		       EXIT_FAIL;
	printf("# events known to libpfm4 %s%s\n", event_lib_version(),
	       st.probe ? "; first column: can it be counted here (yes; user: user space only; "
			  "no; umask: name a unit mask)"
			: "");
	event_foreach(list_one, &st);
	if (st.pattern && !st.shown) {
		error("no event matches '%s' (try a shorter pattern, or 'pmuprof list' for all)",
		      st.pattern);
		return EXIT_FAIL;
	}
	printf("\n# %zu events shown", st.shown);
	if (st.probe)
		printf(", %zu can be counted here%s", st.openable,
		       st.user_only ? " (some in user space only)" : "");
	putchar('\n');
	if (!have_core_pmu())
		printf("# no hardware PMU is visible (/sys/bus/event_source/devices has no cpu): "
		       "hardware events such as cycles and instructions cannot be counted here; "
		       "software events such as cpu-clock and task-clock can\n");
	return EXIT_OK;
}
