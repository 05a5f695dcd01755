/*
 * pattern.c: parser for the STIX 2.1 patterning language.
 *
 * A lexer that produces one token of lookahead and a recursive descent parser
 * that follows the levels of STIXPattern.g4:
 *
 *   pattern     := obs_fb EOF
 *   obs_fb      := obs_or ('FOLLOWEDBY' obs_or)*
 *   obs_or      := obs_and ('OR' obs_and)*
 *   obs_and     := obs_qual ('AND' obs_qual)*
 *   obs_qual    := obs_primary (WITHIN.. | REPEATS.. | START.. STOP..)*
 *   obs_primary := '[' cmp_or ']' | '(' obs_fb ')'
 *   cmp_or      := cmp_and ('OR' cmp_and)*
 *   cmp_and     := prop_test ('AND' prop_test)*
 *   prop_test   := '(' cmp_or ')' | NOT? EXISTS path | path NOT? op literal
 *
 * The grammar's left-recursive rules become loops, so recursion happens only
 * at '(' and '[', where the depth is counted against PATTERN_MAX_DEPTH.
 * Everything is allocated from one arena owned by the struct pattern; on an
 * error the parser stops at the first problem and the arena is released.
 */
#include "pattern.h"

#include "../util/util.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <arpa/inet.h>
#include <math.h>
#include <pcre2.h>
#include <stdalign.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------- arena */

struct pattern_chunk {
	struct pattern_chunk *next;
	size_t cap, used;
	max_align_t data[];
};

#define CHUNK_SIZE 8192

/* Zeroed memory from the pattern's arena; aborts on allocation failure like
 * xmalloc (the input limits keep the total small). */
static void *arena_alloc(struct pattern *p, size_t n)
{
	size_t align = alignof(max_align_t);
	n = (n + align - 1) & ~(align - 1);
	struct pattern_chunk *c = p->arena_;
	if (!c || c->cap - c->used < n) {
		size_t cap = n > CHUNK_SIZE ? n : CHUNK_SIZE;
		c = xmalloc(sizeof *c + cap);
		c->cap = cap;
		c->used = 0;
		c->next = p->arena_;
		p->arena_ = c;
	}
	void *r = (unsigned char *)c->data + c->used;
	c->used += n;
	memset(r, 0, n);
	return r;
}

void pattern_free(struct pattern *p)
{
	if (!p)
		return;
	struct pattern_chunk *c = p->arena_;
	while (c) {
		struct pattern_chunk *next = c->next;
		free(c);
		c = next;
	}
	free(p);
}

/* A singly linked list of pointers, built in the arena while a chain is
 * parsed and turned into an array when its length is known. */
struct cell {
	void *v;
	struct cell *next;
};

struct list {
	struct cell *head, **tail;
	size_t n;
};

static void list_init(struct list *l)
{
	l->head = NULL;
	l->tail = &l->head;
	l->n = 0;
}

static void list_add(struct pattern *p, struct list *l, void *v)
{
	struct cell *c = arena_alloc(p, sizeof *c);
	c->v = v;
	*l->tail = c;
	l->tail = &c->next;
	l->n++;
}

static void **list_array(struct pattern *p, const struct list *l)
{
	void **a = arena_alloc(p, (l->n ? l->n : 1) * sizeof *a);
	size_t i = 0;
	for (struct cell *c = l->head; c; c = c->next)
		a[i++] = c->v;
	return a;
}

/* ---------------------------------------------------------------- lexer */

enum tok_kind {
	T_EOF,
	T_ERROR,
	T_IDENT,
	T_STRING,
	T_INT,
	T_FLOAT,
	T_BOOL,
	T_BINARY,
	T_HEX,
	T_TIMESTAMP,
	/* keywords */
	T_AND,
	T_OR,
	T_NOT,
	T_FOLLOWEDBY,
	T_LIKE,
	T_MATCHES,
	T_ISSUPERSET,
	T_ISSUBSET,
	T_EXISTS,
	T_LAST,
	T_IN,
	T_START,
	T_STOP,
	T_SECONDS,
	T_WITHIN,
	T_REPEATS,
	T_TIMES,
	/* punctuation */
	T_EQ,
	T_NEQ,
	T_LT,
	T_LE,
	T_GT,
	T_GE,
	T_COLON,
	T_DOT,
	T_COMMA,
	T_LPAREN,
	T_RPAREN,
	T_LBRACK,
	T_RBRACK,
	T_ASTERISK,
};

static const struct {
	const char *word;
	enum tok_kind kind;
} keywords[] = {
    {"AND", T_AND},
    {"OR", T_OR},
    {"NOT", T_NOT},
    {"FOLLOWEDBY", T_FOLLOWEDBY},
    {"LIKE", T_LIKE},
    {"MATCHES", T_MATCHES},
    {"ISSUPERSET", T_ISSUPERSET},
    {"ISSUBSET", T_ISSUBSET},
    {"EXISTS", T_EXISTS},
    {"LAST", T_LAST},
    {"IN", T_IN},
    {"START", T_START},
    {"STOP", T_STOP},
    {"SECONDS", T_SECONDS},
    {"WITHIN", T_WITHIN},
    {"REPEATS", T_REPEATS},
    {"TIMES", T_TIMES},
    {"true", T_BOOL},
    {"false", T_BOOL},
};

struct tok {
	enum tok_kind kind;
	size_t off, len;
};

struct parser {
	const char *s;
	size_t n, pos;
	struct tok t; /* the current token (one token of lookahead) */
	struct vb_err *err;
	int failed;
	int depth;
	unsigned nobs;
	struct pattern *p;
	struct list cmps, obs;
	char found[96];	 /* scratch for describing the current token */
	size_t prev_end; /* where the token before the current one ends */
	size_t col_off;	 /* column_of's cache: the column at byte col_off */
	unsigned col;
};

/* The 1-based column of byte offset off: UTF-8 characters before it, plus
 * one. Offsets are asked for mostly in increasing order, so counting goes on
 * from the previous answer and the total work stays linear. */
static unsigned column_of(struct parser *P, size_t off)
{
	if (off < P->col_off) {
		P->col_off = 0;
		P->col = 1;
	}
	for (size_t i = P->col_off; i < off && i < P->n; i++)
		if (((unsigned char)P->s[i] & 0xc0) != 0x80)
			P->col++;
	P->col_off = off;
	return P->col;
}

static void fail_at(struct parser *P, size_t off, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Records the first error only; later calls (while unwinding) are ignored. */
static void fail_at(struct parser *P, size_t off, const char *fmt, ...)
{
	if (P->failed)
		return;
	P->failed = 1;
	P->t.kind = T_ERROR;
	if (!P->err)
		return;
	char msg[sizeof P->err->msg];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	/* Quoted input may hold control characters; keep the message one line. */
	for (char *m = msg; *m; m++)
		if ((unsigned char)*m < 0x20 || *m == 0x7f)
			*m = '?';
	vb_err_set(P->err, VB_EINPUT, "%s", msg);
	P->err->column = column_of(P, off);
}

/* Decodes one UTF-8 sequence at s (n bytes available). Returns its length
 * and the code point, or 0 when the bytes are not valid UTF-8 (overlong
 * forms, surrogates and values above U+10FFFF included). */
static size_t utf8_decode(const unsigned char *s, size_t n, uint32_t *cp)
{
	if (n == 0)
		return 0;
	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	size_t len;
	uint32_t c, min;
	if ((s[0] & 0xe0) == 0xc0) {
		len = 2, c = s[0] & 0x1f, min = 0x80;
	} else if ((s[0] & 0xf0) == 0xe0) {
		len = 3, c = s[0] & 0x0f, min = 0x800;
	} else if ((s[0] & 0xf8) == 0xf0) {
		len = 4, c = s[0] & 0x07, min = 0x10000;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return len;
}

/* The grammar's WS rule, outside ASCII. */
static int unicode_space(uint32_t c)
{
	return c == 0x85 || c == 0xa0 || c == 0x1680 || (c >= 0x2000 && c <= 0x200a) ||
	       c == 0x2028 || c == 0x2029 || c == 0x202f || c == 0x205f || c == 0x3000;
}

static int is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static int is_ident_start(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static int is_ident_char(int c)
{
	return is_ident_start(c) || is_digit(c);
}

static int b64_val(int c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

/* Describes a character that cannot start a token, for error messages. */
static void describe_char(struct parser *P, size_t off, char *out, size_t cap)
{
	const unsigned char *u = (const unsigned char *)P->s + off;
	uint32_t cp;
	size_t k = utf8_decode(u, P->n - off, &cp);
	if (k == 0)
		snprintf(out, cap, "invalid UTF-8 byte 0x%02x", u[0]);
	else if (cp < 0x20 || cp == 0x7f)
		snprintf(out, cap, "unexpected control character 0x%02x", (unsigned)cp);
	else if (cp == '"')
		snprintf(out, cap, "unexpected character '\"' (strings are quoted with ')");
	else
		snprintf(out, cap, "unexpected character '%.*s'", (int)k, (const char *)u);
}

/* Skips whitespace and comments; returns 0, or -1 after reporting an
 * unterminated comment. */
static int skip_space(struct parser *P)
{
	const char *s = P->s;
	for (;;) {
		if (P->pos >= P->n)
			return 0;
		unsigned char c = (unsigned char)s[P->pos];
		if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f') {
			P->pos++;
		} else if (c == '/' && P->pos + 1 < P->n && s[P->pos + 1] == '*') {
			size_t start = P->pos;
			size_t i = P->pos + 2;
			while (i + 1 < P->n && !(s[i] == '*' && s[i + 1] == '/'))
				i++;
			if (i + 1 >= P->n) {
				fail_at(P, start, "unterminated comment: '/*' without '*/'");
				return -1;
			}
			P->pos = i + 2;
		} else if (c == '/' && P->pos + 1 < P->n && s[P->pos + 1] == '/') {
			while (P->pos < P->n && s[P->pos] != '\n' && s[P->pos] != '\r')
				P->pos++;
		} else if (c >= 0x80) {
			uint32_t cp;
			size_t k =
			    utf8_decode((const unsigned char *)s + P->pos, P->n - P->pos, &cp);
			if (k == 0 || !unicode_space(cp))
				return 0;
			P->pos += k;
		} else {
			return 0;
		}
	}
}

/* Lexes a quoted string starting at the quote at P->pos; validates escapes
 * (only \' and \\), UTF-8 and the absence of NUL. */
static void lex_string(struct parser *P, size_t start)
{
	const unsigned char *s = (const unsigned char *)P->s;
	size_t i = P->pos + 1;
	for (;;) {
		if (i >= P->n) {
			fail_at(P, start, "unterminated string: no closing quote");
			return;
		}
		unsigned char c = s[i];
		if (c == '\'') {
			i++;
			break;
		}
		if (c == '\\') {
			if (i + 1 < P->n && (s[i + 1] == '\'' || s[i + 1] == '\\')) {
				i += 2;
				continue;
			}
			if (i + 1 >= P->n) {
				fail_at(P, start, "unterminated string: no closing quote");
				return;
			}
			char what[64];
			uint32_t cp;
			size_t k = utf8_decode(s + i + 1, P->n - i - 1, &cp);
			if (k && cp >= 0x20 && cp != 0x7f)
				snprintf(what, sizeof what, "'\\%.*s'", (int)k,
					 (const char *)s + i + 1);
			else
				snprintf(what, sizeof what, "'\\' followed by byte 0x%02x",
					 s[i + 1]);
			fail_at(P, i, "invalid escape %s in string: only \\' and \\\\ are allowed",
				what);
			return;
		}
		if (c == 0) {
			fail_at(P, i, "NUL byte in string");
			return;
		}
		if (c >= 0x80) {
			uint32_t cp;
			size_t k = utf8_decode(s + i, P->n - i, &cp);
			if (k == 0) {
				fail_at(P, i, "invalid UTF-8 byte 0x%02x in string", c);
				return;
			}
			i += k;
			continue;
		}
		i++;
	}
	P->t.kind = T_STRING;
	P->t.len = i - start;
	P->pos = i;
}

/* Lexes b'..', h'..' or t'..': the prefix letter is at start, the quote at
 * start + 1. The content is checked here so errors point into it. */
static void lex_prefixed(struct parser *P, size_t start)
{
	const char *s = P->s;
	char prefix = s[start];
	size_t b = start + 2, i = b;
	while (i < P->n && s[i] != '\'')
		i++;
	if (i >= P->n) {
		fail_at(P, start, "unterminated %c'...' literal: no closing quote", prefix);
		return;
	}
	size_t n = i - b;
	if (prefix == 'h') {
		for (size_t k = 0; k < n; k++) {
			if (hex_digit((unsigned char)s[b + k]) < 0) {
				fail_at(P, b + k, "invalid hex literal: '%c' is not a hex digit",
					s[b + k]);
				return;
			}
		}
		if (n % 2) {
			fail_at(P, start, "invalid hex literal: odd number of hex digits (%zu)", n);
			return;
		}
		P->t.kind = T_HEX;
	} else if (prefix == 'b') {
		if (n == 0 || n % 4) {
			fail_at(P, start,
				"invalid binary literal: base64 length must be a positive multiple "
				"of 4, found %zu characters",
				n);
			return;
		}
		for (size_t k = 0; k < n; k++) {
			unsigned char c = (unsigned char)s[b + k];
			int pad_ok =
			    c == '=' && (k == n - 1 || (k == n - 2 && s[b + n - 1] == '='));
			if (b64_val(c) < 0 && !pad_ok) {
				fail_at(P, b + k, "invalid binary literal: '%c' is not base64",
					c >= 0x20 && c < 0x7f ? c : '?');
				return;
			}
		}
		P->t.kind = T_BINARY;
	} else {
		char text[48];
		int64_t us;
		if (n >= sizeof text) {
			fail_at(P, start, "invalid timestamp: too long (%zu characters)", n);
			return;
		}
		memcpy(text, s + b, n);
		text[n] = 0;
		if (memchr(text, 0, n) || time_parse(text, &us) != 0) {
			fail_at(
			    P, start,
			    "invalid timestamp t'%s': expected t'YYYY-MM-DDTHH:MM:SS[.s]Z' (UTC) "
			    "with a valid date and time",
			    text);
			return;
		}
		P->t.kind = T_TIMESTAMP;
	}
	P->t.len = i + 1 - start;
	P->pos = i + 1;
}

/* Lexes [+-]? digits [. digits] or [+-]? . digits. */
static void lex_number(struct parser *P, size_t start)
{
	const char *s = P->s;
	size_t i = start;
	if (s[i] == '+' || s[i] == '-')
		i++;
	size_t d0 = i;
	while (i < P->n && is_digit((unsigned char)s[i]))
		i++;
	size_t nd = i - d0;
	if (i + 1 < P->n && s[i] == '.' && is_digit((unsigned char)s[i + 1])) {
		i++;
		while (i < P->n && is_digit((unsigned char)s[i]))
			i++;
		P->t.kind = T_FLOAT;
	} else {
		P->t.kind = T_INT;
		if (nd > 1 && s[d0] == '0') {
			fail_at(P, start, "invalid integer '%.*s': leading zero",
				(int)(i - start > 40 ? 40 : i - start), s + start);
			return;
		}
	}
	P->t.len = i - start;
	P->pos = i;
}

/* Reads the next token into P->t. */
static void lex(struct parser *P)
{
	if (P->failed)
		return;
	P->prev_end = P->t.off + P->t.len;
	if (skip_space(P) < 0)
		return;
	const char *s = P->s;
	size_t start = P->pos;
	P->t.off = start;
	P->t.len = 1;
	if (start >= P->n) {
		P->t.kind = T_EOF;
		P->t.len = 0;
		return;
	}
	unsigned char c = (unsigned char)s[start];
	unsigned char c1 = start + 1 < P->n ? (unsigned char)s[start + 1] : 0;
	unsigned char c2 = start + 2 < P->n ? (unsigned char)s[start + 2] : 0;
	switch (c) {
	case '[':
		P->t.kind = T_LBRACK;
		break;
	case ']':
		P->t.kind = T_RBRACK;
		break;
	case '(':
		P->t.kind = T_LPAREN;
		break;
	case ')':
		P->t.kind = T_RPAREN;
		break;
	case ':':
		P->t.kind = T_COLON;
		break;
	case ',':
		P->t.kind = T_COMMA;
		break;
	case '*':
		P->t.kind = T_ASTERISK;
		break;
	case '=':
		P->t.kind = T_EQ;
		P->t.len = c1 == '=' ? 2 : 1;
		break;
	case '!':
		if (c1 != '=') {
			fail_at(P, start, "unexpected character '!' (did you mean '!='?)");
			return;
		}
		P->t.kind = T_NEQ;
		P->t.len = 2;
		break;
	case '<':
		if (c1 == '=')
			P->t.kind = T_LE, P->t.len = 2;
		else if (c1 == '>')
			P->t.kind = T_NEQ, P->t.len = 2;
		else
			P->t.kind = T_LT;
		break;
	case '>':
		if (c1 == '=')
			P->t.kind = T_GE, P->t.len = 2;
		else
			P->t.kind = T_GT;
		break;
	case '\'':
		lex_string(P, start);
		return;
	case '.':
		if (is_digit(c1)) {
			lex_number(P, start);
			return;
		}
		P->t.kind = T_DOT;
		break;
	case '+':
	case '-':
		if (is_digit(c1) || (c1 == '.' && is_digit(c2))) {
			lex_number(P, start);
			return;
		}
		fail_at(P, start, "unexpected character '%c'", c);
		return;
	default:
		if (is_digit(c)) {
			lex_number(P, start);
			return;
		}
		if (is_ident_start(c)) {
			if ((c == 'b' || c == 'h' || c == 't') && c1 == '\'') {
				lex_prefixed(P, start);
				return;
			}
			size_t i = start + 1;
			while (i < P->n && (is_ident_char((unsigned char)s[i]) || s[i] == '-'))
				i++;
			P->t.kind = T_IDENT;
			P->t.len = i - start;
			for (size_t k = 0; k < ARRAY_LEN(keywords); k++) {
				if (strlen(keywords[k].word) == P->t.len &&
				    memcmp(keywords[k].word, s + start, P->t.len) == 0) {
					P->t.kind = keywords[k].kind;
					break;
				}
			}
			P->pos = i;
			return;
		}
		char what[64];
		describe_char(P, start, what, sizeof what);
		fail_at(P, start, "%s", what);
		return;
	}
	P->pos = start + P->t.len;
}

/* Text for "found ..." in messages: the current token, quoted and shortened. */
static const char *found(struct parser *P)
{
	const struct tok *t = &P->t;
	if (t->kind == T_EOF)
		return "end of pattern";
	size_t n = t->len;
	const char *more = "";
	if (n > 40) {
		n = 40;
		/* do not cut a UTF-8 sequence in half */
		while (n > 0 && ((unsigned char)P->s[t->off + n] & 0xc0) == 0x80)
			n--;
		more = "...";
	}
	int quoted = t->kind == T_STRING || t->kind == T_BINARY || t->kind == T_HEX ||
		     t->kind == T_TIMESTAMP;
	snprintf(P->found, sizeof P->found, quoted ? "%.*s%s" : "'%.*s%s'", (int)n, P->s + t->off,
		 more);
	return P->found;
}

static void fail_expected(struct parser *P, const char *what)
{
	if (P->failed)
		return;
	fail_at(P, P->t.off, "expected %s, found %s", what, found(P));
}

/* --------------------------------------------------------- literal values */

/* Unescapes the string token t into the arena. */
static char *string_value(struct parser *P, const struct tok *t, size_t *len)
{
	const char *s = P->s + t->off + 1;
	size_t n = t->len - 2;
	char *out = arena_alloc(P->p, n + 1);
	size_t o = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\\')
			i++;
		out[o++] = s[i];
	}
	out[o] = 0;
	*len = o;
	return out;
}

/* Maps an offset into the unescaped value of string token t back to a byte
 * offset in the pattern, so a regex error can point at its character. */
static size_t string_src_offset(struct parser *P, const struct tok *t, size_t value_off)
{
	const char *s = P->s + t->off + 1;
	size_t n = t->len - 2, i = 0, o = 0;
	while (i < n && o < value_off) {
		i += s[i] == '\\' ? 2 : 1;
		o++;
	}
	return t->off + 1 + i;
}

static int int_value(struct parser *P, const struct tok *t, int64_t *out)
{
	const char *s = P->s + t->off;
	size_t n = t->len, i = 0;
	int neg = 0;
	if (s[0] == '+' || s[0] == '-')
		neg = s[0] == '-', i++;
	uint64_t lim = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
	uint64_t v = 0;
	for (; i < n; i++) {
		unsigned d = (unsigned)(s[i] - '0');
		if (v > (lim - d) / 10) {
			fail_at(P, t->off, "integer %s out of range (must fit in 64 bits)",
				found(P));
			return -1;
		}
		v = v * 10 + d;
	}
	*out = neg ? (int64_t)(0 - v) : (int64_t)v;
	return 0;
}

static int float_value(struct parser *P, const struct tok *t, double *out)
{
	char *tmp = arena_alloc(P->p, t->len + 1);
	memcpy(tmp, P->s + t->off, t->len);
	double v = strtod(tmp, NULL);
	if (!isfinite(v)) {
		fail_at(P, t->off, "number out of range");
		return -1;
	}
	*out = v;
	return 0;
}

/* Converts the current token, which must be a literal, into lit. */
static int literal_value(struct parser *P, struct pattern_lit *lit)
{
	const struct tok *t = &P->t;
	const char *s = P->s + t->off;
	lit->column = column_of(P, t->off);
	switch (t->kind) {
	case T_STRING:
		lit->kind = PATTERN_LIT_STRING;
		lit->str = string_value(P, t, &lit->len);
		return 0;
	case T_INT:
		lit->kind = PATTERN_LIT_INT;
		if (int_value(P, t, &lit->i) < 0)
			return -1;
		lit->f = (double)lit->i;
		return 0;
	case T_FLOAT:
		lit->kind = PATTERN_LIT_FLOAT;
		return float_value(P, t, &lit->f);
	case T_BOOL:
		lit->kind = PATTERN_LIT_BOOL;
		lit->b = s[0] == 't';
		return 0;
	case T_HEX: {
		size_t n = (t->len - 3) / 2;
		char *out = arena_alloc(P->p, n + 1);
		for (size_t i = 0; i < n; i++)
			out[i] = (char)(hex_digit((unsigned char)s[2 + 2 * i]) * 16 +
					hex_digit((unsigned char)s[3 + 2 * i]));
		lit->kind = PATTERN_LIT_HEX;
		lit->str = out;
		lit->len = n;
		return 0;
	}
	case T_BINARY: {
		size_t n = t->len - 3;
		char *out = arena_alloc(P->p, n / 4 * 3 + 1);
		size_t o = 0;
		uint32_t acc = 0;
		int bits = 0;
		for (size_t i = 0; i < n && s[2 + i] != '='; i++) {
			acc = (acc << 6) | (uint32_t)b64_val((unsigned char)s[2 + i]);
			bits += 6;
			if (bits >= 8) {
				bits -= 8;
				out[o++] = (char)((acc >> bits) & 0xff);
			}
		}
		lit->kind = PATTERN_LIT_BINARY;
		lit->str = out;
		lit->len = o;
		return 0;
	}
	case T_TIMESTAMP: {
		size_t n = t->len - 3;
		char *text = arena_alloc(P->p, n + 1);
		memcpy(text, s + 2, n);
		lit->kind = PATTERN_LIT_TIMESTAMP;
		lit->str = text;
		lit->len = n;
		/* the lexer has already checked that this parses */
		if (time_parse(text, &lit->us) != 0) {
			fail_at(P, t->off, "invalid timestamp");
			return -1;
		}
		return 0;
	}
	default:
		fail_expected(P, "a literal");
		return -1;
	}
}

static int is_literal(enum tok_kind k)
{
	return k == T_STRING || k == T_INT || k == T_FLOAT || k == T_BOOL || k == T_BINARY ||
	       k == T_HEX || k == T_TIMESTAMP;
}

/* ----------------------------------------------------- semantic checks */

/* Hash algorithms whose value length the specification fixes, keyed by the
 * name with dashes and underscores removed and upper-cased. */
static const struct {
	const char *name;
	size_t hex_len;
} hash_lengths[] = {
    {"MD5", 32}, {"SHA1", 40}, {"SHA256", 64}, {"SHA512", 128}, {"SHA3256", 64}, {"SHA3512", 128},
};

/* Returns the expected hex length when the path ends in hashes.<known>, else 0. */
static size_t hash_hex_len(const struct pattern_cmp *c)
{
	if (c->nsteps < 2)
		return 0;
	const struct pattern_step *h = &c->steps[c->nsteps - 2], *a = &c->steps[c->nsteps - 1];
	if (h->kind != PATTERN_STEP_KEY || a->kind != PATTERN_STEP_KEY ||
	    strcmp(h->key, "hashes") != 0)
		return 0;
	char norm[16];
	size_t o = 0;
	for (const char *k = a->key; *k; k++) {
		if (*k == '-' || *k == '_')
			continue;
		if (o + 1 >= sizeof norm)
			return 0;
		norm[o++] = (char)(*k >= 'a' && *k <= 'z' ? *k - 32 : *k);
	}
	norm[o] = 0;
	for (size_t i = 0; i < ARRAY_LEN(hash_lengths); i++)
		if (strcmp(norm, hash_lengths[i].name) == 0)
			return hash_lengths[i].hex_len;
	return 0;
}

/* A hash value compared with = / != / IN must be hex of the algorithm's length. */
static int check_hash(struct parser *P, const struct pattern_cmp *c, const struct pattern_lit *lit,
		      size_t lit_off)
{
	size_t want = hash_hex_len(c);
	if (!want || lit->kind != PATTERN_LIT_STRING)
		return 0;
	const char *alg = c->steps[c->nsteps - 1].key;
	for (size_t i = 0; i < lit->len; i++) {
		if (hex_digit((unsigned char)lit->str[i]) < 0) {
			fail_at(P, lit_off,
				"%s hash must be %zu hex digits, found a non-hex character", alg,
				want);
			return -1;
		}
	}
	if (lit->len != want) {
		fail_at(P, lit_off, "%s hash must be %zu hex digits, found %zu", alg, want,
			lit->len);
		return -1;
	}
	return 0;
}

/* Compiles a MATCHES regex with PCRE2 to prove it is valid; frees it at once. */
static int check_regex(struct parser *P, const struct tok *t, const struct pattern_lit *lit)
{
	int code;
	PCRE2_SIZE at;
	pcre2_code *re = pcre2_compile((PCRE2_SPTR)lit->str, lit->len, PCRE2_UTF, &code, &at, NULL);
	if (re) {
		pcre2_code_free(re);
		return 0;
	}
	PCRE2_UCHAR why[160];
	if (pcre2_get_error_message(code, why, sizeof why) < 0)
		snprintf((char *)why, sizeof why, "error %d", code);
	fail_at(P, string_src_offset(P, t, at), "invalid regular expression for MATCHES: %s",
		(const char *)why);
	return -1;
}

/* ISSUBSET and ISSUPERSET compare IP ranges: the value must be an IPv4 or
 * IPv6 address, optionally with a /prefix in range. */
static int valid_cidr(const char *s, size_t n)
{
	char addr[64];
	const char *slash = memchr(s, '/', n);
	size_t alen = slash ? (size_t)(slash - s) : n;
	if (alen == 0 || alen >= sizeof addr)
		return 0;
	memcpy(addr, s, alen);
	addr[alen] = 0;
	unsigned char bin[16];
	int max;
	if (inet_pton(AF_INET, addr, bin) == 1)
		max = 32;
	else if (inet_pton(AF_INET6, addr, bin) == 1)
		max = 128;
	else
		return 0;
	if (!slash)
		return 1;
	const char *p = slash + 1, *end = s + n;
	if (p == end || end - p > 3)
		return 0;
	int v = 0;
	for (; p < end; p++) {
		if (!is_digit((unsigned char)*p))
			return 0;
		v = v * 10 + (*p - '0');
	}
	return v <= max;
}

/* Object type names per the specification: 3-250 characters of a-z, 0-9 and '-'. */
static int check_type_name(struct parser *P, const struct tok *t)
{
	const char *s = P->s + t->off;
	int ok = t->len >= 3 && t->len <= 250;
	for (size_t i = 0; ok && i < t->len; i++)
		ok = (s[i] >= 'a' && s[i] <= 'z') || is_digit((unsigned char)s[i]) || s[i] == '-';
	if (!ok)
		fail_at(P, t->off,
			"invalid object type %s: must be 3-250 characters of a-z, 0-9 and '-'",
			found(P));
	return ok ? 0 : -1;
}

/* ---------------------------------------------------------------- parser */

static int enter(struct parser *P)
{
	if (P->depth >= PATTERN_MAX_DEPTH) {
		fail_at(P, P->t.off, "nesting deeper than %d levels", PATTERN_MAX_DEPTH);
		return -1;
	}
	P->depth++;
	return 0;
}

/* objectType ':' firstComponent ( '.' key | '[' index ']' )* */
static int parse_path(struct parser *P, struct pattern_cmp *c)
{
	struct pattern *p = P->p;
	if (P->t.kind != T_IDENT) {
		fail_expected(P, "an object path, '(' or EXISTS");
		return -1;
	}
	if (check_type_name(P, &P->t) < 0)
		return -1;
	char *type = arena_alloc(p, P->t.len + 1);
	memcpy(type, P->s + P->t.off, P->t.len);
	c->object_type = type;
	lex(P);
	if (P->t.kind != T_COLON) {
		fail_expected(P, "':' after the object type");
		return -1;
	}
	lex(P);
	struct list steps;
	list_init(&steps);
	int first = 1;
	for (;;) {
		struct pattern_step *st = NULL;
		if (first || P->t.kind == T_DOT) {
			if (!first)
				lex(P);
			if (P->t.kind == T_IDENT) {
				if (memchr(P->s + P->t.off, '-', P->t.len)) {
					fail_at(P, P->t.off,
						"property name %s contains '-': quote it as '%.*s'",
						found(P), (int)P->t.len, P->s + P->t.off);
					return -1;
				}
				st = arena_alloc(p, sizeof *st);
				st->kind = PATTERN_STEP_KEY;
				char *k = arena_alloc(p, P->t.len + 1);
				memcpy(k, P->s + P->t.off, P->t.len);
				st->key = k;
			} else if (P->t.kind == T_STRING) {
				size_t n;
				st = arena_alloc(p, sizeof *st);
				st->kind = PATTERN_STEP_KEY;
				st->key = string_value(P, &P->t, &n);
			} else {
				fail_expected(P, first ? "a property name after ':'"
						       : "a property name after '.'");
				return -1;
			}
			lex(P);
		} else if (P->t.kind == T_LBRACK) {
			lex(P);
			st = arena_alloc(p, sizeof *st);
			if (P->t.kind == T_ASTERISK) {
				st->kind = PATTERN_STEP_ANY;
			} else if (P->t.kind == T_INT) {
				st->kind = PATTERN_STEP_INDEX;
				if (int_value(P, &P->t, &st->index) < 0)
					return -1;
				if (st->index < 0) {
					fail_at(P, P->t.off, "list index %s must not be negative",
						found(P));
					return -1;
				}
			} else {
				fail_expected(P, "a list index or '*' after '['");
				return -1;
			}
			lex(P);
			if (P->t.kind != T_RBRACK) {
				fail_expected(P, "']' after the list index");
				return -1;
			}
			lex(P);
		} else {
			break;
		}
		if (P->failed)
			return -1;
		list_add(p, &steps, st);
		first = 0;
	}
	if (P->failed)
		return -1;
	struct pattern_step *arr = arena_alloc(p, steps.n * sizeof *arr);
	size_t i = 0;
	for (struct cell *cl = steps.head; cl; cl = cl->next)
		arr[i++] = *(struct pattern_step *)cl->v;
	c->steps = arr;
	c->nsteps = steps.n;
	return 0;
}

static struct pattern_expr *parse_cmp_or(struct parser *P);

static const char *const op_names[] = {
    [PATTERN_OP_EQ] = "=",
    [PATTERN_OP_NE] = "!=",
    [PATTERN_OP_LT] = "<",
    [PATTERN_OP_GT] = ">",
    [PATTERN_OP_LE] = "<=",
    [PATTERN_OP_GE] = ">=",
    [PATTERN_OP_IN] = "IN",
    [PATTERN_OP_LIKE] = "LIKE",
    [PATTERN_OP_MATCHES] = "MATCHES",
    [PATTERN_OP_ISSUBSET] = "ISSUBSET",
    [PATTERN_OP_ISSUPERSET] = "ISSUPERSET",
    [PATTERN_OP_EXISTS] = "EXISTS",
};

const char *pattern_op_name(enum pattern_op op)
{
	return (unsigned)op < ARRAY_LEN(op_names) ? op_names[op] : "?";
}

const char *pattern_lit_kind_name(enum pattern_lit_kind kind)
{
	static const char *const names[] = {
	    [PATTERN_LIT_STRING] = "string",	   [PATTERN_LIT_INT] = "integer",
	    [PATTERN_LIT_FLOAT] = "float",	   [PATTERN_LIT_BOOL] = "boolean",
	    [PATTERN_LIT_BINARY] = "binary",	   [PATTERN_LIT_HEX] = "hex",
	    [PATTERN_LIT_TIMESTAMP] = "timestamp",
	};
	return (unsigned)kind < ARRAY_LEN(names) ? names[kind] : "?";
}

static struct pattern_expr *new_cmp(struct parser *P, size_t off, struct pattern_cmp **cp)
{
	if (P->cmps.n >= PATTERN_MAX_CMP) {
		fail_at(P, off, "more than %d comparisons", PATTERN_MAX_CMP);
		return NULL;
	}
	struct pattern_cmp *c = arena_alloc(P->p, sizeof *c);
	c->index = (unsigned)P->cmps.n;
	c->obs_index = P->nobs - 1;
	c->column = column_of(P, off);
	list_add(P->p, &P->cmps, c);
	struct pattern_expr *e = arena_alloc(P->p, sizeof *e);
	e->kind = PATTERN_EXPR_CMP;
	e->cmp = c;
	*cp = c;
	return e;
}

/* The right-hand side of IN: '(' [literal (',' literal)*] ')'. */
static int parse_set(struct parser *P, struct pattern_cmp *c)
{
	if (P->t.kind != T_LPAREN) {
		fail_expected(P, "'(' after IN");
		return -1;
	}
	lex(P);
	struct list items;
	list_init(&items);
	if (P->t.kind != T_RPAREN) {
		for (;;) {
			if (!is_literal(P->t.kind)) {
				fail_expected(P, "a literal in the IN set");
				return -1;
			}
			struct pattern_lit *l = arena_alloc(P->p, sizeof *l);
			size_t off = P->t.off;
			if (literal_value(P, l) < 0 || check_hash(P, c, l, off) < 0)
				return -1;
			list_add(P->p, &items, l);
			lex(P);
			if (P->t.kind == T_COMMA) {
				lex(P);
				continue;
			}
			if (P->t.kind != T_RPAREN) {
				fail_expected(P, "',' or ')' in the IN set");
				return -1;
			}
			break;
		}
	}
	lex(P);
	struct pattern_lit *arr = arena_alloc(P->p, (items.n ? items.n : 1) * sizeof *arr);
	size_t i = 0;
	for (struct cell *cl = items.head; cl; cl = cl->next)
		arr[i++] = *(struct pattern_lit *)cl->v;
	c->set = arr;
	c->nset = items.n;
	return P->failed ? -1 : 0;
}

/* propTest: '(' cmp_or ')' | NOT? EXISTS path | path NOT? op literal */
static struct pattern_expr *parse_prop_test(struct parser *P)
{
	if (P->t.kind == T_LPAREN) {
		if (enter(P) < 0)
			return NULL;
		lex(P);
		struct pattern_expr *e = parse_cmp_or(P);
		if (!e)
			return NULL;
		if (P->t.kind != T_RPAREN) {
			fail_expected(P, "')' or AND/OR");
			return NULL;
		}
		P->depth--;
		lex(P);
		return P->failed ? NULL : e;
	}
	size_t start = P->t.off;
	struct pattern_cmp *c;
	if (P->t.kind == T_NOT || P->t.kind == T_EXISTS) {
		int negated = P->t.kind == T_NOT;
		if (negated) {
			lex(P);
			if (P->t.kind != T_EXISTS) {
				fail_expected(P, "EXISTS after NOT (NOT goes after the path "
						 "for other comparisons)");
				return NULL;
			}
		}
		lex(P);
		struct pattern_expr *e = new_cmp(P, start, &c);
		if (!e || parse_path(P, c) < 0)
			return NULL;
		c->op = PATTERN_OP_EXISTS;
		c->negated = negated;
		return e;
	}
	struct pattern_expr *e = new_cmp(P, start, &c);
	if (!e || parse_path(P, c) < 0)
		return NULL;
	size_t path_end = P->prev_end;
	if (P->t.kind == T_NOT) {
		c->negated = 1;
		lex(P);
	}
	size_t op_off = P->t.off;
	switch (P->t.kind) {
	case T_EQ:
		c->op = PATTERN_OP_EQ;
		break;
	case T_NEQ:
		c->op = PATTERN_OP_NE;
		break;
	case T_LT:
		c->op = PATTERN_OP_LT;
		break;
	case T_GT:
		c->op = PATTERN_OP_GT;
		break;
	case T_LE:
		c->op = PATTERN_OP_LE;
		break;
	case T_GE:
		c->op = PATTERN_OP_GE;
		break;
	case T_IN:
		c->op = PATTERN_OP_IN;
		break;
	case T_LIKE:
		c->op = PATTERN_OP_LIKE;
		break;
	case T_MATCHES:
		c->op = PATTERN_OP_MATCHES;
		break;
	case T_ISSUBSET:
		c->op = PATTERN_OP_ISSUBSET;
		break;
	case T_ISSUPERSET:
		c->op = PATTERN_OP_ISSUPERSET;
		break;
	case T_EXISTS: {
		int n = (int)(path_end - start > 60 ? 60 : path_end - start);
		fail_at(P, op_off,
			"expected a comparison operator%s, found 'EXISTS' (write [%sEXISTS %.*s])",
			c->negated ? " after NOT" : "", c->negated ? "NOT " : "", n, P->s + start);
		return NULL;
	}
	default:
		fail_expected(P, c->negated ? "a comparison operator after NOT"
					    : "a comparison operator (=, !=, <, >, <=, >=, IN, "
					      "LIKE, MATCHES, ISSUBSET, ISSUPERSET)");
		return NULL;
	}
	lex(P);
	if (c->op == PATTERN_OP_IN) {
		if (parse_set(P, c) < 0)
			return NULL;
		return e;
	}
	const char *opn = op_names[c->op];
	char what[96];
	size_t lit_off = P->t.off;
	switch (c->op) {
	case PATTERN_OP_EQ:
	case PATTERN_OP_NE:
		if (!is_literal(P->t.kind)) {
			snprintf(what, sizeof what, "a literal after '%s'", opn);
			fail_expected(P, what);
			return NULL;
		}
		break;
	case PATTERN_OP_LT:
	case PATTERN_OP_GT:
	case PATTERN_OP_LE:
	case PATTERN_OP_GE:
		if (!is_literal(P->t.kind) || P->t.kind == T_BOOL) {
			snprintf(what, sizeof what,
				 "a number, string, timestamp, binary or hex literal after '%s'",
				 opn);
			fail_expected(P, what);
			return NULL;
		}
		break;
	default:
		if (P->t.kind != T_STRING) {
			snprintf(what, sizeof what, "a string after %s", opn);
			fail_expected(P, what);
			return NULL;
		}
		break;
	}
	if (literal_value(P, &c->lit) < 0)
		return NULL;
	switch (c->op) {
	case PATTERN_OP_EQ:
	case PATTERN_OP_NE:
		if (check_hash(P, c, &c->lit, lit_off) < 0)
			return NULL;
		break;
	case PATTERN_OP_MATCHES:
		if (check_regex(P, &P->t, &c->lit) < 0)
			return NULL;
		break;
	case PATTERN_OP_ISSUBSET:
	case PATTERN_OP_ISSUPERSET:
		if (!valid_cidr(c->lit.str, c->lit.len)) {
			fail_at(P, lit_off,
				"%s needs an IPv4 or IPv6 address or CIDR range, found %s", opn,
				found(P));
			return NULL;
		}
		break;
	default:
		break;
	}
	lex(P);
	return P->failed ? NULL : e;
}

/* Makes an n-ary expression node from a list of two or more children. */
static struct pattern_expr *expr_node(struct parser *P, enum pattern_expr_kind kind,
				      const struct list *l)
{
	struct pattern_expr *e = arena_alloc(P->p, sizeof *e);
	e->kind = kind;
	e->child = (struct pattern_expr **)list_array(P->p, l);
	e->nchild = l->n;
	return e;
}

static struct pattern_expr *parse_cmp_and(struct parser *P)
{
	struct pattern_expr *e = parse_prop_test(P);
	if (!e || P->t.kind != T_AND)
		return e;
	struct list l;
	list_init(&l);
	list_add(P->p, &l, e);
	while (P->t.kind == T_AND) {
		lex(P);
		if (!(e = parse_prop_test(P)))
			return NULL;
		list_add(P->p, &l, e);
	}
	return expr_node(P, PATTERN_EXPR_AND, &l);
}

static struct pattern_expr *parse_cmp_or(struct parser *P)
{
	struct pattern_expr *e = parse_cmp_and(P);
	if (!e || P->t.kind != T_OR)
		return e;
	struct list l;
	list_init(&l);
	list_add(P->p, &l, e);
	while (P->t.kind == T_OR) {
		lex(P);
		if (!(e = parse_cmp_and(P)))
			return NULL;
		list_add(P->p, &l, e);
	}
	return expr_node(P, PATTERN_EXPR_OR, &l);
}

static struct pattern_obs *parse_obs_chain(struct parser *P, int level);

/* '[' cmp_or ']' | '(' obs_fb ')' */
static struct pattern_obs *parse_obs_primary(struct parser *P)
{
	size_t start = P->t.off;
	if (P->t.kind == T_LBRACK) {
		if (enter(P) < 0)
			return NULL;
		struct pattern_obs *o = arena_alloc(P->p, sizeof *o);
		o->kind = PATTERN_OBS;
		o->index = P->nobs++;
		o->column = column_of(P, start);
		list_add(P->p, &P->obs, o);
		lex(P);
		if (P->t.kind == T_RBRACK) {
			fail_at(P, P->t.off, "empty observation: expected a comparison after '['");
			return NULL;
		}
		if (!(o->expr = parse_cmp_or(P)))
			return NULL;
		if (P->t.kind != T_RBRACK) {
			fail_expected(P, "']' or AND/OR");
			return NULL;
		}
		P->depth--;
		lex(P);
		return P->failed ? NULL : o;
	}
	if (P->t.kind == T_LPAREN) {
		if (enter(P) < 0)
			return NULL;
		lex(P);
		struct pattern_obs *o = parse_obs_chain(P, 0);
		if (!o)
			return NULL;
		if (P->t.kind != T_RPAREN) {
			fail_expected(P, "')', AND, OR, FOLLOWEDBY or a qualifier");
			return NULL;
		}
		P->depth--;
		lex(P);
		return P->failed ? NULL : o;
	}
	fail_expected(P, "'[' or '('");
	return NULL;
}

/* Reads a positive count for WITHIN (integer or float seconds, into
 * microseconds) or REPEATS (integer). */
static int parse_within(struct parser *P, int64_t *us)
{
	const struct tok *t = &P->t;
	const char *s = P->s + t->off;
	if ((t->kind != T_INT && t->kind != T_FLOAT) || s[0] == '-') {
		fail_expected(P, "a positive number of seconds after WITHIN");
		return -1;
	}
	/* Exact decimal conversion: whole seconds and up to six fraction digits. */
	size_t i = s[0] == '+' ? 1 : 0;
	int64_t whole = 0, frac = 0;
	for (; i < t->len && s[i] != '.'; i++) {
		whole = whole * 10 + (s[i] - '0');
		if (whole > 1000000000000LL) {
			fail_at(P, t->off, "WITHIN %s SECONDS is too long (at most 10^12 seconds)",
				found(P));
			return -1;
		}
	}
	int nd = 0;
	if (i < t->len)
		for (i++; i < t->len; i++, nd++)
			if (nd < 6)
				frac = frac * 10 + (s[i] - '0');
	for (; nd < 6; nd++)
		frac *= 10;
	*us = whole * 1000000 + frac;
	if (*us <= 0) {
		fail_at(P, t->off,
			"WITHIN needs a positive number of seconds (at least 0.000001), "
			"found %s",
			found(P));
		return -1;
	}
	return 0;
}

static const char *qual_name(unsigned q)
{
	return q == PATTERN_Q_WITHIN ? "WITHIN" : q == PATTERN_Q_REPEATS ? "REPEATS" : "START/STOP";
}

/* obs_primary followed by any number of qualifiers, each kind at most once. */
static struct pattern_obs *parse_obs_qualified(struct parser *P)
{
	struct pattern_obs *o = parse_obs_primary(P);
	unsigned seen = 0;
	while (o && (P->t.kind == T_WITHIN || P->t.kind == T_REPEATS || P->t.kind == T_START)) {
		size_t qoff = P->t.off;
		unsigned q = P->t.kind == T_WITHIN    ? PATTERN_Q_WITHIN
			     : P->t.kind == T_REPEATS ? PATTERN_Q_REPEATS
						      : PATTERN_Q_STARTSTOP;
		if (seen & q) {
			fail_at(P, qoff,
				"duplicate %s qualifier on the same observation expression",
				qual_name(q));
			return NULL;
		}
		seen |= q;
		lex(P);
		int64_t within = 0, repeats = 0, start = 0, stop = 0;
		if (q == PATTERN_Q_WITHIN) {
			if (parse_within(P, &within) < 0)
				return NULL;
			lex(P);
			if (P->t.kind != T_SECONDS) {
				fail_expected(P, "SECONDS after WITHIN n");
				return NULL;
			}
		} else if (q == PATTERN_Q_REPEATS) {
			if (P->t.kind != T_INT || P->s[P->t.off] == '-') {
				fail_expected(P, "a positive integer after REPEATS");
				return NULL;
			}
			if (int_value(P, &P->t, &repeats) < 0)
				return NULL;
			if (repeats <= 0) {
				fail_at(P, P->t.off, "REPEATS needs a positive integer, found %s",
					found(P));
				return NULL;
			}
			lex(P);
			if (P->t.kind != T_TIMES) {
				fail_expected(P, "TIMES after REPEATS n");
				return NULL;
			}
		} else {
			struct pattern_lit l;
			if (P->t.kind != T_TIMESTAMP) {
				fail_expected(P, "a timestamp t'...' after START");
				return NULL;
			}
			if (literal_value(P, &l) < 0)
				return NULL;
			start = l.us;
			lex(P);
			if (P->t.kind != T_STOP) {
				fail_expected(P, "STOP after START t'...'");
				return NULL;
			}
			lex(P);
			if (P->t.kind != T_TIMESTAMP) {
				fail_expected(P, "a timestamp t'...' after STOP");
				return NULL;
			}
			if (literal_value(P, &l) < 0)
				return NULL;
			stop = l.us;
			if (start >= stop) {
				fail_at(P, qoff, "START must be before STOP");
				return NULL;
			}
		}
		lex(P);
		if (P->failed)
			return NULL;
		/* The same kind already set means it came from inside parentheses,
		 * as in "([a] WITHIN 5 SECONDS) WITHIN 60 SECONDS": both apply, so
		 * the inner expression keeps its own and gets a group around it. */
		if (o->quals & q) {
			struct pattern_obs *g = arena_alloc(P->p, sizeof *g);
			g->kind = PATTERN_OBS_GROUP;
			g->column = o->column;
			g->child = arena_alloc(P->p, sizeof *g->child);
			g->child[0] = o;
			g->nchild = 1;
			o = g;
		}
		o->quals |= q;
		if (q == PATTERN_Q_WITHIN)
			o->within_us = within;
		else if (q == PATTERN_Q_REPEATS)
			o->repeats = repeats;
		else
			o->start_us = start, o->stop_us = stop;
	}
	return o;
}

/* Levels 0, 1, 2: FOLLOWEDBY, OR, AND chains (left to right, flattened);
 * level 3 is a qualified observation. The level recursion is bounded (3). */
static struct pattern_obs *parse_obs_chain(struct parser *P, int level)
{
	if (level == 3)
		return parse_obs_qualified(P);
	static const enum tok_kind ops[] = {T_FOLLOWEDBY, T_OR, T_AND};
	static const enum pattern_obs_kind kinds[] = {PATTERN_OBS_FOLLOWEDBY, PATTERN_OBS_OR,
						      PATTERN_OBS_AND};
	struct pattern_obs *o = parse_obs_chain(P, level + 1);
	if (!o || P->t.kind != ops[level])
		return o;
	struct list l;
	list_init(&l);
	list_add(P->p, &l, o);
	unsigned column = o->column;
	while (P->t.kind == ops[level]) {
		lex(P);
		if (!(o = parse_obs_chain(P, level + 1)))
			return NULL;
		list_add(P->p, &l, o);
	}
	struct pattern_obs *n = arena_alloc(P->p, sizeof *n);
	n->kind = kinds[level];
	n->column = column;
	n->child = (struct pattern_obs **)list_array(P->p, &l);
	n->nchild = l.n;
	return n;
}

int pattern_parse(const char *src, size_t len, struct pattern **out, struct vb_err *err)
{
	*out = NULL;
	struct parser P;
	memset(&P, 0, sizeof P);
	P.col = 1;
	P.s = src ? src : "";
	P.n = src ? len : 0;
	P.err = err;
	if (len > PATTERN_MAX_LEN) {
		if (err) {
			vb_err_set(err, VB_EINPUT, "pattern is longer than %d bytes",
				   PATTERN_MAX_LEN);
			err->column = 1;
		}
		return VB_EINPUT;
	}
	P.p = xcalloc(1, sizeof *P.p);
	list_init(&P.cmps);
	list_init(&P.obs);
	lex(&P);
	struct pattern_obs *root = P.failed ? NULL : parse_obs_chain(&P, 0);
	if (root && P.t.kind != T_EOF)
		fail_expected(&P, "AND, OR, FOLLOWEDBY, a qualifier or end of pattern");
	if (!root || P.failed) {
		if (!P.failed)
			fail_at(&P, P.t.off, "invalid pattern");
		pattern_free(P.p);
		return VB_EINPUT;
	}
	struct pattern *p = P.p;
	p->root = root;
	p->cmps = (struct pattern_cmp **)list_array(p, &P.cmps);
	p->ncmp = P.cmps.n;
	p->obs = (struct pattern_obs **)list_array(p, &P.obs);
	p->nobs = P.obs.n;
	*out = p;
	return 0;
}

int pattern_walk(const struct pattern *p, pattern_cmp_fn fn, void *arg)
{
	for (size_t i = 0; p && i < p->ncmp; i++) {
		int rc = fn(arg, p->cmps[i]);
		if (rc)
			return rc;
	}
	return 0;
}

/* ---------------------------------------------------------- formatting */

struct out {
	char *p;
	size_t cap, n;
};

static void out_put(struct out *o, const char *s, size_t n)
{
	for (size_t i = 0; i < n && o->n + 1 < o->cap; i++)
		o->p[o->n++] = s[i];
	if (o->cap)
		o->p[o->n] = 0;
}

static void out_str(struct out *o, const char *s)
{
	out_put(o, s, strlen(s));
}

/* A key can be written bare when the grammar's IdentifierWithoutHyphen
 * matches it and it is not a keyword. */
static int bare_key(const char *k)
{
	if (!is_ident_start((unsigned char)k[0]))
		return 0;
	for (const char *s = k + 1; *s; s++)
		if (!is_ident_char((unsigned char)*s))
			return 0;
	for (size_t i = 0; i < ARRAY_LEN(keywords); i++)
		if (strcmp(k, keywords[i].word) == 0)
			return 0;
	return 1;
}

void pattern_path_format(const struct pattern_cmp *c, char *out, size_t cap)
{
	struct out o = {out, cap, 0};
	if (cap)
		out[0] = 0;
	out_str(&o, c->object_type);
	out_put(&o, ":", 1);
	for (size_t i = 0; i < c->nsteps; i++) {
		const struct pattern_step *st = &c->steps[i];
		if (st->kind == PATTERN_STEP_ANY) {
			out_str(&o, "[*]");
		} else if (st->kind == PATTERN_STEP_INDEX) {
			char num[32];
			snprintf(num, sizeof num, "[%lld]", (long long)st->index);
			out_str(&o, num);
		} else {
			if (i > 0)
				out_put(&o, ".", 1);
			if (bare_key(st->key)) {
				out_str(&o, st->key);
				continue;
			}
			out_put(&o, "'", 1);
			for (const char *k = st->key; *k; k++) {
				if (*k == '\'' || *k == '\\')
					out_put(&o, "\\", 1);
				out_put(&o, k, 1);
			}
			out_put(&o, "'", 1);
		}
	}
}
