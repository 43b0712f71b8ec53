// SPDX-License-Identifier: GPL-2.0-or-later
#include "tap.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int planned = -1, run, failed;

void plan(int n)
{
	planned = n;
	printf("1..%d\n", n);
}

static bool report(bool cond, const char *file, int line, const char *name)
{
	run++;
	if (!cond)
		failed++;
	printf("%s %d - %s\n", cond ? "ok" : "not ok", run, name);
	if (!cond)
		printf("#   failed at %s:%d\n", file, line);
	fflush(stdout);
	return cond;
}

bool ok_at(bool cond, const char *file, int line, const char *fmt, ...)
{
	char name[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(name, sizeof(name), fmt, ap);
	va_end(ap);
	return report(cond, file, line, name);
}

bool is_int_at(long long got, long long want, const char *file, int line, const char *what)
{
	bool r = report(got == want, file, line, what);

	if (!r)
		printf("#   got %lld, want %lld\n", got, want);
	return r;
}

bool is_str_at(const char *got, const char *want, const char *file, int line, const char *what)
{
	bool same = got && want ? !strcmp(got, want) : got == want;
	bool r = report(same, file, line, what);

	if (!r)
		printf("#   got '%s', want '%s'\n", got ? got : "(null)", want ? want : "(null)");
	return r;
}

bool is_near_at(double got, double want, double tol, const char *file, int line,
		const char *what)
{
	bool r = report(fabs(got - want) <= tol, file, line, what);

	if (!r)
		printf("#   got %g, want %g +- %g\n", got, want, tol);
	return r;
}

void diag(const char *fmt, ...)
{
	va_list ap;

	fputs("# ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	fputc('\n', stdout);
}

int done_testing(void)
{
	if (planned < 0)
		printf("1..%d\n", run);
	else if (planned != run)
		printf("# planned %d tests but ran %d\n", planned, run);
	return failed || (planned >= 0 && planned != run);
}
