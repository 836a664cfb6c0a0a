/* listeners.c — the listener audit as a text table and as JSON (the
 * renderer of `tcpscope --listeners`; every JSON key is in
 * docs/LISTENERS.md). Reads a finished struct audit; never touches the
 * kernel. */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "tcpscope/audit.h"
#include "tcpscope/kstat.h"
#include "tcpscope/out.h"
#include "tcpscope/track.h"

/* Findings of a row, most severe first: fn(f) in that order. */
static int findings_sorted(const struct audit_row *r, int out[AF_COUNT])
{
	int n = 0;
	for (int s = DS_COUNT - 1; s >= 0; s--)
		for (int f = 0; f < AF_COUNT; f++)
			if ((r->findings >> f & 1u) &&
			    (int)audit_finding_severity(r, (enum audit_finding)f) == s)
				out[n++] = f;
	return n;
}

static const char *ephemeral_text(const struct audit_row *r)
{
	if (r->ephemeral < 0)
		return "?";
	if (r->ephemeral)
		return "yes";
	return r->reserved ? "reserved" : "no";
}

static char *age_text(const struct audit_row *r, char *buf, size_t len)
{
	if (r->age_lower && r->age_s < 1)
		return snprintf(buf, len, "-"), buf;
	char d[24];
	out_fmt_duration(r->age_s, d, sizeof d);
	snprintf(buf, len, "%s%s", r->age_lower ? ">" : "", d);
	return buf;
}

static unsigned count_ports(const struct audit *a)
{
	return a->n ? a->rows[a->n - 1].group : 0;
}

static void range_text(const struct audit *a, char *buf, size_t len)
{
	const struct kstat *k = a->o.k;
	if (!k || !kstat_has(k, KS_PORT_RANGE_LOW) || !kstat_has(k, KS_PORT_RANGE_HIGH)) {
		snprintf(buf, len, "ip_local_port_range unknown");
		return;
	}
	size_t at = (size_t)snprintf(buf, len, "ip_local_port_range %llu-%llu, reserved ",
				     (unsigned long long)k->v[KS_PORT_RANGE_LOW],
				     (unsigned long long)k->v[KS_PORT_RANGE_HIGH]);
	if (!k->have_reserved || !k->nreserved) {
		snprintf(buf + at, len - at, k->have_reserved ? "none" : "unknown");
		return;
	}
	for (unsigned i = 0; i < k->nreserved && at < len; i++) {
		const struct kstat_port_span *s = &k->reserved[i];
		at += (size_t)(s->lo == s->hi
				       ? snprintf(buf + at, len - at, "%s%u", i ? "," : "", s->lo)
				       : snprintf(buf + at, len - at, "%s%u-%u", i ? "," : "", s->lo,
						  s->hi));
	}
}

int out_listeners_text(FILE *f, const struct audit *a, bool header)
{
	char range[512];
	range_text(a, range, sizeof range);
	if (header)
		fprintf(f, "LISTENERS: %zu on %u ports; findings: %u critical, %u warning, %u info; %s\n",
			a->n, count_ports(a), a->counts[DS_CRITICAL], a->counts[DS_WARNING],
			a->counts[DS_INFO], range);
	/* Two passes, as ss does: the widths of the wide columns first. */
	int wl = 5, wo = 5, wi = 5;
	char ep[64], own[48], age[32], q[32], acc[24], msg[1024];
	for (size_t i = 0; i < a->n; i++) {
		const struct conn *c = a->rows[i].e->conn;
		int l = (int)strlen(audit_endpoint_text(c, ep, sizeof ep));
		int o = (int)strlen(audit_owner_text(&a->rows[i], own, sizeof own));
		int n = a->rows[i].ifname ? (int)strlen(a->rows[i].ifname) : 1;
		wl = l > wl ? l : wl;
		wo = o > wo ? o : wo;
		wi = n > wi ? n : wi;
	}
	if (header)
		fprintf(f, "%-*s %-17s %-*s %-10s %-8s %-*s %5s %7s %9s %6s\n", wl, "LOCAL", "EXPOSURE",
			wi, "IFACE", "CLASS", "EPHEM", wo, "OWNER", "UID", "AGE", "QUEUE", "ACC/S");
	for (size_t i = 0; i < a->n; i++) {
		const struct audit_row *r = &a->rows[i];
		const struct conn *c = r->e->conn;
		if ((c->have & CONN_HAVE_RQUEUE) && (c->have & CONN_HAVE_WQUEUE))
			snprintf(q, sizeof q, "%u/%u", c->rqueue, c->wqueue);
		else
			snprintf(q, sizeof q, "-");
		if (isfinite(r->accepts_per_s))
			snprintf(acc, sizeof acc, "%.1f", r->accepts_per_s);
		else
			snprintf(acc, sizeof acc, "-");
		char uid[16];
		if (c->have & CONN_HAVE_UID)
			snprintf(uid, sizeof uid, "%u", c->uid);
		else
			snprintf(uid, sizeof uid, "-");
		fprintf(f, "%-*s %-17s %-*s %-10s %-8s %-*s %5s %7s %9s %6s\n", wl,
			audit_endpoint_text(c, ep, sizeof ep),
			audit_exposure_text(r->exposure), wi, r->ifname ? r->ifname : "-",
			port_class_name(r->pclass), ephemeral_text(r), wo,
			audit_owner_text(r, own, sizeof own), uid, age_text(r, age, sizeof age), q,
			acc);
		int fs[AF_COUNT];
		int nf = findings_sorted(r, fs);
		for (int k = 0; k < nf; k++) {
			enum audit_finding fi = (enum audit_finding)fs[k];
			char sev[16];
			const char *sn = detect_severity_name(audit_finding_severity(r, fi));
			size_t j = 0;
			for (; sn[j] && j < sizeof sev - 1; j++)
				sev[j] = (char)(sn[j] >= 'a' && sn[j] <= 'z' ? sn[j] - 32 : sn[j]);
			sev[j] = '\0';
			fprintf(f, "    %-8s %s: %s\n", sev, audit_findings[fi].name,
				audit_finding_text(a, r, fi, msg, sizeof msg));
		}
	}
	return ferror(f) ? -1 : 0;
}

static void kcount(struct jw *w, const char *k, bool known, double v, int decimals)
{
	if (known)
		jw_kdouble(w, k, v, decimals);
	else
		jw_knull(w, k);
}

static void row_json(struct jw *w, const struct audit *a, const struct audit_row *r)
{
	const struct conn *c = r->e->conn;
	char buf[1024];
	jw_obj_begin(w);
	jw_kstr(w, "family", c->family == AF_INET ? "ipv4" : "ipv6");
	jw_kstr(w, "local_addr", conn_addr_format(c->family, &c->laddr, buf, sizeof buf));
	jw_ku64(w, "local_port", c->lport);
	jw_kstr(w, "exposure", audit_exposure_name(r->exposure));
	jw_kstr(w, "scope", audit_scope_name(r->scope));
	if (c->family == AF_INET6 && (c->have & CONN_HAVE_V6ONLY))
		jw_kbool(w, "v6only", (c->have & CONN_V6ONLY) != 0);
	else
		jw_knull(w, "v6only");
	jw_kbool(w, "reachable", r->reachable);
	jw_kstr(w, "interface", r->ifname);
	jw_kstr(w, "port_class", port_class_name(r->pclass));
	if (r->ephemeral < 0) {
		jw_knull(w, "ephemeral");
		jw_knull(w, "reserved");
	} else {
		jw_kbool(w, "ephemeral", r->ephemeral == 1);
		jw_kbool(w, "reserved", r->reserved);
	}
	jw_kstr(w, "risky_service", r->risky ? r->risky->service : NULL);
	if (c->have & CONN_HAVE_PROC) {
		jw_ki64(w, "pid", c->pid);
		jw_kstr(w, "process", c->comm);
	} else {
		jw_knull(w, "pid");
		jw_knull(w, "process");
	}
	kcount(w, "uid", (c->have & CONN_HAVE_UID) != 0, c->uid, 0);
	kcount(w, "inode", (c->have & CONN_HAVE_INODE) != 0, c->inode, 0);
	jw_kdouble(w, "age_s", r->age_s, 3);
	jw_kbool(w, "age_lower", r->age_lower);
	kcount(w, "accept_queue", (c->have & CONN_HAVE_RQUEUE) != 0, c->rqueue, 0);
	kcount(w, "backlog", (c->have & CONN_HAVE_WQUEUE) != 0, c->wqueue, 0);
	jw_kdouble(w, "queue_fill_pct", r->fill_pct, 1);
	jw_kdouble(w, "accepts_per_s", r->accepts_per_s, 2);
	jw_ku64(w, "group", r->group);
	jw_ku64(w, "group_size", r->group_n);
	jw_ku64(w, "same_address", r->same_addr);
	jw_ku64(w, "owners", r->owners);
	jw_kstr(w, "worst", r->worst >= 0 ? detect_severity_name(r->worst) : NULL);
	jw_key(w, "findings");
	jw_arr_begin(w);
	int fs[AF_COUNT];
	int nf = findings_sorted(r, fs);
	for (int k = 0; k < nf; k++) {
		enum audit_finding fi = (enum audit_finding)fs[k];
		jw_obj_begin(w);
		jw_kstr(w, "kind", audit_findings[fi].name);
		jw_kstr(w, "severity", detect_severity_name(audit_finding_severity(r, fi)));
		jw_kstr(w, "message", audit_finding_text(a, r, fi, buf, sizeof buf));
		if (fi == AF_EPHEMERAL)
			jw_kstr(w, "fix", audit_reserve_line(a->o.k, c->lport, buf, sizeof buf));
		jw_obj_end(w);
	}
	jw_arr_end(w);
	jw_obj_end(w);
}

int out_listeners_json(FILE *f, struct jw *w, const struct audit *a, double now_wall)
{
	const struct kstat *k = a->o.k;
	jw_reset(w);
	jw_obj_begin(w);
	jw_kdouble(w, "time", now_wall, 3);
	jw_key(w, "port_range");
	if (k && kstat_has(k, KS_PORT_RANGE_LOW) && kstat_has(k, KS_PORT_RANGE_HIGH)) {
		jw_obj_begin(w);
		jw_ku64(w, "low", k->v[KS_PORT_RANGE_LOW]);
		jw_ku64(w, "high", k->v[KS_PORT_RANGE_HIGH]);
		jw_obj_end(w);
	} else {
		jw_null(w);
	}
	jw_key(w, "reserved_ports");
	if (k && k->have_reserved) {
		jw_arr_begin(w);
		for (unsigned i = 0; i < k->nreserved; i++) {
			jw_arr_begin(w);
			jw_u64(w, k->reserved[i].lo);
			jw_u64(w, k->reserved[i].hi);
			jw_arr_end(w);
		}
		jw_arr_end(w);
	} else {
		jw_null(w);
	}
	jw_key(w, "summary");
	jw_obj_begin(w);
	jw_ku64(w, "listeners", a->n);
	jw_ku64(w, "ports", count_ports(a));
	for (int s = 0; s < DS_COUNT; s++)
		jw_ku64(w, detect_severity_name(s), a->counts[s]);
	int worst = audit_worst(a);
	jw_kstr(w, "worst", worst >= 0 ? detect_severity_name(worst) : NULL);
	jw_obj_end(w);
	jw_key(w, "listeners");
	jw_arr_begin(w);
	for (size_t i = 0; i < a->n; i++)
		row_json(w, a, &a->rows[i]);
	jw_arr_end(w);
	jw_obj_end(w);
	jw_raw(w, "\n", 1);
	return jw_flush(w, f);
}
