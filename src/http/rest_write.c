/*
 * rest_write.c: the one path by which the REST API writes a single object
 * (create, new version, revoke, sighting): the access rules of
 * src/access/access.h first, then the import path (ingest_emit) so that
 * validation is the CLI's, then an audit record.
 */
#include "rest.h"
#include "../ingest/ingest.h"
#include "../stix/stix.h"
#include "../store/store_ident.h"
#include "../util/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *json_str(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static int bad_object(struct http_request *req, struct http_response *res, const struct vb_err *e)
{
	if (e->pointer[0])
		return http_error(req, res, 400, "%s: %s", e->pointer, e->msg);
	return http_error(req, res, 400, "%s", e->msg);
}

/* Sets key to a string, replacing what is there. */
static void set_str(cJSON *o, const char *k, const char *v)
{
	cJSON *n = cJSON_CreateString(v);
	if (cJSON_GetObjectItemCaseSensitive(o, k))
		cJSON_ReplaceItemInObjectCaseSensitive(o, k, n);
	else
		cJSON_AddItemToObject(o, k, n);
}

/* The highest TLP level among object_marking_refs, after mapping TLP 1.0
 * ids to TLP 2.0 ones; STORE_TLP_NONE when there is none. -2 when
 * object_marking_refs is present but not a list of strings. */
int rest_marking_level(cJSON *obj)
{
	cJSON *refs = cJSON_GetObjectItemCaseSensitive(obj, "object_marking_refs");
	if (!refs)
		return STORE_TLP_NONE;
	if (!cJSON_IsArray(refs))
		return -2;
	int level = STORE_TLP_NONE;
	cJSON *r;
	cJSON_ArrayForEach(r, refs)
	{
		if (!cJSON_IsString(r))
			return -2;
		const char *up = stix_tlp_upgrade(r->valuestring);
		if (strcmp(up, r->valuestring) != 0)
			cJSON_SetValuestring(r, up);
		int l = stix_tlp_level(r->valuestring);
		if (l > level)
			level = l;
	}
	return level;
}

void rest_add_marking(cJSON *obj, int level)
{
	cJSON *refs = cJSON_GetObjectItemCaseSensitive(obj, "object_marking_refs");
	if (!refs)
		refs = cJSON_AddArrayToObject(obj, "object_marking_refs");
	cJSON_AddItemToArray(refs, cJSON_CreateString(access_tlp_marking(level)));
}

static int64_t obj_time(const cJSON *o, const char *k)
{
	const char *s = json_str(o, k);
	int64_t t;
	return s && !time_parse(s, &t) ? t : STORE_NO_TIME;
}

static int denied(struct http_request *req, struct http_response *res, const char *id,
		  const char *why)
{
	http_audit(req, "access.denied", id, "denied", why);
	return http_error(req, res, 403, "%s", why);
}

int rest_write_object(struct http_request *req, struct http_response *res, cJSON *obj,
		      const struct rest_write *w)
{
	struct store *s = req->store;
	const struct store_ident_ops *ident = store_ident(s);
	struct vb_err e;
	vb_err_clear(&e);
	if (!cJSON_IsObject(obj))
		return http_error(req, res, 400, "expected one STIX object (a JSON object)");
	const char *type = json_str(obj, "type");
	if (!type)
		return http_error(req, res, 400, "/type: missing");
	if (strcmp(type, "bundle") == 0)
		return http_error(req, res, 400,
				  "this is a bundle: send bundles to POST /api/v1/import");
	if (stix_is_20(obj) && stix_upgrade_20(obj, &e))
		return bad_object(req, res, &e);
	type = json_str(obj, "type");
	enum stix_kind kind = stix_type_kind(type);

	/* The id. */
	const char *oid = json_str(obj, "id");
	if (w->mode != REST_CREATE) {
		if (!oid)
			set_str(obj, "id", w->id);
		else if (strcmp(oid, w->id) != 0)
			return http_error(req, res, 400, "/id: differs from the id in the path");
	} else if (!oid) {
		if (kind == STIX_SCO)
			return http_error(req, res, 400,
					  "/id: a cyber-observable needs its deterministic id");
		char uuid[37], id[320];
		uuid_v4(uuid);
		snprintf(id, sizeof id, "%.250s--%s", type, uuid);
		set_str(obj, "id", id);
	}
	oid = json_str(obj, "id");

	/* The version it follows, if any: visible to the caller, or 404. */
	int64_t prev_owner = 0, prev_mod = STORE_NO_TIME;
	int prev_tlp = STORE_TLP_NONE;
	int rc;
	if (w->mode != REST_CREATE) {
		char *prev = NULL;
		size_t plen = 0;
		rc = store_get(s, &req->caller.viewer, oid, STORE_NO_TIME, &prev, &plen);
		if (rc == VB_ENOTFOUND)
			return http_error(req, res, 404, HTTP_NOT_FOUND_DETAIL);
		if (rc)
			return rc;
		cJSON *p = cJSON_ParseWithLength(prev, plen);
		free(prev);
		prev_mod = obj_time(p, "modified");
		cJSON_Delete(p);
		if ((rc = ident->object_owner(s, oid, &prev_owner, &prev_tlp)))
			return rc;
	} else {
		int64_t o;
		int t;
		rc = ident->object_owner(s, oid, &o, &t);
		if (!rc)
			return http_error(
			    req, res, 409,
			    "an object with this id exists already; add versions with "
			    "POST /api/v1/objects/{id}/versions");
		if (rc != VB_ENOTFOUND)
			return rc;
	}

	/* Timestamps of SDOs and SROs: filled in when left out. */
	char now[32];
	ingest_now(now);
	if (kind != STIX_SCO) {
		if (!cJSON_GetObjectItemCaseSensitive(obj, "created"))
			set_str(obj, "created", now);
		if (!cJSON_GetObjectItemCaseSensitive(obj, "modified"))
			set_str(obj, "modified", now);
		int64_t mod = obj_time(obj, "modified");
		if (w->mode != REST_CREATE && prev_mod != STORE_NO_TIME && mod != STORE_NO_TIME &&
		    mod <= prev_mod)
			return http_error(req, res, 409,
					  "/modified: a new version must be later than the current "
					  "one");
	} else if (w->mode != REST_CREATE) {
		return http_error(req, res, 400,
				  "cyber-observables have one version (their id is their content)");
	}

	/* The marking: the object's own, else the previous version's, else the
	 * organisation's default; always a TLP marking in object_marking_refs. */
	int level = rest_marking_level(obj);
	if (level == -2)
		return http_error(req, res, 400, "/object_marking_refs: must be a list of ids");
	if (level == STORE_TLP_NONE) {
		level = w->mode != REST_CREATE && prev_tlp >= STORE_TLP_CLEAR
			    ? prev_tlp
			    : req->caller.org_default_tlp;
		if (level < STORE_TLP_CLEAR || level > STORE_TLP_RED)
			level = STORE_TLP_AMBER;
		rest_add_marking(obj, level);
	}

	/* The rules: creator only; marking; shares. */
	const char *why = NULL;
	if (w->mode != REST_CREATE &&
	    access_check_version(req->caller.org_id, prev_owner, prev_tlp, level, &why))
		return denied(req, res, oid, why);
	const struct store_share *shares = w->shares;
	size_t n_shares = w->n_shares;
	struct store_share prev_shares[REST_MAX_SHARES];
	if (!w->shares_given && w->mode != REST_CREATE) {
		if ((rc = ident->object_shares(s, oid, prev_shares, REST_MAX_SHARES, &n_shares)))
			return rc;
		shares = prev_shares;
	}
	rc = access_check_shares(level, shares, n_shares, req->caller.groups, req->caller.n_groups,
				 &why);
	if (rc == VB_EDENIED)
		return denied(req, res, oid, why);
	if (rc)
		return http_error(req, res, 400, "%s", why);

	/* Validation: the import's validator, for an error the caller can use. */
	if (stix_validate(obj, &e))
		return bad_object(req, res, &e);

	/* Store through the import path, one transaction. */
	struct ingest_opts io = {.confidence = -1,
				 .owner_org = req->caller.org_id,
				 .shares = shares,
				 .n_shares = n_shares};
	struct ingest *ig = ingest_new(s, &io);
	struct ingest_pos pos = {0};
	rc = store_begin(s);
	if (!rc)
		rc = ingest_emit(ig, obj, &pos);
	if (!rc)
		rc = store_commit(s);
	if (rc)
		store_rollback(s);
	ingest_free(ig);
	if (rc == VB_EINPUT)
		return http_error(req, res, 400, "the object was refused by the import validator");
	if (rc == VB_ESTORE) {
		int64_t o;
		int t;
		if (!ident->object_owner(s, oid, &o, &t) && o != req->caller.org_id)
			return http_error(req, res, 409, "an object with this id exists already");
		return rc;
	}
	if (rc)
		return rc;

	/* Answer with what is now stored (the latest version, as the caller
	 * sees it); when an even later version exists the write was older. */
	char *stored = NULL;
	size_t slen = 0;
	rc = store_get(s, &req->caller.viewer, oid, STORE_NO_TIME, &stored, &slen);
	if (rc)
		return rc;
	char detail[64];
	snprintf(detail, sizeof detail, "TLP:%s, %zu share(s)", access_tlp_name(level), n_shares);
	http_audit(req, w->action, oid, "ok", detail);
	rc = http_reply(res, 201, "application/json", stored, slen);
	free(stored);
	char loc[400];
	snprintf(loc, sizeof loc, "/api/v1/objects/%s", oid);
	http_header_add(req, res, "Location", loc);
	return rc;
}
