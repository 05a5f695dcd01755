/*
 * match_run.c: running the matcher over log files.
 *
 * A plain (uncompressed, seekable) Zeek TSV file is mapped into memory and
 * split at line boundaries into one chunk per thread; the header block at
 * the top is parsed once and every thread starts from a copy of it. Each
 * thread has its own match context; its hit lines carry line numbers
 * relative to its chunk until every chunk's line count is known, then the
 * chunks' output is written in file order. If a chunk changed the header
 * (a concatenated log with different #fields), the chunks after it are
 * scanned again, in order, with the right header.
 *
 * Everything else (gzip, stdin, other formats, or one thread) is read as a
 * stream through its reader with one context, and hit lines are written as
 * they come.
 */
#include "match_run.h"
#include "log_zeek.h"
#include "../util/util.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

struct match_runner {
	const struct matcher *m;
	struct match_run_opts o;
	struct match_ctx **ctx; /* every context, in input order */
	struct buf **bufs;
	size_t nctx, cctx;
	struct match_file *files;
	size_t nfiles;
};

struct match_runner *match_runner_new(const struct matcher *m, const struct match_run_opts *o)
{
	struct match_runner *r = xcalloc(1, sizeof *r);
	r->m = m;
	r->o = *o;
	if (r->o.threads < 1)
		r->o.threads = 1;
	return r;
}

static struct match_ctx *new_ctx(struct match_runner *r)
{
	if (r->nctx == r->cctx) {
		r->cctx = r->cctx ? r->cctx * 2 : 8;
		r->ctx = xrealloc(r->ctx, r->cctx * sizeof *r->ctx);
		r->bufs = xrealloc(r->bufs, r->cctx * sizeof *r->bufs);
	}
	struct buf *b = xmalloc(sizeof *b);
	buf_init(b, (size_t)1 << 34);
	struct match_ctx *c = match_ctx_new(r->m, b);
	if (r->o.allow)
		match_ctx_set_allow(c, r->o.allow, r->o.allow_arg);
	r->ctx[r->nctx] = c;
	r->bufs[r->nctx] = b;
	r->nctx++;
	return c;
}

static void merge_stats(struct log_stats *into, const struct log_stats *s, uint64_t base)
{
	into->lines += s->lines;
	into->bytes += s->bytes;
	into->bad_lines += s->bad_lines;
	for (size_t i = 0; i < s->n_bad_kept && into->n_bad_kept < LOG_BAD_KEPT; i++) {
		into->bad_line_no[into->n_bad_kept] = s->bad_line_no[i] + base;
		memcpy(into->bad_reason[into->n_bad_kept], s->bad_reason[i],
		       sizeof into->bad_reason[0]);
		into->n_bad_kept++;
	}
}

/* ---- streaming ---- */

struct stream_arg {
	struct match_ctx *c;
	struct buf *b;
	FILE *out;
};

static int stream_event(void *arg, const struct log_event *ev)
{
	struct stream_arg *a = arg;
	int rc = match_event(a->c, ev);
	/* Hits are rare: write them out in batches. */
	if (!rc && a->b->len > (1u << 20))
		rc = match_ctx_write(a->c, a->out);
	return rc;
}

static int run_stream(struct match_runner *r, struct log_src *src, const struct log_reader *rd,
		      struct match_file *mf)
{
	struct match_ctx *c = new_ctx(r);
	struct stream_arg a = {c, r->bufs[r->nctx - 1], r->o.out};
	int rc = rd == &log_zeek_reader
		     ? zeek_read_probed(src, r->o.lopts, stream_event, &a, &mf->st, match_probe, c)
		     : rd->read(src, r->o.lopts, stream_event, &a, &mf->st);
	int wrc = match_ctx_write(c, r->o.out);
	return rc ? rc : wrc;
}

/* ---- parallel Zeek ---- */

struct chunk {
	struct match_runner *r;
	const char *p;
	size_t n;
	struct zeek_state z; /* starts as the header before the chunk */
	struct match_ctx *c;
	struct log_stats st;
	uint64_t lines;
	int rc;
	const char *source;
};

static void *chunk_main(void *arg)
{
	struct chunk *k = arg;
	uint64_t line = 0;
	k->z.probe = match_probe;
	k->z.probe_arg = k->c;
	k->rc = zeek_scan(&k->z, k->source, k->p, k->n, &line, match_event, k->c, &k->st);
	k->lines = line;
	return NULL;
}

static int run_zeek_mapped(struct match_runner *r, struct log_src *src, struct match_file *mf)
{
	size_t size = (size_t)src->size;
	const char *map = mmap(NULL, size, PROT_READ, MAP_PRIVATE, src->fd, 0);
	if (map == MAP_FAILED)
		return VB_EIO;
	madvise((void *)map, size, MADV_SEQUENTIAL);
	struct zeek_state h;
	zeek_init(&h);
	uint64_t hdr_lines = 0;
	size_t data = zeek_read_header(&h, map, size, &hdr_lines);
	mf->st.lines += hdr_lines;
	mf->st.bytes += data;
	size_t nt = (size_t)r->o.threads;
	size_t rest = size - data;
	if (rest < ((size_t)1 << 20) * nt)
		nt = rest / ((size_t)1 << 20) + 1;
	struct chunk *ch = xcalloc(nt, sizeof *ch);
	size_t at = data;
	for (size_t i = 0; i < nt; i++) {
		size_t end = i + 1 == nt ? size : data + rest / nt * (i + 1);
		if (end < at)
			end = at;
		if (end < size) {
			const char *nl = memchr(map + end, '\n', size - end);
			end = nl ? (size_t)(nl - map) + 1 : size;
		}
		ch[i].r = r;
		ch[i].p = map + at;
		ch[i].n = end - at;
		ch[i].source = src->name;
		zeek_init(&ch[i].z);
		zeek_copy_header(&ch[i].z, &h);
		ch[i].c = new_ctx(r);
		match_ctx_defer_lines(ch[i].c);
		at = end;
	}
	pthread_t *tid = xcalloc(nt, sizeof *tid);
	int *started = xcalloc(nt, sizeof *started);
	for (size_t i = 1; i < nt; i++)
		started[i] = pthread_create(&tid[i], NULL, chunk_main, &ch[i]) == 0;
	chunk_main(&ch[0]);
	for (size_t i = 1; i < nt; i++) {
		if (started[i])
			pthread_join(tid[i], NULL);
		else
			chunk_main(&ch[i]); /* no thread: scan it here */
	}
	/* A chunk that began under a header an earlier chunk replaced is
	 * scanned again, in order, under the right one. */
	for (size_t i = 1; i < nt; i++) {
		if (zeek_same_header(&ch[i - 1].z, &h))
			continue;
		zeek_copy_header(&ch[i].z, &ch[i - 1].z);
		match_ctx_reset(ch[i].c);
		memset(&ch[i].st, 0, sizeof ch[i].st);
		chunk_main(&ch[i]);
	}
	int rc = 0;
	uint64_t base = hdr_lines;
	for (size_t i = 0; i < nt; i++) {
		match_ctx_set_line_base(ch[i].c, base);
		merge_stats(&mf->st, &ch[i].st, base);
		int wrc = match_ctx_write(ch[i].c, r->o.out);
		if (!rc)
			rc = ch[i].rc ? ch[i].rc : wrc;
		base += ch[i].lines;
		zeek_free(&ch[i].z);
	}
	free(tid);
	free(started);
	free(ch);
	zeek_free(&h);
	munmap((void *)map, size);
	return rc;
}

int match_runner_file(struct match_runner *r, const char *path, struct vb_err *err)
{
	r->files = xrealloc(r->files, (r->nfiles + 1) * sizeof *r->files);
	struct match_file *mf = &r->files[r->nfiles++];
	memset(mf, 0, sizeof *mf);
	mf->name = path;
	int64_t t0 = time_now_us();
	struct log_src src;
	int rc = log_open(&src, path, err);
	if (rc) {
		mf->failed = 1;
		return rc;
	}
	const struct log_reader *rd = log_reader_find(r->o.format, &src);
	if (!rd) {
		log_close(&src);
		mf->failed = 1;
		if (r->o.format)
			return vb_err_set(err, VB_EUSAGE, "unknown log format '%s'", r->o.format);
		if (src.head_len == 0)
			return vb_err_set(err, VB_EINPUT, "%s: empty input", path);
		return vb_err_set(err, VB_EINPUT, "%s: cannot tell the log format; use --format",
				  path);
	}
	mf->reader = rd->name;
	if (rd == &log_zeek_reader && !src.is_gzip && src.size > 0 && src.fd > 0)
		rc = run_zeek_mapped(r, &src, mf);
	else
		rc = run_stream(r, &src, rd, mf);
	log_close(&src);
	mf->seconds = (double)(time_now_us() - t0) / 1e6;
	if (rc == VB_EIO)
		vb_err_set(err, rc, "%s: reading or writing failed: %s", path, strerror(errno));
	else if (rc)
		vb_err_set(err, rc, "%s: scanning stopped", path);
	return rc;
}

const struct match_file *match_runner_files(const struct match_runner *r, size_t *n)
{
	*n = r->nfiles;
	return r->files;
}

int match_runner_finish(struct match_runner *r, struct match_agg **agg, size_t *nagg,
			struct match_counts *total)
{
	struct buf b;
	buf_init(&b, (size_t)1 << 34);
	int rc = match_finish(r->m, r->ctx, r->nctx, &b, agg, nagg, total);
	if (r->o.out && b.len && fwrite(b.p, 1, b.len, r->o.out) != b.len)
		rc = VB_EIO;
	buf_free(&b);
	return rc;
}

void match_runner_free(struct match_runner *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->nctx; i++) {
		match_ctx_free(r->ctx[i]);
		buf_free(r->bufs[i]);
		free(r->bufs[i]);
	}
	free(r->ctx);
	free(r->bufs);
	free(r->files);
	free(r);
}
