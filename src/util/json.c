// SPDX-License-Identifier: GPL-2.0-or-later
/* placeholder while being written */
typedef int placeholder_util_json;
