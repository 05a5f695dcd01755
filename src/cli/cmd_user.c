/* cmd_user.c: `verbinding user add|list|remove|passwd`. Passwords come from
 * stdin or a terminal prompt, never from the command line. */
#include "cli.h"
#include "opts.h"
#include "../access/access.h"
#include "../access/admin.h"
#include "../util/util.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

static int user_add(struct cli_common *c, const char *org, const char *role, int no_password)
{
	if (c->nargs != 2)
		return cli_usage(&cmd_user, "user add takes one NAME");
	if (!org || !role)
		return cli_usage(&cmd_user, "user add needs --org and --role");
	char pw[CRED_PASSWORD_MAX + 2];
	int rc;
	if (!no_password && (rc = cred_read_password("password: ", 1, pw, sizeof pw)))
		return rc;
	struct store *st;
	if ((rc = cli_open_store(&cmd_user, c, 0, &st))) {
		sodium_memzero(pw, sizeof pw);
		return rc;
	}
	struct vb_err e;
	vb_err_clear(&e);
	struct ident_user u;
	rc = admin_user_add(st, c->args[1], org, role, no_password ? NULL : pw, &u, &e);
	sodium_memzero(pw, sizeof pw);
	if (!rc) {
		admin_audit_local(st, "user.add", NULL, u.name);
		printf("user %s added to %s as %s (id %lld)%s\n", u.name, u.org_name,
		       access_role_name(u.role), (long long)u.id,
		       no_password ? "; no password: create a token with `verbinding token create`"
				   : "");
	}
	store_close(st);
	return rc ? cli_fail_err("user", &e) : 0;
}

struct list_ctx {
	int json, n;
};

static int user_row(void *arg, const struct ident_user *u)
{
	struct list_ctx *l = arg;
	if (l->json) {
		printf("{\"id\":%lld,\"name\":\"%s\",\"org\":\"%s\",\"role\":\"%s\","
		       "\"password\":%s}\n",
		       (long long)u->id, u->name, u->org_name, access_role_name(u->role),
		       u->has_password ? "true" : "false");
	} else {
		if (!l->n)
			printf("%-5s %-24s %-24s %-10s %s\n", "id", "name", "organisation", "role",
			       "password");
		printf("%-5lld %-24s %-24s %-10s %s\n", (long long)u->id, u->name, u->org_name,
		       access_role_name(u->role), u->has_password ? "yes" : "no");
	}
	l->n++;
	return 0;
}

static int user_list(struct cli_common *c, const char *org, int json)
{
	if (c->nargs != 1)
		return cli_usage(&cmd_user, "user list takes no arguments");
	struct store *st;
	int rc = cli_open_store(&cmd_user, c, 0, &st);
	if (rc)
		return rc;
	int64_t org_id = 0;
	if (org) {
		struct ident_org o;
		rc = store_ident(st)->org_get(st, org, &o);
		if (rc) {
			store_close(st);
			return cli_fail("user", rc, "no organisation named '%s'", org);
		}
		org_id = o.id;
	}
	struct list_ctx l = {json, 0};
	rc = store_ident(st)->user_list(st, org_id, user_row, &l);
	store_close(st);
	if (rc)
		return cli_fail("user", rc, "reading the store failed");
	if (!json && !l.n)
		fprintf(stderr, "no users\n");
	return 0;
}

static int user_remove(struct cli_common *c)
{
	if (c->nargs != 2)
		return cli_usage(&cmd_user, "user remove takes one NAME");
	struct store *st;
	int rc = cli_open_store(&cmd_user, c, 0, &st);
	if (rc)
		return rc;
	struct vb_err e;
	vb_err_clear(&e);
	rc = admin_user_remove(st, c->args[1], &e);
	if (!rc) {
		admin_audit_local(st, "user.remove", NULL, c->args[1]);
		printf("user %s removed with their tokens and sessions\n", c->args[1]);
	}
	store_close(st);
	return rc ? cli_fail_err("user", &e) : 0;
}

static int user_passwd(struct cli_common *c)
{
	if (c->nargs != 2)
		return cli_usage(&cmd_user, "user passwd takes one NAME");
	char pw[CRED_PASSWORD_MAX + 2];
	int rc = cred_read_password("new password: ", 1, pw, sizeof pw);
	if (rc)
		return rc;
	struct store *st;
	if ((rc = cli_open_store(&cmd_user, c, 0, &st))) {
		sodium_memzero(pw, sizeof pw);
		return rc;
	}
	struct vb_err e;
	vb_err_clear(&e);
	rc = admin_user_passwd(st, c->args[1], pw, &e);
	sodium_memzero(pw, sizeof pw);
	if (!rc) {
		admin_audit_local(st, "user.passwd", NULL, c->args[1]);
		printf("password of %s changed; their sessions ended\n", c->args[1]);
	}
	store_close(st);
	return rc ? cli_fail_err("user", &e) : 0;
}

static int user_exec(int argc, char **argv)
{
	const char *org = NULL, *role = NULL, *nopw = NULL, *json = NULL, *pwarg = NULL;
	struct cli_opt opts[] = {
	    {"org", 1, 0, &org, NULL},		{"role", 1, 0, &role, NULL},
	    {"no-password", 0, 0, &nopw, NULL}, {"json", 0, 0, &json, NULL},
	    {"password", 1, 0, &pwarg, NULL},
	};
	struct cli_common c;
	int rc = cli_parse_common(&cmd_user, argc, argv, &c, opts, (int)ARRAY_LEN(opts));
	if (rc)
		return rc;
	if (pwarg)
		return cli_usage(&cmd_user, "passwords are never taken from the command line (they "
					    "would show in ps and shell history); give it on stdin "
					    "or at the prompt");
	const char *sub = c.nargs ? c.args[0] : "";
	if (strcmp(sub, "add") == 0)
		return user_add(&c, org, role, nopw != NULL);
	if (role || nopw)
		return cli_usage(&cmd_user, "--role and --no-password go with user add");
	if (strcmp(sub, "list") == 0)
		return user_list(&c, org, json != NULL);
	if (org)
		return cli_usage(&cmd_user, "--org goes with user add and user list");
	if (strcmp(sub, "remove") == 0)
		return user_remove(&c);
	if (strcmp(sub, "passwd") == 0)
		return user_passwd(&c);
	return cli_usage(&cmd_user, "%s%s%s",
			 *sub ? "unknown subcommand '" : "expected add, list, remove or passwd",
			 sub, *sub ? "'" : "");
}

const struct cli_cmd cmd_user = {
    .name = "user",
    .summary = "users: add, list, remove, passwd",
    .usage = "usage: verbinding user add NAME --org ORG --role ROLE [--no-password]\n"
	     "       verbinding user list [--org ORG] [--json]\n"
	     "       verbinding user remove NAME\n"
	     "       verbinding user passwd NAME\n\n"
	     "A user belongs to one organisation and has one role:\n"
	     "  admin      administers organisations, users, tokens and groups, and writes\n"
	     "  analyst, diplomat, liaison   read and write objects\n"
	     "  partner    reads and contributes sightings\n"
	     "  read-only  reads\n"
	     "No role reads more than the user's organisation may see.\n\n"
	     "The password (at least 12 bytes) is read from stdin when stdin is not a\n"
	     "terminal (one line), else asked for twice at a prompt; it is stored as an\n"
	     "argon2id hash. It is never taken from the command line. With --no-password\n"
	     "the user signs in with API tokens only.\n\n"
	     "  --store PATH   the store\n",
    .exec = user_exec,
};
