// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target: pmuprof report, script, annotate and diff over a
 * hostile data file, end to end. fuzz-datafile checks that the reader only hands out records
 * whose sizes hold; this checks what report makes of them: address spaces
 * from made-up maps (over the real objects of the machine they name),
 * thread names, stored images, kernel symbols, and the unwinder over
 * made-up registers and stack bytes, then the profile, the text report,
 * exports (pprof of the off-CPU view), --header with the views' totals,
 * the script output, and annotate reading and disassembling
 * the code the made-up samples point into.
 *
 * Build (contrib/test-all.sh does): clang -fsanitize=fuzzer,address,undefined
 * with every src/ file but src/pmuprof.c. Run with -close_fd_mask=1: the
 * commands print their output on stdout.
 */
#include "cmd/commands.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char path[4096];

static void run(int argc, const char **argv)
{
	/* the commands take char **: they do not write to their arguments */
	cmd_report(argc, (char **)argv);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	FILE *f;

	if (!path[0]) {
		const char *dir = getenv("TMPDIR");
		int fd;

		snprintf(path, sizeof(path), "%s/fuzz-report.XXXXXX", dir ? dir : "/tmp");
		fd = mkstemp(path);
		if (fd < 0)
			abort();
		close(fd);
	}
	f = fopen(path, "w");
	if (!f)
		abort();
	if (size && fwrite(data, 1, size, f) != size)
		abort();
	if (fclose(f))
		abort();
	{
		const char *report[] = { "report", "-i", path, "--percent-limit", "0", NULL };
		const char *folded[] = { "report", "-i", path, "--format", "folded", "-o",
					 "/dev/null", NULL };
		const char *offcpu[] = { "report", "-i", path, "--view", "off-cpu", "--format",
					 "pprof", "-o", "/dev/null", NULL };
		const char *header[] = { "report", "-i", path, "--header", "--view", "wall", NULL };
		const char *script[] = { "script", "-i", path, NULL };
		const char *annotate[] = { "annotate", "-i", path, "--color", "never", "--source",
					   NULL };
		const char *diff[] = { "diff", "--all", path, path, NULL };

		run(5, report);
		run(7, folded);
		run(9, offcpu);
		run(6, header);
		cmd_script(3, (char **)script);
		cmd_annotate(6, (char **)annotate);
		cmd_diff(4, (char **)diff);
	}
	return 0;
}
