/* test_match.c: the matcher on small indicator sets: exact values, subdomains,
 * CIDR edges, URL and e-mail normalisation, hashes, LIKE/MATCHES, comparisons
 * inside one observation, observations over time, what cannot be matched. */
#include "test.h"

#include "../../src/detect/match_int.h"
#include "../../src/detect/matcher.h"
#include "../../src/util/buf.h"
#include "../../src/util/util.h"

#include <stdlib.h>

#define ID(n) "indicator--00000000-0000-4000-8000-0000000000" #n

/* A matcher of the given patterns; indicator i gets ID(i + 10). */
static struct matcher *mk(const char *const *pats, int subdomains, int *failed_)
{
	struct match_opts o = {.subdomains = subdomains, .at = 1};
	struct matcher *m = matcher_new(&o);
	for (int i = 0; pats[i]; i++) {
		char id[64];
		snprintf(id, sizeof id, "indicator--00000000-0000-4000-8000-0000000000%02d",
			 i + 10);
		struct vb_err e;
		vb_err_clear(&e);
		if (matcher_add(m, id, strlen(id), pats[i], strlen(pats[i]), 0, &e) != 0) {
			fprintf(stderr, "  pattern %s: %s\n", pats[i], e.msg);
			*failed_ = 1;
		}
	}
	matcher_finish(m);
	return m;
}

/* Feeds one event with the given fields (name, kind, value triples). */
static void feed(struct match_ctx *c, uint64_t line, int64_t ts, size_t n, const char *const *names,
		 const enum obs_kind *kinds, const char *const *vals)
{
	struct log_field f[8];
	for (size_t i = 0; i < n; i++)
		f[i] = (struct log_field){names[i], kinds[i], vals[i], strlen(vals[i])};
	struct log_event ev = {
	    .source = "t.log", .line = line, .ts = ts, .fields = f, .nfields = n};
	match_event(c, &ev);
}

/* Number of hit lines when one value of kind k is looked up in a matcher of
 * one pattern. */
static int hits1(const char *pattern, int subdomains, enum obs_kind k, const char *value,
		 int *failed_)
{
	const char *pats[] = {pattern, NULL};
	struct matcher *m = mk(pats, subdomains, failed_);
	struct buf out;
	buf_init(&out, 1 << 20);
	struct match_ctx *c = match_ctx_new(m, &out);
	const char *names[] = {"f"};
	enum obs_kind kinds[] = {k};
	const char *vals[] = {value};
	feed(c, 1, 0, 1, names, kinds, vals);
	int n = 0;
	for (const char *p = out.p; p && (p = strstr(p, "\"indicators\"")); p++)
		n++;
	match_ctx_free(c);
	buf_free(&out);
	matcher_free(m);
	return n;
}

TEST(match_exact_domain)
{
	const char *p = "[domain-name:value = 'evil.example']";
	CHECK_INT(hits1(p, 0, OBS_DOMAIN, "evil.example", failed_), 1);
	CHECK_INT(hits1(p, 0, OBS_DOMAIN, "EVIL.Example.", failed_), 1);
	CHECK_INT(hits1(p, 0, OBS_DOMAIN, "sub.evil.example", failed_), 0);
	CHECK_INT(hits1(p, 0, OBS_DOMAIN, "example", failed_), 0);
	CHECK_INT(hits1(p, 0, OBS_DOMAIN, "notevil.example", failed_), 0);
	CHECK_INT(hits1(p, 0, OBS_DOMAIN, "evil.example.com", failed_), 0);
	CHECK_INT(hits1(p, 0, OBS_URL, "http://evil.example/", failed_), 0);
	/* The same through the parser (a form the fast path does not take). */
	CHECK_INT(
	    hits1("[domain-name:value='Evil.Example']", 0, OBS_DOMAIN, "evil.example", failed_), 1);
}

TEST(match_subdomains)
{
	const char *p = "[domain-name:value = 'evil.example']";
	CHECK_INT(hits1(p, 1, OBS_DOMAIN, "a.b.evil.example", failed_), 1);
	CHECK_INT(hits1(p, 1, OBS_DOMAIN, "evil.example", failed_), 1);
	CHECK_INT(hits1(p, 1, OBS_DOMAIN, "xevil.example", failed_), 0);
	CHECK_INT(hits1(p, 1, OBS_DOMAIN, "example", failed_), 0);
	CHECK_INT(hits1(p, 1, OBS_DOMAIN, "evil.example.org", failed_), 0);
	/* Per indicator: only the flagged one matches subdomains. */
	struct match_opts o = {.at = 1};
	struct matcher *m = matcher_new(&o);
	struct vb_err e;
	const char *a = "[domain-name:value = 'a.example']",
		   *b = "[domain-name:value = 'b.example']";
	CHECK_INT(matcher_add(m, ID(10), strlen(ID(10)), a, strlen(a), 1, &e), 0);
	CHECK_INT(matcher_add(m, ID(11), strlen(ID(11)), b, strlen(b), 0, &e), 0);
	matcher_finish(m);
	struct buf out;
	buf_init(&out, 1 << 20);
	struct match_ctx *c = match_ctx_new(m, &out);
	const char *names[] = {"query", "query"};
	enum obs_kind kinds[] = {OBS_DOMAIN, OBS_DOMAIN};
	const char *vals[] = {"x.a.example", "x.b.example"};
	feed(c, 1, 0, 2, names, kinds, vals);
	CHECK(out.p && strstr(out.p, ID(10)));
	CHECK(!out.p || !strstr(out.p, ID(11)));
	match_ctx_free(c);
	buf_free(&out);
	matcher_free(m);
}

TEST(match_cidr_v4_edges)
{
	const char *p = "[ipv4-addr:value = '198.51.100.0/24']";
	CHECK_INT(hits1(p, 0, OBS_IP, "198.51.100.0", failed_), 1);
	CHECK_INT(hits1(p, 0, OBS_IP, "198.51.100.255", failed_), 1);
	CHECK_INT(hits1(p, 0, OBS_IP, "198.51.99.255", failed_), 0);
	CHECK_INT(hits1(p, 0, OBS_IP, "198.51.101.0", failed_), 0);
	CHECK_INT(hits1(p, 0, OBS_IP, "::ffff:198.51.100.7", failed_), 1);
	const char *q = "[ipv4-addr:value = '203.0.113.7']";
	CHECK_INT(hits1(q, 0, OBS_IP, "203.0.113.7", failed_), 1);
	CHECK_INT(hits1(q, 0, OBS_IP, "203.0.113.6", failed_), 0);
	CHECK_INT(hits1(q, 0, OBS_IP, "203.0.113.8", failed_), 0);
	CHECK_INT(hits1(q, 0, OBS_IP, "203.0.113.70", failed_), 0);
	CHECK_INT(hits1(q, 0, OBS_IP, "203.0.113.007", failed_), 0);
	const char *w = "[ipv4-addr:value = '10.0.0.0/8']";
	CHECK_INT(hits1(w, 0, OBS_IP, "10.255.255.255", failed_), 1);
	CHECK_INT(hits1(w, 0, OBS_IP, "11.0.0.0", failed_), 0);
	CHECK_INT(hits1(w, 0, OBS_IP, "9.255.255.255", failed_), 0);
	/* ISSUBSET is containment too. */
	CHECK_INT(
	    hits1("[ipv4-addr:value ISSUBSET '192.0.2.128/25']", 0, OBS_IP, "192.0.2.200", failed_),
	    1);
	CHECK_INT(
	    hits1("[ipv4-addr:value ISSUBSET '192.0.2.128/25']", 0, OBS_IP, "192.0.2.127", failed_),
	    0);
}

TEST(match_cidr_v6_edges)
{
	const char *p = "[ipv6-addr:value = '2001:db8:1::/48']";
	CHECK_INT(hits1(p, 0, OBS_IP, "2001:db8:1::", failed_), 1);
	CHECK_INT(hits1(p, 0, OBS_IP, "2001:db8:1:ffff:ffff:ffff:ffff:ffff", failed_), 1);
	CHECK_INT(hits1(p, 0, OBS_IP, "2001:db8:2::", failed_), 0);
	CHECK_INT(hits1(p, 0, OBS_IP, "2001:db8:0:ffff:ffff:ffff:ffff:ffff", failed_), 0);
	const char *q = "[ipv6-addr:value = '2001:db8::1']";
	CHECK_INT(hits1(q, 0, OBS_IP, "2001:DB8:0:0::1", failed_), 1);
	CHECK_INT(hits1(q, 0, OBS_IP, "2001:0db8:0000:0000:0000:0000:0000:0001", failed_), 1);
	CHECK_INT(hits1(q, 0, OBS_IP, "2001:db8::2", failed_), 0);
	CHECK_INT(hits1(q, 0, OBS_IP, "2001:db8::", failed_), 0);
}

TEST(match_url_variants)
{
	const char *p = "[url:value = 'http://evil.example/a/b?x=1']";
	CHECK_INT(hits1(p, 0, OBS_URL, "http://evil.example/a/b?x=1", failed_), 1);
	CHECK_INT(hits1(p, 0, OBS_URL, "HTTP://EVIL.Example:80/a/b?x=1", failed_), 1);
	CHECK_INT(hits1(p, 0, OBS_URL, "http://evil.example/%61/%62?x=1", failed_), 1);
	CHECK_INT(hits1(p, 0, OBS_URL, "http://evil.example./a/b?x=1#frag", failed_), 1);
	CHECK_INT(hits1(p, 0, OBS_URL, "http://evil.example/a/b/?x=1", failed_), 0);
	CHECK_INT(hits1(p, 0, OBS_URL, "https://evil.example/a/b?x=1", failed_), 0);
	CHECK_INT(hits1(p, 0, OBS_URL, "http://evil.example:8080/a/b?x=1", failed_), 0);
	CHECK_INT(hits1(p, 0, OBS_URL, "http://evil.example/A/b?x=1", failed_), 0);
	const char *s = "[url:value = 'https://evil.example']";
	CHECK_INT(hits1(s, 0, OBS_URL, "https://evil.example:443/", failed_), 1);
	CHECK_INT(hits1(s, 0, OBS_URL, "http://evil.example/", failed_), 0);
	/* Percent-escapes of reserved characters stay escaped (hex case aside). */
	const char *r = "[url:value = 'http://evil.example/a%2fb']";
	CHECK_INT(hits1(r, 0, OBS_URL, "http://evil.example/a%2Fb", failed_), 1);
	CHECK_INT(hits1(r, 0, OBS_URL, "http://evil.example/a/b", failed_), 0);
	/* A bare path is joined with the event's host. */
	const char *pats[] = {p, NULL};
	struct matcher *m = mk(pats, 0, failed_);
	struct buf out;
	buf_init(&out, 1 << 20);
	struct match_ctx *c = match_ctx_new(m, &out);
	const char *names[] = {"host", "uri"};
	enum obs_kind kinds[] = {OBS_DOMAIN, OBS_URL};
	const char *vals[] = {"Evil.Example", "/a/b?x=1"};
	feed(c, 1, 0, 2, names, kinds, vals);
	CHECK(out.p && strstr(out.p, "\"field\":\"uri\""));
	match_ctx_free(c);
	buf_free(&out);
	matcher_free(m);
}

TEST(match_hashes_and_email)
{
	const char *sha = "[file:hashes.'SHA-256' = "
			  "'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855']";
	const char *up = "E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855";
	CHECK_INT(hits1(sha, 0, OBS_SHA256, up, failed_), 1);
	CHECK_INT(hits1(sha, 0, OBS_HASH, up, failed_), 1);
	CHECK_INT(hits1(sha, 0, OBS_SHA256,
			"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b856",
			failed_),
		  0);
	const char *md5 = "[file:hashes.MD5 = 'd41d8cd98f00b204e9800998ecf8427e']";
	CHECK_INT(hits1(md5, 0, OBS_HASH, "D41D8CD98F00B204E9800998ECF8427E", failed_), 1);
	CHECK_INT(hits1(md5, 0, OBS_SHA1, "d41d8cd98f00b204e9800998ecf8427e", failed_), 1);
	const char *mail = "[email-addr:value = 'Bad@Evil.Example']";
	CHECK_INT(hits1(mail, 0, OBS_EMAIL, "bad@evil.example", failed_), 1);
	CHECK_INT(hits1(mail, 0, OBS_EMAIL, "\"Bad Guy\" <BAD@evil.example>", failed_), 1);
	CHECK_INT(hits1(mail, 0, OBS_EMAIL, "bad@evil.example.org", failed_), 0);
	CHECK_INT(hits1("[email-message:from_ref.value = 'x@y.example']", 0, OBS_EMAIL,
			"X@Y.example", failed_),
		  1);
}

TEST(match_like_matches)
{
	const char *l = "[domain-name:value LIKE '%.evil.example']";
	CHECK_INT(hits1(l, 0, OBS_DOMAIN, "a.evil.example", failed_), 1);
	CHECK_INT(hits1(l, 0, OBS_DOMAIN, "evil.example", failed_), 0);
	CHECK_INT(hits1(l, 0, OBS_DOMAIN, "a.evil.example.org", failed_), 0);
	const char *u = "[domain-name:value LIKE 'a_c.example']";
	CHECK_INT(hits1(u, 0, OBS_DOMAIN, "abc.example", failed_), 1);
	CHECK_INT(hits1(u, 0, OBS_DOMAIN, "ac.example", failed_), 0);
	CHECK_INT(hits1(u, 0, OBS_DOMAIN, "abbc.example", failed_), 0);
	const char *r = "[domain-name:value MATCHES '^ab+c\\\\.example$']";
	CHECK_INT(hits1(r, 0, OBS_DOMAIN, "abbbc.example", failed_), 1);
	CHECK_INT(hits1(r, 0, OBS_DOMAIN, "ac.example", failed_), 0);
	/* The URL path form lists write, with a '_' wildcard in the path. */
	const char *path = "[url:value LIKE '%://%/wp_login.php' OR url:value LIKE "
			   "'%://%/wp_login.php?%']";
	CHECK_INT(hits1(path, 0, OBS_URL, "http://x.example/wp_login.php", failed_), 1);
	CHECK_INT(hits1(path, 0, OBS_URL, "http://x.example/a/wp-login.php?u=1", failed_), 1);
	CHECK_INT(hits1(path, 0, OBS_URL, "http://x.example/wp_login.php5", failed_), 0);
	CHECK_INT(hits1(path, 0, OBS_URL, "http://x.example/wp_login.phpx?u=1", failed_), 0);
	CHECK_INT(hits1(path, 0, OBS_URL, "http://x.example/xwp_login.php", failed_), 0);
	const char *gate = "[url:value LIKE '%://%/gate.php']";
	CHECK_INT(hits1(gate, 0, OBS_URL, "https://h.example/a/gate.php", failed_), 1);
	CHECK_INT(hits1(gate, 0, OBS_URL, "https://h.example/a/gate.php?x", failed_), 0);
}

TEST(match_ip_port_and_in)
{
	const char *p =
	    "[network-traffic:dst_ref.type = 'ipv4-addr' AND "
	    "network-traffic:dst_ref.value = '192.0.2.9' AND network-traffic:dst_port = 443]";
	const char *pats[] = {p, NULL};
	struct matcher *m = mk(pats, 0, failed_);
	CHECK_INT(matcher_stats(m)->fast, 1);
	struct buf out;
	buf_init(&out, 1 << 20);
	struct match_ctx *c = match_ctx_new(m, &out);
	const char *names[] = {"id.orig_h", "id.orig_p", "id.resp_h", "id.resp_p"};
	enum obs_kind kinds[] = {OBS_IP, OBS_PORT, OBS_IP, OBS_PORT};
	const char *v1[] = {"10.0.0.1", "5000", "192.0.2.9", "443"};
	const char *v2[] = {"10.0.0.1", "5000", "192.0.2.9", "80"};
	const char *v3[] = {"192.0.2.9", "443", "10.0.0.1", "80"};
	feed(c, 1, 0, 4, names, kinds, v1);
	feed(c, 2, 0, 4, names, kinds, v2);
	feed(c, 3, 0, 4, names, kinds, v3);
	CHECK(out.p && strstr(out.p, "t.log:1\""));
	CHECK(out.p && !strstr(out.p, "t.log:2\""));
	CHECK(out.p && !strstr(out.p, "t.log:3\""));
	match_ctx_free(c);
	buf_free(&out);
	matcher_free(m);
	CHECK_INT(hits1("[ipv4-addr:value IN ('192.0.2.1', '192.0.2.2')]", 0, OBS_IP, "192.0.2.2",
			failed_),
		  1);
	CHECK_INT(hits1("[ipv4-addr:value IN ('192.0.2.1', '192.0.2.2')]", 0, OBS_IP, "192.0.2.3",
			failed_),
		  0);
	/* != has no anchor: evaluated on every event. */
	CHECK_INT(hits1("[ipv4-addr:value != '192.0.2.1']", 0, OBS_IP, "192.0.2.3", failed_), 1);
	CHECK_INT(hits1("[ipv4-addr:value != '192.0.2.1']", 0, OBS_IP, "192.0.2.1", failed_), 0);
}

TEST(match_and_within_observation)
{
	const char *p = "[ipv4-addr:value = '192.0.2.1' AND domain-name:value = 'x.example']";
	const char *pats[] = {p, NULL};
	struct matcher *m = mk(pats, 0, failed_);
	struct buf out;
	buf_init(&out, 1 << 20);
	struct match_ctx *c = match_ctx_new(m, &out);
	const char *names[] = {"ip", "q"};
	enum obs_kind kinds[] = {OBS_IP, OBS_DOMAIN};
	const char *both[] = {"192.0.2.1", "x.example"};
	const char *ip_only[] = {"192.0.2.1", "y.example"};
	feed(c, 1, 0, 2, names, kinds, ip_only);
	feed(c, 2, 0, 2, names, kinds, both);
	CHECK(out.p && strstr(out.p, "t.log:2\""));
	CHECK(!strstr(out.p, "t.log:1\""));
	match_ctx_free(c);
	buf_free(&out);
	matcher_free(m);
}

/* Runs events (one domain each, at the given seconds) through a matcher of
 * one pattern and returns the sighting count of its indicator. */
static uint64_t temporal(const char *pattern, const char *const *doms, const int *secs,
			 int *failed_)
{
	const char *pats[] = {pattern, NULL};
	struct matcher *m = mk(pats, 0, failed_);
	struct buf out;
	buf_init(&out, 1 << 20);
	struct match_ctx *c = match_ctx_new(m, &out);
	for (int i = 0; doms[i]; i++) {
		const char *names[] = {"query"};
		enum obs_kind kinds[] = {OBS_DOMAIN};
		const char *vals[] = {doms[i]};
		feed(c, (uint64_t)i + 1, (int64_t)(1700000000 + secs[i]) * 1000000, 1, names, kinds,
		     vals);
	}
	struct match_agg *agg;
	size_t nagg;
	struct match_counts tot;
	struct buf fin;
	buf_init(&fin, 1 << 20);
	match_finish(m, &c, 1, &fin, &agg, &nagg, &tot);
	uint64_t n = nagg ? agg[0].count : 0;
	free(agg);
	buf_free(&fin);
	match_ctx_free(c);
	buf_free(&out);
	matcher_free(m);
	return n;
}

TEST(match_temporal_followedby)
{
	const char *p =
	    "[domain-name:value = 'a.example'] FOLLOWEDBY [domain-name:value = 'b.example']";
	const char *ab[] = {"a.example", "b.example", NULL};
	const char *ba[] = {"b.example", "a.example", NULL};
	const char *aab[] = {"a.example", "x.example", "b.example", "b.example", NULL};
	int s2[] = {0, 5}, s4[] = {0, 1, 2, 3};
	CHECK_INT(temporal(p, ab, s2, failed_), 1);
	CHECK_INT(temporal(p, ba, s2, failed_), 0);
	CHECK_INT(temporal(p, aab, s4, failed_), 2);
	const char *w = "([domain-name:value = 'a.example'] FOLLOWEDBY [domain-name:value = "
			"'b.example']) WITHIN 10 SECONDS";
	int near[] = {0, 9}, far[] = {0, 11};
	CHECK_INT(temporal(w, ab, near, failed_), 1);
	CHECK_INT(temporal(w, ab, far, failed_), 0);
}

TEST(match_temporal_and_repeats)
{
	const char *a = "([domain-name:value = 'a.example'] AND [domain-name:value = 'b.example']) "
			"WITHIN 10 SECONDS";
	const char *ba[] = {"b.example", "a.example", NULL};
	int near[] = {0, 10}, far[] = {0, 11};
	CHECK_INT(temporal(a, ba, near, failed_), 1);
	CHECK_INT(temporal(a, ba, far, failed_), 0);
	const char *aa[] = {"a.example", "a.example", NULL};
	int s2[] = {0, 1};
	/* Two sides of an AND are never the same single event. */
	CHECK_INT(
	    temporal("[domain-name:value = 'a.example'] AND [domain-name:value = 'a.example']", aa,
		     s2, failed_),
	    1);
	const char *r = "[domain-name:value = 'a.example'] REPEATS 3 TIMES";
	const char *a2[] = {"a.example", "a.example", NULL};
	const char *a6[] = {"a.example", "a.example", "a.example", "a.example",
			    "a.example", "a.example", NULL};
	int s6[] = {0, 1, 2, 3, 4, 5};
	CHECK_INT(temporal(r, a2, s6, failed_), 0);
	CHECK_INT(temporal(r, a6, s6, failed_), 2);
	const char *rw = "[domain-name:value = 'a.example'] REPEATS 3 TIMES WITHIN 2 SECONDS";
	int spread[] = {0, 2, 4, 5, 6, 7};
	CHECK_INT(temporal(rw, a6, spread, failed_), 1);
	const char *ss = "[domain-name:value = 'a.example'] START t'2023-11-14T22:13:21Z' STOP "
			 "t'2023-11-14T22:13:23Z'";
	/* 1700000000 is 2023-11-14T22:13:20Z: seconds 1 and 2 are inside. */
	CHECK_INT(temporal(ss, a6, s6, failed_), 2);
}

static void count_um(void *arg, uint32_t ind, const char *path, const char *reason)
{
	(void)ind;
	(void)reason;
	if (strstr(path, "process:command_line"))
		(*(int *)arg)++;
}

TEST(match_unmatchable_listed)
{
	const char *pats[] = {"[process:command_line = 'evil.exe -x']",
			      "[url:value = 'http://evil.example/x']",
			      "[domain-name:value = 'evil.example']", NULL};
	struct matcher *m = mk(pats, 0, failed_);
	uint8_t seen[OBS_KIND_MAX] = {0};
	seen[OBS_DOMAIN] = 1;
	int proc = 0;
	/* The process comparison (no log carries it) and the URL (no url field
	 * in a DNS log) are listed; the domain is not. */
	CHECK_INT(matcher_unmatchable(m, seen, count_um, &proc), 2);
	CHECK_INT(proc, 1);
	seen[OBS_URL] = 1;
	CHECK_INT(matcher_unmatchable(m, seen, NULL, NULL), 1);
	matcher_free(m);
}

TEST(match_valid_ids_and_bad_patterns)
{
	struct match_opts o = {.at = 1};
	struct matcher *m = matcher_new(&o);
	struct vb_err e;
	vb_err_clear(&e);
	const char *bad = "[domain-name:value = ";
	CHECK_INT(matcher_add(m, ID(10), strlen(ID(10)), bad, strlen(bad), 0, &e), VB_EINPUT);
	CHECK(e.column > 0);
	const char *ok = "[domain-name:value = 'a.example']";
	CHECK_INT(matcher_add(m, "indicator--custom-id", 20, ok, strlen(ok), 0, &e), 0);
	matcher_finish(m);
	CHECK_INT(matcher_count(m), 1);
	char id[96];
	matcher_indicator_id(m, 0, id);
	CHECK_STR(id, "indicator--custom-id");
	CHECK_INT(matcher_stats(m)->bad, 1);
	matcher_free(m);
	/* Many values: the tables grow and everything is still found. */
	m = matcher_new(&o);
	for (int i = 0; i < 5000; i++) {
		char p[96], iid[64];
		snprintf(p, sizeof p, "[domain-name:value = 'h%d.example']", i);
		snprintf(iid, sizeof iid, "indicator--00000000-0000-4000-8000-%012d", i);
		matcher_add(m, iid, strlen(iid), p, strlen(p), 0, &e);
	}
	matcher_finish(m);
	struct buf out;
	buf_init(&out, 1 << 24);
	struct match_ctx *c = match_ctx_new(m, &out);
	int found = 0;
	for (int i = 0; i < 5000; i += 7) {
		char v[64];
		snprintf(v, sizeof v, "H%d.Example", i);
		const char *names[] = {"q"};
		enum obs_kind kinds[] = {OBS_DOMAIN};
		const char *vals[] = {v};
		size_t before = out.len;
		feed(c, (uint64_t)i + 1, 0, 1, names, kinds, vals);
		found += out.len > before;
	}
	CHECK_INT(found, (5000 + 6) / 7);
	match_ctx_free(c);
	buf_free(&out);
	matcher_free(m);
}
