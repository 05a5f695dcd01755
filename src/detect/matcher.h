/*
 * matcher.h: STIX indicators compiled into one read-only matcher that log
 * events are looked up in.
 *
 * Building: matcher_build reads every indicator of the store that is valid
 * at a moment (valid_from <= at < valid_until, not revoked, pattern_type
 * "stix") and compiles its pattern. The overwhelmingly common single
 * comparison "[type:value = 'x']" becomes one entry of a hash table (per
 * observable kind, values kept in one arena, 12-byte slots); CIDR blocks go
 * into per-prefix-length tables behind a /24 bitmap; LIKE and MATCHES become
 * PCRE2 programs (JIT); everything else keeps its parsed pattern and is
 * evaluated against the event once one of its comparisons ("anchors") has
 * hit, or against every event when it has no indexable comparison.
 *
 * Scanning: each thread owns a struct match_ctx and feeds it events
 * (match_event is a log_event_fn). Hits are written to the context's output
 * buffer as JSON lines and aggregated per indicator; observation matches of
 * patterns with several observations or qualifiers are kept and evaluated
 * after the scan by match_finish (see match_temporal.c for the semantics).
 *
 * Ownership: matcher_build/matcher_new return a matcher the caller frees
 * with matcher_free, after every context built on it is freed.
 */
#ifndef VB_MATCHER_H
#define VB_MATCHER_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "detect.h"
#include "../store/store.h"
#include "../util/buf.h"
#include "../util/err.h"

struct matcher;
struct match_ctx;

struct match_opts {
	int64_t at;	   /* the moment validity is judged at (us); 0: now */
	int subdomains;	   /* a domain indicator also matches its subdomains */
	int build_threads; /* > 1: read the store and compile in two threads */
};

/* What building found, for the run summary. */
struct match_build_stats {
	uint64_t rows;	   /* indicator rows read from the store */
	uint64_t compiled; /* indicators in the matcher */
	uint64_t not_yet_valid, expired, revoked, not_stix;
	uint64_t bad;		      /* unreadable JSON or a pattern that does not parse */
	uint64_t fast;		      /* compiled through the single-comparison fast path */
	uint64_t exact[OBS_KIND_MAX]; /* exact values per kind */
	uint64_t cidr4, cidr6, regex, complex, unanchored;
	uint64_t unmatchable; /* comparisons no log field can carry */
	double seconds;
	size_t bytes; /* memory held by the matcher's tables */
};

/* Creates an empty matcher; add indicators with matcher_add and call
 * matcher_finish before scanning. */
struct matcher *matcher_new(const struct match_opts *o);
/*
 * Compiles one indicator. id is "indicator--<uuid>" (any other id is kept
 * as text); pattern is STIX pattern text; subdomains is the indicator's
 * x_verbinding_match_subdomains. Returns 0, or VB_EINPUT with err filled
 * when the pattern does not parse (the indicator is then counted as bad).
 */
int matcher_add(struct matcher *m, const char *id, size_t id_len, const char *pattern,
		size_t pattern_len, int subdomains, struct vb_err *err);
/* Sizes and sorts the tables; the matcher is read-only afterwards. */
void matcher_finish(struct matcher *m);
/* Builds a matcher from the store's indicators (see the comment at the top). */
int matcher_build(struct store *s, const struct match_opts *o, struct matcher **out,
		  struct vb_err *err);
void matcher_free(struct matcher *m);
const struct match_build_stats *matcher_stats(const struct matcher *m);
size_t matcher_count(const struct matcher *m);
/* "indicator--..." of indicator i (0 <= i < matcher_count) into out (>= 80 bytes). */
void matcher_indicator_id(const struct matcher *m, uint32_t i, char *out);
/* The STIX object type of the indicator's first comparison ("ipv4-addr",
 * "domain-name", ...), for hit counts by type. */
const char *matcher_indicator_type(const struct matcher *m, uint32_t i);

/*
 * Comparisons that cannot be matched against the logs read: for each, the
 * observable kind it needs (OBS_NONE when no log field ever carries its
 * path). fn is called once per comparison; kinds_seen has one flag per
 * obs_kind telling whether any log field of that kind was read.
 */
typedef void (*match_unmatchable_fn)(void *arg, uint32_t ind, const char *path, const char *reason);
uint64_t matcher_unmatchable(const struct matcher *m, const uint8_t *kinds_seen,
			     match_unmatchable_fn fn, void *arg);

/* Per-indicator aggregate of one run: one sighting each. */
struct match_agg {
	uint32_t ind;
	uint64_t count;
	int64_t first, last; /* event times (us); 0 when the log had none */
};

/* Context of one scanning thread. out receives hit lines (JSON) and may be
 * NULL when only counts are wanted. */
struct match_ctx *match_ctx_new(const struct matcher *m, struct buf *out);
void match_ctx_free(struct match_ctx *c);
/* The log_event_fn: looks every field up; returns 0 (or VB_ENOMEM when the
 * output buffer reached its maximum). */
int match_event(void *ctx, const struct log_event *ev);

/* For a context that scans a chunk of a file in a thread: event line
 * numbers are relative to a base only known later (set_line_base, before
 * match_ctx_write and match_finish), and the output may spill to a
 * temporary file. */
void match_ctx_defer_lines(struct match_ctx *c);
void match_ctx_set_line_base(struct match_ctx *c, uint64_t base);
/* Forgets everything the context gathered (output, counts, aggregates). */
void match_ctx_reset(struct match_ctx *c);
/* Writes the hit lines gathered so far to f (NULL: drops them) with line
 * numbers resolved, and empties the output. Returns 0 or VB_EIO. */
int match_ctx_write(struct match_ctx *c, FILE *f);

/* 0 when the field cannot take part in any hit, whatever the rest of its
 * event (it depends on the field's kind and bytes only); for readers that
 * can skip such lines (zeek_read_probed). ctx is a match_ctx. */
int match_probe(void *ctx, const struct log_field *f);

/* Counters of one context. */
struct match_counts {
	uint64_t events, lookups, hits, hit_lines;
	uint64_t suppressed;		   /* hits dropped by the warninglist */
	uint64_t kinds_seen[OBS_KIND_MAX]; /* fields looked at, per kind */
	uint64_t obs_dropped;		   /* observation matches not kept (limit reached) */
};
const struct match_counts *match_ctx_counts(const struct match_ctx *c);

/* An allow-list check a context consults before reporting a hit: return
 * non-zero to suppress. */
typedef int (*match_allow_fn)(void *arg, enum obs_kind k, const char *v, size_t n);
void match_ctx_set_allow(struct match_ctx *c, match_allow_fn fn, void *arg);

/*
 * After the scan: merges the contexts (in order), evaluates the patterns
 * with several observations or qualifiers over the kept observation
 * matches, writes their hit lines to out, and returns the aggregates sorted
 * by indicator (*agg malloc'd, caller frees) and totals into *total.
 */
int match_finish(const struct matcher *m, struct match_ctx **ctx, size_t nctx, struct buf *out,
		 struct match_agg **agg, size_t *nagg, struct match_counts *total);

#endif
