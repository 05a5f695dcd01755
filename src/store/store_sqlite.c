/*
 * store_sqlite.c: the SQLite backend of the store (the default).
 *
 * One table holds every version of every object (seq is the insertion order,
 * which doubles as the paging cursor and TAXII's "added" order); a flag marks
 * the latest version of each id. `versions` finds an id's versions by the
 * hash of the id; side tables index markings, labels, refs and observable
 * values by version. WAL mode: readers never block the writer, and a killed
 * import leaves the last committed state. This file opens, migrates and
 * reads; store_sqlite_put.c writes.
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
     * the slowest to fill. (id, modified) stays unique: the put looks
     * before it inserts, inside the write transaction. */
    "ALTER TABLE objects ADD COLUMN idh INTEGER NOT NULL DEFAULT 0;"
    "UPDATE objects SET idh = vb_idhash(id);"
    "DROP INDEX objects_version;"
    "CREATE INDEX objects_version ON objects(idh, modified);",
    /* 6 -> 7: the version index becomes a table of its own, so that a
     * bulk import can hold its rows back and insert them in key order at
     * commit (store_sqlite_put.c): the random-key index was the largest part
     * of a list import's writing. */
    "CREATE TABLE versions(idh INTEGER NOT NULL, modified INTEGER NOT NULL,"
    "  seq INTEGER NOT NULL, PRIMARY KEY(idh, modified, seq)) WITHOUT ROWID;"
    "INSERT INTO versions SELECT idh, modified, seq FROM objects ORDER BY 1, 2, 3;"
    "DROP INDEX objects_version;"
    "ALTER TABLE objects DROP COLUMN idh;",
};

const struct store_viewer store_viewer_local = {.local = 1, .default_tlp = STORE_TLP_NONE};

#define STMT_CACHE 128

struct sqlite_store {
	struct store base;
	sqlite3 *db;
	char *path;
	struct store_writes *w; /* the write path: store_sqlite_put.c */
	int rollback_journal;	/* a bulk import alone on the store: see bulk_journal */
	/* Statements built at run time, kept by their text (see
	 * store_sqlite_stmt): a server connection prepares each shape once. */
	struct {
		char *sql;
		uint64_t hash; /* of sql */
		sqlite3_stmt *st;
		int lent;
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

/*
 * The statement cache: every statement built at run time (reads with a
 * viewer's clause, the identity and TAXII queries) is prepared once per
 * connection and found again by its text. A statement is lent out until
 * store_sqlite_done; a lent one is never handed out twice nor evicted, so
 * a scan callback may read again with the same query (it gets a fresh,
 * uncached statement).
 */
sqlite3_stmt *store_sqlite_stmt(struct store *s, const char *sql)
{
	struct sqlite_store *ss = SS(s);
	uint64_t h = XXH3_64bits(sql, strlen(sql));
	for (unsigned i = 0; i < STMT_CACHE; i++)
		if (ss->cache[i].st && !ss->cache[i].lent && ss->cache[i].hash == h &&
		    strcmp(ss->cache[i].sql, sql) == 0) {
			ss->cache[i].lent = 1;
			sqlite3_clear_bindings(ss->cache[i].st);
			return ss->cache[i].st;
		}
	sqlite3_stmt *st;
	if (sqlite3_prepare_v3(ss->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL) !=
	    SQLITE_OK) {
		fprintf(stderr, "verbinding: store: %s\n", sqlite3_errmsg(ss->db));
		return NULL;
	}
	for (unsigned k = 0; k < STMT_CACHE; k++) {
		unsigned i = ss->cache_next++ % STMT_CACHE;
		if (ss->cache[i].lent)
			continue;
		sqlite3_finalize(ss->cache[i].st);
		free(ss->cache[i].sql);
		ss->cache[i].sql = xstrdup(sql);
		ss->cache[i].hash = h;
		ss->cache[i].st = st;
		ss->cache[i].lent = 1;
		return st;
	}
	return st; /* every slot lent: this one stays uncached */
}

int store_sqlite_prep(struct store *s, const char *sql, sqlite3_stmt **st)
{
	*st = NULL;
	if (writes_flush(SS(s)->w))
		return VB_ESTORE;
	*st = store_sqlite_stmt(s, sql);
	return *st ? 0 : VB_ESTORE;
}

void store_sqlite_done(struct store *s, sqlite3_stmt *st)
{
	struct sqlite_store *ss = SS(s);
	if (!st)
		return;
	for (unsigned i = 0; i < STMT_CACHE; i++)
		if (ss->cache[i].st == st) {
			sqlite3_reset(st);
			ss->cache[i].lent = 0;
			return;
		}
	sqlite3_finalize(st);
}

static void sqlite_close(struct store *s)
{
	struct sqlite_store *ss = SS(s);
	writes_close(ss->w);
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
	    /* 64 MB of page cache per connection, 128 MB for an import:
	     * its random-key rows go in sorted (store_sqlite_put.c), and
	     * 512 MB was no faster on the list benchmark (360 MB more RSS). */
	    exec(ss, flags & STORE_BULK ? "PRAGMA cache_size = -131072"
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
	if (flags & STORE_BULK)
		bulk_journal(ss);
	if (!(ss->w = writes_open(ss->db, flags & STORE_BULK))) {
		int rc = db_err(ss, err, "preparing statements");
		sqlite_close(&ss->base);
		return rc;
	}
	*out = &ss->base;
	return 0;
}

static int sqlite_begin(struct store *s)
{
	struct sqlite_store *ss = SS(s);
	int rc = exec(ss, "BEGIN IMMEDIATE");
	if (!rc)
		writes_begin(ss->w);
	return rc;
}

static int sqlite_commit(struct store *s)
{
	/* A failed flush leaves the transaction open for the caller's rollback. */
	return writes_commit(SS(s)->w) ? VB_ESTORE : exec(SS(s), "COMMIT");
}

static int sqlite_rollback(struct store *s)
{
	struct sqlite_store *ss = SS(s);
	writes_rollback(ss->w);
	if (sqlite3_get_autocommit(ss->db))
		return 0;
	return exec(ss, "ROLLBACK");
}

static int sqlite_put(struct store *s, const struct store_obj *o, enum store_put_result *res)
{
	return writes_put(SS(s)->w, o, res);
}

static void bind_text(sqlite3_stmt *st, int i, const char *s)
{
	if (s)
		sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, i);
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
	sqlite3_stmt *st;
	int prc = store_sqlite_prep(s, q.p, &st);
	buf_free(&q);
	if (prc)
		return prc;
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
		store_sqlite_done(s, st);
		return 0;
	}
	store_sqlite_done(s, st);
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
	sqlite3_stmt *st;
	int prc = store_sqlite_prep(s, b.p, &st);
	buf_free(&b);
	if (prc) {
		free(binds);
		return prc;
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
	store_sqlite_done(s, st);
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
	if (writes_flush(ss->w))
		return VB_ESTORE;
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
