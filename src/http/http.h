/*
 * http.h: the HTTP layer's interface, for route authors (REST in rest_*.c,
 * TAXII 2.1 in taxii_*.c) and for the server core (http_server.c).
 *
 * The server (libmicrohttpd underneath; nothing here names it) does, for
 * every request and in this order, before any handler runs:
 *   1. parses the request target itself (http_parse_target): the path is
 *      split into segments, each percent-decoded; a segment that decodes to
 *      "", ".", "..", or holds '/', NUL or a control character is a 400; the
 *      query is decoded into key/value pairs, repeated keys kept in order;
 *   2. finds the route (http_route_find): unknown path 404, known path with
 *      another method 405, both in the error shape of the table whose prefix
 *      the path falls under;
 *   3. authenticates (Bearer token, session cookie, or HTTP Basic with a
 *      user name and a password or an API token) and applies the rate
 *      limiter: repeated failures from one address or for one user give 429
 *      with Retry-After; a route with HTTP_AUTH_USER and no credentials gives
 *      401 with the table's WWW-Authenticate challenge; a role that lacks
 *      route->perm gives 403 (audited);
 *   4. runs the table's precheck (e.g. TAXII Accept negotiation, 406);
 *   5. checks Content-Type against route->consumes (415) and the declared
 *      Content-Length against route->max_body (413) BEFORE reading the body,
 *      then reads the body, cutting it off with 413 the moment the received
 *      bytes pass the limit (chunked uploads included);
 *   6. calls the handler with a complete request and an empty response.
 * Afterwards it adds the security headers (nosniff everywhere; CSP with
 * frame-ancestors 'none' on HTML), sends, and writes one JSON access-log
 * line to stderr (no query string, no credentials, control characters
 * escaped).
 *
 * Reads: every store read a handler makes passes &req->caller.viewer (or a
 * viewer derived from it); there is no other viewer in the server.
 * Writes: go through ingest_new/ingest_emit or ingest_file with the
 * caller's organisation as owner, after the checks in src/access/access.h.
 *
 * Threads: several requests run at once on different threads. Each request
 * holds its own store connection (req->store, http_store(req)) from a pool,
 * for its whole life, streaming included: never share it, never keep it.
 *
 * Memory: everything reachable from a struct http_request (path, query,
 * params, body, header values, http_alloc results) lives until the response
 * has been sent; handlers free nothing of it. The response body is a
 * struct buf with a maximum the server owns and frees.
 */
#ifndef VB_HTTP_H
#define VB_HTTP_H

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdint.h>

#include "../access/access.h"
#include "../store/store.h"
#include "../util/buf.h"

/* ---- limits --------------------------------------------------------------- */

#define HTTP_MAX_TARGET	       8192	   /* request target (path + query) bytes */
#define HTTP_MAX_SEGMENTS      32	   /* path segments */
#define HTTP_MAX_QUERY_PARAMS  64	   /* key=value pairs in the query */
#define HTTP_MAX_PATH_PARAMS   8	   /* {name} parameters in one pattern */
#define HTTP_MAX_EXTRA_HEADERS 16	   /* headers a handler may add */
#define HTTP_MAX_HEADER_BYTES  (16u << 10) /* all request headers of a request */
#define HTTP_MAX_BODY_OBJECT   (4u << 20)  /* default body limit: one object */
#define HTTP_MAX_BODY_IMPORT   (64u << 20) /* bulk import, TAXII add objects */
#define HTTP_MAX_RESPONSE      (64u << 20) /* a buffered response body; stream larger */
#define HTTP_CURSOR_MAX	       160	   /* bytes of an encoded cursor, NUL included */
#define HTTP_NAME_MAX	       128	   /* user and organisation names, NUL included */

/* ---- methods, authentication ---------------------------------------------- */

enum http_method {
	HTTP_GET = 1 << 0,
	HTTP_HEAD = 1 << 1, /* served by the GET route of the same path, body dropped */
	HTTP_POST = 1 << 2,
	HTTP_PUT = 1 << 3,
	HTTP_DELETE = 1 << 4,
	HTTP_PATCH = 1 << 5,
	HTTP_OPTIONS = 1 << 6,
};
/* "GET", "POST", ... of one method bit. */
const char *http_method_name(enum http_method m);

enum http_auth {
	HTTP_AUTH_NONE = 0, /* no credentials looked at: health, openapi.json, login */
	HTTP_AUTH_OPTIONAL, /* credentials used when given (and must then be valid);
			       without them: anonymous (viewer sees CLEAR objects) when the
			       server runs with --public, else 401 */
	HTTP_AUTH_USER,	    /* an authenticated user is required (401 otherwise) */
};

enum http_cred {
	HTTP_CRED_NONE = 0,
	HTTP_CRED_TOKEN,   /* Authorization: Bearer vb_... */
	HTTP_CRED_SESSION, /* Cookie: vb_session=... (password login) */
	HTTP_CRED_BASIC,   /* Authorization: Basic user:password or user:vb_token */
};

/* The authenticated caller, filled by the server before the handler runs. */
struct http_caller {
	int authenticated; /* 0: anonymous (only on NONE/OPTIONAL routes) */
	enum http_cred cred;
	int64_t user_id, org_id; /* 0 when anonymous */
	int role;		 /* enum access_role; ACCESS_ROLE_READ_ONLY when anonymous */
	char user[HTTP_NAME_MAX], org[HTTP_NAME_MAX];
	int org_default_tlp;   /* enum store_tlp: the organisation's default marking */
	const int64_t *groups; /* sharing groups the organisation belongs to (sorted) */
	size_t n_groups;
	/* Ready for reads: pass &req->caller.viewer to store_get/scan/stats. */
	struct store_viewer viewer;
};

/* ---- requests ------------------------------------------------------------- */

struct http_param {
	const char *key, *value; /* decoded, NUL-terminated; value "" for "?flag" */
};

struct http_route;
struct http_route_table;
struct http_response;
struct http_server;

struct http_request {
	enum http_method method;
	const char *path;		/* decoded, without the query; "/" at least */
	const struct http_param *query; /* in request order, repeated keys kept */
	size_t n_query;
	const struct http_param *params; /* {name} values of the matched pattern */
	size_t n_params;
	const char *body;	  /* NUL-terminated (the NUL is not counted); "" when none */
	size_t body_len;	  /* at most route->max_body */
	const char *content_type; /* the Content-Type header, or NULL */
	char remote[64];	  /* peer address without port, e.g. "127.0.0.1" */
	struct http_caller caller;
	const struct http_route *route;
	const struct http_route_table *table;
	struct store *store; /* this request's own store connection */
	struct http_server *server;
	void *priv; /* the server's; do not touch */
};

/* The first value of query key, or NULL when absent. */
const char *http_query(const struct http_request *req, const char *key);
/* How often key appears, and its n-th value (0-based; NULL past the end):
 * `?match[type]=a&match[type]=b` or `?type=a&type=b`. Comma-separated lists
 * inside one value are the route's business (see http_split_list). */
size_t http_query_count(const struct http_request *req, const char *key);
const char *http_query_nth(const struct http_request *req, const char *key, size_t n);
/* The value of a {name} path parameter, or NULL. */
const char *http_param(const struct http_request *req, const char *name);
/* A request header by name (case-insensitive), or NULL. Authorization and
 * Cookie are readable here but must never be logged or echoed. */
const char *http_header(const struct http_request *req, const char *name);
/* This request's store connection (the same as req->store). */
struct store *http_store(struct http_request *req);
/* Memory that lives as long as the request (never NULL; aborts on OOM). */
void *http_alloc(struct http_request *req, size_t n);
char *http_strdup(struct http_request *req, const char *s);

/*
 * Query validation helpers. Each returns 0 when fine; otherwise it has
 * already written a 400 error into res and returns VB_EUSAGE, so a handler
 * writes `if (http_query_allow(req, res, allowed)) return 0;`.
 */
/* Refuses any query key not in allowed (NULL-terminated). */
int http_query_allow(struct http_request *req, struct http_response *res,
		     const char *const *allowed);
/* Optional integer in [lo, hi]; *out = dflt when absent; repeated key is a 400. */
int http_query_long(struct http_request *req, struct http_response *res, const char *key, long lo,
		    long hi, long dflt, long *out);
/* Optional RFC 3339 time (or a date) in microseconds; *out = dflt when absent. */
int http_query_time(struct http_request *req, struct http_response *res, const char *key,
		    int64_t dflt, int64_t *out);
/* Splits s on commas into at most max non-empty parts (request memory).
 * Returns the count, or -1 when there are more than max. */
int http_split_list(struct http_request *req, const char *s, const char **out, int max);

/* 1 when the Accept header admits media_type ("application/taxii+json;
 * version=2.1"): an entry with the same type and subtype whose parameters
 * match, or a wildcard entry; an absent Accept header admits everything. */
int http_accepts(const struct http_request *req, const char *media_type);
/* 1 when content type ct (a header value) is media_type with the
 * parameters media_type names (case-insensitive, spaces ignored). */
int http_media_type_is(const char *ct, const char *media_type);

/* ---- responses ------------------------------------------------------------ */

/* A streamed body: called repeatedly after the headers are sent; appends the
 * next part to out (which is empty on each call and holds at most 1 MiB) and
 * returns 1 when more follows, 0 when this was the last part, or a negative
 * code on failure (the connection is then closed: the status is already out,
 * so the client sees a truncated body). Runs on the request's thread with
 * req->store still held. free (may be NULL) releases arg once at the end,
 * whether or not the stream finished. */
typedef int (*http_stream_fn)(void *arg, struct buf *out);

struct http_response {
	int status;		  /* 200 unless set */
	const char *content_type; /* static or request memory; default application/json */
	struct buf body;	  /* a buffered body, max HTTP_MAX_RESPONSE */
	struct {
		const char *name, *value;
	} headers[HTTP_MAX_EXTRA_HEADERS];
	size_t n_headers;
	http_stream_fn stream; /* when set, body is ignored */
	void *stream_arg;
	void (*stream_free)(void *arg);
};

/* Adds a response header (copied). Refuses names or values holding CR, LF or
 * other control characters, and security headers the server owns, with
 * VB_EUSAGE; VB_ENOMEM when HTTP_MAX_EXTRA_HEADERS are used. */
int http_header_add(struct http_request *req, struct http_response *res, const char *name,
		    const char *value);
/* Sets status and writes doc (compact) as the body; content type
 * application/json unless one is set already. Returns 0 or VB_ENOMEM. */
int http_reply_json(struct http_response *res, int status, const cJSON *doc);
/* Sets status, content type and a copy of n bytes as the body. */
int http_reply(struct http_response *res, int status, const char *content_type, const char *p,
	       size_t n);

/* ---- errors: one place maps codes to statuses, one shape per table --------- */

/* Writes an error response: status, a title from the status, the detail
 * (printf format). The body shape is the matched table's (req->table->error),
 * the REST shape {"error": {"status": N, "title": "...", "detail": "..."}}
 * otherwise. Always returns 0, so handlers `return http_error(...)`. The
 * detail is for the caller: never put secrets, SQL or other organisations'
 * data in it; for an object the caller may not see, say exactly what you say
 * for a missing one (see HTTP_NOT_FOUND_DETAIL). */
int http_error(struct http_request *req, struct http_response *res, int status, const char *fmt,
	       ...) __attribute__((format(printf, 4, 5)));
/* The same with the status derived from a VB_E* code (http_status_of). */
int http_error_code(struct http_request *req, struct http_response *res, int code, const char *fmt,
		    ...) __attribute__((format(printf, 4, 5)));
/* The one mapping of VB_E* codes to statuses: EUSAGE 400, EINPUT 400,
 * ENOTFOUND 404, EDENIED 403, ECONFLICT 409, ENOMEM 413, others 500. */
int http_status_of(int code);
/* "Not Found", "Too Many Requests", ... ("Error" for unknown statuses). */
const char *http_status_title(int status);
#define HTTP_NOT_FOUND_DETAIL "no such object"

/* An error-body writer: a table's own error object. Fills res->body and
 * res->content_type for status/title/detail (detail may be NULL). The server
 * sets res->status. REST uses http_rest_error; TAXII writes its spec's
 * error object with content type application/taxii+json;version=2.1. */
typedef void (*http_error_fn)(struct http_request *req, struct http_response *res, int status,
			      const char *title, const char *detail);
void http_rest_error(struct http_request *req, struct http_response *res, int status,
		     const char *title, const char *detail);

/* ---- routes --------------------------------------------------------------- */

/* A handler: fills res and returns 0 (also after http_error), or returns a
 * VB_E* code and the server writes the error for that code with a generic
 * detail. It must not keep pointers into req after it returns, except
 * through res->stream_arg. */
typedef int (*http_handler)(struct http_request *req, struct http_response *res);

struct http_route {
	enum http_method method; /* one method; a GET route also answers HEAD */
	/* Absolute path pattern: literal segments and {name} segments, each
	 * {name} matching exactly one non-empty segment ("/api/v1/objects/{id}",
	 * "/taxii2/{root}/collections/{collection}/objects/"). A trailing '/'
	 * in the pattern or the request is not significant. Literal segments
	 * win over {name} segments when both match. */
	const char *path;
	http_handler handler;
	enum http_auth auth;
	enum access_perm perm; /* role permission checked after authentication */
	/* Body: 0 means the route takes none (any body is a 413); otherwise
	 * the limit in bytes. consumes lists accepted Content-Type media types
	 * (NULL-terminated; NULL with max_body > 0 accepts any type). */
	size_t max_body;
	const char *const *consumes;
	/* OpenAPI: generated into /api/v1/openapi.json from the tables. */
	const char *summary;	 /* one line */
	const char *description; /* a paragraph */
	/* Query parameters, one per line: "name|type|description", type one of
	 * string, integer, boolean, date-time; "name*" marks it repeatable.
	 * NULL when the route takes none. */
	const char *query_doc;
	const char *produces; /* response media type; NULL: application/json */
	/* Audit: the action recorded for a successful call of a writing route
	 * ("object.create", "taxii.add"), or NULL when the handler audits itself
	 * or the route only reads. */
	const char *audit_action;
};

/* A group of routes under one prefix with one error shape. */
struct http_route_table {
	const char *name; /* "rest", "taxii" */
	/* "/api/v1", "/taxii2": unmatched paths under it get this table's errors */
	const char *prefix;
	const struct http_route *routes; /* ends with an entry whose path is NULL */
	http_error_fn error;		 /* NULL: http_rest_error */
	/* Sent with 401: e.g. "Bearer realm=\"verbinding\"". */
	const char *www_authenticate;
	/* Optional, run after authentication and before the body is read:
	 * return 0 to go on, or write an error into res (http_error) and return
	 * a non-zero value. TAXII uses it for Accept (406). */
	int (*precheck)(struct http_request *req, struct http_response *res);
};

/* Where route tables are registered: REST always (rest.c); TAXII once
 * taxii_*.c exists (weak, so the server links without it). The server walks
 * http_tables() in this order. */
extern const struct http_route_table http_rest_table;
extern const struct http_route_table http_taxii_table __attribute__((weak));
/* The linked tables, NULL-terminated. */
const struct http_route_table *const *http_tables(void);

/* ---- paging cursors -------------------------------------------------------- */

/*
 * An opaque cursor for "the next page after store seq": base64url of
 * {version, seq, user id} and a MAC over it and scope, keyed with the
 * instance key. Bound to the caller and to scope (a string naming the
 * listing and its filters, e.g. "objects?type=indicator" or
 * "taxii:<collection>"), so a cursor replayed by another user or on another
 * listing is refused with 400. Reads after a cursor still pass the viewer,
 * so even a forged one could not show more than the caller may see.
 */
int http_cursor_make(const struct http_request *req, const char *scope, int64_t seq,
		     char out[HTTP_CURSOR_MAX]);
/* Returns 0 with *seq set, or VB_EUSAGE for a malformed, forged or
 * someone else's cursor, or one from another listing. Cursors do not
 * expire (they name a position, not a snapshot). */
int http_cursor_parse(const struct http_request *req, const char *scope, const char *cursor,
		      int64_t *seq);

/* ---- audit ------------------------------------------------------------------ */

/* Appends an audit record for this request: who (caller's user and
 * organisation), action ("object.create", "export", "access.denied",
 * "taxii.add", ...), the object id concerned (or NULL), outcome ("ok",
 * "denied", "failed") and a short detail (or NULL). Never pass secrets. */
void http_audit(struct http_request *req, const char *action, const char *object_id,
		const char *outcome, const char *detail);

/* ---- the server ------------------------------------------------------------- */

struct http_config {
	const char *store_path;
	const char *listen;		/* "ADDR:PORT" ("[::1]:PORT" for IPv6); port 0 picks one */
	const char *tls_cert, *tls_key; /* PEM files, both or neither */
	int public_access;		/* anonymous readers see CLEAR */
	unsigned threads;		/* worker threads; 0: two per core */
	int thread_per_connection;	/* instead of the worker pool */
	unsigned timeout_s;		/* idle connection timeout; 0: 30 s */
	int quiet;			/* no access log */
	unsigned fail_limit;		/* failed sign-ins per address or user before 429; 0: 10 */
	unsigned fail_window;		/* seconds counted, and seconds blocked; 0: 60 */
	const char *unmarked_tlp;	/* level of objects stored without a TLP marking
					   (CLI imports without --tlp); NULL: "green" */
};

/* Runs the server until SIGTERM or SIGINT, then stops accepting, lets
 * in-flight requests finish, closes every store connection and returns 0;
 * or returns a VB_E* code when it cannot start (message on stderr). Prints
 * "listening on ADDR:PORT" on stderr once it accepts connections. */
int http_serve(const struct http_config *cfg);

/* ---- parsing and routing (pure; the server uses them, tests fuzz them) ------ */

/* A bump allocator for one request (chunks freed together). */
struct http_arena {
	struct http_arena_chunk *head;
	size_t total, max; /* bytes handed out; max 0: unlimited */
};
void *http_arena_alloc(struct http_arena *a, size_t n); /* NULL past max */
void http_arena_free(struct http_arena *a);

struct http_target {
	char *path; /* decoded, segments checked, no trailing '/' unless "/" */
	struct http_param *query;
	size_t n_query;
};
/* Parses a request target ("/a/b%20c?x=1&y=%2F"): see step 1 above. Returns
 * 0, or VB_EUSAGE with *why set to a static message (the 400 detail). */
int http_parse_target(struct http_arena *a, const char *target, size_t len, struct http_target *out,
		      const char **why);

/* Result of routing. */
struct http_match {
	const struct http_route *route; /* NULL when none */
	/* The table of route, else the one whose prefix holds path, else NULL. */
	const struct http_route_table *table;
	struct http_param params[HTTP_MAX_PATH_PARAMS];
	size_t n_params;
	int method_not_allowed; /* path matched with another method: 405 */
	unsigned allowed;	/* methods the path accepts (Allow header) */
};
/* Finds the route for method and a decoded path among tables
 * (NULL-terminated). Parameter values point into a copy of path the caller's
 * arena owns. Returns 0 when a route matched, VB_ENOTFOUND otherwise. */
int http_route_find(struct http_arena *a, const struct http_route_table *const *tables,
		    enum http_method method, const char *path, struct http_match *m);

#endif
