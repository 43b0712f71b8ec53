/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A minimal TAP producer for the C unit tests, read by automake's
 * tap-driver.sh: plan(), ok(), is_int(), is_str(), done_testing().
 */
#ifndef PMUPROF_TAP_H
#define PMUPROF_TAP_H

#include <stdbool.h>

void plan(int n);
bool ok_at(bool cond, const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
bool is_int_at(long long got, long long want, const char *file, int line, const char *what);
bool is_str_at(const char *got, const char *want, const char *file, int line, const char *what);
bool is_near_at(double got, double want, double tol, const char *file, int line,
		const char *what);
void diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Prints the plan if none was given, and returns the exit status. */
int done_testing(void);

#define ok(cond, ...)		  ok_at((cond), __FILE__, __LINE__, __VA_ARGS__)
#define is_int(got, want, what)	  is_int_at((got), (want), __FILE__, __LINE__, (what))
#define is_str(got, want, what)	  is_str_at((got), (want), __FILE__, __LINE__, (what))
#define is_near(got, want, tol, what) is_near_at((got), (want), (tol), __FILE__, __LINE__, (what))

#endif
