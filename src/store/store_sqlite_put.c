/*
 * store_sqlite_put.c: the SQLite backend's write path (store_put), and the
 * rows it holds back.
 *
 * A put decides at once what a version is to the store (new, updated,
 * older, unchanged) and gives it its seq, but the rows it writes wait in
 * memory: the object row and its side rows (markings, labels, refs,
 * shares) until HELD_MAX_TEXT bytes of them are held, the version and
 * observable-value rows, whose keys come in no order, until the commit,
 * when they go in sorted so that neighbouring keys share a leaf. Each kind
 * of row goes in with one INSERT ... SELECT from the virtual table vb_held,
 * which reads the held rows: one statement per kind and flush instead of
 * one per row. A bulk connection (STORE_BULK) holds its rows for the whole
 * transaction; any other writes them at the end of every put. Every read
 * of the connection flushes first (store_sqlite_flush), so it sees its own
 * writes.
 *
 * Stored versions of an id are found through the versions table. In a
 * bulk transaction a Bloom filter of the stored ids stands in front of it,
 * so that a new id (nearly every id of a bulk import) costs no descent of
 * that index; the filter is dropped when another connection has written
 * since it was built.
 */
#include "store.h"
#include "store_sqlite.h"
#include "../util/buf.h"
#include "../util/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HELD_MAX_TEXT	   (64u << 20) /* object text held before a flush */
#define FILTER_BITS_PER_ID 16
#define FILTER_MIN_WORDS   (1u << 20)

enum {
	Q_LATEST,
	Q_VERSION_EXISTS,
	Q_ID_OF,
	Q_UNLATEST,
	Q_NEXT_SEQ,
	Q_DATA_VERSION,
	Q_OBJECTS,
	Q_MARKINGS,
	Q_LABELS,
	Q_REFS,
	Q_SHARES,
	Q_VERSIONS,
	Q_VALUES,
	Q__COUNT
};

static const char *const queries[Q__COUNT] = {
    [Q_LATEST] = "SELECT o.seq, o.modified, o.owner_org FROM versions v CROSS JOIN objects o "
		 "ON o.seq = v.seq WHERE v.idh = ?2 AND o.id = ?1 AND o.latest = 1",
    [Q_VERSION_EXISTS] = "SELECT 1 FROM versions v CROSS JOIN objects o ON o.seq = v.seq "
			 "WHERE v.idh = ?3 AND v.modified = ?2 AND o.id = ?1",
    [Q_ID_OF] = "SELECT id FROM objects WHERE seq = ?1",
    [Q_UNLATEST] = "UPDATE objects SET latest = 0 WHERE seq = ?1",
    [Q_NEXT_SEQ] = "SELECT coalesce(max(seq), 0) + 1 FROM objects",
    [Q_DATA_VERSION] = "PRAGMA data_version",
    [Q_OBJECTS] = "INSERT INTO objects(seq, id, modified, type, latest, added, created, "
		  "created_by_ref, confidence, valid_from, valid_until, revoked, spec_version, "
		  "json, owner_org, tlp) SELECT c0, c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, c11, "
		  "c12, c13, c14, c15 FROM vb_held",
    [Q_MARKINGS] = "INSERT OR IGNORE INTO markings(marking, seq) SELECT c0, c1 FROM vb_held",
    [Q_LABELS] = "INSERT OR IGNORE INTO labels(label, seq) SELECT c0, c1 FROM vb_held",
    [Q_REFS] = "INSERT OR IGNORE INTO refs(target, prop, seq) SELECT c0, c1, c2 FROM vb_held",
    [Q_SHARES] = "INSERT OR IGNORE INTO shares(seq, kind, target) SELECT c0, c1, c2 FROM vb_held",
    [Q_VERSIONS] = "INSERT INTO versions(idh, modified, seq) SELECT c0, c1, c2 FROM vb_held",
    [Q_VALUES] = "INSERT OR IGNORE INTO obs_values(kind, value, seq) SELECT c0, c1, c2 FROM "
		 "vb_held",
};

/* An object row. Text fields are offsets + 1 into text (0: NULL). */
struct held_obj {
	int64_t seq, modified, added, created, valid_from, valid_until, owner;
	uint32_t id, type, created_by, spec_version, json, json_len;
	int confidence, latest, revoked, tlp;
};

/* A side row of three cells; the list says which cells are text offsets. */
struct held_side {
	int64_t cell[3];
};

enum side { S_MARKINGS, S_LABELS, S_REFS, S_SHARES, S__COUNT };

static const struct {
	int query;
	unsigned text; /* bit c: cell c is an offset + 1 into text */
} sides[S__COUNT] = {
    [S_MARKINGS] = {Q_MARKINGS, 1}, /* marking, seq */
    [S_LABELS] = {Q_LABELS, 1},	    /* label, seq */
    [S_REFS] = {Q_REFS, 3},	    /* target, prop, seq */
    [S_SHARES] = {Q_SHARES, 0},	    /* seq, kind, target */
};

/* A version row, found again by idh through buckets until it is written. */
struct held_version {
	int64_t idh, modified, seq, owner;
	int32_t next; /* next in the bucket, or -1 */
	int latest;
};

/* An observable-value row: kind and value are offsets into vtext. */
struct held_value {
	uint32_t kind, value;
	int64_t seq;
};

/* What vb_held reads while one of the flushes runs its INSERT. */
enum source { SRC_OBJECTS, SRC_SIDE, SRC_VERSIONS, SRC_VALUES };

struct store_writes {
	sqlite3 *db;
	sqlite3_stmt *q[Q__COUNT];
	int defer;	      /* hold rows until the commit (a bulk connection) */
	int64_t next_seq;     /* seq of the next version; 0: not known in this transaction */
	int64_t last_added;   /* `added` is strictly increasing (TAXII paging) */
	struct held_obj *obj; /* seqs held_first, held_first + 1, ... */
	size_t nobj, obj_cap;
	int64_t held_first;
	struct {
		struct held_side *r;
		size_t n, cap;
	} side[S__COUNT];
	struct buf text; /* of the object and side rows */
	int text_full;
	struct held_version *ver;
	size_t nver, ver_cap;
	int32_t *ver_head; /* ver_mask + 1 buckets */
	size_t ver_mask;
	struct held_value *val;
	size_t nval, val_cap;
	struct buf vtext;
	uint64_t *filter; /* filter_mask + 1 words; NULL until asked */
	size_t filter_mask, filter_keys;
	int64_t data_version; /* when the filter was built */
	enum source src;      /* read by vb_held */
	int src_side;
	size_t src_n;
};

static void *grow(void *p, size_t *cap, size_t n, size_t size)
{
	if (n < *cap)
		return p;
	*cap = *cap ? 2 * *cap : 4096;
	return xrealloc(p, *cap * size);
}

static int step_done(sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : VB_ESTORE;
}

/* ---- vb_held: the held rows of one kind as a table ---- */

struct held_vtab {
	sqlite3_vtab base;
	struct store_writes *w;
};

struct held_cursor {
	sqlite3_vtab_cursor base;
	size_t i;
};

static int held_connect(sqlite3 *db, void *aux, int argc, const char *const *argv,
			sqlite3_vtab **out, char **err)
{
	(void)argc, (void)argv, (void)err;
	int rc = sqlite3_declare_vtab(
	    db,
	    "CREATE TABLE x(c0, c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, c11, c12, c13, c14, c15)");
	if (rc != SQLITE_OK)
		return rc;
	sqlite3_vtab_config(db, SQLITE_VTAB_DIRECTONLY); /* not from a trigger or view */
	struct held_vtab *v = sqlite3_malloc(sizeof *v);
	if (!v)
		return SQLITE_NOMEM;
	memset(v, 0, sizeof *v);
	v->w = aux;
	*out = &v->base;
	return SQLITE_OK;
}

static int held_disconnect(sqlite3_vtab *v)
{
	sqlite3_free(v);
	return SQLITE_OK;
}

static int held_best_index(sqlite3_vtab *v, sqlite3_index_info *info)
{
	(void)v;
	info->estimatedCost = 1e6;
	return SQLITE_OK;
}

static int held_open(sqlite3_vtab *v, sqlite3_vtab_cursor **out)
{
	(void)v;
	struct held_cursor *c = sqlite3_malloc(sizeof *c);
	if (!c)
		return SQLITE_NOMEM;
	memset(c, 0, sizeof *c);
	*out = &c->base;
	return SQLITE_OK;
}

static int held_close(sqlite3_vtab_cursor *c)
{
	sqlite3_free(c);
	return SQLITE_OK;
}

static int held_filter(sqlite3_vtab_cursor *c, int idx, const char *idx_str, int argc,
		       sqlite3_value **argv)
{
	(void)idx, (void)idx_str, (void)argc, (void)argv;
	((struct held_cursor *)c)->i = 0;
	return SQLITE_OK;
}

static int held_next(sqlite3_vtab_cursor *c)
{
	((struct held_cursor *)c)->i++;
	return SQLITE_OK;
}

static struct store_writes *cursor_w(sqlite3_vtab_cursor *c)
{
	return ((struct held_vtab *)c->pVtab)->w;
}

static int held_eof(sqlite3_vtab_cursor *c)
{
	return ((struct held_cursor *)c)->i >= cursor_w(c)->src_n;
}

static void result_text(sqlite3_context *cx, const struct buf *b, uint32_t off)
{
	if (off)
		sqlite3_result_text(cx, b->p + off - 1, -1, SQLITE_STATIC);
	else
		sqlite3_result_null(cx);
}

static void result_time(sqlite3_context *cx, int64_t t)
{
	if (t == STORE_NO_TIME)
		sqlite3_result_null(cx);
	else
		sqlite3_result_int64(cx, t);
}

static void object_column(struct store_writes *w, const struct held_obj *o, int col,
			  sqlite3_context *cx)
{
	switch (col) {
	case 0:
		sqlite3_result_int64(cx, o->seq);
		break;
	case 1:
		result_text(cx, &w->text, o->id);
		break;
	case 2:
		sqlite3_result_int64(cx, o->modified);
		break;
	case 3:
		result_text(cx, &w->text, o->type);
		break;
	case 4:
		sqlite3_result_int(cx, o->latest);
		break;
	case 5:
		sqlite3_result_int64(cx, o->added);
		break;
	case 6:
		result_time(cx, o->created);
		break;
	case 7:
		result_text(cx, &w->text, o->created_by);
		break;
	case 8:
		if (o->confidence >= 0)
			sqlite3_result_int(cx, o->confidence);
		else
			sqlite3_result_null(cx);
		break;
	case 9:
		result_time(cx, o->valid_from);
		break;
	case 10:
		result_time(cx, o->valid_until);
		break;
	case 11:
		sqlite3_result_int(cx, o->revoked);
		break;
	case 12:
		result_text(cx, &w->text, o->spec_version);
		break;
	case 13:
		sqlite3_result_text(cx, w->text.p + o->json - 1, (int)o->json_len, SQLITE_STATIC);
		break;
	case 14:
		sqlite3_result_int64(cx, o->owner);
		break;
	case 15:
		sqlite3_result_int(cx, o->tlp);
		break;
	default:
		sqlite3_result_null(cx);
	}
}

static int held_column(sqlite3_vtab_cursor *c, sqlite3_context *cx, int col)
{
	struct store_writes *w = cursor_w(c);
	size_t i = ((struct held_cursor *)c)->i;
	switch (w->src) {
	case SRC_OBJECTS:
		object_column(w, &w->obj[i], col, cx);
		break;
	case SRC_SIDE: {
		int64_t v = col < 3 ? w->side[w->src_side].r[i].cell[col] : 0;
		if (sides[w->src_side].text >> col & 1)
			result_text(cx, &w->text, (uint32_t)v);
		else
			sqlite3_result_int64(cx, v);
		break;
	}
	case SRC_VERSIONS: {
		const struct held_version *v = &w->ver[i];
		sqlite3_result_int64(cx, col == 0 ? v->idh : col == 1 ? v->modified : v->seq);
		break;
	}
	case SRC_VALUES:
		if (col < 2)
			sqlite3_result_text(cx,
					    w->vtext.p + (col ? w->val[i].value : w->val[i].kind),
					    -1, SQLITE_STATIC);
		else
			sqlite3_result_int64(cx, w->val[i].seq);
		break;
	}
	return SQLITE_OK;
}

static int held_rowid(sqlite3_vtab_cursor *c, sqlite3_int64 *rowid)
{
	*rowid = (sqlite3_int64)((struct held_cursor *)c)->i;
	return SQLITE_OK;
}

/* Eponymous only (no xCreate): "FROM vb_held" needs no CREATE VIRTUAL TABLE. */
static const sqlite3_module held_module = {
    .xConnect = held_connect,
    .xBestIndex = held_best_index,
    .xDisconnect = held_disconnect,
    .xDestroy = held_disconnect,
    .xOpen = held_open,
    .xClose = held_close,
    .xFilter = held_filter,
    .xNext = held_next,
    .xEof = held_eof,
    .xColumn = held_column,
    .xRowid = held_rowid,
};

/* Runs query q over n rows of source src. */
static int insert_held(struct store_writes *w, int q, enum source src, int side, size_t n)
{
	if (!n)
		return 0;
	w->src = src;
	w->src_side = side;
	w->src_n = n;
	int rc = step_done(w->q[q]);
	w->src_n = 0;
	if (rc)
		fprintf(stderr, "verbinding: store: %s\n", sqlite3_errmsg(w->db));
	return rc;
}

/* ---- flushing ---- */

static int objects_flush(struct store_writes *w)
{
	int rc = insert_held(w, Q_OBJECTS, SRC_OBJECTS, 0, w->nobj);
	for (int s = 0; s < S__COUNT; s++) {
		if (!rc)
			rc = insert_held(w, sides[s].query, SRC_SIDE, s, w->side[s].n);
		w->side[s].n = 0;
	}
	w->nobj = 0;
	buf_reset(&w->text);
	w->text_full = 0;
	return rc;
}

/* Empties the held versions: only their buckets are cleared (a server
 * connection holds one version at a time in a table of thousands). */
static void versions_clear(struct store_writes *w)
{
	for (size_t i = 0; i < w->nver; i++)
		w->ver_head[(uint64_t)w->ver[i].idh & w->ver_mask] = -1;
	w->nver = 0;
}

static int version_cmp(const void *a, const void *b)
{
	const struct held_version *x = a, *y = b;
	if (x->idh != y->idh)
		return x->idh < y->idh ? -1 : 1;
	if (x->modified != y->modified)
		return x->modified < y->modified ? -1 : 1;
	return (x->seq > y->seq) - (x->seq < y->seq);
}

static uint64_t version_key(const struct held_version *v)
{
	return (uint64_t)v->idh ^ (1ULL << 63); /* the order of the signed column */
}

/* Sorts the held versions by (idh, modified, seq): a stable radix sort on
 * idh, 16 bits a pass (0.07 s for a million rows, qsort 0.3 s), then
 * insertion into the rare runs of one idh. Below RADIX_MIN rows the four
 * passes over 64 K counters cost more than qsort. */
#define RADIX_MIN 4096

static void versions_sort(struct store_writes *w)
{
	size_t n = w->nver;
	if (n < 2)
		return;
	if (n < RADIX_MIN) {
		qsort(w->ver, n, sizeof *w->ver, version_cmp);
		return;
	}
	struct held_version *a = w->ver, *b = xmalloc(n * sizeof *b);
	size_t *at = xmalloc(65536 * sizeof *at);
	for (int shift = 0; shift < 64; shift += 16) {
		memset(at, 0, 65536 * sizeof *at);
		for (size_t i = 0; i < n; i++)
			at[version_key(&a[i]) >> shift & 0xffff]++;
		for (size_t k = 0, sum = 0; k < 65536; k++) {
			size_t c = at[k];
			at[k] = sum;
			sum += c;
		}
		for (size_t i = 0; i < n; i++)
			b[at[version_key(&a[i]) >> shift & 0xffff]++] = a[i];
		struct held_version *t = a;
		a = b;
		b = t;
	}
	free(b); /* four passes: the sorted rows are back in w->ver */
	free(at);
	for (size_t i = 1; i < n; i++)
		for (size_t j = i; j > 0 && version_cmp(&a[j - 1], &a[j]) > 0; j--) {
			struct held_version t = a[j];
			a[j] = a[j - 1];
			a[j - 1] = t;
		}
}

static int versions_flush(struct store_writes *w)
{
	versions_sort(w);
	int rc = insert_held(w, Q_VERSIONS, SRC_VERSIONS, 0, w->nver);
	versions_clear(w);
	return rc;
}

static int value_cmp(const void *a, const void *b, void *arg)
{
	const struct held_value *x = a, *y = b;
	const char *t = arg;
	int c = strcmp(t + x->kind, t + y->kind);
	if (!c)
		c = strcmp(t + x->value, t + y->value);
	return c ? c : (x->seq > y->seq) - (x->seq < y->seq);
}

static int values_flush(struct store_writes *w)
{
	if (!w->nval)
		return 0;
	qsort_r(w->val, w->nval, sizeof *w->val, value_cmp, w->vtext.p);
	int rc = insert_held(w, Q_VALUES, SRC_VALUES, 0, w->nval);
	w->nval = 0;
	buf_reset(&w->vtext);
	return rc;
}

int writes_flush(struct store_writes *w)
{
	/* Every kind is flushed (and its held rows dropped) even after a
	 * failure: the caller rolls the transaction back. */
	int rc = objects_flush(w);
	rc = versions_flush(w) || rc;
	rc = values_flush(w) || rc;
	return rc ? VB_ESTORE : 0;
}

/* ---- the filter of stored ids ---- */

static uint64_t filter_bits(int64_t idh)
{
	uint64_t x = (uint64_t)idh; /* splitmix64's finaliser: bits the word index did not use */
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	x ^= x >> 31;
	return 1ULL << (x & 63) | 1ULL << (x >> 6 & 63) | 1ULL << (x >> 12 & 63) |
	       1ULL << (x >> 18 & 63);
}

static void filter_add(struct store_writes *w, int64_t idh)
{
	w->filter[(uint64_t)idh & w->filter_mask] |= filter_bits(idh);
	w->filter_keys++;
}

static int64_t data_version(struct store_writes *w)
{
	sqlite3_stmt *st = w->q[Q_DATA_VERSION];
	int64_t v = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -1;
	sqlite3_reset(st);
	return v;
}

/* Fills the filter with every id hash in `versions` and the held ones,
 * sized for twice as many as the last filter held. */
static int filter_build(struct store_writes *w)
{
	size_t want = w->filter_keys;
	for (;;) {
		size_t words = FILTER_MIN_WORDS;
		while (words * 64 < 2 * want * FILTER_BITS_PER_ID)
			words *= 2;
		free(w->filter);
		w->filter = xcalloc(words, sizeof *w->filter);
		w->filter_mask = words - 1;
		w->filter_keys = 0;
		w->data_version = data_version(w);
		sqlite3_stmt *st;
		int rc = SQLITE_ERROR;
		if (sqlite3_prepare_v2(w->db, "SELECT idh FROM versions", -1, &st, NULL) ==
		    SQLITE_OK) {
			while ((rc = sqlite3_step(st)) == SQLITE_ROW)
				filter_add(w, sqlite3_column_int64(st, 0));
			sqlite3_finalize(st);
		}
		if (rc != SQLITE_DONE) {
			free(w->filter);
			w->filter = NULL;
			return VB_ESTORE;
		}
		for (size_t i = 0; i < w->nver; i++)
			filter_add(w, w->ver[i].idh);
		if (w->filter_keys * FILTER_BITS_PER_ID <= words * 64)
			return 0;
		want = w->filter_keys;
	}
}

/* 0 when no version of idh is stored or held, 1 when one may be (look in
 * the held rows, then the table). The filter holds the held ids too; it
 * serves only inside a bulk transaction. */
static int stored_maybe(struct store_writes *w, int64_t idh)
{
	if (!w->defer || (!w->filter && filter_build(w)))
		return 1;
	uint64_t bits = filter_bits(idh);
	return (w->filter[(uint64_t)idh & w->filter_mask] & bits) == bits;
}

/* ---- holding rows ---- */

/* Copies s into the held text: its offset + 1, or 0 for NULL (and when the
 * text is full, which text_full then says). */
static uint32_t hold_text(struct store_writes *w, const char *s)
{
	if (!s)
		return 0;
	uint32_t off = (uint32_t)w->text.len + 1;
	if (!buf_add(&w->text, s, strlen(s) + 1))
		return off;
	w->text_full = 1;
	return 0;
}

static void hold_side(struct store_writes *w, enum side s, int64_t a, int64_t b, int64_t c)
{
	w->side[s].r = grow(w->side[s].r, &w->side[s].cap, w->side[s].n, sizeof *w->side[s].r);
	w->side[s].r[w->side[s].n++] = (struct held_side){{a, b, c}};
}

static void version_link(struct store_writes *w, size_t i)
{
	int32_t *head = &w->ver_head[(uint64_t)w->ver[i].idh & w->ver_mask];
	w->ver[i].next = *head;
	*head = (int32_t)i;
}

static int hold_version(struct store_writes *w, int64_t idh, int64_t modified, int64_t seq,
			int64_t owner, int latest)
{
	if (w->nver == w->ver_cap) {
		if (w->ver_cap >= INT32_MAX / 4) {
			int rc = versions_flush(w);
			if (rc)
				return rc;
		} else {
			w->ver = grow(w->ver, &w->ver_cap, w->nver, sizeof *w->ver);
			free(w->ver_head);
			w->ver_mask = 2 * w->ver_cap - 1;
			w->ver_head = xmalloc((w->ver_mask + 1) * sizeof *w->ver_head);
			memset(w->ver_head, 0xff, (w->ver_mask + 1) * sizeof *w->ver_head);
			for (size_t i = 0; i < w->nver; i++)
				version_link(w, i);
		}
	}
	w->ver[w->nver] = (struct held_version){
	    .idh = idh, .modified = modified, .seq = seq, .owner = owner, .latest = latest};
	version_link(w, w->nver++);
	if (w->filter) {
		filter_add(w, idh);
		if (w->filter_keys * FILTER_BITS_PER_ID > (w->filter_mask + 1) * 64) {
			free(w->filter); /* full: built again, larger, when next asked */
			w->filter = NULL;
		}
	}
	return 0;
}

static int hold_value(struct store_writes *w, const char *kind, const char *value, int64_t seq)
{
	if (w->vtext.len > HELD_MAX_TEXT) {
		int rc = values_flush(w);
		if (rc)
			return rc;
	}
	w->val = grow(w->val, &w->val_cap, w->nval, sizeof *w->val);
	struct held_value v = {.kind = (uint32_t)w->vtext.len, .seq = seq};
	if (buf_add(&w->vtext, kind, strlen(kind) + 1))
		return VB_ENOMEM;
	v.value = (uint32_t)w->vtext.len;
	if (buf_add(&w->vtext, value, strlen(value) + 1))
		return VB_ENOMEM;
	w->val[w->nval++] = v;
	return 0;
}

/* The held object row of seq, or NULL when it is in the table. */
static struct held_obj *held_object(struct store_writes *w, int64_t seq)
{
	return w->nobj && seq >= w->held_first && seq < w->held_first + (int64_t)w->nobj
		   ? &w->obj[seq - w->held_first]
		   : NULL;
}

/* Adds a version (idh: the id's hash) with its side rows. */
static int insert_version(struct store_writes *w, const struct store_obj *o, int64_t idh,
			  int64_t modified, int latest)
{
	if (!w->next_seq) {
		sqlite3_stmt *st = w->q[Q_NEXT_SEQ];
		w->next_seq = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
		sqlite3_reset(st);
		if (!w->next_seq)
			return VB_ESTORE;
	}
	int64_t seq = w->next_seq++;
	int64_t added = time_now_us();
	if (added <= w->last_added)
		added = w->last_added + 1; /* strictly increasing, so TAXII paging is exact */
	w->last_added = added;
	if (!w->nobj)
		w->held_first = seq;
	w->obj = grow(w->obj, &w->obj_cap, w->nobj, sizeof *w->obj);
	struct held_obj *h = &w->obj[w->nobj++];
	*h = (struct held_obj){.seq = seq,
			       .modified = modified,
			       .added = added,
			       .created = o->created,
			       .valid_from = o->valid_from,
			       .valid_until = o->valid_until,
			       .owner = o->owner_org,
			       .id = hold_text(w, o->id),
			       .type = hold_text(w, o->type),
			       .created_by = hold_text(w, o->created_by_ref),
			       .spec_version = hold_text(w, o->spec_version),
			       .json_len = (uint32_t)o->json_len,
			       .confidence = o->confidence,
			       .latest = latest,
			       .revoked = o->revoked,
			       .tlp = o->tlp};
	h->json = (uint32_t)w->text.len + 1;
	if (buf_add(&w->text, o->json, o->json_len) || buf_addc(&w->text, 0))
		w->text_full = 1;
	for (size_t i = 0; i < o->n_markings; i++)
		hold_side(w, S_MARKINGS, hold_text(w, o->markings[i]), seq, 0);
	for (size_t i = 0; i < o->n_labels; i++)
		hold_side(w, S_LABELS, hold_text(w, o->labels[i]), seq, 0);
	for (size_t i = 0; i < o->n_refs; i++)
		hold_side(w, S_REFS, hold_text(w, o->refs[i].target), hold_text(w, o->refs[i].prop),
			  seq);
	for (size_t i = 0; i < o->n_shares; i++)
		hold_side(w, S_SHARES, seq, o->shares[i].kind, o->shares[i].target);
	for (size_t i = 0; i < o->n_values; i++)
		if (hold_value(w, o->values[i].kind, o->values[i].value, seq))
			return VB_ENOMEM;
	if (w->text_full) /* cannot happen below the limits of an object; the caller rolls back */
		return VB_ENOMEM;
	if (hold_version(w, idh, modified, seq, o->owner_org, latest))
		return VB_ESTORE;
	return w->text.len > HELD_MAX_TEXT ? objects_flush(w) : 0;
}

/* ---- finding versions ---- */

/* Whether the version at seq has this id: 1, 0, or VB_ESTORE. */
static int seq_has_id(struct store_writes *w, int64_t seq, const char *id)
{
	const struct held_obj *h = held_object(w, seq);
	if (h)
		return strcmp(w->text.p + h->id - 1, id) == 0;
	sqlite3_stmt *st = w->q[Q_ID_OF];
	sqlite3_bind_int64(st, 1, seq);
	int rc = sqlite3_step(st);
	int same = rc == SQLITE_ROW && strcmp((const char *)sqlite3_column_text(st, 0), id) == 0;
	sqlite3_reset(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? same : VB_ESTORE;
}

/* The held version row of id that is the latest (latest set) or has this
 * modified: its index, -1 when there is none, or VB_ESTORE. */
static int64_t held_find(struct store_writes *w, const char *id, int64_t idh, int latest,
			 int64_t modified)
{
	if (!w->nver)
		return -1;
	for (int32_t i = w->ver_head[(uint64_t)idh & w->ver_mask]; i >= 0; i = w->ver[i].next) {
		const struct held_version *v = &w->ver[i];
		if (v->idh != idh || (latest ? !v->latest : v->modified != modified))
			continue;
		int same = seq_has_id(w, v->seq, id);
		if (same)
			return same < 0 ? VB_ESTORE : i;
	}
	return -1;
}

/* Whether version modified of id (hash idh) is stored: 1, 0 or VB_ESTORE. */
static int version_exists(struct store_writes *w, const char *id, int64_t idh, int64_t modified)
{
	if (!stored_maybe(w, idh))
		return 0;
	int64_t h = held_find(w, id, idh, 0, modified);
	if (h != -1)
		return h < 0 ? VB_ESTORE : 1;
	sqlite3_stmt *st = w->q[Q_VERSION_EXISTS];
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, modified);
	sqlite3_bind_int64(st, 3, idh);
	int rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : VB_ESTORE;
}

/* The latest version of an id; held: its index among the held versions, or -1. */
struct current {
	int64_t seq, modified, owner, held;
};

/* 1 (cur filled), 0 when id has no version, or VB_ESTORE. */
static int latest_version(struct store_writes *w, const char *id, int64_t idh, struct current *cur)
{
	if (!stored_maybe(w, idh))
		return 0;
	int64_t h = held_find(w, id, idh, 1, 0);
	if (h < -1)
		return VB_ESTORE;
	if (h >= 0) {
		*cur = (struct current){w->ver[h].seq, w->ver[h].modified, w->ver[h].owner, h};
		return 1;
	}
	sqlite3_stmt *st = w->q[Q_LATEST];
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, idh);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*cur = (struct current){sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1),
					sqlite3_column_int64(st, 2), -1};
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : VB_ESTORE;
}

/* cur is no longer the latest version. */
static int unlatest(struct store_writes *w, const struct current *cur)
{
	if (cur->held >= 0)
		w->ver[cur->held].latest = 0;
	struct held_obj *h = held_object(w, cur->seq);
	if (h) {
		h->latest = 0;
		return 0;
	}
	sqlite3_bind_int64(w->q[Q_UNLATEST], 1, cur->seq);
	return step_done(w->q[Q_UNLATEST]);
}

/* ---- the put ---- */

static int put(struct store_writes *w, const struct store_obj *o, enum store_put_result *res)
{
	int64_t idh = store_sqlite_idhash(o->id);
	/* SCOs have no modified: their id is derived from their content, so one
	 * version per id is the whole story (from any organisation: unchanged). */
	if (o->modified == STORE_NO_TIME) {
		int rc = version_exists(w, o->id, idh, 0);
		if (rc < 0)
			return rc;
		*res = rc ? STORE_PUT_UNCHANGED : STORE_PUT_NEW;
		return rc ? 0 : insert_version(w, o, idh, 0, 1);
	}
	int64_t modified = o->modified;
	struct current cur;
	int rc = latest_version(w, o->id, idh, &cur);
	if (rc <= 0) {
		*res = STORE_PUT_NEW;
		return rc < 0 ? rc : insert_version(w, o, idh, modified, 1);
	}
	if (cur.modified == modified) {
		*res = STORE_PUT_UNCHANGED;
		return 0;
	}
	/* Only the creating organisation adds versions of an object. Every
	 * write path (import, API, TAXII) comes through here; a trigger said
	 * the same at a fifth of a bulk import's time. */
	if (cur.owner != o->owner_org)
		return VB_ECONFLICT;
	if (modified > cur.modified) {
		if (unlatest(w, &cur))
			return VB_ESTORE;
		*res = STORE_PUT_UPDATED;
		return insert_version(w, o, idh, modified, 1);
	}
	rc = version_exists(w, o->id, idh, modified);
	if (rc)
		return rc < 0 ? rc : (*res = STORE_PUT_UNCHANGED, 0);
	*res = STORE_PUT_OLDER;
	return insert_version(w, o, idh, modified, 0);
}

int writes_put(struct store_writes *w, const struct store_obj *o, enum store_put_result *res)
{
	/* Outside a transaction a put is one of its own. */
	int own = sqlite3_get_autocommit(w->db);
	if (own) {
		if (sqlite3_exec(w->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
			return VB_ESTORE;
		writes_begin(w);
	}
	int rc = put(w, o, res);
	if (own) {
		if (!rc && (writes_commit(w) ||
			    sqlite3_exec(w->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK))
			rc = VB_ESTORE;
		if (rc) {
			writes_rollback(w);
			sqlite3_exec(w->db, "ROLLBACK", NULL, NULL, NULL);
		}
	} else if (!rc && !w->defer) {
		rc = writes_flush(w);
	}
	return rc;
}

/* ---- transactions and the connection ---- */

void writes_begin(struct store_writes *w)
{
	w->next_seq = 0;
	/* Another connection wrote since the filter was built: it may miss
	 * some of the ids stored now. */
	if (w->filter && data_version(w) != w->data_version) {
		free(w->filter);
		w->filter = NULL;
	}
}

int writes_commit(struct store_writes *w)
{
	w->next_seq = 0;
	return writes_flush(w);
}

void writes_rollback(struct store_writes *w)
{
	w->nobj = 0;
	for (int s = 0; s < S__COUNT; s++)
		w->side[s].n = 0;
	buf_reset(&w->text);
	w->text_full = 0;
	versions_clear(w); /* the filter keeps their ids: it may say "maybe" wrongly, never "no" */
	w->nval = 0;
	buf_reset(&w->vtext);
	w->next_seq = 0;
}

struct store_writes *writes_open(sqlite3 *db, int defer)
{
	struct store_writes *w = xcalloc(1, sizeof *w);
	w->db = db;
	w->defer = defer;
	/* Flushed past HELD_MAX_TEXT, so one object (its JSON is at most
	 * STIX_MAX_OBJECT) never comes near the bound; offsets stay 32-bit. */
	buf_init(&w->text, 2 * HELD_MAX_TEXT + (1u << 30));
	buf_init(&w->vtext, 2 * HELD_MAX_TEXT);
	if (sqlite3_create_module_v2(db, "vb_held", &held_module, w, NULL) != SQLITE_OK)
		goto fail;
	for (int i = 0; i < Q__COUNT; i++)
		if (sqlite3_prepare_v3(db, queries[i], -1, SQLITE_PREPARE_PERSISTENT, &w->q[i],
				       NULL) != SQLITE_OK)
			goto fail;
	return w;
fail:
	writes_close(w);
	return NULL;
}

void writes_close(struct store_writes *w)
{
	if (!w)
		return;
	for (int i = 0; i < Q__COUNT; i++)
		sqlite3_finalize(w->q[i]);
	free(w->obj);
	for (int s = 0; s < S__COUNT; s++)
		free(w->side[s].r);
	buf_free(&w->text);
	free(w->ver);
	free(w->ver_head);
	free(w->val);
	buf_free(&w->vtext);
	free(w->filter);
	free(w);
}
