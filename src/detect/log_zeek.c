/*
 * log_zeek.c: the Zeek TSV reader (Zeek's default ASCII log format).
 *
 * Field boundaries are found a 4 KB window at a time: SIMD compares turn
 * every separator, newline, backslash and control byte into a bit, and the
 * bits become arrays of positions (AVX-512 VBMI2 compress, or AVX2 with
 * POPCNT writing eight positions per step, or SSE2; picked once by CPU).
 * A line is then checked in O(1) (exactly ncol - 1 separators before its
 * newline) and only the columns that matter for matching are looked at;
 * nothing is called per field. Values point into the caller's buffer; only
 * values with escapes are copied.
 *
 * With a probe (the matcher's match_probe, through zeek_read_probed or
 * zeek_state.probe), a line makes an event only when some field of it can
 * take part in a hit. A column whose bytes equal the previous line's, or
 * one of the last values of that column that probed 0, is not probed again
 * (DNS logs repeat: on the real dns.log 80% of queries equal the previous
 * line's). So most lines cost the separator search and a few compares.
 *
 * Field kinds per Zeek log path (#path):
 *   every log   type addr, set[addr], vector[addr] -> ip (id.orig_h,
 *               id.resp_h, smtp path, x509 san.ip, files tx_hosts, ...);
 *               type port -> port; ts -> the event time.
 *               Without #types: *_h -> ip, *_p -> port.
 *   dns         query -> domain; answers -> ip or domain by content (TXT
 *               and other records are skipped)
 *   http        host -> domain or ip; uri -> url (a path, joined with
 *               host by the matcher); referrer -> url
 *   ssl         server_name -> domain; cert_chain_fps,
 *               client_cert_chain_fps -> hash (SHA-256 fingerprints)
 *   x509        fingerprint -> hash; san.dns -> domain; san.email -> email;
 *               san.uri -> url
 *   smtp        mailfrom, rcptto, from, to, cc, reply_to -> email;
 *               helo -> domain or ip
 *   files       md5, sha1, sha256 -> hashes
 *   conn, weird, rdp, ocsp, ...: the addresses and ports above.
 * Unset ('-' by #unset_field) and empty ('(empty)') values are skipped;
 * set and vector values are split at #set_separator, one field each.
 *
 * Bad lines (counted with their numbers, never fatal): a data line before
 * any #fields header, a wrong number of fields, control bytes (other than
 * a final CR), lines over LOG_MAX_LINE.
 */
#include "log_zeek.h"
#include "../util/util.h"

#include <stdlib.h>
#include <string.h>
#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define ZEEK_X86 1
#endif

enum {
	ZM_NONE,
	ZM_TIME,
	ZM_IP,
	ZM_PORT,
	ZM_DOMAIN,
	ZM_URL,
	ZM_EMAIL,
	ZM_HASH,
	ZM_MD5,
	ZM_SHA1,
	ZM_SHA256,
	ZM_AUTO, /* an address or a host name, by content */
	ZM_SET = 0x80,
};

static const struct {
	const char *path, *field;
	uint8_t map;
} zeek_fields[] = {
    {"dns", "query", ZM_DOMAIN},	{"dns", "answers", ZM_AUTO},
    {"http", "host", ZM_AUTO},		{"http", "uri", ZM_URL},
    {"http", "referrer", ZM_URL},	{"ssl", "server_name", ZM_DOMAIN},
    {"ssl", "cert_chain_fps", ZM_HASH}, {"ssl", "client_cert_chain_fps", ZM_HASH},
    {"x509", "fingerprint", ZM_HASH},	{"x509", "san.dns", ZM_DOMAIN},
    {"x509", "san.email", ZM_EMAIL},	{"x509", "san.uri", ZM_URL},
    {"smtp", "mailfrom", ZM_EMAIL},	{"smtp", "rcptto", ZM_EMAIL},
    {"smtp", "from", ZM_EMAIL},		{"smtp", "to", ZM_EMAIL},
    {"smtp", "cc", ZM_EMAIL},		{"smtp", "reply_to", ZM_EMAIL},
    {"smtp", "helo", ZM_AUTO},		{"files", "md5", ZM_MD5},
    {"files", "sha1", ZM_SHA1},		{"files", "sha256", ZM_SHA256},
};

void zeek_init(struct zeek_state *z)
{
	memset(z, 0, sizeof *z);
	z->sep = '\t';
	z->set_sep = ',';
	memcpy(z->unset, "-", 2);
	z->unset_len = 1;
	memcpy(z->empty, "(empty)", 8);
	z->empty_len = 7;
}

static void clear_cols(struct zeek_state *z)
{
	for (size_t i = 0; i < z->ncol; i++) {
		free(z->names[i]);
		free(z->types[i]);
		z->names[i] = z->types[i] = NULL;
	}
	z->ncol = 0;
	z->have_fields = 0;
}

void zeek_free(struct zeek_state *z)
{
	clear_cols(z);
	free(z->unesc);
	z->unesc = NULL;
	z->unesc_cap = 0;
	free(z->recent);
	z->recent = NULL;
}

void zeek_copy_header(struct zeek_state *dst, const struct zeek_state *src)
{
	clear_cols(dst);
	dst->sep = src->sep;
	dst->set_sep = src->set_sep;
	memcpy(dst->unset, src->unset, sizeof dst->unset);
	memcpy(dst->empty, src->empty, sizeof dst->empty);
	dst->unset_len = src->unset_len;
	dst->empty_len = src->empty_len;
	memcpy(dst->path, src->path, sizeof dst->path);
	dst->ncol = src->ncol;
	for (size_t i = 0; i < src->ncol; i++) {
		dst->names[i] = src->names[i] ? xstrdup(src->names[i]) : NULL;
		dst->types[i] = src->types[i] ? xstrdup(src->types[i]) : NULL;
	}
	memcpy(dst->map, src->map, sizeof dst->map);
	memcpy(dst->mcol, src->mcol, sizeof dst->mcol);
	dst->nmcol = src->nmcol;
	memcpy(dst->pcol, src->pcol, sizeof dst->pcol);
	dst->npcol = src->npcol;
	dst->have_fields = src->have_fields;
	dst->gen = src->gen;
}

static int str_eq0(const char *a, const char *b)
{
	return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

int zeek_same_header(const struct zeek_state *a, const struct zeek_state *b)
{
	if (a->sep != b->sep || a->set_sep != b->set_sep || a->ncol != b->ncol ||
	    a->have_fields != b->have_fields || strcmp(a->path, b->path) != 0 ||
	    strcmp(a->unset, b->unset) != 0 || strcmp(a->empty, b->empty) != 0)
		return 0;
	for (size_t i = 0; i < a->ncol; i++)
		if (!str_eq0(a->names[i], b->names[i]) || !str_eq0(a->types[i], b->types[i]))
			return 0;
	return 1;
}

static int ends_with(const char *s, const char *suf)
{
	size_t n = strlen(s), k = strlen(suf);
	return n >= k && memcmp(s + n - k, suf, k) == 0;
}

/* Decides every column's mapping from #path, #fields and #types. */
static void build_map(struct zeek_state *z)
{
	memset(z->map, 0, sizeof z->map);
	for (size_t i = 0; i < z->ncol; i++) {
		const char *name = z->names[i], *type = z->types[i];
		uint8_t m = ZM_NONE;
		int set =
		    type && (strncmp(type, "set[", 4) == 0 || strncmp(type, "vector[", 7) == 0);
		for (size_t k = 0; k < ARRAY_LEN(zeek_fields); k++)
			if (strcmp(z->path, zeek_fields[k].path) == 0 &&
			    strcmp(name, zeek_fields[k].field) == 0)
				m = zeek_fields[k].map;
		if (!m && type) {
			if (!strcmp(type, "addr") || !strcmp(type, "set[addr]") ||
			    !strcmp(type, "vector[addr]"))
				m = ZM_IP;
			else if (!strcmp(type, "port"))
				m = ZM_PORT;
			else if (!strcmp(type, "time") && !strcmp(name, "ts"))
				m = ZM_TIME;
		} else if (!m) {
			if (ends_with(name, "_h"))
				m = ZM_IP;
			else if (ends_with(name, "_p"))
				m = ZM_PORT;
			else if (!strcmp(name, "ts"))
				m = ZM_TIME;
		}
		if (m && set && m != ZM_TIME)
			m |= ZM_SET;
		z->map[i] = m;
	}
	z->nmcol = z->npcol = 0;
	for (size_t i = 0; i < z->ncol; i++) {
		uint8_t mk = z->map[i] & ~ZM_SET;
		if (z->map[i])
			z->mcol[z->nmcol++] = (uint16_t)i;
		if (mk && mk != ZM_TIME && mk != ZM_PORT)
			z->pcol[z->npcol++] = (uint16_t)i;
	}
	for (size_t i = 0; i < ZEEK_MAX_COLS; i++)
		z->prev[i].v = NULL;
	if (z->recent)
		memset(z->recent, 0, ZEEK_RECENT_COLS * ZEEK_RECENT * sizeof *z->recent);
}

/* Unescapes Zeek's \xHH (and \\) in a header value. */
static size_t unescape(const char *s, size_t n, char *out, size_t cap)
{
	size_t o = 0;
	for (size_t i = 0; i < n && o + 1 < cap; i++) {
		if (s[i] == '\\' && i + 3 < n && s[i + 1] == 'x') {
			char hx[3] = {s[i + 2], s[i + 3], 0};
			char *end;
			long v = strtol(hx, &end, 16);
			if (*end == 0) {
				out[o++] = (char)v;
				i += 3;
				continue;
			}
		}
		if (s[i] == '\\' && i + 1 < n && s[i + 1] == '\\') {
			out[o++] = '\\';
			i++;
			continue;
		}
		out[o++] = s[i];
	}
	out[o] = 0;
	return o;
}

/* Splits a header's value list at the separator into names or types. */
static int split_cols(struct zeek_state *z, const char *s, size_t n, char **dst, size_t *count)
{
	size_t k = 0, st = 0;
	for (size_t i = 0; i <= n; i++) {
		if (i < n && s[i] != z->sep)
			continue;
		if (k >= ZEEK_MAX_COLS)
			return -1;
		dst[k++] = xstrndup(s + st, i - st);
		st = i + 1;
	}
	*count = k;
	return 0;
}

/* Applies one header line (without its newline). */
static void header_line(struct zeek_state *z, const char *s, size_t n)
{
	if (n && s[n - 1] == '\r')
		n--;
	/* "#separator \x09" uses a space; the others use the separator. */
	if (n > 11 && memcmp(s, "#separator ", 11) == 0) {
		char v[16];
		if (unescape(s + 11, n - 11, v, sizeof v) == 1 && v[0] != '\n' && v[0] != '\\' &&
		    v[0] != z->sep) {
			z->sep = v[0];
			z->gen++;
		}
		return;
	}
	const char *tab = memchr(s, z->sep, n);
	if (!tab)
		return;
	size_t kn = (size_t)(tab - s);
	const char *v = tab + 1;
	size_t vn = n - kn - 1;
	char tmp[16];
#define HDR(k) (kn == sizeof(k) - 1 && memcmp(s, k, kn) == 0)
	if (HDR("#set_separator")) {
		if (unescape(v, vn, tmp, sizeof tmp) == 1 && tmp[0] != z->set_sep) {
			z->set_sep = tmp[0];
			z->gen++;
		}
	} else if (HDR("#empty_field")) {
		if (vn < sizeof z->empty && (vn != z->empty_len || memcmp(v, z->empty, vn))) {
			memcpy(z->empty, v, vn);
			z->empty[vn] = 0;
			z->empty_len = vn;
			z->gen++;
		}
	} else if (HDR("#unset_field")) {
		if (vn < sizeof z->unset && (vn != z->unset_len || memcmp(v, z->unset, vn))) {
			memcpy(z->unset, v, vn);
			z->unset[vn] = 0;
			z->unset_len = vn;
			z->gen++;
		}
	} else if (HDR("#path")) {
		if (vn < sizeof z->path && (strlen(z->path) != vn || memcmp(z->path, v, vn))) {
			memcpy(z->path, v, vn);
			z->path[vn] = 0;
			build_map(z);
			z->gen++;
		}
	} else if (HDR("#fields")) {
		char *names[ZEEK_MAX_COLS];
		size_t k;
		if (split_cols(z, v, vn, names, &k) < 0) {
			for (size_t i = 0; i < ZEEK_MAX_COLS; i++)
				free(names[i]);
			clear_cols(z);
			z->gen++;
			return;
		}
		int same = z->have_fields && k == z->ncol;
		for (size_t i = 0; same && i < k; i++)
			same = strcmp(names[i], z->names[i]) == 0;
		if (same) {
			for (size_t i = 0; i < k; i++)
				free(names[i]);
			return;
		}
		clear_cols(z);
		for (size_t i = 0; i < k; i++)
			z->names[i] = names[i];
		z->ncol = k;
		z->have_fields = 1;
		build_map(z);
		z->gen++;
	} else if (HDR("#types")) {
		char *types[ZEEK_MAX_COLS];
		size_t k;
		if (split_cols(z, v, vn, types, &k) < 0)
			return;
		int same = 1;
		for (size_t i = 0; i < z->ncol; i++)
			same = same && z->types[i] && i < k && strcmp(types[i], z->types[i]) == 0;
		for (size_t i = 0; i < z->ncol; i++) {
			if (same)
				break;
			free(z->types[i]);
			z->types[i] = i < k ? types[i] : NULL;
			if (i < k)
				types[i] = NULL;
		}
		for (size_t i = 0; i < k; i++)
			if (same || i >= z->ncol)
				free(types[i]);
		if (!same) {
			build_map(z);
			z->gen++;
		}
	}
#undef HDR
}

/* ---- the scanner ---- */

#define WIN 4096 /* bytes per mask window: 64 masks */

/*
 * One window of the input (nb blocks of 64 bytes at b) into the positions of
 * its separators (tabs) and of its other special bytes (oth: newlines,
 * backslashes, control bytes); *ntab and *noth get the counts. Both arrays
 * need room for WIN + 64 entries. Three versions, picked once by CPU:
 * AVX-512 (VBMI2 compress: a block's positions in a few instructions),
 * AVX2 with POPCNT/BMI (masks, then eight positions at a time without a
 * branch per bit, after simdjson's flatten_bits), and SSE2 (the baseline
 * of x86-64) or plain C elsewhere.
 */
typedef void (*window_fn)(const char *b, size_t nb, char sep, uint32_t *tabs, size_t *ntab,
			  uint32_t *oth, size_t *noth);

/* Appends the positions of the set bits of bits (plus idx) at out. */
static inline __attribute__((always_inline)) uint32_t *bits_slow(uint32_t *out, uint64_t bits,
								 uint32_t idx)
{
	for (; bits; bits &= bits - 1)
		*out++ = idx + (uint32_t)__builtin_ctzll(bits);
	return out;
}

static void window_scalar(const char *b, size_t nb, char sepc, uint32_t *tabs, size_t *ntab,
			  uint32_t *oth, size_t *noth)
{
	uint32_t *te = tabs, *oe = oth;
	for (size_t k = 0; k < nb; k++) {
		uint64_t s = 0, o = 0;
		for (int i = 0; i < 64; i++) {
			unsigned char c = (unsigned char)b[k * 64 + (size_t)i];
			if (c == (unsigned char)sepc)
				s |= 1ull << i;
			else if (c < 0x20 || c == '\\')
				o |= 1ull << i;
		}
		te = bits_slow(te, s, (uint32_t)(k * 64));
		oe = bits_slow(oe, o, (uint32_t)(k * 64));
	}
	*ntab = (size_t)(te - tabs);
	*noth = (size_t)(oe - oth);
}

#ifdef ZEEK_X86
static void window_sse2(const char *b, size_t nb, char sepc, uint32_t *tabs, size_t *ntab,
			uint32_t *oth, size_t *noth)
{
	const __m128i vs = _mm_set1_epi8(sepc), v20 = _mm_set1_epi8(0x20), vb = _mm_set1_epi8('\\');
	uint32_t *te = tabs, *oe = oth;
	for (size_t k = 0; k < nb; k++) {
		uint64_t s = 0, o = 0;
		for (int q = 0; q < 4; q++) {
			__m128i x = _mm_loadu_si128((const __m128i *)(b + k * 64 + (size_t)q * 16));
			__m128i ge = _mm_cmpeq_epi8(_mm_max_epu8(x, v20), x); /* x >= 0x20 */
			uint64_t ms = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(x, vs));
			uint64_t mo = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(x, vb)) |
				      ((~(unsigned)_mm_movemask_epi8(ge)) & 0xffffu);
			s |= ms << (q * 16);
			o |= (mo & ~ms) << (q * 16);
		}
		te = bits_slow(te, s, (uint32_t)(k * 64));
		oe = bits_slow(oe, o, (uint32_t)(k * 64));
	}
	*ntab = (size_t)(te - tabs);
	*noth = (size_t)(oe - oth);
}

__attribute__((target("avx2,popcnt,bmi,bmi2"))) static void window_avx2(const char *b, size_t nb,
									char sepc, uint32_t *tabs,
									size_t *ntab, uint32_t *oth,
									size_t *noth)
{
	const __m256i vs = _mm256_set1_epi8(sepc), v20 = _mm256_set1_epi8(0x20),
		      vb = _mm256_set1_epi8('\\');
	const uint64_t top = 1ull << 63; /* keeps ctz defined once bits run out */
	uint32_t *te = tabs, *oe = oth;
	for (size_t k = 0; k < nb; k++) {
		__m256i x0 = _mm256_loadu_si256((const __m256i *)(b + k * 64));
		__m256i x1 = _mm256_loadu_si256((const __m256i *)(b + k * 64 + 32));
		__m256i g0 = _mm256_cmpeq_epi8(_mm256_max_epu8(x0, v20), x0);
		__m256i g1 = _mm256_cmpeq_epi8(_mm256_max_epu8(x1, v20), x1);
		uint64_t s = (uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(x0, vs)) |
			     (uint64_t)(uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(x1, vs))
				 << 32;
		uint64_t o = ((uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(x0, vb)) |
			      (uint32_t) ~(uint32_t)_mm256_movemask_epi8(g0)) |
			     (uint64_t)((uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(x1, vb)) |
					(uint32_t) ~(uint32_t)_mm256_movemask_epi8(g1))
				 << 32;
		o &= ~s;
		uint32_t idx = (uint32_t)(k * 64);
		if (s) {
			uint32_t cnt = (uint32_t)__builtin_popcountll(s);
#pragma GCC unroll 8
			for (int q = 0; q < 8; q++) {
				te[q] = idx + (uint32_t)__builtin_ctzll(s | top);
				s &= s - 1;
			}
			if (cnt > 8) {
#pragma GCC unroll 8
				for (int q = 8; q < 16; q++) {
					te[q] = idx + (uint32_t)__builtin_ctzll(s | top);
					s &= s - 1;
				}
				for (uint32_t q = 16; q < cnt; q++) {
					te[q] = idx + (uint32_t)__builtin_ctzll(s);
					s &= s - 1;
				}
			}
			te += cnt;
		}
		oe = bits_slow(oe, o, idx);
	}
	*ntab = (size_t)(te - tabs);
	*noth = (size_t)(oe - oth);
}

__attribute__((target("avx512f,avx512bw,avx512vl,avx512vbmi2,popcnt,bmi,bmi2"))) static void
window_avx512(const char *b, size_t nb, char sepc, uint32_t *tabs, size_t *ntab, uint32_t *oth,
	      size_t *noth)
{
	const __m512i vs = _mm512_set1_epi8(sepc), v20 = _mm512_set1_epi8(0x20),
		      vb = _mm512_set1_epi8('\\');
	const __m512i iota = _mm512_set_epi8(
	    63, 62, 61, 60, 59, 58, 57, 56, 55, 54, 53, 52, 51, 50, 49, 48, 47, 46, 45, 44, 43, 42,
	    41, 40, 39, 38, 37, 36, 35, 34, 33, 32, 31, 30, 29, 28, 27, 26, 25, 24, 23, 22, 21, 20,
	    19, 18, 17, 16, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0);
	uint32_t *te = tabs, *oe = oth;
	for (size_t k = 0; k < nb; k++) {
		__m512i x = _mm512_loadu_si512((const void *)(b + k * 64));
		__mmask64 s = _mm512_cmpeq_epi8_mask(x, vs);
		__mmask64 o = (_mm512_cmplt_epu8_mask(x, v20) | _mm512_cmpeq_epi8_mask(x, vb)) & ~s;
		uint32_t idx = (uint32_t)(k * 64);
		if (s) {
			/* The byte positions of the set bits, packed to the front. */
			__m512i pos = _mm512_maskz_compress_epi8(s, iota);
			__m512i base = _mm512_set1_epi32((int)idx);
			uint32_t cnt = (uint32_t)__builtin_popcountll(s);
			for (uint32_t q = 0; q < cnt; q += 16) {
				__m128i part = q == 0	 ? _mm512_castsi512_si128(pos)
					       : q == 16 ? _mm512_extracti32x4_epi32(pos, 1)
					       : q == 32 ? _mm512_extracti32x4_epi32(pos, 2)
							 : _mm512_extracti32x4_epi32(pos, 3);
				_mm512_storeu_si512(
				    (void *)(te + q),
				    _mm512_add_epi32(_mm512_cvtepu8_epi32(part), base));
			}
			te += cnt;
		}
		oe = bits_slow(oe, o, idx);
	}
	*ntab = (size_t)(te - tabs);
	*noth = (size_t)(oe - oth);
}
#endif

static window_fn forced;

int zeek_window_impl(int which)
{
	switch (which) {
	case 0:
		forced = NULL;
		return 0;
	case 1:
		forced = window_scalar;
		return 0;
#ifdef ZEEK_X86
	case 2:
		forced = window_sse2;
		return 0;
	case 3:
		__builtin_cpu_init();
		if (!__builtin_cpu_supports("avx2") || !__builtin_cpu_supports("popcnt") ||
		    !__builtin_cpu_supports("bmi") || !__builtin_cpu_supports("bmi2"))
			return -1;
		forced = window_avx2;
		return 0;
	case 4:
		__builtin_cpu_init();
		if (!__builtin_cpu_supports("avx512f") || !__builtin_cpu_supports("avx512bw") ||
		    !__builtin_cpu_supports("avx512vl") || !__builtin_cpu_supports("avx512vbmi2") ||
		    !__builtin_cpu_supports("popcnt") || !__builtin_cpu_supports("bmi") ||
		    !__builtin_cpu_supports("bmi2"))
			return -1;
		forced = window_avx512;
		return 0;
#endif
	default:
		return -1;
	}
}

static window_fn pick_window(void)
{
	if (forced)
		return forced;
#ifdef ZEEK_X86
	static window_fn fn;
	if (!fn) {
		__builtin_cpu_init();
		if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
		    __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512vbmi2") &&
		    __builtin_cpu_supports("popcnt") && __builtin_cpu_supports("bmi") &&
		    __builtin_cpu_supports("bmi2"))
			fn = window_avx512;
		else if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("popcnt") &&
			 __builtin_cpu_supports("bmi") && __builtin_cpu_supports("bmi2"))
			fn = window_avx2;
		else
			fn = window_sse2;
	}
	return fn;
#else
	return window_scalar;
#endif
}

/* A window of n (< WIN) bytes, through a padded copy so that no byte past
 * the end is read (the padding holds no special byte). */
static void window_tail(window_fn fn, const char *b, size_t n, char sep, uint32_t *tabs,
			size_t *ntab, uint32_t *oth, size_t *noth)
{
	char tmp[WIN + 64];
	size_t nb = (n + 63) / 64;
	memcpy(tmp, b, n);
	memset(tmp + n, 'a', nb * 64 - n);
	fn(tmp, nb, sep, tabs, ntab, oth, noth);
}

static inline enum obs_kind auto_kind(const char *v, size_t n)
{
	/* An IPv6 address has a ':' within its first five bytes; record data
	 * ("TXT 12 ...") a space after its type. Only digits and dots are an
	 * IPv4 address; anything else is taken as a host name. */
	size_t k = n < 5 ? n : 5;
	for (size_t i = 0; i < k; i++) {
		if (v[i] == ':')
			return OBS_IP;
		if (v[i] == ' ')
			return OBS_NONE;
	}
	if (v[0] < '0' || v[0] > '9')
		return OBS_DOMAIN;
	for (size_t i = 1; i < n; i++)
		if ((v[i] < '0' || v[i] > '9') && v[i] != '.')
			return OBS_DOMAIN;
	return OBS_IP;
}

static const enum obs_kind zm_kind[] = {
    [ZM_NONE] = OBS_NONE,     [ZM_TIME] = OBS_NONE, [ZM_IP] = OBS_IP,	      [ZM_PORT] = OBS_PORT,
    [ZM_DOMAIN] = OBS_DOMAIN, [ZM_URL] = OBS_URL,   [ZM_EMAIL] = OBS_EMAIL,   [ZM_HASH] = OBS_HASH,
    [ZM_MD5] = OBS_MD5,	      [ZM_SHA1] = OBS_SHA1, [ZM_SHA256] = OBS_SHA256, [ZM_AUTO] = OBS_NONE,
};

/* Whether the n bytes at v are the header's unset or empty marker. */
static inline int is_unset(const struct zeek_state *z, const char *v, size_t n)
{
	if (n == z->unset_len && (n == 1 ? v[0] == z->unset[0] : memcmp(v, z->unset, n) == 0))
		return 1;
	return n == z->empty_len && memcmp(v, z->empty, n) == 0;
}

/*
 * Builds the event of a good data line. The line is [ls, le) of b, and
 * tabs[k] is the position (in b) of the separator after column k, for the
 * ncol - 1 separators of the line. Only the mapped columns are looked at;
 * set elements become one field each.
 */
static inline uint64_t load8(const char *p)
{
	uint64_t x;
	memcpy(&x, p, 8);
	return x;
}

/* n bytes equal; overlapping words at the end instead of a byte loop. */
static inline int same_bytes(const char *a, const char *b, size_t n)
{
	if (n >= 8) {
		for (size_t i = 0; i + 8 < n; i += 8)
			if (load8(a + i) != load8(b + i))
				return 0;
		return load8(a + n - 8) == load8(b + n - 8);
	}
	for (size_t i = 0; i < n; i++)
		if (a[i] != b[i])
			return 0;
	return 1;
}

/* Forgets the previous line (its bytes may be gone: a new buffer). The
 * recent values hold copies and stay until the header changes. */
static void forget_prev(struct zeek_state *z)
{
	for (size_t i = 0; i < z->npcol; i++)
		z->prev[i].v = NULL;
}

static inline uint32_t load4(const char *p)
{
	uint32_t x;
	memcpy(&x, p, 4);
	return x;
}

/* A hash of a value's ends and length: enough to pick a cache slot (the
 * bytes are compared before anything is trusted). */
static inline unsigned cheap_slot(const char *v, size_t n)
{
	uint64_t a, b;
	if (n >= 8) {
		a = load8(v);
		b = load8(v + n - 8);
	} else if (n >= 4) {
		a = load4(v);
		b = load4(v + n - 4);
	} else {
		a = (uint64_t)(unsigned char)v[0] << 16 | (uint64_t)(unsigned char)v[n / 2] << 8 |
		    (unsigned char)v[n - 1];
		b = 0;
	}
	uint64_t h =
	    (a * 0x9E3779B97F4A7C15ull ^ b * 0xC2B2AE3D27D4EB4Full ^ n) * 0x165667B19E3779F9ull;
	return (unsigned)(h >> 56) & (ZEEK_RECENT - 1);
}

/*
 * The fields of one mapped column (value v, n bytes) appended to out at
 * *nf; esc: the line has backslashes (values with escapes are unescaped
 * into z->unesc at *uat). Returns 1 when a value was unescaped.
 */
static int column_fields(struct zeek_state *z, size_t col, const char *v, size_t n, int esc,
			 struct log_field *out, size_t *nf, size_t *uat)
{
	uint8_t mp = z->map[col];
	int escaped = 0;
	if (is_unset(z, v, n) || !n)
		return 0;
	if (!(mp & ZM_SET) && !(esc && memchr(v, '\\', n))) {
		enum obs_kind kind = mp == ZM_AUTO ? auto_kind(v, n) : zm_kind[mp];
		if (kind != OBS_NONE && *nf < LOG_MAX_FIELDS)
			out[(*nf)++] = (struct log_field){z->names[col], kind, v, n};
		return 0;
	}
	/* Elements of a set are split before unescaping: an escaped separator
	 * (\x2c) stays inside its element. */
	size_t st = 0, k;
	for (;; st = k + 1) {
		const char *sp = (mp & ZM_SET) ? memchr(v + st, z->set_sep, n - st) : NULL;
		k = sp ? (size_t)(sp - v) : n;
		const char *e = v + st;
		size_t en = k - st;
		if (en && *nf < LOG_MAX_FIELDS) {
			if (esc && memchr(e, '\\', en)) {
				size_t u = unescape(e, en, z->unesc + *uat, en + 1);
				e = z->unesc + *uat;
				*uat += u + 1;
				en = u;
				escaped = 1;
			}
			enum obs_kind kind = (mp & ~ZM_SET) == ZM_AUTO
						 ? (en ? auto_kind(e, en) : OBS_NONE)
						 : zm_kind[mp & ~ZM_SET];
			if (kind != OBS_NONE && en)
				out[(*nf)++] = (struct log_field){z->names[col], kind, e, en};
		}
		if (k >= n)
			break;
	}
	return escaped;
}

/*
 * Builds the event of a good data line. The line is [ls, le) of b, and
 * tabs[k] is the position (in b) of the separator after column k, for the
 * ncol - 1 separators of the line. Only the mapped columns are looked at;
 * set elements become one field each.
 *
 * With a probe (log_opts.probe), the columns are probed first and the line
 * makes no event when nothing in it can hit; a column with the same bytes
 * as on the previous line (still in the buffer) is not probed again.
 */
static int emit_line(struct zeek_state *z, const char *source, uint64_t line, const char *b,
		     uint32_t ls, uint32_t le, const uint32_t *tabs, int esc, log_event_fn fn,
		     void *arg)
{
	const size_t last = z->ncol - 1;
	size_t uat = 0;
	if (esc) {
		/* Room for every value of the line, reserved once so that no
		 * field ever points into a block that moved. */
		size_t need = 2 * ((size_t)(le - ls) + 1);
		if (z->unesc_cap < need) {
			z->unesc_cap = need * 2;
			free(z->unesc);
			z->unesc = xmalloc(z->unesc_cap);
		}
	}
	if (z->probe) {
		int hot = 0;
		/* Times and ports never hit on their own: not probed. */
		for (size_t i = 0; i < z->npcol; i++) {
			size_t col = z->pcol[i];
			uint32_t from = col ? tabs[col - 1] + 1 : ls,
				 to = col == last ? le : tabs[col];
			const char *v = b + from;
			size_t n = to - from;
			if (col == last && n && v[n - 1] == '\r')
				n--;
			if (z->prev[i].v && z->prev[i].n == n && same_bytes(z->prev[i].v, v, n)) {
				z->prev[i].v = v;
				hot |= z->prev[i].hot;
				continue;
			}
			struct zeek_recent *r = NULL;
			if (i < ZEEK_RECENT_COLS && n) {
				r = &z->recent[i * ZEEK_RECENT + cheap_slot(v, n)];
				if (r->n == n && same_bytes(r->b, v, n)) {
					z->prev[i].v = v;
					z->prev[i].n = (uint32_t)n;
					z->prev[i].hot = 0;
					continue;
				}
			}
			size_t nf = 0;
			int escaped = column_fields(z, col, v, n, esc, z->fields, &nf, &uat);
			int h = 0;
			for (size_t k = 0; k < nf && !h; k++)
				h = z->probe(z->probe_arg, &z->fields[k]) != 0;
			/* Unescaped values live in scratch space: not kept. */
			z->prev[i].v = escaped ? NULL : v;
			z->prev[i].n = (uint32_t)n;
			z->prev[i].hot = h;
			if (r && !h && !escaped && n <= ZEEK_RECENT_LEN) {
				memcpy(r->b, v, n);
				r->n = (uint8_t)n;
			}
			hot |= h;
		}
		if (!hot)
			return 0;
		uat = 0;
	}
	struct log_event ev = {.source = source, .line = line};
	size_t nf = 0;
	for (size_t i = 0; i < z->nmcol; i++) {
		size_t col = z->mcol[i];
		uint32_t from = col ? tabs[col - 1] + 1 : ls, to = col == last ? le : tabs[col];
		const char *v = b + from;
		size_t n = to - from;
		if (col == last && n && v[n - 1] == '\r')
			n--;
		if (z->map[col] == ZM_TIME) {
			if (!is_unset(z, v, n)) {
				ev.ts_text = v;
				ev.ts_len = n;
			}
			continue;
		}
		column_fields(z, col, v, n, esc, z->fields, &nf, &uat);
	}
	ev.fields = z->fields;
	ev.nfields = nf;
	return fn(arg, &ev);
}

size_t zeek_read_header(struct zeek_state *z, const char *p, size_t n, uint64_t *line)
{
	size_t pos = 0;
	while (pos < n && p[pos] == '#') {
		const char *nl = memchr(p + pos, '\n', n - pos);
		size_t end = nl ? (size_t)(nl - p) : n;
		header_line(z, p + pos, end - pos);
		(*line)++;
		pos = nl ? end + 1 : n;
	}
	return pos;
}

/* What to do with a finished line [ls, le) of b whose separators are tabs[0
 * .. ntab) (ntab counts all of them, even past ZEEK_MAX_COLS). */
static int end_line(struct zeek_state *z, const char *source, const char *b, uint32_t ls,
		    uint32_t le, const uint32_t *tabs, size_t ntab, int flags, uint64_t ln,
		    log_event_fn fn, void *arg, struct log_stats *st)
{
	st->lines++;
	if (le == ls)
		return 0; /* an empty line: nothing to read */
	if (b[ls] == '#') {
		header_line(z, b + ls, le - ls);
		return 0;
	}
	if (le - ls > LOG_MAX_LINE) {
		log_stats_bad(st, ln, "line longer than the limit");
	} else if (flags & 2) {
		log_stats_bad(st, ln, "control character in the line");
	} else if (!z->have_fields) {
		log_stats_bad(st, ln, "data line before a #fields header");
	} else if (ntab + 1 != z->ncol) {
		char why[96];
		snprintf(why, sizeof why, "expected %zu fields, found %zu", z->ncol, ntab + 1);
		log_stats_bad(st, ln, why);
	} else {
		return emit_line(z, source, ln, b, ls, le, tabs, flags & 1, fn, arg);
	}
	return 0;
}

/* A line that does not fit in a window: split it with a plain loop. */
static int long_line(struct zeek_state *z, const char *source, const char *p, size_t ls, size_t le,
		     uint64_t ln, log_event_fn fn, void *arg, struct log_stats *st)
{
	if (le - ls > LOG_MAX_LINE) {
		st->lines++;
		log_stats_bad(st, ln, "line longer than the limit");
		return 0;
	}
	uint32_t tabs[ZEEK_MAX_COLS + 1];
	size_t ntab = 0;
	int flags = 0;
	const char *b = p + ls;
	uint32_t n = (uint32_t)(le - ls);
	for (uint32_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)b[i];
		if (c == (unsigned char)z->sep) {
			if (ntab < ZEEK_MAX_COLS + 1)
				tabs[ntab] = i;
			ntab++;
		} else if (c == '\\') {
			flags |= 1;
		} else if (c < 0x20 && !(c == '\r' && i + 1 == n)) {
			flags |= 2;
		}
	}
	return end_line(z, source, b, 0, n, tabs, ntab, flags, ln, fn, arg, st);
}

int zeek_scan(struct zeek_state *z, const char *source, const char *p, size_t n, uint64_t *line,
	      log_event_fn fn, void *arg, struct log_stats *st)
{
	window_fn wfn = pick_window();
	/* Positions in the window: separators and the other special bytes. */
	uint32_t tabs[WIN + 64], oth[WIN + 64];
	uint64_t ln = *line;
	size_t base = 0;
	int rc = 0;
	st->bytes += n;
	if (z->probe && !z->recent)
		z->recent = xzalloc_aligned(64, ZEEK_RECENT_COLS * ZEEK_RECENT * sizeof *z->recent);
	forget_prev(z);
	while (base < n) {
		size_t win = n - base < WIN ? n - base : WIN;
		const char sep = z->sep;
		const char *b = p + base;
		size_t ntab, noth;
		if (win == WIN)
			wfn(b, WIN / 64, sep, tabs, &ntab, oth, &noth);
		else
			window_tail(wfn, b, win, sep, tabs, &ntab, oth, &noth);
		const size_t expect = z->ncol ? z->ncol - 1 : 0;
		uint32_t ls = 0; /* start of the current line in the window */
		size_t ti = 0;	 /* its first separator */
		int flags = 0, restart = 0;
		for (size_t k = 0; k < noth && !restart; k++) {
			uint32_t at = oth[k];
			char ch = b[at];
			if (ch != '\n') {
				if (ch == '\\')
					flags |= 1;
				else if (!(ch == '\r' && base + at + 1 < n && b[at + 1] == '\n'))
					flags |= 2;
				continue;
			}
			/* The line [ls, at): its separators start at ti. The
			 * usual case, exactly ncol - 1 of them, costs two
			 * compares; anything else is counted. */
			size_t tj = ti + expect;
			size_t cnt;
			if (tj <= ntab && (tj == ti || tabs[tj - 1] < at) &&
			    (tj == ntab || tabs[tj] > at)) {
				cnt = expect;
			} else {
				tj = ti;
				while (tj < ntab && tabs[tj] < at)
					tj++;
				cnt = tj - ti;
			}
			ln++;
			char sep_before = z->sep;
			rc = end_line(z, source, b, ls, at, tabs + ti, cnt, flags, ln, fn, arg, st);
			if (rc) {
				*line = ln;
				return rc;
			}
			ti = tj;
			ls = at + 1;
			flags = 0;
			if (z->sep != sep_before)
				restart = 1; /* masks are stale: go on after this line */
		}
		if (restart || base + win == n) {
			if (!restart && ls < win) {
				/* The last line of the input, without a newline. */
				ln++;
				rc = end_line(z, source, b, ls, (uint32_t)win, tabs + ti, ntab - ti,
					      flags, ln, fn, arg, st);
				ls = (uint32_t)win;
			}
			base += ls;
			if (rc)
				break;
			continue;
		}
		if (ls == 0) {
			/* No newline in a whole window: a long line. */
			const char *nl = memchr(b, '\n', n - base);
			size_t le = nl ? (size_t)(nl - p) : n;
			ln++;
			rc = long_line(z, source, p, base, le, ln, fn, arg, st);
			if (rc)
				break;
			base = nl ? le + 1 : n;
			continue;
		}
		/* The partial last line is scanned again with the next window. */
		base += ls;
	}
	*line = ln;
	return rc;
}

/* ---- the reader ---- */

#define ZEEK_BUF (4u << 20)

static int zeek_sniff(const char *head, size_t len)
{
	if (len >= 11 && memcmp(head, "#separator ", 11) == 0)
		return 100;
	if (len >= 8 && memcmp(head, "#fields\t", 8) == 0)
		return 90;
	return 0;
}

static int zeek_read(struct log_src *src, const struct log_opts *o, log_event_fn fn, void *arg,
		     struct log_stats *st)
{
	return zeek_read_probed(src, o, fn, arg, st, NULL, NULL);
}

int zeek_read_probed(struct log_src *src, const struct log_opts *o, log_event_fn fn, void *arg,
		     struct log_stats *st, int (*probe)(void *arg, const struct log_field *f),
		     void *probe_arg)
{
	(void)o;
	struct zeek_state z;
	zeek_init(&z);
	z.probe = probe;
	z.probe_arg = probe_arg;
	size_t cap = ZEEK_BUF + LOG_MAX_LINE + 1;
	char *buf = xmalloc(cap);
	size_t have = 0;
	uint64_t line = 0;
	int rc = 0, eof = 0, skipping = 0;
	while (!rc && !eof) {
		long r = log_read(src, buf + have, cap - have);
		if (r < 0) {
			/* A broken stream: what was read counts, the rest is lost. */
			log_stats_bad(st, line + 1,
				      "input ends in a broken or truncated gzip stream");
			rc = 0;
			eof = 1;
			if (!have)
				break;
		}
		if (r == 0)
			eof = 1;
		if (r > 0)
			have += (size_t)r;
		size_t upto = have;
		if (!eof) {
			/* Whole lines only; keep the partial last one. */
			const char *nl = memrchr(buf, '\n', have);
			if (!nl) {
				if (have < cap)
					continue;
				/* A line longer than the buffer: count it and
				 * skip to its end. */
				if (!skipping) {
					line++;
					st->lines++;
					log_stats_bad(st, line, "line longer than the limit");
				}
				skipping = 1;
				have = 0;
				continue;
			}
			upto = (size_t)(nl - buf) + 1;
		}
		size_t from = 0;
		if (skipping) {
			const char *nl = memchr(buf, '\n', upto);
			from = nl ? (size_t)(nl - buf) + 1 : upto;
			skipping = nl == NULL;
		}
		if (upto > from)
			rc = zeek_scan(&z, src->name, buf + from, upto - from, &line, fn, arg, st);
		memmove(buf, buf + upto, have - upto);
		have -= upto;
	}
	free(buf);
	zeek_free(&z);
	return rc;
}

const struct log_reader log_zeek_reader = {
    .name = "zeek",
    .summary = "Zeek TSV logs (dns, conn, http, ssl, x509, smtp, files, ...)",
    .sniff = zeek_sniff,
    .read = zeek_read,
};
