/*
 * pattern.h: the STIX 2.1 patterning language: a hand-written recursive
 * descent parser that turns pattern text into a tree a matcher can compile.
 *
 * The grammar is the official one (STIXPattern.g4); on top of it the parser
 * applies the semantic checks of the STIX 2.1 specification: object type
 * names, hash lengths, timestamps, qualifier values, duplicate qualifiers,
 * regular expressions that PCRE2 compiles, IP ranges for ISSUBSET/ISSUPERSET.
 * Hash lengths are checked for hashes.MD5, SHA-1, SHA-256, SHA-512, SHA3-256
 * and SHA3-512 compared with =, != or IN, the name matched ignoring case,
 * '-' and '_' (so 'SHA-256', SHA256 and sha_256 are the same).
 *
 * Shape of the tree:
 *
 *   struct pattern
 *     root: struct pattern_obs   observation expressions
 *       OBS                      one "[ ... ]", with expr: struct pattern_expr
 *       AND / OR / FOLLOWEDBY    n-ary (2 or more children), one per chain
 *       GROUP                    one child; only made when a parenthesised
 *                                expression that already carries a qualifier
 *                                gets another of the same kind from outside
 *       every node may carry qualifiers (quals, within_us, repeats, start/stop)
 *     struct pattern_expr        comparison expressions inside one "[ ... ]"
 *       AND / OR                 n-ary (2 or more children)
 *       CMP                      a leaf: struct pattern_cmp
 *
 * Chains of the same operator at one parenthesis level are flattened into one
 * n-ary node, so the depth of the tree is bounded by the nesting limit and a
 * long chain of ORs does not make a deep tree. AND binds tighter than OR, and
 * between observations OR binds tighter than FOLLOWEDBY, as in the grammar.
 *
 * Ownership: pattern_parse returns one struct pattern that owns every node,
 * string and array reachable from it (they live in one arena); pattern_free
 * releases all of it at once. Nothing in the tree may be freed on its own.
 */
#ifndef VB_PATTERN_H
#define VB_PATTERN_H

#include <stddef.h>
#include <stdint.h>

#include "../util/err.h"

/* Limits on every pattern; the length is checked before anything else. */
#define PATTERN_MAX_LEN	  65536 /* bytes of pattern text */
#define PATTERN_MAX_DEPTH 64	/* nesting of '(' and '[' */
#define PATTERN_MAX_CMP	  10000 /* comparisons in one pattern */

enum pattern_lit_kind {
	PATTERN_LIT_STRING,    /* '...': str/len hold the unescaped UTF-8 */
	PATTERN_LIT_INT,       /* i (and f = (double)i) */
	PATTERN_LIT_FLOAT,     /* f */
	PATTERN_LIT_BOOL,      /* b: 0 or 1 */
	PATTERN_LIT_BINARY,    /* b'base64': str/len hold the decoded bytes */
	PATTERN_LIT_HEX,       /* h'..': str/len hold the decoded bytes */
	PATTERN_LIT_TIMESTAMP, /* t'..': us, and str/len hold the text inside the quotes */
};

struct pattern_lit {
	enum pattern_lit_kind kind;
	const char *str; /* STRING, BINARY, HEX, TIMESTAMP; NUL-terminated (decoded
			    bytes may themselves contain NUL, so use len) */
	size_t len;
	int64_t i;
	double f;
	int b;
	int64_t us;	 /* TIMESTAMP: microseconds since the epoch, UTC */
	unsigned column; /* 1-based column of the literal in the pattern */
};

enum pattern_step_kind {
	PATTERN_STEP_KEY,   /* .name or .'quoted name' (and the first component) */
	PATTERN_STEP_INDEX, /* [n], n >= 0 */
	PATTERN_STEP_ANY,   /* [*] */
};

struct pattern_step {
	enum pattern_step_kind kind;
	const char *key; /* KEY: the property or dictionary key, unescaped */
	int64_t index;	 /* INDEX */
};

enum pattern_op {
	PATTERN_OP_EQ, /* = (also ==) */
	PATTERN_OP_NE, /* != (also <>) */
	PATTERN_OP_LT,
	PATTERN_OP_GT,
	PATTERN_OP_LE,
	PATTERN_OP_GE,
	PATTERN_OP_IN,
	PATTERN_OP_LIKE,
	PATTERN_OP_MATCHES,
	PATTERN_OP_ISSUBSET,
	PATTERN_OP_ISSUPERSET,
	PATTERN_OP_EXISTS,
};

/* One leaf comparison: object_type:steps OP literal, or EXISTS object_type:steps. */
struct pattern_cmp {
	const char *object_type;
	const struct pattern_step *steps; /* nsteps >= 1; steps[0] is a KEY */
	size_t nsteps;
	enum pattern_op op;
	int negated;		       /* NOT before the operator (or before EXISTS) */
	struct pattern_lit lit;	       /* the right-hand side; unused for IN and EXISTS */
	const struct pattern_lit *set; /* IN: the members of the set (nset may be 0) */
	size_t nset;
	unsigned index;	    /* position among all comparisons, source order */
	unsigned obs_index; /* which observation ("[...]") it is in, source order */
	unsigned column;    /* 1-based column where the comparison starts */
};

enum pattern_expr_kind {
	PATTERN_EXPR_CMP,
	PATTERN_EXPR_AND,
	PATTERN_EXPR_OR,
};

/* A comparison expression inside one observation. */
struct pattern_expr {
	enum pattern_expr_kind kind;
	struct pattern_cmp *cmp;     /* CMP */
	struct pattern_expr **child; /* AND, OR: nchild >= 2 */
	size_t nchild;
};

enum pattern_obs_kind {
	PATTERN_OBS,		/* "[ expr ]" */
	PATTERN_OBS_AND,	/* all children match (in any order) */
	PATTERN_OBS_OR,		/* any child matches */
	PATTERN_OBS_FOLLOWEDBY, /* the children match in this order in time */
	PATTERN_OBS_GROUP,	/* one child; see the comment at the top */
};

/* Bits of pattern_obs.quals. */
enum {
	PATTERN_Q_WITHIN = 1,	 /* within_us */
	PATTERN_Q_REPEATS = 2,	 /* repeats */
	PATTERN_Q_STARTSTOP = 4, /* start_us, stop_us */
};

/* An observation expression; qualifiers apply to the whole node. */
struct pattern_obs {
	enum pattern_obs_kind kind;
	unsigned quals;	   /* PATTERN_Q_* bits; 0 when unqualified */
	int64_t within_us; /* WITHIN n SECONDS, in microseconds, > 0 */
	int64_t repeats;   /* REPEATS n TIMES, n > 0 */
	int64_t start_us;  /* START t'..' STOP t'..', start_us < stop_us */
	int64_t stop_us;
	struct pattern_expr *expr;  /* OBS */
	struct pattern_obs **child; /* AND, OR, FOLLOWEDBY: nchild >= 2; GROUP: 1 */
	size_t nchild;
	unsigned index;	 /* OBS: index into pattern.obs */
	unsigned column; /* 1-based column of the node's first '[' */
};

struct pattern_chunk;

struct pattern {
	struct pattern_obs *root;
	struct pattern_cmp **cmps; /* every comparison, source order */
	size_t ncmp;
	struct pattern_obs **obs; /* every OBS node ("[...]"), source order */
	size_t nobs;
	struct pattern_chunk *arena_; /* private: the memory all of the above lives in */
};

/*
 * Parse len bytes at src (no NUL terminator needed; an embedded NUL is an
 * error). On success returns 0 and *out, which the caller releases with
 * pattern_free. On bad input returns VB_EINPUT, sets *out to NULL and fills
 * err (when not NULL) with code, message and column: the 1-based position of
 * the offending character counted in UTF-8 characters from the start of the
 * pattern (a newline counts as one character). err->file, line and pointer
 * are left alone so the caller can say where the pattern came from.
 */
int pattern_parse(const char *src, size_t len, struct pattern **out, struct vb_err *err);
/* Releases everything the pattern owns; p may be NULL. */
void pattern_free(struct pattern *p);

/*
 * Calls fn for every leaf comparison in source order. Stops at, and returns,
 * the first non-zero value fn returns; returns 0 when fn accepted them all.
 */
typedef int (*pattern_cmp_fn)(void *arg, const struct pattern_cmp *c);
int pattern_walk(const struct pattern *p, pattern_cmp_fn fn, void *arg);

/*
 * Writes the object path of c as "type:a.b[0].'c d'[*]" into out (keys that
 * are not plain identifiers are quoted with \' and \\ escaped). The result is
 * truncated to cap - 1 bytes and always NUL-terminated when cap > 0.
 */
void pattern_path_format(const struct pattern_cmp *c, char *out, size_t cap);

/* "=", "!=", "<", ..., "IN", "LIKE", "MATCHES", "ISSUBSET", "ISSUPERSET", "EXISTS". */
const char *pattern_op_name(enum pattern_op op);
/* "string", "integer", "float", "boolean", "binary", "hex", "timestamp". */
const char *pattern_lit_kind_name(enum pattern_lit_kind kind);

#endif
