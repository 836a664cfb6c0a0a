/* detect.h — the detectors: trouble an admin hunts for, named by owner.
 *
 * CONTRACT
 *  - One table entry per kind (detect_kinds[], indexed by enum detect_kind):
 *    name, default severity, a grouping function (which sockets, whose are
 *    they), an evaluation function (does the group's condition hold, at what
 *    severity) and a message formatter. Thresholds live in struct
 *    detect_config, described by a second table (keys "KIND.NAME").
 *  - Call order: detector_new(cfg) once; after every tracker_update(t, snap)
 *    call detector_update(d, t, snap) with the same snapshot; then read
 *    detector_alerts() (what is active now) and detector_events() (what was
 *    raised / cleared by this update). Both arrays and their pointers stay
 *    valid until the next detector_update()/detector_free().
 *  - Alerts are kept per (kind, owner). Hysteresis: a condition must hold
 *    for KIND.hold seconds (0: the first evaluation that sees it) before the
 *    alert is raised; a raised alert stays while a weaker "still" condition
 *    holds (a lower threshold), and clears only after that has been false for
 *    KIND.clear seconds. So an alert never flaps at the poll rate.
 *  - Owners: the process (name + pid, remembered by the tracker across
 *    TIME_WAIT) where known; else the local port when it is a listener's or
 *    outside the ephemeral range; else the destination. Some kinds group by
 *    their own key (listener, destination, the 3-tuple of port exhaustion,
 *    or the whole namespace) and name the process as a detail.
 *  - Pure: no I/O. Inputs are the tracker's entries (state, state age with
 *    TRK_AGE_LOWER/ESTIMATED, rates, last owner), the snapshot (queues) and
 *    the kernel counters in snap->kernel with tracker_kstat_rates().
 *  - Times are CLOCK_MONOTONIC ns from the snapshots (tests feed their own).
 */
#ifndef TCPSCOPE_DETECT_H
#define TCPSCOPE_DETECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tcpscope/conn.h"
#include "tcpscope/util.h"

struct snapshot;
struct tracker;

enum detect_kind {
	DK_CLOSE_WAIT,
	DK_SYN_RECV,
	DK_LISTEN_OVERFLOW,
	DK_SYN_SENT,
	DK_PORT_EXHAUSTION,
	DK_TIME_WAIT,
	DK_ORPHANS,
	DK_RETRANS,
	DK_STALLED,
	DK_EXPOSURE,  /* listener audit findings (audit.h), one alert per listener */
	DK_TCP_MEMORY, /* TCP memory above net.ipv4.tcp_mem's pressure threshold */
	DK_COUNT
};

enum detect_severity { DS_INFO, DS_WARNING, DS_CRITICAL, DS_COUNT };
const char *detect_severity_name(int sev); /* "info", "warning", "critical" */
const char *detect_kind_name(int kind);    /* "close_wait", ... ; "unknown" */

/* --- thresholds ---------------------------------------------------------- */

/* Kind-specific thresholds. Every kind also has KIND.hold, KIND.clear
 * (seconds) and KIND.enabled (on/off), stored in the arrays below. */
enum detect_threshold {
	DT_CW_AGE,          /* close_wait.age: oldest socket older than this */
	DT_CW_GROWTH,       /* close_wait.growth: count grew by this much ... */
	DT_CW_WINDOW,       /* close_wait.window: ... within this window */
	DT_CW_CRITICAL,     /* close_wait.critical: this many sockets is critical */
	DT_SR_COUNT,        /* syn_recv.count: half-open sockets on one listener */
	DT_SR_COOKIES,      /* syn_recv.cookies: SYN cookies per second = critical */
	DT_LO_FILL,         /* listen_overflow.fill: accept queue / backlog, % */
	DT_LO_RATE,         /* listen_overflow.rate: ListenOverflows+Drops per second */
	DT_SS_AGE,          /* syn_sent.age */
	DT_SS_CRITICAL,     /* syn_sent.critical: stuck sockets to one destination */
	DT_PE_WARN,         /* port_exhaustion.warn, % of the usable range */
	DT_PE_CRITICAL,     /* port_exhaustion.critical, % */
	DT_TW_WARN,         /* time_wait.warn, % of tcp_max_tw_buckets */
	DT_TW_CRITICAL,     /* time_wait.critical, % */
	DT_OR_WARN,         /* orphans.warn, % of tcp_max_orphans */
	DT_OR_CRITICAL,     /* orphans.critical, % */
	DT_RT_RATE,         /* retrans.rate: retransmits/s of one connection */
	DT_RT_SHARE,        /* retrans.share: % of sent segments retransmitted */
	DT_RT_CRITICAL,     /* retrans.critical: share that is critical, % */
	DT_RT_MIN_SEGS,     /* retrans.min_segs: judge the share above this many segs/s */
	DT_ST_AGE,          /* stalled.age: Send-Q not draining for this long */
	DT_EX_RISKY,        /* exposure.risky: known-risky services reachable (on/off) */
	DT_EX_EPHEMERAL,    /* exposure.ephemeral: listeners in the ephemeral range (on/off) */
	DT_EX_SHARED,       /* exposure.shared: ports held by several programs (on/off) */
	DT_COUNT
};

struct detect_config {
	double v[DT_COUNT];        /* durations in seconds, shares in percent */
	double hold_s[DK_COUNT];   /* KIND.hold */
	double clear_s[DK_COUNT];  /* KIND.clear */
	bool enabled[DK_COUNT];    /* KIND.enabled */
};

void detect_config_defaults(struct detect_config *c);
/* Set one threshold: key "close_wait.age", value "30s" (durations: 250ms,
 * 2s, 3m, bare seconds; shares: "50%" or "50"; rates: "5" or "5/s";
 * counts: whole numbers; enabled: on/off/yes/no/true/false/1/0). Returns 0,
 * or -EINVAL with `e` naming the key or the value's text. Both the command
 * line (--threshold KEY=VALUE) and the config file call this. */
int detect_set_threshold(struct detect_config *c, const char *key, const char *value,
			 struct err *e);
/* "KEY=VALUE" in one string (what --threshold takes). */
int detect_set_threshold_kv(struct detect_config *c, const char *kv, struct err *e);

/* Enumerate thresholds for a setup screen or --list-thresholds:
 * i in [0, detect_threshold_count()). */
struct detect_threshold_info {
	char key[48];          /* "close_wait.age" */
	char value[32];        /* current value, as detect_set_threshold takes it */
	char def[32];          /* the default, same format */
	const char *unit;      /* "duration", "percent", "count", "per_s", "bool" */
	const char *help;      /* one line */
	enum detect_kind kind;
};
size_t detect_threshold_count(void);
int detect_threshold_info(const struct detect_config *c, size_t i,
			  struct detect_threshold_info *out);

/* --- alerts -------------------------------------------------------------- */

enum detect_owner_by {
	DOWN_PROCESS,      /* pid + process name */
	DOWN_LOCAL,        /* a local port (a listener's, or a fixed one) */
	DOWN_DESTINATION,  /* remote address:port */
	DOWN_TUPLE,        /* local address → remote address:port (port exhaustion) */
	DOWN_HOST,         /* the whole network namespace */
	DOWN_COUNT
};
const char *detect_owner_by_name(int by); /* "process", "local_port", ... */

struct detect_owner {
	enum detect_owner_by by;
	int32_t pid;               /* -1 unknown; a detail unless by == DOWN_PROCESS */
	char comm[CONN_COMM_LEN];  /* "" unknown */
	uint8_t family;            /* 0 when no address is part of the owner */
	bool have_laddr, have_raddr;
	union conn_addr laddr, raddr;
	uint16_t lport, rport;     /* 0 = not part of the owner */
	uint32_t netns;            /* its network namespace (conn.netns; 0: the only one) */
	char ns[32];               /* the namespace's name when several are judged, else "" */
	uint64_t cgroup_id;        /* the process's cgroup (a detail, with pid), 0 unknown */
	char unit[48];             /* what the cgroup is: nginx.service, docker:shop-api; "" */
};
/* "nginx[1234]", ":8080", "10.0.0.5:5432", "127.0.0.1 -> 127.0.0.1:7000",
 * "this host". Returns buf. */
char *detect_owner_format(const struct detect_owner *o, char *buf, size_t len);

#define DETECT_MSG_LEN 320

struct detect_alert {
	enum detect_kind kind;
	enum detect_severity severity;
	struct detect_owner owner;
	unsigned count;            /* sockets in the condition (stuck, stalled, used ports...) */
	unsigned total;            /* sockets of the group in the state, stuck or not */
	unsigned nqueued;          /* close_wait: with unread data (Recv-Q > 0) */
	unsigned distinct;         /* syn_recv: distinct source addresses */
	double oldest_s;           /* NAN when not an age-based kind */
	bool oldest_lower;         /* oldest_s is a lower bound */
	double growth_per_min;     /* close_wait: NAN until the window has history */
	double value, limit;       /* the level and what it is measured against
				    * (queue/backlog, ports/range, tw/max), NAN n/a */
	double share_pct;          /* value / limit in percent, NAN n/a */
	double rate;               /* the kind's per-second rate, NAN n/a */
	uint64_t bytes;            /* stalled: bytes in Send-Q */
	unsigned persist;          /* stalled: sockets on the persist timer (zero window) */
	unsigned backoff;          /* stalled: the largest retransmit backoff */
	unsigned ntime_wait;       /* port_exhaustion: of `count`, in TIME_WAIT */
	uint32_t findings;         /* exposure: bits (1 << AF_x) of audit.h */
	uint8_t exposure;          /* exposure: enum audit_exposure of the listener */
	const char *service;       /* exposure: the risky service's name (static), NULL */
	struct {                   /* time_wait: the destination (client side) or
				    * local port (server side) holding most */
		uint8_t family;        /* 0 = none */
		bool local;            /* addr:port is local (a server port) */
		union conn_addr addr;
		uint16_t port;
		unsigned count;
	} top;
	double raised_wall;        /* unix seconds the alert was raised */
	uint64_t raised_ns;
	double cleared_wall;       /* cleared events: when; else NAN */
	bool clearing;             /* the condition is gone; the alert shows its last
				    * values until KIND.clear has passed */
	char message[DETECT_MSG_LEN];
};

enum detect_event_kind { DEV_RAISED, DEV_CLEARED };
struct detect_event {
	enum detect_event_kind kind;
	double time;               /* unix seconds */
	struct detect_alert alert; /* a copy: the values when raised / last seen */
};
const char *detect_event_name(int kind); /* "alert_raised", "alert_cleared" */

/* --- the table ----------------------------------------------------------- */

struct detector;
struct detect_ctx;
struct detect_group;
struct track_entry;

struct detect_kind_def {
	const char *name;               /* "close_wait" */
	const char *title;              /* "CLOSE_WAIT": the message's first word */
	enum detect_severity severity;  /* when raised; critical via thresholds */
	const char *summary;            /* what it means, for help screens */
	/* Socket kinds: pick the socket and name its owner; false = not ours.
	 * NULL for kinds fed only by kernel counters. */
	bool (*group)(const struct detect_ctx *c, const struct track_entry *e,
		      struct detect_owner *o);
	/* Add a picked socket to its group's aggregate. */
	void (*add)(struct detect_ctx *c, struct detect_group *g, const struct track_entry *e);
	/* After all sockets: namespace-wide groups from kernel counters (may be NULL). */
	void (*global)(struct detect_ctx *c);
	/* Judge a group: fill g->fire (raise), g->still (keep raised) and the
	 * alert's severity and derived values. */
	void (*eval)(const struct detect_ctx *c, struct detect_group *g);
	/* The 3 a.m. message into buf. */
	void (*format)(const struct detect_alert *a, char *buf, size_t len);
	/* Optional, for kinds whose groups are only interesting when large
	 * (one per 4-tuple...): the fewest sockets a group needs before it can
	 * raise or keep an alert. The engine then tallies the picked sockets in
	 * a fixed-size counter sketch first and makes groups only for owners
	 * whose tally reaches it, so memory does not grow with distinct owners. */
	unsigned (*floor)(const struct detect_ctx *c);
};
extern const struct detect_kind_def detect_kinds[DK_COUNT];

/* --- the detector -------------------------------------------------------- */

struct detector *detector_new(const struct detect_config *cfg); /* NULL: defaults */
void detector_free(struct detector *d);
void detector_set_config(struct detector *d, const struct detect_config *cfg);
const struct detect_config *detector_config(const struct detector *d);
void detector_update(struct detector *d, const struct tracker *t, const struct snapshot *snap);
/* Several network namespaces at once (conn.netns tells which): limits that
 * are per namespace (ephemeral ports, TIME_WAIT buckets, orphans,
 * listeners, kernel counters) are judged per namespace with its own header
 * and counter rates, and every owner carries its namespace, so two
 * containers' identical 127.0.0.1:8080 never merge. `hdr` is the merged
 * header of the tick. With nns == 0 this is detector_update(). */
struct detect_ns {
	uint32_t id;                       /* conn.netns */
	const char *name;                  /* shown in owners */
	const struct snapshot *hdr;        /* its poll: counts, kernel counters */
	const struct kstat_rates *rates;   /* its counter rates */
};
void detector_update_ns(struct detector *d, const struct tracker *t, const struct snapshot *hdr,
			const struct detect_ns *ns, size_t nns);
/* Active alerts, most severe first (then by kind, then by count, larger
 * first). The UI's header and alerts view read this. */
const struct detect_alert *const *detector_alerts(const struct detector *d, size_t *n);
/* Raised/cleared by the last update, in order. */
const struct detect_event *detector_events(const struct detector *d, size_t *n);
/* Active alerts per severity (header meters): counts[DS_COUNT]. */
/* The namespace's ephemeral-port use, summed by the last update: distinct
 * local ports inside ip_local_port_range, not reserved, held by sockets
 * that are not a listener's (nor accepted on a listener's port), against the
 * usable ports of the range. The header shows it; port_exhaustion judges
 * per destination against the same range. */
struct detect_ports {
	bool have_range;
	unsigned lo, hi, usable;  /* usable = the range minus reserved ports */
	unsigned used;
	double share_pct;         /* used / usable × 100; NAN without a range */
};
const struct detect_ports *detector_ports(const struct detector *d);
void detector_count(const struct detector *d, unsigned counts[DS_COUNT]);
/* Replay: make the detector hold recorded alerts (active, in the order
 * given), the raised/cleared events of that tick and its port use, for
 * reading through the calls above. Not for a detector that is then
 * updated (the groups' hysteresis state is not recorded). */
void detector_restore(struct detector *d, const struct detect_alert *alerts, size_t n,
		      const struct detect_event *ev, size_t nev, const struct detect_ports *ports);
/* Groups (kind, owner) the detector holds now: tests and the memory bench. */
size_t detector_ngroups(const struct detector *d);

#endif
