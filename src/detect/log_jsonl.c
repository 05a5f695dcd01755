/*
 * log_jsonl.c: the "jsonl" reader: JSON lines, one object per line, with
 * --field PATH=TYPE mappings into nested objects ("source.ip=ip",
 * "dns.question.name=domain"). The Zeek JSON reader (log_zeek_json.c) is
 * this reader run with Zeek's field table.
 *
 * Each line is checked and scanned in place by a small recursive-descent
 * scanner: no allocation per line, no tree. A path is the dotted chain of
 * keys from the top object, so "a.b" names both {"a":{"b":1}} and
 * {"a.b":1} (Zeek writes flat dotted keys); arrays are transparent, so
 * "answers" names every string of an array and "dns.answers.data" every
 * "data" of an array of objects. A mapped string value is unescaped in place
 * in the line buffer and handed to the callback as a field.
 *
 * Without --field the reader maps the Elastic Common Schema names
 * (source.ip, dns.question.name, url.full, ...) and, at any depth, keys
 * named like the CSV reader's header names (ip, src_ip, domain, url, md5,
 * ...). A mapping of kind OBS_NONE (--field PATH=none, or =time) is kept
 * for display and the first one on a line is the event time; without one,
 * a top-level "ts", "@timestamp", "timestamp" or "time" is. The time is left
 * as text (log_event.ts_text) for log_event_time to parse when a hit needs it.
 *
 * Why not cJSON per line: on Zeek's dns.json replayed to 107 MB (214,460
 * lines), cJSON_ParseWithLength plus a look-up of Zeek's keys took about
 * 920 ms of CPU (~115 MB/s), this scanner about 160 ms (~660 MB/s): it
 * neither allocates nor builds a tree, and unescapes only mapped strings.
 *
 * The line loop (jl_lines) is the same in the access, dns and csv readers;
 * it belongs in log_src.c once that file offers one.
 */
#include "detect.h"
#include "../ingest/value.h"
#include "../util/util.h"

#include <stdlib.h>
#include <string.h>

#define JL_MAX_DEPTH 32	 /* nesting of objects and arrays in one line */
#define JL_MAX_PATH  512 /* bytes of a dotted path; deeper keys are not mapped */

/* One mapped path in an open-addressing table (built once per read). */
struct jl_key {
	const char *path; /* NULL: empty slot */
	size_t len;
	enum obs_kind kind; /* OBS_NONE: kept for display, and the event time */
	int time_only;	    /* a default time key: the event time, not a field */
};

struct jl_table {
	struct jl_key *slot;
	size_t mask;
};

struct jl_scan {
	char *p, *end, *start;
	char path[JL_MAX_PATH];
	size_t plen;
	int path_over; /* the current path did not fit: nothing below it maps */
	const struct jl_table *full, *leaf;
	struct log_field field[LOG_MAX_FIELDS];
	size_t nfield;
	const char *ts_text;
	size_t ts_len;
	const char *why; /* first error */
};

/* A hash of a key: its first and last eight bytes and its length. Keys are
 * short, so this is cheaper than a byte loop; collisions only cost a memcmp. */
static uint32_t jl_hash(const char *s, size_t n)
{
	uint64_t a = 0, b = 0;
	if (n >= 8) {
		memcpy(&a, s, 8);
		memcpy(&b, s + n - 8, 8);
	} else {
		for (size_t i = 0; i < n; i++)
			a = a << 8 | (unsigned char)s[i];
	}
	uint64_t h = (a ^ (b * 0x9e3779b97f4a7c15ull) ^ n) * 0xff51afd7ed558ccdull;
	return (uint32_t)(h >> 32);
}

static const struct jl_key *jl_find(const struct jl_table *t, const char *s, size_t n)
{
	if (!t || !t->slot)
		return NULL;
	for (size_t i = jl_hash(s, n) & t->mask;; i = (i + 1) & t->mask) {
		const struct jl_key *k = &t->slot[i];
		if (!k->path)
			return NULL;
		if (k->len == n && memcmp(k->path, s, n) == 0)
			return k;
	}
}

/* Adds path unless it is there already (earlier entries win). */
static void jl_add(struct jl_table *t, const char *path, enum obs_kind kind, int time_only)
{
	size_t n = strlen(path);
	if (jl_find(t, path, n))
		return;
	size_t i = jl_hash(path, n) & t->mask;
	while (t->slot[i].path)
		i = (i + 1) & t->mask;
	t->slot[i] = (struct jl_key){path, n, kind, time_only};
}

static void jl_table_init(struct jl_table *t, size_t n)
{
	size_t cap = 16;
	while (cap < 2 * n + 2)
		cap *= 2;
	t->slot = xcalloc(cap, sizeof *t->slot);
	t->mask = cap - 1;
}

/* Elastic Common Schema fields mapped when no --field is given. */
static const struct log_mapping ecs_map[] = {
    {"source.ip", OBS_IP},
    {"destination.ip", OBS_IP},
    {"client.ip", OBS_IP},
    {"server.ip", OBS_IP},
    {"host.ip", OBS_IP},
    {"related.ip", OBS_IP},
    {"dns.resolved_ip", OBS_IP},
    {"source.domain", OBS_DOMAIN},
    {"destination.domain", OBS_DOMAIN},
    {"client.domain", OBS_DOMAIN},
    {"server.domain", OBS_DOMAIN},
    {"related.hosts", OBS_DOMAIN},
    {"dns.question.name", OBS_DOMAIN},
    {"dns.answers.data", OBS_DOMAIN},
    {"url.domain", OBS_DOMAIN},
    {"tls.client.server_name", OBS_DOMAIN},
    {"url.full", OBS_URL},
    {"url.original", OBS_URL},
    {"http.request.referrer", OBS_URL},
    {"email.from.address", OBS_EMAIL},
    {"email.to.address", OBS_EMAIL},
    {"email.sender.address", OBS_EMAIL},
    {"file.hash.md5", OBS_MD5},
    {"file.hash.sha1", OBS_SHA1},
    {"file.hash.sha256", OBS_SHA256},
    {"file.hash.sha512", OBS_SHA512},
    {"related.hash", OBS_HASH},
    {"user_agent.original", OBS_STRING},
};

/* Key names mapped at any depth when no --field is given (as the CSV
 * reader's header names). */
static const struct log_mapping leaf_map[] = {
    {"ip", OBS_IP},	      {"src_ip", OBS_IP},    {"dst_ip", OBS_IP},     {"client_ip", OBS_IP},
    {"server_ip", OBS_IP},    {"client", OBS_IP},    {"domain", OBS_DOMAIN}, {"host", OBS_DOMAIN},
    {"hostname", OBS_DOMAIN}, {"query", OBS_DOMAIN}, {"url", OBS_URL},	     {"email", OBS_EMAIL},
    {"md5", OBS_MD5},	      {"sha1", OBS_SHA1},    {"sha256", OBS_SHA256}, {"sha512", OBS_SHA512},
};

/* Top-level keys taken as the event time unless a mapping names one. */
static const char *const time_keys[] = {"ts", "@timestamp", "timestamp", "time"};

static void jl_emit(struct jl_scan *sc, const struct jl_key *k, const char *v, size_t n)
{
	if (k->kind == OBS_NONE && !sc->ts_text) {
		/* Parsed only when a hit needs it (log_event_time). */
		sc->ts_text = v;
		sc->ts_len = n;
	}
	if (k->time_only || n == 0 || sc->nfield >= LOG_MAX_FIELDS)
		return;
	enum obs_kind kind = k->kind;
	/* A host or DNS answer may be an address literal; an answer with a
	 * space ("TXT 12 v=spf1 ...") is neither a name nor an address. */
	if (kind == OBS_DOMAIN && log_is_ip_text(v, n, 0))
		kind = OBS_IP;
	else if (kind == OBS_DOMAIN && memchr(v, ' ', n))
		return;
	sc->field[sc->nfield++] = (struct log_field){k->path, kind, v, n};
}

static void skip_ws(struct jl_scan *sc)
{
	while (sc->p < sc->end &&
	       (*sc->p == ' ' || *sc->p == '\t' || *sc->p == '\r' || *sc->p == '\n'))
		sc->p++;
}

static int fail(struct jl_scan *sc, const char *why)
{
	if (!sc->why)
		sc->why = why;
	return -1;
}

static int hex4(const char *s, const char *end, unsigned *out)
{
	if (end - s < 4)
		return -1;
	unsigned v = 0;
	for (int i = 0; i < 4; i++) {
		int h = hex_digit(s[i]);
		if (h < 0)
			return -1;
		v = v << 4 | (unsigned)h;
	}
	*out = v;
	return 0;
}

/* Unescapes the string body [s, e) in place; returns the new length or -1.
 * The output never outgrows the input: \uXXXX (6 bytes) becomes at most 3,
 * a surrogate pair (12) 4. */
static long unescape(char *s, char *e)
{
	char *w = s;
	for (char *r = s; r < e;) {
		if (*r != '\\') {
			*w++ = *r++;
			continue;
		}
		if (e - r < 2)
			return -1;
		char c = r[1];
		r += 2;
		switch (c) {
		case '"':
		case '\\':
		case '/':
			*w++ = c;
			continue;
		case 'b':
			*w++ = '\b';
			continue;
		case 'f':
			*w++ = '\f';
			continue;
		case 'n':
			*w++ = '\n';
			continue;
		case 'r':
			*w++ = '\r';
			continue;
		case 't':
			*w++ = '\t';
			continue;
		case 'u':
			break;
		default:
			return -1;
		}
		unsigned cp;
		if (hex4(r, e, &cp))
			return -1;
		r += 4;
		if (cp >= 0xd800 && cp <= 0xdbff) {
			unsigned lo;
			if (e - r >= 6 && r[0] == '\\' && r[1] == 'u' && hex4(r + 2, e, &lo) == 0 &&
			    lo >= 0xdc00 && lo <= 0xdfff) {
				cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
				r += 6;
			} else {
				cp = 0xfffd;
			}
		} else if (cp >= 0xdc00 && cp <= 0xdfff) {
			cp = 0xfffd;
		}
		if (cp < 0x80) {
			*w++ = (char)cp;
		} else if (cp < 0x800) {
			*w++ = (char)(0xc0 | cp >> 6);
			*w++ = (char)(0x80 | (cp & 0x3f));
		} else if (cp < 0x10000) {
			*w++ = (char)(0xe0 | cp >> 12);
			*w++ = (char)(0x80 | (cp >> 6 & 0x3f));
			*w++ = (char)(0x80 | (cp & 0x3f));
		} else {
			*w++ = (char)(0xf0 | cp >> 18);
			*w++ = (char)(0x80 | (cp >> 12 & 0x3f));
			*w++ = (char)(0x80 | (cp >> 6 & 0x3f));
			*w++ = (char)(0x80 | (cp & 0x3f));
		}
	}
	return w - s;
}

/* Scans a string at sc->p (on the opening quote). Sets *s, *n to the body,
 * unescaped in place when unesc is set; leaves sc->p after the closing quote.
 * Strings are short in logs, so a byte loop beats memchr here. */
static int scan_string(struct jl_scan *sc, int unesc, char **s, size_t *n)
{
	char *b = ++sc->p, *q = b, *end = sc->end;
	int esc = 0;
	for (;;) {
		if (q >= end)
			return fail(sc, "unterminated string");
		if (*q == '"')
			break;
		if (*q == '\\') {
			if (q + 1 >= end || !strchr("\"\\/bfnrtu", q[1]) || q[1] == 0)
				return fail(sc, "bad escape in string");
			esc = 1;
			q += 2;
			continue;
		}
		q++;
	}
	sc->p = q + 1;
	*s = b;
	*n = (size_t)(q - b);
	if (esc && unesc) {
		long m = unescape(b, q);
		if (m < 0)
			return fail(sc, "bad escape in string");
		*n = (size_t)m;
	}
	return 0;
}

static int scan_number(struct jl_scan *sc, char **s, size_t *n)
{
	char *p = sc->p, *b = p;
	if (p < sc->end && *p == '-')
		p++;
	char *d = p;
	while (p < sc->end && *p >= '0' && *p <= '9')
		p++;
	if (p == d)
		return fail(sc, "invalid value");
	if (p < sc->end && *p == '.') {
		d = ++p;
		while (p < sc->end && *p >= '0' && *p <= '9')
			p++;
		if (p == d)
			return fail(sc, "invalid number");
	}
	if (p < sc->end && (*p == 'e' || *p == 'E')) {
		p++;
		if (p < sc->end && (*p == '+' || *p == '-'))
			p++;
		d = p;
		while (p < sc->end && *p >= '0' && *p <= '9')
			p++;
		if (p == d)
			return fail(sc, "invalid number");
	}
	*s = b;
	*n = (size_t)(p - b);
	sc->p = p;
	return 0;
}

static int scan_value(struct jl_scan *sc, int depth, const struct jl_key *hit);

static int scan_object(struct jl_scan *sc, int depth)
{
	if (depth > JL_MAX_DEPTH)
		return fail(sc, "nested too deeply");
	sc->p++; /* '{' */
	skip_ws(sc);
	if (sc->p < sc->end && *sc->p == '}') {
		sc->p++;
		return 0;
	}
	size_t saved = sc->plen;
	int saved_over = sc->path_over;
	for (;;) {
		skip_ws(sc);
		if (sc->p >= sc->end || *sc->p != '"')
			return fail(sc, sc->p >= sc->end ? "truncated object" : "expected a key");
		char *k;
		size_t kn;
		if (scan_string(sc, 1, &k, &kn))
			return -1;
		const struct jl_key *hit = NULL;
		if (saved == 0) {
			/* Top level: the path is the key (Zeek's flat objects). */
			hit = jl_find(sc->full, k, kn);
			if (kn <= sizeof sc->path) {
				memcpy(sc->path, k, kn);
				sc->plen = kn;
			} else {
				sc->path_over = 1;
			}
		} else if (!sc->path_over) {
			size_t need = kn + (saved ? 1 : 0);
			if (saved + need <= sizeof sc->path) {
				if (saved)
					sc->path[saved] = '.';
				memcpy(sc->path + saved + (saved ? 1 : 0), k, kn);
				sc->plen = saved + need;
				hit = jl_find(sc->full, sc->path, sc->plen);
			} else {
				sc->path_over = 1;
			}
		}
		if (!hit)
			hit = jl_find(sc->leaf, k, kn);
		skip_ws(sc);
		if (sc->p >= sc->end || *sc->p != ':')
			return fail(sc, sc->p >= sc->end ? "truncated object" : "expected ':'");
		sc->p++;
		skip_ws(sc);
		if (scan_value(sc, depth, hit))
			return -1;
		sc->plen = saved;
		sc->path_over = saved_over;
		skip_ws(sc);
		if (sc->p >= sc->end)
			return fail(sc, "truncated object");
		if (*sc->p == ',') {
			sc->p++;
			continue;
		}
		if (*sc->p == '}') {
			sc->p++;
			return 0;
		}
		return fail(sc, "expected ',' or '}'");
	}
}

static int scan_array(struct jl_scan *sc, int depth, const struct jl_key *hit)
{
	if (depth > JL_MAX_DEPTH)
		return fail(sc, "nested too deeply");
	sc->p++; /* '[' */
	skip_ws(sc);
	if (sc->p < sc->end && *sc->p == ']') {
		sc->p++;
		return 0;
	}
	for (;;) {
		skip_ws(sc);
		if (scan_value(sc, depth, hit))
			return -1;
		skip_ws(sc);
		if (sc->p >= sc->end)
			return fail(sc, "truncated array");
		if (*sc->p == ',') {
			sc->p++;
			continue;
		}
		if (*sc->p == ']') {
			sc->p++;
			return 0;
		}
		return fail(sc, "expected ',' or ']'");
	}
}

static int literal(struct jl_scan *sc, const char *word, size_t n)
{
	if ((size_t)(sc->end - sc->p) < n || memcmp(sc->p, word, n) != 0)
		return fail(sc, "invalid value");
	sc->p += n;
	return 0;
}

static int scan_value(struct jl_scan *sc, int depth, const struct jl_key *hit)
{
	if (sc->p >= sc->end)
		return fail(sc, "truncated value");
	char *s;
	size_t n;
	switch (*sc->p) {
	case '"':
		if (scan_string(sc, hit != NULL, &s, &n))
			return -1;
		if (hit)
			jl_emit(sc, hit, s, n);
		return 0;
	case '{':
		return scan_object(sc, depth + 1);
	case '[':
		return scan_array(sc, depth + 1, hit);
	case 't':
		return literal(sc, "true", 4);
	case 'f':
		return literal(sc, "false", 5);
	case 'n':
		return literal(sc, "null", 4);
	default:
		if (scan_number(sc, &s, &n))
			return -1;
		/* A number is a time, a port or text; never an address or name. */
		if (hit &&
		    (hit->kind == OBS_NONE || hit->kind == OBS_PORT || hit->kind == OBS_STRING))
			jl_emit(sc, hit, s, n);
		return 0;
	}
}

struct jl_read {
	const struct jl_table *full, *leaf;
	struct log_src *src;
	struct log_stats *st;
	log_event_fn fn;
	void *arg;
	struct jl_scan sc;
};

static int jl_line(void *arg, char *line, size_t n, uint64_t no)
{
	struct jl_read *r = arg;
	struct jl_scan *sc = &r->sc;
	sc->start = sc->p = line;
	sc->end = line + n;
	sc->plen = 0;
	sc->path_over = 0;
	sc->nfield = 0;
	sc->ts_text = NULL;
	sc->ts_len = 0;
	sc->why = NULL;
	skip_ws(sc);
	if (sc->p == sc->end)
		return 0; /* blank line */
	if (*sc->p != '{') {
		log_stats_bad(r->st, no, "not a JSON object");
		return 0;
	}
	if (scan_object(sc, 1) == 0) {
		skip_ws(sc);
		if (sc->p != sc->end)
			fail(sc, "bytes after the JSON object");
	}
	if (sc->why) {
		char why[96];
		snprintf(why, sizeof why, "invalid JSON at column %ld: %s",
			 (long)(sc->p - line) + 1, sc->why);
		log_stats_bad(r->st, no, why);
		return 0;
	}
	struct log_event ev = {r->src->name, no, 0, sc->field, sc->nfield, sc->ts_text, sc->ts_len};
	return r->fn(r->arg, &ev);
}

static int jsonl_read(struct log_src *src, const struct log_opts *o, log_event_fn fn, void *arg,
		      struct log_stats *st)
{
	size_t nmap = o ? o->nmap : 0;
	struct jl_table full, leaf = {NULL, 0};
	jl_table_init(&full, nmap + ARRAY_LEN(ecs_map) + ARRAY_LEN(time_keys));
	int has_time = 0;
	for (size_t i = 0; i < nmap; i++) {
		jl_add(&full, o->map[i].path, o->map[i].kind, 0);
		has_time |= o->map[i].kind == OBS_NONE;
	}
	if (nmap == 0) {
		for (size_t i = 0; i < ARRAY_LEN(ecs_map); i++)
			jl_add(&full, ecs_map[i].path, ecs_map[i].kind, 0);
		jl_table_init(&leaf, ARRAY_LEN(leaf_map));
		for (size_t i = 0; i < ARRAY_LEN(leaf_map); i++)
			jl_add(&leaf, leaf_map[i].path, leaf_map[i].kind, 0);
	}
	if (!has_time)
		for (size_t i = 0; i < ARRAY_LEN(time_keys); i++)
			jl_add(&full, time_keys[i], OBS_NONE, 1);
	struct jl_read *r = xcalloc(1, sizeof *r);
	r->full = &full;
	r->leaf = leaf.slot ? &leaf : NULL;
	r->src = src;
	r->st = st;
	r->fn = fn;
	r->arg = arg;
	r->sc.full = r->full;
	r->sc.leaf = r->leaf;
	int rc = log_lines(src, st, jl_line, r);
	free(r);
	free(full.slot);
	free(leaf.slot);
	return rc;
}

/* Generic JSON lines: a line that starts with '{' (any JSON object). Zeek
 * JSON sniffs higher, so it wins on Zeek's logs. */
static int jsonl_sniff(const char *head, size_t len)
{
	size_t i = 0;
	while (i < len && (head[i] == ' ' || head[i] == '\t' || head[i] == '\r' || head[i] == '\n'))
		i++;
	if (i + 1 >= len || head[i] != '{')
		return 0;
	/* An object whose first key is quoted looks like JSON, not like text. */
	i++;
	while (i < len && (head[i] == ' ' || head[i] == '\t'))
		i++;
	return i < len && head[i] == '"' ? 50 : 10;
}

const struct log_reader log_jsonl_reader = {
    .name = "jsonl",
    .summary = "JSON lines with --field PATH=TYPE mappings (default: ECS names)",
    .sniff = jsonl_sniff,
    .read = jsonl_read,
};
