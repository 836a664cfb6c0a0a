/* test_detect_ports.c — the namespace's ephemeral-port use that the header
 * shows and the detector judges by (detector_ports()): distinct local ports
 * inside ip_local_port_range, reserved ports and listeners' ports (with the
 * connections accepted on them) left out, tombs and listeners not counted. */
#include <math.h>
#include <string.h>
#include <sys/socket.h>

#include "check.h"
#include "tcpscope/detect.h"
#include "tcpscope/kstat.h"
#include "tcpscope/track.h"

static void kset(struct kstat *k, enum kstat_id id, uint64_t v)
{
	k->v[id] = v;
	k->have |= 1ull << id;
}

static void add(struct snapshot *s, uint64_t cookie, int state, uint16_t lport, uint16_t rport)
{
	struct conn *c = snapshot_add(s);
	c->family = AF_INET;
	c->cookie = cookie;
	c->have = CONN_HAVE_COOKIE;
	c->state = (uint8_t)state;
	c->laddr.b[0] = 127, c->laddr.b[3] = 1;
	c->raddr.b[0] = 127, c->raddr.b[3] = 2;
	c->lport = lport;
	c->rport = rport;
}

static void test_ports(void)
{
	struct snapshot s;
	snapshot_init(&s);
	struct tracker *t = tracker_new(NULL);
	struct detector *d = detector_new(NULL);
	/* Before any update: no range known. */
	CHECK(!detector_ports(d)->have_range);

	kset(&s.kernel, KS_PORT_RANGE_LOW, 40000);
	kset(&s.kernel, KS_PORT_RANGE_HIGH, 40099); /* 100 ports */
	CHECK_INT(kstat_parse_reserved("40090-40099\n", &s.kernel), 1); /* 90 usable */
	uint64_t ck = 1;
	/* A listener inside the range and three connections accepted on it:
	 * they share the listener's port and take nothing from the range. */
	add(&s, ck++, TCPS_LISTEN, 40050, 0);
	for (int i = 0; i < 3; i++)
		add(&s, ck++, TCPS_ESTABLISHED, 40050, (uint16_t)(50000 + i));
	/* Clients: 40001 twice (two destinations, one port), 40002, one in
	 * TIME_WAIT on 40003, one on a reserved port, one outside the range. */
	add(&s, ck++, TCPS_ESTABLISHED, 40001, 80);
	add(&s, ck++, TCPS_ESTABLISHED, 40001, 443);
	add(&s, ck++, TCPS_SYN_SENT, 40002, 80);
	add(&s, ck++, TCPS_TIME_WAIT, 40003, 80);
	add(&s, ck++, TCPS_ESTABLISHED, 40095, 80);
	add(&s, ck++, TCPS_ESTABLISHED, 39999, 80);
	s.source = SNAP_SRC_NETLINK;
	s.mono_ns = 1000000000ull;
	snapshot_count(&s);
	tracker_update(t, &s);
	detector_update(d, t, &s);
	const struct detect_ports *p = detector_ports(d);
	CHECK(p->have_range);
	CHECK_INT(p->lo, 40000);
	CHECK_INT(p->hi, 40099);
	CHECK_INT(p->usable, 90);
	CHECK_INT(p->used, 3); /* 40001, 40002, 40003 */
	CHECK(fabs(p->share_pct - 100.0 * 3 / 90) < 1e-9);

	/* Next tick: 40002 closed (a tomb now) and the others stay: the
	 * tomb's port is free again; nothing is carried over from before. */
	struct kstat k = s.kernel;
	snapshot_clear(&s);
	s.kernel = k;
	ck = 1;
	add(&s, ck++, TCPS_LISTEN, 40050, 0);
	for (int i = 0; i < 3; i++)
		add(&s, ck++, TCPS_ESTABLISHED, 40050, (uint16_t)(50000 + i));
	add(&s, ck++, TCPS_ESTABLISHED, 40001, 80);
	add(&s, ck++, TCPS_ESTABLISHED, 40001, 443);
	ck++; /* 40002 gone */
	add(&s, ck++, TCPS_TIME_WAIT, 40003, 80);
	s.mono_ns = 2000000000ull;
	snapshot_count(&s);
	tracker_update(t, &s);
	detector_update(d, t, &s);
	p = detector_ports(d);
	CHECK_INT(p->used, 2);

	/* Without a range (a hand-built snapshot, /proc unreadable): unknown. */
	snapshot_clear(&s);
	memset(&s.kernel, 0, sizeof s.kernel);
	add(&s, 1, TCPS_ESTABLISHED, 40001, 80);
	s.mono_ns = 3000000000ull;
	snapshot_count(&s);
	tracker_update(t, &s);
	detector_update(d, t, &s);
	p = detector_ports(d);
	CHECK(!p->have_range && p->used == 0 && isnan(p->share_pct));

	detector_free(d);
	tracker_free(t);
	snapshot_done(&s);
}

int main(void)
{
	test_ports();
	return check_summary("test_detect_ports");
}
