/* detect_sock.c — the kinds judged socket by socket: close_wait, syn_recv,
 * listen_overflow, syn_sent, stalled. Each has a group (pick + owner), an
 * add (aggregate), an eval (fire / still / severity) and a formatter. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "detect_int.h"

#define NS 1000000000.0

static const char *plural(unsigned n, const char *one, const char *many)
{
	return n == 1 ? one : many;
}

static void oldest_note(struct detect_group *g, double age, bool lower)
{
	if (!isfinite(g->a.oldest_s) || age > g->a.oldest_s) {
		g->a.oldest_s = age;
		g->a.oldest_lower = lower;
	}
}

/* The owner as text, with the process as a detail when the group is not
 * the process's: "port 8080 (nginx[1234])". */
static char *owner_text(const struct detect_owner *o, char *buf, size_t len)
{
	char a[96];
	detect_owner_format(o, a, sizeof a);
	if (o->by != DOWN_PROCESS && o->pid >= 0)
		snprintf(buf, len, "%s (%s[%d])", a, o->comm[0] ? o->comm : "?", (int)o->pid);
	else
		snprintf(buf, len, "%s", a);
	return buf;
}

/* --- close_wait ---------------------------------------------------------- */

bool dk_close_wait_group(const struct detect_ctx *c, const struct track_entry *e,
			 struct detect_owner *o)
{
	if (e->conn->state != TCPS_CLOSE_WAIT)
		return false;
	detect_owner_generic(c, e, o);
	return true;
}

void dk_close_wait_add(struct detect_ctx *c, struct detect_group *g, const struct track_entry *e)
{
	g->a.count++;
	g->a.total++;
	if ((e->conn->have & CONN_HAVE_RQUEUE) && e->conn->rqueue > 0)
		g->a.nqueued++;
	oldest_note(g, track_state_age(e, c->now_ns), (e->flags & TRK_AGE_LOWER) != 0);
}

/* Growth of the count over the window: compare with the oldest sample in
 * it (samples kept at most window/16 apart), once it spans half a window. */
static double growth_over_window(struct detect_group *g, uint64_t now, double window_s)
{
	double growth = NAN;
	for (unsigned i = 0; i < g->nhist; i++) {
		if ((double)(now - g->hist[i].ns) / NS > window_s + 1e-9)
			continue;
		double span = (double)(now - g->hist[i].ns) / NS;
		if (span >= window_s / 2) {
			growth = (double)g->a.count - (double)g->hist[i].count;
			g->a.growth_per_min = growth / span * 60.0;
		}
		break;
	}
	uint64_t step = (uint64_t)(window_s / 16 * NS);
	if (g->nhist == 0 || now - g->hist[g->nhist - 1].ns >= step) {
		if (g->nhist == DETECT_HIST) {
			memmove(g->hist, g->hist + 1, sizeof g->hist[0] * (DETECT_HIST - 1));
			g->nhist--;
		}
		g->hist[g->nhist].ns = now;
		g->hist[g->nhist].count = g->a.count;
		g->nhist++;
	}
	return growth;
}

void dk_close_wait_eval(const struct detect_ctx *c, struct detect_group *g)
{
	const double *v = c->cfg->v;
	double growth = growth_over_window(g, c->now_ns, v[DT_CW_WINDOW]);
	bool aged = g->a.count && g->a.oldest_s >= v[DT_CW_AGE];
	bool growing = isfinite(growth) && growth >= v[DT_CW_GROWTH];
	g->fire = g->a.count > 0 && (aged || growing);
	g->still = g->a.count > 0 && (g->a.oldest_s >= v[DT_CW_AGE] / 2 ||
				      (isfinite(growth) && growth >= v[DT_CW_GROWTH] / 2));
	g->a.severity = g->a.count >= v[DT_CW_CRITICAL] ? DS_CRITICAL : DS_WARNING;
}

void dk_close_wait_format(const struct detect_alert *a, char *buf, size_t len)
{
	char own[128], age[32], grow[48] = "", unread[64] = "";
	owner_text(&a->owner, own, sizeof own);
	detect_fmt_age(a->oldest_s, a->oldest_lower, age, sizeof age);
	if (isfinite(a->growth_per_min) && a->growth_per_min > 0)
		snprintf(grow, sizeof grow, ", +%.1f/min", a->growth_per_min);
	if (a->nqueued)
		snprintf(unread, sizeof unread, ", %u with unread data (Recv-Q > 0)", a->nqueued);
	snprintf(buf, len,
		 "CLOSE_WAIT: %u %s held by %s, oldest %s%s%s - the app is not closing sockets "
		 "after the peer hangs up",
		 a->count, plural(a->count, "socket", "sockets"), own, age, grow, unread);
}

/* --- syn_recv ------------------------------------------------------------ */

static void owner_listener(const struct detect_ctx *c, const struct track_entry *e,
			   struct detect_owner *o, bool with_addr)
{
	const struct conn *x = e->conn;
	memset(o, 0, sizeof *o);
	o->pid = -1;
	o->by = DOWN_LOCAL;
	o->family = x->family;
	o->lport = x->lport;
	if (with_addr) {
		o->have_laddr = true;
		o->laddr = x->laddr;
	}
	const struct track_entry *l = x->state == TCPS_LISTEN ? e : detect_listener_of(c, x);
	if (l)
		detect_owner_proc(l, o);
}

bool dk_syn_recv_group(const struct detect_ctx *c, const struct track_entry *e,
		       struct detect_owner *o)
{
	if (e->conn->state != TCPS_SYN_RECV)
		return false;
	owner_listener(c, e, o, false);
	return true;
}

void dk_syn_recv_add(struct detect_ctx *c, struct detect_group *g, const struct track_entry *e)
{
	g->a.count++;
	g->a.total++;
	if (detect_first_seen(c, g->key, detect_addr_hash(e->conn->family, &e->conn->raddr)))
		g->a.distinct++;
	oldest_note(g, track_state_age(e, c->now_ns), (e->flags & TRK_AGE_LOWER) != 0);
}

void dk_syn_recv_eval(const struct detect_ctx *c, struct detect_group *g)
{
	const double *v = c->cfg->v;
	g->a.rate = c->r->per_s[KS_SYNCOOKIES_SENT];
	g->fire = g->a.count >= v[DT_SR_COUNT];
	g->still = g->a.count > 0 && g->a.count >= v[DT_SR_COUNT] / 2;
	bool cookies = isfinite(g->a.rate) && g->a.rate > 0 && g->a.rate >= v[DT_SR_COOKIES];
	g->a.severity = cookies ? DS_CRITICAL : DS_WARNING;
}

void dk_syn_recv_format(const struct detect_alert *a, char *buf, size_t len)
{
	char own[128], cookies[48] = "";
	owner_text(&a->owner, own, sizeof own);
	if (isfinite(a->rate))
		snprintf(cookies, sizeof cookies, ", SYN cookies %.0f/s", a->rate);
	snprintf(buf, len,
		 "SYN_RECV: %u half-open connections on %s from %u %s%s - a SYN flood, or clients "
		 "that never finish the handshake",
		 a->count, own, a->distinct, plural(a->distinct, "address", "addresses"), cookies);
}

/* --- listen_overflow ----------------------------------------------------- */

bool dk_listen_group(const struct detect_ctx *c, const struct track_entry *e,
		     struct detect_owner *o)
{
	const struct conn *x = e->conn;
	if (x->state != TCPS_LISTEN || !(x->have & CONN_HAVE_RQUEUE) || !(x->have & CONN_HAVE_WQUEUE))
		return false;
	owner_listener(c, e, o, true);
	return true;
}

static double listen_drop_rate(const struct detect_ctx *c)
{
	/* ListenDrops counts every drop, overflows included; older kernels
	 * may lack it. */
	double d = c->r->per_s[KS_LISTEN_DROPS], ov = c->r->per_s[KS_LISTEN_OVERFLOWS];
	if (isfinite(d) && isfinite(ov))
		return d > ov ? d : ov;
	return isfinite(d) ? d : ov;
}

void dk_listen_add(struct detect_ctx *c, struct detect_group *g, const struct track_entry *e)
{
	const struct conn *x = e->conn;
	double backlog = x->wqueue ? (double)x->wqueue : 1.0;
	g->a.total++;
	g->a.count = x->rqueue;
	g->a.value = x->rqueue;
	g->a.limit = x->wqueue;
	g->a.share_pct = (double)x->rqueue / backlog * 100.0;
	if (g->a.share_pct >= c->cfg->v[DT_LO_FILL])
		c->listener_full = true;
}

void dk_listen_global(struct detect_ctx *c)
{
	double r = listen_drop_rate(c);
	/* Drops while a listener's own alert is up (or clearing, e.g. it just
	 * closed with SYNs still arriving) are explained by that alert. */
	if (c->listener_full || !isfinite(r) || r <= 0 ||
	    detect_kind_raised(c, DK_LISTEN_OVERFLOW, DOWN_HOST))
		return;
	struct detect_owner o;
	memset(&o, 0, sizeof o);
	o.pid = -1;
	o.by = DOWN_HOST;
	struct detect_group *g = detect_group_get(c, DK_LISTEN_OVERFLOW, &o);
	g->a.rate = r;
}

void dk_listen_eval(const struct detect_ctx *c, struct detect_group *g)
{
	const double *v = c->cfg->v;
	double r = listen_drop_rate(c);
	if (g->a.owner.by == DOWN_HOST) {
		g->fire = g->fed && g->a.rate >= v[DT_LO_RATE] && g->a.rate > 0;
		g->still = g->fed && g->a.rate > 0;
		g->a.severity = DS_WARNING;
		return;
	}
	g->a.rate = r;
	g->fire = g->fed && g->a.share_pct >= v[DT_LO_FILL];
	g->still = g->fed && g->a.share_pct >= v[DT_LO_FILL] / 2;
	g->a.severity = isfinite(r) && r > 0 && r >= v[DT_LO_RATE] ? DS_CRITICAL : DS_WARNING;
}

void dk_listen_format(const struct detect_alert *a, char *buf, size_t len)
{
	char own[128], rate[48] = "";
	if (isfinite(a->rate) && a->rate > 0)
		snprintf(rate, sizeof rate, ", %.1f dropped SYNs/s (ListenDrops)", a->rate);
	if (a->owner.by == DOWN_HOST) {
		snprintf(buf, len,
			 "LISTEN OVERFLOW: the kernel drops %.1f connection attempts/s (ListenOverflows/"
			 "ListenDrops) but no accept queue was full at the poll - short bursts fill a "
			 "listener's queue between polls; raise its backlog or accept faster",
			 a->rate);
		return;
	}
	owner_text(&a->owner, own, sizeof own);
	snprintf(buf, len,
		 "LISTEN OVERFLOW: accept queue %.0f/%.0f (%.0f%%) on %s%s - the app is not calling "
		 "accept() fast enough; new connections are being dropped",
		 a->value, a->limit, a->share_pct, own, rate);
}

/* --- syn_sent ------------------------------------------------------------ */

bool dk_syn_sent_group(const struct detect_ctx *c, const struct track_entry *e,
		       struct detect_owner *o)
{
	(void)c;
	const struct conn *x = e->conn;
	if (x->state != TCPS_SYN_SENT)
		return false;
	memset(o, 0, sizeof *o);
	o->pid = -1;
	o->by = DOWN_DESTINATION;
	o->family = x->family;
	o->have_raddr = true;
	o->raddr = x->raddr;
	o->rport = x->rport;
	detect_owner_proc(e, o);
	return true;
}

/* A SYN_SENT socket seen first at start: n SYN retransmits prove a minimum
 * age. The SYN timeouts, with an initial RTO of 1 s (TCP_TIMEOUT_INIT) and
 * L = tcp_syn_linear_timeouts (Linux 6.x, default 4), are L + 1 timeouts of
 * 1 s, then 2, 4, 8 ... (ip-sysctl.rst: "1, 1, 1, 1, 1, 2, 4, ..." for L=4).
 * So n retransmits took at least min(n, L+1) + (2^(n-L) - 2) seconds.
 * An unknown L (older kernels have no such sysctl) is 0: 1, 2, 4, ... */
double detect_syn_sent_min_age(unsigned n, unsigned lin)
{
	if (n > 20)
		n = 20;
	if (lin > 20)
		lin = 20;
	unsigned ones = lin + 1;
	if (n <= ones)
		return (double)n;
	return (double)ones + (double)((1u << (n - lin)) - 2u);
}

static double syn_sent_evidence(const struct detect_ctx *c, const struct conn *x)
{
	unsigned n = (x->ti.have & TI_BASE) ? x->ti.retransmits : x->timer_retrans;
	unsigned lin = c->k && kstat_has(c->k, KS_SYN_LINEAR_TIMEOUTS)
			       ? (unsigned)c->k->v[KS_SYN_LINEAR_TIMEOUTS] : 0;
	return detect_syn_sent_min_age(n, lin);
}

void dk_syn_sent_add(struct detect_ctx *c, struct detect_group *g, const struct track_entry *e)
{
	double age = track_state_age(e, c->now_ns);
	bool lower = (e->flags & TRK_AGE_LOWER) != 0;
	if (lower) {
		double ev = syn_sent_evidence(c, e->conn);
		if (ev > age)
			age = ev;
	}
	g->a.total++;
	if (age >= c->cfg->v[DT_SS_AGE])
		g->a.count++;
	oldest_note(g, age, lower);
}

void dk_syn_sent_eval(const struct detect_ctx *c, struct detect_group *g)
{
	const double *v = c->cfg->v;
	g->a.rate = c->r->per_s[KS_ATTEMPT_FAILS];
	g->fire = g->a.count > 0;
	g->still = g->a.total > 0 && g->a.oldest_s >= v[DT_SS_AGE] / 2;
	g->a.severity = g->a.count >= v[DT_SS_CRITICAL] ? DS_CRITICAL : DS_WARNING;
}

void dk_syn_sent_format(const struct detect_alert *a, char *buf, size_t len)
{
	char own[128], age[32], fails[48] = "", who[48] = "";
	detect_owner_format(&a->owner, own, sizeof own);
	detect_fmt_age(a->oldest_s, a->oldest_lower, age, sizeof age);
	if (a->owner.pid >= 0)
		snprintf(who, sizeof who, " by %s[%d]", a->owner.comm, (int)a->owner.pid);
	if (isfinite(a->rate) && a->rate > 0)
		snprintf(fails, sizeof fails, ", %.1f failed connects/s", a->rate);
	snprintf(buf, len,
		 "SYN_SENT: %u %s to %s stuck up to %s%s%s - the upstream is down or overloaded "
		 "(full backlog), or a firewall drops the SYNs",
		 a->count, plural(a->count, "connect", "connects"), own, age, who, fails);
}

/* --- stalled ------------------------------------------------------------- */

bool dk_stalled_group(const struct detect_ctx *c, const struct track_entry *e,
		      struct detect_owner *o)
{
	const struct conn *x = e->conn;
	if (x->state != TCPS_ESTABLISHED || !(x->have & CONN_HAVE_WQUEUE) || x->wqueue == 0)
		return false;
	detect_owner_generic(c, e, o);
	return true;
}

void dk_stalled_add(struct detect_ctx *c, struct detect_group *g, const struct track_entry *e)
{
	const struct conn *x = e->conn;
	double age = detect_stall_age(c, e);
	g->a.total++;
	oldest_note(g, age, false);
	if (age < c->cfg->v[DT_ST_AGE])
		return;
	g->a.count++;
	g->a.bytes += x->wqueue;
	if ((x->have & CONN_HAVE_TIMER) && x->timer == TIMER_PERSIST)
		g->npersist++;
	if ((x->ti.have & TI_BASE) && x->ti.backoff > g->maxbackoff)
		g->maxbackoff = x->ti.backoff;
}

void dk_stalled_eval(const struct detect_ctx *c, struct detect_group *g)
{
	const double *v = c->cfg->v;
	g->fire = g->a.count > 0;
	g->still = g->a.total > 0 && g->a.oldest_s >= v[DT_ST_AGE] / 2;
	g->a.severity = DS_WARNING;
	g->a.persist = g->npersist;
	g->a.backoff = g->maxbackoff;
}

void dk_stalled_format(const struct detect_alert *a, char *buf, size_t len)
{
	char own[128], age[32], bytes[16];
	owner_text(&a->owner, own, sizeof own);
	detect_fmt_age(a->oldest_s, false, age, sizeof age);
	snprintf(bytes, sizeof bytes, "%llu", (unsigned long long)a->bytes);
	if (a->bytes >= 10000)
		snprintf(bytes, sizeof bytes, "%.1fk", (double)a->bytes / 1000);
	if (a->bytes >= 1000000)
		snprintf(bytes, sizeof bytes, "%.1fM", (double)a->bytes / 1e6);
	const char *why;
	if (a->persist > 0)
		why = "the peer advertises a zero window (persist timer): it stopped reading";
	else if (a->backoff > 0)
		why = "no ACKs, retransmit backoff growing: the peer or the path is gone";
	else
		why = "the peer is not acknowledging what we send";
	snprintf(buf, len, "STALLED: %u %s of %s with %s bytes unsent for %s - %s", a->count,
		 plural(a->count, "connection", "connections"), own, bytes, age, why);
}
