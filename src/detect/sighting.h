/*
 * sighting.h: a match run's aggregates stored as STIX 2.1 sightings, one
 * per indicator, through the ingest path (validated and indexed like any
 * object) in one transaction.
 */
#ifndef VB_SIGHTING_H
#define VB_SIGHTING_H

#include "matcher.h"
#include "../store/store.h"

struct sighting_opts {
	const char *sensor;	 /* identity name of the sensor (required) */
	const char *const *logs; /* the log files, for the description */
	size_t nlogs;
	int64_t now; /* created/modified; 0: now */
};

/*
 * Stores the sensor's identity (deterministic id, as `import --source`
 * makes it) and one sighting per aggregate: sighting_of_ref, count,
 * first_seen/last_seen (when the log had times), where_sighted_refs and
 * created_by_ref = the sensor. A sighting's id is derived from the sensor,
 * the indicator, the log names and the counts, so that storing the same
 * run twice adds a version instead of a second sighting. All or nothing:
 * returns 0 with *stored set, or an error (nothing stored).
 */
int sighting_store(struct store *s, const struct matcher *m, const struct match_agg *agg,
		   size_t nagg, const struct sighting_opts *o, size_t *stored, struct vb_err *err);

#endif
