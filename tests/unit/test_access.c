/* test_access.c: roles, TLP names, the write rules, credentials, and the
 * visibility clause on a real store (RED recipients by user and by
 * organisation, groups, the owner rule). */
#include "test.h"
#include "../../src/access/access.h"
#include "../../src/access/admin.h"
#include "../../src/access/cred.h"
#include "../../src/stix/stix.h"
#include "../../src/store/store_ident.h"
#include "../../src/util/util.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

TEST(access_roles)
{
	int r;
	CHECK_INT(access_role_parse("partner", &r), 0);
	CHECK_INT(r, ACCESS_ROLE_PARTNER);
	CHECK_STR(access_role_name(ACCESS_ROLE_READ_ONLY), "read-only");
	CHECK(access_role_parse("root", &r) != 0);
	CHECK(access_role_allows(ACCESS_ROLE_PARTNER, ACCESS_PERM_SIGHT));
	CHECK(!access_role_allows(ACCESS_ROLE_PARTNER, ACCESS_PERM_WRITE));
	CHECK(access_role_allows(ACCESS_ROLE_READ_ONLY, ACCESS_PERM_READ));
	CHECK(!access_role_allows(ACCESS_ROLE_READ_ONLY, ACCESS_PERM_SIGHT));
	CHECK(!access_role_allows(ACCESS_ROLE_ANALYST, ACCESS_PERM_ADMIN));
	CHECK(access_role_allows(ACCESS_ROLE_ADMIN, ACCESS_PERM_ADMIN));
	CHECK(!access_role_allows(99, ACCESS_PERM_READ));
	int k;
	CHECK_INT(access_org_kind_parse("third-country-partner", &k), 0);
	CHECK_INT(k, ACCESS_ORG_THIRD_COUNTRY_PARTNER);
	CHECK(access_org_kind_parse("ngo", &k) != 0);
}

TEST(access_tlp_names)
{
	int t;
	CHECK_INT(access_tlp_parse("TLP:AMBER+STRICT", &t), 0);
	CHECK_INT(t, STORE_TLP_AMBER_STRICT);
	CHECK_INT(access_tlp_parse("white", &t), 0);
	CHECK_INT(t, STORE_TLP_CLEAR);
	CHECK(access_tlp_parse("purple", &t) != 0);
	CHECK_STR(access_tlp_marking(STORE_TLP_RED), TLP_RED);
	CHECK(access_tlp_marking(STORE_TLP_NONE) == NULL);
	CHECK_INT(stix_tlp_level(access_tlp_marking(STORE_TLP_GREEN)), STORE_TLP_GREEN);
}

TEST(access_share_rules)
{
	const int64_t mine[] = {2, 5, 9};
	const char *why = NULL;
	struct store_share g5 = {STORE_SHARE_GROUP, 5}, g7 = {STORE_SHARE_GROUP, 7};
	struct store_share o3 = {STORE_SHARE_ORG, 3}, u4 = {STORE_SHARE_USER, 4};
	/* The MISP bug: a group the writer's organisation is not in. */
	CHECK_INT(access_check_shares(STORE_TLP_AMBER, &g7, 1, mine, 3, &why), VB_EDENIED);
	CHECK_INT(access_check_shares(STORE_TLP_GREEN, &g7, 1, mine, 3, &why), VB_EDENIED);
	CHECK_INT(access_check_shares(STORE_TLP_NONE, &g7, 1, mine, 3, &why), VB_EDENIED);
	CHECK_INT(access_check_shares(STORE_TLP_AMBER, &g7, 1, NULL, 0, &why), VB_EDENIED);
	CHECK_INT(access_check_shares(STORE_TLP_AMBER, &g5, 1, mine, 3, &why), 0);
	CHECK_INT(access_check_shares(STORE_TLP_GREEN, &g5, 1, mine, 3, &why), 0);
	CHECK_INT(access_check_shares(STORE_TLP_AMBER, &o3, 1, mine, 3, &why), 0);
	/* Shares that make no sense for the level. */
	CHECK_INT(access_check_shares(STORE_TLP_CLEAR, &o3, 1, mine, 3, &why), VB_EUSAGE);
	CHECK_INT(access_check_shares(STORE_TLP_AMBER_STRICT, &o3, 1, mine, 3, &why), VB_EUSAGE);
	CHECK_INT(access_check_shares(STORE_TLP_GREEN, &o3, 1, mine, 3, &why), VB_EUSAGE);
	CHECK_INT(access_check_shares(STORE_TLP_AMBER, &u4, 1, mine, 3, &why), VB_EUSAGE);
	CHECK_INT(access_check_shares(STORE_TLP_RED, &g5, 1, mine, 3, &why), VB_EUSAGE);
	CHECK_INT(access_check_shares(STORE_TLP_RED, &u4, 1, mine, 3, &why), 0);
	CHECK_INT(access_check_shares(STORE_TLP_RED, &o3, 1, mine, 3, &why), 0);
	CHECK_INT(access_check_shares(STORE_TLP_AMBER_STRICT, NULL, 0, mine, 3, &why), 0);
}

TEST(access_version_rules)
{
	const char *why = NULL;
	CHECK_INT(access_check_version(1, 1, STORE_TLP_RED, STORE_TLP_CLEAR, &why), 0);
	CHECK_INT(access_check_version(2, 1, STORE_TLP_GREEN, STORE_TLP_GREEN, &why), VB_EDENIED);
	CHECK_INT(access_check_version(2, 1, STORE_TLP_RED, STORE_TLP_CLEAR, &why), VB_EDENIED);
	CHECK(why && strstr(why, "lower"));
	CHECK_INT(access_check_version(0, 1, STORE_TLP_AMBER, STORE_TLP_AMBER, &why), VB_EDENIED);
}

TEST(access_names_and_tokens)
{
	CHECK(admin_name_valid("CERT-NL"));
	CHECK(admin_name_valid("EU working party"));
	CHECK(!admin_name_valid(""));
	CHECK(!admin_name_valid(" lead"));
	CHECK(!admin_name_valid("a:b"));
	CHECK(!admin_name_valid("new\nline"));
	CHECK(!admin_name_valid("x\"y"));
	CHECK(sodium_init() >= 0);
	char tok[CRED_TOKEN_LEN], tok2[CRED_TOKEN_LEN], prefix[CRED_PREFIX_LEN + 1];
	cred_token_new(tok, prefix);
	cred_token_new(tok2, prefix);
	CHECK_INT(strlen(tok), 46);
	CHECK(strncmp(tok, "vb_", 3) == 0);
	CHECK(strcmp(tok, tok2) != 0);
	CHECK(strncmp(prefix, tok2, CRED_PREFIX_LEN) == 0);
	CHECK(cred_token_wellformed(tok, strlen(tok)));
	CHECK(!cred_token_wellformed("vb_short", 8));
	tok2[10] = '!';
	CHECK(!cred_token_wellformed(tok2, strlen(tok2)));
	unsigned char k1[IDENT_KEY_LEN] = {1}, k2[IDENT_KEY_LEN] = {2};
	unsigned char h1[IDENT_HASH_LEN], h2[IDENT_HASH_LEN], h3[IDENT_HASH_LEN];
	cred_hash(k1, tok, strlen(tok), h1);
	cred_hash(k1, tok, strlen(tok), h2);
	cred_hash(k2, tok, strlen(tok), h3);
	CHECK(memcmp(h1, h2, sizeof h1) == 0);
	CHECK(memcmp(h1, h3, sizeof h1) != 0); /* keyed */
}

TEST(access_passwords)
{
	CHECK(sodium_init() >= 0);
	char h[IDENT_PWHASH_MAX];
	CHECK_INT(cred_password_hash("short", 5, h), VB_EUSAGE);
	CHECK_INT(cred_password_hash("a long enough password", 22, h), 0);
	CHECK(strncmp(h, "$argon2id$", 10) == 0);
	CHECK_INT(cred_password_verify(h, "a long enough password", 22), 0);
	CHECK_INT(cred_password_verify(h, "a long enough passwore", 22), VB_EDENIED);
}

/* ---- the visibility clause on a real store ---- */

static int put(struct store *s, const char *id, const char *mod, int64_t owner, int tlp,
	       const struct store_share *sh, size_t n)
{
	struct store_obj o = {0};
	char json[256];
	snprintf(json, sizeof json, "{\"id\":\"%s\"}", id);
	o.id = id;
	o.type = "note";
	o.spec_version = "2.1";
	o.created = 0;
	time_parse(mod, &o.modified);
	o.confidence = -1;
	o.valid_from = o.valid_until = STORE_NO_TIME;
	o.json = json;
	o.json_len = strlen(json);
	o.owner_org = owner;
	o.tlp = tlp;
	o.shares = sh;
	o.n_shares = n;
	enum store_put_result r;
	return store_put(s, &o, &r);
}

static int sees(struct store *s, int64_t org, int64_t user, const int64_t *g, size_t ng,
		const char *id)
{
	struct store_viewer v;
	access_viewer_init(&v, org, user, g, ng, STORE_TLP_GREEN, 0);
	char *json = NULL;
	int rc = store_get(s, &v, id, STORE_NO_TIME, &json, NULL);
	free(json);
	return rc == 0;
}

TEST(access_visibility_store)
{
	char path[64];
	struct store *s = test_store_new(path, sizeof path);
	CHECK(s);
	if (!s)
		return;
	/* org 1 writes; user 7 is in org 2; group 3 = {1, 2}. */
	struct store_share red_user = {STORE_SHARE_USER, 7}, red_org = {STORE_SHARE_ORG, 4};
	struct store_share grp = {STORE_SHARE_GROUP, 3};
	const char *T0 = "2024-01-01T00:00:00Z";
	CHECK_INT(put(s, "note--00000000-0000-4000-8000-000000000001", T0, 1, STORE_TLP_RED,
		      &red_user, 1),
		  0);
	CHECK_INT(
	    put(s, "note--00000000-0000-4000-8000-000000000002", T0, 1, STORE_TLP_RED, &red_org, 1),
	    0);
	CHECK_INT(
	    put(s, "note--00000000-0000-4000-8000-000000000003", T0, 1, STORE_TLP_GREEN, &grp, 1),
	    0);
	CHECK_INT(put(s, "note--00000000-0000-4000-8000-000000000004", T0, 1,
		      STORE_TLP_AMBER_STRICT, &red_org, 1),
		  0);
	CHECK_INT(
	    put(s, "note--00000000-0000-4000-8000-000000000005", T0, 0, STORE_TLP_NONE, NULL, 0),
	    0);
	const int64_t g3[] = {3};
	/* RED to user 7: user 7 (org 2) yes, user 8 (org 2) no, the owner yes. */
	CHECK(sees(s, 2, 7, NULL, 0, "note--00000000-0000-4000-8000-000000000001"));
	CHECK(!sees(s, 2, 8, NULL, 0, "note--00000000-0000-4000-8000-000000000001"));
	CHECK(sees(s, 1, 99, NULL, 0, "note--00000000-0000-4000-8000-000000000001"));
	/* RED to org 4: all of org 4. */
	CHECK(sees(s, 4, 50, NULL, 0, "note--00000000-0000-4000-8000-000000000002"));
	CHECK(!sees(s, 2, 7, g3, 1, "note--00000000-0000-4000-8000-000000000002"));
	/* GREEN to group 3: members only. */
	CHECK(sees(s, 2, 7, g3, 1, "note--00000000-0000-4000-8000-000000000003"));
	CHECK(!sees(s, 5, 9, NULL, 0, "note--00000000-0000-4000-8000-000000000003"));
	/* AMBER+STRICT ignores shares. */
	CHECK(!sees(s, 4, 50, NULL, 0, "note--00000000-0000-4000-8000-000000000004"));
	/* Unmarked: the viewer's default (GREEN here): every organisation. */
	CHECK(sees(s, 5, 9, NULL, 0, "note--00000000-0000-4000-8000-000000000005"));
	/* The owner rule: another organisation cannot add a version, newer or
	 * older, but re-sending a stored version is harmless. */
	CHECK_INT(put(s, "note--00000000-0000-4000-8000-000000000003", "2025-01-01T00:00:00Z", 2,
		      STORE_TLP_CLEAR, NULL, 0),
		  VB_ECONFLICT);
	CHECK_INT(put(s, "note--00000000-0000-4000-8000-000000000003", "2001-01-01T00:00:00Z", 2,
		      STORE_TLP_CLEAR, NULL, 0),
		  VB_ECONFLICT);
	CHECK_INT(
	    put(s, "note--00000000-0000-4000-8000-000000000003", T0, 2, STORE_TLP_GREEN, &grp, 1),
	    0);
	CHECK_INT(put(s, "note--00000000-0000-4000-8000-000000000003", "2025-01-01T00:00:00Z", 1,
		      STORE_TLP_CLEAR, NULL, 0),
		  0);
	/* Identities: the audit log takes records; org ids are never reused. */
	const struct store_ident_ops *id = store_ident(s);
	struct ident_org o = {.kind = 1, .default_tlp = STORE_TLP_AMBER};
	int64_t a, b;
	snprintf(o.name, sizeof o.name, "one");
	CHECK_INT(id->org_add(s, &o, &a), 0);
	CHECK_INT(id->org_add(s, &o, &b), VB_ECONFLICT);
	CHECK_INT(id->org_remove(s, "one"), 0);
	CHECK_INT(id->org_add(s, &o, &b), 0);
	CHECK(b != a);
	struct ident_audit rec = {.action = "test", .outcome = "ok"};
	CHECK_INT(id->audit_append(s, &rec), 0);
	test_store_remove(s, path);
}
