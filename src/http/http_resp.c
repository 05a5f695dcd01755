/*
 * http_resp.c: building responses: the one status mapping, error bodies in
 * each table's shape, extra headers, JSON replies, query validation
 * helpers, paging cursors and the audit hook.
 */
#include "http_internal.h"
#include "../util/util.h"

#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

int http_status_of(int code)
{
	switch (code) {
	case 0:
		return 200;
	case VB_EUSAGE:
	case VB_EINPUT:
		return 400;
	case VB_ENOTFOUND:
		return 404;
	case VB_EDENIED:
		return 403;
	case VB_ECONFLICT:
		return 409;
	case VB_ENOMEM:
		return 413;
	default:
		return 500;
	}
}

const char *http_status_title(int status)
{
	switch (status) {
	case 200:
		return "OK";
	case 201:
		return "Created";
	case 202:
		return "Accepted";
	case 204:
		return "No Content";
	case 400:
		return "Bad Request";
	case 401:
		return "Unauthorized";
	case 403:
		return "Forbidden";
	case 404:
		return "Not Found";
	case 405:
		return "Method Not Allowed";
	case 406:
		return "Not Acceptable";
	case 408:
		return "Request Timeout";
	case 409:
		return "Conflict";
	case 411:
		return "Length Required";
	case 413:
		return "Payload Too Large";
	case 415:
		return "Unsupported Media Type";
	case 422:
		return "Unprocessable Entity";
	case 429:
		return "Too Many Requests";
	case 500:
		return "Internal Server Error";
	case 501:
		return "Not Implemented";
	case 503:
		return "Service Unavailable";
	default:
		return "Error";
	}
}

void http_rest_error(struct http_request *req, struct http_response *res, int status,
		     const char *title, const char *detail)
{
	(void)req;
	buf_reset(&res->body);
	buf_printf(&res->body, "{\"error\":{\"status\":%d,\"title\":", status);
	buf_add_json_str(&res->body, title, strlen(title));
	buf_adds(&res->body, ",\"detail\":");
	if (detail)
		buf_add_json_str(&res->body, detail, strlen(detail));
	else
		buf_adds(&res->body, "null");
	buf_adds(&res->body, "}}");
	res->content_type = "application/json";
}

void http_error_body(struct http_request *req, struct http_response *res, int status,
		     const char *detail)
{
	http_error_fn fn = req->table && req->table->error ? req->table->error : http_rest_error;
	res->stream = NULL;
	res->status = status;
	fn(req, res, status, http_status_title(status), detail);
}

int http_error(struct http_request *req, struct http_response *res, int status, const char *fmt,
	       ...)
{
	char detail[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(detail, sizeof detail, fmt, ap);
	va_end(ap);
	http_error_body(req, res, status, detail);
	return 0;
}

int http_error_code(struct http_request *req, struct http_response *res, int code, const char *fmt,
		    ...)
{
	char detail[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(detail, sizeof detail, fmt, ap);
	va_end(ap);
	http_error_body(req, res, http_status_of(code), detail);
	return 0;
}

/* Headers the server sets itself; a handler may not override them. */
static const char *const owned_headers[] = {
    "content-length",
    "content-type",
    "x-content-type-options",
    "content-security-policy",
    "x-frame-options",
    "connection",
    "transfer-encoding",
    "strict-transport-security",
    "date",
    NULL,
};

static int header_text_ok(const char *s, int name)
{
	if (!*s)
		return name ? 0 : 1;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p < 0x20 || *p == 0x7f)
			return 0;
		if (name && (*p <= ' ' || strchr("()<>@,;:\\\"/[]?={}", *p)))
			return 0;
	}
	return 1;
}

int http_header_add(struct http_request *req, struct http_response *res, const char *name,
		    const char *value)
{
	if (!header_text_ok(name, 1) || !header_text_ok(value, 0) || strlen(value) > 4096)
		return VB_EUSAGE;
	for (size_t i = 0; owned_headers[i]; i++)
		if (strcasecmp(name, owned_headers[i]) == 0)
			return VB_EUSAGE;
	if (res->n_headers == HTTP_MAX_EXTRA_HEADERS)
		return VB_ENOMEM;
	res->headers[res->n_headers].name = http_strdup(req, name);
	res->headers[res->n_headers].value = http_strdup(req, value);
	res->n_headers++;
	return 0;
}

int http_reply(struct http_response *res, int status, const char *content_type, const char *p,
	       size_t n)
{
	buf_reset(&res->body);
	res->status = status;
	res->content_type = content_type;
	return buf_add(&res->body, p, n);
}

int http_reply_json(struct http_response *res, int status, const cJSON *doc)
{
	char *s = cJSON_PrintUnformatted(doc);
	if (!s)
		return VB_ENOMEM;
	buf_reset(&res->body);
	int rc = buf_adds(&res->body, s);
	free(s);
	res->status = status;
	if (!res->content_type)
		res->content_type = "application/json";
	return rc;
}

/* ---- query helpers ---- */

int http_query_allow(struct http_request *req, struct http_response *res,
		     const char *const *allowed)
{
	for (size_t i = 0; i < req->n_query; i++) {
		size_t k = 0;
		while (allowed && allowed[k] && strcmp(allowed[k], req->query[i].key) != 0)
			k++;
		if (!allowed || !allowed[k]) {
			char shown[48];
			size_t n = 0;
			for (const char *p = req->query[i].key; *p && n + 1 < sizeof shown; p++)
				shown[n++] = *p;
			shown[n] = 0;
			http_error(req, res, 400, "unknown query parameter '%s'", shown);
			return VB_EUSAGE;
		}
	}
	return 0;
}

int http_query_long(struct http_request *req, struct http_response *res, const char *key, long lo,
		    long hi, long dflt, long *out)
{
	*out = dflt;
	if (http_query_count(req, key) > 1) {
		http_error(req, res, 400, "query parameter '%s' given more than once", key);
		return VB_EUSAGE;
	}
	const char *v = http_query(req, key);
	if (!v)
		return 0;
	if (parse_long(v, lo, hi, out)) {
		http_error(req, res, 400,
			   "query parameter '%s': expected an integer from %ld to %ld", key, lo,
			   hi);
		return VB_EUSAGE;
	}
	return 0;
}

int http_query_time(struct http_request *req, struct http_response *res, const char *key,
		    int64_t dflt, int64_t *out)
{
	*out = dflt;
	if (http_query_count(req, key) > 1) {
		http_error(req, res, 400, "query parameter '%s' given more than once", key);
		return VB_EUSAGE;
	}
	const char *v = http_query(req, key);
	if (!v)
		return 0;
	if (time_parse_loose(v, out)) {
		http_error(req, res, 400,
			   "query parameter '%s': expected an RFC 3339 time or a date (YYYY-MM-DD)",
			   key);
		return VB_EUSAGE;
	}
	return 0;
}

/* ---- request memory ---- */

void *http_alloc(struct http_request *req, size_t n)
{
	struct http_arena *a = req->priv;
	void *p = http_arena_alloc(a, n);
	if (!p) {
		fprintf(stderr, "verbinding serve: out of request memory\n");
		abort();
	}
	return p;
}

char *http_strdup(struct http_request *req, const char *s)
{
	size_t n = strlen(s);
	char *p = http_alloc(req, n + 1);
	memcpy(p, s, n + 1);
	return p;
}

struct store *http_store(struct http_request *req)
{
	return req->store;
}

const char *http_header(const struct http_request *req, const char *name)
{
	return http_server_header(req, name);
}

/* ---- cursors ---- */

#define CURSOR_VERSION 1
#define CURSOR_MAC     16
#define CURSOR_PAYLOAD 17 /* version, seq (8), user (8) */

static void cursor_mac(const struct http_server *srv, const unsigned char *payload,
		       const char *scope, unsigned char mac[CURSOR_MAC])
{
	crypto_generichash_state st;
	crypto_generichash_init(&st, srv->key, sizeof srv->key, CURSOR_MAC);
	crypto_generichash_update(&st, (const unsigned char *)"vb-cursor", 9);
	crypto_generichash_update(&st, payload, CURSOR_PAYLOAD);
	crypto_generichash_update(&st, (const unsigned char *)scope, strlen(scope));
	crypto_generichash_final(&st, mac, CURSOR_MAC);
}

static void put64(unsigned char *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (unsigned char)(v >> (56 - 8 * i));
}

static uint64_t get64(const unsigned char *p)
{
	uint64_t v = 0;
	for (int i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

int http_cursor_make(const struct http_request *req, const char *scope, int64_t seq,
		     char out[HTTP_CURSOR_MAX])
{
	unsigned char raw[CURSOR_PAYLOAD + CURSOR_MAC];
	raw[0] = CURSOR_VERSION;
	put64(raw + 1, (uint64_t)seq);
	put64(raw + 9, (uint64_t)req->caller.user_id);
	cursor_mac(req->server, raw, scope, raw + CURSOR_PAYLOAD);
	sodium_bin2base64(out, HTTP_CURSOR_MAX, raw, sizeof raw,
			  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	return 0;
}

int http_cursor_parse(const struct http_request *req, const char *scope, const char *cursor,
		      int64_t *seq)
{
	unsigned char raw[CURSOR_PAYLOAD + CURSOR_MAC + 4];
	size_t len = 0;
	if (!cursor || strlen(cursor) >= HTTP_CURSOR_MAX ||
	    sodium_base642bin(raw, sizeof raw, cursor, strlen(cursor), NULL, &len, NULL,
			      sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
	    len != CURSOR_PAYLOAD + CURSOR_MAC || raw[0] != CURSOR_VERSION)
		return VB_EUSAGE;
	unsigned char mac[CURSOR_MAC];
	cursor_mac(req->server, raw, scope, mac);
	if (sodium_memcmp(mac, raw + CURSOR_PAYLOAD, CURSOR_MAC) != 0)
		return VB_EUSAGE;
	if ((int64_t)get64(raw + 9) != req->caller.user_id)
		return VB_EUSAGE; /* another caller's cursor */
	int64_t s = (int64_t)get64(raw + 1);
	if (s < 0)
		return VB_EUSAGE;
	*seq = s;
	return 0;
}

/* ---- audit ---- */

void http_audit(struct http_request *req, const char *action, const char *object_id,
		const char *outcome, const char *detail)
{
	struct ident_audit a = {
	    .user_id = req->caller.user_id,
	    .user = req->caller.authenticated ? req->caller.user : NULL,
	    .org_id = req->caller.org_id,
	    .org = req->caller.authenticated ? req->caller.org : NULL,
	    .action = action,
	    .object_id = object_id,
	    .outcome = outcome,
	    .remote = req->remote,
	    .detail = detail,
	};
	if (!req->store || store_ident(req->store)->audit_append(req->store, &a))
		fprintf(stderr, "{\"error\":\"could not append to the audit log\"}\n");
}
