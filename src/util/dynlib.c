// SPDX-License-Identifier: GPL-2.0-or-later
#include "util/dynlib.h"

#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

int dynlib_open(const char *file, const struct dynlib_sym *syms, size_t n, char *msg,
		size_t msglen)
{
	void *lib = dlopen(file, RTLD_NOW | RTLD_LOCAL), *sym[64];

	if (!lib) {
		const char *why = dlerror();

		snprintf(msg, msglen, "%s cannot be loaded: %s", file, why ? why : "unknown error");
		return -ELIBACC;
	}
	if (n > sizeof(sym) / sizeof(sym[0])) {
		snprintf(msg, msglen, "%s: too many symbols asked for", file);
		dlclose(lib);
		return -ELIBACC;
	}
	for (size_t i = 0; i < n; i++) {
		dlerror();
		sym[i] = dlsym(lib, syms[i].name);
		if (!sym[i]) {
			snprintf(msg, msglen, "%s has no %s: it is not the version pmuprof was built with",
				 file, syms[i].name);
			dlclose(lib);
			return -ELIBACC;
		}
	}
	/* ISO C has no cast from an object pointer to a function pointer */
	for (size_t i = 0; i < n; i++)
		memcpy(syms[i].fn, &sym[i], sizeof(sym[i]));
	return 0;
}
