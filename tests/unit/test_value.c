/* test_value.c: value detection, normalisation and patterns (src/ingest/value.c). */
#include "test.h"
#include "../../src/ingest/value.h"
#include "../../src/util/err.h"

static enum value_kind det(const char *s)
{
	return value_detect(s, strlen(s));
}

static const struct {
	const char *s;
	enum value_kind k;
} detect_cases[] = {
    /* IPv4 */
    {"1.2.3.4", VALUE_IPV4},
    {"0.0.0.0", VALUE_IPV4},
    {"255.255.255.255", VALUE_IPV4},
    {"192.0.2.10", VALUE_IPV4},
    {"999.1.1.1", VALUE_NONE},
    {"256.1.1.1", VALUE_NONE},
    {"1.2.3", VALUE_NONE},
    {"1.2.3.4.5", VALUE_NONE},
    {"01.2.3.4", VALUE_NONE}, /* leading zero: octal or decimal? */
    {"1.2.3.04", VALUE_NONE},
    {"1..3.4", VALUE_NONE},
    {"1.2.3.4.", VALUE_NONE},
    {".1.2.3.4", VALUE_NONE},
    {"1.2.3.-4", VALUE_NONE},
    {"1.2.3.4 ", VALUE_NONE},
    {"C91.196.152.28", VALUE_NONE}, /* maltrail typo: numeric TLD */
    /* IPv4 CIDR and ports */
    {"192.0.2.0/24", VALUE_IPV4_CIDR},
    {"0.0.0.0/0", VALUE_IPV4_CIDR},
    {"192.0.2.1/32", VALUE_IPV4_CIDR},
    {"192.0.2.0/33", VALUE_NONE},
    {"192.0.2.0/", VALUE_NONE},
    {"192.0.2.0/024", VALUE_NONE},
    {"192.0.2.1:443", VALUE_IPV4_PORT},
    {"192.0.2.1:65535", VALUE_IPV4_PORT},
    {"192.0.2.1:0", VALUE_NONE},
    {"192.0.2.1:65536", VALUE_NONE},
    {"192.0.2.1:0443", VALUE_NONE},
    {"192.0.2.1:443:444", VALUE_NONE},
    {"192.0.2.1::8080", VALUE_NONE},
    {"182.86.133:8880", VALUE_NONE},
    /* IPv6 */
    {"::1", VALUE_IPV6},
    {"2001:db8::1", VALUE_IPV6},
    {"2001:DB8:0:0:0:0:0:1", VALUE_IPV6},
    {"::ffff:192.0.2.1", VALUE_IPV6},
    {"::g", VALUE_NONE},
    {"2001:db8:::1", VALUE_NONE},
    {"1:2:3:4:5:6:7:8:9", VALUE_NONE},
    {"fe80::1%eth0", VALUE_NONE},
    {"2001:db8::/32", VALUE_IPV6_CIDR},
    {"2001:db8::/129", VALUE_NONE},
    {"[2001:db8::1]:443", VALUE_IPV6_PORT},
    {"[2001:db8::1]", VALUE_NONE},
    {"[2001:db8::1]:", VALUE_NONE},
    {"[zz::1]:53", VALUE_NONE},
    {"[a-z0-9]{10}\\.temp\\.swtest\\.ru", VALUE_NONE},
    /* domains */
    {"example.com", VALUE_DOMAIN},
    {"a.b", VALUE_DOMAIN},
    {"EXAMPLE.COM.", VALUE_DOMAIN},
    {"xn--bcher-kva.example", VALUE_DOMAIN},
    {"_dmarc.example.com", VALUE_DOMAIN},
    {"ns_1.chanenergy.com", VALUE_DOMAIN},
    {"1c26.dyndns.org", VALUE_DOMAIN},
    {"example.c0m", VALUE_DOMAIN},
    {"example", VALUE_NONE},
    {"example-.com", VALUE_NONE},
    {"-example.com", VALUE_NONE},
    {"example.com-", VALUE_NONE},
    {"example..com", VALUE_NONE},
    {".tk", VALUE_NONE},
    {"registry.12913298", VALUE_NONE},
    {"exa mple.com", VALUE_NONE},
    {"support\xc2\xac"
     "forum.org",
     VALUE_NONE},
    {"zoneserveryu[0-9a-z]{0,}\\.com", VALUE_NONE},
    {"example.com:8080", VALUE_NONE},
    /* URLs */
    {"http://example.com", VALUE_URL},
    {"http://example.com/a/b?c=d#e", VALUE_URL},
    {"HTTPS://Example.COM:8443/x", VALUE_URL},
    {"ftp://ftp.example.com", VALUE_URL},
    {"http://192.0.2.1/x.php", VALUE_URL},
    {"http://[2001:db8::1]:80/x", VALUE_URL},
    {"http://user:pw@example.com/", VALUE_URL},
    {"example.com/path/to.php", VALUE_URL},
    {"192.0.2.1/img/a.jpg", VALUE_URL},
    {"192.0.2.1:8080/x", VALUE_URL},
    {"http://example/x", VALUE_NONE},
    {"http://999.1.1.1/x", VALUE_NONE},
    {"http://example.com:99999/", VALUE_NONE},
    {"http://exa mple.com/", VALUE_NONE},
    {"://example.com", VALUE_NONE},
    {"1http://example.com", VALUE_NONE},
    {"example/path", VALUE_NONE},
    {"/gate.php", VALUE_URL_PATH},
    {"/w00tw00t.at.ISC.SANS.DFind:)", VALUE_URL_PATH},
    {"/", VALUE_NONE},
    {"//x", VALUE_NONE},
    {"////////", VALUE_NONE},
    {"/a b", VALUE_NONE},
    /* e-mail */
    {"user@example.com", VALUE_EMAIL},
    {"first.last+tag@Example.COM", VALUE_EMAIL},
    {"@example.com", VALUE_NONE},
    {"user@", VALUE_NONE},
    {"user@example", VALUE_NONE},
    {".user@example.com", VALUE_NONE},
    {"us..er@example.com", VALUE_NONE},
    {"a@b@example.com", VALUE_NONE},
    /* hashes */
    {"d41d8cd98f00b204e9800998ecf8427e", VALUE_MD5},
    {"D41D8CD98F00B204E9800998ECF8427E", VALUE_MD5},
    {"da39a3ee5e6b4b0d3255bfef95601890afd80709", VALUE_SHA1},
    {"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", VALUE_SHA256},
    {"cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877"
     "eec2f63b931bd47417a81a538327af927da3e",
     VALUE_SHA512},
    {"d41d8cd98f00b204e9800998ecf8427", VALUE_NONE},   /* 31 hex digits */
    {"d41d8cd98f00b204e9800998ecf8427ef", VALUE_NONE}, /* 33 */
    {"g41d8cd98f00b204e9800998ecf8427e", VALUE_NONE},  /* not hex */
    {"lockbitapt280e8defa5377018b093b5b90de0f2957f7062144c83a09a56", VALUE_NONE},
    /* nothing */
    {"", VALUE_NONE},
    {"free", VALUE_NONE},
    {"a\tb", VALUE_NONE},
};

TEST(value_detect_kinds)
{
	for (size_t i = 0; i < sizeof detect_cases / sizeof detect_cases[0]; i++) {
		enum value_kind k = det(detect_cases[i].s);
		if (k != detect_cases[i].k) {
			fprintf(stderr, "  value_detect(\"%s\") = %s, expected %s\n",
				detect_cases[i].s, value_kind_name(k),
				value_kind_name(detect_cases[i].k));
			*failed_ = 1;
		}
	}
}

TEST(value_detect_bounded)
{
	/* The length given is the value: what follows must not matter. */
	CHECK_INT(value_detect("1.2.3.4xyz", 7), VALUE_IPV4);
	CHECK_INT(value_detect("example.com/", 11), VALUE_DOMAIN);
	CHECK_INT(value_detect("::1", 0), VALUE_NONE);
	char big[VALUE_MAX_LEN + 32];
	memset(big, 'a', sizeof big);
	memcpy(big, "http://example.com/", 19);
	CHECK_INT(value_detect(big, VALUE_MAX_LEN), VALUE_URL);
	CHECK_INT(value_detect(big, VALUE_MAX_LEN + 1), VALUE_NONE);
}

static const char *norm(enum value_kind k, const char *s, char *out, size_t cap)
{
	int n = value_normalise(k, s, strlen(s), out, cap);
	return n < 0 ? "(error)" : out;
}

TEST(value_normalise_forms)
{
	char o[VALUE_NORM_CAP];
	CHECK_STR(norm(VALUE_IPV4, "192.0.2.1", o, sizeof o), "192.0.2.1");
	CHECK_STR(norm(VALUE_DOMAIN, "Evil.Example.COM.", o, sizeof o), "evil.example.com");
	CHECK_STR(norm(VALUE_MD5, "D41D8CD98F00B204E9800998ECF8427E", o, sizeof o),
		  "d41d8cd98f00b204e9800998ecf8427e");
	CHECK_STR(norm(VALUE_EMAIL, "John.Doe@Example.COM", o, sizeof o), "John.Doe@example.com");
	CHECK_STR(norm(VALUE_IPV6, "2001:DB8:0:0:0:0:0:1", o, sizeof o), "2001:db8::1");
	CHECK_STR(norm(VALUE_IPV6, "::FFFF:192.0.2.1", o, sizeof o), "::ffff:192.0.2.1");
	CHECK_STR(norm(VALUE_IPV6_PORT, "[2001:DB8:0::5]:53", o, sizeof o), "[2001:db8::5]:53");
	CHECK_STR(norm(VALUE_IPV4_PORT, "192.0.2.1:443", o, sizeof o), "192.0.2.1:443");
	CHECK_STR(norm(VALUE_IPV4_CIDR, "192.0.2.0/24", o, sizeof o), "192.0.2.0/24");
	CHECK_STR(norm(VALUE_IPV4_CIDR, "0.0.0.0/0", o, sizeof o), "0.0.0.0/0");
	CHECK_STR(norm(VALUE_IPV4_CIDR, "192.0.2.7/32", o, sizeof o), "192.0.2.7");
	CHECK_STR(norm(VALUE_IPV6_CIDR, "2001:DB8:0::/32", o, sizeof o), "2001:db8::/32");
	CHECK_STR(norm(VALUE_IPV6_CIDR, "2001:db8::1/128", o, sizeof o), "2001:db8::1");
	CHECK_STR(norm(VALUE_URL, "HTTP://Example.COM:80/A/B?Q=1", o, sizeof o),
		  "http://example.com:80/A/B?Q=1");
	CHECK_STR(norm(VALUE_URL, "http://User@Example.COM/", o, sizeof o),
		  "http://User@example.com/");
	CHECK_STR(norm(VALUE_URL, "Example.COM/Path.php", o, sizeof o),
		  "http://example.com/Path.php");
	CHECK_STR(norm(VALUE_URL, "http://example.com/caf\xc3\xa9", o, sizeof o),
		  "http://example.com/caf%C3%A9");
	CHECK_STR(norm(VALUE_URL_PATH, "/Gate.php", o, sizeof o), "/Gate.php");
}

TEST(value_normalise_rejects)
{
	char o[64];
	/* Host bits after the prefix. */
	CHECK_INT(value_normalise(VALUE_IPV4_CIDR, "192.0.2.1/24", 12, o, sizeof o), VB_EINPUT);
	CHECK_INT(value_normalise(VALUE_IPV6_CIDR, "2001:db8::1/32", 14, o, sizeof o), VB_EINPUT);
	/* A kind that is not the value's. */
	CHECK_INT(value_normalise(VALUE_DOMAIN, "192.0.2.1", 9, o, sizeof o), VB_EINPUT);
	CHECK_INT(value_normalise(VALUE_NONE, "x", 1, o, sizeof o), VB_EINPUT);
	/* Room. */
	CHECK_INT(value_normalise(VALUE_DOMAIN, "example.com", 11, o, 5), VB_ENOMEM);
	CHECK_INT(value_normalise(VALUE_DOMAIN, "example.com", 11, o, 11), VB_ENOMEM);
	CHECK_INT(value_normalise(VALUE_DOMAIN, "example.com", 11, o, 12), 11);
}

static const char *pat(const char *value, char *out, size_t cap)
{
	char n[VALUE_NORM_CAP];
	enum value_kind k = value_detect(value, strlen(value));
	int nl = value_normalise(k, value, strlen(value), n, sizeof n);
	if (nl < 0 || value_pattern(k, n, (size_t)nl, out, cap) < 0)
		return "(error)";
	return out;
}

TEST(value_pattern_forms)
{
	static char o[VALUE_PATTERN_CAP];
	CHECK_STR(pat("192.0.2.0/24", o, sizeof o), "[ipv4-addr:value = '192.0.2.0/24']");
	CHECK_STR(pat("X.com", o, sizeof o), "[domain-name:value = 'x.com']");
	CHECK_STR(pat("2001:db8::1", o, sizeof o), "[ipv6-addr:value = '2001:db8::1']");
	CHECK_STR(pat("a@x.com", o, sizeof o), "[email-addr:value = 'a@x.com']");
	CHECK_STR(pat("http://x.com/a", o, sizeof o), "[url:value = 'http://x.com/a']");
	CHECK_STR(pat("d41d8cd98f00b204e9800998ecf8427e", o, sizeof o),
		  "[file:hashes.MD5 = 'd41d8cd98f00b204e9800998ecf8427e']");
	CHECK_STR(pat("da39a3ee5e6b4b0d3255bfef95601890afd80709", o, sizeof o),
		  "[file:hashes.'SHA-1' = 'da39a3ee5e6b4b0d3255bfef95601890afd80709']");
	CHECK_STR(
	    pat("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", o, sizeof o),
	    "[file:hashes.'SHA-256' = "
	    "'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855']");
	CHECK_STR(pat("192.0.2.1:443", o, sizeof o),
		  "[network-traffic:dst_ref.type = 'ipv4-addr' AND network-traffic:dst_ref.value = "
		  "'192.0.2.1' AND network-traffic:dst_port = 443]");
	CHECK_STR(pat("[2001:db8::1]:53", o, sizeof o),
		  "[network-traffic:dst_ref.type = 'ipv6-addr' AND network-traffic:dst_ref.value = "
		  "'2001:db8::1' AND network-traffic:dst_port = 53]");
	CHECK_STR(pat("/gate.php", o, sizeof o),
		  "[url:value LIKE '%://%/gate.php' OR url:value LIKE '%://%/gate.php?%']");
}

TEST(value_pattern_escaping)
{
	char o[256];
	/* ' and \ inside a string literal are escaped; nothing else is. */
	const char *u = "http://x.com/it's\\here";
	CHECK_INT(value_detect(u, strlen(u)), VALUE_URL);
	CHECK_STR(pat(u, o, sizeof o), "[url:value = 'http://x.com/it\\'s\\\\here']");
	const char *p = "/o'neil.php";
	CHECK_STR(pat(p, o, sizeof o),
		  "[url:value LIKE '%://%/o\\'neil.php' OR url:value LIKE '%://%/o\\'neil.php?%']");
	size_t pos = 0;
	CHECK_INT(value_pattern_escape("a'b\\c", 5, o, sizeof o, &pos), 0);
	CHECK_STR(o, "a\\'b\\\\c");
	/* Too little room is an error, not a cut pattern. */
	CHECK_INT(value_pattern(VALUE_DOMAIN, "example.com", 11, o, 20), VB_ENOMEM);
	CHECK_STR(o, "");
	CHECK_INT(value_pattern(VALUE_NONE, "x", 1, o, sizeof o), VB_EINPUT);
}

TEST(value_observable_parts)
{
	struct value_obs ob;
	const char *v = "[2001:db8::5]:53";
	CHECK_INT(value_observable(VALUE_IPV6_PORT, v, strlen(v), &ob), 0);
	CHECK_STR(ob.type, "ipv6-addr");
	CHECK_INT(ob.off, 1);
	CHECK_INT(ob.len, 11);
	v = "192.0.2.1:443";
	CHECK_INT(value_observable(VALUE_IPV4_PORT, v, strlen(v), &ob), 0);
	CHECK_INT(ob.off, 0);
	CHECK_INT(ob.len, 9);
	CHECK_STR(ob.index, "ipv4-addr");
	v = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
	CHECK_INT(value_observable(VALUE_SHA256, v, strlen(v), &ob), 0);
	CHECK_STR(ob.type, "file");
	CHECK_STR(ob.hash, "SHA-256");
	CHECK_STR(ob.index, "file:SHA-256");
	CHECK_INT(value_observable(VALUE_URL_PATH, "/x", 2, &ob), VB_ENOTFOUND);
	CHECK_INT(value_observable(VALUE_NONE, "x", 1, &ob), VB_ENOTFOUND);
}

TEST(value_kind_tables)
{
	CHECK_STR(value_stix_type(VALUE_IPV4_CIDR), "ipv4-addr");
	CHECK_STR(value_stix_type(VALUE_IPV6), "ipv6-addr");
	CHECK_STR(value_stix_type(VALUE_DOMAIN), "domain-name");
	CHECK_STR(value_stix_type(VALUE_URL), "url");
	CHECK_STR(value_stix_type(VALUE_EMAIL), "email-addr");
	CHECK_STR(value_stix_type(VALUE_SHA512), "file");
	CHECK(value_stix_type(VALUE_NONE) == NULL);
	CHECK(value_stix_type(VALUE_URL_PATH) == NULL);
	CHECK_STR(value_index_kind(VALUE_MD5), "file:MD5");
	CHECK_STR(value_index_kind(VALUE_SHA1), "file:SHA-1");
	CHECK_STR(value_index_kind(VALUE_SHA512), "file:SHA-512");
	CHECK_STR(value_index_kind(VALUE_IPV6_PORT), "ipv6-addr");
	CHECK(value_index_kind((enum value_kind)99) == NULL);
	CHECK_STR(value_kind_name((enum value_kind)99), "unrecognised value");
}
