/* track_stub.c — a TEMPORARY minimal implementation of track.h so the UI
 * branch links and runs before the tracker branch lands. It matches by
 * cookie (or a 4-tuple hash), flags new/changed rows, keeps tombs and a
 * short transition history. No rates, no age estimates.
 *
 * DELETE THIS FILE when merging branch `tracker` (which owns src/track/).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "tcpscope/hmap.h"
#include "tcpscope/track.h"
#include "tcpscope/util.h"

struct tracker {
	struct track_opts o;
	struct track_entry *ents; /* owned */
	size_t n, cap;
	struct conn *tombc;       /* owned copies for tombs, parallel to ents */
	const struct track_entry **ptrs;
	size_t pcap;
	struct track_event *evs;
	size_t nev, evcap;
	struct hmap idx;          /* key → index in ents */
};

static uint64_t key_of(const struct conn *c)
{
	if (c->have & CONN_HAVE_COOKIE)
		return c->cookie;
	uint64_t h = hmap_mix(c->family);
	for (int i = 0; i < 4; i++)
		h = hmap_mix(h ^ c->laddr.w[i]) ^ hmap_mix(c->raddr.w[i] + 1);
	h = hmap_mix(h ^ ((uint64_t)c->lport << 16 | c->rport) ^ ((uint64_t)c->inode << 32));
	return h == HMAP_EMPTY ? 1 : h;
}

struct tracker *tracker_new(const struct track_opts *o)
{
	struct tracker *t = xcalloc(1, sizeof *t);
	t->o = *o;
	if (!(t->o.tomb_s > 0))
		t->o.tomb_s = 3;
	hmap_init(&t->idx);
	return t;
}

void tracker_free(struct tracker *t)
{
	if (!t)
		return;
	free(t->ents);
	free(t->tombc);
	free(t->ptrs);
	free(t->evs);
	hmap_done(&t->idx);
	free(t);
}

static void event(struct tracker *t, enum track_event_kind k, const struct conn *c, double wall,
		  uint8_t from, uint8_t to)
{
	t->evs = xgrow(t->evs, &t->evcap, t->nev + 1, sizeof *t->evs);
	struct track_event *ev = &t->evs[t->nev++];
	memset(ev, 0, sizeof *ev);
	ev->kind = k;
	ev->time = wall;
	ev->from = from;
	ev->to = to;
	ev->in_state_s = NAN;
	ev->lifetime_s = NAN;
	ev->conn = *c;
}

void tracker_update(struct tracker *t, const struct snapshot *snap)
{
	uint64_t now = snap->mono_ns;
	bool first = t->n == 0 && t->nev == 0 && t->cap == 0;
	t->nev = 0;
	/* Mark: every live entry unseen. */
	struct track_entry *old = t->ents;
	struct conn *oldc = t->tombc;
	size_t oldn = t->n;
	t->ents = NULL;
	t->tombc = NULL;
	t->n = t->cap = 0;
	size_t tcap = 0;
	unsigned char *seen = xcalloc(oldn ? oldn : 1, 1);
	for (size_t i = 0; i < snap->n; i++) {
		const struct conn *c = &snap->conns[i];
		uint64_t k = key_of(c);
		t->ents = xgrow(t->ents, &t->cap, t->n + 1, sizeof *t->ents);
		struct track_entry *e = &t->ents[t->n];
		uint32_t *pi = hmap_get(&t->idx, k);
		if (pi && *pi < oldn && !(old[*pi].flags & TRK_TOMB) && !seen[*pi]) {
			*e = old[*pi];
			seen[*pi] = 1;
			e->flags &= ~(TRK_NEW | TRK_CHANGED);
			if (e->conn->state != c->state) {
				/* e->conn points into the previous snapshot; the
				 * old state is remembered in hist / prev_state. */
			}
			uint8_t was = e->nhist ? e->hist[e->nhist - 1].to : e->prev_state;
			if (was != c->state) {
				e->flags |= TRK_CHANGED;
				e->prev_state = was;
				e->state_since_ns = now;
				if (e->nhist == TRACK_HIST) {
					memmove(e->hist, e->hist + 1, sizeof e->hist[0] * (TRACK_HIST - 1));
					e->nhist--;
				}
				e->hist[e->nhist++] = (struct track_transition){now, was, c->state};
				event(t, TEV_STATE, c, snap->wall, was, c->state);
			}
		} else {
			memset(e, 0, sizeof *e);
			e->key = k;
			e->first_seen_ns = now;
			e->state_since_ns = now;
			e->flags = first ? TRK_AGE_LOWER : TRK_NEW;
			e->prev_state = TCPS_UNKNOWN;
			e->hist[0] = (struct track_transition){now, TCPS_UNKNOWN, c->state};
			e->nhist = 1;
			e->last_pid = -1;
			if (!first)
				event(t, TEV_NEW, c, snap->wall, TCPS_UNKNOWN, c->state);
		}
		e->conn = c;
		e->rx_bps = e->tx_bps = e->retrans_per_s = NAN;
		if (c->have & CONN_HAVE_PROC) {
			e->last_pid = c->pid;
			memcpy(e->last_comm, c->comm, sizeof e->last_comm);
		}
		t->n++;
	}
	size_t nlive = t->n;
	/* Sweep: unseen live entries become tombs; old tombs age out. */
	for (size_t i = 0; i < oldn; i++) {
		if (seen[i])
			continue;
		struct track_entry *o = &old[i];
		bool tomb = o->flags & TRK_TOMB;
		if (tomb && (double)(now - o->tomb_ns) / 1e9 >= t->o.tomb_s)
			continue;
		t->ents = xgrow(t->ents, &t->cap, t->n + 1, sizeof *t->ents);
		struct track_entry *e = &t->ents[t->n];
		*e = *o;
		if (!tomb) {
			e->flags = (e->flags & ~(TRK_NEW | TRK_CHANGED)) | TRK_TOMB;
			e->tomb_ns = now;
			event(t, TEV_CLOSED, o->conn, snap->wall, o->conn->state, TCPS_CLOSE);
		}
		t->n++;
	}
	/* Tomb copies: own them so they outlive the old snapshot. */
	t->tombc = xgrow(NULL, &tcap, t->n - nlive + 1, sizeof *t->tombc);
	for (size_t i = nlive; i < t->n; i++) {
		t->tombc[i - nlive] = *t->ents[i].conn;
	}
	for (size_t i = nlive; i < t->n; i++)
		t->ents[i].conn = &t->tombc[i - nlive];
	free(old);
	free(oldc);
	free(seen);
	hmap_clear(&t->idx);
	t->ptrs = xgrow(t->ptrs, &t->pcap, t->n + 1, sizeof *t->ptrs);
	for (size_t i = 0; i < t->n; i++) {
		hmap_put(&t->idx, t->ents[i].key, (uint32_t)i);
		t->ptrs[i] = &t->ents[i];
	}
}

const struct track_entry *const *tracker_entries(const struct tracker *t, size_t *n)
{
	*n = t->n;
	return t->ptrs;
}

const struct track_event *tracker_events(const struct tracker *t, size_t *n)
{
	*n = t->nev;
	return t->evs;
}

const struct track_entry *tracker_find(const struct tracker *t, const struct conn *c)
{
	uint32_t *pi = hmap_get(&t->idx, key_of(c));
	return pi ? &t->ents[*pi] : NULL;
}

double track_state_age(const struct track_entry *e, uint64_t now_ns)
{
	return now_ns > e->state_since_ns ? (double)(now_ns - e->state_since_ns) / 1e9 : 0;
}
