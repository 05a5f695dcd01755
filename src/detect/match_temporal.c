/*
 * match_temporal.c: patterns with several observations or with qualifiers,
 * evaluated over the observation matches the scan kept (struct obsrec).
 *
 * Every kept record says "observation k of complex indicator x matched the
 * event at time t (order seq)". After the scan the records are sorted by
 * indicator and time, and each indicator's observation tree is evaluated
 * bottom-up into "firings": sets of events that satisfy a subtree, each
 * described by its earliest and latest time and order. Events are ordered
 * by (time, order in the input); events without a time have time 0.
 *
 * Semantics implemented (the STIX 2.1 text leaves room; these are the
 * choices):
 *  - [expr]            one firing per matching event.
 *  - A OR B            the firings of either.
 *  - A AND B           for each firing of one side, combined with the most
 *                      recent firing so far of every other side (the
 *                      combination with the tightest window ending there);
 *                      two sides never use the same single event.
 *  - A FOLLOWEDBY B    a firing of B combined with the firing of A that
 *                      ended last strictly before B's first event.
 *  - START t1 STOP t2  only events with t1 <= time < t2 are considered.
 *  - REPEATS n TIMES   n firings in a row that share no event form one
 *                      firing; groups do not overlap (the next group
 *                      starts after the previous one ended).
 *  - WITHIN n SECONDS  a firing counts only when its events span at most n
 *                      seconds; with REPEATS, the n repetitions must fit.
 * Each firing of the whole pattern is one sighting count; first_seen and
 * last_seen are the earliest and latest event times of the firings, and the
 * hit line names the event that completed the firing.
 *
 * Memory is bounded by the number of records the contexts kept (at most
 * MAX_OBSREC each; more are counted as dropped and reported) and is freed
 * after each indicator.
 */
#include "match_int.h"
#include "../util/util.h"

#include <stdlib.h>
#include <string.h>

struct firing {
	int64_t t0, t1;	 /* earliest, latest event time */
	uint64_t s0, s1; /* earliest, latest event order */
	const struct obsrec *last;
};

struct flist {
	struct firing *f;
	size_t n, cap;
};

static void fl_push(struct flist *l, struct firing f)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 16;
		l->f = xrealloc(l->f, l->cap * sizeof *l->f);
	}
	l->f[l->n++] = f;
}

/* (t, s) < (u, r) */
static int before(int64_t t, uint64_t s, int64_t u, uint64_t r)
{
	return t < u || (t == u && s < r);
}

static int by_end(const void *a, const void *b)
{
	const struct firing *x = a, *y = b;
	if (before(x->t1, x->s1, y->t1, y->s1))
		return -1;
	return before(y->t1, y->s1, x->t1, x->s1);
}

static int by_start(const void *a, const void *b)
{
	const struct firing *x = a, *y = b;
	if (before(x->t0, x->s0, y->t0, y->s0))
		return -1;
	return before(y->t0, y->s0, x->t0, x->s0);
}

static int rec_cmp(const void *a, const void *b)
{
	const struct obsrec *x = a, *y = b;
	if (x->cx != y->cx)
		return x->cx < y->cx ? -1 : 1;
	if (x->ts != y->ts)
		return x->ts < y->ts ? -1 : 1;
	if (x->seq != y->seq)
		return x->seq < y->seq ? -1 : 1;
	return x->obs < y->obs ? -1 : x->obs > y->obs;
}

struct tctx {
	const struct matcher *m;
	const struct obsrec *r; /* this indicator's records, sorted */
	size_t n;
};

static struct flist eval(struct tctx *t, uint32_t node);

static void apply_quals(const struct m_obs *o, struct flist *l)
{
	if (o->quals & PATTERN_Q_STARTSTOP) {
		size_t w = 0;
		for (size_t i = 0; i < l->n; i++)
			if (l->f[i].t0 >= o->start && l->f[i].t1 < o->stop)
				l->f[w++] = l->f[i];
		l->n = w;
	}
	if (o->quals & PATTERN_Q_REPEATS) {
		struct flist out = {0};
		size_t need = (size_t)o->repeats;
		if (l->n)
			qsort(l->f, l->n, sizeof *l->f, by_end);
		size_t start = 0;
		while (need && start + need <= l->n) {
			/* The window l->f[start .. start + need): disjoint in order. */
			size_t end = start + need;
			int ok = 1;
			size_t bad_at = start;
			for (size_t i = start + 1; i < end; i++)
				if (!before(l->f[i - 1].t1, l->f[i - 1].s1, l->f[i].t0,
					    l->f[i].s0)) {
					ok = 0;
					bad_at = i;
					break;
				}
			struct firing g = l->f[end - 1];
			for (size_t i = start; ok && i < end; i++)
				if (before(l->f[i].t0, l->f[i].s0, g.t0, g.s0)) {
					g.t0 = l->f[i].t0;
					g.s0 = l->f[i].s0;
				}
			if (ok && (o->quals & PATTERN_Q_WITHIN) && g.t1 - g.t0 > o->within)
				ok = 0;
			if (ok) {
				fl_push(&out, g);
				start = end;
			} else {
				start = bad_at > start ? bad_at : start + 1;
			}
		}
		free(l->f);
		*l = out;
	} else if (o->quals & PATTERN_Q_WITHIN) {
		size_t w = 0;
		for (size_t i = 0; i < l->n; i++)
			if (l->f[i].t1 - l->f[i].t0 <= o->within)
				l->f[w++] = l->f[i];
		l->n = w;
	}
}

static struct flist eval_and(struct tctx *t, const struct m_obs *o)
{
	size_t k = o->n;
	struct flist out = {0};
	struct flist *ch = xcalloc(k, sizeof *ch);
	struct firing *best = xcalloc(k, sizeof *best);
	int *have = xcalloc(k, sizeof *have);
	size_t *pos = xcalloc(k, sizeof *pos);
	for (size_t i = 0; i < k; i++) {
		ch[i] = eval(t, VEC_AT(&t->m->kids, uint32_t, o->first + i));
		if (ch[i].n)
			qsort(ch[i].f, ch[i].n, sizeof *ch[i].f, by_end);
	}
	/* Walk all children's firings in order of completion. */
	for (;;) {
		size_t pick = k;
		for (size_t i = 0; i < k; i++)
			if (pos[i] < ch[i].n &&
			    (pick == k ||
			     before(ch[i].f[pos[i]].t1, ch[i].f[pos[i]].s1,
				    ch[pick].f[pos[pick]].t1, ch[pick].f[pos[pick]].s1)))
				pick = i;
		if (pick == k)
			break;
		struct firing f = ch[pick].f[pos[pick]++];
		struct firing g = f;
		int ok = 1;
		for (size_t i = 0; i < k && ok; i++) {
			if (i == pick)
				continue;
			if (!have[i]) {
				ok = 0;
				break;
			}
			const struct firing *b = &best[i];
			/* Two sides may not be the same single event. */
			if (b->s0 == b->s1 && f.s0 == f.s1 && b->s0 == f.s0) {
				ok = 0;
				break;
			}
			if (before(b->t0, b->s0, g.t0, g.s0)) {
				g.t0 = b->t0;
				g.s0 = b->s0;
			}
		}
		if (ok)
			fl_push(&out, g);
		if (!have[pick] || before(best[pick].t0, best[pick].s0, f.t0, f.s0)) {
			best[pick] = f;
			have[pick] = 1;
		}
	}
	for (size_t i = 0; i < k; i++)
		free(ch[i].f);
	free(ch);
	free(best);
	free(have);
	free(pos);
	return out;
}

static struct flist eval_followedby(struct tctx *t, const struct m_obs *o)
{
	struct flist prev = eval(t, VEC_AT(&t->m->kids, uint32_t, o->first));
	for (uint32_t j = 1; j < o->n; j++) {
		struct flist cur = eval(t, VEC_AT(&t->m->kids, uint32_t, o->first + j));
		if (prev.n)
			qsort(prev.f, prev.n, sizeof *prev.f, by_end);
		if (cur.n)
			qsort(cur.f, cur.n, sizeof *cur.f, by_start);
		struct flist out = {0};
		size_t p = 0;
		int have = 0;
		struct firing best = {0};
		for (size_t i = 0; i < cur.n; i++) {
			const struct firing *f = &cur.f[i];
			/* Every earlier firing that ended before f began. */
			while (p < prev.n && before(prev.f[p].t1, prev.f[p].s1, f->t0, f->s0)) {
				if (!have || before(best.t0, best.s0, prev.f[p].t0, prev.f[p].s0))
					best = prev.f[p];
				have = 1;
				p++;
			}
			if (!have)
				continue;
			fl_push(&out, (struct firing){best.t0, f->t1, best.s0, f->s1, f->last});
		}
		free(prev.f);
		free(cur.f);
		prev = out;
	}
	return prev;
}

static struct flist eval(struct tctx *t, uint32_t node)
{
	const struct m_obs *o = &VEC_AT(&t->m->obs, struct m_obs, node);
	struct flist l = {0};
	switch (o->kind) {
	case OB_OBS:
		for (size_t i = 0; i < t->n; i++)
			if (t->r[i].obs == o->index)
				fl_push(&l, (struct firing){t->r[i].ts, t->r[i].ts, t->r[i].seq,
							    t->r[i].seq, &t->r[i]});
		break;
	case OB_OR:
		for (uint32_t i = 0; i < o->n; i++) {
			struct flist c = eval(t, VEC_AT(&t->m->kids, uint32_t, o->first + i));
			for (size_t k = 0; k < c.n; k++)
				fl_push(&l, c.f[k]);
			free(c.f);
		}
		break;
	case OB_AND:
		l = eval_and(t, o);
		break;
	case OB_FOLLOWEDBY:
		l = eval_followedby(t, o);
		break;
	case OB_GROUP:
		l = eval(t, VEC_AT(&t->m->kids, uint32_t, o->first));
		break;
	}
	apply_quals(o, &l);
	return l;
}

void match_temporal(const struct matcher *m, struct obsrec *recs, size_t n, struct match_ctx *into)
{
	if (n)
		qsort(recs, n, sizeof *recs, rec_cmp);
	size_t i = 0;
	while (i < n) {
		size_t j = i;
		while (j < n && recs[j].cx == recs[i].cx)
			j++;
		/* Duplicates of one observation on one event (several anchors
		 * hit) count once. */
		size_t w = i;
		for (size_t k = i; k < j; k++) {
			if (w > i && recs[w - 1].seq == recs[k].seq &&
			    recs[w - 1].obs == recs[k].obs && recs[w - 1].ts == recs[k].ts)
				continue;
			recs[w++] = recs[k];
		}
		const struct m_cx *x = &VEC_AT(&m->cx, struct m_cx, recs[i].cx);
		struct tctx t = {m, recs + i, w - i};
		struct flist l = eval(&t, x->root);
		if (l.n)
			qsort(l.f, l.n, sizeof *l.f, by_end);
		for (size_t k = 0; k < l.n; k++)
			match_report_firing(into, recs[i].cx, l.f[k].last, l.f[k].t0);
		free(l.f);
		i = j;
	}
}
