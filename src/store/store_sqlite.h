/*
 * store_sqlite.h: private to the SQLite backend's files (store_sqlite*.c).
 * Nothing outside src/store/ includes this.
 */
#ifndef VB_STORE_SQLITE_H
#define VB_STORE_SQLITE_H

#include <sqlite3.h>

#include "store.h"

/* The connection of a store opened by the SQLite backend. */
sqlite3 *store_sqlite_db(struct store *s);

/* A statement for sql from the connection's cache (prepared on first use),
 * lent until store_sqlite_done; NULL when it does not prepare (said on
 * stderr). Every file of the backend prepares its run-time SQL this way. */
sqlite3_stmt *store_sqlite_stmt(struct store *s, const char *sql);
/* Gives st back (reset, for the next caller), or finalises it when it was
 * not kept; NULL is ignored. */
void store_sqlite_done(struct store *s, sqlite3_stmt *st);
/* store_sqlite_stmt after flushing the rows this connection holds back, so
 * that the statement sees its own writes: 0, or VB_ESTORE (*st NULL). */
int store_sqlite_prep(struct store *s, const char *sql, sqlite3_stmt **st);
/* Steps a statement that changes rows (the caller resets or finalises it):
 * 0, VB_ECONFLICT on a uniqueness violation, VB_ESTORE otherwise (said on
 * stderr). */
int store_sqlite_step_write(struct store *s, sqlite3_stmt *st);
/* The 64-bit key of an object id in versions.idh (XXH3 of its text). Reads
 * by id join `versions v` to objects on seq and say `v.idh = ? AND
 * o.id = ?`: the index holds eight-byte integers in place of 50-byte
 * strings (a bulk import 4-7 % faster, a smaller store), and the id
 * comparison settles the rare collision. SQL: vb_idhash(id). */
int64_t store_sqlite_idhash(const char *id);
/* Column i as text into out (empty when NULL), truncated to cap. */
void store_sqlite_col_copy(sqlite3_stmt *st, int i, char *out, size_t cap);

/* The write path of a connection (store_sqlite_put.c): puts, and the rows
 * they hold back until writes_flush. defer: hold them for the whole
 * transaction (a bulk import), else write them at the end of every put. */
struct store_writes;
struct store_writes *writes_open(sqlite3 *db, int defer);
void writes_close(struct store_writes *w);
int writes_put(struct store_writes *w, const struct store_obj *o, enum store_put_result *res);
/* Inserts every held row: 0 or VB_ESTORE (the held rows are dropped
 * either way; the caller then rolls back). */
int writes_flush(struct store_writes *w);
/* Called after BEGIN, before COMMIT (flushes), and on ROLLBACK. */
void writes_begin(struct store_writes *w);
int writes_commit(struct store_writes *w);
void writes_rollback(struct store_writes *w);

#endif
