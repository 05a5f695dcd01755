/*
 * taxii.h: TAXII 2.1 in verbinding: the server routes (taxii.c, the table,
 * errors and content negotiation; taxii_read.c, the listings; taxii_write.c,
 * add, delete and status), the envelope splitter both sides share
 * (taxii_envelope.c, pure, unit-tested and fuzzed) and the client behind
 * `verbinding taxii pull|push` (taxii_client.c, libcurl).
 *
 * One API root, /taxii2/verbinding/. Collections are views of the store
 * bound to a sharing group and/or a TLP ceiling (store_taxii.h); what a
 * caller reads from one is what the caller's viewer may see AND what the
 * binding admits. Every route needs an authenticated user (Basic with a
 * password or a token, or Bearer); the caller's organisation needs read or
 * write rights on a collection, which without rights does not exist for
 * that caller (404, the answer for a missing one).
 */
#ifndef VB_TAXII_H
#define VB_TAXII_H

#include <stddef.h>
#include <stdint.h>

#include "http.h"
#include "../store/store_taxii.h"

#define TAXII_MEDIA	    "application/taxii+json;version=2.1"
#define TAXII_STIX_MEDIA    "application/stix+json;version=2.1"
#define TAXII_ROOT	    "verbinding" /* the one API root's path segment */
#define TAXII_MAX_CONTENT   (16u << 20)	 /* max_content_length of the API root */
#define TAXII_MAX_OBJECTS   10000	 /* objects in one add request (413 beyond) */
#define TAXII_LIMIT_DEFAULT 100
#define TAXII_LIMIT_MAX	    1000	/* larger limits are lowered to this */
#define TAXII_PAGE_BYTES    (32u << 20) /* a page stops growing past this (more: true) */
#define TAXII_SCAN_ROWS	    200000	/* rows looked at for one page (more: true) */
#define TAXII_MATCH_MAX	    100		/* values of one match[] filter */
#define TAXII_JSON_DEPTH    128		/* nesting the envelope splitter accepts */

/* ---- match[version] ---------------------------------------------------------- */

/* A parsed match[version] filter: any of first, last, all and timestamps
 * (microseconds), combined with OR. */
struct taxii_versions {
	int first, last, all;
	int64_t times[TAXII_MATCH_MAX];
	size_t n_times;
};
/* Adds one parameter value ("last", "first,2016-01-01T00:00:00.000Z", ...)
 * to v. Returns 0, or VB_EUSAGE with *why set to a static message. */
int taxii_versions_add(struct taxii_versions *v, const char *value, const char **why);

/* ---- the envelope splitter ------------------------------------------------------ */

/* Where one element of an envelope's objects array lies in the body. */
struct taxii_span {
	size_t off, len;
};

struct taxii_envelope_err {
	int status; /* 400 malformed JSON, 422 not an envelope / no objects, 413 too many */
	size_t pos; /* byte offset of the problem */
	char msg[160];
};

/*
 * Checks that p[0..n) is one well-formed JSON document (strict RFC 8259,
 * nesting at most TAXII_JSON_DEPTH, UTF-8 left to the object parser) that
 * is an object with an "objects" array of at least one element, and finds
 * each element without building a tree, so memory stays bounded by the
 * largest element when each is parsed alone. Other members ("more",
 * "next") are ignored. *spans (malloc'd, caller frees) receives at most
 * max elements. Returns 0, or VB_EINPUT with e filled.
 */
int taxii_envelope_split(const char *p, size_t n, size_t max, struct taxii_span **spans,
			 size_t *n_spans, struct taxii_envelope_err *e);

/* ---- server (route handlers; the table is http_taxii_table) ---------------------- */

/* The collection a request names, after the rights check. */
struct taxii_ctx {
	struct taxii_collection coll;
	int can_read, can_write;
};
enum taxii_need { TAXII_NEED_READ = 1, TAXII_NEED_WRITE = 2 };

/* Resolves {root} and {collection} for the caller. An unknown root, an
 * unknown collection and a collection the caller's organisation has no
 * rights on all get the same 404; a right the caller lacks on a collection
 * it does have rights on is a 403. Returns 0, or writes the error and
 * returns VB_ENOTFOUND / VB_EDENIED / VB_ESTORE. */
int taxii_collection_for(struct http_request *req, struct http_response *res, unsigned need,
			 struct taxii_ctx *out);
/* 404 for an unknown {root}; returns 0 when the root is ours. */
int taxii_root_check(struct http_request *req, struct http_response *res);
/* Formats a TAXII timestamp (UTC, millisecond or microsecond precision). */
void taxii_time(int64_t us, char out[32]);
/* Reads every value of a repeatable query key, each split on commas, into
 * out (request memory). Returns the count, or -1 after writing a 400 when
 * there are more than max. */
int taxii_query_list(struct http_request *req, struct http_response *res, const char *key,
		     const char **out, int max);

int taxii_discovery(struct http_request *req, struct http_response *res);
int taxii_api_root(struct http_request *req, struct http_response *res);
int taxii_collections(struct http_request *req, struct http_response *res);
int taxii_collection(struct http_request *req, struct http_response *res);
int taxii_objects_get(struct http_request *req, struct http_response *res);
int taxii_manifest_get(struct http_request *req, struct http_response *res);
int taxii_object_get(struct http_request *req, struct http_response *res);
int taxii_versions_get(struct http_request *req, struct http_response *res);
int taxii_objects_add(struct http_request *req, struct http_response *res);
int taxii_object_delete(struct http_request *req, struct http_response *res);
int taxii_status_get(struct http_request *req, struct http_response *res);

/* ---- client (taxii_client.c) ------------------------------------------------------- */

struct taxii_auth {
	const char *user;     /* Basic user (with password, or with token) */
	const char *password; /* Basic password or token; NULL with bearer */
	const char *bearer;   /* a token sent as Bearer; NULL with Basic */
};

struct taxii_client_opts {
	const char *url;	/* the API root, or a discovery URL (its default root) */
	const char *collection; /* collection id */
	struct taxii_auth auth;
	const char *cacert; /* PEM bundle for TLS, or NULL for the system's */
	long timeout_s;	    /* per request; 0: 300 */
	int verbose;	    /* one line per request on stderr */
};

struct taxii_pull_opts {
	long limit;	   /* page size asked for; 0: 1000 */
	int latest_only;   /* match[version]=last instead of all */
	int full;	   /* ignore the remembered added_after */
	int skip_invalid;  /* store the valid objects of a page, count the rest */
	int64_t owner_org; /* local organisation owning what is pulled (0: instance) */
	const char *tlp;   /* TLP marking id for objects without one, or NULL */
};

struct taxii_pull_stats {
	long pages, objects, stored, rejected, skipped_owned; /* stored: new or unchanged */
	char added_last[40];				      /* what the next pull starts after */
};

/* Pulls the collection into s page by page (each page one transaction
 * with the new added_after remembered in it). Returns 0 or a VB_E* code
 * (message on stderr; credentials never printed). */
int taxii_pull(struct store *s, const struct taxii_client_opts *c, const struct taxii_pull_opts *p,
	       struct taxii_pull_stats *st);

struct taxii_push_stats {
	long batches, objects, succeeded, failed, pending;
};
/* Pushing: begin finds the API root and its max_content_length; add
 * queues one serialised object (copied) and posts an envelope whenever the
 * next object would not fit; end posts the rest. Each envelope's status is
 * polled until complete, and every failure (id, version, message) is
 * printed on stderr. begin returns NULL with *rc set on failure. end
 * returns 0 when all objects were accepted, VB_EINPUT when some were not,
 * or the first other VB_E* code, and frees the pusher. */
struct taxii_pusher;
struct taxii_pusher *taxii_push_begin(const struct taxii_client_opts *c, int *rc);
int taxii_push_add(struct taxii_pusher *p, const char *json, size_t len);
int taxii_push_end(struct taxii_pusher *p, struct taxii_push_stats *st);

#endif
