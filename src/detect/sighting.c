/*
 * sighting.c: aggregates of a match run into STIX 2.1 sighting objects,
 * stored through ingest_emit in one transaction (see sighting.h).
 */
#include "sighting.h"
#include "../ingest/ingest.h"
#include "../stix/stix.h"
#include "../util/buf.h"
#include "../util/util.h"

#include <cjson/cJSON.h>
#include <string.h>

/* Namespace of sighting ids (a fixed random UUID). */
#define SIGHTING_NAMESPACE "d6a0f4f1-5b0e-4d55-9a3c-1f3e6c2b8e47"

static void add_time(cJSON *o, const char *k, int64_t us)
{
	char t[40];
	time_format(us, t);
	cJSON_AddStringToObject(o, k, t);
}

static int emit_identity(struct ingest *ig, const char *id, const char *name)
{
	/* The same object `import --source NAME` stores for a source. */
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "type", "identity");
	cJSON_AddStringToObject(o, "spec_version", "2.1");
	cJSON_AddStringToObject(o, "id", id);
	cJSON_AddStringToObject(o, "created", "2020-01-01T00:00:00.000Z");
	cJSON_AddStringToObject(o, "modified", "2020-01-01T00:00:00.000Z");
	cJSON_AddStringToObject(o, "name", name);
	cJSON_AddStringToObject(o, "identity_class", "organization");
	struct ingest_pos pos = {0};
	int rc = ingest_emit(ig, o, &pos);
	cJSON_Delete(o);
	return rc;
}

int sighting_store(struct store *s, const struct matcher *m, const struct match_agg *agg,
		   size_t nagg, const struct sighting_opts *o, size_t *stored, struct vb_err *err)
{
	*stored = 0;
	struct ingest_opts io = {.source = o->sensor, .confidence = -1};
	struct ingest *ig = ingest_new(s, &io);
	const char *ident = ingest_source_identity(ig);
	int64_t now = o->now ? o->now : time_now_us();
	/* Millisecond precision, as the rest of the store writes times. */
	now -= now % 1000;
	struct buf desc, names;
	buf_init(&desc, 1 << 20);
	buf_init(&names, 1 << 20);
	for (size_t i = 0; i < o->nlogs; i++) {
		const char *b = strrchr(o->logs[i], '/');
		buf_printf(&names, "%s%s", i ? ", " : "", b ? b + 1 : o->logs[i]);
	}
	int rc = store_begin(s);
	if (!rc)
		rc = emit_identity(ig, ident, o->sensor);
	for (size_t i = 0; !rc && i < nagg; i++) {
		const struct match_agg *a = &agg[i];
		char ind[96], uuid[37], sid[64];
		matcher_indicator_id(m, a->ind, ind);
		struct buf key;
		buf_init(&key, 1 << 20);
		buf_printf(&key, "%s\n%s\n%s\n%llu\n%lld\n%lld", ident, ind, names.p ? names.p : "",
			   (unsigned long long)a->count, (long long)a->first, (long long)a->last);
		uuid_v5(SIGHTING_NAMESPACE, key.p, key.len, uuid);
		buf_free(&key);
		snprintf(sid, sizeof sid, "sighting--%s", uuid);
		cJSON *obj = cJSON_CreateObject();
		cJSON_AddStringToObject(obj, "type", "sighting");
		cJSON_AddStringToObject(obj, "spec_version", "2.1");
		cJSON_AddStringToObject(obj, "id", sid);
		add_time(obj, "created", now);
		add_time(obj, "modified", now);
		cJSON_AddStringToObject(obj, "created_by_ref", ident);
		cJSON_AddStringToObject(obj, "sighting_of_ref", ind);
		cJSON_AddNumberToObject(obj, "count",
					(double)(a->count > 999999999 ? 999999999 : a->count));
		if (a->first)
			add_time(obj, "first_seen", a->first);
		if (a->last)
			add_time(obj, "last_seen", a->last >= a->first ? a->last : a->first);
		cJSON *w = cJSON_AddArrayToObject(obj, "where_sighted_refs");
		cJSON_AddItemToArray(w, cJSON_CreateString(ident));
		buf_reset(&desc);
		buf_printf(&desc, "Seen %llu time%s by sensor %s in %s (verbinding match)",
			   (unsigned long long)a->count, a->count == 1 ? "" : "s", o->sensor,
			   names.p ? names.p : "");
		cJSON_AddStringToObject(obj, "description", desc.p);
		struct ingest_pos pos = {0};
		rc = ingest_emit(ig, obj, &pos);
		cJSON_Delete(obj);
		if (!rc)
			(*stored)++;
	}
	if (!rc)
		rc = store_commit(s);
	if (rc) {
		store_rollback(s);
		*stored = 0;
		vb_err_set(err, rc, "storing sightings failed; nothing stored");
	}
	buf_free(&desc);
	buf_free(&names);
	ingest_free(ig);
	return rc;
}
