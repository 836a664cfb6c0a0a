/* test_track.c — the tracker on hand-built snapshot sequences. */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "check.h"
#include "tcpscope/track.h"

#define S(x) ((uint64_t)((x) * 1e9))

/* One snapshot reused for every poll, as app.c does; its old contents are
 * poisoned before each poll so that the tracker reading a previous
 * sighting would show. (s[1] is for tests that alternate on purpose.) */
struct seq {
	struct snapshot s[2];
	int cur;
	double t; /* seconds */
};

static void seq_init(struct seq *q)
{
	snapshot_init(&q->s[0]);
	snapshot_init(&q->s[1]);
	q->cur = 0;
	q->t = 100;
}

static void seq_done(struct seq *q)
{
	snapshot_done(&q->s[0]);
	snapshot_done(&q->s[1]);
}

/* Start the next snapshot at time t. */
static struct snapshot *seq_next(struct seq *q, double t)
{
	struct snapshot *s = &q->s[q->cur];
	if (s->conns)
		memset(s->conns, 0x5a, s->cap * sizeof *s->conns);
	snapshot_clear(s);
	s->source = SNAP_SRC_NETLINK;
	s->mono_ns = S(t);
	s->wall = 1700000000.0 + t;
	q->t = t;
	return s;
}

static struct conn *add(struct snapshot *s, uint64_t cookie, int state, uint16_t lport,
			uint16_t rport)
{
	struct conn *c = snapshot_add(s);
	c->family = AF_INET;
	c->cookie = cookie;
	c->have = CONN_HAVE_COOKIE | CONN_HAVE_TIMER | CONN_HAVE_INODE;
	c->state = (uint8_t)state;
	c->laddr.b[0] = 127, c->laddr.b[3] = 1;
	c->raddr.b[0] = 127, c->raddr.b[3] = 1;
	c->lport = lport;
	c->rport = rport;
	c->inode = (uint32_t)cookie + 1000;
	return c;
}

static void info(struct conn *c, uint64_t acked, uint64_t recvd, uint32_t retrans)
{
	c->ti.have = TI_BASE | TI_BYTES_ACKED;
	c->ti.bytes_acked = acked;
	c->ti.bytes_received = recvd;
	c->ti.total_retrans = retrans;
}

static const struct track_event *ev_of(struct tracker *t, size_t *n)
{
	return tracker_events(t, n);
}

static void test_appear_change_vanish(void)
{
	struct seq q;
	seq_init(&q);
	struct track_opts o = {.tomb_s = 2};
	struct tracker *t = tracker_new(&o);
	size_t n;

	struct snapshot *s = seq_next(&q, 10);
	add(s, 1, TCPS_ESTABLISHED, 40000, 80);
	add(s, 2, TCPS_LISTEN, 80, 0);
	tracker_update(t, s);
	ev_of(t, &n);
	CHECK_INT(n, 0); /* baseline: no events */
	const struct track_entry *e = tracker_find(t, &s->conns[0]);
	CHECK(e != NULL);
	CHECK(e && (e->flags & TRK_AGE_LOWER));
	CHECK(e && !(e->flags & TRK_NEW));
	CHECK(e && isnan(e->rx_bps));

	s = seq_next(&q, 11);
	add(s, 1, TCPS_ESTABLISHED, 40000, 80);
	add(s, 2, TCPS_LISTEN, 80, 0);
	add(s, 3, TCPS_SYN_SENT, 40001, 81);
	tracker_update(t, s);
	const struct track_event *ev = ev_of(t, &n);
	CHECK_INT(n, 1);
	CHECK_INT(ev[0].kind, TEV_NEW);
	CHECK_INT(ev[0].to, TCPS_SYN_SENT);
	CHECK_INT(ev[0].conn.cookie, 3);
	e = tracker_find(t, &s->conns[2]);
	CHECK(e && (e->flags & TRK_NEW) && !(e->flags & TRK_AGE_LOWER));
	CHECK(e && e->first_seen_ns == S(11));

	s = seq_next(&q, 12.5);
	add(s, 1, TCPS_ESTABLISHED, 40000, 80);
	add(s, 2, TCPS_LISTEN, 80, 0);
	add(s, 3, TCPS_ESTABLISHED, 40001, 81);
	tracker_update(t, s);
	ev = ev_of(t, &n);
	CHECK_INT(n, 1);
	CHECK_INT(ev[0].kind, TEV_STATE);
	CHECK_INT(ev[0].from, TCPS_SYN_SENT);
	CHECK_INT(ev[0].to, TCPS_ESTABLISHED);
	CHECK(fabs(ev[0].in_state_s - 1.5) < 1e-9);
	CHECK(!ev[0].in_state_lower);
	e = tracker_find(t, &s->conns[2]);
	CHECK(e && (e->flags & TRK_CHANGED) && !(e->flags & TRK_NEW));
	CHECK(e && e->prev_state == TCPS_SYN_SENT);
	size_t nh = 9;
	const struct track_transition *h = e ? tracker_history(t, e->key, &nh) : NULL;
	CHECK(h && nh == 1 && h[0].from == TCPS_SYN_SENT && h[0].to == TCPS_ESTABLISHED &&
	      h[0].at_ns == S(12.5));
	CHECK(tracker_history(t, 1, &nh) == NULL && nh == 0); /* a baseline socket: none yet */
	CHECK(e && fabs(track_state_age(e, S(14)) - 1.5) < 1e-9);

	/* A baseline socket changing state: time in the old state is "at least". */
	s = seq_next(&q, 13);
	add(s, 1, TCPS_FIN_WAIT1, 40000, 80);
	add(s, 2, TCPS_LISTEN, 80, 0);
	add(s, 3, TCPS_ESTABLISHED, 40001, 81);
	tracker_update(t, s);
	ev = ev_of(t, &n);
	CHECK_INT(n, 1);
	CHECK(n == 1 && ev[0].in_state_lower && fabs(ev[0].in_state_s - 3) < 1e-9);
	e = tracker_find(t, &s->conns[0]);
	CHECK(e && !(e->flags & TRK_AGE_LOWER)); /* entered FIN_WAIT1 under our eyes */

	/* Vanish: a tomb with the last sighting, a closed event. */
	s = seq_next(&q, 14);
	add(s, 2, TCPS_LISTEN, 80, 0);
	add(s, 3, TCPS_ESTABLISHED, 40001, 81);
	tracker_update(t, s);
	ev = ev_of(t, &n);
	CHECK_INT(n, 1);
	CHECK_INT(ev[0].kind, TEV_CLOSED);
	CHECK_INT(ev[0].seen_by, SEEN_POLL);
	CHECK_INT(ev[0].from, TCPS_FIN_WAIT1);
	CHECK_INT(ev[0].conn.lport, 40000);
	CHECK(ev[0].lifetime_lower && fabs(ev[0].lifetime_s - 4) < 1e-9);
	size_t ne;
	const struct track_entry *const *list = tracker_entries(t, &ne);
	CHECK_INT(ne, 3);
	int tombs = 0;
	for (size_t i = 0; i < ne; i++)
		if (list[i]->flags & TRK_TOMB) {
			tombs++;
			CHECK_INT(list[i]->conn->lport, 40000);
			CHECK_INT(list[i]->tomb_ns, S(14));
		}
	CHECK_INT(tombs, 1);

	/* Tomb still there after 1 s, gone after 2 s. */
	s = seq_next(&q, 15);
	add(s, 2, TCPS_LISTEN, 80, 0);
	add(s, 3, TCPS_ESTABLISHED, 40001, 81);
	tracker_update(t, s);
	tracker_entries(t, &ne);
	CHECK_INT(ne, 3);
	ev_of(t, &n);
	CHECK_INT(n, 0);
	s = seq_next(&q, 16);
	add(s, 2, TCPS_LISTEN, 80, 0);
	add(s, 3, TCPS_ESTABLISHED, 40001, 81);
	tracker_update(t, s);
	tracker_entries(t, &ne);
	CHECK_INT(ne, 2);
	/* Lookups still right after the swap-remove. */
	CHECK(tracker_find(t, &s->conns[0]) && tracker_find(t, &s->conns[0])->key == 2);
	CHECK(tracker_find(t, &s->conns[1]) && tracker_find(t, &s->conns[1])->key == 3);

	tracker_free(t);
	seq_done(&q);
}

static void test_cookie_reuse(void)
{
	struct seq q;
	seq_init(&q);
	struct tracker *t = tracker_new(NULL);
	size_t n;
	struct snapshot *s = seq_next(&q, 1);
	add(s, 10, TCPS_ESTABLISHED, 5000, 6000);
	tracker_update(t, s);
	/* Same 4-tuple, new cookie: the old socket closed, a new one opened. */
	s = seq_next(&q, 2);
	add(s, 11, TCPS_ESTABLISHED, 5000, 6000);
	tracker_update(t, s);
	const struct track_event *ev = ev_of(t, &n);
	CHECK_INT(n, 2);
	int news = 0, closes = 0;
	for (size_t i = 0; i < n; i++) {
		if (ev[i].kind == TEV_NEW && ev[i].conn.cookie == 11)
			news++;
		if (ev[i].kind == TEV_CLOSED && ev[i].conn.cookie == 10)
			closes++;
	}
	CHECK_INT(news, 1);
	CHECK_INT(closes, 1);
	const struct track_entry *e = tracker_find(t, &s->conns[0]);
	CHECK(e && e->key == 11 && (e->flags & TRK_NEW) && !(e->flags & TRK_TOMB));
	tracker_free(t);
	seq_done(&q);
}

static void test_rates(void)
{
	struct seq q;
	seq_init(&q);
	struct tracker *t = tracker_new(NULL);
	struct snapshot *s = seq_next(&q, 1);
	info(add(s, 1, TCPS_ESTABLISHED, 1, 2), 1000, 500, 3);
	tracker_update(t, s);
	const struct track_entry *e = tracker_find(t, &s->conns[0]);
	/* First sighting: no rate yet, not zero. */
	CHECK(e && isnan(e->rx_bps) && isnan(e->tx_bps) && isnan(e->retrans_per_s));

	s = seq_next(&q, 3);
	info(add(s, 1, TCPS_ESTABLISHED, 1, 2), 5000, 2500, 7);
	tracker_update(t, s);
	e = tracker_find(t, &s->conns[0]);
	CHECK(e && fabs(e->tx_bps - 2000) < 1e-6);
	CHECK(e && fabs(e->rx_bps - 1000) < 1e-6);
	CHECK(e && fabs(e->retrans_per_s - 2) < 1e-9);

	/* Counters went backwards: a reset, no rate this tick, new baseline. */
	s = seq_next(&q, 4);
	info(add(s, 1, TCPS_ESTABLISHED, 1, 2), 100, 50, 1);
	tracker_update(t, s);
	e = tracker_find(t, &s->conns[0]);
	CHECK(e && isnan(e->tx_bps) && isnan(e->rx_bps) && isnan(e->retrans_per_s));
	s = seq_next(&q, 5);
	info(add(s, 1, TCPS_ESTABLISHED, 1, 2), 1100, 50, 1);
	tracker_update(t, s);
	e = tracker_find(t, &s->conns[0]);
	CHECK(e && fabs(e->tx_bps - 1000) < 1e-6 && e->rx_bps == 0 && e->retrans_per_s == 0);

	/* total_retrans is 32 bits: passing 2^32 is a wrap, not a reset. */
	s = seq_next(&q, 6);
	info(add(s, 1, TCPS_ESTABLISHED, 1, 2), 1100, 50, 0xFFFFFFF0u);
	tracker_update(t, s);
	s = seq_next(&q, 7);
	info(add(s, 1, TCPS_ESTABLISHED, 1, 2), 1100, 50, 0x10);
	tracker_update(t, s);
	e = tracker_find(t, &s->conns[0]);
	CHECK(e && fabs(e->retrans_per_s - 32) < 1e-9);

	/* No tcp_info (TIME_WAIT): unknown again, and no stale baseline. */
	s = seq_next(&q, 8);
	add(s, 1, TCPS_TIME_WAIT, 1, 2);
	tracker_update(t, s);
	e = tracker_find(t, &s->conns[0]);
	CHECK(e && isnan(e->tx_bps));
	tracker_free(t);
	seq_done(&q);
}

static void test_evidence(void)
{
	struct seq q;
	seq_init(&q);
	struct tracker *t = tracker_new(NULL);
	struct snapshot *s = seq_next(&q, 100);
	struct conn *c = add(s, 1, TCPS_TIME_WAIT, 1, 2);
	c->timer = TIMER_TIMEWAIT;
	c->timer_ms = 45000; /* 15 s of 60 gone */
	c = add(s, 2, TCPS_CLOSE_WAIT, 3, 4);
	c->ti.have = TI_BASE;
	c->ti.last_ack_recv_ms = 7000;
	add(s, 3, TCPS_ESTABLISHED, 5, 6);
	tracker_update(t, s);
	const struct track_entry *e = tracker_find(t, &s->conns[0]);
	CHECK(e && (e->flags & TRK_AGE_ESTIMATED) && !(e->flags & TRK_AGE_LOWER));
	CHECK(e && fabs(track_state_age(e, S(100)) - 15) < 1e-6);
	e = tracker_find(t, &s->conns[1]);
	CHECK(e && (e->flags & TRK_AGE_ESTIMATED));
	CHECK(e && fabs(track_state_age(e, S(101)) - 8) < 1e-6);
	e = tracker_find(t, &s->conns[2]);
	CHECK(e && (e->flags & TRK_AGE_LOWER) && !(e->flags & TRK_AGE_ESTIMATED));

	/* A TIME_WAIT socket born since the last poll (1 s ago) cannot be older
	 * than that, whatever its timer says. */
	s = seq_next(&q, 101);
	add(s, 1, TCPS_TIME_WAIT, 1, 2)->timer_ms = 44000;
	s->conns[0].timer = TIMER_TIMEWAIT;
	c = add(s, 4, TCPS_TIME_WAIT, 7, 8);
	c->timer = TIMER_TIMEWAIT;
	c->timer_ms = 30000;
	tracker_update(t, s);
	e = tracker_find(t, &s->conns[1]);
	CHECK(e && (e->flags & TRK_NEW) && fabs(track_state_age(e, S(101)) - 1) < 1e-6);
	tracker_free(t);
	seq_done(&q);
}

static struct conn *add_proc(struct snapshot *s, int state, uint16_t lport, uint32_t inode)
{
	struct conn *c = add(s, 0, state, lport, 80);
	c->have = CONN_HAVE_INODE;
	c->cookie = 0;
	c->inode = inode;
	return c;
}

static void test_proc_keying(void)
{
	struct seq q;
	seq_init(&q);
	struct tracker *t = tracker_new(NULL);
	size_t n;
	struct snapshot *s = seq_next(&q, 1);
	add_proc(s, TCPS_ESTABLISHED, 1000, 77);
	add_proc(s, TCPS_ESTABLISHED, 1001, 78);
	s->source = SNAP_SRC_PROC;
	tracker_update(t, s);
	s = seq_next(&q, 2);
	s->source = SNAP_SRC_PROC;
	add_proc(s, TCPS_CLOSE_WAIT, 1000, 77);  /* same socket, new state */
	add_proc(s, TCPS_ESTABLISHED, 1001, 79); /* same tuple, new inode: new socket */
	tracker_update(t, s);
	const struct track_event *ev = ev_of(t, &n);
	int st = 0, nw = 0, cl = 0;
	for (size_t i = 0; i < n; i++) {
		st += ev[i].kind == TEV_STATE && ev[i].conn.lport == 1000;
		nw += ev[i].kind == TEV_NEW && ev[i].conn.inode == 79;
		cl += ev[i].kind == TEV_CLOSED && ev[i].conn.inode == 78;
	}
	CHECK_INT(n, 3);
	CHECK_INT(st, 1);
	CHECK_INT(nw, 1);
	CHECK_INT(cl, 1);
	CHECK(track_key(&s->conns[0]) != track_key(&s->conns[1]));
	tracker_free(t);
	seq_done(&q);
}

static void test_destroy(void)
{
	struct seq q;
	seq_init(&q);
	struct tracker *t = tracker_new(NULL);
	size_t n;
	struct snapshot *s = seq_next(&q, 1);
	struct conn *c = add(s, 1, TCPS_ESTABLISHED, 1000, 80);
	c->pid = 42;
	strcpy(c->comm, "curl");
	c->have |= CONN_HAVE_PROC;
	add(s, 2, TCPS_FIN_WAIT2, 1001, 80);
	tracker_update(t, s);

	/* Destroy messages: a known socket (endpoints cleared as after an RST),
	 * one born and gone between polls, one going to TIME_WAIT under the same
	 * cookie, one under a new cookie (4-tuple match). */
	struct conn d;
	memset(&d, 0, sizeof d);
	d.family = AF_INET;
	d.have = CONN_HAVE_COOKIE;
	d.state = TCPS_CLOSE;
	d.cookie = 1;
	d.ti.have = TI_BASE | TI_BYTES_ACKED;
	d.ti.bytes_acked = 12345;
	struct conn_tcpinfo_x dx = {.have = true, .segs_out = 77, .bytes_retrans = 1400};
	tracker_note_destroyed(t, &d, &dx, 1700000001.25, S(1.25));
	struct conn u = d;
	u.cookie = 99;
	u.lport = 2000;
	u.rport = 80;
	u.laddr.b[0] = 127, u.laddr.b[3] = 1;
	u.raddr.b[0] = 127, u.raddr.b[3] = 1;
	tracker_note_destroyed(t, &u, NULL, 1700000001.5, S(1.5));
	struct conn w = d;
	w.cookie = 2;
	tracker_note_destroyed(t, &w, NULL, 1700000001.6, S(1.6));
	struct conn x = u;
	x.cookie = 500;
	x.lport = 3000;
	tracker_note_destroyed(t, &x, NULL, 1700000001.7, S(1.7));

	s = seq_next(&q, 2);
	add(s, 2, TCPS_TIME_WAIT, 1001, 80);
	add(s, 501, TCPS_TIME_WAIT, 3000, 80);
	tracker_update(t, s);
	const struct track_event *ev = ev_of(t, &n);
	const struct track_stats *st = tracker_stats(t);
	CHECK_INT(st->destroy_known, 1);
	CHECK_INT(st->destroy_unknown, 1);
	CHECK_INT(st->destroy_lives_on, 2);
	/* closed(1) at 1.25, closed(99) at 1.5, then the poll's state + new. */
	CHECK_INT(n, 4);
	if (n == 4) {
		CHECK_INT(ev[0].kind, TEV_CLOSED);
		CHECK_INT(ev[0].conn.cookie, 1);
		CHECK_INT(ev[0].seen_by, SEEN_POLL);
		CHECK(fabs(ev[0].time - 1700000001.25) < 1e-6);
		CHECK(fabs(ev[0].lifetime_s - 0.25) < 1e-6 && ev[0].lifetime_lower);
		CHECK_INT(ev[0].conn.lport, 1000);          /* endpoints from memory */
		CHECK_INT(ev[0].conn.ti.bytes_acked, 12345); /* bytes from the destroy */
		CHECK(ev[0].tix.have && ev[0].tix.segs_out == 77 && ev[0].tix.bytes_retrans == 1400);
		CHECK_INT(ev[0].conn.pid, 42);
		CHECK_STR(ev[0].conn.comm, "curl");
		CHECK_INT(ev[0].from, TCPS_ESTABLISHED);
		CHECK_INT(ev[1].kind, TEV_CLOSED);
		CHECK_INT(ev[1].conn.cookie, 99);
		CHECK_INT(ev[1].seen_by, SEEN_DESTROY);
		CHECK(!ev[1].tix.have);
		CHECK(isnan(ev[1].lifetime_s));
		CHECK_INT(ev[2].kind + ev[3].kind, TEV_STATE + TEV_NEW);
	}
	/* A tomb's close time is the exact one. */
	size_t ne;
	const struct track_entry *const *list = tracker_entries(t, &ne);
	for (size_t i = 0; i < ne; i++)
		if (list[i]->key == 1)
			CHECK_INT(list[i]->tomb_ns, S(1.25));

	/* TIME_WAIT keeps its owner by cookie after the inode goes to 0. */
	s = seq_next(&q, 3);
	c = add(s, 7, TCPS_ESTABLISHED, 4000, 80);
	c->pid = 7;
	strcpy(c->comm, "wget");
	c->have |= CONN_HAVE_PROC;
	tracker_update(t, s);
	s = seq_next(&q, 4);
	c = add(s, 7, TCPS_TIME_WAIT, 4000, 80);
	c->inode = 0;
	tracker_update(t, s);
	const struct track_entry *e = tracker_find(t, c);
	/* The snapshot's TIME_WAIT conn has no owner; the tracker's copy
	 * keeps the last one known. */
	CHECK(!(c->have & CONN_HAVE_PROC));
	CHECK(e && e->conn != c && e->conn->pid == 7 && !strcmp(e->conn->comm, "wget") &&
	      (e->conn->have & CONN_HAVE_PROC));
	s = seq_next(&q, 5);
	tracker_update(t, s);
	ev = ev_of(t, &n);
	CHECK_INT(n, 1);
	CHECK(n == 1 && ev[0].conn.pid == 7 && (ev[0].conn.have & CONN_HAVE_PROC));
	tracker_free(t);
	seq_done(&q);
}

static void test_partial_and_reuse(void)
{
	struct seq q;
	seq_init(&q);
	struct tracker *t = tracker_new(NULL);
	size_t n;
	struct snapshot *s = seq_next(&q, 1);
	add(s, 1, TCPS_ESTABLISHED, 1, 2);
	struct conn *c2 = add(s, 2, TCPS_LISTEN, 3, 0);
	c2->pid = 77;
	strcpy(c2->comm, "server");
	c2->have |= CONN_HAVE_PROC;
	tracker_update(t, s);
	s = seq_next(&q, 2);
	s->flags |= SNAP_PARTIAL;
	add(s, 1, TCPS_ESTABLISHED, 1, 2);
	tracker_update(t, s);
	ev_of(t, &n);
	CHECK_INT(n, 0); /* an incomplete dump makes nothing vanish */
	/* The socket the incomplete dump missed lives on a copy: same endpoints,
	 * state and owner (detectors name it from there). */
	size_t ne;
	const struct track_entry *const *es = tracker_entries(t, &ne);
	const struct track_entry *gap = NULL;
	for (size_t i = 0; i < ne; i++)
		if (es[i]->key == 2)
			gap = es[i];
	CHECK(gap && !(gap->flags & TRK_TOMB) && gap->conn->state == TCPS_LISTEN &&
	      gap->conn->lport == 3 && (gap->conn->have & CONN_HAVE_PROC) &&
	      gap->conn->pid == 77 && !strcmp(gap->conn->comm, "server"));
	s = seq_next(&q, 3);
	add(s, 1, TCPS_ESTABLISHED, 1, 2);
	add(s, 2, TCPS_LISTEN, 3, 0);
	tracker_update(t, s);
	ev_of(t, &n);
	CHECK_INT(n, 0);

	/* The same snapshot object twice: states right, tombs minimal. */
	struct snapshot one;
	snapshot_init(&one);
	struct tracker *t2 = tracker_new(NULL);
	one.mono_ns = S(1);
	add(&one, 5, TCPS_ESTABLISHED, 1, 2);
	tracker_update(t2, &one);
	snapshot_clear(&one);
	one.mono_ns = S(2);
	tracker_update(t2, &one);
	const struct track_event *ev = ev_of(t2, &n);
	CHECK_INT(n, 1);
	CHECK(n == 1 && ev[0].kind == TEV_CLOSED && ev[0].conn.cookie == 5 &&
	      ev[0].from == TCPS_ESTABLISHED);
	tracker_free(t2);
	snapshot_done(&one);
	tracker_free(t);
	seq_done(&q);
}

/* -A: a poll that failed in one namespace keeps only that namespace's
 * unseen sockets; another namespace's vanished socket closes as usual. */
static void test_partial_per_namespace(void)
{
	struct seq q;
	seq_init(&q);
	struct tracker *t = tracker_new(NULL);
	struct snapshot *s = seq_next(&q, 1);
	add(s, 1, TCPS_ESTABLISHED, 1000, 80)->netns = 11;
	add(s, 2, TCPS_ESTABLISHED, 1000, 80)->netns = 22;
	tracker_update(t, s);
	s = seq_next(&q, 2);
	s->flags |= SNAP_PARTIAL;
	s->partial_ns[0] = 11;
	s->npartial_ns = 1; /* namespace 11's dump failed; 22's was complete */
	tracker_update(t, s);
	size_t n;
	const struct track_event *ev = ev_of(t, &n);
	CHECK_INT(n, 1);
	CHECK(n == 1 && ev[0].kind == TEV_CLOSED && ev[0].conn.cookie == 2 && ev[0].conn.netns == 22);
	size_t ne;
	const struct track_entry *const *es = tracker_entries(t, &ne);
	bool kept = false;
	for (size_t i = 0; i < ne; i++)
		kept |= es[i]->key == 1 && !(es[i]->flags & TRK_TOMB);
	CHECK(kept); /* namespace 11's socket stays until a complete poll */
	/* The same failure without the list: the whole poll was incomplete. */
	s = seq_next(&q, 3);
	s->flags |= SNAP_PARTIAL;
	tracker_update(t, s);
	ev_of(t, &n);
	CHECK_INT(n, 0);
	tracker_free(t);
	seq_done(&q);
}

static void test_kstat_rates(void)
{
	struct seq q;
	seq_init(&q);
	struct tracker *t = tracker_new(NULL);
	struct snapshot *s = seq_next(&q, 1);
	s->kernel.mono_ns = S(1);
	s->kernel.have = 1ull << KS_ACTIVE_OPENS | 1ull << KS_SOCK_TW;
	s->kernel.v[KS_ACTIVE_OPENS] = 100;
	s->kernel.v[KS_SOCK_TW] = 5;
	tracker_update(t, s);
	CHECK(isnan(tracker_kstat_rates(t)->per_s[KS_ACTIVE_OPENS]));
	s = seq_next(&q, 3);
	s->kernel.mono_ns = S(3);
	s->kernel.have = 1ull << KS_ACTIVE_OPENS | 1ull << KS_SOCK_TW;
	s->kernel.v[KS_ACTIVE_OPENS] = 150;
	s->kernel.v[KS_SOCK_TW] = 9;
	tracker_update(t, s);
	const struct kstat_rates *r = tracker_kstat_rates(t);
	CHECK(fabs(r->per_s[KS_ACTIVE_OPENS] - 25) < 1e-9);
	CHECK(isnan(r->per_s[KS_SOCK_TW]));      /* a level, not a counter */
	CHECK(isnan(r->per_s[KS_PASSIVE_OPENS])); /* unknown */
	CHECK(fabs(r->interval_s - 2) < 1e-9);
	tracker_free(t);
	seq_done(&q);
}

/* A bigger population: every socket found again after churn and removal. */
static void test_churn(void)
{
	struct seq q;
	seq_init(&q);
	struct track_opts o = {.tomb_s = 0};
	struct tracker *t = tracker_new(&o);
	int bad = 0;
	for (int round = 0; round < 6; round++) {
		struct snapshot *s = seq_next(&q, round + 1);
		for (uint64_t k = 1; k <= 3000; k++)
			if ((k + (uint64_t)round) % 3 != 0)
				add(s, k, TCPS_ESTABLISHED, (uint16_t)k, 1);
		tracker_update(t, s);
		for (size_t i = 0; i < s->n; i++) {
			const struct track_entry *e = tracker_find(t, &s->conns[i]);
			/* The tracker's own copy of this sighting. */
			if (!e || e->conn == &s->conns[i] ||
			    memcmp(e->conn, &s->conns[i], sizeof *e->conn) || (e->flags & TRK_TOMB))
				bad++;
		}
		size_t ne;
		tracker_entries(t, &ne);
		if (round > 0 && ne != s->n + 1000) /* live + this round's tombs */
			bad++;
	}
	CHECK_INT(bad, 0);
	tracker_free(t);
	seq_done(&q);
}

/* Lookups done ahead (tracker_hint, as the live view's collect thread
 * does): the same entries and events as a plain update, also when some
 * hints are stale (another entry's index, out of range) and while tombs
 * come back to life. */
static void test_hinted(void)
{
	struct seq q;
	seq_init(&q);
	struct track_opts o = {.tomb_s = 2.5};
	struct tracker *a = tracker_new(&o), *b = tracker_new(&o);
	uint32_t hint[3000];
	int bad = 0;
	for (int round = 0; round < 8; round++) {
		struct snapshot *s = seq_next(&q, round + 1);
		for (uint64_t k = 1; k <= 3000; k++)
			if ((k + (uint64_t)round) % 3 != 0 && !(round % 4 == 2 && k % 7 == 0))
				add(s, k, (k + (uint64_t)round) % 5 ? TCPS_ESTABLISHED : TCPS_CLOSE_WAIT,
				    (uint16_t)k, 1);
		tracker_hint(b, s->conns, s->n, sizeof *s->conns, hint);
		for (size_t i = 0; i < s->n; i += 17)
			hint[i] = i % 2 ? (uint32_t)(i * 7 % 2500) : 4000000u;
		tracker_update(a, s);
		tracker_update_hinted(b, s, hint);
		size_t na, nb, ea, eb;
		const struct track_entry *const *la = tracker_entries(a, &na);
		const struct track_entry *const *lb = tracker_entries(b, &nb);
		const struct track_event *va = tracker_events(a, &ea);
		const struct track_event *vb = tracker_events(b, &eb);
		if (na != nb || ea != eb) {
			bad++;
			continue;
		}
		for (size_t i = 0; i < na; i++)
			if (la[i]->key != lb[i]->key || la[i]->flags != lb[i]->flags ||
			    la[i]->conn->state != lb[i]->conn->state)
				bad++;
		for (size_t i = 0; i < ea; i++)
			if (va[i].kind != vb[i].kind || va[i].conn.cookie != vb[i].conn.cookie)
				bad++;
	}
	CHECK_INT(bad, 0);
	tracker_free(a);
	tracker_free(b);
	seq_done(&q);
}

/* An idle update (every entry seen, none new) skips the sweep and keeps
 * the list; any change of the set (one gone and one new in the same
 * update: the same count, entries moved), a tomb's expiry, or a grown
 * array makes it again: the list always names exactly the live entries,
 * then the tombs, each entry's conn its own latest sighting. */
static void test_idle_list(void)
{
	struct seq q;
	seq_init(&q);
	struct track_opts o = {.tomb_s = 1.5};
	struct tracker *t = tracker_new(&o);
	int bad = 0;
	/* 2000 sockets; at round 3 socket 17 goes and 5001 comes (the same
	 * count), at 9 socket 3 goes, at 10 socket 5002 comes; the rest idle
	 * (a tomb lasts 1.5 rounds). */
	bool gone[2001] = {false};
	for (uint64_t r = 0; r < 12; r++) {
		struct snapshot *s = seq_next(&q, (double)r + 1);
		if (r == 3)
			gone[17] = true;
		if (r == 9)
			gone[3] = true;
		size_t live = 0;
		for (uint64_t k = 1; k <= 2000u + (r >= 3u) + (r >= 10u); k++) {
			uint64_t key = k <= 2000 ? k : 5000 + (k - 2000);
			if (key <= 2000 && gone[key])
				continue;
			struct conn *c = add(s, key, TCPS_ESTABLISHED, (uint16_t)key, 1);
			info(c, 1000 * r + key, key, 0); /* a counter that moves */
			live++;
		}
		tracker_update(t, s);
		size_t n;
		const struct track_entry *const *l = tracker_entries(t, &n);
		size_t nlive = 0;
		for (size_t i = 0; i < n; i++) {
			const struct track_entry *e = l[i];
			bool tomb = (e->flags & TRK_TOMB) != 0;
			if (!tomb && i != nlive)
				bad++; /* live ones first */
			nlive += !tomb;
			if (e->conn->cookie != e->key)
				bad++; /* a stale conn pointer */
			if (!tomb && e->conn->ti.bytes_acked != 1000 * r + e->key)
				bad++; /* not the latest sighting */
			if (tomb != (e->key <= 2000 && gone[e->key]))
				bad++;
		}
		if (nlive != live)
			bad++;
	}
	CHECK_INT(bad, 0);
	tracker_free(t);
	seq_done(&q);
}

/* History: the newest TRACK_HIST transitions; a removed tomb's pool slot
 * is reused with a fresh history. A tomb keeps endpoints, uid, inode and
 * byte counters although its snapshot slot was overwritten. */
static void test_history_pool(void)
{
	struct seq q;
	seq_init(&q);
	struct track_opts o = {.tomb_s = 1};
	struct tracker *t = tracker_new(&o);
	static const int walk[] = {TCPS_SYN_SENT, TCPS_ESTABLISHED, TCPS_FIN_WAIT1,
				   TCPS_FIN_WAIT2, TCPS_TIME_WAIT, TCPS_CLOSE};
	for (int i = 0; i < 6; i++) {
		struct snapshot *s = seq_next(&q, 10 + i);
		struct conn *c = add(s, 5, walk[i], 41000, 443);
		c->uid = 1234;
		c->have |= CONN_HAVE_UID;
		info(c, 1000u * (unsigned)(i + 1), 70, 0);
		tracker_update(t, s);
	}
	size_t nh = 0;
	const struct track_transition *h = tracker_history(t, 5, &nh);
	CHECK_INT(nh, TRACK_HIST);
	CHECK(h && h[0].from == TCPS_ESTABLISHED && h[0].to == TCPS_FIN_WAIT1);
	CHECK(h && h[TRACK_HIST - 1].to == TCPS_CLOSE && h[TRACK_HIST - 1].at_ns == S(15));
	struct snapshot *s = seq_next(&q, 16); /* gone */
	add(s, 6, TCPS_SYN_SENT, 41001, 443);
	tracker_update(t, s);
	size_t n;
	const struct track_event *ev = tracker_events(t, &n);
	const struct track_event *cl = NULL;
	for (size_t i = 0; i < n; i++)
		if (ev[i].kind == TEV_CLOSED)
			cl = &ev[i];
	CHECK(cl != NULL);
	if (cl) {
		CHECK_INT(cl->conn.lport, 41000);
		CHECK_INT(cl->conn.rport, 443);
		CHECK_INT(cl->conn.raddr.b[0], 127);
		CHECK_INT(cl->conn.uid, 1234);
		CHECK_INT(cl->conn.inode, 1005);
		CHECK_INT(cl->conn.ti.bytes_acked, 6000);
		CHECK_INT(cl->conn.ti.bytes_received, 70);
		CHECK_INT(cl->conn.cookie, 5);
		CHECK_INT(cl->from, TCPS_CLOSE);
	}
	s = seq_next(&q, 18); /* the tomb expires; 6 changes state */
	add(s, 6, TCPS_ESTABLISHED, 41001, 443);
	tracker_update(t, s);
	CHECK(tracker_history(t, 5, &nh) == NULL && nh == 0);
	h = tracker_history(t, 6, &nh);
	CHECK(h && nh == 1 && h[0].from == TCPS_SYN_SENT && h[0].to == TCPS_ESTABLISHED);
	tracker_free(t);
	seq_done(&q);
}

/* One look: the same entries a first tracker_update() makes (keys, ages
 * from evidence, flags), borrowing the snapshot's conns; no key map, no
 * events; kernel counters taken. */
static void test_look(void)
{
	struct seq q;
	seq_init(&q);
	struct snapshot *s = seq_next(&q, 100);
	struct conn *c = add(s, 1, TCPS_TIME_WAIT, 1, 2);
	c->timer = TIMER_TIMEWAIT;
	c->timer_ms = 45000;
	c = add(s, 2, TCPS_CLOSE_WAIT, 3, 4);
	c->ti.have = TI_BASE;
	c->ti.last_ack_recv_ms = 7000;
	add(s, 3, TCPS_ESTABLISHED, 5, 6);
	s->kernel.v[KS_SOCK_TW] = 1;
	s->kernel.have = 1ull << KS_SOCK_TW;
	struct tracker *u = tracker_new(NULL), *l = tracker_new(NULL);
	tracker_update(u, s);
	tracker_look(l, s);
	size_t nu, nl, ne;
	const struct track_entry *const *eu = tracker_entries(u, &nu);
	const struct track_entry *const *el = tracker_entries(l, &nl);
	CHECK_INT(nl, 3);
	CHECK_INT(nu, nl);
	for (size_t i = 0; i < nl && i < nu; i++) {
		CHECK(el[i]->conn == &s->conns[i]); /* borrowed, not copied */
		CHECK(memcmp(eu[i]->conn, el[i]->conn, sizeof *el[i]->conn) == 0);
		CHECK(eu[i]->key == el[i]->key && eu[i]->first_seen_ns == el[i]->first_seen_ns &&
		      eu[i]->state_since_ns == el[i]->state_since_ns &&
		      eu[i]->flags == el[i]->flags && eu[i]->prev_state == el[i]->prev_state);
		CHECK(isnan(el[i]->rx_bps) && isnan(el[i]->retrans_per_s));
	}
	CHECK(nl == 3 && fabs(track_state_age(el[1], S(101)) - 8) < 1e-6);
	tracker_events(l, &ne);
	CHECK_INT(ne, 0);
	CHECK(tracker_find(l, &s->conns[0]) == NULL);
	CHECK(tracker_kstat_rates(l) != NULL && tracker_stats(l)->updates == 1);
	tracker_free(u);
	tracker_free(l);
	seq_done(&q);
}

int main(void)
{
	test_look();
	test_appear_change_vanish();
	test_cookie_reuse();
	test_rates();
	test_evidence();
	test_proc_keying();
	test_destroy();
	test_partial_and_reuse();
	test_partial_per_namespace();
	test_kstat_rates();
	test_churn();
	test_hinted();
	test_idle_list();
	test_history_pool();
	return check_summary("test_track");
}
