/*
 * rest_objects.c: /api/v1/objects and /api/v1/sightings: create, list, get
 * (latest or one version), versions, new version, revoke, relationships,
 * sightings. Every read passes the caller's viewer; an object the caller
 * may not see answers exactly like one that does not exist.
 */
#include "rest.h"
#include "../stix/stix.h"
#include "../store/store_ident.h"
#include "../util/util.h"

#include <stdlib.h>
#include <string.h>

static int not_found(struct http_request *req, struct http_response *res)
{
	return http_error(req, res, 404, HTTP_NOT_FOUND_DETAIL);
}

/* The 404 for id. When id exists but the caller may not see it, that is
 * an access-control denial and goes to the audit log (for admins; the
 * caller gets the missing object's answer). A missing id is audited too,
 * so both cases cost the same work and take the same time. */
static int not_visible(struct http_request *req, struct http_response *res, const char *id)
{
	int64_t owner;
	int tlp;
	if (store_ident(req->store)->object_owner(req->store, id, &owner, &tlp) == 0)
		http_audit(req, "access.denied", id, "denied",
			   "read of an object not shared with the caller");
	else
		http_audit(req, "read.missing", id, "not found", NULL);
	return not_found(req, res);
}

/* ---- writes ---- */

static int write_from_body(struct http_request *req, struct http_response *res,
			   enum rest_write_mode mode, const char *action)
{
	if (http_query_allow(req, res, (const char *const[]){"share", NULL}))
		return 0;
	struct store_share *sh;
	size_t n;
	if (rest_shares(req, res, &sh, &n))
		return 0;
	cJSON *obj = rest_parse_body(req, res);
	if (!obj)
		return 0;
	struct rest_write w = {.mode = mode,
			       .id = http_param(req, "id"),
			       .shares = sh,
			       .n_shares = n,
			       .shares_given = http_query_count(req, "share") > 0,
			       .action = action};
	int rc = rest_write_object(req, res, obj, &w);
	cJSON_Delete(obj);
	return rc;
}

int rest_objects_create(struct http_request *req, struct http_response *res)
{
	return write_from_body(req, res, REST_CREATE, "object.create");
}

int rest_objects_new_version(struct http_request *req, struct http_response *res)
{
	return write_from_body(req, res, REST_VERSION, "object.version");
}

int rest_objects_revoke(struct http_request *req, struct http_response *res)
{
	if (http_query_allow(req, res, (const char *const[]){NULL}))
		return 0;
	const char *id = http_param(req, "id");
	char *json = NULL;
	size_t len = 0;
	int rc = store_get(req->store, &req->caller.viewer, id, STORE_NO_TIME, &json, &len);
	if (rc == VB_ENOTFOUND)
		return not_found(req, res);
	if (rc)
		return rc;
	cJSON *obj = cJSON_ParseWithLength(json, len);
	free(json);
	if (!obj)
		return VB_ESTORE;
	const cJSON *rv = cJSON_GetObjectItemCaseSensitive(obj, "revoked");
	if (cJSON_IsTrue(rv)) {
		cJSON_Delete(obj);
		return http_error(req, res, 409, "the object is revoked already");
	}
	/* The new version: revoked, one millisecond after the current one at
	 * the least (the clock may not have moved on). */
	int64_t mod = 0, now = time_now_us() / 1000 * 1000;
	const cJSON *m = cJSON_GetObjectItemCaseSensitive(obj, "modified");
	if (cJSON_IsString(m))
		time_parse(m->valuestring, &mod);
	if (now <= mod)
		now = mod + 1000;
	char ts[32];
	time_format(now, ts);
	cJSON_ReplaceItemInObjectCaseSensitive(obj, "modified", cJSON_CreateString(ts));
	if (rv)
		cJSON_ReplaceItemInObjectCaseSensitive(obj, "revoked", cJSON_CreateTrue());
	else
		cJSON_AddTrueToObject(obj, "revoked");
	struct rest_write w = {.mode = REST_REVOKE, .id = id, .action = "object.revoke"};
	rc = rest_write_object(req, res, obj, &w);
	cJSON_Delete(obj);
	return rc;
}

/* Is ref visible to the caller? (0, VB_ENOTFOUND, or a store error) */
static int visible(struct http_request *req, const char *ref)
{
	char *json = NULL;
	int rc = store_get(req->store, &req->caller.viewer, ref, STORE_NO_TIME, &json, NULL);
	free(json);
	return rc;
}

static int refs_visible(struct http_request *req, struct http_response *res, const cJSON *obj,
			const char *prop, int *done)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, prop);
	if (!v)
		return 0;
	const cJSON *items = cJSON_IsArray(v) ? v->child : v;
	for (const cJSON *it = items; it; it = cJSON_IsArray(v) ? it->next : NULL) {
		if (!cJSON_IsString(it))
			continue; /* the validator reports it */
		int rc = visible(req, it->valuestring);
		if (rc == VB_ENOTFOUND) {
			*done = 1;
			http_error(req, res, 404, "%s: " HTTP_NOT_FOUND_DETAIL, prop);
			return 0;
		}
		if (rc)
			return rc;
	}
	return 0;
}

int rest_sightings_create(struct http_request *req, struct http_response *res)
{
	if (http_query_allow(req, res, (const char *const[]){"share", NULL}))
		return 0;
	struct store_share *sh;
	size_t n;
	if (rest_shares(req, res, &sh, &n))
		return 0;
	cJSON *obj = rest_parse_body(req, res);
	if (!obj)
		return 0;
	int rc = 0, done = 0;
	if (!cJSON_IsObject(obj)) {
		http_error(req, res, 400, "expected a sighting object");
		goto out;
	}
	const cJSON *t = cJSON_GetObjectItemCaseSensitive(obj, "type");
	if (!t) {
		cJSON_AddStringToObject(obj, "type", "sighting");
	} else if (!cJSON_IsString(t) || strcmp(t->valuestring, "sighting") != 0) {
		http_error(req, res, 400, "/type: must be \"sighting\"");
		goto out;
	}
	if (!cJSON_GetObjectItemCaseSensitive(obj, "spec_version"))
		cJSON_AddStringToObject(obj, "spec_version", "2.1");
	const cJSON *of = cJSON_GetObjectItemCaseSensitive(obj, "sighting_of_ref");
	if (!cJSON_IsString(of)) {
		http_error(req, res, 400, "/sighting_of_ref: missing");
		goto out;
	}
	/* Everything it points at must be visible: a sighting is no way to
	 * probe for objects one may not see. */
	static const char *const props[] = {"sighting_of_ref", "observed_data_refs",
					    "where_sighted_refs", "created_by_ref"};
	for (size_t i = 0; i < ARRAY_LEN(props) && !rc && !done; i++)
		rc = refs_visible(req, res, obj, props[i], &done);
	if (rc || done)
		goto out;
	int given = http_query_count(req, "share") > 0;
	struct store_share owner_share[1];
	if (!given) {
		/* Under AMBER or RED (explicit, or the organisation's default) the
		 * creator of the sighted object is told, unless it is the caller. */
		int level = req->caller.org_default_tlp;
		const cJSON *mr = cJSON_GetObjectItemCaseSensitive(obj, "object_marking_refs");
		if (cJSON_IsArray(mr)) {
			const cJSON *r;
			int l = STORE_TLP_NONE;
			cJSON_ArrayForEach(r, mr) if (cJSON_IsString(r))
			{
				int x = stix_tlp_level(r->valuestring);
				if (x > l)
					l = x;
			}
			if (l != STORE_TLP_NONE)
				level = l;
		}
		int64_t owner;
		int otlp;
		if ((level == STORE_TLP_AMBER || level == STORE_TLP_RED) &&
		    !store_ident(req->store)
			 ->object_owner(req->store, of->valuestring, &owner, &otlp) &&
		    owner != 0 && owner != req->caller.org_id) {
			owner_share[0] = (struct store_share){STORE_SHARE_ORG, owner};
			sh = owner_share;
			n = 1;
			given = 1;
		}
	}
	struct rest_write w = {.mode = REST_CREATE,
			       .shares = sh,
			       .n_shares = n,
			       .shares_given = given,
			       .action = "sighting.create"};
	rc = rest_write_object(req, res, obj, &w);
out:
	cJSON_Delete(obj);
	return rc;
}

/* ---- reads ---- */

int rest_objects_get(struct http_request *req, struct http_response *res)
{
	if (http_query_allow(req, res, (const char *const[]){"version", NULL}))
		return 0;
	int64_t version;
	if (http_query_time(req, res, "version", STORE_NO_TIME, &version))
		return 0;
	char *json = NULL;
	size_t len = 0;
	int rc =
	    store_get(req->store, &req->caller.viewer, http_param(req, "id"), version, &json, &len);
	if (rc == VB_ENOTFOUND)
		return not_visible(req, res, http_param(req, "id"));
	if (rc)
		return rc;
	rc = http_reply(res, 200, "application/json", json, len);
	free(json);
	return rc;
}

/* A list of type names from repeated ?type= (each may hold a comma list). */
static const char **types_param(struct http_request *req, struct http_response *res, int *bad)
{
	size_t n = http_query_count(req, "type");
	*bad = 0;
	if (!n)
		return NULL;
	const char **types = http_alloc(req, 65 * sizeof *types);
	int k = 0;
	for (size_t i = 0; i < n; i++) {
		int got = http_split_list(req, http_query_nth(req, "type", i), types + k, 64 - k);
		if (got < 0) {
			http_error(req, res, 400, "at most 64 types");
			*bad = 1;
			return NULL;
		}
		k += got;
	}
	for (int i = 0; i < k; i++) {
		size_t l = strlen(types[i]);
		int ok = l > 0 && l < 250;
		for (size_t j = 0; j < l && ok; j++)
			ok = (types[i][j] >= 'a' && types[i][j] <= 'z') ||
			     (types[i][j] >= '0' && types[i][j] <= '9') || types[i][j] == '-';
		if (!ok) {
			http_error(req, res, 400,
				   "type: expected STIX type names such as indicator");
			*bad = 1;
			return NULL;
		}
	}
	types[k] = NULL;
	return k ? types : NULL;
}

int rest_objects_list(struct http_request *req, struct http_response *res)
{
	static const char *const allowed[] = {"type",  "label",	 "marking", "since",
					      "limit", "cursor", NULL};
	if (http_query_allow(req, res, allowed))
		return 0;
	struct store_filter f = {.viewer = &req->caller.viewer};
	int bad;
	f.types = types_param(req, res, &bad);
	if (bad)
		return 0;
	if (http_query_count(req, "label") > 1 || http_query_count(req, "marking") > 1)
		return http_error(req, res, 400, "give label and marking once each");
	f.label = http_query(req, "label");
	const char *mk = http_query(req, "marking");
	if (mk) {
		const char *tlp = stix_tlp_id(mk);
		f.marking = tlp ? tlp : mk;
		if (!tlp && strncmp(mk, "marking-definition--", 20) != 0)
			return http_error(
			    req, res, 400,
			    "marking: expected a TLP name or a marking-definition id");
	}
	int64_t since;
	if (http_query_time(req, res, "since", 0, &since))
		return 0;
	f.modified_since = since;
	const char *scope = rest_scope(req);
	long limit;
	if (rest_paging(req, res, scope, &limit, &f.after_seq))
		return 0;
	f.limit = limit + 1;
	struct rest_list l = {.req = req, .out = &res->body, .scope = scope, .limit = limit};
	rest_list_begin(&l);
	int rc = store_scan(req->store, &f, rest_list_row, &l);
	if (rc < 0)
		return rc;
	res->status = 200;
	return rest_list_end(&l);
}

struct versions_ctx {
	struct buf *out;
	int n;
};

static int version_row(void *arg, const struct store_row *row)
{
	struct versions_ctx *v = arg;
	char t[32];
	time_format(row->modified, t);
	return buf_printf(v->out, "%s\"%s\"", v->n++ ? "," : "", t);
}

int rest_objects_versions(struct http_request *req, struct http_response *res)
{
	if (http_query_allow(req, res, (const char *const[]){NULL}))
		return 0;
	const char *ids[] = {http_param(req, "id"), NULL};
	struct store_filter f = {
	    .viewer = &req->caller.viewer, .ids = ids, .all_versions = 1, .limit = 100000};
	buf_reset(&res->body);
	buf_adds(&res->body, "{\"versions\":[");
	struct versions_ctx v = {&res->body, 0};
	int rc = store_scan(req->store, &f, version_row, &v);
	if (rc)
		return rc;
	if (v.n == 0)
		return not_visible(req, res, ids[0]);
	res->status = 200;
	return buf_adds(&res->body, "]}");
}

int rest_objects_relationships(struct http_request *req, struct http_response *res)
{
	if (http_query_allow(req, res, (const char *const[]){"limit", "cursor", NULL}))
		return 0;
	const char *id = http_param(req, "id");
	int rc = visible(req, id);
	if (rc == VB_ENOTFOUND)
		return not_visible(req, res, id);
	if (rc)
		return rc;
	const char *scope = rest_scope(req);
	static const char *const types[] = {"relationship", "sighting", NULL};
	struct store_filter f = {.viewer = &req->caller.viewer, .ref_target = id, .types = types};
	long limit;
	if (rest_paging(req, res, scope, &limit, &f.after_seq))
		return 0;
	f.limit = limit + 1;
	struct rest_list l = {.req = req, .out = &res->body, .scope = scope, .limit = limit};
	rest_list_begin(&l);
	rc = store_scan(req->store, &f, rest_list_row, &l);
	if (rc < 0)
		return rc;
	res->status = 200;
	return rest_list_end(&l);
}
