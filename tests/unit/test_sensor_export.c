/* test_sensor_export.c: the Zeek intel and Suricata dataset exports: exact
 * output for each indicator type, what is skipped and why, escaping. */
#include "test.h"

#include "../../src/detect/sensor_export.h"
#include "../../src/ingest/ingest.h"
#include "../../src/util/util.h"

#include <dirent.h>
#include <stdlib.h>
#include <unistd.h>

#define IND(id, extra, pattern)                                                                    \
	"{\"type\":\"indicator\",\"spec_version\":\"2.1\",\"id\":\"indicator--" id "\","           \
	"\"created\":\"2024-01-01T00:00:00.000Z\",\"modified\":\"2024-01-01T00:00:00.000Z\","      \
	"\"pattern_type\":\"stix\",\"valid_from\":\"2024-01-01T00:00:00Z\"" extra ","              \
	"\"pattern\":\"" pattern "\"}"

static const char
    bundle[] =
	"{\"type\":\"bundle\",\"id\":\"bundle--6c4a1d8e-0000-4000-8000-000000000000\","
	"\"objects\":[" IND(
	    "00000000-0000-4000-8000-000000000001", ",\"name\":\"C2\\taddr\\nx\"",
	    "[ipv4-addr:value = '203.0.113.5']") "," IND("00000000-0000-4000-8000-000000000002",
							 ",\"external_references\":[{\"source_"
							 "name\":\"r\",\"url\":\"https://"
							 "ref.example/"
							 "1\"}]",
							 "[ipv4-addr:value = '198.51.100.0/24']") "," IND("00000000-0000-4000-8000-"
													  "000000000003",
													  "", "[ipv6-addr:value = '2001:DB8::1']") "," IND("00000000-0000-4000-8000-000000000004", "", "[domain-name:value = 'Evil.Example']") "," IND("00000000-0000-4000-8000-000000000005", "", "[url:value = 'HTTP://Evil.Example/gate.php?x=1']") "," IND("00000000-0000-4000-8000-000000000006", "", "[email-addr:value = 'bad@evil.example']") "," IND("00000000-0000-4000-8000-000000000007", "", "[file:hashes.MD5 = 'D41D8CD98F00B204E9800998ECF8427E']") "," IND("00000000-0000-4000-8000-000000000008",
																																																																					    "",
																																																																					    "[file:hashes.'SHA-256' = "
																																																																					    "'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855']") "," IND("00000000-0000-4000-8000-000000000009",
																																																																															   "", "[domain-name:value = 'a.example' OR domain-name:value = 'b.example']") "," IND("00000000-0000-4000-8000-00000000000a", "", "[ipv4-addr:value IN ('192.0.2.7', '192.0.2.8')]") "," IND("00000000-0000-4000-8000-00000000000b",
																																																																																																						      "", "[network-traffic:dst_ref.value = '192.0.2.9' AND network-traffic:dst_port = 443]") "," IND("00000000-0000-4000-8000-00000000000c", "", "[domain-name:value LIKE '%.evil.example']") "," IND("00000000-0000-4000-8000-00000000000d", ",\"revoked\":true", "[domain-name:value = 'revoked.example']") "," IND("00000000-0000-4000-8000-00000000000e",
																																																																																																																																												       ",\"valid_until\":\"2024-06-01T00:00:00Z\"", "[domain-name:value = 'expired.example']") "," IND("00000000-0000-4000-8000-00000000000f", "", "[domain-name:value = 'x.example'] FOLLOWEDBY [domain-name:value = 'y.example']") "," IND("00000000-0000-4000-8000-000000000010", "", "[url:value = 'http://root.example/']") "," IND("00000000-0000-4000-8000-000000000011",
																																																																																																																																																																																					 "", "[file:hashes.'SHA-1' = 'da39a3ee5e6b4b0d3255bfef95601890afd80709']") "]}";

struct scratch {
	char path[64], bundle[64];
	struct store *st;
};

static int scratch_make(struct scratch *s)
{
	snprintf(s->path, sizeof s->path, "/tmp/vb-test-sensor-%d.db", (int)getpid());
	snprintf(s->bundle, sizeof s->bundle, "/tmp/vb-test-sensor-%d.json", (int)getpid());
	unlink(s->path);
	FILE *f = fopen(s->bundle, "w");
	if (!f)
		return -1;
	fputs(bundle, f);
	fclose(f);
	struct vb_err e;
	if (store_open(s->path, STORE_CREATE, &s->st, &e))
		return -1;
	struct ingest_opts o = {.confidence = -1};
	struct ingest *ig = ingest_new(s->st, &o);
	int rc = ingest_path(ig, s->bundle);
	ingest_free(ig);
	return rc;
}

static void scratch_drop(struct scratch *s)
{
	char p[80];
	store_close(s->st);
	unlink(s->path);
	unlink(s->bundle);
	snprintf(p, sizeof p, "%s-wal", s->path);
	unlink(p);
	snprintf(p, sizeof p, "%s-shm", s->path);
	unlink(p);
}

/* 2025-01-01: after the expired indicator's valid_until. */
#define AT 1735689600000000LL

TEST(sensor_export_zeek_intel)
{
	struct scratch s;
	CHECK_INT(scratch_make(&s), 0);
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);
	struct store_filter f = {.viewer = STORE_VIEWER_LOCAL};
	struct sensor_export_stats st;
	struct vb_err err;
	CHECK_INT(sensor_export_run(s.st, &f, SENSOR_ZEEK_INTEL, out, NULL, AT, &st, &err), 0);
	fclose(out);
	/* Rows come in store order (by id here); every line has five fields. */
	CHECK_STR(
	    text,
	    "#fields\tindicator\tindicator_type\tmeta.source\tmeta.desc\tmeta.url\n"
	    "203.0.113.5\tIntel::ADDR\tindicator--00000000-0000-4000-8000-000000000001\tC2 "
	    "addr x\t-\n"
	    "198.51.100.0/24\tIntel::SUBNET\tindicator--00000000-0000-4000-8000-000000000002\t-\t"
	    "https://ref.example/1\n"
	    "2001:db8::1\tIntel::ADDR\tindicator--00000000-0000-4000-8000-000000000003\t-\t-\n"
	    "evil.example\tIntel::DOMAIN\tindicator--00000000-0000-4000-8000-000000000004\t-\t-\n"
	    "evil.example/gate.php?x=1\tIntel::URL\tindicator--00000000-0000-4000-8000-"
	    "000000000005\t-\t-\n"
	    "bad@evil.example\tIntel::EMAIL\tindicator--00000000-0000-4000-8000-000000000006\t-\t-"
	    "\n"
	    "d41d8cd98f00b204e9800998ecf8427e\tIntel::FILE_HASH\tindicator--00000000-0000-4000-"
	    "8000-000000000007\t-\t-\n"
	    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\tIntel::FILE_HASH\t"
	    "indicator--00000000-0000-4000-8000-000000000008\t-\t-\n"
	    "a.example\tIntel::DOMAIN\tindicator--00000000-0000-4000-8000-000000000009\t-\t-\n"
	    "b.example\tIntel::DOMAIN\tindicator--00000000-0000-4000-8000-000000000009\t-\t-\n"
	    "192.0.2.7\tIntel::ADDR\tindicator--00000000-0000-4000-8000-00000000000a\t-\t-\n"
	    "192.0.2.8\tIntel::ADDR\tindicator--00000000-0000-4000-8000-00000000000a\t-\t-\n"
	    "root.example/\tIntel::URL\tindicator--00000000-0000-4000-8000-000000000010\t-\t-\n"
	    "da39a3ee5e6b4b0d3255bfef95601890afd80709\tIntel::FILE_HASH\tindicator--00000000-"
	    "0000-4000-8000-000000000011\t-\t-\n");
	CHECK_INT(st.indicators, 17);
	CHECK_INT(st.exported, 12);
	CHECK_INT(st.values, 14);
	CHECK_INT(st.not_valid, 2);
	CHECK_INT(st.not_simple, 2);
	CHECK_INT(st.unsupported, 1); /* the LIKE */
	CHECK_INT(st.bad, 0);
	CHECK_INT(st.per_type[0], 4); /* Intel::ADDR */
	CHECK_INT(st.per_type[1], 1);
	CHECK_INT(st.per_type[2], 3);
	CHECK_INT(st.per_type[3], 2);
	CHECK_INT(st.per_type[4], 1);
	CHECK_INT(st.per_type[5], 3);
	free(text);

	/* Judged at an earlier moment, the expired indicator is exported too. */
	text = NULL;
	out = open_memstream(&text, &len);
	CHECK_INT(sensor_export_run(s.st, &f, SENSOR_ZEEK_INTEL, out, NULL, 1714521600000000LL, &st,
				    &err),
		  0);
	fclose(out);
	CHECK(strstr(text, "expired.example\tIntel::DOMAIN\t") != NULL);
	CHECK(strstr(text, "revoked.example") == NULL);
	CHECK_INT(st.not_valid, 1);
	free(text);
	scratch_drop(&s);
}

static char *slurp(const char *dir, const char *name)
{
	char p[256];
	snprintf(p, sizeof p, "%s/%s", dir, name);
	char *s = NULL, why[128];
	size_t n;
	if (file_read_all(p, 1 << 20, &s, &n, why, sizeof why))
		return NULL;
	return s;
}

TEST(sensor_export_suricata_datasets)
{
	struct scratch s;
	CHECK_INT(scratch_make(&s), 0);
	char dir[64];
	snprintf(dir, sizeof dir, "/tmp/vb-test-suri-%d", (int)getpid());
	struct store_filter f = {.viewer = STORE_VIEWER_LOCAL};
	struct sensor_export_stats st;
	struct vb_err err;
	CHECK_INT(sensor_export_run(s.st, &f, SENSOR_SURICATA_DATASET, NULL, dir, AT, &st, &err),
		  0);
	static const char *const want[][2] = {
	    {"domain.lst", "ZXZpbC5leGFtcGxl\nYS5leGFtcGxl\nYi5leGFtcGxl\n"},
	    {"url.lst", "L2dhdGUucGhwP3g9MQ==\n"},
	    {"url-host.lst", "ZXZpbC5leGFtcGxl\n"},
	    {"ipv4.lst", "203.0.113.5\n192.0.2.7\n192.0.2.8\n"},
	    {"ipv6.lst", "2001:db8::1\n"},
	    {"md5.lst", "d41d8cd98f00b204e9800998ecf8427e\n"},
	    {"sha1.lst", "da39a3ee5e6b4b0d3255bfef95601890afd80709\n"},
	    {"sha256.lst", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n"},
	};
	for (size_t i = 0; i < ARRAY_LEN(want); i++) {
		char *got = slurp(dir, want[i][0]);
		CHECK_STR(got, want[i][1]);
		free(got);
		char p[256];
		snprintf(p, sizeof p, "%s/%s", dir, want[i][0]);
		unlink(p);
	}
	char *readme = slurp(dir, "README");
	CHECK(readme && strstr(readme, "  vb-domain:\n    type: string\n    load: "));
	CHECK(readme && strstr(readme, "dns.query; to_lowercase; dataset:isset,vb-domain;"));
	CHECK(readme && strstr(readme, "  vb-ipv6:\n    type: ip\n"));
	free(readme);
	/* The subnet, the e-mail address and the URL with no path are skipped. */
	CHECK_INT(st.unsupported, 4);
	CHECK_INT(st.values, 11);
	CHECK_INT(st.per_type[0], 3);
	char p[256];
	snprintf(p, sizeof p, "%s/README", dir);
	unlink(p);
	DIR *d = opendir(dir);
	int left = 0;
	struct dirent *de;
	while (d && (de = readdir(d)) != NULL)
		left += de->d_name[0] != '.';
	if (d)
		closedir(d);
	CHECK_INT(left, 0); /* no .tmp files left behind */
	rmdir(dir);

	/* A directory that cannot be created. */
	CHECK_INT(sensor_export_run(s.st, &f, SENSOR_SURICATA_DATASET, NULL, "/proc/nope/x", AT,
				    &st, &err),
		  VB_EIO);
	CHECK_INT(sensor_export_run(s.st, &f, SENSOR_SURICATA_DATASET, NULL, NULL, AT, &st, &err),
		  VB_EUSAGE);
	scratch_drop(&s);
}

TEST(sensor_export_format_names)
{
	CHECK_INT(sensor_format_parse("zeek-intel"), SENSOR_ZEEK_INTEL);
	CHECK_INT(sensor_format_parse("suricata-dataset"), SENSOR_SURICATA_DATASET);
	CHECK_INT(sensor_format_parse("zeek"), -1);
	CHECK_STR(sensor_type_name(SENSOR_ZEEK_INTEL, 5), "Intel::FILE_HASH");
	CHECK(sensor_type_name(SENSOR_ZEEK_INTEL, 6) == NULL);
	CHECK_STR(sensor_type_name(SENSOR_SURICATA_DATASET, 0), "domain.lst");
}
