/*
 * http_server.c: the HTTP server core on libmicrohttpd: listening (plain or
 * TLS), the per-request state machine (parse, route, authenticate, check
 * the body's type and size before reading it, read it under its limit, run
 * the handler), security headers, streamed bodies, the store pool, the JSON
 * access log, and graceful shutdown on SIGTERM / SIGINT.
 *
 * Threads: libmicrohttpd runs either a pool of event-loop threads (the
 * default; each connection stays on one thread) or one thread per
 * connection (--thread-per-connection). Either way a request holds one
 * store connection from the pool from routing to completion.
 */
#include "http_internal.h"
#include "../util/util.h"

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <signal.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define STREAM_BLOCK	 (64u << 10)
#define STREAM_PART_MAX	 (1u << 20)
#define SHUTDOWN_GRACE_S 30

struct http_req_state {
	struct http_arena arena; /* first: http_alloc finds it through req->priv */
	struct http_server *srv;
	struct http_request req;
	struct http_response res;
	struct MHD_Connection *conn;
	char *uri;
	struct buf body;
	int phase; /* 0 headers not seen, 1 reading the body, 2 response queued */
	int status;
	int64_t t0;
	uint64_t bytes_out;
	const char *method;
	const char *log_path; /* decoded path, or the raw path when it did not parse */
};

static atomic_long in_flight;

/* ---- route tables ---- */

extern const struct http_route_table http_ui_table;

static const struct http_route_table *tables[4];
static pthread_once_t tables_once = PTHREAD_ONCE_INIT;

static void tables_init(void)
{
	size_t n = 0;
	tables[n++] = &http_rest_table;
	if (&http_taxii_table) /* weak: linked once src/http/taxii*.c exists */
		tables[n++] = &http_taxii_table;
	tables[n++] = &http_ui_table; /* prefix "/": catches the rest */
	tables[n] = NULL;
}

const struct http_route_table *const *http_tables(void)
{
	pthread_once(&tables_once, tables_init);
	return tables;
}

/* ---- store pool ---- */

struct store *http_pool_get(struct store_pool *p, struct vb_err *e)
{
	pthread_mutex_lock(&p->mu);
	if (p->n_idle) {
		struct store *s = p->idle[--p->n_idle];
		pthread_mutex_unlock(&p->mu);
		return s;
	}
	pthread_mutex_unlock(&p->mu);
	struct store *s;
	if (store_open(p->path, 0, &s, e))
		return NULL;
	pthread_mutex_lock(&p->mu);
	if (p->n_all == p->cap) {
		p->cap = p->cap ? p->cap * 2 : 16;
		p->all = xrealloc(p->all, p->cap * sizeof *p->all);
		p->idle = xrealloc(p->idle, p->cap * sizeof *p->idle);
	}
	p->all[p->n_all++] = s;
	pthread_mutex_unlock(&p->mu);
	return s;
}

void http_pool_put(struct store_pool *p, struct store *s)
{
	if (!s)
		return;
	/* A handler that failed half-way must not leave a transaction open. */
	store_rollback(s);
	pthread_mutex_lock(&p->mu);
	p->idle[p->n_idle++] = s;
	pthread_mutex_unlock(&p->mu);
}

static void pool_close_all(struct store_pool *p)
{
	for (size_t i = 0; i < p->n_all; i++) {
		store_close(p->all[i]);
	}
	free(p->all);
	free(p->idle);
	p->all = p->idle = NULL;
	p->n_all = p->n_idle = p->cap = 0;
}

/* ---- headers ---- */

const char *http_server_header(const struct http_request *req, const char *name)
{
	const struct http_req_state *rs = req->priv;
	if (!rs || !rs->conn)
		return NULL;
	return MHD_lookup_connection_value(rs->conn, MHD_HEADER_KIND, name);
}

/* ---- the log ----
 *
 * Every line the server writes to stderr is one JSON object. The server's
 * own lines go straight to the original stderr (log_fd). Anything else that
 * writes to stderr while the server runs (the import's messages, libraries)
 * goes through a pipe to a thread that wraps each line as
 * {"time", "event": "message", "detail": "..."}, escaped: such text can
 * neither break the format nor pass for an access-log line.
 */
static int log_fd = 2;
static int log_pipe[2] = {-1, -1};
static pthread_t log_thread;

static void log_write(const struct buf *b)
{
	size_t off = 0;
	while (off < b->len) {
		ssize_t w = write(log_fd, b->p + off, b->len - off);
		if (w <= 0) {
			if (w < 0 && errno == EINTR)
				continue;
			return;
		}
		off += (size_t)w;
	}
}

static void log_str(struct buf *b, const char *s);

static void *log_relay(void *arg)
{
	(void)arg;
	struct buf line, out;
	buf_init(&line, 8192);
	buf_init(&out, 65536);
	char chunk[4096];
	for (;;) {
		ssize_t n = read(log_pipe[0], chunk, sizeof chunk);
		if (n < 0 && errno == EINTR)
			continue;
		for (ssize_t i = 0; i < n; i++) {
			int full = buf_addc(&line, chunk[i]) != 0;
			if (chunk[i] != '\n' && !full)
				continue;
			if (line.len && line.p[line.len - 1] == '\n')
				line.p[--line.len] = 0;
			char t[32];
			time_format(time_now_us(), t);
			buf_reset(&out);
			buf_adds(&out, "{\"time\":");
			log_str(&out, t);
			buf_adds(&out, ",\"event\":\"message\",\"detail\":");
			log_str(&out, line.p ? line.p : "");
			buf_adds(&out, "}\n");
			log_write(&out);
			buf_reset(&line);
		}
		if (n <= 0)
			break;
	}
	buf_free(&line);
	buf_free(&out);
	return NULL;
}

static void log_start(void)
{
	fflush(stderr);
	int fd = dup(2);
	if (fd < 0 || pipe(log_pipe) != 0) {
		if (fd >= 0)
			close(fd);
		return; /* stay on plain stderr */
	}
	log_fd = fd;
	dup2(log_pipe[1], 2);
	close(log_pipe[1]);
	log_pipe[1] = -1;
	if (pthread_create(&log_thread, NULL, log_relay, NULL) != 0) {
		dup2(log_fd, 2);
		close(log_pipe[0]);
		log_pipe[0] = -1;
	}
}

static void log_stop(void)
{
	if (log_pipe[0] < 0)
		return;
	fflush(stderr);
	dup2(log_fd, 2); /* the pipe's last writer goes: the relay sees the end */
	pthread_join(log_thread, NULL);
	close(log_pipe[0]);
	close(log_fd);
	log_pipe[0] = -1;
	log_fd = 2;
}

/* ---- access log ---- */

/* Appends s as a JSON string that is plain ASCII: control characters,
 * DEL and every byte >= 0x80 are written as \u00XX, so no value can break
 * the line or smuggle a terminal escape. */
static void log_str(struct buf *b, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	buf_addc(b, '"');
	for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
		if (*p == '"' || *p == '\\') {
			buf_addc(b, '\\');
			buf_addc(b, (char)*p);
		} else if (*p < 0x20 || *p >= 0x7f) {
			char e[7] = {'\\', 'u', '0', '0', hex[*p >> 4], hex[*p & 15], 0};
			buf_adds(b, e);
		} else {
			buf_addc(b, (char)*p);
		}
	}
	buf_addc(b, '"');
}

static void access_log(struct http_req_state *rs, enum MHD_RequestTerminationCode toe)
{
	if (rs->srv->cfg.quiet)
		return;
	char t[32];
	time_format(time_now_us(), t);
	struct buf b;
	buf_init(&b, 8192);
	buf_adds(&b, "{\"time\":");
	log_str(&b, t);
	buf_adds(&b, ",\"remote\":");
	log_str(&b, rs->req.remote);
	buf_adds(&b, ",\"method\":");
	log_str(&b, rs->method ? rs->method : "-");
	buf_adds(&b, ",\"path\":");
	/* The path only: query strings may carry secrets and are never logged. */
	char shown[512];
	snprintf(shown, sizeof shown, "%s", rs->log_path ? rs->log_path : "-");
	log_str(&b, shown);
	buf_printf(&b, ",\"status\":%d,\"bytes\":%llu,\"ms\":%.3f", rs->status,
		   (unsigned long long)rs->bytes_out, (double)(time_now_us() - rs->t0) / 1000.0);
	if (rs->req.caller.authenticated) {
		buf_adds(&b, ",\"user\":");
		log_str(&b, rs->req.caller.user);
		buf_adds(&b, ",\"org\":");
		log_str(&b, rs->req.caller.org);
	}
	if (toe != MHD_REQUEST_TERMINATED_COMPLETED_OK)
		buf_printf(&b, ",\"aborted\":%d", (int)toe);
	buf_adds(&b, "}\n");
	log_write(&b);
	buf_free(&b);
}

static void server_log(const char *event, const char *detail)
{
	struct buf b;
	char t[32];
	time_format(time_now_us(), t);
	buf_init(&b, 4096);
	buf_adds(&b, "{\"time\":");
	log_str(&b, t);
	buf_adds(&b, ",\"event\":");
	log_str(&b, event);
	if (detail) {
		buf_adds(&b, ",\"detail\":");
		log_str(&b, detail);
	}
	buf_adds(&b, "}\n");
	log_write(&b);
	buf_free(&b);
}

static void mhd_logger(void *cls, const char *fmt, va_list ap)
{
	(void)cls;
	char msg[512];
	vsnprintf(msg, sizeof msg, fmt, ap);
	size_t n = strlen(msg);
	while (n && (msg[n - 1] == '\n' || msg[n - 1] == '\r'))
		msg[--n] = 0;
	server_log("microhttpd", msg);
}

/* ---- responses ---- */

struct stream_ctx {
	http_stream_fn fn;
	void *arg;
	void (*free)(void *arg);
	struct buf out;
	size_t off;
	int done;
	uint64_t *bytes;
};

static ssize_t stream_read(void *cls, uint64_t pos, char *buf, size_t max)
{
	(void)pos;
	struct stream_ctx *x = cls;
	while (x->off == x->out.len) {
		if (x->done)
			return MHD_CONTENT_READER_END_OF_STREAM;
		buf_reset(&x->out);
		x->off = 0;
		int rc = x->fn(x->arg, &x->out);
		if (rc < 0)
			return MHD_CONTENT_READER_END_WITH_ERROR;
		if (rc == 0)
			x->done = 1;
	}
	size_t n = x->out.len - x->off;
	if (n > max)
		n = max;
	memcpy(buf, x->out.p + x->off, n);
	x->off += n;
	*x->bytes += n;
	return (ssize_t)n;
}

static void stream_free(void *cls)
{
	struct stream_ctx *x = cls;
	if (x->free)
		x->free(x->arg);
	buf_free(&x->out);
	free(x);
}

static int is_html(const char *ct)
{
	return ct && strncasecmp(ct, "text/html", 9) == 0;
}

static enum MHD_Result queue(struct http_req_state *rs)
{
	struct http_response *res = &rs->res;
	struct MHD_Response *r;
	if (res->stream) {
		struct stream_ctx *x = xcalloc(1, sizeof *x);
		x->fn = res->stream;
		x->arg = res->stream_arg;
		x->free = res->stream_free;
		x->bytes = &rs->bytes_out;
		buf_init(&x->out, STREAM_PART_MAX);
		res->stream = NULL;
		res->stream_free = NULL;
		r = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, STREAM_BLOCK, stream_read,
						      x, stream_free);
		if (!r) {
			stream_free(x);
			return MHD_NO;
		}
	} else {
		size_t len = res->body.len;
		char *p = buf_take(&res->body, NULL);
		r = MHD_create_response_from_buffer(len, p, MHD_RESPMEM_MUST_FREE);
		if (!r) {
			free(p);
			return MHD_NO;
		}
		rs->bytes_out = len;
	}
	const char *ct = res->content_type ? res->content_type : "application/json";
	MHD_add_response_header(r, "Content-Type", ct);
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(r, "Cache-Control", "no-store");
	MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
	/* Every response may end up rendered by a browser: deny it everything,
	 * HTML pages get only their own inline-free stylesheet. */
	MHD_add_response_header(r, "Content-Security-Policy",
				is_html(ct)
				    ? "default-src 'none'; style-src 'self'; img-src 'self'; "
				      "frame-ancestors 'none'; base-uri 'none'; "
				      "form-action 'self'"
				    : "default-src 'none'; frame-ancestors 'none'");
	MHD_add_response_header(r, "X-Frame-Options", "DENY");
	if (rs->srv->tls)
		MHD_add_response_header(r, "Strict-Transport-Security", "max-age=31536000");
	for (size_t i = 0; i < res->n_headers; i++)
		MHD_add_response_header(r, res->headers[i].name, res->headers[i].value);
	rs->status = res->status ? res->status : 200;
	enum MHD_Result ok = MHD_queue_response(rs->conn, (unsigned)rs->status, r);
	MHD_destroy_response(r);
	rs->phase = 2;
	return ok;
}

/* Queues an error now (before the body, or instead of it). */
static enum MHD_Result fail(struct http_req_state *rs, int status, const char *detail)
{
	http_error_body(&rs->req, &rs->res, status, detail);
	return queue(rs);
}

/* ---- the request state machine ---- */

/*
 * The raw request target is only seen by the URI log callback, which runs
 * before the headers are parsed; libmicrohttpd may still drop the request
 * after it (headers too large, ...) without calling the access handler or
 * the completion callback. So the target is parked in per-connection
 * memory (freed when the connection closes) and the request state is made
 * only when the access handler runs, which guarantees the completion call.
 */
struct conn_state {
	char *uri;
};

static void conn_cb(void *cls, struct MHD_Connection *conn, void **socket_context,
		    enum MHD_ConnectionNotificationCode code)
{
	(void)cls;
	(void)conn;
	if (code == MHD_CONNECTION_NOTIFY_STARTED) {
		*socket_context = xcalloc(1, sizeof(struct conn_state));
	} else if (*socket_context) {
		struct conn_state *c = *socket_context;
		free(c->uri);
		free(c);
		*socket_context = NULL;
	}
}

static void *uri_cb(void *cls, const char *uri, struct MHD_Connection *conn)
{
	(void)cls;
	const union MHD_ConnectionInfo *ci =
	    MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	struct conn_state *c = ci ? ci->socket_context : NULL;
	if (c) {
		free(c->uri);
		c->uri = xstrndup(uri, strnlen(uri, HTTP_MAX_TARGET + 1));
	}
	return NULL;
}

static struct http_req_state *req_new(struct http_server *srv, struct MHD_Connection *conn,
				      const char *url)
{
	struct http_req_state *rs = xcalloc(1, sizeof *rs);
	rs->srv = srv;
	rs->conn = conn;
	rs->t0 = time_now_us();
	const union MHD_ConnectionInfo *ci =
	    MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	struct conn_state *c = ci ? ci->socket_context : NULL;
	if (c && c->uri) {
		rs->uri = c->uri; /* taken over: each request has its own target */
		c->uri = NULL;
	} else {
		/* Not expected; the decoded path is the best there is. */
		rs->uri = xstrndup(url, strnlen(url, HTTP_MAX_TARGET + 1));
	}
	rs->req.priv = rs;
	rs->req.server = srv;
	buf_init(&rs->res.body, HTTP_MAX_RESPONSE);
	atomic_fetch_add(&in_flight, 1);
	return rs;
}

static void completed_cb(void *cls, struct MHD_Connection *conn, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	(void)cls;
	(void)conn;
	struct http_req_state *rs = *con_cls;
	if (!rs)
		return;
	access_log(rs, toe);
	if (rs->res.stream_free)
		rs->res.stream_free(rs->res.stream_arg); /* never handed to libmicrohttpd */
	http_pool_put(&rs->srv->pool, rs->req.store);
	buf_free(&rs->body);
	buf_free(&rs->res.body);
	http_arena_free(&rs->arena);
	free(rs->uri);
	free(rs);
	*con_cls = NULL;
	atomic_fetch_sub(&in_flight, 1);
}

static enum http_method method_of(const char *m)
{
	static const struct {
		const char *name;
		enum http_method m;
	} ms[] = {{"GET", HTTP_GET},	    {"HEAD", HTTP_HEAD},     {"POST", HTTP_POST},
		  {"PUT", HTTP_PUT},	    {"DELETE", HTTP_DELETE}, {"PATCH", HTTP_PATCH},
		  {"OPTIONS", HTTP_OPTIONS}};
	for (size_t i = 0; i < ARRAY_LEN(ms); i++)
		if (strcmp(m, ms[i].name) == 0)
			return ms[i].m;
	return 0;
}

static void remote_addr(struct http_req_state *rs)
{
	const union MHD_ConnectionInfo *ci =
	    MHD_get_connection_info(rs->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	char *out = rs->req.remote;
	snprintf(out, sizeof rs->req.remote, "-");
	if (!ci || !ci->client_addr)
		return;
	const struct sockaddr *sa = ci->client_addr;
	if (sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, out,
			  sizeof rs->req.remote);
	else if (sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr,
			  out, sizeof rs->req.remote);
}

static void allow_header(struct http_req_state *rs, unsigned allowed)
{
	char v[128] = "";
	for (unsigned bit = 1; bit <= HTTP_OPTIONS; bit <<= 1)
		if (allowed & bit) {
			if (v[0])
				strcat(v, ", ");
			strcat(v, http_method_name((enum http_method)bit));
		}
	http_header_add(&rs->req, &rs->res, "Allow", v);
}

/* Headers are in: route, authenticate, and check the body's declared size
 * and type before a byte of it is read. */
static enum MHD_Result begin(struct http_req_state *rs, const char *method)
{
	struct http_server *srv = rs->srv;
	struct http_request *req = &rs->req;
	rs->phase = 1;
	rs->method = http_strdup(req, method);
	remote_addr(rs);
	const char *q = strchr(rs->uri, '?');
	rs->log_path = http_strdup(req, rs->uri);
	if (q)
		((char *)rs->log_path)[q - rs->uri] = 0;
	req->method = method_of(method);
	struct http_target t;
	const char *why;
	if (http_parse_target(&rs->arena, rs->uri, strlen(rs->uri), &t, &why))
		return fail(rs, 400, why);
	rs->log_path = t.path;
	req->path = t.path;
	req->query = t.query;
	req->n_query = t.n_query;
	struct http_match *m = http_alloc(req, sizeof *m);
	int found = req->method ? http_route_find(&rs->arena, http_tables(), req->method, t.path, m)
				: (memset(m, 0, sizeof *m), VB_ENOTFOUND);
	req->table = m->table;
	if (found) {
		if (!req->method)
			return fail(rs, 501, "unknown method");
		if (m->method_not_allowed) {
			http_error_body(req, &rs->res, 405, "this path does not take that method");
			allow_header(rs, m->allowed);
			return queue(rs);
		}
		return fail(rs, 404, "no such resource");
	}
	req->route = m->route;
	req->params = m->params;
	req->n_params = m->n_params;
	struct vb_err e;
	vb_err_clear(&e);
	req->store = http_pool_get(&srv->pool, &e);
	if (!req->store) {
		server_log("store", e.msg);
		return fail(rs, 503, "the store is not available");
	}
	if (http_authenticate(srv, req, &rs->res))
		return queue(rs);
	if (req->table->precheck && req->table->precheck(req, &rs->res))
		return queue(rs);
	const char *cl = http_header(req, "Content-Length");
	const char *te = http_header(req, "Transfer-Encoding");
	unsigned long long len = 0;
	if (cl) {
		char *end;
		errno = 0;
		len = strtoull(cl, &end, 10);
		if (errno || end == cl || *end || cl[0] == '-')
			return fail(rs, 400, "malformed Content-Length");
	}
	int has_body = len > 0 || (te && *te);
	req->content_type = http_header(req, "Content-Type");
	if (has_body) {
		if (!req->route->max_body)
			return fail(rs, 413, "this resource takes no request body");
		if (len > req->route->max_body) {
			char d[96];
			snprintf(d, sizeof d,
				 "the request body is larger than the limit of %zu bytes",
				 req->route->max_body);
			return fail(rs, 413, d);
		}
		if (req->route->consumes) {
			int ok = 0;
			for (size_t i = 0; req->route->consumes[i] && !ok; i++)
				ok = http_media_type_is(req->content_type, req->route->consumes[i]);
			if (!ok) {
				char d[256];
				snprintf(d, sizeof d, "send the body as %s",
					 req->route->consumes[0]);
				return fail(rs, 415, d);
			}
		}
		buf_init(&rs->body, req->route->max_body);
	}
	return MHD_YES;
}

static enum MHD_Result run(struct http_req_state *rs)
{
	struct http_request *req = &rs->req;
	req->body = rs->body.p ? rs->body.p : "";
	req->body_len = rs->body.len;
	rs->res.status = 200;
	int rc = req->route->handler(req, &rs->res);
	if (rc) {
		const char *d = rc == VB_ESTORE	     ? "the store failed"
				: rc == VB_ENOTFOUND ? HTTP_NOT_FOUND_DETAIL
				: rc == VB_EDENIED   ? "not allowed"
				: rc == VB_ENOMEM    ? "the response is too large"
						     : "the request failed";
		http_error_body(req, &rs->res, http_status_of(rc), d);
	}
	if (!rc && req->route->audit_action && rs->res.status < 300)
		http_audit(req, req->route->audit_action, http_param(req, "id"), "ok", NULL);
	return queue(rs);
}

static enum MHD_Result ahc(void *cls, struct MHD_Connection *conn, const char *url,
			   const char *method, const char *version, const char *upload_data,
			   size_t *upload_data_size, void **con_cls)
{
	(void)url;
	(void)version;
	struct http_req_state *rs = *con_cls;
	if (!rs)
		*con_cls = rs = req_new(cls, conn, url);
	rs->conn = conn;
	if (rs->phase == 0)
		return begin(rs, method);
	if (rs->phase == 2) {
		*upload_data_size = 0; /* answered already: drop the rest */
		return MHD_YES;
	}
	if (*upload_data_size) {
		if (!rs->body.max || buf_add(&rs->body, upload_data, *upload_data_size)) {
			/* Over the limit while streaming in (no Content-Length): try to
			 * answer 413; when the library cannot queue mid-body, close. */
			rs->status = 413;
			*upload_data_size = 0;
			char d[96];
			snprintf(d, sizeof d,
				 "the request body is larger than the limit of %zu bytes",
				 rs->req.route->max_body);
			http_error_body(&rs->req, &rs->res, 413, d);
			return queue(rs) == MHD_YES ? MHD_YES : MHD_NO;
		}
		*upload_data_size = 0;
		return MHD_YES;
	}
	return run(rs);
}

/* ---- start and stop ---- */

static int parse_listen(const char *s, struct sockaddr_storage *ss, socklen_t *len, int *v6)
{
	memset(ss, 0, sizeof *ss);
	char host[128];
	const char *port;
	if (s[0] == '[') {
		const char *e = strchr(s, ']');
		if (!e || e[1] != ':' || (size_t)(e - s - 1) >= sizeof host)
			return VB_EUSAGE;
		memcpy(host, s + 1, (size_t)(e - s - 1));
		host[e - s - 1] = 0;
		port = e + 2;
	} else {
		const char *c = strrchr(s, ':');
		if (!c || (size_t)(c - s) >= sizeof host)
			return VB_EUSAGE;
		memcpy(host, s, (size_t)(c - s));
		host[c - s] = 0;
		port = c + 1;
	}
	long p;
	if (parse_long(port, 0, 65535, &p))
		return VB_EUSAGE;
	struct sockaddr_in *a4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)ss;
	if (inet_pton(AF_INET, host, &a4->sin_addr) == 1) {
		a4->sin_family = AF_INET;
		a4->sin_port = htons((uint16_t)p);
		*len = sizeof *a4;
		*v6 = 0;
		return 0;
	}
	if (inet_pton(AF_INET6, host, &a6->sin6_addr) == 1) {
		a6->sin6_family = AF_INET6;
		a6->sin6_port = htons((uint16_t)p);
		*len = sizeof *a6;
		*v6 = 1;
		return 0;
	}
	return VB_EUSAGE;
}

static void sodium_rand(void *buf, size_t n)
{
	randombytes_buf(buf, n);
}

static char *read_pem(const char *path, const char *what)
{
	char *p = NULL, why[256];
	size_t n;
	if (file_read_all(path, 1 << 20, &p, &n, why, sizeof why)) {
		fprintf(stderr, "verbinding serve: %s %s: %s\n", what, path, why);
		return NULL;
	}
	return p;
}

int http_serve(const struct http_config *cfg)
{
	struct http_server *srv = xcalloc(1, sizeof *srv);
	srv->cfg = *cfg;
	srv->default_tlp = STORE_TLP_GREEN;
	if (cfg->unmarked_tlp && access_tlp_parse(cfg->unmarked_tlp, &srv->default_tlp)) {
		fprintf(stderr,
			"verbinding serve: --unmarked-tlp '%s': expected clear, green, "
			"amber, amber+strict or red\n",
			cfg->unmarked_tlp);
		free(srv);
		return VB_EUSAGE;
	}
	pthread_mutex_init(&srv->pool.mu, NULL);
	srv->pool.path = cfg->store_path;
	int rc = VB_EUSAGE;
	char *cert = NULL, *key = NULL;
	struct MHD_Daemon *d = NULL;

	/* Signals are taken by sigwait in this thread only; the server's
	 * threads inherit the blocked mask. */
	sigset_t sigs;
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	signal(SIGPIPE, SIG_IGN);

	struct vb_err e;
	vb_err_clear(&e);
	struct store *s = http_pool_get(&srv->pool, &e);
	if (!s) {
		fprintf(stderr, "verbinding serve: %s\n", e.msg);
		rc = VB_ESTORE;
		goto out;
	}
	rc = store_ident(s)->instance_key(s, sodium_rand, srv->key);
	http_pool_put(&srv->pool, s);
	if (rc) {
		fprintf(stderr, "verbinding serve: could not read the instance key\n");
		goto out;
	}
	srv->limiter = http_limiter_new(cfg->fail_limit ? cfg->fail_limit : 10,
					cfg->fail_window ? cfg->fail_window : 60);

	struct sockaddr_storage ss;
	socklen_t sl;
	int v6;
	if (parse_listen(cfg->listen ? cfg->listen : "127.0.0.1:8080", &ss, &sl, &v6)) {
		fprintf(stderr, "verbinding serve: --listen '%s': expected ADDR:PORT\n",
			cfg->listen);
		rc = VB_EUSAGE;
		goto out;
	}
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ITC | MHD_USE_ERROR_LOG;
	if (v6)
		flags |= MHD_USE_IPv6;
	if (cfg->thread_per_connection)
		flags |= MHD_USE_THREAD_PER_CONNECTION | MHD_USE_POLL;
	else
		flags |= MHD_USE_EPOLL;
	if (cfg->tls_cert || cfg->tls_key) {
		if (!cfg->tls_cert || !cfg->tls_key) {
			fprintf(stderr, "verbinding serve: --tls-cert and --tls-key go together\n");
			goto out;
		}
		if (MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES) {
			fprintf(stderr,
				"verbinding serve: this libmicrohttpd has no TLS support\n");
			goto out;
		}
		if (!(cert = read_pem(cfg->tls_cert, "--tls-cert")) ||
		    !(key = read_pem(cfg->tls_key, "--tls-key"))) {
			rc = VB_EIO;
			goto out;
		}
		flags |= MHD_USE_TLS;
		srv->tls = 1;
	}
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	unsigned threads = cfg->threads ? cfg->threads : (unsigned)(ncpu > 0 ? ncpu * 2 : 4);
	struct MHD_OptionItem opts[20];
	size_t no = 0;
	opts[no++] =
	    (struct MHD_OptionItem){MHD_OPTION_EXTERNAL_LOGGER, (intptr_t)mhd_logger, NULL};
	opts[no++] = (struct MHD_OptionItem){MHD_OPTION_SOCK_ADDR, 0, &ss};
	opts[no++] = (struct MHD_OptionItem){MHD_OPTION_URI_LOG_CALLBACK, (intptr_t)uri_cb, srv};
	opts[no++] = (struct MHD_OptionItem){MHD_OPTION_NOTIFY_CONNECTION, (intptr_t)conn_cb, srv};
	opts[no++] =
	    (struct MHD_OptionItem){MHD_OPTION_NOTIFY_COMPLETED, (intptr_t)completed_cb, srv};
	opts[no++] = (struct MHD_OptionItem){MHD_OPTION_CONNECTION_MEMORY_LIMIT,
					     (intptr_t)(HTTP_MAX_HEADER_BYTES * 2), NULL};
	opts[no++] = (struct MHD_OptionItem){
	    MHD_OPTION_CONNECTION_TIMEOUT, (intptr_t)(cfg->timeout_s ? cfg->timeout_s : 30), NULL};
	opts[no++] = (struct MHD_OptionItem){MHD_OPTION_CONNECTION_LIMIT, 1000, NULL};
	opts[no++] = (struct MHD_OptionItem){MHD_OPTION_LISTENING_ADDRESS_REUSE, 1, NULL};
	if (!cfg->thread_per_connection)
		opts[no++] = (struct MHD_OptionItem){MHD_OPTION_THREAD_POOL_SIZE, threads, NULL};
	if (srv->tls) {
		opts[no++] = (struct MHD_OptionItem){MHD_OPTION_HTTPS_MEM_CERT, 0, cert};
		opts[no++] = (struct MHD_OptionItem){MHD_OPTION_HTTPS_MEM_KEY, 0, key};
	}
	opts[no++] = (struct MHD_OptionItem){MHD_OPTION_END, 0, NULL};
	d = MHD_start_daemon(flags, 0, NULL, NULL, ahc, srv, MHD_OPTION_ARRAY, opts,
			     MHD_OPTION_END);
	if (!d) {
		fprintf(stderr, "verbinding serve: cannot listen on %s (%s)\n",
			cfg->listen ? cfg->listen : "127.0.0.1:8080", strerror(errno));
		rc = VB_EIO;
		goto out;
	}
	const union MHD_DaemonInfo *di = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
	char host[64];
	if (v6)
		inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&ss)->sin6_addr, host, sizeof host);
	else
		inet_ntop(AF_INET, &((struct sockaddr_in *)&ss)->sin_addr, host, sizeof host);
	/* The one line that is not JSON: test scripts and operators look for it. */
	fprintf(stderr, "listening on %s%s%s:%u%s\n", v6 ? "[" : "", host, v6 ? "]" : "",
		di ? (unsigned)di->port : 0, srv->tls ? " (TLS)" : "");
	fflush(stderr);
	log_start();
	char detail[160];
	snprintf(detail, sizeof detail, "%s, %u %s, public access %s",
		 cfg->thread_per_connection ? "thread per connection" : "worker pool",
		 cfg->thread_per_connection ? 0 : threads, "threads",
		 cfg->public_access ? "on" : "off");
	server_log("start", detail);
	fflush(stderr);

	int sig = 0;
	while (sigwait(&sigs, &sig) != 0)
		;
	server_log("stop", sig == SIGTERM ? "SIGTERM" : "SIGINT");
	/* Stop accepting; let requests in flight finish; then close. */
	MHD_socket lfd = MHD_quiesce_daemon(d);
	if (lfd != MHD_INVALID_SOCKET)
		close(lfd);
	for (int i = 0; i < SHUTDOWN_GRACE_S * 100 && atomic_load(&in_flight) > 0; i++) {
		struct timespec ts = {0, 10 * 1000 * 1000};
		nanosleep(&ts, NULL);
	}
	if (atomic_load(&in_flight) > 0)
		server_log("stop", "grace period over: closing the remaining connections");
	MHD_stop_daemon(d);
	d = NULL;
	server_log("stopped", NULL);
	log_stop();
	rc = 0;
out:
	if (d)
		MHD_stop_daemon(d);
	pool_close_all(&srv->pool);
	pthread_mutex_destroy(&srv->pool.mu);
	http_limiter_free(srv->limiter);
	if (key)
		sodium_memzero(key, strlen(key));
	free(cert);
	free(key);
	sodium_memzero(srv->key, sizeof srv->key);
	free(srv);
	return rc;
}
