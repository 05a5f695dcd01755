/* cmd_taxii.c: `verbinding taxii collection add|list|remove` (the TAXII
 * collections this instance serves) and `verbinding taxii pull|push` (the
 * TAXII 2.1 client, src/http/taxii_client.c). */
#include "cli.h"
#include "opts.h"
#include "../access/access.h"
#include "../access/admin.h"
#include "../http/taxii.h"
#include "../ingest/ingest.h"
#include "../stix/stix.h"
#include "../store/store_ident.h"
#include "../store/store_taxii.h"
#include "../util/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SECRET_MAX 4096

/* Splits comma-separated values of a repeatable option into out (at most
 * max, pointers into copies the caller frees with free_split). */
static int split_values(const char **in, char **out, int max)
{
	int n = 0;
	for (size_t i = 0; in && in[i]; i++) {
		const char *s = in[i];
		while (*s) {
			const char *e = strchr(s, ',');
			size_t len = e ? (size_t)(e - s) : strlen(s);
			if (len) {
				if (n == max) {
					while (n)
						free(out[--n]);
					return -1;
				}
				out[n++] = xstrndup(s, len);
			}
			s += len + (e ? 1 : 0);
		}
	}
	return n;
}

static void free_split(char **v, int n)
{
	for (int i = 0; i < n; i++)
		free(v[i]);
}

static int safe_name(const char *s, size_t max)
{
	size_t n = strlen(s);
	if (!n || n >= max)
		return 0;
	for (const char *p = s; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || strchr("-._~", *p)))
			return 0;
	return 1;
}

static int printable(const char *s, size_t max)
{
	size_t n = strlen(s);
	if (!n || n >= max || !utf8_valid(s, n))
		return 0;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			return 0;
	return 1;
}

/* ---- taxii collection ---- */

#define MAX_ACL 256

static int acl_add(struct taxii_acl *acl, size_t *n, int64_t org, int read, int write)
{
	for (size_t i = 0; i < *n; i++)
		if (acl[i].org == org) {
			acl[i].can_read |= read;
			acl[i].can_write |= write;
			return 0;
		}
	if (*n == MAX_ACL)
		return VB_EUSAGE;
	acl[(*n)++] = (struct taxii_acl){org, read, write};
	return 0;
}

static int coll_add(struct store *st, const char *title, const char *id, const char *alias,
		    const char *desc, const char *group, const char *tlp_max, const char **reads,
		    const char **writes)
{
	const struct store_ident_ops *ident = store_ident(st);
	struct taxii_collection c = {.bind = {0, STORE_TLP_NONE}};
	if (!printable(title, sizeof c.title))
		return cli_usage(&cmd_taxii, "the title must be 1 to %zu printable characters",
				 sizeof c.title - 1);
	if (id && !safe_name(id, sizeof c.id))
		return cli_usage(&cmd_taxii, "--id: letters, digits and -._~ only");
	if (alias && !safe_name(alias, sizeof c.alias))
		return cli_usage(&cmd_taxii, "--alias: letters, digits and -._~ only");
	if (desc && !printable(desc, sizeof c.description))
		return cli_usage(&cmd_taxii, "--description: at most %zu printable characters",
				 sizeof c.description - 1);
	if (!group && !tlp_max)
		return cli_usage(&cmd_taxii, "bind the collection with --group GROUP and/or "
					     "--tlp-max LEVEL (--tlp-max red: everything readers "
					     "may see)");
	if (tlp_max && access_tlp_parse(tlp_max, &c.bind.tlp_max))
		return cli_usage(&cmd_taxii,
				 "--tlp-max '%s': expected clear, green, amber, "
				 "amber+strict or red",
				 tlp_max);
	if (group) {
		struct ident_group g;
		int rc = ident->group_get(st, group, &g);
		if (rc)
			return cli_fail("taxii", rc, "%s",
					rc == VB_ENOTFOUND ? "--group: no such sharing group"
							   : "reading the store failed");
		c.bind.group = g.id;
	}
	snprintf(c.title, sizeof c.title, "%s", title);
	snprintf(c.alias, sizeof c.alias, "%s", alias ? alias : "");
	snprintf(c.description, sizeof c.description, "%s", desc ? desc : "");
	if (id) {
		snprintf(c.id, sizeof c.id, "%s", id);
	} else {
		char uuid[37];
		uuid_v4(uuid);
		snprintf(c.id, sizeof c.id, "%s", uuid);
	}
	struct taxii_acl acl[MAX_ACL];
	size_t n_acl = 0;
	char *names[MAX_ACL];
	int rc = 0;
	for (int pass = 0; pass < 2 && !rc; pass++) {
		int n = split_values(pass ? writes : reads, names, MAX_ACL);
		if (n < 0)
			return cli_usage(&cmd_taxii, "at most %d organisations", MAX_ACL);
		for (int i = 0; i < n && !rc; i++) {
			struct ident_org o;
			rc = ident->org_get(st, names[i], &o);
			if (rc)
				cli_fail("taxii", rc, "--%s %s: %s", pass ? "write" : "read",
					 names[i],
					 rc == VB_ENOTFOUND ? "no such organisation"
							    : "reading the store failed");
			else if (acl_add(acl, &n_acl, o.id, !pass, pass))
				rc = cli_usage(&cmd_taxii, "at most %d organisations", MAX_ACL);
		}
		free_split(names, n);
	}
	if (rc)
		return rc;
	rc = store_taxii(st)->coll_add(st, &c, acl, n_acl);
	if (rc == VB_ECONFLICT)
		return cli_fail("taxii", rc, "a collection with this id, title or alias exists");
	if (rc)
		return cli_fail("taxii", rc, "storing the collection failed");
	char detail[300];
	snprintf(detail, sizeof detail, "%s (%s)", c.id, c.title);
	admin_audit_local(st, "taxii.collection.add", NULL, detail);
	printf("collection %s added: /taxii2/%s/collections/%s/\n", c.title, TAXII_ROOT, c.id);
	if (!n_acl)
		fprintf(stderr,
			"taxii: no organisation may read or write it yet (--read, --write)\n");
	return 0;
}

struct list_ctx {
	struct store *st;
	int json, n;
};

struct acl_print {
	struct store *st;
	int json, want_write, n;
};

static int acl_row(void *arg, const struct taxii_acl *a)
{
	struct acl_print *p = arg;
	if (p->want_write ? !a->can_write : !a->can_read)
		return 0;
	struct ident_org o;
	char name[IDENT_NAME_MAX + 24];
	if (store_ident(p->st)->org_get_id(p->st, a->org, &o) == 0)
		snprintf(name, sizeof name, "%s", o.name);
	else
		snprintf(name, sizeof name, "(removed org %lld)", (long long)a->org);
	if (p->json) {
		struct buf b;
		buf_init(&b, 1024);
		buf_add_json_str(&b, name, strlen(name));
		printf("%s%s", p->n ? "," : "", b.p);
		buf_free(&b);
	} else {
		printf("%s%s", p->n ? "," : "", name);
	}
	p->n++;
	return 0;
}

static int coll_row(void *arg, const struct taxii_collection *c)
{
	struct list_ctx *l = arg;
	char group[IDENT_NAME_MAX] = "";
	struct ident_group g;
	if (c->bind.group && store_ident(l->st)->group_get_id(l->st, c->bind.group, &g) == 0)
		snprintf(group, sizeof group, "%s", g.name);
	else if (c->bind.group)
		snprintf(group, sizeof group, "(removed group %lld)", (long long)c->bind.group);
	const char *tlp = c->bind.tlp_max >= 0 ? access_tlp_name(c->bind.tlp_max) : "";
	if (l->json) {
		struct buf b;
		buf_init(&b, 1 << 16);
		buf_printf(&b, "{\"id\":\"%s\",\"title\":", c->id);
		buf_add_json_str(&b, c->title, strlen(c->title));
		buf_adds(&b, ",\"alias\":");
		buf_add_json_str(&b, c->alias, strlen(c->alias));
		buf_adds(&b, ",\"description\":");
		buf_add_json_str(&b, c->description, strlen(c->description));
		buf_adds(&b, ",\"group\":");
		buf_add_json_str(&b, group, strlen(group));
		buf_printf(&b, ",\"tlp_max\":\"%s\",\"read\":[", tlp);
		fputs(b.p, stdout);
		buf_free(&b);
	} else {
		printf("%s  %s%s%s%s\n    binding: %s%s%s%s%s\n    read: ", c->id, c->title,
		       c->alias[0] ? " (alias " : "", c->alias, c->alias[0] ? ")" : "",
		       group[0] ? "group " : "", group, group[0] && tlp[0] ? ", " : "",
		       tlp[0] ? "TLP ceiling " : "", tlp);
	}
	struct acl_print p = {l->st, l->json, 0, 0};
	store_taxii(l->st)->coll_acl(l->st, c->id, acl_row, &p);
	printf(l->json ? "],\"write\":[" : "%s\n    write: ", !l->json && !p.n ? "(none)" : "");
	p.want_write = 1;
	p.n = 0;
	store_taxii(l->st)->coll_acl(l->st, c->id, acl_row, &p);
	printf(l->json ? "]}\n" : "%s\n", !l->json && !p.n ? "(none)" : "");
	l->n++;
	return 0;
}

static int collection_exec(int argc, char **argv)
{
	const char *id = NULL, *alias = NULL, *desc = NULL, *group = NULL, *tlp_max = NULL,
		   *json = NULL;
	const char **reads = NULL, **writes = NULL;
	struct cli_opt opts[] = {
	    {"id", 1, 0, &id, NULL},
	    {"alias", 1, 0, &alias, NULL},
	    {"description", 1, 0, &desc, NULL},
	    {"group", 1, 0, &group, NULL},
	    {"tlp-max", 1, 0, &tlp_max, NULL},
	    {"read", 1, 1, NULL, &reads},
	    {"write", 1, 1, NULL, &writes},
	    {"json", 0, 0, &json, NULL},
	};
	struct cli_common c;
	int rc = cli_parse_common(&cmd_taxii, argc, argv, &c, opts, (int)ARRAY_LEN(opts));
	struct store *st = NULL;
	if (rc)
		goto out;
	const char *sub = c.nargs ? c.args[0] : "";
	int add = strcmp(sub, "add") == 0, list = strcmp(sub, "list") == 0,
	    rm = strcmp(sub, "remove") == 0;
	rc = VB_EUSAGE;
	if (!add && !list && !rm) {
		cli_usage(&cmd_taxii, "taxii collection: expected add, list or remove");
		goto out;
	}
	if (c.nargs != (list ? 1 : 2)) {
		cli_usage(&cmd_taxii, "usage: verbinding taxii collection %s",
			  add  ? "add TITLE"
			  : rm ? "remove ID"
			       : "list");
		goto out;
	}
	if (!add && (id || alias || desc || group || tlp_max || reads || writes)) {
		cli_usage(&cmd_taxii,
			  "--id, --alias, --description, --group, --tlp-max, --read and "
			  "--write go with collection add");
		goto out;
	}
	struct vb_err e;
	vb_err_clear(&e);
	if ((rc = store_open(c.store, 0, &st, &e))) {
		cli_fail_err("taxii", &e);
		goto out;
	}
	if (add) {
		rc = coll_add(st, c.args[1], id, alias, desc, group, tlp_max, reads, writes);
	} else if (list) {
		struct list_ctx l = {st, json != NULL, 0};
		rc = store_taxii(st)->coll_list(st, coll_row, &l);
		if (rc)
			cli_fail("taxii", rc, "reading the store failed");
		else if (!l.n && !json)
			fprintf(stderr, "no TAXII collections; add one with `verbinding taxii "
					"collection add`\n");
	} else {
		struct taxii_collection coll;
		rc = store_taxii(st)->coll_get(st, c.args[1], &coll);
		if (!rc)
			rc = store_taxii(st)->coll_remove(st, coll.id);
		if (rc) {
			cli_fail("taxii", rc, "%s: %s", c.args[1],
				 rc == VB_ENOTFOUND ? "no such collection" : "the store failed");
		} else {
			admin_audit_local(st, "taxii.collection.remove", NULL, coll.id);
			printf("collection %s removed (its objects stay in the store)\n",
			       coll.title);
		}
	}
out:
	store_close(st);
	cli_free_lists(opts, (int)ARRAY_LEN(opts));
	return rc;
}

/* ---- pull and push ---- */

/* Reads a secret from the first line of path ("-": stdin) into out. */
static int read_secret(const char *opt, const char *path, char *out, size_t cap)
{
	char *p = NULL, why[256];
	size_t n = 0;
	if (file_read_all(path, SECRET_MAX, &p, &n, why, sizeof why))
		return cli_fail("taxii", VB_EIO, "--%s %s: %s", opt, path, why);
	size_t len = strcspn(p, "\r\n");
	int ok = len > 0 && len < cap && !memchr(p, 0, len);
	if (ok) {
		memcpy(out, p, len);
		out[len] = 0;
	}
	explicit_bzero(p, n);
	free(p);
	if (!ok)
		return cli_fail("taxii", VB_EUSAGE,
				"--%s %s: expected the secret on the first line", opt, path);
	return 0;
}

struct client_args {
	const char *collection, *user, *password_file, *token_file, *cacert, *timeout, *verbose;
	char secret[SECRET_MAX];
	struct taxii_client_opts o;
};

static int client_setup(struct client_args *a, const char *url)
{
	memset(&a->o, 0, sizeof a->o);
	a->o.url = url;
	a->o.collection = a->collection;
	a->o.cacert = a->cacert;
	a->o.verbose = a->verbose != NULL;
	if (!a->collection)
		return cli_usage(&cmd_taxii, "--collection ID is required");
	if (a->password_file && a->token_file)
		return cli_usage(&cmd_taxii, "give --password-file or --token-file, not both");
	if (a->password_file && !a->user)
		return cli_usage(&cmd_taxii, "--password-file needs --user");
	if (a->timeout) {
		long t;
		if (parse_long(a->timeout, 1, 86400, &t))
			return cli_usage(&cmd_taxii, "--timeout: 1 to 86400 seconds");
		a->o.timeout_s = t;
	}
	const char *file = a->password_file ? a->password_file : a->token_file;
	if (file) {
		int rc = read_secret(a->password_file ? "password-file" : "token-file", file,
				     a->secret, sizeof a->secret);
		if (rc)
			return rc;
		if (a->user) {
			a->o.auth.user = a->user;
			a->o.auth.password = a->secret;
		} else {
			a->o.auth.bearer = a->secret;
		}
	} else if (a->user) {
		return cli_usage(&cmd_taxii, "--user needs --password-file or --token-file");
	}
	return 0;
}

#define CLIENT_OPTS(a)                                                                             \
	{"collection", 1, 0, &(a).collection, NULL}, {"user", 1, 0, &(a).user, NULL},              \
	    {"password-file", 1, 0, &(a).password_file, NULL},                                     \
	    {"token-file", 1, 0, &(a).token_file, NULL}, {"cacert", 1, 0, &(a).cacert, NULL},      \
	    {"timeout", 1, 0, &(a).timeout, NULL},                                                 \
	{                                                                                          \
		"verbose", 0, 0, &(a).verbose, NULL                                                \
	}

static int pull_exec(int argc, char **argv)
{
	struct client_args a = {0};
	const char *limit = NULL, *latest = NULL, *full = NULL, *skip = NULL, *org = NULL,
		   *tlp = NULL;
	struct cli_opt opts[] = {
	    CLIENT_OPTS(a),
	    {"limit", 1, 0, &limit, NULL},
	    {"latest", 0, 0, &latest, NULL},
	    {"full", 0, 0, &full, NULL},
	    {"skip-invalid", 0, 0, &skip, NULL},
	    {"org", 1, 0, &org, NULL},
	    {"tlp", 1, 0, &tlp, NULL},
	};
	struct cli_common c;
	int rc = cli_parse_common(&cmd_taxii, argc, argv, &c, opts, (int)ARRAY_LEN(opts));
	if (rc)
		return rc;
	if (c.nargs != 1)
		return cli_usage(&cmd_taxii, "usage: verbinding taxii pull URL --collection ID");
	struct taxii_pull_opts p = {
	    .latest_only = latest != NULL, .full = full != NULL, .skip_invalid = skip != NULL};
	if (limit && parse_long(limit, 1, 100000, &p.limit))
		return cli_usage(&cmd_taxii, "--limit: 1 to 100000");
	if (tlp && !(p.tlp = stix_tlp_id(tlp)))
		return cli_usage(&cmd_taxii,
				 "--tlp '%s': expected clear, green, amber, "
				 "amber+strict or red",
				 tlp);
	if ((rc = client_setup(&a, c.args[0])))
		goto out;
	struct store *st;
	struct vb_err e;
	vb_err_clear(&e);
	if ((rc = store_open(c.store, 0, &st, &e))) {
		cli_fail_err("taxii", &e);
		goto out;
	}
	if (org) {
		struct ident_org o;
		rc = store_ident(st)->org_get(st, org, &o);
		if (rc) {
			cli_fail("taxii", rc, "--org %s: %s", org,
				 rc == VB_ENOTFOUND ? "no such organisation" : "the store failed");
			store_close(st);
			goto out;
		}
		p.owner_org = o.id;
	}
	struct taxii_pull_stats s;
	rc = taxii_pull(st, &a.o, &p, &s);
	fprintf(stderr,
		"taxii pull: %ld object(s) in %ld page(s): %ld stored or unchanged, %ld rejected, "
		"%ld skipped (created here by another organisation)%s%s\n",
		s.objects, s.pages, s.stored, s.rejected, s.skipped_owned,
		s.added_last[0] ? "; the next pull starts after " : "", s.added_last);
	store_close(st);
out:
	explicit_bzero(a.secret, sizeof a.secret);
	return rc;
}

static int push_row(void *arg, const struct store_row *row)
{
	return taxii_push_add(arg, row->json, row->json_len);
}

/* Pushes every object of a STIX bundle, TAXII envelope, array or single
 * object in path. */
static int push_file(struct taxii_pusher *p, const char *path)
{
	char *text = NULL, why[256];
	size_t n = 0;
	if (file_read_all(path, INGEST_MAX_DOC, &text, &n, why, sizeof why))
		return cli_fail("taxii", VB_EIO, "%s: %s", path, why);
	cJSON *doc = cJSON_ParseWithLength(text, n);
	free(text);
	if (!doc)
		return cli_fail("taxii", VB_EINPUT, "%s: malformed JSON", path);
	const cJSON *list =
	    cJSON_IsArray(doc) ? doc : cJSON_GetObjectItemCaseSensitive(doc, "objects");
	int rc = 0;
	if (cJSON_IsArray(list)) {
		const cJSON *o;
		cJSON_ArrayForEach(o, list)
		{
			char *s = cJSON_PrintUnformatted(o);
			rc = taxii_push_add(p, s, strlen(s));
			free(s);
			if (rc)
				break;
		}
	} else if (cJSON_IsObject(doc) && cJSON_GetObjectItemCaseSensitive(doc, "type")) {
		char *s = cJSON_PrintUnformatted(doc);
		rc = taxii_push_add(p, s, strlen(s));
		free(s);
	} else {
		rc = cli_fail("taxii", VB_EINPUT,
			      "%s: expected a STIX bundle, a TAXII envelope, an array of objects "
			      "or one object",
			      path);
	}
	cJSON_Delete(doc);
	return rc;
}

static int push_exec(int argc, char **argv)
{
	struct client_args a = {0};
	const char *since = NULL, *allv = NULL, *all = NULL;
	const char **types = NULL, **ids = NULL;
	struct cli_opt opts[] = {
	    CLIENT_OPTS(a),
	    {"type", 1, 1, NULL, &types},
	    {"id", 1, 1, NULL, &ids},
	    {"since", 1, 0, &since, NULL},
	    {"all-versions", 0, 0, &allv, NULL},
	    {"all", 0, 0, &all, NULL},
	};
	struct cli_common c;
	char *tv[TAXII_MATCH_MAX + 1], *iv[1000 + 1];
	int nt = 0, ni = 0;
	struct store *st = NULL;
	int rc = cli_parse_common(&cmd_taxii, argc, argv, &c, opts, (int)ARRAY_LEN(opts));
	if (rc)
		goto out;
	rc = VB_EUSAGE;
	int from_store = types || ids || since || all;
	if (c.nargs < 1) {
		cli_usage(&cmd_taxii, "usage: verbinding taxii push URL --collection ID [FILE...]");
		goto out;
	}
	if (c.nargs > 1 && from_store) {
		cli_usage(&cmd_taxii,
			  "push FILEs or objects from the store (--type, --id, --since, "
			  "--all), not both");
		goto out;
	}
	if (c.nargs == 1 && !from_store) {
		cli_usage(&cmd_taxii, "name FILEs to push, or select objects from the store with "
				      "--type, --id, --since or --all");
		goto out;
	}
	struct store_filter f = {.viewer = STORE_VIEWER_LOCAL, .all_versions = allv != NULL};
	if ((nt = split_values(types, tv, TAXII_MATCH_MAX)) < 0 ||
	    (ni = split_values(ids, iv, 1000)) < 0) {
		nt = nt < 0 ? 0 : nt;
		ni = 0;
		cli_usage(&cmd_taxii, "too many --type or --id values");
		goto out;
	}
	tv[nt] = iv[ni] = NULL;
	f.types = nt ? (const char *const *)tv : NULL;
	f.ids = ni ? (const char *const *)iv : NULL;
	if (since && time_parse_loose(since, &f.modified_since)) {
		cli_usage(&cmd_taxii, "--since '%s': expected a date or RFC 3339 time", since);
		goto out;
	}
	if ((rc = client_setup(&a, c.args[0])))
		goto out;
	struct vb_err e;
	vb_err_clear(&e);
	if (from_store && (rc = store_open(c.store, 0, &st, &e))) {
		cli_fail_err("taxii", &e);
		goto out;
	}
	struct taxii_pusher *p = taxii_push_begin(&a.o, &rc);
	if (!p)
		goto out;
	if (from_store)
		rc = store_scan(st, &f, push_row, p);
	for (int i = 1; !rc && i < c.nargs; i++)
		rc = push_file(p, c.args[i]);
	struct taxii_push_stats s;
	int end = taxii_push_end(p, &s);
	if (!rc)
		rc = end;
	fprintf(
	    stderr, "taxii push: %ld object(s) in %ld envelope(s): %ld accepted, %ld failed%s\n",
	    s.objects, s.batches, s.succeeded, s.failed, s.pending ? ", some still pending" : "");
out:
	explicit_bzero(a.secret, sizeof a.secret);
	free_split(tv, nt);
	free_split(iv, ni);
	store_close(st);
	cli_free_lists(opts, (int)ARRAY_LEN(opts));
	return rc;
}

static int taxii_exec(int argc, char **argv)
{
	const char *sub = argc > 1 ? argv[1] : "";
	if (strcmp(sub, "collection") == 0)
		return collection_exec(argc - 1, argv + 1);
	if (strcmp(sub, "pull") == 0)
		return pull_exec(argc - 1, argv + 1);
	if (strcmp(sub, "push") == 0)
		return push_exec(argc - 1, argv + 1);
	return cli_usage(&cmd_taxii, "%s%s%s",
			 *sub ? "unknown subcommand '" : "expected collection, pull or push", sub,
			 *sub ? "'" : "");
}

const struct cli_cmd cmd_taxii = {
    .name = "taxii",
    .summary = "TAXII 2.1: served collections; pull from and push to other servers",
    .usage = "usage: verbinding taxii collection add TITLE (--group GROUP | --tlp-max LEVEL)...\n"
	     "                  [--read ORG[,ORG...]]... [--write ORG[,ORG...]]...\n"
	     "                  [--id ID] [--alias A] [--description TEXT]\n"
	     "       verbinding taxii collection list [--json]\n"
	     "       verbinding taxii collection remove ID|ALIAS|TITLE\n"
	     "       verbinding taxii pull URL --collection ID [AUTH] [--limit N] [--latest]\n"
	     "                  [--full] [--skip-invalid] [--org ORG] [--tlp LEVEL]\n"
	     "       verbinding taxii push URL --collection ID [AUTH] FILE...\n"
	     "       verbinding taxii push URL --collection ID [AUTH] (--type T | --id ID |\n"
	     "                  --since T | --all)... [--all-versions]\n\n"
	     "Collections. `verbinding serve` offers TAXII 2.1 under /taxii2/ with one API\n"
	     "root, /taxii2/" TAXII_ROOT "/. A collection holds no copies: it is a view of the\n"
	     "store bound to a sharing group (objects shared with it) and/or a TLP ceiling\n"
	     "(objects marked at most LEVEL). A reader sees in it what the reader may see\n"
	     "anyway AND what the binding admits. --read and --write name the organisations\n"
	     "that may read it or add to it; to others it does not exist. Objects added\n"
	     "through it belong to the writer's organisation, are shared with the group,\n"
	     "and must not be marked above the ceiling. TAXII's DELETE removes the matching\n"
	     "versions from the store (the creating organisation only, with write rights);\n"
	     "it is not a revocation, and copies others pulled stay theirs.\n\n"
	     "Client. URL is a TAXII 2.1 API root (or a discovery URL: its default root).\n"
	     "pull fetches the collection's objects added since the last pull from that URL\n"
	     "(every version; --latest: the last only), follows more/next paging, and\n"
	     "imports each page in one transaction like `verbinding import`; --full starts\n"
	     "from the beginning. An object this store holds with another owner (one of its\n"
	     "organisations created it here) is not overwritten; it counts as skipped. push\n"
	     "posts envelopes no larger than the server's max_content_length, waits for\n"
	     "each status and lists every object refused.\n\n"
	     "  --collection ID        the collection's id (required)\n"
	     "  AUTH: --token-file F   a bearer token on the first line of F ('-': stdin)\n"
	     "        --user U --password-file F   HTTP Basic with a password (or a token)\n"
	     "  --cacert F             PEM certificates to trust for https\n"
	     "  --timeout S            seconds per request (default 300)\n"
	     "  --verbose              one line per request on stderr\n"
	     "  --org ORG              (pull) the local organisation owning what is pulled\n"
	     "                         (default: the instance)\n"
	     "  --tlp LEVEL            (pull) marking for objects that carry none\n"
	     "  --skip-invalid         (pull) store a page's valid objects, count the rest\n"
	     "  --type, --id, --since, --all, --all-versions   (push) select from the store\n"
	     "  --store PATH           the store\n"
	     "Credentials are read from files, never from the command line, and never\n"
	     "printed; redirects are not followed.\n",
    .exec = taxii_exec,
};
