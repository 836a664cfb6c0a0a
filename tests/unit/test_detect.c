/* test_detect.c — the detectors on hand-built snapshot sequences: the table,
 * threshold parsing, each kind's condition, owners, hysteresis, clearing. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "check.h"
#include "tcpscope/detect.h"
#include "tcpscope/kstat.h"
#include "tcpscope/track.h"
#include "../../src/track/detect_int.h"

#define S(x) ((uint64_t)((x) * 1e9))

/* Two snapshots used alternately (as app.c does), a tracker and a detector. */
struct world {
	struct snapshot s[2];
	int cur;
	struct tracker *t;
	struct detector *d;
	struct detect_config cfg;
	struct kstat k; /* kernel values copied into every snapshot when k.have */
};

static void w_init(struct world *w)
{
	memset(w, 0, sizeof *w);
	snapshot_init(&w->s[0]);
	snapshot_init(&w->s[1]);
	w->t = tracker_new(NULL);
	detect_config_defaults(&w->cfg);
}

static void w_done(struct world *w)
{
	detector_free(w->d);
	tracker_free(w->t);
	snapshot_done(&w->s[0]);
	snapshot_done(&w->s[1]);
}

static void w_set(struct world *w, const char *kv)
{
	struct err e = {0};
	int rc = detect_set_threshold_kv(&w->cfg, kv, &e);
	check_report(rc == 0, __FILE__, __LINE__, "set %s: %s", kv, e.msg);
}

/* The snapshot being built. */
static struct snapshot *cur(struct world *w)
{
	return &w->s[w->cur];
}

static struct conn *add(struct world *w, uint64_t cookie, int state, uint16_t lport,
			uint16_t rport, int pid)
{
	struct conn *c = snapshot_add(cur(w));
	c->family = AF_INET;
	c->cookie = cookie;
	c->have = CONN_HAVE_COOKIE | CONN_HAVE_RQUEUE | CONN_HAVE_WQUEUE | CONN_HAVE_TIMER;
	c->state = (uint8_t)state;
	c->laddr.b[0] = 127, c->laddr.b[3] = 1;
	c->raddr.b[0] = 127, c->raddr.b[3] = 2;
	c->lport = lport;
	c->rport = rport;
	if (pid >= 0) {
		c->pid = pid;
		snprintf(c->comm, sizeof c->comm, "app%d", pid);
		c->have |= CONN_HAVE_PROC;
		c->nprocs = 1;
	}
	return c;
}

/* Finish the snapshot at time t (seconds), run tracker and detector, start
 * the next one. Returns the number of detector events. */
static size_t tick(struct world *w, double t)
{
	if (!w->d)
		w->d = detector_new(&w->cfg);
	struct snapshot *s = cur(w);
	s->source = SNAP_SRC_NETLINK;
	s->mono_ns = S(t);
	s->wall = 1700000000.0 + t;
	if (w->k.have) {
		s->kernel = w->k;
		s->kernel.mono_ns = S(t);
	}
	snapshot_count(s);
	tracker_update(w->t, s);
	detector_update(w->d, w->t, s);
	w->cur ^= 1;
	snapshot_clear(cur(w));
	size_t n;
	detector_events(w->d, &n);
	return n;
}

static const struct detect_alert *find(struct world *w, enum detect_kind k)
{
	size_t n;
	const struct detect_alert *const *a = detector_alerts(w->d, &n);
	for (size_t i = 0; i < n; i++)
		if (a[i]->kind == k)
			return a[i];
	return NULL;
}

static int nevents(struct world *w, enum detect_event_kind ek, enum detect_kind k)
{
	size_t n;
	const struct detect_event *ev = detector_events(w->d, &n);
	int c = 0;
	for (size_t i = 0; i < n; i++)
		c += ev[i].kind == ek && ev[i].alert.kind == k;
	return c;
}

static void kset(struct kstat *k, enum kstat_id id, uint64_t v)
{
	k->v[id] = v;
	k->have |= 1ull << id;
}

/* --- the tables ---------------------------------------------------------- */

static void test_table(void)
{
	for (int k = 0; k < DK_COUNT; k++) {
		const struct detect_kind_def *d = &detect_kinds[k];
		check_report(d->name && d->title && d->summary && d->eval && d->format, __FILE__,
			     __LINE__, "kind %d has name, title, summary, eval, format", k);
		check_report((d->group && d->add) || d->global, __FILE__, __LINE__,
			     "kind %s is fed by sockets or counters", d->name ? d->name : "?");
		check_report(!d->group == !d->add, __FILE__, __LINE__, "kind %s: group and add go together",
			     d->name ? d->name : "?");
		CHECK_STR(detect_kind_name(k), d->name);
		for (int j = 0; j < k; j++)
			check_report(strcmp(detect_kinds[j].name, d->name) != 0, __FILE__, __LINE__,
				     "kind names unique: %s", d->name);
	}
	CHECK_STR(detect_kind_name(DK_COUNT), "unknown");
	CHECK_STR(detect_severity_name(DS_CRITICAL), "critical");
	CHECK_STR(detect_event_name(DEV_CLEARED), "alert_cleared");
	for (int b = 0; b < DOWN_COUNT; b++)
		CHECK(strcmp(detect_owner_by_name(b), "unknown") != 0);

	/* Every threshold: described, its own value text parses back to it. */
	struct detect_config c;
	detect_config_defaults(&c);
	CHECK_INT(detect_threshold_count(), DT_COUNT + 3 * DK_COUNT);
	int kinds_seen[DK_COUNT] = {0};
	for (size_t i = 0; i < detect_threshold_count(); i++) {
		struct detect_threshold_info ti, t2;
		CHECK_INT(detect_threshold_info(&c, i, &ti), 0);
		check_report(ti.help && ti.unit && strchr(ti.key, '.'), __FILE__, __LINE__,
			     "threshold %zu described (%s)", i, ti.key);
		CHECK_STR(ti.value, ti.def);
		kinds_seen[ti.kind]++;
		struct detect_config c2 = c;
		struct err e = {0};
		int rc = detect_set_threshold(&c2, ti.key, ti.value, &e);
		check_report(rc == 0, __FILE__, __LINE__, "%s=%s parses back: %s", ti.key, ti.value, e.msg);
		detect_threshold_info(&c2, i, &t2);
		CHECK_STR(t2.value, ti.value);
	}
	for (int k = 0; k < DK_COUNT; k++)
		check_report(kinds_seen[k] >= 3, __FILE__, __LINE__, "kind %d has its thresholds", k);
	struct detect_threshold_info ti;
	CHECK_INT(detect_threshold_info(&c, detect_threshold_count(), &ti), -ERANGE);
}

static void test_threshold_parse(void)
{
	struct detect_config c;
	detect_config_defaults(&c);
	struct err e = {0};
	CHECK_INT(detect_set_threshold(&c, "close_wait.age", "30s", &e), 0);
	CHECK(fabs(c.v[DT_CW_AGE] - 30) < 1e-9);
	CHECK_INT(detect_set_threshold(&c, "close_wait.age", "1.5m", &e), 0);
	CHECK(fabs(c.v[DT_CW_AGE] - 90) < 1e-9);
	CHECK_INT(detect_set_threshold(&c, "stalled.age", "250ms", &e), 0);
	CHECK(fabs(c.v[DT_ST_AGE] - 0.25) < 1e-9);
	CHECK_INT(detect_set_threshold(&c, "port_exhaustion.warn", "40%", &e), 0);
	CHECK(fabs(c.v[DT_PE_WARN] - 40) < 1e-9);
	CHECK_INT(detect_set_threshold(&c, "port_exhaustion.critical", "75", &e), 0);
	CHECK(fabs(c.v[DT_PE_CRITICAL] - 75) < 1e-9);
	CHECK_INT(detect_set_threshold(&c, "retrans.rate", "2.5/s", &e), 0);
	CHECK(fabs(c.v[DT_RT_RATE] - 2.5) < 1e-9);
	CHECK_INT(detect_set_threshold(&c, "stalled.enabled", "off", &e), 0);
	CHECK(!c.enabled[DK_STALLED]);
	CHECK_INT(detect_set_threshold(&c, "stalled.enabled", "yes", &e), 0);
	CHECK(c.enabled[DK_STALLED]);
	CHECK_INT(detect_set_threshold(&c, "syn_recv.hold", "0", &e), 0);
	CHECK(c.hold_s[DK_SYN_RECV] == 0);
	CHECK_INT(detect_set_threshold(&c, "syn_recv.clear", "3s", &e), 0);
	CHECK(c.clear_s[DK_SYN_RECV] == 3);
	CHECK_INT(detect_set_threshold_kv(&c, "close_wait.growth=7", &e), 0);
	CHECK(c.v[DT_CW_GROWTH] == 7);

	static const char *const bad[][2] = {
		{"close_wait.age", "abc"},     {"close_wait.age", "-1s"},
		{"close_wait.age", ""},        {"port_exhaustion.warn", "150%"},
		{"port_exhaustion.warn", "5%x"}, {"close_wait.growth", "2.5"},
		{"close_wait.growth", "0"},    {"retrans.rate", "5/m"},
		{"stalled.enabled", "maybe"},  {"nosuch.age", "1s"},
		{"close_wait.nosuch", "1"},    {"close_wait", "1"},
		{"syn_sent.hold", "2d"},       {"retrans.share", "nan"},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct detect_config c2 = c;
		e.msg[0] = '\0';
		int rc = detect_set_threshold(&c2, bad[i][0], bad[i][1], &e);
		check_report(rc == -EINVAL && !memcmp(&c2, &c, sizeof c), __FILE__, __LINE__,
			     "%s=%s refused, config unchanged", bad[i][0], bad[i][1]);
		/* The message names what was wrong. */
		check_report(strstr(e.msg, bad[i][0]) != NULL, __FILE__, __LINE__,
			     "message names the key: %s", e.msg);
	}
	CHECK_INT(detect_set_threshold_kv(&c, "close_wait.age", &e), -EINVAL);
	CHECK_INT(detect_set_threshold_kv(&c, "=5", &e), -EINVAL);
	CHECK_INT(detect_set_threshold_kv(&c, "close_wait.age=", &e), -EINVAL);
}

static void test_reserved_ports(void)
{
	struct kstat k;
	memset(&k, 0, sizeof k);
	CHECK_INT(kstat_parse_reserved("\n", &k), 0);
	CHECK(k.have_reserved);
	CHECK_INT(kstat_parse_reserved("8080\n", &k), 1);
	CHECK(kstat_port_reserved(&k, 8080) && !kstat_port_reserved(&k, 8081));
	CHECK_INT(kstat_parse_reserved("1,5000-5010,40001\n", &k), 3);
	CHECK_INT(kstat_reserved_in(&k, 5005, 40010), 7);
	CHECK(kstat_port_reserved(&k, 1) && kstat_port_reserved(&k, 5010) && !kstat_port_reserved(&k, 5011));
	CHECK_INT(kstat_parse_reserved("5-1", &k), -EINVAL);
	CHECK(!k.have_reserved && k.nreserved == 0);
	CHECK_INT(kstat_parse_reserved("abc", &k), -EINVAL);
	CHECK_INT(kstat_parse_reserved("70000", &k), -EINVAL);
	CHECK_INT(kstat_parse_reserved("1,,2", &k), -EINVAL);
	char big[2000] = "";
	for (int i = 0; i < KSTAT_MAX_RESERVED + 5; i++)
		snprintf(big + strlen(big), sizeof big - strlen(big), "%s%d", i ? "," : "", 1000 + i * 2);
	CHECK_INT(kstat_parse_reserved(big, &k), KSTAT_MAX_RESERVED + 5);
	CHECK(k.reserved_truncated && k.nreserved == KSTAT_MAX_RESERVED);
}

/* --- kinds ---------------------------------------------------------------- */

static void test_close_wait_age_and_clear(void)
{
	struct world w;
	w_init(&w);
	w_set(&w, "close_wait.age=5s");
	w_set(&w, "close_wait.clear=2s");
	double t = 100;
	/* t=100: baseline with 3 sockets fresh in CLOSE_WAIT (lastack 0), pid 42 */
	for (int step = 0; step <= 6; step++, t += 1) {
		for (int i = 0; i < 3; i++) {
			struct conn *c = add(&w, 10 + i, TCPS_CLOSE_WAIT, 8080, 50000 + i, 42);
			c->ti.have = TI_BASE;
			c->ti.last_ack_recv_ms = (uint32_t)(step * 1000);
			c->rqueue = i == 0 ? 5 : 0;
		}
		add(&w, 99, TCPS_LISTEN, 8080, 0, 42);
		tick(&w, t);
		if (step < 5)
			check_report(!find(&w, DK_CLOSE_WAIT), __FILE__, __LINE__,
				     "no alert before 5 s (step %d)", step);
	}
	/* Raised at step 5 (age 5 s). */
	const struct detect_alert *a = find(&w, DK_CLOSE_WAIT);
	CHECK(a != NULL);
	if (a) {
		CHECK_INT(a->count, 3);
		CHECK_INT(a->nqueued, 1);
		CHECK_INT(a->owner.by, DOWN_PROCESS);
		CHECK_INT(a->owner.pid, 42);
		CHECK_STR(a->owner.comm, "app42");
		CHECK(a->oldest_s >= 5.9 && a->oldest_s <= 6.1);
		CHECK(!a->oldest_lower);
		CHECK_INT(a->severity, DS_WARNING);
		CHECK(strstr(a->message, "CLOSE_WAIT: 3 sockets held by app42[42], oldest 6s") != NULL);
		CHECK(strstr(a->message, "1 with unread data") != NULL);
		CHECK(strstr(a->message, "not closing") != NULL);
	}
	/* The app closes them at t=107: the alert stays (clearing) 2 s, then clears once. */
	add(&w, 99, TCPS_LISTEN, 8080, 0, 42);
	CHECK_INT(tick(&w, 107), 0);
	a = find(&w, DK_CLOSE_WAIT);
	CHECK(a && a->clearing && a->count == 3);
	add(&w, 99, TCPS_LISTEN, 8080, 0, 42);
	CHECK_INT(tick(&w, 108), 0);
	CHECK(find(&w, DK_CLOSE_WAIT) != NULL);
	add(&w, 99, TCPS_LISTEN, 8080, 0, 42);
	tick(&w, 109);
	CHECK(!find(&w, DK_CLOSE_WAIT));
	CHECK_INT(nevents(&w, DEV_CLEARED, DK_CLOSE_WAIT), 1);
	size_t n;
	const struct detect_event *ev = detector_events(w.d, &n);
	if (n) {
		CHECK_INT(ev[0].alert.count, 3);
		CHECK(strstr(ev[0].alert.message, "cleared after") != NULL);
	}
	w_done(&w);
}

static void test_close_wait_one_shot_evidence(void)
{
	struct world w;
	w_init(&w);
	/* One poll: the kernel says the peer's FIN came 2 min ago. */
	struct conn *c = add(&w, 1, TCPS_CLOSE_WAIT, 8080, 50000, 7);
	c->ti.have = TI_BASE;
	c->ti.last_ack_recv_ms = 120000;
	CHECK_INT(tick(&w, 500), 1);
	CHECK_INT(nevents(&w, DEV_RAISED, DK_CLOSE_WAIT), 1);
	const struct detect_alert *a = find(&w, DK_CLOSE_WAIT);
	CHECK(a && a->oldest_s >= 119.9 && !a->oldest_lower);
	/* Without evidence a baseline socket's age is unknown (>= 0): no alert. */
	struct world w2;
	w_init(&w2);
	add(&w2, 1, TCPS_CLOSE_WAIT, 8080, 50000, 7);
	CHECK_INT(tick(&w2, 500), 0);
	w_done(&w);
	w_done(&w2);
}

static void test_close_wait_growth_and_owners(void)
{
	struct world w;
	w_init(&w);
	w_set(&w, "close_wait.window=10s");
	w_set(&w, "close_wait.growth=8");
	w_set(&w, "close_wait.critical=15");
	int raised_at = -1;
	for (int step = 0; step <= 12; step++) {
		/* fresh CLOSE_WAIT sockets (age below 60 s), two more every second */
		for (int i = 0; i < 2 * step + 1; i++) {
			struct conn *c = add(&w, 100 + i, TCPS_CLOSE_WAIT, 40000 + i, 443, -1);
			c->raddr.b[3] = 9;
		}
		add(&w, 1, TCPS_LISTEN, 9999, 0, -1);
		tick(&w, 200 + step);
		if (raised_at < 0 && find(&w, DK_CLOSE_WAIT))
			raised_at = step;
	}
	/* Growth is judged once half a window (5 s) of history exists: 10 > 8. */
	CHECK_INT(raised_at, 5);
	const struct detect_alert *a = find(&w, DK_CLOSE_WAIT);
	CHECK(a && a->owner.by == DOWN_DESTINATION && a->owner.rport == 443);
	CHECK(a && a->growth_per_min > 100 && a->growth_per_min < 140);
	CHECK(a && a->severity == DS_CRITICAL); /* 25 >= 15 */
	CHECK(a && strstr(a->message, "/min") != NULL);

	/* Stable counts (healthy): no growth alert. Owner: a listener's port. */
	struct world h;
	w_init(&h);
	w_set(&h, "close_wait.window=4s");
	w_set(&h, "close_wait.growth=3");
	for (int step = 0; step < 10; step++) {
		for (int i = 0; i < 5; i++) /* a different 5 each time, all fresh */
			add(&h, (uint64_t)(1000 + step * 10 + i), TCPS_CLOSE_WAIT, 8080, 50000 + i, -1);
		add(&h, 1, TCPS_LISTEN, 8080, 0, -1);
		tick(&h, 300 + step);
		CHECK(!find(&h, DK_CLOSE_WAIT));
	}
	w_done(&h);
	w_done(&w);
}

static void test_hold_and_no_flap(void)
{
	struct world w;
	w_init(&w);
	w_set(&w, "syn_recv.count=3");
	w_set(&w, "syn_recv.hold=2s");
	w_set(&w, "syn_recv.clear=3s");
	add(&w, 1, TCPS_LISTEN, 443, 0, 5);
	tick(&w, 10);
	int raised = 0, cleared = 0;
	for (int step = 0; step < 12; step++) {
		add(&w, 1, TCPS_LISTEN, 443, 0, 5);
		/* 4 half-open from 2 addresses while step < 3; then flapping 4 / 1 */
		int n = step < 3 ? 4 : (step % 2 ? 4 : 1);
		for (int i = 0; i < n; i++) {
			struct conn *c = add(&w, (uint64_t)(100 + i), TCPS_SYN_RECV, 443, 30000 + i, -1);
			c->raddr.b[3] = (uint8_t)(10 + i % 2);
		}
		tick(&w, 11 + step);
		raised += nevents(&w, DEV_RAISED, DK_SYN_RECV);
		cleared += nevents(&w, DEV_CLEARED, DK_SYN_RECV);
		if (step == 1)
			CHECK(!find(&w, DK_SYN_RECV)); /* held 1 s < 2 s */
		if (step == 2) {
			const struct detect_alert *a = find(&w, DK_SYN_RECV);
			CHECK(a != NULL);
			CHECK(a && a->count == 4 && a->distinct == 2 && a->owner.by == DOWN_LOCAL &&
			      a->owner.lport == 443 && a->owner.pid == 5);
		}
	}
	CHECK_INT(raised, 1);
	CHECK_INT(cleared, 0); /* false for 1 s at a time < clear 3 s: no flapping */
	for (int step = 0; step < 5; step++) {
		add(&w, 1, TCPS_LISTEN, 443, 0, 5);
		tick(&w, 30 + step);
		cleared += nevents(&w, DEV_CLEARED, DK_SYN_RECV);
	}
	CHECK_INT(cleared, 1);
	w_done(&w);
}

static void port_world(struct world *w)
{
	w_init(w);
	kset(&w->k, KS_PORT_RANGE_LOW, 40000);
	kset(&w->k, KS_PORT_RANGE_HIGH, 40009);
	kstat_parse_reserved("40009\n", &w->k); /* 9 usable */
	w_set(w, "port_exhaustion.clear=0");
}

static void ports_tick(struct world *w, int n, int ntw, double t)
{
	for (int i = 0; i < n; i++)
		add(w, (uint64_t)(500 + i), i < ntw ? TCPS_TIME_WAIT : TCPS_ESTABLISHED,
		    (uint16_t)(40000 + i), 7000, i < ntw ? -1 : 33);
	/* to another destination: its own group */
	add(w, 900, TCPS_ESTABLISHED, 40000, 7001, 33);
	/* a reserved port and one outside the range: not counted */
	add(w, 901, TCPS_ESTABLISHED, 40009, 7000, 33);
	add(w, 902, TCPS_ESTABLISHED, 1234, 7000, 33);
	tick(w, t);
}

/* 20,000 sockets to 20,000 distinct destinations (every tuple far below
 * the floor) make no groups; one heavy tuple among them still fires. */
static void test_port_groups_bounded(void)
{
	struct world w;
	w_init(&w);
	kset(&w.k, KS_PORT_RANGE_LOW, 30000);
	kset(&w.k, KS_PORT_RANGE_HIGH, 30099); /* 100 usable: floor 45 at warn 50% */
	for (int t = 1; t <= 2; t++) {
		for (int i = 0; i < 20000; i++)
			add(&w, (uint64_t)(1000 + i), TCPS_ESTABLISHED, (uint16_t)(30000 + i % 100),
			    (uint16_t)(1024 + i), 7);
		for (int i = 0; i < 60; i++) /* 60% of the range to port 9 */
			add(&w, (uint64_t)(50000 + i), TCPS_ESTABLISHED, (uint16_t)(30000 + i), 9, 7);
		tick(&w, t);
	}
	CHECK(detector_ngroups(w.d) < 50);
	const struct detect_alert *a = find(&w, DK_PORT_EXHAUSTION);
	CHECK(a != NULL);
	if (a) {
		CHECK_INT(a->count, 60);
		CHECK_INT(a->owner.rport, 9);
	}
	w_done(&w);
}

static void test_port_exhaustion(void)
{
	struct world w;
	port_world(&w);
	ports_tick(&w, 4, 0, 1); /* 4/9 = 44% */
	CHECK(!find(&w, DK_PORT_EXHAUSTION));
	ports_tick(&w, 5, 2, 2); /* 5/9 = 56%: warning, TIME_WAIT counts */
	const struct detect_alert *a = find(&w, DK_PORT_EXHAUSTION);
	CHECK(a != NULL);
	if (a) {
		CHECK_INT(a->severity, DS_WARNING);
		CHECK_INT(a->count, 5);
		CHECK_INT(a->ntime_wait, 2);
		CHECK(a->limit == 9);
		CHECK_INT(a->owner.by, DOWN_TUPLE);
		CHECK_INT(a->owner.rport, 7000);
		CHECK_INT(a->owner.pid, 33);
		CHECK(strstr(a->message, "5 of 9 ephemeral ports (56%)") != NULL);
	}
	ports_tick(&w, 8, 0, 3); /* 89%: critical */
	a = find(&w, DK_PORT_EXHAUSTION);
	CHECK(a && a->severity == DS_CRITICAL);
	CHECK_INT(nevents(&w, DEV_RAISED, DK_PORT_EXHAUSTION), 0); /* escalation, not a new alert */
	ports_tick(&w, 5, 0, 4); /* 56%: back to warning, still raised */
	a = find(&w, DK_PORT_EXHAUSTION);
	CHECK(a && a->severity == DS_WARNING);
	ports_tick(&w, 4, 0, 5); /* 44% < 45% (90% of warn): clears (clear=0) */
	CHECK(!find(&w, DK_PORT_EXHAUSTION));
	CHECK_INT(nevents(&w, DEV_CLEARED, DK_PORT_EXHAUSTION), 1);
	w_done(&w);
	/* Between warn*0.9 and warn it stays raised: hysteresis on the level. */
	port_world(&w);
	w_set(&w, "port_exhaustion.warn=60%");
	ports_tick(&w, 6, 0, 1); /* 67% */
	CHECK(find(&w, DK_PORT_EXHAUSTION) != NULL);
	ports_tick(&w, 5, 0, 2); /* 56% >= 54% */
	CHECK(find(&w, DK_PORT_EXHAUSTION) != NULL);
	w_done(&w);
}

static void test_listen_overflow(void)
{
	struct world w;
	w_init(&w);
	w_set(&w, "listen_overflow.clear=0");
	kset(&w.k, KS_LISTEN_OVERFLOWS, 100);
	kset(&w.k, KS_LISTEN_DROPS, 100);
	struct conn *l = add(&w, 1, TCPS_LISTEN, 8080, 0, 77);
	l->rqueue = 129, l->wqueue = 128;
	tick(&w, 1);
	const struct detect_alert *a = find(&w, DK_LISTEN_OVERFLOW);
	CHECK(a && a->severity == DS_WARNING && a->owner.lport == 8080 && a->owner.pid == 77);
	CHECK(a && strstr(a->message, "129/128") != NULL);
	kset(&w.k, KS_LISTEN_DROPS, 110); /* 10 drops in 1 s: critical */
	kset(&w.k, KS_LISTEN_OVERFLOWS, 110);
	l = add(&w, 1, TCPS_LISTEN, 8080, 0, 77);
	l->rqueue = 129, l->wqueue = 128;
	tick(&w, 2);
	a = find(&w, DK_LISTEN_OVERFLOW);
	CHECK(a && a->severity == DS_CRITICAL && a->rate > 9.9 && a->rate < 10.1);
	l = add(&w, 1, TCPS_LISTEN, 8080, 0, 77);
	l->rqueue = 10, l->wqueue = 128;
	tick(&w, 3);
	CHECK(!find(&w, DK_LISTEN_OVERFLOW));
	/* Drops rising with no full queue at the poll: the namespace-wide alert. */
	kset(&w.k, KS_LISTEN_DROPS, 130);
	l = add(&w, 1, TCPS_LISTEN, 8080, 0, 77);
	l->rqueue = 0, l->wqueue = 128;
	tick(&w, 4);
	a = find(&w, DK_LISTEN_OVERFLOW);
	CHECK(a && a->owner.by == DOWN_HOST);
	w_done(&w);
}

static void test_syn_sent(void)
{
	struct world w;
	w_init(&w);
	w_set(&w, "syn_sent.age=5s");
	w_set(&w, "syn_sent.clear=0");
	kset(&w.k, KS_ATTEMPT_FAILS, 0);
	/* Baseline: one connect with 3 SYN retransmits (>= 7 s), one fresh. */
	struct conn *c = add(&w, 1, TCPS_SYN_SENT, 40001, 5432, 12);
	c->ti.have = TI_BASE;
	c->ti.retransmits = 3;
	add(&w, 2, TCPS_SYN_SENT, 40002, 5432, 12);
	tick(&w, 1);
	const struct detect_alert *a = find(&w, DK_SYN_SENT);
	CHECK(a != NULL);
	if (a) {
		CHECK_INT(a->count, 1);
		CHECK_INT(a->total, 2);
		CHECK(a->oldest_s >= 7 && a->oldest_lower);
		CHECK_INT(a->owner.by, DOWN_DESTINATION);
		CHECK_INT(a->owner.rport, 5432);
		CHECK_INT(a->owner.pid, 12);
		CHECK(strstr(a->message, "to 127.0.0.2:5432") != NULL);
	}
	/* It connects: gone; the alert clears. */
	add(&w, 1, TCPS_ESTABLISHED, 40001, 5432, 12);
	add(&w, 2, TCPS_ESTABLISHED, 40002, 5432, 12);
	tick(&w, 2);
	CHECK(!find(&w, DK_SYN_SENT));
	/* Short connects (well under the age) never raise. */
	for (int i = 0; i < 20; i++) {
		add(&w, (uint64_t)(100 + i), TCPS_SYN_SENT, (uint16_t)(41000 + i), 80, 12);
		tick(&w, 3 + i * 0.1);
	}
	CHECK(!find(&w, DK_SYN_SENT));
	w_done(&w);
}

static void test_kernel_levels(void)
{
	struct world w;
	w_init(&w);
	w_set(&w, "time_wait.clear=0");
	w_set(&w, "orphans.clear=0");
	kset(&w.k, KS_MAX_TW_BUCKETS, 1000);
	kset(&w.k, KS_SOCK_TW, 400);
	kset(&w.k, KS_MAX_ORPHANS, 100);
	kset(&w.k, KS_SOCK_ORPHAN, 90);
	kset(&w.k, KS_TW_OVERFLOW, 0);
	kset(&w.k, KS_PORT_RANGE_LOW, 40000);
	kset(&w.k, KS_PORT_RANGE_HIGH, 49999);
	for (int i = 0; i < 3; i++)
		add(&w, (uint64_t)(10 + i), TCPS_TIME_WAIT, (uint16_t)(40000 + i), 5432, -1);
	add(&w, 20, TCPS_TIME_WAIT, 80, 33333, -1); /* server side */
	tick(&w, 1);
	CHECK(!find(&w, DK_TIME_WAIT)); /* 40% */
	const struct detect_alert *o = find(&w, DK_ORPHANS);
	CHECK(o && o->severity == DS_CRITICAL && o->owner.by == DOWN_HOST);
	CHECK(o && strstr(o->message, "90 of 100 (90%)") != NULL);
	kset(&w.k, KS_SOCK_TW, 600);
	for (int i = 0; i < 3; i++)
		add(&w, (uint64_t)(10 + i), TCPS_TIME_WAIT, (uint16_t)(40000 + i), 5432, -1);
	tick(&w, 2);
	const struct detect_alert *a = find(&w, DK_TIME_WAIT);
	CHECK(a && a->severity == DS_WARNING && a->top.count == 3 && a->top.port == 5432 &&
	      !a->top.local);
	CHECK(a && strstr(a->message, "600 of 1000 buckets (60%), most to 127.0.0.2:5432 (3)") != NULL);
	kset(&w.k, KS_TW_OVERFLOW, 5); /* overflowing: critical */
	tick(&w, 3);
	a = find(&w, DK_TIME_WAIT);
	CHECK(a && a->severity == DS_CRITICAL);
	kset(&w.k, KS_MAX_TW_BUCKETS, 100000); /* limit raised: clears */
	kset(&w.k, KS_SOCK_ORPHAN, 10);
	tick(&w, 4);
	CHECK(!find(&w, DK_TIME_WAIT));
	CHECK(!find(&w, DK_ORPHANS));
	w_done(&w);
}

/* tcp_memory: the kernel's own thresholds (net.ipv4.tcp_mem), raised
 * above pressure, critical above max, held until the use is back below min
 * (the kernel's exit from pressure); unknown limits raise nothing. */
static void test_tcp_memory(void)
{
	struct world w;
	w_init(&w);
	w_set(&w, "tcp_memory.clear=0");
	kset(&w.k, KS_SOCK_MEM_PAGES, 150);
	tick(&w, 1);
	CHECK(!find(&w, DK_TCP_MEMORY)); /* no limits: not judged */
	CHECK_INT(kstat_parse_tcp_mem("100 200 300\n", &w.k), 3);
	tick(&w, 2);
	CHECK(!find(&w, DK_TCP_MEMORY)); /* 150 of 200: fine */
	kset(&w.k, KS_SOCK_MEM_PAGES, 250);
	tick(&w, 3);
	const struct detect_alert *a = find(&w, DK_TCP_MEMORY);
	CHECK(a && a->severity == DS_WARNING && a->owner.by == DOWN_HOST);
	CHECK(a && strstr(a->message, "250 pages in use, 125% of the pressure threshold (200 pages") !=
			   NULL);
	kset(&w.k, KS_SOCK_MEM_PAGES, 301);
	tick(&w, 4);
	a = find(&w, DK_TCP_MEMORY);
	CHECK(a && a->severity == DS_CRITICAL);
	kset(&w.k, KS_SOCK_MEM_PAGES, 120); /* below pressure, above min: held */
	tick(&w, 5);
	CHECK(find(&w, DK_TCP_MEMORY) != NULL);
	kset(&w.k, KS_SOCK_MEM_PAGES, 90); /* below min: cleared */
	tick(&w, 6);
	CHECK(!find(&w, DK_TCP_MEMORY));
	w_done(&w);
}

static void test_retrans(void)
{
	struct world w;
	w_init(&w);
	w_set(&w, "retrans.hold=0");
	w_set(&w, "retrans.clear=0");
	kset(&w.k, KS_OUT_SEGS, 1000);
	kset(&w.k, KS_RETRANS_SEGS, 10);
	struct conn *c = add(&w, 1, TCPS_ESTABLISHED, 40000, 443, 9);
	c->ti.have = TI_BASE | TI_BYTES_ACKED;
	c->ti.total_retrans = 0;
	tick(&w, 1);
	kset(&w.k, KS_OUT_SEGS, 3000);   /* 2000/s */
	kset(&w.k, KS_RETRANS_SEGS, 210); /* 200/s: 10% */
	c = add(&w, 1, TCPS_ESTABLISHED, 40000, 443, 9);
	c->ti.have = TI_BASE | TI_BYTES_ACKED;
	c->ti.total_retrans = 20; /* 20/s */
	tick(&w, 2);
	size_t n;
	const struct detect_alert *const *al = detector_alerts(w.d, &n);
	CHECK_INT(n, 2);
	int host = 0, conn = 0;
	for (size_t i = 0; i < n; i++) {
		if (al[i]->kind != DK_RETRANS)
			continue;
		if (al[i]->owner.by == DOWN_HOST) {
			host++;
			CHECK(fabs(al[i]->share_pct - 10) < 0.01);
			CHECK(strstr(al[i]->message, "10.0% of sent segments") != NULL);
		} else {
			conn++;
			CHECK(al[i]->owner.pid == 9 && fabs(al[i]->rate - 20) < 0.01);
		}
	}
	CHECK_INT(host, 1);
	CHECK_INT(conn, 1);
	/* Quiet again: both clear. */
	kset(&w.k, KS_OUT_SEGS, 5000);
	c = add(&w, 1, TCPS_ESTABLISHED, 40000, 443, 9);
	c->ti.have = TI_BASE | TI_BYTES_ACKED;
	c->ti.total_retrans = 20;
	tick(&w, 3);
	detector_alerts(w.d, &n);
	CHECK_INT(n, 0);
	w_done(&w);
}

static void stall_sock(struct world *w, uint64_t acked, uint32_t wq, bool persist)
{
	struct conn *c = add(w, 1, TCPS_ESTABLISHED, 40000, 80, 3);
	c->ti.have = TI_BASE | TI_BYTES_ACKED;
	c->ti.bytes_acked = acked;
	c->wqueue = wq;
	c->timer = persist ? TIMER_PERSIST : TIMER_ON;
}

static void test_stalled(void)
{
	struct world w;
	w_init(&w);
	w_set(&w, "stalled.age=3s");
	w_set(&w, "stalled.clear=1s");
	/* draining: acked moves every poll, Send-Q never empty → no alert */
	for (int i = 0; i < 6; i++) {
		stall_sock(&w, (uint64_t)(1000 * (i + 1)), 5000, false);
		tick(&w, 1 + i);
		CHECK(!find(&w, DK_STALLED));
	}
	/* stuck from t=7 */
	for (int i = 0; i < 4; i++) {
		stall_sock(&w, 6000, 70000, true);
		tick(&w, 7 + i);
	}
	const struct detect_alert *a = find(&w, DK_STALLED);
	CHECK(a != NULL);
	CHECK(a && a->persist == 1 && a->bytes == 70000 && a->owner.pid == 3);
	CHECK(a && strstr(a->message, "zero window") != NULL);
	/* drains again: clears after 1 s */
	stall_sock(&w, 9000, 100, false);
	tick(&w, 11);
	stall_sock(&w, 9500, 0, false);
	tick(&w, 12);
	CHECK(!find(&w, DK_STALLED));
	CHECK_INT(nevents(&w, DEV_CLEARED, DK_STALLED), 1);
	w_done(&w);
}

static void test_sorting_and_disable(void)
{
	struct world w;
	port_world(&w);
	w_set(&w, "close_wait.age=0");
	kset(&w.k, KS_MAX_ORPHANS, 100);
	kset(&w.k, KS_SOCK_ORPHAN, 90); /* critical */
	add(&w, 1, TCPS_CLOSE_WAIT, 8080, 50000, 4);
	ports_tick(&w, 5, 0, 1);     /* port exhaustion warning */
	size_t n;
	const struct detect_alert *const *al = detector_alerts(w.d, &n);
	CHECK_INT(n, 3);
	if (n == 3) {
		CHECK_INT(al[0]->severity, DS_CRITICAL);
		CHECK_INT(al[1]->kind, DK_CLOSE_WAIT);
		CHECK_INT(al[2]->kind, DK_PORT_EXHAUSTION);
	}
	unsigned counts[DS_COUNT];
	detector_count(w.d, counts);
	CHECK_INT(counts[DS_CRITICAL], 1);
	CHECK_INT(counts[DS_WARNING], 2);
	/* Disabled at run time: the alert goes through its clear delay. */
	struct detect_config c = *detector_config(w.d);
	c.enabled[DK_ORPHANS] = false;
	c.clear_s[DK_ORPHANS] = 0;
	detector_set_config(w.d, &c);
	add(&w, 1, TCPS_CLOSE_WAIT, 8080, 50000, 4);
	ports_tick(&w, 5, 0, 2);
	CHECK(!find(&w, DK_ORPHANS));
	CHECK(find(&w, DK_CLOSE_WAIT) != NULL);
	w_done(&w);
}

static void test_owner_format(void)
{
	struct detect_owner o;
	memset(&o, 0, sizeof o);
	char b[128];
	o.by = DOWN_PROCESS, o.pid = 1234;
	strcpy(o.comm, "nginx");
	CHECK_STR(detect_owner_format(&o, b, sizeof b), "nginx[1234]");
	o.by = DOWN_LOCAL, o.family = AF_INET, o.lport = 8080;
	CHECK_STR(detect_owner_format(&o, b, sizeof b), "port 8080");
	o.have_laddr = true, o.laddr.b[0] = 10, o.laddr.b[3] = 1;
	CHECK_STR(detect_owner_format(&o, b, sizeof b), "10.0.0.1:8080");
	o.by = DOWN_DESTINATION, o.have_raddr = true, o.raddr.b[0] = 10, o.raddr.b[3] = 5,
	o.rport = 5432;
	CHECK_STR(detect_owner_format(&o, b, sizeof b), "10.0.0.5:5432");
	o.by = DOWN_TUPLE;
	CHECK_STR(detect_owner_format(&o, b, sizeof b), "10.0.0.1 -> 10.0.0.5:5432");
	o.by = DOWN_HOST;
	CHECK_STR(detect_owner_format(&o, b, sizeof b), "this host");
}

/* SYN retransmit counts as a minimum age: the classic doubling (no
 * tcp_syn_linear_timeouts) and Linux 6.x's default of 4 linear timeouts
 * (ip-sysctl.rst: RTOs 1, 1, 1, 1, 1, 2, 4, ...). */
static void test_syn_sent_evidence(void)
{
	CHECK(detect_syn_sent_min_age(0, 0) == 0);
	CHECK(detect_syn_sent_min_age(1, 0) == 1);
	CHECK(detect_syn_sent_min_age(2, 0) == 3);   /* 1 + 2 */
	CHECK(detect_syn_sent_min_age(6, 0) == 63);  /* 1 + 2 + ... + 32 */
	CHECK(detect_syn_sent_min_age(5, 4) == 5);   /* five 1 s timeouts */
	CHECK(detect_syn_sent_min_age(6, 4) == 7);   /* + 2 */
	CHECK(detect_syn_sent_min_age(7, 4) == 11);  /* + 4 */
	CHECK(detect_syn_sent_min_age(3, 4) == 3);
	CHECK(detect_syn_sent_min_age(200, 200) > 0); /* clamped, no overflow */
}

int main(void)
{
	test_syn_sent_evidence();
	test_table();
	test_threshold_parse();
	test_reserved_ports();
	test_close_wait_age_and_clear();
	test_close_wait_one_shot_evidence();
	test_close_wait_growth_and_owners();
	test_hold_and_no_flap();
	test_port_exhaustion();
	test_port_groups_bounded();
	test_listen_overflow();
	test_syn_sent();
	test_kernel_levels();
	test_tcp_memory();
	test_retrans();
	test_stalled();
	test_sorting_and_disable();
	test_owner_format();
	return check_summary("test_detect");
}
