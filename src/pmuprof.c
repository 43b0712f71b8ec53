// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * pmuprof: the command table, global options and `pmuprof help`. Each
 * command parses its own options; main only dispatches and checks that
 * everything written to stdout reached it.
 */
#include "cmd/commands.h"
#include "util/error.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct cmd_struct {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
};

static const struct cmd_struct commands[] = {
	{ "annotate", cmd_annotate,
	  "show the hottest functions' instructions, each with its share of the samples" },
	{ "compare", cmd_compare,
	  "run a command under each sampler (pmu, itimer, ctimer) and compare them with the truth" },
	{ "diff", cmd_diff, "compare two recordings: what grew and what shrank, beyond the noise" },
	{ "list", cmd_list, "list the events libpfm4 knows and whether each can be counted here" },
	{ "record", cmd_record, "sample a command, process, thread or CPUs into pmuprof.data" },
	{ "report", cmd_report, "show the profile in a pmuprof.data file" },
	{ "script", cmd_script, "print every sample of a pmuprof.data file, as perf script does" },
	{ "stat", cmd_stat, "count events while a command runs, or in a process, thread or CPUs" },
	{ "timeline", cmd_timeline, "show what each thread did when: on and off CPU, bursts, periods" },
};

static void print_usage(FILE *f)
{
	fputs("usage: pmuprof [--version] [--help] COMMAND [ARGS]\n\ncommands:\n", f);
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
	fputs("  help       show the manual of pmuprof or of a command\n\n"
	      "'pmuprof COMMAND --help' lists a command's options; 'pmuprof help COMMAND' opens "
	      "its manual.\n",
	      f);
}

static const struct cmd_struct *find_command(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		if (!strcmp(commands[i].name, name))
			return &commands[i];
	return NULL;
}

/*
 * Opens the manual with man(1): the installed page, else the page next to
 * an uninstalled build (src/pmuprof -> man/) or in the source tree.
 */
static int cmd_help(int argc, char **argv)
{
	char page[64], path[PATH_MAX], exe[PATH_MAX];
	const char *dirs[2];
	ssize_t n;

	if (argc > 2) {
		error("help takes one command name, not %d words", argc - 1);
		return EXIT_USAGE;
	}
	if (argc == 2 && !find_command(argv[1])) {
		error("'%s' is not a pmuprof command (see 'pmuprof --help')", argv[1]);
		return EXIT_USAGE;
	}
	snprintf(page, sizeof(page), argc == 2 ? "pmuprof-%s" : "pmuprof", argv[1]);
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	exe[n > 0 ? n : 0] = '\0';
	if (n > 0 && strrchr(exe, '/'))
		*strrchr(exe, '/') = '\0';
	/* an uninstalled build shows its own pages, also when built outside the source tree */
	dirs[0] = exe;
	dirs[1] = !strcmp(exe, PMUPROF_BUILDDIR "/src") ? PMUPROF_SRCDIR "/src" : NULL;
	fflush(NULL);
	for (size_t i = 0; i < ARRAY_SIZE(dirs) && dirs[i]; i++) {
		snprintf(path, sizeof(path), "%s/../man/%s.1", dirs[i], page);
		if (!access(path, R_OK)) {
			execlp("man", "man", "-l", path, (char *)NULL);
			break;
		}
	}
	execlp("man", "man", "1", page, (char *)NULL);
	error("cannot run man to show '%s': %s (the page is in the source tree as man/%s.1)", page,
	      strerror(errno), page);
	return EXIT_FAIL;
}

int main(int argc, char **argv)
{
	const struct cmd_struct *cmd;
	int ret;

	if (argc < 2) {
		print_usage(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		print_usage(stdout);
		ret = EXIT_OK;
	} else if (!strcmp(argv[1], "--version")) {
		printf("pmuprof %s\n", PACKAGE_VERSION);
		ret = EXIT_OK;
	} else if (!strcmp(argv[1], "help")) {
		ret = cmd_help(argc - 1, argv + 1);
	} else if ((cmd = find_command(argv[1]))) {
		ret = cmd->fn(argc - 1, argv + 1);
	} else {
		error("'%s' is not a pmuprof command (see 'pmuprof --help')", argv[1]);
		return EXIT_USAGE;
	}
	/* a full disk or closed pipe on stdout must not look like success */
	if (fflush(stdout) || ferror(stdout) || fclose(stdout)) {
		if (errno != EPIPE)
			error_errno(errno, "cannot write to standard output");
		return EXIT_FAIL;
	}
	return ret;
}
