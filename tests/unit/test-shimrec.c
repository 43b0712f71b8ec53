// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * collect/shimrec.c: the conflict line stored in a recording's statistics
 * for what the program did to SIGPROF, from hand-filled counts. Its bytes
 * are file content: report prints them as they are.
 */
#include "collect/shimrec.h"
#include "tap.h"

#include <stdlib.h>
#include <string.h>

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

int main(void)
{
	conflicts();
	return done_testing();
}
