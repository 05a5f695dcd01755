/* jsonfmt.h: re-indenting compact JSON for people (two spaces, "key": value). */
#ifndef VB_JSONFMT_H
#define VB_JSONFMT_H

#include "buf.h"

/* Appends s (valid JSON, n bytes) to out, indented. Returns 0 or VB_ENOMEM. */
int json_pretty(struct buf *out, const char *s, size_t n);

#endif
