/*
 * cli.h: one file per command (after tmux's cmd-*.c); each exports one const
 * struct cli_cmd. main.c holds the table. exec returns a VB_E* code; main maps
 * it to the exit status and prints nothing more (commands print their errors).
 */
#ifndef VB_CLI_H
#define VB_CLI_H

#include "../util/err.h"

struct cli_cmd {
	const char *name;
	const char *summary; /* one line for `verbinding --help` */
	const char *usage;   /* full text for `verbinding NAME --help` */
	int (*exec)(int argc, char **argv);
};

/* Prints "verbinding NAME: message" to stderr and returns code. */
int cli_fail(const char *cmd, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Prints an error record as "verbinding NAME: file:line:col: pointer: msg". */
int cli_fail_err(const char *cmd, const struct vb_err *e);
/* Prints usage to stderr with a reason and returns VB_EUSAGE. */
int cli_usage(const struct cli_cmd *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* True when argv holds -h or --help (before any "--"). */
int cli_wants_help(int argc, char **argv);
/* Writes the command's usage to stdout and returns 0. */
int cli_help(const struct cli_cmd *c);

/* The exit-code table shared by every --help. */
#define CLI_EXIT_CODES                                                                             \
	"Exit status: 0 ok, 1 usage error, 2 bad input (nothing stored), 3 store error,\n"         \
	"             4 file could not be read or written, 5 not found, 6 access denied.\n"

extern const struct cli_cmd cmd_init, cmd_import, cmd_export, cmd_show, cmd_list, cmd_stats,
    cmd_pattern, cmd_match;
extern const struct cli_cmd cmd_serve, cmd_org, cmd_user, cmd_token, cmd_group, cmd_audit,
    cmd_taxii;

#endif
