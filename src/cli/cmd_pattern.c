/*
 * cmd_pattern.c: `verbinding pattern check PATTERN...`: validates STIX 2.1
 * patterns with the same parser import and the matcher use, and shows where
 * each invalid one goes wrong.
 */
#include "cli.h"

#include "../stix/pattern.h"

#include <stdio.h>
#include <string.h>

/*
 * Prints the pattern with control characters shown as spaces so that a caret
 * line can be aligned under it: one output character per input character.
 */
static void print_display(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		fputc(c < 0x20 && c != '\t' ? ' ' : c, stderr);
	}
	fputc('\n', stderr);
}

/* Spaces (tabs where the pattern has tabs) up to column col, then '^'. */
static void print_caret(const char *s, size_t n, long col)
{
	long k = 1;
	for (size_t i = 0; i < n && k < col; i++) {
		unsigned char c = (unsigned char)s[i];
		if ((c & 0xc0) == 0x80)
			continue; /* continuation bytes belong to the previous character */
		fputc(c == '\t' ? '\t' : ' ', stderr);
		k++;
	}
	fputs("^\n", stderr);
}

/* Checks one pattern and reports; returns 0 or VB_EINPUT. */
static int check_one(const char *src, size_t len)
{
	struct pattern *p;
	struct vb_err err;
	vb_err_clear(&err);
	if (pattern_parse(src, len, &p, &err) == 0) {
		fputs("ok: ", stderr);
		fwrite(src, 1, len, stderr);
		fputc('\n', stderr);
		pattern_free(p);
		return 0;
	}
	/* A pattern over the length limit is shown shortened, without a caret. */
	if (len > PATTERN_MAX_LEN) {
		print_display(src, 80);
		fputs("...\n", stderr);
	} else {
		print_display(src, len);
		print_caret(src, len, err.column);
	}
	fprintf(stderr, "  col %ld: %s\n", err.column, err.msg);
	return VB_EINPUT;
}

/* One pattern per line from stdin; blank lines are skipped. A line longer than
 * the pattern limit is reported as too long without being kept whole. */
static int check_stdin(void)
{
	static char line[PATTERN_MAX_LEN + 2];
	int rc = 0, c = 0;
	while (c != EOF) {
		size_t n = 0, total = 0;
		while ((c = getchar()) != EOF && c != '\n') {
			if (n < sizeof line)
				line[n++] = (char)c;
			total++;
		}
		if (ferror(stdin))
			return cli_fail("pattern", VB_EIO, "reading stdin failed");
		if (n > 0 && line[n - 1] == '\r' && total == n)
			n--, total--;
		if (total == 0)
			continue;
		if (check_one(line, n) != 0)
			rc = VB_EINPUT;
	}
	return rc;
}

static int pattern_exec(int argc, char **argv)
{
	if (argc < 2)
		return cli_usage(&cmd_pattern, "missing subcommand: check");
	if (strcmp(argv[1], "check") != 0)
		return cli_usage(&cmd_pattern, "unknown subcommand '%s'", argv[1]);
	int i = 2;
	if (i < argc && strcmp(argv[i], "--") == 0)
		i++;
	if (i >= argc)
		return cli_usage(&cmd_pattern, "check needs a PATTERN (or - to read stdin)");
	int rc = 0;
	for (; i < argc; i++) {
		int r =
		    strcmp(argv[i], "-") == 0 ? check_stdin() : check_one(argv[i], strlen(argv[i]));
		if (r == VB_EIO)
			return r;
		if (r != 0)
			rc = VB_EINPUT;
	}
	return rc;
}

const struct cli_cmd cmd_pattern = {
    .name = "pattern",
    .summary = "check STIX 2.1 patterns",
    .usage = "usage: verbinding pattern check PATTERN...\n"
	     "       verbinding pattern check -        (one pattern per line from stdin)\n"
	     "\n"
	     "Parses each STIX 2.1 pattern with the parser that import and match use and\n"
	     "applies the specification's checks (object type names, hash lengths,\n"
	     "timestamps, qualifiers, MATCHES regular expressions).\n"
	     "\n"
	     "For each pattern, on stderr: \"ok: PATTERN\", or the pattern, a caret under\n"
	     "the offending column and \"  col N: message\". Limits: 65536 bytes, nesting\n"
	     "depth 64, 10000 comparisons per pattern.\n"
	     "\n"
	     "Example:\n"
	     "  verbinding pattern check \"[file:hashes.'SHA-256' = 'ef53...']\"\n"
	     "  verbinding pattern check \"[ipv4-addr:value = '10.0.0.1'] FOLLOWEDBY \\\n"
	     "      [domain-name:value = 'evil.example'] WITHIN 60 SECONDS\"\n"
	     "\n"
	     "Any invalid pattern makes the exit status 2.\n",
    .exec = pattern_exec,
};
