/*
 * stix_index.c: extraction of the fields the store indexes (struct
 * store_obj) from a validated object, the TLP catalogue, and the values a
 * pattern names.
 */
#include "stix.h"
#include "../util/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <stddef.h>
#include <string.h>
#include <strings.h>

static const struct {
	const char *name, *id, *tlp1;
} tlps[] = {
    {"clear", TLP_CLEAR, TLP1_WHITE},	      {"white", TLP_CLEAR, NULL},
    {"green", TLP_GREEN, TLP1_GREEN},	      {"amber", TLP_AMBER, TLP1_AMBER},
    {"amber+strict", TLP_AMBER_STRICT, NULL}, {"red", TLP_RED, TLP1_RED},
};

const char *stix_tlp_id(const char *name)
{
	if (strncasecmp(name, "tlp:", 4) == 0)
		name += 4;
	for (size_t i = 0; i < ARRAY_LEN(tlps); i++)
		if (str_ieq(name, tlps[i].name))
			return tlps[i].id;
	return NULL;
}

int stix_tlp_level(const char *marking_id)
{
	static const struct {
		const char *id;
		int level;
	} levels[] = {
	    {TLP_CLEAR, STORE_TLP_CLEAR},  {TLP_GREEN, STORE_TLP_GREEN},
	    {TLP_AMBER, STORE_TLP_AMBER},  {TLP_AMBER_STRICT, STORE_TLP_AMBER_STRICT},
	    {TLP_RED, STORE_TLP_RED},	   {TLP1_WHITE, STORE_TLP_CLEAR},
	    {TLP1_GREEN, STORE_TLP_GREEN}, {TLP1_AMBER, STORE_TLP_AMBER},
	    {TLP1_RED, STORE_TLP_RED},
	};
	for (size_t i = 0; i < ARRAY_LEN(levels); i++)
		if (strcmp(marking_id, levels[i].id) == 0)
			return levels[i].level;
	return STORE_TLP_NONE;
}

const char *stix_tlp_upgrade(const char *marking_id)
{
	for (size_t i = 0; i < ARRAY_LEN(tlps); i++)
		if (tlps[i].tlp1 && strcmp(marking_id, tlps[i].tlp1) == 0)
			return tlps[i].id;
	return marking_id;
}

cJSON *stix_tlp_object(const char *tlp_id)
{
	const char *name = NULL;
	for (size_t i = 0; i < ARRAY_LEN(tlps); i++)
		if (strcmp(tlp_id, tlps[i].id) == 0 && strcmp(tlps[i].name, "white") != 0)
			name = tlps[i].name;
	if (!name)
		return NULL;
	/* The TLP 2.0 definitions as published with the STIX extension
	 * extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d. */
	char up[32];
	snprintf(up, sizeof up, "%s", name);
	for (char *p = up; *p; p++)
		*p = (char)(*p >= 'a' && *p <= 'z' ? *p - 32 : *p);
	char title[48];
	snprintf(title, sizeof title, "TLP:%s", up);
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "type", "marking-definition");
	cJSON_AddStringToObject(o, "spec_version", "2.1");
	cJSON_AddStringToObject(o, "id", tlp_id);
	cJSON_AddStringToObject(o, "created", "2022-10-01T00:00:00.000Z");
	cJSON_AddStringToObject(o, "name", title);
	cJSON *ext = cJSON_AddObjectToObject(o, "extensions");
	cJSON *def = cJSON_AddObjectToObject(
	    ext, "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d");
	cJSON_AddStringToObject(def, "extension_type", "property-extension");
	cJSON_AddStringToObject(def, "tlp_2_0", name);
	return o;
}

void stix_index_init(struct stix_index *ix)
{
	memset(ix, 0, sizeof *ix);
}

static void release_owned(struct stix_index *ix)
{
	for (size_t i = 0; i < ix->n_owned; i++)
		free(ix->owned[i]);
	ix->n_owned = 0;
}

void stix_index_free(struct stix_index *ix)
{
	release_owned(ix);
	free(ix->owned);
	free(ix->markings);
	free(ix->labels);
	free(ix->refs);
	free(ix->values);
	memset(ix, 0, sizeof *ix);
}

#define PUSH(ix, arr, n, cap, val)                                                                 \
	do {                                                                                       \
		if ((n) == (cap)) {                                                                \
			(cap) = (cap) ? (cap)*2 : 8;                                               \
			(arr) = xrealloc((void *)(arr), (cap) * sizeof *(arr));                    \
		}                                                                                  \
		(arr)[(n)++] = (val);                                                              \
	} while (0)

static const char *own(struct stix_index *ix, char *s)
{
	PUSH(ix, ix->owned, ix->n_owned, ix->cap_owned, s);
	return s;
}

static void add_value(struct stix_index *ix, const char *kind, const char *value)
{
	char *k = xstrdup(kind), *v = xstrdup(value);
	stix_value_normalise(k, v);
	struct store_value sv = {own(ix, k), own(ix, v)};
	for (size_t i = 0; i < ix->o.n_values; i++)
		if (strcmp(ix->values[i].kind, sv.kind) == 0 &&
		    strcmp(ix->values[i].value, sv.value) == 0)
			return;
	PUSH(ix, ix->values, ix->o.n_values, ix->cap_values, sv);
}

static void value_cb(void *arg, const char *kind, const char *value)
{
	add_value(arg, kind, value);
}

/* Canonical hash names for the value index: "SHA-256" for sha256, SHA256... */
static const char *hash_kind(const char *alg, char *out, size_t cap)
{
	char a[32];
	size_t n = 0;
	for (const char *p = alg; *p && n < sizeof a - 1; p++)
		if (*p != '-' && *p != '_')
			a[n++] = (char)(*p >= 'a' && *p <= 'z' ? *p - 32 : *p);
	a[n] = 0;
	static const char *const names[][2] = {
	    {"MD5", "MD5"},	   {"SHA1", "SHA-1"},	    {"SHA256", "SHA-256"},
	    {"SHA512", "SHA-512"}, {"SHA3256", "SHA3-256"}, {"SHA3512", "SHA3-512"},
	    {"SHA224", "SHA-224"}, {"SHA384", "SHA-384"},   {"SSDEEP", "SSDEEP"},
	    {"TLSH", "TLSH"},
	};
	for (size_t i = 0; i < ARRAY_LEN(names); i++)
		if (strcmp(a, names[i][0]) == 0) {
			snprintf(out, cap, "file:%s", names[i][1]);
			return out;
		}
	snprintf(out, cap, "file:%s", alg);
	return out;
}

/* The top-level members the index reads, found in one pass over the object
 * (a look-up per member scanned the member list a dozen times: a tenth of
 * a list import's reading thread). The first of duplicate keys wins, as
 * with cJSON_GetObjectItemCaseSensitive. */
struct members {
	const cJSON *id, *type, *spec_version, *created, *modified, *created_by_ref, *confidence,
	    *valid_from, *valid_until, *revoked, *granular_markings, *value, *hashes, *pattern,
	    *pattern_type;
};

static const cJSON **member_slot(struct members *m, const char *k)
{
	static const struct {
		const char *key;
		size_t off;
	} keys[] = {
#define M(name) {#name, offsetof(struct members, name)}
	    M(id),	    M(type),	       M(spec_version),	     M(created),
	    M(modified),    M(created_by_ref), M(confidence),	     M(valid_from),
	    M(valid_until), M(revoked),	       M(granular_markings), M(value),
	    M(hashes),	    M(pattern),	       M(pattern_type),
#undef M
	};
	for (size_t i = 0; i < ARRAY_LEN(keys); i++)
		if (k[0] == keys[i].key[0] && strcmp(k, keys[i].key) == 0)
			return (const cJSON **)((char *)m + keys[i].off);
	return NULL;
}

static int64_t time_val(const cJSON *v)
{
	int64_t t;
	if (cJSON_IsString(v) && time_parse(v->valuestring, &t) == 0)
		return t;
	return STORE_NO_TIME;
}

static const char *str_val(const cJSON *v)
{
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static const char *str_of(const cJSON *o, const char *k)
{
	return str_val(cJSON_GetObjectItemCaseSensitive(o, k));
}

int stix_index_build(struct stix_index *ix, const cJSON *obj, struct vb_err *err)
{
	release_owned(ix);
	memset(&ix->o, 0, sizeof ix->o);
	struct store_obj *o = &ix->o;
	struct members m = {0};
	const cJSON *it;
	cJSON_ArrayForEach(it, obj)
	{
		const char *k = it->string;
		const cJSON **slot = member_slot(&m, k);
		if (slot) {
			/* created_by_ref has a column and index of its own. */
			if (!*slot)
				*slot = it;
			continue;
		}
		size_t kl = strlen(k);
		if (strcmp(k, "object_marking_refs") == 0) {
			const cJSON *e;
			cJSON_ArrayForEach(e, it) if (cJSON_IsString(e))
			    PUSH(ix, ix->markings, o->n_markings, ix->cap_markings, e->valuestring);
		} else if (strcmp(k, "labels") == 0) {
			const cJSON *e;
			cJSON_ArrayForEach(e, it) if (cJSON_IsString(e))
			    PUSH(ix, ix->labels, o->n_labels, ix->cap_labels, e->valuestring);
		} else if (kl > 4 && strcmp(k + kl - 4, "_ref") == 0 && cJSON_IsString(it)) {
			struct store_ref r = {k, it->valuestring};
			PUSH(ix, ix->refs, o->n_refs, ix->cap_refs, r);
		} else if (kl > 5 && strcmp(k + kl - 5, "_refs") == 0 && cJSON_IsArray(it)) {
			const cJSON *e;
			cJSON_ArrayForEach(e, it) if (cJSON_IsString(e))
			{
				struct store_ref r = {k, e->valuestring};
				PUSH(ix, ix->refs, o->n_refs, ix->cap_refs, r);
			}
		}
	}
	o->id = str_val(m.id);
	o->type = str_val(m.type);
	if (!o->id || !o->type)
		return vb_err_set(err, VB_EINPUT, "object without id or type");
	o->spec_version = str_val(m.spec_version);
	o->created = time_val(m.created);
	o->modified = time_val(m.modified);
	if (o->modified == STORE_NO_TIME)
		o->modified = o->created; /* marking definitions have only created */
	o->created_by_ref = str_val(m.created_by_ref);
	o->confidence = cJSON_IsNumber(m.confidence) ? m.confidence->valueint : -1;
	o->valid_from = time_val(m.valid_from);
	o->valid_until = time_val(m.valid_until);
	o->revoked = cJSON_IsTrue(m.revoked);
	cJSON_ArrayForEach(it, m.granular_markings)
	{
		const char *mk = str_of(it, "marking_ref");
		if (mk)
			PUSH(ix, ix->markings, o->n_markings, ix->cap_markings, mk);
	}
	o->markings = ix->markings;
	o->labels = ix->labels;
	o->refs = ix->refs;
	o->tlp = STORE_TLP_NONE;
	for (size_t i = 0; i < o->n_markings; i++) {
		int level = stix_tlp_level(o->markings[i]);
		if (level > o->tlp)
			o->tlp = level;
	}
	/* Observable values: the SCO's own value, file hashes, and the values an
	 * indicator's pattern names. */
	const char *t = o->type;
	const char *v = str_val(m.value);
	if (v && (strcmp(t, "ipv4-addr") == 0 || strcmp(t, "ipv6-addr") == 0 ||
		  strcmp(t, "domain-name") == 0 || strcmp(t, "url") == 0 ||
		  strcmp(t, "email-addr") == 0 || strcmp(t, "mac-addr") == 0))
		add_value(ix, t, v);
	if (strcmp(t, "file") == 0) {
		cJSON_ArrayForEach(it, m.hashes)
		{
			char kind[48];
			if (cJSON_IsString(it))
				add_value(ix, hash_kind(it->string, kind, sizeof kind),
					  it->valuestring);
		}
	}
	const char *pattern = str_val(m.pattern);
	const char *ptype = str_val(m.pattern_type);
	if (pattern && strcmp(t, "indicator") == 0 && (!ptype || strcmp(ptype, "stix") == 0))
		stix_pattern_values(pattern, value_cb, ix);
	o->values = ix->values;
	return 0;
}

char *stix_value_normalise(const char *kind, char *s)
{
	if (strcmp(kind, "domain-name") == 0 || strcmp(kind, "email-addr") == 0 ||
	    strncmp(kind, "file:", 5) == 0 || strcmp(kind, "ipv6-addr") == 0 ||
	    strcmp(kind, "mac-addr") == 0) {
		str_lower(s);
		size_t n = strlen(s);
		if (n > 1 && s[n - 1] == '.' && strcmp(kind, "domain-name") == 0)
			s[n - 1] = 0;
	}
	return s;
}

/* Hands one literal of a `type:path` comparison to fn, under the kind of
 * value it is (nothing for paths the value index does not keep). */
static void pattern_value(const char *type, const char *path, const char *val, stix_value_fn fn,
			  void *arg)
{
	char kind[80] = "";
	if (strcmp(path, "value") == 0)
		snprintf(kind, sizeof kind, "%s", type);
	else if (strcmp(type, "network-traffic") == 0 &&
		 (strcmp(path, "dst_ref.value") == 0 || strcmp(path, "src_ref.value") == 0))
		snprintf(kind, sizeof kind, "%s", strchr(val, ':') ? "ipv6-addr" : "ipv4-addr");
	else if (strcmp(type, "email-message") == 0 &&
		 (strcmp(path, "from_ref.value") == 0 || strcmp(path, "sender_ref.value") == 0))
		snprintf(kind, sizeof kind, "email-addr");
	else if (strcmp(type, "file") == 0 && strncmp(path, "hashes.", 7) == 0) {
		char alg[32];
		const char *a = path + 7;
		size_t al = strlen(a);
		if (al >= 2 && a[0] == '\'' && a[al - 1] == '\'') {
			a++;
			al -= 2;
		}
		snprintf(alg, sizeof alg, "%.*s", (int)al, a);
		hash_kind(alg, kind, sizeof kind);
	}
	if (kind[0])
		fn(arg, kind, val);
}

/* Reads the string literal at *pp, after spaces ('...', with \' and \\
 * escapes), hands it to fn as a value of type:path and skips the spaces
 * after it: 0, or -1 when there is no literal. */
static int pattern_literal(const char **pp, const char *type, const char *path, stix_value_fn fn,
			   void *arg)
{
	char val[4096];
	const char *p = *pp;
	while (*p == ' ')
		p++;
	if (*p != '\'')
		return -1;
	p++;
	size_t n = 0;
	while (*p && *p != '\'' && n < sizeof val - 1) {
		if (*p == '\\' && p[1])
			p++;
		val[n++] = *p++;
	}
	val[n] = 0;
	if (*p == '\'')
		p++;
	pattern_value(type, path, val, fn, arg);
	while (*p == ' ')
		p++;
	*pp = p;
	return 0;
}

/* A light scan of a pattern for `type:path = 'literal'` and `type:path IN
 * ('literal', ...)` comparisons, enough for the value index: the full parser
 * (pattern.c) validates patterns. Negated comparisons name no value. */
void stix_pattern_values(const char *pattern, stix_value_fn fn, void *arg)
{
	const char *p = pattern;
	while ((p = strchr(p, '[')) != NULL) {
		p++;
		for (;;) {
			while (*p == ' ' || *p == '(')
				p++;
			const char *ts = p;
			while ((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-')
				p++;
			if (*p != ':' || p == ts)
				break;
			char type[64];
			snprintf(type, sizeof type, "%.*s", (int)(p - ts), ts);
			p++;
			const char *ps = p;
			while (*p && *p != ' ' && *p != '=' && *p != ']')
				p++;
			char path[128];
			snprintf(path, sizeof path, "%.*s", (int)(p - ps), ps);
			while (*p == ' ')
				p++;
			if (*p == '=') {
				p++;
				if (pattern_literal(&p, type, path, fn, arg))
					break;
			} else if (strncmp(p, "IN", 2) == 0 && (p[2] == ' ' || p[2] == '(')) {
				p += 2;
				while (*p == ' ')
					p++;
				if (*p != '(')
					break;
				do
					p++;
				while (!pattern_literal(&p, type, path, fn, arg) && *p == ',');
				if (*p != ')')
					break;
				p++;
			} else {
				break;
			}
			while (*p == ' ' || *p == ')')
				p++;
			if (strncmp(p, "OR ", 3) == 0)
				p += 3;
			else if (strncmp(p, "AND ", 4) == 0)
				p += 4;
			else
				break;
		}
	}
}
