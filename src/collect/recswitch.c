// SPDX-License-Identifier: GPL-2.0-or-later
#include "collect/recswitch.h"
#include "util/alloc.h"
#include "util/parse.h"
#include "util/safefile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define MAX_NS (366ull * 86400 * 1000000000)
/* tries of the next millisecond when a name is taken (another recording into the same OUTPUT) */
#define NAME_TRIES 1000

int recswitch_parse(const char *arg, uint64_t *every_ns)
{
	static const struct parse_unit units[] = {{"", 1e9},   {"ms", 1e6},   {"s", 1e9},
						  {"m", 60e9}, {"h", 3600e9}, {"d", 86400e9}};
	const char *end;
	int ret;

	if (!strcmp(arg, "signal")) {
		*every_ns = 0;
		return 0;
	}
	ret = parse_time_units(arg, units, ARRAY_SIZE(units), (double)MAX_NS + 1, every_ns, &end);
	if (ret == 0 && *every_ns < RECSWITCH_MIN_NS)
		return -ERANGE;
	if (ret == -EINVAL && end[0] && !end[1] && strchr("BbKkMmGg", end[0]))
		return -EOPNOTSUPP; /* perf's sizes: 10M, 1G */
	return ret;
}

char *recswitch_temp_name(const char *output, unsigned int n)
{
	return xasprintf("%s.writing-%u", output, n);
}

void recswitch_stamp(uint64_t realtime_ms, char *buf, size_t size)
{
	time_t sec = (time_t)(realtime_ms / 1000);
	struct tm tm;
	char date[32];

	if (!localtime_r(&sec, &tm) || !strftime(date, sizeof(date), "%Y%m%d%H%M%S", &tm))
		snprintf(date, sizeof(date), "%014llu", (unsigned long long)sec);
	snprintf(buf, size, "%s%03u", date, (unsigned int)(realtime_ms % 1000));
}

/* The last component of a path. */
static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

/* Renames without replacing, also where the file system cannot say so itself. */
static int rename_new(int dirfd, const char *from, const char *to)
{
	struct stat st;

	if (renameat2(dirfd, from, dirfd, to, RENAME_NOREPLACE) == 0)
		return 0;
	if (errno != EINVAL && errno != ENOSYS)
		return -errno;
	if (fstatat(dirfd, to, &st, AT_SYMLINK_NOFOLLOW) == 0)
		return -EEXIST;
	return renameat(dirfd, from, dirfd, to) < 0 ? -errno : 0;
}

int recswitch_publish(const char *output, const char *temp, uint64_t closed_ms, uint64_t *last_ms,
		      char **final)
{
	struct safe_dir d;
	uint64_t ms = closed_ms;
	char stamp[32];
	char *name = NULL;
	int ret;

	ret = safe_dir_open(output, false, &d);
	if (ret < 0)
		return ret;
	if (ms <= *last_ms)
		ms = *last_ms + 1;
	ret = -EEXIST;
	for (int i = 0; i < NAME_TRIES && ret == -EEXIST; i++, ms++) {
		free(name);
		recswitch_stamp(ms, stamp, sizeof(stamp));
		name = xasprintf("%s.%s", d.name, stamp);
		ret = rename_new(d.fd, base_name(temp), name);
	}
	if (ret == 0) {
		*last_ms = ms - 1;
		*final = xasprintf("%.*s%s", (int)(base_name(output) - output), output, name);
	}
	free(name);
	safe_dir_close(&d);
	return ret;
}
