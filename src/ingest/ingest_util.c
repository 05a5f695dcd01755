/* ingest_util.c: id and time helpers shared by the readers. */
#include "ingest.h"
#include "../stix/stix.h"
#include "../util/util.h"

#include <stdio.h>
#include <string.h>

void ingest_sco_id(const char *type, const char *canonical_json, char *out)
{
	char uuid[37];
	uuid_v5(STIX_SCO_NAMESPACE, canonical_json, strlen(canonical_json), uuid);
	snprintf(out, 300, "%s--%s", type, uuid);
}

void ingest_now(char out[32])
{
	int64_t now = time_now_us();
	time_format(now - now % 1000, out);
}
