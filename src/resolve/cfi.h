/* SPDX-License-Identifier: GPL-2.0-or-later */
/* placeholder while being written */
#ifndef PMUPROF_RESOLVE_CFI_H
#define PMUPROF_RESOLVE_CFI_H
#endif
