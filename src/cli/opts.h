/*
 * opts.h: command-line parsing shared by commands. Every command takes
 * --store PATH; the rest are declared per command as a small table.
 */
#ifndef VB_CLI_OPTS_H
#define VB_CLI_OPTS_H

#include "cli.h"

struct cli_opt {
	const char *name; /* long name without "--" */
	int has_arg;
	int repeat;	    /* may be given several times: values collected */
	const char **val;   /* where the (last) value goes; "1" for flags */
	const char ***list; /* for repeatable options: NULL-terminated, malloc'd */
};

struct cli_common {
	const char *store;
	char **args; /* positional arguments */
	int nargs;
};

/* Parses argv (argv[0] is the command name) against opts; unknown options
 * are a usage error. Returns 0 or VB_EUSAGE (message printed). */
int cli_parse_common(const struct cli_cmd *cmd, int argc, char **argv, struct cli_common *c,
		     struct cli_opt *opts, int nopts);
void cli_free_lists(struct cli_opt *opts, int nopts);

struct store;
/* Opens c->store with store_open flags for command cmd; on failure prints
 * "verbinding CMD: why" and returns the code. */
int cli_open_store(const struct cli_cmd *cmd, const struct cli_common *c, int flags,
		   struct store **st);

#endif
