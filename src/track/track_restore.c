/* track_restore.c — a recorded tracker state put back (replay): the
 * entries, their histories and the rest of tcp_info, the events and the
 * kernel rates, so the renderers and the live view read a replayed tick
 * through the same tracker calls as a live one. */
#include <stdlib.h>
#include <string.h>

#include "tcpscope/util.h"
#include "track_int.h"

static void restore_hist(struct tracker *t, struct tent *te, const struct track_restore *r)
{
	te->e.hist_ = 0;
	if (!r->nhist || !r->hist)
		return;
	t->hp = xgrow(t->hp, &t->hcap, t->nh + 1, sizeof *t->hp);
	struct thist *h = &t->hp[t->nh++];
	h->n = (uint32_t)(r->nhist < TRACK_HIST ? r->nhist : TRACK_HIST);
	memcpy(h->t, r->hist + (r->nhist - h->n), h->n * sizeof h->t[0]);
	te->e.hist_ = (uint32_t)t->nh;
}

void tracker_restore(struct tracker *t, const struct track_restore *r, size_t n,
		     const struct track_event *ev, size_t nev, const struct kstat_rates *rates,
		     uint64_t now_ns, double wall)
{
	ixmap_clear(&t->map);
	t->n = t->ntomb = t->nh = 0;
	t->hfree = 0;
	t->npend = t->nfill = 0;
	hmap_clear(&t->pmap);
	hmap_clear(&t->ptuple);
	bool any_tix = false;
	for (size_t i = 0; i < n; i++)
		any_tix |= !(r[i].e->flags & TRK_TOMB) && r[i].x && r[i].x->have;
	ixmap_reserve(&t->map, n);
	for (size_t i = 0; i < n; i++) {
		bool tomb = (r[i].e->flags & TRK_TOMB) != 0;
		struct tent *te;
		uint32_t sv;
		if (tomb) {
			t->tv = xgrow(t->tv, &t->tomb_cap, t->ntomb + 1, sizeof *t->tv);
			sv = (uint32_t)t->ntomb | SLOT_TOMB;
			te = &t->tv[t->ntomb++];
		} else {
			t->v = xgrow(t->v, &t->cap, t->n + 1, sizeof *t->v);
			if (any_tix) {
				t->tix = xgrow(t->tix, &t->tix_cap, t->cap, sizeof *t->tix);
				if (r[i].x && r[i].x->have)
					t->tix[t->n] = *r[i].x;
				else
					memset(&t->tix[t->n], 0, sizeof *t->tix);
			}
			sv = (uint32_t)t->n;
			te = &t->v[t->n++];
		}
		te->e = *r[i].e;
		te->c = *r[i].e->conn;
		te->e.gen_ = t->gen;
		restore_hist(t, te, &r[i]);
		/* A key recorded twice (a damaged frame cannot give one: the
		 * codec keeps keys as recorded) files the later entry. */
		ixmap_put(&t->map, te->e.key, sv);
	}
	if (!any_tix && t->tix) {
		free(t->tix);
		t->tix = NULL;
		t->tix_cap = 0;
	}
	track_list_rebuild(t);
	t->ev = xgrow(t->ev, &t->ev_cap, nev ? nev : 1, sizeof *t->ev);
	if (nev)
		memcpy(t->ev, ev, nev * sizeof *ev);
	t->nev = nev;
	if (rates)
		t->krates = *rates;
	else
		kstat_rates_compute(NULL, NULL, &t->krates);
	t->now = t->prev_ns = now_ns;
	t->wall = wall;
	t->open = false;
	t->baseline = false;
}
