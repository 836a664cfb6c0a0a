/* test_kstat.c — /proc/net/snmp, netstat and sockstat parsing. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "tcpscope/kstat.h"

static const char snmp[] =
	"Ip: Forwarding DefaultTTL InReceives\n"
	"Ip: 1 64 3177\n"
	"Tcp: RtoAlgorithm RtoMin RtoMax MaxConn ActiveOpens PassiveOpens AttemptFails "
	"EstabResets CurrEstab InSegs OutSegs RetransSegs InErrs OutRsts InCsumErrors\n"
	"Tcp: 1 200 120000 -1 13 2 4 5 6 3177 1486 7 8 9 0\n"
	"Udp: InDatagrams NoPorts\n"
	"Udp: 0 0\n";

static const char netstat[] =
	"TcpExt: SyncookiesSent SyncookiesRecv SyncookiesFailed TW TWRecycled TWKilled "
	"ListenOverflows ListenDrops TCPTimeouts TCPAbortOnData TCPTimeWaitOverflow NewerKey\n"
	"TcpExt: 11 12 13 14 15 16 17 18 19 20 21 22\n"
	"IpExt: InNoRoutes\n"
	"IpExt: 0\n";

static const char sockstat[] =
	"sockets: used 14\n"
	"TCP: inuse 3 orphan 1 tw 250 alloc 4 mem 60\n"
	"UDP: inuse 9 mem 9\n"
	"FRAG: inuse 0 memory 0\n";

static void test_snmp(void)
{
	struct kstat k;
	memset(&k, 0, sizeof k);
	int n = kstat_parse_snmp(snmp, KSRC_SNMP, &k);
	CHECK_INT(n, 10);
	CHECK(kstat_has(&k, KS_ACTIVE_OPENS) && k.v[KS_ACTIVE_OPENS] == 13);
	CHECK_INT(k.v[KS_PASSIVE_OPENS], 2);
	CHECK_INT(k.v[KS_ATTEMPT_FAILS], 4);
	CHECK_INT(k.v[KS_ESTAB_RESETS], 5);
	CHECK_INT(k.v[KS_CURR_ESTAB], 6);
	CHECK_INT(k.v[KS_RETRANS_SEGS], 7);
	CHECK_INT(k.v[KS_IN_ERRS], 8);
	CHECK_INT(k.v[KS_OUT_RSTS], 9);
	CHECK(!kstat_has(&k, KS_LISTEN_OVERFLOWS)); /* another file's */

	n = kstat_parse_snmp(netstat, KSRC_NETSTAT, &k);
	CHECK_INT(n, 11);
	CHECK_INT(k.v[KS_SYNCOOKIES_SENT], 11);
	CHECK_INT(k.v[KS_TW], 14);
	CHECK_INT(k.v[KS_LISTEN_OVERFLOWS], 17);
	CHECK_INT(k.v[KS_LISTEN_DROPS], 18);
	CHECK_INT(k.v[KS_TW_OVERFLOW], 21);
	CHECK(!kstat_has(&k, KS_ABORT_ON_MEMORY)); /* absent in this text: unknown */
}

static void test_snmp_malformed(void)
{
	struct kstat k;
	static const char *const bad[] = {
		"Tcp: ActiveOpens PassiveOpens\nTcp: 1\n",        /* fewer values */
		"Tcp: ActiveOpens\nTcp: 1 2\n",                  /* more values */
		"Tcp: ActiveOpens\nUdp: 1\n",                    /* mismatched section */
		"Tcp: ActiveOpens\n",                            /* header only */
		"Tcp: ActiveOpens",                              /* truncated */
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		memset(&k, 0, sizeof k);
		CHECK_INT(kstat_parse_snmp(bad[i], KSRC_SNMP, &k), -EINVAL);
	}
	/* Junk values are unknown, not zero; the rest still parses. */
	memset(&k, 0, sizeof k);
	CHECK_INT(kstat_parse_snmp("Tcp: ActiveOpens PassiveOpens OutRsts\nTcp: x1 -3 "
				   "99999999999999999999999\n",
				   KSRC_SNMP, &k), 0);
	CHECK(!kstat_has(&k, KS_ACTIVE_OPENS) && !kstat_has(&k, KS_PASSIVE_OPENS) &&
	      !kstat_has(&k, KS_OUT_RSTS));
	memset(&k, 0, sizeof k);
	CHECK_INT(kstat_parse_snmp("", KSRC_SNMP, &k), 0);
	CHECK_INT(kstat_parse_snmp("\n\nno colon here\n", KSRC_SNMP, &k), 0);
	CHECK_INT(kstat_parse_snmp("Tcp: ActiveOpens\r\nTcp: 5\r\n", KSRC_SNMP, &k), 1);
	CHECK_INT(k.v[KS_ACTIVE_OPENS], 5);
}

static void test_sockstat(void)
{
	struct kstat k;
	memset(&k, 0, sizeof k);
	CHECK_INT(kstat_parse_sockstat(sockstat, KSRC_SOCKSTAT, &k), 5);
	CHECK_INT(k.v[KS_SOCK_INUSE], 3);
	CHECK_INT(k.v[KS_SOCK_ORPHAN], 1);
	CHECK_INT(k.v[KS_SOCK_TW], 250);
	CHECK_INT(k.v[KS_SOCK_ALLOC], 4);
	CHECK_INT(k.v[KS_SOCK_MEM_PAGES], 60);
	CHECK_INT(kstat_parse_sockstat("TCP6: inuse 7\nUDP6: inuse 1\n", KSRC_SOCKSTAT6, &k), 1);
	CHECK_INT(k.v[KS_SOCK6_INUSE], 7);
	memset(&k, 0, sizeof k);
	CHECK_INT(kstat_parse_sockstat("TCP: inuse\n", KSRC_SOCKSTAT, &k), -EINVAL);
	CHECK_INT(kstat_parse_sockstat("TCP: inuse x orphan 1\n", KSRC_SOCKSTAT, &k), -EINVAL);
	memset(&k, 0, sizeof k);
	CHECK_INT(kstat_parse_sockstat("TCP: inuse 1 newfield 2 orphan 3", KSRC_SOCKSTAT, &k), 2);
	CHECK_INT(k.v[KS_SOCK_ORPHAN], 3);
}

static void write_file(const char *dir, const char *name, const char *text)
{
	char p[512];
	snprintf(p, sizeof p, "%s/%s", dir, name);
	FILE *f = fopen(p, "w");
	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

static void test_read_tree(void)
{
	char root[] = "/tmp/tcpscope-kstat.XXXXXX";
	if (!mkdtemp(root)) {
		check_skip("kstat_read on a fake tree", "mkdtemp failed");
		return;
	}
	char p[512];
	snprintf(p, sizeof p, "%s/net", root);
	mkdir(p, 0700);
	snprintf(p, sizeof p, "%s/sys", root);
	mkdir(p, 0700);
	snprintf(p, sizeof p, "%s/sys/net", root);
	mkdir(p, 0700);
	snprintf(p, sizeof p, "%s/sys/net/ipv4", root);
	mkdir(p, 0700);
	write_file(root, "net/snmp", snmp);
	write_file(root, "net/netstat", netstat);
	write_file(root, "net/sockstat", sockstat);
	/* no sockstat6: IPv6 values stay unknown */
	write_file(root, "sys/net/ipv4/tcp_max_tw_buckets", "131072\n");
	write_file(root, "sys/net/ipv4/ip_local_port_range", "32768\t60999\n");
	write_file(root, "sys/net/ipv4/tcp_mem", "46\t61\t92\n");
	struct kstat k;
	int n = kstat_read(root, &k);
	CHECK_INT(n, 10 + 11 + 5 + 3);
	CHECK(k.mono_ns > 0);
	CHECK_INT(k.v[KS_MAX_TW_BUCKETS], 131072);
	CHECK_INT(k.v[KS_PORT_RANGE_LOW], 32768);
	CHECK_INT(k.v[KS_PORT_RANGE_HIGH], 60999);
	CHECK(!kstat_has(&k, KS_SOCK6_INUSE) && !kstat_has(&k, KS_MAX_ORPHANS));
	/* tcp_mem beside the table; sockstat's mem 60 is within min 46 .. */
	CHECK(k.have_tcp_mem && k.tcp_mem[KSTAT_TCP_MEM_MIN] == 46 &&
	      k.tcp_mem[KSTAT_TCP_MEM_PRESSURE] == 61 && k.tcp_mem[KSTAT_TCP_MEM_MAX] == 92);
	CHECK_INT(kstat_tcp_mem_level(&k), KSTAT_MEM_OK);
	static const char *const files[] = {
		"net/snmp", "net/netstat", "net/sockstat", "sys/net/ipv4/tcp_max_tw_buckets",
		"sys/net/ipv4/tcp_mem",
		"sys/net/ipv4/ip_local_port_range", "sys/net/ipv4", "sys/net", "sys", "net", "",
	};
	for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
		snprintf(p, sizeof p, "%s/%s", root, files[i]);
		if (remove(p) != 0)
			rmdir(p);
	}
	/* The real thing: this machine's kernel has the core counters. */
	n = kstat_read(NULL, &k);
	CHECK(n > 20);
	CHECK(kstat_has(&k, KS_ACTIVE_OPENS) && kstat_has(&k, KS_LISTEN_OVERFLOWS) &&
	      kstat_has(&k, KS_SOCK_TW) && kstat_has(&k, KS_MAX_TW_BUCKETS));
}

/* net.ipv4.tcp_mem: three page counts, nothing else; where a use stands. */
static void test_tcp_mem(void)
{
	struct kstat k;
	memset(&k, 0, sizeof k);
	CHECK_INT(kstat_parse_tcp_mem("188049\t250733\t376098\n", &k), 3);
	CHECK(k.have_tcp_mem && k.tcp_mem[0] == 188049 && k.tcp_mem[1] == 250733 &&
	      k.tcp_mem[2] == 376098);
	CHECK_INT(kstat_parse_tcp_mem("1 2 3", &k), 3);
	CHECK_INT(kstat_parse_tcp_mem("  5\t5\t5 \n\n", &k), 3);
	static const char *const bad[] = {
		"", "\n", "1 2", "1 2 3 4", "1 2 x", "-1 2 3", "3 2 1", "1 3 2", "1\n2\n3",
		"1 2 99999999999999999999", "1 2 3\n4",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		memset(&k, 0, sizeof k);
		int rc = kstat_parse_tcp_mem(bad[i], &k);
		check_report(rc == -EINVAL && !k.have_tcp_mem, __FILE__, __LINE__,
			     "tcp_mem \"%s\" refused (rc %d)", bad[i], rc);
	}
	/* The level: unknown without either half; the kernel's thresholds are
	 * "more than", as tcp_under_memory_pressure()'s entry is. */
	memset(&k, 0, sizeof k);
	CHECK_INT(kstat_tcp_mem_level(&k), KSTAT_MEM_UNKNOWN);
	k.v[KS_SOCK_MEM_PAGES] = 100;
	k.have |= 1ull << KS_SOCK_MEM_PAGES;
	CHECK_INT(kstat_tcp_mem_level(&k), KSTAT_MEM_UNKNOWN);
	kstat_parse_tcp_mem("50 100 200", &k);
	CHECK_INT(kstat_tcp_mem_level(&k), KSTAT_MEM_OK);
	k.v[KS_SOCK_MEM_PAGES] = 101;
	CHECK_INT(kstat_tcp_mem_level(&k), KSTAT_MEM_PRESSURE);
	k.v[KS_SOCK_MEM_PAGES] = 201;
	CHECK_INT(kstat_tcp_mem_level(&k), KSTAT_MEM_MAX);
}

static void test_table(void)
{
	int bad = 0;
	for (int i = 0; i < KS_COUNT; i++) {
		const struct kstat_def *d = &kstat_table[i];
		if (!d->section || !d->name || !d->json || !d->json[0])
			bad++;
		for (int j = 0; j < i; j++)
			if (d->json && kstat_table[j].json && !strcmp(d->json, kstat_table[j].json))
				bad++;
	}
	CHECK_INT(bad, 0);
	CHECK(KS_COUNT <= 64); /* `have` is one 64-bit mask */
}

static void test_rates(void)
{
	struct kstat a, b;
	memset(&a, 0, sizeof a);
	memset(&b, 0, sizeof b);
	struct kstat_rates r;
	kstat_rates_compute(&a, &b, &r);
	CHECK(isnan(r.interval_s) && isnan(r.per_s[KS_ACTIVE_OPENS]));
	a.mono_ns = 1000000000;
	b.mono_ns = 1500000000;
	a.have = b.have = 1ull << KS_OUT_RSTS | 1ull << KS_RETRANS_SEGS | 1ull << KS_CURR_ESTAB;
	a.v[KS_OUT_RSTS] = 10, b.v[KS_OUT_RSTS] = 20;
	a.v[KS_RETRANS_SEGS] = 10, b.v[KS_RETRANS_SEGS] = 5; /* reset */
	kstat_rates_compute(&a, &b, &r);
	CHECK(fabs(r.per_s[KS_OUT_RSTS] - 20) < 1e-9);
	CHECK(isnan(r.per_s[KS_RETRANS_SEGS]));
	CHECK(isnan(r.per_s[KS_CURR_ESTAB]));
}

int main(void)
{
	test_snmp();
	test_snmp_malformed();
	test_sockstat();
	test_read_tree();
	test_tcp_mem();
	test_table();
	test_rates();
	return check_summary("test_kstat");
}
