/*
 * rest_query.c: search, stats and export. Each goes through the store with
 * the caller's viewer only; text search and time bounds filter rows the
 * viewer already admitted, and the number of rows a page looks at is
 * capped so a search costs a bounded amount of work.
 */
#include "rest.h"
#include "../stix/stix.h"
#include "../util/util.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define SEARCH_SCAN_CAP 20000
#define EXPORT_PAGE	500

/* ---- search ---- */

struct search_ctx {
	const char *text;
	int64_t until;
};

/* A case-insensitive substring test on name and description. */
static int text_hit(const cJSON *o, const char *k, const char *text)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
	return cJSON_IsString(v) && strcasestr(v->valuestring, text);
}

static int search_keep(struct rest_list *l, const struct store_row *row)
{
	const struct search_ctx *x = l->arg;
	if (x->until && row->modified > x->until)
		return 0;
	if (!x->text)
		return 1;
	/* Cheap reject first: the text must occur somewhere in the JSON. A
	 * text holding JSON escapes may miss, which search accepts. */
	if (!strcasestr(row->json, x->text))
		return 0;
	cJSON *o = cJSON_ParseWithLength(row->json, row->json_len);
	int hit = o && (text_hit(o, "name", x->text) || text_hit(o, "description", x->text));
	cJSON_Delete(o);
	return hit;
}

static int all_hex(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!isxdigit((unsigned char)s[i]))
			return 0;
	return 1;
}

/* The kind of a bare value, when the caller did not say. */
static const char *guess_kind(const char *v)
{
	size_t n = strlen(v);
	unsigned char b[16];
	if (inet_pton(AF_INET, v, b) == 1)
		return "ipv4-addr";
	if (strchr(v, ':') && !strstr(v, "://"))
		return "ipv6-addr";
	if (strstr(v, "://"))
		return "url";
	if (strchr(v, '@'))
		return "email-addr";
	if (all_hex(v, n)) {
		if (n == 32)
			return "file:MD5";
		if (n == 40)
			return "file:SHA-1";
		if (n == 64)
			return "file:SHA-256";
		if (n == 128)
			return "file:SHA-512";
	}
	return "domain-name";
}

int rest_search(struct http_request *req, struct http_response *res)
{
	static const char *const allowed[] = {"value", "kind",	"type",	  "text", "since",
					      "until", "limit", "cursor", NULL};
	if (http_query_allow(req, res, allowed))
		return 0;
	for (const char *const *k = allowed; *k; k++)
		if (strcmp(*k, "type") != 0 && http_query_count(req, *k) > 1)
			return http_error(req, res, 400,
					  "query parameter '%s' given more than once", *k);
	struct store_filter f = {.viewer = &req->caller.viewer};
	const char *value = http_query(req, "value"), *kind = http_query(req, "kind");
	const char *text = http_query(req, "text");
	if (kind && !value)
		return http_error(req, res, 400, "kind goes with value");
	if (value) {
		if (!*value || strlen(value) > 2048)
			return http_error(req, res, 400, "value: 1 to 2048 bytes");
		if (!kind)
			kind = guess_kind(value);
		if (strlen(kind) > 64)
			return http_error(req, res, 400, "kind: unknown");
		char *v = http_strdup(req, value);
		f.value_kind = kind;
		f.value = stix_value_normalise(kind, v);
	}
	if (text && (strlen(text) < 2 || strlen(text) > 200))
		return http_error(req, res, 400, "text: 2 to 200 characters");
	const char **types = NULL;
	size_t nt = http_query_count(req, "type");
	if (nt) {
		types = http_alloc(req, 65 * sizeof *types);
		int k = 0;
		for (size_t i = 0; i < nt; i++) {
			int got =
			    http_split_list(req, http_query_nth(req, "type", i), types + k, 64 - k);
			if (got < 0)
				return http_error(req, res, 400, "at most 64 types");
			k += got;
		}
		types[k] = NULL;
		f.types = types;
	}
	int64_t since, until;
	if (http_query_time(req, res, "since", 0, &since) ||
	    http_query_time(req, res, "until", 0, &until))
		return 0;
	if (!value && !text && !nt && !since && !until)
		return http_error(req, res, 400,
				  "give at least one of value, type, text, since or until");
	f.modified_since = since;
	const char *scope = rest_scope(req);
	long limit;
	if (rest_paging(req, res, scope, &limit, &f.after_seq))
		return 0;
	struct search_ctx x = {text, until};
	struct rest_list l = {.req = req, .out = &res->body, .scope = scope, .limit = limit};
	if (text || until) {
		l.keep = search_keep;
		l.arg = &x;
		l.scan_cap = SEARCH_SCAN_CAP;
		f.limit = SEARCH_SCAN_CAP + 1;
	} else {
		f.limit = limit + 1;
	}
	rest_list_begin(&l);
	int rc = store_scan(req->store, &f, rest_list_row, &l);
	if (rc < 0)
		return rc;
	res->status = 200;
	return rest_list_end(&l);
}

/* ---- stats ---- */

static void counts(cJSON *parent, const char *name, const struct store_count *c, size_t n)
{
	cJSON *o = cJSON_AddObjectToObject(parent, name);
	for (size_t i = 0; i < n; i++)
		cJSON_AddNumberToObject(o, c[i].key, (double)c[i].n);
}

int rest_stats(struct http_request *req, struct http_response *res)
{
	if (http_query_allow(req, res, (const char *const[]){NULL}))
		return 0;
	struct store_stats st;
	int rc = store_stats(req->store, &req->caller.viewer, &st);
	if (rc)
		return rc;
	cJSON *doc = cJSON_CreateObject();
	cJSON_AddNumberToObject(doc, "objects", (double)st.objects);
	cJSON_AddNumberToObject(doc, "versions", (double)st.versions);
	counts(doc, "by_type", st.by_type, st.n_by_type);
	counts(doc, "by_marking", st.by_marking, st.n_by_marking);
	store_stats_free(&st);
	rc = http_reply_json(res, 200, doc);
	cJSON_Delete(doc);
	return rc;
}

/* ---- export: a streamed bundle, one store page at a time ---- */

struct export_stream {
	struct store *store;
	struct store_filter f;
	const char **types; /* owned copies */
	int64_t after;
	int started, finished;
	long n;
	struct buf *out;
};

static int export_row(void *arg, const struct store_row *row)
{
	struct export_stream *x = arg;
	if (x->n++ && buf_addc(x->out, ','))
		return VB_ENOMEM;
	x->after = row->seq;
	return buf_add(x->out, row->json, row->json_len);
}

static int export_next(void *arg, struct buf *out)
{
	struct export_stream *x = arg;
	if (!x->started) {
		char uuid[37];
		uuid_v4(uuid);
		buf_printf(out, "{\"type\":\"bundle\",\"id\":\"bundle--%s\",\"objects\":[", uuid);
		x->started = 1;
		return 1;
	}
	if (x->finished)
		return 0;
	x->out = out;
	long before = x->n;
	x->f.after_seq = x->after;
	x->f.limit = EXPORT_PAGE;
	int rc = store_scan(x->store, &x->f, export_row, x);
	if (rc)
		return rc < 0 ? rc : VB_ESTORE;
	if (x->n - before < EXPORT_PAGE) {
		buf_adds(out, "]}\n");
		x->finished = 1;
		return 0;
	}
	return 1;
}

static void export_free(void *arg)
{
	struct export_stream *x = arg;
	for (size_t i = 0; x->types && x->types[i]; i++)
		free((void *)x->types[i]);
	free(x->types);
	free(x);
}

int rest_export(struct http_request *req, struct http_response *res)
{
	if (http_query_allow(req, res, (const char *const[]){"type", "since", NULL}))
		return 0;
	int64_t since;
	if (http_query_time(req, res, "since", 0, &since))
		return 0;
	struct export_stream *x = xcalloc(1, sizeof *x);
	size_t nt = http_query_count(req, "type");
	if (nt) {
		const char *parts[64];
		int k = 0;
		for (size_t i = 0; i < nt; i++) {
			int got =
			    http_split_list(req, http_query_nth(req, "type", i), parts + k, 64 - k);
			if (got < 0) {
				free(x);
				return http_error(req, res, 400, "at most 64 types");
			}
			k += got;
		}
		x->types = xcalloc((size_t)k + 1, sizeof *x->types);
		for (int i = 0; i < k; i++)
			x->types[i] = xstrdup(parts[i]);
		x->f.types = k ? x->types : NULL;
	}
	/* The viewer's groups live in request memory, which outlives the
	 * stream: the server frees it only when the response is complete. */
	x->store = req->store;
	x->f.viewer = &req->caller.viewer;
	x->f.modified_since = since;
	char detail[160];
	snprintf(detail, sizeof detail, "%s%s", nt ? "types " : "all types",
		 nt ? http_query(req, "type") : "");
	http_audit(req, "export", NULL, "ok", detail);
	res->status = 200;
	res->content_type = "application/json";
	res->stream = export_next;
	res->stream_arg = x;
	res->stream_free = export_free;
	return 0;
}
