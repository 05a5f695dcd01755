/* cmd_stats.c: `verbinding stats`: what the store holds. */
#include "cli.h"
#include "opts.h"
#include "../stix/stix.h"
#include "../store/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A marking's display name: TLP levels by name, other marking definitions
 * by the name they carry in the store, else their id. Writes into out. */
static const char *marking_name(struct store *st, const char *id, char *out, size_t cap)
{
	static const struct {
		const char *id, *name;
	} names[] = {
	    {TLP_CLEAR, "TLP:CLEAR"}, {TLP_GREEN, "TLP:GREEN"},
	    {TLP_AMBER, "TLP:AMBER"}, {TLP_AMBER_STRICT, "TLP:AMBER+STRICT"},
	    {TLP_RED, "TLP:RED"},
	};
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (strcmp(id, names[i].id) == 0)
			return names[i].name;
	snprintf(out, cap, "%s", id);
	char *json = NULL;
	if (store_get(st, STORE_VIEWER_LOCAL, id, STORE_NO_TIME, &json, NULL) == 0) {
		cJSON *o = cJSON_Parse(json);
		const cJSON *n = cJSON_GetObjectItemCaseSensitive(o, "name");
		const cJSON *d = cJSON_GetObjectItemCaseSensitive(o, "definition");
		const cJSON *stmt = cJSON_GetObjectItemCaseSensitive(d, "statement");
		if (cJSON_IsString(n))
			snprintf(out, cap, "%.60s", n->valuestring);
		else if (cJSON_IsString(stmt)) /* a statement marking has no name */
			snprintf(out, cap, "statement: %.40s...", stmt->valuestring);
		cJSON_Delete(o);
	}
	free(json);
	return out;
}

static int stats_exec(int argc, char **argv)
{
	const char *json = NULL, *check = NULL;
	struct cli_opt opts[] = {{"json", 0, 0, &json, NULL}, {"check", 0, 0, &check, NULL}};
	struct cli_common c;
	int rc = cli_parse_common(&cmd_stats, argc, argv, &c, opts, 2);
	if (rc)
		return rc;
	if (c.nargs)
		return cli_usage(&cmd_stats, "unexpected argument '%s'", c.args[0]);
	struct store *st;
	if ((rc = cli_open_store(&cmd_stats, &c, 0, &st)))
		return rc;
	if (check) {
		char msg[512];
		rc = store_check(st, msg, sizeof msg);
		store_close(st);
		if (rc)
			return cli_fail("stats", rc, "integrity check failed: %s", msg);
		puts("integrity check: ok");
		return 0;
	}
	struct store_stats s;
	rc = store_stats(st, STORE_VIEWER_LOCAL, &s);
	if (rc) {
		store_close(st);
		return cli_fail("stats", rc, "reading the store failed");
	}
	char name[128];
	if (json) {
		cJSON *o = cJSON_CreateObject();
		cJSON_AddNumberToObject(o, "objects", (double)s.objects);
		cJSON_AddNumberToObject(o, "versions", (double)s.versions);
		cJSON_AddNumberToObject(o, "bytes", (double)s.bytes);
		cJSON *t = cJSON_AddObjectToObject(o, "by_type");
		for (size_t i = 0; i < s.n_by_type; i++)
			cJSON_AddNumberToObject(t, s.by_type[i].key, (double)s.by_type[i].n);
		cJSON *m = cJSON_AddObjectToObject(o, "by_marking");
		for (size_t i = 0; i < s.n_by_marking; i++)
			cJSON_AddNumberToObject(
			    m, marking_name(st, s.by_marking[i].key, name, sizeof name),
			    (double)s.by_marking[i].n);
		char *txt = cJSON_Print(o);
		puts(txt);
		cJSON_free(txt);
		cJSON_Delete(o);
	} else {
		printf("store     %s\nobjects   %lld (latest versions)\nversions  %lld\n"
		       "size      %.1f MB\n\nby type:\n",
		       c.store, (long long)s.objects, (long long)s.versions, (double)s.bytes / 1e6);
		for (size_t i = 0; i < s.n_by_type; i++)
			printf("  %-28s %10lld\n", s.by_type[i].key, (long long)s.by_type[i].n);
		printf("\nby marking:\n");
		for (size_t i = 0; i < s.n_by_marking; i++)
			printf("  %-28s %10lld\n",
			       marking_name(st, s.by_marking[i].key, name, sizeof name),
			       (long long)s.by_marking[i].n);
	}
	store_stats_free(&s);
	store_close(st);
	return 0;
}

const struct cli_cmd cmd_stats = {
    .name = "stats",
    .summary = "objects by type, versions, markings, store size",
    .usage = "usage: verbinding stats [--store PATH] [--json] [--check]\n\n"
	     "Prints the number of objects (latest versions) and versions, objects by\n"
	     "type and by marking, and the store's size on disk. --check runs the\n"
	     "store's integrity check instead.\n",
    .exec = stats_exec,
};
