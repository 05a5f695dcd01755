/*
 * sensor_export.h: indicators written for network sensors to match
 * themselves: a Zeek intel framework file, or Suricata dataset files.
 *
 * Only what a sensor can match exactly is exported: the equality
 * comparisons (and IN sets, and ISSUBSET for address blocks) of indicators
 * whose pattern is one observation of comparisons joined by OR, without
 * qualifiers; the latest version of each indicator, not revoked, valid at
 * the given moment. Everything else is counted as skipped, never silently
 * dropped: the counts say why.
 *
 * Zeek (export --format zeek-intel):
 *   #fields  indicator  indicator_type  meta.source  meta.desc  meta.url
 *   Intel::ADDR, Intel::SUBNET, Intel::DOMAIN, Intel::URL (without the
 *   scheme, as Zeek's HTTP analyser builds the URL it looks up),
 *   Intel::EMAIL, Intel::FILE_HASH. meta.source is the indicator id, so the
 *   intel.log names the indicator; meta.desc its name; meta.url its first
 *   external reference URL. Control characters in the description become
 *   spaces; a value that holds one cannot be written and is skipped.
 *
 * Suricata (export --format suricata-dataset -o DIR): one file per type in
 * DIR, and DIR/README with the suricata.yaml stanzas and example rules:
 *   domain.lst    string (base64)  dns.query, tls.sni, http.host
 *   url.lst       string (base64)  http.uri: the path and query of URLs
 *   url-host.lst  string (base64)  http.host: the hosts of those URLs
 *   ipv4.lst      ipv4 (text)      ip.src / ip.dst
 *   ipv6.lst      ip (text)        ip.src / ip.dst
 *   md5.lst, sha256.lst (hex)      dataset types md5/sha256, or the
 *   sha1.lst (hex)                 filemd5/filesha1/filesha256 keywords
 * CIDR blocks and e-mail addresses have no Suricata dataset form and are
 * counted as skipped.
 */
#ifndef VB_SENSOR_EXPORT_H
#define VB_SENSOR_EXPORT_H

#include <stdint.h>
#include <stdio.h>

#include "../store/store.h"
#include "../util/err.h"

enum sensor_format { SENSOR_ZEEK_INTEL, SENSOR_SURICATA_DATASET };

/* "zeek-intel" / "suricata-dataset" to a format; -1 for any other name. */
int sensor_format_parse(const char *name);

struct sensor_export_stats {
	uint64_t indicators;   /* indicator rows read */
	uint64_t exported;     /* indicators with at least one value written */
	uint64_t values;       /* values written */
	uint64_t not_valid;    /* revoked, expired or not yet valid */
	uint64_t not_simple;   /* AND, FOLLOWEDBY, qualifiers, other operators */
	uint64_t unsupported;  /* values of a type the sensor format cannot hold */
	uint64_t bad;	       /* unreadable JSON, a pattern that does not parse */
	uint64_t per_type[16]; /* values per output type, in the order of sensor_type_name */
};

/* The name of output type i ("Intel::ADDR", ... or "domain.lst", ...),
 * NULL past the last. */
const char *sensor_type_name(enum sensor_format f, unsigned i);

/*
 * Scans the store with filter f (its types are replaced by "indicator"; the
 * latest versions only) and writes format fmt: Zeek to out, Suricata into
 * the directory dir (created when missing; existing .lst files of the same
 * names are replaced). Validity is judged at the moment at (us since the
 * epoch). Returns 0, VB_EIO with err filled when writing fails, or the
 * store's error.
 */
int sensor_export_run(struct store *st, const struct store_filter *f, enum sensor_format fmt,
		      FILE *out, const char *dir, int64_t at, struct sensor_export_stats *stats,
		      struct vb_err *err);

/* Writes the counts as a few lines of text (for stderr). */
void sensor_export_summary(FILE *to, enum sensor_format fmt, const struct sensor_export_stats *s);

#endif
