/*
 * taxii_envelope.c: finds the elements of a TAXII envelope's objects array
 * in a request body without building a JSON tree, and parses match[version]
 * values. Both are pure (no store, no network), so unit tests and the
 * fuzzer drive them directly.
 *
 * The splitter is a strict RFC 8259 validator with a cursor and a depth
 * limit; it only records where each element of the top-level "objects"
 * array starts and ends. The add handler then parses one element at a
 * time, so a 16 MiB envelope never becomes a 16 MiB tree, and a failure
 * can name the element it concerns.
 */
#include "taxii.h"
#include "../util/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct scanner {
	const char *p;
	size_t n, i;
	int depth;
	struct taxii_envelope_err *e;
};

static int fail(struct scanner *s, int status, const char *msg)
{
	s->e->status = status;
	s->e->pos = s->i;
	snprintf(s->e->msg, sizeof s->e->msg, "%s", msg);
	return VB_EINPUT;
}

static void skip_ws(struct scanner *s)
{
	while (s->i < s->n && (s->p[s->i] == ' ' || s->p[s->i] == '\t' || s->p[s->i] == '\n' ||
			       s->p[s->i] == '\r'))
		s->i++;
}

static int hex4(const char *p)
{
	for (int k = 0; k < 4; k++) {
		char c = p[k];
		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')))
			return 0;
	}
	return 1;
}

/* A string at s->i (the opening quote); leaves s->i after the closing one. */
static int scan_string(struct scanner *s)
{
	s->i++;
	while (s->i < s->n) {
		unsigned char c = (unsigned char)s->p[s->i];
		if (c == '"') {
			s->i++;
			return 0;
		}
		if (c < 0x20)
			return fail(s, 400, "malformed JSON: control character in a string");
		if (c == '\\') {
			if (s->i + 1 >= s->n)
				break;
			char x = s->p[s->i + 1];
			if (x == 'u') {
				if (s->i + 6 > s->n || !hex4(s->p + s->i + 2))
					return fail(s, 400, "malformed JSON: bad \\u escape");
				s->i += 6;
				continue;
			}
			if (!strchr("\"\\/bfnrt", x))
				return fail(s, 400, "malformed JSON: bad escape in a string");
			s->i += 2;
			continue;
		}
		s->i++;
	}
	return fail(s, 400, "malformed JSON: unterminated string");
}

static int digits(struct scanner *s)
{
	size_t start = s->i;
	while (s->i < s->n && s->p[s->i] >= '0' && s->p[s->i] <= '9')
		s->i++;
	return s->i > start;
}

static int scan_number(struct scanner *s)
{
	if (s->p[s->i] == '-')
		s->i++;
	if (s->i < s->n && s->p[s->i] == '0')
		s->i++;
	else if (!digits(s))
		return fail(s, 400, "malformed JSON: bad number");
	if (s->i < s->n && s->p[s->i] == '.') {
		s->i++;
		if (!digits(s))
			return fail(s, 400, "malformed JSON: bad number");
	}
	if (s->i < s->n && (s->p[s->i] == 'e' || s->p[s->i] == 'E')) {
		s->i++;
		if (s->i < s->n && (s->p[s->i] == '+' || s->p[s->i] == '-'))
			s->i++;
		if (!digits(s))
			return fail(s, 400, "malformed JSON: bad number");
	}
	return 0;
}

static int scan_literal(struct scanner *s, const char *lit)
{
	size_t k = strlen(lit);
	if (s->n - s->i < k || memcmp(s->p + s->i, lit, k) != 0)
		return fail(s, 400, "malformed JSON: unexpected character");
	s->i += k;
	return 0;
}

static int scan_value(struct scanner *s);

/* The members of an object after '{'; key_fn (may be NULL) is told each
 * key's raw bytes before its value is scanned and may scan the value
 * itself (returning 1) or leave it to the generic scanner (returning 0). */
typedef int (*member_fn)(struct scanner *s, const char *key, size_t len, void *arg);

static int scan_object(struct scanner *s, member_fn fn, void *arg)
{
	if (++s->depth > TAXII_JSON_DEPTH)
		return fail(s, 400, "JSON nested too deeply");
	s->i++;
	skip_ws(s);
	if (s->i < s->n && s->p[s->i] == '}') {
		s->i++;
		s->depth--;
		return 0;
	}
	for (;;) {
		skip_ws(s);
		if (s->i >= s->n || s->p[s->i] != '"')
			return fail(s, 400, "malformed JSON: expected a member name");
		size_t k0 = s->i + 1;
		if (scan_string(s))
			return VB_EINPUT;
		size_t klen = s->i - 1 - k0;
		skip_ws(s);
		if (s->i >= s->n || s->p[s->i] != ':')
			return fail(s, 400, "malformed JSON: expected ':'");
		s->i++;
		skip_ws(s);
		int done = fn ? fn(s, s->p + k0, klen, arg) : 0;
		if (done < 0)
			return done;
		if (!done && scan_value(s))
			return VB_EINPUT;
		skip_ws(s);
		if (s->i < s->n && s->p[s->i] == ',') {
			s->i++;
			continue;
		}
		if (s->i < s->n && s->p[s->i] == '}') {
			s->i++;
			s->depth--;
			return 0;
		}
		return fail(s, 400, "malformed JSON: expected ',' or '}'");
	}
}

/* The elements of an array after '['; spans (may be NULL) records them. */
struct span_list {
	struct taxii_span *v;
	size_t n, cap, max;
};

static int scan_array(struct scanner *s, struct span_list *l)
{
	if (++s->depth > TAXII_JSON_DEPTH)
		return fail(s, 400, "JSON nested too deeply");
	s->i++;
	skip_ws(s);
	if (s->i < s->n && s->p[s->i] == ']') {
		s->i++;
		s->depth--;
		return 0;
	}
	for (;;) {
		skip_ws(s);
		size_t start = s->i;
		if (scan_value(s))
			return VB_EINPUT;
		if (l) {
			if (l->n == l->max) {
				s->i = start;
				char m[96];
				snprintf(m, sizeof m, "the envelope holds more than %zu objects",
					 l->max);
				return fail(s, 413, m);
			}
			if (l->n == l->cap) {
				l->cap = l->cap ? l->cap * 2 : 64;
				l->v = xrealloc(l->v, l->cap * sizeof *l->v);
			}
			l->v[l->n++] = (struct taxii_span){start, s->i - start};
		}
		skip_ws(s);
		if (s->i < s->n && s->p[s->i] == ',') {
			s->i++;
			continue;
		}
		if (s->i < s->n && s->p[s->i] == ']') {
			s->i++;
			s->depth--;
			return 0;
		}
		return fail(s, 400, "malformed JSON: expected ',' or ']'");
	}
}

static int scan_value(struct scanner *s)
{
	skip_ws(s);
	if (s->i >= s->n)
		return fail(s, 400, "malformed JSON: unexpected end of the body");
	switch (s->p[s->i]) {
	case '{':
		return scan_object(s, NULL, NULL);
	case '[':
		return scan_array(s, NULL);
	case '"':
		return scan_string(s);
	case 't':
		return scan_literal(s, "true");
	case 'f':
		return scan_literal(s, "false");
	case 'n':
		return scan_literal(s, "null");
	default:
		if (s->p[s->i] == '-' || (s->p[s->i] >= '0' && s->p[s->i] <= '9'))
			return scan_number(s);
		return fail(s, 400, "malformed JSON: unexpected character");
	}
}

struct envelope {
	struct span_list list;
	int seen_objects; /* 0 none, 1 an array, 2 something else */
	size_t objects_pos;
};

static int envelope_member(struct scanner *s, const char *key, size_t len, void *arg)
{
	struct envelope *env = arg;
	if (len != 7 || memcmp(key, "objects", 7) != 0)
		return 0;
	if (env->seen_objects)
		return fail(s, 400, "malformed envelope: \"objects\" given twice");
	env->objects_pos = s->i;
	if (s->i < s->n && s->p[s->i] == '[') {
		env->seen_objects = 1;
		return scan_array(s, &env->list) ? VB_EINPUT : 1;
	}
	env->seen_objects = 2;
	return 0;
}

int taxii_envelope_split(const char *p, size_t n, size_t max, struct taxii_span **spans,
			 size_t *n_spans, struct taxii_envelope_err *e)
{
	struct scanner s = {.p = p, .n = n, .e = e};
	struct envelope env = {.list = {.max = max}};
	memset(e, 0, sizeof *e);
	*spans = NULL;
	*n_spans = 0;
	skip_ws(&s);
	int is_object = s.i < n && p[s.i] == '{';
	int rc = is_object ? scan_object(&s, envelope_member, &env) : scan_value(&s);
	if (!rc) {
		skip_ws(&s);
		if (s.i < n)
			rc = fail(&s, 400, "malformed JSON: text after the document");
	}
	if (!rc && !is_object) {
		s.i = 0;
		rc = fail(&s, 422,
			  "the body is not a TAXII envelope: expected a JSON object with an "
			  "\"objects\" array");
	}
	if (!rc && env.seen_objects != 1) {
		s.i = env.seen_objects ? env.objects_pos : 0;
		rc = fail(&s, 422,
			  env.seen_objects ? "the envelope's \"objects\" must be an array"
					   : "the envelope has no \"objects\" array");
	}
	if (!rc && env.list.n == 0) {
		s.i = env.objects_pos;
		rc = fail(&s, 422, "the envelope holds no objects");
	}
	if (rc) {
		free(env.list.v);
		return rc;
	}
	*spans = env.list.v;
	*n_spans = env.list.n;
	return 0;
}

/* ---- match[version] ---- */

int taxii_versions_add(struct taxii_versions *v, const char *value, const char **why)
{
	const char *s = value;
	int any = 0;
	while (*s) {
		const char *e = strchr(s, ',');
		size_t len = e ? (size_t)(e - s) : strlen(s);
		char item[64];
		if (len >= sizeof item) {
			*why = "match[version]: expected last, first, all or a timestamp";
			return VB_EUSAGE;
		}
		memcpy(item, s, len);
		item[len] = 0;
		s += len + (e ? 1 : 0);
		if (!len)
			continue;
		any = 1;
		int64_t t;
		if (strcmp(item, "last") == 0) {
			v->last = 1;
		} else if (strcmp(item, "first") == 0) {
			v->first = 1;
		} else if (strcmp(item, "all") == 0) {
			v->all = 1;
		} else if (time_parse(item, &t) == 0) {
			if (v->n_times == TAXII_MATCH_MAX) {
				*why = "match[version]: too many timestamps";
				return VB_EUSAGE;
			}
			v->times[v->n_times++] = t;
		} else {
			*why = "match[version]: expected last, first, all or a timestamp "
			       "(e.g. 2016-01-01T01:01:01.000Z)";
			return VB_EUSAGE;
		}
	}
	if (!any) {
		*why = "match[version]: empty value";
		return VB_EUSAGE;
	}
	return 0;
}
