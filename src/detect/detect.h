/*
 * detect.h: the detect stage. Log readers turn lines into events (a few typed
 * fields each); the matcher, compiled from the store's indicators, looks
 * every field up and reports hits; hits become sightings.
 *
 *   log file --reader--> struct log_event --matcher--> struct match_hit --> JSON lines, sightings
 *
 * Readers never allocate per line: field values point into the reader's
 * line buffer and are valid only during the callback. The matcher is
 * read-only once built, so several threads may scan with one matcher, each
 * with its own struct match_ctx.
 */
#ifndef VB_DETECT_H
#define VB_DETECT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "../store/store.h"
#include "../util/err.h"

/* What an event field holds, as far as matching is concerned. */
enum obs_kind {
	OBS_NONE = 0, /* not matched (kept for display, e.g. a timestamp) */
	OBS_IP,	      /* IPv4 or IPv6 address, text form */
	OBS_DOMAIN,   /* host or domain name */
	OBS_URL,      /* absolute URL, or a path when the event also has a host */
	OBS_EMAIL,    /* e-mail address */
	OBS_MD5,
	OBS_SHA1,
	OBS_SHA256,
	OBS_SHA512,
	OBS_HASH,   /* a hash of unknown algorithm: decided by its length */
	OBS_STRING, /* any other text that MATCHES/LIKE patterns may look at */
	OBS_PORT,   /* a TCP/UDP port number (network-traffic:src_port/dst_port) */
	OBS_KIND_MAX
};
/* "ip", "domain", "url", "email", "md5", ..., "port": names used in --field
 * PATH=TYPE. obs_kind_parse returns OBS_NONE for an unknown name ("none" is
 * OBS_NONE as well: a field kept for display only). */
const char *obs_kind_name(enum obs_kind k);
enum obs_kind obs_kind_parse(const char *name);

struct log_field {
	const char *name; /* as the log names it: "id.orig_h", "query", "host" */
	enum obs_kind kind;
	const char *val; /* not NUL-terminated; valid during the callback only */
	size_t len;
};

#define LOG_MAX_FIELDS 64
#define LOG_MAX_LINE   (1u << 20) /* longer lines are counted as bad and skipped */

struct log_event {
	const char *source; /* file name, "-" for stdin */
	uint64_t line;	    /* 1-based line number in the (decompressed) source */
	int64_t ts;	    /* event time, microseconds since the epoch; 0: unknown */
	const struct log_field *fields;
	size_t nfields;
	/* Optional: the time as the log writes it, left unparsed because most
	 * events never need it (Zeek "1521911720.865716", RFC 3339, ...). When
	 * ts is 0 and ts_text is set, log_event_time parses it on demand.
	 * Readers that fill ts may leave these NULL/0. */
	const char *ts_text;
	size_t ts_len;
};
/* The event's time in microseconds since the epoch: ev->ts when set, else
 * ts_text parsed (Zeek epoch seconds with a fraction, or RFC 3339); 0 when
 * unknown or unparseable. */
int64_t log_event_time(const struct log_event *ev);
/* The same parse on its own: "1521911720.865716", "2024-01-31T10:00:00Z". */
int64_t log_time_parse(const char *s, size_t n);

/* Counters a reader fills; the first few bad lines are remembered. */
#define LOG_BAD_KEPT 5
struct log_stats {
	uint64_t lines, bad_lines, bytes;
	uint64_t bad_line_no[LOG_BAD_KEPT];
	char bad_reason[LOG_BAD_KEPT][96];
	size_t n_bad_kept;
};
void log_stats_bad(struct log_stats *st, uint64_t line, const char *reason);

/* --field PATH=TYPE mappings for generic JSON lines and CSV. */
struct log_mapping {
	const char *path; /* "a.b.c" for JSON, column name for CSV */
	enum obs_kind kind;
};

struct log_opts {
	const struct log_mapping *map;
	size_t nmap;
};

/* An open log: plain or gzip (through zlib), file or stdin. */
struct log_src {
	const char *name;
	void *gz;	 /* gzFile */
	char head[8192]; /* first bytes, for format detection */
	size_t head_len, head_pos;
	int is_gzip;
	int fd;	       /* for plain files: mmap-able */
	uint64_t size; /* plain files: size in bytes; 0 when unknown */
};
int log_open(struct log_src *src, const char *path, struct vb_err *err);
void log_close(struct log_src *src);
/* Reads up to n bytes (the head first). Returns count, 0 at end, -1 on error
 * (a broken gzip stream: the caller counts it and stops). */
long log_read(struct log_src *src, char *buf, size_t n);

typedef int (*log_event_fn)(void *arg, const struct log_event *ev);

/* Reads src to its end line by line and calls fn for each line,
 * NUL-terminated in place of its newline, a trailing CR removed, with its
 * 1-based number. Lines over LOG_MAX_LINE are counted bad and skipped; a read
 * error (a broken gzip stream) is counted and ends the read. Counts lines and
 * bytes in st. Returns 0, the non-zero value fn returned, or VB_EIO when
 * nothing could be read at all. The line reader of the text formats. */
typedef int (*log_line_fn)(void *arg, char *line, size_t n, uint64_t no);
int log_lines(struct log_src *src, struct log_stats *st, log_line_fn fn, void *arg);

/* 1 when the n bytes look like an IPv4 or IPv6 address in text form (with
 * zone, "fe80::1%2", an IPv6 zone index is allowed). The readers use it to
 * tell an address from a host name in a field that may hold either. */
int log_is_ip_text(const char *s, size_t n, int zone);

/* For sniffers: calls ok on a copy of each of the first (up to 8) non-empty
 * lines of head (a CR before the newline removed; the last line may lack a
 * newline) and returns how many it accepted; *total gets how many were
 * tried. Lines of 8 KiB or more are not tried. */
int log_sniff_lines(const char *head, size_t len, int (*ok)(char *line, size_t n), int *total);

/* One reader per format, one file each (src/detect/log_*.c). */
struct log_reader {
	const char *name; /* "zeek", "zeek-json", "access", "dns", "csv", "jsonl" */
	const char *summary;
	/* Score 0..100 for how much head looks like this format. */
	int (*sniff)(const char *head, size_t len);
	/* Reads src to its end, calling fn for each good line. Bad lines are
	 * counted in st, never fatal. Returns 0, the non-zero value fn returned,
	 * or VB_EINPUT/VB_EIO for a failure to read at all. */
	int (*read)(struct log_src *src, const struct log_opts *o, log_event_fn fn, void *arg,
		    struct log_stats *st);
};
extern const struct log_reader log_zeek_reader, log_zeek_json_reader, log_access_reader,
    log_dns_reader, log_csv_reader, log_jsonl_reader;
/* The reader named name, or the best sniffer for src's head; NULL if none. */
const struct log_reader *log_reader_find(const char *name, const struct log_src *src);

#endif
