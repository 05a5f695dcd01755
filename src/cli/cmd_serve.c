/* cmd_serve.c: `verbinding serve`: the HTTP server (REST API, TAXII when
 * built, placeholder UI) on the store. */
#include "cli.h"
#include "opts.h"
#include "../http/http.h"
#include "../util/util.h"

#include <stdio.h>
#include <string.h>

static int serve_exec(int argc, char **argv)
{
	const char *listen = NULL, *cert = NULL, *key = NULL, *pub = NULL, *threads = NULL,
		   *tpc = NULL, *timeout = NULL, *quiet = NULL, *fl = NULL, *fw = NULL,
		   *unmarked = NULL;
	struct cli_opt opts[] = {
	    {"listen", 1, 0, &listen, NULL},	     {"tls-cert", 1, 0, &cert, NULL},
	    {"tls-key", 1, 0, &key, NULL},	     {"public", 0, 0, &pub, NULL},
	    {"threads", 1, 0, &threads, NULL},	     {"thread-per-connection", 0, 0, &tpc, NULL},
	    {"timeout", 1, 0, &timeout, NULL},	     {"quiet", 0, 0, &quiet, NULL},
	    {"fail-limit", 1, 0, &fl, NULL},	     {"fail-window", 1, 0, &fw, NULL},
	    {"unmarked-tlp", 1, 0, &unmarked, NULL},
	};
	struct cli_common c;
	int rc = cli_parse_common(&cmd_serve, argc, argv, &c, opts, (int)ARRAY_LEN(opts));
	if (rc)
		return rc;
	if (c.nargs)
		return cli_usage(&cmd_serve, "unexpected argument '%s'", c.args[0]);
	struct http_config cfg = {.store_path = c.store,
				  .listen = listen ? listen : "127.0.0.1:8080",
				  .tls_cert = cert,
				  .tls_key = key,
				  .public_access = pub != NULL,
				  .thread_per_connection = tpc != NULL,
				  .quiet = quiet != NULL,
				  .unmarked_tlp = unmarked};
	long v;
	if (threads) {
		if (parse_long(threads, 1, 256, &v))
			return cli_usage(&cmd_serve, "--threads '%s': expected 1 to 256", threads);
		cfg.threads = (unsigned)v;
	}
	if (timeout) {
		if (parse_long(timeout, 1, 3600, &v))
			return cli_usage(&cmd_serve, "--timeout '%s': expected 1 to 3600 seconds",
					 timeout);
		cfg.timeout_s = (unsigned)v;
	}
	if (fl) {
		if (parse_long(fl, 1, 100000, &v))
			return cli_usage(&cmd_serve, "--fail-limit '%s': expected 1 to 100000", fl);
		cfg.fail_limit = (unsigned)v;
	}
	if (fw) {
		if (parse_long(fw, 1, 86400, &v))
			return cli_usage(&cmd_serve,
					 "--fail-window '%s': expected 1 to 86400 seconds", fw);
		cfg.fail_window = (unsigned)v;
	}
	if (!cert != !key)
		return cli_usage(&cmd_serve, "--tls-cert and --tls-key go together");
	return http_serve(&cfg);
}

const struct cli_cmd cmd_serve = {
    .name = "serve",
    .summary = "run the HTTP server (REST API)",
    .usage = "usage: verbinding serve [--listen ADDR:PORT] [--tls-cert F --tls-key F] [--public]\n"
	     "                        [--threads N | --thread-per-connection] [--timeout S]\n"
	     "                        [--fail-limit N] [--fail-window S] [--unmarked-tlp LEVEL]\n"
	     "                        [--quiet] [--store PATH]\n\n"
	     "Serves the REST API under /api/v1 (described at /api/v1/openapi.json).\n"
	     "Callers sign in with an API token (`verbinding token create`) as\n"
	     "`Authorization: Bearer TOKEN`, with HTTP Basic, or with a session from\n"
	     "POST /api/v1/login. Every read is filtered by the caller's organisation,\n"
	     "TLP 2.0 marking and sharing groups (README, \"Sharing\").\n\n"
	     "One JSON line per request goes to stderr (time, remote, method, path\n"
	     "without the query, status, bytes, ms, user, org); credentials never do.\n"
	     "On SIGTERM or SIGINT the server stops accepting, lets requests in flight\n"
	     "finish (up to 30 s) and closes the store.\n\n"
	     "  --listen ADDR:PORT   where to listen (default 127.0.0.1:8080; port 0 picks\n"
	     "                       a free one; the chosen one is printed as\n"
	     "                       \"listening on ADDR:PORT\" on stderr)\n"
	     "  --tls-cert F --tls-key F   serve HTTPS with these PEM files\n"
	     "  --public             anonymous callers may read TLP:CLEAR objects\n"
	     "  --threads N          worker threads (default: two per core)\n"
	     "  --thread-per-connection   one thread per connection instead\n"
	     "  --timeout S          idle connection timeout (default 30)\n"
	     "  --fail-limit N       failed sign-ins per address or user before 429\n"
	     "                       (default 10)\n"
	     "  --fail-window S      the window they are counted in, and how long the\n"
	     "                       block lasts (default 60)\n"
	     "  --unmarked-tlp LEVEL how objects stored without any TLP marking (CLI\n"
	     "                       imports without --tlp) are shared (default green)\n"
	     "  --quiet              no access log\n",
    .exec = serve_exec,
};
