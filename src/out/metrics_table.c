/* metrics_table.c — every metric family tcpscope exports: one entry each
 * (name, help, type, unit, labels, buckets, fill). docs/EXPORTER.md
 * describes the same list; the kernel counters add one family per
 * kstat_table entry (mx_fill_kernel). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "metrics_int.h"

const char *mx_dir_name(int dir)
{
	static const char *const names[] = {"inbound", "outbound", "other"};
	return dir >= 0 && dir <= MXD_OTHER ? names[dir] : "other";
}

static void fill_states(struct mx_emit *w, const struct mx_family *f, const struct mx_ns *ns)
{
	(void)f;
	for (int s = 1; s < TCPS_COUNT; s++) {
		const char *lv[] = {tcp_state_name(s)};
		mx_emit_value(w, lv, ns->states[s]);
	}
}

static const uint8_t owner_states[3] = {TCPS_ESTABLISHED, TCPS_SYN_SENT, TCPS_CLOSE_WAIT};

static void fill_owners(struct mx_emit *w, const struct mx_family *f, const struct mx_ns *ns)
{
	(void)f;
	for (size_t i = 0; i < ns->nowners; i++)
		for (int k = 0; k < 3; k++) {
			const char *lv[] = {ns->owners[i].name, tcp_state_name(owner_states[k])};
			mx_emit_value(w, lv, ns->owners[i].n[k]);
		}
}

static void fill_listen(struct mx_emit *w, const struct mx_family *f, const struct mx_ns *ns)
{
	for (size_t i = 0; i < ns->nlisteners; i++) {
		const struct mx_listener *l = &ns->listeners[i];
		char addr[CONN_ADDR_STRLEN], port[8];
		if (l->other) {
			snprintf(addr, sizeof addr, "other");
			snprintf(port, sizeof port, "other");
		} else {
			conn_addr_format(l->family, &l->addr, addr, sizeof addr);
			snprintf(port, sizeof port, "%u", l->port);
		}
		const char *lv[] = {addr, port};
		mx_emit_value(w, lv, (double)(f->arg ? l->backlog : l->queue));
	}
}

static void fill_alerts(struct mx_emit *w, const struct mx_family *f, const struct mx_ns *ns)
{
	(void)f;
	for (size_t i = 0; i < ns->nalerts; i++) {
		const struct mx_alert *a = &ns->alerts[i];
		const char *lv[] = {detect_kind_name(a->kind), detect_severity_name(a->severity),
				    a->owner};
		mx_emit_value(w, lv, a->n);
	}
}

static void fill_alert_events(struct mx_emit *w, const struct mx_family *f, const struct mx_ns *ns)
{
	for (int k = 0; k < DK_COUNT; k++) {
		const char *lv[] = {detect_kind_name(k)};
		mx_emit_value(w, lv, (double)(f->arg ? ns->cleared[k] : ns->raised[k]));
	}
}

enum { ARG_OPENED, ARG_CLOSED, ARG_TICKS, ARG_TICK_S, ARG_LAST_TICK, ARG_POLLED, ARG_TRACKED,
       ARG_PORTS_USED, ARG_PORTS_USABLE, ARG_PROCS_LIMITED };

static void fill_scalar(struct mx_emit *w, const struct mx_family *f, const struct mx_ns *ns)
{
	double v = NAN;
	switch (f->arg) {
	case ARG_OPENED: v = (double)ns->opened; break;
	case ARG_CLOSED: v = (double)ns->closed; break;
	case ARG_TICKS: v = (double)ns->ticks; break;
	case ARG_TICK_S: v = ns->tick_s; break;
	case ARG_LAST_TICK: v = ns->last_wall; break;
	case ARG_POLLED: v = (double)ns->polled; break;
	case ARG_TRACKED: v = (double)ns->tracked; break;
	case ARG_PORTS_USED:
		if (!ns->have_ports)
			return;
		v = ns->ports_used;
		break;
	case ARG_PORTS_USABLE:
		if (!ns->have_ports)
			return;
		v = ns->ports_usable;
		break;
	case ARG_PROCS_LIMITED: v = ns->procs_limited; break;
	}
	mx_emit_value(w, NULL, v);
}

enum { HIST_LIFETIME, HIST_RETRANS, HIST_RTT };

static void fill_hist(struct mx_emit *w, const struct mx_family *f, const struct mx_ns *ns)
{
	const struct mx_hist *h = f->arg == HIST_LIFETIME ? ns->lifetime
				  : f->arg == HIST_RETRANS ? ns->retrans : ns->rtt;
	for (size_t i = 0; i < MX_NCLASS; i++) {
		const struct mx_class *c = &ns->classes[i];
		if (!c->used || !h[i].count)
			continue;
		char port[8];
		if (c->dir == MXD_OTHER)
			snprintf(port, sizeof port, "other");
		else
			snprintf(port, sizeof port, "%u", c->port);
		const char *lv[] = {mx_dir_name(c->dir), port};
		mx_emit_hist(w, lv, &h[i]);
	}
}

static void fill_build(struct mx_emit *w, const struct mx_family *f, const struct mx_ns *ns)
{
	(void)f, (void)ns;
	const char *lv[] = {TCPSCOPE_VERSION};
	mx_emit_value(w, lv, 1);
}

void mx_fill_kernel(struct mx_emit *w, const struct mx_family *f, const struct mx_ns *ns)
{
	if (!kstat_has(&ns->kernel, (enum kstat_id)f->arg))
		return;
	mx_emit_value(w, NULL, (double)ns->kernel.v[f->arg]);
}

static const double lifetime_b[] = {0.01, 0.1, 0.5, 1, 5, 10, 30, 60, 300, 1800, 3600, 21600, 86400};
static const double retrans_b[] = {0, 1, 2, 5, 10, 20, 50, 100};
static const double rtt_b[] = {0.0001, 0.0005, 0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5,
			       1, 2.5};
#define NB(a) (sizeof a / sizeof a[0])

const struct mx_family mx_families[MXF_COUNT] = {
	[MXF_SOCKETS] = {"tcpscope_sockets", "TCP sockets per state in the last poll (ss -tan counts).",
	 MXT_GAUGE, NULL, {"state"}, true, NULL, 0, 0, fill_states},
	[MXF_OWNER_SOCKETS] = {"tcpscope_owner_sockets",
	 "Sockets per owning process name and state, for the top owners; the rest as owner=\"other\".",
	 MXT_GAUGE, NULL, {"owner", "state"}, true, NULL, 0, 0, fill_owners},
	[MXF_LISTEN_QUEUE] = {"tcpscope_listen_queue", "Accept queue of a listener: connections waiting for accept().",
	 MXT_GAUGE, NULL, {"addr", "port"}, true, NULL, 0, 0, fill_listen},
	[MXF_LISTEN_BACKLOG] = {"tcpscope_listen_backlog", "Backlog (accept queue limit) of a listener.",
	 MXT_GAUGE, NULL, {"addr", "port"}, true, NULL, 0, 1, fill_listen},
	[MXF_ALERTS_ACTIVE] = {"tcpscope_alerts_active",
	 "Active detector alerts per kind, severity and owner (process name, port, destination).",
	 MXT_GAUGE, NULL, {"kind", "severity", "owner"}, true, NULL, 0, 0, fill_alerts},
	[MXF_ALERTS_RAISED] = {"tcpscope_alerts_raised", "Detector alerts raised, per kind.",
	 MXT_COUNTER, NULL, {"kind"}, true, NULL, 0, 0, fill_alert_events},
	[MXF_ALERTS_CLEARED] = {"tcpscope_alerts_cleared", "Detector alerts cleared, per kind.",
	 MXT_COUNTER, NULL, {"kind"}, true, NULL, 0, 1, fill_alert_events},
	[MXF_CONNECTIONS_OPENED] = {"tcpscope_connections_opened", "Connections first seen (polls and destroy events).",
	 MXT_COUNTER, NULL, {NULL}, true, NULL, 0, ARG_OPENED, fill_scalar},
	[MXF_CONNECTIONS_CLOSED] = {"tcpscope_connections_closed", "Connections seen closing (polls and destroy events).",
	 MXT_COUNTER, NULL, {NULL}, true, NULL, 0, ARG_CLOSED, fill_scalar},
	[MXF_CONNECTION_LIFETIME_SECONDS] = {"tcpscope_connection_lifetime_seconds",
	 "Lifetime of closed connections whose opening was seen, per port class.",
	 MXT_HISTOGRAM, "seconds", {"direction", "port"}, true, lifetime_b, NB(lifetime_b),
	 HIST_LIFETIME, fill_hist},
	[MXF_CONNECTION_RETRANSMITS] = {"tcpscope_connection_retransmits",
	 "Retransmitted segments per closed connection (tcp_info total_retrans), per port class.",
	 MXT_HISTOGRAM, NULL, {"direction", "port"}, true, retrans_b, NB(retrans_b), HIST_RETRANS,
	 fill_hist},
	[MXF_RTT_SECONDS] = {"tcpscope_rtt_seconds",
	 "Smoothed RTT of established connections, one observation per connection per poll, per port class.",
	 MXT_HISTOGRAM, "seconds", {"direction", "port"}, true, rtt_b, NB(rtt_b), HIST_RTT,
	 fill_hist},
	[MXF_EPHEMERAL_PORTS_USED] = {"tcpscope_ephemeral_ports_used",
	 "Distinct local ports of ip_local_port_range in use (not reserved, not listeners').",
	 MXT_GAUGE, NULL, {NULL}, true, NULL, 0, ARG_PORTS_USED, fill_scalar},
	[MXF_EPHEMERAL_PORTS_USABLE] = {"tcpscope_ephemeral_ports_usable", "Usable ports of ip_local_port_range (minus reserved).",
	 MXT_GAUGE, NULL, {NULL}, true, NULL, 0, ARG_PORTS_USABLE, fill_scalar},
	[MXF_POLLS] = {"tcpscope_polls", "Polls (engine ticks) done.",
	 MXT_COUNTER, NULL, {NULL}, true, NULL, 0, ARG_TICKS, fill_scalar},
	[MXF_POLL_DURATION_SECONDS] = {"tcpscope_poll_duration_seconds", "Duration of the last poll (dump, track, detect).",
	 MXT_GAUGE, "seconds", {NULL}, true, NULL, 0, ARG_TICK_S, fill_scalar},
	[MXF_LAST_POLL_TIMESTAMP_SECONDS] = {"tcpscope_last_poll_timestamp_seconds", "Unix time of the last poll.",
	 MXT_GAUGE, "seconds", {NULL}, true, NULL, 0, ARG_LAST_TICK, fill_scalar},
	[MXF_SOCKETS_POLLED] = {"tcpscope_sockets_polled", "Sockets the last poll returned.",
	 MXT_GAUGE, NULL, {NULL}, true, NULL, 0, ARG_POLLED, fill_scalar},
	[MXF_SOCKETS_TRACKED] = {"tcpscope_sockets_tracked", "Sockets the tracker holds (live and recently closed).",
	 MXT_GAUGE, NULL, {NULL}, true, NULL, 0, ARG_TRACKED, fill_scalar},
	[MXF_OWNERS_LIMITED] = {"tcpscope_owners_limited",
	 "1 when some processes' /proc/PID/fd could not be read (owners incomplete: capabilities).",
	 MXT_GAUGE, NULL, {NULL}, true, NULL, 0, ARG_PROCS_LIMITED, fill_scalar},
	[MXF_BUILD] = {"tcpscope_build", "tcpscope's version; always 1.",
	 MXT_INFO, NULL, {"version"}, false, NULL, 0, 0, fill_build},
};
const size_t mx_nfamilies = MXF_COUNT;
