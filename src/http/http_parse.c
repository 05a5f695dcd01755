/*
 * http_parse.c: the pure half of the HTTP layer: the request arena, request
 * target parsing (path segments and query pairs, percent-decoding, the
 * checks that keep traversal and control characters out), routing against
 * the route tables, query accessors and media-type matching. Nothing here
 * touches the network or the store, so the fuzzer drives it directly.
 */
#include "http.h"
#include "../util/util.h"

#include <stdalign.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- arena ---- */

struct http_arena_chunk {
	struct http_arena_chunk *next;
	size_t used, cap;
	alignas(max_align_t) unsigned char data[];
};

void *http_arena_alloc(struct http_arena *a, size_t n)
{
	const size_t align = alignof(max_align_t);
	n = (n + align - 1) & ~(align - 1);
	if (n == 0)
		n = align;
	if (a->max && (n > a->max || a->total > a->max - n))
		return NULL;
	struct http_arena_chunk *c = a->head;
	if (!c || c->cap - c->used < n) {
		size_t cap = n > 8192 ? n : 8192;
		c = xmalloc(sizeof *c + cap);
		c->used = 0;
		c->cap = cap;
		c->next = a->head;
		a->head = c;
	}
	void *p = c->data + c->used;
	c->used += n;
	a->total += n;
	return p;
}

void http_arena_free(struct http_arena *a)
{
	struct http_arena_chunk *c = a->head;
	while (c) {
		struct http_arena_chunk *next = c->next;
		free(c);
		c = next;
	}
	a->head = NULL;
	a->total = 0;
}

static char *arena_strndup(struct http_arena *a, const char *s, size_t n)
{
	char *p = http_arena_alloc(a, n + 1);
	if (!p)
		return NULL;
	memcpy(p, s, n);
	p[n] = 0;
	return p;
}

/* ---- request target ---- */

/* Percent-decodes s[0..n) into out (which holds n + 1 bytes); plus_space
 * turns '+' into ' ' (query strings). Returns the decoded length or -1 on
 * a malformed escape. */
static long pct_decode(const char *s, size_t n, char *out, int plus_space)
{
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (c == '%') {
			if (i + 2 >= n)
				return -1;
			int h = hex_digit(s[i + 1]), l = hex_digit(s[i + 2]);
			if (h < 0 || l < 0)
				return -1;
			out[k++] = (char)(h << 4 | l);
			i += 2;
		} else if (c == '+' && plus_space) {
			out[k++] = ' ';
		} else {
			out[k++] = c;
		}
	}
	out[k] = 0;
	return (long)k;
}

/* A decoded path segment or query item is acceptable: no NUL, no control
 * characters, valid UTF-8. */
static int clean_text(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x20 || c == 0x7f)
			return 0;
	}
	return utf8_valid(s, n);
}

/* Bytes allowed raw in a request target: printable ASCII except space,
 * '#', and the characters RFC 3986 never allows unescaped. */
static int raw_ok(unsigned char c)
{
	if (c <= 0x20 || c >= 0x7f)
		return 0;
	return !strchr("#\"<>\\^`{|}", c);
}

static int parse_path(struct http_arena *a, const char *p, size_t n, char **out, const char **why)
{
	char *path = http_arena_alloc(a, n + 2);
	char *seg = http_arena_alloc(a, n + 1);
	if (!path || !seg) {
		*why = "request target too large";
		return VB_EUSAGE;
	}
	size_t len = 0, nseg = 0, i = 1; /* p[0] == '/' */
	while (i < n) {
		size_t j = i;
		while (j < n && p[j] != '/')
			j++;
		size_t sl = j - i;
		if (sl == 0) {
			if (j == n)
				break; /* one trailing '/' is not significant */
			*why = "empty path segment ('//')";
			return VB_EUSAGE;
		}
		long dl = pct_decode(p + i, sl, seg, 0);
		if (dl < 0) {
			*why = "malformed percent-escape in the path";
			return VB_EUSAGE;
		}
		if (dl == 0 || memchr(seg, '/', (size_t)dl) || !clean_text(seg, (size_t)dl)) {
			*why = "path segment holds '/', a control character or invalid UTF-8";
			return VB_EUSAGE;
		}
		if ((dl == 1 && seg[0] == '.') || (dl == 2 && seg[0] == '.' && seg[1] == '.')) {
			*why = "'.' and '..' are not allowed in paths";
			return VB_EUSAGE;
		}
		if (++nseg > HTTP_MAX_SEGMENTS) {
			*why = "too many path segments";
			return VB_EUSAGE;
		}
		path[len++] = '/';
		memcpy(path + len, seg, (size_t)dl);
		len += (size_t)dl;
		i = j + 1;
	}
	if (len == 0)
		path[len++] = '/';
	path[len] = 0;
	*out = path;
	return 0;
}

static int parse_query(struct http_arena *a, const char *q, size_t n, struct http_target *t,
		       const char **why)
{
	size_t cap = 1;
	for (size_t i = 0; i < n; i++)
		cap += q[i] == '&';
	if (cap > HTTP_MAX_QUERY_PARAMS)
		cap = HTTP_MAX_QUERY_PARAMS + 1;
	t->query = http_arena_alloc(a, cap * sizeof *t->query);
	if (!t->query) {
		*why = "request target too large";
		return VB_EUSAGE;
	}
	size_t i = 0;
	while (i < n) {
		size_t j = i;
		while (j < n && q[j] != '&')
			j++;
		if (j > i) {
			if (t->n_query == HTTP_MAX_QUERY_PARAMS) {
				*why = "too many query parameters";
				return VB_EUSAGE;
			}
			const char *eq = memchr(q + i, '=', j - i);
			size_t kl = eq ? (size_t)(eq - (q + i)) : j - i;
			size_t vl = eq ? (size_t)(q + j - eq - 1) : 0;
			char *k = http_arena_alloc(a, kl + 1), *v = http_arena_alloc(a, vl + 1);
			if (!k || !v) {
				*why = "request target too large";
				return VB_EUSAGE;
			}
			long kd = pct_decode(q + i, kl, k, 1);
			long vd = eq ? pct_decode(eq + 1, vl, v, 1) : (v[0] = 0, 0);
			if (kd < 0 || vd < 0) {
				*why = "malformed percent-escape in the query";
				return VB_EUSAGE;
			}
			if (kd == 0) {
				*why = "empty query parameter name";
				return VB_EUSAGE;
			}
			if (!clean_text(k, (size_t)kd) || !clean_text(v, (size_t)vd)) {
				*why = "query parameter holds a control character or invalid UTF-8";
				return VB_EUSAGE;
			}
			t->query[t->n_query++] = (struct http_param){k, v};
		}
		i = j + 1;
	}
	return 0;
}

int http_parse_target(struct http_arena *a, const char *target, size_t len, struct http_target *out,
		      const char **why)
{
	memset(out, 0, sizeof *out);
	*why = "bad request target";
	if (len == 0 || len > HTTP_MAX_TARGET) {
		*why = len ? "request target too long" : "empty request target";
		return VB_EUSAGE;
	}
	if (target[0] != '/') {
		*why = "request target must be a path starting with '/'";
		return VB_EUSAGE;
	}
	size_t qpos = len;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)target[i];
		if (c == '?' && qpos == len) {
			qpos = i;
			continue;
		}
		if (!raw_ok(c)) {
			*why = "request target holds a character that must be percent-encoded";
			return VB_EUSAGE;
		}
	}
	int rc = parse_path(a, target, qpos, &out->path, why);
	if (!rc && qpos < len)
		rc = parse_query(a, target + qpos + 1, len - qpos - 1, out, why);
	return rc;
}

/* ---- routing ---- */

/* Matches path against pattern. Returns -1 for no match, otherwise the
 * number of literal segments (more literals: a more specific route). */
static int match_pattern(struct http_arena *a, const char *pattern, const char *path,
			 struct http_param *params, size_t *n_params)
{
	const char *p = pattern, *s = path;
	int literals = 0;
	size_t np = 0;
	for (;;) {
		while (*p == '/')
			p++;
		while (*s == '/')
			s++;
		if (!*p || !*s)
			break;
		const char *pe = strchr(p, '/'), *se = strchr(s, '/');
		size_t pl = pe ? (size_t)(pe - p) : strlen(p);
		size_t sl = se ? (size_t)(se - s) : strlen(s);
		if (pl >= 2 && p[0] == '{' && p[pl - 1] == '}') {
			if (np == HTTP_MAX_PATH_PARAMS)
				return -1;
			if (params) {
				params[np].key = arena_strndup(a, p + 1, pl - 2);
				params[np].value = arena_strndup(a, s, sl);
				if (!params[np].key || !params[np].value)
					return -1;
			}
			np++;
		} else {
			if (pl != sl || memcmp(p, s, pl) != 0)
				return -1;
			literals++;
		}
		p += pl;
		s += sl;
	}
	if (*p || *s)
		return -1;
	if (n_params)
		*n_params = np;
	return literals;
}

static int prefix_holds(const char *prefix, const char *path)
{
	size_t n = strlen(prefix);
	if (n == 1 && prefix[0] == '/')
		return 1;
	return strncmp(path, prefix, n) == 0 && (path[n] == 0 || path[n] == '/');
}

int http_route_find(struct http_arena *a, const struct http_route_table *const *tables,
		    enum http_method method, const char *path, struct http_match *m)
{
	memset(m, 0, sizeof *m);
	enum http_method want = method == HTTP_HEAD ? HTTP_GET : method;
	int best = -1;
	for (size_t t = 0; tables[t]; t++) {
		const struct http_route_table *tb = tables[t];
		if (!m->table && tb->prefix && prefix_holds(tb->prefix, path))
			m->table = tb;
		for (const struct http_route *r = tb->routes; r && r->path; r++) {
			int score = match_pattern(NULL, r->path, path, NULL, NULL);
			if (score < 0)
				continue;
			m->allowed |= r->method | (r->method == HTTP_GET ? HTTP_HEAD : 0);
			if (r->method != want || score <= best)
				continue;
			best = score;
			m->route = r;
			m->table = tb;
		}
	}
	if (!m->route) {
		m->method_not_allowed = m->allowed != 0;
		return VB_ENOTFOUND;
	}
	if (match_pattern(a, m->route->path, path, m->params, &m->n_params) < 0) {
		m->route = NULL; /* the arena ran out */
		return VB_ENOTFOUND;
	}
	return 0;
}

const char *http_method_name(enum http_method m)
{
	switch (m) {
	case HTTP_GET:
		return "GET";
	case HTTP_HEAD:
		return "HEAD";
	case HTTP_POST:
		return "POST";
	case HTTP_PUT:
		return "PUT";
	case HTTP_DELETE:
		return "DELETE";
	case HTTP_PATCH:
		return "PATCH";
	case HTTP_OPTIONS:
		return "OPTIONS";
	}
	return "?";
}

/* ---- accessors ---- */

const char *http_query(const struct http_request *req, const char *key)
{
	return http_query_nth(req, key, 0);
}

size_t http_query_count(const struct http_request *req, const char *key)
{
	size_t n = 0;
	for (size_t i = 0; i < req->n_query; i++)
		n += strcmp(req->query[i].key, key) == 0;
	return n;
}

const char *http_query_nth(const struct http_request *req, const char *key, size_t n)
{
	for (size_t i = 0; i < req->n_query; i++)
		if (strcmp(req->query[i].key, key) == 0 && n-- == 0)
			return req->query[i].value;
	return NULL;
}

const char *http_param(const struct http_request *req, const char *name)
{
	for (size_t i = 0; i < req->n_params; i++)
		if (strcmp(req->params[i].key, name) == 0)
			return req->params[i].value;
	return NULL;
}

int http_split_list(struct http_request *req, const char *s, const char **out, int max)
{
	int n = 0;
	while (s && *s) {
		const char *e = strchr(s, ',');
		size_t len = e ? (size_t)(e - s) : strlen(s);
		if (len) {
			if (n == max)
				return -1;
			char *v = http_alloc(req, len + 1);
			memcpy(v, s, len);
			v[len] = 0;
			out[n++] = v;
		}
		s += len + (e ? 1 : 0);
	}
	return n;
}

/* ---- media types ---- */

/* Skips spaces and tabs. */
static const char *sp(const char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	return s;
}

/* Reads a token up to one of stop (or the end) into out, trimmed and
 * lower-cased, without surrounding quotes. Returns the position after it. */
static const char *token(const char *s, const char *stop, char *out, size_t cap)
{
	s = sp(s);
	size_t n = 0;
	int quoted = *s == '"';
	if (quoted)
		s++;
	while (*s && (quoted ? *s != '"' : !strchr(stop, *s))) {
		if (n + 1 < cap)
			out[n++] = (char)((*s >= 'A' && *s <= 'Z') ? *s + 32 : *s);
		s++;
	}
	if (quoted && *s == '"')
		s++;
	while (n && (out[n - 1] == ' ' || out[n - 1] == '\t'))
		n--;
	out[n] = 0;
	return sp(s);
}

struct media {
	char type[96];
	char pk[4][32], pv[4][32];
	int np;
	int q_zero;
};

/* Parses one media range up to ',' or the end; returns the position after. */
static const char *media_parse(const char *s, struct media *m)
{
	memset(m, 0, sizeof *m);
	s = token(s, ";,", m->type, sizeof m->type);
	while (*s == ';') {
		char k[32], v[32];
		s = token(s + 1, "=;,", k, sizeof k);
		v[0] = 0;
		if (*s == '=')
			s = token(s + 1, ";,", v, sizeof v);
		if (strcmp(k, "q") == 0) {
			m->q_zero = strtod(v, NULL) <= 0.0 && v[0];
			continue;
		}
		if (m->np < 4 && k[0]) {
			memcpy(m->pk[m->np], k, sizeof k);
			memcpy(m->pv[m->np], v, sizeof v);
			m->np++;
		}
	}
	return s;
}

static const char *media_param(const struct media *m, const char *k)
{
	for (int i = 0; i < m->np; i++)
		if (strcmp(m->pk[i], k) == 0)
			return m->pv[i];
	return NULL;
}

int http_media_type_is(const char *ct, const char *media_type)
{
	if (!ct)
		return 0;
	struct media have, want;
	media_parse(ct, &have);
	media_parse(media_type, &want);
	if (strcmp(have.type, want.type) != 0)
		return 0;
	for (int i = 0; i < want.np; i++) {
		const char *v = media_param(&have, want.pk[i]);
		if (!v || strcmp(v, want.pv[i]) != 0)
			return 0;
	}
	return 1;
}

int http_accepts(const struct http_request *req, const char *media_type)
{
	const char *acc = http_header(req, "Accept");
	if (!acc || !*sp(acc))
		return 1;
	struct media want;
	media_parse(media_type, &want);
	const char *slash = strchr(want.type, '/');
	size_t tl = slash ? (size_t)(slash - want.type) : strlen(want.type);
	const char *s = acc;
	while (*s) {
		struct media m;
		s = media_parse(s, &m);
		if (*s == ',')
			s++;
		if (m.q_zero)
			continue;
		if (strcmp(m.type, "*/*") == 0)
			return 1;
		size_t ml = strlen(m.type);
		if (ml == tl + 2 && strncmp(m.type, want.type, tl) == 0 &&
		    strcmp(m.type + tl, "/*") == 0)
			return 1;
		if (strcmp(m.type, want.type) != 0)
			continue;
		int ok = 1;
		for (int i = 0; i < m.np && ok; i++) {
			const char *v = media_param(&want, m.pk[i]);
			ok = v && strcmp(v, m.pv[i]) == 0;
		}
		if (ok)
			return 1;
	}
	return 0;
}
