/* util.c: allocation, timestamps, UUIDs, UTF-8 and bounded file reads. */
#include "util.h"
#include "err.h"

#include <errno.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <openssl/sha.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <fcntl.h>

static void oom(size_t n)
{
	fprintf(stderr, "verbinding: out of memory allocating %zu bytes\n", n);
	abort();
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		oom(n);
	return p;
}

void *xcalloc(size_t n, size_t m)
{
	void *p = calloc(n ? n : 1, m ? m : 1);
	if (!p)
		oom(n * m);
	return p;
}

void *xzalloc_aligned(size_t align, size_t n)
{
	n = (n + align - 1) / align * align; /* aligned_alloc wants a multiple */
	void *p = aligned_alloc(align, n ? n : align);
	if (!p)
		oom(n);
	memset(p, 0, n);
	return p;
}

void *xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (!q)
		oom(n);
	return q;
}

char *xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *xstrndup(const char *s, size_t n)
{
	char *p = xmalloc(n + 1);
	memcpy(p, s, n);
	p[n] = 0;
	return p;
}

static int digits(const char *s, int n, int *out)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

/* Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar. */
static int64_t days_from_civil(int y, int m, int d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static int days_in_month(int y, int m)
{
	static const int dm[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return dm[m - 1];
}

static int time_parse_ex(const char *s, int64_t *us, int loose)
{
	int Y, M, D, h = 0, mi = 0, sec = 0;
	size_t n = strlen(s);
	if (n < 10 || digits(s, 4, &Y) || s[4] != '-' || digits(s + 5, 2, &M) || s[7] != '-' ||
	    digits(s + 8, 2, &D))
		return VB_EINPUT;
	if (M < 1 || M > 12 || D < 1 || D > days_in_month(Y, M))
		return VB_EINPUT;
	const char *p = s + 10;
	int64_t frac = 0;
	int64_t offset = 0;
	if (*p == 0) {
		if (!loose)
			return VB_EINPUT;
	} else {
		if (*p != 'T' && !(loose && (*p == 't' || *p == ' ')))
			return VB_EINPUT;
		p++;
		if (strlen(p) < 8 || digits(p, 2, &h) || p[2] != ':' || digits(p + 3, 2, &mi) ||
		    p[5] != ':' || digits(p + 6, 2, &sec))
			return VB_EINPUT;
		if (h > 23 || mi > 59 || sec > 60)
			return VB_EINPUT;
		p += 8;
		if (*p == '.') {
			p++;
			int nd = 0;
			while (*p >= '0' && *p <= '9') {
				if (nd < 6)
					frac = frac * 10 + (*p - '0');
				nd++;
				p++;
			}
			if (nd == 0 || nd > 9)
				return VB_EINPUT;
			for (int k = nd; k < 6; k++)
				frac *= 10;
		}
		if (*p == 'Z' || (loose && *p == 'z')) {
			p++;
		} else if (loose && (*p == '+' || *p == '-')) {
			int oh, om;
			if (strlen(p) != 6 || digits(p + 1, 2, &oh) || p[3] != ':' ||
			    digits(p + 4, 2, &om) || oh > 23 || om > 59)
				return VB_EINPUT;
			offset = (int64_t)(oh * 60 + om) * 60 * (*p == '+' ? 1 : -1);
			p += 6;
		} else if (!(loose && *p == 0)) {
			return VB_EINPUT;
		}
		if (*p)
			return VB_EINPUT;
	}
	if (sec == 60)
		sec = 59; /* a leap second sorts as the last second of its minute */
	int64_t t = days_from_civil(Y, M, D) * 86400 + h * 3600 + mi * 60 + sec - offset;
	*us = t * 1000000 + frac;
	return 0;
}

int time_parse(const char *s, int64_t *us)
{
	return time_parse_ex(s, us, 0);
}

int time_parse_loose(const char *s, int64_t *us)
{
	return time_parse_ex(s, us, 1);
}

void time_format(int64_t us, char *out)
{
	int64_t secs = us >= 0 ? us / 1000000 : -((-us + 999999) / 1000000);
	int64_t frac = us - secs * 1000000;
	time_t t = (time_t)secs;
	struct tm tm;
	gmtime_r(&t, &tm);
	size_t n = strftime(out, 32, "%Y-%m-%dT%H:%M:%S", &tm);
	if (frac % 1000)
		snprintf(out + n, 32 - n, ".%06dZ", (int)frac);
	else
		snprintf(out + n, 32 - n, ".%03dZ", (int)(frac / 1000));
}

int64_t time_now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void uuid_text(const unsigned char b[16], char out[37])
{
	static const char hex[] = "0123456789abcdef";
	int o = 0;
	for (int i = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			out[o++] = '-';
		out[o++] = hex[b[i] >> 4];
		out[o++] = hex[b[i] & 15];
	}
	out[o] = 0;
}

void uuid_v4(char out[37])
{
	unsigned char b[16];
	randombytes_buf(b, sizeof b);
	b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
	b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
	uuid_text(b, out);
}

static pthread_once_t sha1_once = PTHREAD_ONCE_INIT;
static EVP_MD *sha1;

static void sha1_fetch(void)
{
	sha1 = EVP_MD_fetch(NULL, "SHA1", NULL);
}

void uuid_v5(const char *ns, const char *name, size_t name_len, char out[37])
{
	unsigned char nsb[16], md[SHA_DIGEST_LENGTH];
	int k = 0;
	for (const char *p = ns; *p && k < 16; p++) {
		if (*p == '-')
			continue;
		nsb[k] = (unsigned char)(hex_digit(p[0]) << 4 | hex_digit(p[1]));
		k++;
		p++;
	}
	/* The digest is fetched once per process: the one-shot SHA1() fetches
	 * it afresh on every call, which costs more than hashing a short name.
	 * The context is per call, so no thread leaves one behind. */
	pthread_once(&sha1_once, sha1_fetch);
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned int mdlen = 0;
	if (!ctx || !sha1 || !EVP_DigestInit_ex(ctx, sha1, NULL) ||
	    !EVP_DigestUpdate(ctx, nsb, 16) || !EVP_DigestUpdate(ctx, name, name_len) ||
	    !EVP_DigestFinal_ex(ctx, md, &mdlen))
		abort();
	EVP_MD_CTX_free(ctx);
	md[6] = (unsigned char)((md[6] & 0x0f) | 0x50);
	md[8] = (unsigned char)((md[8] & 0x3f) | 0x80);
	uuid_text(md, out);
}

int uuid_valid(const char *s, size_t n)
{
	if (n != 36)
		return 0;
	for (size_t i = 0; i < 36; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return 0;
		} else if (hex_digit((unsigned char)s[i]) < 0) {
			return 0;
		}
	}
	return 1;
}

int utf8_valid(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s, *e = p + n;
	while (p < e) {
		unsigned c = *p;
		if (c < 0x80) {
			p++;
			continue;
		}
		int len;
		unsigned cp;
		if (c >= 0xc2 && c <= 0xdf) {
			len = 2;
			cp = c & 0x1f;
		} else if (c >= 0xe0 && c <= 0xef) {
			len = 3;
			cp = c & 0x0f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			len = 4;
			cp = c & 0x07;
		} else {
			return 0;
		}
		if (e - p < len)
			return 0;
		for (int i = 1; i < len; i++) {
			if ((p[i] & 0xc0) != 0x80)
				return 0;
			cp = cp << 6 | (p[i] & 0x3f);
		}
		if ((len == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
		    (len == 4 && (cp < 0x10000 || cp > 0x10ffff)))
			return 0;
		p += len;
	}
	return 1;
}

int file_read_all(const char *path, size_t max, char **out, size_t *len, char *why, size_t why_cap)
{
	int fd = strcmp(path, "-") == 0 ? 0 : open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(why, why_cap, "%s", strerror(errno));
		return VB_EIO;
	}
	struct stat st;
	if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
		snprintf(why, why_cap, "is a directory");
		if (fd)
			close(fd);
		return VB_EIO;
	}
	size_t cap = S_ISREG(st.st_mode) && st.st_size > 0 ? (size_t)st.st_size + 1 : 65536;
	if (cap > max + 1)
		cap = max + 1;
	char *p = xmalloc(cap);
	size_t n = 0;
	int rc = 0;
	for (;;) {
		if (n + 1 >= cap) {
			if (cap > max) {
				snprintf(why, why_cap, "larger than the limit of %zu bytes", max);
				rc = VB_EINPUT;
				break;
			}
			cap = cap * 2 > max + 1 ? max + 1 : cap * 2;
			p = xrealloc(p, cap);
		}
		ssize_t k = read(fd, p + n, cap - 1 - n);
		if (k < 0) {
			if (errno == EINTR)
				continue;
			snprintf(why, why_cap, "%s", strerror(errno));
			rc = VB_EIO;
			break;
		}
		if (k == 0)
			break;
		n += (size_t)k;
		if (n > max) {
			snprintf(why, why_cap, "larger than the limit of %zu bytes", max);
			rc = VB_EINPUT;
			break;
		}
	}
	if (fd)
		close(fd);
	if (rc) {
		free(p);
		return rc;
	}
	p[n] = 0;
	*out = p;
	*len = n;
	return 0;
}

char *str_lower(char *s)
{
	for (char *p = s; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p + 32);
	return s;
}

int str_ieq(const char *a, const char *b)
{
	return strcasecmp(a, b) == 0;
}

int str_has_suffix(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);
	return a >= b && memcmp(s + a - b, suffix, b) == 0;
}

int parse_long(const char *s, long lo, long hi, long *out)
{
	if (!s || !*s)
		return VB_EUSAGE;
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno || *end || v < lo || v > hi)
		return VB_EUSAGE;
	*out = v;
	return 0;
}
