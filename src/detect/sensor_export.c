/*
 * sensor_export.c: indicators written as a Zeek intel file or as Suricata
 * dataset files (see sensor_export.h for what is exported and why).
 *
 * The store is scanned once; each indicator's JSON is parsed, its validity
 * checked, its pattern parsed by the one pattern parser (pattern.h) and its
 * comparisons walked. Values are normalised by value.h, so a sensor sees the
 * same spelling the matcher uses. Nothing is kept between indicators, so
 * memory does not grow with the store (a value that two indicators carry is
 * written twice; Zeek merges the two items, Suricata's set holds it once).
 */
#include "sensor_export.h"
#include "../ingest/value.h"
#include "../stix/pattern.h"
#include "../util/util.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Output types; the order of the names below. */
enum zeek_type { Z_ADDR, Z_SUBNET, Z_DOMAIN, Z_URL, Z_EMAIL, Z_FILE_HASH, Z__COUNT };
static const char *const zeek_names[] = {"Intel::ADDR", "Intel::SUBNET", "Intel::DOMAIN",
					 "Intel::URL",	"Intel::EMAIL",	 "Intel::FILE_HASH"};

enum suri_type { S_DOMAIN, S_URL, S_URL_HOST, S_IPV4, S_IPV6, S_MD5, S_SHA1, S_SHA256, S__COUNT };
static const struct {
	const char *file, *dataset, *type; /* type: NULL for a file of the file* keywords */
	int base64;
} suri[] = {
    [S_DOMAIN] = {"domain.lst", "vb-domain", "string", 1},
    [S_URL] = {"url.lst", "vb-url", "string", 1},
    [S_URL_HOST] = {"url-host.lst", "vb-url-host", "string", 1},
    [S_IPV4] = {"ipv4.lst", "vb-ipv4", "ipv4", 0},
    [S_IPV6] = {"ipv6.lst", "vb-ipv6", "ip", 0},
    [S_MD5] = {"md5.lst", "vb-md5", "md5", 0},
    [S_SHA1] = {"sha1.lst", "vb-sha1", NULL, 0},
    [S_SHA256] = {"sha256.lst", "vb-sha256", "sha256", 0},
};

int sensor_format_parse(const char *name)
{
	if (strcmp(name, "zeek-intel") == 0)
		return SENSOR_ZEEK_INTEL;
	if (strcmp(name, "suricata-dataset") == 0)
		return SENSOR_SURICATA_DATASET;
	return -1;
}

const char *sensor_type_name(enum sensor_format f, unsigned i)
{
	if (f == SENSOR_ZEEK_INTEL)
		return i < Z__COUNT ? zeek_names[i] : NULL;
	return i < S__COUNT ? suri[i].file : NULL;
}

struct sx {
	enum sensor_format fmt;
	FILE *out;	       /* Zeek */
	FILE *files[S__COUNT]; /* Suricata: the .tmp files */
	char *dir;
	int64_t at;
	struct sensor_export_stats *s;
	int write_error;
	/* The indicator being exported. */
	const char *id;
	char desc[512], url[512];
	uint64_t written;
	char *norm; /* VALUE_NORM_CAP bytes */
};

/* Copies s into out with control characters (tab, newline, ...) turned into
 * spaces, so the text fits in one TSV field; "-" when empty. */
static void field_text(char *out, size_t cap, const char *s)
{
	size_t n = 0;
	for (; s && *s && n + 1 < cap; s++)
		out[n++] = ((unsigned char)*s < 0x20 || *s == 0x7f) ? ' ' : *s;
	out[n] = 0;
	if (n == 0)
		snprintf(out, cap, "-");
}

static int has_ctl(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return 1;
	return 0;
}

static void base64(FILE *f, const unsigned char *s, size_t n)
{
	static const char a[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t i = 0;
	for (; i + 3 <= n; i += 3) {
		unsigned v = (unsigned)s[i] << 16 | (unsigned)s[i + 1] << 8 | s[i + 2];
		fputc(a[v >> 18], f);
		fputc(a[v >> 12 & 63], f);
		fputc(a[v >> 6 & 63], f);
		fputc(a[v & 63], f);
	}
	if (n - i == 1) {
		unsigned v = (unsigned)s[i] << 16;
		fputc(a[v >> 18], f);
		fputc(a[v >> 12 & 63], f);
		fputs("==", f);
	} else if (n - i == 2) {
		unsigned v = (unsigned)s[i] << 16 | (unsigned)s[i + 1] << 8;
		fputc(a[v >> 18], f);
		fputc(a[v >> 12 & 63], f);
		fputc(a[v >> 6 & 63], f);
		fputc('=', f);
	}
}

static void zeek_line(struct sx *x, enum zeek_type t, const char *v, size_t n)
{
	if (has_ctl(v, n) || n == 0) {
		x->s->unsupported++;
		return;
	}
	fprintf(x->out, "%.*s\t%s\t%s\t%s\t%s\n", (int)n, v, zeek_names[t], x->id, x->desc, x->url);
	x->s->per_type[t]++;
	x->s->values++;
	x->written++;
}

static void suri_line(struct sx *x, enum suri_type t, const char *v, size_t n)
{
	if (n == 0 || (!suri[t].base64 && has_ctl(v, n))) {
		x->s->unsupported++;
		return;
	}
	FILE *f = x->files[t];
	if (suri[t].base64)
		base64(f, (const unsigned char *)v, n);
	else
		fwrite(v, 1, n, f);
	fputc('\n', f);
	x->s->per_type[t]++;
	x->s->values++;
	x->written++;
}

/* Writes one normalised value of kind k. */
static void emit(struct sx *x, enum value_kind k, const char *v, size_t n)
{
	if (x->fmt == SENSOR_ZEEK_INTEL) {
		switch (k) {
		case VALUE_IPV4:
		case VALUE_IPV6:
			zeek_line(x, Z_ADDR, v, n);
			return;
		case VALUE_IPV4_CIDR:
		case VALUE_IPV6_CIDR:
			zeek_line(x, Z_SUBNET, v, n);
			return;
		case VALUE_DOMAIN:
			zeek_line(x, Z_DOMAIN, v, n);
			return;
		case VALUE_URL: {
			/* Zeek looks up host + URI, without the scheme. */
			const char *sep = memmem(v, n, "://", 3);
			if (sep) {
				n -= (size_t)(sep + 3 - v);
				v = sep + 3;
			}
			zeek_line(x, Z_URL, v, n);
			return;
		}
		case VALUE_EMAIL:
			zeek_line(x, Z_EMAIL, v, n);
			return;
		case VALUE_MD5:
		case VALUE_SHA1:
		case VALUE_SHA256:
		case VALUE_SHA512:
			zeek_line(x, Z_FILE_HASH, v, n);
			return;
		default:
			x->s->unsupported++;
			return;
		}
	}
	switch (k) {
	case VALUE_IPV4:
		suri_line(x, S_IPV4, v, n);
		return;
	case VALUE_IPV6:
		suri_line(x, S_IPV6, v, n);
		return;
	case VALUE_DOMAIN:
		suri_line(x, S_DOMAIN, v, n);
		return;
	case VALUE_URL: {
		/* http.uri holds the path and query; http.host the host. */
		const char *sep = memmem(v, n, "://", 3);
		const char *h = sep ? sep + 3 : v, *end = v + n;
		const char *path = memchr(h, '/', (size_t)(end - h));
		const char *he = path ? path : end;
		const char *at = memchr(h, '@', (size_t)(he - h));
		if (at)
			h = at + 1;
		const char *colon = memrchr(h, ':', (size_t)(he - h));
		if (colon && !memchr(h, ']', (size_t)(he - h)))
			he = colon;
		if (!path || (size_t)(end - path) <= 1 || he == h) {
			/* No path beyond "/": the set would match every request. */
			x->s->unsupported++;
			return;
		}
		suri_line(x, S_URL, path, (size_t)(end - path));
		suri_line(x, S_URL_HOST, h, (size_t)(he - h));
		x->s->values--; /* one URL, two lines */
		return;
	}
	case VALUE_MD5:
		suri_line(x, S_MD5, v, n);
		return;
	case VALUE_SHA1:
		suri_line(x, S_SHA1, v, n);
		return;
	case VALUE_SHA256:
		suri_line(x, S_SHA256, v, n);
		return;
	default:
		x->s->unsupported++; /* CIDR blocks, e-mail, SHA-512 */
		return;
	}
}

/* The value kinds a comparison's object path may hold, or VALUE_NONE when
 * no sensor type carries the path. */
static int path_kinds(const struct pattern_cmp *c, enum value_kind *a, enum value_kind *b)
{
	const char *t = c->object_type;
	*a = *b = VALUE_NONE;
	const struct pattern_step *s = c->steps;
	if (c->nsteps == 1 && strcmp(s[0].key, "value") == 0) {
		if (strcmp(t, "ipv4-addr") == 0) {
			*a = VALUE_IPV4;
			*b = VALUE_IPV4_CIDR;
		} else if (strcmp(t, "ipv6-addr") == 0) {
			*a = VALUE_IPV6;
			*b = VALUE_IPV6_CIDR;
		} else if (strcmp(t, "domain-name") == 0) {
			*a = VALUE_DOMAIN;
		} else if (strcmp(t, "url") == 0) {
			*a = VALUE_URL;
		} else if (strcmp(t, "email-addr") == 0) {
			*a = VALUE_EMAIL;
		}
		return *a != VALUE_NONE;
	}
	if (strcmp(t, "email-message") == 0 && c->nsteps >= 2 &&
	    s[c->nsteps - 1].kind == PATTERN_STEP_KEY &&
	    strcmp(s[c->nsteps - 1].key, "value") == 0 &&
	    (strcmp(s[0].key, "from_ref") == 0 || strcmp(s[0].key, "sender_ref") == 0 ||
	     strcmp(s[0].key, "to_refs") == 0 || strcmp(s[0].key, "cc_refs") == 0)) {
		*a = VALUE_EMAIL;
		return 1;
	}
	if (strcmp(t, "file") == 0 && c->nsteps == 2 && strcmp(s[0].key, "hashes") == 0 &&
	    s[1].kind == PATTERN_STEP_KEY) {
		const char *h = s[1].key;
		if (str_ieq(h, "MD5"))
			*a = VALUE_MD5;
		else if (str_ieq(h, "SHA-1") || str_ieq(h, "SHA1"))
			*a = VALUE_SHA1;
		else if (str_ieq(h, "SHA-256") || str_ieq(h, "SHA256"))
			*a = VALUE_SHA256;
		else if (str_ieq(h, "SHA-512") || str_ieq(h, "SHA512"))
			*a = VALUE_SHA512;
		return *a != VALUE_NONE;
	}
	return 0;
}

static void literal(struct sx *x, const struct pattern_cmp *c, const struct pattern_lit *l)
{
	enum value_kind a, b;
	if (l->kind != PATTERN_LIT_STRING || !path_kinds(c, &a, &b)) {
		x->s->unsupported++;
		return;
	}
	enum value_kind k = value_detect(l->str, l->len);
	if (k != a && k != b) {
		x->s->unsupported++;
		return;
	}
	int n = value_normalise(k, l->str, l->len, x->norm, VALUE_NORM_CAP);
	if (n <= 0) {
		x->s->unsupported++;
		return;
	}
	/* "10.0.0.0/8" normalises to itself; "1.2.3.4/32" to the bare address. */
	k = value_detect(x->norm, (size_t)n);
	emit(x, k, x->norm, (size_t)n);
}

static int cmp_fn(void *arg, const struct pattern_cmp *c)
{
	struct sx *x = arg;
	switch (c->op) {
	case PATTERN_OP_EQ:
	case PATTERN_OP_ISSUBSET:
		literal(x, c, &c->lit);
		break;
	case PATTERN_OP_IN:
		for (size_t i = 0; i < c->nset; i++)
			literal(x, c, &c->set[i]);
		break;
	default:
		x->s->unsupported++;
		break;
	}
	return 0;
}

static int simple_expr(const struct pattern_expr *e)
{
	if (e->kind == PATTERN_EXPR_CMP)
		return !e->cmp->negated;
	if (e->kind == PATTERN_EXPR_AND)
		return 0;
	for (size_t i = 0; i < e->nchild; i++)
		if (!simple_expr(e->child[i]))
			return 0;
	return 1;
}

/* One observation, or observations joined by OR, with no qualifiers. */
static int simple_obs(const struct pattern_obs *o)
{
	if (o->quals)
		return 0;
	if (o->kind == PATTERN_OBS)
		return simple_expr(o->expr);
	if (o->kind != PATTERN_OBS_OR)
		return 0;
	for (size_t i = 0; i < o->nchild; i++)
		if (!simple_obs(o->child[i]))
			return 0;
	return 1;
}

static int64_t json_time(const cJSON *o, const char *key, int64_t dflt)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	int64_t us;
	if (cJSON_IsString(v) && time_parse(v->valuestring, &us) == 0)
		return us;
	return dflt;
}

static int row_fn(void *arg, const struct store_row *row)
{
	struct sx *x = arg;
	if (strcmp(row->type, "indicator") != 0)
		return 0;
	x->s->indicators++;
	cJSON *o = cJSON_ParseWithLength(row->json, row->json_len);
	if (!o) {
		x->s->bad++;
		return 0;
	}
	const cJSON *rev = cJSON_GetObjectItemCaseSensitive(o, "revoked");
	const cJSON *pt = cJSON_GetObjectItemCaseSensitive(o, "pattern_type");
	const cJSON *p = cJSON_GetObjectItemCaseSensitive(o, "pattern");
	if (cJSON_IsTrue(rev) || json_time(o, "valid_from", INT64_MIN) > x->at ||
	    json_time(o, "valid_until", INT64_MAX) <= x->at) {
		x->s->not_valid++;
		goto done;
	}
	if ((pt && !(cJSON_IsString(pt) && strcmp(pt->valuestring, "stix") == 0)) ||
	    !cJSON_IsString(p)) {
		x->s->not_simple++;
		goto done;
	}
	struct pattern *pat;
	if (pattern_parse(p->valuestring, strlen(p->valuestring), &pat, NULL)) {
		x->s->bad++;
		goto done;
	}
	if (!simple_obs(pat->root)) {
		x->s->not_simple++;
		pattern_free(pat);
		goto done;
	}
	x->id = row->id;
	const cJSON *name = cJSON_GetObjectItemCaseSensitive(o, "name");
	field_text(x->desc, sizeof x->desc, cJSON_IsString(name) ? name->valuestring : NULL);
	const cJSON *refs = cJSON_GetObjectItemCaseSensitive(o, "external_references"), *r;
	const char *url = NULL;
	cJSON_ArrayForEach(r, refs)
	{
		const cJSON *u = cJSON_GetObjectItemCaseSensitive(r, "url");
		if (!url && cJSON_IsString(u))
			url = u->valuestring;
	}
	field_text(x->url, sizeof x->url, url);
	x->written = 0;
	pattern_walk(pat, cmp_fn, x);
	if (x->written)
		x->s->exported++;
	pattern_free(pat);
done:
	cJSON_Delete(o);
	if ((x->out && ferror(x->out)))
		return VB_EIO;
	for (int i = 0; i < S__COUNT; i++)
		if (x->files[i] && ferror(x->files[i]))
			return VB_EIO;
	return 0;
}

static char *path_join(const char *dir, const char *file, const char *suffix)
{
	size_t n = strlen(dir) + strlen(file) + strlen(suffix) + 2;
	char *p = xmalloc(n);
	snprintf(p, n, "%s/%s%s", dir, file, suffix);
	return p;
}

static int write_readme(struct sx *x, struct vb_err *err)
{
	char *path = path_join(x->dir, "README", "");
	FILE *f = fopen(path, "w");
	if (!f) {
		int rc = vb_err_set(err, VB_EIO, "%s: %s", path, strerror(errno));
		free(path);
		return rc;
	}
	char abs[PATH_MAX];
	const char *d = realpath(x->dir, abs) ? abs : x->dir;
	fprintf(f, "Suricata datasets written by verbinding export --format suricata-dataset.\n"
		   "Exact values only: a domain set does not match subdomains, and CIDR blocks,\n"
		   "e-mail addresses and SHA-512 hashes have no dataset form (they are counted\n"
		   "as skipped). Strings are base64, one per line; hashes hex; addresses text.\n\n"
		   "suricata.yaml:\n\ndatasets:\n");
	for (int i = 0; i < S__COUNT; i++) {
		if (!suri[i].type)
			continue;
		uint64_t n = x->s->per_type[i];
		fprintf(f, "  %s:\n    type: %s\n    load: %s/%s\n    hashsize: %llu\n",
			suri[i].dataset, suri[i].type, d, suri[i].file,
			(unsigned long long)(n < 1024 ? 1024 : n));
	}
	fprintf(
	    f,
	    "\nRules (sids are examples):\n\n"
	    "alert dns any any -> any any (msg:\"verbinding domain (DNS)\"; dns.query; "
	    "to_lowercase; dataset:isset,vb-domain; sid:9100001; rev:1;)\n"
	    "alert tls any any -> any any (msg:\"verbinding domain (TLS SNI)\"; tls.sni; "
	    "to_lowercase; dataset:isset,vb-domain; sid:9100002; rev:1;)\n"
	    "alert http any any -> any any (msg:\"verbinding domain (HTTP host)\"; http.host; "
	    "dataset:isset,vb-domain; sid:9100003; rev:1;)\n"
	    "alert http any any -> any any (msg:\"verbinding URL\"; http.host; "
	    "dataset:isset,vb-url-host; http.uri; dataset:isset,vb-url; sid:9100004; rev:1;)\n"
	    "  (the two sets are independent: a host of one URL with the path of another\n"
	    "   also matches)\n"
	    "alert ip any any -> any any (msg:\"verbinding IPv4 (dst)\"; ip.dst; "
	    "dataset:isset,vb-ipv4; sid:9100005; rev:1;)\n"
	    "alert ip any any -> any any (msg:\"verbinding IPv4 (src)\"; ip.src; "
	    "dataset:isset,vb-ipv4; sid:9100006; rev:1;)\n"
	    "alert ip any any -> any any (msg:\"verbinding IPv6 (dst)\"; ip.dst; "
	    "dataset:isset,vb-ipv6; sid:9100007; rev:1;)\n"
	    "alert ip any any -> any any (msg:\"verbinding IPv6 (src)\"; ip.src; "
	    "dataset:isset,vb-ipv6; sid:9100008; rev:1;)\n"
	    "alert http any any -> any any (msg:\"verbinding file MD5\"; filemd5:%s/md5.lst; "
	    "sid:9100009; rev:1;)\n"
	    "alert http any any -> any any (msg:\"verbinding file SHA-1\"; filesha1:%s/sha1.lst; "
	    "sid:9100010; rev:1;)\n"
	    "alert http any any -> any any (msg:\"verbinding file SHA-256\"; "
	    "filesha256:%s/sha256.lst; sid:9100011; rev:1;)\n",
	    d, d, d);
	int bad = ferror(f) != 0;
	bad |= fclose(f) != 0;
	if (bad) {
		int rc = vb_err_set(err, VB_EIO, "%s: write failed", path);
		free(path);
		return rc;
	}
	free(path);
	return 0;
}

static int suri_open(struct sx *x, struct vb_err *err)
{
	if (mkdir(x->dir, 0755) && errno != EEXIST)
		return vb_err_set(err, VB_EIO, "%s: %s", x->dir, strerror(errno));
	for (int i = 0; i < S__COUNT; i++) {
		char *tmp = path_join(x->dir, suri[i].file, ".tmp");
		x->files[i] = fopen(tmp, "w");
		if (!x->files[i]) {
			int rc = vb_err_set(err, VB_EIO, "%s: %s", tmp, strerror(errno));
			free(tmp);
			return rc;
		}
		free(tmp);
	}
	return 0;
}

/* Closes the .tmp files and, when all went well, renames them over the
 * final names, so a sensor never loads a half-written set. */
static int suri_close(struct sx *x, int ok, struct vb_err *err)
{
	int rc = 0;
	for (int i = 0; i < S__COUNT; i++) {
		if (!x->files[i])
			continue;
		int bad = ferror(x->files[i]) != 0;
		bad |= fclose(x->files[i]) != 0;
		x->files[i] = NULL;
		char *tmp = path_join(x->dir, suri[i].file, ".tmp");
		char *fin = path_join(x->dir, suri[i].file, "");
		if (bad && !rc)
			rc = vb_err_set(err, VB_EIO, "%s: write failed", tmp);
		if (ok && !rc && rename(tmp, fin))
			rc = vb_err_set(err, VB_EIO, "%s: %s", fin, strerror(errno));
		if (!ok || rc)
			remove(tmp);
		free(tmp);
		free(fin);
	}
	return rc;
}

int sensor_export_run(struct store *st, const struct store_filter *f, enum sensor_format fmt,
		      FILE *out, const char *dir, int64_t at, struct sensor_export_stats *stats,
		      struct vb_err *err)
{
	memset(stats, 0, sizeof *stats);
	vb_err_clear(err);
	struct sx x = {.fmt = fmt, .out = out, .at = at, .s = stats};
	x.norm = xmalloc(VALUE_NORM_CAP);
	int rc = 0;
	if (fmt == SENSOR_SURICATA_DATASET) {
		if (!dir) {
			free(x.norm);
			return vb_err_set(err, VB_EUSAGE, "suricata-dataset needs -o DIR");
		}
		x.dir = xstrdup(dir);
		x.out = NULL;
		if ((rc = suri_open(&x, err)) != 0)
			goto out;
	} else {
		fputs("#fields\tindicator\tindicator_type\tmeta.source\tmeta.desc\tmeta.url\n",
		      out);
	}
	static const char *const types[] = {"indicator", NULL};
	struct store_filter g = *f;
	g.types = types;
	g.all_versions = 0;
	rc = store_scan(st, &g, row_fn, &x);
	if (rc == VB_EIO)
		vb_err_set(err, VB_EIO, "write failed");
	else if (rc)
		vb_err_set(err, rc, "reading the store failed");
	if (fmt == SENSOR_SURICATA_DATASET) {
		int crc = suri_close(&x, rc == 0, err);
		if (!rc)
			rc = crc;
		if (!rc)
			rc = write_readme(&x, err);
	}
out:
	if (fmt == SENSOR_SURICATA_DATASET && x.files[0])
		suri_close(&x, 0, NULL);
	free(x.dir);
	free(x.norm);
	return rc;
}

void sensor_export_summary(FILE *to, enum sensor_format fmt, const struct sensor_export_stats *s)
{
	fprintf(to,
		"export: %llu indicators read, %llu exported with %llu values; skipped: %llu not "
		"valid now or revoked, %llu not a simple equality, %llu values of no %s type, "
		"%llu unreadable\n",
		(unsigned long long)s->indicators, (unsigned long long)s->exported,
		(unsigned long long)s->values, (unsigned long long)s->not_valid,
		(unsigned long long)s->not_simple, (unsigned long long)s->unsupported,
		fmt == SENSOR_ZEEK_INTEL ? "Zeek intel" : "Suricata dataset",
		(unsigned long long)s->bad);
	for (unsigned i = 0; sensor_type_name(fmt, i); i++)
		if (s->per_type[i])
			fprintf(to, "  %-18s %llu\n", sensor_type_name(fmt, i),
				(unsigned long long)s->per_type[i]);
}
