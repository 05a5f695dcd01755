/*
 * taxii.c: the TAXII 2.1 route table (/taxii2), its error object, content
 * negotiation, and the small resources: discovery, the API root,
 * collections. The object listings are in taxii_read.c; add, delete and
 * status in taxii_write.c.
 *
 * Every error under /taxii2 (the server's own 401, 404, 405, 406, 413,
 * 415 included) is the specification's error object with content type
 * application/taxii+json;version=2.1. Its error_id is derived from the
 * status and description, not random, so equal errors are equal byte for
 * byte: an invisible object and a missing one cannot be told apart even
 * by the error's id.
 */
#include "taxii.h"
#include "../util/util.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

static const char *const taxii_types[] = {TAXII_MEDIA, NULL};

/* Key of the error ids (a fixed string, see above). */
#define TAXII_ERROR_NS "6d3c6f4e-2b1a-4f57-9a53-3f0d1b8f6a21"

/* ---- the table ---- */

#define LIST_QUERY                                                                                 \
	"added_after|date-time|only versions added after this time\n"                              \
	"limit|integer|page size, 1 to 1000 (default 100; larger values are lowered to 1000)\n"    \
	"next|string|the next value of the previous page\n"

#define MATCH_QUERY                                                                                \
	"match[id]*|string|object ids (comma-separated or repeated)\n"                             \
	"match[type]*|string|object types (comma-separated or repeated)\n"                         \
	"match[version]*|string|last (default), first, all or a timestamp; several allowed\n"      \
	"match[spec_version]*|string|STIX versions (2.1; 2.0 matches nothing)\n"

#define R(m, p, h, pm, ...)                                                                        \
	{                                                                                          \
		.method = m, .path = p, .handler = h, .auth = HTTP_AUTH_USER, .perm = pm,          \
		.produces = TAXII_MEDIA, __VA_ARGS__                                               \
	}

static const struct http_route taxii_routes[] = {
    R(HTTP_GET, "/taxii2/", taxii_discovery, ACCESS_PERM_READ, .summary = "TAXII discovery",
      .description = "The server's TAXII 2.1 discovery resource: its one API root."),
    R(HTTP_GET, "/taxii2/{root}/", taxii_api_root, ACCESS_PERM_READ, .summary = "TAXII API root",
      .description = "Versions and max_content_length (the largest add request)."),
    R(HTTP_GET, "/taxii2/{root}/collections/", taxii_collections, ACCESS_PERM_READ,
      .summary = "TAXII collections",
      .description = "The collections the caller's organisation may read or write."),
    R(HTTP_GET, "/taxii2/{root}/collections/{collection}/", taxii_collection, ACCESS_PERM_READ,
      .summary = "A TAXII collection",
      .description = "One collection; 404 when the caller's organisation has no rights on it."),
    R(HTTP_GET, "/taxii2/{root}/collections/{collection}/manifest/", taxii_manifest_get,
      ACCESS_PERM_READ, .query_doc = LIST_QUERY MATCH_QUERY, .summary = "TAXII manifest",
      .description = "id, date_added, version and media_type of the object versions the "
		     "caller may see in the collection, in the order they were added."),
    R(HTTP_GET, "/taxii2/{root}/collections/{collection}/objects/", taxii_objects_get,
      ACCESS_PERM_READ, .query_doc = LIST_QUERY MATCH_QUERY, .summary = "TAXII get objects",
      .description = "An envelope of the object versions the caller may see in the "
		     "collection, in the order they were added, with more/next paging and "
		     "X-TAXII-Date-Added-First/Last."),
    R(HTTP_POST, "/taxii2/{root}/collections/{collection}/objects/", taxii_objects_add,
      ACCESS_PERM_WRITE, .max_body = TAXII_MAX_CONTENT, .consumes = taxii_types,
      .summary = "TAXII add objects",
      .description = "Body: an envelope. Each object is validated and stored like an import, "
		     "owned by the caller's organisation, shared with the collection's group; "
		     "answers 202 with a status resource listing successes and failures."),
    R(HTTP_GET, "/taxii2/{root}/collections/{collection}/objects/{object}/", taxii_object_get,
      ACCESS_PERM_READ,
      .query_doc = LIST_QUERY "match[version]*|string|last (default), first, all or a "
			      "timestamp\nmatch[spec_version]*|string|STIX versions\n",
      .summary = "TAXII get an object",
      .description = "An envelope with the versions of one object the caller may see in the "
		     "collection; 404 for an invisible object exactly as for a missing one."),
    R(HTTP_DELETE, "/taxii2/{root}/collections/{collection}/objects/{object}/", taxii_object_delete,
      ACCESS_PERM_WRITE,
      .query_doc = "match[version]*|string|all (default), last, first or a timestamp\n"
		   "match[spec_version]*|string|STIX versions\n",
      .summary = "TAXII delete an object",
      .description = "Deletes the matching versions from the store; only the organisation that "
		     "created the object may, and it needs write rights on the collection."),
    R(HTTP_GET, "/taxii2/{root}/collections/{collection}/objects/{object}/versions/",
      taxii_versions_get, ACCESS_PERM_READ,
      .query_doc = LIST_QUERY "match[spec_version]*|string|STIX versions\n",
      .summary = "TAXII object versions",
      .description = "The versions of one object the caller may see in the collection."),
    R(HTTP_GET, "/taxii2/{root}/status/{status}/", taxii_status_get, ACCESS_PERM_READ,
      .summary = "TAXII status",
      .description = "The status resource of an add request made by the caller's "
		     "organisation."),
    {0},
};

/* The error object of TAXII 2.1 (section 3.6.1). */
static const char *error_code(int status)
{
	switch (status) {
	case 400:
		return "bad-request";
	case 401:
		return "unauthorized";
	case 403:
		return "forbidden";
	case 404:
		return "not-found";
	case 405:
		return "method-not-allowed";
	case 406:
		return "not-acceptable";
	case 413:
		return "payload-too-large";
	case 415:
		return "unsupported-media-type";
	case 422:
		return "unprocessable-entity";
	case 429:
		return "too-many-requests";
	default:
		return status >= 500 ? "server-error" : "error";
	}
}

static void taxii_error(struct http_request *req, struct http_response *res, int status,
			const char *title, const char *detail)
{
	(void)req;
	/* A name-based id: a keyed BLAKE2b of status and description laid out
	 * as a UUID (version 8, RFC 9562's custom layout). libsodium rather
	 * than uuid_v5 keeps OpenSSL's per-thread state off the server's
	 * threads. */
	char name[1200], uuid[37];
	unsigned char h[16];
	int n = snprintf(name, sizeof name, "%d|%s", status, detail ? detail : "");
	crypto_generichash(h, sizeof h, (const unsigned char *)name,
			   (size_t)(n < 0		   ? 0
				    : n < (int)sizeof name ? n
							   : (int)sizeof name - 1),
			   (const unsigned char *)TAXII_ERROR_NS, strlen(TAXII_ERROR_NS));
	h[6] = (unsigned char)((h[6] & 0x0f) | 0x80);
	h[8] = (unsigned char)((h[8] & 0x3f) | 0x80);
	snprintf(uuid, sizeof uuid,
		 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", h[0], h[1],
		 h[2], h[3], h[4], h[5], h[6], h[7], h[8], h[9], h[10], h[11], h[12], h[13], h[14],
		 h[15]);
	struct buf *b = &res->body;
	buf_reset(b);
	buf_adds(b, "{\"title\":");
	buf_add_json_str(b, title, strlen(title));
	if (detail) {
		buf_adds(b, ",\"description\":");
		buf_add_json_str(b, detail, strlen(detail));
	}
	buf_printf(b,
		   ",\"error_id\":\"%s\",\"error_code\":\"%s\",\"http_status\":\"%d\","
		   "\"external_details\":\"https://docs.oasis-open.org/cti/taxii/v2.1/"
		   "taxii-v2.1.html\",\"details\":{\"status\":%d}}",
		   uuid, error_code(status), status, status);
	res->content_type = TAXII_MEDIA;
}

/* Content negotiation: the caller must accept TAXII 2.1 (an absent Accept
 * header accepts anything). */
static int taxii_precheck(struct http_request *req, struct http_response *res)
{
	if (http_accepts(req, TAXII_MEDIA))
		return 0;
	http_error(req, res, 406,
		   "this server answers only in " TAXII_MEDIA "; send it in the Accept header");
	return 1;
}

const struct http_route_table http_taxii_table = {
    .name = "taxii",
    .prefix = "/taxii2",
    .routes = taxii_routes,
    .error = taxii_error,
    .www_authenticate = "Basic realm=\"verbinding TAXII\", Bearer realm=\"verbinding TAXII\"",
    .precheck = taxii_precheck,
};

/* ---- helpers ---- */

void taxii_time(int64_t us, char out[32])
{
	time_format(us, out);
}

int taxii_root_check(struct http_request *req, struct http_response *res)
{
	const char *root = http_param(req, "root");
	if (!root || strcmp(root, TAXII_ROOT) != 0) {
		http_error(req, res, 404, "no such API root");
		return VB_ENOTFOUND;
	}
	return 0;
}

int taxii_collection_for(struct http_request *req, struct http_response *res, unsigned need,
			 struct taxii_ctx *out)
{
	memset(out, 0, sizeof *out);
	if (taxii_root_check(req, res))
		return VB_ENOTFOUND;
	const char *id = http_param(req, "collection");
	struct store *s = http_store(req);
	const struct store_taxii_ops *tx = store_taxii(s);
	int rc =
	    id && strlen(id) < TAXII_ID_MAX ? tx->coll_get_id(s, id, &out->coll) : VB_ENOTFOUND;
	if (!rc)
		rc = tx->coll_rights(s, out->coll.id, req->caller.org_id, &out->can_read,
				     &out->can_write);
	if (rc == VB_ESTORE) {
		http_error(req, res, 500, "the store failed");
		return rc;
	}
	/* No rights at all: the collection does not exist for this caller. */
	if (rc || !req->caller.authenticated || (!out->can_read && !out->can_write)) {
		http_error(req, res, 404, "no such collection");
		return VB_ENOTFOUND;
	}
	if (((need & TAXII_NEED_READ) && !out->can_read) ||
	    ((need & TAXII_NEED_WRITE) && !out->can_write)) {
		const char *what =
		    (need & TAXII_NEED_WRITE) && !out->can_write ? "write to" : "read";
		http_audit(req, "access.denied", NULL, "denied", "taxii collection rights");
		http_error(req, res, 403, "your organisation may not %s this collection", what);
		return VB_EDENIED;
	}
	return 0;
}

int taxii_query_list(struct http_request *req, struct http_response *res, const char *key,
		     const char **out, int max)
{
	int n = 0;
	size_t count = http_query_count(req, key);
	for (size_t i = 0; i < count; i++) {
		int k = http_split_list(req, http_query_nth(req, key, i), out + n, max - n);
		if (k < 0) {
			http_error(req, res, 400, "%s: at most %d values", key, max);
			return -1;
		}
		n += k;
	}
	return n;
}

/* ---- discovery, API root, collections ---- */

static int reply(struct http_response *res, int status, const cJSON *doc)
{
	res->content_type = TAXII_MEDIA;
	return http_reply_json(res, status, doc);
}

int taxii_discovery(struct http_request *req, struct http_response *res)
{
	if (http_query_allow(req, res, NULL))
		return 0;
	/* Relative URLs: the server cannot know the scheme and host a client
	 * used (proxies), and must not trust the Host header to build them. */
	cJSON *d = cJSON_CreateObject();
	cJSON_AddStringToObject(d, "title", "verbinding TAXII 2.1");
	cJSON_AddStringToObject(
	    d, "description",
	    "STIX 2.1 threat intelligence, shared per organisation, sharing group "
	    "and TLP 2.0");
	cJSON_AddStringToObject(d, "default", "/taxii2/" TAXII_ROOT "/");
	cJSON *roots = cJSON_AddArrayToObject(d, "api_roots");
	cJSON_AddItemToArray(roots, cJSON_CreateString("/taxii2/" TAXII_ROOT "/"));
	int rc = reply(res, 200, d);
	cJSON_Delete(d);
	return rc;
}

int taxii_api_root(struct http_request *req, struct http_response *res)
{
	if (taxii_root_check(req, res) || http_query_allow(req, res, NULL))
		return 0;
	cJSON *d = cJSON_CreateObject();
	cJSON_AddStringToObject(d, "title", "verbinding");
	cJSON_AddStringToObject(
	    d, "description",
	    "Collections are views of the store bound to a sharing group and/or "
	    "a TLP ceiling");
	cJSON *v = cJSON_AddArrayToObject(d, "versions");
	cJSON_AddItemToArray(v, cJSON_CreateString(TAXII_MEDIA));
	cJSON_AddNumberToObject(d, "max_content_length", TAXII_MAX_CONTENT);
	int rc = reply(res, 200, d);
	cJSON_Delete(d);
	return rc;
}

static cJSON *collection_json(const struct taxii_collection *c, int can_read, int can_write)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "id", c->id);
	cJSON_AddStringToObject(o, "title", c->title);
	if (c->description[0])
		cJSON_AddStringToObject(o, "description", c->description);
	if (c->alias[0])
		cJSON_AddStringToObject(o, "alias", c->alias);
	cJSON_AddBoolToObject(o, "can_read", can_read);
	cJSON_AddBoolToObject(o, "can_write", can_write);
	cJSON *m = cJSON_AddArrayToObject(o, "media_types");
	cJSON_AddItemToArray(m, cJSON_CreateString(TAXII_STIX_MEDIA));
	return o;
}

struct coll_list {
	struct http_request *req;
	cJSON *arr;
};

static int coll_row(void *arg, const struct taxii_collection *c)
{
	struct coll_list *l = arg;
	struct store *s = http_store(l->req);
	int r, w;
	int rc = store_taxii(s)->coll_rights(s, c->id, l->req->caller.org_id, &r, &w);
	if (rc)
		return rc;
	if (r || w)
		cJSON_AddItemToArray(l->arr, collection_json(c, r, w));
	return 0;
}

int taxii_collections(struct http_request *req, struct http_response *res)
{
	if (taxii_root_check(req, res) || http_query_allow(req, res, NULL))
		return 0;
	struct coll_list l = {req, cJSON_CreateArray()};
	struct store *s = http_store(req);
	int rc = store_taxii(s)->coll_list(s, coll_row, &l);
	if (rc) {
		cJSON_Delete(l.arr);
		return rc;
	}
	cJSON *d = cJSON_CreateObject();
	if (cJSON_GetArraySize(l.arr) > 0)
		cJSON_AddItemToObject(d, "collections", l.arr);
	else
		cJSON_Delete(l.arr);
	rc = reply(res, 200, d);
	cJSON_Delete(d);
	return rc;
}

int taxii_collection(struct http_request *req, struct http_response *res)
{
	struct taxii_ctx x;
	if (taxii_collection_for(req, res, 0, &x) || http_query_allow(req, res, NULL))
		return 0;
	cJSON *d = collection_json(&x.coll, x.can_read, x.can_write);
	int rc = reply(res, 200, d);
	cJSON_Delete(d);
	return rc;
}
