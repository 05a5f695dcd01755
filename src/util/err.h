/*
 * err.h: the one error convention of verbinding.
 *
 * Functions return 0 on success or a negative VB_E* code. Functions that can
 * fail on bad input also fill a struct vb_err with a message and, when known,
 * a position (file, line:column or JSON pointer). The CLI maps codes to exit
 * statuses and the HTTP layer to status codes, each in one place.
 */
#ifndef VB_ERR_H
#define VB_ERR_H

#include <stddef.h>

enum {
	VB_OK = 0,
	VB_EUSAGE = -1,	   /* bad command line or request parameters */
	VB_EINPUT = -2,	   /* bad input data: malformed, invalid, over a limit */
	VB_ESTORE = -3,	   /* the store failed (I/O, corruption, schema) */
	VB_EIO = -4,	   /* a file could not be read or written */
	VB_ENOTFOUND = -5, /* no such object (or not visible: same answer) */
	VB_EDENIED = -6,   /* authenticated but not allowed */
	VB_ENOMEM = -7,	   /* allocation failed or a memory limit was reached */
	VB_ECONFLICT = -8, /* the write conflicts with what is stored */
};

/* Process exit statuses, documented in --help and the README. */
enum {
	VB_EXIT_OK = 0,
	VB_EXIT_USAGE = 1,
	VB_EXIT_INPUT = 2,
	VB_EXIT_STORE = 3,
	VB_EXIT_IO = 4,
	VB_EXIT_NOTFOUND = 5,
	VB_EXIT_DENIED = 6,
};

struct vb_err {
	int code;
	char file[256];	   /* input name, empty when not about a file */
	long line, column; /* 1-based; 0 when unknown */
	char pointer[160]; /* JSON pointer inside the object, may be empty */
	char msg[512];
};

/* vb_err_set formats msg and sets code; returns code so callers can
 * `return vb_err_set(e, VB_EINPUT, ...)`. e may be NULL. */
int vb_err_set(struct vb_err *e, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void vb_err_clear(struct vb_err *e);
/* Writes "file:line:col: pointer: msg" (parts that are unknown left out). */
void vb_err_format(const struct vb_err *e, char *out, size_t cap);
int vb_exit_code(int code);
const char *vb_strerror(int code);

#endif
