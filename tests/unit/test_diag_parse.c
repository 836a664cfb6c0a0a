/* Unit tests for the sock_diag message parser on hand-built messages,
 * including truncated and malformed attributes and short tcp_info. */
#include <arpa/inet.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/inet_diag.h>
#include <linux/sock_diag.h>
#include <linux/tcp.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>

#include "check.h"
#include "tcpscope/collect.h"

static char buf[8192];

static struct nlmsghdr *msg_new(int family, int state)
{
	memset(buf, 0, sizeof buf);
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = SOCK_DIAG_BY_FAMILY;
	struct inet_diag_msg *m = mnl_nlmsg_put_extra_header(nlh, sizeof *m);
	m->idiag_family = (uint8_t)family;
	m->idiag_state = (uint8_t)state;
	m->idiag_timer = 1;
	m->idiag_retrans = 2;
	m->idiag_expires = 1500;
	m->idiag_rqueue = 7;
	m->idiag_wqueue = 9;
	m->idiag_uid = 1000;
	m->idiag_inode = 424242;
	m->id.idiag_sport = htons(443);
	m->id.idiag_dport = htons(51234);
	m->id.idiag_cookie[0] = 0x89abcdef;
	m->id.idiag_cookie[1] = 0x01234567;
	if (family == AF_INET) {
		inet_pton(AF_INET, "127.0.0.1", m->id.idiag_src);
		inet_pton(AF_INET, "127.1.2.3", m->id.idiag_dst);
	} else {
		inet_pton(AF_INET6, "::1", m->id.idiag_src);
		inet_pton(AF_INET6, "fe80::1:2", m->id.idiag_dst);
	}
	return nlh;
}

static struct conn parse(struct nlmsghdr *nlh, int *rc, struct snapshot *s)
{
	struct conn c;
	memset(&c, 0, sizeof c);
	c.pid = -1;
	*rc = diag_parse_msg(nlh, &c, s);
	return c;
}

static void test_basic_v4(void)
{
	struct snapshot s;
	snapshot_init(&s);
	struct nlmsghdr *nlh = msg_new(AF_INET, TCPS_ESTABLISHED);
	struct tcp_info ti;
	memset(&ti, 0, sizeof ti);
	ti.tcpi_rtt = 12345;
	ti.tcpi_rttvar = 678;
	ti.tcpi_snd_cwnd = 10;
	ti.tcpi_total_retrans = 3;
	ti.tcpi_bytes_acked = 1000000;
	ti.tcpi_bytes_received = 2000000;
	ti.tcpi_bytes_sent = 1100000;
	ti.tcpi_delivery_rate = 555;
	ti.tcpi_last_ack_recv = 4321;
	mnl_attr_put(nlh, INET_DIAG_INFO, sizeof ti, &ti);
	mnl_attr_put_strz(nlh, INET_DIAG_CONG, "cubic");
	mnl_attr_put_u8(nlh, INET_DIAG_SHUTDOWN, 1);
	mnl_attr_put_u32(nlh, 99, 0xdeadbeef); /* a future attribute */
	int rc;
	struct conn c = parse(nlh, &rc, &s);
	CHECK_INT(rc, 0);
	CHECK_INT(c.family, AF_INET);
	CHECK_INT(c.state, TCPS_ESTABLISHED);
	CHECK_INT(c.lport, 443);
	CHECK_INT(c.rport, 51234);
	char a[CONN_ADDR_STRLEN];
	CHECK_STR(conn_addr_format(AF_INET, &c.laddr, a, sizeof a), "127.0.0.1");
	CHECK_STR(conn_addr_format(AF_INET, &c.raddr, a, sizeof a), "127.1.2.3");
	CHECK(c.cookie == 0x0123456789abcdefull);
	CHECK_INT(c.rqueue, 7);
	CHECK_INT(c.wqueue, 9);
	CHECK_INT(c.uid, 1000);
	CHECK_INT(c.inode, 424242);
	CHECK_INT(c.timer, TIMER_ON);
	CHECK_INT(c.timer_ms, 1500);
	CHECK_INT(c.timer_retrans, 2);
	CHECK_INT(c.ti.rtt_us, 12345);
	CHECK_INT(c.ti.rttvar_us, 678);
	CHECK_INT(c.ti.snd_cwnd, 10);
	CHECK_INT(c.ti.total_retrans, 3);
	CHECK(c.ti.bytes_acked == 1000000);
	CHECK(c.ti.bytes_received == 2000000);
	CHECK(c.ti.bytes_sent == 1100000);
	CHECK(c.ti.delivery_rate == 555);
	CHECK_INT(c.ti.last_ack_recv_ms, 4321);
	CHECK(c.ti.have & TI_BASE);
	CHECK(c.ti.have & TI_BYTES_ACKED);
	CHECK(c.ti.have & TI_BYTES_SENT);
	CHECK(c.have & CONN_HAVE_CONG);
	CHECK_STR(snapshot_cong_name(&s, c.cong), "cubic");
	CHECK(c.have & CONN_HAVE_SHUTDOWN);
	CHECK_INT(c.shutdown, 1);
	CHECK_INT(c.pid, -1);
	/* The same name interns to the same index. */
	struct conn c2 = parse(nlh, &rc, &s);
	CHECK_INT(c2.cong, c.cong);
	snapshot_done(&s);
}

static void test_v6_and_new_syn_recv(void)
{
	struct nlmsghdr *nlh = msg_new(AF_INET6, TCPS_NEW_SYN_RECV);
	int rc;
	struct conn c = parse(nlh, &rc, NULL);
	CHECK_INT(rc, 0);
	CHECK_INT(c.state, TCPS_SYN_RECV);
	char a[CONN_ADDR_STRLEN];
	CHECK_STR(conn_addr_format(AF_INET6, &c.laddr, a, sizeof a), "::1");
	CHECK_STR(conn_addr_format(AF_INET6, &c.raddr, a, sizeof a), "fe80::1:2");
	CHECK_INT(c.ti.have, 0); /* no INET_DIAG_INFO attribute: unknown */
}

static void test_rejects(void)
{
	int rc;
	struct nlmsghdr *nlh = msg_new(AF_UNIX, TCPS_ESTABLISHED);
	parse(nlh, &rc, NULL);
	CHECK_INT(rc, -EINVAL);
	nlh = msg_new(AF_INET, 0);
	parse(nlh, &rc, NULL);
	CHECK_INT(rc, -EINVAL);
	nlh = msg_new(AF_INET, 13);
	parse(nlh, &rc, NULL);
	CHECK_INT(rc, -EINVAL);
	nlh = msg_new(AF_INET, TCPS_LISTEN);
	nlh->nlmsg_len = NLMSG_HDRLEN + sizeof(struct inet_diag_msg) - 1; /* truncated body */
	parse(nlh, &rc, NULL);
	CHECK_INT(rc, -EINVAL);
}

static void test_short_tcpinfo(void)
{
	struct tcp_info ti;
	memset(&ti, 0xff, sizeof ti);
	ti.tcpi_rtt = 777;
	ti.tcpi_total_retrans = 5;
	/* Up to total_retrans only: base fields, none of the later ones. */
	size_t len = offsetof(struct tcp_info, tcpi_total_retrans) + 4;
	struct nlmsghdr *nlh = msg_new(AF_INET, TCPS_ESTABLISHED);
	mnl_attr_put(nlh, INET_DIAG_INFO, len, &ti);
	int rc;
	struct conn c = parse(nlh, &rc, NULL);
	CHECK_INT(rc, 0);
	CHECK_INT(c.ti.have, TI_BASE);
	CHECK_INT(c.ti.rtt_us, 777);
	CHECK_INT(c.ti.total_retrans, 5);
	CHECK(c.ti.bytes_acked == 0); /* not copied from beyond the blob */

	/* Through bytes_received but not bytes_sent (a 4.x kernel). */
	struct conn_tcpinfo t2;
	struct conn_tcpinfo_x x2;
	ti.tcpi_lost = 3;
	diag_parse_tcpinfo(&ti, offsetof(struct tcp_info, tcpi_segs_out), &t2, &x2);
	CHECK(t2.have & TI_BYTES_ACKED);
	CHECK(!(t2.have & TI_BYTES_SENT));
	CHECK(!(t2.have & TI_SEGS));
	CHECK(x2.have && x2.lost == 3 && x2.segs_out == 0);

	/* Too short to be useful: nothing claimed. */
	diag_parse_tcpinfo(&ti, 10, &t2, &x2);
	CHECK_INT(t2.have, 0);
	CHECK(!x2.have);

	/* Longer than ours (a newer kernel): everything we know, no overrun. */
	char big[sizeof(struct tcp_info) + 64];
	memset(big, 0, sizeof big);
	((struct tcp_info *)big)->tcpi_snd_cwnd = 42;
	((struct tcp_info *)big)->tcpi_snd_wnd = 65000;
	diag_parse_tcpinfo(big, sizeof big, &t2, NULL);
	CHECK_INT(t2.snd_cwnd, 42);
	CHECK(t2.have & TI_SND_WND);
	diag_parse_tcpinfo(big, sizeof big, &t2, &x2);
	CHECK_INT(x2.snd_wnd, 65000);
}

static void test_malformed_attrs(void)
{
	struct nlmsghdr *nlh = msg_new(AF_INET, TCPS_ESTABLISHED);
	mnl_attr_put_strz(nlh, INET_DIAG_CONG, "reno");
	/* An attribute claiming more bytes than the message holds. */
	struct nlattr *bad = (struct nlattr *)((char *)nlh + nlh->nlmsg_len);
	bad->nla_type = INET_DIAG_INFO;
	bad->nla_len = 4000;
	nlh->nlmsg_len += 8;
	struct snapshot s;
	snapshot_init(&s);
	int rc;
	struct conn c = parse(nlh, &rc, &s);
	CHECK_INT(rc, 0);               /* the socket itself is fine */
	CHECK_STR(snapshot_cong_name(&s, c.cong), "reno"); /* kept what came before */
	CHECK_INT(c.ti.have, 0);        /* the bogus tcp_info was not read */

	/* Empty and unterminated congestion names are ignored. */
	nlh = msg_new(AF_INET, TCPS_ESTABLISHED);
	mnl_attr_put(nlh, INET_DIAG_CONG, 0, "");
	mnl_attr_put(nlh, INET_DIAG_CONG, 20, "abcdefghijklmnopqrst");
	c = parse(nlh, &rc, &s);
	CHECK_INT(rc, 0);
	CHECK(!(c.have & CONN_HAVE_CONG));
	/* A zero-length shutdown attribute is ignored too. */
	nlh = msg_new(AF_INET, TCPS_ESTABLISHED);
	mnl_attr_put(nlh, INET_DIAG_SHUTDOWN, 0, "");
	c = parse(nlh, &rc, &s);
	CHECK(!(c.have & CONN_HAVE_SHUTDOWN));
	snapshot_done(&s);
}

/* Socket memory comes before tcp_info in the kernel's message: parsing
 * tcp_info must keep it. A v6-only flag; a short meminfo array. */
static void test_skmem_v6only(void)
{
	struct nlmsghdr *nlh = msg_new(AF_INET6, TCPS_LISTEN);
	uint32_t mem[10] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10}; /* one more than we know */
	mnl_attr_put(nlh, INET_DIAG_SKMEMINFO, sizeof mem, mem);
	struct tcp_info ti;
	memset(&ti, 0, sizeof ti);
	ti.tcpi_rtt = 5000;
	mnl_attr_put(nlh, INET_DIAG_INFO, sizeof ti, &ti);
	mnl_attr_put_u8(nlh, INET_DIAG_SKV6ONLY, 1);
	struct conn c;
	memset(&c, 0, sizeof c);
	struct conn_tcpinfo_x x;
	memset(&x, 0xff, sizeof x);
	CHECK_INT(diag_parse_msg_x(nlh, &c, NULL, &x), 0);
	CHECK(x.have_mem && x.have);
	CHECK_INT((int)x.mem.rmem_alloc, 1);
	CHECK_INT((int)x.mem.sndbuf, 4);
	CHECK_INT((int)x.mem.drops, 9);
	CHECK_INT((int)(c.have & (CONN_HAVE_V6ONLY | CONN_V6ONLY)), CONN_HAVE_V6ONLY | CONN_V6ONLY);
	char a[64];
	CHECK_STR(conn_endpoint_str(&c, true, a, sizeof a), "[fe80::1:2]:51234");

	nlh = msg_new(AF_INET6, TCPS_LISTEN);
	uint32_t shortmem[2] = {11, 12};
	mnl_attr_put(nlh, INET_DIAG_SKMEMINFO, sizeof shortmem, shortmem);
	mnl_attr_put_u8(nlh, INET_DIAG_SKV6ONLY, 0);
	memset(&c, 0, sizeof c);
	memset(&x, 0, sizeof x);
	CHECK_INT(diag_parse_msg_x(nlh, &c, NULL, &x), 0);
	CHECK(x.have_mem && !x.have);
	CHECK_INT((int)x.mem.rcvbuf, 12);
	CHECK_INT((int)x.mem.drops, 0);
	CHECK_INT((int)(c.have & (CONN_HAVE_V6ONLY | CONN_V6ONLY)), CONN_HAVE_V6ONLY);
}

int main(void)
{
	test_skmem_v6only();
	test_basic_v4();
	test_v6_and_new_syn_recv();
	test_rejects();
	test_short_tcpinfo();
	test_malformed_attrs();
	return check_summary("test_diag_parse");
}
