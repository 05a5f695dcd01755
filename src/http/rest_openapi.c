/*
 * rest_openapi.c: GET /api/v1/openapi.json, an OpenAPI 3.0 document built
 * from the route tables (every table the server has, TAXII included once it
 * exists) and the description each route carries. Because it is generated
 * from the same tables the router walks, a route cannot exist without being
 * described, nor be described without existing; the e2e test checks both
 * directions against the live server anyway.
 */
#include "rest.h"
#include "../util/util.h"

#include <stdio.h>
#include <string.h>

static const char *perm_name(enum access_perm p)
{
	switch (p) {
	case ACCESS_PERM_NONE:
		return "none";
	case ACCESS_PERM_READ:
		return "read";
	case ACCESS_PERM_SIGHT:
		return "sight";
	case ACCESS_PERM_WRITE:
		return "write";
	case ACCESS_PERM_ADMIN:
		return "admin";
	}
	return "none";
}

static void lower(char *s)
{
	for (; *s; s++)
		if (*s >= 'A' && *s <= 'Z')
			*s = (char)(*s + 32);
}

/* operationId: method and path with non-alphanumerics as '_'. */
static void op_id(const struct http_route *r, char *out, size_t cap)
{
	snprintf(out, cap, "%s", http_method_name(r->method));
	lower(out);
	size_t n = strlen(out);
	for (const char *p = r->path; *p && n + 1 < cap; p++)
		out[n++] = (char)((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
					  (*p >= '0' && *p <= '9')
				      ? *p
				      : '_');
	out[n] = 0;
}

static void path_params(cJSON *params, const char *path)
{
	for (const char *p = strchr(path, '{'); p; p = strchr(p + 1, '{')) {
		const char *e = strchr(p, '}');
		if (!e)
			break;
		char name[64];
		snprintf(name, sizeof name, "%.*s", (int)(e - p - 1), p + 1);
		cJSON *q = cJSON_CreateObject();
		cJSON_AddStringToObject(q, "name", name);
		cJSON_AddStringToObject(q, "in", "path");
		cJSON_AddTrueToObject(q, "required");
		cJSON_AddStringToObject(cJSON_AddObjectToObject(q, "schema"), "type", "string");
		cJSON_AddItemToArray(params, q);
	}
}

static void query_params(cJSON *params, const char *doc)
{
	const char *line = doc;
	while (line && *line) {
		const char *nl = strchr(line, '\n');
		size_t len = nl ? (size_t)(nl - line) : strlen(line);
		char buf[512];
		snprintf(buf, sizeof buf, "%.*s", (int)len, line);
		char *t = strchr(buf, '|'), *d = t ? strchr(t + 1, '|') : NULL;
		if (t && d) {
			*t++ = 0;
			*d++ = 0;
			size_t nl2 = strlen(buf);
			int repeat = nl2 && buf[nl2 - 1] == '*';
			if (repeat)
				buf[nl2 - 1] = 0;
			cJSON *q = cJSON_CreateObject();
			cJSON_AddStringToObject(q, "name", buf);
			cJSON_AddStringToObject(q, "in", "query");
			cJSON_AddStringToObject(q, "description", d);
			cJSON *schema = cJSON_AddObjectToObject(q, "schema");
			cJSON *item = schema;
			if (repeat) {
				cJSON_AddStringToObject(schema, "type", "array");
				item = cJSON_AddObjectToObject(schema, "items");
				cJSON_AddTrueToObject(q, "explode");
			}
			if (strcmp(t, "date-time") == 0) {
				cJSON_AddStringToObject(item, "type", "string");
				cJSON_AddStringToObject(item, "format", "date-time");
			} else {
				cJSON_AddStringToObject(item, "type", t);
			}
			cJSON_AddItemToArray(params, q);
		}
		line = nl ? nl + 1 : NULL;
	}
}

static cJSON *operation(const struct http_route_table *tb, const struct http_route *r)
{
	cJSON *op = cJSON_CreateObject();
	char id[300];
	op_id(r, id, sizeof id);
	cJSON_AddStringToObject(op, "operationId", id);
	cJSON_AddStringToObject(op, "summary", r->summary ? r->summary : "");
	cJSON_AddStringToObject(op, "description", r->description ? r->description : "");
	cJSON *tags = cJSON_AddArrayToObject(op, "tags");
	cJSON_AddItemToArray(tags, cJSON_CreateString(tb->name));
	cJSON *params = cJSON_CreateArray();
	path_params(params, r->path);
	if (r->query_doc)
		query_params(params, r->query_doc);
	if (cJSON_GetArraySize(params))
		cJSON_AddItemToObject(op, "parameters", params);
	else
		cJSON_Delete(params);
	if (r->max_body) {
		cJSON *rb = cJSON_AddObjectToObject(op, "requestBody");
		cJSON_AddTrueToObject(rb, "required");
		cJSON *content = cJSON_AddObjectToObject(rb, "content");
		const char *const *types = r->consumes ? r->consumes : rest_json_types;
		for (size_t i = 0; types[i]; i++)
			cJSON_AddStringToObject(
			    cJSON_AddObjectToObject(cJSON_AddObjectToObject(content, types[i]),
						    "schema"),
			    "type", "object");
	}
	cJSON *security = cJSON_AddArrayToObject(op, "security");
	if (r->auth != HTTP_AUTH_NONE) {
		static const char *const schemes[] = {"bearer", "basic", "session"};
		for (size_t i = 0; i < ARRAY_LEN(schemes); i++) {
			cJSON *s = cJSON_CreateObject();
			cJSON_AddArrayToObject(s, schemes[i]);
			cJSON_AddItemToArray(security, s);
		}
		if (r->auth == HTTP_AUTH_OPTIONAL) /* anonymous when public access is on */
			cJSON_AddItemToArray(security, cJSON_CreateObject());
	}
	cJSON_AddStringToObject(op, "x-verbinding-permission", perm_name(r->perm));
	cJSON *responses = cJSON_AddObjectToObject(op, "responses");
	cJSON *ok = cJSON_AddObjectToObject(responses, "2XX");
	cJSON_AddStringToObject(ok, "description", "success");
	cJSON_AddObjectToObject(cJSON_AddObjectToObject(ok, "content"),
				r->produces ? r->produces : "application/json");
	cJSON *err = cJSON_AddObjectToObject(responses, "default");
	cJSON_AddStringToObject(err, "description", "an error object");
	cJSON *ec =
	    cJSON_AddObjectToObject(cJSON_AddObjectToObject(err, "content"), "application/json");
	cJSON_AddStringToObject(cJSON_AddObjectToObject(ec, "schema"), "$ref",
				"#/components/schemas/Error");
	return op;
}

int rest_openapi(struct http_request *req, struct http_response *res)
{
	if (http_query_allow(req, res, (const char *const[]){NULL}))
		return 0;
	cJSON *doc = cJSON_CreateObject();
	cJSON_AddStringToObject(doc, "openapi", "3.0.3");
	cJSON *info = cJSON_AddObjectToObject(doc, "info");
	cJSON_AddStringToObject(info, "title", "verbinding");
	cJSON_AddStringToObject(info, "version", "0.1");
	cJSON_AddStringToObject(
	    info, "description",
	    "REST API of verbinding. Every read is filtered by the caller's organisation, "
	    "TLP 2.0 markings and sharing groups; an object the caller may not see answers "
	    "exactly like one that does not exist. Errors share one shape: "
	    "{\"error\": {\"status\", \"title\", \"detail\"}}.");
	cJSON *comp = cJSON_AddObjectToObject(doc, "components");
	cJSON *sec = cJSON_AddObjectToObject(comp, "securitySchemes");
	cJSON *b = cJSON_AddObjectToObject(sec, "bearer");
	cJSON_AddStringToObject(b, "type", "http");
	cJSON_AddStringToObject(b, "scheme", "bearer");
	cJSON *ba = cJSON_AddObjectToObject(sec, "basic");
	cJSON_AddStringToObject(ba, "type", "http");
	cJSON_AddStringToObject(ba, "scheme", "basic");
	cJSON *sc = cJSON_AddObjectToObject(sec, "session");
	cJSON_AddStringToObject(sc, "type", "apiKey");
	cJSON_AddStringToObject(sc, "in", "cookie");
	cJSON_AddStringToObject(sc, "name", "vb_session");
	cJSON *schemas = cJSON_AddObjectToObject(comp, "schemas");
	cJSON *es = cJSON_AddObjectToObject(schemas, "Error");
	cJSON_AddStringToObject(es, "type", "object");
	cJSON *ep = cJSON_AddObjectToObject(cJSON_AddObjectToObject(es, "properties"), "error");
	cJSON_AddStringToObject(ep, "type", "object");
	cJSON *props = cJSON_AddObjectToObject(ep, "properties");
	cJSON_AddStringToObject(cJSON_AddObjectToObject(props, "status"), "type", "integer");
	cJSON_AddStringToObject(cJSON_AddObjectToObject(props, "title"), "type", "string");
	cJSON_AddStringToObject(cJSON_AddObjectToObject(props, "detail"), "type", "string");
	cJSON *paths = cJSON_AddObjectToObject(doc, "paths");
	const struct http_route_table *const *tables = http_tables();
	for (size_t t = 0; tables[t]; t++)
		for (const struct http_route *r = tables[t]->routes; r && r->path; r++) {
			cJSON *item = cJSON_GetObjectItemCaseSensitive(paths, r->path);
			if (!item)
				item = cJSON_AddObjectToObject(paths, r->path);
			char m[16];
			snprintf(m, sizeof m, "%s", http_method_name(r->method));
			lower(m);
			cJSON_AddItemToObject(item, m, operation(tables[t], r));
		}
	int rc = http_reply_json(res, 200, doc);
	cJSON_Delete(doc);
	return rc;
}
