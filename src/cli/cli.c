/* cli.c: shared helpers for commands: errors, usage and --help. */
#include "cli.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int cli_fail(const char *cmd, int code, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "verbinding %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return code;
}

int cli_fail_err(const char *cmd, const struct vb_err *e)
{
	char msg[1200];
	vb_err_format(e, msg, sizeof msg);
	fprintf(stderr, "verbinding %s: %s\n", cmd, msg);
	return e->code ? e->code : VB_EINPUT;
}

int cli_usage(const struct cli_cmd *c, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "verbinding %s: ", c->name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n(see `verbinding %s --help`)\n", c->name);
	return VB_EUSAGE;
}

int cli_wants_help(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			return 0;
		if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0)
			return 1;
	}
	return 0;
}

int cli_help(const struct cli_cmd *c)
{
	fputs(c->usage, stdout);
	fputs("\n" CLI_EXIT_CODES, stdout);
	return 0;
}
