/*
 * match_event.c: looking one log event up in the matcher: the hot path.
 *
 * For every field the value is normalised once (into the context's
 * scratch space) and looked up in the tables of its kind: a small cache of
 * recent misses first, then a Bloom word, then the table. Hits are
 * collected as references; when an event has any, the references to
 * complex patterns are turned into candidate observations and evaluated
 * against the whole event, simple ones are reported directly. Events
 * without hits (nearly all) cost the lookups and nothing else: no
 * allocation, no time parsing, no output. A field equal to the same field
 * of the previous event that found nothing is not looked up again.
 * match_probe is the same lookup for one field, for readers that skip
 * lines nothing can hit.
 *
 * Semantics of one observation against one event: every comparison is
 * evaluated against the fields of its kind (and, for network-traffic
 * paths, of the right end of the connection: a field whose name holds
 * "orig", "src", "source" or "client" is the source, "resp", "dst", "dest"
 * or "server" the destination, any other either); a comparison is
 * true when some such field satisfies it (NOT negates per field, as in
 * STIX: "some value that is not x"); AND/OR combine these within the event.
 */
#include "match_int.h"
#include "../util/util.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
/* The hash is inlined here: it runs once or more per field. */
#define XXH_INLINE_ALL
#include <xxhash.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

enum obs_kind match_ck_field(unsigned ck);

#define MAX_OBSREC     (1u << 20)  /* kept observation matches per context */
#define SCRATCH_MAX    (64u << 20) /* normalised values of one event */
#define MAX_EVENT_HITS 4096	   /* references collected from one event */

enum { H_V4, H_V6, H_STR, H_CX };

struct hitref {
	uint32_t ref;
	uint16_t field;
	uint8_t src, plen;
	uint32_t a; /* H_V4: prefix; H_V6: slot; H_STR: arena offset */
};

#define SPILL_AT (8u << 20)

struct linefix {
	uint64_t off, rel;
	unsigned len;
};

#define MEMO_MAX 48

/* The previous event's value of one field position, when it found nothing. */
struct memo {
	const char *name; /* the reader's field name: same pointer, same column */
	uint8_t kind, len;
	char v[MEMO_MAX];
};

struct simple_hit {
	uint16_t field;
	uint8_t done;
	uint32_t ind;
	size_t off, len; /* comparison text */
};

/* A field prepared for lookups and evaluation. */
struct fval {
	enum obs_kind k; /* effective kind (OBS_HASH resolved by length) */
	uint8_t fam, ok;
	uint8_t addr[16];
	const char *v; /* normalised value */
	size_t n;
	long port; /* -1: not parsed / not a port */
};

struct agg_slot {
	uint32_t key; /* indicator + 1; 0 empty */
	uint32_t idx; /* into aggs */
};

/* Recent misses of the string tables, direct-mapped by the value's 64-bit
 * hash (L1-sized): a value that missed a moment ago misses again without
 * touching the Bloom filter, which lives further away. A different value
 * with the same 64-bit hash in the same slot would be taken for a miss; at
 * 2^-64 per pair that is accepted. */
#define NEG_SLOTS 2048

struct match_ctx {
	const struct matcher *m;
	uint64_t neg[NEG_SLOTS];
	struct buf *out;
	struct match_counts cnt;
	match_allow_fn allow;
	void *allow_arg;
	/* per event */
	struct fval fv[LOG_MAX_FIELDS];
	struct memo memo[LOG_MAX_FIELDS];
	char *scratch;
	size_t scap, slen;
	struct hitref *hits;
	size_t nhits, chits;
	struct simple_hit *simple;
	size_t csimple;
	uint32_t *cand;
	size_t ncand, ccand;
	pcre2_match_data *md;
	/* per run */
	struct match_agg *aggs;
	size_t naggs, caggs;
	uint64_t *agg_seen; /* event serial of the last count, per agg */
	struct agg_slot *amap;
	size_t amask;
	struct obsrec *recs;
	size_t nrecs, crecs;
	struct arena rtext;
	/* Deferred line numbers (a chunk of a file scanned in a thread does
	 * not know how many lines came before it): the output records where
	 * each relative number was written, and is spilled to a temporary
	 * file beyond SPILL_AT bytes. */
	int defer;
	uint64_t line_base;
	FILE *spill;
	uint64_t spilled;
	struct linefix *fix;
	size_t nfix, cfix;
};

struct match_ctx *match_ctx_new(const struct matcher *m, struct buf *out)
{
	struct match_ctx *c = xcalloc(1, sizeof *c);
	c->m = m;
	c->out = out;
	c->scap = 1 << 16;
	c->scratch = xmalloc(c->scap);
	c->md = pcre2_match_data_create(1, NULL);
	c->amask = 255;
	c->amap = xcalloc(c->amask + 1, sizeof *c->amap);
	return c;
}

void match_ctx_free(struct match_ctx *c)
{
	if (!c)
		return;
	free(c->scratch);
	free(c->hits);
	free(c->simple);
	free(c->cand);
	pcre2_match_data_free(c->md);
	free(c->aggs);
	free(c->agg_seen);
	free(c->amap);
	free(c->recs);
	free(c->rtext.p);
	free(c->fix);
	if (c->spill)
		fclose(c->spill);
	free(c);
}

void match_ctx_reset(struct match_ctx *c)
{
	match_ctx_write(c, NULL);
	memset(&c->cnt, 0, sizeof c->cnt);
	c->naggs = 0;
	memset(c->amap, 0, (c->amask + 1) * sizeof *c->amap);
	c->nrecs = 0;
	c->rtext.len = 0;
}

void match_ctx_defer_lines(struct match_ctx *c)
{
	c->defer = 1;
}

void match_ctx_set_line_base(struct match_ctx *c, uint64_t base)
{
	c->line_base = base;
}

/* Copies bytes [from, to) of the context's output (spill file, then
 * buffer) to f. */
static int copy_out(struct match_ctx *c, FILE *f, uint64_t from, uint64_t to)
{
	char tmp[1 << 16];
	while (from < to && from < c->spilled) {
		uint64_t end = to < c->spilled ? to : c->spilled;
		size_t k = end - from < sizeof tmp ? (size_t)(end - from) : sizeof tmp;
		if (fseeko(c->spill, (off_t)from, SEEK_SET) || fread(tmp, 1, k, c->spill) != k)
			return VB_EIO;
		if (fwrite(tmp, 1, k, f) != k)
			return VB_EIO;
		from += k;
	}
	if (from < to) {
		size_t a = (size_t)(from - c->spilled), b = (size_t)(to - c->spilled);
		if (fwrite(c->out->p + a, 1, b - a, f) != b - a)
			return VB_EIO;
	}
	return 0;
}

int match_ctx_write(struct match_ctx *c, FILE *f)
{
	if (!c->out)
		return 0;
	uint64_t total = c->spilled + c->out->len, pos = 0;
	int rc = 0;
	if (f) {
		for (size_t i = 0; i < c->nfix && !rc; i++) {
			rc = copy_out(c, f, pos, c->fix[i].off);
			if (!rc && fprintf(f, "%llu",
					   (unsigned long long)(c->line_base + c->fix[i].rel)) < 0)
				rc = VB_EIO;
			pos = c->fix[i].off + c->fix[i].len;
		}
		if (!rc)
			rc = copy_out(c, f, pos, total);
	}
	buf_reset(c->out);
	c->nfix = 0;
	c->spilled = 0;
	if (c->spill) {
		fclose(c->spill);
		c->spill = NULL;
	}
	return rc;
}

static void spill(struct match_ctx *c)
{
	if (!c->spill)
		c->spill = tmpfile();
	if (!c->spill || fwrite(c->out->p, 1, c->out->len, c->spill) != c->out->len) {
		/* No temporary file: keep everything in memory. */
		return;
	}
	c->spilled += c->out->len;
	buf_reset(c->out);
}

const struct match_counts *match_ctx_counts(const struct match_ctx *c)
{
	return &c->cnt;
}

void match_ctx_set_allow(struct match_ctx *c, match_allow_fn fn, void *arg)
{
	c->allow = fn;
	c->allow_arg = arg;
}

/* Room for n more bytes of scratch; NULL when an event exceeds the limit. */
static char *scratch_grow(struct match_ctx *c, size_t n)
{
	{
		size_t cap = c->scap;
		while (cap < c->slen + n)
			cap *= 2;
		if (cap > SCRATCH_MAX)
			return NULL;
		/* Values already prepared point into the old block: move them. */
		char *old = c->scratch;
		c->scratch = xrealloc(c->scratch, cap);
		c->scap = cap;
		if (c->scratch != old)
			for (size_t i = 0; i < LOG_MAX_FIELDS; i++)
				if (c->fv[i].v >= old && c->fv[i].v < old + c->slen)
					c->fv[i].v = c->scratch + (c->fv[i].v - old);
	}
	return c->scratch + c->slen;
}

static inline char *scratch(struct match_ctx *c, size_t n)
{
	if (__builtin_expect(c->slen + n <= c->scap, 1))
		return c->scratch + c->slen;
	return scratch_grow(c, n);
}

static void add_hit(struct match_ctx *c, uint32_t ref, size_t field, int src, unsigned plen,
		    uint32_t a)
{
	if (c->nhits == c->chits) {
		if (c->chits >= MAX_EVENT_HITS)
			return;
		c->chits = c->chits ? c->chits * 2 : 16;
		c->hits = xrealloc(c->hits, c->chits * sizeof *c->hits);
	}
	c->hits[c->nhits++] = (struct hitref){ref, (uint16_t)field, (uint8_t)src, (uint8_t)plen, a};
}

/* ---- table look-ups ---- */

static inline int bloom_maybe(const struct xtab *t, uint32_t tag)
{
	uint64_t bits = 1ull << ((tag >> 20) & 63) | 1ull << (tag >> 26);
	return (t->bloom[tag & t->bmask] & bits) == bits;
}

static inline void xtab_find(struct match_ctx *c, const struct xtab *t, const char *v, size_t n,
			     size_t field)
{
	if (!t->n)
		return;
	uint64_t h = XXH3_64bits_withSeed(v, n, t->seed);
	uint32_t tag = (uint32_t)(h >> 32);
	uint64_t *neg = &c->neg[(h ^ h >> 29) & (NEG_SLOTS - 1)];
	c->cnt.lookups++;
	if (*neg == (h | 1))
		return;
	if (!bloom_maybe(t, tag)) {
		*neg = h | 1;
		return;
	}
	const struct arena *a = &c->m->vals;
	size_t before = c->nhits;
	for (size_t j = tag >> t->shift; t->slot[j].off; j = (j + 1) & t->mask) {
		const struct xslot *s = &t->slot[j];
		if (s->tag != tag)
			continue;
		size_t sn;
		const char *sv = arena_get(a, s->off, &sn);
		if (sn == n && memcmp(sv, v, n) == 0)
			add_hit(c, s->ref, field, H_STR, 0, s->off);
	}
	if (c->nhits == before)
		*neg = h | 1;
}

/* The recent-miss cache for values that are not hashed anyway (IPv6 text). */
static inline int neg_seen(struct match_ctx *c, const char *v, size_t n, uint64_t seed)
{
	uint64_t h = XXH3_64bits_withSeed(v, n, seed);
	return c->neg[(h ^ h >> 29) & (NEG_SLOTS - 1)] == (h | 1);
}

static inline void neg_add(struct match_ctx *c, const char *v, size_t n, uint64_t seed)
{
	uint64_t h = XXH3_64bits_withSeed(v, n, seed);
	c->neg[(h ^ h >> 29) & (NEG_SLOTS - 1)] = h | 1;
}

static inline void v4_find(struct match_ctx *c, uint32_t addr, size_t field)
{
	const struct matcher *m = c->m;
	c->cnt.lookups++;
	/* One bit per /16 (8 KB, stays in L1), then one per /24. */
	if (!m->v4bm || !(m->v4bm16[addr >> 22] >> ((addr >> 16) & 63) & 1) ||
	    !(m->v4bm[addr >> 14] >> ((addr >> 8) & 63) & 1))
		return;
	if (m->v4) {
		uint64_t h = ((uint64_t)addr << 6 | 32) * 0x9E3779B97F4A7C15ull;
		for (size_t j = (h >> 32) & m->v4mask; m->v4[j].used; j = (j + 1) & m->v4mask)
			if (m->v4[j].addr == addr && m->v4[j].plen == 32)
				add_hit(c, m->v4[j].ref, field, H_V4, 32, addr);
	}
	if (!m->ncidr)
		return;
	/* The last block starting at or before addr, then back while an
	 * earlier block may still reach it. */
	size_t lo = 0, hi = m->ncidr;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (m->cidr[mid].lo <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (size_t i = lo; i-- > 0 && m->cidr_maxhi[i] >= addr;)
		if (m->cidr[i].hi >= addr)
			add_hit(c, m->cidr[i].ref, field, H_V4, m->cidr[i].plen, m->cidr[i].lo);
}

static void v6_find(struct match_ctx *c, const uint8_t a[16], size_t field)
{
	const struct matcher *m = c->m;
	c->cnt.lookups++;
	if (!m->v6)
		return;
	for (size_t li = 0; li < m->nv6len; li++) {
		int plen = m->v6len_list[li];
		uint8_t k[16];
		memcpy(k, a, 16);
		for (int b = plen; b < 128; b++)
			k[b / 8] &= (uint8_t) ~(0x80u >> (b % 8));
		uint64_t h = XXH3_64bits_withSeed(k, 16, (uint64_t)plen);
		for (size_t j = h & m->v6mask; m->v6[j].used; j = (j + 1) & m->v6mask)
			if (m->v6[j].plen == plen && memcmp(m->v6[j].addr, k, 16) == 0)
				add_hit(c, m->v6[j].ref, field, H_V6, (unsigned)plen, (uint32_t)j);
	}
}

/* LIKE path tails (see TAIL_KEY): the URL's last k bytes, and the k bytes
 * before each '?', for every key length k in use, after "scheme://". */
static void tail_find(struct match_ctx *c, const char *u, size_t n, size_t field)
{
	const struct xtab *t1 = &c->m->url_tail[0], *t2 = &c->m->url_tail[1];
	size_t from = 0;
	for (size_t i = 0; i + 2 < n; i++)
		if (u[i] == ':' && u[i + 1] == '/' && u[i + 2] == '/') {
			from = i + 3;
			break;
		}
	if (!from)
		return;
	for (uint32_t lens = t1->n ? t1->lens : 0; lens; lens &= lens - 1) {
		size_t k = (size_t)__builtin_ctz(lens);
		if (k <= n - from)
			xtab_find(c, t1, u + n - k, k, field);
	}
	if (!t2->n)
		return;
	for (size_t q = from; q < n; q++) {
		if (u[q] != '?')
			continue;
		for (uint32_t lens = t2->lens; lens; lens &= lens - 1) {
			size_t k = (size_t)__builtin_ctz(lens);
			if (k <= q - from)
				xtab_find(c, t2, u + q - k, k, field);
		}
	}
}

static void re_find(struct match_ctx *c, enum obs_kind k, const char *v, size_t n, size_t field)
{
	const struct vec *rv = &c->m->re[k];
	for (size_t i = 0; i < rv->n; i++) {
		uint32_t ci = VEC_AT(rv, struct m_re, i).cmp;
		const struct m_cmp *cm = &VEC_AT(&c->m->cmps, struct m_cmp, ci);
		if (pcre2_match(cm->re, (PCRE2_SPTR)v, n, 0, 0, c->md, NULL) >= 0)
			add_hit(c, REF_CX | ci, field, H_CX, 0, 0);
	}
}

/* Eight bytes lower-cased at once (ASCII letters only). */
static inline uint64_t lower8(uint64_t x)
{
	uint64_t h = x & 0x7f7f7f7f7f7f7f7full;
	uint64_t gt_z = h + 0x2525252525252525ull; /* high bit: byte > 'Z' */
	uint64_t ge_a = h + 0x3f3f3f3f3f3f3f3full; /* high bit: byte >= 'A' */
	uint64_t upper = ~x & (ge_a ^ gt_z) & 0x8080808080808080ull;
	return x | upper >> 2;
}

/* Lower-cases n bytes into out: 16 at a time with SSE2, the rest with
 * overlapping words rather than a byte loop. */
static inline void lower_copy(const char *s, size_t n, char *out)
{
	size_t i = 0;
#if defined(__SSE2__)
	if (n >= 16) {
		const __m128i a1 = _mm_set1_epi8('A' - 1), z1 = _mm_set1_epi8('Z' + 1),
			      d = _mm_set1_epi8(32);
		for (;; i += 16) {
			if (i + 16 > n)
				i = n - 16; /* the last, overlapping block */
			__m128i x = _mm_loadu_si128((const __m128i *)(s + i));
			__m128i up = _mm_and_si128(_mm_cmpgt_epi8(x, a1), _mm_cmplt_epi8(x, z1));
			_mm_storeu_si128((__m128i *)(out + i),
					 _mm_add_epi8(x, _mm_and_si128(up, d)));
			if (i + 16 >= n)
				return;
		}
	}
#endif
	if (n >= 8) {
		for (;; i += 8) {
			if (i + 8 > n)
				i = n - 8;
			uint64_t x;
			memcpy(&x, s + i, 8);
			x = lower8(x);
			memcpy(out + i, &x, 8);
			if (i + 8 >= n)
				return;
		}
	}
	for (; i < n; i++) {
		char ch = s[i];
		out[i] = ch >= 'A' && ch <= 'Z' ? (char)(ch + 32) : ch;
	}
}

/* A fast dotted-quad parser (host byte order); 0 when not IPv4. Leading
 * zeros are refused ("010" is 8 to some parsers, 10 to others). */
static inline int v4_parse(const char *s, size_t n, uint32_t *out)
{
	if (n < 7 || n > 15)
		return 0;
	const char *p = s, *e = s + n;
	uint32_t a = 0;
	for (int part = 0; part < 4; part++) {
		unsigned v = (unsigned char)*p - '0';
		if (v > 9)
			return 0;
		p++;
		unsigned d;
		if (p < e && (d = (unsigned char)*p - '0') <= 9) {
			if (v == 0)
				return 0;
			v = v * 10 + d;
			p++;
			if (p < e && (d = (unsigned char)*p - '0') <= 9) {
				v = v * 10 + d;
				p++;
				if (v > 255)
					return 0;
			}
		}
		a = a << 8 | v;
		if (part < 3) {
			if (p >= e || *p != '.')
				return 0;
			p++;
		}
	}
	if (p != e)
		return 0;
	*out = a;
	return 1;
}

static const char *event_host(const struct log_event *ev, size_t *hn)
{
	const struct log_field *best = NULL;
	for (size_t i = 0; i < ev->nfields; i++) {
		const struct log_field *f = &ev->fields[i];
		if (f->name && strcmp(f->name, "host") == 0 && f->len) {
			best = f;
			break;
		}
		if (!best && f->kind == OBS_DOMAIN && f->len)
			best = f;
	}
	if (!best)
		return NULL;
	*hn = best->len;
	return best->val;
}

static void look_field(struct match_ctx *c, const struct log_event *ev, size_t i, int lookup)
{
	const struct matcher *m = c->m;
	const struct log_field *f = &ev->fields[i];
	struct fval *fv = &c->fv[i];
	const char *v = f->val;
	size_t n = f->len;
	fv->k = f->kind;
	fv->ok = 0;
	fv->v = v;
	fv->n = n;
	fv->port = -1;
	if (n == 0)
		return;
	if (lookup)
		c->cnt.kinds_seen[f->kind]++;
	switch (f->kind) {
	case OBS_IP: {
		uint32_t a;
		size_t before = c->nhits;
		if (v4_parse(v, n, &a)) {
			fv->fam = 4;
			fv->addr[0] = (uint8_t)(a >> 24);
			fv->addr[1] = (uint8_t)(a >> 16);
			fv->addr[2] = (uint8_t)(a >> 8);
			fv->addr[3] = (uint8_t)a;
			fv->ok = 1;
			if (lookup)
				v4_find(c, a, i);
		} else if (lookup && !m->re[OBS_IP].n && neg_seen(c, v, n, 0x6c62272e07bb0142ull)) {
			/* An address text that found nothing a moment ago. */
			return;
		} else if (ip_parse(v, n, &fv->fam, fv->addr)) {
			fv->ok = 1;
			if (!lookup)
				;
			else if (fv->fam == 4)
				v4_find(c,
					(uint32_t)fv->addr[0] << 24 | (uint32_t)fv->addr[1] << 16 |
					    (uint32_t)fv->addr[2] << 8 | fv->addr[3],
					i);
			else
				v6_find(c, fv->addr, i);
		}
		if (lookup && m->re[OBS_IP].n)
			re_find(c, OBS_IP, v, n, i);
		if (lookup && fv->fam == 6 && c->nhits == before)
			neg_add(c, v, n, 0x6c62272e07bb0142ull);
		return;
	}
	case OBS_DOMAIN: {
		char *o = scratch(c, n);
		if (!o)
			return;
		if (v[n - 1] == '.')
			n--;
		lower_copy(v, n, o);
		c->slen += n;
		fv->v = o;
		fv->n = n;
		fv->ok = 1;
		if (!lookup)
			return;
		xtab_find(c, &m->dom, o, n, i);
		if (m->dom_suffixes) {
			const struct xtab *t = m->opts.subdomains ? &m->dom : &m->dom_sub;
			for (size_t k = 0; k < n; k++)
				if (o[k] == '.' && k + 1 < n)
					xtab_find(c, t, o + k + 1, n - k - 1, i);
		}
		if (m->re[OBS_DOMAIN].n)
			re_find(c, OBS_DOMAIN, o, n, i);
		return;
	}
	case OBS_URL: {
		size_t hn = 0;
		const char *host = v[0] == '/' ? event_host(ev, &hn) : NULL;
		char *o = scratch(c, 3 * (n + hn) + 48);
		if (!o)
			return;
		size_t k = norm_url(v, n, host, hn, o);
		if (!k)
			return;
		c->slen += k;
		fv->v = o;
		fv->n = k;
		fv->ok = 1;
		if (!lookup)
			return;
		xtab_find(c, &m->url, o, k, i);
		if (m->url_tail[0].n || m->url_tail[1].n)
			tail_find(c, o, k, i);
		if (m->re[OBS_URL].n)
			re_find(c, OBS_URL, o, k, i);
		return;
	}
	case OBS_EMAIL: {
		char *o = scratch(c, n);
		if (!o)
			return;
		size_t k = norm_email(v, n, o);
		c->slen += k;
		fv->v = o;
		fv->n = k;
		fv->ok = 1;
		if (!lookup)
			return;
		xtab_find(c, &m->email, o, k, i);
		if (m->re[OBS_EMAIL].n)
			re_find(c, OBS_EMAIL, o, k, i);
		return;
	}
	case OBS_HASH:
	case OBS_MD5:
	case OBS_SHA1:
	case OBS_SHA256:
	case OBS_SHA512: {
		int h = n == 32 ? 0 : n == 40 ? 1 : n == 64 ? 2 : n == 128 ? 3 : -1;
		if (h < 0)
			return;
		char *o = scratch(c, n);
		if (!o)
			return;
		lower_copy(v, n, o);
		c->slen += n;
		fv->k = (enum obs_kind)(OBS_MD5 + h);
		fv->v = o;
		fv->ok = 1;
		if (!lookup)
			return;
		xtab_find(c, &m->hash[h], o, n, i);
		if (m->re[fv->k].n)
			re_find(c, fv->k, o, n, i);
		return;
	}
	case OBS_STRING:
		fv->ok = 1;
		if (lookup && m->re[OBS_STRING].n)
			re_find(c, OBS_STRING, v, n, i);
		return;
	case OBS_PORT:
		/* Parsed when a comparison needs it (fv_port). */
		fv->port = -2;
		fv->ok = 1;
		return;
	default:
		return;
	}
}

/* ---- evaluation of complex observations ---- */

static int field_role(const char *name)
{
	if (!name)
		return ROLE_ANY;
	if (strstr(name, "orig") || strstr(name, "src") || strstr(name, "source") ||
	    strstr(name, "client"))
		return ROLE_SRC;
	if (strstr(name, "resp") || strstr(name, "dst") || strstr(name, "dest") ||
	    strstr(name, "server"))
		return ROLE_DST;
	return ROLE_ANY;
}

/* The port of a port field, parsed on first use; -1 when not a port. */
static long fv_port(const struct fval *cfv)
{
	struct fval *fv = (struct fval *)cfv;
	if (fv->port != -2)
		return fv->port;
	long p = 0;
	size_t k = 0;
	while (k < fv->n && k < 6 && fv->v[k] >= '0' && fv->v[k] <= '9')
		p = p * 10 + (fv->v[k++] - '0');
	fv->port = k == fv->n && k && p <= 65535 ? p : -1;
	return fv->port;
}

static int lit_eq(const struct matcher *m, const struct m_cmp *c, const struct m_lit *l,
		  const struct fval *fv)
{
	const char *lv = m->text.p + l->off;
	switch (c->ck) {
	case CK_IP:
		return ip_in_prefix(fv->fam, fv->addr, l);
	case CK_PORT:
		return l->is_int && fv_port(fv) == l->i;
	case CK_IPTYPE:
		return (fv->fam == 4 && l->len == 9 && memcmp(lv, "ipv4-addr", 9) == 0) ||
		       (fv->fam == 6 && l->len == 9 && memcmp(lv, "ipv6-addr", 9) == 0);
	case CK_DOMAIN: {
		if (fv->n == l->len && memcmp(fv->v, lv, l->len) == 0)
			return 1;
		const struct m_cx *x = &VEC_AT(&m->cx, struct m_cx, c->cx);
		const struct m_ind *d = &VEC_AT(&m->inds, struct m_ind, x->ind);
		if (!(m->opts.subdomains || (d->flags & IND_SUBDOMAINS)))
			return 0;
		return fv->n > l->len && fv->v[fv->n - l->len - 1] == '.' &&
		       memcmp(fv->v + fv->n - l->len, lv, l->len) == 0;
	}
	default:
		return fv->n == l->len && memcmp(fv->v, lv, l->len) == 0;
	}
}

static int order(const struct m_cmp *c, const struct m_lit *l, const struct matcher *m,
		 const struct fval *fv)
{
	if (c->ck == CK_PORT) {
		if (!l->is_int)
			return 2;
		long p = fv_port(fv);
		if (p < 0)
			return 2;
		return p < l->i ? -1 : p > l->i;
	}
	if (c->ck == CK_IP) {
		if (!l->is_ip || l->fam != fv->fam)
			return 2;
		int r = memcmp(fv->addr, l->addr, fv->fam == 4 ? 4 : 16);
		return r < 0 ? -1 : r > 0;
	}
	size_t n = fv->n < l->len ? fv->n : l->len;
	int r = memcmp(fv->v, m->text.p + l->off, n);
	if (r)
		return r < 0 ? -1 : 1;
	return fv->n < l->len ? -1 : fv->n > l->len;
}

static int cmp_field(struct match_ctx *c, const struct m_cmp *cm, const struct fval *fv)
{
	const struct matcher *m = c->m;
	const struct m_lit *l = cm->nlit ? &VEC_AT(&m->lits, struct m_lit, cm->lit) : NULL;
	int o;
	switch (cm->op) {
	case PATTERN_OP_EQ:
		return l && lit_eq(m, cm, l, fv);
	case PATTERN_OP_NE:
		return l && !lit_eq(m, cm, l, fv);
	case PATTERN_OP_IN:
		for (uint32_t i = 0; i < cm->nlit; i++)
			if (lit_eq(m, cm, l + i, fv))
				return 1;
		return 0;
	case PATTERN_OP_LT:
		return l && (o = order(cm, l, m, fv)) != 2 && o < 0;
	case PATTERN_OP_LE:
		return l && (o = order(cm, l, m, fv)) != 2 && o <= 0;
	case PATTERN_OP_GT:
		return l && (o = order(cm, l, m, fv)) != 2 && o > 0;
	case PATTERN_OP_GE:
		return l && (o = order(cm, l, m, fv)) != 2 && o >= 0;
	case PATTERN_OP_LIKE:
		if (cm->like_fast)
			return like_path_match(fv->v, fv->n, m->text.p + l->off, l->len,
					       cm->like_fast);
		/* fall through */
	case PATTERN_OP_MATCHES:
		return cm->re &&
		       pcre2_match(cm->re, (PCRE2_SPTR)fv->v, fv->n, 0, 0, c->md, NULL) >= 0;
	case PATTERN_OP_ISSUBSET:
		return cm->ck == CK_IP && l && ip_in_prefix(fv->fam, fv->addr, l);
	case PATTERN_OP_ISSUPERSET:
		/* A log field holds one address: it contains the literal only
		 * when the literal is that same single address. */
		return cm->ck == CK_IP && l && l->is_ip && l->plen == (l->fam == 4 ? 32 : 128) &&
		       ip_in_prefix(fv->fam, fv->addr, l);
	default:
		return 0;
	}
}

static int eval_cmp(struct match_ctx *c, const struct log_event *ev, const struct m_cmp *cm,
		    int *witness)
{
	if (cm->ck == CK_NONE)
		return 0;
	enum obs_kind want = match_ck_field(cm->ck);
	int any = 0;
	for (size_t i = 0; i < ev->nfields; i++) {
		const struct fval *fv = &c->fv[i];
		if (fv->k != want || !fv->ok)
			continue;
		if (cm->role != ROLE_ANY) {
			int r = field_role(ev->fields[i].name);
			if (r != ROLE_ANY && r != cm->role)
				continue;
		}
		if (cm->op == PATTERN_OP_EXISTS) {
			any = 1;
			if (!*witness)
				*witness = (int)i + 1;
			break;
		}
		int r = cmp_field(c, cm, fv);
		if (cm->neg)
			r = !r;
		if (r) {
			if (!*witness || cm->anchored)
				*witness = (int)i + 1;
			return 1;
		}
	}
	if (cm->op == PATTERN_OP_EXISTS)
		return cm->neg ? !any : any;
	return 0;
}

static int eval_expr(struct match_ctx *c, const struct log_event *ev, uint32_t e, int *witness)
{
	const struct matcher *m = c->m;
	const struct m_expr *x = &VEC_AT(&m->exprs, struct m_expr, e);
	if (x->kind == EX_CMP)
		return eval_cmp(c, ev, &VEC_AT(&m->cmps, struct m_cmp, x->first), witness);
	for (uint32_t i = 0; i < x->n; i++) {
		int r = eval_expr(c, ev, VEC_AT(&m->kids, uint32_t, x->first + i), witness);
		if (x->kind == EX_AND && !r)
			return 0;
		if (x->kind == EX_OR && r)
			return 1;
	}
	return x->kind == EX_AND;
}

/* ---- aggregation and output ---- */

static struct match_agg *agg_get(struct match_ctx *c, uint32_t ind)
{
	uint32_t key = ind + 1;
	size_t j = (key * 0x9E3779B1u) & c->amask;
	while (c->amap[j].key) {
		if (c->amap[j].key == key)
			return &c->aggs[c->amap[j].idx];
		j = (j + 1) & c->amask;
	}
	if ((c->naggs + 1) * 2 > c->amask + 1) {
		size_t cap = (c->amask + 1) * 2;
		struct agg_slot *nm = xcalloc(cap, sizeof *nm);
		for (size_t i = 0; i <= c->amask; i++) {
			if (!c->amap[i].key)
				continue;
			size_t k = (c->amap[i].key * 0x9E3779B1u) & (cap - 1);
			while (nm[k].key)
				k = (k + 1) & (cap - 1);
			nm[k] = c->amap[i];
		}
		free(c->amap);
		c->amap = nm;
		c->amask = cap - 1;
		j = (key * 0x9E3779B1u) & c->amask;
		while (c->amap[j].key)
			j = (j + 1) & c->amask;
	}
	if (c->naggs == c->caggs) {
		c->caggs = c->caggs ? c->caggs * 2 : 64;
		c->aggs = xrealloc(c->aggs, c->caggs * sizeof *c->aggs);
		c->agg_seen = xrealloc(c->agg_seen, c->caggs * sizeof *c->agg_seen);
	}
	c->amap[j] = (struct agg_slot){key, (uint32_t)c->naggs};
	c->agg_seen[c->naggs] = 0;
	struct match_agg *a = &c->aggs[c->naggs++];
	*a = (struct match_agg){.ind = ind};
	return a;
}

/* Counts one sighting of ind at time ts, once per event. */
static void agg_add(struct match_ctx *c, uint32_t ind, int64_t ts, uint64_t count)
{
	struct match_agg *a = agg_get(c, ind);
	size_t idx = (size_t)(a - c->aggs);
	uint64_t serial = c->cnt.events + 1;
	if (count == 1 && c->agg_seen[idx] == serial)
		return;
	c->agg_seen[idx] = serial;
	c->cnt.hits += count;
	a->count += count;
	if (ts && (!a->first || ts < a->first))
		a->first = ts;
	if (ts && ts > a->last)
		a->last = ts;
}

/* Simple kinds that need more than the table entry: the port of an
 * address:port, the wildcards of a URL path. */
static int simple_ok(struct match_ctx *c, const struct log_event *ev, const struct hitref *h)
{
	const struct matcher *m = c->m;
	const struct m_ind *d = &VEC_AT(&m->inds, struct m_ind, h->ref);
	if (d->sk == SK_IPPORT) {
		if (field_role(ev->fields[h->field].name) == ROLE_SRC)
			return 0;
		for (size_t j = 0; j < ev->nfields; j++)
			if (c->fv[j].k == OBS_PORT && c->fv[j].ok &&
			    fv_port(&c->fv[j]) == (long)d->aux &&
			    field_role(ev->fields[j].name) != ROLE_SRC)
				return 1;
		return 0;
	}
	if (d->sk == SK_URLPATH) {
		const struct fval *fv = &c->fv[h->field];
		const char *p = m->text.p + d->aux;
		size_t pn = strlen(p);
		return like_path_match(fv->v, fv->n, p, pn, 1) ||
		       like_path_match(fv->v, fv->n, p, pn, 2);
	}
	return 1;
}

/* The comparison a hit stands for, as text. */
static void hit_comparison(const struct matcher *m, const struct hitref *h, struct buf *b)
{
	if (h->ref & REF_CX) {
		const struct m_cmp *cm = &VEC_AT(&m->cmps, struct m_cmp, h->ref & ~REF_CX);
		const struct m_cx *x = &VEC_AT(&m->cx, struct m_cx, cm->cx);
		buf_add(b, m->text.p + x->text_off, x->text_len);
		return;
	}
	const struct m_ind *d = &VEC_AT(&m->inds, struct m_ind, h->ref);
	if (d->sk == SK_URLPATH) {
		const char *p = m->text.p + d->aux;
		buf_adds(b, "[url:value LIKE '%://%");
		buf_adds(b, p);
		buf_adds(b, "' OR url:value LIKE '%://%");
		buf_adds(b, p);
		buf_adds(b, "?%']");
		return;
	}
	buf_adds(b, "[");
	if (d->sk == SK_IPPORT)
		buf_printf(b, "network-traffic:dst_ref.type = '%s' AND ",
			   h->src == H_V6 ? "ipv6-addr" : "ipv4-addr");
	buf_adds(b, sk_path(d->sk));
	buf_adds(b, " = '");
	char tmp[64];
	if (h->src == H_V4) {
		snprintf(tmp, sizeof tmp, "%u.%u.%u.%u", h->a >> 24, (h->a >> 16) & 255,
			 (h->a >> 8) & 255, h->a & 255);
		buf_adds(b, tmp);
		if (h->plen < 32)
			buf_printf(b, "/%u", h->plen);
	} else if (h->src == H_V6) {
		inet_ntop(AF_INET6, m->v6[h->a].addr, tmp, sizeof tmp);
		buf_adds(b, tmp);
		if (h->plen < 128)
			buf_printf(b, "/%u", h->plen);
	} else {
		size_t n;
		const char *v = arena_get(&m->vals, h->a, &n);
		for (size_t i = 0; i < n; i++) {
			if (v[i] == '\'' || v[i] == '\\')
				buf_addc(b, '\\');
			buf_addc(b, v[i]);
		}
	}
	buf_adds(b, "'");
	if (d->sk == SK_IPPORT)
		buf_printf(b, " AND network-traffic:dst_port = %u", (unsigned)d->aux);
	buf_adds(b, "]");
}

static void write_line(struct match_ctx *c, const struct log_event *ev, int64_t ts,
		       const struct log_field *f, const struct fval *fv, const char *cmp,
		       size_t cmp_len, const uint32_t *inds, size_t n)
{
	struct buf *o = c->out;
	if (!o)
		return;
	char t[40];
	buf_adds(o, "{\"time\":");
	if (ts) {
		time_format(ts, t);
		buf_printf(o, "\"%s\"", t);
	} else {
		buf_adds(o, "null");
	}
	buf_adds(o, ",\"source\":");
	char src[64];
	int dl = snprintf(src, sizeof src, "%llu", (unsigned long long)ev->line);
	struct buf tmp;
	buf_init(&tmp, 1 << 20);
	buf_adds(&tmp, ev->source ? ev->source : "-");
	buf_addc(&tmp, ':');
	buf_adds(&tmp, src);
	buf_add_json_str(o, tmp.p, tmp.len);
	buf_free(&tmp);
	if (c->defer) {
		if (c->nfix == c->cfix) {
			c->cfix = c->cfix ? c->cfix * 2 : 64;
			c->fix = xrealloc(c->fix, c->cfix * sizeof *c->fix);
		}
		c->fix[c->nfix++] =
		    (struct linefix){c->spilled + o->len - 1 - (size_t)dl, ev->line, (unsigned)dl};
	}
	buf_adds(o, ",\"field\":");
	buf_add_json_str(o, f->name ? f->name : "", f->name ? strlen(f->name) : 0);
	buf_adds(o, ",\"value\":");
	buf_add_json_str(o, fv->v ? fv->v : f->val, fv->v ? fv->n : f->len);
	buf_adds(o, ",\"indicators\":[");
	for (size_t i = 0; i < n; i++) {
		char id[96];
		matcher_indicator_id(c->m, inds[i], id);
		buf_printf(o, "%s\"%s\"", i ? "," : "", id);
	}
	buf_adds(o, "],\"comparison\":");
	buf_add_json_str(o, cmp, cmp_len);
	buf_adds(o, "}\n");
	c->cnt.hit_lines++;
}

static void keep_obs(struct match_ctx *c, const struct log_event *ev, uint32_t cx, uint16_t obs,
		     const struct log_field *f, const struct fval *fv, int64_t ts)
{
	if (c->nrecs >= MAX_OBSREC) {
		c->cnt.obs_dropped++;
		return;
	}
	if (c->nrecs == c->crecs) {
		c->crecs = c->crecs ? c->crecs * 2 : 256;
		c->recs = xrealloc(c->recs, c->crecs * sizeof *c->recs);
	}
	struct obsrec *r = &c->recs[c->nrecs++];
	r->cx = cx;
	r->obs = obs;
	r->ts = ts;
	r->seq = c->cnt.events;
	r->source = ev->source;
	r->line = ev->line;
	const char *name = f && f->name ? f->name : "";
	r->name_off = text_put(&c->rtext, name, strlen(name));
	const char *v = fv ? fv->v : "";
	size_t vn = fv ? fv->n : 0;
	if (vn > 4096)
		vn = 4096;
	r->val_off = text_put(&c->rtext, v, vn);
	r->val_len = (uint32_t)vn;
}

/* Evaluates candidate observations and reports every hit of the event. */
static int finish_event(struct match_ctx *c, const struct log_event *ev)
{
	const struct matcher *m = c->m;
	int64_t ts = 0;
	int have_ts = 0;
	/* Candidate observations: from anchors, then the unanchored ones. */
	c->ncand = 0;
	size_t nh = c->nhits;
	for (size_t i = 0; i < nh + m->unanchored.n; i++) {
		uint32_t node;
		int anchor_field = 0;
		if (i < nh) {
			if (!(c->hits[i].ref & REF_CX))
				continue;
			const struct m_cmp *cm =
			    &VEC_AT(&m->cmps, struct m_cmp, c->hits[i].ref & ~REF_CX);
			const struct m_cx *x = &VEC_AT(&m->cx, struct m_cx, cm->cx);
			node = VEC_AT(&m->kids, uint32_t, x->obs_first + cm->obs);
			anchor_field = c->hits[i].field + 1;
		} else {
			node = VEC_AT(&m->unanchored, uint32_t, i - nh);
		}
		size_t k;
		for (k = 0; k < c->ncand; k++)
			if (c->cand[k] == node)
				break;
		if (k < c->ncand)
			continue;
		if (c->ncand == c->ccand) {
			c->ccand = c->ccand ? c->ccand * 2 : 16;
			c->cand = xrealloc(c->cand, c->ccand * sizeof *c->cand);
		}
		c->cand[c->ncand++] = node;
		const struct m_obs *ob = &VEC_AT(&m->obs, struct m_obs, node);
		int witness = anchor_field;
		if (!eval_expr(c, ev, ob->expr, &witness))
			continue;
		/* Which complex indicator: the first comparison of the
		 * observation knows. */
		uint32_t cmp0 = ob->expr;
		while (VEC_AT(&m->exprs, struct m_expr, cmp0).kind != EX_CMP)
			cmp0 = VEC_AT(&m->kids, uint32_t,
				      VEC_AT(&m->exprs, struct m_expr, cmp0).first);
		uint32_t ci = VEC_AT(&m->exprs, struct m_expr, cmp0).first;
		uint32_t cxi = VEC_AT(&m->cmps, struct m_cmp, ci).cx;
		const struct m_cx *x = &VEC_AT(&m->cx, struct m_cx, cxi);
		size_t wf = witness ? (size_t)witness - 1 : 0;
		const struct log_field *f = ev->nfields ? &ev->fields[wf] : NULL;
		const struct fval *fv = ev->nfields ? &c->fv[wf] : NULL;
		if (c->allow && fv && fv->ok && c->allow(c->allow_arg, fv->k, fv->v, fv->n)) {
			c->cnt.suppressed++;
			continue;
		}
		if (!have_ts) {
			ts = log_event_time(ev);
			have_ts = 1;
		}
		if (x->temporal) {
			keep_obs(c, ev, cxi, ob->index, f, fv, ts);
			continue;
		}
		agg_add(c, x->ind, ts, 1);
		if (f) {
			uint32_t ind = x->ind;
			write_line(c, ev, ts, f, fv, m->text.p + x->text_off, x->text_len, &ind, 1);
		}
	}
	/* Simple hits, one line per field and comparison text. */
	struct buf texts;
	buf_init(&texts, 1 << 24);
	size_t ns = 0;
	for (size_t i = 0; i < nh; i++) {
		const struct hitref *h = &c->hits[i];
		if (h->ref & REF_CX)
			continue;
		const struct fval *fv = &c->fv[h->field];
		if (!simple_ok(c, ev, h))
			continue;
		if (c->allow && c->allow(c->allow_arg, fv->k, fv->v, fv->n)) {
			c->cnt.suppressed++;
			continue;
		}
		if (!have_ts) {
			ts = log_event_time(ev);
			have_ts = 1;
		}
		agg_add(c, h->ref, ts, 1);
		if (ns == c->csimple) {
			c->csimple = c->csimple ? c->csimple * 2 : 16;
			c->simple = xrealloc(c->simple, c->csimple * sizeof *c->simple);
		}
		struct simple_hit *sh = &c->simple[ns++];
		sh->field = h->field;
		sh->ind = h->ref;
		sh->done = 0;
		sh->off = texts.len;
		hit_comparison(m, h, &texts);
		sh->len = texts.len - sh->off;
	}
	uint32_t *inds = xmalloc((ns ? ns : 1) * sizeof *inds);
	for (size_t i = 0; i < ns; i++) {
		struct simple_hit *a = &c->simple[i];
		if (a->done)
			continue;
		size_t ni = 0;
		inds[ni++] = a->ind;
		for (size_t j = i + 1; j < ns; j++) {
			struct simple_hit *b = &c->simple[j];
			if (b->done || b->field != a->field || b->len != a->len ||
			    memcmp(texts.p + a->off, texts.p + b->off, a->len) != 0)
				continue;
			b->done = 1;
			size_t k;
			for (k = 0; k < ni && inds[k] != b->ind; k++)
				;
			if (k == ni)
				inds[ni++] = b->ind;
		}
		write_line(c, ev, ts, &ev->fields[a->field], &c->fv[a->field], texts.p + a->off,
			   a->len, inds, ni);
	}
	free(inds);
	buf_free(&texts);
	if (c->out && c->defer && c->out->len > SPILL_AT)
		spill(c);
	if (c->out && c->out->max && c->out->len >= c->out->max)
		return VB_ENOMEM;
	return 0;
}

static inline uint64_t load8(const char *p)
{
	uint64_t x;
	memcpy(&x, p, 8);
	return x;
}

static inline uint32_t load4(const char *p)
{
	uint32_t x;
	memcpy(&x, p, 4);
	return x;
}

/* n bytes equal; words that overlap at the end rather than a byte loop. */
int match_probe(void *ctx, const struct log_field *f)
{
	struct match_ctx *c = ctx;
	/* Observations evaluated on every event need every event. */
	if (c->m->unanchored.n)
		return 1;
	if (f->kind == OBS_PORT || f->kind == OBS_NONE || f->len == 0)
		return 0;
	/* A bare path is joined with the event's host: not decidable alone. */
	if (f->kind == OBS_URL && f->val[0] == '/')
		return 1;
	struct log_event ev = {.fields = f, .nfields = 1};
	c->nhits = 0;
	c->slen = 0;
	look_field(c, &ev, 0, 1);
	int hot = c->nhits > 0;
	c->nhits = 0;
	return hot;
}

static inline int same_bytes(const char *a, const char *b, size_t n)
{
	if (n >= 8) {
		for (size_t i = 0; i + 8 < n; i += 8)
			if (load8(a + i) != load8(b + i))
				return 0;
		return load8(a + n - 8) == load8(b + n - 8);
	}
	if (n >= 4)
		return load4(a) == load4(b) && load4(a + n - 4) == load4(b + n - 4);
	for (size_t i = 0; i < n; i++)
		if (a[i] != b[i])
			return 0;
	return 1;
}

int match_event(void *ctx, const struct log_event *ev)
{
	struct match_ctx *c = ctx;
	c->nhits = 0;
	c->slen = 0;
	size_t nf = ev->nfields < LOG_MAX_FIELDS ? ev->nfields : LOG_MAX_FIELDS;
	uint64_t skipped = 0;
	for (size_t i = 0; i < nf; i++) {
		const struct log_field *f = &ev->fields[i];
		struct memo *mm = &c->memo[i];
		if (f->kind == OBS_PORT || f->kind == OBS_NONE) {
			/* Nothing to look up: prepared only when the event has hits. */
			c->cnt.kinds_seen[f->kind]++;
			skipped |= 1ull << i;
			continue;
		}
		/* The same value in the same field as on the previous event
		 * found nothing then and finds nothing now. */
		if (mm->name == f->name && mm->kind == f->kind && mm->len == f->len &&
		    same_bytes(mm->v, f->val, f->len)) {
			c->cnt.kinds_seen[f->kind]++;
			skipped |= 1ull << i;
			continue;
		}
		size_t before = c->nhits;
		look_field(c, ev, i, 1);
		if (c->nhits == before && f->len <= MEMO_MAX && f->kind != OBS_URL &&
		    f->kind != OBS_PORT) {
			mm->name = f->name;
			mm->kind = (uint8_t)f->kind;
			mm->len = (uint8_t)f->len;
			memcpy(mm->v, f->val, f->len);
		} else {
			mm->name = NULL;
		}
	}
	int rc = 0;
	if (c->nhits || c->m->unanchored.n) {
		/* Evaluation needs every field prepared. */
		for (size_t i = 0; skipped && i < nf; i++)
			if (skipped >> i & 1)
				look_field(c, ev, i, 0);
		struct log_event e2 = *ev;
		e2.nfields = nf;
		rc = finish_event(c, &e2);
	}
	c->cnt.events++;
	return rc;
}

/* ---- after the scan ---- */

void match_temporal(const struct matcher *m, struct obsrec *recs, size_t n, struct match_ctx *into);

static int agg_by_ind(const void *a, const void *b)
{
	const struct match_agg *x = a, *y = b;
	return x->ind < y->ind ? -1 : x->ind > y->ind;
}

int match_finish(const struct matcher *m, struct match_ctx **ctx, size_t nctx, struct buf *out,
		 struct match_agg **agg, size_t *nagg, struct match_counts *total)
{
	memset(total, 0, sizeof *total);
	/* All kept observation matches, in context order. */
	size_t nrec = 0;
	for (size_t i = 0; i < nctx; i++)
		nrec += ctx[i]->nrecs;
	struct match_ctx *fin = match_ctx_new(m, out);
	struct obsrec *all = xmalloc((nrec ? nrec : 1) * sizeof *all);
	size_t k = 0;
	for (size_t i = 0; i < nctx; i++) {
		for (size_t j = 0; j < ctx[i]->nrecs; j++) {
			all[k] = ctx[i]->recs[j];
			/* Texts move into the final context's arena. */
			const char *name = ctx[i]->rtext.p + all[k].name_off;
			all[k].name_off = text_put(&fin->rtext, name, strlen(name));
			all[k].val_off = text_put(
			    &fin->rtext, ctx[i]->rtext.p + ctx[i]->recs[j].val_off, all[k].val_len);
			all[k].seq = (uint64_t)i << 40 | (all[k].seq & ((1ull << 40) - 1));
			all[k].line += ctx[i]->line_base;
			k++;
		}
	}
	match_temporal(m, all, nrec, fin);
	free(all);
	/* Merge the aggregates. */
	size_t cap = fin->naggs;
	for (size_t i = 0; i < nctx; i++)
		cap += ctx[i]->naggs;
	struct match_agg *v = xmalloc((cap ? cap : 1) * sizeof *v);
	size_t nv = 0;
	for (size_t i = 0; i < nctx; i++)
		for (size_t j = 0; j < ctx[i]->naggs; j++)
			v[nv++] = ctx[i]->aggs[j];
	for (size_t j = 0; j < fin->naggs; j++)
		v[nv++] = fin->aggs[j];
	qsort(v, nv, sizeof *v, agg_by_ind);
	size_t w = 0;
	for (size_t i = 0; i < nv; i++) {
		if (w && v[w - 1].ind == v[i].ind) {
			struct match_agg *a = &v[w - 1];
			a->count += v[i].count;
			if (v[i].first && (!a->first || v[i].first < a->first))
				a->first = v[i].first;
			if (v[i].last > a->last)
				a->last = v[i].last;
			continue;
		}
		v[w++] = v[i];
	}
	*agg = v;
	*nagg = w;
	for (size_t i = 0; i <= nctx; i++) {
		const struct match_counts *c = i < nctx ? &ctx[i]->cnt : &fin->cnt;
		total->events += c->events;
		total->lookups += c->lookups;
		total->hits += c->hits;
		total->hit_lines += c->hit_lines;
		total->suppressed += c->suppressed;
		total->obs_dropped += c->obs_dropped;
		for (int q = 0; q < OBS_KIND_MAX; q++)
			total->kinds_seen[q] += c->kinds_seen[q];
	}
	match_ctx_free(fin);
	return 0;
}

/* ---- for match_temporal.c ---- */

const struct obsrec *match_rec_at(const struct obsrec *r, size_t i)
{
	return &r[i];
}

void match_report_firing(struct match_ctx *c, uint32_t cxi, const struct obsrec *last,
			 int64_t first_ts)
{
	const struct matcher *m = c->m;
	const struct m_cx *x = &VEC_AT(&m->cx, struct m_cx, cxi);
	struct match_agg *a = agg_get(c, x->ind);
	a->count++;
	c->cnt.hits++;
	int64_t ts = last->ts;
	if (first_ts && (!a->first || first_ts < a->first))
		a->first = first_ts;
	if (ts && ts > a->last)
		a->last = ts;
	if (!c->out)
		return;
	struct log_field f = {.name = c->rtext.p + last->name_off, .kind = OBS_NONE};
	struct fval fv = {.v = c->rtext.p + last->val_off, .n = last->val_len};
	struct log_event ev = {.source = last->source, .line = last->line};
	uint32_t ind = x->ind;
	write_line(c, &ev, ts, &f, &fv, m->text.p + x->text_off, x->text_len, &ind, 1);
}
