/*
 * match_table.c: the matcher's storage: vectors, the value arena, the
 * exact-value hash tables with their Bloom filters, and the IPv4/IPv6
 * prefix tables (see match_int.h for the layout and why).
 *
 * Tables use open addressing with linear probing. They grow while the
 * matcher is built (load at most 0.7) and never change afterwards, so any
 * number of threads may read them.
 */
#include "match_int.h"
#include "../util/util.h"

#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

void vec_init(struct vec *v, size_t size)
{
	memset(v, 0, sizeof *v);
	v->size = size;
}

void *vec_push(struct vec *v)
{
	if (v->n == v->cap) {
		v->cap = v->cap ? v->cap * 2 : 16;
		v->p = xrealloc(v->p, v->cap * v->size);
	}
	void *r = (char *)v->p + v->n * v->size;
	memset(r, 0, v->size);
	v->n++;
	return r;
}

void vec_free(struct vec *v)
{
	free(v->p);
	v->p = NULL;
	v->n = v->cap = 0;
}

static void arena_reserve(struct arena *a, size_t n)
{
	if (a->len + n <= a->cap)
		return;
	size_t cap = a->cap ? a->cap : 1 << 16;
	while (cap < a->len + n)
		cap *= 2;
	if (cap > UINT32_MAX) {
		/* Offsets are 32-bit: 4 GB of distinct values is far beyond any
		 * indicator set, so this is a broken invariant, not input. */
		fprintf(stderr, "verbinding: matcher value arena over 4 GB\n");
		abort();
	}
	a->p = xrealloc(a->p, cap);
	a->cap = cap;
	if (a->len == 0) {
		a->p[0] = 0; /* offset 0 means "empty" */
		a->len = 1;
	}
}

uint32_t arena_put(struct arena *a, const void *s, size_t n)
{
	arena_reserve(a, n + 4);
	uint32_t off = (uint32_t)a->len;
	unsigned char *p = (unsigned char *)a->p + a->len;
	if (n < 0x80) {
		*p++ = (unsigned char)n;
	} else {
		/* Values are limited to VALUE_MAX_LEN-ish sizes; 21 bits is plenty. */
		*p++ = (unsigned char)(0x80 | (n & 0x7f));
		*p++ = (unsigned char)(n >> 7);
		*p++ = (unsigned char)(n >> 14);
	}
	memcpy(p, s, n);
	a->len = (size_t)(p - (unsigned char *)a->p) + n;
	return off;
}

uint32_t text_put(struct arena *a, const char *s, size_t n)
{
	arena_reserve(a, n + 1);
	uint32_t off = (uint32_t)a->len;
	memcpy(a->p + a->len, s, n);
	a->p[a->len + n] = 0;
	a->len += n + 1;
	return off;
}

void xtab_init(struct xtab *t, uint64_t seed)
{
	memset(t, 0, sizeof *t);
	t->seed = seed;
}

void xtab_free(struct xtab *t)
{
	free(t->slot);
	free(t->bloom);
	memset(t, 0, sizeof *t);
}

static void xtab_grow(struct xtab *t)
{
	size_t cap = t->slot ? (t->mask + 1) * 2 : 1024;
	unsigned shift = t->slot ? t->shift - 1 : 22;
	struct xslot *ns = xcalloc(cap, sizeof *ns);
	for (size_t i = 0; t->slot && i <= t->mask; i++) {
		struct xslot *s = &t->slot[i];
		if (!s->off)
			continue;
		size_t j = s->tag >> shift;
		while (ns[j].off)
			j = (j + 1) & (cap - 1);
		ns[j] = *s;
	}
	free(t->slot);
	t->slot = ns;
	t->mask = cap - 1;
	t->shift = shift;
}

void xtab_add(struct xtab *t, struct arena *a, const char *v, size_t n, uint32_t ref)
{
	/* 2^32 slots is the most a 32-bit tag can address. */
	if (!t->slot || ((t->n + 1) * 10 > (t->mask + 1) * 7 && t->shift > 0))
		xtab_grow(t);
	uint32_t tag = (uint32_t)(XXH3_64bits_withSeed(v, n, t->seed) >> 32);
	size_t j = tag >> t->shift;
	uint32_t off = 0;
	while (t->slot[j].off) {
		struct xslot *s = &t->slot[j];
		if (s->tag == tag) {
			int same = off && s->off == off;
			if (!off) {
				size_t sn;
				const char *sv = arena_get(a, s->off, &sn);
				if (sn == n && memcmp(sv, v, n) == 0) {
					same = 1;
					off = s->off; /* share the stored bytes */
				}
			}
			if (same && s->ref == ref)
				return; /* the same value twice in one indicator */
		}
		j = (j + 1) & t->mask;
	}
	if (!off)
		off = arena_put(a, v, n);
	t->slot[j] = (struct xslot){tag, off, ref};
	t->n++;
}

/* Bloom filter: about 12 bits per value (at most 2^20 words). */
void xtab_finish(struct xtab *t, const struct arena *a)
{
	(void)a;
	if (!t->n)
		return;
	size_t words = 64;
	while (words * 64 < t->n * 12 && words < (1u << 20))
		words *= 2;
	t->bloom = xcalloc(words, sizeof *t->bloom);
	t->bmask = words - 1;
	for (size_t i = 0; i <= t->mask; i++) {
		const struct xslot *s = &t->slot[i];
		if (s->off)
			t->bloom[s->tag & t->bmask] |=
			    1ull << ((s->tag >> 20) & 63) | 1ull << (s->tag >> 26);
	}
}

size_t xtab_bytes(const struct xtab *t)
{
	return (t->slot ? (t->mask + 1) * sizeof *t->slot : 0) +
	       (t->bloom ? (t->bmask + 1) * sizeof *t->bloom : 0);
}

/* ---- IP prefixes ---- */

static inline uint64_t v4_hash(uint32_t addr, unsigned plen)
{
	return ((uint64_t)addr << 6 | plen) * 0x9E3779B97F4A7C15ull;
}

static void v4_grow(struct matcher *m)
{
	size_t cap = m->v4 ? (m->v4mask + 1) * 2 : 1024;
	struct v4slot *ns = xcalloc(cap, sizeof *ns);
	for (size_t i = 0; m->v4 && i <= m->v4mask; i++) {
		if (!m->v4[i].used)
			continue;
		size_t j = (v4_hash(m->v4[i].addr, m->v4[i].plen) >> 32) & (cap - 1);
		while (ns[j].used)
			j = (j + 1) & (cap - 1);
		ns[j] = m->v4[i];
	}
	free(m->v4);
	m->v4 = ns;
	m->v4mask = cap - 1;
}

void v4_add(struct matcher *m, uint32_t addr, unsigned plen, uint32_t ref)
{
	if (plen > 32)
		return;
	addr = plen ? addr & (0xffffffffu << (32 - plen)) : 0;
	if (plen < 32) {
		for (size_t i = 0; i < m->ncidr; i++)
			if (m->cidr[i].lo == addr && m->cidr[i].plen == plen &&
			    m->cidr[i].ref == ref)
				return;
		if (m->ncidr == m->ccidr) {
			m->ccidr = m->ccidr ? m->ccidr * 2 : 64;
			m->cidr = xrealloc(m->cidr, m->ccidr * sizeof *m->cidr);
		}
		uint32_t hi = addr | (plen ? 0xffffffffu >> plen : 0xffffffffu);
		m->cidr[m->ncidr++] = (struct v4range){addr, hi, ref, (uint8_t)plen};
		goto mark;
	}
	if (!m->v4 || (m->v4n + 1) * 10 > (m->v4mask + 1) * 7)
		v4_grow(m);
	size_t j = (v4_hash(addr, plen) >> 32) & m->v4mask;
	while (m->v4[j].used) {
		if (m->v4[j].addr == addr && m->v4[j].plen == plen && m->v4[j].ref == ref)
			return;
		j = (j + 1) & m->v4mask;
	}
	m->v4[j] = (struct v4slot){.addr = addr, .ref = ref, .plen = (uint8_t)plen, .used = 1};
	m->v4n++;
mark:
	m->v4lens |= 1ull << plen;
	if (!m->v4bm) {
		m->v4bm = xcalloc((1u << 24) / 64, sizeof *m->v4bm);
		m->v4bm16 = xcalloc((1u << 16) / 64, sizeof *m->v4bm16);
	}
	/* Mark every /24 and /16 the entry touches. */
	uint32_t first = addr >> 8, count = plen >= 24 ? 1 : 1u << (24 - plen);
	for (uint32_t k = 0; k < count; k++)
		m->v4bm[(first + k) >> 6] |= 1ull << ((first + k) & 63);
	first = addr >> 16;
	count = plen >= 16 ? 1 : 1u << (16 - plen);
	for (uint32_t k = 0; k < count; k++)
		m->v4bm16[(first + k) >> 6] |= 1ull << ((first + k) & 63);
	if (plen == 32)
		m->st.exact[OBS_IP]++;
	else
		m->st.cidr4++;
}

static inline uint64_t v6_hash(const uint8_t a[16], unsigned plen)
{
	return XXH3_64bits_withSeed(a, 16, plen);
}

static void v6_grow(struct matcher *m)
{
	size_t cap = m->v6 ? (m->v6mask + 1) * 2 : 64;
	struct v6slot *ns = xcalloc(cap, sizeof *ns);
	for (size_t i = 0; m->v6 && i <= m->v6mask; i++) {
		if (!m->v6[i].used)
			continue;
		size_t j = v6_hash(m->v6[i].addr, m->v6[i].plen) & (cap - 1);
		while (ns[j].used)
			j = (j + 1) & (cap - 1);
		ns[j] = m->v6[i];
	}
	free(m->v6);
	m->v6 = ns;
	m->v6mask = cap - 1;
}

void v6_add(struct matcher *m, const uint8_t addr[16], unsigned plen, uint32_t ref)
{
	if (plen > 128)
		return;
	uint8_t a[16];
	memcpy(a, addr, 16);
	for (unsigned b = plen; b < 128; b++)
		a[b / 8] &= (uint8_t) ~(0x80u >> (b % 8));
	if (!m->v6 || (m->v6n + 1) * 10 > (m->v6mask + 1) * 7)
		v6_grow(m);
	size_t j = v6_hash(a, plen) & m->v6mask;
	while (m->v6[j].used) {
		if (m->v6[j].plen == plen && m->v6[j].ref == ref &&
		    memcmp(m->v6[j].addr, a, 16) == 0)
			return;
		j = (j + 1) & m->v6mask;
	}
	struct v6slot *s = &m->v6[j];
	memcpy(s->addr, a, 16);
	s->ref = ref;
	s->plen = (uint8_t)plen;
	s->used = 1;
	m->v6n++;
	m->v6lens[plen] = 1;
	if (plen == 128)
		m->st.exact[OBS_IP]++;
	else
		m->st.cidr6++;
}

static int by_lo(const void *a, const void *b)
{
	const struct v4range *x = a, *y = b;
	return x->lo < y->lo ? -1 : x->lo > y->lo;
}

void ip_tables_finish(struct matcher *m)
{
	if (m->ncidr) {
		qsort(m->cidr, m->ncidr, sizeof *m->cidr, by_lo);
		m->cidr_maxhi = xmalloc(m->ncidr * sizeof *m->cidr_maxhi);
		uint32_t mx = 0;
		for (size_t i = 0; i < m->ncidr; i++) {
			if (m->cidr[i].hi > mx)
				mx = m->cidr[i].hi;
			m->cidr_maxhi[i] = mx;
		}
	}
	m->nv6len = 0;
	for (int plen = 128; plen >= 0; plen--)
		if (m->v6lens[plen])
			m->v6len_list[m->nv6len++] = (uint8_t)plen;
}
