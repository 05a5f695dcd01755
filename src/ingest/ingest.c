/*
 * ingest.c: the import pipeline's core. Walks paths, picks a reader per file,
 * wraps each file in one store transaction, and turns every object a reader
 * emits into a stored version: 2.0 upgrade, validation, duplicate check,
 * index extraction, serialisation, store_put, counting. With opts.pipeline
 * (CLI imports) the store calls run on a writer thread (ingest_writer.c)
 * and this thread hands it batches.
 */
#include "ingest.h"
#include "ingest_misp.h"
#include "ingest_writer.h"
#include "../stix/stix.h"
#include "../util/arena.h"
#include "../util/buf.h"
#include "../util/util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>

static const struct ingest_reader *const readers[] = {
    &ingest_stix_reader, &ingest_misp_reader, &ingest_galaxy_reader,
    &ingest_list_reader, &ingest_csv_reader,
};

#define MAX_ERRORS_SHOWN 20

/* Open-addressing set of 64-bit keys: which (id, modified) pairs this file
 * has already produced. Zero marks an empty slot. */
struct seen {
	uint64_t *slot;
	size_t cap, n;
};

struct ingest {
	struct store *st;
	struct ingest_opts opts;
	const char *file; /* current file name */
	struct input *in; /* current input, for progress */
	int file_failed;  /* an error in the current file */
	long shown;	  /* messages printed for the current file */
	struct stix_index ix;
	struct buf json;
	struct seen seen;
	/* Outcomes: of the run; of the current file; of the files of a folder
	 * batch since its last commit (they count once it commits). */
	struct ingest_type_count *counts, *file_counts, *pending;
	size_t n_counts, n_file_counts, cap_counts, cap_file_counts, n_pending, cap_pending;
	long pending_files; /* files whose counts are pending */
	int batch_lost;	    /* the store refused a staged file: the folder stops */
	long rejected, files, files_failed;
	int batch_open;	    /* a folder import's shared transaction is open */
	long batch_objects; /* objects stored since it was opened */
	/* Staging: a small file inside a batch is read and validated whole
	 * before any of it is written, so it stays atomic without savepoints
	 * (which SQLite makes very slow inside a large transaction). */
	int staging;
	/* With opts.pipeline, a writer thread stores batches filled here;
	 * without, own holds a staged file and everything else is stored at
	 * once. cur is the batch being filled (NULL: none yet). */
	struct writer *w;
	struct wbatch own, *cur;
	long emitted; /* objects handed on for storing in this run */
	char source_id[80];
	int64_t t0;
	int64_t last_draw;
	int drawn;
};

/* ---- counting ---- */

static struct ingest_type_count *tally(struct ingest_type_count **v, size_t *n, size_t *cap,
				       const char *type)
{
	for (size_t i = 0; i < *n; i++)
		if (strcmp((*v)[i].type, type) == 0)
			return &(*v)[i];
	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 16;
		*v = xrealloc(*v, *cap * sizeof **v);
	}
	struct ingest_type_count *c = &(*v)[(*n)++];
	memset(c, 0, sizeof *c);
	snprintf(c->type, sizeof c->type, "%s", type);
	return c;
}

static struct ingest_type_count *file_tally(struct ingest *ig, const char *type)
{
	return tally(&ig->file_counts, &ig->n_file_counts, &ig->cap_file_counts, type);
}

/* Folds counts v[0..*n) into the run's (or, to_pending, the pending ones)
 * and empties v; when rolled back, everything that would have been stored
 * counts as rejected. */
static void fold(struct ingest *ig, struct ingest_type_count *v, size_t *n, int rolled_back,
		 int to_pending)
{
	for (size_t i = 0; i < *n; i++) {
		struct ingest_type_count *f = &v[i];
		struct ingest_type_count *c =
		    to_pending ? tally(&ig->pending, &ig->n_pending, &ig->cap_pending, f->type)
			       : tally(&ig->counts, &ig->n_counts, &ig->cap_counts, f->type);
		if (rolled_back) {
			long all = f->n_new + f->n_updated + f->n_unchanged + f->n_rejected;
			c->n_rejected += all;
			ig->rejected += all - f->n_rejected;
		} else {
			c->n_new += f->n_new;
			c->n_updated += f->n_updated;
			c->n_unchanged += f->n_unchanged;
			c->n_rejected += f->n_rejected;
		}
	}
	*n = 0;
}

/* The current file's counts, when it is done: inside a folder batch they
 * wait for its commit. */
static void merge_counts(struct ingest *ig, int rolled_back)
{
	int to_pending = ig->batch_open && !rolled_back;
	fold(ig, ig->file_counts, &ig->n_file_counts, rolled_back, to_pending);
	ig->pending_files += to_pending;
}

/* A folder batch committed (ok) or was rolled back. */
static void settle(struct ingest *ig, int ok)
{
	fold(ig, ig->pending, &ig->n_pending, !ok, 0);
	if (!ok)
		ig->files_failed += ig->pending_files;
	ig->pending_files = 0;
}

/* ---- the seen set ---- */

static int seen_add(struct seen *s, uint64_t key)
{
	if (!key)
		key = 1;
	if (s->n * 2 >= s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 1024;
		uint64_t *slot = xcalloc(cap, sizeof *slot);
		for (size_t i = 0; i < s->cap; i++) {
			if (!s->slot[i])
				continue;
			size_t j = s->slot[i] & (cap - 1);
			while (slot[j])
				j = (j + 1) & (cap - 1);
			slot[j] = s->slot[i];
		}
		free(s->slot);
		s->slot = slot;
		s->cap = cap;
	}
	size_t j = key & (s->cap - 1);
	while (s->slot[j]) {
		if (s->slot[j] == key)
			return 1;
		j = (j + 1) & (s->cap - 1);
	}
	s->slot[j] = key;
	s->n++;
	return 0;
}

/* Emptied for each file. A table grown by a large file and little used by
 * the last one is dropped rather than cleared: clearing the 16 MB that
 * ipsum leaves for each of 3,113 small maltrail files cost seconds. */
static void seen_clear(struct seen *s)
{
	if (s->slot && s->cap > 4096 && s->n < s->cap / 8) {
		free(s->slot);
		s->slot = NULL;
		s->cap = 0;
	} else if (s->slot) {
		memset(s->slot, 0, s->cap * sizeof *s->slot);
	}
	s->n = 0;
}

/* ---- messages and progress ---- */

static void clear_bar(struct ingest *ig)
{
	if (ig->drawn) {
		fputs("\r\033[K", stderr);
		ig->drawn = 0;
	}
}

static void say(struct ingest *ig, const char *level, const struct ingest_pos *pos,
		const char *ptr2, const char *msg)
{
	if (ig->shown++ >= MAX_ERRORS_SHOWN) {
		if (ig->shown == MAX_ERRORS_SHOWN + 1)
			fprintf(stderr, "verbinding import: %s: further messages left out\n",
				ig->file);
		return;
	}
	clear_bar(ig);
	fprintf(stderr, "verbinding import: %s%s", level, ig->file ? ig->file : "-");
	if (pos && pos->line > 0) {
		fprintf(stderr, ":%ld", pos->line);
		if (pos->column > 0)
			fprintf(stderr, ":%ld", pos->column);
	}
	fputs(": ", stderr);
	if ((pos && pos->pointer) || (ptr2 && *ptr2))
		fprintf(stderr, "%s%s: ", pos && pos->pointer ? pos->pointer : "",
			ptr2 ? ptr2 : "");
	fprintf(stderr, "%s\n", msg);
}

int ingest_fail(struct ingest *ig, const struct ingest_pos *pos, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	say(ig, "", pos, NULL, msg);
	ig->file_failed = 1;
	return VB_EINPUT;
}

void ingest_reject(struct ingest *ig, const struct ingest_pos *pos, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	say(ig, "skipped: ", pos, NULL, msg);
	file_tally(ig, "(unparsed)")->n_rejected++;
	ig->rejected++;
}

void ingest_progress(struct ingest *ig, struct input *in)
{
	if (!ig->opts.progress)
		return;
	int64_t now = time_now_us();
	if (now - ig->last_draw < 100000)
		return;
	ig->last_draw = now;
	double mb = (double)in->bytes_read / 1e6;
	double secs = (double)(now - ig->t0) / 1e6;
	long done = ig->emitted;
	uint64_t pos = in->gz ? (uint64_t)gzoffset(in->gz) : 0;
	char bar[32];
	int pct = in->size ? (int)(pos * 100 / in->size) : 0;
	if (pct > 100)
		pct = 100;
	for (int i = 0; i < 25; i++)
		bar[i] = i < pct / 4 ? '#' : '.';
	bar[25] = 0;
	fprintf(stderr, "\r\033[K%s [%s] %3d%%  %.1f MB  %ld objects  %.1f s", ig->file, bar,
		in->size ? pct : 0, mb, done, secs);
	ig->drawn = 1;
}

/* ---- emitting objects ---- */

const struct ingest_opts *ingest_options(const struct ingest *ig)
{
	return &ig->opts;
}

/* Maps TLP 1.0 marking ids to TLP 2.0 ones in object_marking_refs, and adds
 * the default marking from --tlp to objects that carry none. */
static void apply_markings(struct ingest *ig, cJSON *obj, const char *type)
{
	cJSON *refs = cJSON_GetObjectItemCaseSensitive(obj, "object_marking_refs");
	if (cJSON_IsArray(refs)) {
		cJSON *r;
		cJSON_ArrayForEach(r, refs)
		{
			if (!cJSON_IsString(r))
				continue;
			const char *up = stix_tlp_upgrade(r->valuestring);
			if (up != r->valuestring && strcmp(up, r->valuestring) != 0)
				cJSON_SetValuestring(r, up);
		}
		return;
	}
	if (!ig->opts.tlp || refs || strcmp(type, "marking-definition") == 0 ||
	    stix_type_kind(type) == STIX_SCO)
		return;
	cJSON *a = cJSON_AddArrayToObject(obj, "object_marking_refs");
	cJSON_AddItemToArray(a, cJSON_CreateString(ig->opts.tlp));
}

static int serialise(struct ingest *ig, cJSON *obj)
{
	if (!ig->json.cap) {
		ig->json.p = xmalloc(1 << 16);
		ig->json.cap = 1 << 16;
	}
	for (;;) {
		/* cJSON needs a few spare bytes beyond what it writes. */
		if (cJSON_PrintPreallocated(obj, ig->json.p, (int)ig->json.cap - 5, 0)) {
			ig->json.len = strlen(ig->json.p);
			return 0;
		}
		if (ig->json.cap >= STIX_MAX_OBJECT)
			return VB_EINPUT;
		ig->json.cap *= 2;
		ig->json.p = xrealloc(ig->json.p, ig->json.cap);
	}
}

static const char *json_str(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* Counts one stored object's outcome for the file (or, for a staged file
 * handed to the writer, straight for the run). */
static void count(struct ingest *ig, const char *type, enum store_put_result res, int direct)
{
	type = strlen(type) < 64 ? type : "(long type)";
	struct ingest_type_count *c =
	    direct ? tally(&ig->pending, &ig->n_pending, &ig->cap_pending, type)
		   : file_tally(ig, type);
	if (res == STORE_PUT_NEW)
		c->n_new++;
	else if (res == STORE_PUT_UPDATED || res == STORE_PUT_OLDER)
		c->n_updated++;
	else
		c->n_unchanged++;
}

/* Stores one version from this thread and counts the outcome. */
static int put(struct ingest *ig, const struct store_obj *o)
{
	enum store_put_result res;
	int rc = store_put(ig->st, o, &res);
	if (rc)
		return rc;
	ig->batch_objects++;
	count(ig, o->type, res, 0);
	return 0;
}

/* Reads the outcomes of a batch the writer has written, and empties it. */
static void collect(struct ingest *ig, struct wbatch *b)
{
	for (size_t i = 0; i < b->n; i++)
		if (b->res[i] >= 0)
			count(ig, b->objs[i].type, (enum store_put_result)b->res[i], b->direct);
	wbatch_reset(b);
}

static void collect_all(struct ingest *ig)
{
	struct wbatch *b;
	while (ig->w && (b = writer_reclaim(ig->w)))
		collect(ig, b);
}

/* Objects per batch handed to the writer, and bytes: small enough to keep
 * both threads busy, large enough that handing over costs nothing. */
#define WBATCH_OBJECTS 4096
#define WBATCH_BYTES   (8u << 20)

static void submit(struct ingest *ig)
{
	writer_submit(ig->w, ig->cur);
	ig->cur = NULL;
}

/* Queues o for the writer, or stages it until the file is read whole. */
static void stage(struct ingest *ig, const struct store_obj *o)
{
	if (!ig->cur) {
		ig->cur = ig->w ? writer_take(ig->w) : &ig->own;
		if (ig->w)
			collect(ig, ig->cur);
		ig->cur->file = arena_strdup(&ig->cur->mem, ig->file ? ig->file : "-");
	}
	wbatch_add(ig->cur, o);
	if (ig->w) {
		ig->batch_objects++;
		if (!ig->staging &&
		    (ig->cur->n >= WBATCH_OBJECTS || ig->cur->mem.used >= WBATCH_BYTES))
			submit(ig);
	}
}

/* Drops what was staged or queued of a failed file but not yet sent. */
static void unstage(struct ingest *ig)
{
	if (ig->cur) {
		if (ig->w)
			ig->batch_objects -= (long)ig->cur->n;
		wbatch_reset(ig->cur);
	}
}

/* Stores a staged file: at once, or by handing it to the writer. */
static int put_staged(struct ingest *ig)
{
	if (!ig->cur)
		return 0;
	if (ig->w) {
		ig->cur->direct = 1;
		submit(ig);
		return writer_failed(ig->w);
	}
	int rc = 0;
	for (size_t i = 0; i < ig->cur->n && !rc; i++)
		rc = put(ig, &ig->cur->objs[i]);
	wbatch_reset(ig->cur);
	return rc;
}

/* Transaction calls, through the writer when there is one. A failed commit
 * is rolled back by the caller (the writer has done so already). */
static int tx(struct ingest *ig, enum writer_op op)
{
	if (ig->w) {
		if (op == WRITER_COMMIT && ig->cur && ig->cur->n)
			submit(ig);
		if (op == WRITER_COMMIT && ig->drawn) {
			/* Read whole: the bar is full, the writer may still be busy. */
			fprintf(stderr,
				"\r\033[K%s: storing and committing, %ld objects read, %.1f s",
				ig->file ? ig->file : "-", ig->emitted,
				(double)(time_now_us() - ig->t0) / 1e6);
		}
		int rc = writer_tx(ig->w, op);
		collect_all(ig);
		return rc;
	}
	switch (op) {
	case WRITER_BEGIN:
		return store_begin(ig->st);
	case WRITER_COMMIT:
		return store_commit(ig->st);
	default:
		return store_rollback(ig->st);
	}
}

static int emit(struct ingest *ig, cJSON *obj, const struct ingest_pos *pos, int built)
{
	struct vb_err e;
	vb_err_clear(&e);
	const char *type = json_str(obj, "type");
	const char *tally_type = type && strlen(type) < 64 ? type : "(no type)";
	int rc = 0;
	if (!cJSON_IsObject(obj)) {
		rc = vb_err_set(&e, VB_EINPUT, "expected a STIX object, found %s",
				cJSON_IsArray(obj) ? "an array" : "a scalar");
	} else if (stix_is_20(obj)) {
		rc = stix_upgrade_20(obj, &e);
	}
	if (!rc) {
		apply_markings(ig, obj, type ? type : "");
		if (!built || ig->opts.check_built)
			rc = stix_validate(obj, &e);
		if (rc && built) {
			fprintf(stderr,
				"verbinding import: bug: a reader built an invalid object: %s\n",
				e.msg);
			abort();
		}
	}
	if (!rc)
		rc = stix_index_build(&ig->ix, obj, &e);
	if (!rc) {
		const struct store_obj *o = &ig->ix.o;
		uint64_t key = XXH3_64bits_withSeed(o->id, strlen(o->id), (uint64_t)o->modified);
		if (seen_add(&ig->seen, key))
			rc = vb_err_set(&e, VB_EINPUT,
					"duplicate object: %s with this modified time appears "
					"twice in one input",
					o->id);
	}
	if (!rc && serialise(ig, obj))
		rc = vb_err_set(&e, VB_EINPUT, "object larger than %d bytes", STIX_MAX_OBJECT);
	if (rc) {
		say(ig, ig->opts.skip_invalid ? "skipped: " : "", pos, e.pointer, e.msg);
		file_tally(ig, tally_type)->n_rejected++;
		ig->rejected++;
		if (ig->opts.skip_invalid)
			return 0;
		ig->file_failed = 1;
		return rc;
	}
	ig->ix.o.json = ig->json.p;
	ig->ix.o.json_len = ig->json.len;
	ig->ix.o.owner_org = ig->opts.owner_org;
	ig->ix.o.shares = ig->opts.shares;
	ig->ix.o.n_shares = ig->opts.n_shares;
	if (ig->in && (++ig->emitted & 1023) == 0)
		ingest_progress(ig, ig->in);
	if (ig->staging || ig->w) {
		stage(ig, &ig->ix.o);
		return 0;
	}
	rc = put(ig, &ig->ix.o);
	if (rc) {
		char why[256];
		snprintf(why, sizeof why, "the store refused the object: %s", store_put_why(rc));
		say(ig, "", pos, NULL, why);
		ig->file_failed = 1;
	}
	return rc;
}

int ingest_emit(struct ingest *ig, cJSON *obj, const struct ingest_pos *pos)
{
	return emit(ig, obj, pos, 0);
}

int ingest_emit_built(struct ingest *ig, cJSON *obj, const struct ingest_pos *pos)
{
	return emit(ig, obj, pos, 1);
}

const char *ingest_source_identity(struct ingest *ig)
{
	if (!ig->opts.source)
		return NULL;
	if (!ig->source_id[0]) {
		char uuid[37];
		uuid_v5(STIX_SCO_NAMESPACE, ig->opts.source, strlen(ig->opts.source), uuid);
		snprintf(ig->source_id, sizeof ig->source_id, "identity--%s", uuid);
	}
	return ig->source_id;
}

/* The source identity is stored in every file's transaction that uses it;
 * the store counts repeats as unchanged. */
static int emit_source_identity(struct ingest *ig)
{
	const char *id = ingest_source_identity(ig);
	if (!id)
		return 0;
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "type", "identity");
	cJSON_AddStringToObject(o, "spec_version", "2.1");
	cJSON_AddStringToObject(o, "id", id);
	/* A fixed creation time keeps re-imports idempotent. */
	cJSON_AddStringToObject(o, "created", "2020-01-01T00:00:00.000Z");
	cJSON_AddStringToObject(o, "modified", "2020-01-01T00:00:00.000Z");
	cJSON_AddStringToObject(o, "name", ig->opts.source);
	cJSON_AddStringToObject(o, "identity_class", "organization");
	struct ingest_pos pos = {0};
	int rc = ingest_emit(ig, o, &pos);
	cJSON_Delete(o);
	return rc;
}

/* ---- inputs ---- */

static int input_open(struct input *in, const char *path, char *why, size_t cap)
{
	memset(in, 0, sizeof *in);
	in->name = path;
	int fd = strcmp(path, "-") == 0 ? dup(0) : open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(why, cap, "%s", strerror(errno));
		return VB_EIO;
	}
	struct stat st;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode))
		in->size = (uint64_t)st.st_size;
	in->gz = gzdopen(fd, "rb");
	if (!in->gz) {
		close(fd);
		snprintf(why, cap, "cannot open");
		return VB_EIO;
	}
	gzbuffer(in->gz, 1 << 20);
	int n = gzread(in->gz, in->head, sizeof in->head);
	if (n < 0) {
		int zerr;
		snprintf(why, cap, "%s", gzerror(in->gz, &zerr));
		gzclose(in->gz);
		in->gz = NULL;
		return VB_EINPUT;
	}
	in->head_len = (size_t)n;
	return 0;
}

static void input_close(struct input *in)
{
	if (in->gz)
		gzclose(in->gz);
	in->gz = NULL;
}

long input_read(struct input *in, char *buf, size_t n)
{
	if (in->head_pos < in->head_len) {
		size_t k = in->head_len - in->head_pos;
		if (k > n)
			k = n;
		memcpy(buf, in->head + in->head_pos, k);
		in->head_pos += k;
		in->bytes_read += k;
		return (long)k;
	}
	if (n > (1u << 30))
		n = 1u << 30;
	int k = gzread(in->gz, buf, (unsigned)n);
	if (k < 0)
		return -1;
	in->bytes_read += (uint64_t)k;
	return k;
}

int input_read_all(struct input *in, size_t max, char **out, size_t *len, struct vb_err *err)
{
	size_t cap = in->size && in->size < max ? (size_t)in->size + 1 : 1 << 20;
	if (cap < in->head_len + 1)
		cap = in->head_len + 1;
	char *p = xmalloc(cap + 1);
	size_t n = 0;
	for (;;) {
		if (n == cap) {
			if (cap > max) {
				free(p);
				return vb_err_set(err, VB_EINPUT,
						  "larger than the limit of %zu bytes", max);
			}
			cap *= 2;
			p = xrealloc(p, cap + 1);
		}
		long k = input_read(in, p + n, cap - n);
		if (k < 0) {
			int zerr;
			const char *m = gzerror(in->gz, &zerr);
			free(p);
			return vb_err_set(err, VB_EINPUT, "read error: %s", m);
		}
		if (k == 0)
			break;
		n += (size_t)k;
		if (n > max) {
			free(p);
			return vb_err_set(err, VB_EINPUT, "larger than the limit of %zu bytes",
					  max);
		}
	}
	p[n] = 0;
	*out = p;
	*len = n;
	return 0;
}

/* ---- files and folders ---- */

/* A folder import shares one transaction among its files and commits it
 * every INGEST_BATCH objects (between files), so small files do not each
 * pay a commit, and a crash loses at most one batch. Every commit rewrites
 * the random index pages it touched: a million objects per commit wrote
 * 2.6 GB for the 3.3 M objects of the list benchmark where 250,000 wrote
 * 4.6 GB, and took a tenth less time. Files up to
 * INGEST_STAGE_MAX bytes are staged in memory; larger ones get their own
 * transaction. Either way each file is stored whole or not at all. */
#define INGEST_BATCH	 1000000
#define INGEST_STAGE_MAX (64u << 20)
static int batch_flush(struct ingest *ig, int reopen);

static const struct ingest_reader *reader_by_name(const char *name)
{
	for (size_t i = 0; i < ARRAY_LEN(readers); i++)
		if (strcmp(readers[i]->name, name) == 0)
			return readers[i];
	return NULL;
}

static const struct ingest_reader *detect(const char *path, const struct input *in)
{
	const struct ingest_reader *best = NULL;
	int best_score = 0;
	for (size_t i = 0; i < ARRAY_LEN(readers); i++) {
		int s = readers[i]->sniff(path, in->head, in->head_len);
		if (s > best_score) {
			best_score = s;
			best = readers[i];
		}
	}
	return best;
}

/* JSON Schema documents (such as the OASIS interop profiles) look like JSON
 * objects but describe data rather than hold it: say so instead of letting a
 * reader fail on them with a misleading message. */
static int is_json_schema(const struct input *in)
{
	size_t n = in->head_len < 4096 ? in->head_len : 4096;
	size_t i = 0;
	while (i < n && (in->head[i] == ' ' || in->head[i] == '\n' || in->head[i] == '\r' ||
			 in->head[i] == '\t'))
		i++;
	return i < n && in->head[i] == '{' && memmem(in->head, n, "\"$schema\"", 9) &&
	       !memmem(in->head, n, "\"objects\"", 9);
}

int ingest_file(struct ingest *ig, const char *path, const struct ingest_reader *force)
{
	struct input in;
	char why[256];
	ig->file = path;
	ig->file_failed = 0;
	ig->shown = 0;
	ig->files++;
	seen_clear(&ig->seen);
	int rc = input_open(&in, path, why, sizeof why);
	if (rc) {
		ig->files_failed++;
		fprintf(stderr, "verbinding import: %s: %s\n", path, why);
		return rc;
	}
	if (!force && ig->opts.format) {
		force = reader_by_name(ig->opts.format);
		if (!force) {
			input_close(&in);
			fprintf(stderr, "verbinding import: unknown format '%s'\n",
				ig->opts.format);
			return VB_EUSAGE;
		}
	}
	const struct ingest_reader *r = force ? force : detect(path, &in);
	if (!force && is_json_schema(&in)) {
		input_close(&in);
		ig->files_failed++;
		fprintf(
		    stderr,
		    "verbinding import: %s: a JSON Schema document (it has \"$schema\"), not STIX "
		    "or MISP data: it describes objects but holds none\n",
		    path);
		return VB_EINPUT;
	}
	if (in.head_len == 0) {
		input_close(&in);
		ig->files_failed++;
		fprintf(stderr, "verbinding import: %s: empty input\n", path);
		return VB_EINPUT;
	}
	if (!r) {
		input_close(&in);
		ig->files_failed++;
		fprintf(stderr,
			"verbinding import: %s: cannot tell the format (not STIX, MISP, a galaxy, "
			"an indicator list or CSV); use --format\n",
			path);
		return VB_EINPUT;
	}
	ig->in = &in;
	/* Inside a folder import, a small file is staged and joins the shared
	 * transaction only once it has been read whole; a large one ends the
	 * batch and gets a transaction of its own. */
	int resume_batch = 0;
	/* Sizes are on disk: a compressed file may hold ten times more. */
	uint64_t stage_max = gzdirect(in.gz) ? INGEST_STAGE_MAX : INGEST_STAGE_MAX / 16;
	ig->staging = ig->batch_open && in.size > 0 && in.size <= stage_max;
	if (ig->batch_open && !ig->staging) {
		rc = batch_flush(ig, 0);
		resume_batch = !rc;
	}
	if (!rc && !ig->staging)
		rc = tx(ig, WRITER_BEGIN);
	if (!rc)
		rc = emit_source_identity(ig);
	if (!rc)
		rc = r->read(ig, &in);
	if (!rc && ig->file_failed)
		rc = VB_EINPUT;
	if (rc)
		unstage(ig);
	if (ig->staging) {
		if (!rc && (rc = put_staged(ig))) {
			/* The shared transaction now holds part of this file (or
			 * of one before it, with a writer thread). */
			tx(ig, WRITER_ROLLBACK);
			ig->batch_open = 0;
			settle(ig, 0);
			fprintf(stderr,
				"verbinding import: %s: the store refused an object; nothing "
				"from the files since the last commit was stored\n",
				path);
			rc = rc == VB_ECONFLICT ? rc : VB_ESTORE;
			ig->batch_lost = 1;
		}
		ig->staging = 0;
	} else {
		if (!rc)
			rc = tx(ig, WRITER_COMMIT);
		if (rc)
			tx(ig, WRITER_ROLLBACK);
	}
	if (rc) {
		ig->files_failed++;
		clear_bar(ig);
		fprintf(stderr, "verbinding import: %s: nothing stored from this file\n", path);
	}
	merge_counts(ig, rc != 0);
	if (resume_batch && tx(ig, WRITER_BEGIN) == 0)
		ig->batch_open = 1;
	ig->in = NULL;
	input_close(&in);
	clear_bar(ig);
	return rc;
}

static int batch_flush(struct ingest *ig, int reopen)
{
	if (!ig->batch_open)
		return 0;
	ig->batch_open = 0;
	if (reopen && ig->w) {
		/* A periodic commit inside a folder: the writer goes on at once;
		 * a failure comes back from the folder's last commit. */
		if (ig->cur && ig->cur->n)
			submit(ig);
		writer_tx_async(ig->w, WRITER_COMMIT);
		writer_tx_async(ig->w, WRITER_BEGIN);
		collect_all(ig);
		settle(ig, 1); /* a failure is reported by the folder's last commit */
		ig->batch_objects = 0;
		ig->batch_open = 1;
		return 0;
	}
	int rc = tx(ig, WRITER_COMMIT);
	settle(ig, rc == 0);
	if (rc) {
		tx(ig, WRITER_ROLLBACK);
		fprintf(stderr, "verbinding import: committing the batch failed; nothing from "
				"the files since the last commit was stored\n");
		return rc == VB_ECONFLICT ? rc : VB_ESTORE;
	}
	ig->batch_objects = 0;
	if (reopen) {
		if ((rc = tx(ig, WRITER_BEGIN)))
			return rc;
		ig->batch_open = 1;
	}
	return 0;
}

static int is_dir(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static int skip_entry(const struct dirent *d)
{
	return d->d_name[0] != '.';
}

static int ingest_dir(struct ingest *ig, const char *path)
{
	char sub[4096];
	snprintf(sub, sizeof sub, "%s/manifest.json", path);
	if (access(sub, R_OK) == 0)
		return ingest_misp_feed(ig, path);
	struct dirent **names;
	int n = scandir(path, &names, skip_entry, alphasort);
	if (n < 0) {
		fprintf(stderr, "verbinding import: %s: %s\n", path, strerror(errno));
		ig->files_failed++;
		return VB_EIO;
	}
	int first = 0;
	for (int i = 0; i < n; i++) {
		int k = snprintf(sub, sizeof sub, "%s/%s", path, names[i]->d_name);
		int rc = k > 0 && (size_t)k < sizeof sub ? ingest_path(ig, sub) : VB_EIO;
		if (rc && !first)
			first = rc;
		if (!first && ig->batch_objects >= INGEST_BATCH)
			first = batch_flush(ig, 1);
		if (first == VB_ESTORE || ig->batch_lost) {
			for (int j = i; j < n; j++)
				free(names[j]);
			break;
		}
		free(names[i]);
	}
	free(names);
	return first;
}

int ingest_path(struct ingest *ig, const char *path)
{
	if (strcmp(path, "-") == 0 || !is_dir(path))
		return ingest_file(ig, path, NULL);
	int outer = !ig->batch_open;
	if (outer) {
		int rc = tx(ig, WRITER_BEGIN);
		if (rc)
			return rc;
		ig->batch_open = 1;
		ig->batch_objects = 0;
	}
	int rc = ingest_dir(ig, path);
	if (outer) {
		if (rc == VB_ESTORE || ig->batch_lost) {
			tx(ig, WRITER_ROLLBACK);
			ig->batch_open = 0;
			settle(ig, 0);
			ig->batch_lost = 0;
		} else {
			int crc = batch_flush(ig, 0);
			rc = rc ? rc : crc;
		}
	}
	return rc;
}

/* ---- lifecycle and summary ---- */

struct ingest *ingest_new(struct store *s, const struct ingest_opts *opts)
{
	struct ingest *ig = xcalloc(1, sizeof *ig);
	ig->st = s;
	ig->opts = *opts;
	ig->t0 = time_now_us();
	stix_index_init(&ig->ix);
	buf_init(&ig->json, STIX_MAX_OBJECT);
	if (opts->pipeline)
		ig->w = writer_start(s);
	return ig;
}

void ingest_free(struct ingest *ig)
{
	if (!ig)
		return;
	writer_stop(ig->w);
	stix_index_free(&ig->ix);
	buf_free(&ig->json);
	wbatch_free(&ig->own);
	free(ig->seen.slot);
	free(ig->counts);
	free(ig->file_counts);
	free(ig->pending);
	free(ig);
}

long ingest_rejected(const struct ingest *ig)
{
	return ig->rejected;
}

static int by_type(const void *a, const void *b)
{
	return strcmp(((const struct ingest_type_count *)a)->type,
		      ((const struct ingest_type_count *)b)->type);
}

void ingest_summary(struct ingest *ig, FILE *f)
{
	clear_bar(ig);
	collect_all(ig);
	if (ig->n_counts)
		qsort(ig->counts, ig->n_counts, sizeof *ig->counts, by_type);
	long t[4] = {0};
	fprintf(f, "%-28s %10s %10s %10s %10s\n", "type", "new", "updated", "unchanged",
		"rejected");
	for (size_t i = 0; i < ig->n_counts; i++) {
		struct ingest_type_count *c = &ig->counts[i];
		fprintf(f, "%-28s %10ld %10ld %10ld %10ld\n", c->type, c->n_new, c->n_updated,
			c->n_unchanged, c->n_rejected);
		t[0] += c->n_new;
		t[1] += c->n_updated;
		t[2] += c->n_unchanged;
		t[3] += c->n_rejected;
	}
	double secs = (double)(time_now_us() - ig->t0) / 1e6;
	fprintf(f, "%-28s %10ld %10ld %10ld %10ld\n", "total", t[0], t[1], t[2], t[3]);
	fprintf(f, "%ld file(s), %ld failed, %.2f s, %.0f objects/s\n", ig->files, ig->files_failed,
		secs, secs > 0 ? (double)(t[0] + t[1] + t[2]) / secs : 0.0);
}
