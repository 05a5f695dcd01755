/*
 * stix.h: the STIX 2.1 object model as verbinding handles it: validation
 * against the specification, the STIX 2.0 -> 2.1 upgrade, and extraction of
 * the index fields the store keeps (struct store_obj).
 *
 * Objects are cJSON trees owned by the caller. Errors fill struct vb_err
 * with a JSON pointer (e.g. "/objects/12/valid_from") relative to the object
 * in err->pointer and a message saying what is wrong and why.
 */
#ifndef VB_STIX_H
#define VB_STIX_H

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdint.h>

#include "../store/store.h"
#include "../util/err.h"

/* Limits applied to every object we accept. */
#define STIX_MAX_DEPTH	64
#define STIX_MAX_STRING (1 << 20)  /* bytes in one string value */
#define STIX_MAX_OBJECT (16 << 20) /* bytes of one serialised object */

/* TLP 2.0 marking-definition ids (DOMAIN.md). */
#define TLP_CLEAR	 "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487"
#define TLP_GREEN	 "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"
#define TLP_AMBER	 "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421"
#define TLP_AMBER_STRICT "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003"
#define TLP_RED		 "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1"
/* The TLP 1.0 ids STIX 2.1 defines; WHITE maps to CLEAR on import. */
#define TLP1_WHITE "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9"
#define TLP1_GREEN "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da"
#define TLP1_AMBER "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82"
#define TLP1_RED   "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed"

/* Namespace for deterministic SCO ids (STIX 2.1, 2.9). */
#define STIX_SCO_NAMESPACE "00abedb4-aa42-466c-9c01-fed23315a9b7"

enum stix_kind { STIX_SDO, STIX_SRO, STIX_SCO, STIX_META, STIX_BUNDLE, STIX_CUSTOM };

/* Kind of a type name; unknown types are STIX_CUSTOM. */
enum stix_kind stix_type_kind(const char *type);

/* TLP name ("clear", "green", "amber", "amber+strict", "red", "white"; any
 * case, with or without a "tlp:" prefix) to its TLP 2.0 marking id, or NULL. */
const char *stix_tlp_id(const char *name);
/* The enum store_tlp level of a TLP 1.0 or 2.0 marking id, or STORE_TLP_NONE. */
int stix_tlp_level(const char *marking_id);
/* Maps a TLP 1.0 marking id to its TLP 2.0 id; other ids are returned as is. */
const char *stix_tlp_upgrade(const char *marking_id);
/* The predefined TLP 2.0 marking-definition object for a TLP 2.0 id, as a new
 * cJSON tree the caller owns, or NULL when id is not a TLP 2.0 id. */
cJSON *stix_tlp_object(const char *tlp_id);

/* Validates one object against STIX 2.1 (stix_validate.c): id form, required
 * common and type-specific properties, timestamps, modified >= created, ref
 * properties pointing at the right types, vocabularies where the spec says
 * MUST, relationship and sighting endpoints. Returns 0 or VB_EINPUT with err
 * filled (err->pointer relative to the object, starting with "/"). */
int stix_validate(const cJSON *obj, struct vb_err *err);

/* True when obj looks like STIX 2.0 (SDO/SRO/marking without spec_version). */
int stix_is_20(const cJSON *obj);
/* Upgrades a STIX 2.0 object to 2.1 in place (stix_upgrade.c). */
int stix_upgrade_20(cJSON *obj, struct vb_err *err);

/* Index fields of one object, extracted by stix_index_build. Pointers point
 * into the cJSON tree or into this struct's own storage; the struct is reused
 * from object to object and released with stix_index_free. */
struct stix_index {
	struct store_obj o;
	const char **markings, **labels;
	struct store_ref *refs;
	struct store_value *values;
	size_t cap_markings, cap_labels, cap_refs, cap_values;
	char **owned; /* strings this struct allocated (normalised values) */
	size_t n_owned, cap_owned;
};

void stix_index_init(struct stix_index *ix);
void stix_index_free(struct stix_index *ix);
/* Fills ix->o from a validated object; json/json_len are set by the caller. */
int stix_index_build(struct stix_index *ix, const cJSON *obj, struct vb_err *err);

/* Observable values named by a STIX pattern's equality comparisons, as
 * (kind, normalised value) pairs, for the value index. fn is called once per
 * value; kind and value are valid during the call only. */
typedef void (*stix_value_fn)(void *arg, const char *kind, const char *value);
void stix_pattern_values(const char *pattern, stix_value_fn fn, void *arg);
/* Normalises a value of kind in place (lower-cases domains, e-mail addresses
 * and hashes). Returns s. */
char *stix_value_normalise(const char *kind, char *s);

#endif
