/* test_store.c: the SQLite backend's own mechanics: ids found through their
 * hash (and a collision settled by the id), the migrations that add the hash
 * and the version table to an older store, version and observable-value rows
 * held back until commit, and the rollback journal of a bulk import that has
 * the store to itself. */
#include "test.h"
#include "../../src/store/store.h"
#include "../../src/store/store_sqlite.h"
#include "../../src/util/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

/* A domain-name SCO (no modified) carrying its value. */
static int put_domain(struct store *s, const char *id, const char *value, enum store_put_result *r)
{
	char json[256];
	snprintf(json, sizeof json, "{\"type\":\"domain-name\",\"id\":\"%s\",\"value\":\"%s\"}", id,
		 value);
	struct store_value v = {.kind = "domain-name", .value = value};
	struct store_obj o = {.id = id,
			      .type = "domain-name",
			      .spec_version = "2.1",
			      .created = STORE_NO_TIME,
			      .modified = STORE_NO_TIME,
			      .confidence = -1,
			      .valid_from = STORE_NO_TIME,
			      .valid_until = STORE_NO_TIME,
			      .json = json,
			      .json_len = strlen(json),
			      .values = &v,
			      .n_values = 1,
			      .tlp = STORE_TLP_NONE};
	return store_put(s, &o, r);
}

/* Version modified (seconds) of a campaign, with this JSON. */
static int put_campaign(struct store *s, const char *id, int64_t modified, const char *json,
			enum store_put_result *r)
{
	struct store_obj o = {.id = id,
			      .type = "campaign",
			      .spec_version = "2.1",
			      .created = 0,
			      .modified = modified * 1000000,
			      .confidence = -1,
			      .valid_from = STORE_NO_TIME,
			      .valid_until = STORE_NO_TIME,
			      .json = json,
			      .json_len = strlen(json),
			      .tlp = STORE_TLP_NONE};
	return store_put(s, &o, r);
}

/* Version modified (seconds) of an SDO; its name says which. */
static int put_sdo(struct store *s, const char *id, int64_t modified, enum store_put_result *r)
{
	char json[256];
	snprintf(json, sizeof json, "{\"type\":\"campaign\",\"id\":\"%s\",\"name\":\"v%lld\"}", id,
		 (long long)modified);
	return put_campaign(s, id, modified, json, r);
}

static int exec_sql(struct store *s, const char *sql)
{
	return sqlite3_exec(store_sqlite_db(s), sql, NULL, NULL, NULL) == SQLITE_OK ? 0 : -1;
}

static int64_t sql_int(struct store *s, const char *sql)
{
	sqlite3_stmt *st;
	int64_t v = -1;
	if (sqlite3_prepare_v2(store_sqlite_db(s), sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

static char *sql_text(struct store *s, const char *sql)
{
	sqlite3_stmt *st;
	char *v = NULL;
	if (sqlite3_prepare_v2(store_sqlite_db(s), sql, -1, &st, NULL) != SQLITE_OK)
		return NULL;
	if (sqlite3_step(st) == SQLITE_ROW)
		v = xstrdup((const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	return v;
}

static int count_row(void *arg, const struct store_row *row)
{
	(void)row;
	(*(int *)arg)++;
	return 0;
}

static int by_value(struct store *s, const char *value)
{
	struct store_filter f = {
	    .viewer = STORE_VIEWER_LOCAL, .value_kind = "domain-name", .value = value};
	int n = 0;
	return store_scan(s, &f, count_row, &n) ? -1 : n;
}

/* Closes s (unless NULL) and opens the store at path again with flags:
 * the new connection, or NULL. */
static struct store *reopen(struct store *s, const char *path, int flags)
{
	if (s)
		store_close(s);
	struct vb_err e;
	vb_err_clear(&e);
	struct store *n;
	return store_open(path, flags, &n, &e) ? NULL : n;
}

#define A "domain-name--00000000-0000-5000-8000-00000000000a"
#define B "domain-name--00000000-0000-5000-8000-00000000000b"

/* A new store at a fresh path (written to path) holding A, or NULL. */
static struct store *store_with_a(char *path, size_t cap)
{
	struct store *s = test_store_new(path, cap);
	enum store_put_result r;
	if (s && (put_domain(s, A, "a.example", &r) || r != STORE_PUT_NEW)) {
		test_store_remove(s, path);
		return NULL;
	}
	return s;
}

/* Declares path and s (a store holding A); the test ends when that fails. */
#define OPEN_WITH_A(s, path)                                                                       \
	char path[64];                                                                             \
	struct store *s = store_with_a(path, sizeof path);                                         \
	CHECK(s);                                                                                  \
	if (!s)                                                                                    \
	return

TEST(store_id_hash_collision)
{
	OPEN_WITH_A(s, path);
	enum store_put_result r;
	CHECK_INT(put_domain(s, A, "a.example", &r), 0);
	CHECK_INT(r, STORE_PUT_UNCHANGED);
	/* Make A's key collide with B's: B is still not stored, and storing it
	 * adds it beside A. */
	char sql[256];
	snprintf(sql, sizeof sql,
		 "UPDATE versions SET idh = %lld WHERE seq = (SELECT seq FROM objects WHERE id = "
		 "'%s')",
		 (long long)store_sqlite_idhash(B), A);
	CHECK_INT(exec_sql(s, sql), 0);
	char *json = NULL;
	CHECK_INT(store_get(s, STORE_VIEWER_LOCAL, B, STORE_NO_TIME, &json, NULL), VB_ENOTFOUND);
	CHECK_INT(put_domain(s, B, "b.example", &r), 0);
	CHECK_INT(r, STORE_PUT_NEW);
	CHECK_INT(store_get(s, STORE_VIEWER_LOCAL, B, STORE_NO_TIME, &json, NULL), 0);
	CHECK(json && strstr(json, "b.example"));
	free(json);
	json = NULL;
	/* A, with B's hash, is found by neither its own hash nor by B. */
	CHECK_INT(store_get(s, STORE_VIEWER_LOCAL, A, STORE_NO_TIME, &json, NULL), VB_ENOTFOUND);
	const char *ids[] = {B, NULL};
	struct store_filter f = {.viewer = STORE_VIEWER_LOCAL, .ids = ids};
	int n = 0;
	CHECK_INT(store_scan(s, &f, count_row, &n), 0);
	CHECK_INT(n, 1);
	test_store_remove(s, path);
}

TEST(store_migrations_add_hash_and_version_table)
{
	OPEN_WITH_A(s, path);
	/* Back to the schema of version 5: no idh, the unique index on the id. */
	CHECK_INT(exec_sql(s, "DROP TABLE versions;"
			      "CREATE UNIQUE INDEX objects_version ON objects(id, modified);"
			      "PRAGMA user_version = 5;"),
		  0);
	s = reopen(s, path, 0); /* migrates */
	CHECK(s);
	CHECK_INT(sql_int(s, "PRAGMA user_version"), 7);
	char sql[128];
	snprintf(sql, sizeof sql,
		 "SELECT v.idh FROM versions v JOIN objects o ON o.seq = v.seq WHERE o.id = '%s'",
		 A);
	CHECK(sql_int(s, sql) == store_sqlite_idhash(A));
	CHECK_INT(
	    sql_int(s, "SELECT count(*) FROM pragma_table_info('objects') WHERE name = 'idh'"), 0);
	CHECK_INT(sql_int(s, "SELECT count(*) FROM sqlite_schema WHERE name = 'objects_version'"),
		  0);
	char *json = NULL;
	CHECK_INT(store_get(s, STORE_VIEWER_LOCAL, A, STORE_NO_TIME, &json, NULL), 0);
	free(json);
	enum store_put_result r;
	CHECK_INT(put_domain(s, A, "a.example", &r), 0);
	CHECK_INT(r, STORE_PUT_UNCHANGED);
	test_store_remove(s, path);
}

#define X "campaign--00000000-0000-4000-8000-00000000000a"
#define Y "campaign--00000000-0000-4000-8000-00000000000b"
#define Z "campaign--00000000-0000-4000-8000-00000000000c"

/* A bulk connection holds version rows back until commit; its puts still
 * see them, and see what another connection stored between transactions. */
TEST(store_bulk_versions_held_until_commit)
{
	char path[64];
	struct store *t = test_store_new(path, sizeof path);
	CHECK(t);
	/* t stays open, so s keeps the WAL and both can write in turn. */
	struct store *s = reopen(NULL, path, STORE_BULK);
	CHECK(s);
	int64_t before = sql_int(s, "SELECT count(*) FROM versions");
	enum store_put_result r;
	CHECK_INT(store_begin(s), 0);
	CHECK_INT(put_sdo(s, X, 10, &r), 0);
	CHECK_INT(r, STORE_PUT_NEW);
	CHECK_INT(sql_int(s, "SELECT count(*) FROM versions"), before);
	CHECK_INT(put_sdo(s, X, 10, &r), 0);
	CHECK_INT(r, STORE_PUT_UNCHANGED);
	CHECK_INT(put_sdo(s, X, 20, &r), 0);
	CHECK_INT(r, STORE_PUT_UPDATED);
	CHECK_INT(put_sdo(s, X, 5, &r), 0);
	CHECK_INT(r, STORE_PUT_OLDER);
	CHECK_INT(put_sdo(s, X, 5, &r), 0);
	CHECK_INT(r, STORE_PUT_UNCHANGED);
	CHECK_INT(put_sdo(s, X, 20, &r), 0);
	CHECK_INT(r, STORE_PUT_UNCHANGED);
	char *json = NULL;
	CHECK_INT(store_get(s, STORE_VIEWER_LOCAL, X, STORE_NO_TIME, &json, NULL), 0);
	CHECK(json && strstr(json, "\"v20\""));
	free(json);
	CHECK_INT(store_commit(s), 0);
	CHECK_INT(sql_int(s, "SELECT count(*) FROM versions"), before + 3);
	CHECK_INT(sql_int(s, "SELECT count(*) FROM objects WHERE id = '" X "' AND latest = 1"), 1);
	CHECK_INT(sql_int(s, "SELECT count(*) FROM objects WHERE id = '" X "' AND latest = 1 "
			     "AND json LIKE '%v20%'"),
		  1);
	/* Rolled back: neither stored nor inserted by a later commit. */
	CHECK_INT(store_begin(s), 0);
	CHECK_INT(put_sdo(s, Y, 1, &r), 0);
	CHECK_INT(store_rollback(s), 0);
	CHECK_INT(store_begin(s), 0);
	CHECK_INT(store_commit(s), 0);
	CHECK_INT(sql_int(s, "SELECT count(*) FROM versions"), before + 3);
	CHECK_INT(store_get(s, STORE_VIEWER_LOCAL, Y, STORE_NO_TIME, &json, NULL), VB_ENOTFOUND);
	/* Z stored by the other connection is no news to s. */
	CHECK_INT(put_sdo(t, Z, 1, &r), 0);
	CHECK_INT(r, STORE_PUT_NEW);
	CHECK_INT(store_begin(s), 0);
	CHECK_INT(put_sdo(s, Z, 1, &r), 0);
	CHECK_INT(r, STORE_PUT_UNCHANGED);
	CHECK_INT(put_sdo(s, Z, 2, &r), 0);
	CHECK_INT(r, STORE_PUT_UPDATED);
	CHECK_INT(store_commit(s), 0);
	CHECK_INT(sql_int(s, "SELECT count(*) FROM objects WHERE id = '" Z "'"), 2);
	CHECK_INT(sql_int(s, "SELECT count(*) FROM objects WHERE id = '" Z "' AND latest = 1"), 1);
	store_close(s);
	test_store_remove(t, path);
}

/* Past 64 MB of held text the object rows of a bulk transaction go in
 * before the commit; the held version rows still find them (the id from the
 * table, the latest flag changed in the table). */
TEST(store_bulk_objects_flushed_before_commit)
{
	char path[64];
	struct store *s = reopen(test_store_new(path, sizeof path), path, STORE_BULK);
	CHECK(s);
	enum store_put_result r;
	CHECK_INT(store_begin(s), 0);
	CHECK_INT(put_sdo(s, X, 10, &r), 0);
	size_t big = 64 << 10;
	char *json = xmalloc(big + 256);
	int fillers = 0;
	while (sql_int(s, "SELECT count(*) FROM objects WHERE id = '" X "'") == 0 &&
	       fillers < 2000) {
		char id[64];
		snprintf(id, sizeof id, "campaign--00000000-0000-4000-8000-%012d", ++fillers);
		int n = snprintf(json, 256, "{\"type\":\"campaign\",\"id\":\"%s\",\"name\":\"", id);
		memset(json + n, 'x', big);
		memcpy(json + n + big, "\"}", 3);
		CHECK_INT(put_campaign(s, id, 1, json, &r), 0);
	}
	free(json);
	/* X's row is in the table now, its version row still held. */
	CHECK(fillers > 500 && fillers < 2000);
	CHECK_INT(sql_int(s, "SELECT count(*) FROM versions"), 0);
	CHECK_INT(put_sdo(s, X, 10, &r), 0);
	CHECK_INT(r, STORE_PUT_UNCHANGED);
	CHECK_INT(put_sdo(s, X, 20, &r), 0);
	CHECK_INT(r, STORE_PUT_UPDATED);
	CHECK_INT(store_commit(s), 0);
	CHECK_INT(sql_int(s, "SELECT count(*) FROM objects WHERE id = '" X "'"), 2);
	CHECK_INT(sql_int(s, "SELECT count(*) FROM objects WHERE id = '" X "' AND latest = 1 "
			     "AND json LIKE '%v20%'"),
		  1);
	CHECK_INT(sql_int(s, "SELECT count(*) FROM versions"), fillers + 2);
	test_store_remove(s, path);
}

TEST(store_values_held_until_commit)
{
	OPEN_WITH_A(s, path); /* A is stored outside a transaction: at once */
	enum store_put_result r;
	CHECK_INT(sql_int(s, "SELECT count(*) FROM obs_values"), 1);
	/* Another connection writes its rows at the end of every put. */
	CHECK_INT(store_begin(s), 0);
	CHECK_INT(
	    put_domain(s, "domain-name--00000000-0000-5000-8000-00000000000d", "d.example", &r), 0);
	CHECK_INT(sql_int(s, "SELECT count(*) FROM obs_values"), 2);
	CHECK_INT(store_rollback(s), 0);
	s = reopen(s, path, STORE_BULK);
	CHECK(s);
	/* Inside a bulk transaction: held back, yet a scan by value sees them. */
	CHECK_INT(store_begin(s), 0);
	CHECK_INT(put_domain(s, B, "b.example", &r), 0);
	CHECK_INT(sql_int(s, "SELECT count(*) FROM obs_values"), 1);
	CHECK_INT(by_value(s, "b.example"), 1);
	CHECK_INT(store_commit(s), 0);
	CHECK_INT(by_value(s, "b.example"), 1);
	/* Rolled back: gone, and not inserted by a later commit. */
	CHECK_INT(store_begin(s), 0);
	CHECK_INT(
	    put_domain(s, "domain-name--00000000-0000-5000-8000-00000000000c", "c.example", &r), 0);
	CHECK_INT(store_rollback(s), 0);
	CHECK_INT(store_begin(s), 0);
	CHECK_INT(store_commit(s), 0);
	CHECK_INT(by_value(s, "c.example"), 0);
	CHECK_INT(sql_int(s, "SELECT count(*) FROM obs_values"), 2);
	test_store_remove(s, path);
}

TEST(store_bulk_journal_only_alone)
{
	char path[64];
	/* Alone: a rollback journal while open, WAL again after. */
	struct store *s = reopen(test_store_new(path, sizeof path), path, STORE_BULK);
	CHECK(s);
	char *m = sql_text(s, "PRAGMA journal_mode");
	CHECK(m && strcmp(m, "truncate") == 0);
	free(m);
	enum store_put_result r;
	CHECK_INT(store_begin(s), 0);
	CHECK_INT(put_domain(s, A, "a.example", &r), 0);
	CHECK_INT(store_commit(s), 0);
	s = reopen(s, path, 0);
	CHECK(s);
	m = sql_text(s, "PRAGMA journal_mode");
	CHECK(m && strcmp(m, "wal") == 0);
	free(m);
	CHECK_INT(by_value(s, "a.example"), 1);
	/* With another connection open: the import keeps the WAL. */
	struct store *t = reopen(NULL, path, STORE_BULK);
	CHECK(t);
	m = sql_text(t, "PRAGMA journal_mode");
	CHECK(m && strcmp(m, "wal") == 0);
	free(m);
	CHECK_INT(by_value(t, "a.example"), 1);
	store_close(t);
	test_store_remove(s, path);
}
