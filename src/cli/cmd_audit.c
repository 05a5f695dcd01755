/* cmd_audit.c: `verbinding audit`: reads the append-only audit log. */
#include "cli.h"
#include "opts.h"
#include "../store/store_ident.h"
#include "../util/buf.h"
#include "../util/util.h"

#include <stdio.h>
#include <string.h>

struct audit_ctx {
	int json;
	long n;
};

static void field(struct buf *b, const char *k, const char *v, int first)
{
	if (!first)
		buf_addc(b, ',');
	buf_printf(b, "\"%s\":", k);
	if (v)
		buf_add_json_str(b, v, strlen(v));
	else
		buf_adds(b, "null");
}

/* Text output: values come from requests (paths, names); control
 * characters are shown escaped so a record is always one line. */
static void text(struct buf *b, const char *v)
{
	if (!v || !*v) {
		buf_addc(b, '-');
		return;
	}
	for (const unsigned char *p = (const unsigned char *)v; *p; p++) {
		if (*p < 0x20 || *p == 0x7f)
			buf_printf(b, "\\x%02x", *p);
		else
			buf_addc(b, (char)*p);
	}
}

static int audit_row(void *arg, const struct ident_audit *a)
{
	struct audit_ctx *x = arg;
	char t[32];
	time_format(a->time, t);
	struct buf b;
	buf_init(&b, 1 << 16);
	if (x->json) {
		buf_printf(&b, "{\"seq\":%lld,", (long long)a->seq);
		field(&b, "time", t, 1);
		field(&b, "user", a->user, 0);
		field(&b, "org", a->org, 0);
		field(&b, "action", a->action, 0);
		field(&b, "object", a->object_id, 0);
		field(&b, "outcome", a->outcome, 0);
		field(&b, "remote", a->remote, 0);
		field(&b, "detail", a->detail, 0);
		buf_adds(&b, "}");
	} else {
		buf_printf(&b, "%-24s ", t);
		const char *v[] = {a->user,   a->org,	    a->action, a->outcome,
				   a->remote, a->object_id, a->detail};
		for (size_t i = 0; i < ARRAY_LEN(v); i++) {
			if (i)
				buf_addc(&b, ' ');
			text(&b, v[i]);
		}
	}
	puts(b.p);
	buf_free(&b);
	x->n++;
	return 0;
}

static int audit_exec(int argc, char **argv)
{
	const char *since = NULL, *org = NULL, *limit = NULL, *json = NULL;
	struct cli_opt opts[] = {
	    {"since", 1, 0, &since, NULL},
	    {"org", 1, 0, &org, NULL},
	    {"limit", 1, 0, &limit, NULL},
	    {"json", 0, 0, &json, NULL},
	};
	struct cli_common c;
	int rc = cli_parse_common(&cmd_audit, argc, argv, &c, opts, (int)ARRAY_LEN(opts));
	if (rc)
		return rc;
	if (c.nargs)
		return cli_usage(&cmd_audit, "unexpected argument '%s'", c.args[0]);
	struct ident_audit_filter f = {0};
	if (since && time_parse_loose(since, &f.since))
		return cli_usage(&cmd_audit, "--since '%s': expected a date or RFC 3339 time",
				 since);
	if (limit && parse_long(limit, 1, 100000000, &f.limit))
		return cli_usage(&cmd_audit, "--limit '%s': expected a positive number", limit);
	struct store *st;
	struct vb_err e;
	vb_err_clear(&e);
	if ((rc = store_open(c.store, 0, &st, &e)))
		return cli_fail_err("audit", &e);
	if (org) {
		struct ident_org o;
		rc = store_ident(st)->org_get(st, org, &o);
		if (rc) {
			store_close(st);
			return cli_fail("audit", rc == VB_ENOTFOUND ? VB_ENOTFOUND : rc,
					"no organisation named '%s'", org);
		}
		f.org_id = o.id;
	}
	struct audit_ctx x = {json != NULL, 0};
	if (!x.json)
		printf("%-24s user org action outcome remote object detail\n", "time");
	rc = store_ident(st)->audit_list(st, &f, audit_row, &x);
	store_close(st);
	return rc ? cli_fail("audit", rc, "reading the audit log failed") : 0;
}

const struct cli_cmd cmd_audit = {
    .name = "audit",
    .summary = "read the audit log",
    .usage = "usage: verbinding audit [--since T] [--org NAME] [--limit N] [--json]\n\n"
	     "Prints the audit log oldest first: every write, login, failed login,\n"
	     "access-control denial, export and identity change, with who did it (user\n"
	     "and organisation), the action, the object, the outcome and the remote\n"
	     "address. The log is append-only: the store refuses to change or delete a\n"
	     "record. It never holds passwords or tokens.\n\n"
	     "  --since T     records at or after T (a date or RFC 3339 time)\n"
	     "  --org NAME    records of one organisation's users\n"
	     "  --limit N     at most N records\n"
	     "  --json        one JSON object per line\n"
	     "  --store PATH  the store\n",
    .exec = audit_exec,
};
