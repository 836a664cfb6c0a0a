/* detect_ns.c — the namespaces of a detector update. Limits that are per
 * namespace (ip_local_port_range and its reserved ports, tcp_max_tw_buckets,
 * tcp_max_orphans, the kernel counters) are read from each namespace's own
 * header; sockets, groups and global kinds switch the context to theirs.
 * Without -A there is one namespace, id 0: the update's own header. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "detect_int.h"
#include "tcpscope/labels.h"

static void range_of(struct detect_nsrec *r)
{
	const struct kstat *k = &r->hdr->kernel;
	r->have_range = false;
	r->lo = r->hi = r->usable = 0;
	if (kstat_has(k, KS_PORT_RANGE_LOW) && kstat_has(k, KS_PORT_RANGE_HIGH) &&
	    k->v[KS_PORT_RANGE_LOW] <= k->v[KS_PORT_RANGE_HIGH] && k->v[KS_PORT_RANGE_HIGH] <= 65535) {
		r->have_range = true;
		r->lo = (unsigned)k->v[KS_PORT_RANGE_LOW];
		r->hi = (unsigned)k->v[KS_PORT_RANGE_HIGH];
		unsigned res = k->have_reserved ? kstat_reserved_in(k, r->lo, r->hi) : 0;
		r->usable = r->hi - r->lo + 1 - res;
	}
}

void detect_ns_prepare(struct detector *d, const struct tracker *t, const struct snapshot *hdr,
		       const struct detect_ns *ns, size_t nns)
{
	size_t want = nns ? nns : 1;
	if (want > d->nsv_cap) {
		d->nsv = realloc(d->nsv, want * sizeof *d->nsv);
		if (!d->nsv)
			abort();
		memset(d->nsv + d->nsv_cap, 0, (want - d->nsv_cap) * sizeof *d->nsv);
		d->nsv_cap = want;
	}
	hmap_clear(&d->nsmap);
	d->nnsv = want;
	for (size_t i = 0; i < want; i++) {
		struct detect_nsrec *r = &d->nsv[i];
		if (nns) {
			r->id = ns[i].id;
			r->hdr = ns[i].hdr;
			r->rates = ns[i].rates;
			snprintf(r->name, sizeof r->name, "%s", ns[i].name ? ns[i].name : "");
		} else {
			r->id = 0;
			r->hdr = hdr;
			r->rates = tracker_kstat_rates(t);
			r->name[0] = '\0';
		}
		if (!r->portbits)
			r->portbits = xcalloc(65536 / 64, sizeof *r->portbits);
		range_of(r);
		if (!hmap_get(&d->nsmap, r->id + 1ull))
			hmap_put(&d->nsmap, r->id + 1ull, (uint32_t)i);
	}
	/* Several namespaces: owners carry their names (one namespace's alerts
	 * read as before). */
	if (nns < 2)
		d->nsv[0].name[0] = '\0';
}

void detect_ns_free(struct detector *d)
{
	for (size_t i = 0; i < d->nsv_cap; i++)
		free(d->nsv[i].portbits);
	free(d->nsv);
	d->nsv = NULL;
	d->nsv_cap = d->nnsv = 0;
}

void detect_ctx_use(struct detect_ctx *c, size_t ix)
{
	const struct detect_nsrec *r = &c->d->nsv[ix < c->d->nnsv ? ix : 0];
	c->nsix = (size_t)(r - c->d->nsv);
	c->netns = r->id;
	c->nsname = r->name;
	c->snap = r->hdr;
	c->k = &r->hdr->kernel;
	c->r = r->rates;
	c->have_range = r->have_range;
	c->lo = r->lo;
	c->hi = r->hi;
	c->usable = r->usable;
}

void detect_ctx_use_id(struct detect_ctx *c, uint32_t id)
{
	uint32_t *ix = hmap_get(&c->d->nsmap, id + 1ull);
	detect_ctx_use(c, ix ? *ix : 0);
	c->netns = id; /* an unknown namespace (gone): judged by the first's limits */
}

/* snprintf(dst, cap, "%s", src) without printf's cost: this runs for
 * every socket and kind (a third of a 100k one-shot's user time was
 * snprintf here). */
static void copy_text(char *dst, size_t cap, const char *src)
{
	size_t n = strnlen(src, cap - 1);
	memcpy(dst, src, n);
	dst[n] = '\0';
}

void detect_owner_stamp(const struct detect_ctx *c, struct detect_owner *o)
{
	o->netns = c->netns;
	copy_text(o->ns, sizeof o->ns, c->nsname ? c->nsname : "");
	/* The service or container its process runs in (the root cgroup
	 * names nothing). */
	const char *u = o->cgroup_id ? labels_cgroup_text(c->labels, o->cgroup_id) : "";
	copy_text(o->unit, sizeof o->unit, strcmp(u, "/") ? u : "");
}

/* Distinct local ports in the usable ephemeral range held by sockets that
 * are not a listener's (an accepted connection shares its listener's port
 * and takes none from the range): what the header shows and what a
 * bind(0) or connect() to a new destination draws from. */
static void count_ports(struct detector *d, struct detect_ctx *c, struct detect_nsrec *r)
{
	struct detect_ports *p = &r->ports;
	memset(p, 0, sizeof *p);
	p->share_pct = NAN;
	if (r->have_range) {
		detect_ctx_use(c, (size_t)(r - d->nsv));
		p->have_range = true;
		p->lo = r->lo;
		p->hi = r->hi;
		p->usable = r->usable;
		for (unsigned port = r->lo; port <= r->hi; port++)
			if ((r->portbits[port >> 6] >> (port & 63)) & 1 &&
			    !hmap_get(&d->listeners, detect_listen_key(r->id, (uint16_t)port)) &&
			    detect_port_ephemeral(c, port))
				p->used++;
		if (p->usable)
			p->share_pct = 100.0 * p->used / p->usable;
	}
	memset(r->portbits, 0, 65536 / 8);
}

void detect_index_sockets(struct detector *d, struct detect_ctx *c,
			  const struct track_entry *const *ents, size_t n)
{
	hmap_clear(&d->listeners);
	hmap_clear(&d->seen);
	hmap_clear(&d->twmap);
	d->ntw = 0;
	for (size_t i = 0; i < n; i++) {
		const struct track_entry *e = ents[i];
		if (e->flags & TRK_TOMB)
			continue;
		const struct conn *x = e->conn;
		if (x->netns != c->netns)
			detect_ctx_use_id(c, x->netns);
		uint64_t lk = detect_listen_key(x->netns, x->lport);
		if (x->state == TCPS_LISTEN && !hmap_get(&d->listeners, lk))
			hmap_put(&d->listeners, lk, (uint32_t)i);
		else if (x->state == TCPS_TIME_WAIT)
			detect_tw_note(d, c, x);
		if (x->state != TCPS_LISTEN)
			d->nsv[c->nsix].portbits[x->lport >> 6] |= 1ull << (x->lport & 63);
	}
	for (size_t j = 0; j < d->nnsv; j++)
		count_ports(d, c, &d->nsv[j]);
	detect_ctx_use(c, 0);
}

const struct detect_ports *detector_ports(const struct detector *d)
{
	static const struct detect_ports none = {.share_pct = NAN};
	return d->nnsv ? &d->nsv[0].ports : &none;
}

/* A recorded tick put back (detector_restore): the port use it showed. */
void detect_ns_restore_ports(struct detector *d, const struct detect_ports *p)
{
	if (!d->nsv_cap) {
		d->nsv = xcalloc(1, sizeof *d->nsv);
		d->nsv_cap = 1;
	}
	d->nnsv = 1;
	d->nsv[0].ports = *p;
}

uint64_t detect_addr_hash(int family, const union conn_addr *a)
{
	uint64_t h = hmap_mix((uint64_t)family + 0x9e37);
	for (int i = 0; i < 4; i++)
		h = hmap_mix(h ^ a->w[i]);
	return h;
}

bool detect_port_ephemeral(const struct detect_ctx *c, unsigned port)
{
	if (!c->have_range)
		return port >= 32768 && port <= 60999; /* the kernel's default */
	if (port < c->lo || port > c->hi)
		return false;
	return !(c->k->have_reserved && kstat_port_reserved(c->k, port));
}

void detect_tw_note(struct detector *d, const struct detect_ctx *c, const struct conn *x)
{
	bool local = !detect_port_ephemeral(c, x->lport);
	uint64_t k = local ? hmap_mix(0x10000ull ^ x->lport)
			   : hmap_mix(detect_addr_hash(x->family, &x->raddr) ^ x->rport);
	k = hmap_mix(k ^ ((uint64_t)x->netns << 20));
	if (k == HMAP_EMPTY)
		k--;
	uint32_t *ix = hmap_get(&d->twmap, k);
	if (ix) {
		d->tw[*ix].count++;
		return;
	}
	d->tw = xgrow(d->tw, &d->tw_cap, d->ntw + 1, sizeof *d->tw);
	d->tw[d->ntw] = (struct twdest){x, 1};
	hmap_put(&d->twmap, k, (uint32_t)d->ntw);
	d->ntw++;
}

