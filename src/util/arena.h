/*
 * arena.h: a bump allocator whose memory is released all at once. Used where
 * many small pieces share one lifetime (a file's staged objects).
 */
#ifndef VB_ARENA_H
#define VB_ARENA_H

#include <stddef.h>

struct arena_chunk;
struct arena {
	struct arena_chunk *head;
	size_t used; /* bytes handed out since the last reset */
};

/* Aligned memory that lives until arena_reset or arena_free; aborts on OOM. */
void *arena_alloc(struct arena *a, size_t n);
/* A NUL-terminated copy of n bytes of s (s may be NULL: returns NULL). */
char *arena_strndup(struct arena *a, const char *s, size_t n);
char *arena_strdup(struct arena *a, const char *s);
/* Forgets everything handed out, keeping one chunk for reuse. */
void arena_reset(struct arena *a);
void arena_free(struct arena *a);

#endif
