/*
 * warninglist.c: allow lists in the MISP warninglist format (see
 * warninglist.h): loading, the default catalogue, and the look-up the
 * matcher consults before it reports a hit.
 *
 * All string and hostname entries of all lists share two open-addressing
 * hash sets (XXH3 of the lower-cased entry; the text in one arena); CIDR
 * entries become sorted, merged, disjoint ranges per address family; substring
 * and regex entries are kept in order and tried in turn, since such lists
 * are short in practice. A value on several lists reports the first list
 * that was loaded with it.
 */
#include "warninglist.h"
#include "../util/buf.h"
#include "../util/util.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <arpa/inet.h>
#include <cjson/cJSON.h>
#include <dirent.h>
#include <limits.h>
#include <pcre2.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>

#define WL_MAX_FILE  (256u << 20) /* bytes of one list file */
#define WL_MAX_ENTRY 4096	  /* bytes of one entry */
#define WL_MAX_LISTS 65535

enum wl_type { WL_STRING, WL_SUBSTRING, WL_HOSTNAME, WL_CIDR, WL_REGEX };

#define KIND(k)	   (1u << (k))
#define HASH_KINDS (KIND(OBS_MD5) | KIND(OBS_SHA1) | KIND(OBS_SHA256) | KIND(OBS_SHA512))
#define ALL_KINDS  ((1u << OBS_KIND_MAX) - 2u) /* every kind but OBS_NONE */

struct wl_slot {
	uint64_t hash;
	uint32_t off, len;
	uint32_t kinds;
	uint32_t list; /* 1-based; 0: empty slot */
};

struct wl_set {
	struct wl_slot *slot;
	size_t cap, n; /* cap: a power of two, or 0 */
};

struct wl_r4 {
	uint32_t lo, hi, list;
};

struct wl_r6 {
	uint64_t lo[2], hi[2]; /* big-endian halves: [0] the high 64 bits */
	uint32_t list;
};

struct wl_sub {
	uint32_t off, len, kinds, list;
};

struct wl_re {
	pcre2_code *re;
	uint32_t kinds, list;
};

struct warninglist {
	char **names;
	size_t nlists;
	struct buf text; /* entries of the sets and substrings, lower-cased */
	struct wl_set strings, hosts;
	struct wl_r4 *r4;
	size_t n4, cap4;
	struct wl_r6 *r6;
	size_t n6, cap6;
	struct wl_sub *subs;
	size_t nsubs, capsubs;
	struct wl_re *res;
	size_t nres, capres;
	size_t entries;
};

struct warninglist *warninglist_new(void)
{
	struct warninglist *w = xcalloc(1, sizeof *w);
	buf_init(&w->text, SIZE_MAX / 2);
	return w;
}

void warninglist_free(struct warninglist *w)
{
	if (!w)
		return;
	for (size_t i = 0; i < w->nlists; i++)
		free(w->names[i]);
	free(w->names);
	buf_free(&w->text);
	free(w->strings.slot);
	free(w->hosts.slot);
	free(w->r4);
	free(w->r6);
	free(w->subs);
	for (size_t i = 0; i < w->nres; i++)
		pcre2_code_free(w->res[i].re);
	free(w->res);
	free(w);
}

const char *warninglist_name(const struct warninglist *w, int i)
{
	return w && i >= 1 && (size_t)i <= w->nlists ? w->names[i - 1] : NULL;
}

size_t warninglist_count(const struct warninglist *w, size_t *entries)
{
	if (entries)
		*entries = w->entries;
	return w->nlists;
}

/* ---- the hash sets ---- */

static char lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c + 32) : c;
}

static const struct wl_slot *set_find(const struct wl_set *s, const char *text, const char *v,
				      size_t n, uint64_t h)
{
	if (!s->cap)
		return NULL;
	for (size_t i = h & (s->cap - 1);; i = (i + 1) & (s->cap - 1)) {
		const struct wl_slot *e = &s->slot[i];
		if (!e->list)
			return NULL;
		if (e->hash == h && e->len == n && memcmp(text + e->off, v, n) == 0)
			return e;
	}
}

static void set_grow(struct wl_set *s)
{
	size_t cap = s->cap ? s->cap * 2 : 64;
	struct wl_slot *slot = xcalloc(cap, sizeof *slot);
	for (size_t i = 0; i < s->cap; i++) {
		if (!s->slot[i].list)
			continue;
		size_t j = s->slot[i].hash & (cap - 1);
		while (slot[j].list)
			j = (j + 1) & (cap - 1);
		slot[j] = s->slot[i];
	}
	free(s->slot);
	s->slot = slot;
	s->cap = cap;
}

/* Adds the lower-cased entry v to s (or widens the kinds of an entry that
 * is there already). */
static void set_add(struct warninglist *w, struct wl_set *s, const char *v, size_t n,
		    uint32_t kinds, uint32_t list)
{
	uint64_t h = XXH3_64bits(v, n);
	struct wl_slot *e = (struct wl_slot *)set_find(s, w->text.p, v, n, h);
	if (e) {
		e->kinds |= kinds;
		return;
	}
	if ((s->n + 1) * 4 > s->cap * 3)
		set_grow(s);
	size_t off = w->text.len;
	if (buf_add(&w->text, v, n))
		abort(); /* the text buffer has no practical maximum */
	size_t i = h & (s->cap - 1);
	while (s->slot[i].list)
		i = (i + 1) & (s->cap - 1);
	s->slot[i] = (struct wl_slot){h, (uint32_t)off, (uint32_t)n, kinds, list};
	s->n++;
}

/* ---- addresses ---- */

/* Parses an address, or a CIDR block when prefix is not NULL ("a/n"; a bare
 * address is a block of one). Returns 4 or 6, or 0 when it is neither. */
static int parse_addr(const char *s, size_t n, unsigned char out[16], int *prefix)
{
	char tmp[64];
	if (n == 0 || n >= sizeof tmp)
		return 0;
	memcpy(tmp, s, n);
	tmp[n] = 0;
	char *slash = prefix ? strchr(tmp, '/') : NULL;
	long bits = -1;
	if (slash) {
		*slash = 0;
		if (parse_long(slash + 1, 0, 128, &bits))
			return 0;
	}
	char *pct = strchr(tmp, '%'); /* an IPv6 zone: fe80::1%eth0 */
	if (pct && strchr(tmp, ':'))
		*pct = 0;
	int fam = 0;
	if (inet_pton(AF_INET, tmp, out) == 1)
		fam = 4;
	else if (inet_pton(AF_INET6, tmp, out) == 1)
		fam = 6;
	if (!fam || (fam == 4 && bits > 32))
		return 0;
	if (prefix)
		*prefix = bits >= 0 ? (int)bits : (fam == 4 ? 32 : 128);
	return fam;
}

static uint64_t be64(const unsigned char *p)
{
	uint64_t v = 0;
	for (int i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

static uint64_t mask64(int bits) /* the top bits (0..64) of a 64-bit word */
{
	return bits <= 0 ? 0 : bits >= 64 ? UINT64_MAX : ~(UINT64_MAX >> bits);
}

static void range6(const unsigned char a[16], int prefix, struct wl_r6 *r)
{
	uint64_t hi = be64(a), lo = be64(a + 8);
	uint64_t mh = mask64(prefix), ml = mask64(prefix - 64);
	r->lo[0] = hi & mh;
	r->lo[1] = lo & ml;
	r->hi[0] = hi | ~mh;
	r->hi[1] = lo | ~ml;
}

static int cmp6(const uint64_t a[2], const uint64_t b[2])
{
	if (a[0] != b[0])
		return a[0] < b[0] ? -1 : 1;
	if (a[1] != b[1])
		return a[1] < b[1] ? -1 : 1;
	return 0;
}

static int r4_cmp(const void *a, const void *b)
{
	const struct wl_r4 *x = a, *y = b;
	if (x->lo != y->lo)
		return x->lo < y->lo ? -1 : 1;
	return x->list < y->list ? -1 : x->list > y->list;
}

static int r6_cmp(const void *a, const void *b)
{
	const struct wl_r6 *x = a, *y = b;
	int c = cmp6(x->lo, y->lo);
	return c ? c : (x->list < y->list ? -1 : x->list > y->list);
}

/* Sorts the ranges and merges those that overlap or touch, so a binary
 * search finds the one range that may hold an address. */
static void ranges_finish(struct warninglist *w)
{
	qsort(w->r4, w->n4, sizeof *w->r4, r4_cmp);
	size_t k = 0;
	for (size_t i = 0; i < w->n4; i++) {
		if (k && (uint64_t)w->r4[i].lo <= (uint64_t)w->r4[k - 1].hi + 1) {
			if (w->r4[i].hi > w->r4[k - 1].hi)
				w->r4[k - 1].hi = w->r4[i].hi;
			continue;
		}
		w->r4[k++] = w->r4[i];
	}
	w->n4 = k;
	qsort(w->r6, w->n6, sizeof *w->r6, r6_cmp);
	k = 0;
	for (size_t i = 0; i < w->n6; i++) {
		if (k) {
			struct wl_r6 *p = &w->r6[k - 1];
			uint64_t next[2] = {p->hi[0] + (p->hi[1] == UINT64_MAX), p->hi[1] + 1};
			int adjacent = !(p->hi[0] == UINT64_MAX && p->hi[1] == UINT64_MAX) &&
				       cmp6(w->r6[i].lo, next) <= 0;
			if (cmp6(w->r6[i].lo, p->hi) <= 0 || adjacent) {
				if (cmp6(w->r6[i].hi, p->hi) > 0)
					memcpy(p->hi, w->r6[i].hi, sizeof p->hi);
				continue;
			}
		}
		w->r6[k++] = w->r6[i];
	}
	w->n6 = k;
}

static uint32_t find4(const struct warninglist *w, uint32_t a)
{
	size_t lo = 0, hi = w->n4;
	while (lo < hi) { /* the first range with lo > a */
		size_t mid = lo + (hi - lo) / 2;
		if (w->r4[mid].lo <= a)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo && a <= w->r4[lo - 1].hi ? w->r4[lo - 1].list : 0;
}

static uint32_t find6(const struct warninglist *w, const unsigned char a16[16])
{
	uint64_t a[2] = {be64(a16), be64(a16 + 8)};
	size_t lo = 0, hi = w->n6;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (cmp6(w->r6[mid].lo, a) <= 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo && cmp6(a, w->r6[lo - 1].hi) <= 0 ? w->r6[lo - 1].list : 0;
}

/* ---- loading ---- */

/* The kinds a MISP attribute type stands for (0 for types no log field
 * carries, such as filename). */
static uint32_t attr_kinds(const char *t)
{
	static const struct {
		const char *name;
		uint32_t kinds;
	} map[] = {
	    {"ip-src", KIND(OBS_IP)},
	    {"ip-dst", KIND(OBS_IP)},
	    {"ip-src|port", KIND(OBS_IP)},
	    {"ip-dst|port", KIND(OBS_IP)},
	    {"ip", KIND(OBS_IP)},
	    {"domain", KIND(OBS_DOMAIN)},
	    {"hostname", KIND(OBS_DOMAIN)},
	    {"domain|ip", KIND(OBS_DOMAIN) | KIND(OBS_IP)},
	    {"hostname|port", KIND(OBS_DOMAIN)},
	    {"url", KIND(OBS_URL)},
	    {"uri", KIND(OBS_URL)},
	    {"link", KIND(OBS_URL)},
	    {"email", KIND(OBS_EMAIL)},
	    {"email-src", KIND(OBS_EMAIL)},
	    {"email-dst", KIND(OBS_EMAIL)},
	    {"target-email", KIND(OBS_EMAIL)},
	    {"whois-registrant-email", KIND(OBS_EMAIL)},
	    {"md5", KIND(OBS_MD5)},
	    {"sha1", KIND(OBS_SHA1)},
	    {"sha256", KIND(OBS_SHA256)},
	    {"sha512", KIND(OBS_SHA512)},
	    {"x509-fingerprint-md5", KIND(OBS_MD5)},
	    {"x509-fingerprint-sha1", KIND(OBS_SHA1)},
	    {"x509-fingerprint-sha256", KIND(OBS_SHA256)},
	    {"text", KIND(OBS_STRING)},
	    {"user-agent", KIND(OBS_STRING)},
	    {"other", KIND(OBS_STRING)},
	};
	for (size_t i = 0; i < ARRAY_LEN(map); i++)
		if (strcmp(t, map[i].name) == 0)
			return map[i].kinds;
	return 0;
}

static void lower_copy(char *out, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		out[i] = lower(s[i]);
}

/* A hostname entry in canonical form: lower case, no leading "*." or ".",
 * no trailing dot. Returns its length (0: nothing left). */
static size_t host_canon(char *out, const char *s, size_t n)
{
	if (n >= 2 && s[0] == '*' && s[1] == '.') {
		s += 2;
		n -= 2;
	}
	while (n && s[0] == '.') {
		s++;
		n--;
	}
	while (n && s[n - 1] == '.')
		n--;
	lower_copy(out, s, n);
	return n;
}

static int regex_compile(const char *s, size_t n, pcre2_code **out, char *why, size_t cap)
{
	uint32_t flags = PCRE2_UTF | PCRE2_MATCH_INVALID_UTF;
	/* "/re/flags", as MISP lists often write them. */
	if (n >= 2 && s[0] == '/') {
		const char *end = memrchr(s + 1, '/', n - 1);
		if (end) {
			int ok = 1;
			uint32_t f = 0;
			for (const char *p = end + 1; p < s + n; p++) {
				switch (*p) {
				case 'i':
					f |= PCRE2_CASELESS;
					break;
				case 'm':
					f |= PCRE2_MULTILINE;
					break;
				case 's':
					f |= PCRE2_DOTALL;
					break;
				case 'x':
					f |= PCRE2_EXTENDED;
					break;
				default:
					ok = 0;
				}
			}
			if (ok) {
				flags |= f;
				n = (size_t)(end - s - 1);
				s++;
			}
		}
	}
	int code;
	PCRE2_SIZE off;
	pcre2_code *re = pcre2_compile((PCRE2_SPTR)s, n, flags, &code, &off, NULL);
	if (!re) {
		PCRE2_UCHAR msg[120];
		pcre2_get_error_message(code, msg, sizeof msg);
		snprintf(why, cap, "regular expression at offset %zu: %s", (size_t)off,
			 (char *)msg);
		return -1;
	}
	pcre2_jit_compile(re, PCRE2_JIT_COMPLETE); /* without JIT it still works */
	*out = re;
	return 0;
}

#define GROW(arr, n, cap)                                                                          \
	do {                                                                                       \
		if ((n) == (cap)) {                                                                \
			(cap) = (cap) ? 2 * (cap) : 16;                                            \
			(arr) = xrealloc((arr), (cap) * sizeof *(arr));                            \
		}                                                                                  \
	} while (0)

int warninglist_load_json(struct warninglist *w, const char *json, size_t len, const char *name,
			  struct vb_err *err)
{
	vb_err_clear(err);
	if (err)
		snprintf(err->file, sizeof err->file, "%s", name);
	cJSON *root = cJSON_ParseWithLength(json, len);
	if (!root)
		return vb_err_set(err, VB_EINPUT, "not valid JSON");
	int rc = VB_EINPUT;
	const cJSON *jn = cJSON_GetObjectItemCaseSensitive(root, "name");
	const cJSON *jt = cJSON_GetObjectItemCaseSensitive(root, "type");
	const cJSON *jl = cJSON_GetObjectItemCaseSensitive(root, "list");
	const cJSON *ja = cJSON_GetObjectItemCaseSensitive(root, "matching_attributes");
	enum wl_type type = WL_STRING; /* MISP's default */
	static const char *const types[] = {"string", "substring", "hostname", "cidr", "regex"};
	if (!cJSON_IsObject(root)) {
		vb_err_set(err, VB_EINPUT, "a warninglist is a JSON object");
		goto out;
	}
	if (jn && !cJSON_IsString(jn)) {
		if (err)
			snprintf(err->pointer, sizeof err->pointer, "/name");
		vb_err_set(err, VB_EINPUT, "\"name\" must be a string");
		goto out;
	}
	if (jt) {
		size_t i = 0;
		while (i < ARRAY_LEN(types) &&
		       !(cJSON_IsString(jt) && strcmp(jt->valuestring, types[i]) == 0))
			i++;
		if (i == ARRAY_LEN(types)) {
			if (err)
				snprintf(err->pointer, sizeof err->pointer, "/type");
			vb_err_set(err, VB_EINPUT,
				   "\"type\" must be string, substring, hostname, cidr or regex");
			goto out;
		}
		type = (enum wl_type)i;
	}
	if (!cJSON_IsArray(jl)) {
		if (err)
			snprintf(err->pointer, sizeof err->pointer, "/list");
		vb_err_set(err, VB_EINPUT, "\"list\" must be an array of strings");
		goto out;
	}
	uint32_t kinds = 0;
	if (cJSON_IsArray(ja) && cJSON_GetArraySize(ja) > 0) {
		const cJSON *a;
		cJSON_ArrayForEach(a, ja)
		{
			if (cJSON_IsString(a))
				kinds |= attr_kinds(a->valuestring);
		}
		if (kinds & HASH_KINDS)
			kinds |= KIND(OBS_HASH);
	} else if (ja && !cJSON_IsArray(ja)) {
		if (err)
			snprintf(err->pointer, sizeof err->pointer, "/matching_attributes");
		vb_err_set(err, VB_EINPUT, "\"matching_attributes\" must be an array of strings");
		goto out;
	} else {
		kinds = type == WL_CIDR	      ? KIND(OBS_IP)
			: type == WL_HOSTNAME ? KIND(OBS_DOMAIN) | KIND(OBS_URL) | KIND(OBS_EMAIL)
					      : ALL_KINDS;
	}
	if (w->nlists >= WL_MAX_LISTS) {
		vb_err_set(err, VB_EINPUT, "more than %d lists", WL_MAX_LISTS);
		goto out;
	}
	/* First check every entry, so a bad file adds nothing. */
	size_t nent = (size_t)cJSON_GetArraySize(jl), i = 0;
	pcre2_code **res = type == WL_REGEX ? xcalloc(nent + 1, sizeof *res) : NULL;
	const cJSON *e;
	cJSON_ArrayForEach(e, jl)
	{
		char why[160] = "";
		if (!cJSON_IsString(e)) {
			snprintf(why, sizeof why, "entries must be strings");
		} else {
			size_t n = strlen(e->valuestring);
			unsigned char a[16];
			int prefix;
			if (n == 0 || n > WL_MAX_ENTRY)
				snprintf(why, sizeof why, "entry is empty or longer than %d bytes",
					 WL_MAX_ENTRY);
			else if (type == WL_CIDR && !parse_addr(e->valuestring, n, a, &prefix))
				snprintf(why, sizeof why, "'%.60s' is not an address or CIDR block",
					 e->valuestring);
			else if (type == WL_REGEX)
				regex_compile(e->valuestring, n, &res[i], why, sizeof why);
		}
		if (why[0]) {
			if (err)
				snprintf(err->pointer, sizeof err->pointer, "/list/%zu", i);
			vb_err_set(err, VB_EINPUT, "%s", why);
			for (size_t k = 0; res && k < nent; k++)
				pcre2_code_free(res[k]);
			free(res);
			goto out;
		}
		i++;
	}
	uint32_t list = (uint32_t)++w->nlists;
	w->names = xrealloc(w->names, w->nlists * sizeof *w->names);
	w->names[list - 1] = xstrdup(cJSON_IsString(jn) ? jn->valuestring : name);
	char tmp[WL_MAX_ENTRY];
	i = 0;
	cJSON_ArrayForEach(e, jl)
	{
		const char *s = e->valuestring;
		size_t n = strlen(s), m;
		unsigned char a[16];
		int prefix;
		switch (type) {
		case WL_STRING:
			lower_copy(tmp, s, n);
			set_add(w, &w->strings, tmp, n, kinds, list);
			break;
		case WL_HOSTNAME:
			m = host_canon(tmp, s, n);
			if (m)
				set_add(w, &w->hosts, tmp, m, kinds, list);
			break;
		case WL_SUBSTRING:
			GROW(w->subs, w->nsubs, w->capsubs);
			w->subs[w->nsubs++] =
			    (struct wl_sub){(uint32_t)w->text.len, (uint32_t)n, kinds, list};
			lower_copy(tmp, s, n);
			if (buf_add(&w->text, tmp, n))
				abort();
			break;
		case WL_CIDR:
			if (parse_addr(s, n, a, &prefix) == 4) {
				uint32_t v = (uint32_t)a[0] << 24 | (uint32_t)a[1] << 16 |
					     (uint32_t)a[2] << 8 | a[3];
				uint32_t mask = prefix ? UINT32_MAX << (32 - prefix) : 0;
				GROW(w->r4, w->n4, w->cap4);
				w->r4[w->n4++] = (struct wl_r4){v & mask, v | ~mask, list};
			} else {
				GROW(w->r6, w->n6, w->cap6);
				range6(a, prefix, &w->r6[w->n6]);
				w->r6[w->n6++].list = list;
			}
			break;
		case WL_REGEX:
			GROW(w->res, w->nres, w->capres);
			w->res[w->nres++] = (struct wl_re){res[i], kinds, list};
			break;
		}
		w->entries++;
		i++;
	}
	free(res);
	if (type == WL_CIDR)
		ranges_finish(w);
	rc = 0;
out:
	cJSON_Delete(root);
	return rc;
}

int warninglist_load(struct warninglist *w, const char *path, struct vb_err *err)
{
	char *json, why[256];
	size_t len;
	int rc = file_read_all(path, WL_MAX_FILE, &json, &len, why, sizeof why);
	if (rc) {
		vb_err_clear(err);
		if (err)
			snprintf(err->file, sizeof err->file, "%s", path);
		return vb_err_set(err, rc, "%s", why);
	}
	rc = warninglist_load_json(w, json, len, path, err);
	free(json);
	return rc;
}

static int is_dir(const char *p)
{
	struct stat sb;
	return stat(p, &sb) == 0 && S_ISDIR(sb.st_mode);
}

const char *warninglist_default_dir(void)
{
	static char dir[PATH_MAX + 64];
	const char *env = getenv("VERBINDING_DATA");
	if (env && *env) {
		snprintf(dir, sizeof dir, "%s/warninglists", env);
		return is_dir(dir) ? dir : NULL;
	}
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (n > 0) {
		exe[n] = 0;
		char *slash = strrchr(exe, '/');
		if (slash)
			*slash = 0;
		static const char *const rel[] = {"data", "../data", "../../data",
						  "../share/verbinding"};
		for (size_t i = 0; i < ARRAY_LEN(rel); i++) {
			snprintf(dir, sizeof dir, "%s/%s/warninglists", exe, rel[i]);
			if (is_dir(dir))
				return dir;
		}
	}
	snprintf(dir, sizeof dir, "data/warninglists");
	return is_dir(dir) ? dir : NULL;
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int warninglist_add_defaults(struct warninglist *w)
{
	const char *dir = warninglist_default_dir();
	if (!dir)
		return VB_ENOTFOUND;
	DIR *d = opendir(dir);
	if (!d)
		return VB_ENOTFOUND;
	char **names = NULL;
	size_t n = 0, cap = 0;
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.' || !str_has_suffix(de->d_name, ".json"))
			continue;
		GROW(names, n, cap);
		names[n++] = xstrdup(de->d_name);
	}
	closedir(d);
	qsort(names, n, sizeof *names, name_cmp);
	int rc = 0;
	for (size_t i = 0; i < n; i++) {
		char path[PATH_MAX + 256];
		snprintf(path, sizeof path, "%s/%s", dir, names[i]);
		struct vb_err err;
		if (!rc && (rc = warninglist_load(w, path, &err)) != 0) {
			char msg[1024];
			vb_err_format(&err, msg, sizeof msg);
			fprintf(stderr, "verbinding: default warninglist %s\n", msg);
		}
		free(names[i]);
	}
	free(names);
	return rc;
}

/* ---- look-up ---- */

static uint32_t host_lookup(const struct warninglist *w, const char *h, size_t n, uint32_t kind)
{
	while (n && h[n - 1] == '.')
		n--;
	for (size_t i = 0; i < n;) {
		const struct wl_slot *e =
		    set_find(&w->hosts, w->text.p, h + i, n - i, XXH3_64bits(h + i, n - i));
		if (e && (e->kinds & kind))
			return e->list;
		const char *dot = memchr(h + i, '.', n - i);
		if (!dot)
			break;
		i = (size_t)(dot - h) + 1;
	}
	return 0;
}

/* The host of an absolute URL ("scheme://[user@]host[:port]/..."), or of a
 * scheme-less "host/path"; NULL for a bare path. */
static const char *url_host(const char *u, size_t n, size_t *hn)
{
	const char *p = u, *end = u + n;
	const char *sep = n > 3 ? memmem(u, n < 32 ? n : 32, "://", 3) : NULL;
	if (sep)
		p = sep + 3;
	else if (n && u[0] == '/')
		return NULL;
	const char *e = p;
	while (e < end && *e != '/' && *e != '?' && *e != '#')
		e++;
	const char *at = memchr(p, '@', (size_t)(e - p));
	if (at)
		p = at + 1;
	if (p < e && *p == '[') {
		const char *rb = memchr(p, ']', (size_t)(e - p));
		if (!rb)
			return NULL;
		*hn = (size_t)(rb - p - 1);
		return p + 1;
	}
	const char *colon = memchr(p, ':', (size_t)(e - p));
	*hn = (size_t)((colon ? colon : e) - p);
	return *hn ? p : NULL;
}

static uint32_t ip_lookup(const struct warninglist *w, const char *v, size_t n)
{
	unsigned char a[16];
	int fam = parse_addr(v, n, a, NULL);
	if (fam == 4)
		return find4(w, (uint32_t)a[0] << 24 | (uint32_t)a[1] << 16 | (uint32_t)a[2] << 8 |
				    a[3]);
	if (fam != 6)
		return 0;
	static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
	if (memcmp(a, mapped, 12) == 0)
		return find4(w, (uint32_t)a[12] << 24 | (uint32_t)a[13] << 16 |
				    (uint32_t)a[14] << 8 | a[15]);
	return find6(w, a);
}

int warninglist_hit(const struct warninglist *w, enum obs_kind k, const char *v, size_t n)
{
	if (!w || n == 0 || (unsigned)k >= OBS_KIND_MAX)
		return 0;
	if (k == OBS_HASH) /* decided by length, as the matcher does */
		k = n == 32    ? OBS_MD5
		    : n == 40  ? OBS_SHA1
		    : n == 64  ? OBS_SHA256
		    : n == 128 ? OBS_SHA512
			       : OBS_HASH;
	uint32_t kind = KIND(k), hit = 0;
	if (k == OBS_IP && (hit = ip_lookup(w, v, n)) != 0)
		return (int)hit;
	char small[512], *low = n <= sizeof small ? small : xmalloc(n);
	lower_copy(low, v, n);
	const struct wl_slot *e;
	if (w->strings.n && (e = set_find(&w->strings, w->text.p, low, n, XXH3_64bits(low, n))) &&
	    (e->kinds & kind))
		hit = e->list;
	if (!hit && w->hosts.n) {
		if (k == OBS_DOMAIN) {
			hit = host_lookup(w, low, n, kind);
		} else if (k == OBS_URL) {
			size_t hn;
			const char *h = url_host(low, n, &hn);
			if (h)
				hit = host_lookup(w, h, hn, kind);
		} else if (k == OBS_EMAIL) {
			const char *at = memrchr(low, '@', n);
			if (at)
				hit = host_lookup(w, at + 1, n - (size_t)(at + 1 - low), kind);
		}
	}
	for (size_t i = 0; !hit && i < w->nsubs; i++) {
		const struct wl_sub *s = &w->subs[i];
		if ((s->kinds & kind) && memmem(low, n, w->text.p + s->off, s->len))
			hit = s->list;
	}
	if (!hit && w->nres) {
		for (size_t i = 0; !hit && i < w->nres; i++) {
			const struct wl_re *r = &w->res[i];
			if (!(r->kinds & kind))
				continue;
			pcre2_match_data *md = pcre2_match_data_create_from_pattern(r->re, NULL);
			if (!md)
				abort();
			if (pcre2_match(r->re, (PCRE2_SPTR)v, n, 0, 0, md, NULL) >= 0)
				hit = r->list;
			pcre2_match_data_free(md);
		}
	}
	if (low != small)
		free(low);
	return (int)hit;
}
