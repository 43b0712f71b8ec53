/* SPDX-License-Identifier: GPL-2.0-or-later */
/* placeholder while being written */
#ifndef PMUPROF_RESOLVE_DEMANGLE_H
#define PMUPROF_RESOLVE_DEMANGLE_H
#endif
