/*
 * log_zeek.c: the Zeek TSV reader (Zeek's default ASCII log format).
 *
 * Field boundaries are found 64 bytes at a time: SIMD compares (AVX2 when
 * the CPU has it, SSE2 otherwise) turn every separator, newline, backslash
 * and control byte of a 4 KB window into one bit, and the scanner walks
 * the set bits. Nothing is called per field; only the columns that matter
 * for matching are remembered, and an event is built from them when the
 * line ends. The line is parsed in place (values point into the caller's
 * buffer); only values with escapes are copied.
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
	{"dns", "query", ZM_DOMAIN},
	{"dns", "answers", ZM_AUTO},
	{"http", "host", ZM_AUTO},
	{"http", "uri", ZM_URL},
	{"http", "referrer", ZM_URL},
	{"ssl", "server_name", ZM_DOMAIN},
	{"ssl", "cert_chain_fps", ZM_HASH},
	{"ssl", "client_cert_chain_fps", ZM_HASH},
	{"x509", "fingerprint", ZM_HASH},
	{"x509", "san.dns", ZM_DOMAIN},
	{"x509", "san.email", ZM_EMAIL},
	{"x509", "san.uri", ZM_URL},
	{"smtp", "mailfrom", ZM_EMAIL},
	{"smtp", "rcptto", ZM_EMAIL},
	{"smtp", "from", ZM_EMAIL},
	{"smtp", "to", ZM_EMAIL},
	{"smtp", "cc", ZM_EMAIL},
	{"smtp", "reply_to", ZM_EMAIL},
	{"smtp", "helo", ZM_AUTO},
	{"files", "md5", ZM_MD5},
	{"files", "sha1", ZM_SHA1},
	{"files", "sha256", ZM_SHA256},
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
		int set = type && (strncmp(type, "set[", 4) == 0 || strncmp(type, "vector[", 7) == 0);
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
	z->nmcol = 0;
	for (size_t i = 0; i < z->ncol; i++)
		if (z->map[i])
			z->mcol[z->nmcol++] = (uint16_t)i;
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

/* For block b (64 bytes): bit i of sep[b] is set when byte b*64+i is the
 * separator, bit i of oth[b] when it is a newline, a backslash or another
 * control byte. */
static __attribute__((unused)) void masks_scalar(const char *p, size_t nb, uint64_t *sep,
						 uint64_t *oth, char sepc)
{
	for (size_t b = 0; b < nb; b++) {
		uint64_t s = 0, o = 0;
		for (int i = 0; i < 64; i++) {
			unsigned char c = (unsigned char)p[b * 64 + (size_t)i];
			if (c == (unsigned char)sepc)
				s |= 1ull << i;
			else if (c < 0x20 || c == '\\')
				o |= 1ull << i;
		}
		sep[b] = s;
		oth[b] = o;
	}
}

#ifdef ZEEK_X86
static void masks_sse2(const char *p, size_t nb, uint64_t *sep, uint64_t *oth, char sepc)
{
	const __m128i vs = _mm_set1_epi8(sepc), v20 = _mm_set1_epi8(0x20),
		      vb = _mm_set1_epi8('\\');
	for (size_t b = 0; b < nb; b++) {
		uint64_t s = 0, o = 0;
		for (int k = 0; k < 4; k++) {
			__m128i x = _mm_loadu_si128((const __m128i *)(p + b * 64 + (size_t)k * 16));
			__m128i ge = _mm_cmpeq_epi8(_mm_max_epu8(x, v20), x); /* x >= 0x20 */
			uint64_t ms = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(x, vs));
			uint64_t mo = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(x, vb)) |
				      ((~(unsigned)_mm_movemask_epi8(ge)) & 0xffffu);
			s |= ms << (k * 16);
			o |= (mo & ~ms) << (k * 16);
		}
		sep[b] = s;
		oth[b] = o;
	}
}

__attribute__((target("avx2"))) static void masks_avx2(const char *p, size_t nb, uint64_t *sep,
						       uint64_t *oth, char sepc)
{
	const __m256i vs = _mm256_set1_epi8(sepc), v20 = _mm256_set1_epi8(0x20),
		      vb = _mm256_set1_epi8('\\');
	for (size_t b = 0; b < nb; b++) {
		__m256i x0 = _mm256_loadu_si256((const __m256i *)(p + b * 64));
		__m256i x1 = _mm256_loadu_si256((const __m256i *)(p + b * 64 + 32));
		__m256i g0 = _mm256_cmpeq_epi8(_mm256_max_epu8(x0, v20), x0);
		__m256i g1 = _mm256_cmpeq_epi8(_mm256_max_epu8(x1, v20), x1);
		uint64_t s = (uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(x0, vs)) |
			     (uint64_t)(uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(x1, vs)) << 32;
		uint64_t o = ((uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(x0, vb)) |
			      (uint32_t)~(uint32_t)_mm256_movemask_epi8(g0)) |
			     (uint64_t)((uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(x1, vb)) |
					(uint32_t)~(uint32_t)_mm256_movemask_epi8(g1))
				     << 32;
		sep[b] = s;
		oth[b] = o & ~s;
	}
}
#endif

typedef void (*masks_fn)(const char *, size_t, uint64_t *, uint64_t *, char);

static masks_fn pick_masks(void)
{
#ifdef ZEEK_X86
	static masks_fn fn;
	if (!fn) {
		__builtin_cpu_init();
		fn = __builtin_cpu_supports("avx2") ? masks_avx2 : masks_sse2;
	}
	return fn;
#else
	return masks_scalar;
#endif
}

/* Masks for n (< WIN) bytes at p, through a zero-padded copy so that no
 * byte past the end is read. */
static size_t masks_tail(masks_fn fn, const char *p, size_t n, uint64_t *sep, uint64_t *oth,
			 char sepc)
{
	char tmp[WIN + 64];
	size_t nb = (n + 63) / 64;
	memcpy(tmp, p, n);
	memset(tmp + n, 'a', nb * 64 - n);
	fn(tmp, nb, sep, oth, sepc);
	return nb;
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
	[ZM_NONE] = OBS_NONE,	  [ZM_TIME] = OBS_NONE,	    [ZM_IP] = OBS_IP,
	[ZM_PORT] = OBS_PORT,	  [ZM_DOMAIN] = OBS_DOMAIN, [ZM_URL] = OBS_URL,
	[ZM_EMAIL] = OBS_EMAIL,	  [ZM_HASH] = OBS_HASH,	    [ZM_MD5] = OBS_MD5,
	[ZM_SHA1] = OBS_SHA1,	  [ZM_SHA256] = OBS_SHA256, [ZM_AUTO] = OBS_NONE,
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
static int emit_line(struct zeek_state *z, const char *source, uint64_t line, const char *b,
		     uint32_t ls, uint32_t le, const uint32_t *tabs, int esc, log_event_fn fn,
		     void *arg)
{
	struct log_event ev = {.source = source, .line = line};
	size_t nf = 0, uat = 0;
	const size_t last = z->ncol - 1;
	if (esc) {
		/* Room for every value of the line, reserved once so that no
		 * field ever points into a block that moved. */
		size_t need = (size_t)(le - ls) + 1;
		if (z->unesc_cap < need) {
			z->unesc_cap = need * 2;
			free(z->unesc);
			z->unesc = xmalloc(z->unesc_cap);
		}
	}
	for (size_t i = 0; i < z->nmcol; i++) {
		size_t col = z->mcol[i];
		uint32_t from = col ? tabs[col - 1] + 1 : ls, to = col == last ? le : tabs[col];
		const char *v = b + from;
		size_t n = to - from;
		if (col == last && n && v[n - 1] == '\r')
			n--;
		if (is_unset(z, v, n))
			continue;
		uint8_t mp = z->map[col];
		if (mp == ZM_TIME) {
			ev.ts_text = v;
			ev.ts_len = n;
			continue;
		}
		if (!(mp & ZM_SET) && !esc) {
			enum obs_kind kind =
				mp == ZM_AUTO ? (n ? auto_kind(v, n) : OBS_NONE) : zm_kind[mp];
			if (kind != OBS_NONE && n && nf < LOG_MAX_FIELDS)
				z->fields[nf++] = (struct log_field){z->names[col], kind, v, n};
			continue;
		}
		/* Elements of a set are split before unescaping: an escaped
		 * separator (\x2c) stays inside its element. */
		size_t st = 0, k;
		for (;; st = k + 1) {
			const char *sp = (mp & ZM_SET) ? memchr(v + st, z->set_sep, n - st) : NULL;
			k = sp ? (size_t)(sp - v) : n;
			const char *e = v + st;
			size_t en = k - st;
			if (en && nf < LOG_MAX_FIELDS) {
				if (esc && memchr(e, '\\', en)) {
					size_t u = unescape(e, en, z->unesc + uat, en + 1);
					e = z->unesc + uat;
					uat += u + 1;
					en = u;
				}
				enum obs_kind kind = (mp & ~ZM_SET) == ZM_AUTO
							     ? (en ? auto_kind(e, en) : OBS_NONE)
							     : zm_kind[mp & ~ZM_SET];
				if (kind != OBS_NONE && en)
					z->fields[nf++] =
						(struct log_field){z->names[col], kind, e, en};
			}
			if (k >= n)
				break;
		}
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

/* Positions of the set bits of bits, plus idx, written to out (which has
 * room for 16 more than the count); returns the end. Eight at a time with
 * no branch per bit (after simdjson's flatten_bits). */
static inline __attribute__((always_inline)) uint32_t *flatten(uint32_t *out, uint64_t bits,
								 uint32_t idx)
{
	if (!bits)
		return out;
	uint32_t cnt = (uint32_t)__builtin_popcountll(bits);
	uint32_t *end = out + cnt;
	const uint64_t top = 1ull << 63; /* keeps ctz defined once bits run out */
#pragma GCC unroll 8
	for (int k = 0; k < 8; k++) {
		out[k] = idx + (uint32_t)__builtin_ctzll(bits | top);
		bits &= bits - 1;
	}
	if (cnt > 8) {
#pragma GCC unroll 8
		for (int k = 8; k < 16; k++) {
			out[k] = idx + (uint32_t)__builtin_ctzll(bits | top);
			bits &= bits - 1;
		}
		for (uint32_t k = 16; k < cnt; k++) {
			out[k] = idx + (uint32_t)__builtin_ctzll(bits);
			bits &= bits - 1;
		}
	}
	return end;
}

/* A line that does not fit in a window: split it with a plain loop. */
static int long_line(struct zeek_state *z, const char *source, const char *p, size_t ls,
		     size_t le, uint64_t ln, log_event_fn fn, void *arg, struct log_stats *st)
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

/* The scanner proper; compiled twice below, with and without POPCNT/BMI. */
static inline __attribute__((always_inline)) int
scan_impl(struct zeek_state *z, const char *source, const char *p, size_t n, uint64_t *line,
	  log_event_fn fn, void *arg, struct log_stats *st, masks_fn mfn)
{
	uint64_t msep[WIN / 64], moth[WIN / 64];
	/* Positions in the window: separators and the other special bytes. */
	uint32_t tabs[WIN + 32], oth[WIN + 32];
	uint64_t ln = *line;
	size_t base = 0;
	int rc = 0;
	st->bytes += n;
	while (base < n) {
		size_t win = n - base < WIN ? n - base : WIN;
		const char sep = z->sep;
		const char *b = p + base;
		size_t nb = win == WIN ? (mfn(b, WIN / 64, msep, moth, sep), WIN / 64)
				       : masks_tail(mfn, b, win, msep, moth, sep);
		if (win < nb * 64) {
			uint64_t keep = win % 64 ? (1ull << (win % 64)) - 1 : ~0ull;
			msep[nb - 1] &= keep;
			moth[nb - 1] &= keep;
		}
		uint32_t *te = tabs, *oe = oth;
		for (size_t k = 0; k < nb; k++) {
			te = flatten(te, msep[k], (uint32_t)(k * 64));
			/* Newlines and the rare others: about one per line. */
			for (uint64_t o = moth[k]; o; o &= o - 1)
				*oe++ = (uint32_t)(k * 64) + (uint32_t)__builtin_ctzll(o);
		}
		size_t ntab = (size_t)(te - tabs), noth = (size_t)(oe - oth);
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
				size_t tj = ti;
				while (tj < ntab)
					tj++;
				ln++;
				rc = end_line(z, source, b, ls, (uint32_t)win, tabs + ti, tj - ti, flags,
					      ln, fn, arg, st);
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

#ifdef ZEEK_X86
__attribute__((target("popcnt,bmi,bmi2,avx2"))) static int
scan_haswell(struct zeek_state *z, const char *source, const char *p, size_t n, uint64_t *line,
	     log_event_fn fn, void *arg, struct log_stats *st, masks_fn mfn)
{
	return scan_impl(z, source, p, n, line, fn, arg, st, mfn);
}
#endif

static int scan_default(struct zeek_state *z, const char *source, const char *p, size_t n,
			uint64_t *line, log_event_fn fn, void *arg, struct log_stats *st,
			masks_fn mfn)
{
	return scan_impl(z, source, p, n, line, fn, arg, st, mfn);
}

int zeek_scan(struct zeek_state *z, const char *source, const char *p, size_t n, uint64_t *line,
	      log_event_fn fn, void *arg, struct log_stats *st)
{
	masks_fn mfn = pick_masks();
#ifdef ZEEK_X86
	static int fast = -1;
	if (fast < 0)
		fast = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("popcnt") &&
		       __builtin_cpu_supports("bmi") && __builtin_cpu_supports("bmi2");
	if (fast)
		return scan_haswell(z, source, p, n, line, fn, arg, st, mfn);
#endif
	return scan_default(z, source, p, n, line, fn, arg, st, mfn);
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
	(void)o;
	struct zeek_state z;
	zeek_init(&z);
	size_t cap = ZEEK_BUF + LOG_MAX_LINE + 1;
	char *buf = xmalloc(cap);
	size_t have = 0;
	uint64_t line = 0;
	int rc = 0, eof = 0, skipping = 0;
	while (!rc && !eof) {
		long r = log_read(src, buf + have, cap - have);
		if (r < 0) {
			/* A broken stream: what was read counts, the rest is lost. */
			log_stats_bad(st, line + 1, "input ends in a broken or truncated gzip stream");
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
