/* kstat.h — the kernel's own TCP counters and levels, per network namespace.
 *
 * Sources (all text, all per-namespace, so `-N` reads the namespace's own):
 *   /proc/net/snmp      "Tcp:"    ActiveOpens, PassiveOpens, AttemptFails, ...
 *   /proc/net/netstat   "TcpExt:" ListenOverflows, ListenDrops, SyncookiesSent, ...
 *   /proc/net/sockstat  "TCP:"    inuse, orphan, tw, alloc, mem (pages)
 *   /proc/net/sockstat6 "TCP6:"   inuse
 *   /proc/sys/net/ipv4  tcp_max_tw_buckets, tcp_max_orphans, ip_local_port_range,
 *                       tcp_syn_linear_timeouts (absent before Linux 6.x: unknown)
 *   /proc/sys/net/ipv4/tcp_mem  "min pressure max" in pages: the limits on
 *                       all TCP memory, which sockstat's "mem" counts. Both
 *                       are the host's, not the namespace's: every namespace
 *                       shows the same "mem" (and "alloc"), and the sysctl
 *                       file exists only in the host's namespace (kernel
 *                       6.18). Kept beside the table (tcp_mem[]), not in it:
 *                       recordings store the table as it was.
 *
 * One table (kstat_table, indexed by enum kstat_id) names every value: its
 * source, the kernel's spelling, the JSON key, and whether it is a COUNTER
 * (monotonic since boot: turned into a per-second rate) or a LEVEL (a
 * current amount: reported as is). A value is known only when its bit is set
 * in `have`; a kernel that lacks a field leaves it unknown, never zero.
 *
 * Pure parsers take text (tests feed them hand-made and malformed files);
 * kstat_read() reads the files of the current namespace. Where it lives:
 * collector_poll() fills snapshot.kernel each poll; the tracker turns two
 * successive ones into rates (tracker_kstat_rates()).
 */
#ifndef TCPSCOPE_KSTAT_H
#define TCPSCOPE_KSTAT_H

#include <stdbool.h>
#include <stdint.h>

enum kstat_id {
	/* /proc/net/snmp Tcp: */
	KS_ACTIVE_OPENS,
	KS_PASSIVE_OPENS,
	KS_ATTEMPT_FAILS,
	KS_ESTAB_RESETS,
	KS_CURR_ESTAB,
	KS_IN_SEGS,
	KS_OUT_SEGS,
	KS_RETRANS_SEGS,
	KS_IN_ERRS,
	KS_OUT_RSTS,
	/* /proc/net/netstat TcpExt: */
	KS_LISTEN_OVERFLOWS,
	KS_LISTEN_DROPS,
	KS_SYNCOOKIES_SENT,
	KS_SYNCOOKIES_RECV,
	KS_SYNCOOKIES_FAILED,
	KS_TW_RECYCLED,
	KS_TW_KILLED,
	KS_TIMEOUTS,
	KS_ABORT_ON_MEMORY,
	KS_ABORT_ON_TIMEOUT,
	KS_ABORT_ON_DATA,
	KS_ABORT_ON_CLOSE,
	KS_ABORT_ON_LINGER,
	KS_TW,                /* TW: sockets that finished TIME_WAIT */
	KS_TW_OVERFLOW,       /* TCPTimeWaitOverflow: TIME_WAIT buckets full */
	/* /proc/net/sockstat TCP: and sockstat6 TCP6: */
	KS_SOCK_INUSE,
	KS_SOCK_ORPHAN,
	KS_SOCK_TW,
	KS_SOCK_ALLOC,
	KS_SOCK_MEM_PAGES,
	KS_SOCK6_INUSE,
	/* /proc/sys/net/ipv4 */
	KS_MAX_TW_BUCKETS,
	KS_MAX_ORPHANS,
	KS_PORT_RANGE_LOW,
	KS_PORT_RANGE_HIGH,
	KS_SYN_LINEAR_TIMEOUTS, /* SYN retransmits at a fixed 1 s before backing off (6.x) */
	KS_COUNT
};

enum kstat_src { KSRC_SNMP, KSRC_NETSTAT, KSRC_SOCKSTAT, KSRC_SOCKSTAT6, KSRC_SYSCTL };
enum kstat_kind { KSK_COUNTER, KSK_LEVEL };

struct kstat_def {
	enum kstat_src src;
	const char *section; /* "Tcp", "TcpExt", "TCP", "TCP6"; sysctl: file name */
	const char *name;    /* kernel spelling of the field */
	const char *json;    /* JSON key */
	enum kstat_kind kind;
	/* The kernel keeps one value for the whole host (sockstat's alloc
	 * and mem): -A must not add it up over namespaces. */
	bool host_wide;
};

extern const struct kstat_def kstat_table[KS_COUNT];

/* ip_local_reserved_ports as spans (kstat_ports.c); more spans than fit
 * set `reserved_truncated` (the detectors then count a few reserved ports
 * as usable: an underestimate of exhaustion, never a false alarm). */
#define KSTAT_MAX_RESERVED 64
struct kstat_port_span {
	uint16_t lo, hi; /* inclusive */
};

struct kstat {
	uint64_t v[KS_COUNT];
	uint64_t have;     /* bit (1 << id) per known value */
	uint64_t mono_ns;  /* when read; 0 = never */
	struct kstat_port_span reserved[KSTAT_MAX_RESERVED];
	uint8_t nreserved;
	bool have_reserved;      /* ip_local_reserved_ports was read (may be empty) */
	bool reserved_truncated;
	/* net.ipv4.tcp_mem in pages, [KSTAT_TCP_MEM_MIN..MAX]; known when
	 * have_tcp_mem (the host's namespace only: see the top). */
	uint64_t tcp_mem[3];
	bool have_tcp_mem;
};

enum { KSTAT_TCP_MEM_MIN, KSTAT_TCP_MEM_PRESSURE, KSTAT_TCP_MEM_MAX };

/* Where TCP memory stands against tcp_mem: the kernel enters its pressure
 * mode above "pressure" (it trims socket buffers) and refuses memory above
 * "max". UNKNOWN without sockstat's "mem" or without the limits. */
enum kstat_mem_level { KSTAT_MEM_UNKNOWN, KSTAT_MEM_OK, KSTAT_MEM_PRESSURE, KSTAT_MEM_MAX };
enum kstat_mem_level kstat_tcp_mem_level(const struct kstat *k);

static inline bool kstat_has(const struct kstat *k, enum kstat_id id)
{
	return (k->have >> id) & 1u;
}

/* Parse /proc/net/snmp or /proc/net/netstat text (header line + value line
 * per section). Fills every table entry of source `src` it finds. Returns the
 * number of values filled, or -EINVAL when the text has a section whose two
 * lines disagree (what was parsed before stays). */
int kstat_parse_snmp(const char *text, enum kstat_src src, struct kstat *k);
/* Parse /proc/net/sockstat (src KSRC_SOCKSTAT) or sockstat6 (KSRC_SOCKSTAT6)
 * text: "TCP: inuse 1 orphan 0 tw 0 alloc 1 mem 60". Returns values filled
 * or -EINVAL on a malformed TCP line. */
int kstat_parse_sockstat(const char *text, enum kstat_src src, struct kstat *k);
/* Parse net.ipv4.tcp_mem text ("188049\t250733\t376098\n": three page
 * counts, min <= pressure <= max) into k->tcp_mem, setting have_tcp_mem.
 * Returns 3, or -EINVAL on anything else (k unchanged). */
int kstat_parse_tcp_mem(const char *text, struct kstat *k);
/* Read every source under `proc_root` ("/proc" when NULL) into `k` (cleared
 * first; mono_ns stamped). Missing files leave their values unknown.
 * Returns the number of values known. */
int kstat_read(const char *proc_root, struct kstat *k);
/* The same files kept open (one fd each, read again from the start with
 * pread at every poll: no open per poll). Opened while inside another
 * network namespace, they keep reading that namespace's values from any
 * namespace. A file missing at open stays missing. */
struct kstat_files;
struct kstat_files *kstat_files_open(const char *proc_root);
int kstat_files_read(struct kstat_files *f, struct kstat *k);
void kstat_files_close(struct kstat_files *f);

/* Parse ip_local_reserved_ports text ("", "8080", "1,5000-5010\n") into
 * k->reserved, setting have_reserved. Returns the number of spans or
 * -EINVAL on malformed text (k->reserved then empty, have_reserved false). */
int kstat_parse_reserved(const char *text, struct kstat *k);
/* Read PROC_ROOT/sys/net/ipv4/ip_local_reserved_ports (kstat_read does). */
int kstat_read_reserved(const char *proc_root, struct kstat *k);
/* Ports of [lo, hi] that are reserved (spans may overlap the range partly). */
unsigned kstat_reserved_in(const struct kstat *k, unsigned lo, unsigned hi);
bool kstat_port_reserved(const struct kstat *k, unsigned port);

/* Rates between two readings: per-second for COUNTERs, NAN for levels,
 * unknowns, a first reading, or a counter that went backwards (a reset, e.g.
 * a namespace re-created). */
struct kstat_rates {
	double per_s[KS_COUNT];
	double interval_s; /* NAN when there was no previous reading */
};
void kstat_rates_compute(const struct kstat *prev, const struct kstat *cur,
			 struct kstat_rates *out);

#endif
