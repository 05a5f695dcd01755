/* fuzz_log_zeek_json.c: libFuzzer harness for the Zeek JSON lines reader (log_zeek_json_reader);
 * see fuzz_log.h. */
#include "fuzz_log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct log_mapping map[] = {{"answers", OBS_DOMAIN}, {"x.y", OBS_NONE}};
	return fuzz_log_reader(&log_zeek_json_reader, data, size, map, sizeof map / sizeof map[0]);
}
