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
/* Column i as text into out (empty when NULL), truncated to cap. */
void store_sqlite_col_copy(sqlite3_stmt *st, int i, char *out, size_t cap);

#endif
