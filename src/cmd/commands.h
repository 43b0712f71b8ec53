/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * One entry point per command. Each parses its own options and returns the
 * process exit status: 0 ok, 1 failure, 2 usage, or the workload's status.
 */
#ifndef PMUPROF_COMMANDS_H
#define PMUPROF_COMMANDS_H

int cmd_annotate(int argc, char **argv);
int cmd_compare(int argc, char **argv);
int cmd_diff(int argc, char **argv);
int cmd_list(int argc, char **argv);
int cmd_record(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_script(int argc, char **argv);
int cmd_stat(int argc, char **argv);
int cmd_timeline(int argc, char **argv);

#endif
