/* cmd_import.c: `verbinding import`: files, folders or stdin into the store. */
#include "cli.h"
#include "opts.h"
#include "../ingest/ingest.h"
#include "../stix/stix.h"
#include "../util/util.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int import_exec(int argc, char **argv)
{
	const char *skip = NULL, *format = NULL, *source = NULL, *tlp = NULL, *vfrom = NULL,
		   *vuntil = NULL, *conf = NULL, *quiet = NULL, *noprog = NULL;
	const char **labels = NULL;
	struct cli_opt opts[] = {
		{"skip-invalid", 0, 0, &skip, NULL}, {"format", 1, 0, &format, NULL},
		{"source", 1, 0, &source, NULL},     {"tlp", 1, 0, &tlp, NULL},
		{"label", 1, 1, NULL, &labels},      {"valid-from", 1, 0, &vfrom, NULL},
		{"valid-until", 1, 0, &vuntil, NULL}, {"confidence", 1, 0, &conf, NULL},
		{"quiet", 0, 0, &quiet, NULL},       {"no-progress", 0, 0, &noprog, NULL},
	};
	int nopts = (int)(sizeof opts / sizeof opts[0]);
	struct cli_common c;
	int rc = cli_parse_common(&cmd_import, argc, argv, &c, opts, nopts);
	if (rc)
		goto out;
	rc = VB_EUSAGE;
	if (c.nargs == 0) {
		cli_usage(&cmd_import, "no input given (a file, a folder or - for stdin)");
		goto out;
	}
	struct ingest_opts io = {.skip_invalid = skip != NULL, .format = format, .source = source,
				 .labels = labels, .confidence = -1};
	io.progress = !quiet && !noprog && isatty(2);
	if (tlp && !(io.tlp = stix_tlp_id(tlp))) {
		cli_usage(&cmd_import, "--tlp '%s': expected clear, green, amber, amber+strict or red",
			  tlp);
		goto out;
	}
	if (vfrom && time_parse_loose(vfrom, &io.valid_from)) {
		cli_usage(&cmd_import, "--valid-from '%s': expected a date or RFC 3339 time", vfrom);
		goto out;
	}
	if (vuntil && time_parse_loose(vuntil, &io.valid_until)) {
		cli_usage(&cmd_import, "--valid-until '%s': expected a date or RFC 3339 time",
			  vuntil);
		goto out;
	}
	long cv;
	if (conf) {
		if (parse_long(conf, 0, 100, &cv)) {
			cli_usage(&cmd_import, "--confidence '%s': expected 0 to 100", conf);
			goto out;
		}
		io.confidence = (int)cv;
	}
	struct store *st;
	struct vb_err e;
	vb_err_clear(&e);
	rc = store_open(c.store, 0, &st, &e);
	if (rc) {
		cli_fail_err("import", &e);
		goto out;
	}
	struct ingest *ig = ingest_new(st, &io);
	rc = 0;
	for (int i = 0; i < c.nargs; i++) {
		int r = ingest_path(ig, c.args[i]);
		if (r && !rc)
			rc = r;
		if (r == VB_ESTORE)
			break;
	}
	if (!quiet)
		ingest_summary(ig, stderr);
	ingest_free(ig);
	store_close(st);
out:
	cli_free_lists(opts, nopts);
	return rc;
}

const struct cli_cmd cmd_import = {
	.name = "import",
	.summary = "import STIX, MISP, galaxies, indicator lists, CSV",
	.usage = "usage: verbinding import [OPTIONS] FILE|DIR|- ...\n\n"
		 "Imports each file as one transaction: a file with any invalid object is\n"
		 "rejected whole and changes nothing. The format is detected per file:\n"
		 "  stix         STIX 2.1 or 2.0 bundle, bare object or array (2.0 is upgraded)\n"
		 "  misp         MISP event JSON (single, {\"response\": [...]}, or a list)\n"
		 "  misp-galaxy  MISP galaxy cluster file (threat actors, ransomware, ...)\n"
		 "  list         one indicator per line (# comments, trailing columns)\n"
		 "  csv          CSV with a header naming a value column\n"
		 "A folder is read recursively; a folder with manifest.json is a MISP feed.\n"
		 "Files may be gzip-compressed. Re-importing is idempotent.\n\n"
		 "  --store PATH          the store\n"
		 "  --format NAME         skip detection and use this reader\n"
		 "  --skip-invalid        store the valid objects and list the others\n"
		 "  --source NAME         identity that produced a list (created_by_ref)\n"
		 "  --tlp LEVEL           clear|green|amber|amber+strict|red for objects without\n"
		 "                        a marking\n"
		 "  --label L             label for list indicators (repeatable)\n"
		 "  --valid-from T        valid_from of list indicators (default: now)\n"
		 "  --valid-until T       valid_until of list indicators\n"
		 "  --confidence N        confidence (0-100) of list indicators\n"
		 "  --quiet               no summary; --no-progress: no progress bar\n\n"
		 "At the end a summary shows per type how many objects were new, updated,\n"
		 "unchanged or rejected.\n",
	.exec = import_exec,
};
