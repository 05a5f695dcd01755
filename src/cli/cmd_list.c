/* cmd_list.c: `verbinding list`: objects of a type, one per line. */
#include "cli.h"
#include "opts.h"
#include "../store/store.h"
#include "../util/util.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <string.h>

struct list_ctx {
	int json;
};

static int list_row(void *arg, const struct store_row *row)
{
	struct list_ctx *l = arg;
	if (l->json) {
		fwrite(row->json, 1, row->json_len, stdout);
		fputc('\n', stdout);
		return 0;
	}
	cJSON *o = cJSON_ParseWithLength(row->json, row->json_len);
	const cJSON *n = cJSON_GetObjectItemCaseSensitive(o, "name");
	if (!cJSON_IsString(n))
		n = cJSON_GetObjectItemCaseSensitive(o, "value");
	if (!cJSON_IsString(n))
		n = cJSON_GetObjectItemCaseSensitive(o, "pattern");
	char mod[32] = "-";
	if (row->modified)
		time_format(row->modified, mod);
	printf("%s  %s  %s\n", row->id, mod, cJSON_IsString(n) ? n->valuestring : "");
	cJSON_Delete(o);
	return 0;
}

static int list_exec(int argc, char **argv)
{
	const char *type = NULL, *limit = NULL, *json = NULL, *label = NULL;
	struct cli_opt opts[] = {
	    {"type", 1, 0, &type, NULL},
	    {"limit", 1, 0, &limit, NULL},
	    {"json", 0, 0, &json, NULL},
	    {"label", 1, 0, &label, NULL},
	};
	struct cli_common c;
	int rc = cli_parse_common(&cmd_list, argc, argv, &c, opts, 4);
	if (rc)
		return rc;
	if (c.nargs)
		return cli_usage(&cmd_list, "unexpected argument '%s'", c.args[0]);
	long lim = 0;
	if (limit && parse_long(limit, 1, 100000000, &lim))
		return cli_usage(&cmd_list, "--limit '%s': expected a positive number", limit);
	const char *types[] = {type, NULL};
	struct store_filter f = {.viewer = STORE_VIEWER_LOCAL,
				 .types = type ? types : NULL,
				 .limit = lim,
				 .label = label};
	struct store *st;
	if ((rc = cli_open_store(&cmd_list, &c, 0, &st)))
		return rc;
	struct list_ctx l = {json != NULL};
	rc = store_scan(st, &f, list_row, &l);
	store_close(st);
	return rc ? cli_fail("list", rc, "reading the store failed") : 0;
}

const struct cli_cmd cmd_list = {
    .name = "list",
    .summary = "list objects (id, modified, name)",
    .usage = "usage: verbinding list [--store PATH] [--type T] [--label L] [--limit N] [--json]\n\n"
	     "Lists the latest version of each object in insertion order: id, modified\n"
	     "and name (or value or pattern). --json prints each object as one JSON line.\n",
    .exec = list_exec,
};
