/*
 * match_value.c: the one normalisation that indicator values (when the
 * matcher is built) and log values (when they are looked up) both go
 * through, so that the two always meet:
 *
 *  - IP addresses become binary (IPv4-mapped IPv6 addresses are IPv4);
 *  - domains are lower-cased and lose one trailing dot;
 *  - e-mail addresses are lower-cased whole (real mail systems treat the
 *    local part case-insensitively), and "Name <a@b>" keeps only a@b;
 *  - URLs: scheme and host lower-cased, the host's trailing dot dropped, a
 *    default port (:80 for http, :443 for https) dropped, an empty path
 *    written as "/", percent-encoding of unreserved characters
 *    (A-Z a-z 0-9 - . _ ~) decoded and every other escape written with
 *    upper-case hex, bytes outside printable ASCII percent-encoded, the
 *    fragment dropped. Other trailing slashes are kept: "/a" and "/a/" are
 *    different resources. A URL without a scheme is taken as http://.
 *  - hashes are lower-cased.
 */
#include "match_int.h"
#include "../util/util.h"

#include <arpa/inet.h>
#include <string.h>

static inline char lc(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c + 32) : c;
}

static int parse_v4(const char *s, size_t n, uint8_t out[4])
{
	if (n < 7 || n > 15)
		return 0;
	unsigned part = 0, val = 0, digits = 0;
	for (size_t i = 0; i <= n; i++) {
		if (i == n || s[i] == '.') {
			if (!digits || val > 255 || part > 3)
				return 0;
			out[part++] = (uint8_t)val;
			val = digits = 0;
			continue;
		}
		if (s[i] < '0' || s[i] > '9' || digits == 3 || (digits == 1 && val == 0))
			return 0;
		val = val * 10 + (unsigned)(s[i] - '0');
		digits++;
	}
	return part == 4;
}

/* RFC 4291 text (groups of 1-4 hex digits, one "::", an IPv4 tail) into 16
 * bytes; what inet_pton accepts, without copying. */
static int parse_v6(const char *s, size_t n, uint8_t out[16])
{
	uint16_t g[8];
	int ng = 0, gap = -1;
	size_t i = 0;
	if (n < 2 || n > 45)
		return 0;
	if (s[0] == ':') {
		if (s[1] != ':')
			return 0;
		gap = 0;
		i = 2;
		if (i == n)
			goto done;
	}
	for (;;) {
		size_t st = i;
		unsigned v = 0;
		while (i < n && i - st < 5) {
			int h = hex_digit(s[i]);
			if (h < 0)
				break;
			v = v << 4 | (unsigned)h;
			i++;
		}
		size_t nd = i - st;
		if (i < n && s[i] == '.') {
			/* An IPv4 tail: two groups. */
			uint8_t a4[4];
			if (ng > 6 || !parse_v4(s + st, n - st, a4))
				return 0;
			g[ng++] = (uint16_t)(a4[0] << 8 | a4[1]);
			g[ng++] = (uint16_t)(a4[2] << 8 | a4[3]);
			break;
		}
		if (nd == 0 || nd > 4 || ng == 8)
			return 0;
		g[ng++] = (uint16_t)v;
		if (i == n)
			break;
		if (s[i] != ':')
			return 0;
		i++;
		if (i < n && s[i] == ':') {
			if (gap >= 0)
				return 0;
			gap = ng;
			i++;
			if (i == n)
				break;
		} else if (i == n) {
			return 0;
		}
	}
done:
	if (gap < 0 ? ng != 8 : ng > 7)
		return 0;
	memset(out, 0, 16);
	int tail = gap < 0 ? 0 : ng - gap;
	for (int k = 0; k < ng; k++) {
		int at = gap < 0 || k < gap ? k : 8 - tail + (k - gap);
		out[2 * at] = (uint8_t)(g[k] >> 8);
		out[2 * at + 1] = (uint8_t)g[k];
	}
	return 1;
}

int ip_parse(const char *s, size_t n, uint8_t *fam, uint8_t addr[16])
{
	if (n == 0)
		return 0;
	if (memchr(s, ':', n) == NULL) {
		if (!parse_v4(s, n, addr))
			return 0;
		*fam = 4;
		return 1;
	}
	uint8_t a6[16];
	if (s[0] != '[' && !memchr(s, '%', n) && parse_v6(s, n, a6)) {
		static const uint8_t mapped6[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
		if (memcmp(a6, mapped6, 12) == 0) {
			memcpy(addr, a6 + 12, 4);
			*fam = 4;
		} else {
			memcpy(addr, a6, 16);
			*fam = 6;
		}
		return 1;
	}
	char tmp[64];
	if (n >= sizeof tmp)
		return 0;
	memcpy(tmp, s, n);
	tmp[n] = 0;
	char *pct = strchr(tmp, '%'); /* a zone: fe80::1%eth0 */
	if (pct)
		*pct = 0;
	if (tmp[0] == '[' && pct == NULL && n > 2 && tmp[n - 1] == ']') {
		memmove(tmp, tmp + 1, n - 2);
		tmp[n - 2] = 0;
	}
	uint8_t a[16];
	if (inet_pton(AF_INET6, tmp, a) != 1)
		return 0;
	static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
	if (memcmp(a, mapped, 12) == 0) {
		memcpy(addr, a + 12, 4);
		*fam = 4;
		return 1;
	}
	memcpy(addr, a, 16);
	*fam = 6;
	return 1;
}

int ip_parse_cidr(const char *s, size_t n, uint8_t *fam, uint8_t addr[16], uint8_t *plen)
{
	const char *sl = memchr(s, '/', n);
	size_t an = sl ? (size_t)(sl - s) : n;
	if (!ip_parse(s, an, fam, addr))
		return 0;
	unsigned max = *fam == 4 ? 32 : 128, p = max;
	if (sl) {
		size_t pn = n - an - 1;
		if (pn == 0 || pn > 3)
			return 0;
		p = 0;
		for (size_t i = 0; i < pn; i++) {
			if (sl[1 + i] < '0' || sl[1 + i] > '9')
				return 0;
			p = p * 10 + (unsigned)(sl[1 + i] - '0');
		}
		/* "::ffff:1.2.3.0/120" names an IPv4 block. */
		if (*fam == 4 && memchr(s, ':', an)) {
			if (p < 96)
				return 0;
			p -= 96;
		}
		if (p > max)
			return 0;
	}
	for (unsigned b = p; b < max; b++)
		addr[b / 8] &= (uint8_t) ~(0x80u >> (b % 8));
	*plen = (uint8_t)p;
	return 1;
}

int ip_in_prefix(uint8_t fam, const uint8_t *addr, const struct m_lit *l)
{
	if (!l->is_ip || fam != l->fam)
		return 0;
	unsigned full = l->plen / 8, rest = l->plen % 8;
	if (memcmp(addr, l->addr, full) != 0)
		return 0;
	if (rest) {
		uint8_t mask = (uint8_t)(0xff00u >> rest);
		if ((addr[full] & mask) != l->addr[full])
			return 0;
	}
	return 1;
}

size_t norm_domain(const char *s, size_t n, char *out)
{
	if (n && s[n - 1] == '.')
		n--;
	for (size_t i = 0; i < n; i++)
		out[i] = lc(s[i]);
	return n;
}

size_t norm_lower(const char *s, size_t n, char *out)
{
	for (size_t i = 0; i < n; i++)
		out[i] = lc(s[i]);
	return n;
}

size_t norm_email(const char *s, size_t n, char *out)
{
	const char *lt = memchr(s, '<', n);
	if (lt) {
		const char *gt = memchr(lt, '>', n - (size_t)(lt - s));
		if (gt) {
			n = (size_t)(gt - lt - 1);
			s = lt + 1;
		}
	}
	while (n && (s[0] == ' ' || s[0] == '\t')) {
		s++;
		n--;
	}
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	if (n && s[n - 1] == '.')
		n--;
	return norm_lower(s, n, out);
}

static int unreserved(unsigned c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '.' || c == '_' || c == '~';
}

/* Copies path, query (fragment dropped) with the percent rules above. */
static size_t put_path(const char *s, size_t n, char *out)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t o = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '#')
			break;
		if (c == '%' && i + 2 < n) {
			int h1 = hex_digit(s[i + 1]), h2 = hex_digit(s[i + 2]);
			if (h1 >= 0 && h2 >= 0) {
				unsigned v = (unsigned)(h1 << 4 | h2);
				if (unreserved(v)) {
					out[o++] = (char)v;
				} else {
					out[o++] = '%';
					out[o++] = hex[v >> 4];
					out[o++] = hex[v & 15];
				}
				i += 2;
				continue;
			}
		}
		if (c <= 0x20 || c >= 0x7f) {
			out[o++] = '%';
			out[o++] = hex[c >> 4];
			out[o++] = hex[c & 15];
		} else {
			out[o++] = (char)c;
		}
	}
	return o;
}

size_t norm_url(const char *s, size_t n, const char *host, size_t hn, char *out)
{
	size_t o = 0;
	while (n && (s[0] == ' ' || s[0] == '\t')) {
		s++;
		n--;
	}
	if (n == 0)
		return 0;
	/* The scheme: letters, digits, + - . before "://". */
	size_t sl = 0;
	while (sl < n && sl < 32 &&
	       ((s[sl] >= 'a' && s[sl] <= 'z') || (s[sl] >= 'A' && s[sl] <= 'Z') ||
		(sl &&
		 ((s[sl] >= '0' && s[sl] <= '9') || s[sl] == '+' || s[sl] == '-' || s[sl] == '.'))))
		sl++;
	const char *body;
	size_t bn;
	char scheme[40];
	size_t scn;
	if (sl && sl + 3 <= n && memcmp(s + sl, "://", 3) == 0) {
		scn = norm_lower(s, sl, scheme);
		body = s + sl + 3;
		bn = n - sl - 3;
	} else if (s[0] == '/') {
		if (!host || !hn)
			return 0;
		memcpy(scheme, "http", 4);
		scn = 4;
		body = NULL;
		bn = 0;
	} else {
		memcpy(scheme, "http", 4);
		scn = 4;
		body = s;
		bn = n;
	}
	memcpy(out + o, scheme, scn);
	o += scn;
	memcpy(out + o, "://", 3);
	o += 3;
	const char *auth, *rest;
	size_t an, rn;
	if (body) {
		size_t i = 0;
		while (i < bn && body[i] != '/' && body[i] != '?' && body[i] != '#')
			i++;
		auth = body;
		an = i;
		rest = body + i;
		rn = bn - i;
	} else {
		auth = host;
		an = hn;
		rest = s;
		rn = n;
	}
	/* User info is kept as written; the host after the last '@'. */
	size_t ui = 0;
	for (size_t i = an; i > 0; i--)
		if (auth[i - 1] == '@') {
			ui = i;
			break;
		}
	o += put_path(auth, ui, out + o);
	const char *h = auth + ui;
	size_t hl = an - ui;
	/* Port: after the last ':' unless inside an IPv6 literal. */
	size_t port_at = hl;
	for (size_t i = hl; i > 0; i--) {
		if (h[i - 1] == ']')
			break;
		if (h[i - 1] == ':') {
			port_at = i - 1;
			break;
		}
	}
	size_t hostlen = port_at;
	if (hostlen && h[hostlen - 1] == '.')
		hostlen--;
	for (size_t i = 0; i < hostlen; i++) {
		unsigned char c = (unsigned char)h[i];
		if (c <= 0x20 || c >= 0x7f)
			return 0;
		out[o++] = lc((char)c);
	}
	if (port_at < hl) {
		const char *p = h + port_at + 1;
		size_t pn = hl - port_at - 1;
		while (pn > 1 && p[0] == '0') {
			p++;
			pn--;
		}
		int dflt = pn == 0 ||
			   (scn == 4 && memcmp(scheme, "http", 4) == 0 && pn == 2 &&
			    memcmp(p, "80", 2) == 0) ||
			   (scn == 5 && memcmp(scheme, "https", 5) == 0 && pn == 3 &&
			    memcmp(p, "443", 3) == 0);
		if (!dflt) {
			out[o++] = ':';
			for (size_t i = 0; i < pn; i++) {
				if (p[i] < '0' || p[i] > '9')
					return 0;
				out[o++] = p[i];
			}
		}
	}
	if (rn == 0 || rest[0] != '/')
		out[o++] = '/';
	o += put_path(rest, rn, out + o);
	return o;
}
