// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * JIT files copied into a recording: this process writes its own
 * /tmp/perf-PID.map and a jitdump, notes itself as sampled and the dump as
 * mapped, and stores them; the data file read back holds each once, as
 * REC_IMAGE records of their kinds with the pid, the path and the bytes;
 * a second jitdump that it mapped without telling (as before a recording
 * began) is found in /proc/PID/maps. A process that exited is stored then and
 * not again at the end; one without files stores nothing, and a mapping
 * that is not a jitdump is not one.
 */
#include "collect/jitrec.h"
#include "store/datafile.h"
#include "records.h"
#include "tap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[] = "/tmp/pmuprof-test-jitrec.XXXXXX";

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

int main(void)
{
	uint32_t pid = (uint32_t)getpid();
	char map[64], dump[128], other[128], data[128], sub[128], dump2[160];
	struct data_writer *w;
	struct data_reader *rd;
	struct records rs;
	struct jitrec jr;
	const char *detail;
	uint64_t nfiles = 0;
	int maps = 0, dumps = 0;

	if (!mkdtemp(dir))
		return 1;
	snprintf(map, sizeof(map), "/tmp/perf-%u.map", pid);
	snprintf(dump, sizeof(dump), "%s/jit-%u.dump", dir, pid);
	snprintf(other, sizeof(other), "%s/jit-%u.so", dir, pid);
	snprintf(data, sizeof(data), "%s/t.data", dir);
	snprintf(sub, sizeof(sub), "%s/sub", dir);
	snprintf(dump2, sizeof(dump2), "%s/jit-%u.dump", sub, pid);
	mkdir(sub, 0700);
	write_file(map, "1000 10 jit_f\n");
	write_file(dump, "JiTD-ish bytes");
	write_file(dump2, "JiTD-ish bytes");
	write_file(other, "not a dump");
	{
		FILE *f = fopen(dump2, "r");

		ok(f && mmap(NULL, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE, fileno(f), 0) !=
				MAP_FAILED,
		   "the second dump is mapped");
		if (f)
			fclose(f);
	}

	ok(data_writer_open(data, &w) == 0, "writer opened");
	jitrec_init(&jr);
	jitrec_note_pid(&jr, pid);
	jitrec_note_mmap(&jr, pid, dump);
	jitrec_note_mmap(&jr, pid, dump); /* mapped twice: stored once */
	jitrec_note_mmap(&jr, pid, other);
	jitrec_note_pid(&jr, 1); /* init: no files */
	is_int(jitrec_store_pid(&jr, w, pid, 5), 0, "stored at the process's exit");
	is_int((long long)jr.stored, 3, "its map and its dumps");
	is_int(jitrec_store_all(&jr, w, 6), 0, "the rest at the end");
	is_int((long long)jr.stored, 3, "nothing twice, nothing for a process without files");
	data_writer_stat_u64(w, "jit-files", jr.stored); /* as record writes it */
	jitrec_release(&jr);
	ok(data_writer_finish(w) == 0, "finished");
	data_writer_close(w);
	unlink(map);
	unlink(dump);
	unlink(other);
	unlink(dump2);
	rmdir(sub);

	if (records_read(data, &rs) != 0) {
		ok(0, "read back");
		return done_testing();
	}
	for (size_t i = 0; i < rs.n; i++) {
		const struct rec_image *im;
		const char *name;
		const uint8_t *bytes;

		if (rs.v[i]->type != REC_IMAGE || record_image(rs.v[i], &im, &name, &bytes) < 0)
			continue;
		if (rs.v[i]->misc == IMAGE_PERF_MAP) {
			maps++;
			is_str(name, map, "the map: its path");
			is_int(im->pid, pid, "the map: its process");
			ok(im->size == 14 && !memcmp(bytes, "1000 10 jit_f\n", 14),
			   "the map: its bytes");
		} else if (rs.v[i]->misc == IMAGE_JITDUMP) {
			dumps++;
			ok(!strcmp(name, dump) || !strcmp(name, dump2), "the dump: its path");
			is_int(im->pid, pid, "the dump: its process");
			ok(im->size == 14 && !memcmp(bytes, "JiTD-ish bytes", 14),
			   "the dump: its bytes");
		}
	}
	is_int(maps, 1, "one map");
	is_int(dumps, 2, "the two dumps");
	records_free(&rs);
	ok(data_reader_open(data, &rd, &detail) == 0 &&
		   data_reader_stat_u64(rd, "jit-files", &nfiles) && nfiles == 3,
	   "the statistic written after them");
	data_reader_close(rd);
	unlink(data);
	rmdir(dir);
	return done_testing();
}
