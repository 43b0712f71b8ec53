// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * collect/shimrec.c: the conflict line stored in a recording's statistics
 * for what the program did to SIGPROF, from hand-filled counts (its bytes
 * are file content: report prints them as they are); the shared memory
 * against a program that rewrites its header or tries to resize it; the
 * threads that used CPU without receiving a signal.
 */
#include "collect/shimrec.h"
#include "store/format.h"
#include "tap.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void conflicts(void)
{
	struct shimrec_stats st;
	uint64_t start = 1000000000;
	char *s;

	memset(&st, 0, sizeof(st));
	ok(shimrec_conflict(&st, SHIM_ITIMER, start) == NULL, "nothing happened: NULL");

	st.events = 1u << SHIM_EV_OWN_ITIMER;
	st.event_time[SHIM_EV_OWN_ITIMER] = start + 1500000000;
	s = shimrec_conflict(&st, SHIM_ITIMER, start);
	is_str(s,
	       "the program set ITIMER_PROF at 1.500 s, which this sampler owns: its setting "
	       "was not applied",
	       "itimer: the program's ITIMER_PROF");
	free(s);
	s = shimrec_conflict(&st, SHIM_CTIMER, start);
	is_str(s, "the program ran ITIMER_PROF from 1.500 s; its signals went to its own handler",
	       "ctimer: the program's ITIMER_PROF");
	free(s);

	st.events = (1u << SHIM_EV_HANDLER_FOUND) | (1u << SHIM_EV_OWN_HANDLER) |
		    (1u << SHIM_EV_TIMER_FAILED) | (1u << SHIM_EV_NO_SLOT);
	st.event_time[SHIM_EV_OWN_HANDLER] = start - 5; /* before the start: 0 s */
	st.timer_failures = 2;
	st.bad_rings = 3;
	s = shimrec_conflict(&st, SHIM_CTIMER, start);
	is_str(
	    s,
	    "a SIGPROF handler was installed before the sampler loaded; it received the "
	    "program's other SIGPROFs; the program installed its own SIGPROF handler at 0.000 s: "
	    "pmuprof kept its own and passed the program's other SIGPROFs on to it; 2 timer(s) "
	    "could not be armed: some threads were not sampled; threads beyond the shim's slots "
	    "went unsampled; 3 ring(s) held damaged records (the program wrote over them) and "
	    "were abandoned",
	    "every reason, in order, joined by '; '");
	free(s);
}

/* One sample in slot `i`'s ring, as the shim commits it. */
static void put_sample(struct shimrec *s, uint32_t i)
{
	struct rec_sample *r = (struct rec_sample *)(s->rings + (uint64_t)i * s->ring_bytes);
	uint64_t head = atomic_load(&s->slots[i].head);

	memset(r, 0, sizeof(*r));
	r->h.type = REC_SAMPLE;
	r->h.size = sizeof(*r);
	r->tid = 42;
	atomic_store(&s->slots[i].head, head + sizeof(*r));
}

static void hostile(void)
{
	struct shimrec s;
	uint8_t *buf = NULL;
	size_t alloc = 0, len;
	uint64_t ring;
	int seals;

	if (shimrec_open(&s, SHIM_CTIMER, 100, 64) < 0) {
		ok(0, "shimrec_open");
		return;
	}
	ring = s.ring_bytes;
	seals = fcntl(s.fd, F_GET_SEALS);
	ok(seals >= 0 && (seals & (F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL)) ==
				 (F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL),
	   "the memory is sealed against resizing, for good");
	ok(ftruncate(s.fd, 0) < 0 && errno == EPERM, "a program cannot shrink it");
	ok(ftruncate(s.fd, (off_t)s.map_bytes * 2) < 0 && errno == EPERM, "nor grow it");
	ok(fcntl(s.fd, F_ADD_SEALS, F_SEAL_WRITE) < 0 && errno == EPERM,
	   "nor change the seals (a write seal would stop the shim)");

	/* a sample, then the program rewrites the layout and the slot's tail */
	s.slots[1].state = SLOT_DONE;
	put_sample(&s, 1);
	s.hdr->ring_bytes = 1ull << 40;
	s.hdr->map_bytes = 512ull << 30;
	s.hdr->nslots = 1u << 30;
	s.slots[1].tail = 1ull << 39;
	len = shimrec_drain(&s, &buf, &alloc);
	ok(len == sizeof(struct rec_sample) && ((struct rec_sample *)buf)->tid == 42,
	   "the layout record chose stands: the sample comes out of its ring");
	is_int((long long)s.ring_bytes, (long long)ring, "ring_bytes is record's own");
	is_int((long long)s.slots[1].tail, (long long)sizeof(struct rec_sample),
	       "the shared tail is put back from record's own");

	/* a slot whose head the program moved far away is abandoned, its counters with it */
	s.slots[2].state = SLOT_ACTIVE;
	s.slots[2].pid = s.slots[2].tid = 0x7fffffff;
	s.slots[2].head = 1ull << 50;
	s.slots[2].signals = 1ull << 62;
	s.slots[2].lost = 1ull << 62;
	len = shimrec_drain(&s, &buf, &alloc);
	is_int((long long)len, 0, "a damaged ring gives nothing");
	{
		struct shimrec_stats st;

		shimrec_stats(&s, 0, &st);
		is_int((long long)st.bad_rings, 1, "it is counted");
		is_int((long long)st.signals, 0, "its counters do not count");
		is_int((long long)st.lost, 0, "nor its drops");
	}
	free(buf);
	/* map_bytes in the header says 512 GiB: only what was mapped is unmapped */
	shimrec_close(&s);
	ok(1, "closed");
}

static void unsignalled(void)
{
	struct shimrec s;
	struct shimrec_stats st;
	uint8_t *buf = NULL;
	size_t alloc = 0;
	char *c;

	ok(!shimrec_unsignalled(40000000, 0, 10000000), "40 ms at 100 Hz: too little to tell");
	ok(shimrec_unsignalled(60000000, 0, 10000000), "60 ms at 100 Hz without a signal");
	ok(!shimrec_unsignalled(500000000, 1, 10000000), "one signal: the thread was reachable");
	ok(!shimrec_unsignalled(2000000000, 0, 1000000000), "2 s at 1 Hz: two periods only");

	if (shimrec_open(&s, SHIM_CTIMER, 100, 0) < 0) {
		ok(0, "shimrec_open");
		return;
	}
	/* a thread that ended having used 0.3 s and received no signal */
	s.slots[0].state = SLOT_DONE;
	s.slots[0].owner_cpu_ns = 300000000;
	s.slots[1].state = SLOT_DONE;
	s.slots[1].owner_cpu_ns = 300000000;
	s.slots[1].owner_signals = 30;
	s.slots[1].signals = 30;
	shimrec_drain(&s, &buf, &alloc);
	s.hdr->images = 1;
	shimrec_stats(&s, 600000000, &st);
	is_int((long long)st.unsignalled, 1, "ctimer: the thread without a signal is found");
	is_int((long long)st.unsignalled_ns, 300000000, "with its CPU time");
	c = shimrec_conflict(&st, SHIM_CTIMER, 0);
	is_str(c,
	       "1 thread(s) used 0.30 s of CPU but received none of the sampler's signals "
	       "(SIGPROF blocked where the sampler cannot see it, such as with the raw "
	       "rt_sigprocmask system call): that time is missing from the profile",
	       "worded in the conflict line");
	free(c);
	shimrec_close(&s);

	/* itimer: the process as a whole, by the kernel's CPU time */
	if (shimrec_open(&s, SHIM_ITIMER, 100, 0) < 0) {
		ok(0, "shimrec_open");
		return;
	}
	s.slots[0].state = SLOT_DONE;
	s.slots[0].owner_cpu_ns = 300000000;
	shimrec_drain(&s, &buf, &alloc);
	s.hdr->images = 1;
	shimrec_stats(&s, 0, &st);
	is_int((long long)st.unsignalled, 0, "itimer: one thread alone is not judged");
	shimrec_stats(&s, 500000000, &st);
	is_int((long long)st.unsignalled, 1, "itimer: a program with CPU and no signal is");
	s.slots[0].signals = 1;
	shimrec_stats(&s, 500000000, &st);
	is_int((long long)st.unsignalled, 0, "itimer: one signal and it is not");
	free(buf);
	shimrec_close(&s);
}

int main(void)
{
	conflicts();
	hostile();
	unsignalled();
	return done_testing();
}
