/*
 * ingest_galaxy.c: the MISP galaxy cluster file reader (threat-actor.json,
 * mitre-intrusion-set.json, ransomware.json, country.json, sector.json, ...)
 * and the mapping of one galaxy cluster to STIX, which the MISP event reader
 * uses for the clusters attached to events.
 *
 * Mapping by galaxy type:
 *   threat-actor, *-intrusion-set, *threat-actor  -> intrusion-set
 *   ransomware, malpedia, *-malware, banker, rat...-> malware (is_family)
 *   tool, *-tool                                   -> tool
 *   *attack-pattern                                -> attack-pattern
 *   country                                        -> location (country)
 *   sector                                         -> identity (class, sectors)
 * An actor with meta.country also gets the country's location and an
 * "originates-from" relationship to it. Every meta key not mapped to a STIX
 * property is kept as a custom property x_misp_<key>, so nothing of the
 * galaxy is lost (cfr-suspected-state-sponsor -> x_misp_cfr_suspected_state_sponsor).
 *
 * Galaxy values carry no timestamps; see MISP_GALAXY_EPOCH in ingest_misp.h.
 */
#include "ingest_misp.h"
#include "ingest.h"
#include "../stix/stix.h"
#include "../util/util.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

static const cJSON *jget(const cJSON *o, const char *k)
{
	return cJSON_IsObject(o) ? cJSON_GetObjectItemCaseSensitive(o, k) : NULL;
}

static const char *jstr(const cJSON *o, const char *k)
{
	const cJSON *v = jget(o, k);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static void add_str(cJSON *o, const char *k, const char *v)
{
	cJSON_AddItemToObject(o, k, cJSON_CreateString(v));
}

static const struct {
	const char *galaxy, *stix;
} galaxy_types[] = {
    {"threat-actor", "intrusion-set"},
    {"microsoft-activity-group", "intrusion-set"},
    {"ransomware", "malware"},
    {"malpedia", "malware"},
    {"android", "malware"},
    {"banker", "malware"},
    {"stealer", "malware"},
    {"rat", "malware"},
    {"botnet", "malware"},
    {"backdoor", "malware"},
    {"tool", "tool"},
    {"country", "location"},
    {"sector", "identity"},
};

const char *misp_galaxy_stix_type(const char *g)
{
	if (!g)
		return NULL;
	for (size_t i = 0; i < ARRAY_LEN(galaxy_types); i++)
		if (strcmp(galaxy_types[i].galaxy, g) == 0)
			return galaxy_types[i].stix;
	/* The MITRE galaxies come in families (mitre-, mitre-enterprise-attack-,
	 * mitre-mobile-attack-, ...) that differ only in their prefix. */
	if (str_has_suffix(g, "intrusion-set") || str_has_suffix(g, "threat-actor"))
		return "intrusion-set";
	if (str_has_suffix(g, "attack-pattern"))
		return "attack-pattern";
	if (str_has_suffix(g, "-malware"))
		return "malware";
	if (str_has_suffix(g, "-tool"))
		return "tool";
	return NULL;
}

void misp_galaxy_time(long version, char out[32])
{
	int64_t base = 0;
	time_parse(MISP_GALAXY_EPOCH, &base);
	if (version < 0)
		version = 0;
	time_format(base + (int64_t)version * 1000, out);
}

/* "cfr-suspected-state-sponsor" -> "x_misp_cfr_suspected_state_sponsor";
 * 0 when the result would not be a valid STIX property name. */
static int custom_name(const char *key, char *out, size_t cap)
{
	size_t n = (size_t)snprintf(out, cap, "x_misp_");
	int last_us = 1;
	for (const char *p = key; *p; p++) {
		char c = *p;
		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))) {
			if (last_us)
				continue;
			c = '_';
		}
		if (n + 1 >= cap || n >= 250)
			return 0;
		out[n++] = c;
		last_us = c == '_';
	}
	while (n > 7 && out[n - 1] == '_')
		n--;
	out[n] = 0;
	/* Properties ending in _ref or _refs hold STIX ids; a galaxy's
	 * "ransomnotes-refs" holds URLs. */
	if (str_has_suffix(out, "_ref") || str_has_suffix(out, "_refs")) {
		if (n + 6 >= cap || n + 6 > 250)
			return 0;
		memcpy(out + n, "_value", 7);
		n += 6;
	}
	return n > 7;
}

/* "Financial Services" -> "financial-services", the form of STIX's
 * industry-sector-ov. */
static void slug(const char *s, char *out, size_t cap)
{
	size_t n = 0;
	int dash = 1;
	for (; *s && n + 1 < cap; s++) {
		char c = *s;
		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || (unsigned char)c >= 0x80) {
			out[n++] = c;
			dash = 0;
		} else if (!dash) {
			out[n++] = '-';
			dash = 1;
		}
	}
	while (n > 0 && out[n - 1] == '-')
		n--;
	/* A cut inside a UTF-8 character would leave invalid text. */
	while (n > 0 && ((unsigned char)out[n - 1] & 0xC0) == 0x80)
		n--;
	if (n > 0 && (unsigned char)out[n - 1] >= 0xC0)
		n--;
	out[n] = 0;
}

/* A two-letter ISO 3166-1 code, upper-cased into out[3], or 0. */
static int iso_code(const char *s, char out[3])
{
	if (!s || strlen(s) != 2)
		return 0;
	for (int i = 0; i < 2; i++) {
		char c = s[i];
		if (c >= 'a' && c <= 'z')
			c = (char)(c - 'a' + 'A');
		if (c < 'A' || c > 'Z')
			return 0;
		out[i] = c;
	}
	out[2] = 0;
	return 1;
}

static void location_id(const char iso[3], char *out)
{
	char key[32], uuid[37];
	snprintf(key, sizeof key, "country:%s", iso);
	uuid_v5(MISP_NAMESPACE, key, strlen(key), uuid);
	snprintf(out, 300, "location--%s", uuid);
}

static cJSON *new_obj(const char *type, const char *id, const char *t)
{
	cJSON *o = cJSON_CreateObject();
	add_str(o, "type", type);
	add_str(o, "spec_version", "2.1");
	add_str(o, "id", id);
	add_str(o, "created", t);
	add_str(o, "modified", t);
	return o;
}

static void add_refs(cJSON *o, const char *galaxy_type, const char *uuid, const cJSON *meta)
{
	cJSON *refs = cJSON_CreateArray();
	if (uuid) {
		cJSON *r = cJSON_CreateObject();
		char d[200];
		snprintf(d, sizeof d, "MISP galaxy %s", galaxy_type);
		add_str(r, "source_name", "misp-galaxy");
		add_str(r, "external_id", uuid);
		add_str(r, "description", d);
		cJSON_AddItemToArray(refs, r);
	}
	/* Clusters embedded in events carry meta values as lists. */
	const cJSON *ev = jget(meta, "external_id");
	if (cJSON_IsArray(ev))
		ev = ev->child;
	const char *ext = cJSON_IsString(ev) ? ev->valuestring : NULL;
	if (ext && *ext && strncmp(galaxy_type, "mitre-", 6) == 0) {
		cJSON *r = cJSON_CreateObject();
		add_str(r, "source_name", "mitre-attack");
		add_str(r, "external_id", ext);
		cJSON_AddItemToArray(refs, r);
	}
	const cJSON *u;
	cJSON_ArrayForEach(u, jget(meta, "refs"))
	{
		if (!cJSON_IsString(u) || !*u->valuestring)
			continue;
		cJSON *r = cJSON_CreateObject();
		add_str(r, "source_name", "misp-galaxy");
		add_str(r, "url", u->valuestring);
		cJSON_AddItemToArray(refs, r);
	}
	if (cJSON_GetArraySize(refs) > 0)
		cJSON_AddItemToObject(o, "external_references", refs);
	else
		cJSON_Delete(refs);
}

static void add_aliases(cJSON *o, const char *name, const cJSON *meta)
{
	cJSON *al = NULL;
	const cJSON *s;
	cJSON_ArrayForEach(s, jget(meta, "synonyms"))
	{
		if (!cJSON_IsString(s) || !*s->valuestring || strcmp(s->valuestring, name) == 0)
			continue;
		int dup = 0;
		const cJSON *x;
		cJSON_ArrayForEach(x, al)
		{
			if (strcmp(x->valuestring, s->valuestring) == 0)
				dup = 1;
		}
		if (dup)
			continue;
		if (!al)
			al = cJSON_AddArrayToObject(o, "aliases");
		cJSON_AddItemToArray(al, cJSON_CreateString(s->valuestring));
	}
}

/* Every meta key without a STIX property of its own, as x_misp_<key>. */
static void add_meta(cJSON *o, const cJSON *meta)
{
	const cJSON *c;
	cJSON_ArrayForEach(c, meta)
	{
		char name[260];
		if (!strcmp(c->string, "synonyms") || !strcmp(c->string, "refs") ||
		    !strcmp(c->string, "external_id"))
			continue;
		if (!custom_name(c->string, name, sizeof name) ||
		    cJSON_GetObjectItemCaseSensitive(o, name))
			continue;
		cJSON_AddItemToObject(o, name, cJSON_Duplicate(c, 1));
	}
}

/* For an actor: the location of each meta.country code and an
 * originates-from relationship to it. The location made here is a stub with
 * the earliest galaxy time, so that the country galaxy's fuller version of
 * the same id (named, same deterministic id) is always the latest. */
static void add_origin(cJSON *out, const char *actor_id, const cJSON *meta, const char *t)
{
	const cJSON *cv = jget(meta, "country");
	const cJSON *one = cJSON_IsString(cv) ? cv : NULL;
	const cJSON *c = one ? one : (cJSON_IsArray(cv) ? cv->child : NULL);
	char stub[32];
	misp_galaxy_time(0, stub);
	for (; c; c = one ? NULL : c->next) {
		char iso[3], loc[300], key[700], uuid[37], rel[80];
		if (!cJSON_IsString(c) || !iso_code(c->valuestring, iso))
			continue;
		location_id(iso, loc);
		cJSON *l = new_obj("location", loc, stub);
		add_str(l, "country", iso);
		cJSON_AddItemToArray(out, l);
		snprintf(key, sizeof key, "%s|originates-from|%s", actor_id, loc);
		uuid_v5(MISP_NAMESPACE, key, strlen(key), uuid);
		snprintf(rel, sizeof rel, "relationship--%s", uuid);
		cJSON *r = new_obj("relationship", rel, t);
		add_str(r, "relationship_type", "originates-from");
		add_str(r, "source_ref", actor_id);
		add_str(r, "target_ref", loc);
		cJSON_AddItemToArray(out, r);
	}
}

int misp_cluster_objects(const char *galaxy_type, const cJSON *c, long version, cJSON *out,
			 char *id_out, struct vb_err *err)
{
	const char *stype = misp_galaxy_stix_type(galaxy_type);
	if (!stype)
		return vb_err_set(err, VB_EINPUT, "galaxy type '%s' has no STIX mapping",
				  galaxy_type ? galaxy_type : "");
	if (!cJSON_IsObject(c))
		return vb_err_set(err, VB_EINPUT, "expected a galaxy cluster object");
	const cJSON *v = jget(c, "value");
	if (!cJSON_IsString(v) || !*v->valuestring) {
		snprintf(err->pointer, sizeof err->pointer, "/value");
		return vb_err_set(err, VB_EINPUT,
				  "a galaxy cluster needs a non-empty string value");
	}
	const char *value = v->valuestring;
	v = jget(c, "uuid");
	const char *uuid = NULL;
	/* MISP writes "" for a cluster without a uuid (custom clusters). */
	if (v && !cJSON_IsNull(v) && !(cJSON_IsString(v) && !*v->valuestring)) {
		if (!cJSON_IsString(v) || !uuid_valid(v->valuestring, strlen(v->valuestring))) {
			snprintf(err->pointer, sizeof err->pointer, "/uuid");
			return vb_err_set(err, VB_EINPUT, "cluster uuid is not a UUID");
		}
		uuid = v->valuestring;
	}
	v = jget(c, "description");
	if (v && !cJSON_IsNull(v) && !cJSON_IsString(v)) {
		snprintf(err->pointer, sizeof err->pointer, "/description");
		return vb_err_set(err, VB_EINPUT, "description must be a string");
	}
	const char *desc = cJSON_IsString(v) && *v->valuestring ? v->valuestring : NULL;
	const cJSON *meta = jget(c, "meta");
	if (meta && !cJSON_IsNull(meta) && !cJSON_IsObject(meta)) {
		snprintf(err->pointer, sizeof err->pointer, "/meta");
		return vb_err_set(err, VB_EINPUT, "meta must be an object");
	}
	char t[32], id[300];
	misp_galaxy_time(version, t);
	cJSON *o;
	if (strcmp(stype, "location") == 0) {
		char iso[3];
		if (!iso_code(jstr(meta, "ISO"), iso)) {
			snprintf(err->pointer, sizeof err->pointer, "/meta/ISO");
			return vb_err_set(
			    err, VB_EINPUT,
			    "a country needs a two-letter ISO 3166-1 code in meta.ISO");
		}
		location_id(iso, id);
		o = new_obj("location", id, t);
		add_str(o, "name", desc ? desc : value);
		add_str(o, "country", iso);
		if (uuid) {
			add_str(o, "x_misp_uuid", uuid);
			add_str(o, "x_misp_value", value);
		}
		add_meta(o, meta);
	} else {
		if (uuid) {
			snprintf(id, sizeof id, "%s--%s", stype, uuid);
		} else {
			/* Known by name only (a tag): the same name always gives the
			 * same id. */
			char key[1024], u[37];
			snprintf(key, sizeof key, "%s=%s", galaxy_type, value);
			uuid_v5(MISP_NAMESPACE, key, strlen(key), u);
			snprintf(id, sizeof id, "%s--%s", stype, u);
		}
		o = new_obj(stype, id, t);
		add_str(o, "name", value);
		if (desc)
			add_str(o, "description", desc);
		if (strcmp(stype, "identity") == 0) {
			char s[128];
			add_str(o, "identity_class", "class");
			slug(value, s, sizeof s);
			if (*s) {
				cJSON *a = cJSON_AddArrayToObject(o, "sectors");
				cJSON_AddItemToArray(a, cJSON_CreateString(s));
			}
		} else {
			add_aliases(o, value, meta);
		}
		if (strcmp(stype, "malware") == 0) {
			cJSON_AddTrueToObject(o, "is_family");
			if (strcmp(galaxy_type, "ransomware") == 0) {
				cJSON *a = cJSON_AddArrayToObject(o, "malware_types");
				cJSON_AddItemToArray(a, cJSON_CreateString("ransomware"));
			}
		}
		add_refs(o, galaxy_type, uuid, meta);
		add_meta(o, meta);
	}
	const cJSON *rel = jget(c, "related");
	if (cJSON_IsArray(rel) && cJSON_GetArraySize(rel) > 0)
		cJSON_AddItemToObject(o, "x_misp_related", cJSON_Duplicate(rel, 1));
	add_str(o, "x_misp_galaxy", galaxy_type);
	cJSON_AddItemToArray(out, o);
	if (strcmp(stype, "intrusion-set") == 0)
		add_origin(out, id, meta, t);
	snprintf(id_out, 300, "%s", id);
	return 0;
}

/* ---- the reader ---- */

struct galaxy_keys {
	int values, galaxy, stix;
};

static void galaxy_key(void *arg, const char *key)
{
	struct galaxy_keys *k = arg;
	if (strcmp(key, "values") == 0)
		k->values = 1;
	else if (!strcmp(key, "uuid") || !strcmp(key, "type") || !strcmp(key, "authors"))
		k->galaxy = 1;
	else if (!strcmp(key, "id") || !strcmp(key, "objects") || !strcmp(key, "spec_version") ||
		 !strcmp(key, "Event") || !strcmp(key, "response"))
		k->stix = 1;
}

static int galaxy_sniff(const char *path, const char *head, size_t len)
{
	struct galaxy_keys k = {0};
	int is_list;
	(void)path;
	misp_head_keys(head, len, &is_list, galaxy_key, &k);
	return !is_list && k.values && k.galaxy && !k.stix ? 90 : 0;
}

/* Index of the first value before i with this uuid, for the message. */
static int first_with_uuid(const cJSON *values, int i, const char *uuid)
{
	int j = 0;
	const cJSON *v;
	cJSON_ArrayForEach(v, values)
	{
		if (j >= i)
			break;
		const char *u = jstr(v, "uuid");
		if (u && strcmp(u, uuid) == 0)
			return j;
		j++;
	}
	return -1;
}

static int galaxy_value_bad(struct ingest *ig, const char *ptr, const char *msg)
{
	struct ingest_pos pos = {0, 0, ptr};
	if (ingest_options(ig)->skip_invalid) {
		ingest_reject(ig, &pos, "%s", msg);
		return 0;
	}
	return ingest_fail(ig, &pos, "%s", msg);
}

static int galaxy_read(struct ingest *ig, struct input *in)
{
	cJSON *root;
	int rc = misp_load_json(ig, in, &root);
	if (rc)
		return rc;
	struct ingest_pos pos = {0, 0, "/"};
	const char *gtype = jstr(root, "type");
	const cJSON *values = jget(root, "values");
	const cJSON *ver = jget(root, "version");
	long version = 0;
	if (!cJSON_IsObject(root)) {
		rc = ingest_fail(ig, &pos, "a MISP galaxy file is a JSON object");
	} else if (!gtype) {
		pos.pointer = "/type";
		rc = ingest_fail(ig, &pos, "a MISP galaxy needs a string type");
	} else if (!cJSON_IsArray(values)) {
		pos.pointer = "/values";
		rc = ingest_fail(ig, &pos, "a MISP galaxy needs a values array");
	} else if (ver &&
		   !(cJSON_IsNumber(ver) && ver->valuedouble >= 0 && ver->valuedouble <= 1e9 &&
		     ver->valuedouble == (double)(long)ver->valuedouble)) {
		pos.pointer = "/version";
		rc = ingest_fail(ig, &pos, "version must be a whole number from 0 to 1000000000");
	} else if (!misp_galaxy_stix_type(gtype)) {
		pos.pointer = "/type";
		rc = ingest_fail(ig, &pos,
				 "galaxy type '%s' has no STIX mapping (mapped: threat-actor, "
				 "*intrusion-set, ransomware, malpedia, *-malware, tool, *-tool, "
				 "*attack-pattern, country, sector)",
				 gtype);
	}
	if (rc) {
		cJSON_Delete(root);
		return rc;
	}
	if (ver)
		version = (long)ver->valuedouble;
	struct misp_set uuids = {0}, emitted = {0};
	int i = 0;
	const cJSON *v;
	cJSON_ArrayForEach(v, values)
	{
		char ptr[64], msg[600], id[300];
		snprintf(ptr, sizeof ptr, "/values/%d", i);
		const char *uuid = jstr(v, "uuid");
		if (uuid && misp_set_add(&uuids, uuid)) {
			snprintf(
			    msg, sizeof msg,
			    "duplicate value uuid %s: /values/%d has it already; uuids must be "
			    "unique within a galaxy",
			    uuid, first_with_uuid(values, i, uuid));
			snprintf(ptr, sizeof ptr, "/values/%d/uuid", i);
			if ((rc = galaxy_value_bad(ig, ptr, msg)))
				break;
			i++;
			continue;
		}
		cJSON *out = cJSON_CreateArray();
		struct vb_err e;
		vb_err_clear(&e);
		if (misp_cluster_objects(gtype, v, version, out, id, &e)) {
			char p[200];
			jp(p, sizeof p, "%s%s", ptr, e.pointer);
			rc = galaxy_value_bad(ig, p, e.msg);
		} else {
			pos.pointer = ptr;
			const cJSON *o;
			cJSON_ArrayForEach(o, out)
			{
				/* The stub location of a country recurs. */
				const char *oid = jstr(o, "id");
				if (oid && misp_set_add(&emitted, oid))
					continue;
				if ((rc = ingest_emit(ig, (cJSON *)o, &pos)))
					break;
			}
		}
		cJSON_Delete(out);
		if (rc)
			break;
		i++;
	}
	misp_set_free(&uuids);
	misp_set_free(&emitted);
	cJSON_Delete(root);
	return rc;
}

const struct ingest_reader ingest_galaxy_reader = {
    .name = "misp-galaxy",
    .summary = "MISP galaxy cluster file (threat-actor.json, ransomware.json, ...)",
    .sniff = galaxy_sniff,
    .read = galaxy_read,
};
