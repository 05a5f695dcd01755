/*
 * ingest_misp.h: the MISP readers (events, feeds, galaxy cluster files) and
 * the mapping from MISP to STIX 2.1 that they share.
 *
 * The mapping is kept apart from the reader so that it can be tested without
 * a store: it hands every object it builds to a sink (a function pointer
 * pair), and the reader's sink is ingest_emit. Objects come out in an order
 * in which everything an object refers to that this file defines comes
 * first: marking definitions, the creator identity, galaxy objects,
 * observables, indicators, notes, and the report last.
 */
#ifndef VB_INGEST_MISP_H
#define VB_INGEST_MISP_H

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdint.h>

#include "../util/err.h"

struct ingest;
struct input;

/* Reads a MISP feed folder: manifest.json (keys are event uuids) and one
 * <uuid>.json per event, each imported as its own file (one transaction)
 * through ingest_file. Called by ingest_path for a directory that holds
 * manifest.json. Returns 0 or the first error; a missing event file is
 * reported and the others are still imported. */
int ingest_misp_feed(struct ingest *ig, const char *dir);

/* Loads and parses a whole JSON document for the MISP and galaxy readers:
 * invalid UTF-8, nesting deeper than 64 and malformed JSON are reported
 * through ingest_fail with line and column. *out is the caller's to free
 * with cJSON_Delete. Returns 0 or VB_EINPUT. */
int misp_load_json(struct ingest *ig, struct input *in, cJSON **out);

/* Namespace of the name-based (v5) ids this mapping derives itself:
 * relationships, locations by country code, galaxy clusters known by name
 * only, identities of organisations without a uuid. */
#define MISP_NAMESPACE "5e6d8d9c-21c7-4a3e-9a1e-6a0f4b1f7c22"

/* Galaxy objects carry no timestamps. Their created/modified is this fixed
 * time plus the galaxy version in milliseconds: re-importing the same galaxy
 * is idempotent and a newer galaxy adds a version. The base lies before any
 * MITRE ATT&CK release, so an ATT&CK object that shares its uuid with a MISP
 * cluster (the mitre-* galaxies reuse ATT&CK's ids) always stays the latest
 * version of that id. */
#define MISP_GALAXY_EPOCH "2000-01-01T00:00:00.000Z"

/* A set of strings (ids, uuids) with owned copies; open addressing. */
struct misp_set {
	char **slot;
	size_t cap, n;
};
/* Adds s; returns 1 when it was already there, 0 when added. */
int misp_set_add(struct misp_set *s, const char *str);
int misp_set_has(const struct misp_set *s, const char *str);
void misp_set_free(struct misp_set *s);

/* Where mapped objects go. emit gets each object (borrowed: the mapping
 * frees it afterwards) with the JSON pointer of the MISP element it came
 * from; it returns 0 to go on or an error code that stops the mapping.
 * bad is told about a malformed element (err has message and pointer);
 * when skippable is set it may return 0 to skip that element (an attribute,
 * an object, a galaxy value) and go on, otherwise its return value (non-zero)
 * stops the mapping. */
struct misp_sink {
	int (*emit)(void *arg, cJSON *obj, const char *pointer);
	int (*bad)(void *arg, const struct vb_err *err, int skippable);
	void *arg;
};

struct misp_stats {
	long events, attributes, deleted, indicators, observables, sdos, notes;
	long unmapped;		  /* attributes of a type without a STIX mapping, kept as notes */
	long bad_values;	  /* values that do not parse as their type, kept as notes */
	long objects;		  /* MISP objects kept as x-misp-object */
	long clusters;		  /* galaxy clusters mapped to objects */
	long clusters_unmapped;	  /* galaxy clusters of types without a mapping (labels only) */
	char unmapped_types[512]; /* "type n, type n, ..." for the message */
};

/* One mapping run over one input file (a document may hold many events).
 * misp_map_new never fails; misp_map_free releases everything. */
struct misp_map;
struct misp_map *misp_map_new(const struct misp_sink *sink);
void misp_map_free(struct misp_map *m);
/* The counts so far, with unmapped_types filled in. */
const struct misp_stats *misp_map_stats(struct misp_map *m);
/* Maps a whole MISP document: {"Event":{}}, {"response":[{"Event":{}}, ...]},
 * [{"Event":{}}, ...] or a bare event object. Returns 0 or the code that
 * stopped it (the sink has been told). */
int misp_map_document(struct misp_map *m, const cJSON *doc);
/* Maps one event found at pointer (e.g. "/Event"). */
int misp_map_event(struct misp_map *m, const cJSON *event, const char *pointer);

/* Pure helpers, exposed for the unit tests. */

/* The STIX pattern for one attribute value, or NULL when the type has none
 * or the value does not parse as that type. *pattern_type is set to "stix",
 * "yara", "snort" or "sigma". The caller frees the result. */
char *misp_attribute_pattern(const char *type, const char *value, const char **pattern_type);
/* The TLP 2.0 marking id a MISP distribution level (0..4) stands for, or
 * NULL for 5 (inherit) and unknown levels. */
const char *misp_distribution_tlp(long distribution);
/* The strictest TLP among the "tlp:*" tags of a MISP Tag array, or NULL. */
const char *misp_tags_tlp(const cJSON *tags);
/* A MISP unix time (string or number of seconds) as a STIX timestamp.
 * Returns 0 or VB_EINPUT. */
int misp_unix_time(const cJSON *v, char out[32]);
/* The head-of-file scanner behind the two sniffers: calls fn for each key
 * of the top-level object (or of the first element of a top-level array,
 * *is_list then set) found in a possibly truncated head. */
void misp_head_keys(const char *head, size_t len, int *is_list,
		    void (*fn)(void *arg, const char *key), void *arg);

/* Galaxies (ingest_galaxy.c). */

/* The STIX type a MISP galaxy type maps to ("intrusion-set", "malware",
 * "tool", "attack-pattern", "location" for country, "identity" for
 * sector), or NULL when it has none. */
const char *misp_galaxy_stix_type(const char *galaxy_type);
/* Builds the STIX objects for one galaxy cluster (a galaxy file's value or
 * an event's GalaxyCluster) and appends them to out: the cluster's object
 * first, then for an actor with a country a location and an originates-from
 * relationship. version is the galaxy's version (timestamps above).
 * Returns 0, or VB_EINPUT with err filled (pointer relative to the cluster)
 * when the cluster is malformed. id_out (300 bytes) receives the main
 * object's id. */
int misp_cluster_objects(const char *galaxy_type, const cJSON *cluster, long version, cJSON *out,
			 char *id_out, struct vb_err *err);
/* The galaxy-epoch timestamp for a version. */
void misp_galaxy_time(long version, char out[32]);

#endif
