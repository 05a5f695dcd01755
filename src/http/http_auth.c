/*
 * http_auth.c: who is calling. Bearer tokens, HTTP Basic (user and password,
 * or user and token), and session cookies from password login; the
 * failed-authentication limiter in front of all of them; the role check of
 * the route; the caller's viewer. Failures are audited and never say which
 * part was wrong.
 */
#include "http_internal.h"
#include "../access/cred.h"
#include "../util/util.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#define MAX_GROUPS 1024

int http_caller_set(struct http_server *srv, struct http_request *req,
		    const struct ident_principal *p, enum http_cred cred)
{
	struct http_caller *c = &req->caller;
	memset(c, 0, sizeof *c);
	c->authenticated = 1;
	c->cred = cred;
	c->user_id = p->user_id;
	c->org_id = p->org_id;
	c->role = p->role;
	c->org_default_tlp = p->default_tlp;
	snprintf(c->user, sizeof c->user, "%s", p->user);
	snprintf(c->org, sizeof c->org, "%s", p->org);
	/* Most organisations are in a few groups: ask for 32, and for the
	 * whole list only when those are not all. */
	size_t cap = 32, n = 0;
	int64_t *groups = http_alloc(req, cap * sizeof *groups);
	int rc = store_ident(req->store)->org_groups(req->store, p->org_id, groups, cap, &n);
	if (!rc && n == cap) {
		cap = MAX_GROUPS;
		groups = http_alloc(req, cap * sizeof *groups);
		rc = store_ident(req->store)->org_groups(req->store, p->org_id, groups, cap, &n);
	}
	if (rc)
		return rc;
	c->groups = groups;
	c->n_groups = n;
	access_viewer_init(&c->viewer, p->org_id, p->user_id, groups, n, srv->default_tlp,
			   srv->cfg.public_access);
	return 0;
}

static void set_anonymous(struct http_server *srv, struct http_request *req)
{
	memset(&req->caller, 0, sizeof req->caller);
	req->caller.role = ACCESS_ROLE_READ_ONLY;
	access_viewer_anonymous(&req->caller.viewer, srv->cfg.public_access, srv->default_tlp);
}

static int unauthorized(struct http_request *req, struct http_response *res, const char *detail)
{
	const char *ch = req->table && req->table->www_authenticate ? req->table->www_authenticate
								    : "Bearer realm=\"verbinding\"";
	http_error(req, res, 401, "%s", detail);
	/* WWW-Authenticate is not a server-owned header: add it directly. */
	res->headers[0].name = "WWW-Authenticate";
	res->headers[0].value = ch;
	res->n_headers = 1;
	return 1;
}

static int too_many(struct http_request *req, struct http_response *res, int retry)
{
	char v[16];
	snprintf(v, sizeof v, "%d", retry > 0 ? retry : 1);
	http_error(req, res, 429, "too many failed sign-in attempts; retry after %s s", v);
	http_header_add(req, res, "Retry-After", v);
	return 1;
}

static void ip_key(const struct http_request *req, char *out, size_t cap)
{
	snprintf(out, cap, "ip:%s", req->remote);
}

static void user_key(const char *user, char *out, size_t cap)
{
	snprintf(out, cap, "user:%.80s", user);
}

/* Records a failed attempt: limiter, audit. */
static void failed(struct http_server *srv, struct http_request *req, const char *kind,
		   const char *user)
{
	char k[128];
	int64_t now = time_now_us();
	ip_key(req, k, sizeof k);
	http_limiter_fail(srv->limiter, k, now);
	if (user) {
		user_key(user, k, sizeof k);
		http_limiter_fail(srv->limiter, k, now);
	}
	char detail[160];
	snprintf(detail, sizeof detail, "%s%s%.80s", kind, user ? " user " : "", user ? user : "");
	http_audit(req, "login.failed", NULL, "denied", detail);
}

/* Password checks cost 64 MiB and about 0.1 s each (argon2id,
 * "interactive"): at most this many run at once, whatever the number of
 * connections, so a burst of logins cannot exhaust memory. */
#define PASSWORD_CHECKS_AT_ONCE 4
static pthread_mutex_t pw_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t pw_cv = PTHREAD_COND_INITIALIZER;
static int pw_running;

static void pw_enter(void)
{
	pthread_mutex_lock(&pw_mu);
	while (pw_running >= PASSWORD_CHECKS_AT_ONCE)
		pthread_cond_wait(&pw_cv, &pw_mu);
	pw_running++;
	pthread_mutex_unlock(&pw_mu);
}

static void pw_leave(void)
{
	pthread_mutex_lock(&pw_mu);
	pw_running--;
	pthread_cond_signal(&pw_cv);
	pthread_mutex_unlock(&pw_mu);
}

int http_auth_password(struct http_server *srv, struct http_request *req, struct http_response *res,
		       const char *user, const char *pw, size_t pwlen, struct ident_principal *p)
{
	char k[128];
	int retry = 0;
	user_key(user, k, sizeof k);
	if (http_limiter_blocked(srv->limiter, k, time_now_us(), &retry))
		return too_many(req, res, retry);
	char stored[IDENT_PWHASH_MAX];
	const struct store_ident_ops *id = store_ident(req->store);
	int rc = id->user_pwhash(req->store, user, stored, sizeof stored);
	if (rc && rc != VB_ENOTFOUND) {
		http_error(req, res, 500, "the store failed");
		return 1;
	}
	pw_enter();
	if (rc == VB_ENOTFOUND) {
		/* Same time as a real check, so timing does not tell who exists. */
		cred_password_dummy(pw, pwlen);
	} else {
		rc = cred_password_verify(stored, pw, pwlen);
		sodium_memzero(stored, sizeof stored);
	}
	pw_leave();
	if (!rc)
		rc = id->user_principal(req->store, user, p);
	if (rc) {
		failed(srv, req, "password", user);
		return unauthorized(req, res, "invalid credentials");
	}
	http_limiter_clear(srv->limiter, k);
	return 0;
}

static int token_principal(struct http_server *srv, struct http_request *req, const char *tok,
			   size_t n, struct ident_principal *p)
{
	if (!cred_token_wellformed(tok, n))
		return VB_ENOTFOUND;
	unsigned char h[IDENT_HASH_LEN];
	cred_hash(srv->key, tok, n, h);
	return store_ident(req->store)->token_lookup(req->store, h, time_now_us(), p);
}

/* The value of cookie name in a Cookie header, copied into out. */
static int cookie_value(const char *hdr, const char *name, char *out, size_t cap)
{
	size_t nl = strlen(name);
	const char *s = hdr;
	while (s && *s) {
		while (*s == ' ' || *s == ';')
			s++;
		const char *end = strchr(s, ';');
		size_t len = end ? (size_t)(end - s) : strlen(s);
		if (len > nl && strncmp(s, name, nl) == 0 && s[nl] == '=') {
			size_t vl = len - nl - 1;
			if (vl >= cap)
				return 0;
			memcpy(out, s + nl + 1, vl);
			out[vl] = 0;
			return 1;
		}
		s = end;
	}
	return 0;
}

int http_session_start(struct http_server *srv, struct http_request *req, struct http_response *res,
		       const struct ident_principal *p)
{
	unsigned char raw[32], h[IDENT_HASH_LEN];
	char sid[64];
	randombytes_buf(raw, sizeof raw);
	sodium_bin2base64(sid, sizeof sid, raw, sizeof raw,
			  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	sodium_memzero(raw, sizeof raw);
	cred_hash(srv->key, sid, strlen(sid), h);
	const struct store_ident_ops *id = store_ident(req->store);
	int64_t now = time_now_us();
	id->session_purge(req->store, now);
	int rc = id->session_add(req->store, h, p->user_id,
				 now + (int64_t)HTTP_SESSION_SECONDS * 1000000);
	if (rc) {
		sodium_memzero(sid, sizeof sid);
		return rc;
	}
	char cookie[256];
	snprintf(cookie, sizeof cookie,
		 HTTP_SESSION_COOKIE "=%s; Path=/; Max-Age=%d; HttpOnly; SameSite=Strict%s", sid,
		 HTTP_SESSION_SECONDS, srv->tls ? "; Secure" : "");
	rc = http_header_add(req, res, "Set-Cookie", cookie);
	sodium_memzero(sid, sizeof sid);
	sodium_memzero(cookie, sizeof cookie);
	return rc;
}

int http_session_end(struct http_server *srv, struct http_request *req, struct http_response *res)
{
	const char *hdr = http_header(req, "Cookie");
	char sid[128];
	if (hdr && cookie_value(hdr, HTTP_SESSION_COOKIE, sid, sizeof sid)) {
		unsigned char h[IDENT_HASH_LEN];
		cred_hash(srv->key, sid, strlen(sid), h);
		store_ident(req->store)->session_remove(req->store, h);
		sodium_memzero(sid, sizeof sid);
	}
	char cookie[160];
	snprintf(cookie, sizeof cookie,
		 HTTP_SESSION_COOKIE "=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict%s",
		 srv->tls ? "; Secure" : "");
	return http_header_add(req, res, "Set-Cookie", cookie);
}

int http_authenticate(struct http_server *srv, struct http_request *req, struct http_response *res)
{
	const struct http_route *r = req->route;
	set_anonymous(srv, req);
	if (r->auth == HTTP_AUTH_NONE)
		return 0;
	const char *authz = http_header(req, "Authorization");
	const char *cookie = http_header(req, "Cookie");
	char sid[128];
	int have_cookie = cookie && cookie_value(cookie, HTTP_SESSION_COOKIE, sid, sizeof sid);
	if (!authz && !have_cookie) {
		if (r->auth == HTTP_AUTH_USER || !srv->cfg.public_access)
			return unauthorized(req, res, "sign in: send a bearer token");
		return 0; /* anonymous, public access */
	}
	char k[128];
	int retry = 0;
	ip_key(req, k, sizeof k);
	if (http_limiter_blocked(srv->limiter, k, time_now_us(), &retry)) {
		sodium_memzero(sid, sizeof sid);
		return too_many(req, res, retry);
	}
	struct ident_principal p;
	int rc = VB_ENOTFOUND;
	enum http_cred cred = HTTP_CRED_NONE;
	const char *kind = "token";
	if (authz && strncasecmp(authz, "Bearer ", 7) == 0) {
		const char *t = authz + 7;
		while (*t == ' ')
			t++;
		cred = HTTP_CRED_TOKEN;
		rc = token_principal(srv, req, t, strlen(t), &p);
	} else if (authz && strncasecmp(authz, "Basic ", 6) == 0) {
		cred = HTTP_CRED_BASIC;
		kind = "basic";
		const char *b = authz + 6;
		while (*b == ' ')
			b++;
		unsigned char dec[CRED_PASSWORD_MAX + IDENT_NAME_MAX + 2];
		size_t len = 0;
		if (strlen(b) < 4 * sizeof dec / 3 &&
		    sodium_base642bin(dec, sizeof dec - 1, b, strlen(b), NULL, &len, NULL,
				      sodium_base64_VARIANT_ORIGINAL) == 0) {
			dec[len] = 0;
			char *colon = memchr(dec, ':', len);
			if (colon && colon - (char *)dec < IDENT_NAME_MAX && !memchr(dec, 0, len)) {
				*colon = 0;
				const char *user = (const char *)dec, *pw = colon + 1;
				size_t pwl = len - (size_t)(colon + 1 - (char *)dec);
				if (cred_token_wellformed(pw, pwl)) {
					rc = token_principal(srv, req, pw, pwl, &p);
					if (!rc && strcmp(p.user, user) != 0)
						rc = VB_ENOTFOUND;
				} else {
					rc = http_auth_password(srv, req, res, user, pw, pwl, &p);
					sodium_memzero(dec, sizeof dec);
					if (rc)
						return 1; /* 401 or 429 written, failure recorded */
					http_audit(req, "login", NULL, "ok", "basic");
				}
			}
			sodium_memzero(dec, sizeof dec);
		}
	} else if (!authz && have_cookie) {
		cred = HTTP_CRED_SESSION;
		kind = "session";
		unsigned char h[IDENT_HASH_LEN];
		cred_hash(srv->key, sid, strlen(sid), h);
		rc = store_ident(req->store)->session_lookup(req->store, h, time_now_us(), &p);
	} else {
		kind = "unknown scheme";
	}
	sodium_memzero(sid, sizeof sid);
	if (rc == VB_ESTORE) {
		http_error(req, res, 500, "the store failed");
		return 1;
	}
	if (rc) {
		failed(srv, req, kind, NULL);
		return unauthorized(req, res, "invalid credentials");
	}
	if (http_caller_set(srv, req, &p, cred)) {
		http_error(req, res, 500, "the store failed");
		return 1;
	}
	if (!access_role_allows(req->caller.role, r->perm)) {
		char detail[160];
		snprintf(detail, sizeof detail, "role %s lacks the permission for %s %s",
			 access_role_name(req->caller.role), http_method_name(r->method), r->path);
		http_audit(req, "access.denied", NULL, "denied", detail);
		http_error(req, res, 403, "your role (%s) may not do this",
			   access_role_name(req->caller.role));
		return 1;
	}
	return 0;
}
