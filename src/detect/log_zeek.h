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

#define ZEEK_MAX_COLS 256

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
	int have_fields;
	uint64_t gen; /* incremented whenever the header changes */
	/* Per line. */
	struct log_field fields[LOG_MAX_FIELDS];
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
/* Length of the header block at the start of p (the lines starting with
 * '#'), applied to z. */
size_t zeek_read_header(struct zeek_state *z, const char *p, size_t n, uint64_t *line);

#endif
