// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Kernel symbol tables: one built by hand (added out of order, with gaps,
 * neighbours, overlapping and nested ranges) looked up at and around every
 * edge; and the one this machine's /proc/kallsyms gives, checked against
 * the same file read here line by line, and as an unprivileged user, who
 * sees the addresses hidden or not as the kernel shows them to it.
 */
#include "resolve/kallsyms.h"
#include "tap.h"

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* The name at addr with its range, or NULL; start and end are 0 when there is none. */
static const char *find(const struct kallsyms *k, uint64_t addr, uint64_t *start, uint64_t *end)
{
	*start = *end = 0;
	return kallsyms_find_range(k, addr, start, end);
}

static void is_sym(const struct kallsyms *k, uint64_t addr, const char *name, uint64_t start,
		   uint64_t end, const char *what)
{
	uint64_t s, e;
	const char *got = find(k, addr, &s, &e);
	char buf[160];

	snprintf(buf, sizeof(buf), "%s: 0x%" PRIx64 " is in %s", what, addr,
		 name ? name : "nothing");
	if (!name) {
		ok(!got, "%s", buf);
		if (got)
			diag("got %s [0x%" PRIx64 ", 0x%" PRIx64 ")", got, s, e);
		return;
	}
	ok(got && !strcmp(got, name) && s == start && e == end, "%s [0x%" PRIx64 ", 0x%" PRIx64 ")",
	   buf, start, end);
	if (!got || strcmp(got, name) || s != start || e != end)
		diag("got %s [0x%" PRIx64 ", 0x%" PRIx64 ")", got ? got : "(null)", s, e);
}

static void test_empty(void)
{
	struct kallsyms *k = kallsyms_new();
	uint64_t start = 7;

	kallsyms_finish(k);
	ok(!kallsyms_find_start(k, 0, &start), "empty table: no name for 0");
	ok(!kallsyms_find_start(k, 0xffffffff81000000ull, &start),
	   "empty table: no name for a kernel address");
	ok(!kallsyms_find_start(k, UINT64_MAX, NULL), "empty table: no name for the last address");
	kallsyms_free(k);
	kallsyms_free(NULL);
	ok(1, "kallsyms_free(NULL) is a no-op");
}

static void test_by_hand(void)
{
	struct kallsyms *k = kallsyms_new();
	char name[16];
	uint64_t start;

	/* out of order; a gap between alpha and beta, delta and epsilon touch */
	kallsyms_add(k, 0x3000, 0x3040, "gamma");
	kallsyms_add(k, 0x4000, 0x4020, "delta");
	kallsyms_add(k, 0x1000, 0x1100, "alpha");
	kallsyms_add(k, 0x4020, 0x4080, "epsilon");
	kallsyms_add(k, 0x2000, 0x2010, "beta");
	/* the name is copied: the caller's buffer may change */
	strcpy(name, "zeta");
	kallsyms_add(k, 0x5000, 0x5001, name);
	strcpy(name, "XXXX");
	kallsyms_finish(k);

	is_sym(k, 0, NULL, 0, 0, "address 0");
	is_sym(k, 0xfff, NULL, 0, 0, "below the first symbol");
	is_sym(k, 0x1000, "alpha", 0x1000, 0x1100, "first byte");
	is_sym(k, 0x1080, "alpha", 0x1000, 0x1100, "middle");
	is_sym(k, 0x10ff, "alpha", 0x1000, 0x1100, "last byte");
	is_sym(k, 0x1100, NULL, 0, 0, "end is exclusive");
	is_sym(k, 0x1800, NULL, 0, 0, "a gap between symbols");
	is_sym(k, 0x1fff, NULL, 0, 0, "just below the next symbol");
	is_sym(k, 0x2000, "beta", 0x2000, 0x2010, "a symbol added later");
	is_sym(k, 0x3020, "gamma", 0x3000, 0x3040, "a symbol added first");
	is_sym(k, 0x401f, "delta", 0x4000, 0x4020, "last byte before a neighbour");
	is_sym(k, 0x4020, "epsilon", 0x4020, 0x4080, "first byte of the neighbour");
	is_sym(k, 0x5000, "zeta", 0x5000, 0x5001, "a one-byte function, named as added");
	is_sym(k, 0x5001, NULL, 0, 0, "after the last symbol");
	is_sym(k, UINT64_MAX, NULL, 0, 0, "the last address");

	start = 0;
	is_str(kallsyms_find_start(k, 0x3010, &start), "gamma", "find_start names the function");
	is_int((long long)start, 0x3000, "find_start gives its start");
	is_str(kallsyms_find_start(k, 0x3010, NULL), "gamma", "find_start with no start pointer");
	is_str(kallsyms_find_range(k, 0x3010, NULL, NULL), "gamma",
	       "find_range with no start and end pointers");
	kallsyms_free(k);
}

static void test_overlaps(void)
{
	struct kallsyms *k = kallsyms_new();

	/* partly overlapping: the later start is the closer function */
	kallsyms_add(k, 0x1000, 0x1200, "first");
	kallsyms_add(k, 0x1100, 0x1300, "second");
	/* nested: an inner range in an outer one */
	kallsyms_add(k, 0x2000, 0x3000, "outer");
	kallsyms_add(k, 0x2400, 0x2500, "inner");
	/* the same start twice with the same range: either name, the same range */
	kallsyms_add(k, 0x4000, 0x4100, "alias_a");
	kallsyms_add(k, 0x4000, 0x4100, "alias_b");
	kallsyms_finish(k);

	is_sym(k, 0x1080, "first", 0x1000, 0x1200, "overlap: before the second starts");
	is_sym(k, 0x1180, "second", 0x1100, 0x1300, "overlap: where both cover it");
	is_sym(k, 0x1280, "second", 0x1100, 0x1300, "overlap: after the first ends");
	is_sym(k, 0x2100, "outer", 0x2000, 0x3000, "nested: before the inner range");
	is_sym(k, 0x2480, "inner", 0x2400, 0x2500, "nested: in the inner range");
	is_sym(k, 0x2800, "outer", 0x2000, 0x3000, "nested: after the inner range, still outer");
	is_sym(k, 0x3000, NULL, 0, 0, "nested: past the outer range");
	{
		uint64_t s, e;
		const char *n = find(k, 0x4010, &s, &e);

		ok(n && (!strcmp(n, "alias_a") || !strcmp(n, "alias_b")) && s == 0x4000 &&
		       e == 0x4100,
		   "aliases: one of the names, with their range");
	}
	kallsyms_free(k);
}

/* ---- /proc/kallsyms -------------------------------------------------------- */

struct ksym_line {
	uint64_t addr;
	char type;
	char name[128];
};

/* The text symbols of /proc/kallsyms as this test reads them; 0 if all addresses are 0. */
static size_t read_text_symbols(struct ksym_line **out, bool *hidden)
{
	FILE *f = fopen("/proc/kallsyms", "r");
	struct ksym_line *v = NULL;
	size_t n = 0, alloc = 0;
	char line[512];
	bool nonzero = false;

	*hidden = true;
	*out = NULL;
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		struct ksym_line s;

		if (sscanf(line, "%" SCNx64 " %c %127s", &s.addr, &s.type, s.name) != 3)
			continue;
		if (s.addr)
			nonzero = true;
		if (!strchr("tTwW", s.type) || !s.addr)
			continue;
		if (n == alloc) {
			alloc = alloc ? 2 * alloc : 4096;
			v = realloc(v, alloc * sizeof(*v));
			if (!v)
				abort();
		}
		v[n++] = s;
	}
	fclose(f);
	*hidden = !nonzero;
	*out = v;
	return n;
}

static bool named_at(const struct ksym_line *v, size_t n, uint64_t addr, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (v[i].addr == addr && !strcmp(v[i].name, name))
			return true;
	return false;
}

static void test_proc(void)
{
	struct ksym_line *v;
	bool hidden;
	size_t n = read_text_symbols(&v, &hidden);
	struct kallsyms *k = NULL;
	int ret = kallsyms_new_from_proc(&k, NULL);
	const struct ksym_line *pick = NULL;
	uint64_t next = UINT64_MAX, last = 0;

	if (hidden || !n) {
		is_int(ret, -EACCES, "/proc/kallsyms with hidden addresses: -EACCES");
		ok(1, "# SKIP /proc/kallsyms shows only zero addresses to this user");
		free(v);
		kallsyms_free(k);
		return;
	}
	is_int(ret, 0, "/proc/kallsyms loads");
	if (ret < 0) {
		free(v);
		return;
	}
	/* a well-known function, else the first text symbol */
	for (size_t i = 0; i < n && !pick; i++)
		if (!strcmp(v[i].name, "schedule"))
			pick = &v[i];
	if (!pick)
		pick = &v[0];
	for (size_t i = 0; i < n; i++) {
		if (v[i].addr > pick->addr && v[i].addr < next)
			next = v[i].addr;
		if (v[i].addr > last)
			last = v[i].addr;
	}
	{
		uint64_t s, e;
		const char *name = find(k, pick->addr, &s, &e);

		ok(name && named_at(v, n, pick->addr, name),
		   "%s: a name the file gives its address", pick->name);
		is_int((long long)s, (long long)pick->addr, "its start is its address");
		is_int((long long)e, (long long)next, "its end is the next text symbol's address");
		name = find(k, next - 1, &s, &e);
		ok(name && s == pick->addr, "its last byte is still %s", pick->name);
		name = find(k, next, &s, &e);
		ok(name && s == next && named_at(v, n, next, name),
		   "the next address is the next symbol");
		ok(!find(k, last + 1, &s, &e), "nothing named past the last text symbol");
	}
	kallsyms_free(k);
	free(v);
}

/* As nobody: the kernel shows it zeros (then -EACCES) or the addresses (then a table). */
static void test_unprivileged(void)
{
	int status = 0;
	pid_t pid;

	if (geteuid() != 0) {
		ok(1, "# SKIP not root: cannot switch to an unprivileged user");
		return;
	}
	pid = fork();
	if (pid == 0) {
		struct ksym_line *v;
		struct kallsyms *k = NULL;
		bool hidden;
		size_t n;
		int ret;

		if (setgid(65534) || setuid(65534))
			_exit(3);
		n = read_text_symbols(&v, &hidden);
		free(v);
		ret = kallsyms_new_from_proc(&k, NULL);
		kallsyms_free(k);
		if (hidden || !n)
			_exit(ret == -EACCES ? 0 : 1);
		_exit(ret == 0 ? 0 : 2);
	}
	ok(pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
	       WEXITSTATUS(status) == 0,
	   "as nobody: -EACCES when the addresses are hidden, a table when not");
	if (WIFEXITED(status) && WEXITSTATUS(status))
		diag("child exit status %d", WEXITSTATUS(status));
}

/* A reader told to stop gives up with -ECANCELED and nothing to free. */
static void test_stop(void)
{
	atomic_bool stop = true;
	struct kallsyms *k = NULL;

	is_int(kallsyms_new_from_proc(&k, &stop), -ECANCELED, "a stopped read: -ECANCELED");
	ok(k == NULL, "a stopped read: no table");
}

int main(void)
{
	test_empty();
	test_by_hand();
	test_overlaps();
	test_proc();
	test_unprivileged();
	test_stop();
	return done_testing();
}
