/*
 * log_src.c: opening logs for the readers: plain files, gzip (decompressed
 * through zlib, concatenated members included) and stdin; the table of
 * readers and format detection; the observable kind names; event times.
 */
#include "detect.h"
#include "../ingest/value.h"
#include "../util/util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#define GZ_IN_CHUNK (256u << 10)

/* The decompression state behind log_src.gz. */
struct log_gz {
	z_stream zs;
	unsigned char *in;
	int in_eof; /* the compressed input is exhausted */
	int done;   /* the last member ended cleanly and no input follows */
	int error;  /* a broken stream: every later read fails */
};

static long raw_read(int fd, void *buf, size_t n)
{
	for (;;) {
		ssize_t r = read(fd, buf, n);
		if (r >= 0)
			return (long)r;
		if (errno != EINTR)
			return -1;
	}
}

/* Inflates into buf; returns bytes produced, 0 at the clean end, -1 on a
 * broken or truncated stream. */
static long gz_fill(struct log_src *src, char *buf, size_t n)
{
	struct log_gz *g = src->gz;
	if (g->error)
		return -1;
	if (g->done || n == 0)
		return 0;
	g->zs.next_out = (unsigned char *)buf;
	g->zs.avail_out = (uInt)(n > (1u << 30) ? (1u << 30) : n);
	while (g->zs.avail_out > 0) {
		if (g->zs.avail_in == 0 && !g->in_eof) {
			long r = raw_read(src->fd, g->in, GZ_IN_CHUNK);
			if (r < 0) {
				g->error = 1;
				return -1;
			}
			if (r == 0)
				g->in_eof = 1;
			g->zs.next_in = g->in;
			g->zs.avail_in = (uInt)r;
		}
		int rc = inflate(&g->zs, Z_NO_FLUSH);
		if (rc == Z_STREAM_END) {
			/* Another gzip member may follow (cat a.gz b.gz). */
			if (g->zs.avail_in == 0 && !g->in_eof) {
				long r = raw_read(src->fd, g->in, GZ_IN_CHUNK);
				if (r < 0) {
					g->error = 1;
					return -1;
				}
				g->in_eof = r == 0;
				g->zs.next_in = g->in;
				g->zs.avail_in = (uInt)r;
			}
			if (g->zs.avail_in == 0) {
				g->done = 1;
				break;
			}
			inflateReset(&g->zs);
			continue;
		}
		if (rc == Z_BUF_ERROR && g->zs.avail_in == 0 && g->in_eof) {
			/* Input ended inside a member: a truncated file. */
			g->error = 1;
			break;
		}
		if (rc != Z_OK && rc != Z_BUF_ERROR) {
			g->error = 1;
			break;
		}
	}
	long got = (long)(n - g->zs.avail_out);
	if (got == 0 && g->error)
		return -1;
	return got;
}

int log_open(struct log_src *src, const char *path, struct vb_err *err)
{
	memset(src, 0, sizeof *src);
	src->name = path;
	src->fd = -1;
	int fd;
	if (strcmp(path, "-") == 0) {
		fd = 0;
	} else {
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return vb_err_set(err, VB_EIO, "%s: %s", path, strerror(errno));
	}
	src->fd = fd;
	struct stat sb;
	if (fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode))
		src->size = (uint64_t)sb.st_size;
	/* Peek at the first two bytes: gzip or plain. */
	unsigned char magic[2];
	long m = 0;
	while (m < 2) {
		long r = raw_read(fd, magic + m, (size_t)(2 - m));
		if (r < 0) {
			int e = errno;
			log_close(src);
			return vb_err_set(err, VB_EIO, "%s: %s", path, strerror(e));
		}
		if (r == 0)
			break;
		m += r;
	}
	if (m == 2 && magic[0] == 0x1f && magic[1] == 0x8b) {
		struct log_gz *g = xcalloc(1, sizeof *g);
		g->in = xmalloc(GZ_IN_CHUNK);
		g->in[0] = magic[0];
		g->in[1] = magic[1];
		g->zs.next_in = g->in;
		g->zs.avail_in = 2;
		/* 15 + 16: gzip framing only. */
		if (inflateInit2(&g->zs, 15 + 16) != Z_OK) {
			free(g->in);
			free(g);
			log_close(src);
			return vb_err_set(err, VB_ENOMEM, "%s: zlib initialisation failed", path);
		}
		src->gz = g;
		src->is_gzip = 1;
		long r = gz_fill(src, src->head, sizeof src->head);
		/* A broken stream is reported by the first log_read, after the
		 * bytes that did decompress. */
		src->head_len = r > 0 ? (size_t)r : 0;
		return 0;
	}
	memcpy(src->head, magic, (size_t)m);
	src->head_len = (size_t)m;
	while (m == 2 && src->head_len < sizeof src->head) {
		long r = raw_read(fd, src->head + src->head_len, sizeof src->head - src->head_len);
		if (r <= 0)
			break;
		src->head_len += (size_t)r;
	}
	return 0;
}

long log_read(struct log_src *src, char *buf, size_t n)
{
	if (src->head_pos < src->head_len) {
		size_t k = src->head_len - src->head_pos;
		if (k > n)
			k = n;
		memcpy(buf, src->head + src->head_pos, k);
		src->head_pos += k;
		return (long)k;
	}
	if (src->gz)
		return gz_fill(src, buf, n);
	if (src->fd < 0)
		return 0;
	return raw_read(src->fd, buf, n);
}

void log_close(struct log_src *src)
{
	if (!src)
		return;
	if (src->gz) {
		struct log_gz *g = src->gz;
		inflateEnd(&g->zs);
		free(g->in);
		free(g);
		src->gz = NULL;
	}
	if (src->fd > 0)
		close(src->fd);
	src->fd = -1;
}

void log_stats_bad(struct log_stats *st, uint64_t line, const char *reason)
{
	st->bad_lines++;
	if (st->n_bad_kept < LOG_BAD_KEPT) {
		st->bad_line_no[st->n_bad_kept] = line;
		snprintf(st->bad_reason[st->n_bad_kept], sizeof st->bad_reason[0], "%s", reason);
		st->n_bad_kept++;
	}
}

const struct log_reader *log_reader_find(const char *name, const struct log_src *src)
{
	const struct log_reader *const readers[] = {
	    &log_zeek_reader, &log_zeek_json_reader, &log_access_reader,
	    &log_dns_reader,  &log_csv_reader,	     &log_jsonl_reader,
	};
	const struct log_reader *best = NULL;
	int best_score = 0;
	for (size_t i = 0; i < ARRAY_LEN(readers); i++) {
		const struct log_reader *r = readers[i];
		if (name) {
			if (strcmp(r->name, name) == 0)
				return r;
			continue;
		}
		if (!src || !r->sniff)
			continue;
		int s = r->sniff(src->head, src->head_len);
		if (s > best_score) {
			best_score = s;
			best = r;
		}
	}
	return best;
}

static const char *const kind_names[OBS_KIND_MAX] = {
    [OBS_NONE] = "none",     [OBS_IP] = "ip",	  [OBS_DOMAIN] = "domain", [OBS_URL] = "url",
    [OBS_EMAIL] = "email",   [OBS_MD5] = "md5",	  [OBS_SHA1] = "sha1",	   [OBS_SHA256] = "sha256",
    [OBS_SHA512] = "sha512", [OBS_HASH] = "hash", [OBS_STRING] = "string", [OBS_PORT] = "port",
};

const char *obs_kind_name(enum obs_kind k)
{
	return (unsigned)k < OBS_KIND_MAX && kind_names[k] ? kind_names[k] : "none";
}

enum obs_kind obs_kind_parse(const char *name)
{
	for (int k = 0; k < OBS_KIND_MAX; k++)
		if (kind_names[k] && str_ieq(name, kind_names[k]))
			return (enum obs_kind)k;
	/* A few spellings people use. */
	if (str_ieq(name, "ipv4") || str_ieq(name, "ipv6") || str_ieq(name, "addr"))
		return OBS_IP;
	if (str_ieq(name, "host") || str_ieq(name, "hostname") || str_ieq(name, "fqdn"))
		return OBS_DOMAIN;
	if (str_ieq(name, "sha-1"))
		return OBS_SHA1;
	if (str_ieq(name, "sha-256"))
		return OBS_SHA256;
	if (str_ieq(name, "sha-512"))
		return OBS_SHA512;
	return OBS_NONE;
}

/* Seconds since the epoch with an optional fraction (Zeek's "time"). */
static int64_t parse_epoch(const char *s, size_t n)
{
	size_t i = 0;
	int64_t sec = 0;
	if (n == 0 || n > 32)
		return 0;
	while (i < n && s[i] >= '0' && s[i] <= '9') {
		if (i >= 12)
			return 0;
		sec = sec * 10 + (s[i] - '0');
		i++;
	}
	if (i == 0)
		return 0;
	int64_t us = 0;
	int nd = 0;
	if (i < n && s[i] == '.') {
		i++;
		while (i < n && s[i] >= '0' && s[i] <= '9') {
			if (nd < 6) {
				us = us * 10 + (s[i] - '0');
				nd++;
			}
			i++;
		}
	}
	if (i != n)
		return 0;
	while (nd++ < 6)
		us *= 10;
	return sec * 1000000 + us;
}

int64_t log_time_parse(const char *s, size_t n)
{
	if (n == 0)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (s[i] == '-' || s[i] == 'T') {
			char tmp[64];
			if (n >= sizeof tmp)
				return 0;
			memcpy(tmp, s, n);
			tmp[n] = 0;
			int64_t us;
			if (time_parse_loose(tmp, &us))
				return 0;
			return us;
		}
	return parse_epoch(s, n);
}

int64_t log_event_time(const struct log_event *ev)
{
	if (ev->ts || !ev->ts_text)
		return ev->ts;
	return log_time_parse(ev->ts_text, ev->ts_len);
}

#define LINES_BUF_MIN (64u << 10) /* first size of the line buffer */
#define LINES_BUF_MAX (2u << 20)  /* its largest: more than LOG_MAX_LINE + 1 */

int log_is_ip_text(const char *s, size_t n, int zone)
{
	if (n == 0 || n > 45)
		return 0;
	if (value_is_ipv4(s, n, NULL))
		return 1;
	int colons = 0;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (c == ':')
			colons++;
		else if (!(hex_digit(c) >= 0 || c == '.' || (zone && c == '%')))
			return 0;
	}
	return colons >= 2;
}

int log_sniff_lines(const char *head, size_t len, int (*ok)(char *line, size_t n), int *total)
{
	char line[8192];
	int good = 0;
	const char *p = head, *end = head + len;
	*total = 0;
	while (p < end && *total < 8) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		if (n && p[n - 1] == '\r')
			n--;
		if (n > 0 && n < sizeof line) {
			memcpy(line, p, n);
			line[n] = 0;
			(*total)++;
			good += ok(line, n) != 0;
		}
		if (!nl)
			break;
		p = nl + 1;
	}
	return good;
}

int log_lines(struct log_src *src, struct log_stats *st, log_line_fn fn, void *arg)
{
	size_t cap = LINES_BUF_MIN, len = 0;
	char *buf = xmalloc(cap + 1);
	uint64_t no = 0;
	int skipping = 0, rc = 0;
	for (;;) {
		if (len == cap && cap < LINES_BUF_MAX) {
			/* One unfinished line fills the buffer: grow it (rarely). */
			cap *= 2;
			buf = xrealloc(buf, cap + 1);
		}
		long got = log_read(src, buf + len, cap - len);
		if (got < 0) {
			log_stats_bad(st, no + 1,
				      "read error: broken or truncated compressed input");
			if (st->bytes == 0)
				rc = VB_EIO;
			break;
		}
		st->bytes += (uint64_t)got;
		len += (size_t)got;
		int eof = got == 0;
		size_t start = 0;
		for (;;) {
			char *nl = memchr(buf + start, '\n', len - start);
			if (!nl && !(eof && start < len))
				break;
			char *line = buf + start;
			size_t n = nl ? (size_t)(nl - line) : len - start;
			start += n + (nl ? 1 : 0);
			no++;
			st->lines++;
			if (skipping || n > LOG_MAX_LINE) {
				skipping = 0;
				log_stats_bad(st, no, "line longer than the limit");
				continue;
			}
			if (n && line[n - 1] == '\r')
				n--;
			line[n] = 0;
			if ((rc = fn(arg, line, n, no)) != 0)
				goto out;
		}
		if (eof)
			break;
		memmove(buf, buf + start, len - start);
		len -= start;
		if (len > LOG_MAX_LINE) {
			skipping = 1; /* drop what we have; the rest goes at its newline */
			len = 0;
		}
	}
out:
	free(buf);
	return rc;
}
