/*
 * log_access.c: the "access" reader: Apache and nginx access logs in the
 * common, combined and vhost_combined formats:
 *
 *   common          %h %l %u %t "%r" %>s %b
 *   combined        %h %l %u %t "%r" %>s %b "%{Referer}i" "%{User-Agent}i"
 *   vhost_combined  %v:%p %h %l %u %t "%r" %>s %O "%{Referer}i" "%{User-Agent}i"
 *
 * (nginx's default "combined" is the same as Apache's.) Fields after the
 * user agent, as custom formats add, are ignored.
 *
 * Fields, named as Zeek's http.log names them so the matcher joins host and
 * uri the same way for both:
 *   client      %h: the client address (OBS_IP; a name when HostnameLookups
 *               is on: OBS_DOMAIN)
 *   host        %v without the port (vhost_combined only), or the host of an
 *               absolute request target (a proxy's "GET http://h/p")
 *   uri         the request target's path and query (OBS_URL; a path when
 *               the event has no host), or the whole absolute URL
 *   referrer    (OBS_URL), user_agent (OBS_STRING); "-" means absent
 * The time [10/Oct/2000:13:55:36 -0700] is the event time.
 *
 * Apache writes '"' and '\' inside quoted fields as \" and \\; they are
 * unescaped in place. Other escapes (\xhh) are left as written.
 */
#include "detect.h"
#include "../ingest/value.h"
#include "../util/util.h"

#include <stdlib.h>
#include <string.h>

struct ac_line {
	struct log_field field[8];
	size_t nfield;
	int64_t ts;
	const char *why;
};

static void add(struct ac_line *l, const char *name, enum obs_kind k, const char *v, size_t n)
{
	if (n == 0 || (n == 1 && v[0] == '-') || l->nfield >= ARRAY_LEN(l->field))
		return;
	if (k == OBS_DOMAIN && log_is_ip_text(v, n, 0))
		k = OBS_IP;
	l->field[l->nfield++] = (struct log_field){name, k, v, n};
}

static int two(const char *s)
{
	if (s[0] < '0' || s[0] > '9' || s[1] < '0' || s[1] > '9')
		return -1;
	return (s[0] - '0') * 10 + (s[1] - '0');
}

/* "10/Oct/2000:13:55:36 -0700" (exactly 26 bytes) to microseconds. */
static int parse_clf_time(const char *s, size_t n, int64_t *us)
{
	static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	if (n != 26 || s[2] != '/' || s[6] != '/' || s[11] != ':' || s[14] != ':' || s[17] != ':' ||
	    s[20] != ' ' || (s[21] != '+' && s[21] != '-'))
		return -1;
	int mon = 0;
	for (int i = 0; i < 12; i++)
		if (memcmp(s + 3, months + 3 * i, 3) == 0)
			mon = i + 1;
	if (!mon || two(s) < 0 || two(s + 7) < 0 || two(s + 9) < 0)
		return -1;
	/* RFC 3339 text for the one time parser: "2000-10-10T13:55:36-07:00". */
	char iso[26];
	memcpy(iso, s + 7, 4);
	iso[4] = '-';
	iso[5] = (char)('0' + mon / 10);
	iso[6] = (char)('0' + mon % 10);
	iso[7] = '-';
	memcpy(iso + 8, s, 2);
	iso[10] = 'T';
	memcpy(iso + 11, s + 12, 8);
	iso[19] = s[21];
	memcpy(iso + 20, s + 22, 2);
	iso[22] = ':';
	memcpy(iso + 23, s + 24, 2);
	iso[25] = 0;
	return time_parse_loose(iso, us) ? -1 : 0;
}

/* A quoted field at *p (on the quote): sets v, n to its body (\" and \\
 * unescaped in place) and moves *p past the closing quote. */
static int quoted(char **p, char *end, char **v, size_t *n)
{
	char *r = *p + 1, *w = r, *b = r;
	while (r < end && *r != '"') {
		if (*r == '\\' && r + 1 < end && (r[1] == '"' || r[1] == '\\')) {
			*w++ = r[1];
			r += 2;
			continue;
		}
		*w++ = *r++;
	}
	if (r >= end)
		return -1;
	*v = b;
	*n = (size_t)(w - b);
	*p = r + 1;
	return 0;
}

static char *skip_spaces(char *p, char *end)
{
	while (p < end && *p == ' ')
		p++;
	return p;
}

/* The request line "GET /x?y HTTP/1.1": the target becomes uri (and, when
 * absolute, host). A request line that is not one ("-", TLS bytes sent to
 * an HTTP port) adds nothing. */
static void request(struct ac_line *l, char *r, size_t n, int have_host)
{
	char *end = r + n, *sp = memchr(r, ' ', n);
	if (!sp)
		return;
	char *t = sp + 1, *te = memchr(t, ' ', (size_t)(end - t));
	if (!te)
		te = end; /* HTTP/0.9: no protocol */
	size_t tn = (size_t)(te - t);
	if (tn == 0)
		return;
	if ((size_t)(sp - r) == 7 && memcmp(r, "CONNECT", 7) == 0) {
		/* CONNECT host:port */
		char *c = memchr(t, ':', tn);
		if (!have_host)
			add(l, "host", OBS_DOMAIN, t, c ? (size_t)(c - t) : tn);
		return;
	}
	char *scheme = tn > 7 ? memchr(t, ':', tn < 10 ? tn : 10) : NULL;
	if (scheme && scheme + 2 < te && scheme[1] == '/' && scheme[2] == '/') {
		char *h = scheme + 3, *he = h;
		while (he < te && *he != '/' && *he != '?' && *he != '#')
			he++;
		char *at = memchr(h, '@', (size_t)(he - h));
		if (at)
			h = at + 1;
		char *port = he;
		if (h < he && *h == '[') {
			char *rb = memchr(h, ']', (size_t)(he - h));
			if (rb) {
				h++;
				port = rb;
			}
		} else {
			char *c = memchr(h, ':', (size_t)(he - h));
			if (c)
				port = c;
		}
		if (!have_host)
			add(l, "host", OBS_DOMAIN, h, (size_t)(port - h));
	}
	add(l, "uri", OBS_URL, t, tn);
}

/* Parses one line into l; returns 0 or -1 with l->why set. */
static int ac_parse(struct ac_line *l, char *line, size_t n)
{
	char *p = line, *end = line + n, *tok[5];
	size_t tlen[5], nt = 0;
	l->nfield = 0;
	l->ts = 0;
	l->why = NULL;
	if (!memchr(line, '[', n)) {
		l->why = "no [time] field";
		return -1;
	}
	/* Tokens up to the "[dd/" that opens the time ("[2001:db8::1]:80", a
	 * vhost, also starts with a bracket). */
	while (p < end && !(*p == '[' && end - p > 4 && two(p + 1) >= 0 && p[3] == '/')) {
		char *b = p;
		while (p < end && *p != ' ')
			p++;
		if (nt == ARRAY_LEN(tok)) {
			l->why = "too many fields before the [time]";
			return -1;
		}
		tok[nt] = b;
		tlen[nt++] = (size_t)(p - b);
		p = skip_spaces(p, end);
	}
	if (p >= end) {
		l->why = "no [time] field";
		return -1;
	}
	if (nt != 3 && nt != 4) {
		l->why = "expected 3 or 4 fields before the [time]";
		return -1;
	}
	char *rb = memchr(p, ']', (size_t)(end - p));
	if (!rb || parse_clf_time(p + 1, (size_t)(rb - p - 1), &l->ts)) {
		l->why = "bad [time] field";
		return -1;
	}
	p = skip_spaces(rb + 1, end);
	char *req;
	size_t reqn;
	if (p >= end || *p != '"' || quoted(&p, end, &req, &reqn)) {
		l->why = "no quoted request line";
		return -1;
	}
	int vhost = nt == 4;
	if (vhost) {
		/* %v:%p; an IPv6 %v is written without brackets, so the port is
		 * what follows the last colon, and only when it is all digits. */
		char *h = tok[0];
		size_t hn = tlen[0];
		char *c = memrchr(h, ':', hn);
		if (c) {
			size_t k = (size_t)(h + hn - c - 1);
			int digits = k > 0;
			for (size_t i = 1; i <= k; i++)
				digits &= c[i] >= '0' && c[i] <= '9';
			if (digits && (memchr(h, ':', (size_t)(c - h)) == NULL || h[0] == '['))
				hn = (size_t)(c - h);
		}
		if (hn >= 2 && h[0] == '[' && h[hn - 1] == ']') {
			h++;
			hn -= 2;
		}
		add(l, "host", OBS_DOMAIN, h, hn);
	}
	add(l, "client", OBS_DOMAIN, tok[nt - 3], tlen[nt - 3]);
	request(l, req, reqn, vhost);
	/* status and size, then the optional referrer and user agent. */
	for (int i = 0; i < 2; i++) {
		p = skip_spaces(p, end);
		while (p < end && *p != ' ')
			p++;
	}
	p = skip_spaces(p, end);
	char *v;
	size_t vn;
	if (p < end && *p == '"') {
		if (quoted(&p, end, &v, &vn)) {
			l->why = "unterminated referrer";
			return -1;
		}
		add(l, "referrer", OBS_URL, v, vn);
		p = skip_spaces(p, end);
		if (p < end && *p == '"') {
			if (quoted(&p, end, &v, &vn)) {
				l->why = "unterminated user agent";
				return -1;
			}
			add(l, "user_agent", OBS_STRING, v, vn);
		}
	}
	return 0;
}

struct ac_read {
	struct log_src *src;
	struct log_stats *st;
	log_event_fn fn;
	void *arg;
	struct ac_line l;
};

static int ac_line(void *arg, char *line, size_t n, uint64_t no)
{
	struct ac_read *r = arg;
	if (n == 0)
		return 0;
	if (ac_parse(&r->l, line, n)) {
		log_stats_bad(r->st, no, r->l.why);
		return 0;
	}
	struct log_event ev = {r->src->name, no, r->l.ts, r->l.field, r->l.nfield, NULL, 0};
	return r->fn(r->arg, &ev);
}

static int access_read(struct log_src *src, const struct log_opts *o, log_event_fn fn, void *arg,
		       struct log_stats *st)
{
	struct ac_read *r = xcalloc(1, sizeof *r);
	*r = (struct ac_read){.src = src, .st = st, .fn = fn, .arg = arg};
	int rc = log_lines(src, st, ac_line, r);
	free(r);
	return rc;
}

static int access_line_ok(char *line, size_t n)
{
	struct ac_line l;
	return ac_parse(&l, line, n) == 0;
}

/* The share of the first (up to 8) lines that parse. */
static int access_sniff(const char *head, size_t len)
{
	int total, good = log_sniff_lines(head, len, access_line_ok, &total);
	return total && good * 2 > total ? 40 + 50 * good / total : 0;
}

const struct log_reader log_access_reader = {
    .name = "access",
    .summary = "Apache/nginx access logs (common, combined, vhost_combined)",
    .sniff = access_sniff,
    .read = access_read,
};
