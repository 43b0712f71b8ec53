/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Demangling of symbol names: C++ (Itanium ABI, "_Z...") and legacy Rust
 * ("_ZN...17h<16 hex digits>E"), through the C++ runtime's __cxa_demangle,
 * which is looked up in libstdc++.so.6 at run time so that pmuprof does not
 * link the C++ runtime (without libstdc++ these names stay as they are);
 * Rust v0 names ("_R...") by a reader of their own.
 *
 * The text follows c++filt: GCC clone suffixes become " [clone .cold]",
 * and a symbol version ("@GLIBC_2.2.5", "@@...") is kept after the name.
 * Rust names lose their hash ("::h0123456789abcdef") and their escapes are
 * decoded ("$LT$" is '<', ".." is "::"), as rustfilt shows them. v0 names
 * print as perf shows them ("<mycrate::Acc<f64>>::crunch_numbers"), without
 * the crates' hashes; one with a Punycode identifier stays mangled.
 *
 * demangle_brief() shortens a demangled C++ name to what perf and pprof
 * show by default: the function's name without its return type, parameter
 * list and qualifiers ("ns::Foo<int>::bar" for "int ns::Foo<int>::bar(long)
 * const"), its template arguments, ABI tags, clone suffixes and symbol
 * version kept. The parameters of an enclosing function stay, as perf
 * shows them ("f(int)::{lambda()#1}::operator()"): they tell apart the
 * local classes and lambdas of overloads.
 */
#ifndef PMUPROF_DEMANGLE_H
#define PMUPROF_DEMANGLE_H

#include "util/compiler.h"

/*
 * The demangled name, which the caller frees, or NULL when name is not
 * mangled, cannot be demangled, is longer than 16 KiB (the demangler works
 * on the stack) or no demangler is available.
 * Thread-safe.
 */
char *demangle(const char *name);

/*
 * The short form of a name that demangle() returned, which the caller
 * frees, or NULL when it is already short: a name without a parameter
 * list at its end (Rust, data) or one the scanner cannot read (then the
 * whole name is the one to show).
 */
char *demangle_brief(const char *demangled);

#endif
