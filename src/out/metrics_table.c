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

static void fill_units(struct mx_emit *w, const struct mx_family *f, const struct mx_ns *ns)
{
	(void)f;
	for (size_t i = 0; i < ns->nunits; i++)
		for (int k = 0; k < 3; k++) {
			const char *lv[] = {ns->units[i].name, tcp_state_name(owner_states[k])};
			mx_emit_value(w, lv, ns->units[i].n[k]);
		}
}

static void fill_netns(struct mx_emit *w, const struct mx_family *f, const struct mx_ns *ns)
{
	(void)f;
	for (size_t i = 0; i < ns->nnetns; i++)
		for (int s = 1; s < TCPS_COUNT; s++) {
			const char *lv[] = {ns->netns[i].name, tcp_state_name(s)};
			mx_emit_value(w, lv, ns->netns[i].states[s]);
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

enum {
	ARG_OPENED,
	ARG_CLOSED,
	ARG_TICKS,
	ARG_TICK_S,
	ARG_LAST_TICK,
	ARG_POLLED,
	ARG_TRACKED,
	ARG_PORTS_USED,
	ARG_PORTS_USABLE,
	ARG_PROCS_LIMITED
};

static void fill_scalar(struct mx_emit *w, const struct mx_family *f, const struct mx_ns *ns)
{
	double v = NAN;
	switch (f->arg) {
	case ARG_OPENED:
		v = (double)ns->opened;
		break;
	case ARG_CLOSED:
		v = (double)ns->closed;
		break;
	case ARG_TICKS:
		v = (double)ns->ticks;
		break;
	case ARG_TICK_S:
		v = ns->tick_s;
		break;
	case ARG_LAST_TICK:
		v = ns->last_wall;
		break;
	case ARG_POLLED:
		v = (double)ns->polled;
		break;
	case ARG_TRACKED:
		v = (double)ns->tracked;
		break;
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
	case ARG_PROCS_LIMITED:
		v = ns->procs_limited;
		break;
	}
	mx_emit_value(w, NULL, v);
}

enum { HIST_LIFETIME, HIST_RETRANS, HIST_RTT };

static void fill_hist(struct mx_emit *w, const struct mx_family *f, const struct mx_ns *ns)
{
	const struct mx_hist *h = f->arg == HIST_LIFETIME  ? ns->lifetime
				  : f->arg == HIST_RETRANS ? ns->retrans
							   : ns->rtt;
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

static const double lifetime_b[] = {0.01, 0.1, 0.5,  1,	   5,	  10,	30,
				    60,	  300, 1800, 3600, 21600, 86400};
static const double retrans_b[] = {0, 1, 2, 5, 10, 20, 50, 100};
static const double rtt_b[] = {0.0001, 0.0005, 0.001, 0.005, 0.01, 0.025,
			       0.05,   0.1,    0.25,  0.5,   1,	   2.5};
#define NB(a) (sizeof a / sizeof a[0])

/* One entry a block, fields in the struct's order. */
/* clang-format off */
const struct mx_family mx_families[MXF_COUNT] = {
	[MXF_SOCKETS] = {
		.name = "tcpscope_sockets",
		.help = "TCP sockets per state in the last poll (ss -tan counts).",
		.type = MXT_GAUGE,
		.labels = {"state"},
		.per_ns = true,
		.fill = fill_states,
	},
	[MXF_OWNER_SOCKETS] = {
		.name = "tcpscope_owner_sockets",
		.help = "Sockets per owning process name and state, for the top owners; "
			"the rest as owner=\"other\".",
		.type = MXT_GAUGE,
		.labels = {"owner", "state"},
		.per_ns = true,
		.fill = fill_owners,
	},
	[MXF_UNIT_SOCKETS] = {
		.name = "tcpscope_unit_sockets",
		.help = "Sockets per owning service, container or pod (from the socket's cgroup) "
			"and state, for the top units; the rest as unit=\"other\". Only sockets whose "
			"cgroup names one.",
		.type = MXT_GAUGE,
		.labels = {"unit", "state"},
		.per_ns = true,
		.fill = fill_units,
	},
	[MXF_NETNS_SOCKETS] = {
		.name = "tcpscope_netns_sockets",
		.help = "With -A: TCP sockets per network namespace and state, for the first 64 "
			"namespaces; the rest summed under the namespace name other.",
		.type = MXT_GAUGE,
		.labels = {"netns", "state"},
		.fill = fill_netns,
	},
	[MXF_LISTEN_QUEUE] = {
		.name = "tcpscope_listen_queue",
		.help = "Accept queue of a listener: connections waiting for accept().",
		.type = MXT_GAUGE,
		.labels = {"addr", "port"},
		.per_ns = true,
		.fill = fill_listen,
	},
	[MXF_LISTEN_BACKLOG] = {
		.name = "tcpscope_listen_backlog",
		.help = "Backlog (accept queue limit) of a listener.",
		.type = MXT_GAUGE,
		.labels = {"addr", "port"},
		.per_ns = true,
		.arg = 1,
		.fill = fill_listen,
	},
	[MXF_ALERTS_ACTIVE] = {
		.name = "tcpscope_alerts_active",
		.help = "Active detector alerts per kind, severity and owner (process name, port, "
			"destination).",
		.type = MXT_GAUGE,
		.labels = {"kind", "severity", "owner"},
		.per_ns = true,
		.fill = fill_alerts,
	},
	[MXF_ALERTS_RAISED] = {
		.name = "tcpscope_alerts_raised",
		.help = "Detector alerts raised, per kind.",
		.type = MXT_COUNTER,
		.labels = {"kind"},
		.per_ns = true,
		.fill = fill_alert_events,
	},
	[MXF_ALERTS_CLEARED] = {
		.name = "tcpscope_alerts_cleared",
		.help = "Detector alerts cleared, per kind.",
		.type = MXT_COUNTER,
		.labels = {"kind"},
		.per_ns = true,
		.arg = 1,
		.fill = fill_alert_events,
	},
	[MXF_CONNECTIONS_OPENED] = {
		.name = "tcpscope_connections_opened",
		.help = "Connections first seen (polls and destroy events).",
		.type = MXT_COUNTER,
		.per_ns = true,
		.arg = ARG_OPENED,
		.fill = fill_scalar,
	},
	[MXF_CONNECTIONS_CLOSED] = {
		.name = "tcpscope_connections_closed",
		.help = "Connections seen closing (polls and destroy events).",
		.type = MXT_COUNTER,
		.per_ns = true,
		.arg = ARG_CLOSED,
		.fill = fill_scalar,
	},
	[MXF_CONNECTION_LIFETIME_SECONDS] = {
		.name = "tcpscope_connection_lifetime_seconds",
		.help = "Lifetime of closed connections whose opening was seen, per port class.",
		.type = MXT_HISTOGRAM,
		.unit = "seconds",
		.labels = {"direction", "port"},
		.per_ns = true,
		.buckets = lifetime_b,
		.nbuckets = NB(lifetime_b),
		.arg = HIST_LIFETIME,
		.fill = fill_hist,
	},
	[MXF_CONNECTION_RETRANSMITS] = {
		.name = "tcpscope_connection_retransmits",
		.help = "Retransmitted segments per closed connection (tcp_info total_retrans), per "
			"port class.",
		.type = MXT_HISTOGRAM,
		.labels = {"direction", "port"},
		.per_ns = true,
		.buckets = retrans_b,
		.nbuckets = NB(retrans_b),
		.arg = HIST_RETRANS,
		.fill = fill_hist,
	},
	[MXF_RTT_SECONDS] = {
		.name = "tcpscope_rtt_seconds",
		.help = "Smoothed RTT of established connections, one observation per connection "
			"per poll, per port class.",
		.type = MXT_HISTOGRAM,
		.unit = "seconds",
		.labels = {"direction", "port"},
		.per_ns = true,
		.buckets = rtt_b,
		.nbuckets = NB(rtt_b),
		.arg = HIST_RTT,
		.fill = fill_hist,
	},
	[MXF_EPHEMERAL_PORTS_USED] = {
		.name = "tcpscope_ephemeral_ports_used",
		.help = "Distinct local ports of ip_local_port_range in use (not reserved, not "
			"listeners').",
		.type = MXT_GAUGE,
		.per_ns = true,
		.arg = ARG_PORTS_USED,
		.fill = fill_scalar,
	},
	[MXF_EPHEMERAL_PORTS_USABLE] = {
		.name = "tcpscope_ephemeral_ports_usable",
		.help = "Usable ports of ip_local_port_range (minus reserved).",
		.type = MXT_GAUGE,
		.per_ns = true,
		.arg = ARG_PORTS_USABLE,
		.fill = fill_scalar,
	},
	[MXF_POLLS] = {
		.name = "tcpscope_polls",
		.help = "Polls (engine ticks) done.",
		.type = MXT_COUNTER,
		.per_ns = true,
		.arg = ARG_TICKS,
		.fill = fill_scalar,
	},
	[MXF_POLL_DURATION_SECONDS] = {
		.name = "tcpscope_poll_duration_seconds",
		.help = "Duration of the last poll (dump, track, detect).",
		.type = MXT_GAUGE,
		.unit = "seconds",
		.per_ns = true,
		.arg = ARG_TICK_S,
		.fill = fill_scalar,
	},
	[MXF_LAST_POLL_TIMESTAMP_SECONDS] = {
		.name = "tcpscope_last_poll_timestamp_seconds",
		.help = "Unix time of the last poll.",
		.type = MXT_GAUGE,
		.unit = "seconds",
		.per_ns = true,
		.arg = ARG_LAST_TICK,
		.fill = fill_scalar,
	},
	[MXF_SOCKETS_POLLED] = {
		.name = "tcpscope_sockets_polled",
		.help = "Sockets the last poll returned.",
		.type = MXT_GAUGE,
		.per_ns = true,
		.arg = ARG_POLLED,
		.fill = fill_scalar,
	},
	[MXF_SOCKETS_TRACKED] = {
		.name = "tcpscope_sockets_tracked",
		.help = "Sockets the tracker holds (live and recently closed).",
		.type = MXT_GAUGE,
		.per_ns = true,
		.arg = ARG_TRACKED,
		.fill = fill_scalar,
	},
	[MXF_OWNERS_LIMITED] = {
		.name = "tcpscope_owners_limited",
		.help = "1 when some processes' /proc/PID/fd could not be read "
			"(owners incomplete: capabilities).",
		.type = MXT_GAUGE,
		.per_ns = true,
		.arg = ARG_PROCS_LIMITED,
		.fill = fill_scalar,
	},
	[MXF_BUILD] = {
		.name = "tcpscope_build",
		.help = "tcpscope's version; always 1.",
		.type = MXT_INFO,
		.labels = {"version"},
		.fill = fill_build,
	},
};
/* clang-format on */

const size_t mx_nfamilies = MXF_COUNT;
