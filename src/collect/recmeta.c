// SPDX-License-Identifier: GPL-2.0-or-later
#include "collect/recmeta.h"
#include "collect/offcpu.h"
#include "collect/sampler.h"
#include "util/proc.h"

#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

static uint64_t now_ns(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void cpu_model(char *buf, size_t size)
{
	char line[512];
	FILE *f = fopen("/proc/cpuinfo", "r");

	snprintf(buf, size, "unknown");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char *colon = strchr(line, ':');

		if (!strncmp(line, "model name", 10) && colon) {
			snprintf(buf, size, "%s", colon + 2);
			buf[strcspn(buf, "\n")] = '\0';
			break;
		}
	}
	fclose(f);
}

static void write_target(struct data_writer *w, enum target_kind kind, pid_t pid)
{
	char buf[64];

	switch (kind) {
	case TARGET_WORKLOAD:
		data_writer_meta_str(w, "target", "command");
		break;
	case TARGET_PID:
		snprintf(buf, sizeof(buf), "process %d", (int)pid);
		data_writer_meta_str(w, "target", buf);
		break;
	case TARGET_TID:
		snprintf(buf, sizeof(buf), "thread %d", (int)pid);
		data_writer_meta_str(w, "target", buf);
		break;
	case TARGET_CPUS:
		data_writer_meta_str(w, "target", "all CPUs");
		break;
	}
}

void recmeta_write(struct data_writer *w, const struct recmeta *m)
{
	const struct rec_sampling *smp = m->smp;
	const struct rec_event *ev = m->ev;
	struct utsname u;
	char buf[4096], model[256];
	size_t n = 0;

	for (int i = 0; i < m->argc && n < sizeof(buf) - 1; i++)
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s%s", i ? " " : "", m->argv[i]);
	data_writer_meta_str(w, "cmdline", buf);
	if (uname(&u) == 0) {
		data_writer_meta_str(w, "host", u.nodename);
		data_writer_meta_str(w, "kernel", u.release);
		data_writer_meta_str(w, "arch", u.machine);
	}
	cpu_model(model, sizeof(model));
	data_writer_meta_str(w, "cpu", model);
	data_writer_meta_u64(w, "ncpus", (uint64_t)sysconf(_SC_NPROCESSORS_ONLN));
	data_writer_meta_str(w, "clock", "CLOCK_MONOTONIC");
	if (proc_read_line("/proc/sys/kernel/random/boot_id", buf, sizeof(buf)))
		data_writer_meta_str(w, "boot-id", buf);
	data_writer_meta_u64(w, "start-realtime-ns", now_ns(CLOCK_REALTIME));
	data_writer_meta_u64(w, "start-ns", now_ns(CLOCK_MONOTONIC));
	data_writer_meta_str(w, "sampler", m->sampler);
	data_writer_meta_str(w, "event-requested", m->event_requested);
	data_writer_meta_str(w, "event", ev->name);
	data_writer_meta_str(w, "event-fstr", ev->fstr ? ev->fstr : ev->name);
	if (m->fallback)
		data_writer_meta_str(w, "fallback", m->fallback);
	if (ev->user_only)
		data_writer_meta_str(w, "privilege", "user space only (perf_event_paranoid)");
	data_writer_meta(w, "event-attr", &ev->attr, sizeof(ev->attr));
	if (smp->freq)
		data_writer_meta_u64(w, "freq-hz", smp->freq);
	else
		data_writer_meta_u64(w, "period", smp->period);
	data_writer_meta_str(w, "call-graph", rec_call_graph_names[smp->cg]);
	data_writer_meta_u64(w, "stack-size", smp->cg == REC_CG_DWARF ? smp->stack_size : 0);
	if (smp->cg == REC_CG_DWARF)
		data_writer_meta_str(w, "stack-size-origin", smp->stack_size_given ? "option" : "default");
	if (smp->cg == REC_CG_FP) {
		/* a chain this long was cut by the kernel: report tells it from a broken one */
		long max = proc_read_long("/proc/sys/kernel/perf_event_max_stack", 0);

		if (max > 0)
			data_writer_meta_u64(w, "max-stack", (uint64_t)max);
	}
	/* the shim records the registers it unwinds from even without a stack */
	data_writer_meta_u64(w, "regs-mask",
			     smp->cg == REC_CG_DWARF || m->timer ? SAMPLER_REGS_MASK : 0);
	/* successive copies of a thread's stack differ near the leaf only: coded as differences */
	if (smp->cg == REC_CG_DWARF || m->timer)
		data_writer_stack_delta(w,
					(unsigned int)__builtin_popcountll(
					    SAMPLER_REGS_MASK & ((1ull << PERF_REG_X86_SP) - 1)));
	if (m->off_cpu) {
		data_writer_meta_str(w, "off-cpu", m->off_cpu);
		data_writer_meta_u64(w, "off-cpu-min-stack-ns", m->off_cpu_min_stack);
	}
	if (m->off_cpu_events)
		data_writer_meta_str(w, "off-cpu-events", m->off_cpu_events);
	data_writer_meta_u64(w, "ring-pages", m->pages);
	data_writer_meta_u64(w, "page-size", (uint64_t)sysconf(_SC_PAGESIZE));
	write_target(w, m->target, m->pid);
}

void recmeta_write_stats(struct data_writer *w, const struct recmeta_stats *s)
{
	const struct perfrec_stats *st = s->st;

	if (s->shim) {
		data_writer_stat_u64(w, "timer-signals", s->shim->signals);
		data_writer_stat_u64(w, "timer-overruns", s->shim->overruns);
		data_writer_stat_u64(w, "foreign-signals", s->shim->foreign);
		data_writer_stat_u64(w, "late-signals", s->shim->late);
		data_writer_stat_u64(w, "shim-images", s->shim->images);
		data_writer_stat_u64(w, "lost-shim", st->lost_shim);
		if (s->conflict)
			data_writer_stat(w, "conflict", s->conflict, strlen(s->conflict) + 1);
	}
	if (s->off) {
		data_writer_stat_u64(w, "off-cpu-samples", s->off->intervals);
		data_writer_stat_u64(w, "off-cpu-ns", s->off->ns);
		data_writer_stat_u64(w, "off-cpu-blocked-ns", s->off->blocked_ns);
		data_writer_stat_u64(w, "off-cpu-runnable-ns", s->off->runnable_ns);
		data_writer_stat_u64(w, "off-cpu-stack-switch", s->off->by_source[0]);
		data_writer_stat_u64(w, "off-cpu-stack-remote", s->off->by_source[1]);
		data_writer_stat_u64(w, "off-cpu-stack-none", s->off->by_source[2]);
		data_writer_stat_u64(w, "off-cpu-ns-stack-none", s->off->ns_no_stack);
		data_writer_stat_u64(w, "off-cpu-closed-at-end", s->off->closed_at_end);
		data_writer_stat_u64(w, "off-cpu-signals", s->off->signals);
		data_writer_stat_u64(w, "off-cpu-wakeups", s->off->wakeups);
		data_writer_stat_u64(w, "off-cpu-events-lost", st->lost_trace);
	}
	data_writer_stat_u64(w, "samples", st->samples);
	data_writer_stat_u64(w, "samples-stack-full", st->samples_stack_full);
	data_writer_stat_u64(w, "lost-ring", st->lost_ring);
	data_writer_stat_u64(w, "lost-samples", st->lost_samples);
	data_writer_stat_u64(w, "lost-writer", s->lost_writer);
	data_writer_stat_u64(w, "throttled", st->throttled);
	data_writer_stat_u64(w, "unthrottled", st->unthrottled);
	data_writer_stat_u64(w, "malformed", st->malformed);
	data_writer_stat_u64(w, "weight", st->weight);
	data_writer_stat_u64(w, "first-time-ns", st->first_time);
	data_writer_stat_u64(w, "last-time-ns", st->last_time);
	data_writer_stat_u64(w, "elapsed-ns", (uint64_t)(s->elapsed_s * 1e9));
	if (s->cpu_s >= 0)
		data_writer_stat_u64(w, "cpu-time-ns", (uint64_t)(s->cpu_s * 1e9));
	if (s->exit_status >= 0)
		data_writer_stat_u64(w, "exit-status", (uint64_t)s->exit_status);
	if (s->switch_open_ns)
		data_writer_stat_u64(w, "switch-open-ns", s->switch_open_ns);
}
