// SPDX-License-Identifier: GPL-2.0-or-later
#include "collect/recwriter.h"
#include "collect/offcpu.h"
#include "collect/runloop.h"
#include "util/alloc.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define QUEUE_MAX_BYTES (512u << 20) /* beyond this, drop rather than grow without end */

struct recwriter_chunk {
	struct recwriter_chunk *next;
	size_t len;
	uint8_t *data; /* owned: drained straight from a ring, copied once */
	enum recwriter_kind kind;
};

/*
 * How long after its time stamp a kernel record may still be on its way
 * into a ring (the kernel stamps it, then copies it with interrupts off).
 */
#define RING_LAG_NS 1000000ull

/*
 * Samples the reader had to drop (the queue was full) become a LOST record
 * in the stream, written by this thread, the only one that writes.
 */
static int note_dropped(struct recwriter *wr)
{
	uint64_t dropped;
	int ret;

	pthread_mutex_lock(&wr->lock);
	dropped = wr->dropped;
	pthread_mutex_unlock(&wr->lock);
	if (dropped == wr->dropped_written)
		return 0;
	ret = perfrec_write_lost(&wr->pr, LOST_WRITER, dropped - wr->dropped_written);
	wr->dropped_written = dropped;
	return ret;
}

static struct recwriter_chunk *take_chunk(struct recwriter *wr)
{
	struct recwriter_chunk *c;

	pthread_mutex_lock(&wr->lock);
	while (!wr->head && !wr->closing)
		pthread_cond_wait(&wr->cond, &wr->lock);
	c = wr->head;
	if (c) {
		wr->head = c->next;
		if (!wr->head)
			wr->tail = NULL;
		wr->queued -= c->len;
	}
	pthread_mutex_unlock(&wr->lock);
	return c;
}

/*
 * The old file's converter goes back to the caller with what it counted;
 * the new file gets a fresh one in the same format.
 */
static int switch_file(struct recwriter *wr, struct recwriter_chunk *c)
{
	struct recwriter_switched *sw = (struct recwriter_switched *)c->data;
	struct perfrec old = wr->pr;
	int ret = wr->err ? 0 : note_dropped(wr);

	c->data = NULL; /* the caller's again, through the list */
	perfrec_init(&wr->pr, sw->pr.w, old.sample_type, old.regs_mask, old.stack_request);
	wr->pr.oc = old.oc;
	wr->pr.trace = old.trace;
	sw->pr = old;
	sw->dropped = wr->dropped_written - wr->dropped_switched;
	wr->dropped_switched = wr->dropped_written;
	sw->next = NULL;
	pthread_mutex_lock(&wr->lock);
	if (wr->switched_tail)
		wr->switched_tail->next = sw;
	else
		wr->switched = sw;
	wr->switched_tail = sw;
	pthread_mutex_unlock(&wr->lock);
	return ret;
}

static int take_chunk_records(struct recwriter *wr, struct recwriter_chunk *c)
{
	uint64_t t;

	switch (c->kind) {
	case RW_KERNEL:
	case RW_SWITCHES:
		return perfrec_convert(&wr->pr, c->data, c->len, c->kind == RW_SWITCHES);
	case RW_TRACE:
		return perfrec_convert_trace(&wr->pr, c->data, c->len);
	case RW_NATIVE:
		return perfrec_add_native(&wr->pr, c->data, c->len);
	case RW_CAPTURE:
		if (wr->oc && c->len >= 8 + sizeof(struct rec_sample)) {
			memcpy(&t, c->data, 8);
			offcpu_capture(wr->oc, (const struct rec_sample *)(c->data + 8), t);
		}
		return 0;
	case RW_MARK:
		if (!wr->oc || c->len < 8)
			return 0;
		memcpy(&t, c->data, 8);
		return offcpu_flush(wr->oc, t);
	case RW_SWITCH:
		return switch_file(wr, c);
	}
	return 0;
}

static void *writer_main(void *arg)
{
	struct recwriter *wr = arg;
	struct recwriter_chunk *c;

	while ((c = take_chunk(wr))) {
		/* after an error too: the files must reach the caller to be closed */
		int ret = wr->err && c->kind != RW_SWITCH ? 0 : take_chunk_records(wr, c);

		free(c->data);
		free(c);
		if (!ret && !wr->err)
			ret = note_dropped(wr);
		if (ret < 0) {
			pthread_mutex_lock(&wr->lock);
			wr->err = ret;
			pthread_mutex_unlock(&wr->lock);
		}
	}
	/* buffers dropped after the last one that came through are in the stream too */
	if (!wr->err) {
		int ret = note_dropped(wr);

		pthread_mutex_lock(&wr->lock);
		wr->err = ret < 0 ? ret : 0;
		pthread_mutex_unlock(&wr->lock);
	}
	return NULL;
}

int recwriter_open(struct recwriter *wr, struct data_writer *w, const struct perf_event_attr *attr,
		   struct offcpu *oc)
{
	int ret;

	memset(wr, 0, sizeof(*wr));
	perfrec_init(&wr->pr, w, attr->sample_type, attr->sample_regs_user,
		     attr->sample_stack_user);
	wr->pr.oc = wr->oc = oc;
	pthread_mutex_init(&wr->lock, NULL);
	pthread_cond_init(&wr->cond, NULL);
	ret = pthread_create(&wr->thread, NULL, writer_main, wr);
	if (ret) {
		perfrec_release(&wr->pr);
		pthread_mutex_destroy(&wr->lock);
		pthread_cond_destroy(&wr->cond);
		memset(wr, 0, sizeof(*wr));
		return -ret;
	}
	wr->running = true;
	return 0;
}

static uint64_t native_samples(const uint8_t *buf, size_t len)
{
	uint64_t n = 0;

	for (size_t off = 0; len - off >= sizeof(struct rec_header);) {
		const struct rec_header *h = (const struct rec_header *)(buf + off);

		if (h->size < sizeof(*h) || h->size > len - off)
			break;
		n += h->type == REC_SAMPLE;
		off += h->size;
	}
	return n;
}

int recwriter_push(struct recwriter *wr, uint8_t *buf, size_t len, enum recwriter_kind kind)
{
	struct recwriter_chunk *c;
	int err;

	pthread_mutex_lock(&wr->lock);
	err = wr->err;
	/* the tracker's marks are a few bytes, and intervals need them; a switch is a file */
	if (!err && wr->queued + len > QUEUE_MAX_BYTES && kind != RW_MARK && kind != RW_SWITCH) {
		/* a switch ring's samples are the stacks of waits: lost as well */
		wr->dropped += kind == RW_NATIVE			   ? native_samples(buf, len)
			       : kind == RW_KERNEL || kind == RW_SWITCHES ? perfrec_count_samples(buf, len)
									  : 0;
		if (kind == RW_TRACE)
			wr->dropped_trace += perfrec_count_samples(buf, len);
		pthread_mutex_unlock(&wr->lock);
		free(buf);
		return 0;
	}
	pthread_mutex_unlock(&wr->lock);
	if (err) {
		free(buf);
		return err;
	}
	c = xmalloc(sizeof(*c));
	c->next = NULL;
	c->len = len;
	c->data = buf;
	c->kind = kind;
	pthread_mutex_lock(&wr->lock);
	if (wr->tail)
		wr->tail->next = c;
	else
		wr->head = c;
	wr->tail = c;
	wr->queued += len;
	pthread_cond_signal(&wr->cond);
	pthread_mutex_unlock(&wr->lock);
	return 0;
}

int recwriter_switch(struct recwriter *wr, struct data_writer *next, void *arg)
{
	struct recwriter_switched *sw = xcalloc(1, sizeof(*sw));
	int ret;

	sw->pr.w = next;
	sw->arg = arg;
	ret = recwriter_push(wr, (uint8_t *)sw, sizeof(*sw), RW_SWITCH);
	/* refused: the writer had failed, and the buffer is gone */
	return ret;
}

struct recwriter_switched *recwriter_take_switched(struct recwriter *wr)
{
	struct recwriter_switched *sw;

	pthread_mutex_lock(&wr->lock);
	sw = wr->switched;
	if (sw) {
		wr->switched = sw->next;
		if (!wr->switched)
			wr->switched_tail = NULL;
		sw->next = NULL;
	}
	pthread_mutex_unlock(&wr->lock);
	return sw;
}

void recwriter_switched_free(struct recwriter_switched *sw)
{
	if (!sw)
		return;
	perfrec_release(&sw->pr);
	free(sw);
}

void recwriter_finish(struct recwriter *wr)
{
	if (!wr->running)
		return;
	pthread_mutex_lock(&wr->lock);
	wr->closing = true;
	pthread_cond_signal(&wr->cond);
	pthread_mutex_unlock(&wr->lock);
	pthread_join(wr->thread, NULL);
	wr->running = false;
}

void recwriter_close(struct recwriter *wr)
{
	if (!wr->pr.w)
		return;
	recwriter_finish(wr);
	for (struct recwriter_switched *sw; (sw = recwriter_take_switched(wr));) {
		data_writer_close(sw->pr.w);
		recwriter_switched_free(sw);
	}
	perfrec_release(&wr->pr);
	pthread_mutex_destroy(&wr->lock);
	pthread_cond_destroy(&wr->cond);
	wr->pr.w = NULL;
}

static int drain_rings(struct recwriter *wr, struct sampler *s, enum recwriter_kind kind)
{
	int err = 0;

	for (size_t i = 0; s && i < s->nrings && !err; i++) {
		for (;;) {
			uint8_t *buf = NULL;
			size_t alloc = 0, n = sampler_drain(&s->rings[i], &buf, &alloc);

			if (!n) {
				free(buf);
				break;
			}
			/* a busy ring refills while we copy: go around until it is empty */
			err = recwriter_push(wr, buf, n, kind);
			if (err)
				break;
		}
	}
	return err;
}

int recwriter_drain(struct recwriter *wr, const struct rec_sources *src)
{
	uint64_t start = runloop_now_ns();
	int err = drain_rings(wr, src->s, RW_KERNEL);

	if (!err)
		err = drain_rings(wr, src->acct, RW_KERNEL);
	if (!err)
		err = drain_rings(wr, src->sw, RW_SWITCHES);
	if (!err)
		err = drain_rings(wr, src->trace, RW_TRACE);
	if (!err && src->shim) {
		uint8_t *buf = NULL;
		size_t alloc = 0, n = shimrec_drain(src->shim, &buf, &alloc);

		if (n)
			err = recwriter_push(wr, buf, n, RW_NATIVE);
		else
			free(buf);
	}
	if (!err && wr->oc && start > RING_LAG_NS) {
		/* every ring was emptied after `start`: what is older than that has come */
		uint64_t *mark = xmalloc(sizeof(*mark));

		*mark = start - RING_LAG_NS;
		err = recwriter_push(wr, (uint8_t *)mark, sizeof(*mark), RW_MARK);
	}
	return err;
}

int *rec_sources_fds(const struct rec_sources *src, size_t *n)
{
	const struct sampler *all[] = { src->s, src->acct, src->sw, src->trace };
	size_t total = 0;
	int *fds;

	for (size_t k = 0; k < ARRAY_SIZE(all); k++)
		total += all[k] ? all[k]->nrings : 0;
	fds = xcalloc(total + 1, sizeof(*fds));
	*n = 0;
	for (size_t k = 0; k < ARRAY_SIZE(all); k++)
		for (size_t i = 0; all[k] && i < all[k]->nrings; i++)
			fds[(*n)++] = all[k]->rings[i].fd;
	return fds;
}
