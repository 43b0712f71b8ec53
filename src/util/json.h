/* SPDX-License-Identifier: GPL-2.0-or-later */
/* placeholder while being written */
#ifndef PMUPROF_UTIL_JSON_H
#define PMUPROF_UTIL_JSON_H
#endif
