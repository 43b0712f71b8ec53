// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * resolve/demangle.c: C++ and Rust names as users know them, checked
 * against c++filt when it is installed; without libstdc++ to demangle
 * with, names stay as they are.
 */
#include "resolve/demangle.h"
#include "tap.h"

#include <dlfcn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool have(const char *tool)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "command -v %s >/dev/null 2>&1", tool);
	return system(cmd) == 0;
}

static const char *str(const char *s)
{
	return s ? s : "(null)";
}

/* What c++filt prints for name, or NULL when it is not installed. */
static char *cxxfilt(const char *name)
{
	char cmd[512], line[1024];
	FILE *p;

	/* on its input, not its arguments: only there does it keep a symbol version */
	snprintf(cmd, sizeof(cmd), "printf '%%s\\n' '%s' | c++filt 2>/dev/null", name);
	p = popen(cmd, "r");
	if (!p)
		return NULL;
	if (!fgets(line, sizeof(line), p)) {
		pclose(p);
		return NULL;
	}
	if (pclose(p) != 0)
		return NULL;
	line[strcspn(line, "\n")] = '\0';
	return strdup(line);
}

static void check_demangle(const char *name, const char *want, const char *what)
{
	char *got = demangle(name);

	is_str(got, want, what);
	free(got);
}

static void demangling(void)
{
	/* the text users know: each must print as c++filt prints it */
	static const char *const like_cxxfilt[] = {
		"_Z3foov",
		"_ZN2ns3BarC2Ev",
		"_Z3foov.cold",
		"_Z3foov.cold.12",
		"_Z3foov.constprop.0.isra.0",
		"_ZN2ns3BarC2Ev.part.0",
		"_Z3foov@GLIBC_2.2.5",
		"_Z3foov@@GLIBCXX_3.4",
		"_Z3foov@plt",
		"_ZNSt6vectorIiSaIiEE9push_backERKi",
		"_ZN2ns17h0123456789abcdefEv",
	};
	void *lib = dlopen("libstdc++.so.6", RTLD_LAZY | RTLD_LOCAL);
	bool filt = have("c++filt");
	char *got;

	ok(demangle("main") == NULL, "demangle: a C name is not mangled");
	ok(demangle("i") == NULL, "demangle: nor is a name that reads as a C++ type");
	ok(demangle(NULL) == NULL, "demangle: NULL");
	if (!lib) {
		ok(demangle("_Z3foov") == NULL, "demangle: NULL without libstdc++");
		ok(true, "# SKIP libstdc++.so.6 cannot be loaded: %s", dlerror());
		return;
	}
	dlclose(lib);
	check_demangle("_Z3foov", "foo()", "demangle: a function");
	check_demangle("_ZN2ns3BarC2Ev", "ns::Bar::Bar()", "demangle: a constructor");
	check_demangle("_Z3foov.cold", "foo() [clone .cold]", "demangle: a cold part");
	check_demangle("_Z3foov.constprop.0.isra.0", "foo() [clone .constprop.0] [clone .isra.0]",
		       "demangle: two clone suffixes");
	check_demangle("_Z3foov@GLIBC_2.2.5", "foo()@GLIBC_2.2.5", "demangle: a symbol version");
	check_demangle("_ZNSt6vectorIiSaIiEE9push_backERKi@plt",
		       "std::vector<int, std::allocator<int> >::push_back(int const&)@plt",
		       "demangle: a PLT stub's name");
	check_demangle("_Z3foov.Foo", "foo() [clone .Foo]",
		       "demangle: a suffix the demangler does not know");
	ok(demangle("_Zxx") == NULL, "demangle: garbage after _Z");
	ok(demangle("_Z") == NULL, "demangle: _Z alone");
	ok(demangle("_Z3foov_") == NULL, "demangle: trailing garbage");
	ok(demangle("_Z3foo.") == NULL, "demangle: a bad name with a dot");
	got = malloc(200001);
	memset(got, 'P', 200000);
	memcpy(got, "_Z1f", 4);
	got[200000] = '\0';
	ok(demangle(got) == NULL, "demangle: a hostile name of 200000 characters");
	free(got);

	check_demangle("_ZN4core3fmt5write17h0123456789abcdefE", "core::fmt::write",
		       "demangle: Rust legacy, without the hash");
	check_demangle("_ZN3std2rt10lang_start28_$u7b$$u7b$closure$u7d$$u7d$17h5cbb4ce5b4a37a12E",
		       "std::rt::lang_start::{{closure}}", "demangle: Rust escapes");
	check_demangle("_ZN4core3ptr85drop_in_place$LT$std..rt..lang_start$LT$$LP$$RP$$GT$..$u7b$$"
		       "u7b$closure$u7d$$u7d$$GT$17h0123456789abcdefE",
		       "core::ptr::drop_in_place<std::rt::lang_start<()>::{{closure}}>",
		       "demangle: Rust generics and paths");
	check_demangle("_ZN4core3fmt5write17h0123456789abcdefE.llvm.1234567", "core::fmt::write",
		       "demangle: Rust without LTO's suffix");
	check_demangle("_ZN4core3fmt5write17h0123456789abcdefE.cold", "core::fmt::write.cold",
		       "demangle: Rust with another suffix");
	check_demangle("_ZN3foo3bar17h0123456789abcdefE@@V1", "foo::bar@@V1",
		       "demangle: Rust with a symbol version");
	check_demangle("_ZN3foo5$BAD$17h0123456789abcdefE", "foo::$BAD$",
		       "demangle: an unknown Rust escape stays");
	check_demangle("_ZN3foo7$u2603$17h0123456789abcdefE", "foo::\xe2\x98\x83",
		       "demangle: a Rust code point in UTF-8");

	if (!filt) {
		ok(true, "# SKIP c++filt is not installed: not compared with it");
		return;
	}
	for (size_t i = 0; i < sizeof(like_cxxfilt) / sizeof(like_cxxfilt[0]); i++) {
		char *want = cxxfilt(like_cxxfilt[i]);

		got = demangle(like_cxxfilt[i]);
		ok(want && got && strcmp(want, got) == 0, "demangle %s: '%s', c++filt '%s'",
		   like_cxxfilt[i], str(got), str(want));
		free(got);
		free(want);
	}
}

int main(void)
{
	demangling();
	return done_testing();
}
