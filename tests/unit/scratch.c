/* scratch.c: scratch stores for unit tests (see test.h). */
#include "test.h"
#include "../../src/store/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

struct store *test_store_new(char *path, size_t cap)
{
	snprintf(path, cap, "/tmp/vb-test-XXXXXX");
	int fd = mkstemp(path);
	if (fd < 0)
		return NULL;
	close(fd);
	unlink(path);
	struct store *s;
	struct vb_err e;
	vb_err_clear(&e);
	return store_open(path, STORE_CREATE, &s, &e) ? NULL : s;
}

void test_store_remove(struct store *s, const char *path)
{
	static const char *const suffix[] = {"", "-wal", "-shm", "-journal"};
	if (s)
		store_close(s);
	for (size_t i = 0; i < sizeof suffix / sizeof *suffix; i++) {
		char p[128];
		snprintf(p, sizeof p, "%s%s", path, suffix[i]);
		unlink(p);
	}
}
