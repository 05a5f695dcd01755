/* cmd_init.c: `verbinding init`: create a store with its schema and the
 * predefined TLP 2.0 marking definitions. */
#include "cli.h"
#include "opts.h"
#include "../ingest/ingest.h"
#include "../stix/stix.h"

#include <stdio.h>
#include <string.h>

static const char *const tlp_ids[] = {TLP_CLEAR, TLP_GREEN, TLP_AMBER, TLP_AMBER_STRICT, TLP_RED};

static int seed_markings(struct store *st)
{
	struct ingest_opts o = {.confidence = -1};
	struct ingest *ig = ingest_new(st, &o);
	int rc = store_begin(st);
	for (size_t i = 0; !rc && i < sizeof tlp_ids / sizeof tlp_ids[0]; i++) {
		cJSON *m = stix_tlp_object(tlp_ids[i]);
		struct ingest_pos pos = {0};
		rc = ingest_emit(ig, m, &pos);
		cJSON_Delete(m);
	}
	rc = rc ? rc : store_commit(st);
	if (rc)
		store_rollback(st);
	ingest_free(ig);
	return rc;
}

static int init_exec(int argc, char **argv)
{
	struct cli_common c;
	int rc = cli_parse_common(&cmd_init, argc, argv, &c, NULL, 0);
	if (rc)
		return rc;
	if (c.nargs)
		return cli_usage(&cmd_init, "unexpected argument '%s'", c.args[0]);
	struct store *st;
	struct vb_err e;
	vb_err_clear(&e);
	rc = store_open(c.store, STORE_CREATE, &st, &e);
	if (rc)
		return cli_fail_err("init", &e);
	rc = seed_markings(st);
	store_close(st);
	if (rc)
		return cli_fail("init", rc, "%s: could not store the TLP markings", c.store);
	printf("store ready: %s\n", c.store);
	return 0;
}

const struct cli_cmd cmd_init = {
    .name = "init",
    .summary = "create a store (or upgrade its schema)",
    .usage = "usage: verbinding init [--store PATH]\n\n"
	     "Creates the store (SQLite, WAL mode) with its schema and the TLP 2.0\n"
	     "marking definitions. Running it on an existing store migrates the schema\n"
	     "and changes nothing else.\n\n"
	     "  --store PATH   store file (default: $VERBINDING_STORE, else ./verbinding.db)\n",
    .exec = init_exec,
};
