// SPDX-License-Identifier: GPL-2.0-or-later
#include "event/event.h"
#include "util/alloc.h"
#include "util/dynlib.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* libpfm4 carries its own copy of the perf_event ABI, guarded by the kernel header's guard. */
#include <perfmon/pfmlib_perf_event.h>

/* libpfm4, opened on first use (util/dynlib.h) */
static struct {
	__typeof__(&pfm_initialize) initialize;
	__typeof__(&pfm_strerror) strerror;
	__typeof__(&pfm_get_os_event_encoding) get_os_event_encoding;
	__typeof__(&pfm_get_pmu_info) get_pmu_info;
	__typeof__(&pfm_get_event_next) get_event_next;
	__typeof__(&pfm_get_event_info) get_event_info;
	__typeof__(&pfm_get_event_attr_info) get_event_attr_info;
} libpfm;

static int lib_state = 1; /* 1: not tried, 0: ready, <0: failed */
static const char *lib_detail;
static char lib_msg[256];

int event_lib_init(const char **detail)
{
	if (lib_state == 1) {
		const struct dynlib_sym syms[] = {
			{ "pfm_initialize", &libpfm.initialize },
			{ "pfm_strerror", &libpfm.strerror },
			{ "pfm_get_os_event_encoding", &libpfm.get_os_event_encoding },
			{ "pfm_get_pmu_info", &libpfm.get_pmu_info },
			{ "pfm_get_event_next", &libpfm.get_event_next },
			{ "pfm_get_event_info", &libpfm.get_event_info },
			{ "pfm_get_event_attr_info", &libpfm.get_event_attr_info },
		};
		int ret = dynlib_open(PFM_SONAME, syms, sizeof(syms) / sizeof(syms[0]), lib_msg,
				      sizeof(lib_msg));

		if (ret < 0) {
			lib_state = -EIO;
			lib_detail = lib_msg;
		} else if ((ret = libpfm.initialize()) == PFM_SUCCESS) {
			lib_state = 0;
		} else {
			lib_state = -EIO;
			lib_detail = libpfm.strerror(ret);
		}
	}
	if (detail)
		*detail = lib_detail;
	return lib_state;
}

static bool is_plm_modifier(const char *m, size_t n)
{
	if (n == 1)
		return *m == 'u' || *m == 'k' || *m == 'h';
	return n >= 2 && (*m == 'u' || *m == 'k' || *m == 'h') && m[1] == '=';
}

/*
 * perf writes privilege and precision modifiers run together ("cycles:uk",
 * "cycles:ppp"); libpfm4 wants one per colon (":u:k", ":precise=3"). Rewrite
 * such runs, leave everything else to libpfm4, and note whether the user
 * chose privilege levels themselves. Caller frees the result.
 */
static char *perf_to_pfm(const char *name, bool *explicit_plm)
{
	const char *colon = strchr(name, ':');
	size_t len = strlen(name);
	char *out = xmalloc(len * 4 + 32);
	char *o = out;
	const char *p;

	*explicit_plm = false;
	/* "pmu::EVENT" keeps its double colon with the name */
	while (colon && colon[1] == ':')
		colon = strchr(colon + 2, ':');
	if (!colon) {
		memcpy(out, name, len + 1);
		return out;
	}
	memcpy(o, name, colon - name);
	o += colon - name;
	for (p = colon; *p == ':';) {
		const char *seg = p + 1;
		size_t n = strcspn(seg, ":");
		bool perf_run = n > 0 && strspn(seg, "ukhp") == n && (n > 1 || *seg == 'p');

		if (perf_run) {
			int precise = 0;

			for (size_t i = 0; i < n; i++) {
				if (seg[i] == 'p') {
					precise++;
				} else {
					o += sprintf(o, ":%c", seg[i]);
					*explicit_plm = true;
				}
			}
			if (precise)
				o += sprintf(o, ":precise=%d", precise);
		} else {
			if (is_plm_modifier(seg, n))
				*explicit_plm = true;
			*o++ = ':';
			memcpy(o, seg, n);
			o += n;
		}
		p = seg + n;
	}
	*o = '\0';
	return out;
}

int event_encode(const char *name, struct perf_event_attr *attr, char **fstr, const char **detail)
{
	pfm_perf_encode_arg_t arg;
	int ret;

	if (event_lib_init(detail) < 0)
		return -EIO;
	memset(&arg, 0, sizeof(arg));
	attr->size = sizeof(*attr);
	arg.size = sizeof(arg);
	arg.attr = attr;
	arg.fstr = fstr;
	ret = libpfm.get_os_event_encoding(name, PFM_PLM0 | PFM_PLM3, PFM_OS_PERF_EVENT_EXT, &arg);
	if (detail)
		*detail = ret == PFM_SUCCESS ? NULL : libpfm.strerror(ret);
	attr->size = sizeof(*attr);
	if (ret == PFM_SUCCESS)
		return 0;
	if (ret == PFM_ERR_NOTFOUND)
		return -ENOENT;
	if (ret == PFM_ERR_NOMEM)
		return -ENOMEM;
	return -EINVAL;
}

static void set_error(struct event_error *err, enum event_err_kind kind, const char *tok,
		      size_t toklen, int column, const char *detail)
{
	if (!err)
		return;
	err->kind = kind;
	err->token = tok ? xstrndup(tok, toklen) : NULL;
	err->column = column;
	err->detail = detail;
}

void event_error_release(struct event_error *err)
{
	FREE_AND_NULL(err->token);
	err->kind = EVENT_ERR_NONE;
}

static void spec_release(struct event_spec *ev)
{
	free(ev->name);
	free(ev->fstr);
}

void event_list_release(struct event_list *list)
{
	for (size_t i = 0; i < list->nr; i++)
		spec_release(&list->ev[i]);
	FREE_AND_NULL(list->ev);
	list->nr = list->alloc = 0;
	list->ngroups = 0;
}

/* Encodes `name` (plus a group's trailing modifiers) and appends it to the list. */
static int add_event(struct event_list *list, const char *name, size_t n, const char *mods,
		     size_t nmods, int group, int column, struct event_error *err)
{
	struct event_spec ev;
	const char *detail = NULL;
	char *user, *pfm;
	int ret;

	memset(&ev, 0, sizeof(ev));
	user = xmalloc(n + nmods + 1);
	memcpy(user, name, n);
	memcpy(user + n, mods, nmods);
	user[n + nmods] = '\0';
	pfm = perf_to_pfm(user, &ev.explicit_plm);
	ret = event_encode(pfm, &ev.attr, &ev.fstr, &detail);
	free(pfm);
	if (ret < 0) {
		enum event_err_kind kind = ret == -ENOENT ? EVENT_ERR_UNKNOWN
					   : ret == -EIO  ? EVENT_ERR_LIBRARY
							  : EVENT_ERR_ENCODE;

		set_error(err, kind, user, strlen(user), column, detail);
		free(user);
		return ret;
	}
	ev.name = user;
	ev.group = group;
	xgrow(&list->ev, &list->alloc, list->nr + 1, sizeof(*list->ev));
	list->ev[list->nr++] = ev;
	return 0;
}

int event_list_parse(struct event_list *list, const char *str, struct event_error *err)
{
	size_t first = list->nr;
	int ngroups = list->ngroups;
	const char *p = str;
	int ret = 0;

	if (err)
		memset(err, 0, sizeof(*err));
	for (;;) {
		int col = (int)(p - str) + 1;

		if (*p == '{') {
			const char *open = p;
			const char *close, *q, *mods;
			size_t nmods;
			int group = ngroups;

			close = strchr(p + 1, '}');
			q = strchr(p + 1, '{');
			if (q && (!close || q < close)) {
				set_error(err, EVENT_ERR_GROUP_NESTED, NULL, 0, (int)(q - str) + 1, NULL);
				ret = -EINVAL;
				break;
			}
			if (!close) {
				set_error(err, EVENT_ERR_GROUP_OPEN, NULL, 0, col, NULL);
				ret = -EINVAL;
				break;
			}
			mods = close + 1;
			nmods = 0;
			if (*mods == ':')
				nmods = strcspn(mods, ",");
			if (mods[nmods] != ',' && mods[nmods] != '\0') {
				set_error(err, EVENT_ERR_GROUP_TRAILING, NULL, 0,
					  (int)(mods + nmods - str) + 1, NULL);
				ret = -EINVAL;
				break;
			}
			p = open + 1;
			if (p == close) {
				set_error(err, EVENT_ERR_EMPTY, NULL, 0, (int)(p - str) + 1, NULL);
				ret = -EINVAL;
				break;
			}
			while (p <= close) {
				size_t n = strcspn(p, ",}");

				if (n == 0) {
					set_error(err, EVENT_ERR_EMPTY, NULL, 0, (int)(p - str) + 1,
						  NULL);
					ret = -EINVAL;
					break;
				}
				ret = add_event(list, p, n, mods, nmods, group, (int)(p - str) + 1,
						err);
				if (ret < 0)
					break;
				p += n + 1;
			}
			if (ret < 0)
				break;
			ngroups++;
			p = mods + nmods;
		} else {
			size_t n = strcspn(p, ",{}");

			if (p[n] == '}') {
				set_error(err, EVENT_ERR_GROUP_CLOSE, NULL, 0, (int)(p + n - str) + 1,
					  NULL);
				ret = -EINVAL;
				break;
			}
			if (n == 0 || p[n] == '{') {
				set_error(err, EVENT_ERR_EMPTY, NULL, 0, col, NULL);
				if (p[n] == '{')
					err->kind = EVENT_ERR_GROUP_TRAILING, err->column += (int)n;
				ret = -EINVAL;
				break;
			}
			ret = add_event(list, p, n, "", 0, ngroups, col, err);
			if (ret < 0)
				break;
			ngroups++;
			p += n;
		}
		if (*p == '\0')
			break;
		/* *p is ',' here */
		p++;
		if (*p == '\0') {
			set_error(err, EVENT_ERR_EMPTY, NULL, 0, (int)(p - str) + 1, NULL);
			ret = -EINVAL;
			break;
		}
	}
	if (ret < 0) {
		for (size_t i = first; i < list->nr; i++)
			spec_release(&list->ev[i]);
		list->nr = first;
		return ret;
	}
	list->ngroups = ngroups;
	return 0;
}

/* Calls fn(info) for each event of each present PMU. */
int event_foreach(int (*fn)(const struct event_info *info, void *arg), void *arg)
{
	char umasks[4096];
	char name[512];
	int pmu;

	if (event_lib_init(NULL) < 0)
		return -EIO;
	pfm_for_all_pmus(pmu)
	{
		pfm_pmu_info_t pinfo;

		memset(&pinfo, 0, sizeof(pinfo));
		pinfo.size = sizeof(pinfo);
		if (libpfm.get_pmu_info(pmu, &pinfo) != PFM_SUCCESS || !pinfo.is_present)
			continue;
		/* the raw PMU has one pseudo event, "r<hex>"; it is described in the man page */
		if (pmu == PFM_PMU_PERF_EVENT_RAW)
			continue;
		for (int idx = pinfo.first_event; idx != -1; idx = libpfm.get_event_next(idx)) {
			struct event_info info;
			pfm_event_info_t einfo;
			size_t ulen = 0;
			bool generic = pmu == PFM_PMU_PERF_EVENT;
			int ret;

			memset(&einfo, 0, sizeof(einfo));
			einfo.size = sizeof(einfo);
			if (libpfm.get_event_info(idx, PFM_OS_PERF_EVENT_EXT, &einfo) != PFM_SUCCESS)
				continue;
			umasks[0] = '\0';
			for (int a = 0; a < einfo.nattrs; a++) {
				pfm_event_attr_info_t ainfo;

				memset(&ainfo, 0, sizeof(ainfo));
				ainfo.size = sizeof(ainfo);
				if (libpfm.get_event_attr_info(idx, a, PFM_OS_PERF_EVENT_EXT,
							    &ainfo) != PFM_SUCCESS ||
				    ainfo.type != PFM_ATTR_UMASK)
					continue;
				if (ulen + strlen(ainfo.name) + 2 >= sizeof(umasks))
					break;
				ulen += (size_t)sprintf(umasks + ulen, "%s%s", ulen ? " " : "",
							ainfo.name);
			}
			if (generic) {
				/* perf's spelling: "cycles", "page-faults" */
				size_t i;

				for (i = 0; i < sizeof(name) - 1 && einfo.name[i]; i++)
					name[i] = (char)tolower((unsigned char)einfo.name[i]);
				name[i] = '\0';
				if (!strncmp(einfo.name, "PERF_COUNT_", 11))
					snprintf(name, sizeof(name), "perf::%s", einfo.name);
			} else {
				snprintf(name, sizeof(name), "%s::%s", pinfo.name, einfo.name);
			}
			info.pmu = pinfo.name;
			info.pmu_desc = pinfo.desc;
			info.name = name;
			info.desc = einfo.desc;
			info.equiv = einfo.equiv;
			info.umasks = ulen ? umasks : NULL;
			info.generic = generic;
			ret = fn(&info, arg);
			if (ret)
				return ret;
		}
	}
	return 0;
}

/* Case-insensitive Levenshtein distance with transpositions, capped for long names. */
static size_t edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	size_t rows[3][65];
	size_t *prev2 = rows[0], *prev = rows[1], *cur = rows[2];

	if (la > 64 || lb > 64)
		return (size_t)-1;
	for (size_t j = 0; j <= lb; j++)
		prev[j] = j;
	for (size_t i = 1; i <= la; i++) {
		cur[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			int ca = tolower((unsigned char)a[i - 1]);
			int cb = tolower((unsigned char)b[j - 1]);
			size_t best = prev[j - 1] + (ca != cb);

			if (prev[j] + 1 < best)
				best = prev[j] + 1;
			if (cur[j - 1] + 1 < best)
				best = cur[j - 1] + 1;
			if (i > 1 && j > 1 && ca == tolower((unsigned char)b[j - 2]) &&
			    tolower((unsigned char)a[i - 2]) == cb && prev2[j - 2] + 1 < best)
				best = prev2[j - 2] + 1;
			cur[j] = best;
		}
		size_t *t = prev2;
		prev2 = prev;
		prev = cur;
		cur = t;
	}
	return prev[lb];
}

struct suggest_state {
	const char *bad;
	size_t badlen;
	size_t max, nr;
	char **out;
	size_t *score;
};

static int suggest_one(const struct event_info *info, void *arg)
{
	struct suggest_state *st = arg;
	const char *cand = info->name;
	const char *bare = strstr(cand, "::");
	size_t limit = st->badlen / 3 > 2 ? st->badlen / 3 : 2;
	size_t d;

	/* compare against the part after "pmu::" unless the user typed a PMU too */
	if (bare && !strstr(st->bad, "::"))
		cand = bare + 2;
	d = edit_distance(st->bad, cand);
	if (d > limit) {
		/* a prefix of a longer name ("instruction" for "instructions") is close too */
		if (st->badlen >= 4 && !strncasecmp(cand, st->bad, st->badlen))
			d = limit;
		else
			return 0;
	}
	for (size_t i = 0; i < st->nr; i++)
		if (!strcasecmp(st->out[i], info->name))
			return 0;
	/* insert sorted by distance, keeping at most max */
	size_t pos = st->nr;

	while (pos > 0 && st->score[pos - 1] > d)
		pos--;
	if (pos >= st->max)
		return 0;
	if (st->nr == st->max) {
		free(st->out[st->nr - 1]);
		st->nr--;
	}
	memmove(st->out + pos + 1, st->out + pos, (st->nr - pos) * sizeof(*st->out));
	memmove(st->score + pos + 1, st->score + pos, (st->nr - pos) * sizeof(*st->score));
	st->out[pos] = xstrdup(info->name);
	st->score[pos] = d;
	st->nr++;
	return 0;
}

size_t event_suggest(const char *bad, char **out, size_t max)
{
	struct suggest_state st;
	char *base = xstrdup(bad);
	char *colon = base;

	/* suggest for the event name, not its modifiers */
	while ((colon = strchr(colon, ':')) && colon[1] == ':')
		colon += 2;
	if (colon)
		*colon = '\0';
	st.bad = base;
	st.badlen = strlen(base);
	st.max = max;
	st.nr = 0;
	st.out = out;
	st.score = xcalloc(max ? max : 1, sizeof(*st.score));
	if (max)
		event_foreach(suggest_one, &st);
	free(st.score);
	free(base);
	return st.nr;
}
