/*
 * access.h: who may do what, decided in one place.
 *
 * Reads: the store's visibility clause (store_sqlite.c, visible_clause) is
 * the one decision about which object versions a reader sees; this module
 * only builds the struct store_viewer it is given (access_viewer_init).
 *
 * Writes: the rules an API or TAXII write must pass before it reaches the
 * ingest path, all here so no route forgets one:
 *   - a role may read, write objects, contribute sightings, administer;
 *   - only the creating organisation edits (new version) or revokes an object
 *     (also enforced by the store's put, so no write path can bypass it);
 *   - nobody but the creator lowers a marking (follows from the rule above;
 *     access_check_version states it explicitly for new versions);
 *   - an object may only be shared with a sharing group the writer's own
 *     organisation belongs to (MISP once accepted any group id);
 *   - RED names its recipients (users or organisations) explicitly.
 * Every function is pure (no store access) so it is unit-tested alone.
 */
#ifndef VB_ACCESS_H
#define VB_ACCESS_H

#include <stddef.h>
#include <stdint.h>

#include "../store/store.h"

/* Roles of a user inside an organisation. "admin" administers identities
 * (organisations, users, tokens, groups) of the instance; it grants no extra
 * read access: an admin reads what the admin's organisation may read. */
enum access_role {
	ACCESS_ROLE_ADMIN = 0,
	ACCESS_ROLE_ANALYST,
	ACCESS_ROLE_DIPLOMAT,
	ACCESS_ROLE_LIAISON,
	ACCESS_ROLE_PARTNER,
	ACCESS_ROLE_READ_ONLY,
	ACCESS_ROLE__COUNT
};

/* What a request needs from the caller's role (the HTTP route table names
 * one per route; handlers may ask for more with access_role_allows). */
enum access_perm {
	ACCESS_PERM_NONE = 0, /* nothing beyond authentication (if any) */
	ACCESS_PERM_READ,     /* read objects the viewer may see */
	ACCESS_PERM_SIGHT,    /* submit sightings */
	ACCESS_PERM_WRITE,    /* create objects, new versions, revoke, bulk import */
	ACCESS_PERM_ADMIN,    /* administer identities, read the audit log */
};

/* Kinds of organisation (issue 4). */
enum access_org_kind {
	ACCESS_ORG_GOVERNMENT_DEPARTMENT = 0,
	ACCESS_ORG_CERT,
	ACCESS_ORG_PARTNER_STATE,
	ACCESS_ORG_EU_NATO_BODY,
	ACCESS_ORG_BUSINESS,
	ACCESS_ORG_THIRD_COUNTRY_PARTNER,
	ACCESS_ORG_KIND__COUNT
};

/* Names as used on the command line, in the API and in the store. */
const char *access_role_name(int role);
/* Returns 0 and sets *role, or VB_EUSAGE for an unknown name. */
int access_role_parse(const char *name, int *role);
const char *access_org_kind_name(int kind);
int access_org_kind_parse(const char *name, int *kind);
/* TLP level names: "clear", "green", "amber", "amber+strict", "red". */
const char *access_tlp_name(int tlp);
/* Accepts the names above in any case, with or without "tlp:"; "white" is
 * CLEAR. Returns 0 or VB_EUSAGE. */
int access_tlp_parse(const char *name, int *tlp);
/* The TLP 2.0 marking-definition id of a level (NULL for STORE_TLP_NONE). */
const char *access_tlp_marking(int tlp);

/* 1 when role may do perm. */
int access_role_allows(int role, enum access_perm perm);

/* Fills v for a reader of organisation org whose organisation belongs to
 * groups[0..n) (borrowed: must outlive v). user is the reader's user id, for
 * RED recipients named by user. default_tlp applies to unmarked objects. */
void access_viewer_init(struct store_viewer *v, int64_t org, int64_t user, const int64_t *groups,
			size_t n_groups, int default_tlp, int public_access);
/* An anonymous reader: sees CLEAR objects when public access is on, else nothing. */
void access_viewer_anonymous(struct store_viewer *v, int public_access, int default_tlp);

/*
 * New versions and revocation: writer_org may change an object whose
 * existing versions belong to owner_org only when they are equal. Lowering
 * the marking (new_tlp < old_tlp) is therefore only ever done by the
 * creator, and the check says so again explicitly. Returns 0 or VB_EDENIED
 * with why set to a static message.
 */
int access_check_version(int64_t writer_org, int64_t owner_org, int old_tlp, int new_tlp,
			 const char **why);

/*
 * Shares requested for a write by an organisation belonging to
 * member_groups[0..n_member): every group share must name one of those
 * groups; RED accepts only named recipients (organisations or users), not
 * groups; AMBER+STRICT accepts no shares at all (the creating organisation
 * only); CLEAR accepts none (it is public anyway). Returns 0 or VB_EDENIED
 * (a group the writer is not in) / VB_EUSAGE (a share that makes no sense
 * for the level) with why set to a static message.
 */
int access_check_shares(int tlp, const struct store_share *shares, size_t n_shares,
			const int64_t *member_groups, size_t n_member, const char **why);

#endif
