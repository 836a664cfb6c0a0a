/* audit.c — the listener audit (see audit.h): exposure, port ranges,
 * shared ports, accepts per second and findings. Pure. */
#include "tcpscope/audit.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "tcpscope/ifaddr.h"
#include "tcpscope/kstat.h"
#include "tcpscope/track.h"
#include "tcpscope/util.h"

/* ---------------------------------------------------------------- addresses */

static const uint8_t v4mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

static enum audit_scope scope_v4(const uint8_t *b)
{
	if (!b[0] && !b[1] && !b[2] && !b[3])
		return ASC_ANY;
	if (b[0] == 127)
		return ASC_LOOPBACK;
	if (b[0] == 169 && b[1] == 254)
		return ASC_LINK_LOCAL;
	if (b[0] == 10 || (b[0] == 172 && (b[1] & 0xf0) == 16) || (b[0] == 192 && b[1] == 168) ||
	    (b[0] == 100 && (b[1] & 0xc0) == 64))
		return ASC_PRIVATE;
	return ASC_PUBLIC;
}

enum audit_scope audit_addr_scope(int family, const union conn_addr *a)
{
	if (family == AF_INET)
		return scope_v4(a->b);
	if (!memcmp(a->b, v4mapped, 12))
		return scope_v4(a->b + 12);
	static const uint8_t zero[16], one[16] = {[15] = 1};
	if (!memcmp(a->b, zero, 16))
		return ASC_ANY;
	if (!memcmp(a->b, one, 16))
		return ASC_LOOPBACK;
	if (a->b[0] == 0xfe && (a->b[1] & 0xc0) == 0x80)
		return ASC_LINK_LOCAL;
	if ((a->b[0] & 0xfe) == 0xfc)
		return ASC_PRIVATE;
	return ASC_PUBLIC;
}

enum audit_exposure audit_exposure_of(const struct conn *c)
{
	switch (audit_addr_scope(c->family, &c->laddr)) {
	case ASC_ANY:
		if (c->family == AF_INET)
			return AEX_WILDCARD_V4;
		/* Unknown V6ONLY counts as dual-stack: the wider reach. */
		return (c->have & CONN_HAVE_V6ONLY) && (c->have & CONN_V6ONLY) ? AEX_WILDCARD_V6
										 : AEX_WILDCARD_DUAL;
	case ASC_LOOPBACK:
		return AEX_LOOPBACK;
	default:
		return AEX_ADDRESS;
	}
}

bool audit_reachable(const struct conn *c)
{
	enum audit_scope s = audit_addr_scope(c->family, &c->laddr);
	return s == ASC_ANY || s == ASC_PUBLIC;
}

/* ---------------------------------------------------------------- port range */

int audit_port_ephemeral(const struct kstat *k, unsigned port)
{
	if (!k || !kstat_has(k, KS_PORT_RANGE_LOW) || !kstat_has(k, KS_PORT_RANGE_HIGH))
		return -1;
	if (port < k->v[KS_PORT_RANGE_LOW] || port > k->v[KS_PORT_RANGE_HIGH])
		return 0;
	return kstat_port_reserved(k, port) ? 0 : 1;
}

char *audit_reserve_line(const struct kstat *k, unsigned port, char *buf, size_t len)
{
	size_t at = (size_t)snprintf(buf, len, "sysctl -w net.ipv4.ip_local_reserved_ports=");
	for (unsigned i = 0; k && k->have_reserved && i < k->nreserved && at < len; i++) {
		const struct kstat_port_span *s = &k->reserved[i];
		at += (size_t)(s->lo == s->hi ? snprintf(buf + at, len - at, "%u,", s->lo)
					      : snprintf(buf + at, len - at, "%u-%u,", s->lo, s->hi));
	}
	if (at < len)
		snprintf(buf + at, len - at, "%u%s", port,
			 k && k->reserved_truncated ? " (plus the reserved ports not shown)" : "");
	return buf;
}

/* ---------------------------------------------------------------- owners */

static bool owner_differs(const struct track_entry *a, const struct track_entry *b)
{
	const struct conn *x = a->conn, *y = b->conn;
	if ((x->have & CONN_HAVE_UID) && (y->have & CONN_HAVE_UID) && x->uid != y->uid)
		return true;
	const char *ca = track_owner_comm(a, NULL), *cb = track_owner_comm(b, NULL);
	return ca && cb && strcmp(ca, cb) != 0;
}

char *audit_owner_text(const struct audit_row *r, char *buf, size_t len)
{
	int32_t pid;
	const char *comm = track_owner_comm(r->e, &pid);
	if (comm)
		snprintf(buf, len, "%s[%d]", comm, (int)pid);
	else if (r->e->conn->have & CONN_HAVE_UID)
		snprintf(buf, len, "uid %u", r->e->conn->uid);
	else
		snprintf(buf, len, "-");
	return buf;
}

/* Two listeners on one port compete for the same clients: the same family
 * and address (or a wildcard of that family), or a v4 and a v6 listener. */
static bool overlaps(const struct conn *x, const struct conn *y)
{
	if (x->family != y->family)
		return true;
	return !memcmp(x->laddr.b, y->laddr.b, x->family == AF_INET ? 4 : 16) ||
	       audit_addr_scope(x->family, &x->laddr) == ASC_ANY ||
	       audit_addr_scope(y->family, &y->laddr) == ASC_ANY;
}

static bool same_addr(const struct conn *x, const struct conn *y)
{
	return x->family == y->family &&
	       !memcmp(x->laddr.b, y->laddr.b, x->family == AF_INET ? 4 : 16);
}

/* ---------------------------------------------------------------- the run */

void audit_init(struct audit *a)
{
	memset(a, 0, sizeof *a);
}

void audit_done(struct audit *a)
{
	free(a->rows);
	memset(a, 0, sizeof *a);
}

static int row_cmp(const void *pa, const void *pb)
{
	const struct conn *x = ((const struct audit_row *)pa)->e->conn;
	const struct conn *y = ((const struct audit_row *)pb)->e->conn;
	/* One port group per namespace (-A): two containers' :8080 are two. */
	if (x->netns != y->netns)
		return x->netns < y->netns ? -1 : 1;
	if (x->lport != y->lport)
		return x->lport < y->lport ? -1 : 1;
	if (x->family != y->family)
		return x->family == AF_INET ? -1 : 1;
	int c = conn_addr_cmp(x->family, &x->laddr, &y->laddr);
	if (c)
		return c;
	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	return x->cookie < y->cookie ? -1 : x->cookie > y->cookie;
}

/* Does a connection with local address c belong to listener l? */
static bool accepted_by(const struct conn *l, const struct conn *c)
{
	if (l->family != c->family)
		return false;
	if (audit_addr_scope(l->family, &l->laddr) == ASC_ANY)
		return true;
	return !memcmp(l->laddr.b, c->laddr.b, l->family == AF_INET ? 4 : 16);
}

static uint64_t port_key(const struct conn *c)
{
	return (uint64_t)c->netns << 16 | c->lport;
}

/* First row of the port of `c` (in its namespace), or a->n. */
static size_t first_of_port(const struct audit *a, const struct conn *c)
{
	size_t lo = 0, hi = a->n;
	uint64_t k = port_key(c);
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (port_key(a->rows[mid].e->conn) < k)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static void count_accepts(struct audit *a, const struct track_entry *const *es, size_t n,
			  double *tally)
{
	for (size_t i = 0; i < n; i++) {
		const struct track_entry *e = es[i];
		const struct conn *c = e->conn;
		if (!(e->flags & TRK_NEW) || c->state == TCPS_LISTEN || !c->rport)
			continue;
		for (size_t j = first_of_port(a, c);
		     j < a->n && port_key(a->rows[j].e->conn) == port_key(c); j++)
			if (accepted_by(a->rows[j].e->conn, c))
				tally[j] += 1;
	}
}

#define AUDIT_MAX_OWNERS 8

static void group_facts(struct audit *a, size_t from, size_t to)
{
	for (size_t i = from; i < to; i++) {
		struct audit_row *r = &a->rows[i];
		const struct track_entry *seen[AUDIT_MAX_OWNERS];
		unsigned nseen = 0;
		r->group_n = (unsigned)(to - from);
		r->same_addr = 0;
		r->owners = 1;
		for (size_t j = from; j < to; j++) {
			const struct track_entry *o = a->rows[j].e;
			if (same_addr(r->e->conn, o->conn))
				r->same_addr++;
			if (j == i || !overlaps(r->e->conn, o->conn) || !owner_differs(r->e, o))
				continue;
			bool dup = false;
			for (unsigned k = 0; k < nseen && !dup; k++)
				dup = !owner_differs(seen[k], o);
			if (!dup && nseen < AUDIT_MAX_OWNERS) {
				seen[nseen++] = o;
				r->owners++;
			}
		}
	}
}

static void judge(struct audit *a, struct audit_row *r)
{
	const struct conn *c = r->e->conn;
	r->findings = 0;
	if (r->risky && r->reachable)
		r->findings |= 1u << AF_RISKY;
	if (r->ephemeral == 1)
		r->findings |= 1u << AF_EPHEMERAL;
	if (r->owners > 1)
		r->findings |= 1u << AF_SHARED;
	else if (r->same_addr > 1)
		r->findings |= 1u << AF_REUSEPORT;
	if (isfinite(r->fill_pct) && r->fill_pct >= a->o.fill_pct && c->rqueue > 0)
		r->findings |= 1u << AF_QUEUE_FULL;
	r->worst = -1;
	for (int f = 0; f < AF_COUNT; f++) {
		if (!(r->findings >> f & 1u))
			continue;
		enum detect_severity s = audit_finding_severity(r, (enum audit_finding)f);
		a->counts[s]++;
		if ((int)s > r->worst)
			r->worst = (int)s;
	}
}

void audit_run(struct audit *a, const struct audit_opts *o, const struct track_entry *const *es,
	       size_t n)
{
	a->o = *o;
	a->n = 0;
	memset(a->counts, 0, sizeof a->counts);
	for (size_t i = 0; i < n; i++) {
		const struct track_entry *e = es[i];
		if (e->conn->state != TCPS_LISTEN || (e->flags & TRK_TOMB))
			continue;
		a->rows = xgrow(a->rows, &a->cap, a->n + 1, sizeof *a->rows);
		struct audit_row *r = &a->rows[a->n++];
		memset(r, 0, sizeof *r);
		r->e = e;
	}
	if (a->n > 1)
		qsort(a->rows, a->n, sizeof *a->rows, row_cmp);
	double *tally = xcalloc(a->n ? a->n : 1, sizeof *tally);
	if (isfinite(o->interval_s) && o->interval_s > 0)
		count_accepts(a, es, n, tally);
	unsigned group = 0;
	for (size_t i = 0; i < a->n;) {
		size_t j = i;
		group++;
		while (j < a->n && port_key(a->rows[j].e->conn) == port_key(a->rows[i].e->conn))
			a->rows[j++].group = group;
		group_facts(a, i, j);
		i = j;
	}
	for (size_t i = 0; i < a->n; i++) {
		struct audit_row *r = &a->rows[i];
		const struct conn *c = r->e->conn;
		r->exposure = audit_exposure_of(c);
		r->scope = audit_addr_scope(c->family, &c->laddr);
		r->ifname = r->scope == ASC_ANY ? NULL : ifaddr_lookup(o->ifs, c->family, &c->laddr);
		r->pclass = port_class_of(c->lport);
		r->ephemeral = audit_port_ephemeral(o->k, c->lport);
		r->reserved = o->k && o->k->have_reserved && kstat_port_reserved(o->k, c->lport);
		r->reachable = audit_reachable(c);
		r->risky = audit_risky_of(c->lport);
		r->fill_pct = (c->have & CONN_HAVE_RQUEUE) && (c->have & CONN_HAVE_WQUEUE) && c->wqueue
				      ? 100.0 * c->rqueue / c->wqueue
				      : NAN;
		r->accepts_per_s = isfinite(o->interval_s) && o->interval_s > 0
					   ? tally[i] / o->interval_s
					   : NAN;
		r->age_s = o->now_ns > r->e->first_seen_ns
				   ? (double)(o->now_ns - r->e->first_seen_ns) / 1e9
				   : 0;
		r->age_lower = (r->e->flags & TRK_AGE_LOWER) != 0;
		judge(a, r);
	}
	free(tally);
}

const struct audit_row *audit_find(const struct audit *a, const struct track_entry *e)
{
	if (!a || e->conn->state != TCPS_LISTEN)
		return NULL;
	for (size_t i = first_of_port(a, e->conn);
	     i < a->n && port_key(a->rows[i].e->conn) == port_key(e->conn); i++)
		if (a->rows[i].e == e)
			return &a->rows[i];
	return NULL;
}

char *audit_findings_short(const struct audit_row *r, char *buf, size_t len)
{
	static const char *const sev[DS_COUNT] = {"INFO", "WARN", "CRIT"};
	buf[0] = '\0';
	if (!r || r->worst < 0)
		return buf;
	size_t at = (size_t)snprintf(buf, len, "%s", sev[r->worst]);
	bool first = true;
	for (int s = DS_COUNT - 1; s >= 0; s--)
		for (int f = 0; f < AF_COUNT && at < len; f++)
			if ((r->findings >> f & 1u) &&
			    (int)audit_finding_severity(r, (enum audit_finding)f) == s) {
				at += (size_t)snprintf(buf + at, len - at, "%s%s", first ? " " : ",",
						       audit_findings[f].name);
				first = false;
			}
	return buf;
}

enum detect_severity audit_finding_severity(const struct audit_row *r, enum audit_finding f)
{
	if (f == AF_RISKY && r->risky)
		return r->risky->severity;
	return audit_findings[f].severity;
}

int audit_worst(const struct audit *a)
{
	for (int s = DS_COUNT - 1; s >= 0; s--)
		if (a->counts[s])
			return s;
	return -1;
}

int audit_severity_parse(const char *s)
{
	for (int i = 0; i < DS_COUNT; i++)
		if (!strcasecmp(s, detect_severity_name(i)))
			return i;
	return -1;
}

/* ---------------------------------------------------------------- sentences */

char *audit_endpoint_text(const struct conn *c, char *buf, size_t len)
{
	char a[CONN_ADDR_STRLEN];
	conn_addr_format(c->family, &c->laddr, a, sizeof a);
	snprintf(buf, len, c->family == AF_INET6 ? "[%s]:%u" : "%s:%u", a, c->lport);
	return buf;
}



/* ", other[12] (uid 5) on [::]:7000" for each overlapping row of another owner. */
static size_t list_others(const struct audit *a, const struct audit_row *r, char *buf,
			  size_t len, bool *all_other_family)
{
	size_t at = 0, from = (size_t)(r - a->rows);
	*all_other_family = true;
	while (from > 0 && a->rows[from - 1].group == r->group)
		from--;
	unsigned listed = 0;
	for (size_t j = from; j < a->n && a->rows[j].group == r->group && at < len; j++) {
		const struct audit_row *o = &a->rows[j];
		if (o == r || !overlaps(r->e->conn, o->e->conn) || !owner_differs(r->e, o->e))
			continue;
		if (o->e->conn->family == r->e->conn->family)
			*all_other_family = false;
		if (++listed > 3) {
			at += (size_t)snprintf(buf + at, len - at, ", ...");
			break;
		}
		char own[48], ep[64];
		at += (size_t)snprintf(buf + at, len - at, "%s%s (uid %u) on %s", listed > 1 ? ", " : "",
				       audit_owner_text(o, own, sizeof own), o->e->conn->uid,
				       audit_endpoint_text(o->e->conn, ep, sizeof ep));
	}
	return at;
}

char *audit_finding_text(const struct audit *a, const struct audit_row *r, enum audit_finding f,
			 char *buf, size_t len)
{
	const struct conn *c = r->e->conn;
	char ep[64], own[48], line[600];
	audit_endpoint_text(c, ep, sizeof ep);
	switch (f) {
	case AF_RISKY:
		snprintf(buf, len,
			 "%s on %s (%s) is reachable unless a firewall blocks it: %s; bind it to "
			 "127.0.0.1 or a private address, or firewall port %u",
			 r->risky ? r->risky->service : "?", ep, audit_exposure_text(r->exposure),
			 r->risky ? r->risky->why : "", c->lport);
		break;
	case AF_EPHEMERAL:
		snprintf(buf, len,
			 "port %u lies in ip_local_port_range %llu-%llu and is not reserved: an "
			 "outgoing connection can take it while the service restarts; reserve it: %s",
			 c->lport, (unsigned long long)a->o.k->v[KS_PORT_RANGE_LOW],
			 (unsigned long long)a->o.k->v[KS_PORT_RANGE_HIGH],
			 audit_reserve_line(a->o.k, c->lport, line, sizeof line));
		break;
	case AF_SHARED: {
		char others[400];
		bool other_family;
		list_others(a, r, others, sizeof others, &other_family);
		snprintf(buf, len, "port %u is also held by %s: %s", c->lport, others,
			 other_family ? "IPv4 and IPv6 clients reach different programs"
				      : "another program takes part of the connections (SO_REUSEPORT)");
		break;
	}
	case AF_REUSEPORT:
		snprintf(buf, len, "%u sockets of %s share %s (SO_REUSEPORT): the kernel spreads "
			 "new connections over them", r->same_addr,
			 audit_owner_text(r, own, sizeof own), ep);
		break;
	case AF_QUEUE_FULL:
		snprintf(buf, len, "accept queue %u/%u (%.0f%%): %s is not accepting fast enough - "
			 "see the listen_overflow alert", c->rqueue, c->wqueue, r->fill_pct,
			 audit_owner_text(r, own, sizeof own));
		break;
	default:
		snprintf(buf, len, "?");
	}
	return buf;
}
