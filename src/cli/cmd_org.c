/* cmd_org.c: `verbinding org add|list|remove`: organisations of the instance. */
#include "cli.h"
#include "opts.h"
#include "../access/access.h"
#include "../access/admin.h"
#include "../util/buf.h"
#include "../util/util.h"

#include <stdio.h>
#include <string.h>

static int org_add(struct cli_common *c, const char *kind, const char *sector, const char *country,
		   const char *tlp)
{
	if (c->nargs != 2)
		return cli_usage(&cmd_org, "org add takes one NAME");
	if (!kind)
		return cli_usage(&cmd_org, "org add needs --kind");
	struct store *st;
	int rc = cli_open_store(&cmd_org, c, 0, &st);
	if (rc)
		return rc;
	struct vb_err e;
	vb_err_clear(&e);
	struct ident_org o;
	rc = admin_org_add(st, c->args[1], kind, sector, country, tlp, &o, &e);
	if (!rc) {
		admin_audit_local(st, "org.add", o.identity_id, o.name);
		printf("organisation %s added (id %lld, identity %s, default TLP:%s)\n", o.name,
		       (long long)o.id, o.identity_id, access_tlp_name(o.default_tlp));
	}
	store_close(st);
	return rc ? cli_fail_err("org", &e) : 0;
}

struct list_ctx {
	int json, n;
};

static int org_row(void *arg, const struct ident_org *o)
{
	struct list_ctx *l = arg;
	if (l->json) {
		struct buf b;
		buf_init(&b, 4096);
		buf_printf(&b, "{\"id\":%lld,\"name\":", (long long)o->id);
		buf_add_json_str(&b, o->name, strlen(o->name));
		buf_printf(&b,
			   ",\"kind\":\"%s\",\"sector\":\"%s\",\"country\":\"%s\","
			   "\"default_tlp\":\"%s\",\"identity\":\"%s\"}\n",
			   access_org_kind_name(o->kind), o->sector, o->country,
			   access_tlp_name(o->default_tlp), o->identity_id);
		fputs(b.p, stdout);
		buf_free(&b);
	} else {
		if (!l->n)
			printf("%-5s %-24s %-22s %-20s %-7s %s\n", "id", "name", "kind", "sector",
			       "country", "default TLP");
		printf("%-5lld %-24s %-22s %-20s %-7s %s\n", (long long)o->id, o->name,
		       access_org_kind_name(o->kind), o->sector[0] ? o->sector : "-",
		       o->country[0] ? o->country : "-", access_tlp_name(o->default_tlp));
	}
	l->n++;
	return 0;
}

static int org_list(struct cli_common *c, int json)
{
	if (c->nargs != 1)
		return cli_usage(&cmd_org, "org list takes no arguments");
	struct store *st;
	int rc = cli_open_store(&cmd_org, c, 0, &st);
	if (rc)
		return rc;
	struct vb_err e;
	vb_err_clear(&e);
	struct list_ctx l = {json, 0};
	rc = store_ident(st)->org_list(st, org_row, &l);
	store_close(st);
	if (rc)
		return cli_fail("org", rc, "reading the store failed");
	if (!json && !l.n)
		fprintf(stderr, "no organisations yet; add one with `verbinding org add`\n");
	return 0;
}

static int org_remove(struct cli_common *c)
{
	if (c->nargs != 2)
		return cli_usage(&cmd_org, "org remove takes one NAME");
	struct store *st;
	int rc = cli_open_store(&cmd_org, c, 0, &st);
	if (rc)
		return rc;
	struct vb_err e;
	vb_err_clear(&e);
	rc = admin_org_remove(st, c->args[1], &e);
	if (!rc) {
		admin_audit_local(st, "org.remove", NULL, c->args[1]);
		printf("organisation %s removed with its users and tokens; its objects stay\n",
		       c->args[1]);
	}
	store_close(st);
	return rc ? cli_fail_err("org", &e) : 0;
}

static int org_exec(int argc, char **argv)
{
	const char *kind = NULL, *sector = NULL, *country = NULL, *tlp = NULL, *json = NULL;
	struct cli_opt opts[] = {
	    {"kind", 1, 0, &kind, NULL},       {"sector", 1, 0, &sector, NULL},
	    {"country", 1, 0, &country, NULL}, {"default-tlp", 1, 0, &tlp, NULL},
	    {"json", 0, 0, &json, NULL},
	};
	struct cli_common c;
	int rc = cli_parse_common(&cmd_org, argc, argv, &c, opts, (int)ARRAY_LEN(opts));
	if (rc)
		return rc;
	const char *sub = c.nargs ? c.args[0] : "";
	if (strcmp(sub, "add") == 0)
		return org_add(&c, kind, sector, country, tlp);
	if (kind || sector || country || tlp)
		return cli_usage(&cmd_org, "--kind, --sector, --country and --default-tlp go with "
					   "org add");
	if (strcmp(sub, "list") == 0)
		return org_list(&c, json != NULL);
	if (strcmp(sub, "remove") == 0)
		return org_remove(&c);
	return cli_usage(&cmd_org, "%s%s%s",
			 *sub ? "unknown subcommand '" : "expected add, list or remove", sub,
			 *sub ? "'" : "");
}

const struct cli_cmd cmd_org = {
    .name = "org",
    .summary = "organisations: add, list, remove",
    .usage = "usage: verbinding org add NAME --kind KIND [--sector S] [--country CC]\n"
	     "                        [--default-tlp LEVEL]\n"
	     "       verbinding org list [--json]\n"
	     "       verbinding org remove NAME\n\n"
	     "An organisation owns the objects its users create, and is also a STIX\n"
	     "identity object in the store (TLP:GREEN: every member of the instance\n"
	     "sees who takes part). Removing one removes its users, tokens and group\n"
	     "memberships; its objects stay and nobody can edit them any more.\n\n"
	     "  --kind KIND         government-department, cert, partner-state,\n"
	     "                      eu-nato-body, business or third-country-partner\n"
	     "  --sector S          STIX industry sector (government, energy, ...)\n"
	     "  --country CC        ISO 3166-1 alpha-2 code (NL, DE, ...)\n"
	     "  --default-tlp LEVEL marking for its objects that carry none:\n"
	     "                      clear, green, amber (default), amber+strict, red\n"
	     "  --json              one JSON object per line\n"
	     "  --store PATH        the store\n",
    .exec = org_exec,
};
