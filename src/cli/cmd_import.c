/* cmd_import.c: `verbinding import`: files, folders or stdin into the store. */
#include "cli.h"
#include "opts.h"
#include "../access/access.h"
#include "../access/admin.h"
#include "../ingest/ingest.h"
#include "../stix/stix.h"
#include "../util/util.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int import_exec(int argc, char **argv)
{
	const char *skip = NULL, *format = NULL, *source = NULL, *tlp = NULL, *vfrom = NULL,
		   *vuntil = NULL, *conf = NULL, *quiet = NULL, *noprog = NULL, *org = NULL;
	const char **labels = NULL, **share = NULL;
	struct cli_opt opts[] = {
	    {"skip-invalid", 0, 0, &skip, NULL},
	    {"format", 1, 0, &format, NULL},
	    {"source", 1, 0, &source, NULL},
	    {"tlp", 1, 0, &tlp, NULL},
	    {"label", 1, 1, NULL, &labels},
	    {"valid-from", 1, 0, &vfrom, NULL},
	    {"valid-until", 1, 0, &vuntil, NULL},
	    {"confidence", 1, 0, &conf, NULL},
	    {"quiet", 0, 0, &quiet, NULL},
	    {"no-progress", 0, 0, &noprog, NULL},
	    {"org", 1, 0, &org, NULL},
	    {"share", 1, 1, NULL, &share},
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
	struct ingest_opts io = {.skip_invalid = skip != NULL,
				 .format = format,
				 .source = source,
				 .labels = labels,
				 .confidence = -1,
				 .pipeline = 1};
	io.progress = !quiet && !noprog && isatty(2);
	if (tlp && !(io.tlp = stix_tlp_id(tlp))) {
		cli_usage(&cmd_import,
			  "--tlp '%s': expected clear, green, amber, amber+strict or red", tlp);
		goto out;
	}
	if (vfrom && time_parse_loose(vfrom, &io.valid_from)) {
		cli_usage(&cmd_import, "--valid-from '%s': expected a date or RFC 3339 time",
			  vfrom);
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
	rc = store_open(c.store, STORE_BULK, &st, &e);
	if (rc) {
		cli_fail_err("import", &e);
		goto out;
	}
	/* --org: the objects belong to that organisation (as if its users had
	 * imported them through the API), with its default TLP and --share. */
	struct store_share shares[64];
	size_t n_shares = 0;
	if (share && !org) {
		store_close(st);
		rc = cli_usage(&cmd_import, "--share goes with --org");
		goto out;
	}
	if (org) {
		struct ident_org o;
		rc = store_ident(st)->org_get(st, org, &o);
		if (rc) {
			store_close(st);
			rc = cli_fail("import", rc == VB_ENOTFOUND ? VB_EUSAGE : rc,
				      "--org '%s': no such organisation", org);
			goto out;
		}
		io.owner_org = o.id;
		if (!io.tlp)
			io.tlp = access_tlp_marking(o.default_tlp);
		for (size_t i = 0; share && share[i]; i++) {
			if (n_shares == 64 ||
			    admin_share_parse(st, share[i], &shares[n_shares], &e)) {
				store_close(st);
				rc = n_shares == 64 ? cli_usage(&cmd_import, "at most 64 --share")
						    : cli_fail_err("import", &e);
				goto out;
			}
			n_shares++;
		}
		int64_t groups[1024];
		size_t ng = 0;
		const char *why = "the store failed";
		if (store_ident(st)->org_groups(st, o.id, groups, 1024, &ng) ||
		    access_check_shares(STORE_TLP_NONE, shares, n_shares, groups, ng, &why)) {
			store_close(st);
			rc = cli_fail("import", VB_EDENIED, "--share: %s", why);
			goto out;
		}
		io.shares = shares;
		io.n_shares = n_shares;
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
	     "  --org NAME            the objects belong to this organisation (default: the\n"
	     "                        instance); its default TLP applies without --tlp\n"
	     "  --share SPEC          with --org: share with org:NAME, group:NAME (a group\n"
	     "                        the organisation is in) or user:NAME (repeatable)\n"
	     "  --quiet               no summary; --no-progress: no progress bar\n\n"
	     "At the end a summary shows per type how many objects were new, updated,\n"
	     "unchanged or rejected.\n",
    .exec = import_exec,
};
