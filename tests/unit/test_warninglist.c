/* test_warninglist.c: allow lists: every default range at its edges, the
 * default domains, user lists of each MISP type, and bad list files. */
#include "test.h"

#include "../../src/detect/warninglist.h"
#include "../../src/util/util.h"

#include <limits.h>
#include <stdlib.h>
#include <unistd.h>

/* The defaults from the repository's data/ (tests run from its root). */
static struct warninglist *defaults(int *failed_)
{
	char cwd[PATH_MAX], data[PATH_MAX + 8];
	if (!getcwd(cwd, sizeof cwd))
		cwd[0] = 0;
	snprintf(data, sizeof data, "%s/data", cwd);
	setenv("VERBINDING_DATA", data, 1);
	struct warninglist *w = warninglist_new();
	CHECK_INT(warninglist_add_defaults(w), 0);
	size_t entries = 0;
	CHECK_INT(warninglist_count(w, &entries), 2);
	CHECK_INT(entries, 31);
	unsetenv("VERBINDING_DATA");
	return w;
}

static int hit(const struct warninglist *w, enum obs_kind k, const char *v)
{
	return warninglist_hit(w, k, v, strlen(v));
}

/* Each pair: the last address before a range, its first, its last, and the
 * first after it (NULL where the range touches another or the end). */
static const char *const ipv4_edges[][4] = {
    {NULL, "0.0.0.0", "0.255.255.255", "1.0.0.0"},
    {"9.255.255.255", "10.0.0.0", "10.255.255.255", "11.0.0.0"},
    {"100.63.255.255", "100.64.0.0", "100.127.255.255", "100.128.0.0"},
    {"126.255.255.255", "127.0.0.0", "127.255.255.255", "128.0.0.0"},
    {"169.253.255.255", "169.254.0.0", "169.254.255.255", "169.255.0.0"},
    {"172.15.255.255", "172.16.0.0", "172.31.255.255", "172.32.0.0"},
    {"191.255.255.255", "192.0.0.0", "192.0.0.255", "192.0.1.0"},
    {"192.0.1.255", "192.0.2.0", "192.0.2.255", "192.0.3.0"},
    {"192.167.255.255", "192.168.0.0", "192.168.255.255", "192.169.0.0"},
    {"198.17.255.255", "198.18.0.0", "198.19.255.255", "198.20.0.0"},
    {"198.51.99.255", "198.51.100.0", "198.51.100.255", "198.51.101.0"},
    {"203.0.112.255", "203.0.113.0", "203.0.113.255", "203.0.114.0"},
    {"223.255.255.255", "224.0.0.0", "239.255.255.255", NULL}, /* multicast */
    {NULL, "240.0.0.0", "255.255.255.255", NULL},	       /* reserved, broadcast */
};

TEST(warninglist_default_ipv4_edges)
{
	struct warninglist *w = defaults(failed_);
	for (size_t i = 0; i < ARRAY_LEN(ipv4_edges); i++) {
		const char *const *e = ipv4_edges[i];
		if (e[0] && hit(w, OBS_IP, e[0])) {
			fprintf(stderr, "  %s should not be on the list\n", e[0]);
			*failed_ = 1;
		}
		for (int k = 1; k <= 2; k++)
			if (!hit(w, OBS_IP, e[k])) {
				fprintf(stderr, "  %s should be on the list\n", e[k]);
				*failed_ = 1;
			}
		if (e[3] && hit(w, OBS_IP, e[3])) {
			fprintf(stderr, "  %s should not be on the list\n", e[3]);
			*failed_ = 1;
		}
	}
	CHECK_INT(hit(w, OBS_IP, "8.8.8.8"), 0);
	CHECK_INT(hit(w, OBS_IP, "134.71.3.16"), 0);
	CHECK(hit(w, OBS_IP, "203.0.113.5") > 0);
	CHECK_STR(warninglist_name(w, hit(w, OBS_IP, "10.1.2.3")),
		  "Reserved, private and special-purpose IP ranges");
	/* Not addresses at all: no hit, no crash. */
	CHECK_INT(hit(w, OBS_IP, "10.0.0"), 0);
	CHECK_INT(hit(w, OBS_IP, "010.0.0.1x"), 0);
	CHECK_INT(hit(w, OBS_IP, ""), 0);
	/* Other kinds do not consult the address ranges. */
	CHECK_INT(hit(w, OBS_STRING, "10.0.0.1"), 0);
	warninglist_free(w);
}

TEST(warninglist_default_ipv6_edges)
{
	struct warninglist *w = defaults(failed_);
	static const char *const in[] = {"::",
					 "::1",
					 "100::",
					 "100::ffff:ffff:ffff:ffff",
					 "2001:db8::",
					 "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff",
					 "2001:DB8::1",
					 "3fff::",
					 "3fff:fff:ffff:ffff:ffff:ffff:ffff:ffff",
					 "fc00::",
					 "fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
					 "fe80::",
					 "febf:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
					 "fe80::1%eth0",
					 "ff00::",
					 "ff02::1",
					 "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
					 "::ffff:10.0.0.1",
					 "::ffff:192.0.2.1"};
	static const char *const out[] = {"::2",
					  "::fffe:ffff:ffff",
					  "100:0:0:1::",
					  "2001:db7:ffff:ffff:ffff:ffff:ffff:ffff",
					  "2001:db9::",
					  "3fff:1000::",
					  "3ffe:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
					  "fbff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
					  "fe00::",
					  "fec0::",
					  "feff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
					  "2606:4700::1111",
					  "::ffff:8.8.8.8"};
	for (size_t i = 0; i < ARRAY_LEN(in); i++)
		if (!hit(w, OBS_IP, in[i])) {
			fprintf(stderr, "  %s should be on the list\n", in[i]);
			*failed_ = 1;
		}
	for (size_t i = 0; i < ARRAY_LEN(out); i++)
		if (hit(w, OBS_IP, out[i])) {
			fprintf(stderr, "  %s should not be on the list\n", out[i]);
			*failed_ = 1;
		}
	warninglist_free(w);
}

TEST(warninglist_default_domains)
{
	struct warninglist *w = defaults(failed_);
	static const char *const in[] = {"localhost",
					 "foo.localhost",
					 "example",
					 "example.com",
					 "www.example.com",
					 "EXAMPLE.COM.",
					 "a.b.example.net",
					 "example.org",
					 "evil.test",
					 "test",
					 "x.invalid",
					 "printer.local",
					 "1.0.0.127.in-addr.arpa",
					 "home.arpa"};
	static const char *const out[] = {
	    "example.com.evil.net", "notexample.com", "test.evil", "example.co", "localhost.evil",
	    "arpa.example.io",	    "examples.com",   "com",	   "locall"};
	for (size_t i = 0; i < ARRAY_LEN(in); i++)
		if (!hit(w, OBS_DOMAIN, in[i])) {
			fprintf(stderr, "  %s should be on the list\n", in[i]);
			*failed_ = 1;
		}
	for (size_t i = 0; i < ARRAY_LEN(out); i++)
		if (hit(w, OBS_DOMAIN, out[i])) {
			fprintf(stderr, "  %s should not be on the list\n", out[i]);
			*failed_ = 1;
		}
	/* The host of a URL and the domain of an e-mail address. */
	CHECK(hit(w, OBS_URL, "http://www.example.org/x") > 0);
	CHECK(hit(w, OBS_URL, "https://user@sub.example.com:8443/x?y") > 0);
	CHECK(hit(w, OBS_URL, "www.example.org/x") > 0);
	CHECK_INT(hit(w, OBS_URL, "http://evil.example.net.attacker.com/"), 0);
	CHECK_INT(hit(w, OBS_URL, "/only/a/path"), 0);
	CHECK(hit(w, OBS_EMAIL, "a@example.net") > 0);
	CHECK_INT(hit(w, OBS_EMAIL, "example.net@evil.net"), 0);
	/* Hashes and strings are not on the default lists. */
	CHECK_INT(hit(w, OBS_STRING, "example.com"), 0);
	CHECK_INT(hit(w, OBS_MD5, "d41d8cd98f00b204e9800998ecf8427e"), 0);
	warninglist_free(w);
}

static int load(struct warninglist *w, const char *json, struct vb_err *err)
{
	return warninglist_load_json(w, json, strlen(json), "test.json", err);
}

TEST(warninglist_user_string_and_substring)
{
	struct warninglist *w = warninglist_new();
	struct vb_err err;
	CHECK_INT(load(w,
		       "{\"name\":\"known good\",\"type\":\"string\",\"list\":[\"Good.Example\","
		       "\"D41D8CD98F00B204E9800998ECF8427E\"],\"matching_attributes\":[\"domain\","
		       "\"md5\"]}",
		       &err),
		  0);
	CHECK_INT(hit(w, OBS_DOMAIN, "good.example"), 1);
	CHECK_INT(hit(w, OBS_DOMAIN, "GOOD.EXAMPLE"), 1);
	CHECK_INT(hit(w, OBS_DOMAIN, "sub.good.example"), 0); /* string: exact only */
	CHECK_INT(hit(w, OBS_MD5, "d41d8cd98f00b204e9800998ecf8427e"), 1);
	CHECK_INT(hit(w, OBS_HASH, "d41d8cd98f00b204e9800998ecf8427e"), 1); /* by length */
	CHECK_INT(hit(w, OBS_URL, "good.example"), 0); /* url is not a matching attribute */
	CHECK_STR(warninglist_name(w, 1), "known good");
	CHECK(warninglist_name(w, 2) == NULL);
	CHECK(warninglist_name(w, 0) == NULL);
	CHECK_INT(load(w,
		       "{\"name\":\"cdn\",\"type\":\"substring\",\"list\":[\"CloudFront\","
		       "\"akamai\"]}",
		       &err),
		  0);
	CHECK_INT(hit(w, OBS_DOMAIN, "d111.cloudfront.net"), 2);
	CHECK_INT(hit(w, OBS_URL, "http://a248.e.AKAMAI.net/x"), 2);
	CHECK_INT(hit(w, OBS_STRING, "akamai"), 2); /* no matching_attributes: every kind */
	CHECK_INT(hit(w, OBS_DOMAIN, "akama.net"), 0);
	size_t entries;
	CHECK_INT(warninglist_count(w, &entries), 2);
	CHECK_INT(entries, 4);
	warninglist_free(w);
}

TEST(warninglist_user_hostname_cidr_regex)
{
	struct warninglist *w = warninglist_new();
	struct vb_err err;
	CHECK_INT(load(w,
		       "{\"name\":\"hosts\",\"type\":\"hostname\",\"list\":[\"*.Corp.Example\","
		       "\".partner.example.\",\"single\"]}",
		       &err),
		  0);
	CHECK_INT(hit(w, OBS_DOMAIN, "corp.example"), 1);
	CHECK_INT(hit(w, OBS_DOMAIN, "a.b.corp.example"), 1);
	CHECK_INT(hit(w, OBS_DOMAIN, "notcorp.example"), 0);
	CHECK_INT(hit(w, OBS_DOMAIN, "x.partner.example"), 1);
	CHECK_INT(hit(w, OBS_DOMAIN, "single"), 1);
	CHECK_INT(hit(w, OBS_URL, "https://www.corp.example/login"), 1);
	CHECK_INT(hit(w, OBS_EMAIL, "ceo@corp.example"), 1);
	CHECK_INT(hit(w, OBS_IP, "10.0.0.1"), 0);
	CHECK_INT(load(w,
		       "{\"name\":\"nets\",\"type\":\"cidr\",\"list\":[\"8.8.8.8\",\"1.1.1.0/24\","
		       "\"2606:4700::/32\",\"1.1.0.0/23\"]}",
		       &err),
		  0);
	CHECK_INT(hit(w, OBS_IP, "8.8.8.8"), 2);
	CHECK_INT(hit(w, OBS_IP, "8.8.8.9"), 0);
	CHECK_INT(hit(w, OBS_IP, "8.8.8.7"), 0);
	CHECK_INT(hit(w, OBS_IP, "1.1.0.0"), 2); /* merged with 1.1.1.0/24 */
	CHECK_INT(hit(w, OBS_IP, "1.1.1.255"), 2);
	CHECK_INT(hit(w, OBS_IP, "1.1.2.0"), 0);
	CHECK_INT(hit(w, OBS_IP, "2606:4700:ffff::1"), 2);
	CHECK_INT(hit(w, OBS_IP, "2606:4701::"), 0);
	CHECK_INT(hit(w, OBS_DOMAIN, "8.8.8.8"), 0); /* cidr lists apply to addresses */
	CHECK_INT(
	    load(w,
		 "{\"name\":\"re\",\"type\":\"regex\",\"list\":[\"/^update[0-9]+\\\\.vendor\\\\."
		 "example$/i\",\"^cdn-[a-z]+\\\\.\"],\"matching_attributes\":[\"hostname\"]}",
		 &err),
	    0);
	CHECK_INT(hit(w, OBS_DOMAIN, "UPDATE12.vendor.example"), 3);
	CHECK_INT(hit(w, OBS_DOMAIN, "update.vendor.example"), 0);
	CHECK_INT(hit(w, OBS_DOMAIN, "cdn-abc.example"), 3);
	CHECK_INT(hit(w, OBS_DOMAIN, "CDN-abc.example"), 0); /* no i flag */
	CHECK_INT(hit(w, OBS_URL, "cdn-abc.example"), 0);    /* hostname only */
	warninglist_free(w);
}

TEST(warninglist_bad_files)
{
	struct warninglist *w = warninglist_new();
	struct vb_err err;
	CHECK_INT(
	    load(w, "{\"name\":\"x\",\"type\":\"cidr\",\"list\":[\"10.0.0.0/8\",\"nope\"]}", &err),
	    VB_EINPUT);
	CHECK_STR(err.pointer, "/list/1");
	CHECK_STR(err.msg, "'nope' is not an address or CIDR block");
	CHECK_STR(err.file, "test.json");
	/* Nothing of the bad file is kept. */
	CHECK_INT(warninglist_count(w, NULL), 0);
	CHECK_INT(hit(w, OBS_IP, "10.0.0.1"), 0);
	CHECK_INT(load(w, "{\"type\":\"cidr\",\"list\":[\"10.0.0.0/33\"]}", &err), VB_EINPUT);
	CHECK_INT(load(w, "{\"type\":\"bogus\",\"list\":[]}", &err), VB_EINPUT);
	CHECK_STR(err.pointer, "/type");
	CHECK_INT(load(w, "{\"type\":\"string\",\"list\":\"a\"}", &err), VB_EINPUT);
	CHECK_STR(err.pointer, "/list");
	CHECK_INT(load(w, "{\"type\":\"string\",\"list\":[1]}", &err), VB_EINPUT);
	CHECK_STR(err.pointer, "/list/0");
	CHECK_INT(load(w, "{\"type\":\"string\",\"list\":[\"\"]}", &err), VB_EINPUT);
	CHECK_INT(load(w, "{\"type\":\"regex\",\"list\":[\"ok\",\"(unclosed\"]}", &err), VB_EINPUT);
	CHECK_STR(err.pointer, "/list/1");
	CHECK_INT(load(w, "[1,2]", &err), VB_EINPUT);
	CHECK_INT(load(w, "{\"list\":[", &err), VB_EINPUT);
	CHECK_STR(err.msg, "not valid JSON");
	CHECK_INT(warninglist_count(w, NULL), 0);
	/* A list without a type is a string list (MISP's default). */
	CHECK_INT(load(w, "{\"list\":[\"x\"]}", &err), 0);
	CHECK_INT(hit(w, OBS_STRING, "X"), 1);
	CHECK_STR(warninglist_name(w, 1), "test.json");
	CHECK_INT(warninglist_load(w, "/nonexistent/list.json", &err), VB_EIO);
	warninglist_free(w);
}

TEST(warninglist_default_dir_missing)
{
	setenv("VERBINDING_DATA", "/nonexistent", 1);
	struct warninglist *w = warninglist_new();
	CHECK_INT(warninglist_add_defaults(w), VB_ENOTFOUND);
	CHECK(warninglist_default_dir() == NULL);
	unsetenv("VERBINDING_DATA");
	warninglist_free(w);
}
