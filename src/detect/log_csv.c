/*
 * log_csv.c: the "csv" reader: delimited text with a header (RFC 4180).
 *
 * The first record is the header. Columns are mapped by --field NAME=TYPE
 * (NAME compared without case) or, without mappings, by their header names:
 *
 *   ip src_ip dst_ip client client_ip server_ip source_ip destination_ip
 *   src dst                                  -> ip
 *   domain host hostname fqdn query          -> domain (an address: ip)
 *   url -> url   email -> email   md5 sha1 sha256 sha512 -> hashes
 *   hash -> a hash decided by its length
 *   ts time timestamp                        -> the event time
 *
 * A column mapped as OBS_NONE (--field NAME=none or =time) is kept for
 * display and the first such column is the event time, left as text for
 * log_event_time (epoch seconds or RFC 3339).
 *
 * Quoting is RFC 4180's: a field that starts with '"' runs to the next
 * lone '"', may hold the delimiter, newlines and "" for a quote; "" is
 * unescaped in place. A record may therefore span lines; its number is that
 * of its first line. The delimiter is the one of ',', ';', '\t' and '|' the
 * header uses most (',' on a tie). Leading lines that start with '#' are
 * comments. A record whose field count differs from the header's is bad.
 */
#include "detect.h"
#include "../ingest/value.h"
#include "../util/util.h"

#include <stdlib.h>
#include <string.h>

#define CSV_BUF_MIN  (64u << 10) /* first size of the line buffer */
#define CSV_BUF_MAX  (2u << 20)	 /* its largest: more than LOG_MAX_LINE + 1 */
#define CSV_MAX_COLS 1024	 /* columns in the header */

/* Header names mapped when no --field is given. */
static const struct log_mapping header_map[] = {
    {"ip", OBS_IP},	      {"src_ip", OBS_IP},	  {"dst_ip", OBS_IP},
    {"client", OBS_IP},	      {"client_ip", OBS_IP},	  {"server_ip", OBS_IP},
    {"source_ip", OBS_IP},    {"destination_ip", OBS_IP}, {"src", OBS_IP},
    {"dst", OBS_IP},	      {"domain", OBS_DOMAIN},	  {"host", OBS_DOMAIN},
    {"hostname", OBS_DOMAIN}, {"fqdn", OBS_DOMAIN},	  {"query", OBS_DOMAIN},
    {"url", OBS_URL},	      {"email", OBS_EMAIL},	  {"md5", OBS_MD5},
    {"sha1", OBS_SHA1},	      {"sha256", OBS_SHA256},	  {"sha512", OBS_SHA512},
    {"hash", OBS_HASH},	      {"ts", OBS_NONE},		  {"time", OBS_NONE},
    {"timestamp", OBS_NONE},
};

struct csv_col {
	const char *name; /* in the header copy */
	enum obs_kind kind;
	int mapped;
};

struct csv_read {
	struct log_src *src;
	const struct log_opts *o;
	struct log_stats *st;
	log_event_fn fn;
	void *arg;
	char delim;
	char *header; /* NUL-separated copy of the column names */
	struct csv_col *col;
	size_t ncol;
	int time_col; /* -1: none */
	struct log_field field[LOG_MAX_FIELDS];
	char *val[CSV_MAX_COLS];
	size_t vlen[CSV_MAX_COLS];
};

/*
 * Finds the end of the record that starts at p: the first newline outside
 * quotes. Returns a pointer to that newline, or NULL when the record does
 * not end before end. *nl counts the newlines inside quoted fields.
 */
static char *record_end(char *p, char *end, char delim, uint64_t *nl)
{
	*nl = 0;
	for (;;) {
		/* At the start of a field. */
		if (p < end && *p == '"') {
			p++;
			for (;;) {
				char *q = memchr(p, '"', (size_t)(end - p));
				if (!q)
					return NULL;
				for (char *k = p; (k = memchr(k, '\n', (size_t)(q - k))) != NULL;
				     k++)
					(*nl)++;
				p = q + 1;
				if (p < end && *p == '"') {
					p++;
					continue;
				}
				if (p >= end)
					return NULL; /* the next byte decides: read more */
				break;
			}
		}
		while (p < end && *p != delim && *p != '\n')
			p++;
		if (p >= end)
			return NULL;
		if (*p == '\n')
			return p;
		p++; /* the delimiter */
	}
}

/*
 * Splits the record [p, end) (no newline; a trailing CR removed) into
 * fields in place. Returns the number of fields (at most cap; -1 when
 * there are more).
 */
static long split(char *p, char *end, char delim, char **val, size_t *vlen, size_t cap)
{
	size_t n = 0;
	for (;;) {
		if (n == cap)
			return -1;
		char *b, *w;
		if (p < end && *p == '"') {
			b = w = ++p;
			while (p < end) {
				if (*p == '"') {
					if (p + 1 < end && p[1] == '"') {
						*w++ = '"';
						p += 2;
						continue;
					}
					p++;
					break;
				}
				*w++ = *p++;
			}
			/* Anything between the closing quote and the delimiter is kept. */
			while (p < end && *p != delim)
				*w++ = *p++;
		} else {
			while (p < end && *p == ' ')
				p++;
			b = p;
			while (p < end && *p != delim)
				p++;
			w = p;
			while (w > b && w[-1] == ' ')
				w--;
		}
		val[n] = b;
		vlen[n++] = (size_t)(w - b);
		if (p >= end)
			return (long)n;
		p++; /* the delimiter */
	}
}

/* The delimiter the header line [p, end) uses most, outside quotes. */
static char guess_delim(const char *p, const char *end)
{
	static const char cand[] = ",;\t|";
	size_t count[4] = {0, 0, 0, 0};
	int inq = 0;
	for (; p < end && *p != '\n'; p++) {
		if (*p == '"')
			inq = !inq;
		else if (!inq)
			for (int i = 0; i < 4; i++)
				count[i] += *p == cand[i];
	}
	int best = 0;
	for (int i = 1; i < 4; i++)
		if (count[i] > count[best])
			best = i;
	return cand[best];
}

static int name_eq(const char *a, size_t an, const char *b)
{
	size_t bn = strlen(b);
	if (an != bn)
		return 0;
	for (size_t i = 0; i < an; i++) {
		char x = a[i], y = b[i];
		if (x >= 'A' && x <= 'Z')
			x = (char)(x + 32);
		if (y >= 'A' && y <= 'Z')
			y = (char)(y + 32);
		if (x != y)
			return 0;
	}
	return 1;
}

/* Takes the header record: copies the names and maps the columns. Returns
 * 0, or VB_EINPUT when nothing maps. */
static int csv_header(struct csv_read *r, char *rec, size_t n, uint64_t no)
{
	if (n >= 3 && memcmp(rec, "\xef\xbb\xbf", 3) == 0) {
		rec += 3; /* UTF-8 byte order mark */
		n -= 3;
	}
	if (!r->delim)
		r->delim = guess_delim(rec, rec + n);
	long nc = split(rec, rec + n, r->delim, r->val, r->vlen, CSV_MAX_COLS);
	if (nc < 0) {
		log_stats_bad(r->st, no, "header has too many columns");
		return VB_EINPUT;
	}
	size_t total = 0;
	for (long i = 0; i < nc; i++)
		total += r->vlen[i] + 1;
	r->header = xmalloc(total + 1);
	r->col = xcalloc((size_t)nc, sizeof *r->col);
	r->ncol = (size_t)nc;
	r->time_col = -1;
	char *h = r->header;
	size_t nmapped = 0;
	for (size_t i = 0; i < r->ncol; i++) {
		memcpy(h, r->val[i], r->vlen[i]);
		h[r->vlen[i]] = 0;
		r->col[i].name = h;
		h += r->vlen[i] + 1;
		const struct log_mapping *m = r->o && r->o->nmap ? r->o->map : header_map;
		size_t nm = r->o && r->o->nmap ? r->o->nmap : ARRAY_LEN(header_map);
		for (size_t k = 0; k < nm; k++) {
			if (name_eq(r->col[i].name, r->vlen[i], m[k].path)) {
				r->col[i].kind = m[k].kind;
				r->col[i].mapped = 1;
				nmapped++;
				if (m[k].kind == OBS_NONE && r->time_col < 0)
					r->time_col = (int)i;
				break;
			}
		}
	}
	/* One bad-line entry for the header at most, naming what is wrong. */
	char why[96] = "";
	size_t wn = 0;
	for (size_t k = 0; r->o && k < r->o->nmap; k++) {
		int found = 0;
		for (size_t i = 0; i < r->ncol && !found; i++)
			found = name_eq(r->col[i].name, strlen(r->col[i].name), r->o->map[k].path);
		if (!found && wn < sizeof why)
			wn += (size_t)snprintf(why + wn, sizeof why - wn, "%s'%s'",
					       wn ? ", " : "header has no column ",
					       r->o->map[k].path);
	}
	if (nmapped == 0) {
		log_stats_bad(r->st, no,
			      wn ? why : "no column maps to an observable: use --field NAME=TYPE");
		return VB_EINPUT;
	}
	if (wn)
		log_stats_bad(r->st, no, why);
	return 0;
}

static int csv_record(struct csv_read *r, char *rec, size_t n, uint64_t no)
{
	if (n == 0)
		return 0;
	if (!r->col) {
		if (rec[0] == '#')
			return 0; /* a comment before the header */
		return csv_header(r, rec, n, no);
	}
	long nc = split(rec, rec + n, r->delim, r->val, r->vlen, r->ncol);
	if (nc != (long)r->ncol) {
		char why[96];
		if (nc < 0)
			snprintf(why, sizeof why, "more fields than the header's %zu", r->ncol);
		else
			snprintf(why, sizeof why, "%ld fields, the header has %zu", nc, r->ncol);
		log_stats_bad(r->st, no, why);
		return 0;
	}
	size_t nf = 0;
	for (size_t i = 0; i < r->ncol && nf < LOG_MAX_FIELDS; i++) {
		if (!r->col[i].mapped || r->vlen[i] == 0)
			continue;
		enum obs_kind k = r->col[i].kind;
		if (k == OBS_DOMAIN && log_is_ip_text(r->val[i], r->vlen[i], 0))
			k = OBS_IP;
		r->field[nf++] = (struct log_field){r->col[i].name, k, r->val[i], r->vlen[i]};
	}
	struct log_event ev = {r->src->name, no, 0, r->field, nf, NULL, 0};
	if (r->time_col >= 0) {
		ev.ts_text = r->val[r->time_col];
		ev.ts_len = r->vlen[r->time_col];
	}
	return r->fn(r->arg, &ev);
}

/*
 * Reads src through log_read into one buffer and calls csv_record for each
 * record (which may span lines inside quotes). A record over LOG_MAX_LINE
 * is counted as bad and skipped to the next newline; a read error (a broken
 * gzip stream) is counted and ends the read.
 */
static int csv_records(struct csv_read *r)
{
	size_t cap = CSV_BUF_MIN, len = 0;
	char *buf = xmalloc(cap + 1);
	uint64_t no = 0;
	int skipping = 0, rc = 0;
	for (;;) {
		if (len == cap && cap < CSV_BUF_MAX) {
			/* One unfinished line fills the buffer: grow it (rarely). */
			cap *= 2;
			buf = xrealloc(buf, cap + 1);
		}
		long got = log_read(r->src, buf + len, cap - len);
		if (got < 0) {
			log_stats_bad(r->st, no + 1,
				      "read error: broken or truncated compressed input");
			if (r->st->bytes == 0)
				rc = VB_EIO;
			break;
		}
		r->st->bytes += (uint64_t)got;
		len += (size_t)got;
		int eof = got == 0;
		size_t start = 0;
		/* Until the header is read, guess the delimiter from the first line. */
		while (start < len) {
			char *rec = buf + start, *nl;
			uint64_t inner = 0;
			if (skipping) {
				nl = memchr(rec, '\n', len - start);
			} else {
				char d = r->delim ? r->delim : guess_delim(rec, buf + len);
				nl = record_end(rec, buf + len, d, &inner);
			}
			if (!nl && !eof)
				break;
			size_t n = nl ? (size_t)(nl - rec) : len - start;
			start += n + (nl ? 1 : 0);
			no++;
			r->st->lines += 1 + inner;
			if (skipping || n > LOG_MAX_LINE) {
				skipping = 0;
				log_stats_bad(r->st, no, "record longer than the limit");
			} else {
				if (n && rec[n - 1] == '\r')
					n--;
				rec[n] = 0;
				rc = csv_record(r, rec, n, no);
			}
			no += inner;
			if (rc)
				goto out;
		}
		if (eof)
			break;
		memmove(buf, buf + start, len - start);
		len -= start;
		if (len > LOG_MAX_LINE) {
			skipping = 1; /* drop what we have; resume after a newline */
			len = 0;
		}
	}
out:
	free(buf);
	return rc;
}

static int csv_read(struct log_src *src, const struct log_opts *o, log_event_fn fn, void *arg,
		    struct log_stats *st)
{
	struct csv_read *r = xcalloc(1, sizeof *r);
	r->src = src;
	r->o = o;
	r->st = st;
	r->fn = fn;
	r->arg = arg;
	int rc = csv_records(r);
	free(r->header);
	free(r->col);
	free(r);
	return rc;
}

/* A first line of two or more short, name-like fields; more when some are
 * names this reader maps and the second line has as many fields. */
static int csv_sniff(const char *head, size_t len)
{
	if (len >= 10 && memcmp(head, "#separator", 10) == 0)
		return 0; /* Zeek TSV */
	const char *p = head, *end = head + len;
	if (len >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0)
		p += 3;
	while (p < end && *p == '#') {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl)
			return 0;
		p = nl + 1;
	}
	const char *nl = memchr(p, '\n', (size_t)(end - p));
	if (!nl)
		return 0;
	const char *le = nl > p && nl[-1] == '\r' ? nl - 1 : nl;
	char delim = guess_delim(p, le);
	size_t nfields = 1, known = 0, flen = 0;
	int letter = 0;
	const char *f = p;
	for (const char *q = p;; q++) {
		if (q == le || *q == delim) {
			if (flen == 0 || flen > 64)
				return 0;
			const char *b = f, *e = q;
			if (*b == '"' && e - b >= 2 && e[-1] == '"') {
				b++;
				e--;
			}
			for (size_t k = 0; k < ARRAY_LEN(header_map); k++)
				known += name_eq(b, (size_t)(e - b), header_map[k].path);
			if (q == le)
				break;
			nfields++;
			flen = 0;
			f = q + 1;
			continue;
		}
		char c = *q;
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      strchr("_ .-@#:/()\"", c)))
			return 0;
		if (flen == 0 && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '"'))
			letter = 1;
		flen++;
	}
	if (nfields < 2 || !letter)
		return 0;
	/* The second line: as many delimiters (roughly; quotes may hide some). */
	const char *l2 = nl + 1, *n2 = memchr(l2, '\n', (size_t)(end - l2));
	size_t d2 = 0;
	for (const char *q = l2; q < (n2 ? n2 : end); q++)
		d2 += *q == delim;
	int score = known ? 60 : 25;
	if (n2 && d2 + 1 == nfields)
		score += 10;
	return score;
}

const struct log_reader log_csv_reader = {
    .name = "csv",
    .summary = "CSV with a header; columns by --field NAME=TYPE or by name",
    .sniff = csv_sniff,
    .read = csv_read,
};
