/*
 * http_internal.h: shared between the files of the HTTP server core
 * (http_server.c, http_auth.c, http_resp.c, http_limit.c); route handlers
 * use http.h only.
 */
#ifndef VB_HTTP_INTERNAL_H
#define VB_HTTP_INTERNAL_H

#include <pthread.h>
#include <stdint.h>

#include "http.h"
#include "../store/store_ident.h"

/* ---- failed-authentication limiter (http_limit.c) ---- */

struct http_limiter;
/* After max_fail failures for one key within window_s seconds, the key is
 * blocked for window_s seconds. */
struct http_limiter *http_limiter_new(unsigned max_fail, unsigned window_s);
void http_limiter_free(struct http_limiter *l);
/* 1 when key is blocked now; *retry_after then holds seconds to wait. */
int http_limiter_blocked(struct http_limiter *l, const char *key, int64_t now_us, int *retry_after);
void http_limiter_fail(struct http_limiter *l, const char *key, int64_t now_us);
void http_limiter_clear(struct http_limiter *l, const char *key);

/* ---- the server ---- */

struct store_pool {
	pthread_mutex_t mu;
	struct store **idle, **all;
	size_t n_idle, n_all, cap;
	const char *path;
};

struct http_server {
	struct http_config cfg;
	struct store_pool pool;
	unsigned char key[IDENT_KEY_LEN]; /* instance key: token hashes, cursors */
	struct http_limiter *limiter;
	int tls;
	int default_tlp; /* for unmarked objects (instance level) */
};

/* Server-private per-request state, reached through req->priv; its first
 * member is the request's arena (http_alloc relies on that). */
struct http_req_state;

/* Password login shared by HTTP Basic and POST /api/v1/login: checks the
 * limiter, verifies, audits. Returns 0 with *p filled, or writes 401/429
 * into res and returns non-zero. */
int http_auth_password(struct http_server *srv, struct http_request *req, struct http_response *res,
		       const char *user, const char *pw, size_t pwlen, struct ident_principal *p);
/* Starts a session for p: stores its hash, sets the cookie on res. */
int http_session_start(struct http_server *srv, struct http_request *req, struct http_response *res,
		       const struct ident_principal *p);
/* Ends the session named by the request's cookie (if any) and clears the
 * cookie on res. */
int http_session_end(struct http_server *srv, struct http_request *req, struct http_response *res);
#define HTTP_SESSION_COOKIE  "vb_session"
#define HTTP_SESSION_SECONDS (12 * 3600)

/* Authenticates req (step 3 in http.h). Returns 0 when the handler may run
 * (caller filled, possibly anonymous); otherwise an error is in res. */
int http_authenticate(struct http_server *srv, struct http_request *req, struct http_response *res);
/* Fills req->caller for a principal (groups, viewer). */
int http_caller_set(struct http_server *srv, struct http_request *req,
		    const struct ident_principal *p, enum http_cred cred);

/* Writes an error with the table's shape (or REST). */
void http_error_body(struct http_request *req, struct http_response *res, int status,
		     const char *detail);

/* Request header access through the server (http_server.c). */
const char *http_server_header(const struct http_request *req, const char *name);

/* The store pool (http_server.c). */
struct store *http_pool_get(struct store_pool *p, struct vb_err *e);
void http_pool_put(struct store_pool *p, struct store *s);

#endif
