/* test_diag_split.c — the two-family dump and the parallel (split) dump.
 *
 * The split's filter programs are checked in user space (diag_bc_run, the
 * kernel's evaluator rewritten) for exact complements over every port; then
 * in a private network namespace (root; skipped otherwise), on a loopback
 * population of both families with listeners, pairs and TIME_WAIT sockets:
 *  - diag_dump(AF_UNSPEC) and diag_dump_all() give the very sequence of an
 *    IPv4 dump followed by an IPv6 dump;
 *  - diag_dump_split() gives the same set, none twice, both halves used;
 *  - faults under the split (recv hook, called from both threads): a
 *    transient one restarts one half, a persistent one is an error, a
 *    refused request falls back to one dump for good;
 *  - the collector with `parallel` polls the same sockets as without.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/inet_diag.h>
#include <netinet/in.h>
#include <pthread.h>
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

#define POP4 300
#define POP6 60
#define NTW 20
#define PORT 7400
#define HIGH_PORT 50123 /* a listener above the ephemeral floor */

static const uint8_t EXT = (1u << (INET_DIAG_INFO - 1)) | (1u << (INET_DIAG_CONG - 1));

/* ---- the filter programs, in user space ---------------------------------- */

static void bytecode(void)
{
	static const uint16_t los[] = {1024, 32768, 49152, 65535};
	uint8_t a[512], b[512];
	CHECK_INT(diag_bc_split(0, 32768, a, 64), 0); /* too small: refused */
	long bad = 0, in0 = 0, total = 0;
	for (size_t i = 0; i < sizeof los / sizeof los[0]; i++) {
		size_t la = diag_bc_split(0, los[i], a, sizeof a);
		size_t lb = diag_bc_split(1, los[i], b, sizeof b);
		CHECK(la > 0 && la % 4 == 0 && lb == la);
		/* Every local port against a spread of remote ports, and the
		 * other way round: exactly one half takes each socket. */
		for (unsigned p = 0; p < 65536; p++) {
			for (unsigned q = 0; q < 65536; q += 4099) {
				for (int swap = 0; swap < 2; swap++) {
					uint16_t sp = (uint16_t)(swap ? q : p), dp = (uint16_t)(swap ? p : q);
					int x = diag_bc_run(a, la, sp, dp), y = diag_bc_run(b, lb, sp, dp);
					if (x < 0 || y < 0 || x + y != 1)
						bad++;
					in0 += x == 1;
					total++;
				}
			}
		}
	}
	CHECK_INT(bad, 0);
	check_report(in0 > total / 4 && in0 < total * 3 / 4, __FILE__, __LINE__,
		     "both halves get a fair share of the port grid (%ld of %ld)", in0, total);
	/* Linux clients' ephemeral ports split about evenly. */
	size_t la = diag_bc_split(0, 32768, a, sizeof a);
	long h0 = 0;
	for (unsigned p = 32768; p <= 60999; p++)
		h0 += diag_bc_run(a, la, (uint16_t)p, 443) == 1;
	check_report(h0 > 28232 * 45 / 100 && h0 < 28232 * 55 / 100, __FILE__, __LINE__,
		     "ephemeral client ports: %ld of 28232 in half 0", h0);
}

/* ---- the population -------------------------------------------------------- */

static int fds[2 * (POP4 + POP6 + NTW) + 8];
static int nfds;

static socklen_t addr_of(int family, uint16_t port, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof *ss);
	if (family == AF_INET) {
		struct sockaddr_in *a = (struct sockaddr_in *)ss;
		a->sin_family = AF_INET;
		a->sin_port = htons(port);
		a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		return sizeof *a;
	}
	struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;
	a->sin6_family = AF_INET6;
	a->sin6_port = htons(port);
	a->sin6_addr = in6addr_loopback;
	return sizeof *a;
}

/* `pairs` connections to a listener on `port`; the last `tw` of them are
 * closed client first (the client's end waits in TIME_WAIT). */
static bool populate(int family, uint16_t port, int pairs, int tw)
{
	struct sockaddr_storage ss;
	socklen_t sl = addr_of(family, port, &ss);
	int l = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (l < 0 || bind(l, (struct sockaddr *)&ss, sl) < 0 || listen(l, pairs + 8) < 0)
		return false;
	fds[nfds++] = l;
	for (int i = 0; i < pairs; i++) {
		int c = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (c < 0 || connect(c, (struct sockaddr *)&ss, sl) < 0)
			return false;
		int a = accept(l, NULL, NULL);
		if (a < 0)
			return false;
		if (i >= pairs - tw) {
			close(c);
			usleep(2000);
			close(a);
			continue;
		}
		fds[nfds++] = c;
		fds[nfds++] = a;
	}
	return true;
}

/* ---- helpers ----------------------------------------------------------------- */

static bool same_sequence(const struct snapshot *a, const struct snapshot *b)
{
	if (a->n != b->n)
		return false;
	for (size_t i = 0; i < a->n; i++)
		if (a->conns[i].cookie != b->conns[i].cookie)
			return false;
	return true;
}

/* IPv4 sockets all before the IPv6 ones. */
static bool families_grouped(const struct snapshot *s)
{
	bool seen6 = false;
	for (size_t i = 0; i < s->n; i++) {
		if (s->conns[i].family == AF_INET6)
			seen6 = true;
		else if (seen6)
			return false;
	}
	return true;
}

/* ---- a recv hook safe for two threads ----------------------------------------- */

enum hook_kind { H_EINTR, H_NLERR };
struct hook {
	pthread_mutex_t mu;
	enum hook_kind kind;
	int at;     /* fire at this recv call, counted over both threads */
	int times;  /* how many to inject; -1 every call from `at` on */
	int nlerr;
	int calls, injected;
};

static ssize_t hook_recv(void *ctx, int fd, void *buf, size_t len)
{
	struct hook *h = ctx;
	pthread_mutex_lock(&h->mu);
	int call = ++h->calls;
	bool fire = call >= h->at && (h->times < 0 || h->injected < h->times);
	if (fire)
		h->injected++;
	pthread_mutex_unlock(&h->mu);
	if (fire && h->kind == H_EINTR) {
		errno = EINTR;
		return -1;
	}
	ssize_t n = recvfrom(fd, buf, len, 0, NULL, NULL);
	if (n <= 0 || !fire)
		return n;
	struct nlmsghdr *first = buf;
	unsigned seq = first->nlmsg_seq, pid = first->nlmsg_pid;
	struct nlmsghdr *e = mnl_nlmsg_put_header(buf);
	e->nlmsg_type = NLMSG_ERROR;
	e->nlmsg_seq = seq;
	e->nlmsg_pid = pid;
	struct nlmsgerr *er = mnl_nlmsg_put_extra_header(e, sizeof *er);
	er->error = -h->nlerr;
	return (ssize_t)e->nlmsg_len;
}

/* ---- the cases ------------------------------------------------------------------ */

static void order_and_split(size_t total)
{
	struct err e = {0};
	struct diag *d = diag_open(&e);
	if (!d) {
		check_skip("test_diag_split", e.msg);
		return;
	}
	struct snapshot seq, both, all, split;
	snapshot_init(&seq);
	snapshot_init(&both);
	snapshot_init(&all);
	snapshot_init(&split);
	CHECK_INT(diag_dump(d, AF_INET, TCPS_ALL_MASK, EXT, &seq, &e), 0);
	CHECK_INT(diag_dump(d, AF_INET6, TCPS_ALL_MASK, EXT, &seq, &e), 0);
	CHECK_INT(seq.n, total);
	CHECK_INT(diag_dump(d, AF_UNSPEC, TCPS_ALL_MASK, EXT, &both, &e), 0);
	check_report(same_sequence(&seq, &both), __FILE__, __LINE__,
		     "AF_UNSPEC dump: the sequence of the two family dumps (%zu vs %zu)", both.n,
		     seq.n);
	CHECK_INT(diag_dump_all(d, TCPS_ALL_MASK, EXT, &all, &e), 0);
	CHECK(same_sequence(&seq, &all));
	unsigned long d0 = diag_stats(d)->dumps;
	CHECK_INT(diag_dump_all(d, TCPS_ALL_MASK, EXT, &all, &e), 0);
	CHECK_INT(diag_stats(d)->dumps - d0, 1); /* one dump, not one per family */

	/* A state mask narrows the same way. */
	uint32_t est = 1u << TCPS_ESTABLISHED;
	snapshot_clear(&seq);
	snapshot_clear(&all);
	CHECK_INT(diag_dump(d, AF_INET, est, EXT, &seq, &e), 0);
	CHECK_INT(diag_dump(d, AF_INET6, est, EXT, &seq, &e), 0);
	CHECK_INT(diag_dump_all(d, est, EXT, &all, &e), 0);
	CHECK(same_sequence(&seq, &all));
	CHECK_INT(seq.n, 2 * (POP4 - NTW + POP6 - NTW / 2) + 4);
	snapshot_clear(&split);
	CHECK_INT(diag_dump_split(d, est, EXT, &split, &e), 0);
	CHECK(ref_same_cookies(&seq, &split) && ref_cookies_unique(&split));

	/* The split: same set, none twice, families grouped, and both halves
	 * carried part of it. */
	snapshot_clear(&split);
	d0 = diag_stats(d)->dumps;
	CHECK_INT(diag_dump_split(d, TCPS_ALL_MASK, EXT, &split, &e), 0);
	CHECK_INT(diag_stats(d)->dumps - d0, 2);
	check_report(ref_same_cookies(&both, &split) && ref_cookies_unique(&split), __FILE__, __LINE__,
		     "split: the same %zu sockets, none twice (got %zu)", both.n, split.n);
	CHECK(families_grouped(&split));
	uint8_t bc[512];
	size_t bl = diag_bc_split(0, 32768, bc, sizeof bc);
	size_t h0 = 0, ntw = 0, cong_ok = 0, ncong = 0;
	struct hmap ix;
	hmap_init(&ix);
	for (size_t i = 0; i < both.n; i++)
		hmap_put(&ix, both.conns[i].cookie, (uint32_t)i);
	for (size_t i = 0; i < split.n; i++) {
		const struct conn *c = &split.conns[i];
		h0 += diag_bc_run(bc, bl, c->lport, c->rport) == 1;
		ntw += c->state == TCPS_TIME_WAIT;
		/* congestion names re-interned into the merged snapshot */
		const uint32_t *j = hmap_get(&ix, c->cookie);
		if (!j)
			continue;
		const struct conn *r = &both.conns[*j];
		ncong += (r->have & CONN_HAVE_CONG) != 0;
		cong_ok += (c->have & CONN_HAVE_CONG) == (r->have & CONN_HAVE_CONG) &&
			   !strcmp(snapshot_cong_name(&split, c->cong),
				   snapshot_cong_name(&both, r->cong));
	}
	hmap_done(&ix);
	/* Not necessarily balanced: the kernel hands out a destination's
	 * ephemeral ports nearly in sequence, so a small population can sit
	 * in one or two of the split's 2048-port blocks. */
	check_report(h0 > 0 && h0 < total, __FILE__, __LINE__,
		     "both halves used: %zu of %zu in half 0", h0, total);
	CHECK_INT(ntw, NTW + NTW / 2);
	CHECK_INT(cong_ok, split.n);
	CHECK(ncong > 0);

	/* The rest of tcp_info (snapshot_tix) stays with its socket through the
	 * family reordering and the halves' merge: per-connection constants
	 * (options, window scales) equal those of two plain family dumps. */
	struct snapshot ref, sx[2];
	snapshot_init(&ref);
	ref.want_tix = true;
	CHECK_INT(diag_dump(d, AF_INET, TCPS_ALL_MASK, EXT, &ref, &e), 0);
	CHECK_INT(diag_dump(d, AF_INET6, TCPS_ALL_MASK, EXT, &ref, &e), 0);
	hmap_init(&ix);
	for (size_t i = 0; i < ref.n; i++)
		hmap_put(&ix, ref.conns[i].cookie, (uint32_t)i);
	for (int k = 0; k < 2; k++) {
		snapshot_init(&sx[k]);
		sx[k].want_tix = true;
		CHECK_INT(k ? diag_dump_split(d, TCPS_ALL_MASK, EXT, &sx[k], &e)
			    : diag_dump_all(d, TCPS_ALL_MASK, EXT, &sx[k], &e), 0);
		size_t withti = 0, xok = 0;
		for (size_t i = 0; i < sx[k].n; i++) {
			const struct conn *c = &sx[k].conns[i];
			const uint32_t *j = hmap_get(&ix, c->cookie);
			if (!c->ti.have || !j)
				continue;
			withti++;
			const struct conn_tcpinfo_x *x = snapshot_tix(&sx[k], c);
			const struct conn_tcpinfo_x *r = snapshot_tix(&ref, &ref.conns[*j]);
			xok += x && r && x->options == r->options && x->snd_wscale == r->snd_wscale &&
			       x->rcv_wscale == r->rcv_wscale && x->rcv_mss == r->rcv_mss;
		}
		check_report(withti > total / 2 && xok == withti, __FILE__, __LINE__,
			     "%s: side tcp_info of %zu of %zu sockets matches", k ? "split" : "one walk",
			     xok, withti);
		snapshot_done(&sx[k]);
	}
	hmap_done(&ix);
	snapshot_done(&ref);

	/* A transient fault in one half restarts that half only. */
	struct hook h = {PTHREAD_MUTEX_INITIALIZER, H_EINTR, 2, 1, 0, 0, 0};
	diag_set_recv_hook(d, hook_recv, &h);
	unsigned long r0 = diag_stats(d)->restarts;
	snapshot_clear(&split);
	CHECK_INT(diag_dump_split(d, TCPS_ALL_MASK, EXT, &split, &e), 0);
	CHECK_INT(h.injected, 1);
	CHECK_INT(diag_stats(d)->restarts - r0, 1);
	CHECK(ref_same_cookies(&both, &split) && ref_cookies_unique(&split));

	/* Interrupted for good: an error that says so, nothing twice. */
	struct hook hp = {PTHREAD_MUTEX_INITIALIZER, H_EINTR, 1, -1, 0, 0, 0};
	diag_set_recv_hook(d, hook_recv, &hp);
	snapshot_clear(&split);
	memset(&e, 0, sizeof e);
	int rc = diag_dump_split(d, TCPS_ALL_MASK, EXT, &split, &e);
	CHECK_INT(rc, -EINTR);
	check_report(strstr(e.msg, "interrupted") != NULL, __FILE__, __LINE__, "message: '%s'",
		     e.msg);
	check_report(hp.calls <= 2 * 6, __FILE__, __LINE__, "bounded: %d recv calls", hp.calls);
	CHECK(ref_cookies_unique(&split));

	/* A permanent error (not a refusal) is returned, no fallback. */
	struct hook hn = {PTHREAD_MUTEX_INITIALIZER, H_NLERR, 1, -1, ENOENT, 0, 0};
	diag_set_recv_hook(d, hook_recv, &hn);
	snapshot_clear(&split);
	rc = diag_dump_split(d, TCPS_ALL_MASK, EXT, &split, &e);
	CHECK_INT(rc, -ENOENT);

	/* The kernel refuses the request (EINVAL, once): one dump from now on,
	 * and this call still answers in full. */
	struct hook hr = {PTHREAD_MUTEX_INITIALIZER, H_NLERR, 1, 1, EINVAL, 0, 0};
	diag_set_recv_hook(d, hook_recv, &hr);
	snapshot_clear(&split);
	rc = diag_dump_split(d, TCPS_ALL_MASK, EXT, &split, &e);
	CHECK_INT(rc, 0);
	CHECK_INT(hr.injected, 1);
	CHECK(ref_same_cookies(&both, &split) && ref_cookies_unique(&split));
	diag_set_recv_hook(d, NULL, NULL);
	d0 = diag_stats(d)->dumps;
	snapshot_clear(&split);
	CHECK_INT(diag_dump_split(d, TCPS_ALL_MASK, EXT, &split, &e), 0);
	CHECK_INT(diag_stats(d)->dumps - d0, 1);
	CHECK(same_sequence(&both, &split)); /* one dump: the single-dump order */

	diag_close(d);
	snapshot_done(&seq);
	snapshot_done(&both);
	snapshot_done(&all);
	snapshot_done(&split);
}

static void collector_parallel(size_t total)
{
	struct collect_opts o = {.source = COLLECT_NETLINK, .needs = NEED_INFO | NEED_CONG};
	struct collect_opts op = o;
	op.parallel = true;
	struct err e = {0};
	struct collector *c = collector_new(&o, &e), *cp = collector_new(&op, &e);
	if (!c || !cp) {
		check_report(false, __FILE__, __LINE__, "collector_new: %s", e.msg);
		collector_free(c);
		collector_free(cp);
		return;
	}
	struct snapshot a, b;
	snapshot_init(&a);
	snapshot_init(&b);
	for (int i = 0; i < 3; i++) {
		CHECK_INT(collector_poll(c, &a, &e), 0);
		CHECK_INT(collector_poll(cp, &b, &e), 0);
		CHECK_INT(b.n, total);
		CHECK(ref_same_cookies(&a, &b) && ref_cookies_unique(&b));
		CHECK(!memcmp(a.counts, b.counts, sizeof a.counts));
		CHECK((b.flags & SNAP_HAVE_INFO) && !(b.flags & SNAP_PARTIAL));
	}
	snapshot_done(&a);
	snapshot_done(&b);
	collector_free(c);
	collector_free(cp);
}

int main(void)
{
	bytecode();
	if (geteuid() != 0) {
		check_skip("test_diag_split", "needs root for a private network namespace");
		return check_summary("test_diag_split");
	}
	if (!ref_netns_private()) {
		check_skip("test_diag_split", "cannot make a private network namespace");
		return check_summary("test_diag_split");
	}
	if (!populate(AF_INET, PORT, POP4, NTW) || !populate(AF_INET6, PORT, POP6, NTW / 2) ||
	    !populate(AF_INET, HIGH_PORT, 2, 0)) {
		check_skip("test_diag_split", "cannot build the loopback population");
		return check_summary("test_diag_split");
	}
	/* listeners + open pairs (two sockets each) + the TIME_WAIT client ends */
	usleep(50000); /* let the closed pairs settle into TIME_WAIT */
	size_t total = 3 + 2 * (POP4 - NTW) + 2 * (POP6 - NTW / 2) + 4 + NTW + NTW / 2;
	order_and_split(total);
	collector_parallel(total);
	for (int i = 0; i < nfds; i++)
		close(fds[i]);
	return check_summary("test_diag_split");
}
