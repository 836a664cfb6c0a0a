/* kstat.c — /proc/net/snmp, netstat, sockstat{,6} and a few sysctls. */
#include "tcpscope/kstat.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tcpscope/util.h"

#define C KSK_COUNTER
#define L KSK_LEVEL
const struct kstat_def kstat_table[KS_COUNT] = {
	[KS_ACTIVE_OPENS] = {KSRC_SNMP, "Tcp", "ActiveOpens", "active_opens", C},
	[KS_PASSIVE_OPENS] = {KSRC_SNMP, "Tcp", "PassiveOpens", "passive_opens", C},
	[KS_ATTEMPT_FAILS] = {KSRC_SNMP, "Tcp", "AttemptFails", "attempt_fails", C},
	[KS_ESTAB_RESETS] = {KSRC_SNMP, "Tcp", "EstabResets", "estab_resets", C},
	[KS_CURR_ESTAB] = {KSRC_SNMP, "Tcp", "CurrEstab", "curr_estab", L},
	[KS_IN_SEGS] = {KSRC_SNMP, "Tcp", "InSegs", "in_segs", C},
	[KS_OUT_SEGS] = {KSRC_SNMP, "Tcp", "OutSegs", "out_segs", C},
	[KS_RETRANS_SEGS] = {KSRC_SNMP, "Tcp", "RetransSegs", "retrans_segs", C},
	[KS_IN_ERRS] = {KSRC_SNMP, "Tcp", "InErrs", "in_errs", C},
	[KS_OUT_RSTS] = {KSRC_SNMP, "Tcp", "OutRsts", "out_rsts", C},
	[KS_LISTEN_OVERFLOWS] = {KSRC_NETSTAT, "TcpExt", "ListenOverflows", "listen_overflows", C},
	[KS_LISTEN_DROPS] = {KSRC_NETSTAT, "TcpExt", "ListenDrops", "listen_drops", C},
	[KS_SYNCOOKIES_SENT] = {KSRC_NETSTAT, "TcpExt", "SyncookiesSent", "syncookies_sent", C},
	[KS_SYNCOOKIES_RECV] = {KSRC_NETSTAT, "TcpExt", "SyncookiesRecv", "syncookies_recv", C},
	[KS_SYNCOOKIES_FAILED] = {KSRC_NETSTAT, "TcpExt", "SyncookiesFailed", "syncookies_failed", C},
	[KS_TW_RECYCLED] = {KSRC_NETSTAT, "TcpExt", "TWRecycled", "tw_recycled", C},
	[KS_TW_KILLED] = {KSRC_NETSTAT, "TcpExt", "TWKilled", "tw_killed", C},
	[KS_TIMEOUTS] = {KSRC_NETSTAT, "TcpExt", "TCPTimeouts", "timeouts", C},
	[KS_ABORT_ON_MEMORY] = {KSRC_NETSTAT, "TcpExt", "TCPAbortOnMemory", "abort_on_memory", C},
	[KS_ABORT_ON_TIMEOUT] = {KSRC_NETSTAT, "TcpExt", "TCPAbortOnTimeout", "abort_on_timeout", C},
	[KS_ABORT_ON_DATA] = {KSRC_NETSTAT, "TcpExt", "TCPAbortOnData", "abort_on_data", C},
	[KS_ABORT_ON_CLOSE] = {KSRC_NETSTAT, "TcpExt", "TCPAbortOnClose", "abort_on_close", C},
	[KS_ABORT_ON_LINGER] = {KSRC_NETSTAT, "TcpExt", "TCPAbortOnLinger", "abort_on_linger", C},
	[KS_TW] = {KSRC_NETSTAT, "TcpExt", "TW", "tw_finished", C},
	[KS_TW_OVERFLOW] = {KSRC_NETSTAT, "TcpExt", "TCPTimeWaitOverflow", "tw_overflow", C},
	[KS_SOCK_INUSE] = {KSRC_SOCKSTAT, "TCP", "inuse", "tcp_inuse", L},
	[KS_SOCK_ORPHAN] = {KSRC_SOCKSTAT, "TCP", "orphan", "tcp_orphans", L},
	[KS_SOCK_TW] = {KSRC_SOCKSTAT, "TCP", "tw", "tcp_time_wait", L},
	[KS_SOCK_ALLOC] = {KSRC_SOCKSTAT, "TCP", "alloc", "tcp_alloc", L, true},
	[KS_SOCK_MEM_PAGES] = {KSRC_SOCKSTAT, "TCP", "mem", "tcp_mem_pages", L, true},
	[KS_SOCK6_INUSE] = {KSRC_SOCKSTAT6, "TCP6", "inuse", "tcp6_inuse", L},
	[KS_MAX_TW_BUCKETS] = {KSRC_SYSCTL, "tcp_max_tw_buckets", "", "max_tw_buckets", L},
	[KS_MAX_ORPHANS] = {KSRC_SYSCTL, "tcp_max_orphans", "", "max_orphans", L},
	[KS_PORT_RANGE_LOW] = {KSRC_SYSCTL, "ip_local_port_range", "0", "port_range_low", L},
	[KS_PORT_RANGE_HIGH] = {KSRC_SYSCTL, "ip_local_port_range", "1", "port_range_high", L},
	[KS_SYN_LINEAR_TIMEOUTS] = {KSRC_SYSCTL, "tcp_syn_linear_timeouts", "", "syn_linear_timeouts",
				    L},
};
#undef C
#undef L

static void kset(struct kstat *k, int id, uint64_t v)
{
	k->v[id] = v;
	k->have |= 1ull << id;
}

/* Find the table entry of `src` with this section and name; -1 if none. */
static int lookup(enum kstat_src src, const char *sec, size_t seclen, const char *name,
		  size_t namelen)
{
	for (int i = 0; i < KS_COUNT; i++) {
		const struct kstat_def *d = &kstat_table[i];
		if (d->src != src || strlen(d->section) != seclen || strlen(d->name) != namelen)
			continue;
		if (!memcmp(d->section, sec, seclen) && !memcmp(d->name, name, namelen))
			return i;
	}
	return -1;
}

/* A whole unsigned decimal; anything else (a sign: MaxConn is -1) fails. */
static bool parse_u64(const char *p, size_t n, uint64_t *out)
{
	if (n == 0 || n > 20)
		return false;
	uint64_t v = 0;
	for (size_t i = 0; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			return false;
		uint64_t d = (uint64_t)(p[i] - '0');
		if (v > (UINT64_MAX - d) / 10)
			return false;
		v = v * 10 + d;
	}
	*out = v;
	return true;
}

static const char *line_end(const char *p)
{
	const char *e = strchr(p, '\n');
	return e ? e : p + strlen(p);
}

/* Next space-separated token in [*pp, end); false at the end. */
static bool token(const char **pp, const char *end, const char **tok, size_t *len)
{
	const char *p = *pp;
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\r'))
		p++;
	if (p >= end)
		return false;
	const char *s = p;
	while (p < end && *p != ' ' && *p != '\t' && *p != '\r')
		p++;
	*tok = s;
	*len = (size_t)(p - s);
	*pp = p;
	return true;
}

int kstat_parse_snmp(const char *text, enum kstat_src src, struct kstat *k)
{
	int filled = 0;
	const char *p = text;
	while (*p) {
		const char *he = line_end(p);
		const char *colon = memchr(p, ':', (size_t)(he - p));
		if (!colon || !*he) { /* no section, or a header without values */
			p = *he ? he + 1 : he;
			if (colon)
				return filled ? filled : -EINVAL;
			continue;
		}
		const char *v = he + 1;
		const char *ve = line_end(v);
		size_t seclen = (size_t)(colon - p);
		if ((size_t)(ve - v) <= seclen || memcmp(v, p, seclen) || v[seclen] != ':')
			return -EINVAL; /* the value line must repeat the section name */
		const char *hp = colon + 1, *vp = v + seclen + 1;
		const char *ht, *vt;
		size_t hl, vl;
		for (;;) {
			bool hok = token(&hp, he, &ht, &hl);
			bool vok = token(&vp, ve, &vt, &vl);
			if (!hok && !vok)
				break;
			if (hok != vok)
				return -EINVAL; /* header and values disagree in count */
			int id = lookup(src, p, seclen, ht, hl);
			uint64_t val;
			if (id >= 0 && parse_u64(vt, vl, &val)) {
				kset(k, id, val);
				filled++;
			}
		}
		p = *ve ? ve + 1 : ve;
	}
	return filled;
}

int kstat_parse_sockstat(const char *text, enum kstat_src src, struct kstat *k)
{
	int filled = 0;
	const char *p = text;
	while (*p) {
		const char *e = line_end(p);
		const char *colon = memchr(p, ':', (size_t)(e - p));
		if (colon) {
			size_t seclen = (size_t)(colon - p);
			bool ours = false;
			for (int i = 0; i < KS_COUNT; i++)
				if (kstat_table[i].src == src && strlen(kstat_table[i].section) == seclen &&
				    !memcmp(kstat_table[i].section, p, seclen))
					ours = true;
			const char *q = colon + 1, *nt, *vt;
			size_t nl, vl;
			while (ours && token(&q, e, &nt, &nl)) {
				uint64_t val;
				if (!token(&q, e, &vt, &vl) || !parse_u64(vt, vl, &val))
					return -EINVAL;
				int id = lookup(src, p, seclen, nt, nl);
				if (id >= 0) {
					kset(k, id, val);
					filled++;
				}
			}
		}
		p = *e ? e + 1 : e;
	}
	return filled;
}

int kstat_parse_tcp_mem(const char *text, struct kstat *k)
{
	const char *p = text, *end = text + strlen(text), *t;
	size_t tl;
	uint64_t v[3];
	for (int i = 0; i < 3; i++) {
		while (p < end && *p == '\n')
			p++;
		if (!token(&p, end, &t, &tl))
			return -EINVAL;
		while (tl && t[tl - 1] == '\n') /* the last number's newline */
			tl--;
		if (!parse_u64(t, tl, &v[i]))
			return -EINVAL;
	}
	while (p < end && (*p == '\n' || *p == ' ' || *p == '\t' || *p == '\r'))
		p++;
	if (p != end || v[0] > v[1] || v[1] > v[2])
		return -EINVAL;
	memcpy(k->tcp_mem, v, sizeof v);
	k->have_tcp_mem = true;
	return 3;
}

enum kstat_mem_level kstat_tcp_mem_level(const struct kstat *k)
{
	if (!k->have_tcp_mem || !kstat_has(k, KS_SOCK_MEM_PAGES))
		return KSTAT_MEM_UNKNOWN;
	uint64_t used = k->v[KS_SOCK_MEM_PAGES];
	if (used > k->tcp_mem[KSTAT_TCP_MEM_MAX])
		return KSTAT_MEM_MAX;
	if (used > k->tcp_mem[KSTAT_TCP_MEM_PRESSURE])
		return KSTAT_MEM_PRESSURE;
	return KSTAT_MEM_OK;
}

/* Read a small file whole from its start (pread: the fd stays open for
 * the next poll); returns length or -errno. */
static ssize_t slurp_fd(int fd, char *buf, size_t cap)
{
	size_t n = 0;
	while (n + 1 < cap) {
		ssize_t r = pread(fd, buf + n, cap - 1 - n, (off_t)n);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	buf[n] = '\0';
	return (ssize_t)n;
}

/* One value of a sysctl file: name "" = the only number; "0"/"1" = that
 * field of several. */
static void parse_sysctl(int id, const char *buf, struct kstat *k)
{
	const struct kstat_def *d = &kstat_table[id];
	int want = d->name[0] ? d->name[0] - '0' : 0;
	const char *q = buf, *end = buf + strlen(buf), *t;
	size_t tl = 0;
	bool ok = false;
	for (int f = 0; f <= want; f++) {
		while (q < end && (*q == '\n'))
			q++;
		ok = token(&q, end, &t, &tl);
		if (!ok)
			break;
	}
	while (ok && tl && t[tl - 1] == '\n')
		tl--;
	uint64_t val;
	if (ok && parse_u64(t, tl, &val))
		kset(k, id, val);
}

/* The files, in reading order: the four tables, then one per distinct
 * sysctl (sysctl_of[] says which kstat ids each one fills). */
static const struct {
	const char *file;
	enum kstat_src src;
	bool sockstat;
} tables[] = {
	{"net/snmp", KSRC_SNMP, false},
	{"net/netstat", KSRC_NETSTAT, false},
	{"net/sockstat", KSRC_SOCKSTAT, true},
	{"net/sockstat6", KSRC_SOCKSTAT6, true},
};
#define NTABLES (sizeof tables / sizeof tables[0])
#define KSTAT_MAX_FILES (NTABLES + KS_COUNT + 1)

struct kstat_files {
	int fd[KSTAT_MAX_FILES];    /* -1: not available */
	int sysctl_of[KSTAT_MAX_FILES]; /* for a sysctl fd: its first kstat id */
	size_t n;
	int reserved_fd;            /* ip_local_reserved_ports */
	int tcp_mem_fd;             /* tcp_mem (the host's namespace only) */
	char *buf;                  /* owned, KSTAT_BUF */
};
#define KSTAT_BUF 16384 /* netstat is ~4 KiB today; room to grow */

struct kstat_files *kstat_files_open(const char *proc_root)
{
	const char *root = proc_root ? proc_root : "/proc";
	struct kstat_files *f = xcalloc(1, sizeof *f);
	char path[512];
	for (size_t i = 0; i < NTABLES; i++) {
		snprintf(path, sizeof path, "%s/%s", root, tables[i].file);
		f->fd[f->n] = open(path, O_RDONLY | O_CLOEXEC);
		f->sysctl_of[f->n++] = -1;
	}
	for (int i = 0; i < KS_COUNT; i++) {
		const struct kstat_def *d = &kstat_table[i];
		if (d->src != KSRC_SYSCTL)
			continue;
		bool dup = false; /* one fd per file (the port range has two values) */
		for (size_t j = NTABLES; j < f->n; j++)
			dup |= !strcmp(kstat_table[f->sysctl_of[j]].section, d->section);
		if (dup)
			continue;
		snprintf(path, sizeof path, "%s/sys/net/ipv4/%s", root, d->section);
		f->fd[f->n] = open(path, O_RDONLY | O_CLOEXEC);
		f->sysctl_of[f->n++] = i;
	}
	snprintf(path, sizeof path, "%s/sys/net/ipv4/ip_local_reserved_ports", root);
	f->reserved_fd = open(path, O_RDONLY | O_CLOEXEC);
	snprintf(path, sizeof path, "%s/sys/net/ipv4/tcp_mem", root);
	f->tcp_mem_fd = open(path, O_RDONLY | O_CLOEXEC);
	f->buf = xmalloc(KSTAT_BUF);
	return f;
}

void kstat_files_close(struct kstat_files *f)
{
	if (!f)
		return;
	for (size_t i = 0; i < f->n; i++)
		if (f->fd[i] >= 0)
			close(f->fd[i]);
	if (f->reserved_fd >= 0)
		close(f->reserved_fd);
	if (f->tcp_mem_fd >= 0)
		close(f->tcp_mem_fd);
	free(f->buf);
	free(f);
}

int kstat_files_read(struct kstat_files *f, struct kstat *k)
{
	memset(k, 0, sizeof *k);
	char *buf = f->buf;
	for (size_t i = 0; i < f->n; i++) {
		if (f->fd[i] < 0 || slurp_fd(f->fd[i], buf, KSTAT_BUF) < 0)
			continue;
		if (i < NTABLES) {
			if (tables[i].sockstat)
				kstat_parse_sockstat(buf, tables[i].src, k);
			else
				kstat_parse_snmp(buf, tables[i].src, k);
			continue;
		}
		const char *section = kstat_table[f->sysctl_of[i]].section;
		for (int id = 0; id < KS_COUNT; id++)
			if (kstat_table[id].src == KSRC_SYSCTL && !strcmp(kstat_table[id].section, section))
				parse_sysctl(id, buf, k);
	}
	if (f->reserved_fd >= 0 && slurp_fd(f->reserved_fd, buf, KSTAT_BUF) >= 0)
		kstat_parse_reserved(buf, k);
	if (f->tcp_mem_fd >= 0 && slurp_fd(f->tcp_mem_fd, buf, KSTAT_BUF) >= 0)
		kstat_parse_tcp_mem(buf, k);
	k->mono_ns = clock_mono_ns();
	int n = 0;
	for (int i = 0; i < KS_COUNT; i++)
		n += kstat_has(k, i);
	return n;
}

int kstat_read(const char *proc_root, struct kstat *k)
{
	struct kstat_files *f = kstat_files_open(proc_root);
	int n = kstat_files_read(f, k);
	kstat_files_close(f);
	return n;
}
