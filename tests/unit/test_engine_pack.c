/* test_engine_pack.c — the live view's packed poll (engine_pack.c): on a
 * real loopback population in a network namespace of its own (root;
 * skipped otherwise), ticks in two phases (engine_tick_start/finish) hold
 * exactly what a whole poll of the same sockets holds — the same sockets,
 * endpoints, states, queues, counters, inodes and owners (this process:
 * the owners come through the inodes looked up after the dump) — on the
 * first tick, where nothing has a base, and after sockets opened, closed
 * and sent data, where most have one. With the rest of tcp_info asked for
 * (the detail view) the poll stays whole, and still agrees. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "check.h"
#include "testref.h"
#include "tcpscope/engine.h"
#include "tcpscope/track.h"

#define PAIRS4 1400 /* several parts of a streamed poll */
#define PAIRS6 300
#define MORE 300
#define MAXFD (2 * (PAIRS4 + PAIRS6 + MORE) + 8)

static int cli[MAXFD], srv[MAXFD];
static int npairs;

static int listener(int family, uint16_t port, struct sockaddr_storage *ss, socklen_t *sl)
{
	memset(ss, 0, sizeof *ss);
	if (family == AF_INET) {
		struct sockaddr_in *a = (struct sockaddr_in *)ss;
		a->sin_family = AF_INET;
		a->sin_port = htons(port);
		a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		*sl = sizeof *a;
	} else {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;
		a->sin6_family = AF_INET6;
		a->sin6_port = htons(port);
		a->sin6_addr = in6addr_loopback;
		*sl = sizeof *a;
	}
	int l = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (l < 0 || bind(l, (struct sockaddr *)ss, *sl) < 0 || listen(l, 4096) < 0)
		return -1;
	return l;
}

static bool pairs_add(int l, const struct sockaddr_storage *ss, socklen_t sl, int n)
{
	for (int i = 0; i < n && npairs < MAXFD; i++) {
		int c = socket(ss->ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (c < 0 || connect(c, (const struct sockaddr *)ss, sl) < 0)
			return false;
		int a = accept(l, NULL, NULL);
		if (a < 0)
			return false;
		cli[npairs] = c;
		srv[npairs] = a;
		npairs++;
	}
	return true;
}

/* What two polls a moment apart agree on for an idle or settled socket:
 * `a` the tracker's copy, `b` the whole poll's. A TIME_WAIT socket has no
 * owner or cgroup in a poll; the tracker keeps the last ones known. */
static bool same_socket(const struct conn *a, const struct conn *b)
{
	bool tw = b->state == TCPS_TIME_WAIT;
	uint32_t proc = tw ? CONN_HAVE_PROC | CONN_HAVE_CGROUP : 0;
	bool owner = tw || (a->pid == b->pid && a->nprocs == b->nprocs && !strcmp(a->comm, b->comm));
	return a->cookie == b->cookie && a->family == b->family && a->state == b->state &&
	       !memcmp(&a->laddr, &b->laddr, sizeof a->laddr) &&
	       !memcmp(&a->raddr, &b->raddr, sizeof a->raddr) && a->lport == b->lport &&
	       a->rport == b->rport && a->inode == b->inode && a->uid == b->uid &&
	       a->rqueue == b->rqueue && a->wqueue == b->wqueue && owner &&
	       (a->have & ~proc) == (b->have & ~proc) && a->ti.bytes_acked == b->ti.bytes_acked &&
	       a->ti.bytes_received == b->ti.bytes_received && a->ti.have == b->ti.have &&
	       (tw || a->cgroup_id == b->cgroup_id) && a->netns == b->netns;
}

static int tick_live(struct engine *g)
{
	struct err e = {0};
	int rc = engine_tick_start(g, &e);
	if (rc == 1)
		rc = engine_tick_finish(g, &e);
	return rc;
}

/* The live engine's tracker against a whole poll taken just after. */
static void agree(struct engine *live, struct engine *whole, const char *when, bool packed,
		  bool first)
{
	struct err e = {0};
	CHECK_INT(tick_live(live), 0);
	CHECK(engine_tick_packed(live) == packed);
	CHECK_INT(engine_tick(whole, &e), 0);
	const struct snapshot *s = engine_snapshot(whole);
	CHECK(s != NULL);
	if (!s)
		return;
	size_t n = 0, live_n = 0, found = 0, same = 0, owned = 0;
	const struct track_entry *const *ents = tracker_entries(engine_tracker(live), &n);
	for (size_t i = 0; i < n; i++)
		live_n += !(ents[i]->flags & TRK_TOMB);
	for (size_t i = 0; i < s->n; i++) {
		const struct track_entry *t = tracker_find(engine_tracker(live), &s->conns[i]);
		if (!t || (t->flags & TRK_TOMB))
			continue;
		found++;
		same += same_socket(t->conn, &s->conns[i]);
		owned += s->conns[i].state != TCPS_TIME_WAIT && t->conn->pid == getpid();
	}
	if (!check_report(live_n == s->n && found == s->n && same == s->n, __FILE__, __LINE__,
			  "%s: live %zu, whole %zu, found %zu, same %zu", when, live_n, s->n, found,
			  same))
		return;
	/* The owners came through: the same as the whole poll's (which may
	 * leave new inodes unnamed for a while when a /proc walk was dear,
	 * procmap.h), and on the first tick (always a walk) every socket
	 * but TIME_WAIT ones is this process's. */
	size_t owned_whole = 0;
	for (size_t i = 0; i < s->n; i++)
		owned_whole += s->conns[i].state != TCPS_TIME_WAIT && s->conns[i].pid == getpid();
	CHECK_INT(owned, owned_whole);
	if (first)
		CHECK_INT(owned, s->n - s->counts[TCPS_TIME_WAIT]);
	CHECK(engine_polled(live) == s->n);
}

static void run(void)
{
	struct sockaddr_storage s4, s6;
	socklen_t l4, l6;
	int ls4 = listener(AF_INET, 7600, &s4, &l4), ls6 = listener(AF_INET6, 7601, &s6, &l6);
	if (ls4 < 0 || ls6 < 0 || !pairs_add(ls4, &s4, l4, PAIRS4) ||
	    !pairs_add(ls6, &s6, l6, PAIRS6)) {
		check_skip("packed poll", "no loopback population");
		return;
	}
	struct err e = {0};
	struct engine_opts lo = {.interval_s = 0.05, .source = COLLECT_NETLINK};
	struct engine_opts wo = {.interval_s = 0.05, .source = COLLECT_NETLINK,
				 .keep_snapshot = true, .no_tracking = true};
	struct engine *live = engine_new(&lo, &e), *whole = engine_new(&wo, &e);
	CHECK(live && whole);
	if (!live || !whole)
		goto out;
	/* The first tick: nothing in the tracker, every socket against the
	 * one dumped before it. */
	agree(live, whole, "first tick", true, true);
	/* Unchanged: every socket against its own copy. */
	agree(live, whole, "second tick", true, false);
	/* Data on some, some closed (client first: TIME_WAIT stays), new ones. */
	char buf[4096];
	memset(buf, 'x', sizeof buf);
	for (int i = 0; i < npairs; i += 5) {
		CHECK(write(cli[i], buf, sizeof buf) == (ssize_t)sizeof buf);
		CHECK(write(srv[i], buf, 100) == 100);
	}
	for (int i = 3; i < npairs; i += 9) {
		close(cli[i]);
		close(srv[i]);
		cli[i] = srv[i] = -1;
	}
	CHECK(pairs_add(ls4, &s4, l4, MORE));
	usleep(300 * 1000); /* the closes settle (FIN_WAIT into TIME_WAIT) */
	agree(live, whole, "after changes", true, false);
	/* The rest of tcp_info asked for: whole, as before. */
	engine_set_needs(live, NEED_INFO_X);
	agree(live, whole, "with the rest of tcp_info", false, false);
	engine_set_needs(live, 0);
	agree(live, whole, "packed again", true, false);
out:
	engine_free(live);
	engine_free(whole);
	for (int i = 0; i < npairs; i++) {
		if (cli[i] >= 0)
			close(cli[i]);
		if (srv[i] >= 0)
			close(srv[i]);
	}
	close(ls4);
	close(ls6);
}

int main(void)
{
	if (!ref_netns_private()) {
		check_skip("packed poll", "cannot make a network namespace (not root?)");
		return check_summary("test_engine_pack");
	}
	run();
	return check_summary("test_engine_pack");
}
