/*
 * taxii_read.c: the TAXII listings: get objects, the manifest, get an
 * object and an object's versions. One engine serves all four: it reads
 * the filters (added_after, limit, next, match[...]), runs a collection
 * scan (store_taxii.h: the viewer's visibility AND the collection's
 * binding) in the order versions were added, and writes the page with
 * more/next and the X-TAXII-Date-Added-First/Last headers.
 *
 * Paging: next is an opaque cursor (http_cursor_make) for "after this
 * seq", bound to the caller and to scope "taxii:<collection>:<listing>"
 * (and the object id for per-object listings); another user's cursor, or
 * one from another listing, is a 400. A page ends at limit objects, at
 * TAXII_PAGE_BYTES of body, or after TAXII_SCAN_ROWS rows looked at (a
 * sparse collection in a large store): each of these sets more and next.
 */
#include "taxii.h"
#include "../util/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum list_kind { LIST_OBJECTS, LIST_MANIFEST, LIST_OBJECT, LIST_VERSIONS };

/* list_row's "page full" return; distinct from TAXII_SCAN_CAPPED. */
#define LIST_FULL 2
_Static_assert(LIST_FULL != TAXII_SCAN_CAPPED, "distinct scan stops");

static const char *const kind_name[] = {"objects", "manifest", "object", "versions"};

struct lister {
	struct http_request *req;
	struct buf *out;
	enum list_kind kind;
	struct taxii_versions ver;
	long limit, n;
	int more;
	int64_t first_added, last_added, last_seq;
};

/* The version string of a row: its modified time, or for objects without
 * one (SCOs) the time the version was added. */
static void row_version(const struct store_row *row, char out[32])
{
	taxii_time(row->modified > 0 ? row->modified : row->added, out);
}

static int version_wanted(const struct taxii_versions *v, const struct taxii_row *r)
{
	if (v->all)
		return 1;
	if (v->last && r->last == 1)
		return 1;
	if (v->first && r->first == 1)
		return 1;
	int64_t mod = r->row->modified > 0 ? r->row->modified : r->row->added;
	for (size_t i = 0; i < v->n_times; i++)
		if (v->times[i] == mod)
			return 1;
	return 0;
}

static int list_row(void *arg, const struct taxii_row *r)
{
	struct lister *l = arg;
	const struct store_row *row = r->row;
	if (!version_wanted(&l->ver, r))
		return 0;
	if (l->n == l->limit || (l->n > 0 && l->out->len + row->json_len > TAXII_PAGE_BYTES)) {
		l->more = 1;
		return LIST_FULL;
	}
	char t[32];
	struct buf *b = l->out;
	int rc = l->n ? buf_addc(b, ',') : 0;
	switch (l->kind) {
	case LIST_OBJECTS:
	case LIST_OBJECT:
		if (!rc)
			rc = buf_add(b, row->json, row->json_len);
		break;
	case LIST_MANIFEST:
		if (!rc)
			rc = buf_adds(b, "{\"id\":");
		if (!rc)
			rc = buf_add_json_str(b, row->id, strlen(row->id));
		taxii_time(row->added, t);
		if (!rc)
			rc = buf_printf(b, ",\"date_added\":\"%s\"", t);
		row_version(row, t);
		if (!rc)
			rc = buf_printf(
			    b, ",\"version\":\"%s\",\"media_type\":\"" TAXII_STIX_MEDIA "\"}", t);
		break;
	case LIST_VERSIONS:
		row_version(row, t);
		if (!rc)
			rc = buf_printf(b, "\"%s\"", t);
		break;
	}
	if (rc)
		return rc;
	if (!l->n)
		l->first_added = row->added;
	l->last_added = row->added;
	l->last_seq = row->seq;
	l->n++;
	return 0;
}

/* Stops at the first row (for the existence check of per-object listings). */
static int any_row(void *arg, const struct taxii_row *r)
{
	(void)r;
	*(int *)arg = 1;
	return 1;
}

/* Reads match[spec_version]: returns 1 when STIX 2.1 is asked for (or
 * nothing is: the latest version is the default), 0 when only other
 * versions are, -1 after writing a 400. Objects are stored as 2.1. */
static int spec_version_wanted(struct http_request *req, struct http_response *res)
{
	const char *v[TAXII_MATCH_MAX];
	int n = taxii_query_list(req, res, "match[spec_version]", v, TAXII_MATCH_MAX);
	if (n < 0)
		return -1;
	if (n == 0)
		return 1;
	int want = 0;
	for (int i = 0; i < n; i++) {
		const char *s = v[i];
		if (!(strlen(s) == 3 && s[0] >= '0' && s[0] <= '9' && s[1] == '.' && s[2] >= '0' &&
		      s[2] <= '9')) {
			http_error(req, res, 400,
				   "match[spec_version]: expected versions such as 2.1 or 2.0");
			return -1;
		}
		want |= strcmp(s, "2.1") == 0;
	}
	return want;
}

static int list(struct http_request *req, struct http_response *res, enum list_kind kind)
{
	static const char *const allowed[][9] = {
	    [LIST_OBJECTS] = {"added_after", "limit", "next", "match[id]", "match[type]",
			      "match[version]", "match[spec_version]", NULL},
	    [LIST_MANIFEST] = {"added_after", "limit", "next", "match[id]", "match[type]",
			       "match[version]", "match[spec_version]", NULL},
	    [LIST_OBJECT] = {"added_after", "limit", "next", "match[version]",
			     "match[spec_version]", NULL},
	    [LIST_VERSIONS] = {"added_after", "limit", "next", "match[spec_version]", NULL},
	};
	struct taxii_ctx x;
	if (taxii_collection_for(req, res, TAXII_NEED_READ, &x))
		return 0;
	if (http_query_allow(req, res, allowed[kind]))
		return 0;
	const char *object_id = NULL;
	if (kind == LIST_OBJECT || kind == LIST_VERSIONS) {
		object_id = http_param(req, "object");
		if (!object_id || strlen(object_id) > 256)
			return http_error(req, res, 404, HTTP_NOT_FOUND_DETAIL);
	}
	struct lister l = {.req = req, .out = &res->body, .kind = kind};
	struct store_filter f = {.viewer = &req->caller.viewer, .all_versions = 1};
	long limit;
	if (http_query_long(req, res, "limit", 1, 1000000000L, TAXII_LIMIT_DEFAULT, &limit) ||
	    http_query_time(req, res, "added_after", 0, &f.added_after))
		return 0;
	l.limit = limit > TAXII_LIMIT_MAX ? TAXII_LIMIT_MAX : limit;
	char scope[TAXII_ID_MAX + 320];
	snprintf(scope, sizeof scope, "taxii:%s:%s%s%s", x.coll.id, kind_name[kind],
		 object_id ? ":" : "", object_id ? object_id : "");
	if (http_query_count(req, "next") > 1)
		return http_error(req, res, 400, "query parameter 'next' given more than once");
	const char *next = http_query(req, "next");
	if (next && http_cursor_parse(req, scope, next, &f.after_seq))
		return http_error(req, res, 400,
				  "the next value is not valid here: use the one this listing "
				  "returned, unchanged");
	int spec = spec_version_wanted(req, res);
	if (spec < 0)
		return 0;
	/* Filters. */
	const char **ids = NULL, **types = NULL;
	if (kind == LIST_OBJECTS || kind == LIST_MANIFEST) {
		ids = http_alloc(req, (TAXII_MATCH_MAX + 1) * sizeof *ids);
		types = http_alloc(req, (TAXII_MATCH_MAX + 1) * sizeof *types);
		int ni = taxii_query_list(req, res, "match[id]", ids, TAXII_MATCH_MAX);
		int nt =
		    ni < 0 ? -1 : taxii_query_list(req, res, "match[type]", types, TAXII_MATCH_MAX);
		if (ni < 0 || nt < 0)
			return 0;
		ids[ni] = types[nt] = NULL;
		f.ids = ni ? ids : NULL;
		f.types = nt ? types : NULL;
	} else {
		ids = http_alloc(req, 2 * sizeof *ids);
		ids[0] = object_id;
		ids[1] = NULL;
		f.ids = ids;
	}
	if (kind == LIST_VERSIONS) {
		l.ver.all = 1;
	} else {
		size_t nv = http_query_count(req, "match[version]");
		for (size_t i = 0; i < nv; i++) {
			const char *why;
			if (taxii_versions_add(&l.ver, http_query_nth(req, "match[version]", i),
					       &why))
				return http_error(req, res, 400, "%s", why);
		}
		if (!nv)
			l.ver.last = 1;
	}
	unsigned want = (l.ver.first ? TAXII_SCAN_FIRST : 0) | (l.ver.last ? TAXII_SCAN_LAST : 0);
	if (l.ver.all)
		want = 0;

	/* The page. */
	struct store *s = http_store(req);
	const struct store_taxii_ops *tx = store_taxii(s);
	buf_reset(&res->body);
	buf_adds(&res->body, "[");
	int64_t scanned_to = 0;
	int rc = 0;
	if (spec)
		rc =
		    tx->scan(s, &f, &x.coll.bind, want, TAXII_SCAN_ROWS, &scanned_to, list_row, &l);
	if (rc == TAXII_SCAN_CAPPED) {
		/* Nothing more was looked at: the next page resumes after the last
		 * row looked at, whether or not it was listed. */
		l.more = 1;
		l.last_seq = scanned_to;
		rc = 0;
	} else if (rc == LIST_FULL) {
		rc = 0;
	}
	if (rc)
		return rc;
	if (l.n == 0 && !l.more && object_id) {
		/* Per-object listings: 404 unless the caller sees some version of
		 * the object in this collection (filters aside). */
		int exists = 0;
		struct store_filter g = {
		    .viewer = &req->caller.viewer, .ids = f.ids, .all_versions = 1};
		rc = tx->scan(s, &g, &x.coll.bind, 0, 0, NULL, any_row, &exists);
		if (rc < 0)
			return rc;
		rc = 0;
		if (!exists)
			return http_error(req, res, 404, HTTP_NOT_FOUND_DETAIL);
	}
	/* Wrap the items into the resource. */
	struct buf items = res->body;
	buf_init(&res->body, HTTP_MAX_RESPONSE);
	struct buf *b = &res->body;
	char cursor[HTTP_CURSOR_MAX] = "";
	if (l.more)
		http_cursor_make(req, scope, l.last_seq, cursor);
	if (l.n == 0 && !l.more) {
		buf_adds(b, "{}");
	} else {
		buf_printf(b, "{\"more\":%s", l.more ? "true" : "false");
		if (l.more)
			buf_printf(b, ",\"next\":\"%s\"", cursor);
		if (l.n) {
			buf_adds(b, kind == LIST_VERSIONS ? ",\"versions\":" : ",\"objects\":");
			buf_add(b, items.p, items.len);
			buf_addc(b, ']');
		}
		rc = buf_addc(b, '}');
	}
	buf_free(&items);
	if (rc)
		return VB_ENOMEM;
	if (l.n) {
		char t[32];
		taxii_time(l.first_added, t);
		http_header_add(req, res, "X-TAXII-Date-Added-First", t);
		taxii_time(l.last_added, t);
		http_header_add(req, res, "X-TAXII-Date-Added-Last", t);
	}
	res->status = 200;
	res->content_type = TAXII_MEDIA;
	return 0;
}

int taxii_objects_get(struct http_request *req, struct http_response *res)
{
	return list(req, res, LIST_OBJECTS);
}

int taxii_manifest_get(struct http_request *req, struct http_response *res)
{
	return list(req, res, LIST_MANIFEST);
}

int taxii_object_get(struct http_request *req, struct http_response *res)
{
	return list(req, res, LIST_OBJECT);
}

int taxii_versions_get(struct http_request *req, struct http_response *res)
{
	return list(req, res, LIST_VERSIONS);
}
