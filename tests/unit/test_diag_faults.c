/* test_diag_faults.c — kernel-side faults injected under a real dump.
 *
 * In a private network namespace (root; skipped otherwise) the test holds
 * a known population on loopback: an IPv4 listener with POP4 accepted pairs
 * and an IPv6 listener with POP6 pairs. A recv hook (diag_set_recv_hook, and
 * collector_diag for the collector) passes the kernel's answers through and
 * injects, at a chosen recv call of each dump attempt: EINTR, ENOBUFS,
 * NLM_F_DUMP_INTR on a message, a truncated message, an NLMSG_ERROR, EOF.
 * Checked: a transient fault restarts the whole dump (same cookies, none
 * twice, nothing of the broken attempt kept); a persistent one gives up
 * after the bounded retries with a clear error and SNAP_PARTIAL; a
 * permanent failure in AUTO mode falls back to /proc with a notice, in
 * NETLINK mode it is an error. Streamed into the tracker
 * (collector_poll_stream), the parts stay bounded, a restarted dump is
 * counted once, and process names are filled into the tracker's copies.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/inet_diag.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "check.h"
#include "testref.h"
#include "tcpscope/collect.h"
#include "tcpscope/diag.h"
#include "tcpscope/hmap.h"
#include "tcpscope/track.h"

#define POP4 300 /* pairs: 1 + 2*300 IPv4 sockets: several recv buffers, and
		  * more than one SNAP_PART_MAX part when streamed */
#define POP6 20
#define PORT 7300
#define TRIES 6  /* DIAG_MAX_RESTARTS + 1 in diag.c */

enum fault { F_NONE, F_EINTR, F_ENOBUFS, F_DUMP_INTR, F_TRUNC, F_NLERR, F_EOF, F_COUNT };
static const char *const fault_name[F_COUNT] = {
	[F_NONE] = "none", [F_EINTR] = "EINTR", [F_ENOBUFS] = "ENOBUFS",
	[F_DUMP_INTR] = "NLM_F_DUMP_INTR", [F_TRUNC] = "truncated message",
	[F_NLERR] = "NLMSG_ERROR", [F_EOF] = "EOF",
};

struct inject {
	enum fault kind;
	int at;          /* inject at this recv call of a dump attempt (1-based) */
	int times;       /* how many attempts to break; -1 = every one */
	int nlerr;       /* errno for F_NLERR */
	int after_dumps; /* only once this many dumps have completed */
	/* state */
	int call;        /* recv calls in the current attempt */
	int injected;
	int total_calls;
	int dumps;       /* completed dumps seen */
};

/* The hook counts recv calls per dump attempt; an attempt ends with the
 * buffer holding NLMSG_DONE/NLMSG_ERROR or with an injected fault. Faults
 * that do not recv (EINTR, ENOBUFS, EOF) fire at call `at`; the others recv
 * first and then fire at call `at`, or at the attempt's last buffer when
 * `at` is AT_LAST (restarts use a fresh socket, whose first answer is
 * smaller, so call counts vary between attempts). */
#define AT_LAST (-1)
static ssize_t hook(void *ctx, int fd, void *buf, size_t len)
{
	struct inject *in = ctx;
	in->total_calls++;
	in->call++;
	bool armed = in->kind != F_NONE && in->dumps >= in->after_dumps &&
		     (in->times < 0 || in->injected < in->times);
	if (armed && in->call == in->at &&
	    (in->kind == F_EINTR || in->kind == F_ENOBUFS || in->kind == F_EOF)) {
		in->injected++;
		in->call = 0;
		if (in->kind == F_EOF)
			return 0;
		errno = in->kind == F_EINTR ? EINTR : ENOBUFS;
		return -1;
	}
	ssize_t n = recvfrom(fd, buf, len, 0, NULL, NULL);
	if (n <= 0)
		return n;
	struct nlmsghdr *first = buf;
	bool done = false;
	struct nlmsghdr *h = buf;
	int left = (int)n;
	struct nlmsghdr *last = h;
	while (mnl_nlmsg_ok(h, left)) {
		if (h->nlmsg_type == NLMSG_DONE || h->nlmsg_type == NLMSG_ERROR)
			done = true;
		last = h;
		h = mnl_nlmsg_next(h, &left);
	}
	bool fire = armed && (in->at == AT_LAST ? done : in->call == in->at) &&
		    (in->kind == F_DUMP_INTR || in->kind == F_TRUNC || in->kind == F_NLERR);
	if (fire) {
		in->injected++;
		done = false; /* this attempt fails: not a completed dump */
		in->call = 0;
		switch (in->kind) {
		case F_DUMP_INTR:
			last->nlmsg_flags |= NLM_F_DUMP_INTR;
			break;
		case F_TRUNC:
			n -= 10; /* cut into the last message */
			break;
		default: { /* F_NLERR */
			unsigned seq = first->nlmsg_seq, pid = first->nlmsg_pid;
			struct nlmsghdr *e = mnl_nlmsg_put_header(buf);
			e->nlmsg_type = NLMSG_ERROR;
			e->nlmsg_seq = seq;
			e->nlmsg_pid = pid;
			struct nlmsgerr *er = mnl_nlmsg_put_extra_header(e, sizeof *er);
			er->error = -in->nlerr;
			n = e->nlmsg_len;
			break;
		}
		}
	}
	if (done) {
		in->dumps++;
		in->call = 0;
	}
	return n;
}

/* ---- the population -------------------------------------------------- */

static int fds[2 * (POP4 + POP6) + 2];
static int nfds;

static bool populate(int family, int pairs)
{
	struct sockaddr_storage ss;
	memset(&ss, 0, sizeof ss);
	socklen_t sl;
	if (family == AF_INET) {
		struct sockaddr_in *a = (struct sockaddr_in *)&ss;
		a->sin_family = AF_INET;
		a->sin_port = htons(PORT);
		a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		sl = sizeof *a;
	} else {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;
		a->sin6_family = AF_INET6;
		a->sin6_port = htons(PORT);
		a->sin6_addr = in6addr_loopback;
		sl = sizeof *a;
	}
	int l = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (l < 0 || bind(l, (struct sockaddr *)&ss, sl) < 0 || listen(l, pairs + 8) < 0)
		return false;
	fds[nfds++] = l;
	for (int i = 0; i < pairs; i++) {
		int c = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (c < 0 || connect(c, (struct sockaddr *)&ss, sl) < 0)
			return false;
		fds[nfds++] = c;
		int a = accept(l, NULL, NULL);
		if (a < 0)
			return false;
		fds[nfds++] = a;
	}
	return true;
}

/* ---- helpers ------------------------------------------------------------ */

static const uint8_t EXT = (1u << (INET_DIAG_INFO - 1)) | (1u << (INET_DIAG_CONG - 1));

static int dump4(struct diag *d, struct inject *in, struct snapshot *s, struct err *e)
{
	diag_set_recv_hook(d, in ? hook : NULL, in);
	snapshot_clear(s);
	memset(e, 0, sizeof *e);
	return diag_dump(d, AF_INET, TCPS_ALL_MASK, EXT, s, e);
}

/* ---- the cases ----------------------------------------------------------- */

/* The yield flag (diag_set_yield): held for a whole dump, the dump waits
 * before its buffers until its allowance is spent, then goes on, and its
 * result is the whole population; clear, it never waits. */
static void yield_dump(struct diag *d, const struct snapshot *ref)
{
	atomic_bool yield = true;
	struct snapshot s;
	snapshot_init(&s);
	struct err e = {0};
	diag_set_yield(d, &yield);
	unsigned long w0 = diag_stats(d)->yield_ms;
	CHECK_INT(dump4(d, NULL, &s, &e), 0);
	CHECK_INT(diag_stats(d)->yield_ms - w0, DIAG_YIELD_MAX_MS);
	CHECK_INT(s.n, ref->n);
	CHECK(ref_same_cookies(&s, ref));
	atomic_store(&yield, false);
	w0 = diag_stats(d)->yield_ms;
	CHECK_INT(dump4(d, NULL, &s, &e), 0);
	CHECK_INT(diag_stats(d)->yield_ms - w0, 0);
	CHECK_INT(s.n, ref->n);
	diag_set_yield(d, NULL);
	snapshot_done(&s);
}

static void transient_faults(struct diag *d, const struct snapshot *ref, unsigned long ref_calls)
{
	static const enum fault kinds[] = {F_EINTR, F_ENOBUFS, F_DUMP_INTR, F_TRUNC};
	struct snapshot s;
	snapshot_init(&s);
	for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
		/* At the first answer, mid-dump (after a chunk was appended), and
		 * at the last buffer of the dump (or the third, for faults that
		 * strike before anything is read). */
		bool reads = kinds[k] == F_DUMP_INTR || kinds[k] == F_TRUNC;
		int ats[] = {1, 2, reads ? AT_LAST : 3};
		(void)ref_calls;
		for (size_t j = 0; j < 3; j++) {
			struct inject in = {.kind = kinds[k], .at = ats[j], .times = 1};
			struct err e;
			unsigned long r0 = diag_stats(d)->restarts;
			int rc = dump4(d, &in, &s, &e);
			check_report(rc == 0 && in.injected == 1, __FILE__, __LINE__,
					       "%s at recv %d: dump recovers (rc %d, injected %d, %s)",
					       fault_name[kinds[k]], ats[j], rc, in.injected, e.msg);
			check_report(diag_stats(d)->restarts - r0 == 1, __FILE__, __LINE__,
					   "%s at recv %d: one restart (%lu)", fault_name[kinds[k]],
					   ats[j], diag_stats(d)->restarts - r0);
			check_report(ref_cookies_unique(&s) && ref_same_cookies(&s, ref), __FILE__,
					   __LINE__,
					   "%s at recv %d: the same %zu sockets, none twice (got %zu)",
					   fault_name[kinds[k]], ats[j], ref->n, s.n);
		}
	}
	snapshot_done(&s);
}

static void persistent_faults(struct diag *d, unsigned long ref_calls)
{
	static const enum fault kinds[] = {F_EINTR, F_ENOBUFS, F_DUMP_INTR, F_TRUNC};
	static const int want[] = {EINTR, ENOBUFS, EINTR, EBADMSG};
	struct snapshot s;
	snapshot_init(&s);
	for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
		/* Every attempt breaks at its second buffer: each appends a chunk,
		 * then fails. Only the last attempt's chunk may remain. */
		struct inject in = {.kind = kinds[k], .at = 2, .times = -1};
		struct err e;
		unsigned long r0 = diag_stats(d)->restarts;
		int rc = dump4(d, &in, &s, &e);
		CHECK_INT(rc, -want[k]);
		check_report(in.injected == TRIES, __FILE__, __LINE__,
			     "%s: gives up after %d attempts (injected %d)", fault_name[kinds[k]],
			     TRIES, in.injected);
		check_report(diag_stats(d)->restarts - r0 <= TRIES, __FILE__, __LINE__,
			     "%s: restarts bounded (%lu)", fault_name[kinds[k]],
			     diag_stats(d)->restarts - r0);
		check_report(in.total_calls <= 2 * TRIES, __FILE__, __LINE__,
			     "%s: recv calls bounded (%d, a full dump takes %lu)",
			     fault_name[kinds[k]], in.total_calls, ref_calls);
		check_report(strstr(e.msg, "interrupted") && strstr(e.msg, "tries"), __FILE__,
			     __LINE__, "%s: clear message: '%s'", fault_name[kinds[k]], e.msg);
		check_report(ref_cookies_unique(&s) && s.n < (size_t)(1 + 2 * POP4), __FILE__, __LINE__,
			     "%s: what is left is one attempt's part, no duplicates (%zu)",
			     fault_name[kinds[k]], s.n);
	}
	snapshot_done(&s);
}

static void permanent_faults(struct diag *d)
{
	struct snapshot s;
	snapshot_init(&s);
	struct err e;
	/* What the kernel says when tcp_diag is not loaded: not retried. */
	struct inject in = {.kind = F_NLERR, .at = 1, .times = -1, .nlerr = ENOENT};
	unsigned long r0 = diag_stats(d)->restarts;
	int rc = dump4(d, &in, &s, &e);
	CHECK_INT(rc, -ENOENT);
	CHECK_INT(diag_stats(d)->restarts - r0, 0);
	check_report(strstr(e.msg, "sock_diag") && strstr(e.msg, "IPv4") &&
			     strstr(e.msg, strerror(ENOENT)),
		     __FILE__, __LINE__, "NLMSG_ERROR: message names the dump and error: '%s'",
		     e.msg);
	CHECK_INT(s.n, 0);

	/* NLMSG_ERROR mid-dump: nothing half-done is returned as a success. */
	struct inject in2 = {.kind = F_NLERR, .at = 2, .times = -1, .nlerr = EPERM};
	rc = dump4(d, &in2, &s, &e);
	CHECK_INT(rc, -EPERM);

	struct inject in3 = {.kind = F_EOF, .at = 2, .times = -1};
	r0 = diag_stats(d)->restarts;
	rc = dump4(d, &in3, &s, &e);
	check_report(rc < 0 && e.msg[0], __FILE__, __LINE__, "EOF mid-dump is an error: %d '%s'",
		     rc, e.msg);
	CHECK_INT(diag_stats(d)->restarts - r0, 0);
	snapshot_done(&s);
}

static bool notice_has(struct collector *c, const char *what)
{
	bool found = false;
	const char *m;
	while ((m = collector_notice(c)))
		if (strstr(m, what))
			found = true;
	return found;
}

static void collector_faults(size_t total)
{
	struct collect_opts o = {.source = COLLECT_AUTO, .needs = NEED_INFO | NEED_CONG};
	struct err e = {0};
	struct snapshot s;
	snapshot_init(&s);
	struct collector *c = collector_new(&o, &e);
	if (!c) {
		check_report(false, __FILE__, __LINE__, "collector_new: %s", e.msg);
		return;
	}
	CHECK_INT(collector_source(c), SNAP_SRC_NETLINK);
	CHECK_INT(collector_poll(c, &s, &e), 0);
	CHECK_INT(s.n, total);

	/* Interrupted for good: partial, an error, but no switch to /proc. */
	struct inject in = {.kind = F_EINTR, .at = 1, .times = -1};
	diag_set_recv_hook(collector_diag(c), hook, &in);
	memset(&e, 0, sizeof e);
	int rc = collector_poll(c, &s, &e);
	CHECK_INT(rc, -EINTR);
	CHECK(s.flags & SNAP_PARTIAL);
	CHECK_INT(collector_source(c), SNAP_SRC_NETLINK);
	check_report(strstr(e.msg, "interrupted") != NULL, __FILE__, __LINE__, "message: '%s'",
		     e.msg);
	CHECK(!notice_has(c, "/proc"));

	/* The fault goes away: the next poll is whole again. */
	diag_set_recv_hook(collector_diag(c), NULL, NULL);
	CHECK_INT(collector_poll(c, &s, &e), 0);
	CHECK(!(s.flags & SNAP_PARTIAL));
	CHECK_INT(s.n, total);
	CHECK(ref_cookies_unique(&s));

	/* A transient fault in the last buffer (both families come in one
	 * dump: diag_dump_all). */
	struct inject in6 = {.kind = F_DUMP_INTR, .at = AT_LAST, .times = 1};
	diag_set_recv_hook(collector_diag(c), hook, &in6);
	unsigned long r0 = diag_stats(collector_diag(c))->restarts;
	CHECK_INT(collector_poll(c, &s, &e), 0);
	CHECK_INT(in6.injected, 1);
	CHECK_INT(diag_stats(collector_diag(c))->restarts - r0, 1);
	CHECK_INT(s.n, total);
	CHECK(ref_cookies_unique(&s));

	/* sock_diag refused for good (NLMSG_ERROR): AUTO falls back to /proc,
	 * says so, and this very poll is whole. */
	struct inject perm = {.kind = F_NLERR, .at = 1, .times = -1, .nlerr = ENOENT};
	diag_set_recv_hook(collector_diag(c), hook, &perm);
	memset(&e, 0, sizeof e);
	rc = collector_poll(c, &s, &e);
	CHECK_INT(rc, 0);
	CHECK_INT(collector_source(c), SNAP_SRC_PROC);
	CHECK_INT(s.source, SNAP_SRC_PROC);
	CHECK(!(s.flags & SNAP_PARTIAL));
	CHECK_INT(s.n, total);
	CHECK(collector_diag(c) == NULL);
	CHECK(notice_has(c, "switching to /proc/net/tcp"));
	CHECK_INT(collector_poll(c, &s, &e), 0);
	CHECK_INT(s.n, total);
	collector_free(c);

	/* EOF mid-dump is permanent too. */
	c = collector_new(&o, &e);
	struct inject eof = {.kind = F_EOF, .at = 2, .times = -1};
	diag_set_recv_hook(collector_diag(c), hook, &eof);
	CHECK_INT(collector_poll(c, &s, &e), 0);
	CHECK_INT(collector_source(c), SNAP_SRC_PROC);
	CHECK(notice_has(c, "switching"));
	collector_free(c);

	/* --source netlink: no fallback; the poll fails and says partial. */
	struct collect_opts on = {.source = COLLECT_NETLINK, .needs = NEED_INFO | NEED_CONG};
	c = collector_new(&on, &e);
	struct inject perm2 = {.kind = F_NLERR, .at = 1, .times = -1, .nlerr = ENOENT};
	diag_set_recv_hook(collector_diag(c), hook, &perm2);
	memset(&e, 0, sizeof e);
	rc = collector_poll(c, &s, &e);
	CHECK_INT(rc, -ENOENT);
	CHECK(s.flags & SNAP_PARTIAL);
	CHECK_INT(collector_source(c), SNAP_SRC_NETLINK);
	CHECK(e.msg[0] != '\0');
	collector_free(c);
	snapshot_done(&s);
}

/* A sink in front of the tracker's that counts the parts. */
struct spy {
	const struct snapshot_sink *to;
	int parts;
	size_t biggest, sockets;
};

static void spy_put(void *ctx, const struct snapshot *part)
{
	struct spy *sp = ctx;
	sp->parts++;
	sp->sockets += part->n;
	if (part->n > sp->biggest)
		sp->biggest = part->n;
	sp->to->put(sp->to->ctx, part);
}

static struct conn *spy_conns(void *ctx, size_t *n, size_t *stride)
{
	struct spy *sp = ctx;
	return sp->to->conns(sp->to->ctx, n, stride);
}

/* Live entries that are the cookies of `ref`, each once. */
static bool tracker_matches(const struct tracker *t, const struct snapshot *ref)
{
	size_t ne, live = 0;
	const struct track_entry *const *es = tracker_entries(t, &ne);
	for (size_t i = 0; i < ne; i++)
		live += !(es[i]->flags & TRK_TOMB);
	if (live != ref->n)
		return false;
	for (size_t i = 0; i < ref->n; i++) {
		const struct track_entry *e = tracker_find(t, &ref->conns[i]);
		if (!e || (e->flags & TRK_TOMB) || e->conn->cookie != ref->conns[i].cookie)
			return false;
	}
	return true;
}

static void stream_faults(size_t total)
{
	struct collect_opts o = {.source = COLLECT_NETLINK,
				 .needs = NEED_INFO | NEED_CONG | NEED_PROCS};
	struct err e = {0};
	struct snapshot ref, part;
	snapshot_init(&ref);
	snapshot_init(&part);
	struct collector *c = collector_new(&o, &e);
	struct tracker *t = tracker_new(NULL);
	if (!c) {
		check_report(false, __FILE__, __LINE__, "collector_new: %s", e.msg);
		return;
	}
	CHECK_INT(collector_poll(c, &ref, &e), 0);
	CHECK_INT(ref.n, total);

	struct spy sp = {.to = tracker_sink(t)};
	struct snapshot_sink sink = {&sp, spy_put, spy_conns};
	CHECK_INT(collector_poll_stream(c, &part, &sink, &e), 0);
	tracker_finish(t, &part);
	CHECK_INT(part.total, total);
	CHECK_INT(part.n, 0); /* all handed on */
	unsigned sum = 0;
	for (int st = 0; st < TCPS_COUNT; st++)
		sum += part.counts[st];
	CHECK_INT(sum, total);
	CHECK_INT(part.counts[TCPS_LISTEN], ref.counts[TCPS_LISTEN]);
	CHECK_INT(sp.sockets, total);
	check_report(sp.parts >= 2 && sp.biggest <= SNAP_PART_MAX, __FILE__, __LINE__,
		     "%zu sockets in %d parts of at most %zu (limit %d)", sp.sockets, sp.parts,
		     sp.biggest, SNAP_PART_MAX);
	CHECK(tracker_matches(t, &ref));
	/* Process names went into the tracker's copies: this process owns
	 * every socket of the population. */
	size_t ne, owned = 0;
	const struct track_entry *const *es = tracker_entries(t, &ne);
	for (size_t i = 0; i < ne; i++)
		owned += (es[i]->conn->have & CONN_HAVE_PROC) && es[i]->conn->pid == getpid();
	CHECK_INT(owned, total);
	CHECK(part.flags & SNAP_HAVE_PROCS);

	/* A restart after parts were handed on: counted once, nothing new,
	 * nothing lost. */
	struct inject in = {.kind = F_DUMP_INTR, .at = AT_LAST, .times = 1};
	diag_set_recv_hook(collector_diag(c), hook, &in);
	unsigned long r0 = diag_stats(collector_diag(c))->restarts;
	sp.parts = 0;
	sp.sockets = 0;
	CHECK_INT(collector_poll_stream(c, &part, &sink, &e), 0);
	tracker_finish(t, &part);
	CHECK_INT(in.injected, 1);
	CHECK_INT(diag_stats(collector_diag(c))->restarts - r0, 1);
	check_report(sp.sockets > total, __FILE__, __LINE__,
		     "the broken attempt's parts were handed on too (%zu of %zu)", sp.sockets, total);
	CHECK_INT(part.total, total);
	CHECK(!(part.flags & SNAP_PARTIAL));
	size_t nev;
	tracker_events(t, &nev);
	CHECK_INT(nev, 0);
	CHECK(tracker_matches(t, &ref));

	/* Interrupted for good: partial; nothing vanishes from the tracker. */
	struct inject bad = {.kind = F_EINTR, .at = 2, .times = -1};
	diag_set_recv_hook(collector_diag(c), hook, &bad);
	memset(&e, 0, sizeof e);
	CHECK_INT(collector_poll_stream(c, &part, &sink, &e), -EINTR);
	CHECK(part.flags & SNAP_PARTIAL);
	tracker_finish(t, &part);
	tracker_events(t, &nev);
	CHECK_INT(nev, 0);
	CHECK(tracker_matches(t, &ref));
	diag_set_recv_hook(collector_diag(c), NULL, NULL);

	tracker_free(t);
	collector_free(c);
	snapshot_done(&ref);
	snapshot_done(&part);
}

int main(void)
{
	if (geteuid() != 0) {
		check_skip("test_diag_faults", "needs root for a private network namespace");
		return check_summary("test_diag_faults");
	}
	if (!ref_netns_private()) {
		check_skip("test_diag_faults", "cannot make a private network namespace");
		return check_summary("test_diag_faults");
	}
	if (!populate(AF_INET, POP4) || !populate(AF_INET6, POP6)) {
		check_skip("test_diag_faults", "cannot build the loopback population");
		return check_summary("test_diag_faults");
	}
	size_t n4 = 1 + 2 * POP4, total = n4 + 1 + 2 * POP6;

	struct err e = {0};
	struct diag *d = diag_open(&e);
	if (!d) {
		check_skip("test_diag_faults", e.msg);
		return check_summary("test_diag_faults");
	}
	struct snapshot ref;
	snapshot_init(&ref);
	/* Baseline through a pass-through hook: the hook itself changes nothing. */
	struct inject none = {.kind = F_NONE};
	unsigned long c0 = diag_stats(d)->recv_calls;
	CHECK_INT(dump4(d, &none, &ref, &e), 0);
	unsigned long ref_calls = diag_stats(d)->recv_calls - c0;
	CHECK_INT(ref.n, n4);
	CHECK(ref_cookies_unique(&ref));
	check_report(ref_calls >= 3, __FILE__, __LINE__,
		     "the dump spans several recv buffers (%lu), so mid-dump faults are real",
		     ref_calls);

	transient_faults(d, &ref, ref_calls);
	persistent_faults(d, ref_calls);
	permanent_faults(d);
	/* After all that the channel still works. */
	CHECK_INT(dump4(d, NULL, &ref, &e), 0);
	CHECK_INT(ref.n, n4);
	yield_dump(d, &ref);
	diag_close(d);
	snapshot_done(&ref);

	collector_faults(total);
	stream_faults(total);
	for (int i = 0; i < nfds; i++)
		close(fds[i]);
	return check_summary("test_diag_faults");
}
