/*
 * ingest_misp.c: the MISP event reader and feed folders.
 *
 * A MISP event becomes a STIX 2.1 report whose object_refs name everything
 * made from the event: attributes become observables (SCOs with
 * deterministic ids) and, when to_ids is set, indicators with a STIX
 * pattern; vulnerability, threat-actor and campaign-name attributes become
 * those SDOs; text and attributes of types without a STIX mapping become
 * notes, so nothing is dropped silently. MISP objects are kept whole as
 * x-misp-object custom objects next to the mapping of their attributes.
 * Galaxy clusters become intrusion-set, malware, tool and attack-pattern
 * objects (ingest_galaxy.c builds them), and every indicator of the event
 * "indicates" the event's intrusion sets and malware.
 *
 * Markings: a tlp:* tag wins; without one the MISP distribution level maps
 * to a TLP 2.0 marking (DOMAIN.md). Attributes and objects inherit the
 * event's marking; their own tlp tag overrides it, and their own
 * distribution can only make it stricter, as in MISP.
 *
 * Ids are derived from MISP uuids (or deterministically from content), so
 * importing the same event twice stores nothing new and a newer event
 * timestamp adds versions.
 */
#include "ingest_misp.h"
#include "ingest.h"
#include "../stix/stix.h"
#include "../util/buf.h"
#include "../util/util.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#define MAX_DEPTH	   64	       /* nesting allowed in a MISP document */
#define MAX_PATTERN	   (4u << 20)  /* bytes of one generated pattern */
#define MAX_MANIFEST	   (64u << 20) /* bytes of a feed's manifest.json */
#define MAX_NAME	   256	       /* bytes of a generated indicator name */
#define MAX_UNMAPPED_KINDS 32	       /* distinct unmapped types listed in the message */

/* Builds a JSON pointer into out; a pointer too long for it is cut, which
 * only shortens a message. */
static void jp(char *out, size_t cap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void jp(char *out, size_t cap, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(out, cap, fmt, ap);
	va_end(ap);
}

/* ---- a set of strings ---- */

static uint64_t str_hash(const char *s)
{
	uint64_t h = 1469598103934665603ull;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

static void set_grow(struct misp_set *s)
{
	size_t cap = s->cap ? s->cap * 2 : 64;
	char **slot = xcalloc(cap, sizeof *slot);
	for (size_t i = 0; i < s->cap; i++) {
		if (!s->slot[i])
			continue;
		size_t j = str_hash(s->slot[i]) & (cap - 1);
		while (slot[j])
			j = (j + 1) & (cap - 1);
		slot[j] = s->slot[i];
	}
	free(s->slot);
	s->slot = slot;
	s->cap = cap;
}

int misp_set_has(const struct misp_set *s, const char *str)
{
	if (!s->cap)
		return 0;
	size_t j = str_hash(str) & (s->cap - 1);
	while (s->slot[j]) {
		if (strcmp(s->slot[j], str) == 0)
			return 1;
		j = (j + 1) & (s->cap - 1);
	}
	return 0;
}

int misp_set_add(struct misp_set *s, const char *str)
{
	if ((s->n + 1) * 2 > s->cap)
		set_grow(s);
	size_t j = str_hash(str) & (s->cap - 1);
	while (s->slot[j]) {
		if (strcmp(s->slot[j], str) == 0)
			return 1;
		j = (j + 1) & (s->cap - 1);
	}
	s->slot[j] = xstrdup(str);
	s->n++;
	return 0;
}

void misp_set_free(struct misp_set *s)
{
	for (size_t i = 0; i < s->cap; i++)
		free(s->slot[i]);
	free(s->slot);
	memset(s, 0, sizeof *s);
}

/* ---- small JSON helpers ---- */

static const cJSON *jget(const cJSON *o, const char *k)
{
	return cJSON_IsObject(o) ? cJSON_GetObjectItemCaseSensitive(o, k) : NULL;
}

static const char *jstr(const cJSON *o, const char *k)
{
	const cJSON *v = jget(o, k);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* Absent and null are the same thing in MISP exports. */
static int jabsent(const cJSON *v)
{
	return !v || cJSON_IsNull(v);
}

static void add_str(cJSON *o, const char *k, const char *v)
{
	cJSON_AddItemToObject(o, k, cJSON_CreateString(v));
}

static void add_str_array1(cJSON *o, const char *k, const char *v)
{
	cJSON *a = cJSON_AddArrayToObject(o, k);
	cJSON_AddItemToArray(a, cJSON_CreateString(v));
}

/* ---- values and times ---- */

int misp_unix_time(const cJSON *v, char out[32])
{
	long secs;
	if (cJSON_IsString(v)) {
		if (parse_long(v->valuestring, 0, 253402300799L, &secs))
			return VB_EINPUT;
	} else if (cJSON_IsNumber(v)) {
		if (v->valuedouble < 0 || v->valuedouble > 253402300799.0 ||
		    v->valuedouble != (double)(long)v->valuedouble)
			return VB_EINPUT;
		secs = (long)v->valuedouble;
	} else {
		return VB_EINPUT;
	}
	time_format((int64_t)secs * 1000000, out);
	return 0;
}

/* MISP's first_seen/last_seen ("2021-01-24T15:43:30.000000+00:00") and
 * dates ("2018-09-27") as STIX timestamps. */
static int loose_time(const char *s, char out[32], int64_t *us)
{
	int64_t t;
	if (!s || time_parse_loose(s, &t))
		return VB_EINPUT;
	if (us)
		*us = t;
	time_format(t, out);
	return 0;
}

/* distribution: "0".."5" or 0..5; absent is 5 (inherit). */
static int parse_distribution(const cJSON *v, long *out)
{
	*out = 5;
	if (jabsent(v))
		return 0;
	if (cJSON_IsString(v))
		return parse_long(v->valuestring, 0, 5, out) ? VB_EINPUT : 0;
	if (cJSON_IsNumber(v) && v->valuedouble >= 0 && v->valuedouble <= 5 &&
	    v->valuedouble == (double)(long)v->valuedouble) {
		*out = (long)v->valuedouble;
		return 0;
	}
	return VB_EINPUT;
}

/* to_ids: true/false, or "1"/"0" and 1/0 from older exports. */
static int parse_bool(const cJSON *v, int *out)
{
	*out = 0;
	if (jabsent(v))
		return 0;
	if (cJSON_IsBool(v)) {
		*out = cJSON_IsTrue(v);
		return 0;
	}
	if (cJSON_IsString(v) && (!strcmp(v->valuestring, "0") || !strcmp(v->valuestring, "1"))) {
		*out = v->valuestring[0] == '1';
		return 0;
	}
	if (cJSON_IsNumber(v) && (v->valuedouble == 0 || v->valuedouble == 1)) {
		*out = v->valuedouble == 1;
		return 0;
	}
	return VB_EINPUT;
}

/* ---- markings ---- */

static int tlp_rank(const char *id)
{
	static const char *const order[] = {TLP_CLEAR, TLP_GREEN, TLP_AMBER, TLP_AMBER_STRICT,
					    TLP_RED};
	for (size_t i = 0; id && i < ARRAY_LEN(order); i++)
		if (strcmp(id, order[i]) == 0)
			return (int)i;
	return -1;
}

static const char *stricter(const char *a, const char *b)
{
	return tlp_rank(a) >= tlp_rank(b) ? a : b;
}

const char *misp_distribution_tlp(long d)
{
	switch (d) {
	case 0:
		return TLP_AMBER_STRICT;
	case 1:
		return TLP_AMBER;
	case 2:
		return TLP_GREEN;
	case 3:
		return TLP_CLEAR;
	case 4:
		return TLP_AMBER;
	default:
		return NULL;
	}
}

/* The TLP id of a tag name "tlp:green" etc., or NULL for other tags
 * (including tlp-like names that are no TLP level, e.g. "tlp:ex:chr"). */
static const char *tag_tlp(const char *name)
{
	if (strncasecmp(name, "tlp:", 4) != 0)
		return NULL;
	return stix_tlp_id(name);
}

const char *misp_tags_tlp(const cJSON *tags)
{
	const char *best = NULL;
	const cJSON *t;
	if (!cJSON_IsArray(tags))
		return NULL;
	cJSON_ArrayForEach(t, tags)
	{
		const char *name = jstr(t, "name");
		const char *id = name ? tag_tlp(name) : NULL;
		if (id)
			best = best ? stricter(best, id) : id;
	}
	return best;
}

/* What an element's objects are marked with. sg is the MISP sharing group
 * (an object with name and uuid, or the element holding sharing_group_id)
 * when distribution 4 applies. */
struct scope {
	const char *tlp;
	const cJSON *sg;
};

/* ---- the mapping state ---- */

struct unmapped_kind {
	char type[48];
	long n;
};

struct misp_map {
	struct misp_sink sink;
	struct misp_set emitted; /* ids handed to the sink in this document */
	struct misp_stats st;
	struct unmapped_kind kinds[MAX_UNMAPPED_KINDS];
	size_t n_kinds;
	/* the event being mapped */
	char report_id[80], org_id[300];
	char ev_created[32], ev_modified[32];
	struct scope ev_scope;
	cJSON *refs; /* the report's object_refs */
	struct misp_set refset;
	cJSON *targets;	 /* intrusion sets and malware the event's indicators indicate */
	cJSON *produced; /* ids made from the current MISP object's attributes */
	struct buf pat;
};

struct misp_map *misp_map_new(const struct misp_sink *sink)
{
	struct misp_map *m = xcalloc(1, sizeof *m);
	m->sink = *sink;
	buf_init(&m->pat, MAX_PATTERN);
	return m;
}

static void event_reset(struct misp_map *m)
{
	cJSON_Delete(m->refs);
	cJSON_Delete(m->targets);
	m->refs = m->targets = NULL;
	misp_set_free(&m->refset);
	m->report_id[0] = m->org_id[0] = 0;
}

void misp_map_free(struct misp_map *m)
{
	if (!m)
		return;
	event_reset(m);
	misp_set_free(&m->emitted);
	buf_free(&m->pat);
	free(m);
}

const struct misp_stats *misp_map_stats(struct misp_map *m)
{
	struct misp_stats *st = &m->st;
	size_t n = 0;
	st->unmapped_types[0] = 0;
	for (size_t i = 0; i < m->n_kinds; i++) {
		int k = snprintf(st->unmapped_types + n, sizeof st->unmapped_types - n, "%s%ld %s",
				 i ? ", " : "", m->kinds[i].n, m->kinds[i].type);
		if (k < 0 || (size_t)k >= sizeof st->unmapped_types - n)
			break;
		n += (size_t)k;
	}
	return st;
}

static void count_unmapped(struct misp_map *m, const char *type)
{
	m->st.unmapped++;
	for (size_t i = 0; i < m->n_kinds; i++)
		if (strcmp(m->kinds[i].type, type) == 0) {
			m->kinds[i].n++;
			return;
		}
	if (m->n_kinds < MAX_UNMAPPED_KINDS) {
		snprintf(m->kinds[m->n_kinds].type, sizeof m->kinds[0].type, "%s", type);
		m->kinds[m->n_kinds++].n = 1;
	}
}

/* Reports a malformed element. Returns 0 when the sink chose to skip it
 * (only when skippable), otherwise the code that stops the mapping. */
static int bad(struct misp_map *m, int skippable, const char *ptr, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int bad(struct misp_map *m, int skippable, const char *ptr, const char *fmt, ...)
{
	struct vb_err e;
	vb_err_clear(&e);
	e.code = VB_EINPUT;
	snprintf(e.pointer, sizeof e.pointer, "%s", ptr);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(e.msg, sizeof e.msg, fmt, ap);
	va_end(ap);
	int rc = m->sink.bad ? m->sink.bad(m->sink.arg, &e, skippable) : VB_EINPUT;
	if (!rc && !skippable)
		rc = VB_EINPUT;
	return rc;
}

static void add_ref(struct misp_map *m, const char *id)
{
	if (m->refs && !misp_set_add(&m->refset, id))
		cJSON_AddItemToArray(m->refs, cJSON_CreateString(id));
	if (m->produced)
		cJSON_AddItemToArray(m->produced, cJSON_CreateString(id));
}

/* Hands obj to the sink unless this version of it (id and modified; id
 * alone for SCOs and marking definitions) already went out in this document:
 * SCOs, identities and galaxy objects recur, and the core refuses a version
 * twice in one input. Records it in the report's refs when ref is set, and
 * frees obj. */
static int put(struct misp_map *m, cJSON *obj, const char *ptr, int ref)
{
	const char *id = jstr(obj, "id"), *mod = jstr(obj, "modified");
	int rc = 0;
	char key[400];
	if (id)
		snprintf(key, sizeof key, "%s%s%s", id, mod ? "|" : "", mod ? mod : "");
	if (id && !misp_set_add(&m->emitted, key))
		rc = m->sink.emit(m->sink.arg, obj, ptr);
	if (!rc && id && ref)
		add_ref(m, id);
	cJSON_Delete(obj);
	return rc;
}

/* Makes sure the marking definition tlp refers to is part of the output. */
static int need_tlp(struct misp_map *m, const char *tlp)
{
	if (misp_set_has(&m->emitted, tlp))
		return 0;
	cJSON *o = stix_tlp_object(tlp);
	if (!o)
		return 0;
	return put(m, o, "", 0);
}

static int apply_scope(struct misp_map *m, cJSON *obj, const struct scope *sc)
{
	if (sc->tlp) {
		int rc = need_tlp(m, sc->tlp);
		if (rc)
			return rc;
		add_str_array1(obj, "object_marking_refs", sc->tlp);
	}
	if (sc->sg) {
		cJSON *g = cJSON_AddObjectToObject(obj, "x_misp_sharing_group");
		const char *name = jstr(sc->sg, "name"), *uuid = jstr(sc->sg, "uuid");
		const char *sgid = jstr(sc->sg, "sharing_group_id");
		if (name)
			add_str(g, "name", name);
		if (uuid)
			add_str(g, "uuid", uuid);
		if (!name && !uuid && sgid)
			add_str(g, "id", sgid);
	}
	return 0;
}

/* The scope of an element (event, object, attribute) under parent. */
static int resolve_scope(struct misp_map *m, const struct scope *parent, const cJSON *node,
			 const char *ptr, int skippable, struct scope *out)
{
	long d;
	*out = *parent;
	if (parse_distribution(jget(node, "distribution"), &d)) {
		char p[200];
		jp(p, sizeof p, "%s/distribution", ptr);
		int rc = bad(m, skippable, p, "distribution must be a level from 0 to 5");
		return rc ? rc : 1;
	}
	if (d == 4) {
		const cJSON *sg = jget(node, "SharingGroup");
		out->sg = cJSON_IsObject(sg) ? sg : node;
	}
	const char *t = misp_tags_tlp(jget(node, "Tag"));
	if (t) {
		out->tlp = t;
		return 0;
	}
	const char *dt = misp_distribution_tlp(d);
	if (dt)
		out->tlp = parent->tlp ? stricter(parent->tlp, dt) : dt;
	return 0;
}

/* Adds the names of the tags other than TLP levels to obj's labels. */
static void add_labels(cJSON *obj, const cJSON *tags)
{
	const cJSON *t;
	cJSON *labels = NULL;
	cJSON_ArrayForEach(t, tags)
	{
		const char *name = jstr(t, "name");
		if (!name || !*name || tag_tlp(name))
			continue;
		if (!labels)
			labels = cJSON_AddArrayToObject(obj, "labels");
		cJSON_AddItemToArray(labels, cJSON_CreateString(name));
	}
}

/* Checks a Tag array. Returns 0, 1 when the element is skipped, or the
 * code that stops the mapping. */
static int check_tags(struct misp_map *m, const cJSON *tags, const char *ptr, int skippable)
{
	if (jabsent(tags))
		return 0;
	char p[200];
	if (!cJSON_IsArray(tags)) {
		jp(p, sizeof p, "%s/Tag", ptr);
		int rc = bad(m, skippable, p, "Tag must be an array of tags");
		return rc ? rc : 1;
	}
	int i = 0;
	const cJSON *t;
	cJSON_ArrayForEach(t, tags)
	{
		const char *name = jstr(t, "name");
		if (!name) {
			jp(p, sizeof p, "%s/Tag/%d/name", ptr, i);
			int rc = bad(m, skippable, p, "a tag needs a string name");
			return rc ? rc : 1;
		}
		i++;
	}
	return 0;
}

/* A new SDO/SRO with the common properties of this event. */
static cJSON *sdo_new(struct misp_map *m, const char *type, const char *id, const char *created,
		      const char *modified)
{
	cJSON *o = cJSON_CreateObject();
	add_str(o, "type", type);
	add_str(o, "spec_version", "2.1");
	add_str(o, "id", id);
	add_str(o, "created", created);
	add_str(o, "modified", modified);
	if (m->org_id[0])
		add_str(o, "created_by_ref", m->org_id);
	return o;
}

/* ---- observables and patterns ---- */

enum kind {
	K_IP,
	K_IP_PORT,
	K_DOMAIN,
	K_DOMAIN_IP,
	K_URL,
	K_HASH,
	K_IMPHASH,
	K_FILENAME,
	K_FILENAME_HASH,
	K_EMAIL,
	K_EMAIL_SUBJECT,
	K_AS,
	K_MUTEX,
	K_REGKEY,
	K_REGKEY_VALUE,
	K_USER_AGENT,
	K_CUSTOM,
	K_X509,
	K_MAC,
	K_RULE,
	/* attributes that become SDOs rather than observables */
	K_VULN,
	K_THREAT_ACTOR,
	K_CAMPAIGN,
	K_TEXT,
	K_LINK,
};

struct attr_type {
	const char *name;
	enum kind kind;
	const char *arg; /* hash algorithm, src/dst, pattern type, custom object type */
};

/* The attribute types this reader maps (MISP's describeTypes names). Hash
 * algorithm names are those of STIX's hash-algorithm-ov where it has them. */
static const struct attr_type attr_types[] = {
    {"ip-src", K_IP, NULL},
    {"ip-dst", K_IP, NULL},
    {"ip-src|port", K_IP_PORT, "src"},
    {"ip-dst|port", K_IP_PORT, "dst"},
    {"domain", K_DOMAIN, NULL},
    {"hostname", K_DOMAIN, NULL},
    {"domain|ip", K_DOMAIN_IP, NULL},
    {"url", K_URL, NULL},
    {"uri", K_URL, NULL},
    {"link", K_LINK, NULL},
    {"md5", K_HASH, "MD5"},
    {"sha1", K_HASH, "SHA-1"},
    {"sha224", K_HASH, "SHA-224"},
    {"sha256", K_HASH, "SHA-256"},
    {"sha384", K_HASH, "SHA-384"},
    {"sha512", K_HASH, "SHA-512"},
    {"sha3-256", K_HASH, "SHA3-256"},
    {"sha3-512", K_HASH, "SHA3-512"},
    {"ssdeep", K_HASH, "SSDEEP"},
    {"tlsh", K_HASH, "TLSH"},
    {"imphash", K_IMPHASH, NULL},
    {"filename", K_FILENAME, NULL},
    {"filename|md5", K_FILENAME_HASH, "MD5"},
    {"filename|sha1", K_FILENAME_HASH, "SHA-1"},
    {"filename|sha224", K_FILENAME_HASH, "SHA-224"},
    {"filename|sha256", K_FILENAME_HASH, "SHA-256"},
    {"filename|sha384", K_FILENAME_HASH, "SHA-384"},
    {"filename|sha512", K_FILENAME_HASH, "SHA-512"},
    {"filename|ssdeep", K_FILENAME_HASH, "SSDEEP"},
    {"filename|tlsh", K_FILENAME_HASH, "TLSH"},
    {"email", K_EMAIL, NULL},
    {"email-src", K_EMAIL, NULL},
    {"email-dst", K_EMAIL, NULL},
    {"email-subject", K_EMAIL_SUBJECT, NULL},
    {"AS", K_AS, NULL},
    {"mutex", K_MUTEX, NULL},
    {"regkey", K_REGKEY, NULL},
    {"regkey|value", K_REGKEY_VALUE, NULL},
    {"user-agent", K_USER_AGENT, NULL},
    {"ja3-fingerprint-md5", K_CUSTOM, "x-misp-ja3-fingerprint-md5"},
    {"btc", K_CUSTOM, "x-misp-btc"},
    {"x509-fingerprint-md5", K_X509, "MD5"},
    {"x509-fingerprint-sha1", K_X509, "SHA-1"},
    {"x509-fingerprint-sha256", K_X509, "SHA-256"},
    {"mac-address", K_MAC, NULL},
    {"yara", K_RULE, "yara"},
    {"snort", K_RULE, "snort"},
    {"sigma", K_RULE, "sigma"},
    {"vulnerability", K_VULN, NULL},
    {"threat-actor", K_THREAT_ACTOR, NULL},
    {"campaign-name", K_CAMPAIGN, NULL},
    {"text", K_TEXT, NULL},
    {"comment", K_TEXT, NULL},
    {"other", K_TEXT, NULL},
};

static const struct attr_type *attr_type_find(const char *name)
{
	for (size_t i = 0; i < ARRAY_LEN(attr_types); i++)
		if (strcmp(attr_types[i].name, name) == 0)
			return &attr_types[i];
	return NULL;
}

/* What one attribute value yields: up to three SCOs and a pattern. */
struct obs {
	cJSON *sco[3];
	int n_sco;
	const char *pattern_type;
	int has_pattern;
};

static void obs_clear(struct obs *o)
{
	for (int i = 0; i < o->n_sco; i++)
		cJSON_Delete(o->sco[i]);
	memset(o, 0, sizeof *o);
}

/* An SCO of type with its deterministic id from contrib, the properties
 * that contribute to the id, given with their keys in sorted order (the
 * canonical JSON STIX 2.1 section 2.9 asks for). contrib is consumed. */
static cJSON *sco_new(const char *type, cJSON *contrib)
{
	char *canon = cJSON_PrintUnformatted(contrib);
	if (!canon) {
		fprintf(stderr, "verbinding: out of memory\n");
		abort();
	}
	char id[300];
	ingest_sco_id(type, canon, id);
	cJSON_free(canon);
	cJSON *o = cJSON_CreateObject();
	add_str(o, "type", type);
	add_str(o, "spec_version", "2.1");
	add_str(o, "id", id);
	while (contrib->child) {
		cJSON *c = cJSON_DetachItemViaPointer(contrib, contrib->child);
		char *k = c->string;
		c->string = NULL;
		cJSON_AddItemToObject(o, k, c);
		cJSON_free(k);
	}
	cJSON_Delete(contrib);
	return o;
}

static cJSON *sco1(const char *type, const char *key, const char *value)
{
	cJSON *c = cJSON_CreateObject();
	add_str(c, key, value);
	return sco_new(type, c);
}

static int has_space_or_ctl(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s <= ' ' || *s == 0x7f)
			return 1;
	return 0;
}

static int has_ctl(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < ' ' || *s == 0x7f)
			return 1;
	return 0;
}

/* An IPv4 or IPv6 address, optionally with a CIDR prefix; returns the SCO
 * type or NULL. */
static const char *ip_kind(const char *s)
{
	char a[64];
	const char *slash = strchr(s, '/');
	size_t n = slash ? (size_t)(slash - s) : strlen(s);
	if (n == 0 || n >= sizeof a)
		return NULL;
	memcpy(a, s, n);
	a[n] = 0;
	unsigned char bin[16];
	int v6 = strchr(a, ':') != NULL;
	if (inet_pton(v6 ? AF_INET6 : AF_INET, a, bin) != 1)
		return NULL;
	if (slash) {
		long p;
		if (parse_long(slash + 1, 0, v6 ? 128 : 32, &p))
			return NULL;
	}
	return v6 ? "ipv6-addr" : "ipv4-addr";
}

static int hex_len_ok(const char *alg, const char *h)
{
	static const struct {
		const char *alg;
		size_t len;
	} lens[] = {{"MD5", 32},      {"SHA-1", 40},	{"SHA-224", 56},  {"SHA-256", 64},
		    {"SHA-384", 96},  {"SHA-512", 128}, {"SHA3-256", 64}, {"SHA3-512", 128},
		    {"SHA3-224", 56}, {"SHA3-384", 96}};
	for (size_t i = 0; i < ARRAY_LEN(lens); i++) {
		if (strcmp(lens[i].alg, alg) != 0)
			continue;
		if (strlen(h) != lens[i].len)
			return 0;
		for (const char *p = h; *p; p++)
			if (!strchr("0123456789abcdefABCDEF", *p))
				return 0;
		return 1;
	}
	if (!*h || has_space_or_ctl(h) || strchr(h, '\''))
		return 0;
	if (strcmp(alg, "SSDEEP") == 0) {
		/* blocksize:hash:hash, as ssdeep prints it */
		const char *colon = strchr(h, ':');
		return colon && colon != h && strchr(colon + 1, ':');
	}
	if (strcmp(alg, "TLSH") == 0) {
		/* 70 or more hex digits, optionally after the version "T1" */
		if (h[0] == 'T' && h[1] == '1')
			h += 2;
		if (strlen(h) < 70)
			return 0;
		for (const char *p = h; *p; p++)
			if (!strchr("0123456789abcdefABCDEF", *p))
				return 0;
	}
	return 1;
}

/* Domain names: one token with a dot or at least letters; lower-cased. */
static int domain_ok(char *d)
{
	size_t n = strlen(d);
	if (n == 0 || n > 253 || has_space_or_ctl(d) || strpbrk(d, "/\\@'\"<>|"))
		return 0;
	str_lower(d);
	return 1;
}

static cJSON *hashes1(const char *alg, const char *h)
{
	cJSON *hs = cJSON_CreateObject();
	add_str(hs, alg, h);
	return hs;
}

static char *lower_hex(const char *alg, const char *h)
{
	char *c = xstrdup(h);
	if (strcmp(alg, "SSDEEP") != 0 && strcmp(alg, "TLSH") != 0)
		str_lower(c);
	return c;
}

/* Appends s to b as a quoted STIX pattern string: ' and \ escaped. */
static void pat_str(struct buf *b, const char *s)
{
	buf_addc(b, '\'');
	for (; *s; s++) {
		if (*s == '\'' || *s == '\\')
			buf_addc(b, '\\');
		buf_addc(b, *s);
	}
	buf_addc(b, '\'');
}

static void pat_cmp(struct buf *b, const char *path, const char *value)
{
	buf_adds(b, path);
	buf_adds(b, " = ");
	pat_str(b, value);
}

/* Splits "a|b" at the first (or last) '|' into two new strings. */
static int split_pipe(const char *v, int last, char **a, char **b)
{
	const char *bar = last ? strrchr(v, '|') : strchr(v, '|');
	if (!bar || bar == v || !bar[1])
		return -1;
	*a = xstrndup(v, (size_t)(bar - v));
	*b = xstrdup(bar + 1);
	return 0;
}

/* Builds the observables and pattern of one value of a mapped type into o
 * and m->pat. Returns 0, or -1 when the value does not parse as its type. */
static int build_obs(const struct attr_type *t, const char *value, struct obs *o, struct buf *pat)
{
	char *a = NULL, *b = NULL, *v = NULL;
	int rc = -1;
	memset(o, 0, sizeof *o);
	buf_reset(pat);
	o->pattern_type = "stix";
	o->has_pattern = 1;
	buf_addc(pat, '[');
	switch (t->kind) {
	case K_IP: {
		const char *k = ip_kind(value);
		if (!k)
			break;
		v = xstrdup(value);
		str_lower(v);
		o->sco[o->n_sco++] = sco1(k, "value", v);
		char path[32];
		snprintf(path, sizeof path, "%s:value", k);
		pat_cmp(pat, path, v);
		rc = 0;
		break;
	}
	case K_IP_PORT: {
		long port;
		if (split_pipe(value, 1, &a, &b))
			break;
		const char *k = ip_kind(a);
		if (!k || parse_long(b, 0, 65535, &port))
			break;
		str_lower(a);
		cJSON *ip = sco1(k, "value", a);
		const char *ipid = jstr(ip, "id");
		int src = strcmp(t->arg, "src") == 0;
		cJSON *c = cJSON_CreateObject();
		cJSON *protos = cJSON_CreateArray();
		cJSON_AddItemToArray(protos, cJSON_CreateString(k[3] == '6' ? "ipv6" : "ipv4"));
		if (src) {
			cJSON_AddItemToObject(c, "protocols", protos);
			cJSON_AddNumberToObject(c, "src_port", (double)port);
			add_str(c, "src_ref", ipid);
		} else {
			cJSON_AddNumberToObject(c, "dst_port", (double)port);
			add_str(c, "dst_ref", ipid);
			cJSON_AddItemToObject(c, "protocols", protos);
		}
		o->sco[o->n_sco++] = ip;
		o->sco[o->n_sco++] = sco_new("network-traffic", c);
		pat_cmp(pat,
			src ? "network-traffic:src_ref.value" : "network-traffic:dst_ref.value", a);
		buf_printf(pat, " AND network-traffic:%s_port = %ld", src ? "src" : "dst", port);
		rc = 0;
		break;
	}
	case K_DOMAIN:
		v = xstrdup(value);
		if (!domain_ok(v))
			break;
		o->sco[o->n_sco++] = sco1("domain-name", "value", v);
		pat_cmp(pat, "domain-name:value", v);
		rc = 0;
		break;
	case K_DOMAIN_IP: {
		if (split_pipe(value, 0, &a, &b) || !domain_ok(a))
			break;
		const char *k = ip_kind(b);
		if (!k)
			break;
		str_lower(b);
		cJSON *ip = sco1(k, "value", b);
		cJSON *d = sco1("domain-name", "value", a);
		add_str_array1(d, "resolves_to_refs", jstr(ip, "id"));
		o->sco[o->n_sco++] = ip;
		o->sco[o->n_sco++] = d;
		pat_cmp(pat, "domain-name:value", a);
		buf_adds(pat, " AND ");
		pat_cmp(pat, "domain-name:resolves_to_refs[*].value", b);
		rc = 0;
		break;
	}
	case K_URL:
		if (!*value || has_ctl(value))
			break;
		o->sco[o->n_sco++] = sco1("url", "value", value);
		pat_cmp(pat, "url:value", value);
		rc = 0;
		break;
	case K_HASH: {
		if (!hex_len_ok(t->arg, value))
			break;
		v = lower_hex(t->arg, value);
		cJSON *c = cJSON_CreateObject();
		cJSON_AddItemToObject(c, "hashes", hashes1(t->arg, v));
		o->sco[o->n_sco++] = sco_new("file", c);
		char path[48];
		snprintf(path, sizeof path, "file:hashes.'%s'", t->arg);
		pat_cmp(pat, path, v);
		rc = 0;
		break;
	}
	case K_IMPHASH:
		if (!hex_len_ok("MD5", value))
			break;
		v = lower_hex("MD5", value);
		pat_cmp(pat, "file:extensions.'windows-pebinary-ext'.imphash", v);
		rc = 0;
		break;
	case K_FILENAME:
		if (!*value || has_ctl(value))
			break;
		o->sco[o->n_sco++] = sco1("file", "name", value);
		pat_cmp(pat, "file:name", value);
		rc = 0;
		break;
	case K_FILENAME_HASH: {
		if (split_pipe(value, 1, &a, &b) || has_ctl(a) || !hex_len_ok(t->arg, b))
			break;
		v = lower_hex(t->arg, b);
		cJSON *c = cJSON_CreateObject();
		cJSON_AddItemToObject(c, "hashes", hashes1(t->arg, v));
		add_str(c, "name", a);
		o->sco[o->n_sco++] = sco_new("file", c);
		char path[48];
		pat_cmp(pat, "file:name", a);
		buf_adds(pat, " AND ");
		snprintf(path, sizeof path, "file:hashes.'%s'", t->arg);
		pat_cmp(pat, path, v);
		rc = 0;
		break;
	}
	case K_EMAIL:
		if (!strchr(value, '@') || has_space_or_ctl(value))
			break;
		o->sco[o->n_sco++] = sco1("email-addr", "value", value);
		pat_cmp(pat, "email-addr:value", value);
		rc = 0;
		break;
	case K_EMAIL_SUBJECT: {
		if (has_ctl(value))
			break;
		cJSON *e = sco1("email-message", "subject", value);
		cJSON_AddFalseToObject(e, "is_multipart");
		o->sco[o->n_sco++] = e;
		pat_cmp(pat, "email-message:subject", value);
		rc = 0;
		break;
	}
	case K_AS: {
		long n;
		const char *p = strncasecmp(value, "AS", 2) == 0 ? value + 2 : value;
		if (parse_long(p, 0, 4294967295L, &n))
			break;
		cJSON *c = cJSON_CreateObject();
		cJSON_AddNumberToObject(c, "number", (double)n);
		o->sco[o->n_sco++] = sco_new("autonomous-system", c);
		buf_printf(pat, "autonomous-system:number = %ld", n);
		rc = 0;
		break;
	}
	case K_MUTEX:
		if (!*value)
			break;
		o->sco[o->n_sco++] = sco1("mutex", "name", value);
		pat_cmp(pat, "mutex:name", value);
		rc = 0;
		break;
	case K_REGKEY:
		if (!*value || has_ctl(value))
			break;
		o->sco[o->n_sco++] = sco1("windows-registry-key", "key", value);
		pat_cmp(pat, "windows-registry-key:key", value);
		rc = 0;
		break;
	case K_REGKEY_VALUE: {
		if (split_pipe(value, 0, &a, &b) || has_ctl(a))
			break;
		cJSON *c = cJSON_CreateObject();
		add_str(c, "key", a);
		cJSON *vals = cJSON_AddArrayToObject(c, "values");
		cJSON *one = cJSON_CreateObject();
		add_str(one, "data", b);
		cJSON_AddItemToArray(vals, one);
		o->sco[o->n_sco++] = sco_new("windows-registry-key", c);
		pat_cmp(pat, "windows-registry-key:key", a);
		buf_adds(pat, " AND ");
		pat_cmp(pat, "windows-registry-key:values[*].data", b);
		rc = 0;
		break;
	}
	case K_USER_AGENT:
		if (!*value || has_ctl(value))
			break;
		pat_cmp(pat,
			"network-traffic:extensions.'http-request-ext'.request_header.'User-Agent'",
			value);
		rc = 0;
		break;
	case K_CUSTOM: {
		if (!*value || has_space_or_ctl(value))
			break;
		char path[64];
		snprintf(path, sizeof path, "%s:value", t->arg);
		pat_cmp(pat, path, value);
		rc = 0;
		break;
	}
	case K_X509: {
		if (!hex_len_ok(t->arg, value))
			break;
		v = lower_hex(t->arg, value);
		cJSON *c = cJSON_CreateObject();
		cJSON_AddItemToObject(c, "hashes", hashes1(t->arg, v));
		o->sco[o->n_sco++] = sco_new("x509-certificate", c);
		char path[48];
		snprintf(path, sizeof path, "x509-certificate:hashes.'%s'", t->arg);
		pat_cmp(pat, path, v);
		rc = 0;
		break;
	}
	case K_MAC: {
		v = xstrdup(value);
		str_lower(v);
		size_t n = strlen(v);
		int ok = n == 17;
		for (size_t i = 0; ok && i < n; i++)
			ok = i % 3 == 2 ? v[i] == ':' : strchr("0123456789abcdef", v[i]) != NULL;
		if (!ok)
			break;
		o->sco[o->n_sco++] = sco1("mac-addr", "value", v);
		pat_cmp(pat, "mac-addr:value", v);
		rc = 0;
		break;
	}
	case K_RULE:
		if (!*value)
			break;
		buf_reset(pat);
		buf_adds(pat, value);
		o->pattern_type = t->arg;
		rc = 0;
		break;
	default:
		o->has_pattern = 0;
		break;
	}
	if (rc == 0 && o->has_pattern && strcmp(o->pattern_type, "stix") == 0)
		buf_addc(pat, ']');
	if (rc == 0 && pat->len == 0)
		o->has_pattern = 0;
	free(a);
	free(b);
	free(v);
	if (rc)
		obs_clear(o);
	return rc;
}

char *misp_attribute_pattern(const char *type, const char *value, const char **pattern_type)
{
	const struct attr_type *t = attr_type_find(type);
	if (!t || t->kind >= K_VULN)
		return NULL;
	struct buf pat;
	struct obs o;
	buf_init(&pat, MAX_PATTERN);
	char *res = NULL;
	if (build_obs(t, value, &o, &pat) == 0 && o.has_pattern) {
		if (pattern_type)
			*pattern_type = o.pattern_type;
		res = xstrdup(pat.p);
	}
	obs_clear(&o);
	buf_free(&pat);
	return res;
}

/* ---- attributes ---- */

/* The fields of one attribute, checked before anything is emitted. */
struct attr {
	const char *type, *value, *uuid, *comment, *category, *relation;
	int to_ids;
	char created[32], valid_from[32], valid_until[32];
	const cJSON *tags;
	struct scope sc;
};

/* Copies a UTF-8 string into out (cap bytes) without cutting a character. */
static void utf8_trunc(char *out, size_t cap, const char *s)
{
	size_t n = strlen(s);
	if (n >= cap) {
		n = cap - 1;
		while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
			n--;
	}
	memcpy(out, s, n);
	out[n] = 0;
}

static void add_misp_props(cJSON *o, const struct attr *at)
{
	add_str(o, "x_misp_type", at->type);
	if (at->category)
		add_str(o, "x_misp_category", at->category);
	if (at->relation)
		add_str(o, "x_misp_object_relation", at->relation);
}

static int emit_note(struct misp_map *m, const struct attr *at, const char *ptr,
		     const char *content)
{
	char id[80];
	snprintf(id, sizeof id, "note--%s", at->uuid);
	cJSON *o = sdo_new(m, "note", id, at->created, at->created);
	if (at->comment && *at->comment)
		add_str(o, "abstract", at->comment);
	add_str(o, "content", content);
	add_str_array1(o, "object_refs", m->report_id);
	add_labels(o, at->tags);
	add_misp_props(o, at);
	int rc = apply_scope(m, o, &at->sc);
	if (rc) {
		cJSON_Delete(o);
		return rc;
	}
	m->st.notes++;
	return put(m, o, ptr, 1);
}

static int note_attr(struct misp_map *m, const struct attr *at, const char *ptr)
{
	struct buf b;
	buf_init(&b, STIX_MAX_STRING);
	buf_printf(&b, "MISP attribute %s: ", at->type);
	buf_adds(&b, at->value);
	int rc = emit_note(m, at, ptr, b.p ? b.p : "");
	buf_free(&b);
	return rc;
}

static int emit_indicates(struct misp_map *m, const char *ind, const char *created,
			  const struct scope *sc, const cJSON *targets, const char *ptr)
{
	const cJSON *t;
	cJSON_ArrayForEach(t, targets)
	{
		char key[700], uuid[37], id[80];
		snprintf(key, sizeof key, "%s|indicates|%s", ind, t->valuestring);
		uuid_v5(MISP_NAMESPACE, key, strlen(key), uuid);
		snprintf(id, sizeof id, "relationship--%s", uuid);
		cJSON *r = sdo_new(m, "relationship", id, created, created);
		add_str(r, "relationship_type", "indicates");
		add_str(r, "source_ref", ind);
		add_str(r, "target_ref", t->valuestring);
		int rc = apply_scope(m, r, sc);
		if (!rc)
			rc = put(m, r, ptr, 1);
		else
			cJSON_Delete(r);
		if (rc)
			return rc;
	}
	return 0;
}

static int emit_indicator(struct misp_map *m, const struct attr *at, const struct obs *o,
			  const char *ptr, const cJSON *targets)
{
	char id[80], name[MAX_NAME];
	snprintf(id, sizeof id, "indicator--%s", at->uuid);
	cJSON *ind = sdo_new(m, "indicator", id, at->created, at->created);
	if (at->comment && *at->comment) {
		utf8_trunc(name, sizeof name, at->comment);
		add_str(ind, "name", name);
		add_str(ind, "description", at->comment);
	} else {
		char full[MAX_NAME + 64];
		snprintf(full, sizeof full, "%s: %.*s", at->type, MAX_NAME, at->value);
		utf8_trunc(name, sizeof name, full);
		add_str(ind, "name", name);
	}
	add_str_array1(ind, "indicator_types", "malicious-activity");
	add_str(ind, "pattern", m->pat.p);
	add_str(ind, "pattern_type", o->pattern_type);
	if (strcmp(o->pattern_type, "stix") == 0)
		add_str(ind, "pattern_version", "2.1");
	add_str(ind, "valid_from", at->valid_from);
	if (at->valid_until[0])
		add_str(ind, "valid_until", at->valid_until);
	add_labels(ind, at->tags);
	add_misp_props(ind, at);
	int rc = apply_scope(m, ind, &at->sc);
	if (rc) {
		cJSON_Delete(ind);
		return rc;
	}
	m->st.indicators++;
	rc = put(m, ind, ptr, 1);
	if (!rc)
		rc = emit_indicates(m, id, at->created, &at->sc, m->targets, ptr);
	if (!rc && targets)
		rc = emit_indicates(m, id, at->created, &at->sc, targets, ptr);
	return rc;
}

static int emit_attr_sdo(struct misp_map *m, const struct attr_type *t, const struct attr *at,
			 const char *ptr)
{
	const char *type = t->kind == K_VULN	       ? "vulnerability"
			   : t->kind == K_THREAT_ACTOR ? "threat-actor"
						       : "campaign";
	char id[80];
	snprintf(id, sizeof id, "%s--%s", type, at->uuid);
	cJSON *o = sdo_new(m, type, id, at->created, at->created);
	add_str(o, "name", at->value);
	if (at->comment && *at->comment)
		add_str(o, "description", at->comment);
	if (t->kind == K_VULN && strncasecmp(at->value, "CVE-", 4) == 0) {
		char cve[64];
		utf8_trunc(cve, sizeof cve, at->value);
		for (char *p = cve; *p; p++)
			if (*p >= 'a' && *p <= 'z')
				*p = (char)(*p - 'a' + 'A');
		cJSON *refs = cJSON_AddArrayToObject(o, "external_references");
		cJSON *r = cJSON_CreateObject();
		add_str(r, "source_name", "cve");
		add_str(r, "external_id", cve);
		cJSON_AddItemToArray(refs, r);
	}
	add_labels(o, at->tags);
	add_misp_props(o, at);
	int rc = apply_scope(m, o, &at->sc);
	if (rc) {
		cJSON_Delete(o);
		return rc;
	}
	m->st.sdos++;
	return put(m, o, ptr, 1);
}

static int emit_link(struct misp_map *m, const struct attr *at, const char *ptr)
{
	char id[80];
	snprintf(id, sizeof id, "note--%s", at->uuid);
	cJSON *o = sdo_new(m, "note", id, at->created, at->created);
	if (at->comment && *at->comment)
		add_str(o, "abstract", at->comment);
	struct buf b;
	buf_init(&b, STIX_MAX_STRING);
	buf_adds(&b, "MISP attribute link: ");
	buf_adds(&b, at->value);
	add_str(o, "content", b.p);
	buf_free(&b);
	add_str_array1(o, "object_refs", m->report_id);
	cJSON *refs = cJSON_AddArrayToObject(o, "external_references");
	cJSON *r = cJSON_CreateObject();
	add_str(r, "source_name", "misp-link");
	add_str(r, "url", at->value);
	cJSON_AddItemToArray(refs, r);
	add_labels(o, at->tags);
	add_misp_props(o, at);
	int rc = apply_scope(m, o, &at->sc);
	if (rc) {
		cJSON_Delete(o);
		return rc;
	}
	m->st.notes++;
	return put(m, o, ptr, 1);
}

static int map_clusters(struct misp_map *m, const cJSON *galaxies, const char *ptr, int skippable,
			const struct scope *sc, cJSON *targets, struct misp_set *tag_names);

/* Reads and checks an attribute's fields. Returns 0, 1 when the attribute
 * is to be skipped (deleted, or malformed under --skip-invalid), or the
 * code that stops the mapping. */
static int attr_fields(struct misp_map *m, const cJSON *a, const char *ptr,
		       const struct scope *parent, const char *fallback_time, struct attr *at)
{
	char p[200];
	int rc;
	memset(at, 0, sizeof *at);
#define BAD(field, ...)                                                                            \
	do {                                                                                       \
		jp(p, sizeof p, "%s%s", ptr, field);                                               \
		rc = bad(m, 1, p, __VA_ARGS__);                                                    \
		return rc ? rc : 1;                                                                \
	} while (0)
	if (!cJSON_IsObject(a))
		BAD("", "expected an attribute object");
	if (cJSON_IsTrue(jget(a, "deleted"))) {
		m->st.deleted++;
		return 1;
	}
	const cJSON *v = jget(a, "type");
	if (!cJSON_IsString(v) || !*v->valuestring || strlen(v->valuestring) > 128)
		BAD("/type", "attribute type must be a non-empty string");
	at->type = v->valuestring;
	v = jget(a, "value");
	if (!cJSON_IsString(v))
		BAD("/value", "attribute value must be a string, found %s",
		    jabsent(v)		? "nothing"
		    : cJSON_IsNumber(v) ? "a number"
					: "another JSON type");
	at->value = v->valuestring;
	v = jget(a, "uuid");
	if (!cJSON_IsString(v) || !uuid_valid(v->valuestring, strlen(v->valuestring)))
		BAD("/uuid", "attribute uuid missing or not a UUID");
	at->uuid = v->valuestring;
	if (parse_bool(jget(a, "to_ids"), &at->to_ids))
		BAD("/to_ids", "to_ids must be true or false");
	v = jget(a, "timestamp");
	if (jabsent(v))
		snprintf(at->created, sizeof at->created, "%s", fallback_time);
	else if (misp_unix_time(v, at->created))
		BAD("/timestamp", "timestamp must be a unix time in seconds");
	v = jget(a, "comment");
	if (!jabsent(v) && !cJSON_IsString(v))
		BAD("/comment", "comment must be a string");
	at->comment = cJSON_IsString(v) ? v->valuestring : NULL;
	v = jget(a, "category");
	if (!jabsent(v) && !cJSON_IsString(v))
		BAD("/category", "category must be a string");
	at->category = cJSON_IsString(v) ? v->valuestring : NULL;
	at->relation = jstr(a, "object_relation");
	int64_t from = 0, until;
	v = jget(a, "first_seen");
	if (jabsent(v) || (cJSON_IsString(v) && !*v->valuestring))
		snprintf(at->valid_from, sizeof at->valid_from, "%s", at->created);
	else if (!cJSON_IsString(v) || loose_time(v->valuestring, at->valid_from, &from))
		BAD("/first_seen", "first_seen is not a timestamp");
	if (!from)
		time_parse(at->valid_from, &from);
	v = jget(a, "last_seen");
	if (!jabsent(v) && !(cJSON_IsString(v) && !*v->valuestring)) {
		char tmp[32];
		if (!cJSON_IsString(v) || loose_time(v->valuestring, tmp, &until))
			BAD("/last_seen", "last_seen is not a timestamp");
		/* STIX wants valid_until after valid_from; MISP allows equal. */
		if (until > from)
			memcpy(at->valid_until, tmp, sizeof tmp);
	}
#undef BAD
	rc = check_tags(m, jget(a, "Tag"), ptr, 1);
	if (rc)
		return rc;
	at->tags = jget(a, "Tag");
	return resolve_scope(m, parent, a, ptr, 1, &at->sc);
}

static int map_attribute(struct misp_map *m, const cJSON *a, const char *ptr,
			 const struct scope *parent, const char *fallback_time)
{
	struct attr at;
	int rc = attr_fields(m, a, ptr, parent, fallback_time, &at);
	if (rc)
		return rc == 1 ? 0 : rc;
	m->st.attributes++;
	/* Galaxies attached to this attribute: their objects, and indicates
	 * relationships from this attribute's indicator. */
	cJSON *targets = NULL;
	const cJSON *gal = jget(a, "Galaxy");
	if (cJSON_IsArray(gal) && cJSON_GetArraySize(gal) > 0) {
		targets = cJSON_CreateArray();
		rc = map_clusters(m, gal, ptr, 1, &at.sc, targets, NULL);
		if (rc) {
			cJSON_Delete(targets);
			return rc == 1 ? 0 : rc;
		}
	}
	const struct attr_type *t = attr_type_find(at.type);
	if (!t) {
		count_unmapped(m, at.type);
		rc = note_attr(m, &at, ptr);
	} else if (t->kind == K_TEXT) {
		rc = emit_note(m, &at, ptr, at.value);
	} else if (t->kind == K_LINK) {
		rc = emit_link(m, &at, ptr);
	} else if (t->kind >= K_VULN) {
		rc = emit_attr_sdo(m, t, &at, ptr);
	} else {
		struct obs o;
		if (build_obs(t, at.value, &o, &m->pat)) {
			m->st.bad_values++;
			rc = note_attr(m, &at, ptr);
		} else {
			for (int i = 0; !rc && i < o.n_sco; i++) {
				cJSON *s = o.sco[i];
				o.sco[i] = NULL;
				m->st.observables++;
				rc = apply_scope(m, s, &at.sc);
				rc = rc ? (cJSON_Delete(s), rc) : put(m, s, ptr, 1);
			}
			if (!rc && at.to_ids && o.has_pattern)
				rc = emit_indicator(m, &at, &o, ptr, targets);
			else if (!rc && o.n_sco == 0)
				rc = note_attr(m, &at, ptr);
			obs_clear(&o);
		}
	}
	cJSON_Delete(targets);
	return rc;
}

/* ---- MISP objects ---- */

static int map_object(struct misp_map *m, const cJSON *ob, const char *ptr,
		      const struct scope *parent)
{
	char p[200], created[32];
	int rc;
#define BAD(field, ...)                                                                            \
	do {                                                                                       \
		jp(p, sizeof p, "%s%s", ptr, field);                                               \
		return bad(m, 1, p, __VA_ARGS__);                                                  \
	} while (0)
	if (!cJSON_IsObject(ob))
		BAD("", "expected a MISP object");
	if (cJSON_IsTrue(jget(ob, "deleted")))
		return 0;
	const char *uuid = jstr(ob, "uuid");
	if (!uuid || !uuid_valid(uuid, strlen(uuid)))
		BAD("/uuid", "object uuid missing or not a UUID");
	const char *name = jstr(ob, "name");
	if (!name || !*name)
		BAD("/name", "object name must be a non-empty string");
	const cJSON *v = jget(ob, "timestamp");
	if (jabsent(v))
		snprintf(created, sizeof created, "%s", m->ev_modified);
	else if (misp_unix_time(v, created))
		BAD("/timestamp", "timestamp must be a unix time in seconds");
	const cJSON *attrs = jget(ob, "Attribute");
	if (!jabsent(attrs) && !cJSON_IsArray(attrs))
		BAD("/Attribute", "Attribute must be an array");
#undef BAD
	struct scope sc;
	rc = resolve_scope(m, parent, ob, ptr, 1, &sc);
	if (rc)
		return rc == 1 ? 0 : rc;
	cJSON *produced = cJSON_CreateArray();
	m->produced = produced;
	int i = 0;
	const cJSON *a;
	cJSON_ArrayForEach(a, attrs)
	{
		jp(p, sizeof p, "%s/Attribute/%d", ptr, i++);
		rc = map_attribute(m, a, p, &sc, created);
		if (rc)
			break;
	}
	m->produced = NULL;
	if (rc) {
		cJSON_Delete(produced);
		return rc;
	}
	char id[80];
	snprintf(id, sizeof id, "x-misp-object--%s", uuid);
	cJSON *o = sdo_new(m, "x-misp-object", id, created, created);
	add_str(o, "name", name);
	const char *s;
	if ((s = jstr(ob, "meta-category")))
		add_str(o, "meta_category", s);
	if ((s = jstr(ob, "description")) && *s)
		add_str(o, "description", s);
	if ((s = jstr(ob, "comment")) && *s)
		add_str(o, "x_misp_comment", s);
	if ((s = jstr(ob, "template_uuid")))
		add_str(o, "x_misp_template_uuid", s);
	if ((s = jstr(ob, "template_version")))
		add_str(o, "x_misp_template_version", s);
	if (cJSON_GetArraySize(produced) > 0)
		cJSON_AddItemToObject(o, "x_misp_attribute_refs", produced);
	else
		cJSON_Delete(produced);
	cJSON_AddItemToObject(o, "x_misp_attributes",
			      attrs ? cJSON_Duplicate(attrs, 1) : cJSON_CreateArray());
	const cJSON *orefs = jget(ob, "ObjectReference");
	if (cJSON_IsArray(orefs) && cJSON_GetArraySize(orefs) > 0)
		cJSON_AddItemToObject(o, "x_misp_object_references", cJSON_Duplicate(orefs, 1));
	rc = apply_scope(m, o, &sc);
	if (rc) {
		cJSON_Delete(o);
		return rc;
	}
	m->st.objects++;
	return put(m, o, ptr, 1);
}

/* ---- galaxies ---- */

static long cluster_version(const cJSON *c, const cJSON *galaxy)
{
	const cJSON *v = jget(c, "version");
	if (jabsent(v))
		v = jget(galaxy, "version");
	long n = 0;
	if (cJSON_IsString(v) && parse_long(v->valuestring, 0, 1000000000L, &n))
		n = 0;
	if (cJSON_IsNumber(v) && v->valuedouble >= 0 && v->valuedouble <= 1e9)
		n = (long)v->valuedouble;
	return n;
}

/* Galaxy types mapped from events: actors, malware, tools and techniques.
 * Countries and sectors in events stay labels: a tag names them without
 * the ISO code a location needs. */
static const char *event_cluster_type(const char *gtype)
{
	const char *t = misp_galaxy_stix_type(gtype);
	if (t && (strcmp(t, "location") == 0 || strcmp(t, "identity") == 0))
		return NULL;
	return t;
}

static int emit_cluster(struct misp_map *m, const char *gtype, const cJSON *c, long version,
			const char *ptr, int skippable, const struct scope *sc, cJSON *targets)
{
	const char *stype = event_cluster_type(gtype);
	if (!stype) {
		m->st.clusters_unmapped++;
		return 0;
	}
	cJSON *out = cJSON_CreateArray();
	char id[300];
	struct vb_err e;
	vb_err_clear(&e);
	int rc = misp_cluster_objects(gtype, c, version, out, id, &e);
	if (rc) {
		char p[200];
		jp(p, sizeof p, "%s%s", ptr, e.pointer);
		cJSON_Delete(out);
		rc = bad(m, skippable, p, "%s", e.msg);
		return rc ? rc : 1;
	}
	while (!rc && out->child) {
		cJSON *o = cJSON_DetachItemViaPointer(out, out->child);
		rc = apply_scope(m, o, sc);
		rc = rc ? (cJSON_Delete(o), rc) : put(m, o, ptr, 1);
	}
	cJSON_Delete(out);
	if (rc)
		return rc;
	m->st.clusters++;
	if (targets && (strcmp(stype, "intrusion-set") == 0 || strcmp(stype, "malware") == 0)) {
		const cJSON *t;
		cJSON_ArrayForEach(t, targets)
		{
			if (strcmp(t->valuestring, id) == 0)
				return 0;
		}
		cJSON_AddItemToArray(targets, cJSON_CreateString(id));
	}
	return 0;
}

/* Maps Galaxy[].GalaxyCluster[] under ptr. Records the clusters' tag names
 * in tag_names (when given) so that their tags are not mapped twice. */
static int map_clusters(struct misp_map *m, const cJSON *galaxies, const char *ptr, int skippable,
			const struct scope *sc, cJSON *targets, struct misp_set *tag_names)
{
	char p[200];
	int gi = 0;
	const cJSON *g;
	cJSON_ArrayForEach(g, galaxies)
	{
		const char *gtype = jstr(g, "type");
		const cJSON *clusters = jget(g, "GalaxyCluster");
		if (!gtype || (!jabsent(clusters) && !cJSON_IsArray(clusters))) {
			jp(p, sizeof p, "%s/Galaxy/%d%s", ptr, gi,
			   gtype ? "/GalaxyCluster" : "/type");
			int rc = bad(m, skippable, p,
				     gtype ? "GalaxyCluster must be an array"
					   : "a galaxy needs a string type");
			return rc ? rc : 1;
		}
		int ci = 0;
		const cJSON *c;
		cJSON_ArrayForEach(c, clusters)
		{
			jp(p, sizeof p, "%s/Galaxy/%d/GalaxyCluster/%d", ptr, gi, ci++);
			const char *tag = jstr(c, "tag_name");
			if (tag && tag_names)
				misp_set_add(tag_names, tag);
			const char *ctype = jstr(c, "type");
			int rc = emit_cluster(m, ctype ? ctype : gtype, c, cluster_version(c, g), p,
					      skippable, sc, targets);
			if (rc)
				return rc;
		}
		gi++;
	}
	return 0;
}

/* Tags of the form misp-galaxy:threat-actor="APT 28" whose cluster the
 * event does not carry in its Galaxy list. */
static int map_galaxy_tags(struct misp_map *m, const cJSON *tags, const char *ptr,
			   const struct scope *sc, struct misp_set *tag_names)
{
	int i = 0;
	const cJSON *t;
	cJSON_ArrayForEach(t, tags)
	{
		const char *name = jstr(t, "name");
		i++;
		if (!name || strncmp(name, "misp-galaxy:", 12) != 0 ||
		    misp_set_has(tag_names, name))
			continue;
		const char *eq = strchr(name + 12, '=');
		if (!eq || eq == name + 12 || eq[1] != '"')
			continue;
		size_t vlen = strlen(eq + 2);
		if (vlen < 2 || eq[2 + vlen - 1] != '"')
			continue;
		char *gtype = xstrndup(name + 12, (size_t)(eq - name - 12));
		char *value = xstrndup(eq + 2, vlen - 1);
		cJSON *c = cJSON_CreateObject();
		add_str(c, "value", value);
		char p[200];
		jp(p, sizeof p, "%s/Tag/%d", ptr, i - 1);
		int rc = emit_cluster(m, gtype, c, 0, p, 0, sc, m->targets);
		misp_set_add(tag_names, name);
		cJSON_Delete(c);
		free(gtype);
		free(value);
		if (rc)
			return rc;
	}
	return 0;
}

/* ---- events ---- */

static int map_event_reports(struct misp_map *m, const cJSON *reports, const char *ptr)
{
	int i = 0;
	const cJSON *r;
	cJSON_ArrayForEach(r, reports)
	{
		char p[200];
		jp(p, sizeof p, "%s/EventReport/%d", ptr, i++);
		if (cJSON_IsTrue(jget(r, "deleted")))
			continue;
		const char *uuid = jstr(r, "uuid"), *content = jstr(r, "content");
		if (!uuid || !uuid_valid(uuid, strlen(uuid)) || !content) {
			int rc = bad(m, 1, p, "an event report needs a uuid and a string content");
			if (rc)
				return rc;
			continue;
		}
		struct attr at;
		memset(&at, 0, sizeof at);
		at.uuid = uuid;
		at.type = "event-report";
		at.comment = jstr(r, "name");
		at.tags = NULL;
		if (misp_unix_time(jget(r, "timestamp"), at.created))
			snprintf(at.created, sizeof at.created, "%s", m->ev_modified);
		int rc = resolve_scope(m, &m->ev_scope, r, p, 1, &at.sc);
		if (rc == 1)
			continue;
		if (!rc)
			rc = emit_note(m, &at, p, content);
		if (rc)
			return rc;
	}
	return 0;
}

static int emit_org(struct misp_map *m, const cJSON *orgc, const char *ptr)
{
	const char *name = jstr(orgc, "name"), *uuid = jstr(orgc, "uuid");
	char p[200], u[37];
	if (!name || !*name) {
		jp(p, sizeof p, "%s/Orgc/name", ptr);
		return bad(m, 0, p, "the creating organisation needs a name");
	}
	if (uuid && *uuid && !uuid_valid(uuid, strlen(uuid))) {
		jp(p, sizeof p, "%s/Orgc/uuid", ptr);
		return bad(m, 0, p, "organisation uuid is not a UUID");
	}
	if (!uuid || !*uuid) {
		char key[300];
		snprintf(key, sizeof key, "misp-org:%s", name);
		uuid_v5(MISP_NAMESPACE, key, strlen(key), u);
		uuid = u;
	}
	snprintf(m->org_id, sizeof m->org_id, "identity--%s", uuid);
	/* An organisation has no timestamps in MISP; a fixed one keeps
	 * re-imports idempotent. */
	char t[32];
	misp_galaxy_time(0, t);
	cJSON *o = sdo_new(m, "identity", m->org_id, t, t);
	cJSON_DeleteItemFromObjectCaseSensitive(o, "created_by_ref");
	add_str(o, "name", name);
	add_str(o, "identity_class", "organization");
	int rc = apply_scope(m, o, &m->ev_scope);
	if (rc) {
		cJSON_Delete(o);
		return rc;
	}
	jp(p, sizeof p, "%s/Orgc", ptr);
	return put(m, o, p, 0);
}

static void copy_prop(cJSON *dst, const char *name, const cJSON *v)
{
	if (cJSON_IsString(v) || cJSON_IsNumber(v) || cJSON_IsBool(v))
		cJSON_AddItemToObject(dst, name, cJSON_Duplicate(v, 0));
}

static int event_times(struct misp_map *m, const cJSON *ev, const char *ptr, char published[32])
{
	char p[200], date[32] = "";
	int64_t dus = 0, mus = 0;
	const cJSON *v = jget(ev, "date");
	if (!jabsent(v)) {
		if (!cJSON_IsString(v) || strlen(v->valuestring) != 10 ||
		    loose_time(v->valuestring, date, &dus)) {
			jp(p, sizeof p, "%s/date", ptr);
			return bad(m, 0, p, "date must be a day as YYYY-MM-DD");
		}
	}
	v = jget(ev, "timestamp");
	if (!jabsent(v)) {
		if (misp_unix_time(v, m->ev_modified)) {
			jp(p, sizeof p, "%s/timestamp", ptr);
			return bad(m, 0, p, "timestamp must be a unix time in seconds");
		}
		time_parse(m->ev_modified, &mus);
	} else if (date[0]) {
		memcpy(m->ev_modified, date, sizeof date);
		mus = dus;
	} else {
		jp(p, sizeof p, "%s/timestamp", ptr);
		return bad(m, 0, p, "an event needs a timestamp or a date");
	}
	/* created stays the same across versions of the event: its date, unless
	 * the date lies after the last change (then modified >= created fails). */
	if (date[0] && dus <= mus)
		memcpy(m->ev_created, date, sizeof date);
	else
		memcpy(m->ev_created, m->ev_modified, sizeof m->ev_modified);
	v = jget(ev, "publish_timestamp");
	char pt[32];
	if (!jabsent(v) && misp_unix_time(v, pt)) {
		jp(p, sizeof p, "%s/publish_timestamp", ptr);
		return bad(m, 0, p, "publish_timestamp must be a unix time in seconds");
	}
	if (!jabsent(v) && strcmp(pt, "1970-01-01T00:00:00.000Z") != 0)
		memcpy(published, pt, 32);
	else
		memcpy(published, date[0] ? date : m->ev_modified, 32);
	return 0;
}

static int map_event_body(struct misp_map *m, const cJSON *ev, const char *ptr)
{
	char p[200], published[32];
	int rc;
	const char *uuid = jstr(ev, "uuid");
	if (!uuid || !uuid_valid(uuid, strlen(uuid))) {
		jp(p, sizeof p, "%s/uuid", ptr);
		return bad(m, 0, p, "event uuid missing or not a UUID");
	}
	const cJSON *info = jget(ev, "info");
	if (!jabsent(info) && !cJSON_IsString(info)) {
		jp(p, sizeof p, "%s/info", ptr);
		return bad(m, 0, p, "info must be a string");
	}
	if ((rc = event_times(m, ev, ptr, published)))
		return rc;
	const cJSON *tags = jget(ev, "Tag");
	if ((rc = check_tags(m, tags, ptr, 0)))
		return rc;
	const struct scope none = {NULL, NULL};
	if ((rc = resolve_scope(m, &none, ev, ptr, 0, &m->ev_scope)))
		return rc;
	static const char *const arrays[] = {"Attribute", "Object", "Galaxy", "EventReport"};
	for (size_t i = 0; i < ARRAY_LEN(arrays); i++) {
		const cJSON *a = jget(ev, arrays[i]);
		if (!jabsent(a) && !cJSON_IsArray(a)) {
			jp(p, sizeof p, "%s/%s", ptr, arrays[i]);
			return bad(m, 0, p, "%s must be an array", arrays[i]);
		}
	}
	snprintf(m->report_id, sizeof m->report_id, "report--%s", uuid);
	m->refs = cJSON_CreateArray();
	m->targets = cJSON_CreateArray();
	const cJSON *orgc = jget(ev, "Orgc");
	if (cJSON_IsObject(orgc) && (rc = emit_org(m, orgc, ptr)))
		return rc;

	struct misp_set tag_names = {0};
	rc = map_clusters(m, jget(ev, "Galaxy"), ptr, 0, &m->ev_scope, m->targets, &tag_names);
	if (!rc)
		rc = map_galaxy_tags(m, tags, ptr, &m->ev_scope, &tag_names);
	misp_set_free(&tag_names);
	if (rc)
		return rc;

	int i = 0;
	const cJSON *a;
	cJSON_ArrayForEach(a, jget(ev, "Attribute"))
	{
		jp(p, sizeof p, "%s/Attribute/%d", ptr, i++);
		if ((rc = map_attribute(m, a, p, &m->ev_scope, m->ev_modified)))
			return rc;
	}
	i = 0;
	cJSON_ArrayForEach(a, jget(ev, "Object"))
	{
		jp(p, sizeof p, "%s/Object/%d", ptr, i++);
		if ((rc = map_object(m, a, p, &m->ev_scope)))
			return rc;
	}
	if ((rc = map_event_reports(m, jget(ev, "EventReport"), ptr)))
		return rc;

	/* A report must refer to something: an empty event refers to its author,
	 * or failing that to a note saying it was empty. */
	if (cJSON_GetArraySize(m->refs) == 0) {
		if (m->org_id[0]) {
			cJSON_AddItemToArray(m->refs, cJSON_CreateString(m->org_id));
		} else {
			struct attr at;
			memset(&at, 0, sizeof at);
			at.uuid = uuid;
			at.type = "event";
			at.sc = m->ev_scope;
			memcpy(at.created, m->ev_modified, sizeof at.created);
			if ((rc = emit_note(m, &at, ptr, "MISP event without attributes")))
				return rc;
		}
	}

	cJSON *r = sdo_new(m, "report", m->report_id, m->ev_created, m->ev_modified);
	const char *name = cJSON_IsString(info) && *info->valuestring ? info->valuestring : NULL;
	char fallback[80];
	if (!name) {
		snprintf(fallback, sizeof fallback, "MISP event %s", uuid);
		name = fallback;
	}
	add_str(r, "name", name);
	add_str(r, "published", published);
	add_str_array1(r, "report_types", "threat-report");
	add_labels(r, tags);
	cJSON_AddItemToObject(r, "object_refs", m->refs);
	m->refs = NULL;
	cJSON *ext = cJSON_AddArrayToObject(r, "external_references");
	cJSON *er = cJSON_CreateObject();
	add_str(er, "source_name", "misp");
	add_str(er, "external_id", uuid);
	const char *evid = jstr(ev, "id"), *orgname = jstr(orgc, "name");
	char desc[400];
	snprintf(desc, sizeof desc, "MISP event%s%s%s%s", evid ? " " : "", evid ? evid : "",
		 orgname ? " of " : "", orgname ? orgname : "");
	add_str(er, "description", desc);
	cJSON_AddItemToArray(ext, er);
	copy_prop(r, "x_misp_event_id", jget(ev, "id"));
	copy_prop(r, "x_misp_threat_level_id", jget(ev, "threat_level_id"));
	copy_prop(r, "x_misp_analysis", jget(ev, "analysis"));
	copy_prop(r, "x_misp_distribution", jget(ev, "distribution"));
	copy_prop(r, "x_misp_published", jget(ev, "published"));
	copy_prop(r, "x_misp_date", jget(ev, "date"));
	const char *ext_uuid = jstr(ev, "extends_uuid");
	if (ext_uuid && *ext_uuid)
		add_str(r, "x_misp_extends_uuid", ext_uuid);
	const cJSON *org = jget(ev, "Org");
	if (jstr(org, "name"))
		add_str(r, "x_misp_org", jstr(org, "name"));
	if ((rc = apply_scope(m, r, &m->ev_scope))) {
		cJSON_Delete(r);
		return rc;
	}
	m->st.events++;
	return put(m, r, ptr, 0);
}

int misp_map_event(struct misp_map *m, const cJSON *ev, const char *ptr)
{
	if (!cJSON_IsObject(ev))
		return bad(m, 0, ptr, "expected an event object");
	int rc = map_event_body(m, ev, ptr);
	event_reset(m);
	return rc;
}

static void key_list(const cJSON *o, char *out, size_t cap)
{
	size_t n = 0;
	out[0] = 0;
	const cJSON *c;
	cJSON_ArrayForEach(c, o)
	{
		int k = snprintf(out + n, cap - n, "%s\"%s\"", n ? ", " : "", c->string);
		if (k < 0 || (size_t)k >= cap - n)
			break;
		n += (size_t)k;
	}
}

int misp_map_document(struct misp_map *m, const cJSON *doc)
{
	char p[64];
	int rc = 0;
	if (cJSON_IsArray(doc)) {
		int i = 0;
		const cJSON *e;
		cJSON_ArrayForEach(e, doc)
		{
			const cJSON *ev = jget(e, "Event");
			jp(p, sizeof p, "/%d%s", i++, ev ? "/Event" : "");
			if (!ev)
				return bad(m, 0, p,
					   "expected {\"Event\": {...}} in a list of events");
			if ((rc = misp_map_event(m, ev, p)))
				return rc;
		}
		return 0;
	}
	if (!cJSON_IsObject(doc))
		return bad(m, 0, "",
			   "not a MISP event: the document is neither an object nor a list");
	const cJSON *ev = jget(doc, "Event");
	if (ev)
		return misp_map_event(m, ev, "/Event");
	const cJSON *resp = jget(doc, "response");
	if (cJSON_IsObject(resp) && jget(resp, "Event"))
		return misp_map_event(m, jget(resp, "Event"), "/response/Event");
	if (cJSON_IsArray(resp)) {
		int i = 0;
		const cJSON *e;
		cJSON_ArrayForEach(e, resp)
		{
			ev = jget(e, "Event");
			jp(p, sizeof p, "/response/%d%s", i++, ev ? "/Event" : "");
			if (!ev)
				return bad(m, 0, p,
					   "expected {\"Event\": {...}} in the response list");
			if ((rc = misp_map_event(m, ev, p)))
				return rc;
		}
		return 0;
	}
	if (resp)
		return bad(m, 0, "/response", "response must be a list of events");
	/* A bare event, as some MISP API calls return it. */
	if (jget(doc, "uuid") && (jget(doc, "Attribute") || jget(doc, "info")))
		return misp_map_event(m, doc, "");
	char keys[200];
	key_list(doc, keys, sizeof keys);
	return bad(m, 0, "",
		   "not a MISP event: expected a top-level \"Event\" or \"response\" key or a list "
		   "of events, found keys %s",
		   keys[0] ? keys : "(none)");
}

/* ---- sniffing ---- */

static const char *skip_ws(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
		p++;
	return p;
}

/* Past the string starting at p (on its opening quote); copies up to cap-1
 * bytes of its raw content into key when given. NULL when truncated. */
static const char *skip_string(const char *p, const char *end, char *key, size_t cap)
{
	size_t n = 0;
	for (p++; p < end; p++) {
		if (*p == '\\') {
			p++;
			continue;
		}
		if (*p == '"') {
			if (key)
				key[n] = 0;
			return p + 1;
		}
		if (key && n + 1 < cap)
			key[n++] = *p;
	}
	return NULL;
}

static const char *skip_value(const char *p, const char *end)
{
	int depth = 0;
	while (p < end) {
		char c = *p;
		if (c == '"') {
			p = skip_string(p, end, NULL, 0);
			if (!p)
				return NULL;
			if (depth == 0)
				return p;
			continue;
		}
		if (c == '{' || c == '[') {
			depth++;
		} else if (c == '}' || c == ']') {
			if (depth == 0)
				return p;
			if (--depth == 0)
				return p + 1;
		} else if (depth == 0 &&
			   (c == ',' || c == ' ' || c == '\n' || c == '\r' || c == '\t')) {
			return p;
		}
		p++;
	}
	return NULL;
}

void misp_head_keys(const char *head, size_t len, int *is_list,
		    void (*fn)(void *arg, const char *key), void *arg)
{
	const char *p = head, *end = head + len;
	*is_list = 0;
	if (len >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0)
		p += 3; /* a UTF-8 byte order mark */
	p = skip_ws(p, end);
	if (p < end && *p == '[') {
		*is_list = 1;
		p = skip_ws(p + 1, end);
	}
	if (p >= end || *p != '{')
		return;
	p++;
	for (;;) {
		char key[64];
		p = skip_ws(p, end);
		if (p >= end || *p != '"')
			return;
		p = skip_string(p, end, key, sizeof key);
		if (!p)
			return;
		fn(arg, key);
		p = skip_ws(p, end);
		if (p >= end || *p != ':')
			return;
		p = skip_value(skip_ws(p + 1, end), end);
		if (!p)
			return;
		p = skip_ws(p, end);
		if (p >= end || *p != ',')
			return;
		p++;
	}
}

struct misp_keys {
	int event, response, other;
};

static void misp_key(void *arg, const char *key)
{
	struct misp_keys *k = arg;
	if (strcmp(key, "Event") == 0)
		k->event = 1;
	else if (strcmp(key, "response") == 0)
		k->response = 1;
	else
		k->other = 1;
}

static int misp_sniff(const char *path, const char *head, size_t len)
{
	struct misp_keys k = {0};
	int is_list;
	misp_head_keys(head, len, &is_list, misp_key, &k);
	if (k.event)
		return is_list ? 85 : 90;
	if (k.response && !is_list)
		return 85;
	/* Any other JSON object: a weak claim, so that a JSON file nobody else
	 * recognises gets the MISP reader's message about what it expected. */
	const char *p =
	    skip_ws(len >= 3 && memcmp(head, "\xEF\xBB\xBF", 3) == 0 ? head + 3 : head, head + len);
	(void)path;
	return p < head + len && (*p == '{' || *p == '[') ? 5 : 0;
}

/* ---- the reader ---- */

/* 1-based line and column (in bytes) of offset off in doc. */
static void line_col(const char *doc, size_t off, long *line, long *col)
{
	long l = 1;
	size_t ls = 0;
	for (size_t i = 0; i < off; i++)
		if (doc[i] == '\n') {
			l++;
			ls = i + 1;
		}
	*line = l;
	*col = (long)(off - ls) + 1;
}

/* Offset of the first byte nested deeper than max, or (size_t)-1. */
static size_t too_deep(const char *s, size_t n, int max)
{
	int depth = 0, in_str = 0;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (in_str) {
			if (c == '\\')
				i++;
			else if (c == '"')
				in_str = 0;
		} else if (c == '"') {
			in_str = 1;
		} else if (c == '{' || c == '[') {
			if (++depth > max)
				return i;
		} else if (c == '}' || c == ']') {
			depth--;
		}
	}
	return (size_t)-1;
}

/* Offset of the first invalid UTF-8 byte sequence's line, or (size_t)-1. */
static size_t bad_utf8(const char *s, size_t n)
{
	if (utf8_valid(s, n))
		return (size_t)-1;
	size_t start = 0;
	for (size_t i = 0; i <= n; i++) {
		if (i == n || s[i] == '\n') {
			if (!utf8_valid(s + start, i - start))
				return start;
			start = i + 1;
		}
	}
	return 0;
}

int misp_load_json(struct ingest *ig, struct input *in, cJSON **out)
{
	char *doc;
	size_t len;
	struct vb_err e;
	vb_err_clear(&e);
	*out = NULL;
	struct ingest_pos pos = {0, 0, NULL};
	if (input_read_all(in, INGEST_MAX_DOC, &doc, &len, &e))
		return ingest_fail(ig, &pos, "%s", e.msg);
	size_t off = bad_utf8(doc, len);
	if (off != (size_t)-1) {
		line_col(doc, off, &pos.line, &pos.column);
		pos.column = 0;
		free(doc);
		return ingest_fail(ig, &pos, "invalid UTF-8 on this line");
	}
	off = too_deep(doc, len, MAX_DEPTH);
	if (off != (size_t)-1) {
		line_col(doc, off, &pos.line, &pos.column);
		free(doc);
		return ingest_fail(ig, &pos, "JSON nested deeper than %d levels", MAX_DEPTH);
	}
	const char *nul = memchr(doc, 0, len);
	if (nul) {
		line_col(doc, (size_t)(nul - doc), &pos.line, &pos.column);
		free(doc);
		return ingest_fail(ig, &pos, "NUL byte in a JSON document");
	}
	/* With require_null_terminated, cJSON wants the terminating NUL inside
	 * the length it is given. */
	/* A UTF-8 byte order mark is blanked: JSON has no place for it, but
	 * editors on some systems write one. Offsets stay as in the file. */
	if (len >= 3 && memcmp(doc, "\xEF\xBB\xBF", 3) == 0)
		memset(doc, ' ', 3);
	const char *end = NULL;
	cJSON *root = cJSON_ParseWithLengthOpts(doc, len + 1, &end, 1);
	if (!root) {
		size_t at = end && end >= doc && end <= doc + len ? (size_t)(end - doc) : 0;
		line_col(doc, at, &pos.line, &pos.column);
		int rc;
		if (at >= len) {
			rc = ingest_fail(ig, &pos, "malformed JSON: unexpected end of input");
		} else {
			char near[24];
			size_t k = 0;
			for (size_t i = at; i < len && k < 16 && doc[i] != '\n'; i++)
				near[k++] = (unsigned char)doc[i] < ' ' ? ' ' : doc[i];
			near[k] = 0;
			size_t b = at;
			while (b > 0 && strchr(" \t\r\n", doc[b - 1]))
				b--;
			int trailing =
			    b > 0 && doc[b - 1] == ',' && (doc[at] == ']' || doc[at] == '}');
			rc = ingest_fail(ig, &pos, "malformed JSON: unexpected text at \"%s\"%s",
					 near,
					 trailing ? " (a comma before a closing bracket)" : "");
		}
		free(doc);
		return rc;
	}
	free(doc);
	*out = root;
	return 0;
}

struct reader_ctx {
	struct ingest *ig;
};

static int reader_emit(void *arg, cJSON *obj, const char *pointer)
{
	struct reader_ctx *c = arg;
	struct ingest_pos pos = {0, 0, pointer && *pointer ? pointer : NULL};
	return ingest_emit(c->ig, obj, &pos);
}

static int reader_bad(void *arg, const struct vb_err *e, int skippable)
{
	struct reader_ctx *c = arg;
	struct ingest_pos pos = {0, 0, e->pointer[0] ? e->pointer : "/"};
	if (skippable && ingest_options(c->ig)->skip_invalid) {
		ingest_reject(c->ig, &pos, "%s", e->msg);
		return 0;
	}
	return ingest_fail(c->ig, &pos, "%s", e->msg);
}

static int misp_read(struct ingest *ig, struct input *in)
{
	cJSON *root;
	int rc = misp_load_json(ig, in, &root);
	if (rc)
		return rc;
	struct reader_ctx ctx = {ig};
	struct misp_sink sink = {reader_emit, reader_bad, &ctx};
	struct misp_map *m = misp_map_new(&sink);
	rc = misp_map_document(m, root);
	const struct misp_stats *st = misp_map_stats(m);
	if (!rc && st->unmapped > 0)
		fprintf(stderr,
			"verbinding import: %s: %ld MISP attribute(s) of types without a STIX "
			"mapping kept as notes: %s\n",
			in->name, st->unmapped, st->unmapped_types);
	if (!rc && st->bad_values > 0)
		fprintf(stderr,
			"verbinding import: %s: %ld MISP attribute value(s) that do not parse as "
			"their type kept as notes\n",
			in->name, st->bad_values);
	misp_map_free(m);
	cJSON_Delete(root);
	return rc;
}

const struct ingest_reader ingest_misp_reader = {
    .name = "misp",
    .summary = "MISP event JSON: {\"Event\":...}, {\"response\":[...]} or a list of events",
    .sniff = misp_sniff,
    .read = misp_read,
};

/* ---- feeds ---- */

int ingest_misp_feed(struct ingest *ig, const char *dir)
{
	char path[4096], why[256];
	char *text;
	size_t len;
	snprintf(path, sizeof path, "%s/manifest.json", dir);
	if (file_read_all(path, MAX_MANIFEST, &text, &len, why, sizeof why)) {
		fprintf(stderr, "verbinding import: %s: %s\n", path, why);
		return VB_EIO;
	}
	const char *end = NULL;
	cJSON *man =
	    memchr(text, 0, len) ? NULL : cJSON_ParseWithLengthOpts(text, len + 1, &end, 1);
	if (!cJSON_IsObject(man)) {
		long line = 1, col = 1;
		if (!man && end && end >= text && end <= text + len)
			line_col(text, (size_t)(end - text), &line, &col);
		fprintf(stderr, "verbinding import: %s:%ld:%ld: %s\n", path, line, col,
			man ? "a MISP feed manifest must be an object keyed by event uuid"
			    : "malformed JSON");
		cJSON_Delete(man);
		free(text);
		return VB_EINPUT;
	}
	free(text);
	int first = 0;
	const cJSON *e;
	cJSON_ArrayForEach(e, man)
	{
		const char *uuid = e->string;
		int rc;
		if (!uuid_valid(uuid, strlen(uuid))) {
			fprintf(stderr,
				"verbinding import: %s: /%s: manifest key is not an event uuid\n",
				path, uuid);
			rc = VB_EINPUT;
		} else {
			char ev[4096];
			snprintf(ev, sizeof ev, "%s/%s.json", dir, uuid);
			if (access(ev, R_OK) != 0) {
				fprintf(stderr,
					"verbinding import: %s: event %s is listed in "
					"manifest.json but its file cannot be read: %s\n",
					ev, uuid, strerror(errno));
				rc = VB_EIO;
			} else {
				rc = ingest_file(ig, ev, &ingest_misp_reader);
			}
		}
		if (rc && !first)
			first = rc;
	}
	cJSON_Delete(man);
	return first;
}
