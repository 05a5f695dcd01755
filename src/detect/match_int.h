/*
 * match_int.h: the matcher's private data structures, shared by the files
 * that build it (match_build.c, match_compile.c), look values up in it
 * (match_table.c, match_event.c) and evaluate patterns over time
 * (match_temporal.c). Nothing outside src/detect/match_*.c includes this.
 *
 * Memory layout, chosen so that one exact value costs well under 100 bytes:
 *  - every indicator is a 24-byte struct m_ind (its UUID in binary);
 *  - string values (domains, URLs, e-mail addresses, hashes, IPv6 text is
 *    not stored: IPv6 is binary) live once each in one arena, prefixed with
 *    their length;
 *  - a hash table slot is 12 bytes: the upper half of the value's 64-bit
 *    XXH3 (a tag that rejects almost every wrong slot without touching the
 *    arena), the arena offset and a reference (indicator, or a comparison
 *    of a pattern that needs evaluation);
 *  - IPv4 addresses and CIDR blocks share one table keyed by (prefix,
 *    length), behind a bitmap with one bit per /24 that is set when any
 *    entry covers part of that /24.
 * A blocked Bloom filter (one 64-bit word per lookup, about 10 bits per
 * value) sits in front of the string tables so that the common miss costs
 * one access to memory that stays in cache.
 */
#ifndef VB_MATCH_INT_H
#define VB_MATCH_INT_H

#include "matcher.h"
#include "../stix/pattern.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

/* A reference in a table slot: an indicator index, or (with REF_CX) the
 * index of a comparison in m->cmps whose observation must be evaluated. */
#define REF_CX	 0x80000000u
#define REF_NONE 0xffffffffu

/* Simple indicators: one comparison "[path = 'value']" on one of these. */
enum skind {
	SK_IPV4,
	SK_IPV6,
	SK_DOMAIN,
	SK_URL,
	SK_EMAIL,
	SK_MD5,
	SK_SHA1,
	SK_SHA256,
	SK_SHA512,
	SK_IPPORT,  /* network-traffic to an address and port (aux: the port) */
	SK_URLPATH, /* url LIKE '%://%P' OR LIKE '%://%P?%' (aux: P in m->text) */
	SK_COMPLEX, /* anything else: see struct m_cx */
	SK__COUNT
};

/* What a comparison of a complex pattern looks at. */
enum ckind {
	CK_NONE, /* a path no log field carries: never true */
	CK_IP,
	CK_DOMAIN,
	CK_URL,
	CK_EMAIL,
	CK_MD5,
	CK_SHA1,
	CK_SHA256,
	CK_SHA512,
	CK_PORT,
	CK_IPTYPE, /* network-traffic:dst_ref.type: the address family */
	CK_STRING,
	CK__COUNT
};

/* Which end of a connection a field or comparison is about. */
enum { ROLE_ANY = 0, ROLE_SRC = 1, ROLE_DST = 2 };

enum { IND_SUBDOMAINS = 1, IND_TEXT_ID = 2 };

struct m_ind {
	uint8_t uuid[16]; /* IND_TEXT_ID: uuid[0..3] hold the id's offset in m->text */
	uint8_t sk;	  /* enum skind */
	uint8_t flags;
	uint8_t type; /* index into the object type names (matcher_indicator_type) */
	uint8_t spare;
	uint32_t aux; /* SK_COMPLEX: index into m->cx */
};

/* A growable vector of fixed-size items. */
struct vec {
	void *p;
	size_t n, cap, size;
};

/* The value arena: length-prefixed byte strings, offset 0 unused. */
struct arena {
	char *p;
	size_t len, cap;
};

struct xslot {
	uint32_t tag, off, ref;
};

/* An exact-value table of one kind. */
/* Slot j of a value with tag t (the upper half of its XXH3) starts at
 * t >> shift, so the table grows without hashing anything again; the Bloom
 * filter takes its word from the tag's low 20 bits and its two bits from
 * the 12 above. */
struct xtab {
	struct xslot *slot;
	size_t mask, n;
	unsigned shift;
	uint64_t seed;
	uint64_t *bloom; /* blocked Bloom filter: bmask + 1 words */
	size_t bmask;
	uint32_t lens; /* URL tail tables: bit k set when some key has length k */
};

/* URL LIKE tails: a LIKE '%://%L' (or '%://%L?%') with L a path that has
 * no '%' is indexed by the last TAIL_KEY bytes (at most) of the part of L
 * after its last '_' wildcard; a URL is looked up by its last k bytes (or
 * the k bytes before each '?') for every key length k present, and a
 * candidate is confirmed against the whole of L. */
#define TAIL_KEY 16

struct v4slot {
	uint32_t addr, ref;
	uint8_t plen, used;
	uint8_t pad[2];
};

struct v6slot {
	uint8_t addr[16];
	uint32_t ref;
	uint8_t plen, used;
	uint8_t pad[2];
};

/* A literal of a complex comparison, normalised like log values are. */
struct m_lit {
	uint32_t off, len; /* text in m->text (normalised) */
	int64_t i;	   /* integers (ports) */
	uint8_t is_int, is_ip, fam, plen;
	uint8_t addr[16];
};

struct m_cmp {
	uint32_t cx;	   /* owning complex indicator */
	uint16_t obs;	   /* observation index within the pattern */
	uint8_t ck, role;  /* enum ckind, ROLE_* */
	uint8_t op, neg;   /* enum pattern_op, NOT */
	uint8_t like_fast; /* LIKE '%://%L': 1 = URL ends with L, 2 = L then '?'
			    * (L may hold '_' wildcards; see TAIL_KEY) */
	uint8_t anchored;  /* reached through a table: an anchor */
	uint32_t lit;	   /* first literal in m->lits */
	uint32_t nlit;	   /* 1, or the members of an IN set */
	uint32_t path_off; /* "type:path" in m->text, for reports */
	pcre2_code *re;	   /* LIKE and MATCHES (NULL when like_fast) */
};

enum { EX_CMP, EX_AND, EX_OR };
struct m_expr {
	uint8_t kind;
	uint32_t n;	/* children: m->kids[first .. first + n) */
	uint32_t first; /* EX_CMP: the comparison index in m->cmps */
};

enum { OB_OBS, OB_AND, OB_OR, OB_FOLLOWEDBY, OB_GROUP };
struct m_obs {
	uint8_t kind, quals;
	uint16_t index;	   /* OB_OBS: the observation index */
	uint32_t expr;	   /* OB_OBS: root in m->exprs */
	uint32_t n, first; /* children in m->kids */
	int64_t within, repeats, start, stop;
};

struct m_cx {
	uint32_t ind;
	uint32_t root;	    /* root in m->obs */
	uint32_t obs_first; /* m->kids[obs_first + k]: the OB_OBS node of observation k */
	uint32_t nobs;
	uint32_t cmp_first, ncmp;    /* its comparisons in m->cmps */
	uint32_t text_off, text_len; /* the pattern text */
	uint8_t temporal; /* several observations or qualifiers: evaluated after the scan */
};

/* A regular expression looked at for every field of its kind. */
struct m_re {
	uint32_t cmp; /* in m->cmps */
};

struct matcher {
	struct match_opts opts;
	struct match_build_stats st;
	struct vec inds;   /* struct m_ind */
	struct arena vals; /* exact values */
	struct arena text; /* pattern texts, paths, literals, text ids */
	struct xtab dom, dom_sub, url, url_tail[2], email, hash[4];
	int dom_suffixes; /* look up the suffixes of domains at all */
	struct v4slot *v4;
	size_t v4mask, v4n;
	uint64_t v4lens; /* bit L: some entry has prefix length L */
	/* IPv4 blocks shorter than /32 as sorted intervals (a few thousand at
	 * most in real feeds: binary search in cache beats one hash probe per
	 * prefix length); maxhi[i] is the largest hi of cidr[0..i]. */
	struct v4range {
		uint32_t lo, hi, ref;
		uint8_t plen;
	} * cidr;
	uint32_t *cidr_maxhi;
	size_t ncidr, ccidr;
	uint64_t *v4bm;	  /* 1 << 24 bits: a /24 that some entry touches */
	uint64_t *v4bm16; /* 1 << 16 bits: the same per /16 */
	struct v6slot *v6;
	size_t v6mask, v6n;
	uint8_t v6lens[129];
	uint8_t v6len_list[129]; /* the lengths present, longest first */
	size_t nv6len;
	struct vec cx;		     /* struct m_cx */
	struct vec cmps;	     /* struct m_cmp */
	struct vec lits;	     /* struct m_lit */
	struct vec exprs;	     /* struct m_expr */
	struct vec obs;		     /* struct m_obs */
	struct vec kids;	     /* uint32_t */
	struct vec re[OBS_KIND_MAX]; /* struct m_re: regexes per field kind */
	struct vec unanchored;	     /* uint32_t: OB_OBS nodes evaluated on every event */
	struct vec unmatch;	     /* uint32_t: comparisons with CK_NONE */
	uint32_t ck_count[CK__COUNT];
	pcre2_match_data *md_proto;
	int finished;
};

/* An observation of a pattern with several observations or qualifiers
 * that matched one event, kept for match_temporal.c. */
struct obsrec {
	uint32_t cx;
	uint16_t obs, pad;
	int64_t ts;
	uint64_t seq; /* order of the event: (context order << 40) | events */
	const char *source;
	uint64_t line;
	uint32_t name_off, val_off; /* in recs_text */
	uint32_t val_len;
};

/* match_temporal.c: evaluates the kept observations of every such pattern
 * (records sorted there) and reports firings through match_report_firing. */
struct match_ctx;
void match_temporal(const struct matcher *m, struct obsrec *recs, size_t n, struct match_ctx *into);
/* match_event.c: one firing of complex indicator cx, completed by last. */
void match_report_firing(struct match_ctx *c, uint32_t cx, const struct obsrec *last,
			 int64_t first_ts);
enum obs_kind match_ck_field(unsigned ck);

/* match_table.c */
void vec_init(struct vec *v, size_t size);
void *vec_push(struct vec *v);
void vec_free(struct vec *v);
#define VEC_AT(v, T, i) (((T *)(v)->p)[i])

uint32_t arena_put(struct arena *a, const void *s, size_t n);
/* The value at off: *len gets its length. */
static inline const char *arena_get(const struct arena *a, uint32_t off, size_t *len)
{
	const unsigned char *p = (const unsigned char *)a->p + off;
	size_t n = p[0];
	if (n < 0x80) {
		*len = n;
		return (const char *)p + 1;
	}
	n = (n & 0x7f) | (size_t)p[1] << 7 | (size_t)p[2] << 14;
	*len = n;
	return (const char *)p + 3;
}
uint32_t text_put(struct arena *a, const char *s, size_t n); /* raw bytes + NUL */

void xtab_init(struct xtab *t, uint64_t seed);
void xtab_free(struct xtab *t);
/* Adds value (n bytes) with ref; the value is stored once in the arena. */
void xtab_add(struct xtab *t, struct arena *a, const char *v, size_t n, uint32_t ref);
void xtab_finish(struct xtab *t, const struct arena *a);
size_t xtab_bytes(const struct xtab *t);

void v4_add(struct matcher *m, uint32_t addr, unsigned plen, uint32_t ref);
void v6_add(struct matcher *m, const uint8_t addr[16], unsigned plen, uint32_t ref);
void ip_tables_finish(struct matcher *m);

/* match_compile.c */
/* The index key of a LIKE path L (see TAIL_KEY): returns its length (0 when
 * L cannot be indexed) and sets *off to where it starts in L. */
size_t like_tail_key(const char *l, size_t n, size_t *off);
/* L (with '_' wildcards) ends the URL u after its "://" (form 1), or is
 * followed by '?' there (form 2). */
int like_path_match(const char *u, size_t un, const char *l, size_t ln, int form);
int compile_pattern(struct matcher *m, uint32_t ind, const char *pat, size_t n, struct vb_err *err);
/* The simple-indicator fast path: 1 when handled, 0 to use the parser. */
int compile_fast(struct matcher *m, uint32_t ind, const char *pat, size_t n);
const char *sk_path(unsigned sk);
const char *ck_obs_type(unsigned ck);

/* match_value.c: normalisation shared by building and lookup. */
/* Parses an IPv4 or IPv6 address (no prefix): fam 4 or 6, addr in network
 * order (IPv4 in the first 4 bytes); an IPv4-mapped IPv6 address is IPv4.
 * Returns 1 on success. */
int ip_parse(const char *s, size_t n, uint8_t *fam, uint8_t addr[16]);
/* Address with an optional /prefix; host bits are cleared. */
int ip_parse_cidr(const char *s, size_t n, uint8_t *fam, uint8_t addr[16], uint8_t *plen);
int ip_in_prefix(uint8_t fam, const uint8_t *addr, const struct m_lit *l);
/* Lower-cases a domain and drops one trailing dot; returns the length. */
size_t norm_domain(const char *s, size_t n, char *out);
/* Normalises a URL (see match_value.c); host may give the host for a bare
 * path. Returns the length, 0 when s is not a URL. out holds 3 (n + hn) + 48. */
size_t norm_url(const char *s, size_t n, const char *host, size_t hn, char *out);
size_t norm_email(const char *s, size_t n, char *out);
size_t norm_lower(const char *s, size_t n, char *out);

#endif
