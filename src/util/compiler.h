/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Included first by every .c file (through the module headers or directly):
 * config.h and the few attributes and helpers used everywhere.
 */
#ifndef PMUPROF_COMPILER_H
#define PMUPROF_COMPILER_H

#include "config.h"

#include <stddef.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#define ATTR_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))
#define ATTR_NORETURN	       __attribute__((noreturn))

#endif
