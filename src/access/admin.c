/*
 * admin.c: identity administration shared by the CLI and the REST API.
 */
#include "admin.h"
#include "access.h"
#include "../ingest/ingest.h"
#include "../stix/stix.h"
#include "../util/util.h"

#include <cjson/cJSON.h>
#include <limits.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int admin_name_valid(const char *name)
{
	size_t n = name ? strlen(name) : 0;
	if (n == 0 || n > ADMIN_NAME_LEN || name[0] == ' ' || name[n - 1] == ' ')
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = name[i];
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      strchr(" ._@+-", c)))
			return 0;
	}
	return 1;
}

static int bad_name(struct vb_err *e, const char *what, const char *name)
{
	return vb_err_set(e, VB_EUSAGE,
			  "%s name '%.80s' is not allowed: use 1 to %d letters, digits, spaces "
			  "and . _ @ + -",
			  what, name ? name : "", ADMIN_NAME_LEN);
}

static int store_fail(struct vb_err *e, int rc, const char *what)
{
	if (rc == VB_ESTORE)
		return vb_err_set(e, rc, "%s: the store failed (see the server log)", what);
	return vb_err_set(e, rc, "%s failed", what);
}

static int country_valid(const char *c)
{
	return c && strlen(c) == 2 && c[0] >= 'A' && c[0] <= 'Z' && c[1] >= 'A' && c[1] <= 'Z';
}

static int sector_valid(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > 63)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
			return 0;
	return 1;
}

/* The organisation's STIX identity, stored through the normal ingest path
 * (validation, index) with the organisation as owner. */
static int emit_identity(struct store *s, const struct ident_org *o, char id_out[64],
			 struct vb_err *e)
{
	char uuid[37], now[32];
	uuid_v4(uuid);
	snprintf(id_out, 64, "identity--%s", uuid);
	ingest_now(now);
	cJSON *obj = cJSON_CreateObject();
	cJSON_AddStringToObject(obj, "type", "identity");
	cJSON_AddStringToObject(obj, "spec_version", "2.1");
	cJSON_AddStringToObject(obj, "id", id_out);
	cJSON_AddStringToObject(obj, "created", now);
	cJSON_AddStringToObject(obj, "modified", now);
	cJSON_AddStringToObject(obj, "name", o->name);
	cJSON_AddStringToObject(obj, "identity_class", "organization");
	if (o->sector[0]) {
		cJSON *a = cJSON_AddArrayToObject(obj, "sectors");
		cJSON_AddItemToArray(a, cJSON_CreateString(o->sector));
	}
	char desc[200];
	snprintf(desc, sizeof desc, "verbinding organisation (%s%s%s)",
		 access_org_kind_name(o->kind), o->country[0] ? ", " : "", o->country);
	cJSON_AddStringToObject(obj, "description", desc);
	cJSON *m = cJSON_AddArrayToObject(obj, "object_marking_refs");
	cJSON_AddItemToArray(m, cJSON_CreateString(TLP_GREEN));
	struct ingest_opts io = {.confidence = -1, .owner_org = o->id};
	struct ingest *ig = ingest_new(s, &io);
	struct ingest_pos pos = {0};
	int rc = ingest_emit(ig, obj, &pos);
	ingest_free(ig);
	cJSON_Delete(obj);
	if (rc)
		return vb_err_set(e, rc, "could not store the organisation's identity object");
	return 0;
}

int admin_org_add(struct store *s, const char *name, const char *kind, const char *sector,
		  const char *country, const char *default_tlp, struct ident_org *out,
		  struct vb_err *e)
{
	struct ident_org o;
	memset(&o, 0, sizeof o);
	if (!admin_name_valid(name))
		return bad_name(e, "organisation", name);
	snprintf(o.name, sizeof o.name, "%s", name);
	if (!kind || access_org_kind_parse(kind, &o.kind))
		return vb_err_set(
		    e, VB_EUSAGE,
		    "kind '%.40s': expected government-department, cert, partner-state, "
		    "eu-nato-body, business or third-country-partner",
		    kind ? kind : "");
	if (sector && *sector) {
		if (!sector_valid(sector))
			return vb_err_set(
			    e, VB_EUSAGE,
			    "sector '%.40s': expected a lower-case STIX industry sector "
			    "such as government, energy, financial-services",
			    sector);
		snprintf(o.sector, sizeof o.sector, "%s", sector);
	}
	if (country && *country) {
		if (!country_valid(country))
			return vb_err_set(
			    e, VB_EUSAGE,
			    "country '%.10s': expected an ISO 3166-1 alpha-2 code such "
			    "as NL",
			    country);
		snprintf(o.country, sizeof o.country, "%s", country);
	}
	o.default_tlp = STORE_TLP_AMBER;
	if (default_tlp && access_tlp_parse(default_tlp, &o.default_tlp))
		return vb_err_set(
		    e, VB_EUSAGE,
		    "default TLP '%.20s': expected clear, green, amber, amber+strict or "
		    "red",
		    default_tlp);
	const struct store_ident_ops *id = store_ident(s);
	int rc = store_begin(s);
	if (rc)
		return store_fail(e, rc, "adding the organisation");
	rc = id->org_add(s, &o, &o.id);
	if (rc == VB_ECONFLICT) {
		store_rollback(s);
		return vb_err_set(e, rc, "an organisation named '%s' exists already", name);
	}
	if (!rc)
		rc = emit_identity(s, &o, o.identity_id, e);
	if (!rc)
		rc = id->org_set_identity(s, o.id, o.identity_id);
	if (!rc)
		rc = store_commit(s);
	if (rc) {
		store_rollback(s);
		return e && e->msg[0] ? rc : store_fail(e, rc, "adding the organisation");
	}
	if (out)
		*out = o;
	return 0;
}

int admin_org_remove(struct store *s, const char *name, struct vb_err *e)
{
	int rc = store_ident(s)->org_remove(s, name);
	if (rc == VB_ENOTFOUND)
		return vb_err_set(e, rc, "no organisation named '%.80s'", name);
	return rc ? store_fail(e, rc, "removing the organisation") : 0;
}

int admin_user_add(struct store *s, const char *name, const char *org, const char *role,
		   const char *password, struct ident_user *out, struct vb_err *e)
{
	if (!admin_name_valid(name))
		return bad_name(e, "user", name);
	int r;
	if (!role || access_role_parse(role, &r))
		return vb_err_set(
		    e, VB_EUSAGE,
		    "role '%.40s': expected admin, analyst, diplomat, liaison, partner "
		    "or read-only",
		    role ? role : "");
	const struct store_ident_ops *id = store_ident(s);
	struct ident_org o;
	int rc = org ? id->org_get(s, org, &o) : VB_ENOTFOUND;
	if (rc == VB_ENOTFOUND)
		return vb_err_set(e, rc, "no organisation named '%.80s'", org ? org : "");
	if (rc)
		return store_fail(e, rc, "looking up the organisation");
	char hash[IDENT_PWHASH_MAX];
	if (password) {
		rc = cred_password_hash(password, strlen(password), hash);
		if (rc == VB_EUSAGE)
			return vb_err_set(e, rc, "the password must be %d to %d bytes long",
					  CRED_PASSWORD_MIN, CRED_PASSWORD_MAX);
		if (rc)
			return vb_err_set(e, rc, "hashing the password ran out of memory");
	}
	int64_t uid;
	rc = id->user_add(s, name, o.id, r, password ? hash : NULL, &uid);
	sodium_memzero(hash, sizeof hash);
	if (rc == VB_ECONFLICT)
		return vb_err_set(e, rc, "a user named '%s' exists already", name);
	if (rc)
		return store_fail(e, rc, "adding the user");
	if (out)
		return id->user_get_id(s, uid, out);
	return 0;
}

int admin_user_passwd(struct store *s, const char *name, const char *password, struct vb_err *e)
{
	char hash[IDENT_PWHASH_MAX];
	int rc = cred_password_hash(password, strlen(password), hash);
	if (rc == VB_EUSAGE)
		return vb_err_set(e, rc, "the password must be %d to %d bytes long",
				  CRED_PASSWORD_MIN, CRED_PASSWORD_MAX);
	if (rc)
		return vb_err_set(e, rc, "hashing the password ran out of memory");
	rc = store_ident(s)->user_set_password(s, name, hash);
	sodium_memzero(hash, sizeof hash);
	if (rc == VB_ENOTFOUND)
		return vb_err_set(e, rc, "no user named '%.80s'", name);
	return rc ? store_fail(e, rc, "setting the password") : 0;
}

int admin_user_remove(struct store *s, const char *name, struct vb_err *e)
{
	int rc = store_ident(s)->user_remove(s, name);
	if (rc == VB_ENOTFOUND)
		return vb_err_set(e, rc, "no user named '%.80s'", name);
	return rc ? store_fail(e, rc, "removing the user") : 0;
}

static void sodium_rand(void *buf, size_t n)
{
	randombytes_buf(buf, n);
}

int admin_token_create(struct store *s, const char *user, const char *label, long days,
		       char token[CRED_TOKEN_LEN], struct ident_token *out, struct vb_err *e)
{
	const struct store_ident_ops *id = store_ident(s);
	struct ident_user u;
	int rc = user ? id->user_get(s, user, &u) : VB_ENOTFOUND;
	if (rc == VB_ENOTFOUND)
		return vb_err_set(e, rc, "no user named '%.80s'", user ? user : "");
	if (rc)
		return store_fail(e, rc, "looking up the user");
	if (days == 0)
		days = ADMIN_TOKEN_DAYS_DEFAULT;
	if (days < 0 || days > ADMIN_TOKEN_DAYS_MAX)
		return vb_err_set(e, VB_EUSAGE, "expiry: 1 to %d days", ADMIN_TOKEN_DAYS_MAX);
	if (label && (strlen(label) > 60 || (*label && !admin_name_valid(label))))
		return vb_err_set(e, VB_EUSAGE,
				  "label: up to 60 letters, digits, spaces and . _ @ + -");
	unsigned char key[IDENT_KEY_LEN], hash[IDENT_HASH_LEN];
	rc = id->instance_key(s, sodium_rand, key);
	if (rc)
		return store_fail(e, rc, "reading the instance key");
	char prefix[CRED_PREFIX_LEN + 1];
	cred_token_new(token, prefix);
	cred_hash(key, token, strlen(token), hash);
	sodium_memzero(key, sizeof key);
	int64_t tid;
	rc = id->token_add(s, u.id, hash, prefix, label && *label ? label : NULL,
			   time_now_us() + (int64_t)days * 86400 * 1000000, &tid);
	if (rc) {
		sodium_memzero(token, CRED_TOKEN_LEN);
		return store_fail(e, rc, "storing the token");
	}
	if (out)
		return id->token_get(s, tid, out);
	return 0;
}

struct prefix_find {
	const char *prefix;
	int64_t only_user;
	int64_t id;
	int n;
};

static int find_prefix(void *arg, const struct ident_token *t)
{
	struct prefix_find *f = arg;
	if (strcmp(t->prefix, f->prefix) == 0 && !t->revoked &&
	    (!f->only_user || t->user == f->only_user)) {
		f->id = t->id;
		f->n++;
	}
	return 0;
}

int admin_token_revoke(struct store *s, const char *which, int64_t only_user, struct vb_err *e)
{
	const struct store_ident_ops *id = store_ident(s);
	long tid = 0;
	int rc;
	if (which && strncmp(which, "vb_", 3) == 0) {
		/* A prefix, or a whole token pasted in: only its prefix is used. */
		char p[CRED_PREFIX_LEN + 1];
		snprintf(p, sizeof p, "%s", which);
		struct prefix_find f = {p, only_user, 0, 0};
		rc = id->token_list(s, only_user, find_prefix, &f);
		if (rc)
			return store_fail(e, rc, "listing tokens");
		if (f.n > 1)
			return vb_err_set(e, VB_EUSAGE,
					  "several tokens start with %s; revoke by id (token list)",
					  p);
		if (f.n == 0)
			return vb_err_set(e, VB_ENOTFOUND, "no such token");
		tid = (long)f.id;
	} else if (!which || parse_long(which, 1, LONG_MAX, &tid)) {
		return vb_err_set(e, VB_EUSAGE,
				  "expected a token id or a prefix such as vb_AbC123");
	}
	struct ident_token t;
	rc = id->token_get(s, tid, &t);
	if (rc == VB_ENOTFOUND || (!rc && only_user && t.user != only_user))
		return vb_err_set(e, VB_ENOTFOUND, "no such token");
	if (rc)
		return store_fail(e, rc, "looking up the token");
	rc = id->token_revoke(s, tid);
	return rc ? store_fail(e, rc, "revoking the token") : 0;
}

int admin_group_add(struct store *s, const char *name, const char *description,
		    struct ident_group *out, struct vb_err *e)
{
	if (!admin_name_valid(name))
		return bad_name(e, "group", name);
	if (description && strlen(description) > 200)
		return vb_err_set(e, VB_EUSAGE, "description: at most 200 bytes");
	if (description && !utf8_valid(description, strlen(description)))
		return vb_err_set(e, VB_EUSAGE, "description: not valid UTF-8");
	for (const char *p = description; p && *p; p++)
		if ((unsigned char)*p < 0x20)
			return vb_err_set(e, VB_EUSAGE, "description: no control characters");
	int64_t gid;
	const struct store_ident_ops *id = store_ident(s);
	int rc = id->group_add(s, name, description, &gid);
	if (rc == VB_ECONFLICT)
		return vb_err_set(e, rc, "a sharing group named '%s' exists already", name);
	if (rc)
		return store_fail(e, rc, "adding the group");
	return out ? id->group_get_id(s, gid, out) : 0;
}

int admin_group_remove(struct store *s, const char *name, struct vb_err *e)
{
	int rc = store_ident(s)->group_remove(s, name);
	if (rc == VB_ENOTFOUND)
		return vb_err_set(e, rc, "no sharing group named '%.80s'", name);
	return rc ? store_fail(e, rc, "removing the group") : 0;
}

static int group_and_org(struct store *s, const char *group, const char *org, struct ident_group *g,
			 struct ident_org *o, struct vb_err *e)
{
	const struct store_ident_ops *id = store_ident(s);
	int rc = group ? id->group_get(s, group, g) : VB_ENOTFOUND;
	if (rc == VB_ENOTFOUND)
		return vb_err_set(e, rc, "no sharing group named '%.80s'", group ? group : "");
	if (rc)
		return store_fail(e, rc, "looking up the group");
	rc = org ? id->org_get(s, org, o) : VB_ENOTFOUND;
	if (rc == VB_ENOTFOUND)
		return vb_err_set(e, rc, "no organisation named '%.80s'", org ? org : "");
	return rc ? store_fail(e, rc, "looking up the organisation") : 0;
}

int admin_group_grant(struct store *s, const char *group, const char *org, struct vb_err *e)
{
	struct ident_group g;
	struct ident_org o;
	int rc = group_and_org(s, group, org, &g, &o, e);
	if (rc)
		return rc;
	rc = store_ident(s)->group_grant(s, g.id, o.id);
	if (rc == VB_ECONFLICT)
		return vb_err_set(e, rc, "'%s' is a member of '%s' already", org, group);
	return rc ? store_fail(e, rc, "adding the member") : 0;
}

int admin_group_revoke(struct store *s, const char *group, const char *org, struct vb_err *e)
{
	struct ident_group g;
	struct ident_org o;
	int rc = group_and_org(s, group, org, &g, &o, e);
	if (rc)
		return rc;
	rc = store_ident(s)->group_revoke(s, g.id, o.id);
	if (rc == VB_ENOTFOUND)
		return vb_err_set(e, rc, "'%s' is not a member of '%s'", org, group);
	return rc ? store_fail(e, rc, "removing the member") : 0;
}

int admin_share_parse(struct store *s, const char *spec, struct store_share *out, struct vb_err *e)
{
	const struct store_ident_ops *id = store_ident(s);
	const char *name = spec;
	int kind = 0;
	if (strncmp(spec, "org:", 4) == 0)
		kind = STORE_SHARE_ORG, name = spec + 4;
	else if (strncmp(spec, "group:", 6) == 0)
		kind = STORE_SHARE_GROUP, name = spec + 6;
	else if (strncmp(spec, "user:", 5) == 0)
		kind = STORE_SHARE_USER, name = spec + 5;
	if (!admin_name_valid(name))
		return vb_err_set(e, VB_EUSAGE,
				  "share '%.80s': expected org:NAME, group:NAME or user:NAME",
				  spec);
	int rc = VB_ENOTFOUND;
	if (kind == 0 || kind == STORE_SHARE_GROUP) {
		struct ident_group g;
		rc = id->group_get(s, name, &g);
		if (!rc)
			*out = (struct store_share){STORE_SHARE_GROUP, g.id};
	}
	if (rc == VB_ENOTFOUND && (kind == 0 || kind == STORE_SHARE_ORG)) {
		struct ident_org o;
		rc = id->org_get(s, name, &o);
		if (!rc)
			*out = (struct store_share){STORE_SHARE_ORG, o.id};
	}
	if (rc == VB_ENOTFOUND && kind == STORE_SHARE_USER) {
		struct ident_user u;
		rc = id->user_get(s, name, &u);
		if (!rc)
			*out = (struct store_share){STORE_SHARE_USER, u.id};
	}
	/* Identity names are not secret inside the instance (the directory of
	 * organisations is readable by every member), so naming the miss is fine. */
	if (rc == VB_ENOTFOUND)
		return vb_err_set(e, VB_EUSAGE, "share '%.80s': no such %s", spec,
				  kind == STORE_SHARE_ORG     ? "organisation"
				  : kind == STORE_SHARE_USER  ? "user"
				  : kind == STORE_SHARE_GROUP ? "sharing group"
							      : "group or organisation");
	return rc ? store_fail(e, rc, "resolving a share") : 0;
}

void admin_audit_local(struct store *s, const char *action, const char *object_id,
		       const char *detail)
{
	struct ident_audit a = {.user = "(cli)",
				.action = action,
				.object_id = object_id,
				.outcome = "ok",
				.remote = "local",
				.detail = detail};
	if (store_ident(s)->audit_append(s, &a))
		fprintf(stderr, "verbinding: could not append to the audit log\n");
}
