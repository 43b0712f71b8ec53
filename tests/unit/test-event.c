// SPDX-License-Identifier: GPL-2.0-or-later
/* Event strings to attrs: lists, groups, modifiers, errors and suggestions. */
#include "event/event.h"
#include "tap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void parse_ok(void)
{
	struct event_list l = { 0 };
	struct event_error err;

	ok(event_list_parse(&l, "cycles,instructions:u,perf::PERF_COUNT_SW_PAGE_FAULTS", &err) ==
		   0,
	   "a comma list parses");
	is_int((long long)l.nr, 3, "three events");
	is_int(l.ngroups, 3, "each ungrouped event is a group of its own");
	is_int(l.ev[0].attr.type, PERF_TYPE_HARDWARE, "cycles is a hardware event");
	is_int((long long)l.ev[0].attr.config, PERF_COUNT_HW_CPU_CYCLES, "cycles config");
	is_int(l.ev[1].attr.exclude_kernel, 1, ":u excludes the kernel");
	is_int(l.ev[1].attr.exclude_user, 0, ":u keeps user space");
	ok(l.ev[1].explicit_plm, ":u is an explicit privilege choice");
	ok(!l.ev[0].explicit_plm, "plain cycles leaves the choice to pmuprof");
	is_int(l.ev[2].attr.type, PERF_TYPE_SOFTWARE, "page faults are a software event");
	is_int((long long)l.ev[2].attr.config, PERF_COUNT_SW_PAGE_FAULTS, "page-faults config");
	is_str(l.ev[1].name, "instructions:u", "the name keeps what the user wrote");
	event_list_release(&l);
}

static void parse_groups(void)
{
	struct event_list l = { 0 };
	struct event_error err;

	ok(event_list_parse(&l, "task-clock,{cycles,instructions}:u,page-faults", &err) == 0,
	   "a group with modifiers parses");
	is_int((long long)l.nr, 4, "four events");
	is_int(l.ev[1].group, l.ev[2].group, "group members share a group");
	ok(l.ev[0].group != l.ev[1].group && l.ev[3].group != l.ev[2].group,
	   "events outside the group have their own");
	is_int(l.ev[1].attr.exclude_kernel && l.ev[2].attr.exclude_kernel, 1,
	       "a group's :u applies to every member");
	is_str(l.ev[2].name, "instructions:u", "members carry the group modifier in their name");
	ok(event_list_parse(&l, "cpu-clock", &err) == 0, "appending a second list");
	is_int((long long)l.nr, 5, "lists accumulate");
	is_int(l.ev[4].group, l.ngroups - 1, "appended events get new groups");
	event_list_release(&l);
}

static void perf_modifiers(void)
{
	struct event_list l = { 0 };
	struct event_error err;

	ok(event_list_parse(&l, "cycles:uk,cycles:k", &err) == 0,
	   "perf-style run-together modifiers are accepted");
	is_int(l.ev[0].attr.exclude_kernel || l.ev[0].attr.exclude_user, 0, ":uk counts both");
	is_int(l.ev[1].attr.exclude_user, 1, ":k excludes user space");
	event_list_release(&l);
}

static void check_error(const char *str, enum event_err_kind kind, int column, const char *what)
{
	struct event_list l = { 0 };
	struct event_error err;
	int ret = event_list_parse(&l, str, &err);

	ok(ret < 0 && err.kind == kind && (column == 0 || err.column == column), "%s ('%s')",
	   what, str);
	if (err.kind != kind || (column && err.column != column))
		diag("kind %d column %d", err.kind, err.column);
	is_int((long long)l.nr, 0, "a failed parse leaves the list empty");
	event_error_release(&err);
	event_list_release(&l);
}

static void parse_errors(void)
{
	struct event_list l = { 0 };
	struct event_error err;

	check_error("cycls", EVENT_ERR_UNKNOWN, 1, "unknown event");
	check_error("cycles,nosuchevent", EVENT_ERR_UNKNOWN, 8, "unknown event later in a list");
	check_error("{cycles,instructions", EVENT_ERR_GROUP_OPEN, 1, "unclosed group");
	check_error("cycles}", EVENT_ERR_GROUP_CLOSE, 7, "stray close");
	check_error("{cycles,{instructions}}", EVENT_ERR_GROUP_NESTED, 9, "nested group");
	check_error("cycles,,instructions", EVENT_ERR_EMPTY, 8, "empty name");
	check_error("cycles,", EVENT_ERR_EMPTY, 8, "trailing comma");
	check_error("{}", EVENT_ERR_EMPTY, 2, "empty group");
	check_error("{cycles}x", EVENT_ERR_GROUP_TRAILING, 9, "junk after a group");
	check_error("instructions:bogus", EVENT_ERR_ENCODE, 0, "bad modifier");

	ok(event_list_parse(&l, "cycles", &err) == 0, "the list is usable after errors");
	ok(event_list_parse(&l, "cycles,bad", &err) < 0, "a failing append");
	is_int((long long)l.nr, 1, "a failing append keeps what was there");
	is_str(err.token, "bad", "the error names the unknown event");
	event_error_release(&err);
	event_list_release(&l);
}

static void suggestions(void)
{
	char *s[3];
	size_t n;
	bool found = false;

	n = event_suggest("cycls", s, 3);
	ok(n >= 1, "a misspelling gets suggestions");
	for (size_t i = 0; i < n; i++) {
		found |= !strcmp(s[i], "cycles");
		free(s[i]);
	}
	ok(found, "'cycles' is suggested for 'cycls'");
	n = event_suggest("instruction:u", s, 3);
	ok(n >= 1 && !strcmp(s[0], "instructions"), "the modifier is ignored, 'instructions' first");
	for (size_t i = 0; i < n; i++)
		free(s[i]);
	n = event_suggest("zzzzzzzzzzzzqqq", s, 3);
	is_int((long long)n, 0, "nothing close, nothing suggested");
}

int main(void)
{
	const char *detail;

	if (event_lib_init(&detail) < 0) {
		printf("1..0 # SKIP libpfm4 cannot initialise: %s\n", detail);
		return 0;
	}
	parse_ok();
	parse_groups();
	perf_modifiers();
	parse_errors();
	suggestions();
	return done_testing();
}
