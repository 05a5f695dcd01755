/*
 * fuzz_taxii_envelope.c: libFuzzer harness over the TAXII request body
 * parsing that runs before any object reaches the import path: the
 * envelope splitter (every span must lie inside the input and start with a
 * JSON value) and match[version] values.
 */
#include "../src/http/taxii.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	const char *p = (const char *)data;
	struct taxii_span *sp;
	size_t n;
	struct taxii_envelope_err e;
	if (taxii_envelope_split(p, size, 64, &sp, &n, &e) == 0) {
		if (n == 0 || n > 64)
			abort();
		for (size_t i = 0; i < n; i++) {
			if (sp[i].off >= size || sp[i].len == 0 || sp[i].len > size - sp[i].off)
				abort();
			if (i && sp[i].off < sp[i - 1].off + sp[i - 1].len)
				abort();
			cJSON_Delete(cJSON_ParseWithLength(p + sp[i].off, sp[i].len));
		}
		free(sp);
	} else if (e.status != 400 && e.status != 413 && e.status != 422) {
		abort();
	} else if (e.pos > size) {
		abort();
	}
	char *s = malloc(size + 1);
	if (!s)
		abort();
	memcpy(s, data, size);
	s[size] = 0;
	struct taxii_versions v = {0};
	const char *why;
	taxii_versions_add(&v, s, &why);
	if (v.n_times > TAXII_MATCH_MAX)
		abort();
	free(s);
	return 0;
}
