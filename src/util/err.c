/* err.c: formatting of error records and mapping of codes to exit statuses. */
#include "err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int vb_err_set(struct vb_err *e, int code, const char *fmt, ...)
{
	if (!e)
		return code;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof e->msg, fmt, ap);
	va_end(ap);
	e->code = code;
	return code;
}

void vb_err_clear(struct vb_err *e)
{
	if (e)
		memset(e, 0, sizeof *e);
}

static void append(char *out, size_t cap, size_t *n, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void append(char *out, size_t cap, size_t *n, const char *fmt, ...)
{
	if (*n + 1 >= cap)
		return;
	va_list ap;
	va_start(ap, fmt);
	int k = vsnprintf(out + *n, cap - *n, fmt, ap);
	va_end(ap);
	if (k > 0)
		*n = (size_t)k < cap - *n ? *n + (size_t)k : cap - 1;
}

void vb_err_format(const struct vb_err *e, char *out, size_t cap)
{
	size_t n = 0;
	out[0] = 0;
	if (e->file[0]) {
		append(out, cap, &n, "%s", e->file);
		if (e->line > 0)
			append(out, cap, &n, ":%ld", e->line);
		if (e->column > 0)
			append(out, cap, &n, ":%ld", e->column);
		append(out, cap, &n, ": ");
	}
	if (e->pointer[0])
		append(out, cap, &n, "%s: ", e->pointer);
	append(out, cap, &n, "%s", e->msg[0] ? e->msg : vb_strerror(e->code));
}

int vb_exit_code(int code)
{
	switch (code) {
	case VB_OK:
		return VB_EXIT_OK;
	case VB_EUSAGE:
		return VB_EXIT_USAGE;
	case VB_EINPUT:
	case VB_ECONFLICT:
		return VB_EXIT_INPUT;
	case VB_EIO:
		return VB_EXIT_IO;
	case VB_ENOTFOUND:
		return VB_EXIT_NOTFOUND;
	case VB_EDENIED:
		return VB_EXIT_DENIED;
	default:
		return VB_EXIT_STORE;
	}
}

const char *vb_strerror(int code)
{
	switch (code) {
	case VB_OK:
		return "ok";
	case VB_EUSAGE:
		return "usage error";
	case VB_EINPUT:
		return "invalid input";
	case VB_ESTORE:
		return "store error";
	case VB_EIO:
		return "I/O error";
	case VB_ENOTFOUND:
		return "not found";
	case VB_EDENIED:
		return "access denied";
	case VB_ENOMEM:
		return "out of memory";
	case VB_ECONFLICT:
		return "conflict";
	}
	return "unknown error";
}
