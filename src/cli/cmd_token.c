/* cmd_token.c: `verbinding token create|list|revoke`: API tokens. */
#include "cli.h"
#include "opts.h"
#include "../access/admin.h"
#include "../util/util.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

static int token_create(struct cli_common *c, const char *user, const char *label, const char *days)
{
	if (c->nargs != 1)
		return cli_usage(&cmd_token, "token create takes no arguments (use --user)");
	if (!user)
		return cli_usage(&cmd_token, "token create needs --user");
	long d = 0;
	if (days && parse_long(days, 1, ADMIN_TOKEN_DAYS_MAX, &d))
		return cli_usage(&cmd_token, "--days '%s': expected 1 to %d", days,
				 ADMIN_TOKEN_DAYS_MAX);
	struct store *st;
	int rc = cli_open_store(&cmd_token, c, 0, &st);
	if (rc)
		return rc;
	struct vb_err e;
	vb_err_clear(&e);
	char token[CRED_TOKEN_LEN];
	struct ident_token t;
	rc = admin_token_create(st, user, label, d, token, &t, &e);
	if (!rc) {
		admin_audit_local(st, "token.create", NULL, t.prefix);
		char exp[32];
		time_format(t.expires, exp);
		/* The token alone on stdout, so scripts can capture it; it is
		 * shown this once and cannot be read back. */
		printf("%s\n", token);
		fprintf(stderr, "token %lld for %s (prefix %s), expires %s; it is shown only now\n",
			(long long)t.id, t.user_name, t.prefix, exp);
		sodium_memzero(token, sizeof token);
	}
	store_close(st);
	return rc ? cli_fail_err("token", &e) : 0;
}

struct list_ctx {
	int json, n;
};

static int token_row(void *arg, const struct ident_token *t)
{
	struct list_ctx *l = arg;
	char cr[32], ex[32];
	time_format(t->created, cr);
	time_format(t->expires, ex);
	const char *state = t->revoked			  ? "revoked"
			    : t->expires <= time_now_us() ? "expired"
							  : "valid";
	if (l->json) {
		printf("{\"id\":%lld,\"user\":\"%s\",\"prefix\":\"%s\",\"label\":\"%s\","
		       "\"created\":\"%s\",\"expires\":\"%s\",\"state\":\"%s\"}\n",
		       (long long)t->id, t->user_name, t->prefix, t->label, cr, ex, state);
	} else {
		if (!l->n)
			printf("%-5s %-20s %-11s %-8s %-24s %-24s %s\n", "id", "user", "prefix",
			       "state", "created", "expires", "label");
		printf("%-5lld %-20s %-11s %-8s %-24s %-24s %s\n", (long long)t->id, t->user_name,
		       t->prefix, state, cr, ex, t->label);
	}
	l->n++;
	return 0;
}

static int token_list(struct cli_common *c, const char *user, int json)
{
	if (c->nargs != 1)
		return cli_usage(&cmd_token, "token list takes no arguments");
	struct store *st;
	int rc = cli_open_store(&cmd_token, c, 0, &st);
	if (rc)
		return rc;
	int64_t uid = 0;
	if (user) {
		struct ident_user u;
		if ((rc = store_ident(st)->user_get(st, user, &u))) {
			store_close(st);
			return cli_fail("token", rc, "no user named '%s'", user);
		}
		uid = u.id;
	}
	struct list_ctx l = {json, 0};
	rc = store_ident(st)->token_list(st, uid, token_row, &l);
	store_close(st);
	if (rc)
		return cli_fail("token", rc, "reading the store failed");
	if (!json && !l.n)
		fprintf(stderr, "no tokens\n");
	return 0;
}

static int token_revoke(struct cli_common *c)
{
	if (c->nargs != 2)
		return cli_usage(&cmd_token, "token revoke takes one ID or PREFIX");
	struct store *st;
	int rc = cli_open_store(&cmd_token, c, 0, &st);
	if (rc)
		return rc;
	struct vb_err e;
	vb_err_clear(&e);
	rc = admin_token_revoke(st, c->args[1], 0, &e);
	if (!rc) {
		char what[CRED_PREFIX_LEN + 1];
		snprintf(what, sizeof what, "%s", c->args[1]);
		admin_audit_local(st, "token.revoke", NULL, what);
		printf("token revoked\n");
	}
	store_close(st);
	return rc ? cli_fail_err("token", &e) : 0;
}

static int token_exec(int argc, char **argv)
{
	const char *user = NULL, *label = NULL, *days = NULL, *json = NULL;
	struct cli_opt opts[] = {
	    {"user", 1, 0, &user, NULL},
	    {"label", 1, 0, &label, NULL},
	    {"days", 1, 0, &days, NULL},
	    {"json", 0, 0, &json, NULL},
	};
	struct cli_common c;
	int rc = cli_parse_common(&cmd_token, argc, argv, &c, opts, (int)ARRAY_LEN(opts));
	if (rc)
		return rc;
	const char *sub = c.nargs ? c.args[0] : "";
	if (strcmp(sub, "create") == 0)
		return token_create(&c, user, label, days);
	if (label || days)
		return cli_usage(&cmd_token, "--label and --days go with token create");
	if (strcmp(sub, "list") == 0)
		return token_list(&c, user, json != NULL);
	if (strcmp(sub, "revoke") == 0)
		return token_revoke(&c);
	return cli_usage(&cmd_token, "%s%s%s",
			 *sub ? "unknown subcommand '" : "expected create, list or revoke", sub,
			 *sub ? "'" : "");
}

const struct cli_cmd cmd_token = {
    .name = "token",
    .summary = "API tokens: create, list, revoke",
    .usage = "usage: verbinding token create --user NAME [--label L] [--days N]\n"
	     "       verbinding token list [--user NAME] [--json]\n"
	     "       verbinding token revoke ID|PREFIX\n\n"
	     "A token (\"vb_\" and 43 characters) acts as its user: send it as\n"
	     "`Authorization: Bearer TOKEN`, or as the password of HTTP Basic. create\n"
	     "prints it once on stdout; the store keeps only a keyed hash and the first\n"
	     "characters (the prefix) for listing and revoking.\n\n"
	     "  --days N    validity, 1 to 3650 days (default 90)\n"
	     "  --label L   a note to tell tokens apart\n"
	     "  --store PATH   the store\n",
    .exec = token_exec,
};
