/*
 * taxii_client.c: the TAXII 2.1 client behind `verbinding taxii pull` and
 * `verbinding taxii push`, on libcurl.
 *
 * It asks for no more than it needs: the API root (one GET, which also
 * says how large an add may be; a discovery URL costs one more GET to find
 * its default root), then the collection's objects or adds. Pull is
 * incremental: the last X-TAXII-Date-Added-Last seen per API root and
 * collection is kept in the store (store_taxii.h) and sent as added_after
 * next time; within one pull it follows more/next. Each page is imported
 * through ingest_emit in one transaction together with the new added_after,
 * so an interrupted pull resumes exactly where the last committed page
 * ended.
 *
 * Credentials go to libcurl only (Basic) or into one request header
 * (Bearer); they are never printed, never put in URLs, and redirects are
 * not followed, so they cannot be replayed to another host.
 */
#include "taxii.h"
#include "../ingest/ingest.h"
#include "../store/store_ident.h"
#include "../util/util.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define RESPONSE_MAX	    (256u << 20) /* largest response body read */
#define URL_MAX		    4096
#define POLL_SECONDS	    300 /* how long a pending status is polled */
#define DEFAULT_MAX_CONTENT (10u << 20)

struct reply {
	long status;
	struct buf body;
	char added_first[40], added_last[40];
};

struct client {
	CURL *h;
	const struct taxii_client_opts *o;
	struct curl_slist *hdr_get, *hdr_post;
	char root[URL_MAX]; /* the API root URL, ending in '/' */
	long max_content;
	char err[CURL_ERROR_SIZE];
	int global; /* curl_global_init succeeded */
};

/* ---- transport ---- */

static size_t on_body(char *p, size_t size, size_t n, void *arg)
{
	struct reply *r = arg;
	return buf_add(&r->body, p, size * n) ? 0 : size * n;
}

/* Copies a header value (trimmed) into out when the line is name: value. */
static void header_value(const char *line, size_t n, const char *name, char *out, size_t cap)
{
	size_t nl = strlen(name);
	if (n <= nl + 1 || strncasecmp(line, name, nl) != 0 || line[nl] != ':')
		return;
	const char *v = line + nl + 1;
	const char *end = line + n;
	while (v < end && (*v == ' ' || *v == '\t'))
		v++;
	while (end > v && (end[-1] == '\r' || end[-1] == '\n' || end[-1] == ' '))
		end--;
	size_t len = (size_t)(end - v);
	if (len >= cap)
		return;
	memcpy(out, v, len);
	out[len] = 0;
}

static size_t on_header(char *p, size_t size, size_t n, void *arg)
{
	struct reply *r = arg;
	size_t len = size * n;
	header_value(p, len, "X-TAXII-Date-Added-First", r->added_first, sizeof r->added_first);
	header_value(p, len, "X-TAXII-Date-Added-Last", r->added_last, sizeof r->added_last);
	return len;
}

/* The URL without its query, for messages. */
static void shown_url(const char *url, char *out, size_t cap)
{
	size_t n = strcspn(url, "?");
	snprintf(out, cap, "%.*s", (int)(n < cap ? n : cap - 1), url);
}

/* One request. body NULL: GET. Returns 0 with r filled for any HTTP
 * status, or VB_EIO (message printed) when no answer came. */
static int request(struct client *c, const char *url, const char *body, size_t len, struct reply *r)
{
	memset(r->added_first, 0, sizeof r->added_first);
	memset(r->added_last, 0, sizeof r->added_last);
	buf_reset(&r->body);
	r->status = 0;
	CURL *h = c->h;
	curl_easy_reset(h);
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_USERAGENT, "verbinding/0.1 (TAXII 2.1 client)");
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, 15L);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, c->o->timeout_s > 0 ? c->o->timeout_s : 300L);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, c->err);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, r);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, r);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, body ? c->hdr_post : c->hdr_get);
	if (c->o->cacert)
		curl_easy_setopt(h, CURLOPT_CAINFO, c->o->cacert);
	if (c->o->auth.user && c->o->auth.password) {
		curl_easy_setopt(h, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
		curl_easy_setopt(h, CURLOPT_USERNAME, c->o->auth.user);
		curl_easy_setopt(h, CURLOPT_PASSWORD, c->o->auth.password);
	}
	if (body) {
		curl_easy_setopt(h, CURLOPT_POST, 1L);
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
	}
	c->err[0] = 0;
	char shown[URL_MAX];
	shown_url(url, shown, sizeof shown);
	if (c->o->verbose)
		fprintf(stderr, "verbinding taxii: %s %s\n", body ? "POST" : "GET", shown);
	CURLcode cc = curl_easy_perform(h);
	if (cc != CURLE_OK) {
		fprintf(stderr, "verbinding taxii: %s %s: %s\n", body ? "POST" : "GET", shown,
			cc == CURLE_WRITE_ERROR ? "the response is larger than the limit"
			: c->err[0]		? c->err
						: curl_easy_strerror(cc));
		return VB_EIO;
	}
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &r->status);
	return 0;
}

static const char *json_str(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* Copies text a server sent into out for printing: control characters
 * (terminal escapes, newlines) become '?', and it is cut at cap - 1. */
static const char *shown_text(const char *s, char *out, size_t cap)
{
	size_t n = 0;
	for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p && n + 1 < cap; p++)
		out[n++] = *p < 0x20 || *p == 0x7f ? '?' : (char)*p;
	out[n] = 0;
	return out;
}

/* Prints an HTTP error with the TAXII error object's title and
 * description when the body holds one. Returns the matching VB_E* code. */
static int http_fail(const char *method, const char *url, const struct reply *r)
{
	char shown[URL_MAX];
	shown_url(url, shown, sizeof shown);
	cJSON *e = cJSON_ParseWithLength(r->body.p ? r->body.p : "", r->body.len);
	const char *title = json_str(e, "title"), *desc = json_str(e, "description");
	char t[200], d[500];
	fprintf(stderr, "verbinding taxii: %s %s: HTTP %ld%s%s%s%s\n", method, shown, r->status,
		title ? ": " : "", shown_text(title, t, sizeof t), desc ? ": " : "",
		shown_text(desc, d, sizeof d));
	cJSON_Delete(e);
	if (r->status >= 300 && r->status < 400)
		fprintf(stderr,
			"verbinding taxii: the server redirects; give the URL it names "
			"(redirects are not followed, so credentials stay with this host)\n");
	switch (r->status) {
	case 401:
	case 403:
		return VB_EDENIED;
	case 404:
		return VB_ENOTFOUND;
	case 400:
	case 413:
	case 415:
	case 422:
		return VB_EINPUT;
	default:
		return VB_EIO;
	}
}

/* Percent-encodes s for a path segment or query value. */
static void url_escape(const char *s, char *out, size_t cap)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t n = 0;
	for (const unsigned char *p = (const unsigned char *)s; *p && n + 4 < cap; p++) {
		if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
		    (*p >= '0' && *p <= '9') || strchr("-._~", *p)) {
			out[n++] = (char)*p;
		} else {
			out[n++] = '%';
			out[n++] = hex[*p >> 4];
			out[n++] = hex[*p & 15];
		}
	}
	out[n] = 0;
}

/* Resolves ref (absolute, absolute-path or relative) against base. */
static int resolve(const char *base, const char *ref, char *out, size_t cap)
{
	if (strncmp(ref, "http://", 7) == 0 || strncmp(ref, "https://", 8) == 0)
		return snprintf(out, cap, "%s", ref) < (int)cap ? 0 : VB_EUSAGE;
	const char *auth = strstr(base, "://");
	if (!auth)
		return VB_EUSAGE;
	const char *path = strchr(auth + 3, '/');
	size_t origin = path ? (size_t)(path - base) : strlen(base);
	int k;
	if (ref[0] == '/') {
		k = snprintf(out, cap, "%.*s%s", (int)origin, base, ref);
	} else {
		const char *slash = strrchr(base + origin, '/');
		size_t dir = slash ? (size_t)(slash - base) + 1 : origin;
		k = snprintf(out, cap, "%.*s%s%s", (int)dir, base, slash ? "" : "/", ref);
	}
	return k > 0 && (size_t)k < cap ? 0 : VB_EUSAGE;
}

static int check_url(const char *url)
{
	const char *rest = strncmp(url, "https://", 8) == 0  ? url + 8
			   : strncmp(url, "http://", 7) == 0 ? url + 7
							     : NULL;
	if (!rest) {
		fprintf(stderr, "verbinding taxii: '%s': expected an http:// or https:// URL\n",
			url);
		return VB_EUSAGE;
	}
	size_t auth = strcspn(rest, "/?#");
	if (memchr(rest, '@', auth)) {
		fprintf(stderr, "verbinding taxii: put credentials in --password-file or "
				"--token-file, not in the URL\n");
		return VB_EUSAGE;
	}
	if (strlen(url) >= URL_MAX / 2) {
		fprintf(stderr, "verbinding taxii: the URL is too long\n");
		return VB_EUSAGE;
	}
	return 0;
}

static void client_free(struct client *c)
{
	if (c->h)
		curl_easy_cleanup(c->h);
	curl_slist_free_all(c->hdr_get);
	curl_slist_free_all(c->hdr_post);
	explicit_bzero(c->err, sizeof c->err);
	if (c->global)
		curl_global_cleanup();
	c->h = NULL;
	c->hdr_get = c->hdr_post = NULL;
	c->global = 0;
}

/* Sets up the handle and finds the API root: url is either one (it has
 * "versions") or a discovery resource (its default, or only, root). */
static int client_init(struct client *c, const struct taxii_client_opts *o)
{
	memset(c, 0, sizeof *c);
	c->o = o;
	int rc = check_url(o->url);
	if (rc)
		return rc;
	c->global = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
	if (!c->global || !(c->h = curl_easy_init())) {
		fprintf(stderr, "verbinding taxii: libcurl failed to initialise\n");
		return VB_EIO;
	}
	c->hdr_get = curl_slist_append(NULL, "Accept: " TAXII_MEDIA);
	c->hdr_post = curl_slist_append(NULL, "Accept: " TAXII_MEDIA);
	c->hdr_post = curl_slist_append(c->hdr_post, "Content-Type: " TAXII_MEDIA);
	if (o->auth.bearer) {
		char h[4200];
		if (strlen(o->auth.bearer) > 4000 || strpbrk(o->auth.bearer, "\r\n")) {
			fprintf(stderr, "verbinding taxii: the token is malformed\n");
			return VB_EUSAGE;
		}
		snprintf(h, sizeof h, "Authorization: Bearer %s", o->auth.bearer);
		c->hdr_get = curl_slist_append(c->hdr_get, h);
		c->hdr_post = curl_slist_append(c->hdr_post, h);
		explicit_bzero(h, sizeof h);
	}
	snprintf(c->root, sizeof c->root, "%s%s", o->url,
		 o->url[strlen(o->url) - 1] == '/' ? "" : "/");
	struct reply r;
	buf_init(&r.body, 1 << 20);
	for (int hop = 0; hop < 2; hop++) {
		if ((rc = request(c, c->root, NULL, 0, &r)) != 0)
			break;
		if (r.status != 200) {
			rc = http_fail("GET", c->root, &r);
			break;
		}
		cJSON *d = cJSON_ParseWithLength(r.body.p, r.body.len);
		const cJSON *versions = cJSON_GetObjectItemCaseSensitive(d, "versions");
		const cJSON *roots = cJSON_GetObjectItemCaseSensitive(d, "api_roots");
		if (cJSON_IsArray(versions)) {
			const cJSON *mcl =
			    cJSON_GetObjectItemCaseSensitive(d, "max_content_length");
			c->max_content = cJSON_IsNumber(mcl) && mcl->valuedouble >= 1024 &&
						 mcl->valuedouble < 1e12
					     ? (long)mcl->valuedouble
					     : (long)DEFAULT_MAX_CONTENT;
			int v21 = 0;
			const cJSON *v;
			cJSON_ArrayForEach(v, versions) v21 |=
			    cJSON_IsString(v) && strstr(v->valuestring, "version=2.1") != NULL;
			cJSON_Delete(d);
			if (!v21) {
				fprintf(stderr, "verbinding taxii: %s does not offer TAXII 2.1\n",
					c->root);
				rc = VB_EINPUT;
			}
			break;
		}
		const char *def = json_str(d, "default");
		if (!def && cJSON_GetArraySize(roots) == 1 &&
		    cJSON_IsString(cJSON_GetArrayItem(roots, 0)))
			def = cJSON_GetArrayItem(roots, 0)->valuestring;
		char next[URL_MAX - 1];
		if (hop == 0 && def && resolve(c->root, def, next, sizeof next) == 0) {
			snprintf(c->root, sizeof c->root, "%s%s", next,
				 next[strlen(next) - 1] == '/' ? "" : "/");
			cJSON_Delete(d);
			continue;
		}
		cJSON_Delete(d);
		fprintf(stderr,
			"verbinding taxii: %s is neither an API root nor a discovery resource with "
			"a default API root\n",
			c->root);
		rc = VB_EINPUT;
		break;
	}
	buf_free(&r.body);
	if (!rc && check_url(c->root))
		rc = VB_EINPUT;
	return rc;
}

/* ---- pull ---- */

/* Imports one page in one transaction with the new state. */
static int import_page(struct store *s, struct ingest *ig, const struct taxii_pull_opts *p,
		       const cJSON *objects, const char *root, const char *coll, const char *state,
		       struct taxii_pull_stats *st)
{
	int rc = store_begin(s);
	if (rc)
		return rc;
	long before = ingest_rejected(ig), n = 0, owned = 0;
	const cJSON *o;
	const struct store_ident_ops *ident = store_ident(s);
	cJSON_ArrayForEach(o, objects)
	{
		n++;
		const char *id = json_str(o, "id");
		int64_t owner;
		int tlp;
		/* A version of an object this store's organisation created is not
		 * overwritten by a copy coming back from elsewhere. */
		if (id && ident->object_owner(s, id, &owner, &tlp) == 0 && owner != p->owner_org) {
			owned++;
			continue;
		}
		char ptr[80];
		snprintf(ptr, sizeof ptr, "page %ld /objects/%ld", st->pages + 1, n - 1);
		struct ingest_pos pos = {0, 0, ptr};
		/* ingest_emit may change the object (upgrade, marking): it is
		 * this page's own tree, freed after the page. */
		rc = ingest_emit(ig, (cJSON *)o, &pos);
		if (rc)
			break;
	}
	long rejected = ingest_rejected(ig) - before;
	if (!rc && rejected && !p->skip_invalid) {
		fprintf(
		    stderr,
		    "verbinding taxii pull: page %ld: %ld invalid object(s); nothing stored from "
		    "this page (--skip-invalid stores the valid ones)\n",
		    st->pages + 1, rejected);
		rc = VB_EINPUT;
	}
	if (!rc && state[0])
		rc = store_taxii(s)->pull_set(s, root, coll, state);
	if (!rc)
		rc = store_commit(s);
	if (rc) {
		store_rollback(s);
		return rc;
	}
	st->pages++;
	st->objects += n;
	st->rejected += rejected;
	st->skipped_owned += owned;
	st->stored += n - rejected - owned;
	return 0;
}

int taxii_pull(struct store *s, const struct taxii_client_opts *c, const struct taxii_pull_opts *p,
	       struct taxii_pull_stats *st)
{
	memset(st, 0, sizeof *st);
	struct client cl;
	int rc = client_init(&cl, c);
	char coll[512], state[40] = "";
	url_escape(c->collection, coll, sizeof coll);
	if (!rc && !p->full)
		rc = store_taxii(s)->pull_get(s, cl.root, c->collection, state, sizeof state);
	struct ingest_opts io = {
	    .skip_invalid = 1, .confidence = -1, .owner_org = p->owner_org, .tlp = p->tlp};
	struct ingest *ig = rc ? NULL : ingest_new(s, &io);
	struct reply r;
	buf_init(&r.body, RESPONSE_MAX);
	char *next = NULL;
	char added_after[40];
	snprintf(added_after, sizeof added_after, "%s", state);
	while (!rc) {
		char url[URL_MAX + 1024], esc[1024];
		int k = snprintf(url, sizeof url, "%scollections/%s/objects/?limit=%ld%s", cl.root,
				 coll, p->limit > 0 ? p->limit : 1000L,
				 p->latest_only ? "" : "&match%5Bversion%5D=all");
		if (added_after[0]) {
			url_escape(added_after, esc, sizeof esc);
			k += snprintf(url + k, sizeof url - (size_t)k, "&added_after=%s", esc);
		}
		if (next) {
			url_escape(next, esc, sizeof esc);
			snprintf(url + k, sizeof url - (size_t)k, "&next=%s", esc);
		}
		if ((rc = request(&cl, url, NULL, 0, &r)) != 0)
			break;
		if (r.status != 200) {
			rc = http_fail("GET", url, &r);
			break;
		}
		cJSON *env = cJSON_ParseWithLength(r.body.p, r.body.len);
		if (!cJSON_IsObject(env)) {
			cJSON_Delete(env);
			fprintf(stderr,
				"verbinding taxii pull: the server's answer is not an envelope\n");
			rc = VB_EINPUT;
			break;
		}
		const cJSON *objects = cJSON_GetObjectItemCaseSensitive(env, "objects");
		int more = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(env, "more"));
		const char *nx = json_str(env, "next");
		if (r.added_last[0])
			snprintf(state, sizeof state, "%s", r.added_last);
		if (cJSON_IsArray(objects) || r.added_last[0])
			rc = import_page(s, ig, p, cJSON_IsArray(objects) ? objects : NULL, cl.root,
					 c->collection, state, st);
		free(next);
		next = nx && more ? xstrdup(nx) : NULL;
		cJSON_Delete(env);
		if (rc || !more)
			break;
		if (!next) {
			/* No cursor: page on by date added, as TAXII 2.1 allows. */
			if (!r.added_last[0] || strcmp(added_after, r.added_last) == 0) {
				fprintf(stderr,
					"verbinding taxii pull: the server says there is more "
					"but gives neither next nor X-TAXII-Date-Added-Last; "
					"stopping\n");
				break;
			}
			snprintf(added_after, sizeof added_after, "%s", r.added_last);
		}
	}
	free(next);
	snprintf(st->added_last, sizeof st->added_last, "%s", state);
	if (ig && st->objects)
		ingest_summary(ig, stderr);
	ingest_free(ig);
	buf_free(&r.body);
	client_free(&cl);
	return rc;
}

/* ---- push ---- */

struct taxii_pusher {
	struct client c;
	char url[URL_MAX + 600];
	struct buf env; /* the envelope being filled */
	long in_env;
	struct reply r;
	struct taxii_push_stats st;
	int rc;
};

static const char ENV_HEAD[] = "{\"objects\":[";
static const char ENV_TAIL[] = "]}";

struct taxii_pusher *taxii_push_begin(const struct taxii_client_opts *o, int *rc)
{
	struct taxii_pusher *p = xcalloc(1, sizeof *p);
	*rc = client_init(&p->c, o);
	if (*rc) {
		client_free(&p->c);
		free(p);
		return NULL;
	}
	char coll[512];
	url_escape(o->collection, coll, sizeof coll);
	snprintf(p->url, sizeof p->url, "%scollections/%s/objects/", p->c.root, coll);
	buf_init(&p->env, (size_t)p->c.max_content);
	buf_init(&p->r.body, RESPONSE_MAX);
	return p;
}

static void print_details(const cJSON *list, const char *what)
{
	const cJSON *d;
	cJSON_ArrayForEach(d, list)
	{
		const char *id = json_str(d, "id"), *v = json_str(d, "version"),
			   *m = json_str(d, "message");
		char si[300], sv[40], sm[500];
		fprintf(stderr, "verbinding taxii push: %s: %s %s%s%s\n", what,
			id && *id ? shown_text(id, si, sizeof si) : "(no id)",
			shown_text(v, sv, sizeof sv), m ? ": " : "", shown_text(m, sm, sizeof sm));
	}
}

static long count_of(const cJSON *st, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(st, k);
	return cJSON_IsNumber(v) ? (long)v->valuedouble : 0;
}

/* Posts the envelope and follows its status to the end. */
static int flush(struct taxii_pusher *p)
{
	if (!p->in_env)
		return 0;
	buf_add(&p->env, ENV_TAIL, sizeof ENV_TAIL - 1);
	int rc = request(&p->c, p->url, p->env.p, p->env.len, &p->r);
	long sent = p->in_env;
	p->st.batches++;
	buf_reset(&p->env);
	p->in_env = 0;
	if (rc)
		return rc;
	if (p->r.status != 202 && p->r.status != 200 && p->r.status != 201)
		return http_fail("POST", p->url, &p->r);
	cJSON *st = cJSON_ParseWithLength(p->r.body.p, p->r.body.len);
	const char *id = json_str(st, "id");
	time_t t0 = time(NULL);
	while (st && id &&
	       strcmp(json_str(st, "status") ? json_str(st, "status") : "", "pending") == 0 &&
	       time(NULL) - t0 < POLL_SECONDS) {
		struct timespec ts = {1, 0};
		nanosleep(&ts, NULL);
		char esc[256], url[URL_MAX + 300];
		url_escape(id, esc, sizeof esc);
		snprintf(url, sizeof url, "%sstatus/%s/", p->c.root, esc);
		if ((rc = request(&p->c, url, NULL, 0, &p->r)) != 0 || p->r.status != 200) {
			rc = rc ? rc : http_fail("GET", url, &p->r);
			break;
		}
		cJSON_Delete(st);
		st = cJSON_ParseWithLength(p->r.body.p, p->r.body.len);
		id = json_str(st, "id");
	}
	if (!rc && !cJSON_IsObject(st)) {
		fprintf(stderr, "verbinding taxii push: the server's answer is not a status "
				"resource\n");
		rc = VB_EINPUT;
	}
	if (!rc) {
		long ok = count_of(st, "success_count"), bad = count_of(st, "failure_count"),
		     pend = count_of(st, "pending_count");
		if (ok + bad + pend == 0)
			ok = sent; /* a server that answers without counts */
		p->st.succeeded += ok;
		p->st.failed += bad;
		p->st.pending += pend;
		print_details(cJSON_GetObjectItemCaseSensitive(st, "failures"), "failed");
		char sid[80];
		if (pend)
			fprintf(stderr,
				"verbinding taxii push: %ld object(s) still pending after %d s "
				"(status %s)\n",
				pend, POLL_SECONDS, id ? shown_text(id, sid, sizeof sid) : "?");
	}
	cJSON_Delete(st);
	return rc;
}

int taxii_push_add(struct taxii_pusher *p, const char *json, size_t len)
{
	if (p->rc)
		return p->rc;
	size_t frame = sizeof ENV_HEAD - 1 + sizeof ENV_TAIL - 1;
	p->st.objects++;
	if (len + frame > (size_t)p->c.max_content) {
		p->st.failed++;
		fprintf(stderr,
			"verbinding taxii push: failed: an object of %zu bytes is larger than the "
			"server's max_content_length (%ld)\n",
			len, p->c.max_content);
		return 0;
	}
	if (p->in_env && p->env.len + 1 + len + sizeof ENV_TAIL - 1 > (size_t)p->c.max_content)
		p->rc = flush(p);
	if (p->rc)
		return p->rc;
	if (!p->in_env)
		buf_add(&p->env, ENV_HEAD, sizeof ENV_HEAD - 1);
	else
		buf_addc(&p->env, ',');
	buf_add(&p->env, json, len);
	p->in_env++;
	return 0;
}

int taxii_push_end(struct taxii_pusher *p, struct taxii_push_stats *st)
{
	int rc = p->rc ? p->rc : flush(p);
	*st = p->st;
	buf_free(&p->env);
	buf_free(&p->r.body);
	client_free(&p->c);
	free(p);
	if (!rc && (st->failed || st->pending))
		rc = VB_EINPUT;
	return rc;
}
