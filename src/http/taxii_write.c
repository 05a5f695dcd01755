/*
 * taxii_write.c: TAXII writes: add objects (POST an envelope), delete an
 * object, and the status resources adds leave behind.
 *
 * Add: the envelope is split without a tree (taxii_envelope.c) and each
 * element parsed alone. Each object passes the checks of the REST write
 * path before it reaches ingest_emit: STIX 2.0 upgrade, validation (the
 * import validator, for the failure message), ownership (only the creating
 * organisation adds versions), the TLP marking (the object's own, else the
 * previous version's, else the organisation's default, written into
 * object_marking_refs), the collection's TLP ceiling, and the shares (the
 * previous version's, plus the collection's sharing group) checked by
 * access_check_shares. All objects of one request are one transaction; an
 * object that fails a check is listed in the status with its reason and
 * the others are stored (TAXII's partial success). The status is stored
 * in the same transaction and answered with 202.
 *
 * Delete: TAXII's DELETE removes versions from the store for real (not a
 * revocation: a revoked version would still be served): the versions of
 * the object the caller sees in the collection that match match[version]
 * (default: all). Only the creating organisation may delete, with write
 * rights on the collection; the audit log records it. Copies other servers
 * pulled are theirs; to withdraw intelligence from them, revoke instead.
 */
#include "taxii.h"
#include "../ingest/ingest.h"
#include "../stix/stix.h"
#include "../store/store_ident.h"
#include "../util/util.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_SHARES     64
#define STATUS_MSG_MAX 240 /* a failure message in a status, bytes */

struct add {
	struct http_request *req;
	const struct taxii_ctx *x;
	struct buf ok, bad; /* status-details, comma-separated */
	long n_ok, n_bad;
	struct ingest *plain, *grouped; /* shares: none / the collection's group only */
	struct store_share group_share;
	struct stix_index ix;
	char request_time[32];
};

static void detail(struct buf *b, long *n, const char *id, const char *version, const char *msg)
{
	if ((*n)++)
		buf_addc(b, ',');
	buf_adds(b, "{\"id\":");
	buf_add_json_str(b, id, strlen(id));
	buf_adds(b, ",\"version\":");
	buf_add_json_str(b, version, strlen(version));
	if (msg) {
		size_t len = strlen(msg);
		buf_adds(b, ",\"message\":");
		buf_add_json_str(b, msg, len > STATUS_MSG_MAX ? STATUS_MSG_MAX : len);
	}
	buf_addc(b, '}');
}

static const char *str_of(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* The version an object states: modified, else created, else "". */
static const char *stated_version(const cJSON *o)
{
	const char *v = str_of(o, "modified");
	if (!v)
		v = str_of(o, "created");
	return v ? v : "";
}

static void failure(struct add *a, const cJSON *o, size_t index, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void failure(struct add *a, const cJSON *o, size_t index, const char *fmt, ...)
{
	char msg[600];
	int k = snprintf(msg, sizeof msg, "/objects/%zu: ", index);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg + k, sizeof msg - (size_t)k, fmt, ap);
	va_end(ap);
	const char *id = o ? str_of(o, "id") : NULL;
	detail(&a->bad, &a->n_bad, id && strlen(id) < 300 ? id : "", o ? stated_version(o) : "",
	       msg);
}

static struct ingest *ingest_for(struct add *a, const struct store_share *sh, size_t n,
				 struct ingest **tmp)
{
	struct ingest_opts io = {
	    .skip_invalid = 1, .confidence = -1, .owner_org = a->req->caller.org_id};
	*tmp = NULL;
	if (n == 0) {
		if (!a->plain)
			a->plain = ingest_new(http_store(a->req), &io);
		return a->plain;
	}
	if (n == 1 && sh[0].kind == a->group_share.kind && sh[0].target == a->group_share.target) {
		if (!a->grouped) {
			io.shares = &a->group_share;
			io.n_shares = 1;
			a->grouped = ingest_new(http_store(a->req), &io);
		}
		return a->grouped;
	}
	io.shares = sh;
	io.n_shares = n;
	return *tmp = ingest_new(http_store(a->req), &io);
}

/* Checks and stores one element. Returns 0 (stored or listed as a
 * failure) or VB_ESTORE, which ends the request. */
static int add_one(struct add *a, const char *p, size_t len, size_t index)
{
	struct http_request *req = a->req;
	struct store *s = http_store(req);
	const struct taxii_binding *bind = &a->x->coll.bind;
	cJSON *o = cJSON_ParseWithLengthOpts(p, len, NULL, 0);
	struct vb_err e;
	vb_err_clear(&e);
	int rc = 0;
	if (!cJSON_IsObject(o) || !str_of(o, "id") || !str_of(o, "type")) {
		failure(a, cJSON_IsObject(o) ? o : NULL, index,
			"expected a STIX object with a type and an id");
		goto done;
	}
	if (stix_is_20(o) && stix_upgrade_20(o, &e)) {
		failure(a, o, index, "%s%s%s", e.pointer, e.pointer[0] ? ": " : "", e.msg);
		goto done;
	}
	if (stix_validate(o, &e) || stix_index_build(&a->ix, o, &e)) {
		failure(a, o, index, "%s%s%s", e.pointer, e.pointer[0] ? ": " : "", e.msg);
		goto done;
	}
	const char *id = a->ix.o.id;
	int level = a->ix.o.tlp;
	int64_t owner = 0;
	int prev_tlp = STORE_TLP_NONE;
	const struct store_ident_ops *ident = store_ident(s);
	rc = ident->object_owner(s, id, &owner, &prev_tlp);
	int exists = rc == 0;
	if (rc && rc != VB_ENOTFOUND)
		goto done;
	rc = 0;
	if (exists && owner != req->caller.org_id) {
		/* Said the same way whether or not the caller can see the object. */
		failure(a, o, index,
			"an object with this id was created by another organisation; only it may "
			"add versions");
		goto done;
	}
	/* The marking: the object's own, else the previous version's, else the
	 * organisation's default. */
	if (level == STORE_TLP_NONE && strcmp(a->ix.o.type, "marking-definition") != 0) {
		level = prev_tlp >= STORE_TLP_CLEAR ? prev_tlp : req->caller.org_default_tlp;
		if (level < STORE_TLP_CLEAR || level > STORE_TLP_RED)
			level = STORE_TLP_AMBER;
		cJSON *refs = cJSON_GetObjectItemCaseSensitive(o, "object_marking_refs");
		if (!refs)
			refs = cJSON_AddArrayToObject(o, "object_marking_refs");
		cJSON_AddItemToArray(refs, cJSON_CreateString(access_tlp_marking(level)));
	}
	int eff = level >= STORE_TLP_CLEAR ? level : req->caller.viewer.default_tlp;
	if (bind->tlp_max >= STORE_TLP_CLEAR && eff > bind->tlp_max) {
		failure(a, o, index, "marked TLP:%s, above this collection's ceiling TLP:%s",
			access_tlp_name(eff), access_tlp_name(bind->tlp_max));
		goto done;
	}
	/* Shares: the previous version's, and the collection's group. */
	struct store_share sh[MAX_SHARES + 1];
	size_t n_sh = 0;
	if (exists && (rc = ident->object_shares(s, id, sh, MAX_SHARES, &n_sh)) != 0)
		goto done;
	if (bind->group) {
		size_t k = 0;
		while (k < n_sh &&
		       !(sh[k].kind == STORE_SHARE_GROUP && sh[k].target == bind->group))
			k++;
		if (k == n_sh)
			sh[n_sh++] = a->group_share;
	}
	const char *why = NULL;
	if (access_check_shares(eff, sh, n_sh, req->caller.groups, req->caller.n_groups, &why)) {
		failure(a, o, index, "%s%s", why,
			bind->group ? " (this collection shares what is added with its group)"
				    : "");
		goto done;
	}
	struct ingest *tmp, *ig = ingest_for(a, sh, n_sh, &tmp);
	long before = ingest_rejected(ig);
	char ptr[40];
	snprintf(ptr, sizeof ptr, "/objects/%zu", index);
	struct ingest_pos pos = {0, 0, ptr};
	rc = ingest_emit(ig, o, &pos);
	long rejected = ingest_rejected(ig) - before;
	ingest_free(tmp);
	if (rc)
		goto done;
	if (rejected) {
		failure(a, o, index,
			"rejected by the import path (the same version twice in one envelope?)");
		goto done;
	}
	/* An object without a modified time (an SCO) is versioned by when it
	 * was added (taxii_read.c); this request's time stands for that. */
	char version[32];
	if (a->ix.o.modified != STORE_NO_TIME)
		taxii_time(a->ix.o.modified, version);
	else
		snprintf(version, sizeof version, "%s", a->request_time);
	detail(&a->ok, &a->n_ok, id, version, NULL);
done:
	cJSON_Delete(o);
	return rc;
}

int taxii_objects_add(struct http_request *req, struct http_response *res)
{
	struct taxii_ctx x;
	if (taxii_collection_for(req, res, TAXII_NEED_WRITE, &x) ||
	    http_query_allow(req, res, NULL))
		return 0;
	if (!http_media_type_is(req->content_type, TAXII_MEDIA))
		return http_error(req, res, 415, "send the envelope as " TAXII_MEDIA);
	if (req->body_len == 0)
		return http_error(req, res, 400,
				  "the request body is empty; send a TAXII envelope");
	struct taxii_span *spans;
	size_t n;
	struct taxii_envelope_err ee;
	if (taxii_envelope_split(req->body, req->body_len, TAXII_MAX_OBJECTS, &spans, &n, &ee))
		return http_error(req, res, ee.status, "%s (at byte %zu)", ee.msg, ee.pos);

	struct add a = {.req = req, .x = &x, .group_share = {STORE_SHARE_GROUP, x.coll.bind.group}};
	buf_init(&a.ok, TAXII_STATUS_MAX);
	buf_init(&a.bad, TAXII_STATUS_MAX);
	stix_index_init(&a.ix);
	struct store *s = http_store(req);
	char ts[32], uuid[37];
	int64_t now = time_now_us();
	taxii_time(now, ts);
	snprintf(a.request_time, sizeof a.request_time, "%s", ts);
	uuid_v4(uuid);
	int rc = store_begin(s);
	for (size_t i = 0; !rc && i < n; i++)
		rc = add_one(&a, req->body + spans[i].off, spans[i].len, i);
	free(spans);
	struct buf st;
	buf_init(&st, TAXII_STATUS_MAX);
	if (!rc) {
		buf_printf(&st,
			   "{\"id\":\"%s\",\"status\":\"complete\",\"request_timestamp\":\"%s\","
			   "\"total_count\":%zu,\"success_count\":%ld,\"successes\":[",
			   uuid, ts, n, a.n_ok);
		buf_add(&st, a.ok.p, a.ok.len);
		buf_printf(&st, "],\"failure_count\":%ld,\"failures\":[", a.n_bad);
		buf_add(&st, a.bad.p, a.bad.len);
		rc = buf_adds(&st, "],\"pending_count\":0,\"pendings\":[]}");
	}
	if (!rc) {
		struct taxii_status_rec r = {
		    .org = req->caller.org_id, .user = req->caller.user_id, .created = now};
		snprintf(r.id, sizeof r.id, "%s", uuid);
		snprintf(r.collection, sizeof r.collection, "%s", x.coll.id);
		rc = store_taxii(s)->status_put(s, &r, st.p, st.len);
	}
	if (!rc)
		rc = store_commit(s);
	if (rc)
		store_rollback(s);
	ingest_free(a.plain);
	ingest_free(a.grouped);
	stix_index_free(&a.ix);
	buf_free(&a.ok);
	buf_free(&a.bad);
	char audit[160];
	snprintf(audit, sizeof audit, "collection %s: %ld stored, %ld failed", x.coll.id,
		 rc ? 0 : a.n_ok, rc ? (long)n : a.n_bad);
	http_audit(req, "taxii.add", NULL, rc || a.n_bad ? "failed" : "ok", audit);
	if (rc) {
		buf_free(&st);
		return rc == VB_ENOMEM ? http_error(req, res, 413, "the status would be too large")
				       : rc;
	}
	http_reply(res, 202, TAXII_MEDIA, st.p, st.len);
	buf_free(&st);
	return 0;
}

/* ---- delete ---- */

struct del {
	struct taxii_versions ver;
	char **json; /* copies of the matching versions */
	size_t n, cap;
};

static int del_row(void *arg, const struct taxii_row *r)
{
	struct del *d = arg;
	const struct taxii_versions *v = &d->ver;
	int64_t mod = r->row->modified > 0 ? r->row->modified : r->row->added;
	int want = v->all || (v->last && r->last == 1) || (v->first && r->first == 1);
	for (size_t i = 0; !want && i < v->n_times; i++)
		want = v->times[i] == mod;
	if (!want)
		return 0;
	if (d->n == d->cap) {
		d->cap = d->cap ? d->cap * 2 : 8;
		d->json = xrealloc(d->json, d->cap * sizeof *d->json);
	}
	d->json[d->n++] = xstrndup(r->row->json, r->row->json_len);
	return 0;
}

int taxii_object_delete(struct http_request *req, struct http_response *res)
{
	static const char *const allowed[] = {"match[version]", "match[spec_version]", NULL};
	struct taxii_ctx x;
	if (taxii_collection_for(req, res, TAXII_NEED_WRITE, &x) ||
	    http_query_allow(req, res, allowed))
		return 0;
	const char *id = http_param(req, "object");
	struct del d = {0};
	size_t nv = http_query_count(req, "match[version]");
	for (size_t i = 0; i < nv; i++) {
		const char *why;
		if (taxii_versions_add(&d.ver, http_query_nth(req, "match[version]", i), &why))
			return http_error(req, res, 400, "%s", why);
	}
	if (!nv)
		d.ver.all = 1;
	const char *sv[TAXII_MATCH_MAX];
	int nsv = taxii_query_list(req, res, "match[spec_version]", sv, TAXII_MATCH_MAX);
	if (nsv < 0)
		return 0;
	int spec = nsv == 0;
	for (int i = 0; i < nsv; i++)
		spec |= strcmp(sv[i], "2.1") == 0;
	struct store *s = http_store(req);
	const char *ids[2] = {id, NULL};
	struct store_filter f = {.viewer = &req->caller.viewer, .ids = ids, .all_versions = 1};
	unsigned want = (d.ver.first ? TAXII_SCAN_FIRST : 0) | (d.ver.last ? TAXII_SCAN_LAST : 0);
	int rc = 0;
	if (spec && id && strlen(id) <= 256)
		rc = store_taxii(s)->scan(s, &f, &x.coll.bind, d.ver.all ? 0 : want, 0, NULL,
					  del_row, &d);
	if (!rc && d.n == 0)
		http_error(req, res, 404, HTTP_NOT_FOUND_DETAIL);
	int64_t owner = 0;
	int tlp;
	if (!rc && d.n) {
		rc = store_ident(s)->object_owner(s, id, &owner, &tlp);
		if (!rc && owner != req->caller.org_id) {
			/* The caller sees the object, so saying so reveals nothing. */
			http_audit(req, "access.denied", id, "denied",
				   "taxii delete: not the creator");
			http_error(req, res, 403,
				   "only the organisation that created this object may delete it");
			goto out;
		}
	}
	if (!rc && d.n) {
		struct stix_index ix;
		stix_index_init(&ix);
		rc = store_begin(s);
		for (size_t i = 0; !rc && i < d.n; i++) {
			cJSON *o = cJSON_Parse(d.json[i]);
			struct vb_err e;
			rc = o ? stix_index_build(&ix, o, &e) : VB_ESTORE;
			if (!rc)
				rc = store_taxii(s)->delete_version(s, &ix.o);
			cJSON_Delete(o);
		}
		if (!rc)
			rc = store_commit(s);
		if (rc)
			store_rollback(s);
		stix_index_free(&ix);
		char audit[160];
		snprintf(audit, sizeof audit, "collection %s: %zu version(s)", x.coll.id, d.n);
		http_audit(req, "taxii.delete", id, rc ? "failed" : "ok", audit);
		if (!rc)
			http_reply(res, 200, TAXII_MEDIA, "", 0);
	}
out:
	for (size_t i = 0; i < d.n; i++)
		free(d.json[i]);
	free(d.json);
	return rc == VB_ENOTFOUND ? http_error(req, res, 404, HTTP_NOT_FOUND_DETAIL) : rc;
}

/* ---- status ---- */

int taxii_status_get(struct http_request *req, struct http_response *res)
{
	if (taxii_root_check(req, res) || http_query_allow(req, res, NULL))
		return 0;
	const char *id = http_param(req, "status");
	struct store *s = http_store(req);
	char *json = NULL;
	size_t len = 0;
	int rc = id && strlen(id) < TAXII_ID_MAX
		     ? store_taxii(s)->status_get(s, id, req->caller.org_id, &json, &len)
		     : VB_ENOTFOUND;
	if (rc == VB_ENOTFOUND)
		return http_error(req, res, 404, "no such status");
	if (rc)
		return rc;
	http_reply(res, 200, TAXII_MEDIA, json, len);
	free(json);
	return 0;
}
