/* diag.c — the sock_diag dump loop over libmnl. */
#include "tcpscope/diag.h"

#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/inet_diag.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "tcpscope/collect.h"

/* Big enough that the kernel packs ~32 KiB of answers per recv. */
#define DIAG_BUF_SIZE (256 * 1024)
#define DIAG_SOCK_RCVBUF (4 * 1024 * 1024)
#define DIAG_MAX_RESTARTS 5
#define DIAG_BC_MAX 512

struct diag {
	struct mnl_socket *nl;
	int nsfd;           /* borrowed: the namespace to open sockets in; -1 = here */
	uint32_t netns_id;  /* stamped on every conn (0: none) */
	unsigned int portid;
	unsigned int seq;
	char *buf;          /* owned, DIAG_BUF_SIZE */
	diag_recv_fn recv;  /* NULL = recvfrom */
	void *recv_ctx;
	const atomic_bool *stop; /* borrowed, NULL: none (diag_set_stop) */
	const atomic_bool *yield; /* borrowed, NULL: none (diag_set_yield) */
	struct diag_stats stats;
	bool no_both;       /* the kernel refused the two-family request */
	bool no_split;      /* the parallel dump was refused (or one CPU) */
	struct diag *peer;  /* owned: the second channel of the parallel dump */
	struct snapshot side; /* the peer's half, merged into the caller's */
	/* A two-family dump's IPv6 sockets, set aside as they are parsed and
	 * appended after the IPv4 ones (the order of a dump per family). */
	struct snapshot v6;
};

/* What one dump asks for. family AF_UNSPEC: both families in one walk. */
struct dump_req {
	int family;
	uint32_t states;
	uint8_t ext;
	const void *bc; /* INET_DIAG_REQ_BYTECODE, or NULL */
	size_t bclen;
};

struct dump_ctx {
	struct snapshot *snap;
	struct snapshot *snap6; /* where IPv6 sockets go; NULL: into snap */
	struct diag *d;
	size_t start_n;  /* snapshot length before this family's dump */
	size_t start_n6; /* snap6's */
	uint16_t type;   /* the answers' nlmsg_type: the request's */
};

/* A streamed snapshot's tallies before a dump, to restart it from. */
struct stream_mark {
	size_t total;
	unsigned counts[TCPS_COUNT];
};

static int open_socket(struct diag *d, struct err *e)
{
	struct err se = {0};
	int sfd = netns_socket(d->nsfd, AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_SOCK_DIAG, &se);
	if (sfd < 0)
		return err_set(e, se.code, "netlink sock_diag socket: %s", se.msg);
	d->nl = mnl_socket_fdopen(sfd);
	if (!d->nl) {
		int er = errno;
		close(sfd);
		return err_set(e, er, "netlink sock_diag socket: %s", strerror(er));
	}
	if (mnl_socket_bind(d->nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		int er = errno;
		mnl_socket_close(d->nl);
		d->nl = NULL;
		return err_set(e, er, "netlink bind: %s", strerror(er));
	}
	d->portid = mnl_socket_get_portid(d->nl);
	int fd = mnl_socket_get_fd(d->nl);
	int sz = DIAG_SOCK_RCVBUF;
	/* FORCE works as root and beats rmem_max; plain RCVBUF is the fallback. */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &sz, sizeof sz) < 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof sz);
	return 0;
}

struct diag *diag_open(struct err *e)
{
	return diag_open_in(-1, 0, e);
}

struct diag *diag_open_in(int nsfd, uint32_t netns_id, struct err *e)
{
	struct diag *d = xcalloc(1, sizeof *d);
	d->nsfd = nsfd;
	d->netns_id = netns_id;
	if (open_socket(d, e) < 0) {
		free(d);
		return NULL;
	}
	d->buf = xmalloc(DIAG_BUF_SIZE);
	d->seq = (unsigned int)time(NULL);
	return d;
}

void diag_close(struct diag *d)
{
	if (!d)
		return;
	if (d->nl)
		mnl_socket_close(d->nl);
	free(d->buf);
	diag_close(d->peer);
	snapshot_done(&d->side);
	snapshot_done(&d->v6);
	free(d);
}

void diag_set_stop(struct diag *d, const atomic_bool *stop)
{
	d->stop = stop;
}

void diag_set_yield(struct diag *d, const atomic_bool *yield)
{
	d->yield = yield;
}

/* Before a dump's next buffer: wait while the yield flag is set, within
 * the dump's allowance (*waited_ms). */
static void stand_aside(struct diag *d, unsigned *waited_ms)
{
	while (d->yield && atomic_load_explicit(d->yield, memory_order_relaxed) &&
	       *waited_ms < DIAG_YIELD_MAX_MS && !(d->stop && atomic_load(d->stop))) {
		struct timespec ts = {0, 2000000L};
		nanosleep(&ts, NULL);
		*waited_ms += 2;
		d->stats.yield_ms += 2;
	}
}

void diag_set_recv_hook(struct diag *d, diag_recv_fn fn, void *ctx)
{
	d->recv = fn;
	d->recv_ctx = ctx;
}

const struct diag_stats *diag_stats(const struct diag *d)
{
	return &d->stats;
}

static int msg_cb(const struct nlmsghdr *nlh, void *data)
{
	struct dump_ctx *ctx = data;
	if (nlh->nlmsg_type != ctx->type)
		return MNL_CB_OK;
	ctx->d->stats.messages++;
	struct snapshot *to = ctx->snap;
	if (ctx->snap6 && nlh->nlmsg_len >= NLMSG_HDRLEN + sizeof(struct inet_diag_msg) &&
	    ((const struct inet_diag_msg *)mnl_nlmsg_get_payload(nlh))->idiag_family == AF_INET6)
		to = ctx->snap6;
	struct conn *c = snapshot_add(to);
	if (diag_parse_msg(nlh, c, to) < 0) {
		to->n--; /* drop the slot; keep going */
		ctx->d->stats.bad_messages++;
		return MNL_CB_OK;
	}
	c->netns = ctx->d->netns_id;
	return MNL_CB_OK;
}

/* The answers carry the request's type. */
static uint16_t req_type(const struct dump_req *q)
{
	return q->family == AF_UNSPEC ? TCPDIAG_GETSOCK : SOCK_DIAG_BY_FAMILY;
}

static int send_request(struct diag *d, const struct dump_req *q, unsigned int seq)
{
	char req[256 + DIAG_BC_MAX];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(req);
	nlh->nlmsg_type = req_type(q);
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = seq;
	if (q->family == AF_UNSPEC) {
		/* The legacy request: the kernel dumps both families (AF_UNSPEC)
		 * in one walk of its tables instead of one walk each. */
		struct inet_diag_req *r = mnl_nlmsg_put_extra_header(nlh, sizeof *r);
		r->idiag_family = AF_INET;
		r->idiag_ext = q->ext;
		r->idiag_states = q->states;
	} else {
		struct inet_diag_req_v2 *r = mnl_nlmsg_put_extra_header(nlh, sizeof *r);
		r->sdiag_family = (uint8_t)q->family;
		r->sdiag_protocol = IPPROTO_TCP;
		r->idiag_ext = q->ext;
		r->idiag_states = q->states;
	}
	if (q->bc) {
		if (q->bclen > DIAG_BC_MAX)
			return -E2BIG; /* never sent unfiltered: the halves would overlap */
		mnl_attr_put(nlh, INET_DIAG_REQ_BYTECODE, q->bclen, q->bc);
	}
	if (mnl_socket_sendto(d->nl, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	return 0;
}

static ssize_t do_recv(struct diag *d)
{
	d->stats.recv_calls++;
	if (d->recv)
		return d->recv(d->recv_ctx, mnl_socket_get_fd(d->nl), d->buf, DIAG_BUF_SIZE);
	return mnl_socket_recvfrom(d->nl, d->buf, DIAG_BUF_SIZE);
}

/* After a broken dump the socket may still hold the rest of it; a fresh
 * socket is the simplest way to be sure the next dump starts clean. */
static int reopen(struct diag *d, struct err *e)
{
	if (d->nl)
		mnl_socket_close(d->nl);
	d->nl = NULL;
	return open_socket(d, e);
}

bool diag_frames_ok(const void *buf, size_t len)
{
	const char *p = buf;
	while (len > 0) {
		struct nlmsghdr h;
		if (len < sizeof h)
			return false;
		memcpy(&h, p, sizeof h);
		if (h.nlmsg_len < sizeof h || h.nlmsg_len > len)
			return false;
		size_t step = NLMSG_ALIGN(h.nlmsg_len);
		if (step > len)
			step = len; /* an unpadded last message */
		p += step;
		len -= step;
	}
	return true;
}

/* A broken-up dump worth starting again (rather than giving up on). */
static bool restartable(int rc)
{
	return rc == -EINTR || rc == -ENOBUFS || rc == -EBUSY || rc == -EAGAIN || rc == -EBADMSG;
}

static int dump_once(struct diag *d, const struct dump_req *q, struct dump_ctx *ctx)
{
	unsigned int seq = ++d->seq;
	int rc = send_request(d, q, seq);
	if (rc < 0)
		return rc;
	unsigned waited_ms = 0;
	for (;;) {
		stand_aside(d, &waited_ms);
		ssize_t n = do_recv(d);
		/* Stopping (after any buffer, or the signal that asked for it
		 * interrupting the read) ends the dump, not a restart of it. */
		if (d->stop && atomic_load(d->stop))
			return -ECANCELED;
		if (n < 0)
			return -errno;
		if (n == 0)
			return -EPIPE;
		if (!diag_frames_ok(d->buf, (size_t)n))
			return -EBADMSG;
		rc = mnl_cb_run(d->buf, (size_t)n, seq, d->portid, msg_cb, ctx);
		if (rc == MNL_CB_STOP)
			return 0;
		if (rc < 0)
			return errno ? -errno : -EIO;
	}
}

static const char *family_name(int family)
{
	return family == AF_INET ? "IPv4" : family == AF_INET6 ? "IPv6" : "IPv4+IPv6";
}

/* snap6: where the IPv6 answers go (a whole snapshot's two-family dump),
 * NULL: into snap. */
static int dump_req(struct diag *d, const struct dump_req *q, struct snapshot *snap,
		    struct snapshot *snap6, struct err *e)
{
	/* Streamed: what was handed on stays handed on (the sink keeps the
	 * later sighting of a socket sent twice); the tallies restart. */
	struct stream_mark mark;
	snapshot_flush(snap);
	mark.total = snap->total;
	memcpy(mark.counts, snap->counts, sizeof mark.counts);
	struct dump_ctx ctx = {snap, snap6, d, snap->n, snap6 ? snap6->n : 0, req_type(q)};
	int rc = 0;
	d->stats.dumps++;
	for (int attempt = 0; attempt <= DIAG_MAX_RESTARTS; attempt++) {
		snap->n = ctx.start_n; /* drop what a broken attempt appended */
		if (snap6)
			snap6->n = ctx.start_n6;
		if (snap->sink) {
			snap->total = mark.total;
			memcpy(snap->counts, mark.counts, sizeof mark.counts);
		}
		if (!d->nl && reopen(d, e) < 0)
			return -e->code;
		rc = dump_once(d, q, &ctx);
		if (rc == 0)
			return 0;
		if (!restartable(rc)) {
			/* The kernel may still be sending this dump: a later dump on
			 * the same socket would read it and fail on the stale
			 * sequence number (EPROTO) for good. Start afresh next time. */
			mnl_socket_close(d->nl);
			d->nl = NULL;
			break;
		}
		d->stats.restarts++;
		if (reopen(d, e) < 0)
			return -e->code;
	}
	if (restartable(rc))
		return err_set(e, -rc, "sock_diag dump kept being interrupted (%s) after %d tries",
			       strerror(-rc), DIAG_MAX_RESTARTS + 1);
	return err_set(e, -rc, "sock_diag dump (%s): %s", family_name(q->family), strerror(-rc));
}

/* Append src's sockets to dst, congestion names re-interned in dst. */
static void append_snapshot(struct snapshot *dst, const struct snapshot *src)
{
	if (src->n == 0)
		return;
	dst->conns = xgrow(dst->conns, &dst->cap, dst->n + src->n, sizeof *dst->conns);
	struct conn *out = dst->conns + dst->n;
	memcpy(out, src->conns, src->n * sizeof *out);
	if (dst->want_tix) { /* src collected it too (same want_tix) */
		dst->tix = xgrow(dst->tix, &dst->tix_cap, dst->n + src->n, sizeof *dst->tix);
		if (src->tix)
			memcpy(dst->tix + dst->n, src->tix, src->n * sizeof *dst->tix);
		else
			memset(dst->tix + dst->n, 0, src->n * sizeof *dst->tix);
	}
	dst->n += src->n;
	if (src->ncong <= 1)
		return;
	uint8_t map[SNAP_MAX_CONG] = {0};
	for (unsigned i = 1; i < src->ncong && i < SNAP_MAX_CONG; i++)
		map[i] = snapshot_cong_intern(dst, src->cong_names[i]);
	for (size_t i = 0; i < src->n; i++) {
		if (!(out[i].have & CONN_HAVE_CONG))
			continue;
		out[i].cong = out[i].cong < SNAP_MAX_CONG ? map[out[i].cong] : 0;
		if (!out[i].cong)
			out[i].have &= ~(uint32_t)CONN_HAVE_CONG;
	}
}

/* An empty IPv6 side for a dump into snap (the side tcp_info as snap's). */
static void v6_begin(struct diag *d, const struct snapshot *snap)
{
	d->v6.want_tix = snap->want_tix;
	snapshot_clear(&d->v6);
}

/* Request sockets live in NEW_SYN_RECV; they are what ss calls SYN-RECV. */
static uint32_t kernel_states(uint32_t state_mask)
{
	if (state_mask & (1u << TCPS_SYN_RECV))
		state_mask |= 1u << TCPS_NEW_SYN_RECV;
	return state_mask;
}

int diag_dump(struct diag *d, int family, uint32_t state_mask, uint8_t ext,
	      struct snapshot *snap, struct err *e)
{
	struct dump_req q = {family, kernel_states(state_mask), ext, NULL, 0};
	/* Both families in one walk come mixed: IPv4 first, then IPv6, each
	 * in the order it came (what a dump per family gives). A stream's
	 * order is the sink's. */
	bool apart = family == AF_UNSPEC && !snap->sink;
	if (apart)
		v6_begin(d, snap);
	int rc = dump_req(d, &q, snap, apart ? &d->v6 : NULL, e);
	if (apart)
		append_snapshot(snap, &d->v6);
	return rc;
}

/* The kernel does not know the request (no legacy handler) or its filter. */
static bool refused(int rc)
{
	return rc == -EOPNOTSUPP || rc == -EINVAL || rc == -EPROTONOSUPPORT;
}

int diag_dump_all(struct diag *d, uint32_t state_mask, uint8_t ext, struct snapshot *snap,
		  struct err *e)
{
	snapshot_flush(snap);
	size_t from = snap->n;
	if (!d->no_both) {
		int rc = diag_dump(d, AF_UNSPEC, state_mask, ext, snap, e);
		if (!refused(rc))
			return rc;
		d->no_both = true;
		snap->n = from;
		memset(e, 0, sizeof *e);
	}
	int rc = diag_dump(d, AF_INET, state_mask, ext, snap, e);
	if (rc == 0)
		rc = diag_dump(d, AF_INET6, state_mask, ext, snap, e);
	return rc;
}

/* --- the parallel dump ----------------------------------------------------- */

struct half {
	struct diag *d;
	struct dump_req q;
	uint8_t bc[DIAG_BC_MAX];
	struct snapshot *snap;
	struct err e;
	int rc;
};

static void *half_run(void *arg)
{
	struct half *h = arg;
	h->rc = dump_req(h->d, &h->q, h->snap, &h->d->v6, &h->e);
	return NULL;
}

/* The bottom of the namespace's local port range (what clients bind). */
static uint16_t ephemeral_low(void)
{
	unsigned lo = 32768, hi = 60999;
	FILE *f = fopen("/proc/sys/net/ipv4/ip_local_port_range", "re");
	if (f) {
		if (fscanf(f, "%u %u", &lo, &hi) != 2 || lo == 0 || lo > 65535)
			lo = 32768;
		fclose(f);
	}
	return (uint16_t)lo;
}

static bool two_cpus(void)
{
	cpu_set_t set;
	CPU_ZERO(&set);
	return sched_getaffinity(0, sizeof set, &set) == 0 && CPU_COUNT(&set) >= 2;
}

static void add_stats(struct diag_stats *to, const struct diag_stats *now,
		      const struct diag_stats *before)
{
	to->dumps += now->dumps - before->dumps;
	to->restarts += now->restarts - before->restarts;
	to->recv_calls += now->recv_calls - before->recv_calls;
	to->messages += now->messages - before->messages;
	to->bad_messages += now->bad_messages - before->bad_messages;
}

/* Both halves at once: half 0 on this thread into snap, half 1 on a second
 * thread and channel into d->side. */
static int dump_split(struct diag *d, uint32_t state_mask, uint8_t ext, struct snapshot *snap,
		      struct err *e)
{
	d->peer->recv = d->recv;
	d->peer->recv_ctx = d->recv_ctx;
	d->peer->stop = d->stop;
	d->peer->yield = d->yield;
	struct half h[2];
	uint16_t lo = ephemeral_low();
	for (int i = 0; i < 2; i++) {
		memset(&h[i].e, 0, sizeof h[i].e);
		h[i].d = i ? d->peer : d;
		h[i].snap = i ? &d->side : snap;
		h[i].q = (struct dump_req){AF_UNSPEC, kernel_states(state_mask), ext, h[i].bc, 0};
		h[i].q.bclen = diag_bc_split((unsigned)i, lo, h[i].bc, sizeof h[i].bc);
		h[i].rc = 0;
		if (!h[i].q.bclen)
			return err_set(e, EINVAL, "sock_diag split filter too long");
	}
	d->side.want_tix = snap->want_tix;
	snapshot_clear(&d->side);
	v6_begin(d, snap);
	v6_begin(d->peer, snap);
	struct diag_stats before = d->peer->stats;
	pthread_t t;
	bool threaded = pthread_create(&t, NULL, half_run, &h[1]) == 0;
	half_run(&h[0]);
	if (threaded)
		pthread_join(t, NULL);
	else
		half_run(&h[1]);
	add_stats(&d->stats, &d->peer->stats, &before);
	/* Each half's IPv4, then each half's IPv6. */
	append_snapshot(snap, &d->side);
	append_snapshot(snap, &d->v6);
	append_snapshot(snap, &d->peer->v6);
	int bad = h[0].rc ? 0 : h[1].rc ? 1 : -1;
	if (bad < 0)
		return 0;
	*e = h[bad].e;
	return h[bad].rc;
}

int diag_dump_split(struct diag *d, uint32_t state_mask, uint8_t ext, struct snapshot *snap,
		    struct err *e)
{
	if (!d->no_split && !d->no_both && !two_cpus())
		d->no_split = true;
	if (!d->no_split && !d->no_both && !d->peer) {
		struct err pe = {0};
		d->peer = diag_open_in(d->nsfd, d->netns_id, &pe);
		if (!d->peer)
			d->no_split = true; /* no second socket: one is enough */
	}
	if (d->no_split || d->no_both)
		return diag_dump_all(d, state_mask, ext, snap, e);
	size_t from = snap->n;
	int rc = dump_split(d, state_mask, ext, snap, e);
	if (!refused(rc))
		return rc;
	/* An older kernel (no legacy request, or no filter): one dump on one
	 * thread, from now on. */
	d->no_split = true;
	snap->n = from;
	memset(e, 0, sizeof *e);
	return diag_dump_all(d, state_mask, ext, snap, e);
}
