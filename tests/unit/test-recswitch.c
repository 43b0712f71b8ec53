// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * record --switch-output's words and names: the option takes 'signal', a
 * bare number of seconds and times with units, and refuses perf's sizes,
 * too short a time and other words; the temporary and final names are
 * OUTPUT.writing-N and OUTPUT.YYYYmmddHHMMSSmmm (local time), a file is
 * renamed to the time it closed, never onto an existing file nor to a name
 * that does not come after the previous one.
 */
#include "collect/recswitch.h"
#include "tap.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void parse(void)
{
	static const struct {
		const char *arg;
		int ret;
		uint64_t ns;
	} cases[] = {
		{ "signal", 0, 0 },
		{ "1", 0, 1000000000ull },
		{ "0.5", 0, 500000000ull },
		{ "30s", 0, 30000000000ull },
		{ "250ms", 0, 250000000ull },
		{ "1m", 0, 60000000000ull },
		{ "2h", 0, 7200000000000ull },
		{ "1d", 0, 86400000000000ull },
		{ "0.05", -ERANGE, 0 },
		{ "0", -ERANGE, 0 },
		{ "400d", -ERANGE, 0 },
		{ "10M", -EOPNOTSUPP, 0 },
		{ "1G", -EOPNOTSUPP, 0 },
		{ "100B", -EOPNOTSUPP, 0 },
		{ "", -EINVAL, 0 },
		{ "sig", -EINVAL, 0 },
		{ "-1", -EINVAL, 0 },
		{ "1x", -EINVAL, 0 },
		{ "1 s", -EINVAL, 0 },
		{ "1sm", -EINVAL, 0 },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		uint64_t ns = 12345;
		int ret = recswitch_parse(cases[i].arg, &ns);
		char what[64];

		snprintf(what, sizeof(what), "'%s': the result", cases[i].arg);
		is_int(ret, cases[i].ret, what);
		if (!cases[i].ret)
			ok(ns == cases[i].ns, "'%s': %llu ns", cases[i].arg, (unsigned long long)ns);
	}
}

static void names(void)
{
	char buf[32], *t = recswitch_temp_name("dir/pmuprof.data", 3);

	is_str(t, "dir/pmuprof.data.writing-3", "the temporary name");
	free(t);
	setenv("TZ", "UTC", 1);
	/* 2026-12-07 16:03:07.193 UTC */
	recswitch_stamp(1796659387193ull, buf, sizeof(buf));
	is_str(buf, "20261207160307193", "the stamp: local time to the millisecond");
	recswitch_stamp(1796659387005ull, buf, sizeof(buf));
	is_str(buf, "20261207160307005", "milliseconds keep their zeros");
}

static bool exists(const char *dir, const char *name)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return access(path, F_OK) == 0;
}

static void make(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);

	if (fd >= 0)
		close(fd);
}

static void publish(void)
{
	char dir[] = "/tmp/pmuprof-test-recswitch.XXXXXX", out[256], *temp, *final = NULL;
	uint64_t last = 0, at = 1796659387193ull;

	if (!ok(mkdtemp(dir) != NULL, "a directory"))
		return;
	snprintf(out, sizeof(out), "%s/p.data", dir);
	temp = recswitch_temp_name(out, 1);
	make(temp);
	is_int(recswitch_publish(out, temp, at, &last, &final), 0, "the first file is published");
	ok(final && !strcmp(final + strlen(dir) + 1, "p.data.20261207160307193"),
	   "as OUTPUT.STAMP of the time it closed (%s)", final ? final : "none");
	ok(!exists(dir, "p.data.writing-1"), "its temporary name is gone");
	ok(last == at, "the time used is kept");
	free(final);
	final = NULL;

	/* closed in the same millisecond: the next one */
	make(temp);
	is_int(recswitch_publish(out, temp, at, &last, &final), 0, "a second file of the same ms");
	ok(final && !strcmp(final + strlen(dir) + 1, "p.data.20261207160307194"),
	   "takes the next millisecond (%s)", final ? final : "none");
	free(final);
	final = NULL;

	/* a name taken by something else is not replaced */
	snprintf(out + strlen(out), 32, ".20261207160307196");
	make(out);
	out[strlen(dir) + 7] = '\0';
	make(temp);
	last = at + 2;
	is_int(recswitch_publish(out, temp, at, &last, &final), 0, "a file whose name is taken");
	ok(final && !strcmp(final + strlen(dir) + 1, "p.data.20261207160307197"),
	   "goes to the next free name (%s)", final ? final : "none");
	free(final);
	final = NULL;

	is_int(recswitch_publish(out, temp, at, &last, &final), -ENOENT,
	       "a temporary file that is not there: ENOENT");
	free(temp);
	snprintf(out, sizeof(out), "rm -rf '%s'", dir);
	ok(system(out) == 0, "cleaned up");
}

int main(void)
{
	parse();
	names();
	publish();
	return done_testing();
}
