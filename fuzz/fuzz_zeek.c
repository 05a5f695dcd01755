/*
 * fuzz_zeek.c: libFuzzer harness for the Zeek TSV reader and the matcher.
 *
 * The input is scanned as a Zeek log (from the start, and once more split
 * in two at a point chosen by its first byte, as two threads would), every
 * event goes through a small matcher that has an indicator of every kind
 * (exact values, CIDR blocks, subdomains, URLs, hashes, LIKE and MATCHES,
 * address:port, a pattern with observations over time), and the run is
 * finished so that the time-window evaluation and hit output run too.
 * Invariants checked: line counts add up, bad lines never exceed lines.
 */
#include "../src/detect/log_zeek.h"
#include "../src/detect/matcher.h"
#include "../src/util/buf.h"

#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static const char *const patterns[] = {
    "[domain-name:value = 'evil.example']",
    "[ipv4-addr:value = '10.0.0.0/8']",
    "[ipv4-addr:value = '192.0.2.1']",
    "[ipv6-addr:value = '2001:db8::/32']",
    "[url:value = 'http://evil.example/gate.php']",
    "[url:value LIKE '%://%/a_b.php' OR url:value LIKE '%://%/a_b.php?%']",
    "[email-addr:value = 'bad@evil.example']",
    "[file:hashes.MD5 = 'd41d8cd98f00b204e9800998ecf8427e']",
    "[domain-name:value LIKE '%.bad.example']",
    "[domain-name:value MATCHES '^x+\\\\.example$']",
    "[network-traffic:dst_ref.type = 'ipv4-addr' AND network-traffic:dst_ref.value = "
    "'192.0.2.9' AND network-traffic:dst_port = 53]",
    "([domain-name:value = 'a.example'] FOLLOWEDBY [ipv4-addr:value = '192.0.2.1']) "
    "WITHIN 60 SECONDS",
    "[domain-name:value = 'r.example'] REPEATS 2 TIMES",
    "[ipv4-addr:value != '10.0.0.1' AND domain-name:value = 'n.example']",
    NULL,
};

static struct matcher *M;

static struct matcher *matcher(void)
{
	if (M)
		return M;
	struct match_opts o = {.at = 1, .subdomains = 1};
	M = matcher_new(&o);
	for (int i = 0; patterns[i]; i++) {
		char id[64];
		snprintf(id, sizeof id, "indicator--00000000-0000-4000-8000-%012d", i);
		struct vb_err e;
		int rc =
		    matcher_add(M, id, strlen(id), patterns[i], strlen(patterns[i]), i & 1, &e);
		assert(rc == 0);
	}
	matcher_finish(M);
	return M;
}

static void scan(const char *p, size_t n, struct match_ctx *c, struct log_stats *st)
{
	struct zeek_state z;
	zeek_init(&z);
	uint64_t line = 0;
	zeek_scan(&z, "fuzz", p, n, &line, match_event, c, st);
	assert(st->lines == line);
	assert(st->bad_lines <= st->lines);
	zeek_free(&z);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct matcher *m = matcher();
	/* A private copy: the reader must not read past n. */
	char *p = malloc(size ? size : 1);
	memcpy(p, data, size);
	struct buf out;
	buf_init(&out, 1 << 26);
	struct match_ctx *c[2];
	c[0] = match_ctx_new(m, &out);
	struct log_stats st = {0};
	scan(p, size, c[0], &st);
	/* The same bytes as two chunks, split at a line boundary. */
	struct buf out2;
	buf_init(&out2, 1 << 26);
	c[1] = match_ctx_new(m, &out2);
	size_t cut = size ? (size_t)data[0] * size / 256 : 0;
	const char *nl = cut < size ? memchr(p + cut, '\n', size - cut) : NULL;
	if (nl) {
		struct zeek_state z;
		zeek_init(&z);
		uint64_t line = 0;
		struct log_stats s2 = {0};
		size_t first = (size_t)(nl - p) + 1;
		zeek_scan(&z, "fuzz", p, first, &line, match_event, c[1], &s2);
		zeek_scan(&z, "fuzz", p + first, size - first, &line, match_event, c[1], &s2);
		zeek_free(&z);
		assert(s2.lines == st.lines);
		assert(s2.bad_lines == st.bad_lines);
	}
	struct match_agg *agg;
	size_t nagg;
	struct match_counts tot;
	struct buf fin;
	buf_init(&fin, 1 << 26);
	match_finish(m, c, 2, &fin, &agg, &nagg, &tot);
	free(agg);
	buf_free(&fin);
	match_ctx_free(c[0]);
	match_ctx_free(c[1]);
	buf_free(&out);
	buf_free(&out2);
	free(p);
	return 0;
}
