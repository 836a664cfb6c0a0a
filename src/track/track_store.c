/* track_store.c — the tracker's storage primitives: keys, the key map's
 * lookups, and the event list. Shared by the update (track.c), destroy
 * events (track_destroy.c) and replay (track_restore.c); calls none of them. */
#include <malloc.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "track_int.h"

uint64_t track_tuple_hash(const struct conn *c, uint32_t inode)
{
	uint64_t k = hmap_mix(c->family ^ ((uint64_t)c->lport << 8) ^ ((uint64_t)c->rport << 24) ^
			      ((uint64_t)inode << 32));
	for (int i = 0; i < 4; i++) {
		k = hmap_mix(k ^ c->laddr.w[i]);
		k = hmap_mix(k ^ c->raddr.w[i]);
	}
	return k == HMAP_EMPTY ? HMAP_EMPTY - 1 : k;
}

uint64_t track_key(const struct conn *c)
{
	if (c->have & CONN_HAVE_COOKIE)
		return c->cookie == HMAP_EMPTY ? HMAP_EMPTY - 1 : c->cookie;
	return track_tuple_hash(c, c->inode);
}

static struct tent *slot_entry(const struct tracker *t, uint32_t sv)
{
	uint32_t ix = sv & ~SLOT_TOMB;
	return (sv & SLOT_TOMB) ? &t->tv[ix] : &t->v[ix];
}

uint64_t track_slot_key(const void *ctx, uint32_t sv)
{
	return slot_entry(ctx, sv)->e.key;
}

struct tent *track_map_get(const struct tracker *t, uint64_t key)
{
	uint32_t sv;
	return ixmap_get(&t->map, key, &sv) ? slot_entry(t, sv) : NULL;
}

/* --- small parts ------------------------------------------------------------ */

struct track_event *track_event_add(struct tracker *t, enum track_event_kind kind, double when)
{
	t->ev = xgrow(t->ev, &t->ev_cap, t->nev + 1, sizeof *t->ev);
	struct track_event *ev = &t->ev[t->nev++];
	memset(ev, 0, sizeof *ev);
	ev->kind = kind;
	ev->seen_by = SEEN_POLL;
	ev->time = when;
	ev->in_state_s = NAN;
	ev->lifetime_s = NAN;
	return ev;
}

const char *track_owner_comm(const struct track_entry *e, int32_t *pid)
{
	const struct conn *c = e->conn;
	/* The tracker's copy keeps the last owner known (TIME_WAIT, orphans). */
	if ((c->have & CONN_HAVE_PROC) && c->comm[0]) {
		if (pid)
			*pid = c->pid;
		return c->comm;
	}
	if (pid)
		*pid = -1;
	return NULL;
}

/* tracker_entries(): live entries, then tombs, each pointing at its own
 * sighting (arrays may have moved since the last update). */
void track_list_rebuild(struct tracker *t)
{
	t->layout_dirty = false;
	t->nlist = t->n + t->ntomb;
	t->list = xgrow(t->list, &t->list_cap, t->nlist ? t->nlist : 1, sizeof *t->list);
	for (size_t i = 0; i < t->n; i++) {
		t->v[i].e.conn = &t->v[i].c;
		t->list[i] = &t->v[i].e;
	}
	for (size_t i = 0; i < t->ntomb; i++) {
		t->tv[i].e.conn = &t->tv[i].c;
		t->list[t->n + i] = &t->tv[i].e;
	}
}

/* --- after a burst ---------------------------------------------------------
 *
 * Arrays grow by doubling and used to keep their largest size: a 2 s stall of
 * the event loop under 1,000 connections/s of churn left ~3.6 MB of event,
 * scratch and destroy-queue arrays resident for the process's life (the
 * soak's RSS step). An array of more than TRACK_KEEP elements that the last
 * update filled less than a quarter of is given back (it regrows on demand,
 * doubling again); glibc is then asked to return the freed pages. */
#define TRACK_KEEP 1024

static bool oversized(size_t used, size_t cap)
{
	return cap > TRACK_KEEP && used < cap / 4;
}

/* At the start of an update: the last update's events are no longer
 * readable (tracker_events() holds until the next update). */
void track_shrink_events(struct tracker *t)
{
	bool gave = false;
	if (oversized(t->nev, t->ev_cap)) {
		free(t->ev);
		t->ev = NULL;
		t->ev_cap = 0;
		gave = true;
	}
	if (oversized(t->nev, t->ev_tmp_cap)) { /* the sort's scratch, same size */
		free(t->ev_tmp);
		t->ev_tmp = NULL;
		t->ev_tmp_cap = 0;
		gave = true;
	}
	if (gave)
		malloc_trim(0);
}

/* At the end of an update, before the entry list is rebuilt (tomb indices
 * stay, their addresses may change): the settled destroy queue, and the
 * tomb array once the burst's tombs have expired. */
void track_shrink_after_burst(struct tracker *t)
{
	bool gave = false;
	if (t->npend == 0 && t->pend_cap > TRACK_KEEP) {
		free(t->pend);
		t->pend = NULL;
		t->pend_cap = 0;
		gave = true;
	}
	if (oversized(t->ntomb, t->tomb_cap)) {
		size_t cap = t->ntomb * 2 > 16 ? t->ntomb * 2 : 16;
		t->tv = xrealloc(t->tv, cap * sizeof *t->tv);
		t->layout_dirty = true;
		t->tomb_cap = cap;
		gave = true;
	}
	if (gave)
		malloc_trim(0);
}
