/*
 * store.h: the only door to stored data.
 *
 * A store keeps every version of every STIX 2.1 object, keyed by id and
 * modified, with the latest version of each id marked for fast access, and
 * side indexes (markings, labels, refs, observable values) that the backend
 * fills from struct store_obj. Callers never see SQL: a backend is a table of
 * function pointers (store_sqlite.c now, store_pg.c later) found by name.
 *
 * Times are microseconds since the epoch (see util.h time_parse).
 * Strings handed to store_put are borrowed for the duration of the call.
 * Rows handed to a scan callback are valid only during that callback.
 */
#ifndef VB_STORE_H
#define VB_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "../util/err.h"

#define STORE_SCHEMA_VERSION 1
#define STORE_NO_TIME	     INT64_MIN

struct store;

/* A reference from an object to another object id; prop is the property
 * name ("source_ref", "object_refs", "created_by_ref", ...). */
struct store_ref {
	const char *prop;
	const char *target;
};

/* An observable value carried by an object: kind is "ipv4-addr",
 * "ipv6-addr", "domain-name", "url", "email-addr", "file:MD5", "file:SHA-1",
 * "file:SHA-256", "file:SHA-512", ...; value is normalised (see stix_index.c). */
struct store_value {
	const char *kind;
	const char *value;
};

/* TLP 2.0 levels in increasing restriction; STORE_TLP_NONE when an object
 * carries no TLP marking (the instance's default then applies). */
enum store_tlp {
	STORE_TLP_NONE = -1,
	STORE_TLP_CLEAR = 0,
	STORE_TLP_GREEN = 1,
	STORE_TLP_AMBER = 2,
	STORE_TLP_AMBER_STRICT = 3,
	STORE_TLP_RED = 4,
};

/* Who an object version is shared with besides its creating organisation:
 * an organisation (RED: named recipients; AMBER: recipients), a sharing
 * group (GREEN: the group's community; AMBER: the group's members) or a
 * user (RED: a named individual recipient). */
enum store_share_kind { STORE_SHARE_ORG = 1, STORE_SHARE_GROUP = 2, STORE_SHARE_USER = 3 };
struct store_share {
	enum store_share_kind kind;
	int64_t target; /* organisation, group or user id */
};

/*
 * The reader on whose behalf a read runs. Every read of objects (get, scan,
 * stats) takes one, and the backend's single visibility clause applies it;
 * there is no read path without a viewer. STORE_VIEWER_LOCAL is the local
 * administrator at the command line, who sees everything in the store.
 */
struct store_viewer {
	int local;	       /* 1: sees everything (CLI on the store file) */
	int anonymous;	       /* no organisation: sees CLEAR when public is on */
	int public_access;     /* the instance lets anonymous readers see CLEAR */
	int64_t org;	       /* the reader's organisation id */
	const int64_t *groups; /* sharing groups the organisation belongs to */
	size_t n_groups;
	int default_tlp; /* enum store_tlp applied to unmarked objects */
	int64_t user;	 /* the reader's user id (RED recipients named by user) */
};
extern const struct store_viewer store_viewer_local;
#define STORE_VIEWER_LOCAL (&store_viewer_local)

/* One version of one object with its index fields. */
struct store_obj {
	const char *id, *type, *spec_version;
	int64_t created, modified; /* STORE_NO_TIME when absent (SCOs) */
	const char *created_by_ref;
	int confidence;			 /* -1 when absent */
	int64_t valid_from, valid_until; /* STORE_NO_TIME when absent */
	int revoked;
	const char *json;
	size_t json_len;
	const char **markings;
	size_t n_markings;
	const char **labels;
	size_t n_labels;
	const struct store_ref *refs;
	size_t n_refs;
	const struct store_value *values;
	size_t n_values;
	/* Sharing: the creating organisation (0: the instance itself, e.g. a
	 * CLI import), the TLP level (from the markings), and the shares. */
	int64_t owner_org;
	int tlp;
	const struct store_share *shares;
	size_t n_shares;
};

/* Why store_put failed, for messages: VB_ECONFLICT is the owner rule (only
 * the creating organisation adds versions of an object). */
const char *store_put_why(int rc);

enum store_put_result {
	STORE_PUT_NEW,	     /* first version of this id */
	STORE_PUT_UPDATED,   /* a newer version of an id already stored */
	STORE_PUT_UNCHANGED, /* this id and modified are already stored */
	STORE_PUT_OLDER,     /* an older version, kept in history; latest unchanged */
};

/* A row handed to scan callbacks. */
struct store_row {
	int64_t seq;   /* monotonic insertion sequence: cursor and TAXII "added" order */
	int64_t added; /* when this version entered the store */
	const char *id, *type;
	int64_t modified;
	int latest;
	const char *json;
	size_t json_len;
};

/* Filters for store_scan; zero-initialised except viewer means "everything
 * the viewer may see, latest only". viewer is required. */
struct store_filter {
	const struct store_viewer *viewer;
	const char *const *types; /* NULL-terminated, or NULL */
	const char *const *ids;	  /* NULL-terminated, or NULL */
	const char *marking;	  /* marking-definition id, or NULL */
	const char *label;	  /* or NULL */
	const char *value_kind;	  /* observable look-up: kind and value, or NULL */
	const char *value;
	const char *ref_target; /* objects that reference this id, or NULL */
	const char *ref_prop;	/* ... through this property only, or NULL */
	int64_t modified_since; /* STORE_NO_TIME or 0 when unused (0 means unused) */
	int64_t added_after;	/* 0 when unused */
	int64_t after_seq;	/* cursor: rows with seq > after_seq */
	int all_versions;
	long limit; /* 0: no limit */
};

/* Return 0 to go on, non-zero to stop the scan (which then returns that value). */
typedef int (*store_row_fn)(void *arg, const struct store_row *row);

struct store_count {
	const char *key;
	int64_t n;
};
struct store_stats {
	int64_t objects;  /* latest versions */
	int64_t versions; /* all versions */
	int64_t bytes;	  /* size of the store on disk */
	struct store_count *by_type, *by_marking;
	size_t n_by_type, n_by_marking;
};

struct store_backend {
	const char *name;
	int (*open)(const char *path, int flags, struct store **out, struct vb_err *err);
	void (*close)(struct store *s);
	int (*begin)(struct store *s);
	int (*commit)(struct store *s);
	int (*rollback)(struct store *s);
	int (*put)(struct store *s, const struct store_obj *o, enum store_put_result *res);
	/* modified == STORE_NO_TIME: latest version. *json is malloc'd, caller
	 * frees. An object the viewer may not see is VB_ENOTFOUND, exactly as a
	 * missing one. */
	int (*get)(struct store *s, const struct store_viewer *v, const char *id, int64_t modified,
		   char **json, size_t *len);
	int (*scan)(struct store *s, const struct store_filter *f, store_row_fn fn, void *arg);
	int (*stats)(struct store *s, const struct store_viewer *v, struct store_stats *out);
	int (*check)(struct store *s, char *msg, size_t cap); /* integrity check */
};

struct store {
	const struct store_backend *be;
};

/* Flags of store_open. */
enum {
	STORE_CREATE = 1, /* create the store when it does not exist */
	STORE_BULK = 2,	  /* a large page cache for bulk writes (imports) */
};

/* Open (create when asked) the store at path. A path of the form
 * "postgresql://..." selects the PostgreSQL backend once it exists; anything
 * else is a SQLite file. Returns 0 or a VB_E* code with err filled. */
int store_open(const char *path, int flags, struct store **out, struct vb_err *err);
void store_close(struct store *s);
/* The store path from --store, else $VERBINDING_STORE, else ./verbinding.db. */
const char *store_default_path(const char *flag);

static inline int store_begin(struct store *s)
{
	return s->be->begin(s);
}
static inline int store_commit(struct store *s)
{
	return s->be->commit(s);
}
static inline int store_rollback(struct store *s)
{
	return s->be->rollback(s);
}
static inline int store_put(struct store *s, const struct store_obj *o, enum store_put_result *r)
{
	return s->be->put(s, o, r);
}
static inline int store_get(struct store *s, const struct store_viewer *v, const char *id,
			    int64_t modified, char **json, size_t *len)
{
	return s->be->get(s, v, id, modified, json, len);
}
static inline int store_scan(struct store *s, const struct store_filter *f, store_row_fn fn,
			     void *arg)
{
	return s->be->scan(s, f, fn, arg);
}
static inline int store_stats(struct store *s, const struct store_viewer *v,
			      struct store_stats *out)
{
	return s->be->stats(s, v, out);
}
void store_stats_free(struct store_stats *st);
static inline int store_check(struct store *s, char *msg, size_t cap)
{
	return s->be->check(s, msg, cap);
}

extern const struct store_backend store_sqlite_backend;

#endif
