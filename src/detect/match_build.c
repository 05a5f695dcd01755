/*
 * match_build.c: the matcher's life cycle: creating it, adding indicators
 * (from the store or directly), finishing the tables, the reports it gives
 * about itself, and freeing it.
 *
 * Reading 1.7 million indicators must take seconds, so rows from the store
 * are not parsed into cJSON trees: a small scanner walks the top level of
 * each object's JSON, decodes only the members the matcher needs (pattern,
 * pattern_type, valid_from, valid_until, revoked,
 * x_verbinding_match_subdomains) and skips the rest (descriptions can be
 * long). The store validated every object on the way in; anything the
 * scanner does not expect is counted as bad, never guessed.
 */
#include "match_int.h"
#include "../util/buf.h"
#include "../util/util.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct matcher *matcher_new(const struct match_opts *o)
{
	struct matcher *m = xcalloc(1, sizeof *m);
	m->opts = *o;
	if (!m->opts.at)
		m->opts.at = time_now_us();
	vec_init(&m->inds, sizeof(struct m_ind));
	vec_init(&m->cx, sizeof(struct m_cx));
	vec_init(&m->cmps, sizeof(struct m_cmp));
	vec_init(&m->lits, sizeof(struct m_lit));
	vec_init(&m->exprs, sizeof(struct m_expr));
	vec_init(&m->obs, sizeof(struct m_obs));
	vec_init(&m->kids, sizeof(uint32_t));
	vec_init(&m->unanchored, sizeof(uint32_t));
	vec_init(&m->unmatch, sizeof(uint32_t));
	for (int k = 0; k < OBS_KIND_MAX; k++)
		vec_init(&m->re[k], sizeof(struct m_re));
	/* Distinct seeds: a value hashes differently in every table (the
	 * contexts' cache of recent misses relies on it). */
	xtab_init(&m->dom, 0x6a09e667f3bcc908ull);
	xtab_init(&m->dom_sub, 0x1f83d9abfb41bd6bull);
	xtab_init(&m->url, 0xbb67ae8584caa73bull);
	xtab_init(&m->url_tail[0], 0x3c6ef372fe94f82bull);
	xtab_init(&m->url_tail[1], 0xa54ff53a5f1d36f1ull);
	xtab_init(&m->email, 0x510e527fade682d1ull);
	for (int h = 0; h < 4; h++)
		xtab_init(&m->hash[h], 0x9b05688c2b3e6c1full + (uint64_t)h);
	return m;
}

/* "indicator--<uuid>" into 16 bytes; 0 when the id has another form. */
static int parse_uuid_id(const char *id, size_t n, uint8_t out[16])
{
	static const char pre[] = "indicator--";
	if (n != sizeof pre - 1 + 36 || memcmp(id, pre, sizeof pre - 1) != 0)
		return 0;
	const char *u = id + sizeof pre - 1;
	int k = 0;
	for (int i = 0; i < 36; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (u[i] != '-')
				return 0;
			continue;
		}
		int hi = hex_digit(u[i]), lo = hex_digit(u[i + 1]);
		if (hi < 0 || lo < 0 || (u[i] >= 'A' && u[i] <= 'F') ||
		    (u[i + 1] >= 'A' && u[i + 1] <= 'F'))
			return 0;
		out[k++] = (uint8_t)(hi << 4 | lo);
		i++;
	}
	return 1;
}

int matcher_add(struct matcher *m, const char *id, size_t id_len, const char *pattern,
		size_t pattern_len, int subdomains, struct vb_err *err)
{
	uint32_t ind = (uint32_t)m->inds.n;
	if (ind >= (REF_CX - 1)) {
		m->st.bad++;
		return vb_err_set(err, VB_ENOMEM, "more than %u indicators", REF_CX - 1);
	}
	struct m_ind *d = vec_push(&m->inds);
	if (!parse_uuid_id(id, id_len, d->uuid)) {
		uint32_t off = text_put(&m->text, id, id_len);
		d = &VEC_AT(&m->inds, struct m_ind, ind);
		memcpy(d->uuid, &off, sizeof off);
		d->flags |= IND_TEXT_ID;
	}
	if (subdomains)
		d->flags |= IND_SUBDOMAINS;
	if (compile_fast(m, ind, pattern, pattern_len)) {
		m->st.compiled++;
		return 0;
	}
	int rc = compile_pattern(m, ind, pattern, pattern_len, err);
	if (rc) {
		m->inds.n--;
		m->st.bad++;
		return rc;
	}
	m->st.compiled++;
	return 0;
}

size_t matcher_count(const struct matcher *m)
{
	return m->inds.n;
}

void matcher_indicator_id(const struct matcher *m, uint32_t i, char *out)
{
	const struct m_ind *d = &VEC_AT(&m->inds, struct m_ind, i);
	if (d->flags & IND_TEXT_ID) {
		uint32_t off;
		memcpy(&off, d->uuid, sizeof off);
		snprintf(out, 80, "%s", m->text.p + off);
		return;
	}
	static const char hex[] = "0123456789abcdef";
	char *o = out + sprintf(out, "indicator--");
	for (int k = 0; k < 16; k++) {
		if (k == 4 || k == 6 || k == 8 || k == 10)
			*o++ = '-';
		*o++ = hex[d->uuid[k] >> 4];
		*o++ = hex[d->uuid[k] & 15];
	}
	*o = 0;
}

const struct match_build_stats *matcher_stats(const struct matcher *m)
{
	return &m->st;
}

static size_t vec_bytes(const struct vec *v)
{
	return v->cap * v->size;
}

void matcher_finish(struct matcher *m)
{
	struct xtab *tabs[] = {&m->dom,		&m->dom_sub, &m->url,	  &m->url_tail[0],
			       &m->url_tail[1], &m->email,   &m->hash[0], &m->hash[1],
			       &m->hash[2],	&m->hash[3]};
	size_t bytes = 0;
	for (size_t i = 0; i < ARRAY_LEN(tabs); i++) {
		xtab_finish(tabs[i], &m->vals);
		bytes += xtab_bytes(tabs[i]);
	}
	ip_tables_finish(m);
	m->dom_suffixes = m->opts.subdomains ? m->dom.n > 0 : m->dom_sub.n > 0;
	bytes += m->vals.cap + m->text.cap;
	bytes += vec_bytes(&m->inds) + vec_bytes(&m->cx) + vec_bytes(&m->cmps) +
		 vec_bytes(&m->lits) + vec_bytes(&m->exprs) + vec_bytes(&m->obs) +
		 vec_bytes(&m->kids);
	if (m->v4)
		bytes += (m->v4mask + 1) * sizeof *m->v4 + (1u << 24) / 8 + (1u << 16) / 8;
	bytes += m->ccidr * (sizeof *m->cidr + sizeof *m->cidr_maxhi);
	if (m->v6)
		bytes += (m->v6mask + 1) * sizeof *m->v6;
	m->st.bytes = bytes;
	m->finished = 1;
}

void matcher_free(struct matcher *m)
{
	if (!m)
		return;
	struct xtab *tabs[] = {&m->dom,		&m->dom_sub, &m->url,	  &m->url_tail[0],
			       &m->url_tail[1], &m->email,   &m->hash[0], &m->hash[1],
			       &m->hash[2],	&m->hash[3]};
	for (size_t i = 0; i < ARRAY_LEN(tabs); i++)
		xtab_free(tabs[i]);
	for (size_t i = 0; i < m->cmps.n; i++)
		pcre2_code_free(VEC_AT(&m->cmps, struct m_cmp, i).re);
	vec_free(&m->inds);
	vec_free(&m->cx);
	vec_free(&m->cmps);
	vec_free(&m->lits);
	vec_free(&m->exprs);
	vec_free(&m->obs);
	vec_free(&m->kids);
	vec_free(&m->unanchored);
	vec_free(&m->unmatch);
	for (int k = 0; k < OBS_KIND_MAX; k++)
		vec_free(&m->re[k]);
	free(m->vals.p);
	free(m->text.p);
	free(m->v4);
	free(m->v4bm);
	free(m->v4bm16);
	free(m->cidr);
	free(m->cidr_maxhi);
	free(m->v6);
	free(m);
}

/* ---- unmatchable comparisons ---- */

enum obs_kind match_ck_field(unsigned ck);

static const enum obs_kind sk_kind[SK__COUNT] = {
    [SK_IPV4] = OBS_IP,	  [SK_IPV6] = OBS_IP,	    [SK_DOMAIN] = OBS_DOMAIN,
    [SK_URL] = OBS_URL,	  [SK_EMAIL] = OBS_EMAIL,   [SK_MD5] = OBS_MD5,
    [SK_SHA1] = OBS_SHA1, [SK_SHA256] = OBS_SHA256, [SK_SHA512] = OBS_SHA512,
    [SK_IPPORT] = OBS_IP, [SK_URLPATH] = OBS_URL,
};

static int kind_seen(const uint8_t *seen, enum obs_kind k)
{
	if (seen[k])
		return 1;
	/* A hash field of unknown algorithm may carry any of them. */
	return k >= OBS_MD5 && k <= OBS_SHA512 && seen[OBS_HASH];
}

uint64_t matcher_unmatchable(const struct matcher *m, const uint8_t *kinds_seen,
			     match_unmatchable_fn fn, void *arg)
{
	uint64_t n = 0;
	char reason[128];
	for (size_t i = 0; i < m->inds.n; i++) {
		const struct m_ind *d = &VEC_AT(&m->inds, struct m_ind, i);
		if (d->sk == SK_COMPLEX) {
			const struct m_cx *x = &VEC_AT(&m->cx, struct m_cx, d->aux);
			for (uint32_t k = 0; k < x->ncmp; k++) {
				const struct m_cmp *c =
				    &VEC_AT(&m->cmps, struct m_cmp, x->cmp_first + k);
				enum obs_kind fk = match_ck_field(c->ck);
				if (c->ck == CK_NONE)
					snprintf(reason, sizeof reason,
						 "no log field carries this object path");
				else if (!kind_seen(kinds_seen, fk))
					snprintf(reason, sizeof reason,
						 "no %s field in the logs read", obs_kind_name(fk));
				else
					continue;
				n++;
				if (fn)
					fn(arg, (uint32_t)i, m->text.p + c->path_off, reason);
			}
			continue;
		}
		enum obs_kind fk = sk_kind[d->sk];
		if (kind_seen(kinds_seen, fk))
			continue;
		n++;
		if (fn) {
			snprintf(reason, sizeof reason, "no %s field in the logs read",
				 obs_kind_name(fk));
			fn(arg, (uint32_t)i, sk_path(d->sk), reason);
		}
	}
	return n;
}

/* ---- reading indicators from the store ---- */

struct jstr {
	const char *p; /* raw bytes between the quotes */
	size_t n;
	int esc; /* contains backslash escapes */
};

struct ind_fields {
	struct jstr pattern, pattern_type, valid_from, valid_until;
	int revoked, subdomains;
};

static const char *skip_ws(const char *p, const char *e)
{
	while (p < e && (*p == ' ' || *p == '\n' || *p == '\t' || *p == '\r'))
		p++;
	return p;
}

/* p at the opening quote; returns the position after the closing quote. */
static const char *scan_string(const char *p, const char *e, struct jstr *s)
{
	const char *st = ++p;
	int esc = 0;
	for (;;) {
		const char *q = memchr(p, '"', (size_t)(e - p));
		if (!q)
			return NULL;
		/* Count the backslashes before the quote. */
		const char *b = q;
		while (b > st && b[-1] == '\\')
			b--;
		if (memchr(st, '\\', (size_t)(q - st)))
			esc = 1;
		if (((q - b) & 1) == 0) {
			if (s) {
				s->p = st;
				s->n = (size_t)(q - st);
				s->esc = esc;
			}
			return q + 1;
		}
		p = q + 1;
	}
}

static const char *skip_value(const char *p, const char *e)
{
	p = skip_ws(p, e);
	if (p >= e)
		return NULL;
	if (*p == '"')
		return scan_string(p, e, NULL);
	if (*p == '{' || *p == '[') {
		int depth = 0;
		while (p < e) {
			char c = *p;
			if (c == '"') {
				p = scan_string(p, e, NULL);
				if (!p)
					return NULL;
				continue;
			}
			if (c == '{' || c == '[')
				depth++;
			else if (c == '}' || c == ']') {
				if (--depth == 0)
					return p + 1;
			}
			p++;
		}
		return NULL;
	}
	while (p < e && *p != ',' && *p != '}' && *p != ']' && *p != ' ' && *p != '\n')
		p++;
	return p;
}

static int lit_is(const char *p, const char *e, const char *lit)
{
	size_t n = strlen(lit);
	return (size_t)(e - p) >= n && memcmp(p, lit, n) == 0;
}

static int scan_row(const char *json, size_t n, struct ind_fields *f)
{
	const char *p = json, *e = json + n;
	memset(f, 0, sizeof *f);
	p = skip_ws(p, e);
	if (p >= e || *p != '{')
		return -1;
	p++;
	for (;;) {
		p = skip_ws(p, e);
		if (p < e && *p == '}')
			return 0;
		if (p >= e || *p != '"')
			return -1;
		struct jstr key;
		p = scan_string(p, e, &key);
		if (!p || key.esc)
			return -1;
		p = skip_ws(p, e);
		if (p >= e || *p != ':')
			return -1;
		p = skip_ws(p + 1, e);
		struct jstr *want = NULL;
		int *flag = NULL;
#define KEY(k) (key.n == sizeof(k) - 1 && memcmp(key.p, k, key.n) == 0)
		if (KEY("pattern"))
			want = &f->pattern;
		else if (KEY("pattern_type"))
			want = &f->pattern_type;
		else if (KEY("valid_from"))
			want = &f->valid_from;
		else if (KEY("valid_until"))
			want = &f->valid_until;
		else if (KEY("revoked"))
			flag = &f->revoked;
		else if (KEY("x_verbinding_match_subdomains"))
			flag = &f->subdomains;
#undef KEY
		if (want) {
			if (p >= e || *p != '"')
				return -1;
			p = scan_string(p, e, want);
		} else if (flag) {
			*flag = lit_is(p, e, "true");
			p = skip_value(p, e);
		} else {
			p = skip_value(p, e);
		}
		if (!p)
			return -1;
		p = skip_ws(p, e);
		if (p < e && *p == ',') {
			p++;
			continue;
		}
		if (p < e && *p == '}')
			return 0;
		return -1;
	}
}

static void put_utf8(char **o, unsigned cp)
{
	unsigned char *u = (unsigned char *)*o;
	if (cp < 0x80) {
		*u++ = (unsigned char)cp;
	} else if (cp < 0x800) {
		*u++ = (unsigned char)(0xc0 | cp >> 6);
		*u++ = (unsigned char)(0x80 | (cp & 0x3f));
	} else if (cp < 0x10000) {
		*u++ = (unsigned char)(0xe0 | cp >> 12);
		*u++ = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
		*u++ = (unsigned char)(0x80 | (cp & 0x3f));
	} else {
		*u++ = (unsigned char)(0xf0 | cp >> 18);
		*u++ = (unsigned char)(0x80 | ((cp >> 12) & 0x3f));
		*u++ = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
		*u++ = (unsigned char)(0x80 | (cp & 0x3f));
	}
	*o = (char *)u;
}

static int hex4(const char *p, unsigned *v)
{
	*v = 0;
	for (int i = 0; i < 4; i++) {
		int h = hex_digit(p[i]);
		if (h < 0)
			return -1;
		*v = *v << 4 | (unsigned)h;
	}
	return 0;
}

/* Decodes a JSON string body into out (capacity s->n + 1); returns the
 * length or -1. */
static long decode_string(const struct jstr *s, char *out)
{
	if (!s->esc) {
		memcpy(out, s->p, s->n);
		out[s->n] = 0;
		return (long)s->n;
	}
	char *o = out;
	for (size_t i = 0; i < s->n; i++) {
		char c = s->p[i];
		if (c != '\\') {
			*o++ = c;
			continue;
		}
		if (++i >= s->n)
			return -1;
		switch (s->p[i]) {
		case '"':
		case '\\':
		case '/':
			*o++ = s->p[i];
			break;
		case 'b':
			*o++ = '\b';
			break;
		case 'f':
			*o++ = '\f';
			break;
		case 'n':
			*o++ = '\n';
			break;
		case 'r':
			*o++ = '\r';
			break;
		case 't':
			*o++ = '\t';
			break;
		case 'u': {
			unsigned cp, lo;
			if (i + 4 >= s->n || hex4(s->p + i + 1, &cp))
				return -1;
			i += 4;
			if (cp >= 0xd800 && cp < 0xdc00) {
				if (i + 6 >= s->n || s->p[i + 1] != '\\' || s->p[i + 2] != 'u' ||
				    hex4(s->p + i + 3, &lo) || lo < 0xdc00 || lo >= 0xe000)
					return -1;
				i += 6;
				cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
			} else if (cp >= 0xdc00 && cp < 0xe000) {
				return -1;
			}
			if (cp == 0)
				return -1; /* the pattern parser rejects NUL anyway */
			put_utf8(&o, cp);
			break;
		}
		default:
			return -1;
		}
	}
	*o = 0;
	return (long)(o - out);
}

static int jstr_time(const struct jstr *s, int64_t *us)
{
	char tmp[64];
	if (s->n == 0 || s->n >= sizeof tmp || s->esc)
		return -1;
	memcpy(tmp, s->p, s->n);
	tmp[s->n] = 0;
	return time_parse(tmp, us);
}

/*
 * Reading rows (SQLite and the JSON scan) and compiling patterns take about
 * the same time, so with threads they overlap: the store callback fills a
 * batch of (id, pattern, flag) items while a second thread compiles the
 * previous batch. Only the compiling thread touches the matcher; the reader
 * keeps its own counters, merged at the end.
 */
#define BATCH_ITEMS 4096

struct bitem {
	uint32_t id, idn, pat, patn;
	int sub;
};

struct batch {
	struct buf text;
	struct bitem *it;
	size_t n;
};

struct build_ctx {
	struct matcher *m;
	int64_t at;
	struct match_build_stats st; /* the reader's counters */
	/* pipeline */
	int threaded;
	pthread_t tid;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct batch b[2];
	int fill;	      /* the batch the reader fills */
	struct batch *handed; /* a full batch for the compiler, or NULL */
	int done;
};

static void compile_batch(struct matcher *m, struct batch *bt)
{
	for (size_t i = 0; i < bt->n; i++) {
		struct bitem *it = &bt->it[i];
		struct vb_err e;
		/* A pattern that no longer parses (the parser got stricter)
		 * is counted as bad, not fatal. */
		matcher_add(m, bt->text.p + it->id, it->idn, bt->text.p + it->pat, it->patn,
			    it->sub, &e);
	}
	bt->n = 0;
	buf_reset(&bt->text);
}

static void *compiler_main(void *arg)
{
	struct build_ctx *b = arg;
	pthread_mutex_lock(&b->mu);
	for (;;) {
		while (!b->handed && !b->done)
			pthread_cond_wait(&b->cv, &b->mu);
		if (!b->handed)
			break;
		struct batch *bt = b->handed;
		pthread_mutex_unlock(&b->mu);
		compile_batch(b->m, bt);
		pthread_mutex_lock(&b->mu);
		b->handed = NULL;
		pthread_cond_broadcast(&b->cv);
	}
	pthread_mutex_unlock(&b->mu);
	return NULL;
}

/* Hands the filled batch over (waiting for the previous one to finish). */
static void hand_over(struct build_ctx *b)
{
	struct batch *bt = &b->b[b->fill];
	if (!bt->n)
		return;
	if (!b->threaded) {
		compile_batch(b->m, bt);
		return;
	}
	pthread_mutex_lock(&b->mu);
	while (b->handed)
		pthread_cond_wait(&b->cv, &b->mu);
	b->handed = bt;
	pthread_cond_broadcast(&b->cv);
	pthread_mutex_unlock(&b->mu);
	b->fill ^= 1;
}

static int build_row(void *arg, const struct store_row *row)
{
	struct build_ctx *b = arg;
	struct match_build_stats *st = &b->st;
	struct ind_fields f;
	st->rows++;
	if (scan_row(row->json, row->json_len, &f) || !f.pattern.p) {
		st->bad++;
		return 0;
	}
	if (f.revoked) {
		st->revoked++;
		return 0;
	}
	if (f.pattern_type.p &&
	    !(f.pattern_type.n == 4 && memcmp(f.pattern_type.p, "stix", 4) == 0)) {
		st->not_stix++;
		return 0;
	}
	int64_t from, until;
	if (f.valid_from.p) {
		if (jstr_time(&f.valid_from, &from)) {
			st->bad++;
			return 0;
		}
		if (from > b->at) {
			st->not_yet_valid++;
			return 0;
		}
	}
	if (f.valid_until.p) {
		if (jstr_time(&f.valid_until, &until)) {
			st->bad++;
			return 0;
		}
		if (until <= b->at) {
			st->expired++;
			return 0;
		}
	}
	struct batch *bt = &b->b[b->fill];
	size_t idn = strlen(row->id);
	if (idn > UINT32_MAX / 4 || f.pattern.n > UINT32_MAX / 4) {
		st->bad++;
		return 0;
	}
	/* Room for the id and the decoded pattern (never longer than its JSON). */
	if (buf_add(&bt->text, row->id, idn) || buf_addc(&bt->text, 0)) {
		st->bad++;
		return 0;
	}
	size_t pat = bt->text.len;
	size_t need = pat + f.pattern.n + 1;
	if (need > bt->text.cap) {
		size_t cap = bt->text.cap ? bt->text.cap : 1 << 16;
		while (cap < need)
			cap *= 2;
		bt->text.p = xrealloc(bt->text.p, cap);
		bt->text.cap = cap;
	}
	long pn = decode_string(&f.pattern, bt->text.p + pat);
	if (pn < 0) {
		st->bad++;
		bt->text.len = pat - idn - 1;
		return 0;
	}
	bt->text.len = pat + (size_t)pn + 1;
	bt->it[bt->n++] = (struct bitem){(uint32_t)(pat - idn - 1), (uint32_t)idn, (uint32_t)pat,
					 (uint32_t)pn, f.subdomains};
	if (bt->n == BATCH_ITEMS)
		hand_over(b);
	return 0;
}

int matcher_build(struct store *s, const struct match_opts *o, struct matcher **out,
		  struct vb_err *err)
{
	int64_t t0 = time_now_us();
	struct matcher *m = matcher_new(o);
	static const char *const types[] = {"indicator", NULL};
	struct store_filter f = {.viewer = STORE_VIEWER_LOCAL, .types = types};
	struct build_ctx *b = xcalloc(1, sizeof *b);
	b->m = m;
	b->at = m->opts.at;
	for (int i = 0; i < 2; i++) {
		buf_init(&b->b[i].text, (size_t)1 << 31);
		b->b[i].it = xmalloc(BATCH_ITEMS * sizeof *b->b[i].it);
	}
	pthread_mutex_init(&b->mu, NULL);
	pthread_cond_init(&b->cv, NULL);
	b->threaded = o->build_threads > 1 && pthread_create(&b->tid, NULL, compiler_main, b) == 0;
	int rc = store_scan(s, &f, build_row, b);
	hand_over(b);
	if (b->threaded) {
		pthread_mutex_lock(&b->mu);
		b->done = 1;
		pthread_cond_broadcast(&b->cv);
		pthread_mutex_unlock(&b->mu);
		pthread_join(b->tid, NULL);
	}
	for (int i = 0; i < 2; i++) {
		buf_free(&b->b[i].text);
		free(b->b[i].it);
	}
	pthread_mutex_destroy(&b->mu);
	pthread_cond_destroy(&b->cv);
	m->st.rows += b->st.rows;
	m->st.bad += b->st.bad;
	m->st.revoked += b->st.revoked;
	m->st.not_stix += b->st.not_stix;
	m->st.not_yet_valid += b->st.not_yet_valid;
	m->st.expired += b->st.expired;
	free(b);
	if (rc) {
		matcher_free(m);
		*out = NULL;
		return vb_err_set(err, rc, "reading indicators from the store failed");
	}
	matcher_finish(m);
	m->st.seconds = (double)(time_now_us() - t0) / 1e6;
	*out = m;
	return 0;
}
