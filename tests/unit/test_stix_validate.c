/*
 * test_stix_validate.c: STIX 2.1 validation (stix_validate.c) and the STIX
 * 2.0 -> 2.1 upgrade (stix_upgrade.c).
 *
 * Small fixtures inline cover every standard type, and a table of mutations
 * of them covers the invalid cases, each checked for its JSON pointer and a
 * word of its message. When ../shared/data (or /work/shared/data) is there,
 * every object of the OASIS examples and of ATT&CK (ICS, Mobile, and
 * Enterprise after the 2.0 upgrade) must validate as well.
 *
 * Fixtures are written with ' for " and ^ for ' to stay readable.
 */
#include "test.h"

#include "../../src/stix/stix.h"
#include "../../src/util/util.h"

#include <cjson/cJSON.h>
#include <dirent.h>
#include <math.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <zlib.h>

#define U	"9883ee06-15a9-443e-8e65-ddfa4181904b"
#define U2	"ab485b7a-832f-4e42-aa1f-8d89e077998f"
#define T0	"2016-04-06T20:03:48.000Z"
#define MD5X	"9dd4e461268c8034f5c8564e155c67a6"
#define SHA1X	"11f6ad8ec52a2984abaafd7c3b516503785c2072"
#define SHA256X "2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881"

/* Common properties of an SDO or SRO of type t, and of an SCO. */
#define SDO(t)                                                                                     \
	"'type':'" t "','spec_version':'2.1','id':'" t "--" U "','created':'" T0                   \
	"','modified':'" T0 "'"
#define SCO(t) "'type':'" t "','spec_version':'2.1','id':'" t "--" U "'"

static cJSON *parse_q(const char *text)
{
	char *s = xstrdup(text);
	for (char *p = s; *p; p++) {
		if (*p == '\'')
			*p = '"';
		else if (*p == '^')
			*p = '\'';
	}
	cJSON *j = cJSON_Parse(s);
	free(s);
	return j;
}

/* One valid object of every standard type (and a few variants). */
/* clang-format off */
static const struct fixture {
	const char *name;
	const char *json;
} fixtures[] = {
	{"attack-pattern", "{" SDO("attack-pattern") ","
		"'name':'Spear Phishing',"
		"'kill_chain_phases':[{'kill_chain_name':'mitre-attack','phase_name':'initial-access'}],"
		"'external_references':[{'source_name':'capec','external_id':'CAPEC-163'}]}"},
	{"campaign", "{" SDO("campaign") ","
		"'name':'Green Group Attacks',"
		"'first_seen':'2016-01-01T00:00:00Z','last_seen':'2016-02-01T00:00:00Z'}"},
	{"course-of-action", "{" SDO("course-of-action") ","
		"'name':'Add TCP port 80 filter rule'}"},
	{"grouping", "{" SDO("grouping") ","
		"'context':'suspicious-activity',"
		"'object_refs':['indicator--" U "','ipv4-addr--" U "']}"},
	{"identity", "{" SDO("identity") ","
		"'name':'ACME','identity_class':'organization','sectors':['technology']}"},
	{"incident", "{" SDO("incident") ",'name':'Breach at ACME'}"},
	{"indicator", "{" SDO("indicator") ","
		"'created_by_ref':'identity--" U "',"
		"'name':'C2 address','description':'Known C2',"
		"'indicator_types':['malicious-activity'],"
		"'pattern':'[ipv4-addr:value = ^198.51.100.1^]','pattern_type':'stix',"
		"'valid_from':'2016-01-01T00:00:00Z','valid_until':'2017-01-01T00:00:00Z',"
		"'labels':['c2'],'confidence':85,'lang':'en',"
		"'external_references':[{'source_name':'acme','url':'https://example.com/r/1',"
			"'hashes':{'SHA-256':'" SHA256X "'}}],"
		"'object_marking_refs':['" TLP_GREEN "'],"
		"'granular_markings':["
			"{'selectors':['name','external_references.[0].url'],'marking_ref':'" TLP_AMBER "'},"
			"{'selectors':['description'],'lang':'en'}],"
		"'kill_chain_phases':[{'kill_chain_name':'lockheed-martin-cyber-kill-chain',"
			"'phase_name':'command-and-control'}],"
		"'x_acme_ref':'identity--" U "','x_acme_empty_ref':'','x_acme_score':7,"
		"'x_acme_notes':{'Free Form':[1,'two',null]}}"},
	{"infrastructure", "{" SDO("infrastructure") ","
		"'name':'Poison Ivy C2','infrastructure_types':['command-and-control'],"
		"'first_seen':'2016-01-01T00:00:00Z'}"},
	{"intrusion-set", "{" SDO("intrusion-set") ","
		"'name':'Bobcat Breakin','aliases':['Zookeeper'],'goals':['steal data'],"
		"'resource_level':'organization','primary_motivation':'organizational-gain',"
		"'first_seen':'2015-01-01T00:00:00Z','last_seen':'2015-01-01T00:00:00Z'}"},
	{"location", "{" SDO("location") ","
		"'name':'Paris','latitude':48.8566,'longitude':2.3522,'precision':1000.0,"
		"'region':'western-europe','country':'FR'}"},
	{"location-country", "{" SDO("location") ",'country':'NL'}"},
	{"malware", "{" SDO("malware") ","
		"'name':'Poison Ivy','is_family':true,'malware_types':['remote-access-trojan'],"
		"'sample_refs':['file--" U "'],'operating_system_refs':['software--" U "']}"},
	{"malware-instance", "{" SDO("malware") ",'is_family':false}"},
	{"malware-analysis", "{" SDO("malware-analysis") ","
		"'product':'microsoft','result':'malicious',"
		"'analysis_sco_refs':['file--" U "'],'sample_ref':'file--" U "',"
		"'host_vm_ref':'software--" U "'}"},
	{"note", "{" SDO("note") ","
		"'abstract':'Tracking','content':'This note...','authors':['John Doe'],"
		"'object_refs':['campaign--" U "']}"},
	{"observed-data", "{" SDO("observed-data") ","
		"'first_observed':'2015-12-21T19:00:00Z','last_observed':'2015-12-21T19:00:00Z',"
		"'number_observed':50,'object_refs':['ipv4-addr--" U "','relationship--" U "']}"},
	{"observed-data-2.0-objects", "{" SDO("observed-data") ","
		"'first_observed':'2015-12-21T19:00:00Z','last_observed':'2015-12-21T19:00:00Z',"
		"'number_observed':1,"
		"'objects':{'0':{'type':'ipv4-addr','value':'198.51.100.3'},"
			"'1':{'type':'network-traffic','src_ref':'0','protocols':['tcp']}}}"},
	{"opinion", "{" SDO("opinion") ","
		"'opinion':'strongly-agree','explanation':'Seen it too',"
		"'object_refs':['report--" U "']}"},
	{"report", "{" SDO("report") ","
		"'name':'The Black Vine Group','report_types':['campaign'],"
		"'published':'2016-01-20T17:00:00.000Z',"
		"'object_refs':['indicator--" U "','campaign--" U "']}"},
	{"threat-actor", "{" SDO("threat-actor") ","
		"'name':'Evil Org','threat_actor_types':['crime-syndicate'],'roles':['director'],"
		"'sophistication':'advanced'}"},
	{"tool", "{" SDO("tool") ",'name':'VNC','tool_types':['remote-access']}"},
	{"vulnerability", "{" SDO("vulnerability") ","
		"'name':'CVE-2016-1234',"
		"'external_references':[{'source_name':'cve','external_id':'CVE-2016-1234'}]}"},
	{"relationship", "{" SDO("relationship") ","
		"'relationship_type':'indicates',"
		"'source_ref':'indicator--" U "','target_ref':'malware--" U "',"
		"'start_time':'2016-01-01T00:00:00Z','stop_time':'2017-01-01T00:00:00Z'}"},
	{"relationship-sco", "{" SDO("relationship") ","
		"'relationship_type':'resolves-to',"
		"'source_ref':'domain-name--" U "','target_ref':'ipv4-addr--" U "'}"},
	{"sighting", "{" SDO("sighting") ","
		"'sighting_of_ref':'indicator--" U "',"
		"'observed_data_refs':['observed-data--" U "'],"
		"'where_sighted_refs':['identity--" U "','location--" U "'],"
		"'count':3,'first_seen':'2016-01-01T00:00:00Z','last_seen':'2016-01-02T00:00:00Z',"
		"'summary':false}"},
	{"marking-definition-tlp", "{'type':'marking-definition','spec_version':'2.1',"
		"'id':'" TLP1_WHITE "','created':'2017-01-20T00:00:00.000Z',"
		"'definition_type':'tlp','name':'TLP:WHITE','definition':{'tlp':'white'}}"},
	{"marking-definition-statement", "{'type':'marking-definition','spec_version':'2.1',"
		"'id':'marking-definition--" U "','created':'2016-08-01T00:00:00.000Z',"
		"'definition_type':'statement',"
		"'definition':{'statement':'Copyright 2016, Example Corp'}}"},
	{"marking-definition-tlp2", "{'type':'marking-definition','spec_version':'2.1',"
		"'id':'" TLP_CLEAR "','created':'2022-10-01T00:00:00.000Z','name':'TLP:CLEAR',"
		"'extensions':{'extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d':"
			"{'extension_type':'property-extension','tlp_2_0':'clear'}}}"},
	{"language-content", "{" SDO("language-content") ","
		"'object_ref':'campaign--" U "','object_modified':'" T0 "',"
		"'contents':{'de':{'name':'Bank Angriff','description':'Weitere Informationen'},"
			"'fr':{'name':'Attaque Bank'}}}"},
	{"extension-definition", "{" SDO("extension-definition") ","
		"'created_by_ref':'identity--" U "',"
		"'name':'Extension Foo Bar','schema':'https://example.com/schema.json',"
		"'version':'1.2.1','extension_types':['property-extension','new-sdo']}"},
	{"artifact", "{" SCO("artifact") ","
		"'mime_type':'image/png','payload_bin':'aGVsbG8=',"
		"'encryption_algorithm':'mime-type-indicated'}"},
	{"artifact-url", "{" SCO("artifact") ","
		"'url':'https://example.com/a.bin','hashes':{'MD5':'" MD5X "'}}"},
	{"autonomous-system", "{" SCO("autonomous-system") ","
		"'number':15139,'name':'Slime Industries','rir':'ARIN'}"},
	{"directory", "{" SCO("directory") ",'path':'/tmp','contains_refs':['file--" U "']}"},
	{"domain-name", "{" SCO("domain-name") ","
		"'value':'example.com','resolves_to_refs':['ipv4-addr--" U "']}"},
	{"email-addr", "{" SCO("email-addr") ","
		"'value':'john@example.com','display_name':'John Doe',"
		"'belongs_to_ref':'user-account--" U "'}"},
	{"email-message", "{" SCO("email-message") ","
		"'is_multipart':true,'date':'1997-11-21T15:55:06.000Z',"
		"'from_ref':'email-addr--" U "','to_refs':['email-addr--" U2 "'],"
		"'subject':'Saying Hello','additional_header_fields':{'X-Mailer':'Mutt'},"
		"'body_multipart':[{'content_type':'text/plain','body':'Hi'},"
			"{'body_raw_ref':'artifact--" U "','content_disposition':'attachment'}]}"},
	{"file", "{" SCO("file") ","
		"'name':'foo.zip','size':25536,"
		"'hashes':{'MD5':'" MD5X "','SHA-1':'" SHA1X "','x_acme_hash':'anything'},"
		"'parent_directory_ref':'directory--" U "','mtime':'2016-01-01T00:00:00Z',"
		"'extensions':{'archive-ext':{'contains_refs':['file--" U2 "']},"
			"'ntfs-ext':{'alternate_data_streams':[{'name':'second.stream','size':25536}]}}}"},
	{"file-pe", "{" SCO("file") ","
		"'hashes':{'SHA-256':'" SHA256X "'},"
		"'extensions':{'windows-pebinary-ext':{'pe_type':'exe','machine_hex':'014c',"
			"'number_of_sections':4,"
			"'sections':[{'name':'.text','size':1024,'entropy':7.2}],"
			"'optional_header':{'magic_hex':'010b','size_of_code':512}}}}"},
	{"ipv4-addr", "{" SCO("ipv4-addr") ",'value':'198.51.100.0/24'}"},
	{"ipv6-addr", "{" SCO("ipv6-addr") ",'value':'2001:db8::/32'}"},
	{"mac-addr", "{" SCO("mac-addr") ",'value':'d2:fb:49:24:37:18'}"},
	{"mutex", "{" SCO("mutex") ",'name':'__CLEANSWEEP__'}"},
	{"network-traffic", "{" SCO("network-traffic") ","
		"'src_ref':'ipv4-addr--" U "','dst_ref':'domain-name--" U "',"
		"'src_port':1234,'dst_port':80,'protocols':['ipv4','tcp','http'],"
		"'start':'2016-01-01T00:00:00Z','end':'2016-01-01T00:01:00Z',"
		"'extensions':{'http-request-ext':{'request_method':'get',"
				"'request_value':'/download.html','request_header':{'Host':'example.com'}},"
			"'tcp-ext':{'src_flags_hex':'00000002'}}}"},
	{"process", "{" SCO("process") ","
		"'pid':1221,'command_line':'./gedit-bin --new-window','image_ref':'file--" U "',"
		"'extensions':{'windows-process-ext':{'aslr_enabled':true,'integrity_level':'high'}}}"},
	{"software", "{" SCO("software") ","
		"'name':'Word','cpe':'cpe:2.3:a:microsoft:word:2000:*:*:*:*:*:*:*',"
		"'vendor':'Microsoft','version':'2002'}"},
	{"url", "{" SCO("url") ",'value':'https://example.com/research/index.html'}"},
	{"user-account", "{" SCO("user-account") ","
		"'user_id':'1001','account_login':'jdoe','account_type':'unix','is_privileged':false,"
		"'extensions':{'unix-account-ext':{'gid':1001,'groups':['wheel'],'shell':'/bin/bash'}}}"},
	{"windows-registry-key", "{" SCO("windows-registry-key") ","
		"'key':'hkey_local_machine\\\\system\\\\bar',"
		"'values':[{'name':'Foo','data':'qwerty','data_type':'REG_SZ'}],"
		"'modified_time':'2016-01-01T00:00:00Z'}"},
	{"x509-certificate", "{" SCO("x509-certificate") ","
		"'issuer':'C=ZA, O=Thawte','serial_number':'02:08:87',"
		"'validity_not_before':'2016-03-12T12:00:00Z','validity_not_after':'2016-08-21T12:00:00Z',"
		"'subject':'C=US, CN=www.example.com',"
		"'x509_v3_extensions':{'basic_constraints':'critical,CA:TRUE'}}"},
	{"custom-object", "{'type':'x-acme-widget','spec_version':'2.1','id':'x-acme-widget--" U "',"
		"'created':'" T0 "','modified':'" T0 "','size':3,"
		"'anything':{'nested':[1,2,{'deep_ref':'identity--" U "'}]}}"},
	{"custom-sco", "{'type':'x-acme-thing','id':'x-acme-thing--" U "','value':'v'}"},
	{"unknown-type-no-prefix", "{'type':'acme-gadget','id':'acme-gadget--" U "'}"},
	{"extension-definition-use", "{" SDO("indicator") ","
		"'pattern':'[url:value = ^http://example.com/^]','pattern_type':'stix',"
		"'valid_from':'" T0 "',"
		"'extensions':{'extension-definition--" U2 "':"
			"{'extension_type':'property-extension','rank':5}}}"},
	{"indicator-other-pattern-language", "{" SDO("indicator") ","
		"'pattern':'alert tcp any any -> any 80 (msg:^x^;)','pattern_type':'snort',"
		"'valid_from':'" T0 "'}"},
	{"bundle", "{'type':'bundle','id':'bundle--" U "','objects':[{'type':'x-anything'}]}"},
};
/* clang-format on */

static const struct fixture *fixture(const char *name)
{
	for (size_t i = 0; i < ARRAY_LEN(fixtures); i++)
		if (strcmp(fixtures[i].name, name) == 0)
			return &fixtures[i];
	return NULL;
}

TEST(stix_validate_fixtures_valid)
{
	for (size_t i = 0; i < ARRAY_LEN(fixtures); i++) {
		cJSON *o = parse_q(fixtures[i].json);
		if (!o) {
			fprintf(stderr, "  fixture %s does not parse\n", fixtures[i].name);
			*failed_ = 1;
			continue;
		}
		struct vb_err e;
		vb_err_clear(&e);
		if (stix_validate(o, &e) != 0) {
			fprintf(stderr, "  fixture %s: %s: %s\n", fixtures[i].name, e.pointer,
				e.msg);
			*failed_ = 1;
		}
		cJSON_Delete(o);
	}
}

/* ---- invalid cases: mutations of the fixtures ---------------------------- */

/* The member or element that path (a JSON pointer) names: its parent, and
 * the last step in last. */
static cJSON *ptr_parent(cJSON *root, const char *path, char *last, size_t cap)
{
	cJSON *at = root;
	const char *p = path + 1;
	for (;;) {
		const char *slash = strchr(p, '/');
		size_t n = slash ? (size_t)(slash - p) : strlen(p);
		if (n >= cap)
			return NULL;
		memcpy(last, p, n);
		last[n] = 0;
		if (!slash)
			return at;
		at = cJSON_IsArray(at) ? cJSON_GetArrayItem(at, (int)strtol(last, NULL, 10))
				       : cJSON_GetObjectItemCaseSensitive(at, last);
		if (!at)
			return NULL;
		p = slash + 1;
	}
}

/* Sets (val) or deletes (val NULL) what path names; appends to an array
 * when the index is past its end. */
static int ptr_set(cJSON *root, const char *path, cJSON *val)
{
	char last[128];
	cJSON *parent = ptr_parent(root, path, last, sizeof last);
	if (!parent) {
		cJSON_Delete(val);
		return -1;
	}
	if (cJSON_IsArray(parent)) {
		int i = (int)strtol(last, NULL, 10);
		if (!val)
			cJSON_DeleteItemFromArray(parent, i);
		else if (i < cJSON_GetArraySize(parent))
			cJSON_ReplaceItemInArray(parent, i, val);
		else
			cJSON_AddItemToArray(parent, val);
		return 0;
	}
	cJSON_DeleteItemFromObjectCaseSensitive(parent, last);
	if (val)
		cJSON_AddItemToObject(parent, last, val);
	return 0;
}

static const struct bad_case {
	const char *base;    /* fixture */
	const char *path;    /* what to change */
	const char *value;   /* new value (JSON, ' for "), or NULL to delete */
	const char *path2;   /* a second change, or NULL */
	const char *value2;  /*   its value */
	const char *pointer; /* expected err.pointer */
	const char *word;    /* expected in err.msg */
} bad_cases[] = {
    /* identity of the object */
    {"indicator", "/type", "'Indicator'", NULL, NULL, "/type", "type name"},
    {"indicator", "/type", "'in--dicator'", NULL, NULL, "/type", "'--'"},
    {"indicator", "/type", "'ab'", NULL, NULL, "/type", "3 to 250"},
    {"indicator", "/type", "7", NULL, NULL, "/type", "string"},
    {"indicator", "/id", NULL, NULL, NULL, "/id", "missing"},
    {"indicator", "/id", "'indicator--not-a-uuid'", NULL, NULL, "/id", "UUID"},
    {"indicator", "/id", "'indicator-" U "'", NULL, NULL, "/id", "<type>--<UUID>"},
    {"indicator", "/id", "'malware--" U "'", NULL, NULL, "/id", "object's type"},
    {"indicator", "/id", "'indicator--9883ee06-15a9-443e-0e65-ddfa4181904b'", NULL, NULL, "/id",
     "RFC 4122"},
    /* common properties */
    {"indicator", "/spec_version", NULL, NULL, NULL, "/spec_version", "upgraded"},
    {"indicator", "/spec_version", "'2.0'", NULL, NULL, "/spec_version", "2.1"},
    {"indicator", "/created", NULL, NULL, NULL, "/created", "missing required property 'created'"},
    {"indicator", "/created", "'2016-13-01T00:00:00Z'", NULL, NULL, "/created", "timestamp"},
    {"indicator", "/created", "'2016-01-01T00:00:00+01:00'", NULL, NULL, "/created", "UTC"},
    {"indicator", "/modified", "'2016-04-06T20:03:47.999Z'", NULL, NULL, "/modified", "earlier"},
    {"indicator", "/modified", "'2016-04-06T20:03:48Z'", NULL, NULL, "/modified", "millisecond"},
    {"indicator", "/created", "'2016-04-06T20:03:48.5Z'", NULL, NULL, "/created", "millisecond"},
    {"indicator", "/action", "'block'", NULL, NULL, "/action", "reserved"},
    {"indicator", "/defanged", "true", NULL, NULL, "/defanged", "cyber-observable"},
    {"indicator", "/created_by_ref", "'abc'", NULL, NULL, "/created_by_ref", "not an identity id"},
    {"indicator", "/created_by_ref", "'malware--" U "'", NULL, NULL, "/created_by_ref",
     "not an identity id"},
    {"indicator", "/revoked", "'yes'", NULL, NULL, "/revoked", "true or false"},
    {"indicator", "/labels", "[]", NULL, NULL, "/labels", "empty"},
    {"indicator", "/labels", "['a',1]", NULL, NULL, "/labels/1", "strings"},
    {"indicator", "/confidence", "101", NULL, NULL, "/confidence", "between 0 and 100"},
    {"indicator", "/confidence", "50.5", NULL, NULL, "/confidence", "integer"},
    {"indicator", "/confidence", "'high'", NULL, NULL, "/confidence", "integer"},
    {"indicator", "/lang", "['en']", NULL, NULL, "/lang", "string"},
    {"indicator", "/external_references/0/source_name", NULL, NULL, NULL,
     "/external_references/0/source_name", "missing"},
    {"indicator", "/external_references/1", "{'source_name':'x'}", NULL, NULL,
     "/external_references/1/source_name", "external_id"},
    {"indicator", "/external_references/0/hashes/SHA-256", "'abc'", NULL, NULL,
     "/external_references/0/hashes/SHA-256", "SHA-256"},
    {"indicator", "/external_references", "{}", NULL, NULL, "/external_references", "list"},
    {"indicator", "/object_marking_refs/1", "'identity--" U "'", NULL, NULL,
     "/object_marking_refs/1", "marking-definition"},
    {"indicator", "/granular_markings/0/selectors", "[]", NULL, NULL,
     "/granular_markings/0/selectors", "empty"},
    {"indicator", "/granular_markings/1/lang", NULL, NULL, NULL, "/granular_markings/1/marking_ref",
     "marking_ref or lang"},
    {"indicator", "/granular_markings/1/marking_ref", "'" TLP_RED "'", NULL, NULL,
     "/granular_markings/1/lang", "not both"},
    {"indicator", "/granular_markings/0/selectors/1", "'external_references.[3].url'", NULL, NULL,
     "/granular_markings/0/selectors/1", "past the end"},
    {"indicator", "/granular_markings/0/selectors/0", "'nosuch'", NULL, NULL,
     "/granular_markings/0/selectors/0", "does not have"},
    {"indicator", "/extensions", "{'foo':{}}", NULL, NULL, "/extensions/foo",
     "extension-definition"},
    {"indicator", "/extensions", "{'archive-ext':{'contains_refs':['file--" U "']}}", NULL, NULL,
     "/extensions/archive-ext", "extension of file"},
    {"extension-definition-use", "/extensions/extension-definition--" U2 "/extension_type", NULL,
     NULL, NULL, "/extensions/extension-definition--" U2 "/extension_type", "missing"},
    {"extension-definition-use", "/extensions/extension-definition--" U2 "/extension_type",
     "'new-thing'", NULL, NULL, "/extensions/extension-definition--" U2 "/extension_type",
     "property-extension"},
    {"indicator", "/x_acme_ref", "'notanid'", NULL, NULL, "/x_acme_ref", "identifier"},
    {"indicator", "/x_acme_refs", "['indicator--bad']", NULL, NULL, "/x_acme_refs/0", "UUID"},
    {"indicator", "/x_acme_notes/deep", "{'target_ref':7}", NULL, NULL,
     "/x_acme_notes/deep/target_ref", "identifier"},
    {"indicator", "/Bad_Name", "1", NULL, NULL, "/Bad_Name", "property name"},
    {"indicator", "/x", "1", NULL, NULL, "/x", "property name"},
    {"indicator", "/created_by_ref", "''", NULL, NULL, "/created_by_ref", "identity"},
    /* indicator */
    {"indicator", "/pattern", NULL, NULL, NULL, "/pattern",
     "missing required property 'pattern' (indicator)"},
    {"indicator", "/pattern_type", NULL, NULL, NULL, "/pattern_type", "missing"},
    {"indicator", "/valid_from", NULL, NULL, NULL, "/valid_from", "missing"},
    {"indicator", "/valid_until", "'2016-01-01T00:00:00Z'", NULL, NULL, "/valid_until",
     "valid_until must be later than valid_from"},
    {"indicator", "/pattern", "'[ipv4-addr:value = '", NULL, NULL, "/pattern", "pattern"},
    {"indicator", "/kill_chain_phases/0/phase_name", NULL, NULL, NULL,
     "/kill_chain_phases/0/phase_name", "kill chain phase"},
    /* other SDOs */
    {"attack-pattern", "/name", NULL, NULL, NULL, "/name", "missing"},
    {"campaign", "/last_seen", "'2015-01-01T00:00:00Z'", NULL, NULL, "/last_seen", "earlier"},
    {"grouping", "/context", NULL, NULL, NULL, "/context", "missing"},
    {"grouping", "/object_refs", "[]", NULL, NULL, "/object_refs", "empty"},
    {"identity", "/name", NULL, NULL, NULL, "/name", "missing"},
    {"infrastructure", "/name", NULL, NULL, NULL, "/name", "missing"},
    {"location", "/latitude", "91", NULL, NULL, "/latitude", "between -90 and 90"},
    {"location", "/longitude", "-180.5", NULL, NULL, "/longitude", "between -180 and 180"},
    {"location", "/longitude", NULL, NULL, NULL, "/longitude", "longitude"},
    {"location", "/precision", "-1", NULL, NULL, "/precision", "at least 0"},
    {"location-country", "/country", NULL, NULL, NULL, "/region", "region, country"},
    {"malware", "/is_family", NULL, NULL, NULL, "/is_family", "missing"},
    {"malware", "/is_family", "'true'", NULL, NULL, "/is_family", "true or false"},
    {"malware", "/name", NULL, NULL, NULL, "/name", "is_family"},
    {"malware", "/sample_refs/0", "'indicator--" U "'", NULL, NULL, "/sample_refs/0",
     "file or artifact"},
    {"malware-analysis", "/result", NULL, "/analysis_sco_refs", NULL, "/result",
     "analysis_sco_refs"},
    {"malware-analysis", "/product", NULL, NULL, NULL, "/product", "missing"},
    {"malware-analysis", "/host_vm_ref", "'identity--" U "'", NULL, NULL, "/host_vm_ref",
     "software"},
    {"note", "/object_refs", NULL, NULL, NULL, "/object_refs", "missing"},
    {"note", "/content", NULL, NULL, NULL, "/content", "missing"},
    {"observed-data", "/number_observed", "0", NULL, NULL, "/number_observed", "between 1 and"},
    {"observed-data", "/number_observed", "1000000000", NULL, NULL, "/number_observed",
     "999999999"},
    {"observed-data", "/last_observed", "'2015-12-21T18:59:59Z'", NULL, NULL, "/last_observed",
     "earlier"},
    {"observed-data", "/objects", "{'0':{'type':'ipv4-addr','value':'1.2.3.4'}}", NULL, NULL,
     "/objects", "both"},
    {"observed-data", "/object_refs", NULL, NULL, NULL, "/object_refs", "missing"},
    {"observed-data", "/object_refs/0", "'indicator--" U "'", NULL, NULL, "/object_refs/0",
     "SCO or relationship"},
    {"opinion", "/opinion", "'maybe'", NULL, NULL, "/opinion", "strongly-disagree"},
    {"opinion", "/object_refs", NULL, NULL, NULL, "/object_refs", "missing"},
    {"report", "/published", NULL, NULL, NULL, "/published", "missing"},
    {"report", "/published", "'yesterday'", NULL, NULL, "/published", "timestamp"},
    {"threat-actor", "/name", NULL, NULL, NULL, "/name", "missing"},
    {"tool", "/name", NULL, NULL, NULL, "/name", "missing"},
    {"vulnerability", "/name", NULL, NULL, NULL, "/name", "missing"},
    /* SROs */
    {"relationship", "/source_ref", "'marking-definition--" U "'", NULL, NULL, "/source_ref",
     "SDO or SCO"},
    {"relationship", "/target_ref", "'relationship--" U2 "'", NULL, NULL, "/target_ref",
     "SDO or SCO"},
    {"relationship", "/target_ref", NULL, NULL, NULL, "/target_ref", "missing"},
    {"relationship", "/relationship_type", "'Uses'", NULL, NULL, "/relationship_type",
     "relationship_type"},
    {"relationship", "/stop_time", "'2016-01-01T00:00:00Z'", NULL, NULL, "/stop_time",
     "later than start_time"},
    {"sighting", "/sighting_of_ref", "'ipv4-addr--" U "'", NULL, NULL, "/sighting_of_ref",
     "an SDO"},
    {"sighting", "/where_sighted_refs/1", "'malware--" U "'", NULL, NULL, "/where_sighted_refs/1",
     "identity or location"},
    {"sighting", "/observed_data_refs/0", "'indicator--" U "'", NULL, NULL, "/observed_data_refs/0",
     "observed-data"},
    {"sighting", "/count", "-1", NULL, NULL, "/count", "between 0 and 999999999"},
    {"sighting", "/last_seen", "'2015-01-01T00:00:00Z'", NULL, NULL, "/last_seen", "earlier"},
    /* meta objects */
    {"marking-definition-tlp", "/id", "'" TLP1_RED "'", NULL, NULL, "/definition/tlp",
     "predefined"},
    {"marking-definition-tlp", "/definition/tlp", "'purple'", NULL, NULL, "/definition/tlp",
     "white"},
    {"marking-definition-tlp", "/definition", NULL, NULL, NULL, "/definition", "missing"},
    {"marking-definition-statement", "/definition_type", NULL, "/definition", NULL,
     "/definition_type", "definition"},
    {"marking-definition-statement", "/definition/statement", "1", NULL, NULL,
     "/definition/statement", "string"},
    {"marking-definition-statement", "/object_marking_refs", "['marking-definition--" U "']", NULL,
     NULL, "/object_marking_refs/0", "itself"},
    {"marking-definition-statement", "/created", NULL, NULL, NULL, "/created", "missing"},
    {"extension-definition", "/extension_types/1", "'new-thing'", NULL, NULL, "/extension_types/1",
     "new-sdo"},
    {"extension-definition", "/schema", NULL, NULL, NULL, "/schema", "missing"},
    {"extension-definition", "/created_by_ref", NULL, NULL, NULL, "/created_by_ref", "missing"},
    {"language-content", "/contents", NULL, NULL, NULL, "/contents", "missing"},
    {"language-content", "/contents/de", "'Hallo'", NULL, NULL, "/contents/de", "non-empty object"},
    {"bundle", "/objects/1", "'not an object'", NULL, NULL, "/objects/1", "STIX object"},
    /* SCOs */
    {"artifact", "/url", "'https://example.com/x'", NULL, NULL, "/url", "not both"},
    {"artifact-url", "/hashes", NULL, NULL, NULL, "/hashes", "hashes"},
    {"artifact", "/payload_bin", "'not base64!'", NULL, NULL, "/payload_bin", "base64"},
    {"artifact", "/encryption_algorithm", "'rot13'", NULL, NULL, "/encryption_algorithm",
     "AES-256-GCM"},
    {"autonomous-system", "/number", "'AS15139'", NULL, NULL, "/number", "integer"},
    {"directory", "/path", NULL, NULL, NULL, "/path", "missing"},
    {"domain-name", "/resolves_to_refs/0", "'file--" U "'", NULL, NULL, "/resolves_to_refs/0",
     "ipv4-addr, ipv6-addr or domain-name"},
    {"domain-name", "/value", NULL, NULL, NULL, "/value", "missing"},
    {"email-addr", "/belongs_to_ref", "'identity--" U "'", NULL, NULL, "/belongs_to_ref",
     "user-account"},
    {"email-message", "/from_ref", "'ipv4-addr--" U "'", NULL, NULL, "/from_ref", "email-addr"},
    {"email-message", "/is_multipart", NULL, NULL, NULL, "/is_multipart", "missing"},
    {"email-message", "/body", "'text'", NULL, NULL, "/body", "is_multipart"},
    {"email-message", "/is_multipart", "false", NULL, NULL, "/body_multipart", "is_multipart"},
    {"email-message", "/body_multipart/0/body", NULL, NULL, NULL, "/body_multipart/0/body",
     "body_raw_ref"},
    {"email-message", "/additional_header_fields", "{}", NULL, NULL, "/additional_header_fields",
     "empty"},
    {"file", "/name", NULL, "/hashes", NULL, "/name", "hashes"},
    {"file", "/parent_directory_ref", "'file--" U2 "'", NULL, NULL, "/parent_directory_ref",
     "directory"},
    {"file", "/hashes/MD5", "'xyz'", NULL, NULL, "/hashes/MD5", "32 hex digits"},
    {"file", "/hashes/SHA-1", "''", NULL, NULL, "/hashes/SHA-1", "non-empty"},
    {"file", "/hashes/md", "'abc'", NULL, NULL, "/hashes/md", "3 to 250"},
    {"file", "/size", "-1", NULL, NULL, "/size", "at least 0"},
    {"file", "/extensions/archive-ext/contains_refs", NULL, NULL, NULL,
     "/extensions/archive-ext/contains_refs", "missing"},
    {"file", "/extensions/archive-ext/contains_refs/0", "'url--" U "'", NULL, NULL,
     "/extensions/archive-ext/contains_refs/0", "file or directory"},
    {"file", "/extensions/http-request-ext", "{'request_method':'get','request_value':'/'}", NULL,
     NULL, "/extensions/http-request-ext", "network-traffic"},
    {"file-pe", "/extensions/windows-pebinary-ext/machine_hex", "'14c'", NULL, NULL,
     "/extensions/windows-pebinary-ext/machine_hex", "hex"},
    {"file-pe", "/extensions/windows-pebinary-ext/machine_hex", "'014C'", NULL, NULL,
     "/extensions/windows-pebinary-ext/machine_hex", "lower-case"},
    {"file-pe", "/extensions/windows-pebinary-ext/pe_type", NULL, NULL, NULL,
     "/extensions/windows-pebinary-ext/pe_type", "missing"},
    {"ipv4-addr", "/value", "'999.1.1.1'", NULL, NULL, "/value", "IPv4"},
    {"ipv4-addr", "/value", "'10.0.0.0/33'", NULL, NULL, "/value", "IPv4"},
    {"ipv6-addr", "/value", "'2001:db8:::1'", NULL, NULL, "/value", "IPv6"},
    {"ipv4-addr", "/resolves_to_refs", "['domain-name--" U "']", NULL, NULL, "/resolves_to_refs/0",
     "mac-addr"},
    {"mac-addr", "/value", "'D2:FB:49:24:37:18'", NULL, NULL, "/value", "lower-case"},
    {"mutex", "/name", NULL, NULL, NULL, "/name", "missing"},
    {"network-traffic", "/protocols", NULL, NULL, NULL, "/protocols", "missing"},
    {"network-traffic", "/src_ref", "'url--" U "'", NULL, NULL, "/src_ref",
     "ipv4-addr, ipv6-addr, mac-addr or domain-name"},
    {"network-traffic", "/src_port", "70000", NULL, NULL, "/src_port", "65535"},
    {"network-traffic", "/src_ref", NULL, "/dst_ref", NULL, "/src_ref", "dst_ref"},
    {"network-traffic", "/is_active", "true", NULL, NULL, "/end", "is_active"},
    {"network-traffic", "/end", "'2015-01-01T00:00:00Z'", NULL, NULL, "/end", "earlier"},
    {"network-traffic", "/extensions/http-request-ext/request_value", NULL, NULL, NULL,
     "/extensions/http-request-ext/request_value", "missing"},
    {"network-traffic", "/extensions/socket-ext", "{'address_family':'AF_FOO'}", NULL, NULL,
     "/extensions/socket-ext/address_family", "AF_INET"},
    {"network-traffic", "/extensions/tcp-ext/src_flags_hex", "'zz'", NULL, NULL,
     "/extensions/tcp-ext/src_flags_hex", "hex"},
    {"process", "/image_ref", "'process--" U "'", NULL, NULL, "/image_ref", "a file"},
    {"process", "/extensions/windows-process-ext/integrity_level", "'root'", NULL, NULL,
     "/extensions/windows-process-ext/integrity_level", "system"},
    {"software", "/name", NULL, NULL, NULL, "/name", "missing"},
    {"url", "/value", NULL, NULL, NULL, "/value", "missing"},
    {"user-account", "/is_privileged", "0", NULL, NULL, "/is_privileged", "true or false"},
    {"windows-registry-key", "/values/0/data_type", "'REG_FOO'", NULL, NULL, "/values/0/data_type",
     "REG_SZ"},
    {"x509-certificate", "/validity_not_after", "'soon'", NULL, NULL, "/validity_not_after",
     "timestamp"},
    /* custom objects get the common checks only */
    {"custom-object", "/created_by_ref", "'tool--" U "'", NULL, NULL, "/created_by_ref",
     "identity"},
    {"custom-object", "/modified", "'2000-01-01T00:00:00.000Z'", NULL, NULL, "/modified",
     "earlier"},
    {"custom-object", "/x_severity", "1", "/severity", "'high'", "/severity", "reserved"},
    {"custom-object", "/anything/nested/2/deep_ref", "'x'", NULL, NULL,
     "/anything/nested/2/deep_ref", "identifier"},
    {"custom-sco", "/object_marking_refs", "['" TLP_RED "', 5]", NULL, NULL,
     "/object_marking_refs/1", "identifier"},
};

TEST(stix_validate_invalid_cases)
{
	int n = 0;
	for (size_t i = 0; i < ARRAY_LEN(bad_cases); i++) {
		const struct bad_case *b = &bad_cases[i];
		const struct fixture *f = fixture(b->base);
		cJSON *o = f ? parse_q(f->json) : NULL;
		if (!o || ptr_set(o, b->path, b->value ? parse_q(b->value) : NULL) ||
		    (b->path2 && ptr_set(o, b->path2, b->value2 ? parse_q(b->value2) : NULL))) {
			fprintf(stderr, "  case %zu (%s %s): cannot build\n", i, b->base, b->path);
			*failed_ = 1;
			cJSON_Delete(o);
			continue;
		}
		struct vb_err e;
		vb_err_clear(&e);
		int rc = stix_validate(o, &e);
		if (rc != VB_EINPUT || e.code != VB_EINPUT || strcmp(e.pointer, b->pointer) != 0 ||
		    !strstr(e.msg, b->word)) {
			fprintf(stderr,
				"  case %zu (%s %s): rc %d pointer \"%s\" msg \"%s\"\n"
				"    expected pointer \"%s\" and \"%s\" in the message\n",
				i, b->base, b->path, rc, e.pointer, e.msg, b->pointer, b->word);
			*failed_ = 1;
		}
		n++;
		cJSON_Delete(o);
	}
	CHECK(n >= 40);
}

/* ---- limits and malformed trees ---------------------------------------------- */

static cJSON *fixture_obj(const char *name)
{
	return parse_q(fixture(name)->json);
}

static int validate(const cJSON *o, struct vb_err *e)
{
	vb_err_clear(e);
	return stix_validate(o, e);
}

TEST(stix_validate_not_an_object)
{
	struct vb_err e;
	cJSON *a = cJSON_CreateArray();
	CHECK_INT(validate(a, &e), VB_EINPUT);
	CHECK_STR(e.pointer, "");
	CHECK(strstr(e.msg, "JSON object") != NULL);
	cJSON_Delete(a);
	CHECK_INT(stix_validate(NULL, NULL), VB_EINPUT);

	cJSON *o = parse_q("{'id':'indicator--" U "'}");
	CHECK_INT(validate(o, &e), VB_EINPUT);
	CHECK_STR(e.pointer, "/type");
	CHECK(strstr(e.msg, "missing") != NULL);
	cJSON_Delete(o);
}

/* Arrays nested n deep: the outermost is level 1. */
static cJSON *nest(int n)
{
	cJSON *inner = cJSON_CreateArray();
	for (int i = 1; i < n; i++) {
		cJSON *outer = cJSON_CreateArray();
		cJSON_AddItemToArray(outer, inner);
		inner = outer;
	}
	return inner;
}

TEST(stix_validate_depth_limit)
{
	struct vb_err e;
	/* The object is level 1, x_deep level 2: 63 levels of arrays reach 64. */
	cJSON *o = fixture_obj("indicator");
	cJSON_AddItemToObject(o, "x_deep", nest(STIX_MAX_DEPTH - 1));
	CHECK_INT(validate(o, &e), 0);
	cJSON_Delete(o);

	o = fixture_obj("indicator");
	cJSON_AddItemToObject(o, "x_deep", nest(STIX_MAX_DEPTH));
	CHECK_INT(validate(o, &e), VB_EINPUT);
	CHECK(strncmp(e.pointer, "/x_deep/0/0/0", 13) == 0);
	CHECK(strstr(e.msg, "deeper") != NULL);
	cJSON_Delete(o);
}

TEST(stix_validate_string_limits)
{
	struct vb_err e;
	char *big = xmalloc(STIX_MAX_STRING + 2);
	memset(big, 'a', STIX_MAX_STRING + 1);
	big[STIX_MAX_STRING] = 0;
	cJSON *o = fixture_obj("indicator");
	cJSON_AddStringToObject(o, "x_big", big);
	CHECK_INT(validate(o, &e), 0);
	cJSON_Delete(o);

	big[STIX_MAX_STRING] = 'a';
	big[STIX_MAX_STRING + 1] = 0;
	o = fixture_obj("indicator");
	cJSON_ReplaceItemInObjectCaseSensitive(o, "description", cJSON_CreateString(big));
	CHECK_INT(validate(o, &e), VB_EINPUT);
	CHECK_STR(e.pointer, "/description");
	CHECK(strstr(e.msg, "limit") != NULL);
	cJSON_Delete(o);
	free(big);

	/* Invalid UTF-8 in a value, deep in a custom property, and in a name. */
	o = fixture_obj("indicator");
	cJSON_ReplaceItemInObjectCaseSensitive(o, "name", cJSON_CreateString("bad \xc3\x28 text"));
	CHECK_INT(validate(o, &e), VB_EINPUT);
	CHECK_STR(e.pointer, "/name");
	CHECK(strstr(e.msg, "UTF-8") != NULL);
	cJSON_Delete(o);

	o = fixture_obj("indicator");
	cJSON *notes = cJSON_GetObjectItemCaseSensitive(o, "x_acme_notes");
	cJSON_AddItemToArray(cJSON_GetObjectItemCaseSensitive(notes, "Free Form"),
			     cJSON_CreateString("\xed\xa0\x80")); /* a UTF-16 surrogate */
	CHECK_INT(validate(o, &e), VB_EINPUT);
	CHECK_STR(e.pointer, "/x_acme_notes/Free Form/3");
	CHECK(strstr(e.msg, "UTF-8") != NULL);
	cJSON_Delete(o);

	o = fixture_obj("indicator");
	cJSON_AddStringToObject(o, "x_\xff_name", "v");
	CHECK_INT(validate(o, &e), VB_EINPUT);
	CHECK_STR(e.pointer, "");
	CHECK(strstr(e.msg, "property name is not valid UTF-8") != NULL);
	cJSON_Delete(o);
}

TEST(stix_validate_malformed_trees)
{
	struct vb_err e;
	/* cJSON keeps both members of a duplicated name; other readers would
	 * see the other one, so the object is refused. */
	cJSON *o = parse_q("{" SDO("tool") ",'name':'a','name':'b'}");
	CHECK(o != NULL);
	CHECK_INT(validate(o, &e), VB_EINPUT);
	CHECK_STR(e.pointer, "/name");
	CHECK(strstr(e.msg, "more than once") != NULL);
	cJSON_Delete(o);

	/* Many members: the sorted path of the duplicate check. */
	o = fixture_obj("indicator");
	cJSON *x = cJSON_AddObjectToObject(o, "x_many");
	char key[16];
	for (int i = 0; i < 100; i++) {
		snprintf(key, sizeof key, "k%d", i);
		cJSON_AddNumberToObject(x, key, i);
	}
	CHECK_INT(validate(o, &e), 0);
	cJSON_AddNumberToObject(x, "k57", 1);
	CHECK_INT(validate(o, &e), VB_EINPUT);
	CHECK_STR(e.pointer, "/x_many/k57");
	cJSON_Delete(o);

	o = fixture_obj("indicator");
	cJSON_AddNumberToObject(o, "x_num", INFINITY);
	CHECK_INT(validate(o, &e), VB_EINPUT);
	CHECK_STR(e.pointer, "/x_num");
	CHECK(strstr(e.msg, "range") != NULL);
	cJSON_Delete(o);

	/* RFC 6901 escaping of '/' and '~' in the pointer. */
	o = fixture_obj("indicator");
	cJSON_AddNumberToObject(o, "x_a/b", 1);
	CHECK_INT(validate(o, &e), VB_EINPUT);
	CHECK_STR(e.pointer, "/x_a~1b");
	cJSON_Delete(o);

	o = fixture_obj("file");
	cJSON_AddStringToObject(cJSON_GetObjectItemCaseSensitive(o, "hashes"), "a~b", "x");
	CHECK_INT(validate(o, &e), VB_EINPUT);
	CHECK_STR(e.pointer, "/hashes/a~0b");
	CHECK(strstr(e.msg, "dictionary keys") != NULL);
	cJSON_Delete(o);

	/* Values are quoted in messages, cut short and without control
	 * characters. */
	o = fixture_obj("indicator");
	char longid[400] = "identity--";
	memset(longid + 10, 'x', 300);
	longid[310] = '\n';
	longid[311] = 0;
	cJSON_ReplaceItemInObjectCaseSensitive(o, "created_by_ref", cJSON_CreateString(longid));
	CHECK_INT(validate(o, &e), VB_EINPUT);
	CHECK(strstr(e.msg, "...") != NULL && !strchr(e.msg, '\n') && strlen(e.msg) < 200);
	cJSON_Delete(o);

	/* err may be NULL. */
	o = fixture_obj("indicator");
	cJSON_DeleteItemFromObjectCaseSensitive(o, "pattern");
	CHECK_INT(stix_validate(o, NULL), VB_EINPUT);
	cJSON_Delete(o);
}

TEST(stix_validate_unknown_properties_untouched)
{
	cJSON *o = fixture_obj("indicator");
	char *before = cJSON_PrintUnformatted(o);
	struct vb_err e;
	CHECK_INT(validate(o, &e), 0);
	char *after = cJSON_PrintUnformatted(o);
	CHECK_STR(after, before);
	free(before);
	free(after);
	cJSON_Delete(o);
}

TEST(stix_type_kind_table)
{
	static const char *const sdo[] = {
	    "attack-pattern", "campaign",      "course-of-action", "grouping",
	    "identity",	      "incident",      "indicator",	   "infrastructure",
	    "intrusion-set",  "location",      "malware",	   "malware-analysis",
	    "note",	      "observed-data", "opinion",	   "report",
	    "threat-actor",   "tool",	       "vulnerability"};
	static const char *const sco[] = {"artifact",
					  "autonomous-system",
					  "directory",
					  "domain-name",
					  "email-addr",
					  "email-message",
					  "file",
					  "ipv4-addr",
					  "ipv6-addr",
					  "mac-addr",
					  "mutex",
					  "network-traffic",
					  "process",
					  "software",
					  "url",
					  "user-account",
					  "windows-registry-key",
					  "x509-certificate"};
	for (size_t i = 0; i < ARRAY_LEN(sdo); i++)
		CHECK_INT(stix_type_kind(sdo[i]), STIX_SDO);
	for (size_t i = 0; i < ARRAY_LEN(sco); i++)
		CHECK_INT(stix_type_kind(sco[i]), STIX_SCO);
	CHECK_INT(stix_type_kind("relationship"), STIX_SRO);
	CHECK_INT(stix_type_kind("sighting"), STIX_SRO);
	CHECK_INT(stix_type_kind("marking-definition"), STIX_META);
	CHECK_INT(stix_type_kind("language-content"), STIX_META);
	CHECK_INT(stix_type_kind("extension-definition"), STIX_META);
	CHECK_INT(stix_type_kind("bundle"), STIX_BUNDLE);
	CHECK_INT(stix_type_kind("x-mitre-tactic"), STIX_CUSTOM);
	CHECK_INT(stix_type_kind("Indicator"), STIX_CUSTOM);
	CHECK_INT(stix_type_kind(""), STIX_CUSTOM);
	CHECK_INT(stix_type_kind(NULL), STIX_CUSTOM);
}

TEST(stix_validate_tlp2_objects)
{
	/* The TLP 2.0 marking definitions stix_index.c hands out are valid. */
	static const char *const ids[] = {TLP_CLEAR, TLP_GREEN, TLP_AMBER, TLP_AMBER_STRICT,
					  TLP_RED};
	for (size_t i = 0; i < ARRAY_LEN(ids); i++) {
		cJSON *o = stix_tlp_object(ids[i]);
		CHECK(o != NULL);
		if (!o)
			continue;
		struct vb_err e;
		if (validate(o, &e)) {
			fprintf(stderr, "  %s: %s: %s\n", ids[i], e.pointer, e.msg);
			*failed_ = 1;
		}
		cJSON_Delete(o);
	}
}

/* ---- the STIX 2.0 upgrade -------------------------------------------------------- */

#define SDO20(t) "'type':'" t "','id':'" t "--" U "','created':'" T0 "','modified':'" T0 "'"

static const char *member_str(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static const char *first_str(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
	return cJSON_IsArray(v) && cJSON_IsString(v->child) ? v->child->valuestring : NULL;
}

/* Upgrades text (2.0) and checks the result validates as 2.1. */
static cJSON *upgrade_ok(const char *text, int *failed_)
{
	cJSON *o = parse_q(text);
	CHECK(o != NULL);
	if (!o)
		return NULL;
	CHECK(stix_is_20(o));
	struct vb_err e;
	vb_err_clear(&e);
	CHECK_INT(stix_upgrade_20(o, &e), 0);
	CHECK(!stix_is_20(o));
	if (validate(o, &e)) {
		fprintf(stderr, "  upgraded object invalid: %s: %s\n", e.pointer, e.msg);
		*failed_ = 1;
	}
	return o;
}

TEST(stix_upgrade_indicator)
{
	cJSON *o = upgrade_ok(
	    "{" SDO20(
		"indicator") ",'labels':['malicious-activity'],'pattern':'[file:hashes.MD5 = ^" MD5X
			     "^]','valid_from':'" T0 "','object_marking_refs':['" TLP1_WHITE
			     "','" TLP_CLEAR "','" TLP1_GREEN
			     "'],'granular_markings':[{'selectors':['pattern'],'marking_ref':"
			     "'" TLP1_AMBER "'}],'x_custom':{'a':[1,2]}}",
	    failed_);
	if (!o)
		return;
	/* spec_version goes right after type. */
	CHECK_STR(o->child->string, "type");
	CHECK_STR(o->child->next->string, "spec_version");
	CHECK_STR(member_str(o, "spec_version"), "2.1");
	CHECK_STR(member_str(o, "pattern_type"), "stix");
	CHECK_STR(first_str(o, "indicator_types"), "malicious-activity");
	CHECK_STR(first_str(o, "labels"), "malicious-activity");
	const cJSON *m = cJSON_GetObjectItemCaseSensitive(o, "object_marking_refs");
	CHECK_INT(cJSON_GetArraySize(m), 2); /* WHITE became CLEAR, which was there */
	CHECK_STR(cJSON_GetArrayItem(m, 0)->valuestring, TLP_CLEAR);
	CHECK_STR(cJSON_GetArrayItem(m, 1)->valuestring, TLP_GREEN);
	const cJSON *gm = cJSON_GetObjectItemCaseSensitive(o, "granular_markings");
	CHECK_STR(member_str(gm->child, "marking_ref"), TLP_AMBER);
	char *custom = cJSON_PrintUnformatted(cJSON_GetObjectItemCaseSensitive(o, "x_custom"));
	CHECK_STR(custom, "{\"a\":[1,2]}");
	free(custom);

	/* Upgrading again changes nothing. */
	char *before = cJSON_PrintUnformatted(o);
	struct vb_err e;
	CHECK_INT(stix_upgrade_20(o, &e), 0);
	char *after = cJSON_PrintUnformatted(o);
	CHECK_STR(after, before);
	free(before);
	free(after);
	cJSON_Delete(o);
}

TEST(stix_upgrade_types_from_labels)
{
	static const struct {
		const char *json, *prop;
	} cases[] = {
	    {"{" SDO20("malware") ",'name':'x','labels':['backdoor']}", "malware_types"},
	    {"{" SDO20("tool") ",'name':'x','labels':['remote-access']}", "tool_types"},
	    {"{" SDO20("threat-actor") ",'name':'x','labels':['spy']}", "threat_actor_types"},
	    {"{" SDO20("report") ",'name':'x','labels':['campaign'],'published':'" T0
				 "','object_refs':['malware--" U "']}",
	     "report_types"},
	};
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		cJSON *o = upgrade_ok(cases[i].json, failed_);
		if (!o)
			continue;
		CHECK(first_str(o, cases[i].prop) != NULL);
		CHECK_STR(first_str(o, cases[i].prop), first_str(o, "labels"));
		cJSON_Delete(o);
	}

	/* malware gets is_family; an existing *_types is kept as it is. */
	cJSON *o = upgrade_ok(
	    "{" SDO20("malware") ",'name':'x','labels':['a'],'malware_types':['b']}", failed_);
	if (o) {
		CHECK(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, "is_family")));
		CHECK_STR(first_str(o, "malware_types"), "b");
		cJSON_Delete(o);
	}
	o = upgrade_ok("{" SDO20("malware") ",'name':'x','is_family':false}", failed_);
	if (o) {
		CHECK(cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(o, "is_family")));
		cJSON_Delete(o);
	}

	/* 2.0 timestamps to the second get their milliseconds. */
	o = upgrade_ok("{'type':'tool','id':'tool--" U "','created':'2016-01-01T00:00:00Z',"
		       "'modified':'2016-01-02T03:04:05.5Z','name':'x'}",
		       failed_);
	if (o) {
		CHECK_STR(member_str(o, "created"), "2016-01-01T00:00:00.000Z");
		CHECK_STR(member_str(o, "modified"), "2016-01-02T03:04:05.500Z");
		cJSON_Delete(o);
	}
}

TEST(stix_upgrade_other_objects)
{
	/* identity keeps identity_class; TLP 1.0 definitions stay as they are. */
	cJSON *o = upgrade_ok(
	    "{" SDO20("identity") ",'name':'MITRE','identity_class':'organization'}", failed_);
	if (o) {
		CHECK_STR(member_str(o, "identity_class"), "organization");
		cJSON_Delete(o);
	}
	o = upgrade_ok("{'type':'marking-definition','id':'" TLP1_AMBER
		       "','created':'2017-01-20T00:00:00.000Z','definition_type':'tlp',"
		       "'definition':{'tlp':'amber'}}",
		       failed_);
	if (o) {
		CHECK_STR(member_str(o, "id"), TLP1_AMBER);
		cJSON_Delete(o);
	}
	/* A 2.0 custom object (ATT&CK's x-mitre-tactic) gets spec_version. */
	o = upgrade_ok("{" SDO20("x-mitre-tactic") ",'name':'Credential Access',"
						   "'x_mitre_shortname':'credential-access'}",
		       failed_);
	if (o) {
		CHECK_STR(member_str(o, "x_mitre_shortname"), "credential-access");
		cJSON_Delete(o);
	}

	/* Not 2.0: 2.1 objects, SCOs, bundles, things that are not objects. */
	for (const char *const *t = (const char *const[]){"indicator", "marking-definition", NULL};
	     *t; t++) {
		const struct fixture *f = fixture(*t);
		if (!f)
			continue;
		cJSON *x = parse_q(f->json);
		CHECK(!stix_is_20(x));
		cJSON_Delete(x);
	}
	cJSON *x = fixture_obj("ipv4-addr");
	cJSON_DeleteItemFromObjectCaseSensitive(x, "spec_version");
	CHECK(!stix_is_20(x));
	cJSON_Delete(x);
	x = parse_q("{'type':'bundle','id':'bundle--" U "','spec_version':'2.0','objects':[]}");
	CHECK(!stix_is_20(x));
	cJSON_Delete(x);
	x = cJSON_CreateString("indicator");
	CHECK(!stix_is_20(x));
	struct vb_err e;
	vb_err_clear(&e);
	CHECK_INT(stix_upgrade_20(x, &e), VB_EINPUT);
	cJSON_Delete(x);
	x = parse_q("{'id':'x'}");
	CHECK_INT(stix_upgrade_20(x, &e), VB_EINPUT);
	CHECK_STR(e.pointer, "/type");
	cJSON_Delete(x);
}

/* ---- real data ----------------------------------------------------------------------- */

/* The shared data directory, or NULL when this machine does not have it. */
static const char *data_dir(void)
{
	static const char *const dirs[] = {"../shared/data/stix", "/work/shared/data/stix"};
	struct stat st;
	for (size_t i = 0; i < ARRAY_LEN(dirs); i++)
		if (stat(dirs[i], &st) == 0 && S_ISDIR(st.st_mode))
			return dirs[i];
	return NULL;
}

/* Real objects that are genuinely invalid per STIX 2.1, with the reason.
 * They must keep failing for that reason; everything else must pass. There
 * are none at present: every OASIS example and every ATT&CK object is valid
 * (ATT&CK Enterprise after the 2.0 upgrade). */
static const struct known_bad {
	const char *id;
	const char *pointer;
	const char *word;
} known_bad[] = {
    {NULL, NULL, NULL},
};

static const struct known_bad *known(const cJSON *o)
{
	const char *id = member_str(o, "id");
	for (size_t i = 0; id && i < ARRAY_LEN(known_bad); i++)
		if (known_bad[i].id && strcmp(known_bad[i].id, id) == 0)
			return &known_bad[i];
	return NULL;
}

struct tally {
	long files, objects, not_stix, known_bad, failed;
};

/* Validates one object of a real file (upgrading it first when it is 2.0). */
static void check_real(const cJSON *obj, const char *where, struct tally *t, int *failed_)
{
	cJSON *o = cJSON_Duplicate(obj, 1);
	struct vb_err e;
	vb_err_clear(&e);
	int rc = stix_is_20(o) ? stix_upgrade_20(o, &e) : 0;
	if (!rc)
		rc = stix_validate(o, &e);
	const struct known_bad *k = known(o);
	t->objects++;
	if (k) {
		t->known_bad++;
		if (rc != VB_EINPUT || !k->pointer || strcmp(e.pointer, k->pointer) ||
		    !strstr(e.msg, k->word)) {
			fprintf(stderr, "  %s %s: expected to fail at %s (%s), got %d %s %s\n",
				where, member_str(o, "id"), k->pointer ? k->pointer : "",
				k->word ? k->word : "", rc, e.pointer, e.msg);
			*failed_ = 1;
		}
	} else if (rc) {
		const char *id = member_str(o, "id");
		fprintf(stderr, "  %s: %s: %s: %s\n", where, id ? id : "(no id)", e.pointer, e.msg);
		t->failed++;
		*failed_ = 1;
	}
	cJSON_Delete(o);
}

static void check_file(const char *path, struct tally *t, int *failed_)
{
	char *text = NULL, why[256];
	size_t len;
	if (file_read_all(path, 256u << 20, &text, &len, why, sizeof why)) {
		fprintf(stderr, "  %s: %s\n", path, why);
		*failed_ = 1;
		return;
	}
	cJSON *doc = cJSON_ParseWithLength(text, len);
	free(text);
	t->files++;
	if (!doc) {
		fprintf(stderr, "  %s: not JSON\n", path);
		*failed_ = 1;
		return;
	}
	const cJSON *objs = cJSON_GetObjectItemCaseSensitive(doc, "objects");
	const char *type = member_str(doc, "type");
	if (type && strcmp(type, "bundle") == 0 && cJSON_IsArray(objs)) {
		const cJSON *o;
		cJSON_ArrayForEach(o, objs) check_real(o, path, t, failed_);
	} else if (type && member_str(doc, "id")) {
		check_real(doc, path, t, failed_);
	} else {
		/* e.g. the JSON Schemas of the OASIS interoperability profile */
		t->not_stix++;
	}
	cJSON_Delete(doc);
}

static void check_dir(const char *dir, struct tally *t, int *failed_)
{
	DIR *d = opendir(dir);
	if (!d)
		return;
	struct dirent *de;
	char path[1024];
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
		struct stat st;
		if (stat(path, &st))
			continue;
		if (S_ISDIR(st.st_mode))
			check_dir(path, t, failed_);
		else if (str_has_suffix(de->d_name, ".json"))
			check_file(path, t, failed_);
	}
	closedir(d);
}

TEST(stix_validate_oasis_examples)
{
	const char *base = data_dir();
	if (!base) {
		printf("  skipped: no shared data directory\n");
		return;
	}
	static const char *const sub[] = {"oasis-examples", "oasis-interop"};
	for (size_t i = 0; i < ARRAY_LEN(sub); i++) {
		char dir[512];
		snprintf(dir, sizeof dir, "%s/%s", base, sub[i]);
		struct tally t = {0};
		check_dir(dir, &t, failed_);
		printf(
		    "  %s: %ld files, %ld STIX objects (%ld known invalid), %ld failed, %ld files "
		    "without STIX content\n",
		    sub[i], t.files, t.objects, t.known_bad, t.failed, t.not_stix);
		if (i == 0)
			CHECK(t.objects >= 260);
	}
}

TEST(stix_validate_attack_ics_mobile)
{
	const char *base = data_dir();
	if (!base) {
		printf("  skipped: no shared data directory\n");
		return;
	}
	static const struct {
		const char *file;
		long objects;
	} sets[] = {{"ics-attack.json", 1826}, {"mobile-attack.json", 2148}};
	for (size_t i = 0; i < ARRAY_LEN(sets); i++) {
		char path[512];
		snprintf(path, sizeof path, "%s/%s", base, sets[i].file);
		struct tally t = {0};
		check_file(path, &t, failed_);
		printf("  %s: %ld objects, %ld failed\n", sets[i].file, t.objects, t.failed);
		CHECK_INT(t.objects, sets[i].objects);
		CHECK_INT(t.failed, 0);
	}
}

/* Wall and CPU clocks: on a busy machine the CPU time is the steadier one. */
struct stopwatch {
	struct timespec wall, cpu;
};

static void sw_start(struct stopwatch *sw)
{
	clock_gettime(CLOCK_MONOTONIC, &sw->wall);
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &sw->cpu);
}

static double ms_between(const struct timespec *a, const struct timespec *b)
{
	return (double)(b->tv_sec - a->tv_sec) * 1e3 + (double)(b->tv_nsec - a->tv_nsec) / 1e6;
}

/* Milliseconds since sw_start: wall time, and CPU time in *cpu_ms. */
static double sw_ms(const struct stopwatch *sw, double *cpu_ms)
{
	struct timespec wall, cpu;
	clock_gettime(CLOCK_MONOTONIC, &wall);
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &cpu);
	*cpu_ms = ms_between(&sw->cpu, &cpu);
	return ms_between(&sw->wall, &wall);
}

/* ATT&CK Enterprise is STIX 2.0: every object must upgrade and then pass. */
TEST(stix_upgrade_enterprise_attack)
{
	const char *base = data_dir();
	char path[512];
	snprintf(path, sizeof path, "%s/enterprise-attack.json.gz", base ? base : ".");
	gzFile gz = base ? gzopen(path, "rb") : NULL;
	if (!gz) {
		printf("  skipped: %s not found\n", path);
		return;
	}
	size_t cap = 64u << 20, len = 0;
	char *text = xmalloc(cap);
	for (;;) {
		if (len + (1u << 20) + 1 > cap) {
			CHECK(cap < (1u << 30));
			if (cap >= (1u << 30))
				break;
			cap *= 2;
			text = xrealloc(text, cap);
		}
		int n = gzread(gz, text + len, 1u << 20);
		if (n <= 0) {
			CHECK(n == 0);
			break;
		}
		len += (size_t)n;
	}
	gzclose(gz);
	text[len] = 0;

	struct stopwatch sw;
	double parse_cpu, work_cpu, validate_cpu;
	sw_start(&sw);
	cJSON *doc = cJSON_ParseWithLength(text, len);
	double parse_ms = sw_ms(&sw, &parse_cpu);
	free(text);
	CHECK(doc != NULL);
	const cJSON *objs = cJSON_GetObjectItemCaseSensitive(doc, "objects");
	long n = 0, upgraded = 0, failed = 0;
	sw_start(&sw);
	cJSON *o;
	cJSON_ArrayForEach(o, objs)
	{
		struct vb_err e;
		vb_err_clear(&e);
		int rc = 0;
		if (stix_is_20(o)) {
			upgraded++;
			rc = stix_upgrade_20(o, &e);
		}
		if (!rc)
			rc = stix_validate(o, &e);
		if (rc && failed++ < 10)
			fprintf(stderr, "  %s: %s: %s\n", member_str(o, "id"), e.pointer, e.msg);
		n++;
	}
	double work_ms = sw_ms(&sw, &work_cpu);

	/* Validation alone, now that every object is 2.1. */
	sw_start(&sw);
	long failed2 = 0;
	cJSON_ArrayForEach(o, objs)
	{
		if (stix_validate(o, NULL))
			failed2++;
	}
	double validate_ms = sw_ms(&sw, &validate_cpu);
	CHECK_INT(failed2, 0);
	printf("  enterprise-attack: %ld objects (%ld upgraded from 2.0), %ld failed\n"
	       "    upgrade+validate %.1f ms wall, %.1f ms CPU (%.0f objects/s CPU)\n"
	       "    validate again   %.1f ms wall, %.1f ms CPU\n"
	       "    (cJSON parse     %.1f ms wall, %.1f ms CPU)\n",
	       n, upgraded, failed, work_ms, work_cpu, work_cpu > 0 ? n / (work_cpu / 1e3) : 0.0,
	       validate_ms, validate_cpu, parse_ms, parse_cpu);
	CHECK_INT(n, 24771);
	CHECK_INT(upgraded, 24771);
	CHECK_INT(failed, 0);
	cJSON_Delete(doc);
}
