/* test_ingest_writer.c: the import's writer thread on a real store: batches
 * are written in order with their outcomes, transaction calls wait for what
 * was queued before them, a refused object sticks until the next waited-for
 * commit (which rolls back and reports it), also across queued commits. */
#include "test.h"
#include "../../src/ingest/ingest_writer.h"
#include "../../src/util/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void note(struct wbatch *b, int n, const char *mod, int64_t owner)
{
	char id[64], json[128];
	snprintf(id, sizeof id, "note--00000000-0000-4000-8000-%012d", n);
	snprintf(json, sizeof json, "{\"id\":\"%s\"}", id);
	struct store_obj o = {0};
	o.id = id;
	o.type = "note";
	o.spec_version = "2.1";
	time_parse(mod, &o.modified);
	o.created = o.modified;
	o.confidence = -1;
	o.valid_from = o.valid_until = STORE_NO_TIME;
	o.json = json;
	o.json_len = strlen(json);
	o.owner_org = owner;
	o.tlp = -1;
	wbatch_add(b, &o);
}

static long stored(struct store *s)
{
	struct store_stats st;
	if (store_stats(s, &store_viewer_local, &st))
		return -1;
	long n = st.versions;
	store_stats_free(&st);
	return n;
}

TEST(writer_batches_and_conflicts)
{
	char path[64];
	struct store *s = test_store_new(path, sizeof path);
	CHECK(s);
	if (!s)
		return;
	struct writer *w = writer_start(s);
	CHECK(w != NULL);
	const char *T0 = "2024-01-01T00:00:00Z", *T1 = "2025-01-01T00:00:00Z";

	/* Two batches, then a commit that waits for both. */
	CHECK_INT(writer_tx(w, WRITER_BEGIN), 0);
	struct wbatch *b = writer_take(w);
	for (int i = 1; i <= 3; i++)
		note(b, i, T0, 1);
	writer_submit(w, b);
	b = writer_take(w);
	CHECK_INT((int)b->n, 0);
	note(b, 1, T0, 1); /* the same version again */
	note(b, 1, T1, 1); /* a newer one */
	writer_submit(w, b);
	CHECK_INT(writer_tx(w, WRITER_COMMIT), 0);
	CHECK_INT(stored(s), 4);
	int seen = 0;
	while ((b = writer_reclaim(w))) {
		if (b->n == 3)
			for (size_t i = 0; i < 3; i++)
				CHECK_INT(b->res[i], STORE_PUT_NEW);
		if (b->n == 2) {
			CHECK_INT(b->res[0], STORE_PUT_UNCHANGED);
			CHECK_INT(b->res[1], STORE_PUT_UPDATED);
		}
		seen += (int)b->n;
		wbatch_reset(b);
	}
	CHECK_INT(seen, 5);

	/* Another organisation's version is refused; later puts are skipped
	 * and the commit rolls everything back and says why. */
	CHECK_INT(writer_tx(w, WRITER_BEGIN), 0);
	b = writer_take(w);
	note(b, 10, T0, 2);
	note(b, 2, T1, 2); /* org 1's object */
	note(b, 11, T0, 2);
	writer_submit(w, b);
	CHECK_INT(writer_tx(w, WRITER_COMMIT), VB_ECONFLICT);
	CHECK_INT(writer_failed(w), 0);
	CHECK_INT(stored(s), 4);
	b = writer_reclaim(w);
	CHECK(b != NULL);
	CHECK_INT(b->res[0], STORE_PUT_NEW);
	CHECK_INT(b->res[1], -1);
	CHECK_INT(b->res[2], -1);
	wbatch_reset(b);

	/* Across queued commits: the failure sticks until a waited-for one. */
	CHECK_INT(writer_tx(w, WRITER_BEGIN), 0);
	b = writer_take(w);
	note(b, 3, T1, 2);
	writer_submit(w, b);
	writer_tx_async(w, WRITER_COMMIT);
	writer_tx_async(w, WRITER_BEGIN);
	b = writer_take(w);
	note(b, 20, T0, 1);
	writer_submit(w, b);
	CHECK(writer_tx(w, WRITER_COMMIT) != 0);
	CHECK_INT(stored(s), 4);

	/* And the writer goes on afterwards. */
	CHECK_INT(writer_tx(w, WRITER_BEGIN), 0);
	b = writer_take(w);
	wbatch_reset(b);
	note(b, 21, T0, 1);
	writer_submit(w, b);
	CHECK_INT(writer_tx(w, WRITER_COMMIT), 0);
	CHECK_INT(stored(s), 5);
	writer_stop(w);
	test_store_remove(s, path);
}
