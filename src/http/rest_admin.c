/*
 * rest_admin.c: sign-in, "who am I", and the administration of
 * organisations, users, API tokens, sharing groups and the audit log. The
 * work is done by src/access/admin.c, the same code as the CLI's org, user,
 * token and group commands; this file maps requests onto it. Passwords and
 * tokens appear only in request bodies and in the one answer that creates
 * a token, never in logs or audit records.
 */
#include "rest.h"
#include "http_internal.h"
#include "../access/admin.h"
#include "../util/util.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *body_str(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* Writes the error of an admin_* call. */
static int admin_fail(struct http_request *req, struct http_response *res, const struct vb_err *e)
{
	return http_error(req, res, http_status_of(e->code ? e->code : VB_EUSAGE), "%s", e->msg);
}

static int reply_doc(struct http_response *res, int status, cJSON *doc)
{
	int rc = http_reply_json(res, status, doc);
	cJSON_Delete(doc);
	return rc;
}

static int is_admin(const struct http_request *req)
{
	return access_role_allows(req->caller.role, ACCESS_PERM_ADMIN);
}

static int no_query(struct http_request *req, struct http_response *res)
{
	return http_query_allow(req, res, (const char *const[]){NULL});
}

static void stamp(cJSON *o, const char *k, int64_t t)
{
	char s[32];
	time_format(t, s);
	cJSON_AddStringToObject(o, k, s);
}

/* ---- health, sign-in, me ---- */

int rest_health(struct http_request *req, struct http_response *res)
{
	if (no_query(req, res))
		return 0;
	return http_reply(res, 200, "application/json", "{\"status\":\"ok\"}", 15);
}

int rest_login(struct http_request *req, struct http_response *res)
{
	if (no_query(req, res))
		return 0;
	cJSON *doc = rest_parse_body(req, res);
	if (!doc)
		return 0;
	const char *user = body_str(doc, "user"), *pw = body_str(doc, "password");
	int rc = 0;
	if (!user || !pw || !admin_name_valid(user)) {
		http_error(req, res, 400, "expected {\"user\": NAME, \"password\": PASSWORD}");
		goto out;
	}
	struct ident_principal p;
	if (http_auth_password(req->server, req, res, user, pw, strlen(pw), &p))
		goto out; /* 401 or 429 written and audited */
	if ((rc = http_caller_set(req->server, req, &p, HTTP_CRED_SESSION)))
		goto out;
	if ((rc = http_session_start(req->server, req, res, &p)))
		goto out;
	http_audit(req, "login", NULL, "ok", "session");
	cJSON *a = cJSON_CreateObject();
	cJSON_AddStringToObject(a, "user", p.user);
	cJSON_AddStringToObject(a, "org", p.org);
	cJSON_AddStringToObject(a, "role", access_role_name(p.role));
	rc = reply_doc(res, 200, a);
out:
	if (pw)
		sodium_memzero((void *)pw, strlen(pw));
	cJSON_Delete(doc);
	return rc;
}

int rest_logout(struct http_request *req, struct http_response *res)
{
	if (no_query(req, res))
		return 0;
	int rc = http_session_end(req->server, req, res);
	if (rc)
		return rc;
	http_audit(req, "logout", NULL, "ok", NULL);
	return http_reply(res, 200, "application/json", "{\"status\":\"signed out\"}", 23);
}

int rest_me(struct http_request *req, struct http_response *res)
{
	if (no_query(req, res))
		return 0;
	cJSON *a = cJSON_CreateObject();
	cJSON_AddStringToObject(a, "user", req->caller.user);
	cJSON_AddStringToObject(a, "org", req->caller.org);
	cJSON_AddStringToObject(a, "role", access_role_name(req->caller.role));
	cJSON_AddStringToObject(a, "default_tlp", access_tlp_name(req->caller.org_default_tlp));
	static const char *const creds[] = {"none", "token", "session", "basic"};
	cJSON_AddStringToObject(a, "credential", creds[req->caller.cred]);
	cJSON *g = cJSON_AddArrayToObject(a, "groups");
	for (size_t i = 0; i < req->caller.n_groups; i++) {
		struct ident_group grp;
		if (!store_ident(req->store)->group_get_id(req->store, req->caller.groups[i], &grp))
			cJSON_AddItemToArray(g, cJSON_CreateString(grp.name));
	}
	return reply_doc(res, 200, a);
}

/* ---- organisations ---- */

static cJSON *org_json(const struct ident_org *o)
{
	cJSON *j = cJSON_CreateObject();
	cJSON_AddStringToObject(j, "name", o->name);
	cJSON_AddStringToObject(j, "kind", access_org_kind_name(o->kind));
	cJSON_AddStringToObject(j, "sector", o->sector);
	cJSON_AddStringToObject(j, "country", o->country);
	cJSON_AddStringToObject(j, "default_tlp", access_tlp_name(o->default_tlp));
	cJSON_AddStringToObject(j, "identity", o->identity_id);
	return j;
}

static int org_add_to(void *arg, const struct ident_org *o)
{
	cJSON_AddItemToArray(arg, org_json(o));
	return 0;
}

int rest_orgs_list(struct http_request *req, struct http_response *res)
{
	if (no_query(req, res))
		return 0;
	cJSON *doc = cJSON_CreateObject();
	cJSON *arr = cJSON_AddArrayToObject(doc, "orgs");
	int rc = store_ident(req->store)->org_list(req->store, org_add_to, arr);
	if (rc) {
		cJSON_Delete(doc);
		return rc;
	}
	return reply_doc(res, 200, doc);
}

int rest_orgs_add(struct http_request *req, struct http_response *res)
{
	if (no_query(req, res))
		return 0;
	cJSON *doc = rest_parse_body(req, res);
	if (!doc)
		return 0;
	struct vb_err e;
	vb_err_clear(&e);
	struct ident_org o;
	int rc = admin_org_add(req->store, body_str(doc, "name"), body_str(doc, "kind"),
			       body_str(doc, "sector"), body_str(doc, "country"),
			       body_str(doc, "default_tlp"), &o, &e);
	cJSON_Delete(doc);
	if (rc)
		return admin_fail(req, res, &e);
	http_audit(req, "org.add", o.identity_id, "ok", o.name);
	return reply_doc(res, 201, org_json(&o));
}

int rest_orgs_remove(struct http_request *req, struct http_response *res)
{
	if (no_query(req, res))
		return 0;
	const char *name = http_param(req, "name");
	if (strcmp(name, req->caller.org) == 0)
		return http_error(req, res, 409, "you cannot remove your own organisation");
	struct vb_err e;
	vb_err_clear(&e);
	if (admin_org_remove(req->store, name, &e))
		return admin_fail(req, res, &e);
	http_audit(req, "org.remove", NULL, "ok", name);
	return http_reply(res, 200, "application/json", "{\"removed\":true}", 16);
}

/* ---- users ---- */

static cJSON *user_json(const struct ident_user *u)
{
	cJSON *j = cJSON_CreateObject();
	cJSON_AddStringToObject(j, "name", u->name);
	cJSON_AddStringToObject(j, "org", u->org_name);
	cJSON_AddStringToObject(j, "role", access_role_name(u->role));
	cJSON_AddBoolToObject(j, "password", u->has_password);
	stamp(j, "created", u->created);
	return j;
}

static int user_add_to(void *arg, const struct ident_user *u)
{
	cJSON_AddItemToArray(arg, user_json(u));
	return 0;
}

int rest_users_list(struct http_request *req, struct http_response *res)
{
	if (http_query_allow(req, res, (const char *const[]){"org", NULL}))
		return 0;
	int64_t org = 0;
	const char *on = http_query(req, "org");
	if (on) {
		struct ident_org o;
		if (store_ident(req->store)->org_get(req->store, on, &o))
			return http_error(req, res, 404, "no such organisation");
		org = o.id;
	}
	cJSON *doc = cJSON_CreateObject();
	cJSON *arr = cJSON_AddArrayToObject(doc, "users");
	int rc = store_ident(req->store)->user_list(req->store, org, user_add_to, arr);
	if (rc) {
		cJSON_Delete(doc);
		return rc;
	}
	return reply_doc(res, 200, doc);
}

int rest_users_add(struct http_request *req, struct http_response *res)
{
	if (no_query(req, res))
		return 0;
	cJSON *doc = rest_parse_body(req, res);
	if (!doc)
		return 0;
	struct vb_err e;
	vb_err_clear(&e);
	struct ident_user u;
	const char *pw = body_str(doc, "password");
	int rc = admin_user_add(req->store, body_str(doc, "name"), body_str(doc, "org"),
				body_str(doc, "role"), pw, &u, &e);
	if (pw)
		sodium_memzero((void *)pw, strlen(pw));
	cJSON_Delete(doc);
	if (rc)
		return admin_fail(req, res, &e);
	http_audit(req, "user.add", NULL, "ok", u.name);
	return reply_doc(res, 201, user_json(&u));
}

int rest_users_remove(struct http_request *req, struct http_response *res)
{
	if (no_query(req, res))
		return 0;
	const char *name = http_param(req, "name");
	if (strcmp(name, req->caller.user) == 0)
		return http_error(req, res, 409, "you cannot remove yourself");
	struct vb_err e;
	vb_err_clear(&e);
	if (admin_user_remove(req->store, name, &e))
		return admin_fail(req, res, &e);
	http_audit(req, "user.remove", NULL, "ok", name);
	return http_reply(res, 200, "application/json", "{\"removed\":true}", 16);
}

int rest_users_password(struct http_request *req, struct http_response *res)
{
	if (no_query(req, res))
		return 0;
	const char *name = http_param(req, "name");
	int self = strcmp(name, req->caller.user) == 0;
	if (!self && !is_admin(req)) {
		http_audit(req, "access.denied", NULL, "denied", "password of another user");
		return http_error(req, res, 403, "you may change only your own password");
	}
	cJSON *doc = rest_parse_body(req, res);
	if (!doc)
		return 0;
	const char *pw = body_str(doc, "password"), *cur = body_str(doc, "current");
	int rc = 0;
	if (!pw) {
		http_error(req, res, 400, "expected {\"password\": NEW, \"current\": OLD}");
		goto out;
	}
	if (self && !is_admin(req)) {
		/* Someone holding only a stolen session must not lock the owner out. */
		struct ident_principal p;
		if (!cur || http_auth_password(req->server, req, res, name, cur, strlen(cur), &p))
			goto out_current;
	}
	struct vb_err e;
	vb_err_clear(&e);
	if (admin_user_passwd(req->store, name, pw, &e)) {
		admin_fail(req, res, &e);
		goto out;
	}
	http_audit(req, "user.passwd", NULL, "ok", name);
	rc = http_reply(res, 200, "application/json", "{\"changed\":true}", 16);
	goto out;
out_current:
	if (!cur)
		http_error(req, res, 400, "give your current password as \"current\"");
out:
	if (pw)
		sodium_memzero((void *)pw, strlen(pw));
	if (cur)
		sodium_memzero((void *)cur, strlen(cur));
	cJSON_Delete(doc);
	return rc;
}

/* ---- tokens ---- */

static cJSON *token_json(const struct ident_token *t)
{
	cJSON *j = cJSON_CreateObject();
	cJSON_AddNumberToObject(j, "id", (double)t->id);
	cJSON_AddStringToObject(j, "user", t->user_name);
	cJSON_AddStringToObject(j, "prefix", t->prefix);
	cJSON_AddStringToObject(j, "label", t->label);
	stamp(j, "created", t->created);
	stamp(j, "expires", t->expires);
	cJSON_AddStringToObject(j, "state",
				t->revoked		      ? "revoked"
				: t->expires <= time_now_us() ? "expired"
							      : "valid");
	return j;
}

static int token_add_to(void *arg, const struct ident_token *t)
{
	cJSON_AddItemToArray(arg, token_json(t));
	return 0;
}

/* The user a token request is about: the caller, or (admins) ?user= / body. */
static int token_user(struct http_request *req, struct http_response *res, const char *name,
		      struct ident_user *u)
{
	if (!name || strcmp(name, req->caller.user) == 0)
		name = req->caller.user;
	else if (!is_admin(req)) {
		http_audit(req, "access.denied", NULL, "denied", "tokens of another user");
		http_error(req, res, 403, "only admins manage other users' tokens");
		return VB_EDENIED;
	}
	int rc = store_ident(req->store)->user_get(req->store, name, u);
	if (rc == VB_ENOTFOUND)
		http_error(req, res, 404, "no such user");
	else if (rc)
		http_error(req, res, 500, "the store failed");
	return rc;
}

int rest_tokens_list(struct http_request *req, struct http_response *res)
{
	if (http_query_allow(req, res, (const char *const[]){"user", NULL}))
		return 0;
	struct ident_user u;
	if (token_user(req, res, http_query(req, "user"), &u))
		return 0;
	cJSON *doc = cJSON_CreateObject();
	cJSON *arr = cJSON_AddArrayToObject(doc, "tokens");
	int rc = store_ident(req->store)->token_list(req->store, u.id, token_add_to, arr);
	if (rc) {
		cJSON_Delete(doc);
		return rc;
	}
	return reply_doc(res, 200, doc);
}

int rest_tokens_create(struct http_request *req, struct http_response *res)
{
	if (no_query(req, res))
		return 0;
	cJSON *doc = rest_parse_body(req, res);
	if (!doc)
		return 0;
	struct ident_user u;
	int rc = 0;
	const cJSON *days = cJSON_GetObjectItemCaseSensitive(doc, "days");
	if (days && (!cJSON_IsNumber(days) || days->valuedouble < 1 ||
		     days->valuedouble > ADMIN_TOKEN_DAYS_MAX)) {
		http_error(req, res, 400, "days: 1 to %d", ADMIN_TOKEN_DAYS_MAX);
		goto out;
	}
	if (token_user(req, res, body_str(doc, "user"), &u))
		goto out;
	struct vb_err e;
	vb_err_clear(&e);
	char token[CRED_TOKEN_LEN];
	struct ident_token t;
	if (admin_token_create(req->store, u.name, body_str(doc, "label"),
			       days ? (long)days->valuedouble : 0, token, &t, &e)) {
		admin_fail(req, res, &e);
		goto out;
	}
	http_audit(req, "token.create", NULL, "ok", t.prefix);
	cJSON *a = token_json(&t);
	cJSON_AddStringToObject(a, "token", token);
	sodium_memzero(token, sizeof token);
	rc = http_reply_json(res, 201, a);
	cJSON_Delete(a);
out:
	cJSON_Delete(doc);
	return rc;
}

int rest_tokens_revoke(struct http_request *req, struct http_response *res)
{
	if (no_query(req, res))
		return 0;
	struct vb_err e;
	vb_err_clear(&e);
	const char *which = http_param(req, "id");
	if (admin_token_revoke(req->store, which, is_admin(req) ? 0 : req->caller.user_id, &e))
		return admin_fail(req, res, &e);
	char what[CRED_PREFIX_LEN + 1];
	snprintf(what, sizeof what, "%s", which);
	http_audit(req, "token.revoke", NULL, "ok", what);
	return http_reply(res, 200, "application/json", "{\"revoked\":true}", 16);
}

/* ---- groups ---- */

struct group_list {
	struct store *st;
	cJSON *arr;
};

static int member_add_to(void *arg, const struct ident_org *o)
{
	cJSON_AddItemToArray(arg, cJSON_CreateString(o->name));
	return 0;
}

static int group_add_to(void *arg, const struct ident_group *g)
{
	struct group_list *l = arg;
	cJSON *j = cJSON_CreateObject();
	cJSON_AddStringToObject(j, "name", g->name);
	cJSON_AddStringToObject(j, "description", g->description);
	cJSON *m = cJSON_AddArrayToObject(j, "members");
	cJSON_AddItemToArray(l->arr, j);
	return store_ident(l->st)->group_members(l->st, g->id, member_add_to, m);
}

int rest_groups_list(struct http_request *req, struct http_response *res)
{
	if (no_query(req, res))
		return 0;
	cJSON *doc = cJSON_CreateObject();
	struct group_list l = {req->store, cJSON_AddArrayToObject(doc, "groups")};
	int rc =
	    store_ident(req->store)
		->group_list(req->store, is_admin(req) ? 0 : req->caller.org_id, group_add_to, &l);
	if (rc) {
		cJSON_Delete(doc);
		return rc;
	}
	return reply_doc(res, 200, doc);
}

int rest_groups_add(struct http_request *req, struct http_response *res)
{
	if (no_query(req, res))
		return 0;
	cJSON *doc = rest_parse_body(req, res);
	if (!doc)
		return 0;
	struct vb_err e;
	vb_err_clear(&e);
	struct ident_group g;
	int rc = admin_group_add(req->store, body_str(doc, "name"), body_str(doc, "description"),
				 &g, &e);
	cJSON_Delete(doc);
	if (rc)
		return admin_fail(req, res, &e);
	http_audit(req, "group.add", NULL, "ok", g.name);
	cJSON *a = cJSON_CreateObject();
	cJSON_AddStringToObject(a, "name", g.name);
	cJSON_AddStringToObject(a, "description", g.description);
	cJSON_AddArrayToObject(a, "members");
	return reply_doc(res, 201, a);
}

int rest_groups_remove(struct http_request *req, struct http_response *res)
{
	if (no_query(req, res))
		return 0;
	struct vb_err e;
	vb_err_clear(&e);
	const char *name = http_param(req, "name");
	if (admin_group_remove(req->store, name, &e))
		return admin_fail(req, res, &e);
	http_audit(req, "group.remove", NULL, "ok", name);
	return http_reply(res, 200, "application/json", "{\"removed\":true}", 16);
}

int rest_groups_grant(struct http_request *req, struct http_response *res)
{
	if (no_query(req, res))
		return 0;
	cJSON *doc = rest_parse_body(req, res);
	if (!doc)
		return 0;
	struct vb_err e;
	vb_err_clear(&e);
	const char *g = http_param(req, "name"), *org = body_str(doc, "org");
	int rc = admin_group_grant(req->store, g, org, &e);
	char detail[300];
	snprintf(detail, sizeof detail, "%s %s", g, org ? org : "");
	cJSON_Delete(doc);
	if (rc)
		return admin_fail(req, res, &e);
	http_audit(req, "group.grant", NULL, "ok", detail);
	return http_reply(res, 200, "application/json", "{\"granted\":true}", 16);
}

int rest_groups_revoke(struct http_request *req, struct http_response *res)
{
	if (no_query(req, res))
		return 0;
	struct vb_err e;
	vb_err_clear(&e);
	const char *g = http_param(req, "name"), *org = http_param(req, "org");
	if (admin_group_revoke(req->store, g, org, &e))
		return admin_fail(req, res, &e);
	char detail[300];
	snprintf(detail, sizeof detail, "%s %s", g, org);
	http_audit(req, "group.revoke", NULL, "ok", detail);
	return http_reply(res, 200, "application/json", "{\"revoked\":true}", 16);
}

/* ---- audit ---- */

static void add_opt(cJSON *o, const char *k, const char *v)
{
	if (v)
		cJSON_AddStringToObject(o, k, v);
	else
		cJSON_AddNullToObject(o, k);
}

static int audit_add_to(void *arg, const struct ident_audit *a)
{
	cJSON *j = cJSON_CreateObject();
	cJSON_AddNumberToObject(j, "seq", (double)a->seq);
	stamp(j, "time", a->time);
	add_opt(j, "user", a->user);
	add_opt(j, "org", a->org);
	add_opt(j, "action", a->action);
	add_opt(j, "object", a->object_id);
	add_opt(j, "outcome", a->outcome);
	add_opt(j, "remote", a->remote);
	add_opt(j, "detail", a->detail);
	cJSON_AddItemToArray(arg, j);
	return 0;
}

int rest_audit(struct http_request *req, struct http_response *res)
{
	if (http_query_allow(req, res, (const char *const[]){"since", "org", "limit", NULL}))
		return 0;
	struct ident_audit_filter f = {0};
	if (http_query_time(req, res, "since", 0, &f.since) ||
	    http_query_long(req, res, "limit", 1, 100000, 1000, &f.limit))
		return 0;
	const char *on = http_query(req, "org");
	if (on) {
		struct ident_org o;
		if (store_ident(req->store)->org_get(req->store, on, &o))
			return http_error(req, res, 404, "no such organisation");
		f.org_id = o.id;
	}
	cJSON *doc = cJSON_CreateObject();
	cJSON *arr = cJSON_AddArrayToObject(doc, "records");
	int rc = store_ident(req->store)->audit_list(req->store, &f, audit_add_to, arr);
	if (rc) {
		cJSON_Delete(doc);
		return rc;
	}
	return reply_doc(res, 200, doc);
}
