/* fuzz_log_csv.c: libFuzzer harness for the CSV with a header reader (log_csv_reader); see
 * fuzz_log.h. */
#include "fuzz_log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct log_mapping map[] = {
	    {"ip", OBS_IP}, {"ts", OBS_NONE}, {"b", OBS_STRING}};
	return fuzz_log_reader(&log_csv_reader, data, size, map, sizeof map / sizeof map[0]);
}
