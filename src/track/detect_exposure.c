/* detect_exposure.c — the exposure kind: the listener audit's findings
 * (src/view/audit.c) as alerts, one per listening address and port.
 * Risky services reachable, listeners in the ephemeral range and ports
 * held by several programs raise it; each can be switched off
 * (exposure.risky / .ephemeral / .shared), the kind with exposure.enabled.
 * The accept queue finding is left to listen_overflow, which owns it. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "detect_int.h"
#include "tcpscope/audit.h"

void dk_exposure_global(struct detect_ctx *c)
{
	const double *v = c->cfg->v;
	uint32_t want = (v[DT_EX_RISKY] != 0 ? 1u << AF_RISKY : 0) |
			(v[DT_EX_EPHEMERAL] != 0 ? 1u << AF_EPHEMERAL : 0) |
			(v[DT_EX_SHARED] != 0 ? 1u << AF_SHARED : 0);
	if (!want)
		return;
	size_t n;
	const struct track_entry *const *es = detect_entries(c, &n);
	struct audit *a = detect_audit(c);
	struct audit_opts o = {
		.k = c->k && c->k->have ? c->k : NULL,
		.fill_pct = v[DT_LO_FILL],
		.now_ns = c->now_ns,
		.interval_s = NAN,
	};
	audit_run(a, &o, es, n);
	for (size_t i = 0; i < a->n; i++) {
		const struct audit_row *r = &a->rows[i];
		uint32_t bits = r->findings & want;
		if (!bits)
			continue;
		const struct conn *x = r->e->conn;
		struct detect_owner ow;
		memset(&ow, 0, sizeof ow);
		ow.by = DOWN_LOCAL;
		ow.family = x->family;
		ow.have_laddr = true;
		ow.laddr = x->laddr;
		ow.lport = x->lport;
		ow.pid = -1;
		detect_owner_proc(r->e, &ow);
		struct detect_group *g = detect_group_get(c, DK_EXPOSURE, &ow);
		struct detect_alert *al = &g->a;
		al->findings |= bits; /* sockets sharing addr:port add up */
		al->exposure = (uint8_t)r->exposure;
		al->service = r->risky ? r->risky->service : al->service;
		al->total = r->owners > al->total ? r->owners : al->total;
		if (bits & (1u << AF_EPHEMERAL) && o.k) {
			al->value = (double)o.k->v[KS_PORT_RANGE_LOW];
			al->limit = (double)o.k->v[KS_PORT_RANGE_HIGH];
		}
		for (int f = 0; f < AF_COUNT; f++) {
			unsigned sev = audit_finding_severity(r, (enum audit_finding)f);
			if ((bits >> f & 1u) && sev > g->npersist)
				g->npersist = sev; /* scratch: the worst severity this tick */
		}
	}
}

void dk_exposure_eval(const struct detect_ctx *c, struct detect_group *g)
{
	(void)c;
	struct detect_alert *a = &g->a;
	a->count = (unsigned)__builtin_popcount(a->findings);
	a->severity = (enum detect_severity)(g->npersist < DS_COUNT ? g->npersist : DS_CRITICAL);
	if (a->severity < DS_WARNING)
		a->severity = DS_WARNING;
	g->fire = g->fed && a->findings != 0;
	g->still = g->fire;
}

void dk_exposure_format(const struct detect_alert *a, char *buf, size_t len)
{
	char ep[64], proc[48] = "";
	struct conn x;
	memset(&x, 0, sizeof x);
	x.family = a->owner.family;
	x.laddr = a->owner.laddr;
	x.lport = a->owner.lport;
	audit_endpoint_text(&x, ep, sizeof ep);
	if (a->owner.comm[0])
		snprintf(proc, sizeof proc, ", %s[%d]", a->owner.comm, (int)a->owner.pid);
	size_t at = (size_t)snprintf(buf, len, "EXPOSURE: %s (%s%s)", ep,
				     audit_exposure_text(a->exposure), proc);
	if ((a->findings >> AF_RISKY & 1u) && at < len)
		at += (size_t)snprintf(buf + at, len - at,
				       " - %s is reachable unless a firewall blocks it",
				       a->service ? a->service : "a known-risky service");
	if ((a->findings >> AF_EPHEMERAL & 1u) && at < len)
		at += (size_t)snprintf(buf + at, len - at,
				       " - port inside ip_local_port_range %.0f-%.0f and not reserved: "
				       "an outgoing connection can take it (tcpscope --listeners shows "
				       "the sysctl line)", a->value, a->limit);
	if ((a->findings >> AF_SHARED & 1u) && at < len)
		snprintf(buf + at, len - at,
			 " - %u programs or users listen on this port: another one takes part "
			 "of the connections", a->total);
}
