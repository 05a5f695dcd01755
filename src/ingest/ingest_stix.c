/*
 * ingest_stix.c: the STIX reader: bundles (2.1 and 2.0), bare objects and
 * arrays of objects, streamed.
 *
 * A bundle can be larger than memory, so the document is never parsed whole.
 * A small scanner tracks strings and nesting and cuts out each element of the
 * bundle's "objects" array (or of a top-level array); each element is parsed
 * on its own by cJSON and emitted. Everything else of the document (the
 * bundle's envelope) is kept aside and checked at the end. Memory is bounded
 * by the largest single object, not by the file.
 */
#include "ingest.h"
#include "../stix/stix.h"
#include "../util/buf.h"
#include "../util/util.h"

#include <stdlib.h>
#include <string.h>

#define ENVELOPE_MAX (1u << 20)
#define CHUNK	     (1u << 20)

static int is_ws(char c)
{
	return c == ' ' || c == '\n' || c == '\r' || c == '\t';
}

/* Scores how much head looks like STIX: JSON whose top-level keys or first
 * element name a STIX type and id. */
static int stix_sniff(const char *path, const char *head, size_t len)
{
	size_t i = 0;
	while (i < len && is_ws(head[i]))
		i++;
	if (i >= len || (head[i] != '{' && head[i] != '['))
		return 0;
	/* Look only at the first few KiB: enough for a bundle's or an object's
	 * leading keys, and cheap. */
	size_t n = len < 8192 ? len : 8192;
	const char *h = head;
	int has_type = memmem(h, n, "\"type\"", 6) != NULL;
	int has_id = memmem(h, n, "\"id\"", 4) != NULL;
	if (memmem(h, n, "\"bundle\"", 8) && has_type)
		return 90;
	if (memmem(h, n, "\"Event\"", 7) || memmem(h, n, "\"response\"", 10))
		return 0;
	if (has_type && has_id && memmem(h, n, "--", 2))
		return 60;
	return 0;
}

struct scanner {
	struct ingest *ig;
	struct input *in;
	struct buf elem; /* the element being cut out */
	struct buf env;	 /* the envelope: everything outside the elements */
	int depth;	 /* nesting depth at the current byte */
	int in_str, esc;
	int top_array;	/* the document is an array of objects */
	int elem_depth; /* depth at which elements start (1 or 2), 0: none yet */
	int in_elem;
	int key_objects; /* the last depth-1 key was "objects" */
	int seen_objects;
	long n_elems;
	int after_top;	     /* the top-level value has ended */
	long line, col;	     /* position of the last significant byte */
	uint64_t offset;     /* bytes of the document before the current chunk */
	uint64_t line_start; /* offset of the first byte of the current line */
	long elem_line, elem_col;
	char key[16]; /* the last depth-1 key, truncated */
	size_t key_len;
	int key_open, expect_key;
};

static void pos_of(const char *p, size_t off, long line0, long col0, long *line, long *col)
{
	*line = line0;
	*col = col0;
	for (size_t i = 0; i < off; i++) {
		if (p[i] == '\n') {
			(*line)++;
			*col = 1;
		} else {
			(*col)++;
		}
	}
}

static int emit_element(struct scanner *sc)
{
	struct ingest *ig = sc->ig;
	char ptr[48];
	if (sc->top_array)
		snprintf(ptr, sizeof ptr, "/%ld", sc->n_elems);
	else
		snprintf(ptr, sizeof ptr, "/objects/%ld", sc->n_elems);
	sc->n_elems++;
	const char *end = NULL;
	cJSON *obj = cJSON_ParseWithLengthOpts(sc->elem.p, sc->elem.len, &end, 0);
	if (!obj) {
		const char *ep = cJSON_GetErrorPtr();
		size_t off = ep && ep >= sc->elem.p && ep <= sc->elem.p + sc->elem.len
				 ? (size_t)(ep - sc->elem.p)
				 : 0;
		struct ingest_pos pos = {0, 0, ptr};
		pos_of(sc->elem.p, off, sc->elem_line, sc->elem_col, &pos.line, &pos.column);
		return ingest_fail(ig, &pos, "malformed JSON in this object");
	}
	struct ingest_pos pos = {sc->elem_line, sc->elem_col, ptr};
	int rc = ingest_emit(ig, obj, &pos);
	cJSON_Delete(obj);
	return rc;
}

static int fail_at(struct scanner *sc, const char *what)
{
	struct ingest_pos pos = {sc->line, sc->col, NULL};
	return ingest_fail(sc->ig, &pos, "%s", what);
}

/* Appends key bytes of a depth-1 key being read (truncated, which is fine:
 * only "objects" matters). */
static void key_add(struct scanner *sc, const char *p, size_t n)
{
	size_t room = sizeof sc->key - 1 - sc->key_len;
	if (n > room)
		n = room;
	memcpy(sc->key + sc->key_len, p, n);
	sc->key_len += n;
}

/* Skips string content from p[i]: returns the index just past the closing
 * quote, or n when the string goes on in the next chunk. JSON strings hold no
 * raw newlines, so no line counting is needed here; memchr does the work. */
static size_t skip_string(struct scanner *sc, const char *p, size_t i, size_t n)
{
	while (i < n) {
		if (sc->esc) {
			sc->esc = 0;
			if (sc->key_open)
				key_add(sc, p + i, 1);
			i++;
			continue;
		}
		const char *q = memchr(p + i, '"', n - i);
		size_t j = q ? (size_t)(q - p) : n;
		size_t k = j; /* count the backslashes just before j */
		while (k > i && p[k - 1] == '\\')
			k--;
		int odd = (j - k) & 1;
		if (sc->key_open)
			key_add(sc, p + i, j - i);
		if (!q) {
			sc->esc = odd;
			return n;
		}
		if (odd) {
			if (sc->key_open)
				key_add(sc, p + j, 1);
			i = j + 1;
			continue;
		}
		sc->in_str = 0;
		sc->key_open = 0;
		return j + 1;
	}
	return i;
}

/* Feeds n bytes of the document through the scanner. */
static int scan(struct scanner *sc, const char *p, size_t n)
{
	size_t span = 0; /* start of the bytes not yet copied to elem/env */
	for (size_t i = 0; i < n; i++) {
		if (sc->in_str) {
			i = skip_string(sc, p, i, n);
			if (i >= n)
				break;
		}
		char c = p[i];
		if (c == '\n') {
			sc->line++;
			sc->line_start = sc->offset + i + 1;
			continue;
		}
		if (c == ' ' || c == '\t' || c == '\r')
			continue;
		sc->col = (long)(sc->offset + i - sc->line_start) + 1;
		if (sc->after_top)
			return fail_at(sc, "unexpected data after the end of the JSON document");
		switch (c) {
		case '"':
			if (!sc->in_elem && sc->elem_depth && sc->depth == sc->elem_depth)
				return fail_at(sc, "expected a STIX object in the objects array");
			sc->in_str = 1;
			if (sc->depth == 1 && !sc->top_array && sc->expect_key) {
				sc->key_open = 1;
				sc->key_len = 0;
				sc->expect_key = 0;
			}
			i = skip_string(sc, p, i + 1, n) - 1;
			break;
		case '{':
		case '[':
			if (sc->depth == 0) {
				sc->top_array = c == '[';
				sc->elem_depth = sc->top_array ? 1 : 0;
				sc->expect_key = 1;
			}
			if (sc->depth == 1 && !sc->top_array && c == '[' && sc->key_objects) {
				sc->elem_depth = 2;
				sc->seen_objects = 1;
				sc->key_objects = 0;
			}
			if (sc->elem_depth && sc->depth == sc->elem_depth && !sc->in_elem) {
				/* An element starts: flush the envelope up to here. */
				if (buf_add(&sc->env, p + span, i - span))
					return fail_at(sc, "bundle envelope too large");
				span = i;
				sc->in_elem = 1;
				sc->elem_line = sc->line;
				sc->elem_col = sc->col;
				buf_reset(&sc->elem);
			}
			if (++sc->depth > STIX_MAX_DEPTH + 2)
				return fail_at(sc, "JSON nested deeper than 64 levels");
			break;
		case '}':
		case ']':
			if (sc->depth == 0)
				return fail_at(sc, "unbalanced closing bracket");
			sc->depth--;
			if (sc->in_elem && sc->depth == sc->elem_depth) {
				if (buf_add(&sc->elem, p + span, i + 1 - span))
					return fail_at(sc, "object larger than the limit");
				span = i + 1;
				sc->in_elem = 0;
				int rc = emit_element(sc);
				if (rc)
					return rc;
			} else if (sc->elem_depth == 2 && sc->depth == 1 && c == ']') {
				sc->elem_depth = 0; /* the objects array ended */
			}
			if (sc->depth == 0) {
				sc->after_top = 1;
				if (!sc->top_array && buf_add(&sc->env, p + span, i + 1 - span))
					return fail_at(sc, "bundle envelope too large");
				span = i + 1;
			}
			break;
		case ',':
			if (sc->depth == 1 && !sc->top_array)
				sc->expect_key = 1;
			if (!sc->in_elem && sc->elem_depth && sc->depth == sc->elem_depth) {
				/* Separators between elements stay out of the envelope. */
				if (buf_add(&sc->env, p + span, i - span))
					return fail_at(sc, "bundle envelope too large");
				span = i + 1;
			}
			break;
		case ':':
			if (sc->depth == 1 && !sc->top_array)
				sc->key_objects =
				    sc->key_len == 7 && memcmp(sc->key, "objects", 7) == 0;
			break;
		default:
			if (sc->depth == 0)
				return fail_at(sc, "expected a JSON object or array");
			if (!sc->in_elem && sc->elem_depth && sc->depth == sc->elem_depth)
				return fail_at(sc, "expected a STIX object in the objects array");
			break;
		}
	}
	sc->offset += n;
	if (sc->after_top)
		return 0;
	struct buf *to = sc->in_elem ? &sc->elem : &sc->env;
	if (buf_add(to, p + span, n - span))
		return fail_at(sc, sc->in_elem ? "object larger than the limit"
					       : "bundle envelope too large");
	return 0;
}

static const char *str_of(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* Checks the envelope once the document has been read: a bundle's type and
 * id, or, when there was no objects array, the envelope is the object. */
static int finish(struct scanner *sc)
{
	struct ingest_pos top = {1, 1, NULL};
	if (!sc->after_top || sc->in_str)
		return fail_at(sc, "unexpected end of input: the JSON document is truncated");
	if (sc->top_array)
		return 0;
	const char *end = NULL;
	cJSON *env = cJSON_ParseWithLengthOpts(sc->env.p, sc->env.len, &end, 0);
	if (!env)
		return ingest_fail(sc->ig, &top, "malformed JSON");
	const char *type = str_of(env, "type");
	int rc = 0;
	if (type && strcmp(type, "bundle") == 0) {
		const char *id = str_of(env, "id");
		cJSON *objs = cJSON_GetObjectItemCaseSensitive(env, "objects");
		if (!id || strncmp(id, "bundle--", 8) != 0 || !uuid_valid(id + 8, strlen(id + 8)))
			rc =
			    ingest_fail(sc->ig, &top, "/id: a bundle needs an id 'bundle--<UUID>'");
		else if (objs && !cJSON_IsArray(objs))
			rc = ingest_fail(sc->ig, &top, "/objects: must be an array");
	} else if (sc->seen_objects) {
		rc = ingest_fail(sc->ig, &top,
				 "/type: a document with an objects array must be a bundle");
	} else {
		rc = ingest_emit(sc->ig, env, &top);
	}
	cJSON_Delete(env);
	return rc;
}

static int stix_read(struct ingest *ig, struct input *in)
{
	struct scanner sc = {.ig = ig, .in = in, .line = 1, .col = 1};
	buf_init(&sc.elem, STIX_MAX_OBJECT);
	buf_init(&sc.env, STIX_MAX_OBJECT);
	char *chunk = xmalloc(CHUNK);
	int rc = 0;
	for (;;) {
		long k = input_read(in, chunk, CHUNK);
		if (k < 0) {
			rc = fail_at(&sc, "read error (truncated or corrupt gzip?)");
			break;
		}
		if (k == 0)
			break;
		rc = scan(&sc, chunk, (size_t)k);
		if (rc)
			break;
		ingest_progress(ig, in);
	}
	if (!rc)
		rc = finish(&sc);
	free(chunk);
	buf_free(&sc.elem);
	buf_free(&sc.env);
	return rc;
}

const struct ingest_reader ingest_stix_reader = {
    .name = "stix",
    .summary = "STIX 2.1 or 2.0 bundle, object or array of objects (streamed)",
    .sniff = stix_sniff,
    .read = stix_read,
};
