/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Demangling of symbol names: C++ (Itanium ABI, "_Z...") and legacy Rust
 * ("_ZN...17h<16 hex digits>E"), through the C++ runtime's __cxa_demangle,
 * which is looked up in libstdc++.so.6 at run time so that pmuprof does not
 * link the C++ runtime. Without libstdc++ every name stays as it is.
 *
 * The text follows c++filt: GCC clone suffixes become " [clone .cold]",
 * and a symbol version ("@GLIBC_2.2.5", "@@...") is kept after the name.
 * Rust names lose their hash ("::h0123456789abcdef") and their escapes are
 * decoded ("$LT$" is '<', ".." is "::"), as rustfilt shows them.
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

#endif
