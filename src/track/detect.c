/* detect.c — the detector engine: groups sockets per (kind, owner), runs
 * each kind's evaluation, and turns conditions into alerts with hysteresis.
 * The kinds themselves live in detect_sock.c and detect_kernel.c; the table
 * that names them is at the bottom of this file.
 *
 * Per update: index the listeners and the TIME_WAIT destinations, feed every
 * live socket to the kinds that pick it, let kernel-counter kinds add their
 * namespace-wide groups, evaluate every group (fed or not: a group nobody fed
 * has no sockets left), raise / keep / clear, drop groups with nothing left,
 * sort the active alerts. O(sockets × kinds) with one hash lookup per picked
 * socket; nothing allocated in the steady state.
 */
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "detect_int.h"
#include "tcpscope/audit.h"

#define NS 1000000000.0

struct stall {
	uint64_t key, since_ns, acked;
	uint32_t wq, gen;
};

/* A count-min sketch of TALLY_ROWS × TALLY_W counters per floored kind: an
 * owner's estimate never undercounts, so no group that could fire is
 * skipped; an overcount only makes a group that then judges itself. */
#define TALLY_ROWS 2
#define TALLY_W 16384u

static uint32_t *tally_cell(uint32_t *t, int row, uint64_t key)
{
	uint64_t h = row ? hmap_mix(key ^ 0x9e3779b97f4a7c15ull) : key;
	return &t[(size_t)row * TALLY_W + (h & (TALLY_W - 1))];
}


char *detect_owner_format(const struct detect_owner *o, char *buf, size_t len)
{
	char a[CONN_ADDR_STRLEN + 8], b[CONN_ADDR_STRLEN + 8];
	switch (o->by) {
	case DOWN_PROCESS:
		snprintf(buf, len, "%s[%d]", o->comm[0] ? o->comm : "?", (int)o->pid);
		break;
	case DOWN_LOCAL:
		if (o->have_laddr && !conn_addr_is_any(o->family, &o->laddr))
			snprintf(buf, len, "%s",
				 conn_endpoint_format(o->family, &o->laddr, o->lport, false, a, sizeof a));
		else
			snprintf(buf, len, "port %u", o->lport);
		break;
	case DOWN_DESTINATION:
		snprintf(buf, len, "%s",
			 conn_endpoint_format(o->family, &o->raddr, o->rport, false, a, sizeof a));
		break;
	case DOWN_TUPLE:
		snprintf(buf, len, "%s -> %s", conn_addr_format(o->family, &o->laddr, a, sizeof a),
			 conn_endpoint_format(o->family, &o->raddr, o->rport, false, b, sizeof b));
		break;
	default:
		snprintf(buf, len, "%s", o->ns[0] ? "namespace" : "this host");
		break;
	}
	size_t n = strlen(buf);
	if (o->unit[0] && n < len) /* "java[4121] (docker:shop-api)" */
		n += (size_t)snprintf(buf + n, len - n, " (%s)", o->unit);
	if (o->ns[0] && n < len)
		snprintf(buf + n, len - n, " in %s", o->ns);
	return buf;
}

struct detector *detector_new(const struct detect_config *cfg)
{
	struct detector *d = xcalloc(1, sizeof *d);
	if (cfg)
		d->cfg = *cfg;
	else
		detect_config_defaults(&d->cfg);
	hmap_init(&d->gmap);
	hmap_init(&d->listeners);
	hmap_init(&d->seen);
	hmap_init(&d->stmap);
	hmap_init(&d->twmap);
	hmap_init(&d->nsmap);
	return d;
}

void detector_free(struct detector *d)
{
	if (!d)
		return;
	free(d->g);
	free(d->active);
	free(d->ev);
	free(d->st);
	free(d->tw);
	for (int k = 0; k < DK_COUNT; k++)
		free(d->tally[k]);
	hmap_done(&d->gmap);
	hmap_done(&d->listeners);
	hmap_done(&d->seen);
	hmap_done(&d->stmap);
	hmap_done(&d->twmap);
	detect_ns_free(d);
	hmap_done(&d->nsmap);
	if (d->audit)
		audit_done(d->audit);
	free(d->audit);
	free(d);
}

const struct track_entry *const *detect_entries(const struct detect_ctx *c, size_t *n)
{
	return tracker_entries(c->t, n);
}

struct audit *detect_audit(struct detect_ctx *c)
{
	if (!c->d->audit) {
		c->d->audit = xmalloc(sizeof *c->d->audit);
		audit_init(c->d->audit);
	}
	return c->d->audit;
}

void detector_set_config(struct detector *d, const struct detect_config *cfg)
{
	d->cfg = *cfg;
}

const struct detect_config *detector_config(const struct detector *d)
{
	return &d->cfg;
}

const struct detect_alert *const *detector_alerts(const struct detector *d, size_t *n)
{
	*n = d->nactive;
	return d->active;
}

const struct detect_event *detector_events(const struct detector *d, size_t *n)
{
	*n = d->nev;
	return d->ev;
}

void detector_count(const struct detector *d, unsigned counts[DS_COUNT])
{
	memset(counts, 0, sizeof(unsigned) * DS_COUNT);
	for (size_t i = 0; i < d->nactive; i++)
		counts[d->active[i]->severity]++;
}

size_t detector_ngroups(const struct detector *d)
{
	return d->n;
}

void detector_restore(struct detector *d, const struct detect_alert *alerts, size_t n,
		      const struct detect_event *ev, size_t nev, const struct detect_ports *ports)
{
	hmap_clear(&d->gmap);
	d->g = xgrow(d->g, &d->cap, n ? n : 1, sizeof *d->g);
	memset(d->g, 0, (n ? n : 1) * sizeof *d->g);
	d->active = xgrow(d->active, &d->active_cap, n ? n : 1, sizeof *d->active);
	for (size_t i = 0; i < n; i++) {
		d->g[i].a = d->g[i].last = alerts[i];
		d->g[i].active = true;
		d->active[i] = &d->g[i].a; /* in the recorded order: already sorted */
	}
	d->n = d->nactive = n;
	d->ev = xgrow(d->ev, &d->ev_cap, nev ? nev : 1, sizeof *d->ev);
	if (nev)
		memcpy(d->ev, ev, nev * sizeof *ev);
	d->nev = nev;
	if (ports)
		detect_ns_restore_ports(d, ports);
}

/* --- services for the kinds --------------------------------------------- */


static uint64_t owner_key(enum detect_kind k, const struct detect_owner *o)
{
	uint64_t h = hmap_mix(((uint64_t)k << 40) ^ ((uint64_t)o->by << 32) ^ o->family);
	h = hmap_mix(h ^ ((uint64_t)o->netns << 8));
	if (o->by == DOWN_PROCESS)
		h = hmap_mix(h ^ (uint32_t)o->pid);
	if (o->have_laddr)
		h = hmap_mix(h ^ detect_addr_hash(o->family, &o->laddr));
	if (o->have_raddr)
		h = hmap_mix(h ^ detect_addr_hash(o->family, &o->raddr) ^ 0x5555);
	h = hmap_mix(h ^ ((uint64_t)o->lport << 16) ^ o->rport);
	return h == HMAP_EMPTY ? HMAP_EMPTY - 1 : h;
}

static uint32_t tally_estimate(uint32_t *t, uint64_t key)
{
	uint32_t m = UINT32_MAX;
	for (int r = 0; r < TALLY_ROWS; r++) {
		uint32_t v = *tally_cell(t, r, key);
		m = v < m ? v : m;
	}
	return m;
}

/* First pass for the floored kinds: tally the picked sockets per owner. */
static void tally_sockets(struct detector *d, struct detect_ctx *c,
			  const struct track_entry *const *ents, size_t n)
{
	bool any = false;
	for (int kk = 0; kk < DK_COUNT; kk++) {
		const struct detect_kind_def *kd = &detect_kinds[kk];
		d->floor[kk] = 0;
		if (!kd->floor || !kd->group || !d->cfg.enabled[kk])
			continue;
		/* The lowest floor of every namespace: a lower bound still. */
		d->floor[kk] = UINT_MAX;
		for (size_t j = 0; j < d->nnsv; j++) {
			detect_ctx_use(c, j);
			unsigned f = kd->floor(c);
			if (f < d->floor[kk])
				d->floor[kk] = f;
		}
		detect_ctx_use(c, 0);
		if (d->floor[kk] <= 1)
			continue; /* every group matters: no sketch needed */
		if (!d->tally[kk])
			d->tally[kk] = xmalloc(sizeof(uint32_t) * TALLY_ROWS * TALLY_W);
		memset(d->tally[kk], 0, sizeof(uint32_t) * TALLY_ROWS * TALLY_W);
		any = true;
	}
	if (!any)
		return;
	for (size_t i = 0; i < n; i++) {
		const struct track_entry *e = ents[i];
		if (e->flags & TRK_TOMB)
			continue;
		if (e->conn->netns != c->netns)
			detect_ctx_use_id(c, e->conn->netns);
		for (int kk = 0; kk < DK_COUNT; kk++) {
			struct detect_owner o;
			if (d->floor[kk] <= 1 || d->floor[kk] == UINT_MAX ||
			    !detect_kinds[kk].group(c, e, &o))
				continue;
			detect_owner_stamp(c, &o);
			uint64_t key = owner_key((enum detect_kind)kk, &o);
			for (int r = 0; r < TALLY_ROWS; r++)
				(*tally_cell(d->tally[kk], r, key))++;
		}
	}
	detect_ctx_use(c, 0);
	/* No counter reached the floor (the usual case): no owner can, so the
	 * kind is skipped for every socket this tick. */
	for (int kk = 0; kk < DK_COUNT; kk++) {
		if (d->floor[kk] <= 1 || d->floor[kk] == UINT_MAX)
			continue;
		bool reached = false;
		for (size_t i = 0; i < TALLY_W && !reached; i++)
			reached = d->tally[kk][i] >= d->floor[kk];
		if (!reached)
			d->floor[kk] = UINT_MAX;
	}
}

/* false: the owner's tally says this group cannot matter this tick. */
static bool tally_passes(const struct detector *d, enum detect_kind k,
			 const struct detect_owner *o)
{
	unsigned f = d->floor[k];
	if (f <= 1)
		return true;
	if (f == UINT_MAX)
		return false;
	return tally_estimate(d->tally[k], owner_key(k, o)) >= f;
}

static void group_reset_tick(struct detect_group *g)
{
	struct detect_alert *a = &g->a;
	a->count = a->total = a->nqueued = a->distinct = 0;
	a->oldest_s = NAN;
	a->oldest_lower = false;
	a->growth_per_min = NAN;
	a->value = a->limit = a->share_pct = a->rate = NAN;
	a->bytes = 0;
	a->persist = a->backoff = a->ntime_wait = 0;
	a->findings = 0;
	memset(&a->top, 0, sizeof a->top);
	g->sum = 0;
	g->oldest_stuck = 0;
	g->npersist = g->maxbackoff = g->ntw = 0;
	g->fire = g->still = false;
}

struct detect_group *detect_group_get(struct detect_ctx *c, enum detect_kind k,
				      const struct detect_owner *o)
{
	struct detector *d = c->d;
	struct detect_owner stamped = *o;
	detect_owner_stamp(c, &stamped);
	o = &stamped;
	uint64_t key = owner_key(k, o);
	uint32_t *ix = hmap_get(&d->gmap, key);
	struct detect_group *g;
	if (ix) {
		g = &d->g[*ix];
	} else {
		d->g = xgrow(d->g, &d->cap, d->n + 1, sizeof *d->g);
		g = &d->g[d->n];
		memset(g, 0, sizeof *g);
		g->key = key;
		g->a.kind = k;
		g->a.severity = detect_kinds[k].severity;
		g->a.cleared_wall = NAN;
		hmap_put(&d->gmap, key, (uint32_t)d->n);
		d->n++;
	}
	if (g->gen != d->gen) {
		group_reset_tick(g);
		g->gen = d->gen;
		g->fed = true;
		g->a.owner = *o; /* refresh the details (process of a listener...) */
	}
	return g;
}

void detect_owner_proc(const struct track_entry *e, struct detect_owner *o)
{
	const struct conn *x = e->conn;
	/* The tracker's copy keeps the last owner known (TIME_WAIT, orphans). */
	if ((x->have & CONN_HAVE_PROC) && x->pid >= 0) {
		o->pid = x->pid;
		memcpy(o->comm, x->comm, sizeof o->comm);
	}
	if (x->have & CONN_HAVE_CGROUP)
		o->cgroup_id = x->cgroup_id; /* named by detect_owner_stamp() */
}

const struct track_entry *detect_listener_of(const struct detect_ctx *c, const struct conn *x)
{
	uint32_t *ix = hmap_get(&c->d->listeners, detect_listen_key(x->netns, x->lport));
	return ix ? c->d->ents[*ix] : NULL;
}

bool detect_kind_raised(const struct detect_ctx *c, enum detect_kind k, int skip_by)
{
	const struct detector *d = c->d;
	for (size_t i = 0; i < d->n; i++)
		if (d->g[i].active && d->g[i].a.kind == k && (int)d->g[i].a.owner.by != skip_by)
			return true;
	return false;
}

void detect_owner_generic(const struct detect_ctx *c, const struct track_entry *e,
			  struct detect_owner *o)
{
	const struct conn *x = e->conn;
	memset(o, 0, sizeof *o);
	o->pid = -1;
	detect_owner_proc(e, o);
	if (o->pid >= 0) {
		o->by = DOWN_PROCESS;
	} else if (detect_listener_of(c, x) || !detect_port_ephemeral(c, x->lport)) {
		o->by = DOWN_LOCAL;
		o->family = x->family;
		o->lport = x->lport;
	} else {
		o->by = DOWN_DESTINATION;
		o->family = x->family;
		o->have_raddr = true;
		o->raddr = x->raddr;
		o->rport = x->rport;
	}
}

bool detect_first_seen(struct detect_ctx *c, uint64_t group_key, uint64_t value)
{
	uint64_t k = hmap_mix(group_key ^ hmap_mix(value + 1));
	if (k == HMAP_EMPTY)
		k--;
	if (hmap_get(&c->d->seen, k))
		return false;
	hmap_put(&c->d->seen, k, 1);
	return true;
}

double detect_stall_age(struct detect_ctx *c, const struct track_entry *e)
{
	struct detector *d = c->d;
	const struct conn *x = e->conn;
	bool have_acked = (x->ti.have & TI_BYTES_ACKED) != 0;
	uint32_t *ix = hmap_get(&d->stmap, e->key);
	struct stall *s;
	if (!ix) {
		d->st = xgrow(d->st, &d->st_cap, d->nst + 1, sizeof *d->st);
		s = &d->st[d->nst];
		hmap_put(&d->stmap, e->key, (uint32_t)d->nst);
		d->nst++;
		s->key = e->key;
		s->since_ns = c->now_ns;
		/* Kernel evidence on first sight: a socket retransmitting with
		 * backoff has heard nothing from its peer since last_ack. */
		if ((x->ti.have & TI_BASE) && x->ti.backoff > 0 && x->ti.unacked > 0) {
			uint64_t el = (uint64_t)x->ti.last_ack_recv_ms * 1000000ull;
			s->since_ns = el < c->now_ns ? c->now_ns - el : 0;
		}
	} else {
		s = &d->st[*ix];
		bool moving = have_acked ? x->ti.bytes_acked > s->acked : x->wqueue < s->wq;
		if (moving)
			s->since_ns = c->now_ns;
	}
	s->acked = x->ti.bytes_acked;
	s->wq = x->wqueue;
	s->gen = d->gen;
	return c->now_ns > s->since_ns ? (double)(c->now_ns - s->since_ns) / NS : 0.0;
}

const struct conn *detect_tw_top(const struct detect_ctx *c, unsigned *count, bool *local)
{
	const struct detector *d = c->d;
	const struct twdest *best = NULL;
	for (size_t i = 0; i < d->ntw; i++)
		if (d->tw[i].c->netns == c->netns && (!best || d->tw[i].count > best->count))
			best = &d->tw[i];
	*count = best ? best->count : 0;
	*local = best && !detect_port_ephemeral(c, best->c->lport);
	return best ? best->c : NULL;
}

/* Client side (ephemeral local port): by destination; server side: by the
 * local port, since every client's own port differs. */
char *detect_fmt_age(double s, bool lower, char *buf, size_t len)
{
	const char *p = lower ? ">=" : "";
	if (!isfinite(s))
		snprintf(buf, len, "?");
	else if (s < 1)
		snprintf(buf, len, "%s%.0fms", p, s * 1000);
	else if (s < 60)
		snprintf(buf, len, "%s%.0fs", p, s);
	else if (s < 3600)
		snprintf(buf, len, "%s%dm%02ds", p, (int)s / 60, (int)s % 60);
	else if (s < 86400)
		snprintf(buf, len, "%s%dh%02dm", p, (int)s / 3600, ((int)s % 3600) / 60);
	else
		snprintf(buf, len, "%s%dd%02dh", p, (int)(s / 86400), (int)((long)s % 86400) / 3600);
	return buf;
}

char *detect_fmt_rate(double r, char *buf, size_t len)
{
	if (!isfinite(r))
		snprintf(buf, len, "?");
	else if (r < 10)
		snprintf(buf, len, "%.1f", r);
	else
		snprintf(buf, len, "%.0f", r);
	return buf;
}

/* --- the update ---------------------------------------------------------- */

static struct detect_event *event_add(struct detector *d, enum detect_event_kind k, double when,
				      const struct detect_alert *a)
{
	d->ev = xgrow(d->ev, &d->ev_cap, d->nev + 1, sizeof *d->ev);
	struct detect_event *ev = &d->ev[d->nev++];
	ev->kind = k;
	ev->time = when;
	ev->alert = *a;
	return ev;
}

static void hysteresis(struct detector *d, struct detect_group *g, const struct detect_ctx *c)
{
	enum detect_kind k = g->a.kind;
	if (!d->cfg.enabled[k])
		g->fire = g->still = false;
	uint64_t now = c->now_ns;
	if (g->fire) {
		if (!g->true_since_ns)
			g->true_since_ns = now ? now : 1;
	} else {
		g->true_since_ns = 0;
	}
	g->a.clearing = false;
	if (!g->active) {
		if (g->fire && (double)(now - g->true_since_ns) / NS >= d->cfg.hold_s[k] - 1e-9) {
			g->active = true;
			g->false_since_ns = 0;
			g->a.raised_ns = now;
			g->a.raised_wall = c->wall;
			g->a.cleared_wall = NAN;
			detect_kinds[k].format(&g->a, g->a.message, sizeof g->a.message);
			g->last = g->a;
			event_add(d, DEV_RAISED, c->wall, &g->a);
		}
		return;
	}
	if (g->fire || g->still) {
		g->false_since_ns = 0;
		if (!g->fire) /* held by the weaker condition: keep the raised severity */
			g->a.severity = g->last.severity;
		detect_kinds[k].format(&g->a, g->a.message, sizeof g->a.message);
		g->last = g->a;
		return;
	}
	/* Gone: show what was wrong until it has been gone long enough. */
	g->a = g->last;
	g->a.clearing = true;
	if (!g->false_since_ns)
		g->false_since_ns = now ? now : 1;
	if ((double)(now - g->false_since_ns) / NS < d->cfg.clear_s[k] - 1e-9)
		return;
	g->active = false;
	g->false_since_ns = 0;
	g->a.clearing = false;
	char dur[32];
	detect_fmt_age((double)(now - g->a.raised_ns) / NS, false, dur, sizeof dur);
	struct detect_event *ev = event_add(d, DEV_CLEARED, c->wall, &g->last);
	ev->alert.cleared_wall = c->wall;
	snprintf(ev->alert.message, sizeof ev->alert.message, "%s cleared after %s (was: %.240s)",
		 detect_kinds[k].title, dur, g->last.message);
}

static void group_remove(struct detector *d, size_t i)
{
	hmap_del(&d->gmap, d->g[i].key);
	size_t last = d->n - 1;
	if (i != last) {
		d->g[i] = d->g[last];
		hmap_put(&d->gmap, d->g[i].key, (uint32_t)i);
	}
	d->n--;
}

static void stalls_sweep(struct detector *d)
{
	for (size_t i = 0; i < d->nst;) {
		if (d->st[i].gen == d->gen) {
			i++;
			continue;
		}
		hmap_del(&d->stmap, d->st[i].key);
		size_t last = d->nst - 1;
		if (i != last) {
			d->st[i] = d->st[last];
			hmap_put(&d->stmap, d->st[i].key, (uint32_t)i);
		}
		d->nst--;
	}
}

static int alert_cmp(const void *pa, const void *pb)
{
	const struct detect_alert *a = *(const struct detect_alert *const *)pa;
	const struct detect_alert *b = *(const struct detect_alert *const *)pb;
	if (a->severity != b->severity)
		return a->severity > b->severity ? -1 : 1;
	if (a->kind != b->kind)
		return a->kind < b->kind ? -1 : 1;
	if (a->count != b->count)
		return a->count > b->count ? -1 : 1;
	if (a->raised_ns != b->raised_ns)
		return a->raised_ns < b->raised_ns ? -1 : 1;
	return strcmp(a->message, b->message);
}

void detector_update(struct detector *d, const struct tracker *t, const struct snapshot *snap)
{
	detector_update_ns(d, t, snap, NULL, 0);
}

void detector_update_ns(struct detector *d, const struct tracker *t, const struct snapshot *hdr,
			const struct detect_ns *ns, size_t nns)
{
	d->gen++;
	if (d->gen == 0)
		d->gen = 1;
	d->nev = 0;
	struct detect_ctx c = {
		.d = d,
		.cfg = &d->cfg,
		.now_ns = hdr->mono_ns,
		.wall = hdr->wall,
		.labels = hdr->labels,
		.t = t,
	};
	detect_ns_prepare(d, t, hdr, ns, nns);
	detect_ctx_use(&c, 0);
	size_t n;
	const struct track_entry *const *ents = tracker_entries(t, &n);
	d->ents = ents;
	detect_index_sockets(d, &c, ents, n);
	tally_sockets(d, &c, ents, n);

	for (size_t i = 0; i < n; i++) {
		const struct track_entry *e = ents[i];
		if (e->flags & TRK_TOMB)
			continue;
		if (e->conn->netns != c.netns)
			detect_ctx_use_id(&c, e->conn->netns);
		for (int kk = 0; kk < DK_COUNT; kk++) {
			const struct detect_kind_def *kd = &detect_kinds[kk];
			struct detect_owner o;
			if (!kd->group || !d->cfg.enabled[kk] || d->floor[kk] == UINT_MAX ||
			    !kd->group(&c, e, &o))
				continue;
			detect_owner_stamp(&c, &o);
			if (!tally_passes(d, (enum detect_kind)kk, &o))
				continue;
			struct detect_group *g = detect_group_get(&c, (enum detect_kind)kk, &o);
			kd->add(&c, g, e);
		}
	}
	for (size_t j = 0; j < d->nnsv; j++) {
		detect_ctx_use(&c, j);
		for (int kk = 0; kk < DK_COUNT; kk++)
			if (detect_kinds[kk].global && d->cfg.enabled[kk])
				detect_kinds[kk].global(&c);
	}

	for (size_t i = 0; i < d->n; i++) {
		struct detect_group *g = &d->g[i];
		if (g->a.owner.netns != c.netns)
			detect_ctx_use_id(&c, g->a.owner.netns);
		if (g->gen != d->gen) {
			group_reset_tick(g);
			g->fed = false;
		}
		detect_kinds[g->a.kind].eval(&c, g);
		hysteresis(d, g, &c);
	}
	for (size_t i = 0; i < d->n;) {
		struct detect_group *g = &d->g[i];
		if (!g->active && g->gen != d->gen)
			group_remove(d, i);
		else
			i++;
	}
	stalls_sweep(d);
	d->ents = NULL;

	d->nactive = 0;
	d->active = xgrow(d->active, &d->active_cap, d->n ? d->n : 1, sizeof *d->active);
	for (size_t i = 0; i < d->n; i++)
		if (d->g[i].active)
			d->active[d->nactive++] = &d->g[i].a;
	qsort(d->active, d->nactive, sizeof *d->active, alert_cmp);
}

/* --- the table: one entry per kind --------------------------------------- */

const struct detect_kind_def detect_kinds[DK_COUNT] = {
	[DK_CLOSE_WAIT] = {"close_wait", "CLOSE_WAIT", DS_WARNING,
			   "sockets the peer closed but the local app never closed",
			   dk_close_wait_group, dk_close_wait_add, NULL, dk_close_wait_eval,
			   dk_close_wait_format},
	[DK_SYN_RECV] = {"syn_recv", "SYN_RECV", DS_WARNING,
			 "half-open connections piling up on a listener (SYN flood signs)",
			 dk_syn_recv_group, dk_syn_recv_add, NULL, dk_syn_recv_eval, dk_syn_recv_format},
	[DK_LISTEN_OVERFLOW] = {"listen_overflow", "LISTEN OVERFLOW", DS_WARNING,
				"a listener's accept queue is full: new connections are dropped",
				dk_listen_group, dk_listen_add, dk_listen_global, dk_listen_eval,
				dk_listen_format},
	[DK_SYN_SENT] = {"syn_sent", "SYN_SENT", DS_WARNING,
			 "outbound connects stuck waiting for an answer",
			 dk_syn_sent_group, dk_syn_sent_add, NULL, dk_syn_sent_eval, dk_syn_sent_format},
	[DK_PORT_EXHAUSTION] = {"port_exhaustion", "PORTS", DS_WARNING,
				"ephemeral ports towards one destination running out",
				dk_ports_group, dk_ports_add, NULL, dk_ports_eval, dk_ports_format,
				dk_ports_floor},
	[DK_TIME_WAIT] = {"time_wait", "TIME_WAIT", DS_WARNING,
			  "TIME_WAIT sockets near tcp_max_tw_buckets",
			  NULL, NULL, dk_time_wait_global, dk_time_wait_eval, dk_time_wait_format},
	[DK_ORPHANS] = {"orphans", "ORPHANS", DS_WARNING,
			"orphaned sockets (closed by the app, not finished) near tcp_max_orphans",
			NULL, NULL, dk_orphans_global, dk_orphans_eval, dk_orphans_format},
	[DK_RETRANS] = {"retrans", "RETRANS", DS_WARNING,
			"connections retransmitting a lot, or a high retransmitted share overall",
			dk_retrans_group, dk_retrans_add, dk_retrans_global, dk_retrans_eval,
			dk_retrans_format},
	[DK_STALLED] = {"stalled", "STALLED", DS_WARNING,
			"ESTABLISHED sockets whose Send-Q does not drain (peer not reading, or gone)",
			dk_stalled_group, dk_stalled_add, NULL, dk_stalled_eval, dk_stalled_format},
	[DK_EXPOSURE] = {"exposure", "EXPOSURE", DS_WARNING,
			 "listener audit: risky services reachable, listeners in the ephemeral "
			 "range, ports shared by several programs",
			 NULL, NULL, dk_exposure_global, dk_exposure_eval, dk_exposure_format},
	[DK_TCP_MEMORY] = {"tcp_memory", "TCP MEMORY", DS_WARNING,
			   "TCP memory above net.ipv4.tcp_mem's pressure threshold (the kernel trims "
			   "buffers; above its max it drops)",
			   NULL, NULL, dk_tcp_mem_global, dk_tcp_mem_eval, dk_tcp_mem_format},
};
