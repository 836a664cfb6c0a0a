/* conn.h — one TCP socket as the collector saw it: a plain value, no I/O.
 *
 * A struct conn is produced by a collector source (netlink sock_diag or
 * /proc/net/tcp), owned by the struct snapshot that holds it, and read by
 * everything downstream.  Fields a source could not measure are marked
 * unknown through the `have` bitmasks, never zero-filled as if measured.
 */
#ifndef TCPSCOPE_CONN_H
#define TCPSCOPE_CONN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Kernel TCP state numbers (include/net/tcp_states.h). NEW_SYN_RECV (12) is
 * folded into SYN_RECV by the collector, as ss and netstat do. */
enum tcp_state {
	TCPS_UNKNOWN = 0,
	TCPS_ESTABLISHED = 1,
	TCPS_SYN_SENT,
	TCPS_SYN_RECV,
	TCPS_FIN_WAIT1,
	TCPS_FIN_WAIT2,
	TCPS_TIME_WAIT,
	TCPS_CLOSE,
	TCPS_CLOSE_WAIT,
	TCPS_LAST_ACK,
	TCPS_LISTEN,
	TCPS_CLOSING,
	TCPS_COUNT /* one past the last real state */
};
#define TCPS_NEW_SYN_RECV 12
#define TCPS_ALL_MASK (((1u << TCPS_COUNT) - 1) & ~1u)

struct tcp_state_info {
	const char *netstat; /* "ESTABLISHED", "SYN_SENT", ... (JSON spelling) */
	const char *ss;      /* "established", "syn-sent", ... (filter spelling) */
	const char *abbrev;  /* "ESTAB", "SYN-SENT", ... (ss -tan column) */
	const char *shorts;  /* 4 chars for narrow columns: "ESTB", "CLWT" */
};

/* The state table, indexed by enum tcp_state; entry 0 is "UNKNOWN". */
extern const struct tcp_state_info tcp_state_table[TCPS_COUNT];

const char *tcp_state_name(int state);   /* netstat spelling, "UNKNOWN" if out of range */
/* Parse a state name in any of the table's spellings, case-insensitive.
 * Returns the state or TCPS_UNKNOWN. */
int tcp_state_parse(const char *name);

/* Port classes, as IANA divides the port space. */
enum port_class { PORTCLASS_WELL_KNOWN, PORTCLASS_REGISTERED, PORTCLASS_DYNAMIC };
enum port_class port_class_of(uint16_t port);
const char *port_class_name(enum port_class pc);

/* Kernel timer kinds (idiag_timer / /proc/net/tcp "tr"). */
enum conn_timer {
	TIMER_OFF = 0,
	TIMER_ON = 1,        /* retransmit (or loss probe) */
	TIMER_KEEPALIVE = 2,
	TIMER_TIMEWAIT = 3,
	TIMER_PERSIST = 4,   /* zero-window probe */
	TIMER_COUNT
};
const char *conn_timer_name(int timer);

/* Which tcp_info fields the kernel supplied (tcp_info length varies). */
enum {
	TI_BASE = 1u << 0,          /* rtt, cwnd, retrans, times, mss ... */
	TI_PACING = 1u << 1,        /* pacing_rate */
	TI_BYTES_ACKED = 1u << 2,   /* bytes_acked, bytes_received */
	TI_SEGS = 1u << 3,          /* segs_out, segs_in */
	TI_MIN_RTT = 1u << 4,       /* notsent_bytes, min_rtt */
	TI_DELIVERY = 1u << 5,      /* delivery_rate */
	TI_DELIVERED = 1u << 6,     /* delivered */
	TI_BYTES_SENT = 1u << 7,    /* bytes_sent, bytes_retrans */
	TI_SND_WND = 1u << 8,       /* snd_wnd */
};

/* The subset of struct tcp_info kept for every socket: what the table,
 * filters, detectors, rates and text output use. Units: _us microseconds,
 * _ms milliseconds, rates in bytes per second. `have` (TI_* bits) also says
 * which fields of struct conn_tcpinfo_x the kernel supplied. */
struct conn_tcpinfo {
	uint64_t bytes_acked, bytes_received, bytes_sent, delivery_rate;
	uint32_t rtt_us, rttvar_us, min_rtt_us, rto_us;
	uint32_t snd_cwnd, snd_ssthresh, snd_mss;
	uint32_t unacked, retrans, total_retrans;
	uint32_t last_data_sent_ms, last_data_recv_ms, last_ack_recv_ms;
	uint8_t retransmits, backoff;
	uint16_t have; /* TI_* bits; 0 = no tcp_info at all */
};

/* Socket memory as `ss -m` shows it (INET_DIAG_SKMEMINFO, the kernel's
 * SK_MEMINFO_* array, in bytes but drops, which counts packets). */
struct conn_skmem {
	uint32_t rmem_alloc, rcvbuf, wmem_alloc, sndbuf, fwd_alloc, wmem_queued, optmem,
		backlog, drops;
};

/* The rest of what tcpscope shows of tcp_info: only the detail view and
 * JSON output read it, so it is collected on request (NEED_INFO_X) into a
 * side array of the snapshot (snapshot_tix), not kept for every socket.
 * Socket memory travels with it (NEED_MEMINFO, or NEED_INFO_X). */
struct conn_tcpinfo_x {
	uint64_t bytes_retrans, pacing_rate;
	uint32_t ato_us, rcv_mss, snd_wnd, sacked, lost;
	uint32_t segs_out, segs_in, notsent_bytes, rcv_space, delivered;
	uint8_t probes, ca_state, options, snd_wscale, rcv_wscale;
	bool have; /* filled from a tcp_info (the TI_* bits of the conn say which) */
	bool have_mem; /* mem filled from INET_DIAG_SKMEMINFO */
	struct conn_skmem mem;
};

/* Which states a measured field means something in. The kernel answers
 * tcp_info for a listener from the listening socket itself (RTT 0, cwnd 10,
 * the initial RTO): numbers that describe no connection. TIME_WAIT and
 * request sockets (SYN_RECV) carry no tcp_info or socket memory at all.
 * Every field tcpscope shows from tcp_info belongs to one group; text,
 * the live view and the detail view print "-", JSON null, where the
 * socket's state is not in the group's set (README, "Fields by state"). */
enum conn_field {
	CF_PATH,    /* rtt, rttvar, min_rtt, cwnd, ssthresh, mss, unacked, sacked,
		     * lost, delivery and pacing rates, snd_wnd, notsent, ato, rcv_* */
	CF_RETRANS, /* rto, retrans, retrans_total, backoff, probes, bytes_retrans */
	CF_DATA,    /* bytes_*, segs_*, delivered, last_send/recv/ack, rates */
	CF_MEM,     /* socket memory (skmem) */
	CF_COUNT
};
struct conn_field_info {
	const char *name;  /* "path", "retrans", "data", "mem" */
	uint16_t states;   /* bit (1 << TCPS_x) per state the group applies to */
	const char *why;   /* one line for the documentation */
};
extern const struct conn_field_info conn_field_table[CF_COUNT];
bool conn_field_applies(enum conn_field f, int state);

/* What a conn carries beyond its identity (struct conn.have). */
enum {
	CONN_HAVE_COOKIE = 1u << 0,
	CONN_HAVE_UID = 1u << 1,
	CONN_HAVE_INODE = 1u << 2,
	CONN_HAVE_RQUEUE = 1u << 3,  /* Recv-Q */
	CONN_HAVE_WQUEUE = 1u << 8,  /* Send-Q (a listener's backlog: netlink only) */
	CONN_HAVE_TIMER = 1u << 4,
	CONN_HAVE_PROC = 1u << 5,   /* pid/comm filled by process attribution */
	CONN_HAVE_SHUTDOWN = 1u << 6,
	CONN_HAVE_CONG = 1u << 7,
	CONN_HAVE_CGROUP = 1u << 11, /* cgroup_id from the kernel (INET_DIAG_CGROUP_ID) */
	CONN_HAVE_V6ONLY = 1u << 9,  /* the kernel said whether IPV6_V6ONLY is set
				      * (INET_DIAG_SKV6ONLY: v6 LISTEN/CLOSE only) */
	/* Not a "have" bit but the value it qualifies: IPV6_V6ONLY is set (only
	 * meaningful with CONN_HAVE_V6ONLY). Kept in `have` because struct conn
	 * has no padding left to spend on one flag. */
	CONN_V6ONLY = 1u << 10,
};

#define CONN_COMM_LEN 16

/* An address of either family; IPv4 lives in the first 4 bytes. */
union conn_addr {
	uint8_t b[16];
	uint32_t w[4];
};

struct conn {
	uint64_t cookie;           /* kernel socket cookie; identity across polls */
	union conn_addr laddr, raddr;
	uint16_t lport, rport;     /* host byte order */
	uint8_t family;            /* AF_INET or AF_INET6 */
	uint8_t state;             /* enum tcp_state */
	uint8_t timer;             /* enum conn_timer */
	uint8_t timer_retrans;     /* idiag_retrans: retransmits/probes of the timer */
	uint8_t shutdown;          /* bit0 RCV_SHUTDOWN, bit1 SEND_SHUTDOWN */
	uint8_t cong;              /* index into snapshot->cong_names, 0 = unknown */
	uint16_t nprocs;           /* processes sharing the socket (0 = unknown) */
	uint32_t have;             /* CONN_HAVE_* */
	uint32_t rqueue, wqueue;   /* Recv-Q, Send-Q as ss prints them */
	uint32_t uid, inode;
	uint32_t timer_ms;         /* time until the timer fires */
	int32_t pid;               /* first owning process, -1 unknown */
	char comm[CONN_COMM_LEN];  /* its name, "" unknown */
	struct conn_tcpinfo ti;
	/* The cgroup v2 id of the process that created the socket (0 unknown:
	 * TIME_WAIT and request sockets carry none; the tracker keeps the last
	 * one known) and the network namespace it lives in (nsfs inode; 0 when
	 * only one namespace is watched). Part of a socket's identity and
	 * labels: two containers may both have 127.0.0.1:8080. */
	uint64_t cgroup_id;
	uint32_t netns;
};

/* Fold an IPv4-mapped IPv6 address?  No: we report what the kernel says,
 * as ss does.  These helpers only format and compare. */

/* Longest string conn_addr_format writes, with NUL. */
#define CONN_ADDR_STRLEN 46
/* Format the address: dotted quad or RFC 5952 IPv6. Returns buf. */
char *conn_addr_format(int family, const union conn_addr *a, char *buf, size_t len);
/* "addr:port" with IPv6 in brackets (ss style), "*" for the port when 0
 * and `star_zero` is set. A wildcard address keeps its family visible:
 * "0.0.0.0", "[::]". Returns buf. */
char *conn_endpoint_format(int family, const union conn_addr *a, uint16_t port,
			   bool star_zero, char *buf, size_t len);
/* An endpoint of a socket exactly as ss spells it: conn_endpoint_format
 * (port 0 as "*"), except that the IPv6 wildcard of a dual-stack socket
 * (IPV6_V6ONLY known to be off) is "*": "*:7781" accepts both families,
 * "[::]:7781" only IPv6, "0.0.0.0:7781" only IPv4. Returns buf. */
char *conn_endpoint_str(const struct conn *c, bool remote, char *buf, size_t len);
/* The length conn_endpoint_str() would write for a wildcard address's
 * text ("*", "0.0.0.0" or "[::]"), or 0 when the address is not one. */
size_t conn_wildcard_len(const struct conn *c, bool remote);
/* Parse a numeric IPv4/IPv6 address; returns the family or 0. */
int conn_addr_parse(const char *s, union conn_addr *out);
bool conn_addr_is_any(int family, const union conn_addr *a);

/* Comparison helpers for sorting: memcmp order within a family. */
int conn_addr_cmp(int family, const union conn_addr *a, const union conn_addr *b);

#endif
