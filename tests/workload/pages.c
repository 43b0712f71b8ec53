// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * pages N: maps N fresh anonymous pages, with transparent huge pages off,
 * and writes one byte to each, so it takes exactly N more page faults than
 * the same program run with N = 0.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	long n, page = sysconf(_SC_PAGESIZE);
	volatile char *p;

	if (argc != 2 || (n = atol(argv[1])) < 0) {
		fprintf(stderr, "usage: pages N\n");
		return 2;
	}
	if (n == 0)
		return 0;
	p = mmap(NULL, (size_t)(n * page), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		 -1, 0);
	if (p == MAP_FAILED) {
		perror("mmap");
		return 1;
	}
	madvise((void *)p, (size_t)(n * page), MADV_NOHUGEPAGE);
	for (long i = 0; i < n; i++)
		p[i * page] = 1;
	munmap((void *)p, (size_t)(n * page));
	return 0;
}
