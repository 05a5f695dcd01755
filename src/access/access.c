/*
 * access.c: roles, organisation kinds, TLP names, viewers, and the write
 * rules of access.h. Pure functions: the store is never touched here.
 */
#include "access.h"
#include "../stix/stix.h"
#include "../util/util.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const role_names[ACCESS_ROLE__COUNT] = {
    [ACCESS_ROLE_ADMIN] = "admin",	 [ACCESS_ROLE_ANALYST] = "analyst",
    [ACCESS_ROLE_DIPLOMAT] = "diplomat", [ACCESS_ROLE_LIAISON] = "liaison",
    [ACCESS_ROLE_PARTNER] = "partner",	 [ACCESS_ROLE_READ_ONLY] = "read-only",
};

static const char *const kind_names[ACCESS_ORG_KIND__COUNT] = {
    [ACCESS_ORG_GOVERNMENT_DEPARTMENT] = "government-department",
    [ACCESS_ORG_CERT] = "cert",
    [ACCESS_ORG_PARTNER_STATE] = "partner-state",
    [ACCESS_ORG_EU_NATO_BODY] = "eu-nato-body",
    [ACCESS_ORG_BUSINESS] = "business",
    [ACCESS_ORG_THIRD_COUNTRY_PARTNER] = "third-country-partner",
};

static const char *const tlp_names[] = {"clear", "green", "amber", "amber+strict", "red"};

const char *access_role_name(int role)
{
	return role >= 0 && role < ACCESS_ROLE__COUNT ? role_names[role] : "unknown";
}

int access_role_parse(const char *name, int *role)
{
	for (int i = 0; i < ACCESS_ROLE__COUNT; i++)
		if (name && strcmp(name, role_names[i]) == 0) {
			*role = i;
			return 0;
		}
	return VB_EUSAGE;
}

const char *access_org_kind_name(int kind)
{
	return kind >= 0 && kind < ACCESS_ORG_KIND__COUNT ? kind_names[kind] : "unknown";
}

int access_org_kind_parse(const char *name, int *kind)
{
	for (int i = 0; i < ACCESS_ORG_KIND__COUNT; i++)
		if (name && strcmp(name, kind_names[i]) == 0) {
			*kind = i;
			return 0;
		}
	return VB_EUSAGE;
}

const char *access_tlp_name(int tlp)
{
	return tlp >= STORE_TLP_CLEAR && tlp <= STORE_TLP_RED ? tlp_names[tlp] : "none";
}

int access_tlp_parse(const char *name, int *tlp)
{
	if (!name)
		return VB_EUSAGE;
	if (strncasecmp(name, "tlp:", 4) == 0)
		name += 4;
	if (strcasecmp(name, "white") == 0) {
		*tlp = STORE_TLP_CLEAR;
		return 0;
	}
	for (int i = 0; i < (int)ARRAY_LEN(tlp_names); i++)
		if (strcasecmp(name, tlp_names[i]) == 0) {
			*tlp = i;
			return 0;
		}
	return VB_EUSAGE;
}

const char *access_tlp_marking(int tlp)
{
	switch (tlp) {
	case STORE_TLP_CLEAR:
		return TLP_CLEAR;
	case STORE_TLP_GREEN:
		return TLP_GREEN;
	case STORE_TLP_AMBER:
		return TLP_AMBER;
	case STORE_TLP_AMBER_STRICT:
		return TLP_AMBER_STRICT;
	case STORE_TLP_RED:
		return TLP_RED;
	default:
		return NULL;
	}
}

/*
 * The permission table. Partners receive intelligence and contribute
 * sightings (PRODUCT.md); the analyst, diplomat and liaison roles work on
 * the store; read-only reads. Admin administers identities and also writes,
 * so a small instance can run with one account per organisation.
 */
int access_role_allows(int role, enum access_perm perm)
{
	switch (perm) {
	case ACCESS_PERM_NONE:
		return 1;
	case ACCESS_PERM_READ:
		return role >= 0 && role < ACCESS_ROLE__COUNT;
	case ACCESS_PERM_SIGHT:
		return role >= 0 && role < ACCESS_ROLE__COUNT && role != ACCESS_ROLE_READ_ONLY;
	case ACCESS_PERM_WRITE:
		return role == ACCESS_ROLE_ADMIN || role == ACCESS_ROLE_ANALYST ||
		       role == ACCESS_ROLE_DIPLOMAT || role == ACCESS_ROLE_LIAISON;
	case ACCESS_PERM_ADMIN:
		return role == ACCESS_ROLE_ADMIN;
	}
	return 0;
}

void access_viewer_init(struct store_viewer *v, int64_t org, int64_t user, const int64_t *groups,
			size_t n_groups, int default_tlp, int public_access)
{
	memset(v, 0, sizeof *v);
	v->org = org;
	v->user = user;
	v->groups = groups;
	v->n_groups = n_groups;
	/* An organisation without a valid default falls back to the most
	 * restrictive shareable level: unmarked objects stay with their owner. */
	v->default_tlp = default_tlp >= STORE_TLP_CLEAR && default_tlp <= STORE_TLP_RED
			     ? default_tlp
			     : STORE_TLP_AMBER_STRICT;
	v->public_access = public_access;
}

void access_viewer_anonymous(struct store_viewer *v, int public_access, int default_tlp)
{
	memset(v, 0, sizeof *v);
	v->anonymous = 1;
	v->public_access = public_access;
	v->default_tlp = default_tlp >= STORE_TLP_CLEAR && default_tlp <= STORE_TLP_RED
			     ? default_tlp
			     : STORE_TLP_AMBER_STRICT;
}

int access_check_version(int64_t writer_org, int64_t owner_org, int old_tlp, int new_tlp,
			 const char **why)
{
	/* Two rules, the second implied by the first today; both are stated so
	 * that relaxing the first (delegated editing, say) keeps the second. */
	if (new_tlp < old_tlp && writer_org != owner_org) {
		*why = "only the creating organisation may lower the marking";
		return VB_EDENIED;
	}
	if (writer_org != owner_org) {
		*why = "only the creating organisation may change this object";
		return VB_EDENIED;
	}
	return 0;
}

static int in_sorted(const int64_t *v, size_t n, int64_t x)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (v[mid] == x)
			return 1;
		if (v[mid] < x)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

int access_check_shares(int tlp, const struct store_share *shares, size_t n_shares,
			const int64_t *member_groups, size_t n_member, const char **why)
{
	for (size_t i = 0; i < n_shares; i++) {
		const struct store_share *s = &shares[i];
		if (s->kind == STORE_SHARE_GROUP &&
		    !in_sorted(member_groups, n_member, s->target)) {
			*why = "your organisation is not a member of that sharing group";
			return VB_EDENIED;
		}
	}
	if (!n_shares)
		return 0;
	switch (tlp) {
	case STORE_TLP_CLEAR:
		*why = "TLP:CLEAR objects are public; they take no shares";
		return VB_EUSAGE;
	case STORE_TLP_AMBER_STRICT:
		*why = "TLP:AMBER+STRICT objects stay with the creating organisation; they take no "
		       "shares";
		return VB_EUSAGE;
	case STORE_TLP_GREEN:
		for (size_t i = 0; i < n_shares; i++)
			if (shares[i].kind != STORE_SHARE_GROUP) {
				*why = "TLP:GREEN objects are shared with sharing groups (or, with "
				       "none "
				       "named, with every organisation), not with single "
				       "organisations "
				       "or users";
				return VB_EUSAGE;
			}
		return 0;
	case STORE_TLP_AMBER:
		for (size_t i = 0; i < n_shares; i++)
			if (shares[i].kind == STORE_SHARE_USER) {
				*why = "TLP:AMBER objects are shared with organisations or groups; "
				       "name "
				       "users only with TLP:RED";
				return VB_EUSAGE;
			}
		return 0;
	case STORE_TLP_RED:
		for (size_t i = 0; i < n_shares; i++)
			if (shares[i].kind == STORE_SHARE_GROUP) {
				*why = "TLP:RED objects go to named recipients (users or "
				       "organisations), "
				       "never to a group";
				return VB_EUSAGE;
			}
		return 0;
	default:
		return 0;
	}
}
