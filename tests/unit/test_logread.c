/* test_logread.c: the log readers (zeek-json, access, dns, csv, jsonl): exact
 * fields and kinds on small inline inputs, bad lines with their numbers,
 * limits, CRLF, gzip, and the sniffers. */
#include "test.h"

#include "../../src/detect/detect.h"
#include "../../src/util/util.h"

#include <stdlib.h>
#include <unistd.h>
#include <zlib.h>

/* Each event as one line: "L<line> [@<time us>] name:kind=value ..." */
struct got {
	char text[16384];
	size_t len;
	int events;
	int stop_after; /* > 0: return 7 from the callback at that event */
};

static int collect(void *arg, const struct log_event *ev)
{
	struct got *g = arg;
	g->events++;
	char *p = g->text + g->len;
	size_t cap = sizeof g->text - g->len;
	int n = snprintf(p, cap, "L%llu", (unsigned long long)ev->line);
	int64_t t = log_event_time(ev);
	if (t && n >= 0 && (size_t)n < cap)
		n += snprintf(p + n, cap - (size_t)n, " @%lld", (long long)t);
	for (size_t i = 0; i < ev->nfields && n >= 0 && (size_t)n < cap; i++) {
		const struct log_field *f = &ev->fields[i];
		n += snprintf(p + n, cap - (size_t)n, " %s:%s=%.*s", f->name,
			      obs_kind_name(f->kind), (int)f->len, f->val);
	}
	if (n >= 0 && (size_t)n < cap)
		n += snprintf(p + n, cap - (size_t)n, "\n");
	if (n > 0 && (size_t)n < cap)
		g->len += (size_t)n;
	return g->stop_after && g->events == g->stop_after ? 7 : 0;
}

static void write_file(const char *path, const char *data, size_t len)
{
	FILE *f = fopen(path, "wb");
	if (f) {
		fwrite(data, 1, len, f);
		fclose(f);
	}
}

/* Runs reader r over the bytes in through a temporary file; returns read's
 * result. */
static int run_n(const struct log_reader *r, const char *in, size_t len, const struct log_opts *o,
		 struct got *g, struct log_stats *st)
{
	char path[64];
	snprintf(path, sizeof path, "/tmp/vb-test-logread-%d.log", (int)getpid());
	write_file(path, in, len);
	struct log_src src;
	struct vb_err err;
	memset(st, 0, sizeof *st);
	int rc = log_open(&src, path, &err);
	if (rc == 0) {
		rc = r->read(&src, o, collect, g, st);
		log_close(&src);
	}
	unlink(path);
	return rc;
}

static int run(const struct log_reader *r, const char *in, const struct log_opts *o, struct got *g,
	       struct log_stats *st)
{
	return run_n(r, in, strlen(in), o, g, st);
}

static int sniff(const struct log_reader *r, const char *head)
{
	return r->sniff(head, strlen(head));
}

/* ---- zeek-json --------------------------------------------------------- */

static const char zeek_dns[] =
    "{\"_path\":\"dns\",\"ts\":1521911720.865716,\"uid\":\"CqKst53\",\"id.orig_h\":"
    "\"10.47.1.100\",\"id.orig_p\":41772,\"id.resp_h\":\"2001:db8::53\",\"id.resp_p\":53,"
    "\"proto\":\"udp\",\"rtt\":8.7e-4,\"query\":\"ise.wrccdc.org\",\"AA\":false,"
    "\"answers\":[\"ise.wrccdc.cpp.edu\",\"134.71.3.16\",\"TXT 10 v=spf1 "
    "-all\"],\"TTLs\":[2230.0,41830.0],"
    "\"rejected\":null}\n";

TEST(logread_zeek_json_dns)
{
	struct got g = {0};
	struct log_stats st;
	CHECK_INT(run(&log_zeek_json_reader, zeek_dns, NULL, &g, &st), 0);
	CHECK_STR(g.text, "L1 @1521911720865716 ts:none=1521911720.865716 id.orig_h:ip=10.47.1.100 "
			  "id.orig_p:port=41772 id.resp_h:ip=2001:db8::53 id.resp_p:port=53 "
			  "query:domain=ise.wrccdc.org answers:domain=ise.wrccdc.cpp.edu "
			  "answers:ip=134.71.3.16\n");
	CHECK_INT(st.lines, 1);
	CHECK_INT(st.bad_lines, 0);
	CHECK_INT(st.bytes, strlen(zeek_dns));
}

TEST(logread_zeek_json_http_ssl_smtp_files)
{
	const char *in =
	    "{\"ts\":\"2018-03-24T17:15:20.865716Z\",\"uid\":\"C1\",\"id.orig_h\":\"10.0.0.1\","
	    "\"host\":\"Evil.Example\",\"uri\":\"/a\\/b?x=\\\"1\\\"\",\"referrer\":"
	    "\"http://r.example/\",\"user_agent\":\"Mozilla\\t5 \\u00e9\\ud83d\\ude00\"}\r\n"
	    "{\"ts\":1.5,\"uid\":\"C2\",\"server_name\":\"sni.example\",\"cert_chain_fps\":"
	    "[\"b2dafbcdbc75210672f137f27ce882ccb799887631655d4f11191d5a678e44fe\"]}\r\n"
	    "{\"ts\":2,\"uid\":\"C3\",\"mailfrom\":\"a@evil.example\",\"rcptto\":[\"b@x.example\","
	    "\"c@y.example\"],\"x_originating_ip\":\"192.0.2.1\"}\n"
	    "{\"ts\":3,\"fuid\":\"F1\",\"tx_hosts\":[\"192.0.2.2\"],\"md5\":"
	    "\"d41d8cd98f00b204e9800998ecf8427e\",\"sha1\":\"x\",\"sha256\":\"\"}\n"
	    "{\"ts\":4,\"uid\":\"C4\",\"host\":\"192.0.2.80\"}";
	struct got g = {0};
	struct log_stats st;
	CHECK_INT(run(&log_zeek_json_reader, in, NULL, &g, &st), 0);
	CHECK_STR(g.text,
		  "L1 @1521911720865716 ts:none=2018-03-24T17:15:20.865716Z id.orig_h:ip=10.0.0.1 "
		  "host:domain=Evil.Example uri:url=/a/b?x=\"1\" referrer:url=http://r.example/ "
		  "user_agent:string=Mozilla\t5 \xc3\xa9\xf0\x9f\x98\x80\n"
		  "L2 @1500000 ts:none=1.5 server_name:domain=sni.example "
		  "cert_chain_fps:hash="
		  "b2dafbcdbc75210672f137f27ce882ccb799887631655d4f11191d5a678e44fe\n"
		  "L3 @2000000 ts:none=2 mailfrom:email=a@evil.example rcptto:email=b@x.example "
		  "rcptto:email=c@y.example x_originating_ip:ip=192.0.2.1\n"
		  "L4 @3000000 ts:none=3 tx_hosts:ip=192.0.2.2 "
		  "md5:md5=d41d8cd98f00b204e9800998ecf8427e sha1:sha1=x\n"
		  "L5 @4000000 ts:none=4 host:ip=192.0.2.80\n");
	CHECK_INT(st.lines, 5);
	CHECK_INT(st.bad_lines, 0);
}

TEST(logread_zeek_json_bad_lines)
{
	const char *in = "{\"ts\":1,\"uid\":\"C1\",\"query\":\"ok.example\"}\n"
			 "{\"ts\":1,\"uid\":\"C1\",\"query\":\"trunc\n"
			 "not json at all\n"
			 "\n"
			 "{\"ts\":1,\"query\":\"a.example\"} trailing\n"
			 "{\"ts\":1,\"query\":\"a\\qb\"}\n"
			 "{\"ts\":1,\"query\":tru}\n"
			 "{\"ts\":1,\"query\":[\"a\",]}\n"
			 "\x01\x02\xff\xfe{\n"
			 "{\"ts\":1,\"query\":\"last.example\"}";
	struct got g = {0};
	struct log_stats st;
	CHECK_INT(run(&log_zeek_json_reader, in, NULL, &g, &st), 0);
	CHECK_STR(g.text, "L1 @1000000 ts:none=1 query:domain=ok.example\n"
			  "L10 @1000000 ts:none=1 query:domain=last.example\n");
	CHECK_INT(st.lines, 10);
	CHECK_INT(st.bad_lines, 7);
	CHECK_INT(st.n_bad_kept, 5);
	CHECK_INT(st.bad_line_no[0], 2);
	CHECK_STR(st.bad_reason[0], "invalid JSON at column 29: unterminated string");
	CHECK_INT(st.bad_line_no[1], 3);
	CHECK_STR(st.bad_reason[1], "not a JSON object");
	CHECK_INT(st.bad_line_no[2], 5);
	CHECK_STR(st.bad_reason[2], "invalid JSON at column 30: bytes after the JSON object");
	CHECK_INT(st.bad_line_no[3], 6);
	CHECK_INT(st.bad_line_no[4], 7);
}

TEST(logread_zeek_json_nesting_limit)
{
	char in[400];
	size_t n = 0;
	n += (size_t)snprintf(in + n, sizeof in - n, "{\"ts\":1,\"a\":");
	for (int i = 0; i < 40; i++)
		in[n++] = '[';
	for (int i = 0; i < 40; i++)
		in[n++] = ']';
	n += (size_t)snprintf(in + n, sizeof in - n, "}\n{\"ts\":1,\"b\":[[[[1]]]]}\n");
	struct got g = {0};
	struct log_stats st;
	CHECK_INT(run(&log_zeek_json_reader, in, NULL, &g, &st), 0);
	CHECK_STR(g.text, "L2 @1000000 ts:none=1\n");
	CHECK_INT(st.bad_lines, 1);
	CHECK_STR(st.bad_reason[0], "invalid JSON at column 44: nested too deeply");
}

/* A line just over LOG_MAX_LINE is bad; one of exactly LOG_MAX_LINE bytes
 * is read; the lines around them keep their numbers. */
TEST(logread_overlong_lines)
{
	size_t big = LOG_MAX_LINE + 1, ok = LOG_MAX_LINE;
	const char *a = "{\"ts\":1,\"query\":\"before.example\"}\n";
	const char *b = "{\"ts\":1,\"query\":\"after.example\"}\n";
	size_t len = strlen(a) + big + 1 + ok + 1 + strlen(b);
	char *in = xmalloc(len);
	char *p = in;
	memcpy(p, a, strlen(a));
	p += strlen(a);
	memset(p, 'x', big);
	p[0] = '{';
	p += big;
	*p++ = '\n';
	/* {"ts":1,"query":"padding..."} exactly LOG_MAX_LINE bytes long */
	const char *head = "{\"ts\":1,\"s\":\"";
	memcpy(p, head, strlen(head));
	memset(p + strlen(head), 'y', ok - strlen(head) - 2);
	memcpy(p + ok - 2, "\"}", 2);
	p += ok;
	*p++ = '\n';
	memcpy(p, b, strlen(b));
	struct got g = {0};
	struct log_stats st;
	CHECK_INT(run_n(&log_zeek_json_reader, in, len, NULL, &g, &st), 0);
	CHECK_STR(g.text, "L1 @1000000 ts:none=1 query:domain=before.example\n"
			  "L3 @1000000 ts:none=1\n"
			  "L4 @1000000 ts:none=1 query:domain=after.example\n");
	CHECK_INT(st.lines, 4);
	CHECK_INT(st.bad_lines, 1);
	CHECK_INT(st.bad_line_no[0], 2);
	CHECK_STR(st.bad_reason[0], "line longer than the limit");
	free(in);
}

/* An overlong last line without a newline, longer than the read buffer. */
TEST(logread_overlong_unterminated)
{
	size_t len = 5u << 20;
	char *in = xmalloc(len);
	memset(in, 'z', len);
	memcpy(in, "query[A] a.example from 10.0.0.1\n", 33);
	struct got g = {0};
	struct log_stats st;
	CHECK_INT(run_n(&log_dns_reader, in, len, NULL, &g, &st), 0);
	CHECK_STR(g.text, "L1 query:domain=a.example client:ip=10.0.0.1\n");
	CHECK_INT(st.lines, 2);
	CHECK_INT(st.bad_lines, 1);
	CHECK_INT(st.bad_line_no[0], 2);
	free(in);
}

TEST(logread_callback_stops)
{
	struct got g = {.stop_after = 1};
	struct log_stats st;
	const char *in = "query[A] a.example from 10.0.0.1\nquery[A] b.example from 10.0.0.1\n";
	CHECK_INT(run(&log_dns_reader, in, NULL, &g, &st), 7);
	CHECK_INT(g.events, 1);
}

static int write_gz(const char *path, const char *data, size_t len)
{
	gzFile z = gzopen(path, "wb");
	if (!z)
		return -1;
	gzwrite(z, data, (unsigned)len);
	return gzclose(z) == Z_OK ? 0 : -1;
}

TEST(logread_gzip_and_broken_gzip)
{
	char path[64];
	snprintf(path, sizeof path, "/tmp/vb-test-logread-%d.gz", (int)getpid());
	char in[20000];
	size_t n = 0;
	for (int i = 0; i < 300; i++)
		n += (size_t)snprintf(in + n, sizeof in - n,
				      "{\"ts\":%d,\"uid\":\"C\",\"query\":\"q%d.example\"}\n",
				      i + 1, i);
	CHECK_INT(write_gz(path, in, n), 0);
	struct log_src src;
	struct vb_err err;
	struct log_stats st = {0};
	struct got g = {0};
	CHECK_INT(log_open(&src, path, &err), 0);
	CHECK(log_zeek_json_reader.sniff(src.head, src.head_len) > 0);
	CHECK_INT(log_zeek_json_reader.read(&src, NULL, collect, &g, &st), 0);
	log_close(&src);
	CHECK_INT(g.events, 300);
	CHECK_INT(st.lines, 300);
	CHECK_INT(st.bytes, n);
	CHECK_INT(st.bad_lines, 0);

	/* Cut the file short: the lines before the cut are read, the break is
	 * counted as a bad line, and the read still ends normally. */
	FILE *f = fopen(path, "rb");
	char gz[20000];
	size_t gn = f ? fread(gz, 1, sizeof gz, f) : 0;
	if (f)
		fclose(f);
	write_file(path, gz, gn / 2);
	memset(&st, 0, sizeof st);
	memset(&g, 0, sizeof g);
	CHECK_INT(log_open(&src, path, &err), 0);
	CHECK_INT(log_zeek_json_reader.read(&src, NULL, collect, &g, &st), 0);
	log_close(&src);
	CHECK(g.events > 0 && g.events < 300);
	CHECK_INT(st.bad_lines, 1);
	CHECK_STR(st.bad_reason[0], "read error: broken or truncated compressed input");
	CHECK_INT(st.bad_line_no[0], st.lines + 1);

	/* Garbage after a gzip magic: nothing readable at all. */
	write_file(path, "\x1f\x8b garbage garbage garbage", 26);
	memset(&st, 0, sizeof st);
	memset(&g, 0, sizeof g);
	CHECK_INT(log_open(&src, path, &err), 0);
	CHECK_INT(log_access_reader.read(&src, NULL, collect, &g, &st), VB_EIO);
	log_close(&src);
	CHECK_INT(g.events, 0);
	CHECK_INT(st.bad_lines, 1);
	unlink(path);
}

/* ---- jsonl ----------------------------------------------------------- */

TEST(logread_jsonl_mapped_paths)
{
	const char *in =
	    "{\"@timestamp\":\"2024-01-31T10:00:00Z\",\"source\":{\"ip\":\"10.1.1.1\",\"port\":5},"
	    "\"dns\":{\"question\":{\"name\":\"Q.example\"},\"answers\":[{\"data\":\"192.0.2.1\"},"
	    "{\"data\":\"cname.example\"}]},\"flat.key\":\"f.example\",\"n\":{\"flat\":{\"key\":"
	    "\"g.example\"}},\"num\":12}\n"
	    "{\"source\":{\"ip\":null},\"when\":1706695200}\n"
	    "[1,2]\n";
	struct log_mapping map[] = {
	    {"source.ip", OBS_IP},
	    {"dns.question.name", OBS_DOMAIN},
	    {"dns.answers.data", OBS_DOMAIN},
	    {"flat.key", OBS_DOMAIN},
	    {"n.flat.key", OBS_STRING},
	    {"num", OBS_STRING},
	    {"when", OBS_NONE},
	};
	struct log_opts o = {map, ARRAY_LEN(map)};
	struct got g = {0};
	struct log_stats st;
	CHECK_INT(run(&log_jsonl_reader, in, &o, &g, &st), 0);
	CHECK_STR(g.text, "L1 source.ip:ip=10.1.1.1 dns.question.name:domain=Q.example "
			  "dns.answers.data:ip=192.0.2.1 dns.answers.data:domain=cname.example "
			  "flat.key:domain=f.example n.flat.key:string=g.example num:string=12\n"
			  "L2 @1706695200000000 when:none=1706695200\n");
	CHECK_INT(st.bad_lines, 1);
	CHECK_INT(st.bad_line_no[0], 3);
	CHECK_STR(st.bad_reason[0], "not a JSON object");
}

TEST(logread_jsonl_defaults)
{
	/* Without --field: ECS names, and keys named like CSV headers at any depth. */
	const char *in =
	    "{\"@timestamp\":\"2024-01-31T10:00:00Z\",\"source\":{\"ip\":\"10.1.1.1\"},"
	    "\"url\":{\"full\":\"http://u.example/x\"},\"x\":{\"src_ip\":\"10.2.2.2\","
	    "\"domain\":\"d.example\",\"sha256\":\"abc\"}}\n";
	struct got g = {0};
	struct log_stats st;
	CHECK_INT(run(&log_jsonl_reader, in, NULL, &g, &st), 0);
	CHECK_STR(g.text,
		  "L1 @1706695200000000 source.ip:ip=10.1.1.1 "
		  "url.full:url=http://u.example/x src_ip:ip=10.2.2.2 domain:domain=d.example "
		  "sha256:sha256=abc\n");
}

/* ---- access ----------------------------------------------------------- */

TEST(logread_access_combined)
{
	const char *in =
	    "83.149.9.216 - - [17/May/2015:10:05:03 +0000] \"GET /presentations/a.png?x=1 "
	    "HTTP/1.1\" 200 203023 \"http://semicomplete.com/p/\" \"Mozilla/5.0 (X11; "
	    "\\\"quoted\\\")\"\r\n"
	    "2001:db8::7 - frank [10/Oct/2000:13:55:36 -0700] \"GET /apache_pb.gif HTTP/1.0\" "
	    "200 2326 \"-\" \"-\"\n"
	    "host.example - - [10/Oct/2000:13:55:36 +0130] \"-\" 408 0\n"
	    "10.0.0.1 - - [10/Oct/2000:13:55:36 +0000] \"GET http://proxy.example:8080/p "
	    "HTTP/1.1\" "
	    "200 1\n"
	    "10.0.0.1 - - [10/Oct/2000:13:55:36 +0000] \"CONNECT tunnel.example:443 HTTP/1.1\" 200 "
	    "1\n";
	struct got g = {0};
	struct log_stats st;
	CHECK_INT(run(&log_access_reader, in, NULL, &g, &st), 0);
	CHECK_STR(g.text,
		  "L1 @1431857103000000 client:ip=83.149.9.216 uri:url=/presentations/a.png?x=1 "
		  "referrer:url=http://semicomplete.com/p/ "
		  "user_agent:string=Mozilla/5.0 (X11; \"quoted\")\n"
		  "L2 @971211336000000 client:ip=2001:db8::7 uri:url=/apache_pb.gif\n"
		  "L3 @971180736000000 client:domain=host.example\n"
		  "L4 @971186136000000 client:ip=10.0.0.1 host:domain=proxy.example "
		  "uri:url=http://proxy.example:8080/p\n"
		  "L5 @971186136000000 client:ip=10.0.0.1 host:domain=tunnel.example\n");
	CHECK_INT(st.bad_lines, 0);
}

TEST(logread_access_vhost_combined)
{
	const char *in =
	    "www.example.net:443 192.0.2.10 - - [01/Dec/2026:12:00:00 +0000] "
	    "\"POST /login HTTP/2.0\" 302 0 \"https://www.example.net/\" \"curl/8\"\n"
	    "[2001:db8::1]:80 192.0.2.11 - - [01/Dec/2026:12:00:00 +0000] \"GET / HTTP/1.1\" "
	    "200 5 \"-\" \"-\"\n"
	    "2001:db8::2 192.0.2.12 - - [01/Dec/2026:12:00:00 +0000] \"GET / HTTP/1.1\" "
	    "200 5 \"-\" \"-\"\n";
	struct got g = {0};
	struct log_stats st;
	CHECK_INT(run(&log_access_reader, in, NULL, &g, &st), 0);
	CHECK_STR(g.text,
		  "L1 @1796126400000000 host:domain=www.example.net client:ip=192.0.2.10 "
		  "uri:url=/login referrer:url=https://www.example.net/ "
		  "user_agent:string=curl/8\n"
		  "L2 @1796126400000000 host:ip=2001:db8::1 client:ip=192.0.2.11 uri:url=/\n"
		  "L3 @1796126400000000 host:ip=2001:db8::2 client:ip=192.0.2.12 uri:url=/\n");
	CHECK_INT(st.bad_lines, 0);
}

TEST(logread_access_bad_lines)
{
	const char *in =
	    "10.0.0.1 - - 10/Oct/2000:13:55:36 +0000 \"GET / HTTP/1.0\" 200 1\n"
	    "10.0.0.1 - - [10/Oct/2000:13:55:36] \"GET / HTTP/1.0\" 200 1\n"
	    "10.0.0.1 - - [10/Foo/2000:13:55:36 +0000] \"GET / HTTP/1.0\" 200 1\n"
	    "10.0.0.1 - - [10/Oct/2000:13:55:36 +0000] GET / HTTP/1.0 200 1\n"
	    "10.0.0.1 - - [10/Oct/2000:13:55:36 +0000] \"GET / HTTP/1.0 200 1\n"
	    "10.0.0.1 - - [10/Oct/2000:13:55:36 +0000] \"GET / HTTP/1.0\" 200 1 \"-\" \"trunc\n"
	    "- [10/Oct/2000:13:55:36 +0000] \"GET / HTTP/1.0\" 200 1\n"
	    "\x00\x01garbage\xff\n"
	    "10.0.0.9 - - [10/Oct/2000:13:55:36 +0000] \"GET /ok HTTP/1.0\" 200 1\n";
	struct got g = {0};
	struct log_stats st;
	CHECK_INT(run_n(&log_access_reader, in, strlen(in) + 0, NULL, &g, &st), 0);
	/* strlen stops at the NUL: the input is lines 1 to 7 */
	CHECK_INT(st.lines, 7);
	CHECK_INT(st.bad_lines, 7);
	CHECK_STR(st.bad_reason[0], "no [time] field");
	CHECK_STR(st.bad_reason[1], "bad [time] field");
	CHECK_STR(st.bad_reason[2], "bad [time] field");
	CHECK_STR(st.bad_reason[3], "no quoted request line");
	CHECK_STR(st.bad_reason[4], "no quoted request line");
	CHECK_INT(g.events, 0);

	size_t n = strlen(in) + 1 + strlen(in + strlen(in) + 1);
	memset(&g, 0, sizeof g);
	CHECK_INT(run_n(&log_access_reader, in, n, NULL, &g, &st), 0);
	CHECK_INT(st.lines, 9);
	CHECK_INT(st.bad_lines, 8);
	CHECK_STR(g.text, "L9 @971186136000000 client:ip=10.0.0.9 uri:url=/ok\n");
}

/* ---- dns ---------------------------------------------------------------- */

TEST(logread_dns_bind_and_dnsmasq)
{
	const char *in =
	    "01-Dec-2026 12:00:00.123 client @0x7f1234abcd 192.0.2.1#53001 (example.com): "
	    "query: example.com IN A +E(0)K (192.0.2.53)\n"
	    "01-Dec-2026 12:00:01.5 queries: info: client @0x7f 2001:db8::1#53001 "
	    "(Evil.Example.NET): view internal: query: Evil.Example.NET IN AAAA +E(0) "
	    "(2001:db8::53)\r\n"
	    "client 198.51.100.7#1234: query: old.example IN MX + (198.51.100.53)\n"
	    "Dec  1 12:00:00 ns1 named[1234]: client @0x7f 203.0.113.9#5353 (bad.example): "
	    "query (cache) 'bad.example/A/IN' denied\n"
	    "Dec  1 12:00:00 dnsmasq[812]: query[A] www.example.org from 192.168.1.10\n"
	    "Dec  1 12:00:00 dnsmasq[812]: forwarded www.example.org to 8.8.8.8\n"
	    "Dec  1 12:00:00 dnsmasq[812]: reply www.example.org is 93.184.216.34\n"
	    "Dec  1 12:00:00 dnsmasq[812]: reply alias.example is <CNAME>\n"
	    "Dec  1 12:00:00 dnsmasq[812]: 17 192.168.1.10/40001 query[AAAA] x.example from "
	    "192.168.1.10\n"
	    "Dec  1 12:00:00 dnsmasq[812]: started, version 2.80 cachesize 150\n"
	    "01-Dec-2026 12:00:02.000 general: info: zone example.com/IN: loaded serial 1\n"
	    "this is garbage\n"
	    "client\n"
	    "query[A] bare.example from 10.0.0.1\n";
	struct got g = {0};
	struct log_stats st;
	CHECK_INT(run(&log_dns_reader, in, NULL, &g, &st), 0);
	CHECK_STR(g.text,
		  "L1 @1796126400123000 client:ip=192.0.2.1 query:domain=example.com "
		  "server:ip=192.0.2.53\n"
		  "L2 @1796126401500000 client:ip=2001:db8::1 query:domain=Evil.Example.NET "
		  "server:ip=2001:db8::53\n"
		  "L3 client:ip=198.51.100.7 query:domain=old.example server:ip=198.51.100.53\n"
		  "L4 client:ip=203.0.113.9 query:domain=bad.example\n"
		  "L5 query:domain=www.example.org client:ip=192.168.1.10\n"
		  "L6 query:domain=www.example.org server:ip=8.8.8.8\n"
		  "L7 query:domain=www.example.org answer:ip=93.184.216.34\n"
		  "L8 query:domain=alias.example\n"
		  "L9 query:domain=x.example client:ip=192.168.1.10\n"
		  "L14 query:domain=bare.example client:ip=10.0.0.1\n");
	CHECK_INT(st.lines, 14);
	CHECK_INT(st.bad_lines, 2);
	CHECK_INT(st.bad_line_no[0], 12);
	CHECK_INT(st.bad_line_no[1], 13);
	CHECK_STR(st.bad_reason[0], "not a BIND or dnsmasq query log line");
}

/* ---- csv ----------------------------------------------------------------- */

TEST(logread_csv_header_names)
{
	const char *in =
	    "\xef\xbb\xbfTime,Src_IP,domain,note,url,md5\r\n"
	    "2024-01-31T10:00:00Z,192.0.2.1,Evil.Example,\"a, \"\"quoted\"\"\nsecond line\","
	    "http://x.example/a,\r\n"
	    "1706695200.5, 10.0.0.1 ,192.0.2.9,plain,,D41D8CD98F00B204E9800998ECF8427E\r\n"
	    "short,row\r\n"
	    "\r\n"
	    "a,b,c,d,e,f,g\n"
	    "\"unterminated,x,y,z,w,v\n";
	struct got g = {0};
	struct log_stats st;
	CHECK_INT(run(&log_csv_reader, in, NULL, &g, &st), 0);
	CHECK_STR(g.text, "L2 @1706695200000000 Time:none=2024-01-31T10:00:00Z Src_IP:ip=192.0.2.1 "
			  "domain:domain=Evil.Example url:url=http://x.example/a\n"
			  "L4 @1706695200500000 Time:none=1706695200.5 Src_IP:ip=10.0.0.1 "
			  "domain:ip=192.0.2.9 md5:md5=D41D8CD98F00B204E9800998ECF8427E\n");
	CHECK_INT(st.lines, 8);
	CHECK_INT(st.bad_lines, 3);
	CHECK_INT(st.bad_line_no[0], 5);
	CHECK_STR(st.bad_reason[0], "2 fields, the header has 6");
	CHECK_INT(st.bad_line_no[1], 7);
	CHECK_STR(st.bad_reason[1], "more fields than the header's 6");
	CHECK_INT(st.bad_line_no[2], 8);
}

TEST(logread_csv_field_mapping)
{
	const char *in = "# a comment before the header\n"
			 "when;who;what\n"
			 "1706695200;10.0.0.1;\"x;y\"\n";
	struct log_mapping map[] = {
	    {"WHO", OBS_IP}, {"what", OBS_STRING}, {"when", OBS_NONE}, {"missing", OBS_IP}};
	struct log_opts o = {map, ARRAY_LEN(map)};
	struct got g = {0};
	struct log_stats st;
	CHECK_INT(run(&log_csv_reader, in, &o, &g, &st), 0);
	CHECK_STR(g.text,
		  "L3 @1706695200000000 when:none=1706695200 who:ip=10.0.0.1 what:string=x;y\n");
	CHECK_INT(st.bad_lines, 1);
	CHECK_INT(st.bad_line_no[0], 2);
	CHECK_STR(st.bad_reason[0], "header has no column 'missing'");
}

TEST(logread_csv_nothing_maps)
{
	struct got g = {0};
	struct log_stats st;
	CHECK_INT(run(&log_csv_reader, "alpha,beta\n1,2\n", NULL, &g, &st), VB_EINPUT);
	CHECK_INT(g.events, 0);
	CHECK_INT(st.bad_lines, 1);
	CHECK_STR(st.bad_reason[0], "no column maps to an observable: use --field NAME=TYPE");
}

/* ---- sniffing ------------------------------------------------------------- */

static const struct log_reader *best(const char *head)
{
	const struct log_reader *rs[] = {&log_zeek_json_reader, &log_access_reader, &log_dns_reader,
					 &log_csv_reader, &log_jsonl_reader};
	const struct log_reader *b = NULL;
	int bs = 0;
	for (size_t i = 0; i < ARRAY_LEN(rs); i++) {
		int s = sniff(rs[i], head);
		if (s > bs) {
			bs = s;
			b = rs[i];
		}
	}
	return b;
}

TEST(logread_sniffers)
{
	const char *zeek_tsv = "#separator \\x09\n#set_separator\t,\n#fields\tts\tuid\n";
	CHECK_INT(sniff(&log_zeek_json_reader, zeek_tsv), 0);
	CHECK_INT(sniff(&log_access_reader, zeek_tsv), 0);
	CHECK_INT(sniff(&log_dns_reader, zeek_tsv), 0);
	CHECK_INT(sniff(&log_csv_reader, zeek_tsv), 0);
	CHECK_INT(sniff(&log_jsonl_reader, zeek_tsv), 0);
	CHECK(best(zeek_dns) == &log_zeek_json_reader);
	CHECK(best("{\"a\":{\"b\":1}}\n") == &log_jsonl_reader);
	CHECK(best("83.149.9.216 - - [17/May/2015:10:05:03 +0000] \"GET / HTTP/1.1\" 200 1 \"-\" "
		   "\"Mozilla/5.0 (X11, Linux)\"\n") == &log_access_reader);
	CHECK(best("01-Dec-2026 12:00:00.123 client @0x7f 192.0.2.1#53001 (a.example): query: "
		   "a.example IN A + (192.0.2.53)\n") == &log_dns_reader);
	CHECK(best("Dec  1 12:00:00 dnsmasq[812]: query[A] a.example from 10.0.0.1\n") ==
	      &log_dns_reader);
	CHECK(best("ts,src_ip,query\n1,10.0.0.1,a.example\n") == &log_csv_reader);
	CHECK(best("random words here\nmore words\n") == NULL);
	CHECK(best("") == NULL);
}
