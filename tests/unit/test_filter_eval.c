/* test_filter_eval.c — what a parsed filter selects, on hand-built sockets.
 *
 * Each row: an expression and the set of sample sockets it must select
 * (a bit per socket), covering ss's semantics (families, v4-mapped
 * addresses, equal-precedence and/or, global state clauses) and the
 * extensions (process, pid, uid, ages, rtt, retrans, queues, port class). */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "check.h"
#include "tcpscope/filter.h"
#include "tcpscope/snapshot.h"
#include "tcpscope/track.h"

enum { EST4, LIS4, CW6, MAP6, TW4, LIS6, NSOCK };
#define B(x) (1u << (x))
#define ALL ((1u << NSOCK) - 1)

static struct conn socks[NSOCK];
static struct track_entry tracks[NSOCK];
static const uint64_t NOW = 1000ull * 1000000000ull;

static void set(struct conn *c, int fam, int state, const char *la, int lp, const char *ra,
		int rp)
{
	memset(c, 0, sizeof *c);
	c->family = (uint8_t)fam;
	c->state = (uint8_t)state;
	inet_pton(fam, la, c->laddr.b);
	inet_pton(fam, ra, c->raddr.b);
	c->lport = (uint16_t)lp;
	c->rport = (uint16_t)rp;
	c->pid = -1;
	c->have = CONN_HAVE_UID | CONN_HAVE_RQUEUE | CONN_HAVE_WQUEUE;
}

static void proc(struct conn *c, const char *comm, int pid)
{
	snprintf(c->comm, sizeof c->comm, "%s", comm);
	c->pid = pid;
	c->have |= CONN_HAVE_PROC;
}

static void setup(void)
{
	set(&socks[EST4], AF_INET, TCPS_ESTABLISHED, "127.0.0.1", 43000, "127.0.0.2", 443);
	proc(&socks[EST4], "nginx", 1234);
	socks[EST4].uid = 1000;
	socks[EST4].wqueue = 10;
	socks[EST4].ti.have = TI_BASE;
	socks[EST4].ti.rtt_us = 150000;
	socks[EST4].ti.total_retrans = 2;
	set(&socks[LIS4], AF_INET, TCPS_LISTEN, "0.0.0.0", 22, "0.0.0.0", 0);
	proc(&socks[LIS4], "sshd", 1);
	socks[LIS4].rqueue = 3;
	set(&socks[CW6], AF_INET6, TCPS_CLOSE_WAIT, "::1", 50000, "::1", 80);
	socks[CW6].have &= ~(uint32_t)CONN_HAVE_WQUEUE;
	set(&socks[MAP6], AF_INET6, TCPS_ESTABLISHED, "::ffff:127.0.0.1", 9091,
	    "::ffff:127.0.0.3", 40000);
	proc(&socks[MAP6], "java", 77);
	socks[MAP6].ti.have = TI_BASE;
	socks[MAP6].ti.rtt_us = 50;
	set(&socks[TW4], AF_INET, TCPS_TIME_WAIT, "10.0.0.1", 55555, "192.0.2.1", 80);
	set(&socks[LIS6], AF_INET6, TCPS_LISTEN, "::", 8080, "::", 0);
	for (int i = 0; i < NSOCK; i++) {
		tracks[i].conn = &socks[i];
		tracks[i].first_seen_ns = NOW - (uint64_t)(10 + 100 * i) * 1000000000ull;
		tracks[i].state_since_ns = NOW - (uint64_t)(5 + 20 * i) * 1000000000ull;
	}
}

static const struct {
	const char *expr;
	unsigned want;
} rows[] = {
	{"", ALL},
	/* global state clauses */
	{"state established", B(EST4) | B(MAP6)},
	{"state listening", B(LIS4) | B(LIS6)},
	{"state connected", B(EST4) | B(CW6) | B(MAP6) | B(TW4)},
	{"state synchronized", B(EST4) | B(CW6) | B(MAP6) | B(TW4)},
	{"state bucket", B(TW4)},
	{"state big", ALL & ~B(TW4)},
	{"exclude listening", ALL & ~(B(LIS4) | B(LIS6))},
	{"exclude listening state listening", ALL},
	{"state listening exclude listening", 0},
	{"state established state time-wait", B(EST4) | B(MAP6) | B(TW4)},
	{"state close-wait ( dport = :443 or dport = :80 )", B(CW6)},
	{"state established ( dport = :ssh or sport = :ssh )", 0},
	{"state listening ( dport = :ssh or sport = :ssh )", B(LIS4)},
	/* ports */
	{"dport = :443", B(EST4)},
	{"dport = :https", B(EST4)},
	{"dport :443", B(EST4)},
	{"dport 443", B(EST4)},
	{"dport = :0x1bb", B(EST4)},
	{"dport != :443", ALL & ~B(EST4)},
	{"dport = :*", ALL},
	{"dport > :443", B(MAP6)},
	{"dport >= :443", B(EST4) | B(MAP6)},
	{"dport < :80", B(LIS4) | B(LIS6)},
	{"dport <= :80", B(LIS4) | B(LIS6) | B(CW6) | B(TW4)},
	{"sport gt :50000", B(TW4)},
	{"sport ge :50000", B(TW4) | B(CW6)},
	{"sport lt :1024", B(LIS4)},
	{"sport le :22", B(LIS4)},
	/* hosts, families, v4-mapped */
	{"dst 127.0.0.2", B(EST4)},
	{"dst 127.0.0.0/8", B(EST4) | B(MAP6)},
	{"dst 127.0.0.0/255.0.0.0", B(EST4) | B(MAP6)},
	{"dst 127/8", B(EST4) | B(MAP6)},
	{"src 127.0.0.1", B(EST4) | B(MAP6)},
	{"src 127.0.0.1:9091", B(MAP6)},
	{"dst [::ffff:127.0.0.3]", B(MAP6)},
	{"dst [::1]", B(CW6)},
	{"dst ::1", B(CW6)},
	{"dst [::1]:80", B(CW6)},
	{"dst [::1]:81", 0},
	{"src [::]/0", B(CW6) | B(MAP6) | B(LIS6)},
	{"src 0.0.0.0/0", B(EST4) | B(LIS4) | B(TW4) | B(MAP6)},
	{"! src 0.0.0.0/0", 0},
	{"src 0.0.0.0", B(LIS4)},
	{"dst *:80", B(CW6) | B(TW4)},
	{"dst :80", B(CW6) | B(TW4)},
	{"dst *", ALL},
	{"dst any", ALL},
	{"dst inet:*", B(EST4) | B(LIS4) | B(TW4)},
	{"dst inet6:*", B(CW6) | B(MAP6) | B(LIS6)},
	{"dst 192.0.2.0/24:80", B(TW4)},
	{"dst 192.0.2.0/24:81", 0},
	{"dst != 192.0.2.1", ALL & ~B(TW4)},
	{"dst 127.1", 0},
	/* boolean structure: equal precedence, left to right, as ss */
	{"sport = :22 or sport = :9091 and dst 127.0.0.3", B(MAP6)},
	{"sport = :9091 and dst 127.0.0.3 or sport = :22", B(MAP6) | B(LIS4)},
	{"( sport = :22 or sport = :9091 ) and dst 127.0.0.3", B(MAP6)},
	{"sport = :22 or ( sport = :9091 and dst 127.0.0.3 )", B(MAP6) | B(LIS4)},
	{"sport = :22 || sport = :9091 && dst 127.0.0.3", B(MAP6)},
	{"sport = :22 | sport = :9091 & dst 127.0.0.3", B(MAP6)},
	{"src 127.0.0.1 dport = :443", B(EST4)},
	{"src 127.0.0.1 dport != :443", B(MAP6)},
	{"not dport = :443", ALL & ~B(EST4)},
	{"! ! dport = :443", B(EST4)},
	{"!(dport=:443||dport=:80)", B(LIS4) | B(MAP6) | B(LIS6)},
	{"not dport = :443 and not sport = :22", ALL & ~(B(EST4) | B(LIS4))},
	/* state as a term (extension) */
	{"dport = :80 state time-wait", B(TW4)},
	{"( state listening or dport = :80 )", B(LIS4) | B(LIS6) | B(CW6) | B(TW4)},
	{"dport = :80 exclude time-wait", B(CW6)},
	/* extensions */
	{"process nginx", B(EST4)},
	{"process = ngin*", B(EST4)},
	{"process != nginx", B(LIS4) | B(CW6) | B(MAP6) | B(TW4) | B(LIS6)},
	{"process [js]*", B(LIS4) | B(MAP6)},
	{"comm sshd", B(LIS4)},
	{"pid 1234", B(EST4)},
	{"pid > 1", B(EST4) | B(MAP6)},
	{"uid 1000", B(EST4)},
	{"uid 0", ALL & ~B(EST4)},
	{"user root", ALL & ~B(EST4)},
	{"rtt > 100ms", B(EST4)},
	{"rtt > 100", B(EST4)},
	{"rtt < 1ms", B(MAP6)},
	{"rtt <= 50us", B(MAP6)},
	{"! rtt > 100ms", ALL & ~B(EST4)},
	{"retrans > 0", B(EST4)},
	{"retrans = 0", B(MAP6)},
	{"recvq > 0", B(LIS4)},
	{"sendq >= 10", B(EST4)},
	{"sendq = 0", ALL & ~(B(EST4) | B(CW6))},
	{"portclass well-known", B(EST4) | B(LIS4) | B(CW6) | B(TW4)},
	{"portclass registered", B(EST4) | B(MAP6) | B(LIS6)},
	{"portclass dynamic", B(TW4) | B(CW6)},
	{"portclass != dynamic", B(EST4) | B(LIS4) | B(MAP6) | B(LIS6)},
	/* ages: state since 5 + 20 i s, lifetime 10 + 100 i s */
	{"state-age > 30s", B(CW6) | B(MAP6) | B(TW4) | B(LIS6)},
	{"age < 30s", B(EST4) | B(LIS4)},
	{"state-age = 25s", B(LIS4)},
	{"lifetime >= 5m", B(MAP6) | B(TW4) | B(LIS6)},
	{"lifetime < 1m", B(EST4)},
	{"state established state-age > 1m", B(MAP6)},
};

static unsigned run(const struct filter *f, bool with_track)
{
	unsigned got = 0;
	for (int i = 0; i < NSOCK; i++)
		if (filter_match(f, &socks[i], with_track ? &tracks[i] : NULL, NOW))
			got |= 1u << i;
	return got;
}

static void test_rows(void)
{
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		struct filter_error e;
		struct filter *f = filter_parse(rows[i].expr, &e);
		if (!check_report(f != NULL, __FILE__, __LINE__, "parses \"%s\": %s",
				  rows[i].expr, f ? "" : e.message))
			continue;
		unsigned got = run(f, true);
		check_report(got == rows[i].want, __FILE__, __LINE__,
			     "\"%s\" selects %#x, want %#x", rows[i].expr, got, rows[i].want);
		/* The state mask never hides a match. */
		uint32_t m = filter_state_mask(f);
		for (int k = 0; k < NSOCK; k++)
			if (got & (1u << k))
				check_report((m >> socks[k].state) & 1u, __FILE__, __LINE__,
					     "\"%s\": mask %#x keeps socket %d", rows[i].expr, m, k);
		filter_free(f);
	}
}

static void test_no_track(void)
{
	struct filter_error e;
	struct filter *f = filter_parse("state-age > 0s", &e);
	CHECK_INT(run(f, false), 0);
	CHECK_INT(run(f, true), ALL);
	filter_free(f);
	f = filter_parse("lifetime >= 0", &e);
	CHECK_INT(run(f, false), 0);
	filter_free(f);
	f = filter_parse("dport = :443", &e);
	CHECK(filter_match_conn(f, &socks[EST4]));
	CHECK(!filter_match_conn(f, &socks[LIS4]));
	filter_free(f);
	CHECK(filter_match(NULL, &socks[TW4], NULL, 0));
}

static void test_snapshot(void)
{
	struct snapshot s;
	snapshot_init(&s);
	for (int i = 0; i < NSOCK; i++)
		*snapshot_add(&s) = socks[i];
	snapshot_count(&s);
	CHECK_INT(s.counts[TCPS_LISTEN], 2);
	struct filter_error e;
	struct filter *f = filter_parse("state listening or dport = :80", &e);
	CHECK(f == NULL); /* ss: leading state clauses are not terms */
	f = filter_parse("exclude time-wait dport <= :80", &e);
	CHECK_INT(filter_snapshot(f, &s), 3);
	CHECK_INT(s.n, 3);
	CHECK_INT(s.conns[0].state, TCPS_LISTEN);
	CHECK_INT(s.conns[1].state, TCPS_CLOSE_WAIT);
	CHECK_INT(s.conns[2].state, TCPS_LISTEN);
	CHECK_INT(s.counts[TCPS_LISTEN], 2);
	CHECK_INT(s.counts[TCPS_TIME_WAIT], 0);
	CHECK_INT(filter_snapshot(NULL, &s), 3);
	filter_free(f);
	snapshot_done(&s);
}

int main(void)
{
	setup();
	test_rows();
	test_no_track();
	test_snapshot();
	return check_summary("test_filter_eval");
}
