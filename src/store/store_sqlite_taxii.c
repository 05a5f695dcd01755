/*
 * store_sqlite_taxii.c: the SQLite side of store_taxii.h: TAXII
 * collections and their rights, status resources, the client's pull state,
 * collection scans and version deletion. The tables come from the TAXII
 * migration in store_sqlite.c.
 *
 * A collection scan is store_scan (and so the store's one visibility
 * clause) with a per-row check of the collection's binding on top: a
 * primary-key look-up by seq, prepared once per scan. "First" and "last"
 * are decided among the versions the viewer sees in the collection, by a
 * second store_scan of the id's versions only when the cheap answer (no
 * older version at all / the latest version) does not settle it.
 */
#include "store_taxii.h"
#include "store_sqlite.h"
#include "../util/util.h"

#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#define DB(s)	       store_sqlite_db(s)
#define STATUS_KEEP_US ((int64_t)30 * 24 * 3600 * 1000000) /* status resources live 30 days */

#define prep store_sqlite_prep

static void bind_str(sqlite3_stmt *st, int i, const char *v)
{
	if (v && *v)
		sqlite3_bind_text(st, i, v, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, i);
}

/* Steps a writing statement and finalises it (see store_sqlite_step_write). */
static int run_write(struct store *s, sqlite3_stmt *st)
{
	int rc = store_sqlite_step_write(s, st);
	store_sqlite_done(s, st);
	return rc;
}

static int exec_sql(struct store *s, const char *sql)
{
	return sqlite3_exec(DB(s), sql, NULL, NULL, NULL) == SQLITE_OK ? 0 : VB_ESTORE;
}

/* ---- collections ---- */

#define COLL_COLS "id, title, alias, description, grp, tlp_max, created"

static void coll_row(sqlite3_stmt *st, struct taxii_collection *c)
{
	memset(c, 0, sizeof *c);
	store_sqlite_col_copy(st, 0, c->id, sizeof c->id);
	store_sqlite_col_copy(st, 1, c->title, sizeof c->title);
	store_sqlite_col_copy(st, 2, c->alias, sizeof c->alias);
	store_sqlite_col_copy(st, 3, c->description, sizeof c->description);
	c->bind.group = sqlite3_column_int64(st, 4);
	c->bind.tlp_max = sqlite3_column_int(st, 5);
	c->created = sqlite3_column_int64(st, 6);
}

static int sq_coll_add(struct store *s, struct taxii_collection *c, const struct taxii_acl *acl,
		       size_t n)
{
	if (exec_sql(s, "SAVEPOINT taxii_coll"))
		return VB_ESTORE;
	sqlite3_stmt *st;
	int rc = prep(
	    s, "INSERT INTO taxii_collections(" COLL_COLS ") VALUES (?1,?2,?3,?4,?5,?6,?7)", &st);
	if (!rc) {
		c->created = time_now_us();
		bind_str(st, 1, c->id);
		bind_str(st, 2, c->title);
		bind_str(st, 3, c->alias);
		bind_str(st, 4, c->description);
		sqlite3_bind_int64(st, 5, c->bind.group);
		sqlite3_bind_int(st, 6, c->bind.tlp_max);
		sqlite3_bind_int64(st, 7, c->created);
		rc = run_write(s, st);
	}
	for (size_t i = 0; !rc && i < n; i++) {
		rc = prep(s,
			  "INSERT INTO taxii_acl(collection, org, can_read, can_write) "
			  "VALUES (?1,?2,?3,?4) ON CONFLICT(collection, org) DO UPDATE SET "
			  "can_read = max(can_read, excluded.can_read), "
			  "can_write = max(can_write, excluded.can_write)",
			  &st);
		if (rc)
			break;
		bind_str(st, 1, c->id);
		sqlite3_bind_int64(st, 2, acl[i].org);
		sqlite3_bind_int(st, 3, acl[i].can_read != 0);
		sqlite3_bind_int(st, 4, acl[i].can_write != 0);
		rc = run_write(s, st);
	}
	if (rc) {
		exec_sql(s, "ROLLBACK TO taxii_coll");
		exec_sql(s, "RELEASE taxii_coll");
		return rc;
	}
	return exec_sql(s, "RELEASE taxii_coll");
}

static int coll_one(struct store *s, const char *sql, const char *key, struct taxii_collection *out)
{
	sqlite3_stmt *st;
	if (prep(s, sql, &st))
		return VB_ESTORE;
	bind_str(st, 1, key);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		coll_row(st, out);
	store_sqlite_done(s, st);
	return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? VB_ENOTFOUND : VB_ESTORE;
}

static int sq_coll_get_id(struct store *s, const char *id, struct taxii_collection *out)
{
	return coll_one(s, "SELECT " COLL_COLS " FROM taxii_collections WHERE id = ?1", id, out);
}

static int sq_coll_get(struct store *s, const char *key, struct taxii_collection *out)
{
	int rc = sq_coll_get_id(s, key, out);
	if (rc != VB_ENOTFOUND)
		return rc;
	rc = coll_one(s, "SELECT " COLL_COLS " FROM taxii_collections WHERE alias = ?1", key, out);
	if (rc != VB_ENOTFOUND)
		return rc;
	return coll_one(s, "SELECT " COLL_COLS " FROM taxii_collections WHERE title = ?1", key,
			out);
}

static int sq_coll_list(struct store *s, taxii_collection_fn fn, void *arg)
{
	sqlite3_stmt *st;
	if (prep(s, "SELECT " COLL_COLS " FROM taxii_collections ORDER BY created, id", &st))
		return VB_ESTORE;
	int rc, ret = 0;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct taxii_collection c;
		coll_row(st, &c);
		if ((ret = fn(arg, &c)) != 0)
			break;
	}
	store_sqlite_done(s, st);
	if (ret)
		return ret;
	return rc == SQLITE_DONE ? 0 : VB_ESTORE;
}

static int sq_coll_remove(struct store *s, const char *id)
{
	if (exec_sql(s, "SAVEPOINT taxii_coll"))
		return VB_ESTORE;
	sqlite3_stmt *st;
	int rc = prep(s, "DELETE FROM taxii_acl WHERE collection = ?1", &st);
	if (!rc) {
		bind_str(st, 1, id);
		rc = run_write(s, st);
	}
	if (!rc)
		rc = prep(s, "DELETE FROM taxii_collections WHERE id = ?1", &st);
	if (!rc) {
		bind_str(st, 1, id);
		rc = run_write(s, st);
		if (!rc && sqlite3_changes(DB(s)) == 0)
			rc = VB_ENOTFOUND;
	}
	if (rc) {
		exec_sql(s, "ROLLBACK TO taxii_coll");
		exec_sql(s, "RELEASE taxii_coll");
		return rc;
	}
	return exec_sql(s, "RELEASE taxii_coll");
}

static int sq_coll_rights(struct store *s, const char *id, int64_t org, int *can_read,
			  int *can_write)
{
	*can_read = *can_write = 0;
	sqlite3_stmt *st;
	if (prep(s, "SELECT can_read, can_write FROM taxii_acl WHERE collection = ?1 AND org = ?2",
		 &st))
		return VB_ESTORE;
	bind_str(st, 1, id);
	sqlite3_bind_int64(st, 2, org);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*can_read = sqlite3_column_int(st, 0) != 0;
		*can_write = sqlite3_column_int(st, 1) != 0;
	}
	store_sqlite_done(s, st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : VB_ESTORE;
}

static int sq_coll_acl(struct store *s, const char *id, taxii_acl_fn fn, void *arg)
{
	sqlite3_stmt *st;
	if (prep(
		s,
		"SELECT org, can_read, can_write FROM taxii_acl WHERE collection = ?1 ORDER BY org",
		&st))
		return VB_ESTORE;
	bind_str(st, 1, id);
	int rc, ret = 0;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct taxii_acl a = {sqlite3_column_int64(st, 0), sqlite3_column_int(st, 1),
				      sqlite3_column_int(st, 2)};
		if ((ret = fn(arg, &a)) != 0)
			break;
	}
	store_sqlite_done(s, st);
	if (ret)
		return ret;
	return rc == SQLITE_DONE ? 0 : VB_ESTORE;
}

/* ---- collection scans ---- */

struct scan_ctx {
	struct store *s;
	sqlite3_stmt *check; /* the binding of one version, by seq */
	const struct taxii_binding *b;
	const struct store_viewer *v;
	unsigned want;
	long max_rows, rows;
	int64_t *last_seq;
	taxii_row_fn fn;
	void *arg;
	/* the sub-scan over one id's versions */
	int64_t cur_seq, cur_mod;
	int seen_earlier, seen_later;
};

/* Whether the version at seq is within the binding; *latest and *oldest
 * (no version of the id with an earlier modified time, visible or not)
 * and *tlp (effective level) are set. Returns 1 / 0, or VB_ESTORE. */
static int in_binding(struct scan_ctx *x, int64_t seq, int *tlp, int *latest, int *oldest)
{
	sqlite3_stmt *st = x->check;
	sqlite3_bind_int64(st, 1, seq);
	sqlite3_bind_int64(st, 2, x->b->group);
	int rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		sqlite3_reset(st);
		return rc == SQLITE_DONE ? 0 : VB_ESTORE;
	}
	int level = sqlite3_column_int(st, 0);
	*latest = sqlite3_column_int(st, 1);
	*oldest = sqlite3_column_int(st, 2);
	int group_ok = sqlite3_column_int(st, 3);
	sqlite3_reset(st);
	*tlp = level >= 0 ? level : x->v->default_tlp;
	if (!group_ok)
		return 0;
	if (x->b->tlp_max >= 0 && *tlp > x->b->tlp_max)
		return 0;
	return 1;
}

/* Sub-scan callback: notes visible versions in the binding that are
 * earlier or later than the current one. */
static int sibling_row(void *arg, const struct store_row *row)
{
	struct scan_ctx *x = arg;
	if (row->seq == x->cur_seq)
		return 0;
	if (row->modified < x->cur_mod ? x->seen_earlier : x->seen_later)
		return 0;
	int tlp, latest, oldest;
	int in = in_binding(x, row->seq, &tlp, &latest, &oldest);
	if (in < 0)
		return in;
	if (in && row->modified < x->cur_mod)
		x->seen_earlier = 1;
	else if (in && row->modified > x->cur_mod)
		x->seen_later = 1;
	return 0;
}

static int scan_row(void *arg, const struct store_row *row)
{
	struct scan_ctx *x = arg;
	if (x->max_rows > 0 && x->rows >= x->max_rows)
		return TAXII_SCAN_CAPPED; /* *last_seq stays at the last row looked at */
	x->rows++;
	if (x->last_seq)
		*x->last_seq = row->seq;
	int tlp, latest, oldest;
	int in = in_binding(x, row->seq, &tlp, &latest, &oldest);
	if (in <= 0)
		return in;
	struct taxii_row r = {.row = row, .tlp = tlp, .first = -1, .last = -1};
	int need_first = (x->want & TAXII_SCAN_FIRST) && !oldest;
	int need_last = (x->want & TAXII_SCAN_LAST) && !latest;
	if (need_first || need_last) {
		const char *ids[2] = {row->id, NULL};
		struct store_filter f = {.viewer = x->v, .ids = ids, .all_versions = 1};
		x->cur_seq = row->seq;
		x->cur_mod = row->modified;
		x->seen_earlier = x->seen_later = 0;
		int rc = store_scan(x->s, &f, sibling_row, x);
		if (rc)
			return rc;
	}
	if (x->want & TAXII_SCAN_FIRST)
		r.first = oldest || !x->seen_earlier;
	if (x->want & TAXII_SCAN_LAST)
		r.last = latest || !x->seen_later;
	return x->fn(x->arg, &r);
}

static int sq_scan(struct store *s, const struct store_filter *f, const struct taxii_binding *b,
		   unsigned want, long max_rows, int64_t *last_seq, taxii_row_fn fn, void *arg)
{
	if (!f->viewer)
		return VB_EDENIED;
	struct scan_ctx x = {.s = s,
			     .b = b,
			     .v = f->viewer,
			     .want = want,
			     .max_rows = max_rows,
			     .last_seq = last_seq,
			     .fn = fn,
			     .arg = arg};
	/* Only the columns this scan needs: the first-version test and the
	 * group test are index look-ups each, worth leaving out when unused. */
	char sql[512];
	snprintf(sql, sizeof sql,
		 "SELECT o.tlp, o.latest, %s, %s FROM objects o WHERE o.seq = ?1 AND ?2 = ?2",
		 want & TAXII_SCAN_FIRST
		     ? "NOT EXISTS (SELECT 1 FROM versions v CROSS JOIN objects p ON p.seq = v.seq "
		       "WHERE v.idh = vb_idhash(o.id) AND v.modified < o.modified AND p.id = o.id)"
		     : "0",
		 b->group ? "EXISTS (SELECT 1 FROM shares s WHERE s.seq = o.seq AND s.kind = 2 "
			    "AND s.target = ?2)"
			  : "1");
	if (prep(s, sql, &x.check))
		return VB_ESTORE;
	int rc = store_scan(s, f, scan_row, &x);
	store_sqlite_done(s, x.check);
	return rc;
}

/* ---- deleting versions ---- */

/* Runs sql with (text a, int64 seq) or (text a, text b, int64 seq). */
static int del_index(struct store *s, const char *sql, const char *a, const char *b, int64_t seq)
{
	sqlite3_stmt *st;
	if (prep(s, sql, &st))
		return VB_ESTORE;
	sqlite3_bind_text(st, 1, a, -1, SQLITE_STATIC);
	if (b) {
		sqlite3_bind_text(st, 2, b, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 3, seq);
	} else {
		sqlite3_bind_int64(st, 2, seq);
	}
	return run_write(s, st);
}

static int sq_delete_version(struct store *s, const struct store_obj *o)
{
	int64_t modified = o->modified == STORE_NO_TIME ? 0 : o->modified;
	sqlite3_stmt *st;
	int64_t idh = store_sqlite_idhash(o->id);
	if (prep(s,
		 "SELECT o.seq, o.latest FROM versions v CROSS JOIN objects o ON o.seq = v.seq "
		 "WHERE v.idh = ?3 AND v.modified = ?2 AND o.id = ?1",
		 &st))
		return VB_ESTORE;
	bind_str(st, 1, o->id);
	sqlite3_bind_int64(st, 2, modified);
	sqlite3_bind_int64(st, 3, idh);
	int rc = sqlite3_step(st);
	int64_t seq = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	int latest = rc == SQLITE_ROW ? sqlite3_column_int(st, 1) : 0;
	store_sqlite_done(s, st);
	if (rc != SQLITE_ROW)
		return rc == SQLITE_DONE ? VB_ENOTFOUND : VB_ESTORE;
	rc = 0;
	for (size_t i = 0; !rc && i < o->n_markings; i++)
		rc = del_index(s, "DELETE FROM markings WHERE marking = ?1 AND seq = ?2",
			       o->markings[i], NULL, seq);
	for (size_t i = 0; !rc && i < o->n_labels; i++)
		rc = del_index(s, "DELETE FROM labels WHERE label = ?1 AND seq = ?2", o->labels[i],
			       NULL, seq);
	for (size_t i = 0; !rc && i < o->n_refs; i++)
		rc = del_index(s, "DELETE FROM refs WHERE target = ?1 AND prop = ?2 AND seq = ?3",
			       o->refs[i].target, o->refs[i].prop, seq);
	for (size_t i = 0; !rc && i < o->n_values; i++)
		rc = del_index(s,
			       "DELETE FROM obs_values WHERE kind = ?1 AND value = ?2 AND seq = ?3",
			       o->values[i].kind, o->values[i].value, seq);
	if (!rc && !(rc = prep(s, "DELETE FROM shares WHERE seq = ?1", &st))) {
		sqlite3_bind_int64(st, 1, seq);
		rc = run_write(s, st);
	}
	if (!rc && !(rc = prep(s, "DELETE FROM objects WHERE seq = ?1", &st))) {
		sqlite3_bind_int64(st, 1, seq);
		rc = run_write(s, st);
	}
	if (!rc &&
	    !(rc = prep(s, "DELETE FROM versions WHERE idh = ?1 AND modified = ?2 AND seq = ?3",
			&st))) {
		sqlite3_bind_int64(st, 1, idh);
		sqlite3_bind_int64(st, 2, modified);
		sqlite3_bind_int64(st, 3, seq);
		rc = run_write(s, st);
	}
	if (!rc && latest &&
	    !(rc = prep(s,
			"UPDATE objects SET latest = 1 WHERE seq = (SELECT o.seq FROM versions v "
			"CROSS JOIN objects o ON o.seq = v.seq WHERE v.idh = ?2 AND o.id = ?1 "
			"ORDER BY v.modified DESC LIMIT 1)",
			&st))) {
		bind_str(st, 1, o->id);
		sqlite3_bind_int64(st, 2, idh);
		rc = run_write(s, st);
	}
	return rc;
}

/* ---- status resources ---- */

static int sq_status_put(struct store *s, const struct taxii_status_rec *r, const char *json,
			 size_t len)
{
	if (len > TAXII_STATUS_MAX)
		return VB_ENOMEM;
	sqlite3_stmt *st;
	if (prep(s, "DELETE FROM taxii_status WHERE created < ?1", &st))
		return VB_ESTORE;
	sqlite3_bind_int64(st, 1, time_now_us() - STATUS_KEEP_US);
	if (run_write(s, st))
		return VB_ESTORE;
	if (prep(s,
		 "INSERT INTO taxii_status(id, collection, org, user, created, json) "
		 "VALUES (?1,?2,?3,?4,?5,?6)",
		 &st))
		return VB_ESTORE;
	bind_str(st, 1, r->id);
	bind_str(st, 2, r->collection);
	sqlite3_bind_int64(st, 3, r->org);
	sqlite3_bind_int64(st, 4, r->user);
	sqlite3_bind_int64(st, 5, r->created);
	sqlite3_bind_text(st, 6, json, (int)len, SQLITE_STATIC);
	return run_write(s, st);
}

static int sq_status_get(struct store *s, const char *id, int64_t org, char **json, size_t *len)
{
	sqlite3_stmt *st;
	if (prep(s, "SELECT json FROM taxii_status WHERE id = ?1 AND org = ?2", &st))
		return VB_ESTORE;
	bind_str(st, 1, id);
	sqlite3_bind_int64(st, 2, org);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		size_t n = (size_t)sqlite3_column_bytes(st, 0);
		*json = xstrndup((const char *)sqlite3_column_text(st, 0), n);
		if (len)
			*len = n;
	}
	store_sqlite_done(s, st);
	return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? VB_ENOTFOUND : VB_ESTORE;
}

/* ---- pull state ---- */

static int sq_pull_get(struct store *s, const char *url, const char *collection, char *out,
		       size_t cap)
{
	out[0] = 0;
	sqlite3_stmt *st;
	if (prep(s, "SELECT added_last FROM taxii_pull WHERE url = ?1 AND collection = ?2", &st))
		return VB_ESTORE;
	bind_str(st, 1, url);
	bind_str(st, 2, collection);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		store_sqlite_col_copy(st, 0, out, cap);
	store_sqlite_done(s, st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : VB_ESTORE;
}

static int sq_pull_set(struct store *s, const char *url, const char *collection,
		       const char *added_last)
{
	sqlite3_stmt *st;
	if (prep(
		s,
		"INSERT INTO taxii_pull(url, collection, added_last, updated) VALUES (?1,?2,?3,?4) "
		"ON CONFLICT(url, collection) DO UPDATE SET added_last = excluded.added_last, "
		"updated = excluded.updated",
		&st))
		return VB_ESTORE;
	bind_str(st, 1, url);
	bind_str(st, 2, collection);
	sqlite3_bind_text(st, 3, added_last, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 4, time_now_us());
	return run_write(s, st);
}

const struct store_taxii_ops store_sqlite_taxii_ops = {
    .coll_add = sq_coll_add,
    .coll_get = sq_coll_get,
    .coll_get_id = sq_coll_get_id,
    .coll_list = sq_coll_list,
    .coll_remove = sq_coll_remove,
    .coll_rights = sq_coll_rights,
    .coll_acl = sq_coll_acl,
    .scan = sq_scan,
    .delete_version = sq_delete_version,
    .status_put = sq_status_put,
    .status_get = sq_status_get,
    .pull_get = sq_pull_get,
    .pull_set = sq_pull_set,
};

const struct store_taxii_ops *store_taxii(struct store *s)
{
	/* One backend today; a second one adds its own ops here by name. */
	(void)s;
	return &store_sqlite_taxii_ops;
}
