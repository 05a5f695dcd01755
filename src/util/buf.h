/*
 * buf.h: a growable byte buffer with a maximum (after curl's dynbuf).
 *
 * Every append checks the maximum before it allocates, so hostile input meets
 * the limit before it meets malloc. The buffer owns its bytes; buf_free
 * releases them. The content is always NUL-terminated.
 */
#ifndef VB_BUF_H
#define VB_BUF_H

#include <stddef.h>

struct buf {
	char *p;
	size_t len, cap, max;
};

void buf_init(struct buf *b, size_t max);
void buf_free(struct buf *b);
void buf_reset(struct buf *b);
/* Return 0, or VB_ENOMEM when the maximum would be exceeded. */
int buf_add(struct buf *b, const void *p, size_t n);
int buf_addc(struct buf *b, char c);
int buf_adds(struct buf *b, const char *s);
int buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Append s as a JSON string literal with quotes and escapes. */
int buf_add_json_str(struct buf *b, const char *s, size_t n);
/* Hand the bytes to the caller (who frees them) and reset the buffer. */
char *buf_take(struct buf *b, size_t *len);

#endif
