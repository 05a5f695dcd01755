/* test_taxii.c: the pure parts of TAXII: the envelope splitter and
 * match[version] values (src/http/taxii_envelope.c). */
#include "test.h"
#include "../../src/http/taxii.h"

#include <stdlib.h>

static int split(const char *s, size_t max, struct taxii_span **sp, size_t *n,
		 struct taxii_envelope_err *e)
{
	return taxii_envelope_split(s, strlen(s), max, sp, n, e);
}

TEST(taxii_envelope_elements)
{
	const char *s =
	    " {\"more\": false, \"objects\": [ {\"id\":\"a--1\",\"x\":[1,{\"y\":\"]\"}]} ,"
	    "{\"id\":\"b\\\"}--2\"}, 7 ], \"next\": null}\n";
	struct taxii_span *sp;
	size_t n;
	struct taxii_envelope_err e;
	CHECK_INT(split(s, 10, &sp, &n, &e), 0);
	CHECK_INT(n, 3);
	if (n == 3) {
		CHECK(strncmp(s + sp[0].off, "{\"id\":\"a--1\",\"x\":[1,{\"y\":\"]\"}]}",
			      sp[0].len) == 0);
		CHECK_INT(sp[0].len, strlen("{\"id\":\"a--1\",\"x\":[1,{\"y\":\"]\"}]}"));
		CHECK(strncmp(s + sp[1].off, "{\"id\":\"b\\\"}--2\"}", sp[1].len) == 0);
		CHECK_INT(sp[2].len, 1);
		CHECK(s[sp[2].off] == '7');
	}
	free(sp);
}

TEST(taxii_envelope_not_an_envelope_is_422)
{
	static const char *const bodies[] = {
	    "[]",	   "[{\"id\":\"x\"}]", "{}",  "{\"objects\":{}}", "{\"objects\":[]}",
	    "\"objects\"", "{\"more\":true}",  "null"};
	for (size_t i = 0; i < sizeof bodies / sizeof bodies[0]; i++) {
		struct taxii_span *sp;
		size_t n;
		struct taxii_envelope_err e;
		CHECK_INT(split(bodies[i], 10, &sp, &n, &e), VB_EINPUT);
		CHECK_INT(e.status, 422);
		CHECK(sp == NULL);
	}
}

TEST(taxii_envelope_malformed_is_400)
{
	static const char *const bodies[] = {
	    "",
	    "{",
	    "{\"objects\":[{}",
	    "{\"objects\":[{}]} x",
	    "{\"objects\":[{},]}",
	    "{\"objects\":[{\"a\" 1}]}",
	    "{\"objects\":[\"\\q\"]}",
	    "{\"objects\":[\"\\u12\"]}",
	    "{\"objects\":[01]}",
	    "{\"objects\":[1.]}",
	    "{\"objects\":[tru]}",
	    "{\"objects\":[\"a\nb\"]}",
	    "{\"objects\":[1],\"objects\":[2]}",
	    "{'objects':[1]}",
	};
	for (size_t i = 0; i < sizeof bodies / sizeof bodies[0]; i++) {
		struct taxii_span *sp;
		size_t n;
		struct taxii_envelope_err e;
		int rc = split(bodies[i], 10, &sp, &n, &e);
		CHECK_INT(rc, VB_EINPUT);
		if (e.status != 400)
			fprintf(stderr, "  body %zu: status %d (%s)\n", i, e.status, e.msg);
		CHECK_INT(e.status, 400);
	}
}

TEST(taxii_envelope_limits)
{
	struct taxii_span *sp;
	size_t n;
	struct taxii_envelope_err e;
	CHECK_INT(split("{\"objects\":[1,2,3]}", 3, &sp, &n, &e), 0);
	CHECK_INT(n, 3);
	free(sp);
	CHECK_INT(split("{\"objects\":[1,2,3,4]}", 3, &sp, &n, &e), VB_EINPUT);
	CHECK_INT(e.status, 413);
	/* Depth: 200 nested arrays inside one element. */
	char deep[512];
	size_t k = 0;
	k += (size_t)snprintf(deep, sizeof deep, "{\"objects\":[");
	for (int i = 0; i < 200; i++)
		deep[k++] = '[';
	for (int i = 0; i < 200; i++)
		deep[k++] = ']';
	snprintf(deep + k, sizeof deep - k, "]}");
	CHECK_INT(split(deep, 10, &sp, &n, &e), VB_EINPUT);
	CHECK_INT(e.status, 400);
}

TEST(taxii_versions_values)
{
	struct taxii_versions v = {0};
	const char *why = NULL;
	CHECK_INT(taxii_versions_add(&v, "first,last", &why), 0);
	CHECK(v.first && v.last && !v.all);
	CHECK_INT(taxii_versions_add(&v, "2016-01-01T01:01:01.123Z", &why), 0);
	CHECK_INT(v.n_times, 1);
	CHECK_INT(v.times[0], 1451610061123000LL);
	CHECK_INT(taxii_versions_add(&v, "all", &why), 0);
	CHECK(v.all);
	CHECK_INT(taxii_versions_add(&v, "newest", &why), VB_EUSAGE);
	CHECK(why && strstr(why, "match[version]"));
	CHECK_INT(taxii_versions_add(&v, ",", &why), VB_EUSAGE);
	CHECK_INT(taxii_versions_add(&v, "2016-01-01", &why), VB_EUSAGE);
}
