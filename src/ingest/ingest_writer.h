/*
 * ingest_writer.h: the store writer of a bulk import.
 *
 * A second thread owns every store call of the run while the first reads,
 * validates and serialises: the two halves cost about the same, so a CLI
 * import runs close to twice as fast on two cores. Objects travel in
 * batches (deep copies in an arena); a small pool of batches bounds the
 * memory in flight. Transaction calls wait for everything queued before
 * them, so "commit returned 0" still means that the file is stored.
 *
 * Only the reading thread calls these functions. Put errors are remembered
 * (and printed with the object's file and id) until the next rollback;
 * a commit after one rolls back and returns the error.
 */
#ifndef VB_INGEST_WRITER_H
#define VB_INGEST_WRITER_H

#include "../store/store.h"
#include "../util/arena.h"

#include <stddef.h>

/* A batch of objects to store, with the outcome of each once written. */
struct wbatch {
	struct arena mem; /* everything the objects point at */
	struct store_obj *objs;
	int *res; /* per object: an enum store_put_result, or -1 when not stored */
	size_t n, cap;
	int direct;	  /* for the reader: count outcomes into the run, not the file */
	const char *file; /* for messages (in mem) */
	int state;	  /* private to ingest_writer.c */
};

enum writer_op { WRITER_BEGIN, WRITER_COMMIT, WRITER_ROLLBACK };

struct writer;

struct writer *writer_start(struct store *st);
/* Waits for the queue to empty, then stops the thread and frees everything. */
void writer_stop(struct writer *w);
/* A batch to fill: an empty one, or a written one whose outcomes the caller
 * still has to read (n > 0) before it calls wbatch_reset. Blocks while every
 * batch is in flight. */
struct wbatch *writer_take(struct writer *w);
/* A written batch not yet taken back, or NULL; never blocks. The caller
 * reads its outcomes and resets it before taking another batch. */
struct wbatch *writer_reclaim(struct writer *w);
/* Queues a filled batch for writing; the caller gives it up. */
void writer_submit(struct writer *w, struct wbatch *b);
/* Runs op after everything queued and returns its result. */
int writer_tx(struct writer *w, enum writer_op op);
/* Queues op without waiting; a failure is returned by the next writer_tx
 * commit (and puts stop until then). */
void writer_tx_async(struct writer *w, enum writer_op op);
/* The first put error since the last rollback, or 0 (does not wait). */
int writer_failed(struct writer *w);

/* Deep-copies o into b (its strings into b's arena). */
void wbatch_add(struct wbatch *b, const struct store_obj *o);
/* Empties b for reuse, keeping its memory. */
void wbatch_reset(struct wbatch *b);
void wbatch_free(struct wbatch *b);

#endif
