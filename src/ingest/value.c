/*
 * value.c: detection and canonical form of bare observable values (see
 * value.h). The common cases (IPv4 addresses, domains) are decided in one
 * pass without copying; only IPv6 goes through inet_pton, on a bounded copy.
 */
#include "value.h"
#include "../util/err.h"

#include <arpa/inet.h>
#include <assert.h>
#include <stdint.h>
#include <string.h>

/* Character classes, one table lookup per byte. */
enum {
	C_DIGIT = 1,
	C_HEX = 2,
	C_ALPHA = 4,
	C_LABEL = 8,   /* [A-Za-z0-9_-]: a domain label byte */
	C_ATEXT = 16,  /* RFC 5322 atext: the local part of an address */
	C_SCHEME = 32, /* [A-Za-z0-9+.-] */
	C_URL = 64,    /* printable ASCII except space: a URL byte as found in feeds */
};

static unsigned char cls[256];

static void cls_init(void)
{
	/* Built once; a race between two first callers writes the same bytes. */
	if (cls['a'])
		return;
	for (int c = 0; c < 256; c++) {
		unsigned char m = 0;
		int digit = c >= '0' && c <= '9';
		int alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
		if (digit)
			m |= C_DIGIT;
		if (digit || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))
			m |= C_HEX;
		if (alpha)
			m |= C_ALPHA;
		if (digit || alpha || c == '-' || c == '_')
			m |= C_LABEL;
		if (digit || alpha || (c && strchr("!#$%&'*+/=?^_`{|}~-", c)))
			m |= C_ATEXT;
		if (digit || alpha || c == '+' || c == '.' || c == '-')
			m |= C_SCHEME;
		if (c > 0x20 && c < 0x7f)
			m |= C_URL;
		cls[c] = m;
	}
}

#define IS(c, m) (cls[(unsigned char)(c)] & (m))

static char lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c + 32) : c;
}

/* A decimal number of at most maxd digits without a leading zero (a lone
 * "0" is fine when zero_ok), at most hi. */
static int parse_dec(const char *s, size_t n, int maxd, unsigned hi, int zero_ok, unsigned *out)
{
	if (n == 0 || n > (size_t)maxd || (s[0] == '0' && n > 1))
		return 0;
	unsigned v = 0;
	for (size_t i = 0; i < n; i++) {
		if (!IS(s[i], C_DIGIT))
			return 0;
		v = v * 10 + (unsigned)(s[i] - '0');
	}
	if (v > hi || (!zero_ok && v == 0))
		return 0;
	*out = v;
	return 1;
}

int value_is_ipv4(const char *s, size_t n, unsigned *addr)
{
	cls_init();
	if (n < 7 || n > 15)
		return 0;
	unsigned a = 0;
	size_t i = 0;
	for (int part = 0; part < 4; part++) {
		size_t st = i;
		while (i < n && IS(s[i], C_DIGIT))
			i++;
		unsigned o;
		if (!parse_dec(s + st, i - st, 3, 255, 1, &o))
			return 0;
		a = a << 8 | o;
		if (part < 3) {
			if (i >= n || s[i] != '.')
				return 0;
			i++;
		}
	}
	if (i != n)
		return 0;
	if (addr)
		*addr = a;
	return 1;
}

/* Parses an IPv6 address (no brackets, no zone) into 16 bytes. */
static int parse_ipv6(const char *s, size_t n, unsigned char out[16])
{
	char tmp[INET6_ADDRSTRLEN + 1];
	if (n < 2 || n >= sizeof tmp)
		return 0;
	int colon = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == ':')
			colon = 1;
		else if (!IS(s[i], C_HEX) && s[i] != '.')
			return 0;
	}
	if (!colon)
		return 0;
	memcpy(tmp, s, n);
	tmp[n] = 0;
	return inet_pton(AF_INET6, tmp, out) == 1;
}

int value_is_domain(const char *s, size_t n)
{
	cls_init();
	if (n && s[n - 1] == '.')
		n--;
	if (n < 3 || n > 253)
		return 0;
	size_t labels = 0, st = 0;
	int numeric = 1;
	for (size_t i = 0; i <= n; i++) {
		if (i == n || s[i] == '.') {
			size_t len = i - st;
			if (len == 0 || len > 63 || s[st] == '-' || s[i - 1] == '-')
				return 0;
			labels++;
			if (i < n)
				numeric = 1;
			st = i + 1;
			continue;
		}
		if (!IS(s[i], C_LABEL))
			return 0;
		if (!IS(s[i], C_DIGIT))
			numeric = 0;
	}
	/* numeric now describes the last label: "1.2.3.4" and "c91.2.3.4" are not
	 * domains, and an all-numeric TLD does not exist. */
	return labels >= 2 && !numeric;
}

static int all_hex(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!IS(s[i], C_HEX))
			return 0;
	return 1;
}

static int url_bytes_ok(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!IS(s[i], C_URL) && (unsigned char)s[i] < 0x80)
			return 0;
	return 1;
}

/* "host" or "host:port" as a URL authority without user info: a domain, an
 * IPv4 address or a bracketed IPv6 address. */
static int host_port_ok(const char *s, size_t n)
{
	unsigned port;
	if (n && s[0] == '[') {
		const char *e = memchr(s, ']', n);
		unsigned char a6[16];
		if (!e || !parse_ipv6(s + 1, (size_t)(e - s - 1), a6))
			return 0;
		size_t rest = n - (size_t)(e - s) - 1;
		return rest == 0 || (e[1] == ':' && parse_dec(e + 2, rest - 1, 5, 65535, 0, &port));
	}
	const char *c = memchr(s, ':', n);
	size_t hn = c ? (size_t)(c - s) : n;
	if (c && !parse_dec(c + 1, n - hn - 1, 5, 65535, 0, &port))
		return 0;
	return value_is_ipv4(s, hn, NULL) || value_is_domain(s, hn);
}

/* Length of the authority part of a URL body (after "scheme://"). */
static size_t authority_len(const char *s, size_t n)
{
	size_t i = 0;
	while (i < n && s[i] != '/' && s[i] != '?' && s[i] != '#')
		i++;
	return i;
}

static int url_with_scheme(const char *s, size_t n, size_t scheme_len)
{
	if (scheme_len == 0 || scheme_len > 32 || !IS(s[0], C_ALPHA))
		return 0;
	for (size_t i = 0; i < scheme_len; i++)
		if (!IS(s[i], C_SCHEME))
			return 0;
	const char *body = s + scheme_len + 3;
	size_t bn = n - scheme_len - 3;
	size_t an = authority_len(body, bn);
	/* User info ("user:pass@") is allowed; the host follows the last '@'. */
	const char *host = body;
	size_t hn = an;
	for (size_t i = an; i > 0; i--) {
		if (body[i - 1] == '@') {
			host = body + i;
			hn = an - i;
			break;
		}
	}
	return host_port_ok(host, hn) && url_bytes_ok(body, bn);
}

static int email_ok(const char *s, size_t n, size_t at)
{
	if (at == 0 || at > 64 || n > 254)
		return 0;
	if (s[0] == '.' || s[at - 1] == '.')
		return 0;
	for (size_t i = 0; i < at; i++) {
		if (s[i] == '.') {
			if (s[i + 1] == '.')
				return 0;
		} else if (!IS(s[i], C_ATEXT)) {
			return 0;
		}
	}
	return value_is_domain(s + at + 1, n - at - 1);
}

/* [v6]:port */
static int ipv6_port_ok(const char *s, size_t n)
{
	const char *e = memchr(s, ']', n);
	unsigned char a6[16];
	unsigned port;
	if (!e || e + 1 >= s + n || e[1] != ':')
		return 0;
	size_t an = (size_t)(e - s - 1);
	size_t pn = n - an - 3;
	return parse_ipv6(s + 1, an, a6) && parse_dec(e + 2, pn, 5, 65535, 0, &port);
}

static int cidr_prefix(const char *s, size_t n, unsigned max, unsigned *out)
{
	return parse_dec(s, n, 3, max, 1, out);
}

enum value_kind value_detect(const char *s, size_t n)
{
	cls_init();
	if (n == 0 || n > VALUE_MAX_LEN)
		return VALUE_NONE;
	if ((n == 32 || n == 40 || n == 64 || n == 128) && all_hex(s, n))
		return n == 32	 ? VALUE_MD5
		       : n == 40 ? VALUE_SHA1
		       : n == 64 ? VALUE_SHA256
				 : VALUE_SHA512;
	if (s[0] == '/')
		return n > 1 && s[1] != '/' && url_bytes_ok(s, n) ? VALUE_URL_PATH : VALUE_NONE;
	if (s[0] == '[')
		return ipv6_port_ok(s, n) ? VALUE_IPV6_PORT : VALUE_NONE;

	/* One pass for the separators that decide the shape. */
	size_t colon = n, slash = n, at = n;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (c == ':' && colon == n)
			colon = i;
		else if (c == '/') {
			slash = i;
			break;
		} else if (c == '@' && at == n)
			at = i;
		else if ((unsigned char)c <= 0x20 || c == 0x7f)
			return VALUE_NONE;
	}
	if (colon < slash && colon + 2 < n && s[colon + 1] == '/' && s[colon + 2] == '/')
		return url_with_scheme(s, n, colon) ? VALUE_URL : VALUE_NONE;
	if (slash < n) {
		/* An address with a prefix, or maltrail's "host[:port]/path". */
		unsigned prefix;
		unsigned char a6[16];
		if (value_is_ipv4(s, slash, NULL))
			if (cidr_prefix(s + slash + 1, n - slash - 1, 32, &prefix))
				return VALUE_IPV4_CIDR;
		if (colon < slash && parse_ipv6(s, slash, a6))
			return cidr_prefix(s + slash + 1, n - slash - 1, 128, &prefix)
				   ? VALUE_IPV6_CIDR
				   : VALUE_NONE;
		if (at < slash || !host_port_ok(s, slash) || !url_bytes_ok(s, n))
			return VALUE_NONE;
		/* "1.2.3.0/33" is a bad CIDR, not a URL path "/33". */
		int digits = 1;
		for (size_t i = slash + 1; i < n && digits; i++)
			digits = IS(s[i], C_DIGIT);
		if (digits && value_is_ipv4(s, slash, NULL))
			return VALUE_NONE;
		return VALUE_URL;
	}
	if (at < n)
		return colon == n && email_ok(s, n, at) ? VALUE_EMAIL : VALUE_NONE;
	if (colon < n) {
		unsigned port, a4;
		unsigned char a6[16];
		if (value_is_ipv4(s, colon, &a4))
			return parse_dec(s + colon + 1, n - colon - 1, 5, 65535, 0, &port)
				   ? VALUE_IPV4_PORT
				   : VALUE_NONE;
		return parse_ipv6(s, n, a6) ? VALUE_IPV6 : VALUE_NONE;
	}
	if (value_is_ipv4(s, n, NULL))
		return VALUE_IPV4;
	if (value_is_domain(s, n))
		return VALUE_DOMAIN;
	return VALUE_NONE;
}

/* Appends n bytes to out at *pos, NUL-terminating; VB_ENOMEM when full. */
static int put(char *out, size_t cap, size_t *pos, const char *s, size_t n)
{
	if (n >= cap - *pos)
		return VB_ENOMEM;
	memcpy(out + *pos, s, n);
	*pos += n;
	out[*pos] = 0;
	return 0;
}

static int put_lower(char *out, size_t cap, size_t *pos, const char *s, size_t n)
{
	if (n >= cap - *pos)
		return VB_ENOMEM;
	for (size_t i = 0; i < n; i++)
		out[*pos + i] = lower(s[i]);
	*pos += n;
	out[*pos] = 0;
	return 0;
}

/* Copies URL bytes, percent-encoding those outside ASCII. */
static int put_url(char *out, size_t cap, size_t *pos, const char *s, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x80) {
			if (put(out, cap, pos, s + i, 1))
				return VB_ENOMEM;
		} else {
			char e[3] = {'%', hex[c >> 4], hex[c & 15]};
			if (put(out, cap, pos, e, 3))
				return VB_ENOMEM;
		}
	}
	return 0;
}

static int put_ipv6(char *out, size_t cap, size_t *pos, const unsigned char a6[16])
{
	char tmp[INET6_ADDRSTRLEN];
	if (!inet_ntop(AF_INET6, a6, tmp, sizeof tmp))
		return VB_EINPUT;
	return put(out, cap, pos, tmp, strlen(tmp));
}

static int put_uint(char *out, size_t cap, size_t *pos, unsigned v)
{
	char tmp[12];
	size_t i = sizeof tmp;
	do {
		tmp[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	return put(out, cap, pos, tmp + i, sizeof tmp - i);
}

static int norm_cidr4(const char *s, size_t n, char *out, size_t cap, size_t *pos)
{
	const char *sl = memchr(s, '/', n);
	unsigned a, prefix;
	if (!sl || !value_is_ipv4(s, (size_t)(sl - s), &a) ||
	    !cidr_prefix(sl + 1, n - (size_t)(sl - s) - 1, 32, &prefix))
		return VB_EINPUT;
	uint32_t host = prefix == 32 ? 0 : prefix == 0 ? 0xffffffffu : 0xffffffffu >> prefix;
	if (a & host)
		return VB_EINPUT;
	int rc = put(out, cap, pos, s, (size_t)(sl - s));
	if (!rc && prefix < 32)
		rc = put(out, cap, pos, "/", 1) || put_uint(out, cap, pos, prefix) ? VB_ENOMEM : 0;
	return rc;
}

static int norm_cidr6(const char *s, size_t n, char *out, size_t cap, size_t *pos)
{
	const char *sl = memchr(s, '/', n);
	unsigned char a6[16];
	unsigned prefix;
	if (!sl || !parse_ipv6(s, (size_t)(sl - s), a6) ||
	    !cidr_prefix(sl + 1, n - (size_t)(sl - s) - 1, 128, &prefix))
		return VB_EINPUT;
	for (unsigned bit = prefix; bit < 128; bit++)
		if (a6[bit / 8] & (0x80 >> (bit % 8)))
			return VB_EINPUT;
	int rc = put_ipv6(out, cap, pos, a6);
	if (!rc && prefix < 128)
		rc = put(out, cap, pos, "/", 1) || put_uint(out, cap, pos, prefix) ? VB_ENOMEM : 0;
	return rc;
}

/* scheme://[userinfo@]host[:port]rest, scheme and host lower-cased. */
static int norm_url(const char *s, size_t n, char *out, size_t cap, size_t *pos)
{
	const char *sep = NULL;
	for (size_t i = 0; i + 2 < n && s[i] != '/'; i++) {
		if (s[i] == ':' && s[i + 1] == '/' && s[i + 2] == '/') {
			sep = s + i;
			break;
		}
	}
	const char *body;
	if (sep) {
		if (put_lower(out, cap, pos, s, (size_t)(sep - s) + 3))
			return VB_ENOMEM;
		body = sep + 3;
	} else {
		if (put(out, cap, pos, "http://", 7))
			return VB_ENOMEM;
		body = s;
	}
	size_t bn = n - (size_t)(body - s);
	size_t an = authority_len(body, bn);
	size_t ui = 0; /* user info kept as written */
	for (size_t i = an; i > 0; i--) {
		if (body[i - 1] == '@') {
			ui = i;
			break;
		}
	}
	if (put_url(out, cap, pos, body, ui) || put_lower(out, cap, pos, body + ui, an - ui) ||
	    put_url(out, cap, pos, body + an, bn - an))
		return VB_ENOMEM;
	return 0;
}

int value_normalise(enum value_kind k, const char *s, size_t n, char *out, size_t cap)
{
	cls_init();
	if (cap == 0)
		return VB_ENOMEM;
	out[0] = 0;
	if (value_detect(s, n) != k || k == VALUE_NONE)
		return VB_EINPUT;
	size_t pos = 0;
	int rc = 0;
	switch (k) {
	case VALUE_IPV4:
	case VALUE_IPV4_PORT:
		rc = put(out, cap, &pos, s, n);
		break;
	case VALUE_IPV4_CIDR:
		rc = norm_cidr4(s, n, out, cap, &pos);
		break;
	case VALUE_IPV6: {
		unsigned char a6[16];
		rc = parse_ipv6(s, n, a6) ? put_ipv6(out, cap, &pos, a6) : VB_EINPUT;
		break;
	}
	case VALUE_IPV6_CIDR:
		rc = norm_cidr6(s, n, out, cap, &pos);
		break;
	case VALUE_IPV6_PORT: {
		const char *e = memchr(s, ']', n);
		unsigned char a6[16];
		if (!e || !parse_ipv6(s + 1, (size_t)(e - s - 1), a6))
			return VB_EINPUT;
		rc = put(out, cap, &pos, "[", 1) || put_ipv6(out, cap, &pos, a6) ||
			     put(out, cap, &pos, e, n - (size_t)(e - s))
			 ? VB_ENOMEM
			 : 0;
		break;
	}
	case VALUE_DOMAIN:
		rc = put_lower(out, cap, &pos, s, s[n - 1] == '.' ? n - 1 : n);
		break;
	case VALUE_EMAIL: {
		const char *at = memchr(s, '@', n);
		size_t ln = (size_t)(at - s) + 1;
		size_t dn = n - ln;
		if (s[n - 1] == '.')
			dn--;
		rc = put(out, cap, &pos, s, ln) || put_lower(out, cap, &pos, at + 1, dn) ? VB_ENOMEM
											 : 0;
		break;
	}
	case VALUE_MD5:
	case VALUE_SHA1:
	case VALUE_SHA256:
	case VALUE_SHA512:
		rc = put_lower(out, cap, &pos, s, n);
		break;
	case VALUE_URL:
		rc = norm_url(s, n, out, cap, &pos);
		break;
	case VALUE_URL_PATH:
		rc = put_url(out, cap, &pos, s, n);
		break;
	case VALUE_NONE:
	case VALUE__COUNT:
		return VB_EINPUT;
	}
	if (rc) {
		out[0] = 0;
		return rc;
	}
	return (int)pos;
}

static const struct {
	const char *name, *type, *index, *hash;
} kinds[VALUE__COUNT] = {
    [VALUE_NONE] = {"unrecognised value", NULL, NULL, NULL},
    [VALUE_IPV4] = {"IPv4 address", "ipv4-addr", "ipv4-addr", NULL},
    [VALUE_IPV4_CIDR] = {"IPv4 CIDR block", "ipv4-addr", "ipv4-addr", NULL},
    [VALUE_IPV6] = {"IPv6 address", "ipv6-addr", "ipv6-addr", NULL},
    [VALUE_IPV6_CIDR] = {"IPv6 CIDR block", "ipv6-addr", "ipv6-addr", NULL},
    [VALUE_DOMAIN] = {"domain name", "domain-name", "domain-name", NULL},
    [VALUE_URL] = {"URL", "url", "url", NULL},
    [VALUE_EMAIL] = {"e-mail address", "email-addr", "email-addr", NULL},
    [VALUE_MD5] = {"MD5 hash", "file", "file:MD5", "MD5"},
    [VALUE_SHA1] = {"SHA-1 hash", "file", "file:SHA-1", "SHA-1"},
    [VALUE_SHA256] = {"SHA-256 hash", "file", "file:SHA-256", "SHA-256"},
    [VALUE_SHA512] = {"SHA-512 hash", "file", "file:SHA-512", "SHA-512"},
    [VALUE_IPV4_PORT] = {"IPv4 address and port", "ipv4-addr", "ipv4-addr", NULL},
    [VALUE_IPV6_PORT] = {"IPv6 address and port", "ipv6-addr", "ipv6-addr", NULL},
    [VALUE_URL_PATH] = {"URL path", NULL, NULL, NULL},
};

const char *value_stix_type(enum value_kind k)
{
	return (unsigned)k < VALUE__COUNT ? kinds[k].type : NULL;
}

const char *value_index_kind(enum value_kind k)
{
	return (unsigned)k < VALUE__COUNT ? kinds[k].index : NULL;
}

const char *value_kind_name(enum value_kind k)
{
	return (unsigned)k < VALUE__COUNT ? kinds[k].name : kinds[VALUE_NONE].name;
}

/* Splits a normalised "addr:port" or "[addr]:port" into its parts. */
static int split_port(enum value_kind k, const char *s, size_t n, size_t *aoff, size_t *alen,
		      size_t *poff)
{
	const char *c = NULL;
	for (size_t i = n; i > 0; i--) {
		if (s[i - 1] == ':') {
			c = s + i - 1;
			break;
		}
	}
	if (!c)
		return VB_EINPUT;
	if (k == VALUE_IPV6_PORT) {
		if (n < 4 || s[0] != '[' || c == s || c[-1] != ']')
			return VB_EINPUT;
		*aoff = 1;
		*alen = (size_t)(c - s) - 2;
	} else {
		*aoff = 0;
		*alen = (size_t)(c - s);
	}
	*poff = (size_t)(c - s) + 1;
	return 0;
}

int value_observable(enum value_kind k, const char *norm, size_t n, struct value_obs *out)
{
	if ((unsigned)k >= VALUE__COUNT || !kinds[k].type)
		return VB_ENOTFOUND;
	out->type = kinds[k].type;
	out->hash = kinds[k].hash;
	out->index = kinds[k].index;
	out->off = 0;
	out->len = n;
	if (k == VALUE_IPV4_PORT || k == VALUE_IPV6_PORT) {
		size_t poff;
		if (split_port(k, norm, n, &out->off, &out->len, &poff))
			return VB_ENOTFOUND;
	}
	return 0;
}

int value_pattern_escape(const char *s, size_t n, char *out, size_t cap, size_t *pos)
{
	for (size_t i = 0; i < n; i++) {
		if ((s[i] == '\'' || s[i] == '\\') && put(out, cap, pos, "\\", 1))
			return VB_ENOMEM;
		if (put(out, cap, pos, s + i, 1))
			return VB_ENOMEM;
	}
	return 0;
}

#define PUTS(lit) put(out, cap, &pos, lit, sizeof(lit) - 1)

int value_pattern(enum value_kind k, const char *norm, size_t n, char *out, size_t cap)
{
	size_t pos = 0;
	int rc;
	if (cap == 0)
		return VB_ENOMEM;
	out[0] = 0;
	switch (k) {
	case VALUE_NONE:
	case VALUE__COUNT:
		return VB_EINPUT;
	case VALUE_IPV4_PORT:
	case VALUE_IPV6_PORT: {
		size_t aoff, alen, poff;
		if (split_port(k, norm, n, &aoff, &alen, &poff))
			return VB_EINPUT;
		rc = PUTS("[network-traffic:dst_ref.type = '") ||
		     put(out, cap, &pos, kinds[k].type, strlen(kinds[k].type)) ||
		     PUTS("' AND network-traffic:dst_ref.value = '") ||
		     value_pattern_escape(norm + aoff, alen, out, cap, &pos) ||
		     PUTS("' AND network-traffic:dst_port = ") ||
		     value_pattern_escape(norm + poff, n - poff, out, cap, &pos) || PUTS("]");
		break;
	}
	case VALUE_URL_PATH:
		/* Any scheme and host, this path exactly, with or without a query. */
		rc = PUTS("[url:value LIKE '%://%") ||
		     value_pattern_escape(norm, n, out, cap, &pos) ||
		     PUTS("' OR url:value LIKE '%://%") ||
		     value_pattern_escape(norm, n, out, cap, &pos) || PUTS("?%']");
		break;
	case VALUE_MD5:
	case VALUE_SHA1:
	case VALUE_SHA256:
	case VALUE_SHA512:
		rc =
		    PUTS("[file:hashes.") ||
		    (k == VALUE_MD5
			 ? PUTS("MD5")
			 : PUTS("'") || put(out, cap, &pos, kinds[k].hash, strlen(kinds[k].hash)) ||
			       PUTS("'")) ||
		    PUTS(" = '") || value_pattern_escape(norm, n, out, cap, &pos) || PUTS("']");
		break;
	default:
		rc = PUTS("[") || put(out, cap, &pos, kinds[k].type, strlen(kinds[k].type)) ||
		     PUTS(":value = '") || value_pattern_escape(norm, n, out, cap, &pos) ||
		     PUTS("']");
		break;
	}
	if (rc) {
		out[0] = 0;
		return VB_ENOMEM;
	}
	return (int)pos;
}
