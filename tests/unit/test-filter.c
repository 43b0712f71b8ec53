// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * resolve/filter.c: --symbol names a function by either form of its C++
 * name (short or full signature), as it is or by a glob, and a full
 * signature's commas do not split the list.
 */
#include "resolve/filter.h"
#include "tap.h"

#include <string.h>

#define SHORT "engine::detail::Accumulator<double>::crunch_numbers"
#define FULL SHORT "(std::vector<double, std::allocator<double> > const&) const"

static void matching(void)
{
	ok(symbol_name_matches(SHORT, SHORT, FULL), "the short name as shown");
	ok(symbol_name_matches(FULL, SHORT, FULL), "the full signature of a short name");
	ok(symbol_name_matches(SHORT, FULL, SHORT), "the short name, full signatures shown");
	ok(symbol_name_matches("*::crunch_numbers", SHORT, FULL), "a glob on the short name");
	ok(symbol_name_matches("*crunch_numbers(std::vector*", SHORT, FULL),
	   "a glob on the full signature");
	ok(!symbol_name_matches("crunch_numbers", SHORT, FULL), "not a part of the name");
	ok(!symbol_name_matches(SHORT "(int)", SHORT, FULL), "not another overload");
	ok(symbol_name_matches("main", "main", NULL), "a C name");
	ok(!symbol_name_matches("mai", "main", NULL), "a C name's part");
	/* '[' opens a bracket expression in a glob: the name as it is still matches */
	ok(symbol_name_matches("ns::Box<int>::name[abi:cxx11]", "ns::Box<int>::name[abi:cxx11]",
			       "ns::Box<int>::name[abi:cxx11]() const"),
	   "an ABI tag");
	ok(symbol_name_matches("foo [clone .cold]", "foo [clone .cold]", "foo() [clone .cold]"),
	   "a clone suffix");
}

static void symbol_lists(void)
{
	struct sample_filter f;

	memset(&f, 0, sizeof(f));
	sample_filter_symbol(&f, "a,b*");
	is_int((long long)f.symbols.n, 2, "a list of two");
	sample_filter_symbol(&f, "f(int, char),g<int, long>::h,,k");
	is_int((long long)f.symbols.n, 5, "commas inside brackets stay in a name");
	is_str(f.symbols.v[2], "f(int, char)", "a signature is one name");
	is_str(f.symbols.v[3], "g<int, long>::h", "template arguments are one name");
	is_str(f.symbols.v[4], "k", "an empty name is no name");
	ok(sample_filter_function_ok(&f, "x", NULL, "g<int, long>::h", NULL), "the filter matches it");
	ok(sample_filter_function_ok(&f, "x", NULL, "f", "f(int, char)"),
	   "the filter matches a full signature");
	ok(!sample_filter_function_ok(&f, "x", NULL, "f", "f(int)"), "not another overload");
	sample_filter_release(&f);
}

int main(void)
{
	matching();
	symbol_lists();
	return done_testing();
}
