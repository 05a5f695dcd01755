/*
 * log_zeek_json.c: the "zeek-json" reader: Zeek logs written as JSON lines
 * (LogAscii::use_json), one flat object per line with dotted keys
 * ("id.orig_h") and arrays for Zeek's vectors and sets ("answers").
 *
 * The scanning is the JSON lines reader's (log_jsonl.c): this file is
 * Zeek's field table and the sniffer. The table maps the fields the Zeek TSV
 * reader (log_zeek.c) maps, by name whatever the log (_path), since JSON
 * lines need not carry _path: a name means the same thing in every Zeek log
 * that has it. JSON has no column types, so the address and port columns
 * the TSV reader finds by type are listed by name here. Host and DNS answer
 * fields that hold an address literal come out as OBS_IP, and an answer
 * with a space (a TXT record) is dropped, as the TSV reader does. "ts" is
 * the event time, as epoch seconds (Zeek's default) or ISO 8601
 * (JSON::TS_ISO8601).
 *
 * --field mappings given by the user are added to the table and win over it.
 */
#include "detect.h"
#include "../util/util.h"

#include <stdlib.h>
#include <string.h>

static const struct log_mapping zeek_map[] = {
    {"ts", OBS_NONE},
    /* conn, dns, http, ssl, files, ... */
    {"id.orig_h", OBS_IP},
    {"id.resp_h", OBS_IP},
    {"id.orig_p", OBS_PORT},
    {"id.resp_p", OBS_PORT},
    /* dns */
    {"query", OBS_DOMAIN},
    {"answers", OBS_DOMAIN}, /* names and addresses */
    /* ssl */
    {"server_name", OBS_DOMAIN},
    {"cert_chain_fps", OBS_HASH},
    {"client_cert_chain_fps", OBS_HASH},
    /* x509 */
    {"fingerprint", OBS_HASH},
    {"san.dns", OBS_DOMAIN},
    {"san.email", OBS_EMAIL},
    {"san.ip", OBS_IP},
    {"san.uri", OBS_URL},
    /* http */
    {"host", OBS_DOMAIN},
    {"uri", OBS_URL}, /* a path: the event has "host" */
    {"referrer", OBS_URL},
    {"user_agent", OBS_STRING},
    /* smtp */
    {"mailfrom", OBS_EMAIL},
    {"rcptto", OBS_EMAIL},
    {"from", OBS_EMAIL}, /* header values, as the Zeek TSV reader maps them */
    {"to", OBS_EMAIL},
    {"cc", OBS_EMAIL},
    {"reply_to", OBS_EMAIL},
    {"helo", OBS_DOMAIN},
    {"x_originating_ip", OBS_IP},
    /* files */
    {"tx_hosts", OBS_IP},
    {"rx_hosts", OBS_IP},
    {"md5", OBS_MD5},
    {"sha1", OBS_SHA1},
    {"sha256", OBS_SHA256},
    /* notice */
    {"src", OBS_IP},
    {"dst", OBS_IP},
    /* dhcp */
    {"client_addr", OBS_IP},
    {"server_addr", OBS_IP},
    {"assigned_addr", OBS_IP},
    {"host_name", OBS_DOMAIN},
};

static int zeek_json_read(struct log_src *src, const struct log_opts *o, log_event_fn fn, void *arg,
			  struct log_stats *st)
{
	size_t nuser = o ? o->nmap : 0, n = nuser + ARRAY_LEN(zeek_map);
	struct log_mapping *map = xmalloc(n * sizeof *map);
	for (size_t i = 0; i < nuser; i++)
		map[i] = o->map[i];
	memcpy(map + nuser, zeek_map, sizeof zeek_map);
	struct log_opts zo = {map, n};
	int rc = log_jsonl_reader.read(src, &zo, fn, arg, st);
	free(map);
	return rc;
}

/* 1 when the first line of head (up to its end or len) has key at its top. */
static int has_key(const char *line, size_t n, const char *key)
{
	size_t k = strlen(key);
	for (const char *p = line; (p = memchr(p, '"', n - (size_t)(p - line))) != NULL; p++) {
		if ((size_t)(line + n - p) < k + 3)
			return 0;
		if (memcmp(p + 1, key, k) == 0 && p[k + 1] == '"') {
			const char *q = p + k + 2;
			while (q < line + n && (*q == ' ' || *q == '\t'))
				q++;
			if (q < line + n && *q == ':')
				return 1;
		}
	}
	return 0;
}

/* A JSON object with Zeek's "ts" and its "uid" or "_path" (x509 and a few
 * other logs have no uid), or "id.orig_h". */
static int zeek_json_sniff(const char *head, size_t len)
{
	size_t i = 0;
	while (i < len && (head[i] == ' ' || head[i] == '\t' || head[i] == '\r' || head[i] == '\n'))
		i++;
	if (i >= len || head[i] != '{')
		return 0;
	const char *line = head + i, *nl = memchr(line, '\n', len - i);
	size_t n = nl ? (size_t)(nl - line) : len - i;
	if (!has_key(line, n, "ts"))
		return 0;
	if (has_key(line, n, "uid") || has_key(line, n, "_path") || has_key(line, n, "id.orig_h"))
		return 90;
	return 0;
}

const struct log_reader log_zeek_json_reader = {
    .name = "zeek-json",
    .summary = "Zeek logs as JSON lines (dns, http, ssl, x509, smtp, files, conn, ...)",
    .sniff = zeek_json_sniff,
    .read = zeek_json_read,
};
