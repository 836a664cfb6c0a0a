/* detect_kernel.c — the kinds judged against kernel limits and counters:
 * port_exhaustion (sockets vs ip_local_port_range), time_wait (vs
 * tcp_max_tw_buckets), orphans (vs tcp_max_orphans), retrans (per
 * connection, and RetransSegs vs OutSegs), tcp_memory (sockstat's mem vs
 * net.ipv4.tcp_mem). */
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "detect_int.h"

/* The host's group of a kernel-wide alert, fed `value` of `limit`. */
static struct detect_group *host_share(struct detect_ctx *c, enum detect_kind kind, double value,
				       double limit)
{
	struct detect_owner o;
	memset(&o, 0, sizeof o);
	o.pid = -1;
	o.by = DOWN_HOST;
	struct detect_group *g = detect_group_get(c, kind, &o);
	g->a.value = value;
	g->a.limit = limit;
	g->a.share_pct = value / limit * 100.0;
	return g;
}

/* Fire at warn, critical at crit, stay raised down to 90% of warn. */
static void judge_share(struct detect_group *g, double warn, double crit)
{
	double s = g->a.share_pct;
	g->fire = g->fed && isfinite(s) && s >= warn;
	g->still = g->fed && isfinite(s) && s >= warn * 0.9;
	g->a.severity = isfinite(s) && s >= crit ? DS_CRITICAL : DS_WARNING;
}

/* --- port_exhaustion ----------------------------------------------------- */

bool dk_ports_group(const struct detect_ctx *c, const struct track_entry *e,
		    struct detect_owner *o)
{
	const struct conn *x = e->conn;
	if (!c->have_range || !c->usable || x->state == TCPS_LISTEN || x->rport == 0 ||
	    !detect_port_ephemeral(c, x->lport))
		return false;
	memset(o, 0, sizeof *o);
	o->pid = -1;
	o->by = DOWN_TUPLE;
	o->family = x->family;
	o->have_laddr = o->have_raddr = true;
	o->laddr = x->laddr;
	o->raddr = x->raddr;
	o->rport = x->rport;
	detect_owner_proc(e, o);
	return true;
}

void dk_ports_add(struct detect_ctx *c, struct detect_group *g, const struct track_entry *e)
{
	(void)c;
	g->a.count++;
	g->a.total++;
	if (e->conn->state == TCPS_TIME_WAIT)
		g->ntw++;
	if (g->a.owner.pid < 0 && (e->conn->have & CONN_HAVE_PROC))
		detect_owner_proc(e, &g->a.owner);
}

void dk_ports_eval(const struct detect_ctx *c, struct detect_group *g)
{
	g->a.ntime_wait = g->ntw;
	if (c->have_range && c->usable) {
		g->a.value = g->a.count;
		g->a.limit = c->usable;
		g->a.share_pct = (double)g->a.count / c->usable * 100.0;
	}
	judge_share(g, c->cfg->v[DT_PE_WARN], c->cfg->v[DT_PE_CRITICAL]);
}

/* judge_share keeps an alert down to 0.9 × warn: below that a tuple can
 * neither raise nor hold one. */
unsigned dk_ports_floor(const struct detect_ctx *c)
{
	if (!c->have_range || !c->usable)
		return UINT_MAX;
	double f = floor((double)c->usable * c->cfg->v[DT_PE_WARN] * 0.9 / 100.0);
	return f < 1 ? 1 : (unsigned)f;
}

void dk_ports_format(const struct detect_alert *a, char *buf, size_t len)
{
	char own[128], who[48] = "", tw[32] = "";
	detect_owner_format(&a->owner, own, sizeof own);
	if (a->owner.pid >= 0)
		snprintf(who, sizeof who, ", e.g. %s[%d]", a->owner.comm, (int)a->owner.pid);
	if (a->ntime_wait)
		snprintf(tw, sizeof tw, ", %u in TIME_WAIT", a->ntime_wait);
	snprintf(buf, len,
		 "PORTS: %.0f of %.0f ephemeral ports (%.0f%%) in use for %s%s%s - new connections "
		 "there will fail (EADDRNOTAVAIL); reuse connections or widen ip_local_port_range",
		 a->value, a->limit, a->share_pct, own, tw, who);
}

/* --- time_wait ----------------------------------------------------------- */

void dk_time_wait_global(struct detect_ctx *c)
{
	const struct kstat *k = c->k;
	if (!kstat_has(k, KS_MAX_TW_BUCKETS) || !k->v[KS_MAX_TW_BUCKETS])
		return;
	double tw = kstat_has(k, KS_SOCK_TW) ? (double)k->v[KS_SOCK_TW]
					     : (double)c->snap->counts[TCPS_TIME_WAIT];
	struct detect_group *g = host_share(c, DK_TIME_WAIT, tw, (double)k->v[KS_MAX_TW_BUCKETS]);
	g->a.count = (unsigned)tw;
	g->a.rate = c->r->per_s[KS_TW_OVERFLOW];
	unsigned n;
	bool local;
	const struct conn *top = detect_tw_top(c, &n, &local);
	if (top) {
		g->a.top.family = top->family;
		g->a.top.local = local;
		g->a.top.addr = local ? top->laddr : top->raddr;
		g->a.top.port = local ? top->lport : top->rport;
		g->a.top.count = n;
	}
}

void dk_time_wait_eval(const struct detect_ctx *c, struct detect_group *g)
{
	judge_share(g, c->cfg->v[DT_TW_WARN], c->cfg->v[DT_TW_CRITICAL]);
	if (g->fire && isfinite(g->a.rate) && g->a.rate > 0)
		g->a.severity = DS_CRITICAL;
}

void dk_time_wait_format(const struct detect_alert *a, char *buf, size_t len)
{
	char top[96] = "", ov[48] = "", ep[64];
	if (a->top.family && a->top.local)
		snprintf(top, sizeof top, ", most on local port %u (%u)", a->top.port, a->top.count);
	else if (a->top.family)
		snprintf(top, sizeof top, ", most to %s (%u)",
			 conn_endpoint_format(a->top.family, &a->top.addr, a->top.port, false, ep,
					      sizeof ep),
			 a->top.count);
	if (isfinite(a->rate) && a->rate > 0)
		snprintf(ov, sizeof ov, ", %.1f/s dropped early (overflow)", a->rate);
	snprintf(buf, len,
		 "TIME_WAIT: %.0f of %.0f buckets (%.0f%%)%s%s - many short connections closed by "
		 "this side; use keep-alive or pooling (past the limit the kernel skips TIME_WAIT)",
		 a->value, a->limit, a->share_pct, top, ov);
}

/* --- orphans ------------------------------------------------------------- */

void dk_orphans_global(struct detect_ctx *c)
{
	const struct kstat *k = c->k;
	if (!kstat_has(k, KS_MAX_ORPHANS) || !kstat_has(k, KS_SOCK_ORPHAN) || !k->v[KS_MAX_ORPHANS])
		return;
	struct detect_group *g = host_share(c, DK_ORPHANS, (double)k->v[KS_SOCK_ORPHAN],
					    (double)k->v[KS_MAX_ORPHANS]);
	g->a.count = (unsigned)k->v[KS_SOCK_ORPHAN];
}

void dk_orphans_eval(const struct detect_ctx *c, struct detect_group *g)
{
	judge_share(g, c->cfg->v[DT_OR_WARN], c->cfg->v[DT_OR_CRITICAL]);
}

void dk_orphans_format(const struct detect_alert *a, char *buf, size_t len)
{
	snprintf(buf, len,
		 "ORPHANS: %.0f of %.0f (%.0f%%) sockets closed by their apps but not finished - "
		 "peers are not acknowledging our FINs; past the limit the kernel resets "
		 "connections (\"too many orphaned sockets\")",
		 a->value, a->limit, a->share_pct);
}

/* --- tcp_memory ---------------------------------------------------------- */

/* The kernel's own thresholds, no setting of ours: it is under pressure
 * above tcp_mem[1] and leaves that mode below tcp_mem[0]; above tcp_mem[2]
 * it refuses memory (critical). Both numbers are the host's: only the
 * host's namespace has the sysctl, so only it can raise this alert. */
void dk_tcp_mem_global(struct detect_ctx *c)
{
	const struct kstat *k = c->k;
	if (kstat_tcp_mem_level(k) == KSTAT_MEM_UNKNOWN || !k->tcp_mem[KSTAT_TCP_MEM_PRESSURE])
		return;
	host_share(c, DK_TCP_MEMORY, (double)k->v[KS_SOCK_MEM_PAGES],
		   (double)k->tcp_mem[KSTAT_TCP_MEM_PRESSURE]);
}

void dk_tcp_mem_eval(const struct detect_ctx *c, struct detect_group *g)
{
	enum kstat_mem_level lv = kstat_tcp_mem_level(c->k);
	g->fire = g->fed && (lv == KSTAT_MEM_PRESSURE || lv == KSTAT_MEM_MAX);
	/* The kernel's own exit from pressure: back below min. */
	g->still = g->fed && lv != KSTAT_MEM_UNKNOWN &&
		   c->k->v[KS_SOCK_MEM_PAGES] > c->k->tcp_mem[KSTAT_TCP_MEM_MIN];
	g->a.severity = lv == KSTAT_MEM_MAX ? DS_CRITICAL : DS_WARNING;
}

void dk_tcp_mem_format(const struct detect_alert *a, char *buf, size_t len)
{
	snprintf(buf, len,
		 "TCP MEMORY: %.0f pages in use, %.0f%% of the pressure threshold (%.0f pages, "
		 "net.ipv4.tcp_mem) - the kernel is trimming socket buffers; past its max it drops "
		 "packets and fails allocations",
		 a->value, a->share_pct, a->limit);
}

/* --- retrans ------------------------------------------------------------- */

bool dk_retrans_group(const struct detect_ctx *c, const struct track_entry *e,
		      struct detect_owner *o)
{
	if (!(e->retrans_per_s > 0)) /* NAN: not yet */
		return false;
	detect_owner_generic(c, e, o);
	return true;
}

void dk_retrans_add(struct detect_ctx *c, struct detect_group *g, const struct track_entry *e)
{
	g->a.total++;
	g->sum += e->retrans_per_s;
	if (e->retrans_per_s >= c->cfg->v[DT_RT_RATE])
		g->a.count++;
}

void dk_retrans_global(struct detect_ctx *c)
{
	double out = c->r->per_s[KS_OUT_SEGS], re = c->r->per_s[KS_RETRANS_SEGS];
	if (!isfinite(out) || !isfinite(re) || out <= 0 || out < c->cfg->v[DT_RT_MIN_SEGS])
		return;
	struct detect_group *g = host_share(c, DK_RETRANS, re, out);
	g->a.rate = re;
}

void dk_retrans_eval(const struct detect_ctx *c, struct detect_group *g)
{
	const double *v = c->cfg->v;
	if (g->a.owner.by == DOWN_HOST) {
		judge_share(g, v[DT_RT_SHARE], v[DT_RT_CRITICAL]);
		return;
	}
	g->a.rate = g->fed ? g->sum : NAN;
	g->fire = g->a.count > 0;
	g->still = g->fed && g->sum >= v[DT_RT_RATE] / 2;
	g->a.severity = DS_WARNING;
}

void dk_retrans_format(const struct detect_alert *a, char *buf, size_t len)
{
	if (a->owner.by == DOWN_HOST) {
		snprintf(buf, len,
			 "RETRANS: %.1f%% of sent segments are retransmissions (%.0f/s of %.0f/s) - "
			 "packet loss or congestion on this host's paths",
			 a->share_pct, a->value, a->limit);
		return;
	}
	char own[128], r[16];
	detect_owner_format(&a->owner, own, sizeof own);
	snprintf(buf, len,
		 "RETRANS: %u %s of %s retransmitting %s segments/s - packet loss or congestion "
		 "on the path",
		 a->count, a->count == 1 ? "connection" : "connections", own,
		 detect_fmt_rate(a->rate, r, sizeof r));
}
