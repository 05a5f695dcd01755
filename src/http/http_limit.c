/*
 * http_limit.c: a small in-memory limiter of failed authentications, keyed
 * by remote address ("ip:127.0.0.1") and by user name ("user:alice"). After
 * max_fail failures inside one window the key is blocked for a window; the
 * server answers 429 with Retry-After meanwhile, before it looks at any
 * credential (so a blocked guesser learns nothing, not even a right guess).
 *
 * A fixed table of slots (no growth: an attacker cycling through keys
 * evicts the oldest entry, never allocates), one mutex.
 */
#include "http_internal.h"
#include "../util/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#define LIMIT_SLOTS 4096
#define LIMIT_PROBE 16
#define LIMIT_KEY   96

struct slot {
	char key[LIMIT_KEY];
	int64_t window_start, blocked_until, touched;
	unsigned fails;
};

struct http_limiter {
	pthread_mutex_t mu;
	unsigned max_fail;
	int64_t window_us;
	struct slot slots[LIMIT_SLOTS];
};

struct http_limiter *http_limiter_new(unsigned max_fail, unsigned window_s)
{
	struct http_limiter *l = xcalloc(1, sizeof *l);
	pthread_mutex_init(&l->mu, NULL);
	l->max_fail = max_fail ? max_fail : 1;
	l->window_us = (int64_t)(window_s ? window_s : 1) * 1000000;
	return l;
}

void http_limiter_free(struct http_limiter *l)
{
	if (!l)
		return;
	pthread_mutex_destroy(&l->mu);
	free(l);
}

static int rank(const struct slot *s, int64_t now)
{
	return !s->key[0] ? 0 : s->blocked_until <= now ? 1 : 2;
}

/* The slot of key, or NULL; with create, a free or the least recently
 * touched slot among the probed ones is taken over. Called locked. */
static struct slot *find(struct http_limiter *l, const char *key, int create, int64_t now)
{
	char k[LIMIT_KEY];
	snprintf(k, sizeof k, "%s", key);
	size_t h = (size_t)XXH3_64bits(k, strlen(k));
	struct slot *victim = NULL;
	for (size_t i = 0; i < LIMIT_PROBE; i++) {
		struct slot *s = &l->slots[(h + i) % LIMIT_SLOTS];
		if (s->key[0] && strcmp(s->key, k) == 0)
			return s;
		/* Prefer an empty slot, then one not blocked (so flooding keys
		 * into a bucket does not lift a block), then the oldest. */
		if (!victim || rank(s, now) < rank(victim, now) ||
		    (rank(s, now) == rank(victim, now) && s->touched < victim->touched))
			victim = s;
	}
	if (!create)
		return NULL;
	memset(victim, 0, sizeof *victim);
	memcpy(victim->key, k, sizeof k);
	return victim;
}

int http_limiter_blocked(struct http_limiter *l, const char *key, int64_t now_us, int *retry_after)
{
	pthread_mutex_lock(&l->mu);
	struct slot *s = find(l, key, 0, now_us);
	int blocked = s && s->blocked_until > now_us;
	if (blocked)
		*retry_after = (int)((s->blocked_until - now_us + 999999) / 1000000);
	pthread_mutex_unlock(&l->mu);
	return blocked;
}

void http_limiter_fail(struct http_limiter *l, const char *key, int64_t now_us)
{
	pthread_mutex_lock(&l->mu);
	struct slot *s = find(l, key, 1, now_us);
	if (now_us - s->window_start > l->window_us) {
		s->window_start = now_us;
		s->fails = 0;
	}
	s->touched = now_us;
	if (++s->fails >= l->max_fail)
		s->blocked_until = now_us + l->window_us;
	pthread_mutex_unlock(&l->mu);
}

void http_limiter_clear(struct http_limiter *l, const char *key)
{
	pthread_mutex_lock(&l->mu);
	struct slot *s = find(l, key, 0, 0);
	/* A success clears the count but not a block in force. */
	if (s && s->blocked_until == 0)
		s->fails = 0;
	pthread_mutex_unlock(&l->mu);
}
