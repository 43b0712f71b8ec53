// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The signal and wakeup tracepoints: tracefs format files parsed (made-up
 * ones, with fields where no kernel puts them), raw data decoded by their
 * offsets and checked against its size, and the converter's path from a
 * ring's samples through the off-CPU tracker, which keeps the events of the
 * threads it follows, in time order with the waits.
 */
#include "collect/offcpu.h"
#include "collect/perfrec.h"
#include "collect/traceev.h"
#include "records.h"
#include "resolve/session.h"
#include "tap.h"

#include <errno.h>
#include <linux/perf_event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MS 1000000ull

/* Made-up layouts: the fields moved (and reordered) from where Linux has them. */
static const char *const fmt_text[TRACEEV_NTP] = {
	"name: signal_generate\n"
	"ID: 901\n"
	"format:\n"
	"\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;\n"
	"\tfield:unsigned char common_flags;\toffset:2;\tsize:1;\tsigned:0;\n"
	"\tfield:unsigned char common_preempt_count;\toffset:3;\tsize:1;\tsigned:0;\n"
	"\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;\n"
	"\n"
	"\tfield:char comm[16];\toffset:8;\tsize:16;\tsigned:0;\n"
	"\tfield:int sig;\toffset:24;\tsize:4;\tsigned:1;\n"
	"\tfield:int errno;\toffset:28;\tsize:4;\tsigned:1;\n"
	"\tfield:int code;\toffset:32;\tsize:4;\tsigned:1;\n"
	"\tfield:pid_t pid;\toffset:36;\tsize:4;\tsigned:1;\n"
	"\tfield:int group;\toffset:40;\tsize:4;\tsigned:1;\n"
	"\tfield:int result;\toffset:44;\tsize:4;\tsigned:1;\n"
	"\n"
	"print fmt: \"sig=%d pid=%d\", REC->sig, REC->pid\n",

	"name: signal_deliver\nID: 902\nformat:\n"
	"\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;\n"
	"\tfield:int sig;\toffset:8;\tsize:4;\tsigned:1;\n"
	"\tfield:int code;\toffset:12;\tsize:4;\tsigned:1;\n"
	"\tfield:unsigned long sa_handler;\toffset:16;\tsize:8;\tsigned:0;\n"
	"print fmt: \"sig=%d\"\n",

	"name: sched_wakeup\nID: 903\nformat:\n"
	"\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;\n"
	"\tfield:char comm[16];\toffset:8;\tsize:16;\tsigned:0;\n"
	"\tfield:pid_t pid;\toffset:24;\tsize:4;\tsigned:1;\n"
	"\tfield:int prio;\toffset:28;\tsize:4;\tsigned:1;\n"
	"\tfield:int success;\toffset:32;\tsize:4;\tsigned:1;\n"
	"\tfield:int target_cpu;\toffset:36;\tsize:4;\tsigned:1;\n",

	"name: sched_wakeup_new\nID: 904\nformat:\n"
	"\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;\n"
	"\tfield:char comm[16];\toffset:8;\tsize:16;\tsigned:0;\n"
	"\tfield:pid_t pid;\toffset:24;\tsize:4;\tsigned:1;\n"
	"\tfield:int target_cpu;\toffset:28;\tsize:4;\tsigned:1;\n",
};

static void put32(uint8_t *raw, size_t off, uint32_t v)
{
	memcpy(raw + off, &v, 4);
}

static void put16(uint8_t *raw, size_t off, uint16_t v)
{
	memcpy(raw + off, &v, 2);
}

static void test_parse(void)
{
	struct traceev_format f;
	struct traceev_layout lay;
	const char *bad[TRACEEV_NTP];

	ok(traceev_parse_format(fmt_text[0], &f) == 0, "parse: a format file");
	is_int(f.id, 901, "parse: its ID");
	ok(f.f[TF_SIG].offset == 24 && f.f[TF_SIG].size == 4 && f.f[TF_SIG].is_signed,
	   "parse: sig at its offset, signed");
	ok(f.f[TF_PID].offset == 36 && f.f[TF_RESULT].offset == 44 && f.f[TF_GROUP].offset == 40,
	   "parse: pid, group and result");
	ok(f.f[TF_COMMON_TYPE].offset == 0 && f.f[TF_COMMON_TYPE].size == 2 &&
	       !f.f[TF_COMMON_TYPE].is_signed,
	   "parse: common_type");
	ok(traceev_parse_format("format:\n\tfield:int sig;\toffset:8;\tsize:4;\tsigned:1;\n", &f) ==
		   -EINVAL,
	   "parse: no ID is refused");
	ok(traceev_parse_format("ID: 5\n\tfield:int sig;\toffset:8;\tsize:3;\tsigned:1;\n", &f) ==
		   -EINVAL,
	   "parse: a field of 3 bytes is refused");
	ok(traceev_parse_format("ID: 5\n\tfield:int sig;\toffset:x;\tsize:4;\tsigned:1;\n", &f) ==
		   -EINVAL,
	   "parse: an offset that is not a number is refused");
	ok(traceev_parse_format("ID: 5\n\tfield:int sig;\toffset:99999;\tsize:4;\tsigned:1;\n",
				&f) == -EINVAL,
	   "parse: an offset beyond 64 KiB is refused");
	ok(traceev_parse_format("ID: 5\n\tfield:;\toffset:8;\tsize:4;\tsigned:1;\n", &f) == -EINVAL,
	   "parse: a field without a name is refused");
	ok(traceev_layout_from_text(&lay, fmt_text) == 0, "layout: four formats");
	memcpy(bad, fmt_text, sizeof(bad));
	bad[3] = "ID: 904\n\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;\n"
		 "\tfield:pid_t pid;\toffset:24;\tsize:4;\tsigned:1;\n";
	ok(traceev_layout_from_text(&lay, bad) == -EINVAL,
	   "layout: a wakeup without target_cpu is refused");
	bad[3] = "ID: 904\n\tfield:unsigned short common_type;\toffset:2;\tsize:2;\tsigned:0;\n"
		 "\tfield:pid_t pid;\toffset:24;\tsize:4;\tsigned:1;\n"
		 "\tfield:int target_cpu;\toffset:28;\tsize:4;\tsigned:1;\n";
	ok(traceev_layout_from_text(&lay, bad) == -EINVAL,
	   "layout: common_type elsewhere in one of them is refused");
}

static void test_decode(void)
{
	struct traceev_layout lay;
	struct traceev_event ev;
	uint8_t raw[48];

	traceev_layout_from_text(&lay, fmt_text);
	memset(raw, 0, sizeof(raw));
	put16(raw, 0, 901);
	put32(raw, 24, 10);
	put32(raw, 32, (uint32_t)-6); /* SI_TKILL */
	put32(raw, 36, 4321);
	put32(raw, 40, 1);
	put32(raw, 44, 2);
	ok(traceev_decode(&lay, raw, sizeof(raw), &ev) == 0, "decode: a generation");
	ok(ev.tp == TRACEEV_SIGNAL_GENERATE && ev.sig == 10 && ev.code == -6 && ev.tid == 4321 &&
	       ev.group && ev.result == 2,
	   "decode: its fields, sign-extended");
	ok(traceev_decode(&lay, raw, 44, &ev) == -EBADMSG,
	   "decode: a record that ends before its last field is refused");
	ok(traceev_decode(&lay, raw, 1, &ev) == -EBADMSG, "decode: one byte is refused");
	put16(raw, 0, 777);
	ok(traceev_decode(&lay, raw, sizeof(raw), &ev) == -ENOENT, "decode: another tracepoint");
	memset(raw, 0, sizeof(raw));
	put16(raw, 0, 903);
	put32(raw, 24, 99);
	put32(raw, 36, 3);
	ok(traceev_decode(&lay, raw, 40, &ev) == 0 && ev.tp == TRACEEV_WAKEUP && ev.tid == 99 &&
	       ev.target_cpu == 3,
	   "decode: a wakeup, target_cpu by its own format's offset");
	ok(traceev_decode(&lay, raw, 39, &ev) == -EBADMSG, "decode: a wakeup cut short");
}

/* A perf sample of the tracepoints' layout: TID, TIME, CPU, RAW. */
static size_t put_sample(uint8_t *buf, uint32_t pid, uint32_t tid, uint64_t time, uint32_t cpu,
			 const uint8_t *raw, uint32_t rawlen)
{
	struct perf_event_header h = { .type = PERF_RECORD_SAMPLE, .misc = 0 };
	uint64_t v = (uint64_t)tid << 32 | pid, c = cpu;
	size_t n = sizeof(h);

	memcpy(buf + n, &v, 8), n += 8;
	memcpy(buf + n, &time, 8), n += 8;
	memcpy(buf + n, &c, 8), n += 8;
	memcpy(buf + n, &rawlen, 4), n += 4;
	memcpy(buf + n, raw, rawlen), n += rawlen;
	n = (n + 7) & ~(size_t)7;
	h.size = (uint16_t)n;
	memcpy(buf, &h, sizeof(h));
	return n;
}

static size_t put_signal(uint8_t *buf, uint32_t from_pid, uint32_t from, uint32_t to,
			 uint64_t time, int sig)
{
	uint8_t raw[48] = { 0 };

	put16(raw, 0, 901);
	put32(raw, 24, (uint32_t)sig);
	put32(raw, 36, to);
	return put_sample(buf, from_pid, from, time, 1, raw, sizeof(raw));
}

static size_t put_wakeup(uint8_t *buf, uint32_t pid, uint32_t tid, uint32_t woken,
			 uint64_t time)
{
	uint8_t raw[40] = { 0 };

	put16(raw, 0, 903);
	put32(raw, 24, woken);
	put32(raw, 36, 1);
	return put_sample(buf, pid, tid, time, 0, raw, sizeof(raw));
}

static void test_convert(bool all)
{
	char path[] = "/tmp/pmuprof-test-traceev.XXXXXX";
	struct traceev_layout lay;
	struct data_writer *w;
	struct offcpu *oc;
	struct perfrec pr;
	struct records rs;
	struct offcpu_stats st;
	uint8_t buf[4096];
	size_t n = 0;
	int fd = mkstemp(path);
	const struct rec_signal *sg[4] = { NULL };
	const struct rec_wakeup *wk[4] = { NULL };
	size_t nsg = 0, nwk = 0, first_sample = SIZE_MAX, first_signal = SIZE_MAX;

	close(fd);
	traceev_layout_from_text(&lay, fmt_text);
	if (data_writer_open(path, &w) < 0 || offcpu_new(&oc, w, 0, false))
		abort();
	if (all)
		offcpu_keep_all_events(oc);
	perfrec_init(&pr, w, PERF_SAMPLE_TID | PERF_SAMPLE_TIME | PERF_SAMPLE_CPU, 0, 0);
	pr.oc = oc;
	pr.trace = &lay;
	/* thread 101 of process 100 is followed: it runs from 0 and waits from 10 to 30 ms */
	offcpu_thread_runs(oc, 100, 101, 0);
	offcpu_switch(oc, 100, 101, 10 * MS, 0, true, false);
	offcpu_switch(oc, 100, 101, 30 * MS, 1, false, false);
	/* out of order, as from two CPUs: a kill from 500 at 20 ms, a wakeup of 101 at 29 ms */
	n += put_wakeup(buf + n, 0, 0, 101, 29 * MS);
	n += put_signal(buf + n, 500, 500, 101, 20 * MS, 10);
	/* 101 signals another process at 40 ms; 600 wakes 601 at 41 ms: nobody followed */
	n += put_signal(buf + n, 100, 101, 700, 40 * MS, 15);
	n += put_wakeup(buf + n, 600, 600, 601, 41 * MS);
	/* a record whose raw data is cut short */
	{
		uint8_t raw[8] = { 0 };

		put16(raw, 0, 901);
		n += put_sample(buf + n, 1, 1, 42 * MS, 0, raw, sizeof(raw));
	}
	ok(perfrec_convert_trace(&pr, buf, n) == 0, "convert%s: converted", all ? " -a" : "");
	is_int((long long)pr.st.malformed, 1, "convert: the cut record counted as malformed");
	ok(offcpu_finish(oc, 50 * MS) == 0, "convert: finished");
	offcpu_get_stats(oc, &st);
	if (data_writer_finish(w) < 0 || records_read(path, &rs) < 0)
		abort();
	data_writer_close(w);
	unlink(path);
	for (size_t k = 0; k < rs.n; k++) {
		const struct rec_header *h = rs.v[k];

		if (h->type == REC_SAMPLE && first_sample == SIZE_MAX)
			first_sample = k;
		if (h->type == REC_SIGNAL && nsg < 4 && record_signal(h, &sg[nsg]) == 0) {
			if (first_signal == SIZE_MAX)
				first_signal = k;
			nsg++;
		}
		if (h->type == REC_WAKEUP && nwk < 4 && record_wakeup(h, &wk[nwk]) == 0)
			nwk++;
	}
	is_int((long long)nsg, all ? 2 : 2, "convert: both signals that concern 101 (or all)");
	is_int((long long)nwk, all ? 2 : 1, "convert: the wakeups of 101 (-a: all)");
	ok(st.signals == nsg && st.wakeups == nwk, "convert: counted");
	ok(sg[0] && sg[0]->time == 20 * MS && sg[0]->from_pid == 500 && sg[0]->from_tid == 500 &&
	       sg[0]->to_tid == 101 && sg[0]->to_pid == 100 && sg[0]->sig == 10 &&
	       (sg[0]->h.misc & SIGNAL_KIND_MASK) == SIGNAL_GENERATE,
	   "convert: the kill, sender and receiver (its pid from the tracker)");
	ok(sg[1] && sg[1]->time == 40 * MS && sg[1]->from_tid == 101 && sg[1]->to_tid == 700 &&
	       sg[1]->to_pid == 0,
	   "convert: a signal 101 sent, the receiver's process unknown");
	ok(wk[0] && wk[0]->time == 29 * MS && wk[0]->tid == 0 && wk[0]->woken_tid == 101 &&
	       wk[0]->woken_pid == 100 && wk[0]->target_cpu == 1,
	   "convert: the wakeup of 101 from the idle task");
	ok(first_signal < first_sample, "convert: written as time comes, before the wait that ends after it");
	records_free(&rs);
	perfrec_release(&pr);
	offcpu_free(oc);
}

/* A sender outside the followed threads is named, from /proc, once. */
static void test_outsider_name(void)
{
	char path[] = "/tmp/pmuprof-test-traceev.XXXXXX";
	struct rec_signal g = { .h = { .type = REC_SIGNAL, .size = sizeof(g) } };
	struct data_writer *w;
	struct offcpu *oc;
	struct records rs;
	int fd = mkstemp(path), names = 0;
	bool mine = false;

	close(fd);
	if (data_writer_open(path, &w) < 0 || offcpu_new(&oc, w, 0, false))
		abort();
	offcpu_thread_runs(oc, 100, 101, 0);
	g.from_pid = g.from_tid = (uint32_t)getpid();
	g.to_tid = 101;
	g.sig = 10;
	for (int i = 1; i <= 2; i++) {
		g.time = (uint64_t)i * MS;
		offcpu_signal(oc, &g);
	}
	ok(offcpu_finish(oc, 5 * MS) == 0, "outsider: finished");
	if (data_writer_finish(w) < 0 || records_read(path, &rs) < 0)
		abort();
	data_writer_close(w);
	unlink(path);
	for (size_t k = 0; k < rs.n; k++) {
		const struct rec_comm *c;
		const char *name;

		if (rs.v[k]->type == REC_COMM && record_comm(rs.v[k], &c, &name) == 0) {
			names++;
			mine = c->tid == (uint32_t)getpid() && !strcmp(name, "test-traceev") &&
			       c->time == MS;
		}
	}
	is_int(names, 1, "outsider: named once for its two signals");
	ok(mine, "outsider: by its name in /proc, from its first signal");
	records_free(&rs);
	offcpu_free(oc);
}

static void put_rec(struct data_writer *w, const void *rec, size_t size, uint64_t time)
{
	void *p = data_writer_reserve(w, size);

	if (!p)
		abort();
	memcpy(p, rec, size);
	data_writer_commit(w, time);
}

/* The session's arrays: in time order whatever the file's, pids filled in from names. */
static void test_session(void)
{
	char path[] = "/tmp/pmuprof-test-traceev.XXXXXX";
	struct rec_signal g = { .h = { .type = REC_SIGNAL, .size = sizeof(g) } };
	struct rec_wakeup k = { .h = { .type = REC_WAKEUP, .size = sizeof(k) } };
	struct data_writer *w;
	struct session s;
	const char *detail = NULL;
	int fd = mkstemp(path);

	close(fd);
	if (data_writer_open(path, &w) < 0)
		abort();
	data_writer_meta_str(w, "off-cpu-events", "signals wakeups");
	records_put_comm(w, 300, 301, 0, "worker", false);
	g.from_pid = g.from_tid = 500;
	g.to_tid = 301;
	g.time = 30 * MS;
	g.sig = 10;
	put_rec(w, &g, sizeof(g), g.time);
	g.h.misc = SIGNAL_DELIVER;
	g.from_pid = g.from_tid = 0;
	g.to_pid = 300;
	g.time = 31 * MS;
	put_rec(w, &g, sizeof(g), g.time);
	g.h.misc = SIGNAL_GENERATE | SIGNAL_GROUP;
	g.from_pid = g.from_tid = 500;
	g.to_pid = 0;
	g.time = 10 * MS;
	put_rec(w, &g, sizeof(g), g.time);
	k.woken_tid = 301;
	k.time = 20 * MS;
	k.target_cpu = 1;
	put_rec(w, &k, sizeof(k), k.time);
	k.h.misc = WAKEUP_NEW;
	k.time = 5 * MS;
	put_rec(w, &k, sizeof(k), k.time);
	/* a record too short for its type: skipped, counted */
	g.h.size = sizeof(g) - 8;
	put_rec(w, &g, sizeof(g) - 8, 40 * MS);
	if (data_writer_finish(w) < 0)
		abort();
	data_writer_close(w);
	memset(&s, 0, sizeof(s));
	ok(session_open(&s, path, &detail) == 0, "session: opened");
	is_int((long long)s.nsignals, 3, "session: three signals");
	is_int((long long)s.nwakeups, 2, "session: two wakeups");
	ok(s.nsignals == 3 && s.signals[0].time == 10 * MS && s.signals[1].time == 30 * MS &&
	       s.signals[2].time == 31 * MS,
	   "session: signals in time order");
	ok(s.nsignals == 3 && s.signals[0].group && !s.signals[0].deliver &&
	       s.signals[0].to_pid == 300 && s.signals[0].from_tid == 500 && s.signals[0].sig == 10,
	   "session: a generation, its receiver's pid from the thread's name");
	ok(s.nsignals == 3 && s.signals[2].deliver && s.signals[2].to_tid == 301 &&
	       !s.signals[2].from_tid,
	   "session: a delivery");
	ok(s.nwakeups == 2 && s.wakeups[0].time == 5 * MS && s.wakeups[0].new_thread &&
	       s.wakeups[1].time == 20 * MS && !s.wakeups[1].new_thread &&
	       s.wakeups[1].woken_pid == 300 && s.wakeups[1].target_cpu == 1,
	   "session: wakeups in time order, the woken thread's pid filled in");
	ok(s.bad_records >= 1, "session: the short record counted as bad");
	ok(session_events_missing(&s) == NULL, "session: the recording has its events");
	session_close(&s);
	unlink(path);
}

int main(void)
{
	test_parse();
	test_decode();
	test_convert(false);
	test_convert(true);
	test_outsider_name();
	test_session();
	return done_testing();
}
