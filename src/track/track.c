/* track.c — the diff engine: match by key, mark, sweep, tombs, rates.
 *
 * Entries live in one array (struct tent, public part first) indexed by a
 * u64→u32 hash map; vanished entries are removed by swap-with-last, so an
 * update is O(sockets + tombs + pending destroy events) and allocates only
 * when the population grows (and one conn copy per new tomb).
 */
#include "tcpscope/track.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "tcpscope/hmap.h"
#include "tcpscope/util.h"

#define NS_PER_S 1000000000ull
#define TW_TOTAL_MS 60000u /* TCP_TIMEWAIT_LEN */

/* What a tomb needs of a socket once its snapshot slot is reused. */
struct tid {
	union conn_addr laddr, raddr;
	uint32_t uid, inode;
	uint16_t lport, rport;
	uint8_t family;
	uint8_t have;           /* the conn's CONN_HAVE_* bits of ID_HAVE */
};
#define ID_HAVE (CONN_HAVE_COOKIE | CONN_HAVE_UID | CONN_HAVE_INODE)
_Static_assert(ID_HAVE <= UINT8_MAX, "the kept have bits fit struct tid.have");

struct tent {
	struct track_entry e;   /* must stay first: tracker_entries() hands these out */
	uint64_t sample_ns;     /* when the counters below were read */
	uint64_t acked, recvd;  /* tcp_info bytes_acked / bytes_received */
	uint32_t retrans;       /* tcp_info total_retrans */
	uint32_t gen;           /* update that last saw it */
	uint32_t hist;          /* 1 + index into the history pool, 0 = none */
	uint8_t state;          /* last state seen */
	bool have_sample;       /* the counters above are valid */
	bool born_lower;        /* existed at start: first_seen_ns is "at least" */
	struct tid id;
	struct conn *copy;      /* owned: e.conn points here for tombs (and for
				 * sockets a partial snapshot missed) */
};

struct thist {
	uint32_t n;             /* valid transitions, newest last; free: next free + 1 */
	struct track_transition t[TRACK_HIST];
};

enum pend_fate { PEND_OPEN, PEND_LIVES_ON, PEND_KNOWN, PEND_DONE };

struct pend {
	struct conn c;
	struct conn_tcpinfo_x x; /* x.have 0: the message had no tcp_info */
	double wall;
	uint64_t mono_ns;
	uint8_t fate;
};

struct tracker {
	struct track_opts o;
	struct tent *v;         /* owned; n used of cap */
	size_t n, cap;
	struct hmap map;        /* key → index into v */
	struct thist *hp;       /* owned; history pool, nh used of hcap */
	size_t nh, hcap;
	uint32_t hfree;         /* 1 + first free pool slot, 0 = none */
	const struct track_entry **list; /* owned; tracker_entries() */
	size_t list_cap;
	struct track_event *ev; /* owned; events of the last update */
	size_t nev, ev_cap;
	struct track_event *ev_tmp; /* owned; sort scratch */
	size_t ev_tmp_cap;
	struct pend *pend;      /* owned; queued destroy events */
	size_t npend, pend_cap;
	struct hmap pmap;       /* cookie → index into pend, during an update */
	struct hmap ptuple;     /* 4-tuple → index into pend, during an update */
	uint32_t gen;
	uint64_t prev_ns;       /* mono_ns of the previous update */
	struct kstat kprev, kcur;
	struct kstat_rates krates;
	struct track_stats stats;
};

static uint64_t tuple_hash(const struct conn *c, uint32_t inode)
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
	return tuple_hash(c, c->inode);
}

struct tracker *tracker_new(const struct track_opts *o)
{
	struct tracker *t = xcalloc(1, sizeof *t);
	t->o.tomb_s = TRACK_TOMB_S_DEFAULT;
	if (o)
		t->o = *o;
	if (!(t->o.tomb_s >= 0))
		t->o.tomb_s = TRACK_TOMB_S_DEFAULT;
	hmap_init(&t->map);
	hmap_init(&t->pmap);
	hmap_init(&t->ptuple);
	kstat_rates_compute(NULL, NULL, &t->krates);
	return t;
}

void tracker_free(struct tracker *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->n; i++)
		free(t->v[i].copy);
	free(t->v);
	free(t->hp);
	free(t->list);
	free(t->ev);
	free(t->ev_tmp);
	free(t->pend);
	hmap_done(&t->map);
	hmap_done(&t->pmap);
	hmap_done(&t->ptuple);
	free(t);
}

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
	*n = t->n;
	return t->list;
}

const struct track_event *tracker_events(const struct tracker *t, size_t *n)
{
	*n = t->nev;
	return t->ev;
}

const struct track_transition *tracker_history(const struct tracker *t, uint64_t key, size_t *n)
{
	uint32_t *ix = hmap_get(&t->map, key);
	*n = 0;
	if (!ix || !t->v[*ix].hist)
		return NULL;
	const struct thist *h = &t->hp[t->v[*ix].hist - 1];
	*n = h->n;
	return h->t;
}

static void hist_push(struct tracker *t, struct tent *te, struct track_transition tr)
{
	if (!te->hist) {
		uint32_t ix;
		if (t->hfree) {
			ix = t->hfree - 1;
			t->hfree = t->hp[ix].n;
		} else {
			t->hp = xgrow(t->hp, &t->hcap, t->nh + 1, sizeof *t->hp);
			ix = (uint32_t)t->nh++;
		}
		t->hp[ix].n = 0;
		te->hist = ix + 1;
	}
	struct thist *h = &t->hp[te->hist - 1];
	if (h->n == TRACK_HIST) {
		memmove(h->t, h->t + 1, sizeof h->t[0] * (TRACK_HIST - 1));
		h->n--;
	}
	h->t[h->n++] = tr;
}

static void hist_release(struct tracker *t, struct tent *te)
{
	if (!te->hist)
		return;
	t->hp[te->hist - 1].n = t->hfree;
	t->hfree = te->hist;
	te->hist = 0;
}

static void id_keep(struct tent *te, const struct conn *c)
{
	struct tid *id = &te->id;
	id->laddr = c->laddr;
	id->raddr = c->raddr;
	id->uid = c->uid;
	id->inode = c->inode;
	id->lport = c->lport;
	id->rport = c->rport;
	id->family = c->family;
	id->have = (uint8_t)(c->have & ID_HAVE);
}

const struct track_entry *tracker_find(const struct tracker *t, const struct conn *c)
{
	uint32_t *ix = hmap_get(&t->map, track_key(c));
	return ix ? &t->v[*ix].e : NULL;
}

const struct kstat_rates *tracker_kstat_rates(const struct tracker *t)
{
	return &t->krates;
}

const struct track_stats *tracker_stats(const struct tracker *t)
{
	return &t->stats;
}

void tracker_note_destroyed(struct tracker *t, const struct conn *c,
			    const struct conn_tcpinfo_x *x, double wall, uint64_t mono_ns)
{
	t->pend = xgrow(t->pend, &t->pend_cap, t->npend + 1, sizeof *t->pend);
	struct pend *p = &t->pend[t->npend++];
	p->c = *c;
	if (x)
		p->x = *x;
	else
		memset(&p->x, 0, sizeof p->x);
	p->wall = wall;
	p->mono_ns = mono_ns;
	p->fate = PEND_OPEN;
	t->stats.destroy_noted++;
}

static struct track_event *event_add(struct tracker *t, enum track_event_kind kind, double when)
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

/* Delta of a counter; false on a reset (it went backwards). A 32-bit
 * counter that passed 2^32 (high before, low now) is a wrap, not a reset. */
static bool counter_delta(uint64_t prev, uint64_t cur, bool is32, uint64_t *d)
{
	if (cur >= prev) {
		*d = cur - prev;
		return true;
	}
	if (is32 && prev >= 0xC0000000u && cur < 0x40000000u) {
		*d = cur + 0x100000000ull - prev;
		return true;
	}
	return false;
}

static void rates_update(struct tent *te, const struct conn *c, uint64_t now)
{
	struct track_entry *e = &te->e;
	bool have = (c->ti.have & TI_BYTES_ACKED) && (c->ti.have & TI_BASE);
	e->rx_bps = e->tx_bps = e->retrans_per_s = NAN;
	if (have && te->have_sample && now > te->sample_ns) {
		double dt = (double)(now - te->sample_ns) / 1e9;
		uint64_t d;
		if (counter_delta(te->recvd, c->ti.bytes_received, false, &d))
			e->rx_bps = (double)d / dt;
		if (counter_delta(te->acked, c->ti.bytes_acked, false, &d))
			e->tx_bps = (double)d / dt;
		if (counter_delta(te->retrans, c->ti.total_retrans, true, &d))
			e->retrans_per_s = (double)d / dt;
	}
	te->have_sample = have;
	if (have) {
		te->sample_ns = now;
		te->recvd = c->ti.bytes_received;
		te->acked = c->ti.bytes_acked;
		te->retrans = c->ti.total_retrans;
	}
}

static void owner_remember(struct track_entry *e, const struct conn *c)
{
	if ((c->have & CONN_HAVE_PROC) && c->pid >= 0) {
		e->last_pid = c->pid;
		memcpy(e->last_comm, c->comm, sizeof e->last_comm);
	}
}

static void owner_fill(struct conn *c, const struct track_entry *e)
{
	if (!(c->have & CONN_HAVE_PROC) && e->last_pid >= 0) {
		c->pid = e->last_pid;
		memcpy(c->comm, e->last_comm, sizeof c->comm);
		c->nprocs = c->nprocs ? c->nprocs : 1;
		c->have |= CONN_HAVE_PROC;
	}
}

/* The event's copy of the rest of tcp_info, when the snapshot has it. */
static void event_tix(struct track_event *ev, const struct snapshot *snap, const struct conn *c)
{
	const struct conn_tcpinfo_x *x = snapshot_tix(snap, c);
	if (x)
		ev->tix = *x;
}

static void entry_new(struct tracker *t, const struct snapshot *snap, const struct conn *c,
		      uint64_t key, uint64_t now, double wall, bool baseline)
{
	t->v = xgrow(t->v, &t->cap, t->n + 1, sizeof *t->v);
	uint32_t ix = (uint32_t)t->n++;
	struct tent *te = &t->v[ix];
	memset(te, 0, sizeof *te);
	struct track_entry *e = &te->e;
	e->conn = c;
	e->key = key;
	e->first_seen_ns = now;
	e->state_since_ns = now;
	e->prev_state = TCPS_UNKNOWN;
	e->last_pid = -1;
	te->state = c->state;
	te->gen = t->gen;
	te->born_lower = baseline;
	id_keep(te, c);
	uint64_t el;
	if (state_evidence(c, &el)) {
		/* Born since the last poll: it cannot have been in this state longer. */
		if (!baseline && t->prev_ns && el > now - t->prev_ns)
			el = now - t->prev_ns;
		e->state_since_ns = el < now ? now - el : 0;
		e->first_seen_ns = e->state_since_ns;
		e->flags |= TRK_AGE_ESTIMATED;
	} else if (baseline) {
		e->flags |= TRK_AGE_LOWER;
	}
	if (!baseline)
		e->flags |= TRK_NEW;
	owner_remember(e, c);
	rates_update(te, c, now);
	hmap_put(&t->map, key, ix);
	if (!baseline) {
		struct track_event *ev = event_add(t, TEV_NEW, wall);
		ev->to = c->state;
		ev->conn = *c;
		event_tix(ev, snap, c);
	}
}

static void entry_seen(struct tracker *t, const struct snapshot *snap, struct tent *te,
		       const struct conn *c, uint64_t now, double wall)
{
	struct track_entry *e = &te->e;
	e->flags &= ~(uint32_t)(TRK_NEW | TRK_CHANGED | TRK_TOMB);
	if (te->copy) { /* a tomb back from the dead, or a partial snapshot's gap */
		free(te->copy);
		te->copy = NULL;
		e->tomb_ns = 0;
	}
	if (te->state != c->state) {
		struct track_event *ev = event_add(t, TEV_STATE, wall);
		ev->from = te->state;
		ev->to = c->state;
		ev->in_state_s = track_state_age(e, now);
		ev->in_state_lower = (e->flags & TRK_AGE_LOWER) != 0;
		ev->conn = *c;
		event_tix(ev, snap, c);
		owner_fill(&ev->conn, e);
		e->prev_state = te->state;
		hist_push(t, te, (struct track_transition){now, te->state, c->state});
		e->state_since_ns = now;
		e->flags &= ~(uint32_t)(TRK_AGE_LOWER | TRK_AGE_ESTIMATED);
		e->flags |= TRK_CHANGED;
		te->state = c->state;
	}
	owner_remember(e, c);
	rates_update(te, c, now);
	id_keep(te, c);
	e->conn = c;
	te->gen = t->gen;
}

/* The last sighting of a vanishing entry, as an owned copy, from what the
 * entry kept (its snapshot slot has been reused by now). */
static struct conn *last_sighting(struct tent *te)
{
	if (te->copy)
		return te->copy;
	struct conn *cp = xcalloc(1, sizeof *cp);
	const struct tid *id = &te->id;
	cp->pid = -1;
	cp->state = te->state;
	cp->family = id->family;
	cp->laddr = id->laddr;
	cp->raddr = id->raddr;
	cp->lport = id->lport;
	cp->rport = id->rport;
	cp->uid = id->uid;
	cp->inode = id->inode;
	cp->have = id->have;
	if (id->have & CONN_HAVE_COOKIE)
		cp->cookie = te->e.key;
	if (te->have_sample) { /* byte counters as of the last poll */
		cp->ti.bytes_acked = te->acked;
		cp->ti.bytes_received = te->recvd;
		cp->ti.have = TI_BYTES_ACKED;
	}
	owner_fill(cp, &te->e); /* tombs and a partial poll's gaps keep their owner */
	return cp;
}

static void entry_remove(struct tracker *t, size_t i)
{
	struct tent *te = &t->v[i];
	hmap_del(&t->map, te->e.key);
	free(te->copy);
	hist_release(t, te);
	size_t last = t->n - 1;
	if (i != last) {
		t->v[i] = t->v[last];
		hmap_put(&t->map, t->v[i].e.key, (uint32_t)i);
	}
	t->n--;
}

static void entry_vanish(struct tracker *t, struct tent *te, uint64_t now, double wall)
{
	struct track_entry *e = &te->e;
	te->copy = last_sighting(te);
	e->conn = te->copy;
	uint64_t close_ns = now;
	double close_wall = wall;
	const struct conn_tcpinfo_x *tix = NULL;
	uint32_t *pix = t->npend ? hmap_get(&t->pmap, e->key) : NULL;
	if (pix && t->pend[*pix].fate == PEND_OPEN) {
		struct pend *p = &t->pend[*pix];
		p->fate = PEND_KNOWN;
		t->stats.destroy_known++;
		if (p->mono_ns && p->mono_ns <= now && p->mono_ns >= t->prev_ns) {
			close_ns = p->mono_ns;
			close_wall = p->wall;
		}
		/* Final counters are exact in the destroy message; its endpoints
		 * are not (cleared on RST), so only tcp_info is taken. */
		if (p->c.ti.have)
			te->copy->ti = p->c.ti;
		tix = p->x.have ? &p->x : NULL;
	} else {
		t->stats.closed_by_poll++;
	}
	owner_fill(te->copy, e);
	e->flags &= ~(uint32_t)(TRK_NEW | TRK_CHANGED);
	e->flags |= TRK_TOMB;
	e->tomb_ns = close_ns;
	e->rx_bps = e->tx_bps = e->retrans_per_s = NAN;
	struct track_event *ev = event_add(t, TEV_CLOSED, close_wall);
	ev->from = te->state;
	ev->to = TCPS_CLOSE;
	ev->lifetime_s = close_ns > e->first_seen_ns
				 ? (double)(close_ns - e->first_seen_ns) / 1e9 : 0.0;
	ev->lifetime_lower = te->born_lower;
	ev->in_state_s = track_state_age(e, close_ns);
	ev->in_state_lower = (e->flags & TRK_AGE_LOWER) != 0;
	ev->conn = *te->copy;
	ev->conn.state = te->state;
	if (tix)
		ev->tix = *tix;
}

/* Destroy events nobody claimed: sockets born and gone between two polls
 * (or already closed by an earlier sweep: those are dropped). */
static void pending_settle_unknown(struct tracker *t)
{
	for (size_t i = 0; i < t->npend; i++) {
		struct pend *p = &t->pend[i];
		if (p->fate != PEND_OPEN)
			continue;
		if (hmap_get(&t->map, track_key(&p->c))) {
			t->stats.destroy_late++;
			continue;
		}
		t->stats.destroy_unknown++;
		struct track_event *ev = event_add(t, TEV_CLOSED, p->wall);
		ev->seen_by = SEEN_DESTROY;
		ev->from = p->c.state;
		ev->to = TCPS_CLOSE;
		ev->conn = p->c;
		if (p->x.have)
			ev->tix = p->x;
	}
}

/* A full socket that became TIME_WAIT before any dump asked for its cookie
 * is destroyed under a freshly made cookie while its timewait socket gets
 * another one: the destroy message and the new TIME_WAIT socket then share
 * only the 4-tuple. Such a socket lives on; it is not closed yet. */
static void pending_tw_match(struct tracker *t, const struct conn *c)
{
	uint32_t *pix = hmap_get(&t->ptuple, tuple_hash(c, 0));
	if (!pix)
		return;
	struct pend *p = &t->pend[*pix];
	if (p->fate != PEND_OPEN || p->c.family != c->family || p->c.lport != c->lport ||
	    p->c.rport != c->rport || memcmp(&p->c.laddr, &c->laddr, sizeof c->laddr) ||
	    memcmp(&p->c.raddr, &c->raddr, sizeof c->raddr))
		return;
	p->fate = PEND_LIVES_ON;
	t->stats.destroy_lives_on++;
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

void tracker_update(struct tracker *t, const struct snapshot *snap)
{
	uint64_t now = snap->mono_ns;
	double wall = snap->wall;
	bool baseline = t->stats.updates == 0;
	bool partial = (snap->flags & SNAP_PARTIAL) != 0;
	t->nev = 0;
	t->gen++;

	/* Destroy events only match cookies: drop them on the /proc source. */
	if (snap->source == SNAP_SRC_PROC)
		t->npend = 0;
	hmap_clear(&t->pmap);
	hmap_clear(&t->ptuple);
	for (size_t i = 0; i < t->npend; i++) {
		hmap_put(&t->pmap, track_key(&t->pend[i].c), (uint32_t)i);
		hmap_put(&t->ptuple, tuple_hash(&t->pend[i].c, 0), (uint32_t)i);
	}

	/* Mark: match every socket of the snapshot. */
	/* Room for the larger population; reserving the sum would double the
	 * table (and its RSS) for nothing in the steady state. */
	hmap_reserve(&t->map, snap->n > t->n ? snap->n : t->n);
	for (size_t i = 0; i < snap->n; i++) {
		const struct conn *c = &snap->conns[i];
		uint64_t key = track_key(c);
		if (t->npend) {
			uint32_t *pix = hmap_get(&t->pmap, key);
			if (pix && t->pend[*pix].fate == PEND_OPEN) {
				t->pend[*pix].fate = PEND_LIVES_ON;
				t->stats.destroy_lives_on++;
			}
		}
		uint32_t *ix = hmap_get(&t->map, key);
		if (!ix && t->npend && c->state == TCPS_TIME_WAIT)
			pending_tw_match(t, c);
		if (!ix)
			entry_new(t, snap, c, key, now, wall, baseline);
		else if (t->v[*ix].gen != t->gen) /* else: a duplicate key; first wins */
			entry_seen(t, snap, &t->v[*ix], c, now, wall);
	}

	/* Sweep: vanished live entries become tombs; old tombs go. */
	uint64_t tomb_ns = (uint64_t)(t->o.tomb_s * 1e9);
	for (size_t i = 0; i < t->n;) {
		struct tent *te = &t->v[i];
		if (te->gen == t->gen) {
			i++;
			continue;
		}
		if (te->e.flags & TRK_TOMB) {
			te->e.flags &= ~(uint32_t)(TRK_NEW | TRK_CHANGED);
			if (now >= te->e.tomb_ns && now - te->e.tomb_ns >= tomb_ns) {
				entry_remove(t, i);
				continue;
			}
		} else if (partial) {
			/* Not seen, but the dump was incomplete: keep it alive on a
			 * copy, since its snapshot is about to be reused. */
			te->copy = last_sighting(te);
			te->e.conn = te->copy;
			te->e.flags &= ~(uint32_t)(TRK_NEW | TRK_CHANGED);
		} else {
			entry_vanish(t, te, now, wall);
		}
		i++;
	}
	if (!partial) {
		pending_settle_unknown(t);
		t->npend = 0;
	}
	events_sort(t);

	t->list = xgrow(t->list, &t->list_cap, t->n ? t->n : 1, sizeof *t->list);
	for (size_t i = 0; i < t->n; i++)
		t->list[i] = &t->v[i].e;

	if (snap->kernel.have) {
		t->kprev = t->kcur;
		t->kcur = snap->kernel;
		kstat_rates_compute(&t->kprev, &t->kcur, &t->krates);
	}
	t->prev_ns = now;
	t->stats.updates++;
}
