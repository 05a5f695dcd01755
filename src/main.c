/* main.c: entry point; the command table is the whole dispatcher. */
#include "cli/cli.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

static const struct cli_cmd *const commands[] = {
    &cmd_init,	&cmd_import,  &cmd_export, &cmd_show,  &cmd_list,
    &cmd_stats, &cmd_pattern, &cmd_match,  &cmd_serve, &cmd_org,
    &cmd_user,	&cmd_token,   &cmd_group,  &cmd_audit, &cmd_taxii,
};

static void usage(FILE *f)
{
	fprintf(f, "usage: verbinding COMMAND [ARGS...]\n\n"
		   "verbinding keeps one store of STIX 2.1 objects and carries them from\n"
		   "intrusion to attribution, norms, response and strategy measurement.\n\n"
		   "Commands:\n");
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		fprintf(f, "  %-10s %s\n", commands[i]->name, commands[i]->summary);
	fprintf(f, "\nEvery command takes --help. The store is --store PATH, else\n"
		   "$VERBINDING_STORE, else ./verbinding.db.\n\n" CLI_EXIT_CODES);
}

int main(int argc, char **argv)
{
	if (sodium_init() < 0) {
		fprintf(stderr, "verbinding: libsodium failed to initialise\n");
		return VB_EXIT_STORE;
	}
	if (argc < 2) {
		usage(stderr);
		return VB_EXIT_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return VB_EXIT_OK;
	}
	if (strcmp(argv[1], "--version") == 0) {
		puts("verbinding 0.1");
		return VB_EXIT_OK;
	}
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
		const struct cli_cmd *c = commands[i];
		if (strcmp(argv[1], c->name) != 0)
			continue;
		if (cli_wants_help(argc - 1, argv + 1))
			return cli_help(c);
		return vb_exit_code(c->exec(argc - 1, argv + 1));
	}
	fprintf(stderr, "verbinding: unknown command '%s'\n\n", argv[1]);
	usage(stderr);
	return VB_EXIT_USAGE;
}
