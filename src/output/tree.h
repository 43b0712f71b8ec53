/* SPDX-License-Identifier: GPL-2.0-or-later */
/* placeholder while being written */
#ifndef PMUPROF_OUTPUT_TREE_H
#define PMUPROF_OUTPUT_TREE_H
#endif
