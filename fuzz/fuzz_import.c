/*
 * fuzz_import.c: libFuzzer harness over the whole import path: format
 * detection, the STIX stream scanner, the MISP, galaxy and list readers,
 * 2.0 upgrade, validation, indexing, and the store (in memory).
 */
#include "../src/ingest/ingest.h"
#include "../src/store/store.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

static struct store *st;

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	if (!st) {
		if (sodium_init() < 0 || store_open(":memory:", STORE_CREATE, &st, NULL))
			abort();
		/* Messages about bad input are expected; keep the output quiet. */
		if (!freopen("/dev/null", "w", stderr))
			abort();
	}
	int fd = memfd_create("fuzz-input", 0);
	if (fd < 0)
		abort();
	if (size && write(fd, data, size) != (ssize_t)size)
		abort();
	char path[64];
	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	/* Objects the list readers build are checked too: one that fails
	 * validation aborts (a bug in the reader). */
	struct ingest_opts opts = {.confidence = -1, .check_built = 1};
	struct ingest *ig = ingest_new(st, &opts);
	ingest_path(ig, path);
	ingest_free(ig);
	close(fd);
	return 0;
}
