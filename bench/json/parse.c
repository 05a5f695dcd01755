/* parse.c: parses one file into a DOM with one of Debian's C JSON libraries,
 * for bench/json/run.sh. Built once per library (json-c and jansson clash in
 * one unit): cc -DUSE_CJSON ..., -DUSE_YAJL, -DUSE_JSONC, -DUSE_JANSSON.
 * Usage: parse FILE */
#include <stdio.h>
#include <stdlib.h>
#if defined USE_CJSON
#include <cjson/cJSON.h>
#elif defined USE_YAJL
#include <yajl/yajl_tree.h>
#elif defined USE_JSONC
#include <json-c/json.h>
#elif defined USE_JANSSON
#include <jansson.h>
#endif

static int parse(const char *buf, size_t n)
{
#if defined USE_CJSON
	cJSON *j = cJSON_ParseWithLength(buf, n);
	int ok = j != NULL;
	cJSON_Delete(j);
#elif defined USE_YAJL
	char err[256];
	yajl_val v = yajl_tree_parse(buf, err, sizeof err);
	int ok = v != NULL;
	yajl_tree_free(v);
#elif defined USE_JSONC
	struct json_tokener *t = json_tokener_new_ex(128);
	struct json_object *o = json_tokener_parse_ex(t, buf, (int)n);
	int ok = o != NULL;
	json_object_put(o);
	json_tokener_free(t);
#elif defined USE_JANSSON
	json_error_t e;
	json_t *j = json_loadb(buf, n, 0, &e);
	int ok = j != NULL;
	json_decref(j);
#endif
	return ok;
}

int main(int argc, char **argv)
{
	if (argc != 2)
		return 1;
	FILE *f = fopen(argv[1], "rb");
	if (!f)
		return 1;
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	rewind(f);
	char *buf = malloc((size_t)n + 1);
	if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n)
		return 1;
	buf[n] = 0;
	fclose(f);
	int ok = parse(buf, (size_t)n);
	free(buf);
	return ok ? 0 : 2;
}
