/* cmd_match.c: `verbinding match`: the store's indicators against logs; hits
 * as JSON lines on stdout, sightings into the store, a summary on stderr. */
#include "cli.h"
#include "opts.h"
#include "../detect/match_run.h"
#include "../detect/matcher.h"
#include "../detect/sighting.h"
#include "../detect/warninglist.h"
#include "../util/util.h"

#include <errno.h>
#include <time.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SHOW_UNMATCHABLE 10 /* groups of unmatchable comparisons shown */
#define SHOW_IDS	 3  /* indicator ids shown per group */

/* CPU time of the process (all threads), in seconds. */
static double cpu_seconds(void)
{
	struct timespec ts;
	if (clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts) != 0)
		return 0;
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Peak and current resident memory from /proc, in kB (0 when unknown). */
static void rss_kb(long *cur, long *peak)
{
	*cur = *peak = 0;
	FILE *f = fopen("/proc/self/status", "r");
	if (!f)
		return;
	char line[256];
	while (fgets(line, sizeof line, f)) {
		if (strncmp(line, "VmRSS:", 6) == 0)
			*cur = strtol(line + 6, NULL, 10);
		else if (strncmp(line, "VmHWM:", 6) == 0)
			*peak = strtol(line + 6, NULL, 10);
	}
	fclose(f);
}

static int allow_warninglist(void *arg, enum obs_kind k, const char *v, size_t n)
{
	return warninglist_hit(arg, k, v, n) != 0;
}

/* Unmatchable comparisons grouped by (path, reason). */
struct um_group {
	char *path, *reason;
	uint64_t n;
	uint32_t ids[SHOW_IDS];
	size_t nids;
};

struct um_ctx {
	const struct matcher *m;
	struct um_group *g;
	size_t ng, cap;
	FILE *list;
};

static void um_add(void *arg, uint32_t ind, const char *path, const char *reason)
{
	struct um_ctx *u = arg;
	if (u->list) {
		char id[96];
		matcher_indicator_id(u->m, ind, id);
		fprintf(u->list, "%s\t%s\t%s\n", id, path, reason);
	}
	size_t i;
	for (i = 0; i < u->ng; i++)
		if (strcmp(u->g[i].path, path) == 0 && strcmp(u->g[i].reason, reason) == 0)
			break;
	if (i == u->ng) {
		if (u->ng == u->cap) {
			u->cap = u->cap ? u->cap * 2 : 16;
			u->g = xrealloc(u->g, u->cap * sizeof *u->g);
		}
		u->g[u->ng++] = (struct um_group){xstrdup(path), xstrdup(reason), 0, {0}, 0};
	}
	struct um_group *g = &u->g[i];
	g->n++;
	if (g->nids < SHOW_IDS)
		g->ids[g->nids++] = ind;
}

static int um_by_count(const void *a, const void *b)
{
	const struct um_group *x = a, *y = b;
	return x->n < y->n ? 1 : x->n > y->n ? -1 : strcmp(x->path, y->path);
}

struct type_count {
	const char *type;
	uint64_t indicators, hits;
};

static void print_build(const struct match_build_stats *b)
{
	uint64_t exact = 0;
	for (int k = 0; k < OBS_KIND_MAX; k++)
		exact += b->exact[k];
	fprintf(stderr,
		"matcher: %llu indicators compiled from %llu rows in %.2f s (%llu by the fast "
		"path)\n",
		(unsigned long long)b->compiled, (unsigned long long)b->rows, b->seconds,
		(unsigned long long)b->fast);
	fprintf(stderr, "  exact values: %llu (", (unsigned long long)exact);
	int first = 1;
	for (int k = 0; k < OBS_KIND_MAX; k++)
		if (b->exact[k]) {
			fprintf(stderr, "%s%s %llu", first ? "" : ", ", obs_kind_name(k),
				(unsigned long long)b->exact[k]);
			first = 0;
		}
	fprintf(stderr, "); CIDR blocks: %llu IPv4, %llu IPv6; regular expressions: %llu\n",
		(unsigned long long)b->cidr4, (unsigned long long)b->cidr6,
		(unsigned long long)b->regex);
	fprintf(stderr,
		"  complex patterns: %llu (%llu observations evaluated on every event); "
		"comparisons on paths no log carries: %llu\n",
		(unsigned long long)b->complex, (unsigned long long)b->unanchored,
		(unsigned long long)b->unmatchable);
	fprintf(stderr,
		"  not used: %llu not yet valid, %llu expired, %llu revoked, %llu not STIX "
		"patterns, %llu unreadable\n",
		(unsigned long long)b->not_yet_valid, (unsigned long long)b->expired,
		(unsigned long long)b->revoked, (unsigned long long)b->not_stix,
		(unsigned long long)b->bad);
	long cur, peak;
	rss_kb(&cur, &peak);
	fprintf(stderr, "  memory: %.1f MB of tables (%.0f bytes per exact value), RSS %.1f MB\n",
		(double)b->bytes / 1e6, exact ? (double)b->bytes / (double)exact : 0.0,
		(double)cur / 1e3);
}

static int match_exec(int argc, char **argv)
{
	const char *at = NULL, *format = NULL, *sensor = NULL, *subd = NULL, *dry = NULL,
		   *threads = NULL, *nodef = NULL, *unmatched = NULL, *quiet = NULL;
	const char **fields = NULL, **wls = NULL;
	struct cli_opt opts[] = {
	    {"at", 1, 0, &at, NULL},
	    {"format", 1, 0, &format, NULL},
	    {"field", 1, 1, NULL, &fields},
	    {"sensor", 1, 0, &sensor, NULL},
	    {"subdomains", 0, 0, &subd, NULL},
	    {"dry-run", 0, 0, &dry, NULL},
	    {"threads", 1, 0, &threads, NULL},
	    {"warninglist", 1, 1, NULL, &wls},
	    {"no-default-warninglists", 0, 0, &nodef, NULL},
	    {"unmatchable", 1, 0, &unmatched, NULL},
	    {"quiet", 0, 0, &quiet, NULL},
	};
	int nopts = (int)(sizeof opts / sizeof opts[0]);
	struct cli_common c;
	struct store *st = NULL;
	struct matcher *m = NULL;
	struct warninglist *wl = NULL;
	struct match_runner *run = NULL;
	struct log_mapping *map = NULL;
	struct match_agg *agg = NULL;
	size_t nagg = 0;
	FILE *ulist = NULL;
	struct um_ctx um = {0};
	int rc = cli_parse_common(&cmd_match, argc, argv, &c, opts, nopts);
	if (rc)
		goto out;
	rc = VB_EUSAGE;
	if (c.nargs == 0) {
		cli_usage(&cmd_match, "no log given (a file, or - for stdin)");
		goto out;
	}
	struct match_opts mo = {.subdomains = subd != NULL};
	if (at && time_parse_loose(at, &mo.at)) {
		cli_usage(&cmd_match, "--at '%s': expected a date or RFC 3339 time", at);
		goto out;
	}
	long nthreads = sysconf(_SC_NPROCESSORS_ONLN);
	if (nthreads < 1)
		nthreads = 1;
	if (threads && parse_long(threads, 1, 256, &nthreads)) {
		cli_usage(&cmd_match, "--threads '%s': expected 1 to 256", threads);
		goto out;
	}
	size_t nmap = 0;
	for (size_t i = 0; fields && fields[i]; i++)
		nmap++;
	map = xcalloc(nmap ? nmap : 1, sizeof *map);
	for (size_t i = 0; i < nmap; i++) {
		const char *eq = strrchr(fields[i], '=');
		enum obs_kind k = eq ? obs_kind_parse(eq + 1) : OBS_NONE;
		if (!eq || eq == fields[i] || (k == OBS_NONE && strcmp(eq + 1, "none") != 0)) {
			cli_usage(&cmd_match,
				  "--field '%s': expected PATH=TYPE with TYPE one of ip, domain, "
				  "url, email, md5, sha1, sha256, sha512, hash, string, port, none",
				  fields[i]);
			goto out;
		}
		/* The path is NUL-terminated in place: argv is ours to edit. */
		*(char *)eq = 0;
		map[i] = (struct log_mapping){fields[i], k};
	}
	struct log_opts lo = {map, nmap};
	mo.build_threads = (int)nthreads;
	char host[256] = "";
	if (!sensor) {
		if (gethostname(host, sizeof host - 1) != 0 || !host[0])
			snprintf(host, sizeof host, "localhost");
		sensor = host;
	}
	/* Warninglists. */
	wl = warninglist_new();
	struct vb_err e;
	vb_err_clear(&e);
	int have_default = 0;
	if (!nodef) {
		int w = warninglist_add_defaults(wl);
		if (w == 0)
			have_default = 1;
		else if (w != VB_ENOTFOUND) {
			rc = cli_fail("match", w, "loading the default warninglists failed");
			goto out;
		}
	}
	for (size_t i = 0; wls && wls[i]; i++) {
		int w = warninglist_load(wl, wls[i], &e);
		if (w) {
			rc = cli_fail_err("match", &e);
			goto out;
		}
	}
	rc = store_open(c.store, 0, &st, &e);
	if (rc) {
		cli_fail_err("match", &e);
		goto out;
	}
	rc = matcher_build(st, &mo, &m, &e);
	if (rc) {
		cli_fail_err("match", &e);
		goto out;
	}
	if (!quiet)
		print_build(matcher_stats(m));
	size_t wl_entries = 0, wl_lists = warninglist_count(wl, &wl_entries);
	if (!quiet)
		fprintf(stderr, "warninglists: %zu lists, %zu entries%s\n", wl_lists, wl_entries,
			!nodef && !have_default ? " (no default catalogue found)" : "");
	static char obuf[1 << 16];
	setvbuf(stdout, obuf, _IOFBF, sizeof obuf);
	struct match_run_opts ro = {
	    .format = format,
	    .lopts = &lo,
	    .threads = (int)nthreads,
	    .out = stdout,
	    .allow = wl_lists ? allow_warninglist : NULL,
	    .allow_arg = wl,
	};
	run = match_runner_new(m, &ro);
	int64_t t0 = time_now_us();
	double cpu0 = cpu_seconds();
	rc = 0;
	for (int i = 0; i < c.nargs; i++) {
		vb_err_clear(&e);
		int r = match_runner_file(run, c.args[i], &e);
		if (r) {
			cli_fail_err("match", &e);
			if (!rc)
				rc = r;
			if (r == VB_EUSAGE)
				goto out;
		}
	}
	struct match_counts tot;
	int r = match_runner_finish(run, &agg, &nagg, &tot);
	if (r && !rc)
		rc = r;
	double secs = (double)(time_now_us() - t0) / 1e6, cpu = cpu_seconds() - cpu0;
	if (fflush(stdout) || ferror(stdout)) {
		rc = cli_fail("match", VB_EIO, "writing hits to stdout failed");
		goto out;
	}
	/* Sightings. */
	size_t stored = 0;
	if (!dry && nagg) {
		struct sighting_opts so = {.sensor = sensor,
					   .logs = (const char *const *)c.args,
					   .nlogs = (size_t)c.nargs};
		vb_err_clear(&e);
		int s = sighting_store(st, m, agg, nagg, &so, &stored, &e);
		if (s) {
			cli_fail_err("match", &e);
			if (!rc)
				rc = s;
		}
	}
	if (quiet)
		goto out;
	/* The summary. */
	size_t nf;
	const struct match_file *files = match_runner_files(run, &nf);
	uint64_t lines = 0, bad = 0, bytes = 0;
	for (size_t i = 0; i < nf; i++) {
		lines += files[i].st.lines;
		bad += files[i].st.bad_lines;
		bytes += files[i].st.bytes;
	}
	fprintf(stderr,
		"logs: %zu file(s), %llu lines, %llu bad, %.1f MB in %.3f s (cpu %.3f s): "
		"%.0f MB/s, %.0f lines/s (%ld thread%s)\n",
		nf, (unsigned long long)lines, (unsigned long long)bad, (double)bytes / 1e6, secs,
		cpu, secs > 0 ? (double)bytes / 1e6 / secs : 0.0,
		secs > 0 ? (double)lines / secs : 0.0, nthreads, nthreads == 1 ? "" : "s");
	for (size_t i = 0; i < nf; i++) {
		const struct match_file *f = &files[i];
		fprintf(stderr, "  %s: %s, %llu lines, %llu bad, %.2f s\n", f->name,
			f->reader ? f->reader : "not read", (unsigned long long)f->st.lines,
			(unsigned long long)f->st.bad_lines, f->seconds);
		for (size_t k = 0; k < f->st.n_bad_kept; k++)
			fprintf(stderr, "    bad line %s:%llu: %s\n", f->name,
				(unsigned long long)f->st.bad_line_no[k], f->st.bad_reason[k]);
		if (f->st.bad_lines > f->st.n_bad_kept)
			fprintf(stderr, "    ... and %llu more bad lines\n",
				(unsigned long long)(f->st.bad_lines - f->st.n_bad_kept));
	}
	/* Hits by indicator type. */
	struct type_count tc[16];
	size_t ntc = 0;
	for (size_t i = 0; i < nagg; i++) {
		const char *t = matcher_indicator_type(m, agg[i].ind);
		size_t k;
		for (k = 0; k < ntc && strcmp(tc[k].type, t) != 0; k++)
			;
		if (k == ntc) {
			if (ntc == ARRAY_LEN(tc))
				continue;
			tc[ntc++] = (struct type_count){t, 0, 0};
		}
		tc[k].indicators++;
		tc[k].hits += agg[i].count;
	}
	fprintf(stderr, "hits: %llu sightings of %zu indicators, %llu hit lines",
		(unsigned long long)tot.hits, nagg, (unsigned long long)tot.hit_lines);
	for (size_t k = 0; k < ntc; k++)
		fprintf(stderr, "%s%s %llu (%llu indicators)", k ? ", " : ": ", tc[k].type,
			(unsigned long long)tc[k].hits, (unsigned long long)tc[k].indicators);
	fputc('\n', stderr);
	fprintf(stderr, "suppressed by warninglists: %llu\n", (unsigned long long)tot.suppressed);
	if (tot.obs_dropped)
		fprintf(stderr,
			"observation matches not kept for time-window patterns (limit reached): "
			"%llu\n",
			(unsigned long long)tot.obs_dropped);
	/* What these logs cannot match. */
	uint8_t seen[OBS_KIND_MAX] = {0};
	for (int k = 0; k < OBS_KIND_MAX; k++)
		seen[k] = tot.kinds_seen[k] > 0;
	if (unmatched && !(ulist = fopen(unmatched, "w")))
		fprintf(stderr, "verbinding match: %s: %s\n", unmatched, strerror(errno));
	um.m = m;
	um.list = ulist;
	uint64_t nu = matcher_unmatchable(m, seen, um_add, &um);
	qsort(um.g, um.ng, sizeof *um.g, um_by_count);
	fprintf(stderr, "comparisons that cannot be matched against these logs: %llu\n",
		(unsigned long long)nu);
	for (size_t i = 0; i < um.ng && i < SHOW_UNMATCHABLE; i++) {
		struct um_group *g = &um.g[i];
		fprintf(stderr, "  %llu x %s: %s; e.g.", (unsigned long long)g->n, g->path,
			g->reason);
		for (size_t k = 0; k < g->nids; k++) {
			char id[96];
			matcher_indicator_id(m, g->ids[k], id);
			fprintf(stderr, " %s", id);
		}
		fputc('\n', stderr);
	}
	if (um.ng > SHOW_UNMATCHABLE)
		fprintf(stderr, "  ... %zu more groups\n", um.ng - SHOW_UNMATCHABLE);
	if (nu && !unmatched)
		fprintf(stderr,
			"  (--unmatchable FILE lists every one: indicator, path, reason)\n");
	if (dry)
		fprintf(stderr, "dry run: no sightings stored\n");
	else
		fprintf(stderr, "sightings stored: %zu (sensor identity '%s')\n", stored, sensor);
	long cur, peak;
	rss_kb(&cur, &peak);
	fprintf(stderr, "peak RSS %.1f MB\n", (double)peak / 1e3);
out:
	if (ulist)
		fclose(ulist);
	for (size_t i = 0; i < um.ng; i++) {
		free(um.g[i].path);
		free(um.g[i].reason);
	}
	free(um.g);
	free(agg);
	match_runner_free(run);
	matcher_free(m);
	if (wl)
		warninglist_free(wl);
	store_close(st);
	free(map);
	cli_free_lists(opts, nopts);
	return rc;
}

const struct cli_cmd cmd_match = {
    .name = "match",
    .summary = "match the store's indicators against logs, record sightings",
    .usage =
	"usage: verbinding match [OPTIONS] LOG...\n\n"
	"Compiles every indicator valid now (or --at TIME) into one matcher and scans\n"
	"the logs (plain or gzip, - for stdin). Each hit is a JSON line on stdout:\n"
	"  {\"time\", \"source\": \"file:line\", \"field\", \"value\", \"indicators\": [...],\n"
	"   \"comparison\"}\n"
	"Unless --dry-run, one sighting per indicator seen is stored, seen by the\n"
	"sensor's identity. A summary goes to stderr.\n\n"
	"Formats (detected, or --format): zeek (TSV), zeek-json, access (Apache/nginx\n"
	"combined), dns (BIND query log), csv (with a header), jsonl (--field).\n\n"
	"  --store PATH          the store\n"
	"  --at TIME             judge validity at TIME (date or RFC 3339; default now)\n"
	"  --format NAME         skip format detection\n"
	"  --field PATH=TYPE     map a JSON path or CSV column to ip, domain, url, email,\n"
	"                        md5, sha1, sha256, sha512, hash, string or port\n"
	"                        (repeatable)\n"
	"  --sensor NAME         identity of the sensor (default: the host name)\n"
	"  --subdomains          a domain indicator also matches its subdomains (per\n"
	"                        indicator: x_verbinding_match_subdomains: true)\n"
	"  --dry-run             store no sightings\n"
	"  --threads N           scanning threads for plain Zeek files (default: cores)\n"
	"  --warninglist FILE    a MISP warninglist of values that never fire\n"
	"                        (repeatable)\n"
	"  --no-default-warninglists  do not load the catalogue's warninglists\n"
	"  --unmatchable FILE    write every comparison these logs cannot match\n"
	"  --quiet               no summary\n",
    .exec = match_exec,
};
