/* test_pattern.c: the STIX 2.1 pattern parser: grammar, tree, checks, errors, limits. */
#include "test.h"

#include "../../src/stix/pattern.h"
#include "../../src/stix/stix.h"
#include "../../src/util/buf.h"
#include "../../src/util/util.h"

#include <cjson/cJSON.h>
#include <dirent.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/stat.h>

static struct pattern *parse_ok(const char *s, int *failed_)
{
	struct pattern *p = NULL;
	struct vb_err err;
	vb_err_clear(&err);
	int rc = pattern_parse(s, strlen(s), &p, &err);
	if (rc != 0) {
		fprintf(stderr, "  unexpected error for %s\n    col %ld: %s\n", s, err.column,
			err.msg);
		*failed_ = 1;
	}
	return p;
}

/* Parses s, which must fail; returns the error. */
static struct vb_err parse_bad(const char *s, size_t len, int *failed_)
{
	struct pattern *p = (struct pattern *)1;
	struct vb_err err;
	vb_err_clear(&err);
	int rc = pattern_parse(s, len, &p, &err);
	if (rc != VB_EINPUT || p != NULL || err.code != VB_EINPUT) {
		fprintf(stderr, "  expected VB_EINPUT for %.80s, got %d\n", s, rc);
		*failed_ = 1;
		pattern_free(rc == 0 ? p : NULL);
	}
	return err;
}

static const struct pattern_cmp *only_cmp(const struct pattern *p)
{
	return p && p->ncmp == 1 ? p->cmps[0] : NULL;
}

static const char *path_of(const struct pattern_cmp *c, char *buf, size_t cap)
{
	pattern_path_format(c, buf, cap);
	return buf;
}

TEST(pattern_simple_equality)
{
	struct pattern *p = parse_ok("[ipv4-addr:value = '198.51.100.1']", failed_);
	CHECK(p);
	if (!p)
		return;
	CHECK_INT(p->root->kind, PATTERN_OBS);
	CHECK_INT(p->root->quals, 0);
	CHECK_INT(p->nobs, 1);
	CHECK(p->obs[0] == p->root);
	CHECK_INT(p->root->expr->kind, PATTERN_EXPR_CMP);
	const struct pattern_cmp *c = only_cmp(p);
	CHECK(c && c == p->root->expr->cmp);
	CHECK_STR(c->object_type, "ipv4-addr");
	CHECK_INT(c->nsteps, 1);
	CHECK_INT(c->steps[0].kind, PATTERN_STEP_KEY);
	CHECK_STR(c->steps[0].key, "value");
	CHECK_INT(c->op, PATTERN_OP_EQ);
	CHECK_INT(c->negated, 0);
	CHECK_INT(c->lit.kind, PATTERN_LIT_STRING);
	CHECK_STR(c->lit.str, "198.51.100.1");
	CHECK_INT(c->lit.len, 12);
	CHECK_INT(c->lit.column, 20);
	CHECK_INT(c->column, 2);
	CHECK_INT(c->index, 0);
	CHECK_INT(c->obs_index, 0);
	pattern_free(p);
}

TEST(pattern_every_operator)
{
	static const struct {
		const char *src;
		enum pattern_op op;
		int negated;
	} cases[] = {
	    {"[file:size = 5]", PATTERN_OP_EQ, 0},
	    {"[file:size == 5]", PATTERN_OP_EQ, 0},
	    {"[file:size != 5]", PATTERN_OP_NE, 0},
	    {"[file:size <> 5]", PATTERN_OP_NE, 0},
	    {"[file:size < 5]", PATTERN_OP_LT, 0},
	    {"[file:size > 5]", PATTERN_OP_GT, 0},
	    {"[file:size <= 5]", PATTERN_OP_LE, 0},
	    {"[file:size >= 5]", PATTERN_OP_GE, 0},
	    {"[file:size IN (1, 2, 3)]", PATTERN_OP_IN, 0},
	    {"[file:name LIKE 'setup%.exe']", PATTERN_OP_LIKE, 0},
	    {"[file:name MATCHES '^setup[0-9]+\\\\.exe$']", PATTERN_OP_MATCHES, 0},
	    {"[ipv4-addr:value ISSUBSET '198.51.100.0/24']", PATTERN_OP_ISSUBSET, 0},
	    {"[ipv6-addr:value ISSUPERSET '2001:db8::/32']", PATTERN_OP_ISSUPERSET, 0},
	    {"[EXISTS file:hashes.MD5]", PATTERN_OP_EXISTS, 0},
	    {"[file:size NOT = 5]", PATTERN_OP_EQ, 1},
	    {"[file:size NOT != 5]", PATTERN_OP_NE, 1},
	    {"[file:size NOT < 5]", PATTERN_OP_LT, 1},
	    {"[file:size NOT >= 5]", PATTERN_OP_GE, 1},
	    {"[file:size NOT IN (1)]", PATTERN_OP_IN, 1},
	    {"[file:name NOT LIKE 'a%']", PATTERN_OP_LIKE, 1},
	    {"[file:name NOT MATCHES 'a+']", PATTERN_OP_MATCHES, 1},
	    {"[ipv4-addr:value NOT ISSUBSET '10.0.0.0/8']", PATTERN_OP_ISSUBSET, 1},
	    {"[ipv4-addr:value NOT ISSUPERSET '10.1.2.3']", PATTERN_OP_ISSUPERSET, 1},
	    {"[NOT EXISTS file:name]", PATTERN_OP_EXISTS, 1},
	};
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		struct pattern *p = parse_ok(cases[i].src, failed_);
		const struct pattern_cmp *c = only_cmp(p);
		CHECK(c);
		if (!c) {
			pattern_free(p);
			continue;
		}
		if ((int)c->op != (int)cases[i].op || c->negated != cases[i].negated) {
			fprintf(stderr, "  %s: op %s negated %d\n", cases[i].src,
				pattern_op_name(c->op), c->negated);
			*failed_ = 1;
		}
		pattern_free(p);
	}
	struct pattern *p = parse_ok("[file:name MATCHES '^setup[0-9]+\\\\.exe$']", failed_);
	if (p)
		CHECK_STR(p->cmps[0]->lit.str, "^setup[0-9]+\\.exe$");
	pattern_free(p);
	CHECK_STR(pattern_op_name(PATTERN_OP_ISSUPERSET), "ISSUPERSET");
	CHECK_STR(pattern_op_name(PATTERN_OP_NE), "!=");
}

TEST(pattern_in_set)
{
	struct pattern *p =
	    parse_ok("[network-traffic:dst_port IN (80, 443, 'x', true, 1.5, h'ff')]", failed_);
	const struct pattern_cmp *c = only_cmp(p);
	CHECK(c);
	if (c) {
		CHECK_INT(c->op, PATTERN_OP_IN);
		CHECK_INT(c->nset, 6);
		CHECK_INT(c->set[0].kind, PATTERN_LIT_INT);
		CHECK_INT(c->set[0].i, 80);
		CHECK_INT(c->set[1].i, 443);
		CHECK_INT(c->set[2].kind, PATTERN_LIT_STRING);
		CHECK_STR(c->set[2].str, "x");
		CHECK_INT(c->set[3].kind, PATTERN_LIT_BOOL);
		CHECK_INT(c->set[3].b, 1);
		CHECK_INT(c->set[4].kind, PATTERN_LIT_FLOAT);
		CHECK_INT(c->set[5].kind, PATTERN_LIT_HEX);
		CHECK_INT(c->set[5].len, 1);
		CHECK_INT((unsigned char)c->set[5].str[0], 0xff);
	}
	pattern_free(p);
	p = parse_ok("[file:size IN ()]", failed_);
	c = only_cmp(p);
	CHECK(c && c->nset == 0);
	pattern_free(p);
}

/* The value index's light scan: `=` and IN name values, negations do not. */
static void join_value(void *arg, const char *kind, const char *value)
{
	struct buf *b = arg;
	buf_printf(b, "%s%s=%s", b->len ? " " : "", kind, value);
}

static char *values_of(const char *pattern)
{
	static struct buf b;
	buf_free(&b);
	buf_init(&b, 1 << 16);
	stix_pattern_values(pattern, join_value, &b);
	return b.p ? b.p : "";
}

TEST(pattern_values_for_the_index)
{
	CHECK_STR(values_of("[ipv4-addr:value = '198.51.100.1']"), "ipv4-addr=198.51.100.1");
	CHECK_STR(values_of("[ipv4-addr:value IN ('198.51.100.1', '198.51.100.2')]"),
		  "ipv4-addr=198.51.100.1 ipv4-addr=198.51.100.2");
	CHECK_STR(values_of("[domain-name:value IN ('a.example','b\\'x.example') OR "
			    "file:hashes.'SHA-256' = 'ab']"),
		  "domain-name=a.example domain-name=b'x.example file:SHA-256=ab");
	CHECK_STR(values_of("[network-traffic:dst_ref.value IN ('2001:db8::1', '10.0.0.1')]"),
		  "ipv6-addr=2001:db8::1 ipv4-addr=10.0.0.1");
	CHECK_STR(values_of("[ipv4-addr:value NOT IN ('198.51.100.1')]"), "");
	CHECK_STR(values_of("[ipv4-addr:value != '198.51.100.1']"), "");
	CHECK_STR(values_of("[ipv4-addr:value IN ('198.51.100.1'"), "ipv4-addr=198.51.100.1");
}

TEST(pattern_every_literal_kind)
{
	struct pattern *p = parse_ok(
	    "[x-custom:a = 'it\\'s a \\\\ path' AND x-custom:b = 42 AND x-custom:c = -7 AND "
	    "x-custom:d = +3 AND x-custom:e = 2.5 AND x-custom:f = -.25 AND x-custom:g = true "
	    "AND x-custom:h = false AND x-custom:i = b'aGVsbG8=' AND x-custom:j = h'48656C6c6f' "
	    "AND x-custom:k = t'2016-05-12T08:17:27.5Z' AND x-custom:l = b'AAE=' AND "
	    "x-custom:m = h'' AND x-custom:n = -0 AND x-custom:o = 'caf\xc3\xa9']",
	    failed_);
	CHECK(p);
	if (!p)
		return;
	CHECK_INT(p->ncmp, 15);
	CHECK_INT(p->root->expr->kind, PATTERN_EXPR_AND);
	CHECK_INT(p->root->expr->nchild, 15);
	const struct pattern_lit *l;
	l = &p->cmps[0]->lit;
	CHECK_INT(l->kind, PATTERN_LIT_STRING);
	CHECK_STR(l->str, "it's a \\ path");
	l = &p->cmps[1]->lit;
	CHECK_INT(l->kind, PATTERN_LIT_INT);
	CHECK_INT(l->i, 42);
	CHECK(l->f == 42.0);
	CHECK_INT(p->cmps[2]->lit.i, -7);
	CHECK_INT(p->cmps[3]->lit.i, 3);
	l = &p->cmps[4]->lit;
	CHECK_INT(l->kind, PATTERN_LIT_FLOAT);
	CHECK(l->f == 2.5);
	CHECK(p->cmps[5]->lit.f == -0.25);
	l = &p->cmps[6]->lit;
	CHECK_INT(l->kind, PATTERN_LIT_BOOL);
	CHECK_INT(l->b, 1);
	CHECK_INT(p->cmps[7]->lit.b, 0);
	l = &p->cmps[8]->lit;
	CHECK_INT(l->kind, PATTERN_LIT_BINARY);
	CHECK_INT(l->len, 5);
	CHECK(memcmp(l->str, "hello", 5) == 0);
	l = &p->cmps[9]->lit;
	CHECK_INT(l->kind, PATTERN_LIT_HEX);
	CHECK_INT(l->len, 5);
	CHECK(memcmp(l->str, "Hello", 5) == 0);
	l = &p->cmps[10]->lit;
	CHECK_INT(l->kind, PATTERN_LIT_TIMESTAMP);
	CHECK_STR(l->str, "2016-05-12T08:17:27.5Z");
	CHECK_INT(l->us, 1463041047500000LL);
	l = &p->cmps[11]->lit;
	CHECK_INT(l->len, 2);
	CHECK(l->str[0] == 0 && l->str[1] == 1);
	CHECK_INT(p->cmps[12]->lit.kind, PATTERN_LIT_HEX);
	CHECK_INT(p->cmps[12]->lit.len, 0);
	CHECK_INT(p->cmps[13]->lit.i, 0);
	CHECK_STR(p->cmps[14]->lit.str, "caf\xc3\xa9");
	for (size_t i = 0; i < p->ncmp; i++)
		CHECK_INT(p->cmps[i]->index, i);
	CHECK_STR(pattern_lit_kind_name(PATTERN_LIT_TIMESTAMP), "timestamp");
	pattern_free(p);

	/* the limits of 64-bit integers */
	p = parse_ok("[x-custom:a = 9223372036854775807 OR x-custom:a = -9223372036854775808]",
		     failed_);
	if (p) {
		CHECK(p->cmps[0]->lit.i == INT64_MAX);
		CHECK(p->cmps[1]->lit.i == INT64_MIN);
	}
	pattern_free(p);
}

TEST(pattern_precedence_in_observation)
{
	/* AND binds tighter than OR */
	struct pattern *p =
	    parse_ok("[file:name = 'a' OR file:name = 'b' AND file:size = 1]", failed_);
	CHECK(p);
	if (p) {
		const struct pattern_expr *e = p->root->expr;
		CHECK_INT(e->kind, PATTERN_EXPR_OR);
		CHECK_INT(e->nchild, 2);
		CHECK_INT(e->child[0]->kind, PATTERN_EXPR_CMP);
		CHECK_INT(e->child[1]->kind, PATTERN_EXPR_AND);
		CHECK_STR(e->child[1]->child[0]->cmp->lit.str, "b");
	}
	pattern_free(p);
	/* parentheses override it */
	p = parse_ok("[(file:name = 'a' OR file:name = 'b') AND file:size = 1]", failed_);
	CHECK(p);
	if (p) {
		const struct pattern_expr *e = p->root->expr;
		CHECK_INT(e->kind, PATTERN_EXPR_AND);
		CHECK_INT(e->child[0]->kind, PATTERN_EXPR_OR);
		CHECK_INT(e->child[1]->kind, PATTERN_EXPR_CMP);
	}
	pattern_free(p);
	/* chains are flattened, nested parentheses are kept */
	p = parse_ok("[a-b:x = 1 OR a-b:x = 2 OR (a-b:x = 3 OR a-b:x = 4)]", failed_);
	if (p) {
		CHECK_INT(p->root->expr->kind, PATTERN_EXPR_OR);
		CHECK_INT(p->root->expr->nchild, 3);
		CHECK_INT(p->root->expr->child[2]->kind, PATTERN_EXPR_OR);
	}
	pattern_free(p);
}

TEST(pattern_precedence_between_observations)
{
	/* FOLLOWEDBY is loosest, then OR, then AND */
	struct pattern *p = parse_ok("[file:size = 1] FOLLOWEDBY [file:size = 2] OR "
				     "[file:size = 3] AND [file:size = 4]",
				     failed_);
	CHECK(p);
	if (p) {
		const struct pattern_obs *r = p->root;
		CHECK_INT(r->kind, PATTERN_OBS_FOLLOWEDBY);
		CHECK_INT(r->nchild, 2);
		CHECK_INT(r->child[0]->kind, PATTERN_OBS);
		CHECK_INT(r->child[1]->kind, PATTERN_OBS_OR);
		CHECK_INT(r->child[1]->child[1]->kind, PATTERN_OBS_AND);
		CHECK_INT(r->child[1]->child[1]->nchild, 2);
		CHECK_INT(p->nobs, 4);
		for (size_t i = 0; i < 4; i++) {
			CHECK_INT(p->obs[i]->index, i);
			CHECK_INT(p->cmps[i]->obs_index, i);
			CHECK_INT(p->obs[i]->expr->cmp->lit.i, i + 1);
		}
	}
	pattern_free(p);
	p = parse_ok("([file:size = 1] FOLLOWEDBY [file:size = 2]) AND [file:size = 3]", failed_);
	if (p) {
		CHECK_INT(p->root->kind, PATTERN_OBS_AND);
		CHECK_INT(p->root->child[0]->kind, PATTERN_OBS_FOLLOWEDBY);
		CHECK_INT(p->root->column, 2);
		CHECK_INT(p->root->child[1]->column, 50);
	}
	pattern_free(p);
	p = parse_ok("[file:size = 1] FOLLOWEDBY [file:size = 2] FOLLOWEDBY [file:size = 3]",
		     failed_);
	if (p) {
		CHECK_INT(p->root->kind, PATTERN_OBS_FOLLOWEDBY);
		CHECK_INT(p->root->nchild, 3);
		CHECK_INT(p->root->child[2]->expr->cmp->lit.i, 3);
	}
	pattern_free(p);
}

TEST(pattern_qualifiers)
{
	struct pattern *p = parse_ok("[file:size = 1] WITHIN 5 SECONDS", failed_);
	if (p) {
		CHECK_INT(p->root->kind, PATTERN_OBS);
		CHECK_INT(p->root->quals, PATTERN_Q_WITHIN);
		CHECK_INT(p->root->within_us, 5000000);
	}
	pattern_free(p);
	p = parse_ok("[file:size = 1] WITHIN 0.25 SECONDS", failed_);
	if (p)
		CHECK_INT(p->root->within_us, 250000);
	pattern_free(p);
	p = parse_ok("[file:size = 1] REPEATS 3 TIMES WITHIN +1.5 SECONDS", failed_);
	if (p) {
		CHECK_INT(p->root->quals, PATTERN_Q_REPEATS | PATTERN_Q_WITHIN);
		CHECK_INT(p->root->repeats, 3);
		CHECK_INT(p->root->within_us, 1500000);
	}
	pattern_free(p);
	p = parse_ok("[file:size = 1] START t'2016-06-01T00:00:00Z' STOP t'2016-07-01T00:00:00Z'",
		     failed_);
	if (p) {
		CHECK_INT(p->root->quals, PATTERN_Q_STARTSTOP);
		CHECK_INT(p->root->start_us, 1464739200000000LL);
		CHECK_INT(p->root->stop_us, 1467331200000000LL);
	}
	pattern_free(p);
	/* a qualifier binds to its observation, tighter than AND */
	p = parse_ok("[file:size = 1] AND [file:size = 2] REPEATS 2 TIMES", failed_);
	if (p) {
		CHECK_INT(p->root->kind, PATTERN_OBS_AND);
		CHECK_INT(p->root->quals, 0);
		CHECK_INT(p->root->child[0]->quals, 0);
		CHECK_INT(p->root->child[1]->repeats, 2);
	}
	pattern_free(p);
	/* on a parenthesised expression it applies to the whole of it */
	p = parse_ok("([file:size = 1] FOLLOWEDBY [file:size = 2]) WITHIN 60 SECONDS", failed_);
	if (p) {
		CHECK_INT(p->root->kind, PATTERN_OBS_FOLLOWEDBY);
		CHECK_INT(p->root->within_us, 60000000);
	}
	pattern_free(p);
	/* the same kind again from outside parentheses: a group keeps both */
	p = parse_ok("([file:size = 1] WITHIN 5 SECONDS) WITHIN 60 SECONDS", failed_);
	if (p) {
		CHECK_INT(p->root->kind, PATTERN_OBS_GROUP);
		CHECK_INT(p->root->within_us, 60000000);
		CHECK_INT(p->root->nchild, 1);
		CHECK_INT(p->root->child[0]->kind, PATTERN_OBS);
		CHECK_INT(p->root->child[0]->within_us, 5000000);
	}
	pattern_free(p);
	/* all three kinds on one observation */
	p = parse_ok("[file:size = 1] REPEATS 2 TIMES START t'2016-06-01T00:00:00Z' STOP "
		     "t'2016-06-01T00:00:01Z' WITHIN 1 SECONDS",
		     failed_);
	if (p)
		CHECK_INT(p->root->quals,
			  PATTERN_Q_WITHIN | PATTERN_Q_REPEATS | PATTERN_Q_STARTSTOP);
	pattern_free(p);
}

TEST(pattern_paths)
{
	char buf[256];
	struct pattern *p =
	    parse_ok("[file:extensions.'windows-pebinary-ext'.sections[*].hashes.MD5 = "
		     "'00112233445566778899aabbccddeeff' AND email-message:body_multipart[1]."
		     "body_raw_ref.name LIKE '%.exe' AND x-custom:'first key'.'it\\'s'[0] = 1]",
		     failed_);
	CHECK(p);
	if (!p)
		return;
	const struct pattern_cmp *c = p->cmps[0];
	CHECK_STR(c->object_type, "file");
	CHECK_INT(c->nsteps, 6);
	CHECK_STR(c->steps[0].key, "extensions");
	CHECK_STR(c->steps[1].key, "windows-pebinary-ext");
	CHECK_INT(c->steps[2].kind, PATTERN_STEP_KEY);
	CHECK_STR(c->steps[2].key, "sections");
	CHECK_INT(c->steps[3].kind, PATTERN_STEP_ANY);
	CHECK_STR(c->steps[4].key, "hashes");
	CHECK_STR(c->steps[5].key, "MD5");
	CHECK_STR(path_of(c, buf, sizeof buf), "file:extensions.'windows-pebinary-ext'.sections[*]"
					       ".hashes.MD5");
	c = p->cmps[1];
	CHECK_INT(c->steps[1].kind, PATTERN_STEP_INDEX);
	CHECK_INT(c->steps[1].index, 1);
	CHECK_STR(path_of(c, buf, sizeof buf), "email-message:body_multipart[1].body_raw_ref.name");
	c = p->cmps[2];
	CHECK_STR(c->steps[0].key, "first key");
	CHECK_STR(c->steps[1].key, "it's");
	CHECK_STR(path_of(c, buf, sizeof buf), "x-custom:'first key'.'it\\'s'[0]");
	/* truncation keeps the terminator */
	pattern_path_format(c, buf, 6);
	CHECK_STR(buf, "x-cus");
	pattern_free(p);
	/* keywords and hyphenated keys come back quoted, so the output parses */
	p = parse_ok("[x-custom:'AND'.'true'.'a-b'.'' = 1]", failed_);
	if (p) {
		CHECK_STR(path_of(p->cmps[0], buf, sizeof buf), "x-custom:'AND'.'true'.'a-b'.''");
		CHECK_INT(p->cmps[0]->nsteps, 4);
	}
	pattern_free(p);
}

TEST(pattern_hashes)
{
	static const char *ok[] = {
	    "[file:hashes.MD5 = '0123456789abcdef0123456789ABCDEF']",
	    "[file:hashes.md5 = '0123456789abcdef0123456789abcdef']",
	    "[file:hashes.'SHA-1' = '0123456789abcdef0123456789abcdef01234567']",
	    "[file:hashes.SHA1 = '0123456789abcdef0123456789abcdef01234567']",
	    "[file:hashes.'SHA-256' = "
	    "'ef537f25c895bfa782526529a9b63d97aa631564d5d789c2b765448c8635fb6c']",
	    "[file:hashes.SHA256 = "
	    "'ef537f25c895bfa782526529a9b63d97aa631564d5d789c2b765448c8635fb6c']",
	    "[file:hashes.'sha3-256' = "
	    "'ef537f25c895bfa782526529a9b63d97aa631564d5d789c2b765448c8635fb6c']",
	    "[file:hashes.'SHA-512' IN ('ef537f25c895bfa782526529a9b63d97aa631564d5d789c2b76544"
	    "8c8635fb6cef537f25c895bfa782526529a9b63d97aa631564d5d789c2b765448c8635fb6c')]",
	    "[file:hashes.'SHA3-512' = 'ef537f25c895bfa782526529a9b63d97aa631564d5d789c2b76544"
	    "8c8635fb6cef537f25c895bfa782526529a9b63d97aa631564d5d789c2b765448c8635fb6c']",
	    /* other algorithms and other operators are not length-checked */
	    "[file:hashes.SSDEEP = '3:AXGBicFlgVNhBGcL6wCrFQEv:AXGHsNhxLsr2C']",
	    "[file:hashes.MD5 LIKE '0123%']",
	    "[file:name = 'abc']",
	};
	for (size_t i = 0; i < ARRAY_LEN(ok); i++)
		pattern_free(parse_ok(ok[i], failed_));
	struct vb_err e;
	const char *s = "[file:hashes.'SHA3-256' = 'ef537f25']";
	e = parse_bad(s, strlen(s), failed_);
	CHECK_INT(e.column, 27);
	CHECK(strstr(e.msg, "SHA3-256") && strstr(e.msg, "64"));
	s = "[file:hashes.MD5 IN ('0123456789abcdef0123456789abcdef', 'abc')]";
	e = parse_bad(s, strlen(s), failed_);
	CHECK_INT(e.column, 58);
	CHECK(strstr(e.msg, "32 hex digits") != NULL);
}

struct walk_state {
	char seen[512];
	int calls, stop_at;
};

static int walk_cb(void *arg, const struct pattern_cmp *c)
{
	struct walk_state *w = arg;
	char path[128];
	pattern_path_format(c, path, sizeof path);
	size_t n = strlen(w->seen);
	snprintf(w->seen + n, sizeof w->seen - n, "%s%s", n ? "," : "", path);
	return ++w->calls == w->stop_at ? 7 : 0;
}

TEST(pattern_walk_order)
{
	struct pattern *p = parse_ok("([a-a:a = 1 OR (a-a:b = 2 AND a-a:c = 3)] FOLLOWEDBY "
				     "[EXISTS a-a:d]) AND [a-a:e IN (1)] WITHIN 1 SECONDS",
				     failed_);
	CHECK(p);
	if (!p)
		return;
	struct walk_state w = {"", 0, 0};
	CHECK_INT(pattern_walk(p, walk_cb, &w), 0);
	CHECK_STR(w.seen, "a-a:a,a-a:b,a-a:c,a-a:d,a-a:e");
	struct walk_state w2 = {"", 0, 2};
	CHECK_INT(pattern_walk(p, walk_cb, &w2), 7);
	CHECK_INT(w2.calls, 2);
	pattern_free(p);
}

TEST(pattern_whitespace_and_comments)
{
	/* tabs, newlines, comments and the grammar's Unicode spaces (NBSP, U+3000) */
	const char *s = "\t[ /* c */ file:name\n=\xc2\xa0'x' // to the end of the line\n"
			"\xe3\x80\x80 ]\r\nFOLLOWEDBY[file:size=1]";
	struct pattern *p = parse_ok(s, failed_);
	if (p) {
		CHECK_INT(p->ncmp, 2);
		CHECK_INT(p->root->kind, PATTERN_OBS_FOLLOWEDBY);
		CHECK_INT(p->cmps[0]->column, 12);
	}
	pattern_free(p);
	/* not NUL-terminated: only len bytes count */
	const char buf[] = "[file:size = 1]GARBAGE";
	p = NULL;
	CHECK_INT(pattern_parse(buf, 15, &p, NULL), 0);
	pattern_free(p);
}

TEST(pattern_invalid)
{
	static const char sha256_63[] =
	    "[file:hashes.'SHA-256' = "
	    "'ef537f25c895bfa782526529a9b63d97aa631564d5d789c2b765448c8635fb6']";
	static const struct {
		const char *src;
		long column;
		const char *word; /* a word the message must contain */
	} cases[] = {
	    {"", 1, "expected '[' or '(', found end of pattern"},
	    {"   ", 4, "found end of pattern"},
	    {"[file:name = 'x' FOO]", 18, "expected ']' or AND/OR, found 'FOO'"},
	    {"[file:name = 'x'", 17, "expected ']' or AND/OR, found end of pattern"},
	    {"[file:name = 'x']]", 18, "expected AND, OR, FOLLOWEDBY"},
	    {"[]", 2, "empty observation"},
	    {"[File:name = 'x']", 2, "invalid object type 'File'"},
	    {"[ab:name = 'x']", 2, "3-250"},
	    {"[file_x:name = 'x']", 2, "invalid object type"},
	    {"[file name = 'x']", 7, "expected ':' after the object type, found 'name'"},
	    {"[file:name == ]", 15, "expected a literal after '='"},
	    {"[file:name = 'x\\d']", 16, "invalid escape '\\d'"},
	    {"[file:name = 'x]", 14, "unterminated string"},
	    {"[file:hashes.MD5 = 'abc']", 20, "MD5 hash must be 32 hex digits, found 3"},
	    {"[file:hashes.SHA1 = '0123456789abcdef0123456789abcdef0123456g']", 21, "non-hex"},
	    {sha256_63, 26, "SHA-256 hash must be 64 hex digits, found 63"},
	    {"[file:hashes.SHA-256 = 'x']", 14, "quote it"},
	    {"[file:created = t'2016-13-01T00:00:00Z']", 17, "invalid timestamp"},
	    {"[file:created = t'2016-02-30T00:00:00Z']", 17, "invalid timestamp"},
	    {"[file:created = t'2016-02-01 00:00:00Z']", 17, "invalid timestamp"},
	    {"[file:created = t'2016-02-01T00:00:00']", 17, "invalid timestamp"},
	    {"[file:size = 1] WITHIN 0 SECONDS", 24, "positive"},
	    {"[file:size = 1] WITHIN -5 SECONDS", 24, "positive"},
	    {"[file:size = 1] WITHIN 5 MINUTES", 26, "expected SECONDS"},
	    {"[file:size = 1] WITHIN 5", 25, "expected SECONDS after WITHIN n, found end"},
	    {"[file:size = 1] REPEATS 0 TIMES", 25, "positive integer"},
	    {"[file:size = 1] REPEATS 2.5 TIMES", 25, "positive integer"},
	    {"[file:size = 1] REPEATS 2", 26, "expected TIMES"},
	    {"[file:size = 1] WITHIN 5 SECONDS WITHIN 6 SECONDS", 34, "duplicate WITHIN"},
	    {"[file:size = 1] REPEATS 2 TIMES WITHIN 5 SECONDS REPEATS 3 TIMES", 50,
	     "duplicate REPEATS"},
	    {"[file:size = 1] START t'2016-01-01T00:00:00Z' STOP t'2016-01-01T00:00:00Z' "
	     "START t'2016-01-01T00:00:00Z' STOP t'2016-01-02T00:00:00Z'",
	     17, "START must be before STOP"},
	    {"[file:size = 1] START t'2017-01-01T00:00:00Z' STOP t'2016-01-01T00:00:00Z'", 17,
	     "START must be before STOP"},
	    {"[file:size = 1] START t'2016-01-01T00:00:00Z' STOP t'2017-01-01T00:00:00Z' "
	     "START t'2016-01-01T00:00:00Z' STOP t'2018-01-02T00:00:00Z'",
	     76, "duplicate START/STOP"},
	    {"[file:size = 1] START t'2016-01-01T00:00:00Z'", 46, "expected STOP"},
	    {"[file:size = 1] START '2016-01-01T00:00:00Z' STOP '2017-01-01T00:00:00Z'", 23,
	     "timestamp t'...' after START"},
	    {"[file:size IN 1]", 15, "expected '(' after IN"},
	    {"[file:size IN (1, )]", 19, "a literal in the IN set"},
	    {"[file:size IN (1 2)]", 18, "',' or ')'"},
	    {"[file:name LIKE 5]", 17, "a string after LIKE"},
	    {"[file:name MATCHES x]", 20, "a string after MATCHES"},
	    {"[file:name ISSUBSET 5]", 21, "a string after ISSUBSET"},
	    {"[ipv4-addr:value ISSUBSET '10.0.0.0/33']", 27, "IPv4 or IPv6"},
	    {"[ipv4-addr:value ISSUPERSET 'example.com']", 29, "CIDR"},
	    {"[file:name MATCHES 'a(b']", 24, "regular expression"},
	    {"[file:name MATCHES '\\\\\\\\x[a']", 28, "missing terminating ]"},
	    {"[file:size > true]", 14, "number, string, timestamp"},
	    {"[file:name NOT EXISTS]", 16,
	     "after NOT, found 'EXISTS' (write [NOT EXISTS file:name])"},
	    {"[file:name EXISTS]", 12, "write [EXISTS file:name]"},
	    {"[NOT file:name = 'x']", 6, "EXISTS after NOT"},
	    {"[file:name ~ 'x']", 12, "unexpected character '~'"},
	    {"[file:name = \"x\"]", 14, "strings are quoted with '"},
	    {"[file:name = t'2016\n01']", 14, "invalid timestamp t'2016?01'"},
	    {"[file:name = 'x'] AND", 22, "expected '[' or '(', found end of pattern"},
	    {"[file:size = 1] FOLLOWEDBY ([file:size = 2]", 44, "expected ')'"},
	    {"[file:size = 1] followedby [file:size = 2]", 17, "found 'followedby'"},
	    {"[file:size = 1] and [file:size = 2]", 17, "found 'and'"},
	    {"[(file:size = 1]", 16, "expected ')' or AND/OR"},
	    {"[file:a[-1] = 1]", 9, "must not be negative"},
	    {"[file:a[x] = 1]", 9, "a list index or '*'"},
	    {"[file:a[1 = 1]", 11, "']' after the list index"},
	    {"[file:a. = 1]", 10, "property name after '.'"},
	    {"[file:size = 007]", 14, "leading zero"},
	    {"[file:size = 99999999999999999999]", 14, "out of range"},
	    {"[file:x = h'abc']", 11, "odd number of hex digits"},
	    {"[file:x = h'zz']", 13, "not a hex digit"},
	    {"[file:x = b'abc']", 11, "base64"},
	    {"[file:x = b'ab$=']", 15, "'$' is not base64"},
	    {"[file:x = b'']", 11, "base64"},
	    {"[file:x = 'a'] /* open", 16, "unterminated comment"},
	    {"[file:x != 'a' OR]", 18, "expected an object path"},
	    {"[file:x = 'a'] LAST 5 SECONDS", 16, "found 'LAST'"},
	    {"[file:x = 'a\xff']", 13, "invalid UTF-8"},
	    {"[file:x = 'a'] \xc3", 16, "invalid UTF-8 byte 0xc3"},
	    {"[file:x = 'a'] \xc2\xa9", 16, "unexpected character"},
	    {"[file:x = 'a' AND]", 18, "expected an object path"},
	    {"[file:x = 'a'] WITHIN 5 SECONDS REPEATS", 40, "positive integer after REPEATS"},
	    {"[file:x = 1.]", 12, "expected ']' or AND/OR, found '.'"},
	    {"[file:x ! 1]", 9, "did you mean '!='"},
	    {"([file:x = 1] WITHIN 1 SECONDS", 31, "expected ')'"},
	    {"[file:x = 'a'] WITHIN 10000000000000 SECONDS", 23, "too long"},
	    {"[file:x = 'a'] REPEATS 99999999999999999999 TIMES", 24, "out of range"},
	};
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		int f = 0;
		struct vb_err e = parse_bad(cases[i].src, strlen(cases[i].src), &f);
		if (f || e.column != cases[i].column || !strstr(e.msg, cases[i].word)) {
			fprintf(stderr, "  %s\n    got col %ld: %s\n    want col %ld with \"%s\"\n",
				cases[i].src, e.column, e.msg, cases[i].column, cases[i].word);
			*failed_ = 1;
		}
	}
	/* an embedded NUL is an error, not the end of the pattern */
	struct vb_err e = parse_bad("[file:x = 'a\0b']", 16, failed_);
	CHECK_INT(e.column, 13);
	CHECK(strstr(e.msg, "NUL") != NULL);
	e = parse_bad("[file:x = 'a']\0", 15, failed_);
	CHECK_INT(e.column, 15);
	CHECK(strstr(e.msg, "control character 0x00") != NULL);
	/* columns count characters, not bytes */
	const char *s = "[file:x = '\xc3\xa9\xc3\xa9' BAD]";
	e = parse_bad(s, strlen(s), failed_);
	CHECK_INT(e.column, 16);
	/* the caller's file and line are left alone */
	struct pattern *p = NULL;
	struct vb_err e2;
	vb_err_clear(&e2);
	snprintf(e2.file, sizeof e2.file, "bundle.json");
	e2.line = 7;
	CHECK_INT(pattern_parse("[", 1, &p, &e2), VB_EINPUT);
	CHECK_STR(e2.file, "bundle.json");
	CHECK_INT(e2.line, 7);
	CHECK_INT(e2.column, 2);
	/* err may be NULL */
	CHECK_INT(pattern_parse("[", 1, &p, NULL), VB_EINPUT);
	CHECK(p == NULL);
}

/* n nested parentheses around one comparison, inside one observation. */
static char *nested(int n)
{
	struct buf b;
	buf_init(&b, 1 << 20);
	buf_adds(&b, "[");
	for (int i = 0; i < n; i++)
		buf_addc(&b, '(');
	buf_adds(&b, "file:size = 1");
	for (int i = 0; i < n; i++)
		buf_addc(&b, ')');
	buf_adds(&b, "]");
	return buf_take(&b, NULL);
}

TEST(pattern_limits)
{
	/* the '[' counts as one level, so 63 parentheses inside it are the most */
	char *s = nested(63);
	pattern_free(parse_ok(s, failed_));
	free(s);
	s = nested(64);
	struct vb_err e = parse_bad(s, strlen(s), failed_);
	CHECK_INT(e.column, 65);
	CHECK(strstr(e.msg, "nesting deeper than 64") != NULL);
	free(s);
	/* observation-level parentheses count too */
	struct buf b;
	buf_init(&b, 1 << 20);
	for (int i = 0; i < 70; i++)
		buf_addc(&b, '(');
	e = parse_bad(b.p, b.len, failed_);
	CHECK_INT(e.column, 65);
	buf_free(&b);

	/* The shortest comparison with its OR ("abc:d=1OR ") takes 10 bytes, so
	 * the length limit is met before PATTERN_MAX_CMP can be: 6,500 parse,
	 * and a flat chain of them makes one node, not a deep tree. */
	buf_init(&b, 1 << 20);
	buf_adds(&b, "[abc:d=0");
	for (int i = 1; i < 6500; i++)
		buf_adds(&b, "OR abc:d=1");
	buf_adds(&b, "]");
	CHECK(b.len <= PATTERN_MAX_LEN);
	struct pattern *p = parse_ok(b.p, failed_);
	if (p) {
		CHECK_INT(p->ncmp, 6500);
		CHECK_INT(p->root->expr->kind, PATTERN_EXPR_OR);
		CHECK_INT(p->root->expr->nchild, 6500);
		CHECK_INT(p->cmps[6499]->index, 6499);
		CHECK_INT(p->cmps[6499]->column, 9 + 6498 * 10 + 3);
	}
	pattern_free(p);
	buf_free(&b);

	/* the length limit is checked before anything else */
	buf_init(&b, 1 << 20);
	buf_adds(&b, "[file:name = '");
	while (b.len < PATTERN_MAX_LEN - 2)
		buf_addc(&b, 'a');
	buf_adds(&b, "']");
	CHECK_INT(b.len, PATTERN_MAX_LEN);
	pattern_free(parse_ok(b.p, failed_));
	buf_addc(&b, ' ');
	e = parse_bad(b.p, b.len, failed_);
	CHECK(strstr(e.msg, "longer than 65536") != NULL);
	CHECK_INT(e.column, 1);
	buf_free(&b);
}

/* ------------------------------------------------- the OASIS examples */

struct oasis_state {
	int parsed, failed;
};

static void oasis_walk_json(const cJSON *j, int depth, struct oasis_state *st, const char *file)
{
	if (depth > 32)
		return;
	if (cJSON_IsObject(j)) {
		const cJSON *type = cJSON_GetObjectItemCaseSensitive(j, "type");
		const cJSON *pat = cJSON_GetObjectItemCaseSensitive(j, "pattern");
		const cJSON *ptype = cJSON_GetObjectItemCaseSensitive(j, "pattern_type");
		if (cJSON_IsString(type) && strcmp(type->valuestring, "indicator") == 0 &&
		    cJSON_IsString(pat) &&
		    (!ptype ||
		     (cJSON_IsString(ptype) && strcmp(ptype->valuestring, "stix") == 0))) {
			struct pattern *p = NULL;
			struct vb_err e;
			vb_err_clear(&e);
			if (pattern_parse(pat->valuestring, strlen(pat->valuestring), &p, &e) ==
			    0) {
				st->parsed++;
			} else {
				fprintf(stderr, "  %s: %s\n    col %ld: %s\n", file,
					pat->valuestring, e.column, e.msg);
				st->failed++;
			}
			pattern_free(p);
		}
	}
	const cJSON *c;
	cJSON_ArrayForEach(c, j)
	{
		oasis_walk_json(c, depth + 1, st, file);
	}
}

static void oasis_walk_dir(const char *dir, int depth, struct oasis_state *st)
{
	DIR *d = opendir(dir);
	if (!d || depth > 4) {
		if (d)
			closedir(d);
		return;
	}
	struct dirent *de;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		char path[1024];
		snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
		struct stat sb;
		if (stat(path, &sb) != 0)
			continue;
		if (S_ISDIR(sb.st_mode)) {
			oasis_walk_dir(path, depth + 1, st);
			continue;
		}
		if (!str_has_suffix(path, ".json"))
			continue;
		char *text;
		size_t len;
		char why[256];
		if (file_read_all(path, 64 << 20, &text, &len, why, sizeof why) != 0)
			continue;
		cJSON *j = cJSON_ParseWithLength(text, len);
		if (j)
			oasis_walk_json(j, 0, st, path);
		cJSON_Delete(j);
		free(text);
	}
	closedir(d);
}

TEST(pattern_oasis_examples)
{
	static const char *const dirs[][2] = {
	    {"../shared/data/stix/oasis-examples", "/work/shared/data/stix/oasis-examples"},
	    {"../shared/data/stix/oasis-interop", "/work/shared/data/stix/oasis-interop"},
	};
	struct oasis_state st = {0, 0};
	int found_dir = 0;
	for (size_t i = 0; i < ARRAY_LEN(dirs); i++) {
		for (int k = 0; k < 2; k++) {
			struct stat sb;
			if (stat(dirs[i][k], &sb) == 0 && S_ISDIR(sb.st_mode)) {
				oasis_walk_dir(dirs[i][k], 0, &st);
				found_dir = 1;
				break;
			}
		}
	}
	if (!found_dir)
		return; /* the shared data is not here: nothing to check */
	CHECK(st.parsed > 0);
	CHECK_INT(st.failed, 0);
}
