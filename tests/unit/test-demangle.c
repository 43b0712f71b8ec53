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

/* What c++filt with options prints for name, or NULL when it is not installed. */
static char *cxxfilt_with(const char *name, const char *options)
{
	char cmd[512], line[1024];
	FILE *p;

	/* on its input, not its arguments: only there does it keep a symbol version */
	snprintf(cmd, sizeof(cmd), "printf '%%s\\n' '%s' | c++filt%s 2>/dev/null", name, options);
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

static char *cxxfilt(const char *name)
{
	return cxxfilt_with(name, "");
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

/*
 * Rust v0 names ("_R"), as perf and c++filt show them less the crate
 * hashes: from a program built with -C symbol-mangling-version=v0 and its
 * standard library. They need no libstdc++.
 */
static void rust_v0(void)
{
	static const struct {
		const char *name, *want, *what;
	} table[] = {
		{ "_RNvMCs6GmmlP4bgsG_1rINtB2_3AccdE14crunch_numbers",
		  "<r::Acc<f64>>::crunch_numbers", "an inherent impl's method" },
		{ "_RNvXsh_NtCsgEmfK2I1SDS_4core3fmteNtB5_5Debug3fmt", "<str as core::fmt::Debug>::fmt",
		  "a trait impl's method" },
		{ "_RNCNCNCNvNtCsjrHSEGnQ3l9_3std2rt19lang_start_internal00s_0B9_",
		  "std::rt::lang_start_internal::{closure#0}::{closure#0}::{closure#1}",
		  "closures, with an instantiating crate" },
		{ "_RNCINvNtCsjrHSEGnQ3l9_3std2rt10lang_startuE0Cs6GmmlP4bgsG_1r",
		  "std::rt::lang_start::<()>::{closure#0}", "generic arguments in a value path" },
		{ "_RNvXs1g_NtCsgEmfK2I1SDS_4core3fmtRDNtB6_5DebugEL_Bx_3fmtB8_",
		  "<&dyn core::fmt::Debug as core::fmt::Debug>::fmt", "a reference to dyn, backrefs" },
		{ "_RINvNtCsgEmfK2I1SDS_4core6escape14escape_unicodeKja_ECsgY6Mt91CT9J_14rustc_demangle",
		  "core::escape::escape_unicode::<10>", "a const generic" },
		{ "_RNvMs3_NtCslNYArtu3iFV_5alloc7raw_vecINtB5_6RawVecTOhFUKCBN_EuENtNtCsjrHSEGnQ3l9_"
		  "3std5alloc6SystemE8grow_oneB13_",
		  "<alloc::raw_vec::RawVec<(*mut u8, unsafe extern \"C\" fn(*mut u8)), "
		  "std::alloc::System>>::grow_one",
		  "a tuple, a raw pointer, an extern fn" },
		{ "_RINvMNtCsgEmfK2I1SDS_4core5sliceSh11copy_withinINtNtNtB5_3ops5range14RangeInclusive"
		  "jEECsfEOYDRpO4Ta_11miniz_oxide",
		  "<[u8]>::copy_within::<core::ops::range::RangeInclusive<usize>>", "a slice" },
		{ "_RINvNtCsgEmfK2I1SDS_4core3ptr13drop_in_placeINtNtCslNYArtu3iFV_5alloc5boxed3BoxDG0_"
		  "INtNtNtB4_3ops8function2FnTRL1_INtNtCsjrHSEGnQ3l9_3std5panic13PanicHookInfoL0_EEEp6"
		  "OutputuNtNtB4_6marker4SyncNtB2N_4SendEL_EEB1T_",
		  "core::ptr::drop_in_place::<alloc::boxed::Box<dyn for<'a, 'b> "
		  "core::ops::function::Fn<(&'a std::panic::PanicHookInfo<'b>,), Output = ()> + "
		  "core::marker::Sync + core::marker::Send>>",
		  "dyn with a binder, lifetimes and an associated type" },
		{ "_RNvMCs6GmmlP4bgsG_1rINtB2_3AccdE14crunch_numbers.llvm.123",
		  "<r::Acc<f64>>::crunch_numbers", "without LTO's suffix" },
		{ "_RNvMCs6GmmlP4bgsG_1rINtB2_3AccdE14crunch_numbers@@V1",
		  "<r::Acc<f64>>::crunch_numbers@@V1", "with a symbol version" },
	};
	static const struct {
		const char *name, *what;
	} bad[] = {
		{ "_R", "_R alone" },
		{ "_RNvC1a", "a path cut short" },
		{ "_RNvC1a1bX", "trailing garbage" },
		{ "_R0NvC1a1b", "an encoding version" },
		{ "_RB_", "a backreference to itself" },
		{ "_RNvB0_1a", "a backreference forward" },
		{ "_RNvC1au3abc", "Punycode (not decoded)" },
		{ "_RNvCs_1a99999999999999999999", "a length that overflows" },
		{ "_RINvC1a1fKb2_E", "a bool constant of 2" },
	};
	char *got, *bomb;

	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		got = demangle(table[i].name);
		ok(got && strcmp(got, table[i].want) == 0, "v0: %s ('%s', want '%s')",
		   table[i].what, str(got), table[i].want);
		free(got);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		got = demangle(bad[i].name);
		ok(got == NULL, "v0: %s stays mangled ('%s')", bad[i].what, str(got));
		free(got);
	}
	/* each tuple refers twice to the one before: 2^40 types from 600 bytes */
	bomb = malloc(4096);
	strcpy(bomb, "_RINvC1a1fTuuE");
	for (size_t i = 0, prev = 8; i < 40; i++) {
		static const char digits[] =
			"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
		size_t here = strlen(bomb) - 2;
		char ref[8];

		snprintf(ref, sizeof(ref), "B%c%c_", digits[(prev - 1) / 62 % 62],
			 digits[(prev - 1) % 62]);
		if (prev - 1 < 62)
			snprintf(ref, sizeof(ref), "B%c_", digits[prev - 1]);
		strcat(bomb, "T");
		strcat(bomb, ref);
		strcat(bomb, ref);
		strcat(bomb, "E");
		prev = here;
	}
	strcat(bomb, "E");
	ok(demangle(bomb) == NULL, "v0: backreferences that double 40 times stay mangled");
	free(bomb);
	got = demangle_brief("<r::Acc<f64>>::crunch_numbers");
	ok(got == NULL, "v0: a Rust name is already short ('%s')", str(got));
	free(got);
}

/*
 * The short form, on names as c++filt and nm -C print them: from a C++
 * program with one function of each shape, libstdc++.so.6, and LLVM.
 */
static void brief_table(void)
{
	static const struct {
		const char *full, *brief, *what;
	} table[] = {
		{ "engine::detail::Accumulator<double>::crunch_numbers(std::vector<double, "
		  "std::allocator<double> > const&) const",
		  "engine::detail::Accumulator<double>::crunch_numbers", "a method of a template" },
		{ "foo()", "foo", "no parameters" },
		{ "outer(int)", "outer", "a function" },
		{ "std::map<int, double, std::less<int>, std::allocator<std::pair<int const, double> > > "
		  "mk<double>(double const&)",
		  "mk<double>", "a template function's return type goes" },
		{ "int arr<3>(int (&) [3])", "arr<3>", "a reference to an array as parameter" },
		{ "int (*getfp<double>(double))(int)", "getfp<double>",
		  "a function that returns a pointer to function" },
		{ "int (Foo::*getpm<int>())(char)", "getpm<int>",
		  "a function that returns a pointer to member function" },
		{ "(anonymous namespace)::anon(int)", "(anonymous namespace)::anon",
		  "the anonymous namespace" },
		{ "ns::Box<int>::operator<<(int)", "ns::Box<int>::operator<<", "operator<<" },
		{ "ns::Box<int>::operator<(ns::Box<int> const&) const", "ns::Box<int>::operator<",
		  "operator<" },
		{ "std::basic_istream<char, std::char_traits<char> >::operator>>(int&)@@GLIBCXX_3.4",
		  "std::basic_istream<char, std::char_traits<char> >::operator>>@@GLIBCXX_3.4",
		  "operator>> with a symbol version" },
		{ "std::basic_ostream<char, std::char_traits<char> >& std::operator<< "
		  "<std::char_traits<char> >(std::basic_ostream<char, std::char_traits<char> >&, "
		  "char const*)",
		  "std::operator<< <std::char_traits<char> >", "a template operator<<" },
		{ "bool llvm::remarks::operator< <llvm::remarks::RemarkLocation>(llvm::Optional<"
		  "llvm::remarks::RemarkLocation> const&, llvm::Optional<llvm::remarks::RemarkLocation> "
		  "const&)",
		  "llvm::remarks::operator< <llvm::remarks::RemarkLocation>", "a template operator<" },
		{ "std::hash<long double>::operator()(long double) const",
		  "std::hash<long double>::operator()", "operator()" },
		{ "ns::Box<int>::operator()(int, char) volatile", "ns::Box<int>::operator()",
		  "operator() volatile" },
		{ "std::__cxx11::basic_string<wchar_t, std::char_traits<wchar_t>, "
		  "std::allocator<wchar_t> >::operator[](unsigned long) const",
		  "std::__cxx11::basic_string<wchar_t, std::char_traits<wchar_t>, "
		  "std::allocator<wchar_t> >::operator[]",
		  "operator[]" },
		{ "std::filesystem::__cxx11::path::operator/=(std::filesystem::__cxx11::path const&)",
		  "std::filesystem::__cxx11::path::operator/=", "operator/=" },
		{ "Foo::operator->() const", "Foo::operator->", "operator->" },
		{ "Foo::operator,(Foo const&)", "Foo::operator,", "operator," },
		{ "operator delete[](void*, std::align_val_t, std::nothrow_t const&)",
		  "operator delete[]", "operator delete[]" },
		{ "operator new(unsigned long)", "operator new", "operator new" },
		{ "operator\"\" _km(unsigned long long)", "operator\"\" _km", "a literal operator" },
		{ "ns::Box<int>::operator std::vector<int, std::allocator<int> >() const",
		  "ns::Box<int>::operator std::vector<int, std::allocator<int> >",
		  "a conversion to a template" },
		{ "std::basic_ostream<char, std::char_traits<char> >::sentry::operator bool() const",
		  "std::basic_ostream<char, std::char_traits<char> >::sentry::operator bool",
		  "operator bool" },
		{ "Foo::operator unsigned long() const", "Foo::operator unsigned long",
		  "a conversion to a type of two words" },
		{ "std::__exception_ptr::exception_ptr::operator void (std::__exception_ptr::"
		  "exception_ptr::*)()() const",
		  "std::__exception_ptr::exception_ptr::operator void (std::__exception_ptr::"
		  "exception_ptr::*)()",
		  "a conversion to a pointer to member function" },
		{ "outer(int)::{lambda(int)#1}::operator()(int) const",
		  "outer(int)::{lambda(int)#1}::operator()",
		  "a lambda: the enclosing function's parameters stay" },
		{ "main::{lambda(std::vector<int, std::allocator<int> > const&)#2}::operator()"
		  "(std::vector<int, std::allocator<int> > const&) const",
		  "main::{lambda(std::vector<int, std::allocator<int> > const&)#2}::operator()",
		  "a lambda with a template parameter" },
		{ "outer(int)::In::g(double)", "outer(int)::In::g", "a local class" },
		{ "Foo::bar() const::{lambda()#1}::operator()() const",
		  "Foo::bar() const::{lambda()#1}::operator()", "a lambda in a const method" },
		{ "std::_Function_handler<double (int), main::{lambda(int)#1}>::_M_invoke("
		  "std::_Any_data const&, int&&)",
		  "std::_Function_handler<double (int), main::{lambda(int)#1}>::_M_invoke",
		  "a function type in template arguments" },
		{ "ns::Box<int>::name[abi:cxx11]() const", "ns::Box<int>::name[abi:cxx11]",
		  "an ABI tag" },
		{ "std::filesystem::current_path[abi:cxx11](std::error_code&)@@GLIBCXX_3.4.26",
		  "std::filesystem::current_path[abi:cxx11]@@GLIBCXX_3.4.26",
		  "an ABI tag and a symbol version" },
		{ "ns::Box<int>::set(int&&) &&", "ns::Box<int>::set", "an rvalue-ref qualifier" },
		{ "Foo::get() const &", "Foo::get", "an lvalue-ref qualifier" },
		{ "Foo::swap(Foo&) noexcept", "Foo::swap", "noexcept" },
		{ "std::_Vector_base<int, std::allocator<int> >::~_Vector_base()",
		  "std::_Vector_base<int, std::allocator<int> >::~_Vector_base", "a destructor" },
		{ "foo() [clone .cold]", "foo [clone .cold]", "a cold part keeps its clone suffix" },
		{ "std::_Rb_tree<int, std::pair<int const, double>, std::_Select1st<std::pair<int "
		  "const, double> >, std::less<int>, std::allocator<std::pair<int const, double> > "
		  ">::_M_erase(std::_Rb_tree_node<std::pair<int const, double> >*) [clone .isra.0]",
		  "std::_Rb_tree<int, std::pair<int const, double>, std::_Select1st<std::pair<int "
		  "const, double> >, std::less<int>, std::allocator<std::pair<int const, double> > "
		  ">::_M_erase [clone .isra.0]",
		  "a clone of a template method" },
		{ "foo() [clone .constprop.0] [clone .isra.0]",
		  "foo [clone .constprop.0] [clone .isra.0]", "two clone suffixes" },
		{ "decltype ({parm#1}+{parm#2}) add<int, int>(int, int)", "add<int, int>",
		  "a decltype return type" },
		{ "char const* find<char, 4>(char const (&) [4])", "find<char, 4>",
		  "a return type of two words" },
		{ "void fn<&(anonymous namespace)::cb>(int)", "fn<&(anonymous namespace)::cb>",
		  "the anonymous namespace in template arguments" },
		{ "non-virtual thunk to Derived::run(int)", "non-virtual thunk to Derived::run",
		  "a thunk" },
		{ "transaction clone for std::logic_error::what() const@@GLIBCXX_3.4.22",
		  "transaction clone for std::logic_error::what@@GLIBCXX_3.4.22",
		  "a transaction clone" },
	};
	static const struct {
		const char *name, *what;
	} unchanged[] = {
		{ "core::fmt::write", "Rust: no parameter list" },
		{ "<alloc::vec::Vec<T> as core::ops::drop::Drop>::drop", "a Rust trait method" },
		{ "std::rt::lang_start::{{closure}}", "a Rust closure" },
		{ "core::fmt::write.cold", "Rust with a suffix" },
		{ "ns::counter", "data" },
		{ "typeinfo for void (*)(int)", "a type's typeinfo" },
		{ "vtable for Foo", "a vtable" },
		{ "guard variable for foo()::x", "a guard variable" },
		{ "void (*)(int)", "a type alone" },
		{ "foo(", "no closing parenthesis" },
		{ "foo(int))", "one parenthesis too many" },
		{ "foo<int(int)", "no closing angle bracket" },
		{ "foo(int) junk", "words after the parameters" },
		{ "(int)", "no name" },
		{ "", "the empty string" },
		{ "operator", "operator alone" },
	};
	char *got;

	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		got = demangle_brief(table[i].full);
		ok(got && strcmp(got, table[i].brief) == 0, "brief: %s ('%s', want '%s')",
		   table[i].what, str(got), table[i].brief);
		free(got);
	}
	for (size_t i = 0; i < sizeof(unchanged) / sizeof(unchanged[0]); i++) {
		got = demangle_brief(unchanged[i].name);
		ok(got == NULL, "brief: %s stays as it is ('%s')", unchanged[i].what, str(got));
		free(got);
	}
	ok(demangle_brief(NULL) == NULL, "brief: NULL");
	got = malloc(20003);
	memset(got, '(', 10000);
	memset(got + 10000, ')', 10000);
	memcpy(got + 20000, "()", 3);
	ok(demangle_brief(got) == NULL, "brief: parentheses nested 10000 deep");
	free(got);
}

/* What c++filt -p (perf's form: no parameters) prints for name, or NULL. */
static char *cxxfilt_p(const char *name)
{
	return cxxfilt_with(name, " -p");
}

/* demangle() then demangle_brief() shows what perf shows, which is c++filt -p. */
static void brief_like_perf(void)
{
	static const char *const names[] = {
		"_ZNK6engine6detail11AccumulatorIdE14crunch_numbersERKSt6vectorIdSaIdEE",
		"_Z5getfpIdEPFiiET_",
		"_Z2mkIdESt3mapIiT_St4lessIiESaISt4pairIKiS1_EEERKS1_",
		"_ZN12_GLOBAL__N_14anonEi",
		"_ZN2ns3BoxIiElsEi",
		"_ZNK2ns3BoxIiEltERKS1_",
		"_ZNV2ns3BoxIiEclEic",
		"_ZNK2ns3BoxIiEcvSt6vectorIiSaIiEEEv",
		"_ZNK2ns3BoxIiE4nameB5cxx11Ev",
		"_ZNO2ns3BoxIiE3setEOi",
		"_ZZ5outeriENKUliE_clEi",
		"_ZZ5outeriEN2In1gEd",
		"_ZStlsISt11char_traitsIcEERSt13basic_ostreamIcT_ES5_PKc",
		"_ZdaPvSt11align_val_tRKSt9nothrow_t",
		"_ZNKSt15__exception_ptr13exception_ptrcvMS0_FvvEEv",
	};
	void *lib = dlopen("libstdc++.so.6", RTLD_LAZY | RTLD_LOCAL);

	if (!lib || !have("c++filt")) {
		ok(true, "# SKIP %s: not compared with c++filt -p",
		   lib ? "c++filt is not installed" : "no libstdc++.so.6 to demangle with");
		return;
	}
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		char *full = demangle(names[i]), *got = demangle_brief(full);
		char *want = cxxfilt_p(names[i]);

		ok(want && got && strcmp(want, got) == 0, "brief %s: '%s', c++filt -p '%s'", names[i],
		   str(got), str(want));
		free(full);
		free(got);
		free(want);
	}
}

int main(void)
{
	demangling();
	rust_v0();
	brief_table();
	brief_like_perf();
	return done_testing();
}
