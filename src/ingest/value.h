/*
 * value.h: what kind of observable a bare string is, and its canonical form.
 *
 * Indicator lists (ipsum, maltrail trails, CSV feeds) and, later, the log
 * matcher meet observables as bare text: "1.2.3.4", "evil.example",
 * "http://x/y", a hex hash. value_detect says what a string is, strictly (a
 * string that is not clearly one kind is VALUE_NONE); value_normalise writes
 * the one canonical spelling the store indexes; value_pattern writes the STIX
 * pattern of an indicator for it; value_observable says which SCO carries it.
 *
 * Three kinds go beyond the STIX value types because maltrail uses them by
 * the hundred thousand: an address with a port ("1.2.3.4:443", "[::1]:53")
 * becomes a network-traffic pattern, and a path without a host
 * ("/gate.php") becomes a url LIKE pattern with no observable.
 *
 * Everything here works on (pointer, length) and never allocates.
 */
#ifndef VB_VALUE_H
#define VB_VALUE_H

#include <stddef.h>

/* The longest value we consider at all (a long URL); longer is VALUE_NONE. */
#define VALUE_MAX_LEN 8192
/* Room value_normalise may need: non-ASCII URL bytes become %XX, and a URL
 * without a scheme gains "http://". */
#define VALUE_NORM_CAP (3 * VALUE_MAX_LEN + 16)
/* Room value_pattern may need for a normalised value (quotes doubled by
 * escaping, the value written twice for a path, plus the fixed text). */
#define VALUE_PATTERN_CAP (4 * VALUE_NORM_CAP + 256)

enum value_kind {
	VALUE_NONE,
	VALUE_IPV4,	 /* 192.0.2.1: dotted quad, no leading zeros */
	VALUE_IPV4_CIDR, /* 192.0.2.0/24 */
	VALUE_IPV6,	 /* 2001:db8::1 */
	VALUE_IPV6_CIDR, /* 2001:db8::/32 */
	VALUE_DOMAIN,	 /* evil.example (at least two labels) */
	VALUE_URL,	 /* http://evil.example/x, or "evil.example/x" as maltrail writes it */
	VALUE_EMAIL,	 /* someone@evil.example */
	VALUE_MD5,	 /* 32 hex digits */
	VALUE_SHA1,	 /* 40 */
	VALUE_SHA256,	 /* 64 */
	VALUE_SHA512,	 /* 128 */
	VALUE_IPV4_PORT, /* 192.0.2.1:443 (maltrail) */
	VALUE_IPV6_PORT, /* [2001:db8::1]:443 */
	VALUE_URL_PATH,	 /* /gate.php: a path on any host (maltrail) */
	VALUE__COUNT
};

/* What kind of value the n bytes at s are, or VALUE_NONE. s need not be
 * NUL-terminated. Strict: leading zeros in an IPv4 octet, a one-label
 * domain, an all-numeric top-level label, spaces or control characters
 * anywhere are VALUE_NONE. */
enum value_kind value_detect(const char *s, size_t n);

/* Writes the canonical form of a value of kind k (as value_detect said) to
 * out, NUL-terminated: domains, e-mail domains, hashes, URL schemes and hosts
 * lower-cased; a domain's trailing dot removed; IPv6 in RFC 5952 form
 * (inet_ntop); a CIDR whose prefix is the whole address (/32, /128) written
 * as the bare address; a URL without a scheme given "http://" (maltrail's
 * sensor matches plain HTTP, so that is what such a trail means); bytes
 * outside ASCII in a URL or path percent-encoded.
 * Returns the length written, VB_EINPUT when the value is not of kind k or is
 * a CIDR with host bits set (1.2.3.4/24), or VB_ENOMEM when cap is too small
 * (VALUE_NORM_CAP always suffices). */
int value_normalise(enum value_kind k, const char *s, size_t n, char *out, size_t cap);

/* The STIX SCO type that carries a value of kind k ("ipv4-addr",
 * "ipv6-addr", "domain-name", "url", "email-addr", "file"), or NULL for
 * VALUE_NONE and VALUE_URL_PATH, which have no observable. */
const char *value_stix_type(enum value_kind k);

/* The kind name the store's value index uses (struct store_value.kind):
 * "ipv4-addr", ..., "file:MD5", "file:SHA-1", "file:SHA-256", "file:SHA-512";
 * NULL when the value has no observable. */
const char *value_index_kind(enum value_kind k);

/* A short English name for messages and counts ("IPv4 address", ...). */
const char *value_kind_name(enum value_kind k);

/* The observable of a normalised value: its SCO type, the hash algorithm
 * for files (else NULL) and where the observable's value lies inside the
 * normalised string (an address with a port carries only the address). */
struct value_obs {
	const char *type;  /* value_stix_type */
	const char *hash;  /* "MD5", "SHA-1", "SHA-256", "SHA-512" or NULL */
	const char *index; /* value_index_kind */
	size_t off, len;
};
/* Returns 0, or VB_ENOTFOUND when kind k has no observable. */
int value_observable(enum value_kind k, const char *norm, size_t n, struct value_obs *out);

/* Writes the STIX pattern of an indicator for the normalised value norm of
 * kind k, with ' and \ escaped inside string literals:
 *   [ipv4-addr:value = '192.0.2.0/24']
 *   [domain-name:value = 'evil.example']
 *   [file:hashes.'SHA-256' = '...']            (MD5 unquoted: hashes.MD5)
 *   [network-traffic:dst_ref.type = 'ipv4-addr' AND
 *    network-traffic:dst_ref.value = '192.0.2.1' AND network-traffic:dst_port = 443]
 *   [url:value LIKE '%://%/gate.php' OR url:value LIKE '%://%/gate.php?%']
 * Returns the length written (NUL-terminated), VB_EINPUT for VALUE_NONE or a
 * value that is not normalised, VB_ENOMEM when cap is too small. */
int value_pattern(enum value_kind k, const char *norm, size_t n, char *out, size_t cap);

/* Appends s as a STIX pattern string literal body (' and \ escaped) to out
 * at *pos; returns 0 or VB_ENOMEM. Shared with other pattern writers. */
int value_pattern_escape(const char *s, size_t n, char *out, size_t cap, size_t *pos);

/* Lower-level checks, exported for the readers and the log matcher. */
/* 1 when the n bytes are a strict dotted-quad IPv4 address; *addr gets it in
 * host byte order (addr may be NULL). */
int value_is_ipv4(const char *s, size_t n, unsigned *addr);
/* 1 when the n bytes are a domain name as value_detect accepts it
 * (a trailing dot allowed). */
int value_is_domain(const char *s, size_t n);

#endif
