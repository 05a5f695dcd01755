/* fuzz_log_jsonl.c: libFuzzer harness for the generic JSON lines reader (log_jsonl_reader); see
 * fuzz_log.h. */
#include "fuzz_log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct log_mapping map[] = {
	    {"a.b", OBS_IP}, {"a.c", OBS_DOMAIN}, {"t", OBS_NONE}};
	return fuzz_log_reader(&log_jsonl_reader, data, size, map, sizeof map / sizeof map[0]);
}
