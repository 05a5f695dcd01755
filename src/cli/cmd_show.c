/* cmd_show.c: `verbinding show ID`: one object, pretty-printed, with the
 * relationships that start or end at it. */
#include "cli.h"
#include "opts.h"
#include "../store/store.h"
#include "../util/jsonfmt.h"
#include "../util/util.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct rel_ctx {
	struct store *st;
	const char *self;
	int n;
};

static char *name_of(struct store *st, const char *id)
{
	char *json = NULL;
	char *name = NULL;
	if (store_get(st, STORE_VIEWER_LOCAL, id, STORE_NO_TIME, &json, NULL) == 0) {
		cJSON *o = cJSON_Parse(json);
		const cJSON *n = cJSON_GetObjectItemCaseSensitive(o, "name");
		if (!cJSON_IsString(n))
			n = cJSON_GetObjectItemCaseSensitive(o, "value");
		if (cJSON_IsString(n))
			name = xstrdup(n->valuestring);
		cJSON_Delete(o);
	}
	free(json);
	return name;
}

static int rel_row(void *arg, const struct store_row *row)
{
	struct rel_ctx *r = arg;
	if (strcmp(row->type, "relationship") != 0)
		return 0;
	cJSON *o = cJSON_ParseWithLength(row->json, row->json_len);
	const cJSON *t = cJSON_GetObjectItemCaseSensitive(o, "relationship_type");
	const cJSON *s = cJSON_GetObjectItemCaseSensitive(o, "source_ref");
	const cJSON *d = cJSON_GetObjectItemCaseSensitive(o, "target_ref");
	if (cJSON_IsString(t) && cJSON_IsString(s) && cJSON_IsString(d)) {
		int outgoing = strcmp(s->valuestring, r->self) == 0;
		const char *other = outgoing ? d->valuestring : s->valuestring;
		char *name = name_of(r->st, other);
		if (!r->n++)
			printf("\nrelationships:\n");
		printf("  %s %-14s %s %s%s%s\n", outgoing ? "->" : "<-", t->valuestring, other,
		       name ? "(" : "", name ? name : "", name ? ")" : "");
		free(name);
	}
	cJSON_Delete(o);
	return 0;
}

static int show_exec(int argc, char **argv)
{
	const char *json_only = NULL, *version = NULL;
	struct cli_opt opts[] = {
	    {"json", 0, 0, &json_only, NULL},
	    {"version", 1, 0, &version, NULL},
	};
	struct cli_common c;
	int rc = cli_parse_common(&cmd_show, argc, argv, &c, opts, 2);
	if (rc)
		return rc;
	if (c.nargs != 1)
		return cli_usage(&cmd_show, "expected one object id");
	int64_t mod = STORE_NO_TIME;
	if (version && time_parse_loose(version, &mod))
		return cli_usage(&cmd_show, "--version '%s': expected an RFC 3339 time", version);
	struct store *st;
	if ((rc = cli_open_store(&cmd_show, &c, 0, &st)))
		return rc;
	char *json = NULL;
	rc = store_get(st, STORE_VIEWER_LOCAL, c.args[0], mod, &json, NULL);
	if (rc == VB_ENOTFOUND) {
		store_close(st);
		return cli_fail("show", rc, "%s: no such object%s", c.args[0],
				version ? " version" : "");
	}
	if (rc) {
		store_close(st);
		return cli_fail("show", rc, "reading the store failed");
	}
	struct buf pretty;
	buf_init(&pretty, (size_t)1 << 30);
	if (json_pretty(&pretty, json, strlen(json)) == 0)
		puts(pretty.p);
	buf_free(&pretty);
	free(json);
	if (!json_only) {
		struct rel_ctx r = {st, c.args[0], 0};
		struct store_filter f = {.viewer = STORE_VIEWER_LOCAL, .ref_target = c.args[0]};
		const char *props[] = {"source_ref", "target_ref"};
		for (int i = 0; i < 2 && !rc; i++) {
			f.ref_prop = props[i];
			rc = store_scan(st, &f, rel_row, &r);
		}
	}
	store_close(st);
	return rc;
}

const struct cli_cmd cmd_show = {
    .name = "show",
    .summary = "print one object and its relationships",
    .usage = "usage: verbinding show [--store PATH] [--json] [--version T] ID\n\n"
	     "Prints the latest version of the object (or the version modified at T),\n"
	     "followed by the relationships that start or end at it (unless --json).\n",
    .exec = show_exec,
};
