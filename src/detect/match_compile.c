/*
 * match_compile.c: STIX patterns into the matcher's tables and programs.
 *
 * A pattern that is one equality "[type:value = 'x']" on an address, a
 * domain, a URL, an e-mail address or a file hash is a "simple" indicator:
 * one table entry that points straight at the indicator. compile_fast
 * recognises the text forms the importers write without running the
 * parser (parsing is most of the build time otherwise); anything it is not
 * sure about goes through pattern_parse, which reaches the same
 * compile_simple for the same patterns.
 *
 * Every other pattern is "complex": its comparisons, comparison trees and
 * observation trees are copied into compact vectors (the parse tree is
 * freed), and for each observation a set of "anchor" comparisons is chosen
 * such that the observation can only be true on an event where one of them
 * holds: an equality or IN on an indexable kind (table entries), a LIKE
 * (a suffix table or a regular expression), a MATCHES (a regular
 * expression). AND takes the anchors of one child, OR those of all
 * children. An observation without anchors (only != or ports, say) is
 * evaluated on every event.
 */
#include "match_int.h"
#include "../ingest/value.h"
#include "../util/util.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const sk_paths[SK__COUNT] = {
    [SK_IPV4] = "ipv4-addr:value",
    [SK_IPV6] = "ipv6-addr:value",
    [SK_DOMAIN] = "domain-name:value",
    [SK_URL] = "url:value",
    [SK_EMAIL] = "email-addr:value",
    [SK_MD5] = "file:hashes.MD5",
    [SK_SHA1] = "file:hashes.'SHA-1'",
    [SK_SHA256] = "file:hashes.'SHA-256'",
    [SK_SHA512] = "file:hashes.'SHA-512'",
    [SK_IPPORT] = "network-traffic:dst_ref.value",
    [SK_URLPATH] = "url:value",
    [SK_COMPLEX] = "",
};

const char *sk_path(unsigned sk)
{
	return sk < SK__COUNT ? sk_paths[sk] : "";
}

/* The obs_kind a comparison kind reads. */
static const enum obs_kind ck_field[CK__COUNT] = {
    [CK_NONE] = OBS_NONE, [CK_IP] = OBS_IP,	    [CK_DOMAIN] = OBS_DOMAIN,
    [CK_URL] = OBS_URL,	  [CK_EMAIL] = OBS_EMAIL,   [CK_MD5] = OBS_MD5,
    [CK_SHA1] = OBS_SHA1, [CK_SHA256] = OBS_SHA256, [CK_SHA512] = OBS_SHA512,
    [CK_PORT] = OBS_PORT, [CK_IPTYPE] = OBS_IP,	    [CK_STRING] = OBS_STRING,
};

enum obs_kind match_ck_field(unsigned ck)
{
	return ck < CK__COUNT ? ck_field[ck] : OBS_NONE;
}

/* Object types for "hits by indicator type"; index 0 is "other". */
static const char *const type_names[] = {
    "other", "ipv4-addr",	"ipv6-addr",	    "domain-name",   "url",	 "email-addr",
    "file",  "network-traffic", "x509-certificate", "email-message", "artifact",
};

static uint8_t type_code(const char *t, size_t n)
{
	for (size_t i = 1; i < ARRAY_LEN(type_names); i++)
		if (strlen(type_names[i]) == n && memcmp(type_names[i], t, n) == 0)
			return (uint8_t)i;
	return 0;
}

const char *matcher_indicator_type(const struct matcher *m, uint32_t i)
{
	const struct m_ind *d = &VEC_AT(&m->inds, struct m_ind, i);
	return d->type < ARRAY_LEN(type_names) ? type_names[d->type] : "other";
}

static const uint8_t sk_type[SK__COUNT] = {
    [SK_IPV4] = 1,   [SK_IPV6] = 2,   [SK_DOMAIN] = 3,	[SK_URL] = 4,
    [SK_EMAIL] = 5,  [SK_MD5] = 6,    [SK_SHA1] = 6,	[SK_SHA256] = 6,
    [SK_SHA512] = 6, [SK_IPPORT] = 7, [SK_URLPATH] = 4, [SK_COMPLEX] = 0,
};

size_t like_tail_key(const char *l, size_t n, size_t *off)
{
	size_t st = 0;
	for (size_t i = n; i > 0; i--)
		if (l[i - 1] == '_') {
			st = i;
			break;
		}
	size_t k = n - st;
	if (k == 0)
		return 0;
	if (k > TAIL_KEY)
		k = TAIL_KEY;
	*off = n - k;
	return k;
}

static int wild_eq(const char *u, const char *l, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (l[i] != '_' && l[i] != u[i])
			return 0;
	return 1;
}

int like_path_match(const char *u, size_t un, const char *l, size_t ln, int form)
{
	size_t from = 0;
	for (size_t i = 0; i + 2 < un; i++)
		if (u[i] == ':' && u[i + 1] == '/' && u[i + 2] == '/') {
			from = i + 3;
			break;
		}
	if (!from)
		return 0;
	if (form == 1)
		return un >= from + ln && wild_eq(u + un - ln, l, ln);
	for (size_t q = from + ln; q < un; q++)
		if (u[q] == '?' && wild_eq(u + q - ln, l, ln))
			return 1;
	return 0;
}

/* Indexes the normalised LIKE path l under its tail key in table form-1. */
static int tail_add(struct matcher *m, int form, const char *l, size_t n, uint32_t ref)
{
	size_t off, k = like_tail_key(l, n, &off);
	if (!k)
		return -1;
	struct xtab *t = &m->url_tail[form - 1];
	xtab_add(t, &m->vals, l + off, k, ref);
	t->lens |= 1u << k;
	return 0;
}

/* Scratch space for normalised values: a URL may grow threefold. */
#define NORM_CAP (3 * (PATTERN_MAX_LEN + 64) + 64)
static _Thread_local char norm_buf[NORM_CAP];

static int domain_sub(const struct matcher *m, uint32_t ind)
{
	return m->opts.subdomains || (VEC_AT(&m->inds, struct m_ind, ind).flags & IND_SUBDOMAINS);
}

/* Adds the string value of kind ck to its table with ref. Returns 0, or -1
 * when the value cannot be normalised for that kind. */
static int table_add(struct matcher *m, unsigned ck, const char *v, size_t n, uint32_t ref, int sub)
{
	size_t k;
	switch (ck) {
	case CK_IP: {
		uint8_t fam, a[16], plen;
		if (!ip_parse_cidr(v, n, &fam, a, &plen))
			return -1;
		if (fam == 4)
			v4_add(m,
			       (uint32_t)a[0] << 24 | (uint32_t)a[1] << 16 | (uint32_t)a[2] << 8 |
				   a[3],
			       plen, ref);
		else
			v6_add(m, a, plen, ref);
		return 0;
	}
	case CK_DOMAIN:
		k = norm_domain(v, n, norm_buf);
		if (!k)
			return -1;
		xtab_add(&m->dom, &m->vals, norm_buf, k, ref);
		if (sub && !m->opts.subdomains)
			xtab_add(&m->dom_sub, &m->vals, norm_buf, k, ref);
		m->st.exact[OBS_DOMAIN]++;
		return 0;
	case CK_URL:
		k = norm_url(v, n, NULL, 0, norm_buf);
		if (!k)
			return -1;
		xtab_add(&m->url, &m->vals, norm_buf, k, ref);
		m->st.exact[OBS_URL]++;
		return 0;
	case CK_EMAIL:
		k = norm_email(v, n, norm_buf);
		if (!k)
			return -1;
		xtab_add(&m->email, &m->vals, norm_buf, k, ref);
		m->st.exact[OBS_EMAIL]++;
		return 0;
	case CK_MD5:
	case CK_SHA1:
	case CK_SHA256:
	case CK_SHA512: {
		static const size_t want[] = {32, 40, 64, 128};
		unsigned h = ck - CK_MD5;
		if (n != want[h])
			return -1;
		k = norm_lower(v, n, norm_buf);
		xtab_add(&m->hash[h], &m->vals, norm_buf, k, ref);
		m->st.exact[OBS_MD5 + h]++;
		return 0;
	}
	default:
		return -1;
	}
}

static const uint8_t sk_ck[SK__COUNT] = {
    [SK_IPV4] = CK_IP,	 [SK_IPV6] = CK_IP,	  [SK_DOMAIN] = CK_DOMAIN,
    [SK_URL] = CK_URL,	 [SK_EMAIL] = CK_EMAIL,	  [SK_MD5] = CK_MD5,
    [SK_SHA1] = CK_SHA1, [SK_SHA256] = CK_SHA256, [SK_SHA512] = CK_SHA512,
};

/* One equality on a simple path: a table entry pointing at the indicator. */
static int compile_simple(struct matcher *m, uint32_t ind, unsigned sk, const char *v, size_t n)
{
	struct m_ind *d = &VEC_AT(&m->inds, struct m_ind, ind);
	if (sk == SK_IPV4 || sk == SK_IPV6) {
		/* The value decides the family: ipv4-addr:value = '::1' still
		 * names an address. */
		uint8_t fam, a[16], plen;
		if (!ip_parse_cidr(v, n, &fam, a, &plen))
			return -1;
		sk = fam == 4 ? SK_IPV4 : SK_IPV6;
	}
	d->sk = (uint8_t)sk;
	d->type = sk_type[sk];
	if (table_add(m, sk_ck[sk], v, n, ind, domain_sub(m, ind)) < 0)
		return -1;
	return 0;
}

/* Unescapes a pattern string literal body (\\ and \' only); returns the
 * length, or -1 for any other escape (the parser then decides). */
static long unescape(const char *s, size_t n, char *out)
{
	size_t o = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\\') {
			if (i + 1 >= n || (s[i + 1] != '\\' && s[i + 1] != '\''))
				return -1;
			i++;
		} else if (s[i] == '\'') {
			return -1;
		}
		out[o++] = s[i];
	}
	return (long)o;
}

/* The string literal body at s (up to its closing quote) unescaped into
 * out; returns the position after the closing quote, or NULL. */
static const char *take_literal(const char *s, const char *e, char *out, size_t cap, size_t *len)
{
	size_t o = 0;
	while (s < e && *s != '\'') {
		if (*s == '\\') {
			if (s + 1 >= e || (s[1] != '\\' && s[1] != '\''))
				return NULL;
			s++;
		}
		if (o + 1 >= cap)
			return NULL;
		out[o++] = *s++;
	}
	if (s >= e)
		return NULL;
	out[o] = 0;
	*len = o;
	return s + 1;
}

static int starts(const char **p, const char *e, const char *lit)
{
	size_t n = strlen(lit);
	if ((size_t)(e - *p) < n || memcmp(*p, lit, n) != 0)
		return 0;
	*p += n;
	return 1;
}

/* "[network-traffic:dst_ref.type = 'ipvX-addr' AND network-traffic:dst_ref.value = 'A'
 *   AND network-traffic:dst_port = N]", as lists of address:port write it. */
static int fast_ipport(struct matcher *m, uint32_t ind, const char *pat, size_t n)
{
	const char *p = pat, *e = pat + n;
	char fam_txt[16], v[64];
	size_t fl, vl;
	if (!starts(&p, e, "[network-traffic:dst_ref.type = '") ||
	    !(p = take_literal(p, e, fam_txt, sizeof fam_txt, &fl)) ||
	    !starts(&p, e, " AND network-traffic:dst_ref.value = '") ||
	    !(p = take_literal(p, e, v, sizeof v, &vl)) ||
	    !starts(&p, e, " AND network-traffic:dst_port = "))
		return 0;
	long port = 0;
	size_t nd = 0;
	while (p < e && *p >= '0' && *p <= '9' && nd < 6)
		port = port * 10 + (*p++ - '0'), nd++;
	if (!nd || port > 65535 || p + 1 != e || *p != ']')
		return 0;
	uint8_t fam, a[16], plen;
	if (!ip_parse_cidr(v, vl, &fam, a, &plen))
		return 0;
	if (strcmp(fam_txt, fam == 4 ? "ipv4-addr" : "ipv6-addr") != 0)
		return 0;
	struct m_ind *d = &VEC_AT(&m->inds, struct m_ind, ind);
	d->sk = SK_IPPORT;
	d->type = sk_type[SK_IPPORT];
	d->aux = (uint32_t)port;
	if (fam == 4)
		v4_add(m, (uint32_t)a[0] << 24 | (uint32_t)a[1] << 16 | (uint32_t)a[2] << 8 | a[3],
		       plen, ind);
	else
		v6_add(m, a, plen, ind);
	m->st.fast++;
	return 1;
}

/* "[url:value LIKE '%://%P' OR url:value LIKE '%://%P?%']": a path on any
 * host, as lists of URL paths write it. */
static int fast_urlpath(struct matcher *m, uint32_t ind, const char *pat, size_t n)
{
	const char *p = pat + 22, *e = pat + n;
	char a[VALUE_MAX_LEN + 1], b[VALUE_MAX_LEN + 1];
	size_t al, bl;
	if (!(p = take_literal(p, e, a, sizeof a, &al)) ||
	    !starts(&p, e, " OR url:value LIKE '%://%") ||
	    !(p = take_literal(p, e, b, sizeof b, &bl)) || p + 1 != e || *p != ']')
		return 0;
	/* b is a + "?%". */
	if (bl != al + 2 || memcmp(a, b, al) != 0 || b[al] != '?' || b[al + 1] != '%' || !al ||
	    a[0] != '/')
		return 0;
	for (size_t i = 0; i < al; i++)
		if (a[i] == '%' || a[i] == '?' || a[i] == '#' || a[i] == '\\')
			return 0;
	char *norm = xmalloc(3 * al + 64);
	size_t k = norm_url(a, al, "h", 1, norm);
	if (k <= 8) {
		free(norm);
		return 0;
	}
	const char *path = norm + 8; /* after "http://h" */
	size_t pl = k - 8, off;
	if (!like_tail_key(path, pl, &off)) {
		free(norm);
		return 0;
	}
	struct m_ind *d = &VEC_AT(&m->inds, struct m_ind, ind);
	d->sk = SK_URLPATH;
	d->type = sk_type[SK_URLPATH];
	d->aux = text_put(&m->text, path, pl);
	tail_add(m, 1, path, pl, ind);
	tail_add(m, 2, path, pl, ind);
	free(norm);
	m->st.fast++;
	m->st.exact[OBS_URL]++;
	return 1;
}

int compile_fast(struct matcher *m, uint32_t ind, const char *pat, size_t n)
{
	static const struct {
		const char *prefix;
		unsigned sk;
	} forms[] = {
	    {"[ipv4-addr:value = '", SK_IPV4},
	    {"[domain-name:value = '", SK_DOMAIN},
	    {"[url:value = '", SK_URL},
	    {"[ipv6-addr:value = '", SK_IPV6},
	    {"[email-addr:value = '", SK_EMAIL},
	    {"[file:hashes.MD5 = '", SK_MD5},
	    {"[file:hashes.'SHA-256' = '", SK_SHA256},
	    {"[file:hashes.'SHA-1' = '", SK_SHA1},
	    {"[file:hashes.'SHA-512' = '", SK_SHA512},
	    {"[file:hashes.'MD5' = '", SK_MD5},
	};
	if (n < 16 || pat[0] != '[' || pat[n - 1] != ']')
		return 0;
	if (pat[n - 2] != '\'')
		return fast_ipport(m, ind, pat, n);
	if (n > 20 && memcmp(pat, "[url:value LIKE '%://%", 22) == 0)
		return fast_urlpath(m, ind, pat, n);
	for (size_t i = 0; i < ARRAY_LEN(forms); i++) {
		size_t pl = strlen(forms[i].prefix);
		if (n < pl + 2 || memcmp(pat, forms[i].prefix, pl) != 0)
			continue;
		const char *body = pat + pl;
		size_t bn = n - pl - 2;
		char tmp[VALUE_MAX_LEN + 1];
		if (bn > VALUE_MAX_LEN)
			return 0;
		long k = unescape(body, bn, tmp);
		if (k <= 0)
			return 0;
		if (forms[i].sk >= SK_MD5) {
			/* Hash values must be hex of the right length (the parser
			 * checks this; an odd value goes the long way round). */
			for (long j = 0; j < k; j++)
				if (!((tmp[j] >= '0' && tmp[j] <= '9') ||
				      (tmp[j] >= 'a' && tmp[j] <= 'f') ||
				      (tmp[j] >= 'A' && tmp[j] <= 'F')))
					return 0;
		}
		if (compile_simple(m, ind, forms[i].sk, tmp, (size_t)k) < 0)
			return 0;
		m->st.fast++;
		return 1;
	}
	return 0;
}

/* ---- complex patterns ---- */

static int key_is(const struct pattern_step *s, const char *k)
{
	return s->kind == PATTERN_STEP_KEY && strcmp(s->key, k) == 0;
}

static int key_ieq(const struct pattern_step *s, const char *k)
{
	return s->kind == PATTERN_STEP_KEY && strcasecmp(s->key, k) == 0;
}

static unsigned hash_ck(const struct pattern_step *s)
{
	if (key_ieq(s, "MD5"))
		return CK_MD5;
	if (key_ieq(s, "SHA-1") || key_ieq(s, "SHA1"))
		return CK_SHA1;
	if (key_ieq(s, "SHA-256") || key_ieq(s, "SHA256"))
		return CK_SHA256;
	if (key_ieq(s, "SHA-512") || key_ieq(s, "SHA512"))
		return CK_SHA512;
	return CK_NONE;
}

/* The kind and role of the log field a comparison's path corresponds to. */
static void map_path(const struct pattern_cmp *c, unsigned *ck, unsigned *role)
{
	const char *t = c->object_type;
	const struct pattern_step *s = c->steps;
	size_t n = c->nsteps;
	*ck = CK_NONE;
	*role = ROLE_ANY;
	if (n == 1 && key_is(&s[0], "value")) {
		if (!strcmp(t, "ipv4-addr") || !strcmp(t, "ipv6-addr"))
			*ck = CK_IP;
		else if (!strcmp(t, "domain-name"))
			*ck = CK_DOMAIN;
		else if (!strcmp(t, "url"))
			*ck = CK_URL;
		else if (!strcmp(t, "email-addr"))
			*ck = CK_EMAIL;
		return;
	}
	if (n == 2 && key_is(&s[0], "hashes") &&
	    (!strcmp(t, "file") || !strcmp(t, "x509-certificate") || !strcmp(t, "artifact"))) {
		*ck = hash_ck(&s[1]);
		return;
	}
	if (!strcmp(t, "network-traffic") && n >= 1) {
		unsigned r = 0;
		if (key_is(&s[0], "src_ref") || key_is(&s[0], "src_port"))
			r = ROLE_SRC;
		else if (key_is(&s[0], "dst_ref") || key_is(&s[0], "dst_port"))
			r = ROLE_DST;
		if (!r)
			return;
		*role = r;
		if (n == 1 && (key_is(&s[0], "src_port") || key_is(&s[0], "dst_port")))
			*ck = CK_PORT;
		else if (n == 2 && key_is(&s[1], "value") &&
			 (key_is(&s[0], "src_ref") || key_is(&s[0], "dst_ref")))
			*ck = CK_IP;
		else if (n == 2 && key_is(&s[1], "type") &&
			 (key_is(&s[0], "src_ref") || key_is(&s[0], "dst_ref")))
			*ck = CK_IPTYPE;
		return;
	}
	if (!strcmp(t, "email-message")) {
		/* from_ref.value, sender_ref.value, to_refs[*].value, ... */
		if (n == 2 && key_is(&s[1], "value") &&
		    (key_is(&s[0], "from_ref") || key_is(&s[0], "sender_ref")))
			*ck = CK_EMAIL;
		else if (n == 3 && key_is(&s[2], "value") && s[1].kind != PATTERN_STEP_KEY &&
			 (key_is(&s[0], "to_refs") || key_is(&s[0], "cc_refs") ||
			  key_is(&s[0], "bcc_refs")))
			*ck = CK_EMAIL;
		return;
	}
	if (!strcmp(t, "domain-name") && n == 3 && key_is(&s[0], "resolves_to_refs") &&
	    s[1].kind != PATTERN_STEP_KEY && key_is(&s[2], "value")) {
		*ck = CK_IP; /* a DNS answer */
		return;
	}
}

const char *ck_obs_type(unsigned ck)
{
	return obs_kind_name(match_ck_field(ck));
}

/* Normalises a literal for comparison kind ck into m->lits. */
static uint32_t add_lit(struct matcher *m, unsigned ck, const struct pattern_lit *l)
{
	uint32_t idx = (uint32_t)m->lits.n;
	struct m_lit *ml = vec_push(&m->lits);
	if (l->kind == PATTERN_LIT_INT) {
		ml->is_int = 1;
		ml->i = l->i;
		char num[32];
		int k = snprintf(num, sizeof num, "%lld", (long long)l->i);
		ml->off = text_put(&m->text, num, (size_t)k);
		ml->len = (uint32_t)k;
		return idx;
	}
	const char *s = l->str ? l->str : "";
	size_t n = l->len;
	if (l->kind == PATTERN_LIT_BOOL) {
		s = l->b ? "true" : "false";
		n = strlen(s);
	}
	size_t k = n;
	const char *v = s;
	switch (ck) {
	case CK_IP:
		if (ip_parse_cidr(s, n, &ml->fam, ml->addr, &ml->plen))
			ml->is_ip = 1;
		break;
	case CK_DOMAIN:
		k = norm_domain(s, n, norm_buf);
		v = norm_buf;
		break;
	case CK_URL: {
		size_t u = norm_url(s, n, NULL, 0, norm_buf);
		if (u) {
			k = u;
			v = norm_buf;
		}
		break;
	}
	case CK_EMAIL:
		k = norm_email(s, n, norm_buf);
		v = norm_buf;
		break;
	case CK_MD5:
	case CK_SHA1:
	case CK_SHA256:
	case CK_SHA512:
		k = norm_lower(s, n, norm_buf);
		v = norm_buf;
		break;
	case CK_PORT:
		if (l->kind == PATTERN_LIT_STRING) {
			long p;
			char tmp[16];
			if (n < sizeof tmp) {
				memcpy(tmp, s, n);
				tmp[n] = 0;
				if (parse_long(tmp, 0, 65535, &p) == 0) {
					ml->is_int = 1;
					ml->i = p;
				}
			}
		}
		break;
	default:
		break;
	}
	ml = &VEC_AT(&m->lits, struct m_lit, idx);
	ml->off = text_put(&m->text, v, k);
	ml->len = (uint32_t)k;
	return idx;
}

/* LIKE '%://%' + L [+ '?%'] with a literal path L: 1 (ends with L) or 2
 * (L followed by '?'); 0 when the pattern needs a regular expression. */
static int like_fast_form(const char *s, size_t n, size_t *lo, size_t *ll)
{
	if (n < 6 || memcmp(s, "%://%/", 6) != 0)
		return 0;
	size_t st = 5, end = n;
	int form = 1;
	if (n >= 8 && s[n - 2] == '?' && s[n - 1] == '%') {
		form = 2;
		end = n - 2;
	}
	for (size_t i = st; i < end; i++)
		if (s[i] == '%' || s[i] == '?' || s[i] == '#' || s[i] == '\\')
			return 0;
	size_t off;
	if (!like_tail_key(s + st, end - st, &off))
		return 0;
	*lo = st;
	*ll = end - st;
	return form;
}

/* LIKE to an anchored PCRE2 pattern: % is .*, _ is one character. */
static size_t like_to_regex(const char *s, size_t n, char *out)
{
	size_t o = 0;
	out[o++] = '^';
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (c == '%') {
			out[o++] = '.';
			out[o++] = '*';
		} else if (c == '_') {
			out[o++] = '.';
		} else {
			if (strchr("\\^$.|?*+()[]{}/-", c))
				out[o++] = '\\';
			out[o++] = c;
		}
	}
	out[o++] = '$';
	return o;
}

static pcre2_code *compile_re(const char *s, size_t n, int anchored_like)
{
	int ec;
	PCRE2_SIZE eo;
	uint32_t flags = PCRE2_UTF | PCRE2_MATCH_INVALID_UTF;
	if (anchored_like)
		flags |= PCRE2_DOTALL;
	pcre2_code *re = pcre2_compile((PCRE2_SPTR)s, n, flags, &ec, &eo, NULL);
	if (!re)
		return NULL;
	pcre2_jit_compile(re, PCRE2_JIT_COMPLETE);
	return re;
}

static void like_normalise(struct matcher *m, struct m_cmp *c, const struct pattern_lit *l,
			   unsigned ck)
{
	/* The literal path of a fast LIKE is normalised like URL paths. */
	char *tmp = xmalloc(3 * l->len + 64);
	size_t k = norm_url(l->str + 5, l->len - 5 - (c->like_fast == 2 ? 2 : 0), "h", 1, tmp);
	/* norm_url wrote "http://h" + path. */
	struct m_lit *ml = vec_push(&m->lits);
	c->lit = (uint32_t)(m->lits.n - 1);
	c->nlit = 1;
	ml->off = text_put(&m->text, tmp + 8, k > 8 ? k - 8 : 0);
	ml->len = (uint32_t)(k > 8 ? k - 8 : 0);
	(void)ck;
	free(tmp);
}

static uint32_t compile_cmp(struct matcher *m, uint32_t cx, const struct pattern_cmp *pc)
{
	uint32_t idx = (uint32_t)m->cmps.n;
	struct m_cmp *c = vec_push(&m->cmps);
	unsigned ck, role;
	map_path(pc, &ck, &role);
	c->cx = cx;
	c->obs = (uint16_t)pc->obs_index;
	c->ck = (uint8_t)ck;
	c->role = (uint8_t)role;
	c->op = (uint8_t)pc->op;
	c->neg = (uint8_t)(pc->negated != 0);
	char path[512];
	pattern_path_format(pc, path, sizeof path);
	c->path_off = text_put(&m->text, path, strlen(path));
	m->ck_count[ck]++;
	if (ck == CK_NONE) {
		*(uint32_t *)vec_push(&m->unmatch) = idx;
		m->st.unmatchable++;
		return idx;
	}
	if (pc->op == PATTERN_OP_LIKE && pc->lit.kind == PATTERN_LIT_STRING) {
		size_t lo, ll;
		int form = ck == CK_URL ? like_fast_form(pc->lit.str, pc->lit.len, &lo, &ll) : 0;
		if (form) {
			c->like_fast = (uint8_t)form;
			like_normalise(m, c, &pc->lit, ck);
			return idx;
		}
		char *rx = xmalloc(2 * pc->lit.len + 4);
		size_t rn = like_to_regex(pc->lit.str, pc->lit.len, rx);
		pcre2_code *re = compile_re(rx, rn, 1);
		free(rx);
		c = &VEC_AT(&m->cmps, struct m_cmp, idx);
		c->re = re;
		c->lit = add_lit(m, ck, &pc->lit);
		c->nlit = 1;
		return idx;
	}
	if (pc->op == PATTERN_OP_MATCHES && pc->lit.kind == PATTERN_LIT_STRING) {
		pcre2_code *re = compile_re(pc->lit.str, pc->lit.len, 0);
		c = &VEC_AT(&m->cmps, struct m_cmp, idx);
		c->re = re;
		c->lit = add_lit(m, ck, &pc->lit);
		c->nlit = 1;
		return idx;
	}
	if (pc->op == PATTERN_OP_IN) {
		uint32_t first = (uint32_t)m->lits.n;
		for (size_t i = 0; i < pc->nset; i++)
			add_lit(m, ck, &pc->set[i]);
		c = &VEC_AT(&m->cmps, struct m_cmp, idx);
		c->lit = first;
		c->nlit = (uint32_t)pc->nset;
		return idx;
	}
	if (pc->op != PATTERN_OP_EXISTS) {
		uint32_t l = add_lit(m, ck, &pc->lit);
		c = &VEC_AT(&m->cmps, struct m_cmp, idx);
		c->lit = l;
		c->nlit = 1;
	}
	return idx;
}

/* Whether comparison c can be found through a table or a regex list:
 * 2 = table (cheap), 1 = regex (every field of the kind), 0 = no. */
static int anchor_cost(const struct matcher *m, uint32_t ci)
{
	const struct m_cmp *c = &VEC_AT(&m->cmps, struct m_cmp, ci);
	if (c->neg || c->ck == CK_NONE || c->ck == CK_PORT || c->ck == CK_IPTYPE ||
	    c->ck == CK_STRING)
		return 0;
	switch (c->op) {
	case PATTERN_OP_EQ:
	case PATTERN_OP_IN:
		for (uint32_t i = 0; i < c->nlit; i++) {
			const struct m_lit *l = &VEC_AT(&m->lits, struct m_lit, c->lit + i);
			if (c->ck == CK_IP ? !l->is_ip : l->is_int)
				return 0;
		}
		return c->nlit ? 2 : 0;
	case PATTERN_OP_ISSUBSET:
		return c->ck == CK_IP && VEC_AT(&m->lits, struct m_lit, c->lit).is_ip ? 2 : 0;
	case PATTERN_OP_LIKE:
		if (c->like_fast)
			return 2;
		return c->re ? 1 : 0;
	case PATTERN_OP_MATCHES:
		return c->re ? 1 : 0;
	default:
		return 0;
	}
}

/* Collects the anchors of expression e into out (comparison indices);
 * returns the cost class (0: none possible). */
static int anchors(const struct matcher *m, uint32_t e, struct vec *out)
{
	const struct m_expr *x = &VEC_AT(&m->exprs, struct m_expr, e);
	if (x->kind == EX_CMP) {
		int cost = anchor_cost(m, x->first);
		if (cost)
			*(uint32_t *)vec_push(out) = x->first;
		return cost;
	}
	if (x->kind == EX_OR) {
		int worst = 2;
		for (uint32_t i = 0; i < x->n; i++) {
			int c = anchors(m, VEC_AT(&m->kids, uint32_t, x->first + i), out);
			if (!c)
				return 0;
			if (c < worst)
				worst = c;
		}
		return worst;
	}
	/* AND: the child with the best cost and the fewest anchors. */
	int best = 0;
	struct vec bv, tv;
	vec_init(&bv, sizeof(uint32_t));
	vec_init(&tv, sizeof(uint32_t));
	for (uint32_t i = 0; i < x->n; i++) {
		tv.n = 0;
		int c = anchors(m, VEC_AT(&m->kids, uint32_t, x->first + i), &tv);
		if (c > best || (c && c == best && tv.n < bv.n)) {
			best = c;
			bv.n = 0;
			for (size_t k = 0; k < tv.n; k++)
				*(uint32_t *)vec_push(&bv) = VEC_AT(&tv, uint32_t, k);
		}
	}
	for (size_t k = 0; best && k < bv.n; k++)
		*(uint32_t *)vec_push(out) = VEC_AT(&bv, uint32_t, k);
	vec_free(&bv);
	vec_free(&tv);
	return best;
}

/* Whether expression e can be true at all (a comparison on a path no log
 * carries never is). */
static int possible(const struct matcher *m, uint32_t e)
{
	const struct m_expr *x = &VEC_AT(&m->exprs, struct m_expr, e);
	if (x->kind == EX_CMP)
		return VEC_AT(&m->cmps, struct m_cmp, x->first).ck != CK_NONE;
	for (uint32_t i = 0; i < x->n; i++) {
		int p = possible(m, VEC_AT(&m->kids, uint32_t, x->first + i));
		if (x->kind == EX_AND && !p)
			return 0;
		if (x->kind == EX_OR && p)
			return 1;
	}
	return x->kind == EX_AND;
}

static void add_anchor(struct matcher *m, uint32_t ci)
{
	struct m_cmp *c = &VEC_AT(&m->cmps, struct m_cmp, ci);
	c->anchored = 1;
	uint32_t ref = REF_CX | ci;
	const struct m_cx *x = &VEC_AT(&m->cx, struct m_cx, c->cx);
	int sub = domain_sub(m, x->ind);
	if (c->op == PATTERN_OP_LIKE && c->like_fast) {
		const struct m_lit *l = &VEC_AT(&m->lits, struct m_lit, c->lit);
		char *tmp = xstrndup(m->text.p + l->off, l->len);
		if (tail_add(m, c->like_fast, tmp, l->len, ref) < 0)
			c->anchored = 0; /* cannot happen: like_fast_form checked */
		free(tmp);
		return;
	}
	if (c->op == PATTERN_OP_LIKE || c->op == PATTERN_OP_MATCHES) {
		enum obs_kind k = match_ck_field(c->ck);
		struct m_re *r = vec_push(&m->re[k]);
		r->cmp = ci;
		m->st.regex++;
		return;
	}
	for (uint32_t i = 0; i < c->nlit; i++) {
		const struct m_lit *l = &VEC_AT(&m->lits, struct m_lit, c->lit + i);
		if (c->ck == CK_IP) {
			if (l->fam == 4)
				v4_add(m,
				       (uint32_t)l->addr[0] << 24 | (uint32_t)l->addr[1] << 16 |
					   (uint32_t)l->addr[2] << 8 | l->addr[3],
				       l->plen, ref);
			else
				v6_add(m, l->addr, l->plen, ref);
			continue;
		}
		/* Literals are already normalised: add them as they are. */
		const char *v = m->text.p + l->off;
		struct xtab *t = NULL;
		switch (c->ck) {
		case CK_DOMAIN:
			t = &m->dom;
			if (sub && !m->opts.subdomains)
				xtab_add(&m->dom_sub, &m->vals, v, l->len, ref);
			break;
		case CK_URL:
			t = &m->url;
			break;
		case CK_EMAIL:
			t = &m->email;
			break;
		case CK_MD5:
		case CK_SHA1:
		case CK_SHA256:
		case CK_SHA512:
			t = &m->hash[c->ck - CK_MD5];
			break;
		default:
			break;
		}
		if (t && l->len)
			xtab_add(t, &m->vals, v, l->len, ref);
	}
}

static uint32_t copy_expr(struct matcher *m, const struct pattern_expr *e, uint32_t cmp_base)
{
	uint32_t idx = (uint32_t)m->exprs.n;
	struct m_expr *x = vec_push(&m->exprs);
	if (e->kind == PATTERN_EXPR_CMP) {
		x->kind = EX_CMP;
		x->first = cmp_base + e->cmp->index;
		return idx;
	}
	x->kind = e->kind == PATTERN_EXPR_AND ? EX_AND : EX_OR;
	uint32_t kids[PATTERN_MAX_CMP > 64 ? 64 : PATTERN_MAX_CMP];
	uint32_t *k = e->nchild <= ARRAY_LEN(kids) ? kids : xmalloc(e->nchild * sizeof *k);
	for (size_t i = 0; i < e->nchild; i++)
		k[i] = copy_expr(m, e->child[i], cmp_base);
	x = &VEC_AT(&m->exprs, struct m_expr, idx);
	x->n = (uint32_t)e->nchild;
	x->first = (uint32_t)m->kids.n;
	for (size_t i = 0; i < e->nchild; i++)
		*(uint32_t *)vec_push(&m->kids) = k[i];
	if (k != kids)
		free(k);
	return idx;
}

static uint32_t copy_obs(struct matcher *m, const struct pattern_obs *o, uint32_t cmp_base,
			 uint32_t *obs_nodes)
{
	uint32_t idx = (uint32_t)m->obs.n;
	struct m_obs *x = vec_push(&m->obs);
	static const uint8_t kinds[] = {
	    [PATTERN_OBS] = OB_OBS,	    [PATTERN_OBS_AND] = OB_AND,
	    [PATTERN_OBS_OR] = OB_OR,	    [PATTERN_OBS_FOLLOWEDBY] = OB_FOLLOWEDBY,
	    [PATTERN_OBS_GROUP] = OB_GROUP,
	};
	x->kind = kinds[o->kind];
	x->quals = (uint8_t)o->quals;
	x->within = o->within_us;
	x->repeats = o->repeats;
	x->start = o->start_us;
	x->stop = o->stop_us;
	if (o->kind == PATTERN_OBS) {
		x->index = (uint16_t)o->index;
		uint32_t e = copy_expr(m, o->expr, cmp_base);
		x = &VEC_AT(&m->obs, struct m_obs, idx);
		x->expr = e;
		obs_nodes[o->index] = idx;
		return idx;
	}
	uint32_t kids[64];
	uint32_t *k = o->nchild <= ARRAY_LEN(kids) ? kids : xmalloc(o->nchild * sizeof *k);
	for (size_t i = 0; i < o->nchild; i++)
		k[i] = copy_obs(m, o->child[i], cmp_base, obs_nodes);
	x = &VEC_AT(&m->obs, struct m_obs, idx);
	x->n = (uint32_t)o->nchild;
	x->first = (uint32_t)m->kids.n;
	for (size_t i = 0; i < o->nchild; i++)
		*(uint32_t *)vec_push(&m->kids) = k[i];
	if (k != kids)
		free(k);
	return idx;
}

static int has_quals(const struct pattern_obs *o)
{
	if (o->quals)
		return 1;
	for (size_t i = 0; i < o->nchild; i++)
		if (has_quals(o->child[i]))
			return 1;
	return 0;
}

static void compile_complex(struct matcher *m, uint32_t ind, const struct pattern *p,
			    const char *pat, size_t n)
{
	uint32_t cxi = (uint32_t)m->cx.n;
	struct m_cx *x = vec_push(&m->cx);
	struct m_ind *d = &VEC_AT(&m->inds, struct m_ind, ind);
	d->sk = SK_COMPLEX;
	d->aux = cxi;
	d->type = p->ncmp ? type_code(p->cmps[0]->object_type, strlen(p->cmps[0]->object_type)) : 0;
	x->ind = ind;
	x->text_off = text_put(&m->text, pat, n);
	x->text_len = (uint32_t)n;
	x->nobs = (uint32_t)p->nobs;
	x->temporal = p->nobs > 1 || has_quals(p->root);
	uint32_t base = (uint32_t)m->cmps.n;
	for (size_t i = 0; i < p->ncmp; i++)
		compile_cmp(m, cxi, p->cmps[i]);
	uint32_t *obs_nodes = xcalloc(p->nobs ? p->nobs : 1, sizeof *obs_nodes);
	uint32_t root = copy_obs(m, p->root, base, obs_nodes);
	x = &VEC_AT(&m->cx, struct m_cx, cxi);
	x->root = root;
	x->cmp_first = base;
	x->ncmp = (uint32_t)p->ncmp;
	x->obs_first = (uint32_t)m->kids.n;
	for (size_t i = 0; i < p->nobs; i++)
		*(uint32_t *)vec_push(&m->kids) = obs_nodes[i];
	free(obs_nodes);
	m->st.complex++;
	/* Anchors, per observation. */
	struct vec av;
	vec_init(&av, sizeof(uint32_t));
	for (size_t i = 0; i < p->nobs; i++) {
		uint32_t on = VEC_AT(&m->kids, uint32_t, x->obs_first + i);
		av.n = 0;
		uint32_t ex = VEC_AT(&m->obs, struct m_obs, on).expr;
		if (!possible(m, ex))
			continue; /* never true: its comparisons are listed as unmatchable */
		int cost = anchors(m, ex, &av);
		if (!cost) {
			/* Evaluated on every event: remember the observation node. */
			*(uint32_t *)vec_push(&m->unanchored) = on;
			m->st.unanchored++;
			continue;
		}
		for (size_t k = 0; k < av.n; k++)
			add_anchor(m, VEC_AT(&av, uint32_t, k));
	}
	vec_free(&av);
}

/* Single "[path = 'literal']" on a simple path: its enum skind, else -1. */
static int simple_form(const struct pattern *p)
{
	if (p->ncmp != 1 || p->nobs != 1 || p->root->kind != PATTERN_OBS || p->root->quals)
		return -1;
	const struct pattern_cmp *c = p->cmps[0];
	if (c->op != PATTERN_OP_EQ || c->negated || c->lit.kind != PATTERN_LIT_STRING)
		return -1;
	unsigned ck, role;
	map_path(c, &ck, &role);
	if (role != ROLE_ANY)
		return -1;
	switch (ck) {
	case CK_IP:
		return SK_IPV4;
	case CK_DOMAIN:
		return SK_DOMAIN;
	case CK_URL:
		return SK_URL;
	case CK_EMAIL:
		return SK_EMAIL;
	case CK_MD5:
		return SK_MD5;
	case CK_SHA1:
		return SK_SHA1;
	case CK_SHA256:
		return SK_SHA256;
	case CK_SHA512:
		return SK_SHA512;
	default:
		return -1;
	}
}

int compile_pattern(struct matcher *m, uint32_t ind, const char *pat, size_t n, struct vb_err *err)
{
	struct pattern *p;
	int rc = pattern_parse(pat, n, &p, err);
	if (rc)
		return rc;
	int sk = simple_form(p);
	if (sk < 0 ||
	    compile_simple(m, ind, (unsigned)sk, p->cmps[0]->lit.str, p->cmps[0]->lit.len) < 0)
		compile_complex(m, ind, p, pat, n);
	pattern_free(p);
	return 0;
}
