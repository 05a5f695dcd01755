/*
 * store_taxii.h: what TAXII 2.1 keeps in the store besides the objects
 * themselves: collections (each a view of the store bound to a sharing
 * group and/or a TLP ceiling, with read and write rights per organisation),
 * status resources of add requests, the client's incremental pull state,
 * scans of the objects a viewer sees inside a collection, and the deletion
 * of object versions (TAXII's DELETE).
 *
 * Like store_ident.h, a table of function pointers per backend
 * (store_sqlite_taxii.c for SQLite), reached with store_taxii(s); no SQL
 * leaves src/store/. Every function returns 0 or a VB_E* code: VB_ENOTFOUND
 * for an unknown id, VB_ECONFLICT for an id, title or alias already taken,
 * VB_ESTORE when the store fails.
 *
 * Collections hold no list of members: an object version is in a
 * collection when it passes the binding (shared with the collection's group;
 * effective TLP level at or below the ceiling). What a reader gets from a
 * collection is therefore always "what the viewer may see AND what is
 * within the binding"; the viewer part is the store's one visibility clause
 * (every scan here goes through store_scan), never repeated here.
 */
#ifndef VB_STORE_TAXII_H
#define VB_STORE_TAXII_H

#include <stddef.h>
#include <stdint.h>

#include "store.h"

#define TAXII_ID_MAX	 64	    /* collection and status ids, NUL included */
#define TAXII_TITLE_MAX	 128	    /* collection titles and aliases, NUL included */
#define TAXII_DESC_MAX	 512	    /* collection descriptions, NUL included */
#define TAXII_STATUS_MAX (8u << 20) /* largest stored status resource (JSON) */

/* Which object versions a collection holds. */
struct taxii_binding {
	int64_t group; /* sharing group the version must be shared with; 0: any */
	int tlp_max;   /* highest effective TLP level (enum store_tlp); STORE_TLP_NONE: any */
};

struct taxii_collection {
	char id[TAXII_ID_MAX]; /* a UUID */
	char title[TAXII_TITLE_MAX];
	char alias[TAXII_TITLE_MAX]; /* "" when none */
	char description[TAXII_DESC_MAX];
	struct taxii_binding bind;
	int64_t created;
};

/* One organisation's rights on a collection. */
struct taxii_acl {
	int64_t org;
	int can_read, can_write;
};

/* A row of a collection scan: the store row, its effective TLP level and,
 * when asked for, whether it is the first / last version of its id among
 * the versions of that id this viewer sees in this collection (so "first"
 * and "last" never reveal a version the viewer cannot see). */
struct taxii_row {
	const struct store_row *row;
	int tlp;   /* effective level: the marking's, else the viewer's default */
	int first; /* 1 / 0 when TAXII_SCAN_FIRST was asked, else -1 */
	int last;  /* 1 / 0 when TAXII_SCAN_LAST was asked, else -1 */
};
enum { TAXII_SCAN_FIRST = 1, TAXII_SCAN_LAST = 2 };
#define TAXII_SCAN_CAPPED 1 /* scan's positive return: max_rows reached */

/* Return 0 to go on, non-zero to stop (the scan then returns that value). */
typedef int (*taxii_row_fn)(void *arg, const struct taxii_row *r);
typedef int (*taxii_collection_fn)(void *arg, const struct taxii_collection *c);
typedef int (*taxii_acl_fn)(void *arg, const struct taxii_acl *a);

/* A status resource as stored: the JSON is the whole TAXII status. */
struct taxii_status_rec {
	char id[TAXII_ID_MAX];
	char collection[TAXII_ID_MAX];
	int64_t org, user, created;
};

struct store_taxii_ops {
	/* Collections. coll_add stores c (c->created set by the store) with
	 * acl[0..n) in one transaction. */
	int (*coll_add)(struct store *s, struct taxii_collection *c, const struct taxii_acl *acl,
			size_t n);
	/* By id, or else by alias or title (for the command line). */
	int (*coll_get)(struct store *s, const char *id_alias_or_title,
			struct taxii_collection *out);
	/* By id only (for the server: ids are what TAXII clients use). */
	int (*coll_get_id)(struct store *s, const char *id, struct taxii_collection *out);
	int (*coll_list)(struct store *s, taxii_collection_fn fn, void *arg);
	int (*coll_remove)(struct store *s, const char *id);
	/* The rights of org on collection id (both 0 when none are recorded). */
	int (*coll_rights)(struct store *s, const char *id, int64_t org, int *can_read,
			   int *can_write);
	int (*coll_acl)(struct store *s, const char *id, taxii_acl_fn fn, void *arg);

	/*
	 * The object versions f selects (f->viewer required; every filter of
	 * store_filter applies; f->limit counts rows before the binding is
	 * applied, so callers leave it 0 and stop from fn) that are within
	 * binding b, in seq order. want: TAXII_SCAN_FIRST | TAXII_SCAN_LAST.
	 * max_rows > 0 bounds the rows looked at (bound or not): when reached,
	 * the scan stops and returns TAXII_SCAN_CAPPED with *last_seq set to
	 * the last row looked at, so a listing can resume after it. Rows are
	 * valid during the callback only.
	 */
	int (*scan)(struct store *s, const struct store_filter *f, const struct taxii_binding *b,
		    unsigned want, long max_rows, int64_t *last_seq, taxii_row_fn fn, void *arg);

	/* Deletes one stored version: o carries its id, modified time (as
	 * store_put got it) and index fields, rebuilt by the caller from the
	 * stored JSON with stix_index_build, so every index row goes by its
	 * full key. When it was the latest version, the newest remaining one
	 * becomes the latest. The caller checks ownership and visibility first
	 * and runs this inside a transaction. VB_ENOTFOUND when no such version. */
	int (*delete_version)(struct store *s, const struct store_obj *o);

	/* Status resources of add requests. status_get answers VB_ENOTFOUND
	 * unless the status belongs to org. *json is malloc'd; caller frees. */
	int (*status_put)(struct store *s, const struct taxii_status_rec *r, const char *json,
			  size_t len);
	int (*status_get)(struct store *s, const char *id, int64_t org, char **json, size_t *len);

	/* The client's pull state: the last X-TAXII-Date-Added-Last seen for an
	 * API root URL and collection ("" when never pulled). */
	int (*pull_get)(struct store *s, const char *url, const char *collection, char *out,
			size_t cap);
	int (*pull_set)(struct store *s, const char *url, const char *collection,
			const char *added_last);
};

/* The TAXII operations of the store's backend (never NULL). */
const struct store_taxii_ops *store_taxii(struct store *s);

extern const struct store_taxii_ops store_sqlite_taxii_ops;

#endif
