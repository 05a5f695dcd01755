/*
 * stix_upgrade.c: STIX 2.0 -> 2.1 upgrade of one object, in place.
 *
 * STIX 2.0 objects carry no spec_version (only the 2.0 bundle did). The
 * differences that matter for a 2.0 object to be valid 2.1 are few:
 * spec_version becomes required, indicators need pattern_type, malware needs
 * is_family, and the 2.0 "labels" that named the type of an indicator,
 * malware, tool, threat actor or report moved to *_types properties. Labels
 * are kept as they were (they remain valid 2.1 labels), unknown and custom
 * properties (ATT&CK's x_mitre_*) are left untouched, and TLP 1.0 marking
 * references are mapped to TLP 2.0 with stix_tlp_upgrade. The TLP 1.0
 * marking-definition objects themselves stay: they are valid in 2.1. A
 * created or modified written to the second gets its milliseconds (".000"),
 * which 2.1 requires; the instant does not change.
 */
#include "stix.h"
#include "../util/util.h"

#include <stdio.h>
#include <string.h>

/* 2.0 types whose labels became a *_types property in 2.1. */
static const struct {
	const char *type;
	const char *types_prop;
} labels_moved[] = {
    {"indicator", "indicator_types"}, {"malware", "malware_types"},
    {"report", "report_types"},	      {"threat-actor", "threat_actor_types"},
    {"tool", "tool_types"},
};

int stix_is_20(const cJSON *obj)
{
	if (!cJSON_IsObject(obj) || cJSON_GetObjectItemCaseSensitive(obj, "spec_version"))
		return 0;
	const cJSON *t = cJSON_GetObjectItemCaseSensitive(obj, "type");
	if (!cJSON_IsString(t))
		return 0;
	switch (stix_type_kind(t->valuestring)) {
	case STIX_SDO:
	case STIX_SRO:
		return 1;
	case STIX_META:
		/* language-content and extension-definition are new in 2.1. */
		return strcmp(t->valuestring, "marking-definition") == 0;
	case STIX_CUSTOM:
		/* A 2.0 custom object had the SDO common properties; a 2.1
		 * custom object with created must carry spec_version. */
		return cJSON_GetObjectItemCaseSensitive(obj, "created") != NULL;
	case STIX_SCO:
	case STIX_BUNDLE:
		return 0;
	}
	return 0;
}

static int oom(struct vb_err *err)
{
	return vb_err_set(err, VB_ENOMEM, "out of memory while upgrading a STIX 2.0 object");
}

/* Adds item under key right after the member named after (at the end when
 * there is none), so that spec_version sits next to type as people expect.
 * cJSON has no insert for objects: the members that follow are moved behind
 * the new one. On failure item is freed. */
static int add_after(cJSON *obj, const char *after, const char *key, cJSON *item)
{
	if (!item)
		return -1;
	cJSON *at = cJSON_GetObjectItemCaseSensitive(obj, after);
	if (!cJSON_AddItemToObject(obj, key, item)) {
		cJSON_Delete(item);
		return -1;
	}
	for (cJSON *m = at ? at->next : NULL; m && m != item;) {
		cJSON *next = m->next;
		cJSON_DetachItemViaPointer(obj, m);
		/* Appending keeps the member's key: cJSON_AddItemToObject does
		 * exactly this after it has set the key. */
		if (!cJSON_AddItemToArray(obj, m)) {
			cJSON_Delete(m);
			return -1;
		}
		m = next;
	}
	return 0;
}

/* Maps TLP 1.0 ids in a list of marking ids to TLP 2.0 and drops the
 * duplicates that may leave (WHITE and CLEAR both given). */
static int upgrade_marking_list(cJSON *refs)
{
	if (!cJSON_IsArray(refs))
		return 0;
	cJSON *r = refs->child;
	while (r) {
		cJSON *next = r->next;
		if (cJSON_IsString(r)) {
			const char *up = stix_tlp_upgrade(r->valuestring);
			if (up && strcmp(up, r->valuestring) != 0 && !cJSON_SetValuestring(r, up))
				return -1;
			for (cJSON *q = refs->child; q != r; q = q->next) {
				if (cJSON_IsString(q) &&
				    strcmp(q->valuestring, r->valuestring) == 0) {
					cJSON_Delete(cJSON_DetachItemViaPointer(refs, r));
					break;
				}
			}
		}
		r = next;
	}
	return 0;
}

/* STIX 2.1 wants created and modified to at least the millisecond; a 2.0
 * producer may have written whole seconds. The instant stays the same. */
static int pad_to_ms(cJSON *obj, const char *key)
{
	cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
	int64_t us;
	if (!cJSON_IsString(v) || time_parse(v->valuestring, &us))
		return 0; /* absent or invalid: validation will say so */
	const char *dot = strchr(v->valuestring, '.');
	if (dot && strspn(dot + 1, "0123456789") >= 3)
		return 0;
	char buf[32];
	time_format(us, buf);
	return cJSON_SetValuestring(v, buf) ? 0 : -1;
}

int stix_upgrade_20(cJSON *obj, struct vb_err *err)
{
	if (!cJSON_IsObject(obj)) {
		if (err)
			err->pointer[0] = 0;
		return vb_err_set(err, VB_EINPUT, "a STIX object must be a JSON object");
	}
	const cJSON *t = cJSON_GetObjectItemCaseSensitive(obj, "type");
	if (!cJSON_IsString(t)) {
		if (err)
			snprintf(err->pointer, sizeof err->pointer, "/type");
		return vb_err_set(err, VB_EINPUT, "missing required property 'type'");
	}
	const char *type = t->valuestring;

	cJSON *sv = cJSON_GetObjectItemCaseSensitive(obj, "spec_version");
	if (cJSON_IsString(sv) && strcmp(sv->valuestring, "2.1") == 0)
		return 0; /* already 2.1 */
	if (sv) {
		if (!cJSON_ReplaceItemViaPointer(obj, sv, cJSON_CreateString("2.1")))
			return oom(err);
	} else if (add_after(obj, "type", "spec_version", cJSON_CreateString("2.1"))) {
		return oom(err);
	}

	if (strcmp(type, "indicator") == 0 &&
	    !cJSON_GetObjectItemCaseSensitive(obj, "pattern_type") &&
	    add_after(obj, "pattern", "pattern_type", cJSON_CreateString("stix")))
		return oom(err);
	if (strcmp(type, "malware") == 0 && !cJSON_GetObjectItemCaseSensitive(obj, "is_family") &&
	    add_after(obj, "name", "is_family", cJSON_CreateTrue()))
		return oom(err);

	const cJSON *labels = cJSON_GetObjectItemCaseSensitive(obj, "labels");
	for (size_t i = 0; i < ARRAY_LEN(labels_moved); i++) {
		if (strcmp(type, labels_moved[i].type) != 0 || !cJSON_IsArray(labels) ||
		    !labels->child ||
		    cJSON_GetObjectItemCaseSensitive(obj, labels_moved[i].types_prop))
			continue;
		if (add_after(obj, "labels", labels_moved[i].types_prop,
			      cJSON_Duplicate(labels, 1)))
			return oom(err);
	}

	if (pad_to_ms(obj, "created") || pad_to_ms(obj, "modified"))
		return oom(err);
	if (upgrade_marking_list(cJSON_GetObjectItemCaseSensitive(obj, "object_marking_refs")))
		return oom(err);
	cJSON *gm = cJSON_GetObjectItemCaseSensitive(obj, "granular_markings");
	cJSON *m;
	if (!cJSON_IsArray(gm))
		gm = NULL;
	cJSON_ArrayForEach(m, gm)
	{
		cJSON *ref = cJSON_GetObjectItemCaseSensitive(m, "marking_ref");
		if (!cJSON_IsString(ref))
			continue;
		const char *up = stix_tlp_upgrade(ref->valuestring);
		if (up && strcmp(up, ref->valuestring) != 0 && !cJSON_SetValuestring(ref, up))
			return oom(err);
	}
	return 0;
}
