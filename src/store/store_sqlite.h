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
/* Inserts the version and observable-value rows the open transaction
 * holds back (in key order): before a statement of another file reads or
 * deletes them. */
int store_sqlite_flush(struct store *s);
/* Column i as text into out (empty when NULL), truncated to cap. */
void store_sqlite_col_copy(sqlite3_stmt *st, int i, char *out, size_t cap);

#endif
