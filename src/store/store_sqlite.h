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

#endif
