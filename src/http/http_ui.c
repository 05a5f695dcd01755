/*
 * http_ui.c: the pages outside the API: a placeholder index (the web UI is
 * not built yet) and HTML error pages for every path no API table claims.
 * The server adds the Content-Security-Policy (with frame-ancestors
 * 'none'), X-Frame-Options and nosniff headers to these as to everything.
 */
#include "http.h"

#include <string.h>

static const char page_head[] =
    "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
    "<title>verbinding</title></head><body>\n";
static const char page_tail[] = "</body></html>\n";

/* Writes text with the five HTML special characters escaped. */
static void html_text(struct buf *b, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '<':
			buf_adds(b, "&lt;");
			break;
		case '>':
			buf_adds(b, "&gt;");
			break;
		case '&':
			buf_adds(b, "&amp;");
			break;
		case '"':
			buf_adds(b, "&quot;");
			break;
		case '\'':
			buf_adds(b, "&#39;");
			break;
		default:
			buf_addc(b, *s);
		}
	}
}

static void html_error(struct http_request *req, struct http_response *res, int status,
		       const char *title, const char *detail)
{
	(void)req;
	buf_reset(&res->body);
	buf_adds(&res->body, page_head);
	buf_printf(&res->body, "<h1>%d ", status);
	html_text(&res->body, title);
	buf_adds(&res->body, "</h1>\n<p>");
	html_text(&res->body, detail ? detail : "");
	buf_adds(&res->body, "</p>\n<p><a href=\"/\">verbinding</a></p>\n");
	buf_adds(&res->body, page_tail);
	res->content_type = "text/html; charset=utf-8";
}

static int ui_index(struct http_request *req, struct http_response *res)
{
	(void)req;
	buf_reset(&res->body);
	buf_adds(&res->body, page_head);
	buf_adds(&res->body, "<h1>verbinding</h1>\n"
			     "<p>The web interface is not built yet. The REST API lives under "
			     "<code>/api/v1</code>; its description is at "
			     "<a href=\"/api/v1/openapi.json\">/api/v1/openapi.json</a>.</p>\n");
	buf_adds(&res->body, page_tail);
	res->status = 200;
	res->content_type = "text/html; charset=utf-8";
	return 0;
}

static const struct http_route ui_routes[] = {
    {.method = HTTP_GET,
     .path = "/",
     .handler = ui_index,
     .auth = HTTP_AUTH_NONE,
     .summary = "Placeholder start page",
     .description = "An HTML page pointing to the API description; the web UI will live here.",
     .produces = "text/html"},
    {0},
};

const struct http_route_table http_ui_table = {
    .name = "ui",
    .prefix = "/",
    .routes = ui_routes,
    .error = html_error,
};
