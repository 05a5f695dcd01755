/*
 * store_ident.h: identities, sharing groups, credentials and the audit log
 * in the store: organisations, users, API tokens, login sessions, sharing
 * groups and their members, the per-instance secret key, and the
 * append-only audit table.
 *
 * Like store.h, this is a table of function pointers per backend
 * (store_sqlite_ident.c for SQLite), reached with store_ident(s); no SQL
 * leaves src/store/. Secrets never enter the store in the clear: passwords
 * arrive as argon2id strings, tokens and session ids as keyed hashes
 * (computed by the caller with the instance key).
 *
 * Every function returns 0 or a VB_E* code: VB_ENOTFOUND for an unknown
 * name or id, VB_ECONFLICT for a name already taken, VB_ESTORE when the
 * store fails. Records are filled into caller-provided structs; list
 * functions call fn once per record (records valid during the call only;
 * a non-zero return from fn stops the listing and is returned).
 */
#ifndef VB_STORE_IDENT_H
#define VB_STORE_IDENT_H

#include <stddef.h>
#include <stdint.h>

#include "store.h"

#define IDENT_NAME_MAX	 128 /* names of organisations, users, groups, NUL included */
#define IDENT_HASH_LEN	 32  /* keyed hash of a token or session id */
#define IDENT_KEY_LEN	 32  /* the instance key */
#define IDENT_PWHASH_MAX 128 /* an argon2id string (crypto_pwhash_STRBYTES) */

struct ident_org {
	int64_t id;
	char name[IDENT_NAME_MAX];
	int kind;	      /* enum access_org_kind */
	char sector[64];      /* STIX industry-sector-ov value, or "" */
	char country[8];      /* ISO 3166-1 alpha-2, or "" */
	int default_tlp;      /* enum store_tlp */
	char identity_id[64]; /* the organisation's STIX identity object, or "" */
	int64_t created;
};

struct ident_user {
	int64_t id;
	char name[IDENT_NAME_MAX];
	int64_t org;
	char org_name[IDENT_NAME_MAX];
	int role; /* enum access_role */
	int has_password;
	int64_t created;
};

struct ident_token {
	int64_t id;
	int64_t user;
	char user_name[IDENT_NAME_MAX];
	char prefix[16]; /* the first characters of the token, for listing */
	char label[64];
	int64_t created, expires;
	int revoked;
};

struct ident_group {
	int64_t id;
	char name[IDENT_NAME_MAX];
	char description[256];
	int64_t created;
	int64_t n_members;
};

/* Who a token or session stands for, resolved in one look-up. */
struct ident_principal {
	int64_t user_id, org_id;
	int role;
	int default_tlp;
	char user[IDENT_NAME_MAX], org[IDENT_NAME_MAX];
};

/* One audit record. Strings may be NULL. */
struct ident_audit {
	int64_t seq, time; /* time: microseconds since the epoch */
	int64_t user_id, org_id;
	const char *user, *org, *action, *object_id, *outcome, *remote, *detail;
};

/* A filter for the audit listing. */
struct ident_audit_filter {
	int64_t since;	/* 0: from the start */
	int64_t org_id; /* 0: all organisations */
	long limit;	/* 0: no limit */
};

typedef int (*ident_org_fn)(void *arg, const struct ident_org *o);
typedef int (*ident_user_fn)(void *arg, const struct ident_user *u);
typedef int (*ident_token_fn)(void *arg, const struct ident_token *t);
typedef int (*ident_group_fn)(void *arg, const struct ident_group *g);
typedef int (*ident_audit_fn)(void *arg, const struct ident_audit *a);

struct store_ident_ops {
	/* The instance's secret key: created with random bytes the first time
	 * (rand is called to fill it), read afterwards. */
	int (*instance_key)(struct store *s, void (*rand)(void *buf, size_t n),
			    unsigned char key[IDENT_KEY_LEN]);

	/* Organisations. org_add ignores o->id and o->created and sets *id. */
	int (*org_add)(struct store *s, const struct ident_org *o, int64_t *id);
	int (*org_set_identity)(struct store *s, int64_t org, const char *identity_id);
	int (*org_get)(struct store *s, const char *name, struct ident_org *out);
	int (*org_get_id)(struct store *s, int64_t id, struct ident_org *out);
	int (*org_list)(struct store *s, ident_org_fn fn, void *arg);
	/* Removes the organisation with its users, their tokens and sessions,
	 * and its group memberships. Its objects stay, owned by an id that is
	 * never reused. */
	int (*org_remove)(struct store *s, const char *name);
	/* The groups org belongs to, ascending, at most max (*n set). */
	int (*org_groups)(struct store *s, int64_t org, int64_t *out, size_t max, size_t *n);

	/* Users. pwhash may be NULL (no password login). */
	int (*user_add)(struct store *s, const char *name, int64_t org, int role,
			const char *pwhash, int64_t *id);
	int (*user_get)(struct store *s, const char *name, struct ident_user *out);
	int (*user_get_id)(struct store *s, int64_t id, struct ident_user *out);
	/* The stored argon2id string into out (cap bytes); VB_ENOTFOUND when the
	 * user is unknown or has no password. */
	int (*user_pwhash)(struct store *s, const char *name, char *out, size_t cap);
	int (*user_set_password)(struct store *s, const char *name, const char *pwhash);
	int (*user_list)(struct store *s, int64_t org, ident_user_fn fn,
			 void *arg); /* org 0: all */
	/* Removes the user with its tokens and sessions. */
	int (*user_remove)(struct store *s, const char *name);
	/* The principal for a user name (for password login). */
	int (*user_principal)(struct store *s, const char *name, struct ident_principal *out);

	/* API tokens. hash is the keyed hash of the whole token. */
	int (*token_add)(struct store *s, int64_t user, const unsigned char hash[IDENT_HASH_LEN],
			 const char *prefix, const char *label, int64_t expires, int64_t *id);
	/* The principal of a valid (known, unrevoked, unexpired at now) token. */
	int (*token_lookup)(struct store *s, const unsigned char hash[IDENT_HASH_LEN], int64_t now,
			    struct ident_principal *out);
	int (*token_list)(struct store *s, int64_t user, ident_token_fn fn,
			  void *arg); /* user 0: all */
	int (*token_get)(struct store *s, int64_t id, struct ident_token *out);
	int (*token_revoke)(struct store *s, int64_t id);

	/* Login sessions. */
	int (*session_add)(struct store *s, const unsigned char hash[IDENT_HASH_LEN], int64_t user,
			   int64_t expires);
	int (*session_lookup)(struct store *s, const unsigned char hash[IDENT_HASH_LEN],
			      int64_t now, struct ident_principal *out);
	int (*session_remove)(struct store *s, const unsigned char hash[IDENT_HASH_LEN]);
	int (*session_purge)(struct store *s, int64_t now); /* drops expired sessions */

	/* Sharing groups. */
	int (*group_add)(struct store *s, const char *name, const char *description, int64_t *id);
	int (*group_get)(struct store *s, const char *name, struct ident_group *out);
	int (*group_get_id)(struct store *s, int64_t id, struct ident_group *out);
	int (*group_list)(struct store *s, int64_t member_org, ident_group_fn fn,
			  void *arg); /* 0: all */
	int (*group_remove)(struct store *s, const char *name);
	int (*group_grant)(struct store *s, int64_t group,
			   int64_t org); /* VB_ECONFLICT if member */
	int (*group_revoke)(struct store *s, int64_t group, int64_t org); /* VB_ENOTFOUND if not */
	int (*group_members)(struct store *s, int64_t group, ident_org_fn fn, void *arg);

	/* The audit log: append-only (the table refuses UPDATE and DELETE). */
	int (*audit_append)(struct store *s, const struct ident_audit *a);
	int (*audit_list)(struct store *s, const struct ident_audit_filter *f, ident_audit_fn fn,
			  void *arg);

	/* Write checks only, never for reading: the creating organisation and
	 * TLP level of the latest version of id, ignoring visibility. The
	 * caller must not reveal the answer to anyone who cannot see id. */
	int (*object_owner)(struct store *s, const char *id, int64_t *owner, int *tlp);
	/* The shares of the latest version of id (at most max; *n set), so a new
	 * version made by its creator keeps them unless told otherwise. */
	int (*object_shares)(struct store *s, const char *id, struct store_share *out, size_t max,
			     size_t *n);
};

/* The identity operations of the store's backend (never NULL for a store
 * opened by store_open). */
const struct store_ident_ops *store_ident(struct store *s);

extern const struct store_ident_ops store_sqlite_ident_ops;

#endif
