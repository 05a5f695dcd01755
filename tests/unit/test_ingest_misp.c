/* test_ingest_misp.c: the MISP event and galaxy mapping (src/ingest/ingest_misp.c,
 * ingest_galaxy.c): patterns, markings, times, whole events through a sink
 * that validates every object, galaxy clusters, malformed input. */
#include "test.h"

#include "../../src/ingest/ingest_misp.h"
#include "../../src/stix/pattern.h"
#include "../../src/stix/stix.h"
#include "../../src/util/util.h"

#include <cjson/cJSON.h>
#include <stdlib.h>

/* ---- a sink that keeps what the mapping produces ---- */

struct collect {
	cJSON *objs;	    /* every emitted object, in order */
	int invalid;	    /* objects stix_validate refused */
	int bad_calls;	    /* malformed elements reported */
	struct vb_err last; /* the last one */
	int skip;	    /* answer "skip" to skippable errors */
};

static int collect_emit(void *arg, cJSON *obj, const char *pointer)
{
	struct collect *c = arg;
	struct vb_err e;
	vb_err_clear(&e);
	if (stix_validate(obj, &e) != 0) {
		char *s = cJSON_PrintUnformatted(obj);
		fprintf(stderr, "  invalid object from %s: %s: %s\n    %.300s\n", pointer,
			e.pointer, e.msg, s);
		cJSON_free(s);
		c->invalid++;
	}
	cJSON_AddItemToArray(c->objs, cJSON_Duplicate(obj, 1));
	return 0;
}

static int collect_bad(void *arg, const struct vb_err *err, int skippable)
{
	struct collect *c = arg;
	c->bad_calls++;
	c->last = *err;
	return skippable && c->skip ? 0 : VB_EINPUT;
}

/* Maps the JSON text doc into c->objs (the caller deletes it); returns the
 * mapping's result code. */
static int run(const char *doc, struct collect *c, struct misp_stats *st, int skip)
{
	memset(c, 0, sizeof *c);
	c->objs = cJSON_CreateArray();
	c->skip = skip;
	cJSON *root = cJSON_Parse(doc);
	if (!root)
		return -100;
	struct misp_sink sink = {collect_emit, collect_bad, c};
	struct misp_map *m = misp_map_new(&sink);
	int rc = misp_map_document(m, root);
	if (st)
		*st = *misp_map_stats(m);
	misp_map_free(m);
	cJSON_Delete(root);
	return rc;
}

static const cJSON *find_id(const cJSON *objs, const char *id)
{
	const cJSON *o;
	cJSON_ArrayForEach(o, objs)
	{
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, "id");
		if (cJSON_IsString(v) && strcmp(v->valuestring, id) == 0)
			return o;
	}
	return NULL;
}

static int count_type(const cJSON *objs, const char *type)
{
	int n = 0;
	const cJSON *o;
	cJSON_ArrayForEach(o, objs)
	{
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, "type");
		n += cJSON_IsString(v) && strcmp(v->valuestring, type) == 0;
	}
	return n;
}

static const char *str_of(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static int array_has(const cJSON *o, const char *k, const char *s)
{
	const cJSON *a = cJSON_GetObjectItemCaseSensitive(o, k), *v;
	cJSON_ArrayForEach(v, a)
	{
		if (cJSON_IsString(v) && strcmp(v->valuestring, s) == 0)
			return 1;
	}
	return 0;
}

static const char *first_marking(const cJSON *o)
{
	const cJSON *a = cJSON_GetObjectItemCaseSensitive(o, "object_marking_refs");
	return cJSON_IsArray(a) && cJSON_IsString(a->child) ? a->child->valuestring : NULL;
}

/* ---- patterns ---- */

static void check_pattern(const char *type, const char *value, const char *want, int *failed_)
{
	const char *pt = NULL;
	char *p = misp_attribute_pattern(type, value, &pt);
	CHECK_STR(p, want);
	if (p && pt && strcmp(pt, "stix") == 0) {
		struct pattern *tree = NULL;
		struct vb_err e;
		vb_err_clear(&e);
		if (pattern_parse(p, strlen(p), &tree, &e) != 0) {
			fprintf(stderr, "  pattern %s does not parse: %s\n", p, e.msg);
			*failed_ = 1;
		}
		pattern_free(tree);
	}
	free(p);
}

TEST(misp_pattern_network)
{
	check_pattern("ip-dst", "198.51.100.7", "[ipv4-addr:value = '198.51.100.7']", failed_);
	check_pattern("ip-src", "2001:DB8::1", "[ipv6-addr:value = '2001:db8::1']", failed_);
	check_pattern("ip-dst", "203.0.113.0/24", "[ipv4-addr:value = '203.0.113.0/24']", failed_);
	check_pattern(
	    "ip-dst|port", "198.51.100.7|8443",
	    "[network-traffic:dst_ref.value = '198.51.100.7' AND network-traffic:dst_port = "
	    "8443]",
	    failed_);
	check_pattern(
	    "ip-src|port", "2001:db8::2|53",
	    "[network-traffic:src_ref.value = '2001:db8::2' AND network-traffic:src_port = "
	    "53]",
	    failed_);
	check_pattern("domain", "Evil.Example.COM", "[domain-name:value = 'evil.example.com']",
		      failed_);
	check_pattern("hostname", "c2.example.net", "[domain-name:value = 'c2.example.net']",
		      failed_);
	check_pattern("domain|ip", "c2.example.org|192.0.2.1",
		      "[domain-name:value = 'c2.example.org' AND "
		      "domain-name:resolves_to_refs[*].value = '192.0.2.1']",
		      failed_);
	check_pattern("url", "http://example.com/a?b=1", "[url:value = 'http://example.com/a?b=1']",
		      failed_);
	check_pattern("AS", "AS64500", "[autonomous-system:number = 64500]", failed_);
	check_pattern("email-src", "a@example.com", "[email-addr:value = 'a@example.com']",
		      failed_);
	check_pattern("email-subject", "Invoice", "[email-message:subject = 'Invoice']", failed_);
	check_pattern(
	    "user-agent", "Mozilla/4.0",
	    "[network-traffic:extensions.'http-request-ext'.request_header.'User-Agent' = "
	    "'Mozilla/4.0']",
	    failed_);
	check_pattern("mac-address", "00:11:22:AA:BB:CC", "[mac-addr:value = '00:11:22:aa:bb:cc']",
		      failed_);
}

TEST(misp_pattern_files_and_hosts)
{
	check_pattern("md5", "D41D8CD98F00B204E9800998ECF8427E",
		      "[file:hashes.'MD5' = 'd41d8cd98f00b204e9800998ecf8427e']", failed_);
	check_pattern("sha1", "da39a3ee5e6b4b0d3255bfef95601890afd80709",
		      "[file:hashes.'SHA-1' = 'da39a3ee5e6b4b0d3255bfef95601890afd80709']",
		      failed_);
	check_pattern("filename|sha256",
		      "a.exe|e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
		      "[file:name = 'a.exe' AND file:hashes.'SHA-256' = "
		      "'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855']",
		      failed_);
	check_pattern("imphash", "f34d5f2d4577ed6d9ceec516c1f5a744",
		      "[file:extensions.'windows-pebinary-ext'.imphash = "
		      "'f34d5f2d4577ed6d9ceec516c1f5a744']",
		      failed_);
	check_pattern("mutex", "Global\\M1", "[mutex:name = 'Global\\\\M1']", failed_);
	check_pattern("regkey|value", "HKLM\\Software\\Run|c:\\x.exe",
		      "[windows-registry-key:key = 'HKLM\\\\Software\\\\Run' AND "
		      "windows-registry-key:values[*].data = 'c:\\\\x.exe']",
		      failed_);
	check_pattern("x509-fingerprint-sha1", "da39a3ee5e6b4b0d3255bfef95601890afd80709",
		      "[x509-certificate:hashes.'SHA-1' = "
		      "'da39a3ee5e6b4b0d3255bfef95601890afd80709']",
		      failed_);
	check_pattern("ja3-fingerprint-md5", "72a589da586844d7f0818ce684948eea",
		      "[x-misp-ja3-fingerprint-md5:value = '72a589da586844d7f0818ce684948eea']",
		      failed_);
	check_pattern("btc", "1BoatSLRHtKNngkdXEeobR76b53LETtpyT",
		      "[x-misp-btc:value = '1BoatSLRHtKNngkdXEeobR76b53LETtpyT']", failed_);
}

TEST(misp_pattern_escaping)
{
	/* ' and \ are the two characters a STIX pattern string escapes. */
	check_pattern("filename", "it's a \\ test.doc", "[file:name = 'it\\'s a \\\\ test.doc']",
		      failed_);
	check_pattern("url", "http://x.example/'\\'", "[url:value = 'http://x.example/\\'\\\\\\'']",
		      failed_);
}

TEST(misp_pattern_rejects)
{
	const char *pt;
	CHECK(misp_attribute_pattern("md5", "not-a-hash", &pt) == NULL);
	CHECK(misp_attribute_pattern("sha256", "abcd", &pt) == NULL);
	CHECK(misp_attribute_pattern("ip-dst", "300.1.2.3", &pt) == NULL);
	CHECK(misp_attribute_pattern("ip-dst", "1.2.3.4/33", &pt) == NULL);
	CHECK(misp_attribute_pattern("ip-dst|port", "1.2.3.4|99999", &pt) == NULL);
	CHECK(misp_attribute_pattern("domain", "two words.com", &pt) == NULL);
	CHECK(misp_attribute_pattern("AS", "ASfoo", &pt) == NULL);
	CHECK(misp_attribute_pattern("text", "anything", &pt) == NULL);
	CHECK(misp_attribute_pattern("pdb", "c:\\x.pdb", &pt) == NULL);
	char *y = misp_attribute_pattern("yara", "rule x { condition: true }", &pt);
	CHECK_STR(y, "rule x { condition: true }");
	CHECK_STR(pt, "yara");
	free(y);
}

/* ---- markings and times ---- */

TEST(misp_distribution_and_tlp_tags)
{
	CHECK_STR(misp_distribution_tlp(0), TLP_AMBER_STRICT);
	CHECK_STR(misp_distribution_tlp(1), TLP_AMBER);
	CHECK_STR(misp_distribution_tlp(2), TLP_GREEN);
	CHECK_STR(misp_distribution_tlp(3), TLP_CLEAR);
	CHECK_STR(misp_distribution_tlp(4), TLP_AMBER);
	CHECK(misp_distribution_tlp(5) == NULL);
	struct {
		const char *tags, *want;
	} cases[] = {
	    {"[{\"name\":\"tlp:white\"}]", TLP_CLEAR},
	    {"[{\"name\":\"TLP:CLEAR\"}]", TLP_CLEAR},
	    {"[{\"name\":\"tlp:green\"},{\"name\":\"TLP:Red\"}]", TLP_RED},
	    {"[{\"name\":\"tlp:amber+strict\"},{\"name\":\"tlp:amber\"}]", TLP_AMBER_STRICT},
	    {"[{\"name\":\"tlp:ex:chr\"},{\"name\":\"ESET\"}]", NULL},
	    {"[]", NULL},
	};
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		cJSON *t = cJSON_Parse(cases[i].tags);
		const char *got = misp_tags_tlp(t);
		if (cases[i].want)
			CHECK_STR(got, cases[i].want);
		else
			CHECK(got == NULL);
		cJSON_Delete(t);
	}
}

TEST(misp_unix_times)
{
	char out[32];
	cJSON *s = cJSON_CreateString("1539269641");
	CHECK_INT(misp_unix_time(s, out), 0);
	CHECK_STR(out, "2018-10-11T14:54:01.000Z");
	cJSON_Delete(s);
	cJSON *n = cJSON_CreateNumber(0);
	CHECK_INT(misp_unix_time(n, out), 0);
	CHECK_STR(out, "1970-01-01T00:00:00.000Z");
	cJSON_Delete(n);
	const char *badv[] = {"", "12a", "-5", "1e9", "99999999999999999999"};
	for (size_t i = 0; i < ARRAY_LEN(badv); i++) {
		cJSON *b = cJSON_CreateString(badv[i]);
		CHECK_INT(misp_unix_time(b, out), VB_EINPUT);
		cJSON_Delete(b);
	}
	char t[32];
	misp_galaxy_time(349, t);
	CHECK_STR(t, "2000-01-01T00:00:00.349Z");
}

/* ---- whole events ---- */

#define ORGC                                                                                       \
	"\"Orgc\":{\"name\":\"Example CERT\",\"uuid\":\"11111111-1111-4111-8111-111111111111\"}"
#define EVUUID "22222222-2222-4222-8222-222222222222"

static const char event_doc[] =
    "{\"Event\":{\"id\":\"7\",\"uuid\":\"" EVUUID "\",\"info\":\"Test event\","
    "\"date\":\"2024-01-02\",\"timestamp\":\"1704300000\",\"publish_timestamp\":\"0\","
    "\"distribution\":\"3\",\"threat_level_id\":\"2\",\"analysis\":\"1\"," ORGC ","
    "\"Tag\":[{\"name\":\"tlp:amber\"},{\"name\":\"ESET\"},"
    "{\"name\":\"misp-galaxy:mitre-attack-pattern=\\\"Phishing - T1566\\\"\"}],"
    "\"Galaxy\":[{\"type\":\"threat-actor\",\"version\":\"7\",\"GalaxyCluster\":[{"
    "\"uuid\":\"33333333-3333-4333-8333-333333333333\",\"type\":\"threat-actor\","
    "\"value\":\"Sofacy\",\"tag_name\":\"misp-galaxy:threat-actor=\\\"Sofacy\\\"\","
    "\"description\":\"An actor\",\"meta\":{\"synonyms\":[\"APT 28\",\"Sofacy\"],"
    "\"country\":[\"RU\"],\"refs\":[\"https://example.org/a\"]}}]}],"
    "\"Attribute\":["
    "{\"uuid\":\"44444444-4444-4444-8444-444444444401\",\"type\":\"ip-dst\",\"value\":"
    "\"198.51.100.7\",\"to_ids\":true,\"timestamp\":\"1704200000\",\"comment\":\"C2\","
    "\"first_seen\":\"2023-12-01T00:00:00.000000+00:00\",\"category\":\"Network activity\"},"
    "{\"uuid\":\"44444444-4444-4444-8444-444444444402\",\"type\":\"domain\",\"value\":"
    "\"example.net\",\"to_ids\":false,\"timestamp\":\"1704200000\"},"
    "{\"uuid\":\"44444444-4444-4444-8444-444444444403\",\"type\":\"pdb\",\"value\":"
    "\"c:\\\\x.pdb\",\"to_ids\":false,\"timestamp\":\"1704200000\"},"
    "{\"uuid\":\"44444444-4444-4444-8444-444444444404\",\"type\":\"sha1\",\"value\":"
    "\"da39a3ee5e6b4b0d3255bfef95601890afd80709\",\"to_ids\":true,\"timestamp\":\"1704200000\","
    "\"Tag\":[{\"name\":\"tlp:red\"},{\"name\":\"dropper\"}]},"
    "{\"uuid\":\"44444444-4444-4444-8444-444444444405\",\"type\":\"vulnerability\",\"value\":"
    "\"cve-2021-44228\",\"timestamp\":\"1704200000\"},"
    "{\"uuid\":\"44444444-4444-4444-8444-444444444406\",\"type\":\"text\",\"value\":"
    "\"free text\",\"timestamp\":\"1704200000\"},"
    "{\"uuid\":\"44444444-4444-4444-8444-444444444407\",\"type\":\"domain\",\"value\":"
    "\"EXAMPLE.net\",\"to_ids\":false,\"timestamp\":\"1704200000\"},"
    "{\"uuid\":\"44444444-4444-4444-8444-444444444408\",\"type\":\"md5\",\"value\":"
    "\"deadbeef\",\"to_ids\":true,\"timestamp\":\"1704200000\",\"deleted\":false}"
    "],"
    "\"Object\":[{\"uuid\":\"55555555-5555-4555-8555-555555555555\",\"name\":\"file\","
    "\"meta-category\":\"file\",\"description\":\"A file\",\"timestamp\":\"1704200000\","
    "\"Attribute\":[{\"uuid\":\"44444444-4444-4444-8444-444444444409\",\"type\":\"filename\","
    "\"value\":\"evil.exe\",\"to_ids\":true,\"object_relation\":\"filename\","
    "\"timestamp\":\"1704200000\"},"
    "{\"uuid\":\"44444444-4444-4444-8444-44444444440a\",\"type\":\"md5\",\"value\":\"x\","
    "\"deleted\":true}]}]}}";

TEST(misp_event_maps_everything)
{
	struct collect c;
	struct misp_stats st;
	CHECK_INT(run(event_doc, &c, &st, 0), 0);
	CHECK_INT(c.invalid, 0);
	CHECK_INT(c.bad_calls, 0);
	const cJSON *objs = c.objs;

	const cJSON *r = find_id(objs, "report--" EVUUID);
	CHECK(r != NULL);
	/* The report comes last, after everything it refers to. */
	CHECK(r == cJSON_GetArrayItem(objs, cJSON_GetArraySize(objs) - 1));
	CHECK_STR(str_of(r, "name"), "Test event");
	CHECK_STR(str_of(r, "created"), "2024-01-02T00:00:00.000Z");
	CHECK_STR(str_of(r, "modified"), "2024-01-03T16:40:00.000Z");
	CHECK_STR(str_of(r, "published"), "2024-01-02T00:00:00.000Z");
	CHECK_STR(str_of(r, "created_by_ref"), "identity--11111111-1111-4111-8111-111111111111");
	CHECK_STR(str_of(r, "x_misp_threat_level_id"), "2");
	CHECK_STR(first_marking(r), TLP_AMBER); /* the tag wins over distribution 3 */
	CHECK(array_has(r, "labels", "ESET"));
	CHECK(!array_has(r, "labels", "tlp:amber"));
	CHECK(array_has(r, "report_types", "threat-report"));

	/* ip-dst with to_ids: indicator and observable, both referred to. */
	const cJSON *ind = find_id(objs, "indicator--44444444-4444-4444-8444-444444444401");
	CHECK(ind != NULL);
	CHECK_STR(str_of(ind, "pattern"), "[ipv4-addr:value = '198.51.100.7']");
	CHECK_STR(str_of(ind, "valid_from"), "2023-12-01T00:00:00.000Z");
	CHECK_STR(str_of(ind, "name"), "C2");
	CHECK(array_has(r, "object_refs", "indicator--44444444-4444-4444-8444-444444444401"));
	CHECK_INT(count_type(objs, "ipv4-addr"), 1);

	/* The same domain twice (case differs) is one observable, emitted once. */
	CHECK_INT(count_type(objs, "domain-name"), 1);
	CHECK(find_id(objs, "indicator--44444444-4444-4444-8444-444444444402") == NULL);

	/* An unknown type is kept as a note and counted. */
	const cJSON *n = find_id(objs, "note--44444444-4444-4444-8444-444444444403");
	CHECK(n != NULL);
	CHECK_STR(str_of(n, "content"), "MISP attribute pdb: c:\\x.pdb");
	CHECK(array_has(n, "object_refs", "report--" EVUUID));
	CHECK_INT(st.unmapped, 1);

	/* An attribute's own tlp tag overrides the event's; other tags are labels. */
	const cJSON *red = find_id(objs, "indicator--44444444-4444-4444-8444-444444444404");
	CHECK(red != NULL);
	CHECK_STR(first_marking(red), TLP_RED);
	CHECK(array_has(red, "labels", "dropper"));

	const cJSON *v = find_id(objs, "vulnerability--44444444-4444-4444-8444-444444444405");
	CHECK(v != NULL);
	const cJSON *er = cJSON_GetObjectItemCaseSensitive(v, "external_references");
	CHECK_STR(str_of(cJSON_GetArrayItem(er, 0), "external_id"), "CVE-2021-44228");
	CHECK_STR(str_of(find_id(objs, "note--44444444-4444-4444-8444-444444444406"), "content"),
		  "free text");

	/* A hash that is not one becomes a note, not an invalid pattern. */
	CHECK(find_id(objs, "indicator--44444444-4444-4444-8444-444444444408") == NULL);
	CHECK(find_id(objs, "note--44444444-4444-4444-8444-444444444408") != NULL);
	CHECK_INT(st.bad_values, 1);

	/* The galaxy cluster, its country, and indicates from every indicator. */
	const cJSON *is = find_id(objs, "intrusion-set--33333333-3333-4333-8333-333333333333");
	CHECK(is != NULL);
	CHECK(array_has(is, "aliases", "APT 28"));
	CHECK(!array_has(is, "aliases", "Sofacy"));
	CHECK_STR(str_of(is, "modified"), "2000-01-01T00:00:00.007Z");
	CHECK(array_has(r, "object_refs", "intrusion-set--33333333-3333-4333-8333-333333333333"));
	CHECK_INT(count_type(objs, "location"), 1);
	int indicates = 0;
	const cJSON *o;
	cJSON_ArrayForEach(o, objs)
	{
		if (strcmp(str_of(o, "type"), "relationship") == 0 &&
		    strcmp(str_of(o, "relationship_type"), "indicates") == 0) {
			CHECK_STR(str_of(o, "target_ref"),
				  "intrusion-set--33333333-3333-4333-8333-333333333333");
			indicates++;
		}
	}
	CHECK_INT(indicates, 3); /* ip-dst, sha1, filename in the object */

	/* A galaxy known by its tag only, with a name-based id. */
	CHECK_INT(count_type(objs, "attack-pattern"), 1);

	/* The MISP object, its attribute's mapping, the deleted one left out. */
	const cJSON *xo = find_id(objs, "x-misp-object--55555555-5555-4555-8555-555555555555");
	CHECK(xo != NULL);
	CHECK_STR(str_of(xo, "meta_category"), "file");
	CHECK(array_has(xo, "x_misp_attribute_refs",
			"indicator--44444444-4444-4444-8444-444444444409"));
	CHECK(array_has(r, "object_refs", "x-misp-object--55555555-5555-4555-8555-555555555555"));
	CHECK_INT(st.deleted, 1);
	CHECK_INT(st.objects, 1);

	/* Each TLP marking definition used appears once; no id twice. */
	CHECK(find_id(objs, TLP_AMBER) != NULL);
	CHECK(find_id(objs, TLP_RED) != NULL);
	struct misp_set ids = {0};
	int dups = 0;
	cJSON_ArrayForEach(o, objs)
	{
		dups += misp_set_add(&ids, str_of(o, "id"));
	}
	misp_set_free(&ids);
	CHECK_INT(dups, 0);
	cJSON_Delete(c.objs);
}

TEST(misp_event_reimport_same_ids)
{
	/* Same input, same objects: ids and timestamps come from the input. */
	struct collect a, b;
	CHECK_INT(run(event_doc, &a, NULL, 0), 0);
	CHECK_INT(run(event_doc, &b, NULL, 0), 0);
	char *sa = cJSON_PrintUnformatted(a.objs), *sb = cJSON_PrintUnformatted(b.objs);
	CHECK(sa && sb && strcmp(sa, sb) == 0);
	cJSON_free(sa);
	cJSON_free(sb);
	cJSON_Delete(a.objs);
	cJSON_Delete(b.objs);
}

TEST(misp_distribution_without_tags)
{
	static const char doc[] =
	    "{\"response\":[{\"Event\":{\"uuid\":\"" EVUUID "\",\"info\":\"x\","
	    "\"timestamp\":\"1704300000\",\"distribution\":\"4\",\"SharingGroup\":{\"name\":"
	    "\"Partners\",\"uuid\":\"66666666-6666-4666-8666-666666666666\"}," ORGC ","
	    "\"Attribute\":[{\"uuid\":\"44444444-4444-4444-8444-444444444401\",\"type\":"
	    "\"url\",\"value\":\"http://a.example/\",\"distribution\":\"0\",\"timestamp\":"
	    "\"1704200000\"},{\"uuid\":\"44444444-4444-4444-8444-444444444402\",\"type\":"
	    "\"url\",\"value\":\"http://b.example/\",\"distribution\":\"3\",\"timestamp\":"
	    "\"1704200000\"}]}}]}";
	struct collect c;
	CHECK_INT(run(doc, &c, NULL, 0), 0);
	CHECK_INT(c.invalid, 0);
	const cJSON *r = find_id(c.objs, "report--" EVUUID);
	CHECK_STR(first_marking(r), TLP_AMBER);
	const cJSON *sg = cJSON_GetObjectItemCaseSensitive(r, "x_misp_sharing_group");
	CHECK_STR(str_of(sg, "name"), "Partners");
	/* created falls back to the timestamp when there is no date */
	CHECK_STR(str_of(r, "created"), str_of(r, "modified"));
	int strict = 0, amber = 0;
	const cJSON *o;
	cJSON_ArrayForEach(o, c.objs)
	{
		if (strcmp(str_of(o, "type"), "url") != 0)
			continue;
		/* distribution 0 narrows to AMBER+STRICT; 3 cannot widen the event's AMBER */
		strict += first_marking(o) && strcmp(first_marking(o), TLP_AMBER_STRICT) == 0;
		amber += first_marking(o) && strcmp(first_marking(o), TLP_AMBER) == 0;
	}
	CHECK_INT(strict, 1);
	CHECK_INT(amber, 1);
	cJSON_Delete(c.objs);
}

TEST(misp_empty_event_refers_to_author)
{
	static const char doc[] = "[{\"Event\":{\"uuid\":\"" EVUUID "\",\"info\":\"empty\","
				  "\"date\":\"2024-01-02\",\"distribution\":\"2\"," ORGC "}}]";
	struct collect c;
	CHECK_INT(run(doc, &c, NULL, 0), 0);
	CHECK_INT(c.invalid, 0);
	const cJSON *r = find_id(c.objs, "report--" EVUUID);
	CHECK(r != NULL);
	CHECK(array_has(r, "object_refs", "identity--11111111-1111-4111-8111-111111111111"));
	CHECK_STR(first_marking(r), TLP_GREEN);
	cJSON_Delete(c.objs);
}

TEST(misp_two_versions_in_one_file)
{
	/* The same event at two timestamps: both report versions go out, the
	 * identity and the unchanged observable once. */
	static const char doc[] =
	    "{\"response\":[{\"Event\":{\"uuid\":\"" EVUUID "\",\"timestamp\":\"1704300000\"," ORGC
	    ",\"Attribute\":[{\"uuid\":\"44444444-4444-4444-8444-444444444401\","
	    "\"type\":\"domain\",\"value\":\"a.example\",\"timestamp\":\"1704200000\"}]}},"
	    "{\"Event\":{\"uuid\":\"" EVUUID "\",\"timestamp\":\"1704400000\"," ORGC ","
	    "\"Attribute\":[{\"uuid\":\"44444444-4444-4444-8444-444444444401\","
	    "\"type\":\"domain\",\"value\":\"a.example\",\"timestamp\":\"1704200000\"}]}}]}";
	struct collect c;
	CHECK_INT(run(doc, &c, NULL, 0), 0);
	CHECK_INT(count_type(c.objs, "report"), 2);
	CHECK_INT(count_type(c.objs, "identity"), 1);
	CHECK_INT(count_type(c.objs, "domain-name"), 1);
	cJSON_Delete(c.objs);
}

TEST(misp_malformed_fields_name_their_pointer)
{
	struct {
		const char *attr, *pointer;
	} cases[] = {
	    {"{\"uuid\":\"44444444-4444-4444-8444-444444444401\",\"type\":\"ip-dst\","
	     "\"value\":17}",
	     "/Event/Attribute/1/value"},
	    {"{\"uuid\":\"not-a-uuid\",\"type\":\"ip-dst\",\"value\":\"1.2.3.4\"}",
	     "/Event/Attribute/1/uuid"},
	    {"{\"uuid\":\"44444444-4444-4444-8444-444444444401\",\"type\":\"ip-dst\","
	     "\"value\":\"1.2.3.4\",\"timestamp\":\"yesterday\"}",
	     "/Event/Attribute/1/timestamp"},
	    {"{\"uuid\":\"44444444-4444-4444-8444-444444444401\",\"type\":\"ip-dst\","
	     "\"value\":\"1.2.3.4\",\"first_seen\":\"2024-13-01\"}",
	     "/Event/Attribute/1/first_seen"},
	    {"{\"uuid\":\"44444444-4444-4444-8444-444444444401\",\"type\":\"ip-dst\","
	     "\"value\":\"1.2.3.4\",\"to_ids\":\"maybe\"}",
	     "/Event/Attribute/1/to_ids"},
	    {"{\"uuid\":\"44444444-4444-4444-8444-444444444401\",\"type\":\"ip-dst\","
	     "\"value\":\"1.2.3.4\",\"distribution\":\"9\"}",
	     "/Event/Attribute/1/distribution"},
	};
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		char doc[2048];
		snprintf(doc, sizeof doc,
			 "{\"Event\":{\"uuid\":\"" EVUUID "\",\"timestamp\":\"1\",\"Attribute\":["
			 "{\"uuid\":\"44444444-4444-4444-8444-444444444400\",\"type\":\"url\","
			 "\"value\":\"http://a.example/\"},%s]}}",
			 cases[i].attr);
		struct collect c;
		CHECK_INT(run(doc, &c, NULL, 0), VB_EINPUT);
		CHECK_INT(c.bad_calls, 1);
		CHECK_STR(c.last.pointer, cases[i].pointer);
		/* Nothing is emitted for the report once the file has failed. */
		CHECK(find_id(c.objs, "report--" EVUUID) == NULL);
		cJSON_Delete(c.objs);
		/* Under --skip-invalid the attribute is left out and the rest kept. */
		CHECK_INT(run(doc, &c, NULL, 1), 0);
		CHECK(find_id(c.objs, "report--" EVUUID) != NULL);
		CHECK_INT(count_type(c.objs, "url"), 1);
		cJSON_Delete(c.objs);
	}
}

TEST(misp_not_an_event)
{
	struct collect c;
	CHECK_INT(run("{\"duvelDetails\":{}}", &c, NULL, 0), VB_EINPUT);
	CHECK(strstr(c.last.msg, "duvelDetails") != NULL);
	cJSON_Delete(c.objs);
	CHECK_INT(run("{\"Event\":{\"uuid\":\"" EVUUID "\"}}", &c, NULL, 0), VB_EINPUT);
	CHECK_STR(c.last.pointer, "/Event/timestamp");
	cJSON_Delete(c.objs);
	CHECK_INT(run("[{\"event\":{}}]", &c, NULL, 0), VB_EINPUT);
	CHECK_STR(c.last.pointer, "/0");
	cJSON_Delete(c.objs);
}

/* ---- galaxies ---- */

TEST(misp_galaxy_types)
{
	CHECK_STR(misp_galaxy_stix_type("threat-actor"), "intrusion-set");
	CHECK_STR(misp_galaxy_stix_type("mitre-intrusion-set"), "intrusion-set");
	CHECK_STR(misp_galaxy_stix_type("mitre-enterprise-attack-attack-pattern"),
		  "attack-pattern");
	CHECK_STR(misp_galaxy_stix_type("ransomware"), "malware");
	CHECK_STR(misp_galaxy_stix_type("mitre-malware"), "malware");
	CHECK_STR(misp_galaxy_stix_type("mitre-tool"), "tool");
	CHECK_STR(misp_galaxy_stix_type("country"), "location");
	CHECK_STR(misp_galaxy_stix_type("sector"), "identity");
	CHECK(misp_galaxy_stix_type("cert-eu-govsector") == NULL);
}

static cJSON *cluster_run(const char *gtype, const char *json, int *rc, struct vb_err *e)
{
	cJSON *c = cJSON_Parse(json);
	cJSON *out = cJSON_CreateArray();
	char id[300];
	vb_err_clear(e);
	*rc = misp_cluster_objects(gtype, c, 349, out, id, e);
	cJSON_Delete(c);
	return out;
}

TEST(misp_galaxy_threat_actor_cluster)
{
	int rc;
	struct vb_err e;
	cJSON *out = cluster_run(
	    "threat-actor",
	    "{\"uuid\":\"77777777-7777-4777-8777-777777777777\",\"value\":\"APT Example\","
	    "\"description\":\"d\",\"meta\":{\"country\":\"cn\",\"synonyms\":[\"EX1\"],"
	    "\"cfr-suspected-state-sponsor\":\"China\",\"attribution-confidence\":\"50\","
	    "\"cfr-suspected-victims\":[\"Norway\"],\"refs\":[\"https://example.org/r\"]}}",
	    &rc, &e);
	CHECK_INT(rc, 0);
	CHECK_INT(cJSON_GetArraySize(out), 3);
	const cJSON *is = cJSON_GetArrayItem(out, 0), *loc = cJSON_GetArrayItem(out, 1),
		    *rel = cJSON_GetArrayItem(out, 2);
	CHECK_STR(str_of(is, "id"), "intrusion-set--77777777-7777-4777-8777-777777777777");
	CHECK_STR(str_of(is, "created"), "2000-01-01T00:00:00.349Z");
	CHECK(array_has(is, "aliases", "EX1"));
	CHECK_STR(str_of(is, "x_misp_cfr_suspected_state_sponsor"), "China");
	CHECK_STR(str_of(is, "x_misp_attribution_confidence"), "50");
	CHECK_STR(str_of(is, "x_misp_country"), "cn");
	CHECK(array_has(is, "x_misp_cfr_suspected_victims", "Norway"));
	CHECK_STR(str_of(loc, "country"), "CN");
	/* The stub location is older than any galaxy version, so the country
	 * galaxy's named location with the same id stays the latest. */
	CHECK_STR(str_of(loc, "modified"), "2000-01-01T00:00:00.000Z");
	CHECK_STR(str_of(rel, "relationship_type"), "originates-from");
	CHECK_STR(str_of(rel, "target_ref"), str_of(loc, "id"));
	char cn[300];
	snprintf(cn, sizeof cn, "%s", str_of(loc, "id") ? str_of(loc, "id") : "");
	const cJSON *o;
	cJSON_ArrayForEach(o, out)
	{
		struct vb_err ve;
		vb_err_clear(&ve);
		if (stix_validate(o, &ve) != 0) {
			fprintf(stderr, "  %s: %s %s\n", str_of(o, "type"), ve.pointer, ve.msg);
			*failed_ = 1;
		}
	}
	cJSON_Delete(out);

	/* The country galaxy's location for CN has the same id. */
	out = cluster_run(
	    "country",
	    "{\"uuid\":\"84668357-5a8c-4bdd-9f0f-6b50b2414e44\",\"value\":\"china\","
	    "\"description\":\"China\",\"meta\":{\"ISO\":\"CN\",\"Capital\":\"Beijing\"}}",
	    &rc, &e);
	CHECK_INT(rc, 0);
	CHECK_STR(str_of(cJSON_GetArrayItem(out, 0), "id"), cn);
	CHECK_STR(str_of(cJSON_GetArrayItem(out, 0), "name"), "China");
	cJSON_Delete(out);
}

TEST(misp_galaxy_other_clusters)
{
	int rc;
	struct vb_err e;
	cJSON *out =
	    cluster_run("ransomware",
			"{\"uuid\":\"88888888-8888-4888-8888-888888888888\",\"value\":\"Locky\","
			"\"meta\":{\"ransomnotes-refs\":[\"https://example.org/note.png\"]}}",
			&rc, &e);
	CHECK_INT(rc, 0);
	const cJSON *mw = cJSON_GetArrayItem(out, 0);
	CHECK(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(mw, "is_family")));
	CHECK(array_has(mw, "malware_types", "ransomware"));
	/* URLs under a name ending in _refs would read as STIX references. */
	CHECK(cJSON_GetObjectItemCaseSensitive(mw, "x_misp_ransomnotes_refs") == NULL);
	CHECK(cJSON_GetObjectItemCaseSensitive(mw, "x_misp_ransomnotes_refs_value") != NULL);
	cJSON_Delete(out);

	out =
	    cluster_run("sector",
			"{\"uuid\":\"99999999-9999-4999-8999-999999999999\",\"value\":\"Financial "
			"Services\"}",
			&rc, &e);
	CHECK_INT(rc, 0);
	const cJSON *id = cJSON_GetArrayItem(out, 0);
	CHECK_STR(str_of(id, "identity_class"), "class");
	CHECK(array_has(id, "sectors", "financial-services"));
	cJSON_Delete(out);

	out = cluster_run("country",
			  "{\"uuid\":\"99999999-9999-4999-8999-999999999999\","
			  "\"value\":\"nowhere\",\"meta\":{}}",
			  &rc, &e);
	CHECK_INT(rc, VB_EINPUT);
	CHECK_STR(e.pointer, "/meta/ISO");
	cJSON_Delete(out);

	out = cluster_run("threat-actor", "{\"uuid\":\"nope\",\"value\":\"x\"}", &rc, &e);
	CHECK_INT(rc, VB_EINPUT);
	CHECK_STR(e.pointer, "/uuid");
	cJSON_Delete(out);

	/* Without a uuid (a tag, or "" as MISP writes it) the id comes from the name. */
	cJSON *a = cluster_run("threat-actor", "{\"uuid\":\"\",\"value\":\"APT 28\"}", &rc, &e);
	cJSON *b = cluster_run("threat-actor", "{\"value\":\"APT 28\"}", &rc, &e);
	CHECK_STR(str_of(cJSON_GetArrayItem(a, 0), "id"), str_of(cJSON_GetArrayItem(b, 0), "id"));
	cJSON_Delete(a);
	cJSON_Delete(b);
}

/* ---- sniffing ---- */

struct keyrec {
	char keys[256];
};

static void keyrec_fn(void *arg, const char *key)
{
	struct keyrec *k = arg;
	strncat(k->keys, key, sizeof k->keys - strlen(k->keys) - 2);
	strcat(k->keys, ",");
}

TEST(misp_head_keys_truncated)
{
	struct keyrec k = {""};
	int is_list;
	const char *h = "{\"authors\":[\"a\",\"b\"],\"description\":\"x \\\" }\",\"values\":[{\"a";
	misp_head_keys(h, strlen(h), &is_list, keyrec_fn, &k);
	CHECK_STR(k.keys, "authors,description,values,");
	CHECK_INT(is_list, 0);
	struct keyrec l = {""};
	const char *h2 = " [ {\"Event\": {\"id\": \"1\", \"Attribute\": [";
	misp_head_keys(h2, strlen(h2), &is_list, keyrec_fn, &l);
	CHECK_STR(l.keys, "Event,");
	CHECK_INT(is_list, 1);
}

/* ---- the committed fixtures ---- */

static cJSON *load_fixture(const char *path, int *failed_)
{
	char *text = NULL, why[256];
	size_t len;
	if (file_read_all(path, 1 << 20, &text, &len, why, sizeof why) != 0) {
		fprintf(stderr, "  %s: %s (run the tests from the repository root)\n", path, why);
		*failed_ = 1;
		return NULL;
	}
	cJSON *doc = cJSON_Parse(text);
	free(text);
	CHECK(doc != NULL);
	return doc;
}

TEST(misp_fixture_every_type)
{
	cJSON *doc = load_fixture("tests/fixtures/misp/event-all-types.json", failed_);
	if (!doc)
		return;
	char *text = cJSON_PrintUnformatted(doc);
	struct collect c;
	struct misp_stats st;
	CHECK_INT(run(text, &c, &st, 0), 0);
	CHECK_INT(c.invalid, 0);
	CHECK_INT(count_type(c.objs, "report"), 1);
	CHECK_INT(count_type(c.objs, "indicator"), 25);
	CHECK_INT(count_type(c.objs, "note"), 7);
	CHECK_INT(count_type(c.objs, "x-misp-object"), 1);
	CHECK_INT(count_type(c.objs, "intrusion-set"), 1);
	CHECK_INT(st.unmapped, 2); /* pdb and size-in-bytes */
	CHECK_INT(st.bad_values, 0);
	/* Every attribute of a mapped type became something other than a note
	 * of an unmapped type. */
	const cJSON *a;
	cJSON_ArrayForEach(a, cJSON_GetObjectItemCaseSensitive(
				  cJSON_GetObjectItemCaseSensitive(doc, "Event"), "Attribute"))
	{
		const char *type = str_of(a, "type"), *uuid = str_of(a, "uuid");
		char note[80];
		snprintf(note, sizeof note, "note--%s", uuid);
		const cJSON *n = find_id(c.objs, note);
		if (n && strncmp(str_of(n, "content"), "MISP attribute ", 15) == 0 &&
		    strcmp(type, "pdb") != 0 && strcmp(type, "link") != 0 &&
		    strcmp(type, "btc") != 0) {
			fprintf(stderr, "  attribute type %s ended as a note\n", type);
			*failed_ = 1;
		}
	}
	cJSON_free(text);
	cJSON_Delete(c.objs);
	cJSON_Delete(doc);
}

TEST(misp_fixture_response_list)
{
	cJSON *doc = load_fixture("tests/fixtures/misp/response-two-events.json", failed_);
	if (!doc)
		return;
	char *text = cJSON_PrintUnformatted(doc);
	struct collect c;
	struct misp_stats st;
	CHECK_INT(run(text, &c, &st, 0), 0);
	CHECK_INT(c.invalid, 0);
	CHECK_INT(st.events, 2);
	CHECK_INT(count_type(c.objs, "report"), 2);
	CHECK_INT(count_type(c.objs, "malware"), 1);	    /* from a tag only */
	CHECK_INT(count_type(c.objs, "attack-pattern"), 1); /* likewise */
	/* Distribution 4 without a tlp tag: AMBER and the sharing group. */
	const cJSON *r = find_id(c.objs, "report--7b1c2d3e-aaaa-4000-8000-000000000001");
	CHECK_STR(first_marking(r), TLP_AMBER);
	CHECK(cJSON_GetObjectItemCaseSensitive(r, "x_misp_sharing_group") != NULL);
	/* Distribution 2: GREEN. */
	CHECK_STR(first_marking(find_id(c.objs, "report--7b1c2d3e-aaaa-4000-8000-000000000002")),
		  TLP_GREEN);
	/* The event report became a note. */
	CHECK(find_id(c.objs, "note--7b1c2d3e-6666-4000-8000-000000000001") != NULL);
	cJSON_free(text);
	cJSON_Delete(c.objs);
	cJSON_Delete(doc);
}
