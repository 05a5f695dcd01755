/*
 * log_zeek.h: the Zeek TSV reader's state, exposed so that the matcher's
 * driver can read one plain file in several threads: the header is parsed
 * once, each thread scans its share of the lines with a copy of it.
 *
 * A Zeek TSV log starts with header lines (#separator, #set_separator,
 * #empty_field, #unset_field, #path, #fields, #types, #open) and may repeat
 * them later (concatenated logs); a data line has exactly one value per
 * field. See log_zeek.c for the field mapping.
 */
#ifndef VB_LOG_ZEEK_H
#define VB_LOG_ZEEK_H

#include "detect.h"

#define ZEEK_MAX_COLS	 256
#define ZEEK_RECENT_COLS 16
#define ZEEK_RECENT	 256
#define ZEEK_RECENT_LEN	 63 /* bytes of a value in the recent cache, at most */

struct zeek_state {
	/* The header in effect. */
	char sep, set_sep;
	char unset[16], empty[16];
	size_t unset_len, empty_len;
	char path[64];
	size_t ncol;
	char *names[ZEEK_MAX_COLS]; /* owned */
	char *types[ZEEK_MAX_COLS]; /* owned, NULL when #types is missing */
	uint8_t map[ZEEK_MAX_COLS + 1];
	uint16_t mcol[ZEEK_MAX_COLS]; /* the mapped columns, in order */
	size_t nmcol;
	uint16_t pcol[ZEEK_MAX_COLS]; /* those a probe looks at (not times, ports) */
	size_t npcol;
	int have_fields;
	uint64_t gen; /* incremented whenever the header changes */
	/* Per line. */
	struct log_field fields[LOG_MAX_FIELDS];
	/* log_opts.probe: lines whose fields all probe 0 make no event. Per
	 * mapped column, the previous line's bytes and whether they probed
	 * other than 0 (equal bytes are not probed again). */
	int (*probe)(void *arg, const struct log_field *f);
	void *probe_arg;
	struct {
		const char *v; /* NULL: unknown */
		uint32_t n;
		int hot;
	} prev[ZEEK_MAX_COLS];
	/* Beyond the previous line: per probed column (the first
	 * ZEEK_RECENT_COLS), ZEEK_RECENT recent values that probed 0, by a
	 * cheap hash of their bytes. The bytes are copied into the slot (one
	 * cache line), so a look-up reads nothing of the log and the cache
	 * outlives the buffer (a streamed log is scanned 4 MB at a time).
	 * Longer values are not kept. */
	struct zeek_recent {
		uint8_t n; /* 0: empty */
		char b[ZEEK_RECENT_LEN];
	} * recent;
	char *unesc; /* unescaped values of the current line */
	size_t unesc_cap;
};

void zeek_init(struct zeek_state *z);
void zeek_free(struct zeek_state *z);
/* Makes dst a copy of src's header (dst initialised or freed before). */
void zeek_copy_header(struct zeek_state *dst, const struct zeek_state *src);
/* 1 when a and b have the same header. */
int zeek_same_header(const struct zeek_state *a, const struct zeek_state *b);

/*
 * Scans the n bytes at p, which hold whole lines (the last may lack its
 * newline only at the end of the input). *line is the number of the line
 * before p and is advanced. Header lines update z; data lines become
 * events for fn; bad lines are counted in st. Returns 0, or what fn
 * returned when it stopped the scan.
 */
int zeek_scan(struct zeek_state *z, const char *source, const char *p, size_t n, uint64_t *line,
	      log_event_fn fn, void *arg, struct log_stats *st);
/*
 * The reader's read, with a probe: probe(arg, field) says whether a field
 * could take part in a hit (0: certainly not, whatever the other fields of
 * its event; it depends on the field's kind and bytes only, like
 * match_probe). Lines all of whose fields probe 0 make no event (they are
 * still counted), and a column whose bytes equal the previous line's is not
 * probed again.
 */
int zeek_read_probed(struct log_src *src, const struct log_opts *o, log_event_fn fn, void *arg,
		     struct log_stats *st, int (*probe)(void *arg, const struct log_field *f),
		     void *probe_arg);
/* For tests and benchmarks: which way of finding separators to use: 0 the
 * best the CPU has (the default), 1 plain C, 2 SSE2, 3 AVX2, 4 AVX-512.
 * Returns 0, or -1 when this CPU or build cannot. Not thread-safe. */
int zeek_window_impl(int which);
/* Length of the header block at the start of p (the lines starting with
 * '#'), applied to z. */
size_t zeek_read_header(struct zeek_state *z, const char *p, size_t n, uint64_t *line);

#endif
