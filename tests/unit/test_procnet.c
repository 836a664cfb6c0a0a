/* Unit tests for the /proc/net/tcp{,6} line parser. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "check.h"
#include "tcpscope/collect.h"

static struct conn c;

static int parse(const char *line, int family)
{
	memset(&c, 0, sizeof c);
	c.pid = -1;
	return procnet_parse_line(line, family, &c);
}

static const char *laddr(void)
{
	static char a[CONN_ADDR_STRLEN];
	return conn_addr_format(c.family, &c.laddr, a, sizeof a);
}

static const char *raddr(void)
{
	static char a[CONN_ADDR_STRLEN];
	return conn_addr_format(c.family, &c.raddr, a, sizeof a);
}

int main(void)
{
	/* Header and blank lines are skipped, not errors. */
	CHECK_INT(parse("  sl  local_address rem_address   st tx_queue rx_queue tr tm->when "
			"retrnsmt   uid  timeout inode\n", AF_INET), 1);
	CHECK_INT(parse("\n", AF_INET), 1);
	CHECK_INT(parse("", AF_INET), 1);

	/* A listener: rx_queue is the accept queue; the backlog is not shown. */
	CHECK_INT(parse("   0: 0100007F:1B58 00000000:0000 0A 00000000:00000002 00:00000000 "
			"00000000     0        0 12345 1 0000000000000000 100 0 0 10 0\n",
			AF_INET), 0);
	CHECK_STR(laddr(), "127.0.0.1");
	CHECK_INT(c.lport, 7000);
	CHECK_STR(raddr(), "0.0.0.0");
	CHECK_INT(c.rport, 0);
	CHECK_INT(c.state, TCPS_LISTEN);
	CHECK_INT(c.rqueue, 2);
	CHECK(c.have & CONN_HAVE_RQUEUE);
	CHECK(!(c.have & CONN_HAVE_WQUEUE));
	CHECK(!(c.have & CONN_HAVE_COOKIE));
	CHECK_INT(c.inode, 12345);
	CHECK_INT(c.ti.have, 0);

	/* Established, with queues, a retransmit timer and a big sl number. */
	CHECK_INT(parse("123456: 0201A8C0:0016 6401A8C0:C350 01 0000001A:00000003 01:0000000A "
			"00000002  1000        0 4294967295 2 ffff88810a1b2c00 20 4 30 10 -1",
			AF_INET), 0);
	CHECK_STR(laddr(), "192.168.1.2");
	CHECK_INT(c.lport, 22);
	CHECK_STR(raddr(), "192.168.1.100");
	CHECK_INT(c.rport, 50000);
	CHECK_INT(c.state, TCPS_ESTABLISHED);
	CHECK_INT(c.wqueue, 26);
	CHECK_INT(c.rqueue, 3);
	CHECK_INT(c.timer, TIMER_ON);
	CHECK_INT(c.timer_ms, 100);
	CHECK_INT(c.timer_retrans, 2);
	CHECK_INT(c.uid, 1000);
	CHECK(c.inode == 4294967295u);

	/* TIME_WAIT lines are shorter; timer 3 with 60 s left (6000 ticks). */
	CHECK_INT(parse("   5: 0100007F:8B40 0100007F:1B58 06 00000000:00000000 03:00001770 "
			"00000000     0        0 0 3 0000000000000000", AF_INET), 0);
	CHECK_INT(c.state, TCPS_TIME_WAIT);
	CHECK_INT(c.timer, TIMER_TIMEWAIT);
	CHECK_INT(c.timer_ms, 60000);
	CHECK_INT(c.inode, 0);

	/* IPv6 loopback: four host-order words. */
	CHECK_INT(parse("   0: 00000000000000000000000001000000:1B62 "
			"00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 "
			"00000000     0        0 999 1 0000000000000000 100 0 0 10 0", AF_INET6), 0);
	CHECK_INT(c.family, AF_INET6);
	CHECK_STR(laddr(), "::1");
	CHECK_STR(raddr(), "::");
	CHECK_INT(c.lport, 7010);

	/* v4-mapped IPv6 and a global address. */
	CHECK_INT(parse("  1: 0000000000000000FFFF00000100007F:1B6C "
			"B80D0120000000000000000001000000:01BB 01 00000000:00000000 02:000AFC80 "
			"00000000   33        0 1 1 0 20 4 30 10 -1", AF_INET6), 0);
	CHECK_STR(laddr(), "::ffff:127.0.0.1");
	CHECK_STR(raddr(), "2001:db8::1");
	CHECK_INT(c.rport, 443);
	CHECK_INT(c.timer, TIMER_KEEPALIVE);
	CHECK_INT(c.uid, 33);

	/* NEW_SYN_RECV (0C) folds into SYN_RECV. */
	CHECK_INT(parse("   2: 0100007F:1B5A 0100007F:AE80 0C 00000000:00000000 01:00000064 "
			"00000000     0        0 0 1 0000000000000000", AF_INET), 0);
	CHECK_INT(c.state, TCPS_SYN_RECV);

	/* Malformed lines. */
	const char *bad[] = {
		"   0: 0100007F:1B58",                                   /* truncated */
		"   0: 0100007G:1B58 00000000:0000 0A 0:0 00:0 0 0 0 1", /* bad hex */
		"   0: 0100007F-1B58 00000000:0000 0A 0:0 00:0 0 0 0 1", /* no colon */
		"   0: 0100007F:1B58 00000000:0000 00 0:0 00:0 0 0 0 1", /* state 0 */
		"   0: 0100007F:1B58 00000000:0000 FF 0:0 00:0 0 0 0 1", /* state 255 */
		"   0: 100007F:1B58 00000000:0000 0A 0:0 00:0 0 0 0 1",  /* odd width */
		"x: 0100007F:1B58 00000000:0000 0A 0:0 00:0 0 0 0 1",    /* bad sl */
		"   0: 0100007F:1B58 00000000:0000 0A 0:0 00:0 0 0 0 99999999999999999999999",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		check_report(parse(bad[i], AF_INET) == -EINVAL, __FILE__, __LINE__,
			     "malformed line %zu rejected: %s", i, bad[i]);
	/* An IPv4-width address is too short for the tcp6 format. */
	CHECK_INT(parse("   0: 0100007F:1B58 00000000:0000 0A 0:0 00:0 0 0 0 1", AF_INET6), -EINVAL);

	/* A whole file: good lines kept, the bad one reported with its line number. */
	char path[] = "/tmp/tcpscope-procnet-XXXXXX";
	int fd = mkstemp(path);
	FILE *f = fdopen(fd, "w");
	fputs("  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  "
	      "timeout inode\n"
	      "   0: 0100007F:1B58 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0 "
	      "       0 1 1 0 100 0 0 10 0\n"
	      "   1: garbage\n"
	      "   2: 0100007F:1B59 0100007F:9C40 01 00000000:00000000 00:00000000 00000000     0 "
	      "       0 2 1 0 20 4 30 10 -1\n",
	      f);
	fclose(f);
	struct snapshot s;
	snapshot_init(&s);
	struct err e = {0};
	int rc = procnet_read(path, AF_INET, &s, &e);
	CHECK(rc < 0);
	CHECK(strstr(e.msg, ":3:") != NULL);
	CHECK_INT(s.n, 2);
	CHECK_INT(s.conns[1].rport, 40000);
	CHECK(procnet_read("/nonexistent/tcp", AF_INET, &s, &e) == -ENOENT);
	snapshot_done(&s);
	unlink(path);
	return check_summary("test_procnet");
}
