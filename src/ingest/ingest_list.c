/*
 * ingest_list.c: the indicator-list readers: plain lists (ipsum, maltrail
 * trails, one value per line) and CSV feeds with a header.
 *
 * Every value becomes an indicator with a STIX pattern plus, when the value
 * has one, its observable (ipv4-addr, domain-name, file, ...). The readers
 * are built for lists of millions of lines: input is read in large chunks
 * and cut with memchr, values are checked and normalised in place, and the
 * cJSON objects handed to ingest_emit are two templates per file whose
 * string members point at per-line buffers (cJSON string references), so a
 * line costs no allocation on this side.
 *
 * Identity and time, chosen so that importing the same file again changes
 * nothing:
 *  - an indicator's id is uuid5(LIST_ID_NAMESPACE, source "\n" list "\n"
 *    pattern), where source is --source (or empty) and list is the file name
 *    without directory and extension ("emotet", "ipsum"): the same value in
 *    two lists is two claims, the same value twice in one list is one;
 *  - created and modified are the file's modification time (millisecond
 *    precision), so a re-import of the same file is "unchanged" and a newer
 *    copy of a list adds versions; stdin, which has no such time, uses
 *    --valid-from when given and the current time otherwise;
 *  - valid_from is --valid-from, else the CSV row's first_seen, else that
 *    same file time; valid_until is --valid-until when given.
 * Observables get deterministic ids (STIX 2.1, 2.9), so the core stores each
 * once however many lists name it.
 *
 * Comments: the comment lines before the first value (less copyright and
 * licence boilerplate and "#####" decoration, whole lines up to
 * LIST_MAX_HEADER bytes, since every indicator repeats them) become each
 * indicator's description; a comment after
 * a value on its line, or further tab-separated columns, are added to that
 * value's description; "Reference: URL" comments (maltrail writes them above
 * groups of values) become external_references of the values that follow,
 * until the next comment block.
 *
 * Bad lines (over INGEST_MAX_LINE, invalid UTF-8, control characters, values
 * of no known kind) fail the file, which the core then rolls back, unless
 * --skip-invalid is given: then each is reported and skipped.
 */
#include "ingest.h"
#include "ingest_list.h"
#include "value.h"
#include "../util/buf.h"
#include "../util/util.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <xxhash.h>

/* The namespace of list indicator ids (a fixed random UUID). */
#define LIST_ID_NAMESPACE "64b8dcb3-eb70-4558-aca3-fdd33efe450e"

#define LIST_CHUNK (1u << 20) /* bytes read at a time */
#define LIST_MAX_HEADER                                                                            \
	200			 /* description from the header comments (whole lines):            \
				  * it is repeated in every indicator of the list */
#define LIST_MAX_NOTE	    4096 /* per-value comment text kept */
#define LIST_MAX_REFS	    2	 /* external references per comment block (repeated per value) */
#define LIST_MAX_ROW_LABELS 16	 /* labels from one CSV category cell */
#define LIST_SNIFF_LINES    200	 /* lines of the head looked at by sniff */

/* ---- line and record parsing (no store needed) ---------------------------- */

/* Offset of the first byte that is not valid UTF-8, or n when all are. */
static size_t utf8_bad_offset(const char *s, size_t n)
{
	size_t i = 0;
	while (i < n) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x80) {
			i++;
			continue;
		}
		size_t len = c >= 0xc2 && c <= 0xdf   ? 2
			     : c >= 0xe0 && c <= 0xef ? 3
			     : c >= 0xf0 && c <= 0xf4 ? 4
						      : 0;
		if (len == 0 || n - i < len || !utf8_valid(s + i, len))
			return i;
		i += len;
	}
	return n;
}

static int is_ws(char c)
{
	return c == ' ' || c == '\t';
}

static void trim(const char **p, size_t *n)
{
	while (*n && is_ws(**p)) {
		(*p)++;
		(*n)--;
	}
	while (*n && is_ws((*p)[*n - 1]))
		(*n)--;
}

/* Checks that s is text: valid UTF-8 without control characters other than
 * tab (and newline when nl_ok). Returns 0, or VB_EINPUT with *why and *col
 * (0-based) set. */
static int text_check(const char *s, size_t n, int nl_ok, const char **why, size_t *col)
{
	int ascii = 1;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if ((c < 0x20 && c != '\t' && !(nl_ok && (c == '\n' || c == '\r'))) || c == 0x7f) {
			*why = "control character";
			*col = i;
			return VB_EINPUT;
		}
		if (c >= 0x80)
			ascii = 0;
	}
	if (!ascii) {
		size_t bad = utf8_bad_offset(s, n);
		if (bad < n) {
			*why = "invalid UTF-8";
			*col = bad;
			return VB_EINPUT;
		}
	}
	return 0;
}

static int parse_line_error(struct list_line *o, const char *why, size_t col)
{
	o->why = why;
	o->column = (long)col + 1;
	return VB_EINPUT;
}

int list_parse_line(const char *s, size_t n, struct list_line *o)
{
	memset(o, 0, sizeof *o);
	o->score = -1;
	if (n && s[n - 1] == '\r')
		n--;
	const char *why;
	size_t col;
	if (text_check(s, n, 0, &why, &col))
		return parse_line_error(o, why, col);
	size_t i = 0;
	while (i < n && is_ws(s[i]))
		i++;
	if (i == n) {
		o->type = LIST_BLANK;
		return 0;
	}
	if (s[i] == '#') {
		o->type = LIST_COMMENT;
		o->comment = s + i + 1;
		o->comment_len = n - i - 1;
		trim(&o->comment, &o->comment_len);
		return 0;
	}
	o->type = LIST_VALUE;
	size_t j = i;
	while (j < n && !is_ws(s[j]))
		j++;
	o->value = s + i;
	o->value_len = j - i;
	if (j == n)
		return 0;

	/* The rest: [score] [columns] [# comment]. A comment starts at a '#'
	 * that follows whitespace. */
	int tabbed = 0;
	size_t k = j;
	while (k < n && is_ws(s[k]))
		tabbed |= s[k++] == '\t';
	size_t cstart = n;
	for (size_t m = k; m < n; m++) {
		if (s[m] == '#' && (m == k || is_ws(s[m - 1]))) {
			cstart = m;
			break;
		}
	}
	if (cstart < n) {
		o->comment = s + cstart + 1;
		o->comment_len = n - cstart - 1;
		trim(&o->comment, &o->comment_len);
	}
	const char *body = s + k;
	size_t bn = cstart - k;
	trim(&body, &bn);
	if (bn == 0)
		return 0;
	size_t t = 0;
	while (t < bn && body[t] >= '0' && body[t] <= '9')
		t++;
	if (t > 0 && t <= 18 && (t == bn || is_ws(body[t]))) {
		long v = 0;
		for (size_t d = 0; d < t; d++)
			v = v * 10 + (body[d] - '0');
		o->score = v;
		if (t < bn && body[t] == '\t')
			tabbed = 1;
		body += t;
		bn -= t;
		trim(&body, &bn);
		if (bn == 0)
			return 0;
	}
	if (!tabbed)
		return parse_line_error(o,
					"text after the value (a value holds no spaces; comments "
					"start with '#', further columns with a tab)",
					(size_t)(body - s));
	o->extra = body;
	o->extra_len = bn;
	return 0;
}

enum csv_state csv_quote_state(const char *s, size_t n, enum csv_state st)
{
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		switch (st) {
		case CSV_START:
			st = c == '"'				 ? CSV_QUOTED
			     : c == ',' || c == ' ' || c == '\t' ? CSV_START
								 : CSV_UNQUOTED;
			break;
		case CSV_UNQUOTED:
			if (c == ',')
				st = CSV_START;
			break;
		case CSV_QUOTED:
			if (c == '"')
				st = CSV_QUOTE_IN_QUOTED;
			break;
		case CSV_QUOTE_IN_QUOTED:
			st = c == '"' ? CSV_QUOTED : c == ',' ? CSV_START : CSV_UNQUOTED;
			break;
		}
	}
	return st;
}

int csv_split(const char *rec, size_t n, char *scratch, size_t scratch_cap, struct csv_field *f,
	      size_t max, const char **why)
{
	size_t nf = 0, o = 0, i = 0;
	if (n && rec[n - 1] == '\r')
		n--;
	if (scratch_cap < n + max + 1) {
		*why = "record too long";
		return VB_EINPUT;
	}
	for (;;) {
		if (nf == max) {
			*why = "too many fields";
			return VB_EINPUT;
		}
		while (i < n && is_ws(rec[i]))
			i++;
		f[nf].p = scratch + o;
		if (i < n && rec[i] == '"') {
			i++;
			for (;;) {
				if (i == n) {
					*why = "unterminated quoted field";
					return VB_EINPUT;
				}
				if (rec[i] == '"') {
					if (i + 1 < n && rec[i + 1] == '"') {
						scratch[o++] = '"';
						i += 2;
						continue;
					}
					i++;
					break;
				}
				scratch[o++] = rec[i++];
			}
			f[nf].len = (size_t)(scratch + o - f[nf].p);
			while (i < n && is_ws(rec[i]))
				i++;
			if (i < n && rec[i] != ',') {
				*why = "text after a closing quote";
				return VB_EINPUT;
			}
		} else {
			size_t st = i;
			while (i < n && rec[i] != ',')
				i++;
			const char *p = rec + st;
			size_t len = i - st;
			trim(&p, &len);
			memcpy(scratch + o, p, len);
			o += len;
			f[nf].len = len;
		}
		scratch[o++] = 0;
		nf++;
		if (i >= n)
			break;
		i++; /* the comma */
	}
	return (int)nf;
}

static const struct {
	const char *name;
	enum csv_role role;
} csv_names[] = {
    {"value", CSV_VALUE},
    {"indicator", CSV_VALUE},
    {"indicator_value", CSV_VALUE},
    {"ioc", CSV_VALUE},
    {"ioc_value", CSV_VALUE},
    {"observable", CSV_VALUE},
    {"ip", CSV_VALUE},
    {"ip_address", CSV_VALUE},
    {"ipaddress", CSV_VALUE},
    {"dst_ip", CSV_VALUE},
    {"domain", CSV_VALUE},
    {"hostname", CSV_VALUE},
    {"url", CSV_VALUE},
    {"hash", CSV_VALUE},
    {"md5", CSV_VALUE},
    {"md5_hash", CSV_VALUE},
    {"sha1", CSV_VALUE},
    {"sha1_hash", CSV_VALUE},
    {"sha256", CSV_VALUE},
    {"sha256_hash", CSV_VALUE},
    {"sha512", CSV_VALUE},
    {"email", CSV_VALUE},
    {"type", CSV_TYPE},
    {"ioc_type", CSV_TYPE},
    {"indicator_type", CSV_TYPE},
    {"category", CSV_CATEGORY},
    {"tags", CSV_CATEGORY},
    {"tag", CSV_CATEGORY},
    {"threat", CSV_CATEGORY},
    {"threat_type", CSV_CATEGORY},
    {"malware", CSV_CATEGORY},
    {"malware_family", CSV_CATEGORY},
    {"comment", CSV_COMMENT},
    {"comments", CSV_COMMENT},
    {"note", CSV_COMMENT},
    {"notes", CSV_COMMENT},
    {"description", CSV_DESCRIPTION},
    {"desc", CSV_DESCRIPTION},
    {"first_seen", CSV_FIRST_SEEN},
    {"firstseen", CSV_FIRST_SEEN},
    {"first_seen_utc", CSV_FIRST_SEEN},
    {"dateadded", CSV_FIRST_SEEN},
    {"date_added", CSV_FIRST_SEEN},
    {"last_seen", CSV_LAST_SEEN},
    {"lastseen", CSV_LAST_SEEN},
    {"last_seen_utc", CSV_LAST_SEEN},
    {"last_online", CSV_LAST_SEEN},
};

enum csv_role csv_column_role(const char *name, size_t n)
{
	char key[32];
	trim(&name, &n);
	if (n && name[0] == '#') { /* a header written as a comment */
		name++;
		n--;
		trim(&name, &n);
	}
	if (n == 0 || n >= sizeof key)
		return CSV_OTHER;
	for (size_t i = 0; i < n; i++) {
		char c = name[i];
		key[i] = c == ' ' || c == '-' ? '_' : c >= 'A' && c <= 'Z' ? (char)(c + 32) : c;
	}
	key[n] = 0;
	for (size_t i = 0; i < ARRAY_LEN(csv_names); i++)
		if (strcmp(key, csv_names[i].name) == 0)
			return csv_names[i].role;
	return CSV_OTHER;
}

/* ---- reading lines from an input ------------------------------------------ */

struct line_reader {
	struct ingest *ig;
	struct input *in;
	char *buf;
	size_t cap, pos, end;
	int eof, skipping;
	long lineno;
};

static void lr_init(struct line_reader *lr, struct ingest *ig, struct input *in)
{
	memset(lr, 0, sizeof *lr);
	lr->ig = ig;
	lr->in = in;
	lr->cap = LIST_CHUNK + INGEST_MAX_LINE + 1;
	lr->buf = xmalloc(lr->cap);
}

static void lr_free(struct line_reader *lr)
{
	free(lr->buf);
	lr->buf = NULL;
}

/* Reads more input after moving the unread bytes to the front. */
static int lr_fill(struct line_reader *lr)
{
	size_t avail = lr->end - lr->pos;
	memmove(lr->buf, lr->buf + lr->pos, avail);
	lr->pos = 0;
	lr->end = avail;
	long k = input_read(lr->in, lr->buf + lr->end, lr->cap - lr->end);
	if (k < 0)
		return VB_EIO;
	if (k == 0)
		lr->eof = 1;
	lr->end += (size_t)k;
	ingest_progress(lr->ig, lr->in);
	return 0;
}

/* The next line without its "\n": returns 1 with *line and *n set (valid
 * until the next call), 0 at the end, VB_EIO when reading fails. A line
 * longer than INGEST_MAX_LINE is returned cut to that length with *too_long
 * set, and the rest of it is skipped. */
static int lr_next(struct line_reader *lr, const char **line, size_t *n, int *too_long)
{
	*too_long = 0;
	for (;;) {
		char *p = lr->buf + lr->pos;
		size_t avail = lr->end - lr->pos;
		char *nl = memchr(p, '\n', avail);
		if (lr->skipping) {
			lr->pos = nl ? (size_t)(nl - lr->buf) + 1 : lr->end;
			if (nl)
				lr->skipping = 0;
			else if (lr->eof)
				return 0;
			else if (lr_fill(lr))
				return VB_EIO;
			continue;
		}
		if (nl && (size_t)(nl - p) <= INGEST_MAX_LINE) {
			*line = p;
			*n = (size_t)(nl - p);
			lr->pos += *n + 1;
			lr->lineno++;
			return 1;
		}
		if (avail > INGEST_MAX_LINE) {
			*line = p;
			*n = INGEST_MAX_LINE;
			*too_long = 1;
			lr->skipping = 1;
			lr->lineno++;
			return 1;
		}
		if (lr->eof) {
			if (avail == 0)
				return 0;
			*line = p;
			*n = avail;
			lr->pos = lr->end;
			lr->lineno++;
			return 1;
		}
		if (lr_fill(lr))
			return VB_EIO;
	}
}

/* ---- building objects ----------------------------------------------------- */

/* The ids emitted from this file, as 64-bit hashes (open addressing, grown
 * at half load), to skip repeated lines and shared observables: the core
 * refuses an object twice in one input. 8-byte slots keep the table small
 * enough to stay in cache for the usual list; a false "seen" needs two of a
 * file's ids to collide in 64 bits. */
struct seen_set {
	uint64_t *slot;
	size_t cap, n;
};

static int seen_add(struct seen_set *s, const char *p, size_t n)
{
	if (2 * (s->n + 1) > s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 4096;
		uint64_t *slot = xcalloc(cap, sizeof *slot);
		for (size_t i = 0; i < s->cap; i++) {
			uint64_t h = s->slot[i];
			if (!h)
				continue;
			size_t j = (size_t)h & (cap - 1);
			while (slot[j])
				j = (j + 1) & (cap - 1);
			slot[j] = h;
		}
		free(s->slot);
		s->slot = slot;
		s->cap = cap;
	}
	uint64_t h = XXH3_64bits(p, n);
	if (!h)
		h = 1; /* zero marks an empty slot */
	size_t j = (size_t)h & (s->cap - 1);
	while (s->slot[j]) {
		if (s->slot[j] == h)
			return 0;
		j = (j + 1) & (s->cap - 1);
	}
	s->slot[j] = h;
	s->n++;
	return 1;
}

/* One value with what its line or row says about it. */
struct list_item {
	const char *value;
	size_t value_len;
	long line;
	long score;	  /* -1: none */
	const char *note; /* text for the description, or NULL */
	size_t note_len;
	const char *type_hint; /* CSV type column, or NULL */
	size_t type_hint_len;
	const char *labels[LIST_MAX_ROW_LABELS]; /* NUL-terminated, from a CSV row */
	size_t n_labels;
	int64_t first_seen, last_seen; /* 0: none */
};

/* Per-file state shared by both readers. */
struct list_ctx {
	struct ingest *ig;
	struct input *in;
	const struct ingest_opts *opts;
	char list_name[128];
	char ts[32], valid_from[32], valid_until[32], row_valid_from[32], last_seen[32];
	int64_t t_us, valid_from_us;

	/* The indicator template and its per-line members. */
	cJSON *ind, *ind_id, *ind_name, *ind_pattern, *ind_valid_from, *ind_labels;
	cJSON *ind_desc, *ind_score, *ind_last_seen; /* attached per line when set */
	cJSON *ind_refs;			     /* the current block's, or NULL */
	int refs_block_done;			     /* a value followed the block */
	/* Observable templates by value kind, made on first use. */
	cJSON *sco[VALUE__COUNT], *sco_id[VALUE__COUNT], *sco_value[VALUE__COUNT];

	struct buf header, note, desc, canon;
	char *norm, *name; /* name = prefix + pattern */
	size_t name_prefix;
	char id[320], sco_id_buf[320];
	struct seen_set seen;
	int in_header;
	long n_values, n_repeated;
};

static void file_stem(const char *path, char *out, size_t cap)
{
	if (strcmp(path, "-") == 0) {
		snprintf(out, cap, "stdin");
		return;
	}
	const char *b = strrchr(path, '/');
	b = b ? b + 1 : path;
	size_t n = strlen(b);
	static const char *const exts[] = {".gz", ".txt", ".csv", ".tsv", ".list", ".lst", ".ioc"};
	for (int again = 1; again;) {
		again = 0;
		for (size_t i = 0; i < ARRAY_LEN(exts); i++) {
			size_t e = strlen(exts[i]);
			if (n > e && strncasecmp(b + n - e, exts[i], e) == 0) {
				n -= e;
				again = 1;
			}
		}
	}
	if (n >= cap)
		n = cap - 1;
	memcpy(out, b, n);
	out[n] = 0;
}

static cJSON *add_ref(cJSON *obj, const char *key, const char *val)
{
	cJSON *s = cJSON_CreateStringReference(val);
	cJSON_AddItemToObjectCS(obj, key, s);
	return s;
}

static cJSON *add_markings(cJSON *obj, const struct ingest_opts *o)
{
	if (o->tlp) {
		cJSON *a = cJSON_CreateArray();
		cJSON_AddItemToArray(a, cJSON_CreateStringReference(o->tlp));
		cJSON_AddItemToObjectCS(obj, "object_marking_refs", a);
	}
	return obj;
}

/* Reports a bad line: a failure of the file, or under --skip-invalid a
 * rejection. Returns what the reader should return (0 to go on). */
static int list_bad(struct list_ctx *c, long line, long col, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int list_bad(struct list_ctx *c, long line, long col, const char *fmt, ...)
{
	char msg[600];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	struct ingest_pos pos = {line, col, NULL};
	if (c->opts->skip_invalid) {
		ingest_reject(c->ig, &pos, "%s", msg);
		return 0;
	}
	return ingest_fail(c->ig, &pos, "%s", msg);
}

/* The value shown in a message: at most 60 bytes, cut at a character. */
static int shown_len(const char *s, size_t n)
{
	if (n <= 60)
		return (int)n;
	size_t k = 60;
	while (k > 0 && ((unsigned char)s[k] & 0xc0) == 0x80)
		k--;
	return (int)k;
}

static int list_ctx_init(struct list_ctx *c, struct ingest *ig, struct input *in)
{
	memset(c, 0, sizeof *c);
	c->ig = ig;
	c->in = in;
	c->opts = ingest_options(ig);
	c->in_header = 1;
	file_stem(in->name, c->list_name, sizeof c->list_name);
	buf_init(&c->header, LIST_MAX_HEADER);
	buf_init(&c->note, LIST_MAX_NOTE);
	buf_init(&c->desc, LIST_MAX_HEADER + LIST_MAX_NOTE + 4);
	buf_init(&c->canon, VALUE_NORM_CAP + 64);
	c->norm = xmalloc(VALUE_NORM_CAP);

	/* The file's time: see the comment at the top. */
	struct stat st;
	const struct ingest_opts *o = c->opts;
	if (strcmp(in->name, "-") != 0 && stat(in->name, &st) == 0)
		c->t_us =
		    (int64_t)st.st_mtim.tv_sec * 1000000 + st.st_mtim.tv_nsec / 1000000 * 1000;
	else if (o->valid_from)
		c->t_us = o->valid_from;
	else
		c->t_us = time_now_us() / 1000 * 1000;
	time_format(c->t_us, c->ts);
	c->valid_from_us = o->valid_from ? o->valid_from : c->t_us;
	time_format(c->valid_from_us, c->valid_from);
	if (o->valid_until) {
		if (o->valid_until <= c->valid_from_us) {
			struct ingest_pos pos = {0, 0, NULL};
			return ingest_fail(ig, &pos,
					   "--valid-until must be later than valid_from (%s)",
					   c->valid_from);
		}
		time_format(o->valid_until, c->valid_until);
	}

	/* The id name prefix: source "\n" list "\n". */
	const char *src = o->source ? o->source : "";
	size_t sl = strlen(src), ll = strlen(c->list_name);
	c->name = xmalloc(sl + ll + 2 + VALUE_PATTERN_CAP);
	memcpy(c->name, src, sl);
	c->name[sl] = '\n';
	memcpy(c->name + sl + 1, c->list_name, ll);
	c->name[sl + 1 + ll] = '\n';
	c->name_prefix = sl + ll + 2;

	cJSON *ind = c->ind = cJSON_CreateObject();
	add_ref(ind, "type", "indicator");
	add_ref(ind, "spec_version", "2.1");
	c->ind_id = add_ref(ind, "id", c->id);
	add_ref(ind, "created", c->ts);
	add_ref(ind, "modified", c->ts);
	c->ind_name = add_ref(ind, "name", "");
	c->ind_pattern = add_ref(ind, "pattern", "");
	add_ref(ind, "pattern_type", "stix");
	c->ind_valid_from = add_ref(ind, "valid_from", c->valid_from);
	if (o->valid_until)
		add_ref(ind, "valid_until", c->valid_until);
	cJSON *types = cJSON_CreateArray();
	cJSON_AddItemToArray(types, cJSON_CreateStringReference("malicious-activity"));
	cJSON_AddItemToObjectCS(ind, "indicator_types", types);
	c->ind_labels = cJSON_CreateArray();
	for (const char *const *l = o->labels; l && *l; l++)
		if (strcmp(*l, c->list_name) != 0)
			cJSON_AddItemToArray(c->ind_labels, cJSON_CreateStringReference(*l));
	cJSON_AddItemToArray(c->ind_labels, cJSON_CreateStringReference(c->list_name));
	cJSON_AddItemToObjectCS(ind, "labels", c->ind_labels);
	const char *identity = ingest_source_identity(ig);
	if (identity)
		add_ref(ind, "created_by_ref", identity);
	add_markings(ind, o);
	if (o->confidence >= 0)
		cJSON_AddItemToObjectCS(ind, "confidence", cJSON_CreateNumber(o->confidence));
	c->ind_desc = cJSON_CreateStringReference("");
	c->ind_score = cJSON_CreateNumber(0);
	c->ind_last_seen = cJSON_CreateStringReference(c->last_seen);
	return 0;
}

static void list_ctx_free(struct list_ctx *c)
{
	cJSON_Delete(c->ind); /* the per-line members are detached after each emit */
	cJSON_Delete(c->ind_desc);
	cJSON_Delete(c->ind_score);
	cJSON_Delete(c->ind_last_seen);
	cJSON_Delete(c->ind_refs);
	for (int k = 0; k < VALUE__COUNT; k++)
		cJSON_Delete(c->sco[k]);
	buf_free(&c->header);
	buf_free(&c->note);
	buf_free(&c->desc);
	buf_free(&c->canon);
	free(c->norm);
	free(c->name);
	free(c->seen.slot);
}

/* The observable template for kind k: {type, spec_version, id, value} or
 * {type, spec_version, id, hashes: {ALG: value}}. */
static void sco_template(struct list_ctx *c, enum value_kind k, const struct value_obs *ob)
{
	if (c->sco[k])
		return;
	cJSON *o = c->sco[k] = cJSON_CreateObject();
	add_ref(o, "type", ob->type);
	add_ref(o, "spec_version", "2.1");
	c->sco_id[k] = add_ref(o, "id", c->sco_id_buf);
	if (ob->hash) {
		cJSON *h = cJSON_CreateObject();
		c->sco_value[k] = add_ref(h, ob->hash, "");
		cJSON_AddItemToObjectCS(o, "hashes", h);
	} else {
		c->sco_value[k] = add_ref(o, "value", "");
	}
	/* No markings: an observable is shared by every list that names it
	 * and stored once, so a marking on it would be whichever came first;
	 * the core leaves SCOs unmarked for the same reason. */
}

/* JSON string body per RFC 8785 (the values here hold no control bytes,
 * but escape them anyway). */
static int canon_str(struct buf *b, const char *s, size_t n)
{
	int rc = 0;
	size_t st = 0;
	for (size_t i = 0; i < n && !rc; i++) {
		unsigned char ch = (unsigned char)s[i];
		if (ch != '"' && ch != '\\' && ch >= 0x20)
			continue;
		rc = buf_add(b, s + st, i - st);
		if (!rc)
			rc = ch == '"' || ch == '\\' ? buf_addc(b, '\\') || buf_addc(b, (char)ch)
						     : buf_printf(b, "\\u%04x", ch);
		st = i + 1;
	}
	return rc ? rc : buf_add(b, s + st, n - st);
}

/* Text of a family of kinds that a CSV type column may name. */
static int type_hint_ok(const char *t, size_t n, enum value_kind k)
{
	static const struct {
		const char *name;
		unsigned kinds;
	} hints[] = {
#define K(x) (1u << (x))
#define K_IP                                                                                       \
	(K(VALUE_IPV4) | K(VALUE_IPV4_CIDR) | K(VALUE_IPV6) | K(VALUE_IPV6_CIDR) |                 \
	 K(VALUE_IPV4_PORT) | K(VALUE_IPV6_PORT))
#define K_HASH (K(VALUE_MD5) | K(VALUE_SHA1) | K(VALUE_SHA256) | K(VALUE_SHA512))
	    {"ip", K_IP},
	    {"ipv4", K_IP},
	    {"ipv6", K_IP},
	    {"ip-src", K_IP},
	    {"ip-dst", K_IP},
	    {"ip_address", K_IP},
	    {"ip:port", K_IP},
	    {"cidr", K_IP},
	    {"domain", K(VALUE_DOMAIN)},
	    {"hostname", K(VALUE_DOMAIN)},
	    {"fqdn", K(VALUE_DOMAIN)},
	    {"url", K(VALUE_URL) | K(VALUE_URL_PATH)},
	    {"uri", K(VALUE_URL) | K(VALUE_URL_PATH)},
	    {"email", K(VALUE_EMAIL)},
	    {"email-src", K(VALUE_EMAIL)},
	    {"email-dst", K(VALUE_EMAIL)},
	    {"hash", K_HASH},
	    {"md5", K(VALUE_MD5)},
	    {"md5_hash", K(VALUE_MD5)},
	    {"sha1", K(VALUE_SHA1)},
	    {"sha1_hash", K(VALUE_SHA1)},
	    {"sha256", K(VALUE_SHA256)},
	    {"sha256_hash", K(VALUE_SHA256)},
	    {"sha512", K(VALUE_SHA512)},
#undef K
#undef K_IP
#undef K_HASH
	};
	trim(&t, &n);
	for (size_t i = 0; i < ARRAY_LEN(hints); i++)
		if (strlen(hints[i].name) == n && strncasecmp(hints[i].name, t, n) == 0)
			return (hints[i].kinds >> k) & 1;
	return 1; /* a type we do not know says nothing */
}

/* Builds and emits the observable and the indicator for one value. */
static int list_emit(struct list_ctx *c, const struct list_item *it)
{
	struct ingest_pos pos = {it->line, 1, NULL};
	enum value_kind k = value_detect(it->value, it->value_len);
	int vn = shown_len(it->value, it->value_len);
	if (k == VALUE_NONE)
		return list_bad(c, it->line, 1,
				"'%.*s' is not a value of a known kind (IPv4/IPv6 address, CIDR "
				"block or address:port, domain, URL or URL path, e-mail address, "
				"MD5/SHA-1/SHA-256/SHA-512 hash)",
				vn, it->value);
	if (it->type_hint && !type_hint_ok(it->type_hint, it->type_hint_len, k))
		return list_bad(c, it->line, 1, "the type column says '%.*s' but '%.*s' is a %s",
				shown_len(it->type_hint, it->type_hint_len), it->type_hint, vn,
				it->value, value_kind_name(k));
	int nn = value_normalise(k, it->value, it->value_len, c->norm, VALUE_NORM_CAP);
	if (nn < 0)
		return list_bad(c, it->line, 1, "'%.*s': %s", vn, it->value,
				k == VALUE_IPV4_CIDR || k == VALUE_IPV6_CIDR
				    ? "host bits set after the prefix"
				    : "cannot be normalised");
	char *pattern = c->name + c->name_prefix;
	int pl = value_pattern(k, c->norm, (size_t)nn, pattern, VALUE_PATTERN_CAP);
	if (pl < 0)
		return list_bad(c, it->line, 1, "'%.*s': no pattern", vn, it->value);
	size_t name_len = c->name_prefix + (size_t)pl;
	if (!seen_add(&c->seen, c->name, name_len)) {
		c->n_repeated++;
		return 0;
	}

	/* valid_from for this value. */
	const char *vf = c->valid_from;
	int64_t vf_us = c->valid_from_us;
	if (!c->opts->valid_from && it->first_seen) {
		vf_us = it->first_seen;
		time_format(vf_us, c->row_valid_from);
		vf = c->row_valid_from;
	}
	if (c->opts->valid_until && c->opts->valid_until <= vf_us)
		return list_bad(c, it->line, 1, "valid_until is not later than valid_from %s", vf);

	/* The observable. */
	struct value_obs ob;
	if (value_observable(k, c->norm, (size_t)nn, &ob) == 0) {
		char save = c->norm[ob.off + ob.len];
		c->norm[ob.off + ob.len] = 0; /* the address alone, without its port */
		buf_reset(&c->canon);
		int rc = ob.hash ? buf_adds(&c->canon, "{\"hashes\":{\"") ||
				       buf_adds(&c->canon, ob.hash) || buf_adds(&c->canon, "\":\"")
				 : buf_adds(&c->canon, "{\"value\":\"");
		rc = rc || canon_str(&c->canon, c->norm + ob.off, ob.len) ||
		     buf_adds(&c->canon, ob.hash ? "\"}}" : "\"}");
		if (rc) {
			c->norm[ob.off + ob.len] = save;
			return list_bad(c, it->line, 1, "'%.*s': value too long", vn, it->value);
		}
		ingest_sco_id(ob.type, c->canon.p, c->sco_id_buf);
		/* The core refuses an object twice in one file, and "1.2.3.4:80"
		 * and "1.2.3.4:443" share their observable. */
		if (seen_add(&c->seen, c->sco_id_buf, strlen(c->sco_id_buf))) {
			sco_template(c, k, &ob);
			c->sco_value[k]->valuestring = c->norm + ob.off;
			c->sco_id[k]->valuestring = c->sco_id_buf;
			rc = ingest_emit_built(c->ig, c->sco[k], &pos);
		}
		c->norm[ob.off + ob.len] = save;
		if (rc)
			return rc;
	}

	/* The indicator. */
	char uuid[37];
	uuid_v5(LIST_ID_NAMESPACE, c->name, name_len, uuid);
	memcpy(c->id, "indicator--", 11);
	memcpy(c->id + 11, uuid, 37);
	c->ind_name->valuestring = c->norm;
	c->ind_pattern->valuestring = pattern;
	c->ind_valid_from->valuestring = (char *)vf;

	cJSON *attached[4 + LIST_MAX_ROW_LABELS];
	size_t na = 0;
	buf_reset(&c->desc);
	if (c->header.len)
		buf_add(&c->desc, c->header.p, c->header.len);
	if (it->note && it->note_len) {
		if (c->desc.len)
			buf_adds(&c->desc, "\n\n");
		buf_add(&c->desc, it->note, it->note_len);
	}
	if (c->desc.len) {
		c->ind_desc->valuestring = c->desc.p;
		cJSON_AddItemToObjectCS(c->ind, "description", c->ind_desc);
		attached[na++] = c->ind_desc;
	}
	if (it->score >= 0) {
		cJSON_SetNumberValue(c->ind_score, (double)it->score);
		cJSON_AddItemToObjectCS(c->ind, "x_verbinding_list_score", c->ind_score);
		attached[na++] = c->ind_score;
	}
	if (it->last_seen) {
		time_format(it->last_seen, c->last_seen);
		cJSON_AddItemToObjectCS(c->ind, "x_verbinding_last_seen", c->ind_last_seen);
		attached[na++] = c->ind_last_seen;
	}
	if (c->ind_refs) {
		cJSON_AddItemToObjectCS(c->ind, "external_references", c->ind_refs);
		attached[na++] = c->ind_refs;
		c->refs_block_done = 1;
	}
	size_t row_labels = 0;
	for (size_t i = 0; i < it->n_labels; i++) {
		cJSON_AddItemToArray(c->ind_labels, cJSON_CreateStringReference(it->labels[i]));
		row_labels++;
	}

	int rc = ingest_emit_built(c->ig, c->ind, &pos);

	for (size_t i = 0; i < na; i++)
		cJSON_DetachItemViaPointer(c->ind, attached[i]);
	for (size_t i = 0; i < row_labels; i++)
		cJSON_DeleteItemFromArray(c->ind_labels, cJSON_GetArraySize(c->ind_labels) - 1);
	c->n_values++;
	return rc;
}

/* Boilerplate that is not worth a description. */
static int boilerplate(const char *s, size_t n)
{
	return (n >= 9 && strncasecmp(s, "copyright", 9) == 0) ||
	       (n >= 12 && strncasecmp(s, "see the file", 12) == 0);
}

/* Takes in a comment line: header text, and "Reference: URL" lines. */
static void list_comment(struct list_ctx *c, const char *s, size_t n)
{
	if (c->refs_block_done) {
		/* The first comment after values starts a new block. */
		cJSON_Delete(c->ind_refs);
		c->ind_refs = NULL;
		c->refs_block_done = 0;
	}
	static const char *const ref_tags[] = {"reference:", "references:"};
	for (size_t t = 0; t < ARRAY_LEN(ref_tags); t++) {
		size_t tl = strlen(ref_tags[t]);
		if (n <= tl || strncasecmp(s, ref_tags[t], tl) != 0)
			continue;
		const char *p = s + tl, *e = s + n;
		while (p < e) {
			while (p < e && (is_ws(*p) || *p == ','))
				p++;
			const char *q = p;
			while (q < e && !is_ws(*q) && *q != ',')
				q++;
			size_t len = (size_t)(q - p);
			if ((len > 8 && strncmp(p, "https://", 8) == 0) ||
			    (len > 7 && strncmp(p, "http://", 7) == 0)) {
				if (!c->ind_refs)
					c->ind_refs = cJSON_CreateArray();
				if (cJSON_GetArraySize(c->ind_refs) < LIST_MAX_REFS) {
					const char *h = memchr(p, '/', len);
					const char *he = h ? h + 2 : p;
					while (he < q && *he != '/')
						he++;
					char *url = xstrndup(p, len);
					char *src =
					    h ? xstrndup(h + 2, (size_t)(he - h - 2)) : NULL;
					cJSON *r = cJSON_CreateObject();
					cJSON_AddItemToObjectCS(
					    r, "source_name",
					    cJSON_CreateString(src && *src ? src : "reference"));
					cJSON_AddItemToObjectCS(r, "url", cJSON_CreateString(url));
					cJSON_AddItemToArray(c->ind_refs, r);
					free(url);
					free(src);
				}
			}
			p = q;
		}
		return;
	}
	if (!c->in_header || boilerplate(s, n))
		return;
	/* Box drawing: "#####" lines and a '#' closing a boxed line. */
	while (n && (s[n - 1] == '#' || is_ws(s[n - 1])))
		n--;
	size_t alnum = 0;
	for (size_t i = 0; i < n && !alnum; i++)
		alnum = (s[i] >= '0' && s[i] <= '9') ||
			((s[i] | 32) >= 'a' && (s[i] | 32) <= 'z') || (unsigned char)s[i] >= 0x80;
	if (!alnum)
		n = 0;
	if (n == 0) {
		/* A paragraph break, once, and not at the start. */
		if (c->header.len && c->header.p[c->header.len - 1] != '\n')
			buf_addc(&c->header, '\n');
		return;
	}
	if (c->header.len)
		buf_addc(&c->header, '\n');
	buf_add(&c->header, s, n);
}

static void list_end_header(struct list_ctx *c)
{
	if (!c->in_header)
		return;
	c->in_header = 0;
	while (c->header.len && c->header.p[c->header.len - 1] == '\n')
		c->header.p[--c->header.len] = 0;
}

/* ---- the plain list reader -------------------------------------------------- */

static const char *path_ext(const char *path)
{
	const char *b = strrchr(path, '/');
	b = b ? b + 1 : path;
	const char *d = strrchr(b, '.');
	if (d && strcasecmp(d, ".gz") == 0) {
		for (const char *p = d - 1; p > b; p--)
			if (*p == '.')
				return p;
	}
	return d ? d : "";
}

static int ext_is(const char *path, const char *ext)
{
	const char *e = path_ext(path);
	size_t n = strlen(ext);
	return strncasecmp(e, ext, n) == 0 && (e[n] == 0 || strcasecmp(e + n, ".gz") == 0);
}

static int list_sniff(const char *path, const char *head, size_t len)
{
	size_t i = 0;
	if (len >= 3 && memcmp(head, "\xef\xbb\xbf", 3) == 0)
		i = 3;
	while (i < len && (head[i] == ' ' || head[i] == '\t' || head[i] == '\r' || head[i] == '\n'))
		i++;
	if (i < len && head[i] == '{')
		return 0;
	if (i + 1 < len && head[i] == '[' && strchr("{[\"]\r\n \t", head[i + 1]))
		return 0;
	int ok = 0, bad = 0, lines = 0;
	while (i < len && lines < LIST_SNIFF_LINES) {
		const char *nl = memchr(head + i, '\n', len - i);
		if (!nl && len == sizeof(((struct input *)0)->head))
			break; /* a cut line at the end of a full head says nothing */
		size_t n = nl ? (size_t)(nl - head - i) : len - i;
		struct list_line l;
		if (list_parse_line(head + i, n, &l))
			bad++;
		else if (l.type == LIST_VALUE)
			value_detect(l.value, l.value_len) ? ok++ : bad++;
		lines++;
		i += n + 1;
	}
	int text_ext = ext_is(path, ".txt") || ext_is(path, ".list") || ext_is(path, ".lst") ||
		       ext_is(path, ".ioc");
	if (ext_is(path, ".csv") || ok + bad == 0)
		return text_ext && !bad ? 30 : bad ? 0 : 10;
	if (ok == 0)
		return 0;
	int score = 10 * ok >= 9 * (ok + bad) ? 70 : 2 * ok >= ok + bad ? 50 : 10;
	return score + (text_ext ? 5 : 0);
}

static int list_read(struct ingest *ig, struct input *in)
{
	struct list_ctx c;
	struct line_reader lr;
	int rc = list_ctx_init(&c, ig, in);
	lr_init(&lr, ig, in);
	const char *line;
	size_t n;
	int too_long, r = 0;
	while (!rc && (r = lr_next(&lr, &line, &n, &too_long)) == 1) {
		if (too_long) {
			rc = list_bad(&c, lr.lineno, 1, "line longer than %u bytes",
				      INGEST_MAX_LINE);
			continue;
		}
		if (lr.lineno == 1 && n >= 3 && memcmp(line, "\xef\xbb\xbf", 3) == 0) {
			line += 3;
			n -= 3;
		}
		struct list_line l;
		if (list_parse_line(line, n, &l)) {
			rc = list_bad(&c, lr.lineno, l.column, "%s", l.why);
			continue;
		}
		if (l.type == LIST_COMMENT) {
			list_comment(&c, l.comment, l.comment_len);
			continue;
		}
		if (l.type == LIST_BLANK) {
			if (c.in_header)
				list_comment(&c, "", 0);
			continue;
		}
		list_end_header(&c);
		struct list_item it = {.value = l.value,
				       .value_len = l.value_len,
				       .line = lr.lineno,
				       .score = l.score};
		/* The note: the trailing comment and any further columns. */
		buf_reset(&c.note);
		if (l.extra_len)
			buf_add(&c.note, l.extra, l.extra_len);
		if (l.comment_len) {
			if (c.note.len)
				buf_addc(&c.note, ' ');
			buf_add(&c.note, l.comment, l.comment_len);
		}
		it.note = c.note.p;
		it.note_len = c.note.len;
		rc = list_emit(&c, &it);
	}
	if (!rc && r < 0) {
		struct ingest_pos pos = {lr.lineno, 0, NULL};
		rc = ingest_fail(ig, &pos, "read error");
	}
	lr_free(&lr);
	list_ctx_free(&c);
	return rc;
}

const struct ingest_reader ingest_list_reader = {
    .name = "list",
    .summary = "indicator list: one value per line, # comments (ipsum, maltrail trails)",
    .sniff = list_sniff,
    .read = list_read,
};

/* ---- the CSV reader ------------------------------------------------------- */

struct csv_header {
	enum csv_role role[CSV_MAX_FIELDS];
	int n, value_cols;
};

/* Fills h from a header record; returns the number of value columns. */
static int csv_header_parse(struct csv_header *h, const struct csv_field *f, int nf)
{
	h->n = nf;
	h->value_cols = 0;
	for (int i = 0; i < nf; i++) {
		h->role[i] = csv_column_role(f[i].p, f[i].len);
		h->value_cols += h->role[i] == CSV_VALUE;
	}
	return h->value_cols;
}

static int csv_sniff(const char *path, const char *head, size_t len)
{
	size_t i = 0;
	if (len >= 3 && memcmp(head, "\xef\xbb\xbf", 3) == 0)
		i = 3;
	int csv_ext = ext_is(path, ".csv");
	int best = csv_ext ? 30 : 0;
	char scratch[4096 + CSV_MAX_FIELDS + 1];
	struct csv_field f[CSV_MAX_FIELDS];
	/* The header is the first line that is not blank, or a comment line
	 * naming a value column (abuse.ch writes "# id,dateadded,url,..."). */
	for (int lines = 0; i < len && lines < 64; lines++) {
		const char *nl = memchr(head + i, '\n', len - i);
		size_t n = nl ? (size_t)(nl - head - i) : len - i;
		const char *p = head + i;
		i += n + 1;
		size_t m = n;
		trim(&p, &m);
		if (m == 0 || m > 4096)
			continue;
		int comment = p[0] == '#';
		const char *why;
		int nf = csv_split(p, m, scratch, sizeof scratch, f, CSV_MAX_FIELDS, &why);
		struct csv_header h;
		if (nf > 0 && csv_header_parse(&h, f, nf) > 0)
			return csv_ext ? 90 : nf > 1 ? 75 : 72;
		if (!comment)
			break;
	}
	return best;
}

/* Splits a category cell ("a, b; c") into row labels pointing into cell,
 * which is modified (separators become NULs). */
static void csv_labels(struct list_item *it, char *cell, size_t n)
{
	char *p = cell, *e = cell + n;
	while (p < e && it->n_labels < LIST_MAX_ROW_LABELS - 1) {
		char *q = p;
		while (q < e && *q != ',' && *q != ';')
			q++;
		*q = 0;
		const char *s = p;
		size_t len = (size_t)(q - p);
		trim(&s, &len);
		((char *)s)[len] = 0;
		if (len)
			it->labels[it->n_labels++] = s;
		p = q + 1;
	}
	it->labels[it->n_labels] = NULL;
}

/* Parses a time cell ("2024-01-31", "2024-01-31 12:00:00", RFC 3339) into
 * *out; an empty cell leaves it 0. Returns 0, or 1 when the cell is not a
 * time (the caller reports it). */
static int csv_time(const struct csv_field *f, int64_t *out)
{
	*out = 0;
	if (!f || !f->len)
		return 0;
	if (time_parse_loose(f->p, out) == 0 && *out != 0)
		return 0;
	*out = 0;
	return 1;
}

static int csv_row(struct list_ctx *c, const struct csv_header *h, struct csv_field *f, int nf,
		   long line)
{
	struct list_item it = {.line = line, .score = -1};
	const struct csv_field *first = NULL, *last = NULL;
	size_t filled = 0;
	buf_reset(&c->note);
	for (int i = 0; i < nf; i++)
		filled += f[i].len;
	if (filled == 0)
		return 0; /* ",,," */
	for (int i = 0; i < nf && i < h->n; i++) {
		switch (h->role[i]) {
		case CSV_VALUE:
			if (!it.value && f[i].len) {
				it.value = f[i].p;
				it.value_len = f[i].len;
			}
			break;
		case CSV_TYPE:
			it.type_hint = f[i].p;
			it.type_hint_len = f[i].len;
			break;
		case CSV_CATEGORY:
			csv_labels(&it, (char *)f[i].p, f[i].len);
			break;
		case CSV_COMMENT:
		case CSV_DESCRIPTION:
			if (f[i].len) {
				if (c->note.len)
					buf_addc(&c->note, '\n');
				buf_add(&c->note, f[i].p, f[i].len);
			}
			break;
		case CSV_FIRST_SEEN:
			first = &f[i];
			break;
		case CSV_LAST_SEEN:
			last = &f[i];
			break;
		case CSV_OTHER:
			break;
		}
	}
	if (!it.value)
		return list_bad(c, line, 1, "no value in this row");
	if (csv_time(first, &it.first_seen))
		return list_bad(c, line, 1, "first_seen '%.*s' is not a date or an RFC 3339 time",
				shown_len(first->p, first->len), first->p);
	if (csv_time(last, &it.last_seen))
		return list_bad(c, line, 1, "last_seen '%.*s' is not a date or an RFC 3339 time",
				shown_len(last->p, last->len), last->p);
	it.note = c->note.p;
	it.note_len = c->note.len;
	return list_emit(c, &it);
}

/* State of one CSV file being read. */
struct csv_reader {
	struct list_ctx *c;
	struct csv_header h;
	int have_header, cand_header;
	char *scratch;
	size_t scap;
	struct csv_field *f;
};

/* Handles one whole record (a line, or several when a quoted field holds
 * line breaks) that starts on line `line`. */
static int csv_record(struct csv_reader *cr, const char *p, size_t m, long line)
{
	struct list_ctx *c = cr->c;
	const char *why = NULL;
	size_t col;
	if (text_check(p, m, 1, &why, &col))
		return list_bad(c, line, (long)col + 1, "%s", why);
	trim(&p, &m);
	if (m && p[m - 1] == '\r')
		m--;
	if (m == 0)
		return 0;
	if (p[0] == '#') {
		/* A comment, or a header written as one. */
		struct csv_header h2;
		int nf = cr->have_header
			     ? -1
			     : csv_split(p, m, cr->scratch, cr->scap, cr->f, CSV_MAX_FIELDS, &why);
		if (nf > 0 && csv_header_parse(&h2, cr->f, nf) > 0) {
			cr->h = h2;
			cr->cand_header = 1;
		} else if (!cr->have_header) {
			const char *t = p + 1;
			size_t tn = m - 1;
			trim(&t, &tn);
			list_comment(c, t, tn);
		}
		return 0;
	}
	int nf = csv_split(p, m, cr->scratch, cr->scap, cr->f, CSV_MAX_FIELDS, &why);
	if (nf < 0)
		return list_bad(c, line, 1, "%s", why);
	if (!cr->have_header) {
		struct csv_header h2;
		list_end_header(c);
		cr->have_header = 1;
		if (csv_header_parse(&h2, cr->f, nf) > 0) {
			cr->h = h2;
			return 0;
		}
		if (!cr->cand_header) {
			struct ingest_pos pos = {line, 1, NULL};
			return ingest_fail(
			    c->ig, &pos,
			    "the CSV header names no value column (value, indicator, "
			    "ioc, ip, domain, url, hash, ...)");
		}
	}
	return csv_row(c, &cr->h, cr->f, nf, line);
}

static int csv_read(struct ingest *ig, struct input *in)
{
	struct list_ctx c;
	struct line_reader lr;
	struct csv_reader cr = {.c = &c};
	int rc = list_ctx_init(&c, ig, in), r = 0;
	lr_init(&lr, ig, in);
	struct buf rec;
	buf_init(&rec, INGEST_MAX_LINE);
	cr.scap = INGEST_MAX_LINE + CSV_MAX_FIELDS + 1;
	cr.scratch = xmalloc(cr.scap);
	cr.f = xmalloc(CSV_MAX_FIELDS * sizeof *cr.f);
	enum csv_state st = CSV_START;
	long rec_line = 0;
	const char *line;
	size_t n;
	int too_long;
	while (!rc && (r = lr_next(&lr, &line, &n, &too_long)) == 1) {
		if (lr.lineno == 1 && n >= 3 && memcmp(line, "\xef\xbb\xbf", 3) == 0) {
			line += 3;
			n -= 3;
		}
		if (rec.len == 0) {
			rec_line = lr.lineno;
			/* A comment line is whole whatever quotes it holds. */
			const char *t = line;
			size_t tn = n;
			trim(&t, &tn);
			if (!too_long && tn && t[0] == '#') {
				rc = csv_record(&cr, line, n, rec_line);
				continue;
			}
		}
		if (too_long || (rec.len && buf_addc(&rec, '\n')) || buf_add(&rec, line, n)) {
			rc = list_bad(&c, rec_line, 1, "record longer than %u bytes",
				      INGEST_MAX_LINE);
			buf_reset(&rec);
			st = CSV_START;
			continue;
		}
		st = csv_quote_state(line, n, st);
		if (st == CSV_QUOTED) {
			st = csv_quote_state("\n", 1, st);
			continue;
		}
		st = CSV_START;
		rc = csv_record(&cr, rec.p, rec.len, rec_line);
		buf_reset(&rec);
	}
	if (!rc && r < 0) {
		struct ingest_pos pos = {lr.lineno, 0, NULL};
		rc = ingest_fail(ig, &pos, "read error");
	}
	if (!rc && rec.len)
		rc = list_bad(&c, rec_line, 1, "unterminated quoted field at the end of the file");
	buf_free(&rec);
	free(cr.scratch);
	free(cr.f);
	lr_free(&lr);
	list_ctx_free(&c);
	return rc;
}

const struct ingest_reader ingest_csv_reader = {
    .name = "csv",
    .summary = "CSV with a header: a value/indicator/ioc/ip/domain/url/hash column",
    .sniff = csv_sniff,
    .read = csv_read,
};
