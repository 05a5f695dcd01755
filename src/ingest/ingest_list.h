/*
 * ingest_list.h: the line and record parsers of the indicator-list readers
 * (ingest_list.c), callable without a store so that unit tests and the fuzz
 * harness reach them directly.
 *
 * A plain list is one value per line: "#" starts a comment (a whole line, or
 * the rest of a line after whitespace), blank lines are ignored, and further
 * columns may follow the value after a tab (ipsum: "1.2.3.4<TAB>7") or, when
 * they are a number or a comment, after spaces. A CSV file (RFC 4180) has a
 * header naming its columns.
 */
#ifndef VB_INGEST_LIST_H
#define VB_INGEST_LIST_H

#include <stddef.h>

enum list_line_type { LIST_BLANK, LIST_COMMENT, LIST_VALUE };

/* One parsed line; every pointer points into the line given. */
struct list_line {
	enum list_line_type type;
	const char *value; /* LIST_VALUE: the first column */
	size_t value_len;
	const char *comment; /* the comment text after "#" (trimmed), or NULL */
	size_t comment_len;
	const char *extra; /* further tab-separated columns that are not a score */
	size_t extra_len;
	long score;	 /* the second column when it is a whole number, else -1 */
	const char *why; /* on VB_EINPUT: what is wrong */
	long column;	 /* on VB_EINPUT: where (1-based byte column) */
};

/* Parses one line (without its "\n"; a trailing "\r" is ignored). Returns 0,
 * or VB_EINPUT with why and column set when the line holds invalid UTF-8 or a
 * control character, or text after the value that is neither a number, a
 * comment nor a tab-separated column. */
int list_parse_line(const char *line, size_t n, struct list_line *out);

/* CSV (RFC 4180). */
#define CSV_MAX_FIELDS 256

struct csv_field {
	const char *p; /* unquoted content, NUL-terminated, in the caller's scratch */
	size_t len;
};

/* Whether a record read so far leaves a quoted field open: feed each line
 * (and the line break between lines) through csv_quote_state, starting from
 * CSV_START; the record is complete at a line end when the state is not
 * CSV_QUOTED. Incremental, so a long multi-line record costs linear time. */
enum csv_state { CSV_START, CSV_UNQUOTED, CSV_QUOTED, CSV_QUOTE_IN_QUOTED };
enum csv_state csv_quote_state(const char *s, size_t n, enum csv_state st);

/* Splits one record (without its final line break) into at most max fields.
 * Quoted fields lose their quotes and "" becomes "; unquoted fields are
 * trimmed of spaces and tabs, and a quote inside one is kept as written (a
 * common sloppiness RFC 4180 forbids). The content goes to scratch (at least
 * n + max bytes). Returns the number of fields, or VB_EINPUT with *why set
 * (text after a closing quote, an unterminated quote, more than max
 * fields). */
int csv_split(const char *rec, size_t n, char *scratch, size_t scratch_cap, struct csv_field *f,
	      size_t max, const char **why);

/* Column roles in a CSV header, by name (case-insensitive). */
enum csv_role {
	CSV_OTHER,
	CSV_VALUE, /* value, indicator, ioc, ip, domain, url, hash, ... */
	CSV_TYPE,
	CSV_CATEGORY,
	CSV_COMMENT,
	CSV_DESCRIPTION,
	CSV_FIRST_SEEN,
	CSV_LAST_SEEN,
};
enum csv_role csv_column_role(const char *name, size_t n);

#endif
