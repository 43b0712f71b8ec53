// SPDX-License-Identifier: GPL-2.0-or-later
#include "collect/traceev.h"
#include "util/alloc.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

const char *const traceev_names[TRACEEV_NTP] = {
	"signal/signal_generate",
	"signal/signal_deliver",
	"sched/sched_wakeup",
	"sched/sched_wakeup_new",
};

static const char *const field_names[TF_NFIELDS] = {
	"common_type", "sig", "code", "pid", "group", "result", "target_cpu",
};

/* What each tracepoint must have (bits of enum traceev_field). */
#define BIT(f) (1u << (f))
static const unsigned int needed[TRACEEV_NTP] = {
	BIT(TF_COMMON_TYPE) | BIT(TF_SIG) | BIT(TF_CODE) | BIT(TF_PID) | BIT(TF_GROUP) |
		BIT(TF_RESULT),
	BIT(TF_COMMON_TYPE) | BIT(TF_SIG) | BIT(TF_CODE),
	BIT(TF_COMMON_TYPE) | BIT(TF_PID) | BIT(TF_TARGET_CPU),
	BIT(TF_COMMON_TYPE) | BIT(TF_PID) | BIT(TF_TARGET_CPU),
};

static const char *const tracefs_dirs[] = { "/sys/kernel/tracing", "/sys/kernel/debug/tracing" };

/* A number after `key` in line, up to ';': false when absent or malformed. */
static bool field_number(const char *line, const char *key, unsigned long *out)
{
	const char *p = strstr(line, key);
	char *end;

	if (!p)
		return false;
	p += strlen(key);
	errno = 0;
	*out = strtoul(p, &end, 10);
	return end != p && *end == ';' && !errno;
}

/*
 * "\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;": the
 * name is the last word of the declaration, before any [N].
 */
static int parse_field(const char *line, struct traceev_format *f)
{
	const char *decl = strstr(line, "field:"), *semi, *end, *start;
	unsigned long off, size, sgn;
	char name[64];

	decl += strlen("field:");
	semi = strchr(decl, ';');
	if (!semi)
		return -EINVAL;
	end = semi;
	if (memchr(decl, '[', (size_t)(semi - decl)))
		end = memchr(decl, '[', (size_t)(semi - decl));
	while (end > decl && end[-1] == ' ')
		end--;
	start = end;
	while (start > decl && start[-1] != ' ' && start[-1] != '\t' && start[-1] != '*')
		start--;
	if (start == end || (size_t)(end - start) >= sizeof(name))
		return -EINVAL;
	memcpy(name, start, (size_t)(end - start));
	name[end - start] = '\0';
	if (!field_number(semi, "offset:", &off) || !field_number(semi, "size:", &size))
		return -EINVAL;
	if (!field_number(semi, "signed:", &sgn))
		sgn = 0;
	for (int i = 0; i < TF_NFIELDS; i++) {
		if (strcmp(name, field_names[i]))
			continue;
		if ((size != 1 && size != 2 && size != 4 && size != 8) || off > UINT16_MAX)
			return -EINVAL;
		f->f[i].offset = (uint16_t)off;
		f->f[i].size = (uint16_t)size;
		f->f[i].is_signed = sgn != 0;
	}
	return 0;
}

int traceev_parse_format(const char *text, struct traceev_format *f)
{
	const char *line = text;

	memset(f, 0, sizeof(*f));
	while (line && *line) {
		const char *nl = strchr(line, '\n');
		size_t len = nl ? (size_t)(nl - line) : strlen(line);
		char buf[512];

		if (len >= sizeof(buf))
			return -EINVAL;
		memcpy(buf, line, len);
		buf[len] = '\0';
		if (!strncmp(buf, "ID:", 3)) {
			char *end;
			unsigned long id;

			errno = 0;
			id = strtoul(buf + 3, &end, 10);
			if (end == buf + 3 || errno || id > UINT32_MAX)
				return -EINVAL;
			f->id = (uint32_t)id;
			f->have_id = true;
		} else if (strstr(buf, "field:")) {
			int ret = parse_field(buf, f);

			if (ret < 0)
				return ret;
		} else if (!strncmp(buf, "print fmt:", 10)) {
			break;
		}
		line = nl ? nl + 1 : NULL;
	}
	return f->have_id ? 0 : -EINVAL;
}

int traceev_layout_from_text(struct traceev_layout *lay, const char *const text[TRACEEV_NTP])
{
	memset(lay, 0, sizeof(*lay));
	for (int k = 0; k < TRACEEV_NTP; k++) {
		struct traceev_format *f = &lay->tp[k];
		int ret = traceev_parse_format(text[k], f);

		if (ret < 0)
			return ret;
		for (int i = 0; i < TF_NFIELDS; i++)
			if ((needed[k] & BIT(i)) && !f->f[i].size)
				return -EINVAL;
		/* common_type is how samples are told apart */
		if (f->f[TF_COMMON_TYPE].offset != lay->tp[0].f[TF_COMMON_TYPE].offset ||
		    f->f[TF_COMMON_TYPE].size != lay->tp[0].f[TF_COMMON_TYPE].size)
			return -EINVAL;
	}
	return 0;
}

/* A whole small file (a format is a few hundred bytes), NUL-terminated. */
static int read_text(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t len = 0;

	if (fd < 0)
		return -errno;
	while (len < size - 1) {
		ssize_t n = read(fd, buf + len, size - 1 - len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int err = -errno;

			close(fd);
			return err;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	buf[len] = '\0';
	return 0;
}

int traceev_load(struct traceev_layout *lay, const char **dir)
{
	int first_err = -ENOENT;

	*dir = tracefs_dirs[0];
	for (size_t d = 0; d < ARRAY_SIZE(tracefs_dirs); d++) {
		char *text[TRACEEV_NTP] = { NULL };
		int ret = 0;

		for (int k = 0; k < TRACEEV_NTP && !ret; k++) {
			char path[256];

			snprintf(path, sizeof(path), "%s/events/%s/format", tracefs_dirs[d],
				 traceev_names[k]);
			text[k] = xmalloc(8192);
			ret = read_text(path, text[k], 8192);
		}
		if (!ret)
			ret = traceev_layout_from_text(lay, (const char *const *)text);
		for (int k = 0; k < TRACEEV_NTP; k++)
			free(text[k]);
		if (!ret) {
			*dir = tracefs_dirs[d];
			return 0;
		}
		/* the first directory's reason, unless it simply is not there */
		if (first_err == -ENOENT && ret != -ENOENT) {
			first_err = ret;
			*dir = tracefs_dirs[d];
		}
	}
	return first_err;
}

static bool get_field(const struct traceev_slot *s, const uint8_t *raw, size_t len, int64_t *v)
{
	uint8_t u8;
	uint16_t u16;
	uint32_t u32;
	uint64_t u64;

	if (!s->size || s->offset > len || s->size > len - s->offset)
		return false;
	switch (s->size) {
	case 1:
		u8 = raw[s->offset];
		*v = s->is_signed ? (int64_t)(int8_t)u8 : (int64_t)u8;
		break;
	case 2:
		memcpy(&u16, raw + s->offset, 2);
		*v = s->is_signed ? (int64_t)(int16_t)u16 : (int64_t)u16;
		break;
	case 4:
		memcpy(&u32, raw + s->offset, 4);
		*v = s->is_signed ? (int64_t)(int32_t)u32 : (int64_t)u32;
		break;
	default:
		memcpy(&u64, raw + s->offset, 8);
		*v = (int64_t)u64;
		break;
	}
	return true;
}

int traceev_decode(const struct traceev_layout *lay, const uint8_t *raw, size_t len,
		   struct traceev_event *ev)
{
	const struct traceev_format *f = NULL;
	int64_t type, v;
	int k;

	memset(ev, 0, sizeof(*ev));
	if (!get_field(&lay->tp[0].f[TF_COMMON_TYPE], raw, len, &type))
		return -EBADMSG;
	for (k = 0; k < TRACEEV_NTP; k++)
		if ((int64_t)lay->tp[k].id == type) {
			f = &lay->tp[k];
			break;
		}
	if (!f)
		return -ENOENT;
	ev->tp = (enum traceev_tp)k;
	for (int i = TF_SIG; i < TF_NFIELDS; i++) {
		if (!(needed[k] & BIT(i)))
			continue;
		if (!get_field(&f->f[i], raw, len, &v))
			return -EBADMSG;
		switch (i) {
		case TF_SIG:
			ev->sig = (int32_t)v;
			break;
		case TF_CODE:
			ev->code = (int32_t)v;
			break;
		case TF_PID:
			ev->tid = (uint32_t)v;
			break;
		case TF_GROUP:
			ev->group = v != 0;
			break;
		case TF_RESULT:
			ev->result = (int32_t)v;
			break;
		case TF_TARGET_CPU:
			ev->target_cpu = (uint32_t)v;
			break;
		}
	}
	return 0;
}

int traceev_open(struct sampler *s, const struct traceev_layout *lay, size_t *pages)
{
	struct perf_event_attr a[TRACEEV_NTP];

	memset(a, 0, sizeof(a));
	for (int k = 0; k < TRACEEV_NTP; k++) {
		a[k].size = sizeof(a[k]);
		a[k].type = PERF_TYPE_TRACEPOINT;
		a[k].config = lay->tp[k].id;
		a[k].sample_period = 1;
		a[k].sample_type = PERF_SAMPLE_TID | PERF_SAMPLE_TIME | PERF_SAMPLE_CPU |
				   PERF_SAMPLE_RAW;
		/* losses carry the same TID, TIME, CPU trailer */
		a[k].sample_id_all = 1;
		a[k].use_clockid = 1;
		a[k].clockid = CLOCK_MONOTONIC;
		a[k].watermark = 1;
		a[k].wakeup_watermark =
			(uint32_t)(*pages * (size_t)sysconf(_SC_PAGESIZE) / 4);
	}
	/*
	 * A signal wakes the reader at once (they are few): its sender, often
	 * a program that exits right after (kill), is named while it exists.
	 */
	a[TRACEEV_SIGNAL_GENERATE].watermark = 0;
	a[TRACEEV_SIGNAL_GENERATE].wakeup_events = 1;
	return sampler_open_cpus(s, a, TRACEEV_NTP, pages);
}
