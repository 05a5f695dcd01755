/*
 * fuzz_http_route.c: libFuzzer harness over the HTTP layer's request-target
 * parsing, query decoding, routing against the real route tables, media
 * types and paging cursors.
 *
 * Input: the first byte picks the method, the rest is the request target
 * (up to a NUL: after it, a media-type pair to compare). Invariants checked
 * on everything the parser accepts: the path starts with '/', has no empty,
 * "." or ".." segment and no control character; every query key is
 * non-empty and clean; every routed parameter is one non-empty segment.
 */
#include "../src/http/http_internal.h"

#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static void clean(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		assert(*p >= 0x20 && *p != 0x7f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const enum http_method methods[] = {HTTP_GET,	HTTP_HEAD,  HTTP_POST,	 HTTP_PUT,
						   HTTP_DELETE, HTTP_PATCH, HTTP_OPTIONS};
	if (size < 1)
		return 0;
	enum http_method m = methods[data[0] % (sizeof methods / sizeof methods[0])];
	const char *t = (const char *)data + 1;
	size_t n = size - 1;
	const char *nul = memchr(t, 0, n);
	size_t tl = nul ? (size_t)(nul - t) : n;

	struct http_arena a = {0};
	struct http_target target;
	const char *why = NULL;
	if (http_parse_target(&a, t, tl, &target, &why) == 0) {
		const char *p = target.path;
		assert(p[0] == '/');
		clean(p);
		assert(!strstr(p, "//"));
		assert(!strstr(p, "/../") && !strstr(p, "/./"));
		size_t pl = strlen(p);
		assert(!(pl >= 3 && strcmp(p + pl - 3, "/..") == 0));
		assert(!(pl >= 2 && strcmp(p + pl - 2, "/.") == 0));
		assert(target.n_query <= HTTP_MAX_QUERY_PARAMS);
		for (size_t i = 0; i < target.n_query; i++) {
			assert(target.query[i].key[0]);
			clean(target.query[i].key);
			clean(target.query[i].value);
		}
		struct http_match match;
		if (http_route_find(&a, http_tables(), m, p, &match) == 0) {
			assert(match.route && match.table);
			for (size_t i = 0; i < match.n_params; i++) {
				assert(match.params[i].value[0]);
				assert(!strchr(match.params[i].value, '/'));
			}
		}
	} else {
		assert(why && *why);
	}

	/* After the NUL: two media types separated by another NUL. */
	if (nul) {
		const char *rest = nul + 1;
		size_t rl = n - tl - 1;
		char *copy = malloc(rl + 1);
		memcpy(copy, rest, rl);
		copy[rl] = 0;
		const char *second = copy + strlen(copy) + (strlen(copy) < rl ? 1 : 0);
		(void)http_media_type_is(copy, second);
		/* A cursor parsed for a fake caller must never be accepted unless
		 * it was made with the key (it cannot be, from fuzz input). */
		static struct http_server srv;
		struct http_request req = {0};
		req.server = &srv;
		req.caller.user_id = 1;
		int64_t seq;
		(void)http_cursor_parse(&req, "scope", copy, &seq);
		free(copy);
	}
	http_arena_free(&a);
	return 0;
}
