/* test_audit.c — the listener audit (src/track/audit.c): address scopes,
 * exposure, the ephemeral range and its sysctl line, port groups, findings,
 * accepts per second; the tables cover their enums and the docs list every
 * risky service; the rtnetlink parsers of src/collect/ifaddr.c. */
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "check.h"
#include "tcpscope/audit.h"
#include "tcpscope/ifaddr.h"
#include "tcpscope/kstat.h"
#include "tcpscope/snapshot.h"
#include "tcpscope/track.h"

#define MAXE 16
static struct conn conns[MAXE];
static struct track_entry ents[MAXE];
static const struct track_entry *eps[MAXE];
static size_t ne;

static struct conn *add(const char *addr, uint16_t port, int state, const char *comm, uint32_t uid)
{
	struct conn *c = &conns[ne];
	memset(c, 0, sizeof *c);
	c->family = (uint8_t)conn_addr_parse(addr, &c->laddr);
	c->lport = port;
	c->state = (uint8_t)state;
	c->uid = uid;
	c->cookie = ne + 1;
	c->have = CONN_HAVE_UID | CONN_HAVE_RQUEUE | CONN_HAVE_WQUEUE;
	c->wqueue = 128;
	c->pid = comm ? 100 + (int)ne : -1;
	if (comm) {
		snprintf(c->comm, sizeof c->comm, "%s", comm);
		c->have |= CONN_HAVE_PROC;
	}
	memset(&ents[ne], 0, sizeof ents[ne]);
	ents[ne].conn = c;
	ents[ne].key = c->cookie;
	ents[ne].flags = TRK_AGE_LOWER;
	eps[ne] = &ents[ne];
	ne++;
	return c;
}

static const struct audit_row *row_of(const struct audit *a, const char *addr, uint16_t port,
				      const char *comm)
{
	union conn_addr x;
	int fam = conn_addr_parse(addr, &x);
	for (size_t i = 0; i < a->n; i++) {
		const struct conn *c = a->rows[i].e->conn;
		if (c->family == fam && c->lport == port &&
		    !memcmp(c->laddr.b, x.b, fam == AF_INET ? 4 : 16) &&
		    (!comm || !strcmp(c->comm, comm)))
			return &a->rows[i];
	}
	return NULL;
}

static void kstat_range(struct kstat *k, unsigned lo, unsigned hi, const char *reserved)
{
	memset(k, 0, sizeof *k);
	k->v[KS_PORT_RANGE_LOW] = lo;
	k->v[KS_PORT_RANGE_HIGH] = hi;
	k->have = 1ull << KS_PORT_RANGE_LOW | 1ull << KS_PORT_RANGE_HIGH;
	kstat_parse_reserved(reserved, k);
}

static void test_scopes(void)
{
	static const struct {
		const char *addr;
		enum audit_scope s;
	} cases[] = {
		{"0.0.0.0", ASC_ANY},          {"::", ASC_ANY},
		{"127.0.0.1", ASC_LOOPBACK},   {"127.9.9.9", ASC_LOOPBACK},
		{"::1", ASC_LOOPBACK},         {"::ffff:127.0.0.1", ASC_LOOPBACK},
		{"10.1.2.3", ASC_PRIVATE},     {"172.16.0.1", ASC_PRIVATE},
		{"172.31.255.1", ASC_PRIVATE}, {"172.32.0.1", ASC_PUBLIC},
		{"192.168.1.1", ASC_PRIVATE},  {"100.64.0.1", ASC_PRIVATE},
		{"100.128.0.1", ASC_PUBLIC},   {"169.254.1.1", ASC_LINK_LOCAL},
		{"fe80::1", ASC_LINK_LOCAL},   {"fd00::1", ASC_PRIVATE},
		{"fc00::1", ASC_PRIVATE},      {"2001:db8::1", ASC_PUBLIC},
		{"198.51.100.7", ASC_PUBLIC},  {"::ffff:10.0.0.1", ASC_PRIVATE},
		{"8.8.8.8", ASC_PUBLIC},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		union conn_addr a;
		int fam = conn_addr_parse(cases[i].addr, &a);
		if (!check_report(audit_addr_scope(fam, &a) == cases[i].s, __FILE__, __LINE__,
				  "scope of %s is %s", cases[i].addr, audit_scope_name(cases[i].s)))
			fprintf(stderr, "  got %s\n", audit_scope_name(audit_addr_scope(fam, &a)));
	}
}

static void test_exposure(void)
{
	ne = 0;
	struct conn *v4 = add("0.0.0.0", 80, TCPS_LISTEN, NULL, 0);
	struct conn *v6 = add("::", 80, TCPS_LISTEN, NULL, 0);
	struct conn *lo = add("::1", 80, TCPS_LISTEN, NULL, 0);
	struct conn *pub = add("2001:db8::5", 80, TCPS_LISTEN, NULL, 0);
	struct conn *priv = add("10.0.0.1", 80, TCPS_LISTEN, NULL, 0);
	CHECK_INT(audit_exposure_of(v4), AEX_WILDCARD_V4);
	CHECK_INT(audit_exposure_of(v6), AEX_WILDCARD_DUAL); /* v6only unknown: dual */
	v6->have |= CONN_HAVE_V6ONLY;
	CHECK_INT(audit_exposure_of(v6), AEX_WILDCARD_DUAL);
	v6->have |= CONN_V6ONLY;
	CHECK_INT(audit_exposure_of(v6), AEX_WILDCARD_V6);
	CHECK_INT(audit_exposure_of(lo), AEX_LOOPBACK);
	CHECK_INT(audit_exposure_of(pub), AEX_ADDRESS);
	CHECK(audit_reachable(v4) && audit_reachable(v6) && audit_reachable(pub));
	CHECK(!audit_reachable(lo) && !audit_reachable(priv));
	char b[64];
	CHECK_STR(audit_endpoint_text(v6, b, sizeof b), "[::]:80");
	CHECK_STR(audit_endpoint_text(v4, b, sizeof b), "0.0.0.0:80");
}

static void test_ephemeral(void)
{
	struct kstat k;
	char b[200];
	kstat_range(&k, 40000, 40999, "40500,41000-41010\n");
	CHECK_INT(audit_port_ephemeral(&k, 40100), 1);
	CHECK_INT(audit_port_ephemeral(&k, 40500), 0);
	CHECK_INT(audit_port_ephemeral(&k, 39999), 0);
	CHECK_INT(audit_port_ephemeral(&k, 40999), 1);
	CHECK_INT(audit_port_ephemeral(NULL, 40100), -1);
	CHECK_STR(audit_reserve_line(&k, 40100, b, sizeof b),
		  "sysctl -w net.ipv4.ip_local_reserved_ports=40500,41000-41010,40100");
	kstat_range(&k, 32768, 60999, "");
	CHECK_STR(audit_reserve_line(&k, 50000, b, sizeof b),
		  "sysctl -w net.ipv4.ip_local_reserved_ports=50000");
	/* A short buffer truncates, never overflows. */
	char tiny[12];
	audit_reserve_line(&k, 50000, tiny, sizeof tiny);
	CHECK_INT(strlen(tiny), sizeof tiny - 1);
	k.have = 0;
	CHECK_INT(audit_port_ephemeral(&k, 50000), -1);
}

static bool has(const struct audit_row *r, enum audit_finding f)
{
	return r && (r->findings >> f & 1u);
}

static void test_run(void)
{
	struct kstat k;
	kstat_range(&k, 40000, 40999, "40500");
	ne = 0;
	add("0.0.0.0", 6379, TCPS_LISTEN, "redis-server", 0);
	add("127.0.0.1", 11211, TCPS_LISTEN, "memcached", 0);
	add("0.0.0.0", 7010, TCPS_LISTEN, "alpha", 0);
	add("0.0.0.0", 7010, TCPS_LISTEN, "beta", 0);
	add("0.0.0.0", 7011, TCPS_LISTEN, "one", 0);
	add("0.0.0.0", 7011, TCPS_LISTEN, "one", 0);
	add("0.0.0.0", 7020, TCPS_LISTEN, "four", 0);
	struct conn *six = add("::", 7020, TCPS_LISTEN, "six", 1000);
	six->have |= CONN_HAVE_V6ONLY | CONN_V6ONLY;
	add("10.0.0.1", 53, TCPS_LISTEN, "dns-a", 0);
	add("127.0.0.1", 53, TCPS_LISTEN, "dns-b", 0); /* no overlap: not shared */
	add("0.0.0.0", 40100, TCPS_LISTEN, "eph", 0);
	add("0.0.0.0", 40500, TCPS_LISTEN, "rsv", 0);
	struct conn *q = add("127.0.0.1", 7030, TCPS_LISTEN, "slow", 0);
	q->rqueue = 120; /* 120/128 = 94% >= 90 */
	/* connections: two new ones accepted by 127.0.0.1:7030, one old */
	struct conn *c1 = add("127.0.0.1", 7030, TCPS_ESTABLISHED, "slow", 0);
	c1->rport = 50001;
	ents[ne - 1].flags = TRK_NEW;
	struct conn *c2 = add("127.0.0.1", 7030, TCPS_ESTABLISHED, "slow", 0);
	c2->rport = 50002;
	ents[ne - 1].flags = TRK_NEW;
	struct conn *c3 = add("127.0.0.1", 7030, TCPS_ESTABLISHED, "slow", 0);
	c3->rport = 50003;

	struct audit a;
	audit_init(&a);
	struct audit_opts o = {.k = &k, .fill_pct = 90, .now_ns = 5000000000ull, .interval_s = 2};
	audit_run(&a, &o, eps, ne);
	CHECK_INT(a.n, 13);
	for (size_t i = 1; i < a.n; i++)
		CHECK(a.rows[i - 1].e->conn->lport <= a.rows[i].e->conn->lport);

	const struct audit_row *r = row_of(&a, "0.0.0.0", 6379, NULL);
	CHECK(has(r, AF_RISKY) && r->worst == DS_CRITICAL && r->risky && !strcmp(r->risky->service, "Redis"));
	r = row_of(&a, "127.0.0.1", 11211, NULL);
	CHECK(r && r->risky && !r->findings && r->worst == -1);

	r = row_of(&a, "0.0.0.0", 7010, "alpha");
	CHECK(has(r, AF_SHARED) && !has(r, AF_REUSEPORT) && r->owners == 2 && r->group_n == 2);
	char msg[600];
	audit_finding_text(&a, r, AF_SHARED, msg, sizeof msg);
	CHECK(strstr(msg, "also held by beta[") && strstr(msg, "SO_REUSEPORT"));
	r = row_of(&a, "0.0.0.0", 7011, NULL);
	CHECK(has(r, AF_REUSEPORT) && !has(r, AF_SHARED) && r->same_addr == 2 && r->worst == DS_INFO);
	r = row_of(&a, "::", 7020, NULL);
	CHECK(has(r, AF_SHARED) && r->exposure == AEX_WILDCARD_V6);
	audit_finding_text(&a, r, AF_SHARED, msg, sizeof msg);
	CHECK(strstr(msg, "four[") && strstr(msg, "IPv4 and IPv6 clients reach different programs"));
	CHECK(!row_of(&a, "10.0.0.1", 53, NULL)->findings);
	CHECK(!row_of(&a, "127.0.0.1", 53, NULL)->findings);

	r = row_of(&a, "0.0.0.0", 40100, NULL);
	CHECK(has(r, AF_EPHEMERAL) && r->ephemeral == 1 && r->worst == DS_WARNING);
	audit_finding_text(&a, r, AF_EPHEMERAL, msg, sizeof msg);
	CHECK(strstr(msg, "reserve it: sysctl -w net.ipv4.ip_local_reserved_ports=40500,40100") != NULL);
	r = row_of(&a, "0.0.0.0", 40500, NULL);
	CHECK(r && !r->findings && r->reserved && r->ephemeral == 0);

	r = row_of(&a, "127.0.0.1", 7030, NULL);
	CHECK(has(r, AF_QUEUE_FULL));
	CHECK(r && fabs(r->accepts_per_s - 1.0) < 1e-9); /* 2 new in 2 s */
	CHECK(r && r->age_lower && fabs(r->age_s - 5.0) < 1e-9);
	audit_finding_text(&a, r, AF_QUEUE_FULL, msg, sizeof msg);
	CHECK(strstr(msg, "accept queue 120/128 (94%)") && strstr(msg, "listen_overflow"));

	CHECK_INT(a.counts[DS_CRITICAL], 1);
	CHECK_INT(a.counts[DS_WARNING], 6); /* 2 + 2 shared, ephemeral, queue */
	CHECK_INT(a.counts[DS_INFO], 2);
	CHECK_INT(audit_worst(&a), DS_CRITICAL);

	/* No interval: no rates; no kstat: ephemeral unknown, no finding. */
	o.interval_s = NAN;
	o.k = NULL;
	audit_run(&a, &o, eps, ne);
	r = row_of(&a, "127.0.0.1", 7030, NULL);
	CHECK(r && isnan(r->accepts_per_s));
	r = row_of(&a, "0.0.0.0", 40100, NULL);
	CHECK(r && r->ephemeral == -1 && !has(r, AF_EPHEMERAL));
	/* No listeners at all. */
	audit_run(&a, &o, eps, 0);
	CHECK_INT(a.n, 0);
	CHECK_INT(audit_worst(&a), -1);
	audit_done(&a);
}

static void test_tables(void)
{
	for (int f = 0; f < AF_COUNT; f++)
		CHECK(audit_findings[f].name && audit_findings[f].summary);
	for (int x = 0; x < AEX_COUNT; x++)
		CHECK(strcmp(audit_exposure_name(x), "unknown") != 0);
	for (int s = 0; s < ASC_COUNT; s++)
		CHECK(strcmp(audit_scope_name(s), "unknown") != 0);
	CHECK(audit_risky_n >= 11);
	for (size_t i = 0; i < audit_risky_n; i++) {
		if (i)
			CHECK(audit_risky_table[i - 1].port < audit_risky_table[i].port);
		CHECK(audit_risky_of(audit_risky_table[i].port) == &audit_risky_table[i]);
	}
	static const uint16_t issue_ports[] = {2375, 6379, 11211, 27017, 9200, 3306, 5432, 23, 21, 445, 3389};
	for (size_t i = 0; i < sizeof issue_ports / sizeof issue_ports[0]; i++)
		CHECK(audit_risky_of(issue_ports[i]) != NULL);
	CHECK(audit_risky_of(22) == NULL && audit_risky_of(443) == NULL);
	CHECK_INT(audit_severity_parse("WARNING"), DS_WARNING);
	CHECK_INT(audit_severity_parse("critical"), DS_CRITICAL);
	CHECK_INT(audit_severity_parse("Info"), DS_INFO);
	CHECK_INT(audit_severity_parse("bogus"), -1);

	/* docs/LISTENERS.md lists every row of the risky table. */
	FILE *f = fopen("docs/LISTENERS.md", "r");
	if (!f) {
		check_skip("docs table", "docs/LISTENERS.md not found (run from the repository top)");
		return;
	}
	static char doc[65536];
	size_t n = fread(doc, 1, sizeof doc - 1, f);
	doc[n] = '\0';
	fclose(f);
	for (size_t i = 0; i < audit_risky_n; i++) {
		char row[32];
		snprintf(row, sizeof row, "| %u | ", audit_risky_table[i].port);
		if (!check_report(strstr(doc, row) != NULL, __FILE__, __LINE__,
				  "docs/LISTENERS.md has a row for port %u", audit_risky_table[i].port))
			continue;
	}
}

/* --- rtnetlink parsers ------------------------------------------------- */

static struct nlmsghdr *addr_msg(char *buf, int family, const void *local, const void *address,
				 size_t alen)
{
	memset(buf, 0, 512);
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_NEWADDR;
	struct ifaddrmsg *m = mnl_nlmsg_put_extra_header(nlh, sizeof *m);
	m->ifa_family = (uint8_t)family;
	m->ifa_prefixlen = 24;
	m->ifa_index = 7;
	if (address)
		mnl_attr_put(nlh, IFA_ADDRESS, alen, address);
	mnl_attr_put_strz(nlh, IFA_LABEL, "d0");
	if (local)
		mnl_attr_put(nlh, IFA_LOCAL, alen, local);
	return nlh;
}

static void test_ifaddr(void)
{
	char buf[512];
	struct ifaddr_entry en;
	uint8_t local[4] = {10, 77, 0, 1}, peer[4] = {10, 77, 0, 2};
	struct nlmsghdr *nlh = addr_msg(buf, AF_INET, local, peer, 4);
	CHECK_INT(ifaddr_parse_addr(nlh, &en), 0);
	CHECK(en.family == AF_INET && en.ifindex == 7 && en.prefixlen == 24);
	CHECK(!memcmp(en.addr.b, local, 4)); /* IFA_LOCAL wins over the peer */
	nlh = addr_msg(buf, AF_INET, NULL, peer, 4);
	CHECK_INT(ifaddr_parse_addr(nlh, &en), 0);
	CHECK(!memcmp(en.addr.b, peer, 4));
	uint8_t v6[16] = {0xfd, 0x77, [15] = 1};
	nlh = addr_msg(buf, AF_INET6, NULL, v6, 16);
	CHECK_INT(ifaddr_parse_addr(nlh, &en), 0);
	CHECK(en.family == AF_INET6 && !memcmp(en.addr.b, v6, 16));
	nlh = addr_msg(buf, AF_INET6, NULL, NULL, 16);
	CHECK_INT(ifaddr_parse_addr(nlh, &en), -EINVAL); /* no address at all */
	nlh = addr_msg(buf, AF_INET6, NULL, v6, 4);     /* too short for v6 */
	CHECK_INT(ifaddr_parse_addr(nlh, &en), -EINVAL);
	nlh = addr_msg(buf, AF_INET, local, NULL, 4);
	nlh->nlmsg_len = NLMSG_HDRLEN + 2; /* shorter than ifaddrmsg */
	CHECK_INT(ifaddr_parse_addr(nlh, &en), -EINVAL);
	nlh = addr_msg(buf, AF_INET, local, NULL, 4);
	nlh->nlmsg_type = RTM_NEWLINK;
	CHECK_INT(ifaddr_parse_addr(nlh, &en), -EINVAL);

	memset(buf, 0, sizeof buf);
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_NEWLINK;
	struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof *ifi);
	ifi->ifi_index = 7;
	mnl_attr_put_u32(nlh, IFLA_MTU, 1500);
	mnl_attr_put_strz(nlh, IFLA_IFNAME, "a-very-long-interface-name");
	uint32_t ix = 0;
	char name[IFADDR_NAME_LEN];
	CHECK_INT(ifaddr_parse_link(nlh, &ix, name), 0);
	CHECK_INT(ix, 7);
	CHECK_STR(name, "a-very-long-int"); /* cut to IFNAMSIZ - 1 */
	/* An attribute that claims to run past the message stops the walk. */
	struct nlattr *last = (struct nlattr *)((char *)nlh + NLMSG_HDRLEN + MNL_ALIGN(sizeof *ifi) +
						MNL_ALIGN(MNL_ATTR_HDRLEN + 4));
	last->nla_len = 400;
	CHECK_INT(ifaddr_parse_link(nlh, &ix, name), -EINVAL);

	struct ifaddr_table t;
	ifaddr_init(&t);
	t.v = calloc(1, sizeof *t.v);
	t.n = t.cap = 1;
	t.v[0].family = AF_INET;
	memcpy(t.v[0].addr.b, local, 4);
	snprintf(t.v[0].name, sizeof t.v[0].name, "d0");
	union conn_addr q;
	memcpy(q.b, local, 4);
	CHECK_STR(ifaddr_lookup(&t, AF_INET, &q), "d0");
	memcpy(q.b, peer, 4);
	CHECK(ifaddr_lookup(&t, AF_INET, &q) == NULL);
	CHECK(ifaddr_lookup(NULL, AF_INET, &q) == NULL);
	ifaddr_done(&t);
}

/* --- the exposure detector kind (src/track/detect_exposure.c) ----------- */

static struct conn *snap_listener(struct snapshot *sn, uint64_t cookie, const char *addr,
				  uint16_t port, const char *comm)
{
	struct conn *c = snapshot_add(sn);
	c->family = (uint8_t)conn_addr_parse(addr, &c->laddr);
	c->cookie = cookie;
	c->state = TCPS_LISTEN;
	c->lport = port;
	c->have = CONN_HAVE_COOKIE | CONN_HAVE_UID | CONN_HAVE_RQUEUE | CONN_HAVE_WQUEUE |
		  CONN_HAVE_PROC;
	c->wqueue = 128;
	c->pid = (int32_t)cookie;
	snprintf(c->comm, sizeof c->comm, "%s", comm);
	return c;
}

static const struct detect_alert *alert_on(const struct detector *d, uint16_t port)
{
	size_t n;
	const struct detect_alert *const *as = detector_alerts(d, &n);
	for (size_t i = 0; i < n; i++)
		if (as[i]->kind == DK_EXPOSURE && as[i]->owner.lport == port)
			return as[i];
	return NULL;
}

/* One poll of the staged listeners through tracker and detector. */
static void detect_once(const struct detect_config *cfg, struct detector **dout,
			struct tracker **tout, struct snapshot *sn)
{
	snapshot_clear(sn);
	snap_listener(sn, 1, "0.0.0.0", 6379, "redis-server");
	snap_listener(sn, 2, "127.0.0.1", 11211, "memcached");
	snap_listener(sn, 3, "0.0.0.0", 40100, "cache");
	snap_listener(sn, 4, "0.0.0.0", 7010, "alpha");
	snap_listener(sn, 5, "0.0.0.0", 7010, "beta");
	snap_listener(sn, 6, "10.0.0.1", 8080, "api");
	kstat_range(&sn->kernel, 40000, 40999, "");
	sn->mono_ns = 1000000000ull;
	sn->wall = 1700000000.0;
	snapshot_count(sn);
	*tout = tracker_new(NULL);
	*dout = detector_new(cfg);
	tracker_update(*tout, sn);
	detector_update(*dout, *tout, sn);
}

static void test_exposure_detector(void)
{
	struct detect_config cfg;
	struct snapshot sn;
	struct detector *d;
	struct tracker *t;
	struct err e = {0};
	snapshot_init(&sn);
	detect_config_defaults(&cfg);
	detect_once(&cfg, &d, &t, &sn);
	const struct detect_alert *a = alert_on(d, 6379);
	CHECK(a && a->severity == DS_CRITICAL && a->findings == 1u << AF_RISKY &&
	      strstr(a->message, "Redis is reachable unless a firewall blocks it") &&
	      strstr(a->message, "0.0.0.0:6379"));
	CHECK(!alert_on(d, 11211) && !alert_on(d, 8080));
	a = alert_on(d, 40100);
	CHECK(a && a->severity == DS_WARNING && a->findings == 1u << AF_EPHEMERAL &&
	      strstr(a->message, "40000-40999"));
	a = alert_on(d, 7010); /* both sockets, one alert per address and port */
	CHECK(a && a->findings == 1u << AF_SHARED && a->total == 2);
	size_t n;
	detector_alerts(d, &n);
	CHECK_INT(n, 3);
	detector_free(d);
	tracker_free(t);

	CHECK_INT(detect_set_threshold_kv(&cfg, "exposure.shared=off", &e), 0);
	CHECK_INT(detect_set_threshold_kv(&cfg, "exposure.risky=no", &e), 0);
	detect_once(&cfg, &d, &t, &sn);
	CHECK(!alert_on(d, 6379) && !alert_on(d, 7010) && alert_on(d, 40100));
	detector_free(d);
	tracker_free(t);

	detect_config_defaults(&cfg);
	CHECK_INT(detect_set_threshold_kv(&cfg, "exposure.enabled=off", &e), 0);
	detect_once(&cfg, &d, &t, &sn);
	detector_alerts(d, &n);
	CHECK_INT(n, 0);
	detector_free(d);
	tracker_free(t);
	CHECK(detect_set_threshold_kv(&cfg, "exposure.risky=maybe", &e) < 0 &&
	      strstr(e.msg, "on/off value"));
	snapshot_done(&sn);
}

int main(void)
{
	test_scopes();
	test_exposure();
	test_ephemeral();
	test_run();
	test_tables();
	test_ifaddr();
	test_exposure_detector();
	return check_summary("test_audit");
}
