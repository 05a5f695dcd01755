/* ingest_writer.c: the store writer thread of a bulk import (see the header). */
#include "ingest_writer.h"
#include "../util/err.h"
#include "../util/util.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One filling, one being written, the rest waiting. A folder's small files
 * each make a batch, and a large one is handed over only once read whole:
 * with only a few batches the reader waited for the writer to finish a large
 * file while the writer later waited for the reader to stage the next one.
 * Many batches, bounded by the bytes they hold, keep both busy. */
#define WRITER_BATCHES 256
#define WRITER_QUEUE   288	    /* the batches plus transaction calls */
#define WRITER_BYTES   (256u << 20) /* queued batch memory the reader waits under */

enum { B_FREE, B_FILLING, B_QUEUED, B_WRITTEN };

struct item {
	struct wbatch *batch; /* or NULL for a transaction call */
	enum writer_op op;
	int wait; /* a caller waits for the result; else a failure sticks */
};

struct writer {
	struct store *st;
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t work, done;
	struct item queue[WRITER_QUEUE];
	unsigned head, len;
	int stop;
	long ops_asked, ops_done; /* transaction calls, by ticket */
	int op_rc;
	int put_rc;	     /* first put error since the last rollback */
	size_t queued_bytes; /* arena bytes of the batches queued */
	struct wbatch batch[WRITER_BATCHES];
};

static void write_batch(struct writer *w, struct wbatch *b)
{
	for (size_t i = 0; i < b->n; i++) {
		b->res[i] = -1;
		if (w->put_rc)
			continue;
		enum store_put_result r;
		int rc = store_put(w->st, &b->objs[i], &r);
		if (rc) {
			fprintf(stderr, "verbinding import: %s: the store refused %s: %s\n",
				b->file ? b->file : "-", b->objs[i].id, store_put_why(rc));
			w->put_rc = rc;
			continue;
		}
		b->res[i] = (int)r;
	}
}

static int run_op(struct writer *w, enum writer_op op)
{
	int rc = 0;
	switch (op) {
	case WRITER_BEGIN:
		rc = store_begin(w->st);
		break;
	case WRITER_COMMIT:
		rc = w->put_rc ? w->put_rc : store_commit(w->st);
		if (rc) {
			store_rollback(w->st);
			w->put_rc = 0;
		}
		break;
	case WRITER_ROLLBACK:
		rc = store_rollback(w->st);
		w->put_rc = 0;
		break;
	}
	return rc;
}

static void *writer_main(void *arg)
{
	struct writer *w = arg;
	pthread_mutex_lock(&w->mu);
	for (;;) {
		while (!w->len && !w->stop)
			pthread_cond_wait(&w->work, &w->mu);
		if (!w->len)
			break;
		struct item it = w->queue[w->head];
		pthread_mutex_unlock(&w->mu);
		int rc = 0;
		if (it.batch)
			write_batch(w, it.batch);
		else
			rc = run_op(w, it.op);
		if (rc && !it.wait)
			w->put_rc = rc; /* the next waited-for commit reports it */
		pthread_mutex_lock(&w->mu);
		w->head = (w->head + 1) % WRITER_QUEUE;
		w->len--;
		if (it.batch) {
			it.batch->state = B_WRITTEN;
			w->queued_bytes -= it.batch->mem.used;
		} else if (it.wait) {
			w->op_rc = rc;
			w->ops_done++;
		}
		pthread_cond_broadcast(&w->done);
	}
	pthread_mutex_unlock(&w->mu);
	return NULL;
}

struct writer *writer_start(struct store *st)
{
	struct writer *w = xcalloc(1, sizeof *w);
	w->st = st;
	pthread_mutex_init(&w->mu, NULL);
	pthread_cond_init(&w->work, NULL);
	pthread_cond_init(&w->done, NULL);
	if (pthread_create(&w->thread, NULL, writer_main, w) != 0) {
		pthread_mutex_destroy(&w->mu);
		pthread_cond_destroy(&w->work);
		pthread_cond_destroy(&w->done);
		free(w);
		return NULL; /* the caller stores from its own thread */
	}
	return w;
}

void writer_stop(struct writer *w)
{
	if (!w)
		return;
	pthread_mutex_lock(&w->mu);
	w->stop = 1;
	pthread_cond_signal(&w->work);
	pthread_mutex_unlock(&w->mu);
	pthread_join(w->thread, NULL);
	for (int i = 0; i < WRITER_BATCHES; i++)
		wbatch_free(&w->batch[i]);
	pthread_mutex_destroy(&w->mu);
	pthread_cond_destroy(&w->work);
	pthread_cond_destroy(&w->done);
	free(w);
}

static void push(struct writer *w, struct wbatch *b, enum writer_op op, int wait)
{
	/* Room for every batch and a few transaction calls: the caller
	 * waits here in the rare case that they fill it. */
	while (w->len == WRITER_QUEUE)
		pthread_cond_wait(&w->done, &w->mu);
	w->queue[(w->head + w->len) % WRITER_QUEUE] = (struct item){b, op, wait};
	w->len++;
	pthread_cond_signal(&w->work);
}

static struct wbatch *find(struct writer *w, int state)
{
	for (int i = 0; i < WRITER_BATCHES; i++)
		if (w->batch[i].state == state)
			return &w->batch[i];
	return NULL;
}

struct wbatch *writer_take(struct writer *w)
{
	pthread_mutex_lock(&w->mu);
	struct wbatch *b;
	/* A written batch first: its memory is in use already, while taking
	 * every free one in turn left each holding a large file's batch (a
	 * 1 GB bundle's import grew by 800 MB with 256 batches). */
	while (w->queued_bytes > WRITER_BYTES ||
	       (!(b = find(w, B_WRITTEN)) && !(b = find(w, B_FREE))))
		pthread_cond_wait(&w->done, &w->mu);
	b->state = B_FILLING;
	pthread_mutex_unlock(&w->mu);
	return b;
}

struct wbatch *writer_reclaim(struct writer *w)
{
	pthread_mutex_lock(&w->mu);
	struct wbatch *b = find(w, B_WRITTEN);
	if (b)
		b->state = B_FREE; /* its outcomes stay until the reader resets it */
	pthread_mutex_unlock(&w->mu);
	return b;
}

void writer_submit(struct writer *w, struct wbatch *b)
{
	pthread_mutex_lock(&w->mu);
	b->state = B_QUEUED;
	w->queued_bytes += b->mem.used;
	push(w, b, WRITER_BEGIN, 0);
	pthread_mutex_unlock(&w->mu);
}

int writer_tx(struct writer *w, enum writer_op op)
{
	pthread_mutex_lock(&w->mu);
	long ticket = ++w->ops_asked;
	push(w, NULL, op, 1);
	while (w->ops_done < ticket)
		pthread_cond_wait(&w->done, &w->mu);
	int rc = w->op_rc;
	pthread_mutex_unlock(&w->mu);
	return rc;
}

void writer_tx_async(struct writer *w, enum writer_op op)
{
	pthread_mutex_lock(&w->mu);
	push(w, NULL, op, 0);
	pthread_mutex_unlock(&w->mu);
}

int writer_failed(struct writer *w)
{
	pthread_mutex_lock(&w->mu);
	int rc = w->put_rc;
	pthread_mutex_unlock(&w->mu);
	return rc;
}

/* ---- batches ---- */

static const char **copy_strv(struct arena *a, const char **v, size_t n)
{
	const char **out = arena_alloc(a, (n ? n : 1) * sizeof *out);
	for (size_t i = 0; i < n; i++)
		out[i] = arena_strdup(a, v[i]);
	return out;
}

void wbatch_add(struct wbatch *b, const struct store_obj *o)
{
	struct arena *a = &b->mem;
	if (b->n == b->cap) {
		b->cap = b->cap ? b->cap * 2 : 1024;
		b->objs = xrealloc(b->objs, b->cap * sizeof *b->objs);
		b->res = xrealloc(b->res, b->cap * sizeof *b->res);
	}
	struct store_obj *c = &b->objs[b->n++];
	*c = *o;
	c->id = arena_strdup(a, o->id);
	c->type = arena_strdup(a, o->type);
	c->spec_version = arena_strdup(a, o->spec_version);
	c->created_by_ref = arena_strdup(a, o->created_by_ref);
	c->json = arena_strndup(a, o->json, o->json_len);
	c->markings = copy_strv(a, o->markings, o->n_markings);
	c->labels = copy_strv(a, o->labels, o->n_labels);
	struct store_ref *refs = arena_alloc(a, (o->n_refs ? o->n_refs : 1) * sizeof *refs);
	for (size_t i = 0; i < o->n_refs; i++) {
		refs[i].prop = arena_strdup(a, o->refs[i].prop);
		refs[i].target = arena_strdup(a, o->refs[i].target);
	}
	c->refs = refs;
	struct store_value *vals = arena_alloc(a, (o->n_values ? o->n_values : 1) * sizeof *vals);
	for (size_t i = 0; i < o->n_values; i++) {
		vals[i].kind = arena_strdup(a, o->values[i].kind);
		vals[i].value = arena_strdup(a, o->values[i].value);
	}
	c->values = vals;
	/* shares point at the run's options, which outlive every batch */
}

void wbatch_reset(struct wbatch *b)
{
	b->n = 0;
	b->direct = 0;
	b->file = NULL;
	arena_reset(&b->mem);
}

void wbatch_free(struct wbatch *b)
{
	arena_free(&b->mem);
	free(b->objs);
	free(b->res);
}
