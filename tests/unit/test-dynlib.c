// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Libraries opened when first used: a function found and called, a
 * library that is not there and a symbol that is not in it named in the
 * message, with the pointers left as they were.
 */
#include "tap.h"
#include "util/dynlib.h"

#include <errno.h>
#include <string.h>

int main(void)
{
	double (*cosine)(double) = NULL;
	double (*missing)(double) = NULL;
	char msg[256] = "";
	struct dynlib_sym good[] = { { "cos", &cosine } };
	struct dynlib_sym bad[] = { { "cos", &cosine }, { "pmuprof_no_such_function", &missing } };

	is_int(dynlib_open("libm.so.6", good, 1, msg, sizeof(msg)), 0, "libm opens");
	ok(cosine && cosine(0.0) == 1.0, "its cos() is called through the pointer");
	cosine = NULL;
	is_int(dynlib_open("libpmuprof-absent.so.9", good, 1, msg, sizeof(msg)), -ELIBACC,
	       "a library that is not there: -ELIBACC");
	ok(strstr(msg, "libpmuprof-absent.so.9 cannot be loaded") != NULL,
	   "the message names the file (%s)", msg);
	ok(!cosine, "the pointer is left alone");
	is_int(dynlib_open("libm.so.6", bad, 2, msg, sizeof(msg)), -ELIBACC,
	       "a symbol that is not there: -ELIBACC");
	ok(strstr(msg, "libm.so.6 has no pmuprof_no_such_function") != NULL,
	   "the message names the symbol (%s)", msg);
	ok(!cosine && !missing, "no pointer is filled when one symbol is missing");
	return done_testing();
}
