/*
 * rest.c: the REST API's route table (/api/v1) and the helpers its
 * handlers share: JSON bodies, ?share= parameters, cursor paging and list
 * responses. The handlers live in rest_objects.c, rest_write.c,
 * rest_query.c, rest_import.c, rest_admin.c and rest_openapi.c.
 */
#include "rest.h"
#include "../access/admin.h"
#include "../util/util.h"

#include <stdio.h>
#include <string.h>

const char *const rest_json_types[] = {"application/json", NULL};

/* ---- the table ---- */

#define LIST_QUERY                                                                                 \
	"limit|integer|page size, 1 to 1000 (default 100)\n"                                       \
	"cursor|string|the next value of the previous page\n"

#define SHARE_QUERY                                                                                \
	"share*|string|share with org:NAME, group:NAME (groups your organisation belongs to) "     \
	"or user:NAME (TLP:RED recipients)\n"

#define R(m, p, h, a, pm, ...)                                                                     \
	{                                                                                          \
		.method = m, .path = p, .handler = h, .auth = a, .perm = pm, __VA_ARGS__           \
	}

static const struct http_route rest_routes[] = {
    R(HTTP_GET, "/api/v1/health", rest_health, HTTP_AUTH_NONE, ACCESS_PERM_NONE,
      .summary = "Liveness check",
      .description = "Answers {\"status\": \"ok\"} while the server runs. Needs no credentials."),
    R(HTTP_GET, "/api/v1/openapi.json", rest_openapi, HTTP_AUTH_NONE, ACCESS_PERM_NONE,
      .summary = "This API's OpenAPI 3.0 description",
      .description = "Generated from the server's route tables, so it lists exactly the routes "
		     "that exist."),
    R(HTTP_POST, "/api/v1/login", rest_login, HTTP_AUTH_NONE, ACCESS_PERM_NONE, .max_body = 4096,
      .consumes = rest_json_types, .summary = "Password sign-in (starts a session)",
      .description = "Body {\"user\": NAME, \"password\": PASSWORD}. On success sets the "
		     "vb_session cookie (HttpOnly, SameSite=Strict, Secure under TLS) valid for "
		     "12 hours. Repeated failures from one address or for one user get 429."),
    R(HTTP_POST, "/api/v1/logout", rest_logout, HTTP_AUTH_USER, ACCESS_PERM_NONE,
      .summary = "End the session", .description = "Deletes the session and clears its cookie."),
    R(HTTP_GET, "/api/v1/me", rest_me, HTTP_AUTH_USER, ACCESS_PERM_NONE, .summary = "Who am I",
      .description = "The caller's user, organisation, role and sharing groups."),

    R(HTTP_POST, "/api/v1/objects", rest_objects_create, HTTP_AUTH_USER, ACCESS_PERM_WRITE,
      .max_body = HTTP_MAX_BODY_OBJECT, .consumes = rest_json_types, .query_doc = SHARE_QUERY,
      .summary = "Create an object",
      .description = "Body: one STIX 2.1 (or 2.0) object, validated exactly like an import. "
		     "The caller's organisation owns it. Without a TLP marking it gets the "
		     "organisation's default. An id that exists already is refused (409)."),
    R(HTTP_GET, "/api/v1/objects", rest_objects_list, HTTP_AUTH_OPTIONAL, ACCESS_PERM_READ,
      .query_doc = "type*|string|object type\n"
		   "label|string|label\n"
		   "marking|string|marking-definition id, or a TLP name (clear, green, amber, "
		   "amber+strict, red)\n"
		   "since|date-time|modified at or after\n" LIST_QUERY,
      .summary = "List objects",
      .description = "The latest version of every object the caller may see, in the order "
		     "they were stored, with cursor paging."),
    R(HTTP_GET, "/api/v1/objects/{id}", rest_objects_get, HTTP_AUTH_OPTIONAL, ACCESS_PERM_READ,
      .query_doc = "version|date-time|the version with this modified time (default: the latest)\n",
      .summary = "Get an object",
      .description = "The object itself. An object the caller may not see and one that does "
		     "not exist get the same 404."),
    R(HTTP_GET, "/api/v1/objects/{id}/versions", rest_objects_versions, HTTP_AUTH_OPTIONAL,
      ACCESS_PERM_READ, .summary = "List an object's versions",
      .description = "The modified times of the versions of the object the caller may see, "
		     "oldest first."),
    R(HTTP_POST, "/api/v1/objects/{id}/versions", rest_objects_new_version, HTTP_AUTH_USER,
      ACCESS_PERM_WRITE, .max_body = HTTP_MAX_BODY_OBJECT, .consumes = rest_json_types,
      .query_doc = SHARE_QUERY, .summary = "Add a version",
      .description = "Body: the new version of the object (modified later than the current "
		     "one; left out, it is set to now). Only the creating organisation may "
		     "add versions; without ?share= the previous version's shares and, "
		     "without a TLP marking, its marking are kept."),
    R(HTTP_POST, "/api/v1/objects/{id}/revoke", rest_objects_revoke, HTTP_AUTH_USER,
      ACCESS_PERM_WRITE, .summary = "Revoke an object",
      .description = "Stores a new version with revoked: true. Only the creating "
		     "organisation may revoke."),
    R(HTTP_GET, "/api/v1/objects/{id}/relationships", rest_objects_relationships,
      HTTP_AUTH_OPTIONAL, ACCESS_PERM_READ, .query_doc = LIST_QUERY,
      .summary = "Relationships and sightings of an object",
      .description = "The relationship and sighting objects the caller may see that refer "
		     "to the object; each referenced object is itself subject to the same "
		     "visibility when fetched."),

    R(HTTP_GET, "/api/v1/search", rest_search, HTTP_AUTH_OPTIONAL, ACCESS_PERM_READ,
      .query_doc = "value|string|an observable value (IP address, domain, URL, e-mail "
		   "address, hash)\n"
		   "kind|string|its kind (ipv4-addr, domain-name, file:SHA-256, ...); guessed "
		   "when left out\n"
		   "type*|string|object type\n"
		   "text|string|substring of name or description (case-insensitive; at most "
		   "20000 objects are looked at per page)\n"
		   "since|date-time|modified at or after\n"
		   "until|date-time|modified at or before\n" LIST_QUERY,
      .summary = "Search objects",
      .description = "By observable value (through the value index), type, text and time; "
		     "the filters combine."),
    R(HTTP_POST, "/api/v1/import", rest_import, HTTP_AUTH_USER, ACCESS_PERM_WRITE,
      .max_body = HTTP_MAX_BODY_IMPORT, .consumes = rest_json_types, .query_doc = SHARE_QUERY,
      .summary = "Bulk import",
      .description = "Body: a STIX bundle or a MISP event. One transaction through the same "
		     "path as `verbinding import`: any invalid object rejects the whole body. "
		     "Objects without a TLP marking get the organisation's default."),
    R(HTTP_GET, "/api/v1/export", rest_export, HTTP_AUTH_OPTIONAL, ACCESS_PERM_READ,
      .query_doc = "type*|string|object type\nsince|date-time|modified at or after\n",
      .summary = "Export a bundle",
      .description = "Streams a STIX bundle of everything the caller may see (latest "
		     "versions). Audited."),
    R(HTTP_POST, "/api/v1/sightings", rest_sightings_create, HTTP_AUTH_USER, ACCESS_PERM_SIGHT,
      .max_body = HTTP_MAX_BODY_OBJECT, .consumes = rest_json_types, .query_doc = SHARE_QUERY,
      .summary = "Report a sighting",
      .description = "Body: a STIX sighting (id, created and modified may be left out). "
		     "sighting_of_ref and the other refs must be objects the caller may see. "
		     "Under TLP:AMBER or RED without ?share=, it is shared with the "
		     "organisation that created the sighted object."),
    R(HTTP_GET, "/api/v1/stats", rest_stats, HTTP_AUTH_OPTIONAL, ACCESS_PERM_READ,
      .summary = "Counts",
      .description = "Objects and versions the caller may see, by type and by marking."),

    R(HTTP_GET, "/api/v1/orgs", rest_orgs_list, HTTP_AUTH_USER, ACCESS_PERM_READ,
      .summary = "List organisations",
      .description = "The directory of organisations of this instance (names are needed to "
		     "share)."),
    R(HTTP_POST, "/api/v1/orgs", rest_orgs_add, HTTP_AUTH_USER, ACCESS_PERM_ADMIN, .max_body = 4096,
      .consumes = rest_json_types, .summary = "Add an organisation",
      .description = "Body {\"name\", \"kind\", \"sector\", \"country\", \"default_tlp\"}. "
		     "Also stores the organisation's STIX identity."),
    R(HTTP_DELETE, "/api/v1/orgs/{name}", rest_orgs_remove, HTTP_AUTH_USER, ACCESS_PERM_ADMIN,
      .summary = "Remove an organisation",
      .description = "Removes it with its users, tokens and group memberships; its objects "
		     "stay."),
    R(HTTP_GET, "/api/v1/users", rest_users_list, HTTP_AUTH_USER, ACCESS_PERM_ADMIN,
      .query_doc = "org|string|only this organisation's users\n", .summary = "List users",
      .description = "Users with organisation and role."),
    R(HTTP_POST, "/api/v1/users", rest_users_add, HTTP_AUTH_USER, ACCESS_PERM_ADMIN,
      .max_body = 4096, .consumes = rest_json_types, .summary = "Add a user",
      .description = "Body {\"name\", \"org\", \"role\", \"password\" (optional)}."),
    R(HTTP_DELETE, "/api/v1/users/{name}", rest_users_remove, HTTP_AUTH_USER, ACCESS_PERM_ADMIN,
      .summary = "Remove a user",
      .description = "Removes the user with their tokens and sessions."),
    R(HTTP_POST, "/api/v1/users/{name}/password", rest_users_password, HTTP_AUTH_USER,
      ACCESS_PERM_NONE, .max_body = 4096, .consumes = rest_json_types, .summary = "Set a password",
      .description = "Body {\"password\"}. Admins for anyone, users for themselves; ends the "
		     "user's sessions."),
    R(HTTP_GET, "/api/v1/tokens", rest_tokens_list, HTTP_AUTH_USER, ACCESS_PERM_NONE,
      .query_doc = "user|string|(admins) this user's tokens; default: your own\n",
      .summary = "List API tokens",
      .description = "Prefix, label, expiry and state; never the "
		     "token."),
    R(HTTP_POST, "/api/v1/tokens", rest_tokens_create, HTTP_AUTH_USER, ACCESS_PERM_NONE,
      .max_body = 4096, .consumes = rest_json_types, .summary = "Create an API token",
      .description = "Body {\"label\", \"days\", \"user\" (admins only)}. The token is in the "
		     "answer once and never again."),
    R(HTTP_DELETE, "/api/v1/tokens/{id}", rest_tokens_revoke, HTTP_AUTH_USER, ACCESS_PERM_NONE,
      .summary = "Revoke an API token",
      .description = "By id or prefix; your own, or any for admins."),
    R(HTTP_GET, "/api/v1/groups", rest_groups_list, HTTP_AUTH_USER, ACCESS_PERM_READ,
      .summary = "List sharing groups",
      .description = "Admins see every group; others the groups their organisation belongs "
		     "to."),
    R(HTTP_POST, "/api/v1/groups", rest_groups_add, HTTP_AUTH_USER, ACCESS_PERM_ADMIN,
      .max_body = 4096, .consumes = rest_json_types, .summary = "Add a sharing group",
      .description = "Body {\"name\", \"description\"}."),
    R(HTTP_DELETE, "/api/v1/groups/{name}", rest_groups_remove, HTTP_AUTH_USER, ACCESS_PERM_ADMIN,
      .summary = "Remove a sharing group",
      .description = "Objects shared with it stay with their creator and other recipients."),
    R(HTTP_POST, "/api/v1/groups/{name}/members", rest_groups_grant, HTTP_AUTH_USER,
      ACCESS_PERM_ADMIN, .max_body = 4096, .consumes = rest_json_types,
      .summary = "Add a member organisation", .description = "Body {\"org\": NAME}."),
    R(HTTP_DELETE, "/api/v1/groups/{name}/members/{org}", rest_groups_revoke, HTTP_AUTH_USER,
      ACCESS_PERM_ADMIN, .summary = "Remove a member organisation",
      .description = "The organisation no longer sees what was shared with the group."),
    R(HTTP_GET, "/api/v1/audit", rest_audit, HTTP_AUTH_USER, ACCESS_PERM_ADMIN,
      .query_doc = "since|date-time|records at or after\norg|string|one organisation's "
		   "records\nlimit|integer|at most this many (default 1000)\n",
      .summary = "Read the audit log",
      .description = "Writes, logins, failed logins, denials and exports, oldest first."),
    {0},
};

const struct http_route_table http_rest_table = {
    .name = "rest",
    .prefix = "/api/v1",
    .routes = rest_routes,
    .error = http_rest_error,
    .www_authenticate = "Bearer realm=\"verbinding\"",
};

/* ---- helpers ---- */

cJSON *rest_parse_body(struct http_request *req, struct http_response *res)
{
	if (req->body_len == 0) {
		http_error(req, res, 400, "the request body is empty; send JSON");
		return NULL;
	}
	const char *end = NULL;
	cJSON *doc = cJSON_ParseWithLengthOpts(req->body, req->body_len, &end, 0);
	if (!doc) {
		long at = end ? (long)(end - req->body) : 0;
		http_error(req, res, 400, "malformed JSON near byte %ld", at);
		return NULL;
	}
	/* Trailing bytes other than white space are an error too. */
	for (const char *p = end; p && p < req->body + req->body_len; p++)
		if (!strchr(" \t\r\n", *p)) {
			cJSON_Delete(doc);
			http_error(req, res, 400,
				   "malformed JSON: text after the document at byte %ld",
				   (long)(p - req->body));
			return NULL;
		}
	return doc;
}

int rest_shares(struct http_request *req, struct http_response *res, struct store_share **out,
		size_t *n)
{
	size_t count = http_query_count(req, "share");
	*out = NULL;
	*n = 0;
	if (!count)
		return 0;
	if (count > REST_MAX_SHARES) {
		http_error(req, res, 400, "at most %d shares", REST_MAX_SHARES);
		return VB_EUSAGE;
	}
	struct store_share *sh = http_alloc(req, count * sizeof *sh);
	for (size_t i = 0; i < count; i++) {
		struct vb_err e;
		vb_err_clear(&e);
		if (admin_share_parse(req->store, http_query_nth(req, "share", i), &sh[*n], &e)) {
			http_error(req, res, e.code == VB_ESTORE ? 500 : 400, "%s", e.msg);
			return VB_EUSAGE;
		}
		/* Duplicates are harmless for the store but pointless. */
		size_t k = 0;
		while (k < *n && !(sh[k].kind == sh[*n].kind && sh[k].target == sh[*n].target))
			k++;
		if (k == *n)
			(*n)++;
	}
	*out = sh;
	return 0;
}

const char *rest_scope(struct http_request *req)
{
	struct buf b;
	buf_init(&b, 16384);
	buf_adds(&b, req->path);
	for (size_t i = 0; i < req->n_query; i++) {
		const struct http_param *q = &req->query[i];
		if (strcmp(q->key, "cursor") == 0 || strcmp(q->key, "limit") == 0)
			continue;
		buf_printf(&b, "&%s=%s", q->key, q->value);
	}
	char *s = http_strdup(req, b.p ? b.p : "");
	buf_free(&b);
	return s;
}

int rest_paging(struct http_request *req, struct http_response *res, const char *scope, long *limit,
		int64_t *after_seq)
{
	*after_seq = 0;
	if (http_query_long(req, res, "limit", 1, REST_LIST_MAX, REST_LIST_DEFAULT, limit))
		return VB_EUSAGE;
	if (http_query_count(req, "cursor") > 1) {
		http_error(req, res, 400, "query parameter 'cursor' given more than once");
		return VB_EUSAGE;
	}
	const char *c = http_query(req, "cursor");
	if (c && http_cursor_parse(req, scope, c, after_seq)) {
		http_error(req, res, 400,
			   "invalid cursor: use the 'next' value of the previous page of this "
			   "same listing, as the same user");
		return VB_EUSAGE;
	}
	return 0;
}

void rest_list_begin(struct rest_list *l)
{
	buf_reset(l->out);
	buf_adds(l->out, "{\"objects\":[");
	l->n = 0;
	l->more = 0;
	l->scanned = 0;
}

int rest_list_row(void *arg, const struct store_row *row)
{
	struct rest_list *l = arg;
	if (l->scan_cap && l->scanned >= l->scan_cap) {
		l->more = 1;
		return 1;
	}
	l->scanned++;
	if (l->keep && !l->keep(l, row)) {
		l->last_seq = row->seq;
		return 0;
	}
	if (l->n == l->limit) {
		l->more = 1; /* one more row exists: stop before it */
		return 1;
	}
	if (l->n && buf_addc(l->out, ','))
		return VB_ENOMEM;
	if (buf_add(l->out, row->json, row->json_len))
		return VB_ENOMEM;
	l->n++;
	l->last_seq = row->seq;
	return 0;
}

int rest_list_end(struct rest_list *l)
{
	buf_printf(l->out, "],\"more\":%s,\"next\":", l->more ? "true" : "false");
	if (l->more) {
		char c[HTTP_CURSOR_MAX];
		http_cursor_make(l->req, l->scope, l->last_seq, c);
		buf_printf(l->out, "\"%s\"", c);
	} else {
		buf_adds(l->out, "null");
	}
	return buf_addc(l->out, '}');
}
