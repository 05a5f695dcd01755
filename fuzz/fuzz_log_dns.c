/* fuzz_log_dns.c: libFuzzer harness for the BIND and dnsmasq query logs reader (log_dns_reader);
 * see fuzz_log.h. */
#include "fuzz_log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct log_mapping map[] = {{"unused", OBS_IP}};
	return fuzz_log_reader(&log_dns_reader, data, size, map, sizeof map / sizeof map[0]);
}
