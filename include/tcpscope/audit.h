/* audit.h — the listener audit: per listening socket, who can reach it,
 * whether its port can be stolen or is shared, and whether it is a service
 * that is routinely attacked when reachable.
 *
 * CONTRACT
 *  - Pure: no I/O, no clock. The caller supplies the tracker's entries (the
 *    listeners, and the connections used to count accepts), the namespace's
 *    kernel values (struct kstat: ip_local_port_range and
 *    ip_local_reserved_ports) and its local addresses (struct ifaddr_table,
 *    for interface names). Any of those may be missing: what depends on
 *    them is then unknown (NAN, -1, NULL), never guessed.
 *  - Call order: audit_init() once; audit_run() per report or tick (it
 *    replaces the previous rows, reusing their memory); read a->rows;
 *    audit_done() at the end.
 *  - Ownership: the audit owns its rows. A row borrows its tracker entry
 *    and its interface name, and the audit keeps the kstat and ifaddr
 *    pointers of its options: all valid until the tracker's next update or
 *    until the caller frees those (whichever comes first). So: update the
 *    tracker, read kstat and addresses, audit_run(), render, repeat.
 *  - Rows are sorted by port, then family, then address, then pid: the
 *    listeners of one port (a "group") are adjacent and share `group`.
 *  - Findings are a table (audit_findings[], indexed by enum
 *    audit_finding), each with its severity (enum detect_severity, so
 *    --fail-on and the detectors compare alike); a known-risky service's
 *    finding takes the severity of its row in audit_risky_table[], which
 *    docs/LISTENERS.md lists one row per entry.
 *  - Wording: tcpscope cannot see a firewall. A risky service bound to a
 *    wildcard or a non-private address is "reachable unless a firewall
 *    blocks it", never "exposed" as a fact.
 */
#ifndef TCPSCOPE_AUDIT_H
#define TCPSCOPE_AUDIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tcpscope/conn.h"
#include "tcpscope/detect.h"

struct kstat;
struct ifaddr_table;
struct track_entry;

/* Who can reach a listener, by its bound address. */
enum audit_exposure {
	AEX_WILDCARD_V4,   /* 0.0.0.0: every IPv4 address of the host */
	AEX_WILDCARD_DUAL, /* [::] without IPV6_V6ONLY: every IPv6 and IPv4 address
			    * (also when the source could not say: the worst case) */
	AEX_WILDCARD_V6,   /* [::] with IPV6_V6ONLY: every IPv6 address */
	AEX_LOOPBACK,      /* 127.0.0.0/8, ::1 (and v4-mapped loopback) */
	AEX_ADDRESS,       /* one specific address */
	AEX_COUNT
};

/* What kind of address a specific bind is. */
enum audit_scope {
	ASC_ANY,        /* a wildcard */
	ASC_LOOPBACK,
	ASC_LINK_LOCAL, /* 169.254/16, fe80::/10 */
	ASC_PRIVATE,    /* 10/8, 172.16/12, 192.168/16, 100.64/10, fc00::/7 */
	ASC_PUBLIC,     /* anything else: routable */
	ASC_COUNT
};

enum audit_finding {
	AF_RISKY,        /* a known-risky service, reachable (table below) */
	AF_EPHEMERAL,    /* port inside ip_local_port_range, not reserved */
	AF_SHARED,       /* several programs or users hold the port */
	AF_REUSEPORT,    /* several sockets of one program share addr:port */
	AF_QUEUE_FULL,   /* accept queue at listen_overflow.fill or more */
	AF_COUNT
};

struct audit_finding_def {
	const char *name;               /* JSON / filter spelling: "risky" */
	enum detect_severity severity;  /* AF_RISKY: the table row's instead */
	const char *summary;            /* one line for help and docs */
};
extern const struct audit_finding_def audit_findings[AF_COUNT];

/* One known-risky service (src/view/audit_risky.c; docs/LISTENERS.md). */
struct audit_risky {
	uint16_t port;
	const char *service;            /* "Redis" */
	enum detect_severity severity;
	const char *why;                /* what attackers do with it, one line */
};
extern const struct audit_risky audit_risky_table[];
extern const size_t audit_risky_n;
const struct audit_risky *audit_risky_of(uint16_t port); /* NULL: not listed */

const char *audit_exposure_name(int x);  /* "wildcard-v4", ... (JSON) */
const char *audit_exposure_text(int x);  /* "all IPv4", ... (text tables) */
const char *audit_scope_name(int s);     /* "any", "loopback", ... */

/* Classify an address (v4-mapped IPv6 as its IPv4). */
enum audit_scope audit_addr_scope(int family, const union conn_addr *a);
enum audit_exposure audit_exposure_of(const struct conn *c);
/* Bound to a wildcard or a public address: what `exposed` filters on. */
bool audit_reachable(const struct conn *c);
/* 1 when `port` lies in ip_local_port_range and is not in
 * ip_local_reserved_ports, 0 when not, -1 when the range is unknown. */
int audit_port_ephemeral(const struct kstat *k, unsigned port);
/* The sysctl line that reserves `port` while keeping the ports reserved
 * now: "sysctl -w net.ipv4.ip_local_reserved_ports=8080,5000-5010,40100".
 * Returns buf. */
char *audit_reserve_line(const struct kstat *k, unsigned port, char *buf, size_t len);

struct audit_opts {
	const struct kstat *k;          /* borrowed; NULL: range unknown */
	const struct ifaddr_table *ifs; /* borrowed; NULL: no interface names */
	double fill_pct;                /* AF_QUEUE_FULL at this fill (listen_overflow.fill) */
	uint64_t now_ns;                /* for ages */
	double interval_s;              /* since the previous update; NAN: no rates */
};

struct audit_row {
	const struct track_entry *e;    /* borrowed (see the contract) */
	enum audit_exposure exposure;
	enum audit_scope scope;
	const char *ifname;             /* borrowed; NULL: not a local address / unknown */
	enum port_class pclass;
	int ephemeral;                  /* audit_port_ephemeral() */
	bool reserved;                  /* in ip_local_reserved_ports */
	bool reachable;                 /* audit_reachable() */
	const struct audit_risky *risky;/* the table row for its port, NULL */
	unsigned group;                 /* 1-based: rows with the same port share it */
	unsigned group_n;               /* listening sockets on this port */
	unsigned same_addr;             /* sockets on exactly this family+addr:port */
	unsigned owners;                /* distinct programs/users among those that
					 * overlap this one (this one included) */
	double fill_pct;                /* accept queue / backlog; NAN unknown */
	double accepts_per_s;           /* new connections on addr:port; NAN unknown */
	double age_s;                   /* listener lifetime as tracked */
	bool age_lower;                 /* it existed before the first poll */
	uint32_t findings;              /* bit (1 << AF_x) */
	int worst;                      /* highest severity of its findings; -1 none */
};

struct audit {
	struct audit_row *rows;         /* owned */
	size_t n, cap;
	unsigned counts[DS_COUNT];      /* findings per severity */
	struct audit_opts o;            /* copy of the last run's options */
};

void audit_init(struct audit *a);
void audit_done(struct audit *a);
/* Audit the LISTEN entries of es[0..n) (tombs are skipped); the other
 * entries only count accepts. */
void audit_run(struct audit *a, const struct audit_opts *o, const struct track_entry *const *es,
	       size_t n);
/* The row of a listener entry, or NULL (not a listener of the last run). */
const struct audit_row *audit_find(const struct audit *a, const struct track_entry *e);
/* "CRIT risky,ephemeral": the worst severity's short name, then the finding
 * names, most severe first; "" when there are none. Returns buf. */
char *audit_findings_short(const struct audit_row *r, char *buf, size_t len);
/* Severity of finding f on row r. */
enum detect_severity audit_finding_severity(const struct audit_row *r, enum audit_finding f);
/* The sentence for finding f of row r (which must be one of a->rows).
 * Returns buf. */
char *audit_finding_text(const struct audit *a, const struct audit_row *r, enum audit_finding f,
			 char *buf, size_t len);
/* "redis-server[123]" or "uid 1000" or "-": the owner as tables show it. */
char *audit_owner_text(const struct audit_row *r, char *buf, size_t len);
/* "0.0.0.0:6379", "[::]:8080": the listener's address, never "*" (which
 * hides the family). Returns buf. */
char *audit_endpoint_text(const struct conn *c, char *buf, size_t len);
/* Highest severity of any finding, -1 when there are none. */
int audit_worst(const struct audit *a);
/* Parse "info"/"warning"/"critical" (any case); -1 when unknown. */
int audit_severity_parse(const char *s);

#endif
