/* cmd_group.c: `verbinding group add|list|remove|grant|revoke`: sharing
 * groups (named sets of organisations such as "NATO" or "energy ISAC"). */
#include "cli.h"
#include "opts.h"
#include "../access/admin.h"
#include "../util/util.h"

#include <stdio.h>
#include <string.h>

struct list_ctx {
	struct store *st;
	int json, n;
};

static int member_row(void *arg, const struct ident_org *o)
{
	int *n = arg;
	printf("%s%s%s%s", (*n)++ ? "," : "", n[1] ? "\"" : "", o->name, n[1] ? "\"" : "");
	return 0;
}

static int group_row(void *arg, const struct ident_group *g)
{
	struct list_ctx *l = arg;
	int n[2] = {0, l->json};
	if (l->json) {
		printf("{\"id\":%lld,\"name\":\"%s\",\"members\":[", (long long)g->id, g->name);
		store_ident(l->st)->group_members(l->st, g->id, member_row, n);
		printf("]}\n");
	} else {
		printf("%-5lld %-24s ", (long long)g->id, g->name);
		store_ident(l->st)->group_members(l->st, g->id, member_row, n);
		printf("%s\n", n[0] ? "" : "(no members)");
	}
	l->n++;
	return 0;
}

static int group_exec(int argc, char **argv)
{
	const char *desc = NULL, *json = NULL;
	struct cli_opt opts[] = {
	    {"description", 1, 0, &desc, NULL},
	    {"json", 0, 0, &json, NULL},
	};
	struct cli_common c;
	int rc = cli_parse_common(&cmd_group, argc, argv, &c, opts, (int)ARRAY_LEN(opts));
	if (rc)
		return rc;
	const char *sub = c.nargs ? c.args[0] : "";
	static const struct {
		const char *name;
		int nargs;
		const char *form;
	} subs[] = {
	    {"add", 2, "group add NAME"},
	    {"list", 1, "group list"},
	    {"remove", 2, "group remove NAME"},
	    {"grant", 3, "group grant GROUP ORG"},
	    {"revoke", 3, "group revoke GROUP ORG"},
	};
	size_t k = 0;
	while (k < ARRAY_LEN(subs) && strcmp(subs[k].name, sub) != 0)
		k++;
	if (k == ARRAY_LEN(subs))
		return cli_usage(&cmd_group, "%s%s%s",
				 *sub ? "unknown subcommand '"
				      : "expected add, list, remove, grant or revoke",
				 sub, *sub ? "'" : "");
	if (c.nargs != subs[k].nargs)
		return cli_usage(&cmd_group, "usage: verbinding %s", subs[k].form);
	if (desc && k != 0)
		return cli_usage(&cmd_group, "--description goes with group add");
	struct store *st;
	struct vb_err e;
	vb_err_clear(&e);
	if ((rc = store_open(c.store, 0, &st, &e)))
		return cli_fail_err("group", &e);
	char detail[300];
	switch (k) {
	case 0: {
		struct ident_group g;
		rc = admin_group_add(st, c.args[1], desc, &g, &e);
		if (!rc) {
			admin_audit_local(st, "group.add", NULL, g.name);
			printf("sharing group %s added (id %lld); add members with `verbinding "
			       "group grant %s ORG`\n",
			       g.name, (long long)g.id, g.name);
		}
		break;
	}
	case 1: {
		struct list_ctx l = {st, json != NULL, 0};
		rc = store_ident(st)->group_list(st, 0, group_row, &l);
		if (rc)
			vb_err_set(&e, rc, "reading the store failed");
		else if (!l.n && !json)
			fprintf(stderr, "no sharing groups\n");
		break;
	}
	case 2:
		rc = admin_group_remove(st, c.args[1], &e);
		if (!rc) {
			admin_audit_local(st, "group.remove", NULL, c.args[1]);
			printf("sharing group %s removed; objects shared with it are now seen by "
			       "their creator and their other recipients only\n",
			       c.args[1]);
		}
		break;
	case 3:
	case 4:
		rc = k == 3 ? admin_group_grant(st, c.args[1], c.args[2], &e)
			    : admin_group_revoke(st, c.args[1], c.args[2], &e);
		if (!rc) {
			snprintf(detail, sizeof detail, "%s %s", c.args[1], c.args[2]);
			admin_audit_local(st, k == 3 ? "group.grant" : "group.revoke", NULL,
					  detail);
			printf(k == 3 ? "%s is now a member of %s\n" : "%s left %s\n", c.args[2],
			       c.args[1]);
		}
		break;
	}
	store_close(st);
	return rc ? cli_fail_err("group", &e) : 0;
}

const struct cli_cmd cmd_group = {
    .name = "group",
    .summary = "sharing groups: add, list, remove, grant, revoke",
    .usage = "usage: verbinding group add NAME [--description TEXT]\n"
	     "       verbinding group list [--json]\n"
	     "       verbinding group remove NAME\n"
	     "       verbinding group grant GROUP ORG\n"
	     "       verbinding group revoke GROUP ORG\n\n"
	     "A sharing group is a named set of organisations (\"NATO\", \"energy ISAC\").\n"
	     "Objects marked TLP:GREEN or TLP:AMBER can be shared with groups; an\n"
	     "organisation can share only with groups it belongs to. grant adds ORG to\n"
	     "GROUP, revoke takes it out: it then no longer sees what was shared with\n"
	     "the group.\n\n"
	     "  --store PATH   the store\n",
    .exec = group_exec,
};
