/*
 * rest.h: helpers shared by the REST route files (rest_*.c): body parsing,
 * share parameters, the one write path for objects, and list responses.
 * Private to src/http/.
 */
#ifndef VB_REST_H
#define VB_REST_H

#include "http.h"

#include <cjson/cJSON.h>

#define REST_LIST_DEFAULT 100
#define REST_LIST_MAX	  1000
#define REST_MAX_SHARES	  64

extern const char *const rest_json_types[]; /* "application/json", NULL */

/* Parses the body as JSON (depth-limited by cJSON). On failure writes 400
 * (with the byte offset of the error) or 400 for an empty body and returns
 * NULL. The caller frees the tree. */
cJSON *rest_parse_body(struct http_request *req, struct http_response *res);

/* Resolves every ?share= parameter (org:NAME, group:NAME, user:NAME) into
 * request memory. Returns 0, or writes 400 and returns VB_EUSAGE. */
int rest_shares(struct http_request *req, struct http_response *res, struct store_share **out,
		size_t *n);

enum rest_write_mode {
	REST_CREATE,  /* a new object (id must be free) */
	REST_VERSION, /* a new version of the object at id (creator only) */
	REST_REVOKE,  /* a new version with revoked: true (creator only) */
};

struct rest_write {
	enum rest_write_mode mode;
	const char *id;			  /* VERSION / REVOKE: the object's id */
	const struct store_share *shares; /* from ?share= */
	size_t n_shares;
	int shares_given;   /* else VERSION / REVOKE keep the previous shares */
	const char *action; /* audit action */
};

/*
 * The one write path for single objects: STIX 2.0 upgrade, the TLP marking
 * (the object's own, else the previous version's, else the organisation's
 * default, added to object_marking_refs), the share rules (access.h),
 * ownership, validation with the import validator (errors as 400 with a
 * JSON pointer), then ingest_emit in one transaction with the caller's
 * organisation as owner, and an audit record. obj is modified (ids,
 * timestamps, markings filled in). On success res holds 201 and the stored
 * object. Always returns 0 (errors are written into res) or a VB_E* code
 * for the server to map.
 */
int rest_write_object(struct http_request *req, struct http_response *res, cJSON *obj,
		      const struct rest_write *w);

/* The highest TLP level in obj's object_marking_refs (TLP 1.0 ids are
 * rewritten to TLP 2.0 in place), STORE_TLP_NONE without one, -2 when the
 * property is not a list of strings. */
int rest_marking_level(cJSON *obj);
/* Adds the TLP 2.0 marking of level to object_marking_refs. */
void rest_add_marking(cJSON *obj, int level);

/* Appends a list response: {"objects": [rows...], "more": bool, "next":
 * cursor-or-null}, used by every listing. */
struct rest_list {
	struct http_request *req;
	struct buf *out;
	const char *scope; /* cursor scope */
	long limit, n;
	int64_t last_seq;
	int more;
	/* Optional row filter: return 1 to include, 0 to skip. */
	int (*keep)(struct rest_list *l, const struct store_row *row);
	void *arg;
	long scanned, scan_cap; /* rows looked at; stop at scan_cap (0: no cap) */
};
void rest_list_begin(struct rest_list *l);
/* A store_row_fn: appends row (or skips it), stops after limit + 1. */
int rest_list_row(void *arg, const struct store_row *row);
/* Closes the array and adds more / next. */
int rest_list_end(struct rest_list *l);

/* Reads ?limit= and ?cursor= for a listing with the given scope; fills
 * *limit and *after_seq. Returns 0 or writes 400 and returns VB_EUSAGE. */
int rest_paging(struct http_request *req, struct http_response *res, const char *scope, long *limit,
		int64_t *after_seq);

/* A cursor scope string for this route and its query (minus cursor and
 * limit), so a cursor is only valid for the listing that issued it. */
const char *rest_scope(struct http_request *req);

/* Route handlers, one group per file. */
int rest_objects_create(struct http_request *req, struct http_response *res);
int rest_objects_list(struct http_request *req, struct http_response *res);
int rest_objects_get(struct http_request *req, struct http_response *res);
int rest_objects_versions(struct http_request *req, struct http_response *res);
int rest_objects_new_version(struct http_request *req, struct http_response *res);
int rest_objects_revoke(struct http_request *req, struct http_response *res);
int rest_objects_relationships(struct http_request *req, struct http_response *res);
int rest_sightings_create(struct http_request *req, struct http_response *res);
int rest_search(struct http_request *req, struct http_response *res);
int rest_stats(struct http_request *req, struct http_response *res);
int rest_export(struct http_request *req, struct http_response *res);
int rest_import(struct http_request *req, struct http_response *res);
int rest_openapi(struct http_request *req, struct http_response *res);
int rest_health(struct http_request *req, struct http_response *res);
int rest_login(struct http_request *req, struct http_response *res);
int rest_logout(struct http_request *req, struct http_response *res);
int rest_me(struct http_request *req, struct http_response *res);
int rest_orgs_list(struct http_request *req, struct http_response *res);
int rest_orgs_add(struct http_request *req, struct http_response *res);
int rest_orgs_remove(struct http_request *req, struct http_response *res);
int rest_users_list(struct http_request *req, struct http_response *res);
int rest_users_add(struct http_request *req, struct http_response *res);
int rest_users_remove(struct http_request *req, struct http_response *res);
int rest_users_password(struct http_request *req, struct http_response *res);
int rest_tokens_list(struct http_request *req, struct http_response *res);
int rest_tokens_create(struct http_request *req, struct http_response *res);
int rest_tokens_revoke(struct http_request *req, struct http_response *res);
int rest_groups_list(struct http_request *req, struct http_response *res);
int rest_groups_add(struct http_request *req, struct http_response *res);
int rest_groups_remove(struct http_request *req, struct http_response *res);
int rest_groups_grant(struct http_request *req, struct http_response *res);
int rest_groups_revoke(struct http_request *req, struct http_response *res);
int rest_audit(struct http_request *req, struct http_response *res);

#endif
