/* columns.c — the column catalogue (see columns.h): one table entry per
 * column; numeric columns give a value getter and get formatting and
 * comparison from their style. */
#include "tcpscope/columns.h"
#include "columns_int.h"
#include "tcpscope/labels.h"

#include <math.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "tcpscope/audit.h"
#include "tcpscope/collect.h"
#include "tcpscope/out.h"
#include "tcpscope/util.h"

#define SEC(ns) ((double)(ns) / 1e9)

/* ---------------------------------------------------------------- helpers */

void col_format_value(enum col_style st, double v, char *buf, size_t len)
{
	if (isnan(v)) {
		snprintf(buf, len, "-");
		return;
	}
	switch (st) {
	case CS_COUNT:
		if (v < 100000)
			snprintf(buf, len, "%.0f", v);
		else
			out_fmt_bytes(v, buf, len);
		break;
	case CS_BYTES:
	case CS_RATE:
		out_fmt_bytes(v, buf, len);
		break;
	case CS_DURATION:
		out_fmt_duration(v, buf, len);
		break;
	case CS_MS:
		if (v < 10)
			snprintf(buf, len, "%.2fms", v);
		else if (v < 1000)
			snprintf(buf, len, "%.0fms", v);
		else
			snprintf(buf, len, "%.1fs", v / 1000);
		break;
	case CS_PERCENT:
		snprintf(buf, len, "%.0f%%", v);
		break;
	default:
		snprintf(buf, len, "%.0f", v);
		break;
	}
}

static bool have_info(const struct track_entry *e, unsigned bit)
{
	return (e->conn->ti.have & bit) != 0;
}


static const struct {
	uint16_t port;
	const char *name;
} services[] = {
	{20, "ftp-data"}, {21, "ftp"},       {22, "ssh"},         {23, "telnet"},
	{25, "smtp"},     {53, "domain"},    {80, "http"},        {110, "pop3"},
	{111, "rpcbind"}, {119, "nntp"},     {143, "imap"},       {179, "bgp"},
	{389, "ldap"},    {443, "https"},    {445, "smb"},        {465, "smtps"},
	{514, "shell"},   {587, "submission"}, {631, "ipp"},      {636, "ldaps"},
	{873, "rsync"},   {993, "imaps"},    {995, "pop3s"},      {1080, "socks"},
	{1433, "mssql"},  {1521, "oracle"},  {1883, "mqtt"},      {2049, "nfs"},
	{2181, "zookeeper"}, {2375, "docker"}, {2379, "etcd"},    {3000, "dev-http"},
	{3128, "squid"},  {3306, "mysql"},   {3389, "rdp"},       {4222, "nats"},
	{5432, "postgres"}, {5672, "amqp"},  {5900, "vnc"},       {6379, "redis"},
	{6443, "k8s-api"}, {8080, "http-alt"}, {8443, "https-alt"}, {9000, "php-fpm"},
	{9092, "kafka"},  {9090, "prometheus"}, {9100, "node-exp"}, {9200, "elastic"},
	{11211, "memcache"}, {27017, "mongodb"},
};

const char *col_service_name(uint16_t port)
{
	size_t lo = 0, hi = sizeof services / sizeof services[0];
	/* The table is small and not strictly sorted: a linear scan is fine. */
	for (size_t i = lo; i < hi; i++)
		if (services[i].port == port)
			return services[i].name;
	return NULL;
}

/* The port that names the service: a listener's own port, else the side
 * that has a known service, else the lower-numbered one. */
static uint16_t service_port(const struct conn *c)
{
	if (c->state == TCPS_LISTEN || c->rport == 0)
		return c->lport;
	if (col_service_name(c->lport))
		return c->lport;
	if (col_service_name(c->rport))
		return c->rport;
	return c->lport < c->rport ? c->lport : c->rport;
}

void col_ctx_init(struct col_ctx *x)
{
	memset(x, 0, sizeof *x);
	hmap_init(&x->users.idx);
}

void col_ctx_done(struct col_ctx *x)
{
	hmap_done(&x->users.idx);
	free(x->users.names);
	memset(x, 0, sizeof *x);
}

const char *col_user_name(struct col_ctx *x, uint32_t uid)
{
	uint32_t *pi = hmap_get(&x->users.idx, uid);
	if (pi)
		return x->users.names[*pi];
	x->users.names = xgrow(x->users.names, &x->users.cap, x->users.n + 1,
			       sizeof x->users.names[0]);
	char *dst = x->users.names[x->users.n];
	struct passwd pw, *res = NULL;
	char buf[1024];
	if (getpwuid_r(uid, &pw, buf, sizeof buf, &res) == 0 && res)
		snprintf(dst, sizeof x->users.names[0], "%s", pw.pw_name);
	else
		snprintf(dst, sizeof x->users.names[0], "%u", uid);
	hmap_put(&x->users.idx, uid, (uint32_t)x->users.n);
	return x->users.names[x->users.n++];
}

static int cmp_num(double a, double b)
{
	/* Unknown sorts below every known value. */
	bool na = isnan(a), nb = isnan(b);
	if (na || nb)
		return na == nb ? 0 : (na ? -1 : 1);
	return a < b ? -1 : a > b;
}

/* ---------------------------------------------------------------- getters */

/* Known (the kernel supplied it) and meaningful in the socket's state
 * (conn_field_table: a listener's RTT is no connection's). */
#define INFO_GETTER(fn, bit, grp, expr)                                             \
	static double fn(const struct col_ctx *x, const struct track_entry *e)      \
	{                                                                           \
		(void)x;                                                            \
		const struct conn_tcpinfo *ti = &e->conn->ti;                       \
		return have_info(e, bit) && conn_field_applies(grp, e->conn->state) \
			       ? (double)(expr)                                     \
			       : NAN;                                               \
	}

INFO_GETTER(num_rtt, TI_BASE, CF_PATH, ti->rtt_us / 1000.0)
INFO_GETTER(num_rttvar, TI_BASE, CF_PATH, ti->rttvar_us / 1000.0)
INFO_GETTER(num_minrtt, TI_MIN_RTT, CF_PATH, ti->min_rtt_us / 1000.0)
INFO_GETTER(num_rto, TI_BASE, CF_RETRANS, ti->rto_us / 1000.0)
INFO_GETTER(num_cwnd, TI_BASE, CF_PATH, ti->snd_cwnd)
INFO_GETTER(num_ssthresh, TI_BASE, CF_PATH,
	    ti->snd_ssthresh >= 0x7fffffffu ? NAN : ti->snd_ssthresh)
INFO_GETTER(num_mss, TI_BASE, CF_PATH, ti->snd_mss)
INFO_GETTER(num_unacked, TI_BASE, CF_PATH, ti->unacked)
INFO_GETTER(num_retrans, TI_BASE, CF_RETRANS, ti->total_retrans)
INFO_GETTER(num_bytes_rx, TI_BYTES_ACKED, CF_DATA, ti->bytes_received)
INFO_GETTER(num_bytes_tx, TI_BYTES_ACKED, CF_DATA, ti->bytes_acked)
INFO_GETTER(num_delivery, TI_DELIVERY, CF_PATH, ti->delivery_rate)
INFO_GETTER(num_last_rx, TI_BASE, CF_DATA, ti->last_data_recv_ms / 1000.0)
INFO_GETTER(num_last_tx, TI_BASE, CF_DATA, ti->last_data_sent_ms / 1000.0)

static const struct conn_skmem *mem_of(const struct col_ctx *x, const struct track_entry *e)
{
	if (!x->trk || !conn_field_applies(CF_MEM, e->conn->state))
		return NULL;
	const struct conn_tcpinfo_x *tx = tracker_tix(x->trk, e);
	return tx && tx->have_mem ? &tx->mem : NULL;
}

#define MEM_GETTER(fn, field)                                                      \
	static double fn(const struct col_ctx *x, const struct track_entry *e)     \
	{                                                                          \
		const struct conn_skmem *m = mem_of(x, e);                         \
		return m ? (double)m->field : NAN;                                 \
	}

MEM_GETTER(num_rmem, rmem_alloc)
MEM_GETTER(num_rcvbuf, rcvbuf)
MEM_GETTER(num_wmem, wmem_alloc)
MEM_GETTER(num_sndbuf, sndbuf)
MEM_GETTER(num_fwd, fwd_alloc)
MEM_GETTER(num_wqueued, wmem_queued)
MEM_GETTER(num_optmem, optmem)
MEM_GETTER(num_backlog, backlog)
MEM_GETTER(num_drops, drops)

static double num_lport(const struct col_ctx *x, const struct track_entry *e)
{
	(void)x;
	return e->conn->lport;
}

static double num_rport(const struct col_ctx *x, const struct track_entry *e)
{
	(void)x;
	return e->conn->rport;
}

static double num_recvq(const struct col_ctx *x, const struct track_entry *e)
{
	(void)x;
	return (e->conn->have & CONN_HAVE_RQUEUE) ? e->conn->rqueue : NAN;
}

static double num_sendq(const struct col_ctx *x, const struct track_entry *e)
{
	(void)x;
	return (e->conn->have & CONN_HAVE_WQUEUE) ? e->conn->wqueue : NAN;
}

static double num_age(const struct col_ctx *x, const struct track_entry *e)
{
	uint64_t now = (e->flags & TRK_TOMB) ? e->tomb_ns : x->now_ns;
	return track_state_age(e, now);
}

static void fmt_age(struct col_ctx *x, const struct track_entry *e, char *buf, size_t len)
{
	char d[24];
	col_format_value(CS_DURATION, num_age(x, e), d, sizeof d);
	snprintf(buf, len, "%s%s", (e->flags & TRK_AGE_LOWER) ? ">" : "", d);
}

static int cmp_age(struct col_ctx *x, const struct track_entry *a, const struct track_entry *b)
{
	return cmp_num(num_age(x, a), num_age(x, b));
}

static double num_lifetime(const struct col_ctx *x, const struct track_entry *e)
{
	uint64_t now = (e->flags & TRK_TOMB) ? e->tomb_ns : x->now_ns;
	return now > e->first_seen_ns ? SEC(now - e->first_seen_ns) : 0;
}

static double num_pid(const struct col_ctx *x, const struct track_entry *e)
{
	(void)x;
	int32_t pid;
	track_owner_comm(e, &pid);
	return pid > 0 ? pid : NAN;
}

static double num_uid(const struct col_ctx *x, const struct track_entry *e)
{
	(void)x;
	return (e->conn->have & CONN_HAVE_UID) ? e->conn->uid : NAN;
}

static double num_retr_rate(const struct col_ctx *x, const struct track_entry *e)
{
	(void)x;
	return conn_field_applies(CF_RETRANS, e->conn->state) ? e->retrans_per_s : NAN;
}

static double num_rx_rate(const struct col_ctx *x, const struct track_entry *e)
{
	(void)x;
	return conn_field_applies(CF_DATA, e->conn->state) ? e->rx_bps : NAN;
}

static double num_tx_rate(const struct col_ctx *x, const struct track_entry *e)
{
	(void)x;
	return conn_field_applies(CF_DATA, e->conn->state) ? e->tx_bps : NAN;
}

static double num_qfill(const struct col_ctx *x, const struct track_entry *e)
{
	(void)x;
	const struct conn *c = e->conn;
	if (c->state != TCPS_LISTEN || !(c->have & CONN_HAVE_WQUEUE) || !c->wqueue)
		return NAN;
	return 100.0 * c->rqueue / c->wqueue;
}

static double num_inode(const struct col_ctx *x, const struct track_entry *e)
{
	(void)x;
	return (e->conn->have & CONN_HAVE_INODE) ? e->conn->inode : NAN;
}

/* ------------------------------------------------------- listener audit */

static void fmt_state(struct col_ctx *x, const struct track_entry *e, char *buf, size_t len)
{
	(void)x;
	int st = e->conn->state < TCPS_COUNT ? e->conn->state : 0;
	snprintf(buf, len, "%s", (e->flags & TRK_TOMB) ? "CLOSED" : tcp_state_table[st].abbrev);
}

/* Order states as a person scans them: trouble states first. */
static int state_rank(const struct track_entry *e)
{
	static const uint8_t rank[TCPS_COUNT] = {
		[TCPS_ESTABLISHED] = 1, [TCPS_SYN_SENT] = 2, [TCPS_SYN_RECV] = 3,
		[TCPS_FIN_WAIT1] = 4,   [TCPS_FIN_WAIT2] = 5, [TCPS_TIME_WAIT] = 6,
		[TCPS_CLOSE] = 7,       [TCPS_CLOSE_WAIT] = 8, [TCPS_LAST_ACK] = 9,
		[TCPS_LISTEN] = 10,     [TCPS_CLOSING] = 11,
	};
	if (e->flags & TRK_TOMB)
		return 12;
	return e->conn->state < TCPS_COUNT ? rank[e->conn->state] : 0;
}

static int cmp_state(struct col_ctx *x, const struct track_entry *a, const struct track_entry *b)
{
	(void)x;
	return state_rank(a) - state_rank(b);
}

static uint64_t key_state(const struct col_ctx *x, const struct track_entry *e)
{
	(void)x;
	return (uint64_t)state_rank(e);
}

static void fmt_local(struct col_ctx *x, const struct track_entry *e, char *buf, size_t len)
{
	(void)x;
	const struct conn *c = e->conn;
	conn_endpoint_str(c, false, buf, len);
}

static void fmt_remote(struct col_ctx *x, const struct track_entry *e, char *buf, size_t len)
{
	(void)x;
	const struct conn *c = e->conn;
	conn_endpoint_str(c, true, buf, len);
}

static int cmp_ep(const struct conn *a, const struct conn *b, bool local)
{
	if (a->family != b->family)
		return a->family - b->family;
	int r = conn_addr_cmp(a->family, local ? &a->laddr : &a->raddr,
			      local ? &b->laddr : &b->raddr);
	if (r)
		return r;
	return local ? (int)a->lport - (int)b->lport : (int)a->rport - (int)b->rport;
}

static int cmp_local(struct col_ctx *x, const struct track_entry *a, const struct track_entry *b)
{
	(void)x;
	return cmp_ep(a->conn, b->conn, true);
}

static int cmp_remote(struct col_ctx *x, const struct track_entry *a, const struct track_entry *b)
{
	(void)x;
	return cmp_ep(a->conn, b->conn, false);
}

static void fmt_portclass(struct col_ctx *x, const struct track_entry *e, char *buf, size_t len)
{
	(void)x;
	static const char *const shortn[] = {"well", "reg", "dyn"};
	snprintf(buf, len, "%s", shortn[port_class_of(service_port(e->conn))]);
}

static int cmp_portclass(struct col_ctx *x, const struct track_entry *a, const struct track_entry *b)
{
	(void)x;
	return (int)port_class_of(service_port(a->conn)) - (int)port_class_of(service_port(b->conn));
}

static uint64_t key_portclass(const struct col_ctx *x, const struct track_entry *e)
{
	(void)x;
	return port_class_of(service_port(e->conn));
}

static void fmt_service(struct col_ctx *x, const struct track_entry *e, char *buf, size_t len)
{
	(void)x;
	uint16_t p = service_port(e->conn);
	const char *n = col_service_name(p);
	if (n)
		snprintf(buf, len, "%s", n);
	else
		snprintf(buf, len, "%u", p);
}

static int cmp_service(struct col_ctx *x, const struct track_entry *a, const struct track_entry *b)
{
	char sa[32], sb[32];
	fmt_service(x, a, sa, sizeof sa);
	fmt_service(x, b, sb, sizeof sb);
	return strcmp(sa, sb);
}

static void fmt_process(struct col_ctx *x, const struct track_entry *e, char *buf, size_t len)
{
	(void)x;
	const char *comm = track_owner_comm(e, NULL);
	if (!comm)
		snprintf(buf, len, "-");
	else if ((e->conn->have & CONN_HAVE_PROC) && e->conn->nprocs > 1)
		snprintf(buf, len, "%s (+%u)", comm, e->conn->nprocs - 1u);
	else
		snprintf(buf, len, "%s", comm);
}

static int cmp_process(struct col_ctx *x, const struct track_entry *a, const struct track_entry *b)
{
	(void)x;
	const char *ca = track_owner_comm(a, NULL), *cb = track_owner_comm(b, NULL);
	if (!ca || !cb)
		return (ca != NULL) - (cb != NULL);
	return strcmp(ca, cb);
}

static void fmt_user(struct col_ctx *x, const struct track_entry *e, char *buf, size_t len)
{
	if (!(e->conn->have & CONN_HAVE_UID))
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, "%s", col_user_name(x, e->conn->uid));
}

static int cmp_user(struct col_ctx *x, const struct track_entry *a, const struct track_entry *b)
{
	char sa[32], sb[32];
	fmt_user(x, a, sa, sizeof sa);
	fmt_user(x, b, sb, sizeof sb);
	return strcmp(sa, sb);
}

static void fmt_timer(struct col_ctx *x, const struct track_entry *e, char *buf, size_t len)
{
	(void)x;
	const struct conn *c = e->conn;
	if (!(c->have & CONN_HAVE_TIMER) || c->timer == TIMER_OFF) {
		snprintf(buf, len, "-");
		return;
	}
	char d[16];
	out_fmt_duration(c->timer_ms / 1000.0, d, sizeof d);
	if (c->timer_retrans)
		snprintf(buf, len, "%s %s/%u", conn_timer_name(c->timer), d, c->timer_retrans);
	else
		snprintf(buf, len, "%s %s", conn_timer_name(c->timer), d);
}

static int cmp_timer(struct col_ctx *x, const struct track_entry *a, const struct track_entry *b)
{
	(void)x;
	const struct conn *ca = a->conn, *cb = b->conn;
	if (ca->timer != cb->timer)
		return (int)ca->timer - (int)cb->timer;
	return ca->timer_ms < cb->timer_ms ? -1 : ca->timer_ms > cb->timer_ms;
}

static uint64_t key_timer(const struct col_ctx *x, const struct track_entry *e)
{
	(void)x;
	return (uint64_t)e->conn->timer << 32 | e->conn->timer_ms;
}

static void fmt_cong(struct col_ctx *x, const struct track_entry *e, char *buf, size_t len)
{
	const char *n = (x->snap && e->conn->cong) ? snapshot_cong_name(x->snap, e->conn->cong) : "";
	snprintf(buf, len, "%s", n && *n ? n : "-");
}

static int cmp_cong(struct col_ctx *x, const struct track_entry *a, const struct track_entry *b)
{
	char sa[20], sb[20];
	fmt_cong(x, a, sa, sizeof sa);
	fmt_cong(x, b, sb, sizeof sb);
	return strcmp(sa, sb);
}

static void fmt_cookie(struct col_ctx *x, const struct track_entry *e, char *buf, size_t len)
{
	(void)x;
	if (e->conn->have & CONN_HAVE_COOKIE)
		snprintf(buf, len, "%llx", (unsigned long long)e->conn->cookie);
	else
		snprintf(buf, len, "-");
}

static int cmp_cookie(struct col_ctx *x, const struct track_entry *a, const struct track_entry *b)
{
	(void)x;
	return a->conn->cookie < b->conn->cookie ? -1 : a->conn->cookie > b->conn->cookie;
}

static uint64_t key_cookie(const struct col_ctx *x, const struct track_entry *e)
{
	(void)x;
	return e->conn->cookie;
}

static void fmt_family(struct col_ctx *x, const struct track_entry *e, char *buf, size_t len)
{
	(void)x;
	snprintf(buf, len, "%s", e->conn->family == AF_INET6 ? "v6" : "v4");
}

static int cmp_family(struct col_ctx *x, const struct track_entry *a, const struct track_entry *b)
{
	(void)x;
	return (int)a->conn->family - (int)b->conn->family;
}

static uint64_t key_family(const struct col_ctx *x, const struct track_entry *e)
{
	(void)x;
	return e->conn->family;
}

/* ---------------------------------------------------------------- table */

#define NUM(n_, t_, w_, st_, needs_, fn_, d_)                                             \
	{.name = n_, .title = t_, .width = w_, .right = true, .desc_first = true,         \
	 .style = st_, .needs = needs_, .num = fn_, .desc = d_}
#define TXT(n_, t_, w_, needs_, f_, c_, d_)                                              \
	{.name = n_, .title = t_, .width = w_, .style = CS_TEXT, .needs = needs_,         \
	 .fmt = f_, .cmp = c_, .desc = d_}
/* A text column whose order is an integer's (k_): sorted on keys. */
#define TXK(n_, t_, w_, needs_, f_, c_, k_, d_)                                          \
	{.name = n_, .title = t_, .width = w_, .style = CS_TEXT, .needs = needs_,         \
	 .fmt = f_, .cmp = c_, .key = k_, .desc = d_}

const struct col_def col_table[COL_COUNT] = {
	[COL_NETNS] = TXT("netns", "NETNS", 10, 0, col_fmt_netns, col_cmp_netns,
			  "network namespace (with -A): its name, or its inode"),
	[COL_UNIT] = TXT("unit", "UNIT", 18, 0, col_fmt_unit, col_cmp_unit,
			 "service, container or pod, from the socket's cgroup"),
	[COL_STATE] = TXK("state", "STATE", 10, 0, fmt_state, cmp_state, key_state,
			  "TCP state (CLOSED for tombs)"),
	[COL_LOCAL] = TXT("local", "LOCAL", 21, 0, fmt_local, cmp_local, "local address:port"),
	[COL_REMOTE] = TXT("remote", "REMOTE", 21, 0, fmt_remote, cmp_remote, "peer address:port"),
	[COL_LPORT] = {.name = "lport", .title = "LPORT", .width = 5, .right = true,
		       .style = CS_PLAIN, .num = num_lport, .desc = "local port"},
	[COL_RPORT] = {.name = "rport", .title = "RPORT", .width = 5, .right = true,
		       .style = CS_PLAIN, .num = num_rport, .desc = "peer port"},
	[COL_PORTCLASS] = TXK("class", "CLASS", 5, 0, fmt_portclass, cmp_portclass,
			      key_portclass, "port class of the service port: well-known/registered/dynamic"),
	[COL_SERVICE] = TXT("service", "SERVICE", 9, 0, fmt_service, cmp_service,
			    "service name of the server-side port"),
	[COL_RECVQ] = NUM("recvq", "RECV-Q", 6, CS_BYTES, 0, num_recvq,
			  "bytes received, not read by the application (listeners: accept queue)"),
	[COL_SENDQ] = NUM("sendq", "SEND-Q", 6, CS_BYTES, 0, num_sendq,
			  "bytes not yet acknowledged (listeners: backlog limit)"),
	[COL_AGE] = {.name = "age", .title = "IN-STATE", .width = 8, .right = true,
		     .desc_first = true, .style = CS_TEXT, .fmt = fmt_age, .cmp = cmp_age,
		     .desc = "time in the current state ('>' = at least: open before tcpscope started)"},
	[COL_LIFETIME] = NUM("lifetime", "LIFETIME", 8, CS_DURATION, 0, num_lifetime,
			     "time since tcpscope first saw the socket"),
	[COL_PID] = {.name = "pid", .title = "PID", .width = 7, .right = true, .style = CS_PLAIN,
		     .needs = NEED_PROCS, .num = num_pid, .desc = "owning process id"},
	[COL_PROCESS] = TXT("process", "PROCESS", 15, NEED_PROCS, fmt_process, cmp_process,
			    "owning process name (+N when shared)"),
	[COL_USER] = TXT("user", "USER", 8, 0, fmt_user, cmp_user, "owning user"),
	[COL_UID] = {.name = "uid", .title = "UID", .width = 6, .right = true, .style = CS_PLAIN,
		     .num = num_uid, .desc = "owning user id"},
	[COL_RTT] = NUM("rtt", "RTT", 7, CS_MS, NEED_INFO, num_rtt, "smoothed round-trip time"),
	[COL_RTTVAR] = NUM("rttvar", "RTTVAR", 7, CS_MS, NEED_INFO, num_rttvar, "RTT variance"),
	[COL_MINRTT] = NUM("minrtt", "MINRTT", 7, CS_MS, NEED_INFO, num_minrtt, "minimum RTT seen"),
	[COL_RTO] = NUM("rto", "RTO", 7, CS_MS, NEED_INFO, num_rto, "retransmission timeout"),
	[COL_CWND] = NUM("cwnd", "CWND", 6, CS_COUNT, NEED_INFO, num_cwnd, "congestion window (segments)"),
	[COL_SSTHRESH] = NUM("ssthresh", "SSTHR", 6, CS_COUNT, NEED_INFO, num_ssthresh,
			     "slow start threshold"),
	[COL_MSS] = NUM("mss", "MSS", 5, CS_COUNT, NEED_INFO, num_mss, "send MSS"),
	[COL_UNACKED] = NUM("unacked", "UNACK", 5, CS_COUNT, NEED_INFO, num_unacked,
			    "segments in flight"),
	[COL_RETRANS] = NUM("retrans", "RETR", 5, CS_COUNT, NEED_INFO, num_retrans,
			    "total retransmitted segments"),
	[COL_RETR_RATE] = NUM("retrans_rate", "RETR/S", 6, CS_COUNT, NEED_INFO, num_retr_rate,
			      "retransmits per second"),
	[COL_RX_RATE] = NUM("rx_rate", "RX/S", 6, CS_RATE, NEED_INFO, num_rx_rate,
			    "bytes received per second"),
	[COL_TX_RATE] = NUM("tx_rate", "TX/S", 6, CS_RATE, NEED_INFO, num_tx_rate,
			    "bytes acknowledged by the peer per second"),
	[COL_BYTES_RX] = NUM("bytes_rx", "RX", 6, CS_BYTES, NEED_INFO, num_bytes_rx,
			     "bytes received"),
	[COL_BYTES_TX] = NUM("bytes_tx", "TX", 6, CS_BYTES, NEED_INFO, num_bytes_tx,
			     "bytes sent and acknowledged"),
	[COL_DELIVERY] = NUM("delivery", "DELIV/S", 7, CS_RATE, NEED_INFO, num_delivery,
			     "delivery rate estimate"),
	[COL_LAST_RX] = NUM("last_rx", "IDLE-RX", 7, CS_DURATION, NEED_INFO, num_last_rx,
			    "time since data was last received"),
	[COL_LAST_TX] = NUM("last_tx", "IDLE-TX", 7, CS_DURATION, NEED_INFO, num_last_tx,
			    "time since data was last sent"),
	[COL_TIMER] = TXK("timer", "TIMER", 14, 0, fmt_timer, cmp_timer,
			  key_timer, "kernel timer, time to expiry, retries"),
	[COL_CONG] = TXT("cc", "CC", 6, NEED_CONG, fmt_cong, cmp_cong, "congestion control algorithm"),
	[COL_INODE] = {.name = "inode", .title = "INODE", .width = 8, .right = true,
		       .style = CS_PLAIN, .num = num_inode, .desc = "socket inode"},
	[COL_COOKIE] = TXK("cookie", "COOKIE", 12, 0, fmt_cookie, cmp_cookie, key_cookie,
			   "kernel socket cookie"),
	[COL_FAMILY] = TXK("family", "FAM", 3, 0, fmt_family, cmp_family, key_family,
			   "address family"),
	[COL_QFILL] = NUM("accept_fill", "QFILL", 5, CS_PERCENT, 0, num_qfill,
			  "listeners: accept queue fill (Recv-Q / backlog)"),
	[COL_EXPOSURE] = TXT("exposure", "EXPOSURE", 17, 0, col_fmt_exposure, col_cmp_exposure,
			     "listeners: all IPv4, all IPv4+IPv6, all IPv6 (v6only), loopback, "
			     "or the interface of its address"),
	[COL_EPHEMERAL] = TXT("ephemeral", "EPHEM", 8, 0, col_fmt_ephemeral, col_cmp_ephemeral,
			      "listeners: port inside ip_local_port_range (yes, reserved, no)"),
	[COL_ACCEPTS] = NUM("accepts", "ACC/S", 6, CS_COUNT, 0, col_num_accepts,
			    "listeners: new connections per second on its address and port"),
	[COL_FINDINGS] = {.name = "findings", .title = "FINDINGS", .width = 22, .desc_first = true,
			  .style = CS_TEXT, .fmt = col_fmt_findings, .cmp = col_cmp_findings,
			  .desc = "listeners: audit findings, most severe first (see docs/LISTENERS.md)"},
	/* Socket memory, as ss -m's skmem:(r,rb,t,tb,f,w,o,bl,d). */
	[COL_RMEM] = NUM("rmem", "RMEM", 6, CS_BYTES, NEED_MEMINFO, num_rmem,
			 "receive memory allocated (ss -m r)"),
	[COL_RCVBUF] = NUM("rcvbuf", "RCVBUF", 6, CS_BYTES, NEED_MEMINFO, num_rcvbuf,
			   "receive buffer size (ss -m rb)"),
	[COL_WMEM] = NUM("wmem", "WMEM", 6, CS_BYTES, NEED_MEMINFO, num_wmem,
			 "send memory allocated (ss -m t)"),
	[COL_SNDBUF] = NUM("sndbuf", "SNDBUF", 6, CS_BYTES, NEED_MEMINFO, num_sndbuf,
			   "send buffer size (ss -m tb)"),
	[COL_FWD] = NUM("fwd_alloc", "FWD", 6, CS_BYTES, NEED_MEMINFO, num_fwd,
			"memory reserved ahead (ss -m f)"),
	[COL_WQUEUED] = NUM("wmem_queued", "WQUEUED", 7, CS_BYTES, NEED_MEMINFO, num_wqueued,
			    "send memory queued, sent or not (ss -m w)"),
	[COL_OPTMEM] = NUM("optmem", "OPTMEM", 6, CS_BYTES, NEED_MEMINFO, num_optmem,
			   "option memory (ss -m o)"),
	[COL_BACKLOG] = NUM("backlog", "BACKLOG", 7, CS_BYTES, NEED_MEMINFO, num_backlog,
			    "socket backlog queue (ss -m bl)"),
	[COL_DROPS] = NUM("drops", "DROPS", 6, CS_COUNT, NEED_MEMINFO, num_drops,
			  "packets dropped by the socket (ss -m d); red while rising"),
};

const uint8_t col_default_set[] = {
	COL_STATE, COL_LOCAL,  COL_REMOTE,  COL_RECVQ,   COL_SENDQ, COL_AGE,
	COL_RTT,   COL_RETRANS, COL_RX_RATE, COL_TX_RATE, COL_PID,   COL_PROCESS,
};
const size_t col_default_n = sizeof col_default_set;

const uint8_t col_listen_set[] = {
	COL_LOCAL,    COL_EXPOSURE, COL_SERVICE, COL_EPHEMERAL, COL_RECVQ, COL_SENDQ, COL_QFILL,
	COL_ACCEPTS,  COL_LIFETIME, COL_PID,     COL_PROCESS,   COL_FINDINGS,
};
const size_t col_listen_n = sizeof col_listen_set;

/* ---------------------------------------------------------------- API */

int col_by_name(const char *name)
{
	for (int i = 0; i < COL_COUNT; i++)
		if (!strcasecmp(name, col_table[i].name) || !strcasecmp(name, col_table[i].title))
			return i;
	return -1;
}

void col_format(struct col_ctx *x, int col, const struct track_entry *e, char *buf, size_t len)
{
	if (!len)
		return;
	if (col < 0 || col >= COL_COUNT) {
		buf[0] = '\0';
		return;
	}
	const struct col_def *d = &col_table[col];
	if (d->num)
		col_format_value(d->style, d->num(x, e), buf, len);
	else
		d->fmt(x, e, buf, len);
}

int col_compare(struct col_ctx *x, int col, const struct track_entry *a, const struct track_entry *b)
{
	if (col < 0 || col >= COL_COUNT)
		return 0;
	const struct col_def *d = &col_table[col];
	if (d->num)
		return cmp_num(d->num(x, a), d->num(x, b));
	return d->cmp(x, a, b);
}

uint32_t col_needs(const uint8_t *cols, size_t n)
{
	uint32_t needs = 0;
	for (size_t i = 0; i < n; i++)
		if (cols[i] < COL_COUNT)
			needs |= col_table[cols[i]].needs;
	return needs;
}

int col_parse_list(const char *s, uint8_t *out, size_t max, char *bad, size_t badlen)
{
	size_t n = 0;
	const char *p = s;
	while (*p) {
		while (*p == ',' || *p == ' ')
			p++;
		if (!*p)
			break;
		const char *q = p;
		while (*q && *q != ',' && *q != ' ')
			q++;
		char name[32];
		size_t l = (size_t)(q - p) < sizeof name - 1 ? (size_t)(q - p) : sizeof name - 1;
		memcpy(name, p, l);
		name[l] = '\0';
		int c = col_by_name(name);
		if (c < 0 || n >= max) {
			snprintf(bad, badlen, "%s", c < 0 ? name : "(too many columns)");
			return -1;
		}
		bool dup = false;
		for (size_t i = 0; i < n; i++)
			dup |= out[i] == c;
		if (!dup)
			out[n++] = (uint8_t)c;
		p = q;
	}
	if (!n) {
		snprintf(bad, badlen, "(empty list)");
		return -1;
	}
	return (int)n;
}
