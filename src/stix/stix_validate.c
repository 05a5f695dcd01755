/*
 * stix_validate.c: checks one object against STIX 2.1 (OASIS Standard,
 * 10 June 2021) before it may enter the store.
 *
 * The rules are data. Every standard type has an entry in `types` with its
 * kind, a table of its properties (value kind, required or not, which types a
 * reference may point at, ranges, enumerations) and, where the specification
 * relates properties to each other, a check function. Embedded types
 * (external references, granular markings, the predefined SCO extensions,
 * ...) are described the same way.
 *
 * Validation runs in four passes so that the first error reported is the
 * most useful one:
 *
 *   1. the object: a JSON object with a well-formed type and id;
 *   2. limits over the whole tree: nesting depth, string length, UTF-8,
 *      finite numbers, duplicate member names, top-level property names;
 *   3. the common properties, then the type's own properties, then the rules
 *      that relate properties to each other;
 *   4. every other property named *_ref or *_refs anywhere in the tree
 *      (custom properties included) must hold identifiers.
 *
 * Unknown properties are never an error: the specification allows custom
 * properties and the store keeps them untouched. Custom object types only get
 * the common-property checks. Open vocabularies accept any string; only the
 * enumerations the specification closes are checked.
 */
#include "stix.h"
#include "pattern.h"
#include "../util/util.h"

#include <arpa/inet.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ROOT_SLOTS 64 /* hash index of the object's members (power of 2) */
#define DONE_MAX   64 /* reference values already checked by the tables */

/* Validation state: where we are in the object (a JSON pointer) and where the
 * error goes. */
struct seg {
	const char *key; /* a member name, or NULL for an array index */
	int index;
};

struct vctx {
	struct vb_err *err;
	const cJSON *root;
	const struct type_def *def; /* NULL for custom types */
	struct seg seg[STIX_MAX_DEPTH + 16];
	size_t nseg;
	char shown[4][80]; /* values quoted in the message being built */
	unsigned nshown;
	/* The rules look up the object's own members by name many times, so
	 * they are indexed once (open addressing). */
	const cJSON *slot[ROOT_SLOTS];
	int indexed;
	/* Reference values pass 3 has checked, which pass 4 need not redo. */
	const cJSON *done[DONE_MAX];
	int ndone;
	/* The walks keep the node at each depth and build the JSON pointer
	 * only when they fail. */
	const cJSON *trail[STIX_MAX_DEPTH + 2];
};

/* ---- JSON pointer and error reporting ---------------------------------- */

/* The position is kept as a stack of steps (member names point into the
 * tree or the rule tables); the JSON pointer text is only written when
 * validation fails. A path deeper than the stack is cut off. */
static size_t path_key(struct vctx *c, const char *key)
{
	size_t mark = c->nseg;
	if (c->nseg < ARRAY_LEN(c->seg))
		c->seg[c->nseg++] = (struct seg){key, 0};
	return mark;
}

static size_t path_index(struct vctx *c, int i)
{
	size_t mark = c->nseg;
	if (c->nseg < ARRAY_LEN(c->seg))
		c->seg[c->nseg++] = (struct seg){NULL, i};
	return mark;
}

static void path_pop(struct vctx *c, size_t mark)
{
	c->nseg = mark;
}

/* Writes the JSON pointer (RFC 6901: '~' as ~0, '/' as ~1) of the current
 * position into out, cut to cap - 1 bytes. */
static void path_format(const struct vctx *c, char *out, size_t cap)
{
	size_t n = 0;
#define PUT(ch)                                                                                    \
	do {                                                                                       \
		if (n + 1 < cap)                                                                   \
			out[n++] = (ch);                                                           \
	} while (0)
	for (size_t i = 0; i < c->nseg; i++) {
		PUT('/');
		if (!c->seg[i].key) {
			char num[16];
			int k = snprintf(num, sizeof num, "%d", c->seg[i].index);
			for (int j = 0; j < k; j++)
				PUT(num[j]);
			continue;
		}
		for (const char *p = c->seg[i].key; *p; p++) {
			if (*p == '~' || *p == '/') {
				PUT('~');
				PUT(*p == '~' ? '0' : '1');
			} else {
				PUT(*p);
			}
		}
	}
#undef PUT
	out[n] = 0;
}

static int failv(struct vctx *c, const char *fmt, va_list ap)
{
	if (!c->err)
		return VB_EINPUT;
	char msg[sizeof c->err->msg];
	vsnprintf(msg, sizeof msg, fmt, ap);
	vb_err_set(c->err, VB_EINPUT, "%s", msg);
	path_format(c, c->err->pointer, sizeof c->err->pointer);
	return VB_EINPUT;
}

/* Fails at the current position. */
__attribute__((format(printf, 2, 3))) static int fail(struct vctx *c, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int rc = failv(c, fmt, ap);
	va_end(ap);
	return rc;
}

/* Fails at member key of the current position (which may be absent). */
__attribute__((format(printf, 3, 4))) static int fail_at(struct vctx *c, const char *key,
							 const char *fmt, ...)
{
	size_t mark = path_key(c, key);
	va_list ap;
	va_start(ap, fmt);
	int rc = failv(c, fmt, ap);
	va_end(ap);
	path_pop(c, mark);
	return rc;
}

/* A value as it may appear in a message: at most 60 bytes (cut at a
 * character boundary), control characters and, in text that is not UTF-8,
 * non-ASCII bytes replaced by '?'. Valid until three more calls. */
static const char *show(struct vctx *c, const char *s)
{
	char *out = c->shown[c->nshown++ % ARRAY_LEN(c->shown)];
	const unsigned char *p = (const unsigned char *)s;
	size_t len = strlen(s), take = len;
	if (take > 60) {
		take = 60;
		while (take > 0 && (p[take] & 0xC0) == 0x80)
			take--;
	}
	int utf8 = utf8_valid(s, take);
	size_t n = 0;
	for (size_t i = 0; i < take; i++)
		out[n++] =
		    p[i] < 0x20 || p[i] == 0x7f || (!utf8 && p[i] >= 0x80) ? '?' : (char)p[i];
	if (take < len) {
		memcpy(out + n, "...", 3);
		n += 3;
	}
	out[n] = 0;
	return out;
}

static const char *json_kind(const cJSON *v)
{
	if (cJSON_IsNull(v))
		return "null";
	if (cJSON_IsBool(v))
		return "a boolean";
	if (cJSON_IsNumber(v))
		return "a number";
	if (cJSON_IsString(v))
		return "a string";
	if (cJSON_IsArray(v))
		return "an array";
	if (cJSON_IsObject(v))
		return "an object";
	return "an unsupported value";
}

/* A cheap hash of a member name: its length and three of its bytes. */
static uint32_t key_hash(const char *s)
{
	size_t n = strlen(s);
	if (!n)
		return 0;
	const unsigned char *u = (const unsigned char *)s;
	return (uint32_t)n * 2654435761u ^ (uint32_t)u[0] * 31u ^ (uint32_t)u[n / 2] * 131u ^
	       (uint32_t)u[n - 1] * 17u;
}

/* Indexes the members of the object (once its member names are known to be
 * distinct); objects with very many members are searched linearly. */
static void index_root(struct vctx *c)
{
	size_t n = 0;
	for (const cJSON *e = c->root->child; e; e = e->next)
		n++;
	c->indexed = n <= ROOT_SLOTS / 2;
	if (!c->indexed)
		return;
	memset(c->slot, 0, sizeof c->slot);
	for (const cJSON *e = c->root->child; e; e = e->next) {
		uint32_t h = key_hash(e->string) & (ROOT_SLOTS - 1);
		while (c->slot[h])
			h = (h + 1) & (ROOT_SLOTS - 1);
		c->slot[h] = e;
	}
}

static const cJSON *get(const struct vctx *c, const cJSON *o, const char *key)
{
	if (o != c->root || !c->indexed)
		return cJSON_GetObjectItemCaseSensitive(o, key);
	for (uint32_t h = key_hash(key) & (ROOT_SLOTS - 1); c->slot[h];
	     h = (h + 1) & (ROOT_SLOTS - 1))
		if (strcmp(c->slot[h]->string, key) == 0)
			return c->slot[h];
	return NULL;
}

static const char *get_str(const struct vctx *c, const cJSON *o, const char *key)
{
	const cJSON *v = get(c, o, key);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* ---- names and identifiers ---------------------------------------------- */

/* STIX type names (3.1): 3-250 of a-z, 0-9 and '-', starting with a letter,
 * without a trailing or double hyphen. */
static int type_name_ok(const char *s, size_t n)
{
	if (n < 3 || n > 250 || s[0] < 'a' || s[0] > 'z' || s[n - 1] == '-')
		return 0;
	for (size_t i = 0; i < n; i++) {
		char ch = s[i];
		if (ch == '-') {
			if (s[i + 1] == '-')
				return 0;
		} else if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9'))) {
			return 0;
		}
	}
	return 1;
}

/* Top-level property names (3.1): a-z, 0-9 and '_', starting with a letter,
 * 3-250 characters ("id" is the one standard name shorter than that). */
static int prop_name_ok(const char *s)
{
	size_t n = strlen(s);
	if (strcmp(s, "id") == 0)
		return 1;
	if (n < 3 || n > 250 || s[0] < 'a' || s[0] > 'z')
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
			return 0;
	return 1;
}

/* Dictionary keys (2.3): at most 250 of a-z, A-Z, 0-9, '-' and '_'; hashes
 * keys (2.7) also at least 3. */
static int dict_key_ok(const char *s, size_t min)
{
	size_t n = strlen(s);
	if (n < min || n > 250)
		return 0;
	for (size_t i = 0; i < n; i++) {
		char ch = s[i];
		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		      (ch >= '0' && ch <= '9') || ch == '-' || ch == '_'))
			return 0;
	}
	return 1;
}

/* uuid_valid (util.h) for a NUL-terminated string, by table: identifiers
 * are checked several times per object, so this is on the hot path. */
static int uuid_layout(const char *u)
{
	static const unsigned char hex[256] = {
	    ['0'] = 1, ['1'] = 1, ['2'] = 1, ['3'] = 1, ['4'] = 1, ['5'] = 1, ['6'] = 1, ['7'] = 1,
	    ['8'] = 1, ['9'] = 1, ['a'] = 1, ['b'] = 1, ['c'] = 1, ['d'] = 1, ['e'] = 1, ['f'] = 1,
	    ['A'] = 1, ['B'] = 1, ['C'] = 1, ['D'] = 1, ['E'] = 1, ['F'] = 1};
	for (int i = 0; i < 36; i++) {
		unsigned char ch = (unsigned char)u[i];
		if (i == 8 || i == 13 || i == 18 || i == 23 ? ch != '-' : !hex[ch])
			return 0;
	}
	return u[36] == 0;
}

/* NULL when s is "<type>--<UUID>" with a valid type name and an RFC 4122
 * UUID (*tlen then holds the length of the type part), else the reason. */
static const char *id_problem(const char *s, size_t *tlen)
{
	const char *sep = strstr(s, "--");
	if (!sep)
		return "an identifier has the form <type>--<UUID>";
	size_t n = (size_t)(sep - s);
	if (!type_name_ok(s, n))
		return "the part before '--' is not a valid type name";
	const char *u = sep + 2;
	if (!uuid_layout(u))
		return "the part after '--' is not a UUID";
	/* RFC 4122 layout: the variant bits of the 17th hex digit are 10. */
	if (!strchr("89abAB", u[19]))
		return "the UUID is not an RFC 4122 UUID (wrong variant bits)";
	*tlen = n;
	return NULL;
}

/* ---- rule tables: types ------------------------------------------------- */

struct type_def;

/* Which objects a reference may point at: kinds (bits 1 << enum stix_kind)
 * and/or type names. */
struct ref_rule {
	unsigned kinds;
	const char *const *types;
	const char *what; /* "an identity", for "'x' is not an identity id" */
};

enum vkind {
	V_STRING,
	V_TIMESTAMP, /* RFC 3339, UTC ('Z') */
	V_BOOL,
	V_INT,	   /* range [lo, hi] when ranged */
	V_FLOAT,   /* range [lo, hi] when ranged */
	V_STRINGS, /* non-empty list of strings */
	V_ENUM,	   /* one of vals */
	V_ENUMS,   /* non-empty list of vals */
	V_REF,	   /* identifier allowed by ref (NULL: any type) */
	V_REFS,	   /* non-empty list of such identifiers */
	V_HASHES,  /* hashes dictionary */
	V_DICT,	   /* dictionary */
	V_HEX,	   /* even number of hex digits */
	V_BINARY,  /* base64 */
	V_OBJ,	   /* embedded object described by sub */
	V_OBJS,	   /* non-empty list of embedded objects described by sub */
	V_EXTENSIONS,
	V_SPEC_VERSION,
};

struct sub_rule;

struct prop {
	const char *name;
	enum vkind kind;
	int required;
	const struct ref_rule *ref;
	const char *const *vals;
	const struct sub_rule *sub;
	int ranged;
	double lo, hi;
};

/* An embedded type: its properties and the rules between them. */
struct sub_rule {
	const char *what; /* "external reference" */
	const struct prop *props;
	int (*check)(struct vctx *c, const cJSON *o);
};

struct type_def {
	const char *name;
	enum stix_kind kind;
	const struct prop *props;
	int (*check)(struct vctx *c, const cJSON *o);
};

#define KIND(k) (1u << (k))
/* clang-format off */
#define P(n, k, r) {.name = (n), .kind = (k), .required = (r)}
#define PX(n, k, r, ...) {.name = (n), .kind = (k), .required = (r), __VA_ARGS__}
#define RANGE(l, h) .ranged = 1, .lo = (l), .hi = (h)
#define END {.name = NULL}
/* clang-format on */

/* STIX integers (2.10) are JSON numbers without a fraction in
 * [-(2^53)+1, (2^53)-1], the range a double holds exactly. */
#define INT_LIMIT 9007199254740991.0

#define T_LIST(name, ...) static const char *const name[] = {__VA_ARGS__, NULL}
T_LIST(t_identity, "identity");
T_LIST(t_marking, "marking-definition");
T_LIST(t_relationship, "relationship");
T_LIST(t_observed_data, "observed-data");
T_LIST(t_identity_location, "identity", "location");
T_LIST(t_software, "software");
T_LIST(t_file_artifact, "file", "artifact");
T_LIST(t_sample, "file", "network-traffic", "artifact");
T_LIST(t_address, "ipv4-addr", "ipv6-addr", "mac-addr", "domain-name");
T_LIST(t_resolves, "ipv4-addr", "ipv6-addr", "domain-name");
T_LIST(t_mac, "mac-addr");
T_LIST(t_as, "autonomous-system");
T_LIST(t_email_addr, "email-addr");
T_LIST(t_user, "user-account");
T_LIST(t_artifact, "artifact");
T_LIST(t_directory, "directory");
T_LIST(t_file_directory, "file", "directory");
T_LIST(t_traffic, "network-traffic");
T_LIST(t_process, "process");
T_LIST(t_file, "file");

static const struct ref_rule r_identity = {0, t_identity, "an identity"};
static const struct ref_rule r_marking = {0, t_marking, "a marking-definition"};
static const struct ref_rule r_sdo = {KIND(STIX_SDO) | KIND(STIX_CUSTOM), NULL, "an SDO"};
static const struct ref_rule r_sco = {KIND(STIX_SCO) | KIND(STIX_CUSTOM), NULL, "an SCO"};
static const struct ref_rule r_endpoint = {KIND(STIX_SDO) | KIND(STIX_SCO) | KIND(STIX_CUSTOM),
					   NULL, "an SDO or SCO"};
static const struct ref_rule r_sco_sro = {KIND(STIX_SCO) | KIND(STIX_CUSTOM), t_relationship,
					  "an SCO or relationship"};
static const struct ref_rule r_observed_data = {0, t_observed_data, "an observed-data"};
static const struct ref_rule r_identity_location = {0, t_identity_location,
						    "an identity or location"};
static const struct ref_rule r_software = {0, t_software, "a software"};
static const struct ref_rule r_file_artifact = {0, t_file_artifact, "a file or artifact"};
static const struct ref_rule r_sample = {0, t_sample, "a file, network-traffic or artifact"};
static const struct ref_rule r_address = {0, t_address,
					  "an ipv4-addr, ipv6-addr, mac-addr or domain-name"};
static const struct ref_rule r_resolves = {0, t_resolves, "an ipv4-addr, ipv6-addr or domain-name"};
static const struct ref_rule r_mac = {0, t_mac, "a mac-addr"};
static const struct ref_rule r_as = {0, t_as, "an autonomous-system"};
static const struct ref_rule r_email_addr = {0, t_email_addr, "an email-addr"};
static const struct ref_rule r_user = {0, t_user, "a user-account"};
static const struct ref_rule r_artifact = {0, t_artifact, "an artifact"};
static const struct ref_rule r_directory = {0, t_directory, "a directory"};
static const struct ref_rule r_file_directory = {0, t_file_directory, "a file or directory"};
static const struct ref_rule r_traffic = {0, t_traffic, "a network-traffic"};
static const struct ref_rule r_process = {0, t_process, "a process"};
static const struct ref_rule r_file = {0, t_file, "a file"};

/* Enumerations the specification closes (open vocabularies are not here). */
T_LIST(e_opinion, "strongly-disagree", "disagree", "neutral", "agree", "strongly-agree");
T_LIST(e_extension_type, "new-sdo", "new-sco", "new-sro", "property-extension",
       "toplevel-property-extension");
T_LIST(e_encryption, "mime-type-indicated", "AES-256-GCM", "ChaCha20-Poly1305");
T_LIST(e_registry_type, "REG_NONE", "REG_SZ", "REG_EXPAND_SZ", "REG_BINARY", "REG_DWORD",
       "REG_DWORD_BIG_ENDIAN", "REG_DWORD_LITTLE_ENDIAN", "REG_LINK", "REG_MULTI_SZ",
       "REG_RESOURCE_LIST", "REG_FULL_RESOURCE_DESCRIPTION", "REG_RESOURCE_REQUIREMENTS_LIST",
       "REG_QWORD", "REG_INVALID_TYPE");
T_LIST(e_address_family, "AF_UNSPEC", "AF_INET", "AF_IPX", "AF_APPLETALK", "AF_NETBIOS", "AF_INET6",
       "AF_IRDA", "AF_BTH");
T_LIST(e_socket_type, "SOCK_STREAM", "SOCK_DGRAM", "SOCK_RAW", "SOCK_RDM", "SOCK_SEQPACKET");
T_LIST(e_integrity, "low", "medium", "high", "system");
T_LIST(e_start_type, "SERVICE_AUTO_START", "SERVICE_BOOT_START", "SERVICE_DEMAND_START",
       "SERVICE_DISABLED", "SERVICE_SYSTEM_ALERT");
T_LIST(e_service_type, "SERVICE_KERNEL_DRIVER", "SERVICE_FILE_SYSTEM_DRIVER",
       "SERVICE_WIN32_OWN_PROCESS", "SERVICE_WIN32_SHARE_PROCESS");
T_LIST(e_service_status, "SERVICE_CONTINUE_PENDING", "SERVICE_PAUSE_PENDING", "SERVICE_PAUSED",
       "SERVICE_RUNNING", "SERVICE_START_PENDING", "SERVICE_STOP_PENDING", "SERVICE_STOPPED");
T_LIST(e_tlp1, "white", "green", "amber", "red");

/* ---- embedded types ------------------------------------------------------ */

static int check_external_reference(struct vctx *c, const cJSON *o);
static int check_granular_marking(struct vctx *c, const cJSON *o);
static int check_mime_part(struct vctx *c, const cJSON *o);

static const struct prop external_reference_props[] = {
    P("source_name", V_STRING, 1), P("description", V_STRING, 0), P("url", V_STRING, 0),
    P("hashes", V_HASHES, 0),	   P("external_id", V_STRING, 0), END,
};
static const struct sub_rule sub_external_reference = {
    "external reference", external_reference_props, check_external_reference};

static const struct prop granular_marking_props[] = {
    P("selectors", V_STRINGS, 1),
    PX("marking_ref", V_REF, 0, .ref = &r_marking),
    P("lang", V_STRING, 0),
    END,
};
static const struct sub_rule sub_granular_marking = {"granular marking", granular_marking_props,
						     check_granular_marking};

static const struct prop kill_chain_phase_props[] = {
    P("kill_chain_name", V_STRING, 1),
    P("phase_name", V_STRING, 1),
    END,
};
static const struct sub_rule sub_kill_chain_phase = {"kill chain phase", kill_chain_phase_props,
						     NULL};

static const struct prop mime_part_props[] = {
    P("body", V_STRING, 0),
    PX("body_raw_ref", V_REF, 0, .ref = &r_file_artifact),
    P("content_type", V_STRING, 0),
    P("content_disposition", V_STRING, 0),
    END,
};
static const struct sub_rule sub_mime_part = {"email MIME part", mime_part_props, check_mime_part};

static const struct prop registry_value_props[] = {
    P("name", V_STRING, 0),
    P("data", V_STRING, 0),
    PX("data_type", V_ENUM, 0, .vals = e_registry_type),
    END,
};
static const struct sub_rule sub_registry_value = {"registry value", registry_value_props, NULL};

static const struct prop ads_props[] = {
    P("name", V_STRING, 1),
    P("hashes", V_HASHES, 0),
    PX("size", V_INT, 0, RANGE(0, INT_LIMIT)),
    END,
};
static const struct sub_rule sub_ads = {"alternate data stream", ads_props, NULL};

static const struct prop pe_section_props[] = {
    P("name", V_STRING, 1),
    PX("size", V_INT, 0, RANGE(0, INT_LIMIT)),
    PX("entropy", V_FLOAT, 0, RANGE(0, 8)),
    P("hashes", V_HASHES, 0),
    END,
};
static const struct sub_rule sub_pe_section = {"PE section", pe_section_props, NULL};

static const struct prop pe_optional_header_props[] = {
    P("magic_hex", V_HEX, 0),
    P("major_linker_version", V_INT, 0),
    P("minor_linker_version", V_INT, 0),
    PX("size_of_code", V_INT, 0, RANGE(0, INT_LIMIT)),
    PX("size_of_initialized_data", V_INT, 0, RANGE(0, INT_LIMIT)),
    PX("size_of_uninitialized_data", V_INT, 0, RANGE(0, INT_LIMIT)),
    P("address_of_entry_point", V_INT, 0),
    P("base_of_code", V_INT, 0),
    P("base_of_data", V_INT, 0),
    P("image_base", V_INT, 0),
    P("section_alignment", V_INT, 0),
    P("file_alignment", V_INT, 0),
    P("major_os_version", V_INT, 0),
    P("minor_os_version", V_INT, 0),
    P("major_image_version", V_INT, 0),
    P("minor_image_version", V_INT, 0),
    P("major_subsystem_version", V_INT, 0),
    P("minor_subsystem_version", V_INT, 0),
    P("win32_version_value_hex", V_HEX, 0),
    PX("size_of_image", V_INT, 0, RANGE(0, INT_LIMIT)),
    PX("size_of_headers", V_INT, 0, RANGE(0, INT_LIMIT)),
    P("checksum_hex", V_HEX, 0),
    P("subsystem_hex", V_HEX, 0),
    P("dll_characteristics_hex", V_HEX, 0),
    PX("size_of_stack_reserve", V_INT, 0, RANGE(0, INT_LIMIT)),
    PX("size_of_stack_commit", V_INT, 0, RANGE(0, INT_LIMIT)),
    PX("size_of_heap_reserve", V_INT, 0, RANGE(0, INT_LIMIT)),
    PX("size_of_heap_commit", V_INT, 0, RANGE(0, INT_LIMIT)),
    P("loader_flags_hex", V_HEX, 0),
    P("number_of_rva_and_sizes", V_INT, 0),
    P("hashes", V_HASHES, 0),
    END,
};
static const struct sub_rule sub_pe_optional_header = {"PE optional header",
						       pe_optional_header_props, NULL};

static const struct prop x509_v3_props[] = {
    P("basic_constraints", V_STRING, 0),
    P("name_constraints", V_STRING, 0),
    P("policy_constraints", V_STRING, 0),
    P("key_usage", V_STRING, 0),
    P("extended_key_usage", V_STRING, 0),
    P("subject_key_identifier", V_STRING, 0),
    P("authority_key_identifier", V_STRING, 0),
    P("subject_alternative_name", V_STRING, 0),
    P("issuer_alternative_name", V_STRING, 0),
    P("subject_directory_attributes", V_STRING, 0),
    P("crl_distribution_points", V_STRING, 0),
    P("inhibit_any_policy", V_STRING, 0),
    P("private_key_usage_period_not_before", V_TIMESTAMP, 0),
    P("private_key_usage_period_not_after", V_TIMESTAMP, 0),
    P("certificate_policies", V_STRING, 0),
    P("policy_mappings", V_STRING, 0),
    END,
};
static const struct sub_rule sub_x509_v3 = {"X.509 v3 extensions", x509_v3_props, NULL};

/* ---- predefined SCO extensions (STIX 2.1, 6.x) ---------------------------- */

static const struct prop archive_ext_props[] = {
    PX("contains_refs", V_REFS, 1, .ref = &r_file_directory),
    P("comment", V_STRING, 0),
    END,
};
static const struct prop ntfs_ext_props[] = {
    P("sid", V_STRING, 0),
    PX("alternate_data_streams", V_OBJS, 0, .sub = &sub_ads),
    END,
};
static const struct prop pdf_ext_props[] = {
    P("version", V_STRING, 0), P("is_optimized", V_BOOL, 0), P("document_info_dict", V_DICT, 0),
    P("pdfid0", V_STRING, 0),  P("pdfid1", V_STRING, 0),     END,
};
static const struct prop raster_image_ext_props[] = {
    PX("image_height", V_INT, 0, RANGE(0, INT_LIMIT)),
    PX("image_width", V_INT, 0, RANGE(0, INT_LIMIT)),
    PX("bits_per_pixel", V_INT, 0, RANGE(0, INT_LIMIT)),
    P("exif_tags", V_DICT, 0),
    END,
};
static const struct prop pebinary_ext_props[] = {
    P("pe_type", V_STRING, 1),
    P("imphash", V_STRING, 0),
    P("machine_hex", V_HEX, 0),
    PX("number_of_sections", V_INT, 0, RANGE(0, INT_LIMIT)),
    P("time_date_stamp", V_TIMESTAMP, 0),
    P("pointer_to_symbol_table_hex", V_HEX, 0),
    PX("number_of_symbols", V_INT, 0, RANGE(0, INT_LIMIT)),
    PX("size_of_optional_header", V_INT, 0, RANGE(0, INT_LIMIT)),
    P("characteristics_hex", V_HEX, 0),
    P("file_header_hashes", V_HASHES, 0),
    PX("optional_header", V_OBJ, 0, .sub = &sub_pe_optional_header),
    PX("sections", V_OBJS, 0, .sub = &sub_pe_section),
    END,
};
static const struct prop http_request_ext_props[] = {
    P("request_method", V_STRING, 1),
    P("request_value", V_STRING, 1),
    P("request_version", V_STRING, 0),
    P("request_header", V_DICT, 0),
    PX("message_body_length", V_INT, 0, RANGE(0, INT_LIMIT)),
    PX("message_body_data_ref", V_REF, 0, .ref = &r_artifact),
    END,
};
static const struct prop icmp_ext_props[] = {
    P("icmp_type_hex", V_HEX, 1),
    P("icmp_code_hex", V_HEX, 1),
    END,
};
static const struct prop socket_ext_props[] = {
    PX("address_family", V_ENUM, 1, .vals = e_address_family),
    P("is_blocking", V_BOOL, 0),
    P("is_listening", V_BOOL, 0),
    P("options", V_DICT, 0),
    PX("socket_type", V_ENUM, 0, .vals = e_socket_type),
    PX("socket_descriptor", V_INT, 0, RANGE(0, INT_LIMIT)),
    P("socket_handle", V_INT, 0),
    END,
};
static const struct prop tcp_ext_props[] = {
    P("src_flags_hex", V_HEX, 0),
    P("dst_flags_hex", V_HEX, 0),
    END,
};
static const struct prop windows_process_ext_props[] = {
    P("aslr_enabled", V_BOOL, 0),
    P("dep_enabled", V_BOOL, 0),
    P("priority", V_STRING, 0),
    P("owner_sid", V_STRING, 0),
    P("window_title", V_STRING, 0),
    P("startup_info", V_DICT, 0),
    PX("integrity_level", V_ENUM, 0, .vals = e_integrity),
    END,
};
static const struct prop windows_service_ext_props[] = {
    P("service_name", V_STRING, 0),
    P("descriptions", V_STRINGS, 0),
    P("display_name", V_STRING, 0),
    P("group_name", V_STRING, 0),
    PX("start_type", V_ENUM, 0, .vals = e_start_type),
    PX("service_dll_refs", V_REFS, 0, .ref = &r_file),
    PX("service_type", V_ENUM, 0, .vals = e_service_type),
    PX("service_status", V_ENUM, 0, .vals = e_service_status),
    END,
};
static const struct prop unix_account_ext_props[] = {
    P("gid", V_INT, 0),
    P("groups", V_STRINGS, 0),
    P("home_dir", V_STRING, 0),
    P("shell", V_STRING, 0),
    END,
};

struct ext_def {
	const char *name;
	const char *owner; /* the SCO type it extends */
	const struct prop *props;
};

static const struct ext_def extensions[] = {
    {"archive-ext", "file", archive_ext_props},
    {"ntfs-ext", "file", ntfs_ext_props},
    {"pdf-ext", "file", pdf_ext_props},
    {"raster-image-ext", "file", raster_image_ext_props},
    {"windows-pebinary-ext", "file", pebinary_ext_props},
    {"http-request-ext", "network-traffic", http_request_ext_props},
    {"icmp-ext", "network-traffic", icmp_ext_props},
    {"socket-ext", "network-traffic", socket_ext_props},
    {"tcp-ext", "network-traffic", tcp_ext_props},
    {"windows-process-ext", "process", windows_process_ext_props},
    {"windows-service-ext", "process", windows_service_ext_props},
    {"unix-account-ext", "user-account", unix_account_ext_props},
};

/* ---- common properties --------------------------------------------------- */

static const struct prop common_props[] = {
    P("spec_version", V_SPEC_VERSION, 0),
    PX("created_by_ref", V_REF, 0, .ref = &r_identity),
    P("created", V_TIMESTAMP, 0),
    P("modified", V_TIMESTAMP, 0),
    P("revoked", V_BOOL, 0),
    P("labels", V_STRINGS, 0),
    PX("confidence", V_INT, 0, RANGE(0, 100)),
    P("lang", V_STRING, 0),
    PX("external_references", V_OBJS, 0, .sub = &sub_external_reference),
    PX("object_marking_refs", V_REFS, 0, .ref = &r_marking),
    PX("granular_markings", V_OBJS, 0, .sub = &sub_granular_marking),
    P("extensions", V_EXTENSIONS, 0),
    P("defanged", V_BOOL, 0),
    END,
};

/* 3.8: reserved for future versions; must not appear in STIX 2.1 content. */
static const char *const reserved_names[] = {"severity", "username", "phone_number", "action",
					     NULL};

/* Common properties each kind must have (besides type and id). */
static const char *const req_sdo_sro[] = {"spec_version", "created", "modified", NULL};
static const char *const req_meta[] = {"spec_version", "created", NULL};
static const char *const req_none[] = {NULL};

/* ---- SDOs (STIX 2.1, section 4) ------------------------------------------ */

static int check_seen(struct vctx *c, const cJSON *o);
static int check_indicator(struct vctx *c, const cJSON *o);
static int check_location(struct vctx *c, const cJSON *o);
static int check_malware(struct vctx *c, const cJSON *o);
static int check_malware_analysis(struct vctx *c, const cJSON *o);
static int check_observed_data(struct vctx *c, const cJSON *o);
static int check_relationship(struct vctx *c, const cJSON *o);
static int check_marking_definition(struct vctx *c, const cJSON *o);
static int check_language_content(struct vctx *c, const cJSON *o);
static int check_bundle(struct vctx *c, const cJSON *o);
static int check_artifact(struct vctx *c, const cJSON *o);
static int check_email_message(struct vctx *c, const cJSON *o);
static int check_file(struct vctx *c, const cJSON *o);
static int check_ip_value(struct vctx *c, const cJSON *o);
static int check_mac_value(struct vctx *c, const cJSON *o);
static int check_network_traffic(struct vctx *c, const cJSON *o);
static int check_any_property(struct vctx *c, const cJSON *o);
static int check_x509(struct vctx *c, const cJSON *o);

#define KILL_CHAIN PX("kill_chain_phases", V_OBJS, 0, .sub = &sub_kill_chain_phase)

static const struct prop attack_pattern_props[] = {
    P("name", V_STRING, 1),
    P("description", V_STRING, 0),
    P("aliases", V_STRINGS, 0),
    KILL_CHAIN,
    END,
};
static const struct prop campaign_props[] = {
    P("name", V_STRING, 1),
    P("description", V_STRING, 0),
    P("aliases", V_STRINGS, 0),
    P("first_seen", V_TIMESTAMP, 0),
    P("last_seen", V_TIMESTAMP, 0),
    P("objective", V_STRING, 0),
    END,
};
static const struct prop course_of_action_props[] = {
    P("name", V_STRING, 1),
    P("description", V_STRING, 0),
    END,
};
static const struct prop grouping_props[] = {
    P("name", V_STRING, 0),
    P("description", V_STRING, 0),
    P("context", V_STRING, 1),
    P("object_refs", V_REFS, 1),
    END,
};
static const struct prop identity_props[] = {
    P("name", V_STRING, 1),
    P("description", V_STRING, 0),
    P("roles", V_STRINGS, 0),
    P("identity_class", V_STRING, 0),
    P("sectors", V_STRINGS, 0),
    P("contact_information", V_STRING, 0),
    END,
};
static const struct prop incident_props[] = {
    P("name", V_STRING, 1),
    P("description", V_STRING, 0),
    KILL_CHAIN,
    END,
};
static const struct prop indicator_props[] = {
    P("name", V_STRING, 0),
    P("description", V_STRING, 0),
    P("indicator_types", V_STRINGS, 0),
    P("pattern", V_STRING, 1),
    P("pattern_type", V_STRING, 1),
    P("pattern_version", V_STRING, 0),
    P("valid_from", V_TIMESTAMP, 1),
    P("valid_until", V_TIMESTAMP, 0),
    KILL_CHAIN,
    END,
};
static const struct prop infrastructure_props[] = {
    P("name", V_STRING, 1),
    P("description", V_STRING, 0),
    P("infrastructure_types", V_STRINGS, 0),
    P("aliases", V_STRINGS, 0),
    KILL_CHAIN,
    P("first_seen", V_TIMESTAMP, 0),
    P("last_seen", V_TIMESTAMP, 0),
    END,
};
static const struct prop intrusion_set_props[] = {
    P("name", V_STRING, 1),
    P("description", V_STRING, 0),
    P("aliases", V_STRINGS, 0),
    P("first_seen", V_TIMESTAMP, 0),
    P("last_seen", V_TIMESTAMP, 0),
    P("goals", V_STRINGS, 0),
    P("resource_level", V_STRING, 0),
    P("primary_motivation", V_STRING, 0),
    P("secondary_motivations", V_STRINGS, 0),
    END,
};
static const struct prop location_props[] = {
    P("name", V_STRING, 0),
    P("description", V_STRING, 0),
    PX("latitude", V_FLOAT, 0, RANGE(-90, 90)),
    PX("longitude", V_FLOAT, 0, RANGE(-180, 180)),
    PX("precision", V_FLOAT, 0, RANGE(0, HUGE_VAL)),
    P("region", V_STRING, 0),
    P("country", V_STRING, 0),
    P("administrative_area", V_STRING, 0),
    P("city", V_STRING, 0),
    P("street_address", V_STRING, 0),
    P("postal_code", V_STRING, 0),
    END,
};
static const struct prop malware_props[] = {
    P("name", V_STRING, 0),
    P("description", V_STRING, 0),
    P("malware_types", V_STRINGS, 0),
    P("is_family", V_BOOL, 1),
    P("aliases", V_STRINGS, 0),
    KILL_CHAIN,
    P("first_seen", V_TIMESTAMP, 0),
    P("last_seen", V_TIMESTAMP, 0),
    PX("operating_system_refs", V_REFS, 0, .ref = &r_software),
    P("architecture_execution_envs", V_STRINGS, 0),
    P("implementation_languages", V_STRINGS, 0),
    P("capabilities", V_STRINGS, 0),
    PX("sample_refs", V_REFS, 0, .ref = &r_file_artifact),
    END,
};
static const struct prop malware_analysis_props[] = {
    P("product", V_STRING, 1),
    P("version", V_STRING, 0),
    PX("host_vm_ref", V_REF, 0, .ref = &r_software),
    PX("operating_system_ref", V_REF, 0, .ref = &r_software),
    PX("installed_software_refs", V_REFS, 0, .ref = &r_software),
    P("configuration_version", V_STRING, 0),
    P("modules", V_STRINGS, 0),
    P("analysis_engine_version", V_STRING, 0),
    P("analysis_definition_version", V_STRING, 0),
    P("submitted", V_TIMESTAMP, 0),
    P("analysis_started", V_TIMESTAMP, 0),
    P("analysis_ended", V_TIMESTAMP, 0),
    P("result_name", V_STRING, 0),
    P("result", V_STRING, 0),
    PX("analysis_sco_refs", V_REFS, 0, .ref = &r_sco),
    PX("sample_ref", V_REF, 0, .ref = &r_sample),
    END,
};
static const struct prop note_props[] = {
    P("abstract", V_STRING, 0),
    P("content", V_STRING, 1),
    P("authors", V_STRINGS, 0),
    P("object_refs", V_REFS, 1),
    END,
};
static const struct prop observed_data_props[] = {
    P("first_observed", V_TIMESTAMP, 1),
    P("last_observed", V_TIMESTAMP, 1),
    PX("number_observed", V_INT, 1, RANGE(1, 999999999)),
    PX("object_refs", V_REFS, 0, .ref = &r_sco_sro),
    END,
};
static const struct prop opinion_props[] = {
    P("explanation", V_STRING, 0),
    P("authors", V_STRINGS, 0),
    PX("opinion", V_ENUM, 1, .vals = e_opinion),
    P("object_refs", V_REFS, 1),
    END,
};
static const struct prop report_props[] = {
    P("name", V_STRING, 1),	    P("description", V_STRING, 0), P("report_types", V_STRINGS, 0),
    P("published", V_TIMESTAMP, 1), P("object_refs", V_REFS, 1),   END,
};
static const struct prop threat_actor_props[] = {
    P("name", V_STRING, 1),
    P("description", V_STRING, 0),
    P("threat_actor_types", V_STRINGS, 0),
    P("aliases", V_STRINGS, 0),
    P("first_seen", V_TIMESTAMP, 0),
    P("last_seen", V_TIMESTAMP, 0),
    P("roles", V_STRINGS, 0),
    P("goals", V_STRINGS, 0),
    P("sophistication", V_STRING, 0),
    P("resource_level", V_STRING, 0),
    P("primary_motivation", V_STRING, 0),
    P("secondary_motivations", V_STRINGS, 0),
    P("personal_motivations", V_STRINGS, 0),
    END,
};
static const struct prop tool_props[] = {
    P("name", V_STRING, 1),
    P("description", V_STRING, 0),
    P("tool_types", V_STRINGS, 0),
    P("aliases", V_STRINGS, 0),
    KILL_CHAIN,
    P("tool_version", V_STRING, 0),
    END,
};
static const struct prop vulnerability_props[] = {
    P("name", V_STRING, 1),
    P("description", V_STRING, 0),
    END,
};

/* ---- SROs (section 5) ----------------------------------------------------- */

static const struct prop relationship_props[] = {
    P("relationship_type", V_STRING, 1),
    P("description", V_STRING, 0),
    PX("source_ref", V_REF, 1, .ref = &r_endpoint),
    PX("target_ref", V_REF, 1, .ref = &r_endpoint),
    P("start_time", V_TIMESTAMP, 0),
    P("stop_time", V_TIMESTAMP, 0),
    END,
};
static const struct prop sighting_props[] = {
    P("description", V_STRING, 0),
    P("first_seen", V_TIMESTAMP, 0),
    P("last_seen", V_TIMESTAMP, 0),
    PX("count", V_INT, 0, RANGE(0, 999999999)),
    PX("sighting_of_ref", V_REF, 1, .ref = &r_sdo),
    PX("observed_data_refs", V_REFS, 0, .ref = &r_observed_data),
    PX("where_sighted_refs", V_REFS, 0, .ref = &r_identity_location),
    P("summary", V_BOOL, 0),
    END,
};

/* ---- meta objects (section 7) and the bundle (section 8) ------------------ */

static const struct prop marking_definition_props[] = {
    P("name", V_STRING, 0),
    P("definition_type", V_STRING, 0),
    END,
};
static const struct prop language_content_props[] = {
    P("modified", V_TIMESTAMP, 1),
    P("object_ref", V_REF, 1),
    P("object_modified", V_TIMESTAMP, 0),
    END,
};
static const struct prop extension_definition_props[] = {
    P("modified", V_TIMESTAMP, 1),
    PX("created_by_ref", V_REF, 1, .ref = &r_identity),
    P("name", V_STRING, 1),
    P("description", V_STRING, 0),
    P("schema", V_STRING, 1),
    P("version", V_STRING, 1),
    PX("extension_types", V_ENUMS, 1, .vals = e_extension_type),
    P("extension_properties", V_STRINGS, 0),
    END,
};
static const struct prop bundle_props[] = {END};

/* ---- SCOs (section 6) ----------------------------------------------------- */

static const struct prop artifact_props[] = {
    P("mime_type", V_STRING, 0),
    P("payload_bin", V_BINARY, 0),
    P("url", V_STRING, 0),
    P("hashes", V_HASHES, 0),
    PX("encryption_algorithm", V_ENUM, 0, .vals = e_encryption),
    P("decryption_key", V_STRING, 0),
    END,
};
static const struct prop autonomous_system_props[] = {
    PX("number", V_INT, 1, RANGE(0, INT_LIMIT)),
    P("name", V_STRING, 0),
    P("rir", V_STRING, 0),
    END,
};
static const struct prop directory_props[] = {
    P("path", V_STRING, 1),
    P("path_enc", V_STRING, 0),
    P("ctime", V_TIMESTAMP, 0),
    P("mtime", V_TIMESTAMP, 0),
    P("atime", V_TIMESTAMP, 0),
    PX("contains_refs", V_REFS, 0, .ref = &r_file_directory),
    END,
};
static const struct prop domain_name_props[] = {
    P("value", V_STRING, 1),
    PX("resolves_to_refs", V_REFS, 0, .ref = &r_resolves),
    END,
};
static const struct prop email_addr_props[] = {
    P("value", V_STRING, 1),
    P("display_name", V_STRING, 0),
    PX("belongs_to_ref", V_REF, 0, .ref = &r_user),
    END,
};
static const struct prop email_message_props[] = {
    P("is_multipart", V_BOOL, 1),
    P("date", V_TIMESTAMP, 0),
    P("content_type", V_STRING, 0),
    PX("from_ref", V_REF, 0, .ref = &r_email_addr),
    PX("sender_ref", V_REF, 0, .ref = &r_email_addr),
    PX("to_refs", V_REFS, 0, .ref = &r_email_addr),
    PX("cc_refs", V_REFS, 0, .ref = &r_email_addr),
    PX("bcc_refs", V_REFS, 0, .ref = &r_email_addr),
    P("message_id", V_STRING, 0),
    P("subject", V_STRING, 0),
    P("received_lines", V_STRINGS, 0),
    P("additional_header_fields", V_DICT, 0),
    P("body", V_STRING, 0),
    PX("body_multipart", V_OBJS, 0, .sub = &sub_mime_part),
    PX("raw_email_ref", V_REF, 0, .ref = &r_artifact),
    END,
};
static const struct prop file_props[] = {
    P("hashes", V_HASHES, 0),
    PX("size", V_INT, 0, RANGE(0, INT_LIMIT)),
    P("name", V_STRING, 0),
    P("name_enc", V_STRING, 0),
    P("magic_number_hex", V_HEX, 0),
    P("mime_type", V_STRING, 0),
    P("ctime", V_TIMESTAMP, 0),
    P("mtime", V_TIMESTAMP, 0),
    P("atime", V_TIMESTAMP, 0),
    PX("parent_directory_ref", V_REF, 0, .ref = &r_directory),
    PX("contains_refs", V_REFS, 0, .ref = &r_sco),
    PX("content_ref", V_REF, 0, .ref = &r_artifact),
    END,
};
static const struct prop ip_addr_props[] = {
    P("value", V_STRING, 1),
    PX("resolves_to_refs", V_REFS, 0, .ref = &r_mac),
    PX("belongs_to_refs", V_REFS, 0, .ref = &r_as),
    END,
};
static const struct prop mac_addr_props[] = {
    P("value", V_STRING, 1),
    END,
};
static const struct prop mutex_props[] = {
    P("name", V_STRING, 1),
    END,
};
static const struct prop network_traffic_props[] = {
    P("start", V_TIMESTAMP, 0),
    P("end", V_TIMESTAMP, 0),
    P("is_active", V_BOOL, 0),
    PX("src_ref", V_REF, 0, .ref = &r_address),
    PX("dst_ref", V_REF, 0, .ref = &r_address),
    PX("src_port", V_INT, 0, RANGE(0, 65535)),
    PX("dst_port", V_INT, 0, RANGE(0, 65535)),
    P("protocols", V_STRINGS, 1),
    PX("src_byte_count", V_INT, 0, RANGE(0, INT_LIMIT)),
    PX("dst_byte_count", V_INT, 0, RANGE(0, INT_LIMIT)),
    PX("src_packets", V_INT, 0, RANGE(0, INT_LIMIT)),
    PX("dst_packets", V_INT, 0, RANGE(0, INT_LIMIT)),
    P("ipfix", V_DICT, 0),
    PX("src_payload_ref", V_REF, 0, .ref = &r_artifact),
    PX("dst_payload_ref", V_REF, 0, .ref = &r_artifact),
    PX("encapsulates_refs", V_REFS, 0, .ref = &r_traffic),
    PX("encapsulated_by_ref", V_REF, 0, .ref = &r_traffic),
    END,
};
static const struct prop process_props[] = {
    P("is_hidden", V_BOOL, 0),
    P("pid", V_INT, 0),
    P("created_time", V_TIMESTAMP, 0),
    P("cwd", V_STRING, 0),
    P("command_line", V_STRING, 0),
    P("environment_variables", V_DICT, 0),
    PX("opened_connection_refs", V_REFS, 0, .ref = &r_traffic),
    PX("creator_user_ref", V_REF, 0, .ref = &r_user),
    PX("image_ref", V_REF, 0, .ref = &r_file),
    PX("parent_ref", V_REF, 0, .ref = &r_process),
    PX("child_refs", V_REFS, 0, .ref = &r_process),
    END,
};
static const struct prop software_props[] = {
    P("name", V_STRING, 1),
    P("cpe", V_STRING, 0),
    P("swid", V_STRING, 0),
    P("languages", V_STRINGS, 0),
    P("vendor", V_STRING, 0),
    P("version", V_STRING, 0),
    END,
};
static const struct prop url_props[] = {
    P("value", V_STRING, 1),
    END,
};
static const struct prop user_account_props[] = {
    P("user_id", V_STRING, 0),
    P("credential", V_STRING, 0),
    P("account_login", V_STRING, 0),
    P("account_type", V_STRING, 0),
    P("display_name", V_STRING, 0),
    P("is_service_account", V_BOOL, 0),
    P("is_privileged", V_BOOL, 0),
    P("can_escalate_privs", V_BOOL, 0),
    P("is_disabled", V_BOOL, 0),
    P("account_created", V_TIMESTAMP, 0),
    P("account_expires", V_TIMESTAMP, 0),
    P("credential_last_changed", V_TIMESTAMP, 0),
    P("account_first_login", V_TIMESTAMP, 0),
    P("account_last_login", V_TIMESTAMP, 0),
    END,
};
static const struct prop windows_registry_key_props[] = {
    P("key", V_STRING, 0),
    PX("values", V_OBJS, 0, .sub = &sub_registry_value),
    P("modified_time", V_TIMESTAMP, 0),
    PX("creator_user_ref", V_REF, 0, .ref = &r_user),
    PX("number_of_subkeys", V_INT, 0, RANGE(0, INT_LIMIT)),
    END,
};
static const struct prop x509_certificate_props[] = {
    P("is_self_signed", V_BOOL, 0),
    P("hashes", V_HASHES, 0),
    P("version", V_STRING, 0),
    P("serial_number", V_STRING, 0),
    P("signature_algorithm", V_STRING, 0),
    P("issuer", V_STRING, 0),
    P("validity_not_before", V_TIMESTAMP, 0),
    P("validity_not_after", V_TIMESTAMP, 0),
    P("subject", V_STRING, 0),
    P("subject_public_key_algorithm", V_STRING, 0),
    P("subject_public_key_modulus", V_STRING, 0),
    P("subject_public_key_exponent", V_INT, 0),
    PX("x509_v3_extensions", V_OBJ, 0, .sub = &sub_x509_v3),
    END,
};

/* Every standard type, sorted by name for bsearch. */
static const struct type_def types[] = {
    {"artifact", STIX_SCO, artifact_props, check_artifact},
    {"attack-pattern", STIX_SDO, attack_pattern_props, NULL},
    {"autonomous-system", STIX_SCO, autonomous_system_props, NULL},
    {"bundle", STIX_BUNDLE, bundle_props, check_bundle},
    {"campaign", STIX_SDO, campaign_props, check_seen},
    {"course-of-action", STIX_SDO, course_of_action_props, NULL},
    {"directory", STIX_SCO, directory_props, NULL},
    {"domain-name", STIX_SCO, domain_name_props, NULL},
    {"email-addr", STIX_SCO, email_addr_props, NULL},
    {"email-message", STIX_SCO, email_message_props, check_email_message},
    {"extension-definition", STIX_META, extension_definition_props, NULL},
    {"file", STIX_SCO, file_props, check_file},
    {"grouping", STIX_SDO, grouping_props, NULL},
    {"identity", STIX_SDO, identity_props, NULL},
    {"incident", STIX_SDO, incident_props, NULL},
    {"indicator", STIX_SDO, indicator_props, check_indicator},
    {"infrastructure", STIX_SDO, infrastructure_props, check_seen},
    {"intrusion-set", STIX_SDO, intrusion_set_props, check_seen},
    {"ipv4-addr", STIX_SCO, ip_addr_props, check_ip_value},
    {"ipv6-addr", STIX_SCO, ip_addr_props, check_ip_value},
    {"language-content", STIX_META, language_content_props, check_language_content},
    {"location", STIX_SDO, location_props, check_location},
    {"mac-addr", STIX_SCO, mac_addr_props, check_mac_value},
    {"malware", STIX_SDO, malware_props, check_malware},
    {"malware-analysis", STIX_SDO, malware_analysis_props, check_malware_analysis},
    {"marking-definition", STIX_META, marking_definition_props, check_marking_definition},
    {"mutex", STIX_SCO, mutex_props, NULL},
    {"network-traffic", STIX_SCO, network_traffic_props, check_network_traffic},
    {"note", STIX_SDO, note_props, NULL},
    {"observed-data", STIX_SDO, observed_data_props, check_observed_data},
    {"opinion", STIX_SDO, opinion_props, NULL},
    {"process", STIX_SCO, process_props, check_any_property},
    {"relationship", STIX_SRO, relationship_props, check_relationship},
    {"report", STIX_SDO, report_props, NULL},
    {"sighting", STIX_SRO, sighting_props, check_seen},
    {"software", STIX_SCO, software_props, NULL},
    {"threat-actor", STIX_SDO, threat_actor_props, check_seen},
    {"tool", STIX_SDO, tool_props, NULL},
    {"url", STIX_SCO, url_props, NULL},
    {"user-account", STIX_SCO, user_account_props, NULL},
    {"vulnerability", STIX_SDO, vulnerability_props, NULL},
    {"windows-registry-key", STIX_SCO, windows_registry_key_props, NULL},
    {"x509-certificate", STIX_SCO, x509_certificate_props, check_x509},
};

static const struct type_def *type_find(const char *name)
{
	size_t lo = 0, hi = ARRAY_LEN(types);
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int cmp = strcmp(name, types[mid].name);
		if (cmp == 0)
			return &types[mid];
		if (cmp < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

enum stix_kind stix_type_kind(const char *type)
{
	const struct type_def *d = type ? type_find(type) : NULL;
	return d ? d->kind : STIX_CUSTOM;
}

/* ---- values ---------------------------------------------------------------- */

static int check_value(struct vctx *c, const cJSON *v, const struct prop *p);
static int check_props(struct vctx *c, const cJSON *o, const struct prop *props, const char *owner);

static int is_lower_hex(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return 1;
}

static int is_hex(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f') ||
		      (s[i] >= 'A' && s[i] <= 'F')))
			return 0;
	return 1;
}

/* RFC 4648 section 4 base64 with padding. */
static int is_base64(const char *s)
{
	size_t n = strlen(s), pad = 0;
	if (n == 0 || n % 4)
		return 0;
	for (size_t i = 0; i < n; i++) {
		char ch = s[i];
		if (ch == '=') {
			pad++;
			if (i < n - 2)
				return 0;
		} else if (pad || !((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
				    (ch >= '0' && ch <= '9') || ch == '+' || ch == '/')) {
			return 0;
		}
	}
	return 1;
}

static int ref_allowed(const char *type, const struct ref_rule *r)
{
	if (r->kinds & KIND(stix_type_kind(type)))
		return 1;
	for (const char *const *t = r->types; t && *t; t++)
		if (strcmp(type, *t) == 0)
			return 1;
	return 0;
}

/* v is the value of one reference; r says what it may point at. */
static int check_ref(struct vctx *c, const cJSON *v, const char *name, const struct ref_rule *r)
{
	if (!cJSON_IsString(v))
		return fail(c, "'%s' must be an identifier string, not %s", name, json_kind(v));
	size_t tlen;
	const char *why = id_problem(v->valuestring, &tlen);
	if (why && r)
		return fail(c, "'%s' is not %s id: %s", show(c, v->valuestring), r->what, why);
	if (why)
		return fail(c, "'%s' is not a STIX identifier: %s", show(c, v->valuestring), why);
	if (r) {
		char type[251];
		memcpy(type, v->valuestring, tlen);
		type[tlen] = 0;
		if (!ref_allowed(type, r))
			return fail(c, "'%s' is not %s id", show(c, v->valuestring), r->what);
	}
	if (v->string && c->ndone < DONE_MAX)
		c->done[c->ndone++] = v;
	return 0;
}

static int check_refs(struct vctx *c, const cJSON *v, const char *name, const struct ref_rule *r,
		      int allow_empty)
{
	if (!cJSON_IsArray(v))
		return fail(c, "'%s' must be a list of identifiers, not %s", name, json_kind(v));
	if (!allow_empty && !v->child)
		return fail(c, "'%s' must not be an empty list (leave the property out instead)",
			    name);
	int i = 0;
	for (const cJSON *e = v->child; e; e = e->next, i++) {
		size_t mark = path_index(c, i);
		int rc = check_ref(c, e, name, r);
		if (rc)
			return rc;
		path_pop(c, mark);
	}
	if (c->ndone < DONE_MAX)
		c->done[c->ndone++] = v;
	return 0;
}

static int check_timestamp(struct vctx *c, const cJSON *v, const char *name)
{
	int64_t us;
	if (!cJSON_IsString(v))
		return fail(c, "'%s' must be a timestamp string, not %s", name, json_kind(v));
	if (time_parse(v->valuestring, &us))
		return fail(c,
			    "'%s' is not a valid timestamp: '%s' (expected RFC 3339 in UTC, e.g. "
			    "2016-05-12T08:17:27.000Z)",
			    name, show(c, v->valuestring));
	return 0;
}

static int check_number(struct vctx *c, const cJSON *v, const struct prop *p)
{
	int integer = p->kind == V_INT;
	if (!cJSON_IsNumber(v))
		return fail(c, "'%s' must be %s, not %s", p->name,
			    integer ? "an integer" : "a number", json_kind(v));
	double d = v->valuedouble;
	if (integer && (d != floor(d) || fabs(d) > INT_LIMIT))
		return fail(c, "'%s' must be an integer, not %.15g", p->name, d);
	if (p->ranged && (d < p->lo || d > p->hi)) {
		if (p->hi >= INT_LIMIT)
			return fail(c, "'%s' must be at least %.15g, not %.15g", p->name, p->lo, d);
		return fail(c, "'%s' must be between %.15g and %.15g, not %.15g", p->name, p->lo,
			    p->hi, d);
	}
	return 0;
}

static int in_list(const char *s, const char *const *vals)
{
	for (; *vals; vals++)
		if (strcmp(s, *vals) == 0)
			return 1;
	return 0;
}

static int check_enum(struct vctx *c, const cJSON *v, const struct prop *p)
{
	if (!cJSON_IsString(v))
		return fail(c, "'%s' must be a string, not %s", p->name, json_kind(v));
	if (in_list(v->valuestring, p->vals))
		return 0;
	char list[400];
	size_t n = 0;
	list[0] = 0;
	for (const char *const *e = p->vals; *e && n < sizeof list; e++) {
		int k = snprintf(list + n, sizeof list - n, "%s%s", n ? ", " : "", *e);
		if (k < 0)
			break;
		n += (size_t)k;
	}
	return fail(c, "'%s' is not a valid %s: expected one of %s", show(c, v->valuestring),
		    p->name, list);
}

/* Non-empty array whose elements each pass fn. */
static int check_list(struct vctx *c, const cJSON *v, const struct prop *p,
		      int (*fn)(struct vctx *, const cJSON *, const struct prop *))
{
	if (!cJSON_IsArray(v))
		return fail(c, "'%s' must be a list, not %s", p->name, json_kind(v));
	if (!v->child)
		return fail(c, "'%s' must not be an empty list (leave the property out instead)",
			    p->name);
	int i = 0;
	for (const cJSON *e = v->child; e; e = e->next, i++) {
		size_t mark = path_index(c, i);
		int rc = fn(c, e, p);
		if (rc)
			return rc;
		path_pop(c, mark);
	}
	return 0;
}

static int list_string(struct vctx *c, const cJSON *e, const struct prop *p)
{
	if (!cJSON_IsString(e))
		return fail(c, "'%s' must be a list of strings; this element is %s", p->name,
			    json_kind(e));
	return 0;
}

static int list_enum(struct vctx *c, const cJSON *e, const struct prop *p)
{
	return check_enum(c, e, p);
}

static int check_sub(struct vctx *c, const cJSON *v, const struct prop *p)
{
	if (!cJSON_IsObject(v))
		return fail(c, "'%s' must be %s %s object, not %s", p->name,
			    strchr("aeiou", p->sub->what[0]) ? "an" : "a", p->sub->what,
			    json_kind(v));
	int rc = check_props(c, v, p->sub->props, p->sub->what);
	if (!rc && p->sub->check)
		rc = p->sub->check(c, v);
	return rc;
}

/* Dictionary: an object with at least one key; keys of at most 250 (and at
 * least min) characters of a-z, A-Z, 0-9, '-' and '_'; no null values. */
static int check_dict(struct vctx *c, const cJSON *v, const char *name, size_t min)
{
	if (!cJSON_IsObject(v))
		return fail(c, "'%s' must be a dictionary (JSON object), not %s", name,
			    json_kind(v));
	if (!v->child)
		return fail(c,
			    "'%s' must not be an empty dictionary (leave the property out instead)",
			    name);
	for (const cJSON *e = v->child; e; e = e->next) {
		if (!dict_key_ok(e->string, min))
			return fail_at(
			    c, e->string,
			    "'%s' is not a valid key of '%s': dictionary keys are %zu to "
			    "250 characters of a-z, A-Z, 0-9, '-' and '_'",
			    show(c, e->string), name, min);
		if (cJSON_IsNull(e))
			return fail_at(c, e->string, "dictionary values must not be null");
	}
	return 0;
}

/* Formats of the hash algorithms of the hashing-algorithm-ov that have a
 * fixed form; other (custom) algorithm names accept any string. */
static const struct {
	const char *name;
	size_t hexlen;
} hash_algos[] = {
    {"MD5", 32},      {"SHA-1", 40},	{"SHA-224", 56},  {"SHA-256", 64},  {"SHA-384", 96},
    {"SHA-512", 128}, {"SHA3-224", 56}, {"SHA3-256", 64}, {"SHA3-384", 96}, {"SHA3-512", 128},
};

static int check_hashes(struct vctx *c, const cJSON *v, const char *name)
{
	int rc = check_dict(c, v, name, 3);
	if (rc)
		return rc;
	for (const cJSON *e = v->child; e; e = e->next) {
		if (!cJSON_IsString(e) || !e->valuestring[0])
			return fail_at(c, e->string,
				       "hash values must be non-empty strings, not %s",
				       cJSON_IsString(e) ? "an empty string" : json_kind(e));
		const char *h = e->valuestring;
		size_t n = strlen(h);
		for (size_t i = 0; i < ARRAY_LEN(hash_algos); i++) {
			if (strcmp(e->string, hash_algos[i].name) != 0)
				continue;
			if (n != hash_algos[i].hexlen || !is_hex(h, n))
				return fail_at(
				    c, e->string,
				    "'%s' is not a valid %s hash: expected %zu hex digits",
				    show(c, h), e->string, hash_algos[i].hexlen);
		}
		if (strcmp(e->string, "SSDEEP") == 0) {
			/* blocksize:hash:hash, as ssdeep prints it */
			const char *colon = strchr(h, ':');
			if (!colon || colon == h || !strchr(colon + 1, ':'))
				return fail_at(c, e->string,
					       "'%s' is not a valid SSDEEP hash: expected "
					       "blocksize:hash:hash",
					       show(c, h));
		} else if (strcmp(e->string, "TLSH") == 0) {
			const char *t = h;
			if (t[0] == 'T' && t[1] == '1')
				t += 2;
			if (strlen(t) < 70 || !is_hex(t, strlen(t)))
				return fail_at(
				    c, e->string,
				    "'%s' is not a valid TLSH hash: expected at least 70 "
				    "hex digits, optionally after 'T1'",
				    show(c, h));
		}
	}
	return 0;
}

static int check_extension_value(struct vctx *c, const cJSON *v, const struct ext_def *ext)
{
	const char *owner = c->def ? c->def->name : NULL;
	if (owner && strcmp(owner, ext->owner) != 0)
		return fail(c, "'%s' is an extension of %s objects, not of %s", ext->name,
			    ext->owner, owner);
	return check_props(c, v, ext->props, ext->name);
}

/* extensions: keys are extension-definition ids (STIX 2.1 extension
 * mechanism) or names ending in "-ext" (the predefined SCO extensions and
 * deprecated custom ones); values are objects. */
static int check_extensions(struct vctx *c, const cJSON *v)
{
	static const struct prop ext_type = {
	    .name = "extension_type", .kind = V_ENUM, .vals = e_extension_type};
	if (!cJSON_IsObject(v))
		return fail(c, "'extensions' must be an object, not %s", json_kind(v));
	if (!v->child)
		return fail(c, "'extensions' must not be empty (leave the property out instead)");
	for (const cJSON *e = v->child; e; e = e->next) {
		size_t mark = path_key(c, e->string);
		if (!cJSON_IsObject(e))
			return fail(c, "an extension must be an object, not %s", json_kind(e));
		size_t tlen;
		int rc = 0;
		if (strncmp(e->string, "extension-definition--", 22) == 0) {
			const char *why = id_problem(e->string, &tlen);
			if (why)
				return fail(c, "'%s' is not an extension-definition id: %s",
					    show(c, e->string), why);
			const cJSON *t = get(c, e, "extension_type");
			if (!t)
				return fail_at(c, "extension_type",
					       "missing required property 'extension_type' (an "
					       "extension defined by an extension-definition)");
			size_t m2 = path_key(c, "extension_type");
			if ((rc = check_enum(c, t, &ext_type)))
				return rc;
			path_pop(c, m2);
		} else if (str_has_suffix(e->string, "-ext") && strlen(e->string) > 4) {
			for (size_t i = 0; i < ARRAY_LEN(extensions); i++)
				if (strcmp(e->string, extensions[i].name) == 0)
					rc = check_extension_value(c, e, &extensions[i]);
			if (rc)
				return rc;
		} else {
			return fail(c,
				    "extension key '%s' must be an extension-definition id or the "
				    "name of an extension ending in '-ext'",
				    show(c, e->string));
		}
		path_pop(c, mark);
	}
	return 0;
}

static int check_value(struct vctx *c, const cJSON *v, const struct prop *p)
{
	switch (p->kind) {
	case V_STRING:
		if (!cJSON_IsString(v))
			return fail(c, "'%s' must be a string, not %s", p->name, json_kind(v));
		return 0;
	case V_TIMESTAMP:
		return check_timestamp(c, v, p->name);
	case V_BOOL:
		if (!cJSON_IsBool(v))
			return fail(c, "'%s' must be true or false, not %s", p->name, json_kind(v));
		return 0;
	case V_INT:
	case V_FLOAT:
		return check_number(c, v, p);
	case V_STRINGS:
		return check_list(c, v, p, list_string);
	case V_ENUM:
		return check_enum(c, v, p);
	case V_ENUMS:
		return check_list(c, v, p, list_enum);
	case V_REF:
		return check_ref(c, v, p->name, p->ref);
	case V_REFS:
		return check_refs(c, v, p->name, p->ref, 0);
	case V_HASHES:
		return check_hashes(c, v, p->name);
	case V_DICT:
		return check_dict(c, v, p->name, 0);
	case V_HEX:
		if (!cJSON_IsString(v))
			return fail(c, "'%s' must be a hex string, not %s", p->name, json_kind(v));
		if (!v->valuestring[0] || strlen(v->valuestring) % 2 ||
		    !is_lower_hex(v->valuestring, strlen(v->valuestring)))
			return fail(
			    c, "'%s' must be an even number of lower-case hex digits, not '%s'",
			    p->name, show(c, v->valuestring));
		return 0;
	case V_BINARY:
		if (!cJSON_IsString(v))
			return fail(c, "'%s' must be a base64 string, not %s", p->name,
				    json_kind(v));
		if (!is_base64(v->valuestring))
			return fail(c, "'%s' is not valid base64 (RFC 4648, with padding)",
				    p->name);
		return 0;
	case V_OBJ:
		return check_sub(c, v, p);
	case V_OBJS:
		return check_list(c, v, p, check_sub);
	case V_EXTENSIONS:
		return check_extensions(c, v);
	case V_SPEC_VERSION:
		if (!cJSON_IsString(v))
			return fail(c, "'spec_version' must be the string \"2.1\", not %s",
				    json_kind(v));
		if (strcmp(v->valuestring, "2.1") != 0)
			return fail(c,
				    "spec_version '%s' is not supported: objects must be STIX 2.1 "
				    "(STIX 2.0 content is upgraded on import when it carries no "
				    "spec_version)",
				    show(c, v->valuestring));
		return 0;
	}
	return 0;
}

/* Checks every property of props that o has; owner names o in messages
 * ("indicator", "external reference"). */
static int check_props(struct vctx *c, const cJSON *o, const struct prop *props, const char *owner)
{
	for (const struct prop *p = props; p->name; p++) {
		const cJSON *v = get(c, o, p->name);
		if (!v) {
			if (p->required)
				return fail_at(c, p->name, "missing required property '%s' (%s)",
					       p->name, owner);
			continue;
		}
		size_t mark = path_key(c, p->name);
		int rc = check_value(c, v, p);
		if (rc)
			return rc;
		path_pop(c, mark);
	}
	return 0;
}

/* ---- rules between properties ---------------------------------------------- */

static int get_time(const struct vctx *c, const cJSON *o, const char *key, int64_t *us)
{
	const char *s = get_str(c, o, key);
	return s && time_parse(s, us) == 0;
}

/* second must not be earlier than first (strict: must be later). */
static int check_order(struct vctx *c, const cJSON *o, const char *first, const char *second,
		       int strict)
{
	int64_t a, b;
	if (!get_time(c, o, first, &a) || !get_time(c, o, second, &b))
		return 0;
	if (strict ? b > a : b >= a)
		return 0;
	if (strict)
		return fail_at(c, second, "%s must be later than %s", second, first);
	return fail_at(c, second, "%s must not be earlier than %s", second, first);
}

/* created and modified need at least millisecond precision (3.2). */
static int ms_precision(const char *ts)
{
	const char *dot = strchr(ts, '.');
	size_t digits = 0;
	if (dot)
		while (dot[1 + digits] >= '0' && dot[1 + digits] <= '9')
			digits++;
	return digits >= 3;
}

/* Rules on the common properties beyond their types. */
static int check_common_rules(struct vctx *c, const cJSON *o, enum stix_kind kind)
{
	for (const char *const *r = reserved_names; *r; r++)
		if (get(c, o, *r))
			return fail_at(
			    c, *r,
			    "'%s' is a reserved property name in STIX 2.1 and must not be "
			    "used",
			    *r);
	static const char *const versioning[] = {"created", "modified"};
	for (size_t i = 0; i < ARRAY_LEN(versioning); i++) {
		const char *ts = get_str(c, o, versioning[i]);
		if (ts && !ms_precision(ts))
			return fail_at(
			    c, versioning[i],
			    "%s must be precise to at least the millisecond (three digits "
			    "after the seconds, e.g. 2016-05-12T08:17:27.000Z), not '%s'",
			    versioning[i], show(c, ts));
	}
	if (get(c, o, "defanged") && kind != STIX_SCO && kind != STIX_CUSTOM)
		return fail_at(c, "defanged",
			       "defanged may only be used on cyber-observable objects");
	return check_order(c, o, "created", "modified", 0);
}

static int check_seen(struct vctx *c, const cJSON *o)
{
	return check_order(c, o, "first_seen", "last_seen", 0);
}

static int check_indicator(struct vctx *c, const cJSON *o)
{
	int rc = check_order(c, o, "valid_from", "valid_until", 1);
	if (rc)
		return rc;
	const char *type = get_str(c, o, "pattern_type");
	const char *pattern = get_str(c, o, "pattern");
	if (!type || !pattern || strcmp(type, "stix") != 0)
		return 0;
	struct pattern *p = NULL;
	struct vb_err pe;
	vb_err_clear(&pe);
	if (pattern_parse(pattern, strlen(pattern), &p, &pe)) {
		if (pe.column > 0)
			return fail_at(c, "pattern", "invalid STIX pattern at column %ld: %s",
				       pe.column, pe.msg);
		return fail_at(c, "pattern", "invalid STIX pattern: %s", pe.msg);
	}
	pattern_free(p);
	return 0;
}

static int check_location(struct vctx *c, const cJSON *o)
{
	int lat = get(c, o, "latitude") != NULL, lon = get(c, o, "longitude") != NULL;
	if (lat && !lon)
		return fail_at(c, "longitude", "latitude is given, so longitude is required too");
	if (lon && !lat)
		return fail_at(c, "latitude", "longitude is given, so latitude is required too");
	if (get(c, o, "precision") && !lat)
		return fail_at(c, "latitude", "precision requires latitude and longitude");
	if (!lat && !get(c, o, "region") && !get(c, o, "country"))
		return fail_at(c, "region",
			       "a location needs at least region, country, or latitude and "
			       "longitude");
	return 0;
}

static int check_malware(struct vctx *c, const cJSON *o)
{
	int rc = check_seen(c, o);
	if (rc)
		return rc;
	if (cJSON_IsTrue(get(c, o, "is_family")) && !get(c, o, "name"))
		return fail_at(c, "name",
			       "missing required property 'name' (malware with is_family true)");
	return 0;
}

static int check_malware_analysis(struct vctx *c, const cJSON *o)
{
	if (!get(c, o, "result") && !get(c, o, "analysis_sco_refs"))
		return fail_at(c, "result",
			       "a malware-analysis needs result or analysis_sco_refs (or both)");
	return 0;
}

/* observed-data: object_refs, or the deprecated objects dictionary of STIX
 * 2.0 style observables, one of them. */
static int check_observed_data(struct vctx *c, const cJSON *o)
{
	int rc = check_order(c, o, "first_observed", "last_observed", 0);
	if (rc)
		return rc;
	const cJSON *refs = get(c, o, "object_refs"), *objs = get(c, o, "objects");
	if (refs && objs)
		return fail_at(c, "objects",
			       "object_refs and the deprecated objects must not both be present");
	if (!refs && !objs)
		return fail_at(c, "object_refs",
			       "missing required property 'object_refs' (observed-data)");
	if (!objs)
		return 0;
	size_t mark = path_key(c, "objects");
	if ((rc = check_dict(c, objs, "objects", 0)))
		return rc;
	for (const cJSON *e = objs->child; e; e = e->next) {
		if (!cJSON_IsObject(e) || !get_str(c, e, "type"))
			return fail_at(c, e->string,
				       "each entry of objects must be an observable object with a "
				       "type");
	}
	path_pop(c, mark);
	return 0;
}

static int check_relationship(struct vctx *c, const cJSON *o)
{
	/* 5.1: ASCII a-z, 0-9 and '-'; 3.1: terms are 3 to 250 characters. */
	const char *rt = get_str(c, o, "relationship_type");
	size_t n = rt ? strlen(rt) : 0;
	int ok = n >= 3 && n <= 250;
	for (size_t i = 0; ok && i < n; i++)
		ok = (rt[i] >= 'a' && rt[i] <= 'z') || (rt[i] >= '0' && rt[i] <= '9') ||
		     rt[i] == '-';
	if (rt && !ok)
		return fail_at(c, "relationship_type",
			       "relationship_type '%s' must be 3 to 250 characters of a-z, 0-9 and "
			       "'-'",
			       show(c, rt));
	return check_order(c, o, "start_time", "stop_time", 1);
}

static const struct {
	const char *color, *id;
} tlp1[] = {
    {"white", TLP1_WHITE},
    {"green", TLP1_GREEN},
    {"amber", TLP1_AMBER},
    {"red", TLP1_RED},
};

/* STIX 2.1, 7.2: a marking is a definition_type plus definition (statement,
 * tlp, or a custom type), or is defined by an extension (TLP 2.0 does this).
 * TLP 1.0 markings must be the four predefined objects. */
static int check_marking_definition(struct vctx *c, const cJSON *o)
{
	const char *id = get_str(c, o, "id");
	const cJSON *refs = get(c, o, "object_marking_refs");
	int i = 0;
	for (const cJSON *r = refs ? refs->child : NULL; r; r = r->next, i++) {
		if (cJSON_IsString(r) && strcmp(r->valuestring, id) == 0) {
			size_t mark = path_key(c, "object_marking_refs");
			path_index(c, i);
			int rc = fail(c, "a marking-definition must not mark itself");
			path_pop(c, mark);
			return rc;
		}
	}
	const char *dt = get_str(c, o, "definition_type");
	const cJSON *d = get(c, o, "definition");
	if (!dt && !d) {
		if (get(c, o, "extensions"))
			return 0;
		return fail_at(c, "definition_type",
			       "a marking-definition needs definition_type and definition, or an "
			       "extension that defines the marking (as TLP 2.0 does)");
	}
	if (!dt)
		return fail_at(c, "definition_type",
			       "missing required property 'definition_type' (marking-definition "
			       "with a definition)");
	if (!d)
		return fail_at(c, "definition",
			       "missing required property 'definition' (marking-definition with a "
			       "definition_type)");
	if (!cJSON_IsObject(d))
		return fail_at(c, "definition", "'definition' must be an object, not %s",
			       json_kind(d));
	size_t mark = path_key(c, "definition");
	int rc = 0;
	if (strcmp(dt, "statement") == 0) {
		const cJSON *s = get(c, d, "statement");
		if (!s)
			rc = fail_at(c, "statement",
				     "missing required property 'statement' (statement marking)");
		else if (!cJSON_IsString(s))
			rc = fail_at(c, "statement", "'statement' must be a string, not %s",
				     json_kind(s));
	} else if (strcmp(dt, "tlp") == 0) {
		const cJSON *t = get(c, d, "tlp");
		if (!t)
			return fail_at(c, "tlp", "missing required property 'tlp' (TLP marking)");
		static const struct prop tlp_prop = {.name = "tlp", .kind = V_ENUM, .vals = e_tlp1};
		size_t m2 = path_key(c, "tlp");
		if ((rc = check_enum(c, t, &tlp_prop)))
			return rc;
		path_pop(c, m2);
		for (size_t k = 0; k < ARRAY_LEN(tlp1); k++)
			if (strcmp(t->valuestring, tlp1[k].color) == 0 && strcmp(id, tlp1[k].id))
				rc = fail_at(c, "tlp",
					     "TLP %s must be the predefined marking-definition %s; "
					     "no other TLP 1.0 marking-definition may be created",
					     tlp1[k].color, tlp1[k].id);
	}
	if (rc)
		return rc;
	path_pop(c, mark);
	return 0;
}

static int check_language_content(struct vctx *c, const cJSON *o)
{
	const cJSON *contents = get(c, o, "contents");
	if (!contents)
		return fail_at(c, "contents",
			       "missing required property 'contents' (language-content)");
	size_t mark = path_key(c, "contents");
	int rc = check_dict(c, contents, "contents", 0);
	if (rc)
		return rc;
	for (const cJSON *e = contents->child; e; e = e->next)
		if (!cJSON_IsObject(e) || !e->child)
			return fail_at(c, e->string,
				       "the contents for language '%s' must be a non-empty object "
				       "of translated properties",
				       show(c, e->string));
	path_pop(c, mark);
	return 0;
}

/* A bundle is checked only as a container; its objects are validated one by
 * one by whoever unpacks it. */
static int check_bundle(struct vctx *c, const cJSON *o)
{
	const cJSON *objs = get(c, o, "objects");
	if (!objs)
		return 0;
	if (!cJSON_IsArray(objs))
		return fail_at(c, "objects", "'objects' must be a list, not %s", json_kind(objs));
	size_t mark = path_key(c, "objects");
	int i = 0;
	for (const cJSON *e = objs->child; e; e = e->next, i++) {
		if (!cJSON_IsObject(e)) {
			path_index(c, i);
			return fail(c, "each element of objects must be a STIX object, not %s",
				    json_kind(e));
		}
	}
	path_pop(c, mark);
	return 0;
}

static int check_external_reference(struct vctx *c, const cJSON *o)
{
	if (!get(c, o, "description") && !get(c, o, "url") && !get(c, o, "external_id"))
		return fail_at(c, "source_name",
			       "an external reference needs description, url or external_id "
			       "besides source_name");
	return 0;
}

/* Resolves one granular-marking selector ("description",
 * "external_references.[0].source_name") against the object. */
static const char *selector_problem(const cJSON *root, const char *sel)
{
	const cJSON *at = root;
	const char *p = sel;
	if (!*p)
		return "it is empty";
	for (int first = 1;; first = 0) {
		const char *dot = strchr(p, '.');
		size_t n = dot ? (size_t)(dot - p) : strlen(p);
		if (n == 0)
			return "it has an empty step";
		if (p[0] == '[') {
			if (first || n < 3 || p[n - 1] != ']')
				return "a list index must be written .[n] after a property";
			long idx = 0;
			for (size_t i = 1; i + 1 < n; i++) {
				if (p[i] < '0' || p[i] > '9' || idx > 100000000)
					return "a list index must be a non-negative integer";
				idx = idx * 10 + (p[i] - '0');
			}
			if (!cJSON_IsArray(at))
				return "it indexes something that is not a list";
			if (idx >= cJSON_GetArraySize(at))
				return "a list index is past the end of the list";
			at = cJSON_GetArrayItem(at, (int)idx);
		} else {
			if (!cJSON_IsObject(at))
				return "it names a property of something that is not an object";
			const cJSON *next = NULL;
			for (const cJSON *e = at->child; e; e = e->next)
				if (strlen(e->string) == n && memcmp(e->string, p, n) == 0)
					next = e;
			if (!next)
				return "it names a property the object does not have";
			at = next;
		}
		if (!dot)
			return NULL;
		p = dot + 1;
	}
}

static int check_granular_marking(struct vctx *c, const cJSON *o)
{
	int ref = get(c, o, "marking_ref") != NULL, lang = get(c, o, "lang") != NULL;
	if (!ref && !lang)
		return fail_at(c, "marking_ref", "a granular marking needs marking_ref or lang");
	if (ref && lang)
		return fail_at(c, "lang", "a granular marking has marking_ref or lang, not both");
	const cJSON *sels = get(c, o, "selectors");
	int i = 0;
	for (const cJSON *s = sels->child; s; s = s->next, i++) {
		const char *why = selector_problem(c->root, s->valuestring);
		if (why) {
			size_t mark = path_key(c, "selectors");
			path_index(c, i);
			int rc = fail(c, "selector '%s' does not select part of this object: %s",
				      show(c, s->valuestring), why);
			path_pop(c, mark);
			return rc;
		}
	}
	return 0;
}

static int check_mime_part(struct vctx *c, const cJSON *o)
{
	if (!get(c, o, "body") && !get(c, o, "body_raw_ref"))
		return fail_at(c, "body", "an email MIME part needs body or body_raw_ref");
	return 0;
}

static int check_artifact(struct vctx *c, const cJSON *o)
{
	int bin = get(c, o, "payload_bin") != NULL, url = get(c, o, "url") != NULL;
	if (bin && url)
		return fail_at(c, "url", "an artifact has payload_bin or url, not both");
	if (!bin && !url)
		return fail_at(c, "payload_bin", "an artifact needs payload_bin or url");
	if (url && !get(c, o, "hashes"))
		return fail_at(c, "hashes",
			       "missing required property 'hashes' (artifact with a url)");
	return 0;
}

static int check_email_message(struct vctx *c, const cJSON *o)
{
	int multipart = cJSON_IsTrue(get(c, o, "is_multipart"));
	if (multipart && get(c, o, "body"))
		return fail_at(c, "body",
			       "body must not be used when is_multipart is true (use "
			       "body_multipart)");
	if (!multipart && get(c, o, "body_multipart"))
		return fail_at(c, "body_multipart",
			       "body_multipart must only be used when is_multipart is true");
	return 0;
}

static int check_file(struct vctx *c, const cJSON *o)
{
	if (!get(c, o, "hashes") && !get(c, o, "name"))
		return fail_at(c, "name", "a file needs name or hashes (or both)");
	return 0;
}

/* A CIDR prefix length: decimal digits without a leading zero, at most max. */
static int prefix_ok(const char *s, int max)
{
	int v = 0, nd = 0;
	for (; *s; s++, nd++) {
		if (*s < '0' || *s > '9' || nd == 3 || (nd == 1 && v == 0))
			return 0;
		v = v * 10 + (*s - '0');
	}
	return nd > 0 && v <= max;
}

/* An IPv4 address (a.b.c.d) or network (a.b.c.d/n), decimal without
 * leading zeros. */
static int ipv4_ok(const char *s)
{
	for (int part = 0; part < 4; part++) {
		if (part && *s++ != '.')
			return 0;
		int v = 0, nd = 0;
		const char *start = s;
		while (*s >= '0' && *s <= '9' && nd < 4) {
			v = v * 10 + (*s++ - '0');
			nd++;
		}
		if (nd == 0 || nd > 3 || v > 255 || (nd > 1 && *start == '0'))
			return 0;
	}
	if (*s == '/')
		return prefix_ok(s + 1, 32);
	return *s == 0;
}

static int ipv6_ok(const char *s)
{
	char buf[64];
	unsigned char addr[16];
	const char *slash = strchr(s, '/');
	size_t n = slash ? (size_t)(slash - s) : strlen(s);
	if (n == 0 || n >= sizeof buf)
		return 0;
	memcpy(buf, s, n);
	buf[n] = 0;
	if (inet_pton(AF_INET6, buf, addr) != 1)
		return 0;
	return !slash || prefix_ok(slash + 1, 128);
}

static int check_ip_value(struct vctx *c, const cJSON *o)
{
	const char *type = get_str(c, o, "type"), *v = get_str(c, o, "value");
	int v4 = strcmp(type, "ipv4-addr") == 0;
	if (v && !(v4 ? ipv4_ok(v) : ipv6_ok(v)))
		return fail_at(c, "value", "'%s' is not an %s address or CIDR network", show(c, v),
			       v4 ? "IPv4" : "IPv6");
	return 0;
}

static int check_mac_value(struct vctx *c, const cJSON *o)
{
	const char *v = get_str(c, o, "value");
	if (!v)
		return 0;
	int ok = strlen(v) == 17;
	for (int i = 0; ok && i < 17; i++)
		ok = i % 3 == 2 ? v[i] == ':'
				: (v[i] >= '0' && v[i] <= '9') || (v[i] >= 'a' && v[i] <= 'f');
	if (!ok)
		return fail_at(c, "value",
			       "'%s' is not a MAC address as STIX writes it: six colon-separated, "
			       "lower-case, two-digit hex octets (00:1a:2b:3c:4d:5e)",
			       show(c, v));
	return 0;
}

static int check_network_traffic(struct vctx *c, const cJSON *o)
{
	if (!get(c, o, "src_ref") && !get(c, o, "dst_ref"))
		return fail_at(c, "src_ref",
			       "a network-traffic needs src_ref or dst_ref (or both)");
	if (cJSON_IsTrue(get(c, o, "is_active")) && get(c, o, "end"))
		return fail_at(c, "end", "end must not be present while is_active is true");
	return check_order(c, o, "start", "end", 0);
}

/* Properties every SCO may have; an SCO that needs "at least one property"
 * needs one besides these. */
static int is_sco_common(const char *name)
{
	static const char *const common[] = {
	    "type",	"id", "spec_version", "object_marking_refs", "granular_markings",
	    "defanged", NULL};
	return in_list(name, common);
}

static int check_any_property(struct vctx *c, const cJSON *o)
{
	for (const cJSON *e = o->child; e; e = e->next)
		if (!is_sco_common(e->string))
			return 0;
	return fail(c, "a %s needs at least one property besides the common ones", c->def->name);
}

static int check_x509(struct vctx *c, const cJSON *o)
{
	for (const struct prop *p = x509_certificate_props; p->name; p++)
		if (get(c, o, p->name))
			return 0;
	return fail(c, "an x509-certificate needs at least one of its own properties (such as "
		       "hashes, serial_number or subject)");
}

/* ---- passes over the whole tree -------------------------------------------- */

/* Sets the path to the node at depth of the trail the walks keep. */
static void path_from_trail(struct vctx *c, int depth)
{
	path_pop(c, 0);
	for (int d = 2; d <= depth; d++) {
		const cJSON *parent = c->trail[d - 1], *node = c->trail[d];
		if (cJSON_IsArray(parent)) {
			int i = 0;
			for (const cJSON *e = parent->child; e && e != node; e = e->next)
				i++;
			path_index(c, i);
		} else {
			path_key(c, node->string);
		}
	}
}

/* Length of s, and whether it is all ASCII, eight bytes at a time. */
static size_t text_scan(const char *s, int *ascii)
{
	size_t n = strlen(s), i = 0;
	uint64_t acc = 0;
	for (; i + 8 <= n; i += 8) {
		uint64_t w;
		memcpy(&w, s + i, 8);
		acc |= w;
	}
	for (; i < n; i++)
		acc |= (unsigned char)s[i];
	*ascii = (acc & 0x8080808080808080ull) == 0;
	return n;
}

/* Why text s is not acceptable, or NULL; *len gets its length. */
static const char *text_problem(const char *s, size_t *len)
{
	int ascii;
	if (!s)
		return "without text";
	*len = text_scan(s, &ascii);
	if (*len > STIX_MAX_STRING)
		return "longer than the limit";
	if (!ascii && !utf8_valid(s, *len))
		return "is not valid UTF-8";
	return NULL;
}

static int check_text(struct vctx *c, const char *s, const char *what)
{
	size_t n = 0;
	const char *why = text_problem(s, &n);
	if (!why)
		return 0;
	if (strcmp(why, "longer than the limit") == 0)
		return fail(c, "%s of %zu bytes is longer than the limit of %d bytes", what, n,
			    STIX_MAX_STRING);
	return fail(c, "%s %s", what, why);
}

static int key_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* NULL when the members of o have distinct names, else a repeated name. */
static const char *duplicate_key(const cJSON *o)
{
	size_t n = 0;
	for (const cJSON *e = o->child; e; e = e->next)
		n++;
	if (n < 2)
		return NULL;
	if (n <= 32) {
		/* Compare hashes first; most objects are small. */
		uint32_t h[32];
		const cJSON *e = o->child;
		for (size_t i = 0; i < n; i++, e = e->next)
			h[i] = key_hash(e->string);
		const cJSON *a = o->child;
		for (size_t i = 0; i < n; i++, a = a->next) {
			const cJSON *b = a->next;
			for (size_t j = i + 1; j < n; j++, b = b->next)
				if (h[i] == h[j] && strcmp(a->string, b->string) == 0)
					return a->string;
		}
		return NULL;
	}
	const char **keys = xmalloc(n * sizeof *keys);
	size_t i = 0;
	for (const cJSON *e = o->child; e; e = e->next)
		keys[i++] = e->string;
	qsort(keys, n, sizeof *keys, key_cmp);
	const char *dup = NULL;
	for (i = 1; i < n && !dup; i++)
		if (strcmp(keys[i - 1], keys[i]) == 0)
			dup = keys[i];
	free(keys);
	return dup;
}

/* Pass 2: limits and well-formedness over the whole tree. depth is 1 for the
 * object itself; c->trail[depth] is v. */
static int walk_limits(struct vctx *c, const cJSON *v, int depth)
{
	if (depth > STIX_MAX_DEPTH) {
		path_from_trail(c, depth);
		return fail(c, "nested deeper than the limit of %d levels", STIX_MAX_DEPTH);
	}
	if (cJSON_IsString(v)) {
		size_t n;
		if (!text_problem(v->valuestring, &n))
			return 0;
		path_from_trail(c, depth);
		return check_text(c, v->valuestring, "string");
	}
	if (cJSON_IsNumber(v)) {
		if (isfinite(v->valuedouble))
			return 0;
		path_from_trail(c, depth);
		return fail(c, "number out of range");
	}
	if (cJSON_IsBool(v) || cJSON_IsNull(v))
		return 0;
	if (!cJSON_IsArray(v) && !cJSON_IsObject(v)) {
		path_from_trail(c, depth);
		return fail(c, "unsupported JSON value");
	}
	if (cJSON_IsObject(v)) {
		for (const cJSON *e = v->child; e; e = e->next) {
			size_t n;
			if (text_problem(e->string, &n)) {
				path_from_trail(c, depth);
				return check_text(c, e->string, "property name");
			}
			if (depth == 1 && !prop_name_ok(e->string)) {
				path_from_trail(c, depth);
				return fail_at(
				    c, e->string,
				    "'%s' is not a valid property name: STIX property names "
				    "are 3 to 250 characters of a-z, 0-9 and '_', starting "
				    "with a letter",
				    show(c, e->string));
			}
		}
		const char *dup = duplicate_key(v);
		if (dup) {
			path_from_trail(c, depth);
			return fail_at(c, dup, "property '%s' appears more than once",
				       show(c, dup));
		}
	}
	for (const cJSON *e = v->child; e; e = e->next) {
		c->trail[depth + 1] = e;
		int rc = walk_limits(c, e, depth + 1);
		if (rc)
			return rc;
	}
	return 0;
}

/* Pass 4: any property whose name ends in _ref or _refs holds identifiers
 * (STIX 2.1, 2.9 and 3.1), whether the type tables know it or not. The
 * deprecated observed-data objects use local keys instead and the objects of
 * a bundle are validated on their own, so those are skipped, as are the
 * values pass 3 has checked already. c->trail[depth] is v. */
static int walk_refs(struct vctx *c, const cJSON *v, int depth)
{
	for (const cJSON *e = v->child; e; e = e->next) {
		c->trail[depth + 1] = e;
		if (cJSON_IsArray(v) || !e->string) {
			int rc =
			    cJSON_IsArray(e) || cJSON_IsObject(e) ? walk_refs(c, e, depth + 1) : 0;
			if (rc)
				return rc;
			continue;
		}
		if (depth == 1 && c->def && strcmp(e->string, "objects") == 0 &&
		    (c->def->kind == STIX_BUNDLE || strcmp(c->def->name, "observed-data") == 0))
			continue;
		size_t kn = strlen(e->string);
		int ref = kn >= 4 && memcmp(e->string + kn - 4, "_ref", 4) == 0;
		int refs = kn >= 5 && memcmp(e->string + kn - 5, "_refs", 5) == 0;
		if (ref || refs) {
			int done = 0;
			for (int i = 0; i < c->ndone && !done; i++)
				done = c->done[i] == e;
			/* An empty string is taken as "no reference" here: ATT&CK
			 * ICS writes x_mitre_data_source_ref "", and the
			 * specification (3.1) requires references to be named
			 * *_ref, not every *_ref to hold one. The standard *_ref
			 * properties were checked in pass 3, where "" is an error. */
			if (done || (ref && cJSON_IsString(e) && !e->valuestring[0]))
				continue;
			path_from_trail(c, depth + 1);
			int rc = ref ? check_ref(c, e, e->string, NULL)
				     : check_refs(c, e, e->string, NULL, 1);
			if (rc)
				return rc;
			continue;
		}
		if (cJSON_IsArray(e) || cJSON_IsObject(e)) {
			int rc = walk_refs(c, e, depth + 1);
			if (rc)
				return rc;
		}
	}
	return 0;
}

/* ---- the entry point ------------------------------------------------------- */

/* Pass 1: the object, its type and its id. */
static int check_identity(struct vctx *c, const cJSON *obj, const char **type_out)
{
	if (!cJSON_IsObject(obj))
		return fail(c, "a STIX object must be a JSON object, not %s", json_kind(obj));
	const cJSON *t = get(c, obj, "type");
	if (!t)
		return fail_at(c, "type", "missing required property 'type'");
	if (!cJSON_IsString(t))
		return fail_at(c, "type", "'type' must be a string, not %s", json_kind(t));
	const char *type = t->valuestring;
	if (!type_name_ok(type, strlen(type)))
		return fail_at(c, "type",
			       "'%s' is not a valid type name: 3 to 250 characters of a-z, 0-9 and "
			       "'-', not starting or ending with '-' and without '--'",
			       show(c, type));
	const cJSON *id = get(c, obj, "id");
	if (!id)
		return fail_at(c, "id", "missing required property 'id' (%s)", type);
	if (!cJSON_IsString(id))
		return fail_at(c, "id", "'id' must be a string, not %s", json_kind(id));
	size_t tlen;
	const char *why = id_problem(id->valuestring, &tlen);
	if (why)
		return fail_at(c, "id", "'%s' is not a valid id: %s", show(c, id->valuestring),
			       why);
	if (tlen != strlen(type) || memcmp(id->valuestring, type, tlen) != 0)
		return fail_at(c, "id", "id '%s' must start with the object's type: '%s--'",
			       show(c, id->valuestring), type);
	*type_out = type;
	return 0;
}

int stix_validate(const cJSON *obj, struct vb_err *err)
{
	/* Only the fields that need a start value are set: the buffers are
	 * large and filled as they are used. */
	struct vctx c;
	c.err = err;
	c.root = obj;
	c.def = NULL;
	c.nseg = 0;
	c.nshown = 0;
	c.indexed = 0;
	c.ndone = 0;
	const char *type = NULL;
	int rc = check_identity(&c, obj, &type);
	if (rc)
		return rc;
	c.trail[1] = obj;
	if ((rc = walk_limits(&c, obj, 1)))
		return rc;
	index_root(&c);
	c.def = type_find(type);
	enum stix_kind kind = c.def ? c.def->kind : STIX_CUSTOM;

	const char *const *req = req_none;
	if (kind == STIX_SDO || kind == STIX_SRO)
		req = req_sdo_sro;
	else if (kind == STIX_META)
		req = req_meta;
	for (; *req; req++)
		if (!get(&c, obj, *req))
			return fail_at(&c, *req, "missing required property '%s' (%s)%s", *req,
				       type,
				       strcmp(*req, "spec_version") == 0
					   ? "; STIX 2.0 content must be upgraded to 2.1 first"
					   : "");
	if (kind != STIX_BUNDLE) {
		if ((rc = check_props(&c, obj, common_props, type)))
			return rc;
		if ((rc = check_common_rules(&c, obj, kind)))
			return rc;
	}
	if (c.def) {
		if ((rc = check_props(&c, obj, c.def->props, type)))
			return rc;
		if (c.def->check && (rc = c.def->check(&c, obj)))
			return rc;
	}
	c.trail[1] = obj;
	return walk_refs(&c, obj, 1);
}
