/*
 * warninglist.h: allow lists: values that must never fire (reserved and
 * private addresses, documentation domains, a partner's known-good list).
 *
 * Lists are in the MISP warninglist JSON format:
 *
 *   {"name": "...", "type": "string" | "substring" | "hostname" | "cidr" | "regex",
 *    "list": ["...", ...], "matching_attributes": ["ip-src", "domain", ...]}
 *
 *   string     the value equals an entry (ASCII case ignored)
 *   substring  the value contains an entry (ASCII case ignored)
 *   hostname   the value, or the host of a URL or the domain of an e-mail
 *              address, is an entry or a subdomain of one
 *   cidr       the address lies in an entry ("10.0.0.0/8", "2001:db8::/32",
 *              or a single address); an IPv4-mapped IPv6 address counts as
 *              its IPv4 address
 *   regex      PCRE2 (JIT) finds a match in the value; an entry written
 *              "/re/flags" takes the flags i, m, s and x
 *
 * matching_attributes (MISP attribute types) say which kinds of values a
 * list applies to: ip-src, ip-dst (and their |port forms) -> ip; domain,
 * hostname, domain|ip -> domain; url, uri, link -> url; email, email-src,
 * email-dst -> email; md5, sha1, sha256, sha512 -> hashes; text and other
 * types -> string. Without it, a cidr list applies to addresses, a hostname
 * list to domains, URLs and e-mail addresses, and the other types to all
 * kinds.
 *
 * The defaults are catalogue files (data/warninglists/ *.json), found through
 * $VERBINDING_DATA (the data directory) or next to the binary.
 *
 * Look-ups use a hash set for string and hostname entries (a hostname is
 * looked up once per label suffix), sorted disjoint ranges for CIDR entries
 * (binary search), and scan substring and regex lists in turn.
 * Once loaded, a warninglist is read-only and may be shared by threads.
 */
#ifndef VB_WARNINGLIST_H
#define VB_WARNINGLIST_H

#include <stddef.h>

#include "detect.h"
#include "../util/err.h"

struct warninglist;

/* An empty set of lists; never NULL (allocation failure aborts). */
struct warninglist *warninglist_new(void);
/*
 * Loads every *.json list of the default catalogue directory
 * (<data>/warninglists, where <data> is $VERBINDING_DATA, else the first of
 * data/, ../data/, ../../data/ and ../share/verbinding/ next to the
 * binary, else ./data). Returns 0, VB_ENOTFOUND when no catalogue directory
 * exists, or the error of the first file that does not load.
 */
int warninglist_add_defaults(struct warninglist *w);
/* Adds the list in the MISP warninglist file at path. Returns 0, VB_EIO, or
 * VB_EINPUT with err filled (file, JSON pointer, message); on error nothing
 * of the file is kept. */
int warninglist_load(struct warninglist *w, const char *path, struct vb_err *err);
/* Adds a list from JSON text (what warninglist_load does after reading);
 * name is used in error messages. */
int warninglist_load_json(struct warninglist *w, const char *json, size_t len, const char *name,
			  struct vb_err *err);
/* 0 when the n bytes at v (kind k) are on no list, else the 1-based number
 * of a list that holds them (see warninglist_name). */
int warninglist_hit(const struct warninglist *w, enum obs_kind k, const char *v, size_t n);
/* The "name" of list number i (1-based, as warninglist_hit returns), or NULL. */
const char *warninglist_name(const struct warninglist *w, int i);
/* Number of lists and of entries loaded. */
size_t warninglist_count(const struct warninglist *w, size_t *entries);
/* The catalogue directory warninglist_add_defaults would use, or NULL. */
const char *warninglist_default_dir(void);
void warninglist_free(struct warninglist *w);

#endif
