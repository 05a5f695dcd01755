/*
 * admin.h: administering identities: organisations (each with its STIX
 * identity object), users, API tokens and sharing groups. The CLI commands
 * (org, user, token, group) and the REST administration routes both call
 * these, so names are checked and objects created the same way on both.
 *
 * Every function returns 0 or a VB_E* code with e filled with a message fit
 * to show the person asking (never a secret).
 */
#ifndef VB_ADMIN_H
#define VB_ADMIN_H

#include "cred.h"
#include "../store/store.h"
#include "../store/store_ident.h"
#include "../util/err.h"

#define ADMIN_NAME_LEN		 64 /* longest name of an organisation, user or group */
#define ADMIN_TOKEN_DAYS_DEFAULT 90
#define ADMIN_TOKEN_DAYS_MAX	 3650

/* 1 when name is 1..64 characters of [A-Za-z0-9 ._@+-], not starting or
 * ending with a space (safe in logs, share specs and file names). */
int admin_name_valid(const char *name);

/* Adds an organisation and its STIX identity object (identity_class
 * "organization", owned by the new organisation, TLP:GREEN so every member
 * of the instance, but no anonymous reader, can see who takes part).
 * kind: access_org_kind names; sector and country may be NULL; default_tlp
 * a TLP name or NULL (amber). One transaction. */
int admin_org_add(struct store *s, const char *name, const char *kind, const char *sector,
		  const char *country, const char *default_tlp, struct ident_org *out,
		  struct vb_err *e);
int admin_org_remove(struct store *s, const char *name, struct vb_err *e);

/* Adds a user; password may be NULL (token access only). */
int admin_user_add(struct store *s, const char *name, const char *org, const char *role,
		   const char *password, struct ident_user *out, struct vb_err *e);
int admin_user_passwd(struct store *s, const char *name, const char *password, struct vb_err *e);
int admin_user_remove(struct store *s, const char *name, struct vb_err *e);

/* Creates a token for user valid for days (0: the default); writes the
 * token, shown once, into token. */
int admin_token_create(struct store *s, const char *user, const char *label, long days,
		       char token[CRED_TOKEN_LEN], struct ident_token *out, struct vb_err *e);
/* Revokes the token with this id (decimal) or listing prefix ("vb_AbC123");
 * when only_user is non-zero the token must belong to that user (else it
 * is VB_ENOTFOUND, the same as a token that does not exist). */
int admin_token_revoke(struct store *s, const char *which, int64_t only_user, struct vb_err *e);

int admin_group_add(struct store *s, const char *name, const char *description,
		    struct ident_group *out, struct vb_err *e);
int admin_group_remove(struct store *s, const char *name, struct vb_err *e);
int admin_group_grant(struct store *s, const char *group, const char *org, struct vb_err *e);
int admin_group_revoke(struct store *s, const char *group, const char *org, struct vb_err *e);

/* Resolves a share spec "org:NAME", "group:NAME" or "user:NAME" (a bare
 * name is tried as a group, then an organisation). */
int admin_share_parse(struct store *s, const char *spec, struct store_share *out, struct vb_err *e);

/* Appends an audit record for a change made at the command line (user
 * "(cli)", remote "local"). Failures are reported on stderr only. */
void admin_audit_local(struct store *s, const char *action, const char *object_id,
		       const char *detail);

#endif
