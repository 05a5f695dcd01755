/*
 * fuzz_pattern.c: libFuzzer harness for the STIX pattern parser.
 *
 * Parses the input as a pattern; when it parses, walks every comparison,
 * formats its path and re-parses a pattern built from that path, so the
 * formatter's quoting is checked against the parser as well. Every input,
 * valid or not, also goes through the value index's light scan
 * (stix_pattern_values). Any crash, sanitizer report or assertion failure
 * is a bug.
 */
#include "../src/stix/pattern.h"
#include "../src/stix/stix.h"

#include <assert.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void check_value(void *arg, const char *kind, const char *value)
{
	(void)arg;
	assert(kind[0] && strlen(kind) < 80 && strlen(value) < 4096);
}

static int check_cmp(void *arg, const struct pattern_cmp *c)
{
	size_t *count = arg;
	assert(c->index == *count);
	assert(c->nsteps >= 1 && c->steps[0].kind == PATTERN_STEP_KEY);
	(*count)++;

	/* "[PATH EXISTS]" must parse again and give back the same path text. */
	char path[512], src[600], again[512];
	pattern_path_format(c, path, sizeof path);
	if (strlen(path) + 1 >= sizeof path)
		return 0; /* truncated: nothing to compare */
	snprintf(src, sizeof src, "[EXISTS %s]", path);
	struct pattern *p;
	struct vb_err err;
	int rc = pattern_parse(src, strlen(src), &p, &err);
	assert(rc == 0);
	assert(p->ncmp == 1);
	pattern_path_format(p->cmps[0], again, sizeof again);
	assert(strcmp(path, again) == 0);
	pattern_free(p);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	memcpy(text, data, size);
	text[size] = 0;
	stix_pattern_values(text, check_value, NULL);
	free(text);
	struct pattern *p = NULL;
	struct vb_err err;
	memset(&err, 0, sizeof err);
	int rc = pattern_parse((const char *)data, size, &p, &err);
	if (rc != 0) {
		assert(rc == VB_EINPUT && p == NULL);
		assert(err.column >= 1 && err.column <= (long)size + 1);
		assert(err.msg[0] != 0);
		return 0;
	}
	size_t count = 0;
	assert(pattern_walk(p, check_cmp, &count) == 0);
	assert(count == p->ncmp && p->ncmp <= PATTERN_MAX_CMP);
	assert(p->nobs >= 1 && p->root != NULL);
	pattern_free(p);
	return 0;
}
