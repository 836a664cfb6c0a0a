/* track_destroy.c — destroy events (the sock_diag multicast `ss -E`
 * listens to): queued between polls, settled by the next update against
 * what it saw, and the owners of connections that only they saw (born and
 * gone between two polls) taken from the listener of their local port. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "track_int.h"

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

/* --- owners of connections only destroy events saw ---------------------
 *
 * A destroy message carries no process and no cgroup. The server side of a
 * connection keeps its 4-tuple in the message, and its local port is its
 * listener's: the listener's owner (process, cgroup) is the connection's.
 * Taken only when unambiguous: one listener matches (exact address first,
 * else a wildcard of the family, else a v6 wildcard, which may be dual-
 * stack), or several that share one owner. The client side keeps "unknown"
 * (its uid comes from the message). */

static uint64_t listen_key(uint32_t netns, uint16_t lport)
{
	return ((uint64_t)netns << 16 | lport) + 1;
}

static int listen_cmp(const void *pa, const void *pb, void *ctx)
{
	const struct tracker *t = ctx;
	const struct conn *a = &t->v[*(const uint32_t *)pa].c, *b = &t->v[*(const uint32_t *)pb].c;
	uint64_t ka = listen_key(a->netns, a->lport), kb = listen_key(b->netns, b->lport);
	return ka < kb ? -1 : ka > kb;
}

/* Live LISTEN entries, sorted by (netns, port): built only for updates
 * that have connections to name. */
static size_t listeners_index(struct tracker *t, uint32_t **out)
{
	size_t n = 0, cap = 0;
	uint32_t *ix = NULL;
	for (size_t i = 0; i < t->n; i++)
		if (t->v[i].c.state == TCPS_LISTEN) {
			ix = xgrow(ix, &cap, n + 1, sizeof *ix);
			ix[n++] = (uint32_t)i;
		}
	if (n > 1)
		qsort_r(ix, n, sizeof *ix, listen_cmp, t);
	*out = ix;
	return n;
}

static bool same_owner(const struct conn *a, const struct conn *b)
{
	return a->pid == b->pid && a->cgroup_id == b->cgroup_id && !strcmp(a->comm, b->comm);
}

/* The listener whose owner the connection `c` takes, or NULL. */
static const struct conn *listener_for(const struct tracker *t, const uint32_t *ix, size_t n,
				       const struct conn *c)
{
	if (!c->lport || !n)
		return NULL;
	uint64_t k = listen_key(c->netns, c->lport);
	size_t lo = 0, hi = n;
	while (lo < hi) { /* first listener with key >= k */
		size_t mid = (lo + hi) / 2;
		const struct conn *m = &t->v[ix[mid]].c;
		if (listen_key(m->netns, m->lport) < k)
			lo = mid + 1;
		else
			hi = mid;
	}
	/* Match ranks: 3 exact address, 2 wildcard of the family, 1 v6 wildcard. */
	const struct conn *best = NULL;
	int best_rank = 0;
	bool ambiguous = false;
	for (size_t i = lo; i < n; i++) {
		const struct conn *l = &t->v[ix[i]].c;
		if (listen_key(l->netns, l->lport) != k)
			break;
		int rank = 0;
		if (l->family == c->family && !memcmp(&l->laddr, &c->laddr, sizeof l->laddr))
			rank = 3;
		else if (l->family == c->family && conn_addr_is_any(l->family, &l->laddr))
			rank = 2;
		else if (l->family == AF_INET6 && c->family == AF_INET &&
			 conn_addr_is_any(AF_INET6, &l->laddr))
			rank = 1;
		if (!rank || rank < best_rank)
			continue;
		if (rank > best_rank) {
			best = l;
			best_rank = rank;
			ambiguous = false;
		} else if (!same_owner(best, l)) {
			ambiguous = true; /* e.g. SO_REUSEPORT shared by two programs */
		}
	}
	return ambiguous ? NULL : best;
}

/* Destroy events nobody claimed: sockets born and gone between two polls
 * (or already closed by an earlier sweep: those are dropped). */
void track_pending_settle_unknown(struct tracker *t)
{
	uint32_t *lix = NULL;
	size_t nl = 0;
	bool indexed = false;
	for (size_t i = 0; i < t->npend; i++) {
		struct pend *p = &t->pend[i];
		if (p->fate != PEND_OPEN)
			continue;
		if (track_map_get(t, track_key(&p->c))) {
			t->stats.destroy_late++;
			continue;
		}
		t->stats.destroy_unknown++;
		struct track_event *ev = track_event_add(t, TEV_CLOSED, p->wall);
		ev->seen_by = SEEN_DESTROY;
		ev->from = p->c.state;
		ev->to = TCPS_CLOSE;
		ev->conn = p->c;
		if (p->x.have)
			ev->tix = p->x;
		if (!indexed) {
			nl = listeners_index(t, &lix);
			indexed = true;
		}
		const struct conn *l = listener_for(t, lix, nl, &p->c);
		if (l && (l->have & (CONN_HAVE_PROC | CONN_HAVE_CGROUP))) {
			ev->owner_from = TOWNER_LISTENER;
			ev->conn.pid = l->pid;
			ev->conn.nprocs = l->nprocs;
			memcpy(ev->conn.comm, l->comm, sizeof ev->conn.comm);
			ev->conn.cgroup_id = l->cgroup_id;
			ev->conn.have |= l->have & (CONN_HAVE_PROC | CONN_HAVE_CGROUP);
			t->stats.destroy_named++;
		}
	}
	free(lix);
}

/* A full socket that became TIME_WAIT before any dump asked for its cookie
 * is destroyed under a freshly made cookie while its timewait socket gets
 * another one: the destroy message and the new TIME_WAIT socket then share
 * only the 4-tuple. Such a socket lives on; it is not closed yet. */
void track_pending_tw_match(struct tracker *t, const struct conn *c)
{
	uint32_t *pix = hmap_get(&t->ptuple, track_tuple_hash(c, 0));
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

