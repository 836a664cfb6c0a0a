/* track.c — the diff engine: match by key, mark, sweep, tombs, rates.
 *
 * Each socket is one struct tent: the tracker's own copy of its latest
 * sighting plus what was learned about it. Live entries are one array,
 * tombs another, both found by key through one map of 4-byte slots. A
 * sighting is compared with the copy it replaces (state change, counter
 * deltas), so nothing is kept twice; a streamed poll (tracker_sink) hands
 * the sockets over a few hundred at a time. An update is O(sockets + tombs
 * + pending destroy events) and allocates only when the population grows.
 */
#include "tcpscope/track.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "track_int.h"

static void sink_put(void *ctx, const struct snapshot *part);
static struct conn *sink_conns(void *ctx, size_t *n, size_t *stride);

struct tracker *tracker_new(const struct track_opts *o)
{
	struct tracker *t = xcalloc(1, sizeof *t);
	t->layout_dirty = true;
	t->o.tomb_s = TRACK_TOMB_S_DEFAULT;
	if (o)
		t->o = *o;
	if (!(t->o.tomb_s >= 0))
		t->o.tomb_s = TRACK_TOMB_S_DEFAULT;
	ixmap_init(&t->map, track_slot_key, t);
	hmap_init(&t->pmap);
	hmap_init(&t->ptuple);
	t->sink = (struct snapshot_sink){t, sink_put, sink_conns};
	kstat_rates_compute(NULL, NULL, &t->krates);
	return t;
}

void tracker_set_tomb_s(struct tracker *t, double tomb_s)
{
	if (tomb_s >= 0)
		t->o.tomb_s = tomb_s;
}

void tracker_free(struct tracker *t)
{
	if (!t)
		return;
	free(t->v);
	free(t->tv);
	ixmap_done(&t->map);
	free(t->tix);
	free(t->hp);
	free(t->list);
	free(t->ev);
	free(t->fill);
	free(t->ev_tmp);
	free(t->pend);
	free(t->look);
	hmap_done(&t->pmap);
	hmap_done(&t->ptuple);
	free(t);
}

/* --- the key map ----------------------------------------------------------- */

double track_state_age(const struct track_entry *e, uint64_t now_ns)
{
	if ((e->flags & TRK_TOMB) && e->tomb_ns && e->tomb_ns < now_ns)
		now_ns = e->tomb_ns;
	if (now_ns <= e->state_since_ns)
		return 0.0;
	return (double)(now_ns - e->state_since_ns) / 1e9;
}

const struct track_entry *const *tracker_entries(const struct tracker *t, size_t *n)
{
	*n = t->nlist;
	return t->list;
}

const struct track_event *tracker_events(const struct tracker *t, size_t *n)
{
	*n = t->nev;
	return t->ev;
}

const struct track_transition *tracker_history(const struct tracker *t, uint64_t key, size_t *n)
{
	const struct tent *te = track_map_get(t, key);
	*n = 0;
	if (!te || !te->e.hist_)
		return NULL;
	const struct thist *h = &t->hp[te->e.hist_ - 1];
	*n = h->n;
	return h->t;
}

static void hist_push(struct tracker *t, struct tent *te, struct track_transition tr)
{
	if (!te->e.hist_) {
		uint32_t ix;
		if (t->hfree) {
			ix = t->hfree - 1;
			t->hfree = t->hp[ix].n;
		} else {
			t->hp = xgrow(t->hp, &t->hcap, t->nh + 1, sizeof *t->hp);
			ix = (uint32_t)t->nh++;
		}
		t->hp[ix].n = 0;
		te->e.hist_ = ix + 1;
	}
	struct thist *h = &t->hp[te->e.hist_ - 1];
	if (h->n == TRACK_HIST) {
		memmove(h->t, h->t + 1, sizeof h->t[0] * (TRACK_HIST - 1));
		h->n--;
	}
	h->t[h->n++] = tr;
}

static void hist_release(struct tracker *t, struct tent *te)
{
	if (!te->e.hist_)
		return;
	t->hp[te->e.hist_ - 1].n = t->hfree;
	t->hfree = te->e.hist_;
	te->e.hist_ = 0;
}

const struct track_entry *tracker_find(const struct tracker *t, const struct conn *c)
{
	const struct tent *te = track_map_get(t, track_key(c));
	return te ? &te->e : NULL;
}

const struct conn_tcpinfo_x *tracker_tix(const struct tracker *t, const struct track_entry *e)
{
	const struct tent *te = (const struct tent *)e;
	if (!t->tix || !t->n || te < t->v || te >= t->v + t->n)
		return NULL;
	const struct conn_tcpinfo_x *x = &t->tix[te - t->v];
	return x->have || x->have_mem ? x : NULL;
}

const struct snapshot_sink *tracker_sink(struct tracker *t)
{
	return &t->sink;
}

const struct kstat_rates *tracker_kstat_rates(const struct tracker *t)
{
	return &t->krates;
}

const struct track_stats *tracker_stats(const struct tracker *t)
{
	return &t->stats;
}

/* The event's conn is the live entry's, copied when the update finishes:
 * by then process attribution has filled the owner. */
static void event_fill_later(struct tracker *t, const struct track_event *ev, size_t ent)
{
	t->fill = xgrow(t->fill, &t->fill_cap, t->nfill + 1, sizeof *t->fill);
	t->fill[t->nfill++] = (struct evfill){(uint32_t)(ev - t->ev), (uint32_t)ent};
}

/* Kernel evidence of how long a socket first seen now has been in its
 * state: TIME_WAIT's timer counts down from 60 s; in CLOSE_WAIT the peer's
 * FIN was the last segment received, so last_ack_recv ages with the state. */
static bool state_evidence(const struct conn *c, uint64_t *elapsed_ns)
{
	if (c->state == TCPS_TIME_WAIT && (c->have & CONN_HAVE_TIMER) &&
	    c->timer == TIMER_TIMEWAIT && c->timer_ms <= TW_TOTAL_MS) {
		*elapsed_ns = (uint64_t)(TW_TOTAL_MS - c->timer_ms) * 1000000ull;
		return true;
	}
	if (c->state == TCPS_CLOSE_WAIT && (c->ti.have & TI_BASE)) {
		*elapsed_ns = (uint64_t)c->ti.last_ack_recv_ms * 1000000ull;
		return true;
	}
	return false;
}

float track_counter_rate(uint64_t prev, uint64_t cur, bool is32, uint64_t dt_ns)
{
	uint64_t d;
	if (cur >= prev)
		d = cur - prev;
	else if (is32 && prev >= 0xC0000000u && cur < 0x40000000u)
		d = cur + 0x100000000ull - prev;
	else
		return NAN;
	return dt_ns ? (float)((double)d / ((double)dt_ns / 1e9)) : NAN;
}

bool track_has_counters(const struct conn *c)
{
	return (c->ti.have & TI_BYTES_ACKED) && (c->ti.have & TI_BASE);
}

/* Rates between the entry's previous sighting (te->c, read by the previous
 * update at prev_ns) and `c`, before `c` replaces it. */
static void rates_update(struct tracker *t, struct tent *te, const struct conn *c)
{
	struct track_entry *e = &te->e;
	e->rx_bps = e->tx_bps = e->retrans_per_s = NAN;
	const struct conn *o = &te->c;
	if ((uint16_t)(te->e.gen_ + 1) != t->gen || !track_has_counters(o) ||
	    !track_has_counters(c) || t->now <= t->prev_ns)
		return;
	uint64_t dt = t->now - t->prev_ns;
	e->rx_bps = track_counter_rate(o->ti.bytes_received, c->ti.bytes_received, false, dt);
	e->tx_bps = track_counter_rate(o->ti.bytes_acked, c->ti.bytes_acked, false, dt);
	e->retrans_per_s = track_counter_rate(o->ti.total_retrans, c->ti.total_retrans, true, dt);
}

/* Take `c` as the entry's sighting. A sighting without an owner (TIME_WAIT
 * has inode 0; an orphan has no process) keeps the last owner known. */
static void take_sighting(struct tracker *t, size_t ix, const struct conn *c,
			  const struct conn_tcpinfo_x *x)
{
	struct tent *te = &t->v[ix];
	/* The cgroup too (TIME_WAIT and request sockets carry none). */
	uint64_t cg = (te->c.have & CONN_HAVE_CGROUP) ? te->c.cgroup_id : 0;
	if (!(c->have & CONN_HAVE_PROC) && (te->c.have & CONN_HAVE_PROC) && te->c.pid >= 0) {
		int32_t pid = te->c.pid;
		uint16_t np = te->c.nprocs;
		char comm[CONN_COMM_LEN];
		memcpy(comm, te->c.comm, sizeof comm);
		te->c = *c;
		te->c.pid = pid;
		te->c.nprocs = np ? np : 1;
		memcpy(te->c.comm, comm, sizeof comm);
		te->c.have |= CONN_HAVE_PROC;
	} else {
		te->c = *c;
	}
	if (cg && !(c->have & CONN_HAVE_CGROUP)) {
		te->c.cgroup_id = cg;
		te->c.have |= CONN_HAVE_CGROUP;
	}
	if (t->tix) {
		/* Drops rising is a per-socket trouble sign (the live view colours it). */
		const struct conn_skmem *om = &t->tix[ix].mem;
		if (x && x->have_mem && t->tix[ix].have_mem && x->mem.drops > om->drops)
			te->e.flags |= TRK_DROPS_ROSE;
		else
			te->e.flags &= ~(uint32_t)TRK_DROPS_ROSE;
		if (x)
			t->tix[ix] = *x;
		else
			memset(&t->tix[ix], 0, sizeof t->tix[ix]);
	}
}

/* Room for one more live entry (and its side tcp_info when collected). */
static size_t live_append(struct tracker *t)
{
	t->v = xgrow(t->v, &t->cap, t->n + 1, sizeof *t->v);
	t->layout_dirty = true;
	if (t->tix) {
		t->tix = xgrow(t->tix, &t->tix_cap, t->cap, sizeof *t->tix);
		/* A new entry has no earlier sighting (take_sighting compares
		 * socket memory with it). */
		memset(&t->tix[t->n], 0, sizeof *t->tix);
	}
	return t->n++;
}

/* What the tracker knows of a socket at its first sighting: its age from
 * the kernel's evidence, else "at least since the first poll". */
static void entry_init(struct tracker *t, struct track_entry *e, const struct conn *c,
		       uint64_t key)
{
	uint64_t now = t->now;
	e->key = key;
	e->first_seen_ns = now;
	e->state_since_ns = now;
	e->prev_state = TCPS_UNKNOWN;
	e->rx_bps = e->tx_bps = e->retrans_per_s = NAN;
	e->gen_ = t->gen;
	if (t->baseline)
		e->flags |= TRK_P_BORN_LOWER;
	uint64_t el;
	if (state_evidence(c, &el)) {
		/* Born since the last poll: it cannot have been in this state longer. */
		if (!t->baseline && t->prev_ns && el > now - t->prev_ns)
			el = now - t->prev_ns;
		e->state_since_ns = el < now ? now - el : 0;
		e->first_seen_ns = e->state_since_ns;
		e->flags |= TRK_AGE_ESTIMATED;
	} else if (t->baseline) {
		e->flags |= TRK_AGE_LOWER;
	}
	if (!t->baseline)
		e->flags |= TRK_NEW;
}

static void entry_new(struct tracker *t, const struct conn *c, const struct conn_tcpinfo_x *x,
		      uint64_t key)
{
	size_t ix = live_append(t);
	struct tent *te = &t->v[ix];
	memset(te, 0, sizeof *te);
	entry_init(t, &te->e, c, key);
	t->nseen++;
	te->c.pid = -1;
	take_sighting(t, ix, c, x);
	ixmap_put(&t->map, key, (uint32_t)ix);
	if (!t->baseline) {
		struct track_event *ev = track_event_add(t, TEV_NEW, t->wall);
		ev->to = c->state;
		event_fill_later(t, ev, ix);
	}
}

static void entry_seen(struct tracker *t, size_t ix, const struct conn *c,
		       const struct conn_tcpinfo_x *x)
{
	struct tent *te = &t->v[ix];
	struct track_entry *e = &te->e;
	uint8_t was = te->c.state;
	bool again = te->e.gen_ == t->gen; /* a second sighting in this poll */
	if (!again) {
		t->nseen++;
		e->flags &= ~(uint32_t)(TRK_NEW | TRK_CHANGED);
		rates_update(t, te, c);
	}
	if (was != c->state) {
		struct track_event *ev = track_event_add(t, TEV_STATE, t->wall);
		ev->from = was;
		ev->to = c->state;
		ev->in_state_s = track_state_age(e, t->now);
		ev->in_state_lower = (e->flags & TRK_AGE_LOWER) != 0;
		event_fill_later(t, ev, ix);
		e->prev_state = was;
		hist_push(t, te, (struct track_transition){t->now, was, c->state});
		e->state_since_ns = t->now;
		e->flags &= ~(uint32_t)(TRK_AGE_LOWER | TRK_AGE_ESTIMATED);
		e->flags |= TRK_CHANGED;
	}
	take_sighting(t, ix, c, x);
	te->e.gen_ = t->gen;
}

/* A tomb whose socket shows up again: live once more. */
static size_t tomb_revive(struct tracker *t, struct tent *tomb)
{
	size_t ti = (size_t)(tomb - t->tv);
	size_t ix = live_append(t);
	t->v[ix] = *tomb;
	struct tent *te = &t->v[ix];
	te->e.flags &= ~(uint32_t)TRK_TOMB;
	te->e.tomb_ns = 0;
	if (t->tix)
		memset(&t->tix[ix], 0, sizeof t->tix[ix]);
	ixmap_put(&t->map, te->e.key, (uint32_t)ix);
	size_t last = --t->ntomb;
	if (ti != last) {
		t->tv[ti] = t->tv[last];
		ixmap_put(&t->map, t->tv[ti].e.key, (uint32_t)ti | SLOT_TOMB);
	}
	return ix;
}

static void ingest_one(struct tracker *t, const struct conn *c, const struct conn_tcpinfo_x *x,
		       uint32_t hint)
{
	uint64_t key = track_key(c);
	if (t->npend) {
		uint32_t *pix = hmap_get(&t->pmap, key);
		if (pix && t->pend[*pix].fate == PEND_OPEN) {
			t->pend[*pix].fate = PEND_LIVES_ON;
			t->stats.destroy_lives_on++;
		}
	}
	/* A hint (tracker_hint) names a live entry; checked by its key. */
	struct tent *te = hint < t->n && t->v[hint].e.key == key ? &t->v[hint]
								    : track_map_get(t, key);
	if (!te) {
		if (t->npend && c->state == TCPS_TIME_WAIT)
			track_pending_tw_match(t, c);
		entry_new(t, c, x, key);
		return;
	}
	size_t ix = (te >= t->v && te < t->v + t->n) ? (size_t)(te - t->v) : tomb_revive(t, te);
	entry_seen(t, ix, c, x);
}

static void update_open(struct tracker *t, uint64_t now, double wall)
{
	if (t->open)
		return;
	t->open = true;
	t->baseline = t->stats.updates == 0;
	t->now = now;
	t->wall = wall;
	track_shrink_events(t);
	t->nev = 0;
	t->nfill = 0;
	t->tix_seen = false;
	t->gen++;
	t->nseen = 0;
	hmap_clear(&t->pmap);
	hmap_clear(&t->ptuple);
	for (size_t i = 0; i < t->npend; i++) {
		hmap_put(&t->pmap, track_key(&t->pend[i].c), (uint32_t)i);
		hmap_put(&t->ptuple, track_tuple_hash(&t->pend[i].c, 0), (uint32_t)i);
	}
}

/* The end of every update: the kernel counters' rates, then closed. */
static void update_close(struct tracker *t, const struct kstat *k)
{
	if (k->have) {
		t->kprev = t->kcur;
		t->kcur = *k;
		kstat_rates_compute(&t->kprev, &t->kcur, &t->krates);
	}
	t->prev_ns = t->now;
	t->open = false;
	t->stats.updates++;
}

void tracker_ingest(struct tracker *t, const struct snapshot *part)
{
	update_open(t, part->mono_ns, part->wall);
	if (part->tix && part->n) {
		t->tix_seen = true;
		if (!t->tix) {
			t->tix = xcalloc(t->cap ? t->cap : 1, sizeof *t->tix);
			t->tix_cap = t->cap ? t->cap : 1;
		}
	}
	/* Room for a first poll at once; later ones mostly find their sockets
	 * (reserving for all of them as new would double the map: 8 B more
	 * per socket, and a rehash of every key on the main thread). */
	if (!t->n && !t->ntomb)
		ixmap_reserve(&t->map, part->n);
	for (size_t i = 0; i < part->n; i++) {
		const struct conn *c = &part->conns[i];
		const struct conn_tcpinfo_x *x = part->tix ? &part->tix[i] : NULL;
		ingest_one(t, c, x && x->have ? x : NULL, t->hint ? t->hint[i] : TRACK_NO_HINT);
	}
}

static void sink_put(void *ctx, const struct snapshot *part)
{
	tracker_ingest(ctx, part);
}

static struct conn *sink_conns(void *ctx, size_t *n, size_t *stride)
{
	struct tracker *t = ctx;
	*n = t->n;
	*stride = sizeof *t->v;
	return t->n ? &t->v[0].c : NULL;
}

/* --- the end of an update ---------------------------------------------------- */

static void tomb_remove(struct tracker *t, size_t i)
{
	struct tent *te = &t->tv[i];
	ixmap_del(&t->map, te->e.key);
	hist_release(t, te);
	t->layout_dirty = true;
	size_t last = --t->ntomb;
	if (i != last) {
		t->tv[i] = t->tv[last];
		ixmap_put(&t->map, t->tv[i].e.key, (uint32_t)i | SLOT_TOMB);
	}
}

/* Live entry i is gone: its last sighting becomes a tomb. */
static void entry_vanish(struct tracker *t, size_t i)
{
	struct tent *te = &t->v[i];
	struct track_entry *e = &te->e;
	uint64_t close_ns = t->now;
	double close_wall = t->wall;
	const struct conn_tcpinfo_x *tix = NULL;
	uint32_t *pix = t->npend ? hmap_get(&t->pmap, e->key) : NULL;
	if (pix && t->pend[*pix].fate == PEND_OPEN) {
		struct pend *p = &t->pend[*pix];
		p->fate = PEND_KNOWN;
		t->stats.destroy_known++;
		if (p->mono_ns && p->mono_ns <= t->now && p->mono_ns >= t->prev_ns) {
			close_ns = p->mono_ns;
			close_wall = p->wall;
		}
		/* Final counters are exact in the destroy message; its endpoints
		 * are not (cleared on RST), so only tcp_info is taken. */
		if (p->c.ti.have)
			te->c.ti = p->c.ti;
		tix = p->x.have ? &p->x : NULL;
	} else {
		t->stats.closed_by_poll++;
	}
	e->flags &= ~(uint32_t)(TRK_NEW | TRK_CHANGED);
	e->flags |= TRK_TOMB;
	e->tomb_ns = close_ns;
	e->rx_bps = e->tx_bps = e->retrans_per_s = NAN;
	struct track_event *ev = track_event_add(t, TEV_CLOSED, close_wall);
	ev->from = te->c.state;
	ev->to = TCPS_CLOSE;
	ev->lifetime_s = close_ns > e->first_seen_ns
				 ? (double)(close_ns - e->first_seen_ns) / 1e9 : 0.0;
	ev->lifetime_lower = (e->flags & TRK_P_BORN_LOWER) != 0;
	ev->in_state_s = track_state_age(e, close_ns);
	ev->in_state_lower = (e->flags & TRK_AGE_LOWER) != 0;
	ev->conn = te->c;
	if (tix)
		ev->tix = *tix;
	else if (t->tix && t->tix[i].have)
		ev->tix = t->tix[i];

	t->tv = xgrow(t->tv, &t->tomb_cap, t->ntomb + 1, sizeof *t->tv);
	t->layout_dirty = true;
	size_t k = t->ntomb++;
	t->tv[k] = *te;
	ixmap_put(&t->map, e->key, (uint32_t)k | SLOT_TOMB);
	size_t last = --t->n;
	if (i != last) {
		t->v[i] = t->v[last];
		if (t->tix)
			t->tix[i] = t->tix[last];
		ixmap_put(&t->map, t->v[i].e.key, (uint32_t)i);
	}
}

struct ev_order {
	double time;
	size_t ix;
};

static int ev_order_cmp(const void *a, const void *b)
{
	const struct ev_order *x = a, *y = b;
	if (x->time != y->time)
		return x->time < y->time ? -1 : 1;
	return x->ix < y->ix ? -1 : x->ix > y->ix;
}

/* Oldest first (destroy events carry earlier times than the poll's). */
static void events_sort(struct tracker *t)
{
	bool sorted = true;
	for (size_t i = 1; i < t->nev && sorted; i++)
		sorted = t->ev[i - 1].time <= t->ev[i].time;
	if (sorted)
		return;
	struct ev_order *ord = xmalloc(t->nev * sizeof *ord);
	for (size_t i = 0; i < t->nev; i++)
		ord[i] = (struct ev_order){t->ev[i].time, i};
	qsort(ord, t->nev, sizeof *ord, ev_order_cmp);
	t->ev_tmp = xgrow(t->ev_tmp, &t->ev_tmp_cap, t->nev, sizeof *t->ev_tmp);
	for (size_t i = 0; i < t->nev; i++)
		t->ev_tmp[i] = t->ev[ord[i].ix];
	free(ord);
	struct track_event *sw = t->ev;
	size_t swc = t->ev_cap;
	t->ev = t->ev_tmp;
	t->ev_cap = t->ev_tmp_cap;
	t->ev_tmp = sw;
	t->ev_tmp_cap = swc;
}

/* Was the socket's namespace among the ones the partial poll missed? (No
 * list: the whole poll was incomplete.) */
static bool unseen_there(const struct snapshot *hdr, uint32_t netns)
{
	if (!hdr->npartial_ns)
		return true;
	for (unsigned i = 0; i < hdr->npartial_ns && i < SNAP_PARTIAL_NS_MAX; i++)
		if (hdr->partial_ns[i] == netns)
			return true;
	return false;
}

void tracker_finish(struct tracker *t, const struct snapshot *hdr)
{
	update_open(t, hdr->mono_ns, hdr->wall); /* a poll with no sockets at all */
	bool partial = (hdr->flags & SNAP_PARTIAL) != 0;

	/* The events' conns, now that the owners are in. */
	for (size_t i = 0; i < t->nfill; i++) {
		struct track_event *ev = &t->ev[t->fill[i].ev];
		ev->conn = t->v[t->fill[i].ent].c;
		if (t->tix && t->tix[t->fill[i].ent].have)
			ev->tix = t->tix[t->fill[i].ent];
	}
	t->nfill = 0;

	/* Old tombs go; then vanished live entries become tombs. */
	uint64_t tomb_ns = (uint64_t)(t->o.tomb_s * 1e9);
	for (size_t i = 0; i < t->ntomb;) {
		struct track_entry *e = &t->tv[i].e;
		e->flags &= ~(uint32_t)(TRK_NEW | TRK_CHANGED);
		if (t->now >= e->tomb_ns && t->now - e->tomb_ns >= tomb_ns) {
			tomb_remove(t, i);
			continue;
		}
		i++;
	}
	/* Destroy events only match cookies: drop them on the /proc source. */
	if (hdr->source == SNAP_SRC_PROC)
		t->npend = 0;
	/* Every live entry seen (an idle table): nothing to sweep. */
	for (size_t i = 0; t->nseen != t->n && i < t->n;) {
		struct tent *te = &t->v[i];
		if (te->e.gen_ == t->gen) {
			i++;
			continue;
		}
		if (partial && unseen_there(hdr, te->c.netns)) {
			/* not seen, but its dump was incomplete: it stays */
			te->e.flags &= ~(uint32_t)(TRK_NEW | TRK_CHANGED);
			i++;
			continue;
		}
		entry_vanish(t, i); /* moves the last live entry into i */
	}
	if (!partial) {
		track_pending_settle_unknown(t);
		t->npend = 0;
	}
	events_sort(t);
	if (!t->tix_seen && t->tix) { /* no longer collected: give it back */
		free(t->tix);
		t->tix = NULL;
		t->tix_cap = 0;
	}

	track_shrink_after_burst(t);
	if (t->layout_dirty)
		track_list_rebuild(t);

	update_close(t, &hdr->kernel);
}

void tracker_update(struct tracker *t, const struct snapshot *snap)
{
	tracker_ingest(t, snap);
	tracker_finish(t, snap);
}

/* One look: a first update whose entries borrow the snapshot's conns (the
 * contract in track.h). What entry_new() would learn, without the copy of
 * each conn (200 B), the key map and the live array: the one-shot's alert
 * section at 500k sockets kept ~128 MB of copies it never read twice. */
void tracker_look(struct tracker *t, const struct snapshot *snap)
{
	update_open(t, snap->mono_ns, snap->wall);
	size_t n = snap->n;
	t->look = xgrow(t->look, &t->look_cap, n ? n : 1, sizeof *t->look);
	t->list = xgrow(t->list, &t->list_cap, n ? n : 1, sizeof *t->list);
	for (size_t i = 0; i < n; i++) {
		const struct conn *c = &snap->conns[i];
		struct track_entry *e = &t->look[i];
		memset(e, 0, sizeof *e);
		entry_init(t, e, c, track_key(c));
		e->conn = c;
		t->list[i] = e;
	}
	t->nlist = n;
	update_close(t, &snap->kernel);
}

void tracker_hint(const struct tracker *t, const struct conn *c, size_t n, size_t stride,
		  uint32_t *hint)
{
	for (size_t i = 0; i < n; i++) {
		const struct conn *ci = (const struct conn *)(const void *)((const char *)c + i * stride);
		uint32_t sv;
		hint[i] = ixmap_get(&t->map, track_key(ci), &sv) && !(sv & SLOT_TOMB) ? sv
										  : TRACK_NO_HINT;
	}
}

void tracker_ingest_hinted(struct tracker *t, const struct snapshot *part, const uint32_t *hint)
{
	t->hint = hint;
	tracker_ingest(t, part);
	t->hint = NULL;
}

const struct conn *tracker_sighting(const struct tracker *t, uint32_t hint)
{
	return hint < t->n ? &t->v[hint].c : NULL;
}

void tracker_prefetch(const struct tracker *t, uint32_t hint)
{
	if (hint >= t->n)
		return;
	const char *p = (const char *)&t->v[hint];
	for (size_t l = 0; l < sizeof t->v[hint]; l += 64)
		__builtin_prefetch(p + l);
}

size_t tracker_live(const struct tracker *t)
{
	return t->n;
}

void tracker_update_hinted(struct tracker *t, const struct snapshot *snap, const uint32_t *hint)
{
	tracker_ingest_hinted(t, snap, hint);
	tracker_finish(t, snap);
}
