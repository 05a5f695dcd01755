/*
 * log_dns.c: the "dns" reader: DNS server query logs.
 *
 * BIND (the "queries" category), with or without its own timestamp, the
 * category and severity, or a syslog prefix:
 *
 *   01-Dec-2026 12:00:00.123 queries: info: client @0x7f3c 192.0.2.1#53001
 *     (example.com): view v: query: example.com IN A +E(0)K (192.0.2.53)
 *
 *   client      the address before '#' (OBS_IP)
 *   query       the name after "query:" (OBS_DOMAIN); for other client
 *               messages ("query (cache) 'x/A/IN' denied") the name in
 *               parentheses
 *   server      the address in the last parentheses (OBS_IP)
 *
 * dnsmasq (log-queries), as syslog writes it:
 *
 *   Dec  1 12:00:00 dnsmasq[812]: query[A] example.com from 192.0.2.1
 *   ... reply example.com is 192.0.2.7       (also cached, config, /etc/hosts)
 *   ... forwarded example.com to 192.0.2.53
 *
 *   query (OBS_DOMAIN), client (OBS_IP), answer (OBS_IP or OBS_DOMAIN),
 *   server (OBS_IP)
 *
 * BIND's own timestamp "01-Dec-2026 12:00:00.123" is the event time, taken
 * as UTC (BIND writes local time; a log written in another zone is off by
 * the zone's offset). A syslog timestamp has no year and gives no time.
 * Other lines of the same daemons (start-up, zone loading) are skipped;
 * a line that is none of these is bad.
 */
#include "detect.h"
#include "../ingest/value.h"
#include "../util/util.h"

#include <stdlib.h>
#include <string.h>

struct dn_line {
	struct log_field field[4];
	size_t nfield;
	int64_t ts;
	int skip; /* a daemon's line that is not about a query */
};

static void add(struct dn_line *l, const char *name, enum obs_kind k, const char *v, size_t n)
{
	if (n == 0 || l->nfield >= ARRAY_LEN(l->field))
		return;
	if (k == OBS_DOMAIN && log_is_ip_text(v, n, 1))
		k = OBS_IP;
	if (k == OBS_IP && !log_is_ip_text(v, n, 1))
		return;
	l->field[l->nfield++] = (struct log_field){name, k, v, n};
}

/* The token at p (up to a space or end); *p moves past it and the spaces. */
static size_t token(char **p, char *end, char **tok)
{
	char *b = *p, *e = b;
	while (e < end && *e != ' ')
		e++;
	*tok = b;
	char *q = e;
	while (q < end && *q == ' ')
		q++;
	*p = q;
	return (size_t)(e - b);
}

static const char *find(const char *s, const char *end, const char *what)
{
	size_t n = strlen(what);
	if ((size_t)(end - s) < n)
		return NULL;
	return memmem(s, (size_t)(end - s), what, n);
}

/* BIND's "01-Dec-2026 12:00:00[.123]" at the start: its length, or 0. */
static size_t bind_time(const char *s, size_t n, int64_t *us)
{
	static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	if (n < 20 || s[2] != '-' || s[6] != '-' || s[11] != ' ' || s[14] != ':' || s[17] != ':')
		return 0;
	int mon = 0;
	for (int i = 0; i < 12; i++)
		if (memcmp(s + 3, months + 3 * i, 3) == 0)
			mon = i + 1;
	if (!mon)
		return 0;
	size_t len = 20;
	char iso[40];
	memcpy(iso, s + 7, 4);
	iso[4] = '-';
	iso[5] = (char)('0' + mon / 10);
	iso[6] = (char)('0' + mon % 10);
	iso[7] = '-';
	memcpy(iso + 8, s, 2);
	iso[10] = 'T';
	memcpy(iso + 11, s + 12, 8);
	size_t k = 19;
	if (len < n && s[len] == '.') {
		iso[k++] = '.';
		len++;
		while (len < n && s[len] >= '0' && s[len] <= '9' && k < 29)
			iso[k++] = s[len++];
	}
	iso[k++] = 'Z';
	iso[k] = 0;
	if (len < n && s[len] != ' ')
		return 0;
	return time_parse_loose(iso, us) ? 0 : len;
}

/* "client [@0x..] ADDR#PORT [(NAME)]: [view V: ]query: NAME CLASS TYPE FLAGS (SERVER)" */
static int bind_client(struct dn_line *l, char *p, char *end)
{
	char *tok;
	size_t n = token(&p, end, &tok);
	if (n && tok[0] == '@')
		n = token(&p, end, &tok);
	char *hash = n ? memrchr(tok, '#', n) : NULL;
	if (!hash)
		return -1;
	add(l, "client", OBS_IP, tok, (size_t)(hash - tok));
	char *pname = NULL;
	size_t pn = 0;
	if (p < end && *p == '(') {
		char *c = memchr(p, ')', (size_t)(end - p));
		if (c) {
			pname = p + 1;
			pn = (size_t)(c - pname);
		}
	}
	const char *q = find(p, end, "query: ");
	if (!q) {
		/* Another message about a client's query: the name in parentheses. */
		add(l, "query", OBS_DOMAIN, pname, pn);
		return 0;
	}
	p = (char *)q + 7;
	n = token(&p, end, &tok);
	add(l, "query", OBS_DOMAIN, tok, n); /* n == 0: a name BIND wrote empty */
	/* The server address: the last "(...)" on the line. */
	char *open = memrchr(p, '(', (size_t)(end - p));
	if (open && end[-1] == ')')
		add(l, "server", OBS_IP, open + 1, (size_t)(end - 1 - open - 1));
	return 0;
}

/* dnsmasq: "query[A] NAME from ADDR", "reply NAME is X", "forwarded NAME to ADDR", ... */
static int dnsmasq(struct dn_line *l, char *p, char *end)
{
	char *verb, *name, *prep, *obj;
	size_t vn = token(&p, end, &verb);
	if (vn && verb[0] >= '0' && verb[0] <= '9') {
		/* log-queries=extra: "SERIAL ADDR/PORT " before the message. */
		char *a;
		size_t an = token(&p, end, &a);
		if (!an || !memchr(a, '/', an))
			return -1;
		vn = token(&p, end, &verb);
	}
	size_t nn = token(&p, end, &name);
	size_t pn = token(&p, end, &prep);
	size_t on = token(&p, end, &obj);
	if (!vn || !nn || !pn || !on)
		return -1;
	if (vn > 6 && memcmp(verb, "query[", 6) == 0 && pn == 4 && memcmp(prep, "from", 4) == 0) {
		add(l, "query", OBS_DOMAIN, name, nn);
		add(l, "client", OBS_IP, obj, on);
		return 0;
	}
	if (pn == 2 && memcmp(prep, "is", 2) == 0) {
		add(l, "query", OBS_DOMAIN, name, nn);
		if (obj[0] != '<' && !(on == 8 && memcmp(obj, "NXDOMAIN", 8) == 0) &&
		    !(on == 6 && memcmp(obj, "NODATA", 6) == 0))
			add(l, "answer", OBS_DOMAIN, obj, on);
		return 0;
	}
	if (vn == 9 && memcmp(verb, "forwarded", 9) == 0 && pn == 2 && memcmp(prep, "to", 2) == 0) {
		add(l, "query", OBS_DOMAIN, name, nn);
		add(l, "server", OBS_IP, obj, on);
		return 0;
	}
	return -1;
}

/* Parses one line; returns 0 (l->skip set for a line to pass over) or -1. */
static int dn_parse(struct dn_line *l, char *line, size_t n)
{
	char *p = line, *end = line + n;
	l->nfield = 0;
	l->ts = 0;
	l->skip = 0;
	size_t tl = bind_time(p, n, &l->ts);
	if (tl)
		p += tl;
	const char *c = find(p, end, "client ");
	if (c && (c == p || c[-1] == ' ') && bind_client(l, (char *)c + 7, end) == 0)
		return 0;
	const char *d = find(p, end, "dnsmasq");
	if (d) {
		const char *colon = find(d, end, ": ");
		if (colon && dnsmasq(l, (char *)colon + 2, end) == 0)
			return 0;
		l->skip = 1; /* dnsmasq's other messages */
		return 0;
	}
	const char *q = find(p, end, "query[");
	if (q && (q == line || q[-1] == ' ') && dnsmasq(l, (char *)q, end) == 0)
		return 0;
	if (tl || find(p, end, "named[")) {
		l->skip = 1; /* BIND's other messages */
		return 0;
	}
	return -1;
}

struct dn_read {
	struct log_src *src;
	struct log_stats *st;
	log_event_fn fn;
	void *arg;
	struct dn_line l;
};

static int dn_line(void *arg, char *line, size_t n, uint64_t no)
{
	struct dn_read *r = arg;
	if (n == 0)
		return 0;
	if (dn_parse(&r->l, line, n)) {
		log_stats_bad(r->st, no, "not a BIND or dnsmasq query log line");
		return 0;
	}
	if (r->l.skip)
		return 0;
	struct log_event ev = {r->src->name, no, r->l.ts, r->l.field, r->l.nfield, NULL, 0};
	return r->fn(r->arg, &ev);
}

static int dns_read(struct log_src *src, const struct log_opts *o, log_event_fn fn, void *arg,
		    struct log_stats *st)
{
	struct dn_read *r = xcalloc(1, sizeof *r);
	*r = (struct dn_read){.src = src, .st = st, .fn = fn, .arg = arg};
	int rc = log_lines(src, st, dn_line, r);
	free(r);
	return rc;
}

/* How many of the first (up to 8) lines are query lines. */
static int dns_line_ok(char *line, size_t n)
{
	struct dn_line l;
	return dn_parse(&l, line, n) == 0 && !l.skip && l.nfield > 0;
}

static int dns_sniff(const char *head, size_t len)
{
	int total, good = log_sniff_lines(head, len, dns_line_ok, &total);
	return good && good * 2 >= total ? 40 + 45 * good / total : 0;
}

const struct log_reader log_dns_reader = {
    .name = "dns",
    .summary = "BIND query logs and dnsmasq log-queries lines",
    .sniff = dns_sniff,
    .read = dns_read,
};
