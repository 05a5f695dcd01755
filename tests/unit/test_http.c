/* test_http.c: request-target parsing, routing, media types, the limiter,
 * cursors, the REST error shape, and the OpenAPI document against the
 * route tables (every route listed, every listed operation routed). */
#include "test.h"
#include "../../src/http/http_internal.h"
#include "../../src/http/rest.h"

#include <cjson/cJSON.h>
#include <sodium.h>
#include <stdlib.h>

static int parse(const char *t, struct http_arena *a, struct http_target *out, const char **why)
{
	return http_parse_target(a, t, strlen(t), out, why);
}

TEST(http_parse_target_ok)
{
	struct http_arena a = {0};
	struct http_target t;
	const char *why;
	CHECK_INT(parse("/api/v1/objects/a%20b/?x=1&y=a+b&x=%2F&flag", &a, &t, &why), 0);
	CHECK_STR(t.path, "/api/v1/objects/a b");
	CHECK_INT(t.n_query, 4);
	CHECK_STR(t.query[0].key, "x");
	CHECK_STR(t.query[1].value, "a b");
	CHECK_STR(t.query[2].value, "/");
	CHECK_STR(t.query[3].key, "flag");
	CHECK_STR(t.query[3].value, "");
	CHECK_INT(parse("/", &a, &t, &why), 0);
	CHECK_STR(t.path, "/");
	CHECK_INT(parse("/a?", &a, &t, &why), 0);
	CHECK_INT(t.n_query, 0);
	http_arena_free(&a);
}

TEST(http_parse_target_refused)
{
	static const char *const bad[] = {
	    "",		 "api",		"/a//b",     "/a/../b",	 "/a/./b", "/a/%2e%2e",
	    "/a/%2F",	 "/a/%00",	"/a/%0d%0a", "/a/%zz",	 "/a/%4",  "/a b",
	    "/a#frag",	 "/a\"",	"/a?%00=1",  "/a?k=%0a", "/a?=v",  "/a/\x80",
	    "/a/%ff%fe", "/a?x=%c0%af", "/a\\b",     "/a<b>",
	};
	struct http_arena a = {0};
	struct http_target t;
	const char *why;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		int rc = parse(bad[i], &a, &t, &why);
		if (rc != VB_EUSAGE)
			fprintf(stderr, "  accepted: %s\n", bad[i]);
		CHECK_INT(rc, VB_EUSAGE);
	}
	/* Limits: parameters and segments. */
	char many[4096] = "/a?";
	for (int i = 0; i < HTTP_MAX_QUERY_PARAMS + 1; i++)
		strcat(many, "k=v&");
	CHECK_INT(parse(many, &a, &t, &why), VB_EUSAGE);
	char deep[512] = "";
	for (int i = 0; i < HTTP_MAX_SEGMENTS + 1; i++)
		strcat(deep, "/s");
	CHECK_INT(parse(deep, &a, &t, &why), VB_EUSAGE);
	http_arena_free(&a);
}

static int h_dummy(struct http_request *req, struct http_response *res)
{
	(void)req;
	(void)res;
	return 0;
}

static const struct http_route test_routes[] = {
    {.method = HTTP_GET, .path = "/x/objects/{id}", .handler = h_dummy},
    {.method = HTTP_GET, .path = "/x/objects/search", .handler = h_dummy},
    {.method = HTTP_POST, .path = "/x/objects/{id}/versions/", .handler = h_dummy},
    {.method = HTTP_DELETE, .path = "/x/g/{name}/members/{org}", .handler = h_dummy},
    {0},
};
static const struct http_route_table test_table = {
    .name = "t", .prefix = "/x", .routes = test_routes};

TEST(http_routing)
{
	const struct http_route_table *tables[] = {&test_table, NULL};
	struct http_arena a = {0};
	struct http_match m;
	CHECK_INT(http_route_find(&a, tables, HTTP_GET, "/x/objects/abc", &m), 0);
	CHECK(m.route == &test_routes[0]);
	CHECK_INT(m.n_params, 1);
	CHECK_STR(m.params[0].key, "id");
	CHECK_STR(m.params[0].value, "abc");
	/* A literal segment wins over a parameter. */
	CHECK_INT(http_route_find(&a, tables, HTTP_GET, "/x/objects/search", &m), 0);
	CHECK(m.route == &test_routes[1]);
	/* HEAD is served by GET; the trailing slash is not significant. */
	CHECK_INT(http_route_find(&a, tables, HTTP_HEAD, "/x/objects/abc", &m), 0);
	CHECK_INT(http_route_find(&a, tables, HTTP_POST, "/x/objects/abc/versions", &m), 0);
	CHECK(m.route == &test_routes[2]);
	CHECK_INT(http_route_find(&a, tables, HTTP_DELETE, "/x/g/EU WP/members/Org A", &m), 0);
	CHECK_STR(m.params[0].value, "EU WP");
	CHECK_STR(m.params[1].value, "Org A");
	/* Known path, other method: 405 with the methods allowed. */
	CHECK_INT(http_route_find(&a, tables, HTTP_PUT, "/x/objects/abc", &m), VB_ENOTFOUND);
	CHECK(m.method_not_allowed);
	CHECK(m.allowed & HTTP_GET);
	CHECK(m.table == &test_table);
	/* Unknown path under the prefix: this table's 404. */
	CHECK_INT(http_route_find(&a, tables, HTTP_GET, "/x/nothing/here/at/all", &m),
		  VB_ENOTFOUND);
	CHECK(!m.method_not_allowed);
	CHECK(m.table == &test_table);
	CHECK_INT(http_route_find(&a, tables, HTTP_GET, "/xyz", &m), VB_ENOTFOUND);
	CHECK(m.table == NULL);
	CHECK_INT(http_route_find(&a, tables, HTTP_GET, "/x/objects", &m), VB_ENOTFOUND);
	http_arena_free(&a);
}

TEST(http_media_types)
{
	CHECK(http_media_type_is("application/json", "application/json"));
	CHECK(http_media_type_is("Application/JSON; charset=utf-8", "application/json"));
	CHECK(!http_media_type_is("application/jsonx", "application/json"));
	CHECK(!http_media_type_is("text/plain", "application/json"));
	CHECK(!http_media_type_is(NULL, "application/json"));
	CHECK(http_media_type_is("application/taxii+json;version=2.1",
				 "application/taxii+json; version=2.1"));
	CHECK(!http_media_type_is("application/taxii+json;version=2.0",
				  "application/taxii+json;version=2.1"));
	CHECK(!http_media_type_is("application/taxii+json", "application/taxii+json;version=2.1"));
	CHECK(http_media_type_is("application/taxii+json; version=\"2.1\"",
				 "application/taxii+json;version=2.1"));
}

TEST(http_limiter)
{
	struct http_limiter *l = http_limiter_new(3, 60);
	int retry = 0;
	int64_t now = 1000000000;
	CHECK(!http_limiter_blocked(l, "ip:1.2.3.4", now, &retry));
	http_limiter_fail(l, "ip:1.2.3.4", now);
	http_limiter_fail(l, "ip:1.2.3.4", now);
	CHECK(!http_limiter_blocked(l, "ip:1.2.3.4", now, &retry));
	http_limiter_fail(l, "ip:1.2.3.4", now);
	CHECK(http_limiter_blocked(l, "ip:1.2.3.4", now + 1000000, &retry));
	CHECK(retry > 0 && retry <= 60);
	CHECK(!http_limiter_blocked(l, "ip:5.6.7.8", now, &retry));
	/* A success does not lift a block in force. */
	http_limiter_clear(l, "ip:1.2.3.4");
	CHECK(http_limiter_blocked(l, "ip:1.2.3.4", now + 2000000, &retry));
	/* It ends after the window. */
	CHECK(!http_limiter_blocked(l, "ip:1.2.3.4", now + 61000000, &retry));
	/* Flooding other keys does not evict a block. */
	http_limiter_fail(l, "k", now);
	http_limiter_fail(l, "k", now);
	http_limiter_fail(l, "k", now);
	char key[32];
	for (int i = 0; i < 100000; i++) {
		snprintf(key, sizeof key, "user:%d", i);
		http_limiter_fail(l, key, now);
	}
	CHECK(http_limiter_blocked(l, "k", now + 1000000, &retry));
	http_limiter_free(l);
}

/* A request good enough for the helpers that need one. */
struct fake {
	struct http_arena arena; /* first, as in the server's request state */
	struct http_server srv;
	struct http_request req;
	struct http_response res;
};

static void fake_init(struct fake *f, int64_t user)
{
	memset(f, 0, sizeof *f);
	for (int i = 0; i < IDENT_KEY_LEN; i++)
		f->srv.key[i] = (unsigned char)i;
	f->req.priv = &f->arena;
	f->req.server = &f->srv;
	f->req.caller.user_id = user;
	buf_init(&f->res.body, 1 << 24);
}

static void fake_free(struct fake *f)
{
	buf_free(&f->res.body);
	http_arena_free(&f->arena);
}

TEST(http_cursors)
{
	struct fake a, b;
	fake_init(&a, 11);
	fake_init(&b, 12);
	char c[HTTP_CURSOR_MAX];
	int64_t seq = 0;
	CHECK_INT(http_cursor_make(&a.req, "/objects&type=x", 4242, c), 0);
	CHECK_INT(http_cursor_parse(&a.req, "/objects&type=x", c, &seq), 0);
	CHECK_INT(seq, 4242);
	/* Another user, another listing, a changed byte, garbage: refused. */
	CHECK_INT(http_cursor_parse(&b.req, "/objects&type=x", c, &seq), VB_EUSAGE);
	CHECK_INT(http_cursor_parse(&a.req, "/objects&type=y", c, &seq), VB_EUSAGE);
	c[5] = c[5] == 'A' ? 'B' : 'A';
	CHECK_INT(http_cursor_parse(&a.req, "/objects&type=x", c, &seq), VB_EUSAGE);
	CHECK_INT(http_cursor_parse(&a.req, "/objects&type=x", "!!", &seq), VB_EUSAGE);
	CHECK_INT(http_cursor_parse(&a.req, "/objects&type=x", "", &seq), VB_EUSAGE);
	/* Another instance key. */
	CHECK_INT(http_cursor_make(&a.req, "s", 1, c), 0);
	a.srv.key[0] ^= 1;
	CHECK_INT(http_cursor_parse(&a.req, "s", c, &seq), VB_EUSAGE);
	fake_free(&a);
	fake_free(&b);
}

TEST(http_error_shape)
{
	struct fake f;
	fake_init(&f, 1);
	http_error(&f.req, &f.res, 404, "no such \"thing\"\n");
	CHECK_INT(f.res.status, 404);
	cJSON *d = cJSON_Parse(f.res.body.p);
	CHECK(d != NULL);
	cJSON *e = cJSON_GetObjectItem(d, "error");
	CHECK_INT(cJSON_GetObjectItem(e, "status")->valueint, 404);
	CHECK_STR(cJSON_GetObjectItem(e, "title")->valuestring, "Not Found");
	CHECK_STR(cJSON_GetObjectItem(e, "detail")->valuestring, "no such \"thing\"\n");
	cJSON_Delete(d);
	CHECK_INT(http_status_of(VB_ENOTFOUND), 404);
	CHECK_INT(http_status_of(VB_EDENIED), 403);
	CHECK_INT(http_status_of(VB_ECONFLICT), 409);
	CHECK_INT(http_status_of(VB_ESTORE), 500);
	/* Header injection through a handler's extra header is refused. */
	CHECK_INT(http_header_add(&f.req, &f.res, "X-A", "ok"), 0);
	CHECK_INT(http_header_add(&f.req, &f.res, "X-B", "a\r\nSet-Cookie: x=1"), VB_EUSAGE);
	CHECK_INT(http_header_add(&f.req, &f.res, "Content-Security-Policy", "none"), VB_EUSAGE);
	CHECK_INT(http_header_add(&f.req, &f.res, "Bad Name", "v"), VB_EUSAGE);
	fake_free(&f);
}

TEST(http_openapi_matches_routes)
{
	struct fake f;
	fake_init(&f, 1);
	CHECK_INT(rest_openapi(&f.req, &f.res), 0);
	CHECK_INT(f.res.status, 200);
	cJSON *doc = cJSON_Parse(f.res.body.p);
	CHECK(doc != NULL);
	cJSON *paths = cJSON_GetObjectItem(doc, "paths");
	const struct http_route_table *const *tables = http_tables();
	size_t routes = 0, ops = 0;
	/* Every route of every table is in the document ... */
	for (size_t t = 0; tables[t]; t++)
		for (const struct http_route *r = tables[t]->routes; r->path; r++) {
			char m[16];
			snprintf(m, sizeof m, "%s", http_method_name(r->method));
			for (char *p = m; *p; p++)
				*p = (char)(*p + 32);
			cJSON *op = cJSON_GetObjectItem(cJSON_GetObjectItem(paths, r->path), m);
			if (!op)
				fprintf(stderr, "  not documented: %s %s\n", m, r->path);
			CHECK(op != NULL);
			CHECK(r->summary && r->description);
			routes++;
		}
	/* ... and every documented operation routes to a route of that path. */
	struct http_arena a = {0};
	cJSON *path;
	cJSON_ArrayForEach(path, paths)
	{
		cJSON *op;
		cJSON_ArrayForEach(op, path)
		{
			static const struct {
				const char *n;
				enum http_method m;
			} ms[] = {{"get", HTTP_GET},
				  {"post", HTTP_POST},
				  {"put", HTTP_PUT},
				  {"delete", HTTP_DELETE},
				  {"patch", HTTP_PATCH}};
			enum http_method m = 0;
			for (size_t i = 0; i < sizeof ms / sizeof ms[0]; i++)
				if (strcmp(ms[i].n, op->string) == 0)
					m = ms[i].m;
			CHECK(m != 0);
			struct http_match mt;
			/* Route the pattern itself: each {x} is one segment. */
			CHECK_INT(http_route_find(&a, tables, m, path->string, &mt), 0);
			CHECK(mt.route && strcmp(mt.route->path, path->string) == 0);
			ops++;
		}
	}
	CHECK_INT(ops, routes);
	CHECK(routes >= 30);
	http_arena_free(&a);
	cJSON_Delete(doc);
	fake_free(&f);
}
