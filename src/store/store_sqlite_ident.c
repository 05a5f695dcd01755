/*
 * store_sqlite_ident.c: the SQLite side of store_ident.h: organisations,
 * users, tokens, sessions, sharing groups, the instance key and the audit
 * log. The tables come from migration 3 in store_sqlite.c.
 *
 * Statements come from the connection's cache (store_sqlite_stmt), so a
 * server connection prepares the hot ones (token, session and group
 * look-ups) once.
 */
#include "store_ident.h"
#include "store_sqlite.h"
#include "../util/util.h"

#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#define DB(s) store_sqlite_db(s)

#define prep store_sqlite_prep

static void bind_str(sqlite3_stmt *st, int i, const char *v)
{
	if (v)
		sqlite3_bind_text(st, i, v, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, i);
}

/* Steps a statement that changes rows and releases it (see
 * store_sqlite_step_write). */
static int run_write(struct store *s, sqlite3_stmt *st)
{
	int rc = store_sqlite_step_write(s, st);
	store_sqlite_done(s, st);
	return rc;
}

/* Runs a write inside its own savepoint so that several statements apply
 * together even when the caller has no transaction open. */
static int savepoint(struct store *s, const char *what)
{
	char sql[64];
	snprintf(sql, sizeof sql, "%s ident", what);
	return sqlite3_exec(DB(s), sql, NULL, NULL, NULL) == SQLITE_OK ? 0 : VB_ESTORE;
}

static int end_savepoint(struct store *s, int rc)
{
	if (rc) {
		sqlite3_exec(DB(s), "ROLLBACK TO ident", NULL, NULL, NULL);
		sqlite3_exec(DB(s), "RELEASE ident", NULL, NULL, NULL);
		return rc;
	}
	return sqlite3_exec(DB(s), "RELEASE ident", NULL, NULL, NULL) == SQLITE_OK ? 0 : VB_ESTORE;
}

/* Runs sql with one int64 bound; counts changed rows into *changed. */
static int exec_id(struct store *s, const char *sql, int64_t id, int *changed)
{
	sqlite3_stmt *st;
	if (prep(s, sql, &st))
		return VB_ESTORE;
	sqlite3_bind_int64(st, 1, id);
	int rc = run_write(s, st);
	if (changed)
		*changed = sqlite3_changes(DB(s));
	return rc;
}

/* ---- instance key ---- */

static int sq_instance_key(struct store *s, void (*rand)(void *buf, size_t n),
			   unsigned char key[IDENT_KEY_LEN])
{
	sqlite3_stmt *st;
	for (int attempt = 0; attempt < 2; attempt++) {
		if (prep(s, "SELECT value FROM instance WHERE key = 'mac_key'", &st))
			return VB_ESTORE;
		int rc = sqlite3_step(st);
		if (rc == SQLITE_ROW && sqlite3_column_bytes(st, 0) == IDENT_KEY_LEN) {
			memcpy(key, sqlite3_column_blob(st, 0), IDENT_KEY_LEN);
			store_sqlite_done(s, st);
			return 0;
		}
		store_sqlite_done(s, st);
		if (rc != SQLITE_DONE && rc != SQLITE_ROW)
			return VB_ESTORE;
		/* First use: INSERT OR IGNORE, so two processes racing agree on
		 * whichever key was stored first. */
		unsigned char fresh[IDENT_KEY_LEN];
		rand(fresh, sizeof fresh);
		if (prep(s, "INSERT OR IGNORE INTO instance(key, value) VALUES ('mac_key', ?1)",
			 &st))
			return VB_ESTORE;
		sqlite3_bind_blob(st, 1, fresh, sizeof fresh, SQLITE_TRANSIENT);
		if (run_write(s, st))
			return VB_ESTORE;
	}
	return VB_ESTORE;
}

/* ---- organisations ---- */

#define ORG_COLS "id, name, kind, sector, country, default_tlp, identity_id, created"

static void org_row(sqlite3_stmt *st, struct ident_org *o)
{
	memset(o, 0, sizeof *o);
	o->id = sqlite3_column_int64(st, 0);
	store_sqlite_col_copy(st, 1, o->name, sizeof o->name);
	o->kind = sqlite3_column_int(st, 2);
	store_sqlite_col_copy(st, 3, o->sector, sizeof o->sector);
	store_sqlite_col_copy(st, 4, o->country, sizeof o->country);
	o->default_tlp = sqlite3_column_int(st, 5);
	store_sqlite_col_copy(st, 6, o->identity_id, sizeof o->identity_id);
	o->created = sqlite3_column_int64(st, 7);
}

static int sq_org_add(struct store *s, const struct ident_org *o, int64_t *id)
{
	sqlite3_stmt *st;
	if (prep(s,
		 "INSERT INTO orgs(name, kind, sector, country, default_tlp, identity_id, created) "
		 "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
		 &st))
		return VB_ESTORE;
	bind_str(st, 1, o->name);
	sqlite3_bind_int(st, 2, o->kind);
	bind_str(st, 3, o->sector[0] ? o->sector : NULL);
	bind_str(st, 4, o->country[0] ? o->country : NULL);
	sqlite3_bind_int(st, 5, o->default_tlp);
	bind_str(st, 6, o->identity_id[0] ? o->identity_id : NULL);
	sqlite3_bind_int64(st, 7, time_now_us());
	int rc = run_write(s, st);
	if (!rc && id)
		*id = sqlite3_last_insert_rowid(DB(s));
	return rc;
}

static int sq_org_set_identity(struct store *s, int64_t org, const char *identity_id)
{
	sqlite3_stmt *st;
	if (prep(s, "UPDATE orgs SET identity_id = ?2 WHERE id = ?1", &st))
		return VB_ESTORE;
	sqlite3_bind_int64(st, 1, org);
	bind_str(st, 2, identity_id);
	int rc = run_write(s, st);
	return rc ? rc : sqlite3_changes(DB(s)) ? 0 : VB_ENOTFOUND;
}

/* Reads the one row sql selects by name (when not NULL) or by id with row,
 * which fills out. VB_ENOTFOUND when there is none. */
static int one_row(struct store *s, const char *sql, const char *name, int64_t id,
		   void (*row)(sqlite3_stmt *st, void *out), void *out)
{
	sqlite3_stmt *st;
	if (prep(s, sql, &st))
		return VB_ESTORE;
	if (name)
		bind_str(st, 1, name);
	else
		sqlite3_bind_int64(st, 1, id);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		row(st, out);
	store_sqlite_done(s, st);
	return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? VB_ENOTFOUND : VB_ESTORE;
}

static void org_row_cb(sqlite3_stmt *st, void *out)
{
	org_row(st, out);
}

static int org_one(struct store *s, const char *sql, const char *name, int64_t id,
		   struct ident_org *out)
{
	return one_row(s, sql, name, id, org_row_cb, out);
}

static int sq_org_get(struct store *s, const char *name, struct ident_org *out)
{
	return org_one(s, "SELECT " ORG_COLS " FROM orgs WHERE name = ?1", name, 0, out);
}

static int sq_org_get_id(struct store *s, int64_t id, struct ident_org *out)
{
	return org_one(s, "SELECT " ORG_COLS " FROM orgs WHERE id = ?1", NULL, id, out);
}

static int org_iter(struct store *s, sqlite3_stmt *st, ident_org_fn fn, void *arg)
{
	int rc, ret = 0;
	struct ident_org o;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		org_row(st, &o);
		if ((ret = fn(arg, &o)))
			break;
	}
	if (!ret && rc != SQLITE_DONE)
		ret = VB_ESTORE;
	store_sqlite_done(s, st);
	return ret;
}

static int sq_org_list(struct store *s, ident_org_fn fn, void *arg)
{
	sqlite3_stmt *st;
	if (prep(s, "SELECT " ORG_COLS " FROM orgs ORDER BY name", &st))
		return VB_ESTORE;
	return org_iter(s, st, fn, arg);
}

static int sq_org_remove(struct store *s, const char *name)
{
	struct ident_org o;
	int rc = sq_org_get(s, name, &o);
	if (rc)
		return rc;
	static const char *const sql[] = {
	    "DELETE FROM tokens WHERE user IN (SELECT id FROM users WHERE org = ?1)",
	    "DELETE FROM sessions WHERE user IN (SELECT id FROM users WHERE org = ?1)",
	    "DELETE FROM users WHERE org = ?1",
	    "DELETE FROM group_members WHERE org = ?1",
	    "DELETE FROM orgs WHERE id = ?1",
	};
	if (savepoint(s, "SAVEPOINT"))
		return VB_ESTORE;
	for (size_t i = 0; i < ARRAY_LEN(sql) && !rc; i++)
		rc = exec_id(s, sql[i], o.id, NULL);
	return end_savepoint(s, rc);
}

static int sq_org_groups(struct store *s, int64_t org, int64_t *out, size_t max, size_t *n)
{
	sqlite3_stmt *st;
	*n = 0;
	if (prep(s, "SELECT grp FROM group_members WHERE org = ?1 ORDER BY grp", &st))
		return VB_ESTORE;
	sqlite3_bind_int64(st, 1, org);
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && *n < max)
		out[(*n)++] = sqlite3_column_int64(st, 0);
	store_sqlite_done(s, st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : VB_ESTORE;
}

/* ---- users ---- */

#define USER_COLS                                                                                  \
	"u.id, u.name, u.org, o.name, u.role, u.pwhash IS NOT NULL, u.created FROM users u "       \
	"JOIN orgs o ON o.id = u.org"

static void user_row(sqlite3_stmt *st, struct ident_user *u)
{
	memset(u, 0, sizeof *u);
	u->id = sqlite3_column_int64(st, 0);
	store_sqlite_col_copy(st, 1, u->name, sizeof u->name);
	u->org = sqlite3_column_int64(st, 2);
	store_sqlite_col_copy(st, 3, u->org_name, sizeof u->org_name);
	u->role = sqlite3_column_int(st, 4);
	u->has_password = sqlite3_column_int(st, 5);
	u->created = sqlite3_column_int64(st, 6);
}

static int sq_user_add(struct store *s, const char *name, int64_t org, int role, const char *pwhash,
		       int64_t *id)
{
	sqlite3_stmt *st;
	if (prep(s, "INSERT INTO users(name, org, role, pwhash, created) VALUES (?1,?2,?3,?4,?5)",
		 &st))
		return VB_ESTORE;
	bind_str(st, 1, name);
	sqlite3_bind_int64(st, 2, org);
	sqlite3_bind_int(st, 3, role);
	bind_str(st, 4, pwhash);
	sqlite3_bind_int64(st, 5, time_now_us());
	int rc = run_write(s, st);
	if (!rc && id)
		*id = sqlite3_last_insert_rowid(DB(s));
	return rc;
}

static void user_row_cb(sqlite3_stmt *st, void *out)
{
	user_row(st, out);
}

static int user_one(struct store *s, const char *sql, const char *name, int64_t id,
		    struct ident_user *out)
{
	return one_row(s, sql, name, id, user_row_cb, out);
}

static int sq_user_get(struct store *s, const char *name, struct ident_user *out)
{
	return user_one(s, "SELECT " USER_COLS " WHERE u.name = ?1", name, 0, out);
}

static int sq_user_get_id(struct store *s, int64_t id, struct ident_user *out)
{
	return user_one(s, "SELECT " USER_COLS " WHERE u.id = ?1", NULL, id, out);
}

static int sq_user_pwhash(struct store *s, const char *name, char *out, size_t cap)
{
	sqlite3_stmt *st;
	if (prep(s, "SELECT pwhash FROM users WHERE name = ?1 AND pwhash IS NOT NULL", &st))
		return VB_ESTORE;
	bind_str(st, 1, name);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		store_sqlite_col_copy(st, 0, out, cap);
	store_sqlite_done(s, st);
	return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? VB_ENOTFOUND : VB_ESTORE;
}

static int sq_user_set_password(struct store *s, const char *name, const char *pwhash)
{
	sqlite3_stmt *st;
	if (prep(s, "UPDATE users SET pwhash = ?2 WHERE name = ?1", &st))
		return VB_ESTORE;
	bind_str(st, 1, name);
	bind_str(st, 2, pwhash);
	int rc = run_write(s, st);
	if (rc)
		return rc;
	if (!sqlite3_changes(DB(s)))
		return VB_ENOTFOUND;
	/* A new password ends every session of the old one. */
	if (prep(s, "DELETE FROM sessions WHERE user = (SELECT id FROM users WHERE name = ?1)",
		 &st))
		return VB_ESTORE;
	bind_str(st, 1, name);
	return run_write(s, st);
}

static int sq_user_list(struct store *s, int64_t org, ident_user_fn fn, void *arg)
{
	sqlite3_stmt *st;
	if (prep(s, "SELECT " USER_COLS " WHERE ?1 = 0 OR u.org = ?1 ORDER BY u.name", &st))
		return VB_ESTORE;
	sqlite3_bind_int64(st, 1, org);
	int rc, ret = 0;
	struct ident_user u;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		user_row(st, &u);
		if ((ret = fn(arg, &u)))
			break;
	}
	if (!ret && rc != SQLITE_DONE)
		ret = VB_ESTORE;
	store_sqlite_done(s, st);
	return ret;
}

static int sq_user_remove(struct store *s, const char *name)
{
	struct ident_user u;
	int rc = sq_user_get(s, name, &u);
	if (rc)
		return rc;
	if (savepoint(s, "SAVEPOINT"))
		return VB_ESTORE;
	rc = exec_id(s, "DELETE FROM tokens WHERE user = ?1", u.id, NULL);
	if (!rc)
		rc = exec_id(s, "DELETE FROM sessions WHERE user = ?1", u.id, NULL);
	if (!rc)
		rc = exec_id(s, "DELETE FROM users WHERE id = ?1", u.id, NULL);
	return end_savepoint(s, rc);
}

#define PRINCIPAL_COLS "u.id, u.org, u.role, o.default_tlp, u.name, o.name"

static void principal_row(sqlite3_stmt *st, struct ident_principal *p)
{
	memset(p, 0, sizeof *p);
	p->user_id = sqlite3_column_int64(st, 0);
	p->org_id = sqlite3_column_int64(st, 1);
	p->role = sqlite3_column_int(st, 2);
	p->default_tlp = sqlite3_column_int(st, 3);
	store_sqlite_col_copy(st, 4, p->user, sizeof p->user);
	store_sqlite_col_copy(st, 5, p->org, sizeof p->org);
}

static int principal_one(struct store *s, sqlite3_stmt *st, struct ident_principal *out)
{
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		principal_row(st, out);
	store_sqlite_done(s, st);
	return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? VB_ENOTFOUND : VB_ESTORE;
}

static int sq_user_principal(struct store *s, const char *name, struct ident_principal *out)
{
	sqlite3_stmt *st;
	if (prep(s,
		 "SELECT " PRINCIPAL_COLS " FROM users u JOIN orgs o ON o.id = u.org "
		 "WHERE u.name = ?1",
		 &st))
		return VB_ESTORE;
	bind_str(st, 1, name);
	return principal_one(s, st, out);
}

/* ---- tokens ---- */

static int sq_token_add(struct store *s, int64_t user, const unsigned char hash[IDENT_HASH_LEN],
			const char *prefix, const char *label, int64_t expires, int64_t *id)
{
	sqlite3_stmt *st;
	if (prep(s,
		 "INSERT INTO tokens(user, hash, prefix, label, created, expires) "
		 "VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
		 &st))
		return VB_ESTORE;
	sqlite3_bind_int64(st, 1, user);
	sqlite3_bind_blob(st, 2, hash, IDENT_HASH_LEN, SQLITE_TRANSIENT);
	bind_str(st, 3, prefix);
	bind_str(st, 4, label);
	sqlite3_bind_int64(st, 5, time_now_us());
	sqlite3_bind_int64(st, 6, expires);
	int rc = run_write(s, st);
	if (!rc && id)
		*id = sqlite3_last_insert_rowid(DB(s));
	return rc;
}

static int sq_token_lookup(struct store *s, const unsigned char hash[IDENT_HASH_LEN], int64_t now,
			   struct ident_principal *out)
{
	sqlite3_stmt *st;
	if (prep(s,
		 "SELECT " PRINCIPAL_COLS " FROM tokens t JOIN users u ON u.id = t.user "
		 "JOIN orgs o ON o.id = u.org WHERE t.hash = ?1 AND t.revoked = 0 AND t.expires > "
		 "?2",
		 &st))
		return VB_ESTORE;
	sqlite3_bind_blob(st, 1, hash, IDENT_HASH_LEN, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, now);
	return principal_one(s, st, out);
}

#define TOKEN_COLS                                                                                 \
	"t.id, t.user, u.name, t.prefix, t.label, t.created, t.expires, t.revoked FROM tokens t "  \
	"JOIN users u ON u.id = t.user"

static void token_row(sqlite3_stmt *st, struct ident_token *t)
{
	memset(t, 0, sizeof *t);
	t->id = sqlite3_column_int64(st, 0);
	t->user = sqlite3_column_int64(st, 1);
	store_sqlite_col_copy(st, 2, t->user_name, sizeof t->user_name);
	store_sqlite_col_copy(st, 3, t->prefix, sizeof t->prefix);
	store_sqlite_col_copy(st, 4, t->label, sizeof t->label);
	t->created = sqlite3_column_int64(st, 5);
	t->expires = sqlite3_column_int64(st, 6);
	t->revoked = sqlite3_column_int(st, 7);
}

static int sq_token_list(struct store *s, int64_t user, ident_token_fn fn, void *arg)
{
	sqlite3_stmt *st;
	if (prep(s, "SELECT " TOKEN_COLS " WHERE ?1 = 0 OR t.user = ?1 ORDER BY t.id", &st))
		return VB_ESTORE;
	sqlite3_bind_int64(st, 1, user);
	int rc, ret = 0;
	struct ident_token t;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		token_row(st, &t);
		if ((ret = fn(arg, &t)))
			break;
	}
	if (!ret && rc != SQLITE_DONE)
		ret = VB_ESTORE;
	store_sqlite_done(s, st);
	return ret;
}

static int sq_token_get(struct store *s, int64_t id, struct ident_token *out)
{
	sqlite3_stmt *st;
	if (prep(s, "SELECT " TOKEN_COLS " WHERE t.id = ?1", &st))
		return VB_ESTORE;
	sqlite3_bind_int64(st, 1, id);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		token_row(st, out);
	store_sqlite_done(s, st);
	return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? VB_ENOTFOUND : VB_ESTORE;
}

static int sq_token_revoke(struct store *s, int64_t id)
{
	int changed = 0;
	int rc = exec_id(s, "UPDATE tokens SET revoked = 1 WHERE id = ?1", id, &changed);
	return rc ? rc : changed ? 0 : VB_ENOTFOUND;
}

/* ---- sessions ---- */

static int sq_session_add(struct store *s, const unsigned char hash[IDENT_HASH_LEN], int64_t user,
			  int64_t expires)
{
	sqlite3_stmt *st;
	if (prep(s, "INSERT INTO sessions(hash, user, created, expires) VALUES (?1, ?2, ?3, ?4)",
		 &st))
		return VB_ESTORE;
	sqlite3_bind_blob(st, 1, hash, IDENT_HASH_LEN, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 2, user);
	sqlite3_bind_int64(st, 3, time_now_us());
	sqlite3_bind_int64(st, 4, expires);
	return run_write(s, st);
}

static int sq_session_lookup(struct store *s, const unsigned char hash[IDENT_HASH_LEN], int64_t now,
			     struct ident_principal *out)
{
	sqlite3_stmt *st;
	if (prep(s,
		 "SELECT " PRINCIPAL_COLS " FROM sessions x JOIN users u ON u.id = x.user "
		 "JOIN orgs o ON o.id = u.org WHERE x.hash = ?1 AND x.expires > ?2",
		 &st))
		return VB_ESTORE;
	sqlite3_bind_blob(st, 1, hash, IDENT_HASH_LEN, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, now);
	return principal_one(s, st, out);
}

static int sq_session_remove(struct store *s, const unsigned char hash[IDENT_HASH_LEN])
{
	sqlite3_stmt *st;
	if (prep(s, "DELETE FROM sessions WHERE hash = ?1", &st))
		return VB_ESTORE;
	sqlite3_bind_blob(st, 1, hash, IDENT_HASH_LEN, SQLITE_STATIC);
	return run_write(s, st);
}

static int sq_session_purge(struct store *s, int64_t now)
{
	return exec_id(s, "DELETE FROM sessions WHERE expires <= ?1", now, NULL);
}

/* ---- sharing groups ---- */

#define GROUP_COLS                                                                                 \
	"g.id, g.name, g.description, g.created, "                                                 \
	"(SELECT count(*) FROM group_members m WHERE m.grp = g.id) FROM sharing_groups g"

static void group_row(sqlite3_stmt *st, struct ident_group *g)
{
	memset(g, 0, sizeof *g);
	g->id = sqlite3_column_int64(st, 0);
	store_sqlite_col_copy(st, 1, g->name, sizeof g->name);
	store_sqlite_col_copy(st, 2, g->description, sizeof g->description);
	g->created = sqlite3_column_int64(st, 3);
	g->n_members = sqlite3_column_int64(st, 4);
}

static int sq_group_add(struct store *s, const char *name, const char *description, int64_t *id)
{
	sqlite3_stmt *st;
	if (prep(s, "INSERT INTO sharing_groups(name, description, created) VALUES (?1, ?2, ?3)",
		 &st))
		return VB_ESTORE;
	bind_str(st, 1, name);
	bind_str(st, 2, description);
	sqlite3_bind_int64(st, 3, time_now_us());
	int rc = run_write(s, st);
	if (!rc && id)
		*id = sqlite3_last_insert_rowid(DB(s));
	return rc;
}

static void group_row_cb(sqlite3_stmt *st, void *out)
{
	group_row(st, out);
}

static int group_one(struct store *s, const char *sql, const char *name, int64_t id,
		     struct ident_group *out)
{
	return one_row(s, sql, name, id, group_row_cb, out);
}

static int sq_group_get(struct store *s, const char *name, struct ident_group *out)
{
	return group_one(s, "SELECT " GROUP_COLS " WHERE g.name = ?1", name, 0, out);
}

static int sq_group_get_id(struct store *s, int64_t id, struct ident_group *out)
{
	return group_one(s, "SELECT " GROUP_COLS " WHERE g.id = ?1", NULL, id, out);
}

static int sq_group_list(struct store *s, int64_t member_org, ident_group_fn fn, void *arg)
{
	sqlite3_stmt *st;
	if (prep(s,
		 "SELECT " GROUP_COLS " WHERE ?1 = 0 OR EXISTS (SELECT 1 FROM group_members m "
		 "WHERE m.grp = g.id AND m.org = ?1) ORDER BY g.name",
		 &st))
		return VB_ESTORE;
	sqlite3_bind_int64(st, 1, member_org);
	int rc, ret = 0;
	struct ident_group g;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		group_row(st, &g);
		if ((ret = fn(arg, &g)))
			break;
	}
	if (!ret && rc != SQLITE_DONE)
		ret = VB_ESTORE;
	store_sqlite_done(s, st);
	return ret;
}

static int sq_group_remove(struct store *s, const char *name)
{
	struct ident_group g;
	int rc = sq_group_get(s, name, &g);
	if (rc)
		return rc;
	if (savepoint(s, "SAVEPOINT"))
		return VB_ESTORE;
	rc = exec_id(s, "DELETE FROM group_members WHERE grp = ?1", g.id, NULL);
	if (!rc)
		rc = exec_id(s, "DELETE FROM sharing_groups WHERE id = ?1", g.id, NULL);
	return end_savepoint(s, rc);
}

static int sq_group_grant(struct store *s, int64_t group, int64_t org)
{
	sqlite3_stmt *st;
	if (prep(s, "INSERT INTO group_members(grp, org) VALUES (?1, ?2)", &st))
		return VB_ESTORE;
	sqlite3_bind_int64(st, 1, group);
	sqlite3_bind_int64(st, 2, org);
	return run_write(s, st);
}

static int sq_group_revoke(struct store *s, int64_t group, int64_t org)
{
	sqlite3_stmt *st;
	if (prep(s, "DELETE FROM group_members WHERE grp = ?1 AND org = ?2", &st))
		return VB_ESTORE;
	sqlite3_bind_int64(st, 1, group);
	sqlite3_bind_int64(st, 2, org);
	int rc = run_write(s, st);
	return rc ? rc : sqlite3_changes(DB(s)) ? 0 : VB_ENOTFOUND;
}

static int sq_group_members(struct store *s, int64_t group, ident_org_fn fn, void *arg)
{
	sqlite3_stmt *st;
	if (prep(s,
		 "SELECT o.id, o.name, o.kind, o.sector, o.country, o.default_tlp, o.identity_id, "
		 "o.created FROM group_members m JOIN orgs o ON o.id = m.org WHERE m.grp = ?1 "
		 "ORDER BY o.name",
		 &st))
		return VB_ESTORE;
	sqlite3_bind_int64(st, 1, group);
	return org_iter(s, st, fn, arg);
}

/* ---- audit ---- */

static int sq_audit_append(struct store *s, const struct ident_audit *a)
{
	sqlite3_stmt *st;
	if (prep(s,
		 "INSERT INTO audit(time, user_id, user, org_id, org, action, object_id, outcome, "
		 "remote, detail) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10)",
		 &st))
		return VB_ESTORE;
	sqlite3_bind_int64(st, 1, a->time ? a->time : time_now_us());
	sqlite3_bind_int64(st, 2, a->user_id);
	bind_str(st, 3, a->user);
	sqlite3_bind_int64(st, 4, a->org_id);
	bind_str(st, 5, a->org);
	bind_str(st, 6, a->action ? a->action : "unknown");
	bind_str(st, 7, a->object_id);
	bind_str(st, 8, a->outcome ? a->outcome : "ok");
	bind_str(st, 9, a->remote);
	bind_str(st, 10, a->detail);
	return run_write(s, st);
}

static const char *col_str(sqlite3_stmt *st, int i)
{
	return (const char *)sqlite3_column_text(st, i);
}

static int sq_audit_list(struct store *s, const struct ident_audit_filter *f, ident_audit_fn fn,
			 void *arg)
{
	sqlite3_stmt *st;
	char sql[512];
	snprintf(
	    sql, sizeof sql,
	    "SELECT seq, time, user_id, user, org_id, org, action, object_id, outcome, remote, "
	    "detail FROM audit WHERE time >= ?1 AND (?2 = 0 OR org_id = ?2) ORDER BY seq%s",
	    f->limit > 0 ? " LIMIT ?3" : "");
	if (prep(s, sql, &st))
		return VB_ESTORE;
	sqlite3_bind_int64(st, 1, f->since);
	sqlite3_bind_int64(st, 2, f->org_id);
	if (f->limit > 0)
		sqlite3_bind_int64(st, 3, f->limit);
	int rc, ret = 0;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct ident_audit a = {
		    .seq = sqlite3_column_int64(st, 0),
		    .time = sqlite3_column_int64(st, 1),
		    .user_id = sqlite3_column_int64(st, 2),
		    .user = col_str(st, 3),
		    .org_id = sqlite3_column_int64(st, 4),
		    .org = col_str(st, 5),
		    .action = col_str(st, 6),
		    .object_id = col_str(st, 7),
		    .outcome = col_str(st, 8),
		    .remote = col_str(st, 9),
		    .detail = col_str(st, 10),
		};
		if ((ret = fn(arg, &a)))
			break;
	}
	if (!ret && rc != SQLITE_DONE)
		ret = VB_ESTORE;
	store_sqlite_done(s, st);
	return ret;
}

/* ---- write checks ---- */

static int sq_object_owner(struct store *s, const char *id, int64_t *owner, int *tlp)
{
	sqlite3_stmt *st;
	if (prep(s,
		 "SELECT o.owner_org, o.tlp FROM versions v CROSS JOIN objects o ON o.seq = v.seq "
		 "WHERE v.idh = ?2 AND o.id = ?1 AND o.latest = 1",
		 &st))
		return VB_ESTORE;
	bind_str(st, 1, id);
	sqlite3_bind_int64(st, 2, store_sqlite_idhash(id));
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*owner = sqlite3_column_int64(st, 0);
		*tlp = sqlite3_column_int(st, 1);
	}
	store_sqlite_done(s, st);
	return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? VB_ENOTFOUND : VB_ESTORE;
}

static int sq_object_shares(struct store *s, const char *id, struct store_share *out, size_t max,
			    size_t *n)
{
	sqlite3_stmt *st;
	*n = 0;
	if (prep(s,
		 "SELECT x.kind, x.target FROM shares x JOIN objects o ON o.seq = x.seq "
		 "WHERE o.id = ?1 AND o.latest = 1 ORDER BY x.kind, x.target",
		 &st))
		return VB_ESTORE;
	bind_str(st, 1, id);
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && *n < max) {
		out[*n].kind = (enum store_share_kind)sqlite3_column_int(st, 0);
		out[*n].target = sqlite3_column_int64(st, 1);
		(*n)++;
	}
	store_sqlite_done(s, st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : VB_ESTORE;
}

const struct store_ident_ops store_sqlite_ident_ops = {
    .instance_key = sq_instance_key,
    .org_add = sq_org_add,
    .org_set_identity = sq_org_set_identity,
    .org_get = sq_org_get,
    .org_get_id = sq_org_get_id,
    .org_list = sq_org_list,
    .org_remove = sq_org_remove,
    .org_groups = sq_org_groups,
    .user_add = sq_user_add,
    .user_get = sq_user_get,
    .user_get_id = sq_user_get_id,
    .user_pwhash = sq_user_pwhash,
    .user_set_password = sq_user_set_password,
    .user_list = sq_user_list,
    .user_remove = sq_user_remove,
    .user_principal = sq_user_principal,
    .token_add = sq_token_add,
    .token_lookup = sq_token_lookup,
    .token_list = sq_token_list,
    .token_get = sq_token_get,
    .token_revoke = sq_token_revoke,
    .session_add = sq_session_add,
    .session_lookup = sq_session_lookup,
    .session_remove = sq_session_remove,
    .session_purge = sq_session_purge,
    .group_add = sq_group_add,
    .group_get = sq_group_get,
    .group_get_id = sq_group_get_id,
    .group_list = sq_group_list,
    .group_remove = sq_group_remove,
    .group_grant = sq_group_grant,
    .group_revoke = sq_group_revoke,
    .group_members = sq_group_members,
    .audit_append = sq_audit_append,
    .audit_list = sq_audit_list,
    .object_owner = sq_object_owner,
    .object_shares = sq_object_shares,
};

const struct store_ident_ops *store_ident(struct store *s)
{
	/* One backend today; a second one adds its own ops here by name. */
	(void)s;
	return &store_sqlite_ident_ops;
}
