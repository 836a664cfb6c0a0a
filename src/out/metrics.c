/* metrics.c — what one engine tick contributes to the exposition: gauges
 * from the header, the tracker and the detector; counters and histograms
 * from the tick's events. Cardinality caps are applied here (see
 * metrics.h); the table (metrics_table.c) only emits. */
#include "tcpscope/metrics.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "metrics_int.h"
#include "tcpscope/labels.h"
#include "tcpscope/engine.h"
#include "tcpscope/util.h"

/* Sockets by name for one tick (open addressing; cap a power of 2). */
struct mx_agg {
	struct mx_owner *tab;
	size_t cap, n;
};

struct metrics {
	struct metrics_opts o;
	double created;
	struct mx_family *fams; /* owned: the static table, then one per kstat value */
	size_t nfams;
	char (*knames)[64]; /* owned: names of the kernel families */
	char (*khelps)[128];
	struct mx_ns *ns; /* owned, o.nns */
	/* per-tick scratch, reused */
	uint8_t lports[65536 / 8]; /* listening ports of the tick */
	struct mx_agg own, unit;   /* this tick's sockets by process, by unit */
	struct mx_owner *osort;
	size_t osort_cap;
	struct mx_listener *lis;
	size_t nlis, lis_cap;
	struct mx_alert *al;
	size_t nal, al_cap;
};

static void kernel_families(struct metrics *m)
{
	size_t ns = mx_nfamilies;
	m->nfams = ns + KS_COUNT;
	m->fams = xcalloc(m->nfams, sizeof *m->fams);
	m->knames = xcalloc(KS_COUNT, sizeof *m->knames);
	m->khelps = xcalloc(KS_COUNT, sizeof *m->khelps);
	/* build info last, kernel families before it */
	memcpy(m->fams, mx_families, (ns - 1) * sizeof *m->fams);
	static const char *const files[] = {[KSRC_SNMP] = "/proc/net/snmp",
					    [KSRC_NETSTAT] = "/proc/net/netstat",
					    [KSRC_SOCKSTAT] = "/proc/net/sockstat",
					    [KSRC_SOCKSTAT6] = "/proc/net/sockstat6"};
	for (int k = 0; k < KS_COUNT; k++) {
		const struct kstat_def *d = &kstat_table[k];
		struct mx_family *f = &m->fams[ns - 1 + (size_t)k];
		snprintf(m->knames[k], sizeof m->knames[k], "tcpscope_kernel_%s", d->json);
		if (d->src == KSRC_SYSCTL)
			snprintf(m->khelps[k], sizeof m->khelps[k],
				 "Kernel setting net.ipv4.%s%s%s.", d->section,
				 *d->name ? " field " : "", d->name);
		else
			snprintf(m->khelps[k], sizeof m->khelps[k], "Kernel %s %s %s (%s).",
				 d->kind == KSK_COUNTER ? "counter" : "level", d->section, d->name,
				 files[d->src]);
		f->name = m->knames[k];
		f->help = m->khelps[k];
		f->type = d->kind == KSK_COUNTER ? MXT_COUNTER : MXT_GAUGE;
		f->per_ns = true;
		/* counting since boot or the namespace's creation, not since us */
		f->no_created = true;
		f->arg = k;
		f->fill = mx_fill_kernel;
	}
	m->fams[m->nfams - 1] = mx_families[ns - 1];
}

struct metrics *metrics_new(const struct metrics_opts *o)
{
	struct metrics *m = xcalloc(1, sizeof *m);
	m->o = *o;
	if (!m->o.top_owners)
		m->o.top_owners = MX_TOP_OWNERS_DEFAULT;
	if (!m->o.max_listeners)
		m->o.max_listeners = MX_LISTENERS_DEFAULT;
	if (!m->o.nns)
		m->o.nns = 1;
	m->created = o->created_wall > 0 ? o->created_wall : clock_wall();
	kernel_families(m);
	m->ns = xcalloc(m->o.nns, sizeof *m->ns);
	for (size_t i = 0; i < m->o.nns; i++) {
		struct mx_ns *ns = &m->ns[i];
		ns->name = o->ns_names ? o->ns_names[i] : NULL;
		ns->owners = xcalloc(m->o.top_owners + 1, sizeof *ns->owners);
		ns->units = xcalloc(m->o.top_owners + 1, sizeof *ns->units);
		ns->netns = xcalloc(MX_NETNS_CAP + 1, sizeof *ns->netns);
		ns->listeners = xcalloc(m->o.max_listeners + 1, sizeof *ns->listeners);
		ns->alerts = xcalloc(MX_ALERT_CAP + DK_COUNT * DS_COUNT, sizeof *ns->alerts);
		ns->classes[MX_NCLASS - 1] = (struct mx_class){.dir = MXD_OTHER, .used = true};
	}
	return m;
}

void metrics_free(struct metrics *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->o.nns; i++) {
		free(m->ns[i].owners);
		free(m->ns[i].units);
		free(m->ns[i].netns);
		free(m->ns[i].listeners);
		free(m->ns[i].alerts);
	}
	free(m->ns);
	free(m->fams);
	free(m->knames);
	free(m->khelps);
	free(m->own.tab);
	free(m->unit.tab);
	free(m->osort);
	free(m->lis);
	free(m->al);
	free(m);
}

size_t metrics_nfamilies(const struct metrics *m)
{
	return m->nfams;
}

const char *metrics_family_name(const struct metrics *m, size_t i)
{
	return i < m->nfams ? m->fams[i].name : NULL;
}

void metrics_render(const struct metrics *m, enum metrics_format f, struct mxbuf *out)
{
	mx_render(m->fams, m->nfams, m->ns, m->o.nns, m->created, f, out);
}

/* ------------------------------------------------------------ port classes */

static bool lport_listening(const struct metrics *m, uint16_t p)
{
	return (m->lports[p >> 3] >> (p & 7)) & 1u;
}

/* The class of a connection: inbound to a port we listen on, outbound to a
 * port below the ephemeral range, else other. Classes are kept first come,
 * MX_PORT_CAP per direction; the last slot is the `other` class. */
static size_t class_of(const struct metrics *m, struct mx_ns *ns, const struct conn *c)
{
	unsigned eph_lo = kstat_has(&ns->kernel, KS_PORT_RANGE_LOW)
			      ? (unsigned)ns->kernel.v[KS_PORT_RANGE_LOW]
			      : 32768;
	uint8_t dir;
	uint16_t port;
	if (c->lport && lport_listening(m, c->lport))
		dir = MXD_INBOUND, port = c->lport;
	else if (c->rport && c->rport < eph_lo)
		dir = MXD_OUTBOUND, port = c->rport;
	else
		return MX_NCLASS - 1;
	size_t ndir = 0;
	for (size_t i = 0; i < MX_NCLASS - 1; i++) {
		struct mx_class *k = &ns->classes[i];
		if (!k->used)
			continue;
		if (k->dir == dir && k->port == port)
			return i;
		ndir += k->dir == dir;
	}
	if (ndir >= MX_PORT_CAP)
		return MX_NCLASS - 1;
	for (size_t i = 0; i < MX_NCLASS - 1; i++)
		if (!ns->classes[i].used) {
			ns->classes[i] = (struct mx_class){.dir = dir, .port = port, .used = true};
			return i;
		}
	return MX_NCLASS - 1;
}

/* ------------------------------------------------------------ owners */

static uint64_t name_hash(const char *s)
{
	uint64_t h = 1469598103934665603ull;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

static struct mx_owner *owner_slot(struct mx_agg *a, const char *name)
{
	if ((a->n + 1) * 2 > a->cap) { /* grow: rehash */
		size_t oc = a->cap;
		struct mx_owner *old = a->tab;
		a->cap = oc ? oc * 2 : 256;
		a->tab = xcalloc(a->cap, sizeof *a->tab);
		a->n = 0;
		for (size_t i = 0; i < oc; i++)
			if (old[i].name[0]) {
				struct mx_owner *s = owner_slot(a, old[i].name);
				*s = old[i];
			}
		free(old);
	}
	size_t mask = a->cap - 1, i = name_hash(name) & mask;
	while (a->tab[i].name[0] && strcmp(a->tab[i].name, name))
		i = (i + 1) & mask;
	if (!a->tab[i].name[0]) {
		snprintf(a->tab[i].name, sizeof a->tab[i].name, "%s", name);
		a->n++;
	}
	return &a->tab[i];
}

static int owner_cmp(const void *a, const void *b)
{
	const struct mx_owner *x = a, *y = b;
	if (x->total != y->total)
		return x->total > y->total ? -1 : 1;
	return strcmp(x->name, y->name);
}

/* Top K by sockets into out[] (*nout), the rest (and any name literally
 * "other") summed into "other"; the tick's table is emptied. */
static void owners_finish(struct metrics *m, struct mx_agg *a, struct mx_owner *out,
			  size_t *nout)
{
	if (m->osort_cap < a->n)
		m->osort = xgrow(m->osort, &m->osort_cap, a->n, sizeof *m->osort);
	size_t n = 0;
	for (size_t i = 0; i < a->cap; i++)
		if (a->tab[i].name[0])
			m->osort[n++] = a->tab[i];
	if (n > 1)
		qsort(m->osort, n, sizeof *m->osort, owner_cmp);
	struct mx_owner other = {.name = "other"};
	bool have_other = false;
	*nout = 0;
	for (size_t i = 0; i < n; i++) {
		const struct mx_owner *o = &m->osort[i];
		if (*nout < m->o.top_owners && strcmp(o->name, "other")) {
			out[(*nout)++] = *o;
			continue;
		}
		for (int k = 0; k < 3; k++)
			other.n[k] += o->n[k];
		other.total += o->total;
		have_other = true;
	}
	if (have_other)
		out[(*nout)++] = other;
	if (a->tab)
		memset(a->tab, 0, a->cap * sizeof *a->tab);
	a->n = 0;
}

/* ------------------------------------------------------------ listeners */

static int listener_cmp(const void *a, const void *b)
{
	const struct mx_listener *x = a, *y = b;
	if (x->port != y->port)
		return x->port < y->port ? -1 : 1;
	if (x->family != y->family)
		return x->family < y->family ? -1 : 1;
	return memcmp(&x->addr, &y->addr, sizeof x->addr);
}

/* Merged by (addr, port) (SO_REUSEPORT groups are one label set); the
 * first max_listeners by port, the rest summed as the `other` bucket. */
static void listeners_finish(struct metrics *m, struct mx_ns *ns)
{
	if (m->nlis > 1)
		qsort(m->lis, m->nlis, sizeof *m->lis, listener_cmp);
	struct mx_listener other = {.other = true};
	bool have_other = false;
	ns->nlisteners = 0;
	for (size_t i = 0; i < m->nlis; i++) {
		const struct mx_listener *l = &m->lis[i];
		if (ns->nlisteners && !listener_cmp(&ns->listeners[ns->nlisteners - 1], l) &&
		    !ns->listeners[ns->nlisteners - 1].other) {
			ns->listeners[ns->nlisteners - 1].queue += l->queue;
			ns->listeners[ns->nlisteners - 1].backlog += l->backlog;
		} else if (ns->nlisteners < m->o.max_listeners) {
			ns->listeners[ns->nlisteners++] = *l;
		} else {
			other.queue += l->queue;
			other.backlog += l->backlog;
			have_other = true;
		}
	}
	if (have_other)
		ns->listeners[ns->nlisteners++] = other;
	m->nlis = 0;
}

/* ------------------------------------------------------------ alerts */

static int alert_cmp(const void *a, const void *b)
{
	const struct mx_alert *x = a, *y = b;
	if (x->kind != y->kind)
		return x->kind < y->kind ? -1 : 1;
	if (x->severity != y->severity)
		return x->severity > y->severity ? -1 : 1;
	return strcmp(x->owner, y->owner);
}

static size_t alerts_merge(struct mx_alert *a, size_t n)
{
	if (n > 1)
		qsort(a, n, sizeof *a, alert_cmp);
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		if (k && !alert_cmp(&a[k - 1], &a[i]))
			a[k - 1].n += a[i].n;
		else
			a[k++] = a[i];
	}
	return k;
}

/* One label set per (kind, severity, owner text without the pid); past
 * MX_ALERT_CAP the rest fold into owner="other". */
static void alerts_update(struct metrics *m, struct mx_ns *ns, const struct detector *d)
{
	size_t n;
	const struct detect_alert *const *al = detector_alerts(d, &n);
	if (m->al_cap < n)
		m->al = xgrow(m->al, &m->al_cap, n, sizeof *m->al);
	for (size_t i = 0; i < n; i++) {
		struct mx_alert *x = &m->al[i];
		x->kind = (uint8_t)al[i]->kind;
		x->severity = (uint8_t)al[i]->severity;
		x->n = 1;
		if (al[i]->owner.by == DOWN_PROCESS)
			snprintf(x->owner, sizeof x->owner, "%s",
				 al[i]->owner.comm[0] ? al[i]->owner.comm : "unknown");
		else
			detect_owner_format(&al[i]->owner, x->owner, sizeof x->owner);
	}
	n = alerts_merge(m->al, n);
	if (n > MX_ALERT_CAP) {
		for (size_t i = MX_ALERT_CAP; i < n; i++)
			snprintf(m->al[i].owner, sizeof m->al[i].owner, "other");
		n = alerts_merge(m->al, n);
		if (n > MX_ALERT_CAP + DK_COUNT * DS_COUNT)
			n = MX_ALERT_CAP + DK_COUNT * DS_COUNT;
	}
	if (n)
		memcpy(ns->alerts, m->al, n * sizeof *ns->alerts);
	ns->nalerts = n;
}

/* ------------------------------------------------------------ a tick */

static int owner_index(uint8_t state)
{
	return state == TCPS_ESTABLISHED  ? 0
	       : state == TCPS_SYN_SENT	  ? 1
	       : state == TCPS_CLOSE_WAIT ? 2
					  : -1;
}

static void events_update(struct metrics *m, struct mx_ns *ns, const struct tracker *t,
			  const struct detector *d)
{
	const struct mx_family *lf = &mx_families[MXF_CONNECTION_LIFETIME_SECONDS],
			       *rf = &mx_families[MXF_CONNECTION_RETRANSMITS];
	size_t n;
	const struct track_event *ev = tracker_events(t, &n);
	for (size_t i = 0; i < n; i++) {
		const struct track_event *e = &ev[i];
		if (e->kind == TEV_NEW && e->conn.state != TCPS_LISTEN) {
			ns->opened++;
		} else if (e->kind == TEV_CLOSED && e->from != TCPS_LISTEN) {
			ns->closed++;
			/* Born and gone between two polls: only the destroy event saw it. */
			if (e->seen_by == SEEN_DESTROY && isnan(e->lifetime_s))
				ns->opened++;
			size_t c = class_of(m, ns, &e->conn);
			if (!isnan(e->lifetime_s) && !e->lifetime_lower)
				mx_hist_observe(&ns->lifetime[c], lf->buckets, lf->nbuckets,
						e->lifetime_s);
			if (e->conn.ti.have & TI_BASE)
				mx_hist_observe(&ns->retrans[c], rf->buckets, rf->nbuckets,
						e->conn.ti.total_retrans);
		}
	}
	const struct detect_event *dev = detector_events(d, &n);
	for (size_t i = 0; i < n; i++) {
		int k = dev[i].alert.kind;
		if (k < 0 || k >= DK_COUNT)
			continue;
		if (dev[i].kind == DEV_RAISED)
			ns->raised[k]++;
		else
			ns->cleared[k]++;
	}
}

/* -A: sockets per namespace and state, from the engine's namespaces (the
 * first MX_NETNS_CAP, then "other"); none with a single namespace. */
static void netns_update(struct mx_ns *ns, const struct engine *g)
{
	ns->nnetns = 0;
	size_t n = engine_netns_count(g);
	bool other = false;
	for (size_t i = 0; i < n; i++) {
		struct engine_netns_info ni;
		if (!engine_netns_get(g, i, &ni) || !ni.id || !ni.available || !ni.counts)
			continue;
		struct mx_netns *x = &ns->netns[ns->nnetns < MX_NETNS_CAP ? ns->nnetns : MX_NETNS_CAP];
		if (ns->nnetns < MX_NETNS_CAP) {
			memset(x, 0, sizeof *x);
			snprintf(x->name, sizeof x->name, "%s", ni.name);
			ns->nnetns++;
		} else if (!other) {
			memset(x, 0, sizeof *x);
			snprintf(x->name, sizeof x->name, "other");
			other = true;
		}
		for (int st = 0; st < TCPS_COUNT; st++)
			x->states[st] += ni.counts[st];
	}
	if (other)
		ns->nnetns++;
}

void metrics_update(struct metrics *m, size_t nsi, const struct engine *g, double tick_s)
{
	metrics_update_parts(m, nsi, engine_header(g), engine_tracker(g), engine_detector(g),
			     tick_s);
	if (nsi < m->o.nns)
		netns_update(&m->ns[nsi], g);
}

void metrics_update_parts(struct metrics *m, size_t nsi, const struct snapshot *h,
			  const struct tracker *t, const struct detector *d, double tick_s)
{
	if (nsi >= m->o.nns)
		return;
	struct mx_ns *ns = &m->ns[nsi];
	ns->updated = true;
	ns->ticks++;
	ns->tick_s = tick_s;
	ns->last_wall = h->wall;
	memcpy(ns->states, h->counts, sizeof ns->states);
	ns->polled = h->total;
	ns->procs_limited = (h->flags & SNAP_PROCS_LIMITED) != 0;
	ns->kernel = h->kernel;
	if (!t || !d)
		return;
	const struct detect_ports *dp = detector_ports(d);
	ns->have_ports = dp->have_range;
	ns->ports_used = dp->used;
	ns->ports_usable = dp->usable;

	size_t n;
	const struct track_entry *const *en = tracker_entries(t, &n);
	ns->tracked = n;
	memset(m->lports, 0, sizeof m->lports);
	for (size_t i = 0; i < n; i++) {
		const struct track_entry *e = en[i];
		if (e->flags & TRK_TOMB)
			continue;
		const struct conn *c = e->conn;
		if (c->state == TCPS_LISTEN) {
			m->lports[c->lport >> 3] |= (uint8_t)(1u << (c->lport & 7));
			if (m->nlis == m->lis_cap)
				m->lis = xgrow(m->lis, &m->lis_cap, m->nlis + 1, sizeof *m->lis);
			m->lis[m->nlis++] = (struct mx_listener){.family = c->family,
								 .addr = c->laddr,
								 .port = c->lport,
								 .queue = c->rqueue,
								 .backlog = c->wqueue};
			continue;
		}
		int oi = owner_index(c->state);
		if (oi >= 0) {
			struct mx_owner *o = owner_slot(&m->own, c->comm[0] ? c->comm : "unknown");
			o->n[oi]++;
			o->total++;
			/* The service, container or pod, when the cgroup names one. */
			const char *u = (c->have & CONN_HAVE_CGROUP)
						? labels_cgroup_text(h->labels, c->cgroup_id) : "";
			if (*u && strcmp(u, "/")) {
				o = owner_slot(&m->unit, u);
				o->n[oi]++;
				o->total++;
			}
		}
	}
	const struct mx_family *rtt = &mx_families[MXF_RTT_SECONDS];
	for (size_t i = 0; i < n; i++) {
		const struct conn *c = en[i]->conn;
		if ((en[i]->flags & TRK_TOMB) || c->state != TCPS_ESTABLISHED ||
		    !(c->ti.have & TI_BASE) || !c->ti.rtt_us)
			continue;
		mx_hist_observe(&ns->rtt[class_of(m, ns, c)], rtt->buckets, rtt->nbuckets,
				c->ti.rtt_us / 1e6);
	}
	owners_finish(m, &m->own, ns->owners, &ns->nowners);
	owners_finish(m, &m->unit, ns->units, &ns->nunits);
	listeners_finish(m, ns);
	events_update(m, ns, t, d);
	alerts_update(m, ns, d);
}
