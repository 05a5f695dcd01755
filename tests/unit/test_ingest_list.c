/* test_ingest_list.c: the list and CSV readers (src/ingest/ingest_list.c):
 * line and record parsing on their own, then whole fixtures
 * (tests/fixtures/lists/) imported into a scratch store through the core. */
#include "test.h"
#include "../../src/ingest/ingest.h"
#include "../../src/ingest/ingest_list.h"
#include "../../src/util/err.h"

#include <cjson/cJSON.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

static int parse(const char *s, struct list_line *l)
{
	return list_parse_line(s, strlen(s), l);
}

static int eqn(const char *p, size_t n, const char *s)
{
	return p && strlen(s) == n && memcmp(p, s, n) == 0;
}

TEST(list_line_comments_and_blanks)
{
	struct list_line l;
	CHECK_INT(parse("", &l), 0);
	CHECK_INT(l.type, LIST_BLANK);
	CHECK_INT(parse(" \t \r", &l), 0);
	CHECK_INT(l.type, LIST_BLANK);
	CHECK_INT(parse("# Reference: https://x.test/a  ", &l), 0);
	CHECK_INT(l.type, LIST_COMMENT);
	CHECK(eqn(l.comment, l.comment_len, "Reference: https://x.test/a"));
	CHECK_INT(parse("   #indented", &l), 0);
	CHECK_INT(l.type, LIST_COMMENT);
	CHECK(eqn(l.comment, l.comment_len, "indented"));
	CHECK_INT(parse("#", &l), 0);
	CHECK_INT(l.type, LIST_COMMENT);
	CHECK_INT(l.comment_len, 0);
}

TEST(list_line_values_and_columns)
{
	struct list_line l;
	CHECK_INT(parse("192.0.2.1", &l), 0);
	CHECK_INT(l.type, LIST_VALUE);
	CHECK(eqn(l.value, l.value_len, "192.0.2.1"));
	CHECK_INT(l.score, -1);
	CHECK(l.comment == NULL);

	/* ipsum: value TAB count */
	CHECK_INT(parse("77.90.185.20\t10\r", &l), 0);
	CHECK(eqn(l.value, l.value_len, "77.90.185.20"));
	CHECK_INT(l.score, 10);
	CHECK(l.extra == NULL);

	/* maltrail: trailing comment after whitespace */
	CHECK_INT(parse("5.63.151.0/24 # scanners.labs.rapid7.com", &l), 0);
	CHECK(eqn(l.value, l.value_len, "5.63.151.0/24"));
	CHECK(eqn(l.comment, l.comment_len, "scanners.labs.rapid7.com"));

	/* '#' inside a value is part of it */
	CHECK_INT(parse("http://x.test/a#frag", &l), 0);
	CHECK(eqn(l.value, l.value_len, "http://x.test/a#frag"));
	CHECK(l.comment == NULL);

	/* score and comment */
	CHECK_INT(parse("  192.0.2.1  3   #  three lists ", &l), 0);
	CHECK(eqn(l.value, l.value_len, "192.0.2.1"));
	CHECK_INT(l.score, 3);
	CHECK(eqn(l.comment, l.comment_len, "three lists"));

	/* tab-separated further columns */
	CHECK_INT(parse("evil.test\tc2 server\tseen twice # note", &l), 0);
	CHECK(eqn(l.extra, l.extra_len, "c2 server\tseen twice"));
	CHECK(eqn(l.comment, l.comment_len, "note"));
	CHECK_INT(parse("evil.test\t7\tc2", &l), 0);
	CHECK_INT(l.score, 7);
	CHECK(eqn(l.extra, l.extra_len, "c2"));
}

TEST(list_line_errors)
{
	struct list_line l;
	/* Words after a value with only spaces: a value with a space in it. */
	CHECK_INT(parse("/Consulta FGTS.js", &l), VB_EINPUT);
	CHECK_INT(l.column, 11);
	CHECK(strstr(l.why, "text after the value") != NULL);
	CHECK_INT(parse("192.0.2.1 3 more", &l), VB_EINPUT);
	/* Control characters and invalid UTF-8, with their column. */
	CHECK_INT(list_parse_line("ab\0cd", 5, &l), VB_EINPUT);
	CHECK_STR(l.why, "control character");
	CHECK_INT(l.column, 3);
	CHECK_INT(parse("x\x7f", &l), VB_EINPUT);
	CHECK_INT(parse("bad\xc3\x28.test", &l), VB_EINPUT);
	CHECK_STR(l.why, "invalid UTF-8");
	CHECK_INT(l.column, 4);
	CHECK_INT(parse("\xed\xa0\x80", &l), VB_EINPUT); /* a surrogate */
	CHECK_INT(parse("\xc0\xaf", &l), VB_EINPUT);	 /* an overlong '/' */
	CHECK_INT(parse("caf\xc3\xa9.test", &l), 0);
}

static int split(const char *rec, struct csv_field *f, const char **why)
{
	static char scratch[1024];
	return csv_split(rec, strlen(rec), scratch, sizeof scratch, f, 8, why);
}

TEST(csv_split_quoting)
{
	struct csv_field f[8];
	const char *why = NULL;
	CHECK_INT(split("a,b,c", f, &why), 3);
	CHECK_STR(f[2].p, "c");
	CHECK_INT(split(" a , \"b, c\" ,\"say \"\"hi\"\"\"", f, &why), 3);
	CHECK_STR(f[0].p, "a");
	CHECK_STR(f[1].p, "b, c");
	CHECK_STR(f[2].p, "say \"hi\"");
	CHECK_INT(split("\"line\nbreak\",x\r", f, &why), 2);
	CHECK_STR(f[0].p, "line\nbreak");
	CHECK_STR(f[1].p, "x");
	CHECK_INT(split(",,", f, &why), 3);
	CHECK_INT(f[1].len, 0);
	CHECK_INT(split("5\" floppy,x", f, &why), 2); /* a stray quote is kept */
	CHECK_STR(f[0].p, "5\" floppy");
	CHECK_INT(split("\"open", f, &why), VB_EINPUT);
	CHECK_STR(why, "unterminated quoted field");
	CHECK_INT(split("\"a\"b,c", f, &why), VB_EINPUT);
	CHECK_STR(why, "text after a closing quote");
	CHECK_INT(split("1,2,3,4,5,6,7,8,9", f, &why), VB_EINPUT);
	CHECK_STR(why, "too many fields");
}

TEST(csv_quote_state_records)
{
	CHECK_INT(csv_quote_state("a,b", 3, CSV_START), CSV_UNQUOTED);
	CHECK_INT(csv_quote_state("a,\"b", 4, CSV_START), CSV_QUOTED);
	/* Continued on the next line: still open, then closed. */
	enum csv_state st = csv_quote_state("1,\"x", 4, CSV_START);
	st = csv_quote_state("\n", 1, st);
	CHECK_INT(st, CSV_QUOTED);
	st = csv_quote_state("y\"\",z\",2", 8, st);
	CHECK(st != CSV_QUOTED);
	/* A quote in the middle of an unquoted field opens nothing. */
	CHECK(csv_quote_state("5\" floppy", 9, CSV_START) != CSV_QUOTED);
}

TEST(csv_column_roles)
{
	CHECK_INT(csv_column_role("Value", 5), CSV_VALUE);
	CHECK_INT(csv_column_role(" IOC ", 5), CSV_VALUE);
	CHECK_INT(csv_column_role("ip", 2), CSV_VALUE);
	CHECK_INT(csv_column_role("sha256_hash", 11), CSV_VALUE);
	CHECK_INT(csv_column_role("# url", 5), CSV_VALUE);
	CHECK_INT(csv_column_role("First Seen", 10), CSV_FIRST_SEEN);
	CHECK_INT(csv_column_role("last-seen", 9), CSV_LAST_SEEN);
	CHECK_INT(csv_column_role("TYPE", 4), CSV_TYPE);
	CHECK_INT(csv_column_role("category", 8), CSV_CATEGORY);
	CHECK_INT(csv_column_role("comment", 7), CSV_COMMENT);
	CHECK_INT(csv_column_role("description", 11), CSV_DESCRIPTION);
	CHECK_INT(csv_column_role("id", 2), CSV_OTHER);
	CHECK_INT(csv_column_role("", 0), CSV_OTHER);
}

/* ---- whole files through the core ---------------------------------------- */

#define FIX "tests/fixtures/lists/"

struct scratch_store {
	char path[64];
	struct store *st;
};

static int store_make(struct scratch_store *s)
{
	s->st = test_store_new(s->path, sizeof s->path);
	return s->st ? 0 : -1;
}

static void store_drop(struct scratch_store *s)
{
	test_store_remove(s->st, s->path);
}

struct collect {
	long n;
	char last[8192];
};

static int collect_row(void *arg, const struct store_row *row)
{
	struct collect *c = arg;
	c->n++;
	snprintf(c->last, sizeof c->last, "%.*s", (int)row->json_len, row->json);
	return 0;
}

static long count(struct store *st, const char *type)
{
	const char *types[] = {type, NULL};
	struct store_filter f = {.viewer = STORE_VIEWER_LOCAL, .types = types};
	struct collect c = {0};
	store_scan(st, &f, collect_row, &c);
	return c.n;
}

/* The latest stored object carrying an observable value of the given kind. */
static int find_value(struct store *st, const char *type, const char *kind, const char *value,
		      struct collect *c)
{
	const char *types[] = {type, NULL};
	struct store_filter f = {
	    .viewer = STORE_VIEWER_LOCAL, .types = types, .value_kind = kind, .value = value};
	memset(c, 0, sizeof *c);
	store_scan(st, &f, collect_row, c);
	return (int)c->n;
}

/* Every object the list readers build is validated as well: one that
 * fails aborts the run (ingest_emit_built). */
static int import(struct store *st, const struct ingest_opts *o, const char *path, long *rejected)
{
	struct ingest_opts checked = *o;
	checked.check_built = 1;
	struct ingest *ig = ingest_new(st, &checked);
	int rc = ingest_path(ig, path);
	if (rejected)
		*rejected = ingest_rejected(ig);
	ingest_free(ig);
	return rc;
}

TEST(list_import_ipsum_style)
{
	struct scratch_store s;
	CHECK_INT(store_make(&s), 0);
	struct ingest_opts o = {.confidence = -1};
	CHECK_INT(import(s.st, &o, FIX "ipsum-sample.txt", NULL), 0);
	CHECK_INT(count(s.st, "indicator"), 12);
	CHECK_INT(count(s.st, "ipv4-addr"), 12);
	struct collect c;
	CHECK_INT(find_value(s.st, "indicator", "ipv4-addr", "192.0.2.10", &c), 1);
	CHECK(strstr(c.last, "\"pattern\":\"[ipv4-addr:value = '192.0.2.10']\"") != NULL);
	CHECK(strstr(c.last, "\"x_verbinding_list_score\":9") != NULL);
	CHECK(strstr(c.last, "\"labels\":[\"ipsum-sample\"]") != NULL);
	CHECK(strstr(c.last, "Sample in the style of the IPsum feed") != NULL);
	CHECK(strstr(c.last, "a comment in the middle") == NULL);
	/* Importing the same file again changes nothing. */
	CHECK_INT(import(s.st, &o, FIX "ipsum-sample.txt", NULL), 0);
	CHECK_INT(count(s.st, "indicator"), 12);
	struct store_filter all = {.viewer = STORE_VIEWER_LOCAL, .all_versions = 1};
	struct collect v = {0};
	store_scan(s.st, &all, collect_row, &v);
	CHECK_INT(v.n, 24);
	store_drop(&s);
}

TEST(list_import_trail_file)
{
	struct scratch_store s;
	CHECK_INT(store_make(&s), 0);
	const char *labels[] = {"from-test", NULL};
	struct ingest_opts o = {.confidence = 80,
				.labels = labels,
				.source = "Test Source",
				.tlp = "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"};
	CHECK_INT(import(s.st, &o, FIX "example_trojan.txt", NULL), 0);
	/* 11 values, one repeated (C2.EXAMPLE-TROJAN.TEST.). */
	CHECK_INT(count(s.st, "indicator"), 10);
	CHECK_INT(count(s.st, "domain-name"), 1);
	CHECK_INT(count(s.st, "ipv4-addr"),
		  2); /* 192.0.2.50 (twice, with ports), 198.51.100.0/24 */
	CHECK_INT(count(s.st, "ipv6-addr"), 2);
	CHECK_INT(count(s.st, "url"), 2);
	CHECK_INT(count(s.st, "file"), 1);

	struct collect c;
	CHECK_INT(find_value(s.st, "indicator", "domain-name", "c2.example-trojan.test", &c), 1);
	CHECK(strstr(c.last, "\"labels\":[\"from-test\",\"example_trojan\"]") != NULL);
	CHECK(strstr(c.last, "\"description\":\"Aliases: ExampleTrojan, ExTro\"") != NULL);
	CHECK(strstr(c.last, "Copyright") == NULL);
	CHECK(strstr(c.last, "\"url\":\"https://example.org/report/extro-1\"") != NULL);
	CHECK(strstr(c.last, "\"source_name\":\"example.org\"") != NULL);
	CHECK(strstr(c.last, "\"confidence\":80") != NULL);
	CHECK(strstr(c.last, "\"created_by_ref\":\"identity--") != NULL);
	CHECK(strstr(c.last, "bab4a63c-aed9-4cf5-a766-dfca5abac2bb") != NULL);

	/* The second block's two references, on the values after them only. */
	CHECK_INT(
	    find_value(s.st, "indicator", "url", "http://update.example-trojan.test/check.php", &c),
	    1);
	CHECK(strstr(c.last, "extro-2") != NULL && strstr(c.last, "extro-3") != NULL);
	CHECK(strstr(c.last, "extro-1") == NULL);

	/* A trailing comment joins the description; the CIDR keeps its prefix. */
	CHECK_INT(find_value(s.st, "indicator", "ipv4-addr", "198.51.100.0/24", &c), 1);
	CHECK(strstr(c.last, "the whole hosting range") != NULL);

	/* address:port becomes a network-traffic pattern; the observable is the address. */
	CHECK_INT(find_value(s.st, "ipv4-addr", "ipv4-addr", "192.0.2.50", &c), 1);
	CHECK(strstr(c.last, "object_marking_refs") == NULL);
	CHECK_INT(find_value(s.st, "ipv6-addr", "ipv6-addr", "2001:db8::5", &c), 1);
	CHECK_INT(find_value(s.st, "ipv6-addr", "ipv6-addr", "2001:db8::6", &c), 1);
	CHECK_INT(find_value(s.st, "file", "file:MD5", "d41d8cd98f00b204e9800998ecf8427e", &c), 1);
	store_drop(&s);
}

TEST(list_import_csv)
{
	struct scratch_store s;
	CHECK_INT(store_make(&s), 0);
	struct ingest_opts o = {.confidence = -1};
	CHECK_INT(import(s.st, &o, FIX "feed.csv", NULL), 0);
	CHECK_INT(count(s.st, "indicator"), 5);
	CHECK_INT(count(s.st, "ipv4-addr"), 1);
	CHECK_INT(count(s.st, "url"), 1);
	CHECK_INT(count(s.st, "domain-name"), 1);
	CHECK_INT(count(s.st, "file"), 1);
	CHECK_INT(count(s.st, "email-addr"), 1);
	struct collect c;
	CHECK_INT(find_value(s.st, "indicator", "ipv4-addr", "192.0.2.60", &c), 1);
	CHECK(strstr(c.last, "\"valid_from\":\"2024-01-02T00:00:00.000Z\"") != NULL);
	CHECK(strstr(c.last, "\"labels\":[\"feed\",\"botnet\",\"c2\"]") != NULL);
	/* The comment before the header, then the row's comment column. */
	CHECK(strstr(c.last, "\"description\":\"An export in the style of a CSV feed (written for "
			     "the verbinding tests)\\n\\nplain row\"") != NULL);
	CHECK_INT(find_value(s.st, "url", "url", "http://bad.example.test/a,b.php", &c), 1);
	CHECK_INT(find_value(s.st, "indicator", "domain-name", "evil.example.test", &c), 1);
	CHECK(strstr(c.last, "says \\\"hello\\\"\\nand continues on a second line") != NULL);
	CHECK(strstr(c.last, "\"valid_from\":\"2024-01-04T05:06:07.000Z\"") != NULL);
	store_drop(&s);
}

TEST(list_import_bad_files)
{
	struct scratch_store s;
	CHECK_INT(store_make(&s), 0);
	struct ingest_opts o = {.confidence = -1, .format = "list"};
	long rej = 0;
	/* Without --skip-invalid a bad line fails the file and nothing stays. */
	CHECK_INT(import(s.st, &o, FIX "bad-binary.txt", NULL), VB_EINPUT);
	CHECK_INT(import(s.st, &o, FIX "bad-longline.txt.gz", NULL), VB_EINPUT);
	CHECK_INT(import(s.st, &o, FIX "bad-utf8.txt", NULL), VB_EINPUT);
	CHECK_INT(count(s.st, "indicator"), 0);
	CHECK_INT(count(s.st, "ipv4-addr"), 0);
	/* With it, the good lines are stored and the bad ones counted. */
	o.skip_invalid = 1;
	CHECK_INT(import(s.st, &o, FIX "bad-binary.txt", &rej), 0);
	CHECK_INT(rej, 1);
	CHECK_INT(count(s.st, "indicator"), 3);
	CHECK_INT(import(s.st, &o, FIX "bad-longline.txt.gz", &rej), 0);
	CHECK_INT(rej, 2); /* the long line and "not_a_value" */
	CHECK_INT(count(s.st, "indicator"), 5);
	CHECK_INT(import(s.st, &o, FIX "bad-utf8.txt", &rej), 0);
	CHECK_INT(rej, 1);
	CHECK_INT(count(s.st, "indicator"), 6);
	store_drop(&s);
}

/* An indicator as a reader could build it, without its pattern. */
static cJSON *built_without_pattern(void)
{
	return cJSON_Parse("{\"type\":\"indicator\",\"spec_version\":\"2.1\","
			   "\"id\":\"indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f\","
			   "\"created\":\"2024-01-01T00:00:00.000Z\","
			   "\"modified\":\"2024-01-01T00:00:00.000Z\","
			   "\"valid_from\":\"2024-01-01T00:00:00Z\",\"pattern_type\":\"stix\"}");
}

/* Built objects skip validation; with check_built an invalid one aborts the
 * run (a bug in the reader), in a child here. */
TEST(list_built_objects_checked_on_request)
{
	struct scratch_store s;
	CHECK_INT(store_make(&s), 0);
	pid_t pid = fork();
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);
		dup2(null, 2);
		struct ingest_opts o = {.confidence = -1, .check_built = 1};
		struct ingest *ig = ingest_new(s.st, &o);
		cJSON *obj = built_without_pattern();
		struct ingest_pos pos = {0};
		ingest_emit_built(ig, obj, &pos);
		_exit(0); /* not reached when the object was checked */
	}
	int status = 0;
	CHECK(pid > 0 && waitpid(pid, &status, 0) == pid);
	CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT);
	struct ingest_opts o = {.confidence = -1};
	struct ingest *ig = ingest_new(s.st, &o);
	cJSON *obj = built_without_pattern();
	struct ingest_pos pos = {0};
	CHECK_INT(ingest_emit_built(ig, obj, &pos), 0);
	cJSON_Delete(obj);
	ingest_free(ig);
	CHECK_INT(count(s.st, "indicator"), 1);
	store_drop(&s);
}

TEST(list_readers_sniff)
{
	const char *ipsum = "# IPsum\n#\n1.2.3.4\t3\n5.6.7.8\t2\n";
	const char *csv = "value,type\n1.2.3.4,ip\n";
	const char *json = "{\"type\":\"bundle\"}";
	int l1 = ingest_list_reader.sniff("x.txt", ipsum, strlen(ipsum));
	int c1 = ingest_csv_reader.sniff("x.txt", ipsum, strlen(ipsum));
	CHECK(l1 >= 50 && l1 > c1);
	int l2 = ingest_list_reader.sniff("feed", csv, strlen(csv));
	int c2 = ingest_csv_reader.sniff("feed", csv, strlen(csv));
	CHECK(c2 > l2);
	CHECK_INT(ingest_list_reader.sniff("x.json", json, strlen(json)), 0);
	CHECK_INT(ingest_csv_reader.sniff("x.json", json, strlen(json)), 0);
	CHECK_INT(ingest_list_reader.sniff("x.bin", "\x00\x01\x02\n\x03", 5), 0);
}
