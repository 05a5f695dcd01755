/*
 * store_sqlite.c: the SQLite backend of the store (the default).
 *
 * One table holds every version of every object (seq is the insertion order,
 * which doubles as the paging cursor and TAXII's "added" order); a flag marks
 * the latest version of each id. Side tables index markings, labels, refs and
 * observable values by version. WAL mode: readers never block the writer, and
 * a killed import leaves the last committed state.
 */
#include "store.h"
#include "store_sqlite.h"
#include "../util/buf.h"
#include "../util/util.h"

#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <xxhash.h>

enum {
	Q_LATEST,
	Q_VERSION_EXISTS,
	Q_ID_OF,
	Q_INSERT,
	Q_VERSION,
	Q_UNLATEST,
	Q_MARKING,
	Q_LABEL,
	Q_REF,
	Q_VALUE,
	Q_SHARE,
	Q__COUNT
};

static const char *const queries[Q__COUNT] = {
    [Q_LATEST] = "SELECT o.seq, o.modified, o.owner_org FROM versions v CROSS JOIN objects o "
		 "ON o.seq = v.seq WHERE v.idh = ?2 AND o.id = ?1 AND o.latest = 1",
    [Q_VERSION_EXISTS] = "SELECT 1 FROM versions v CROSS JOIN objects o ON o.seq = v.seq "
			 "WHERE v.idh = ?3 AND v.modified = ?2 AND o.id = ?1",
    [Q_ID_OF] = "SELECT id FROM objects WHERE seq = ?1",
    [Q_INSERT] = "INSERT INTO objects(id, modified, type, latest, added, created, "
		 "created_by_ref, confidence, valid_from, valid_until, revoked, "
		 "spec_version, json, owner_org, tlp) "
		 "VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15)",
    [Q_VERSION] = "INSERT INTO versions(idh, modified, seq) VALUES (?1, ?2, ?3)",
    [Q_UNLATEST] = "UPDATE objects SET latest = 0 WHERE seq = ?1",
    [Q_MARKING] = "INSERT OR IGNORE INTO markings(marking, seq) VALUES (?1, ?2)",
    [Q_LABEL] = "INSERT OR IGNORE INTO labels(label, seq) VALUES (?1, ?2)",
    [Q_REF] = "INSERT OR IGNORE INTO refs(target, prop, seq) VALUES (?1, ?2, ?3)",
    [Q_VALUE] = "INSERT OR IGNORE INTO obs_values(kind, value, seq) VALUES (?1, ?2, ?3)",
    [Q_SHARE] = "INSERT OR IGNORE INTO shares(seq, kind, target) VALUES (?1, ?2, ?3)",
};

/* Schema migrations: migrations[i] brings a store from version i to i + 1. */
static const char *const migrations[] = {
    "CREATE TABLE objects("
    "  seq INTEGER PRIMARY KEY,"
    "  id TEXT NOT NULL,"
    "  modified INTEGER NOT NULL,"
    "  type TEXT NOT NULL,"
    "  latest INTEGER NOT NULL,"
    "  added INTEGER NOT NULL,"
    "  created INTEGER,"
    "  created_by_ref TEXT,"
    "  confidence INTEGER,"
    "  valid_from INTEGER,"
    "  valid_until INTEGER,"
    "  revoked INTEGER NOT NULL DEFAULT 0,"
    "  spec_version TEXT,"
    "  json TEXT NOT NULL);"
    "CREATE UNIQUE INDEX objects_version ON objects(id, modified);"
    "CREATE INDEX objects_type ON objects(type, seq) WHERE latest = 1;"
    "CREATE INDEX objects_created_by ON objects(created_by_ref) WHERE created_by_ref IS NOT NULL;"
    "CREATE INDEX objects_confidence ON objects(confidence) WHERE confidence IS NOT NULL;"
    "CREATE INDEX objects_validity ON objects(valid_from, valid_until) WHERE valid_from IS NOT "
    "NULL;"
    "CREATE INDEX objects_revoked ON objects(seq) WHERE revoked <> 0;"
    "CREATE TABLE markings(marking TEXT NOT NULL, seq INTEGER NOT NULL,"
    "  PRIMARY KEY(marking, seq)) WITHOUT ROWID;"
    "CREATE TABLE labels(label TEXT NOT NULL, seq INTEGER NOT NULL,"
    "  PRIMARY KEY(label, seq)) WITHOUT ROWID;"
    "CREATE TABLE refs(target TEXT NOT NULL, prop TEXT NOT NULL, seq INTEGER NOT NULL,"
    "  PRIMARY KEY(target, prop, seq)) WITHOUT ROWID;"
    "CREATE TABLE obs_values(kind TEXT NOT NULL, value TEXT NOT NULL, seq INTEGER NOT NULL,"
    "  PRIMARY KEY(kind, value, seq)) WITHOUT ROWID;",
    /* 1 -> 2: sharing. Each version records its creating organisation (0:
     * the instance), its TLP level (-1: unmarked) and whom it is shared with. */
    "ALTER TABLE objects ADD COLUMN owner_org INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE objects ADD COLUMN tlp INTEGER NOT NULL DEFAULT -1;"
    "CREATE TABLE shares(seq INTEGER NOT NULL, kind INTEGER NOT NULL, target INTEGER NOT NULL,"
    "  PRIMARY KEY(seq, kind, target)) WITHOUT ROWID;",
    /* 2 -> 3: identities, sharing groups and the audit log (queries in
     * store_sqlite_ident.c). AUTOINCREMENT: an id is never reused, so a new
     * organisation never inherits a removed one's objects or shares. The
     * audit log refuses UPDATE and DELETE. The owner trigger made "only
     * the creating organisation adds versions of an object" hold for every
     * write path; migration 5 moved that rule into sqlite_put. */
    "CREATE TABLE orgs(id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL UNIQUE,"
    "  kind INTEGER NOT NULL, sector TEXT, country TEXT, default_tlp INTEGER NOT NULL,"
    "  identity_id TEXT, created INTEGER NOT NULL);"
    "CREATE TABLE users(id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL UNIQUE,"
    "  org INTEGER NOT NULL REFERENCES orgs(id), role INTEGER NOT NULL, pwhash TEXT,"
    "  created INTEGER NOT NULL);"
    "CREATE INDEX users_org ON users(org);"
    "CREATE TABLE tokens(id INTEGER PRIMARY KEY AUTOINCREMENT, user INTEGER NOT NULL,"
    "  hash BLOB NOT NULL UNIQUE, prefix TEXT NOT NULL, label TEXT, created INTEGER NOT NULL,"
    "  expires INTEGER NOT NULL, revoked INTEGER NOT NULL DEFAULT 0);"
    "CREATE INDEX tokens_user ON tokens(user);"
    "CREATE TABLE sessions(hash BLOB PRIMARY KEY, user INTEGER NOT NULL,"
    "  created INTEGER NOT NULL, expires INTEGER NOT NULL) WITHOUT ROWID;"
    "CREATE TABLE sharing_groups(id INTEGER PRIMARY KEY AUTOINCREMENT,"
    "  name TEXT NOT NULL UNIQUE, description TEXT, created INTEGER NOT NULL);"
    "CREATE TABLE group_members(grp INTEGER NOT NULL, org INTEGER NOT NULL,"
    "  PRIMARY KEY(grp, org)) WITHOUT ROWID;"
    "CREATE INDEX group_members_org ON group_members(org, grp);"
    "CREATE TABLE instance(key TEXT PRIMARY KEY, value BLOB NOT NULL) WITHOUT ROWID;"
    "CREATE TABLE audit(seq INTEGER PRIMARY KEY AUTOINCREMENT, time INTEGER NOT NULL,"
    "  user_id INTEGER, user TEXT, org_id INTEGER, org TEXT, action TEXT NOT NULL,"
    "  object_id TEXT, outcome TEXT NOT NULL, remote TEXT, detail TEXT);"
    "CREATE INDEX audit_time ON audit(time);"
    "CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit"
    "  BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;"
    "CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit"
    "  BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;"
    "CREATE TRIGGER objects_owner BEFORE INSERT ON objects"
    "  WHEN EXISTS (SELECT 1 FROM objects p WHERE p.id = NEW.id AND p.owner_org <> NEW.owner_org)"
    "  BEGIN SELECT RAISE(ABORT, 'only the creating organisation adds versions of an object');"
    "  END;",
    /* 3 -> 4: TAXII 2.1 (queries in store_sqlite_taxii.c): collections
     * (a binding to a sharing group and/or TLP ceiling, no member list),
     * rights per organisation, status resources of add requests, and the
     * client's last X-TAXII-Date-Added-Last per API root and collection. */
    "CREATE TABLE taxii_collections(id TEXT PRIMARY KEY, title TEXT NOT NULL UNIQUE,"
    "  alias TEXT UNIQUE, description TEXT, grp INTEGER NOT NULL DEFAULT 0,"
    "  tlp_max INTEGER NOT NULL DEFAULT -1, created INTEGER NOT NULL) WITHOUT ROWID;"
    "CREATE TABLE taxii_acl(collection TEXT NOT NULL, org INTEGER NOT NULL,"
    "  can_read INTEGER NOT NULL, can_write INTEGER NOT NULL,"
    "  PRIMARY KEY(collection, org)) WITHOUT ROWID;"
    "CREATE TABLE taxii_status(id TEXT PRIMARY KEY, collection TEXT NOT NULL,"
    "  org INTEGER NOT NULL, user INTEGER NOT NULL, created INTEGER NOT NULL,"
    "  json TEXT NOT NULL) WITHOUT ROWID;"
    "CREATE INDEX taxii_status_created ON taxii_status(created);"
    "CREATE TABLE taxii_pull(url TEXT NOT NULL, collection TEXT NOT NULL,"
    "  added_last TEXT NOT NULL, updated INTEGER NOT NULL,"
    "  PRIMARY KEY(url, collection)) WITHOUT ROWID;",
    /* 4 -> 5: the owner rule moves into sqlite_put, which has already
     * looked the id up (the trigger cost a fifth of a bulk import). */
    "DROP TRIGGER IF EXISTS objects_owner;",
    /* 5 -> 6: versions are found by the id's 64-bit hash (idh, see
     * store_sqlite_idhash): the index on the id text was the largest and
     * the slowest to fill. (id, modified) stays unique: sqlite_put looks
     * before it inserts, inside the write transaction. */
    "ALTER TABLE objects ADD COLUMN idh INTEGER NOT NULL DEFAULT 0;"
    "UPDATE objects SET idh = vb_idhash(id);"
    "DROP INDEX objects_version;"
    "CREATE INDEX objects_version ON objects(idh, modified);",
    /* 6 -> 7: the version index becomes a table of its own, so that a
     * bulk import can hold its rows back and insert them in key order at
     * commit (see version_row): the random-key index was the largest part
     * of a list import's writing. */
    "CREATE TABLE versions(idh INTEGER NOT NULL, modified INTEGER NOT NULL,"
    "  seq INTEGER NOT NULL, PRIMARY KEY(idh, modified, seq)) WITHOUT ROWID;"
    "INSERT INTO versions SELECT idh, modified, seq FROM objects ORDER BY 1, 2, 3;"
    "DROP INDEX objects_version;"
    "ALTER TABLE objects DROP COLUMN idh;",
};

const struct store_viewer store_viewer_local = {.local = 1, .default_tlp = STORE_TLP_NONE};

#define STMT_CACHE  32
#define PV_MAX_TEXT (64u << 20) /* held-back value text: flushed past this */

struct sqlite_store {
	struct store base;
	sqlite3 *db;
	char *path;
	sqlite3_stmt *q[Q__COUNT];
	int64_t last_added;
	int64_t data_version; /* PRAGMA data_version when the filter was built */
	/* Observable-value rows of the open transaction, inserted in key
	 * order when it commits (see values_flush). */
	struct pending_value {
		uint32_t kind, value; /* offsets in vtext */
		int64_t seq;
	} * pv;
	size_t npv, pv_cap;
	struct buf vtext;
	/* Rows of `versions` a bulk connection holds back until commit, found
	 * by idh through buckets (see version_row), and a Bloom filter of the
	 * ids stored before them (see stored_maybe). */
	int defer;
	struct pending_version {
		int64_t idh, modified, seq, owner;
		int32_t next; /* next in the bucket, or -1 */
		int latest;
	} * pver;
	size_t npver, pver_cap;
	int32_t *pver_head; /* pver_mask + 1 buckets */
	size_t pver_mask;
	uint64_t *filter; /* filter_mask + 1 words; NULL until the first put */
	size_t filter_mask, filter_keys;
	int rollback_journal; /* a bulk import alone on the store: see bulk_journal */
	/* Statements built at run time (reads with a viewer's clause) are kept
	 * by their text, so a server connection prepares each shape once. */
	struct {
		char *sql;
		sqlite3_stmt *st;
	} cache[STMT_CACHE];
	unsigned cache_next;
};

sqlite3 *store_sqlite_db(struct store *s)
{
	return ((struct sqlite_store *)s)->db;
}

int store_sqlite_step_write(struct store *s, sqlite3_stmt *st)
{
	sqlite3 *db = store_sqlite_db(s);
	if (sqlite3_step(st) == SQLITE_DONE)
		return 0;
	int ext = sqlite3_extended_errcode(db);
	if (ext == SQLITE_CONSTRAINT_UNIQUE || ext == SQLITE_CONSTRAINT_PRIMARYKEY)
		return VB_ECONFLICT;
	fprintf(stderr, "verbinding: store: %s\n", sqlite3_errmsg(db));
	return VB_ESTORE;
}

int64_t store_sqlite_idhash(const char *id)
{
	return (int64_t)XXH3_64bits(id, strlen(id));
}

static void sql_idhash(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
	(void)argc;
	const unsigned char *t = sqlite3_value_text(argv[0]);
	if (t)
		sqlite3_result_int64(cx, store_sqlite_idhash((const char *)t));
	else
		sqlite3_result_null(cx);
}

void store_sqlite_col_copy(sqlite3_stmt *st, int i, char *out, size_t cap)
{
	const unsigned char *t = sqlite3_column_text(st, i);
	snprintf(out, cap, "%s", t ? (const char *)t : "");
}

#define SS(s) ((struct sqlite_store *)(s))

static int db_err(struct sqlite_store *ss, struct vb_err *err, const char *what)
{
	return vb_err_set(err, VB_ESTORE, "%s: %s: %s", ss->path, what, sqlite3_errmsg(ss->db));
}

static int exec(struct sqlite_store *ss, const char *sql)
{
	char *msg = NULL;
	int rc = sqlite3_exec(ss->db, sql, NULL, NULL, &msg);
	if (rc != SQLITE_OK) {
		fprintf(stderr, "verbinding: store: %s\n", msg ? msg : sqlite3_errstr(rc));
		sqlite3_free(msg);
		return VB_ESTORE;
	}
	return 0;
}

static int user_version(struct sqlite_store *ss, int *v)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(ss->db, "PRAGMA user_version", -1, &st, NULL) != SQLITE_OK)
		return VB_ESTORE;
	int rc = sqlite3_step(st);
	*v = rc == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : VB_ESTORE;
}

static int migrate(struct sqlite_store *ss, struct vb_err *err)
{
	int v;
	if (user_version(ss, &v))
		return db_err(ss, err, "reading the schema version");
	if (v > (int)ARRAY_LEN(migrations))
		return vb_err_set(err, VB_ESTORE,
				  "%s: schema version %d is newer than this program knows (%zu)",
				  ss->path, v, ARRAY_LEN(migrations));
	for (; v < (int)ARRAY_LEN(migrations); v++) {
		char pragma[64];
		snprintf(pragma, sizeof pragma, "PRAGMA user_version = %d", v + 1);
		if (exec(ss, "BEGIN IMMEDIATE") || exec(ss, migrations[v]) || exec(ss, pragma) ||
		    exec(ss, "COMMIT")) {
			exec(ss, "ROLLBACK");
			return db_err(ss, err, "migrating the schema");
		}
	}
	return 0;
}

/* A prepared statement for sql: from the cache when it is there and not in
 * use (a scan callback may read again with the same query), else prepared.
 * Release it with stmt_done. */
static sqlite3_stmt *stmt_get(struct sqlite_store *ss, const char *sql)
{
	for (unsigned i = 0; i < STMT_CACHE; i++)
		if (ss->cache[i].sql && strcmp(ss->cache[i].sql, sql) == 0 &&
		    !sqlite3_stmt_busy(ss->cache[i].st)) {
			sqlite3_clear_bindings(ss->cache[i].st);
			return ss->cache[i].st;
		}
	sqlite3_stmt *st;
	if (sqlite3_prepare_v3(ss->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL) != SQLITE_OK)
		return NULL;
	unsigned i = ss->cache_next++ % STMT_CACHE;
	if (ss->cache[i].st && sqlite3_stmt_busy(ss->cache[i].st))
		return st; /* the slot is in use further up the stack: stays uncached */
	sqlite3_finalize(ss->cache[i].st);
	free(ss->cache[i].sql);
	ss->cache[i].sql = xstrdup(sql);
	ss->cache[i].st = st;
	return st;
}

static void stmt_done(struct sqlite_store *ss, sqlite3_stmt *st)
{
	for (unsigned i = 0; i < STMT_CACHE; i++)
		if (ss->cache[i].st == st) {
			sqlite3_reset(st);
			return;
		}
	sqlite3_finalize(st);
}

static void sqlite_close(struct store *s)
{
	struct sqlite_store *ss = SS(s);
	for (int i = 0; i < Q__COUNT; i++)
		sqlite3_finalize(ss->q[i]);
	free(ss->pv);
	buf_free(&ss->vtext);
	free(ss->pver);
	free(ss->pver_head);
	free(ss->filter);
	for (unsigned i = 0; i < STMT_CACHE; i++) {
		sqlite3_finalize(ss->cache[i].st);
		free(ss->cache[i].sql);
	}
	if (ss->db) {
		/* Fold the WAL back so the file is whole on its own. */
		sqlite3_exec(ss->db, "PRAGMA optimize", NULL, NULL, NULL);
		if (ss->rollback_journal)
			sqlite3_exec(ss->db, "PRAGMA journal_mode = WAL", NULL, NULL, NULL);
		sqlite3_close(ss->db);
	}
	free(ss->path);
	free(ss);
}

static pthread_once_t sqlite_once = PTHREAD_ONCE_INIT;

static void sqlite_setup(void)
{
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

/*
 * A bulk import that has the store to itself writes through a rollback
 * journal instead of the WAL: pages new to the file (nearly all of a large
 * import) are then written once, not to the WAL and again at every
 * checkpoint, whose fsyncs stalled the writer. A 3.3 M-object list import
 * writes 2.6 GB instead of 4.7 GB and takes a fifth less time. Commits stay
 * atomic (synchronous = FULL: the journal is on disk before the file
 * changes; a killed import is rolled back when the store is next opened).
 * The store goes back to WAL when the import closes it. With any other
 * connection open (a server, another import) the switch is refused at once
 * and the import keeps the WAL; a command or server started during such an
 * import is refused at once (sqlite_open says the store is locked).
 */
static void bulk_journal(struct sqlite_store *ss)
{
	sqlite3_busy_timeout(ss->db, 0);
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(ss->db, "PRAGMA journal_mode = TRUNCATE", -1, &st, NULL) ==
	    SQLITE_OK) {
		if (sqlite3_step(st) == SQLITE_ROW) {
			const unsigned char *m = sqlite3_column_text(st, 0);
			ss->rollback_journal = m && strcmp((const char *)m, "truncate") == 0;
		}
		sqlite3_finalize(st);
	}
	if (ss->rollback_journal && exec(ss, "PRAGMA synchronous = FULL")) {
		exec(ss, "PRAGMA journal_mode = WAL");
		ss->rollback_journal = 0;
	}
	sqlite3_busy_timeout(ss->db, 10000);
}

static int sqlite_open(const char *path, int flags, struct store **out, struct vb_err *err)
{
	int create = flags & STORE_CREATE;
	struct stat st;
	if (!create && stat(path, &st) != 0)
		return vb_err_set(err, VB_ESTORE,
				  "%s: no store here; create one with `verbinding init --store %s`",
				  path, path);
	/* Before SQLite initialises: no global memory statistics, which cost
	 * a mutex on every allocation (about 5% of a bulk import). */
	pthread_once(&sqlite_once, sqlite_setup);
	struct sqlite_store *ss = xcalloc(1, sizeof *ss);
	ss->base.be = &store_sqlite_backend;
	buf_init(&ss->vtext, 2 * PV_MAX_TEXT);
	ss->path = xstrdup(path);
	int oflags =
	    SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0) | SQLITE_OPEN_NOMUTEX;
	if (sqlite3_open_v2(path, &ss->db, oflags, NULL) != SQLITE_OK) {
		int rc = db_err(ss, err, "opening");
		sqlite_close(&ss->base);
		return rc;
	}
	sqlite3_busy_timeout(ss->db, 10000);
	sqlite3_create_function_v2(ss->db, "vb_idhash", 1,
				   SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS, NULL,
				   sql_idhash, NULL, NULL, NULL);
	int v = 0;
	if (user_version(ss, &v)) {
		int rc = vb_err_set(err, VB_ESTORE, "%s: not a verbinding store (%s)", path,
				    sqlite3_errmsg(ss->db));
		sqlite_close(&ss->base);
		return rc;
	}
	/* 16 KB pages (SQLite's default is 4 KB): B-trees a level shallower
	 * and a quarter of the page writes; the list benchmark's import went
	 * from 72 to 52 s. Only a new, empty store takes it. */
	if ((create && exec(ss, "PRAGMA page_size = 16384")) ||
	    exec(ss, "PRAGMA journal_mode = WAL") || exec(ss, "PRAGMA synchronous = NORMAL") ||
	    /* 64 MB of page cache per connection; an import asks for
	     * 512 MB so random-key index pages stay in memory. */
	    exec(ss, flags & STORE_BULK ? "PRAGMA cache_size = -524288"
					: "PRAGMA cache_size = -65536") ||
	    exec(ss, "PRAGMA wal_autocheckpoint = 16384") ||
	    exec(ss, "PRAGMA temp_store = MEMORY") || migrate(ss, err)) {
		if (sqlite3_errcode(ss->db) == SQLITE_BUSY)
			vb_err_set(err, VB_ESTORE,
				   "%s: the store is locked (a bulk import has it to itself, or "
				   "another program holds a write lock): try again when it ends",
				   path);
		else if (!err || !err->msg[0])
			db_err(ss, err, "setting up");
		sqlite_close(&ss->base);
		return VB_ESTORE;
	}
	if (flags & STORE_BULK) {
		bulk_journal(ss);
		ss->defer = 1;
	}
	for (int i = 0; i < Q__COUNT; i++) {
		if (sqlite3_prepare_v3(ss->db, queries[i], -1, SQLITE_PREPARE_PERSISTENT, &ss->q[i],
				       NULL) != SQLITE_OK) {
			int rc = db_err(ss, err, "preparing statements");
			sqlite_close(&ss->base);
			return rc;
		}
	}
	*out = &ss->base;
	return 0;
}

static int64_t data_version(struct sqlite_store *ss)
{
	sqlite3_stmt *st;
	int64_t v = -1;
	if (sqlite3_prepare_v2(ss->db, "PRAGMA data_version", -1, &st, NULL) == SQLITE_OK) {
		if (sqlite3_step(st) == SQLITE_ROW)
			v = sqlite3_column_int64(st, 0);
		sqlite3_finalize(st);
	}
	return v;
}

static int sqlite_begin(struct store *s)
{
	struct sqlite_store *ss = SS(s);
	int rc = exec(ss, "BEGIN IMMEDIATE");
	if (!rc && ss->filter) {
		/* Another connection wrote since the last transaction: the
		 * filter of stored ids may miss some of them. */
		int64_t v = data_version(ss);
		if (v != ss->data_version) {
			free(ss->filter);
			ss->filter = NULL;
			ss->data_version = v;
		}
	}
	return rc;
}

static int held_flush(struct sqlite_store *ss);
static void pending_clear(struct sqlite_store *ss);
static int versions_flush(struct sqlite_store *ss);

static int sqlite_commit(struct store *s)
{
	/* A failed flush leaves the transaction open for the caller's rollback. */
	return held_flush(SS(s)) ? VB_ESTORE : exec(SS(s), "COMMIT");
}

static int sqlite_rollback(struct store *s)
{
	struct sqlite_store *ss = SS(s);
	ss->npv = 0;
	buf_reset(&ss->vtext);
	pending_clear(ss); /* the filter keeps their ids: it may say "maybe" wrongly, never "no" */
	if (sqlite3_get_autocommit(ss->db))
		return 0;
	return exec(ss, "ROLLBACK");
}

static int step_done(sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : VB_ESTORE;
}

static void bind_time(sqlite3_stmt *st, int i, int64_t t)
{
	if (t == STORE_NO_TIME)
		sqlite3_bind_null(st, i);
	else
		sqlite3_bind_int64(st, i, t);
}

static void bind_text(sqlite3_stmt *st, int i, const char *s)
{
	if (s)
		sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, i);
}

/*
 * Observable values are the one index of a bulk import whose keys come in
 * no order (every value lands on a random leaf of obs_values). Inside a
 * transaction their rows wait here and go in sorted at its commit, so
 * neighbouring keys share a leaf and each leaf is written once per commit
 * (writing no value rows at all made the list import only 14 % faster, so
 * this is worth a few per cent). Reads of obs_values in the same
 * transaction (a scan by value, a TAXII delete) flush them first.
 */
static int pv_cmp(const void *a, const void *b, void *arg)
{
	const struct pending_value *x = a, *y = b;
	const char *t = arg;
	int c = strcmp(t + x->kind, t + y->kind);
	if (!c)
		c = strcmp(t + x->value, t + y->value);
	return c ? c : (x->seq > y->seq) - (x->seq < y->seq);
}

static int values_flush(struct sqlite_store *ss)
{
	int rc = 0;
	if (!ss->npv)
		return 0;
	qsort_r(ss->pv, ss->npv, sizeof *ss->pv, pv_cmp, ss->vtext.p);
	sqlite3_stmt *st = ss->q[Q_VALUE];
	for (size_t i = 0; i < ss->npv && !rc; i++) {
		sqlite3_bind_text(st, 1, ss->vtext.p + ss->pv[i].kind, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, ss->vtext.p + ss->pv[i].value, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 3, ss->pv[i].seq);
		rc = step_done(st);
	}
	ss->npv = 0;
	buf_reset(&ss->vtext);
	return rc;
}

/* Inserts the rows held back for the commit (versions, values). */
static int held_flush(struct sqlite_store *ss)
{
	return versions_flush(ss) || values_flush(ss) ? VB_ESTORE : 0;
}

int store_sqlite_flush(struct store *s)
{
	return held_flush(SS(s));
}

static int value_row(struct sqlite_store *ss, const char *kind, const char *value, int64_t seq)
{
	if (ss->vtext.len > PV_MAX_TEXT) {
		int rc = values_flush(ss);
		if (rc)
			return rc;
	}
	if (ss->npv == ss->pv_cap) {
		ss->pv_cap = ss->pv_cap ? 2 * ss->pv_cap : 4096;
		ss->pv = xrealloc(ss->pv, ss->pv_cap * sizeof *ss->pv);
	}
	struct pending_value p = {.kind = (uint32_t)ss->vtext.len, .seq = seq};
	if (buf_add(&ss->vtext, kind, strlen(kind) + 1))
		return VB_ENOMEM;
	p.value = (uint32_t)ss->vtext.len;
	if (buf_add(&ss->vtext, value, strlen(value) + 1))
		return VB_ENOMEM;
	ss->pv[ss->npv++] = p;
	/* Outside a transaction there is no commit to wait for. */
	return sqlite3_get_autocommit(ss->db) ? values_flush(ss) : 0;
}

/*
 * The version index. Every version has a row (idh, modified, seq) in
 * `versions`, by which an id's versions are found. Its keys come in no
 * order, so a bulk connection (STORE_BULK) holds the rows of the open
 * transaction back and inserts them in key order at commit, as it does the
 * value rows; until then the put path finds them here, through buckets by
 * idh. Ids stored before pass a Bloom filter of their hashes first, so a
 * new id (nearly every id of a bulk import) costs no descent of the index.
 * Other connections insert their rows at once.
 */
#define FILTER_BITS_PER_ID 16
#define FILTER_MIN_WORDS   (1u << 20)

static uint64_t filter_bits(int64_t idh)
{
	uint64_t x = (uint64_t)idh; /* splitmix64's finaliser: bits the word index did not use */
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	x ^= x >> 31;
	return 1ULL << (x & 63) | 1ULL << (x >> 6 & 63) | 1ULL << (x >> 12 & 63) |
	       1ULL << (x >> 18 & 63);
}

static void filter_add(struct sqlite_store *ss, int64_t idh)
{
	ss->filter[(uint64_t)idh & ss->filter_mask] |= filter_bits(idh);
	ss->filter_keys++;
}

/* Fills the filter with every id hash in `versions` and the pending ones,
 * sized for twice as many as the last filter held. */
static int filter_build(struct sqlite_store *ss)
{
	size_t want = ss->filter_keys;
	for (;;) {
		size_t words = FILTER_MIN_WORDS;
		while (words * 64 < 2 * want * FILTER_BITS_PER_ID)
			words *= 2;
		free(ss->filter);
		ss->filter = xcalloc(words, sizeof *ss->filter);
		ss->filter_mask = words - 1;
		ss->filter_keys = 0;
		ss->data_version = data_version(ss);
		sqlite3_stmt *st;
		if (sqlite3_prepare_v2(ss->db, "SELECT idh FROM versions", -1, &st, NULL) !=
		    SQLITE_OK)
			goto fail;
		int rc;
		while ((rc = sqlite3_step(st)) == SQLITE_ROW)
			filter_add(ss, sqlite3_column_int64(st, 0));
		sqlite3_finalize(st);
		if (rc != SQLITE_DONE)
			goto fail;
		for (size_t i = 0; i < ss->npver; i++)
			filter_add(ss, ss->pver[i].idh);
		if (ss->filter_keys * FILTER_BITS_PER_ID <= words * 64)
			return 0;
		want = ss->filter_keys;
	}
fail:
	free(ss->filter);
	ss->filter = NULL;
	return VB_ESTORE;
}

/* 0 when no version of idh is stored outside the pending ones, 1 when one
 * may be (ask the table). Only inside a transaction of a bulk connection,
 * and only while no other connection has written since the filter was
 * built (sqlite_begin drops it then). */
static int stored_maybe(struct sqlite_store *ss, int64_t idh)
{
	if (!ss->defer || sqlite3_get_autocommit(ss->db) || (!ss->filter && filter_build(ss)))
		return 1;
	uint64_t bits = filter_bits(idh);
	return (ss->filter[(uint64_t)idh & ss->filter_mask] & bits) == bits;
}

static void pending_link(struct sqlite_store *ss, size_t i)
{
	int32_t *head = &ss->pver_head[(uint64_t)ss->pver[i].idh & ss->pver_mask];
	ss->pver[i].next = *head;
	*head = (int32_t)i;
}

static void pending_clear(struct sqlite_store *ss)
{
	ss->npver = 0;
	if (ss->pver_head)
		memset(ss->pver_head, 0xff, (ss->pver_mask + 1) * sizeof *ss->pver_head);
}

static int ver_cmp(const void *a, const void *b)
{
	const struct pending_version *x = a, *y = b;
	if (x->idh != y->idh)
		return x->idh < y->idh ? -1 : 1;
	if (x->modified != y->modified)
		return x->modified < y->modified ? -1 : 1;
	return (x->seq > y->seq) - (x->seq < y->seq);
}

static int versions_flush(struct sqlite_store *ss)
{
	int rc = 0;
	if (!ss->npver)
		return 0;
	qsort(ss->pver, ss->npver, sizeof *ss->pver, ver_cmp);
	sqlite3_stmt *st = ss->q[Q_VERSION];
	for (size_t i = 0; i < ss->npver && !rc; i++) {
		sqlite3_bind_int64(st, 1, ss->pver[i].idh);
		sqlite3_bind_int64(st, 2, ss->pver[i].modified);
		sqlite3_bind_int64(st, 3, ss->pver[i].seq);
		rc = step_done(st);
	}
	pending_clear(ss);
	return rc;
}

/* The version row of a new version: held back in a bulk transaction. */
static int version_row(struct sqlite_store *ss, int64_t idh, int64_t modified, int64_t seq,
		       int64_t owner, int latest)
{
	if (ss->npver == ss->pver_cap) {
		if (ss->pver_cap >= INT32_MAX / 4) {
			int rc = versions_flush(ss);
			if (rc)
				return rc;
		} else {
			ss->pver_cap = ss->pver_cap ? 2 * ss->pver_cap : 4096;
			ss->pver = xrealloc(ss->pver, ss->pver_cap * sizeof *ss->pver);
			free(ss->pver_head);
			ss->pver_mask = 2 * ss->pver_cap - 1;
			ss->pver_head = xmalloc((ss->pver_mask + 1) * sizeof *ss->pver_head);
			memset(ss->pver_head, 0xff, (ss->pver_mask + 1) * sizeof *ss->pver_head);
			for (size_t i = 0; i < ss->npver; i++)
				pending_link(ss, i);
		}
	}
	ss->pver[ss->npver] = (struct pending_version){
	    .idh = idh, .modified = modified, .seq = seq, .owner = owner, .latest = latest};
	pending_link(ss, ss->npver++);
	if (ss->filter) {
		filter_add(ss, idh);
		if (ss->filter_keys * FILTER_BITS_PER_ID > (ss->filter_mask + 1) * 64) {
			free(ss->filter); /* full: built again, larger, when next asked */
			ss->filter = NULL;
		}
	}
	return ss->defer && !sqlite3_get_autocommit(ss->db) ? 0 : versions_flush(ss);
}

/* Whether the object at seq has this id: 1, 0, or VB_ESTORE. */
static int seq_has_id(struct sqlite_store *ss, int64_t seq, const char *id)
{
	sqlite3_stmt *st = ss->q[Q_ID_OF];
	sqlite3_bind_int64(st, 1, seq);
	int rc = sqlite3_step(st);
	int same = rc == SQLITE_ROW && strcmp((const char *)sqlite3_column_text(st, 0), id) == 0;
	sqlite3_reset(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? same : VB_ESTORE;
}

/* The pending version of id that is the latest (latest set) or has this
 * modified: its index, -1 when there is none, or VB_ESTORE. */
static int64_t pending_find(struct sqlite_store *ss, const char *id, int64_t idh, int latest,
			    int64_t modified)
{
	if (!ss->npver)
		return -1;
	for (int32_t i = ss->pver_head[(uint64_t)idh & ss->pver_mask]; i >= 0;
	     i = ss->pver[i].next) {
		const struct pending_version *p = &ss->pver[i];
		if (p->idh != idh || (latest ? !p->latest : p->modified != modified))
			continue;
		int same = seq_has_id(ss, p->seq, id);
		if (same)
			return same < 0 ? VB_ESTORE : i;
	}
	return -1;
}

/* Inserts a version (idh: the id's hash) with its side rows. */
static int insert_version(struct sqlite_store *ss, const struct store_obj *o, int64_t idh,
			  int64_t modified, int latest)
{
	sqlite3_stmt *st = ss->q[Q_INSERT];
	int64_t added = time_now_us();
	if (added <= ss->last_added)
		added = ss->last_added + 1; /* strictly increasing, so TAXII paging is exact */
	ss->last_added = added;
	bind_text(st, 1, o->id);
	sqlite3_bind_int64(st, 2, modified);
	bind_text(st, 3, o->type);
	sqlite3_bind_int(st, 4, latest);
	sqlite3_bind_int64(st, 5, added);
	bind_time(st, 6, o->created);
	bind_text(st, 7, o->created_by_ref);
	if (o->confidence >= 0)
		sqlite3_bind_int(st, 8, o->confidence);
	else
		sqlite3_bind_null(st, 8);
	bind_time(st, 9, o->valid_from);
	bind_time(st, 10, o->valid_until);
	sqlite3_bind_int(st, 11, o->revoked);
	bind_text(st, 12, o->spec_version);
	sqlite3_bind_text(st, 13, o->json, (int)o->json_len, SQLITE_STATIC);
	sqlite3_bind_int64(st, 14, o->owner_org);
	sqlite3_bind_int(st, 15, o->tlp);
	if (step_done(st))
		return VB_ESTORE;
	int64_t seq = sqlite3_last_insert_rowid(ss->db);
	if (version_row(ss, idh, modified, seq, o->owner_org, latest))
		return VB_ESTORE;
	for (size_t i = 0; i < o->n_shares; i++) {
		sqlite3_bind_int64(ss->q[Q_SHARE], 1, seq);
		sqlite3_bind_int(ss->q[Q_SHARE], 2, (int)o->shares[i].kind);
		sqlite3_bind_int64(ss->q[Q_SHARE], 3, o->shares[i].target);
		if (step_done(ss->q[Q_SHARE]))
			return VB_ESTORE;
	}
	for (size_t i = 0; i < o->n_markings; i++) {
		bind_text(ss->q[Q_MARKING], 1, o->markings[i]);
		sqlite3_bind_int64(ss->q[Q_MARKING], 2, seq);
		if (step_done(ss->q[Q_MARKING]))
			return VB_ESTORE;
	}
	for (size_t i = 0; i < o->n_labels; i++) {
		bind_text(ss->q[Q_LABEL], 1, o->labels[i]);
		sqlite3_bind_int64(ss->q[Q_LABEL], 2, seq);
		if (step_done(ss->q[Q_LABEL]))
			return VB_ESTORE;
	}
	for (size_t i = 0; i < o->n_refs; i++) {
		bind_text(ss->q[Q_REF], 1, o->refs[i].target);
		bind_text(ss->q[Q_REF], 2, o->refs[i].prop);
		sqlite3_bind_int64(ss->q[Q_REF], 3, seq);
		if (step_done(ss->q[Q_REF]))
			return VB_ESTORE;
	}
	for (size_t i = 0; i < o->n_values; i++)
		if (value_row(ss, o->values[i].kind, o->values[i].value, seq))
			return VB_ESTORE;
	return 0;
}

/* Whether version modified of id (hash idh) is stored: 1, 0 or VB_ESTORE. */
static int version_exists(struct sqlite_store *ss, const char *id, int64_t idh, int64_t modified)
{
	int64_t p = pending_find(ss, id, idh, 0, modified);
	if (p != -1)
		return p < 0 ? VB_ESTORE : 1;
	if (!stored_maybe(ss, idh))
		return 0;
	sqlite3_stmt *st = ss->q[Q_VERSION_EXISTS];
	bind_text(st, 1, id);
	sqlite3_bind_int64(st, 2, modified);
	sqlite3_bind_int64(st, 3, idh);
	int rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : VB_ESTORE;
}

/* The latest version of id: 1 (in *cur; *pending its index among the
 * pending versions, or -1), 0 when there is none, or VB_ESTORE. */
struct current {
	int64_t seq, modified, owner, pending;
};

static int latest_version(struct sqlite_store *ss, const char *id, int64_t idh, struct current *cur)
{
	int64_t p = pending_find(ss, id, idh, 1, 0);
	if (p < -1)
		return VB_ESTORE;
	if (p >= 0) {
		*cur =
		    (struct current){ss->pver[p].seq, ss->pver[p].modified, ss->pver[p].owner, p};
		return 1;
	}
	if (!stored_maybe(ss, idh))
		return 0;
	sqlite3_stmt *st = ss->q[Q_LATEST];
	bind_text(st, 1, id);
	sqlite3_bind_int64(st, 2, idh);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*cur = (struct current){sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1),
					sqlite3_column_int64(st, 2), -1};
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : VB_ESTORE;
}

static int sqlite_put(struct store *s, const struct store_obj *o, enum store_put_result *res)
{
	struct sqlite_store *ss = SS(s);
	int64_t idh = store_sqlite_idhash(o->id);
	/* SCOs have no modified: their id is derived from their content, so one
	 * version per id is the whole story (from any organisation: unchanged). */
	int64_t modified = o->modified == STORE_NO_TIME ? 0 : o->modified;
	if (o->modified == STORE_NO_TIME) {
		int rc = version_exists(ss, o->id, idh, 0);
		if (rc < 0)
			return rc;
		*res = rc ? STORE_PUT_UNCHANGED : STORE_PUT_NEW;
		return rc ? 0 : insert_version(ss, o, idh, 0, 1);
	}
	struct current cur;
	int rc = latest_version(ss, o->id, idh, &cur);
	if (rc <= 0) {
		*res = STORE_PUT_NEW;
		return rc < 0 ? rc : insert_version(ss, o, idh, modified, 1);
	}
	if (cur.modified == modified) {
		*res = STORE_PUT_UNCHANGED;
		return 0;
	}
	/* Only the creating organisation adds versions of an object. Every
	 * write path (import, API, TAXII) comes through here; a trigger said
	 * the same at a fifth of a bulk import's time. */
	if (cur.owner != o->owner_org)
		return VB_ECONFLICT;
	if (modified > cur.modified) {
		sqlite3_bind_int64(ss->q[Q_UNLATEST], 1, cur.seq);
		if (step_done(ss->q[Q_UNLATEST]))
			return VB_ESTORE;
		if (cur.pending >= 0)
			ss->pver[cur.pending].latest = 0;
		*res = STORE_PUT_UPDATED;
		return insert_version(ss, o, idh, modified, 1);
	}
	rc = version_exists(ss, o->id, idh, modified);
	if (rc)
		return rc < 0 ? rc : (*res = STORE_PUT_UNCHANGED, 0);
	*res = STORE_PUT_OLDER;
	return insert_version(ss, o, idh, modified, 0);
}

/*
 * The visibility decision: the one place that says which object versions a
 * viewer may read. Every read (get, scan, stats, and through them every
 * command, API route and TAXII endpoint) appends this clause for alias o.
 * The rules (README, "Sharing"):
 *   the creating organisation sees its own objects;
 *   CLEAR: everyone, anonymous readers only when public access is on;
 *   GREEN: the sharing groups it was shared with, or every organisation of
 *          the instance when it names none;
 *   AMBER: the organisations and the members of the groups it was shared with;
 *   AMBER+STRICT: the creating organisation only;
 *   RED: the named recipients only: users (share kind 3, TLP 2.0's "named
 *        individual recipients") or whole organisations (kind 1).
 * Unmarked objects take the instance's default level. Only integers from the
 * viewer struct are written into the SQL, never text from a request.
 */
static int visible_clause(struct buf *b, const struct store_viewer *v)
{
	if (!v)
		return VB_EDENIED; /* no read without a viewer */
	if (v->local)
		return buf_adds(b, "1");
	char eff[96];
	snprintf(eff, sizeof eff, "(CASE WHEN o.tlp < 0 THEN %d ELSE o.tlp END)", v->default_tlp);
	if (v->anonymous)
		return v->public_access ? buf_printf(b, "%s = 0", eff) : buf_adds(b, "0");
	struct buf g;
	buf_init(&g, 1 << 20);
	buf_adds(&g, "(");
	for (size_t i = 0; i < v->n_groups; i++)
		buf_printf(&g, "%s%lld", i ? "," : "", (long long)v->groups[i]);
	buf_adds(&g, ")");
	const char *groups = v->n_groups ? g.p : "(NULL)";
	long long org = (long long)v->org;
	int rc = buf_printf(
	    b,
	    "(o.owner_org = %lld OR %s = 0"
	    " OR (%s = 1 AND (NOT EXISTS (SELECT 1 FROM shares s WHERE s.seq = o.seq AND s.kind = "
	    "2)"
	    "  OR EXISTS (SELECT 1 FROM shares s WHERE s.seq = o.seq AND s.kind = 2 AND s.target "
	    "IN %s)))"
	    " OR (%s = 2 AND EXISTS (SELECT 1 FROM shares s WHERE s.seq = o.seq AND"
	    "  ((s.kind = 1 AND s.target = %lld) OR (s.kind = 2 AND s.target IN %s))))"
	    " OR (%s = 4 AND EXISTS (SELECT 1 FROM shares s WHERE s.seq = o.seq AND"
	    "  ((s.kind = 1 AND s.target = %lld) OR (s.kind = 3 AND s.target = %lld)))))",
	    org, eff, eff, groups, eff, org, groups, eff, org, (long long)v->user);
	buf_free(&g);
	return rc;
}

static int sqlite_get(struct store *s, const struct store_viewer *v, const char *id,
		      int64_t modified, char **json, size_t *len)
{
	struct sqlite_store *ss = SS(s);
	if (held_flush(ss))
		return VB_ESTORE;
	struct buf q;
	buf_init(&q, 1 << 20);
	buf_adds(&q, "SELECT o.json FROM versions ver CROSS JOIN objects o ON o.seq = ver.seq "
		     "WHERE ver.idh = ?3 AND o.id = ?1 AND ");
	buf_adds(&q, modified == STORE_NO_TIME ? "o.latest = 1" : "ver.modified = ?2");
	buf_adds(&q, " AND ");
	if (visible_clause(&q, v)) {
		buf_free(&q);
		return VB_EDENIED;
	}
	sqlite3_stmt *st = stmt_get(ss, q.p);
	buf_free(&q);
	if (!st)
		return VB_ESTORE;
	bind_text(st, 1, id);
	if (modified != STORE_NO_TIME)
		sqlite3_bind_int64(st, 2, modified);
	sqlite3_bind_int64(st, 3, store_sqlite_idhash(id));
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		size_t n = (size_t)sqlite3_column_bytes(st, 0);
		*json = xstrndup((const char *)sqlite3_column_text(st, 0), n);
		if (len)
			*len = n;
		stmt_done(ss, st);
		return 0;
	}
	stmt_done(ss, st);
	return rc == SQLITE_DONE ? VB_ENOTFOUND : VB_ESTORE;
}

/* Builds the scan query for f into b; binds are collected in order in binds. */
struct bindv {
	int is_int;
	const char *s;
	int64_t i;
};

static void add_in_list(struct buf *b, const char *col, const char *const *list,
			struct bindv *binds, int *nb)
{
	buf_printf(b, " AND %s IN (", col);
	for (int k = 0; list[k]; k++) {
		buf_adds(b, k ? ",?" : "?");
		binds[(*nb)++] = (struct bindv){0, list[k], 0};
	}
	buf_adds(b, ")");
}

/* Ids go through their hashes (the version index) and then the text. */
static void add_id_list(struct buf *b, const char *const *ids, struct bindv *binds, int *nb)
{
	buf_adds(b, " AND o.seq IN (SELECT seq FROM versions WHERE idh IN (");
	for (int k = 0; ids[k]; k++) {
		buf_adds(b, k ? ",?" : "?");
		binds[(*nb)++] = (struct bindv){1, NULL, store_sqlite_idhash(ids[k])};
	}
	buf_adds(b, "))");
	add_in_list(b, "o.id", ids, binds, nb);
}

static int sqlite_scan(struct store *s, const struct store_filter *f, store_row_fn fn, void *arg)
{
	struct sqlite_store *ss = SS(s);
	size_t ntypes = 0, nids = 0;
	while (f->types && f->types[ntypes])
		ntypes++;
	while (f->ids && f->ids[nids])
		nids++;
	/* SQLite takes at most 32,766 parameters in one statement. */
	if (ntypes + 2 * nids > 30000) {
		fprintf(stderr, "verbinding: store: at most 15,000 ids and types in one query\n");
		return VB_EUSAGE;
	}
	if (held_flush(ss))
		return VB_ESTORE;
	struct buf b;
	buf_init(&b, 1 << 20);
	struct bindv *binds = xmalloc((16 + ntypes + 2 * nids) * sizeof *binds);
	int nb = 0;
	buf_adds(&b, "SELECT o.seq, o.added, o.id, o.type, o.modified, o.latest, o.json "
		     "FROM objects o");
	if (f->value_kind && f->value) {
		buf_adds(&b, " JOIN obs_values v ON v.seq = o.seq AND v.kind = ? AND v.value = ?");
		binds[nb++] = (struct bindv){0, f->value_kind, 0};
		binds[nb++] = (struct bindv){0, f->value, 0};
	}
	if (f->ref_target) {
		buf_adds(&b, " JOIN refs r ON r.seq = o.seq AND r.target = ?");
		binds[nb++] = (struct bindv){0, f->ref_target, 0};
		if (f->ref_prop) {
			buf_adds(&b, " AND r.prop = ?");
			binds[nb++] = (struct bindv){0, f->ref_prop, 0};
		}
	}
	buf_adds(&b, " WHERE ");
	if (visible_clause(&b, f->viewer)) {
		buf_free(&b);
		free(binds);
		return VB_EDENIED;
	}
	if (!f->all_versions)
		buf_adds(&b, " AND o.latest = 1");
	if (f->types)
		add_in_list(&b, "o.type", f->types, binds, &nb);
	if (f->ids)
		add_id_list(&b, f->ids, binds, &nb);
	if (f->marking) {
		buf_adds(&b, " AND EXISTS (SELECT 1 FROM markings m WHERE m.marking = ? AND "
			     "m.seq = o.seq)");
		binds[nb++] = (struct bindv){0, f->marking, 0};
	}
	if (f->label) {
		buf_adds(
		    &b, " AND EXISTS (SELECT 1 FROM labels l WHERE l.label = ? AND l.seq = o.seq)");
		binds[nb++] = (struct bindv){0, f->label, 0};
	}
	if (f->modified_since) {
		buf_adds(&b, " AND o.modified >= ?");
		binds[nb++] = (struct bindv){1, NULL, f->modified_since};
	}
	if (f->added_after) {
		buf_adds(&b, " AND o.added > ?");
		binds[nb++] = (struct bindv){1, NULL, f->added_after};
	}
	if (f->after_seq) {
		buf_adds(&b, " AND o.seq > ?");
		binds[nb++] = (struct bindv){1, NULL, f->after_seq};
	}
	buf_adds(&b, " ORDER BY o.seq");
	if (f->limit > 0)
		buf_printf(&b, " LIMIT %ld", f->limit);
	sqlite3_stmt *st = stmt_get(ss, b.p);
	buf_free(&b);
	if (!st) {
		fprintf(stderr, "verbinding: store: %s\n", sqlite3_errmsg(ss->db));
		free(binds);
		return VB_ESTORE;
	}
	for (int i = 0; i < nb; i++) {
		if (binds[i].is_int)
			sqlite3_bind_int64(st, i + 1, binds[i].i);
		else
			sqlite3_bind_text(st, i + 1, binds[i].s, -1, SQLITE_STATIC);
	}
	free(binds);
	int rc, ret = 0;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct store_row row = {
		    .seq = sqlite3_column_int64(st, 0),
		    .added = sqlite3_column_int64(st, 1),
		    .id = (const char *)sqlite3_column_text(st, 2),
		    .type = (const char *)sqlite3_column_text(st, 3),
		    .modified = sqlite3_column_int64(st, 4),
		    .latest = sqlite3_column_int(st, 5),
		    .json = (const char *)sqlite3_column_text(st, 6),
		    .json_len = (size_t)sqlite3_column_bytes(st, 6),
		};
		ret = fn(arg, &row);
		if (ret)
			break;
	}
	if (!ret && rc != SQLITE_DONE) {
		fprintf(stderr, "verbinding: store: %s\n", sqlite3_errmsg(ss->db));
		ret = VB_ESTORE;
	}
	stmt_done(ss, st);
	return ret;
}

static int count_query(struct sqlite_store *ss, const char *sql, struct store_count **out,
		       size_t *n)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(ss->db, sql, -1, &st, NULL) != SQLITE_OK)
		return VB_ESTORE;
	size_t cap = 0;
	*out = NULL;
	*n = 0;
	while (sqlite3_step(st) == SQLITE_ROW) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 16;
			*out = xrealloc(*out, cap * sizeof **out);
		}
		(*out)[*n].key = xstrdup((const char *)sqlite3_column_text(st, 0));
		(*out)[*n].n = sqlite3_column_int64(st, 1);
		(*n)++;
	}
	sqlite3_finalize(st);
	return 0;
}

static int64_t scalar(struct sqlite_store *ss, const char *sql)
{
	if (!sql)
		return -1;
	sqlite3_stmt *st;
	int64_t v = -1;
	if (sqlite3_prepare_v2(ss->db, sql, -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

static int sqlite_stats(struct store *s, const struct store_viewer *v, struct store_stats *out)
{
	struct sqlite_store *ss = SS(s);
	memset(out, 0, sizeof *out);
	struct buf vis, q;
	buf_init(&vis, 1 << 20);
	buf_init(&q, 1 << 20);
	if (visible_clause(&vis, v)) {
		buf_free(&vis);
		return VB_EDENIED;
	}
	buf_printf(&q, "SELECT count(*) FROM objects o WHERE o.latest = 1 AND %s", vis.p);
	out->objects = scalar(ss, q.p);
	buf_reset(&q);
	buf_printf(&q, "SELECT count(*) FROM objects o WHERE %s", vis.p);
	out->versions = scalar(ss, q.p);
	/* The size of the store says something about what others hold: only the
	 * local administrator learns it. */
	out->bytes = v->local
			 ? scalar(ss, "SELECT page_count * page_size FROM pragma_page_count(), "
				      "pragma_page_size()")
			 : 0;
	struct stat st;
	char wal[4096];
	snprintf(wal, sizeof wal, "%s-wal", ss->path);
	if (v->local && stat(wal, &st) == 0)
		out->bytes += st.st_size;
	buf_reset(&q);
	buf_printf(&q,
		   "SELECT o.type, count(*) FROM objects o WHERE o.latest = 1 AND %s "
		   "GROUP BY o.type ORDER BY 2 DESC, 1",
		   vis.p);
	int rc = count_query(ss, q.p, &out->by_type, &out->n_by_type);
	buf_reset(&q);
	buf_printf(&q,
		   "SELECT m.marking, count(*) FROM markings m JOIN objects o ON o.seq = m.seq "
		   "WHERE o.latest = 1 AND %s GROUP BY m.marking ORDER BY 2 DESC, 1",
		   vis.p);
	if (!rc)
		rc = count_query(ss, q.p, &out->by_marking, &out->n_by_marking);
	buf_free(&vis);
	buf_free(&q);
	return rc || out->objects < 0 ? VB_ESTORE : 0;
}

static int sqlite_check(struct store *s, char *msg, size_t cap)
{
	struct sqlite_store *ss = SS(s);
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(ss->db, "PRAGMA integrity_check", -1, &st, NULL) != SQLITE_OK)
		return VB_ESTORE;
	int ok = sqlite3_step(st) == SQLITE_ROW;
	const char *r = ok ? (const char *)sqlite3_column_text(st, 0) : "no answer";
	snprintf(msg, cap, "%s", r ? r : "");
	ok = ok && r && strcmp(r, "ok") == 0;
	sqlite3_finalize(st);
	return ok ? 0 : VB_ESTORE;
}

const struct store_backend store_sqlite_backend = {
    .name = "sqlite",
    .open = sqlite_open,
    .close = sqlite_close,
    .begin = sqlite_begin,
    .commit = sqlite_commit,
    .rollback = sqlite_rollback,
    .put = sqlite_put,
    .get = sqlite_get,
    .scan = sqlite_scan,
    .stats = sqlite_stats,
    .check = sqlite_check,
};
