/*
 * rest_import.c: POST /api/v1/import: a STIX bundle or a MISP event through
 * the same transactional path as `verbinding import` (ingest_file, one
 * transaction, all or nothing), owned by the caller's organisation.
 *
 * STIX bundles are checked here first with the same validator, object by
 * object, so the answer can say which object is wrong (/objects/N/...), and
 * every object without a TLP marking gets the organisation's default (also
 * those carrying only other markings, which the import would leave
 * unmarked). The import's counts are given as "stored" and "rejected" only:
 * telling new from unchanged would tell the caller that an object it cannot
 * see already exists.
 */
#include "rest.h"
#include "../ingest/ingest.h"
#include "../stix/stix.h"
#include "../util/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* Checks and completes the objects of a bundle in place. Returns 0 or
 * writes 400 and returns VB_EINPUT. */
static int prepare_bundle(struct http_request *req, struct http_response *res, cJSON *bundle,
			  long *count)
{
	cJSON *objs = cJSON_GetObjectItemCaseSensitive(bundle, "objects");
	*count = 0;
	if (!objs)
		return 0;
	if (!cJSON_IsArray(objs)) {
		http_error(req, res, 400, "/objects: must be a list");
		return VB_EINPUT;
	}
	int dflt = req->caller.org_default_tlp;
	if (dflt < STORE_TLP_CLEAR || dflt > STORE_TLP_RED)
		dflt = STORE_TLP_AMBER;
	long i = 0;
	cJSON *o;
	cJSON_ArrayForEach(o, objs)
	{
		struct vb_err e;
		vb_err_clear(&e);
		if (!cJSON_IsObject(o)) {
			http_error(req, res, 400, "/objects/%ld: not an object", i);
			return VB_EINPUT;
		}
		if (stix_is_20(o) && stix_upgrade_20(o, &e))
			goto bad;
		const cJSON *t = cJSON_GetObjectItemCaseSensitive(o, "type");
		int level = rest_marking_level(o);
		if (level == -2) {
			http_error(req, res, 400,
				   "/objects/%ld/object_marking_refs: must be a list", i);
			return VB_EINPUT;
		}
		if (level == STORE_TLP_NONE && cJSON_IsString(t) &&
		    strcmp(t->valuestring, "marking-definition") != 0)
			rest_add_marking(o, dflt);
		if (stix_validate(o, &e))
			goto bad;
		i++;
		continue;
	bad:
		http_error(req, res, 400, "/objects/%ld%s: %s", i, e.pointer, e.msg);
		return VB_EINPUT;
	}
	*count = i;
	return 0;
}

/* Reads the summary table ingest_summary printed (type, new, updated,
 * unchanged, rejected) into a JSON object of stored / rejected counts. */
static void summary_json(const char *text, struct buf *out, long *stored, long *rejected)
{
	*stored = *rejected = 0;
	buf_adds(out, "{");
	int first = 1;
	const char *line = text;
	while (line && *line) {
		const char *nl = strchr(line, '\n');
		size_t len = nl ? (size_t)(nl - line) : strlen(line);
		char type[80];
		long v[4];
		const char *p = line;
		size_t tl = 0;
		while (tl < len && line[tl] != ' ')
			tl++;
		int ok = tl > 0 && tl < sizeof type;
		if (ok) {
			memcpy(type, line, tl);
			type[tl] = 0;
			p = line + tl;
			for (int k = 0; k < 4 && ok; k++) {
				char *end;
				while (*p == ' ')
					p++;
				v[k] = strtol(p, &end, 10);
				ok = end != p;
				p = end;
			}
		}
		if (ok && strcmp(type, "type") != 0) {
			long st = v[0] + v[1] + v[2];
			if (strcmp(type, "total") == 0) {
				*stored = st;
				*rejected = v[3];
			} else {
				if (!first)
					buf_addc(out, ',');
				buf_add_json_str(out, type, strlen(type));
				buf_printf(out, ":{\"stored\":%ld,\"rejected\":%ld}", st, v[3]);
				first = 0;
			}
		}
		line = nl ? nl + 1 : NULL;
	}
	buf_adds(out, "}");
}

int rest_import(struct http_request *req, struct http_response *res)
{
	if (http_query_allow(req, res, (const char *const[]){"share", NULL}))
		return 0;
	struct store_share *sh;
	size_t n;
	if (rest_shares(req, res, &sh, &n))
		return 0;
	const char *why;
	/* Level-independent rule: only groups the caller's organisation is in. */
	if (access_check_shares(STORE_TLP_NONE, sh, n, req->caller.groups, req->caller.n_groups,
				&why)) {
		http_audit(req, "access.denied", NULL, "denied", why);
		return http_error(req, res, 403, "%s", why);
	}
	cJSON *doc = rest_parse_body(req, res);
	if (!doc)
		return 0;
	const cJSON *t = cJSON_GetObjectItemCaseSensitive(doc, "type");
	int is_bundle = cJSON_IsString(t) && strcmp(t->valuestring, "bundle") == 0;
	long count = 0;
	char *text = NULL;
	const char *data = req->body;
	size_t len = req->body_len;
	if (is_bundle) {
		if (prepare_bundle(req, res, doc, &count)) {
			cJSON_Delete(doc);
			return 0;
		}
		text = cJSON_PrintUnformatted(doc);
		data = text;
		len = text ? strlen(text) : 0;
	}
	cJSON_Delete(doc);
	if (!data)
		return VB_ENOMEM;
	/* The import reads files: hand it the body as an anonymous memory
	 * file, never touching the disk. */
	int fd = memfd_create("verbinding-import", MFD_CLOEXEC);
	size_t off = 0;
	while (fd >= 0 && off < len) {
		ssize_t w = write(fd, data + off, len - off);
		if (w <= 0)
			break;
		off += (size_t)w;
	}
	free(text);
	if (fd < 0 || off < len) {
		if (fd >= 0)
			close(fd);
		return VB_EIO;
	}
	char path[64];
	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	struct ingest_opts io = {.confidence = -1,
				 .owner_org = req->caller.org_id,
				 .shares = sh,
				 .n_shares = n,
				 .format = is_bundle ? "stix" : NULL,
				 .tlp = access_tlp_marking(req->caller.org_default_tlp)};
	struct ingest *ig = ingest_new(req->store, &io);
	int rc = ingest_file(ig, path, NULL);
	close(fd);
	char *sum = NULL;
	size_t sum_len = 0;
	FILE *mf = open_memstream(&sum, &sum_len);
	if (mf) {
		ingest_summary(ig, mf);
		fclose(mf);
	}
	ingest_free(ig);
	struct buf types;
	buf_init(&types, 1 << 20);
	long stored = 0, rejected = 0;
	summary_json(sum ? sum : "", &types, &stored, &rejected);
	free(sum);
	char detail[128];
	snprintf(detail, sizeof detail, "%s, %ld stored, %ld rejected",
		 is_bundle ? "stix" : "other", rc ? 0 : stored, rejected);
	http_audit(req, "import", NULL, rc ? "failed" : "ok", detail);
	if (rc == VB_EINPUT || rc == VB_EUSAGE) {
		buf_free(&types);
		return http_error(req, res, 400,
				  "the input was rejected as a whole (%ld invalid object(s) or a "
				  "format error); nothing was stored",
				  rejected);
	}
	if (rc == VB_ECONFLICT) {
		buf_free(&types);
		return http_error(req, res, 409,
				  "an object's id belongs to another organisation's object, and "
				  "only the creator adds versions; nothing was stored");
	}
	if (rc) {
		buf_free(&types);
		return rc;
	}
	buf_reset(&res->body);
	buf_printf(&res->body, "{\"stored\":%ld,\"rejected\":%ld,\"by_type\":", stored, rejected);
	buf_add(&res->body, types.p, types.len);
	buf_adds(&res->body, "}");
	buf_free(&types);
	res->status = 200;
	return 0;
}
