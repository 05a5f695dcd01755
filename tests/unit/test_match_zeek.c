/* test_match_zeek.c: the Zeek TSV reader (header, field kinds, sets, unset and
 * empty values, escapes, bad lines with their numbers) and log sources (gzip,
 * truncated gzip, plain). */
#include "test.h"

#include "../../src/detect/detect.h"
#include "../../src/detect/log_zeek.h"
#include "../../src/util/buf.h"
#include "../../src/util/util.h"

#include <stdlib.h>
#include <unistd.h>
#include <zlib.h>

#define HDR                                                                                        \
	"#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n#unset_field\t-\n"            \
	"#path\tdns\n"                                                                             \
	"#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tquery\tanswers\n"           \
	"#types\ttime\tstring\taddr\tport\taddr\tport\tstring\tvector[string]\n"

/* Every event as "line|name=kind:value|..." lines. */
static int collect(void *arg, const struct log_event *ev)
{
	struct buf *b = arg;
	buf_printf(b, "%llu", (unsigned long long)ev->line);
	if (ev->ts_text)
		buf_printf(b, "|ts=%.*s", (int)ev->ts_len, ev->ts_text);
	for (size_t i = 0; i < ev->nfields; i++)
		buf_printf(b, "|%s=%s:%.*s", ev->fields[i].name, obs_kind_name(ev->fields[i].kind),
			   (int)ev->fields[i].len, ev->fields[i].val);
	buf_adds(b, "\n");
	return 0;
}

static void scan(const char *text, struct buf *out, struct log_stats *st)
{
	struct zeek_state z;
	zeek_init(&z);
	memset(st, 0, sizeof *st);
	uint64_t line = 0;
	zeek_scan(&z, "t", text, strlen(text), &line, collect, out, st);
	zeek_free(&z);
}

TEST(match_zeek_fields_and_sets)
{
	struct buf out;
	buf_init(&out, 1 << 20);
	struct log_stats st;
	scan(HDR "1521911720.865716\tC1\t10.0.0.1\t4177\t10.0.0.100\t53\tEvil.Example\t"
		 "cname.example,192.0.2.1,2001:db8::1,TXT 12 hello\n"
		 "1521911721.000000\tC2\t10.0.0.2\t4178\t-\t53\t(empty)\t-\n",
	     &out, &st);
	CHECK_INT(st.lines, 9);
	CHECK_INT(st.bad_lines, 0);
	CHECK(out.p &&
	      strstr(out.p, "8|ts=1521911720.865716|id.orig_h=ip:10.0.0.1|id.orig_p=port:4177"
			    "|id.resp_h=ip:10.0.0.100|id.resp_p=port:53|query=domain:Evil."
			    "Example|answers=domain:cname.example|answers=ip:192.0.2.1|"
			    "answers=ip:2001:db8::1\n"));
	/* Unset and empty values are no fields at all. */
	CHECK(out.p && strstr(out.p, "9|ts=1521911721.000000|id.orig_h=ip:10.0.0.2|id.orig_p=port:"
				     "4178|id.resp_p=port:53\n"));
	buf_free(&out);
}

TEST(match_zeek_bad_lines_numbered)
{
	struct buf out;
	buf_init(&out, 1 << 20);
	struct log_stats st;
	char *long_line = xmalloc(LOG_MAX_LINE + 200);
	memset(long_line, 'a', LOG_MAX_LINE + 100);
	long_line[LOG_MAX_LINE + 100] = 0;
	struct buf in;
	buf_init(&in, 1 << 24);
	buf_adds(&in, "1.0\tC\t10.0.0.1\t1\t10.0.0.2\t53\tbefore.example\t-\n");  /* line 1 */
	buf_adds(&in, HDR);							  /* 2-8 */
	buf_adds(&in, "1.0\tC\t10.0.0.1\t1\t10.0.0.2\t53\tok.example\t-\n");	  /* 9 */
	buf_adds(&in, "1.0\tC\t10.0.0.1\t1\n");					  /* 10 */
	buf_adds(&in, "1.0\tC\t10.0.0.1\t1\t10.0.0.2\t53\tbin\001ary\t-\n");	  /* 11 */
	buf_adds(&in, long_line);						  /* 12 */
	buf_adds(&in, "\n1.0\tC\t10.0.0.1\t1\t10.0.0.2\t53\tok2.example\t-\r\n"); /* 13 */
	buf_adds(&in, "1.0\tC\t10.0.0.1\t1\t10.0.0.2\t53\tlast.example\t-");	  /* 14 */
	struct zeek_state z;
	zeek_init(&z);
	memset(&st, 0, sizeof st);
	uint64_t line = 0;
	zeek_scan(&z, "t", in.p, in.len, &line, collect, &out, &st);
	zeek_free(&z);
	CHECK_INT(st.lines, 14);
	CHECK_INT(st.bad_lines, 4);
	CHECK_INT(st.bad_line_no[0], 1);
	CHECK(strstr(st.bad_reason[0], "before a #fields"));
	CHECK_INT(st.bad_line_no[1], 10);
	CHECK(strstr(st.bad_reason[1], "expected 8 fields, found 4"));
	CHECK_INT(st.bad_line_no[2], 11);
	CHECK(strstr(st.bad_reason[2], "control character"));
	CHECK_INT(st.bad_line_no[3], 12);
	CHECK(strstr(st.bad_reason[3], "longer"));
	CHECK(out.p && strstr(out.p, "9|") && strstr(out.p, "query=domain:ok.example"));
	CHECK(out.p && strstr(out.p, "13|") && strstr(out.p, "query=domain:ok2.example\n"));
	CHECK(out.p && strstr(out.p, "14|") && strstr(out.p, "query=domain:last.example\n"));
	free(long_line);
	buf_free(&in);
	buf_free(&out);
}

TEST(match_zeek_escapes_and_header_change)
{
	struct buf out;
	buf_init(&out, 1 << 20);
	struct log_stats st;
	scan(HDR "1.0\tC\t10.0.0.1\t1\t10.0.0.2\t53\ta\\x2eexample\tx\\x2cy.example,z.example\n"
		 "#path\thttp\n"
		 "#fields\tts\thost\turi\tid.resp_h\n"
		 "#types\ttime\tstring\tstring\taddr\n"
		 "2.0\tEvil.Example\t/gate.php?a=1\t192.0.2.7\n",
	     &out, &st);
	CHECK_INT(st.bad_lines, 0);
	CHECK(out.p && strstr(out.p, "query=domain:a.example|answers=domain:x,y.example|answers="
				     "domain:z.example"));
	CHECK(out.p && strstr(out.p, "12|ts=2.0|host=domain:Evil.Example|uri=url:/gate.php?a=1|"
				     "id.resp_h=ip:192.0.2.7\n"));
	buf_free(&out);
}

/* Writes data to a temporary file; returns its malloc'd path. */
static char *temp_file(const void *data, size_t n)
{
	char *path = xstrdup("/tmp/vb-test-zeek-XXXXXX");
	int fd = mkstemp(path);
	if (fd >= 0) {
		if (write(fd, data, n) != (ssize_t)n)
			n = 0;
		close(fd);
	}
	return path;
}

static char *gzip_of(const char *s, size_t *out_n)
{
	uLongf cap = compressBound(strlen(s)) + 64;
	char *out = xmalloc(cap);
	z_stream zs = {0};
	deflateInit2(&zs, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
	zs.next_in = (Bytef *)s;
	zs.avail_in = (uInt)strlen(s);
	zs.next_out = (Bytef *)out;
	zs.avail_out = (uInt)cap;
	deflate(&zs, Z_FINISH);
	*out_n = zs.total_out;
	deflateEnd(&zs);
	return out;
}

static int read_all(const char *path, struct buf *out, struct log_stats *st)
{
	struct log_src src;
	struct vb_err e;
	vb_err_clear(&e);
	if (log_open(&src, path, &e))
		return -1;
	const struct log_reader *r = log_reader_find(NULL, &src);
	int rc = r ? r->read(&src, NULL, collect, out, st) : -2;
	log_close(&src);
	return r == &log_zeek_reader ? rc : -3;
}

TEST(match_zeek_gzip_and_truncated)
{
	const char *text = HDR "1.0\tC\t10.0.0.1\t1\t10.0.0.2\t53\tgz.example\t-\n";
	size_t gn;
	char *gz = gzip_of(text, &gn);
	char *p1 = temp_file(gz, gn);
	struct buf out;
	buf_init(&out, 1 << 20);
	struct log_stats st = {0};
	CHECK_INT(read_all(p1, &out, &st), 0);
	CHECK(out.p && strstr(out.p, "query=domain:gz.example"));
	CHECK_INT(st.bad_lines, 0);
	/* Cut the stream short: what decompressed is read, the break is a bad line. */
	char *p2 = temp_file(gz, gn - 12);
	buf_reset(&out);
	memset(&st, 0, sizeof st);
	CHECK_INT(read_all(p2, &out, &st), 0);
	/* The cut line itself and the broken stream. */
	CHECK_INT(st.bad_lines, 2);
	CHECK(strstr(st.bad_reason[0], "gzip") || strstr(st.bad_reason[1], "gzip"));
	/* Garbage after a gzip magic. */
	char junk[64] = "\x1f\x8b garbage garbage garbage";
	char *p3 = temp_file(junk, sizeof junk);
	struct log_src src;
	struct vb_err e;
	CHECK_INT(log_open(&src, p3, &e), 0);
	char b[256];
	CHECK_INT(log_read(&src, b, sizeof b), -1);
	log_close(&src);
	unlink(p1);
	unlink(p2);
	unlink(p3);
	free(p1);
	free(p2);
	free(p3);
	free(gz);
	buf_free(&out);
	/* Kind names round-trip. */
	for (int k = 0; k < OBS_KIND_MAX; k++)
		CHECK_INT(obs_kind_parse(obs_kind_name((enum obs_kind)k)), k);
	CHECK_INT(log_time_parse("1521911720.865716", 17), 1521911720865716LL);
	CHECK_INT(log_time_parse("2018-03-24T17:15:20Z", 20), 1521911720000000LL);
}

TEST(match_zeek_simd_paths_agree)
{
	/* Lines of every length around the 64-byte blocks and 4 KB windows,
	 * with escapes, control bytes and long lines, through every way of
	 * finding separators: the events must be the same. */
	struct buf in;
	buf_init(&in, 1 << 24);
	buf_adds(&in, HDR);
	unsigned r = 12345;
	for (int i = 0; i < 3000; i++) {
		r = r * 1103515245 + 12345;
		int qlen = 1 + (int)(r >> 16) % (i % 97 == 0 ? 5000 : 90);
		buf_printf(&in, "%d.5\tC%d\t10.0.%d.%d\t%d\t192.0.2.%d\t53\t", i, i, i % 7, i % 250,
			   1000 + i, i % 255);
		for (int k = 0; k < qlen; k++)
			buf_addc(&in,
				 (char)("abc.\\x\x01"[(r >> (k % 24)) % (i % 13 == 0 ? 7 : 4)]));
		buf_adds(&in, i % 5 ? "\ta.example,192.0.2.1\n" : "\t-\n");
	}
	struct buf ref;
	buf_init(&ref, 1 << 26);
	struct log_stats st0;
	zeek_window_impl(1);
	scan(in.p, &ref, &st0);
	CHECK(st0.lines == 3007);
	for (int w = 2; w <= 4; w++) {
		if (zeek_window_impl(w) != 0)
			continue;
		struct buf out;
		buf_init(&out, 1 << 26);
		struct log_stats st;
		scan(in.p, &out, &st);
		CHECK_INT(st.lines, st0.lines);
		CHECK_INT(st.bad_lines, st0.bad_lines);
		CHECK(out.len == ref.len && memcmp(out.p, ref.p, ref.len) == 0);
		buf_free(&out);
	}
	zeek_window_impl(0);
	buf_free(&ref);
	buf_free(&in);
}
