/*
 * fuzz_list.c: libFuzzer harness for the indicator-list parsers: every line
 * of the input goes through list_parse_line, value_detect, value_normalise,
 * value_observable and value_pattern; the whole input also goes through the
 * CSV record splitter and the header column roles, and the two readers'
 * sniff functions. Invariants that would show a bug are asserted:
 * normalising is idempotent, a normalised value is detected as the same
 * kind, and nothing writes past the caps it was given.
 */
#include "../src/ingest/ingest.h"
#include "../src/ingest/ingest_list.h"
#include "../src/ingest/value.h"

#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static char norm[VALUE_NORM_CAP], norm2[VALUE_NORM_CAP], pat[VALUE_PATTERN_CAP];

static void one_value(const char *v, size_t n)
{
	enum value_kind k = value_detect(v, n);
	assert((unsigned)k < VALUE__COUNT);
	if (k == VALUE_NONE)
		return;
	int nn = value_normalise(k, v, n, norm, sizeof norm);
	if (nn < 0) {
		/* Only a CIDR with host bits set is detected but not normalised. */
		assert(k == VALUE_IPV4_CIDR || k == VALUE_IPV6_CIDR);
		return;
	}
	assert((size_t)nn < sizeof norm && norm[nn] == 0);
	/* The canonical form is of a kind with the same observable, and
	 * normalising it again changes nothing. (A /32 becomes the bare
	 * address; a URL without a scheme gains one.) */
	enum value_kind k2 = value_detect(norm, (size_t)nn);
	assert(k2 != VALUE_NONE || k == VALUE_URL || k == VALUE_URL_PATH);
	if (k2 != VALUE_NONE) {
		assert(value_index_kind(k2) == value_index_kind(k) ||
		       (value_index_kind(k2) && value_index_kind(k) &&
			strcmp(value_index_kind(k2), value_index_kind(k)) == 0));
		int n2 = value_normalise(k2, norm, (size_t)nn, norm2, sizeof norm2);
		assert(n2 == nn && memcmp(norm, norm2, (size_t)nn) == 0);
	}
	struct value_obs ob;
	if (value_observable(k, norm, (size_t)nn, &ob) == 0)
		assert(ob.off + ob.len <= (size_t)nn && ob.type && ob.index);
	int pl = value_pattern(k, norm, (size_t)nn, pat, sizeof pat);
	assert(pl > 0 && (size_t)pl < sizeof pat && pat[0] == '[' && pat[pl - 1] == ']');
	/* A small buffer is an error, never an overflow. */
	char small[24];
	int ps = value_pattern(k, norm, (size_t)nn, small, sizeof small);
	assert(ps == VB_ENOMEM || (ps == pl && memcmp(small, pat, (size_t)pl) == 0));
}

static void csv_all(const char *s, size_t n)
{
	static struct csv_field f[CSV_MAX_FIELDS];
	size_t cap = n + CSV_MAX_FIELDS + 1;
	char *scratch = malloc(cap);
	const char *why = NULL;
	int nf = csv_split(s, n, scratch, cap, f, CSV_MAX_FIELDS, &why);
	if (nf < 0)
		assert(why != NULL);
	for (int i = 0; i < nf; i++) {
		assert(f[i].p >= scratch && f[i].p + f[i].len < scratch + cap);
		assert(f[i].p[f[i].len] == 0);
		(void)csv_column_role(f[i].p, f[i].len);
		one_value(f[i].p, f[i].len);
	}
	(void)csv_quote_state(s, n, CSV_START);
	free(scratch);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	/* The readers' sniff functions see at most a 64 KiB head. */
	size_t head = size < 65536 ? size : 65536;
	(void)ingest_list_reader.sniff("fuzz.txt", s, head);
	(void)ingest_csv_reader.sniff("fuzz.csv", s, head);
	csv_all(s, size);

	size_t i = 0;
	while (i <= size) {
		const char *nl = i < size ? memchr(s + i, '\n', size - i) : NULL;
		size_t n = nl ? (size_t)(nl - s - i) : size - i;
		struct list_line l;
		if (list_parse_line(s + i, n, &l) == 0) {
			if (l.type == LIST_VALUE) {
				assert(l.value >= s + i && l.value + l.value_len <= s + i + n);
				one_value(l.value, l.value_len);
			}
		} else {
			assert(l.why && l.column >= 1 && (size_t)l.column <= n + 1);
		}
		if (!nl)
			break;
		i += n + 1;
	}
	/* The whole input as one value, too (no line structure). */
	one_value(s, size);
	return 0;
}
