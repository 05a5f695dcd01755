/*
 * util.h: small helpers shared by every layer: allocation that aborts on
 * failure, RFC 3339 timestamps, UUIDs, UTF-8 checks, bounded file reads.
 */
#ifndef VB_UTIL_H
#define VB_UTIL_H

#include <stddef.h>
#include <stdint.h>

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* The value of a hexadecimal digit (either case), or -1. */
static inline int hex_digit(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Allocation failure is a broken invariant here: these abort with a message. */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t m);
/* n zeroed bytes at a multiple of align (a power of two); free() them. */
void *xzalloc_aligned(size_t align, size_t n);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);

/* Parse an RFC 3339 timestamp as STIX uses it ("2016-05-12T08:17:27.000Z",
 * UTC, 'Z' required, fraction optional) into microseconds since the epoch.
 * Returns 0 or VB_EINPUT. */
int time_parse(const char *s, int64_t *us);
/* Lenient parse for user input: also accepts a date "2024-01-31" and offsets. */
int time_parse_loose(const char *s, int64_t *us);
/* Format microseconds since the epoch as "YYYY-MM-DDTHH:MM:SS.mmmZ" (or with
 * six fraction digits when the value has sub-millisecond precision).
 * out must hold at least 32 bytes. */
void time_format(int64_t us, char *out);
int64_t time_now_us(void);

/* UUIDs as 36-character lower-case text plus NUL. */
void uuid_v4(char out[37]);
/* Name-based UUID (version 5, SHA-1) in namespace ns (text form). */
void uuid_v5(const char *ns, const char *name, size_t name_len, char out[37]);
/* True when s is a well-formed UUID (any version, RFC 4122 layout). */
int uuid_valid(const char *s, size_t n);

/* 1 when the n bytes at s are valid UTF-8 (no overlongs, no surrogates). */
int utf8_valid(const char *s, size_t n);

/* Read a whole file (or stdin for "-") up to max bytes into a NUL-terminated
 * buffer the caller frees. Returns 0, VB_EIO or VB_EINPUT (too large). */
int file_read_all(const char *path, size_t max, char **out, size_t *len, char *why, size_t why_cap);

/* ASCII lower-casing in place; returns s. */
char *str_lower(char *s);
int str_ieq(const char *a, const char *b);
int str_has_suffix(const char *s, const char *suffix);

/* Parse a decimal integer in [lo, hi] with end-pointer checks. */
int parse_long(const char *s, long lo, long hi, long *out);

#endif
